/* Tests for store/fts_tokenizer.c and store/sqlite_fts.c: the tokens of mixed Chinese, ASCII
 * and full-width text (document and query mode, byte offsets), empty and invalid UTF-8 input;
 * then search on a small real store: phrase and AND semantics ("漏水", "楼上漏水", "欠薪 工资"),
 * title ranking above description, notes and mediation records indexed in the same
 * transaction, title edits reindexed, scope applied, snippets escaped and marked, bad queries
 * refused, the index rebuilt from existing rows by the migration, FTS5's integrity check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/fts_match.h"
#include "store/fts_tokenizer.h"
#include "store/store.h"
#include "fixture.h"

extern const char sq_schema_fts[];

/* ---- the tokenizer ---- */

struct toks {
    char s[1024]; /* "tok|tok|+colocated|…" */
    int n;
    int bad_offsets;
    const char *text;
    int len;
};

static int collect(void *ctx, int flags, const char *tok, int n, int start, int end)
{
    struct toks *t = ctx;
    if (start < 0 || end > t->len || start >= end)
        t->bad_offsets++;
    size_t l = strlen(t->s);
    snprintf(t->s + l, sizeof t->s - l, "%s%s%.*s", t->n ? "|" : "",
             flags & FTS_COLOCATED ? "+" : "", n, tok);
    t->n++;
    return 0;
}

static const char *tokens(struct toks *t, const char *text, int len, int for_query)
{
    memset(t, 0, sizeof *t);
    t->text = text;
    t->len = len < 0 ? (int)strlen(text) : len;
    assert_int_equal(fts_tokenize(text, len, for_query, collect, t), 0);
    assert_int_equal(t->bad_offsets, 0);
    return t->s;
}

static void test_mixed_text(void **state)
{
    (void)state;
    struct toks t;
    /* 张三 ABC １２３(full-width) 漏水了 */
    assert_string_equal(tokens(&t, "张三ABC１２３漏水了", -1, 0),
                        "张三|+张|三|abc|123|漏水|+漏|水了|+水|了");
    assert_string_equal(tokens(&t, "张三ABC１２３漏水了", -1, 1), "张三|三|abc|123|漏水|水了");
    assert_string_equal(tokens(&t, "漏水", -1, 1), "漏水");
    assert_string_equal(tokens(&t, "水", -1, 1), "水");
    assert_string_equal(tokens(&t, "漏水 ", -1, 1), "漏水");
    assert_string_equal(tokens(&t, "漏水a", -1, 1), "漏水|水|a");
    assert_string_equal(tokens(&t, "楼上漏水，3号楼。", -1, 1), "楼上|上漏|漏水|水|3|号楼");
}

static int offsets(void *ctx, int flags, const char *tok, int n, int start, int end)
{
    (void)flags, (void)tok, (void)n;
    int *o = ctx;
    o[o[0] * 2 + 1] = start;
    o[o[0] * 2 + 2] = end;
    o[0]++;
    return 0;
}

static void test_offsets_are_original_bytes(void **state)
{
    (void)state;
    int o[32] = {0};
    /* "Ａ１" is 6 bytes; the tokens "a" and "1" point at the full-width originals */
    fts_tokenize("Ａ１漏水", -1, 0, offsets, o);
    assert_int_equal(o[0], 5);
    assert_int_equal(o[1], 0), assert_int_equal(o[2], 3);   /* a */
    assert_int_equal(o[3], 3), assert_int_equal(o[4], 6);   /* 1 */
    assert_int_equal(o[5], 6), assert_int_equal(o[6], 12);  /* 漏水 */
    assert_int_equal(o[7], 6), assert_int_equal(o[8], 9);   /* 漏 (colocated) */
    assert_int_equal(o[9], 9), assert_int_equal(o[10], 12); /* 水 */
}

static void test_fullwidth_folding(void **state)
{
    (void)state;
    struct toks t;
    assert_string_equal(tokens(&t, "ＦＥＮＧ　Ｑｉａｏ！２０２６", -1, 0), "feng|qiao|2026");
    /* only ASCII is lower-cased: É stays */
    assert_string_equal(tokens(&t, "Hello-World_42 café ÉTÉ", -1, 0), "hello|world|42|café|ÉtÉ");
}

