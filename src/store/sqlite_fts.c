/* Chinese full-text search over cases: the case_fts index, kept current from the fts_pending
 * queue that the very transaction writing a case, a note or a mediation record fills (triggers,
 * and since migration 14 store_tx_case_insert and store_tx_event_insert for new cases and
 * notes), and the ranked search.
 *
 * The index is an ordinary FTS5 table (it keeps its own copy of the text) keyed by case id, with
 * the text columns title, description, notes (the text of every "note" event, in order) and
 * mediation (content and agreement of every mediation record), and a fifth column, area: the
 * case's division code at every level ("33 3306 330681 330681001 330681001002"), so that a
 * division scope or filter is part of the full-text query itself (FTS5 intersects the doclists)
 * instead of a filter applied row by row to every match. An external-content table over a view
 * would save the copy of the text, but its deletes must replay exactly the text once indexed,
 * and a mismatch silently corrupts the index; the copy costs about the size of the indexed text.
 * Tokens come from the fq_cjk tokenizer (fts_tokenizer.h), registered on every connection.
 *
 * A query is built here, never taken from the user as FTS5 syntax: each space-separated word of
 * q becomes one quoted string — which the tokenizer turns into a phrase of bigrams — restricted
 * to the text columns, and the words are ANDed (fts_match.h parses q once for both uses).
 *
 * Every search does a bounded amount of work (docs/SEARCH.md has the measurements):
 *   - It walks the index newest first, window by window of case ids (below `before`, given by
 *     the caller to continue into older cases), and takes the newest SEARCH_CANDIDATES matches
 *     that pass the filter. An AND of two common words whose intersection is small makes FTS5
 *     read both doclists end to end — linear in the number of cases, ~10 ms a million — so
 *     without windows such a query took 120 ms at 4 million cases. The first window holds
 *     SEARCH_SPAN ids; more follow while the CPU spent stays under SEARCH_BUDGET_MS (walk()),
 *     which is also checked between rows (a selective filter).
 *     The reply says how far back it searched (older), so a client can go on.
 *   - The candidates are scored with fq_rank (fts_rank.h: BM25 without IDF, title weighted 4);
 *     the page is cut from them and its snippets are made from the current text in C
 *     (fts_match.h) — an FTS5 snippet() per row costs a seek per bigram per segment.
 *   - Cases queued for indexing (fts_pending, see below) are read and matched directly, the
 *     newest PENDING_SCAN_MAX of the window: a search never writes and never waits for the
 *     writer, however long the queue after a burst of intakes. */
#include "store/fts_match.h"
#include "store/fts_rank.h"
#include "store/fts_tokenizer.h"
#include "store/sqlite_int.h"
#include "util/buf.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Static_assert(ACT_NOTE == 9, "the note triggers below (dropped by migration 14) match events.action = 9");

#define SEARCH_CANDIDATES STORE_SEARCH_OFFSET_MAX
#define SEARCH_SPAN STORE_SEARCH_SPAN /* case ids of the first window */
#define SEARCH_BUDGET_MS 15.0         /* CPU for further windows of one request */
#define SEARCH_WINDOWS_MAX 8
#define PENDING_SCAN_MAX 1000 /* queued cases one request matches directly */
#define SEARCH_Q_MAX 2048     /* bytes of the built MATCH expression (q itself is capped above) */
#define SNIPPET_TOKENS 32     /* positions of context: about one character each in Chinese */
#define SNIPPET_MAX 4096      /* bytes of an escaped snippet */

/* clang-format off */
/* The mediation column of case `id`: content and agreement of its mediation records, in order. */
#define MEDIATION_TEXT(id)                                                                         \
    "coalesce((SELECT group_concat(t, char(10)) FROM (SELECT trim(coalesce("                       \
    "json_extract(body, '$.content'), '') || char(10) || coalesce("                                \
    "json_extract(body, '$.agreement'), '')) AS t FROM case_records WHERE case_id = " id            \
    " AND kind = 'mediation' AND json_valid(body) ORDER BY at, id)), '')"
