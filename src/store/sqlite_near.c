/* The recent-case index behind store_case_ids_near: per division, the newest cases (created_at,
 * id) in memory, so that an intake's duplicate candidates cost no SQLite read on the HTTP thread.
 * That read was the expensive part of an intake: the first read after any commit by the writer
 * makes SQLite drop the reader's page cache and unmap its mmap (docs/PERFORMANCE.md).
 *
 * Exactness: the writer's preupdate hook notes every insert into `cases`, every change of a
 * case's division or created_at and every delete as an operation of the open transaction; a job
 * rolled back to its savepoint takes its operations back (sq_near_rewind), a transaction rolled
 * back drops them all, and a COMMIT applies them (sq_near_commit) before any job is reported
 * done. So a division's ring holds every committed case of it whose key (created_at, id) lies
 * above the largest key it ever let go (`gone`: evicted to keep the ring bounded, or older than
 * the floor the index was loaded from). A lookup that does not need anything at or below that
 * key is answered from the ring; any other falls back to SQL. Writes by another process are not
 * seen, as for the other caches: run demo/init only without a server. */
#include "store/sqlite_int.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NEAR_RING 40         /* per division: the 30 candidates of an intake and some slack */
#define NEAR_BUCKETS 4096    /* divisions hash into these */
#define NEAR_DIVISIONS 200000 /* more divisions than this: the index turns itself off */
#define NEAR_OPS_MAX (1 << 20) /* a transaction noting more: the index turns itself off */

struct near_key {
    int64_t at, id;
};

struct near_div {
    struct near_div *next;
    char division[FQ_DIVISION_LEN + 1];
    int n;
    int64_t gone_at; /* cases created at or before this instant may be missing from e */
    struct near_key e[NEAR_RING]; /* ascending by (at, id) */
};

struct near_op {
    int add; /* 1 add, 0 remove */
    char division[FQ_DIVISION_LEN + 1];
    struct near_key k;
};

struct sq_near {
    pthread_rwlock_t lock; /* guards on, floor and the divisions */
    int on;
    int64_t floor;
    int ndivs;
    struct near_div *buckets[NEAR_BUCKETS];
    /* the open transaction's operations: only the thread holding the store's wlock */
    struct near_op *ops;
    int nops, cap, broken;
    _Atomic long long hits, misses;
};

struct sq_near *sq_near_new(void)
{
    struct sq_near *x = calloc(1, sizeof *x);
    if (x)
        pthread_rwlock_init(&x->lock, NULL);
    return x;
}

static void drop_divisions(struct sq_near *x)
{
    for (int i = 0; i < NEAR_BUCKETS; i++) {
        while (x->buckets[i]) {
            struct near_div *d = x->buckets[i];
            x->buckets[i] = d->next;
            free(d);
        }
    }
    x->ndivs = 0;
}

void sq_near_free(struct sq_near *x)
{
    if (!x)
        return;
    drop_divisions(x);
    free(x->ops);
    pthread_rwlock_destroy(&x->lock);
    free(x);
}

static unsigned bucket_of(const char *division)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)division; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % NEAR_BUCKETS;
}

static struct near_div *find_div(struct sq_near *x, const char *division)
{
    for (struct near_div *d = x->buckets[bucket_of(division)]; d; d = d->next)
        if (!strcmp(d->division, division))
            return d;
    return NULL;
}

static int key_less(struct near_key a, struct near_key b)
{
    return a.at < b.at || (a.at == b.at && a.id < b.id);
}

/* Adds k to the division's ring (wrlock held); 0 or FQ_ENOMEM / FQ_ETOOBIG (then the caller
 * turns the index off: a division it cannot hold would read as one without cases). */
static int ring_add(struct sq_near *x, const char *division, struct near_key k)
{
    if (strlen(division) > FQ_DIVISION_LEN)
        return FQ_ETOOBIG;
    if (k.at < x->floor)
        return 0; /* below the floor: not held */
    struct near_div *d = find_div(x, division);
    if (!d) {
        if (x->ndivs >= NEAR_DIVISIONS)
            return FQ_ETOOBIG;
        if (!(d = calloc(1, sizeof *d)))
            return FQ_ENOMEM;
        unsigned b = bucket_of(division);
        memcpy(d->division, division, strlen(division) + 1);
        d->gone_at = x->floor - 1;
        d->next = x->buckets[b];
        x->buckets[b] = d;
        x->ndivs++;
    }
    if (k.at <= d->gone_at)
        return 0; /* in the part of the past the ring does not claim to hold */
    int pos = d->n;
    while (pos > 0 && key_less(k, d->e[pos - 1]))
        pos--;
    if (pos > 0 && d->e[pos - 1].id == k.id && d->e[pos - 1].at == k.at)
        return 0; /* already held (a load racing a commit) */
    if (d->n == NEAR_RING) { /* let the oldest go */
        if (pos == 0) {
            d->gone_at = k.at > d->gone_at ? k.at : d->gone_at;
            return 0;
        }
        if (d->e[0].at > d->gone_at)
            d->gone_at = d->e[0].at;
        memmove(&d->e[0], &d->e[1], (size_t)(pos - 1) * sizeof d->e[0]);
        d->e[pos - 1] = k;
        return 0;
    }
    memmove(&d->e[pos + 1], &d->e[pos], (size_t)(d->n - pos) * sizeof d->e[0]);
    d->e[pos] = k;
    d->n++;
    return 0;
}

