/* The HTTP server, tested through real sockets: a server on 127.0.0.1 (port 0) with a few routes
 * and a static directory, and a tiny HTTP/1.1 client written here so that we see exactly what
 * goes over the wire (keep-alive, chunked streams, status lines).
 *
 * Throughput probe (not run here): start `fengqiao serve`, then
 *   wrk -t2 -c64 -d10s http://127.0.0.1:8080/api/v1/health
 * and compare with the same run after a change to src/http/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static struct http_server *srv;
static int port;
static char webdir[64], screendir[128], dlfile[128];

/* ---------------------------------------------------------------- a small HTTP/1.1 client */

struct conn {
    int fd;
    size_t len;
    char buf[1 << 16];
};

struct resp {
    int status;
    char head[8192]; /* status line and headers */
    char *body;      /* NUL-terminated, malloc'd */
    size_t len;
    int chunked;
};

static struct conn *conn_open(void)
{
    struct conn *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(c->fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {5, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    assert_int_equal(connect(c->fd, (struct sockaddr *)&a, sizeof a), 0);
    return c;
}

static void conn_close(struct conn *c)
{
    close(c->fd);
    free(c);
}

static void conn_send(struct conn *c, const char *data, size_t n)
{
    while (n) {
        ssize_t k = send(c->fd, data, n, MSG_NOSIGNAL);
        assert_true(k > 0);
        data += k;
        n -= (size_t)k;
    }
}

/* Reads more bytes into the buffer; 0 on EOF or timeout. */
static int conn_fill(struct conn *c)
{
    if (c->len == sizeof c->buf)
        return 0;
    ssize_t k = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
    if (k <= 0)
        return 0;
    c->len += (size_t)k;
    return 1;
}

static void conn_consume(struct conn *c, size_t n)
{
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
}

/* Index just past the next CRLF, waiting for it; 0 when the connection ends first. */
static size_t conn_line(struct conn *c)
{
    for (;;) {
        for (size_t i = 0; i + 1 < c->len; i++)
            if (c->buf[i] == '\r' && c->buf[i + 1] == '\n')
                return i + 2;
        if (!conn_fill(c))
            return 0;
    }
}

static int conn_need(struct conn *c, size_t n)
{
    while (c->len < n)
        if (!conn_fill(c))
            return 0;
    return 1;
}

static const char *resp_header(struct resp *r, const char *name)
{
    static __thread char val[1024];
    size_t n = strlen(name);
    const char *p = strstr(r->head, "\r\n");
    while (p && p[2]) {
        p += 2;
        if (!strncasecmp(p, name, n) && p[n] == ':') {
            const char *v = p + n + 1, *e = strstr(v, "\r\n");
            while (*v == ' ')
                v++;
            snprintf(val, sizeof val, "%.*s", (int)(e - v), v);
            return val;
        }
        p = strstr(p, "\r\n");
    }
    return NULL;
}

/* Reads one response; stops after max_chunks chunks of a chunked body when max_chunks > 0. */
static int read_response(struct conn *c, struct resp *r, int head_only, int max_chunks)
{
    memset(r, 0, sizeof *r);
    size_t hl = 0;
    for (;;) {
        char *e = c->len ? memmem(c->buf, c->len, "\r\n\r\n", 4) : NULL;
        if (e) {
            hl = (size_t)(e - c->buf) + 4;
            break;
        }
        if (!conn_fill(c))
            return -1;
    }
    if (hl >= sizeof r->head)
        return -1;
    memcpy(r->head, c->buf, hl);
    r->head[hl] = 0;
    conn_consume(c, hl);
    if (sscanf(r->head, "HTTP/1.%*d %d", &r->status) != 1)
        return -1;
    r->body = calloc(1, 1);
    if (head_only || r->status == 304 || r->status == 204)
        return 0;
    const char *te = resp_header(r, "Transfer-Encoding");
    const char *cl = resp_header(r, "Content-Length");
    if (te && strstr(te, "chunked")) {
        r->chunked = 1;
        for (int chunks = 0;; chunks++) {
            if (max_chunks > 0 && chunks == max_chunks)
                return 0;
            size_t ll = conn_line(c);
            if (!ll)
                return -1;
            size_t n = strtoul(c->buf, NULL, 16);
            conn_consume(c, ll);
            if (!conn_need(c, n + 2))
                return -1;
            if (n == 0) {
                conn_consume(c, 2);
                return 0;
            }
            r->body = realloc(r->body, r->len + n + 1);
            memcpy(r->body + r->len, c->buf, n);
            r->len += n;
            r->body[r->len] = 0;
            conn_consume(c, n + 2);
        }
    }
    size_t n = cl ? strtoul(cl, NULL, 10) : 0;
    if (!cl) { /* until close */
        while (conn_fill(c))
            ;
        n = c->len;
    }
    if (!conn_need(c, n))
        return -1;
    r->body = realloc(r->body, n + 1);
    memcpy(r->body, c->buf, n);
    r->body[n] = 0;
    r->len = n;
    conn_consume(c, n);
    return 0;
}

static void resp_free(struct resp *r)
{
    free(r->body);
    r->body = NULL;
}

/* One request on a fresh connection. */
static void fetch(const char *raw, struct resp *r)
{
    struct conn *c = conn_open();
    conn_send(c, raw, strlen(raw));
    assert_int_equal(read_response(c, r, !strncmp(raw, "HEAD ", 5), 0), 0);
    conn_close(c);
}

static void get(const char *path, struct resp *r)
{
    char raw[2048];
    snprintf(raw, sizeof raw, "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
    fetch(raw, r);
}

static void post(const char *path, const char *body, struct resp *r)
{
    char raw[8192];
    snprintf(raw, sizeof raw,
             "POST %s HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\n\r\n%s",
             path, strlen(body), body);
    fetch(raw, r);
}

static json_t *body_json(struct resp *r)
{
    json_error_t err;
    json_t *j = json_loads(r->body, 0, &err);
    if (!j)
        fail_msg("not JSON: %s", r->body);
    return j;
}

static void assert_error(struct resp *r, int status, const char *code, const char *field)
{
    assert_int_equal(r->status, status);
    assert_non_null(strstr(resp_header(r, "Content-Type"), "application/json"));
    json_t *j = body_json(r);
    json_t *e = json_object_get(j, "error");
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "code")), code);
    assert_non_null(json_string_value(json_object_get(e, "message")));
    json_t *f = json_object_get(e, "field");
    assert_non_null(f);
    if (field)
        assert_string_equal(json_string_value(f), field);
    else
        assert_true(json_is_null(f));
    json_decref(j);
}