/* The notes column of case `id`: the text of its note events, in order. */
#define NOTES_TEXT(id)                                                                             \
    "coalesce((SELECT group_concat(t, char(10)) FROM (SELECT json_extract(payload, '$.text') AS t " \
    "FROM events WHERE case_id = " id " AND action = 9 AND json_valid(payload) "                   \
    "AND json_extract(payload, '$.text') IS NOT NULL ORDER BY seq)), '')"
/* The area column of a division code d: its prefixes at each level, as number tokens. */
#define AREA_OF(d)                                                                                 \
    "CASE WHEN length(" d ") = 12 THEN substr(" d ", 1, 2) || ' ' || substr(" d ", 1, 4) || ' ' " \
    "|| substr(" d ", 1, 6) || ' ' || substr(" d ", 1, 9) || ' ' || " d " ELSE coalesce(" d       \
    ", '') END"

const char sq_schema_fts[] =
    "CREATE VIRTUAL TABLE case_fts USING fts5(title, description, notes, mediation, area, "
    "tokenize = '" FTS_TOKENIZER_NAME "');\n"
    /* every case already there (the demo, a database from before this version) */
    "INSERT INTO case_fts(rowid, title, description, notes, mediation, area) "
    "SELECT id, coalesce(title, ''), coalesce(description, ''), " NOTES_TEXT("cases.id") ", "
    MEDIATION_TEXT("cases.id") ", " AREA_OF("division") " FROM cases;\n"
    "CREATE TRIGGER case_fts_insert AFTER INSERT ON cases BEGIN "
    "INSERT INTO case_fts(rowid, title, description, notes, mediation, area) "
    "VALUES (new.id, coalesce(new.title, ''), coalesce(new.description, ''), '', '', "
    AREA_OF("new.division") "); END;\n"
    /* the writer rewrites every column on every action: reindex only a changed text */
    "CREATE TRIGGER case_fts_update AFTER UPDATE OF title, description, division ON cases "
    "WHEN old.title IS NOT new.title OR old.description IS NOT new.description "
    "OR old.division IS NOT new.division BEGIN "
    "UPDATE case_fts SET title = coalesce(new.title, ''), description = coalesce(new.description, "
    "''), area = " AREA_OF("new.division") " WHERE rowid = new.id; END;\n"
    "CREATE TRIGGER case_fts_delete AFTER DELETE ON cases BEGIN "
    "DELETE FROM case_fts WHERE rowid = old.id; END;\n"
    "CREATE TRIGGER case_fts_note AFTER INSERT ON events WHEN new.action = 9 "
    "AND json_valid(new.payload) AND json_extract(new.payload, '$.text') IS NOT NULL BEGIN "
    "UPDATE case_fts SET notes = CASE WHEN notes = '' THEN '' ELSE notes || char(10) END || "
    "json_extract(new.payload, '$.text') WHERE rowid = new.case_id; END;\n"
    "CREATE TRIGGER case_fts_mediation AFTER INSERT ON case_records "
    "WHEN new.kind = 'mediation' BEGIN "
    "UPDATE case_fts SET mediation = " MEDIATION_TEXT("new.case_id") " WHERE rowid = new.case_id; "
    "END;\n"
    "CREATE TRIGGER case_fts_mediation_update AFTER UPDATE ON case_records "
    "WHEN new.kind = 'mediation' OR old.kind = 'mediation' BEGIN "
    "UPDATE case_fts SET mediation = " MEDIATION_TEXT("new.case_id") " WHERE rowid = new.case_id; "
    "END;\n";
/* clang-format on */
/* Deferred indexing (migration step after sq_schema_fts): the triggers only queue the case in
 * fts_pending; the writer indexes queued cases when its queue is idle (sq_fts_drain), and a search
 * matches the queued cases' current text itself (match_queued), so it still sees every
 * acknowledged write.
 * Tokenizing is the largest cost of a case write (≈110 µs of ≈150, docs/PERFORMANCE.md); under a
 * burst it now waits for a quiet moment instead of holding every acknowledgement. */
