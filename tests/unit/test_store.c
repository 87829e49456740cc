/* Tests for store/sqlite*.c against a real database in a fresh /tmp directory per test: schema
 * creation, reopening and read-only mode; every case-related table round-trip (BLOBs and NULL
 * strings included); the case list's filters and cursor pagination; the writer's group commit
 * under concurrent callers and a failing job inside a group; bulk loads; the deadline timer's
 * queries; reference data; backup. test_throughput prints (does not assert) insert and read rates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "util/clock.h"
#include "fixture.h"

struct fx {
    char dir[64];
    char path[128];
    struct store *s;
};

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/fq-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/fq.db", f->dir);
    struct store_opts o = {.path = f->path, .create = 1};
    struct fq_error e = {0};
    assert_int_equal(store_open(&o, &f->s, &e), 0);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->s);
    fx_rm_tree(f->dir);
    free(f);
    return 0;
}

/* ---- fixtures ---- */

static int64_t dept_police, dept_justice, dept_other;

/* Divisions of a city with two counties, and three departments. */
static int seed_fn(struct store_tx *tx, void *arg)
{
    (void)arg;
    static const struct {
        const char *code, *name, *parent;
        int level;
    } divs[] = {
        {"330100000000", "杭州市", "", LEVEL_CITY},
        {"330106000000", "西湖区", "330100000000", LEVEL_COUNTY},
        {"330106001000", "北山街道", "330106000000", LEVEL_TOWNSHIP},
        {"330106001001", "曙光社区", "330106001000", LEVEL_VILLAGE},
        {"330108000000", "滨江区", "330100000000", LEVEL_COUNTY},
        {"330108002003", "江南社区", "330108000000", LEVEL_VILLAGE},
    };
    for (size_t i = 0; i < sizeof divs / sizeof divs[0]; i++) {
        int rc =
            store_tx_division_insert(tx, divs[i].code, divs[i].name, divs[i].level, divs[i].parent);
        if (rc)
            return rc;
    }
    struct fq_department d = {.level = LEVEL_COUNTY};
    strcpy(d.kind, "police");
    strcpy(d.name, "西湖公安分局");
    strcpy(d.division, "330106000000");
    if (store_tx_department_insert(tx, &d))
        return FQ_EIO;
    dept_police = d.id;
    strcpy(d.kind, "justice");
    strcpy(d.name, "西湖司法局");
    d.presence = PRESENCE_ROTATING;
    if (store_tx_department_insert(tx, &d))
        return FQ_EIO;
    dept_justice = d.id;
    strcpy(d.kind, "police");
    strcpy(d.name, "滨江公安分局");
    strcpy(d.division, "330108000000");
    if (store_tx_department_insert(tx, &d))
        return FQ_EIO;
    dept_other = d.id;
    return 0;
}

static void seed(struct store *s)
{
    assert_int_equal(store_write(s, seed_fn, NULL), 0);
}

/* A plausible open case; title and description are borrowed string literals (do not clear). */
static void case_make(struct fq_case *c, const char *county, int seq, const char *division)
{
    memset(c, 0, sizeof *c);
    snprintf(c->code, sizeof c->code, "%.6s20240501%06uX", county, (unsigned)seq % 1000000u);
    snprintf(c->county, sizeof c->county, "%.6s", county);
    snprintf(c->division, sizeof c->division, "%s", division);
    c->channel = CH_WINDOW;
    c->kind = KIND_DISPUTE;
    c->status = ST_PENDING_ASSESS;
    c->title = (char *)"邻里噪音纠纷";
    c->description = (char *)"楼上夜间施工";
    c->created_at = 1714521600000LL + seq;
    c->updated_at = c->created_at;
    c->success = -1;
}

static int insert_case_fn(struct store_tx *tx, void *arg)
{
    return store_tx_case_insert(tx, arg);
}

/* ---- schema ---- */

static void test_schema_and_reopen(void **state)
{
    struct fx *f = *state;
    struct fq_error e = {0};
    assert_true(store_schema_version() >= 2); /* later steps append */
    seed(f->s);
    store_close(f->s);
    f->s = NULL;

    /* the file says what it is */
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), store_schema_version());
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);

    /* reopen without create: data still there */
    struct store_opts o = {.path = f->path};
    assert_int_equal(store_open(&o, &f->s, &e), 0);
    char name[96], parent[FQ_DIVISION_LEN + 1];
    int level = 0;
    assert_int_equal(store_division_get(store_rd(f->s), "330106000000", name, &level, parent), 0);
    assert_string_equal(name, "西湖区");
    assert_int_equal(level, LEVEL_COUNTY);
    assert_string_equal(parent, "330100000000");
    store_close(f->s);
    f->s = NULL;

    /* not a database: an error, not a crash */
    char junk[160];
    snprintf(junk, sizeof junk, "%s/junk.db", f->dir);
    FILE *jf = fopen(junk, "w");
    assert_non_null(jf);
    fputs("this is not an SQLite database, just some text long enough to have a header\n", jf);
    fclose(jf);
    o.path = junk;
    struct store *bad = NULL;
    assert_int_equal(store_open(&o, &bad, &e), FQ_EIO);
    assert_null(bad);
    assert_true(e.message[0] != 0);
    o.path = f->path;

    /* a missing file without create */
    char missing[160];
    snprintf(missing, sizeof missing, "%s/none.db", f->dir);
    struct store *s2 = (struct store *)1;
    o.path = missing;
    memset(&e, 0, sizeof e);
    assert_int_equal(store_open(&o, &s2, &e), FQ_ENOTFOUND);
    assert_null(s2);
    assert_int_equal(e.status, FQ_ENOTFOUND);
    assert_non_null(strstr(e.message, "none.db"));
    assert_int_equal(access(missing, F_OK), -1);

    /* read-only: reads work, writes are refused */
    o.path = f->path;
    o.readonly = 1;
    assert_int_equal(store_open(&o, &f->s, &e), 0);
    json_t *divs = NULL;
    assert_int_equal(store_divisions(store_rd(f->s), "", &divs), 0);
    assert_int_equal(json_array_size(divs), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(divs, 0), "code")),
                        "330100000000");
    json_decref(divs);
    assert_int_equal(store_divisions(store_rd(f->s), "330100000000", &divs), 0);
    assert_int_equal(json_array_size(divs), 2);
    json_decref(divs);
    assert_int_equal(store_write(f->s, seed_fn, NULL), FQ_EBUSY);
    assert_int_equal(store_write_bulk(f->s, seed_fn, NULL), FQ_EINVAL);
    struct fq_error ie = {0};
    assert_int_equal(store_integrity_check(store_rd(f->s), &ie), 0);
    store_close(f->s);
    f->s = NULL;
}

/* ---- cases ---- */

struct roundtrip {
    struct fq_case c;
    struct fq_case got;
    int rc_get, rc_dup, rc_missing;
};

static int roundtrip_insert_fn(struct store_tx *tx, void *arg)
{
    struct roundtrip *r = arg;
    int rc = store_tx_case_insert(tx, &r->c);
    if (rc)
        return rc;
    r->rc_get = store_tx_case_get(tx, r->c.code, &r->got);
    struct fq_case dup = r->c;
    r->rc_dup = store_tx_case_insert(tx, &dup);
    r->rc_missing = store_tx_case_get(tx, "330106202405019999999", &dup);
    return 0;
}

static int roundtrip_update_fn(struct store_tx *tx, void *arg)
{
    return store_tx_case_update(tx, arg);
}

static void assert_case_equal(const struct fq_case *a, const struct fq_case *b)
{
    assert_int_equal(a->id, b->id);
    assert_string_equal(a->code, b->code);
    assert_string_equal(a->county, b->county);
    assert_int_equal(a->channel, b->channel);
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->grade, b->grade);
    assert_int_equal(a->level, b->level);
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->light, b->light);
    assert_string_equal(a->category, b->category);
    assert_string_equal(a->division, b->division);
    assert_string_equal(a->grid, b->grid);
    assert_string_equal(a->centre, b->centre);
#define STR_EQ(x)                                                                                  \
    do {                                                                                           \
        if (!a->x || !b->x)                                                                        \
            assert_ptr_equal(a->x, b->x);                                                          \
        else                                                                                       \
            assert_string_equal(a->x, b->x);                                                       \
    } while (0)
    STR_EQ(title);
    STR_EQ(description);
    STR_EQ(address);
    STR_EQ(result);
#undef STR_EQ
    assert_true(a->lat == b->lat && a->lon == b->lon);
    assert_int_equal(a->has_location, b->has_location);
    assert_int_equal(a->people_count, b->people_count);
    assert_int_equal(a->created_by, b->created_by);
    assert_int_equal(a->created_at, b->created_at);
    assert_int_equal(a->updated_at, b->updated_at);
    assert_int_equal(a->due_at, b->due_at);
    assert_int_equal(a->warn_at, b->warn_at);
    assert_int_equal(a->resolved_at, b->resolved_at);
    assert_int_equal(a->closed_at, b->closed_at);
    assert_int_equal(a->archived_at, b->archived_at);
    assert_int_equal(a->urge_count, b->urge_count);
    assert_int_equal(a->supervised, b->supervised);
    assert_int_equal(a->escalations, b->escalations);
    assert_int_equal(a->returns, b->returns);
    assert_int_equal(a->reopens, b->reopens);
    assert_int_equal(a->lead_department, b->lead_department);
    assert_string_equal(a->method, b->method);
    assert_int_equal(a->success, b->success);
    assert_int_equal(a->satisfaction, b->satisfaction);
    assert_int_equal(a->staff_score, b->staff_score);
    assert_int_equal(a->followed_up, b->followed_up);
    assert_int_equal(a->repeat_of, b->repeat_of);
    assert_int_equal(a->event_seq, b->event_seq);
    assert_memory_equal(a->last_hash, b->last_hash, FQ_HASH_LEN);
    assert_int_equal(a->contact_enc_len, b->contact_enc_len);
    if (a->contact_enc_len)
        assert_memory_equal(a->contact_enc, b->contact_enc, (size_t)a->contact_enc_len);
    else
        assert_null(b->contact_enc);
}

