/* The SQLite backend's engine room: opening and migrating the database, the writer thread that
 * commits queued jobs in groups, the per-thread read connections, backup and integrity checks.
 *
 * Group commit: with synchronous=FULL a commit costs one fdatasync (~100 µs here), so committing
 * jobs one by one caps writes at a few thousand a second. The writer takes up to group_max queued
 * jobs, runs them in one IMMEDIATE transaction so that a failing job rolls back alone, commits
 * once, and only then reports each job done — a caller is never told a write succeeded before it
 * is durable. A failing job rolls back alone through a SAVEPOINT of its own, except in a group of
 * jobs that may run twice (store_submit_rerun: the case writes), which runs without savepoints:
 * a job that failed without changing a row needs no undo, and after one that did the group is
 * rolled back and run again with a savepoint per job (run_jobs). The done callbacks run on a
 * completion thread of their own, in commit order, while the writer (the one serial resource)
 * goes on with the next group.
 *
 * Change reports: a preupdate hook on the writer connection notes every case whose row or child
 * rows a statement touches (and any change to users or sessions), whoever issues the statement
 * — a job, a trigger, a bulk load, the timer. After the transaction ends the notes go to the
 * change hook (store_set_change_hook), before any job is reported done. */
/* sqlite3.h declares the preupdate hook only when asked; Debian's libsqlite3 is built with it. */
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include "store/fts_rank.h"
#include "store/fts_tokenizer.h"
#include "store/sqlite_int.h"
#include "util/clock.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define QUEUE_CAP 65536
#define GROUP_MAX_DEFAULT 512
#define BUSY_TIMEOUT_MS 5000
/* The writer's automatic checkpoint, in WAL pages (32 MB, not SQLite's 4 MB): a group commit
 * rewrites the same hot pages (the right edges of the case indexes, the statistics rows) again and
 * again, and a checkpoint copies each page once however often it was committed, so fewer, larger
 * checkpoints copy fewer pages per case (−3 to −5 µs of CPU per intake measured at 64
 * connections); journal_size_limit still caps the file kept after a checkpoint. */
#define WAL_CHECKPOINT_PAGES "8000"
#define CHANGES_MAX 65536 /* more changed cases than this in one transaction: report "all" */
/* Cases indexed for full-text search per idle-time transaction. Each batch becomes one new FTS5
 * segment that automerge later folds into larger ones, so bigger batches mean fewer segments and
 * less merging per case: writer CPU per queued case 59.5 µs at 256, 48.7 at 1,024, 47.7 at 4,096
 * (20,000 demo cases). A batch holds the writer ~40 ms, which is what an intake arriving meanwhile
 * can wait; 4,096 would gain little for four times that. */
#define FTS_DRAIN_BATCH 1024

/* Child tables whose rows belong to a case, and the column naming it (resolved at open). */
static const struct {
    const char *table, *column;
} case_children[] = {{"parties", "case_id"},      {"assignments", "case_id"}, {"case_records", "case_id"},
                     {"attachments", "case_id"},  {"case_links", "a"},        {"case_links", "b"}};
#define NCHILDREN (int)(sizeof case_children / sizeof case_children[0])

struct job {
    store_tx_fn fn;
    store_done_fn done;
    void *arg;
    int rerun; /* fn may run again after its group was rolled back (store_submit_rerun) */
};

/* A committed (or failed) job whose done callback is still to run. */
struct completion {
    store_done_fn done;
    void *arg;
    int rc;
};

struct store {
    char *path;
    int readonly;
    int group_max;

    struct sq_conn w;      /* the writer connection (none when readonly) */
    pthread_mutex_t wlock; /* held while a group or a bulk job owns w */

    pthread_mutex_t mu; /* guards the queue and closing */
    pthread_cond_t work;
    struct job *q;     /* ring of QUEUE_CAP jobs */
    struct job *batch; /* the writer's current group (group_max) */
    int *results;
    size_t qhead, qlen;
    int closing;
    int fts_dirty;     /* cases may be queued for full-text indexing (the writer drains them) */
    pthread_t writer;
    int writer_running;

    pthread_mutex_t cmu; /* guards the completion queue and cclosing */
    pthread_cond_t cwork, cspace;
    struct completion *cq; /* ring of cqcap */
    size_t cqcap, cqhead, cqlen;
    int cclosing;
    pthread_t completer;
    int completer_running;

    pthread_key_t rd_key; /* this thread's struct store_rd */
    int rd_key_ok;
    pthread_mutex_t rd_mu; /* guards rds */
    struct store_rd *rds;

    /* change reports (store_set_change_hook); touched only by whoever holds wlock */
    store_change_fn change_fn;
    void *change_arg;
    int64_t *changes;
    int nchanges, changes_cap, changes_all, auth_changed;
    int ref_changed;            /* divisions, grids, categories or methods written in it */
    _Atomic uint64_t ref_gen;   /* raised after such a transaction ends (sq_ref_generation) */
    int child_col[NCHILDREN];   /* case_children[i].column, -1 when the table lacks it */
    struct sq_near *near;       /* recent cases by division (sqlite_near.c); may be NULL */
    struct sq_stats_pending *stats_pending; /* intakes whose statistics wait for a later group */
    int stats_lock;             /* fd holding flock(<db>-statslock): this process defers, or -1 */
    int near_col[2];            /* cases.division and cases.created_at, -1 if absent */
    int party_col[2];           /* parties.id_bidx and parties.phone_bidx, -1 if absent */
};

/* The store whose transaction this thread is running (a group job or a bulk load), so that a
 * job calling store_write or store_write_bulk fails instead of waiting for itself forever. */
static _Thread_local struct store *tx_owner;

static const char *stmt_sql[SQ__COUNT] = {
#define SQ_SQL(id, sql) sql,
    SQ_STATEMENTS(SQ_SQL)
#undef SQ_SQL
};

/* ---- connections and statements ---- */

int sq_error(struct sq_conn *c, int rc, const char *what)
{
    const char *msg = c && c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        log_debug("store: %s: %s", what, msg);
        return FQ_ECONFLICT;
    }
    log_error("store: %s: %s (%d)", what, msg, rc);
    return FQ_EIO;
}

static int exec_sql(sqlite3 *db, const char *sql, struct fq_error *e)
{
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK) {
        log_error("store: %s: %s", sql, err ? err : sqlite3_errstr(rc));
        fq_fail(e, FQ_EIO, "storage_error", NULL, "database error: %s",
                err ? err : sqlite3_errstr(rc));
        sqlite3_free(err);
        return FQ_EIO;
    }
    return 0;
}