const char sq_schema_fts_deferred[] =
    "CREATE TABLE fts_pending (case_id INTEGER PRIMARY KEY);\n"
    "DROP TRIGGER case_fts_insert;\n"
    "DROP TRIGGER case_fts_update;\n"
    "DROP TRIGGER case_fts_note;\n"
    "DROP TRIGGER case_fts_mediation;\n"
    "DROP TRIGGER case_fts_mediation_update;\n"
    "CREATE TRIGGER case_fts_insert AFTER INSERT ON cases BEGIN "
    "INSERT OR IGNORE INTO fts_pending(case_id) VALUES (new.id); END;\n"
    "CREATE TRIGGER case_fts_update AFTER UPDATE OF title, description, division ON cases "
    "WHEN old.title IS NOT new.title OR old.description IS NOT new.description "
    "OR old.division IS NOT new.division BEGIN "
    "INSERT OR IGNORE INTO fts_pending(case_id) VALUES (new.id); END;\n"
    "CREATE TRIGGER case_fts_note AFTER INSERT ON events WHEN new.action = 9 BEGIN "
    "INSERT OR IGNORE INTO fts_pending(case_id) VALUES (new.case_id); END;\n"
    "CREATE TRIGGER case_fts_mediation AFTER INSERT ON case_records WHEN new.kind = 'mediation' "
    "BEGIN INSERT OR IGNORE INTO fts_pending(case_id) VALUES (new.case_id); END;\n"
    "CREATE TRIGGER case_fts_mediation_update AFTER UPDATE ON case_records "
    "WHEN new.kind = 'mediation' OR old.kind = 'mediation' BEGIN "
    "INSERT OR IGNORE INTO fts_pending(case_id) VALUES (new.case_id); END;\n";

/* Time bounds for the index walk (migration step after sq_schema_fts_deferred). Case ids grow
 * with time, so a created_at range of the filter is a range of ids, and the walk can start and
 * stop there instead of reading every newer match only to filter it out. Not every case keeps
 * that order — an import or the demo may write a case dated before one written earlier — so
 * those are listed in cases_backdated (a case is backdated when an earlier id has a later
 * created_at), and the cases not listed are in created_at order by construction: the bounds are
 * then exact (date_bounds). Normally the list is empty and the check costs one index probe per
 * inserted case. */
const char sq_schema_fts_time[] =
    "CREATE TABLE cases_backdated (id INTEGER PRIMARY KEY);\n"
    "INSERT INTO cases_backdated SELECT id FROM (SELECT id, created_at, max(created_at) OVER "
    "(ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS m FROM cases) "
    "WHERE created_at < m;\n"
    "CREATE TRIGGER cases_backdated_insert AFTER INSERT ON cases WHEN EXISTS (SELECT 1 FROM cases "
    "WHERE created_at > new.created_at AND id < new.id) BEGIN "
    "INSERT OR IGNORE INTO cases_backdated(id) VALUES (new.id); END;\n"
    "CREATE TRIGGER cases_backdated_update AFTER UPDATE OF created_at ON cases "
    "WHEN old.created_at IS NOT new.created_at BEGIN "
    "INSERT OR IGNORE INTO cases_backdated(id) VALUES (new.id); "
    "INSERT OR IGNORE INTO cases_backdated(id) SELECT id FROM cases "
    "WHERE id > new.id AND created_at < new.created_at; END;\n"
    "CREATE TRIGGER cases_backdated_delete AFTER DELETE ON cases BEGIN "
    "DELETE FROM cases_backdated WHERE id = old.id; END;\n";

#define FTS_BATCH "(SELECT case_id FROM fts_pending ORDER BY case_id LIMIT ?1)"
static const char *const drain_sql[] = {
    "DELETE FROM case_fts WHERE rowid IN " FTS_BATCH,
    "INSERT INTO case_fts(rowid, title, description, notes, mediation, area) "
    "SELECT id, coalesce(title, ''), coalesce(description, ''), " NOTES_TEXT(
        "cases.id") ", " MEDIATION_TEXT("cases.id") ", " AREA_OF("division") " FROM cases WHERE id "
                                                                             "IN " FTS_BATCH,
    "DELETE FROM fts_pending WHERE case_id IN " FTS_BATCH,
};

/* ---- the query ---- */

/* Restricts the query to a division subtree when the code's significant prefix is one of the
 * area column's tokens (the SQL filter applies in any case). */