static void test_case_roundtrip(void **state)
{
    struct fx *f = *state;
    seed(f->s);
    static struct roundtrip r;
    memset(&r, 0, sizeof r);
    struct fq_case *c = &r.c;
    case_make(c, "330106", 1, "330106001001");
    strcpy(c->grid, "330106001001G01");
    strcpy(c->centre, "330106001000");
    c->address = NULL; /* NULL strings stay NULL */
    c->lat = 30.2741;
    c->lon = 120.1551;
    c->has_location = 1;
    c->people_count = 3;
    c->created_by = 7;
    c->due_at = c->created_at + 3 * FQ_DAY_MS;
    c->warn_at = c->created_at + 2 * FQ_DAY_MS;
    c->event_seq = 1;
    for (int i = 0; i < FQ_HASH_LEN; i++)
        c->last_hash[i] = (unsigned char)(i * 7 + 1);
    unsigned char contact[] = {0x00, 0xff, 0x10, 0x00, 0x42};
    c->contact_enc = contact;
    c->contact_enc_len = (int)sizeof contact;
    c->county[0] = 0; /* derived from the code */

    assert_int_equal(store_write(f->s, roundtrip_insert_fn, &r), 0);
    assert_true(c->id > 0);
    assert_string_equal(c->county, "330106");
    assert_int_equal(r.rc_get, 0);
    assert_int_equal(r.rc_dup, FQ_ECONFLICT);
    assert_int_equal(r.rc_missing, FQ_ENOTFOUND);
    assert_case_equal(c, &r.got);
    fq_case_clear(&r.got);

    struct store_rd *rd = store_rd(f->s);
    assert_non_null(rd);
    assert_ptr_equal(store_rd(f->s), rd); /* one per thread */
    struct fq_case got;
    assert_int_equal(store_case_get(rd, c->code, &got), 0);
    assert_case_equal(c, &got);
    fq_case_clear(&got);
    assert_int_equal(store_case_get_id(rd, c->id, &got), 0);
    assert_case_equal(c, &got);
    fq_case_clear(&got);

    /* update every kind of column; strings become set, the blob goes away */
    c->status = ST_CLOSED;
    c->grade = GRADE_COMPLEX;
    c->level = LEVEL_TOWNSHIP;
    c->light = LIGHT_YELLOW;
    strcpy(c->category, "0201");
    c->address = (char *)"西湖区北山街道 1 号";
    c->result = (char *)"调解成功";
    strcpy(c->method, "0102");
    c->success = 1;
    c->satisfaction = SAT_SATISFIED;
    c->staff_score = 95;
    c->urge_count = 2;
    c->supervised = 1;
    c->lead_department = dept_justice;
    c->closed_at = c->created_at + 5000;
    c->contact_enc = NULL;
    c->contact_enc_len = 0;
    c->event_seq = 9;
    assert_int_equal(store_write(f->s, roundtrip_update_fn, c), 0);
    assert_int_equal(store_case_get(rd, c->code, &got), 0);
    assert_case_equal(c, &got);
    fq_case_clear(&got);

    /* bad input is an answer, not a crash */
    struct fq_case ghost = *c;
    ghost.id = 999999;
    assert_int_equal(store_write(f->s, roundtrip_update_fn, &ghost), FQ_ENOTFOUND);
    assert_int_equal(store_case_get(rd, "nope", &got), FQ_ENOTFOUND);
    assert_int_equal(store_case_get(rd, "", &got), FQ_ENOTFOUND);
    assert_int_equal(store_case_get(rd, "3301062024050100000000000000000000", &got), FQ_ENOTFOUND);
    assert_int_equal(store_case_get(rd, "x' OR 1=1 --", &got), FQ_ENOTFOUND);
    assert_int_equal(store_case_get(rd, NULL, &got), FQ_EINVAL);
    assert_int_equal(store_case_get_id(rd, -5, &got), FQ_ENOTFOUND);
}

/* store_tx_case_update writes the indexed column groups only when they differ from the row as
 * read: whichever single column a job changes on a case it read, the row must hold it after. */
struct one_column {
    const char *code;
    int col; /* bind order of the mutable columns, 0..38 */
    struct fq_case want;
};

static void set_text(char **field, const char *value)
{
    free(*field);
    *field = value ? strdup(value) : NULL;
}

/* clang-format off */
static void change_column(struct fq_case *c, int col)
{
    switch (col) {
    case 0: c->channel = CH_HOTLINE; break;
    case 1: c->kind = KIND_REQUEST; break;
    case 2: c->grade++; break;
    case 3: c->level++; break;
    case 4: c->status = ST_HANDLING; break;
    case 5: c->light = LIGHT_RED; break;
    case 6: strcpy(c->category, c->category[0] == '0' ? "G0101" : "0201"); break;
    case 7: strcpy(c->division, !strcmp(c->division, "330106001001") ? "330106001000" : "330106001001"); break;
    case 8: strcpy(c->grid, c->grid[0] ? "" : "330106001001G02"); break;
    case 9: strcpy(c->centre, "330106000000"); break;
    case 10: set_text(&c->title, "楼上漏水"); break;
    case 11: set_text(&c->description, NULL); break;
    case 12: set_text(&c->address, "北山街道 2 号"); break;
    case 13: c->lat += 0.5; break;
    case 14: c->lon += 0.5; break;
    case 15: c->has_location = !c->has_location; break;
    case 16: c->people_count += 4; break;
    case 17: c->updated_at += 1000; break;
    case 18: c->due_at += FQ_DAY_MS; break;
    case 19: c->warn_at += FQ_HOUR_MS; break;
    case 20: c->resolved_at += 17; break;
    case 21: c->closed_at += 19; break;
    case 22: c->archived_at += 23; break;
    case 23: c->urge_count++; break;
    case 24: c->supervised++; break;
    case 25: c->escalations++; break;
    case 26: c->returns++; break;
    case 27: c->reopens++; break;
    case 28: c->lead_department = dept_police; break;
    case 29: set_text(&c->result, "已化解"); break;
    case 30: strcpy(c->method, "0103"); break;
    case 31: c->success = 0; break;
    case 32: c->satisfaction = SAT_DISSATISFIED; break;
    case 33: c->staff_score = 60; break;
    case 34: c->followed_up = 1; break;
    case 35: c->repeat_of = 12345; break;
    case 36: c->event_seq += 2; break;
    case 37: c->last_hash[5] ^= 0x5a; break;
    case 38:
        free(c->contact_enc);
        c->contact_enc = malloc(3);
        memcpy(c->contact_enc, "\x01\x02\x03", 3);
        c->contact_enc_len = 3;
        break;
    }
}
/* clang-format on */

static int one_column_fn(struct store_tx *tx, void *arg)
{
    struct one_column *j = arg;
    struct fq_case c;
    int rc = store_tx_case_get(tx, j->code, &c);
    if (rc)
        return rc;
    change_column(&c, j->col);
    if ((rc = store_tx_case_update(tx, &c))) {
        fq_case_clear(&c);
        return rc;
    }
    j->want = c; /* the test clears it */
    return 0;
}

static void test_case_update_one_column(void **state)
{
    struct fx *f = *state;
    seed(f->s);
    struct fq_case c;
    case_make(&c, "330106", 77, "330106001001");
    c.due_at = c.created_at + 3 * FQ_DAY_MS;
    c.warn_at = c.created_at + 2 * FQ_DAY_MS;
    assert_int_equal(store_write(f->s, insert_case_fn, &c), 0);
    struct store_rd *rd = store_rd(f->s);
    assert_non_null(rd);
    for (int round = 0; round < 2; round++) /* the second round changes them back, mostly */
        for (int col = 0; col < 39; col++) {
            struct one_column j = {.code = c.code, .col = col};
            assert_int_equal(store_write(f->s, one_column_fn, &j), 0);
            struct fq_case got;
            assert_int_equal(store_case_get(rd, c.code, &got), 0);
            assert_case_equal(&j.want, &got);
            fq_case_clear(&got);
            fq_case_clear(&j.want);
        }
    /* a case built rather than read is written whole */
    struct fq_case built;
    assert_int_equal(store_case_get(rd, c.code, &built), 0);
    set_text(&built.title, "整行写入");
    strcpy(built.category, "0301");
    built.status = ST_CLOSED;
    assert_int_equal(store_write(f->s, roundtrip_update_fn, &built), 0);
    struct fq_case got;
    assert_int_equal(store_case_get(rd, c.code, &got), 0);
    assert_case_equal(&built, &got);
    fq_case_clear(&got);
    fq_case_clear(&built);
}

/* In a bulk load the case being worked on is held in memory between its actions: a read in the
 * load sees its last update, a checkpoint writes it, so does updating another case, and so does
 * the end of the load; a failing load writes nothing. */
struct held {
    struct store *s;
    char a[FQ_CODE_LEN + 1], b[FQ_CODE_LEN + 1];
    int seen_in_load, seen_by_reader, fail;
};

static int bump(struct store_tx *tx, const char *code, int status, int64_t seq)
{
    struct fq_case c;
    int rc = store_tx_case_get(tx, code, &c);
    if (rc)
        return rc;
    c.status = status;
    c.event_seq = seq;
    set_text(&c.result, "办结");
    rc = store_tx_case_update(tx, &c);
    fq_case_clear(&c);
    return rc;
}

static int held_fn(struct store_tx *tx, void *arg)
{
    struct held *h = arg;
    struct fq_case c;
    int rc;
    if ((rc = bump(tx, h->a, ST_HANDLING, 2)) || (rc = bump(tx, h->a, ST_PENDING_VERIFY, 3)))
        return rc;
    if ((rc = store_tx_case_get(tx, h->a, &c)))
        return rc;
    h->seen_in_load =
        c.status == ST_PENDING_VERIFY && c.event_seq == 3 && c.result && !strcmp(c.result, "办结");
    fq_case_clear(&c);
    if ((rc = store_tx_checkpoint(tx)))
        return rc;
    if ((rc = store_case_get(store_rd(h->s), h->a, &c)))
        return rc;
    h->seen_by_reader = c.status == ST_PENDING_VERIFY;
    fq_case_clear(&c);
    /* a, then b, then a again, then b: each switch writes the one held before */
    if ((rc = bump(tx, h->a, ST_CLOSED, 4)) || (rc = bump(tx, h->b, ST_HANDLING, 7)) ||
        (rc = bump(tx, h->a, ST_ARCHIVED, 5)) || (rc = bump(tx, h->b, ST_CLOSED, 8)))
        return rc;
    return h->fail ? FQ_EINVAL : 0;
}

