/* Tests for core/stats.c and store/sqlite_stats.c: a demo city (one county, 2,000 cases) is built
 * into a temporary database with the statistics attached, so the aggregates are maintained case
 * write by case write exactly as in production. Then every indicator is recomputed by brute force
 * — straight from the case rows, their assignments and links, with the definitions of
 * docs/METRICS.md written out again here independently — for many groupings, filters and date
 * ranges (whole months read from the roll-ups, partial months from the daily table), and must
 * agree exactly. A full rebuild must give the same rows as the incremental maintenance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <semaphore.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/demo.h"
#include "core/domain.h"
#include "core/ident.h"
#include "core/pii.h"
#include "core/report.h"
#include "core/seed.h"
#include "core/sla.h"
#include "core/stats.h"
#include "store/sqlite_int.h" /* a job that loses its transaction, as an I/O error does */
#include "store/store.h"
#include "store/store_stats.h"
#include "util/clock.h"
#include "fixture.h"

#define DEMO_CASES 2000
#define FAKE_NOW "1795226400000" /* 2026-11-21T10:00:00+08:00 */

/* One case as the brute force sees it. */
struct bcase {
    int64_t id, day, lead;
    int merged;
    char division[13], category[16], category1[16];
    int channel, grade;
    int64_t v[STAT__COUNT];
    /* per-department assignment counters */
    int nrows;
    struct {
        int64_t dept, assigned, responded, returns;
    } rows[16];
};

struct built {
    char dir[64], path[128];
    struct store *s;
    struct fq_domain d;
    struct bcase *cases;
    int n;
};

/* ---- brute force: the definitions again, from raw rows ---- */

static void brute_case(struct built *b, sqlite3 *db, int64_t id, struct bcase *o)
{
    struct store_rd *rd = store_rd(b->s);
    struct fq_case c;
    struct fq_assignment *as = NULL;
    int nas = 0;
    memset(o, 0, sizeof *o);
    assert_int_equal(store_case_get_id(rd, id, &c), 0);
    assert_int_equal(store_case_assignments(rd, id, &as, &nas), 0);
    o->id = id;
    o->day = day_of_ms(c.created_at);
    o->lead = c.lead_department;
    snprintf(o->division, sizeof o->division, "%s", c.division);
    snprintf(o->category, sizeof o->category, "%s", c.category);
    o->channel = c.channel;
    o->grade = c.grade;
    /* level-1 category: the parent in the category table */
    sqlite3_stmt *st;
    snprintf(o->category1, sizeof o->category1, "%s", c.category);
    sqlite3_prepare_v2(db, "SELECT parent FROM categories WHERE code = ?1", -1, &st, NULL);
    sqlite3_bind_text(st, 1, c.category, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)[0])
        snprintf(o->category1, sizeof o->category1, "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    int repeat = c.repeat_of != 0;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM case_links WHERE a = ?1 AND kind = 'repeat'", -1,
                       &st, NULL);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_step(st);
    repeat |= sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    sqlite3_prepare_v2(db, "SELECT count(*) FROM case_links WHERE a = ?1 AND kind = 'duplicate'",
                       -1, &st, NULL);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_step(st);
    o->merged = sqlite3_column_int(st, 0) > 0; /* merged duplicates count once, in the primary */
    sqlite3_finalize(st);

    int closed = c.status >= ST_CLOSED;
    o->v[STAT_INTAKE] = 1;
    if (closed) {
        o->v[STAT_CLOSED] = 1;
        o->v[STAT_SETTLED] = c.success == 1;
        o->v[STAT_ON_TIME] = c.light != LIGHT_RED;
        o->v[STAT_FOLLOWED] = c.followed_up > 0;
        double h = calendar_working_hours(b->d.cal, c.created_at,
                                          c.resolved_at ? c.resolved_at : c.closed_at);
        o->v[STAT_WORK_MS] = llround(h * 3600000.0);
    }
    o->v[STAT_OVERDUE] = c.light == LIGHT_RED;
    o->v[STAT_RATED] = c.satisfaction > 0;
    o->v[STAT_SATISFIED] = c.satisfaction == SAT_SATISFIED;
    o->v[STAT_BASIC] = c.satisfaction == SAT_BASIC;
    o->v[STAT_DISSATISFIED] = c.satisfaction == SAT_DISSATISFIED;
    o->v[STAT_REPEAT] = repeat;
    o->v[STAT_RETURNED] = c.returns > 0;
    o->v[STAT_SUPERVISIONS] = c.supervised;
    o->v[STAT_SUPERVISED] = c.supervised > 0;
    const struct fq_sla_rule *r = sla_match(b->d.rules, b->d.nrules, c.grade, c.level, c.channel);
    int64_t limit = r && r->response_hours ? (int64_t)r->response_hours * 3600000 : INT64_MAX;
    for (int i = 0; i < nas; i++) {
        if (as[i].status == AS_CANCELLED && !as[i].accepted_at)
            continue;
        int k;
        for (k = 0; k < o->nrows && o->rows[k].dept != as[i].department_id; k++)
            ;
        if (k == o->nrows) {
            assert_true(o->nrows < 16);
            o->rows[o->nrows++].dept = as[i].department_id;
        }
        o->rows[k].assigned++;
        o->rows[k].responded += as[i].accepted_at && as[i].accepted_at - as[i].assigned_at <= limit;
        o->rows[k].returns += as[i].status == AS_RETURNED;
    }
    free(as);
    fq_case_clear(&c);
}

