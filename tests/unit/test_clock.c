/* Tests for util/clock.c: civil-date arithmetic over 1900..2100 (and the edges of its range),
 * weekdays, the China-local day of an instant, parsing and formatting of dates and instants,
 * and the fake clock. Includes the cases behind two fixes: format widths that broke -Werror
 * (day_format / ms_format) and out-of-range ±HH:MM offsets that were accepted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/err.h"

static void test_civil_dates(void **state)
{
    (void)state;
    assert_int_equal(day_from_ymd(1970, 1, 1), 0);
    assert_int_equal(day_from_ymd(1969, 12, 31), -1);
    assert_int_equal(day_from_ymd(2000, 3, 1), 11017);
    assert_int_equal(day_from_ymd(2026, 9, 30), 20726);
    assert_int_equal(day_from_ymd(1900, 1, 1), -25567);
    /* every day 1900..2100 round-trips, in order, with the right month lengths */
    int64_t expect = day_from_ymd(1900, 1, 1);
    for (int y = 1900; y <= 2100; y++)
        for (int m = 1; m <= 12; m++) {
            static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
            int last = dm[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
            for (int d = 1; d <= last; d++) {
                int yy, mm, dd;
                assert_int_equal(day_from_ymd(y, m, d), expect);
                ymd_from_day(expect, &yy, &mm, &dd);
                assert_int_equal(yy, y);
                assert_int_equal(mm, m);
                assert_int_equal(dd, d);
                expect++;
            }
        }
    int y, m, d;
    ymd_from_day(day_from_ymd(9999, 12, 31), &y, &m, &d);
    assert_true(y == 9999 && m == 12 && d == 31);
}

static void test_weekday(void **state)
{
    (void)state;
    assert_int_equal(day_weekday(0), 4); /* Thursday */
    assert_int_equal(day_weekday(-1), 3);
    assert_int_equal(day_weekday(-4), 7);
    assert_int_equal(day_weekday(day_from_ymd(2026, 9, 30)), 3);  /* Wednesday */
    assert_int_equal(day_weekday(day_from_ymd(2026, 10, 10)), 6); /* Saturday */
    assert_int_equal(day_weekday(day_from_ymd(2026, 10, 11)), 7);
    assert_int_equal(day_weekday(day_from_ymd(2026, 3, 2)), 1);
    assert_int_equal(day_weekday(day_from_ymd(1900, 1, 1)), 1);
}

static void test_china_day(void **state)
{
    (void)state;
    int64_t d = day_from_ymd(2026, 3, 5);
    /* Beijing midnight is 16:00 UTC the day before */
    assert_int_equal(ms_of_day(d), (d * 86400 - 8 * 3600) * 1000LL);
    assert_int_equal(day_of_ms(ms_of_day(d)), d);
    assert_int_equal(day_of_ms(ms_of_day(d) - 1), d - 1);
    assert_int_equal(day_of_ms(ms_of_day(d + 1) - 1), d);
    /* before 1970 the floor still holds */
    assert_int_equal(day_of_ms(ms_of_day(-3)), -3);
    assert_int_equal(day_of_ms(ms_of_day(-3) - 1), -4);
    assert_int_equal(day_of_ms(-FQ_TZ_OFFSET_MS), 0);
    assert_int_equal(day_of_ms(-FQ_TZ_OFFSET_MS - 1), -1);
}

static void test_day_parse_format(void **state)
{
    (void)state;
    int64_t d = 12345;
    char out[11];
    assert_int_equal(day_parse("2026-10-01", &d), 0);
    assert_int_equal(d, day_from_ymd(2026, 10, 1));
    day_format(d, out);
    assert_string_equal(out, "2026-10-01");
    assert_int_equal(day_parse("2024-02-29", &d), 0);
    day_format(day_from_ymd(1900, 1, 1), out);
    assert_string_equal(out, "1900-01-01");
    day_format(day_from_ymd(9999, 12, 31), out);
    assert_string_equal(out, "9999-12-31");

    const char *bad[] = {"2025-02-29", "2026-13-01", "2026-00-10",  "2026-04-31",
                         "2026-1-01",  "2026-01-1",  "2026-01-011", "2026/01/01",
                         "1899-12-31", "",           "2026-01-0a",  " 2026-01-01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        d = 777;
        assert_int_equal(day_parse(bad[i], &d), FQ_EINVAL);
        assert_int_equal(d, 777);
    }
    assert_int_equal(day_parse(NULL, &d), FQ_EINVAL);
}

