/* POST /api/v1/suggest: routing suggestions for a text (and optionally where it happened and by
 * which channel) — category at level 1 and 2, grade, handling level, and the lead and assisting
 * departments from the responsibility list for that place, each with its confidence and reasons.
 * The intake form and the assess action call it; see docs/ROUTING.md. */
#include "api/intel.h"
#include "core/ident.h"
#include "util/jsonin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX 8000

static json_t *departments_json(struct store_rd *rd, const char *category, int level,
                                const char *division)
{
    char lead[24], assist[128], duty[256];
    if (store_resp_lookup(rd, category, level, lead, assist, duty))
        return json_null();
    json_t *o = json_pack("{s:s, s:s}", "lead_kind", lead, "duty", duty);
    json_t *kinds = json_array(), *deps = json_array();
    char buf[128], *save = NULL;
    snprintf(buf, sizeof buf, "%s", assist);
    for (char *k = strtok_r(buf, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
        json_array_append_new(kinds, json_string(k));
        json_t *d = division ? api_intel_department(rd, division, level, k) : NULL;
        if (d)
            json_array_append_new(deps, d);
    }
    json_t *ld = division ? api_intel_department(rd, division, level, lead) : NULL;
    json_object_set_new(o, "assist_kinds", kinds);
    json_object_set_new(o, "lead", ld ? ld : json_null());
    json_object_set_new(o, "assist", deps);
    return o;
}

static void h_suggest(struct http_req *r, void *arg)
{
    static const char *const allowed[] = {"text", "title",   "description", "division",
                                          "grid", "channel", "k",           NULL};
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    struct fq_error e = {0};
    const char *text, *title, *desc, *division, *grid, *channel;
    int64_t k = 3;
    int ch = -1, rc;
    char village[FQ_DIVISION_LEN + 1], *buf = NULL;
    json_t *body = NULL;
    if (!u || !api_require_role(r, u, ~0u))
        return;
    if (!(body = http_body_json(r)))
        return;
    if ((rc = jin_only(body, allowed, &e)) ||
        (rc = jin_str(body, "text", 0, 1, TEXT_MAX, &text, &e)) ||
        (rc = jin_str(body, "title", 0, 1, 400, &title, &e)) ||
        (rc = jin_str(body, "description", 0, 1, TEXT_MAX, &desc, &e)) ||
        (rc = jin_str(body, "division", 0, 12, 12, &division, &e)) ||
        (rc = jin_str(body, "grid", 0, 1, 23, &grid, &e)) ||
        (rc = jin_str(body, "channel", 0, 1, 32, &channel, &e)) ||
        (rc = jin_int(body, "k", 0, 1, 10, &k, &e)))
        goto fail;
    if (!text && !title && !desc) {
        rc = fq_fail(&e, FQ_EINVAL, "required", "text",
                     "请提供 text 或 title/description (text required)");
        goto fail;
    }
    if (channel && channel_parse(channel, &ch)) {
        rc = fq_fail(&e, FQ_EINVAL, "invalid_value", "channel",
                     "渠道须为 window/grid/hotline_12345/police_110/portal/letters_visits/api");
        goto fail;
    }
    struct store_rd *rd = store_rd(ctx->dom->store);
    if (!rd) {
        rc = fq_fail(&e, FQ_EIO, "storage_error", "", "读取失败 (read failed)");
        goto fail;
    }
    if (grid) {
        if (store_grid_get(rd, grid, village)) {
            rc = fq_fail(&e, FQ_EINVAL, "unknown_grid", "grid", "网格编码不存在 (unknown grid)");
            goto fail;
        }
        if (division && strcmp(division, village)) {
            rc = fq_fail(&e, FQ_EINVAL, "grid_mismatch", "grid",
                         "网格不属于该区划 (grid not in division)");
            goto fail;
        }
        division = village;
    }
    if (division) {
        char name[96], parent[FQ_DIVISION_LEN + 1];
        int lv;
        if (!division_code_valid(division) || store_division_get(rd, division, name, &lv, parent)) {
            rc = fq_fail(&e, FQ_EINVAL, "unknown_division", "division",
                         "区划代码不存在 (unknown division)");
            goto fail;
        }
    }
    size_t n =
        (text ? strlen(text) : 0) + (title ? strlen(title) : 0) + (desc ? strlen(desc) : 0) + 3;
    if (!(buf = malloc(n))) {
        rc = fq_fail(&e, FQ_ENOMEM, "busy", "", "内存不足 (out of memory)");
        goto fail;
    }
    snprintf(buf, n, "%s\n%s\n%s", title ? title : "", desc ? desc : "", text ? text : "");

    struct router *m = api_intel_router();
    struct router_suggestion s[10];
    int ns = 0;
    if (!m || router_suggest(m, buf, (int)k, s, &ns)) {
        rc = fq_fail(&e, FQ_EIO, "model_unavailable", "",
                     "分拨模型不可用 (routing model unavailable)");
        goto fail;
    }
    int div_level = division ? division_level(division) : 0;
    json_t *items = json_array(), *l1s = json_array();
    for (int i = 0; i < ns; i++) {
        int level = s[i].level;
        if (div_level && level > div_level) /* a township's matter cannot be handled by a village */
            level = div_level;
        json_t *kw = json_array(), *sim = json_array();
        for (int j = 0; j < s[i].nkeywords; j++)
            json_array_append_new(kw, json_string(s[i].keywords[j]));
        for (int j = 0; j < s[i].nsimilar; j++) {
            struct fq_case c;
            if (!api_intel_visible(ctx, u, s[i].similar[j].code, &c))
                continue;
            json_array_append_new(sim, json_pack("{s:s, s:s, s:f}", "code", c.code, "title",
                                                 c.title ? c.title : "", "similarity",
                                                 s[i].similar[j].similarity));
            fq_case_clear(&c);
        }
        json_t *o = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:f}, s:f, s:{s:s, s:f}, s:{s:s, s:f}}",
                              "category", s[i].category, "name", s[i].name, "kind",
                              s[i].category[0] == 'G' ? "grid_matter" : "dispute", "level1", "code",
                              s[i].level1, "name", s[i].level1_name, "confidence",
                              s[i].level1_confidence, "confidence", s[i].confidence, "grade",
                              "value", grade_name(s[i].grade), "confidence", s[i].grade_share,
                              "level", "value", level_name(level), "confidence", s[i].level_share);
        json_object_set_new(o, "departments", departments_json(rd, s[i].category, level, division));
        json_object_set_new(o, "reasons",
                            json_pack("{s:o, s:o, s:f, s:f}", "keywords", kw, "similar_cases", sim,
                                      "model_probability", s[i].model_probability,
                                      "keyword_probability", s[i].keyword_probability));
        json_array_append_new(items, o);
        /* level-1 ranking: each level-1 category once */
        size_t x;
        json_t *v;
        int seen = 0;
        json_array_foreach(l1s, x, v) seen |=
            !strcmp(json_string_value(json_object_get(v, "code")), s[i].level1);
        if (!seen)
            json_array_append_new(l1s, json_pack("{s:s, s:s, s:f}", "code", s[i].level1, "name",
                                                 s[i].level1_name, "confidence",
                                                 s[i].level1_confidence));
    }
    for (size_t a = 1; a < json_array_size(l1s);
         a++) /* a few items: insertion sort by confidence */
        for (size_t b = a; b > 0; b--) {
            json_t *x = json_array_get(l1s, b - 1), *y = json_array_get(l1s, b);
            if (json_real_value(json_object_get(x, "confidence")) >=
                json_real_value(json_object_get(y, "confidence")))
                break;
            json_incref(x);
            json_array_set(l1s, b - 1, y);
            json_array_set_new(l1s, b, x);
        }
    json_t *out = json_pack("{s:o, s:o, s:{s:I, s:s}}", "suggestions", items, "level1", l1s,
                            "model", "cases_learned", (json_int_t)router_cases(m), "method",
                            "keywords + naive Bayes (character bigrams)");
    if (division)
        json_object_set_new(out, "division", json_string(division));
    if (ch >= 0)
        json_object_set_new(out, "channel", json_string(channel_name(ch)));
    http_reply_json(r, 200, out);
    goto done;
fail:
    http_reply_error(r, &e);
done:
    free(buf);
    json_decref(body);
}

void api_suggest_routes(struct api_ctx *ctx)
{
    http_route(ctx->http, "POST", "/api/v1/suggest", h_suggest, ctx, 64 * 1024);
}
