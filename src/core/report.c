/* The monthly analysis report: one workbook per month and division subtree, built from the
 * statistics aggregates (core/stats.c) and two case lists, laid out for printing — Chinese
 * headers, fixed column widths, frozen header rows, percent and hour formats, landscape A4 fitted
 * to the page width with the header row repeated on every page.
 *
 * The scheduler keeps last month's report under data_dir/reports/ from the first working day of
 * each month on, so leaders find it without asking. */
#include "core/report.h"
#include "core/ident.h"
#include "core/stats.h"
#include "store/store_warning.h"
#include "util/clock.h"
#include "util/log.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define LIST_MAX 5000 /* rows of the overdue and repeat lists */

int report_month_parse(const char *s, int *year, int *month)
{
    int y, m, n = 0;
    if (!s || strlen(s) != 7 || sscanf(s, "%4d-%2d%n", &y, &m, &n) != 2 || n != 7 || y < 2000 ||
        y > 2999 || m < 1 || m > 12)
        return FQ_EINVAL;
    *year = y;
    *month = m;
    return 0;
}

/* ---------- formats ---------- */

struct fmt {
    lxw_format *title, *sub, *head, *text, *wrap, *num, *pct, *hours, *note, *stars;
};

static void formats(lxw_workbook *wb, struct fmt *f)
{
    f->title = workbook_add_format(wb);
    format_set_bold(f->title);
    format_set_font_size(f->title, 16);
    f->sub = workbook_add_format(wb);
    format_set_font_color(f->sub, 0x595959);
    f->head = workbook_add_format(wb);
    format_set_bold(f->head);
    format_set_bg_color(f->head, 0xD9E1F2);
    format_set_border(f->head, LXW_BORDER_THIN);
    format_set_text_wrap(f->head);
    format_set_align(f->head, LXW_ALIGN_CENTER);
    format_set_align(f->head, LXW_ALIGN_VERTICAL_CENTER);
    f->text = workbook_add_format(wb);
    format_set_border(f->text, LXW_BORDER_THIN);
    f->wrap = workbook_add_format(wb);
    format_set_border(f->wrap, LXW_BORDER_THIN);
    format_set_text_wrap(f->wrap);
    f->num = workbook_add_format(wb);
    format_set_border(f->num, LXW_BORDER_THIN);
    format_set_num_format(f->num, "#,##0");
    f->pct = workbook_add_format(wb);
    format_set_border(f->pct, LXW_BORDER_THIN);
    format_set_num_format(f->pct, "0.0%");
    f->hours = workbook_add_format(wb);
    format_set_border(f->hours, LXW_BORDER_THIN);
    format_set_num_format(f->hours, "0.0");
    f->note = workbook_add_format(wb);
    format_set_italic(f->note);
    format_set_font_color(f->note, 0x595959);
    f->stars = workbook_add_format(wb);
    format_set_border(f->stars, LXW_BORDER_THIN);
    format_set_font_color(f->stars, 0xC65911);
}

/* Landscape A4, fitted to one page wide, header rows repeated, page numbers in the footer. */
static void print_setup(lxw_worksheet *ws, int head_row)
{
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, (lxw_row_t)head_row, (lxw_row_t)head_row);
    worksheet_freeze_panes(ws, (lxw_row_t)(head_row + 1), 0);
    worksheet_set_footer(ws, "&C第 &P 页，共 &N 页");
    worksheet_set_margins(ws, 0.4, 0.4, 0.5, 0.5);
}

/* ---------- indicator columns ---------- */

enum col_kind { K_INT, K_PCT, K_HOURS };
static const struct {
    const char *head, *key;
    int kind;
} ind_cols[] = {
    {"受理量", "intake", K_INT},
    {"办结量", "closed", K_INT},
    {"办结率", "closure_rate", K_PCT},
    {"化解率", "settlement_rate", K_PCT},
    {"按期办结率", "on_time_rate", K_PCT},
    {"超期数", "overdue", K_INT},
    {"超期率", "overdue_rate", K_PCT},
    {"响应率", "response_rate", K_PCT},
    {"满意率", "satisfaction_rate", K_PCT},
    {"回访率", "follow_up_rate", K_PCT},
    {"平均办理时长\n(工作小时)", "avg_handling_hours", K_HOURS},
    {"重复信访率", "repeat_rate", K_PCT},
    {"退单率", "return_rate", K_PCT},
    {"督办数", "supervisions", K_INT},
};
#define NIND (int)(sizeof ind_cols / sizeof ind_cols[0])