static void test_empty_and_invalid(void **state)
{
    (void)state;
    struct toks t;
    assert_string_equal(tokens(&t, "", 0, 0), "");
    assert_string_equal(tokens(&t, "，。！？　 ", -1, 0), "");
    assert_int_equal(fts_tokenize(NULL, 0, 0, collect, &t), 0);
    /* a lone continuation byte, a truncated 3-byte sequence, an overlong '/', a surrogate: each
     * separates tokens and is skipped */
    const char bad[] = "ab\x80"
                       "cd\xe6\xbc"
                       "漏\xc0\xaf"
                       "水\xed\xa0\x80"
                       "x";
    assert_string_equal(tokens(&t, bad, (int)sizeof bad - 1, 0), "ab|cd|漏|水|x");
    /* truncated at the very end */
    const char tail[] = "漏水\xe6";
    assert_string_equal(tokens(&t, tail, (int)sizeof tail - 1, 0), "漏水|+漏|水");
    /* a NUL inside an explicit length is a separator */
    assert_string_equal(tokens(&t, "ab\0cd", 5, 0), "ab|cd");
    /* a word longer than FTS_TOKEN_MAX is cut, not split */
    char longw[300];
    memset(longw, 'x', sizeof longw - 1);
    longw[sizeof longw - 1] = 0;
    tokens(&t, longw, -1, 0);
    assert_int_equal(t.n, 1);
    assert_int_equal((int)strlen(t.s), FTS_TOKEN_MAX);
}

/* ---- search on a store ---- */

struct fx {
    char dir[64];
    char path[128];
    struct store *s;
};

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/fq-fts-XXXXXX");
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

static const struct {
    const char *division, *title, *description;
} docs[] = {
    {"330106001001", "楼上漏水", "卫生间渗水到楼下天花板，多次协商未果。"},
    {"330106001001", "邻里噪音纠纷", "楼上住户夜间装修，噪音扰民；另：厨房管道漏水。"},
    {"330106001001", "欠薪纠纷", "某建筑公司拖欠农民工工资三个月，涉及十二人。"},
    {"330106001001", "工资争议", "员工称公司少发加班费，属欠薪问题，要求补发。"},
    {"330106001001", "楼上卫生间漏水", "漏电隐患，电线老化。"},
    {"330108002003", "滨江漏水", "江南社区楼上漏水 <script>alert(1)</script>"},
};
#define NDOCS ((int)(sizeof docs / sizeof docs[0]))

static int64_t ids[NDOCS];

static int insert_docs(struct store_tx *tx, void *arg)
{
    (void)arg;
    for (int i = 0; i < NDOCS; i++) {
        struct fq_case c;
        memset(&c, 0, sizeof c);
        snprintf(c.code, sizeof c.code, "%.6s20260501%06dX", docs[i].division, i + 1);
        snprintf(c.division, sizeof c.division, "%s", docs[i].division);
        c.channel = CH_WINDOW;
        c.kind = KIND_DISPUTE;
        c.status = ST_PENDING_ASSESS;
        c.title = (char *)docs[i].title;
        c.description = (char *)docs[i].description;
        c.created_at = 1777600000000LL + i;
        c.success = -1;
        int rc = store_tx_case_insert(tx, &c);
        if (rc)
            return rc;
        ids[i] = c.id;
    }
    return 0;
}

/* Codes of the search results below before (0: all), in order, as "1,5" (1-based doc numbers);
 * "" for none; the page's state in *pg when given. */
static char *search_page(struct store *s, const char *q, const char *scope, int64_t before,
                         int *rc_out, struct store_search *pg)
{
    static char out[256];
    struct store_case_filter f;
    store_case_filter_init(&f);
    if (scope)
        snprintf(f.scope_division, sizeof f.scope_division, "%s", scope);
    json_t *items = NULL;
    struct store_search page = {.before = before};
    int rc = store_case_search(store_rd(s), q, &f, &page, &items);
    if (pg)
        *pg = page;
    if (rc_out)
        *rc_out = rc;
    out[0] = 0;
    if (rc)
        return out;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *code = json_string_value(json_object_get(it, "code"));
        int k = atoi(code + 14);
        size_t l = strlen(out);
        snprintf(out + l, sizeof out - l, "%s%d", i ? "," : "", k);
    }
    json_decref(items);
    return out;
}

