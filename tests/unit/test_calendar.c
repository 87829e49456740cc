/* Tests for core/calendar.c against the shipped State Council calendars (data/holidays-cn.tsv,
 * read through FQ_DATA_DIR): holidays and 调休 days, adding working days across National Day and
 * Spring Festival 2026 in China-local time, working hours, and the arithmetic counting checked
 * against a day-by-day count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "util/clock.h"

/* Reads date<TAB>kind<TAB>name lines (kind "off" / "work") into a calendar. */
static struct calendar *load_holidays(void)
{
    const char *dir = getenv("FQ_DATA_DIR");
    char path[512];
    snprintf(path, sizeof path, "%s/holidays-cn.tsv", dir ? dir : "data");
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    int64_t days[512];
    char kinds[512];
    int n = 0;
    char line[256];
    while (n < 512 && fgets(line, sizeof line, f)) {
        char date[11], kind[8];
        if (sscanf(line, "%10s %7s", date, kind) != 2 || day_parse(date, &days[n]))
            continue; /* the header */
        kinds[n++] = !strcmp(kind, "work") ? 'w' : 'o';
    }
    fclose(f);
    return n > 50 ? calendar_new(days, kinds, n) : NULL;
}

static int setup(void **state)
{
    *state = load_holidays();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    calendar_free(*state);
    return 0;
}

static int64_t day(const char *s)
{
    int64_t d = 0;
    assert_int_equal(day_parse(s, &d), 0);
    return d;
}

static int64_t at(const char *s)
{
    int64_t ms = 0;
    assert_int_equal(ms_parse(s, &ms), 0);
    return ms;
}

static void test_working_days(void **state)
{
    const struct calendar *cal = *state;
    struct {
        const char *date;
        int working;
    } days[] = {
        {"2026-09-30", 1},                                       /* Wednesday */
        {"2026-10-01", 0}, {"2026-10-07", 0},                    /* 国庆节 */
        {"2026-10-08", 1}, {"2026-10-09", 1}, {"2026-10-10", 1}, /* Saturday, 国庆节调休 */
        {"2026-10-11", 0},                                       /* Sunday */
        {"2026-09-20", 1},                                       /* Sunday, 国庆节调休 */
        {"2026-09-25", 0},                                       /* Friday, 中秋节 */
        {"2026-09-26", 0}, {"2026-09-27", 0}, {"2026-02-14", 1}, {"2026-02-15", 0},
        {"2026-02-23", 0}, {"2026-02-24", 1}, {"2026-02-28", 1}, /* Saturday, 春节调休 */
        {"2026-03-07", 0}, {"2026-03-09", 1}, /* an ordinary weekend and Monday */
        {"2025-01-26", 1}, {"2025-10-08", 0}, {"2025-10-11", 1}, {"2027-01-04", 1},
        {"2027-01-02", 0}, /* past the file: weekdays only */
    };
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
        assert_int_equal(calendar_is_working_day(cal, day(days[i].date)), days[i].working);
}

static void test_add_across_national_day(void **state)
{
    const struct calendar *cal = *state;
    int64_t start = at("2026-09-30T10:00");
    assert_int_equal(calendar_add_working_days(cal, start, 0), start);
    assert_int_equal(calendar_add_working_days(cal, start, 1), at("2026-10-08T10:00"));
    assert_int_equal(calendar_add_working_days(cal, start, 2), at("2026-10-09T10:00"));
    assert_int_equal(calendar_add_working_days(cal, start, 3),
                     at("2026-10-10T10:00")); /* Sat, 调休 */
    assert_int_equal(calendar_add_working_days(cal, start, 4), at("2026-10-12T10:00"));
    /* a start on a holiday counts from the next working day's start */
    assert_int_equal(calendar_add_working_days(cal, at("2026-10-03T15:00"), 0),
                     at("2026-10-08T00:00"));
    assert_int_equal(calendar_add_working_days(cal, at("2026-10-03T15:00"), 1),
                     at("2026-10-09T00:00"));
    /* 中秋 then 调休 Sunday: 2026-09-24 (Thu) + 1 → Mon 28th */
    assert_int_equal(calendar_add_working_days(cal, at("2026-09-24T16:30"), 1),
                     at("2026-09-28T16:30"));
    assert_int_equal(calendar_add_working_days(cal, at("2026-09-18T09:00"), 1),
                     at("2026-09-20T09:00"));
}

static void test_add_across_spring_festival(void **state)
{
    const struct calendar *cal = *state;
    int64_t start = at("2026-02-13T09:00"); /* Friday */
    assert_int_equal(calendar_add_working_days(cal, start, 1), at("2026-02-14T09:00"));
    assert_int_equal(calendar_add_working_days(cal, start, 2), at("2026-02-24T09:00"));
    assert_int_equal(calendar_add_working_days(cal, start, 6), at("2026-02-28T09:00"));
    assert_int_equal(calendar_add_working_days(cal, start, 7), at("2026-03-02T09:00"));
}