static int group_setup(void **state)
{
    static struct built b;
    struct fq_error e = {0};
    struct pii_key k;
    char key[128];
    setenv("FQ_FAKE_NOW", FAKE_NOW, 1);
    snprintf(b.dir, sizeof b.dir, "/tmp/fq-stats-XXXXXX");
    if (!mkdtemp(b.dir))
        return -1;
    snprintf(b.path, sizeof b.path, "%s/fq.db", b.dir);
    snprintf(key, sizeof key, "%s/fengqiao.key", b.dir);
    struct store_opts o = {.path = b.path, .create = 1};
    int rc;
    if ((rc = store_open(&o, &b.s, &e)) || (rc = seed_reference(b.s, fx_data_dir(), &e)) ||
        (rc = pii_key_load(key, 1, &k)) || (rc = domain_open(&b.d, b.s, key, b.dir, &e)))
        goto fail;
    stats_attach(&b.d);
    struct demo_opts opts = {
        .counties = 1, .cases = DEMO_CASES, .months = 12, .seed = 7, .plant_surges = 1};
    if ((rc = demo_build(&b.d, &opts, &e)))
        goto fail;
    /* brute force every case once */
    sqlite3 *db;
    sqlite3_stmt *st;
    sqlite3_open_v2(b.path, &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_prepare_v2(db, "SELECT count(*) FROM cases", -1, &st, NULL);
    sqlite3_step(st);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    b.cases = calloc((size_t)n, sizeof *b.cases);
    sqlite3_prepare_v2(db, "SELECT id FROM cases ORDER BY id", -1, &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW && b.n < n)
        brute_case(&b, db, sqlite3_column_int64(st, 0), &b.cases[b.n++]);
    sqlite3_finalize(st);
    sqlite3_close(db);
    *state = &b;
    return 0;
fail:
    fprintf(stderr, "setup failed: %d %s\n", rc, e.message);
    return -1;
}

static int group_teardown(void **state)
{
    struct built *b = *state;
    if (!b)
        return 0;
    stats_detach(&b->d);
    domain_close(&b->d);
    store_close(b->s);
    free(b->cases);
    fx_rm_tree(b->dir);
    return 0;
}

/* ---- comparison ---- */

struct group {
    char key[40];
    int64_t v[STAT__COUNT];
};

struct groups {
    struct group g[4096];
    int n;
};

static struct group *group_of(struct groups *gs, const char *key)
{
    for (int i = 0; i < gs->n; i++)
        if (!strcmp(gs->g[i].key, key))
            return &gs->g[i];
    assert_true(gs->n < 4096);
    struct group *g = &gs->g[gs->n++];
    memset(g, 0, sizeof *g);
    snprintf(g->key, sizeof g->key, "%s", key);
    return g;
}

static int collect(const char *key, const int64_t v[STAT__COUNT], void *arg)
{
    struct groups *gs = arg;
    struct group *g = group_of(gs, key);
    memcpy(g->v, v, sizeof g->v);
    return 0;
}

/* The key of a case (dept: the row's department) under grouping q->group. */
static void brute_key(const struct store_stats_query *q, const struct bcase *c, int64_t dept,
                      char *out)
{
    int y, m, d;
    ymd_from_day(c->day, &y, &m, &d);
    switch (q->group) {
    case SG_DIVISION:
        snprintf(out, 40, "%.*s", q->division_digits, c->division);
        while (strlen(out) < 12)
            strcat(out, "0");
        break;
    case SG_DEPARTMENT:
        sprintf(out, "%lld", (long long)dept);
        break;
    case SG_CATEGORY:
        sprintf(out, "%s", c->category);
        break;
    case SG_CATEGORY1:
        sprintf(out, "%s", c->category1);
        break;
    case SG_CHANNEL:
        sprintf(out, "%d", c->channel);
        break;
    case SG_GRADE:
        sprintf(out, "%d", c->grade);
        break;
    case SG_DAY:
        sprintf(out, "%lld", (long long)c->day);
        break;
    case SG_WEEK:
        sprintf(out, "%lld", (long long)(c->day - (day_weekday(c->day) + 6) % 7));
        break;
    case SG_MONTH:
        sprintf(out, "%04d-%02d", y, m);
        break;
    case SG_QUARTER:
        sprintf(out, "%04d-Q%d", y, (m + 2) / 3);
        break;
    case SG_YEAR:
        sprintf(out, "%04d", y);
        break;
    default:
        out[0] = 0;
    }
}

static int brute_match(const struct store_stats_query *q, const struct bcase *c, int64_t dept)
{
    if (c->day < q->from_day || c->day >= q->to_day)
        return 0;
    if (q->division[0] && !division_contains(q->division, c->division))
        return 0;
    if (q->category[0] && strncmp(c->category, q->category, strlen(q->category)))
        return 0;
    if (q->channel >= 0 && c->channel != q->channel)
        return 0;
    if (q->grade >= 0 && c->grade != q->grade)
        return 0;
    if (q->department && dept != q->department)
        return 0;
    return 1;
}

static void brute(const struct built *b, const struct store_stats_query *q, struct groups *gs)
{
    char key[40];
    for (int i = 0; i < b->n; i++) {
        const struct bcase *c = &b->cases[i];
        if (c->merged)
            continue;
        if (brute_match(q, c, c->lead)) {
            brute_key(q, c, c->lead, key);
            struct group *g = group_of(gs, key);
            for (int k = 0; k < STAT__COUNT; k++)
                if (k != STAT_ASSIGNED && k != STAT_RESPONDED && k != STAT_RETURNS)
                    g->v[k] += c->v[k];
        }
        for (int r = 0; r < c->nrows; r++) {
            if (!brute_match(q, c, c->rows[r].dept))
                continue;
            brute_key(q, c, c->rows[r].dept, key);
            struct group *g = group_of(gs, key);
            g->v[STAT_ASSIGNED] += c->rows[r].assigned;
            g->v[STAT_RESPONDED] += c->rows[r].responded;
            g->v[STAT_RETURNS] += c->rows[r].returns;
        }
    }
}

/* Aggregates (and, with snapshots, the per-case snapshots) must equal the brute force. */
static void check_query(struct built *b, const struct store_stats_query *q, const char *what)
{
    static struct groups got, want, snap;
    memset(&got, 0, sizeof got);
    memset(&want, 0, sizeof want);
    memset(&snap, 0, sizeof snap);
    struct store_rd *rd = store_rd(b->s);
    assert_int_equal(store_stats_sum(rd, q, collect, &got), 0);
    assert_int_equal(store_stats_sum_snapshots(rd, q, collect, &snap), 0);
    brute(b, q, &want);
    int nonempty = 0;
    for (int i = 0; i < want.n; i++) {
        struct group *g = NULL;
        for (int j = 0; j < got.n; j++)
            if (!strcmp(got.g[j].key, want.g[i].key))
                g = &got.g[j];
        int zero = 1;
        for (int k = 0; k < STAT__COUNT; k++)
            zero &= want.g[i].v[k] == 0;
        if (zero)
            continue;
        nonempty++;
        if (!g)
            fail_msg("%s: group %s missing from the aggregates", what, want.g[i].key);
        for (int k = 0; k < STAT__COUNT; k++)
            if (g->v[k] != want.g[i].v[k])
                fail_msg("%s: group %s counter %s: aggregates %lld, brute force %lld", what,
                         want.g[i].key, stat_counter_name(k), (long long)g->v[k],
                         (long long)want.g[i].v[k]);
    }
    for (int j = 0; j < got.n; j++) { /* nothing the brute force does not know */
        int found = 0, zero = 1;
        for (int i = 0; i < want.n; i++)
            found |= !strcmp(got.g[j].key, want.g[i].key);
        for (int k = 0; k < STAT__COUNT; k++)
            zero &= got.g[j].v[k] == 0;
        if (!found && !zero)
            fail_msg("%s: extra group %s in the aggregates", what, got.g[j].key);
    }
    assert_int_equal(snap.n, got.n);
    (void)nonempty;
}

static struct store_stats_query all_time(void)
{
    struct store_stats_query q;
    memset(&q, 0, sizeof q);
    q.from_day = day_from_ymd(2024, 1, 1);
    q.to_day = day_from_ymd(2027, 1, 1);
    q.channel = q.grade = -1;
    return q;
}

/* A township and a level-1 category that actually occur. */
static void pick(struct built *b, char township[13], char category1[16], int64_t *dept)
{
    snprintf(township, 13, "%.9s000", b->cases[0].division);
    for (int i = 0; i < b->n; i++)
        if (b->cases[i].category1[0] && b->cases[i].lead) {
            snprintf(category1, 16, "%s", b->cases[i].category1);
            *dept = b->cases[i].lead;
            return;
        }
    fail_msg("no dispatched, categorised case in the demo");
}

/* ---- tests ---- */

/* Every grouping of all time by township, and by village and county for the division. */
static void check_every_grouping(struct built *b)
{
    for (int g = 0; g < SG__COUNT; g++) {
        struct store_stats_query q = all_time();
        q.group = g;
        q.division_digits = 9;
        check_query(b, &q, stats_group_name(g));
        if (g == SG_DIVISION) {
            q.division_digits = 12;
            check_query(b, &q, "division (village)");
            q.division_digits = 6;
            check_query(b, &q, "division (county)");
        }
    }
}

static void test_every_grouping(void **state)
{
    struct built *b = *state;
    assert_true(b->n >= DEMO_CASES);
    check_every_grouping(b);
}

static void test_filters_and_partial_months(void **state)
{
    struct built *b = *state;
    char township[13], cat1[16];
    int64_t dept = 0;
    pick(b, township, cat1, &dept);
    /* ranges that cut months (daily table at the edges, roll-ups in between), whole months, and
     * ranges inside one month */
    const int64_t ranges[][2] = {
        {day_from_ymd(2026, 1, 15), day_from_ymd(2026, 9, 10)},
        {day_from_ymd(2026, 3, 1), day_from_ymd(2026, 7, 1)},
        {day_from_ymd(2026, 5, 3), day_from_ymd(2026, 5, 20)},
        {day_from_ymd(2025, 11, 30), day_from_ymd(2026, 11, 22)},
    };
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        for (int variant = 0; variant < 7; variant++) {
            for (int g = 0; g < SG__COUNT; g++) {
                struct store_stats_query q = all_time();
                q.from_day = ranges[r][0];
                q.to_day = ranges[r][1];
                q.group = g;
                q.division_digits = 12;
                switch (variant) {
                case 1:
                    snprintf(q.division, sizeof q.division, "%s", township);
                    break;
                case 2:
                    snprintf(q.category, sizeof q.category, "%s", cat1);
                    break;
                case 3:
                    q.channel = CH_HOTLINE;
                    break;
                case 4:
                    q.grade = GRADE_ORDINARY;
                    break;
                case 5:
                    q.department = dept;
                    break;
                case 6:
                    snprintf(q.division, sizeof q.division, "%s", township);
                    q.channel = CH_GRID;
                    q.grade = GRADE_SIMPLE;
                    break;
                }
                char what[96];
                snprintf(what, sizeof what, "range %zu variant %d group %s", r, variant,
                         stats_group_name(g));
                check_query(b, &q, what);
                if (g == SG_DIVISION) { /* by township: village rows when nothing else counts */
                    q.division_digits = 9;
                    snprintf(what, sizeof what, "range %zu variant %d by township", r, variant);
                    check_query(b, &q, what);
                }
            }
        }
    }
}