static void write_value(lxw_worksheet *ws, int row, int col, json_t *v, int kind,
                        const struct fmt *f)
{
    if (!v || json_is_null(v)) {
        worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, "—", f->text);
        return;
    }
    lxw_format *fm = kind == K_PCT ? f->pct : kind == K_HOURS ? f->hours : f->num;
    worksheet_write_number(ws, (lxw_row_t)row, (lxw_col_t)col, json_number_value(v), fm);
}

static void write_indicator_heads(lxw_worksheet *ws, int row, int col, const struct fmt *f)
{
    for (int i = 0; i < NIND; i++) {
        worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)(col + i), ind_cols[i].head, f->head);
        worksheet_set_column(ws, (lxw_col_t)(col + i), (lxw_col_t)(col + i),
                             ind_cols[i].kind == K_HOURS ? 12 : 9, NULL);
    }
    worksheet_set_row(ws, (lxw_row_t)row, 32, NULL);
}

static void write_indicators(lxw_worksheet *ws, int row, int col, json_t *o, const struct fmt *f)
{
    for (int i = 0; i < NIND; i++)
        write_value(ws, row, col + i, json_object_get(o, ind_cols[i].key), ind_cols[i].kind, f);
}

/* ---------- the report ---------- */

struct report {
    struct fq_domain *d;
    struct store_rd *rd;
    lxw_workbook *wb;
    struct fmt f;
    int year, month;
    char division[FQ_DIVISION_LEN + 1];
    char scope_name[96];
    struct store_stats_query q; /* the month, the subtree */
    int sat;
    json_t *categories;
    int64_t now;
};

static const char *category_name(struct report *r, const char *code)
{
    size_t i;
    json_t *c;
    if (!code || !code[0])
        return "未研判";
    json_array_foreach(r->categories, i, c)
    {
        if (!strcmp(json_string_value(json_object_get(c, "code")), code))
            return json_string_value(json_object_get(c, "name"));
    }
    return code;
}

static void division_name(struct report *r, const char *code, char name[96])
{
    char parent[FQ_DIVISION_LEN + 1];
    int level;
    if (store_division_get(r->rd, code, name, &level, parent))
        snprintf(name, 96, "%s", code);
}

static void department_name(struct report *r, int64_t id, char name[96])
{
    struct fq_department dep;
    if (id == 0)
        snprintf(name, 96, "%s", "（未派单）");
    else if (store_department_get(r->rd, id, &dep) == 0)
        snprintf(name, 96, "%s", dep.name);
    else
        snprintf(name, 96, "%lld", (long long)id);
}

