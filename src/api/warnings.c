/* Early warning over HTTP (core/warning.h): the warning records and their handling
 * (GET /api/v1/warnings, POST /api/v1/warnings/:id/seen|dismiss|to-case), the areas' scores with
 * their factors (GET /api/v1/warnings/areas), the heat map (GET /api/v1/warnings/geojson) and the
 * 48-hour forecast (GET /api/v1/warnings/forecast). Everything is limited to the caller's
 * division subtree; scores are computed on demand from one scan of the subtree's cases. */
#include "api/api.h"
#include "core/ident.h"
#include "core/warning.h"
#include "store/store_warning.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void h_list(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    char division[16];
    if (!u || api_scope_division(r, u, http_query(r, "division"), division, sizeof division))
        return;
    const char *status = http_query(r, "status");
    if (status && *status && strcmp(status, "raised") && strcmp(status, "seen") &&
        strcmp(status, "case") && strcmp(status, "dismissed")) {
        http_reply_fail(r, 400, "invalid_value", "status",
                        "status 须为 raised/seen/case/dismissed");
        return;
    }
    const char *lim = http_query(r, "limit");
    int limit = lim && *lim ? atoi(lim) : 100;
    if (limit < 1 || limit > 500) {
        http_reply_fail(r, 400, "invalid_value", "limit", "limit 须为 1..500");
        return;
    }
    json_t *items = NULL;
    if (store_warnings(store_rd(ctx->dom->store), division, status && *status ? status : NULL,
                       limit, &items)) {
        http_reply_fail(r, 503, "storage_error", "", "读取预警失败 (warnings read failed)");
        return;
    }
    http_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ---- handling a warning ---- */

enum { OP_SEEN, OP_DISMISS, OP_TO_CASE };

struct warn_op {
    struct api_ctx *ctx;
    int op;
    int64_t id;
    const struct api_user *u;
    const char *reason;
    json_t *case_body; /* to-case: the intake body built so far (owned by the caller) */
    struct case_intake in;
    struct fq_case out;
    struct fq_error e;
    int prepared;
};

static int op_tx(struct store_tx *tx, void *arg)
{
    struct warn_op *o = arg;
    char division[16], status[16], area[24], title[256];
    int64_t now = store_tx_now(tx);
    int rc = store_tx_warn_get(tx, o->id, division, status, area, title);
    if (rc)
        return fq_fail(&o->e, rc, rc == FQ_ENOTFOUND ? "not_found" : "storage_error", "id",
                       "预警不存在 (no such warning)");
    if (o->u->u.division[0] && !division_contains(o->u->u.division, division))
        return fq_fail(&o->e, FQ_ENOTFOUND, "not_found", "id", "预警不存在 (no such warning)");
    if (strcmp(status, "raised") && strcmp(status, "seen"))
        return fq_fail(&o->e, FQ_ECONFLICT, "already_handled", "status",
                       "预警已处置 (the warning was already handled: %s)", status);
    if (o->op == OP_SEEN)
        return strcmp(status, "raised")
                   ? 0
                   : store_tx_warn_set(tx, o->id, "seen", o->u->u.id, NULL, NULL, now);
    if (o->op == OP_DISMISS)
        return store_tx_warn_set(tx, o->id, "dismissed", o->u->u.id, o->reason, NULL, now);
    /* to-case: fill the defaults from the warning, then the ordinary intake */
    if (!json_object_get(o->case_body, "title"))
        json_object_set_new(o->case_body, "title", json_string(title));
    if (!json_object_get(o->case_body, "description"))
        json_object_set_new(o->case_body, "description",
                            json_sprintf("由风险预警 #%lld 转为案件: %s", (long long)o->id, title));
    if (!json_object_get(o->case_body, "division"))
        json_object_set_new(o->case_body, "division", json_string(division));
    if (!json_object_get(o->case_body, "grid") && strlen(area) == 15)
        json_object_set_new(o->case_body, "grid", json_string(area));
    if (!json_object_get(o->case_body, "channel"))
        json_object_set_new(o->case_body, "channel", json_string("api"));
    if (!json_object_get(o->case_body, "kind"))
        json_object_set_new(o->case_body, "kind", json_string("incident"));
    if ((rc = case_intake_prepare(o->ctx->dom, &o->u->actor, o->case_body, NULL, &o->in, &o->e)))
        return rc;
    o->prepared = 1;
    int replayed = 0;
    if ((rc = case_intake_tx(tx, o->ctx->dom, &o->in, now, &o->out, &replayed, &o->e)))
        return rc;
    return store_tx_warn_set(tx, o->id, "case", o->u->u.id, NULL, o->out.code, now);
}