/* The journal mode must really be WAL: readers run beside the writer only in WAL mode. */
static int ensure_wal(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL) == SQLITE_OK &&
             sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) &&
             !strcmp((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    return ok ? 0 : FQ_EIO;
}

int sq_conn_open(struct sq_conn *c, const char *path, int writer, int create, struct fq_error *e)
{
    memset(c, 0, sizeof *c);
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_PRIVATECACHE;
    if (writer)
        flags |= SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    else
        flags |= SQLITE_OPEN_READONLY;
    int rc = sqlite3_open_v2(path, &c->db, flags, NULL);
    if (rc != SQLITE_OK)
        goto fail;
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    /* The search index's tokenizer: on every connection, since the triggers that keep the index
     * current run on every case write and readers query it (STYLE.md). */
    if ((rc = fts_tokenizer_register(c->db)) != SQLITE_OK ||
        (rc = fts_rank_register(c->db)) != SQLITE_OK)
        goto fail;
    /* Per-connection settings; the journal mode is persistent in the file, set by the writer. */
    if (writer) {
        if (ensure_wal(c->db) ||
            sqlite3_exec(
                c->db,
                "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
                " PRAGMA cache_size=-16384; PRAGMA journal_size_limit=67108864;"
                " PRAGMA wal_autocheckpoint=" WAL_CHECKPOINT_PAGES ";",
                NULL, NULL, NULL) != SQLITE_OK)
            goto fail;
    } else {
        if (sqlite3_exec(
                c->db,
                "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-8192;"
                " PRAGMA mmap_size=268435456;",
                NULL, NULL, NULL) != SQLITE_OK)
            goto fail;
    }
    return 0;
fail:;
    const char *msg = c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc);
    if (c->db && sqlite3_errcode(c->db) == SQLITE_OK)
        msg = "cannot switch to WAL journal mode";
    log_error("store: open %s: %s", path, msg);
    fq_fail(e, FQ_EIO, "storage_error", NULL, "cannot open database %s: %s", path, msg);
    sqlite3_close(c->db);
    c->db = NULL;
    return FQ_EIO;
}

void sq_conn_close(struct sq_conn *c)
{
    if (!c || !c->db)
        return;
    for (int i = 0; i < SQ__COUNT; i++)
        sqlite3_finalize(c->st[i]);
    for (int i = 0; i < SQ_DYN_CACHE; i++) {
        sqlite3_finalize(c->dyn[i].st);
        free(c->dyn[i].sql);
    }
    if (sqlite3_close(c->db) != SQLITE_OK)
        log_error("store: close: %s", sqlite3_errmsg(c->db));
    memset(c, 0, sizeof *c);
}

/* A reader's deferred store_rd_begin: the BEGIN, before the scope's first statement. While
 * another transaction is open on c (a reference reload's own) it waits for the next one. */
static void lazy_begin(struct sq_conn *c)
{
    if (!sqlite3_get_autocommit(c->db))
        return;
    c->lazy_begin = 0;
    c->lazy_open = sq_exec_stmt(c, sq_stmt(c, SQ_RD_BEGIN), "read begin") == 0;
}

sqlite3_stmt *sq_stmt(struct sq_conn *c, enum sq_stmt id)
{
    if (!c || !c->db || (int)id < 0 || id >= SQ__COUNT)
        return NULL;
    if (c->lazy_begin && id != SQ_RD_BEGIN && id != SQ_COMMIT)
        lazy_begin(c);
    if (!c->st[id]) {
        int rc = sqlite3_prepare_v3(c->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &c->st[id],
                                    NULL);
        if (rc != SQLITE_OK) {
            log_error("store: prepare %s: %s", stmt_sql[id], sqlite3_errmsg(c->db));
            c->st[id] = NULL;
            return NULL;
        }
    }
    return c->st[id];
}

sqlite3_stmt *sq_stmt_dyn(struct sq_conn *c, const char *sql)
{
    if (!c || !c->db)
        return NULL;
    if (c->lazy_begin)
        lazy_begin(c);
    for (int i = 0; i < SQ_DYN_CACHE; i++)
        if (c->dyn[i].sql && !strcmp(c->dyn[i].sql, sql))
            return c->dyn[i].st;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) {
        log_error("store: prepare %s: %s", sql, sqlite3_errmsg(c->db));
        return NULL;
    }
    char *copy = strdup(sql);
    if (!copy) {
        sqlite3_finalize(st);
        return NULL;
    }
    int slot = c->dyn_next;
    c->dyn_next = (c->dyn_next + 1) % SQ_DYN_CACHE;
    sqlite3_finalize(c->dyn[slot].st);
    free(c->dyn[slot].sql);
    c->dyn[slot].sql = copy;
    c->dyn[slot].st = st;
    return st;
}

/* Runs a statement whose rows each become a JSON object through `row`; *out is the array. */
int sq_json_rows(struct sq_conn *c, sqlite3_stmt *st, json_t *(*row)(sqlite3_stmt *),
                 json_t **out, const char *what)
{
    json_t *arr = json_array();
    int rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (json_array_append_new(arr, row(st))) {
            ret = FQ_ENOMEM;
            goto done;
        }
    }
    if (rc != SQLITE_DONE)
        ret = sq_error(c, rc, what);
done:
    sqlite3_reset(st);
    if (ret) {
        json_decref(arr);
        return ret;
    }
    *out = arr;
    return 0;
}

int sq_json_row(struct sq_conn *c, sqlite3_stmt *st, json_t *(*row)(sqlite3_stmt *), json_t **out,
                const char *what)
{
    int rc = sqlite3_step(st), ret = 0;
    if (rc == SQLITE_ROW)
        *out = row(st);
    else
        ret = rc == SQLITE_DONE ? FQ_ENOTFOUND : sq_error(c, rc, what);
    sqlite3_reset(st);
    return ret;
}

int sq_exec_stmt(struct sq_conn *c, sqlite3_stmt *st, const char *what)
{
    if (!st)
        return FQ_EIO;
    int rc = sqlite3_step(st);
    int ret = 0;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        ret = sq_error(c, rc, what);
    sqlite3_reset(st);
    return ret;
}

int sq_exec_one(struct sq_conn *c, sqlite3_stmt *st, const char *what)
{
    int ret = sq_exec_stmt(c, st, what);
    if (ret == 0 && sqlite3_changes(c->db) == 0)
        ret = FQ_ENOTFOUND;
    return ret;
}

void sq_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

