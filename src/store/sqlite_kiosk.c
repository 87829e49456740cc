/* Kiosk tokens: revocable read-only credentials for the big screen in a command hall, so the
 * screen opens without anyone typing a password. Stored as keyed hashes like session tokens. */
#include "store/sqlite_int.h"

#include <string.h>

int store_tx_kiosk_insert(struct store_tx *tx, const unsigned char hash[32], const char *name,
                          const char *division, int64_t user_id, int64_t *id)
{
    if (!tx || !hash || !name || !division)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt_dyn(tx->conn, "INSERT INTO kiosk_tokens(token_hash, name, division, created_by, "
                                             "created_at, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, 0)");
    if (!st)
        return FQ_EIO;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, division, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, user_id);
    sqlite3_bind_int64(st, 5, tx->now);
    int rc = sq_exec_stmt(tx->conn, st, "kiosk insert");
    if (rc == 0 && id)
        *id = sqlite3_last_insert_rowid(tx->conn->db);
    return rc;
}

int store_tx_kiosk_revoke(struct store_tx *tx, int64_t id)
{
    if (!tx)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt_dyn(tx->conn, "UPDATE kiosk_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at = 0");
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, tx->now);
    return sq_exec_one(tx->conn, st, "kiosk revoke");
}

int store_kiosk_get(struct store_rd *rd, const unsigned char hash[32], char name[64],
                    char division[FQ_DIVISION_LEN + 1])
{
    if (!rd || !hash)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt_dyn(&rd->conn, "SELECT name, division FROM kiosk_tokens "
                                              "WHERE token_hash = ?1 AND revoked_at = 0");
    if (!st)
        return FQ_EIO;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        sq_col_copy(st, 0, name, 64);
        sq_col_copy(st, 1, division, FQ_DIVISION_LEN + 1);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? FQ_ENOTFOUND : sq_error(&rd->conn, rc, "kiosk get");
    }
    sqlite3_reset(st);
    return rc;
}

static json_t *kiosk_json(sqlite3_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
    json_object_set_new(o, "name", sq_json_col(st, 1));
    json_object_set_new(o, "division", sq_json_col(st, 2));
    json_object_set_new(o, "created_by", json_integer(sqlite3_column_int64(st, 3)));
    json_object_set_new(o, "created_at", sq_json_time(sqlite3_column_int64(st, 4)));
    json_object_set_new(o, "revoked_at", sq_json_time(sqlite3_column_int64(st, 5)));
    return o;
}

int store_kiosks(struct store_rd *rd, json_t **out)
{
    if (!rd || !out)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt_dyn(&rd->conn, "SELECT id, name, division, created_by, created_at, revoked_at "
                                              "FROM kiosk_tokens ORDER BY id");
    return st ? sq_json_rows(&rd->conn, st, kiosk_json, out, "kiosk list") : FQ_EIO;
}
