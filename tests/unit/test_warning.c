/* Tests for core/warning.c on synthetic series: the Poisson tail against known values, the
 * score's normalisation, weights and levels (contributions add up to the score, caps saturate,
 * configurable weights), the forecast's day-of-week baseline and smoothing, and the surge test
 * (fires on a burst, stays quiet on noise at the background rate, on a weekly rhythm and on a
 * busy area's ordinary day), and the escalation test (a precursor series of related cases with
 * rising people and threats fires; flat series of unrelated cases, a lone pair, a cluster that
 * has aged out of the window and a disabled test do not). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/textsim.h"
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
    a.esc.score = 100;
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
    assert_int_equal(warn_config_parse(&c,
                                       "{\"escalation_similarity\": 0.5, \"escalation_min\": 4, "
                                       "\"escalation_at\": 0}",
                                       &e),
                     0);
    assert_true(c.esc_sim == 0.5 && c.esc_min == 4 && c.esc_at == 0);
    assert_int_equal(warn_config_parse(&c, "{\"escalation_place\": 0}", &e), 0);
    assert_true(c.esc_place == 0);
    struct warn_config before = c;
    assert_int_equal(warn_config_parse(&c, "{\"escalation_place\": 1.2}", &e), FQ_EINVAL);
    assert_int_equal(warn_config_parse(&c, "{\"escalation_similarity\": 1.5}", &e), FQ_EINVAL);
    assert_int_equal(warn_config_parse(&c, "{\"escalation_min\": 1}", &e), FQ_EINVAL);
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
    /* things and animals gathering are no threat; people massing after them still are */
    assert_false(warn_text_threat("学校门口放学时段聚集大量流动摊贩占道经营"));
    assert_false(warn_text_threat("近期有多只流浪狗聚集，已咬伤一名放学儿童"));
    assert_true(warn_text_threat("聚集大量流动摊贩，摊主扬言报复"));
    assert_true(warn_text_threat("流浪狗聚集伤人，村民准备到镇政府聚集讨说法"));
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

/* A count surge must be of one matter: unrelated cases arriving together are a coincidence. */
static void test_one_matter(void **state)
{
    (void)state;
    struct warn_config c;
    struct warn_area a;
    struct warn_score s;
    warn_config_default(&c);
    assert_true(warn_one_matter(0, 0)); /* nothing categorised: nothing to tell */
    assert_true(warn_one_matter(3, 6));
    assert_false(warn_one_matter(2, 3)); /* under 3 of one category */
    assert_false(warn_one_matter(3, 7)); /* under half */
    /* a quiet grid with 7 cases in 24 hours: a surge when they are one matter, not otherwise */
    fill_area(&a, 0.05, 1);
    a.grids = 1;
    a.day[0] = 7;
    a.cases48 = 7;
    a.same48 = 6;
    warn_score(&a, &c, 2, &s);
    assert_true(s.fc.surge && s.alert);
    a.same48 = 2;
    warn_score(&a, &c, 2, &s);
    assert_false(s.fc.surge);
    assert_false(s.alert);
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


/* Synthetic recent cases for the escalation test: text, hours before now, people, threat. */
struct esc_case {
    const char *text;
    double hours_ago;
    int people, repeat;
    const char *address; /* NULL: none given */
};

static uint32_t esc_pool[32][256], esc_place[32][64];

static int esc_fill(const struct esc_case *in, int n, int64_t now, struct warn_recent *out)
{
    for (int i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].at = now - (int64_t)(in[i].hours_ago * 3600000.0);
        out[i].nsh = textsim_shingles(in[i].text, esc_pool[i], 256);
        out[i].sh = esc_pool[i];
        out[i].people = in[i].people;
        out[i].threat = warn_text_threat(in[i].text);
        out[i].repeat = in[i].repeat;
        out[i].place = esc_place[i];
        out[i].nplace = in[i].address ? textsim_shingles(in[i].address, esc_place[i], 64) : 0;
    }
    return n;
}

/* A wage dispute brewing at one site: the same company and foreman, more workers each time, then
 * threats and the lead complainant again. */
