/* Citizens' endpoints, no account needed: submit a request (rate-limited, with an arithmetic
 * challenge), look a case up by code + last four digits of the contact phone, rate the result.
 * The public view names no staff and shows no other party's data. */
#include "api/api.h"
#include "core/casecode.h"
#include "core/ident.h"
#include "core/pii.h"
#include "util/clock.h"
#include "util/jsonin.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHALLENGE_TTL_MS (10 * 60 * 1000)

static void public_actor(struct case_actor *a)
{
    memset(a, 0, sizeof *a);
    a->is_public = 1;
    snprintf(a->name, sizeof a->name, "群众");
}

static void challenge_mac(struct api_ctx *ctx, long long expiry, const char *nonce, long answer,
                          char hex[33])
{
    unsigned char mac[16];
    char msg[128];
    snprintf(msg, sizeof msg, "challenge|%lld|%s|%ld", expiry, nonce, answer);
    crypto_generichash(mac, sizeof mac, (const unsigned char *)msg, strlen(msg), ctx->dom->key.tok, 32);
    sodium_bin2hex(hex, 33, mac, sizeof mac);
}

/* GET /api/v1/public/challenge → {id, question}: a sum to solve, signed, valid 10 minutes. */
static void h_challenge(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    if (!http_rate_allow(r, "challenge", 60, 20)) {
        http_reply_fail(r, 429, "rate_limited", "", "请求过于频繁 (too many requests)");
        return;
    }
    int a = (int)randombytes_uniform(20) + 1, b = (int)randombytes_uniform(20) + 1;
    unsigned char rnd[8];
    char nonce[17], mac[33], id[128], q[64];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(nonce, sizeof nonce, rnd, sizeof rnd);
    long long expiry = (long long)(fq_now_ms() + CHALLENGE_TTL_MS);
    challenge_mac(ctx, expiry, nonce, a + b, mac);
    snprintf(id, sizeof id, "%lld.%s.%s", expiry, nonce, mac);
    snprintf(q, sizeof q, "%d + %d = ?", a, b);
    http_reply_json(r, 200, json_pack("{s:s, s:s}", "id", id, "question", q));
}

/* Nonces of challenges already used (a challenge answers one submission): a small open-addressed
 * set whose entries expire with their challenge. */
#define USED_SLOTS 8192
static struct {
    char nonce[17];
    long long expiry;
} used[USED_SLOTS];
static pthread_mutex_t used_mu = PTHREAD_MUTEX_INITIALIZER;

