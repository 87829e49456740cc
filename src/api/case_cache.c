/* The case response cache (see case_cache.h for the contract and the invalidation protocol).
 *
 * Layout: entries live in 16 shards by case id (a chained hash table, a CLOCK ring for eviction,
 * a ring of tombstones); a separate set-associative table maps codes to ids. That map is a hint
 * only — a code maps to one id for life — so it is never invalidated, and a slot overwritten by
 * another code just costs a miss. */
#include "api/case_cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define NSHARDS 16
#define TOMBS 256          /* tombstones per shard */
#define ENTRY_MIN 512      /* bytes per entry assumed when sizing the tables */
#define CODE_WAYS 4
#define CODE_LOCKS 64

struct case_cache_entry {
    _Atomic int refs;
    int ring;                     /* index in the shard's ring, -1 when not in the cache */
    unsigned char used;           /* CLOCK: read since the hand last passed */
    struct case_cache_entry *next; /* hash chain */
    size_t size;                  /* bytes charged to the cache */
    struct case_view v;           /* departments and body point into data */
    _Alignas(int64_t) char data[];
};

struct tomb {
    int64_t id;
    uint64_t seq;
};

struct shard {
    pthread_mutex_t mu;
    struct case_cache_entry **buckets; /* mask + 1 chains */
    size_t mask;
    struct case_cache_entry **ring;    /* the entries, for CLOCK */
    size_t nring, cap, hand;
    size_t bytes, max_bytes;
    struct tomb tombs[TOMBS];
    size_t tomb_next;
    uint64_t floor;                    /* readers older than this are refused */
    uint64_t hits, inserts, refused, invalidations, evictions; /* under mu */
    _Atomic uint64_t misses;
} __attribute__((aligned(64)));

struct code_slot {
    uint32_t tag;                 /* high bits of the code's hash: most mismatches stop here */
    char code[FQ_CODE_LEN + 1];
    int64_t id;
};

struct case_cache {
    struct shard shards[NSHARDS];
    _Atomic uint64_t seq;
    size_t max_bytes;
    struct code_slot *codes;           /* nsets * CODE_WAYS */
    size_t code_mask;                  /* nsets - 1 */
    pthread_mutex_t code_mu[CODE_LOCKS];
};

static uint64_t code_hash(const char *code)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)code; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return h;
}

static size_t pow2_at_least(size_t n)
{
    size_t p = 16;
    while (p < n)
        p <<= 1;
    return p;
}

struct case_cache *case_cache_new(size_t max_bytes)
{
    struct case_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->max_bytes = max_bytes;
    size_t entries = max_bytes / ENTRY_MIN / NSHARDS + 1;
    size_t nsets = pow2_at_least(max_bytes / ENTRY_MIN / CODE_WAYS + 1);
    c->codes = calloc(nsets * CODE_WAYS, sizeof *c->codes);
    c->code_mask = nsets - 1;
    for (int i = 0; i < CODE_LOCKS; i++)
        pthread_mutex_init(&c->code_mu[i], NULL);
    int ok = c->codes != NULL;
    for (int i = 0; i < NSHARDS; i++) {
        struct shard *s = &c->shards[i];
        pthread_mutex_init(&s->mu, NULL);
        s->mask = pow2_at_least(entries) - 1;
        s->cap = entries;
        s->max_bytes = max_bytes / NSHARDS;
        s->buckets = calloc(s->mask + 1, sizeof *s->buckets);
        s->ring = calloc(s->cap, sizeof *s->ring);
        ok = ok && s->buckets && s->ring;
    }
    if (!ok) {
        case_cache_free(c);
        return NULL;
    }
    return c;
}

/* Takes e out of its shard's table and ring (the caller then releases the cache's reference). */
static void unlink_entry(struct shard *s, struct case_cache_entry *e)
{
    struct case_cache_entry **pp = &s->buckets[(uint64_t)e->v.id & s->mask];
    while (*pp != e)
        pp = &(*pp)->next;
    *pp = e->next;
    size_t last = --s->nring;
    if ((size_t)e->ring != last) {
        s->ring[e->ring] = s->ring[last];
        s->ring[e->ring]->ring = e->ring;
    }
    e->ring = -1;
    s->bytes -= e->size;
}

