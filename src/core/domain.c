/* The domain context: key, calendar, SLA rules and settings loaded once, swapped under a
 * read-write lock when an admin changes them. */
#include "core/domain.h"
#include "core/dedup.h"
#include "core/sla.h"
#include "util/clock.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct domain_setting domain_settings[] = {
    {"sla.supervise_margin_hours", "超期多少小时后自动督办 (hours overdue before an automatic supervision order)", 1, 24 * 90, 24},
    {"auth.session_idle_minutes", "会话空闲超时分钟数 (session idle timeout, minutes)", 5, 24 * 60, 30},
    {NULL, NULL, 0, 0, 0},
};

static int load_tables(struct fq_domain *d, struct calendar **cal, struct fq_sla_rule **rules, int *n)
{
    struct store_rd *rd = store_rd(d->store);
    int64_t *days = NULL;
    char *kinds = NULL;
    int nd = 0, rc;
    if (!rd)
        return FQ_EIO;
    if ((rc = store_holidays(rd, &days, &kinds, &nd)))
        return rc;
    *cal = calendar_new(days, kinds, nd);
    free(days);
    free(kinds);
    if (!*cal)
        return FQ_ENOMEM;
    if ((rc = store_sla_rules(rd, rules, n))) {
        calendar_free(*cal);
        *cal = NULL;
        return rc;
    }
    if (*n == 0) { /* an empty policy table still yields deadlines */
        free(*rules);
        sla_default_rules(rules, n);
    }
    return 0;
}

static int64_t setting_ms(struct store_rd *rd, const char *key, int64_t unit, int64_t dflt)
{
    char v[64];
    if (store_setting_get(rd, key, v, sizeof v))
        return dflt;
    long long x = atoll(v);
    return x > 0 ? x * unit : dflt;
}

int domain_open(struct fq_domain *d, struct store *s, const char *key_path, const char *data_dir,
                struct fq_error *e)
{
    memset(d, 0, sizeof *d);
    d->store = s;
    snprintf(d->data_dir, sizeof d->data_dir, "%s", data_dir ? data_dir : "");
    int rc = pii_key_load(key_path, 0, &d->key);
    if (rc)
        return fq_fail(e, rc, "key_file", "", "cannot load key file %s (run `fengqiao init`)", key_path);
    pthread_rwlock_init(&d->lock, NULL);
    if ((rc = load_tables(d, &d->cal, &d->rules, &d->nrules)))
        return fq_fail(e, rc, "store", "", "cannot load calendar and SLA policy");
    domain_load_settings(d);
    d->dedup = dedup_cache_new(DEDUP_CACHE_SLOTS); /* NULL (out of memory) only costs speed */
    return 0;
}

void domain_load_settings(struct fq_domain *d)
{
    struct store_rd *rd = store_rd(d->store);
    d->supervise_margin_ms = setting_ms(rd, "sla.supervise_margin_hours", FQ_HOUR_MS, 24 * FQ_HOUR_MS);
    d->session_idle_ms = setting_ms(rd, "auth.session_idle_minutes", 60000, 30 * 60000);
}

void domain_close(struct fq_domain *d)
{
    if (!d || !d->store)
        return;
    calendar_free(d->cal);
    free(d->rules);
    dedup_cache_free(d->dedup);
    d->dedup = NULL;
    pthread_rwlock_destroy(&d->lock);
    d->cal = NULL;
    d->rules = NULL;
    d->store = NULL;
}

int domain_reload(struct fq_domain *d)
{
    struct calendar *cal, *oldcal;
    struct fq_sla_rule *rules, *oldrules;
    int n, rc = load_tables(d, &cal, &rules, &n);
    if (rc)
        return rc;
    pthread_rwlock_wrlock(&d->lock);
    oldcal = d->cal;
    oldrules = d->rules;
    d->cal = cal;
    d->rules = rules;
    d->nrules = n;
    pthread_rwlock_unlock(&d->lock);
    calendar_free(oldcal);
    free(oldrules);
    return 0;
}

void domain_deadline(struct fq_domain *d, int grade, int level, int channel, int64_t start,
                     int64_t *due, int64_t *warn)
{
    pthread_rwlock_rdlock(&d->lock);
    const struct fq_sla_rule *r = sla_match(d->rules, d->nrules, grade, level, channel);
    if (r) {
        sla_deadline(d->cal, r, start, due, warn);
    } else {
        *due = calendar_add_working_days(d->cal, start, 3);
        *warn = start + (*due - start) * 3 / 4;
    }
    pthread_rwlock_unlock(&d->lock);
}

double domain_working_days_left(struct fq_domain *d, int64_t now, int64_t due)
{
    pthread_rwlock_rdlock(&d->lock);
    double v = calendar_working_days_left(d->cal, now, due);
    pthread_rwlock_unlock(&d->lock);
    return v;
}
