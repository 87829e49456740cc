/* 重复信访 repeat petitions and cross-channel duplicates, found at intake; and the merge of a
 * duplicate into its primary case.
 *
 * - Repeat petition: a party of the new case (by the blind index of an ID number or phone) was a
 *   party of a case registered within the last 90 days about a similar matter (bigram Jaccard of
 *   the texts ≥ DEDUP_REPEAT_SIMILARITY, or the same level-1 category). The new case gets
 *   repeat_of = the earliest case of the chain and a "repeat" link; the intake event says so.
 * - Duplicate: the same incident reported again, typically by another channel (a 12345 call and a
 *   grid worker's report of one burst pipe): a case in the same village registered within the
 *   last 72 hours whose text overlaps (overlap coefficient of bigram sets ≥ DEDUP_DUP_OVERLAP).
 *   Only suggested (listed on both cases); a person decides, and merge keeps both timelines: the
 *   duplicate is linked and archived with an event naming the primary, the primary gets a note
 *   event naming the duplicate, and both hash chains simply continue. */
#ifndef FQ_CORE_DEDUP_H
#define FQ_CORE_DEDUP_H

#include <jansson.h>

#include "core/case.h"
#include "core/dedup_found.h"
#include "store/store.h"

struct fq_domain;

#define DEDUP_REPEAT_WINDOW_MS (90LL * 86400000)
#define DEDUP_REPEAT_SIMILARITY 0.12
#define DEDUP_DUP_WINDOW_MS (72LL * 3600000)
#define DEDUP_DUP_OVERLAP 0.35
#define DEDUP_DUP_CANDIDATES 30 /* the village's newest cases compared with an intake */
#define DEDUP_DUP_SLACK_MS (3600000LL) /* see "Where the suggestions are kept" */

/* Similarity of two texts for the rules above: Jaccard and overlap coefficient of their bigram
 * shingle sets (core/textsim.h). */
void dedup_similarity(const char *a, const char *b, double *jaccard, double *overlap);


/* The shingle sets of recent cases by case id, so that an intake compares its text with its
 * village's newest cases without re-shingling theirs (that was ~100 µs of every intake). Sound
 * because a case's title and description never change after intake and case ids are never
 * reused (cases are not deleted). Direct-mapped on the id: the newest `slots` cases never evict
 * each other. Thread-safe. One per database (ids are per database): the domain holds it. */
#define DEDUP_CACHE_SLOTS 16384
struct dedup_cache;
/* slots: a power of two. NULL on out of memory. */
struct dedup_cache *dedup_cache_new(int slots);
/* NULL is a no-op. */
void dedup_cache_free(struct dedup_cache *k);

/* Serves the duplicate candidates of later intakes from memory (store_near_start over the
 * duplicate window, and the parties' blind indexes over the repeat window, each with an hour to
 * spare): an intake then reads no SQLite in the common case (no earlier case of its parties).
 * For `serve`; 0 or the store's error (detection then stays on SQL, with the same answers). */
int dedup_start(struct fq_domain *d);

/* After case c (id and code set) is written in tx: keeps the shingle set its intake computed
 * (found->sh) in the cache, so the next intakes of its village find it there. Runs before the
 * COMMIT: should the job roll back, the id is reused by the next case inserted, which is again an
 * intake and replaces the entry before its COMMIT publishes the id to anyone (store_case_ids_near
 * only names committed cases). Without a set the slot is emptied. The cache takes the set:
 * found->sh is NULL afterwards (no copy on the writer). */
void dedup_intake_remember(struct dedup_cache *cache, const struct fq_case *c,
                           struct dedup_found *found);

