/* Cases and everything hanging off them in SQLite: the case row, parties, the hash-chained
 * timeline, assignments, side records, attachments, links, idempotency keys and daily code
 * sequences; the filtered case list, the deadline timer's queries and the chain scans.
 *
 * The write functions (store_tx_*) run on the writer connection inside a job; the read functions
 * take the calling thread's read connection. Both share the row codecs below. */
#include "store/sqlite_int.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 1000000 /* hard cap on any list read into memory */
#define LIST_LIMIT_MAX 500
#define SQL_CAP 4096

/* Binds a fixed-size char array, never reading past it even when it lacks its NUL. */
#define BIND_FIXED(st, i, arr)                                                                     \
    sqlite3_bind_text((st), (i), (arr), (int)strnlen((arr), sizeof(arr)), SQLITE_STATIC)

/* ---- the case row ---- */

static void bind_case_mutable(sqlite3_stmt *st, const struct fq_case *c)
{
    int i = 1;
    sqlite3_bind_int(st, i++, c->channel);
    sqlite3_bind_int(st, i++, c->kind);
    sqlite3_bind_int(st, i++, c->grade);
    sqlite3_bind_int(st, i++, c->level);
    sqlite3_bind_int(st, i++, c->status);
    sqlite3_bind_int(st, i++, c->light);
    BIND_FIXED(st, i++, c->category);
    BIND_FIXED(st, i++, c->division);
    BIND_FIXED(st, i++, c->grid);
    BIND_FIXED(st, i++, c->centre);
    sq_bind_text(st, i++, c->title);
    sq_bind_text(st, i++, c->description);
    sq_bind_text(st, i++, c->address);
    sqlite3_bind_double(st, i++, c->lat);
    sqlite3_bind_double(st, i++, c->lon);
    sqlite3_bind_int(st, i++, c->has_location);
    sqlite3_bind_int(st, i++, c->people_count);
    sqlite3_bind_int64(st, i++, c->updated_at);
    sqlite3_bind_int64(st, i++, c->due_at);
    sqlite3_bind_int64(st, i++, c->warn_at);
    sqlite3_bind_int64(st, i++, c->resolved_at);
    sqlite3_bind_int64(st, i++, c->closed_at);
    sqlite3_bind_int64(st, i++, c->archived_at);
    sqlite3_bind_int(st, i++, c->urge_count);
    sqlite3_bind_int(st, i++, c->supervised);
    sqlite3_bind_int(st, i++, c->escalations);
    sqlite3_bind_int(st, i++, c->returns);
    sqlite3_bind_int(st, i++, c->reopens);
    sqlite3_bind_int64(st, i++, c->lead_department);
    sq_bind_text(st, i++, c->result);
    BIND_FIXED(st, i++, c->method);
    sqlite3_bind_int(st, i++, c->success);
    sqlite3_bind_int(st, i++, c->satisfaction);
    sqlite3_bind_int(st, i++, c->staff_score);
    sqlite3_bind_int(st, i++, c->followed_up);
    sqlite3_bind_int64(st, i++, c->repeat_of);
    sqlite3_bind_int64(st, i++, c->event_seq);
    sqlite3_bind_blob(st, i++, c->last_hash, FQ_HASH_LEN, SQLITE_STATIC);
    sq_bind_blob(st, i++, c->contact_enc, c->contact_enc_len);
    _Static_assert(SQ_CASE_MUT_N == 39, "bind_case_mutable binds 39 columns");
}

static int dup_col(sqlite3_stmt *st, int i, char **out)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    *out = NULL;
    if (!t)
        return 0;
    size_t n = (size_t)sqlite3_column_bytes(st, i);
    char *p = malloc(n + 1);
    if (!p)
        return FQ_ENOMEM;
    memcpy(p, t, n);
    p[n] = 0;
    *out = p;
    return 0;
}

/* Fills c from a row of SQ_CASE_COLS; on failure c is cleared. */
static int read_case(sqlite3_stmt *st, struct fq_case *c)
{
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(st, 0);
    sq_col_copy(st, 1, c->code, sizeof c->code);
    sq_col_copy(st, 2, c->county, sizeof c->county);
    c->created_by = sqlite3_column_int64(st, 3);
    c->created_at = sqlite3_column_int64(st, 4);
    int i = 5;
    c->channel = sqlite3_column_int(st, i++);
    c->kind = sqlite3_column_int(st, i++);
    c->grade = sqlite3_column_int(st, i++);
    c->level = sqlite3_column_int(st, i++);
    c->status = sqlite3_column_int(st, i++);
    c->light = sqlite3_column_int(st, i++);
    sq_col_copy(st, i++, c->category, sizeof c->category);
    sq_col_copy(st, i++, c->division, sizeof c->division);
    sq_col_copy(st, i++, c->grid, sizeof c->grid);
    sq_col_copy(st, i++, c->centre, sizeof c->centre);
    if (dup_col(st, i++, &c->title) || dup_col(st, i++, &c->description) ||
        dup_col(st, i++, &c->address))
        goto nomem;
    c->lat = sqlite3_column_double(st, i++);
    c->lon = sqlite3_column_double(st, i++);
    c->has_location = sqlite3_column_int(st, i++);
    c->people_count = sqlite3_column_int(st, i++);
    c->updated_at = sqlite3_column_int64(st, i++);
    c->due_at = sqlite3_column_int64(st, i++);
    c->warn_at = sqlite3_column_int64(st, i++);
    c->resolved_at = sqlite3_column_int64(st, i++);
    c->closed_at = sqlite3_column_int64(st, i++);
    c->archived_at = sqlite3_column_int64(st, i++);
    c->urge_count = sqlite3_column_int(st, i++);
    c->supervised = sqlite3_column_int(st, i++);
    c->escalations = sqlite3_column_int(st, i++);
    c->returns = sqlite3_column_int(st, i++);
    c->reopens = sqlite3_column_int(st, i++);
    c->lead_department = sqlite3_column_int64(st, i++);
    if (dup_col(st, i++, &c->result))
        goto nomem;
    sq_col_copy(st, i++, c->method, sizeof c->method);
    c->success = sqlite3_column_int(st, i++);
    c->satisfaction = sqlite3_column_int(st, i++);
    c->staff_score = sqlite3_column_int(st, i++);
    c->followed_up = sqlite3_column_int(st, i++);
    c->repeat_of = sqlite3_column_int64(st, i++);
    c->event_seq = sqlite3_column_int64(st, i++);
    sq_col_blob(st, i++, c->last_hash, FQ_HASH_LEN);
    const void *blob = sqlite3_column_blob(st, i);
    int n = blob ? sqlite3_column_bytes(st, i) : 0;
    if (n > 0) {
        c->contact_enc = malloc((size_t)n);
        if (!c->contact_enc)
            goto nomem;
        memcpy(c->contact_enc, blob, (size_t)n);
        c->contact_enc_len = n;
    }
    return 0;
nomem:
    fq_case_clear(c);
    return FQ_ENOMEM;
}

