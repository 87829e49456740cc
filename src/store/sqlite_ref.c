/* Everything in SQLite that is not a case: accounts, sessions and the access audit, and the
 * reference data the case logic consults — divisions, grids, departments, the category tree,
 * resolution methods, the responsibility list (权责清单), the holiday calendar, SLA rules and
 * settings. Small tables, read often, written by init, demo and admins. */
#include "store/place_pattern.h"
#include "store/sqlite_int.h"
#include "util/clock.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 1000000

#define BIND_FIXED(st, i, arr)                                                                     \
    sqlite3_bind_text((st), (i), (arr), (int)strnlen((arr), sizeof(arr)), SQLITE_STATIC)

/* Steps a one-row lookup whose parameters are bound; 1 row → 0 (row ready: caller reads and
 * resets), none → FQ_ENOTFOUND, error → FQ_EIO. Resets the statement unless a row is returned. */
static int step_row(struct sq_conn *c, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 0;
    int ret = rc == SQLITE_DONE ? FQ_ENOTFOUND : sq_error(c, rc, what);
    sqlite3_reset(st);
    return ret;
}

/* 1 when the bound existence query finds a row, 0 when not, < 0 on error. */
static int step_exists(struct sq_conn *c, sqlite3_stmt *st, const char *what)
{
    int ret = step_row(c, st, what);
    if (ret == 0) {
        sqlite3_reset(st);
        return 1;
    }
    return ret == FQ_ENOTFOUND ? 0 : ret;
}


/* ---- users ---- */

static void bind_user(sqlite3_stmt *st, const struct fq_user *u, int with_created)
{
    sqlite3_bind_int64(st, 1, u->id);
    BIND_FIXED(st, 2, u->username);
    BIND_FIXED(st, 3, u->display_name);
    BIND_FIXED(st, 4, u->pw_hash);
    sqlite3_bind_int64(st, 5, u->roles);
    BIND_FIXED(st, 6, u->division);
    sqlite3_bind_int64(st, 7, u->department_id);
    sqlite3_bind_int(st, 8, u->failed_logins);
    sqlite3_bind_int64(st, 9, u->locked_until);
    sqlite3_bind_int(st, 10, u->disabled);
    if (with_created)
        sqlite3_bind_int64(st, 11, u->created_at);
}

static void read_user(sqlite3_stmt *st, struct fq_user *u)
{
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(st, 0);
    sq_col_copy(st, 1, u->username, sizeof u->username);
    sq_col_copy(st, 2, u->display_name, sizeof u->display_name);
    sq_col_copy(st, 3, u->pw_hash, sizeof u->pw_hash);
    u->roles = (unsigned)sqlite3_column_int64(st, 4);
    sq_col_copy(st, 5, u->division, sizeof u->division);
    u->department_id = sqlite3_column_int64(st, 6);
    u->failed_logins = sqlite3_column_int(st, 7);
    u->locked_until = sqlite3_column_int64(st, 8);
    u->disabled = sqlite3_column_int(st, 9);
    u->created_at = sqlite3_column_int64(st, 10);
}

int store_tx_user_insert(struct store_tx *tx, struct fq_user *u)
{
    if (!tx || !u || !u->username[0])
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_USER_INSERT);
    if (!st)
        return FQ_EIO;
    if (!u->created_at)
        u->created_at = tx->now;
    bind_user(st, u, 1);
    int ret = sq_exec_stmt(tx->conn, st, "user insert");
    if (ret == 0)
        u->id = sqlite3_last_insert_rowid(tx->conn->db);
    return ret;
}

int store_tx_user_update(struct store_tx *tx, const struct fq_user *u)
{
    if (!tx || !u || !u->username[0])
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_USER_UPDATE);
    if (!st)
        return FQ_EIO;
    bind_user(st, u, 0);
    return sq_exec_one(tx->conn, st, "user update");
}

static int user_by_name(struct sq_conn *c, const char *username, struct fq_user *u)
{
    if (!c || !username || !u)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(c, SQ_USER_GET);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
    int ret = step_row(c, st, "user get");
    if (ret == 0) {
        read_user(st, u);
        sqlite3_reset(st);
    }
    return ret;
}

int store_tx_user_get(struct store_tx *tx, const char *username, struct fq_user *u)
{
    return user_by_name(tx ? tx->conn : NULL, username, u);
}

int store_user_get(struct store_rd *rd, const char *username, struct fq_user *u)
{
    return user_by_name(rd ? &rd->conn : NULL, username, u);
}

int store_user_get_id(struct store_rd *rd, int64_t id, struct fq_user *u)
{
    if (!rd || !u)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_USER_GET_ID);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, id);
    int ret = step_row(&rd->conn, st, "user get");
    if (ret == 0) {
        read_user(st, u);
        sqlite3_reset(st);
    }
    return ret;
}

json_t *store_user_json(const struct fq_user *user)
{
    const struct fq_user u = *user;
    json_t *o = json_object(), *roles = json_array();
    for (int r = 0; r < ROLE__COUNT; r++)
        if (u.roles & (1u << r))
            json_array_append_new(roles, json_string(role_name(r)));
    json_object_set_new(o, "id", json_integer(u.id));
    json_object_set_new(o, "username", sq_json_str(u.username));
    json_object_set_new(o, "display_name", sq_json_str(u.display_name));
    json_object_set_new(o, "roles", roles);
    json_object_set_new(o, "division", u.division[0] ? sq_json_str(u.division) : json_null());
    json_object_set_new(o, "department_id",
                        u.department_id ? json_integer(u.department_id) : json_null());
    json_object_set_new(o, "failed_logins", json_integer(u.failed_logins));
    json_object_set_new(o, "locked_until", sq_json_time(u.locked_until));
    json_object_set_new(o, "disabled", json_boolean(u.disabled));
    json_object_set_new(o, "created_at", sq_json_time(u.created_at));
    return o;
}