void sq_bind_blob(sqlite3_stmt *st, int i, const void *p, int n)
{
    if (p && n > 0)
        sqlite3_bind_blob(st, i, p, n, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

void sq_col_copy(sqlite3_stmt *st, int i, char *dst, size_t size)
{
    if (!size)
        return;
    const unsigned char *t = sqlite3_column_text(st, i);
    size_t n = t ? (size_t)sqlite3_column_bytes(st, i) : 0;
    if (n >= size)
        n = size - 1;
    if (n)
        memcpy(dst, t, n);
    dst[n] = 0;
}

int sq_col_blob(sqlite3_stmt *st, int i, unsigned char *dst, int size)
{
    const void *p = sqlite3_column_blob(st, i);
    int n = p ? sqlite3_column_bytes(st, i) : 0;
    if (n > size)
        n = size;
    if (n)
        memcpy(dst, p, (size_t)n);
    if (n < size)
        memset(dst + n, 0, (size_t)(size - n));
    return n;
}

/* Significant prefix length of a 12-digit division code: trailing zero groups are "below". */
static size_t division_prefix_len(const char *code, size_t n)
{
    static const size_t cuts[] = {2, 4, 6, 9}; /* province, city, county, township */
    if (n != FQ_DIVISION_LEN)
        return n; /* already a prefix (or not a code): use as given */
    for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
        size_t i = cuts[k];
        while (i < n && code[i] == '0')
            i++;
        if (i == n)
            return cuts[k];
    }
    return n;
}

void sq_division_range(const char *code, char lo[FQ_DIVISION_LEN + 1], char hi[FQ_DIVISION_LEN + 2])
{
    size_t n = code ? strnlen(code, FQ_DIVISION_LEN + 1) : 0;
    if (n > FQ_DIVISION_LEN)
        n = FQ_DIVISION_LEN;
    n = division_prefix_len(code, n);
    if (n)
        memcpy(lo, code, n);
    lo[n] = 0;
    memcpy(hi, lo, n);
    hi[n] = '~'; /* above every digit */
    hi[n + 1] = 0;
}

json_t *sq_json_str(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    return v ? v : json_null();
}

json_t *sq_json_col(sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    if (!t)
        return json_null();
    json_t *v = json_stringn(t, (size_t)sqlite3_column_bytes(st, i));
    return v ? v : json_null();
}

json_t *sq_json_time(int64_t ms)
{
    if (!ms)
        return json_null();
    char buf[26];
    ms_format(ms, buf);
    return json_string(buf);
}

int sq_grow(void **p, int *cap, int n, size_t elem, int max)
{
    if (n < *cap)
        return 0;
    if (n >= max)
        return FQ_ETOOBIG;
    int ncap = *cap ? *cap * 2 : 16;
    if (ncap > max)
        ncap = max;
    void *q = realloc(*p, (size_t)ncap * elem);
    if (!q)
        return FQ_ENOMEM;
    *p = q;
    *cap = ncap;
    return 0;
}

/* ---- schema ---- */

void store_global_init(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_schema_version(void)
{
    return sq_migration_count;
}

static int user_version(sqlite3 *db, int *v)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *v = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : FQ_EIO;
}

static int migrate(sqlite3 *db, int readonly, struct fq_error *e)
{
    int v = 0;
    if (user_version(db, &v))
        return fq_fail(e, FQ_EIO, "storage_error", NULL, "cannot read schema version: %s",
                       sqlite3_errmsg(db));
    if (v > sq_migration_count)
        return fq_fail(e, FQ_EIO, "schema_too_new", NULL,
                       "database schema version %d is newer than this program's (%d)", v,
                       sq_migration_count);
    if (v == sq_migration_count)
        return 0;
    if (readonly)
        return fq_fail(e, FQ_EIO, "schema_outdated", NULL,
                       "database schema version %d needs migrating to %d (open it read-write)", v,
                       sq_migration_count);
    for (; v < sq_migration_count; v++) {
        char pragma[48];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
        if (exec_sql(db, "BEGIN IMMEDIATE", e))
            return FQ_EIO;
        if (exec_sql(db, sq_migrations[v], e) || exec_sql(db, pragma, e)) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return FQ_EIO;
        }
        if (exec_sql(db, "COMMIT", e)) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return FQ_EIO;
        }
        log_info("store: schema migrated to version %d", v + 1);
    }
    return 0;
}

/* ---- change reports ---- */

/* Notes that case id changed. Consecutive notes of one case are common (a row and its
 * children), so the last few are checked before appending. */
static void note_case(struct store *s, int64_t id)
{
    if (s->changes_all || id <= 0)
        return;
    for (int i = s->nchanges - 1; i >= 0 && i >= s->nchanges - 8; i--)
        if (s->changes[i] == id)
            return;
    if (s->nchanges == s->changes_cap) {
        int ncap = s->changes_cap ? s->changes_cap * 2 : 64;
        void *p = ncap <= CHANGES_MAX ? realloc(s->changes, (size_t)ncap * sizeof *s->changes) : NULL;
        if (!p) {
            s->changes_all = 1; /* cannot list them: report everything */
            return;
        }
        s->changes = p;
        s->changes_cap = ncap;
    }
    s->changes[s->nchanges++] = id;
}

/* Notes the case named by integer column col of the row before (old) or after the change. */
static void note_column(struct store *s, sqlite3 *db, int col, int old)
{
    sqlite3_value *v = NULL;
    if (col < 0 || (old ? sqlite3_preupdate_old(db, col, &v) : sqlite3_preupdate_new(db, col, &v)) != SQLITE_OK || !v) {
        s->changes_all = 1; /* a row we cannot attribute */
        return;
    }
    note_case(s, sqlite3_value_int64(v));
}

/* Division and created_at of the row before (old) or after the change; 0 when unreadable. */
static int near_values(struct store *s, sqlite3 *db, int old, const char **division, int64_t *at)
{
    sqlite3_value *v[2] = {NULL, NULL};
    for (int i = 0; i < 2; i++)
        if (s->near_col[i] < 0 ||
            (old ? sqlite3_preupdate_old(db, s->near_col[i], &v[i])
                 : sqlite3_preupdate_new(db, s->near_col[i], &v[i])) != SQLITE_OK ||
            !v[i])
            return 0;
    *division = (const char *)sqlite3_value_text(v[0]);
    *at = sqlite3_value_int64(v[1]);
    return 1;
}

/* Notes a case inserted, moved (its division or created_at changed) or deleted for the recent-case
 * index; a row it cannot read breaks the index (the commit turns it off). */
static void note_near(struct store *s, sqlite3 *db, int op, sqlite3_int64 key_old,
                      sqlite3_int64 key_new)
{
    const char *dold = NULL, *dnew = NULL;
    int64_t aold = 0, anew = 0;
    if (op != SQLITE_INSERT && !near_values(s, db, 1, &dold, &aold))
        dold = NULL;
    if (op != SQLITE_DELETE && !near_values(s, db, 0, &dnew, &anew))
        dnew = NULL;
    if ((op != SQLITE_INSERT && !dold) || (op != SQLITE_DELETE && !dnew)) {
        sq_near_note(s->near, 1, NULL, 0, 0); /* unreadable */
        return;
    }
    if (op == SQLITE_UPDATE && aold != anew)
        sq_near_break(s->near); /* the parties' instants came from created_at */
    if (op == SQLITE_UPDATE && key_old == key_new && aold == anew && !strcmp(dold, dnew))
        return; /* not moved: the common update */
    if (op != SQLITE_INSERT)
        sq_near_note(s->near, 0, dold, aold, key_old);
    if (op != SQLITE_DELETE)
        sq_near_note(s->near, 1, dnew, anew, key_new);
}

/* Notes the blind indexes of a party row inserted or updated, for the recent-party index. */
static void note_party(struct store *s, sqlite3 *db)
{
    for (int i = 0; i < 2; i++) {
        sqlite3_value *v = NULL;
        if (s->party_col[i] < 0 || sqlite3_preupdate_new(db, s->party_col[i], &v) != SQLITE_OK || !v) {
            sq_near_break(s->near);
            return;
        }
        if (sqlite3_value_type(v) != SQLITE_NULL)
            sq_near_note_party(s->near, sqlite3_value_blob(v), sqlite3_value_bytes(v));
    }
}

