/* SQLite side of the early warning (see store/store_warning.h, core/warning.h). The scan reads
 * the cases of the last 91 days through cases_created and the older open cases through the
 * partial index on open cases; key persons are found in the same statement from the parties'
 * blind indexes. */
#include "store/sqlite_int.h"
#include "store/store_warning.h"

#include <stdio.h>
#include <string.h>

#define SCAN_COLS                                                                                  \
    "c.created_at, c.repeat_of, c.grid, c.division, c.category, coalesce(c.title, ''), "           \
    "coalesce(c.description, ''), c.channel, c.status, c.light, c.people_count, c.satisfaction, "  \
    "c.escalations, c.supervised, "                                                                \
    "EXISTS (SELECT 1 FROM parties p WHERE p.case_id = c.id AND (p.id_bidx IN kpi "                \
    "OR p.phone_bidx IN kpp)), coalesce(c.address, '')"

#define SCAN_SQL(DIV)                                                                              \
    "WITH kpi AS (SELECT p.id_bidx FROM parties p JOIN cases x ON x.id = p.case_id "               \
    "  WHERE x.created_at >= ?1 AND x.created_at < ?2 AND p.id_bidx IS NOT NULL "                  \
    "  GROUP BY p.id_bidx HAVING count(DISTINCT p.case_id) >= 3), "                                \
    "kpp AS (SELECT p.phone_bidx FROM parties p JOIN cases x ON x.id = p.case_id "                 \
    "  WHERE x.created_at >= ?1 AND x.created_at < ?2 AND p.phone_bidx IS NOT NULL "               \
    "  GROUP BY p.phone_bidx HAVING count(DISTINCT p.case_id) >= 3) "                              \
    "SELECT " SCAN_COLS " FROM cases c WHERE c.created_at >= ?1 AND c.created_at < ?2 "            \
    "AND " DIV " >= ?3 AND " DIV " < ?4 "                                                          \
    "UNION ALL SELECT " SCAN_COLS " FROM cases c WHERE c.status <= 4 AND c.created_at < ?1 "       \
    "AND " DIV " >= ?3 AND " DIV " < ?4"
/* A subtree is read through the (division, created_at) index; the whole city by creation time
 * ("+" keeps the planner off the division index, which would read every case ever made). */
static const char scan_sql_subtree[] = SCAN_SQL("c.division");
static const char scan_sql_all[] = SCAN_SQL("+c.division");

int store_warn_scan(struct store_rd *rd, const char *division, int64_t since, int64_t until,
                    store_warn_case_fn fn, void *arg)
{
    char lo[FQ_DIVISION_LEN + 1], hi[FQ_DIVISION_LEN + 2];
    sqlite3_stmt *st =
        sq_stmt_dyn(&rd->conn, division && *division ? scan_sql_subtree : scan_sql_all);
    int rc = 0, step;
    if (!st)
        return FQ_EIO;
    sq_division_range(division, lo, hi);
    sqlite3_bind_int64(st, 1, since);
    sqlite3_bind_int64(st, 2, until);
    sq_bind_text(st, 3, lo);
    sq_bind_text(st, 4, hi);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_warn_case c;
        c.created_at = sqlite3_column_int64(st, 0);
        c.repeat_of = sqlite3_column_int64(st, 1);
        c.grid = (const char *)sqlite3_column_text(st, 2);
        c.division = (const char *)sqlite3_column_text(st, 3);
        c.category = (const char *)sqlite3_column_text(st, 4);
        c.title = (const char *)sqlite3_column_text(st, 5);
        c.description = (const char *)sqlite3_column_text(st, 6);
        c.grid = c.grid ? c.grid : "";
        c.division = c.division ? c.division : "";
        c.category = c.category ? c.category : "";
        c.title = c.title ? c.title : "";
        c.description = c.description ? c.description : "";
        c.channel = sqlite3_column_int(st, 7);
        c.status = sqlite3_column_int(st, 8);
        c.light = sqlite3_column_int(st, 9);
        c.people_count = sqlite3_column_int(st, 10);
        c.satisfaction = sqlite3_column_int(st, 11);
        c.escalations = sqlite3_column_int(st, 12);
        c.supervised = sqlite3_column_int(st, 13);
        c.key_person = sqlite3_column_int(st, 14);
        c.address = (const char *)sqlite3_column_text(st, 15);
        c.address = c.address ? c.address : "";
        if ((rc = fn(&c, arg)) != 0)
            break;
    }
    if (!rc && step != SQLITE_DONE)
        rc = sq_error(&rd->conn, step, "warning scan");
    sqlite3_reset(st);
    return rc;
}

