/* Export of any filtered case list: GET /api/v1/cases/export.csv and /api/v1/cases/export.xlsx,
 * with every filter of GET /api/v1/cases (limit aside: everything that matches) and the
 * caller's scope. Registered before the cases' own routes, which would otherwise take
 * "export.csv" for a case code.
 *
 * Memory stays flat however many cases match. The CSV is streamed: the stream's reader fetches
 * the next page of rows (store_case_export, by id cursor) only when libmicrohttpd has sent the
 * previous one. The .xlsx is written by libxlsxwriter in constant_memory mode (one row in memory,
 * the rest in its temporary files) to a file of our own, which is sent and unlinked at once (the
 * server keeps its open descriptor). Excel caps a sheet at 1,048,576 rows: the .xlsx export stops
 * there and says so in its last row; the CSV has no cap.
 *
 * Both carry Chinese headers and Chinese labels of the enumerations. The CSV starts with a UTF-8
 * byte order mark so that Excel reads it as UTF-8; a cell starting with = + - @ gets a leading
 * apostrophe so a spreadsheet does not run it as a formula (CSV injection). */
#include "api/api.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define PAGE_ROWS 500
#define CSV_BUF_MAX (4u << 20)
#define XLSX_ROWS_MAX 1048575 /* data rows under the header */

static const char *const headers[] = {
    "编码",     "标题",     "渠道",         "类型",   "类别代码", "类别",
    "等级",     "办理层级", "状态",         "预警灯", "属地代码", "属地",
    "地址",     "涉及人数", "受理时间",     "期限",   "办结时间", "核结时间",
    "主办部门", "化解方式", "是否化解成功", "满意度",
};
#define NCOLS ((int)(sizeof headers / sizeof headers[0]))
static const double widths[NCOLS] = {24, 36, 10, 10, 10, 16, 8,  10, 8,  8,  14,
                                     16, 30, 8,  18, 18, 18, 18, 20, 14, 12, 10};

static const char *kind_zh(int v)
{
    static const char *t[] = {"诉求", "事件", "矛盾纠纷"};
    return v >= 0 && v < 3 ? t[v] : "";
}

static const char *level_zh(int v)
{
    static const char *t[] = {"", "市级", "县级", "乡镇级", "村社区级"};
    return v >= 0 && v < 5 ? t[v] : "";
}

static const char *light_zh(int v)
{
    static const char *t[] = {"绿灯", "黄灯", "红灯"};
    return v >= 0 && v < 3 ? t[v] : "";
}

static const char *satisfaction_zh(int v)
{
    static const char *t[] = {"", "满意", "基本满意", "不满意"};
    return v >= 0 && v < 4 ? t[v] : "";
}

static const char *success_zh(int v)
{
    return v == 1 ? "是" : v == 0 ? "否" : "";
}

/* "YYYY-MM-DD HH:MM:SS" China time, "" for 0. */
static void time_text(int64_t ms, char out[26])
{
    if (!ms) {
        out[0] = 0;
        return;
    }
    ms_format(ms, out);
    out[10] = ' ';
    out[19] = 0;
}

/* The text cells of a row, in header order; numbers and times as text too (the .xlsx writer
 * turns the time columns back into dates). */
struct cells {
    const char *v[NCOLS];
    char people[16], created[26], due[26], resolved[26], closed[26];
};

static void row_cells(const struct store_case_row *r, struct cells *c)
{
    snprintf(c->people, sizeof c->people, "%d", r->people_count);
    time_text(r->created_at, c->created);
    time_text(r->due_at, c->due);
    time_text(r->resolved_at, c->resolved);
    time_text(r->closed_at, c->closed);
    const char *v[NCOLS] = {
        r->code,
        r->title,
        channel_label_zh(r->channel),
        kind_zh(r->kind),
        r->category,
        r->category_name,
        r->grade ? grade_label_zh(r->grade) : "",
        level_zh(r->level),
        status_label_zh(r->status),
        r->status <= ST_PENDING_VERIFY ? light_zh(r->light) : "",
        r->division,
        r->division_name,
        r->address,
        c->people,
        c->created,
        c->due,
        c->resolved,
        c->closed,
        r->lead_department,
        r->method,
        success_zh(r->success),
        satisfaction_zh(r->satisfaction),
    };
    memcpy(c->v, v, sizeof v);
}

/* ---- CSV ---- */

struct csv {
    struct api_ctx *ctx;
    struct store_case_filter f;
    char *codes; /* f.codes_json's text, owned */
    struct buf out;
    size_t pos;
    int done;
    int64_t rows;
};

