/* The HTTP server: libmicrohttpd with a thread pool (one polling thread per core), a router of
 * method + path patterns, request bodies accumulated under a hard cap, JSON replies and errors,
 * cookies, static files, server-sent event streams, per-address rate limits.
 *
 * A handler may answer at once (http_reply_*) or later from another thread — typically the
 * store's completion thread once a write is durable, which rather hands the request back to its
 * own polling thread to build the reply there (http_resume_with). A request not answered when
 * its handler returns is suspended (MHD_suspend_connection) and resumed by the reply; replies are
 * always queued on a second or later call of the access handler (keep-alive stays on, see
 * STYLE.md). */
#ifndef FQ_HTTP_HTTP_H
#define FQ_HTTP_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct http_server;
struct http_req;

typedef void (*http_handler_fn)(struct http_req *req, void *ctx);

struct http_opts {
    const char *address;      /* "127.0.0.1" (default) or "0.0.0.0" */
    int port;                 /* 8080 */
    int threads;              /* polling threads; 0 = number of cores */
    int connection_limit;     /* total connections (default 1024) */
    int per_ip_limit;         /* connections per client address (default 256) */
    int timeout_s;            /* idle connection timeout (default 30) */
    size_t max_body;          /* default request body cap (default 1 MiB) */
    int trust_proxy;          /* 1: client address from X-Forwarded-For's last hop (behind nginx) */
};

/* Creates a server (not yet listening). NULL on out of memory. */
struct http_server *http_server_new(const struct http_opts *o);
/* Adds a route. Pattern segments starting with ':' capture ("/api/v1/cases/:code/actions/:act");
 * a final "*" matches the rest of the path. max_body 0 = the server default. Routes are tried in
 * the order added. */
void http_route(struct http_server *s, const char *method, const char *pattern, http_handler_fn fn,
                void *ctx, size_t max_body);
/* Serves files under dir for GET requests below url_prefix ("/", "/screen"); a path that names
 * no file falls back to dir/index.html (single-page apps). Content types by extension,
 * Cache-Control for hashed assets; no path may leave dir. */
void http_static(struct http_server *s, const char *url_prefix, const char *dir);
/* Starts listening and serving. 0, or FQ_EIO with e filled (e.g. port taken). */
int http_server_start(struct http_server *s, struct fq_error *e);
/* Port actually bound (useful with port 0). */
int http_server_port(struct http_server *s);
/* Stops accepting, finishes what is in flight, frees everything. NULL is a no-op. */
void http_server_free(struct http_server *s);

/* ---- the request ---- */
const char *http_method(struct http_req *r);
const char *http_path(struct http_req *r);
/* A captured path parameter by name (":code" → "code"); NULL if absent. URL-decoded. */
const char *http_param(struct http_req *r, const char *name);
/* A query-string argument, URL-decoded; NULL if absent. */
const char *http_query(struct http_req *r, const char *name);
/* A request header (case-insensitive name); NULL if absent. */
const char *http_header(struct http_req *r, const char *name);
/* A cookie value; NULL if absent. */
const char *http_cookie(struct http_req *r, const char *name);
/* The body (NUL-terminated) and its length; "" when there is none. */
const char *http_body(struct http_req *r, size_t *len);
/* Parses the body as a JSON object. On failure replies 400 (code "invalid_json") and returns
 * NULL — the handler must then just return. The caller json_decref()s the result. */
json_t *http_body_json(struct http_req *r);
/* Client address as text ("127.0.0.1"). */
const char *http_client_ip(struct http_req *r);
/* Per-request storage for the layer above (the authenticated user); freed with free_fn. */
void http_set_user(struct http_req *r, void *user, void (*free_fn)(void *));
void *http_user(struct http_req *r);

/* ---- replies: exactly one per request, from any thread ---- */
/* Adds a response header to the reply that follows (e.g. Set-Cookie). */
void http_add_header(struct http_req *r, const char *name, const char *value);
/* Hands a suspended request back to the HTTP thread that owns it: that thread runs fn(r, arg),
 * which must reply (and may take as long as building the reply takes — off the caller's thread).
 * For a thread that finished the request's work (the store's writer, once a write is durable)
 * and must not spend its own time on the reply. Safe from any thread, at most once per request
 * and instead of a reply; fn runs exactly once: on the calling thread at once if the request was
 * already answered (the shutdown's 503), otherwise after the handler has returned. */
void http_resume_with(struct http_req *r, http_handler_fn fn, void *arg);
/* Replies with JSON (steals the reference to body). */
void http_reply_json(struct http_req *r, int status, json_t *body);
/* Replies with JSON already serialised: takes text (malloc'ed, len bytes; freed by the server). */
void http_reply_json_text(struct http_req *r, int status, char *text, size_t len);
/* Replies {"error":{"code","message","field"}} with the HTTP status of e->status. */
void http_reply_error(struct http_req *r, const struct fq_error *e);
/* Shorthand: builds the error and replies. */
void http_reply_fail(struct http_req *r, int status, const char *code, const char *field,
                     const char *message);
/* Replies with bytes (copied) and a content type. */
void http_reply_bytes(struct http_req *r, int status, const char *content_type, const void *data,
                      size_t len);
/* Replies with a file from disk (opened by the server; 404 if it cannot be opened). */
void http_reply_file(struct http_req *r, int status, const char *content_type, const char *path,
                     const char *download_name);

/* A streaming body (server-sent events). read fills buf with up to max bytes and returns how
 * many, or -1 to end the stream. Returning 0 means "nothing now": the server must NOT busy-loop
 * or block a polling thread — it suspends the connection (MHD_suspend_connection) until
 * http_stream_wake() is called for this stream or 15 seconds pass, then calls read again (so the
 * reader can send a keep-alive comment). free_fn(arg) runs exactly once when the client goes away
 * or the stream ends. Returns a handle for http_stream_wake, valid until free_fn has returned
 * (the server destroys the handle only after free_fn returns). */
typedef long (*http_stream_fn)(void *arg, char *buf, size_t max);
struct http_stream;
struct http_stream *http_reply_stream(struct http_req *r, const char *content_type,
                                      http_stream_fn read, void *arg, void (*free_fn)(void *));
/* Resumes a suspended stream so that read is called again; safe from any thread, and safe to call
 * when the stream is not suspended (then it is a no-op or makes the next wait return at once).
 * Must not be called after free_fn has run — callers serialise with their own lock. */
void http_stream_wake(struct http_stream *st);

/* ---- rate limiting ---- */
/* Token bucket per (bucket, client address): `per_minute` tokens a minute, `burst` at most.
 * 1 when the request may go on; 0 when it must be refused (reply 429). */
int http_rate_allow(struct http_req *r, const char *bucket, int per_minute, int burst);

/* The token buckets behind http_rate_allow, usable for other keys (an account name, a phone
 * number). Keys longer than 95 bytes are truncated. When more than max_entries keys are live the
 * least recently used bucket is forgotten. Thread-safe. */
struct http_rate;
/* NULL on out of memory; max_entries 0 = 10,000. Free with http_rate_free (NULL is a no-op). */
struct http_rate *http_rate_new(size_t max_entries);
void http_rate_free(struct http_rate *rl);
/* Takes one token from key's bucket: 1 allowed, 0 refused (also refused on out of memory). */
int http_rate_take(struct http_rate *rl, const char *key, int per_minute, int burst);

/* Counters for /metrics. */
struct http_stats {
    uint64_t requests, responses_2xx, responses_4xx, responses_5xx, active_connections;
};
void http_server_stats(struct http_server *s, struct http_stats *out);

#endif
