/* 时限: deadlines from the policy table (grade × handling level × channel → limit in hours,
 * natural days, working days or months, plus the warning fraction). */
#ifndef FQ_CORE_SLA_H
#define FQ_CORE_SLA_H

#include <stdint.h>

#include "core/calendar.h"
#include "store/model.h"

/* The defaults the reports describe: village same day, ordinary 3 working days, complex 20 days,
 * difficult 3 months, hotline-general 7 working days, ... *out is malloc'ed. */
int sla_default_rules(struct fq_sla_rule **out, int *n);
/* The most specific rule matching (grade, level, channel) — each exact field beats a wildcard;
 * NULL when none matches. */
const struct fq_sla_rule *sla_match(const struct fq_sla_rule *rules, int n, int grade, int level,
                                    int channel);
/* Deadline and warning instant for a case starting at `start`. "days" adds natural days;
 * "workdays" uses the calendar; "hours" adds hours; "months" adds calendar months; the
 * "same day" rule is hours=0 → end of the start's day (23:59:59.999). */
void sla_deadline(const struct calendar *cal, const struct fq_sla_rule *r, int64_t start,
                  int64_t *due, int64_t *warn);
/* Light at `now`: red when due passed, yellow when warn passed, green otherwise (or no deadline). */
int sla_light(int64_t now, int64_t warn, int64_t due);
/* 1 when a rule is valid (unit known, amount 0..10000, fraction in (0,1), enums in range,
 * response_hours 0..10000), 0 otherwise. */
int sla_rule_valid(const struct fq_sla_rule *r);

#endif
