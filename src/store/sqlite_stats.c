/* Statistics aggregates in SQLite (contract in store/store_stats.h).
 *
 * Every write of a case row (store_tx_case_insert / _update, and a 'repeat' or 'duplicate' link)
 * calls sq_stats_case_written in the same transaction. It asks the installed fact function what the
 * case contributes now, compares that with the snapshot kept in stats_case, and when they differ
 * turns the difference into deltas on stats_day (full grain) and stats_roll (monthly roll-ups):
 * a case moving from "handling" to "closed on time" touches a handful of rows, and a note or an
 * urge touches none. The deltas of one write are merged by key before they are applied, so a case
 * whose key did not change costs one upsert per affected row, not two.
 *
 * A query sums stats_roll for the whole months of its range when its filters and grouping fit a
 * roll-up (the division plus at most one other dimension), and stats_day for the rest. */
#include "store/sqlite_int.h"
#include "store/store_stats.h"
#include "util/clock.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COL_(id, col) #col ", "
#define STATS_COLS_ STAT_COUNTERS(COL_)
#undef COL_

static const char *const counter_names[] = {
#define NAME_(id, col) #col,
    STAT_COUNTERS(NAME_)
#undef NAME_
};

const char *stat_counter_name(int i)
{
    return i >= 0 && i < STAT__COUNT ? counter_names[i] : "";
}

/* ---- the installed fact function ---- */

static store_stat_fn stat_fn;
static void *stat_arg;

void store_stats_install(store_stat_fn fn, void *arg)
{
    stat_fn = fn;
    stat_arg = arg;
}

/* ---- SQL text, built once ---- */

enum { DIM_CATEGORY = 1, DIM_CHANNEL, DIM_GRADE, DIM_DEPARTMENT };
enum { GRAIN_MONTH, GRAIN_DAY };
/* division levels (significant digits) of the roll-ups, per grain: a village's days are few
 * enough to read from stats_day through its (division, day) index */
static const int roll_levels[2][3] = {{6, 9, 12}, {6, 9, 0}};
#define NLEVELS 3

#define SQL_MAX 4096
#define SQL_PART 1024 /* one list of the counters (the longest, "c = c + excluded.c, ...", ~700)   \
                       */
static struct {
    char snap_get[SQL_MAX], snap_put[SQL_MAX], day_add[SQL_MAX], roll_add[SQL_MAX];
    char day_del[SQL_MAX], roll_del[SQL_MAX];
    char sum_cols[SQL_PART]; /* "sum(intake), sum(closed), ..." */
    char cols[SQL_PART];     /* "intake, closed, ..." */
} sql;
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

static void sql_build(void)
{
    char cols[SQL_PART] = "", qs[SQL_PART] = "", upd[SQL_PART] = "", sums[SQL_PART] = "";
    size_t nc = 0, nq = 0, nu = 0, ns = 0;
    for (int i = 0; i < STAT__COUNT; i++) {
        const char *c = counter_names[i], *sep = i ? ", " : "";
        nc += (size_t)snprintf(cols + nc, sizeof cols - nc, "%s%s", sep, c);
        nq += (size_t)snprintf(qs + nq, sizeof qs - nq, "%s?", sep);
        nu += (size_t)snprintf(upd + nu, sizeof upd - nu, "%s%s = %s + excluded.%s", sep, c, c, c);
        ns += (size_t)snprintf(sums + ns, sizeof sums - ns, "%ssum(%s)", sep, c);
    }
    snprintf(sql.cols, sizeof sql.cols, "%s", cols);
    snprintf(sql.sum_cols, sizeof sql.sum_cols, "%s", sums);
    snprintf(sql.snap_get, sizeof sql.snap_get,
             "SELECT department, day, division, category, channel, grade, %s FROM stats_case "
             "WHERE case_id = ?1 ORDER BY department",
             cols);
    snprintf(sql.snap_put, sizeof sql.snap_put,
             "INSERT INTO stats_case(case_id, department, day, division, category, channel, grade, "
             "%s) VALUES (?, ?, ?, ?, ?, ?, ?, %s)",
             cols, qs);
    snprintf(sql.day_add, sizeof sql.day_add,
             "INSERT INTO stats_day(day, division, category, channel, grade, department, %s) "
             "VALUES (?, ?, ?, ?, ?, ?, %s) ON CONFLICT (day, division, category, channel, grade, "
             "department) DO UPDATE SET %s",
             cols, qs, upd);
    snprintf(sql.day_del, sizeof sql.day_del,
             "DELETE FROM stats_day WHERE day = ? AND division = ? AND category = ? AND "
             "channel = ? AND grade = ? AND department = ? AND intake = 0 AND assigned = 0");
    snprintf(sql.roll_del, sizeof sql.roll_del,
             "DELETE FROM stats_roll WHERE dim = ? AND level = ? AND grain = ? AND division = ? "
             "AND t = ? AND x = ? AND intake = 0 AND assigned = 0");
    snprintf(sql.roll_add, sizeof sql.roll_add,
             "INSERT INTO stats_roll(dim, level, grain, division, t, x, %s) "
             "VALUES (?, ?, ?, ?, ?, ?, %s) "
             "ON CONFLICT (dim, level, grain, division, t, x) DO UPDATE SET %s",
             cols, qs, upd);
}

