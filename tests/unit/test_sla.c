/* Tests for core/sla.c: the default table (valid, and what each kind of case gets), the
 * specificity and tie-break order of sla_match, every deadline unit in China-local time with the
 * real 2026 calendar, warning instants, lights and rule validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/sla.h"
#include "util/clock.h"

static int64_t at(const char *s)
{
    int64_t ms = 0;
    assert_int_equal(ms_parse(s, &ms), 0);
    return ms;
}

static struct calendar *load_holidays(void)
{
    const char *dir = getenv("FQ_DATA_DIR");
    char path[512], line[256];
    snprintf(path, sizeof path, "%s/holidays-cn.tsv", dir ? dir : "data");
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    int64_t days[512];
    char kinds[512];
    int n = 0;
    while (n < 512 && fgets(line, sizeof line, f)) {
        char date[11], kind[8];
        if (sscanf(line, "%10s %7s", date, kind) == 2 && day_parse(date, &days[n]) == 0)
            kinds[n++] = !strcmp(kind, "work") ? 'w' : 'o';
    }
    fclose(f);
    return calendar_new(days, kinds, n);
}

static void test_defaults(void **state)
{
    (void)state;
    struct fq_sla_rule *rules = NULL;
    int n = 0;
    assert_int_equal(sla_default_rules(&rules, &n), 0);
    assert_true(n >= 9);
    for (int i = 0; i < n; i++)
        assert_true(sla_rule_valid(&rules[i]));

    struct {
        int grade, level, channel;
        const char *unit;
        int amount, response_hours;
    } want[] = {
        {GRADE_NONE, LEVEL_VILLAGE, CH_WINDOW, "workdays", 1, 24}, /* assess within 1 working day */
        {GRADE_NONE, LEVEL_NONE, CH_PORTAL, "workdays", 1, 24},
        {GRADE_SIMPLE, LEVEL_VILLAGE, CH_GRID, "hours", 0, 2}, /* village: same day */
        {GRADE_SIMPLE, LEVEL_TOWNSHIP, CH_WINDOW, "workdays", 1, 2},
        {GRADE_ORDINARY, LEVEL_VILLAGE, CH_WINDOW, "workdays", 3, 24},
        {GRADE_ORDINARY, LEVEL_COUNTY, CH_HOTLINE, "workdays", 7, 24}, /* 12345 一般诉求 */
        {GRADE_NONE, LEVEL_NONE, CH_HOTLINE, "workdays", 7, 24},
        {GRADE_COMPLEX, LEVEL_CITY, CH_HOTLINE, "days", 20, 24}, /* grade beats channel */
        {GRADE_DIFFICULT, LEVEL_COUNTY, CH_LETTERS, "months", 3, 24},
        {GRADE_DIFFICULT, LEVEL_TOWNSHIP, CH_WINDOW, "months", 3, 24},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct fq_sla_rule *r =
            sla_match(rules, n, want[i].grade, want[i].level, want[i].channel);
        assert_non_null(r);
        assert_string_equal(r->unit, want[i].unit);
        assert_int_equal(r->amount, want[i].amount);
        assert_int_equal(r->response_hours, want[i].response_hours);
    }
    /* the county rule for difficult cases is the one picked at county level */
    const struct fq_sla_rule *r = sla_match(rules, n, GRADE_DIFFICULT, LEVEL_COUNTY, CH_WINDOW);
    assert_int_equal(r->level, LEVEL_COUNTY);
    free(rules);
}

static struct fq_sla_rule rule(int64_t id, int grade, int level, int channel, int amount)
{
    struct fq_sla_rule r = {id, grade, level, channel, "days", amount, 0.75, 24};
    return r;
}

