/* fengqiao check: SQLite integrity check, then every case's event hash chain recomputed from its
 * first event; any break (edited, deleted or reordered event) makes the exit status non-zero.
 * Last, the statistics aggregates summed in several groupings must equal the same sums over the
 * per-case snapshots (stats_case, written with each case). */
#include "cmd/cmd.h"
#include "core/chain.h"
#include "core/stats.h"
#include "store/store_stats.h"
#include "util/clock.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Chain state of the case being walked; cases are visited in id order, events in seq order. */
struct walk {
    int64_t case_id, seq, done, total, breaks;
    unsigned char prev[FQ_HASH_LEN];
    /* case id → code and expected head, filled by the case scan */
    int64_t *ids, *seqs;
    char (*codes)[FQ_CODE_LEN + 1];
    unsigned char (*heads)[FQ_HASH_LEN];
    int64_t ncases, cap, cursor;
};

static int collect_case(int64_t id, const char *code, int64_t seq, const unsigned char head[FQ_HASH_LEN],
                        void *arg)
{
    struct walk *w = arg;
    if (w->ncases == w->cap) {
        int64_t cap = w->cap ? w->cap * 2 : 4096;
        void *a = realloc(w->ids, (size_t)cap * sizeof *w->ids), *b = realloc(w->seqs, (size_t)cap * sizeof *w->seqs);
        if (a)
            w->ids = a;
        if (b)
            w->seqs = b;
        void *c = realloc(w->codes, (size_t)cap * sizeof *w->codes), *d = realloc(w->heads, (size_t)cap * sizeof *w->heads);
        if (c)
            w->codes = c;
        if (d)
            w->heads = d;
        if (!a || !b || !c || !d)
            return FQ_ENOMEM;
        w->cap = cap;
    }
    w->ids[w->ncases] = id;
    w->seqs[w->ncases] = seq;
    snprintf(w->codes[w->ncases], FQ_CODE_LEN + 1, "%s", code);
    memcpy(w->heads[w->ncases], head, FQ_HASH_LEN);
    w->ncases++;
    return 0;
}

static void report(struct walk *w, const char *code, int64_t seq, const char *what)
{
    if (w->breaks++ < 20)
        fprintf(stderr, "\nchain break: case %s event %lld: %s\n", code, (long long)seq, what);
}

/* Closes the case the walk is on: its last event must be the head the case row records. */
static void finish_case(struct walk *w)
{
    if (w->cursor < 0 || w->cursor >= w->ncases)
        return;
    if (w->seq != w->seqs[w->cursor] || memcmp(w->prev, w->heads[w->cursor], FQ_HASH_LEN))
        report(w, w->codes[w->cursor], w->seq, "last event does not match the case's recorded head (events missing?)");
}

static int check_event(const struct fq_event *ev, void *arg)
{
    struct walk *w = arg;
    if (ev->case_id != w->case_id) {
        finish_case(w);
        while (w->cursor + 1 < w->ncases && w->ids[w->cursor + 1] < ev->case_id) {
            w->cursor++; /* a case with no events at all */
            report(w, w->codes[w->cursor], 0, "case has no events");
        }
        w->cursor++;
        if (w->cursor >= w->ncases || w->ids[w->cursor] != ev->case_id) {
            report(w, "?", ev->seq, "event belongs to no case");
            w->cursor--;
        }
        w->case_id = ev->case_id;
        w->seq = 0;
        memset(w->prev, 0, FQ_HASH_LEN);
    }
    const char *code = w->cursor >= 0 && w->cursor < w->ncases ? w->codes[w->cursor] : "?";
    unsigned char h[FQ_HASH_LEN];
    if (ev->seq != w->seq + 1)
        report(w, code, ev->seq, "sequence gap");
    if (memcmp(ev->prev_hash, w->prev, FQ_HASH_LEN))
        report(w, code, ev->seq, "previous-hash link broken");
    chain_hash(code, ev, h);
    if (memcmp(h, ev->hash, FQ_HASH_LEN))
        report(w, code, ev->seq, "event content does not match its hash (edited?)");
    w->seq = ev->seq;
    memcpy(w->prev, ev->hash, FQ_HASH_LEN);
    if (++w->done % 4096 == 0 || w->done == w->total)
        cmd_progress("verifying event chains", w->done, w->total);
    return 0;
}

/* ---- statistics ---- */

struct stat_row {
    char key[40];
    int64_t v[STAT__COUNT];
};

struct stat_rows {
    struct stat_row *r;
    int n, cap;
};

static int collect_stat(const char *key, const int64_t v[STAT__COUNT], void *arg)
{
    struct stat_rows *rs = arg;
    int zero = 1;
    for (int i = 0; i < STAT__COUNT; i++)
        zero &= v[i] == 0;
    if (zero)
        return 0; /* an emptied row and a missing one are the same */
    if (rs->n == rs->cap) {
        int cap = rs->cap ? rs->cap * 2 : 1024;
        struct stat_row *r = realloc(rs->r, (size_t)cap * sizeof *r);
        if (!r)
            return 1;
        rs->r = r;
        rs->cap = cap;
    }
    snprintf(rs->r[rs->n].key, sizeof rs->r[rs->n].key, "%s", key);
    memcpy(rs->r[rs->n].v, v, sizeof rs->r[rs->n].v);
    rs->n++;
    return 0;
}