static void test_ms_format(void **state)
{
    (void)state;
    char out[26];
    int64_t d = day_from_ymd(2026, 3, 5);
    ms_format(ms_of_day(d), out);
    assert_string_equal(out, "2026-03-05T00:00:00+08:00");
    ms_format(ms_of_day(d + 1) - 1, out);
    assert_string_equal(out, "2026-03-05T23:59:59+08:00");
    ms_format(0, out);
    assert_string_equal(out, "1970-01-01T08:00:00+08:00");
    ms_format(-1, out);
    assert_string_equal(out, "1970-01-01T07:59:59+08:00");
    ms_format(ms_of_day(d) + ((13 * 60 + 7) * 60 + 9) * 1000LL + 500, out);
    assert_string_equal(out, "2026-03-05T13:07:09+08:00");
}

static void test_ms_parse(void **state)
{
    (void)state;
    int64_t base = ms_of_day(day_from_ymd(2026, 3, 5)); /* Beijing midnight */
    struct {
        const char *s;
        int64_t ms;
    } good[] = {
        {"2026-03-05", base},
        {"2026-03-05T10:00", base + 10 * FQ_HOUR_MS},
        {"2026-03-05 10:00", base + 10 * FQ_HOUR_MS},
        {"2026-03-05T10:00:30", base + 10 * FQ_HOUR_MS + 30000},
        {"2026-03-05T10:00:30.999", base + 10 * FQ_HOUR_MS + 30000},
        {"2026-03-05T10:00:30.5Z", base + 18 * FQ_HOUR_MS + 30000},
        {"2026-03-05T10:00+08:00", base + 10 * FQ_HOUR_MS},
        {"2026-03-05T02:00Z", base + 10 * FQ_HOUR_MS},
        {"2026-03-05T02:00+00:00", base + 10 * FQ_HOUR_MS},
        {"2026-03-04T21:00-05:00", base + 10 * FQ_HOUR_MS},
        {"2026-03-05T07:30+05:30", base + 10 * FQ_HOUR_MS},
        {"2026-03-05T23:59:59", base + FQ_DAY_MS - 1000},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int64_t ms = 0;
        if (ms_parse(good[i].s, &ms) != 0 || ms != good[i].ms)
            fail_msg("%s: %lld, want %lld", good[i].s, (long long)ms, (long long)good[i].ms);
    }
    const char *bad[] = {"2026-03-05T24:00",
                         "2026-03-05T10:60",
                         "2026-03-05T10:00:60",
                         "2026-03-05T10",
                         "2026-03-05T10:00+0800",
                         "2026-03-05T10:00+08",
                         "2026-03-05T10:00 ",
                         "2026-03-05T10:00Zjunk",
                         "2026-03-05X10:00",
                         "2026-02-30T10:00",
                         "2026-03-05T1:00",
                         "2026-03-05T10:00+24:00",
                         "2026-03-05T10:00+08:60",
                         "2026-03-05T10:00-99:99",
                         "",
                         "2026-03-05T"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 4242;
        if (ms_parse(bad[i], &ms) != FQ_EINVAL || ms != 4242)
            fail_msg("%s accepted", bad[i]);
    }
    int64_t ms;
    assert_int_equal(ms_parse(NULL, &ms), FQ_EINVAL);
    /* format → parse round trip */
    char out[26];
    ms_format(base + 12345000, out);
    assert_int_equal(ms_parse(out, &ms), 0);
    assert_int_equal(ms, base + 12345000);
}

static void test_fake_now(void **state)
{
    (void)state;
    /* FQ_FAKE_NOW is read on the first call, which this is (no earlier test asks for now) */
    setenv("FQ_FAKE_NOW", "1772676000000", 1);
    assert_int_equal(fq_now_ms(), 1772676000000LL);
    fq_clock_shift(FQ_DAY_MS);
    assert_int_equal(fq_now_ms(), 1772676000000LL + FQ_DAY_MS);
    fq_clock_shift(-FQ_DAY_MS);
    assert_int_equal(fq_now_ms(), 1772676000000LL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_civil_dates), cmocka_unit_test(test_weekday),
        cmocka_unit_test(test_china_day),   cmocka_unit_test(test_day_parse_format),
        cmocka_unit_test(test_ms_format),   cmocka_unit_test(test_ms_parse),
        cmocka_unit_test(test_fake_now),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
