/* Login, logout, the current user — and the session check every staff request goes through.
 *
 * Passwords are verified with argon2id on a login worker thread, never on an HTTP thread (one
 * hash costs tens of milliseconds and 64 MiB). Five failures lock the account for five minutes.
 * A session is a random 256-bit token stored as a keyed hash; it travels as an HttpOnly,
 * SameSite=Strict cookie (with a double-submit CSRF token for writes) or as a Bearer header.
 *
 * Sessions are cached (token hash → user, last_seen) so that a request does not query the
 * database twice just to know its caller. The store reports every change to users and every
 * deleted session after COMMIT and before the writer replies (store_set_change_hook →
 * api_sessions_changed), which forgets every cached session at once: logout, a disabled user, a
 * new password, roles or scope take effect on the very next request. Changes made by another
 * process (`fengqiao user` beside a running server) are not reported: a cached session is
 * re-read after SESSION_TTL_MS at the latest. */
#include "api/api.h"
#include "core/ident.h"
#include "core/password.h"
#include "util/clock.h"
#include "util/jsonin.h"
#include "util/log.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOCK_AFTER 5
#define LOCK_MS (5 * 60 * 1000)
#define TOUCH_EVERY_MS (60 * 1000)
#define SESSION_TTL_MS 3000
#define SESSION_SLOTS 4096 /* direct-mapped by the token hash (itself a keyed hash) */
#define SESSION_LOCKS 64

/* Work for the login threads: a login, or any other password hashing (user add, passwd). */
struct offload_job {
    struct offload_job *next;
    void (*fn)(void *arg);
    void *arg;
};

struct login_job {
    struct http_req *req;
    struct api_ctx *ctx;
    char username[64];
    char password[160];
    char ip[64];
};

struct auth_worker {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct offload_job *head, *tail;
    int queued, stop, nthreads;
    pthread_t threads[2];
};

/* ---- the session cache ---- */

struct session_slot {
    unsigned char hash[32];
    uint64_t epoch;               /* valid while it equals the cache's epoch */
    int64_t loaded_at, last_seen;
    struct fq_user u;
};

struct session_cache {
    _Atomic uint64_t epoch;       /* raised by every user or session change */
    _Atomic uint64_t hits, misses;
    pthread_mutex_t mu[SESSION_LOCKS];
    struct session_slot slots[SESSION_SLOTS];
};

struct session_cache *api_sessions_new(void)
{
    struct session_cache *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    atomic_init(&sc->epoch, 1); /* empty slots hold epoch 0 */
    for (int i = 0; i < SESSION_LOCKS; i++)
        pthread_mutex_init(&sc->mu[i], NULL);
    return sc;
}

void api_sessions_free(struct session_cache *sc)
{
    if (!sc)
        return;
    for (int i = 0; i < SESSION_LOCKS; i++)
        pthread_mutex_destroy(&sc->mu[i]);
    sodium_memzero(sc->slots, sizeof sc->slots);
    free(sc);
}

void api_sessions_changed(struct session_cache *sc)
{
    if (sc)
        atomic_fetch_add(&sc->epoch, 1);
}

void api_sessions_stats(struct session_cache *sc, uint64_t *hits, uint64_t *misses)
{
    *hits = sc ? atomic_load_explicit(&sc->hits, memory_order_relaxed) : 0;
    *misses = sc ? atomic_load_explicit(&sc->misses, memory_order_relaxed) : 0;
}

static unsigned slot_of(const unsigned char hash[32])
{
    return ((unsigned)hash[0] | (unsigned)hash[1] << 8) % SESSION_SLOTS;
}

/* The cached user and last_seen of a session; 0 on a miss. */
static int session_cached(struct session_cache *sc, const unsigned char hash[32], int64_t now,
                          struct fq_user *u, int64_t *last_seen)
{
    if (!sc)
        return 0;
    unsigned i = slot_of(hash);
    struct session_slot *s = &sc->slots[i];
    int hit = 0;
    pthread_mutex_lock(&sc->mu[i % SESSION_LOCKS]);
    if (s->epoch == atomic_load(&sc->epoch) && now - s->loaded_at < SESSION_TTL_MS &&
        !sodium_memcmp(s->hash, hash, 32)) {
        *u = s->u;
        *last_seen = s->last_seen;
        hit = 1;
    }
    pthread_mutex_unlock(&sc->mu[i % SESSION_LOCKS]);
    atomic_fetch_add_explicit(hit ? &sc->hits : &sc->misses, 1, memory_order_relaxed);
    return hit;
}