/* ---- deltas ---- */

/* The key of one aggregate row (zero-filled, compared with memcmp). */
struct agg_key {
    int table; /* 0 stats_day, 1 stats_roll */
    int dim, level, grain;
    int64_t day; /* day number (stats_day, roll grain day) or month index y*12+m-1 */
    char division[FQ_DIVISION_LEN + 1];
    char category[16];
    int channel, grade;
    int64_t department;
    char x[24];
};

struct delta {
    struct agg_key k;
    int64_t v[STAT__COUNT];
};

#define MAX_DELTAS (2 * (STAT_FACT_ROWS * (1 + 2 * NLEVELS) + 3 * 2 * NLEVELS))

struct deltas {
    struct delta d[MAX_DELTAS];
    int n;
};

static void delta_add(struct deltas *ds, const struct agg_key *k, const int64_t *v, int sign)
{
    struct delta *d = NULL;
    for (int i = 0; i < ds->n; i++)
        if (!memcmp(&ds->d[i].k, k, sizeof *k)) {
            d = &ds->d[i];
            break;
        }
    if (!d) {
        if (ds->n == MAX_DELTAS) /* cannot happen: sized for two full facts */
            return;
        d = &ds->d[ds->n++];
        memset(d, 0, sizeof *d);
        d->k = *k;
    }
    for (int i = 0; i < STAT__COUNT; i++)
        d->v[i] += sign * v[i];
}

static int64_t month_of_day(int64_t day)
{
    int y, m, dd;
    ymd_from_day(day, &y, &m, &dd);
    return (int64_t)y * 12 + m - 1;
}

/* Adds (sign +1) or removes (-1) a whole fact. */
static void fact_deltas(struct deltas *ds, const struct stat_fact *f, int sign)
{
    struct agg_key k;
    int64_t sum[STAT__COUNT] = {0};
    int64_t month = month_of_day(f->day);
    for (int r = 0; r < f->n; r++) {
        memset(&k, 0, sizeof k);
        k.table = 0;
        k.day = f->day;
        memcpy(k.division, f->division, sizeof k.division);
        memcpy(k.category, f->category, sizeof k.category);
        k.channel = f->channel;
        k.grade = f->grade;
        k.department = f->rows[r].department;
        delta_add(ds, &k, f->rows[r].v, sign);
        for (int i = 0; i < STAT__COUNT; i++)
            sum[i] += f->rows[r].v[i];
        for (int g = GRAIN_MONTH; g <= GRAIN_DAY; g++)
            for (int l = 0; l < NLEVELS && roll_levels[g][l]; l++) {
                memset(&k, 0, sizeof k);
                k.table = 1;
                k.dim = DIM_DEPARTMENT;
                k.level = roll_levels[g][l];
                k.grain = g;
                k.day = g == GRAIN_MONTH ? month : f->day;
                memcpy(k.division, f->division, (size_t)k.level);
                snprintf(k.x, sizeof k.x, "%lld", (long long)f->rows[r].department);
                delta_add(ds, &k, f->rows[r].v, sign);
            }
    }
    if (f->n == 0)
        return;
    for (int dim = DIM_CATEGORY; dim <= DIM_GRADE; dim++)
        for (int g = GRAIN_MONTH; g <= GRAIN_DAY; g++)
            for (int l = 0; l < NLEVELS && roll_levels[g][l]; l++) {
                memset(&k, 0, sizeof k);
                k.table = 1;
                k.dim = dim;
                k.level = roll_levels[g][l];
                k.grain = g;
                k.day = g == GRAIN_MONTH ? month : f->day;
                memcpy(k.division, f->division, (size_t)k.level);
                if (dim == DIM_CATEGORY)
                    memcpy(k.x, f->category, sizeof f->category);
                else
                    snprintf(k.x, sizeof k.x, "%d", dim == DIM_CHANNEL ? f->channel : f->grade);
                delta_add(ds, &k, sum, sign);
            }
}