static json_t *user_json(sqlite3_stmt *st)
{
    struct fq_user u;
    read_user(st, &u);
    return store_user_json(&u);
}

int store_users(struct store_rd *rd, json_t **out)
{
    if (!rd || !out)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_USERS);
    return st ? sq_json_rows(&rd->conn, st, user_json, out, "users") : FQ_EIO;
}

/* ---- sessions and audit ---- */

int store_tx_session_insert(struct store_tx *tx, const unsigned char hash[32], int64_t user_id,
                            int64_t now)
{
    if (!tx || !hash)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_SESSION_INSERT);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, now);
    return sq_exec_stmt(tx->conn, st, "session insert");
}

int store_tx_session_delete(struct store_tx *tx, const unsigned char hash[32])
{
    if (!tx || !hash)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_SESSION_DELETE);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    return sq_exec_one(tx->conn, st, "session delete");
}

int store_tx_session_touch(struct store_tx *tx, const unsigned char hash[32], int64_t now)
{
    if (!tx || !hash)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_SESSION_TOUCH);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    return sq_exec_one(tx->conn, st, "session touch");
}

int store_session_get(struct store_rd *rd, const unsigned char hash[32], int64_t *user_id,
                      int64_t *last_seen)
{
    if (!rd || !hash)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_SESSION_GET);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    int ret = step_row(&rd->conn, st, "session get");
    if (ret == 0) {
        if (user_id)
            *user_id = sqlite3_column_int64(st, 0);
        if (last_seen)
            *last_seen = sqlite3_column_int64(st, 1);
        sqlite3_reset(st);
    }
    return ret;
}

int store_tx_audit(struct store_tx *tx, int64_t user_id, const char *action, const char *target,
                   const char *detail)
{
    if (!tx || !action || !*action)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_AUDIT_INSERT);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, tx->now);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, target ? target : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, detail ? detail : "", -1, SQLITE_STATIC);
    return sq_exec_stmt(tx->conn, st, "audit");
}

/* ---- divisions and grids ---- */

int store_tx_division_insert(struct store_tx *tx, const char *code, const char *name, int level,
                             const char *parent)
{
    if (!tx || !code || !*code || strlen(code) > FQ_DIVISION_LEN || !name)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_DIVISION_INSERT);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, level);
    sqlite3_bind_text(st, 4, parent ? parent : "", -1, SQLITE_STATIC);
    return sq_exec_stmt(tx->conn, st, "division insert");
}

int store_tx_division_rename(struct store_tx *tx, const char *code, const char *name)
{
    if (!tx || !code || !name || !*name)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_DIVISION_RENAME);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    return sq_exec_one(tx->conn, st, "division rename");
}

int store_tx_centre_insert(struct store_tx *tx, const char *division, const char *name, int level,
                           const char *address, const char *phone)
{
    if (!tx || !division || strlen(division) != FQ_DIVISION_LEN || !name || !*name)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_CENTRE_INSERT);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, division, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, level);
    sq_bind_text(st, 4, address);
    sq_bind_text(st, 5, phone);
    return sq_exec_stmt(tx->conn, st, "centre insert");
}

static json_t *centre_json(sqlite3_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "division", sq_json_col(st, 0));
    json_object_set_new(o, "name", sq_json_col(st, 1));
    json_object_set_new(o, "level", json_string(level_name(sqlite3_column_int(st, 2))));
    json_object_set_new(o, "address", sq_json_col(st, 3));
    json_object_set_new(o, "phone", sq_json_col(st, 4));
    json_object_set_new(o, "departments", json_integer(sqlite3_column_int64(st, 5)));
    return o;
}

int store_centres(struct store_rd *rd, const char *division, json_t **out)
{
    char lo[FQ_DIVISION_LEN + 1], hi[FQ_DIVISION_LEN + 2];
    if (!rd || !out)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_CENTRES_IN);
    if (!st)
        return FQ_EIO;
    sq_division_range(division ? division : "", lo, hi);
    sqlite3_bind_text(st, 1, lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
    return sq_json_rows(&rd->conn, st, centre_json, out, "centres");
}

/* The in-memory copy of divisions and grids, and of the category and resolution-method codes,
 * a read connection keeps (sqlite_int.h): sorted by code, looked up by binary search, reloaded in
 * one read transaction when the store's reference generation has moved. Off (SQL lookups) when a
 * table holds more than REF_MAX rows. Intake checks all four: with them in memory an ordinary
 * intake needs no read transaction (whose start after a commit drops the page cache). */
#define REF_MAX 200000

struct ref_division {
    char code[FQ_DIVISION_LEN + 1];
    char parent[FQ_DIVISION_LEN + 1];
    int level;
    char *name;
};

struct ref_grid {
    char code[24];
    char village[FQ_DIVISION_LEN + 1];
};

struct sq_ref_index {
    uint64_t gen;
    int off; /* too large to copy: look up with SQL */
    struct ref_division *d;
    size_t nd;
    struct ref_grid *g;
    size_t ng;
    char **cat, **met; /* category and resolution-method codes */
    size_t ncat, nmet;
};

void sq_ref_free(struct sq_ref_index *ref)
{
    if (!ref)
        return;
    for (size_t i = 0; i < ref->nd; i++)
        free(ref->d[i].name);
    for (size_t i = 0; i < ref->ncat; i++)
        free(ref->cat[i]);
    for (size_t i = 0; i < ref->nmet; i++)
        free(ref->met[i]);
    free(ref->cat);
    free(ref->met);
    free(ref->d);
    free(ref->g);
    free(ref);
}

