/* SQLite side of the intelligence layer: the case texts the routing model learns from, the
 * candidates of repeat-petition and duplicate detection, the mediation scenario library with its
 * applications, and the outcome statistics per method.
 *
 * These statements are few and not on hot paths, so each call prepares and finalizes its own
 * statement rather than growing the shared statement table of sqlite_int.h. */
#include "store/sqlite_int.h"

#include <stdio.h>
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
                        int64_t exclude, int max, int64_t *ids, int *n)
{
    *n = 0;
    if (sq_near_ids(sq_store_near(rd->s), division, from, to, exclude, max, ids, n))
        return 0; /* from memory: no read transaction, no page cache dropped */
    /* the index holds (division, created_at, id): no table row is read */
    sqlite3_stmt *st =
        sq_stmt_dyn(&rd->conn, "SELECT c.id FROM cases c INDEXED BY cases_division_created "
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
    while ((s = sqlite3_step(st)) == SQLITE_ROW && *n < max)
        ids[(*n)++] = sqlite3_column_int64(st, 0);
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

int store_tx_duplicate_suggest(struct store_tx *tx, int64_t case_id, const char *county,
                               const int64_t *other_ids, const double *scores, int n)
{
    /* on the writer's hot path for most intakes: one fixed statement for up to SQ_DUP_ROWS
     * suggestions (one statement run instead of one per suggestion), the county bound */
    int rc = 0;
    for (int at = 0; rc == 0 && at < n; at += SQ_DUP_ROWS) {
        sqlite3_stmt *st = sq_stmt(tx->conn, SQ_DUP_SUGGEST);
        if (!st)
            return FQ_EIO;
        sqlite3_clear_bindings(st);
        sqlite3_bind_int64(st, 1, case_id);
        sq_bind_text(st, 2, county);
        sqlite3_bind_int64(st, 3, tx->now);
        for (int r = 0; r < SQ_DUP_ROWS && at + r < n; r++) {
            sqlite3_bind_int64(st, 4 + 2 * r, other_ids[at + r]);
            sqlite3_bind_double(st, 5 + 2 * r, scores[at + r]);
        }
        rc = sq_exec_stmt(tx->conn, st, "duplicate suggestions");
    }
    return rc;
}

static json_t *duplicate_json(sqlite3_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "code", sq_json_col(st, 0));
    json_object_set_new(o, "title", sq_json_col(st, 1));
    json_object_set_new(o, "status", json_string(status_name(sqlite3_column_int(st, 2))));
    json_object_set_new(o, "channel", json_string(channel_name(sqlite3_column_int(st, 3))));
    json_object_set_new(o, "division", sq_json_col(st, 4));
    json_object_set_new(o, "grid", sqlite3_column_bytes(st, 5) ? sq_json_col(st, 5) : json_null());
    json_object_set_new(o, "created_at", sq_json_time(sqlite3_column_int64(st, 6)));
    json_object_set_new(o, "score", json_real(sqlite3_column_double(st, 7)));
    json_object_set_new(o, "direction", sq_json_col(st, 8));
    json_object_set_new(o, "merged", json_boolean(sqlite3_column_int(st, 9)));
    return o;
}

int store_case_duplicates(struct store_rd *rd, int64_t case_id, json_t **out)
{
#define DUP_SIDE(other, self, dir)                                                                 \
    "SELECT c.code, c.title, c.status, c.channel, c.division, c.grid, c.created_at, s.score, "     \
    "'" dir                                                                                        \
    "', EXISTS (SELECT 1 FROM case_links l WHERE l.kind = 'duplicate' AND ((l.a = s.case_id AND "  \
    "l.b = s.other_id) OR (l.a = s.other_id AND l.b = s.case_id))) FROM duplicate_suggestions s "  \
    "JOIN cases c ON c.id = s." other " WHERE s." self " = ?1"
    sqlite3_stmt *st =
        prep(&rd->conn, DUP_SIDE("other_id", "case_id", "earlier") " UNION ALL " DUP_SIDE(
                            "case_id", "other_id", "later") " ORDER BY 8 DESC");
#undef DUP_SIDE
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, case_id);
    int rc = sq_json_rows(&rd->conn, st, duplicate_json, out, "duplicates");
    sqlite3_finalize(st);
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
