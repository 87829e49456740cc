/* Storage: the one place that knows SQL. Embedded SQLite backend (store/sqlite*.c).
 *
 * Concurrency model (DESIGN.md): one writer thread owns the only write connection and runs queued
 * write jobs in groups — BEGIN, the jobs (a failing job rolls back alone: see store_submit_rerun),
 * COMMIT with synchronous=FULL — and only then reports every job of the group done, in commit
 * order, on a completion thread of its own (the writer goes on with the next group). Reads go
 * through one connection per thread (store_rd), opened on first use, statements prepared once.
 *
 * Read functions that feed the API directly return jansson values (new references: the caller
 * json_decref()s them); functions that feed domain logic return the records of store/model.h. */
#ifndef FQ_STORE_STORE_H
#define FQ_STORE_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store/model.h"
#include "util/err.h"

struct store;    /* the database: writer thread + reader pool */
struct store_tx; /* the writer's open transaction; valid only inside a store_tx_fn */
struct store_rd; /* a read connection owned by the calling thread */

struct store_opts {
    const char *path;  /* database file */
    int create;        /* 1: create the file and schema if missing (init); 0: must exist */
    int group_max;     /* most jobs per commit group (default 512) */
    int readonly;      /* 1: no writer thread (check, report) */
};

/* Process-wide SQLite set-up; call once, before any thread and any store_open. Turns SQLite's
 * memory statistics off: with them on, every allocation takes one process-wide mutex that the
 * writer and all readers contend for (measured in docs/PERFORMANCE.md). */
void store_global_init(void);

/* Opens (and with opts->create, creates) the database, migrates the schema to the current
 * version (PRAGMA user_version), sets WAL + synchronous=FULL and starts the writer thread.
 * On failure *out is NULL and e says why. */
int store_open(const struct store_opts *opts, struct store **out, struct fq_error *e);
/* Drains the write queue, stops the writer, closes every connection. NULL is a no-op. */
void store_close(struct store *s);
/* Schema version this build writes. */
int store_schema_version(void);

/* ---- writes ---- */

/* A write job: runs on the writer thread inside a transaction. Return 0 to keep its changes,
 * a negative FQ_E* code to roll them back (other jobs of the group are unaffected). */
typedef int (*store_tx_fn)(struct store_tx *tx, void *arg);
/* Called on the store's completion thread (one thread, in commit order) once the job's outcome
 * is final: rc is the job's own result, or FQ_EIO if the group's COMMIT failed. When rc is 0 the
 * changes are durable. Must not block, and must not wait for the writer (store_write). */
typedef void (*store_done_fn)(void *arg, int rc);

/* Queues a job; returns at once. 0, or FQ_EBUSY when the queue is full / the store is closing
 * (then neither fn nor done will be called). */
int store_submit(struct store *s, store_tx_fn fn, store_done_fn done, void *arg);
/* As store_submit, for a job that may run more than once. A group made only of such jobs runs
 * without savepoints (each costs the writer a copy of every page the job writes again); a job of
 * it that fails without having changed a row (the common failure: a check against the current
 * row) needs no undo, and one that fails after changing rows makes the writer roll the whole group
 * back and run it again, each job in a savepoint of its own. fn must therefore:
 *  - write only with INSERT, UPDATE and DELETE (sqlite3_total_changes tells whether it wrote);
 *  - when run again after its transaction was rolled back, do what a first run would: whatever
 *    it changed in arg (outputs, things it moved out of arg) it puts back or overwrites, and what
 *    it did outside the database must be harmless to do twice or to have done for nothing;
 *  - not depend on running only once for its result (it sees the same store_tx_now). */
int store_submit_rerun(struct store *s, store_tx_fn fn, store_done_fn done, void *arg);
/* Queues a job and waits until it is durable; returns fn's result, FQ_EIO or FQ_EBUSY. */
int store_write(struct store *s, store_tx_fn fn, void *arg);
/* Runs fn in a transaction of its own on the caller's thread, bypassing the queue, for bulk
 * loads (init, demo) before the server runs. Commits in chunks when fn calls store_tx_checkpoint. */
