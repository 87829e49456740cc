/* Internals of the SQLite backend, shared by store/sqlite*.c and by nothing else.
 *
 * A connection (struct sq_conn) carries its own cache of prepared statements: every fixed
 * statement has an id in SQ_STATEMENTS below and is prepared once per connection, on first use,
 * with SQLITE_PREPARE_PERSISTENT; the few statements built from a filter (the case list) are
 * cached by their text. Every function that steps a statement resets it before returning, so no
 * read transaction outlives a call and the WAL can always be checkpointed. */
#ifndef FQ_STORE_SQLITE_INT_H
#define FQ_STORE_SQLITE_INT_H

#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

#include "store/store.h"

/* Case columns the writer may change, in bind order (see sq_bind_case_mutable). */
#define SQ_CASE_MUT_COLS                                                                           \
    "channel, kind, grade, level, status, light, category, division, grid, centre, title, "        \
    "description, address, lat, lon, has_location, people_count, updated_at, due_at, warn_at, "    \
    "resolved_at, closed_at, archived_at, urge_count, supervised, escalations, returns, reopens, " \
    "lead_department, result, method, success, satisfaction, staff_score, followed_up, "           \
    "repeat_of, event_seq, last_hash, contact_enc"
#define SQ_CASE_MUT_N 39
/* Columns read into a struct fq_case, in sq_read_case order. */
#define SQ_CASE_COLS "id, code, county, created_by, created_at, " SQ_CASE_MUT_COLS

#define SQ_Q10 "?,?,?,?,?,?,?,?,?,?"
/* store_tx_case_update writes the columns that change with nearly every action, and three groups
 * that carry indexes or a trigger only when one of their columns changed: the state (status,
 * light, due_at, warn_at: the status index and the three partial indexes of open cases), the
 * place (category, division: three indexes, and the search area) and the text (title,
 * description: the search index's trigger). SQLite updates an index entry whenever a column it
 * covers is SET, changed or not. Parameters are numbered as bind_case_mutable binds them; ?40
 * is the id. Every mutable column is in exactly one of the four lists. */
#define SQ_CASE_SET_BASE                                                                           \
    "channel=?1, kind=?2, grade=?3, level=?4, grid=?9, centre=?10, address=?13, lat=?14, "         \
    "lon=?15, has_location=?16, people_count=?17, updated_at=?18, resolved_at=?21, "               \
    "closed_at=?22, archived_at=?23, urge_count=?24, supervised=?25, escalations=?26, "            \
    "returns=?27, reopens=?28, lead_department=?29, result=?30, method=?31, success=?32, "         \
    "satisfaction=?33, staff_score=?34, followed_up=?35, repeat_of=?36, event_seq=?37, "           \
    "last_hash=?38, contact_enc=?39"
#define SQ_CASE_SET_STATE ", status=?5, light=?6, due_at=?19, warn_at=?20"
#define SQ_CASE_SET_PLACE ", category=?7, division=?8"
#define SQ_CASE_SET_TEXT ", title=?11, description=?12"
#define SQ_CASE_UPDATE_SQL(groups) "UPDATE cases SET " SQ_CASE_SET_BASE groups " WHERE id = ?40"

#define SQ_EVENT_COLS                                                                              \
    "id, case_id, seq, at, actor_id, actor_name, action, from_status, to_status, payload, "        \
    "prev_hash, hash"
#define SQ_ASSIGN_COLS                                                                             \
    "id, case_id, department_id, role, status, assigned_at, deadline, accepted_at, resolved_at, "  \
    "result"
#define SQ_USER_COLS                                                                               \
    "id, username, display_name, pw_hash, roles, division, department_id, failed_logins, "         \
    "locked_until, disabled, created_at"
#define SQ_DEPT_COLS "id, kind, name, division, level, presence, active"
/* The county of the case bound as ?1, for the county column of its side rows. */
#define SQ_COUNTY_OF_1 "(SELECT county FROM cases WHERE id = ?1)"