static int row_cmp(const void *a, const void *b)
{
    return strcmp(((const struct stat_row *)a)->key, ((const struct stat_row *)b)->key);
}

/* The aggregates against the snapshots, grouped by village, day, department, category and
 * channel over all time. Returns the number of differing groups (printed), -1 if unreadable. */
static int check_stats(struct store_rd *rd)
{
    static const int groups[] = {SG_DIVISION, SG_DAY, SG_DEPARTMENT, SG_CATEGORY, SG_CHANNEL};
    char from[64];
    if (!store_has_table(rd, "stats_case"))
        return 0;
    if (store_setting_get(rd, "stats.pending", from, sizeof from) == 0) {
        printf("statistics: the intakes of the cases with ids %s%s were still deferred when the "
               "writer stopped; the next writable open adds them (not compared)\n", from,
               strlen(from) + 1 == sizeof from ? "..." : "");
        return 0;
    }
    struct stat_rows agg = {0}, snap = {0};
    int bad = 0, rows = 0;
    for (size_t g = 0; bad >= 0 && g < sizeof groups / sizeof groups[0]; g++) {
        struct store_stats_query q;
        memset(&q, 0, sizeof q);
        q.from_day = day_from_ymd(1990, 1, 1);
        q.to_day = day_from_ymd(2100, 1, 1);
        q.channel = q.grade = -1;
        q.group = groups[g];
        q.division_digits = 12;
        agg.n = snap.n = 0;
        if (store_stats_sum(rd, &q, collect_stat, &agg) ||
            store_stats_sum_snapshots(rd, &q, collect_stat, &snap)) {
            bad = -1;
            break;
        }
        qsort(agg.r, (size_t)agg.n, sizeof *agg.r, row_cmp);
        qsort(snap.r, (size_t)snap.n, sizeof *snap.r, row_cmp);
        rows += snap.n;
        for (int i = 0, j = 0; i < agg.n || j < snap.n;) {
            int c = i == agg.n ? 1 : j == snap.n ? -1 : row_cmp(&agg.r[i], &snap.r[j]);
            const struct stat_row *a = c <= 0 ? &agg.r[i] : NULL, *b = c >= 0 ? &snap.r[j] : NULL;
            i += c <= 0;
            j += c >= 0;
            for (int k = 0; k < STAT__COUNT; k++)
                if ((a ? a->v[k] : 0) != (b ? b->v[k] : 0)) {
                    if (bad++ < 20)
                        fprintf(stderr, "\nstatistics: %s %s, %s: aggregates %lld, snapshots %lld\n",
                                stats_group_name(groups[g]), (a ? a : b)->key, stat_counter_name(k),
                                (long long)(a ? a->v[k] : 0), (long long)(b ? b->v[k] : 0));
                    break;
                }
        }
    }
    free(agg.r);
    free(snap.r);
    if (bad == 0)
        printf("statistics: %d groups in %d groupings equal to the per-case snapshots\n", rows,
               (int)(sizeof groups / sizeof groups[0]));
    return bad;
}

int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {CMD_PATH_OPTIONS, {0, 0, 0, 0}};
    struct cmd_paths p;
    int c;
    cmd_paths_init(&p);
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (cmd_paths_opt(&p, c, optarg))
            continue;
        printf("Usage: fengqiao check [options]\n\nRuns SQLite's integrity check and verifies every case's event hash\n"
               "chain. Exits 0 when all is well, 1 on any break.\n\n" CMD_PATH_HELP);
        return c == 'h' ? 0 : 2;
    }
    struct store *s;
    if (cmd_open(&p, 1, &s, NULL))
        return 1;
    struct store_rd *rd = store_rd(s);
    struct fq_error e = {0};
    int status = 0;
    cmd_progress("integrity check", 0, 1);
    if (!rd || store_integrity_check(rd, &e)) {
        fprintf(stderr, "\nintegrity check failed: %s\n", e.message);
        status = 1;
    } else {
        cmd_progress("integrity check", 1, 1);
    }
    struct walk w;
    memset(&w, 0, sizeof w);
    w.cursor = -1;
    w.case_id = -1;
    if (rd && store_cases_scan(rd, collect_case, &w) == 0 && store_events_scan(rd, check_event, &w, &w.total) == 0) {
        finish_case(&w);
        while (w.cursor + 1 < w.ncases) {
            w.cursor++;
            report(&w, w.codes[w.cursor], 0, "case has no events");
        }
        if (w.total == 0)
            cmd_progress("verifying event chains", 0, 0);
        printf("%lld cases, %lld events checked, %lld breaks\n", (long long)w.ncases, (long long)w.done,
               (long long)w.breaks);
        if (w.breaks)
            status = 1;
    } else {
        fprintf(stderr, "cannot read events\n");
        status = 1;
    }
    free(w.ids);
    free(w.seqs);
    free(w.codes);
    free(w.heads);
    int sbad = rd ? check_stats(rd) : -1;
    if (sbad) {
        fprintf(stderr, sbad < 0 ? "cannot read the statistics\n"
                                 : "statistics: %d groups differ from the snapshots\n", sbad);
        status = 1;
    }
    store_close(s);
    printf("%s\n", status ? "CHECK FAILED" : "check ok");
    return status;
}
