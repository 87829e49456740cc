/* Tests for api/case_cache.c: an entry round-trips; invalidation drops it and refuses the copy
 * of a reader that started before it (but not of one that started after); a forgotten tombstone
 * raises the shard's floor; eviction keeps within the byte bound; clear; a disabled cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/case_cache.h"

/* A valid-looking 21-character code for id (the cache does not check the check character). */
static void code_of(int64_t id, char out[FQ_CODE_LEN + 1])
{
    snprintf(out, FQ_CODE_LEN + 1, "11010520260101%06lldX", (long long)id);
}

static struct case_cache_entry *entry(int64_t id, const char *body)
{
    static const int64_t deps[] = {7, 9};
    struct case_view v = {.id = id, .status = 3, .light = 1, .warn_at = 10, .due_at = 20,
                          .ndepartments = 2, .departments = deps, .body = body, .len = strlen(body)};
    code_of(id, v.code);
    snprintf(v.division, sizeof v.division, "110105001001");
    return case_cache_entry_new(&v);
}

static void put(struct case_cache *c, int64_t id, const char *body, uint64_t seq, int want)
{
    struct case_cache_entry *e = entry(id, body);
    assert_non_null(e);
    assert_int_equal(case_cache_put(c, e, seq), want);
    case_cache_release(e);
}

static const char *body_of(struct case_cache *c, int64_t id)
{
    static char out[256];
    char code[FQ_CODE_LEN + 1];
    code_of(id, code);
    struct case_cache_entry *e = case_cache_get(c, code);
    if (!e)
        return NULL;
    snprintf(out, sizeof out, "%s", case_cache_view(e)->body);
    case_cache_release(e);
    return out;
}

static void test_roundtrip(void **state)
{
    (void)state;
    struct case_cache *c = case_cache_new(1 << 20);
    char code[FQ_CODE_LEN + 1];
    assert_non_null(c);
    code_of(42, code);
    assert_null(case_cache_get(c, code));
    put(c, 42, "{\"code\":\"x\"}", case_cache_seq(c), 1);
    struct case_cache_entry *e = case_cache_get(c, code);
    assert_non_null(e);
    const struct case_view *v = case_cache_view(e);
    assert_int_equal(v->id, 42);
    assert_string_equal(v->code, code);
    assert_string_equal(v->division, "110105001001");
    assert_int_equal(v->status, 3);
    assert_int_equal(v->due_at, 20);
    assert_int_equal(v->ndepartments, 2);
    assert_int_equal(v->departments[1], 9);
    assert_string_equal(v->body, "{\"code\":\"x\"}");
    assert_int_equal(v->len, strlen(v->body));
    /* an entry held by a reader survives its invalidation */
    case_cache_invalidate(c, (int64_t[]){42}, 1);
    assert_null(case_cache_get(c, code));
    assert_string_equal(case_cache_view(e)->body, "{\"code\":\"x\"}");
    case_cache_release(e);
    /* a different code never maps to this case */
    code[20] = 'Y';
    assert_null(case_cache_get(c, code));
    struct case_cache_stats st;
    case_cache_stats(c, &st);
    assert_int_equal(st.hits, 1);
    assert_int_equal(st.misses, 3);
    assert_int_equal(st.invalidations, 1);
    assert_int_equal(st.entries, 0);
    assert_int_equal(st.bytes, 0);
    case_cache_free(c);
}

static void test_stale_reader_refused(void **state)
{
    (void)state;
    struct case_cache *c = case_cache_new(1 << 20);
    uint64_t before = case_cache_seq(c);        /* reader A starts reading case 5 */
    put(c, 5, "{\"v\":1}", before, 1);
    case_cache_invalidate(c, (int64_t[]){5}, 1); /* a write to case 5 commits */
    assert_null(body_of(c, 5));
    put(c, 5, "{\"v\":1}", before, 0);          /* A's copy is stale: refused */
    put(c, 6, "{\"v\":1}", before, 1);          /* another case is not affected */
    uint64_t after = case_cache_seq(c);         /* reader B starts after the commit */
    put(c, 5, "{\"v\":2}", after, 1);
    assert_string_equal(body_of(c, 5), "{\"v\":2}");
    /* a newer copy replaces the cached one */
    put(c, 5, "{\"v\":3}", after, 1);
    assert_string_equal(body_of(c, 5), "{\"v\":3}");
    struct case_cache_stats st;
    case_cache_stats(c, &st);
    assert_int_equal(st.refused, 1);
    assert_int_equal(st.entries, 2);
    case_cache_free(c);
}

static void test_tombstone_floor(void **state)
{
    (void)state;
    struct case_cache *c = case_cache_new(1 << 20);
    uint64_t old = case_cache_seq(c);
    case_cache_invalidate(c, (int64_t[]){16}, 1); /* shard 0 */
    /* many more invalidations in the same shard push case 16's tombstone out of the ring */
    for (int64_t i = 2; i < 2000; i++)
        case_cache_invalidate(c, (int64_t[]){i * 16}, 1);
    put(c, 16, "{}", old, 0);      /* refused by the floor */
    put(c, 16 * 3000, "{}", old, 0); /* so is any case of that shard read that long ago */
    put(c, 17, "{}", old, 1);      /* other shards keep their own floor */
    put(c, 16, "{}", case_cache_seq(c), 1);
    case_cache_free(c);
}

static void test_eviction_and_clear(void **state)
{
    (void)state;
    char body[2000];
    memset(body, 'a', sizeof body - 1);
    body[0] = '{';
    body[sizeof body - 2] = '}';
    body[sizeof body - 1] = 0;
    struct case_cache *c = case_cache_new(256 * 1024);
    for (int64_t i = 1; i <= 2000; i++)
        put(c, i, body, case_cache_seq(c), 1);
    struct case_cache_stats st;
    case_cache_stats(c, &st);
    assert_true(st.bytes <= 256 * 1024);
    assert_true(st.entries > 50);
    assert_true(st.evictions >= 2000 - st.entries);
    assert_non_null(body_of(c, 2000)); /* the newest is there */
    uint64_t old = case_cache_seq(c);
    case_cache_clear(c);
    case_cache_stats(c, &st);
    assert_int_equal(st.entries, 0);
    assert_int_equal(st.bytes, 0);
    assert_null(body_of(c, 2000));
    put(c, 2000, body, old, 0); /* read before the clear */
    put(c, 2000, body, case_cache_seq(c), 1);
    case_cache_free(c);
}

static void test_disabled(void **state)
{
    (void)state;
    struct case_cache *c = case_cache_new(0);
    assert_non_null(c);
    put(c, 1, "{}", case_cache_seq(c), 0);
    assert_null(body_of(c, 1));
    case_cache_free(c);
    case_cache_free(NULL);
    assert_null(case_cache_get(NULL, "110105202601010000011"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),          cmocka_unit_test(test_stale_reader_refused),
        cmocka_unit_test(test_tombstone_floor),    cmocka_unit_test(test_eviction_and_clear),
        cmocka_unit_test(test_disabled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