/* ---- writer groups: deltas collected per group, applied before COMMIT ---- */

struct gjob {
    int64_t id;
    int grade, channel; /* -1: leave */
    int fail;           /* the job fails after writing: its savepoint is rolled back */
    int insert;         /* write a brand-new case instead */
    sem_t *gate, *done;
    int rc;
};

static int gate_fn(struct store_tx *tx, void *arg)
{
    (void)tx;
    sem_wait(arg);
    return 0;
}

static int gjob_fn(struct store_tx *tx, void *arg)
{
    struct gjob *j = arg;
    struct fq_case c;
    int rc;
    if (j->insert) {
        memset(&c, 0, sizeof c);
        snprintf(c.code, sizeof c.code, "%s", "3312020011126000001X");
        c.title = c.description = c.address = "";
        c.created_at = c.updated_at = fq_now_ms();
        snprintf(c.division, sizeof c.division, "%s", "331202001001");
        c.success = -1;
        rc = store_tx_case_insert(tx, &c);
        return rc ? rc : j->fail ? FQ_ECONFLICT : 0;
    }
    if ((rc = store_tx_case_get_id(tx, j->id, &c)))
        return rc;
    if (j->grade >= 0)
        c.grade = j->grade;
    if (j->channel >= 0)
        c.channel = j->channel;
    rc = store_tx_case_update(tx, &c);
    fq_case_clear(&c);
    return rc ? rc : j->fail ? FQ_ECONFLICT : 0;
}