static int csv_field(struct buf *b, const char *s, int first)
{
    int rc = first ? 0 : buf_add(b, ",", 1);
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    int formula = strchr("=+-@", s[0]) && s[0];
    if (!rc && quote)
        rc = buf_add(b, "\"", 1);
    if (!rc && formula)
        rc = buf_add(b, "'", 1);
    for (const char *p = s; !rc && *p; p++)
        rc = *p == '"' ? buf_add(b, "\"\"", 2) : buf_add(b, p, 1);
    if (!rc && quote)
        rc = buf_add(b, "\"", 1);
    return rc;
}

static int csv_line(struct buf *b, const char *const *v)
{
    int rc = 0;
    for (int i = 0; i < NCOLS && !rc; i++)
        rc = csv_field(b, v[i], i == 0);
    return rc ? rc : buf_add(b, "\r\n", 2);
}

static int csv_row(const struct store_case_row *r, void *arg)
{
    struct csv *c = arg;
    struct cells cl;
    row_cells(r, &cl);
    c->rows++;
    return csv_line(&c->out, cl.v);
}

static long csv_read(void *arg, char *dst, size_t max)
{
    struct csv *c = arg;
    while (c->pos >= c->out.len) {
        if (c->done)
            return -1;
        buf_reset(&c->out);
        c->pos = 0;
        int64_t next = 0;
        struct store_rd *rd = store_rd(c->ctx->dom->store);
        int rc = rd ? store_case_export(rd, &c->f, csv_row, c, &next) : FQ_EIO;
        if (rc) {
            /* the status line is long gone: end the body short, and say so in the log */
            log_error("export: csv stopped after %lld rows: %s", (long long)c->rows,
                      fq_strerror(rc));
            return -1;
        }
        c->f.cursor = next;
        c->done = next == 0;
    }
    size_t n = c->out.len - c->pos;
    if (n > max)
        n = max;
    memcpy(dst, c->out.data + c->pos, n);
    c->pos += n;
    return (long)n;
}

static void csv_free(void *arg)
{
    struct csv *c = arg;
    buf_free(&c->out);
    free(c->codes);
    free(c);
}

/* "cases-YYYYMMDD.ext" of today (China time). */
static void download_name(char *out, size_t size, const char *ext)
{
    char day[11];
    day_format(day_of_ms(fq_now_ms()), day);
    snprintf(out, size, "cases-%.4s%.2s%.2s.%s", day, day + 5, day + 8, ext);
}

/* The filter; with q, a search's ranked hits only (*codes: their codes as JSON text, which
 * f->codes_json borrows; the caller frees it after the export). */
static int parse(struct http_req *r, struct api_ctx *ctx, struct api_user **u,
                 struct store_case_filter *f, char **codes)
{
    *codes = NULL;
    *u = api_auth(r, ctx);
    if (!*u)
        return -1;
    const char *q = http_query(r, "q");
    if (q && *q) {
        if (api_search_hits(r, ctx, *u, f, codes))
            return -1;
        f->codes_json = *codes;
        f->cursor = 0;
    } else if (api_case_filter_parse(r, ctx, *u, f)) {
        return -1;
    }
    f->limit = PAGE_ROWS; /* the page size here; an export is everything that matches */
    /* a bulk copy of case data leaves the system: on the access audit trail (访问审计) */
    api_audit(ctx, (*u)->u.id, "export", http_path(r), f->division[0] ? f->division : "");
    return 0;
}

static void h_export_csv(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u;
    struct store_case_filter f;
    char *codes;
    if (parse(r, ctx, &u, &f, &codes))
        return;
    struct csv *c = calloc(1, sizeof *c);
    if (!c) {
        free(codes);
        http_reply_fail(r, 503, "busy", "", "内存不足 (out of memory)");
        return;
    }
    c->ctx = ctx;
    c->f = f;
    c->codes = codes;
    buf_init(&c->out, CSV_BUF_MAX);
    if (buf_add(&c->out, "\xEF\xBB\xBF", 3) || csv_line(&c->out, headers)) {
        csv_free(c);
        http_reply_fail(r, 503, "busy", "", "内存不足 (out of memory)");
        return;
    }
    char name[40], cd[160];
    download_name(name, sizeof name, "csv");
    snprintf(cd, sizeof cd, "attachment; filename=\"%s\"", name);
    http_add_header(r, "Content-Disposition", cd);
    http_reply_stream(r, "text/csv; charset=utf-8", csv_read, c, csv_free);
}

/* ---- .xlsx ---- */

struct xlsx {
    lxw_worksheet *ws;
    lxw_format *date;
    lxw_row_t row;
    int full;
};

static lxw_datetime lxw_time(int64_t ms)
{
    int64_t day = day_of_ms(ms);
    int64_t secs = (ms - ms_of_day(day)) / 1000;
    lxw_datetime t = {0};
    ymd_from_day(day, &t.year, &t.month, &t.day);
    t.hour = (int)(secs / 3600);
    t.min = (int)(secs / 60 % 60);
    t.sec = (double)(secs % 60);
    return t;
}