/* Caches a session read from the store after the epoch was `epoch`: if a change was reported
 * since, the entry is born stale and never served. */
static void session_put(struct session_cache *sc, const unsigned char hash[32], uint64_t epoch,
                        const struct fq_user *u, int64_t last_seen, int64_t now)
{
    if (!sc)
        return;
    unsigned i = slot_of(hash);
    struct session_slot *s = &sc->slots[i];
    pthread_mutex_lock(&sc->mu[i % SESSION_LOCKS]);
    memcpy(s->hash, hash, 32);
    s->epoch = epoch;
    s->loaded_at = now;
    s->last_seen = last_seen;
    s->u = *u;
    pthread_mutex_unlock(&sc->mu[i % SESSION_LOCKS]);
}

/* Records in the cache the last_seen just written (asynchronously) to the store. */
static void session_touched(struct session_cache *sc, const unsigned char hash[32], int64_t now)
{
    if (!sc)
        return;
    unsigned i = slot_of(hash);
    struct session_slot *s = &sc->slots[i];
    pthread_mutex_lock(&sc->mu[i % SESSION_LOCKS]);
    if (!sodium_memcmp(s->hash, hash, 32) && s->last_seen < now)
        s->last_seen = now;
    pthread_mutex_unlock(&sc->mu[i % SESSION_LOCKS]);
}

/* ---- the session check ---- */

static void free_user(void *p)
{
    free(p);
}

struct touch_job {
    unsigned char hash[32];
    int64_t now;
};

static int touch_tx(struct store_tx *tx, void *arg)
{
    struct touch_job *j = arg;
    return store_tx_session_touch(tx, j->hash, j->now);
}

static void touch_done(void *arg, int rc)
{
    (void)rc;
    free(arg);
}

/* A kiosk credential (big screen): read-only, leader's view of its division subtree. */
static struct api_user *kiosk_auth(struct http_req *r, struct api_ctx *ctx, const char *token)
{
    unsigned char hash[32];
    char name[64], division[FQ_DIVISION_LEN + 1];
    if (strcmp(http_method(r), "GET") && strcmp(http_method(r), "HEAD")) {
        http_reply_fail(r, 403, "read_only", "", "大屏令牌只读 (kiosk tokens are read-only)");
        return NULL;
    }
    token_hash(ctx->dom->key.tok, token, hash);
    struct store_rd *rd = store_rd(ctx->dom->store);
    struct api_user *u;
    if (strlen(token) != 43 || !rd || store_kiosk_get(rd, hash, name, division) || !(u = calloc(1, sizeof *u))) {
        http_reply_fail(r, 401, "unauthenticated", "", "大屏令牌无效或已吊销 (kiosk token invalid or revoked)");
        return NULL;
    }
    snprintf(u->u.username, sizeof u->u.username, "kiosk:%.50s", name);
    snprintf(u->u.display_name, sizeof u->u.display_name, "%s", name);
    u->u.roles = 1u << ROLE_LEADER;
    snprintf(u->u.division, sizeof u->u.division, "%s", division);
    u->kiosk = 1;
    api_actor_from_user(&u->u, &u->actor);
    http_set_user(r, u, free_user);
    return u;
}

