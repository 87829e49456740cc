/* 时限: how long a case may take, from the policy table.
 *
 * A rule keys on grade × handling level × channel, any of which may be a wildcard (grade and
 * level 0, channel -1), and gives a limit in hours, natural days, working days or calendar
 * months, the share of it after which the case turns yellow (临期), and the time a department has
 * to accept. The most specific matching rule wins: more exact fields first, then an exact grade
 * over an exact level over an exact channel, then the lowest id, then the earliest in the table.
 * The defaults follow the published practice: village-level simple matters the same day,
 * ordinary 3 working days, complex 20 days, difficult 3 months, 12345 hotline 7 working days,
 * and assessment of a new case within 1 working day. Deadlines are China-local: "same day" ends at
 * 23:59:59.999 Beijing time and months keep the Beijing date and time of day. */
#include "core/sla.h"
#include "util/clock.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_WARN 0.75

/* Every grade has its own rule, so the catch-all (grade 0 = any) is only ever the one left for a
 * case not yet graded (GRADE_NONE): assess within 1 working day. */
static const struct fq_sla_rule default_rules[] = {
    {1, GRADE_NONE, LEVEL_NONE, -1, "workdays", 1, DEFAULT_WARN, 24},
    {2, GRADE_SIMPLE, LEVEL_VILLAGE, -1, "hours", 0, DEFAULT_WARN, 2},
    {3, GRADE_SIMPLE, LEVEL_NONE, -1, "workdays", 1, DEFAULT_WARN, 2},
    {4, GRADE_ORDINARY, LEVEL_NONE, -1, "workdays", 3, DEFAULT_WARN, 24},
    {5, GRADE_COMPLEX, LEVEL_NONE, -1, "days", 20, DEFAULT_WARN, 24},
    {6, GRADE_DIFFICULT, LEVEL_NONE, -1, "months", 3, DEFAULT_WARN, 24},
    {7, GRADE_DIFFICULT, LEVEL_COUNTY, -1, "months", 3, DEFAULT_WARN, 24},
    {8, GRADE_NONE, LEVEL_NONE, CH_HOTLINE, "workdays", 7, DEFAULT_WARN, 24},
    /* 12345 一般诉求: without it the grade-only rule above would win the tie */
    {9, GRADE_ORDINARY, LEVEL_NONE, CH_HOTLINE, "workdays", 7, DEFAULT_WARN, 24},
};

int sla_default_rules(struct fq_sla_rule **out, int *n)
{
    struct fq_sla_rule *r = malloc(sizeof default_rules);
    if (!r)
        return FQ_ENOMEM;
    memcpy(r, default_rules, sizeof default_rules);
    *out = r;
    *n = (int)(sizeof default_rules / sizeof default_rules[0]);
    return 0;
}

/* Rank of a matching rule: exact-field count, then which fields (grade > level > channel). */
static int specificity(const struct fq_sla_rule *r)
{
    int g = r->grade != 0, l = r->level != 0, c = r->channel != -1;
    return (g + l + c) * 8 + g * 4 + l * 2 + c;
}

const struct fq_sla_rule *sla_match(const struct fq_sla_rule *rules, int n, int grade, int level,
                                    int channel)
{
    const struct fq_sla_rule *best = NULL;
    int best_rank = -1;
    for (int i = 0; i < n; i++) {
        const struct fq_sla_rule *r = &rules[i];
        if ((r->grade && r->grade != grade) || (r->level && r->level != level) ||
            (r->channel != -1 && r->channel != channel))
            continue;
        int rank = specificity(r);
        /* earlier rules win ties of id, so only a strictly lower id replaces an equal rank */
        if (rank > best_rank || (rank == best_rank && r->id < best->id)) {
            best = r;
            best_rank = rank;
        }
    }
    return best;
}

/* The same China-local date and time of day `months` later, the day clamped to the month's end
 * (31 January + 1 month = 28 or 29 February). */
static int64_t add_months(int64_t start, int months)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t day = day_of_ms(start);
    int64_t tod = start - ms_of_day(day);
    int y, m, d;
    ymd_from_day(day, &y, &m, &d);
    int64_t total = (int64_t)y * 12 + (m - 1) + months;
    y = (int)(total / 12);
    m = (int)(total % 12) + 1;
    int last = dm[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    if (d > last)
        d = last;
    return ms_of_day(day_from_ymd(y, m, d)) + tod;
}

void sla_deadline(const struct calendar *cal, const struct fq_sla_rule *r, int64_t start,
                  int64_t *due, int64_t *warn)
{
    int64_t d = 0;
    *due = *warn = 0;
    if (!r || r->amount < 0)
        return;
    if (!strcmp(r->unit, "hours"))
        d = r->amount == 0 ? ms_of_day(day_of_ms(start) + 1) - 1 : start + r->amount * FQ_HOUR_MS;
    else if (!strcmp(r->unit, "days"))
        d = start + r->amount * FQ_DAY_MS;
    else if (!strcmp(r->unit, "workdays"))
        d = calendar_add_working_days(cal, start, r->amount);
    else if (!strcmp(r->unit, "months"))
        d = add_months(start, r->amount);
    else
        return;
    double f = r->warn_fraction > 0 && r->warn_fraction < 1 ? r->warn_fraction : DEFAULT_WARN;
    *due = d;
    *warn = d > start ? start + (int64_t)((double)(d - start) * f) : d;
}

int sla_light(int64_t now, int64_t warn, int64_t due)
{
    if (due == 0)
        return LIGHT_GREEN;
    if (now > due)
        return LIGHT_RED;
    if (warn != 0 && now > warn)
        return LIGHT_YELLOW;
    return LIGHT_GREEN;
}

int sla_rule_valid(const struct fq_sla_rule *r)
{
    static const char *units[] = {"hours", "days", "workdays", "months"};
    if (!r || !memchr(r->unit, 0, sizeof r->unit))
        return 0;
    int unit_ok = 0;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        unit_ok |= !strcmp(r->unit, units[i]);
    return unit_ok && r->amount >= 0 && r->amount <= 10000 && r->warn_fraction > 0 &&
           r->warn_fraction < 1 && r->grade >= 0 && r->grade < GRADE__COUNT && r->level >= 0 &&
           r->level < LEVEL__COUNT && r->channel >= -1 && r->channel < CH__COUNT &&
           r->response_hours >= 0 && r->response_hours <= 10000;
}