static void on_preupdate(void *arg, sqlite3 *db, int op, const char *zdb, const char *table,
                         sqlite3_int64 key_old, sqlite3_int64 key_new)
{
    struct store *s = arg;
    if (!strcmp(table, "divisions") || !strcmp(table, "grids") || !strcmp(table, "categories") ||
        !strcmp(table, "resolution_methods"))
        s->ref_changed = 1;
    if (s->near && !strcmp(table, "cases") && !strcmp(zdb, "main"))
        note_near(s, db, op, key_old, key_new);
    if (s->near && op != SQLITE_DELETE && !strcmp(table, "parties") && !strcmp(zdb, "main"))
        note_party(s, db);
    if (!s->change_fn || strcmp(zdb, "main"))
        return;
    if (!strcmp(table, "cases")) { /* rowid = case id */
        if (op != SQLITE_INSERT)
            note_case(s, key_old);
        if (op != SQLITE_DELETE)
            note_case(s, key_new);
        return;
    }
    if (!strcmp(table, "users") || (op == SQLITE_DELETE && !strcmp(table, "sessions"))) {
        s->auth_changed = 1;
        return;
    }
    for (int i = 0; i < NCHILDREN; i++) {
        if (strcmp(table, case_children[i].table))
            continue;
        if (op != SQLITE_INSERT)
            note_column(s, db, s->child_col[i], 1);
        if (op != SQLITE_DELETE)
            note_column(s, db, s->child_col[i], 0);
    }
}

/* Index of a column in a table of the writer connection, -1 if absent. */
static int column_index(sqlite3 *db, const char *table, const char *column)
{
    char sql[96];
    sqlite3_stmt *st = NULL;
    int found = -1;
    snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", table);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK)
        while (found < 0 && sqlite3_step(st) == SQLITE_ROW)
            if (!strcmp((const char *)sqlite3_column_text(st, 1), column))
                found = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return found;
}

/* Hands the notes of the transaction that just ended to the change hook and forgets them. */
static void report_changes(struct store *s, int committed)
{
    sq_near_end(s->near, committed);
    if (s->ref_changed) { /* committed or rolled back: either way the readers reload */
        atomic_fetch_add(&s->ref_gen, 1);
        s->ref_changed = 0;
    }
    if (s->change_fn && (s->nchanges || s->changes_all || s->auth_changed))
        s->change_fn(s->change_arg, s->changes, s->changes_all ? -1 : s->nchanges, s->auth_changed);
    s->nchanges = 0;
    s->changes_all = 0;
    s->auth_changed = 0;
}

void store_set_change_hook(struct store *s, store_change_fn fn, void *arg)
{
    if (!s || s->readonly)
        return;
    pthread_mutex_lock(&s->wlock);
    s->change_fn = fn;
    s->change_arg = arg;
    s->nchanges = 0;
    s->changes_all = 0;
    s->auth_changed = 0;
    pthread_mutex_unlock(&s->wlock);
}

struct sq_near *sq_store_near(struct store *s)
{
    return s ? s->near : NULL;
}

int store_near_start(struct store *s, int64_t since, int64_t party_since)
{
    if (!s || !s->near || s->readonly)
        return FQ_ENOMEM;
    pthread_mutex_lock(&s->wlock); /* no commit between the load and the first notes */
    int rc = sq_near_start(s->near, &s->w, since, party_since);
    pthread_mutex_unlock(&s->wlock);
    return rc;
}

void store_near_stop(struct store *s)
{
    if (!s || !s->near)
        return;
    pthread_mutex_lock(&s->wlock);
    sq_near_stop(s->near);
    pthread_mutex_unlock(&s->wlock);
}

void store_near_counts(struct store *s, long long *hits, long long *misses)
{
    sq_near_counts(s ? s->near : NULL, hits, misses);
}

/* ---- the writer ---- */

/* Runs one statement of the transaction protocol on the writer connection. */
static int tx_ctl(struct sq_conn *c, enum sq_stmt id, const char *what)
{
    return sq_exec_stmt(c, sq_stmt(c, id), what);
}

/* Hands the group's done callbacks, in order, to the completion thread; waits only when it is
 * QUEUE_CAP callbacks behind. Without the thread (it could not start) they run here. A done
 * callback must not wait for the writer (it never could: they used to run on it). */
static void complete(struct store *s, struct job *jobs, const int *results, int n)
{
    if (!s->completer_running) {
        for (int i = 0; i < n; i++)
            if (jobs[i].done)
                jobs[i].done(jobs[i].arg, results[i]);
        return;
    }
    pthread_mutex_lock(&s->cmu);
    while (s->cqlen + (size_t)n > s->cqcap)
        pthread_cond_wait(&s->cspace, &s->cmu);
    for (int i = 0; i < n; i++) {
        if (!jobs[i].done)
            continue;
        s->cq[(s->cqhead + s->cqlen) % s->cqcap] =
            (struct completion){jobs[i].done, jobs[i].arg, results[i]};
        s->cqlen++;
    }
    pthread_cond_signal(&s->cwork);
    pthread_mutex_unlock(&s->cmu);
}

static void *completer_main(void *p)
{
    struct store *s = p;
    pthread_setname_np(pthread_self(), "fq-done");
    pthread_mutex_lock(&s->cmu);
    for (;;) {
        while (s->cqlen == 0 && !s->cclosing)
            pthread_cond_wait(&s->cwork, &s->cmu);
        if (s->cqlen == 0)
            break;
        struct completion c = s->cq[s->cqhead];
        s->cqhead = (s->cqhead + 1) % s->cqcap;
        s->cqlen--;
        if (s->cqlen + (size_t)s->group_max == s->cqcap)
            pthread_cond_signal(&s->cspace); /* room for a whole group again */
        pthread_mutex_unlock(&s->cmu);
        c.done(c.arg, c.rc);
        pthread_mutex_lock(&s->cmu);
    }
    pthread_mutex_unlock(&s->cmu);
    return NULL;
}

/* Whether jobs wait in the queue: a group then may leave its intakes' statistics to a later one
 * (always, for tests that set sq_stats_defer_always). */