/* Every fixed statement: X(id, sql). */
#define SQ_STATEMENTS(X)                                                                           \
    X(BEGIN, "BEGIN IMMEDIATE")                                                                    \
    X(COMMIT, "COMMIT")                                                                            \
    X(ROLLBACK, "ROLLBACK")                                                                        \
    X(SAVEPOINT, "SAVEPOINT job")                                                                  \
    X(RELEASE, "RELEASE job")                                                                      \
    X(ROLLBACK_TO, "ROLLBACK TO job")                                                              \
    X(CASE_SEQ_NEXT, "INSERT INTO case_seq(county, day, last) VALUES (?1, ?2, 1) "                 \
                     "ON CONFLICT (county, day) DO UPDATE SET last = last + 1 RETURNING last")     \
    X(CASE_SEQ_SET, "UPDATE case_seq SET last = ?3 WHERE county = ?1 AND day = ?2 AND last = ?3 - 1") \
    X(CASE_INSERT, "INSERT INTO cases(" SQ_CASE_MUT_COLS ", code, county, created_by, "           \
                   "created_at, dups) VALUES (" SQ_Q10 "," SQ_Q10 "," SQ_Q10 "," SQ_Q10 ",?,?,?,?)") \
    /* CASE_UPDATE + (state 1 | place 2 | text 4): keep these eight in this order */               \
    X(CASE_UPDATE, SQ_CASE_UPDATE_SQL(""))                                                         \
    X(CASE_UPDATE_S, SQ_CASE_UPDATE_SQL(SQ_CASE_SET_STATE))                                        \
    X(CASE_UPDATE_P, SQ_CASE_UPDATE_SQL(SQ_CASE_SET_PLACE))                                        \
    X(CASE_UPDATE_SP, SQ_CASE_UPDATE_SQL(SQ_CASE_SET_STATE SQ_CASE_SET_PLACE))                     \
    X(CASE_UPDATE_T, SQ_CASE_UPDATE_SQL(SQ_CASE_SET_TEXT))                                         \
    X(CASE_UPDATE_ST, SQ_CASE_UPDATE_SQL(SQ_CASE_SET_STATE SQ_CASE_SET_TEXT))                      \
    X(CASE_UPDATE_PT, SQ_CASE_UPDATE_SQL(SQ_CASE_SET_PLACE SQ_CASE_SET_TEXT))                      \
    X(CASE_UPDATE_ALL, SQ_CASE_UPDATE_SQL(SQ_CASE_SET_STATE SQ_CASE_SET_PLACE SQ_CASE_SET_TEXT))   \
    X(CASE_GET_CODE, "SELECT " SQ_CASE_COLS " FROM cases WHERE code = ?1")                         \
    X(CASE_GET_ID, "SELECT " SQ_CASE_COLS " FROM cases WHERE id = ?1")                             \
    X(PARTY_INSERT,                                                                                \
      "INSERT INTO parties(case_id, county, role, name, id_enc, id_bidx, "                         \
      "phone_enc, phone_bidx) VALUES (?1, " SQ_COUNTY_OF_1 ", ?2, ?3, ?4, ?5, ?6, ?7)")            \
    X(PARTIES_OF, "SELECT id, case_id, role, name, id_enc, id_bidx, phone_enc, phone_bidx "        \
                  "FROM parties WHERE case_id = ?1 ORDER BY id")                                   \
    X(EVENT_INSERT,                                                                                \
      "INSERT INTO events(case_id, county, seq, at, actor_id, actor_name, action, "                \
      "from_status, to_status, payload, prev_hash, hash) VALUES (?1, " SQ_COUNTY_OF_1              \
      ", ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")                                               \
    /* what the triggers on inserts did (schema_insert_triggers): the search index's queue, and \
     * the list of cases with a later created_at than a later id's */                            \
    X(FTS_QUEUE, "INSERT OR IGNORE INTO fts_pending(case_id) VALUES (?1)")                         \
    X(CASE_LATER_BEFORE, "SELECT 1 FROM cases WHERE created_at > ?2 AND id < ?1 LIMIT 1")          \
    X(CASE_BACKDATED, "INSERT OR IGNORE INTO cases_backdated(id) VALUES (?1)")                     \
    X(EVENTS_OF, "SELECT " SQ_EVENT_COLS " FROM events WHERE case_id = ?1 ORDER BY seq")           \
    X(EVENTS_ALL, "SELECT " SQ_EVENT_COLS " FROM events ORDER BY case_id, seq")                    \
    X(EVENTS_COUNT, "SELECT count(*) FROM events")                                                 \
    X(ASSIGN_INSERT,                                                                               \
      "INSERT INTO assignments(case_id, county, department_id, role, status, "                     \
      "assigned_at, deadline, accepted_at, resolved_at, result) VALUES (?1, " SQ_COUNTY_OF_1       \
      ", ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")                                                         \
    X(ASSIGN_UPDATE, "UPDATE assignments SET department_id = ?2, role = ?3, status = ?4, "         \
                     "assigned_at = ?5, deadline = ?6, accepted_at = ?7, resolved_at = ?8, "       \
                     "result = ?9 WHERE id = ?1")                                                  \
    X(ASSIGNS_OF, "SELECT " SQ_ASSIGN_COLS " FROM assignments WHERE case_id = ?1 ORDER BY id")     \
    X(CASE_HAS_DEPT, "SELECT 1 FROM assignments WHERE department_id = ?2 AND case_id = ?1")        \
    X(RECORD_INSERT, "INSERT INTO case_records(case_id, county, kind, at, user_id, body) "         \
                     "VALUES (?1, " SQ_COUNTY_OF_1 ", ?2, ?3, ?4, ?5)")                            \
    X(RECORD_UPDATE, "UPDATE case_records SET body = ?2 WHERE id = ?1")                            \
    X(RECORDS_OF, "SELECT id, kind, at, user_id, body FROM case_records WHERE case_id = ?1 "       \
                  "AND (?2 IS NULL OR kind = ?2) ORDER BY at, id")                                 \
    X(LINK_INSERT,                                                                                 \
      "INSERT INTO case_links(a, b, kind, county, created_at) VALUES (?1, ?2, ?3, " SQ_COUNTY_OF_1 \
      ", ?4)")                                                                                     \
    X(LINKS_OF, "SELECT c.code, l.kind, 'out' FROM case_links l JOIN cases c ON c.id = l.b "       \
                "WHERE l.a = ?1 UNION ALL SELECT c.code, l.kind, 'in' FROM case_links l "          \
                "JOIN cases c ON c.id = l.a WHERE l.b = ?1")                                       \
    X(IDEM_GET, "SELECT code FROM idempotency WHERE user_id = ?1 AND key = ?2")                    \
    X(IDEM_PUT, "INSERT INTO idempotency(user_id, key, code, county, created_at) "                 \
                "VALUES (?1, ?2, ?3, substr(?3, 1, 6), ?4)")                                       \
    X(ATTACH_INSERT,                                                                               \
      "INSERT INTO attachments(case_id, county, sha256, name, mime, size, "                        \
      "user_id, created_at) VALUES (?1, " SQ_COUNTY_OF_1 ", ?2, ?3, ?4, ?5, ?6, ?7)")              \
    X(ATTACHS_OF, "SELECT id, sha256, name, mime, size, created_at FROM attachments "              \
                  "WHERE case_id = ?1 ORDER BY id")                                                \
    X(CASES_DUE,                                                                                   \
      "SELECT code FROM (SELECT code FROM cases INDEXED BY cases_open_warn "                       \
      "WHERE status <= 4 AND light = 0 AND warn_at > 0 AND warn_at <= ?1 UNION "                   \
      "SELECT code FROM cases INDEXED BY cases_open_light WHERE status <= 4 AND light IN (0, 1) "  \
      "AND due_at > 0 AND due_at <= ?1) LIMIT ?2")                                                 \
    X(CASES_TO_SUPERVISE,                                                                          \
      "SELECT c.code FROM cases c INDEXED BY cases_open_light WHERE c.status <= 4 "                \
      "AND c.light = 2 AND c.due_at > 0 AND c.due_at <= ?1 AND NOT EXISTS (SELECT 1 "              \
      "FROM case_records r WHERE r.case_id = c.id AND r.kind = 'supervision' "                     \
      "AND json_valid(r.body) AND json_extract(r.body, '$.status') = 'open') "                     \
      "ORDER BY c.due_at LIMIT ?2")                                                                \
    X(CASES_SCAN, "SELECT id, code, event_seq, last_hash FROM cases ORDER BY id")                  \
    X(USER_INSERT, "INSERT INTO users(username, display_name, pw_hash, roles, division, "          \
                   "department_id, failed_logins, locked_until, disabled, created_at) "            \
                   "VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")                            \
    X(USER_UPDATE, "UPDATE users SET username = ?2, display_name = ?3, pw_hash = ?4, roles = ?5, " \
                   "division = ?6, department_id = ?7, failed_logins = ?8, locked_until = ?9, "    \
                   "disabled = ?10 WHERE id = ?1")                                                 \
    X(USER_GET, "SELECT " SQ_USER_COLS " FROM users WHERE username = ?1")                          \
    X(USER_GET_ID, "SELECT " SQ_USER_COLS " FROM users WHERE id = ?1")                             \
    X(USERS, "SELECT " SQ_USER_COLS " FROM users ORDER BY id")                                     \
    X(SESSION_INSERT, "INSERT INTO sessions(token_hash, user_id, created_at, last_seen) "          \
                      "VALUES (?1, ?2, ?3, ?3)")                                                   \
    X(SESSION_DELETE, "DELETE FROM sessions WHERE token_hash = ?1")                                \
    X(SESSION_TOUCH, "UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1")                   \
    X(SESSION_GET, "SELECT user_id, last_seen FROM sessions WHERE token_hash = ?1")                \
    X(AUDIT_INSERT, "INSERT INTO audit(at, user_id, action, target, detail) "                      \
                    "VALUES (?1, ?2, ?3, ?4, ?5)")                                                 \
    X(DIVISION_INSERT, "INSERT INTO divisions(code, name, level, parent) VALUES (?1, ?2, ?3, ?4)") \
    X(DIVISION_GET, "SELECT name, level, parent FROM divisions WHERE code = ?1")                   \
    X(CENTRE_INSERT, "INSERT OR REPLACE INTO centres(division, name, level, address, phone) "       \
                     "VALUES (?1, ?2, ?3, ?4, ?5)")                                                 \
    X(CENTRES_IN, "SELECT c.division, c.name, c.level, c.address, c.phone, "                        \
                  "(SELECT count(*) FROM departments d WHERE d.division = c.division) "            \
                  "FROM centres c WHERE c.division >= ?1 AND c.division < ?2 ORDER BY c.division")  \
    X(DIVISIONS_TOP,                                                                               \
      "SELECT code, name, level, parent FROM divisions d WHERE parent = '' OR "                    \
      "NOT EXISTS (SELECT 1 FROM divisions p WHERE p.code = d.parent) ORDER BY code")              \
    X(DIVISIONS_OF, "SELECT code, name, level, parent FROM divisions WHERE parent = ?1 "           \
                    "ORDER BY code")                                                               \
    X(GRID_INSERT, "INSERT INTO grids(code, name, village, polygon, households, lat, lon) "        \
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")                                          \
    X(GRIDS, "SELECT code, name, village, households, lat, lon, polygon FROM grids "               \
             "WHERE village >= ?1 AND village < ?2 ORDER BY code")                                 \
    X(GRID_GET, "SELECT village FROM grids WHERE code = ?1")                                       \
    X(GRID_ONE, "SELECT code, name, village, households, lat, lon, polygon FROM grids "            \
                "WHERE code = ?1")                                                                 \
    X(GRID_UPDATE, "UPDATE grids SET name = coalesce(?2, name), "                                  \
                   "households = coalesce(?3, households), polygon = coalesce(?4, polygon), "      \
                   "lat = coalesce(?5, lat), lon = coalesce(?6, lon) WHERE code = ?1")             \
    X(DIVISION_RENAME, "UPDATE divisions SET name = ?2 WHERE code = ?1")                           \
    /* the place search: names LIKE either pattern (digits as typed, as numerals) in a subtree */ \
    /* a township's or village's centre: the mean of its grids' (prefix 9 or 12 digits) */     \
    X(PLACES_DIVISIONS, "SELECT d.code, d.name, d.level, avg(g.lat), avg(g.lon) FROM divisions d " \
                        "LEFT JOIN grids g ON g.village >= d.code AND g.village < substr(d.code, " \
                        "1, CASE d.level WHEN 3 THEN 9 ELSE 12 END) || 'z' WHERE (d.name LIKE ?1 " \
                        "ESCAPE '\\' OR d.name LIKE ?2 ESCAPE '\\') AND d.code >= ?3 "             \
                        "AND d.code < ?4 AND d.level >= 3 GROUP BY d.code "                         \
                        "ORDER BY length(d.name), d.level DESC, d.code LIMIT ?5")                  \
    X(PLACES_GRIDS, "SELECT g.code, g.name, g.village, g.lat, g.lon FROM grids g "                 \
                    "JOIN divisions d ON d.code = g.village WHERE (d.name || g.name LIKE ?1 "      \
                    "ESCAPE '\\' OR d.name || g.name LIKE ?2 ESCAPE '\\') AND g.village >= ?3 "    \
                    "AND g.village < ?4 ORDER BY length(g.name), g.code LIMIT ?5")                 \
    X(RD_BEGIN, "BEGIN")                                                                           \
    X(DIVISIONS_ALL, "SELECT code, name, level, parent FROM divisions ORDER BY code LIMIT ?1")     \
    X(GRIDS_ALL, "SELECT code, village FROM grids ORDER BY code LIMIT ?1")                                       \
    X(CATEGORIES_ALL, "SELECT code FROM categories ORDER BY code LIMIT ?1")                        \
    X(METHODS_ALL, "SELECT code FROM resolution_methods ORDER BY code LIMIT ?1")                   \
    X(DEPT_INSERT, "INSERT INTO departments(kind, name, division, level, presence) "               \
                   "VALUES (?1, ?2, ?3, ?4, ?5)")                                                  \
    X(DEPT_UPDATE, "UPDATE departments SET kind = ?1, name = ?2, division = ?3, level = ?4, "      \
                   "presence = ?5, active = ?6 WHERE id = ?7")                                     \
    X(DEPT_DELETE, "DELETE FROM departments WHERE id = ?1")                                        \
    X(DEPT_USED, "SELECT 1 WHERE EXISTS (SELECT 1 FROM assignments WHERE department_id = ?1) "     \
                 "OR EXISTS (SELECT 1 FROM users WHERE department_id = ?1)")                       \
    X(DEPT_GET, "SELECT " SQ_DEPT_COLS " FROM departments WHERE id = ?1")                          \
    X(DEPT_FIND, "SELECT " SQ_DEPT_COLS " FROM departments WHERE division = ?1 AND kind = ?2 "     \
                 "AND active ORDER BY id LIMIT 1")                                                            \
    X(DEPTS, "SELECT " SQ_DEPT_COLS " FROM departments WHERE division >= ?1 AND division < ?2 "    \
             "ORDER BY division, id")                                                              \
    X(CATEGORY_INSERT, "INSERT INTO categories(code, name, parent, kind, keywords) "               \
                       "VALUES (?1, ?2, ?3, ?4, ?5)")                                              \
    X(CATEGORIES, "SELECT code, name, parent, kind, keywords, active FROM categories "             \
                  "WHERE ?1 IS NULL OR kind = ?1 ORDER BY code")                                   \
    X(CATEGORY_GET, "SELECT code, name, parent, kind, keywords, active FROM categories "           \
                    "WHERE code = ?1")                                                             \
    X(CATEGORY_UPDATE, "UPDATE categories SET name = ?2, keywords = ?3, active = ?4 "              \
                       "WHERE code = ?1")                                                          \
    X(DEPT_KIND_EXISTS, "SELECT 1 FROM departments WHERE kind = ?1 LIMIT 1")                       \
    X(CATEGORY_EXISTS, "SELECT 1 FROM categories WHERE code = ?1")                                 \
    X(CATEGORY_ACTIVE, "SELECT active FROM categories WHERE code = ?1")                            \
    X(METHOD_INSERT, "INSERT INTO resolution_methods(code, name) VALUES (?1, ?2)")                 \
    X(METHODS, "SELECT code, name FROM resolution_methods ORDER BY code")                          \
    X(METHOD_EXISTS, "SELECT 1 FROM resolution_methods WHERE code = ?1")                           \
    X(RESP_INSERT, "INSERT INTO resp_list(category, level, lead_kind, assist_kinds, duty) "        \
                   "VALUES (?1, ?2, ?3, ?4, ?5)")                                                  \
    X(RESP_PUT, "INSERT INTO resp_list(category, level, lead_kind, assist_kinds, duty) "           \
                "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (category, level) DO UPDATE SET "         \
                "lead_kind = excluded.lead_kind, assist_kinds = excluded.assist_kinds, "           \
                "duty = excluded.duty")                                                            \
    X(RESP_LIST, "SELECT category, level, lead_kind, assist_kinds, duty FROM resp_list "           \
                 "ORDER BY category, level")                                                       \
    X(RESP_LOOKUP, "SELECT lead_kind, assist_kinds, duty FROM resp_list "                          \
                   "WHERE category IN (?1, ?2, ?3) AND level IN (?4, 0) "                          \
                   "ORDER BY length(category) DESC, level DESC LIMIT 1")                           \
    X(HOLIDAY_SET, "INSERT INTO holidays(day, kind, name) VALUES (?1, ?2, ?3) "                    \
                   "ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name")   \
    X(HOLIDAY_DELETE, "DELETE FROM holidays WHERE day = ?1")                                       \
    X(HOLIDAYS, "SELECT day, kind, name FROM holidays WHERE day >= ?1 AND day < ?2 ORDER BY day")  \
    X(SLA_PUT, "INSERT INTO sla_rules(id, grade, level, channel, unit, amount, warn_fraction, "    \
               "response_hours) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO "      \
               "UPDATE SET grade = excluded.grade, level = excluded.level, "                       \
               "channel = excluded.channel, unit = excluded.unit, amount = excluded.amount, "      \
               "warn_fraction = excluded.warn_fraction, response_hours = excluded.response_hours") \
    X(SLA_RULES, "SELECT id, grade, level, channel, unit, amount, warn_fraction, response_hours "  \
                 "FROM sla_rules ORDER BY id")                                                     \
    X(SETTING_PUT, "INSERT INTO settings(key, value) VALUES (?1, ?2) "                             \
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value")                       \
    X(SETTING_GET, "SELECT value FROM settings WHERE key = ?1")                                    \
    X(STATS_STATUS, "SELECT status, count(*) FROM cases GROUP BY status")                          \
    X(STATS_LIGHT, "SELECT light, count(*) FROM cases WHERE status <= 4 GROUP BY light")           \
    X(STATS_USERS, "SELECT count(*) FROM users")                                                   \
    X(STATS_SESSIONS, "SELECT count(*) FROM sessions")

