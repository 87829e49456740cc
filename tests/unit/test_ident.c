/* Tests for core/ident.c: resident IDs (GB 11643 example, dates, check), mobile normalisation,
 * USCC (GB 32100), and division codes: levels, prefixes, subtree containment, ancestors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/casecode.h"
#include "core/ident.h"
#include "store/model.h"
#include "util/err.h"

/* 17 digits + their check, as a resident ID. */
static void with_check(const char *d17, char out[19])
{
    memcpy(out, d17, 17);
    out[17] = iso7064_mod11_2(d17, 17);
    out[18] = 0;
}

static void test_resident_id(void **state)
{
    (void)state;
    char id[19];
    assert_true(ident_resident_id_valid("11010519491231002X"));
    assert_true(ident_resident_id_valid("11010519491231002x"));
    assert_false(ident_resident_id_valid("110105194912310021"));
    assert_false(ident_resident_id_valid("11010519491231002"));
    assert_false(ident_resident_id_valid("11010519491231002X0"));
    assert_false(ident_resident_id_valid("1101051949123100 X"));
    assert_false(ident_resident_id_valid(""));
    assert_false(ident_resident_id_valid(NULL));

    with_check("44030520000229123", id); /* leap day */
    assert_true(ident_resident_id_valid(id));
    const char *bad_dates[] = {"44030519000229123", "44030520010229123", "44030520011301123",
                               "44030520010100123", "44030518991231123", "44030521010101123",
                               "44030520010431123"};
    for (size_t i = 0; i < sizeof bad_dates / sizeof bad_dates[0]; i++) {
        with_check(bad_dates[i], id);
        assert_false(ident_resident_id_valid(id));
    }
    with_check("44030521001231123", id);
    assert_true(ident_resident_id_valid(id));
}

static void test_phone(void **state)
{
    (void)state;
    const char *good[] = {"13800000000",    "138 0000 0000",      "138-0000-0000",
                          "+8613800000000", "+86 138 0000 0000",  "008613800000000",
                          "8613800000000",  "0086-138-0000-0000", " 13800000000 "};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char out[12] = "";
        assert_int_equal(ident_phone_normalize(good[i], out), 0);
        assert_string_equal(out, "13800000000");
    }
    char out[12];
    assert_int_equal(ident_phone_normalize("19912345678", out), 0);
    assert_string_equal(out, "19912345678");

    const char *bad[] = {"12800000000",
                         "10800000000",
                         "1380000000",
                         "138000000000",
                         "+8612800000000",
                         "+85213800000000",
                         "0013800000000",
                         "01380000000",
                         "1380000000a",
                         "",
                         "+86",
                         "86",
                         "138.0000.0000",
                         "+86+8613800000000",
                         "1 3 8 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(out, "untouched", 10);
        assert_int_equal(ident_phone_normalize(bad[i], out), FQ_EINVAL);
        assert_string_equal(out, "untouched");
    }
    assert_int_equal(ident_phone_normalize(NULL, out), FQ_EINVAL);
}

static void test_uscc(void **state)
{
    (void)state;
    assert_true(ident_uscc_valid("91350100M000100Y43"));
    assert_true(ident_uscc_valid("91440300MA5DC8X3XA"));
    assert_false(ident_uscc_valid("91350100M000100Y44"));
    assert_false(ident_uscc_valid("91350100m000100y43")); /* the alphabet is upper-case */
    assert_false(ident_uscc_valid("91350100I000100Y43")); /* I, O, S, V, Z are not in it */
    assert_false(ident_uscc_valid("91350100M000100Y4"));
    assert_false(ident_uscc_valid("91350100M000100Y430"));
    assert_false(ident_uscc_valid(""));
    assert_false(ident_uscc_valid(NULL));
}

