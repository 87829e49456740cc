/* Early-warning benchmark and evaluation on a demo database built with `fengqiao demo --surges`.
 *
 * 1. Times warn_compute over the whole city (every grid, village and township) at the database's
 *    last case, several times, and prints the median.
 * 2. Replays time hour by hour over the last DAYS days (default 180) with the same tests the
 *    server uses, at grid, village and township level: the count surge test (warn_forecast on
 *    rolling 24-hour counts, gated by warn_one_matter as warn_score does) alone ("old" detector)
 *    and together with the escalation test
 *    (warn_escalation_test on the cases of the last 14 days, grids and villages, run in the hours
 *    an area received a case: between arrivals its evidence can only fall) ("new" detector).
 *    An alert episode of an area starts when the test fires and no alert of that area fired in
 *    the 72 hours before (the server's dedupe). An episode is true when the area holds a planted
 *    surge's grid and it starts within [from - 24 h, to + 24 h] of the surge; otherwise false.
 *    A surge's peak is the end of the 24-hour window holding most of its grid's cases. Prints the
 *    share of surges detected at all and >= 24 h before the peak, the false-alarm rate, and the
 *    median time from a surge's first case to its first alert (what counts for sudden shocks).
 *
 * Usage: warn_bench DB [DAYS] */
#include "core/textsim.h"
#include "core/warning.h"
#include "store/store_warning.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOUR 3600000LL
#define DAY (24 * HOUR)

enum { OLD, NEW, NDET }; /* the detectors compared */

struct area {
    char code[24];
    int kind;
    int64_t *t; /* sorted creation times */
    int *row;   /* the case of each time (index into rows) */
    int n, cap;
    int64_t last_alert[NDET]; /* 0 = none */
};

static struct area *areas;
static int nareas, capareas;
static int64_t tmax;

static struct area *area_get(const char *code, int kind)
{
    for (int i = nareas - 1; i >= 0 && i >= nareas - 8; i--) /* cases cluster by area rarely */
        if (!strcmp(areas[i].code, code))
            return &areas[i];
    for (int i = 0; i < nareas; i++)
        if (!strcmp(areas[i].code, code))
            return &areas[i];
    if (nareas == capareas) {
        capareas = capareas ? capareas * 2 : 4096;
        areas = realloc(areas, (size_t)capareas * sizeof *areas);
    }
    struct area *a = &areas[nareas++];
    memset(a, 0, sizeof *a);
    snprintf(a->code, sizeof a->code, "%s", code);
    a->kind = kind;
    return a;
}

static void area_push(struct area *a, int64_t t, int row)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->t = realloc(a->t, (size_t)a->cap * sizeof *a->t);
        a->row = realloc(a->row, (size_t)a->cap * sizeof *a->row);
    }
    a->row[a->n] = row;
    a->t[a->n++] = t;
}

struct caserow {
    int64_t t;
    char grid[24], village[16], town[16];
    struct warn_recent r; /* r.sh and r.place set once the pool stops moving */
    size_t off;
    uint32_t category; /* hash of the category code, 0 when not yet categorised */
};
static uint32_t *pool;
static size_t npool, cappool;
static struct caserow *rows;
static int nrows, caprows;

static int on_case(const struct store_warn_case *c, void *arg)
{
    (void)arg;
    if (strlen(c->division) < 12)
        return 0;
    if (nrows == caprows) {
        caprows = caprows ? caprows * 2 : 65536;
        rows = realloc(rows, (size_t)caprows * sizeof *rows);
    }
    struct caserow *r = &rows[nrows++];
    r->t = c->created_at;
    snprintf(r->grid, sizeof r->grid, "%s", c->grid);
    snprintf(r->village, sizeof r->village, "%.12s", c->division);
    snprintf(r->town, sizeof r->town, "%.9s000", c->division);
    char text[2048];
    uint32_t sh[512];
    snprintf(text, sizeof text, "%s。%s", c->title, c->description);
    int nsh = textsim_shingles(text, sh, 256);
    int nplace = textsim_shingles(c->address, sh + nsh, 256);
    if (npool + (size_t)(nsh + nplace) > cappool) {
        cappool = cappool ? cappool * 2 : 1 << 20;
        pool = realloc(pool, cappool * sizeof *pool);
    }
    memcpy(pool + npool, sh, (size_t)(nsh + nplace) * sizeof *sh);
    memset(&r->r, 0, sizeof r->r);
    r->r.at = c->created_at;
    r->r.nsh = nsh;
    r->r.nplace = nplace;
    r->category = 0;
    for (const char *p = c->category; *p; p++) /* FNV-1a; 0 stays "none" */
        r->category = (r->category ? r->category : 2166136261u) ^ (unsigned char)*p,
        r->category *= 16777619u;
    r->r.people = c->people_count;
    r->r.threat = warn_text_threat(c->title) || warn_text_threat(c->description);
    r->r.repeat = c->repeat_of > 0;
    r->off = npool;
    npool += (size_t)(nsh + nplace);
    if (c->created_at > tmax)
        tmax = c->created_at;
    return 0;
}