struct api_user *api_auth(struct http_req *r, struct api_ctx *ctx)
{
    struct api_user *u = http_user(r);
    if (u)
        return u;
    const char *token = NULL, *h = http_header(r, "Authorization");
    int via_cookie = 0;
    /* kiosk tokens come as a header or, for EventSource which cannot set headers, ?kiosk= */
    if (h && !strncasecmp(h, "Kiosk ", 6))
        return kiosk_auth(r, ctx, h + 6);
    if (!h && http_query(r, "kiosk") && !http_cookie(r, "fq_session"))
        return kiosk_auth(r, ctx, http_query(r, "kiosk"));
    if (h && !strncasecmp(h, "Bearer ", 7))
        token = h + 7;
    else if ((token = http_cookie(r, "fq_session")))
        via_cookie = 1;
    if (!token || strlen(token) != 43) {
        http_reply_fail(r, 401, "unauthenticated", "", "请先登录 (login required)");
        return NULL;
    }
    unsigned char hash[32];
    token_hash(ctx->dom->key.tok, token, hash);
    int64_t user_id = 0, last_seen, now = fq_now_ms();
    if (!(u = calloc(1, sizeof *u))) {
        http_reply_fail(r, 503, "busy", "", "内存不足 (out of memory)");
        return NULL;
    }
    int cached = session_cached(ctx->sessions, hash, now, &u->u, &last_seen);
    /* the epoch before reading: a change reported after it makes what we read stale */
    uint64_t epoch = ctx->sessions ? atomic_load(&ctx->sessions->epoch) : 0;
    struct store_rd *rd = cached ? NULL : store_rd(ctx->dom->store);
    if (!cached && (!rd || store_session_get(rd, hash, &user_id, &last_seen))) {
        free(u);
        http_reply_fail(r, 401, "unauthenticated", "", "会话无效，请重新登录 (invalid session)");
        return NULL;
    }
    if (now - last_seen > ctx->dom->session_idle_ms) {
        free(u);
        http_reply_fail(r, 401, "session_expired", "", "会话已超时，请重新登录 (session timed out)");
        return NULL;
    }
    if (via_cookie && strcmp(http_method(r), "GET") && strcmp(http_method(r), "HEAD")) {
        const char *csrf = http_header(r, "X-CSRF-Token"), *cookie = http_cookie(r, "fq_csrf");
        if (!csrf || !cookie || strcmp(csrf, cookie)) {
            free(u);
            http_reply_fail(r, 403, "csrf", "X-CSRF-Token", "缺少或错误的 CSRF 令牌 (CSRF token missing)");
            return NULL;
        }
    }
    if (!cached && (store_user_get_id(rd, user_id, &u->u) || u->u.disabled)) {
        free(u);
        http_reply_fail(r, 401, "unauthenticated", "", "账号不可用 (account unavailable)");
        return NULL;
    }
    if (!cached)
        session_put(ctx->sessions, hash, epoch, &u->u, last_seen, now);
    u->via_cookie = via_cookie;
    memcpy(u->token_hash, hash, 32);
    api_actor_from_user(&u->u, &u->actor);
    http_set_user(r, u, free_user);
    if (now - last_seen > TOUCH_EVERY_MS) {
        struct touch_job *j = malloc(sizeof *j);
        if (j) {
            memcpy(j->hash, hash, 32);
            j->now = now;
            if (store_submit_rerun(ctx->dom->store, touch_tx, touch_done, j)) /* one UPDATE */
                free(j);
            else
                session_touched(ctx->sessions, hash, now);
        }
    }
    return u;
}

int api_scope_division(struct http_req *r, const struct api_user *u, const char *v, char *out,
                       size_t size)
{
    if (!v || !*v) {
        snprintf(out, size, "%s", u->u.division);
        return 0;
    }
    if (!division_code_valid(v)) {
        http_reply_fail(r, 400, "invalid_value", "division", "区划代码无效 (invalid division code)");
        return -1;
    }
    if (u->u.division[0] && !division_contains(u->u.division, v)) {
        http_reply_fail(r, 403, "out_of_scope", "division", "该区划不在您的管辖范围内 (outside your scope)");
        return -1;
    }
    snprintf(out, size, "%s", v);
    return 0;
}

json_t *api_user_json(const struct fq_user *u)
{
    json_t *roles = json_array();
    for (int i = 0; i < ROLE__COUNT; i++)
        if (u->roles & (1u << i))
            json_array_append_new(roles, json_string(role_name(i)));
    return json_pack("{s:I, s:s, s:s, s:o, s:o, s:o}", "id", (json_int_t)u->id, "username", u->username,
                     "display_name", u->display_name, "roles", roles, "division",
                     u->division[0] ? json_string(u->division) : json_null(), "department_id",
                     u->department_id ? json_integer(u->department_id) : json_null());
}

/* ---- login on the worker ---- */

struct login_tx {
    const char *username;
    int ok;                 /* password matched */
    int64_t now;
    unsigned char hash[32];
    struct fq_user user;    /* out */
    int locked;             /* out: account locked */
};