static void gjob_done(void *arg, int rc)
{
    struct gjob *j = arg;
    j->rc = rc;
    sem_post(j->done);
}

static struct bcase *bcase_of(struct built *b, int64_t id)
{
    for (int i = 0; i < b->n; i++)
        if (b->cases[i].id == id)
            return &b->cases[i];
    fail_msg("case %lld not in the brute force", (long long)id);
    return NULL;
}

static void test_group_batching(void **state)
{
    struct built *b = *state;
    /* four categorised, dispatched cases */
    int64_t ids[4];
    int k = 0;
    for (int i = 0; i < b->n && k < 4; i++)
        if (b->cases[i].lead && !b->cases[i].merged && b->cases[i].category[0])
            ids[k++] = b->cases[i].id;
    assert_int_equal(k, 4);
    sem_t gate, done;
    sem_init(&gate, 0, 0);
    sem_init(&done, 0, 0);
    /* one group: case 0 written twice (grade, then channel), case 1 written then rolled back,
     * case 2 written twice with the second write rolled back, a new case inserted and rolled
     * back, case 3 written */
    struct gjob jobs[] = {
        {ids[0], GRADE_DIFFICULT, -1, 0, 0, &gate, &done, 1},
        {ids[0], -1, CH_LETTERS, 0, 0, &gate, &done, 1},
        {ids[1], GRADE_SIMPLE, CH_API, 1, 0, &gate, &done, 1},
        {ids[2], GRADE_COMPLEX, -1, 0, 0, &gate, &done, 1},
        {ids[2], GRADE_SIMPLE, CH_POLICE, 1, 0, &gate, &done, 1},
        {0, -1, -1, 1, 1, &gate, &done, 1},
        {ids[3], -1, CH_PORTAL, 0, 0, &gate, &done, 1},
    };
    int n = (int)(sizeof jobs / sizeof jobs[0]);
    assert_int_equal(store_submit(b->s, gate_fn, NULL, &gate), 0);
    for (int i = 0; i < n; i++)
        assert_int_equal(store_submit(b->s, gjob_fn, gjob_done, &jobs[i]), 0);
    sem_post(&gate);
    for (int i = 0; i < n; i++)
        sem_wait(&done);
    for (int i = 0; i < n; i++)
        assert_int_equal(jobs[i].rc, jobs[i].fail ? FQ_ECONFLICT : 0);
    /* the brute force of the touched cases, from their rows as committed */
    sqlite3 *db;
    sqlite3_open_v2(b->path, &db, SQLITE_OPEN_READONLY, NULL);
    for (int i = 0; i < 4; i++)
        brute_case(b, db, ids[i], bcase_of(b, ids[i]));
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db,
                       "SELECT count(*) FROM cases WHERE code = '3312020011126000001X'", -1, &st,
                       NULL);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0); /* the failed insert is gone */
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_int_equal(bcase_of(b, ids[0])->grade, GRADE_DIFFICULT);
    assert_int_equal(bcase_of(b, ids[0])->channel, CH_LETTERS);
    assert_int_equal(bcase_of(b, ids[2])->grade, GRADE_COMPLEX);
    for (int g = 0; g < SG__COUNT; g++) {
        struct store_stats_query q = all_time();
        q.group = g;
        q.division_digits = 9;
        check_query(b, &q, stats_group_name(g));
        q.grade = GRADE_DIFFICULT;
        check_query(b, &q, "grade filter");
        q.grade = -1;
        q.channel = CH_LETTERS;
        check_query(b, &q, "channel filter");
    }
    sem_destroy(&gate);
    sem_destroy(&done);
}

/* Brand-new cases in one group: each moves only the intake counter of its rows, which go through
 * the intake-only batched upsert once a table has BATCH_ROWS (16) such rows in the flush (here
 * 4 villages x 7 channels of stats_day rows, and the roll-ups); the sums must stay the brute
 * force's. */
#define NEW_CASES 56
struct newjob {
    char code[FQ_CODE_LEN + 1], division[13];
    int channel;
    int64_t id;
    sem_t *done;
    int rc;
};

static int newjob_fn(struct store_tx *tx, void *arg)
{
    struct newjob *j = arg;
    struct fq_case c;
    memset(&c, 0, sizeof c);
    snprintf(c.code, sizeof c.code, "%s", j->code);
    c.title = c.description = c.address = "";
    c.created_at = c.updated_at = fq_now_ms();
    snprintf(c.division, sizeof c.division, "%s", j->division);
    c.channel = j->channel;
    c.success = -1;
    int rc = store_tx_case_insert(tx, &c);
    j->id = c.id;
    return rc;
}