int store_write_bulk(struct store *s, store_tx_fn fn, void *arg);
/* Inside a bulk job: commit what is done so far and begin again (keeps the WAL small). */
int store_tx_checkpoint(struct store_tx *tx);

/* What one transaction on the writer connection changed, for the caches above the store (case
 * responses, sessions). A case counts as changed when its row or a row of its parties,
 * assignments, side records, attachments or links was inserted, updated or deleted (a link
 * changes both its cases). fn is called after every COMMIT (or ROLLBACK: extra reports are
 * harmless) of a transaction that changed something, before any job of the group is reported
 * done, so that a client told its write succeeded can no longer read what was there before.
 * case_ids lists each changed case (possibly repeated); n < 0 means "too many to list": treat
 * every case as changed. auth is 1 when users or sessions changed (a user edited, a session
 * deleted; not a session's last_seen). Runs on the thread that committed (the writer, or a
 * store_write_bulk caller) with the writer connection locked: it must be quick and not write. */
typedef void (*store_change_fn)(void *arg, const int64_t *case_ids, int n, int auth);
/* Sets (fn NULL: removes) the change hook; waits for a running transaction to finish. */
void store_set_change_hook(struct store *s, store_change_fn fn, void *arg);

/* The transaction's own clock: the instant the group began (ms). */
int64_t store_tx_now(struct store_tx *tx);

/* Next 6-digit daily sequence number for a county and China-local day (1, 2, ...). */
int store_tx_next_case_seq(struct store_tx *tx, const char *county, int64_t day, int *seq);
/* Inserts a case (c->id is set) / updates every mutable column of c (by c->id). */
int store_tx_case_insert(struct store_tx *tx, struct fq_case *c);
int store_tx_case_update(struct store_tx *tx, const struct fq_case *c);
/* Loads a case by code or id into *c (caller fq_case_clear()s it); FQ_ENOTFOUND if none. */
int store_tx_case_get(struct store_tx *tx, const char *code, struct fq_case *c);
int store_tx_case_get_id(struct store_tx *tx, int64_t id, struct fq_case *c);
int store_tx_party_insert(struct store_tx *tx, struct fq_party *p);
int store_tx_event_insert(struct store_tx *tx, struct fq_event *ev);
/* All assignments of a case, oldest first; *out is malloc'ed (free()), *n may be 0. */
int store_tx_assignments(struct store_tx *tx, int64_t case_id, struct fq_assignment **out, int *n);
int store_tx_assignment_insert(struct store_tx *tx, struct fq_assignment *a);
int store_tx_assignment_update(struct store_tx *tx, const struct fq_assignment *a);
/* Side records of a case — kind "mediation", "evaluation", "follow_up", "supervision" — kept as
 * JSON bodies (borrowed); *id set when non-NULL. */
int store_tx_record_insert(struct store_tx *tx, int64_t case_id, const char *kind, int64_t at,
                           int64_t user_id, json_t *body, int64_t *id);
/* Updates the body of a record (e.g. a supervision order being closed). */
int store_tx_record_update(struct store_tx *tx, int64_t id, json_t *body);
/* Link between two cases: kind "duplicate", "repeat", "related". */
int store_tx_link_insert(struct store_tx *tx, int64_t a, int64_t b, const char *kind);
/* Idempotency keys of case creation: code_out (FQ_CODE_LEN+1) filled when the key was seen. */
int store_tx_idem_get(struct store_tx *tx, int64_t user_id, const char *key, char *code_out);
int store_tx_idem_put(struct store_tx *tx, int64_t user_id, const char *key, const char *code);
int store_tx_department_get(struct store_tx *tx, int64_t id, struct fq_department *d);
/* Attachment metadata (the bytes are stored content-addressed by the caller). */
int store_tx_attachment_insert(struct store_tx *tx, int64_t case_id, const char *sha256,
                               const char *name, const char *mime, int64_t size, int64_t user_id,
                               int64_t *id);