static int is_zero(const int64_t *v)
{
    for (int i = 0; i < STAT__COUNT; i++)
        if (v[i])
            return 0;
    return 1;
}

static int apply_delta(struct sq_conn *conn, const struct delta *d)
{
    sqlite3_stmt *st = sq_stmt_dyn(conn, d->k.table ? sql.roll_add : sql.day_add);
    if (!st)
        return FQ_EIO;
    int i = 1;
    if (d->k.table == 0) {
        sqlite3_bind_int64(st, i++, d->k.day);
        sqlite3_bind_text(st, i++, d->k.division, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, i++, d->k.category, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, i++, d->k.channel);
        sqlite3_bind_int(st, i++, d->k.grade);
        sqlite3_bind_int64(st, i++, d->k.department);
    } else {
        sqlite3_bind_int(st, i++, d->k.dim);
        sqlite3_bind_int(st, i++, d->k.level);
        sqlite3_bind_int(st, i++, d->k.grain);
        sqlite3_bind_text(st, i++, d->k.division, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, i++, d->k.day);
        sqlite3_bind_text(st, i++, d->k.x, -1, SQLITE_TRANSIENT);
    }
    for (int c = 0; c < STAT__COUNT; c++)
        sqlite3_bind_int64(st, i++, d->v[c]);
    int rc = sq_exec_stmt(conn, st, "stats delta");
    if (rc || (d->v[STAT_INTAKE] >= 0 && d->v[STAT_ASSIGNED] >= 0))
        return rc;
    /* a row left with neither cases nor assignments holds only zeros: drop it (every counter
     * implies one of those two in the same row) */
    if (!(st = sq_stmt_dyn(conn, d->k.table ? sql.roll_del : sql.day_del)))
        return FQ_EIO;
    i = 1;
    if (d->k.table == 0) {
        sqlite3_bind_int64(st, i++, d->k.day);
        sqlite3_bind_text(st, i++, d->k.division, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, i++, d->k.category, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, i++, d->k.channel);
        sqlite3_bind_int(st, i++, d->k.grade);
        sqlite3_bind_int64(st, i++, d->k.department);
    } else {
        sqlite3_bind_int(st, i++, d->k.dim);
        sqlite3_bind_int(st, i++, d->k.level);
        sqlite3_bind_int(st, i++, d->k.grain);
        sqlite3_bind_text(st, i++, d->k.division, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, i++, d->k.day);
        sqlite3_bind_text(st, i++, d->k.x, -1, SQLITE_TRANSIENT);
    }
    return sq_exec_stmt(conn, st, "stats delete empty");
}

/* ---- snapshots ---- */

static int snapshot_get(struct sq_conn *conn, int64_t case_id, struct stat_fact *f)
{
    memset(f, 0, sizeof *f);
    sqlite3_stmt *st = sq_stmt_dyn(conn, sql.snap_get);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, case_id);
    int rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (f->n == STAT_FACT_ROWS)
            continue;
        f->rows[f->n].department = sqlite3_column_int64(st, 0);
        f->day = sqlite3_column_int64(st, 1);
        sq_col_copy(st, 2, f->division, sizeof f->division);
        sq_col_copy(st, 3, f->category, sizeof f->category);
        f->channel = sqlite3_column_int(st, 4);
        f->grade = sqlite3_column_int(st, 5);
        for (int i = 0; i < STAT__COUNT; i++)
            f->rows[f->n].v[i] = sqlite3_column_int64(st, 6 + i);
        f->n++;
    }
    if (rc != SQLITE_DONE)
        ret = sq_error(conn, rc, "stats snapshot");
    sqlite3_reset(st);
    return ret;
}

static int snapshot_put(struct sq_conn *conn, int64_t case_id, const struct stat_fact *f)
{
    sqlite3_stmt *st = sq_stmt_dyn(conn, "DELETE FROM stats_case WHERE case_id = ?1");
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, case_id);
    int rc = sq_exec_stmt(conn, st, "stats snapshot delete");
    for (int r = 0; rc == 0 && r < f->n; r++) {
        if (!(st = sq_stmt_dyn(conn, sql.snap_put)))
            return FQ_EIO;
        int i = 1;
        sqlite3_bind_int64(st, i++, case_id);
        sqlite3_bind_int64(st, i++, f->rows[r].department);
        sqlite3_bind_int64(st, i++, f->day);
        sqlite3_bind_text(st, i++, f->division, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, i++, f->category, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, i++, f->channel);
        sqlite3_bind_int(st, i++, f->grade);
        for (int c = 0; c < STAT__COUNT; c++)
            sqlite3_bind_int64(st, i++, f->rows[r].v[c]);
        rc = sq_exec_stmt(conn, st, "stats snapshot insert");
    }
    return rc;
}