static void newjob_done(void *arg, int rc)
{
    struct newjob *j = arg;
    j->rc = rc;
    sem_post(j->done);
}

static void test_group_new_cases(void **state)
{
    struct built *b = *state;
    static const char *const villages[] = {"331202001001", "331202001002", "331202001003",
                                           "331202002001"};
    static struct newjob jobs[NEW_CASES];
    sem_t gate, done;
    sem_init(&gate, 0, 0);
    sem_init(&done, 0, 0);
    assert_int_equal(store_submit(b->s, gate_fn, NULL, &gate), 0); /* one group for them all */
    for (int i = 0; i < NEW_CASES; i++) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        snprintf(jobs[i].code, sizeof jobs[i].code, "33120220261121%06dX", 900000 + i);
        snprintf(jobs[i].division, sizeof jobs[i].division, "%s", villages[i % 4]);
        jobs[i].channel = (i / 4) % 7;
        jobs[i].done = &done;
        assert_int_equal(store_submit(b->s, newjob_fn, newjob_done, &jobs[i]), 0);
    }
    sem_post(&gate);
    for (int i = 0; i < NEW_CASES; i++)
        sem_wait(&done);
    struct bcase *grown = realloc(b->cases, (size_t)(b->n + NEW_CASES) * sizeof *b->cases);
    assert_non_null(grown);
    b->cases = grown;
    sqlite3 *db;
    sqlite3_open_v2(b->path, &db, SQLITE_OPEN_READONLY, NULL);
    for (int i = 0; i < NEW_CASES; i++) {
        assert_int_equal(jobs[i].rc, 0);
        memset(&b->cases[b->n], 0, sizeof b->cases[b->n]);
        brute_case(b, db, jobs[i].id, &b->cases[b->n++]);
    }
    sqlite3_close(db);
    check_every_grouping(b);
    sem_destroy(&gate);
    sem_destroy(&done);
}

/* A job that loses the whole transaction (SQLite rolls it back under the writer, as on an I/O
 * error or a full disk) takes its group with it: the deltas the group's earlier jobs kept must not
 * be applied by the next group. */
static int lose_tx_fn(struct store_tx *tx, void *arg)
{
    (void)arg;
    sqlite3_exec(tx->conn->db, "ROLLBACK", NULL, NULL, NULL);
    return 0;
}

static void lose_tx_done(void *arg, int rc)
{
    (void)rc;
    sem_post(arg);
}

static void test_group_rolled_back_whole(void **state)
{
    struct built *b = *state;
    int64_t ids[2];
    int k = 0;
    for (int i = 0; i < b->n && k < 2; i++)
        if (b->cases[i].lead && !b->cases[i].merged && b->cases[i].category[0])
            ids[k++] = b->cases[i].id;
    assert_int_equal(k, 2);
    int old_grade = bcase_of(b, ids[0])->grade;
    sem_t gate, done;
    sem_init(&gate, 0, 0);
    sem_init(&done, 0, 0);
    /* group 1: case 0 re-graded (its job succeeds), then the transaction is lost */
    struct gjob a = {ids[0], old_grade == GRADE_DIFFICULT ? GRADE_SIMPLE : GRADE_DIFFICULT,
                     -1, 0, 0, &gate, &done, 1};
    assert_int_equal(store_submit(b->s, gate_fn, NULL, &gate), 0);
    assert_int_equal(store_submit(b->s, gjob_fn, gjob_done, &a), 0);
    assert_int_equal(store_submit(b->s, lose_tx_fn, lose_tx_done, &done), 0);
    sem_post(&gate);
    sem_wait(&done);
    sem_wait(&done);
    assert_int_not_equal(a.rc, 0); /* the group was rolled back */
    /* group 2: case 1 written */
    int channel = bcase_of(b, ids[1])->channel == CH_PORTAL ? CH_API : CH_PORTAL;
    struct gjob c = {ids[1], -1, channel, 0, 0, &gate, &done, 1};
    assert_int_equal(store_submit(b->s, gjob_fn, gjob_done, &c), 0);
    sem_wait(&done);
    assert_int_equal(c.rc, 0);
    sqlite3 *db;
    sqlite3_open_v2(b->path, &db, SQLITE_OPEN_READONLY, NULL);
    for (int i = 0; i < 2; i++)
        brute_case(b, db, ids[i], bcase_of(b, ids[i]));
    sqlite3_close(db);
    assert_int_equal(bcase_of(b, ids[0])->grade, old_grade);
    assert_int_equal(bcase_of(b, ids[1])->channel, channel);
    for (int g = 0; g < SG__COUNT; g++) {
        struct store_stats_query q = all_time();
        q.group = g;
        q.division_digits = 9;
        check_query(b, &q, stats_group_name(g));
    }
    sem_destroy(&gate);
    sem_destroy(&done);
}

/* ---- intakes deferred across groups (a server under load) ---- */

/* The intake counter of everything, as the aggregates say. */
static int64_t intake_total(struct built *b)
{
    static struct groups gs;
    memset(&gs, 0, sizeof gs);
    struct store_stats_query q = all_time();
    q.group = SG_NONE;
    assert_int_equal(store_stats_sum(store_rd(b->s), &q, collect, &gs), 0);
    return gs.n ? gs.g[0].v[STAT_INTAKE] : 0;
}

/* settings 'stats.pending' as committed ("lo-hi ..."): the first case whose intake waits, -1 if
 * none. */