static int jobs_queued(struct store *s)
{
    pthread_mutex_lock(&s->mu);
    int n = s->qlen > 0 || sq_stats_defer_always;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* Applies the statistics of intakes earlier groups deferred, in a transaction of their own:
 * before a bulk job, when the writer falls idle (a group that was to apply them rolled back)
 * and at close. Caller holds wlock. 0 or FQ_EIO (they stay pending). */
static int flush_pending(struct store *s)
{
    if (!sq_stats_pending_any(s->stats_pending))
        return 0;
    struct sq_conn *c = &s->w;
    struct store_tx tx = {.s = s, .conn = c, .now = fq_now_ms(), .pending = s->stats_pending};
    int committed = 0;
    if (tx_ctl(c, SQ_BEGIN, "begin") == 0) {
        if (sq_stats_flush(&tx, 0) == 0 && tx_ctl(c, SQ_COMMIT, "commit") == 0)
            committed = 1;
        else if (!sqlite3_get_autocommit(c->db))
            tx_ctl(c, SQ_ROLLBACK, "rollback");
    }
    sq_stats_tx_end(&tx, committed);
    report_changes(s, committed);
    return committed ? 0 : FQ_EIO;
}

void sq_store_forget_pending(struct store *s)
{
    pthread_mutex_lock(&s->wlock);
    sq_stats_pending_forget(s->stats_pending);
    pthread_mutex_unlock(&s->wlock);
}

/* Runs the group's jobs in the open transaction; results[i] gets each one's result. isolate: each
 * job in a savepoint of its own, so a failing job rolls back alone. Otherwise (every job may run
 * again) no savepoints: a job that fails without having changed a row (sqlite3_total_changes,
 * triggers included; a statement that failed took its own changes back) leaves nothing to undo,
 * and one that fails after changing rows stops the run with RUN_AGAIN — the caller rolls the
 * group back and runs it isolated. Whatever a job noted besides rows is undone with it: its
 * recent-case notes (sq_near_rewind) and its statistics deltas (sq_stats_job_end). Returns 0,
 * RUN_AGAIN, or RUN_BROKEN when the transaction cannot go on (the rest get FQ_EIO). */
enum { RUN_OK, RUN_AGAIN, RUN_BROKEN };
static int run_jobs(struct store *s, struct store_tx *tx, struct job *jobs, int *results, int n,
                    int isolate)
{
    struct sq_conn *c = &s->w;
    int i, broken = 0;
    for (i = 0; i < n && !broken; i++) {
        if (isolate && tx_ctl(c, SQ_SAVEPOINT, "savepoint")) {
            broken = 1;
            break;
        }
        int mark = sq_near_mark(s->near);
        sqlite3_int64 changes = sqlite3_total_changes64(c->db);
        int r = jobs[i].fn ? jobs[i].fn(tx, jobs[i].arg) : 0;
        if (r >= 0 && isolate && tx_ctl(c, SQ_RELEASE, "release"))
            r = FQ_EIO;
        if (r < 0 && !isolate && !sqlite3_get_autocommit(c->db) &&
            sqlite3_total_changes64(c->db) != changes)
            return RUN_AGAIN;
        if (r < 0) {
            sq_near_rewind(s->near, mark);
            if (isolate &&
                (tx_ctl(c, SQ_ROLLBACK_TO, "rollback to") || tx_ctl(c, SQ_RELEASE, "release")))
                broken = 1;
        }
        results[i] = r;
        sq_stats_job_end(tx, r >= 0);
        /* An I/O error or a full disk can roll back the whole transaction under us. */
        if (sqlite3_get_autocommit(c->db))
            broken = 1;
    }
    for (; i < n; i++)
        results[i] = FQ_EIO;
    return broken ? RUN_BROKEN : RUN_OK;
}

static void run_group(struct store *s, struct job *jobs, int *results, int n)
{
    struct sq_conn *c = &s->w;
    struct store_tx tx = {.s = s, .conn = c, .now = fq_now_ms(), .pending = s->stats_pending};
    int isolate = 0, run = RUN_BROKEN;
    for (int i = 0; i < n; i++) {
        isolate |= !jobs[i].rerun;
        results[i] = FQ_EIO; /* until its job says otherwise */
    }

    pthread_mutex_lock(&s->wlock);
    tx_owner = s;
    if (tx_ctl(c, SQ_BEGIN, "begin") == 0)
        run = run_jobs(s, &tx, jobs, results, n, isolate);
    if (run == RUN_AGAIN) {
        /* The rare path: undo the whole group, notes and deltas too, and run it job by job. */
        tx_ctl(c, SQ_ROLLBACK, "rollback");
        sq_near_end(s->near, 0);
        tx.stats = NULL; /* as at BEGIN: the statistics journal starts again */
        run = tx_ctl(c, SQ_BEGIN, "begin") ? RUN_BROKEN : run_jobs(s, &tx, jobs, results, n, 1);
    }
    int committed = 0;
    if (run != RUN_OK || sq_stats_flush(&tx, jobs_queued(s)) || tx_ctl(c, SQ_COMMIT, "commit")) {
        if (!sqlite3_get_autocommit(c->db))
            tx_ctl(c, SQ_ROLLBACK, "rollback");
        log_error("store: group of %d jobs rolled back", n);
        for (int i = 0; i < n; i++)
            if (results[i] >= 0)
                results[i] = FQ_EIO;
    } else {
        committed = 1;
    }
    sq_stats_tx_end(&tx, committed);
    report_changes(s, committed); /* after COMMIT, before any done: a 2xx client reads its own write */
    tx_owner = NULL;
    pthread_mutex_unlock(&s->wlock);
    complete(s, jobs, results, n);
}

/* Idle work: index a batch of the cases queued for full-text search in a transaction of its own.
 * Returns 1 while more may be queued. */
static int drain_fts(struct store *s)
{
    struct sq_conn *c = &s->w;
    int n = 0, more = 0, committed = 0;
    pthread_mutex_lock(&s->wlock);
    if (!sq_stats_defer_always)
        flush_pending(s); /* left by a group that rolled back */
    if (tx_ctl(c, SQ_BEGIN, "begin") == 0) {
        int rc = sq_fts_drain(c, FTS_DRAIN_BATCH, &n);
        if (rc == 0 && tx_ctl(c, SQ_COMMIT, "commit") == 0)
            more = n == FTS_DRAIN_BATCH, committed = 1;
        else if (!sqlite3_get_autocommit(c->db))
            tx_ctl(c, SQ_ROLLBACK, "rollback");
    }
    report_changes(s, committed);
    pthread_mutex_unlock(&s->wlock);
    return more;
}

static void *writer_main(void *p)
{
    struct store *s = p;
    pthread_setname_np(pthread_self(), "fq-writer");
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (s->qlen == 0 && !s->closing && s->fts_dirty) {
            pthread_mutex_unlock(&s->mu);
            int more = drain_fts(s);
            pthread_mutex_lock(&s->mu);
            if (!more)
                s->fts_dirty = 0;
        }
        while (s->qlen == 0 && !s->closing)
            pthread_cond_wait(&s->work, &s->mu);
        if (s->qlen == 0) {
            pthread_mutex_unlock(&s->mu);
            break;
        }
        int n = 0;
        while (n < s->group_max && s->qlen > 0) {
            s->batch[n++] = s->q[s->qhead];
            s->qhead = (s->qhead + 1) % QUEUE_CAP;
            s->qlen--;
        }
        s->fts_dirty = 1;
        pthread_mutex_unlock(&s->mu);
        run_group(s, s->batch, s->results, n);
    }
    return NULL;
}