/* 1 when the nonce was fresh (and is now marked used), 0 when seen before or the set is full. */
static int challenge_use(const char *nonce, long long expiry, long long now)
{
    unsigned h = 2166136261u;
    for (const char *p = nonce; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    int fresh = 0;
    pthread_mutex_lock(&used_mu);
    for (int i = 0; i < 64; i++) {
        int k = (int)((h + (unsigned)i) % USED_SLOTS);
        if (used[k].expiry > now && !strcmp(used[k].nonce, nonce))
            break; /* replayed */
        if (used[k].expiry <= now) {
            snprintf(used[k].nonce, sizeof used[k].nonce, "%s", nonce);
            used[k].expiry = expiry;
            fresh = 1;
            break;
        }
    }
    pthread_mutex_unlock(&used_mu);
    return fresh;
}

static int challenge_ok(struct api_ctx *ctx, const char *id, const char *answer)
{
    long long expiry;
    char nonce[17], mac[33], want[33];
    if (!id || !answer || strlen(id) > 100 || sscanf(id, "%lld.%16[0-9a-f].%32[0-9a-f]", &expiry, nonce, mac) != 3)
        return 0;
    char *end;
    long ans = strtol(answer, &end, 10);
    if (*end || expiry < fq_now_ms())
        return 0;
    challenge_mac(ctx, expiry, nonce, ans, want);
    return sodium_memcmp(want, mac, 32) == 0 && challenge_use(nonce, expiry, fq_now_ms());
}

static void h_submit(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct case_actor a;
    if (!http_rate_allow(r, "public_submit", 10, 5)) {
        http_reply_fail(r, 429, "rate_limited", "", "提交过于频繁，请稍后再试 (too many submissions)");
        return;
    }
    if (!challenge_ok(ctx, http_header(r, "X-Challenge-Id"), http_header(r, "X-Challenge-Answer"))) {
        http_reply_fail(r, 400, "challenge_failed", "X-Challenge-Answer",
                        "验证题答案错误或已过期，请重新获取 (challenge failed)");
        return;
    }
    public_actor(&a);
    api_case_intake(r, ctx, &a);
}

/* Loads a case when the code and the last 4 digits of its contact phone match; otherwise replies
 * 404 without saying which part was wrong. */
static int load_public(struct http_req *r, struct api_ctx *ctx, const char *phone4, struct fq_case *c)
{
    const char *code = http_param(r, "code");
    char phone[40];
    memset(c, 0, sizeof *c);
    if (!code || casecode_check(code)) {
        http_reply_fail(r, 400, "invalid_code", "code", "案件编码校验失败，请核对 (invalid case code)");
        return -1;
    }
    if (!phone4 || strlen(phone4) != 4 || strspn(phone4, "0123456789") != 4) {
        http_reply_fail(r, 400, "invalid_value", "phone4", "请输入联系电话后 4 位 (last 4 phone digits)");
        return -1;
    }
    char norm[FQ_CODE_LEN + 1];
    snprintf(norm, sizeof norm, "%s", code);
    if (norm[20] == 'x')
        norm[20] = 'X';
    struct store_rd *rd = store_rd(ctx->dom->store);
    if (!rd || store_case_get(rd, norm, c) || !c->contact_enc_len ||
        pii_decrypt(&ctx->dom->key, c->contact_enc, c->contact_enc_len, phone, sizeof phone) ||
        strlen(phone) < 4 || sodium_memcmp(phone + strlen(phone) - 4, phone4, 4)) {
        fq_case_clear(c);
        http_reply_fail(r, 404, "not_found", "code", "未找到该案件，请核对编码和电话后 4 位 (not found)");
        return -1;
    }
    return 0;
}

static void h_lookup(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct fq_case c;
    if (!http_rate_allow(r, "public_lookup", 30, 10)) {
        http_reply_fail(r, 429, "rate_limited", "", "查询过于频繁 (too many lookups)");
        return;
    }
    if (load_public(r, ctx, http_query(r, "phone4"), &c))
        return;
    char t[26];
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "code", c.code, "title", c.title, "status",
                          status_name(c.status), "status_label", status_label_zh(c.status));
    ms_format(c.created_at, t);
    json_object_set_new(o, "created_at", json_string(t));
    if (c.closed_at) {
        ms_format(c.closed_at, t);
        json_object_set_new(o, "closed_at", json_string(t));
        json_object_set_new(o, "result", c.result ? json_string(c.result) : json_null());
    }
    json_object_set_new(o, "satisfaction", c.satisfaction ? json_string(satisfaction_name(c.satisfaction)) : json_null());
    json_object_set_new(o, "can_rate", json_boolean(c.status == ST_CLOSED && c.satisfaction == SAT_NONE));
    struct fq_event *ev = NULL;
    int n = 0;
    if (store_case_events(store_rd(ctx->dom->store), c.id, &ev, &n) == 0) {
        json_object_set_new(o, "timeline", api_events_json(ev, n, 1));
        store_events_free(ev, n);
    }
    http_reply_json(r, 200, o);
    fq_case_clear(&c);
}

static void h_rate(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct fq_case c;
    const char *phone4;
    struct fq_error e;
    if (!http_rate_allow(r, "public_rate", 10, 5)) {
        http_reply_fail(r, 429, "rate_limited", "", "操作过于频繁 (too many requests)");
        return;
    }
    json_t *body = http_body_json(r);
    if (!body)
        return;
    if (jin_str(body, "phone4", 1, 4, 4, &phone4, &e)) {
        http_reply_error(r, &e);
        json_decref(body);
        return;
    }
    if (load_public(r, ctx, phone4, &c) == 0) {
        struct case_actor a;
        public_actor(&a);
        json_object_del(body, "phone4");
        api_case_action(r, ctx, &a, c.code, ACT_RATE, body);
        fq_case_clear(&c);
    }
    json_decref(body);
}

/* GET /api/v1/public/divisions?parent= : the place picker of the portal (names are public). */
static void h_divisions(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    const char *parent = http_query(r, "parent");
    json_t *v = NULL;
    if (!http_rate_allow(r, "public_divisions", 240, 60)) {
        http_reply_fail(r, 429, "rate_limited", "", "请求过于频繁 (too many requests)");
        return;
    }
    if (parent && *parent && !division_code_valid(parent)) {
        http_reply_fail(r, 400, "invalid_value", "parent", "区划代码无效 (invalid division code)");
        return;
    }
    int rc = store_divisions(store_rd(ctx->dom->store), parent ? parent : "", &v);
    if (rc) {
        http_reply_fail(r, 503, "storage_error", "", "读取失败 (read failed)");
        return;
    }
    http_reply_json(r, 200, json_pack("{s:o}", "items", v));
}

void api_public_routes(struct api_ctx *ctx)
{
    http_route(ctx->http, "GET", "/api/v1/public/divisions", h_divisions, ctx, 0);
    http_route(ctx->http, "GET", "/api/v1/public/challenge", h_challenge, ctx, 0);
    http_route(ctx->http, "POST", "/api/v1/public/cases", h_submit, ctx, 64 * 1024);
    http_route(ctx->http, "GET", "/api/v1/public/cases/:code", h_lookup, ctx, 0);
    http_route(ctx->http, "POST", "/api/v1/public/cases/:code/rate", h_rate, ctx, 8 * 1024);
}