static int64_t pending_from(struct built *b)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int64_t v = -1;
    sqlite3_open_v2(b->path, &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_prepare_v2(db, "SELECT value FROM settings WHERE key = 'stats.pending'", -1, &st,
                       NULL);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0); /* the number the text starts with */
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* One writer group: n new cases (codes from seq on), then the jobs of extra (may be NULL). The
 * new cases join the brute force. */
static void group_of_intakes(struct built *b, struct newjob *jobs, int n, int seq,
                             struct gjob *extra, int nextra, store_tx_fn extra_fn)
{
    static const char *const villages[] = {"331202001001", "331202001002", "331202002001"};
    sem_t gate, done;
    sem_init(&gate, 0, 0);
    sem_init(&done, 0, 0);
    assert_int_equal(store_submit(b->s, gate_fn, NULL, &gate), 0);
    for (int i = 0; i < n; i++) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        snprintf(jobs[i].code, sizeof jobs[i].code, "33120220261121%06dX", seq + i);
        snprintf(jobs[i].division, sizeof jobs[i].division, "%s", villages[i % 3]);
        jobs[i].channel = i % 7;
        jobs[i].done = &done;
        assert_int_equal(store_submit(b->s, newjob_fn, newjob_done, &jobs[i]), 0);
    }
    for (int i = 0; i < nextra; i++) {
        extra[i].done = &done;
        assert_int_equal(store_submit(b->s, extra_fn ? extra_fn : gjob_fn,
                                      extra_fn ? lose_tx_done : gjob_done,
                                      extra_fn ? (void *)&done : (void *)&extra[i]),
                         0);
    }
    sem_post(&gate);
    for (int i = 0; i < n + nextra; i++)
        sem_wait(&done);
    struct bcase *grown = realloc(b->cases, (size_t)(b->n + n) * sizeof *b->cases);
    assert_non_null(grown);
    b->cases = grown;
    sqlite3 *db;
    sqlite3_open_v2(b->path, &db, SQLITE_OPEN_READONLY, NULL);
    for (int i = 0; i < n; i++) {
        if (jobs[i].rc)
            continue; /* its group was rolled back */
        memset(&b->cases[b->n], 0, sizeof b->cases[b->n]);
        brute_case(b, db, jobs[i].id, &b->cases[b->n++]);
    }
    sqlite3_close(db);
    sem_destroy(&gate);
    sem_destroy(&done);
}

static void reopen(struct built *b)
{
    struct fq_error e = {0};
    char key[128];
    snprintf(key, sizeof key, "%s/fengqiao.key", b->dir);
    stats_detach(&b->d);
    domain_close(&b->d);
    store_close(b->s);
    struct store_opts o = {.path = b->path};
    assert_int_equal(store_open(&o, &b->s, &e), 0);
    assert_int_equal(domain_open(&b->d, b->s, key, b->dir, &e), 0);
    stats_attach(&b->d);
}

/* Under load (here: always) a group of new cases leaves their intake statistics pending in
 * memory; a group with any other statistics write applies everything pending with its own; a
 * group that fails keeps it pending; a crash loses the memory, and the next open restores the
 * intakes from the snapshots of the cases at or past the durable mark — every aggregate equal to
 * the brute force again. */
static void test_deferred_intakes_survive_a_crash(void **state)
{
    struct built *b = *state;
    static struct newjob jobs[5][12];
    int64_t start = intake_total(b);
    sq_stats_defer_always = 1;
    sq_stats_defer_ms = 1 << 30;
    group_of_intakes(b, jobs[0], 12, 910000, NULL, 0, NULL);
    group_of_intakes(b, jobs[1], 12, 910100, NULL, 0, NULL);
    assert_int_equal(intake_total(b), start); /* deferred: the aggregates lag */
    assert_int_equal(pending_from(b), jobs[0][0].id);
    /* another writer opening the database meanwhile must not restore them (they are not lost:
     * this store still holds them and will apply them) */
    struct store *other;
    struct fq_error e = {0};
    struct store_opts o = {.path = b->path};
    assert_int_equal(store_open(&o, &other, &e), 0);
    store_close(other);
    assert_int_equal(intake_total(b), start);
    assert_int_equal(pending_from(b), jobs[0][0].id);
    /* an update of a pending case with more intakes: all applied in that group */
    int64_t id = jobs[0][3].id;
    int channel = bcase_of(b, id)->channel == CH_PORTAL ? CH_API : CH_PORTAL;
    struct gjob upd = {id, -1, channel, 0, 0, NULL, NULL, 1};
    group_of_intakes(b, jobs[2], 5, 910200, &upd, 1, NULL);
    assert_int_equal(upd.rc, 0);
    sqlite3 *db;
    sqlite3_open_v2(b->path, &db, SQLITE_OPEN_READONLY, NULL);
    brute_case(b, db, id, bcase_of(b, id));
    sqlite3_close(db);
    assert_int_equal(bcase_of(b, id)->channel, channel);
    assert_int_equal(intake_total(b), start + 29);
    assert_int_equal(pending_from(b), -1);
    check_every_grouping(b);
    /* pending again; a group that was to apply it loses its transaction: it stays pending */
    group_of_intakes(b, jobs[3], 12, 910300, NULL, 0, NULL);
    struct gjob lost = {0};
    group_of_intakes(b, jobs[4], 4, 910400, &lost, 1, lose_tx_fn);
    for (int i = 0; i < 4; i++)
        assert_int_not_equal(jobs[4][i].rc, 0);
    assert_int_equal(intake_total(b), start + 29);
    assert_int_equal(pending_from(b), jobs[3][0].id);
    /* kill -9: pending forgotten unapplied; the next open restores it */
    sq_store_forget_pending(b->s);
    sq_stats_defer_always = 0;
    sq_stats_defer_ms = 100;
    reopen(b);
    assert_int_equal(pending_from(b), -1);
    assert_int_equal(intake_total(b), start + 41);
    check_every_grouping(b);
    /* the age limit: pending older than sq_stats_defer_ms is applied by the next group */
    sq_stats_defer_always = 1;
    sq_stats_defer_ms = 20;
    group_of_intakes(b, jobs[0], 3, 910500, NULL, 0, NULL);
    assert_int_equal(pending_from(b), jobs[0][0].id);
    usleep(60 * 1000);
    group_of_intakes(b, jobs[1], 3, 910600, NULL, 0, NULL);
    sq_stats_defer_always = 0;
    sq_stats_defer_ms = 100;
    assert_int_equal(pending_from(b), -1);
    assert_int_equal(intake_total(b), start + 47);
    check_every_grouping(b);
}