/* Facts in canonical order (by department, rows with equal departments merged). */
static void fact_normalise(struct stat_fact *f)
{
    for (int i = 1; i < f->n; i++) /* insertion sort: n is tiny */
        for (int j = i; j > 0 && f->rows[j - 1].department > f->rows[j].department; j--) {
            __typeof__(f->rows[0]) t = f->rows[j];
            f->rows[j] = f->rows[j - 1];
            f->rows[j - 1] = t;
        }
    int k = 0;
    for (int i = 0; i < f->n; i++) {
        if (k && f->rows[k - 1].department == f->rows[i].department) {
            for (int c = 0; c < STAT__COUNT; c++)
                f->rows[k - 1].v[c] += f->rows[i].v[c];
        } else {
            f->rows[k++] = f->rows[i];
        }
    }
    f->n = k;
}

static int fact_equal(const struct stat_fact *a, const struct stat_fact *b)
{
    if (a->n != b->n)
        return 0;
    if (a->n == 0)
        return 1;
    if (a->day != b->day || strcmp(a->division, b->division) || strcmp(a->category, b->category) ||
        a->channel != b->channel || a->grade != b->grade)
        return 0;
    for (int r = 0; r < a->n; r++)
        if (a->rows[r].department != b->rows[r].department ||
            memcmp(a->rows[r].v, b->rows[r].v, sizeof a->rows[r].v))
            return 0;
    return 1;
}

static unsigned links_of(struct sq_conn *conn, int64_t case_id)
{
    sqlite3_stmt *st = sq_stmt_dyn(conn, "SELECT kind FROM case_links WHERE a = ?1");
    unsigned links = 0;
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, case_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        if (k && !strcmp(k, "repeat"))
            links |= STAT_LINK_REPEAT;
        else if (k && !strcmp(k, "duplicate"))
            links |= STAT_LINK_MERGED;
    }
    sqlite3_reset(st);
    return links;
}

int sq_stats_case_written(struct store_tx *tx, const struct fq_case *c)
{
    if (!stat_fn || !tx || !c || !c->id)
        return 0;
    pthread_once(&sql_once, sql_build);
    struct sq_conn *conn = tx->conn;
    struct fq_assignment *as = NULL;
    struct stat_fact *nf = NULL, *of = NULL;
    struct deltas *ds = NULL;
    int nas = 0, rc;
    nf = malloc(sizeof *nf);
    of = malloc(sizeof *of);
    ds = malloc(sizeof *ds);
    if (!nf || !of || !ds) {
        rc = FQ_ENOMEM;
        goto done;
    }
    if ((rc = store_tx_assignments(tx, c->id, &as, &nas)))
        goto done;
    memset(nf, 0, sizeof *nf);
    stat_fn(c, as, nas, links_of(conn, c->id), nf, stat_arg);
    if (nf->n > STAT_FACT_ROWS)
        nf->n = STAT_FACT_ROWS;
    fact_normalise(nf);
    if ((rc = snapshot_get(conn, c->id, of)))
        goto done;
    if (fact_equal(nf, of))
        goto done;
    ds->n = 0;
    fact_deltas(ds, of, -1);
    fact_deltas(ds, nf, +1);
    for (int i = 0; rc == 0 && i < ds->n; i++)
        if (!is_zero(ds->d[i].v))
            rc = apply_delta(conn, &ds->d[i]);
    if (rc == 0)
        rc = snapshot_put(conn, c->id, nf);
done:
    free(as);
    free(nf);
    free(of);
    free(ds);
    return rc;
}

int sq_stats_case_refresh(struct store_tx *tx, int64_t case_id)
{
    if (!stat_fn)
        return 0;
    struct fq_case c;
    int rc = store_tx_case_get_id(tx, case_id, &c);
    if (rc)
        return rc == FQ_ENOTFOUND ? 0 : rc;
    rc = sq_stats_case_written(tx, &c);
    fq_case_clear(&c);
    return rc;
}

/* ---- rebuild ---- */

struct rebuild {
    void (*progress)(long done, long total, void *arg);
    void *arg;
};

