/* Tests for core/router.c: naive Bayes on toy data (training, prediction, a dispatcher's correction
 * moving a case), and the measurement behind docs/ROUTING.md — accuracy on a held-out fifth of a
 * demo city's assessed cases and on the hand-written cases of tests/data/routing-eval.tsv (never
 * trained on). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/demo.h"
#include "core/domain.h"
#include "core/router.h"
#include "core/seed.h"
#include "core/textsim.h"
#include "store/store.h"
#include "fixture.h"

#define FAKE_NOW "1795226400000" /* 2026-11-21T10:00:00+08:00 */
#define DEMO_CASES 3000

/* ---- the model on toy data ---- */

static struct router *toy(void)
{
    struct router *r = router_new();
    assert_non_null(r);
    assert_int_equal(router_add_category(r, "07", "劳动人事争议", "", "dispute", "劳动,工资"), 0);
    assert_int_equal(
        router_add_category(r, "0701", "劳动合同", "07", "dispute", "欠薪,拖欠工资,讨薪"), 0);
    assert_int_equal(router_add_category(r, "02", "邻里纠纷", "", "dispute", "邻居,邻里"), 0);
    assert_int_equal(
        router_add_category(r, "0201", "用水排水通行", "02", "dispute", "漏水,排水,通行"), 0);
    assert_int_equal(router_add_category(r, "0201", "again", "02", "dispute", ""), FQ_ECONFLICT);
    assert_int_equal(router_add_category(r, "", "bad", "", "dispute", ""), FQ_EINVAL);
    return r;
}