/* Accounts, sessions, audit. */
int store_tx_user_insert(struct store_tx *tx, struct fq_user *u); /* u->id set; FQ_ECONFLICT if taken */
int store_tx_user_update(struct store_tx *tx, const struct fq_user *u);
int store_tx_user_get(struct store_tx *tx, const char *username, struct fq_user *u);
int store_tx_session_insert(struct store_tx *tx, const unsigned char hash[32], int64_t user_id,
                            int64_t now);
int store_tx_session_delete(struct store_tx *tx, const unsigned char hash[32]);
/* Sets last_seen (idle timeout); batched by the caller, at most once a minute per session. */
int store_tx_session_touch(struct store_tx *tx, const unsigned char hash[32], int64_t now);
/* 访问审计: who did what to which record (reveal of personal data, logins, admin changes). */
int store_tx_audit(struct store_tx *tx, int64_t user_id, const char *action, const char *target,
                   const char *detail);

/* Reference data (init, demo, admin). */
int store_tx_division_insert(struct store_tx *tx, const char *code, const char *name, int level,
                             const char *parent);
/* Renames a division; FQ_ENOTFOUND when there is none. */
int store_tx_division_rename(struct store_tx *tx, const char *code, const char *name);
/* Changes a grid: name and polygon_json when non-NULL (lat/lon, its centre, with the polygon),
 * households when >= 0. FQ_ENOTFOUND when there is none. */
int store_tx_grid_update(struct store_tx *tx, const char *code, const char *name, int households,
                         const char *polygon_json, double lat, double lon);
int store_tx_grid_insert(struct store_tx *tx, const char *code, const char *name, const char *village,
                         const char *polygon_json, int households, double lat, double lon);
int store_tx_department_insert(struct store_tx *tx, struct fq_department *d); /* d->id set, active */
/* Rewrites department d->id from d (every column); FQ_ENOTFOUND when there is none. */
int store_tx_department_update(struct store_tx *tx, const struct fq_department *d);
/* Removes a department: deletes it when no assignment or user names it (*deleted = 1), else
 * deactivates it (*deleted = 0), so cases keep their history. FQ_ENOTFOUND when there is none. */
int store_tx_department_remove(struct store_tx *tx, int64_t id, int *deleted);
/* 综治中心 at a division (replaces an existing one); address and phone may be NULL. */
int store_tx_centre_insert(struct store_tx *tx, const char *division, const char *name, int level,
                           const char *address, const char *phone);
int store_tx_category_insert(struct store_tx *tx, const char *code, const char *name,
                             const char *parent, const char *kind, const char *keywords);
int store_tx_resolution_method_insert(struct store_tx *tx, const char *code, const char *name);
/* The category `code`; FQ_ENOTFOUND. / Rewrites its name, keywords and active flag. */
int store_tx_category_get(struct store_tx *tx, const char *code, struct fq_category *c);
int store_tx_category_update(struct store_tx *tx, const struct fq_category *c);
/* 权责清单 row: category × level → lead department kind, assisting kinds (comma-separated). */
int store_tx_resp_insert(struct store_tx *tx, const char *category, int level, const char *lead_kind,
                         const char *assist_kinds, const char *duty);
/* Holiday calendar: kind "off" or "work" (调休); kind NULL removes the day. */
int store_tx_holiday_set(struct store_tx *tx, int64_t day, const char *kind, const char *name);
/* Replaces (by id) or adds (id 0; r->id set) an SLA rule. */
int store_tx_sla_put(struct store_tx *tx, struct fq_sla_rule *r);
/* Key/value settings (e.g. "sla.supervise_margin_hours"). */
int store_tx_setting_put(struct store_tx *tx, const char *key, const char *value);

/* ---- reads ---- */

/* The calling thread's read connection (opened on first use, closed by store_close). NULL only
 * when the database cannot be opened. */
struct store_rd *store_rd(struct store *s);
/* Opens a read transaction on rd, so that the lookups until store_rd_end share one snapshot
 * and one start (each statement outside a transaction starts its own, and after any commit by
 * the writer that start drops the connection's page cache). Nests (only the outermost pair
 * counts). Keep it short: a read transaction holds back WAL checkpoints. 0 or FQ_EIO. */
