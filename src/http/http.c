/* The HTTP server: libmicrohttpd (MHD) with a pool of polling threads, a router, request bodies
 * under a cap, JSON replies, static files and streams.
 *
 * A request's life, in MHD's terms. The URI log callback creates our request object (so we see
 * the raw path before MHD decodes it and "/a%2Fb" can stay one segment). The first call of the
 * access handler matches the route and picks the body cap; it never queues a reply, because MHD
 * would then send "Connection: close" (STYLE.md). Calls with upload data fill the body. The call
 * after the body is complete runs the handler. If the handler replied, the reply is queued at once;
 * otherwise the connection is suspended and whichever thread replies later stores the response
 * under the request's mutex and resumes it, and the next call queues it. Suspending happens under
 * that same mutex, so a reply that arrives before the suspend is seen and queued directly.
 *
 * Streams (server-sent events) must not block a polling thread, which serves many connections:
 * when read has nothing it returns 0 and the connection is suspended until http_stream_wake()
 * (a publish) or the ticker thread, once the stream has been idle 15 s, resumes it. An idle
 * client costs a socket and a few bytes, no thread.
 *
 * MHD must not be stopped with suspended connections (it aborts), so shutdown stops taking new
 * work, ends streams, waits for replies in flight and, past a deadline, answers what is left with
 * 503 and leaks those requests on purpose (a late reply may still arrive and touch them). */
#include "http/http.h"
#include "util/buf.h"
#include "util/jsonin.h"
#include "util/log.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_SEGS 32
#define MAX_PARAMS 8
#define REQ_MEM 2048 /* per-request arena kept inside the request object */
/* Bytes past the cap drained (not stored) so that the client reads our 413: replying while it
 * still sends makes MHD close with unread data, the kernel then resets the connection and the
 * client usually loses the reply. Past this much we reply anyway and let it be reset. */
#define DRAIN_SLACK (64u << 20)
#define STOP_WAIT_MS 10000   /* how long shutdown waits for replies in flight */
#define STREAM_BLOCK 4096    /* MHD block size for streams */
#define STREAM_IDLE_MS 15000 /* a suspended stream is read again after this long */

enum seg_kind { SEG_LIT, SEG_PARAM, SEG_REST };

struct seg {
    enum seg_kind kind;
    const char *text; /* the literal, or the parameter name without ':' */
};

struct route {
    char *method;
    char *pattern; /* owned copy, cut in place into the segments */
    struct seg *segs;
    int nsegs;
    http_handler_fn fn;
    void *ctx;
    size_t max_body;
};

struct mount {
    char *dir;
    char *prefix; /* owned copy, cut in place into segs */
    char **segs;
    int nsegs;
};

struct http_stream;

struct http_server {
    struct http_opts o;
    char *address;
    struct route *routes;
    int nroutes, aroutes;
    struct mount *mounts;
    int nmounts, amounts;
    struct MHD_Daemon *d;
    struct http_rate *rate;

    pthread_mutex_t mu;          /* guards pending, streams, ticker_stop, in_pending, orphan */
    pthread_cond_t cv;           /* wakes the ticker */
    struct http_req *pending;    /* suspended requests awaiting their reply */
    struct http_stream *streams; /* live streams */
    pthread_t ticker;
    int ticker_stop, ticker_on;

    atomic_int serving;    /* MHD_start_daemon returned */
    atomic_int stopping;   /* shutdown begun: no new work */
    atomic_int force_stop; /* deadline passed: answer instead of suspending */
    atomic_long inflight;  /* dispatched and not yet queued */
    atomic_uint_fast64_t requests, r2xx, r4xx, r5xx;
    atomic_long active;
};

struct hdr {
    struct hdr *next;
    const char *name, *value;
};

struct arena_blk {
    struct arena_blk *next;
    size_t used, cap;
    max_align_t data[];
};

struct http_req {
    struct http_server *s;
    struct MHD_Connection *conn;
    pthread_mutex_t mu; /* guards replied, suspended, resp, status, cont */

    /* owned by the MHD thread */
    char started, dispatched, queued, counted, too_big, body_err, dir;
    const char *method;
    const char *raw_path;
    const char *path;
    const char *segs[MAX_SEGS];
    int nsegs;
    struct {
        const char *name, *value;
    } params[MAX_PARAMS];
    int nparams;
    int rest_from; /* first segment caught by a final "*", -1 if none */
    const struct route *route;
    const struct mount *mount;
    int early_status; /* 400/404/405 decided on the first call, replied on a later one */
    const char *early_code, *early_msg, *allow;
    const char *early_field;      /* NULL: "path" for a 400 */
    struct buf body;
    size_t drained;

    /* under mu */
    char replied, suspended;
    int status;
    struct MHD_Response *resp;
    http_handler_fn cont; /* http_resume_with's continuation, run by the MHD thread */
    void *cont_arg;

    /* under the server's mu */
    char in_pending, orphan;
    struct http_req *pnext, *pprev;

    /* the handler's (one thread at a time) */
    struct hdr *hdrs;
    void *user;
    void (*user_free)(void *);
    void (*stream_free)(void *); /* a refused stream's free_fn, run when the request ends */
    void *stream_arg;
    char ip[INET6_ADDRSTRLEN];
    size_t mem_used;
    struct arena_blk *blks;
    _Alignas(max_align_t) char mem[REQ_MEM];
};

struct http_stream {
    pthread_mutex_t mu; /* guards suspended, woken, closed, suspended_at */
    struct http_server *s;
    struct MHD_Connection *conn;
    http_stream_fn read;
    void *arg;
    void (*free_fn)(void *);
    char suspended; /* read returned 0; the connection waits for a wake or the ticker */
    char woken;     /* a wake came while read was running */
    char closed;    /* MHD released the response */
    int64_t suspended_at;
    struct http_stream *next, *prev; /* the server's list, for the ticker and shutdown */
};

static const char nosniff[] = "nosniff";

/* Each connection's memory pool (request line and headers, read buffer, reply headers). MHD
 * zeroes the whole pool after every request: at its default of 32 KiB that memset was 7 % of a
 * cached GET (docs/PERFORMANCE.md). 16 KiB still takes 12 KiB of headers; bodies are copied out
 * chunk by chunk (req_take_body), so their size does not depend on it. */
#define CONN_MEMORY (16 * 1024)

/* ---------------------------------------------------------------- text helpers */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes %XY escapes of src[0..n) into dst (room for n + 1); malformed escapes stay literal. */
static size_t pct_decode(char *dst, const char *src, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        int h, l;
        if (src[i] == '%' && i + 2 < n && (h = hexval((unsigned char)src[i + 1])) >= 0 &&
            (l = hexval((unsigned char)src[i + 2])) >= 0) {
            dst[j++] = (char)(h * 16 + l);
            i += 2;
        } else {
            dst[j++] = src[i];
        }
    }
    dst[j] = 0;
    return j;
}

