/* The deadline timer: a thread that, every interval, turns cases yellow at their warning instant
 * and red when overdue (urging automatically), and opens a supervision order for cases overdue by
 * more than the configured margin. Each change is a hash-chained event like any other. */
#ifndef FQ_CORE_TIMER_H
#define FQ_CORE_TIMER_H

#include "core/domain.h"

struct timer;

/* Called (on the timer thread) for each case whose light or supervision changed. */
typedef void (*timer_change_fn)(const struct fq_case *c, const char *what, void *arg);

/* Starts the timer; NULL on failure. */
struct timer *timer_start(struct fq_domain *d, int interval_ms, timer_change_fn fn, void *arg);
/* Runs one pass now on the caller's thread; returns the number of cases changed. */
int timer_pass(struct fq_domain *d, timer_change_fn fn, void *arg);
/* Stops and joins the thread. NULL is a no-op. */
void timer_stop(struct timer *t);

#endif