static int rebuild_tx(struct store_tx *tx, void *arg)
{
    struct rebuild *rb = arg;
    struct sq_conn *conn = tx->conn;
    static const char *const wipe[] = {"DELETE FROM stats_case", "DELETE FROM stats_day",
                                       "DELETE FROM stats_roll",
                                       "DELETE FROM settings WHERE key = 'stats.rebuild'"};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof wipe / sizeof wipe[0]; i++) {
        sqlite3_stmt *st = sq_stmt_dyn(conn, wipe[i]);
        rc = st ? sq_exec_stmt(conn, st, "stats wipe") : FQ_EIO;
    }
    long total = 0, done = 0;
    sqlite3_stmt *st = sq_stmt_dyn(conn, "SELECT count(*) FROM cases");
    if (rc == 0 && st && sqlite3_step(st) == SQLITE_ROW)
        total = (long)sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    int64_t last = 0, ids[1000];
    while (rc == 0) {
        int n = 0;
        if (!(st = sq_stmt_dyn(conn, "SELECT id FROM cases WHERE id > ?1 ORDER BY id LIMIT 1000")))
            return FQ_EIO;
        sqlite3_bind_int64(st, 1, last);
        while (n < 1000 && sqlite3_step(st) == SQLITE_ROW)
            ids[n++] = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (n == 0)
            break;
        for (int i = 0; rc == 0 && i < n; i++)
            rc = sq_stats_case_refresh(tx, ids[i]);
        last = ids[n - 1];
        done += n;
        if (rb->progress)
            rb->progress(done, total, rb->arg);
        if (rc == 0 && tx->bulk)
            rc = store_tx_checkpoint(tx);
    }
    return rc;
}

int store_stats_rebuild(struct store *s, void (*progress)(long done, long total, void *arg),
                        void *arg)
{
    if (!stat_fn)
        return FQ_EINVAL;
    pthread_once(&sql_once, sql_build);
    struct rebuild rb = {progress, arg};
    return store_write_bulk(s, rebuild_tx, &rb);
}

/* ---- queries ---- */

/* Where rows come from: the full-grain table (or the snapshots), month roll-ups, day roll-ups. */
enum source { SRC_DAY, SRC_MONTH, SRC_DROLL };

/* The group key of q as SQL over a source. */
static void key_expr(const struct store_stats_query *q, int src, char *out, size_t n)
{
    const char *col = NULL, *t = src == SRC_DAY ? "day" : "t";
    switch (q->group) {
    case SG_DIVISION:
        snprintf(out, n, "substr(division, 1, %d)", q->division_digits);
        return;
    case SG_DEPARTMENT:
        col = "department";
        break;
    case SG_CHANNEL:
        col = "channel";
        break;
    case SG_GRADE:
        col = "grade";
        break;
    case SG_CATEGORY:
        snprintf(out, n, "%s", src == SRC_DAY ? "category" : "x");
        return;
    case SG_CATEGORY1:
        snprintf(out, n,
                 "coalesce((SELECT nullif(parent, '') FROM categories WHERE code = %s), %s)",
                 src == SRC_DAY ? "category" : "x", src == SRC_DAY ? "category" : "x");
        return;
    case SG_DAY:
        snprintf(out, n, "printf('%%d', %s)", t);
        return;
    case SG_WEEK: /* the Monday of the week (day 4 = 1970-01-05 was a Monday) */
        snprintf(out, n, "printf('%%d', %s - ((%s + 3) %% 7))", t, t);
        return;
    case SG_MONTH:
        if (src == SRC_MONTH)
            snprintf(out, n, "printf('%%04d-%%02d', t / 12, t %% 12 + 1)");
        else
            snprintf(out, n, "strftime('%%Y-%%m', %s * 86400, 'unixepoch')", t);
        return;
    case SG_QUARTER:
        if (src == SRC_MONTH)
            snprintf(out, n, "printf('%%04d-Q%%d', t / 12, t %% 12 / 3 + 1)");
        else
            snprintf(out, n,
                     "strftime('%%Y', %s * 86400, 'unixepoch') || '-Q' || "
                     "((CAST(strftime('%%m', %s * 86400, 'unixepoch') AS INTEGER) + 2) / 3)",
                     t, t);
        return;
    case SG_YEAR:
        if (src == SRC_MONTH)
            snprintf(out, n, "printf('%%04d', t / 12)");
        else
            snprintf(out, n, "strftime('%%Y', %s * 86400, 'unixepoch')", t);
        return;
    default:
        snprintf(out, n, "''");
        return;
    }
    if (src == SRC_DAY)
        snprintf(out, n, "CAST(%s AS TEXT)", col);
    else
        snprintf(out, n, "x");
}

