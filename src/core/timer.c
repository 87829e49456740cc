/* The deadline timer thread (see timer.h). Work is found by indexed queries on warn_at/due_at
 * of open cases, so a pass over a city with nothing due costs two index probes. */
#include "core/timer.h"
#include "core/case.h"
#include "util/clock.h"
#include "util/log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PASS_MAX 256

struct timer {
    struct fq_domain *d;
    int interval_ms;
    timer_change_fn fn;
    void *arg;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
};

struct refresh_job {
    struct fq_domain *d;
    char (*codes)[FQ_CODE_LEN + 1];
    int n, supervise;
    int64_t now;
    struct fq_case *out; /* n cases */
    int *ok;
};

static int refresh_tx(struct store_tx *tx, void *arg)
{
    struct refresh_job *j = arg;
    for (int i = 0; i < j->n; i++)
        j->ok[i] = case_refresh_tx(tx, j->d, j->codes[i], j->now, j->supervise, &j->out[i]) == 0;
    return 0;
}

static int run_batch(struct fq_domain *d, char (*codes)[FQ_CODE_LEN + 1], int n, int supervise,
                     int64_t now, timer_change_fn fn, void *arg)
{
    struct refresh_job j = {d, codes, n, supervise, now, calloc((size_t)n, sizeof(struct fq_case)),
                            calloc((size_t)n, sizeof(int))};
    int changed = 0;
    if (j.out && j.ok && store_write(d->store, refresh_tx, &j) == 0) {
        for (int i = 0; i < n; i++) {
            if (!j.ok[i])
                continue;
            changed++;
            if (fn)
                fn(&j.out[i], supervise ? "supervise" : light_name(j.out[i].light), arg);
        }
    }
    for (int i = 0; j.out && i < n; i++)
        fq_case_clear(&j.out[i]);
    free(j.out);
    free(j.ok);
    return changed;
}

int timer_pass(struct fq_domain *d, timer_change_fn fn, void *arg)
{
    struct store_rd *rd = store_rd(d->store);
    char (*codes)[FQ_CODE_LEN + 1] = NULL;
    int n = 0, changed = 0;
    int64_t now = fq_now_ms();
    if (!rd)
        return 0;
    if (store_cases_due(rd, now, PASS_MAX, &codes, &n) == 0 && n > 0)
        changed += run_batch(d, codes, n, 0, now, fn, arg);
    free(codes);
    codes = NULL;
    n = 0;
    if (store_cases_to_supervise(rd, now, d->supervise_margin_ms, PASS_MAX, &codes, &n) == 0 && n > 0)
        changed += run_batch(d, codes, n, 1, now, fn, arg);
    free(codes);
    return changed;
}

static void *timer_main(void *arg)
{
    struct timer *t = arg;
    pthread_mutex_lock(&t->mu);
    while (!t->stop) {
        pthread_mutex_unlock(&t->mu);
        int changed;
        do { /* catch up in batches after a long pause */
            changed = timer_pass(t->d, t->fn, t->arg);
            if (changed)
                log_debug("timer: %d cases changed", changed);
        } while (changed >= PASS_MAX && !t->stop);
        pthread_mutex_lock(&t->mu);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += t->interval_ms / 1000;
        ts.tv_nsec += (long)(t->interval_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        if (!t->stop)
            pthread_cond_timedwait(&t->cv, &t->mu, &ts);
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

struct timer *timer_start(struct fq_domain *d, int interval_ms, timer_change_fn fn, void *arg)
{
    struct timer *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->d = d;
    t->interval_ms = interval_ms > 0 ? interval_ms : 30000;
    t->fn = fn;
    t->arg = arg;
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    if (pthread_create(&t->thread, NULL, timer_main, t)) {
        free(t);
        return NULL;
    }
    return t;
}

void timer_stop(struct timer *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    t->stop = 1;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->thread, NULL);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
    free(t);
}