static int login_tx(struct store_tx *tx, void *arg)
{
    struct login_tx *l = arg;
    int rc = store_tx_user_get(tx, l->username, &l->user);
    if (rc)
        return rc;
    if (l->user.locked_until > l->now) {
        l->locked = 1;
        return 0;
    }
    if (!l->ok) {
        l->user.failed_logins++;
        if (l->user.failed_logins >= LOCK_AFTER) {
            l->user.locked_until = l->now + LOCK_MS;
            l->user.failed_logins = 0;
            l->locked = 1;
        }
        store_tx_audit(tx, l->user.id, "login_failed", l->user.username, l->locked ? "locked" : "");
        return store_tx_user_update(tx, &l->user);
    }
    l->user.failed_logins = 0;
    l->user.locked_until = 0;
    if ((rc = store_tx_user_update(tx, &l->user)) || (rc = store_tx_session_insert(tx, l->hash, l->user.id, l->now)))
        return rc;
    return store_tx_audit(tx, l->user.id, "login", l->user.username, "");
}

/* Unknown users cost a hash too, so timing does not reveal which accounts exist. */
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy[128];

static void make_dummy(void)
{
    char pw[44];
    token_new(pw);
    password_hash(pw, dummy);
}

static void do_login(struct login_job *j)
{
    struct api_ctx *ctx = j->ctx;
    struct http_req *r = j->req;
    struct fq_user u;
    struct store_rd *rd = store_rd(ctx->dom->store);
    int64_t now = fq_now_ms();

    pthread_once(&dummy_once, make_dummy);
    if (!rd || store_user_get(rd, j->username, &u) || u.disabled) {
        password_verify(dummy, j->password);
        http_reply_fail(r, 401, "bad_credentials", "password", "用户名或密码错误 (wrong username or password)");
        return;
    }
    if (u.locked_until > now) {
        http_reply_fail(r, 423, "locked", "username", "账号已锁定，请 5 分钟后再试 (account locked for 5 minutes)");
        return;
    }
    struct login_tx l;
    memset(&l, 0, sizeof l);
    l.username = j->username;
    l.ok = password_verify(u.pw_hash, j->password) == 0;
    l.now = now;
    char token[44];
    token_new(token);
    token_hash(ctx->dom->key.tok, token, l.hash);
    int rc = store_write(ctx->dom->store, login_tx, &l);
    if (rc) {
        struct fq_error e;
        fq_fail(&e, rc, NULL, "", "登录失败，请稍后再试 (login failed)");
        http_reply_error(r, &e);
        return;
    }
    if (l.locked) {
        http_reply_fail(r, 423, "locked", "username", "连续 5 次密码错误，账号锁定 5 分钟 (account locked for 5 minutes)");
        return;
    }
    if (!l.ok) {
        http_reply_fail(r, 401, "bad_credentials", "password", "用户名或密码错误 (wrong username or password)");
        return;
    }
    char csrf[44], cookie[200];
    token_new(csrf);
    snprintf(cookie, sizeof cookie, "fq_session=%s; Path=/; HttpOnly; SameSite=Strict%s", token,
             ctx->secure_cookies ? "; Secure" : "");
    http_add_header(r, "Set-Cookie", cookie);
    snprintf(cookie, sizeof cookie, "fq_csrf=%s; Path=/; SameSite=Strict%s", csrf,
             ctx->secure_cookies ? "; Secure" : "");
    http_add_header(r, "Set-Cookie", cookie);
    http_reply_json(r, 200, json_pack("{s:s, s:s, s:o, s:I}", "token", token, "csrf", csrf, "user",
                                      api_user_json(&l.user), "idle_timeout_s",
                                      (json_int_t)(ctx->dom->session_idle_ms / 1000)));
}

static void login_job_run(void *arg)
{
    struct login_job *j = arg;
    do_login(j);
    sodium_memzero(j->password, sizeof j->password);
    free(j);
}

static void *login_thread(void *arg)
{
    struct auth_worker *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        while (!w->head && !w->stop)
            pthread_cond_wait(&w->cv, &w->mu);
        struct offload_job *j = w->head;
        if (j) {
            w->head = j->next;
            if (!w->head)
                w->tail = NULL;
            w->queued--;
        }
        pthread_mutex_unlock(&w->mu);
        if (!j)
            return NULL; /* stopping and drained */
        j->fn(j->arg);
        free(j);
    }
}