/* ---------------------------------------------------------------- the routes */

static void h_sync(struct http_req *r, void *ctx)
{
    (void)ctx;
    http_reply_json(r, 200, json_pack("{s:b,s:s}", "ok", 1, "method", http_method(r)));
}

struct later {
    struct http_req *r;
    int delay_ms;
};

static void *reply_later(void *p)
{
    struct later *l = p;
    if (l->delay_ms) {
        struct timespec ts = {0, l->delay_ms * 1000000L};
        nanosleep(&ts, NULL);
    }
    http_reply_json(l->r, 201, json_pack("{s:b}", "async", 1));
    free(l);
    return NULL;
}

static void start_later(struct http_req *r, int delay_ms)
{
    struct later *l = malloc(sizeof *l);
    pthread_t t;
    l->r = r;
    l->delay_ms = delay_ms;
    assert_int_equal(pthread_create(&t, NULL, reply_later, l), 0);
    pthread_detach(t);
}

static void h_async(struct http_req *r, void *ctx)
{
    (void)ctx;
    start_later(r, 20);
}

/* replies from another thread at once: often before the access handler suspends */
static void h_race(struct http_req *r, void *ctx)
{
    (void)ctx;
    start_later(r, 0);
}

/* http_resume_with: another thread hands the request back; the continuation must run on the
 * polling thread that ran the handler, never on the thread that resumed it. */
struct resume {
    struct http_req *r;
    int delay_ms;
    pthread_t handler, resumer;
};

static void resume_cont(struct http_req *r, void *arg)
{
    struct resume *x = arg;
    pthread_t self = pthread_self();
    http_reply_json(r, 202, json_pack("{s:b, s:b}", "handler_thread", pthread_equal(self, x->handler),
                                      "resumer_thread", pthread_equal(self, x->resumer)));
    free(x);
}

static void *resume_later(void *p)
{
    struct resume *x = p;
    x->resumer = pthread_self();
    if (x->delay_ms) {
        struct timespec ts = {0, x->delay_ms * 1000000L};
        nanosleep(&ts, NULL);
    }
    http_resume_with(x->r, resume_cont, x);
    return NULL;
}

