/* Statistics and reports over HTTP: indicators grouped any way (GET /api/v1/stats), the
 * department ranking with stars (GET /api/v1/stats/ranking), the monthly .xlsx report generated
 * on demand (GET /api/v1/reports/monthly) and the reports kept by the scheduler
 * (GET /api/v1/reports, GET /api/v1/reports/:file). Every answer is limited to the caller's
 * scope: a user scoped to a division sees its subtree only, a department user its department. */
#include "api/api.h"
#include "core/ident.h"
#include "core/report.h"
#include "core/stats.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_RANGE_DAYS (366 * 10)

/* Every staff role may read statistics within its scope. */
#define STATS_ROLES (~0u)

/* Parses the common filters into q; replies 400/403 and returns -1 on a bad one. */
static int parse_query(struct http_req *r, const struct api_user *u, struct store_stats_query *q,
                       int *sat, struct api_ctx *ctx)
{
    const char *v;
    memset(q, 0, sizeof *q);
    q->channel = q->grade = -1;
    int64_t today = day_of_ms(fq_now_ms());
    int y, m, d;
    ymd_from_day(today, &y, &m, &d);
    q->from_day = day_from_ymd(y, m, 1);
    q->to_day = today + 1;
    if ((v = http_query(r, "from")) && *v && day_parse(v, &q->from_day)) {
        http_reply_fail(r, 400, "invalid_value", "from", "日期格式须为 YYYY-MM-DD (from)");
        return -1;
    }
    if ((v = http_query(r, "to")) && *v) {
        if (day_parse(v, &q->to_day)) {
            http_reply_fail(r, 400, "invalid_value", "to", "日期格式须为 YYYY-MM-DD (to)");
            return -1;
        }
        q->to_day++; /* inclusive */
    }
    if (q->to_day <= q->from_day || q->to_day - q->from_day > MAX_RANGE_DAYS) {
        http_reply_fail(r, 400, "invalid_range", "to", "统计区间须为 from ≤ to 且不超过 10 年");
        return -1;
    }
    /* division: within the caller's scope, default the scope itself */
    if (api_scope_division(r, u, http_query(r, "division"), q->division, sizeof q->division))
        return -1;
    if ((v = http_query(r, "department")) && *v) {
        char *end;
        long long id = strtoll(v, &end, 10);
        if (*end || id <= 0) {
            http_reply_fail(r, 400, "invalid_value", "department",
                            "部门编号无效 (invalid department id)");
            return -1;
        }
        q->department = id;
    }
    if (u->u.department_id) {
        if (q->department && q->department != u->u.department_id) {
            http_reply_fail(r, 403, "out_of_scope", "department",
                            "只能查看本部门的统计 (your department only)");
            return -1;
        }
        q->department = u->u.department_id;
    }
    if ((v = http_query(r, "category")) && *v) {
        if (strlen(v) >= sizeof q->category ||
            !store_category_exists(store_rd(ctx->dom->store), v)) {
            http_reply_fail(r, 400, "unknown_category", "category",
                            "事项类别不存在 (unknown category)");
            return -1;
        }
        snprintf(q->category, sizeof q->category, "%s", v);
    }
    if ((v = http_query(r, "channel")) && *v && channel_parse(v, &q->channel)) {
        http_reply_fail(r, 400, "invalid_value", "channel",
                        "渠道须为 window/grid/hotline_12345/police_110/portal/letters_visits/api");
        return -1;
    }
    if ((v = http_query(r, "grade")) && *v) {
        if (!strcmp(v, "none"))
            q->grade = GRADE_NONE;
        else if (grade_parse(v, &q->grade)) {
            http_reply_fail(r, 400, "invalid_value", "grade",
                            "等级须为 none/simple/ordinary/complex/difficult");
            return -1;
        }
    }
    *sat = stats_satisfaction_default(ctx->dom);
    if ((v = http_query(r, "satisfaction")) && *v && stats_satisfaction_parse(v, sat)) {
        http_reply_fail(r, 400, "invalid_value", "satisfaction",
                        "满意率口径须为 share 或 weighted");
        return -1;
    }
    return 0;
}