int store_rd_begin(struct store_rd *rd);
/* Ends the transaction store_rd_begin opened (the outermost call); rd NULL: no-op. */
void store_rd_end(struct store_rd *rd);

int store_case_get(struct store_rd *rd, const char *code, struct fq_case *c);
int store_case_get_id(struct store_rd *rd, int64_t id, struct fq_case *c);
/* Parties of a case; *out malloc'ed (free()). */
int store_case_parties(struct store_rd *rd, int64_t case_id, struct fq_party **out, int *n);
int store_case_assignments(struct store_rd *rd, int64_t case_id, struct fq_assignment **out, int *n);
/* Timeline, oldest first; free each payload then the array with store_events_free. */
int store_case_events(struct store_rd *rd, int64_t case_id, struct fq_event **out, int *n);
void store_events_free(struct fq_event *ev, int n);
/* Side records of a case as a JSON array of {id, kind, at, user_id, ...body}; kind NULL = all. */
int store_case_records(struct store_rd *rd, int64_t case_id, const char *kind, json_t **out);
/* Attachments as a JSON array of {id, sha256, name, mime, size, created_at}. */
int store_case_attachments(struct store_rd *rd, int64_t case_id, json_t **out);
/* Links as a JSON array of {code, kind}. */
int store_case_links(struct store_rd *rd, int64_t case_id, json_t **out);

/* Case list filter. Zero-initialised means "anything"; store_case_filter_init sets the -1s. */
struct store_case_filter {
    unsigned status_mask;                  /* bit (1u << ST_*); 0 = any */
    char division[FQ_DIVISION_LEN + 1];    /* subtree by significant prefix; "" = any */
    int64_t department;                    /* has an assignment to it; 0 = any */
    char category[16];                     /* this code or its children; "" = any */
    int grade, channel, light;             /* -1 = any */
    int overdue;                           /* 1 = only red (overdue) open cases */
    int64_t from, to;                      /* created_at in [from, to) ms; 0 = open-ended */
    int supervised;                        /* 1 = only cases with a supervision order (督办) */
    int unrated;                           /* 1 = only cases without a citizen rating */
    int followed;                          /* 0 = not yet followed up (回访), 1 = followed up; -1 = any */
    const char *codes_json;                /* only these cases: a JSON array of case codes (a search's
                                              hits, for its export); borrowed; NULL = any */
    int64_t created_by;                    /* registered by this user; 0 = anyone */
    int64_t closed_from, closed_to;        /* closed_at in [from, to) ms; 0 = open-ended */
    int party_kind;                        /* 1: a party's ID number, 2: its phone; 0 = any */
    unsigned char party_bidx[16];          /* that value's blind index (core/pii.h) */
    /* the caller's scope (always applied): division subtree and/or department; both "" / 0
     * means unrestricted (admin at the top) */
    char scope_division[FQ_DIVISION_LEN + 1];
    int64_t scope_department;
    int64_t cursor;                        /* return ids < cursor (newest first); 0 = start */
    int limit;                             /* 1..500 */
};
void store_case_filter_init(struct store_case_filter *f);
/* Cases matching f, newest first, as a JSON array of case summaries {code, title, status, ...};
 * *next is the cursor of the next page or 0 at the end. */
int store_case_list(struct store_rd *rd, const struct store_case_filter *f, json_t **out, int64_t *next);
/* Number of cases matching f (cursor and limit ignored). */
int store_case_count(struct store_rd *rd, const struct store_case_filter *f, int64_t *n);