/* Room for one more element of size bytes in *arr (n used of *cap); 0, FQ_ETOOBIG at REF_MAX
 * elements, FQ_ENOMEM. */
static int ref_grow(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n == REF_MAX)
        return FQ_ETOOBIG;
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? 2 * *cap : 256;
    void *p = realloc(*arr, ncap * size);
    if (!p)
        return FQ_ENOMEM;
    *arr = p;
    *cap = ncap;
    return 0;
}

/* Reads the codes of statement id (one text column, sorted) into *codes; 0, FQ_ETOOBIG,
 * FQ_EIO or FQ_ENOMEM. */
static int ref_codes(struct sq_conn *c, int id, char ***codes, size_t *n)
{
    sqlite3_stmt *st = sq_stmt(c, id);
    size_t cap = 0;
    int rc = 0, step = SQLITE_DONE;
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int(st, 1, REF_MAX + 1);
    while ((step = sqlite3_step(st)) == SQLITE_ROW &&
           (rc = ref_grow((void **)codes, &cap, *n, sizeof **codes)) == 0) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        if (!((*codes)[*n] = strdup(code ? code : ""))) {
            rc = FQ_ENOMEM;
            break;
        }
        (*n)++;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = sq_error(c, step, "reference codes read");
    sqlite3_reset(st);
    return rc;
}

/* Reads the four tables in one read transaction; 0, FQ_ETOOBIG when
 * one is over REF_MAX rows, or FQ_EIO/FQ_ENOMEM. */
static int ref_read(struct store_rd *rd, struct sq_ref_index *ref)
{
    struct sq_conn *c = &rd->conn;
    int rc = 0, step = SQLITE_DONE;
    sqlite3_stmt *sd = sq_stmt(c, SQ_DIVISIONS_ALL), *sg = sq_stmt(c, SQ_GRIDS_ALL);
    if (!sd || !sg || sq_exec_stmt(c, sq_stmt(c, SQ_RD_BEGIN), "reference begin"))
        return FQ_EIO;
    size_t dcap = 0, gcap = 0;
    sqlite3_bind_int(sd, 1, REF_MAX + 1);
    while ((step = sqlite3_step(sd)) == SQLITE_ROW &&
           (rc = ref_grow((void **)&ref->d, &dcap, ref->nd, sizeof *ref->d)) == 0) {
        struct ref_division *x = &ref->d[ref->nd];
        const char *name = (const char *)sqlite3_column_text(sd, 1);
        sq_col_copy(sd, 0, x->code, sizeof x->code);
        sq_col_copy(sd, 3, x->parent, sizeof x->parent);
        x->level = sqlite3_column_int(sd, 2);
        if (!(x->name = strdup(name ? name : ""))) {
            rc = FQ_ENOMEM;
            break;
        }
        ref->nd++;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = sq_error(c, step, "divisions read");
    sqlite3_reset(sd);
    sqlite3_bind_int(sg, 1, REF_MAX + 1);
    while (rc == 0 && (step = sqlite3_step(sg)) == SQLITE_ROW &&
           (rc = ref_grow((void **)&ref->g, &gcap, ref->ng, sizeof *ref->g)) == 0) {
        sq_col_copy(sg, 0, ref->g[ref->ng].code, sizeof ref->g[ref->ng].code);
        sq_col_copy(sg, 1, ref->g[ref->ng].village, sizeof ref->g[ref->ng].village);
        ref->ng++;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = sq_error(c, step, "grids read");
    sqlite3_reset(sg);
    if (rc == 0)
        rc = ref_codes(c, SQ_CATEGORIES_ALL, &ref->cat, &ref->ncat);
    if (rc == 0)
        rc = ref_codes(c, SQ_METHODS_ALL, &ref->met, &ref->nmet);
    sq_exec_stmt(c, sq_stmt(c, SQ_COMMIT), "reference end");
    return rc;
}

/* This thread's current copy; NULL when it is off or cannot be had (then use SQL). Reloads only
 * outside a transaction: inside one the snapshot may predate the change that moved the
 * generation, and a copy read from it would pass for current (store_rd_begin reloads first;
 * inside its scope the transaction counts as open before its deferred BEGIN has run). */
static const struct sq_ref_index *ref_index(struct store_rd *rd)
{
    uint64_t gen = sq_ref_generation(rd->s); /* before reading: a later change reloads again */
    if (rd->ref && (rd->ref->gen == gen || rd->ref->off))
        return rd->ref->off ? NULL : rd->ref;
    if (!sqlite3_get_autocommit(rd->conn.db) || rd->conn.lazy_begin) /* in store_rd_begin's scope */
        return NULL;
    struct sq_ref_index *ref = calloc(1, sizeof *ref);
    if (!ref)
        return NULL;
    int rc = ref_read(rd, ref);
    if (rc == FQ_ETOOBIG) {
        sq_ref_free(ref);
        if ((ref = calloc(1, sizeof *ref)))
            ref->off = 1;
        rc = 0;
    }
    if (rc) {
        sq_ref_free(ref);
        return NULL;
    }
    ref->gen = gen;
    sq_ref_free(rd->ref);
    rd->ref = ref;
    return ref->off ? NULL : ref;
}

void sq_ref_refresh(struct store_rd *rd)
{
    ref_index(rd);
}

static int cmp_division(const void *key, const void *el)
{
    return strcmp(key, ((const struct ref_division *)el)->code);
}

static int cmp_grid(const void *key, const void *el)
{
    return strcmp(key, ((const struct ref_grid *)el)->code);
}

int store_division_get(struct store_rd *rd, const char *code, char name[96], int *level,
                       char parent[FQ_DIVISION_LEN + 1])
{
    if (!rd || !code)
        return FQ_EINVAL;
    const struct sq_ref_index *ref = ref_index(rd);
    if (ref) {
        const struct ref_division *x =
            ref->nd ? bsearch(code, ref->d, ref->nd, sizeof *ref->d, cmp_division) : NULL;
        if (!x)
            return FQ_ENOTFOUND;
        if (name)
            snprintf(name, 96, "%s", x->name);
        if (level)
            *level = x->level;
        if (parent)
            memcpy(parent, x->parent, FQ_DIVISION_LEN + 1);
        return 0;
    }
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_DIVISION_GET);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int ret = step_row(&rd->conn, st, "division get");
    if (ret == 0) {
        if (name)
            sq_col_copy(st, 0, name, 96);
        if (level)
            *level = sqlite3_column_int(st, 1);
        if (parent)
            sq_col_copy(st, 2, parent, FQ_DIVISION_LEN + 1);
        sqlite3_reset(st);
    }
    return ret;
}

static json_t *division_json(sqlite3_stmt *st)
{
    const char *parent = (const char *)sqlite3_column_text(st, 3);
    json_t *o = json_object();
    json_object_set_new(o, "code", sq_json_col(st, 0));
    json_object_set_new(o, "name", sq_json_col(st, 1));
    json_object_set_new(o, "level", sq_json_str(level_name(sqlite3_column_int(st, 2))));
    json_object_set_new(o, "parent", parent && *parent ? sq_json_col(st, 3) : json_null());
    return o;
}

int store_divisions(struct store_rd *rd, const char *parent, json_t **out)
{
    if (!rd || !out)
        return FQ_EINVAL;
    int top = !parent || !*parent;
    sqlite3_stmt *st = sq_stmt(&rd->conn, top ? SQ_DIVISIONS_TOP : SQ_DIVISIONS_OF);
    if (!st)
        return FQ_EIO;
    if (!top)
        sqlite3_bind_text(st, 1, parent, -1, SQLITE_STATIC);
    return sq_json_rows(&rd->conn, st, division_json, out, "divisions");
}

int store_tx_grid_insert(struct store_tx *tx, const char *code, const char *name,
                         const char *village, const char *polygon_json, int households, double lat,
                         double lon)
{
    if (!tx || !code || !*code || !name || !village || !*village)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_GRID_INSERT);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, village, -1, SQLITE_STATIC);
    sq_bind_text(st, 4, polygon_json);
    sqlite3_bind_int(st, 5, households);
    sqlite3_bind_double(st, 6, lat);
    sqlite3_bind_double(st, 7, lon);
    return sq_exec_stmt(tx->conn, st, "grid insert");
}

