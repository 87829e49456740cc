/* SQLite side of the intelligence layer: the case texts the routing model learns from, the
 * candidates of repeat-petition and duplicate detection, the mediation scenario library with its
 * applications, and the outcome statistics per method.
 *
 * These statements are few and not on hot paths, so each call prepares and finalizes its own
 * statement rather than growing the shared statement table of sqlite_int.h. */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CASE_TEXT_COLS                                                                             \
    "c.id, c.created_at, c.lead_department, c.repeat_of, c.code, c.category, c.division, c.grid, " \
    "c.method, c.channel, c.grade, c.level, c.status, c.success, c.title, c.description, c.result"

static sqlite3_stmt *prep(struct sq_conn *c, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        sq_error(c, sqlite3_errcode(c->db), "prepare (intel)");
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? s : "";
}

/* Steps st (bound by the caller) over CASE_TEXT_COLS rows, calling fn for each; then finalizes st
 * (own statements) or resets it (cached ones). */
static int scan_case_texts(struct sq_conn *c, sqlite3_stmt *st, store_case_text_fn fn, void *arg,
                           int cached)
{
    int rc = 0, s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_case_text t;
        memset(&t, 0, sizeof t);
        t.id = sqlite3_column_int64(st, 0);
        t.created_at = sqlite3_column_int64(st, 1);
        t.lead_department = sqlite3_column_int64(st, 2);
        t.repeat_of = sqlite3_column_int64(st, 3);
        sq_col_copy(st, 4, t.code, sizeof t.code);
        sq_col_copy(st, 5, t.category, sizeof t.category);
        sq_col_copy(st, 6, t.division, sizeof t.division);
        sq_col_copy(st, 7, t.grid, sizeof t.grid);
        sq_col_copy(st, 8, t.method, sizeof t.method);
        t.channel = sqlite3_column_int(st, 9);
        t.grade = sqlite3_column_int(st, 10);
        t.level = sqlite3_column_int(st, 11);
        t.status = sqlite3_column_int(st, 12);
        t.success = sqlite3_column_int(st, 13);
        t.title = col_text(st, 14);
        t.description = col_text(st, 15);
        t.result = col_text(st, 16);
        if ((rc = fn(&t, arg)))
            break;
    }
    if (rc == 0 && s != SQLITE_DONE && s != SQLITE_ROW)
        rc = sq_error(c, s, "scan case texts");
    if (cached) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    } else {
        sqlite3_finalize(st);
    }
    return rc;
}

int store_cases_assessed(struct store_rd *rd, int max, store_case_text_fn fn, void *arg)
{
    sqlite3_stmt *st = prep(&rd->conn, "SELECT " CASE_TEXT_COLS " FROM cases c WHERE c.grade > 0 "
                                       "AND c.category <> '' ORDER BY c.id DESC LIMIT ?1");
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int(st, 1, max);
    return scan_case_texts(&rd->conn, st, fn, arg, 0);
}

int store_cases_resolved(struct store_rd *rd, const char *cat_prefix, const char *scope_division,
                         int64_t scope_department, int max, store_case_text_fn fn, void *arg)
{
    char clo[20], chi[24], dlo[FQ_DIVISION_LEN + 1], dhi[FQ_DIVISION_LEN + 2];
    snprintf(clo, sizeof clo, "%s", cat_prefix ? cat_prefix : "");
    snprintf(chi, sizeof chi, "%s~", clo);
    sq_division_range(scope_division, dlo, dhi);
    sqlite3_stmt *st =
        prep(&rd->conn, "SELECT " CASE_TEXT_COLS " FROM cases c WHERE c.status >= 5 AND "
                        "c.category >= ?1 AND c.category < ?2 AND c.division >= ?3 AND "
                        "c.division < ?4 AND (?5 = 0 OR c.lead_department = ?5) "
                        "ORDER BY c.id DESC LIMIT ?6");
    if (!st)
        return FQ_EIO;
    sq_bind_text(st, 1, clo);
    sq_bind_text(st, 2, chi);
    sq_bind_text(st, 3, dlo);
    sq_bind_text(st, 4, dhi);
    sqlite3_bind_int64(st, 5, scope_department);
    sqlite3_bind_int(st, 6, max);
    return scan_case_texts(&rd->conn, st, fn, arg, 0);
}

