/* Tests for core/casecode.c: the ISO 7064 MOD 11-2 check against GB 11643's own table, code
 * layout from the China-local date, and that every single-digit error and neighbour swap is
 * caught. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/casecode.h"
#include "util/clock.h"
#include "util/err.h"

/* GB 11643 as the standard writes it: fixed weights and a lookup string. */
static char gb11643_check(const char *d17)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (d17[i] - '0') * w[i];
    return "10X98765432"[sum % 11];
}

static void test_standard_example(void **state)
{
    (void)state;
    assert_int_equal(iso7064_mod11_2("11010519491231002", 17), 'X');
    assert_int_equal(iso7064_mod11_2("11010519491231002X", 17), 'X'); /* only n digits read */
    assert_int_equal(iso7064_mod11_2("1101a5", 6), 0);
    assert_int_equal(iso7064_mod11_2("", 0), '1'); /* (12 - 0) mod 11 */
}

static void test_agrees_with_gb11643(void **state)
{
    (void)state;
    uint32_t x = 12345;
    char d[18];
    for (int k = 0; k < 5000; k++) {
        for (int i = 0; i < 17; i++) {
            x = x * 1103515245u + 12345u;
            d[i] = (char)('0' + (x >> 16) % 10);
        }
        d[17] = 0;
        assert_int_equal(iso7064_mod11_2(d, 17), gb11643_check(d));
    }
}

static void test_make(void **state)
{
    (void)state;
    char code[22];
    assert_int_equal(casecode_make("110105", day_from_ymd(2026, 3, 5), 42, code), 0);
    assert_int_equal(strlen(code), 21);
    assert_memory_equal(code, "11010520260305000042", 20);
    assert_int_equal(code[20], iso7064_mod11_2(code, 20));
    assert_int_equal(casecode_check(code), 0);

    /* the date is China's: 01:00 Beijing on 5 March is still 4 March in UTC */
    int64_t ms;
    assert_int_equal(ms_parse("2026-03-05T01:00+08:00", &ms), 0);
    assert_int_equal(casecode_make("110105", day_of_ms(ms), 999999, code), 0);
    assert_memory_equal(code, "11010520260305999999", 20);
}

static void test_make_rejects(void **state)
{
    (void)state;
    char code[22] = "untouched";
    int64_t day = day_from_ymd(2026, 3, 5);
    assert_int_equal(casecode_make("11010", day, 1, code), FQ_EINVAL);
    assert_int_equal(casecode_make("1101055", day, 1, code), FQ_EINVAL);
    assert_int_equal(casecode_make("1101a5", day, 1, code), FQ_EINVAL);
    assert_int_equal(casecode_make("000105", day, 1, code), FQ_EINVAL);
    assert_int_equal(casecode_make("990105", day, 1, code), FQ_EINVAL);
    assert_int_equal(casecode_make(NULL, day, 1, code), FQ_EINVAL);
    assert_int_equal(casecode_make("110105", day, 0, code), FQ_EINVAL);
    assert_int_equal(casecode_make("110105", day, 1000000, code), FQ_EINVAL);
    assert_int_equal(casecode_make("110105", day, -1, code), FQ_EINVAL);
    assert_int_equal(casecode_make("110105", day_from_ymd(1899, 12, 31), 1, code), FQ_EINVAL);
    assert_string_equal(code, "untouched");
}

static void test_check_lowercase_x(void **state)
{
    (void)state;
    char code[22];
    int seq = 1;
    do /* find a sequence whose check is X */
        assert_int_equal(casecode_make("440305", day_from_ymd(2025, 10, 11), seq++, code), 0);
    while (code[20] != 'X');
    assert_int_equal(casecode_check(code), 0);
    code[20] = 'x';
    assert_int_equal(casecode_check(code), 0);
    code[20] = 'Y';
    assert_int_equal(casecode_check(code), FQ_EINVAL);
}

static void test_check_catches_typos(void **state)
{
    (void)state;
    char code[22], bad[22];
    assert_int_equal(casecode_make("320106", day_from_ymd(2025, 12, 31), 1234, code), 0);
    for (int i = 0; i < 21; i++) {
        for (char c = '0'; c <= '9'; c++) {
            if (c == code[i])
                continue;
            memcpy(bad, code, sizeof bad);
            bad[i] = c;
            assert_int_equal(casecode_check(bad), FQ_EINVAL);
        }
    }
    for (int i = 0; i + 1 < 20; i++) {
        if (code[i] == code[i + 1])
            continue;
        memcpy(bad, code, sizeof bad);
        bad[i] = code[i + 1];
        bad[i + 1] = code[i];
        assert_int_equal(casecode_check(bad), FQ_EINVAL);
    }
}

/* A code with the right check but an impossible date or county is still refused. */
static void test_check_date_and_shape(void **state)
{
    (void)state;
    char s[22];
    const char *bodies[] = {"11010520250229000001", "11010520261301000001", "11010520260100000001",
                            "11010518991231000001", "00010520260101000001"};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        snprintf(s, sizeof s, "%s", bodies[i]);
        s[20] = iso7064_mod11_2(s, 20);
        s[21] = 0;
        assert_int_equal(casecode_check(s), FQ_EINVAL);
    }
    snprintf(s, sizeof s, "%s", "11010520240229000001");
    s[20] = iso7064_mod11_2(s, 20);
    s[21] = 0;
    assert_int_equal(casecode_check(s), 0); /* leap day */

    assert_int_equal(casecode_check(NULL), FQ_EINVAL);
    assert_int_equal(casecode_check(""), FQ_EINVAL);
    assert_int_equal(casecode_check("1101052024022900000"), FQ_EINVAL);
    char longer[23];
    snprintf(longer, sizeof longer, "%s0", s);
    assert_int_equal(casecode_check(longer), FQ_EINVAL);
    s[3] = 'a';
    assert_int_equal(casecode_check(s), FQ_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_standard_example),
        cmocka_unit_test(test_agrees_with_gb11643),
        cmocka_unit_test(test_make),
        cmocka_unit_test(test_make_rejects),
        cmocka_unit_test(test_check_lowercase_x),
        cmocka_unit_test(test_check_catches_typos),
        cmocka_unit_test(test_check_date_and_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
