/* The event bus between the writer and the server-sent-event streams.
 *
 * One mutex guards the subscriber list and every subscriber's ring; one condition variable (on
 * CLOCK_MONOTONIC, so a clock change never stretches a wait) wakes waiters after a publish or
 * close. Publishing copies the JSON into each ring and never waits for a reader: a full ring
 * drops its oldest message and counts the loss, and the subscriber's next bus_next reports the
 * count once (-1) before the messages that remain, so the browser knows to reload rather than
 * show a timeline with holes. A subscriber served by an event loop rather than a blocked thread
 * (the SSE streams) gets a notify callback, run under the lock right after each delivery, so
 * unsubscribing under the same lock guarantees no callback runs afterwards. */
#include "core/bus.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct bus_sub {
    struct bus *bus;
    struct bus_sub *next;
    struct bus_msg *ring;
    int cap, head, count;      /* head: the oldest message */
    int64_t dropped;           /* lost since last reported */
    void (*notify)(void *arg); /* called under the lock after each delivery, or NULL */
    void *notify_arg;
};

struct bus {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct bus_sub *subs;
    int64_t last_id;
    int closed;
};

struct bus *bus_new(void)
{
    struct bus *b = calloc(1, sizeof *b);
    pthread_condattr_t attr;
    if (!b)
        return NULL;
    if (pthread_condattr_init(&attr))
        goto fail;
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&b->cv, &attr);
    pthread_condattr_destroy(&attr);
    if (rc)
        goto fail;
    if (pthread_mutex_init(&b->mu, NULL)) {
        pthread_cond_destroy(&b->cv);
        goto fail;
    }
    return b;
fail:
    free(b);
    return NULL;
}

static void sub_free(struct bus_sub *s)
{
    for (int i = 0; i < s->count; i++)
        free(s->ring[(s->head + i) % s->cap].json);
    free(s->ring);
    free(s);
}

void bus_free(struct bus *b)
{
    if (!b)
        return;
    while (b->subs) {
        struct bus_sub *s = b->subs;
        b->subs = s->next;
        sub_free(s);
    }
    pthread_cond_destroy(&b->cv);
    pthread_mutex_destroy(&b->mu);
    free(b);
}

int bus_has_subscribers(struct bus *b)
{
    pthread_mutex_lock(&b->mu);
    int any = b->subs != NULL;
    pthread_mutex_unlock(&b->mu);
    return any;
}

void bus_publish(struct bus *b, const char *division, const int64_t *departments, int ndepartments,
                 const char *json)
{
    struct bus_msg m;
    memset(&m, 0, sizeof m);
    if (division)
        strncpy(m.division, division, sizeof m.division - 1);
    if (ndepartments < 0 || !departments)
        ndepartments = 0;
    if (ndepartments > (int)(sizeof m.departments / sizeof m.departments[0]))
        ndepartments = (int)(sizeof m.departments / sizeof m.departments[0]);
    if (ndepartments)
        memcpy(m.departments, departments, (size_t)ndepartments * sizeof *departments);
    m.ndepartments = ndepartments;
    if (!json)
        json = "";
    size_t n = strlen(json) + 1;

    pthread_mutex_lock(&b->mu);
    m.id = ++b->last_id;
    for (struct bus_sub *s = b->subs; s; s = s->next) {
        if (s->count == s->cap) { /* full: the oldest message goes */
            free(s->ring[s->head].json);
            s->head = (s->head + 1) % s->cap;
            s->count--;
            s->dropped++;
        }
        char *copy = malloc(n);
        if (copy) {
            memcpy(copy, json, n);
            struct bus_msg *slot = &s->ring[(s->head + s->count) % s->cap];
            *slot = m;
            slot->json = copy;
            s->count++;
        } else {
            s->dropped++; /* reported like an overflow */
        }
        if (s->notify) /* either way there is something to read now */
            s->notify(s->notify_arg);
    }
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

struct bus_sub *bus_subscribe(struct bus *b, int cap)
{
    return bus_subscribe_notify(b, cap, NULL, NULL);
}

struct bus_sub *bus_subscribe_notify(struct bus *b, int cap, void (*notify)(void *arg), void *arg)
{
    if (cap < 1)
        cap = 1;
    struct bus_sub *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->ring = calloc((size_t)cap, sizeof *s->ring);
    if (!s->ring) {
        free(s);
        return NULL;
    }
    s->cap = cap;
    s->bus = b;
    s->notify = notify;
    s->notify_arg = arg;
    pthread_mutex_lock(&b->mu);
    s->next = b->subs;
    b->subs = s;
    pthread_mutex_unlock(&b->mu);
    return s;
}

void bus_unsubscribe(struct bus *b, struct bus_sub *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&b->mu);
    for (struct bus_sub **p = &b->subs; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    pthread_mutex_unlock(&b->mu);
    sub_free(s);
}

/* The absolute CLOCK_MONOTONIC instant timeout_ms from now. */
static struct timespec deadline_after(int timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

int bus_next(struct bus_sub *s, int timeout_ms, struct bus_msg *out)
{
    struct bus *b = s->bus;
    struct timespec until = deadline_after(timeout_ms > 0 ? timeout_ms : 0);
    int rc = 0;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&b->mu);
    for (;;) {
        if (s->dropped) {
            out->id = s->dropped;
            s->dropped = 0;
            rc = -1;
            break;
        }
        if (s->count) {
            *out = s->ring[s->head]; /* the json moves to the caller */
            s->ring[s->head].json = NULL;
            s->head = (s->head + 1) % s->cap;
            s->count--;
            rc = 1;
            break;
        }
        if (b->closed || timeout_ms == 0)
            break;
        int w = timeout_ms < 0 ? pthread_cond_wait(&b->cv, &b->mu)
                               : pthread_cond_timedwait(&b->cv, &b->mu, &until);
        if (w == ETIMEDOUT)
            timeout_ms = 0; /* one last look, then give up */
    }
    pthread_mutex_unlock(&b->mu);
    return rc;
}

void bus_close(struct bus *b)
{
    pthread_mutex_lock(&b->mu);
    b->closed = 1;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
}