/* The intake hook, run by case_intake_prepare on the caller's thread through a read connection
 * (the similarity work stays off the single writer): sets c->repeat_of and fills *found (the
 * repeated case and the duplicate suggestions with their codes, for the intake event's
 * "repeat_of" and "duplicate_candidates") and c->dups (the list as cases.dups holds it),
 * judged at `now`.
 * cache (may be NULL) holds the candidates' shingle sets; the result does not depend on it.
 * found->sh receives the intake's own set (malloc'ed; dedup_found_clear frees it).
 * Cases registered in the same commit group do not see each other (suggestions, not rules).
 * 0 or the store's error (the intake then fails). */
int dedup_intake_detect(struct store_rd *rd, struct dedup_cache *cache, struct fq_case *c,
                        const struct fq_party *parties, int nparties, int64_t now,
                        struct dedup_found *found);
/* Where the suggestions are kept. A new case Y's list (c->dups, filled by dedup_intake_detect)
 * is written in Y's own row by the insert its intake does anyway: no row or index entry of its
 * own. Y's list is its "earlier" side; the "later" side of a case X — the cases whose list names
 * X — is found by looking at every case that could name X (dedup_case_duplicates), which is
 * exact because:
 * - Y's candidates are store_case_ids_near(Y's division, [T - DEDUP_DUP_WINDOW_MS, T]) at its
 *   detection instant T: committed cases of Y's own division (exact match), so X has Y's
 *   division; a case's division and created_at never change after intake (nothing writes them).
 *   store_cases_by_party feeds only the repeat link, never the list (the repeat is even skipped).
 * - X was committed before Y's detection, so before Y was inserted: Y.id > X.id (rowids grow;
 *   cases are never deleted).
 * - Y is written with created_at = its transaction's instant, normally T plus the queue wait, so
 *   X.created_at lies in [Y.created_at - window - wait, Y.created_at]; the demo writes cases in
 *   created_at order with T = now, which keeps X between Y.created_at - window and Y.created_at.
 *   dedup_intake_window makes it a rule rather than a habit: it drops, in the writer, any
 *   candidate created outside [Y.created_at - window - slack, Y.created_at + slack] (slack one
 *   hour: a clock step or a job queued that long; the intake event still names it, the list
 *   does not).
 * So the cases that name X are among those of X's division with an id above X's created in
 * [X.created_at - slack, X.created_at + window + slack]: one range of cases_division_created,
 * each row's list checked for X. A merge changes no list (merged comes from case_links); the
 * number of candidates per intake (DEDUP_DUP_CANDIDATES) only shortens lists.
 *
 * In case_intake_tx, once c->created_at is set and before the row is written: keeps in c->dups
 * (and found) only the suggestions created within that window of c. 0 or FQ_ENOMEM. */
int dedup_intake_window(struct fq_case *c, struct dedup_found *found);
/* After the row is written (c->id set): the repeat link. */
int dedup_intake_record_tx(struct store_tx *tx, const struct fq_case *c, const struct dedup_found *found);
/* The duplicate suggestions of case_id in both directions (store_case_duplicates with the
 * window above). */
int dedup_case_duplicates(struct store_rd *rd, int64_t case_id, json_t **out);

/* A validated merge of case `code` (the duplicate) into `into` (the primary). */
struct dedup_merge {
    char code[FQ_CODE_LEN + 1], into[FQ_CODE_LEN + 1];
    char reason[512];
    struct case_actor actor;
};

/* Parses {into, reason?}; checks the codes and the actor's role (dispatcher, supervisor, admin). */
int dedup_merge_prepare(const struct case_actor *actor, const char *code, json_t *body,
                        struct dedup_merge *out, struct fq_error *e);
/* Applies it: FQ_ENOTFOUND (a case missing or out of scope), FQ_ECONFLICT (same case, already
 * merged, the duplicate archived). dup and primary (may be NULL) receive both cases afterwards
 * (caller fq_case_clear()s them). */
int dedup_merge_tx(struct store_tx *tx, const struct dedup_merge *m, int64_t now,
                   struct fq_case *dup, struct fq_case *primary, struct fq_error *e);

#endif