int store_cases_by_party(struct store_rd *rd, const unsigned char (*bidx)[16], int n,
                         int64_t since, int64_t exclude, store_case_text_fn fn, void *arg)
{
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        if (sq_near_party_absent(sq_store_near(rd->s), bidx[i], since))
            continue; /* nobody with it since `since`: no read (sqlite_near.c) */
        sqlite3_stmt *st =
            sq_stmt_dyn(&rd->conn, "SELECT " CASE_TEXT_COLS " FROM cases c WHERE c.id IN (SELECT "
                                  "p.case_id FROM parties p WHERE p.id_bidx = ?1 UNION SELECT "
                                  "p.case_id FROM parties p WHERE p.phone_bidx = ?1) AND "
                                  "c.created_at >= ?2 AND c.id <> ?3 ORDER BY c.id DESC LIMIT 50");
        if (!st)
            return FQ_EIO;
        sqlite3_bind_blob(st, 1, bidx[i], 16, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, since);
        sqlite3_bind_int64(st, 3, exclude);
        rc = scan_case_texts(&rd->conn, st, fn, arg, 1);
    }
    return rc;
}

int store_case_ids_near(struct store_rd *rd, const char *division, int64_t from, int64_t to,
                        int64_t exclude, int max, int64_t *ids, int64_t *ats, int *n)
{
    *n = 0;
    if (sq_near_ids(sq_store_near(rd->s), division, from, to, exclude, max, ids, ats, n))
        return 0; /* from memory: no read transaction, no page cache dropped */
    /* the index holds (division, created_at, id): no table row is read */
    sqlite3_stmt *st =
        sq_stmt_dyn(&rd->conn, "SELECT c.id, c.created_at FROM cases c INDEXED BY cases_division_created "
                              "WHERE c.division = ?1 AND c.created_at >= ?2 AND c.created_at < ?3 "
                              "AND c.id <> ?4 ORDER BY c.created_at DESC, c.id DESC LIMIT ?5");
    int rc = 0, s;
    if (!st)
        return FQ_EIO;
    sq_bind_text(st, 1, division);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    sqlite3_bind_int64(st, 4, exclude);
    sqlite3_bind_int(st, 5, max);
    while ((s = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
        if (ats)
            ats[*n] = sqlite3_column_int64(st, 1);
        ids[(*n)++] = sqlite3_column_int64(st, 0);
    }
    if (s != SQLITE_DONE && s != SQLITE_ROW)
        rc = sq_error(&rd->conn, s, "case ids near");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int store_case_text_get(struct store_rd *rd, int64_t id, store_case_text_fn fn, void *arg)
{
    sqlite3_stmt *st = sq_stmt_dyn(&rd->conn, "SELECT " CASE_TEXT_COLS " FROM cases c WHERE c.id = ?1");
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, id);
    return scan_case_texts(&rd->conn, st, fn, arg, 1);
}

int store_dups_text(const int64_t *other_ids, const double *scores, int n, char **out)
{
    /* "-9223372036854775808:" and "-2.2250738585072014e-308," at most */
    enum { PAIR_MAX = 21 + 25 };
    *out = NULL;
    if (n <= 0)
        return 0;
    char *t = malloc((size_t)n * PAIR_MAX + 1), *p = t;
    if (!t)
        return FQ_ENOMEM;
    for (int i = 0; i < n; i++)
        p += snprintf(p, PAIR_MAX + 1, "%s%lld:%.17g", i ? "," : "", (long long)other_ids[i],
                      scores[i]);
    *out = t;
    return 0;
}

/* The next (id, score) of a cases.dups text at *p, moving *p past it: 1, or 0 at its end or at
 * anything that is not a pair (the rest is then ignored). */
static int dups_next(const char **p, int64_t *id, double *score)
{
    char *end;
    if (!*p || !**p)
        return 0;
    long long v = strtoll(*p, &end, 10);
    if (end == *p || *end != ':')
        return 0;
    const char *sp = end + 1;
    double x = strtod(sp, &end);
    if (end == sp || (*end && *end != ','))
        return 0;
    *id = v;
    *score = x;
    *p = *end ? end + 1 : end;
    return 1;
}

/* The score of `id` in a cases.dups text; 0 when it is not listed. */
static int dups_find(const char *dups, int64_t id, double *score)
{
    int64_t x;
    double sc;
    while (dups_next(&dups, &x, &sc))
        if (x == id) {
            *score = sc;
            return 1;
        }
    return 0;
}

/* The columns of a suggested case, as duplicate_json reads them from its column `at` on. */
#define DUP_CASE_COLS "c.code, c.title, c.status, c.channel, c.division, c.grid, c.created_at"

static json_t *duplicate_json(sqlite3_stmt *st, int at, double score, const char *direction,
                              int merged)
{
    json_t *o = json_object();
    json_object_set_new(o, "code", sq_json_col(st, at));
    json_object_set_new(o, "title", sq_json_col(st, at + 1));
    json_object_set_new(o, "status", json_string(status_name(sqlite3_column_int(st, at + 2))));
    json_object_set_new(o, "channel", json_string(channel_name(sqlite3_column_int(st, at + 3))));
    json_object_set_new(o, "division", sq_json_col(st, at + 4));
    json_object_set_new(o, "grid",
                        sqlite3_column_bytes(st, at + 5) ? sq_json_col(st, at + 5) : json_null());
    json_object_set_new(o, "created_at", sq_json_time(sqlite3_column_int64(st, at + 6)));
    json_object_set_new(o, "score", json_real(score));
    json_object_set_new(o, "direction", json_string(direction));
    json_object_set_new(o, "merged", json_boolean(merged));
    return o;
}

/* 1 when a 'duplicate' link joins a and b (either way), 0 when not, or FQ_EIO. */
static int dup_merged(struct sq_conn *conn, int64_t a, int64_t b)
{
    sqlite3_stmt *st = sq_stmt_dyn(conn, "SELECT 1 FROM case_links WHERE kind = 'duplicate' AND "
                                         "((a = ?1 AND b = ?2) OR (a = ?2 AND b = ?1))");
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    int s = sqlite3_step(st);
    int rc = s == SQLITE_ROW ? 1 : s == SQLITE_DONE ? 0 : sq_error(conn, s, "duplicate link");
    sqlite3_reset(st);
    return rc;
}

struct dup_rows {
    struct dup_row {
        json_t *o;
        double score;
        int order; /* the order found: the earlier ones first */
    } *r;
    int n, cap;
};

static int dup_row_cmp(const void *a, const void *b)
{
    const struct dup_row *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

/* Adds the suggestion joining cases a and b, the suggested case in the row of st from column
 * `at` on: 0, FQ_ENOMEM or FQ_EIO. */
static int dup_add(struct sq_conn *conn, struct dup_rows *rows, sqlite3_stmt *st, int at,
                   int64_t a, int64_t b, double score, const char *direction)
{
    int merged = dup_merged(conn, a, b);
    if (merged < 0)
        return merged;
    if (rows->n == rows->cap) {
        int cap = rows->cap ? 2 * rows->cap : 16;
        struct dup_row *r = realloc(rows->r, (size_t)cap * sizeof *r);
        if (!r)
            return FQ_ENOMEM;
        rows->r = r;
        rows->cap = cap;
    }
    struct dup_row *r = &rows->r[rows->n];
    if (!(r->o = duplicate_json(st, at, score, direction, merged)))
        return FQ_ENOMEM;
    r->score = score;
    r->order = rows->n++;
    return 0;
}

/* The case's own list: each listed case that exists, "earlier". */
static int dups_earlier(struct sq_conn *conn, int64_t case_id, const char *dups,
                        struct dup_rows *rows)
{
    int64_t id;
    double score;
    int rc = 0;
    while (rc == 0 && dups_next(&dups, &id, &score)) {
        sqlite3_stmt *st = sq_stmt_dyn(conn, "SELECT " DUP_CASE_COLS " FROM cases c WHERE c.id = ?1");
        if (!st)
            return FQ_EIO;
        sqlite3_bind_int64(st, 1, id);
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW)
            rc = dup_add(conn, rows, st, 0, case_id, id, score, "earlier");
        else if (s != SQLITE_DONE)
            rc = sq_error(conn, s, "duplicates earlier");
        sqlite3_reset(st);
    }
    return rc;
}

/* The cases that list case_id, "later", among those of division with a higher id created in
 * [from, to]. */
static int dups_later(struct sq_conn *conn, int64_t case_id, const char *division, int64_t from,
                      int64_t to, struct dup_rows *rows)
{
    sqlite3_stmt *st = sq_stmt_dyn(conn, "SELECT c.id, c.dups, " DUP_CASE_COLS " FROM cases c "
                                         "INDEXED BY cases_division_created WHERE c.division = ?1 "
                                         "AND c.created_at >= ?2 AND c.created_at <= ?3 AND "
                                         "c.id > ?4 AND c.dups IS NOT NULL");
    if (!st)
        return FQ_EIO;
    sq_bind_text(st, 1, division);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    sqlite3_bind_int64(st, 4, case_id);
    int rc = 0, s;
    double score;
    while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW)
        if (dups_find(col_text(st, 1), case_id, &score))
            rc = dup_add(conn, rows, st, 2, case_id, sqlite3_column_int64(st, 0), score, "later");
    if (rc == 0 && s != SQLITE_DONE)
        rc = sq_error(conn, s, "duplicates later");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int store_case_duplicates(struct store_rd *rd, int64_t case_id, int64_t before, int64_t after,
                          json_t **out)
{
    struct sq_conn *conn = &rd->conn;
    struct dup_rows rows = {0};
    char division[FQ_DIVISION_LEN + 1] = "", *dups = NULL;
    int64_t created_at = 0;
    int rc = 0, found = 0;
    *out = NULL;
    store_rd_begin(rd); /* the case, its list and the cases listing it: one snapshot */
    sqlite3_stmt *st =
        sq_stmt_dyn(conn, "SELECT division, created_at, dups FROM cases WHERE id = ?1");
    if (!st) {
        rc = FQ_EIO;
        goto done;
    }
    sqlite3_bind_int64(st, 1, case_id);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        found = 1;
        snprintf(division, sizeof division, "%s", col_text(st, 0));
        created_at = sqlite3_column_int64(st, 1);
        if (sqlite3_column_type(st, 2) == SQLITE_TEXT && !(dups = strdup(col_text(st, 2))))
            rc = FQ_ENOMEM;
    } else if (s != SQLITE_DONE) {
        rc = sq_error(conn, s, "duplicates");
    }
    sqlite3_reset(st);
    if (rc == 0 && found && dups)
        rc = dups_earlier(conn, case_id, dups, &rows);
    if (rc == 0 && found)
        rc = dups_later(conn, case_id, division, created_at - before, created_at + after, &rows);
    if (rc == 0 && rows.n > 1)
        qsort(rows.r, (size_t)rows.n, sizeof *rows.r, dup_row_cmp);
    if (rc == 0 && !(*out = json_array()))
        rc = FQ_ENOMEM;
    for (int i = 0; i < rows.n; i++)
        if (rc == 0)
            json_array_append_new(*out, rows.r[i].o);
        else
            json_decref(rows.r[i].o);
done:
    store_rd_end(rd);
    free(rows.r);
    free(dups);
    return rc;
}