#define SQ_ENUM(id, sql) SQ_##id,
enum sq_stmt { SQ_STATEMENTS(SQ_ENUM) SQ__COUNT };
#undef SQ_ENUM

#define SQ_DYN_CACHE 24 /* the writer alone uses ~14: keep them all prepared */
#define SQ_SEQ_CACHE 32

/* The writer's last daily case sequence numbers, by county and day (store_tx_next_case_seq). */
struct sq_seq {
    char county[7];
    int64_t day;
    int64_t last;
};

/* One SQLite connection and its statements; used by one thread at a time. */
struct sq_conn {
    sqlite3 *db;
    sqlite3_stmt *st[SQ__COUNT];
    struct {
        char *sql;
        sqlite3_stmt *st;
    } dyn[SQ_DYN_CACHE];
    int dyn_next;
    struct sq_seq seq[SQ_SEQ_CACHE]; /* the writer's only; a hint, checked against the table */
    int seq_next;
    /* readers: store_rd_begin's BEGIN waits for the scope's first statement (sq_stmt,
     * sq_stmt_dyn), so a scope answered from memory (an ordinary intake) runs no BEGIN and no
     * COMMIT; lazy_open says it ran, and store_rd_end commits it */
    int lazy_begin, lazy_open;
};

struct store_tx {
    struct store *s;
    struct sq_conn *conn;
    int64_t now;
    int bulk; /* inside store_write_bulk: store_tx_checkpoint allowed */
    void *stats; /* the statistics deltas of this transaction (sqlite_stats.c); NULL at BEGIN */
    struct sq_stats_pending *pending; /* writer groups: intakes deferred by earlier groups */
    /* bulk only: the case updated last, not yet written (sq_case_flush, sqlite_case.c) */
    struct fq_case *held;
};