/* Waits until the writer has indexed every queued case. */
static void wait_indexed(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    int pending = 1;
    for (int i = 0; i < 500 && pending; i++) {
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM fts_pending", -1, &st, NULL),
                         SQLITE_OK);
        pending = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 1;
        sqlite3_finalize(st);
        if (pending)
            usleep(10000);
    }
    sqlite3_close(db);
    assert_int_equal(pending, 0);
}

static char *search(struct store *s, const char *q, const char *scope, int *rc_out)
{
    return search_page(s, q, scope, 0, rc_out, NULL);
}

static void test_search_semantics(void **state)
{
    struct fx *f = *state;
    assert_int_equal(store_write(f->s, insert_docs, NULL), 0);
    /* 漏水: every case with it; the two with it in the title first */
    char *r = search(f->s, "漏水", NULL, NULL);
    assert_int_equal((int)strlen(r) > 0, 1);
    assert_true(r[0] == '1' || r[0] == '5' || r[0] == '6');
    assert_non_null(strchr(r, '2'));
    assert_null(strchr(r, '3'));
    /* a phrase: "楼上漏水" is not "楼上卫生间漏水"; #6 has it in the description */
    r = search(f->s, "楼上漏水", NULL, NULL);
    assert_string_equal(r, "1,6");
    /* words are ANDed */
    r = search(f->s, "欠薪 工资", NULL, NULL);
    assert_true(!strcmp(r, "3,4") || !strcmp(r, "4,3"));
    r = search(f->s, "欠薪　工资", NULL, NULL); /* U+3000 */
    assert_true(!strcmp(r, "3,4") || !strcmp(r, "4,3"));
    /* one character matches inside bigrams */
    r = search(f->s, "薪", NULL, NULL);
    assert_true(!strcmp(r, "3,4") || !strcmp(r, "4,3"));
    /* full-width query folded like the text */
    assert_string_equal(search(f->s, "ＳＣＲＩＰＴ", NULL, NULL), "6");
    /* FTS5 syntax in q is just text */
    assert_string_equal(search(f->s, "\"漏水\" OR NEAR(工资", NULL, NULL), "");
    assert_string_equal(search(f->s, "漏水 AND", NULL, NULL), "");
    /* scope: the Xihu county does not see Binjiang's case */
    r = search(f->s, "楼上漏水", "330106000000", NULL);
    assert_string_equal(r, "1");
    assert_string_equal(search(f->s, "楼上漏水", "330108002000", NULL), "6");
    assert_string_equal(search(f->s, "楼上漏水", "330106001001", NULL), "1");
    /* the area tokens are not text: a division code finds nothing */
    assert_string_equal(search(f->s, "330108", NULL, NULL), "");
    /* nothing to search for */
    int rc;
    search(f->s, "", NULL, &rc);
    assert_int_equal(rc, FQ_EINVAL);
    search(f->s, " ，。 ", NULL, &rc);
    assert_int_equal(rc, FQ_EINVAL);
    /* every match counted, nothing older left: total is exact, no "older" */
    struct store_search pg;
    search_page(f->s, "漏水", NULL, 0, &rc, &pg);
    assert_int_equal(pg.total, 4);
    assert_int_equal(pg.total_exact, 1);
    assert_int_equal(pg.older, 0);
    /* before: only the cases older than doc 4 (docs 1 and 2 have 漏水) */
    r = search_page(f->s, "漏水", NULL, ids[3], &rc, &pg);
    assert_true(!strcmp(r, "1,2") || !strcmp(r, "2,1"));
    assert_int_equal(pg.total, 2);
    assert_int_equal(pg.older, 0);
    search_page(f->s, "漏水", NULL, -1, &rc, NULL);
    assert_int_equal(rc, FQ_EINVAL);
}

/* Searches q with fl and the page's inputs; returns the number of items, checks older and
 * total_exact (-1: do not check). */