/* The roll-up divisions of the subtree [?3, ?4) at level ?13: each division code cut to the
 * level's digits. A list of equalities, so that the primary key's (division, t) serves the time
 * range too (a range on division would leave t unindexed). Every case's division is a row of
 * divisions (checked at intake). */
#define IN_DIVISIONS                                                                               \
    "(SELECT DISTINCT substr(code, 1, ?13) FROM divisions WHERE code >= ?3 AND code < ?4)"

/* Which roll-up dimension answers q, or 0 when only stats_day can. */
static int roll_dim(const struct store_stats_query *q)
{
    int want = 0, n = 0;
    if (q->category[0] || q->group == SG_CATEGORY || q->group == SG_CATEGORY1) {
        want = DIM_CATEGORY;
        n++;
    }
    if (q->channel >= 0 || q->group == SG_CHANNEL) {
        want = DIM_CHANNEL;
        n++;
    }
    if (q->grade >= 0 || q->group == SG_GRADE) {
        want = DIM_GRADE;
        n++;
    }
    if (q->department || q->group == SG_DEPARTMENT) {
        want = DIM_DEPARTMENT;
        n++;
    }
    if (n > 1)
        return 0;
    return n ? want : DIM_GRADE; /* the smallest roll-up when only division and time matter */
}

/* The filter of the one dimension a roll-up carries in x. */
static const char *x_filter(const struct store_stats_query *q, int dim)
{
    if (dim == DIM_CATEGORY && q->category[0])
        return " AND x >= ?5 AND x < ?6";
    if (dim == DIM_CHANNEL && q->channel >= 0)
        return " AND x = CAST(?7 AS TEXT)";
    if (dim == DIM_GRADE && q->grade >= 0)
        return " AND x = CAST(?8 AS TEXT)";
    if (dim == DIM_DEPARTMENT && q->department)
        return " AND x = CAST(?9 AS TEXT)";
    return "";
}

