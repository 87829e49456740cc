/* Duplicates and repeat petitions of a case (core/dedup.h): GET …/duplicates lists what intake
 * found (the case it repeats, duplicate suggestions in both directions with their scores, and
 * the links already made); POST …/merge {into} merges this case into the primary one, keeping
 * both timelines. */
#include "api/intel.h"
#include "core/dedup.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void h_duplicates(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    struct fq_case c, o;
    json_t *cands = NULL, *links = NULL, *repeat = json_null();
    if (!u || api_intel_case(r, ctx, u, &c))
        return;
    struct store_rd *rd = store_rd(ctx->dom->store);
    if (dedup_case_duplicates(rd, c.id, &cands) || store_case_links(rd, c.id, &links)) {
        json_decref(cands);
        http_reply_fail(r, 503, "storage_error", "", "读取失败 (read failed)");
        fq_case_clear(&c);
        return;
    }
    if (c.repeat_of && store_case_get_id(rd, c.repeat_of, &o) == 0) {
        repeat = json_string(o.code);
        fq_case_clear(&o);
    }
    /* suggestions naming cases outside the caller's scope are not shown */
    json_t *visible = json_array(), *x;
    size_t i;
    json_array_foreach(cands, i, x)
    {
        if (api_intel_visible(ctx, u, json_string_value(json_object_get(x, "code")), &o)) {
            json_array_append(visible, x);
            fq_case_clear(&o);
        }
    }
    json_decref(cands);
    http_reply_json(r, 200,
                    json_pack("{s:s, s:o, s:b, s:o, s:o}", "code", c.code, "repeat_of", repeat,
                              "repeat_petition", c.repeat_of != 0, "candidates", visible, "links",
                              links));
    fq_case_clear(&c);
}

struct merge_job {
    struct http_req *r;
    struct api_ctx *ctx;
    struct dedup_merge m;
    struct fq_case dup, primary;
    struct fq_error e;
};

static int merge_tx(struct store_tx *tx, void *arg)
{
    struct merge_job *j = arg;
    return dedup_merge_tx(tx, &j->m, store_tx_now(tx), &j->dup, &j->primary, &j->e);
}

static void merge_done(void *arg, int rc)
{
    struct merge_job *j = arg;
    if (rc) {
        if (j->e.status != rc)
            fq_fail(&j->e, rc, NULL, "", "合并失败 (merge failed)");
        http_reply_error(j->r, &j->e);
    } else {
        int64_t now = fq_now_ms();
        http_reply_json(j->r, 200,
                        json_pack("{s:o, s:o}", "duplicate",
                                  case_to_json(j->ctx->dom, &j->dup, now), "primary",
                                  case_to_json(j->ctx->dom, &j->primary, now)));
        api_publish_case(j->ctx, &j->dup, NULL, 0, "archive");
        api_publish_case(j->ctx, &j->primary, NULL, 0, "note");
    }
    fq_case_clear(&j->dup);
    fq_case_clear(&j->primary);
    free(j);
}

static void h_merge(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    if (!u)
        return;
    json_t *body = http_body_json(r);
    if (!body)
        return;
    struct merge_job *j = calloc(1, sizeof *j);
    if (!j) {
        http_reply_fail(r, 503, "busy", "", "内存不足 (out of memory)");
        json_decref(body);
        return;
    }
    j->r = r;
    j->ctx = ctx;
    int rc = dedup_merge_prepare(&u->actor, http_param(r, "code"), body, &j->m, &j->e);
    json_decref(body);
    if (rc == 0 && store_submit(ctx->dom->store, merge_tx, merge_done, j) == 0)
        return;
    if (rc == 0)
        fq_fail(&j->e, FQ_EBUSY, "busy", "", "服务繁忙，请稍后重试 (write queue full)");
    http_reply_error(r, &j->e);
    free(j);
}

void api_duplicate_routes(struct api_ctx *ctx)
{
    http_route(ctx->http, "GET", "/api/v1/cases/:code/duplicates", h_duplicates, ctx, 0);
    http_route(ctx->http, "POST", "/api/v1/cases/:code/merge", h_merge, ctx, 8 * 1024);
}
