/* Reference figures for bench/run, measured on the same disk as the benchmark database:
 *
 *   fsync      pwrite 4 KiB + fdatasync, one after another (what one durable commit costs)
 *   bare/G     SQLite WAL, synchronous=FULL: a 200-byte row per job, G jobs per commit
 *   intake/G   the statements the store runs for one case intake (SAVEPOINT, idempotency lookup,
 *              daily sequence upsert, case insert, event insert, case update, idempotency insert,
 *              case read-back, RELEASE) against the real schema of a `fengqiao init` database
 *              (with its triggers: the full-text index, when built with -DFQ_TOKENIZER and
 *              src/store/fts_tokenizer.c), G jobs per commit: the ceiling of the writer thread's
 *              SQL with no HTTP, JSON, hashing or duplicate detection
 *   -nofts     the same without the full-text index's triggers on cases
 *   lean/G     the same case written once: no UPDATE of the row just inserted, no read-back, the
 *              daily sequence kept by the writer and stored without RETURNING (what intake could be)
 *   +reader    intake/512 while a second thread runs point reads (case by code, division by code)
 *              on its own connection, as the HTTP threads do; run once with SQLite's default
 *              memory statistics (a global mutex around every sqlite3_malloc) and once with
 *              SQLITE_CONFIG_MEMSTATUS off (--memstatus=0)
 *
 * Usage: sqlite_ref DIR [FENGQIAO_INIT_DB [--contended] [--memstatus=0]]
 *        (DIR: scratch directory on the disk under test)
 * Every loop is bounded by a row count and by SECONDS of wall time. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef FQ_TOKENIZER /* bench/run builds with the program's FTS5 tokenizer when it has one */
#include "store/fts_tokenizer.h"
#endif

#define SECONDS 4.0

static int memstatus = 1;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(sqlite3 *db, const char *what)
{
    fprintf(stderr, "sqlite_ref: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
    exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "sqlite_ref: %s: %s\n", sql, err ? err : "?");
        exit(1);
    }
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        die(db, sql);
    return st;
}

static void step(sqlite3 *db, sqlite3_stmt *st, const char *what)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    if (rc != SQLITE_DONE)
        die(db, what);
    sqlite3_reset(st);
}

static sqlite3 *open_db(const char *path)
{
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL))
        die(db, "open");
    exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
             " PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16384;");
#ifdef FQ_TOKENIZER
    if (fts_tokenizer_register(db))
        die(db, "register the fq_cjk tokenizer");
#endif
    return db;
}

static void fsync_ref(const char *dir)
{
    char path[4096], block[4096];
    snprintf(path, sizeof path, "%s/fsync.bin", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        perror(path);
        exit(1);
    }
    memset(block, 'x', sizeof block);
    long n = 0;
    double t0 = now_s(), t;
    do {
        if (pwrite(fd, block, sizeof block, (off_t)(n % 64) * 4096) != (ssize_t)sizeof block || fdatasync(fd)) {
            perror("fdatasync");
            exit(1);
        }
        n++;
    } while (n < 20000 && (t = now_s() - t0) < SECONDS / 2);
    t = now_s() - t0;
    close(fd);
    unlink(path);
    printf("fsync      %8.0f /s   (pwrite 4 KiB + fdatasync: %.0f us each, %ld rounds)\n", n / t, t / n * 1e6, n);
}