/* Runs a one-row case query with ?1 already bound. */
static int case_fetch(struct sq_conn *conn, sqlite3_stmt *st, struct fq_case *c)
{
    int rc = sqlite3_step(st);
    int ret;
    if (rc == SQLITE_ROW)
        ret = read_case(st, c);
    else if (rc == SQLITE_DONE)
        ret = FQ_ENOTFOUND;
    else
        ret = sq_error(conn, rc, "case get");
    sqlite3_reset(st);
    return ret;
}

static int case_get_code(struct sq_conn *conn, const char *code, struct fq_case *c)
{
    if (!conn || !code || !c)
        return FQ_EINVAL;
    size_t n = strnlen(code, FQ_CODE_LEN + 1);
    if (n == 0 || n > FQ_CODE_LEN)
        return FQ_ENOTFOUND;
    sqlite3_stmt *st = sq_stmt(conn, SQ_CASE_GET_CODE);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_text(st, 1, code, (int)n, SQLITE_STATIC);
    return case_fetch(conn, st, c);
}

static int case_get_id(struct sq_conn *conn, int64_t id, struct fq_case *c)
{
    if (!conn || !c)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(conn, SQ_CASE_GET_ID);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, id);
    return case_fetch(conn, st, c);
}

/* Notes the indexed columns of a case just read by the writer (fq_case.as_read). Without the
 * note (out of memory) the case is simply written whole. */
static void note_as_read(struct fq_case *c)
{
    c->as_read.status = c->status;
    c->as_read.light = c->light;
    c->as_read.due_at = c->due_at;
    c->as_read.warn_at = c->warn_at;
    memcpy(c->as_read.category, c->category, sizeof c->category);
    memcpy(c->as_read.division, c->division, sizeof c->division);
    c->as_read.title = c->title ? strdup(c->title) : NULL;
    c->as_read.description = c->description ? strdup(c->description) : NULL;
    c->as_read.valid =
        (!c->title || c->as_read.title) && (!c->description || c->as_read.description);
}

static char *dup_text(const char *s, int *failed)
{
    char *p = s ? strdup(s) : NULL;
    if (s && !p)
        *failed = 1;
    return p;
}

/* A deep copy of src (as_read included); FQ_ENOMEM with dst cleared. */
static int case_copy(struct fq_case *dst, const struct fq_case *src)
{
    int failed = 0;
    *dst = *src;
    dst->title = dup_text(src->title, &failed);
    dst->description = dup_text(src->description, &failed);
    dst->address = dup_text(src->address, &failed);
    dst->result = dup_text(src->result, &failed);
    dst->dups = dup_text(src->dups, &failed);
    dst->as_read.title = dup_text(src->as_read.title, &failed);
    dst->as_read.description = dup_text(src->as_read.description, &failed);
    dst->contact_enc = NULL;
    if (src->contact_enc && src->contact_enc_len > 0) {
        if ((dst->contact_enc = malloc((size_t)src->contact_enc_len)))
            memcpy(dst->contact_enc, src->contact_enc, (size_t)src->contact_enc_len);
        else
            failed = 1;
    }
    if (failed) {
        fq_case_clear(dst);
        return FQ_ENOMEM;
    }
    return 0;
}

/* The case held back by a bulk load, if it is the one asked for (by code, or by id when code is
 * NULL). */
static const struct fq_case *held_case(struct store_tx *tx, const char *code, int64_t id)
{
    const struct fq_case *h = tx ? tx->held : NULL;
    if (!h || !h->id)
        return NULL;
    return (code ? !strcmp(h->code, code) : h->id == id) ? h : NULL;
}

int store_tx_case_get(struct store_tx *tx, const char *code, struct fq_case *c)
{
    const struct fq_case *h = code && c ? held_case(tx, code, 0) : NULL;
    if (h)
        return case_copy(c, h); /* with the note of the row as it was read from the table */
    int rc = case_get_code(tx ? tx->conn : NULL, code, c);
    if (rc == 0)
        note_as_read(c);
    return rc;
}

int store_tx_case_get_id(struct store_tx *tx, int64_t id, struct fq_case *c)
{
    const struct fq_case *h = c ? held_case(tx, NULL, id) : NULL;
    if (h)
        return case_copy(c, h);
    int rc = case_get_id(tx ? tx->conn : NULL, id, c);
    if (rc == 0)
        note_as_read(c);
    return rc;
}

int store_case_get(struct store_rd *rd, const char *code, struct fq_case *c)
{
    return case_get_code(rd ? &rd->conn : NULL, code, c);
}

int store_case_get_id(struct store_rd *rd, int64_t id, struct fq_case *c)
{
    return case_get_id(rd ? &rd->conn : NULL, id, c);
}

/* Inserts id into the search index's queue or the backdated list (INSERT OR IGNORE). */
static int queue_id(struct store_tx *tx, enum sq_stmt which, int64_t id)
{
    sqlite3_stmt *st = sq_stmt(tx->conn, which);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, id);
    return sq_exec_stmt(tx->conn, st, which == SQ_FTS_QUEUE ? "search queue" : "backdated");
}

/* What the insert triggers did (schema_insert_triggers): queue the new case for the search
 * index, and list it in cases_backdated when an earlier id has a later created_at. */
static int case_inserted(struct store_tx *tx, const struct fq_case *c)
{
    int ret = queue_id(tx, SQ_FTS_QUEUE, c->id);
    sqlite3_stmt *st = ret ? NULL : sq_stmt(tx->conn, SQ_CASE_LATER_BEFORE);
    if (ret || !st)
        return ret ? ret : FQ_EIO;
    sqlite3_bind_int64(st, 1, c->id);
    sqlite3_bind_int64(st, 2, c->created_at);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return queue_id(tx, SQ_CASE_BACKDATED, c->id);
    return rc == SQLITE_DONE ? 0 : sq_error(tx->conn, rc, "backdated");
}

