/* Tests for core/warning.c on synthetic series: the Poisson tail against known values, the
 * score's normalisation, weights and levels (contributions add up to the score, caps saturate,
 * configurable weights), the forecast's day-of-week baseline and smoothing, and the surge test
 * (fires on a burst, stays quiet on noise at the background rate, on a weekly rhythm and on a
 * busy area's ordinary day). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/warning.h"

static void test_poisson(void **state)
{
    (void)state;
    assert_true(fabs(warn_poisson_upper(1.0, 0) - 1.0) < 1e-12);
    assert_true(fabs(warn_poisson_upper(1.0, 1) - (1 - exp(-1.0))) < 1e-12);
    /* P(X >= 3 | 2) = 1 - e^-2 (1 + 2 + 2) */
    assert_true(fabs(warn_poisson_upper(2.0, 3) - (1 - 5 * exp(-2.0))) < 1e-12);
    /* deep tail: P(X >= 10 | 0.1) ~ 0.1^10 e^-0.1 / 10! */
    double tail = pow(0.1, 10) * exp(-0.1) / 3628800.0;
    double p = warn_poisson_upper(0.1, 10);
    assert_true(fabs(p - tail) / tail < 0.01);
    assert_true(warn_poisson_upper(0, 1) == 0.0);
    /* monotone in k */
    for (int k = 1; k < 30; k++)
        assert_true(warn_poisson_upper(3.0, k + 1) <= warn_poisson_upper(3.0, k));
}

static void fill_area(struct warn_area *a, double rate, unsigned seed)
{
    memset(a, 0, sizeof *a);
    strcpy(a->code, "330000000000001");
    a->grids = 1;
    srand(seed);
    for (int i = 0; i < WARN_DAYS; i++) { /* Poisson by inversion */
        double L = exp(-rate), p = 1;
        int k = 0;
        do {
            k++;
            p *= rand() / (RAND_MAX + 1.0);
        } while (p > L);
        a->day[i] = k - 1;
    }
    for (int i = 0; i < 7; i++)
        a->count[WF_CASES][0] += a->day[i];
    for (int i = 0; i < 30; i++)
        a->count[WF_CASES][1] += a->day[i];
    for (int i = 0; i < 90; i++)
        a->count[WF_CASES][2] += a->day[i];
}

static void test_score_normalisation(void **state)
{
    (void)state;
    struct warn_config c;
    struct warn_area a;
    struct warn_score s;
    warn_config_default(&c);
    memset(&a, 0, sizeof a);
    a.grids = 1;
    warn_score(&a, &c, 0, &s);
    assert_true(s.score == 0);
    assert_int_equal(s.level, WL_BLUE);

    /* one factor at half its cap contributes half its weight's share */
    a.count[WF_THREAT][1] = 1; /* cap 2 */
    warn_score(&a, &c, 0, &s);
    double wsum = 0;
    for (int f = 0; f < WF__COUNT; f++)
        wsum += c.weight[f];
    assert_true(fabs(s.norm[WF_THREAT] - 0.5) < 1e-9);
    assert_true(fabs(s.contribution[WF_THREAT] - 100 * 0.5 * c.weight[WF_THREAT] / wsum) < 1e-9);
    assert_true(fabs(s.score - s.contribution[WF_THREAT]) < 1e-9);

    /* saturation: far above the cap counts as the cap */
    a.count[WF_THREAT][1] = 100;
    warn_score(&a, &c, 0, &s);
    assert_true(fabs(s.norm[WF_THREAT] - 1) < 1e-9);

    /* every factor saturated: 100 and red; contributions add up to the score */
    for (int f = 0; f < WF__COUNT; f++)
        for (int w = 0; w < 3; w++)
            a.count[f][w] = 1000;
    for (int i = 0; i < 3; i++)
        a.day[i] = 40;
    warn_score(&a, &c, 0, &s);
    double sum = 0;
    for (int f = 0; f < WF__COUNT; f++)
        sum += s.contribution[f];
    assert_true(fabs(s.score - 100) < 1e-6);
    assert_true(fabs(sum - s.score) < 1e-6);
    assert_int_equal(s.level, WL_RED);

    /* a village of 4 grids needs 4 times the count for the same normalised value */
    memset(&a, 0, sizeof a);
    a.grids = 4;
    a.count[WF_OVERDUE][1] = 6; /* cap 3 per grid → 12 */
    warn_score(&a, &c, 0, &s);
    assert_true(fabs(s.norm[WF_OVERDUE] - 0.5) < 1e-9);
}

