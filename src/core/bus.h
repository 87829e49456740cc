/* Event bus: case changes published by the writer side, fanned out to subscribers (server-sent
 * events). Each subscriber has a bounded ring; a slow subscriber loses its oldest messages and
 * is told so, never blocking the publisher. */
#ifndef FQ_CORE_BUS_H
#define FQ_CORE_BUS_H

#include <stddef.h>
#include <stdint.h>

struct bus;
struct bus_sub;

/* A message: the case's division (for scope filtering), its department ids (for department
 * scope) and the JSON text sent to the browser. */
struct bus_msg {
    int64_t id;                 /* monotonically increasing */
    char division[13];
    int64_t departments[8];
    int ndepartments;
    char *json;                 /* owned by the bus */
};

struct bus *bus_new(void);
void bus_free(struct bus *b);
/* Copies json and delivers it to every subscriber. Never blocks for long. */
void bus_publish(struct bus *b, const char *division, const int64_t *departments, int ndepartments,
                 const char *json);
/* 1 when anyone is subscribed: a publisher may skip building a message nobody would receive
 * (a subscriber arriving just after the answer misses it, as if it had come a moment later). */
int bus_has_subscribers(struct bus *b);
/* A subscriber with room for `cap` messages; NULL when out of memory. */
struct bus_sub *bus_subscribe(struct bus *b, int cap);
/* The same, and notify(arg) is called (from the publishing thread, under the bus lock — it must
 * be quick and must not call back into the bus) each time a message is delivered to this
 * subscriber. After bus_unsubscribe returns, notify is never called again. */
struct bus_sub *bus_subscribe_notify(struct bus *b, int cap, void (*notify)(void *arg), void *arg);
void bus_unsubscribe(struct bus *b, struct bus_sub *s);
/* Waits up to timeout_ms for the next message after the last one taken; copies it into *out
 * (caller frees out->json). 1 when a message was taken, 0 on timeout, -1 when messages were
 * dropped (out->id holds how many) — the subscriber should tell the client to refresh.
 * timeout_ms 0 only polls, < 0 waits without limit; after bus_close it returns 0 at once when
 * nothing is left. */
int bus_next(struct bus_sub *s, int timeout_ms, struct bus_msg *out);
/* Wakes every waiting subscriber (shutdown). */
void bus_close(struct bus *b);

#endif
