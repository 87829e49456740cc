/* The domain context: everything the case logic needs besides the transaction — the store, the
 * personal-data key, the working-day calendar and SLA rules (swapped atomically when an admin
 * edits them), settings, and the event bus that feeds server-sent events. One per process. */
#ifndef FQ_CORE_DOMAIN_H
#define FQ_CORE_DOMAIN_H

#include <pthread.h>
#include <stdint.h>

#include "core/bus.h"
#include "core/calendar.h"
#include "core/pii.h"
#include "store/store.h"

struct dedup_cache;

struct fq_domain {
    struct store *store;
    struct dedup_cache *dedup;    /* shingle sets of recent cases (core/dedup.h); NULL: none */
    struct pii_key key;
    struct bus *bus;              /* may be NULL (CLI) */
    char data_dir[512];           /* attachments live under data_dir/files */
    pthread_rwlock_t lock;        /* guards cal and rules (the pointers, not what they point to) */
    struct calendar *cal;
    struct fq_sla_rule *rules;
    int nrules;
    _Atomic int64_t supervise_margin_ms; /* overdue by this much → supervision order (24 h) */
    _Atomic int64_t session_idle_ms;     /* default 30 min; both editable (domain_settings) */
};

/* Opens the domain over an open store: loads the key (key_path), calendar, SLA rules and
 * settings. 0 or an FQ_E* code with e filled. */
int domain_open(struct fq_domain *d, struct store *s, const char *key_path, const char *data_dir,
                struct fq_error *e);
void domain_close(struct fq_domain *d);
/* Settings an admin may change, with their bounds (see domain_settings). */
struct domain_setting {
    const char *key;
    const char *label;            /* Chinese description */
    long long min, max, dflt;
};
/* The NULL-terminated list of editable settings. */
extern const struct domain_setting domain_settings[];
/* Re-reads the settings (supervision margin, session idle timeout) from the store. */
void domain_load_settings(struct fq_domain *d);
/* Re-reads the calendar and SLA rules from the store (after an admin edit). */
int domain_reload(struct fq_domain *d);
/* Computes due/warn for a case starting at `start` under the current rules. */
void domain_deadline(struct fq_domain *d, int grade, int level, int channel, int64_t start,
                     int64_t *due, int64_t *warn);
/* Working days left until due (negative when overdue), under the current calendar. */
double domain_working_days_left(struct fq_domain *d, int64_t now, int64_t due);

#endif
