/* The case response cache: GET /api/v1/cases/:code served from memory.
 *
 * Per process, keyed by case code, invalidated by case id (a code names one case for life, so
 * the code → id map never goes stale). An entry holds what the per-request part of a reply needs
 * — the case's division and assigned departments (the scope check), status, light and deadlines
 * (the light and working days left, which depend on the time of the request) — and the rest of
 * the case's detail as JSON text, serialised once.
 *
 * Correctness rests on the store's change hook (store_set_change_hook): every change to a case or
 * its child rows is reported after COMMIT and before the writer replies, and drops the entry. A
 * reader that read the case before that commit must not put its stale copy back afterwards: it
 * takes case_cache_seq() before reading, and case_cache_put refuses the entry when the case was
 * invalidated after that point. Invalidations leave tombstones (id, seq) in a small ring per
 * shard; when one falls out of the ring the shard's floor rises to its seq and older readers are
 * refused wholesale.
 *
 * Bounded by bytes (and entry count); CLOCK eviction per shard; 16 shards by case id, each with
 * its own mutex. Thread-safe. No HTTP, no SQL. */
#ifndef FQ_API_CASE_CACHE_H
#define FQ_API_CASE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "store/model.h"

/* What a cached case holds. departments and body point into the entry (valid while it is held). */
struct case_view {
    int64_t id;
    char code[FQ_CODE_LEN + 1];
    char division[FQ_DIVISION_LEN + 1];
    int status, light;
    int64_t warn_at, due_at;
    int ndepartments;
    const int64_t *departments;   /* every assignment's department (the scope check) */
    const char *body;             /* a JSON object without the per-request fields */
    size_t len;
};

struct case_cache;
struct case_cache_entry;

struct case_cache_stats {
    uint64_t hits, misses, inserts, refused, invalidations, evictions;
    uint64_t entries, bytes, max_bytes;
};

/* A cache of at most max_bytes (0: a cache that holds nothing). NULL on out of memory. */
struct case_cache *case_cache_new(size_t max_bytes);
/* Frees the cache; entries still held by callers stay valid until released. NULL is a no-op. */
void case_cache_free(struct case_cache *c);

/* The invalidation sequence now: take it before reading what will be put. */
uint64_t case_cache_seq(struct case_cache *c);
/* The entry for code (a new reference: case_cache_release it), or NULL (counted as a miss). */
struct case_cache_entry *case_cache_get(struct case_cache *c, const char *code);
/* The entry's contents. */
const struct case_view *case_cache_view(const struct case_cache_entry *e);
/* A new entry (one reference, owned by the caller) holding a copy of v; NULL on out of memory. */
struct case_cache_entry *case_cache_entry_new(const struct case_view *v);
/* Adds e (takes a reference of its own; the caller keeps its own) unless e's case was
 * invalidated after seq; 1 when added, 0 when refused (stale, disabled or too big). */
int case_cache_put(struct case_cache *c, struct case_cache_entry *e, uint64_t seq);
/* Drops a reference; the last one frees the entry. NULL is a no-op. */
void case_cache_release(struct case_cache_entry *e);

/* Drops the entries of these cases and refuses older readers' copies of them. */
void case_cache_invalidate(struct case_cache *c, const int64_t *ids, int n);
/* Drops every entry and refuses every older reader's copy. */
void case_cache_clear(struct case_cache *c);

void case_cache_stats(struct case_cache *c, struct case_cache_stats *out);

#endif
