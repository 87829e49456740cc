/* Tests for util/buf.c: appends, printf, the hard cap (exact fit, one past, and a size that
 * wraps around size_t, the bug fixed in buf_grow), reset, steal and reuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <math.h>

#include "util/buf.h"
#include "util/err.h"

static void test_append(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1 << 20);
    assert_null(b.data);
    assert_int_equal(buf_adds(&b, "受理"), 0);
    assert_int_equal(buf_add(&b, ":", 1), 0);
    assert_int_equal(buf_printf(&b, "%d-%s", 42, "ok"), 0);
    assert_string_equal(b.data, "受理:42-ok");
    assert_int_equal(b.len, strlen("受理:42-ok"));
    assert_int_equal(buf_add(&b, "", 0), 0);
    assert_int_equal(buf_printf(&b, "%s", ""), 0);
    assert_int_equal(b.len, strlen("受理:42-ok"));
    /* growth past the first block keeps the content */
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_add(&b, "0123456789", 10), 0);
    assert_int_equal(b.len, strlen("受理:42-ok") + 10000);
    assert_int_equal(b.data[b.len], 0);
    assert_memory_equal(b.data + b.len - 10, "0123456789", 10);
    buf_free(&b);
    assert_null(b.data);
    buf_free(&b); /* twice is harmless */
}

static void test_empty_add_allocates(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 10);
    assert_int_equal(buf_add(&b, "", 0), 0);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    buf_free(&b);
}

static void test_cap(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 8);
    assert_int_equal(buf_adds(&b, "12345"), 0);
    assert_int_equal(buf_adds(&b, "6789"), FQ_ETOOBIG);
    assert_string_equal(b.data, "12345"); /* unchanged */
    assert_int_equal(buf_printf(&b, "%s", "6789"), FQ_ETOOBIG);
    assert_string_equal(b.data, "12345");
    assert_int_equal(buf_adds(&b, "678"), 0); /* exactly the cap */
    assert_string_equal(b.data, "12345678");
    assert_int_equal(buf_add(&b, "9", 1), FQ_ETOOBIG);
    assert_true(b.alloc <= 9); /* never more memory than the cap can use */
    buf_free(&b);

    buf_init(&b, 0);
    assert_int_equal(buf_add(&b, "x", 1), FQ_ETOOBIG);
    assert_int_equal(buf_add(&b, "", 0), 0);
    buf_free(&b);
}

/* len + n used to wrap around, slip under the cap, and memcpy far past the allocation. */
static void test_cap_overflow(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, SIZE_MAX);
    assert_int_equal(buf_adds(&b, "abc"), 0);
    assert_int_equal(buf_add(&b, "x", SIZE_MAX - 1), FQ_ETOOBIG);
    assert_int_equal(buf_add(&b, "x", SIZE_MAX), FQ_ETOOBIG);
    assert_string_equal(b.data, "abc");
    buf_free(&b);

    buf_init(&b, 100);
    assert_int_equal(buf_adds(&b, "abc"), 0);
    assert_int_equal(buf_add(&b, "x", SIZE_MAX - 1), FQ_ETOOBIG);
    assert_int_equal(b.len, 3);
    buf_free(&b);
}

static void test_reset_steal(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 64);
    buf_reset(&b); /* before any append */
    assert_int_equal(buf_adds(&b, "hello"), 0);
    char *keep = b.data;
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_ptr_equal(b.data, keep); /* memory kept */
    assert_int_equal(buf_adds(&b, "world"), 0);
    char *s = buf_steal(&b);
    assert_string_equal(s, "world");
    free(s);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    s = buf_steal(&b); /* empty: "" not NULL */
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
    /* reusable after steal, cap intact */
    assert_int_equal(buf_adds(&b, "again"), 0);
    assert_string_equal(b.data, "again");
    assert_int_equal(b.cap, 64);
    buf_free(&b);
}

/* b holds what jansson writes for j (taken); frees b. */
static void assert_as_jansson(struct buf *b, json_t *j)
{
    char *want = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    assert_string_equal(b->data, want);
    free(want);
    json_decref(j);
    buf_free(b);
}

/* buf_json_real writes what jansson writes for the same real (the case cache splices it in). */
/* buf_int prints what "%lld" prints, at the extremes too. */
static void test_int(void **state)
{
    (void)state;
    const int64_t vs[] = {0, 7, -7, 10, 99, -100, 1234567890123LL, INT64_MAX, INT64_MIN};
    struct buf b;
    buf_init(&b, 1024);
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        char want[32];
        snprintf(want, sizeof want, "%lld", (long long)vs[i]);
        buf_reset(&b);
        assert_int_equal(buf_int(&b, vs[i]), 0);
        assert_string_equal(b.data, want);
    }
    buf_free(&b);
}

static void test_json_real(void **state)
{
    (void)state;
    static const double v[] = {0, -0.0, 1, -1, 2.5, 0.1, 1.0 / 3, -2.2999999999999998, 100, 1e5, 1e16, 1e17,
                               1.5e300, -1e-5, 4.9e-324, 123456789.125, -0.5, 37.2};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct buf b;
        buf_init(&b, 64);
        assert_int_equal(buf_json_real(&b, v[i]), 0);
        assert_as_jansson(&b, json_real(v[i]));
    }
    struct buf b;
    buf_init(&b, 64);
    assert_int_equal(buf_json_real(&b, NAN), FQ_EINVAL);
    assert_int_equal(buf_json_real(&b, INFINITY), FQ_EINVAL);
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_reserve(&b, 65), FQ_ETOOBIG);
    assert_int_equal(buf_reserve(&b, 64), 0);
    assert_true(b.alloc >= 65);
    buf_free(&b);
}

/* buf_json_str writes what jansson writes for the same string (case replies are written with
 * it): quotes, backslashes, every control character, UTF-8 and '/' left alone. */
static void test_json_str(void **state)
{
    (void)state;
    char all[40];
    for (int i = 1; i < 32; i++)
        all[i - 1] = (char)i;
    memcpy(all + 31, "\"\\/\x7f", 5);
    all[36] = 0;
    const char *v[] = {"", "plain", "噪音扰民 \"引号\" 与 \\ 反斜杠", "a\nb\tc\r\b\f", all, "末尾\x01", "\x1f开头", "/path/"};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct buf b;
        buf_init(&b, 256);
        assert_int_equal(buf_json_str(&b, v[i]), 0);
        assert_as_jansson(&b, json_string(v[i]));
    }
    struct buf b;
    buf_init(&b, 8);
    assert_int_equal(buf_json_str(&b, "0123456789"), FQ_ETOOBIG);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append),      cmocka_unit_test(test_empty_add_allocates),
        cmocka_unit_test(test_cap),         cmocka_unit_test(test_cap_overflow),
        cmocka_unit_test(test_reset_steal), cmocka_unit_test(test_json_real), cmocka_unit_test(test_int), cmocka_unit_test(test_json_str),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