static int cmp_row(const void *a, const void *b)
{
    int64_t x = ((const struct caserow *)a)->t, y = ((const struct caserow *)b)->t;
    return x < y ? -1 : x > y;
}

/* index of the first time >= t */
static int lower(const struct area *a, int64_t t)
{
    int lo = 0, hi = a->n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (a->t[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct surge {
    char label[64], grid[24], village[16], town[16], model[16];
    int64_t from, to, peak, first_alert[NDET];
    int cases, precursors;
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: warn_bench DB [DAYS]\n");
        return 2;
    }
    int days = argc > 2 ? atoi(argv[2]) : 180;
    struct store *s = NULL;
    struct fq_error e = {0};
    struct store_opts o = {.path = argv[1]}; /* read-write: migrates an older demo database */
    if (store_open(&o, &s, &e)) {
        fprintf(stderr, "open: %s\n", e.message);
        return 1;
    }
    struct store_rd *rd = store_rd(s);
    struct warn_config c;
    warn_config_load(rd, &c);

    /* 1. whole-city recompute */
    if (store_warn_scan(rd, "", 0, INT64_MAX, on_case, NULL))
        return 1;
    double t[7], cpu[7];
    int nareas_city = 0;
    for (int i = 0; i < 7; i++) {
        struct warn_result *r = NULL;
        double t0 = now_s(), c0 = cpu_s();
        if (warn_compute(rd, &c, "", tmax + 1, &r))
            return 1;
        t[i] = now_s() - t0;
        cpu[i] = cpu_s() - c0;
        nareas_city = r->n;
        int lv[WL__COUNT] = {0}, surges = 0;
        for (int k = 0; k < r->n; k++) {
            lv[r->scores[k].level]++;
            surges += r->scores[k].fc.surge;
        }
        if (i == 0)
            printf("levels now: blue %d, yellow %d, orange %d, red %d; surge flags %d\n", lv[0],
                   lv[1], lv[2], lv[3], surges);
        warn_result_free(r);
    }
    qsort(t, 7, sizeof t[0], cmp_double);
    qsort(cpu, 7, sizeof cpu[0], cmp_double);
    printf("| whole-city recompute (%d cases in DB, %d areas) | median %.0f ms | min %.0f ms | max "
           "%.0f ms | CPU median %.0f ms, min %.0f ms |\n",
           nrows, nareas_city, t[3] * 1000, t[0] * 1000, t[6] * 1000, cpu[3] * 1000,
           cpu[0] * 1000);
    /* the same without the escalation test: what it costs */
    struct warn_config off = c;
    off.esc_at = 0;
    double cpu_off[7];
    for (int i = 0; i < 7; i++) {
        struct warn_result *r = NULL;
        double c0 = cpu_s();
        if (warn_compute(rd, &off, "", tmax + 1, &r))
            return 1;
        cpu_off[i] = cpu_s() - c0;
        warn_result_free(r);
    }
    qsort(cpu_off, 7, sizeof cpu_off[0], cmp_double);
    printf("| whole-city recompute without the escalation test | CPU median %.0f ms, min %.0f ms "
           "|\n",
           cpu_off[3] * 1000, cpu_off[0] * 1000);

    /* 2. replay */
    qsort(rows, (size_t)nrows, sizeof *rows, cmp_row);
    for (int i = 0; i < nrows; i++) {
        rows[i].r.sh = pool + rows[i].off;
        rows[i].r.place = rows[i].r.sh + rows[i].r.nsh;
        if (rows[i].grid[0])
            area_push(area_get(rows[i].grid, WA_GRID), rows[i].t, i);
        area_push(area_get(rows[i].village, WA_VILLAGE), rows[i].t, i);
        area_push(area_get(rows[i].town, WA_TOWNSHIP), rows[i].t, i);
    }
    struct surge sg[64];
    int nsg = 0;
    char buf[8192];
    json_t *js = NULL;
    if (!store_setting_get(rd, "demo.surges", buf, sizeof buf))
        js = json_loads(buf, 0, NULL);
    size_t k;
    json_t *v;
    json_array_foreach(js, k, v)
    {
        if (nsg == 64)
            break;
        struct surge *x = &sg[nsg++];
        memset(x, 0, sizeof *x);
        snprintf(x->label, sizeof x->label, "%s", json_string_value(json_object_get(v, "label")));
        snprintf(x->grid, sizeof x->grid, "%s", json_string_value(json_object_get(v, "grid")));
        snprintf(x->village, sizeof x->village, "%s",
                 json_string_value(json_object_get(v, "division")));
        snprintf(x->town, sizeof x->town, "%.9s000", x->village);
        ms_parse(json_string_value(json_object_get(v, "from")), &x->from);
        ms_parse(json_string_value(json_object_get(v, "to")), &x->to);
        x->cases = (int)json_integer_value(json_object_get(v, "cases"));
        x->precursors = (int)json_integer_value(json_object_get(v, "precursors"));
        const char *model = json_string_value(json_object_get(v, "precursor_model"));
        snprintf(x->model, sizeof x->model, "%s", model ? model : "burst");
        /* peak: end of the 24 h window with most of the grid's cases */
        struct area *g = area_get(x->grid, WA_GRID);
        int best = -1;
        for (int64_t h = x->from; h <= x->to + DAY; h += HOUR) {
            int cnt = lower(g, h) - lower(g, h - DAY);
            if (cnt > best) {
                best = cnt;
                x->peak = h;
            }
        }
    }
    json_decref(js);

    int64_t start = (tmax / HOUR + 1) * HOUR - (int64_t)days * DAY, end = (tmax / HOUR + 1) * HOUR;
    int episodes[NDET] = {0}, false_eps[NDET] = {0}, evals = 0, esc_evals = 0, esc_false = 0;
    int64_t area_hours = 0;
    struct warn_recent *win = malloc(sizeof *win * (size_t)(nrows ? nrows : 1));
    double t0 = now_s();
    for (int64_t now = start; now <= end; now += HOUR) {
        int dow_next = day_weekday(day_of_ms(now + DAY / 2)) - 1;
        for (int i = 0; i < nareas; i++) {
            struct area *a = &areas[i];
            area_hours++;
            int hi = lower(a, now), fired[NDET] = {0}, esc = 0;
            struct warn_forecast fc = {0};
            struct warn_escalation e = {0};
            if (hi - lower(a, now - 3 * DAY) >= c.surge_min) {
                int day[WARN_DAYS] = {0};
                for (int j = hi - 1; j >= 0; j--) {
                    int64_t d = (now - a->t[j]) / DAY;
                    if (d >= WARN_DAYS)
                        break;
                    day[d]++;
                }
                evals++;
                warn_forecast(day, WARN_DAYS, dow_next, &c, &fc);
                if (fc.surge) { /* as warn_score: a surge of one matter (warn_one_matter) */
                    int lo = lower(a, now - 2 * DAY), n48 = 0, same48 = 0;
                    for (int j = lo; j < hi; j++) {
                        uint32_t cat = rows[a->row[j]].category;
                        if (!cat)
                            continue;
                        n48++;
                        int same = 0;
                        for (int q = lo; q < hi; q++)
                            same += rows[a->row[q]].category == cat;
                        if (same > same48)
                            same48 = same;
                    }
                    fc.surge = warn_one_matter(same48, n48);
                }
            }
            /* the escalation test: grids and villages that received a case in the last hour */
            if (a->kind != WA_TOWNSHIP && c.esc_at > 0 && hi > 0 && a->t[hi - 1] >= now - HOUR) {
                int lo = lower(a, now - (int64_t)WARN_ESC_DAYS * DAY), m = 0;
                for (int j = lo; j < hi; j++)
                    win[m++] = rows[a->row[j]].r;
                esc_evals++;
                warn_escalation_test(win, m, now, &c, &e);
                esc = e.fired;
            }
            fired[OLD] = fc.surge;
            fired[NEW] = fc.surge || esc;
            for (int det = 0; det < NDET; det++) {
                if (!fired[det])
                    continue;
                int fresh = !a->last_alert[det] || now - a->last_alert[det] > 3 * DAY;
                a->last_alert[det] = now;
                if (!fresh)
                    continue;
                episodes[det]++;
                int truth = 0;
                for (int q = 0; q < nsg; q++) {
                    struct surge *x = &sg[q];
                    const char *code = a->kind == WA_GRID      ? x->grid
                                       : a->kind == WA_VILLAGE ? x->village
                                                               : x->town;
                    if (!strcmp(code, a->code) && now >= x->from - DAY && now <= x->to + DAY) {
                        truth = 1;
                        if (!x->first_alert[det] || now < x->first_alert[det])
                            x->first_alert[det] = now;
                    }
                }
                if (!truth) {
                    false_eps[det]++;
                    esc_false += det == NEW && !fc.surge;
                    char at[26];
                    ms_format(now, at);
                    printf("  false alarm (%s): %s %s at %s (24h %d, 48h %d, baseline %.3f/day",
                           det == OLD ? "old" : "new", warn_area_kind_name(a->kind), a->code, at,
                           fc.obs24, fc.obs48, fc.baseline);
                    if (!fc.surge)
                        printf("; escalation: %d related, %d in 72 h, %d threat, people %d->%d, "
                               "%d repeat, score %.0f",
                               e.cases, e.recent, e.threat, e.people_first, e.people_last,
                               e.repeat, e.score);
                    printf(")\n");
                }
            }
        }
    }
    double replay_s = now_s() - t0;
    int detected[NDET] = {0}, early[NDET] = {0};
    double after[NDET][64]; /* hours from a surge's start (first case) to its first alert */
    printf("\n| surge | precursors | grid | cases | from | peak | lead old (h) | lead new (h) "
           "| after start new (h) |\n|---|---|---|---|---|---|---|---|---|\n");
    for (int q = 0; q < nsg; q++) {
        struct surge *x = &sg[q];
        char f[26], p[26], lead[NDET][16];
        ms_format(x->from, f);
        ms_format(x->peak, p);
        for (int det = 0; det < NDET; det++) {
            snprintf(lead[det], sizeof lead[det], "—");
            if (x->first_alert[det]) {
                double l = (double)(x->peak - x->first_alert[det]) / HOUR;
                snprintf(lead[det], sizeof lead[det], "%.0f", l);
                after[det][detected[det]] = (double)(x->first_alert[det] - x->from) / HOUR;
                detected[det]++;
                early[det] += l >= 24;
            }
        }
        char aft[16] = "—";
        if (x->first_alert[NEW])
            snprintf(aft, sizeof aft, "%.0f", (double)(x->first_alert[NEW] - x->from) / HOUR);
        printf("| %s | %s %d | %s | %d | %.16s | %.16s | %s | %s | %s |\n", x->label, x->model,
               x->precursors, x->grid, x->cases, f, p, lead[OLD], lead[NEW], aft);
    }
    printf("\nreplay: %d days hour by hour, %d areas, %lld area-hours, %d surge tests, %d "
           "escalation tests, %.1f s\n",
           days, nareas, (long long)area_hours, evals, esc_evals, replay_s);
    for (int det = 0; det < NDET; det++)
        printf("%s detector: surges %d, detected %d, >= 24 h before peak %d, episodes %d, false "
               "%d, false-alarm rate %.1f %% (%.3f false alerts per 1000 area-days)\n",
               det == OLD ? "old (count test)" : "new (count + escalation)", nsg, detected[det],
               early[det], episodes[det], false_eps[det],
               episodes[det] ? 100.0 * false_eps[det] / episodes[det] : 0,
               1000.0 * false_eps[det] / ((double)area_hours / 24));
    for (int det = 0; det < NDET; det++) {
        qsort(after[det], (size_t)detected[det], sizeof after[det][0], cmp_double);
        if (detected[det])
            printf("%s detector: median %.0f h from a surge's first case to its first alert\n",
                   det == OLD ? "old" : "new", after[det][detected[det] / 2]);
    }
    printf("(new detector's false alarms raised by the escalation test alone: %d)\n", esc_false);
    printf("| TSV | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d |\n", nsg, detected[OLD],
           early[OLD], episodes[OLD], false_eps[OLD], detected[NEW], early[NEW], episodes[NEW],
           false_eps[NEW], esc_false);
    free(win);
    store_close(s);
    return 0;
}
