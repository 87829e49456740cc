/* Statistics aggregates in SQLite (contract in store/store_stats.h).
 *
 * Every write of a case row (store_tx_case_insert / _update, and a 'repeat' or 'duplicate' link)
 * calls sq_stats_case_written in the same transaction. It asks the installed fact function what the
 * case contributes now, compares that with the snapshot kept in stats_case, and when they differ
 * turns the difference into deltas on stats_day (full grain) and the kept roll-ups of stats_roll:
 * a case moving from "handling" to "closed on time" touches a couple of dozen rows, and a note or
 * an urge touches none. Inside a writer group the deltas are journalled in memory and merged by
 * row before COMMIT (sq_stats_flush), so rows shared by the group's cases are written once. Under
 * load, the intakes of new cases wait in memory for a later group and are merged across groups
 * ("intakes deferred across groups" below).
 *
 * A query sums the smallest kept roll-up that carries its dimensions (month rows for the whole
 * months of its range, day rows or stats_day for the rest), and stats_day otherwise. */
#include "store/sqlite_int.h"
#include "store/store_stats.h"
#include "util/clock.h"
#include "util/log.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Roll-up dimensions (stats_roll.dim): one of category, channel, grade, department, or a pair of
 * them (x holds both values joined by '|', in this order: category first, so that a category
 * filter stays a range on x). */
enum {
    DIM_CATEGORY = 1,
    DIM_CHANNEL,
    DIM_GRADE,
    DIM_DEPARTMENT,
    DIM_CAT_CHANNEL,
    DIM_CAT_GRADE,
    DIM_CAT_DEPARTMENT,
    DIM_CHANNEL_GRADE,
    DIM_CHANNEL_DEPARTMENT,
    DIM_GRADE_DEPARTMENT,
    DIM_NONE, /* no dimension (x = ""): the division and time alone */
    DIM__END
};
enum { B_CAT = 1, B_CHANNEL = 2, B_GRADE = 4, B_DEPT = 8 };
/* the dimensions of each roll-up dim, as B_* bits */
static const unsigned dim_bits[DIM__END] = {0,
                                            B_CAT,
                                            B_CHANNEL,
                                            B_GRADE,
                                            B_DEPT,
                                            B_CAT | B_CHANNEL,
                                            B_CAT | B_GRADE,
                                            B_CAT | B_DEPT,
                                            B_CHANNEL | B_GRADE,
                                            B_CHANNEL | B_DEPT,
                                            B_GRADE | B_DEPT,
                                            0};
enum { GRAIN_MONTH, GRAIN_DAY };
#define NLEVELS 3
static const int levels[NLEVELS] = {6, 9, 12};

/* Which roll-ups are kept (division level in significant digits, per grain), chosen by what a
 * query at 10 M cases needs and what each delta costs the writer (docs/METRICS.md): pairs per
 * month at county and township level and per day at county level; category and department alone
 * per month and per day at county level (a city-wide list by category, the department ranking);
 * no dimension per month and per day at village level (a county by village). A query reads the
 * smallest kept roll-up that carries its dimensions (channel and grade alone: their pair), a
 * township's or a village's remaining days from stats_day (~90 rows a day for a township at
 * 10 M), and stats_day for the rest. */
static int roll_kept(int dim, int grain, int level)
{
    if (dim == DIM_NONE)
        return level == 12;
    if (level == 12)
        return 0;
    if (dim_bits[dim] & (dim_bits[dim] - 1)) /* a pair */
        return level == 6 || grain == GRAIN_MONTH;
    return level == 6 && (dim == DIM_CATEGORY || dim == DIM_DEPARTMENT);
}

/* Rough number of values of each dimension bit (B_CAT, B_CHANNEL, B_GRADE, B_DEPT) in one
 * county and month: what a roll-up of several of them costs a query, relatively. */
static double roll_rows(int dim)
{
    unsigned b = dim_bits[dim];
    return ((b & B_CAT) ? 150.0 : 1) * ((b & B_CHANNEL) ? 7.0 : 1) * ((b & B_GRADE) ? 5.0 : 1) *
           ((b & B_DEPT) ? 40.0 : 1);
}

#define SQL_MAX 4096
#define BATCH_ROWS 16
#define SQL_BATCH (SQL_MAX + BATCH_ROWS * 320) /* a row of values: "(?, ... ifnull(?, 0) ...)" */
#define SQL_PART 1024 /* one list of the counters (the longest, "c = c + excluded.c, ...", ~700)   \
                       */
static struct {
    char snap_get[SQL_MAX], snap_put[SQL_MAX], day_add[SQL_MAX], roll_add[SQL_MAX];
    char day_add_ret[SQL_MAX], roll_add_ret[SQL_MAX], day_del[SQL_MAX], roll_del[SQL_MAX];
    char batch[2][SQL_BATCH]; /* stats_day, stats_roll: BATCH_ROWS rows in one upsert */
    /* the same for deltas that only add cases (a new case's rows): the intake column alone */
    char batch_intake[2][SQL_BATCH];
    char sum_cols[SQL_PART]; /* "sum(intake), sum(closed), ..." */
    char cols[SQL_PART];     /* "intake, closed, ..." */
} sql;
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