int store_tx_case_insert(struct store_tx *tx, struct fq_case *c)
{
    if (!tx || !c || !c->code[0] || c->contact_enc_len < 0)
        return FQ_EINVAL;
    char county[7];
    memcpy(county, c->county, sizeof county);
    county[6] = 0;
    if (!county[0]) { /* the code starts with it */
        memcpy(county, c->code, 6);
        county[6] = 0;
    }
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_CASE_INSERT);
    if (!st)
        return FQ_EIO;
    bind_case_mutable(st, c);
    int i = SQ_CASE_MUT_N + 1;
    BIND_FIXED(st, i++, c->code);
    sqlite3_bind_text(st, i++, county, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, i++, c->created_by);
    sqlite3_bind_int64(st, i++, c->created_at);
    sq_bind_text(st, i++, c->dups); /* NULL: none */
    int ret = sq_exec_stmt(tx->conn, st, "case insert");
    if (ret == 0) {
        c->id = sqlite3_last_insert_rowid(tx->conn->db);
        if (!c->county[0])
            memcpy(c->county, county, sizeof county);
        ret = case_inserted(tx, c);
    }
    if (ret == 0)
        ret = sq_stats_case_inserted(tx, c); /* statistics aggregates, same transaction */
    return ret;
}

static int text_differs(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) != 0 : a != b;
}

/* Which of the column groups of SQ_CASE_SET_* must be written: those that differ from the row as
 * read, or all three for a case not read through store_tx_case_get. */
static int case_groups_changed(const struct fq_case *c)
{
    const struct fq_case_as_read *r = &c->as_read;
    if (!r->valid)
        return 7;
    int state = c->status != r->status || c->light != r->light || c->due_at != r->due_at ||
                c->warn_at != r->warn_at;
    int place = strncmp(c->category, r->category, sizeof c->category) ||
                strncmp(c->division, r->division, sizeof c->division);
    int text = text_differs(c->title, r->title) || text_differs(c->description, r->description);
    return state | place << 1 | text << 2;
}

static int case_write(struct store_tx *tx, const struct fq_case *c)
{
    _Static_assert(SQ_CASE_UPDATE_ALL - SQ_CASE_UPDATE == 7, "the eight case updates in order");
    sqlite3_stmt *st = sq_stmt(tx->conn, (enum sq_stmt)(SQ_CASE_UPDATE + case_groups_changed(c)));
    if (!st)
        return FQ_EIO;
    bind_case_mutable(st, c);
    sqlite3_bind_int64(st, SQ_CASE_MUT_N + 1, c->id);
    return sq_exec_one(tx->conn, st, "case update");
}

/* A bulk load (the demo) drives each case through its whole life, one action after another, each
 * reading the row and writing it back. There the update is held back: the case stays in memory,
 * store_tx_case_get answers from it, and it is written once, when another case is updated or
 * before the load commits (sq_case_flush) — two writes a case, the insert and the last state,
 * instead of one per action. Only a case read in this transaction is held (so it exists, and its
 * note says what the table holds); any other is written at once. Other statements that read a
 * held case's changing columns would see it as of its last write: none of the bulk loads' do. */
static int case_hold(struct store_tx *tx, const struct fq_case *c)
{
    int rc;
    if (tx->held && tx->held->id != c->id && (rc = sq_case_flush(tx)))
        return rc;
    if (!tx->held && !(tx->held = calloc(1, sizeof *tx->held)))
        return FQ_ENOMEM;
    struct fq_case copy;
    if ((rc = case_copy(&copy, c)))
        return rc;
    fq_case_clear(tx->held);
    *tx->held = copy;
    return 0;
}

int sq_case_flush(struct store_tx *tx)
{
    if (!tx || !tx->held || !tx->held->id)
        return 0;
    int rc = case_write(tx, tx->held);
    fq_case_clear(tx->held); /* written, or the load fails and rolls back */
    return rc;
}

void sq_case_drop(struct store_tx *tx)
{
    if (!tx || !tx->held)
        return;
    fq_case_clear(tx->held);
    free(tx->held);
    tx->held = NULL;
}

int store_tx_case_update(struct store_tx *tx, const struct fq_case *c)
{
    if (!tx || !c || c->contact_enc_len < 0)
        return FQ_EINVAL;
    int ret = tx->bulk && c->as_read.valid ? case_hold(tx, c) : case_write(tx, c);
    return ret ? ret : sq_stats_case_written(tx, c); /* statistics aggregates, same transaction */
}

/* The daily sequence without RETURNING (SQLite runs RETURNING through an ephemeral table: ~7 %
 * of the writer once). The writer is the only writer, so it remembers each county's last number
 * and stores the next one with a plain update by key, in the same transaction as the case that
 * uses it. The update only applies when the table still holds the remembered number, so a rolled
 * back job or group (whose number the table no longer has) makes it fall back to the upsert, which
 * reads the truth: the memory can make a number cheaper, never reuse one. */
int store_tx_next_case_seq(struct store_tx *tx, const char *county, int64_t day, int *seq)
{
    if (!tx || !county || strlen(county) != 6 || !seq)
        return FQ_EINVAL;
    struct sq_conn *c = tx->conn;
    struct sq_seq *m = NULL;
    for (int i = 0; i < SQ_SEQ_CACHE && !m; i++)
        if (c->seq[i].day == day && !memcmp(c->seq[i].county, county, 7))
            m = &c->seq[i];
    int ret = 0;
    int64_t v = 0;
    if (m) {
        sqlite3_stmt *st = sq_stmt(c, SQ_CASE_SEQ_SET);
        if (!st)
            return FQ_EIO;
        sqlite3_bind_text(st, 1, county, 6, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, day);
        sqlite3_bind_int64(st, 3, m->last + 1);
        if ((ret = sq_exec_stmt(c, st, "case seq")))
            return ret;
        if (sqlite3_changes(c->db) == 1)
            v = m->last + 1;
    }
    if (!v) { /* not remembered, or the table moved (a rollback): ask it */
        sqlite3_stmt *st = sq_stmt(c, SQ_CASE_SEQ_NEXT);
        if (!st)
            return FQ_EIO;
        sqlite3_bind_text(st, 1, county, 6, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, day);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            v = sqlite3_column_int64(st, 0);
            rc = sqlite3_step(st); /* finish the statement so the upsert is complete */
            if (rc != SQLITE_DONE)
                ret = sq_error(c, rc, "case seq");
        } else {
            ret = sq_error(c, rc, "case seq");
        }
        sqlite3_reset(st);
        if (ret)
            return ret;
        if (!m) {
            m = &c->seq[c->seq_next];
            c->seq_next = (c->seq_next + 1) % SQ_SEQ_CACHE;
            memcpy(m->county, county, 7);
            m->day = day;
        }
    }
    m->last = v;
    if (v > 999999)
        return FQ_EBUSY; /* the 6-digit daily sequence is exhausted */
    *seq = (int)v;
    return 0;
}

/* ---- parties ---- */

