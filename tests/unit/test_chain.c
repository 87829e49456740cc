/* Tests for core/chain.c: a known-answer vector that pins the encoding (computed independently
 * with Python's hashlib.blake2b), determinism, every covered field changing the hash, NULL
 * payload = empty payload, and hashing in place into ev->hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/chain.h"

static char payload[] = "{\"note\":\"研判\"}";

static struct fq_event sample(void)
{
    struct fq_event ev;
    memset(&ev, 0, sizeof ev);
    ev.id = 99;
    ev.case_id = 7;
    ev.seq = 3;
    ev.at = 1772676000000; /* 2026-03-05T10:00+08:00 */
    ev.actor_id = 42;
    snprintf(ev.actor_name, sizeof ev.actor_name, "张三");
    ev.action = ACT_ASSESS;
    ev.from_status = ST_PENDING_ASSESS;
    ev.to_status = ST_PENDING_DISPATCH;
    ev.payload = payload;
    for (int i = 0; i < FQ_HASH_LEN; i++)
        ev.prev_hash[i] = (unsigned char)i;
    return ev;
}

static void hex(const unsigned char *h, char out[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static void test_known_answer(void **state)
{
    (void)state;
    struct fq_event ev = sample();
    unsigned char h[FQ_HASH_LEN];
    char s[65];
    chain_hash("11010520260305000042X", &ev, h);
    hex(h, s);
    assert_string_equal(s, "2f95dd6f4a6acdbbd1de84a83fa2e31a07364b260039b5ef8b5336cc6e3fc7d5");
}

static void test_deterministic_and_in_place(void **state)
{
    (void)state;
    struct fq_event ev = sample();
    unsigned char a[FQ_HASH_LEN], b[FQ_HASH_LEN];
    chain_hash("11010520260305000042X", &ev, a);
    chain_hash("11010520260305000042X", &ev, b);
    assert_memory_equal(a, b, FQ_HASH_LEN);
    chain_hash("11010520260305000042X", &ev, ev.hash);
    assert_memory_equal(a, ev.hash, FQ_HASH_LEN);
    /* fields outside the chain do not matter (the stored hash itself, ids) */
    ev.id = 1000;
    ev.case_id = 1;
    chain_hash("11010520260305000042X", &ev, b);
    assert_memory_equal(a, b, FQ_HASH_LEN);
}

static void test_every_field_counts(void **state)
{
    (void)state;
    const char *code = "11010520260305000042X";
    struct fq_event base = sample();
    unsigned char want[FQ_HASH_LEN], got[FQ_HASH_LEN];
    chain_hash(code, &base, want);

    char other_payload[] = "{\"note\":\"研判 \"}";
    for (int field = 0; field < 10; field++) {
        struct fq_event ev = base;
        const char *c = code;
        switch (field) {
        case 0:
            ev.prev_hash[31] ^= 1;
            break;
        case 1:
            c = "11010520260305000043X";
            break;
        case 2:
            ev.seq++;
            break;
        case 3:
            ev.at++;
            break;
        case 4:
            ev.actor_id = 43;
            break;
        case 5:
            ev.action = ACT_DISPATCH;
            break;
        case 6:
            ev.from_status = ST_HANDLING;
            break;
        case 7:
            ev.to_status = ST_HANDLING;
            break;
        case 8:
            ev.payload = other_payload;
            break;
        case 9:
            ev.payload = NULL;
            break;
        }
        chain_hash(c, &ev, got);
        if (!memcmp(got, want, FQ_HASH_LEN))
            fail_msg("changing field %d left the hash unchanged", field);
    }
}

static void test_empty_payload_and_boundaries(void **state)
{
    (void)state;
    struct fq_event ev = sample();
    unsigned char a[FQ_HASH_LEN], b[FQ_HASH_LEN];
    char empty[] = "";
    ev.payload = NULL;
    chain_hash("X", &ev, a);
    ev.payload = empty;
    chain_hash("X", &ev, b);
    assert_memory_equal(a, b, FQ_HASH_LEN);
    /* moving bytes between the code and the payload changes the hash (length prefixes) */
    char p1[] = "bc", p2[] = "c";
    ev.payload = p1;
    chain_hash("a", &ev, a);
    ev.payload = p2;
    chain_hash("ab", &ev, b);
    assert_memory_not_equal(a, b, FQ_HASH_LEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answer),
        cmocka_unit_test(test_deterministic_and_in_place),
        cmocka_unit_test(test_every_field_counts),
        cmocka_unit_test(test_empty_payload_and_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
