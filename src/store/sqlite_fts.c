/* Chinese full-text search over cases: the case_fts index, kept current by triggers inside the
 * very transaction that writes a case, a note or a mediation record, and the ranked search.
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
 * to the text columns, and the words are ANDed.
 *
 * Ranking is bounded: the newest SEARCH_CANDIDATES cases that match (and pass the filter) are
 * scored with fq_rank (fts_rank.h: BM25 without IDF, title weighted 4) and the page is cut from
 * them; snippets are made for the page only. A search then costs about the same at 100 thousand
 * and at 10 million cases, where ranking every match by bm25() grows with the number of matches
 * (PERFORMANCE.md "Search"). The price: a word found in more than SEARCH_CANDIDATES cases ranks
 * the newest of them only — the usual want in a case system, and the filters narrow it. */
#include "store/fts_rank.h"
#include "store/fts_tokenizer.h"
#include "store/sqlite_int.h"
#include "util/buf.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(ACT_NOTE == 9, "the note trigger below matches events.action = 9");

#define SEARCH_CANDIDATES STORE_SEARCH_OFFSET_MAX
#define SEARCH_WORDS_MAX 16
#define SEARCH_Q_MAX 2048   /* bytes of the built MATCH expression (q itself is capped above) */
#define SNIPPET_TOKENS "32" /* positions of context: about one character each in Chinese */
#define SNIPPET_MAX 4096    /* bytes of an escaped snippet */

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
 * first drains what is queued (store_fts_flush), so a search still sees every acknowledged write.
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

#define FTS_BATCH "(SELECT case_id FROM fts_pending ORDER BY case_id LIMIT ?1)"
static const char *const drain_sql[] = {
    "DELETE FROM case_fts WHERE rowid IN " FTS_BATCH,
    "INSERT INTO case_fts(rowid, title, description, notes, mediation, area) "
    "SELECT id, coalesce(title, ''), coalesce(description, ''), " NOTES_TEXT("cases.id") ", "
    MEDIATION_TEXT("cases.id") ", " AREA_OF("division") " FROM cases WHERE id IN " FTS_BATCH,
    "DELETE FROM fts_pending WHERE case_id IN " FTS_BATCH,
};

/* ---- the query ---- */

static int count_token(void *ctx, int flags, const char *tok, int n, int start, int end)
{
    (void)flags, (void)tok, (void)n, (void)start, (void)end;
    ++*(int *)ctx;
    return 0;
}

static int is_space(const char *p, size_t *len)
{
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v') {
        *len = 1;
        return 1;
    }
    if (!strncmp(p, "\xe3\x80\x80", 3)) { /* U+3000 ideographic space */
        *len = 3;
        return 1;
    }
    return 0;
}

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

/* The MATCH expression of q and f into out:
 *   {title description notes mediation} : ("w1" "w2" …) AND area : "330681"
 * (quotes doubled, words without any token dropped). FQ_EINVAL when no word is left or there are
 * too many. */
static int build_match(const char *q, const struct store_case_filter *f, struct buf *out)
{
    int words = 0;
    const char *p = q;
    if (buf_adds(out, "{title description notes mediation} : ("))
        return FQ_ETOOBIG;
    while (*p) {
        size_t sl;
        while (*p && is_space(p, &sl))
            p += sl;
        if (!*p)
            break;
        const char *w = p;
        while (*p && !is_space(p, &sl))
            p++;
        int ntok = 0;
        fts_tokenize(w, (int)(p - w), 1, count_token, &ntok);
        if (!ntok)
            continue; /* punctuation only */
        if (++words > SEARCH_WORDS_MAX)
            return FQ_EINVAL;
        if (buf_adds(out, words > 1 ? " \"" : "\""))
            return FQ_ETOOBIG;
        for (const char *c = w; c < p; c++)
            if (buf_add(out, c, 1) || (*c == '"' && buf_add(out, c, 1)))
                return FQ_ETOOBIG;
        if (buf_adds(out, "\""))
            return FQ_ETOOBIG;
    }
    if (!words)
        return FQ_EINVAL;
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

/* The snippet with the most marks among the text columns' (the earlier column on a tie). */
static const char *best_snippet(sqlite3_stmt *st, int first)
{
    const char *best = NULL;
    int best_marks = -1;
    for (int c = 0; c < 4; c++) {
        const char *s = (const char *)sqlite3_column_text(st, first + c);
        int marks = 0;
        for (const char *p = s; p && (p = strstr(p, MARK_OPEN)); p += 3)
            marks++;
        if (s && marks > best_marks) {
            best = s;
            best_marks = marks;
        }
    }
    return best;
}

#define CANDIDATES_HEAD                                                                            \
    "SELECT case_fts.rowid, " FTS_RANK_NAME "(case_fts) "                                          \
    "FROM case_fts CROSS JOIN cases ON cases.id = case_fts.rowid WHERE 1"
#define CANDIDATES_TAIL " AND case_fts MATCH :q ORDER BY case_fts.rowid DESC LIMIT :k"
#define SNIP(c) "snippet(case_fts, " #c ", char(57344), char(57345), '…', " SNIPPET_TOKENS ")"
#define PAGE_ROW                                                                                   \
    "SELECT cases.id, cases.code, cases.title, cases.channel, cases.kind, cases.category, "        \
    "cases.grade, cases.level, cases.status, cases.light, cases.division, cases.grid, "            \
    "cases.created_at, cases.due_at, cases.urge_count, cases.supervised, "                         \
    "cases.lead_department, " SNIP(0) ", " SNIP(1) ", " SNIP(2) ", " SNIP(                         \
        3) " "                                                                                     \
           "FROM case_fts CROSS JOIN cases ON cases.id = case_fts.rowid "                          \
           "WHERE case_fts MATCH ?1 AND case_fts.rowid = ?2"
#define COUNT_HEAD                                                                                 \
    "SELECT count(*) FROM case_fts CROSS JOIN cases ON cases.id = case_fts.rowid WHERE 1"
#define COUNT_TAIL " AND case_fts MATCH :q"

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

/* The newest matching cases that pass f, best first: *out malloc'ed, *n of them. */
static int candidates(struct sq_conn *c, const char *match, const struct store_case_filter *f,
                      struct cand **out, int *n)
{
    int ret, rc;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = sq_case_filter_stmt(c, CANDIDATES_HEAD, f, CANDIDATES_TAIL, &ret);
    if (!st)
        return ret;
    struct cand *v = malloc(SEARCH_CANDIDATES * sizeof *v);
    if (!v) {
        ret = FQ_ENOMEM;
        goto done;
    }
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":q"), match, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":k"), SEARCH_CANDIDATES);
    int k = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < SEARCH_CANDIDATES) {
        v[k].id = sqlite3_column_int64(st, 0);
        v[k].rank = sqlite3_column_double(st, 1);
        k++;
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        ret = sq_error(c, rc, "search candidates");
        free(v);
        goto done;
    }
    if (k > 1) /* qsort(NULL, 0) is undefined */
        qsort(v, (size_t)k, sizeof *v, cand_cmp);
    *out = v;
    *n = k;
