/* The mediation scenario library over HTTP (调解场景库): list and read for every signed-in user,
 * create and edit for admins; for a case, the recommended scenarios with reasons and the most
 * similar resolved cases with their methods and outcomes; recording that a recommendation was
 * applied (an event on the case's timeline and an application row); and each method's success
 * rate, from how the cases it was applied to ended. */
#include "api/intel.h"
#include "core/scenario.h"
#include "core/textsim.h"
#include "core/workflow.h"
#include "util/clock.h"
#include "util/jsonin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIMILAR_MAX 5
#define SIMILAR_SCAN 400 /* resolved cases of the category compared per request */

static int category_known(const char *code, void *arg)
{
    return store_category_exists(arg, code) == 1;
}

/* Every scenario in the API shape; NULL after replying 503. */
static json_t *all_scenarios(struct http_req *r, struct store_rd *rd)
{
    json_t *rows = NULL;
    if (!rd || store_scenarios(rd, &rows)) {
        http_reply_fail(r, 503, "storage_error", "", "读取失败 (read failed)");
        return NULL;
    }
    json_t *out = json_array(), *row;
    size_t i;
    json_array_foreach(rows, i, row) json_array_append_new(out, scenario_to_json(row));
    json_decref(rows);
    return out;
}

static int has_item(json_t *arr, const char *s, int prefix)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *x = json_string_value(v);
        if (prefix ? !strncmp(x, s, strlen(s)) || !strncmp(s, x, strlen(x)) : !strcmp(x, s))
            return 1;
    }
    return 0;
}

/* GET /api/v1/scenarios?category=&q= */
static void h_list(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    if (!u)
        return;
    const char *cat = http_query(r, "category"), *q = http_query(r, "q");
    if ((cat && (strlen(cat) < 2 || strlen(cat) > 15)) || (q && strlen(q) > 200)) {
        http_reply_fail(r, 400, "invalid_value",
                        cat && (strlen(cat) < 2 || strlen(cat) > 15) ? "category" : "q",
                        "查询参数无效 (invalid query)");
        return;
    }
    json_t *all = all_scenarios(r, store_rd(ctx->dom->store));
    if (!all)
        return;
    json_t *items = json_array(), *s;
    size_t i;
    json_array_foreach(all, i, s)
    {
        if (cat && *cat && !has_item(json_object_get(s, "categories"), cat, 1))
            continue;
        if (q && *q && !strstr(json_string_value(json_object_get(s, "name")), q) &&
            !has_item(json_object_get(s, "keywords"), q, 0))
            continue;
        json_array_append(items, s);
    }
    json_decref(all);
    http_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int id_param(struct http_req *r, int64_t *id)
{
    const char *s = http_param(r, "id");
    char *end;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || v <= 0) {
        http_reply_fail(r, 404, "not_found", "id", "场景不存在 (no such scenario)");
        return -1;
    }
    *id = v;
    return 0;
}

static void h_get(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    int64_t id;
    json_t *row;
    if (!u || id_param(r, &id))
        return;
    if (store_scenario_get(store_rd(ctx->dom->store), id, &row)) {
        http_reply_fail(r, 404, "not_found", "id", "场景不存在 (no such scenario)");
        return;
    }
    http_reply_json(r, 200, scenario_to_json(row));
    json_decref(row);
}

/* ---- admin edits ---- */

struct scenario_job {
    struct http_req *r;
    struct api_ctx *ctx;
    struct scenario_row row;
    int64_t id;
    int created;
    struct fq_error e;
};

static int scenario_tx(struct store_tx *tx, void *arg)
{
    struct scenario_job *j = arg;
    int rc = store_tx_scenario_put(tx, &j->id, j->row.code, j->row.name, j->row.categories,
                                   j->row.keywords, j->row.body);
    if (rc == FQ_ECONFLICT)
        fq_fail(&j->e, rc, "duplicate_code", "code", "场景编号已存在 (code taken)");
    else if (rc == FQ_ENOTFOUND)
        fq_fail(&j->e, rc, "not_found", "id", "场景不存在 (no such scenario)");
    return rc;
}

static void scenario_done(void *arg, int rc)
{
    struct scenario_job *j = arg;
    json_t *row;
    if (rc) {
        if (j->e.status != rc)
            fq_fail(&j->e, rc, NULL, "", "保存失败 (not saved)");
        http_reply_error(j->r, &j->e);
    } else if (store_scenario_get(store_rd(j->ctx->dom->store), j->id, &row) == 0) {
        http_reply_json(j->r, j->created ? 201 : 200, scenario_to_json(row));
        json_decref(row);
    } else {
        http_reply_json(j->r, j->created ? 201 : 200, json_pack("{s:I}", "id", (json_int_t)j->id));
    }
    scenario_row_clear(&j->row);
    free(j);
}