/* Sheet 概况: the month against the month before, with the definition of each indicator. */
static int sheet_summary(struct report *r)
{
    static const struct {
        const char *name, *key;
        int kind;
        const char *definition;
    } rows[] = {
        {"受理量", "intake", K_INT, "本月登记受理的案件数"},
        {"办结量", "closed", K_INT, "其中现已办结（已办结、已归档）的案件数"},
        {"办结率", "closure_rate", K_PCT, "办结量 ÷ 受理量"},
        {"化解率", "settlement_rate", K_PCT, "办结时报告化解成功的案件 ÷ 办结量"},
        {"按期办结率", "on_time_rate", K_PCT, "在办理期限内办结（主办部门报结）的案件 ÷ 办结量"},
        {"超期数", "overdue", K_INT, "超期办结或在办已超期（红灯）的案件数"},
        {"超期率", "overdue_rate", K_PCT, "超期数 ÷ 受理量"},
        {"响应率", "response_rate", K_PCT,
         "派单后在响应时限内接单的派单 ÷ 派单数（撤回的未接派单除外）"},
        {"满意率", "satisfaction_rate", K_PCT,
         "(满意 + 基本满意) ÷ 已评价；或 12345 口径 (满意 + 0.9×基本满意) ÷ 已评价"},
        {"回访率", "follow_up_rate", K_PCT, "已回访的办结案件 ÷ 办结量"},
        {"平均办理时长（工作小时）", "avg_handling_hours", K_HOURS,
         "办结案件自受理至报结的工作时间（按工作日历）之和 ÷ 办结量"},
        {"重复信访数", "repeats", K_INT, "标记为重复信访（关联此前案件）的案件数"},
        {"重复信访率", "repeat_rate", K_PCT, "重复信访数 ÷ 受理量"},
        {"退单率", "return_rate", K_PCT, "被部门退回的派单 ÷ 派单数"},
        {"督办数", "supervisions", K_INT, "督办单数（含系统自动督办）"},
        {"督办案件数", "supervised", K_INT, "至少有一张督办单的案件数"},
    };
    lxw_worksheet *ws = workbook_add_worksheet(r->wb, "概况");
    char title[256], line[256], when[26];
    json_t *cur = NULL, *prev = NULL;
    struct store_stats_query pq = r->q;
    int py = r->month == 1 ? r->year - 1 : r->year, pm = r->month == 1 ? 12 : r->month - 1;
    pq.from_day = day_from_ymd(py, pm, 1);
    pq.to_day = r->q.from_day;
    pq.group = SG_NONE;
    struct store_stats_query cq = r->q;
    cq.group = SG_NONE;
    int rc = stats_report(r->d, r->rd, &cq, r->sat, &cur);
    if (rc == 0)
        rc = stats_report(r->d, r->rd, &pq, r->sat, &prev);
    if (rc)
        goto done;
    json_t *ct = json_object_get(cur, "total"), *pt = json_object_get(prev, "total");
    snprintf(title, sizeof title, "%s 社会治理综合服务月度分析报告（%d年%d月）", r->scope_name,
             r->year, r->month);
    worksheet_write_string(ws, 0, 0, title, r->f.title);
    ms_format(r->now, when);
    when[10] = ' ';
    snprintf(line, sizeof line, "统计范围：%s　统计周期：%04d-%02d-01 至月末　生成时间：%.16s",
             r->scope_name, r->year, r->month, when);
    worksheet_write_string(ws, 1, 0, line, r->f.sub);
    worksheet_write_string(ws, 2, 0,
                           "口径：本月登记受理的案件（队列口径），按报告生成时的状态统计；"
                           "定义见 docs/METRICS.md。",
                           r->f.note);
    static const char *const heads[] = {"指标", "本月", "上月", "环比变化", "定义"};
    for (int i = 0; i < 5; i++)
        worksheet_write_string(ws, 4, (lxw_col_t)i, heads[i], r->f.head);
    worksheet_set_column(ws, 0, 0, 26, NULL);
    worksheet_set_column(ws, 1, 3, 12, NULL);
    worksheet_set_column(ws, 4, 4, 70, NULL);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int row = 5 + (int)i;
        json_t *a = json_object_get(ct, rows[i].key), *b = json_object_get(pt, rows[i].key);
        worksheet_write_string(ws, (lxw_row_t)row, 0, rows[i].name, r->f.text);
        write_value(ws, row, 1, a, rows[i].kind, &r->f);
        write_value(ws, row, 2, b, rows[i].kind, &r->f);
        if (a && b && !json_is_null(a) && !json_is_null(b)) {
            json_t *dv = json_real(json_number_value(a) - json_number_value(b));
            write_value(ws, row, 3, dv, rows[i].kind, &r->f); /* rates: percentage points */
            json_decref(dv);
        } else {
            worksheet_write_string(ws, (lxw_row_t)row, 3, "—", r->f.text);
        }
        worksheet_write_string(ws, (lxw_row_t)row, 4, rows[i].definition, r->f.wrap);
    }
    worksheet_write_string(ws, (lxw_row_t)(6 + (int)(sizeof rows / sizeof rows[0])), 0,
                           r->sat == STATS_SAT_WEIGHTED
                               ? "满意率采用 12345 加权口径（满意 + 0.9×基本满意）。"
                               : "满意率采用（满意 + 基本满意）÷ 已评价口径。",
                           r->f.note);
    print_setup(ws, 4);
done:
    json_decref(cur);
    json_decref(prev);
    return rc;
}

/* Sheet 分区划: one row per division one level below the report's scope. */
static int sheet_divisions(struct report *r)
{
    lxw_worksheet *ws = workbook_add_worksheet(r->wb, "分区划");
    struct store_stats_query q = r->q;
    json_t *res = NULL;
    int level = r->division[0] ? division_level(r->division) : LEVEL_NONE;
    q.group = SG_DIVISION;
    q.division_digits = level <= LEVEL_CITY ? 6 : level == LEVEL_COUNTY ? 9 : 12;
    int rc = stats_report(r->d, r->rd, &q, r->sat, &res);
    if (rc)
        return rc;
    worksheet_write_string(ws, 0, 0, "区划代码", r->f.head);
    worksheet_write_string(ws, 0, 1, "区划名称", r->f.head);
    worksheet_set_column(ws, 0, 0, 14, NULL);
    worksheet_set_column(ws, 1, 1, 20, NULL);
    write_indicator_heads(ws, 0, 2, &r->f);
    size_t i;
    json_t *g;
    int row = 1;
    json_array_foreach(json_object_get(res, "groups"), i, g)
    {
        worksheet_write_string(ws, (lxw_row_t)row, 0, json_string_value(json_object_get(g, "key")),
                               r->f.text);
        worksheet_write_string(ws, (lxw_row_t)row, 1,
                               json_string_value(json_object_get(g, "label")), r->f.text);
        write_indicators(ws, row++, 2, g, &r->f);
    }
    worksheet_write_string(ws, (lxw_row_t)row, 0, "合计", r->f.head);
    worksheet_write_string(ws, (lxw_row_t)row, 1, r->scope_name, r->f.head);
    write_indicators(ws, row, 2, json_object_get(res, "total"), &r->f);
    print_setup(ws, 0);
    json_decref(res);
    return 0;
}