static void h_resume(struct http_req *r, void *ctx)
{
    struct resume *x = calloc(1, sizeof *x);
    pthread_t t;
    x->r = r;
    x->delay_ms = ctx ? 0 : 20; /* ctx set: resume at once, racing the suspend */
    x->handler = x->resumer = pthread_self(); /* the resumer sets its own before resuming */
    assert_int_equal(pthread_create(&t, NULL, resume_later, x), 0);
    pthread_detach(t);
}

static void h_echo(struct http_req *r, void *ctx)
{
    (void)ctx;
    json_t *j = http_body_json(r);
    if (!j)
        return;
    http_reply_json(r, 200, json_pack("{s:o}", "got", j));
}

static void h_item(struct http_req *r, void *ctx)
{
    (void)ctx;
    http_reply_json(
        r, 200,
        json_pack("{s:s,s:s}", "code", http_param(r, "code"), "item", http_param(r, "item")));
}

static void h_rest(struct http_req *r, void *ctx)
{
    (void)ctx;
    http_reply_json(r, 200, json_pack("{s:s}", "rest", http_param(r, "*")));
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static void h_query(struct http_req *r, void *ctx)
{
    (void)ctx;
    http_add_header(r, "Set-Cookie", "a=1; Path=/; HttpOnly");
    http_add_header(r, "Set-Cookie", "b=2; Path=/");
    http_reply_json(r, 200,
                    json_pack("{s:o,s:o,s:o,s:o,s:o,s:s,s:s}", "a", str_or_null(http_query(r, "a")),
                              "b", str_or_null(http_query(r, "b")), "missing",
                              str_or_null(http_query(r, "zzz")), "sid",
                              str_or_null(http_cookie(r, "sid")), "hdr",
                              str_or_null(http_header(r, "x-test")), "ip", http_client_ip(r),
                              "path", http_path(r)));
}

static void h_limited(struct http_req *r, void *ctx)
{
    (void)ctx;
    if (!http_rate_allow(r, "test", 60, 3)) {
        http_reply_fail(r, FQ_ERATE, "rate_limited", NULL, "请稍后再试 (slow down)");
        return;
    }
    http_reply_json(r, 200, json_object());
}

static void h_conflict(struct http_req *r, void *ctx)
{
    struct fq_error e;
    (void)ctx;
    fq_fail(&e, FQ_ECONFLICT, "illegal_transition", "status", "案件已办结，不能再派单");
    http_reply_error(r, &e);
}

static void h_download(struct http_req *r, void *ctx)
{
    (void)ctx;
    http_reply_file(r, 200, "text/csv; charset=utf-8", dlfile, "报告 2024.csv");
}

static void h_bytes(struct http_req *r, void *ctx)
{
    (void)ctx;
    http_reply_bytes(r, 200, "text/plain; charset=utf-8", "pong", 4);
}

static void h_nobody(struct http_req *r, void *ctx)
{
    (void)ctx;
    http_reply_json(r, 200, NULL); /* the layer above failed to build a body */
}

/* A stream: "one", then nothing until a waker thread calls http_stream_wake, then "two", end. */
static atomic_int streams_freed;

struct tstream {
    pthread_mutex_t mu;
    struct http_stream *st;
    int step, ready, waker_on, idle;
    pthread_t waker;
};

static void *stream_waker(void *p)
{
    struct tstream *t = p;
    struct timespec ts = {0, 30 * 1000000L};
    nanosleep(&ts, NULL);
    pthread_mutex_lock(&t->mu);
    t->ready = 1;
    if (t->st)
        http_stream_wake(t->st);
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

static long stream_read(void *arg, char *buf, size_t max)
{
    struct tstream *t = arg;
    long n = 0;
    pthread_mutex_lock(&t->mu);
    if (t->step == 0) {
        n = snprintf(buf, max, "data: one\n\n");
        t->step = 1;
        if (!t->idle)
            t->waker_on = !pthread_create(&t->waker, NULL, stream_waker, t);
    } else if (t->step == 1 && t->ready) {
        n = snprintf(buf, max, "data: two\n\n");
        t->step = 2;
    } else if (t->step == 2) {
        n = -1;
    }
    pthread_mutex_unlock(&t->mu);
    return n;
}

static void stream_free(void *arg)
{
    struct tstream *t = arg;
    if (t->waker_on)
        pthread_join(t->waker, NULL);
    pthread_mutex_destroy(&t->mu);
    free(t);
    atomic_fetch_add(&streams_freed, 1);
}

static void h_stream(struct http_req *r, void *ctx)
{
    struct tstream *t = calloc(1, sizeof *t);
    pthread_mutex_init(&t->mu, NULL);
    t->idle = ctx != NULL;
    pthread_mutex_lock(&t->mu);
    t->st = http_reply_stream(r, "text/event-stream; charset=utf-8", stream_read, t, stream_free);
    pthread_mutex_unlock(&t->mu);
}

/* ---------------------------------------------------------------- setup */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    snprintf(webdir, sizeof webdir, "/tmp/fq_http_XXXXXX");
    assert_non_null(mkdtemp(webdir));
    char p[256];
    snprintf(p, sizeof p, "%s/index.html", webdir);
    write_file(p, "<h1>app</h1>");
    snprintf(p, sizeof p, "%s/hello.txt", webdir);
    write_file(p, "hello");
    snprintf(p, sizeof p, "%s/.secret", webdir);
    write_file(p, "secret");
    snprintf(p, sizeof p, "%s/assets", webdir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/assets/app.123.js", webdir);
    write_file(p, "console.log(1)");
    snprintf(screendir, sizeof screendir, "%s/screen-build", webdir);
    mkdir(screendir, 0755);
    snprintf(p, sizeof p, "%s/index.html", screendir);
    write_file(p, "<h1>screen</h1>");
    snprintf(dlfile, sizeof dlfile, "%s/report.csv", webdir);
    write_file(dlfile, "a,b\n1,2\n");

    struct http_opts o = {.address = "127.0.0.1", .port = 0, .threads = 2, .per_ip_limit = 64};
    srv = http_server_new(&o);
    assert_non_null(srv);
    http_route(srv, "GET", "/sync", h_sync, NULL, 0);
    http_route(srv, "GET", "/api/v1/ping", h_sync, NULL, 0);
    http_route(srv, "GET", "/async", h_async, NULL, 0);
    http_route(srv, "GET", "/race", h_race, NULL, 0);
    http_route(srv, "GET", "/resume", h_resume, NULL, 0);
    http_route(srv, "GET", "/resume-race", h_resume, (void *)1, 0);
    http_route(srv, "POST", "/echo", h_echo, NULL, 64);
    http_route(srv, "GET", "/cases/:code/items/:item", h_item, NULL, 0);
    http_route(srv, "GET", "/files/*", h_rest, NULL, 0);
    http_route(srv, "GET", "/q", h_query, NULL, 0);
    http_route(srv, "GET", "/limited", h_limited, NULL, 0);
    http_route(srv, "GET", "/conflict", h_conflict, NULL, 0);
    http_route(srv, "GET", "/download", h_download, NULL, 0);
    http_route(srv, "GET", "/bytes", h_bytes, NULL, 0);
    http_route(srv, "GET", "/nobody", h_nobody, NULL, 0);
    http_route(srv, "GET", "/stream", h_stream, NULL, 0);
    http_route(srv, "GET", "/idle-stream", h_stream, (void *)1, 0);
    http_route(srv, "GET", "/hello.txt", h_bytes, NULL, 0); /* routes win over static files */
    http_static(srv, "/", webdir);
    http_static(srv, "/screen", screendir);
    struct fq_error e = {0};
    assert_int_equal(http_server_start(srv, &e), 0);
    port = http_server_port(srv);
    assert_true(port > 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    /* an idle stream still open: shutdown must end it rather than abort on a suspended
     * connection */
    struct conn *c = conn_open();
    const char *req = "GET /idle-stream HTTP/1.1\r\nHost: t\r\n\r\n";
    struct resp r;
    conn_send(c, req, strlen(req));
    assert_int_equal(read_response(c, &r, 0, 1), 0);
    assert_string_equal(r.body, "data: one\n\n");
    resp_free(&r);
    int before = atomic_load(&streams_freed);
    http_server_free(srv);
    assert_int_equal(atomic_load(&streams_freed), before + 1);
    conn_close(c);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", webdir);
    if (system(cmd))
        return -1;
    return 0;
}

/* ---------------------------------------------------------------- tests */

static void test_sync(void **state)
{
    (void)state;
    struct resp r;
    get("/sync", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(resp_header(&r, "Content-Type"), "application/json; charset=utf-8");
    assert_string_equal(resp_header(&r, "Cache-Control"), "no-store");
    assert_string_equal(resp_header(&r, "X-Content-Type-Options"), "nosniff");
    assert_string_equal(r.body, "{\"ok\":true,\"method\":\"GET\"}");
    resp_free(&r);

    fetch("HEAD /sync HTTP/1.1\r\nHost: t\r\n\r\n", &r); /* GET routes answer HEAD */
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

static void test_async(void **state)
{
    (void)state;
    struct resp r;
    get("/async", &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.body, "{\"async\":true}");
    resp_free(&r);
}

static void test_keep_alive(void **state)
{
    (void)state;
    struct conn *c = conn_open();
    const char *reqs[] = {"GET /sync HTTP/1.1\r\nHost: t\r\n\r\n",
                          "GET /async HTTP/1.1\r\nHost: t\r\n\r\n",
                          "GET /api/nowhere HTTP/1.1\r\nHost: t\r\n\r\n",
                          "POST /sync HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc",
                          "GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n",
                          "GET /sync HTTP/1.1\r\nHost: t\r\n\r\n"};
    const int want[] = {200, 201, 404, 405, 200, 200};
    for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
        struct resp r;
        conn_send(c, reqs[i], strlen(reqs[i]));
        assert_int_equal(read_response(c, &r, 0, 0), 0);
        assert_int_equal(r.status, want[i]);
        const char *conn = resp_header(&r, "Connection");
        if (conn)
            fail_msg("response %zu says Connection: %s", i, conn);
        resp_free(&r);
    }
    /* pipelined: two requests in one write */
    const char *two = "GET /sync HTTP/1.1\r\nHost: t\r\n\r\nGET /race HTTP/1.1\r\nHost: t\r\n\r\n";
    conn_send(c, two, strlen(two));
    struct resp r;
    assert_int_equal(read_response(c, &r, 0, 0), 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_int_equal(read_response(c, &r, 0, 0), 0);
    assert_int_equal(r.status, 201);
    resp_free(&r);
    conn_close(c);
}

/* A reply from another thread racing the suspend, many times on one connection. */
static void test_reply_race(void **state)
{
    (void)state;
    struct conn *c = conn_open();
    const char *req = "GET /race HTTP/1.1\r\nHost: t\r\n\r\n";
    for (int i = 0; i < 300; i++) {
        struct resp r;
        conn_send(c, req, strlen(req));
        assert_int_equal(read_response(c, &r, 0, 0), 0);
        assert_int_equal(r.status, 201);
        resp_free(&r);
    }
    conn_close(c);
}

/* A continuation handed back by another thread runs on the connection's own polling thread, both
 * after the suspend and racing it; keep-alive holds across it. */
static void test_resume_with(void **state)
{
    (void)state;
    struct conn *c = conn_open();
    for (int i = 0; i < 200; i++) {
        const char *req = i % 20 ? "GET /resume-race HTTP/1.1\r\nHost: t\r\n\r\n"
                                 : "GET /resume HTTP/1.1\r\nHost: t\r\n\r\n";
        struct resp r;
        conn_send(c, req, strlen(req));
        assert_int_equal(read_response(c, &r, 0, 0), 0);
        assert_int_equal(r.status, 202);
        assert_null(resp_header(&r, "Connection"));
        assert_string_equal(r.body, "{\"handler_thread\":true,\"resumer_thread\":false}");
        resp_free(&r);
    }
    conn_close(c);
}

static void test_not_found_and_method(void **state)
{
    (void)state;
    struct resp r;
    get("/api/v1/nowhere", &r); /* no SPA fallback where routes live */
    assert_error(&r, 404, "not_found", NULL);
    resp_free(&r);
    post("/sync", "{}", &r);
    assert_error(&r, 405, "method_not_allowed", NULL);
    assert_string_equal(resp_header(&r, "Allow"), "GET");
    resp_free(&r);
    post("/index.html", "{}", &r); /* static files are GET/HEAD only */
    assert_error(&r, 405, "method_not_allowed", NULL);
    resp_free(&r);
}

static void test_too_large(void **state)
{
    (void)state;
    char body[200];
    memset(body, 'x', sizeof body - 1);
    body[sizeof body - 1] = 0;
    body[0] = '"';
    body[sizeof body - 2] = '"';
    struct resp r;
    post("/echo", body, &r);
    assert_error(&r, 413, "too_large", "body");
    resp_free(&r);

    /* chunked upload past the cap, then the connection still serves */
    struct conn *c = conn_open();
    const char *head = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    conn_send(c, head, strlen(head));
    for (int i = 0; i < 10; i++)
        conn_send(c, "10\r\n0123456789abcdef\r\n", 22);
    conn_send(c, "0\r\n\r\n", 5);
    assert_int_equal(read_response(c, &r, 0, 0), 0);
    assert_error(&r, 413, "too_large", "body");
    resp_free(&r);
    const char *next = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 7\r\n\r\n{\"a\":1}";
    conn_send(c, next, strlen(next));
    assert_int_equal(read_response(c, &r, 0, 0), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"got\":{\"a\":1}}");
    resp_free(&r);
    conn_close(c);
}

static void test_invalid_json(void **state)
{
    (void)state;
    struct resp r;
    post("/echo", "{\"a\": tru}", &r);
    assert_error(&r, 400, "invalid_json", "body");
    json_t *j = body_json(&r);
    const char *msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
    assert_non_null(strstr(msg, "line 1"));
    assert_non_null(strstr(msg, "column"));
    json_decref(j);
    resp_free(&r);

    const char *bad[] = {"", "[1,2]", "\"text\"", "{\"a\":1,\"a\":2}", "{\"a\":\"\xff\"}", "{"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        post("/echo", bad[i], &r);
        assert_error(&r, 400, "invalid_json", "body");
        resp_free(&r);
    }
    post("/echo", "{\"名\":\"值\"}", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"got\":{\"名\":\"值\"}}");
    resp_free(&r);
}

static void test_path_params(void **state)
{
    (void)state;
    struct resp r;
    get("/cases/%E6%9D%AD%E5%B7%9E/items/a%2Fb%20c", &r);
    assert_int_equal(r.status, 200);
    json_t *j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "code")), "杭州");
    assert_string_equal(json_string_value(json_object_get(j, "item")), "a/b c");
    json_decref(j);
    resp_free(&r);

    get("/cases/x/items/y/", &r); /* a trailing slash is the same path */
    assert_int_equal(r.status, 200);
    resp_free(&r);

    get("/cases/%FF/items/1", &r);
    assert_error(&r, 400, "invalid_path", "path");
    resp_free(&r);
    get("/cases/a%00b/items/1", &r);
    assert_error(&r, 400, "invalid_path", "path");
    resp_free(&r);
    get("/cases/%C0%AF/items/1", &r); /* overlong '/' */
    assert_error(&r, 400, "invalid_path", "path");
    resp_free(&r);

    get("/files/a/b/%E6%96%87.txt", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"rest\":\"a/b/文.txt\"}");
    resp_free(&r);
}

static void test_query_cookies_headers(void **state)
{
    (void)state;
    struct resp r;
    fetch("GET /q?a=1&b=%E4%B8%AD+x&flag HTTP/1.1\r\nHost: t\r\nX-Test: yes\r\n"
          "Cookie: other=1; sid=abc123\r\n\r\n",
          &r);
    assert_int_equal(r.status, 200);
    json_t *j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "a")), "1");
    assert_string_equal(json_string_value(json_object_get(j, "b")), "中 x");
    assert_true(json_is_null(json_object_get(j, "missing")));
    assert_string_equal(json_string_value(json_object_get(j, "sid")), "abc123");
    assert_string_equal(json_string_value(json_object_get(j, "hdr")), "yes");
    assert_string_equal(json_string_value(json_object_get(j, "ip")), "127.0.0.1");
    assert_string_equal(json_string_value(json_object_get(j, "path")), "/q");
    json_decref(j);
    /* both Set-Cookie headers made it */
    const char *first = strstr(r.head, "Set-Cookie: a=1");
    assert_non_null(first);
    assert_non_null(strstr(r.head, "Set-Cookie: b=2"));
    resp_free(&r);

    get("/q?a=%FF", &r); /* not text: refused, so a garbled filter can never widen a list */
    assert_int_equal(r.status, 400);
    j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
                        "invalid_value");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "field")), "a");
    json_decref(j);
    resp_free(&r);
}