static int xlsx_row(const struct store_case_row *r, void *arg)
{
    struct xlsx *x = arg;
    if (x->row > XLSX_ROWS_MAX) {
        x->full = 1;
        return 1; /* stops the page; not an error */
    }
    struct cells cl;
    row_cells(r, &cl);
    const int64_t times[] = {r->created_at, r->due_at, r->resolved_at, r->closed_at};
    for (int i = 0; i < NCOLS; i++) {
        if (i >= 14 && i <= 17) {
            if (times[i - 14]) {
                lxw_datetime t = lxw_time(times[i - 14]);
                worksheet_write_datetime(x->ws, x->row, (lxw_col_t)i, &t, x->date);
            }
        } else if (i == 13) {
            worksheet_write_number(x->ws, x->row, (lxw_col_t)i, r->people_count, NULL);
        } else if (cl.v[i][0]) {
            worksheet_write_string(x->ws, x->row, (lxw_col_t)i, cl.v[i], NULL);
        }
    }
    x->row++;
    return 0;
}

/* Writes the workbook to path; 0 or an FQ_E* code. */
static int xlsx_write(struct api_ctx *ctx, struct store_case_filter *f, const char *path,
                      const char *tmpdir)
{
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)tmpdir};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb)
        return FQ_EIO;
    int ret = 0;
    struct xlsx x = {.row = 1};
    x.ws = workbook_add_worksheet(wb, "案件");
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_bg_color(head, 0xDDEBF7);
    format_set_border(head, LXW_BORDER_THIN);
    x.date = workbook_add_format(wb);
    format_set_num_format(x.date, "yyyy-mm-dd hh:mm");
    if (!x.ws || !head || !x.date) {
        ret = FQ_ENOMEM;
        goto done;
    }
    worksheet_freeze_panes(x.ws, 1, 0);
    worksheet_repeat_rows(x.ws, 0, 0); /* the header on every printed page */
    worksheet_set_landscape(x.ws);
    for (int i = 0; i < NCOLS; i++) {
        worksheet_set_column(x.ws, (lxw_col_t)i, (lxw_col_t)i, widths[i], NULL);
        worksheet_write_string(x.ws, 0, (lxw_col_t)i, headers[i], head);
    }
    worksheet_autofilter(x.ws, 0, 0, 0, NCOLS - 1);
    struct store_rd *rd = store_rd(ctx->dom->store);
    for (;;) {
        int64_t next = 0;
        int rc = rd ? store_case_export(rd, f, xlsx_row, &x, &next) : FQ_EIO;
        if (x.full) {
            worksheet_write_string(x.ws, x.row, 0,
                                   "（已达 Excel 单表行数上限，其余案件请用 CSV 导出）", NULL);
            break;
        }
        if (rc) {
            ret = rc;
            goto done;
        }
        if (!next)
            break;
        f->cursor = next;
    }
done:
    if (workbook_close(wb) != LXW_NO_ERROR && !ret)
        ret = FQ_EIO;
    return ret;
}

static void h_export_xlsx(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u;
    struct store_case_filter f;
    char *codes;
    if (parse(r, ctx, &u, &f, &codes))
        return;
    char dir[600], path[640];
    snprintf(dir, sizeof dir, "%s/tmp", ctx->dom->data_dir);
    if (mkdir(dir, 0700) && errno != EEXIST) {
        log_error("export: mkdir %s: %s", dir, strerror(errno));
        http_reply_fail(r, 503, "storage_error", "", "无法生成文件 (cannot write the file)");
        free(codes);
        return;
    }
    snprintf(path, sizeof path, "%s/export-XXXXXX.xlsx", dir);
    int fd = mkstemps(path, 5);
    if (fd < 0) {
        log_error("export: mkstemps %s: %s", path, strerror(errno));
        http_reply_fail(r, 503, "storage_error", "", "无法生成文件 (cannot write the file)");
        free(codes);
        return;
    }
    close(fd);
    int rc = xlsx_write(ctx, &f, path, dir);
    if (rc) {
        log_error("export: xlsx %s: %s", path, fq_strerror(rc));
        http_reply_fail(r, 503, "storage_error", "", "导出失败 (export failed)");
    } else {
        char name[40];
        download_name(name, sizeof name, "xlsx");
        http_reply_file(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        path, name);
    }
    unlink(path); /* the reply holds its own descriptor */
    free(codes);
}

void api_export_routes(struct api_ctx *ctx)
{
    http_route(ctx->http, "GET", "/api/v1/cases/export.csv", h_export_csv, ctx, 0);
    http_route(ctx->http, "GET", "/api/v1/cases/export.xlsx", h_export_xlsx, ctx, 0);
}