int store_warn_grids(struct store_rd *rd, const char *division,
                     void (*fn)(const char *code, const char *village, void *arg), void *arg)
{
    char lo[FQ_DIVISION_LEN + 1], hi[FQ_DIVISION_LEN + 2];
    sqlite3_stmt *st = sq_stmt_dyn(&rd->conn, "SELECT code, village FROM grids "
                                              "WHERE village >= ?1 AND village < ?2");
    int step;
    if (!st)
        return FQ_EIO;
    sq_division_range(division, lo, hi);
    sq_bind_text(st, 1, lo);
    sq_bind_text(st, 2, hi);
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        fn((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1), arg);
    int rc = step == SQLITE_DONE ? 0 : sq_error(&rd->conn, step, "warning grids");
    sqlite3_reset(st);
    return rc;
}

int store_tx_warn_level_swap(struct store_tx *tx, const char *area, int level, double score,
                             int64_t at, int *prev)
{
    sqlite3_stmt *st = sq_stmt_dyn(tx->conn, "SELECT level FROM warning_levels WHERE area = ?1");
    if (!st)
        return FQ_EIO;
    sq_bind_text(st, 1, area);
    *prev = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_reset(st);
    if (*prev == level)
        return 0;
    st = sq_stmt_dyn(tx->conn, "INSERT INTO warning_levels(area, level, score, at) "
                               "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (area) DO UPDATE SET "
                               "level = excluded.level, score = excluded.score, at = excluded.at");
    if (!st)
        return FQ_EIO;
    sq_bind_text(st, 1, area);
    sqlite3_bind_int(st, 2, level);
    sqlite3_bind_double(st, 3, score);
    sqlite3_bind_int64(st, 4, at);
    return sq_exec_stmt(tx->conn, st, "warning level");
}

int store_tx_warn_exists(struct store_tx *tx, const char *area, const char *kind, int64_t since,
                         int open_only, int *exists)
{
    sqlite3_stmt *st = sq_stmt_dyn(
        tx->conn, "SELECT 1 FROM warnings WHERE area = ?1 AND kind = ?2 AND (CASE WHEN ?4 "
                  "THEN status IN ('raised', 'seen') ELSE raised_at >= ?3 END) LIMIT 1");
    if (!st)
        return FQ_EIO;
    sq_bind_text(st, 1, area);
    sq_bind_text(st, 2, kind);
    sqlite3_bind_int64(st, 3, since);
    sqlite3_bind_int(st, 4, open_only);
    int step = sqlite3_step(st);
    *exists = step == SQLITE_ROW;
    int rc = step == SQLITE_ROW || step == SQLITE_DONE ? 0 : sq_error(tx->conn, step, "warning");
    sqlite3_reset(st);
    return rc;
}

int store_tx_warn_insert(struct store_tx *tx, const struct store_warning_new *w, int64_t *id)
{
    sqlite3_stmt *st = sq_stmt_dyn(
        tx->conn, "INSERT INTO warnings(county, area, area_kind, division, kind, level, score, "
                  "title, factors, status, raised_at, updated_at) VALUES (substr(?3, 1, 6), ?1, "
                  "?2, ?3, ?4, ?5, ?6, ?7, ?8, 'raised', ?9, ?9)");
    if (!st)
        return FQ_EIO;
    sq_bind_text(st, 1, w->area);
    sq_bind_text(st, 2, w->area_kind);
    sq_bind_text(st, 3, w->division);
    sq_bind_text(st, 4, w->kind);
    sqlite3_bind_int(st, 5, w->level);
    sqlite3_bind_double(st, 6, w->score);
    sq_bind_text(st, 7, w->title);
    sq_bind_text(st, 8, w->factors ? w->factors : "[]");
    sqlite3_bind_int64(st, 9, w->at);
    int rc = sq_exec_stmt(tx->conn, st, "warning insert");
    if (!rc && id)
        *id = sqlite3_last_insert_rowid(tx->conn->db);
    return rc;
}

int store_tx_warn_get(struct store_tx *tx, int64_t id, char division[16], char status[16],
                      char area[24], char title[256])
{
    sqlite3_stmt *st =
        sq_stmt_dyn(tx->conn, "SELECT division, status, area, title FROM warnings WHERE id = ?1");
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st), rc = 0;
    if (step == SQLITE_ROW) {
        sq_col_copy(st, 0, division, 16);
        sq_col_copy(st, 1, status, 16);
        sq_col_copy(st, 2, area, 24);
        sq_col_copy(st, 3, title, 256);
    } else {
        rc = step == SQLITE_DONE ? FQ_ENOTFOUND : sq_error(tx->conn, step, "warning get");
    }
    sqlite3_reset(st);
    return rc;
}