/* The next free code S<n> after the largest in use. */
static void next_code(json_t *all, char out[16])
{
    long max = 0;
    size_t i;
    json_t *s;
    json_array_foreach(all, i, s)
    {
        const char *c = json_string_value(json_object_get(s, "code"));
        long v = c && c[0] == 'S' ? strtol(c + 1, NULL, 10) : 0;
        if (v > max && v < 99999999)
            max = v;
    }
    snprintf(out, 16, "S%03d", (int)(max + 1) % 100000000);
}

static void put_scenario(struct http_req *r, struct api_ctx *ctx, int64_t id)
{
    struct api_user *u = api_auth(r, ctx);
    if (!u || !api_require_role(r, u, 1u << ROLE_ADMIN))
        return;
    json_t *body = http_body_json(r), *base = NULL, *row = NULL;
    if (!body)
        return;
    /* a client may send back what it read: the read-only fields are ignored */
    json_object_del(body, "id");
    json_object_del(body, "updated_at");
    struct store_rd *rd = store_rd(ctx->dom->store);
    struct scenario_job *j = calloc(1, sizeof *j);
    if (!j) {
        http_reply_fail(r, 503, "busy", "", "内存不足 (out of memory)");
        json_decref(body);
        return;
    }
    j->r = r;
    j->ctx = ctx;
    j->id = id;
    j->created = id == 0;
    if (id) {
        if (store_scenario_get(rd, id, &row)) {
            fq_fail(&j->e, FQ_ENOTFOUND, "not_found", "id", "场景不存在 (no such scenario)");
            goto fail;
        }
        base = scenario_to_json(row);
        json_object_del(base, "id");
        json_object_del(base, "updated_at");
    }
    if (scenario_validate(body, base, category_known, rd, &j->row, &j->e))
        goto fail;
    if (!j->row.code[0]) {
        json_t *all = all_scenarios(r, rd);
        if (!all) {
            scenario_row_clear(&j->row);
            free(j);
            goto out;
        }
        next_code(all, j->row.code);
        json_decref(all);
    }
    /* audit first: once submitted, j belongs to the writer thread (scenario_done frees it) */
    api_audit(ctx, u->u.id, id ? "scenario.update" : "scenario.create", j->row.code, j->row.name);
    if (store_submit(ctx->dom->store, scenario_tx, scenario_done, j)) {
        fq_fail(&j->e, FQ_EBUSY, "busy", "", "服务繁忙，请稍后重试 (write queue full)");
        goto fail;
    }
    goto out;
fail:
    http_reply_error(r, &j->e);
    scenario_row_clear(&j->row);
    free(j);
out:
    json_decref(row);
    json_decref(base);
    json_decref(body);
}

static void h_create(struct http_req *r, void *arg)
{
    put_scenario(r, arg, 0);
}

static void h_update(struct http_req *r, void *arg)
{
    int64_t id;
    if (id_param(r, &id) == 0)
        put_scenario(r, arg, id);
}

/* GET /api/v1/scenarios/stats */
static void h_stats(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    json_t *by_method = NULL, *by_resolution = NULL;
    if (!u)
        return;
    struct store_rd *rd = store_rd(ctx->dom->store);
    if (!rd || store_scenario_method_stats(rd, &by_method) ||
        store_resolution_method_stats(rd, &by_resolution)) {
        json_decref(by_method);
        http_reply_fail(r, 503, "storage_error", "", "读取失败 (read failed)");
        return;
    }
    http_reply_json(
        r, 200, json_pack("{s:o, s:o}", "methods", by_method, "resolution_methods", by_resolution));
}

/* ---- recommendations for a case ---- */

struct similar_scan {
    uint32_t *sh;
    int nsh;
    int64_t self;
    int n;
    struct {
        double sim;
        json_t *o;
    } best[SIMILAR_MAX];
};