static int match_area(struct buf *out, const char *code)
{
    if (!code || !code[0])
        return 0;
    char lo[FQ_DIVISION_LEN + 1], hi[FQ_DIVISION_LEN + 2];
    sq_division_range(code, lo, hi);
    size_t n = strlen(lo);
    if (n != 2 && n != 4 && n != 6 && n != 9 && n != 12)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lo[i] < '0' || lo[i] > '9')
            return 0;
    return buf_printf(out, " AND area : \"%s\"", lo) ? FQ_ETOOBIG : 0;
}

/* The MATCH expression of the parsed q and f into out:
 *   {title description notes mediation} : ("w1" "w2" …) AND area : "330681"
 * (each word as typed, quotes doubled). */
static int build_match(const char *q, const struct fts_query *fq, const struct store_case_filter *f,
                       struct buf *out)
{
    if (buf_adds(out, "{title description notes mediation} : ("))
        return FQ_ETOOBIG;
    for (int w = 0; w < fq->nword; w++) {
        if (buf_adds(out, w ? " \"" : "\""))
            return FQ_ETOOBIG;
        for (const char *c = q + fq->word_start[w]; c < q + fq->word_end[w]; c++)
            if (buf_add(out, c, 1) || (*c == '"' && buf_add(out, c, 1)))
                return FQ_ETOOBIG;
        if (buf_adds(out, "\""))
            return FQ_ETOOBIG;
    }
    if (buf_adds(out, ")"))
        return FQ_ETOOBIG;
    int rc = match_area(out, f->division);
    if (!rc && strcmp(f->scope_division, f->division))
        rc = match_area(out, f->scope_division);
    return rc;
}

/* The snippet's markers: private-use characters, swapped for <mark> tags after escaping. */
#define MARK_OPEN "\xee\x80\x80"  /* U+E000 */
#define MARK_CLOSE "\xee\x80\x81" /* U+E001 */

/* HTML-escapes a snippet and turns its markers into balanced <mark>…</mark>. */
static json_t *snippet_html(const char *s)
{
    struct buf b;
    buf_init(&b, SNIPPET_MAX + 8);
    int open = 0;
    for (; s && *s && b.len < SNIPPET_MAX; s++) {
        const char *rep = NULL;
        if (!strncmp(s, MARK_OPEN, 3) || !strncmp(s, MARK_CLOSE, 3)) {
            int want_open = s[2] == '\x80';
            if (want_open != open) {
                buf_adds(&b, want_open ? "<mark>" : "</mark>");
                open = want_open;
            }
            s += 2;
            continue;
        }
        switch (*s) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        }
        if (rep ? buf_adds(&b, rep) : buf_add(&b, s, 1))
            break;
    }
    if (open)
        buf_adds(&b, "</mark>");
    json_t *v = b.data ? json_string(b.data) : json_string("");
    buf_free(&b);
    return v ? v : json_string("");
}

/* The snippet of the text column (of the first four of st from column `first`) with the most
 * marks, the earlier column on a tie: made here from the current text (fts_match.h), not by
 * FTS5's snippet(), which needs a MATCH cursor on the row. */
static json_t *best_snippet(sqlite3_stmt *st, int first, const struct fts_query *fq)
{
    struct buf best, b;
    buf_init(&best, SNIPPET_MAX);
    int best_marks = -1;
    for (int c = 0; c < FTS_RANK_COLS; c++) {
        const char *s = (const char *)sqlite3_column_text(st, first + c);
        int marks = 0;
        if (!s || (!s[0] && best_marks >= 0))
            continue;
        buf_init(&b, SNIPPET_MAX);
        int rc = fts_query_snippet(fq, s, SNIPPET_TOKENS, MARK_OPEN, MARK_CLOSE, &b, &marks);
        if ((rc == 0 || rc == FQ_ETOOBIG) && marks > best_marks) {
            buf_free(&best);
            best = b;
            best_marks = marks;
        } else {
            buf_free(&b);
        }
    }
    json_t *v = snippet_html(best.data);
    buf_free(&best);
    return v;
}

/* Candidates from the index: every match in [lo, hi), newest first, with its rank when it passes
 * the filter and NULL when not. The filter is an argument of fq_rank rather than a WHERE term so
 * that the walk can be stopped at any row and say exactly how far it got: with a selective
 * filter (a date range, a department) most matches fail it, and a WHERE term would run through
 * all of them inside one sqlite3_step. */