/* The day is Beijing's, not UTC's. */
static void test_china_local_day(void **state)
{
    const struct calendar *cal = *state;
    /* 23:30 Beijing on 30 September is 15:30 UTC the same day */
    assert_int_equal(calendar_add_working_days(cal, at("2026-09-30T23:30+08:00"), 1),
                     at("2026-10-08T23:30+08:00"));
    /* 20:00 UTC on 7 October is already 04:00 on Thursday 8 October in Beijing: a working day */
    int64_t s = at("2026-10-07T20:00Z");
    assert_int_equal(calendar_add_working_days(cal, s, 0), s);
    assert_int_equal(calendar_add_working_days(cal, s, 1), at("2026-10-09T04:00+08:00"));
    /* 15:00 UTC on 30 September is 23:00 Beijing (a Wednesday), not a holiday */
    s = at("2026-09-30T15:00Z");
    assert_int_equal(calendar_add_working_days(cal, s, 0), s);
}

static void test_working_hours(void **state)
{
    const struct calendar *cal = *state;
    assert_true(calendar_working_hours(cal, at("2026-09-30T12:00"), at("2026-10-08T12:00")) ==
                24.0);
    assert_true(calendar_working_hours(cal, at("2026-03-02"), at("2026-03-09")) == 120.0);
    /* 5–7 off, 8 and 9 on, 10 (调休) on, 11 off */
    assert_true(calendar_working_hours(cal, at("2026-10-05"), at("2026-10-12")) == 72.0);
    assert_true(calendar_working_hours(cal, at("2026-03-02T10:00"), at("2026-03-02T10:30")) == 0.5);
    assert_true(calendar_working_hours(cal, at("2026-10-02T10:00"), at("2026-10-02T11:00")) == 0.0);
    assert_true(calendar_working_hours(cal, at("2026-03-09"), at("2026-03-02")) == 0.0);
    assert_true(calendar_working_hours(cal, at("2026-03-09"), at("2026-03-09")) == 0.0);

    assert_true(calendar_working_days_left(cal, at("2026-09-30T12:00"), at("2026-10-08T12:00")) ==
                1.0);
    assert_true(calendar_working_days_left(cal, at("2026-10-08T12:00"), at("2026-09-30T12:00")) ==
                -1.0);
    assert_true(calendar_working_days_left(cal, at("2026-10-09T00:00"), at("2026-10-12T12:00")) ==
                2.5);
}

/* Day-by-day reference for working_hours over whole days. */
static double naive_hours(const struct calendar *cal, int64_t a, int64_t b)
{
    int64_t ms = 0;
    for (int64_t d = day_of_ms(a); d <= day_of_ms(b); d++) {
        int64_t from = ms_of_day(d) > a ? ms_of_day(d) : a;
        int64_t to = ms_of_day(d + 1) < b ? ms_of_day(d + 1) : b;
        if (to > from && calendar_is_working_day(cal, d))
            ms += to - from;
    }
    return (double)ms / (double)FQ_HOUR_MS;
}

static void test_hours_match_day_by_day(void **state)
{
    const struct calendar *cal = *state;
    int64_t base = at("2024-12-01");
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 3000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t a = base + (int64_t)(x % (800 * FQ_DAY_MS));
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t b = a + (int64_t)(x % (60 * FQ_DAY_MS));
        assert_true(calendar_working_hours(cal, a, b) == naive_hours(cal, a, b));
        /* and n working days later is a working day, with the working days between equal to n */
        int n = (int)(x % 15);
        int64_t due = calendar_add_working_days(cal, a, n);
        assert_true(calendar_is_working_day(cal, day_of_ms(due)));
        if (calendar_is_working_day(cal, day_of_ms(a)))
            assert_true(calendar_working_hours(cal, a, due) == 24.0 * n);
    }
}

static void test_built_from_any_order(void **state)
{
    (void)state;
    int64_t days[] = {day("2026-05-09"), day("2026-05-01"), day("2026-05-01"), day("2026-05-04"),
                      day("2026-05-05")};
    char kinds[] = {'w', 'w', 'o', 'o', '?'}; /* the later 5-01 entry wins; '?' is ignored */
    struct calendar *cal = calendar_new(days, kinds, 5);
    assert_non_null(cal);
    assert_int_equal(calendar_is_working_day(cal, day("2026-05-09")), 1);
    assert_int_equal(calendar_is_working_day(cal, day("2026-05-01")), 0);
    assert_int_equal(calendar_is_working_day(cal, day("2026-05-04")), 0);
    assert_int_equal(calendar_is_working_day(cal, day("2026-05-05")), 1);
    calendar_free(cal);

    cal = calendar_new(NULL, NULL, 0);
    assert_non_null(cal);
    assert_int_equal(calendar_is_working_day(cal, day("2026-10-01")), 1);
    assert_int_equal(calendar_is_working_day(cal, day("2026-10-03")), 0);
    assert_int_equal(calendar_add_working_days(cal, at("2026-10-02T08:00"), 1),
                     at("2026-10-05T08:00"));
    calendar_free(cal);
    calendar_free(NULL);
    /* no calendar at all: weekdays */
    assert_int_equal(calendar_is_working_day(NULL, day("2026-10-01")), 1);
    assert_int_equal(calendar_is_working_day(NULL, day("2026-10-04")), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_working_days),
        cmocka_unit_test(test_add_across_national_day),
        cmocka_unit_test(test_add_across_spring_festival),
        cmocka_unit_test(test_china_local_day),
        cmocka_unit_test(test_working_hours),
        cmocka_unit_test(test_hours_match_day_by_day),
        cmocka_unit_test(test_built_from_any_order),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