static int similar_one(const struct store_case_text *t, void *arg)
{
    struct similar_scan *s = arg;
    enum { SH = 512 };
    uint32_t other[SH];
    if (t->id == s->self)
        return 0;
    size_t n = strlen(t->title) + strlen(t->description) + 2;
    char *text = malloc(n);
    if (!text)
        return FQ_ENOMEM;
    snprintf(text, n, "%s\n%s", t->title, t->description);
    int no = textsim_shingles(text, other, SH);
    free(text);
    double sim = textsim_jaccard(s->sh, s->nsh, other, no);
    if (sim < 0.05 || (s->n == SIMILAR_MAX && sim <= s->best[SIMILAR_MAX - 1].sim))
        return 0;
    int pos = s->n < SIMILAR_MAX ? s->n++ : SIMILAR_MAX - 1;
    if (pos == SIMILAR_MAX - 1 && s->best[pos].o)
        json_decref(s->best[pos].o);
    while (pos > 0 && s->best[pos - 1].sim < sim) {
        s->best[pos] = s->best[pos - 1];
        pos--;
    }
    s->best[pos].sim = sim;
    s->best[pos].o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:f}", "code", t->code, "title",
                               t->title, "category", t->category, "status", status_name(t->status),
                               "success", t->success < 0 ? json_null() : json_boolean(t->success),
                               "result", t->result, "similarity", sim);
    json_object_set_new(s->best[pos].o, "method",
                        t->method[0] ? json_string(t->method) : json_null());
    return 0;
}

static void h_recommendations(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    struct fq_case c;
    if (!u || api_intel_case(r, ctx, u, &c))
        return;
    struct store_rd *rd = store_rd(ctx->dom->store);
    size_t n = strlen(c.title ? c.title : "") + strlen(c.description ? c.description : "") + 2;
    char *text = malloc(n);
    json_t *all = NULL, *methods = NULL;
    struct similar_scan ss = {.self = c.id};
    if (!text || !(ss.sh = malloc(512 * sizeof *ss.sh))) {
        http_reply_fail(r, 503, "busy", "", "内存不足 (out of memory)");
        goto done;
    }
    snprintf(text, n, "%s\n%s", c.title ? c.title : "", c.description ? c.description : "");
    if (!(all = all_scenarios(r, rd)))
        goto done;
    /* the case's category, or before assessment the routing model's best guess */
    char category[16];
    const char *source = "case";
    snprintf(category, sizeof category, "%s", c.category);
    if (!category[0]) {
        struct router_suggestion s[1];
        int ns = 0;
        struct router *m = api_intel_router();
        source = "suggested";
        if (m && router_suggest(m, text, 1, s, &ns) == 0 && ns == 1)
            snprintf(category, sizeof category, "%s", s[0].category);
    }
    json_t *recs = scenario_rank(all, category, text, 3);
    /* the most similar resolved cases of the same level-1 category, within the caller's scope */
    char l1[4] = "";
    if (category[0])
        snprintf(l1, sizeof l1, "%.*s", category[0] == 'G' ? 3 : 2, category);
    ss.nsh = textsim_shingles(text, ss.sh, 512);
    store_cases_resolved(rd, l1, u->actor.division, u->actor.department_id, SIMILAR_SCAN,
                         similar_one, &ss);
    json_t *similar = json_array(), *names = json_object(), *applied = NULL, *m;
    size_t i;
    if (store_resolution_methods(rd, &methods) == 0)
        json_array_foreach(methods, i, m) json_object_set(
            names, json_string_value(json_object_get(m, "code")), json_object_get(m, "name"));
    for (int k = 0; k < ss.n; k++) {
        const char *mc = json_string_value(json_object_get(ss.best[k].o, "method"));
        json_object_set(ss.best[k].o, "method_name",
                        mc && json_object_get(names, mc) ? json_object_get(names, mc)
                                                         : json_null());
        json_array_append_new(similar, ss.best[k].o);
        ss.best[k].o = NULL;
    }
    json_decref(names);
    if (store_case_applications(rd, c.id, &applied))
        applied = json_array();
    http_reply_json(r, 200,
                    json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "code", c.code, "category",
                              category, "category_source", source, "scenarios", recs,
                              "similar_cases", similar, "applied", applied));
done:
    for (int k = 0; k < ss.n; k++)
        json_decref(ss.best[k].o);
    free(ss.sh);
    free(text);
    json_decref(all);
    json_decref(methods);
    fq_case_clear(&c);
}

/* POST /api/v1/cases/:code/recommendations/:id/apply {method?, note?} */
struct apply_job {
    struct http_req *r;
    struct api_ctx *ctx;
    struct case_action act;
    int64_t scenario_id, application_id;
    char scenario[208], method[64];
    struct fq_case out;
    struct fq_error e;
};

static int apply_tx(struct store_tx *tx, void *arg)
{
    struct apply_job *j = arg;
    int64_t now = store_tx_now(tx);
    int rc = case_action_tx(tx, j->ctx->dom, &j->act, now, &j->out, &j->e);
    if (rc == 0)
        rc = store_tx_scenario_apply(tx, j->out.id, j->scenario_id, j->method, j->act.actor.user_id,
                                     now, &j->application_id);
    return rc;
}