static void test_replies(void **state)
{
    (void)state;
    struct resp r;
    get("/conflict", &r);
    assert_error(&r, 409, "illegal_transition", "status");
    resp_free(&r);

    get("/download", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "a,b\n1,2\n");
    assert_string_equal(resp_header(&r, "Content-Type"), "text/csv; charset=utf-8");
    assert_string_equal(resp_header(&r, "Content-Disposition"),
                        "attachment; filename=\"__ 2024.csv\"; "
                        "filename*=UTF-8''%E6%8A%A5%E5%91%8A%202024.csv");
    resp_free(&r);

    get("/bytes", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "pong");
    resp_free(&r);

    get("/nobody", &r);
    assert_error(&r, 500, "internal", NULL);
    resp_free(&r);
}

static void test_static(void **state)
{
    (void)state;
    struct resp r;
    get("/hello.txt", &r); /* a route of the same name wins */
    assert_string_equal(r.body, "pong");
    resp_free(&r);

    get("/", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "<h1>app</h1>");
    assert_string_equal(resp_header(&r, "Content-Type"), "text/html; charset=utf-8");
    assert_string_equal(resp_header(&r, "Cache-Control"), "no-cache");
    char etag[128];
    snprintf(etag, sizeof etag, "%s", resp_header(&r, "ETag"));
    assert_true(!strncmp(etag, "W/\"", 3));
    resp_free(&r);

    char raw[512];
    snprintf(raw, sizeof raw, "GET /index.html HTTP/1.1\r\nHost: t\r\nIf-None-Match: %s\r\n\r\n",
             etag);
    fetch(raw, &r);
    assert_int_equal(r.status, 304);
    resp_free(&r);

    get("/assets/app.123.js", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "console.log(1)");
    assert_string_equal(resp_header(&r, "Content-Type"), "text/javascript; charset=utf-8");
    assert_string_equal(resp_header(&r, "Cache-Control"), "public, max-age=31536000, immutable");
    resp_free(&r);

    get("/inbox/today", &r); /* a client-side route: SPA fallback */
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "<h1>app</h1>");
    resp_free(&r);

    get("/screen/wall/3", &r); /* the longest prefix wins */
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "<h1>screen</h1>");
    resp_free(&r);

    get("/missing.png", &r);
    assert_error(&r, 404, "not_found", NULL);
    resp_free(&r);
    get("/.secret", &r);
    assert_error(&r, 404, "not_found", NULL);
    resp_free(&r);

    const char *escapes[] = {"/../../etc/passwd", "/assets/../../etc/passwd", "/%2e%2e/etc/passwd",
                             "/assets/..%2f..%2fetc%2fpasswd", "/a/%2E%2E/%2E%2E/etc/hosts"};
    for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++) {
        get(escapes[i], &r);
        assert_error(&r, 400, "invalid_path", "path");
        assert_null(strstr(r.body, "root:"));
        resp_free(&r);
    }

    fetch("HEAD /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n", &r);
    resp_free(&r);
}