/* Full-text search (store/sqlite_fts.c) over titles, descriptions, notes and mediation records,
 * indexed as CJK bigrams (store/fts_tokenizer.h). Words of q separated by spaces must all occur;
 * each word matches as a phrase of its characters ("楼上漏水" does not match "楼上卫生间漏水").
 * One call searches the newest case ids below page->before (0: from the newest), window by
 * window (the first of STORE_SEARCH_SPAN ids) while a CPU budget lasts, and of the cases there
 * matching q and f (scope always applied) ranks the newest
 * STORE_SEARCH_OFFSET_MAX, best first (store/fts_rank.h: BM25 without IDF, the title weighing 4),
 * returned as case summaries plus "snippet" (HTML: the text escaped, matches in <mark>…</mark>)
 * and "score" (higher is better). f->cursor is the offset of the page (0 = the first, at most
 * STORE_SEARCH_OFFSET_MAX), f->limit its size. Cases still queued for indexing are matched from
 * their current text, so every acknowledged write is found. The work is bounded: see
 * docs/SEARCH.md. FQ_EINVAL when q has nothing to search for (empty, only punctuation, > 16
 * words) or page->before < 0. */
#define STORE_SEARCH_OFFSET_MAX 2000
#define STORE_SEARCH_SPAN 100000 /* case ids of the first window */
struct store_search {
    int64_t before; /* in: search the cases with id < before; 0: all, from the newest */
    int64_t span;   /* in: ids of the first window; 0: STORE_SEARCH_SPAN (tests, benchmarks) */
    double budget_ms; /* in: CPU for further windows; 0: the default (15 ms), < 0: none */
    int64_t next;   /* out: the next page's offset, 0 when this is the last page */
    int64_t older;  /* out: older cases (id < older) were not searched: pass it as before to go
                       on; 0 when the search reached the oldest case */
    int64_t total;  /* out: the ranked matches (at most STORE_SEARCH_OFFSET_MAX) */
    int total_exact; /* out: total is every match of q and f (nothing older left unsearched) */
};
int store_case_search(struct store_rd *rd, const char *q, const struct store_case_filter *f,
                      struct store_search *page, json_t **out);

/* One case as exported (store/sqlite_export.c); strings borrowed for the callback, never NULL
 * ("" when unset); method is the resolution method's name. */
struct store_case_row {
    int64_t id;
    const char *code, *title, *category, *category_name, *division, *division_name, *address,
        *lead_department, *method;
    int channel, kind, grade, level, status, light, people_count, success, satisfaction;
    int64_t created_at, due_at, resolved_at, closed_at;
};
typedef int (*store_case_row_fn)(const struct store_case_row *row, void *arg);
/* One page of the filtered case list (as store_case_list: newest first, f->limit rows below
 * f->cursor) with the columns of an export, each row handed to fn; a non-zero result of fn stops
 * and is returned. *next is the cursor of the next page or 0 at the end. */
int store_case_export(struct store_rd *rd, const struct store_case_filter *f, store_case_row_fn fn,
                      void *arg, int64_t *next);
/* Whether case_id has an assignment to department. */
int store_case_has_department(struct store_rd *rd, int64_t case_id, int64_t department);
/* Open cases whose light must change at `now` (warn_at <= now while green, due_at <= now while
 * not red), at most `max` case codes into *codes (malloc'ed array of FQ_CODE_LEN+1 strings). */
int store_cases_due(struct store_rd *rd, int64_t now, int max, char (**codes)[FQ_CODE_LEN + 1], int *n);
/* Red cases overdue by more than margin_ms with no open supervision order yet. */
int store_cases_to_supervise(struct store_rd *rd, int64_t now, int64_t margin_ms, int max,
                             char (**codes)[FQ_CODE_LEN + 1], int *n);

int store_user_get(struct store_rd *rd, const char *username, struct fq_user *u);
int store_user_get_id(struct store_rd *rd, int64_t id, struct fq_user *u);
/* Users as a JSON array (no password hashes). */
int store_users(struct store_rd *rd, json_t **out);
/* A user as an item of store_users: no password hash (new reference). */
json_t *store_user_json(const struct fq_user *u);
/* Session by token hash: user id and last_seen ms; FQ_ENOTFOUND if none. */
int store_session_get(struct store_rd *rd, const unsigned char hash[32], int64_t *user_id,
                      int64_t *last_seen);

