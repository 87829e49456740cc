/* Tests for core/scenario.c: the shipped library (at least 98 scenarios, every GB/T 31000
 * level-2 dispute category covered, every scenario with legal basis and methods), rejection of
 * malformed files with the line named, validation of admin edits (partial updates, unknown
 * fields and categories), and ranking a case's text to the right scenarios with reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/scenario.h"
#include "fixture.h"

/* Category codes of data/dispute-categories.tsv plus the grid matters' G codes, for `known`. */
static char cats[256][8];
static int ncats;

static void load_categories(void)
{
    char path[512], line[256];
    snprintf(path, sizeof path, "%s/dispute-categories.tsv", fx_data_dir());
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    ncats = 0;
    while (fgets(line, sizeof line, f) && ncats < 256) {
        char *tab = strchr(line, '\t');
        if (!tab || !strncmp(line, "code", 4))
            continue;
        *tab = 0;
        snprintf(cats[ncats++], sizeof cats[0], "%.7s", line);
    }
    fclose(f);
}

static int known(const char *code, void *arg)
{
    (void)arg;
    if (code[0] == 'G')
        return 1;
    for (int i = 0; i < ncats; i++)
        if (!strcmp(cats[i], code))
            return 1;
    return 0;
}

static int has(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (!strcmp(json_string_value(v), s)) return 1;
    return 0;
}

static void test_shipped_library(void **state)
{
    (void)state;
    json_t *list;
    struct fq_error e = {0};
    load_categories();
    assert_int_equal(scenario_file_load(fx_data_dir(), known, NULL, &list, &e), 0);
    assert_true(json_array_size(list) >= 98);
    for (int i = 0; i < ncats; i++) {
        if (strlen(cats[i]) != 4)
            continue;
        int covered = 0;
        size_t j;
        json_t *s;
        json_array_foreach(list, j, s) covered |= has(json_object_get(s, "categories"), cats[i]);
        if (!covered)
            fail_msg("no scenario for category %s", cats[i]);
    }
    size_t j;
    json_t *s;
    json_array_foreach(list, j, s)
    {
        assert_true(json_array_size(json_object_get(s, "legal_basis")) >= 1);
        assert_true(json_array_size(json_object_get(s, "methods")) >= 1);
        assert_true(json_array_size(json_object_get(s, "steps")) >= 1);
    }
    /* ranking: an elderly parent neglected by the children → the 赡养 scenario, with reasons */
    json_t *api = json_array();
    json_array_foreach(list, j, s)
    {
        json_t *o = json_deep_copy(s);
        json_object_set_new(o, "id", json_integer((json_int_t)j + 1));
        json_array_append_new(api, o);
    }
    json_t *top = scenario_rank(api, "0102", "八十岁老人反映三个子女互相推诿，不给赡养费", 3);
    assert_true(json_array_size(top) >= 1 && json_array_size(top) <= 3);
    json_t *first = json_array_get(top, 0);
    assert_non_null(strstr(json_string_value(json_object_get(first, "name")), "赡养"));
    json_t *why = json_object_get(first, "reasons");
    assert_true(has(json_object_get(why, "categories"), "0102"));
    assert_true(has(json_object_get(why, "keywords"), "赡养费"));
    json_decref(top);
    /* without a category, text alone still finds it */
    top = scenario_rank(api, "", "女儿订婚收了男方十八万彩礼，现在退婚了对方要求返还", 3);
    assert_non_null(
        strstr(json_string_value(json_object_get(json_array_get(top, 0), "name")), "彩礼"));
    json_decref(top);
    /* nothing in common: nothing recommended */
    top = scenario_rank(api, "", "qqqq", 3);
    assert_int_equal(json_array_size(top), 0);
    json_decref(top);
    json_decref(api);
    json_decref(list);
}