struct sq_ref_index; /* this thread's copy of divisions and grids (sqlite_ref.c) */

struct store_rd {
    struct sq_conn conn;
    struct store *s;
    struct store_rd *next; /* the store's list of read connections */
    struct sq_ref_index *ref;
    int depth;  /* store_rd_begin nesting */
};

/* In a bulk load, writes the case that store_tx_case_update holds back (if any): 0 or the mapped
 * error. Called before every commit of a bulk load. */
int sq_case_flush(struct store_tx *tx);
/* Forgets the held case without writing it (the bulk load rolls back, or it has been flushed). */
void sq_case_drop(struct store_tx *tx);
/* Divisions and grids change only by admin action: each read connection keeps them in memory
 * (sqlite_ref.c) and reloads them when the store's reference generation has moved, which the
 * writer raises after the COMMIT of any transaction that wrote either table. */
uint64_t sq_ref_generation(struct store *s);
void sq_ref_free(struct sq_ref_index *ref);
/* Reloads rd's copy if the generation has moved (outside a transaction only). */
void sq_ref_refresh(struct store_rd *rd);

/* The recent-case index behind store_case_ids_near (sqlite_near.c). The writer notes each case
 * inserted, moved (division or created_at changed) or deleted while holding wlock; a job rolled
 * back rewinds to the mark taken before it; sq_near_end applies the notes after a COMMIT
 * (committed 1) or drops them (0). */