static size_t walk_n(struct fx *f, const char *q, const struct store_case_filter *fl,
                     struct store_search pg, int64_t older, int exact)
{
    json_t *items = NULL;
    assert_int_equal(store_case_search(store_rd(f->s), q, fl, &pg, &items), 0);
    size_t n = json_array_size(items);
    json_decref(items);
    assert_int_equal(pg.older, older);
    if (exact >= 0)
        assert_int_equal(pg.total_exact, exact);
    return n;
}

/* The walk by windows of ids: with a first window of two ids and no budget for more, only the
 * two newest cases are searched and older says where to go on; with the budget, the windows
 * grow until everything is covered. */
static void test_search_windows(void **state)
{
    struct fx *f = *state;
    assert_int_equal(store_write(f->s, insert_docs, NULL), 0);
    wait_indexed(f->path);
    struct store_case_filter fl;
    store_case_filter_init(&fl);
    struct store_search two = {.span = 2, .budget_ms = -1};
    assert_int_equal(walk_n(f, "漏水", &fl, two, ids[4], 0), 2); /* docs 5 and 6 */
    two.before = ids[4];
    assert_int_equal(walk_n(f, "漏水", &fl, two, ids[2], 0), 0); /* docs 3 and 4: no 漏水 */
    assert_int_equal(walk_n(f, "漏水", &fl, (struct store_search){.span = 2}, 0, 1), 4);
}

static void test_snippet_escaped(void **state)
{
    struct fx *f = *state;
    assert_int_equal(store_write(f->s, insert_docs, NULL), 0);
    struct store_case_filter fl;
    store_case_filter_init(&fl);
    json_t *items = NULL;
    struct store_search pg = {0};
    assert_int_equal(store_case_search(store_rd(f->s), "script", &fl, &pg, &items), 0);
    assert_int_equal(json_array_size(items), 1);
    const char *sn = json_string_value(json_object_get(json_array_get(items, 0), "snippet"));
    assert_non_null(strstr(sn, "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"));
    assert_null(strstr(sn, "<script"));
    assert_true(json_real_value(json_object_get(json_array_get(items, 0), "score")) > 0);
    json_decref(items);
    assert_int_equal(store_case_search(store_rd(f->s), "楼上漏水", &fl, &pg, &items), 0);
    sn = json_string_value(json_object_get(json_array_get(items, 0), "snippet"));
    assert_string_equal(sn, "<mark>楼上漏水</mark>");
    json_decref(items);
}

/* ---- the matcher in C (fts_match.h) ---- */

static const char *snip(const char *q, const char *text, int window)
{
    static char out[1024];
    struct fts_query fq;
    struct buf b;
    int marks = 0;
    assert_int_equal(fts_query_parse(q, &fq), 0);
    buf_init(&b, sizeof out - 1);
    assert_int_equal(fts_query_snippet(&fq, text, window, "[", "]", &b, &marks), 0);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    buf_free(&b);
    return out;
}

static void test_match_snippets(void **state)
{
    (void)state;
    /* a phrase is marked as a whole, one character as itself, ASCII case-folded */
    assert_string_equal(snip("楼上漏水", "江南社区楼上漏水，楼上卫生间漏水。", 32),
                        "江南社区[楼上漏水]，楼上卫生间漏水。");
    assert_string_equal(snip("水", "漏水了", 32), "漏[水]了");
    assert_string_equal(snip("SCRIPT 漏水", "<script>漏水</script>", 32),
                        "<[script]>[漏水]</[script]>");
    /* overlapping instances merge into one mark */
    assert_string_equal(snip("漏水 水管", "漏水管", 32), "[漏水管]");
    /* a window: cut with ellipses, centred on the match */
    assert_string_equal(snip("漏水", "一二三四五六七八九十漏水甲乙丙丁戊己庚辛壬癸", 6),
                        "…九十[漏水]甲乙丙…");
    /* no match: the start of the text */
    assert_string_equal(snip("漏水", "一二三四五六七八九十", 4), "一二三四五…");
    assert_string_equal(snip("漏水", "", 4), "");
    struct fts_query fq;
    assert_int_equal(fts_query_parse(" ，。 ", &fq), FQ_EINVAL);
    assert_int_equal(fts_query_parse("a b c d e f g h i j k l m n o p q", &fq), FQ_EINVAL);
    assert_int_equal(fts_query_parse("a b c d e f g h i j k l m n o p", &fq), 0);
    struct fts_hits h;
    assert_int_equal(fts_query_parse("漏水 3号", &fq), 0);
    assert_int_equal(fts_query_scan(&fq, "3号楼漏水，2号楼漏水", -1, &h), 0);
    assert_int_equal(h.tf[0], 2);
    assert_int_equal(h.tf[1], 1);
    assert_int_equal(h.size, 10); /* 3 号楼 楼漏 漏水 水 2 号楼 楼漏 漏水 水 */
}