static void h_op(struct http_req *r, struct api_ctx *ctx, int op)
{
    struct api_user *u = api_auth(r, ctx);
    if (!u)
        return;
    if (u->kiosk) {
        http_reply_fail(r, 403, "read_only", "", "大屏令牌只读 (kiosk tokens are read-only)");
        return;
    }
    char *end;
    long long id = strtoll(http_param(r, "id"), &end, 10);
    if (*end || id <= 0) {
        http_reply_fail(r, 400, "invalid_value", "id", "预警编号无效 (invalid warning id)");
        return;
    }
    struct warn_op o = {.ctx = ctx, .op = op, .id = id, .u = u};
    json_t *body = NULL;
    size_t len;
    http_body(r, &len);
    if (len && !(body = http_body_json(r)))
        return;
    if (op == OP_DISMISS) {
        json_t *reason = json_object_get(body, "reason");
        o.reason = json_string_value(reason);
        if (!o.reason || !*o.reason || strlen(o.reason) > 1000) {
            json_decref(body);
            http_reply_fail(r, 400, "missing_field", "reason",
                            "撤销预警须填写理由 (reason required)");
            return;
        }
    }
    if (op == OP_TO_CASE)
        o.case_body = body ? json_deep_copy(body) : json_object();
    int rc = store_write(ctx->dom->store, op_tx, &o);
    if (rc) {
        if (!o.e.status)
            fq_fail(&o.e, rc, "storage_error", "", "保存失败 (write failed)");
        http_reply_error(r, &o.e);
    } else {
        json_t *w = NULL;
        store_warning_get(store_rd(ctx->dom->store), id, &w);
        if (op == OP_TO_CASE && w) {
            json_object_set_new(w, "case", json_pack("{s:s}", "code", o.out.code));
            api_publish_case(ctx, &o.out, NULL, 0, "intake");
        }
        char target[32];
        snprintf(target, sizeof target, "warning:%lld", id);
        api_audit(ctx, u->u.id,
                  op == OP_SEEN      ? "warning.seen"
                  : op == OP_DISMISS ? "warning.dismiss"
                                     : "warning.to_case",
                  target, o.reason);
        http_reply_json(r, op == OP_TO_CASE ? 201 : 200, w ? w : json_object());
    }
    if (o.prepared)
        case_intake_clear(&o.in);
    if (op == OP_TO_CASE && !rc)
        fq_case_clear(&o.out);
    json_decref(o.case_body);
    json_decref(body);
}

static void h_seen(struct http_req *r, void *arg)
{
    h_op(r, arg, OP_SEEN);
}
static void h_dismiss(struct http_req *r, void *arg)
{
    h_op(r, arg, OP_DISMISS);
}
static void h_to_case(struct http_req *r, void *arg)
{
    h_op(r, arg, OP_TO_CASE);
}

/* ---- scores ---- */

/* Computes the scores of the caller's subtree; replies on failure and returns NULL. */
static struct warn_result *compute(struct http_req *r, struct api_ctx *ctx, const char *division,
                                   struct warn_config *c)
{
    struct store_rd *rd = store_rd(ctx->dom->store);
    struct warn_result *res = NULL;
    warn_config_load(rd, c);
    if (!rd || warn_compute(rd, c, division, fq_now_ms(), &res)) {
        http_reply_fail(r, 503, "storage_error", "", "计算预警失败 (warning computation failed)");
        return NULL;
    }
    return res;
}

static int by_score(const void *a, const void *b)
{
    double x = json_real_value(json_object_get(*(json_t *const *)a, "score"));
    double y = json_real_value(json_object_get(*(json_t *const *)b, "score"));
    return x < y ? 1 : x > y ? -1 : 0;
}