/* A JSON string from text that may not be valid UTF-8 (a message cut mid-character by
 * snprintf, a jansson error quoting the bad input): invalid bytes become '?'. */
static json_t *json_text(const char *s)
{
    size_t n = strlen(s);
    if (jin_utf8_valid(s, n))
        return json_stringn(s, n);
    char tmp[1024];
    size_t j = 0;
    for (size_t i = 0; i < n && j + 4 < sizeof tmp;) {
        size_t k = 1;
        while (k <= 4 && i + k <= n && !jin_utf8_valid(s + i, k))
            k++;
        if (k <= 4 && i + k <= n) {
            memcpy(tmp + j, s + i, k);
            j += k;
            i += k;
        } else {
            tmp[j++] = '?';
            i++;
        }
    }
    return json_stringn(tmp, j);
}

/* ---------------------------------------------------------------- per-request arena */

static void *req_alloc(struct http_req *r, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n <= REQ_MEM - r->mem_used) {
        void *p = r->mem + r->mem_used;
        r->mem_used += n;
        return p;
    }
    struct arena_blk *b = r->blks;
    if (b && n <= b->cap - b->used) {
        void *p = (char *)b->data + b->used;
        b->used += n;
        return p;
    }
    size_t cap = n > 4096 ? n : 4096;
    b = malloc(sizeof *b + cap);
    if (!b)
        return NULL;
    b->next = r->blks;
    b->cap = cap;
    b->used = n;
    r->blks = b;
    return b->data;
}

