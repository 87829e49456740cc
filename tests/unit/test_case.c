/* Tests for core/case.c's presentation: case_json_write writes the staff view exactly as jansson
 * serialises it (the 201 of an intake and action replies are sent from that text), and
 * case_to_json gives the same object; and an intake run again after its group was rolled back
 * (store_submit_rerun) writes what one run writes. */
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
#include "core/chain.h"
#include "core/domain.h"
#include "core/pii.h"
#include "core/seed.h"
#include "store/store.h"
#include <pthread.h>
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

/* ---- an intake run twice ---- */

struct rerun {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int entered, released, finished;
    struct fixture *f;
    struct case_intake in;
    struct fq_case out;
    int replayed, runs[3], rc[3];
    struct fq_error e;
};

static int places_tx(struct store_tx *tx, void *arg)
{
    (void)arg;
    int rc;
    if ((rc = store_tx_division_insert(tx, "331200000000", "丽水市", LEVEL_CITY, "")) ||
        (rc = store_tx_division_insert(tx, "331202000000", "莲都区", LEVEL_COUNTY,
                                       "331200000000")) ||
        (rc = store_tx_division_insert(tx, "331202001000", "紫金街道", LEVEL_TOWNSHIP,
                                       "331202000000")))
        return rc;
    return store_tx_division_insert(tx, "331202001001", "下河社区", LEVEL_VILLAGE, "331202001000");
}

/* Holds the writer until released, so that the next jobs queue up as one group. */
static int rerun_gate_tx(struct store_tx *tx, void *arg)
{
    struct rerun *x = arg;
    (void)tx;
    pthread_mutex_lock(&x->mu);
    x->entered = 1;
    pthread_cond_broadcast(&x->cv);
    while (!x->released)
        pthread_cond_wait(&x->cv, &x->mu);
    pthread_mutex_unlock(&x->mu);
    return 0;
}

static int rerun_intake_tx(struct store_tx *tx, void *arg)
{
    struct rerun *x = arg;
    x->runs[1]++;
    return case_intake_tx(tx, &x->f->d, &x->in, store_tx_now(tx), &x->out, &x->replayed, &x->e);
}

/* Writes a row, then fails: the group is rolled back and run again. */
static int rerun_fail_tx(struct store_tx *tx, void *arg)
{
    struct rerun *x = arg;
    x->runs[2]++;
    int rc =
        store_tx_division_insert(tx, "331202001002", "白云社区", LEVEL_VILLAGE, "331202001000");
    return rc ? rc : FQ_ECONFLICT;
}

struct rerun_job {
    struct rerun *x;
    int i;
};

static void rerun_job_done(void *arg, int rc)
{
    struct rerun_job *j = arg;
    pthread_mutex_lock(&j->x->mu);
    j->x->rc[j->i] = rc;
    j->x->finished++;
    pthread_cond_broadcast(&j->x->cv);
    pthread_mutex_unlock(&j->x->mu);
}

static int rerun_job_tx(struct store_tx *tx, void *arg)
{
    struct rerun_job *j = arg;
    return j->i == 0   ? rerun_gate_tx(tx, j->x)
           : j->i == 1 ? rerun_intake_tx(tx, j->x)
                       : rerun_fail_tx(tx, j->x);
}

/* The second run starts from what case_intake_prepare made, not from what the first left: one
 * event, sequence 1, chained from nothing, the case row's head on it. */
static void test_intake_run_again(void **state)
{
    struct fixture *f = *state;
    static struct rerun x;
    memset(&x, 0, sizeof x);
    x.f = f;
    pthread_mutex_init(&x.mu, NULL);
    pthread_cond_init(&x.cv, NULL);
    assert_int_equal(store_write(f->s, places_tx, NULL), 0);
    struct case_actor clerk = {.user_id = 1, .roles = 1u << ROLE_CLERK};
    snprintf(clerk.name, sizeof clerk.name, "受理员");
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:s}]}", "channel", "window", "kind",
                  "dispute", "title", "邻里噪音", "description", "楼上夜间施工", "division",
                  "331202001001", "parties", "name", "孙某", "phone", "13800000000");
    assert_int_equal(case_intake_prepare(&f->d, &clerk, body, NULL, &x.in, &x.e), 0);
    json_decref(body);
    struct rerun_job jobs[3] = {{&x, 0}, {&x, 1}, {&x, 2}};
    assert_int_equal(store_submit(f->s, rerun_job_tx, rerun_job_done, &jobs[0]), 0);
    pthread_mutex_lock(&x.mu);
    while (!x.entered)
        pthread_cond_wait(&x.cv, &x.mu);
    pthread_mutex_unlock(&x.mu);
    assert_int_equal(store_submit_rerun(f->s, rerun_job_tx, rerun_job_done, &jobs[1]), 0);
    assert_int_equal(store_submit_rerun(f->s, rerun_job_tx, rerun_job_done, &jobs[2]), 0);
    pthread_mutex_lock(&x.mu);
    x.released = 1;
    pthread_cond_broadcast(&x.cv);
    while (x.finished < 3)
        pthread_cond_wait(&x.cv, &x.mu);
    pthread_mutex_unlock(&x.mu);

    assert_int_equal(x.rc[1], 0);
    assert_int_equal(x.rc[2], FQ_ECONFLICT);
    assert_int_equal(x.runs[1], 2); /* the failing job wrote: the group ran again */
    assert_int_equal(x.runs[2], 2);
    struct store_rd *rd = store_rd(f->s);
    struct fq_case got;
    assert_int_equal(store_case_get(rd, x.out.code, &got), 0);
    assert_int_equal(got.id, x.out.id);
    assert_int_equal(got.event_seq, 1);
    assert_int_equal(x.out.event_seq, 1);
    assert_memory_equal(x.out.code + 14, "000001", 6); /* the day's first number, not its second */
    struct fq_event *ev = NULL;
    int nev = 0;
    assert_int_equal(store_case_events(rd, got.id, &ev, &nev), 0);
    assert_int_equal(nev, 1);
    assert_int_equal(ev[0].seq, 1);
    unsigned char zero[FQ_HASH_LEN] = {0}, h[FQ_HASH_LEN];
    assert_memory_equal(ev[0].prev_hash, zero, FQ_HASH_LEN);
    chain_hash(got.code, &ev[0], h);
    assert_memory_equal(h, ev[0].hash, FQ_HASH_LEN);
    assert_memory_equal(got.last_hash, ev[0].hash, FQ_HASH_LEN);
    struct fq_party *parties = NULL;
    int np = 0;
    assert_int_equal(store_case_parties(rd, got.id, &parties, &np), 0);
    assert_int_equal(np, 1);
    free(parties);
    store_events_free(ev, nev);
    fq_case_clear(&got);
    fq_case_clear(&x.out);
    case_intake_clear(&x.in);
    pthread_cond_destroy(&x.cv);
    pthread_mutex_destroy(&x.mu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intake_run_again, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