static void apply_done(void *arg, int rc)
{
    struct apply_job *j = arg;
    if (rc) {
        if (j->e.status != rc)
            fq_fail(&j->e, rc, NULL, "", "保存失败 (not saved)");
        http_reply_error(j->r, &j->e);
    } else {
        http_reply_json(j->r, 201,
                        json_pack("{s:I, s:I, s:s, s:s, s:o}", "id", (json_int_t)j->application_id,
                                  "scenario_id", (json_int_t)j->scenario_id, "scenario",
                                  j->scenario, "method", j->method, "case",
                                  case_to_json(j->ctx->dom, &j->out, fq_now_ms())));
        api_publish_case(j->ctx, &j->out, NULL, 0, "note");
    }
    case_action_clear(&j->act);
    fq_case_clear(&j->out);
    free(j);
}

static void h_apply(struct http_req *r, void *arg)
{
    static const char *const allowed[] = {"method", "note", NULL};
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    struct fq_case c;
    struct fq_error e = {0};
    int64_t id;
    json_t *body = NULL, *row = NULL, *sc = NULL, *params = NULL;
    const char *method, *note;
    size_t len;
    if (!u || api_intel_case(r, ctx, u, &c))
        return;
    if (id_param(r, &id))
        goto out;
    http_body(r, &len);
    if (len && !(body = http_body_json(r)))
        goto out;
    if (!body)
        body = json_object();
    if (jin_only(body, allowed, &e) || jin_str(body, "method", 0, 1, 60, &method, &e) ||
        jin_str(body, "note", 0, 1, 1000, &note, &e))
        goto fail;
    if (store_scenario_get(store_rd(ctx->dom->store), id, &row)) {
        fq_fail(&e, FQ_ENOTFOUND, "not_found", "id", "场景不存在 (no such scenario)");
        goto fail;
    }
    sc = scenario_to_json(row);
    json_t *methods = json_object_get(sc, "methods");
    if (method && !has_item(methods, method, 0)) {
        fq_fail(&e, FQ_EINVAL, "invalid_value", "method",
                "该场景没有此调解方法 (not a method of this scenario)");
        goto fail;
    }
    if (!method)
        method = json_string_value(json_array_get(methods, 0));
    struct apply_job *j = calloc(1, sizeof *j);
    if (!j) {
        fq_fail(&e, FQ_ENOMEM, "busy", "", "内存不足 (out of memory)");
        goto fail;
    }
    j->r = r;
    j->ctx = ctx;
    j->scenario_id = id;
    snprintf(j->scenario, sizeof j->scenario, "%s", json_string_value(json_object_get(sc, "name")));
    snprintf(j->method, sizeof j->method, "%s", method ? method : "");
    char text[1400];
    snprintf(text, sizeof text, "采用调解场景 %s《%s》，方法：%s%s%s",
             json_string_value(json_object_get(sc, "code")), j->scenario, j->method,
             note ? "。" : "", note ? note : "");
    params = json_pack("{s:s}", "text", text);
    if (case_action_prepare(ctx->dom, &u->actor, c.code, ACT_NOTE, params, &j->act, &e)) {
        free(j);
        goto fail;
    }
    /* the note event carries the scenario for the timeline */
    json_object_set_new(j->act.params, "scenario_id", json_integer(id));
    json_object_set_new(j->act.params, "method", json_string(j->method));
    if (store_submit(ctx->dom->store, apply_tx, apply_done, j)) {
        case_action_clear(&j->act);
        free(j);
        fq_fail(&e, FQ_EBUSY, "busy", "", "服务繁忙，请稍后重试 (write queue full)");
        goto fail;
    }
    goto out;
fail:
    http_reply_error(r, &e);
out:
    json_decref(params);
    json_decref(sc);
    json_decref(row);
    json_decref(body);
    fq_case_clear(&c);
}

void api_scenario_routes(struct api_ctx *ctx)
{
    struct http_server *s = ctx->http;
    http_route(s, "GET", "/api/v1/scenarios", h_list, ctx, 0);
    http_route(s, "GET", "/api/v1/scenarios/stats", h_stats, ctx, 0);
    http_route(s, "GET", "/api/v1/scenarios/:id", h_get, ctx, 0);
    http_route(s, "POST", "/api/v1/scenarios", h_create, ctx, 64 * 1024);
    http_route(s, "PUT", "/api/v1/scenarios/:id", h_update, ctx, 64 * 1024);
    http_route(s, "GET", "/api/v1/cases/:code/recommendations", h_recommendations, ctx, 0);
    http_route(s, "POST", "/api/v1/cases/:code/recommendations/:id/apply", h_apply, ctx, 8 * 1024);
}