static void sql_build(void)
{
    char cols[SQL_PART] = "", qs[SQL_PART] = "", qz[SQL_PART] = "", upd[SQL_PART] = "",
         sums[SQL_PART] = "";
    size_t nc = 0, nq = 0, nz = 0, nu = 0, ns = 0;
    for (int i = 0; i < STAT__COUNT; i++) {
        const char *c = counter_names[i], *sep = i ? ", " : "";
        nc += (size_t)snprintf(cols + nc, sizeof cols - nc, "%s%s", sep, c);
        nq += (size_t)snprintf(qs + nq, sizeof qs - nq, "%s?", sep);
        nz += (size_t)snprintf(qz + nz, sizeof qz - nz, "%sifnull(?, 0)", sep);
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
             "INSERT OR REPLACE INTO stats_case(case_id, department, day, division, category, "
             "channel, grade, %s) VALUES (?, ?, ?, ?, ?, ?, ?, %s)",
             cols, qs);
    /* the upserts bind only the counters that move: an unbound one is NULL, i.e. 0 */
    snprintf(sql.day_add, sizeof sql.day_add,
             "INSERT INTO stats_day(day, division, category, channel, grade, department, %s) "
             "VALUES (?, ?, ?, ?, ?, ?, %s) ON CONFLICT (day, division, category, channel, grade, "
             "department) DO UPDATE SET %s",
             cols, qz, upd);
    snprintf(sql.roll_add, sizeof sql.roll_add,
             "INSERT INTO stats_roll(dim, level, grain, division, t, x, %s) "
             "VALUES (?, ?, ?, ?, ?, ?, %s) "
             "ON CONFLICT (dim, level, grain, division, t, x) DO UPDATE SET %s",
             cols, qz, upd);
    size_t da = strlen(sql.day_add), ra = strlen(sql.roll_add);
    static const char ret[] = " RETURNING intake, assigned";
    memcpy(sql.day_add_ret, sql.day_add, da);
    memcpy(sql.day_add_ret + da, ret, sizeof ret); /* both under 2 kB */
    memcpy(sql.roll_add_ret, sql.roll_add, ra);
    memcpy(sql.roll_add_ret + ra, ret, sizeof ret);
    /* the same upserts with BATCH_ROWS rows of values: one statement step for many rows */
    for (int t = 0; t < 2; t++) {
        size_t n = (size_t)snprintf(sql.batch[t], SQL_BATCH, "INSERT INTO %s, %s) VALUES ",
                                    t ? "stats_roll(dim, level, grain, division, t, x"
                                      : "stats_day(day, division, category, channel, grade, "
                                        "department",
                                    cols);
        for (int r = 0; r < BATCH_ROWS && n < SQL_BATCH; r++)
            n += (size_t)snprintf(sql.batch[t] + n, SQL_BATCH - n, "%s(?, ?, ?, ?, ?, ?, %s)",
                                  r ? ", " : "", qz);
        if (n < SQL_BATCH)
            snprintf(sql.batch[t] + n, SQL_BATCH - n, " ON CONFLICT (%s) DO UPDATE SET %s",
                     t ? "dim, level, grain, division, t, x"
                       : "day, division, category, channel, grade, department",
                     upd);
    }
    /* A new case moves only `intake`: written alone, the upsert's program copies and adds one
     * counter per row instead of eighteen (the rest take their default, 0, on insert). */
    for (int t = 0; t < 2; t++) {
        const char *key = t ? "dim, level, grain, division, t, x"
                            : "day, division, category, channel, grade, department";
        size_t n = (size_t)snprintf(sql.batch_intake[t], SQL_BATCH, "INSERT INTO %s(%s, intake) VALUES ",
                                    t ? "stats_roll" : "stats_day", key);
        for (int r = 0; r < BATCH_ROWS && n < SQL_BATCH; r++)
            n += (size_t)snprintf(sql.batch_intake[t] + n, SQL_BATCH - n, "%s(?, ?, ?, ?, ?, ?, ?)",
                                  r ? ", " : "");
        if (n < SQL_BATCH)
            snprintf(sql.batch_intake[t] + n, SQL_BATCH - n,
                     " ON CONFLICT (%s) DO UPDATE SET intake = intake + excluded.intake", key);
    }
    snprintf(sql.day_del, sizeof sql.day_del,
             "DELETE FROM stats_day WHERE day = ? AND division = ? AND category = ? AND "
             "channel = ? AND grade = ? AND department = ? AND intake = 0 AND assigned = 0");
    snprintf(sql.roll_del, sizeof sql.roll_del,
             "DELETE FROM stats_roll WHERE dim = ? AND level = ? AND grain = ? AND division = ? "
             "AND t = ? AND x = ? AND intake = 0 AND assigned = 0");
}

/* ---- deltas ---- */

/* The key of one aggregate row (zero-filled: hashed and compared as bytes). */
struct agg_key {
    int table; /* 0 stats_day, 1 stats_roll */
    int dim, level, grain;
    int64_t day; /* day number (stats_day, roll grain day) or month index y*12+m-1 */
    char division[FQ_DIVISION_LEN + 1];
    char category[16];
    int channel, grade;
    int64_t department;
    char x[40];
};

struct delta {
    struct agg_key k;
    int64_t v[STAT__COUNT];
};

/* Deltas merged by aggregate row: entries in arrival order, found through an open-addressing
 * index of entry numbers. Grows by doubling; dmap_clear empties it and keeps the memory. */
struct dmap {
    struct delta *d;
    int n, cap;
    uint32_t *slot; /* entry number + 1; 0 = free */
    size_t nslot;   /* a power of two, twice cap */
};