/* ---- the index follows writes ---- */

static int add_note(struct store_tx *tx, void *arg)
{
    (void)arg;
    struct fq_event ev;
    memset(&ev, 0, sizeof ev);
    ev.case_id = ids[2];
    ev.seq = 2;
    ev.at = 1777600001000LL;
    ev.action = ACT_NOTE;
    ev.payload = (char *)"{\"text\":\"已联系劳动监察大队\"}";
    int rc = store_tx_event_insert(tx, &ev);
    if (rc)
        return rc;
    json_t *body = json_pack("{s:s, s:s}", "content", "圆桌调解，双方同意分期支付", "agreement",
                             "十二月底前付清");
    rc = store_tx_record_insert(tx, ids[3], "mediation", 1777600002000LL, 0, body, NULL);
    json_decref(body);
    if (rc)
        return rc;
    struct fq_case c;
    if ((rc = store_tx_case_get_id(tx, ids[0], &c)))
        return rc;
    free(c.title);
    c.title = strdup("天花板渗水");
    rc = store_tx_case_update(tx, &c);
    fq_case_clear(&c);
    return rc;
}

static int fail_after_note(struct store_tx *tx, void *arg)
{
    struct fq_event ev;
    memset(&ev, 0, sizeof ev);
    ev.case_id = ids[4];
    ev.seq = 2;
    ev.action = ACT_NOTE;
    ev.payload = (char *)"{\"text\":\"回滚的备注\"}";
    int rc = store_tx_event_insert(tx, &ev);
    (void)arg;
    return rc ? rc : FQ_ECONFLICT; /* the job fails: its note must not be searchable */
}