static void test_bulk_holds_case(void **state)
{
    struct fx *f = *state;
    seed(f->s);
    struct fq_case a, b;
    case_make(&a, "330106", 81, "330106001001");
    case_make(&b, "330106", 82, "330106001001");
    assert_int_equal(store_write(f->s, insert_case_fn, &a), 0);
    assert_int_equal(store_write(f->s, insert_case_fn, &b), 0);
    struct held h = {.s = f->s};
    strcpy(h.a, a.code);
    strcpy(h.b, b.code);
    struct store_rd *rd = store_rd(f->s);
    struct fq_case got;

    h.fail = 1; /* rolls back to the last checkpoint */
    assert_int_equal(store_write_bulk(f->s, held_fn, &h), FQ_EINVAL);
    assert_true(h.seen_in_load);
    assert_true(h.seen_by_reader);
    assert_int_equal(store_case_get(rd, a.code, &got), 0);
    assert_int_equal(got.status, ST_PENDING_VERIFY);
    fq_case_clear(&got);
    assert_int_equal(store_case_get(rd, b.code, &got), 0);
    assert_int_equal(got.status, ST_PENDING_ASSESS);
    fq_case_clear(&got);

    h.fail = 0;
    h.seen_in_load = h.seen_by_reader = 0;
    assert_int_equal(store_write_bulk(f->s, held_fn, &h), 0);
    assert_true(h.seen_in_load);
    assert_true(h.seen_by_reader);
    assert_int_equal(store_case_get(rd, a.code, &got), 0);
    assert_int_equal(got.status, ST_ARCHIVED);
    assert_int_equal(got.event_seq, 5);
    assert_string_equal(got.result, "办结");
    fq_case_clear(&got);
    assert_int_equal(store_case_get(rd, b.code, &got), 0);
    assert_int_equal(got.status, ST_CLOSED);
    assert_int_equal(got.event_seq, 8);
    fq_case_clear(&got);
}

/* parties, events, assignments, records, links, attachments of one case */
struct sides {
    struct fq_case c, c2;
    int rc_dup_event, rc_bad_party, rc_assign_missing, rc_record_missing;
    int64_t assign_ids[2], rec_ids[2];
};

static int sides_fn(struct store_tx *tx, void *arg)
{
    struct sides *x = arg;
    int rc;
    if ((rc = store_tx_case_insert(tx, &x->c)) || (rc = store_tx_case_insert(tx, &x->c2)))
        return rc;
    struct fq_party p = {.case_id = x->c.id};
    strcpy(p.role, "applicant");
    strcpy(p.name, "张三");
    p.id_enc_len = 40;
    memset(p.id_enc, 0xab, 40);
    memset(p.id_bidx, 0x11, 16);
    p.phone_enc_len = 30;
    memset(p.phone_enc, 0xcd, 30);
    memset(p.phone_bidx, 0x22, 16);
    if ((rc = store_tx_party_insert(tx, &p)))
        return rc;
    struct fq_party q = {.case_id = x->c.id};
    strcpy(q.role, "respondent");
    strcpy(q.name, "李四");
    if ((rc = store_tx_party_insert(tx, &q)))
        return rc;
    q.id_enc_len = 1000;
    x->rc_bad_party = store_tx_party_insert(tx, &q);

    /* events inserted out of order come back by seq */
    static const int order[] = {3, 1, 2, 5, 4};
    for (int i = 0; i < 5; i++) {
        struct fq_event ev = {.case_id = x->c.id,
                              .seq = order[i],
                              .at = 1000 * order[i],
                              .actor_id = 7,
                              .action = order[i] % ACT__COUNT,
                              .from_status = ST_PENDING_ASSESS,
                              .to_status = ST_PENDING_DISPATCH};
        strcpy(ev.actor_name, "王五");
        char payload[32];
        snprintf(payload, sizeof payload, "{\"n\":%d}", order[i]);
        ev.payload = order[i] == 2 ? NULL : payload;
        memset(ev.prev_hash, order[i] - 1, FQ_HASH_LEN);
        memset(ev.hash, order[i], FQ_HASH_LEN);
        if ((rc = store_tx_event_insert(tx, &ev)))
            return rc;
    }
    struct fq_event ev2 = {.case_id = x->c2.id, .seq = 1, .at = 1};
    if ((rc = store_tx_event_insert(tx, &ev2)))
        return rc;
    struct fq_event dup = {.case_id = x->c.id, .seq = 3, .at = 1};
    x->rc_dup_event = store_tx_event_insert(tx, &dup);

    struct fq_assignment a = {.case_id = x->c.id,
                              .department_id = dept_justice,
                              .role = ASSIGN_LEAD,
                              .status = AS_PENDING,
                              .assigned_at = 100,
                              .deadline = 200};
    if ((rc = store_tx_assignment_insert(tx, &a)))
        return rc;
    x->assign_ids[0] = a.id;
    struct fq_assignment b = {.case_id = x->c.id,
                              .department_id = dept_police,
                              .role = ASSIGN_ASSIST,
                              .status = AS_PENDING,
                              .assigned_at = 100};
    if ((rc = store_tx_assignment_insert(tx, &b)))
        return rc;
    x->assign_ids[1] = b.id;
    a.status = AS_RESOLVED;
    a.accepted_at = 150;
    a.resolved_at = 180;
    strcpy(a.result, "已调解");
    if ((rc = store_tx_assignment_update(tx, &a)))
        return rc;
    struct fq_assignment *as = NULL;
    int n = 0;
    if ((rc = store_tx_assignments(tx, x->c.id, &as, &n)))
        return rc;
    int ok = n == 2 && as[0].status == AS_RESOLVED && as[1].role == ASSIGN_ASSIST;
    free(as);
    if (!ok)
        return FQ_EIO;
    struct fq_assignment bad = {.case_id = x->c.id, .department_id = 424242};
    x->rc_assign_missing = store_tx_assignment_insert(tx, &bad); /* no such department */

    json_t *body = json_pack("{s:s, s:i}", "note", "双方达成一致", "minutes", 45);
    rc = store_tx_record_insert(tx, x->c.id, "mediation", 5000, 7, body, &x->rec_ids[0]);
    json_decref(body);
    if (rc)
        return rc;
    body = json_pack("{s:s, s:s}", "status", "open", "id", "not-the-id");
    rc = store_tx_record_insert(tx, x->c.id, "supervision", 6000, 8, body, &x->rec_ids[1]);
    json_decref(body);
    if (rc)
        return rc;
    body = json_pack("{s:s}", "status", "closed");
    rc = store_tx_record_update(tx, x->rec_ids[1], body);
    x->rc_record_missing = store_tx_record_update(tx, 987654, body);
    json_decref(body);
    if (rc)
        return rc;

    if ((rc = store_tx_link_insert(tx, x->c2.id, x->c.id, "duplicate")))
        return rc;
    int64_t att = 0;
    if ((rc = store_tx_attachment_insert(tx, x->c.id, "e3b0c44298fc1c149afbf4c8996fb924",
                                         "photo.jpg", "image/jpeg", 12345, 7, &att)))
        return rc;
    return att > 0 ? 0 : FQ_EIO;
}

static int count_events(const struct fq_event *ev, void *arg)
{
    int64_t *state = arg; /* [count, last case, last seq] */
    if (ev->case_id < state[1] || (ev->case_id == state[1] && ev->seq <= state[2]))
        return -100; /* out of order */
    state[0]++;
    state[1] = ev->case_id;
    state[2] = ev->seq;
    return 0;
}

static int stop_at_third(const struct fq_event *ev, void *arg)
{
    (void)ev;
    return ++*(int *)arg == 3 ? 42 : 0;
}

static int chain_cb(int64_t case_id, const char *code, int64_t event_seq,
                    const unsigned char last_hash[FQ_HASH_LEN], void *arg)
{
    int *n = arg;
    (void)case_id;
    (void)last_hash;
    assert_int_equal(strlen(code), FQ_CODE_LEN);
    assert_true(event_seq >= 0);
    (*n)++;
    return 0;
}

static void test_case_sides(void **state)
{
    struct fx *f = *state;
    seed(f->s);
    static struct sides x;
    memset(&x, 0, sizeof x);
    case_make(&x.c, "330106", 1, "330106001001");
    case_make(&x.c2, "330106", 2, "330106001001");
    assert_int_equal(store_write(f->s, sides_fn, &x), 0);
    assert_int_equal(x.rc_dup_event, FQ_ECONFLICT);
    assert_int_equal(x.rc_bad_party, FQ_EINVAL);
    assert_int_equal(x.rc_assign_missing, FQ_ECONFLICT);
    assert_int_equal(x.rc_record_missing, FQ_ENOTFOUND);
    struct store_rd *rd = store_rd(f->s);

    struct fq_party *ps = NULL;
    int n = 0;
    assert_int_equal(store_case_parties(rd, x.c.id, &ps, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ps[0].role, "applicant");
    assert_string_equal(ps[0].name, "张三");
    assert_int_equal(ps[0].id_enc_len, 40);
    assert_int_equal(ps[0].id_enc[39], 0xab);
    assert_int_equal(ps[0].id_bidx[15], 0x11);
    assert_int_equal(ps[0].phone_enc_len, 30);
    assert_int_equal(ps[0].phone_bidx[0], 0x22);
    assert_int_equal(ps[1].id_enc_len, 0);
    assert_int_equal(ps[1].phone_enc_len, 0);
    free(ps);
    assert_int_equal(store_case_parties(rd, 999999, &ps, &n), 0);
    assert_int_equal(n, 0);
    free(ps);

    struct fq_event *ev = NULL;
    assert_int_equal(store_case_events(rd, x.c.id, &ev, &n), 0);
    assert_int_equal(n, 5);
    for (int i = 0; i < n; i++) {
        assert_int_equal(ev[i].seq, i + 1);
        assert_int_equal(ev[i].at, 1000 * (i + 1));
        assert_string_equal(ev[i].actor_name, "王五");
        assert_int_equal(ev[i].hash[0], i + 1);
        assert_int_equal(ev[i].prev_hash[31], i);
    }
    assert_null(ev[1].payload);
    assert_string_equal(ev[0].payload, "{\"n\":1}");
    store_events_free(ev, n);

    int64_t scan[3] = {0, 0, 0}, total = -1;
    assert_int_equal(store_events_scan(rd, count_events, scan, &total), 0);
    assert_int_equal(total, 6);
    assert_int_equal(scan[0], 6);
    int stops = 0;
    assert_int_equal(store_events_scan(rd, stop_at_third, &stops, NULL), 42);
    int ncases = 0;
    assert_int_equal(store_cases_scan(rd, chain_cb, &ncases), 0);
    assert_int_equal(ncases, 2);

    struct fq_assignment *as = NULL;
    assert_int_equal(store_case_assignments(rd, x.c.id, &as, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(as[0].id, x.assign_ids[0]);
    assert_int_equal(as[0].department_id, dept_justice);
    assert_int_equal(as[0].status, AS_RESOLVED);
    assert_int_equal(as[0].resolved_at, 180);
    assert_int_equal(as[0].deadline, 200);
    assert_string_equal(as[0].result, "已调解");
    assert_int_equal(as[1].department_id, dept_police);
    free(as);
    assert_int_equal(store_case_has_department(rd, x.c.id, dept_police), 1);
    assert_int_equal(store_case_has_department(rd, x.c.id, dept_other), 0);

    json_t *recs = NULL;
    assert_int_equal(store_case_records(rd, x.c.id, NULL, &recs), 0);
    assert_int_equal(json_array_size(recs), 2);
    json_t *m = json_array_get(recs, 0);
    assert_string_equal(json_string_value(json_object_get(m, "kind")), "mediation");
    assert_string_equal(json_string_value(json_object_get(m, "note")), "双方达成一致");
    assert_int_equal(json_integer_value(json_object_get(m, "minutes")), 45);
    assert_int_equal(json_integer_value(json_object_get(m, "id")), x.rec_ids[0]);
    assert_int_equal(json_integer_value(json_object_get(m, "user_id")), 7);
    assert_string_equal(json_string_value(json_object_get(m, "at")), "1970-01-01T08:00:05+08:00");
    json_decref(recs);
    assert_int_equal(store_case_records(rd, x.c.id, "supervision", &recs), 0);
    assert_int_equal(json_array_size(recs), 1);
    m = json_array_get(recs, 0);
    assert_string_equal(json_string_value(json_object_get(m, "status")), "closed");
    assert_int_equal(json_integer_value(json_object_get(m, "id")), x.rec_ids[1]);
    json_decref(recs);

    json_t *links = NULL;
    assert_int_equal(store_case_links(rd, x.c.id, &links), 0);
    assert_int_equal(json_array_size(links), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(links, 0), "code")),
                        x.c2.code);
    assert_string_equal(json_string_value(json_object_get(json_array_get(links, 0), "kind")),
                        "duplicate");
    json_decref(links);
    assert_int_equal(store_case_links(rd, x.c2.id, &links), 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(links, 0), "code")),
                        x.c.code);
    json_decref(links);

    json_t *att = NULL;
    assert_int_equal(store_case_attachments(rd, x.c.id, &att), 0);
    assert_int_equal(json_array_size(att), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(att, 0), "name")),
                        "photo.jpg");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(att, 0), "size")), 12345);
    json_decref(att);

    /* every side row carries the county */
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    static const char *tables[] = {"parties",      "events",      "assignments",
                                   "case_records", "attachments", "case_links"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[128];
        sqlite3_stmt *st;
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE county <> '330106'", tables[i]);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
}

