/* fengqiao check: SQLite integrity check, then every case's event hash chain recomputed from its
 * first event; any break (edited, deleted or reordered event) makes the exit status non-zero. */
#include "cmd/cmd.h"
#include "core/chain.h"

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
    store_close(s);
    printf("%s\n", status ? "CHECK FAILED" : "check ok");
    return status;
}