/* Two dimensions besides the division and time (the pair roll-ups), and three (stats_day). */
static void test_two_dimensions(void **state)
{
    struct built *b = *state;
    char township[13], cat1[16];
    int64_t dept = 0;
    pick(b, township, cat1, &dept);
    const int64_t ranges[][2] = {
        {day_from_ymd(2025, 11, 30), day_from_ymd(2026, 11, 22)},
        {day_from_ymd(2026, 2, 1), day_from_ymd(2026, 8, 1)},
        {day_from_ymd(2026, 4, 7), day_from_ymd(2026, 4, 29)},
    };
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++)
        for (int variant = 0; variant < 8; variant++)
            for (int g = 0; g < SG__COUNT; g++) {
                struct store_stats_query q = all_time();
                q.from_day = ranges[r][0];
                q.to_day = ranges[r][1];
                q.group = g;
                q.division_digits = variant & 1 ? 9 : 6;
                if (variant & 1)
                    snprintf(q.division, sizeof q.division, "%.6s000000", township);
                switch (variant / 2) {
                case 0: /* category × channel */
                    snprintf(q.category, sizeof q.category, "%s", cat1);
                    q.channel = CH_HOTLINE;
                    break;
                case 1: /* department × category */
                    snprintf(q.category, sizeof q.category, "%s", cat1);
                    q.department = dept;
                    break;
                case 2: /* grade, grouped by whatever */
                    q.grade = GRADE_ORDINARY;
                    break;
                case 3: /* three: department, channel, grade */
                    q.department = dept;
                    q.channel = CH_GRID;
                    q.grade = GRADE_ORDINARY;
                    break;
                }
                char what[96];
                snprintf(what, sizeof what, "two dims: range %zu variant %d group %s", r, variant,
                         stats_group_name(g));
                check_query(b, &q, what);
            }
}

static void test_rates_and_formulas(void **state)
{
    struct built *b = *state;
    int64_t t[STAT__COUNT] = {0};
    for (int i = 0; i < b->n; i++) {
        for (int k = 0; k < STAT__COUNT; k++)
            t[k] += b->cases[i].v[k];
        for (int r = 0; r < b->cases[i].nrows; r++) {
            t[STAT_ASSIGNED] += b->cases[i].rows[r].assigned;
            t[STAT_RESPONDED] += b->cases[i].rows[r].responded;
            t[STAT_RETURNS] += b->cases[i].rows[r].returns;
        }
    }
    assert_true(t[STAT_CLOSED] > 0 && t[STAT_RATED] > 0);
    assert_true(fabs(stats_rate(t, "closure_rate", 0) -
                     (double)t[STAT_CLOSED] / (double)t[STAT_INTAKE]) < 1e-12);
    double share = (double)(t[STAT_SATISFIED] + t[STAT_BASIC]) / (double)t[STAT_RATED];
    double weighted =
        ((double)t[STAT_SATISFIED] + 0.9 * (double)t[STAT_BASIC]) / (double)t[STAT_RATED];
    assert_true(fabs(stats_rate(t, "satisfaction_rate", STATS_SAT_SHARE) - share) < 1e-12);
    assert_true(fabs(stats_rate(t, "satisfaction_rate", STATS_SAT_WEIGHTED) - weighted) < 1e-12);
    assert_true(weighted <= share);
    double hours = (double)t[STAT_WORK_MS] / (double)t[STAT_CLOSED] / 3600000.0;
    assert_true(fabs(stats_rate(t, "avg_handling_hours", 0) - hours) < 1e-9);
    int64_t zero[STAT__COUNT] = {0};
    assert_true(stats_rate(zero, "closure_rate", 0) < 0); /* undefined, not 0 */
    json_t *o = stats_indicators(zero, 0);
    assert_true(json_is_null(json_object_get(o, "closure_rate")));
    json_decref(o);
    /* the demo exercises what the indicators measure */
    assert_true(t[STAT_OVERDUE] > 0 && t[STAT_SUPERVISIONS] > 0 && t[STAT_REPEAT] > 0);
    assert_true(t[STAT_RESPONDED] > 0 && t[STAT_RESPONDED] < t[STAT_ASSIGNED]);
    assert_true(t[STAT_FOLLOWED] > 0 && t[STAT_RETURNS] > 0);
}

static void test_ranking(void **state)
{
    struct built *b = *state;
    struct store_stats_query q = all_time();
    json_t *out = NULL;
    assert_int_equal(stats_ranking(&b->d, store_rd(b->s), &q, 0, &out), 0);
    json_t *items = json_object_get(out, "items");
    assert_true(json_array_size(items) >= 3);
    double prev = 101;
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i);
        double s = json_real_value(json_object_get(it, "score"));
        int stars = (int)json_integer_value(json_object_get(it, "stars"));
        assert_true(s <= prev && s >= 0 && s <= 100);
        assert_int_equal(stars, stats_stars(s));
        assert_int_equal(json_integer_value(json_object_get(it, "rank")), (json_int_t)i + 1);
        prev = s;
    }
    json_decref(out);
    assert_int_equal(stats_stars(95), 5);
    assert_int_equal(stats_stars(80), 4);
    assert_int_equal(stats_stars(70.5), 3);
    assert_int_equal(stats_stars(60), 2);
    assert_int_equal(stats_stars(12), 1);
}