static void test_match_order(void **state)
{
    (void)state;
    struct fq_sla_rule t[] = {
        rule(1, 0, 0, -1, 1),
        rule(2, 0, 0, CH_GRID, 2),
        rule(3, 0, LEVEL_VILLAGE, -1, 3),
        rule(4, GRADE_SIMPLE, 0, -1, 4),
        rule(5, 0, LEVEL_VILLAGE, CH_GRID, 5),
        rule(6, GRADE_SIMPLE, 0, CH_GRID, 6),
        rule(7, GRADE_SIMPLE, LEVEL_VILLAGE, -1, 7),
        rule(8, GRADE_SIMPLE, LEVEL_VILLAGE, CH_GRID, 8),
    };
    int n = (int)(sizeof t / sizeof t[0]);
    /* all three exact */
    assert_int_equal(sla_match(t, n, GRADE_SIMPLE, LEVEL_VILLAGE, CH_GRID)->amount, 8);
    /* two exact: grade+level > grade+channel > level+channel */
    assert_int_equal(sla_match(t, n - 1, GRADE_SIMPLE, LEVEL_VILLAGE, CH_GRID)->amount, 7);
    assert_int_equal(sla_match(t, n - 2, GRADE_SIMPLE, LEVEL_VILLAGE, CH_GRID)->amount, 6);
    assert_int_equal(sla_match(t, n - 3, GRADE_SIMPLE, LEVEL_VILLAGE, CH_GRID)->amount, 5);
    /* two exact fields beat one, whichever */
    assert_int_equal(sla_match(t, 5, GRADE_SIMPLE, LEVEL_VILLAGE, CH_GRID)->amount, 5);
    /* one exact: grade > level > channel */
    assert_int_equal(sla_match(t, 4, GRADE_SIMPLE, LEVEL_VILLAGE, CH_GRID)->amount, 4);
    assert_int_equal(sla_match(t, 3, GRADE_SIMPLE, LEVEL_VILLAGE, CH_GRID)->amount, 3);
    assert_int_equal(sla_match(t, 2, GRADE_SIMPLE, LEVEL_VILLAGE, CH_GRID)->amount, 2);
    assert_int_equal(sla_match(t, 1, GRADE_SIMPLE, LEVEL_VILLAGE, CH_GRID)->amount, 1);
    /* rules for other values do not match */
    assert_int_equal(sla_match(t, n, GRADE_COMPLEX, LEVEL_COUNTY, CH_WINDOW)->amount, 1);
    assert_int_equal(sla_match(t, n, GRADE_COMPLEX, LEVEL_VILLAGE, CH_WINDOW)->amount, 3);
    assert_null(sla_match(t + 1, n - 1, GRADE_COMPLEX, LEVEL_COUNTY, CH_WINDOW));
    assert_null(sla_match(t, 0, GRADE_SIMPLE, LEVEL_VILLAGE, CH_GRID));

    /* equal keys: the lowest id, then the earliest row */
    struct fq_sla_rule same[] = {rule(9, GRADE_SIMPLE, 0, -1, 90), rule(3, GRADE_SIMPLE, 0, -1, 30),
                                 rule(3, GRADE_SIMPLE, 0, -1, 31),
                                 rule(5, GRADE_SIMPLE, 0, -1, 50)};
    assert_int_equal(sla_match(same, 4, GRADE_SIMPLE, LEVEL_CITY, CH_API)->amount, 30);
}

/* due_extra_ms: ms_parse drops fractions of a second, so 23:59:59.999 is "23:59:59" + 999. */
static void check_deadline_ms(const struct calendar *cal, const char *unit, int amount,
                              const char *start, const char *due, int64_t due_extra_ms)
{
    struct fq_sla_rule r = {1, 0, 0, -1, "", amount, 0.5, 24};
    snprintf(r.unit, sizeof r.unit, "%s", unit);
    int64_t s = at(start), d, w;
    sla_deadline(cal, &r, s, &d, &w);
    char got[26];
    ms_format(d, got);
    if (d != at(due) + due_extra_ms)
        fail_msg("%s %d from %s: due %s, want %s", unit, amount, start, got, due);
    assert_true(w == s + (d - s) / 2);
}

static void check_deadline(const struct calendar *cal, const char *unit, int amount,
                           const char *start, const char *due)
{
    check_deadline_ms(cal, unit, amount, start, due, 0);
}

static void test_deadlines(void **state)
{
    (void)state;
    struct calendar *cal = load_holidays();
    assert_non_null(cal);
    /* same day: the end of the Beijing day, even when UTC is still on the day before */
    check_deadline_ms(cal, "hours", 0, "2026-03-05T10:00", "2026-03-05T23:59:59+08:00", 999);
    check_deadline_ms(cal, "hours", 0, "2026-03-05T01:00+08:00", "2026-03-05T23:59:59+08:00", 999);
    check_deadline_ms(cal, "hours", 0, "2026-03-05T23:59:59+08:00", "2026-03-05T23:59:59+08:00",
                      999);
    check_deadline_ms(cal, "hours", 0, "2026-03-04T16:00Z", "2026-03-05T23:59:59+08:00", 999);
    check_deadline(cal, "hours", 5, "2026-03-05T22:00", "2026-03-06T03:00");
    check_deadline(cal, "days", 20, "2026-09-30T10:00", "2026-10-20T10:00"); /* holidays count */
    check_deadline(cal, "workdays", 3, "2026-09-30T10:00", "2026-10-10T10:00");
    check_deadline(cal, "workdays", 7, "2026-09-30T10:00", "2026-10-15T10:00");
    check_deadline(cal, "workdays", 1, "2026-10-03T10:00", "2026-10-09T00:00");
    check_deadline(cal, "months", 3, "2026-01-31T10:00", "2026-04-30T10:00");
    check_deadline(cal, "months", 3, "2025-11-30T10:00", "2026-02-28T10:00");
    check_deadline(cal, "months", 3, "2023-11-30T10:00", "2024-02-29T10:00");
    check_deadline(cal, "months", 1, "2026-03-05T01:00+08:00", "2026-04-05T01:00+08:00");
    check_deadline(cal, "months", 12, "2026-12-15T08:00", "2027-12-15T08:00");
    check_deadline(cal, "months", 14, "2026-12-15T08:00", "2028-02-15T08:00");
    calendar_free(cal);
}