static void test_rate_limit(void **state)
{
    (void)state;
    struct resp r;
    for (int i = 0; i < 3; i++) {
        get("/limited", &r);
        assert_int_equal(r.status, 200);
        resp_free(&r);
    }
    get("/limited", &r);
    assert_error(&r, 429, "rate_limited", NULL);
    resp_free(&r);

    struct http_rate *rl = http_rate_new(4);
    assert_non_null(rl);
    assert_int_equal(http_rate_take(rl, "k", 60, 1), 1);
    assert_int_equal(http_rate_take(rl, "k", 60, 1), 0);
    for (int i = 0; i < 100; i++) { /* churn evicts the least recently used */
        char key[16];
        snprintf(key, sizeof key, "x%d", i);
        assert_int_equal(http_rate_take(rl, key, 60, 1), 1);
    }
    assert_int_equal(http_rate_take(rl, "k", 60, 1), 1); /* forgotten: full again */
    http_rate_free(rl);
}

static void test_stream(void **state)
{
    (void)state;
    int before = atomic_load(&streams_freed);
    struct resp r;
    struct conn *c = conn_open();
    const char *req = "GET /stream HTTP/1.1\r\nHost: t\r\n\r\n";
    conn_send(c, req, strlen(req));
    assert_int_equal(read_response(c, &r, 0, 0), 0);
    assert_int_equal(r.status, 200);
    assert_true(r.chunked);
    assert_string_equal(resp_header(&r, "Content-Type"), "text/event-stream; charset=utf-8");
    assert_string_equal(resp_header(&r, "Cache-Control"), "no-cache");
    assert_string_equal(resp_header(&r, "X-Accel-Buffering"), "no");
    assert_string_equal(r.body, "data: one\n\ndata: two\n\n");
    resp_free(&r);
    /* the connection goes on after the stream ended */
    const char *next = "GET /sync HTTP/1.1\r\nHost: t\r\n\r\n";
    conn_send(c, next, strlen(next));
    assert_int_equal(read_response(c, &r, 0, 0), 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    conn_close(c);
    for (int i = 0; i < 200 && atomic_load(&streams_freed) == before; i++)
        usleep(5000);
    assert_int_equal(atomic_load(&streams_freed), before + 1);

    /* a client that leaves while the stream is suspended: freed once it is woken */
    before = atomic_load(&streams_freed);
    c = conn_open();
    conn_send(c, req, strlen(req));
    assert_int_equal(read_response(c, &r, 0, 1), 0);
    resp_free(&r);
    conn_close(c);
    for (int i = 0; i < 400 && atomic_load(&streams_freed) == before; i++)
        usleep(5000);
    assert_int_equal(atomic_load(&streams_freed), before + 1);
}

/* Bytes no client should send: the server answers 4xx or closes, and stays up. */
static void test_garbage(void **state)
{
    (void)state;
    const char *junk[] = {
        "\r\n\r\n",
        "GARBAGE\r\n\r\n",
        "GET\r\n\r\n",
        "GET / HTTP/9.9\r\n\r\n",
        "GET /sync HTTP/1.1\r\nHost: t\r\nContent-Length: -5\r\n\r\n",
        "GET /sync HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "GET http://example.com/sync HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET /%%%%%/%zz/%%/%E6 HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET //// HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET /q?%00=%00&=&&==%FF HTTP/1.1\r\nHost: t\r\nCookie: ;;=;a;b=\"\r\n\r\n",
        "GET /sync HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n",
        "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        "OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        struct conn *c = conn_open();
        conn_send(c, junk[i], strlen(junk[i]));
        shutdown(c->fd, SHUT_WR);
        struct resp r;
        if (read_response(c, &r, 0, 0) == 0) {
            if (r.status >= 500 && r.status != 505) /* 505: MHD on "HTTP/9.9" */
                fail_msg("junk %zu got %d", i, r.status);
            resp_free(&r);
        }
        conn_close(c);
    }
    /* a very long path and many segments */
    char raw[12000];
    int n = snprintf(raw, sizeof raw, "GET ");
    for (int i = 0; i < 1000; i++)
        n += snprintf(raw + n, sizeof raw - (size_t)n, "/a");
    snprintf(raw + n, sizeof raw - (size_t)n, " HTTP/1.1\r\nHost: t\r\n\r\n");
    struct resp r;
    fetch(raw, &r);
    assert_true(r.status >= 400 && r.status < 500);
    resp_free(&r);

    get("/sync", &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

static void test_stats(void **state)
{
    (void)state;
    struct http_stats st;
    http_server_stats(srv, &st);
    assert_true(st.requests > 10);
    assert_true(st.responses_2xx > 5);
    assert_true(st.responses_4xx > 5);
    assert_true(st.responses_5xx >= 1); /* /nobody */
}

static void test_port_taken(void **state)
{
    (void)state;
    struct http_opts o = {.address = "127.0.0.1", .port = port};
    struct http_server *s = http_server_new(&o);
    struct fq_error e = {0};
    assert_int_equal(http_server_start(s, &e), FQ_EIO);
    assert_true(e.message[0] != 0);
    http_server_free(s);
    http_server_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync),
        cmocka_unit_test(test_async),
        cmocka_unit_test(test_keep_alive),
        cmocka_unit_test(test_reply_race),
        cmocka_unit_test(test_resume_with),
        cmocka_unit_test(test_not_found_and_method),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_invalid_json),
        cmocka_unit_test(test_path_params),
        cmocka_unit_test(test_query_cookies_headers),
        cmocka_unit_test(test_replies),
        cmocka_unit_test(test_static),
        cmocka_unit_test(test_rate_limit),
        cmocka_unit_test(test_stream),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_port_taken),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