static void h_stats(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    struct store_stats_query q;
    int sat;
    const char *v;
    if (!u || !api_require_role(r, u, STATS_ROLES) || parse_query(r, u, &q, &sat, ctx))
        return;
    q.group = SG_NONE;
    if ((v = http_query(r, "group_by")) && *v && stats_group_parse(v, &q.group)) {
        http_reply_fail(
            r, 400, "invalid_value", "group_by",
            "group_by 须为 "
            "division/department/category/category1/channel/grade/day/week/month/quarter/year");
        return;
    }
    if (q.group == SG_DIVISION) {
        /* one level below the division asked for, or the level named */
        int lvl = q.division[0] ? division_level(q.division) : LEVEL_NONE;
        int child = lvl <= LEVEL_CITY     ? LEVEL_COUNTY
                    : lvl < LEVEL_VILLAGE ? lvl + 1
                                          : LEVEL_VILLAGE;
        if ((v = http_query(r, "level")) && *v) {
            if (level_parse(v, &child) || child < LEVEL_COUNTY || (lvl && child < lvl)) {
                http_reply_fail(r, 400, "invalid_value", "level",
                                "level 须为 county/township/village，且不高于所选区划");
                return;
            }
        }
        q.division_digits = child == LEVEL_COUNTY ? 6 : child == LEVEL_TOWNSHIP ? 9 : 12;
    }
    if (q.group == SG_DAY && q.to_day - q.from_day > 400) {
        http_reply_fail(r, 400, "invalid_range", "group_by", "按日分组的区间不超过 400 天");
        return;
    }
    json_t *out = NULL;
    if (stats_report(ctx->dom, store_rd(ctx->dom->store), &q, sat, &out)) {
        http_reply_fail(r, 503, "storage_error", "", "读取统计失败 (statistics read failed)");
        return;
    }
    json_object_set_new(out, "division", q.division[0] ? json_string(q.division) : json_null());
    http_reply_json(r, 200, out);
}

static void h_ranking(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    struct store_stats_query q;
    int sat;
    if (!u || !api_require_role(r, u, STATS_ROLES) || parse_query(r, u, &q, &sat, ctx))
        return;
    json_t *out = NULL;
    if (stats_ranking(ctx->dom, store_rd(ctx->dom->store), &q, sat, &out)) {
        http_reply_fail(r, 503, "storage_error", "", "读取统计失败 (statistics read failed)");
        return;
    }
    json_object_set_new(out, "division", q.division[0] ? json_string(q.division) : json_null());
    http_reply_json(r, 200, out);
}

/* ---- reports ---- */

#define REPORT_ROLES                                                                               \
    (1u << ROLE_ADMIN | 1u << ROLE_LEADER | 1u << ROLE_SUPERVISOR | 1u << ROLE_DISPATCHER)
#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

struct report_job {
    struct http_req *r;
    struct api_ctx *ctx;
    int year, month;
    char division[FQ_DIVISION_LEN + 1];
};

static void report_job_run(void *arg)
{
    struct report_job *j = arg;
    char path[700], name[64];
    struct fq_error e = {0};
    snprintf(path, sizeof path, "%s/report-%lld-%p.xlsx",
             j->ctx->dom->data_dir[0] ? j->ctx->dom->data_dir : "/tmp", (long long)fq_now_ms(),
             (void *)j);
    int rc = report_monthly(j->ctx->dom, j->year, j->month, j->division, path, NULL, NULL, &e);
    if (rc) {
        http_reply_error(j->r, &e);
    } else {
        snprintf(name, sizeof name, "月度分析报告-%04d-%02d%s%s.xlsx", j->year, j->month,
                 j->division[0] ? "-" : "", j->division);
        http_reply_file(j->r, 200, XLSX_TYPE, path, name); /* opens the file before returning */
        unlink(path);
    }
    free(j);
}