/* ---- idempotency and daily sequences ---- */

struct idem {
    char code[FQ_CODE_LEN + 1];
    int rc_miss, rc_put, rc_get, rc_dup, rc_other_user;
    int seqs[6];
};

static int idem_fn(struct store_tx *tx, void *arg)
{
    struct idem *x = arg;
    x->rc_miss = store_tx_idem_get(tx, 7, "key-1", x->code);
    x->rc_put = store_tx_idem_put(tx, 7, "key-1", "330106202405010000011");
    x->rc_get = store_tx_idem_get(tx, 7, "key-1", x->code);
    x->rc_dup = store_tx_idem_put(tx, 7, "key-1", "330106202405010000022");
    char other[FQ_CODE_LEN + 1];
    x->rc_other_user = store_tx_idem_get(tx, 8, "key-1", other);
    int64_t d1 = day_from_ymd(2024, 5, 1);
    int rc = 0;
    rc |= store_tx_next_case_seq(tx, "330106", d1, &x->seqs[0]);
    rc |= store_tx_next_case_seq(tx, "330106", d1, &x->seqs[1]);
    rc |= store_tx_next_case_seq(tx, "330106", d1, &x->seqs[2]);
    rc |= store_tx_next_case_seq(tx, "330108", d1, &x->seqs[3]);
    rc |= store_tx_next_case_seq(tx, "330106", d1 + 1, &x->seqs[4]);
    if (store_tx_next_case_seq(tx, "33010", d1, &x->seqs[5]) != FQ_EINVAL)
        return FQ_EIO;
    return rc ? FQ_EIO : 0;
}

static int nested_fn(struct store_tx *tx, void *arg)
{
    struct store *s = arg;
    (void)tx;
    /* a job must not wait for the writer it runs on */
    if (store_write(s, nested_fn, s) != FQ_EBUSY || store_write_bulk(s, nested_fn, s) != FQ_EBUSY)
        return FQ_EIO;
    return 0;
}

static int seq_again_fn(struct store_tx *tx, void *arg)
{
    return store_tx_next_case_seq(tx, "330106", day_from_ymd(2024, 5, 1), arg);
}

/* Takes a number, then fails: its savepoint rolls the number back. */
static int seq_fail_fn(struct store_tx *tx, void *arg)
{
    int rc = seq_again_fn(tx, arg);
    return rc ? rc : FQ_ECONFLICT;
}

/* Two numbers in one job, the second after a failed sibling job in the same group. */
static int seq_twice_fn(struct store_tx *tx, void *arg)
{
    int *x = arg;
    int rc = seq_again_fn(tx, &x[0]);
    return rc ? rc : seq_again_fn(tx, &x[1]);
}

static void test_idempotency_and_seq(void **state)
{
    struct fx *f = *state;
    struct idem x;
    memset(&x, 0, sizeof x);
    assert_int_equal(store_write(f->s, idem_fn, &x), 0);
    assert_int_equal(x.rc_miss, FQ_ENOTFOUND);
    assert_int_equal(x.rc_put, 0);
    assert_int_equal(x.rc_get, 0);
    assert_string_equal(x.code, "330106202405010000011");
    assert_int_equal(x.rc_dup, FQ_ECONFLICT);
    assert_int_equal(x.rc_other_user, FQ_ENOTFOUND);
    assert_int_equal(x.seqs[0], 1);
    assert_int_equal(x.seqs[1], 2);
    assert_int_equal(x.seqs[2], 3);
    assert_int_equal(x.seqs[3], 1);
    assert_int_equal(x.seqs[4], 1);
    int seq = 0;
    assert_int_equal(store_write(f->s, seq_again_fn, &seq), 0);
    assert_int_equal(seq, 4); /* committed across groups */
    /* a rolled-back number is given again, not skipped and never reused (the writer remembers
     * the last number; the table has the final say) */
    assert_int_equal(store_write(f->s, seq_fail_fn, &seq), FQ_ECONFLICT);
    assert_int_equal(seq, 5);
    int two[2] = {0, 0};
    assert_int_equal(store_write(f->s, seq_twice_fn, two), 0);
    assert_int_equal(two[0], 5);
    assert_int_equal(two[1], 6);
    assert_int_equal(store_write(f->s, seq_fail_fn, &seq), FQ_ECONFLICT);
    assert_int_equal(store_write(f->s, seq_fail_fn, &seq), FQ_ECONFLICT);
    assert_int_equal(seq, 7);
    assert_int_equal(store_write(f->s, seq_again_fn, &seq), 0);
    assert_int_equal(seq, 7);
    assert_int_equal(store_write(f->s, nested_fn, f->s), 0);
    assert_int_equal(store_write_bulk(f->s, nested_fn, f->s), 0);
}

/* ---- the case list ---- */

#define LIST_N 240

static const char *list_categories[] = {"0201", "0202", "G0102", "", "0301"};

struct list_fx {
    struct fq_case c[LIST_N];
    int in_xihu[LIST_N], assigned_police[LIST_N];
};

static int list_fill_fn(struct store_tx *tx, void *arg)
{
    struct list_fx *x = arg;
    for (int i = 0; i < LIST_N; i++) {
        struct fq_case *c = &x->c[i];
        int xihu = i % 3 != 0;
        case_make(c, xihu ? "330106" : "330108", i + 1, xihu ? "330106001001" : "330108002003");
        c->status = i % ST__COUNT;
        c->channel = i % CH__COUNT;
        c->grade = i % GRADE__COUNT;
        c->light = i % LIGHT__COUNT;
        snprintf(c->category, sizeof c->category, "%s", list_categories[i % 5]);
        c->created_at = 1714521600000LL + (int64_t)i * 60000;
        x->in_xihu[i] = xihu;
        int rc = store_tx_case_insert(tx, c);
        if (rc)
            return rc;
        if (i % 4 == 0) {
            struct fq_assignment a = {
                .case_id = c->id, .department_id = dept_police, .role = ASSIGN_LEAD};
            if ((rc = store_tx_assignment_insert(tx, &a)))
                return rc;
            x->assigned_police[i] = 1;
        }
        if (i % 50 == 49 && (rc = store_tx_checkpoint(tx)))
            return rc;
    }
    return 0;
}

/* Walks every page of f and checks: newest first, no duplicates, the count matches. */
static int walk_pages(struct store_rd *rd, struct store_case_filter *f, int page)
{
    f->limit = page;
    f->cursor = 0;
    if (page < 1)
        page = 1; /* the store clamps */
    int total = 0, pages = 0;
    char seen[LIST_N + 1] = {0};
    int64_t prev_created = INT64_MAX;
    for (;;) {
        json_t *arr = NULL;
        int64_t next = -1;
        assert_int_equal(store_case_list(rd, f, &arr, &next), 0);
        size_t i;
        json_t *o;
        json_array_foreach(arr, i, o)
        {
            const char *code = json_string_value(json_object_get(o, "code"));
            assert_non_null(code);
            int seq = atoi(code + 14);
            assert_true(seq >= 1 && seq <= LIST_N);
            assert_false(seen[seq]);
            seen[seq] = 1;
            int64_t created = 0;
            assert_int_equal(
                ms_parse(json_string_value(json_object_get(o, "created_at")), &created), 0);
            assert_true(created < prev_created);
            prev_created = created;
            total++;
        }
        assert_true(json_array_size(arr) <= (size_t)page);
        if (next)
            assert_int_equal(json_array_size(arr), page);
        json_decref(arr);
        pages++;
        assert_true(pages <= LIST_N + 1);
        if (!next)
            break;
        f->cursor = next;
    }
    int64_t count = -1;
    f->cursor = 0;
    assert_int_equal(store_case_count(rd, f, &count), 0);
    assert_int_equal(count, total);
    return total;
}