/* Division: name, level and parent; FQ_ENOTFOUND if the code is unknown. */
int store_division_get(struct store_rd *rd, const char *code, char name[96], int *level,
                       char parent[FQ_DIVISION_LEN + 1]);
/* Children of a division ("" = the top level) as a JSON array of {code, name, level, parent}. */
int store_divisions(struct store_rd *rd, const char *parent, json_t **out);
/* Grids of a village (or of a division subtree when `village` is shorter) as JSON, with
 * polygons when with_polygon. */
int store_grids(struct store_rd *rd, const char *division, int with_polygon, json_t **out);
int store_grid_get(struct store_rd *rd, const char *code, char village[FQ_DIVISION_LEN + 1]);
/* The place search for what was typed, q (store/place_pattern.h: its runs in order, numbers also
 * as Chinese numerals): townships and villages, and grids (matched on village name + grid name),
 * in the subtree of division ("" = all), at most limit of each, shortest names first, as JSON arrays of {type, code, name, level,
 * division, grid, lat, lon} (a division's lat/lon: the mean of its grids', null without grids).
 * Both empty when q has nothing to match (punctuation only). 0 or an FQ_E* code (both outputs
 * NULL). */
int store_places(struct store_rd *rd, const char *q, const char *division, int limit, json_t **divisions,
                 json_t **grids);
/* One grid as JSON {code, name, village, households, lat, lon, polygon}; FQ_ENOTFOUND. */
int store_grid_json(struct store_rd *rd, const char *code, json_t **out);
/* Centres of a division subtree ("" = all) as JSON [{division, name, level, address, phone,
 * departments}]. */
int store_centres(struct store_rd *rd, const char *division, json_t **out);
/* A department as JSON {id, kind, name, division, level, presence, active} (new reference). */
json_t *store_department_json(const struct fq_department *d);
/* Departments of a division subtree ("" = all) as JSON. */
int store_departments(struct store_rd *rd, const char *division, json_t **out);
int store_department_get(struct store_rd *rd, int64_t id, struct fq_department *d);
/* Department of `kind` at the centre of `division` (exact). */
int store_department_find(struct store_rd *rd, const char *division, const char *kind,
                          struct fq_department *d);
/* Categories ("dispute", "grid_matter" or NULL = all) as a JSON array of {code,name,parent,kind}. */
int store_categories(struct store_rd *rd, const char *kind, json_t **out);
/* A category as an item of store_categories (new reference). */
json_t *store_category_json(const struct fq_category *c);
int store_category_exists(struct store_rd *rd, const char *code);
/* 1 when the category is active, 0 when deactivated, FQ_ENOTFOUND when there is none, < 0. */
int store_category_active(struct store_rd *rd, const char *code);
/* 1 when some department is of this kind ("justice", "police"...), 0 when none, < 0 on errors. */
int store_department_kind_exists(struct store_rd *rd, const char *kind);
int store_resolution_methods(struct store_rd *rd, json_t **out);
int store_resolution_method_exists(struct store_rd *rd, const char *code);
/* 权责清单 as JSON; store_resp_lookup fills lead/assist kinds for (category, level), trying the
 * category's parent when the exact code has no row. */
int store_resp_list(struct store_rd *rd, json_t **out);
/* Sets the 权责清单 row of (category, level; 0 = any level), adding it when there is none. */
int store_tx_resp_put(struct store_tx *tx, const char *category, int level, const char *lead_kind,
                      const char *assist_kinds, const char *duty);
int store_resp_lookup(struct store_rd *rd, const char *category, int level, char lead_kind[24],
                      char assist_kinds[128], char duty[256]);
/* Holidays: parallel arrays of day numbers and kinds ('o' off, 'w' work); malloc'ed. */
int store_holidays(struct store_rd *rd, int64_t **days, char **kinds, int *n);
/* Holidays as JSON [{date, kind, name}] within a year (0 = all). */
int store_holidays_json(struct store_rd *rd, int year, json_t **out);
int store_sla_rules(struct store_rd *rd, struct fq_sla_rule **out, int *n);
/* Setting value into out (NUL-terminated); FQ_ENOTFOUND if unset. */
int store_setting_get(struct store_rd *rd, const char *key, char *out, size_t outlen);