static int submit(struct store *s, store_tx_fn fn, store_done_fn done, void *arg, int rerun)
{
    if (!s || !fn)
        return FQ_EINVAL;
    if (s->readonly)
        return FQ_EBUSY;
    pthread_mutex_lock(&s->mu);
    if (s->closing || s->qlen >= QUEUE_CAP || !s->writer_running) {
        pthread_mutex_unlock(&s->mu);
        return FQ_EBUSY;
    }
    s->q[(s->qhead + s->qlen) % QUEUE_CAP] = (struct job){fn, done, arg, rerun};
    s->qlen++;
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->mu);
    return 0;
}

int store_submit(struct store *s, store_tx_fn fn, store_done_fn done, void *arg)
{
    return submit(s, fn, done, arg, 0);
}

int store_submit_rerun(struct store *s, store_tx_fn fn, store_done_fn done, void *arg)
{
    return submit(s, fn, done, arg, 1);
}

/* store_write: the caller sleeps on its own condition variable until its job is durable. */
struct waiter {
    store_tx_fn fn;
    void *arg;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int finished, rc;
};

static int waiter_fn(struct store_tx *tx, void *arg)
{
    struct waiter *w = arg;
    return w->fn(tx, w->arg);
}

static void waiter_done(void *arg, int rc)
{
    struct waiter *w = arg;
    pthread_mutex_lock(&w->mu);
    w->rc = rc;
    w->finished = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

int store_write(struct store *s, store_tx_fn fn, void *arg)
{
    if (!s || !fn)
        return FQ_EINVAL;
    if (tx_owner == s)
        return FQ_EBUSY; /* called from inside a job: it would wait for itself */
    struct waiter w = {.fn = fn, .arg = arg};
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    int rc = store_submit(s, waiter_fn, waiter_done, &w);
    if (rc == 0) {
        pthread_mutex_lock(&w.mu);
        while (!w.finished)
            pthread_cond_wait(&w.cv, &w.mu);
        rc = w.rc;
        pthread_mutex_unlock(&w.mu);
    }
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.mu);
    return rc;
}

int store_write_bulk(struct store *s, store_tx_fn fn, void *arg)
{
    if (!s || !fn)
        return FQ_EINVAL;
    if (s->readonly || !s->w.db)
        return FQ_EINVAL;
    if (tx_owner == s)
        return FQ_EBUSY;
    /* Holding wlock keeps the writer thread off the connection; queued jobs wait for us. */
    pthread_mutex_lock(&s->wlock);
    if (flush_pending(s)) { /* a bulk job may rewrite the statistics (a rebuild) */
        pthread_mutex_unlock(&s->wlock);
        return FQ_EIO;
    }
    struct sq_conn *c = &s->w;
    struct store_tx tx = {.s = s, .conn = c, .now = fq_now_ms(), .bulk = 1};
    /* Bulk work rewrites the same index pages commit after commit: a bigger page cache keeps
     * them in memory within a transaction, and automatic checkpoints only every 256 MB of WAL
     * (65,536 pages) instead of every 4 MB copy far fewer pages into the database file twice.
     * Not never: a 10 M-case load with no checkpoint grew the WAL to 24 GB. */
    sqlite3_exec(c->db, "PRAGMA cache_size=-262144; PRAGMA wal_autocheckpoint=65536", NULL, NULL, NULL);
    int rc = tx_ctl(c, SQ_BEGIN, "bulk begin");
    if (rc == 0) {
        tx_owner = s;
        rc = fn(&tx, arg);
        tx_owner = NULL;
        if (rc >= 0 && !sqlite3_get_autocommit(c->db))
            rc = sq_case_flush(&tx);
        sq_case_drop(&tx);
        if (sqlite3_get_autocommit(c->db)) {
            if (rc >= 0)
                rc = FQ_EIO; /* the transaction vanished: a failed checkpoint or an I/O error */
        } else if (rc >= 0) {
            if (tx_ctl(c, SQ_COMMIT, "bulk commit")) {
                tx_ctl(c, SQ_ROLLBACK, "bulk rollback");
                rc = FQ_EIO;
            }
        } else {
            tx_ctl(c, SQ_ROLLBACK, "bulk rollback");
        }
    }
    report_changes(s, rc >= 0);
    sqlite3_exec(c->db, "PRAGMA cache_size=-16384; PRAGMA wal_autocheckpoint=" WAL_CHECKPOINT_PAGES,
                 NULL, NULL, NULL);
    if (rc >= 0)
        sqlite3_exec(c->db, "PRAGMA wal_checkpoint(PASSIVE)", NULL, NULL, NULL); /* never waits for readers */
    pthread_mutex_unlock(&s->wlock);
    return rc;
}

int store_tx_checkpoint(struct store_tx *tx)
{
    if (!tx || !tx->bulk)
        return FQ_EINVAL; /* a group's jobs cannot commit on their own */
    struct sq_conn *c = tx->conn;
    int failed = sq_case_flush(tx);
    if (failed)
        return failed;
    failed = tx_ctl(c, SQ_COMMIT, "checkpoint commit");
    if (failed && !sqlite3_get_autocommit(c->db))
        tx_ctl(c, SQ_ROLLBACK, "checkpoint rollback");
    report_changes(tx->s, !failed);
    if (failed)
        return FQ_EIO;
    tx->now = fq_now_ms();
    return tx_ctl(c, SQ_BEGIN, "checkpoint begin") ? FQ_EIO : 0;
}

int64_t store_tx_now(struct store_tx *tx)
{
    return tx ? tx->now : fq_now_ms();
}

/* ---- open and close ---- */

static void rd_free(struct store_rd *rd)
{
    if (!rd)
        return;
    sq_ref_free(rd->ref);
    sq_conn_close(&rd->conn);
    free(rd);
}

/* A thread that exits gives its read connection back. */
static void rd_thread_exit(void *p)
{
    struct store_rd *rd = p;
    struct store *s = rd->s;
    pthread_mutex_lock(&s->rd_mu);
    for (struct store_rd **pp = &s->rds; *pp; pp = &(*pp)->next)
        if (*pp == rd) {
            *pp = rd->next;
            break;
        }
    pthread_mutex_unlock(&s->rd_mu);
    rd_free(rd);
}

/* One process at a time may defer statistics on a database: the one holding an exclusive flock
 * on <db>-statslock (released by the kernel when it dies, kill -9 included). Only it restores
 * what a crash left deferred — another process restoring while the owner lives would count its
 * pending intakes twice; a process without the lock applies its statistics in every commit, as
 * before deferral existed. Returns the fd, or -1. */