int store_tx_party_insert(struct store_tx *tx, struct fq_party *p)
{
    if (!tx || !p || p->id_enc_len < 0 || p->id_enc_len > (int)sizeof p->id_enc ||
        p->phone_enc_len < 0 || p->phone_enc_len > (int)sizeof p->phone_enc)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_PARTY_INSERT);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, p->case_id);
    BIND_FIXED(st, 2, p->role);
    BIND_FIXED(st, 3, p->name);
    sq_bind_blob(st, 4, p->id_enc, p->id_enc_len);
    sq_bind_blob(st, 5, p->id_bidx, p->id_enc_len > 0 ? (int)sizeof p->id_bidx : 0);
    sq_bind_blob(st, 6, p->phone_enc, p->phone_enc_len);
    sq_bind_blob(st, 7, p->phone_bidx, p->phone_enc_len > 0 ? (int)sizeof p->phone_bidx : 0);
    int ret = sq_exec_stmt(tx->conn, st, "party insert");
    if (ret == 0)
        p->id = sqlite3_last_insert_rowid(tx->conn->db);
    return ret;
}

int store_case_parties(struct store_rd *rd, int64_t case_id, struct fq_party **out, int *n)
{
    if (!rd || !out || !n)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_PARTIES_OF);
    if (!st)
        return FQ_EIO;
    struct fq_party *v = NULL;
    int cnt = 0, cap = 0, rc, ret = 0;
    sqlite3_bind_int64(st, 1, case_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((ret = sq_grow((void **)&v, &cap, cnt, sizeof *v, MAX_ROWS)))
            goto done;
        struct fq_party *p = &v[cnt++];
        memset(p, 0, sizeof *p);
        p->id = sqlite3_column_int64(st, 0);
        p->case_id = sqlite3_column_int64(st, 1);
        sq_col_copy(st, 2, p->role, sizeof p->role);
        sq_col_copy(st, 3, p->name, sizeof p->name);
        p->id_enc_len = sq_col_blob(st, 4, p->id_enc, sizeof p->id_enc);
        sq_col_blob(st, 5, p->id_bidx, sizeof p->id_bidx);
        p->phone_enc_len = sq_col_blob(st, 6, p->phone_enc, sizeof p->phone_enc);
        sq_col_blob(st, 7, p->phone_bidx, sizeof p->phone_bidx);
    }
    if (rc != SQLITE_DONE)
        ret = sq_error(&rd->conn, rc, "parties");
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

/* ---- events ---- */

int store_tx_event_insert(struct store_tx *tx, struct fq_event *ev)
{
    if (!tx || !ev)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_EVENT_INSERT);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, ev->case_id);
    sqlite3_bind_int64(st, 2, ev->seq);
    sqlite3_bind_int64(st, 3, ev->at);
    sqlite3_bind_int64(st, 4, ev->actor_id);
    BIND_FIXED(st, 5, ev->actor_name);
    sqlite3_bind_int(st, 6, ev->action);
    sqlite3_bind_int(st, 7, ev->from_status);
    sqlite3_bind_int(st, 8, ev->to_status);
    sq_bind_text(st, 9, ev->payload);
    sqlite3_bind_blob(st, 10, ev->prev_hash, FQ_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 11, ev->hash, FQ_HASH_LEN, SQLITE_STATIC);
    int ret = sq_exec_stmt(tx->conn, st, "event insert");
    if (ret == 0)
        ev->id = sqlite3_last_insert_rowid(tx->conn->db);
    if (ret == 0 && ev->action == ACT_NOTE) /* the search index covers notes */
        ret = queue_id(tx, SQ_FTS_QUEUE, ev->case_id);
    return ret;
}

/* Fills ev from a row of SQ_EVENT_COLS; the payload is borrowed from the statement. */
static void read_event(sqlite3_stmt *st, struct fq_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->id = sqlite3_column_int64(st, 0);
    ev->case_id = sqlite3_column_int64(st, 1);
    ev->seq = sqlite3_column_int64(st, 2);
    ev->at = sqlite3_column_int64(st, 3);
    ev->actor_id = sqlite3_column_int64(st, 4);
    sq_col_copy(st, 5, ev->actor_name, sizeof ev->actor_name);
    ev->action = sqlite3_column_int(st, 6);
    ev->from_status = sqlite3_column_int(st, 7);
    ev->to_status = sqlite3_column_int(st, 8);
    ev->payload = (char *)sqlite3_column_text(st, 9);
    sq_col_blob(st, 10, ev->prev_hash, FQ_HASH_LEN);
    sq_col_blob(st, 11, ev->hash, FQ_HASH_LEN);
}

void store_events_free(struct fq_event *ev, int n)
{
    if (!ev)
        return;
    for (int i = 0; i < n; i++)
        free(ev[i].payload);
    free(ev);
}

int store_case_events(struct store_rd *rd, int64_t case_id, struct fq_event **out, int *n)
{
    if (!rd || !out || !n)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_EVENTS_OF);
    if (!st)
        return FQ_EIO;
    struct fq_event *v = NULL;
    int cnt = 0, cap = 0, rc, ret = 0;
    sqlite3_bind_int64(st, 1, case_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((ret = sq_grow((void **)&v, &cap, cnt, sizeof *v, MAX_ROWS)))
            goto done;
        read_event(st, &v[cnt]);
        const char *payload = v[cnt].payload;
        v[cnt].payload = NULL;
        cnt++;
        if (payload && !(v[cnt - 1].payload = strdup(payload))) {
            ret = FQ_ENOMEM;
            goto done;
        }
    }
    if (rc != SQLITE_DONE)
        ret = sq_error(&rd->conn, rc, "events");
done:
    sqlite3_reset(st);
    if (ret) {
        store_events_free(v, cnt);
        return ret;
    }
    *out = v;
    *n = cnt;
    return 0;
}

int store_events_scan(struct store_rd *rd, store_event_fn fn, void *arg, int64_t *total)
{
    if (!rd || !fn)
        return FQ_EINVAL;
    struct sq_conn *c = &rd->conn;
    int rc, ret = 0;
    if (total) {
        sqlite3_stmt *cs = sq_stmt(c, SQ_EVENTS_COUNT);
        if (!cs)
            return FQ_EIO;
        rc = sqlite3_step(cs);
        if (rc == SQLITE_ROW)
            *total = sqlite3_column_int64(cs, 0);
        else
            ret = sq_error(c, rc, "events count");
        sqlite3_reset(cs);
        if (ret)
            return ret;
    }
    sqlite3_stmt *st = sq_stmt(c, SQ_EVENTS_ALL);
    if (!st)
        return FQ_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct fq_event ev;
        read_event(st, &ev);
        if ((ret = fn(&ev, arg)) != 0)
            goto done;
    }
    if (rc != SQLITE_DONE)
        ret = sq_error(c, rc, "events scan");