struct sq_near;
struct sq_near *sq_near_new(void); /* NULL on out of memory (then every lookup is SQL) */
struct sq_near *sq_store_near(struct store *s); /* the store's; may be NULL */
void sq_near_free(struct sq_near *x);
void sq_near_note(struct sq_near *x, int add, const char *division, int64_t created_at, int64_t id);
int sq_near_mark(struct sq_near *x);
void sq_near_rewind(struct sq_near *x, int mark);
void sq_near_end(struct sq_near *x, int committed);
/* Fills the index from c (no transaction may be open on it; the caller holds wlock) with the
 * cases created at or after since and the blind indexes of the parties of cases created at or
 * after party_since, and turns it on. 0 or FQ_EIO/FQ_ENOMEM (then it stays off). */
int sq_near_start(struct sq_near *x, struct sq_conn *c, int64_t since, int64_t party_since);
/* A party row's blind index (ID or phone) written in the open transaction. */
void sq_near_note_party(struct sq_near *x, const void *bidx, int len);
/* Something the index cannot follow was written: the commit turns it off. */
void sq_near_break(struct sq_near *x);
/* 1 when no case created at or after since has a party with blind index bidx (store_cases_by_party
 * would find nothing for it), 0 when SQL must tell. */
int sq_near_party_absent(struct sq_near *x, const unsigned char bidx[16], int64_t since);
void sq_near_stop(struct sq_near *x);
/* store_case_ids_near from memory: 1 with ids/ats/n filled when the index can answer exactly, 0
 * when the caller must ask SQL. */
