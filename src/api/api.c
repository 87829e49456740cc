/* Route registration and what every resource shares: the caller's identity and scope, audit,
 * publication of case changes. */
#include "api/api.h"
#include "api/case_cache.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void api_register(struct api_ctx *ctx)
{
    api_health_routes(ctx);
    api_auth_routes(ctx);
    api_public_routes(ctx);
    api_export_routes(ctx); /* before the cases' /api/v1/cases/:code would take "export.csv" */
    api_search_routes(ctx);
    api_case_routes(ctx);
    api_reference_routes(ctx);
    api_admin_routes(ctx);
    api_admin_ref_routes(ctx);
    api_event_routes(ctx);
    api_intel_routes(ctx); /* routing suggestion, scenarios, duplicates; trains the model */
    api_stats_routes(ctx);
    api_warning_routes(ctx); /* early warning: scores, forecast, warning records */
}

/* The store's change report, after COMMIT and before the writer replies (store.h). */
static void on_store_change(void *arg, const int64_t *case_ids, int n, int auth)
{
    struct api_ctx *ctx = arg;
    if (n < 0)
        case_cache_clear(ctx->case_cache);
    else if (n > 0)
        case_cache_invalidate(ctx->case_cache, case_ids, n);
    if (auth)
        api_sessions_changed(ctx->sessions);
}

int api_caches_open(struct api_ctx *ctx)
{
    size_t mb = ctx->case_cache_mb > 0 ? (size_t)ctx->case_cache_mb : 0;
    ctx->case_cache = case_cache_new(mb << 20);
    ctx->sessions = api_sessions_new();
    if (!ctx->case_cache || !ctx->sessions) {
        api_caches_close(ctx);
        return FQ_ENOMEM;
    }
    store_set_change_hook(ctx->dom->store, on_store_change, ctx);
    return 0;
}

void api_caches_close(struct api_ctx *ctx)
{
    store_set_change_hook(ctx->dom->store, NULL, NULL);
    case_cache_free(ctx->case_cache);
    api_sessions_free(ctx->sessions);
    ctx->case_cache = NULL;
    ctx->sessions = NULL;
}

void api_actor_from_user(const struct fq_user *u, struct case_actor *a)
{
    memset(a, 0, sizeof *a);
    a->user_id = u->id;
    snprintf(a->name, sizeof a->name, "%s", u->display_name[0] ? u->display_name : u->username);
    a->roles = u->roles;
    snprintf(a->division, sizeof a->division, "%s", u->division);
    a->department_id = u->department_id;
}

int api_require_role(struct http_req *r, const struct api_user *u, unsigned mask)
{
    if (u->u.roles & mask)
        return 1;
    http_reply_fail(r, 403, "forbidden_role", "", "您的角色无权执行此操作 (your role may not do this)");
    return 0;
}

struct audit_job {
    int64_t user_id;
    char action[48];
    char target[64];
    char detail[256];
};

static int audit_tx(struct store_tx *tx, void *arg)
{
    struct audit_job *j = arg;
    return store_tx_audit(tx, j->user_id, j->action, j->target, j->detail);
}

static void audit_done(void *arg, int rc)
{
    (void)rc;
    free(arg);
}

void api_audit(struct api_ctx *ctx, int64_t user_id, const char *action, const char *target,
               const char *detail)
{
    struct audit_job *j = calloc(1, sizeof *j);
    if (!j)
        return;
    j->user_id = user_id;
    snprintf(j->action, sizeof j->action, "%s", action);
    snprintf(j->target, sizeof j->target, "%s", target ? target : "");
    snprintf(j->detail, sizeof j->detail, "%s", detail ? detail : "");
    if (store_submit_rerun(ctx->dom->store, audit_tx, audit_done, j)) /* one INSERT */
        free(j);
}

void api_publish_case(struct api_ctx *ctx, const struct fq_case *c, const int64_t *departments,
                      int ndepartments, const char *action)
{
    if (!ctx->dom->bus)
        return;
    if (!bus_has_subscribers(ctx->dom->bus)) { /* no dashboard listens: nothing to build */
        bus_publish(ctx->dom->bus, NULL, NULL, 0, NULL); /* the event ids still advance */
        return;
    }
    char at[26];
    ms_format(c->updated_at ? c->updated_at : fq_now_ms(), at);
    json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "case", "action", action,
                          "code", c->code, "title", c->title ? c->title : "", "status",
                          status_name(c->status), "channel", channel_name(c->channel), "division",
                          c->division, "at", at);
    if (c->has_location) {
        json_object_set_new(m, "lat", json_real(c->lat));
        json_object_set_new(m, "lon", json_real(c->lon));
    }
    char *s = json_dumps(m, JSON_COMPACT);
    int64_t lead[1] = {c->lead_department};
    if (!departments) { /* callers without the assignment list know the lead at least */
        departments = lead;
        ndepartments = c->lead_department ? 1 : 0;
    }
    bus_publish(ctx->dom->bus, c->division, departments, ndepartments, s);
    free(s);
    json_decref(m);
}