/* ---- scenarios ---- */

int store_tx_scenario_put(struct store_tx *tx, int64_t *id, const char *code, const char *name,
                          const char *categories, const char *keywords, const char *body)
{
    sqlite3_stmt *st;
    int rc;
    if (*id == 0)
        st = prep(tx->conn,
                  "INSERT INTO scenarios(code, name, categories, keywords, body, updated_at) "
                  "VALUES (?2, ?3, ?4, ?5, ?6, ?7)");
    else
        st = prep(tx->conn, "UPDATE scenarios SET code = ?2, name = ?3, categories = ?4, "
                            "keywords = ?5, body = ?6, updated_at = ?7 WHERE id = ?1");
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, *id);
    sq_bind_text(st, 2, code);
    sq_bind_text(st, 3, name);
    sq_bind_text(st, 4, categories);
    sq_bind_text(st, 5, keywords);
    sq_bind_text(st, 6, body);
    sqlite3_bind_int64(st, 7, tx->now);
    if (*id == 0) {
        rc = sq_exec_stmt(tx->conn, st, "scenario insert");
        if (rc == 0)
            *id = sqlite3_last_insert_rowid(tx->conn->db);
    } else {
        rc = sq_exec_one(tx->conn, st, "scenario update");
    }
    sqlite3_finalize(st);
    return rc;
}