int sq_near_ids(struct sq_near *x, const char *division, int64_t from, int64_t to,
                int64_t exclude, int max, int64_t *ids, int64_t *ats, int *n);
void sq_near_counts(struct sq_near *x, long long *hits, long long *misses);

/* Opens a connection with the store's pragmas (writer: WAL, synchronous=FULL; reader:
 * read-only). 0 or FQ_EIO / FQ_ENOTFOUND with e filled. */
int sq_conn_open(struct sq_conn *c, const char *path, int writer, int create, struct fq_error *e);
/* Finalizes every statement and closes the connection; a zeroed conn is a no-op. */
void sq_conn_close(struct sq_conn *c);
/* The prepared statement id (reset, bindings stale); NULL after logging when it cannot be
 * prepared. */
sqlite3_stmt *sq_stmt(struct sq_conn *c, enum sq_stmt id);
/* A statement for SQL built at run time, cached by its text; NULL after logging on failure. */
sqlite3_stmt *sq_stmt_dyn(struct sq_conn *c, const char *sql);
/* Maps a SQLite result code to FQ_E* (constraint → FQ_ECONFLICT, else FQ_EIO), logging the
 * connection's message with `what`. */
int sq_error(struct sq_conn *c, int rc, const char *what);
/* Steps a statement that returns no rows and resets it: 0 or the mapped error. */
int sq_exec_stmt(struct sq_conn *c, sqlite3_stmt *st, const char *what);
/* Steps a read whose rows each become a JSON object through `row`, then resets it; *out is the
 * array (untouched on failure: FQ_ENOMEM or the mapped SQLite error, logged with `what`). */