#define CANDIDATES_HEAD "SELECT case_fts.rowid, " FTS_RANK_NAME "(case_fts, (1"
#define CANDIDATES_TAIL                                                                            \
    ")) FROM case_fts CROSS JOIN cases ON cases.id = case_fts.rowid "                              \
    "WHERE case_fts MATCH :q AND case_fts.rowid >= :lo AND case_fts.rowid < :hi "                  \
    "ORDER BY case_fts.rowid DESC"
/* clang-format off */
/* Candidates not (correctly) in the index yet: the queued cases in [lo, hi) with their text. */
#define PENDING_HEAD                                                                               \
    "SELECT cases.id, coalesce(cases.title, ''), coalesce(cases.description, ''), "                \
    NOTES_TEXT("cases.id") ", " MEDIATION_TEXT("cases.id") " "                                     \
    "FROM fts_pending CROSS JOIN cases ON cases.id = fts_pending.case_id WHERE 1"
#define PENDING_TAIL                                                                               \
    " AND cases.id >= :lo AND cases.id < :hi ORDER BY fts_pending.case_id DESC LIMIT :k"
/* A page row: the summary of GET /cases (17 columns) and the current text of the text columns. */
#define PAGE_ROW                                                                                   \
    "SELECT cases.id, cases.code, cases.title, cases.channel, cases.kind, cases.category, "        \
    "cases.grade, cases.level, cases.status, cases.light, cases.division, cases.grid, "            \
    "cases.created_at, cases.due_at, cases.urge_count, cases.supervised, "                         \
    "cases.lead_department, coalesce(cases.title, ''), coalesce(cases.description, ''), "          \
    NOTES_TEXT("cases.id") ", " MEDIATION_TEXT("cases.id") " FROM cases WHERE cases.id = ?1"
#define AVGLEN                                                                                     \
    "SELECT " FTS_AVGLEN_NAME "(case_fts, 0), " FTS_AVGLEN_NAME "(case_fts, 1), "                  \
    FTS_AVGLEN_NAME "(case_fts, 2), " FTS_AVGLEN_NAME "(case_fts, 3) FROM case_fts LIMIT 1"
/* clang-format on */

struct cand {
    int64_t id;
    double rank; /* fq_rank: lower is better */
};

static int cand_cmp(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->id > y->id ? -1 : x->id < y->id; /* the newer first */
}

static int cand_newer(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    return x->id > y->id ? -1 : x->id < y->id;
}

/* One search's state: the query, the window of case ids [lo, hi), and the candidates. */
struct search {
    struct sq_conn *c;
    const struct store_case_filter *f;
    struct fts_query fq;
    const char *match;
    int64_t lo, hi, span;
    int64_t floor; /* no case below this id passes the filter's date range */
    double budget_ms;
    struct cand
        *v; /* queued matches + the index's rows: < SEARCH_CANDIDATES + 2 × PENDING_SCAN_MAX */
    int n;
    int64_t *queued; /* ids of the queued cases read directly, newest first */
    int nqueued;
    int index_found; /* candidates the index walk found so far */
    int walk_full;   /* the index walk found SEARCH_CANDIDATES */
    int walk_spent;  /* the index walk stopped on the CPU budget */
    double start;    /* CPU time when the matching began (ms) */
};

static void binds(sqlite3_stmt *st, const struct search *s, int k)
{
    int i;
    if ((i = sqlite3_bind_parameter_index(st, ":q")))
        sqlite3_bind_text(st, i, s->match, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":lo"), s->lo);
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":hi"), s->hi);
    if ((i = sqlite3_bind_parameter_index(st, ":k")))
        sqlite3_bind_int(st, i, k);
}

static int finish(struct sq_conn *c, sqlite3_stmt *st, int rc, const char *what)
{
    int ret = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : sq_error(c, rc, what);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return ret;
}

/* The index's average column sizes (what fq_rank normalises by), for rows scored here. */
static int average_sizes(struct sq_conn *c, double avg[FTS_RANK_COLS])
{
    sqlite3_stmt *st = sq_stmt_dyn(c, AVGLEN);
    if (!st)
        return FQ_EIO;
    int rc = sqlite3_step(st);
    for (int i = 0; i < FTS_RANK_COLS; i++)
        avg[i] = rc == SQLITE_ROW && sqlite3_column_double(st, i) > 0 ? sqlite3_column_double(st, i)
                                                                      : 1.0;
    return finish(c, st, rc, "search averages");
}