static json_t *scenario_row(sqlite3_stmt *st)
{
    json_error_t je;
    const char *body = col_text(st, 5);
    json_t *b = json_loads(body, 0, &je);
    if (!json_is_object(b)) {
        json_decref(b);
        b = json_object();
    }
    return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                     (json_int_t)sqlite3_column_int64(st, 0), "code", sq_json_col(st, 1), "name",
                     sq_json_col(st, 2), "categories", sq_json_col(st, 3), "keywords",
                     sq_json_col(st, 4), "body", b, "updated_at",
                     sq_json_time(sqlite3_column_int64(st, 6)));
}

#define SCENARIO_COLS "id, code, name, categories, keywords, body, updated_at"

int store_scenarios(struct store_rd *rd, json_t **out)
{
    sqlite3_stmt *st = prep(&rd->conn, "SELECT " SCENARIO_COLS " FROM scenarios ORDER BY code, id");
    if (!st)
        return FQ_EIO;
    int rc = sq_json_rows(&rd->conn, st, scenario_row, out, "scenarios");
    sqlite3_finalize(st);
    return rc;
}

int store_scenario_get(struct store_rd *rd, int64_t id, json_t **out)
{
    sqlite3_stmt *st = prep(&rd->conn, "SELECT " SCENARIO_COLS " FROM scenarios WHERE id = ?1");
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, id);
    int rc = sq_json_row(&rd->conn, st, scenario_row, out, "scenario");
    sqlite3_finalize(st);
    return rc;
}