done:
    sqlite3_reset(st);
    return ret;
}

int store_cases_scan(struct store_rd *rd, store_case_chain_fn fn, void *arg)
{
    if (!rd || !fn)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_CASES_SCAN);
    if (!st)
        return FQ_EIO;
    int rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char code[FQ_CODE_LEN + 1];
        unsigned char hash[FQ_HASH_LEN];
        sq_col_copy(st, 1, code, sizeof code);
        sq_col_blob(st, 3, hash, FQ_HASH_LEN);
        if ((ret = fn(sqlite3_column_int64(st, 0), code, sqlite3_column_int64(st, 2), hash, arg)))
            goto done;
    }
    if (rc != SQLITE_DONE)
        ret = sq_error(&rd->conn, rc, "cases scan");
done:
    sqlite3_reset(st);
    return ret;
}

/* ---- assignments ---- */

static void bind_assignment(sqlite3_stmt *st, const struct fq_assignment *a, int first_is_case)
{
    sqlite3_bind_int64(st, 1, first_is_case ? a->case_id : a->id);
    sqlite3_bind_int64(st, 2, a->department_id);
    sqlite3_bind_int(st, 3, a->role);
    sqlite3_bind_int(st, 4, a->status);
    sqlite3_bind_int64(st, 5, a->assigned_at);
    sqlite3_bind_int64(st, 6, a->deadline);
    sqlite3_bind_int64(st, 7, a->accepted_at);
    sqlite3_bind_int64(st, 8, a->resolved_at);
    BIND_FIXED(st, 9, a->result);
}

int store_tx_assignment_insert(struct store_tx *tx, struct fq_assignment *a)
{
    if (!tx || !a)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_ASSIGN_INSERT);
    if (!st)
        return FQ_EIO;
    bind_assignment(st, a, 1);
    int ret = sq_exec_stmt(tx->conn, st, "assignment insert");
    if (ret == 0)
        a->id = sqlite3_last_insert_rowid(tx->conn->db);
    return ret;
}

int store_tx_assignment_update(struct store_tx *tx, const struct fq_assignment *a)
{
    if (!tx || !a)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_ASSIGN_UPDATE);
    if (!st)
        return FQ_EIO;
    bind_assignment(st, a, 0);
    return sq_exec_one(tx->conn, st, "assignment update");
}

static int assignments_of(struct sq_conn *c, int64_t case_id, struct fq_assignment **out, int *n)
{
    if (!c || !out || !n)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(c, SQ_ASSIGNS_OF);
    if (!st)
        return FQ_EIO;
    struct fq_assignment *v = NULL;
    int cnt = 0, cap = 0, rc, ret = 0;
    sqlite3_bind_int64(st, 1, case_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((ret = sq_grow((void **)&v, &cap, cnt, sizeof *v, MAX_ROWS)))
            goto done;
        struct fq_assignment *a = &v[cnt++];
        a->id = sqlite3_column_int64(st, 0);
        a->case_id = sqlite3_column_int64(st, 1);
        a->department_id = sqlite3_column_int64(st, 2);
        a->role = sqlite3_column_int(st, 3);
        a->status = sqlite3_column_int(st, 4);
        a->assigned_at = sqlite3_column_int64(st, 5);
        a->deadline = sqlite3_column_int64(st, 6);
        a->accepted_at = sqlite3_column_int64(st, 7);
        a->resolved_at = sqlite3_column_int64(st, 8);
        sq_col_copy(st, 9, a->result, sizeof a->result);
    }
    if (rc != SQLITE_DONE)
        ret = sq_error(c, rc, "assignments");
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

int store_tx_assignments(struct store_tx *tx, int64_t case_id, struct fq_assignment **out, int *n)
{
    return assignments_of(tx ? tx->conn : NULL, case_id, out, n);
}

int store_case_assignments(struct store_rd *rd, int64_t case_id, struct fq_assignment **out, int *n)
{
    return assignments_of(rd ? &rd->conn : NULL, case_id, out, n);
}

int store_case_has_department(struct store_rd *rd, int64_t case_id, int64_t department)
{
    if (!rd)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_CASE_HAS_DEPT);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, department);
    int rc = sqlite3_step(st);
    int ret = rc == SQLITE_ROW    ? 1
              : rc == SQLITE_DONE ? 0
                                  : sq_error(&rd->conn, rc, "has department");
    sqlite3_reset(st);
    return ret;
}

/* ---- side records, attachments, links ---- */

int store_tx_record_insert(struct store_tx *tx, int64_t case_id, const char *kind, int64_t at,
                           int64_t user_id, json_t *body, int64_t *id)
{
    if (!tx || !kind || !*kind)
        return FQ_EINVAL;
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    if (body && !text)
        return FQ_ENOMEM;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_RECORD_INSERT);
    int ret = FQ_EIO;
    if (st) {
        sqlite3_bind_int64(st, 1, case_id);
        sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, at);
        sqlite3_bind_int64(st, 4, user_id);
        sqlite3_bind_text(st, 5, text ? text : "{}", -1, SQLITE_STATIC);
        ret = sq_exec_stmt(tx->conn, st, "record insert");
        if (ret == 0 && id)
            *id = sqlite3_last_insert_rowid(tx->conn->db);
    }
    free(text);
    return ret;
}

int store_tx_record_update(struct store_tx *tx, int64_t id, json_t *body)
{
    if (!tx)
        return FQ_EINVAL;
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    if (body && !text)
        return FQ_ENOMEM;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_RECORD_UPDATE);
    int ret = FQ_EIO;
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, text ? text : "{}", -1, SQLITE_STATIC);
        ret = sq_exec_one(tx->conn, st, "record update");
    }
    free(text);
    return ret;
}

/* One case_records row: id, kind, at, user_id, then the stored body's own fields. */
static json_t *record_json(sqlite3_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
    json_object_set_new(o, "kind", sq_json_col(st, 1));
    json_object_set_new(o, "at", sq_json_time(sqlite3_column_int64(st, 2)));
    json_object_set_new(o, "user_id", json_integer(sqlite3_column_int64(st, 3)));
    const char *text = (const char *)sqlite3_column_text(st, 4);
    json_t *body =
        text ? json_loadb(text, (size_t)sqlite3_column_bytes(st, 4), JSON_DECODE_ANY, NULL) : NULL;
    if (json_is_object(body))
        json_object_update_missing(o, body); /* id, kind, at, user_id win */
    else if (body)
        json_object_set(o, "body", body);
    json_decref(body);
    return o;
}

