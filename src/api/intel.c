/* The intelligence layer's start-up and shared pieces: the routing model is built from the
 * store when the routes are registered (before the server listens) and installed for the
 * domain's learning hook; the scenario library is loaded from the data directory when the store
 * has none yet (new installations and databases made before the library existed). */
#include "api/intel.h"
#include "core/casecode.h"
#include "core/ident.h"
#include "core/scenario.h"
#include "util/clock.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FQ_REFDATA_DIR
#define FQ_REFDATA_DIR "data"
#endif

#define TRAIN_MAX 200000 /* most recent assessed cases learned at start (~1 s per 100 k) */

/* The model lives as long as the process: it stays installed (and reachable) until exit. */
static struct router *model;

struct router *api_intel_router(void)
{
    return model;
}

static void build_model(struct api_ctx *ctx)
{
    struct store_rd *rd = store_rd(ctx->dom->store);
    int64_t t0 = fq_now_ms();
    int learned = 0;
    model = router_new();
    if (!model) {
        log_error("routing: out of memory");
        return;
    }
    if (router_load_categories(model, rd) ||
        router_train_store(model, rd, TRAIN_MAX, NULL, NULL, &learned))
        log_error("routing: could not train from the store; keyword rules only");
    router_install(model);
    log_info("routing: model trained on %d assessed cases in %lld ms", learned,
             (long long)(fq_now_ms() - t0));
}

static int category_known(const char *code, void *arg)
{
    return store_category_exists(arg, code) == 1;
}

static int seed_tx(struct store_tx *tx, void *arg)
{
    return scenario_write_all(tx, arg);
}

static void seed_scenarios(struct api_ctx *ctx)
{
    struct store_rd *rd = store_rd(ctx->dom->store);
    json_t *have = NULL, *list = NULL;
    struct fq_error e = {0};
    if (!rd || store_scenarios(rd, &have))
        return;
    size_t n = json_array_size(have);
    json_decref(have);
    if (n)
        return;
    const char *dir = getenv("FQ_DATA_DIR");
    if (!dir || !*dir)
        dir = FQ_REFDATA_DIR;
    if (scenario_file_load(dir, category_known, rd, &list, &e)) {
        log_error("scenarios: %s", e.message);
        return;
    }
    int rc = store_write(ctx->dom->store, seed_tx, list);
    if (rc)
        log_error("scenarios: loading failed: %s", fq_strerror(rc));
    else
        log_info("scenarios: loaded %zu mediation scenarios from %s/%s", json_array_size(list), dir,
                 SCENARIO_FILE);
    json_decref(list);
}

int api_intel_case(struct http_req *r, struct api_ctx *ctx, const struct api_user *u,
                   struct fq_case *c)
{
    const char *code = http_param(r, "code");
    char norm[FQ_CODE_LEN + 1];
    memset(c, 0, sizeof *c);
    if (!code || casecode_check(code)) {
        http_reply_fail(r, 400, "invalid_code", "code", "案件编码校验失败 (invalid case code)");
        return -1;
    }
    snprintf(norm, sizeof norm, "%s", code);
    if (norm[20] == 'x')
        norm[20] = 'X';
    if (!api_intel_visible(ctx, u, norm, c)) {
        http_reply_fail(r, 404, "not_found", "code", "案件不存在 (no such case)");
        return -1;
    }
    return 0;
}

int api_intel_visible(struct api_ctx *ctx, const struct api_user *u, const char *code,
                      struct fq_case *c)
{
    struct store_rd *rd = store_rd(ctx->dom->store);
    struct fq_assignment *as = NULL;
    int nas = 0;
    memset(c, 0, sizeof *c);
    if (!rd || store_case_get(rd, code, c))
        return 0;
    store_case_assignments(rd, c->id, &as, &nas);
    int ok = case_in_scope(&u->actor, c, as, nas);
    free(as);
    if (!ok)
        fq_case_clear(c);
    return ok;
}

json_t *api_intel_department(struct store_rd *rd, const char *division, int level, const char *kind)
{
    struct fq_department d;
    char centre[FQ_DIVISION_LEN + 1];
    for (int l = level; l >= LEVEL_COUNTY; l--) {
        if (division_level(division) < l)
            continue;
        division_ancestor(division, l, centre);
        if (store_department_find(rd, centre, kind, &d) == 0)
            return json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)d.id, "kind", d.kind, "name",
                             d.name, "division", d.division);
    }
    return NULL;
}

void api_intel_routes(struct api_ctx *ctx)
{
    if (!model) {
        build_model(ctx);
        seed_scenarios(ctx);
    }
    api_suggest_routes(ctx);
    api_scenario_routes(ctx);
    api_duplicate_routes(ctx);
}
