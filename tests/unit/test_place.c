/* Tests for store/place_pattern.c: the LIKE patterns of the place search — runs in order with anything
 * between, numbers as typed or as Chinese numerals, separators dropped, wildcards escaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "store/place_pattern.h"

static void expect(const char *q, int cn, const char *want)
{
    char out[256];
    assert_int_equal(place_pattern(q, cn, out, sizeof out), 0);
    assert_string_equal(out, want);
}

static void test_patterns(void **state)
{
    (void)state;
    expect("光明社区3网格", 0, "%光明社区%3%网格%");
    expect("光明社区3网格", 1, "%光明社区%三%网格%");
    expect("光明社区第三网格", 1, "%光明社区第三网格%");
    expect("迎春 10", 1, "%迎春%十%");
    expect("12网格", 1, "%十二%网格%");
    expect("20", 1, "%二十%");
    expect("35", 1, "%三十五%");
    expect("0", 1, "%零%");
    expect("120", 1, "%120%"); /* three digits stay digits */
    expect("a_b", 0, "%a\\_b%");
    expect("100%", 0, "%100%\\%%");
}

static void test_nothing_to_match(void **state)
{
    (void)state;
    char out[16];
    assert_int_equal(place_pattern("  ,.;", 0, out, sizeof out), -1);
    assert_int_equal(place_pattern("", 1, out, sizeof out), -1);
    assert_int_equal(place_pattern("光明社区第三网格", 0, out, sizeof out), -1); /* does not fit */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_nothing_to_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