static void bare(const char *dir, int group)
{
    char path[4096], text[201];
    snprintf(path, sizeof path, "%s/bare-%d.db", dir, group);
    unlink(path);
    sqlite3 *db = open_db(path);
    exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    sqlite3_stmt *ins = prep(db, "INSERT INTO t(body) VALUES (?1)");
    memset(text, 'a', 200);
    text[200] = 0;
    long n = 0, commits = 0;
    double t0 = now_s();
    while (n < 2000000 && now_s() - t0 < SECONDS) {
        exec(db, "BEGIN IMMEDIATE");
        for (int i = 0; i < group; i++, n++) {
            sqlite3_bind_text(ins, 1, text, 200, SQLITE_STATIC);
            step(db, ins, "insert");
        }
        exec(db, "COMMIT");
        commits++;
    }
    double t = now_s() - t0;
    printf("bare/%-5d %8.0f rows/s (%ld rows, %ld commits, %.0f us per commit)\n", group, n / t, n, commits,
           t / commits * 1e6);
    sqlite3_finalize(ins);
    sqlite3_close(db);
    char side[4200];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

#define MUT_COLS                                                                                   \
    "channel, kind, grade, level, status, light, category, division, grid, centre, title, "        \
    "description, address, lat, lon, has_location, people_count, updated_at, due_at, warn_at, "   \
    "resolved_at, closed_at, archived_at, urge_count, supervised, escalations, returns, reopens, " \
    "lead_department, result, method, success, satisfaction, staff_score, followed_up, "           \
    "repeat_of, event_seq, last_hash, contact_enc"

/* Binds the 39 mutable columns the way the store does (most are defaults for a new case). */
static void bind_mut(sqlite3_stmt *st, long k, const unsigned char *hash)
{
    static const char *title = "小区楼道堆放杂物，存在消防隐患";
    static const char *desc = "市民来电反映：小区3号楼楼道长期堆放杂物和电动车，堵塞消防通道，"
                              "多次向物业反映未果，请相关部门尽快处理。";
    int i = 1;
    sqlite3_bind_int(st, i++, 2);                     /* channel */
    sqlite3_bind_int(st, i++, 0);                     /* kind */
    sqlite3_bind_int(st, i++, 0);                     /* grade */
    sqlite3_bind_int(st, i++, 2);                     /* level */
    sqlite3_bind_int(st, i++, 0);                     /* status */
    sqlite3_bind_int(st, i++, 0);                     /* light */
    sqlite3_bind_text(st, i++, "", 0, SQLITE_STATIC); /* category */
    sqlite3_bind_text(st, i++, "330102001001", 12, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, "", 0, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, "330102000000", 12, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, desc, -1, SQLITE_STATIC);
    sqlite3_bind_null(st, i++);                       /* address */
    sqlite3_bind_double(st, i++, 0);
    sqlite3_bind_double(st, i++, 0);
    sqlite3_bind_int(st, i++, 0);
    sqlite3_bind_int(st, i++, 1);
    for (int j = 0; j < 6; j++)                       /* updated_at .. archived_at */
        sqlite3_bind_int64(st, i++, j < 3 ? 1760000000000 + k : 0);
    for (int j = 0; j < 6; j++)                       /* urge_count .. lead_department */
        sqlite3_bind_int(st, i++, 0);
    sqlite3_bind_null(st, i++);                       /* result */
    sqlite3_bind_text(st, i++, "", 0, SQLITE_STATIC); /* method */
    sqlite3_bind_int(st, i++, -1);                    /* success */
    for (int j = 0; j < 4; j++)                       /* satisfaction .. repeat_of */
        sqlite3_bind_int(st, i++, 0);
    sqlite3_bind_int(st, i++, hash ? 1 : 0);          /* event_seq */
    if (hash)
        sqlite3_bind_blob(st, i++, hash, 32, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i++);
    sqlite3_bind_null(st, i++);                       /* contact_enc */
}

struct reader {
    const char *path;
    atomic_int stop;
    long reads;
};

/* Point reads on its own connection, like an HTTP thread serving GET /api/v1/cases/:code. */
static void *reader_main(void *p)
{
    struct reader *r = p;
    sqlite3 *db;
    if (sqlite3_open_v2(r->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL))
        die(db, "reader open");
    exec(db, "PRAGMA mmap_size=268435456");
    sqlite3_stmt *c = prep(db, "SELECT * FROM cases WHERE code = ?1");
    sqlite3_stmt *d = prep(db, "SELECT code, name, level, parent FROM divisions WHERE code = ?1");
    while (!atomic_load(&r->stop) && r->reads < 50000000) {
        char code[24];
        snprintf(code, sizeof code, "33010220260101%06ld", r->reads % 1000);
        sqlite3_bind_text(c, 1, code, -1, SQLITE_TRANSIENT);
        step(db, c, "read case");
        sqlite3_bind_text(d, 1, "330102001001", 12, SQLITE_STATIC);
        step(db, d, "read division");
        r->reads++;
    }
    sqlite3_finalize(c);
    sqlite3_finalize(d);
    sqlite3_close(db);
    return NULL;
}

static int intake(const char *dir, const char *initdb, int group, int lean, int with_reader, int nofts)
{
    char path[4096], cmd[9000];
    snprintf(path, sizeof path, "%s/intake-%d-%d%d%d.db", dir, group, lean, with_reader, nofts);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", initdb, path);
    if (system(cmd) != 0)
        return -1;
    sqlite3 *db = open_db(path);
    if (nofts) /* the same without the full-text index's triggers on cases */
        exec(db, "DROP TRIGGER IF EXISTS case_fts_insert; DROP TRIGGER IF EXISTS case_fts_update;");
    sqlite3_stmt *sp = prep(db, "SAVEPOINT job"), *rel = prep(db, "RELEASE job");
    sqlite3_stmt *idem_get = prep(db, "SELECT code FROM idempotency WHERE user_id = ?1 AND key = ?2");
    sqlite3_stmt *seq = prep(db, "INSERT INTO case_seq(county, day, last) VALUES (?1, ?2, 1) "
                                 "ON CONFLICT (county, day) DO UPDATE SET last = last + 1 RETURNING last");
    sqlite3_stmt *ins = prep(db, "INSERT INTO cases(" MUT_COLS ", code, county, created_by, created_at) VALUES ("
                                 "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                                 "?,?,?,?)");
    sqlite3_stmt *ev = prep(db, "INSERT INTO events(case_id, county, seq, at, actor_id, actor_name, action, "
                                "from_status, to_status, payload, prev_hash, hash) VALUES (?1, "
                                "(SELECT county FROM cases WHERE id = ?1), 1, ?2, 7, '受理员', 0, 0, 0, ?3, ?4, ?5)");
    sqlite3_stmt *upd = prep(db, "UPDATE cases SET channel=?, kind=?, grade=?, level=?, status=?, light=?, "
                                 "category=?, division=?, grid=?, centre=?, title=?, description=?, address=?, "
                                 "lat=?, lon=?, has_location=?, people_count=?, updated_at=?, due_at=?, warn_at=?, "
                                 "resolved_at=?, closed_at=?, archived_at=?, urge_count=?, supervised=?, "
                                 "escalations=?, returns=?, reopens=?, lead_department=?, result=?, method=?, "
                                 "success=?, satisfaction=?, staff_score=?, followed_up=?, repeat_of=?, "
                                 "event_seq=?, last_hash=?, contact_enc=? WHERE id = ?");
    sqlite3_stmt *idem_put = prep(db, "INSERT INTO idempotency(user_id, key, code, county, created_at) "
                                      "VALUES (?1, ?2, ?3, substr(?3, 1, 6), ?4)");
    sqlite3_stmt *get = prep(db, "SELECT * FROM cases WHERE id = ?1");
    sqlite3_stmt *seq_put = prep(db, "INSERT INTO case_seq(county, day, last) VALUES (?1, ?2, ?3) "
                                     "ON CONFLICT (county, day) DO UPDATE SET last = excluded.last");
    struct reader rd = {.path = path};
    pthread_t rt;
    if (with_reader && pthread_create(&rt, NULL, reader_main, &rd))
        return -1;
    unsigned char zero[32] = {0}, hash[32];
    memset(hash, 0xab, sizeof hash);
    const char *payload = "{\"channel\":\"hotline_12345\",\"code\":\"33010220260101000001X\",\"division\":"
                          "\"330102001001\",\"parties\":0,\"title\":\"小区楼道堆放杂物，存在消防隐患\"}";
    long n = 0, commits = 0;
    double t0 = now_s();
    while (n < 900000 && now_s() - t0 < SECONDS) {
        exec(db, "BEGIN IMMEDIATE");
        for (int i = 0; i < group; i++, n++) {
            char key[32], code[24];
            snprintf(key, sizeof key, "bench-%ld", n);
            step(db, sp, "savepoint");
            sqlite3_bind_int64(idem_get, 1, 7);
            sqlite3_bind_text(idem_get, 2, key, -1, SQLITE_STATIC);
            step(db, idem_get, "idem get");
            if (lean) { /* the writer owns the counter; it only has to be stored */
                sqlite3_bind_text(seq_put, 1, "330102", 6, SQLITE_STATIC);
                sqlite3_bind_int64(seq_put, 2, 20000);
                sqlite3_bind_int64(seq_put, 3, n + 1);
                step(db, seq_put, "seq put");
            } else {
                sqlite3_bind_text(seq, 1, "330102", 6, SQLITE_STATIC);
                sqlite3_bind_int64(seq, 2, 20000);
                step(db, seq, "seq");
            }
            snprintf(code, sizeof code, "33010220260101%06ld", n % 1000000);
            bind_mut(ins, n, lean ? hash : NULL); /* lean: the event is hashed before the insert */
            sqlite3_bind_text(ins, 40, code, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 41, "330102", 6, SQLITE_STATIC);
            sqlite3_bind_int64(ins, 42, 7);
            sqlite3_bind_int64(ins, 43, 1760000000000 + n);
            step(db, ins, "case insert");
            sqlite3_int64 id = sqlite3_last_insert_rowid(db);
            sqlite3_bind_int64(ev, 1, id);
            sqlite3_bind_int64(ev, 2, 1760000000000 + n);
            sqlite3_bind_text(ev, 3, payload, -1, SQLITE_STATIC);
            sqlite3_bind_blob(ev, 4, zero, 32, SQLITE_STATIC);
            sqlite3_bind_blob(ev, 5, hash, 32, SQLITE_STATIC);
            step(db, ev, "event insert");
            if (!lean) {
                bind_mut(upd, n, hash);
                sqlite3_bind_int64(upd, 40, id);
                step(db, upd, "case update");
            }
            sqlite3_bind_int64(idem_put, 1, 7);
            sqlite3_bind_text(idem_put, 2, key, -1, SQLITE_STATIC);
            sqlite3_bind_text(idem_put, 3, code, -1, SQLITE_STATIC);
            sqlite3_bind_int64(idem_put, 4, 1760000000000 + n);
            step(db, idem_put, "idem put");
            if (!lean) {
                sqlite3_bind_int64(get, 1, id);
                step(db, get, "case get");
            }
            step(db, rel, "release");
        }
        exec(db, "COMMIT");
        commits++;
    }
    double t = now_s() - t0;
    if (with_reader) {
        atomic_store(&rd.stop, 1);
        pthread_join(rt, NULL);
    }
    char label[32];
    snprintf(label, sizeof label, "%s%s/%d%s", lean ? "lean" : "intake", nofts ? "-nofts" : "", group,
             with_reader ? "+reader" : "");
    printf("%-17s%7.0f cases/s (%ld cases, %ld commits, %.0f us per commit, %.1f us per case)", label, n / t, n,
           commits, t / commits * 1e6, t / n * 1e6);
    if (with_reader)
        printf(", reader %.0f reads/s, memstatus %s", rd.reads / t, memstatus ? "on (default)" : "off");
    printf("\n");
    sqlite3_stmt *all[] = {sp, rel, idem_get, seq, ins, ev, upd, idem_put, get, seq_put};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        sqlite3_finalize(all[i]);
    sqlite3_close(db);
    char side[4200];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    return 0;
}

int main(int argc, char **argv)
{
    int contended = 0;
    const char *dir = NULL, *initdb = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--contended"))
            contended = 1;
        else if (!strcmp(argv[i], "--memstatus=0"))
            memstatus = 0;
        else if (!dir)
            dir = argv[i];
        else
            initdb = argv[i];
    }
    if (!dir) {
        fprintf(stderr, "usage: sqlite_ref DIR [FENGQIAO_INIT_DB [--contended] [--memstatus=0]]\n");
        return 2;
    }
    if (!memstatus && sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK) {
        fprintf(stderr, "sqlite_ref: cannot turn memory statistics off\n");
        return 1;
    }
    if (contended) {
        if (initdb)
            intake(dir, initdb, 512, 0, 1, 0);
        return 0;
    }
    printf("SQLite %s, WAL, synchronous=FULL, up to %.0f s per line\n", sqlite3_libversion(), SECONDS);
    fsync_ref(dir);
    bare(dir, 1);
    bare(dir, 100);
    bare(dir, 512);
    if (initdb) {
        intake(dir, initdb, 1, 0, 0, 0);
        intake(dir, initdb, 64, 0, 0, 0);
        intake(dir, initdb, 512, 0, 0, 0);
        intake(dir, initdb, 512, 1, 0, 0);
        intake(dir, initdb, 512, 0, 0, 1);
        intake(dir, initdb, 512, 1, 0, 1);
    }
    return 0;
}