static void test_config(void **state)
{
    (void)state;
    struct warn_config c;
    struct fq_error e = {0};
    warn_config_default(&c);
    assert_int_equal(warn_config_parse(&c,
                                       "{\"threat_words\": 30, \"overdue\": {\"weight\": 2, "
                                       "\"cap\": 10}, \"levels\": [10, 30, 50], \"surge_min\": 4}",
                                       &e),
                     0);
    assert_true(c.weight[WF_THREAT] == 30);
    assert_true(c.weight[WF_OVERDUE] == 2 && c.cap[WF_OVERDUE] == 10);
    assert_true(c.level_at[0] == 10 && c.level_at[2] == 50);
    assert_int_equal(c.surge_min, 4);
    struct warn_config before = c;
    assert_int_equal(warn_config_parse(&c, "{\"nonsense\": 1}", &e), FQ_EINVAL);
    assert_string_equal(e.field, "nonsense");
    assert_int_equal(warn_config_parse(&c, "{\"levels\": [30, 20, 50]}", &e), FQ_EINVAL);
    assert_int_equal(warn_config_parse(&c, "{\"cases\": -1}", &e), FQ_EINVAL);
    assert_int_equal(warn_config_parse(&c, "[1]", &e), FQ_EINVAL);
    assert_memory_equal(&c, &before, sizeof c); /* unchanged on failure */
}

static void test_threat_words(void **state)
{
    (void)state;
    assert_true(warn_text_threat("当事人扬言要跳楼"));
    assert_true(warn_text_threat("多人准备到镇政府聚集"));
    assert_true(warn_text_threat("称要堵路讨说法"));
    assert_false(warn_text_threat("楼上漏水致楼下吊顶受损"));
    assert_false(warn_text_threat(""));
    assert_false(warn_text_threat(NULL));
}

static void test_forecast_baseline(void **state)
{
    (void)state;
    struct warn_config c;
    struct warn_forecast f;
    warn_config_default(&c);
    /* a constant 2 cases a day: baseline and forecast 2, no surge */
    int day[WARN_DAYS];
    for (int i = 0; i < WARN_DAYS; i++)
        day[i] = 2;
    warn_forecast(day, WARN_DAYS, 0, &c, &f);
    assert_true(fabs(f.baseline - 2) < 0.05);
    assert_true(fabs(f.next24 - 2) < 0.05);
    assert_true(fabs(f.next48 - 4) < 0.1);
    assert_false(f.surge);

    /* a weekly rhythm: 6 on Mondays (dow 0), 1 otherwise. Day i's weekday is dow_next - 1 - i. */
    int dow_next = 0; /* the coming 24 hours are a Monday */
    for (int i = 0; i < WARN_DAYS; i++) {
        int dow = ((dow_next - 1 - i) % 7 + 7) % 7;
        day[i] = dow == 0 ? 6 : 1;
    }
    warn_forecast(day, WARN_DAYS, dow_next, &c, &f);
    assert_true(f.baseline > 3.5); /* Monday expected well above the mean of ~1.7 */
    assert_true(f.next24 > 3.5);
    assert_false(f.surge); /* Mondays are ordinary */
    dow_next = 3;          /* the same rhythm seen when the coming 24 hours are a Thursday */
    for (int i = 0; i < WARN_DAYS; i++) {
        int dow = ((dow_next - 1 - i) % 7 + 7) % 7;
        day[i] = dow == 0 ? 6 : 1;
    }
    warn_forecast(day, WARN_DAYS, dow_next, &c, &f);
    assert_true(f.baseline < 1.6);
    assert_false(f.surge);
}

