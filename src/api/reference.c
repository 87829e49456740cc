/* Reference data for every signed-in user: divisions, grids, departments, categories, resolution
 * methods, the responsibility list and its lookup (which department leads a matter here). */
#include "api/api.h"
#include "core/ident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reply_or_fail(struct http_req *r, int rc, json_t *v)
{
    if (rc) {
        http_reply_fail(r, 503, "storage_error", "", "读取失败 (read failed)");
        return;
    }
    http_reply_json(r, 200, json_pack("{s:o}", "items", v));
}

#define AUTHED(r, ctx, u)                                                                          \
    struct api_ctx *ctx = arg;                                                                     \
    struct api_user *u = api_auth(r, ctx);                                                         \
    if (!u)                                                                                        \
        return;                                                                                    \
    (void)u

static int division_arg(struct http_req *r, const char *name, const char **out)
{
    const char *v = http_query(r, name);
    *out = "";
    if (!v || !*v)
        return 0;
    if (!division_code_valid(v)) {
        http_reply_fail(r, 400, "invalid_value", name, "区划代码无效 (invalid division code)");
        return -1;
    }
    *out = v;
    return 0;
}

static void h_divisions(struct http_req *r, void *arg)
{
    AUTHED(r, ctx, u);
    const char *parent;
    json_t *v = NULL;
    if (division_arg(r, "parent", &parent))
        return;
    int rc = store_divisions(store_rd(ctx->dom->store), parent, &v);
    reply_or_fail(r, rc, v);
}

static void h_division(struct http_req *r, void *arg)
{
    AUTHED(r, ctx, u);
    const char *code = http_param(r, "code");
    char name[96], parent[FQ_DIVISION_LEN + 1];
    int level;
    if (!code || !division_code_valid(code)) {
        http_reply_fail(r, 400, "invalid_value", "code", "区划代码无效 (invalid division code)");
        return;
    }
    if (store_division_get(store_rd(ctx->dom->store), code, name, &level, parent)) {
        http_reply_fail(r, 404, "not_found", "code", "区划不存在 (no such division)");
        return;
    }
    http_reply_json(r, 200, json_pack("{s:s, s:s, s:s, s:o}", "code", code, "name", name, "level",
                                      level_name(level), "parent", parent[0] ? json_string(parent) : json_null()));
}

static void h_centres(struct http_req *r, void *arg)
{
    AUTHED(r, ctx, u);
    const char *division;
    json_t *v = NULL;
    if (division_arg(r, "division", &division))
        return;
    int rc = store_centres(store_rd(ctx->dom->store), division, &v);
    reply_or_fail(r, rc, v);
}

static void h_grids(struct http_req *r, void *arg)
{
    AUTHED(r, ctx, u);
    const char *division, *poly = http_query(r, "polygon");
    json_t *v = NULL;
    if (division_arg(r, "division", &division))
        return;
    if (!*division) {
        http_reply_fail(r, 400, "required", "division", "请指定区划 ?division= (division required)");
        return;
    }
    int rc = store_grids(store_rd(ctx->dom->store), division, poly && !strcmp(poly, "1"), &v);
    reply_or_fail(r, rc, v);
}

static void h_departments(struct http_req *r, void *arg)
{
    AUTHED(r, ctx, u);
    const char *division;
    json_t *v = NULL;
    if (division_arg(r, "division", &division))
        return;
    int rc = store_departments(store_rd(ctx->dom->store), division, &v);
    reply_or_fail(r, rc, v);
}

static void h_categories(struct http_req *r, void *arg)
{
    AUTHED(r, ctx, u);
    const char *kind = http_query(r, "kind");
    json_t *v = NULL;
    if (kind && strcmp(kind, "dispute") && strcmp(kind, "grid_matter")) {
        http_reply_fail(r, 400, "invalid_value", "kind", "kind 须为 dispute 或 grid_matter");
        return;
    }
    int rc = store_categories(store_rd(ctx->dom->store), kind, &v);
    reply_or_fail(r, rc, v);
}

static void h_methods(struct http_req *r, void *arg)
{
    AUTHED(r, ctx, u);
    json_t *v = NULL;
    int rc = store_resolution_methods(store_rd(ctx->dom->store), &v);
    reply_or_fail(r, rc, v);
}

static void h_resp_list(struct http_req *r, void *arg)
{
    AUTHED(r, ctx, u);
    json_t *v = NULL;
    int rc = store_resp_list(store_rd(ctx->dom->store), &v);
    reply_or_fail(r, rc, v);
}

/* GET /api/v1/places?q=&division=&limit= — location by address for the intake form: townships,
 * villages and grids whose names match what was typed ("光明社区3网格"), with a point to centre
 * the map on. Grids first when the text names a grid or a number, else divisions first. */