static json_t *grid_json(sqlite3_stmt *st, int with_polygon)
{
    json_t *o = json_object();
    json_object_set_new(o, "code", sq_json_col(st, 0));
    json_object_set_new(o, "name", sq_json_col(st, 1));
    json_object_set_new(o, "village", sq_json_col(st, 2));
    json_object_set_new(o, "households", json_integer(sqlite3_column_int(st, 3)));
    json_object_set_new(o, "lat",
                        sqlite3_column_type(st, 4) == SQLITE_NULL
                            ? json_null()
                            : json_real(sqlite3_column_double(st, 4)));
    json_object_set_new(o, "lon",
                        sqlite3_column_type(st, 5) == SQLITE_NULL
                            ? json_null()
                            : json_real(sqlite3_column_double(st, 5)));
    if (with_polygon) {
        const char *text = (const char *)sqlite3_column_text(st, 6);
        json_t *poly = text ? json_loadb(text, (size_t)sqlite3_column_bytes(st, 6), 0, NULL) : NULL;
        json_object_set_new(o, "polygon", poly ? poly : json_null());
    }
    return o;
}

static json_t *grid_json_poly(sqlite3_stmt *st)
{
    return grid_json(st, 1);
}

static json_t *grid_json_bare(sqlite3_stmt *st)
{
    return grid_json(st, 0);
}

int store_grids(struct store_rd *rd, const char *division, int with_polygon, json_t **out)
{
    if (!rd || !out)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_GRIDS);
    if (!st)
        return FQ_EIO;
    char lo[FQ_DIVISION_LEN + 1], hi[FQ_DIVISION_LEN + 2];
    sq_division_range(division, lo, hi);
    sqlite3_bind_text(st, 1, lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
    return sq_json_rows(&rd->conn, st, with_polygon ? grid_json_poly : grid_json_bare, out, "grids");
}

int store_grid_json(struct store_rd *rd, const char *code, json_t **out)
{
    if (!rd || !code || !out)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_GRID_ONE);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int ret = step_row(&rd->conn, st, "grid json");
    if (ret == 0) {
        *out = grid_json(st, 1);
        sqlite3_reset(st);
    }
    return ret;
}

int store_tx_grid_update(struct store_tx *tx, const char *code, const char *name, int households,
                         const char *polygon_json, double lat, double lon)
{
    if (!tx || !code)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_GRID_UPDATE);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    sq_bind_text(st, 2, name);
    if (households >= 0)
        sqlite3_bind_int(st, 3, households);
    else
        sqlite3_bind_null(st, 3);
    sq_bind_text(st, 4, polygon_json);
    for (int i = 0; i < 2; i++)
        if (polygon_json)
            sqlite3_bind_double(st, 5 + i, i ? lon : lat);
        else
            sqlite3_bind_null(st, 5 + i);
    return sq_exec_one(tx->conn, st, "grid update");
}