static int stats_lock_take(const char *path)
{
    size_t n = strlen(path) + sizeof "-statslock";
    char *lp = malloc(n);
    if (!lp)
        return -1;
    snprintf(lp, n, "%s-statslock", path);
    int fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    free(lp);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Takes the deferral lock; with it, creates the store's pending intakes and restores those a
 * crash left deferred (sq_stats_recover), before any job runs. */
static int recover_stats(struct store *s, struct fq_error *e)
{
    struct sq_conn *c = &s->w;
    if ((s->stats_lock = stats_lock_take(s->path)) < 0) {
        log_info("store: another process defers statistics on %s: this one applies them at once",
                 s->path);
        return 0;
    }
    if (!(s->stats_pending = sq_stats_pending_new()))
        return fq_fail(e, FQ_ENOMEM, NULL, NULL, "out of memory");
    int n = 0, rc = tx_ctl(c, SQ_BEGIN, "begin");
    if (rc == 0 && (rc = sq_stats_recover(c, &n)) == 0)
        rc = tx_ctl(c, SQ_COMMIT, "commit");
    if (rc) {
        if (!sqlite3_get_autocommit(c->db))
            tx_ctl(c, SQ_ROLLBACK, "rollback");
        return fq_fail(e, FQ_EIO, "storage_error", NULL,
                       "cannot restore the statistics of deferred intakes");
    }
    if (n)
        log_info("store: statistics of %d deferred intakes restored", n);
    return 0;
}

int store_open(const struct store_opts *opts, struct store **out, struct fq_error *e)
{
    int rc = 0;
    struct store *s = NULL;
    *out = NULL;
    if (!opts || !opts->path || !*opts->path)
        return fq_fail(e, FQ_EINVAL, "invalid", "path", "no database path given");
    if (opts->readonly && opts->create)
        return fq_fail(e, FQ_EINVAL, "invalid", "path", "cannot create a database read-only");

    struct stat sb;
    if (stat(opts->path, &sb) != 0) {
        if (errno == ENOENT && !opts->create)
            return fq_fail(e, FQ_ENOTFOUND, "not_found", "path",
                           "database %s does not exist (create it with `fengqiao init`)",
                           opts->path);
        if (errno != ENOENT)
            return fq_fail(e, FQ_EIO, "storage_error", "path", "cannot access %s: %s", opts->path,
                           strerror(errno));
    } else if (!S_ISREG(sb.st_mode)) {
        return fq_fail(e, FQ_EINVAL, "invalid", "path", "%s is not a regular file", opts->path);
    }

    s = calloc(1, sizeof *s);
    if (!s)
        return fq_fail(e, FQ_ENOMEM, NULL, NULL, "out of memory");
    s->stats_lock = -1;
    pthread_mutex_init(&s->wlock, NULL);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->work, NULL);
    pthread_mutex_init(&s->rd_mu, NULL);
    pthread_mutex_init(&s->cmu, NULL);
    pthread_cond_init(&s->cwork, NULL);
    pthread_cond_init(&s->cspace, NULL);
    s->readonly = opts->readonly;
    s->group_max = opts->group_max > 0 ? opts->group_max : GROUP_MAX_DEFAULT;
    if (s->group_max > QUEUE_CAP)
        s->group_max = QUEUE_CAP;
    s->path = strdup(opts->path);
    if (!s->path) {
        rc = fq_fail(e, FQ_ENOMEM, NULL, NULL, "out of memory");
        goto fail;
    }
    if (pthread_key_create(&s->rd_key, rd_thread_exit) != 0) {
        rc = fq_fail(e, FQ_EIO, "storage_error", NULL, "out of thread keys");
        goto fail;
    }
    s->rd_key_ok = 1;

    if (s->readonly) {
        struct sq_conn c;
        if ((rc = sq_conn_open(&c, s->path, 0, 0, e)))
            goto fail;
        rc = migrate(c.db, 1, e);
        sq_conn_close(&c);
        if (rc)
            goto fail;
    } else {
        if ((rc = sq_conn_open(&s->w, s->path, 1, opts->create, e)))
            goto fail;
        if ((rc = migrate(s->w.db, 0, e)))
            goto fail;
        for (int i = 0; i < NCHILDREN; i++)
            s->child_col[i] = column_index(s->w.db, case_children[i].table, case_children[i].column);
        s->near_col[0] = column_index(s->w.db, "cases", "division");
        s->near_col[1] = column_index(s->w.db, "cases", "created_at");
        s->party_col[0] = column_index(s->w.db, "parties", "id_bidx");
        s->party_col[1] = column_index(s->w.db, "parties", "phone_bidx");
        if ((rc = recover_stats(s, e)))
            goto fail;
        s->near = sq_near_new(); /* NULL: store_case_ids_near stays SQL */
        sqlite3_preupdate_hook(s->w.db, on_preupdate, s);
        s->q = malloc(QUEUE_CAP * sizeof *s->q);
        s->batch = malloc((size_t)s->group_max * sizeof *s->batch);
        s->results = malloc((size_t)s->group_max * sizeof *s->results);
        s->cqcap = QUEUE_CAP; /* ≥ group_max */
        s->cq = malloc(s->cqcap * sizeof *s->cq);
        if (!s->q || !s->batch || !s->results || !s->cq) {
            rc = fq_fail(e, FQ_ENOMEM, NULL, NULL, "out of memory");
            goto fail;
        }
        s->fts_dirty = 1; /* whatever a bulk load or a crash left queued */
        if (pthread_create(&s->completer, NULL, completer_main, s) != 0) {
            rc = fq_fail(e, FQ_EIO, "storage_error", NULL, "cannot start the completion thread");
            goto fail;
        }
        s->completer_running = 1;
        if (pthread_create(&s->writer, NULL, writer_main, s) != 0) {
            rc = fq_fail(e, FQ_EIO, "storage_error", NULL, "cannot start the writer thread");
            goto fail;
        }
        s->writer_running = 1;
    }
    *out = s;
    return 0;
fail:
    store_close(s);
    return rc ? rc : FQ_EIO;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    if (s->writer_running) {
        pthread_mutex_lock(&s->mu);
        s->closing = 1;
        pthread_cond_broadcast(&s->work);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->writer, NULL); /* the writer drains the queue first */
    }
    if (s->completer_running) {
        pthread_mutex_lock(&s->cmu);
        s->cclosing = 1;
        pthread_cond_broadcast(&s->cwork);
        pthread_mutex_unlock(&s->cmu);
        pthread_join(s->completer, NULL); /* after the writer: it runs every completion first */
    }
    if (s->rd_key_ok) {
        pthread_setspecific(s->rd_key, NULL);
        pthread_key_delete(s->rd_key); /* no thread-exit destructor runs after this */
    }
    pthread_mutex_lock(&s->rd_mu);
    struct store_rd *rd = s->rds;
    s->rds = NULL;
    pthread_mutex_unlock(&s->rd_mu);
    while (rd) {
        struct store_rd *next = rd->next;
        rd_free(rd);
        rd = next;
    }
    if (s->w.db) {
        pthread_mutex_lock(&s->wlock);
        if (flush_pending(s)) /* normally none: the writer's last group applied them */
            log_error("store: statistics of deferred intakes not applied (restored at next open)");
        pthread_mutex_unlock(&s->wlock);
        /* Refresh planner statistics where they went stale, and leave a clean file behind:
         * fold the WAL back into the database. */
        sqlite3_exec(s->w.db, "PRAGMA optimize", NULL, NULL, NULL);
        sqlite3_wal_checkpoint_v2(s->w.db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
        sq_conn_close(&s->w);
    }
    free(s->changes);
    sq_near_free(s->near);
    sq_stats_pending_free(s->stats_pending);
    if (s->stats_lock >= 0)
        close(s->stats_lock); /* after the last statistics were applied */
    free(s->q);
    free(s->batch);
    free(s->results);
    free(s->cq);
    free(s->path);
    pthread_mutex_destroy(&s->rd_mu);
    pthread_cond_destroy(&s->cwork);
    pthread_cond_destroy(&s->cspace);
    pthread_mutex_destroy(&s->cmu);
    pthread_cond_destroy(&s->work);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->wlock);
    free(s);
}