int sq_json_rows(struct sq_conn *c, sqlite3_stmt *st, json_t *(*row)(sqlite3_stmt *), json_t **out,
                 const char *what);
/* The one row st selects as row(st) into *out: 0, FQ_ENOTFOUND when there is none, or the mapped
 * error; st is reset. */
int sq_json_row(struct sq_conn *c, sqlite3_stmt *st, json_t *(*row)(sqlite3_stmt *), json_t **out,
                const char *what);
/* Steps a write of one row by key and resets it: FQ_ENOTFOUND when it changed nothing. */
int sq_exec_one(struct sq_conn *c, sqlite3_stmt *st, const char *what);

/* Binding and reading helpers. NULL text binds NULL; blobs of length 0 bind NULL. */
void sq_bind_text(sqlite3_stmt *st, int i, const char *s);
void sq_bind_blob(sqlite3_stmt *st, int i, const void *p, int n);
/* Copies column i into dst (always NUL-terminated, truncated to size). */
void sq_col_copy(sqlite3_stmt *st, int i, char *dst, size_t size);
/* Copies up to size bytes of blob column i into dst, zero-filling the rest; returns the number
 * of bytes copied. */
int sq_col_blob(sqlite3_stmt *st, int i, unsigned char *dst, int size);

/* Division subtree as a half-open text range [lo, hi): the code's significant prefix (province 2,
 * city 4, county 6, township 9, village 12 digits) and that prefix followed by '~'. "" or NULL
 * gives the range of everything. */
void sq_division_range(const char *code, char lo[FQ_DIVISION_LEN + 1],
                       char hi[FQ_DIVISION_LEN + 2]);

/* JSON value helpers: NULL or invalid UTF-8 → null; time 0 → null, else ISO China time. */
json_t *sq_json_str(const char *s);
json_t *sq_json_col(sqlite3_stmt *st, int i);
json_t *sq_json_time(int64_t ms);