int store_case_records(struct store_rd *rd, int64_t case_id, const char *kind, json_t **out)
{
    if (!rd || !out)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_RECORDS_OF);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, case_id);
    sq_bind_text(st, 2, kind);
    return sq_json_rows(&rd->conn, st, record_json, out, "records");
}

int store_tx_attachment_insert(struct store_tx *tx, int64_t case_id, const char *sha256,
                               const char *name, const char *mime, int64_t size, int64_t user_id,
                               int64_t *id)
{
    if (!tx || !sha256 || !*sha256 || size < 0)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_ATTACH_INSERT);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_text(st, 2, sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name ? name : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, mime ? mime : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, size);
    sqlite3_bind_int64(st, 6, user_id);
    sqlite3_bind_int64(st, 7, tx->now);
    int ret = sq_exec_stmt(tx->conn, st, "attachment insert");
    if (ret == 0 && id)
        *id = sqlite3_last_insert_rowid(tx->conn->db);
    return ret;
}

static json_t *attachment_json(sqlite3_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
    json_object_set_new(o, "sha256", sq_json_col(st, 1));
    json_object_set_new(o, "name", sq_json_col(st, 2));
    json_object_set_new(o, "mime", sq_json_col(st, 3));
    json_object_set_new(o, "size", json_integer(sqlite3_column_int64(st, 4)));
    json_object_set_new(o, "created_at", sq_json_time(sqlite3_column_int64(st, 5)));
    return o;
}

int store_case_attachments(struct store_rd *rd, int64_t case_id, json_t **out)
{
    if (!rd || !out)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_ATTACHS_OF);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, case_id);
    return sq_json_rows(&rd->conn, st, attachment_json, out, "attachments");
}

int store_tx_link_insert(struct store_tx *tx, int64_t a, int64_t b, const char *kind)
{
    if (!tx || !kind || a == b)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_LINK_INSERT);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, tx->now);
    int ret = sq_exec_stmt(tx->conn, st, "link insert");
    /* a repeat link makes `a` a repeat petition in the statistics, a duplicate link takes it out */
    return ret || (strcmp(kind, "repeat") && strcmp(kind, "duplicate")) ? ret
                                                                        : sq_stats_case_refresh(tx, a);
}

static json_t *link_json(sqlite3_stmt *st)
{
    return json_pack("{s:o, s:o, s:o}", "code", sq_json_col(st, 0), "kind", sq_json_col(st, 1),
                     "direction", sq_json_col(st, 2));
}

int store_case_links(struct store_rd *rd, int64_t case_id, json_t **out)
{
    if (!rd || !out)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_LINKS_OF);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, case_id);
    return sq_json_rows(&rd->conn, st, link_json, out, "links");
}

/* ---- idempotency ---- */

int store_tx_idem_get(struct store_tx *tx, int64_t user_id, const char *key, char *code_out)
{
    if (!tx || !key || !code_out)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_IDEM_GET);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), ret = 0;
    if (rc == SQLITE_ROW)
        sq_col_copy(st, 0, code_out, FQ_CODE_LEN + 1);
    else
        ret = rc == SQLITE_DONE ? FQ_ENOTFOUND : sq_error(tx->conn, rc, "idempotency get");
    sqlite3_reset(st);
    return ret;
}

int store_tx_idem_put(struct store_tx *tx, int64_t user_id, const char *key, const char *code)
{
    if (!tx || !key || !code)
        return FQ_EINVAL;
    sqlite3_stmt *st = sq_stmt(tx->conn, SQ_IDEM_PUT);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, tx->now);
    return sq_exec_stmt(tx->conn, st, "idempotency put");
}

/* ---- the case list ---- */

void store_case_filter_init(struct store_case_filter *f)
{
    memset(f, 0, sizeof *f);
    f->grade = f->channel = f->light = f->followed = -1;
    f->limit = 50;
}

#define MAX_PARAMS 40

/* A query under construction: SQL text plus the values of its '?'s, in order. */
struct query {
    struct buf sql;
    int np, err;
    struct {
        int is_text; /* 0 integer, 1 text in t, 2 16-byte blob in t, 3 borrowed text in ref */
        int64_t i;
        char t[24];
        const char *ref;
    } p[MAX_PARAMS];
};

static void q_sql(struct query *q, const char *s)
{
    if (buf_adds(&q->sql, s))
        q->err = FQ_ETOOBIG;
}

static void q_int(struct query *q, const char *sql, int64_t v)
{
    if (q->np >= MAX_PARAMS) {
        q->err = FQ_ETOOBIG;
        return;
    }
    q_sql(q, sql);
    q->p[q->np].is_text = 0;
    q->p[q->np++].i = v;
}

static void q_text(struct query *q, const char *sql, const char *v)
{
    if (q->np >= MAX_PARAMS) {
        q->err = FQ_ETOOBIG;
        return;
    }
    q_sql(q, sql);
    q->p[q->np].is_text = 1;
    snprintf(q->p[q->np++].t, sizeof q->p[0].t, "%s", v);
}

/* A text of any length, borrowed: it must outlive the statement's use. */
static void q_text_ref(struct query *q, const char *sql, const char *v)
{
    if (q->np >= MAX_PARAMS) {
        q->err = FQ_ETOOBIG;
        return;
    }
    q_sql(q, sql);
    q->p[q->np].is_text = 3;
    q->p[q->np++].ref = v;
}

/* A 16-byte blind index value. */
static void q_blob16(struct query *q, const char *sql, const unsigned char v[16])
{
    if (q->np >= MAX_PARAMS) {
        q->err = FQ_ETOOBIG;
        return;
    }
    q_sql(q, sql);
    q->p[q->np].is_text = 2;
    memcpy(q->p[q->np++].t, v, 16);
}

/* A subtree of a county or above holds a large share of the cases: walking the newest cases
 * and filtering beats sorting the whole subtree out of the division index, so the unary '+'
 * keeps the planner off that index. Townships and villages are narrow: use it. */
static void q_division(struct query *q, const char *code)
{
    char lo[FQ_DIVISION_LEN + 1], hi[FQ_DIVISION_LEN + 2];
    sq_division_range(code, lo, hi);
    int broad = strlen(lo) <= 6;
    q_text(q, broad ? " AND +division >= ?" : " AND division >= ?", lo);
    q_text(q, broad ? " AND +division < ?" : " AND division < ?", hi);
}

static void q_department(struct query *q, int64_t department)
{
    q_int(q, " AND id IN (SELECT case_id FROM assignments WHERE department_id = ?)", department);
}

