/* Statistics (统计分析): the written definitions of the indicators (docs/METRICS.md) turned into
 * code — what each case contributes to the store's aggregates, and the rates, averages and
 * department ranking (星级评价) computed from the summed counters. */
#ifndef FQ_CORE_STATS_H
#define FQ_CORE_STATS_H

#include <jansson.h>
#include <stdint.h>

#include "core/domain.h"
#include "store/store_stats.h"

/* Installs this module's fact function in the store so that every case write keeps the
 * aggregates fresh (call after domain_open, before any case write); stats_detach undoes it (a
 * no-op unless d attached). */
void stats_attach(struct fq_domain *d);
void stats_detach(struct fq_domain *d);
/* When the store asks for it (setting stats.rebuild, set by the migration on a database that
 * already has cases), recomputes every case's contribution. Needs a writable store and an
 * attached domain. 0 or an FQ_E* code. */
int stats_rebuild_if_needed(struct fq_domain *d);

/* What a case contributes (exposed for tests and the brute-force check). */
void stats_case_fact(struct fq_domain *d, const struct fq_case *c, const struct fq_assignment *as,
                     int nas, unsigned links, struct stat_fact *out);

/* 满意率 formula: (满意 + 基本满意) / rated, or the 12345 weighting (满意 + 0.9 × 基本满意) /
 * rated. */
enum stats_satisfaction { STATS_SAT_SHARE, STATS_SAT_WEIGHTED };
int stats_satisfaction_parse(const char *s, int *out); /* "share" / "weighted"; FQ_EINVAL */
/* The configured default (setting "stats.satisfaction_formula"), STATS_SAT_SHARE if unset. */
int stats_satisfaction_default(struct fq_domain *d);

/* Name of a grouping ("division", "month"...) and its parse; FQ_EINVAL on an unknown name. */
const char *stats_group_name(int g);
int stats_group_parse(const char *s, int *out);

/* The indicators of one group of summed counters, as a JSON object: every counter, every rate
 * (null when its denominator is 0) and the average handling time in working hours. New reference.
 */
json_t *stats_indicators(const int64_t v[STAT__COUNT], int satisfaction_formula);
/* A single rate from the counters by indicator name ("closure_rate"...); -1 when undefined. */
double stats_rate(const int64_t v[STAT__COUNT], const char *name, int satisfaction_formula);

/* Runs q and answers {from, to, group_by, satisfaction_formula, total: {...}, groups: [{key,
 * label, ...indicators}]}. Labels come from the reference data (division and department names,
 * category names, Chinese channel and grade names). 0 or FQ_E*; *out is a new reference. */
int stats_report(struct fq_domain *d, struct store_rd *rd, const struct store_stats_query *q,
                 int satisfaction_formula, json_t **out);

/* Department ranking over q (q->group is ignored): for every department with cases, the
 * indicators, the composite score 0–100 and 1–5 stars, best first. Composite (docs/METRICS.md):
 * weighted mean of on-time 25, closure 20, satisfaction 20, response 15, (1 − return rate) 10,
 * (1 − overdue rate) 10, over the parts that are defined. 0 or FQ_E*. */
int stats_ranking(struct fq_domain *d, struct store_rd *rd, const struct store_stats_query *q,
                  int satisfaction_formula, json_t **out);
/* Composite score from counters; -1 when no part is defined. */
double stats_score(const int64_t v[STAT__COUNT], int satisfaction_formula);
/* Stars for a score: ≥ 90 five, ≥ 80 four, ≥ 70 three, ≥ 60 two, else one. */
int stats_stars(double score);

#endif