static void test_division_levels(void **state)
{
    (void)state;
    struct {
        const char *code;
        int level;
        size_t prefix;
    } cases[] = {
        {"110100000000", LEVEL_CITY, 4},     {"110105000000", LEVEL_COUNTY, 6},
        {"110105001000", LEVEL_TOWNSHIP, 9}, {"110105001001", LEVEL_VILLAGE, 12},
        {"441900003000", LEVEL_TOWNSHIP, 9}, /* 东莞: townships directly under the city */
        {"441900003001", LEVEL_VILLAGE, 12}, {"820000000000", LEVEL_NONE, 0}, /* a province */
        {"110000000000", LEVEL_NONE, 0},     {"000100000000", LEVEL_NONE, 0},
        {"100100000000", LEVEL_NONE, 0},     {"830100000000", LEVEL_NONE, 0},
        {"110005000000", LEVEL_NONE, 0}, /* a county under a zero prefecture */
        {"110105000001", LEVEL_NONE, 0}, /* a village under a zero township */
        {"11010500100", LEVEL_NONE, 0},      {"1101050010010", LEVEL_NONE, 0},
        {"11010500100a", LEVEL_NONE, 0},     {"", LEVEL_NONE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(division_level(cases[i].code), cases[i].level);
        assert_int_equal(division_prefix_len(cases[i].code), cases[i].prefix);
        assert_int_equal(division_code_valid(cases[i].code), cases[i].level != LEVEL_NONE);
    }
}

static void test_division_contains(void **state)
{
    (void)state;
    assert_true(division_contains("", "110105001001"));
    assert_true(division_contains("", ""));
    assert_true(division_contains("110100000000", "110105001001"));
    assert_true(division_contains("110105000000", "110105001001"));
    assert_true(division_contains("110105000000", "110105000000"));
    assert_true(division_contains("110105001000", "110105001001"));
    assert_true(division_contains("110105001001", "110105001001"));
    assert_false(division_contains("110105001001", "110105001002"));
    assert_false(division_contains("110105001000", "110105002001"));
    assert_false(division_contains("110105000000", "110106001001"));
    assert_false(division_contains("110105000000", "110100000000")); /* the parent is outside */
    assert_false(division_contains("110100000000", "120105001001"));
    assert_true(division_contains("441900000000", "441900003001"));
    assert_true(division_contains("441900003000", "441900003001"));
    /* a bad root never widens to everything */
    assert_false(division_contains("110000000000", "110105001001"));
    assert_false(division_contains("1101", "110105001001"));
    assert_false(division_contains(NULL, "110105001001"));
    assert_false(division_contains("110105000000", "110105"));
    assert_false(division_contains("110105000000", NULL));
}

static void test_division_county_ancestor(void **state)
{
    (void)state;
    char county[7], anc[13];
    division_county("110105001001", county);
    assert_string_equal(county, "110105");
    division_county("110105000000", county);
    assert_string_equal(county, "110105");
    division_county("110100000000", county);
    assert_string_equal(county, "");
    division_county("441900003001", county); /* 东莞: the city stands in for the county */
    assert_string_equal(county, "441900");
    division_county("bogus", county);
    assert_string_equal(county, "");

    division_ancestor("110105001001", LEVEL_CITY, anc);
    assert_string_equal(anc, "110100000000");
    division_ancestor("110105001001", LEVEL_COUNTY, anc);
    assert_string_equal(anc, "110105000000");
    division_ancestor("110105001001", LEVEL_TOWNSHIP, anc);
    assert_string_equal(anc, "110105001000");
    division_ancestor("110105001001", LEVEL_VILLAGE, anc);
    assert_string_equal(anc, "110105001001");
    division_ancestor("110105000000", LEVEL_VILLAGE, anc); /* below the code: the code itself */
    assert_string_equal(anc, "110105000000");
    division_ancestor("110105001001", LEVEL_NONE, anc);
    assert_string_equal(anc, "");
    division_ancestor("110105001001", 9, anc);
    assert_string_equal(anc, "");
    division_ancestor("110000000000", LEVEL_CITY, anc);
    assert_string_equal(anc, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resident_id),
        cmocka_unit_test(test_phone),
        cmocka_unit_test(test_uscc),
        cmocka_unit_test(test_division_levels),
        cmocka_unit_test(test_division_contains),
        cmocka_unit_test(test_division_county_ancestor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