/* Sheet 部门排名: the ranking with composite score and stars. */
static int sheet_ranking(struct report *r)
{
    lxw_worksheet *ws = workbook_add_worksheet(r->wb, "部门排名");
    json_t *res = NULL;
    int rc = stats_ranking(r->d, r->rd, &r->q, r->sat, &res);
    if (rc)
        return rc;
    static const char *const heads[] = {"排名", "部门", "所在区划", "综合得分", "星级"};
    for (int i = 0; i < 5; i++)
        worksheet_write_string(ws, 0, (lxw_col_t)i, heads[i], r->f.head);
    worksheet_set_column(ws, 0, 0, 6, NULL);
    worksheet_set_column(ws, 1, 1, 26, NULL);
    worksheet_set_column(ws, 2, 2, 16, NULL);
    worksheet_set_column(ws, 3, 3, 9, NULL);
    worksheet_set_column(ws, 4, 4, 10, NULL);
    write_indicator_heads(ws, 0, 5, &r->f);
    size_t i;
    json_t *g;
    int row = 1;
    json_array_foreach(json_object_get(res, "items"), i, g)
    {
        char dname[96], stars[32] = "";
        const char *div = json_string_value(json_object_get(g, "division"));
        if (div)
            division_name(r, div, dname);
        else
            dname[0] = 0;
        int n = (int)json_integer_value(json_object_get(g, "stars"));
        for (int k = 0; k < 5; k++)
            strcat(stars, k < n ? "★" : "☆");
        worksheet_write_number(ws, (lxw_row_t)row, 0,
                               (double)json_integer_value(json_object_get(g, "rank")), r->f.num);
        worksheet_write_string(ws, (lxw_row_t)row, 1, json_string_value(json_object_get(g, "name")),
                               r->f.text);
        worksheet_write_string(ws, (lxw_row_t)row, 2, dname, r->f.text);
        worksheet_write_number(ws, (lxw_row_t)row, 3, json_real_value(json_object_get(g, "score")),
                               r->f.hours);
        worksheet_write_string(ws, (lxw_row_t)row, 4, stars, r->f.stars);
        write_indicators(ws, row++, 5, g, &r->f);
    }
    worksheet_write_string(
        ws, (lxw_row_t)(row + 1), 0,
        "综合得分 = 按期办结率×25 + 办结率×20 + 满意率×20 + 响应率×15 + (1−退单率)×10 + "
        "(1−超期率)×10（无数据的项不计，权重按其余项归一）；"
        "五星 ≥90，四星 ≥80，三星 ≥70，二星 ≥60，其余一星。",
        r->f.note);
    print_setup(ws, 0);
    json_decref(res);
    return 0;
}

/* Sheet 分类别: level-2 categories with their level-1 name. */
static int sheet_categories(struct report *r)
{
    lxw_worksheet *ws = workbook_add_worksheet(r->wb, "分类别");
    struct store_stats_query q = r->q;
    json_t *res = NULL;
    q.group = SG_CATEGORY;
    int rc = stats_report(r->d, r->rd, &q, r->sat, &res);
    if (rc)
        return rc;
    static const char *const heads[] = {"类别代码", "一级类别", "二级类别"};
    for (int i = 0; i < 3; i++)
        worksheet_write_string(ws, 0, (lxw_col_t)i, heads[i], r->f.head);
    worksheet_set_column(ws, 0, 0, 9, NULL);
    worksheet_set_column(ws, 1, 2, 20, NULL);
    write_indicator_heads(ws, 0, 3, &r->f);
    size_t i;
    json_t *g;
    int row = 1;
    json_array_foreach(json_object_get(res, "groups"), i, g)
    {
        const char *code = json_string_value(json_object_get(g, "key"));
        char parent[16] = "";
        size_t k;
        json_t *c;
        json_array_foreach(r->categories, k, c)
        {
            if (!strcmp(json_string_value(json_object_get(c, "code")), code)) {
                snprintf(parent, sizeof parent, "%s",
                         json_string_value(json_object_get(c, "parent")));
                break;
            }
        }
        worksheet_write_string(ws, (lxw_row_t)row, 0, code, r->f.text);
        worksheet_write_string(ws, (lxw_row_t)row, 1,
                               parent[0] ? category_name(r, parent) : category_name(r, code),
                               r->f.text);
        worksheet_write_string(ws, (lxw_row_t)row, 2, parent[0] ? category_name(r, code) : "",
                               r->f.text);
        write_indicators(ws, row++, 3, g, &r->f);
    }
    worksheet_write_string(ws, (lxw_row_t)row, 0, "合计", r->f.head);
    worksheet_write_string(ws, (lxw_row_t)row, 1, "", r->f.head);
    worksheet_write_string(ws, (lxw_row_t)row, 2, "", r->f.head);
    write_indicators(ws, row, 3, json_object_get(res, "total"), &r->f);
    print_setup(ws, 0);
    json_decref(res);
    return 0;
}