/* The WHERE clause of a filter (after "WHERE 1"), cursor and limit aside. */
static void q_filter(struct query *q, const struct store_case_filter *f)
{
    unsigned all = (1u << ST__COUNT) - 1;
    if (f->status_mask) {
        unsigned m = f->status_mask & all;
        if (!m) {
            q_sql(q, " AND 0");
        } else if ((m & (m - 1)) == 0) { /* one status: the (status, id) index is in order */
            for (int s = 0; s < ST__COUNT; s++)
                if (m == 1u << s)
                    q_int(q, " AND status = ?", s);
        } else if (m != all) {
            const char *sep = " AND status IN (?";
            for (int s = 0; s < ST__COUNT; s++)
                if (m & (1u << s)) {
                    q_int(q, sep, s);
                    sep = ",?";
                }
            q_sql(q, ")");
        }
    }
    if (f->division[0])
        q_division(q, f->division);
    if (f->scope_division[0])
        q_division(q, f->scope_division);
    if (f->supervised)
        q_sql(q, " AND supervised > 0");
    if (f->unrated)
        q_sql(q, " AND satisfaction = 0");
    if (f->codes_json)
        q_text_ref(q, " AND code IN (SELECT value FROM json_each(?))", f->codes_json);
    if (f->followed == 0)
        q_sql(q, " AND followed_up = 0");
    else if (f->followed == 1)
        q_sql(q, " AND followed_up > 0");
    if (f->created_by)
        q_int(q, " AND created_by = ?", f->created_by);
    if (f->closed_from)
        q_int(q, " AND closed_at >= ?", f->closed_from);
    if (f->closed_to)
        q_int(q, " AND closed_at > 0 AND closed_at < ?", f->closed_to);
    if (f->party_kind == 1)
        q_blob16(q, " AND id IN (SELECT case_id FROM parties WHERE id_bidx = ?)", f->party_bidx);
    else if (f->party_kind == 2)
        q_blob16(q, " AND id IN (SELECT case_id FROM parties WHERE phone_bidx = ?)", f->party_bidx);
    if (f->department)
        q_department(q, f->department);
    if (f->scope_department && f->scope_department != f->department)
        q_department(q, f->scope_department);
    if (f->category[0]) {
        char lo[sizeof f->category], hi[sizeof f->category + 1];
        size_t n = strnlen(f->category, sizeof f->category - 1);
        memcpy(lo, f->category, n);
        lo[n] = 0;
        memcpy(hi, lo, n);
        hi[n] = '~';
        hi[n + 1] = 0;
        int broad = n <= 2; /* a top-level category: as for broad divisions */
        q_text(q, broad ? " AND +category >= ?" : " AND category >= ?", lo);
        q_text(q, broad ? " AND +category < ?" : " AND category < ?", hi);
    }
    if (f->grade >= 0)
        q_int(q, " AND grade = ?", f->grade);
    if (f->channel >= 0)
        q_int(q, " AND channel = ?", f->channel);
    if (f->light >= 0)
        q_int(q, " AND light = ?", f->light);
    if (f->overdue)
        q_sql(q, " AND status <= 4 AND light = 2");
    if (f->from)
        q_int(q, " AND created_at >= ?", f->from);
    if (f->to)
        q_int(q, " AND created_at < ?", f->to);
}

static sqlite3_stmt *q_prepare(struct sq_conn *c, struct query *q, int *ret)
{
    if (q->err || !q->sql.data) {
        *ret = q->err ? q->err : FQ_ENOMEM;
        return NULL;
    }
    sqlite3_stmt *st = sq_stmt_dyn(c, q->sql.data);
    if (!st) {
        *ret = FQ_EIO;
        return NULL;
    }
    for (int i = 0; i < q->np; i++) {
        if (q->p[i].is_text == 3)
            sqlite3_bind_text(st, i + 1, q->p[i].ref, -1, SQLITE_STATIC);
        else if (q->p[i].is_text == 2)
            sqlite3_bind_blob(st, i + 1, q->p[i].t, 16, SQLITE_TRANSIENT);
        else if (q->p[i].is_text)
            sqlite3_bind_text(st, i + 1, q->p[i].t, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_int64(st, i + 1, q->p[i].i);
    }
    *ret = 0;
    return st;
}

static json_t *case_summary(sqlite3_stmt *st)
{
    json_t *o = json_object();
    int grade = sqlite3_column_int(st, 6), level = sqlite3_column_int(st, 7);
    int64_t lead = sqlite3_column_int64(st, 16);
    const char *category = (const char *)sqlite3_column_text(st, 5);
    const char *grid = (const char *)sqlite3_column_text(st, 11);
    json_object_set_new(o, "code", sq_json_col(st, 1));
    json_object_set_new(o, "title", sq_json_col(st, 2));
    json_object_set_new(o, "channel", sq_json_str(channel_name(sqlite3_column_int(st, 3))));
    json_object_set_new(o, "kind", sq_json_str(kind_name(sqlite3_column_int(st, 4))));
    json_object_set_new(o, "category", category && *category ? sq_json_col(st, 5) : json_null());
    json_object_set_new(o, "grade", grade ? sq_json_str(grade_name(grade)) : json_null());
    json_object_set_new(o, "level", level ? sq_json_str(level_name(level)) : json_null());
    json_object_set_new(o, "status", sq_json_str(status_name(sqlite3_column_int(st, 8))));
    json_object_set_new(o, "light", sq_json_str(light_name(sqlite3_column_int(st, 9))));
    json_object_set_new(o, "division", sq_json_col(st, 10));
    json_object_set_new(o, "grid", grid && *grid ? sq_json_col(st, 11) : json_null());
    json_object_set_new(o, "created_at", sq_json_time(sqlite3_column_int64(st, 12)));
    json_object_set_new(o, "due_at", sq_json_time(sqlite3_column_int64(st, 13)));
    json_object_set_new(o, "urge_count", json_integer(sqlite3_column_int(st, 14)));
    json_object_set_new(o, "supervised", json_boolean(sqlite3_column_int(st, 15)));
    json_object_set_new(o, "lead_department", lead ? json_integer(lead) : json_null());
    int sat = sqlite3_column_int(st, 17);
    json_object_set_new(o, "satisfaction", sat ? sq_json_str(satisfaction_name(sat)) : json_null());
    json_object_set_new(o, "closed_at", sq_json_time(sqlite3_column_int64(st, 18)));
    json_object_set_new(o, "created_by", json_integer(sqlite3_column_int64(st, 19)));
    return o;
}

int store_case_list(struct store_rd *rd, const struct store_case_filter *f, json_t **out,
                    int64_t *next)
{
    if (!rd || !f || !out)
        return FQ_EINVAL;
    int limit = f->limit < 1 ? 1 : f->limit > LIST_LIMIT_MAX ? LIST_LIMIT_MAX : f->limit;
    struct query q = {0};
    buf_init(&q.sql, SQL_CAP);
    q_sql(&q, "SELECT id, code, title, channel, kind, category, grade, level, status, light, "
              "division, grid, created_at, due_at, urge_count, supervised, lead_department, "
              "satisfaction, closed_at, created_by "
              "FROM cases WHERE 1");
    q_filter(&q, f);
    if (f->cursor > 0)
        q_int(&q, " AND id < ?", f->cursor);
    q_int(&q, " ORDER BY id DESC LIMIT ?", limit);
    int ret;
    sqlite3_stmt *st = q_prepare(&rd->conn, &q, &ret);
    buf_free(&q.sql);
    if (!st)
        return ret;
    json_t *arr = json_array();
    int64_t last = 0;
    int cnt = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        last = sqlite3_column_int64(st, 0);
        if (json_array_append_new(arr, case_summary(st))) {
            ret = FQ_ENOMEM;
            goto done;
        }
        cnt++;
    }
    if (rc != SQLITE_DONE)
        ret = sq_error(&rd->conn, rc, "case list");
done:
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (ret) {
        json_decref(arr);
        return ret;
    }
    *out = arr;
    if (next)
        *next = cnt == limit ? last : 0;
    return 0;
}