static void h_areas(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    char division[16];
    int kind = WA_GRID, want = -1;
    if (!u || api_scope_division(r, u, http_query(r, "division"), division, sizeof division))
        return;
    const char *v = http_query(r, "level");
    if (v && *v && warn_area_kind_parse(v, &kind)) {
        http_reply_fail(r, 400, "invalid_value", "level", "level 须为 grid/village/township");
        return;
    }
    if ((v = http_query(r, "risk")) && *v) {
        for (int l = 0; l < WL__COUNT; l++)
            if (!strcmp(v, warn_level_name(l)))
                want = l;
        if (want < 0) {
            http_reply_fail(r, 400, "invalid_value", "risk", "risk 须为 blue/yellow/orange/red");
            return;
        }
    }
    struct warn_config c;
    struct warn_result *res = compute(r, ctx, division, &c);
    if (!res)
        return;
    int n = 0;
    json_t **items = malloc(sizeof(json_t *) * (size_t)(res->n ? res->n : 1));
    for (int i = 0; items && i < res->n; i++)
        if (res->areas[i].kind == kind && (want < 0 || res->scores[i].level >= want))
            items[n++] = warn_area_json(&res->areas[i], &res->scores[i], &c);
    if (items)
        qsort(items, (size_t)n, sizeof *items, by_score);
    json_t *a = json_array();
    for (int i = 0; items && i < n; i++)
        json_array_append_new(a, items[i]);
    free(items);
    char at[26];
    ms_format(res->now, at);
    warn_result_free(res);
    http_reply_json(r, 200,
                    json_pack("{s:s, s:s, s:o, s:o}", "computed_at", at, "level",
                              warn_area_kind_name(kind), "division",
                              division[0] ? json_string(division) : json_null(), "items", a));
}

static void h_forecast(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    char division[16];
    int kind = WA_VILLAGE;
    if (!u || api_scope_division(r, u, http_query(r, "division"), division, sizeof division))
        return;
    const char *v = http_query(r, "level");
    if (v && *v && warn_area_kind_parse(v, &kind)) {
        http_reply_fail(r, 400, "invalid_value", "level", "level 须为 grid/village/township");
        return;
    }
    struct warn_config c;
    struct warn_result *res = compute(r, ctx, division, &c);
    if (!res)
        return;
    json_t *a = json_array();
    double total24 = 0, total48 = 0;
    for (int i = 0; i < res->n; i++) {
        const struct warn_area *ar = &res->areas[i];
        const struct warn_forecast *f = &res->scores[i].fc;
        if (ar->kind != kind)
            continue;
        total24 += f->next24;
        total48 += f->next48;
        if (ar->day[0] + ar->day[1] + f->next48 < 0.05 && !f->surge)
            continue; /* quiet areas are left out; the totals include them */
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:f, s:f, s:f, s:i, s:i, s:f, s:f, s:b, s:b}", "area",
                         ar->code, "division", ar->parent, "baseline_24h", f->baseline, "next_24h",
                         f->next24, "next_48h", f->next48, "observed_24h", f->obs24,
                         "observed_48h", f->obs48, "p_24h", f->p24, "p_48h", f->p48, "surge",
                         f->surge, "escalation", ar->esc.fired));
    }
    char at[26];
    ms_format(res->now, at);
    warn_result_free(res);
    http_reply_json(
        r, 200,
        json_pack("{s:s, s:s, s:o, s:s, s:f, s:f, s:o}", "computed_at", at, "level",
                  warn_area_kind_name(kind), "division",
                  division[0] ? json_string(division) : json_null(), "method",
                  "day-of-week Poisson baseline + exponential smoothing (docs/WARNING.md)",
                  "total_next_24h", total24, "total_next_48h", total48, "items", a));
}

