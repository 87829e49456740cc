/* GET /api/v1/events: server-sent events of case changes within the caller's scope, for inboxes,
 * dashboards and the big screen. Each client is a bus subscriber; a publish wakes its suspended
 * stream, so an idle client costs no thread. Slow clients lose old messages and get a "reset"
 * event telling them to reload. */
#include "api/api.h"
#include "core/ident.h"
#include "util/clock.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEEPALIVE_MS 15000

struct sse {
    pthread_mutex_t mu;
    struct bus *bus;
    struct bus_sub *sub;
    struct http_stream *stream;
    char division[FQ_DIVISION_LEN + 1];
    int64_t department;
    int64_t last_write;
    int sent_hello;
    struct bus_msg pending;       /* taken from the bus but not yet sent (did not fit in buf) */
    int has_pending;
};

static void sse_notify(void *arg)
{
    struct sse *s = arg;
    pthread_mutex_lock(&s->mu);
    if (s->stream)
        http_stream_wake(s->stream);
    pthread_mutex_unlock(&s->mu);
}

static int visible(const struct sse *s, const struct bus_msg *m)
{
    if (s->division[0] && !division_contains(s->division, m->division))
        return 0;
    if (!s->department)
        return 1;
    for (int i = 0; i < m->ndepartments; i++)
        if (m->departments[i] == s->department)
            return 1;
    return 0;
}

static long sse_read(void *arg, char *buf, size_t max)
{
    struct sse *s = arg;
    struct bus_msg m;
    int64_t now = fq_now_ms();
    if (!s->sent_hello) {
        s->sent_hello = 1;
        s->last_write = now;
        return snprintf(buf, max, "retry: 3000\nevent: hello\ndata: {}\n\n");
    }
    for (;;) {
        if (s->has_pending) {
            m = s->pending;
        } else {
            int got = bus_next(s->sub, 0, &m);
            if (got == 0)
                break;
            if (got < 0) {
                s->last_write = now;
                return snprintf(buf, max, "event: reset\ndata: {\"dropped\":%lld}\n\n", (long long)m.id);
            }
            if (!visible(s, &m)) {
                free(m.json);
                continue;
            }
        }
        size_t need = strlen(m.json) + 64;
        if (need >= max) { /* keep it for the next call, which gets a fresh buffer */
            s->pending = m;
            s->has_pending = 1;
            if (need > 65536) { /* can never fit: drop it rather than stall the stream */
                free(m.json);
                s->has_pending = 0;
            }
            return 0 < max ? (long)snprintf(buf, max, ": \n\n") : 0;
        }
        s->has_pending = 0;
        long n = snprintf(buf, max, "id: %lld\nevent: case\ndata: %s\n\n", (long long)m.id, m.json);
        free(m.json);
        s->last_write = now;
        return n;
    }
    if (now - s->last_write >= KEEPALIVE_MS) {
        s->last_write = now;
        return snprintf(buf, max, ": keep-alive\n\n");
    }
    return 0; /* the server suspends us until a publish wakes the stream */
}

static void sse_free(void *arg)
{
    struct sse *s = arg;
    bus_unsubscribe(s->bus, s->sub); /* after this no notify runs */
    if (s->has_pending)
        free(s->pending.json);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static void h_events(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    if (!u)
        return;
    if (!ctx->dom->bus) {
        http_reply_fail(r, 503, "unavailable", "", "事件流不可用 (events unavailable)");
        return;
    }
    struct sse *s = calloc(1, sizeof *s);
    if (!s) {
        http_reply_fail(r, 503, "busy", "", "内存不足 (out of memory)");
        return;
    }
    pthread_mutex_init(&s->mu, NULL);
    s->bus = ctx->dom->bus;
    snprintf(s->division, sizeof s->division, "%s", u->u.division);
    s->department = u->u.department_id;
    s->sub = bus_subscribe_notify(ctx->dom->bus, 256, sse_notify, s);
    if (!s->sub) {
        pthread_mutex_destroy(&s->mu);
        free(s);
        http_reply_fail(r, 503, "busy", "", "订阅失败 (cannot subscribe)");
        return;
    }
    http_add_header(r, "Cache-Control", "no-cache");
    http_add_header(r, "X-Accel-Buffering", "no");
    pthread_mutex_lock(&s->mu);
    s->stream = http_reply_stream(r, "text/event-stream; charset=utf-8", sse_read, s, sse_free);
    pthread_mutex_unlock(&s->mu);
}

void api_event_routes(struct api_ctx *ctx)
{
    http_route(ctx->http, "GET", "/api/v1/events", h_events, ctx, 0);
}