/* Counts for /metrics: cases by status and light, users, sessions; a JSON object. */
int store_stats(struct store_rd *rd, json_t **out);

/* ---- intelligence: routing, scenarios, duplicates (store/sqlite_intel.c) ---- */

/* A case's text and labels, handed to a callback (strings borrowed for the call only). */
struct store_case_text {
    int64_t id, created_at, lead_department, repeat_of;
    char code[FQ_CODE_LEN + 1];
    char category[16];
    char division[FQ_DIVISION_LEN + 1];
    char grid[24];
    char method[8];
    int channel, grade, level, status, success;
    const char *title, *description, *result; /* never NULL */
};
/* Return non-zero to stop the scan (the scan then returns that value). */
typedef int (*store_case_text_fn)(const struct store_case_text *t, void *arg);
/* Assessed cases (a category and a grade set), newest first, at most max. */
int store_cases_assessed(struct store_rd *rd, int max, store_case_text_fn fn, void *arg);
/* Closed or archived cases whose category starts with cat_prefix ("" = any), newest first, at
 * most max, inside the scope (division subtree "" = all; lead department 0 = any). */
int store_cases_resolved(struct store_rd *rd, const char *cat_prefix, const char *scope_division,
                         int64_t scope_department, int max, store_case_text_fn fn, void *arg);
/* Cases other than `exclude` created at or after `since` with a party whose ID or phone blind
 * index is one of bidx[0..n) — the same person coming back (重复信访). Read side: intake runs it
 * before queueing the write, off the writer thread. */
int store_cases_by_party(struct store_rd *rd, const unsigned char (*bidx)[16], int n,
                         int64_t since, int64_t exclude, store_case_text_fn fn, void *arg);
/* Ids of the cases other than `exclude` in `division` (exact) created in [from, to), newest
 * first (ties: the higher id first), at most max, into ids[0..*n), and their created_at into
 * ats[0..*n) unless ats is NULL. Reads only the index. */
int store_case_ids_near(struct store_rd *rd, const char *division, int64_t from, int64_t to,
                        int64_t exclude, int max, int64_t *ids, int64_t *ats, int *n);
/* The recent-case index (store/sqlite_near.c): from now on store_case_ids_near answers from
 * memory whenever it can do so exactly, which costs an intake no SQLite read (the first read
 * after a commit drops the reader's page cache). Loads the cases created at or after `since`
 * (which bounds the `from` it can answer: earlier ones go to SQL), then the writer keeps it after
 * every COMMIT. Likewise store_cases_by_party skips the read for a blind index that no case
 * created at or after its `since` has (party_since bounds that `since`).
 * For `serve`; waits for a running transaction. 0, FQ_EIO or FQ_ENOMEM (then off). */
int store_near_start(struct store *s, int64_t since, int64_t party_since);
/* Turns it off: store_case_ids_near reads SQL again. */
void store_near_stop(struct store *s);
/* How many store_case_ids_near calls and store_cases_by_party blind indexes were answered from
 * memory (hits) and by SQL (misses). */
void store_near_counts(struct store *s, long long *hits, long long *misses);
/* Calls fn once with the case `id`; not at all when there is no such case. */
int store_case_text_get(struct store_rd *rd, int64_t id, store_case_text_fn fn, void *arg);
/* The text of cases.dups for n duplicate suggestions (other_ids[i], scores[i]), in that order:
 * "id:score,id:score", each score with 17 significant digits so that it reads back exactly.
 * *out is malloc'ed (the caller frees it), NULL when n is 0. 0 or FQ_ENOMEM (*out NULL). */
