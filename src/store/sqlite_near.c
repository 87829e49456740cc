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
 * seen, as for the other caches: run demo/init only without a server.
 *
 * The same notes keep a second, smaller index for repeat petitions (store_cases_by_party): each
 * party blind index (ID or phone) seen with the latest instant a case of it may have been created
 * (the case's created_at when loaded; after that the commit's time, or the latest created_at the
 * transaction wrote if later). A blind index absent from it, or last seen before `since`, has no
 * case the SQL would return: the intake skips that read (a first-time caller, the common case).
 * An extra or too-late entry only costs the SQL read; entries fall out a day after they stop
 * mattering to the 90-day window (NEAR_PARTY_KEEP_MS). Sound as long as no case is created with
 * a created_at later than its commit (cases' created_at changed afterwards turn it off). */
#include "store/sqlite_int.h"
#include "util/clock.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NEAR_RING 40         /* per division: the 30 candidates of an intake and some slack */
#define NEAR_BUCKETS 4096    /* divisions hash into these */
#define NEAR_DIVISIONS 200000 /* more divisions than this: the index turns itself off */
#define NEAR_OPS_MAX (1 << 20) /* a transaction noting more: the index turns itself off */
#define NEAR_PARTY_KEEP_MS ((90LL + 1) * 86400000) /* the repeat window and a day */
#define NEAR_PARTIES_MAX (1 << 24) /* more blind indexes than this: the index turns itself off */

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
    int add; /* 1 add, 0 remove (a case); 2 a party's blind index (bidx) */
    char division[FQ_DIVISION_LEN + 1];
    struct near_key k;
    unsigned char bidx[16];
};

/* A party blind index and the latest instant a case of it may have been created. */
struct near_party {
    unsigned char bidx[16];
    int64_t at; /* 0: empty slot */
};

struct sq_near {
    pthread_rwlock_t lock; /* guards on, floor and the divisions */
    int on;
    int64_t floor, pfloor; /* cases created before them are not held (rings, parties) */
    int ndivs;
    struct near_div *buckets[NEAR_BUCKETS];
    struct near_party *parties; /* open addressing, pcap a power of two, at most half full */
    size_t pcap, pn, pn_pruned; /* pn_pruned: pn after the last pruning */
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
    free(x->parties);
    x->parties = NULL;
    x->pcap = x->pn = x->pn_pruned = 0;
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

static size_t party_slot(const struct near_party *t, size_t cap, const unsigned char bidx[16])
{
    uint64_t h;
    memcpy(&h, bidx, sizeof h); /* a keyed hash already: its bytes are uniform */
    size_t i = (size_t)h & (cap - 1);
    while (t[i].at && memcmp(t[i].bidx, bidx, 16))
        i = (i + 1) & (cap - 1);
    return i;
}

/* Rebuilds the table at cap slots keeping the entries at or after keep_from; 0 or FQ_ENOMEM. */
static int party_rebuild(struct sq_near *x, size_t cap, int64_t keep_from)
{
    struct near_party *t = calloc(cap, sizeof *t);
    if (!t)
        return FQ_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < x->pcap; i++) {
        if (x->parties[i].at && x->parties[i].at >= keep_from) {
            t[party_slot(t, cap, x->parties[i].bidx)] = x->parties[i];
            n++;
        }
    }
    free(x->parties);
    x->parties = t;
    x->pcap = cap;
    x->pn = x->pn_pruned = n;
    return 0;
}

/* Notes that a case of bidx may have been created at `at` (wrlock held); 0, FQ_ENOMEM or
 * FQ_ETOOBIG (then the caller turns the index off). */