struct list_ctx {
    struct report *r;
    lxw_worksheet *ws;
    int row, which;
};

static int list_row(const struct store_report_case *c, void *arg)
{
    struct list_ctx *l = arg;
    struct report *r = l->r;
    const struct fmt *f = &r->f;
    char dname[96], dep[96], t1[26], t2[26], t3[26];
    lxw_row_t row = (lxw_row_t)l->row++;
    division_name(r, c->division, dname);
    department_name(r, c->lead_department, dep);
    ms_format(c->created_at, t1);
    t1[16] = 0;
    worksheet_write_string(l->ws, row, 0, c->code, f->text);
    worksheet_write_string(l->ws, row, 1, c->title, f->wrap);
    worksheet_write_string(l->ws, row, 2, dname, f->text);
    worksheet_write_string(l->ws, row, 3, category_name(r, c->category), f->text);
    worksheet_write_string(l->ws, row, 4, dep, f->text);
    worksheet_write_string(l->ws, row, 5, t1, f->text);
    if (l->which == STORE_LIST_OVERDUE) {
        int64_t end = c->resolved_at ? c->resolved_at : c->closed_at ? c->closed_at : r->now;
        if (c->due_at) {
            ms_format(c->due_at, t2);
            t2[16] = 0;
        } else {
            snprintf(t2, sizeof t2, "—");
        }
        if (c->resolved_at || c->closed_at) {
            ms_format(c->resolved_at ? c->resolved_at : c->closed_at, t3);
            t3[16] = 0;
        } else {
            snprintf(t3, sizeof t3, "未办结");
        }
        worksheet_write_string(l->ws, row, 6, t2, f->text);
        worksheet_write_string(l->ws, row, 7, status_label_zh(c->status), f->text);
        worksheet_write_string(l->ws, row, 8, t3, f->text);
        worksheet_write_number(
            l->ws, row, 9,
            c->due_at && end > c->due_at ? (double)(end - c->due_at) / (double)FQ_DAY_MS : 0,
            f->hours);
        worksheet_write_number(l->ws, row, 10, c->urge_count, f->num);
        worksheet_write_number(l->ws, row, 11, c->supervised, f->num);
    } else {
        worksheet_write_string(l->ws, row, 6, c->repeat_of_code, f->text);
        worksheet_write_string(l->ws, row, 7, status_label_zh(c->status), f->text);
    }
    return 0;
}

static int sheet_list(struct report *r, int which)
{
    static const char *const overdue_heads[] = {"案件编码", "标题",     "事发区划", "类别",
                                                "主办部门", "受理时间", "办理期限", "状态",
                                                "报结时间", "超期天数", "催办次数", "督办次数"};
    static const char *const repeat_heads[] = {"案件编码", "标题",     "事发区划",         "类别",
                                               "主办部门", "受理时间", "重复于（原案件）", "状态"};
    static const double widths[] = {23, 36, 16, 16, 22, 17, 17, 10, 17, 9, 9, 9};
    const char *const *heads = which == STORE_LIST_OVERDUE ? overdue_heads : repeat_heads;
    int nh = which == STORE_LIST_OVERDUE ? 12 : 8;
    lxw_worksheet *ws =
        workbook_add_worksheet(r->wb, which == STORE_LIST_OVERDUE ? "超期清单" : "重复信访");
    for (int i = 0; i < nh; i++) {
        worksheet_write_string(ws, 0, (lxw_col_t)i, heads[i], r->f.head);
        worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i,
                             which != STORE_LIST_OVERDUE && i == 6 ? 23 : widths[i], NULL);
    }
    struct list_ctx l = {r, ws, 1, which};
    int rc = store_stats_cases(r->rd, which, ms_of_day(r->q.from_day), ms_of_day(r->q.to_day),
                               r->division, LIST_MAX, list_row, &l);
    if (rc)
        return rc;
    if (l.row == 1)
        worksheet_write_string(ws, 1, 0, "本月无此类案件。", r->f.note);
    else if (l.row > LIST_MAX)
        worksheet_write_string(ws, (lxw_row_t)(l.row + 1), 0,
                               "仅列出前 5000 件，完整清单请在系统中导出。", r->f.note);
    print_setup(ws, 0);
    return 0;
}

/* 预警: the warnings raised in the month within the subtree (core/warning.h), with their three
 * largest factors and how each was handled. */