static void ring_remove(struct sq_near *x, const char *division, struct near_key k)
{
    struct near_div *d = find_div(x, division);
    for (int i = 0; d && i < d->n; i++) {
        if (d->e[i].id == k.id) {
            memmove(&d->e[i], &d->e[i + 1], (size_t)(d->n - i - 1) * sizeof d->e[0]);
            d->n--;
            return;
        }
    }
}

void sq_near_note(struct sq_near *x, int add, const char *division, int64_t created_at, int64_t id)
{
    if (!x || !x->on || x->broken)
        return;
    if (!division || strlen(division) > FQ_DIVISION_LEN) {
        x->broken = 1; /* a row it cannot place */
        return;
    }
    if (x->nops == x->cap) {
        int ncap = x->cap ? 2 * x->cap : 64;
        void *p = ncap <= NEAR_OPS_MAX ? realloc(x->ops, (size_t)ncap * sizeof *x->ops) : NULL;
        if (!p) {
            x->broken = 1; /* cannot note it: the commit turns the index off */
            return;
        }
        x->ops = p;
        x->cap = ncap;
    }
    struct near_op *o = &x->ops[x->nops++];
    o->add = add;
    memcpy(o->division, division, strlen(division) + 1);
    o->k = (struct near_key){created_at, id};
}

int sq_near_mark(struct sq_near *x)
{
    return x ? x->nops : 0;
}

void sq_near_rewind(struct sq_near *x, int mark)
{
    if (x && mark <= x->nops)
        x->nops = mark;
}

static void turn_off(struct sq_near *x)
{
    x->on = 0;
    drop_divisions(x);
}

void sq_near_end(struct sq_near *x, int committed)
{
    if (!x)
        return;
    if (committed && (x->nops || x->broken)) {
        pthread_rwlock_wrlock(&x->lock);
        if (x->broken)
            turn_off(x);
        for (int i = 0; x->on && i < x->nops; i++) {
            struct near_op *o = &x->ops[i];
            if (!o->add)
                ring_remove(x, o->division, o->k);
            else if (ring_add(x, o->division, o->k))
                turn_off(x);
        }
        pthread_rwlock_unlock(&x->lock);
    }
    x->nops = 0;
    x->broken = 0;
}

int sq_near_start(struct sq_near *x, struct sq_conn *c, int64_t since)
{
    sqlite3_stmt *st = NULL;
    int rc = 0, s;
    if (sqlite3_prepare_v2(c->db, "SELECT division, created_at, id FROM cases INDEXED BY "
                                  "cases_created WHERE created_at >= ?1 ORDER BY created_at, id",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return sq_error(c, sqlite3_errcode(c->db), "near load");
    }
    sqlite3_bind_int64(st, 1, since);
    pthread_rwlock_wrlock(&x->lock);
    turn_off(x);
    x->floor = since;
    while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *division = (const char *)sqlite3_column_text(st, 0);
        struct near_key k = {sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2)};
        rc = ring_add(x, division ? division : "", k);
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = sq_error(c, s, "near load");
    if (rc)
        drop_divisions(x);
    x->on = rc == 0;
    pthread_rwlock_unlock(&x->lock);
    sqlite3_finalize(st);
    return rc;
}

void sq_near_stop(struct sq_near *x)
{
    pthread_rwlock_wrlock(&x->lock);
    turn_off(x);
    pthread_rwlock_unlock(&x->lock);
}

int sq_near_ids(struct sq_near *x, const char *division, int64_t from, int64_t to,
                int64_t exclude, int max, int64_t *ids, int *n)
{
    if (!x || !division)
        return 0;
    int exact = 0;
    pthread_rwlock_rdlock(&x->lock);
    if (x->on && from >= x->floor) {
        struct near_div *d = find_div(x, division);
        int k = 0;
        int64_t last_at = INT64_MAX;
        for (int i = d ? d->n - 1 : -1; i >= 0 && k < max && d->e[i].at >= from; i--) {
            if (d->e[i].at < to && d->e[i].id != exclude) {
                ids[k++] = d->e[i].id;
                last_at = d->e[i].at;
            }
        }
        /* A case the ring lacks was created at or before gone_at, and every case it holds at or
         * after it: exact when everything it may lack is older than from, or when it has max
         * of them all newer than anything it may lack. */
        exact = !d || d->gone_at < from || (k == max && last_at > d->gone_at);
        if (exact)
            *n = k;
    }
    pthread_rwlock_unlock(&x->lock);
    atomic_fetch_add(exact ? &x->hits : &x->misses, 1);
    return exact;
}

void sq_near_counts(struct sq_near *x, long long *hits, long long *misses)
{
    *hits = x ? atomic_load(&x->hits) : 0;
    *misses = x ? atomic_load(&x->misses) : 0;
}