/* Reads the queued cases of the window (the newest PENDING_SCAN_MAX that pass the filter) and
 * matches their current text here; the writer has not indexed them yet, or indexed an older
 * text. A search thus sees every acknowledged write without writing or waiting for the writer. */
static int match_queued(struct search *s)
{
    int ret, rc;
    sqlite3_stmt *st = sq_case_filter_stmt(s->c, PENDING_HEAD, s->f, PENDING_TAIL, &ret);
    if (!st)
        return ret;
    binds(st, s, PENDING_SCAN_MAX);
    double avg[FTS_RANK_COLS];
    int have_avg = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int tf[FTS_RANK_PHRASES][FTS_RANK_COLS], len[FTS_RANK_COLS];
        int64_t id = sqlite3_column_int64(st, 0);
        unsigned found = 0;
        s->queued[s->nqueued++] = id;
        for (int col = 0; col < FTS_RANK_COLS; col++) {
            struct fts_hits h;
            const char *text = (const char *)sqlite3_column_text(st, 1 + col);
            if ((ret = fts_query_scan(&s->fq, text, -1, &h)))
                goto done;
            len[col] = h.size;
            for (int w = 0; w < s->fq.nword; w++) {
                tf[w][col] = h.tf[w];
                if (h.tf[w])
                    found |= 1u << w;
            }
        }
        if (found != (1u << s->fq.nword) - 1)
            continue;
        if (!have_avg && (ret = average_sizes(s->c, avg)))
            goto done;
        have_avg = 1;
        s->v[s->n++] = (struct cand){
            id, fts_rank_score(s->fq.nword, (const int(*)[FTS_RANK_COLS])tf, len, avg)};
    }
    ret = 0;
done:
    rc = finish(s->c, st, rc, "search queued");
    return ret ? ret : rc;
}

static int cmp_id_desc(const void *key, const void *elem)
{
    int64_t a = *(const int64_t *)key, b = *(const int64_t *)elem;
    return a > b ? -1 : a < b;
}

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The newest matching cases of the window in the index that pass the filter, except the queued
 * cases already matched directly, until SEARCH_CANDIDATES are found or the CPU budget is spent
 * (checked every 64 rows; the window then ends where the walk stopped: s->lo). */
static int match_indexed(struct search *s)
{
    int ret, rc;
    sqlite3_stmt *st = sq_case_filter_stmt(s->c, CANDIDATES_HEAD, s->f, CANDIDATES_TAIL, &ret);
    if (!st)
        return ret;
    binds(st, s, 0);
    int64_t rows = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        if (++rows % 64 == 0 && cpu_ms() - s->start > s->budget_ms) {
            s->lo = id; /* [id, hi) walked; id's own row is counted below */
            s->walk_spent = 1;
        }
        if (sqlite3_column_type(st, 1) != SQLITE_NULL &&
            !(s->nqueued && bsearch(&id, s->queued, (size_t)s->nqueued, sizeof id, cmp_id_desc))) {
            s->v[s->n++] = (struct cand){id, sqlite3_column_double(st, 1)};
            if (++s->index_found == SEARCH_CANDIDATES)
                s->walk_full = 1;
        }
        if (s->walk_full || s->walk_spent)
            break;
    }
    return finish(s->c, st, rc, "search candidates");
}

/* The summary and snippet of one candidate; NULL when it is gone or on failure. */
static json_t *page_row(struct search *s, const struct cand *cd)
{
    sqlite3_stmt *st = sq_stmt_dyn(s->c, PAGE_ROW);
    if (!st)
        return NULL;
    json_t *o = NULL;
    sqlite3_bind_int64(st, 1, cd->id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        o = sq_case_summary(st);
        json_object_set_new(o, "snippet", best_snippet(st, 17, &s->fq));
        json_object_set_new(o, "score", json_real(-cd->rank));
    }
    finish(s->c, st, rc, "search page");
    return o;
}