static int sum_query(struct store_rd *rd, const struct store_stats_query *q, int snapshots,
                     store_stats_row_fn fn, void *arg)
{
    if (!rd || !q || !fn || q->group < 0 || q->group >= SG__COUNT)
        return FQ_EINVAL;
    if (q->group == SG_DIVISION && q->division_digits != 4 && q->division_digits != 6 &&
        q->division_digits != 9 && q->division_digits != 12)
        return FQ_EINVAL;
    pthread_once(&sql_once, sql_build);
    char lo[FQ_DIVISION_LEN + 1], hi[FQ_DIVISION_LEN + 2], key[320];
    char sqlbuf[8192];
    sq_division_range(q->division, lo, hi);

    /* plan: whole months from the month roll-ups, the other days from the day roll-ups (or,
     * below township level or with several filtered dimensions, from stats_day) */
    int dim = snapshots ? 0 : roll_dim(q);
    int level = 0, use_months = 0;
    int64_t m_lo = 0, m_hi = 0, mid_lo = q->to_day, mid_hi = q->to_day;
    if (dim) {
        int need = (int)strlen(lo);
        if (q->group == SG_DIVISION && q->division_digits > need)
            need = q->division_digits;
        level = need <= 6 ? 6 : need <= 9 ? 9 : 12;
        if (q->group != SG_DAY && q->group != SG_WEEK) {
            int y, m, d;
            ymd_from_day(q->from_day, &y, &m, &d);
            m_lo = (int64_t)y * 12 + m - 1 + (d > 1);
            ymd_from_day(q->to_day, &y, &m, &d);
            m_hi = (int64_t)y * 12 + m - 1; /* exclusive */
            if (m_hi > m_lo) {
                use_months = 1;
                mid_lo = day_from_ymd((int)(m_lo / 12), (int)(m_lo % 12) + 1, 1);
                mid_hi = day_from_ymd((int)(m_hi / 12), (int)(m_hi % 12) + 1, 1);
            }
        }
    }
    int edge_roll = dim && level <= 9;

    /* ?1 from ?2 to ?3 lo ?4 hi ?5 category ?6 category~ ?7 channel ?8 grade ?9 department
     * ?10 mid_lo ?11 mid_hi ?12 dim ?13 level ?14 m_lo ?15 m_hi */
    size_t n = (size_t)snprintf(sqlbuf, sizeof sqlbuf, "SELECT k, %s FROM (", sql.sum_cols);
    /* the days outside the whole months: [from, mid_lo) and [mid_hi, to), two index ranges */
    for (int part = 0; part < 2; part++) {
        const char *range = part == 0 ? "%s >= ?1 AND %s < ?10" : "%s >= ?11 AND %s < ?2";
        char r[64];
        if (part == 1 && !use_months)
            break;
        snprintf(r, sizeof r, range, edge_roll ? "t" : "day", edge_roll ? "t" : "day");
        if (part)
            n += (size_t)snprintf(sqlbuf + n, sizeof sqlbuf - n, " UNION ALL ");
        if (edge_roll) {
            key_expr(q, SRC_DROLL, key, sizeof key);
            n += (size_t)snprintf(sqlbuf + n, sizeof sqlbuf - n,
                                  "SELECT %s AS k, %s FROM stats_roll WHERE dim = ?12 AND "
                                  "level = ?13 AND grain = 1 AND division IN " IN_DIVISIONS
                                  " AND %s%s",
                                  key, sql.cols, r, x_filter(q, dim));
            continue;
        }
        key_expr(q, SRC_DAY, key, sizeof key);
        n += (size_t)snprintf(sqlbuf + n, sizeof sqlbuf - n,
                              "SELECT %s AS k, %s FROM %s WHERE %s AND %s", key, sql.cols,
                              snapshots         ? "stats_case"
                              : strlen(lo) >= 6 ? "stats_day INDEXED BY stats_day_division"
                                                : "stats_day",
                              r,
                              snapshots || strlen(lo) < 6
                                  ? "division >= ?3 AND division < ?4" /* by the day range */
                                  : "division IN (SELECT code FROM divisions WHERE "
                                    "code >= ?3 AND code < ?4)");
        if (q->category[0])
            n += (size_t)snprintf(sqlbuf + n, sizeof sqlbuf - n,
                                  " AND category >= ?5 AND category < ?6");
        if (q->channel >= 0)
            n += (size_t)snprintf(sqlbuf + n, sizeof sqlbuf - n, " AND channel = ?7");
        if (q->grade >= 0)
            n += (size_t)snprintf(sqlbuf + n, sizeof sqlbuf - n, " AND grade = ?8");
        if (q->department)
            n += (size_t)snprintf(sqlbuf + n, sizeof sqlbuf - n, " AND department = ?9");
    }
    if (use_months) {
        key_expr(q, SRC_MONTH, key, sizeof key);
        n += (size_t)snprintf(sqlbuf + n, sizeof sqlbuf - n,
                              " UNION ALL SELECT %s AS k, %s FROM stats_roll WHERE dim = ?12 AND "
                              "level = ?13 AND grain = 0 AND division IN " IN_DIVISIONS " AND "
                              "t >= ?14 AND t < ?15%s",
                              key, sql.cols, x_filter(q, dim));
    }
    n += (size_t)snprintf(sqlbuf + n, sizeof sqlbuf - n, ") GROUP BY k ORDER BY k");
    if (n >= sizeof sqlbuf)
        return FQ_ETOOBIG;

    sqlite3_stmt *st = sq_stmt_dyn(&rd->conn, sqlbuf);
    if (!st)
        return FQ_EIO;
    char cat_hi[20];
    snprintf(cat_hi, sizeof cat_hi, "%s~", q->category);
    sqlite3_bind_int64(st, 1, q->from_day);
    sqlite3_bind_int64(st, 2, q->to_day);
    sqlite3_bind_text(st, 3, lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, hi, -1, SQLITE_TRANSIENT);
    if (q->category[0]) {
        sqlite3_bind_text(st, 5, q->category, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, cat_hi, -1, SQLITE_TRANSIENT);
    }
    if (q->channel >= 0)
        sqlite3_bind_int(st, 7, q->channel);
    if (q->grade >= 0)
        sqlite3_bind_int(st, 8, q->grade);
    if (q->department)
        sqlite3_bind_int64(st, 9, q->department);
    sqlite3_bind_int64(st, 10, use_months ? mid_lo : q->to_day);
    sqlite3_bind_int64(st, 11, use_months ? mid_hi : q->to_day);
    if (dim) {
        sqlite3_bind_int(st, 12, dim);
        sqlite3_bind_int(st, 13, level);
        sqlite3_bind_int64(st, 14, m_lo);
        sqlite3_bind_int64(st, 15, m_hi);
    }
    int rc, ret = 0;
    int64_t v[STAT__COUNT];
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char k[40];
        sq_col_copy(st, 0, k, sizeof k);
        if (q->group == SG_DIVISION) { /* pad the prefix back to a 12-digit code */
            size_t kl = strlen(k);
            while (kl < FQ_DIVISION_LEN)
                k[kl++] = '0';
            k[kl] = 0;
        }
        for (int i = 0; i < STAT__COUNT; i++)
            v[i] = sqlite3_column_int64(st, 1 + i);
        if (fn(k, v, arg))
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        ret = sq_error(&rd->conn, rc, "stats sum");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return ret;
}