int store_case_count(struct store_rd *rd, const struct store_case_filter *f, int64_t *n)
{
    if (!rd || !f || !n)
        return FQ_EINVAL;
    struct query q = {0};
    buf_init(&q.sql, SQL_CAP);
    q_sql(&q, "SELECT count(*) FROM cases WHERE 1");
    q_filter(&q, f);
    int ret;
    sqlite3_stmt *st = q_prepare(&rd->conn, &q, &ret);
    buf_free(&q.sql);
    if (!st)
        return ret;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    else
        ret = sq_error(&rd->conn, rc, "case count");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return ret;
}

sqlite3_stmt *sq_case_filter_stmt(struct sq_conn *c, const char *head,
                                  const struct store_case_filter *f, const char *tail, int *ret)
{
    struct query q = {0};
    buf_init(&q.sql, SQL_CAP);
    q_sql(&q, head);
    q_filter(&q, f);
    q_sql(&q, tail);
    sqlite3_stmt *st = q_prepare(c, &q, ret);
    buf_free(&q.sql);
    return st;
}

json_t *sq_case_summary(sqlite3_stmt *st)
{
    return case_summary(st);
}

/* ---- the deadline timer ---- */

static int codes_query(struct sq_conn *c, sqlite3_stmt *st, char (**codes)[FQ_CODE_LEN + 1], int *n,
                       const char *what)
{
    char(*v)[FQ_CODE_LEN + 1] = NULL;
    int cnt = 0, cap = 0, rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((ret = sq_grow((void **)&v, &cap, cnt, sizeof *v, MAX_ROWS)))
            goto done;
        sq_col_copy(st, 0, v[cnt++], sizeof *v);
    }
    if (rc != SQLITE_DONE)
        ret = sq_error(c, rc, what);
done:
    sqlite3_reset(st);
    if (ret) {
        free(v);
        return ret;
    }
    *codes = v;
    *n = cnt;
    return 0;
}

int store_cases_due(struct store_rd *rd, int64_t now, int max, char (**codes)[FQ_CODE_LEN + 1],
                    int *n)
{
    if (!rd || !codes || !n)
        return FQ_EINVAL;
    if (max <= 0) {
        *codes = NULL;
        *n = 0;
        return 0;
    }
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_CASES_DUE);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, max);
    return codes_query(&rd->conn, st, codes, n, "cases due");
}

int store_cases_to_supervise(struct store_rd *rd, int64_t now, int64_t margin_ms, int max,
                             char (**codes)[FQ_CODE_LEN + 1], int *n)
{
    if (!rd || !codes || !n || margin_ms < 0)
        return FQ_EINVAL;
    if (max <= 0) {
        *codes = NULL;
        *n = 0;
        return 0;
    }
    sqlite3_stmt *st = sq_stmt(&rd->conn, SQ_CASES_TO_SUPERVISE);
    if (!st)
        return FQ_EIO;
    sqlite3_bind_int64(st, 1, now - margin_ms);
    sqlite3_bind_int(st, 2, max);
    return codes_query(&rd->conn, st, codes, n, "cases to supervise");
}

/* ---- metrics ---- */

static int count_one(struct sq_conn *c, enum sq_stmt id, json_t *o, const char *key)
{
    sqlite3_stmt *st = sq_stmt(c, id);
    if (!st)
        return FQ_EIO;
    int rc = sqlite3_step(st), ret = 0;
    if (rc == SQLITE_ROW)
        json_object_set_new(o, key, json_integer(sqlite3_column_int64(st, 0)));
    else
        ret = sq_error(c, rc, key);
    sqlite3_reset(st);
    return ret;
}

/* Fills o[name(v)] = count for each (v, count) row. */
static int count_by(struct sq_conn *c, enum sq_stmt id, json_t *o, const char *(*name)(int))
{
    sqlite3_stmt *st = sq_stmt(c, id);
    if (!st)
        return FQ_EIO;
    int rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = name(sqlite3_column_int(st, 0));
        if (*k)
            json_object_set_new(o, k, json_integer(sqlite3_column_int64(st, 1)));
    }
    if (rc != SQLITE_DONE)
        ret = sq_error(c, rc, "stats");
    sqlite3_reset(st);
    return ret;
}

int store_stats(struct store_rd *rd, json_t **out)
{
    if (!rd || !out)
        return FQ_EINVAL;
    struct sq_conn *c = &rd->conn;
    json_t *o = json_object(), *cases = json_object(), *lights = json_object();
    json_object_set_new(o, "cases", cases);
    json_object_set_new(o, "lights", lights);
    for (int s = 0; s < ST__COUNT; s++)
        json_object_set_new(cases, status_name(s), json_integer(0));
    for (int l = 0; l < LIGHT__COUNT; l++)
        json_object_set_new(lights, light_name(l), json_integer(0));
    int ret = count_by(c, SQ_STATS_STATUS, cases, status_name);
    if (!ret)
        ret = count_by(c, SQ_STATS_LIGHT, lights, light_name);
    if (!ret)
        ret = count_one(c, SQ_STATS_USERS, o, "users");
    if (!ret)
        ret = count_one(c, SQ_STATS_SESSIONS, o, "sessions");
    if (!ret)
        ret = count_one(c, SQ_EVENTS_COUNT, o, "events");
    if (ret) {
        json_decref(o);
        return ret;
    }
    *out = o;
    return 0;
}
