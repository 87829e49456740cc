/* Statistics benchmark: dashboard queries over the aggregates of N synthetic cases.
 *
 * Builds a fresh database with the real schema (store_open), then loads stats_day and stats_roll
 * with exactly the rows that the incremental maintenance would hold for N cases spread over three
 * years in a city of 7 counties × 15 townships × 20 villages (2,100 villages), 146 categories with
 * a Zipf-like mix, 7 channels, 5 grades and 280 departments — aggregated in memory day by day and
 * month by month, then bulk-inserted. (Driving N cases through the case lifecycle would take
 * hours at 10 M; the query side only sees the aggregate rows, which are the same.) Then it times
 * the dashboard queries through the real read path (store_stats_sum, stats_ranking), warm, and
 * prints a Markdown table. Reports only; asserts nothing.
 *
 * Build and run: bench/stats/run [CASES] (default 10,000,000). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/stats.h"
#include "store/store.h"
#include "store/store_stats.h"
#include "util/clock.h"

#define NCOUNTY 7
#define NTOWN 15
#define NVILL 20
#define NCAT 146
#define NDEPT_PER_COUNTY 40
#define DAYS 1096

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static double frand(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

static double cat_cdf[NCAT];
static char cat_code[NCAT][8];

static int pick_cat(void)
{
    double u = frand();
    int lo = 0, hi = NCAT - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (cat_cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- a tiny open-addressing hash of aggregate rows ---- */

struct row {
    char key[80];
    int64_t v[STAT__COUNT];
    int used;
};