static const struct esc_case brewing[] = {
    {"清溪镇宏达建设工程有限公司承建的安置房项目工地包工头王某某拖欠工人工资两个月，工人要求结清工资",
     200, 2, 0, NULL},
    {"安置房项目工地包工头王某某拖欠工资，宏达建设工程有限公司承建，多名工人讨要工资未果", 120,
     6, 0, NULL},
    {"宏达建设工程有限公司安置房项目工地拖欠工资，包工头王某某避而不见，工人扬言到镇政府聚集讨薪",
     40, 14, 1, NULL},
    {"安置房项目工地二十余名工人反映宏达建设工程有限公司包工头王某某拖欠工资，扬言上访", 10,
     25, 0, NULL},
};

/* Ordinary cases of a village over two weeks: each a different matter. */
static const struct esc_case flat[] = {
    {"张某某反映邻居李某某在楼道堆放杂物影响通行", 300, 2, 0, NULL},
    {"市民反映幸福路路灯不亮，夜间出行不便", 250, 1, 0, NULL},
    {"王某某与丈夫因家庭开支问题多次争吵，请求调解", 200, 2, 0, NULL},
    {"居民反映小区垃圾清运不及时，异味较大", 150, 1, 0, NULL},
    {"村民反映村道边一棵大树倾斜，存在倒伏隐患", 100, 1, 0, NULL},
    {"刘某某反映其母亲八十五岁独居，申请居家养老服务", 60, 1, 0, NULL},
    {"商户反映隔壁烧烤店油烟扰民，要求整改", 30, 3, 0, NULL},
    {"赵某某反映承包地被邻居占用，双方发生争执", 5, 2, 0, NULL},
};

static void test_escalation(void **state)
{
    (void)state;
    struct warn_config c;
    struct warn_recent r[32];
    struct warn_escalation e;
    int64_t now = 1790000000000LL;
    warn_config_default(&c);

    /* related cases with growth, threats, rising people and a repeat petition: fires */
    int n = esc_fill(brewing, 4, now, r);
    warn_escalation_test(r, n, now, &c, &e);
    assert_int_equal(e.cases, 4);
    assert_int_equal(e.recent, 2);
    assert_int_equal(e.threat, 2);
    assert_int_equal(e.repeat, 1);
    assert_int_equal(e.people_first, 2);
    assert_int_equal(e.people_last, 25);
    assert_true(e.score == 2 + 1 + 2 + 1 + 1);
    assert_true(e.fired);

    /* the same among a village's ordinary cases: still found */
    struct esc_case mixed[12];
    memcpy(mixed, flat, sizeof flat);
    memcpy(mixed + 8, brewing, sizeof brewing);
    n = esc_fill(mixed, 12, now, r);
    warn_escalation_test(r, n, now, &c, &e);
    assert_int_equal(e.cases, 4);
    assert_true(e.fired);

    /* a flat series of unrelated matters: no cluster at all */
    n = esc_fill(flat, 8, now, r);
    warn_escalation_test(r, n, now, &c, &e);
    assert_int_equal(e.cases, 0);
    assert_false(e.fired);

    /* two related cases are a pair, not a cluster */
    n = esc_fill(brewing + 2, 2, now, r);
    warn_escalation_test(r, n, now, &c, &e);
    assert_false(e.fired);

    /* three related cases without growth, threats or more people: below the threshold */
    static const struct esc_case quiet[] = {
        {"幸福小区3号楼电梯故障停运，业主要求物业公司尽快维修", 300, 1, 0, NULL},
        {"幸福小区3号楼电梯又故障停运，业主要求物业公司维修", 200, 1, 0, NULL},
        {"幸福小区3号楼电梯故障停运多日，业主要求物业公司尽快维修", 100, 1, 0, NULL},
    };
    n = esc_fill(quiet, 3, now, r);
    warn_escalation_test(r, n, now, &c, &e);
    assert_int_equal(e.cases, 3);
    assert_true(e.score < c.esc_at);
    assert_false(e.fired);

    /* the brewing series two weeks later: out of the window */
    n = esc_fill(brewing, 4, now, r);
    warn_escalation_test(r, n, now + 15 * 24 * 3600000LL, &c, &e);
    assert_false(e.fired);

    /* switched off */
    c.esc_at = 0;
    n = esc_fill(brewing, 4, now, r);
    warn_escalation_test(r, n, now, &c, &e);
    assert_false(e.fired);
}