static void test_case_list(void **state)
{
    struct fx *f = *state;
    seed(f->s);
    static struct list_fx x;
    memset(&x, 0, sizeof x);
    assert_int_equal(store_write_bulk(f->s, list_fill_fn, &x), 0);
    struct store_rd *rd = store_rd(f->s);
    struct store_case_filter flt;

    store_case_filter_init(&flt);
    assert_int_equal(flt.grade, -1);
    assert_int_equal(flt.limit, 50);
    assert_int_equal(walk_pages(rd, &flt, 7), LIST_N);
    assert_int_equal(walk_pages(rd, &flt, 500), LIST_N);
    assert_int_equal(walk_pages(rd, &flt, 0), LIST_N); /* clamped to 1 */

    /* summary shape */
    json_t *arr = NULL;
    int64_t next = 0;
    flt.limit = 1;
    flt.cursor = 0;
    assert_int_equal(store_case_list(rd, &flt, &arr, &next), 0);
    json_t *o = json_array_get(arr, 0);
    const struct fq_case *last = &x.c[LIST_N - 1];
    assert_string_equal(json_string_value(json_object_get(o, "code")), last->code);
    assert_string_equal(json_string_value(json_object_get(o, "status")), status_name(last->status));
    assert_string_equal(json_string_value(json_object_get(o, "channel")),
                        channel_name(last->channel));
    assert_string_equal(json_string_value(json_object_get(o, "kind")), "dispute");
    assert_string_equal(json_string_value(json_object_get(o, "light")), light_name(last->light));
    assert_true(json_is_null(json_object_get(o, "due_at")));
    assert_true(json_is_string(json_object_get(o, "created_at")));
    assert_int_equal(next, last->id);
    json_decref(arr);

    /* status mask */
    int want = 0;
    for (int i = 0; i < LIST_N; i++)
        want += x.c[i].status == ST_PENDING_ASSESS || x.c[i].status == ST_HANDLING;
    store_case_filter_init(&flt);
    flt.status_mask = (1u << ST_PENDING_ASSESS) | (1u << ST_HANDLING);
    assert_int_equal(walk_pages(rd, &flt, 9), want);
    flt.status_mask = 1u << 20; /* no such status */
    assert_int_equal(walk_pages(rd, &flt, 9), 0);

    /* division subtree: county, township, village, city; scope likewise */
    int xihu = 0;
    for (int i = 0; i < LIST_N; i++)
        xihu += x.in_xihu[i];
    store_case_filter_init(&flt);
    strcpy(flt.division, "330106000000");
    assert_int_equal(walk_pages(rd, &flt, 11), xihu);
    strcpy(flt.division, "330106001000");
    assert_int_equal(walk_pages(rd, &flt, 11), xihu);
    strcpy(flt.division, "330106001001");
    assert_int_equal(walk_pages(rd, &flt, 11), xihu);
    strcpy(flt.division, "330106001002");
    assert_int_equal(walk_pages(rd, &flt, 11), 0);
    strcpy(flt.division, "330100000000");
    assert_int_equal(walk_pages(rd, &flt, 11), LIST_N);
    store_case_filter_init(&flt);
    strcpy(flt.scope_division, "330108000000");
    assert_int_equal(walk_pages(rd, &flt, 11), LIST_N - xihu);
    strcpy(flt.division, "330106000000"); /* asks outside its scope: nothing */
    assert_int_equal(walk_pages(rd, &flt, 11), 0);

    /* department and department scope */
    int police = 0, police_xihu = 0;
    for (int i = 0; i < LIST_N; i++) {
        police += x.assigned_police[i];
        police_xihu += x.assigned_police[i] && x.in_xihu[i];
    }
    store_case_filter_init(&flt);
    flt.department = dept_police;
    assert_int_equal(walk_pages(rd, &flt, 13), police);
    store_case_filter_init(&flt);
    flt.scope_department = dept_police;
    assert_int_equal(walk_pages(rd, &flt, 13), police);
    strcpy(flt.scope_division, "330106000000");
    assert_int_equal(walk_pages(rd, &flt, 13), police_xihu);
    flt.scope_department = dept_justice;
    flt.scope_division[0] = 0;
    assert_int_equal(walk_pages(rd, &flt, 13), 0);

    /* category prefix */
    store_case_filter_init(&flt);
    strcpy(flt.category, "02");
    assert_int_equal(walk_pages(rd, &flt, 17), 2 * LIST_N / 5);
    strcpy(flt.category, "0201");
    assert_int_equal(walk_pages(rd, &flt, 17), LIST_N / 5);
    strcpy(flt.category, "G01");
    assert_int_equal(walk_pages(rd, &flt, 17), LIST_N / 5);
    strcpy(flt.category, "03");
    assert_int_equal(walk_pages(rd, &flt, 17), LIST_N / 5);
    strcpy(flt.category, "0'; DROP TABLE cases; --");
    assert_int_equal(walk_pages(rd, &flt, 17), 0);

    /* grade, channel, light, overdue, created range */
    int g = 0, ch = 0, red_open = 0, range = 0, combo = 0;
    int64_t from = x.c[10].created_at, to = x.c[100].created_at;
    for (int i = 0; i < LIST_N; i++) {
        const struct fq_case *c = &x.c[i];
        g += c->grade == GRADE_ORDINARY;
        ch += c->channel == CH_HOTLINE;
        red_open += c->light == LIGHT_RED && c->status <= ST_PENDING_VERIFY;
        range += c->created_at >= from && c->created_at < to;
        combo += c->light == LIGHT_RED && c->status <= ST_PENDING_VERIFY && x.in_xihu[i] &&
                 c->created_at >= from && c->created_at < to;
    }
    store_case_filter_init(&flt);
    flt.grade = GRADE_ORDINARY;
    assert_int_equal(walk_pages(rd, &flt, 19), g);
    store_case_filter_init(&flt);
    flt.channel = CH_HOTLINE;
    assert_int_equal(walk_pages(rd, &flt, 19), ch);
    store_case_filter_init(&flt);
    flt.overdue = 1;
    assert_int_equal(walk_pages(rd, &flt, 19), red_open);
    store_case_filter_init(&flt);
    flt.from = from;
    flt.to = to;
    assert_int_equal(walk_pages(rd, &flt, 19), range);
    flt.overdue = 1;
    strcpy(flt.scope_division, "330106000000");
    assert_int_equal(walk_pages(rd, &flt, 3), combo);

    /* stats */
    json_t *stats = NULL;
    assert_int_equal(store_stats(rd, &stats), 0);
    json_t *cases = json_object_get(stats, "cases");
    int sum = 0;
    for (int s = 0; s < ST__COUNT; s++)
        sum += (int)json_integer_value(json_object_get(cases, status_name(s)));
    assert_int_equal(sum, LIST_N);
    assert_true(json_is_integer(json_object_get(json_object_get(stats, "lights"), "green")));
    assert_int_equal(json_integer_value(json_object_get(stats, "users")), 0);
    assert_int_equal(json_integer_value(json_object_get(stats, "events")), 0);
    json_decref(stats);
}

/* ---- the writer ---- */

#define THREADS 4
#define PER_THREAD 500

struct writer_arg {
    struct store *s;
    int t, failures;
};

static void *writer_thread(void *p)
{
    struct writer_arg *w = p;
    for (int i = 0; i < PER_THREAD; i++) {
        struct fq_case c;
        case_make(&c, "330106", w->t * PER_THREAD + i + 1, "330106001001");
        if (store_write(w->s, insert_case_fn, &c) || c.id <= 0)
            w->failures++;
        /* read-your-writes on this thread's own connection */
        struct fq_case got;
        if (i % 50 == 0) {
            if (store_case_get(store_rd(w->s), c.code, &got))
                w->failures++;
            fq_case_clear(&got);
        }
    }
    return NULL;
}