static void test_toy_keywords_only(void **state)
{
    (void)state;
    struct router *r = toy();
    struct router_suggestion s[3];
    int n;
    assert_int_equal(router_suggest(r, "包工头拖欠工资三个月", 3, s, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(s[0].category, "0701");
    assert_string_equal(s[0].level1, "07");
    assert_string_equal(s[0].level1_name, "劳动人事争议");
    assert_true(s[0].nkeywords >= 1);
    assert_true(s[0].confidence > s[1].confidence);
    assert_true(s[0].level1_confidence >= s[0].confidence);
    assert_int_equal(s[0].grade, GRADE_ORDINARY); /* defaults before any case is learned */
    assert_int_equal(s[0].nsimilar, 0);
    assert_int_equal(router_suggest(r, "", 3, s, &n), FQ_EINVAL);
    router_free(r);
    router_free(NULL);
}

static void test_toy_training_and_correction(void **state)
{
    (void)state;
    struct router *r = toy();
    struct router_suggestion s[2];
    int n;
    /* no keyword of either class: the model alone decides, after learning */
    const char *a = "隔壁把化粪池的管子接到我家院子里";
    for (int i = 0; i < 5; i++)
        assert_int_equal(router_learn(r, 100 + i, "C100", "隔壁把化粪池管子接到院子里", "0201",
                                      GRADE_SIMPLE, LEVEL_VILLAGE),
                         0);
    assert_int_equal(router_learn(r, 200, "C200", "老板跑路了，大家的血汗钱没了", "0701",
                                  GRADE_COMPLEX, LEVEL_COUNTY),
                     0);
    assert_int_equal(router_learn(r, 1, "C1", "x", "9999", 1, 1), FQ_ENOTFOUND);
    assert_int_equal(router_cases(r), 6);
    /* the same label again (a dispatch after the assessment) changes nothing */
    assert_int_equal(router_learn(r, 200, "C200", "老板跑路了，大家的血汗钱没了", "0701", GRADE_COMPLEX,
                                  LEVEL_COUNTY), 0);
    assert_int_equal(router_cases(r), 6);
    assert_int_equal(router_suggest(r, a, 2, s, &n), 0);
    assert_string_equal(s[0].category, "0201");
    assert_int_equal(s[0].grade, GRADE_SIMPLE);
    assert_int_equal(s[0].level, LEVEL_VILLAGE);
    assert_true(s[0].grade_share == 1.0);
    assert_true(s[0].nsimilar >= 1);
    assert_true(s[0].similar[0].similarity > 0.3);
    /* a dispatcher corrects the five cases to 0701: they move, the count stays */
    for (int i = 0; i < 5; i++)
        assert_int_equal(router_learn(r, 100 + i, "C100", "隔壁把化粪池管子接到院子里", "0701",
                                      GRADE_COMPLEX, LEVEL_COUNTY),
                         0);
    assert_int_equal(router_cases(r), 6);
    assert_int_equal(router_suggest(r, a, 2, s, &n), 0);
    assert_string_equal(s[0].category, "0701");
    /* heavy words raise the grade */
    assert_int_equal(router_suggest(r, "几十个工人聚集在工地门口讨薪", 1, s, &n), 0);
    assert_true(s[0].grade >= GRADE_COMPLEX);
    router_free(r);
}

/* ---- measurement on the demo city and the hand-written set ---- */

struct built {
    char dir[64];
    struct store *s;
    struct fq_domain d;
};

static int held_out(int64_t id, void *arg)
{
    (void)arg;
    return id % 5 == 0;
}

struct eval {
    struct router *r;
    int n, l1, l2, l1_top3;
};

static int eval_one(const struct store_case_text *t, void *arg)
{
    struct eval *ev = arg;
    if (!held_out(t->id, NULL))
        return 0;
    char text[8192];
    snprintf(text, sizeof text, "%s\n%s", t->title, t->description);
    struct router_suggestion s[3];
    int n;
    if (router_suggest(ev->r, text, 3, s, &n) || n == 0)
        return 0;
    char l1[4] = {0};
    memcpy(l1, t->category, t->category[0] == 'G' ? 3 : 2);
    ev->n++;
    ev->l2 += !strcmp(s[0].category, t->category);
    ev->l1 += !strcmp(s[0].level1, l1);
    for (int i = 0; i < n; i++)
        if (!strcmp(s[i].level1, l1)) {
            ev->l1_top3++;
            break;
        }
    return 0;
}

/* 1 when value is one of the '|'-separated alternatives. */
static int one_of(const char *value, const char *alternatives)
{
    char buf[128], *save = NULL;
    snprintf(buf, sizeof buf, "%s", alternatives);
    for (char *t = strtok_r(buf, "|", &save); t; t = strtok_r(NULL, "|", &save))
        if (!strcmp(t, value))
            return 1;
    return 0;
}

struct score {
    int n, l1, l1_strict, l1_top3, lead;
};

static void eval_file(struct router *r, struct store_rd *rd, struct score *sc, int verbose)
{
    char path[512], line[4096];
    snprintf(path, sizeof path, "%s/../tests/data/routing-eval.tsv", fx_data_dir());
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    memset(sc, 0, sizeof *sc);
    int first = 1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (first || !line[0] || line[0] == '#') {
            first = 0;
            continue;
        }
        char *text = line, *l1 = strchr(text, '\t'), *lead;
        assert_non_null(l1);
        *l1++ = 0;
        lead = strchr(l1, '\t');
        assert_non_null(lead);
        *lead++ = 0;
        struct router_suggestion s[3];
        int n;
        assert_int_equal(router_suggest(r, text, 3, s, &n), 0);
        assert_true(n > 0);
        /* the level-1 suggestion is the level-1 category with the largest summed confidence */
        int best = 0;
        for (int i = 1; i < n; i++)
            if (s[i].level1_confidence > s[best].level1_confidence)
                best = i;
        char lk[24] = "", ak[128], duty[256];
        store_resp_lookup(rd, s[best].category, LEVEL_COUNTY, lk, ak, duty);
        int ok1 = one_of(s[best].level1, l1), okl = one_of(lk, lead);
        sc->n++;
        sc->l1 += ok1;
        sc->l1_strict += !strncmp(s[best].level1, l1, strcspn(l1, "|")) &&
                         strlen(s[best].level1) == strcspn(l1, "|");
        sc->lead += okl;
        for (int i = 0; i < n; i++)
            if (one_of(s[i].level1, l1)) {
                sc->l1_top3++;
                break;
            }
        if (verbose && (!ok1 || !okl))
            printf("  miss: want %s/%s got %s(%s) %s %.2f | %.40s\n", l1, lead, s[best].category,
                   s[best].level1, lk, s[best].level1_confidence, text);
    }
    fclose(f);
}

static void test_measure(void **state)
{
    (void)state;
    struct built b;
    struct fq_error e = {0};
    char path[128], key[128];
    struct pii_key k;
    memset(&b, 0, sizeof b);
    setenv("FQ_FAKE_NOW", FAKE_NOW, 1);
    snprintf(b.dir, sizeof b.dir, "/tmp/fq-router-XXXXXX");
    assert_non_null(mkdtemp(b.dir));
    snprintf(path, sizeof path, "%s/fq.db", b.dir);
    snprintf(key, sizeof key, "%s/fengqiao.key", b.dir);
    struct store_opts o = {.path = path, .create = 1};
    assert_int_equal(store_open(&o, &b.s, &e), 0);
    assert_int_equal(seed_reference(b.s, fx_data_dir(), &e), 0);
    assert_int_equal(pii_key_load(key, 1, &k), 0);
    assert_int_equal(domain_open(&b.d, b.s, key, b.dir, &e), 0);
    struct demo_opts opts = {.counties = 1, .cases = DEMO_CASES, .months = 12, .seed = 11};
    assert_int_equal(demo_build(&b.d, &opts, &e), 0);
    struct store_rd *rd = store_rd(b.s);

    /* rules alone (no case learned) on the hand-written set */
    struct router *rules = router_new();
    assert_int_equal(router_load_categories(rules, rd), 0);
    struct score kw;
    eval_file(rules, rd, &kw, 0);
    router_free(rules);

    /* trained on four fifths of the demo's assessed cases */
    struct router *r = router_new();
    int learned = 0;
    assert_int_equal(router_load_categories(r, rd), 0);
    struct timespec tt0, tt1;
    clock_gettime(CLOCK_MONOTONIC, &tt0);
    assert_int_equal(router_train_store(r, rd, 1000000, held_out, NULL, &learned), 0);
    clock_gettime(CLOCK_MONOTONIC, &tt1);
    printf("routing: training took %.0f ms\n",
           ((tt1.tv_sec - tt0.tv_sec) * 1e9 + (tt1.tv_nsec - tt0.tv_nsec)) / 1e6);
    assert_true(learned > 500);
    struct eval ev = {.r = r};
    assert_int_equal(store_cases_assessed(rd, 1000000, eval_one, &ev), 0);
    struct score hw;
    eval_file(r, rd, &hw, getenv("FQ_ROUTER_VERBOSE") != NULL);
    printf(
        "routing: trained on %d demo cases\n"
        "  held-out demo cases: n=%d level-1 %.1f%% level-2 %.1f%% level-1 in top 3 %.1f%%\n"
        "  hand-written (rules only): n=%d level-1 %.1f%% top-3 %.1f%% lead department %.1f%%\n"
        "  hand-written (rules + model): n=%d level-1 %.1f%% top-3 %.1f%% lead department %.1f%%\n"
        "  hand-written, first-listed level-1 only: rules %.1f%%, rules + model %.1f%%\n",
        learned, ev.n, 100.0 * ev.l1 / ev.n, 100.0 * ev.l2 / ev.n, 100.0 * ev.l1_top3 / ev.n, kw.n,
        100.0 * kw.l1 / kw.n, 100.0 * kw.l1_top3 / kw.n, 100.0 * kw.lead / kw.n, hw.n,
        100.0 * hw.l1 / hw.n, 100.0 * hw.l1_top3 / hw.n, 100.0 * hw.lead / hw.n,
        100.0 * kw.l1_strict / kw.n, 100.0 * hw.l1_strict / hw.n);
    /* speed: one suggestion over the trained model */
    struct timespec t0, t1;
    struct router_suggestion s3[3];
    int n3;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 200; i++)
        router_suggest(r, "包工头拖欠我们二十多个农民工三个月工资，年底了电话也不接，请帮忙讨薪。",
                       3, s3, &n3);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("  one suggestion (top 3): %.0f µs\n",
           ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 200 / 1e3);
    assert_true(hw.n >= 60);
    assert_true(ev.l1 >= ev.n * 85 / 100);
    assert_true(hw.l1 >= hw.n * 55 / 100);
    router_free(r);
    domain_close(&b.d);
    store_close(b.s);
    fx_rm_tree(b.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_toy_keywords_only),
        cmocka_unit_test(test_toy_training_and_correction),
        cmocka_unit_test(test_measure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