static void write_file(const char *dir, const char *body)
{
    char path[256];
    snprintf(path, sizeof path, "%s/" SCENARIO_FILE, dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("code\tname\tcategories\tkeywords\tlegal_basis\tmethods\tsteps\tmediators\tdocuments\n",
          f);
    fputs(body, f);
    fclose(f);
}

static void expect_error(const char *dir, const char *body, const char *needle)
{
    json_t *list = NULL;
    struct fq_error e = {0};
    write_file(dir, body);
    assert_int_equal(scenario_file_load(dir, known, NULL, &list, &e), FQ_EINVAL);
    assert_null(list);
    if (!strstr(e.message, needle))
        fail_msg("message \"%s\" lacks \"%s\"", e.message, needle);
}

static void test_bad_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/fq-scenario-XXXXXX", path[256];
    assert_non_null(mkdtemp(dir));
    load_categories();
    const char *good =
        "S001\t名称\t0101\t离婚\t民法典 第1079条\t背靠背调解\t倾听\t调委会\t身份证\n";
    char buf[1024];
    snprintf(buf, sizeof buf, "%s%s", good, "S002\t缺列\t0101\n");
    expect_error(dir, buf, "scenarios.tsv:3");
    expect_error(dir, "X01\t名称\t0101\t\t依据\t方法\t\t\t\n", "code");
    expect_error(dir, "S003\t名称\t7777\t\t依据\t方法\t\t\t\n", "7777");
    expect_error(dir, "S004\t名称\t0101\t\t依据\t\t\t\t\n", "methods");
    snprintf(buf, sizeof buf, "%s%s", good, good);
    expect_error(dir, buf, "duplicate code S001");
    json_t *list;
    struct fq_error e = {0};
    write_file(dir, "# a comment\n\nS009\t名称\t0101,0102\t离婚, 抚养\t民法典 第1079条|民法典 "
                    "第1084条\t家庭会议\t\t\t\n");
    assert_int_equal(scenario_file_load(dir, known, NULL, &list, &e), 0);
    assert_int_equal(json_array_size(list), 1);
    json_t *s = json_array_get(list, 0);
    assert_int_equal(json_array_size(json_object_get(s, "legal_basis")), 2);
    assert_true(has(json_object_get(s, "keywords"), "抚养")); /* trimmed */
    json_decref(list);
    snprintf(path, sizeof path, "%s/" SCENARIO_FILE, dir);
    unlink(path);
    assert_int_equal(scenario_file_load(dir, known, NULL, &list, &e), FQ_ENOTFOUND);
    rmdir(dir);
}

static void test_validate(void **state)
{
    (void)state;
    struct scenario_row row;
    struct fq_error e = {0};
    load_categories();
    json_t *in = json_pack("{s:s, s:[s], s:[s], s:[s]}", "name", "新场景", "categories", "0201",
                           "methods", "现场调解", "legal_basis", "民法典 第290条");
    assert_int_equal(scenario_validate(in, NULL, known, NULL, &row, &e), 0);
    assert_string_equal(row.name, "新场景");
    assert_string_equal(row.categories, "0201");
    assert_string_equal(row.code, "");
    assert_non_null(strstr(row.body, "现场调解"));
    scenario_row_clear(&row);
    /* partial: the base supplies what is missing */
    json_t *patch = json_pack("{s:[s, s]}", "methods", "圆桌调解法", "冷处理");
    assert_int_equal(scenario_validate(patch, in, known, NULL, &row, &e), 0);
    assert_string_equal(row.name, "新场景");
    assert_non_null(strstr(row.body, "冷处理"));
    assert_null(strstr(row.body, "现场调解"));
    scenario_row_clear(&row);
    json_decref(patch);
    /* errors name the field */
    patch = json_pack("{s:i}", "colour", 1);
    assert_int_equal(scenario_validate(patch, in, known, NULL, &row, &e), FQ_EINVAL);
    assert_string_equal(e.field, "colour");
    json_decref(patch);
    patch = json_pack("{s:[s]}", "categories", "9999");
    assert_int_equal(scenario_validate(patch, in, known, NULL, &row, &e), FQ_EINVAL);
    assert_string_equal(e.code, "unknown_category");
    json_decref(patch);
    patch = json_pack("{s:[s]}", "methods", "a|b");
    assert_int_equal(scenario_validate(patch, in, known, NULL, &row, &e), FQ_EINVAL);
    assert_string_equal(e.field, "methods");
    json_decref(patch);
    patch = json_pack("{s:s}", "categories", "0201");
    assert_int_equal(scenario_validate(patch, in, known, NULL, &row, &e), FQ_EINVAL);
    assert_string_equal(e.code, "invalid_type");
    json_decref(patch);
    json_decref(in);
    scenario_row_clear(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_library),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
