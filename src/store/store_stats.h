/* Statistics aggregates in the store: additive counters kept fresh in the same transaction as
 * every case write, so that a dashboard sums pre-aggregated rows instead of scanning cases.
 *
 * The store does the bookkeeping only; what a case contributes (the metric definitions of
 * docs/METRICS.md) is decided above, by the fact function core/stats.c installs. Each case keeps
 * a snapshot of its last contribution (table stats_case); when the case row is written again the
 * store computes the new contribution, and if it differs, subtracts the snapshot from the
 * aggregates, adds the new one and replaces the snapshot. Cohort: a case counts in the day it was
 * registered (created_at, China time), whatever happens to it later.
 *
 * Aggregates (store/sqlite_stats.c):
 *   stats_day    (day, division, category, channel, grade, department) — the full grain, indexed
 *                by (division, day) and (department, day);
 *   stats_roll   (dim, level, grain, division, t, x) — per month (grain 0) and per day (grain 1),
 *                division cut to county, township or village level, x the values of a pair of
 *                dimensions ("a|b"), of category or department alone, or none (""); which are kept
 *                and why: docs/METRICS.md. A query reads the smallest kept roll-up that carries
 *                its dimensions, stats_day otherwise. Inside a writer group the deltas are
 *                collected in memory and applied once per row before COMMIT; under load, new
 *                cases' intakes wait in memory for a later group (≤ ~100 ms, restored from
 *                stats_case after a crash), so readers may lag that much (docs/METRICS.md).
 */
#ifndef FQ_STORE_STORE_STATS_H
#define FQ_STORE_STORE_STATS_H

#include <stdint.h>

#include "store/store.h"

/* The additive counters, in column order (docs/METRICS.md defines each). */
#define STAT_COUNTERS(X)                                                                           \
    X(INTAKE, intake)             /* 受理量: every registered case */                           \
    X(CLOSED, closed)             /* 办结量: status closed or archived */                       \
    X(SETTLED, settled)           /* closed and success (化解) */                                \
    X(ON_TIME, on_time)           /* closed and resolved by its deadline (按期) */               \
    X(OVERDUE, overdue)           /* light red: closed late, or open past its deadline (超期) */ \
    X(RATED, rated)               /* citizen rating given */                                       \
    X(SATISFIED, satisfied)       /* 满意 */                                                     \
    X(BASIC, basic)               /* 基本满意 */                                               \
    X(DISSATISFIED, dissatisfied) /* 不满意 */                                                  \
    X(FOLLOWED, followed)         /* closed and followed up at least once (回访) */              \
    X(WORK_MS, work_ms)           /* closed: working ms from registration to resolution */         \
    X(REPEAT, repeats)            /* repeat petition (重复信访) */                             \
    X(RETURNED, returned)         /* returned (退单) at least once */                            \
    X(SUPERVISIONS, supervisions) /* supervision orders (督办单) */                             \
    X(SUPERVISED, supervised)     /* cases with at least one supervision order */                  \
    X(ASSIGNED, assigned)         /* assignments received (per assigned department) */             \
    X(RESPONDED, responded)       /* ... accepted within the response limit (响应) */            \
    X(RETURNS, returns)           /* ... returned by that department */

#define STAT_ENUM_(id, col) STAT_##id,
enum stat_counter { STAT_COUNTERS(STAT_ENUM_) STAT__COUNT };
#undef STAT_ENUM_

/* Column name of a counter ("intake"), "" when out of range. */
const char *stat_counter_name(int i);

/* What one case contributes: the case's dimensions and up to STAT_FACT_ROWS rows, one per
 * department (0 = not dispatched), each a vector of counters. */
#define STAT_FACT_ROWS 16
struct stat_fact {
    int64_t day;                        /* registration day (China-local day number) */
    char division[FQ_DIVISION_LEN + 1]; /* the case's division */
    char category[16];                  /* "" before assessment */
    int channel, grade;
    int n;
    struct {
        int64_t department;
        int64_t v[STAT__COUNT];
    } rows[STAT_FACT_ROWS];
};