static void h_places(struct http_req *r, void *arg)
{
    AUTHED(r, ctx, u);
    const char *q = http_query(r, "q"), *lim = http_query(r, "limit"), *division;
    int limit = 10;
    if (division_arg(r, "division", &division))
        return;
    if (!q || !*q) {
        http_reply_fail(r, 400, "required", "q", "请输入地址或地名 (q required)");
        return;
    }
    if (strlen(q) > 64) {
        http_reply_fail(r, 400, "too_long", "q", "地址最多 64 字节 (at most 64 bytes)");
        return;
    }
    if (lim && *lim) {
        char *end;
        long v = strtol(lim, &end, 10);
        if (*end || v < 1 || v > 20) {
            http_reply_fail(r, 400, "out_of_range", "limit", "limit 须在 1..20 之间");
            return;
        }
        limit = (int)v;
    }
    json_t *divs, *grids;
    if (store_places(store_rd(ctx->dom->store), q, division, limit, &divs, &grids)) {
        http_reply_fail(r, 503, "storage_error", "", "读取失败 (read failed)");
        return;
    }
    int grid_first = strstr(q, "网格") || strpbrk(q, "0123456789");
    json_t *items = grid_first ? grids : divs;
    json_array_extend(items, grid_first ? divs : grids);
    json_decref(grid_first ? divs : grids);
    while (json_array_size(items) > (size_t)limit)
        json_array_remove(items, json_array_size(items) - 1);
    http_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* The department of `kind` serving `division` at `level`, falling back to the county centre. */
static json_t *find_department(struct store_rd *rd, const char *division, int level, const char *kind)
{
    struct fq_department d;
    char centre[FQ_DIVISION_LEN + 1];
    for (int l = level; l >= LEVEL_COUNTY; l--) {
        division_ancestor(division, l, centre);
        if (store_department_find(rd, centre, kind, &d) == 0)
            return json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)d.id, "kind", d.kind, "name", d.name,
                             "division", d.division);
    }
    return NULL;
}

/* GET /api/v1/responsibilities/lookup?category=&division=&level= */
static void h_resp_lookup(struct http_req *r, void *arg)
{
    AUTHED(r, ctx, u);
    const char *category = http_query(r, "category"), *division, *lv = http_query(r, "level");
    int level = LEVEL_TOWNSHIP;
    char lead[24], assist[128], duty[256];
    if (!category || !*category || strlen(category) > 15) {
        http_reply_fail(r, 400, "required", "category", "请指定事项类别 ?category=");
        return;
    }
    if (division_arg(r, "division", &division))
        return;
    if (!*division) {
        http_reply_fail(r, 400, "required", "division", "请指定区划 ?division=");
        return;
    }
    if (lv && level_parse(lv, &level)) {
        http_reply_fail(r, 400, "invalid_value", "level", "办理层级须为 city/county/township/village");
        return;
    }
    struct store_rd *rd = store_rd(ctx->dom->store);
    if (store_resp_lookup(rd, category, level, lead, assist, duty)) {
        http_reply_fail(r, 404, "not_found", "category", "权责清单中没有该类别 (no responsibility entry)");
        return;
    }
    json_t *o = json_pack("{s:s, s:s, s:s}", "category", category, "lead_kind", lead, "duty", duty);
    json_t *ld = find_department(rd, division, level, lead);
    json_object_set_new(o, "lead", ld ? ld : json_null());
    json_t *arr = json_array();
    char buf[128], *save = NULL;
    snprintf(buf, sizeof buf, "%s", assist);
    for (char *k = strtok_r(buf, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
        json_t *d = find_department(rd, division, level, k);
        if (d)
            json_array_append_new(arr, d);
    }
    json_object_set_new(o, "assist", arr);
    http_reply_json(r, 200, o);
}

void api_reference_routes(struct api_ctx *ctx)
{
    struct http_server *s = ctx->http;
    http_route(s, "GET", "/api/v1/divisions", h_divisions, ctx, 0);
    http_route(s, "GET", "/api/v1/divisions/:code", h_division, ctx, 0);
    http_route(s, "GET", "/api/v1/centres", h_centres, ctx, 0);
    http_route(s, "GET", "/api/v1/places", h_places, ctx, 0);
    http_route(s, "GET", "/api/v1/grids", h_grids, ctx, 0);
    http_route(s, "GET", "/api/v1/departments", h_departments, ctx, 0);
    http_route(s, "GET", "/api/v1/categories", h_categories, ctx, 0);
    http_route(s, "GET", "/api/v1/resolution-methods", h_methods, ctx, 0);
    http_route(s, "GET", "/api/v1/responsibilities", h_resp_list, ctx, 0);
    http_route(s, "GET", "/api/v1/responsibilities/lookup", h_resp_lookup, ctx, 0);
}
