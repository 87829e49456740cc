/* Tests for core/case.c's presentation: case_json_write writes the staff view exactly as jansson
 * serialises it (the 201 of an intake and action replies are sent from that text), and
 * case_to_json gives the same object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/case.h"
#include "core/domain.h"
#include "core/pii.h"
#include "core/seed.h"
#include "store/store.h"
#include "util/buf.h"

#define FAKE_NOW "1795226400000" /* 2026-11-21T10:00:00+08:00 */

struct fixture {
    char dir[64];
    struct store *s;
    struct fq_domain d;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct fq_error e = {0};
    char path[128], key[128];
    struct pii_key k;
    const char *data = getenv("FQ_DATA_DIR");
    setenv("FQ_FAKE_NOW", FAKE_NOW, 1);
    snprintf(f->dir, sizeof f->dir, "/tmp/fq-case-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(path, sizeof path, "%s/fq.db", f->dir);
    snprintf(key, sizeof key, "%s/fengqiao.key", f->dir);
    struct store_opts o = {.path = path, .create = 1};
    assert_int_equal(store_open(&o, &f->s, &e), 0);
    assert_int_equal(seed_reference(f->s, data && *data ? data : "data", &e), 0);
    assert_int_equal(pii_key_load(key, 1, &k), 0);
    assert_int_equal(domain_open(&f->d, f->s, key, f->dir, &e), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    static const char *const files[] = {"fq.db", "fq.db-wal", "fq.db-shm", "fengqiao.key"};
    char p[128];
    domain_close(&f->d);
    store_close(f->s);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", f->dir, files[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Writes c, checks the text is what jansson writes for the object parsed back (same keys, same
 * order, same escapes and numbers) and what case_to_json gives; returns the parsed object. */
static json_t *check_case(struct fixture *f, const struct fq_case *c, int64_t now)
{
    struct buf b;
    buf_init(&b, 1u << 16);
    assert_int_equal(buf_add(&b, "[", 1), 0); /* written after what the buffer holds */
    assert_int_equal(case_json_write(&b, &f->d, c, now), 0);
    json_error_t err;
    json_t *o = json_loads(b.data + 1, 0, &err);
    assert_non_null(o);
    char *again = json_dumps(o, JSON_COMPACT);
    assert_string_equal(again, b.data + 1);
    json_t *tree = case_to_json(&f->d, c, now);
    char *from_tree = json_dumps(tree, JSON_COMPACT);
    assert_string_equal(from_tree, b.data + 1);
    free(again);
    free(from_tree);
    json_decref(tree);
    buf_free(&b);
    return o;
}

static void test_json_write(void **state)
{
    struct fixture *f = *state;
    int64_t now = 1795226400000;
    struct fq_case c;
    memset(&c, 0, sizeof c);
    snprintf(c.code, sizeof c.code, "%s", "33120220261121000001X");
    snprintf(c.division, sizeof c.division, "%s", "331202001001");
    snprintf(c.centre, sizeof c.centre, "%s", "331202000000");
    c.title = strdup("楼上\"装修\" \\ 噪音\n第二行\t\x01");
    c.description = strdup("深夜施工 / 多次协商无果");
    c.status = ST_PENDING_ASSESS;
    c.channel = CH_HOTLINE;
    c.people_count = 3;
    c.success = -1;
    c.created_at = c.updated_at = now - 3600000;
    c.warn_at = now + 3600000;
    c.due_at = now + 7200000;
    c.event_seq = 1;
    json_t *o = check_case(f, &c, now);
    assert_string_equal(json_string_value(json_object_get(o, "title")), c.title);
    assert_true(json_is_null(json_object_get(o, "address")));
    assert_true(json_is_null(json_object_get(o, "grid")));
    assert_null(json_object_get(o, "lat"));
    assert_true(json_is_real(json_object_get(o, "working_days_left")));
    assert_true(json_is_false(json_object_get(o, "supervised")));
    assert_true(json_is_null(json_object_get(o, "success")));
    assert_int_equal(json_integer_value(json_object_get(o, "people_count")), 3);
    json_decref(o);

    /* every optional field set, a closed case */
    c.address = strdup("幸福路 1 号");
    snprintf(c.grid, sizeof c.grid, "%s", "331202001001001");
    snprintf(c.category, sizeof c.category, "%s", "0701");
    snprintf(c.method, sizeof c.method, "%s", "M01");
    c.result = strdup("已调解");
    c.has_location = 1;
    c.lat = 28.123456789;
    c.lon = 120.5;
    c.grade = GRADE_ORDINARY;
    c.level = LEVEL_VILLAGE;
    c.status = ST_CLOSED;
    c.success = 1;
    c.satisfaction = 1;
    c.staff_score = 5;
    c.supervised = 2;
    c.lead_department = 42;
    c.resolved_at = c.closed_at = now;
    o = check_case(f, &c, now);
    assert_true(json_is_real(json_object_get(o, "lat")));
    assert_null(json_object_get(o, "working_days_left"));
    assert_true(json_is_true(json_object_get(o, "success")));
    assert_int_equal(json_integer_value(json_object_get(o, "lead_department")), 42);
    json_decref(o);
    fq_case_clear(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json_write, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