static void fts_integrity(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(fts_tokenizer_register(db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000); /* the writer may be indexing the queue */
    char *err = NULL;
    int rc = sqlite3_exec(db, "INSERT INTO case_fts(case_fts, rank) VALUES ('integrity-check', 1)",
                          NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fail_msg("integrity-check: %s", err ? err : "?");
    sqlite3_close(db);
}

static void test_index_follows_writes(void **state)
{
    struct fx *f = *state;
    assert_int_equal(store_write(f->s, insert_docs, NULL), 0);
    assert_int_equal(store_write(f->s, add_note, NULL), 0);
    assert_int_equal(store_write(f->s, fail_after_note, NULL), FQ_ECONFLICT);
    assert_string_equal(search(f->s, "劳动监察", NULL, NULL), "3");
    assert_string_equal(search(f->s, "分期支付", NULL, NULL), "4");
    assert_string_equal(search(f->s, "十二月底", NULL, NULL), "4");
    assert_string_equal(search(f->s, "天花板渗水", NULL, NULL), "1");
    /* the old title is gone from the index (its description still says 渗水) */
    assert_string_equal(search(f->s, "楼上漏水", NULL, NULL), "6");
    assert_string_equal(search(f->s, "回滚", NULL, NULL), "");
    fts_integrity(f->path);
}

/* The score of case id among the results of q (0 when absent). */
static void score_of(struct store *s, const char *q, int64_t id, double *score)
{
    struct store_case_filter fl;
    store_case_filter_init(&fl);
    json_t *items = NULL, *it;
    struct store_search pg = {0};
    char code[32];
    size_t i;
    snprintf(code, sizeof code, "%.6s20260501%06dX", docs[id - ids[0]].division,
             (int)(id - ids[0] + 1));
    *score = 0;
    assert_int_equal(store_case_search(store_rd(s), q, &fl, &pg, &items), 0);
    json_array_foreach(items, i, it)
    {
        if (!strcmp(json_string_value(json_object_get(it, "code")), code))
            *score = json_real_value(json_object_get(it, "score"));
    }
    json_decref(items);
}

/* A search reads the queued cases' current text itself: with no writer to index them (a
 * read-only store), a new title is found at once and the stale indexed one is not. */
static void test_queued_cases_matched(void **state)
{
    struct fx *f = *state;
    assert_int_equal(store_write(f->s, insert_docs, NULL), 0);
    wait_indexed(f->path);
    double scores[2];
    score_of(f->s, "楼上 漏水", ids[5], &scores[0]); /* doc 6 as the index ranks it */
    store_close(f->s);
    f->s = NULL;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE cases SET title = '燃气泄漏' WHERE id = %lld",
             (long long)ids[1]);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK); /* queued by trigger */
    snprintf(sql, sizeof sql, "INSERT INTO fts_pending VALUES (%lld)", (long long)ids[5]);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    struct store_opts o = {.path = f->path, .readonly = 1};
    struct fq_error e = {0};
    assert_int_equal(store_open(&o, &f->s, &e), 0);
    assert_string_equal(search(f->s, "燃气泄漏", NULL, NULL), "2");
    assert_string_equal(search(f->s, "邻里噪音", NULL, NULL), "");   /* the old title */
    assert_string_equal(search(f->s, "燃气 装修", NULL, NULL), "2"); /* title and description */
    char *r = search(f->s, "漏水", NULL, NULL);                      /* both sources together */
    assert_int_equal((int)strlen(r), 7);
    assert_non_null(strchr(r, '2'));
    assert_string_equal(search(f->s, "燃气泄漏", "330108000000", NULL), ""); /* the filter */
    /* doc 6 scored in C from its queued text: the same score as from the index */
    score_of(f->s, "楼上 漏水", ids[5], &scores[1]);
    assert_true(scores[0] > 0);
    assert_float_equal(scores[0], scores[1], 1e-9);
}

/* The matcher in C agrees with FTS5 on what matches (the index answers once it is drained). */
static void test_match_agrees_with_index(void **state)
{
    struct fx *f = *state;
    static const char *qs[] = {"漏水",   "楼上漏水", "欠薪 工资",   "薪",
                               "楼上",   "script",   "卫生间 漏水", "管道漏水",
                               "农民工", "十二人",   "a",           "天花板 楼下"};
    assert_int_equal(store_write(f->s, insert_docs, NULL), 0);
    wait_indexed(f->path);
    for (size_t k = 0; k < sizeof qs / sizeof qs[0]; k++) {
        struct fts_query fq;
        assert_int_equal(fts_query_parse(qs[k], &fq), 0);
        char want[64] = "";
        for (int i = 0; i < NDOCS; i++) {
            struct fts_hits ht, hd;
            fts_query_scan(&fq, docs[i].title, -1, &ht);
            fts_query_scan(&fq, docs[i].description, -1, &hd);
            int all = 1;
            for (int w = 0; w < fq.nword; w++)
                all &= ht.tf[w] + hd.tf[w] > 0;
            if (all)
                want[i] = '1';
            else
                want[i] = '0';
        }
        want[NDOCS] = 0;
        char got[64];
        memset(got, '0', NDOCS);
        got[NDOCS] = 0;
        for (char *p = search(f->s, qs[k], NULL, NULL); *p; p++)
            if (*p >= '1' && *p <= '9')
                got[*p - '1'] = '1';
        if (strcmp(want, got))
            fail_msg("%s: C %s, index %s", qs[k], want, got);
    }
}

static int insert_backdated(struct store_tx *tx, void *arg)
{
    struct fq_case c;
    memset(&c, 0, sizeof c);
    snprintf(c.code, sizeof c.code, "33010620260430%06dX", 7);
    snprintf(c.division, sizeof c.division, "330106001001");
    c.channel = CH_WINDOW;
    c.kind = KIND_DISPUTE;
    c.status = ST_PENDING_ASSESS;
    c.title = (char *)"漏水回溯";
    c.description = (char *)"导入的旧案件";
    c.created_at = 1777600000000LL - 5; /* before every other case: backdated */
    c.success = -1;
    int rc = store_tx_case_insert(tx, &c);
    *(int64_t *)arg = c.id;
    return rc;
}