static int party_add(struct sq_near *x, const unsigned char bidx[16], int64_t at)
{
    if (2 * (x->pn + 1) > x->pcap) {
        if (x->pn >= NEAR_PARTIES_MAX)
            return FQ_ETOOBIG;
        /* grown by half since the last pruning: drop what no window reaches, else double */
        int64_t keep = x->pn >= 2 * x->pn_pruned ? at - NEAR_PARTY_KEEP_MS : INT64_MIN;
        size_t cap = x->pcap ? x->pcap : 1024;
        int rc = party_rebuild(x, cap, keep);
        if (rc == 0 && 2 * (x->pn + 1) > x->pcap)
            rc = party_rebuild(x, 2 * cap, INT64_MIN);
        if (rc)
            return rc;
    }
    struct near_party *e = &x->parties[party_slot(x->parties, x->pcap, bidx)];
    if (!e->at) {
        memcpy(e->bidx, bidx, 16);
        x->pn++;
    }
    if (at > e->at)
        e->at = at;
    return 0;
}

void sq_near_note_party(struct sq_near *x, const void *bidx, int len)
{
    if (!x || !x->on || x->broken || !bidx || len != 16)
        return; /* a blind index of another length never matches a lookup */
    sq_near_note(x, 2, "", 0, 0);
    if (!x->broken && x->nops > 0)
        memcpy(x->ops[x->nops - 1].bidx, bidx, 16);
}

void sq_near_break(struct sq_near *x)
{
    if (x && x->on)
        x->broken = 1;
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
        /* a party's cases were created at the latest now, or when the transaction says so */
        int64_t at = fq_now_ms();
        for (int i = 0; i < x->nops; i++)
            if (x->ops[i].add == 1 && x->ops[i].k.at > at)
                at = x->ops[i].k.at;
        pthread_rwlock_wrlock(&x->lock);
        if (x->broken)
            turn_off(x);
        for (int i = 0; x->on && i < x->nops; i++) {
            struct near_op *o = &x->ops[i];
            if (o->add == 2 ? party_add(x, o->bidx, at)
                : o->add ? ring_add(x, o->division, o->k)
                         : (ring_remove(x, o->division, o->k), 0))
                turn_off(x);
        }
        pthread_rwlock_unlock(&x->lock);
    }
    x->nops = 0;
    x->broken = 0;
}

int sq_near_start(struct sq_near *x, struct sq_conn *c, int64_t since, int64_t party_since)
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
    x->pfloor = party_since;
    while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *division = (const char *)sqlite3_column_text(st, 0);
        struct near_key k = {sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2)};
        rc = ring_add(x, division ? division : "", k);
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = sq_error(c, s, "near load");
    sqlite3_finalize(st);
    st = NULL;
    if (rc == 0 && sqlite3_prepare_v2(c->db, "SELECT p.id_bidx, p.phone_bidx, c.created_at FROM "
                                             "cases c JOIN parties p ON p.case_id = c.id WHERE "
                                             "c.created_at >= ?1",
                                      -1, &st, NULL) != SQLITE_OK)
        rc = sq_error(c, sqlite3_errcode(c->db), "near load parties");
    if (rc == 0) {
        sqlite3_bind_int64(st, 1, party_since);
        while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW)
            for (int col = 0; col < 2 && rc == 0; col++)
                if (sqlite3_column_bytes(st, col) == 16)
                    rc = party_add(x, sqlite3_column_blob(st, col), sqlite3_column_int64(st, 2));
        if (rc == 0 && s != SQLITE_DONE)
            rc = sq_error(c, s, "near load parties");
    }
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
                int64_t exclude, int max, int64_t *ids, int64_t *ats, int *n)
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
                if (ats)
                    ats[k] = d->e[i].at;
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

int sq_near_party_absent(struct sq_near *x, const unsigned char bidx[16], int64_t since)
{
    if (!x)
        return 0;
    int absent = 0;
    pthread_rwlock_rdlock(&x->lock);
    if (x->on && since >= x->pfloor) {
        if (!x->pcap)
            absent = 1;
        else {
            const struct near_party *e = &x->parties[party_slot(x->parties, x->pcap, bidx)];
            absent = !e->at || e->at < since;
        }
    }
    pthread_rwlock_unlock(&x->lock);
    atomic_fetch_add(absent ? &x->hits : &x->misses, 1);
    return absent;
}

void sq_near_counts(struct sq_near *x, long long *hits, long long *misses)
{
    *hits = x ? atomic_load(&x->hits) : 0;
    *misses = x ? atomic_load(&x->misses) : 0;
}