static uint64_t bytes_hash(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0x9E3779B97F4A7C15ull, w;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, b + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    for (; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

static uint64_t key_hash(const struct agg_key *k)
{
    return bytes_hash(k, sizeof *k);
}

static int dmap_grow(struct dmap *m)
{
    int cap = m->cap ? m->cap * 2 : 256;
    size_t nslot = (size_t)cap * 2;
    uint32_t *slot = calloc(nslot, sizeof *slot);
    struct delta *d = slot ? realloc(m->d, (size_t)cap * sizeof *d) : NULL;
    if (!d) {
        free(slot);
        return FQ_ENOMEM;
    }
    for (int e = 0; e < m->n; e++) {
        size_t i = key_hash(&d[e].k) & (nslot - 1);
        while (slot[i])
            i = (i + 1) & (nslot - 1);
        slot[i] = (uint32_t)e + 1;
    }
    free(m->slot);
    m->d = d;
    m->cap = cap;
    m->slot = slot;
    m->nslot = nslot;
    return 0;
}

/* Adds sign × v to the delta of row k. 0 or FQ_ENOMEM. */
static int dmap_add(struct dmap *m, const struct agg_key *k, const int64_t *v, int sign)
{
    if (m->n == m->cap && dmap_grow(m))
        return FQ_ENOMEM;
    size_t i = key_hash(k) & (m->nslot - 1);
    for (; m->slot[i]; i = (i + 1) & (m->nslot - 1)) {
        struct delta *d = &m->d[m->slot[i] - 1];
        if (!memcmp(&d->k, k, sizeof *k)) {
            for (int c = 0; c < STAT__COUNT; c++)
                d->v[c] += sign * v[c];
            return 0;
        }
    }
    struct delta *d = &m->d[m->n];
    d->k = *k;
    for (int c = 0; c < STAT__COUNT; c++)
        d->v[c] = sign * v[c];
    m->slot[i] = (uint32_t)++m->n;
    return 0;
}

static void dmap_clear(struct dmap *m)
{
    if (m->slot)
        memset(m->slot, 0, m->nslot * sizeof *m->slot);
    m->n = 0;
}

static int64_t month_of_day(int64_t day)
{
    int y, m, dd;
    ymd_from_day(day, &y, &m, &dd);
    return (int64_t)y * 12 + m - 1;
}

/* The x of a roll-up row of dimension dim for a case (department: the fact row's). */
static void roll_x(char *x, size_t n, int dim, const struct stat_fact *f, int64_t department)
{
    size_t o = 0;
    unsigned b = dim_bits[dim];
    x[0] = 0;
    if (b & B_CAT)
        o += (size_t)snprintf(x + o, n - o, "%s|", f->category);
    if (b & B_CHANNEL)
        o += (size_t)snprintf(x + o, n - o, "%d|", f->channel);
    if (b & B_GRADE)
        o += (size_t)snprintf(x + o, n - o, "%d|", f->grade);
    if (b & B_DEPT)
        o += (size_t)snprintf(x + o, n - o, "%lld|", (long long)department);
    if (o > 0 && o < n)
        x[o - 1] = 0; /* the last separator */
}

/* Adds (sign +1) or removes (-1) a whole fact: its stats_day rows and every kept roll-up row. A
 * roll-up with the department counts each department row; the others count the case once (the
 * rows summed). 0 or FQ_ENOMEM. */
static int fact_deltas(struct dmap *m, const struct stat_fact *f, int sign)
{
    struct agg_key k;
    int64_t sum[STAT__COUNT] = {0};
    int64_t month = month_of_day(f->day);
    int rc = 0;
    if (f->n == 0)
        return 0;
    for (int r = 0; rc == 0 && r < f->n; r++) {
        memset(&k, 0, sizeof k);
        k.table = 0;
        k.day = f->day;
        memcpy(k.division, f->division, sizeof k.division);
        memcpy(k.category, f->category, sizeof k.category);
        k.channel = f->channel;
        k.grade = f->grade;
        k.department = f->rows[r].department;
        rc = dmap_add(m, &k, f->rows[r].v, sign);
        for (int i = 0; i < STAT__COUNT; i++)
            sum[i] += f->rows[r].v[i];
    }
    for (int dim = DIM_CATEGORY; rc == 0 && dim < DIM__END; dim++) {
        int per_row = (dim_bits[dim] & B_DEPT) != 0;
        for (int r = 0; rc == 0 && r < (per_row ? f->n : 1); r++) {
            char x[sizeof k.x] = ""; /* zero-filled: keys are compared as bytes */
            roll_x(x, sizeof x, dim, f, f->rows[r].department);
            for (int g = GRAIN_MONTH; rc == 0 && g <= GRAIN_DAY; g++)
                for (int l = 0; rc == 0 && l < NLEVELS; l++) {
                    if (!roll_kept(dim, g, levels[l]))
                        continue;
                    memset(&k, 0, sizeof k);
                    k.table = 1;
                    k.dim = dim;
                    k.level = levels[l];
                    k.grain = g;
                    k.day = g == GRAIN_MONTH ? month : f->day;
                    memcpy(k.division, f->division, (size_t)k.level);
                    memcpy(k.x, x, sizeof k.x);
                    rc = dmap_add(m, &k, per_row ? f->rows[r].v : sum, sign);
                }
        }
    }
    return rc;
}

static int is_zero(const int64_t *v)
{
    for (int i = 0; i < STAT__COUNT; i++)
        if (v[i])
            return 0;
    return 1;
}

/* Whether a delta only adds cases (every counter but a positive intake is 0). */
static int intake_only(const int64_t *v)
{
    for (int i = 0; i < STAT__COUNT; i++)
        if (i == STAT_INTAKE ? v[i] <= 0 : v[i] != 0)
            return 0;
    return 1;
}

/* Binds the key of an aggregate row from parameter p + 1 on; returns the number of the next
 * parameter less p. */
static int bind_key_at(sqlite3_stmt *st, int p, const struct agg_key *k)
{
    int i = p + 1;
    if (k->table == 0) {
        sqlite3_bind_int64(st, i++, k->day);
        sqlite3_bind_text(st, i++, k->division, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, i++, k->category, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, i++, k->channel);
        sqlite3_bind_int(st, i++, k->grade);
        sqlite3_bind_int64(st, i++, k->department);
    } else {
        sqlite3_bind_int(st, i++, k->dim);
        sqlite3_bind_int(st, i++, k->level);
        sqlite3_bind_int(st, i++, k->grain);
        sqlite3_bind_text(st, i++, k->division, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, i++, k->day);
        sqlite3_bind_text(st, i++, k->x, -1, SQLITE_STATIC);
    }
    return i - p;
}

static int bind_key(sqlite3_stmt *st, const struct agg_key *k)
{
    return bind_key_at(st, 0, k);
}

/* One upsert per aggregate row, binding only the counters that move (the others default to 0).
 * A delta that lowers the cases or assignments of a row reads the row's new figures back
 * (RETURNING) and deletes the row when it holds neither: every counter implies one of those two
 * in the same row, so such a row holds only zeros. */
static int apply_delta(struct sq_conn *conn, const struct delta *d)
{
    int shrink = d->v[STAT_INTAKE] < 0 || d->v[STAT_ASSIGNED] < 0;
    sqlite3_stmt *st = sq_stmt_dyn(conn, d->k.table ? (shrink ? sql.roll_add_ret : sql.roll_add)
                                                    : (shrink ? sql.day_add_ret : sql.day_add));
    if (!st)
        return FQ_EIO;
    sqlite3_clear_bindings(st);
    int i = bind_key(st, &d->k);
    for (int c = 0; c < STAT__COUNT; c++)
        if (d->v[c])
            sqlite3_bind_int64(st, i + c, d->v[c]);
    int rc = sqlite3_step(st), empty = 0, ret = 0;
    if (rc == SQLITE_ROW) {
        empty = !sqlite3_column_int64(st, 0) && !sqlite3_column_int64(st, 1);
        rc = sqlite3_step(st);
    }
    if (rc != SQLITE_DONE)
        ret = sq_error(conn, rc, "stats delta");
    sqlite3_reset(st);
    if (ret || !empty)
        return ret;
    if (!(st = sq_stmt_dyn(conn, d->k.table ? sql.roll_del : sql.day_del)))
        return FQ_EIO;
    bind_key(st, &d->k);
    return sq_exec_stmt(conn, st, "stats delete empty");
}

/* Applies every non-zero delta of m, in the order of `order` (entry numbers; NULL: arrival
 * order), and empties m. Deltas are batched by statement: b[table] (every counter) and
 * b[2 + table] (intake alone). */
static int dmap_apply_in(struct sq_conn *conn, struct dmap *m, const uint32_t *order)
{
    int rc = 0, nb[4] = {0, 0, 0, 0};
    const struct delta *b[4][BATCH_ROWS];
    for (int e = 0; rc == 0 && e < m->n; e++) {
        const struct delta *d = &m->d[order ? order[e] : (uint32_t)e];
        if (is_zero(d->v))
            continue;
        if (d->v[STAT_INTAKE] < 0 || d->v[STAT_ASSIGNED] < 0) { /* may empty its row */
            rc = apply_delta(conn, d);
            continue;
        }
        int t = d->k.table + (intake_only(d->v) ? 2 : 0);
        b[t][nb[t]++] = d;
        if (nb[t] < BATCH_ROWS)
            continue;
        /* BATCH_ROWS rows of one table in one upsert (their keys are distinct) */
        int narrow = t >= 2, ncols = narrow ? 1 : STAT__COUNT;
        sqlite3_stmt *st = sq_stmt_dyn(conn, narrow ? sql.batch_intake[t - 2] : sql.batch[t]);
        if (!st) {
            rc = FQ_EIO;
            break;
        }
        sqlite3_clear_bindings(st);
        for (int r = 0, p = 0; r < BATCH_ROWS; r++, p += 6 + ncols) {
            int i = p + bind_key_at(st, p, &b[t][r]->k);
            if (narrow)
                sqlite3_bind_int64(st, i, b[t][r]->v[STAT_INTAKE]);
            else
                for (int c = 0; c < STAT__COUNT; c++)
                    if (b[t][r]->v[c])
                        sqlite3_bind_int64(st, i + c, b[t][r]->v[c]);
        }
        rc = sq_exec_stmt(conn, st, "stats deltas");
        nb[t] = 0;
    }
    for (int t = 0; t < 4; t++) /* the rest one by one */
        for (int r = 0; rc == 0 && r < nb[t]; r++)
            rc = apply_delta(conn, b[t][r]);
    dmap_clear(m);
    return rc;
}

static int dmap_apply(struct sq_conn *conn, struct dmap *m)
{
    return dmap_apply_in(conn, m, NULL);
}

/* The order of the primary keys of stats_day and stats_roll (text in SQLite's BINARY order). */
static int key_cmp(const struct agg_key *a, const struct agg_key *b)
{
    int c;
#define CMP_(x, y) ((x) < (y) ? -1 : (x) > (y))
    if (a->table != b->table)
        return CMP_(a->table, b->table);
    if (a->table == 0) {
        if (a->day != b->day)
            return CMP_(a->day, b->day);
        if ((c = strcmp(a->division, b->division)) || (c = strcmp(a->category, b->category)))
            return c;
        if (a->channel != b->channel)
            return CMP_(a->channel, b->channel);
        if (a->grade != b->grade)
            return CMP_(a->grade, b->grade);
        return CMP_(a->department, b->department);
    }
    if (a->dim != b->dim)
        return CMP_(a->dim, b->dim);
    if (a->level != b->level)
        return CMP_(a->level, b->level);
    if (a->grain != b->grain)
        return CMP_(a->grain, b->grain);
    if ((c = strcmp(a->division, b->division)))
        return c;
    if (a->day != b->day)
        return CMP_(a->day, b->day);
    return strcmp(a->x, b->x);
#undef CMP_
}

static int order_cmp(const void *a, const void *b, void *deltas)
{
    const struct delta *d = deltas;
    return key_cmp(&d[*(const uint32_t *)a].k, &d[*(const uint32_t *)b].k);
}

/* Applies every delta of m in the order of the tables' primary keys (each b-tree filled from one
 * end to the other, its pages visited once) and empties m. 0, FQ_ENOMEM or FQ_EIO. */
static int dmap_apply_sorted(struct sq_conn *conn, struct dmap *m)
{
    uint32_t *order = malloc(((size_t)m->n + 1) * sizeof *order);
    if (!order)
        return FQ_ENOMEM;
    for (int e = 0; e < m->n; e++)
        order[e] = (uint32_t)e;
    qsort_r(order, (size_t)m->n, sizeof *order, order_cmp, m->d);
    int rc = dmap_apply_in(conn, m, order);
    free(order);
    return rc;
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

static int fact_row_equal(const struct stat_fact *a, const struct stat_fact *b, int r, int s)
{
    return a->day == b->day && !strcmp(a->division, b->division) &&
           !strcmp(a->category, b->category) && a->channel == b->channel &&
           a->grade == b->grade && a->rows[r].department == b->rows[s].department &&
           !memcmp(a->rows[r].v, b->rows[s].v, sizeof a->rows[r].v);
}

/* Replaces the snapshot of a case (old: what stats_case holds, in canonical order) by new: the
 * rows of departments that left are deleted, changed rows replaced, unchanged rows left alone. */
static int snapshot_put(struct sq_conn *conn, int64_t case_id, const struct stat_fact *old,
                        const struct stat_fact *new)
{
    sqlite3_stmt *st;
    int rc = 0, s = 0;
    for (int r = 0; rc == 0 && r < old->n; r++) {
        int64_t dep = old->rows[r].department;
        while (s < new->n && new->rows[s].department < dep)
            s++;
        if (s < new->n && new->rows[s].department == dep)
            continue;
        if (!(st = sq_stmt_dyn(conn, "DELETE FROM stats_case WHERE case_id = ?1 AND "
                                     "department = ?2")))
            return FQ_EIO;
        sqlite3_bind_int64(st, 1, case_id);
        sqlite3_bind_int64(st, 2, dep);
        rc = sq_exec_stmt(conn, st, "stats snapshot delete");
    }
    s = 0;
    for (int r = 0; rc == 0 && r < new->n; r++) {
        while (s < old->n && old->rows[s].department < new->rows[r].department)
            s++;
        if (s < old->n && fact_row_equal(new, old, r, s))
            continue;
        if (!(st = sq_stmt_dyn(conn, sql.snap_put)))
            return FQ_EIO;
        int i = 1;
        sqlite3_bind_int64(st, i++, case_id);
        sqlite3_bind_int64(st, i++, new->rows[r].department);
        sqlite3_bind_int64(st, i++, new->day);
        sqlite3_bind_text(st, i++, new->division, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, i++, new->category, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, i++, new->channel);
        sqlite3_bind_int(st, i++, new->grade);
        for (int c = 0; c < STAT__COUNT; c++)
            sqlite3_bind_int64(st, i++, new->rows[r].v[c]);
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

/* ---- deltas collected per writer group ----
 *
 * Inside a group (run_group), a case write does not touch the aggregates: it appends (old fact,
 * new fact) to the writer thread's journal, in memory. When the job ends, run_group calls
 * sq_stats_job_end: a job whose savepoint was released keeps its entries, a job rolled back has
 * them cut off (its snapshot change went with the savepoint). Before COMMIT, sq_stats_flush merges
 * the kept entries by aggregate row — many intakes of a day hit the same county and township
 * rows — applies each row once and empties the journal. The snapshot (stats_case) is still
 * written in the job, so a later write of the same case in the same group diffs against it. The
 * journal belongs to one transaction (store_tx.stats, NULL at BEGIN): the first case write of a
 * group starts it empty, so the entries of a group rolled back whole are never applied. */

struct journal {
    unsigned char *buf; /* entries: struct jhead, old fact, new fact (compact) */
    size_t len, cap;
    size_t kept;  /* the entries before this offset belong to jobs that ended well */
    struct dmap m; /* the deltas being merged */
};

struct jhead {
    uint32_t old_len, new_len; /* bytes of each compact fact */
    int64_t case_id;
    int32_t fresh; /* a case row just inserted: its intake alone (sq_stats_flush may defer it) */
    int32_t pad;
};

#define FACT_HEAD offsetof(struct stat_fact, rows)
#define FACT_ROW sizeof(((struct stat_fact *)0)->rows[0])
#define JALIGN(x) (((x) + 7) & ~(size_t)7)

static pthread_key_t journal_key;
static pthread_once_t journal_once = PTHREAD_ONCE_INIT;

static void journal_free(void *p)
{
    struct journal *j = p;
    if (j) {
        free(j->buf);
        free(j->m.d);
        free(j->m.slot);
    }
    free(j);
}

static void journal_key_make(void)
{
    pthread_key_create(&journal_key, journal_free);
}

/* The calling thread's journal, created on first use; NULL when out of memory. */
static struct journal *journal_get(void)
{
    pthread_once(&journal_once, journal_key_make);
    struct journal *j = pthread_getspecific(journal_key);
    if (!j && (j = calloc(1, sizeof *j)) && pthread_setspecific(journal_key, j)) {
        free(j);
        j = NULL;
    }
    return j;
}

static size_t fact_bytes(const struct stat_fact *f)
{
    return JALIGN(FACT_HEAD + (size_t)f->n * FACT_ROW);
}

/* Grows *buf (capacity *cap, first size first) by doubling to hold need bytes. 0 or FQ_ENOMEM
 * (*buf untouched). */
static int bytes_reserve(unsigned char **buf, size_t *cap, size_t need, size_t first)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : first;
    while (c < need)
        c *= 2;
    unsigned char *b = realloc(*buf, c);
    if (!b)
        return FQ_ENOMEM;
    *buf = b;
    *cap = c;
    return 0;
}

static int journal_add(struct journal *j, int64_t case_id, int fresh, const struct stat_fact *of,
                       const struct stat_fact *nf)
{
    size_t ol = fact_bytes(of), nl = fact_bytes(nf), need = sizeof(struct jhead) + ol + nl;
    if (bytes_reserve(&j->buf, &j->cap, j->len + need, 256 * 1024))
        return FQ_ENOMEM;
    struct jhead h = {(uint32_t)ol, (uint32_t)nl, case_id, fresh, 0};
    memcpy(j->buf + j->len, &h, sizeof h);
    memcpy(j->buf + j->len + sizeof h, of, FACT_HEAD + (size_t)of->n * FACT_ROW);
    memcpy(j->buf + j->len + sizeof h + ol, nf, FACT_HEAD + (size_t)nf->n * FACT_ROW);
    j->len += need;
    return 0;
}

void sq_stats_job_end(struct store_tx *tx, int keep)
{
    struct journal *j = tx ? tx->stats : NULL;
    if (!j)
        return;
    if (keep)
        j->kept = j->len;
    else
        j->len = j->kept;
}

/* Identical facts counted once (see entries_deltas): open addressing over fact bytes. */
struct fset {
    struct {
        const struct stat_fact *f;
        size_t bytes;
        uint64_t hash;
        int64_t count;
    } *slot;
    size_t nslot; /* a power of two */
    uint32_t *used; /* slot numbers in use, in arrival order */
    size_t nused;
};

/* Counts fact f (its bytes in the journal: head and rows, zero-filled where unused). */
static void fset_add(struct fset *fs, const struct stat_fact *f)
{
    size_t bytes = FACT_HEAD + (size_t)f->n * FACT_ROW;
    uint64_t h = bytes_hash(f, bytes);
    size_t i = h & (fs->nslot - 1);
    for (; fs->slot[i].f; i = (i + 1) & (fs->nslot - 1))
        if (fs->slot[i].hash == h && fs->slot[i].bytes == bytes && !memcmp(fs->slot[i].f, f, bytes)) {
            fs->slot[i].count++;
            return;
        }
    fs->slot[i].f = f;
    fs->slot[i].bytes = bytes;
    fs->slot[i].hash = h;
    fs->slot[i].count = 1;
    fs->used[fs->nused++] = (uint32_t)i;
}

/* Adds the deltas of journal entries buf[0, len) to m; with fs, the new facts of fresh intakes
 * are only counted in fs (their old fact is empty), to be added once per distinct fact: under
 * load most intakes of 100 ms share their fact (day, village, channel, no category yet), ~2,000
 * cases a few hundred facts. 0 or FQ_ENOMEM. */
static int entries_deltas(struct dmap *m, struct fset *fs, const unsigned char *buf, size_t len)
{
    int rc = 0;
    for (size_t off = 0; rc == 0 && off < len;) {
        struct jhead h;
        memcpy(&h, buf + off, sizeof h);
        const struct stat_fact *of = (const void *)(buf + off + sizeof h);
        const struct stat_fact *nf = (const void *)(buf + off + sizeof h + h.old_len);
        if (fs && h.fresh && of->n == 0)
            fset_add(fs, nf);
        else if (!(rc = fact_deltas(m, of, -1)))
            rc = fact_deltas(m, nf, +1);
        off += sizeof h + h.old_len + h.new_len;
    }
    return rc;
}

/* ---- intakes deferred across groups ----
 *
 * Under load a group's intakes need not reach the aggregates in its own transaction: their
 * journal entries (new cases only: an intake's fact against nothing) wait in memory, owned by
 * the store, and a later group applies them with its own deltas, merged by row — at 20 k cases
 * a second, the ~2,000 intakes of 100 ms touch a few hundred rows instead of ~25 each. The
 * snapshots (stats_case) are still written with the case, so a later update diffs against the
 * right contribution. A group applies everything pending (sq_stats_flush with more = 0) when no
 * job is queued behind it, when any of its entries is not a fresh intake (an action, a link, the
 * timer: pending never mixes with updates), when the oldest pending intake is older than
 * sq_stats_defer_ms or pending would hold more than sq_stats_defer_max cases; the store applies
 * it alone before a bulk job, when the writer falls idle and at close. What is pending is
 * forgotten only after the transaction that applied it commits (sq_stats_tx_end).
 *
 * Crash safety: every group that defers writes, in its own transaction, the setting
 * 'stats.pending' = the ranges of case ids pending ("lo-hi lo-hi": a group's kept intakes have
 * consecutive ids, and consecutive groups extend one range unless another process wrote cases
 * in between); the group that applies pending deletes it in its. After a crash the cases in
 * those ranges are exactly those whose intake is missing from the aggregates, and nothing else
 * has touched their contribution since (it would have applied pending first): sq_stats_recover
 * adds their snapshots at the next open. Only one process defers on a database (the store's
 * lock, sqlite.c), and only it restores. */

int sq_stats_defer_ms = 100;
int sq_stats_defer_max = 4096;
int sq_stats_defer_always = 0;

#define PENDING_RANGES 64 /* beyond that many id ranges (other writers interleaving), apply */

struct sq_stats_pending {
    unsigned char *buf; /* journal entries of committed groups, not applied yet */
    size_t len, cap;
    int ncases;
    int64_t since; /* when the group that deferred the oldest of them committed (mono_ms) */
    /* the transaction running now: entries it appended after len (kept if it commits), or
     * whether it applies buf (emptied if it commits) */
    size_t staged;
    int staged_cases, applying;
    int64_t range[PENDING_RANGES][2]; /* the ids of the pending cases, as written to settings */
    int nrange, staged_nrange;        /* staged_nrange: the ranges once the staged group is in */
    int64_t staged_last[2];           /* ... the last of them */
    struct dmap m;
};

static const char pending_key[] = "stats.pending";

/* The age of pending is real time even when tests fake the clock (FQ_FAKE_NOW). */
static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct sq_stats_pending *sq_stats_pending_new(void)
{
    /* FQ_STATS_DEFER_MS=<ms> (tests: tests/crash/run): defer whenever allowed, queue or not, for
     * up to that long, so that a kill finds intakes pending whatever the machine's speed */
    const char *e = getenv("FQ_STATS_DEFER_MS");
    if (e && atoi(e) > 0) {
        sq_stats_defer_always = 1;
        sq_stats_defer_ms = atoi(e);
    }
    return calloc(1, sizeof(struct sq_stats_pending));
}

void sq_stats_pending_free(struct sq_stats_pending *p)
{
    if (!p)
        return;
    free(p->buf);
    free(p->m.d);
    free(p->m.slot);
    free(p);
}

int sq_stats_pending_any(const struct sq_stats_pending *p)
{
    return p && p->len > 0;
}

void sq_stats_pending_forget(struct sq_stats_pending *p)
{
    if (p)
        p->len = 0, p->ncases = 0, p->staged = 0, p->staged_cases = 0, p->applying = 0,
        p->nrange = 0;
}

/* Whether the kept entries of j are all fresh intakes; *n = how many, ids in [*min_id, *max_id]. */
static int journal_fresh(const struct journal *j, int *n, int64_t *min_id, int64_t *max_id)
{
    *n = 0;
    *min_id = INT64_MAX;
    *max_id = 0;
    for (size_t off = 0; j && off < j->kept;) {
        struct jhead h;
        memcpy(&h, j->buf + off, sizeof h);
        if (!h.fresh)
            return 0;
        ++*n;
        if (h.case_id < *min_id)
            *min_id = h.case_id;
        if (h.case_id > *max_id)
            *max_id = h.case_id;
        off += sizeof h + h.old_len + h.new_len;
    }
    return 1;
}

/* Writes the ranges (n of them; 0: deletes the setting). */
static int pending_mark(struct sq_conn *conn, const int64_t (*range)[2], int n)
{
    char text[PENDING_RANGES * 42 + 1];
    size_t o = 0;
    for (int i = 0; i < n; i++)
        o += (size_t)snprintf(text + o, sizeof text - o, "%s%lld-%lld", i ? " " : "",
                              (long long)range[i][0], (long long)range[i][1]);
    sqlite3_stmt *st = sq_stmt_dyn(conn, n ? "INSERT OR REPLACE INTO settings(key, value) "
                                             "VALUES (?1, ?2)"
                                           : "DELETE FROM settings WHERE key = ?1");
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, pending_key, -1, SQLITE_STATIC);
    if (n)
        sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
    return sq_exec_stmt(conn, st, "stats pending mark");
}

/* Appends the kept entries of j (n intakes, ids lo..hi) after p's, and writes the ranges of ids
 * with them (both kept if this transaction commits). 1 when the ranges are full (apply instead),
 * 0 or FQ_E*. */
static int pending_stage(struct store_tx *tx, struct sq_stats_pending *p, struct journal *j,
                         int n, int64_t lo, int64_t hi)
{
    if (n == 0)
        return 0;
    int64_t range[PENDING_RANGES][2];
    int nr = p->nrange;
    memcpy(range, p->range, (size_t)nr * sizeof range[0]);
    if (nr && range[nr - 1][1] + 1 == lo) {
        range[nr - 1][1] = hi; /* the next ids: one range */
    } else if (nr == PENDING_RANGES) {
        return 1;
    } else {
        range[nr][0] = lo;
        range[nr++][1] = hi;
    }
    if (bytes_reserve(&p->buf, &p->cap, p->len + j->kept, 1 << 20))
        return FQ_ENOMEM;
    int rc = pending_mark(tx->conn, (const int64_t(*)[2])range, nr);
    if (rc == 0) {
        memcpy(p->buf + p->len, j->buf, j->kept);
        p->staged = j->kept;
        p->staged_cases = n;
        p->staged_nrange = nr;
        p->staged_last[0] = range[nr - 1][0];
        p->staged_last[1] = range[nr - 1][1];
    }
    return rc;
}

int sq_stats_flush(struct store_tx *tx, int more)
{
    struct journal *j = tx ? tx->stats : NULL;
    struct sq_stats_pending *p = tx ? tx->pending : NULL;
    if (tx)
        tx->stats = NULL;
    if (p)
        p->staged = 0, p->staged_cases = 0, p->applying = 0;
    int held = sq_stats_pending_any(p), n, rc = 0;
    if (!j && !held)
        return 0;
    int64_t lo, hi;
    if (p && more && journal_fresh(j, &n, &lo, &hi) &&
        p->ncases + n <= sq_stats_defer_max && (!held || mono_ms() - p->since < sq_stats_defer_ms) &&
        (!j || (rc = pending_stage(tx, p, j, n, lo, hi)) != 1)) {
        if (j)
            j->len = j->kept = 0;
        return rc;
    }
    rc = 0;
    struct dmap *m = p ? &p->m : &j->m;
    struct fset fs = {0}, *fsp = NULL;
    dmap_clear(m);
    if (held) { /* room for every entry at half load */
        size_t ne = (size_t)p->ncases + (j ? j->kept / sizeof(struct jhead) : 0) + 1, ns = 64;
        while (ns < 2 * ne)
            ns *= 2;
        fs.slot = calloc(ns, sizeof *fs.slot);
        fs.used = malloc(ns * sizeof *fs.used);
        fs.nslot = ns;
        fsp = fs.slot && fs.used ? &fs : NULL; /* out of memory: one fact at a time */
    }
    if (held)
        rc = entries_deltas(m, fsp, p->buf, p->len);
    if (rc == 0 && j)
        rc = entries_deltas(m, fsp, j->buf, j->kept);
    for (size_t u = 0; rc == 0 && fsp && u < fs.nused; u++)
        rc = fact_deltas(m, fs.slot[fs.used[u]].f, (int)fs.slot[fs.used[u]].count);
    free(fs.slot);
    free(fs.used);
    if (rc == 0) /* many groups' rows: written in key order, each b-tree page visited once */
        rc = held ? dmap_apply_sorted(tx->conn, m) : dmap_apply(tx->conn, m);
    if (rc == 0 && held)
        rc = pending_mark(tx->conn, NULL, 0);
    dmap_clear(m);
    if (j)
        j->len = j->kept = 0;
    if (p)
        p->applying = held;
    return rc;
}

void sq_stats_tx_end(struct store_tx *tx, int committed)
{
    struct sq_stats_pending *p = tx ? tx->pending : NULL;
    if (!p)
        return;
    if (committed && p->applying) {
        p->len = 0;
        p->ncases = 0;
        p->nrange = 0;
    } else if (committed && p->staged) {
        if (p->len == 0)
            p->since = mono_ms();
        p->len += p->staged;
        p->ncases += p->staged_cases;
        p->nrange = p->staged_nrange;
        p->range[p->nrange - 1][0] = p->staged_last[0];
        p->range[p->nrange - 1][1] = p->staged_last[1];
    }
    p->staged = 0, p->staged_cases = 0, p->applying = 0;
}

int sq_stats_recover(struct sq_conn *conn, int *recovered)
{
    pthread_once(&sql_once, sql_build);
    *recovered = 0;
    char text[PENDING_RANGES * 42 + 1];
    sqlite3_stmt *st = sq_stmt_dyn(conn, "SELECT value FROM settings WHERE key = ?1");
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, pending_key, -1, SQLITE_STATIC);
    int has = sqlite3_step(st) == SQLITE_ROW;
    if (has)
        sq_col_copy(st, 0, text, sizeof text);
    sqlite3_reset(st);
    if (!has)
        return 0;
    struct dmap m = {0};
    struct stat_fact *f = malloc(sizeof *f);
    int64_t *ids = NULL;
    int n = 0, cap = 0, rc = f ? 0 : FQ_ENOMEM;
    if (rc == 0 && !(st = sq_stmt_dyn(conn, "SELECT DISTINCT case_id FROM stats_case WHERE "
                                            "case_id BETWEEN ?1 AND ?2 ORDER BY case_id")))
        rc = FQ_EIO;
    for (char *q = text, *end; rc == 0 && *q;) { /* "lo-hi lo-hi ..." */
        long long lo = strtoll(q, &end, 10), hi;
        if (end == q || *end != '-')
            break;
        hi = strtoll(end + 1, &q, 10);
        sqlite3_bind_int64(st, 1, lo);
        sqlite3_bind_int64(st, 2, hi);
        while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
            if (!(rc = sq_grow((void **)&ids, &cap, n, sizeof *ids, INT32_MAX / 8)))
                ids[n++] = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        while (*q == ' ')
            q++;
    }
    for (int i = 0; rc == 0 && i < n; i++)
        if (!(rc = snapshot_get(conn, ids[i], f)))
            rc = fact_deltas(&m, f, +1);
    if (rc == 0)
        rc = dmap_apply_sorted(conn, &m);
    if (rc == 0)
        rc = pending_mark(conn, NULL, 0);
    if (rc == 0)
        *recovered = n;
    free(ids);
    free(f);
    free(m.d);
    free(m.slot);
    return rc;
}

/* What case c contributes now, in canonical order, into f. fresh: a row just inserted. 0 or an
 * FQ_E* code (reading its assignments). */
static int case_fact(struct store_tx *tx, const struct fq_case *c, int fresh, struct stat_fact *f)
{
    struct fq_assignment *as = NULL;
    int nas = 0, rc;
    /* a new row has no assignments or links yet (they reference its id) */
    if (!fresh && (rc = store_tx_assignments(tx, c->id, &as, &nas)))
        return rc;
    memset(f, 0, sizeof *f);
    stat_fn(c, as, nas, fresh ? 0 : links_of(tx->conn, c->id), f, stat_arg);
    free(as);
    if (f->n > STAT_FACT_ROWS)
        f->n = STAT_FACT_ROWS;
    fact_normalise(f);
    return 0;
}

/* The write of case c: new contribution against the snapshot (none for a case row just
 * inserted), the snapshot replaced, the deltas applied now (bulk) or collected for the group. */
static int case_written(struct store_tx *tx, const struct fq_case *c, int fresh)
{
    if (!stat_fn || !tx || !c || !c->id)
        return 0;
    pthread_once(&sql_once, sql_build);
    struct sq_conn *conn = tx->conn;
    struct stat_fact *nf = NULL, *of = NULL;
    struct journal *j = journal_get();
    int rc = 0;
    nf = malloc(sizeof *nf);
    of = malloc(sizeof *of);
    if (!nf || !of || !j) {
        rc = FQ_ENOMEM;
        goto done;
    }
    if ((rc = case_fact(tx, c, fresh, nf)))
        goto done;
    if (fresh)
        memset(of, 0, FACT_HEAD);
    else if ((rc = snapshot_get(conn, c->id, of)))
        goto done;
    if (fact_equal(nf, of))
        goto done;
    if (!tx->bulk) {
        if (!tx->stats) { /* the first case write of this transaction */
            j->len = j->kept = 0;
            tx->stats = j;
        }
        rc = journal_add(j, c->id, fresh, of, nf);
    } else {
        dmap_clear(&j->m);
        if (!(rc = fact_deltas(&j->m, of, -1)) && !(rc = fact_deltas(&j->m, nf, +1)))
            rc = dmap_apply(conn, &j->m);
    }
    if (rc == 0)
        rc = snapshot_put(conn, c->id, of, nf);
done:
    free(nf);
    free(of);
    return rc;
}

int sq_stats_case_written(struct store_tx *tx, const struct fq_case *c)
{
    return case_written(tx, c, 0);
}

int sq_stats_case_inserted(struct store_tx *tx, const struct fq_case *c)
{
    return case_written(tx, c, 1);
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

/* ---- rebuild ----
 *
 * The aggregates start empty, so every case only adds: the deltas of all cases are merged in
 * memory by aggregate row and written in key order when the map is full and at the end (a
 * demo city's 50,000 cases make ~1.5 M deltas on ~0.9 M rows; written per case, as a case
 * write does, they took 5 s). The snapshots are written case by case, in case order. */

int sq_stats_rebuild_rows = 1 << 18; /* merged rows held before writing them (~250 bytes each) */

struct rebuild {
    void (*progress)(long done, long total, void *arg);
    void *arg;
};

/* Adds case_id's contribution to m and writes its snapshot (there is none yet). */
static int rebuild_case(struct store_tx *tx, int64_t case_id, struct dmap *m, struct stat_fact *f)
{
    static const struct stat_fact none; /* n = 0 */
    struct fq_case c;
    int rc = store_tx_case_get_id(tx, case_id, &c);
    if (rc)
        return rc == FQ_ENOTFOUND ? 0 : rc;
    rc = case_fact(tx, &c, 0, f);
    fq_case_clear(&c);
    if (rc == 0)
        rc = fact_deltas(m, f, +1);
    if (rc == 0)
        rc = snapshot_put(tx->conn, case_id, &none, f);
    return rc;
}

static int rebuild_tx(struct store_tx *tx, void *arg)
{
    struct rebuild *rb = arg;
    struct sq_conn *conn = tx->conn;
    static const char *const wipe[] = {"DELETE FROM stats_case", "DELETE FROM stats_day",
                                       "DELETE FROM stats_roll",
                                       "DELETE FROM settings WHERE key = 'stats.rebuild'"};
    struct dmap m = {0};
    struct stat_fact *f = malloc(sizeof *f);
    int rc = f ? 0 : FQ_ENOMEM;
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
        if (!(st = sq_stmt_dyn(conn, "SELECT id FROM cases WHERE id > ?1 ORDER BY id LIMIT 1000"))) {
            rc = FQ_EIO;
            break;
        }
        sqlite3_bind_int64(st, 1, last);
        while (n < 1000 && sqlite3_step(st) == SQLITE_ROW)
            ids[n++] = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        for (int i = 0; rc == 0 && i < n; i++)
            rc = rebuild_case(tx, ids[i], &m, f);
        /* written at 3/4 of the limit: 1000 cases (~30 rows each) seldom double the map */
        if (rc == 0 && m.n > 0 && (n == 0 || m.n >= sq_stats_rebuild_rows / 4 * 3)) {
            if (!(rc = dmap_apply_sorted(conn, &m)) && tx->bulk)
                rc = store_tx_checkpoint(tx);
        }
        if (n == 0)
            break;
        last = ids[n - 1];
        done += n;
        if (rb->progress)
            rb->progress(done, total, rb->arg);
    }
    free(m.d);
    free(m.slot);
    free(f);
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

/* The value of dimension bit in a roll-up's x: x itself, or one side of a pair. */
static const char *x_part(int dim, unsigned bit)
{
    unsigned b = dim_bits[dim];
    if (!(b & (b - 1)) || !bit)
        return "x";
    return (b & (bit - 1)) ? "substr(x, instr(x, '|') + 1)" /* the second of the pair */
                           : "substr(x, 1, instr(x, '|') - 1)";
}

/* The group key of q as SQL over a source (dim: the roll-up's, for SRC_MONTH / SRC_DROLL). */
static void key_expr(const struct store_stats_query *q, int src, int dim, char *out, size_t n)
{
    const char *col = NULL, *t = src == SRC_DAY ? "day" : "t";
    unsigned bit = q->group == SG_DEPARTMENT                               ? B_DEPT
                   : q->group == SG_CHANNEL                                ? B_CHANNEL
                   : q->group == SG_GRADE                                  ? B_GRADE
                   : q->group == SG_CATEGORY || q->group == SG_CATEGORY1 ? B_CAT
                                                                           : 0;
    const char *xs = src == SRC_DAY ? "category" : x_part(dim, bit);
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
        snprintf(out, n, "%s", xs);
        return;
    case SG_CATEGORY1:
        snprintf(out, n,
                 "coalesce((SELECT nullif(parent, '') FROM categories WHERE code = %s), %s)",
                 xs, xs);
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
        snprintf(out, n, "%s", xs);
}

/* The roll-up divisions of the subtree [?3, ?4) at level ?13: each division code cut to the
 * level's digits. A list of equalities, so that the primary key's (division, t) serves the time
 * range too (a range on division would leave t unindexed). Every case's division is a row of
 * divisions (checked at intake). */
#define IN_DIVISIONS                                                                               \
    "(SELECT DISTINCT substr(code, 1, ?13) FROM divisions WHERE code >= ?3 AND code < ?4)"

/* The dimensions (B_*) q filters or groups by. */
static unsigned query_dims(const struct store_stats_query *q)
{
    unsigned want = 0;
    if (q->category[0] || q->group == SG_CATEGORY || q->group == SG_CATEGORY1)
        want |= B_CAT;
    if (q->channel >= 0 || q->group == SG_CHANNEL)
        want |= B_CHANNEL;
    if (q->grade >= 0 || q->group == SG_GRADE)
        want |= B_GRADE;
    if (q->department || q->group == SG_DEPARTMENT)
        want |= B_DEPT;
    return want;
}

/* Which roll-up answers q at a division level: the smallest kept one that carries every
 * dimension q filters or groups by (the others summed away), or 0 when only stats_day can. */
static int roll_dim(const struct store_stats_query *q, int level)
{
    unsigned want = query_dims(q);
    int best = 0;
    for (int dim = DIM_CATEGORY; dim < DIM__END; dim++)
        if ((dim_bits[dim] & want) == want && roll_kept(dim, GRAIN_MONTH, level) &&
            (!best || roll_rows(dim) < roll_rows(best)))
            best = dim;
    return best;
}

/* The filters of the dimensions a roll-up carries in x (a pair's first value is a range on x). */
static void x_filter(const struct store_stats_query *q, int dim, char *out, size_t n)
{
    static const struct {
        unsigned bit;
        const char *param;
    } f[] = {{B_CHANNEL, "?7"}, {B_GRADE, "?8"}, {B_DEPT, "?9"}};
    unsigned b = dim_bits[dim];
    size_t o = 0;
    out[0] = 0;
    if ((b & B_CAT) && q->category[0])
        o += (size_t)snprintf(out + o, n - o, " AND x >= ?5 AND x < ?6");
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        int on = f[i].bit == B_CHANNEL ? q->channel >= 0
                 : f[i].bit == B_GRADE ? q->grade >= 0
                                       : q->department != 0;
        if (!(b & f[i].bit) || !on || o >= n)
            continue;
        if (!(b & (b - 1))) /* one dimension */
            o += (size_t)snprintf(out + o, n - o, " AND x = CAST(%s AS TEXT)", f[i].param);
        else if (b & (f[i].bit - 1)) /* second of a pair */
            o += (size_t)snprintf(out + o, n - o,
                                  " AND substr(x, instr(x, '|') + 1) = CAST(%s AS TEXT)",
                                  f[i].param);
        else /* first of a pair: a range on x */
            o += (size_t)snprintf(out + o, n - o,
                                  " AND x >= CAST(%s AS TEXT) || '|' AND x < CAST(%s AS TEXT) || '}'",
                                  f[i].param, f[i].param);
    }
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
    int need = (int)strlen(lo);
    if (q->group == SG_DIVISION && q->division_digits > need)
        need = q->division_digits;
    int level = need <= 6 ? 6 : need <= 9 ? 9 : 12;
    int dim = snapshots ? 0 : roll_dim(q, level);
    if (dim && !query_dims(q) && level == 9) {
        /* no dimension at township level: the village rows, which have days too (a township's
         * days from stats_day cost ~90 rows each at 10 M) */
        level = 12;
        dim = DIM_NONE;
    }
    int use_months = 0, edge_roll = 0;
    int64_t m_lo = 0, m_hi = 0, mid_lo = q->to_day, mid_hi = q->to_day;
    if (dim) {
        edge_roll = roll_kept(dim, GRAIN_DAY, level);
    }
    if (dim && q->group != SG_DAY && q->group != SG_WEEK) {
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
    if (dim && !use_months && !edge_roll) /* only days, and no day roll-up: stats_day */
        dim = 0;
    char xf[400] = "";
    if (dim)
        x_filter(q, dim, xf, sizeof xf);

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
            key_expr(q, SRC_DROLL, dim, key, sizeof key);
            n += (size_t)snprintf(sqlbuf + n, sizeof sqlbuf - n,
                                  "SELECT %s AS k, %s FROM stats_roll WHERE dim = ?12 AND "
                                  "level = ?13 AND grain = 1 AND division IN " IN_DIVISIONS
                                  " AND %s%s",
                                  key, sql.cols, r, xf);
            continue;
        }
        /* a department's days above township level: its (department, day) index, the other
         * filters checked on the index entries; below: the divisions' (division, day) index */
        int by_dept = !snapshots && q->department && strlen(lo) <= 6;
        key_expr(q, SRC_DAY, 0, key, sizeof key);
        n += (size_t)snprintf(sqlbuf + n, sizeof sqlbuf - n,
                              "SELECT %s AS k, %s FROM %s WHERE %s AND %s", key, sql.cols,
                              snapshots         ? "stats_case"
                              : by_dept         ? "stats_day INDEXED BY stats_day_department"
                              : strlen(lo) >= 6 ? "stats_day INDEXED BY stats_day_division"
                                                : "stats_day",
                              r,
                              snapshots || by_dept || strlen(lo) < 6
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
        key_expr(q, SRC_MONTH, dim, key, sizeof key);
        n += (size_t)snprintf(sqlbuf + n, sizeof sqlbuf - n,
                              " UNION ALL SELECT %s AS k, %s FROM stats_roll WHERE dim = ?12 AND "
                              "level = ?13 AND grain = 0 AND division IN " IN_DIVISIONS " AND "
                              "t >= ?14 AND t < ?15%s",
                              key, sql.cols, xf);
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