int store_dups_text(const int64_t *other_ids, const double *scores, int n, char **out);
/* Duplicate suggestions of a case, both directions, as JSON [{code, title, status, channel,
 * division, grid, created_at, score, direction, merged}], highest score first (merged: a
 * 'duplicate' link exists). "earlier": the case's own list (cases.dups). "later": the cases
 * that list it, looked for among the cases of its division with a higher id created in
 * [created_at - before, created_at + after] — complete only if every list is written that way
 * (core/dedup.h says why it is). FQ_EIO on a read error. */
int store_case_duplicates(struct store_rd *rd, int64_t case_id, int64_t before, int64_t after,
                          json_t **out);

/* 调解场景 scenarios. body is the JSON text of the remaining fields. Insert when *id is 0 (then
 * set); otherwise update that row (FQ_ENOTFOUND if none); FQ_ECONFLICT when the code is taken. */
int store_tx_scenario_put(struct store_tx *tx, int64_t *id, const char *code, const char *name,
                          const char *categories, const char *keywords, const char *body);
/* Every scenario as JSON [{id, code, name, categories, keywords, body, updated_at}] with
 * categories and keywords comma-separated text and body the parsed object. */
int store_scenarios(struct store_rd *rd, json_t **out);
/* One scenario in the same shape; FQ_ENOTFOUND if none. */
int store_scenario_get(struct store_rd *rd, int64_t id, json_t **out);
/* A recommendation applied to a case (method: the scenario's method used; may be ""). */
int store_tx_scenario_apply(struct store_tx *tx, int64_t case_id, int64_t scenario_id,
                            const char *method, int64_t user_id, int64_t at, int64_t *id);
/* Applications on a case as JSON [{id, scenario_id, scenario, method, at, user_id}]. */
int store_case_applications(struct store_rd *rd, int64_t case_id, json_t **out);
/* Outcomes per applied method: JSON [{method, applied, closed, settled}] (closed: the case is
 * closed or archived with a known success; settled: of those, success). */
int store_scenario_method_stats(struct store_rd *rd, json_t **out);
/* Outcomes per GB/T 31000 resolution method of closed disputes: [{method, name, closed, settled}]. */
int store_resolution_method_stats(struct store_rd *rd, json_t **out);

/* ---- kiosk tokens (big screen) ---- */

/* A read-only kiosk credential for division's subtree ("" = all); *id set. */
int store_tx_kiosk_insert(struct store_tx *tx, const unsigned char hash[32], const char *name,
                          const char *division, int64_t user_id, int64_t *id);
/* Revokes a token; FQ_ENOTFOUND when there is no such live token. */
int store_tx_kiosk_revoke(struct store_tx *tx, int64_t id);
/* A live token by hash: its name and division scope; FQ_ENOTFOUND if unknown or revoked. */
int store_kiosk_get(struct store_rd *rd, const unsigned char hash[32], char name[64],
                    char division[FQ_DIVISION_LEN + 1]);
/* All tokens (live and revoked) as JSON, without hashes. */
int store_kiosks(struct store_rd *rd, json_t **out);

/* ---- maintenance ---- */

/* PRAGMA integrity_check; 0 when "ok", FQ_EIO with the first problem in e otherwise. */
int store_integrity_check(struct store_rd *rd, struct fq_error *e);
/* Calls fn for every event, ordered by case then seq (for hash-chain verification). Stops and
 * returns fn's result when it is non-zero. total (may be NULL) receives the event count first. */
typedef int (*store_event_fn)(const struct fq_event *ev, void *arg);
int store_events_scan(struct store_rd *rd, store_event_fn fn, void *arg, int64_t *total);
/* Last hash and event count of every case: fn(case_id, code, event_seq, last_hash, arg). */
typedef int (*store_case_chain_fn)(int64_t case_id, const char *code, int64_t event_seq,
                                   const unsigned char last_hash[FQ_HASH_LEN], void *arg);
int store_cases_scan(struct store_rd *rd, store_case_chain_fn fn, void *arg);
/* Online consistent copy (sqlite3_backup) to path; progress(done, total, arg) may be NULL. */
int store_backup(struct store *s, const char *path, void (*progress)(int done, int total, void *arg),
                 void *arg, struct fq_error *e);

#endif