static void h_report_monthly(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    if (!u || !api_require_role(r, u, REPORT_ROLES))
        return;
    struct report_job *j = calloc(1, sizeof *j);
    if (!j) {
        http_reply_fail(r, 503, "busy", "", "服务繁忙 (busy)");
        return;
    }
    j->r = r;
    j->ctx = ctx;
    const char *month = http_query(r, "month"), *div = http_query(r, "division");
    if (!month || !*month) {
        free(j);
        http_reply_fail(r, 400, "required", "month", "缺少必填参数 month (YYYY-MM)");
        return;
    }
    if (report_month_parse(month, &j->year, &j->month)) {
        free(j);
        http_reply_fail(r, 400, "invalid_value", "month", "month 格式须为 YYYY-MM");
        return;
    }
    if (api_scope_division(r, u, div, j->division, sizeof j->division)) {
        free(j);
        return;
    }
    if (u->u.department_id) {
        free(j);
        http_reply_fail(r, 403, "forbidden_role", "",
                        "部门用户不能导出全域月报 (department users cannot)");
        return;
    }
    if (api_offload(ctx, report_job_run, j)) {
        free(j);
        http_reply_fail(r, 503, "busy", "", "服务繁忙，请稍后再试 (busy)");
    }
}

/* Kept reports visible to the caller: the whole-area ones for unscoped users, and those of a
 * division inside the caller's scope. */
static int report_visible(const struct api_user *u, json_t *item)
{
    const char *div = json_string_value(json_object_get(item, "division"));
    if (!u->u.division[0])
        return 1;
    return div && division_contains(u->u.division, div);
}

static void h_reports(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    if (!u || !api_require_role(r, u, REPORT_ROLES))
        return;
    json_t *all = NULL, *items = json_array();
    report_list(ctx->dom, &all);
    size_t i;
    json_t *it;
    json_array_foreach(all, i, it)
    {
        if (report_visible(u, it)) {
            char url[160];
            snprintf(url, sizeof url, "/api/v1/reports/%s",
                     json_string_value(json_object_get(it, "file")));
            json_object_set_new(it, "url", json_string(url));
            json_array_append(items, it);
        }
    }
    json_decref(all);
    http_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static void h_report_file(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    if (!u || !api_require_role(r, u, REPORT_ROLES))
        return;
    const char *file = http_param(r, "file");
    json_t *all = NULL;
    report_list(ctx->dom, &all);
    size_t i;
    json_t *it;
    int found = 0;
    json_array_foreach(all, i, it) /* only names the listing produced: no path can sneak in */
    {
        if (file && !strcmp(json_string_value(json_object_get(it, "file")), file) &&
            report_visible(u, it)) {
            found = 1;
            break;
        }
    }
    json_decref(all);
    if (!found) {
        http_reply_fail(r, 404, "not_found", "file", "报告不存在 (no such report)");
        return;
    }
    char path[1200];
    snprintf(path, sizeof path, "%s/reports/%s", ctx->dom->data_dir[0] ? ctx->dom->data_dir : ".",
             file);
    http_reply_file(r, 200, XLSX_TYPE, path, file);
}

void api_stats_routes(struct api_ctx *ctx)
{
    http_route(ctx->http, "GET", "/api/v1/stats", h_stats, ctx, 0);
    http_route(ctx->http, "GET", "/api/v1/stats/ranking", h_ranking, ctx, 0);
    http_route(ctx->http, "GET", "/api/v1/reports", h_reports, ctx, 0);
    http_route(ctx->http, "GET", "/api/v1/reports/monthly", h_report_monthly, ctx, 0);
    http_route(ctx->http, "GET", "/api/v1/reports/:file", h_report_file, ctx, 0);
}