/* Two wage claims of one kind in a village within days, against two companies at two sites:
 * the texts read alike, the places differ. Each alone is three cases with a threat, below the
 * threshold; linked by text alone they would make a cluster of six. */
static void test_escalation_place(void **state)
{
    (void)state;
    struct warn_config c;
    struct warn_recent r[8];
    struct warn_escalation e;
    int64_t now = 1790000000000LL;
    static const char *const site_a = "青溪县白鹤镇里蒋村长浦自然村35号",
                             *site_b = "青溪县白鹤镇里蒋村竹园自然村132号";
    struct esc_case two[6] = {
        {"5名农民工反映工地拖欠工资，多次讨要未果", 300, 5, 0, site_a},
        {"8名农民工反映工地拖欠工资，多次讨要未果", 200, 8, 0, site_b},
        {"6名农民工反映工地拖欠工资，多次讨要未果，扬言聚集讨薪", 150, 6, 0, site_a},
        {"7名农民工反映工地拖欠工资，多次讨要未果", 100, 7, 0, site_b},
        {"4名农民工反映工地拖欠工资，多次讨要未果", 60, 4, 0, site_a},
        {"9名农民工反映工地拖欠工资，多次讨要未果，扬言聚集讨薪", 20, 9, 0, site_b},
    };
    warn_config_default(&c);
    warn_escalation_test(r, esc_fill(two, 6, now, r), now, &c, &e);
    assert_int_equal(e.cases, 3);
    assert_false(e.fired);
    assert_false(warn_related(&r[0], &r[1], &c));
    assert_true(warn_related(&r[0], &r[2], &c));
    /* one site: one matter, six cases */
    for (int i = 0; i < 6; i++)
        two[i].address = site_a;
    warn_escalation_test(r, esc_fill(two, 6, now, r), now, &c, &e);
    assert_int_equal(e.cases, 6);
    assert_true(e.fired);
    /* no address on one side: the text decides */
    two[1].address = NULL;
    two[3].address = site_b;
    two[5].address = site_b;
    esc_fill(two, 6, now, r);
    assert_true(warn_related(&r[0], &r[1], &c));
    assert_false(warn_related(&r[0], &r[3], &c));
    /* the place check switched off: text alone links the two sites */
    c.esc_place = 0;
    assert_true(warn_related(&r[0], &r[3], &c));
}

/* The escalation factor enters the score and the alert, and says why in words. */
static void test_escalation_factor(void **state)
{
    (void)state;
    struct warn_config c;
    struct warn_area a;
    struct warn_score s;
    struct warn_recent r[8];
    int64_t now = 1790000000000LL;
    warn_config_default(&c);
    memset(&a, 0, sizeof a);
    a.grids = 1;
    snprintf(a.code, sizeof a.code, "330100000000001");
    warn_escalation_test(r, esc_fill(brewing, 4, now, r), now, &c, &a.esc);
    warn_score(&a, &c, 0, &s);
    assert_false(s.fc.surge);
    assert_true(s.alert);
    assert_true(s.contribution[WF_ESCALATION] > 0);
    json_t *j = warn_area_json(&a, &s, &c);
    json_t *top = json_array_get(json_object_get(j, "factors"), 0);
    assert_string_equal(json_string_value(json_object_get(top, "name")), "escalation");
    const char *detail = json_string_value(json_object_get(top, "detail"));
    assert_non_null(detail);
    assert_non_null(strstr(detail, "相似案件4件"));
    assert_non_null(strstr(detail, "2→25"));
    assert_true(json_is_true(json_object_get(json_object_get(j, "escalation"), "fired")));
    json_decref(j);
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
        cmocka_unit_test(test_escalation),
        cmocka_unit_test(test_escalation_factor),
        cmocka_unit_test(test_escalation_place),
        cmocka_unit_test(test_one_matter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