/* The first window of case ids: the newest SEARCH_SPAN below before. */
static int window(struct search *s, int64_t before)
{
    sqlite3_stmt *st = sq_stmt_dyn(s->c, "SELECT max(id) FROM cases WHERE id < ?1");
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, before > 0 ? before : INT64_MAX);
    int rc = sqlite3_step(st);
    int64_t top = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    s->hi = top + 1;
    s->lo = top - s->span + 1 > s->floor ? top - s->span + 1 : s->floor;
    return finish(s->c, st, rc, "search window");
}

/* The ids that can pass the filter's created_at range: below *hi, and from s->floor up. The
 * newest case dated before `to` and the oldest dated from `from` among the cases in created_at
 * order (not backdated) bound them, widened by any backdated case in the range. */
#define NEWEST_BEFORE                                                                              \
    "SELECT max(coalesce((SELECT id FROM cases WHERE created_at < ?1 AND id NOT IN "               \
    "(SELECT id FROM cases_backdated) ORDER BY created_at DESC, id DESC LIMIT 1), 0), "            \
    "coalesce((SELECT b.id FROM cases_backdated b JOIN cases c ON c.id = b.id "                    \
    "WHERE c.created_at < ?1 ORDER BY b.id DESC LIMIT 1), 0))"
#define OLDEST_FROM                                                                                \
    "SELECT min(coalesce((SELECT id FROM cases WHERE created_at >= ?1 AND id NOT IN "              \
    "(SELECT id FROM cases_backdated) ORDER BY created_at, id LIMIT 1), 9e18), "                   \
    "coalesce((SELECT b.id FROM cases_backdated b JOIN cases c ON c.id = b.id "                    \
    "WHERE c.created_at >= ?1 ORDER BY b.id LIMIT 1), 9e18))"

static int bound(struct sq_conn *c, const char *sql, int64_t at, int64_t *out)
{
    sqlite3_stmt *st = sq_stmt_dyn(c, sql);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, at);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        double v = sqlite3_column_double(st, 0); /* 9e18: no such case */
        *out = v >= 9e18 ? INT64_MAX : sqlite3_column_int64(st, 0);
    }
    return finish(c, st, rc, "search date bounds");
}

static int date_bounds(struct search *s, int64_t *hi)
{
    int64_t v;
    int rc;
    if (s->f->to) {
        if ((rc = bound(s->c, NEWEST_BEFORE, s->f->to, &v)))
            return rc;
        if (*hi <= 0 || v + 1 < *hi)
            *hi = v + 1; /* 1 when no case is dated before to: nothing to walk */
    }
    if (s->f->from) {
        if ((rc = bound(s->c, OLDEST_FROM, s->f->from, &v)))
            return rc;
        s->floor = v;
    }
    return 0;
}

/* Walks the index window after window, newest first: the first window of SEARCH_SPAN ids, then,
 * while the candidates are incomplete and the CPU budget allows, windows sized from the last
 * one's cost per id (growing at most 8 times). A query anchored on a rare word (a ticket number)
 * so covers millions of cases in a few milliseconds, and an AND of common words stops after
 * about SEARCH_BUDGET_MS. The first window is small because FTS5 walks the doclists between two
 * matching rows inside one sqlite3_step, where no budget can be checked: 16 common words ANDed
 * cost 86 ms over a million ids at 4 M cases. */
static int walk(struct search *s)
{
    for (int i = 0; i < SEARCH_WINDOWS_MAX; i++) {
        double t0 = cpu_ms();
        int rc = match_indexed(s);
        if (rc)
            return rc;
        double t = cpu_ms();
        if (s->walk_full || s->walk_spent || s->lo <= s->floor)
            break;
        double per_id = (t - t0 > 0.01 ? t - t0 : 0.01) / (double)(s->hi - s->lo);
        double span = (s->budget_ms - (t - s->start)) / per_id;
        if (span > 8.0 * (double)(s->hi - s->lo))
            span = 8.0 * (double)(s->hi - s->lo); /* a small window's estimate is rough */
        if (span < s->span / 4 || span < 1)
            break; /* not worth another window: the caller goes on with before = lo */
        s->hi = s->lo;
        s->lo = (double)s->hi - span > (double)s->floor ? s->hi - (int64_t)span : s->floor;
    }
    return 0;
}

