/* The SQLite schema as a list of migrations: step i takes a database from PRAGMA user_version i
 * to i + 1, and store_open runs the steps a database has not seen yet, each in its own
 * transaction. Never edit a step that has shipped; append a new one.
 *
 * Conventions: enums are stored as their integer values (store/model.h), instants as ms since the
 * epoch (0 = none), day numbers as integers; every case-related row carries the 6-digit county
 * code so the schema can be distributed by region. The partial indexes on open cases
 * (status <= 4) are matched literally by the queries in sqlite_case.c: keep both in step. */
#include "store/sqlite_int.h"

static const char schema_v1[] =
    /* reference data */
    "CREATE TABLE divisions ("
    "  code TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  level INTEGER NOT NULL,"
    "  parent TEXT NOT NULL DEFAULT ''"
    ");\n"
    "CREATE INDEX divisions_parent ON divisions(parent);\n"
    "CREATE TABLE grids ("
    "  code TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  village TEXT NOT NULL,"
    "  polygon TEXT," /* GeoJSON geometry */
    "  households INTEGER NOT NULL DEFAULT 0,"
    "  lat REAL, lon REAL"
    ");\n"
    "CREATE INDEX grids_village ON grids(village);\n"
    "CREATE TABLE departments ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  division TEXT NOT NULL,"
    "  level INTEGER NOT NULL,"
    "  presence INTEGER NOT NULL DEFAULT 0"
    ");\n"
    "CREATE INDEX departments_division ON departments(division, kind);\n"
    "CREATE TABLE categories ("
    "  code TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  parent TEXT NOT NULL DEFAULT '',"
    "  kind TEXT NOT NULL CHECK (kind IN ('dispute', 'grid_matter')),"
    "  keywords TEXT NOT NULL DEFAULT ''"
    ");\n"
    "CREATE TABLE resolution_methods ("
    "  code TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL"
    ");\n"
    "CREATE TABLE resp_list (" /* 权责清单 */
    "  id INTEGER PRIMARY KEY,"
    "  category TEXT NOT NULL,"
    "  level INTEGER NOT NULL DEFAULT 0," /* 0 = any level */
    "  lead_kind TEXT NOT NULL,"
    "  assist_kinds TEXT NOT NULL DEFAULT '',"
    "  duty TEXT NOT NULL DEFAULT '',"
    "  UNIQUE (category, level)"
    ");\n"
    "CREATE TABLE holidays ("
    "  day INTEGER PRIMARY KEY," /* day number */
    "  kind TEXT NOT NULL CHECK (kind IN ('off', 'work')),"
    "  name TEXT NOT NULL DEFAULT ''"
    ");\n"
    "CREATE TABLE sla_rules ("
    "  id INTEGER PRIMARY KEY,"
    "  grade INTEGER NOT NULL DEFAULT 0,"
    "  level INTEGER NOT NULL DEFAULT 0,"
    "  channel INTEGER NOT NULL DEFAULT -1,"
    "  unit TEXT NOT NULL,"
    "  amount INTEGER NOT NULL,"
    "  warn_fraction REAL NOT NULL,"
    "  response_hours INTEGER NOT NULL DEFAULT 0"
    ");\n"
    "CREATE TABLE settings ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ");\n"
    /* accounts */
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  username TEXT NOT NULL UNIQUE,"
    "  display_name TEXT NOT NULL DEFAULT '',"
    "  pw_hash TEXT NOT NULL DEFAULT '',"
    "  roles INTEGER NOT NULL DEFAULT 0,"
    "  division TEXT NOT NULL DEFAULT '',"
    "  department_id INTEGER NOT NULL DEFAULT 0,"
    "  failed_logins INTEGER NOT NULL DEFAULT 0,"
    "  locked_until INTEGER NOT NULL DEFAULT 0,"
    "  disabled INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL DEFAULT 0"
    ");\n"
    "CREATE TABLE sessions ("
    "  token_hash BLOB PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX sessions_user ON sessions(user_id);\n"
    "CREATE TABLE audit (" /* 访问审计 */
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  user_id INTEGER NOT NULL,"
    "  action TEXT NOT NULL,"
    "  target TEXT NOT NULL DEFAULT '',"
    "  detail TEXT NOT NULL DEFAULT ''"
    ");\n"
    "CREATE INDEX audit_at ON audit(at);\n"
    /* cases */
    "CREATE TABLE cases ("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  county TEXT NOT NULL,"
    "  channel INTEGER NOT NULL,"
    "  kind INTEGER NOT NULL,"
    "  grade INTEGER NOT NULL DEFAULT 0,"
    "  level INTEGER NOT NULL DEFAULT 0,"
    "  status INTEGER NOT NULL,"
    "  light INTEGER NOT NULL DEFAULT 0,"
    "  category TEXT NOT NULL DEFAULT '',"
    "  division TEXT NOT NULL DEFAULT '',"
    "  grid TEXT NOT NULL DEFAULT '',"
    "  centre TEXT NOT NULL DEFAULT '',"
    "  title TEXT, description TEXT, address TEXT,"
    "  lat REAL NOT NULL DEFAULT 0, lon REAL NOT NULL DEFAULT 0,"
    "  has_location INTEGER NOT NULL DEFAULT 0,"
    "  people_count INTEGER NOT NULL DEFAULT 0,"
    "  created_by INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL DEFAULT 0,"
    "  due_at INTEGER NOT NULL DEFAULT 0,"
    "  warn_at INTEGER NOT NULL DEFAULT 0,"
    "  resolved_at INTEGER NOT NULL DEFAULT 0,"
    "  closed_at INTEGER NOT NULL DEFAULT 0,"
    "  archived_at INTEGER NOT NULL DEFAULT 0,"
    "  urge_count INTEGER NOT NULL DEFAULT 0,"
    "  supervised INTEGER NOT NULL DEFAULT 0,"
    "  escalations INTEGER NOT NULL DEFAULT 0,"
    "  returns INTEGER NOT NULL DEFAULT 0,"
    "  reopens INTEGER NOT NULL DEFAULT 0,"
    "  lead_department INTEGER NOT NULL DEFAULT 0,"
    "  result TEXT,"
    "  method TEXT NOT NULL DEFAULT '',"
    "  success INTEGER NOT NULL DEFAULT -1,"
    "  satisfaction INTEGER NOT NULL DEFAULT 0,"
    "  staff_score INTEGER NOT NULL DEFAULT 0,"
    "  followed_up INTEGER NOT NULL DEFAULT 0,"
    "  repeat_of INTEGER NOT NULL DEFAULT 0,"
    "  event_seq INTEGER NOT NULL DEFAULT 0,"
    "  last_hash BLOB,"
    "  contact_enc BLOB"
    ");\n"
    "CREATE INDEX cases_status ON cases(status, id);\n"
    "CREATE INDEX cases_division ON cases(division, id);\n"
    "CREATE INDEX cases_created ON cases(created_at);\n"
    "CREATE INDEX cases_category ON cases(category, id);\n"
    /* open cases only: the light filter and the supervision timer */
    "CREATE INDEX cases_open_light ON cases(light, due_at) WHERE status <= 4;\n"
    /* the deadline timer: exactly the cases whose light can still change */
    "CREATE INDEX cases_open_warn ON cases(warn_at) WHERE status <= 4 AND light = 0;\n"
    "CREATE INDEX cases_open_due ON cases(due_at) WHERE status <= 4 AND light < 2;\n"
    "CREATE TABLE parties (" /* 当事人 */
    "  id INTEGER PRIMARY KEY,"
    "  case_id INTEGER NOT NULL REFERENCES cases(id),"
    "  county TEXT NOT NULL,"
    "  role TEXT NOT NULL,"
    "  name TEXT NOT NULL DEFAULT '',"
    "  id_enc BLOB, id_bidx BLOB,"
    "  phone_enc BLOB, phone_bidx BLOB"
    ");\n"
    "CREATE INDEX parties_case ON parties(case_id);\n"
    "CREATE INDEX parties_id_bidx ON parties(id_bidx) WHERE id_bidx IS NOT NULL;\n"
    "CREATE INDEX parties_phone_bidx ON parties(phone_bidx) WHERE phone_bidx IS NOT NULL;\n"
    "CREATE TABLE assignments (" /* 派单 */
    "  id INTEGER PRIMARY KEY,"
    "  case_id INTEGER NOT NULL REFERENCES cases(id),"
    "  county TEXT NOT NULL,"
    "  department_id INTEGER NOT NULL REFERENCES departments(id),"
    "  role INTEGER NOT NULL,"
    "  status INTEGER NOT NULL,"
    "  assigned_at INTEGER NOT NULL DEFAULT 0,"
    "  deadline INTEGER NOT NULL DEFAULT 0,"
    "  accepted_at INTEGER NOT NULL DEFAULT 0,"
    "  resolved_at INTEGER NOT NULL DEFAULT 0,"
    "  result TEXT NOT NULL DEFAULT ''"
    ");\n"
    "CREATE INDEX assignments_department ON assignments(department_id, case_id);\n"
    "CREATE INDEX assignments_case ON assignments(case_id);\n"
    "CREATE TABLE events (" /* 全程留痕: append-only, hash-chained */
    "  id INTEGER PRIMARY KEY,"
    "  case_id INTEGER NOT NULL REFERENCES cases(id),"
    "  county TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  actor_id INTEGER NOT NULL DEFAULT 0,"
    "  actor_name TEXT NOT NULL DEFAULT '',"
    "  action INTEGER NOT NULL,"
    "  from_status INTEGER NOT NULL,"
    "  to_status INTEGER NOT NULL,"
    "  payload TEXT,"
    "  prev_hash BLOB NOT NULL,"
    "  hash BLOB NOT NULL,"
    "  UNIQUE (case_id, seq)"
    ");\n"
    "CREATE TABLE case_records ("
    "  id INTEGER PRIMARY KEY,"
    "  case_id INTEGER NOT NULL REFERENCES cases(id),"
    "  county TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  user_id INTEGER NOT NULL DEFAULT 0,"
    "  body TEXT NOT NULL DEFAULT '{}'"
    ");\n"
    "CREATE INDEX case_records_case ON case_records(case_id, kind);\n"
    "CREATE TABLE attachments ("
    "  id INTEGER PRIMARY KEY,"
    "  case_id INTEGER NOT NULL REFERENCES cases(id),"
    "  county TEXT NOT NULL,"
    "  sha256 TEXT NOT NULL,"
    "  name TEXT NOT NULL DEFAULT '',"
    "  mime TEXT NOT NULL DEFAULT '',"
    "  size INTEGER NOT NULL DEFAULT 0,"
    "  user_id INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL"
    ");\n"
    "CREATE INDEX attachments_case ON attachments(case_id);\n"
    "CREATE TABLE case_links ("
    "  a INTEGER NOT NULL REFERENCES cases(id),"
    "  b INTEGER NOT NULL REFERENCES cases(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('duplicate', 'repeat', 'related')),"
    "  county TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (a, b, kind)"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX case_links_b ON case_links(b);\n"
    "CREATE TABLE idempotency ("
    "  user_id INTEGER NOT NULL,"
    "  key TEXT NOT NULL,"
    "  code TEXT NOT NULL,"
    "  county TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (user_id, key)"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE case_seq ("
    "  county TEXT NOT NULL,"
    "  day INTEGER NOT NULL,"
    "  last INTEGER NOT NULL,"
    "  PRIMARY KEY (county, day)"
    ") WITHOUT ROWID;\n";

/* v2: 综治中心 as rows of their own (one per division at 市/县/乡/村), with contact details. */
static const char schema_v2[] =
    "CREATE TABLE centres ("
    "  division TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  level INTEGER NOT NULL,"
    "  address TEXT,"
    "  phone TEXT"
    ") WITHOUT ROWID;\n";

/* Intelligence (core/router.c, core/scenario.c, core/dedup.c): the mediation scenario library
 * (调解场景库), which scenario was applied to which case, and duplicate suggestions found at
 * intake (a confirmed duplicate becomes a case_links row of kind 'duplicate'). */
static const char schema_intel[] =
    "CREATE TABLE scenarios ("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  categories TEXT NOT NULL DEFAULT ''," /* comma-separated category codes */
    "  keywords TEXT NOT NULL DEFAULT '',"
    "  body TEXT NOT NULL DEFAULT '{}',"     /* legal_basis, methods, steps, mediators, documents */
    "  updated_at INTEGER NOT NULL DEFAULT 0"
    ");\n"
    "CREATE TABLE scenario_applications ("
    "  id INTEGER PRIMARY KEY,"
    "  case_id INTEGER NOT NULL REFERENCES cases(id),"
    "  county TEXT NOT NULL,"
    "  scenario_id INTEGER NOT NULL,"
    "  method TEXT NOT NULL DEFAULT '',"
    "  user_id INTEGER NOT NULL DEFAULT 0,"
    "  at INTEGER NOT NULL"
    ");\n"
    "CREATE INDEX scenario_applications_case ON scenario_applications(case_id);\n"
    "CREATE INDEX scenario_applications_scenario ON scenario_applications(scenario_id);\n"
    "CREATE TABLE duplicate_suggestions ("
    "  case_id INTEGER NOT NULL REFERENCES cases(id),"  /* the newer case */
    "  other_id INTEGER NOT NULL REFERENCES cases(id)," /* the earlier one it resembles */
    "  county TEXT NOT NULL,"
    "  score REAL NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (case_id, other_id)"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX duplicate_suggestions_other ON duplicate_suggestions(other_id);\n"
    /* duplicate detection at intake: the cases of a village within a time window */
    "CREATE INDEX cases_division_created ON cases(division, created_at);\n";

/* Statistics (store/sqlite_stats.c, core/stats.c): per-case snapshots of what each case adds to
 * the aggregates, the aggregates at full grain per registration day, and roll-ups per month and
 * per day by division level and one other dimension. The counters are the STAT_COUNTERS of
 * store/store_stats.h, in that order; stats.rebuild asks the server to fill them for cases that
 * existed before this step. */
#define STATS_COUNTER_COLS "intake INTEGER NOT NULL DEFAULT 0, closed INTEGER NOT NULL DEFAULT 0, settled INTEGER NOT NULL DEFAULT 0, on_time INTEGER NOT NULL DEFAULT 0, overdue INTEGER NOT NULL DEFAULT 0, rated INTEGER NOT NULL DEFAULT 0, satisfied INTEGER NOT NULL DEFAULT 0, basic INTEGER NOT NULL DEFAULT 0, dissatisfied INTEGER NOT NULL DEFAULT 0, followed INTEGER NOT NULL DEFAULT 0, work_ms INTEGER NOT NULL DEFAULT 0, repeats INTEGER NOT NULL DEFAULT 0, returned INTEGER NOT NULL DEFAULT 0, supervisions INTEGER NOT NULL DEFAULT 0, supervised INTEGER NOT NULL DEFAULT 0, assigned INTEGER NOT NULL DEFAULT 0, responded INTEGER NOT NULL DEFAULT 0, returns INTEGER NOT NULL DEFAULT 0"
static const char schema_stats[] =
    "CREATE TABLE stats_case ("
    "  case_id INTEGER NOT NULL, department INTEGER NOT NULL,"
    "  day INTEGER NOT NULL, division TEXT NOT NULL, category TEXT NOT NULL,"
    "  channel INTEGER NOT NULL, grade INTEGER NOT NULL, " STATS_COUNTER_COLS ","
    "  PRIMARY KEY (case_id, department)"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE stats_day ("
    "  day INTEGER NOT NULL, division TEXT NOT NULL, category TEXT NOT NULL,"
    "  channel INTEGER NOT NULL, grade INTEGER NOT NULL, department INTEGER NOT NULL, "
    STATS_COUNTER_COLS ","
    "  PRIMARY KEY (day, division, category, channel, grade, department)"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX stats_day_division ON stats_day(division, day);\n"
    /* grain 0: t = month (year * 12 + month - 1), levels 6/9/12; grain 1: t = day, levels 6/9 */
    "CREATE TABLE stats_roll ("
    "  dim INTEGER NOT NULL, level INTEGER NOT NULL, grain INTEGER NOT NULL,"
    "  division TEXT NOT NULL, t INTEGER NOT NULL, x TEXT NOT NULL, " STATS_COUNTER_COLS ","
    "  PRIMARY KEY (dim, level, grain, division, t, x)"
    ") WITHOUT ROWID;\n"
    "INSERT INTO settings(key, value) SELECT 'stats.rebuild', '1' "
    "WHERE EXISTS (SELECT 1 FROM cases);\n";
#undef STATS_COUNTER_COLS

/* Kiosk tokens for the big screen (read-only, revocable). */
static const char schema_kiosk[] =
    "CREATE TABLE kiosk_tokens ("
    "  id INTEGER PRIMARY KEY,"
    "  token_hash BLOB NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  division TEXT NOT NULL,"
    "  created_by INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  revoked_at INTEGER NOT NULL DEFAULT 0"
    ");\n";

/* Early warning (core/warning.c): warning records (raised → seen → case / dismissed) and the
 * last computed level of every area, so that a rise to orange or red raises a warning once. */
static const char schema_warning[] =
    "CREATE TABLE warnings ("
    "  id INTEGER PRIMARY KEY,"
    "  county TEXT NOT NULL,"
    "  area TEXT NOT NULL,"      /* grid code or division code */
    "  area_kind TEXT NOT NULL," /* grid, village, township */
    "  division TEXT NOT NULL,"  /* scope: the grid's village, or the area itself */
    "  kind TEXT NOT NULL CHECK (kind IN ('level', 'surge')),"
    "  level INTEGER NOT NULL,"
    "  score REAL NOT NULL,"
    "  title TEXT NOT NULL,"
    "  factors TEXT NOT NULL DEFAULT '[]',"
    "  status TEXT NOT NULL DEFAULT 'raised' CHECK (status IN ('raised', 'seen', 'case', 'dismissed')),"
    "  raised_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  seen_by INTEGER, seen_at INTEGER NOT NULL DEFAULT 0,"
    "  handled_by INTEGER, handled_at INTEGER NOT NULL DEFAULT 0,"
    "  reason TEXT, case_code TEXT"
    ");\n"
    "CREATE INDEX warnings_division ON warnings(division, id);\n"
    "CREATE INDEX warnings_area ON warnings(area, kind, raised_at);\n"
    "CREATE TABLE warning_levels ("
    "  area TEXT PRIMARY KEY,"
    "  level INTEGER NOT NULL,"
    "  score REAL NOT NULL,"
    "  at INTEGER NOT NULL"
    ") WITHOUT ROWID;\n";

/* Statistics roll-ups chosen for 10 M cases and for the writer's cost per delta
 * (store/sqlite_stats.c roll_kept): pairs of dimensions (stats_roll dims 5-10, x = "a|b") per
 * month at county and township level and per day at county level, filled from stats_day; of the
 * single dimensions only category and department, per month and day at county level; at village
 * level only the roll-up without dimension (dim 11, x = ""), per month and per day; an index of
 * stats_day by department for the queries of a department with several other filters. */
static const char schema_stats_groups[] =
    "CREATE INDEX stats_day_department ON stats_day(department, day);\n"
    "DELETE FROM stats_roll WHERE level = 12 OR (level = 9 AND grain = 1) OR dim IN (2, 3) OR "
    "(dim IN (1, 4) AND level = 9);\n"
    "INSERT INTO stats_roll(dim, level, grain, division, t, x, intake, closed, settled, on_time, overdue, rated, satisfied, basic, dissatisfied, followed, work_ms, repeats, returned, supervisions, supervised, assigned, responded, returns) "
    "SELECT p.dim, p.level, p.grain, substr(d.division, 1, p.level), "
    "CASE p.grain WHEN 0 THEN CAST(strftime('%Y', d.day * 86400, 'unixepoch') AS INTEGER) * 12 + "
    "CAST(strftime('%m', d.day * 86400, 'unixepoch') AS INTEGER) - 1 ELSE d.day END, "
    "CASE p.dim WHEN 5 THEN d.category || '|' || d.channel WHEN 6 THEN d.category || '|' || d.grade "
    "WHEN 7 THEN d.category || '|' || d.department WHEN 8 THEN d.channel || '|' || d.grade "
    "WHEN 9 THEN d.channel || '|' || d.department WHEN 10 THEN d.grade || '|' || d.department "
    "ELSE '' END, "
    "sum(intake), sum(closed), sum(settled), sum(on_time), sum(overdue), sum(rated), sum(satisfied), sum(basic), sum(dissatisfied), sum(followed), sum(work_ms), sum(repeats), sum(returned), sum(supervisions), sum(supervised), sum(assigned), sum(responded), sum(returns) FROM stats_day d, ("
    "SELECT 5 AS dim, 6 AS level, 0 AS grain UNION ALL "
    "SELECT 5 AS dim, 9 AS level, 0 AS grain UNION ALL "
    "SELECT 5 AS dim, 6 AS level, 1 AS grain UNION ALL "
    "SELECT 6 AS dim, 6 AS level, 0 AS grain UNION ALL "
    "SELECT 6 AS dim, 9 AS level, 0 AS grain UNION ALL "
    "SELECT 6 AS dim, 6 AS level, 1 AS grain UNION ALL "
    "SELECT 7 AS dim, 6 AS level, 0 AS grain UNION ALL "
    "SELECT 7 AS dim, 9 AS level, 0 AS grain UNION ALL "
    "SELECT 7 AS dim, 6 AS level, 1 AS grain UNION ALL "
    "SELECT 8 AS dim, 6 AS level, 0 AS grain UNION ALL "
    "SELECT 8 AS dim, 9 AS level, 0 AS grain UNION ALL "
    "SELECT 8 AS dim, 6 AS level, 1 AS grain UNION ALL "
    "SELECT 9 AS dim, 6 AS level, 0 AS grain UNION ALL "
    "SELECT 9 AS dim, 9 AS level, 0 AS grain UNION ALL "
    "SELECT 9 AS dim, 6 AS level, 1 AS grain UNION ALL "
    "SELECT 10 AS dim, 6 AS level, 0 AS grain UNION ALL "
    "SELECT 10 AS dim, 9 AS level, 0 AS grain UNION ALL "
    "SELECT 10 AS dim, 6 AS level, 1 AS grain UNION ALL "
    "SELECT 11 AS dim, 12 AS level, 0 AS grain UNION ALL "
    "SELECT 11 AS dim, 12 AS level, 1 AS grain"
    ") p GROUP BY 1, 2, 3, 4, 5, 6;\n";

/* Fewer index writes per case: the deadline timer finds due cases through cases_open_light
 * (light IN (0, 1), then due_at: two range seeks), so cases_open_due, one more b-tree written
 * by every intake and every light or status change, goes. */
static const char schema_lean_indexes[] = "DROP INDEX IF EXISTS cases_open_due;\n";

/* Administration: departments and categories are deactivated, not deleted, once cases refer to
 * them (an inactive department is no longer suggested by the responsibility list; an inactive
 * category is no longer offered at intake). */
static const char schema_admin[] =
    "ALTER TABLE departments ADD COLUMN active INTEGER NOT NULL DEFAULT 1;\n"
    "ALTER TABLE categories ADD COLUMN active INTEGER NOT NULL DEFAULT 1;\n";

/* One b-tree fewer per intake, and the one that cost the most pages per commit: cases_division
 * (division, id) is scattered by village like cases_division_created (division, created_at), so
 * a commit of n intakes dirtied about n leaf pages of each. No query needs it: the list's
 * division filter is a range (a township or village subtree), for which the planner already
 * takes cases_division_created (covering, the same rows) and sorts by id either way; the
 * deadline, warning and statistics queries filter on created_at or the open-case indexes. */
static const char schema_drop_division_index[] = "DROP INDEX IF EXISTS cases_division;\n";

/* Inserts of cases and events without triggers. An AFTER INSERT trigger makes the insert a
 * statement that may write several rows, and with a constraint that aborts (cases: NOT NULL and
 * UNIQUE; events: the foreign key) SQLite then runs it in a statement journal of its own, copying
 * every page it writes that the transaction had written before: ~40 % of a new case's insert
 * (bench/writer). store_tx_case_insert and store_tx_event_insert do what the triggers did
 * (FTS_QUEUE, CASE_LATER_BEFORE, CASE_BACKDATED): the only inserts into either table. */
static const char schema_insert_triggers[] = "DROP TRIGGER IF EXISTS case_fts_insert;\n"
                                             "DROP TRIGGER IF EXISTS cases_backdated_insert;\n"
                                             "DROP TRIGGER IF EXISTS case_fts_note;\n";

/* Duplicate suggestions move into the suggesting case's own row: cases.dups, "id:score,…"
 * (store_dups_text), written by the insert an intake does anyway, instead of two b-tree entries
 * per suggestion (duplicate_suggestions and its index on other_id, scattered pages in every
 * commit). The other direction is found by looking at the cases that could have listed a case
 * (store_case_duplicates, core/dedup.h): the same division, a higher id, created at most an
 * hour before it or 73 hours after. A recorded pair outside that (only after a clock step or a
 * write queued for over an hour) could not be found from its other end, so it is not moved. */
static const char schema_dups_in_case[] =
    "ALTER TABLE cases ADD COLUMN dups TEXT;\n"
    "UPDATE cases SET dups = (SELECT group_concat(x.other_id || ':' || printf('%!.17g', x.score)) "
    "FROM (SELECT s.other_id, s.score FROM duplicate_suggestions s JOIN cases o ON o.id = "
    "s.other_id WHERE s.case_id = cases.id AND o.division = cases.division AND o.id < cases.id "
    "AND o.created_at >= cases.created_at - 262800000 AND o.created_at <= cases.created_at + "
    "3600000 ORDER BY s.score DESC, s.other_id) x) "
    "WHERE id IN (SELECT case_id FROM duplicate_suggestions);\n"
    "DROP TABLE duplicate_suggestions;\n";

const char *const sq_migrations[] = {schema_v1, schema_v2, schema_kiosk, schema_intel, sq_schema_fts, schema_stats, schema_warning, sq_schema_fts_deferred, schema_stats_groups,
                                       sq_schema_fts_time, schema_lean_indexes, schema_admin, schema_drop_division_index,
                                       schema_insert_triggers, schema_dups_in_case};
const int sq_migration_count = (int)(sizeof sq_migrations / sizeof sq_migrations[0]);