static int sheet_warnings(struct report *r)
{
    static const char *const heads[] = {"预警时间", "区域",     "层级", "类型",   "等级",
                                        "风险分",   "预警内容", "主要因素", "状态", "处置结果"};
    static const double widths[] = {17, 17, 8, 10, 6, 8, 46, 46, 9, 30};
    lxw_worksheet *ws = workbook_add_worksheet(r->wb, "预警");
    for (int i = 0; i < 10; i++) {
        worksheet_write_string(ws, 0, (lxw_col_t)i, heads[i], r->f.head);
        worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, widths[i], NULL);
    }
    json_t *items = NULL, *w;
    if (!store_has_table(r->rd, "warnings") ||
        store_warnings_period(r->rd, r->division, ms_of_day(r->q.from_day),
                              ms_of_day(r->q.to_day), LIST_MAX, &items)) {
        worksheet_write_string(ws, 1, 0, "预警数据暂不可用。", r->f.note);
        print_setup(ws, 0);
        return 0;
    }
    size_t i;
    json_array_foreach(items, i, w) {
        lxw_row_t row = (lxw_row_t)(i + 1);
        const char *kind = json_string_value(json_object_get(w, "kind"));
        const char *level = json_string_value(json_object_get(w, "level"));
        const char *status = json_string_value(json_object_get(w, "status"));
        const char *area_kind = json_string_value(json_object_get(w, "area_kind"));
        char at[26] = "", factors[512] = "", outcome[320] = "";
        snprintf(at, 17, "%s", json_string_value(json_object_get(w, "raised_at")));
        size_t k, len = 0;
        json_t *f;
        json_array_foreach(json_object_get(w, "factors"), k, f) {
            double c = json_number_value(json_object_get(f, "contribution"));
            if (k >= 3 || c <= 0)
                break;
            len += (size_t)snprintf(factors + len, sizeof factors - len, "%s%s %.1f", k ? "；" : "",
                                    json_string_value(json_object_get(f, "name_zh")), c);
            if (len >= sizeof factors)
                break;
        }
        if (status && !strcmp(status, "case"))
            snprintf(outcome, sizeof outcome, "转为案件 %s",
                     json_string_value(json_object_get(w, "case_code")));
        else if (status && !strcmp(status, "dismissed"))
            snprintf(outcome, sizeof outcome, "撤销：%s",
                     json_string_value(json_object_get(w, "reason")));
        worksheet_write_string(ws, row, 0, at, r->f.text);
        worksheet_write_string(ws, row, 1, json_string_value(json_object_get(w, "area")), r->f.text);
        worksheet_write_string(ws, row, 2,
                               !area_kind                      ? ""
                               : !strcmp(area_kind, "grid")    ? "网格"
                               : !strcmp(area_kind, "village") ? "村（社区）"
                                                               : "乡镇（街道）",
                               r->f.text);
        worksheet_write_string(ws, row, 3, kind && !strcmp(kind, "surge") ? "案件突增" : "等级升高",
                               r->f.text);
        worksheet_write_string(ws, row, 4,
                               !level                      ? ""
                               : !strcmp(level, "red")     ? "红"
                               : !strcmp(level, "orange")  ? "橙"
                               : !strcmp(level, "yellow")  ? "黄"
                                                           : "蓝",
                               r->f.text);
        worksheet_write_number(ws, row, 5, json_number_value(json_object_get(w, "score")), r->f.num);
        worksheet_write_string(ws, row, 6, json_string_value(json_object_get(w, "title")), r->f.text);
        worksheet_write_string(ws, row, 7, factors, r->f.text);
        worksheet_write_string(ws, row, 8,
                               !status                      ? ""
                               : !strcmp(status, "raised")  ? "待查看"
                               : !strcmp(status, "seen")    ? "已查看"
                               : !strcmp(status, "case")    ? "已转案件"
                                                            : "已撤销",
                               r->f.text);
        worksheet_write_string(ws, row, 9, outcome, r->f.text);
    }
    if (json_array_size(items) == 0)
        worksheet_write_string(ws, 1, 0, "本月无预警。", r->f.note);
    json_decref(items);
    print_setup(ws, 0);
    return 0;
}