static struct case_cache_entry *find(struct shard *s, int64_t id)
{
    struct case_cache_entry *e = s->buckets[(uint64_t)id & s->mask];
    while (e && e->v.id != id)
        e = e->next;
    return e;
}

void case_cache_free(struct case_cache *c)
{
    if (!c)
        return;
    for (int i = 0; i < NSHARDS; i++) {
        struct shard *s = &c->shards[i];
        for (size_t k = 0; s->ring && k < s->nring; k++)
            case_cache_release(s->ring[k]);
        free(s->buckets);
        free(s->ring);
        pthread_mutex_destroy(&s->mu);
    }
    for (int i = 0; i < CODE_LOCKS; i++)
        pthread_mutex_destroy(&c->code_mu[i]);
    free(c->codes);
    free(c);
}

uint64_t case_cache_seq(struct case_cache *c)
{
    return c ? atomic_load(&c->seq) : 0;
}

static int64_t code_get(struct case_cache *c, const char *code, uint64_t h)
{
    size_t set = h & c->code_mask;
    struct code_slot *w = &c->codes[set * CODE_WAYS];
    int64_t id = 0;
    pthread_mutex_t *mu = &c->code_mu[set % CODE_LOCKS];
    pthread_mutex_lock(mu);
    for (int i = 0; i < CODE_WAYS && !id; i++)
        if (w[i].tag == (uint32_t)(h >> 32) && !strcmp(w[i].code, code))
            id = w[i].id;
    pthread_mutex_unlock(mu);
    return id;
}

static void code_put(struct case_cache *c, const char *code, int64_t id)
{
    uint64_t h = code_hash(code);
    size_t set = h & c->code_mask;
    struct code_slot *w = &c->codes[set * CODE_WAYS];
    pthread_mutex_t *mu = &c->code_mu[set % CODE_LOCKS];
    pthread_mutex_lock(mu);
    int way = -1;
    for (int i = 0; i < CODE_WAYS && way < 0; i++)
        if (!w[i].code[0] || !strcmp(w[i].code, code))
            way = i;
    if (way < 0)
        way = (int)((h >> 16) % CODE_WAYS); /* all taken: overwrite one, by the hash */
    memcpy(w[way].code, code, sizeof w[way].code);
    w[way].tag = (uint32_t)(h >> 32);
    w[way].id = id;
    pthread_mutex_unlock(mu);
}

struct case_cache_entry *case_cache_get(struct case_cache *c, const char *code)
{
    if (!c || !c->max_bytes || strlen(code) != FQ_CODE_LEN)
        return NULL;
    uint64_t h = code_hash(code);
    int64_t id = code_get(c, code, h);
    struct shard *s = &c->shards[(uint64_t)id % NSHARDS];
    struct case_cache_entry *e = NULL;
    if (id) {
        pthread_mutex_lock(&s->mu);
        e = find(s, id);
        if (e && strcmp(e->v.code, code))
            e = NULL;
        if (e) {
            e->used = 1;
            atomic_fetch_add(&e->refs, 1);
            s->hits++;
        }
        pthread_mutex_unlock(&s->mu);
    }
    if (!e)
        atomic_fetch_add_explicit(&s->misses, 1, memory_order_relaxed);
    return e;
}

const struct case_view *case_cache_view(const struct case_cache_entry *e)
{
    return &e->v;
}

struct case_cache_entry *case_cache_entry_new(const struct case_view *v)
{
    size_t deps = (size_t)(v->ndepartments > 0 ? v->ndepartments : 0) * sizeof(int64_t);
    size_t size = sizeof(struct case_cache_entry) + deps + v->len + 1;
    struct case_cache_entry *e = malloc(size);
    if (!e)
        return NULL;
    atomic_init(&e->refs, 1);
    e->ring = -1;
    e->used = 0;
    e->next = NULL;
    e->size = size;
    e->v = *v;
    e->v.ndepartments = v->ndepartments > 0 ? v->ndepartments : 0;
    int64_t *d = (int64_t *)e->data;
    if (deps)
        memcpy(d, v->departments, deps);
    e->v.departments = d;
    char *b = e->data + deps;
    memcpy(b, v->body, v->len);
    b[v->len] = 0;
    e->v.body = b;
    return e;
}

void case_cache_release(struct case_cache_entry *e)
{
    if (e && atomic_fetch_sub(&e->refs, 1) == 1)
        free(e);
}

