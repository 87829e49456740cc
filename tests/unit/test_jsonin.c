/* Tests for util/jsonin.c: jin_loadb builds, for every document, what json_loadb with
 * JSON_REJECT_DUPLICATES builds (or fails the same way): request bodies taken by the fast
 * parser (jin_load_simple), and thousands of mutations of them (bytes replaced, inserted, cut)
 * where it must either agree with jansson or leave the document to it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonin.h"

static const char *const docs[] = {
    "{\"channel\":\"hotline_12345\",\"title\":\"夜间施工噪音扰民\",\"description\":\"来电人称，物业不作为，涉及约12户。\",\"division\":\"330681100201\"}",
    "{}",
    " {\n\t\"a\" : [ ] , \"b\":{ }, \"c\":[1,-2,0,-0,123456789012345678], \"d\":true,\"e\":false,\"f\":null\r\n} ",
    "{\"parties\":[{\"role\":\"applicant\",\"name\":\"孙某\",\"phone\":\"13955550001\"},{\"role\":\"respondent\",\"name\":\"李某\"}],\"people_count\":3}",
    "{\"title\":\"引号\\\"反斜杠\\\\斜杠\\/退格\\b换页\\f换行\\n回车\\r制表\\t\",\"\":\"空键\",\"k\\n\":1}",
    "{\"emoji\":\"😀 𠀀 é ü \x7f\",\"nested\":{\"a\":{\"b\":{\"c\":[[[[1]]]]}}}}",
};

/* Documents jansson takes that the fast parser leaves to it (still the same result). */
static const char *const handed_over[] = {
    "{\"lat\":30.5,\"lon\":120.25}",     "{\"u\":\"\\u4e2d\"}", "[1,2]", "{\"big\":1234567890123456789}",
    "{\"over\":99999999999999999999999,\"neg\":-9999999999999999999}",
    "{\"e\":1e5}", "{\"a\":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}",
};

static int same(const char *buf, size_t len)
{
    json_error_t e1, e2;
    json_t *a = jin_loadb(buf, len, &e1), *b = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e2);
    int ok = (a == NULL) == (b == NULL);
    if (ok && a) {
        char *x = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
        char *y = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY); /* insertion order both */
        ok = json_equal(a, b) && x && y && !strcmp(x, y);
        free(x);
        free(y);
    } else if (ok) {
        ok = !strcmp(e1.text, e2.text) && e1.line == e2.line && e1.column == e2.column;
    }
    json_decref(a);
    json_decref(b);
    return ok;
}

static void test_simple_documents(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        json_t *v = jin_load_simple(docs[i], strlen(docs[i]));
        assert_non_null(v); /* the fast parser takes it */
        json_decref(v);
        assert_true(same(docs[i], strlen(docs[i])));
    }
    for (size_t i = 0; i < sizeof handed_over / sizeof handed_over[0]; i++) {
        assert_null(jin_load_simple(handed_over[i], strlen(handed_over[i])));
        assert_true(same(handed_over[i], strlen(handed_over[i])));
    }
    /* duplicates, trailing text, bad escapes and UTF-8: jansson's errors */
    const char *bad[] = {"{\"a\":1,\"a\":2}", "{\"a\":1} x", "{\"a\":\"\\x\"}", "{\"a\":\"\xc0\xaf\"}",
                         "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":01}", "{\"a\":-}", "{\"a\":tru}", "{\"a\":1,}",
                         "{\"a\" 1}", "{\"a\":\"x", "", "{\"a\":\"\t\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_null(jin_load_simple(bad[i], strlen(bad[i])));
        assert_true(same(bad[i], strlen(bad[i])));
    }
}

static void test_mutations(void **state)
{
    (void)state;
    static const unsigned char bytes[] = {'"', '\\', '{', '}', '[', ']', ',', ':', '0', '1', '-', '.', 'e', ' ',
                                          '\n', 0x01, 0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xe4, 0xed, 0xf4, 0xff,
                                          't', 'n', 'u', 'a', '/'};
    unsigned seed = 3;
    int checked = 0, taken = 0;
    char m[1024];
    for (int round = 0; round < 20000; round++) {
        const char *d = docs[round % (sizeof docs / sizeof docs[0])];
        size_t n = strlen(d), at = n ? (size_t)rand_r(&seed) % n : 0;
        memcpy(m, d, n);
        int how = rand_r(&seed) % 4;
        unsigned char b = bytes[rand_r(&seed) % sizeof bytes];
        if (how == 0) { /* replace */
            m[at] = (char)b;
        } else if (how == 1) { /* insert */
            memmove(m + at + 1, m + at, n - at);
            m[at] = (char)b;
            n++;
        } else if (how == 2) { /* cut */
            n = at;
        } else { /* two replacements */
            m[at] = (char)b;
            m[(size_t)rand_r(&seed) % n] = (char)bytes[rand_r(&seed) % sizeof bytes];
        }
        json_t *v = jin_load_simple(m, n);
        taken += v != NULL;
        json_decref(v);
        assert_true(same(m, n));
        checked++;
    }
    assert_true(checked == 20000 && taken > 2000 && taken < 18000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_documents),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