int report_monthly(struct fq_domain *d, int year, int month, const char *division, const char *path,
                   report_progress_fn progress, void *arg, struct fq_error *e)
{
    struct report r;
    char tmp[600];
    int rc = 0;
    memset(&r, 0, sizeof r);
    r.d = d;
    r.rd = store_rd(d->store);
    r.year = year;
    r.month = month;
    r.now = fq_now_ms();
    snprintf(r.division, sizeof r.division, "%s", division ? division : "");
    if (!r.rd)
        return fq_fail(e, FQ_EIO, "storage_error", "", "无法读取数据库 (storage unavailable)");
    if (r.division[0]) {
        char parent[FQ_DIVISION_LEN + 1];
        int level;
        if (!division_code_valid(r.division) ||
            store_division_get(r.rd, r.division, r.scope_name, &level, parent))
            return fq_fail(e, FQ_EINVAL, "unknown_division", "division",
                           "区划代码不存在 (unknown division)");
    } else {
        snprintf(r.scope_name, sizeof r.scope_name, "%s", "全域");
    }
    r.q.from_day = day_from_ymd(year, month, 1);
    r.q.to_day = day_from_ymd(month == 12 ? year + 1 : year, month == 12 ? 1 : month + 1, 1);
    snprintf(r.q.division, sizeof r.q.division, "%s", r.division);
    r.q.channel = r.q.grade = -1;
    r.sat = stats_satisfaction_default(d);
    store_categories(r.rd, NULL, &r.categories);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    lxw_workbook_options wo = {.constant_memory = LXW_FALSE, .tmpdir = NULL};
    r.wb = workbook_new_opt(tmp, &wo);
    if (!r.wb) {
        json_decref(r.categories);
        return fq_fail(e, FQ_EIO, "io_error", "output", "无法创建文件 %s", tmp);
    }
    formats(r.wb, &r.f);
    lxw_doc_properties props = {.title = "月度分析报告", .author = "枫桥", .company = "综治中心"};
    workbook_set_properties(r.wb, &props);
    /* progress names in ASCII: terminals pad them by bytes */
    static const char *const stages[] = {"summary", "by division", "ranking", "by category",
                                         "overdue", "repeats",     "warnings"};
    for (int i = 0; rc == 0 && i < 7; i++) {
        if (progress)
            progress(stages[i], i, 7, arg);
        switch (i) {
        case 0:
            rc = sheet_summary(&r);
            break;
        case 1:
            rc = sheet_divisions(&r);
            break;
        case 2:
            rc = sheet_ranking(&r);
            break;
        case 3:
            rc = sheet_categories(&r);
            break;
        case 4:
            rc = sheet_list(&r, STORE_LIST_OVERDUE);
            break;
        case 5:
            rc = sheet_list(&r, STORE_LIST_REPEAT);
            break;
        case 6:
            rc = sheet_warnings(&r);
            break;
        }
    }
    lxw_error xe = workbook_close(r.wb);
    json_decref(r.categories);
    if (rc == 0 && xe != LXW_NO_ERROR)
        rc = fq_fail(e, FQ_EIO, "io_error", "output", "写入 xlsx 失败：%s", lxw_strerror(xe));
    else if (rc)
        fq_fail(e, rc, "storage_error", "", "读取统计数据失败 (statistics read failed)");
    if (rc == 0 && rename(tmp, path) != 0)
        rc = fq_fail(e, FQ_EIO, "io_error", "output", "无法写入 %s", path);
    if (rc)
        unlink(tmp);
    else if (progress)
        progress("report", 7, 7, arg);
    return rc;
}

/* ---------- kept reports and the scheduler ---------- */

static void reports_dir(const struct fq_domain *d, char *out, size_t n)
{
    snprintf(out, n, "%s/reports", d->data_dir[0] ? d->data_dir : ".");
}

void report_path(const struct fq_domain *d, int year, int month, const char *division, char *out,
                 size_t n)
{
    char dir[560];
    reports_dir(d, dir, sizeof dir);
    if (division && division[0])
        snprintf(out, n, "%s/%04d-%02d-%s.xlsx", dir, year, month, division);
    else
        snprintf(out, n, "%s/%04d-%02d.xlsx", dir, year, month);
}

static int by_file_desc(const void *a, const void *b)
{
    const char *x = json_string_value(json_object_get(*(json_t *const *)a, "file"));
    const char *y = json_string_value(json_object_get(*(json_t *const *)b, "file"));
    return strcmp(y, x);
}

