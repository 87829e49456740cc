/* The HTTP face of the domain: one file per resource, all registered here. Handlers parse and
 * validate with core/, read through the store's per-thread connection, and hand writes to the
 * writer thread, answering only once they are durable. */
#ifndef FQ_API_API_H
#define FQ_API_API_H

#include <pthread.h>

#include "core/case.h"
#include "core/domain.h"
#include "http/http.h"

struct auth_worker;
struct case_cache;
struct session_cache;

struct api_ctx {
    struct fq_domain *dom;
    struct http_server *http;
    struct auth_worker *auth;     /* login hashing thread(s) */
    int64_t started_at;
    int secure_cookies;           /* add Secure to cookies (behind TLS) */
    int case_cache_mb;            /* size of the case response cache (0 = none) */
    struct case_cache *case_cache;   /* GET /api/v1/cases/:code (api/case_cache.h) */
    struct session_cache *sessions;  /* token hash → session and user (auth.c) */
};

/* The authenticated caller of a request. */
struct api_user {
    struct fq_user u;
    struct case_actor actor;
    int via_cookie;
    int kiosk;                    /* a read-only big-screen credential, not a person */
    unsigned char token_hash[32];
};

/* Registers every route. */
void api_register(struct api_ctx *ctx);
/* Starts / stops the background pieces the API needs (login workers, the caches and the store's
 * change hook that keeps them true). */
int api_start(struct api_ctx *ctx);
void api_stop(struct api_ctx *ctx);

/* The caller, or NULL after replying 401 (no or expired session) / 403 (CSRF header missing on
 * a cookie-authenticated write). */
struct api_user *api_auth(struct http_req *r, struct api_ctx *ctx);
/* The ?division= a caller asks for (statistics, warnings), default the caller's own scope, into
 * out (size bytes); replies 400 (invalid code) / 403 (outside the scope) and returns -1. */
int api_scope_division(struct http_req *r, const struct api_user *u, const char *v, char *out,
                       size_t size);
/* 1 when u holds one of the roles in mask (bits 1u << ROLE_*); else replies 403 and returns 0. */
int api_require_role(struct http_req *r, const struct api_user *u, unsigned mask);
/* Runs fn(arg) on a login worker thread (password hashing stays off the HTTP threads).
 * 0, or FQ_EBUSY when the queue is full (fn not called). */
int api_offload(struct api_ctx *ctx, void (*fn)(void *arg), void *arg);
/* Creates the case and session caches and hooks them to the store's change reports (0 or
 * FQ_ENOMEM) / unhooks and frees them (waits for a running write transaction). */
int api_caches_open(struct api_ctx *ctx);
void api_caches_close(struct api_ctx *ctx);
/* The session cache: new (NULL on out of memory) / free (NULL is a no-op); forget every cached
 * session (after a user or session change; safe from any thread); hits and misses so far. */
struct session_cache *api_sessions_new(void);
void api_sessions_free(struct session_cache *sc);
void api_sessions_changed(struct session_cache *sc);
void api_sessions_stats(struct session_cache *sc, uint64_t *hits, uint64_t *misses);
/* A user as JSON (no password hash). */
json_t *api_user_json(const struct fq_user *u);
/* Fills a case actor from a user. */
void api_actor_from_user(const struct fq_user *u, struct case_actor *a);
/* Appends an audit record (asynchronously; best effort). */
void api_audit(struct api_ctx *ctx, int64_t user_id, const char *action, const char *target,
               const char *detail);
/* Publishes a case change on the event bus, visible to the case's division subtree and to the
 * departments given (NULL: the lead department only). */
void api_publish_case(struct api_ctx *ctx, const struct fq_case *c, const int64_t *departments,
                      int ndepartments, const char *action);

/* Queues a case intake for actor (staff or public) and replies when it is durable. */
void api_case_intake(struct http_req *r, struct api_ctx *ctx, const struct case_actor *actor);
/* Queues an action on a case and replies when it is durable (body may be NULL). */
void api_case_action(struct http_req *r, struct api_ctx *ctx, const struct case_actor *actor,
                     const char *code, int action, json_t *body);
/* A timeline as JSON; the public view hides actors, payloads and hashes. */
json_t *api_events_json(const struct fq_event *ev, int n, int public_view);
/* The case list's filter and the caller's scope from the query string (GET /api/v1/cases,
 * search, export); replies 400 naming the field and returns -1 on a bad value. */
int api_case_filter_parse(struct http_req *r, struct api_ctx *ctx, const struct api_user *u,
                          struct store_case_filter *f);
/* For an export of a search (q present): validates q and before like GET /search, runs it and
 * sets *codes_json to the ranked hits' codes (a JSON array text, at most 2,000; the caller frees
 * it). Replies 400/503 and returns -1 on failure. */
int api_search_hits(struct http_req *r, struct api_ctx *ctx, struct api_user *u,
                    struct store_case_filter *f, char **codes_json);

/* Registration functions of each resource file. */
void api_auth_routes(struct api_ctx *ctx);
void api_case_routes(struct api_ctx *ctx);
void api_reference_routes(struct api_ctx *ctx);
void api_admin_routes(struct api_ctx *ctx);
void api_admin_ref_routes(struct api_ctx *ctx);
void api_public_routes(struct api_ctx *ctx);
void api_event_routes(struct api_ctx *ctx);
void api_health_routes(struct api_ctx *ctx);
void api_intel_routes(struct api_ctx *ctx);
void api_stats_routes(struct api_ctx *ctx);
void api_search_routes(struct api_ctx *ctx);
void api_export_routes(struct api_ctx *ctx);
void api_warning_routes(struct api_ctx *ctx);

#endif