int store_stats_sum(struct store_rd *rd, const struct store_stats_query *q, store_stats_row_fn fn,
                    void *arg)
{
    return sum_query(rd, q, 0, fn, arg);
}

int store_stats_sum_snapshots(struct store_rd *rd, const struct store_stats_query *q,
                              store_stats_row_fn fn, void *arg)
{
    return sum_query(rd, q, 1, fn, arg);
}

/* ---- report lists ---- */

int store_stats_cases(struct store_rd *rd, int which, int64_t from_ms, int64_t to_ms,
                      const char *division, int max,
                      int (*fn)(const struct store_report_case *c, void *arg), void *arg)
{
    if (!rd || !fn)
        return FQ_EINVAL;
    char lo[FQ_DIVISION_LEN + 1], hi[FQ_DIVISION_LEN + 2];
    sq_division_range(division, lo, hi);
    const char *sql_text =
        which == STORE_LIST_OVERDUE
            ? "SELECT c.code, c.title, c.division, c.category, '', c.lead_department, c.status, "
              "c.light, c.supervised, c.urge_count, c.returns, c.created_at, c.due_at, "
              "c.resolved_at, c.closed_at FROM cases c WHERE c.created_at >= ?1 AND "
              "c.created_at < ?2 AND c.division >= ?3 AND c.division < ?4 AND c.light = 2 "
              "AND NOT EXISTS (SELECT 1 FROM case_links l WHERE l.a = c.id AND "
              "l.kind = 'duplicate') ORDER BY c.created_at, c.id LIMIT ?5"
            : "SELECT c.code, c.title, c.division, c.category, coalesce((SELECT o.code FROM "
              "cases o WHERE o.id = c.repeat_of), (SELECT o.code FROM case_links l JOIN cases o "
              "ON o.id = l.b WHERE l.a = c.id AND l.kind = 'repeat' LIMIT 1), ''), "
              "c.lead_department, c.status, c.light, c.supervised, c.urge_count, c.returns, "
              "c.created_at, c.due_at, c.resolved_at, c.closed_at FROM cases c WHERE "
              "c.created_at >= ?1 AND c.created_at < ?2 AND c.division >= ?3 AND "
              "c.division < ?4 AND (c.repeat_of <> 0 OR EXISTS (SELECT 1 FROM case_links l "
              "WHERE l.a = c.id AND l.kind = 'repeat')) ORDER BY c.created_at, c.id LIMIT ?5";
    sqlite3_stmt *st = sq_stmt_dyn(&rd->conn, sql_text);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, from_ms);
    sqlite3_bind_int64(st, 2, to_ms);
    sqlite3_bind_text(st, 3, lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, hi, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 5, max);
    int rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_report_case c;
#define TXT_(i) (sqlite3_column_text(st, i) ? (const char *)sqlite3_column_text(st, i) : "")
        c.code = TXT_(0);
        c.title = TXT_(1);
        c.division = TXT_(2);
        c.category = TXT_(3);
        c.repeat_of_code = TXT_(4);
#undef TXT_
        c.lead_department = sqlite3_column_int64(st, 5);
        c.status = sqlite3_column_int(st, 6);
        c.light = sqlite3_column_int(st, 7);
        c.supervised = sqlite3_column_int(st, 8);
        c.urge_count = sqlite3_column_int(st, 9);
        c.returns = sqlite3_column_int(st, 10);
        c.created_at = sqlite3_column_int64(st, 11);
        c.due_at = sqlite3_column_int64(st, 12);
        c.resolved_at = sqlite3_column_int64(st, 13);
        c.closed_at = sqlite3_column_int64(st, 14);
        if (fn(&c, arg))
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        ret = sq_error(&rd->conn, rc, "report cases");
    sqlite3_reset(st);
    return ret;
}

int store_has_table(struct store_rd *rd, const char *name)
{
    if (!rd || !name)
        return 0;
    sqlite3_stmt *st =
        sq_stmt_dyn(&rd->conn, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found;
}