static void test_surge(void **state)
{
    (void)state;
    struct warn_config c;
    struct warn_forecast f;
    struct warn_area a;
    warn_config_default(&c);
    /* a quiet grid (0.05 a day) with 7 cases in the last 24 hours */
    fill_area(&a, 0.05, 1);
    a.day[0] = 7;
    warn_forecast(a.day, WARN_DAYS, 2, &c, &f);
    assert_true(f.surge);
    assert_true(f.p24 < 1e-6);
    assert_true(f.next48 > f.baseline * 2);
    /* 4 cases in 24 hours are under the minimum count, however unlikely */
    a.day[0] = 4;
    a.day[1] = 0;
    warn_forecast(a.day, WARN_DAYS, 2, &c, &f);
    assert_false(f.surge);
    /* a busy township (3 a day): 7 is within noise, 15 is a surge */
    fill_area(&a, 3.0, 2);
    a.day[0] = 7;
    a.day[1] = 3;
    warn_forecast(a.day, WARN_DAYS, 2, &c, &f);
    assert_false(f.surge);
    a.day[0] = 15;
    warn_forecast(a.day, WARN_DAYS, 2, &c, &f);
    assert_true(f.surge);
    /* an area with no history at all: the floor keeps 2 cases from being a surge */
    memset(a.day, 0, sizeof a.day);
    a.day[0] = 2;
    warn_forecast(a.day, WARN_DAYS, 2, &c, &f);
    assert_false(f.surge);
}

/* Over-dispersion: an area whose cases come in clusters (0 on most days, 6 every tenth day) has
 * about the mean of one with 0.6 a day spread evenly; 7 in a day is ordinary in the first, 12 in a
 * day a surge in the second. */
static void test_dispersion(void **state)
{
    (void)state;
    struct warn_config c;
    struct warn_forecast f;
    int day[WARN_DAYS];
    warn_config_default(&c);
    for (int i = 0; i < WARN_DAYS; i++)
        day[i] = i % 10 == 5 ? 6 : 0;
    day[0] = 7;
    warn_forecast(day, WARN_DAYS, 0, &c, &f);
    assert_true(f.dispersion > 2);
    assert_false(f.surge);
    /* the same mean spread evenly (Poisson-like) */
    for (int i = 0; i < WARN_DAYS; i++)
        day[i] = i % 5 == 0 ? 1 : i % 5 == 2 ? 2 : 0;
    day[0] = 12;
    warn_forecast(day, WARN_DAYS, 0, &c, &f);
    assert_true(f.dispersion < 1.5);
    assert_true(f.surge);
}

/* Background noise: 2,000 simulated area-days at each of several rates must raise (almost) no
 * surge — the false-alarm side of the evaluation on synthetic Poisson data. */
static void test_noise_false_alarms(void **state)
{
    (void)state;
    struct warn_config c;
    struct warn_forecast f;
    struct warn_area a;
    warn_config_default(&c);
    static const double rates[] = {0.05, 0.3, 1, 3, 8};
    int alarms = 0, trials = 0;
    for (unsigned r = 0; r < sizeof rates / sizeof rates[0]; r++)
        for (unsigned s = 0; s < 400; s++) {
            fill_area(&a, rates[r], 1000 * r + s + 7);
            warn_forecast(a.day, WARN_DAYS, (int)(s % 7), &c, &f);
            alarms += f.surge;
            trials++;
        }
    assert_true(alarms <= trials / 500); /* <= 0.2 % */
}

static void test_names(void **state)
{
    (void)state;
    int k;
    assert_string_equal(warn_level_name(WL_ORANGE), "orange");
    assert_string_equal(warn_level_zh(WL_RED), "红");
    assert_string_equal(warn_factor_name(WF_POLICE), "police_linked");
    assert_int_equal(warn_area_kind_parse("village", &k), 0);
    assert_int_equal(k, WA_VILLAGE);
    assert_int_equal(warn_area_kind_parse("street", &k), FQ_EINVAL);
    for (int f = 0; f < WF__COUNT; f++)
        assert_true(warn_factor_name(f)[0] && warn_factor_zh(f)[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_poisson),
        cmocka_unit_test(test_score_normalisation),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_threat_words),
        cmocka_unit_test(test_forecast_baseline),
        cmocka_unit_test(test_surge),
        cmocka_unit_test(test_noise_false_alarms),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_dispersion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