int report_list(const struct fq_domain *d, json_t **out)
{
    char dir[560], p[1200];
    json_t *items[1024];
    int n = 0;
    reports_dir(d, dir, sizeof dir);
    *out = json_array();
    DIR *dh = opendir(dir);
    if (!dh)
        return 0;
    struct dirent *de;
    while ((de = readdir(dh)) && n < 1024) {
        int y, m, len = (int)strlen(de->d_name);
        char div[16] = "";
        if (len < 12 || strcmp(de->d_name + len - 5, ".xlsx") ||
            sscanf(de->d_name, "%4d-%2d", &y, &m) != 2)
            continue;
        if (de->d_name[7] == '-')
            snprintf(div, sizeof div, "%.*s", len - 13, de->d_name + 8);
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (stat(p, &st))
            continue;
        char month[8], when[26];
        snprintf(month, sizeof month, "%04d-%02d", y, m);
        ms_format((int64_t)st.st_mtime * 1000, when);
        items[n++] = json_pack("{s:s, s:o, s:s, s:I, s:s}", "month", month, "division",
                               div[0] ? json_string(div) : json_null(), "file", de->d_name, "size",
                               (json_int_t)st.st_size, "created_at", when);
    }
    closedir(dh);
    if (n > 1) /* qsort(NULL, 0) is undefined */
        qsort(items, (size_t)n, sizeof items[0], by_file_desc);
    for (int i = 0; i < n; i++)
        json_array_append_new(*out, items[i]);
    return 0;
}

/* The county-level divisions (below the top ones), at most max; their count. */
static int list_counties(struct fq_domain *d, char (*out)[FQ_DIVISION_LEN + 1], int max)
{
    struct store_rd *rd = store_rd(d->store);
    json_t *top = NULL;
    int n = 0;
    if (!rd || store_divisions(rd, "", &top))
        return 0;
    size_t i, j;
    json_t *t, *c;
    json_array_foreach(top, i, t)
    {
        const char *code = json_string_value(json_object_get(t, "code"));
        if (!code)
            continue;
        if (division_level(code) == LEVEL_COUNTY) {
            if (n < max)
                snprintf(out[n++], FQ_DIVISION_LEN + 1, "%s", code);
            continue;
        }
        json_t *kids = NULL;
        if (division_level(code) > LEVEL_COUNTY || store_divisions(rd, code, &kids))
            continue;
        json_array_foreach(kids, j, c)
        {
            const char *k = json_string_value(json_object_get(c, "code"));
            if (k && division_level(k) == LEVEL_COUNTY && n < max)
                snprintf(out[n++], FQ_DIVISION_LEN + 1, "%s", k);
        }
        json_decref(kids);
    }
    json_decref(top);
    return n;
}

int report_scheduler_check(struct fq_domain *d, int64_t now_ms)
{
    int64_t today = day_of_ms(now_ms);
    int y, m, dd;
    ymd_from_day(today, &y, &m, &dd);
    /* the first working day of this month */
    int64_t first = day_from_ymd(y, m, 1);
    pthread_rwlock_rdlock(&d->lock);
    for (int i = 0; i < 31 && !calendar_is_working_day(d->cal, first); i++)
        first++;
    pthread_rwlock_unlock(&d->lock);
    if (today < first)
        return 0;
    int py = m == 1 ? y - 1 : y, pm = m == 1 ? 12 : m - 1;
    char path[700], dir[560];
    report_path(d, py, pm, "", path, sizeof path);
    if (access(path, F_OK) == 0)
        return 0;
    reports_dir(d, dir, sizeof dir);
    if (mkdir(dir, 0750) && errno != EEXIST) {
        log_warn("report: cannot create %s", dir);
        return FQ_EIO;
    }
    /* one per county first (what county leaders may open), the whole area last: its file marks
     * the month done */
    char counties[64][FQ_DIVISION_LEN + 1];
    int nc = list_counties(d, counties, 64);
    for (int i = 0; i < nc; i++) {
        char cpath[700];
        struct fq_error ce = {0};
        report_path(d, py, pm, counties[i], cpath, sizeof cpath);
        if (access(cpath, F_OK) && report_monthly(d, py, pm, counties[i], cpath, NULL, NULL, &ce))
            log_warn("report: monthly report %04d-%02d of %s failed: %s", py, pm, counties[i],
                     ce.message);
    }
    struct fq_error e = {0};
    int rc = report_monthly(d, py, pm, "", path, NULL, NULL, &e);
    if (rc) {
        log_warn("report: monthly report %04d-%02d failed: %s", py, pm, e.message);
        return rc;
    }
    log_info("report: wrote the monthly reports of %04d-%02d under %s", py, pm, dir);
    return 1;
}

struct report_scheduler {
    struct fq_domain *d;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
};

static void *scheduler_main(void *arg)
{
    struct report_scheduler *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!s->stop) {
        pthread_mutex_unlock(&s->mu);
        report_scheduler_check(s->d, fq_now_ms());
        pthread_mutex_lock(&s->mu);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 3600;
        while (!s->stop && pthread_cond_timedwait(&s->cv, &s->mu, &ts) == 0)
            ;
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

struct report_scheduler *report_scheduler_start(struct fq_domain *d)
{
    struct report_scheduler *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->d = d;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (pthread_create(&s->thread, NULL, scheduler_main, s)) {
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cv);
        free(s);
        return NULL;
    }
    return s;
}

void report_scheduler_stop(struct report_scheduler *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}