int store_grid_get(struct store_rd *rd, const char *code, char village[FQ_DIVISION_LEN + 1])
{
    if (!rd || !code)
        return FQ_EINVAL;
    const struct sq_ref_index *ref = ref_index(rd);
    if (ref) {
        const struct ref_grid *x = ref->ng ? bsearch(code, ref->g, ref->ng, sizeof *ref->g, cmp_grid) : NULL;
        if (!x)
            return FQ_ENOTFOUND;
        if (village)
            memcpy(village, x->village, FQ_DIVISION_LEN + 1);
        return 0;
    }
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_GRID_GET);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int ret = step_row(&rd->conn, st, "grid get");
    if (ret == 0) {
        if (village)
            sq_col_copy(st, 0, village, FQ_DIVISION_LEN + 1);
        sqlite3_reset(st);
    }
    return ret;
}

/* A row of the place search: a township or village (division) or a grid. */
static json_t *place_json(sqlite3_stmt *st, int grid)
{
    json_t *o = json_object();
    int level = grid ? 0 : sqlite3_column_int(st, 2);
    json_object_set_new(o, "type", json_string(grid ? "grid" : "division"));
    json_object_set_new(o, "code", sq_json_col(st, 0));
    json_object_set_new(o, "name", sq_json_col(st, 1));
    json_object_set_new(o, "level", json_string(grid ? "grid" : level_name(level)));
    json_object_set_new(o, "division", grid ? sq_json_col(st, 2) : sq_json_col(st, 0));
    json_object_set_new(o, "grid", grid ? sq_json_col(st, 0) : json_null());
    for (int i = 0; i < 2; i++)
        json_object_set_new(o, i ? "lon" : "lat",
                            sqlite3_column_type(st, 3 + i) == SQLITE_NULL ? json_null()
                                                                          : json_real(sqlite3_column_double(st, 3 + i)));
    return o;
}

static json_t *place_division_json(sqlite3_stmt *st)
{
    return place_json(st, 0);
}

static json_t *place_grid_json(sqlite3_stmt *st)
{
    return place_json(st, 1);
}

int store_places(struct store_rd *rd, const char *q, const char *division, int limit, json_t **divisions,
                 json_t **grids)
{
    char pattern[320], pattern_numerals[320];
    if (!rd || !q || !divisions || !grids || limit <= 0)
        return FQ_EINVAL;
    if (place_pattern(q, 0, pattern, sizeof pattern) || place_pattern(q, 1, pattern_numerals, sizeof pattern_numerals)) {
        *divisions = json_array();
        *grids = json_array();
        return *divisions && *grids ? 0 : FQ_ENOMEM;
    }
    char lo[FQ_DIVISION_LEN + 1], hi[FQ_DIVISION_LEN + 2];
    sq_division_range(division ? division : "", lo, hi);
    json_t **out[2] = {divisions, grids};
    int ret = 0;
    *divisions = *grids = NULL;
    for (int i = 0; i < 2 && ret == 0; i++) {
        sqlite3_stmt *st = sq_stmt(&rd->conn, i ? SQ_PLACES_GRIDS : SQ_PLACES_DIVISIONS);
        if (!st) {
            ret = FQ_EIO;
            break;
        }
        sqlite3_bind_text(st, 1, pattern, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, pattern_numerals, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, lo, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, hi, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 5, limit);
        ret = sq_json_rows(&rd->conn, st, i ? place_grid_json : place_division_json, out[i], "places");
    }
    if (ret) {
        json_decref(*divisions);
        *divisions = NULL;
    }
    return ret;
}

/* ---- departments ---- */

static void read_department(sqlite3_stmt *st, struct fq_department *d)
{
    memset(d, 0, sizeof *d);
    d->id = sqlite3_column_int64(st, 0);
    sq_col_copy(st, 1, d->kind, sizeof d->kind);
    sq_col_copy(st, 2, d->name, sizeof d->name);
    sq_col_copy(st, 3, d->division, sizeof d->division);
    d->level = sqlite3_column_int(st, 4);
    d->presence = sqlite3_column_int(st, 5);
    d->active = sqlite3_column_int(st, 6);
}

/* The statement of a department write with the columns of d bound as ?1..?5 (?6 active and ?7
 * id too for SQ_DEPT_UPDATE); NULL when it cannot be prepared. */
static sqlite3_stmt *bind_department(struct store_tx *tx, enum sq_stmt id, const struct fq_department *d)
{
    sqlite3_stmt *st = sq_stmt(tx->conn, id);
    if (!st)
        return NULL;
    BIND_FIXED(st, 1, d->kind);
    BIND_FIXED(st, 2, d->name);
    BIND_FIXED(st, 3, d->division);
    sqlite3_bind_int(st, 4, d->level);
    sqlite3_bind_int(st, 5, d->presence);
    if (id == SQ_DEPT_UPDATE) {
        sqlite3_bind_int(st, 6, d->active != 0);
        sqlite3_bind_int64(st, 7, d->id);
    }
    return st;
}

int store_tx_department_insert(struct store_tx *tx, struct fq_department *d)
{
    if (!tx || !d || !d->kind[0])
        return FQ_EINVAL;
    sqlite3_stmt *st = bind_department(tx, SQ_DEPT_INSERT, d);
    if (!st)
        return FQ_EIO;
    int ret = sq_exec_stmt(tx->conn, st, "department insert");
    if (ret == 0) {
        d->id = sqlite3_last_insert_rowid(tx->conn->db);
        d->active = 1;
    }
    return ret;
}