int store_tx_warn_set(struct store_tx *tx, int64_t id, const char *status, int64_t user_id,
                      const char *reason, const char *case_code, int64_t at)
{
    int seen = !strcmp(status, "seen");
    sqlite3_stmt *st = sq_stmt_dyn(
        tx->conn,
        seen
            ? "UPDATE warnings SET status = ?2, seen_by = ?3, seen_at = ?6, updated_at = ?6 "
              "WHERE id = ?1 AND ?4 IS NULL AND ?5 IS NULL"
            : "UPDATE warnings SET status = ?2, handled_by = ?3, handled_at = ?6, updated_at = ?6, "
              "reason = ?4, case_code = ?5, seen_by = coalesce(seen_by, ?3), "
              "seen_at = coalesce(seen_at, ?6) WHERE id = ?1");
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, id);
    sq_bind_text(st, 2, status);
    sqlite3_bind_int64(st, 3, user_id);
    sq_bind_text(st, 4, reason);
    sq_bind_text(st, 5, case_code);
    sqlite3_bind_int64(st, 6, at);
    return sq_exec_one(tx->conn, st, "warning update");
}

#define WARN_COLS                                                                                  \
    "id, area, area_kind, division, kind, level, score, title, factors, status, raised_at, "       \
    "seen_at, seen_by, handled_at, handled_by, reason, case_code"

static json_t *warning_json(sqlite3_stmt *st)
{
    static const char *const levels[] = {"blue", "yellow", "orange", "red"};
    int level = sqlite3_column_int(st, 5);
    json_t *factors = json_loads((const char *)sqlite3_column_text(st, 8), 0, NULL);
    json_t *o = json_pack(
        "{s:I, s:o, s:o, s:o, s:o, s:s, s:f, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
        "id", (json_int_t)sqlite3_column_int64(st, 0), "area", sq_json_col(st, 1), "area_kind",
        sq_json_col(st, 2), "division", sq_json_col(st, 3), "kind", sq_json_col(st, 4), "level",
        level >= 0 && level < 4 ? levels[level] : "", "score", sqlite3_column_double(st, 6),
        "title", sq_json_col(st, 7), "factors", factors ? factors : json_array(), "status",
        sq_json_col(st, 9), "raised_at", sq_json_time(sqlite3_column_int64(st, 10)), "seen_at",
        sq_json_time(sqlite3_column_int64(st, 11)), "seen_by",
        sqlite3_column_type(st, 12) == SQLITE_NULL ? json_null()
                                                   : json_integer(sqlite3_column_int64(st, 12)),
        "handled_at", sq_json_time(sqlite3_column_int64(st, 13)), "handled_by",
        sqlite3_column_type(st, 14) == SQLITE_NULL ? json_null()
                                                   : json_integer(sqlite3_column_int64(st, 14)),
        "reason", sq_json_col(st, 15), "case_code", sq_json_col(st, 16));
    return o;
}

int store_warnings(struct store_rd *rd, const char *division, const char *status, int limit,
                   json_t **out)
{
    char lo[FQ_DIVISION_LEN + 1], hi[FQ_DIVISION_LEN + 2];
    sqlite3_stmt *st =
        sq_stmt_dyn(&rd->conn, "SELECT " WARN_COLS " FROM warnings "
                               "WHERE division >= ?1 AND division < ?2 AND "
                               "(?3 IS NULL OR status = ?3) ORDER BY id DESC LIMIT ?4");
    *out = NULL;
    if (!st)
        return FQ_EIO;
    sq_division_range(division, lo, hi);
    sq_bind_text(st, 1, lo);
    sq_bind_text(st, 2, hi);
    sq_bind_text(st, 3, status);
    sqlite3_bind_int(st, 4, limit);
    return sq_json_rows(&rd->conn, st, warning_json, out, "warnings");
}

int store_warning_get(struct store_rd *rd, int64_t id, json_t **out)
{
    sqlite3_stmt *st = sq_stmt_dyn(&rd->conn, "SELECT " WARN_COLS " FROM warnings WHERE id = ?1");
    *out = NULL;
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, id);
    return sq_json_row(&rd->conn, st, warning_json, out, "warning");
}

int store_warnings_period(struct store_rd *rd, const char *division, int64_t from, int64_t to,
                          int limit, json_t **out)
{
    char lo[FQ_DIVISION_LEN + 1], hi[FQ_DIVISION_LEN + 2];
    sqlite3_stmt *st = sq_stmt_dyn(&rd->conn, "SELECT " WARN_COLS " FROM warnings "
                                              "WHERE division >= ?1 AND division < ?2 AND "
                                              "raised_at >= ?3 AND raised_at < ?4 "
                                              "ORDER BY raised_at, id LIMIT ?5");
    *out = NULL;
    if (!st)
        return FQ_EIO;
    sq_division_range(division, lo, hi);
    sq_bind_text(st, 1, lo);
    sq_bind_text(st, 2, hi);
    sqlite3_bind_int64(st, 3, from);
    sqlite3_bind_int64(st, 4, to);
    sqlite3_bind_int(st, 5, limit);
    return sq_json_rows(&rd->conn, st, warning_json, out, "warnings");
}
