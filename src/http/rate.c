/* Rate limits: a token bucket per key (bucket name + client address, or any other text), kept in
 * a hash table under one mutex. The table is bounded: past max_entries the least recently used
 * bucket is recycled, so a flood of fresh addresses costs memory once and never grows it. A
 * forgotten bucket comes back full, which is why eviction is by last use, not by age: the
 * addresses still hammering us are the ones we keep. */
#include "http/http.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RATE_KEY 96
#define RATE_DEFAULT_MAX 10000

struct rate_entry {
    struct rate_entry *hnext;       /* hash chain */
    struct rate_entry *prev, *next; /* recency list, head = most recently used */
    uint64_t hash;
    double tokens;
    double at; /* seconds (monotonic) of the last refill */
    char key[RATE_KEY];
};

struct http_rate {
    pthread_mutex_t mu;
    struct rate_entry **table;
    size_t mask; /* table size - 1 (a power of two) */
    struct rate_entry *head, *tail;
    size_t n, max;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

struct http_rate *http_rate_new(size_t max_entries)
{
    struct http_rate *rl = calloc(1, sizeof *rl);
    if (!rl)
        return NULL;
    rl->max = max_entries ? max_entries : RATE_DEFAULT_MAX;
    size_t size = 64;
    while (size < rl->max && size < ((size_t)1 << 24))
        size <<= 1;
    rl->table = calloc(size, sizeof *rl->table);
    if (!rl->table) {
        free(rl);
        return NULL;
    }
    rl->mask = size - 1;
    pthread_mutex_init(&rl->mu, NULL);
    return rl;
}

void http_rate_free(struct http_rate *rl)
{
    if (!rl)
        return;
    struct rate_entry *e = rl->head;
    while (e) {
        struct rate_entry *next = e->next;
        free(e);
        e = next;
    }
    free(rl->table);
    pthread_mutex_destroy(&rl->mu);
    free(rl);
}

static void lru_unlink(struct http_rate *rl, struct rate_entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        rl->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        rl->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push(struct http_rate *rl, struct rate_entry *e)
{
    e->prev = NULL;
    e->next = rl->head;
    if (rl->head)
        rl->head->prev = e;
    rl->head = e;
    if (!rl->tail)
        rl->tail = e;
}

static void hash_unlink(struct http_rate *rl, struct rate_entry *e)
{
    struct rate_entry **pp = &rl->table[e->hash & rl->mask];
    while (*pp && *pp != e)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = e->hnext;
    e->hnext = NULL;
}

/* The entry for key, created (or recycled from the least recently used) when absent. */
static struct rate_entry *lookup(struct http_rate *rl, const char *key, size_t n, double burst,
                                 double now)
{
    uint64_t h = fnv1a(key, n);
    struct rate_entry *e = rl->table[h & rl->mask];
    for (; e; e = e->hnext)
        if (e->hash == h && !strncmp(e->key, key, n) && !e->key[n]) {
            lru_unlink(rl, e);
            lru_push(rl, e);
            return e;
        }
    if (rl->n >= rl->max && rl->tail) {
        e = rl->tail;
        lru_unlink(rl, e);
        hash_unlink(rl, e);
    } else {
        e = malloc(sizeof *e);
        if (!e)
            return NULL;
        rl->n++;
    }
    memcpy(e->key, key, n);
    e->key[n] = 0;
    e->hash = h;
    e->tokens = burst;
    e->at = now;
    e->hnext = rl->table[h & rl->mask];
    rl->table[h & rl->mask] = e;
    lru_push(rl, e);
    return e;
}

int http_rate_take(struct http_rate *rl, const char *key, int per_minute, int burst)
{
    if (!rl || !key)
        return 0;
    size_t n = strnlen(key, RATE_KEY - 1);
    double cap = burst > 0 ? burst : 1;
    double rate = per_minute > 0 ? per_minute / 60.0 : 0;
    double now = now_s();
    int ok = 0;
    pthread_mutex_lock(&rl->mu);
    struct rate_entry *e = lookup(rl, key, n, cap, now);
    if (e) {
        double t = e->tokens + (now - e->at) * rate;
        e->tokens = t > cap ? cap : t;
        e->at = now;
        if (e->tokens >= 1) {
            e->tokens -= 1;
            ok = 1;
        }
    }
    pthread_mutex_unlock(&rl->mu);
    return ok;
}