int store_tx_department_update(struct store_tx *tx, const struct fq_department *d)
{
    if (!tx || !d || !d->kind[0] || !d->name[0])
        return FQ_EINVAL;
    sqlite3_stmt *st = bind_department(tx, SQ_DEPT_UPDATE, d);
    return !st ? FQ_EIO : sq_exec_one(tx->conn, st, "department update");
}

int store_tx_department_remove(struct store_tx *tx, int64_t id, int *deleted)
{
    if (!tx || !deleted)
        return FQ_EINVAL;
    struct fq_department d;
    int ret = store_tx_department_get(tx, id, &d);
    if (ret)
        return ret;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_DEPT_USED);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, id);
    int used = step_exists(tx->conn, st, "department used");
    if (used < 0)
        return used;
    *deleted = !used;
    if (used) {
        d.active = 0;
        return store_tx_department_update(tx, &d);
    }
    st = sq_stmt(tx->conn, SQ_DEPT_DELETE);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, id);
    return sq_exec_one(tx->conn, st, "department delete");
}

static int department_get(struct sq_conn *c, int64_t id, struct fq_department *d)
{
    if (!c || !d)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(c, SQ_DEPT_GET);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, id);
    int ret = step_row(c, st, "department get");
    if (ret == 0) {
        read_department(st, d);
        sqlite3_reset(st);
    }
    return ret;
}

int store_tx_department_get(struct store_tx *tx, int64_t id, struct fq_department *d)
{
    return department_get(tx ? tx->conn : NULL, id, d);
}

int store_department_get(struct store_rd *rd, int64_t id, struct fq_department *d)
{
    return department_get(rd ? &rd->conn : NULL, id, d);
}

int store_department_find(struct store_rd *rd, const char *division, const char *kind,
                          struct fq_department *d)
{
    if (!rd || !division || !kind || !d)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_DEPT_FIND);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, division, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    int ret = step_row(&rd->conn, st, "department find");
    if (ret == 0) {
        read_department(st, d);
        sqlite3_reset(st);
    }
    return ret;
}

json_t *store_department_json(const struct fq_department *d)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(d->id));
    json_object_set_new(o, "kind", sq_json_str(d->kind));
    json_object_set_new(o, "name", sq_json_str(d->name));
    json_object_set_new(o, "division", sq_json_str(d->division));
    json_object_set_new(o, "level", sq_json_str(level_name(d->level)));
    json_object_set_new(o, "presence", sq_json_str(presence_name(d->presence)));
    json_object_set_new(o, "active", json_boolean(d->active));
    return o;
}

static json_t *department_json(sqlite3_stmt *st)
{
    struct fq_department d;
    read_department(st, &d);
    return store_department_json(&d);
}

int store_departments(struct store_rd *rd, const char *division, json_t **out)
{
    if (!rd || !out)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_DEPTS);
    if (!st)
        return FQ_EIO;
    char lo[FQ_DIVISION_LEN + 1], hi[FQ_DIVISION_LEN + 2];
    sq_division_range(division, lo, hi);
    sqlite3_bind_text(st, 1, lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
    return sq_json_rows(&rd->conn, st, department_json, out, "departments");
}

/* ---- categories and resolution methods ---- */

int store_tx_category_insert(struct store_tx *tx, const char *code, const char *name,
                             const char *parent, const char *kind, const char *keywords)
{
    if (!tx || !code || !*code || strlen(code) >= 16 || !name || !kind ||
        (strcmp(kind, "dispute") && strcmp(kind, "grid_matter")))
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_CATEGORY_INSERT);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, parent ? parent : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, keywords ? keywords : "", -1, SQLITE_STATIC);
    return sq_exec_stmt(tx->conn, st, "category insert");
}

static void read_category(sqlite3_stmt *st, struct fq_category *c)
{
    memset(c, 0, sizeof *c);
    sq_col_copy(st, 0, c->code, sizeof c->code);
    sq_col_copy(st, 1, c->name, sizeof c->name);
    sq_col_copy(st, 2, c->parent, sizeof c->parent);
    sq_col_copy(st, 3, c->kind, sizeof c->kind);
    sq_col_copy(st, 4, c->keywords, sizeof c->keywords);
    c->active = sqlite3_column_int(st, 5);
}

json_t *store_category_json(const struct fq_category *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "code", sq_json_str(c->code));
    json_object_set_new(o, "name", sq_json_str(c->name));
    json_object_set_new(o, "parent", c->parent[0] ? sq_json_str(c->parent) : json_null());
    json_object_set_new(o, "kind", sq_json_str(c->kind));
    if (c->keywords[0])
        json_object_set_new(o, "keywords", sq_json_str(c->keywords));
    json_object_set_new(o, "active", json_boolean(c->active));
    return o;
}

static json_t *category_json(sqlite3_stmt *st)
{
    struct fq_category c;
    read_category(st, &c);
    return store_category_json(&c);
}

int store_tx_category_get(struct store_tx *tx, const char *code, struct fq_category *c)
{
    if (!tx || !code || !c)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_CATEGORY_GET);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int ret = step_row(tx->conn, st, "category get");
    if (ret == 0) {
        read_category(st, c);
        sqlite3_reset(st);
    }
    return ret;
}

int store_tx_category_update(struct store_tx *tx, const struct fq_category *c)
{
    if (!tx || !c || !c->name[0])
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_CATEGORY_UPDATE);
    if (!st)
        return FQ_EIO;
    BIND_FIXED(st, 1, c->code);
    BIND_FIXED(st, 2, c->name);
    BIND_FIXED(st, 3, c->keywords);
    sqlite3_bind_int(st, 4, c->active != 0);
    return sq_exec_one(tx->conn, st, "category update");
}