int store_tx_scenario_apply(struct store_tx *tx, int64_t case_id, int64_t scenario_id,
                            const char *method, int64_t user_id, int64_t at, int64_t *id)
{
    sqlite3_stmt *st =
        prep(tx->conn, "INSERT INTO scenario_applications(case_id, county, scenario_id, "
                       "method, user_id, at) VALUES (?1, " SQ_COUNTY_OF_1 ", ?2, ?3, ?4, ?5)");
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, scenario_id);
    sq_bind_text(st, 3, method ? method : "");
    sqlite3_bind_int64(st, 4, user_id);
    sqlite3_bind_int64(st, 5, at);
    int rc = sq_exec_stmt(tx->conn, st, "scenario apply");
    if (rc == 0 && id)
        *id = sqlite3_last_insert_rowid(tx->conn->db);
    sqlite3_finalize(st);
    return rc;
}

static json_t *application_json(sqlite3_stmt *st)
{
    return json_pack("{s:I, s:I, s:o, s:o, s:o, s:I}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                     "scenario_id", (json_int_t)sqlite3_column_int64(st, 1), "scenario",
                     sq_json_col(st, 2), "method", sq_json_col(st, 3), "at",
                     sq_json_time(sqlite3_column_int64(st, 4)), "user_id",
                     (json_int_t)sqlite3_column_int64(st, 5));
}

int store_case_applications(struct store_rd *rd, int64_t case_id, json_t **out)
{
    sqlite3_stmt *st =
        prep(&rd->conn, "SELECT a.id, a.scenario_id, s.name, a.method, a.at, a.user_id "
                        "FROM scenario_applications a LEFT JOIN scenarios s ON "
                        "s.id = a.scenario_id WHERE a.case_id = ?1 ORDER BY a.id");
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, case_id);
    int rc = sq_json_rows(&rd->conn, st, application_json, out, "applications");
    sqlite3_finalize(st);
    return rc;
}

static int stats_rows(struct store_rd *rd, const char *sql, int with_name, json_t **out)
{
    sqlite3_stmt *st = prep(&rd->conn, sql);
    if (!st)
        return FQ_EIO;
    json_t *arr = json_array();
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = json_object();
        int c = 0;
        json_object_set_new(o, "method", sq_json_col(st, c++));
        if (with_name)
            json_object_set_new(o, "name", sq_json_col(st, c++));
        else
            json_object_set_new(o, "applied", json_integer(sqlite3_column_int64(st, c++)));
        int64_t closed = sqlite3_column_int64(st, c++), settled = sqlite3_column_int64(st, c++);
        json_object_set_new(o, "closed", json_integer(closed));
        json_object_set_new(o, "settled", json_integer(settled));
        json_object_set_new(o, "success_rate",
                            closed ? json_real((double)settled / (double)closed) : json_null());
        json_array_append_new(arr, o);
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE) {
        json_decref(arr);
        return sq_error(&rd->conn, s, "method stats");
    }
    *out = arr;
    return 0;
}

int store_scenario_method_stats(struct store_rd *rd, json_t **out)
{
    return stats_rows(
        rd,
        "SELECT a.method, count(*), coalesce(sum(c.status >= 5 AND c.success >= 0), 0), "
        "coalesce(sum(c.status >= 5 AND c.success = 1), 0) FROM scenario_applications a "
        "JOIN cases c ON c.id = a.case_id GROUP BY a.method ORDER BY 2 DESC, 1",
        0, out);
}

int store_resolution_method_stats(struct store_rd *rd, json_t **out)
{
    return stats_rows(
        rd,
        "SELECT c.method, m.name, count(*), coalesce(sum(c.success = 1), 0) FROM cases c "
        "LEFT JOIN resolution_methods m ON m.code = c.method WHERE c.status >= 5 AND "
        "c.method <> '' AND c.success >= 0 GROUP BY c.method ORDER BY 3 DESC, 1",
        1, out);
}