static void h_geojson(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    char division[16];
    if (!u || api_scope_division(r, u, http_query(r, "division"), division, sizeof division))
        return;
    struct store_rd *rd = store_rd(ctx->dom->store);
    json_t *grids = NULL;
    if (!rd || store_grids(rd, division, 1, &grids)) {
        http_reply_fail(r, 503, "storage_error", "", "读取网格失败 (grids read failed)");
        return;
    }
    struct warn_config c;
    struct warn_result *res = compute(r, ctx, division, &c);
    if (!res) {
        json_decref(grids);
        return;
    }
    json_t *features = json_array(), *g;
    size_t i;
    json_array_foreach(grids, i, g)
    {
        const char *code = json_string_value(json_object_get(g, "code"));
        const struct warn_area *ar = NULL;
        const struct warn_score *sc = NULL;
        for (int k = 0; code && k < res->n; k++) /* linear: a few ms for 3,000 grids */
            if (res->areas[k].kind == WA_GRID && !strcmp(res->areas[k].code, code)) {
                ar = &res->areas[k];
                sc = &res->scores[k];
                break;
            }
        json_t *props =
            json_pack("{s:O, s:O, s:O}", "code", json_object_get(g, "code"), "name",
                      json_object_get(g, "name"), "village", json_object_get(g, "village"));
        if (ar) {
            json_object_set_new(props, "score", json_real(sc->score));
            json_object_set_new(props, "level", json_string(warn_level_name(sc->level)));
            json_object_set_new(props, "cases_7d", json_integer(ar->count[WF_CASES][0]));
            json_object_set_new(props, "cases_30d", json_integer(ar->count[WF_CASES][1]));
            json_object_set_new(props, "cases_90d", json_integer(ar->count[WF_CASES][2]));
            json_object_set_new(props, "overdue", json_integer(ar->count[WF_OVERDUE][0]));
            json_object_set_new(props, "surge", json_boolean(sc->fc.surge));
            json_object_set_new(props, "escalation", json_boolean(ar->esc.fired));
            json_object_set_new(props, "next_48h", json_real(sc->fc.next48));
            int top = -1;
            for (int f = 0; f < WF__COUNT; f++)
                if (sc->contribution[f] > 0 &&
                    (top < 0 || sc->contribution[f] > sc->contribution[top]))
                    top = f;
            json_object_set_new(props, "top_factor",
                                top >= 0 ? json_string(warn_factor_name(top)) : json_null());
        }
        json_t *poly = json_object_get(g, "polygon");
        json_array_append_new(features, json_pack("{s:s, s:O, s:o}", "type", "Feature", "geometry",
                                                  poly ? poly : json_null(), "properties", props));
    }
    warn_result_free(res);
    json_decref(grids);
    http_reply_json(r, 200,
                    json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", features));
}

/* Recomputes the whole city now and raises what is due (admin only); the server also does it
 * every 10 minutes. */
static void h_recompute(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    if (!u || !api_require_role(r, u, 1u << ROLE_ADMIN))
        return;
    if (u->kiosk) {
        http_reply_fail(r, 403, "read_only", "", "大屏令牌只读 (kiosk tokens are read-only)");
        return;
    }
    int raised = 0;
    int64_t t0 = fq_now_ms();
    if (warn_recompute(ctx->dom, t0, &raised)) {
        http_reply_fail(r, 503, "storage_error", "", "计算预警失败 (warning computation failed)");
        return;
    }
    http_reply_json(
        r, 200, json_pack("{s:i, s:I}", "raised", raised, "ms", (json_int_t)(fq_now_ms() - t0)));
}

void api_warning_routes(struct api_ctx *ctx)
{
    http_route(ctx->http, "POST", "/api/v1/warnings/recompute", h_recompute, ctx, 0);
    http_route(ctx->http, "GET", "/api/v1/warnings", h_list, ctx, 0);
    http_route(ctx->http, "GET", "/api/v1/warnings/areas", h_areas, ctx, 0);
    http_route(ctx->http, "GET", "/api/v1/warnings/geojson", h_geojson, ctx, 0);
    http_route(ctx->http, "GET", "/api/v1/warnings/forecast", h_forecast, ctx, 0);
    http_route(ctx->http, "POST", "/api/v1/warnings/:id/seen", h_seen, ctx, 0);
    http_route(ctx->http, "POST", "/api/v1/warnings/:id/dismiss", h_dismiss, ctx, 0);
    http_route(ctx->http, "POST", "/api/v1/warnings/:id/to-case", h_to_case, ctx, 0);
}