int api_offload(struct api_ctx *ctx, void (*fn)(void *arg), void *arg)
{
    struct auth_worker *w = ctx->auth;
    struct offload_job *j = calloc(1, sizeof *j);
    if (!j)
        return FQ_ENOMEM;
    j->fn = fn;
    j->arg = arg;
    pthread_mutex_lock(&w->mu);
    if (w->queued >= 64 || w->stop) {
        pthread_mutex_unlock(&w->mu);
        free(j);
        return FQ_EBUSY;
    }
    if (w->tail)
        w->tail->next = j;
    else
        w->head = j;
    w->tail = j;
    w->queued++;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

static void h_login(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct fq_error e;
    const char *username, *password;
    static const char *const allowed[] = {"username", "password", NULL};
    if (!http_rate_allow(r, "login", 30, 10)) {
        http_reply_fail(r, 429, "rate_limited", "", "尝试过于频繁，请稍后再试 (too many attempts)");
        return;
    }
    json_t *b = http_body_json(r);
    if (!b)
        return;
    if (jin_only(b, allowed, &e) || jin_str(b, "username", 1, 1, 63, &username, &e) ||
        jin_str(b, "password", 1, 1, 128, &password, &e)) {
        http_reply_error(r, &e);
        json_decref(b);
        return;
    }
    struct login_job *j = calloc(1, sizeof *j);
    if (!j) {
        json_decref(b);
        http_reply_fail(r, 503, "busy", "", "服务繁忙 (busy)");
        return;
    }
    j->req = r;
    j->ctx = ctx;
    snprintf(j->username, sizeof j->username, "%s", username);
    snprintf(j->password, sizeof j->password, "%s", password);
    json_decref(b);
    if (api_offload(ctx, login_job_run, j)) {
        sodium_memzero(j->password, sizeof j->password);
        free(j);
        http_reply_fail(r, 503, "busy", "", "登录排队已满，请稍后再试 (login queue full)");
    }
    /* otherwise replied by the worker */
}

struct logout_job {
    unsigned char hash[32];
    int64_t user_id;
};

static int logout_tx(struct store_tx *tx, void *arg)
{
    struct logout_job *j = arg;
    int rc = store_tx_session_delete(tx, j->hash);
    if (rc == 0)
        rc = store_tx_audit(tx, j->user_id, "logout", "", "");
    return rc;
}

static void h_logout(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    if (!u)
        return;
    struct logout_job j;
    memcpy(j.hash, u->token_hash, 32);
    j.user_id = u->u.id;
    store_write(ctx->dom->store, logout_tx, &j);
    http_add_header(r, "Set-Cookie", "fq_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    http_add_header(r, "Set-Cookie", "fq_csrf=; Path=/; Max-Age=0; SameSite=Strict");
    http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static void h_me(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    if (!u)
        return;
    http_reply_json(r, 200, api_user_json(&u->u));
}

/* ---- kiosk tokens ---- */

struct kiosk_job {
    unsigned char hash[32];
    char name[64], division[FQ_DIVISION_LEN + 1];
    int64_t user_id, id;
    int revoke;
};

static int kiosk_tx(struct store_tx *tx, void *arg)
{
    struct kiosk_job *j = arg;
    char target[32];
    int rc = j->revoke ? store_tx_kiosk_revoke(tx, j->id)
                       : store_tx_kiosk_insert(tx, j->hash, j->name, j->division, j->user_id, &j->id);
    snprintf(target, sizeof target, "kiosk/%lld", (long long)j->id);
    return rc ? rc : store_tx_audit(tx, j->user_id, j->revoke ? "kiosk_revoke" : "kiosk_create", target, j->name);
}

#define KIOSK_ROLES (1u << ROLE_ADMIN | 1u << ROLE_LEADER)

/* POST /api/v1/kiosk-tokens {name, division?}: a token for a big screen within the caller's scope. */
static void h_kiosk_create(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    struct fq_error e;
    const char *name, *division;
    static const char *const allowed[] = {"name", "division", NULL};
    if (!u || !api_require_role(r, u, KIOSK_ROLES))
        return;
    json_t *b = http_body_json(r);
    if (!b)
        return;
    struct kiosk_job j;
    memset(&j, 0, sizeof j);
    if (jin_only(b, allowed, &e) || jin_str(b, "name", 1, 1, 63, &name, &e) ||
        jin_str(b, "division", 0, 12, 12, &division, &e)) {
        json_decref(b);
        http_reply_error(r, &e);
        return;
    }
    if (!division)
        division = u->u.division;
    if (*division && (!division_code_valid(division) || !division_contains(u->u.division, division))) {
        json_decref(b);
        http_reply_fail(r, 400, "out_of_scope", "division", "区划无效或不在您的范围内 (division outside your scope)");
        return;
    }
    char token[44];
    token_new(token);
    token_hash(ctx->dom->key.tok, token, j.hash);
    snprintf(j.name, sizeof j.name, "%s", name);
    snprintf(j.division, sizeof j.division, "%s", division);
    j.user_id = u->u.id;
    json_decref(b);
    if (store_write(ctx->dom->store, kiosk_tx, &j)) {
        http_reply_fail(r, 503, "storage_error", "", "保存失败 (not saved)");
        return;
    }
    char url[128];
    snprintf(url, sizeof url, "/screen/?kiosk=%s", token);
    http_reply_json(r, 201, json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)j.id, "name", j.name,
                                      "division", j.division, "token", token, "url", url));
}

static void h_kiosk_list(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    json_t *v;
    if (!u || !api_require_role(r, u, KIOSK_ROLES))
        return;
    if (store_kiosks(store_rd(ctx->dom->store), &v)) {
        http_reply_fail(r, 503, "storage_error", "", "读取失败 (read failed)");
        return;
    }
    http_reply_json(r, 200, json_pack("{s:o}", "items", v));
}

static void h_kiosk_revoke(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    if (!u || !api_require_role(r, u, KIOSK_ROLES))
        return;
    struct kiosk_job j;
    memset(&j, 0, sizeof j);
    char *end;
    const char *id = http_param(r, "id");
    j.id = strtoll(id, &end, 10);
    j.revoke = 1;
    j.user_id = u->u.id;
    int rc = id[0] >= '1' && id[0] <= '9' && !*end ? store_write(ctx->dom->store, kiosk_tx, &j) : FQ_ENOTFOUND;
    if (rc) {
        http_reply_fail(r, rc == FQ_ENOTFOUND ? 404 : 503, rc == FQ_ENOTFOUND ? "not_found" : "storage_error", "id",
                        rc == FQ_ENOTFOUND ? "令牌不存在或已吊销 (no such live token)" : "保存失败 (not saved)");
        return;
    }
    http_reply_json(r, 200, json_pack("{s:I, s:b}", "id", (json_int_t)j.id, "revoked", 1));
}

void api_auth_routes(struct api_ctx *ctx)
{
    http_route(ctx->http, "POST", "/api/v1/kiosk-tokens", h_kiosk_create, ctx, 4096);
    http_route(ctx->http, "GET", "/api/v1/kiosk-tokens", h_kiosk_list, ctx, 0);
    http_route(ctx->http, "DELETE", "/api/v1/kiosk-tokens/:id", h_kiosk_revoke, ctx, 0);
    http_route(ctx->http, "POST", "/api/v1/auth/login", h_login, ctx, 4096);
    http_route(ctx->http, "POST", "/api/v1/auth/logout", h_logout, ctx, 4096);
    http_route(ctx->http, "GET", "/api/v1/auth/me", h_me, ctx, 0);
}

int api_start(struct api_ctx *ctx)
{
    struct auth_worker *w = calloc(1, sizeof *w);
    if (!w)
        return FQ_ENOMEM;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->nthreads = 2;
    for (int i = 0; i < w->nthreads; i++)
        if (pthread_create(&w->threads[i], NULL, login_thread, w)) {
            w->nthreads = i;
            break;
        }
    ctx->auth = w;
    ctx->started_at = fq_now_ms();
    if (api_caches_open(ctx))
        return FQ_ENOMEM;
    return w->nthreads ? 0 : FQ_EIO;
}

void api_stop(struct api_ctx *ctx)
{
    struct auth_worker *w = ctx->auth;
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    for (int i = 0; i < w->nthreads; i++)
        pthread_join(w->threads[i], NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
    ctx->auth = NULL;
    api_caches_close(ctx);
}
