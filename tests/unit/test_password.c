/* Tests for core/password.c: argon2id strings, the 8..128 length bounds, verification, and
 * session tokens and their keyed hashes. Only four argon2id hashes, to stay fast. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/password.h"
#include "util/err.h"

static void test_hash_and_verify(void **state)
{
    (void)state;
    char h1[128], h2[128];
    assert_int_equal(password_hash("correct horse", h1), 0);
    assert_true(strncmp(h1, "$argon2id$", 10) == 0);
    assert_true(strlen(h1) < sizeof h1);
    assert_int_equal(password_verify(h1, "correct horse"), 0);
    assert_int_equal(password_verify(h1, "correct horsE"), FQ_EAUTH);
    assert_int_equal(password_verify(h1, "correct horse "), FQ_EAUTH);
    assert_int_equal(password_verify(h1, ""), FQ_EAUTH);
    /* a fresh salt every time */
    assert_int_equal(password_hash("correct horse", h2), 0);
    assert_string_not_equal(h1, h2);
    assert_int_equal(password_verify(h2, "correct horse"), 0);

    assert_int_equal(password_verify("not a hash", "correct horse"), FQ_EAUTH);
    assert_int_equal(password_verify("", "correct horse"), FQ_EAUTH);
    assert_int_equal(password_verify(NULL, "correct horse"), FQ_EAUTH);
    assert_int_equal(password_verify(h1, NULL), FQ_EAUTH);
    char unterminated[128];
    memset(unterminated, 'a', sizeof unterminated);
    assert_int_equal(password_verify(unterminated, "correct horse"), FQ_EAUTH);
}

static void test_lengths(void **state)
{
    (void)state;
    char h[128] = "untouched";
    char pw[200];
    assert_int_equal(password_hash("1234567", h), FQ_EINVAL);
    assert_int_equal(password_hash("", h), FQ_EINVAL);
    assert_int_equal(password_hash(NULL, h), FQ_EINVAL);
    memset(pw, 'p', 129);
    pw[129] = 0;
    assert_int_equal(password_hash(pw, h), FQ_EINVAL);
    assert_string_equal(h, "untouched");
    pw[128] = 0; /* exactly 128: accepted */
    assert_int_equal(password_hash(pw, h), 0);
    assert_int_equal(password_verify(h, pw), 0);
    pw[128] = 'p'; /* too long never matches, and is not even hashed */
    assert_int_equal(password_verify(h, pw), FQ_EAUTH);
}

static void test_tokens(void **state)
{
    (void)state;
    char t1[44], t2[44];
    token_new(t1);
    token_new(t2);
    assert_int_equal(strlen(t1), 43);
    assert_int_equal(strspn(t1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                     43);
    assert_string_not_equal(t1, t2);

    unsigned char k1[32], k2[32], a[32], b[32];
    memset(k1, 1, sizeof k1);
    memset(k2, 2, sizeof k2);
    token_hash(k1, t1, a);
    token_hash(k1, t1, b);
    assert_memory_equal(a, b, 32);
    token_hash(k2, t1, b);
    assert_memory_not_equal(a, b, 32);
    token_hash(k1, t2, b);
    assert_memory_not_equal(a, b, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_and_verify),
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