int store_categories(struct store_rd *rd, const char *kind, json_t **out)
{
    if (!rd || !out)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_CATEGORIES);
    if (!st)
        return FQ_EIO;
    sq_bind_text(st, 1, kind);
    return sq_json_rows(&rd->conn, st, category_json, out, "categories");
}

int store_department_kind_exists(struct store_rd *rd, const char *kind)
{
    if (!rd || !kind)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_DEPT_KIND_EXISTS);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    return step_exists(&rd->conn, st, "department kind exists");
}

static int cmp_code(const void *key, const void *el)
{
    return strcmp(key, *(char *const *)el);
}

/* 1 when code is one of codes[0..n) (sorted), 0 when not. */
static int ref_has(char *const *codes, size_t n, const char *code)
{
    return n && bsearch(code, codes, n, sizeof *codes, cmp_code) != NULL;
}

int store_category_exists(struct store_rd *rd, const char *code)
{
    if (!rd || !code)
        return FQ_EINVAL;
    const struct sq_ref_index *ref = ref_index(rd);
    if (ref)
        return ref_has(ref->cat, ref->ncat, code);
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_CATEGORY_EXISTS);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    return step_exists(&rd->conn, st, "category exists");
}

int store_category_active(struct store_rd *rd, const char *code)
{
    if (!rd || !code)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_CATEGORY_ACTIVE);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int ret = step_row(&rd->conn, st, "category active");
    if (ret == 0) {
        ret = sqlite3_column_int(st, 0) != 0;
        sqlite3_reset(st);
    }
    return ret;
}

int store_tx_resolution_method_insert(struct store_tx *tx, const char *code, const char *name)
{
    if (!tx || !code || !*code || strlen(code) >= 8 || !name)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_METHOD_INSERT);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    return sq_exec_stmt(tx->conn, st, "resolution method insert");
}

static json_t *method_json(sqlite3_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "code", sq_json_col(st, 0));
    json_object_set_new(o, "name", sq_json_col(st, 1));
    return o;
}

int store_resolution_methods(struct store_rd *rd, json_t **out)
{
    if (!rd || !out)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_METHODS);
    return st ? sq_json_rows(&rd->conn, st, method_json, out, "resolution methods") : FQ_EIO;
}

int store_resolution_method_exists(struct store_rd *rd, const char *code)
{
    if (!rd || !code)
        return FQ_EINVAL;
    const struct sq_ref_index *ref = ref_index(rd);
    if (ref)
        return ref_has(ref->met, ref->nmet, code);
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_METHOD_EXISTS);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    return step_exists(&rd->conn, st, "resolution method exists");
}

/* ---- the responsibility list ---- */

static int resp_write(struct store_tx *tx, int stmt, const char *category, int level,
                      const char *lead_kind, const char *assist_kinds, const char *duty)
{
    if (!tx || !category || !*category || !lead_kind || !*lead_kind || level < 0 ||
        level >= LEVEL__COUNT)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, stmt);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, category, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, level);
    sqlite3_bind_text(st, 3, lead_kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, assist_kinds ? assist_kinds : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, duty ? duty : "", -1, SQLITE_STATIC);
    return sq_exec_stmt(tx->conn, st, "resp write");
}

int store_tx_resp_insert(struct store_tx *tx, const char *category, int level,
                         const char *lead_kind, const char *assist_kinds, const char *duty)
{
    return resp_write(tx, SQ_RESP_INSERT, category, level, lead_kind, assist_kinds, duty);
}

int store_tx_resp_put(struct store_tx *tx, const char *category, int level, const char *lead_kind,
                      const char *assist_kinds, const char *duty)
{
    return resp_write(tx, SQ_RESP_PUT, category, level, lead_kind, assist_kinds, duty);
}

static json_t *resp_json(sqlite3_stmt *st)
{
    int level = sqlite3_column_int(st, 1);
    json_t *o = json_object();
    json_object_set_new(o, "category", sq_json_col(st, 0));
    json_object_set_new(o, "level", level ? sq_json_str(level_name(level)) : json_null());
    json_object_set_new(o, "lead_kind", sq_json_col(st, 2));
    json_object_set_new(o, "assist_kinds", sq_json_col(st, 3));
    json_object_set_new(o, "duty", sq_json_col(st, 4));
    return o;
}

int store_resp_list(struct store_rd *rd, json_t **out)
{
    if (!rd || !out)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_RESP_LIST);
    return st ? sq_json_rows(&rd->conn, st, resp_json, out, "resp list") : FQ_EIO;
}

/* One query tries, best first: (code, level), (code, any), (parent, level), (parent, any), and
 * the grandparent likewise. A category's parent drops its last two characters: "0201" → "02",
 * "G0102" → "G01". */
int store_resp_lookup(struct store_rd *rd, const char *category, int level, char lead_kind[24],
                      char assist_kinds[128], char duty[256])
{
    if (!rd || !category)
        return FQ_EINVAL;
    size_t n = strnlen(category, 16);
    if (n == 0 || n >= 16)
        return FQ_ENOTFOUND;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_RESP_LOOKUP);
    if (!st)
        return FQ_EIO;
    for (int k = 0; k < 3; k++) {
        size_t len = n - 2 * (size_t)k;
        if (2 * (size_t)k < n && len >= 2)
            sqlite3_bind_text(st, k + 1, category, (int)len, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, k + 1);
    }
    sqlite3_bind_int(st, 4, level);
    int ret = step_row(&rd->conn, st, "resp lookup");
    if (ret == 0) {
        if (lead_kind)
            sq_col_copy(st, 0, lead_kind, 24);
        if (assist_kinds)
            sq_col_copy(st, 1, assist_kinds, 128);
        if (duty)
            sq_col_copy(st, 2, duty, 256);
        sqlite3_reset(st);
    }
    return ret;
}

