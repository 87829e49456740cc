/* Storage of the early warning (store/sqlite_warning.c): the scan of cases the indicators are
 * computed from, each area's last computed level, and the warning records (table warnings). */
#ifndef FQ_STORE_STORE_WARNING_H
#define FQ_STORE_STORE_WARNING_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

/* One case as the warning scan sees it; strings borrowed for the call, never NULL. */
struct store_warn_case {
    int64_t created_at, repeat_of;
    const char *grid, *division, *category, *title, *description, *address;
    int channel, status, light, people_count, satisfaction, escalations, supervised;
    int key_person; /* a party whose ID or phone appears in >= 3 cases created since `since` */
};
typedef int (*store_warn_case_fn)(const struct store_warn_case *c, void *arg);
/* Cases of division's subtree ("" = all) created in [since, until), then the open cases of the
 * subtree created before since. A non-zero result of fn stops the scan and is returned. */
int store_warn_scan(struct store_rd *rd, const char *division, int64_t since, int64_t until,
                    store_warn_case_fn fn, void *arg);
/* Grids of division's subtree: fn(code, village, arg) for each. */
int store_warn_grids(struct store_rd *rd, const char *division,
                     void (*fn)(const char *code, const char *village, void *arg), void *arg);

/* A warning to raise. */
struct store_warning_new {
    const char *area, *area_kind, *division, *kind, *title, *factors; /* factors: JSON text */
    int level;
    double score;
    int64_t at;
};
/* Swaps the stored level of an area: *prev receives the earlier one (-1 when none). */
int store_tx_warn_level_swap(struct store_tx *tx, const char *area, int level, double score,
                             int64_t at, int *prev);
/* Whether a warning of area and kind was raised at or after since (open_only: still raised or
 * seen, any age). */
int store_tx_warn_exists(struct store_tx *tx, const char *area, const char *kind, int64_t since,
                         int open_only, int *exists);
int store_tx_warn_insert(struct store_tx *tx, const struct store_warning_new *w, int64_t *id);
/* A warning's division and status; FQ_ENOTFOUND if none. */
int store_tx_warn_get(struct store_tx *tx, int64_t id, char division[16], char status[16],
                      char area[24], char title[256]);
/* Moves a warning to status ("seen", "case", "dismissed") by user with reason / case code (may be
 * NULL) at `at`. */
int store_tx_warn_set(struct store_tx *tx, int64_t id, const char *status, int64_t user_id,
                      const char *reason, const char *case_code, int64_t at);
/* Warnings of division's subtree ("" = all), status NULL = any, newest first, at most limit, as
 * JSON [{id, area, area_kind, division, kind, level, score, title, factors, status, raised_at,
 * seen_at, seen_by, handled_at, handled_by, reason, case_code}]. */
int store_warnings(struct store_rd *rd, const char *division, const char *status, int limit,
                   json_t **out);
/* The same for warnings raised in [from, to) ms, oldest first (the monthly report). */
int store_warnings_period(struct store_rd *rd, const char *division, int64_t from, int64_t to,
                          int limit, json_t **out);
/* One warning in that shape; FQ_ENOTFOUND if none. */
int store_warning_get(struct store_rd *rd, int64_t id, json_t **out);

#endif