static void test_group_commit(void **state)
{
    struct fx *f = *state;
    pthread_t th[THREADS];
    struct writer_arg wa[THREADS];
    for (int t = 0; t < THREADS; t++) {
        wa[t] = (struct writer_arg){.s = f->s, .t = t};
        assert_int_equal(pthread_create(&th[t], NULL, writer_thread, &wa[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        assert_int_equal(wa[t].failures, 0);
    }
    struct store_case_filter flt;
    store_case_filter_init(&flt);
    int64_t n = 0;
    assert_int_equal(store_case_count(store_rd(f->s), &flt, &n), 0);
    assert_int_equal(n, THREADS * PER_THREAD);
}

/* One group: a job that holds the writer while the others queue up behind it. */
struct group {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int entered, released, finished;
    struct fq_case cases[4];
    int rc[5];
    int64_t now[5];
    int runs[5];
    int seq[5];
    int no_write[5]; /* job i fails before writing anything */
    int take_seq;    /* each job takes a daily sequence number before its insert */
};

struct group_job {
    struct group *g;
    int i;
};

static int gate_fn(struct store_tx *tx, void *arg)
{
    struct group_job *j = arg;
    struct group *g = j->g;
    (void)tx;
    pthread_mutex_lock(&g->mu);
    g->entered = 1;
    pthread_cond_broadcast(&g->cv);
    while (!g->released)
        pthread_cond_wait(&g->cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
    return 0;
}

static int seq_june_fn(struct store_tx *tx, void *arg)
{
    return store_tx_next_case_seq(tx, "330106", day_from_ymd(2024, 6, 1), arg);
}

static int group_case_fn(struct store_tx *tx, void *arg)
{
    struct group_job *j = arg;
    j->g->now[j->i] = store_tx_now(tx);
    j->g->runs[j->i]++;
    if (j->g->no_write[j->i])
        return FQ_ECONFLICT;
    int rc = j->g->take_seq ? seq_june_fn(tx, &j->g->seq[j->i]) : 0;
    if (rc == 0)
        rc = store_tx_case_insert(tx, &j->g->cases[j->i - 1]);
    if (rc)
        return rc;
    if (j->i == 2)
        return FQ_ECONFLICT; /* after writing: its insert must be rolled back */
    if (store_tx_checkpoint(tx) != FQ_EINVAL)
        return FQ_EIO;
    return 0;
}

static void group_done(void *arg, int rc)
{
    struct group_job *j = arg;
    struct group *g = j->g;
    pthread_mutex_lock(&g->mu);
    g->rc[j->i] = rc;
    g->finished++;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

/* Runs jobs 1-4 (group_case_fn) as one group behind gate_fn; rerun: queued with
 * store_submit_rerun. */
static void group_run(struct fx *f, struct group *g, int rerun)
{
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    struct group_job jobs[5];
    for (int i = 0; i < 5; i++)
        jobs[i] = (struct group_job){g, i};
    assert_int_equal(store_submit(f->s, gate_fn, group_done, &jobs[0]), 0);
    pthread_mutex_lock(&g->mu); /* the writer is inside the gate: the rest queue as one group */
    while (!g->entered)
        pthread_cond_wait(&g->cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
    for (int i = 1; i < 5; i++)
        assert_int_equal(
            (rerun ? store_submit_rerun : store_submit)(f->s, group_case_fn, group_done, &jobs[i]),
            0);
    pthread_mutex_lock(&g->mu);
    g->released = 1;
    pthread_cond_broadcast(&g->cv);
    while (g->finished < 5)
        pthread_cond_wait(&g->cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
}

static void assert_case_there(struct fx *f, const struct fq_case *c, int there)
{
    struct fq_case got;
    assert_int_equal(store_case_get(store_rd(f->s), c->code, &got), there ? 0 : FQ_ENOTFOUND);
    fq_case_clear(&got);
}

/* Job 2 fails after writing, job 4's insert breaks a constraint: both roll back alone. With
 * store_submit each job has its savepoint; with store_submit_rerun job 2 makes the writer roll
 * the group back and run it again job by job, and the second run must be exactly a first run
 * (the daily sequence numbers too: the writer's memory of the last one is stale then). */
static void test_failing_job_in_group(void **state)
{
    struct fx *f = *state;
    static struct group g;
    for (int rerun = 0; rerun < 2; rerun++) {
        memset(&g, 0, sizeof g);
        for (int i = 0; i < 4; i++)
            case_make(&g.cases[i], "330106", 100 * rerun + i + 1, "330106001001");
        g.cases[3] = g.cases[0]; /* job 4 repeats job 1's code: a constraint error */
        g.take_seq = 1;
        group_run(f, &g, rerun);

        assert_int_equal(g.rc[0], 0);
        assert_int_equal(g.rc[1], 0);
        assert_int_equal(g.rc[2], FQ_ECONFLICT);
        assert_int_equal(g.rc[3], 0);
        assert_int_equal(g.rc[4], FQ_ECONFLICT);
        assert_int_equal(g.now[1], g.now[3]); /* one group, one clock */
        assert_int_equal(g.now[3], g.now[4]);
        /* run again from job 2 on: jobs 1 and 2 twice, 3 and 4 once */
        assert_int_equal(g.runs[1], 1 + rerun);
        assert_int_equal(g.runs[2], 1 + rerun);
        assert_int_equal(g.runs[3], 1);
        assert_int_equal(g.runs[4], 1);
        /* numbers of the jobs that failed went back: 1 and 2 committed, in order */
        assert_int_equal(g.seq[1], 4 * rerun + 1);
        assert_int_equal(g.seq[3], 4 * rerun + 2);
        int next = 0;
        assert_int_equal(store_write(f->s, seq_june_fn, &next), 0);
        assert_int_equal(next, 4 * rerun + 3);
        assert_int_equal(store_write(f->s, seq_june_fn, &next), 0); /* a gap, so that the two
                                                                        rounds start alike */
        assert_case_there(f, &g.cases[0], 1);
        assert_case_there(f, &g.cases[1], 0);
        assert_case_there(f, &g.cases[2], 1);
    }
    struct store_case_filter flt;
    store_case_filter_init(&flt);
    int64_t n = 0;
    assert_int_equal(store_case_count(store_rd(f->s), &flt, &n), 0);
    assert_int_equal(n, 4);
}

/* A group of jobs that may run twice, where the failures change no row (a check fails; an insert
 * breaks a constraint and takes itself back): nothing is run again, the others commit. */
static void test_failing_job_without_writes(void **state)
{
    struct fx *f = *state;
    static struct group g;
    memset(&g, 0, sizeof g);
    for (int i = 0; i < 4; i++)
        case_make(&g.cases[i], "330106", 300 + i, "330106001001");
    g.no_write[2] = 1;
    g.cases[2] = g.cases[0]; /* job 3 repeats job 1's code */
    group_run(f, &g, 1);
    assert_int_equal(g.rc[1], 0);
    assert_int_equal(g.rc[2], FQ_ECONFLICT);
    assert_int_equal(g.rc[3], FQ_ECONFLICT);
    assert_int_equal(g.rc[4], 0);
    for (int i = 1; i < 5; i++)
        assert_int_equal(g.runs[i], 1);
    assert_case_there(f, &g.cases[0], 1);
    assert_case_there(f, &g.cases[1], 0);
    assert_case_there(f, &g.cases[3], 1);
}

/* ---- the deadline timer ---- */

struct timer_fx {
    struct fq_case c[7];
    int64_t now, sup_id;
};

static int timer_fill_fn(struct store_tx *tx, void *arg)
{
    struct timer_fx *x = arg;
    int64_t now = x->now;
    for (int i = 0; i < 7; i++)
        case_make(&x->c[i], "330106", i + 1, "330106001001");
    /* 0: green, warning passed → due */
    x->c[0].warn_at = now - 1000, x->c[0].due_at = now + FQ_DAY_MS;
    /* 1: yellow, warning passed, not due → nothing to do */
    x->c[1].light = LIGHT_YELLOW, x->c[1].warn_at = now - 1000, x->c[1].due_at = now + FQ_DAY_MS;
    /* 2: yellow, due passed → due */
    x->c[2].light = LIGHT_YELLOW, x->c[2].warn_at = now - 2000, x->c[2].due_at = now - 1000;
    /* 3: red already, overdue by 2 h → not due; to supervise with a 1 h margin */
    x->c[3].light = LIGHT_RED, x->c[3].warn_at = now - 3 * FQ_HOUR_MS,
    x->c[3].due_at = now - 2 * FQ_HOUR_MS;
    /* 4: closed → never */
    x->c[4].status = ST_CLOSED, x->c[4].warn_at = now - 3000, x->c[4].due_at = now - 2000;
    /* 5: green, no deadline → never */
    /* 6: red, overdue by 10 min only → not yet supervised */
    x->c[6].light = LIGHT_RED, x->c[6].due_at = now - 10 * 60000;
    for (int i = 0; i < 7; i++) {
        int rc = store_tx_case_insert(tx, &x->c[i]);
        if (rc)
            return rc;
    }
    return 0;
}

static int supervise_fn(struct store_tx *tx, void *arg)
{
    struct timer_fx *x = arg;
    json_t *body = json_pack("{s:s}", "status", "open");
    int rc = store_tx_record_insert(tx, x->c[3].id, "supervision", x->now, 0, body, &x->sup_id);
    json_decref(body);
    return rc;
}

static int supervise_close_fn(struct store_tx *tx, void *arg)
{
    struct timer_fx *x = arg;
    json_t *body = json_pack("{s:s}", "status", "closed");
    int rc = store_tx_record_update(tx, x->sup_id, body);
    json_decref(body);
    return rc;
}

static int has_code(char (*codes)[FQ_CODE_LEN + 1], int n, const char *code)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(codes[i], code))
            return 1;
    return 0;
}

static void test_cases_due(void **state)
{
    struct fx *f = *state;
    static struct timer_fx x;
    memset(&x, 0, sizeof x);
    x.now = 1714521600000LL + 10 * FQ_DAY_MS;
    assert_int_equal(store_write(f->s, timer_fill_fn, &x), 0);
    struct store_rd *rd = store_rd(f->s);
    char(*codes)[FQ_CODE_LEN + 1] = NULL;
    int n = -1;
    assert_int_equal(store_cases_due(rd, x.now, 100, &codes, &n), 0);
    assert_int_equal(n, 2);
    assert_true(has_code(codes, n, x.c[0].code));
    assert_true(has_code(codes, n, x.c[2].code));
    free(codes);
    assert_int_equal(store_cases_due(rd, x.now, 1, &codes, &n), 0);
    assert_int_equal(n, 1);
    free(codes);
    assert_int_equal(store_cases_due(rd, x.now - 2 * FQ_DAY_MS, 100, &codes, &n), 0);
    assert_int_equal(n, 0);
    free(codes);

    assert_int_equal(store_cases_to_supervise(rd, x.now, FQ_HOUR_MS, 100, &codes, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(codes[0], x.c[3].code);
    free(codes);
    assert_int_equal(store_write(f->s, supervise_fn, &x), 0);
    assert_int_equal(store_cases_to_supervise(rd, x.now, FQ_HOUR_MS, 100, &codes, &n), 0);
    assert_int_equal(n, 0);
    free(codes);
    assert_int_equal(store_write(f->s, supervise_close_fn, &x), 0);
    assert_int_equal(store_cases_to_supervise(rd, x.now, 0, 100, &codes, &n), 0);
    assert_int_equal(n, 2);
    assert_true(has_code(codes, n, x.c[3].code));
    assert_true(has_code(codes, n, x.c[6].code));
    free(codes);
}

/* ---- reference data, accounts ---- */

static const unsigned char token_a[32] = {1, 2, 3};

struct ref {
    struct fq_user u;
    int rc_dup_user, rc_dup_division, rc_bad_kind, rc_touch_missing;
    struct fq_sla_rule rule;
    struct fq_department d;
    int rc_dept_get;
};

static int ref_fn(struct store_tx *tx, void *arg)
{
    struct ref *r = arg;
    int rc = 0;
    rc |= store_tx_category_insert(tx, "02", "婚姻家庭纠纷", "", "dispute", "婚姻 离婚");
    rc |= store_tx_category_insert(tx, "0201", "婚姻纠纷", "02", "dispute", NULL);
    rc |= store_tx_category_insert(tx, "G01", "公共安全", NULL, "grid_matter", NULL);
    rc |= store_tx_category_insert(tx, "G0102", "消防隐患", "G01", "grid_matter", NULL);
    r->rc_bad_kind = store_tx_category_insert(tx, "X1", "x", NULL, "other", NULL);
    rc |= store_tx_resolution_method_insert(tx, "0102", "人民调解");
    rc |= store_tx_resp_insert(tx, "02", 0, "justice", "women,civil", "司法所牵头");
    rc |= store_tx_resp_insert(tx, "0201", LEVEL_TOWNSHIP, "police", "", "派出所");
    rc |= store_tx_resp_insert(tx, "G01", 0, "urban", "fire", "");
    rc |= store_tx_holiday_set(tx, day_from_ymd(2024, 5, 1), "off", "劳动节");
    rc |= store_tx_holiday_set(tx, day_from_ymd(2024, 5, 11), "work", "调休");
    rc |= store_tx_holiday_set(tx, day_from_ymd(2025, 1, 1), "off", "元旦");
    rc |= store_tx_holiday_set(tx, day_from_ymd(2025, 1, 1), NULL, NULL);
    rc |= store_tx_holiday_set(tx, day_from_ymd(2025, 10, 1), "off", "国庆节");
    rc |= store_tx_setting_put(tx, "sla.supervise_margin_hours", "24");
    rc |= store_tx_setting_put(tx, "sla.supervise_margin_hours", "48");
    rc |= store_tx_grid_insert(tx, "330106001001G01", "第一网格", "330106001001",
                               "{\"type\":\"Polygon\",\"coordinates\":[]}", 320, 30.1, 120.2);
    r->rule = (struct fq_sla_rule){.grade = GRADE_ORDINARY,
                                   .channel = -1,
                                   .amount = 3,
                                   .warn_fraction = 0.67,
                                   .response_hours = 24};
    strcpy(r->rule.unit, "workdays");
    rc |= store_tx_sla_put(tx, &r->rule);
    r->rule.amount = 5;
    rc |= store_tx_sla_put(tx, &r->rule); /* replaces by id */
    if (rc)
        return FQ_EIO;
    r->rc_dup_division = store_tx_division_insert(tx, "330106000000", "again", LEVEL_COUNTY, "");

    strcpy(r->u.username, "clerk1");
    strcpy(r->u.display_name, "窗口一");
    strcpy(r->u.pw_hash, "$argon2id$v=19$m=65536,t=2,p=1$xxx");
    r->u.roles = (1u << ROLE_CLERK) | (1u << ROLE_MEDIATOR);
    strcpy(r->u.division, "330106001000");
    if ((rc = store_tx_user_insert(tx, &r->u)))
        return rc;
    struct fq_user dup = r->u;
    r->rc_dup_user = store_tx_user_insert(tx, &dup);
    r->u.failed_logins = 2;
    r->u.locked_until = 123456;
    if ((rc = store_tx_user_update(tx, &r->u)))
        return rc;
    struct fq_user got;
    if ((rc = store_tx_user_get(tx, "clerk1", &got)) || got.failed_logins != 2)
        return FQ_EIO;
    if ((rc = store_tx_session_insert(tx, token_a, r->u.id, 1000)))
        return rc;
    if ((rc = store_tx_session_touch(tx, token_a, 2000)))
        return rc;
    unsigned char other[32] = {9};
    r->rc_touch_missing = store_tx_session_touch(tx, other, 2000);
    r->rc_dept_get = store_tx_department_get(tx, dept_justice, &r->d);
    return store_tx_audit(tx, r->u.id, "login", "user:clerk1", "{}");
}

static int logout_fn(struct store_tx *tx, void *arg)
{
    (void)arg;
    return store_tx_session_delete(tx, token_a);
}

static void test_reference_and_accounts(void **state)
{
    struct fx *f = *state;
    seed(f->s);
    static struct ref r;
    memset(&r, 0, sizeof r);
    assert_int_equal(store_write(f->s, ref_fn, &r), 0);
    assert_int_equal(r.rc_dup_user, FQ_ECONFLICT);
    assert_int_equal(r.rc_dup_division, FQ_ECONFLICT);
    assert_int_equal(r.rc_bad_kind, FQ_EINVAL);
    assert_int_equal(r.rc_touch_missing, FQ_ENOTFOUND);
    assert_int_equal(r.rc_dept_get, 0);
    assert_string_equal(r.d.kind, "justice");
    assert_int_equal(r.d.presence, PRESENCE_ROTATING);
    struct store_rd *rd = store_rd(f->s);

    /* 权责清单: exact level, any level, parent, grid-matter parent, nothing */
    char lead[24], assist[128], duty[256];
    assert_int_equal(store_resp_lookup(rd, "0201", LEVEL_TOWNSHIP, lead, assist, duty), 0);
    assert_string_equal(lead, "police");
    assert_int_equal(store_resp_lookup(rd, "0201", LEVEL_COUNTY, lead, assist, duty), 0);
    assert_string_equal(lead, "justice");
    assert_string_equal(assist, "women,civil");
    assert_string_equal(duty, "司法所牵头");
    assert_int_equal(store_resp_lookup(rd, "0299", LEVEL_VILLAGE, lead, NULL, NULL), 0);
    assert_string_equal(lead, "justice");
    assert_int_equal(store_resp_lookup(rd, "G0102", LEVEL_VILLAGE, lead, assist, duty), 0);
    assert_string_equal(lead, "urban");
    assert_int_equal(store_resp_lookup(rd, "0301", LEVEL_VILLAGE, lead, assist, duty),
                     FQ_ENOTFOUND);
    assert_int_equal(store_resp_lookup(rd, "", 0, lead, assist, duty), FQ_ENOTFOUND);
    json_t *j = NULL;
    assert_int_equal(store_resp_list(rd, &j), 0);
    assert_int_equal(json_array_size(j), 3);
    json_decref(j);

    assert_int_equal(store_categories(rd, "dispute", &j), 0);
    assert_int_equal(json_array_size(j), 2);
    json_decref(j);
    assert_int_equal(store_categories(rd, NULL, &j), 0);
    assert_int_equal(json_array_size(j), 4);
    json_decref(j);
    assert_int_equal(store_category_exists(rd, "G0102"), 1);
    assert_int_equal(store_category_exists(rd, "G0199"), 0);
    assert_int_equal(store_resolution_method_exists(rd, "0102"), 1);
    assert_int_equal(store_resolution_method_exists(rd, "9999"), 0);
    assert_int_equal(store_resolution_methods(rd, &j), 0);
    assert_int_equal(json_array_size(j), 1);
    json_decref(j);

    int64_t *days = NULL;
    char *kinds = NULL;
    int n = 0;
    assert_int_equal(store_holidays(rd, &days, &kinds, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(days[0], day_from_ymd(2024, 5, 1));
    assert_int_equal(kinds[0], 'o');
    assert_int_equal(kinds[1], 'w');
    free(days);
    free(kinds);
    assert_int_equal(store_holidays_json(rd, 2024, &j), 0);
    assert_int_equal(json_array_size(j), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 1), "date")),
                        "2024-05-11");
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 1), "kind")), "work");
    json_decref(j);

    struct fq_sla_rule *rules = NULL;
    assert_int_equal(store_sla_rules(rd, &rules, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rules[0].id, r.rule.id);
    assert_int_equal(rules[0].amount, 5);
    assert_int_equal(rules[0].channel, -1);
    assert_string_equal(rules[0].unit, "workdays");
    assert_true(rules[0].warn_fraction > 0.66 && rules[0].warn_fraction < 0.68);
    free(rules);

    char val[8];
    assert_int_equal(store_setting_get(rd, "sla.supervise_margin_hours", val, sizeof val), 0);
    assert_string_equal(val, "48");
    assert_int_equal(store_setting_get(rd, "nope", val, sizeof val), FQ_ENOTFOUND);

    char village[FQ_DIVISION_LEN + 1];
    assert_int_equal(store_grid_get(rd, "330106001001G01", village), 0);
    assert_string_equal(village, "330106001001");
    assert_int_equal(store_grids(rd, "330106000000", 1, &j), 0);
    assert_int_equal(json_array_size(j), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(j, 0), "polygon"), "type")),
                        "Polygon");
    json_decref(j);
    assert_int_equal(store_grids(rd, "330108000000", 0, &j), 0);
    assert_int_equal(json_array_size(j), 0);
    json_decref(j);

    assert_int_equal(store_departments(rd, "330106000000", &j), 0);
    assert_int_equal(json_array_size(j), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 1), "presence")),
                        "rotating");
    json_decref(j);
    assert_int_equal(store_departments(rd, "", &j), 0);
    assert_int_equal(json_array_size(j), 3);
    json_decref(j);
    struct fq_department d;
    assert_int_equal(store_department_find(rd, "330108000000", "police", &d), 0);
    assert_int_equal(d.id, dept_other);
    assert_int_equal(store_department_find(rd, "330108000000", "justice", &d), FQ_ENOTFOUND);
    assert_int_equal(store_department_get(rd, dept_police, &d), 0);
    assert_string_equal(d.name, "西湖公安分局");

    struct fq_user u;
    assert_int_equal(store_user_get(rd, "clerk1", &u), 0);
    assert_int_equal(u.id, r.u.id);
    assert_int_equal(u.roles, r.u.roles);
    assert_int_equal(u.locked_until, 123456);
    assert_string_equal(u.pw_hash, r.u.pw_hash);
    assert_int_equal(store_user_get_id(rd, r.u.id, &u), 0);
    assert_string_equal(u.display_name, "窗口一");
    assert_int_equal(store_user_get(rd, "ghost", &u), FQ_ENOTFOUND);
    assert_int_equal(store_users(rd, &j), 0);
    assert_int_equal(json_array_size(j), 1);
    json_t *uj = json_array_get(j, 0);
    assert_null(json_object_get(uj, "pw_hash"));
    assert_int_equal(json_array_size(json_object_get(uj, "roles")), 2);
    json_decref(j);

    int64_t uid = 0, seen = 0;
    assert_int_equal(store_session_get(rd, token_a, &uid, &seen), 0);
    assert_int_equal(uid, r.u.id);
    assert_int_equal(seen, 2000);
    json_t *stats = NULL;
    assert_int_equal(store_stats(rd, &stats), 0);
    assert_int_equal(json_integer_value(json_object_get(stats, "users")), 1);
    assert_int_equal(json_integer_value(json_object_get(stats, "sessions")), 1);
    json_decref(stats);
    assert_int_equal(store_write(f->s, logout_fn, NULL), 0);
    assert_int_equal(store_session_get(rd, token_a, &uid, &seen), FQ_ENOTFOUND);
    assert_int_equal(store_write(f->s, logout_fn, NULL), FQ_ENOTFOUND);

    struct fq_error e = {0};
    assert_int_equal(store_integrity_check(rd, &e), 0);
}