/* ---- reads ---- */

uint64_t sq_ref_generation(struct store *s)
{
    return atomic_load(&s->ref_gen);
}

struct store_rd *store_rd(struct store *s)
{
    if (!s)
        return NULL;
    struct store_rd *rd = pthread_getspecific(s->rd_key);
    if (rd)
        return rd;
    rd = calloc(1, sizeof *rd);
    if (!rd)
        return NULL;
    struct fq_error e = {0};
    if (sq_conn_open(&rd->conn, s->path, 0, 0, &e)) {
        free(rd);
        return NULL;
    }
    rd->s = s;
    if (pthread_setspecific(s->rd_key, rd) != 0) {
        rd_free(rd);
        return NULL;
    }
    pthread_mutex_lock(&s->rd_mu);
    rd->next = s->rds;
    s->rds = rd;
    pthread_mutex_unlock(&s->rd_mu);
    return rd;
}

int store_rd_begin(struct store_rd *rd)
{
    if (!rd)
        return FQ_EIO;
    if (rd->depth++ || !sqlite3_get_autocommit(rd->conn.db))
        return 0;
    sq_ref_refresh(rd); /* divisions and grids current as of now, before the snapshot */
    /* BEGIN DEFERRED takes its snapshot at the first read anyway: run it with the first
     * statement (lazy_begin), so that a scope answered from memory costs no BEGIN/COMMIT */
    rd->conn.lazy_begin = 1;
    rd->conn.lazy_open = 0;
    return 0;
}

void store_rd_end(struct store_rd *rd)
{
    if (!rd || rd->depth <= 0 || --rd->depth)
        return;
    rd->conn.lazy_begin = 0;
    if (!rd->conn.lazy_open)
        return;
    rd->conn.lazy_open = 0;
    if (!sqlite3_get_autocommit(rd->conn.db))
        sq_exec_stmt(&rd->conn, sq_stmt(&rd->conn, SQ_COMMIT), "read end");
}

/* ---- maintenance ---- */

int store_integrity_check(struct store_rd *rd, struct fq_error *e)
{
    if (!rd)
        return fq_fail(e, FQ_EINVAL, "invalid", NULL, "no connection");
    sqlite3_stmt *st = NULL;
    int ret = 0;
    int rc = sqlite3_prepare_v2(rd->conn.db, "PRAGMA integrity_check", -1, &st, NULL);
    if (rc != SQLITE_OK) {
        ret = fq_fail(e, FQ_EIO, "storage_error", NULL, "integrity check: %s",
                      sqlite3_errmsg(rd->conn.db));
        goto done;
    }
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        ret = fq_fail(e, FQ_EIO, "storage_error", NULL, "integrity check: %s",
                      sqlite3_errmsg(rd->conn.db));
        goto done;
    }
    const char *first = (const char *)sqlite3_column_text(st, 0);
    if (!first || strcmp(first, "ok")) {
        ret = fq_fail(e, FQ_EIO, "integrity", NULL, "integrity check: %s",
                      first ? first : "no answer");
        goto done;
    }
    sqlite3_finalize(st);
    st = NULL;
    rc = sqlite3_prepare_v2(rd->conn.db, "PRAGMA foreign_key_check", -1, &st, NULL);
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *table = (const char *)sqlite3_column_text(st, 0);
        ret = fq_fail(e, FQ_EIO, "integrity", NULL,
                      "foreign key violation in %s (row %lld refers to a missing %s)",
                      table ? table : "?", (long long)sqlite3_column_int64(st, 1),
                      sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "?");
    }
done:
    sqlite3_finalize(st);
    return ret;
}

int store_backup(struct store *s, const char *path,
                 void (*progress)(int done, int total, void *arg), void *arg, struct fq_error *e)
{
    struct sq_conn src = {0};
    sqlite3 *dst = NULL;
    sqlite3_backup *b = NULL;
    int ret = 0, created = 0;
    if (!s || !path || !*path)
        return fq_fail(e, FQ_EINVAL, "invalid", "path", "no backup path given");

    /* O_EXCL: never overwrite, even racing another backup. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0640);
    if (fd < 0) {
        if (errno == EEXIST)
            return fq_fail(e, FQ_ECONFLICT, "exists", "path", "%s already exists", path);
        return fq_fail(e, FQ_EIO, "storage_error", "path", "cannot create %s: %s", path,
                       strerror(errno));
    }
    close(fd);
    created = 1;

    if ((ret = sq_conn_open(&src, s->path, 0, 0, e)))
        goto done;
    if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        ret = fq_fail(e, FQ_EIO, "storage_error", "path", "cannot open %s: %s", path,
                      dst ? sqlite3_errmsg(dst) : "out of memory");
        goto done;
    }
    /* One read transaction over the whole copy: a consistent snapshot that concurrent commits
     * (WAL) neither block nor restart. */
    if (exec_sql(src.db, "BEGIN; SELECT count(*) FROM sqlite_schema;", e)) {
        ret = FQ_EIO;
        goto done;
    }
    b = sqlite3_backup_init(dst, "main", src.db, "main");
    if (!b) {
        ret = fq_fail(e, FQ_EIO, "storage_error", NULL, "backup: %s", sqlite3_errmsg(dst));
        goto done;
    }
    for (;;) {
        int rc = sqlite3_backup_step(b, 256);
        int total = sqlite3_backup_pagecount(b);
        if (progress)
            progress(total - sqlite3_backup_remaining(b), total, arg);
        if (rc == SQLITE_DONE)
            break;
        if (rc == SQLITE_OK)
            continue;
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
            continue;
        }
        ret = fq_fail(e, FQ_EIO, "storage_error", NULL, "backup: %s", sqlite3_errstr(rc));
        goto done;
    }
    if (sqlite3_backup_finish(b) != SQLITE_OK) {
        b = NULL;
        ret = fq_fail(e, FQ_EIO, "storage_error", NULL, "backup: %s", sqlite3_errmsg(dst));
        goto done;
    }
    b = NULL;
done:
    if (b)
        sqlite3_backup_finish(b);
    if (src.db)
        sqlite3_exec(src.db, "COMMIT", NULL, NULL, NULL);
    sq_conn_close(&src);
    if (dst && sqlite3_close(dst) != SQLITE_OK && !ret)
        ret = fq_fail(e, FQ_EIO, "storage_error", NULL, "backup close: %s", sqlite3_errmsg(dst));
    if (ret && created) {
        unlink(path);
        char side[4096];
        snprintf(side, sizeof side, "%s-wal", path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", path);
        unlink(side);
    }
    return ret;
}