/* Grows *p (elements of size elem) to hold at least n + 1; FQ_ENOMEM, or FQ_ETOOBIG past max. */
int sq_grow(void **p, int *cap, int n, size_t elem, int max);

/* Statistics (sqlite_stats.c): called after every write of a case row (_inserted for a case row
 * just created: it has no snapshot, assignments or links yet), and after a change that alters what
 * the case counts as (a repeat link). Inside a writer group the deltas are collected in memory and
 * applied by sq_stats_flush, which run_group calls before COMMIT (or, for fresh intakes under load,
 * left pending for a later group: see sqlite_stats.c); in a bulk job they are applied at once. */
int sq_stats_case_written(struct store_tx *tx, const struct fq_case *c);
int sq_stats_case_inserted(struct store_tx *tx, const struct fq_case *c);
int sq_stats_case_refresh(struct store_tx *tx, int64_t case_id);
/* The end of a job of a writer group: keep (its savepoint was released) or discard (rolled back)
 * the deltas it collected. Never fails. */
void sq_stats_job_end(struct store_tx *tx, int keep);
/* Before COMMIT of a writer group: applies the deltas of the jobs of this group that were kept,
 * together with the intakes earlier groups deferred (tx->pending), and forgets the collected
 * deltas — or, when more jobs are queued behind this group (more != 0) and its deltas are fresh
 * intakes only, defers them to a later group (pending stays young and small: sq_stats_defer_ms,
 * sq_stats_defer_max). 0 or FQ_E*: on failure the caller must roll the transaction back. */
int sq_stats_flush(struct store_tx *tx, int more);
/* After the group's COMMIT (committed = 1) or rollback: what it applied leaves pending, what it
 * deferred joins it — only if it committed. Never fails. */
void sq_stats_tx_end(struct store_tx *tx, int committed);
/* The store's deferred intakes (one per writable store holding the deferral lock, touched only
 * under its writer lock):
 * _new gives NULL when out of memory, _free(NULL) is a no-op. _forget drops them unapplied, as a
 * crash would (tests). */
struct sq_stats_pending *sq_stats_pending_new(void);
void sq_stats_pending_free(struct sq_stats_pending *p);
int sq_stats_pending_any(const struct sq_stats_pending *p);
void sq_stats_pending_forget(struct sq_stats_pending *p);
/* At open, inside a transaction on the writer connection: adds to the aggregates the intakes a
 * crash left deferred (settings 'stats.pending'), from their snapshots; *recovered = how
 * many cases. 0 or FQ_E* (the caller rolls back). */
int sq_stats_recover(struct sq_conn *conn, int *recovered);
/* Deferral limits (defaults 100 ms, 4,096 cases); tests set defer_always to defer even with
 * nothing queued and not to apply pending when the writer falls idle (only at close, before a
 * bulk job, or in a group that must). */
extern int sq_stats_defer_ms, sq_stats_defer_max, sq_stats_defer_always;
/* Tests: forgets the store's deferred intakes without applying them, as kill -9 would. */
void sq_store_forget_pending(struct store *s);

/* Aggregate rows store_stats_rebuild merges in memory before writing them (default 1 << 18);
 * tests lower it to make a rebuild write in several rounds. */
extern int sq_stats_rebuild_rows;

extern const char *const sq_migrations[];
extern const int sq_migration_count;

/* The case list's query for other readers of cases (search, export): head (a SELECT … WHERE 1
 * whose only unqualified-name table with the filter's columns is cases), the filter's
 * conditions and scope, then tail; the filter's values are bound to the first anonymous
 * parameters, so tail's own values must be named (:lim) and bound by name. NULL with *ret set
 * on failure. The statement is cached on c: reset it after use. */
sqlite3_stmt *sq_case_filter_stmt(struct sq_conn *c, const char *head,
                                  const struct store_case_filter *f, const char *tail, int *ret);
/* A case summary (as in store_case_list) from a row whose columns 0–16 are: id, code, title,
 * channel, kind, category, grade, level, status, light, division, grid, created_at, due_at,
 * urge_count, supervised, lead_department. New reference. */
json_t *sq_case_summary(sqlite3_stmt *st);

/* The full-text index migration (sqlite_fts.c): the case_fts table, its triggers, and the
 * index of every existing case. */
extern const char sq_schema_fts[];
extern const char sq_schema_fts_deferred[];
extern const char sq_schema_fts_time[];
/* Indexes up to max queued cases (fts_pending) on the writer connection, inside the caller's
 * transaction; *n = how many were taken. */
int sq_fts_drain(struct sq_conn *c, int max, int *n);

#endif