/* Links of a case that change what it counts as (case_links from the case). */
#define STAT_LINK_REPEAT 1u /* a 'repeat' link: it repeats an earlier petition */
#define STAT_LINK_MERGED 2u /* a 'duplicate' link: merged into another case as its duplicate */

/* Computes a case's contribution from its row, its assignments and its links (STAT_LINK_*).
 * Must not fail or block; runs on the writer thread. */
typedef void (*store_stat_fn)(const struct fq_case *c, const struct fq_assignment *as, int nas,
                              unsigned links, struct stat_fact *out, void *arg);

/* Installs the fact function for the process (one domain per process); NULL uninstalls. While
 * none is installed, case writes leave the aggregates alone. */
void store_stats_install(store_stat_fn fn, void *arg);

/* Recomputes the contribution of every case (after a migration or a change of definitions):
 * empties the aggregates and the snapshots and rebuilds them in one bulk job. progress may be
 * NULL. 0 or an FQ_E* code. */
int store_stats_rebuild(struct store *s, void (*progress)(long done, long total, void *arg),
                        void *arg);

/* Grouping of a statistics query. */
enum stat_group {
    SG_NONE,
    SG_DIVISION,
    SG_DEPARTMENT,
    SG_CATEGORY,
    SG_CATEGORY1,
    SG_CHANNEL,
    SG_GRADE,
    SG_DAY,
    SG_WEEK,
    SG_MONTH,
    SG_QUARTER,
    SG_YEAR,
    SG__COUNT
};

struct store_stats_query {
    int64_t from_day, to_day;           /* registration days [from, to) */
    char division[FQ_DIVISION_LEN + 1]; /* subtree; "" = everything */
    int64_t department;                 /* 0 = any */
    char category[16];                  /* this code or its children; "" = any */
    int channel, grade;                 /* -1 = any */
    int group;                          /* SG_* */
    int division_digits;                /* SG_DIVISION: significant digits of the group key
                                           (6 county, 9 township, 12 village) */
};

/* One group of the answer: key as text (division code padded to 12 digits, department id,
 * category, channel/grade number, day number, "2026-W47"-free forms: week = its Monday's day
 * number, "2026-11", "2026-Q4", "2026"), and the summed counters. Return non-zero to stop. */
typedef int (*store_stats_row_fn)(const char *key, const int64_t v[STAT__COUNT], void *arg);

/* Sums the aggregates matching q, one call of fn per group (in key order). Reads the month
 * roll-ups for the whole months of the range and the day roll-ups (or stats_day) for the rest
 * when a kept roll-up carries q's dimensions, stats_day otherwise. 0 or FQ_E*. */
int store_stats_sum(struct store_rd *rd, const struct store_stats_query *q, store_stats_row_fn fn,
                    void *arg);

/* Brute force for tests and checks: the same sums straight from the snapshots (stats_case), i.e.
 * never from stats_day / stats_roll. */
int store_stats_sum_snapshots(struct store_rd *rd, const struct store_stats_query *q,
                              store_stats_row_fn fn, void *arg);

/* A case of a report's lists (strings borrowed for the callback's duration). */
struct store_report_case {
    const char *code, *title, *division, *category, *repeat_of_code; /* repeat_of_code may be "" */
    int64_t lead_department;
    int status, light, supervised, urge_count, returns;
    int64_t created_at, due_at, resolved_at, closed_at;
};
enum { STORE_LIST_OVERDUE, STORE_LIST_REPEAT };
/* Cases registered in [from_ms, to_ms) in the division subtree ("" = all) that are overdue
 * (light red: open past the deadline, or closed late) or repeat petitions (repeat_of, or a
 * 'repeat' link to an earlier case), oldest first, at most max. fn returns non-zero to stop.
 * 0 or FQ_E*. */
int store_stats_cases(struct store_rd *rd, int which, int64_t from_ms, int64_t to_ms,
                      const char *division, int max,
                      int (*fn)(const struct store_report_case *c, void *arg), void *arg);
/* 1 when the database has a table of that name (optional modules), else 0. */
int store_has_table(struct store_rd *rd, const char *name);

#endif