/* ---- backup ---- */

static int fill_cases_fn(struct store_tx *tx, void *arg)
{
    int n = *(int *)arg;
    for (int i = 0; i < n; i++) {
        struct fq_case c;
        case_make(&c, "330106", i + 1, "330106001001");
        c.title = (char *)"一个较长的标题，让数据库多占几页，备份时可以分多步进行";
        int rc = store_tx_case_insert(tx, &c);
        if (rc)
            return rc;
    }
    return 0;
}

static void count_progress(int done, int total, void *arg)
{
    int *calls = arg;
    assert_true(done >= 0 && done <= total);
    (*calls)++;
}

static void test_backup(void **state)
{
    struct fx *f = *state;
    int n = 3000;
    assert_int_equal(store_write(f->s, fill_cases_fn, &n), 0);
    char path[160];
    snprintf(path, sizeof path, "%s/backup.db", f->dir);
    int calls = 0;
    struct fq_error e = {0};
    assert_int_equal(store_backup(f->s, path, count_progress, &calls, &e), 0);
    assert_true(calls >= 2); /* more than 256 pages: several steps */
    assert_int_equal(store_backup(f->s, path, NULL, NULL, &e), FQ_ECONFLICT);

    struct store_opts o = {.path = path};
    struct store *b = NULL;
    assert_int_equal(store_open(&o, &b, &e), 0);
    struct store_case_filter flt;
    store_case_filter_init(&flt);
    int64_t cnt = 0, orig = 0;
    assert_int_equal(store_case_count(store_rd(b), &flt, &cnt), 0);
    assert_int_equal(store_case_count(store_rd(f->s), &flt, &orig), 0);
    assert_int_equal(cnt, n);
    assert_int_equal(cnt, orig);
    assert_int_equal(store_integrity_check(store_rd(b), &e), 0);
    store_close(b);
}