struct map {
    struct row *r;
    size_t cap, n;
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

static struct row *map_get(struct map *m, const char *key)
{
    if (m->n * 2 >= m->cap) {
        struct map nm = {calloc(m->cap ? m->cap * 2 : 1 << 16, sizeof(struct row)),
                         m->cap ? m->cap * 2 : 1 << 16, 0};
        for (size_t i = 0; i < m->cap; i++)
            if (m->r[i].used) {
                size_t j = hash(m->r[i].key) & (nm.cap - 1);
                while (nm.r[j].used)
                    j = (j + 1) & (nm.cap - 1);
                nm.r[j] = m->r[i];
                nm.n++;
            }
        free(m->r);
        *m = nm;
    }
    size_t j = hash(key) & (m->cap - 1);
    while (m->r[j].used && strcmp(m->r[j].key, key))
        j = (j + 1) & (m->cap - 1);
    if (!m->r[j].used) {
        m->r[j].used = 1;
        snprintf(m->r[j].key, sizeof m->r[j].key, "%s", key);
        memset(m->r[j].v, 0, sizeof m->r[j].v);
        m->n++;
    }
    return &m->r[j];
}

static void map_clear(struct map *m)
{
    memset(m->r, 0, m->cap * sizeof *m->r);
    m->n = 0;
}

static double clock_ms(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double now_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

/* One synthetic case's counters (a plausible mix) into v; dept receives its assignment too. */
static void synth(int64_t v[STAT__COUNT], int old)
{
    memset(v, 0, sizeof(int64_t) * STAT__COUNT);
    int closed = frand() < (old ? 0.97 : 0.6);
    v[STAT_INTAKE] = 1;
    v[STAT_CLOSED] = closed;
    v[STAT_SETTLED] = closed && frand() < 0.93;
    int late = frand() < 0.07;
    v[STAT_ON_TIME] = closed && !late;
    v[STAT_OVERDUE] = late;
    if (closed && frand() < 0.55) {
        double u = frand();
        v[STAT_RATED] = 1;
        v[STAT_SATISFIED] = u < 0.8;
        v[STAT_BASIC] = u >= 0.8 && u < 0.95;
        v[STAT_DISSATISFIED] = u >= 0.95;
    }
    v[STAT_FOLLOWED] = closed && frand() < 0.8;
    v[STAT_WORK_MS] = closed ? (int64_t)(frand() * 120.0 * 3600000.0) : 0;
    v[STAT_REPEAT] = frand() < 0.01;
    v[STAT_RETURNED] = frand() < 0.04;
    v[STAT_SUPERVISIONS] = late && frand() < 0.5;
    v[STAT_SUPERVISED] = v[STAT_SUPERVISIONS];
    v[STAT_ASSIGNED] = frand() < 0.85;
    v[STAT_RESPONDED] = v[STAT_ASSIGNED] && frand() < 0.9;
    v[STAT_RETURNS] = v[STAT_ASSIGNED] && v[STAT_RETURNED];
}

static void bind_counters(sqlite3_stmt *st, int first, const int64_t *v)
{
    for (int i = 0; i < STAT__COUNT; i++)
        sqlite3_bind_int64(st, first + i, v[i]);
}

static int sink(const char *key, const int64_t v[STAT__COUNT], void *arg)
{
    (void)key;
    int64_t *n = arg;
    (void)v;
    (*n)++;
    return 0;
}

struct q {
    const char *name;
    struct store_stats_query q;
    int ranking;
};

int main(int argc, char **argv)
{
    long long ncases = argc > 1 ? atoll(argv[1]) : 10000000LL;
    const char *path = argc > 2 ? argv[2] : "/tmp/fq-bench-stats.db";
    char cols[1024] = "", qs[256] = "";
    for (int i = 0; i < STAT__COUNT; i++) {
        strcat(cols, i ? ", " : "");
        strcat(cols, stat_counter_name(i));
        strcat(qs, i ? ", ?" : "?");
    }
    /* BENCH_REUSE=1: time the queries on the database a previous run kept (BENCH_KEEP=1) */
    FILE *old = getenv("BENCH_REUSE") ? fopen(path, "rb") : NULL;
    int reuse = old != NULL;
    if (old)
        fclose(old);
    char wal[600];
    snprintf(wal, sizeof wal, "%s-wal", path);
    if (!reuse) {
        remove(path);
        remove(wal);
    }
    struct store *s;
    struct fq_error e = {0};
    struct store_opts so = {.path = path, .create = 1};
    if (store_open(&so, &s, &e)) {
        fprintf(stderr, "store_open: %s\n", e.message);
        return 1;
    }
    double tot = 0;
    for (int i = 0; i < NCAT; i++) {
        tot += 1.0 / (i + 1);
        cat_cdf[i] = tot;
        snprintf(cat_code[i], sizeof cat_code[i], i < 96 ? "%02d%02d" : "G%02d%02d",
                 i < 96 ? i / 6 + 1 : (i - 96) / 5 + 1, i < 96 ? i % 6 + 1 : (i - 96) % 5 + 1);
    }
    for (int i = 0; i < NCAT; i++)
        cat_cdf[i] /= tot;

    int64_t today = day_of_ms(fq_now_ms()), first = today - DAYS + 1;
    double t0 = now_ms();
    long long done = ncases, day_rows = 0, roll_rows = 0;
    sqlite3 *db;
    sqlite3_open(path, &db);
    if (reuse) {
        sqlite3_stmt *cnt;
        sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM stats_day), (SELECT count(*) FROM "
                           "stats_roll), (SELECT sum(intake) FROM stats_roll WHERE dim = 11 AND "
                           "level = 12 AND grain = 0)", -1, &cnt, NULL);
        if (sqlite3_step(cnt) == SQLITE_ROW) {
            day_rows = sqlite3_column_int64(cnt, 0);
            roll_rows = sqlite3_column_int64(cnt, 1);
            done = sqlite3_column_int64(cnt, 2);
        }
        sqlite3_finalize(cnt);
        sqlite3_close(db);
        goto queries;
    }
    sqlite3_exec(
        db,
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000; BEGIN; "
        "DROP INDEX stats_day_division; DROP INDEX stats_day_department", /* built after */
        0, 0, 0);
    char sql[2048];
    sqlite3_stmt *ins_day, *ins_roll;
    snprintf(sql, sizeof sql,
             "INSERT INTO stats_day(day, division, category, channel, grade, department, %s) "
             "VALUES (?,?,?,?,?,?,%s)",
             cols, qs);
    sqlite3_prepare_v2(db, sql, -1, &ins_day, NULL);
    snprintf(
        sql, sizeof sql,
        "INSERT INTO stats_roll(dim, level, grain, division, t, x, %s) VALUES (?,?,?,?,?,?,%s)",
        cols, qs);
    sqlite3_prepare_v2(db, sql, -1, &ins_roll, NULL);

    /* the division tree (the query side lists a subtree's divisions) */
    sqlite3_stmt *ins_div;
    sqlite3_prepare_v2(db,
                       "INSERT INTO divisions(code, name, level, parent) VALUES (?1, ?1, ?2, '')",
                       -1, &ins_div, NULL);
    for (int c = 1; c <= NCOUNTY; c++)
        for (int t = 0; t <= NTOWN; t++)
            for (int v = 0; v <= (t ? NVILL : 0); v++) {
                char code[13];
                snprintf(code, sizeof code, "3312%02d%03d%03d", c, t, v);
                sqlite3_bind_text(ins_div, 1, code, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int(ins_div, 2, v ? 4 : t ? 3 : 2);
                sqlite3_step(ins_div);
                sqlite3_reset(ins_div);
            }
    sqlite3_finalize(ins_div);
    struct map day = {0}, mon = {0}, droll = {0};
    done = 0;
    int cur_month = -1;
    for (int64_t d = first; d <= today + 1; d++) {
        int y, m, dd;
        ymd_from_day(d, &y, &m, &dd);
        int month = y * 12 + m - 1;
        if ((month != cur_month || d > today) && cur_month >= 0) { /* flush the month's roll-ups */
            for (size_t i = 0; i < mon.cap; i++) {
                if (!mon.r[i].used)
                    continue;
                int dim, level;
                char div[16], x[40];
                sscanf(mon.r[i].key, "%d|%d|%15[^|]|%39s", &dim, &level, div, x);
                if (!strcmp(x, "_"))
                    x[0] = 0;
                sqlite3_bind_int(ins_roll, 1, dim);
                sqlite3_bind_int(ins_roll, 2, level);
                sqlite3_bind_int(ins_roll, 3, 0);
                sqlite3_bind_text(ins_roll, 4, div, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int(ins_roll, 5, cur_month);
                sqlite3_bind_text(ins_roll, 6, x, -1, SQLITE_TRANSIENT);
                bind_counters(ins_roll, 7, mon.r[i].v);
                sqlite3_step(ins_roll);
                sqlite3_reset(ins_roll);
                roll_rows++;
            }
            map_clear(&mon);
        }
        if (d > today)
            break;
        cur_month = month;
        long long want = (long long)((double)ncases * (double)(d - first + 1) / DAYS) - done;
        for (long long k = 0; k < want; k++) {
            int county = (int)(rnd() % NCOUNTY), town = (int)(rnd() % NTOWN),
                vill = (int)(rnd() % NVILL);
            char div[13];
            snprintf(div, sizeof div, "3312%02d%03d%03d", county + 1, town + 1, vill + 1);
            int c = pick_cat();
            double u = frand();
            int channel = u < 0.3    ? 1
                          : u < 0.55 ? 2
                          : u < 0.7  ? 0
                          : u < 0.8  ? 3
                          : u < 0.9  ? 4
                          : u < 0.97 ? 5
                                     : 6;
            int grade = frand() < 0.03 ? 0 : 1 + (int)(frand() * frand() * 4);
            int dept = county * NDEPT_PER_COUNTY + c % NDEPT_PER_COUNTY + 1;
            int64_t v[STAT__COUNT];
            synth(v, today - d > 60);
            char key[96];
            snprintf(key, sizeof key, "%s|%s|%d|%d|%d", div, cat_code[c], channel, grade, dept);
            struct row *r = map_get(&day, key);
            for (int i = 0; i < STAT__COUNT; i++)
                r->v[i] += v[i];
            /* the roll-ups sqlite_stats.c keeps (roll_kept): pairs (dims 5-10, x = "a|b") per
             * month at levels 6 and 9 and per day at 6; category and department alone (dims 1, 4)
             * per month and day at 6; no dimension (dim 11, x = "") per month and day at 12 */
            static const int levels[] = {6, 9, 12};
            static const unsigned bits[] = {0, 1, 2, 4, 8, 3, 5, 9, 6, 10, 12, 0};
            for (int l = 0; l < 3; l++) {
                char x[40];
                for (int dim = 1; dim <= 11; dim++) {
                    int o = 0;
                    if ((levels[l] == 12) != (dim == 11) || dim == 2 || dim == 3 ||
                        ((dim == 1 || dim == 4) && levels[l] != 6))
                        continue;
                    if (bits[dim] & 1)
                        o += snprintf(x + o, sizeof x - (size_t)o, "%s|", cat_code[c]);
                    if (bits[dim] & 2)
                        o += snprintf(x + o, sizeof x - (size_t)o, "%d|", channel);
                    if (bits[dim] & 4)
                        o += snprintf(x + o, sizeof x - (size_t)o, "%d|", grade);
                    if (bits[dim] & 8)
                        o += snprintf(x + o, sizeof x - (size_t)o, "%d|", dept);
                    if (o)
                        x[o - 1] = 0;
                    else
                        snprintf(x, sizeof x, "_");
                    snprintf(key, sizeof key, "%d|%d|%.*s|%s", dim, levels[l], levels[l], div, x);
                    r = map_get(&mon, key);
                    for (int i = 0; i < STAT__COUNT; i++)
                        r->v[i] += v[i];
                    if (levels[l] == 9)
                        continue;
                    r = map_get(&droll, key);
                    for (int i = 0; i < STAT__COUNT; i++)
                        r->v[i] += v[i];
                }
            }
        }
        done += want;
        for (size_t i = 0; i < day.cap; i++) {
            if (!day.r[i].used)
                continue;
            char div[16], cat[16];
            int channel, grade, dept;
            sscanf(day.r[i].key, "%15[^|]|%15[^|]|%d|%d|%d", div, cat, &channel, &grade, &dept);
            sqlite3_bind_int64(ins_day, 1, d);
            sqlite3_bind_text(ins_day, 2, div, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins_day, 3, cat, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(ins_day, 4, channel);
            sqlite3_bind_int(ins_day, 5, grade);
            sqlite3_bind_int(ins_day, 6, dept);
            bind_counters(ins_day, 7, day.r[i].v);
            if (sqlite3_step(ins_day) != SQLITE_DONE) {
                fprintf(stderr, "insert: %s\n", sqlite3_errmsg(db));
                return 1;
            }
            sqlite3_reset(ins_day);
            day_rows++;
        }
        map_clear(&day);
        for (size_t i = 0; i < droll.cap; i++) {
            if (!droll.r[i].used)
                continue;
            int dim, level;
            char div[16], x[40];
            sscanf(droll.r[i].key, "%d|%d|%15[^|]|%39s", &dim, &level, div, x);
            if (!strcmp(x, "_"))
                x[0] = 0;
            sqlite3_bind_int(ins_roll, 1, dim);
            sqlite3_bind_int(ins_roll, 2, level);
            sqlite3_bind_int(ins_roll, 3, 1);
            sqlite3_bind_text(ins_roll, 4, div, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(ins_roll, 5, d);
            sqlite3_bind_text(ins_roll, 6, x, -1, SQLITE_TRANSIENT);
            bind_counters(ins_roll, 7, droll.r[i].v);
            sqlite3_step(ins_roll);
            sqlite3_reset(ins_roll);
            roll_rows++;
        }
        map_clear(&droll);
        if ((d - first) % 100 == 0)
            fprintf(stderr, "\rloading: %lld cases", done);
    }
    sqlite3_finalize(ins_day);
    sqlite3_finalize(ins_roll);
    sqlite3_exec(db,
                 "CREATE INDEX stats_day_division ON stats_day(division, day); "
                 "CREATE INDEX stats_day_department ON stats_day(department, day); "
                 "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)",
                 0, 0, 0);
    sqlite3_close(db);
    fprintf(stderr, "\rloaded %lld cases: %lld stats_day rows, %lld stats_roll rows in %.1f s\n",
            done, day_rows, roll_rows, (now_ms() - t0) / 1000);

    /* ---- the dashboard queries ---- */
queries:;
    int y, m, dd;
    ymd_from_day(today, &y, &m, &dd);
    int64_t year_start = day_from_ymd(y, 1, 1), month_start = day_from_ymd(y, m, 1);
    int64_t last_month = day_from_ymd(m == 1 ? y - 1 : y, m == 1 ? 12 : m - 1, 1);
    struct store_stats_query base;
    memset(&base, 0, sizeof base);
    base.channel = base.grade = -1;
    base.to_day = today + 1;
    struct q qs_[] = {
        {"city, year to date, by county", base, 0},
        {"city, last month, by category", base, 0},
        {"county, year to date, by township", base, 0},
        {"township, last 12 months, by month", base, 0},
        {"village, year to date, by category (level 1)", base, 0},
        {"city, year to date, by channel", base, 0},
        {"city, last 30 days, by day", base, 0},
        {"city, year to date, department ranking", base, 1},
        {"county, year to date, by department", base, 0},
        {"city, 3 years, total", base, 0},
        {"city, year to date, channel+grade filter, by county", base, 0},
        {"city, year to date, category x channel filter, by county", base, 0},
        {"county, year to date, department x category filter, by month", base, 0},
        {"city, year to date, channel filter, department ranking", base, 1},
        {"city, month to date, channel filter, by category", base, 0},
        {"county, year to date, by village", base, 0},
        {"city, year to date, department+channel+grade filter (stats_day)", base, 0},
        {"township, month to date, by category", base, 0},
        {"county, month to date, department+channel+grade filter, by day", base, 0},
        {"county, year to date, channel filter, by township", base, 0},
    };
    int nq = (int)(sizeof qs_ / sizeof qs_[0]);
    qs_[0].q.from_day = year_start, qs_[0].q.group = SG_DIVISION, qs_[0].q.division_digits = 6;
    qs_[1].q.from_day = last_month, qs_[1].q.to_day = month_start, qs_[1].q.group = SG_CATEGORY;
    qs_[2].q.from_day = year_start, qs_[2].q.group = SG_DIVISION, qs_[2].q.division_digits = 9;
    snprintf(qs_[2].q.division, 13, "331203000000");
    qs_[3].q.from_day = today - 365, qs_[3].q.group = SG_MONTH;
    snprintf(qs_[3].q.division, 13, "331203005000");
    qs_[4].q.from_day = year_start, qs_[4].q.group = SG_CATEGORY1;
    snprintf(qs_[4].q.division, 13, "331203005007");
    qs_[5].q.from_day = year_start, qs_[5].q.group = SG_CHANNEL;
    qs_[6].q.from_day = today - 29, qs_[6].q.group = SG_DAY;
    qs_[7].q.from_day = year_start;
    qs_[8].q.from_day = year_start, qs_[8].q.group = SG_DEPARTMENT;
    snprintf(qs_[8].q.division, 13, "331203000000");
    qs_[9].q.from_day = first, qs_[9].q.group = SG_NONE;
    qs_[10].q.from_day = year_start, qs_[10].q.group = SG_DIVISION, qs_[10].q.division_digits = 6;
    qs_[10].q.channel = 1, qs_[10].q.grade = 2;
    qs_[11].q.from_day = year_start, qs_[11].q.group = SG_DIVISION, qs_[11].q.division_digits = 6;
    snprintf(qs_[11].q.category, 16, "%s", cat_code[3]);
    qs_[11].q.channel = 1;
    qs_[12].q.from_day = year_start, qs_[12].q.group = SG_MONTH;
    snprintf(qs_[12].q.division, 13, "331203000000");
    snprintf(qs_[12].q.category, 16, "%s", cat_code[3]);
    qs_[12].q.department = 2 * NDEPT_PER_COUNTY + 3 % NDEPT_PER_COUNTY + 1;
    qs_[13].q.from_day = year_start, qs_[13].q.channel = 2;
    qs_[14].q.from_day = month_start, qs_[14].q.group = SG_CATEGORY, qs_[14].q.channel = 1;
    qs_[15].q.from_day = year_start, qs_[15].q.group = SG_DIVISION, qs_[15].q.division_digits = 12;
    snprintf(qs_[15].q.division, 13, "331203000000");
    qs_[16].q.from_day = year_start, qs_[16].q.group = SG_DIVISION, qs_[16].q.division_digits = 6;
    qs_[16].q.department = qs_[12].q.department, qs_[16].q.channel = 1, qs_[16].q.grade = 2;
    qs_[17].q.from_day = month_start, qs_[17].q.group = SG_CATEGORY;
    snprintf(qs_[17].q.division, 13, "331203005000");
    qs_[18].q = qs_[16].q;
    qs_[18].q.from_day = month_start, qs_[18].q.group = SG_DAY;
    snprintf(qs_[18].q.division, 13, "331203000000");
    qs_[19].q = qs_[2].q;
    qs_[19].q.channel = 1;

    struct store_rd *rd = store_rd(s);
    printf("\n### Statistics: dashboard queries over %lld cases\n\n", done);
    printf(
        "Aggregates: %lld `stats_day` rows, %lld `stats_roll` rows (%s %.0f s). Warm cache, "
        "median and max of 21 runs each, one thread, through `store_stats_sum` / "
        "`stats_ranking`; CPU ms: the thread's CPU time (what a shared machine's load does not "
        "inflate).\n\n",
        day_rows, roll_rows, reuse ? "kept database, opened in" : "loaded in",
        (now_ms() - t0) / 1000);
    printf("| query | groups | median ms | max ms | median CPU ms |\n|---|---:|---:|---:|---:|\n");
    for (int i = 0; i < nq; i++) {
        double t[21], cpu[21];
        int64_t sunk = 0;
        size_t groups = 0;
        for (int k = 0; k < 21; k++) {
            double a = now_ms(), ca = clock_ms(CLOCK_THREAD_CPUTIME_ID);
            if (qs_[i].ranking) {
                json_t *out = NULL;
                stats_ranking(NULL, rd, &qs_[i].q, 0, &out);
                groups = json_array_size(json_object_get(out, "items"));
                json_decref(out);
            } else {
                sunk = 0;
                store_stats_sum(rd, &qs_[i].q, sink, &sunk);
            }
            t[k] = now_ms() - a;
            cpu[k] = clock_ms(CLOCK_THREAD_CPUTIME_ID) - ca;
        }
        if (!qs_[i].ranking)
            groups = (size_t)sunk;
        for (int a = 0; a < 21; a++)
            for (int b = a + 1; b < 21; b++)
            {
                if (t[b] < t[a]) {
                    double x = t[a];
                    t[a] = t[b];
                    t[b] = x;
                }
                if (cpu[b] < cpu[a]) {
                    double x = cpu[a];
                    cpu[a] = cpu[b];
                    cpu[b] = x;
                }
            }
        printf("| %s | %zu | %.1f | %.1f | %.1f |\n", qs_[i].name, groups, t[10], t[20], cpu[10]);
        fflush(stdout);
    }
    store_close(s);
    return 0;
}