/* A created_at range bounds the walk by ids, exactly, backdated cases included. */
static void test_search_date_bounds(void **state)
{
    struct fx *f = *state;
    int64_t old_id = 0;
    assert_int_equal(store_write(f->s, insert_docs, NULL), 0);
    assert_int_equal(store_write(f->s, insert_backdated, &old_id), 0);
    assert_true(old_id > ids[NDOCS - 1]);
    wait_indexed(f->path);
    struct store_case_filter fl;
    store_case_filter_init(&fl);
    fl.to = 1777600000000LL + 2; /* docs 1 and 2, and the backdated one */
    json_t *items = NULL;
    struct store_search pg = {.span = 1, .budget_ms = -1};
    assert_int_equal(store_case_search(store_rd(f->s), "漏水", &fl, &pg, &items), 0);
    /* the first window is the one id below the bound: the backdated case, newest by id */
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "title")),
                        "漏水回溯");
    assert_int_equal(pg.older, old_id);
    json_decref(items);
    assert_int_equal(walk_n(f, "漏水", &fl, (struct store_search){0}, 0, 1), 3);
    /* from: docs 5 and 6 only; the walk stops at doc 5's id and says everything was searched */
    store_case_filter_init(&fl);
    fl.from = 1777600000000LL + 4;
    struct store_search one = {.span = 1, .budget_ms = -1};
    assert_int_equal(walk_n(f, "漏水", &fl, one, old_id, 0), 0); /* id 7: dated before from */
    one.span = 3;
    assert_int_equal(walk_n(f, "漏水", &fl, one, 0, 1), 2); /* ids 5..7 */
    store_case_filter_init(&fl);
    fl.to = 1000; /* nothing dated before to */
    assert_int_equal(walk_n(f, "漏水", &fl, (struct store_search){0}, 0, -1), 0);
}

/* The migration indexes rows written before it: drop the index and run it again. */
static void test_migration_rebuilds(void **state)
{
    struct fx *f = *state;
    assert_int_equal(store_write(f->s, insert_docs, NULL), 0);
    assert_int_equal(store_write(f->s, add_note, NULL), 0);
    store_close(f->s);
    f->s = NULL;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(fts_tokenizer_register(db), SQLITE_OK);
    char *err = NULL;
    const char *drop = "DROP TRIGGER IF EXISTS case_fts_insert; DROP TRIGGER case_fts_update; "
                       "DROP TRIGGER case_fts_delete; DROP TRIGGER IF EXISTS case_fts_note; "
                       "DROP TRIGGER case_fts_mediation; DROP TRIGGER case_fts_mediation_update; "
                       "DROP TABLE case_fts;";
    if (sqlite3_exec(db, drop, NULL, NULL, &err) != SQLITE_OK ||
        sqlite3_exec(db, sq_schema_fts, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("rebuild: %s", err ? err : "?");
    sqlite3_close(db);
    struct store_opts o = {.path = f->path};
    struct fq_error e = {0};
    assert_int_equal(store_open(&o, &f->s, &e), 0);
    assert_string_equal(search(f->s, "劳动监察", NULL, NULL), "3");
    assert_string_equal(search(f->s, "分期支付", NULL, NULL), "4");
    assert_int_equal((int)strlen(search(f->s, "欠薪 工资", NULL, NULL)), 3);
    fts_integrity(f->path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mixed_text),
        cmocka_unit_test(test_offsets_are_original_bytes),
        cmocka_unit_test(test_fullwidth_folding),
        cmocka_unit_test(test_empty_and_invalid),
        cmocka_unit_test_setup_teardown(test_search_semantics, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_snippet_escaped, fx_setup, fx_teardown),
        cmocka_unit_test(test_match_snippets),
        cmocka_unit_test_setup_teardown(test_search_windows, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_search_date_bounds, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_queued_cases_matched, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_match_agrees_with_index, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_index_follows_writes, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_migration_rebuilds, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