/* ---- readers on several threads ---- */

struct reader_arg {
    struct store *s;
    const char *code;
    int failures;
};

static void *reader_thread(void *p)
{
    struct reader_arg *r = p;
    for (int i = 0; i < 2000; i++) {
        struct fq_case c;
        if (store_case_get(store_rd(r->s), r->code, &c))
            r->failures++;
        else
            fq_case_clear(&c);
    }
    return NULL; /* the thread's connection goes back to the store on exit */
}

static void test_readers(void **state)
{
    struct fx *f = *state;
    struct fq_case c;
    case_make(&c, "330106", 1, "330106001001");
    assert_int_equal(store_write(f->s, insert_case_fn, &c), 0);
    pthread_t th[3];
    struct reader_arg ra[3];
    for (int t = 0; t < 3; t++) {
        ra[t] = (struct reader_arg){f->s, c.code, 0};
        assert_int_equal(pthread_create(&th[t], NULL, reader_thread, &ra[t]), 0);
    }
    for (int t = 0; t < 3; t++) {
        pthread_join(th[t], NULL);
        assert_int_equal(ra[t].failures, 0);
    }
}

/* ---- throughput (printed, not asserted) ---- */

#define BENCH_N 20000

struct bench {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done, failed;
};

static struct bench bench;

static void bench_done(void *arg, int rc)
{
    (void)arg;
    pthread_mutex_lock(&bench.mu);
    bench.done++;
    bench.failed += rc != 0;
    if (bench.done == BENCH_N)
        pthread_cond_signal(&bench.cv);
    pthread_mutex_unlock(&bench.mu);
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_throughput(void **state)
{
    struct fx *f = *state;
    struct fq_case *cs = calloc(BENCH_N, sizeof *cs);
    assert_non_null(cs);
    for (int i = 0; i < BENCH_N; i++)
        case_make(&cs[i], i % 2 ? "330106" : "330108", i + 1,
                  i % 2 ? "330106001001" : "330108002003");
    pthread_mutex_init(&bench.mu, NULL);
    pthread_cond_init(&bench.cv, NULL);
    double t0 = seconds();
    for (int i = 0; i < BENCH_N; i++)
        assert_int_equal(store_submit(f->s, insert_case_fn, bench_done, &cs[i]), 0);
    pthread_mutex_lock(&bench.mu);
    while (bench.done < BENCH_N)
        pthread_cond_wait(&bench.cv, &bench.mu);
    pthread_mutex_unlock(&bench.mu);
    double t1 = seconds();
    assert_int_equal(bench.failed, 0);
    printf("store: %d case inserts via store_submit in %.3f s: %.0f inserts/s\n", BENCH_N, t1 - t0,
           BENCH_N / (t1 - t0));

    struct store_rd *rd = store_rd(f->s);
    int reads = 100000;
    t0 = seconds();
    for (int i = 0; i < reads; i++) {
        struct fq_case c;
        assert_int_equal(store_case_get(rd, cs[(i * 7919) % BENCH_N].code, &c), 0);
        fq_case_clear(&c);
    }
    t1 = seconds();
    printf("store: %d case gets by code in %.3f s: %.0f gets/s (one thread)\n", reads, t1 - t0,
           reads / (t1 - t0));

    struct store_case_filter flt;
    store_case_filter_init(&flt);
    strcpy(flt.division, "330106000000");
    flt.status_mask = 1u << ST_PENDING_ASSESS;
    int lists = 2000;
    t0 = seconds();
    for (int i = 0; i < lists; i++) {
        json_t *arr = NULL;
        int64_t next = 0;
        assert_int_equal(store_case_list(rd, &flt, &arr, &next), 0);
        json_decref(arr);
    }
    t1 = seconds();
    printf("store: %d list pages of 50 in %.3f s: %.0f pages/s\n", lists, t1 - t0,
           lists / (t1 - t0));
    pthread_cond_destroy(&bench.cv);
    pthread_mutex_destroy(&bench.mu);
    free(cs);
}

/* Divisions and grids are served from each reader's in-memory copy: a committed insert is seen
 * by the next lookup (the copy reloads), a rolled-back one is not. */
static int ref_add_fn(struct store_tx *tx, void *arg)
{
    const char *village = arg;
    char grid[16];
    snprintf(grid, sizeof grid, "%s01", village);
    int rc = store_tx_division_insert(tx, village, "新村", LEVEL_VILLAGE, "330106001000");
    if (rc == 0)
        rc = store_tx_grid_insert(tx, grid, "一网格", village, NULL, 10, 0, 0);
    char code[8]; /* a category and a resolution method named after the village: Z999, M999 */
    snprintf(code, sizeof code, "Z%s", village + 9);
    if (rc == 0)
        rc = store_tx_category_insert(tx, code, "新类别", "", "dispute", "");
    code[0] = 'M';
    if (rc == 0)
        rc = store_tx_resolution_method_insert(tx, code, "新方式");
    return rc ? rc : !strcmp(village, "330106001998") ? FQ_ECONFLICT : 0; /* the last one fails */
}

/* A category and a method alone (no division or grid): their own changes must reload the copy. */
static int codes_add_fn(struct store_tx *tx, void *arg)
{
    (void)arg;
    int rc = store_tx_category_insert(tx, "Z996", "又一类别", "", "dispute", "");
    return rc ? rc : store_tx_resolution_method_insert(tx, "M996", "又一方式");
}

static void test_reference_reload(void **state)
{
    struct fx *f = *state;
    struct store_rd *rd = store_rd(f->s);
    char name[96], parent[FQ_DIVISION_LEN + 1], village[FQ_DIVISION_LEN + 1];
    int level = 0;
    assert_int_equal(store_write(f->s, seed_fn, NULL), 0);
    assert_int_equal(store_division_get(rd, "330106001999", name, &level, parent), FQ_ENOTFOUND);
    assert_int_equal(store_grid_get(rd, "33010600199901", village), FQ_ENOTFOUND);
    assert_int_equal(store_category_exists(rd, "Z999"), 0);
    assert_int_equal(store_resolution_method_exists(rd, "M999"), 0);
    assert_int_equal(store_write(f->s, ref_add_fn, "330106001999"), 0);
    assert_int_equal(store_category_exists(rd, "Z999"), 1); /* categories and methods alike */
    assert_int_equal(store_resolution_method_exists(rd, "M999"), 1);
    assert_int_equal(store_category_exists(rd, "Z99"), 0);
    assert_int_equal(store_resolution_method_exists(rd, "Z999"), 0);
    assert_int_equal(store_division_get(rd, "330106001999", name, &level, parent), 0);
    assert_string_equal(name, "新村");
    assert_int_equal(level, LEVEL_VILLAGE);
    assert_string_equal(parent, "330106001000");
    assert_int_equal(store_grid_get(rd, "33010600199901", village), 0);
    assert_string_equal(village, "330106001999");
    assert_int_equal(store_division_get(rd, "330106000000", name, &level, parent), 0);
    assert_string_equal(name, "西湖区");
    assert_int_equal(store_write(f->s, ref_add_fn, "330106001998"), FQ_ECONFLICT);
    assert_int_equal(store_division_get(rd, "330106001998", name, &level, parent), FQ_ENOTFOUND);
    assert_int_equal(store_grid_get(rd, "33010600199801", village), FQ_ENOTFOUND);
    assert_int_equal(store_category_exists(rd, "Z996"), 0);
    assert_int_equal(store_write(f->s, codes_add_fn, NULL), 0);
    assert_int_equal(store_category_exists(rd, "Z996"), 1);
    assert_int_equal(store_resolution_method_exists(rd, "M996"), 1);
    assert_int_equal(store_category_exists(rd, "Z998"), 0); /* rolled back */
    assert_int_equal(store_resolution_method_exists(rd, "M998"), 0);
    assert_int_equal(store_division_get(rd, "33010600199", name, &level, parent), FQ_ENOTFOUND);

    /* store_rd_begin: the lookups until the outermost store_rd_end share one snapshot; inside it
     * a changed copy is not reloaded (the lookup falls back to SQL, in the snapshot) */
    struct fq_case c;
    assert_int_equal(store_rd_begin(rd), 0);
    assert_int_equal(store_rd_begin(rd), 0); /* nested */
    assert_int_equal(store_grid_get(rd, "33010600199901", village), 0);
    assert_int_equal(store_case_get(rd, "33010620261121000001X", &c), FQ_ENOTFOUND); /* snapshot starts */
    assert_int_equal(store_write(f->s, ref_add_fn, "330106001997"), 0);
    assert_int_equal(store_grid_get(rd, "33010600199701", village), FQ_ENOTFOUND); /* snapshot */
    store_rd_end(rd);
    assert_int_equal(store_grid_get(rd, "33010600199701", village), FQ_ENOTFOUND); /* still */
    store_rd_end(rd);
    assert_int_equal(store_grid_get(rd, "33010600199701", village), 0);
    assert_string_equal(village, "330106001997");
    store_rd_end(rd); /* unbalanced: a no-op */
    /* the scope's BEGIN runs with its first statement (DEFERRED: that is when the snapshot
     * starts anyway): a change committed after store_rd_begin and before the first lookup is
     * seen, and a scope without a statement opens nothing */
    assert_int_equal(store_rd_begin(rd), 0);
    store_rd_end(rd);
    assert_int_equal(store_rd_begin(rd), 0);
    assert_int_equal(store_write(f->s, ref_add_fn, "330106001994"), 0);
    assert_int_equal(store_grid_get(rd, "33010600199401", village), 0);
    assert_string_equal(village, "330106001994");
    assert_int_equal(store_write(f->s, ref_add_fn, "330106001993"), 0);
    assert_int_equal(store_grid_get(rd, "33010600199301", village), FQ_ENOTFOUND); /* snapshot */
    store_rd_end(rd);
    assert_int_equal(store_grid_get(rd, "33010600199301", village), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_schema_and_reopen),
        T(test_case_roundtrip),
        T(test_case_update_one_column),
        T(test_bulk_holds_case),
        T(test_case_sides),
        T(test_idempotency_and_seq),
        T(test_case_list),
        T(test_group_commit),
        T(test_failing_job_in_group),
        T(test_failing_job_without_writes),
        T(test_cases_due),
        T(test_reference_and_accounts),
        T(test_reference_reload),
        T(test_backup),
        T(test_readers),
        T(test_throughput),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