/* Is a copy read at seq of case id stale? */
static int stale(const struct shard *s, int64_t id, uint64_t seq)
{
    if (s->floor > seq)
        return 1;
    for (int i = 0; i < TOMBS; i++)
        if (s->tombs[i].id == id && s->tombs[i].seq > seq)
            return 1;
    return 0;
}

/* CLOCK: evicts entries until `need` more bytes and one more entry fit. */
static void make_room(struct shard *s, size_t need)
{
    while (s->nring && (s->nring >= s->cap || s->bytes + need > s->max_bytes)) {
        if (s->hand >= s->nring)
            s->hand = 0;
        struct case_cache_entry *e = s->ring[s->hand];
        if (e->used) {
            e->used = 0;
            s->hand++;
            continue;
        }
        unlink_entry(s, e); /* the last entry moved to hand: look at it next */
        case_cache_release(e);
        s->evictions++;
    }
}

int case_cache_put(struct case_cache *c, struct case_cache_entry *e, uint64_t seq)
{
    if (!c || !e || e->v.id <= 0 || strlen(e->v.code) != FQ_CODE_LEN)
        return 0;
    struct shard *s = &c->shards[(uint64_t)e->v.id % NSHARDS];
    int added = 0;
    pthread_mutex_lock(&s->mu);
    if (e->size > s->max_bytes / 4 || e->ring >= 0 || stale(s, e->v.id, seq)) {
        s->refused++;
        goto done;
    }
    struct case_cache_entry *old = find(s, e->v.id);
    if (old) {
        unlink_entry(s, old);
        case_cache_release(old);
    }
    make_room(s, e->size);
    atomic_fetch_add(&e->refs, 1);
    e->used = 0;
    e->ring = (int)s->nring;
    s->ring[s->nring++] = e;
    size_t b = (uint64_t)e->v.id & s->mask;
    e->next = s->buckets[b];
    s->buckets[b] = e;
    s->bytes += e->size;
    s->inserts++;
    added = 1;
done:
    pthread_mutex_unlock(&s->mu);
    if (added)
        code_put(c, e->v.code, e->v.id);
    return added;
}

void case_cache_invalidate(struct case_cache *c, const int64_t *ids, int n)
{
    if (!c)
        return;
    for (int i = 0; i < n; i++) {
        /* seq first: a reader that took its seq before this point is refused from here on */
        uint64_t v = atomic_fetch_add(&c->seq, 1) + 1;
        struct shard *s = &c->shards[(uint64_t)ids[i] % NSHARDS];
        pthread_mutex_lock(&s->mu);
        struct tomb *t = &s->tombs[s->tomb_next];
        if (t->seq > s->floor)
            s->floor = t->seq; /* forgetting a tombstone: refuse everyone older than it */
        t->id = ids[i];
        t->seq = v;
        s->tomb_next = (s->tomb_next + 1) % TOMBS;
        struct case_cache_entry *e = find(s, ids[i]);
        if (e) {
            unlink_entry(s, e);
            case_cache_release(e);
        }
        s->invalidations++;
        pthread_mutex_unlock(&s->mu);
    }
}

void case_cache_clear(struct case_cache *c)
{
    if (!c)
        return;
    uint64_t v = atomic_fetch_add(&c->seq, 1) + 1;
    for (int i = 0; i < NSHARDS; i++) {
        struct shard *s = &c->shards[i];
        pthread_mutex_lock(&s->mu);
        s->floor = v;
        while (s->nring) {
            struct case_cache_entry *e = s->ring[s->nring - 1];
            unlink_entry(s, e);
            case_cache_release(e);
            s->invalidations++;
        }
        pthread_mutex_unlock(&s->mu);
    }
}

void case_cache_stats(struct case_cache *c, struct case_cache_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!c)
        return;
    out->max_bytes = c->max_bytes;
    for (int i = 0; i < NSHARDS; i++) {
        struct shard *s = &c->shards[i];
        pthread_mutex_lock(&s->mu);
        out->hits += s->hits;
        out->inserts += s->inserts;
        out->refused += s->refused;
        out->invalidations += s->invalidations;
        out->evictions += s->evictions;
        out->entries += s->nring;
        out->bytes += s->bytes;
        pthread_mutex_unlock(&s->mu);
        out->misses += atomic_load_explicit(&s->misses, memory_order_relaxed);
    }
}