int store_case_search(struct store_rd *rd, const char *q, const struct store_case_filter *f,
                      struct store_search *page, json_t **out)
{
    if (!rd || !q || !f || !page || !out)
        return FQ_EINVAL;
    /* the API allows 500 a page; an export of the hits asks for all the ranked ones at once */
    int limit = f->limit < 1 ? 1 : f->limit > STORE_SEARCH_OFFSET_MAX ? STORE_SEARCH_OFFSET_MAX : f->limit;
    int64_t offset = f->cursor > 0 ? f->cursor : 0;
    if (offset > STORE_SEARCH_OFFSET_MAX || page->before < 0)
        return FQ_EINVAL;
    struct search *s = calloc(1, sizeof *s);
    struct buf m;
    buf_init(&m, SEARCH_Q_MAX);
    json_t *arr = NULL;
    int ret = s ? 0 : FQ_ENOMEM;
    if (ret || (ret = fts_query_parse(q, &s->fq)) || (ret = build_match(q, &s->fq, f, &m)))
        goto done;
    s->c = &rd->conn;
    s->f = f;
    s->span = page->span > 0 ? page->span : SEARCH_SPAN;
    s->budget_ms = page->budget_ms > 0   ? page->budget_ms
                   : page->budget_ms < 0 ? 0
                                         : SEARCH_BUDGET_MS;
    s->match = m.data;
    s->v = malloc((SEARCH_CANDIDATES + 2 * PENDING_SCAN_MAX) * sizeof *s->v);
    s->queued = malloc(PENDING_SCAN_MAX * sizeof *s->queued);
    if (!s->v || !s->queued) {
        ret = FQ_ENOMEM;
        goto done;
    }
    int64_t hi = page->before;
    if ((ret = date_bounds(s, &hi)) || (ret = window(s, hi)))
        goto done;
    int64_t lo = s->lo;
    s->start = cpu_ms(); /* the budget covers the queued cases too */
    s->lo = 0; /* every queued case below before, the newest first: a note on an old case too */
    if ((ret = match_queued(s)))
        goto done;
    s->lo = lo;
    if ((ret = walk(s)))
        goto done;
    /* the newest SEARCH_CANDIDATES of both sources within what the walk covered, best first */
    if (s->n > 1)
        qsort(s->v, (size_t)s->n, sizeof *s->v, cand_newer);
    while (s->n > 0 && s->v[s->n - 1].id < s->lo)
        s->n--;
    int full = s->walk_full || s->n > SEARCH_CANDIDATES;
    if (s->n > SEARCH_CANDIDATES)
        s->n = SEARCH_CANDIDATES;
    int reached = s->lo <= s->floor; /* the walk covered every id the filter allows */
    page->older = full && s->n ? s->v[s->n - 1].id : reached ? 0 : s->lo;
    page->total = s->n;
    page->total_exact = !full && reached;
    if (s->n > 1)
        qsort(s->v, (size_t)s->n, sizeof *s->v, cand_cmp);
    arr = json_array();
    int64_t end = offset + limit < s->n ? offset + limit : s->n;
    for (int64_t i = offset; i < end; i++) {
        json_t *o = page_row(s, &s->v[i]);
        if (!o) {
            ret = FQ_EIO;
            goto done;
        }
        if (json_array_append_new(arr, o)) {
            ret = FQ_ENOMEM;
            goto done;
        }
    }
    page->next = end < s->n ? end : 0;
done:
    if (s) {
        free(s->v);
        free(s->queued);
    }
    free(s);
    buf_free(&m);
    if (ret) {
        json_decref(arr);
        return ret;
    }
    *out = arr;
    return 0;
}

int sq_fts_drain(struct sq_conn *c, int max, int *n)
{
    *n = 0;
    for (size_t i = 0; i < sizeof drain_sql / sizeof drain_sql[0]; i++) {
        sqlite3_stmt *st = sq_stmt_dyn(c, drain_sql[i]);
        if (!st)
            return FQ_EIO;
        sqlite3_bind_int(st, 1, max);
        int rc = sq_exec_stmt(c, st, "fts drain");
        if (rc)
            return rc;
        if (i == 2)
            *n = sqlite3_changes(c->db);
    }
    return 0;
}