done:
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return ret;
}

/* The summary and snippet of one candidate; NULL when it is gone or on failure. */
static json_t *page_row(struct sq_conn *c, const char *match, const struct cand *cd)
{
    sqlite3_stmt *st = sq_stmt_dyn(c, PAGE_ROW);
    if (!st)
        return NULL;
    json_t *o = NULL;
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, cd->id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        o = sq_case_summary(st);
        json_object_set_new(o, "snippet", snippet_html(best_snippet(st, 17)));
        json_object_set_new(o, "score", json_real(-cd->rank));
    } else if (rc != SQLITE_DONE) {
        sq_error(c, rc, "search page");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return o;
}

int store_case_search(struct store_rd *rd, const char *q, const struct store_case_filter *f,
                      json_t **out, int64_t *next)
{
    if (!rd || !q || !f || !out)
        return FQ_EINVAL;
    int flushed = store_fts_flush(rd);
    if (flushed)
        return flushed;
    int limit = f->limit < 1 ? 1 : f->limit > 500 ? 500 : f->limit;
    int64_t offset = f->cursor > 0 ? f->cursor : 0;
    if (offset > STORE_SEARCH_OFFSET_MAX)
        return FQ_EINVAL;
    struct buf m;
    buf_init(&m, SEARCH_Q_MAX);
    struct cand *cands = NULL;
    json_t *arr = NULL;
    int n = 0, ret = build_match(q, f, &m);
    if (ret || (ret = candidates(&rd->conn, m.data, f, &cands, &n)))
        goto done;
    arr = json_array();
    int64_t end = offset + limit < n ? offset + limit : n;
    for (int64_t i = offset; i < end; i++) {
        json_t *o = page_row(&rd->conn, m.data, &cands[i]);
        if (!o) {
            ret = FQ_EIO;
            goto done;
        }
        if (json_array_append_new(arr, o)) {
            ret = FQ_ENOMEM;
            goto done;
        }
    }
    if (next)
        *next = end < n ? end : 0;
done:
    free(cands);
    buf_free(&m);
    if (ret) {
        json_decref(arr);
        return ret;
    }
    *out = arr;
    return 0;
}

int store_case_search_count(struct store_rd *rd, const char *q, const struct store_case_filter *f,
                            int64_t *n)
{
    if (!rd || !q || !f || !n)
        return FQ_EINVAL;
    struct buf m;
    buf_init(&m, SEARCH_Q_MAX);
    sqlite3_stmt *st = NULL;
    int ret = build_match(q, f, &m);
    if (ret)
        goto done;
    st = sq_case_filter_stmt(&rd->conn, COUNT_HEAD, f, COUNT_TAIL, &ret);
    if (!st)
        goto done;
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":q"), m.data, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    else
        ret = sq_error(&rd->conn, rc, "case search count");
done:
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    buf_free(&m);
    return ret;
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

static int flush_tx(struct store_tx *tx, void *arg)
{
    int n, total = 0, rc;
    (void)arg;
    do
        rc = sq_fts_drain(tx->conn, 1024, &n);
    while (rc == 0 && n == 1024 && (total += n) < 200000);
    return rc;
}

int store_fts_flush(struct store_rd *rd)
{
    sqlite3_stmt *st = sq_stmt_dyn(&rd->conn, "SELECT EXISTS (SELECT 1 FROM fts_pending)");
    if (!st)
        return FQ_EIO;
    int pending = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (!pending || !rd->s)
        return 0;
    int rc = store_write(rd->s, flush_tx, NULL);
    return rc == FQ_EBUSY ? 0 : rc; /* readonly or inside a job: search what is indexed */
}