/* ---- the holiday calendar ---- */

int store_tx_holiday_set(struct store_tx *tx, int64_t day, const char *kind, const char *name)
{
    if (!tx)
        return FQ_EINVAL;
    if (!kind) {
        sqlite3_stmt *st = sq_stmt(tx->conn, SQ_HOLIDAY_DELETE);
        if (!st)
            return FQ_EIO;
        sqlite3_bind_int64(st, 1, day);
        return sq_exec_stmt(tx->conn, st, "holiday delete");
    }
    if (strcmp(kind, "off") && strcmp(kind, "work"))
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_HOLIDAY_SET);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, day);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name ? name : "", -1, SQLITE_STATIC);
    return sq_exec_stmt(tx->conn, st, "holiday set");
}

int store_holidays(struct store_rd *rd, int64_t **days, char **kinds, int *n)
{
    if (!rd || !days || !kinds || !n)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_HOLIDAYS);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, INT64_MIN);
    sqlite3_bind_int64(st, 2, INT64_MAX);
    int64_t *d = NULL;
    char *k = NULL;
    int cnt = 0, cap = 0, kcap = 0, rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((ret = sq_grow((void **)&d, &cap, cnt, sizeof *d, MAX_ROWS)) ||
            (ret = sq_grow((void **)&k, &kcap, cnt, sizeof *k, MAX_ROWS)))
            goto done;
        const char *kind = (const char *)sqlite3_column_text(st, 1);
        d[cnt] = sqlite3_column_int64(st, 0);
        k[cnt] = kind && !strcmp(kind, "work") ? 'w' : 'o';
        cnt++;
    }
    if (rc != SQLITE_DONE)
        ret = sq_error(&rd->conn, rc, "holidays");
done:
    sqlite3_reset(st);
    if (ret) {
        free(d);
        free(k);
        return ret;
    }
    *days = d;
    *kinds = k;
    *n = cnt;
    return 0;
}

static json_t *holiday_json(sqlite3_stmt *st)
{
    char date[11];
    day_format(sqlite3_column_int64(st, 0), date);
    json_t *o = json_object();
    json_object_set_new(o, "date", json_string(date));
    json_object_set_new(o, "kind", sq_json_col(st, 1));
    json_object_set_new(o, "name", sq_json_col(st, 2));
    return o;
}

int store_holidays_json(struct store_rd *rd, int year, json_t **out)
{
    if (!rd || !out || year < 0 || year > 9999)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_HOLIDAYS);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, year ? day_from_ymd(year, 1, 1) : INT64_MIN);
    sqlite3_bind_int64(st, 2, year ? day_from_ymd(year + 1, 1, 1) : INT64_MAX);
    return sq_json_rows(&rd->conn, st, holiday_json, out, "holidays");
}

/* ---- SLA rules and settings ---- */

int store_tx_sla_put(struct store_tx *tx, struct fq_sla_rule *r)
{
    if (!tx || !r || r->id < 0 || !r->unit[0] || r->amount < 0 || r->warn_fraction < 0 ||
        r->warn_fraction > 1)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_SLA_PUT);
    if (!st)
        return FQ_EIO;
    if (r->id)
        sqlite3_bind_int64(st, 1, r->id);
    else
        sqlite3_bind_null(st, 1);
    sqlite3_bind_int(st, 2, r->grade);
    sqlite3_bind_int(st, 3, r->level);
    sqlite3_bind_int(st, 4, r->channel);
    BIND_FIXED(st, 5, r->unit);
    sqlite3_bind_int(st, 6, r->amount);
    sqlite3_bind_double(st, 7, r->warn_fraction);
    sqlite3_bind_int(st, 8, r->response_hours);
    int ret = sq_exec_stmt(tx->conn, st, "sla put");
    if (ret == 0 && !r->id)
        r->id = sqlite3_last_insert_rowid(tx->conn->db);
    return ret;
}

int store_sla_rules(struct store_rd *rd, struct fq_sla_rule **out, int *n)
{
    if (!rd || !out || !n)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_SLA_RULES);
    if (!st)
        return FQ_EIO;
    struct fq_sla_rule *v = NULL;
    int cnt = 0, cap = 0, rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((ret = sq_grow((void **)&v, &cap, cnt, sizeof *v, MAX_ROWS)))
            goto done;
        struct fq_sla_rule *r = &v[cnt++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(st, 0);
        r->grade = sqlite3_column_int(st, 1);
        r->level = sqlite3_column_int(st, 2);
        r->channel = sqlite3_column_int(st, 3);
        sq_col_copy(st, 4, r->unit, sizeof r->unit);
        r->amount = sqlite3_column_int(st, 5);
        r->warn_fraction = sqlite3_column_double(st, 6);
        r->response_hours = sqlite3_column_int(st, 7);
    }
    if (rc != SQLITE_DONE)
        ret = sq_error(&rd->conn, rc, "sla rules");
done:
    sqlite3_reset(st);
    if (ret) {
        free(v);
        return ret;
    }
    *out = v;
    *n = cnt;
    return 0;
}

int store_tx_setting_put(struct store_tx *tx, const char *key, const char *value)
{
    if (!tx || !key || !*key || !value)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_SETTING_PUT);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    return sq_exec_stmt(tx->conn, st, "setting put");
}

int store_setting_get(struct store_rd *rd, const char *key, char *out, size_t outlen)
{
    if (!rd || !key || !out || !outlen)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_SETTING_GET);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int ret = step_row(&rd->conn, st, "setting get");
    if (ret == 0) {
        sq_col_copy(st, 0, out, outlen);
        sqlite3_reset(st);
    }
    return ret;
}