static void test_warn_and_unknown(void **state)
{
    (void)state;
    struct fq_sla_rule r = {1, 0, 0, -1, "days", 4, 0.75, 24};
    int64_t s = at("2026-03-02T09:00"), d = -1, w = -1;
    sla_deadline(NULL, &r, s, &d, &w);
    assert_true(d == at("2026-03-06T09:00"));
    assert_true(w == at("2026-03-05T09:00"));
    r.warn_fraction = 0; /* out of range: the default 0.75 */
    sla_deadline(NULL, &r, s, &d, &w);
    assert_true(w == at("2026-03-05T09:00"));

    strcpy(r.unit, "weeks");
    sla_deadline(NULL, &r, s, &d, &w);
    assert_true(d == 0 && w == 0);
    sla_deadline(NULL, NULL, s, &d, &w);
    assert_true(d == 0 && w == 0);
    /* without a calendar, working days are Monday to Friday */
    strcpy(r.unit, "workdays");
    r.amount = 5;
    sla_deadline(NULL, &r, at("2026-10-01T09:00"), &d, &w);
    assert_true(d == at("2026-10-08T09:00"));
}

static void test_light(void **state)
{
    (void)state;
    assert_int_equal(sla_light(1000, 0, 0), LIGHT_GREEN);
    assert_int_equal(sla_light(100, 150, 200), LIGHT_GREEN);
    assert_int_equal(sla_light(150, 150, 200), LIGHT_GREEN);
    assert_int_equal(sla_light(151, 150, 200), LIGHT_YELLOW);
    assert_int_equal(sla_light(200, 150, 200), LIGHT_YELLOW);
    assert_int_equal(sla_light(201, 150, 200), LIGHT_RED);
    assert_int_equal(sla_light(201, 0, 200), LIGHT_RED);
    assert_int_equal(sla_light(199, 0, 200), LIGHT_GREEN);
}

static void test_rule_valid(void **state)
{
    (void)state;
    struct fq_sla_rule ok = {0,        GRADE_DIFFICULT, LEVEL_VILLAGE, CH__COUNT - 1,
                             "months", 10000,           0.99,          0};
    assert_true(sla_rule_valid(&ok));
    struct fq_sla_rule r;
    const char *units[] = {"hours", "days", "workdays", "months"};
    for (size_t i = 0; i < 4; i++) {
        r = ok;
        strcpy(r.unit, units[i]);
        assert_true(sla_rule_valid(&r));
    }
#define BAD(field, value) (r = ok, r.field = (value), assert_false(sla_rule_valid(&r)))
    BAD(amount, -1);
    BAD(amount, 10001);
    BAD(warn_fraction, 0.0);
    BAD(warn_fraction, 1.0);
    BAD(warn_fraction, -0.5);
    BAD(grade, -1);
    BAD(grade, GRADE__COUNT);
    BAD(level, -1);
    BAD(level, LEVEL__COUNT);
    BAD(channel, -2);
    BAD(channel, CH__COUNT);
    BAD(response_hours, -1);
#undef BAD
    r = ok;
    strcpy(r.unit, "Days");
    assert_false(sla_rule_valid(&r));
    r = ok;
    memset(r.unit, 'x', sizeof r.unit); /* not terminated */
    assert_false(sla_rule_valid(&r));
    assert_false(sla_rule_valid(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),  cmocka_unit_test(test_match_order),
        cmocka_unit_test(test_deadlines), cmocka_unit_test(test_warn_and_unknown),
        cmocka_unit_test(test_light),     cmocka_unit_test(test_rule_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