/* Every row of the snapshots and aggregates, in key order, hashed (FNV-1a over the values as
 * text), and the number of rows. */
static void tables_digest(const char *path, uint64_t *hash, long *rows)
{
    static const char *const sql[] = {"SELECT * FROM stats_case ORDER BY 1, 2",
                                       "SELECT * FROM stats_day ORDER BY 1, 2, 3, 4, 5, 6",
                                       "SELECT * FROM stats_roll ORDER BY 1, 2, 3, 4, 5, 6"};
    sqlite3 *db;
    *hash = 1469598103934665603ull;
    *rows = 0;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    for (int t = 0; t < 3; t++) {
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(db, sql[t], -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const unsigned char *v = sqlite3_column_text(st, c);
                for (; v && *v; v++)
                    *hash = (*hash ^ *v) * 1099511628211ull;
                *hash = (*hash ^ '|') * 1099511628211ull;
            }
            ++*rows;
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
}

static void test_rebuild_matches_incremental(void **state)
{
    struct built *b = *state;
    uint64_t kept, rebuilt;
    long nkept, nrebuilt;
    tables_digest(b->path, &kept, &nkept);
    assert_true(nkept > DEMO_CASES);
    /* in one round (the default), then in many rounds of a few hundred merged rows */
    for (int round = 0; round < 2; round++) {
        int limit = sq_stats_rebuild_rows;
        if (round)
            sq_stats_rebuild_rows = 400;
        int rc = store_stats_rebuild(b->s, NULL, NULL);
        sq_stats_rebuild_rows = limit;
        assert_int_equal(rc, 0);
        tables_digest(b->path, &rebuilt, &nrebuilt);
        assert_int_equal(nrebuilt, nkept);
        assert_true(rebuilt == kept);
    }
    struct store_stats_query q = all_time();
    q.group = SG_MONTH;
    check_query(b, &q, "after rebuild, by month");
    q.group = SG_DEPARTMENT;
    q.from_day = day_from_ymd(2026, 2, 11);
    check_query(b, &q, "after rebuild, by department");
}

static void test_report_xlsx(void **state)
{
    struct built *b = *state;
    char path[160];
    struct fq_error e = {0};
    snprintf(path, sizeof path, "%s/report.xlsx", b->dir);
    assert_int_equal(report_monthly(&b->d, 2026, 10, "", path, NULL, NULL, &e), 0);
    FILE *f = fopen(path, "rb");
    char magic[2] = {0};
    assert_non_null(f);
    assert_int_equal(fread(magic, 1, 2, f), 2);
    fclose(f);
    assert_memory_equal(magic, "PK", 2); /* a zip container: .xlsx */
    unlink(path);
    assert_int_not_equal(report_monthly(&b->d, 2026, 10, "999999999999", path, NULL, NULL, &e), 0);
    assert_string_equal(e.field, "division");

    /* the scheduler: before the first working day nothing; from it on, last month once */
    json_t *list = NULL;
    int64_t sunday = ms_of_day(day_from_ymd(2026, 11, 1)) + 10 * 3600000LL; /* 1 Nov 2026 */
    int64_t monday = ms_of_day(day_from_ymd(2026, 11, 2)) + 10 * 3600000LL;
    assert_int_equal(report_scheduler_check(&b->d, sunday), 0);
    assert_int_equal(report_scheduler_check(&b->d, monday), 1);
    assert_int_equal(report_scheduler_check(&b->d, monday + 3600000), 0);
    assert_int_equal(report_list(&b->d, &list), 0);
    assert_int_equal(json_array_size(list), 2); /* the whole area and the demo's one county */
    int whole = 0, county = 0;
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *it = json_array_get(list, i);
        assert_string_equal(json_string_value(json_object_get(it, "month")), "2026-10");
        if (json_is_null(json_object_get(it, "division")))
            whole++;
        else
            county +=
                division_level(json_string_value(json_object_get(it, "division"))) == LEVEL_COUNTY;
        snprintf(path, sizeof path, "%s/reports/%s", b->dir,
                 json_string_value(json_object_get(it, "file")));
        unlink(path);
    }
    assert_int_equal(whole, 1);
    assert_int_equal(county, 1);
    json_decref(list);
    snprintf(path, sizeof path, "%s/reports", b->dir);
    rmdir(path);
}

static void test_month_parse(void **state)
{
    (void)state;
    int y, m;
    assert_int_equal(report_month_parse("2026-10", &y, &m), 0);
    assert_int_equal(y * 100 + m, 202610);
    assert_int_not_equal(report_month_parse("2026-13", &y, &m), 0);
    assert_int_not_equal(report_month_parse("2026-1", &y, &m), 0);
    assert_int_not_equal(report_month_parse("2026-10x", &y, &m), 0);
    assert_int_not_equal(report_month_parse(NULL, &y, &m), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_grouping),
        cmocka_unit_test(test_filters_and_partial_months),
        cmocka_unit_test(test_two_dimensions),
        cmocka_unit_test(test_group_batching),
        cmocka_unit_test(test_group_new_cases),
        cmocka_unit_test(test_group_rolled_back_whole),
        cmocka_unit_test(test_deferred_intakes_survive_a_crash),
        cmocka_unit_test(test_rates_and_formulas),
        cmocka_unit_test(test_ranking),
        cmocka_unit_test(test_rebuild_matches_incremental),
        cmocka_unit_test(test_report_xlsx),
        cmocka_unit_test(test_month_parse),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