static char *req_strndup(struct http_req *r, const char *s, size_t n)
{
    char *p = req_alloc(r, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

/* ---------------------------------------------------------------- routes and mounts */

/* Cuts path (modified in place) into non-empty segments; returns how many, or -1 past max. */
static int split_segments(char *path, char **out, int max)
{
    int n = 0;
    char *p = path;
    while (*p) {
        while (*p == '/')
            *p++ = 0;
        if (!*p)
            break;
        if (n == max)
            return -1;
        out[n++] = p;
        while (*p && *p != '/')
            p++;
    }
    return n;
}

void http_route(struct http_server *s, const char *method, const char *pattern, http_handler_fn fn,
                void *ctx, size_t max_body)
{
    if (!s || !method || !pattern || !fn)
        return;
    if (s->d) {
        log_error("http: route %s %s added after start, ignored", method, pattern);
        return;
    }
    char *segv[MAX_SEGS];
    struct route rt = {0};
    rt.method = strdup(method);
    rt.pattern = strdup(pattern);
    if (!rt.method || !rt.pattern)
        goto fail;
    rt.nsegs = split_segments(rt.pattern, segv, MAX_SEGS);
    if (rt.nsegs < 0) {
        log_error("http: route %s has too many segments", pattern);
        goto fail;
    }
    rt.segs = calloc((size_t)rt.nsegs + 1, sizeof *rt.segs);
    if (!rt.segs)
        goto fail;
    for (int i = 0; i < rt.nsegs; i++) {
        if (segv[i][0] == ':') {
            rt.segs[i].kind = SEG_PARAM;
            rt.segs[i].text = segv[i] + 1;
        } else if (!strcmp(segv[i], "*") && i == rt.nsegs - 1) {
            rt.segs[i].kind = SEG_REST;
            rt.segs[i].text = "*";
        } else {
            rt.segs[i].kind = SEG_LIT;
            rt.segs[i].text = segv[i];
        }
    }
    rt.fn = fn;
    rt.ctx = ctx;
    rt.max_body = max_body;
    if (s->nroutes == s->aroutes) {
        int n = s->aroutes ? s->aroutes * 2 : 16;
        struct route *p = realloc(s->routes, (size_t)n * sizeof *p);
        if (!p)
            goto fail;
        s->routes = p;
        s->aroutes = n;
    }
    s->routes[s->nroutes++] = rt;
    return;
fail:
    log_error("http: cannot add route %s %s", method, pattern);
    free(rt.method);
    free(rt.pattern);
    free(rt.segs);
}

void http_static(struct http_server *s, const char *url_prefix, const char *dir)
{
    if (!s || !url_prefix || !dir)
        return;
    if (s->d) {
        log_error("http: static %s added after start, ignored", url_prefix);
        return;
    }
    char *segv[MAX_SEGS];
    struct mount m = {0};
    m.dir = strdup(dir);
    m.prefix = strdup(url_prefix);
    if (!m.dir || !m.prefix)
        goto fail;
    m.nsegs = split_segments(m.prefix, segv, MAX_SEGS);
    if (m.nsegs < 0)
        goto fail;
    m.segs = calloc((size_t)m.nsegs + 1, sizeof *m.segs);
    if (!m.segs)
        goto fail;
    memcpy(m.segs, segv, (size_t)m.nsegs * sizeof *segv);
    if (s->nmounts == s->amounts) {
        int n = s->amounts ? s->amounts * 2 : 4;
        struct mount *p = realloc(s->mounts, (size_t)n * sizeof *p);
        if (!p)
            goto fail;
        s->mounts = p;
        s->amounts = n;
    }
    s->mounts[s->nmounts++] = m;
    return;
fail:
    log_error("http: cannot serve %s from %s", url_prefix, dir);
    free(m.dir);
    free(m.prefix);
    free(m.segs);
}

/* 1 when the request's path fits rt's pattern; captures the parameters. */
static int route_match(const struct route *rt, struct http_req *r)
{
    r->nparams = 0;
    r->rest_from = -1;
    int i;
    for (i = 0; i < rt->nsegs; i++) {
        const struct seg *sg = &rt->segs[i];
        if (sg->kind == SEG_REST) {
            r->rest_from = i;
            return 1;
        }
        if (i >= r->nsegs)
            return 0;
        if (sg->kind == SEG_LIT) {
            if (strcmp(sg->text, r->segs[i]))
                return 0;
        } else if (r->nparams < MAX_PARAMS) {
            r->params[r->nparams].name = sg->text;
            r->params[r->nparams].value = r->segs[i];
            r->nparams++;
        }
    }
    return i == r->nsegs;
}

static int method_fits(const char *route_method, const char *method)
{
    return !strcmp(route_method, method) || !strcmp(route_method, "*") ||
           (!strcmp(method, "HEAD") && !strcmp(route_method, "GET"));
}

/* Joins segments [from, nsegs) with '/' into the arena. */
static const char *join_segments(struct http_req *r, int from)
{
    size_t n = 1;
    for (int i = from; i < r->nsegs; i++)
        n += strlen(r->segs[i]) + 1;
    char *p = req_alloc(r, n), *q = p;
    if (!p)
        return "";
    for (int i = from; i < r->nsegs; i++) {
        size_t l = strlen(r->segs[i]);
        if (q != p)
            *q++ = '/';
        memcpy(q, r->segs[i], l);
        q += l;
    }
    *q = 0;
    return p;
}

/* ---------------------------------------------------------------- replies (shared part) */

static int has_user_header(const struct http_req *r, const char *name)
{
    for (const struct hdr *h = r->hdrs; h; h = h->next)
        if (!strcasecmp(h->name, name))
            return 1;
    return 0;
}

/* The caller's headers, then our defaults for whatever the caller did not set. */
static void add_headers(struct http_req *r, struct MHD_Response *resp, const char *ctype,
                        const char *cache)
{
    for (const struct hdr *h = r->hdrs; h; h = h->next)
        if (MHD_add_response_header(resp, h->name, h->value) != MHD_YES)
            log_warn("http: header %s refused", h->name);
    if (ctype && !has_user_header(r, MHD_HTTP_HEADER_CONTENT_TYPE))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    if (cache && !has_user_header(r, MHD_HTTP_HEADER_CACHE_CONTROL))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
    if (!has_user_header(r, "X-Content-Type-Options"))
        MHD_add_response_header(resp, "X-Content-Type-Options", nosniff);
}

static int already_replied(struct http_req *r)
{
    pthread_mutex_lock(&r->mu);
    int done = r->replied;
    pthread_mutex_unlock(&r->mu);
    if (done)
        log_warn("http: second reply to %s %s ignored", r->method, r->path);
    return done;
}

/* Hands the response to the connection: stores it and, if the connection waits suspended,
 * resumes it. resp NULL (out of memory) makes MHD drop the connection. */
static void req_respond(struct http_req *r, int status, struct MHD_Response *resp)
{
    pthread_mutex_lock(&r->mu);
    if (r->replied) {
        pthread_mutex_unlock(&r->mu);
        log_warn("http: second reply to %s %s ignored", r->method, r->path);
        if (resp)
            MHD_destroy_response(resp);
        return;
    }
    r->replied = 1;
    r->resp = resp;
    r->status = status >= 100 && status <= 599 ? status : 500;
    if (r->suspended) {
        r->suspended = 0;
        MHD_resume_connection(r->conn);
    }
    pthread_mutex_unlock(&r->mu);
    /* r may be gone from here on: the MHD thread can queue and complete it at once */
}

void http_resume_with(struct http_req *r, http_handler_fn fn, void *arg)
{
    if (!r || !fn)
        return;
    pthread_mutex_lock(&r->mu);
    if (r->replied || r->cont) {
        /* answered meanwhile (shutdown): fn finds its reply refused and cleans up */
        pthread_mutex_unlock(&r->mu);
        fn(r, arg);
        return;
    }
    r->cont = fn;
    r->cont_arg = arg;
    if (r->suspended) {
        r->suspended = 0;
        MHD_resume_connection(r->conn);
    }
    pthread_mutex_unlock(&r->mu);
}

static const char internal_error[] =
    "{\"error\":{\"code\":\"internal\",\"message\":\"服务器内部错误 (internal error)\","
    "\"field\":null}}";

void http_reply_json(struct http_req *r, int status, json_t *body)
{
    if (!r) {
        json_decref(body);
        return;
    }
    if (already_replied(r)) {
        json_decref(body);
        return;
    }
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(body);
    struct MHD_Response *resp;
    if (text) {
        resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
        if (!resp)
            free(text);
    } else {
        status = 500;
        resp = MHD_create_response_from_buffer(sizeof internal_error - 1, (void *)internal_error,
                                               MHD_RESPMEM_PERSISTENT);
    }
    if (resp)
        add_headers(r, resp, "application/json; charset=utf-8", "no-store");
    req_respond(r, status, resp);
}

void http_reply_json_text(struct http_req *r, int status, char *text, size_t len)
{
    if (!r || !text || already_replied(r)) {
        free(text);
        return;
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (resp)
        add_headers(r, resp, "application/json; charset=utf-8", "no-store");
    else
        free(text);
    req_respond(r, status, resp);
}

void http_reply_fail(struct http_req *r, int status, const char *code, const char *field,
                     const char *message)
{
    if (!r)
        return;
    if (status < 0)
        status = fq_http_status(status);
    json_t *e = json_object(), *o = json_object();
    if (e && o) {
        json_object_set_new(e, "code", json_text(code && *code ? code : "error"));
        json_object_set_new(e, "message", json_text(message ? message : ""));
        json_object_set_new(e, "field", field && *field ? json_text(field) : json_null());
        json_object_set_new(o, "error", e);
        e = NULL;
    } else {
        json_decref(o);
        o = NULL;
    }
    json_decref(e);
    http_reply_json(r, status, o);
}

void http_reply_error(struct http_req *r, const struct fq_error *e)
{
    if (!e || e->status == FQ_OK) {
        http_reply_fail(r, 500, "internal", NULL, "服务器内部错误 (internal error)");
        return;
    }
    http_reply_fail(r, fq_http_status(e->status), e->code[0] ? e->code : fq_strerror(e->status),
                    e->field, e->message);
}

void http_reply_bytes(struct http_req *r, int status, const char *content_type, const void *data,
                      size_t len)
{
    if (!r || already_replied(r))
        return;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(data ? len : 0, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (resp)
        add_headers(r, resp, content_type ? content_type : "application/octet-stream", NULL);
    req_respond(r, status, resp);
}

void http_add_header(struct http_req *r, const char *name, const char *value)
{
    if (!r || !name || !value)
        return;
    if (strpbrk(name, "\r\n: ") || strpbrk(value, "\r\n")) {
        log_warn("http: header %s with a line break or bad name dropped", name);
        return;
    }
    struct hdr *h = req_alloc(r, sizeof *h);
    char *n = req_strndup(r, name, strlen(name));
    char *v = req_strndup(r, value, strlen(value));
    if (!h || !n || !v)
        return;
    h->name = n;
    h->value = v;
    h->next = NULL;
    struct hdr **pp = &r->hdrs;
    while (*pp)
        pp = &(*pp)->next;
    *pp = h;
}

/* ---------------------------------------------------------------- files */

static const struct {
    const char *ext, *type;
} content_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"map", "application/json; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"woff2", "font/woff2"},
    {"webmanifest", "application/manifest+json"},
    {"txt", "text/plain; charset=utf-8"},
};

static const char *content_type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot && !strchr(dot, '/'))
        for (size_t i = 0; i < sizeof content_types / sizeof content_types[0]; i++)
            if (!strcasecmp(dot + 1, content_types[i].ext))
                return content_types[i].type;
    return "application/octet-stream";
}

/* Opens a regular file for reading; -1 when it is missing or not a regular file. */
static int open_regular(const char *path, struct stat *st)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) || !S_ISREG(st->st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Attr-chars of RFC 5987 pass through; everything else is %XX. */
static int attr_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$&+-.^_`|~", c));
}

static void content_disposition(char *out, size_t size, const char *name)
{
    char ascii[160], ext[480];
    size_t a = 0, x = 0, n = strlen(name);
    for (size_t i = 0; i < n && a + 1 < sizeof ascii; i++) {
        unsigned char c = (unsigned char)name[i];
        if ((c & 0xC0) == 0x80)
            continue; /* one '_' per UTF-8 character, not per byte */
        ascii[a++] = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? (char)c : '_';
    }
    ascii[a] = 0;
    for (size_t i = 0; i < n && x + 4 < sizeof ext; i++) {
        unsigned char c = (unsigned char)name[i];
        if (attr_char(c)) {
            ext[x++] = (char)c;
        } else {
            snprintf(ext + x, 4, "%%%02X", c);
            x += 3;
        }
    }
    ext[x] = 0;
    snprintf(out, size, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, ext);
}

void http_reply_file(struct http_req *r, int status, const char *content_type, const char *path,
                     const char *download_name)
{
    if (!r || already_replied(r))
        return;
    struct stat st;
    int fd = path ? open_regular(path, &st) : -1;
    if (fd < 0) {
        http_reply_fail(r, 404, "not_found", NULL, "文件不存在 (no such file)");
        return;
    }
    struct MHD_Response *resp = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
    if (!resp) {
        close(fd);
        http_reply_fail(r, 500, "internal", NULL, "服务器内部错误 (internal error)");
        return;
    }
    add_headers(r, resp, content_type ? content_type : content_type_of(path), "no-store");
    if (download_name && *download_name && !has_user_header(r, "Content-Disposition")) {
        char cd[700];
        content_disposition(cd, sizeof cd, download_name);
        MHD_add_response_header(resp, "Content-Disposition", cd);
    }
    req_respond(r, status, resp);
}

/* ---------------------------------------------------------------- static files */

/* If-None-Match against our weak ETag (weak comparison: "W/" is ignored on both sides). */
static int etag_matches(const char *inm, const char *etag)
{
    const char *opaque = etag + 2; /* skip W/ */
    size_t on = strlen(opaque);
    const char *p = inm;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return 1;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        const char *e = p;
        while (*e && *e != ',')
            e++;
        const char *t = e;
        while (t > p && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        if ((size_t)(t - p) == on && !memcmp(p, opaque, on))
            return 1;
        p = e;
    }
    return 0;
}

static void serve_fd(struct http_req *r, int fd, const struct stat *st, const char *name,
                     const char *cache)
{
    char etag[64];
    snprintf(etag, sizeof etag, "W/\"%llx-%llx\"", (unsigned long long)st->st_size,
             (unsigned long long)st->st_mtim.tv_sec * 1000000000ull +
                 (unsigned long long)st->st_mtim.tv_nsec);
    const char *inm =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    struct MHD_Response *resp;
    int status = 200;
    if (inm && etag_matches(inm, etag)) {
        close(fd);
        status = 304;
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        if (resp) {
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
            MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
        }
    } else {
        resp = MHD_create_response_from_fd64((uint64_t)st->st_size, fd);
        if (!resp) {
            close(fd);
        } else {
            add_headers(r, resp, content_type_of(name), cache);
            MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
        }
    }
    req_respond(r, status, resp);
}

/* 1 when the path's first segment is the first segment of some route ("api", "open311"). */
static int route_space(const struct http_req *r)
{
    if (!r->nsegs)
        return 0;
    for (int i = 0; i < r->s->nroutes; i++) {
        const struct route *rt = &r->s->routes[i];
        if (rt->nsegs && rt->segs[0].kind == SEG_LIT && !strcmp(rt->segs[0].text, r->segs[0]))
            return 1;
    }
    return 0;
}

static void static_serve(struct http_req *r)
{
    const struct mount *m = r->mount;
    if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) {
        http_add_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
        http_reply_fail(r, 405, "method_not_allowed", NULL,
                        "不支持该请求方法 (method not allowed)");
        return;
    }
    int assets = 0, hidden = 0;
    for (int i = m->nsegs; i < r->nsegs; i++) {
        const char *sg = r->segs[i];
        if (!strcmp(sg, "..") || !strcmp(sg, ".") || strpbrk(sg, "/\\")) {
            http_reply_fail(r, 400, "invalid_path", "path", "路径不合法 (invalid path)");
            return;
        }
        if (sg[0] == '.')
            hidden = 1;
        if (!strcmp(sg, "assets") && i < r->nsegs - 1)
            assets = 1;
    }
    const char *rel = join_segments(r, m->nsegs);
    const char *last = r->nsegs > m->nsegs ? r->segs[r->nsegs - 1] : "";
    char path[4096];
    struct stat st;
    int fd = -1, n;
    if (!hidden) {
        if (!*rel || r->dir)
            n = snprintf(path, sizeof path, "%s/%s%sindex.html", m->dir, rel, *rel ? "/" : "");
        else
            n = snprintf(path, sizeof path, "%s/%s", m->dir, rel);
        if (n > 0 && (size_t)n < sizeof path)
            fd = open_regular(path, &st);
    }
    if (fd >= 0) {
        const char *name = strrchr(path, '/') + 1;
        /* hashed assets never change; everything else (index.html first) revalidates */
        serve_fd(r, fd, &st, name, assets ? "public, max-age=31536000, immutable" : "no-cache");
        return;
    }
    /* single-page apps: a path without an extension is a client-side route, unless it lies
     * where routes live ("/api/v1/typo" must stay a JSON 404) */
    if (!hidden && !strchr(last, '.') && !route_space(r)) {
        n = snprintf(path, sizeof path, "%s/index.html", m->dir);
        if (n > 0 && (size_t)n < sizeof path && (fd = open_regular(path, &st)) >= 0) {
            serve_fd(r, fd, &st, "index.html", "no-cache");
            return;
        }
    }
    http_reply_fail(r, 404, "not_found", NULL, "没有这个地址 (not found)");
}

/* ---------------------------------------------------------------- streams */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Under st->mu: lets a suspended stream's connection go on. */
static void stream_resume(struct http_stream *st)
{
    if (st->suspended && !st->closed) {
        st->suspended = 0;
        MHD_resume_connection(st->conn);
    }
}

void http_stream_wake(struct http_stream *st)
{
    if (!st)
        return;
    pthread_mutex_lock(&st->mu);
    if (st->suspended)
        stream_resume(st);
    else
        st->woken = 1; /* the reader is running: it must not go to sleep on this */
    pthread_mutex_unlock(&st->mu);
}

/* MHD's content reader. Never holds st->mu while calling read: read may take the caller's locks,
 * and the caller's notifier takes them before calling http_stream_wake. */
static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct http_stream *st = cls;
    (void)pos;
    for (;;) {
        pthread_mutex_lock(&st->mu);
        int stop = atomic_load(&st->s->stopping);
        st->woken = 0;
        pthread_mutex_unlock(&st->mu);
        if (stop)
            return MHD_CONTENT_READER_END_OF_STREAM;
        long n = st->read(st->arg, buf, max);
        if (n > 0 && (size_t)n <= max)
            return (ssize_t)n;
        if (n > 0) {
            log_error("http: stream read returned %ld > %zu bytes", n, max);
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        if (n < 0)
            return MHD_CONTENT_READER_END_OF_STREAM;
        pthread_mutex_lock(&st->mu);
        if (st->woken || atomic_load(&st->s->stopping)) {
            pthread_mutex_unlock(&st->mu); /* woken while reading: read again */
            continue;
        }
        st->suspended = 1;
        st->suspended_at = mono_ms();
        MHD_suspend_connection(st->conn);
        pthread_mutex_unlock(&st->mu);
        return 0;
    }
}

/* MHD is done with the response (stream over, client gone, or never sent). */
static void stream_released(void *cls)
{
    struct http_stream *st = cls;
    struct http_server *s = st->s;
    pthread_mutex_lock(&st->mu);
    st->closed = 1;
    st->suspended = 0;
    pthread_mutex_unlock(&st->mu);
    /* no lock held: free_fn may wait for a notifier that is calling http_stream_wake */
    if (st->free_fn)
        st->free_fn(st->arg);
    pthread_mutex_lock(&s->mu);
    if (st->prev)
        st->prev->next = st->next;
    else
        s->streams = st->next;
    if (st->next)
        st->next->prev = st->prev;
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_destroy(&st->mu);
    free(st);
}

/* The ticker thread: resumes streams idle for STREAM_IDLE_MS so read can send a keep-alive. */
static void *ticker_main(void *p)
{
    struct http_server *s = p;
    pthread_mutex_lock(&s->mu);
    while (!s->ticker_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&s->cv, &s->mu, &ts);
        int64_t now = mono_ms();
        for (struct http_stream *st = s->streams; st; st = st->next) {
            pthread_mutex_lock(&st->mu);
            if (st->suspended && now - st->suspended_at >= STREAM_IDLE_MS)
                stream_resume(st);
            pthread_mutex_unlock(&st->mu);
        }
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* Runs free_fn(arg) when the request ends, for streams refused after the handler got going: the
 * handler may still hold arg's locks when http_reply_stream returns. */
static void req_defer_free(struct http_req *r, void (*free_fn)(void *), void *arg)
{
    if (!free_fn)
        return;
    if (!r || r->stream_free) { /* no request to hang it on: nothing better than now */
        free_fn(arg);
        return;
    }
    r->stream_free = free_fn;
    r->stream_arg = arg;
}

struct http_stream *http_reply_stream(struct http_req *r, const char *content_type,
                                      http_stream_fn read, void *arg, void (*free_fn)(void *))
{
    struct http_server *s = r ? r->s : NULL;
    struct http_stream *st = NULL;
    struct MHD_Response *resp;
    if (!r || !read || already_replied(r)) {
        req_defer_free(r, free_fn, arg);
        return NULL;
    }
    if (atomic_load(&s->stopping) || !(st = calloc(1, sizeof *st)))
        goto refuse;
    pthread_mutex_init(&st->mu, NULL);
    st->s = s;
    st->conn = r->conn;
    st->read = read;
    st->arg = arg;
    st->free_fn = free_fn;
    resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, stream_reader, st,
                                             stream_released);
    if (!resp) {
        pthread_mutex_destroy(&st->mu);
        free(st);
        goto refuse;
    }
    /* from here on MHD owns st: stream_released runs free_fn and frees it */
    add_headers(r, resp, content_type ? content_type : "text/event-stream; charset=utf-8",
                "no-cache");
    if (!has_user_header(r, "X-Accel-Buffering"))
        MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    pthread_mutex_lock(&s->mu);
    st->next = s->streams;
    if (s->streams)
        s->streams->prev = st;
    s->streams = st;
    pthread_mutex_unlock(&s->mu);
    req_respond(r, 200, resp);
    return st;
refuse:
    req_defer_free(r, free_fn, arg);
    http_reply_fail(r, 503, "busy", NULL, "服务繁忙，请稍后再试 (busy)");
    return NULL;
}

/* ---------------------------------------------------------------- the request */

const char *http_method(struct http_req *r)
{
    return r && r->method ? r->method : "";
}

const char *http_path(struct http_req *r)
{
    return r && r->path ? r->path : "";
}

const char *http_param(struct http_req *r, const char *name)
{
    if (!r || !name)
        return NULL;
    for (int i = 0; i < r->nparams; i++)
        if (!strcmp(r->params[i].name, name))
            return r->params[i].value;
    return NULL;
}

/* MHD iterator: flags a query argument whose name or value holds NUL or invalid UTF-8. */
struct query_bad {
    int bad;
    char name[64];
};

static enum MHD_Result query_check(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                   const char *value, size_t value_size)
{
    struct query_bad *q = cls;
    (void)kind;
    int key_ok = key && !memchr(key, 0, key_size) && jin_utf8_valid(key, key_size);
    if (!key_ok || (value && (memchr(value, 0, value_size) || !jin_utf8_valid(value, value_size)))) {
        q->bad = 1;
        snprintf(q->name, sizeof q->name, "%s", key_ok && key_size < sizeof q->name ? key : "query");
        return MHD_NO;
    }
    return MHD_YES;
}

/* A value of kind by name, only if it is text (no NUL, valid UTF-8): what we hand upward must
 * survive json_string(). A key without '=' gives "". */
static const char *conn_text(struct http_req *r, enum MHD_ValueKind kind, const char *name)
{
    const char *v = NULL;
    size_t n = 0;
    if (!r || !name || !r->conn)
        return NULL;
    if (MHD_lookup_connection_value_n(r->conn, kind, name, strlen(name), &v, &n) != MHD_YES)
        return NULL;
    if (!v)
        return "";
    if (strlen(v) != n || !jin_utf8_valid(v, n))
        return NULL;
    return v;
}

const char *http_query(struct http_req *r, const char *name)
{
    return conn_text(r, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_cookie(struct http_req *r, const char *name)
{
    return conn_text(r, MHD_COOKIE_KIND, name);
}

const char *http_header(struct http_req *r, const char *name)
{
    if (!r || !name || !r->conn)
        return NULL;
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_body(struct http_req *r, size_t *len)
{
    if (len)
        *len = r && r->body.data ? r->body.len : 0;
    return r && r->body.data ? r->body.data : "";
}

json_t *http_body_json(struct http_req *r)
{
    size_t len;
    const char *b = http_body(r, &len);
    char msg[256];
    json_error_t err;
    if (!r)
        return NULL;
    if (!len) {
        http_reply_fail(r, 400, "invalid_json", "body", "请求体为空，应为 JSON 对象 (empty body)");
        return NULL;
    }
    json_t *j = jin_loadb(b, len, &err);
    if (!j) {
        snprintf(msg, sizeof msg, "请求体不是合法的 JSON: line %d, column %d: %s", err.line,
                 err.column, err.text);
        http_reply_fail(r, 400, "invalid_json", "body", msg);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        http_reply_fail(r, 400, "invalid_json", "body",
                        "请求体应为 JSON 对象 (the body must be a JSON object)");
        return NULL;
    }
    return j;
}

/* Copies the text address in [p, e) into ip if it parses as IPv4 or IPv6. */
static int take_ip(char *ip, const char *p, const char *e)
{
    char tmp[INET6_ADDRSTRLEN];
    unsigned char bin[sizeof(struct in6_addr)];
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    if (e <= p || (size_t)(e - p) >= sizeof tmp)
        return 0;
    memcpy(tmp, p, (size_t)(e - p));
    tmp[e - p] = 0;
    if (inet_pton(AF_INET, tmp, bin) != 1 && inet_pton(AF_INET6, tmp, bin) != 1)
        return 0;
    memcpy(ip, tmp, (size_t)(e - p) + 1);
    return 1;
}

const char *http_client_ip(struct http_req *r)
{
    if (!r)
        return "";
    if (r->ip[0])
        return r->ip;
    if (r->s->o.trust_proxy) {
        const char *v = http_header(r, "X-Forwarded-For");
        if (v) {
            const char *c = strrchr(v, ',');
            take_ip(r->ip, c ? c + 1 : v, v + strlen(v));
        }
        if (!r->ip[0] && (v = http_header(r, "X-Real-IP")))
            take_ip(r->ip, v, v + strlen(v));
        if (r->ip[0])
            return r->ip;
    }
    const union MHD_ConnectionInfo *ci =
        r->conn ? MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS) : NULL;
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->ip,
                  sizeof r->ip);
    } else if (sa && sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a))
            inet_ntop(AF_INET, a->s6_addr + 12, r->ip, sizeof r->ip);
        else
            inet_ntop(AF_INET6, a, r->ip, sizeof r->ip);
    }
    if (!r->ip[0])
        snprintf(r->ip, sizeof r->ip, "unknown");
    return r->ip;
}

void http_set_user(struct http_req *r, void *user, void (*free_fn)(void *))
{
    if (!r)
        return;
    if (r->user && r->user_free && r->user != user)
        r->user_free(r->user);
    r->user = user;
    r->user_free = free_fn;
}

void *http_user(struct http_req *r)
{
    return r ? r->user : NULL;
}

int http_rate_allow(struct http_req *r, const char *bucket, int per_minute, int burst)
{
    if (!r)
        return 0;
    char key[128];
    snprintf(key, sizeof key, "%s|%s", bucket ? bucket : "", http_client_ip(r));
    return http_rate_take(r->s->rate, key, per_minute, burst);
}

/* ---------------------------------------------------------------- request lifecycle */

static struct http_req *req_new(struct http_server *s, struct MHD_Connection *conn, const char *uri)
{
    struct http_req *r = malloc(sizeof *r);
    if (!r)
        return NULL;
    memset(r, 0, offsetof(struct http_req, mem));
    r->s = s;
    r->conn = conn;
    r->rest_from = -1;
    pthread_mutex_init(&r->mu, NULL);
    buf_init(&r->body, 0);
    /* absolute-form targets ("http://host/path") keep only the path */
    if (!strncasecmp(uri, "http://", 7) || !strncasecmp(uri, "https://", 8)) {
        const char *p = strchr(strstr(uri, "//") + 2, '/');
        uri = p ? p : "/";
    }
    r->raw_path = req_strndup(r, uri, strcspn(uri, "?#"));
    return r;
}

static void req_free(struct http_req *r)
{
    if (r->resp)
        MHD_destroy_response(r->resp);
    if (r->user && r->user_free)
        r->user_free(r->user);
    if (r->stream_free)
        r->stream_free(r->stream_arg);
    buf_free(&r->body);
    while (r->blks) {
        struct arena_blk *b = r->blks;
        r->blks = b->next;
        free(b);
    }
    pthread_mutex_destroy(&r->mu);
    free(r);
}

static void early(struct http_req *r, int status, const char *code, const char *msg)
{
    r->early_status = status;
    r->early_code = code;
    r->early_msg = msg;
}

/* The first call: decode the path, pick the route or static mount, set the body cap. */
static void req_begin(struct http_req *r, const char *url, const char *method)
{
    struct http_server *s = r->s;
    atomic_fetch_add(&s->requests, 1);
    r->method = method;
    if (!r->raw_path)
        r->raw_path = req_strndup(r, url, strlen(url));
    const char *raw = r->raw_path ? r->raw_path : "";
    size_t n = strlen(raw);
    char *dec = req_alloc(r, n + 1);
    if (!dec) {
        r->path = raw;
        early(r, 503, "busy", "服务繁忙，请稍后再试 (out of memory)");
        return;
    }
    size_t dn = pct_decode(dec, raw, n);
    r->path = dec;
    r->dir = n > 0 && raw[n - 1] == '/';
    if (memchr(dec, 0, dn) || !jin_utf8_valid(dec, dn)) {
        early(r, 400, "invalid_path", "路径不合法 (invalid path)");
        return;
    }
    /* a query value that is not text is refused outright rather than read as absent, so a
     * garbled filter can never widen a list */
    struct query_bad qb = {0, ""};
    if (r->conn)
        MHD_get_connection_values_n(r->conn, MHD_GET_ARGUMENT_KIND, query_check, &qb);
    if (qb.bad) {
        early(r, 400, "invalid_value", "查询参数不是合法的 UTF-8 文本 (query parameter is not valid text)");
        r->early_field = req_strndup(r, qb.name, strlen(qb.name));
        return;
    }
    /* segments are decoded one by one so that %2F stays inside its segment */
    char *segv[MAX_SEGS];
    char *copy = req_strndup(r, raw, n);
    int ns = copy ? split_segments(copy, segv, MAX_SEGS) : -1;
    if (ns < 0) {
        early(r, 404, "not_found", "没有这个地址 (not found)");
        return;
    }
    for (int i = 0; i < ns; i++) {
        pct_decode(segv[i], segv[i], strlen(segv[i])); /* decoding never lengthens */
        r->segs[i] = segv[i];
    }
    r->nsegs = ns;

    char allow[64] = "";
    for (int i = 0; i < s->nroutes; i++) {
        const struct route *rt = &s->routes[i];
        if (!route_match(rt, r))
            continue;
        if (method_fits(rt->method, method)) {
            r->route = rt;
            break;
        }
        if (!strstr(allow, rt->method) && strlen(allow) + strlen(rt->method) + 3 < sizeof allow) {
            if (allow[0])
                strcat(allow, ", ");
            strcat(allow, rt->method);
        }
    }
    if (r->route) {
        if (r->rest_from >= 0 && r->nparams < MAX_PARAMS) {
            r->params[r->nparams].name = "*";
            r->params[r->nparams].value = join_segments(r, r->rest_from);
            r->nparams++;
        }
        size_t cap = r->route->max_body ? r->route->max_body : s->o.max_body;
        buf_init(&r->body, cap);
        const char *cl =
            MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > cap)
            r->too_big = 1;
        return;
    }
    r->nparams = 0;
    if (allow[0]) {
        r->allow = req_strndup(r, allow, strlen(allow));
        early(r, 405, "method_not_allowed", "不支持该请求方法 (method not allowed)");
        return;
    }
    int best = -1;
    for (int i = 0; i < s->nmounts; i++) {
        const struct mount *m = &s->mounts[i];
        if (m->nsegs > r->nsegs || m->nsegs <= best)
            continue;
        int k = 0;
        while (k < m->nsegs && !strcmp(m->segs[k], r->segs[k]))
            k++;
        if (k == m->nsegs) {
            best = m->nsegs;
            r->mount = m;
        }
    }
    if (!r->mount)
        early(r, 404, "not_found", "没有这个地址 (not found)");
}

/* Upload data: kept up to the cap, drained past it. */
static void req_take_body(struct http_req *r, const char *data, size_t n)
{
    r->drained += n;
    if (!r->route || r->too_big || r->body_err)
        return;
    int rc = buf_add(&r->body, data, n);
    if (rc == FQ_ETOOBIG) {
        r->too_big = 1;
        buf_free(&r->body);
    } else if (rc) {
        r->body_err = 1;
        buf_free(&r->body);
    }
}

/* The body is complete: answer errors found so far, or run the handler or static files. */
static void req_dispatch(struct http_req *r)
{
    struct http_server *s = r->s;
    r->dispatched = 1;
    atomic_fetch_add(&s->inflight, 1);
    r->counted = 1;
    if (atomic_load(&s->stopping)) {
        http_reply_fail(r, 503, "shutting_down", NULL, "服务正在停止 (shutting down)");
    } else if (r->early_status) {
        if (r->allow)
            http_add_header(r, MHD_HTTP_HEADER_ALLOW, r->allow);
        http_reply_fail(r, r->early_status, r->early_code,
                        r->early_field ? r->early_field : r->early_status == 400 ? "path" : NULL,
                        r->early_msg);
    } else if (r->too_big) {
        http_reply_fail(r, 413, "too_large", "body", "请求体过大 (request body too large)");
    } else if (r->body_err) {
        http_reply_fail(r, 503, "busy", NULL, "服务繁忙，请稍后再试 (out of memory)");
    } else if (r->route) {
        r->route->fn(r, r->route->ctx);
    } else if (r->mount) {
        static_serve(r);
    } else {
        http_reply_fail(r, 404, "not_found", NULL, "没有这个地址 (not found)");
    }
}

static enum MHD_Result req_queue(struct http_req *r, int status, struct MHD_Response *resp)
{
    struct http_server *s = r->s;
    r->queued = 1;
    if (r->counted)
        atomic_fetch_sub(&s->inflight, 1);
    if (!resp)
        return MHD_NO;
    enum MHD_Result ok = MHD_queue_response(r->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    if (status >= 500) {
        atomic_fetch_add(&s->r5xx, 1);
        log_error("http: %d %s %s", status, r->method ? r->method : "-", http_path(r));
    } else if (status >= 400) {
        atomic_fetch_add(&s->r4xx, 1);
    } else if (status >= 200 && status < 300) {
        atomic_fetch_add(&s->r2xx, 1);
    }
    return ok;
}

static void pending_unlink(struct http_server *s, struct http_req *r)
{
    if (!r->in_pending)
        return;
    if (r->pprev)
        r->pprev->pnext = r->pnext;
    else
        s->pending = r->pnext;
    if (r->pnext)
        r->pnext->pprev = r->pprev;
    r->pnext = r->pprev = NULL;
    r->in_pending = 0;
}

/* After the handler ran: queue its reply, or suspend until it comes. */
static enum MHD_Result req_finish(struct http_req *r)
{
    struct http_server *s = r->s;
    pthread_mutex_lock(&r->mu);
    http_handler_fn cont = r->replied ? NULL : r->cont;
    void *cont_arg = r->cont_arg;
    r->cont = NULL;
    pthread_mutex_unlock(&r->mu);
    if (cont)
        cont(r, cont_arg); /* http_resume_with: build the reply here, on the owning thread */
    pthread_mutex_lock(&r->mu);
    if (!r->replied && !atomic_load(&s->force_stop)) {
        r->suspended = 1;
        pthread_mutex_lock(&s->mu);
        if (!r->in_pending) {
            r->pnext = s->pending;
            r->pprev = NULL;
            if (s->pending)
                s->pending->pprev = r;
            s->pending = r;
            r->in_pending = 1;
        }
        pthread_mutex_unlock(&s->mu);
        MHD_suspend_connection(r->conn);
        pthread_mutex_unlock(&r->mu);
        return MHD_YES;
    }
    int replied = r->replied;
    pthread_mutex_unlock(&r->mu);
    if (!replied) {
        /* shutdown deadline passed and the handler went async: answer now, and keep the
         * request alive forever in case its real reply still comes */
        pthread_mutex_lock(&s->mu);
        r->orphan = 1;
        pthread_mutex_unlock(&s->mu);
        http_reply_fail(r, 503, "shutting_down", NULL, "服务正在停止 (shutting down)");
    }
    pthread_mutex_lock(&s->mu);
    pending_unlink(s, r);
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_lock(&r->mu);
    struct MHD_Response *resp = r->resp;
    int status = r->status;
    r->resp = NULL;
    pthread_mutex_unlock(&r->mu);
    return req_queue(r, status, resp);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    return req_new(cls, conn, uri ? uri : "/");
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_size, void **con_cls)
{
    struct http_req *r = *con_cls;
    (void)version;
    if (!r) {
        r = req_new(cls, conn, url);
        if (!r)
            return MHD_NO;
        *con_cls = r;
    }
    if (!r->started) {
        /* never queue here: MHD would close the connection after the reply */
        r->started = 1;
        req_begin(r, url, method);
        return MHD_YES;
    }
    if (r->queued) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        req_take_body(r, upload_data, *upload_size);
        *upload_size = 0;
        if ((r->too_big || !r->route) && r->drained > r->body.cap + DRAIN_SLACK && !r->dispatched) {
            /* not worth reading on; MHD closes the connection after this reply */
            req_dispatch(r);
            return req_finish(r);
        }
        return MHD_YES;
    }
    if (!r->dispatched)
        req_dispatch(r);
    return req_finish(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    struct http_req *r = *con_cls;
    (void)conn;
    (void)toe;
    if (!r)
        return;
    *con_cls = NULL;
    if (r->counted && !r->queued)
        atomic_fetch_sub(&s->inflight, 1);
    pthread_mutex_lock(&s->mu);
    pending_unlink(s, r);
    int orphan = r->orphan;
    pthread_mutex_unlock(&s->mu);
    if (!orphan)
        req_free(r);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct http_server *s = cls;
    (void)conn;
    (void)socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED)
        atomic_fetch_add(&s->active, 1);
    else if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
        atomic_fetch_sub(&s->active, 1);
}

/* MHD's messages: at startup they explain a failure (port taken); once serving they are mostly
 * about clients' malformed requests, which must not flood the log. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct http_server *s = cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = 0;
    log_msg(s->serving ? LOG_DEBUG : LOG_WARN, "mhd: %s", line);
}

/* ---------------------------------------------------------------- the server */

struct http_server *http_server_new(const struct http_opts *o)
{
    struct http_server *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (o)
        s->o = *o;
    else
        s->o.port = 8080;
    if (!s->o.address || !*s->o.address)
        s->o.address = "127.0.0.1";
    if (s->o.connection_limit <= 0)
        s->o.connection_limit = 1024;
    if (s->o.per_ip_limit <= 0)
        s->o.per_ip_limit = 256;
    if (s->o.timeout_s <= 0)
        s->o.timeout_s = 30;
    if (!s->o.max_body)
        s->o.max_body = 1u << 20;
    if (s->o.threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        s->o.threads = n > 0 ? (int)(n > 256 ? 256 : n) : 1;
    }
    s->address = strdup(s->o.address);
    s->rate = http_rate_new(10000);
    if (!s->address || !s->rate) {
        free(s->address);
        http_rate_free(s->rate);
        free(s);
        return NULL;
    }
    s->o.address = s->address;
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cv, &ca);
    pthread_condattr_destroy(&ca);
    return s;
}

int http_server_start(struct http_server *s, struct fq_error *e)
{
    if (!s)
        return fq_fail(e, FQ_EIO, "listen_failed", NULL, "no server");
    if (s->d)
        return 0;
    struct sockaddr_in a4 = {0};
    struct sockaddr_in6 a6 = {0};
    struct sockaddr *sa;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (s->o.port < 0 || s->o.port > 65535)
        return fq_fail(e, FQ_EIO, "listen_failed", "port", "端口无效 (bad port %d)", s->o.port);
    if (inet_pton(AF_INET, s->o.address, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)s->o.port);
        sa = (struct sockaddr *)&a4;
    } else if (inet_pton(AF_INET6, s->o.address, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)s->o.port);
        sa = (struct sockaddr *)&a6;
        flags |= MHD_USE_IPv6;
    } else {
        return fq_fail(e, FQ_EIO, "listen_failed", "address", "监听地址无效 (bad address %s)",
                       s->o.address);
    }
    flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL : MHD_USE_POLL;
    s->d = MHD_start_daemon(
        flags, (uint16_t)s->o.port, NULL, NULL, on_access, s, MHD_OPTION_EXTERNAL_LOGGER,
        on_mhd_log, s, MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)(s->o.threads > 1 ? s->o.threads : 0), MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)s->o.connection_limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)s->o.per_ip_limit, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)s->o.timeout_s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        s, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)CONN_MEMORY, MHD_OPTION_END);
    if (!s->d)
        return fq_fail(e, FQ_EIO, "listen_failed", "port",
                       "无法监听 %s:%d (cannot listen, port taken?)", s->o.address, s->o.port);
    atomic_store(&s->serving, 1);
    s->ticker_on = !pthread_create(&s->ticker, NULL, ticker_main, s);
    if (!s->ticker_on)
        log_error("http: no ticker thread; idle streams get no keep-alive");
    log_info("http: listening on %s:%d with %d threads", s->o.address, http_server_port(s),
             s->o.threads);
    return 0;
}

int http_server_port(struct http_server *s)
{
    if (!s || !s->d)
        return 0;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits up to ms for the requests in flight to be queued; 1 when none is left. */
static int wait_inflight(struct http_server *s, int ms)
{
    for (int waited = 0; atomic_load(&s->inflight) > 0; waited += 5) {
        if (waited >= ms)
            return 0;
        sleep_ms(5);
    }
    return 1;
}

static void server_stop(struct http_server *s)
{
    atomic_store(&s->stopping, 1);
    MHD_socket ls = MHD_quiesce_daemon(s->d);
    if (ls != MHD_INVALID_SOCKET)
        close(ls);

    /* streams: stop the ticker, then wake the waiting ones so their readers see the end */
    pthread_mutex_lock(&s->mu);
    s->ticker_stop = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    if (s->ticker_on)
        pthread_join(s->ticker, NULL);
    s->ticker_on = 0;
    pthread_mutex_lock(&s->mu);
    for (struct http_stream *st = s->streams; st; st = st->next) {
        pthread_mutex_lock(&st->mu);
        stream_resume(st);
        pthread_mutex_unlock(&st->mu);
    }
    pthread_mutex_unlock(&s->mu);

    if (!wait_inflight(s, STOP_WAIT_MS)) {
        atomic_store(&s->force_stop, 1);
        pthread_mutex_lock(&s->mu);
        int n = 0;
        for (struct http_req *r = s->pending; r; r = r->pnext)
            n++;
        struct http_req **late = calloc((size_t)n + 1, sizeof *late);
        n = 0;
        for (struct http_req *r = s->pending; r && late; r = r->pnext) {
            r->orphan = 1;
            late[n++] = r;
        }
        pthread_mutex_unlock(&s->mu);
        log_error("http: %d replies still pending at shutdown, answering 503", n);
        for (int i = 0; i < n; i++)
            http_reply_fail(late[i], 503, "shutting_down", NULL, "服务正在停止 (shutting down)");
        free(late);
        wait_inflight(s, 2000);
    }
    MHD_stop_daemon(s->d); /* releases the streams' responses: their free_fn runs here */
    s->d = NULL;
}

void http_server_free(struct http_server *s)
{
    if (!s)
        return;
    if (s->d)
        server_stop(s);
    for (int i = 0; i < s->nroutes; i++) {
        free(s->routes[i].method);
        free(s->routes[i].pattern);
        free(s->routes[i].segs);
    }
    free(s->routes);
    for (int i = 0; i < s->nmounts; i++) {
        free(s->mounts[i].dir);
        free(s->mounts[i].prefix);
        free(s->mounts[i].segs);
    }
    free(s->mounts);
    http_rate_free(s->rate);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s->address);
    free(s);
}

void http_server_stats(struct http_server *s, struct http_stats *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (!s)
        return;
    out->requests = atomic_load(&s->requests);
    out->responses_2xx = atomic_load(&s->r2xx);
    out->responses_4xx = atomic_load(&s->r4xx);
    out->responses_5xx = atomic_load(&s->r5xx);
    long a = atomic_load(&s->active);
    out->active_connections = a > 0 ? (uint64_t)a : 0;
}
