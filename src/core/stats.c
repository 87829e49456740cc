/* Statistics: the indicator definitions of docs/METRICS.md, in one place.
 *
 * The cohort of every indicator is the cases registered (受理) in the period, counted in the state
 * they are in now. stats_case_fact says what one case adds to the store's additive counters; the
 * store keeps those counters fresh in the same transaction as each case write
 * (store/store_stats.h), and the rest of this file turns summed counters into rates, averages,
 * a composite score and stars. */
#include "core/stats.h"
#include "core/ident.h"
#include "core/sla.h"
#include "util/clock.h"
#include "util/log.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- what a case contributes ---------- */

static int row_for(struct stat_fact *f, int64_t department)
{
    for (int i = 0; i < f->n; i++)
        if (f->rows[i].department == department)
            return i;
    if (f->n == STAT_FACT_ROWS)
        return -1;
    memset(&f->rows[f->n], 0, sizeof f->rows[f->n]);
    f->rows[f->n].department = department;
    return f->n++;
}

void stats_case_fact(struct fq_domain *d, const struct fq_case *c, const struct fq_assignment *as,
                     int nas, unsigned links, struct stat_fact *f)
{
    memset(f, 0, sizeof *f);
    if (links & STAT_LINK_MERGED)
        return; /* a duplicate merged into another case: the matter counts once, there */
    f->day = day_of_ms(c->created_at);
    snprintf(f->division, sizeof f->division, "%s", c->division);
    snprintf(f->category, sizeof f->category, "%s", c->category);
    f->channel = c->channel;
    f->grade = c->grade;

    /* the case itself counts once, at its current lead department (0: not dispatched) */
    int r = row_for(f, c->lead_department);
    int64_t *v = f->rows[r].v;
    int closed = c->status == ST_CLOSED || c->status == ST_ARCHIVED;
    v[STAT_INTAKE] = 1;
    v[STAT_CLOSED] = closed;
    v[STAT_SETTLED] = closed && c->success == 1;
    v[STAT_ON_TIME] = closed && c->light != LIGHT_RED;
    v[STAT_OVERDUE] = c->light == LIGHT_RED;
    v[STAT_RATED] = c->satisfaction != SAT_NONE;
    v[STAT_SATISFIED] = c->satisfaction == SAT_SATISFIED;
    v[STAT_BASIC] = c->satisfaction == SAT_BASIC;
    v[STAT_DISSATISFIED] = c->satisfaction == SAT_DISSATISFIED;
    v[STAT_FOLLOWED] = closed && c->followed_up > 0;
    v[STAT_REPEAT] = c->repeat_of != 0 || (links & STAT_LINK_REPEAT);
    v[STAT_RETURNED] = c->returns > 0;
    v[STAT_SUPERVISIONS] = c->supervised;
    v[STAT_SUPERVISED] = c->supervised > 0;

    int response_hours = 0;
    pthread_rwlock_rdlock(&d->lock);
    if (closed) {
        int64_t end = c->resolved_at ? c->resolved_at : c->closed_at;
        v[STAT_WORK_MS] = llround(calendar_working_hours(d->cal, c->created_at, end) * FQ_HOUR_MS);
    }
    const struct fq_sla_rule *rule = sla_match(d->rules, d->nrules, c->grade, c->level, c->channel);
    if (rule)
        response_hours = rule->response_hours;
    pthread_rwlock_unlock(&d->lock);

    /* every assignment counts at its own department, except one withdrawn (escalation) before
     * the department had accepted it */
    for (int i = 0; i < nas; i++) {
        const struct fq_assignment *a = &as[i];
        if (a->status == AS_CANCELLED && a->accepted_at == 0)
            continue;
        if ((r = row_for(f, a->department_id)) < 0)
            continue;
        v = f->rows[r].v;
        v[STAT_ASSIGNED]++;
        if (a->accepted_at &&
            (response_hours == 0 || a->accepted_at - a->assigned_at <= response_hours * FQ_HOUR_MS))
            v[STAT_RESPONDED]++;
        if (a->status == AS_RETURNED)
            v[STAT_RETURNS]++;
    }
}

static void fact_fn(const struct fq_case *c, const struct fq_assignment *as, int nas,
                    unsigned links, struct stat_fact *out, void *arg)
{
    stats_case_fact(arg, c, as, nas, links, out);
}

static struct fq_domain *attached;

static void rebuild_progress(long done, long total, void *arg)
{
    (void)arg;
    if (done == total || done % 100000 == 0)
        log_info("stats: rebuilt %ld of %ld cases", done, total);
}

void stats_attach(struct fq_domain *d)
{
    attached = d;
    store_stats_install(fact_fn, d);
}

int stats_rebuild_if_needed(struct fq_domain *d)
{
    char flag[8];
    struct store_rd *rd = store_rd(d->store);
    if (!rd || store_setting_get(rd, "stats.rebuild", flag, sizeof flag) || flag[0] != '1')
        return 0;
    log_info("stats: building the statistics aggregates of existing cases");
    int rc = store_stats_rebuild(d->store, rebuild_progress, NULL);
    if (rc)
        log_warn("stats: rebuild failed (%d); the aggregates lag behind", rc);
    return rc;
}

void stats_detach(struct fq_domain *d)
{
    if (attached != d)
        return;
    store_stats_install(NULL, NULL);
    attached = NULL;
}

/* ---------- settings and names ---------- */

int stats_satisfaction_parse(const char *s, int *out)
{
    if (s && !strcmp(s, "share"))
        *out = STATS_SAT_SHARE;
    else if (s && (!strcmp(s, "weighted") || !strcmp(s, "12345")))
        *out = STATS_SAT_WEIGHTED;
    else
        return FQ_EINVAL;
    return 0;
}

int stats_satisfaction_default(struct fq_domain *d)
{
    char v[32];
    int f = STATS_SAT_SHARE;
    struct store_rd *rd = store_rd(d->store);
    if (rd && store_setting_get(rd, "stats.satisfaction_formula", v, sizeof v) == 0)
        stats_satisfaction_parse(v, &f);
    return f;
}

static const char *const group_names[SG__COUNT] = {
    "none",  "division", "department", "category", "category1", "channel",
    "grade", "day",      "week",       "month",    "quarter",   "year"};

const char *stats_group_name(int g)
{
    return g >= 0 && g < SG__COUNT ? group_names[g] : "";
}

int stats_group_parse(const char *s, int *out)
{
    for (int i = 0; s && i < SG__COUNT; i++)
        if (!strcmp(s, group_names[i])) {
            *out = i;
            return 0;
        }
    return FQ_EINVAL;
}

/* ---------- rates ---------- */

static double ratio(int64_t num, int64_t den)
{
    return den > 0 ? (double)num / (double)den : -1;
}

double stats_rate(const int64_t v[STAT__COUNT], const char *name, int sat)
{
    if (!strcmp(name, "closure_rate"))
        return ratio(v[STAT_CLOSED], v[STAT_INTAKE]);
    if (!strcmp(name, "settlement_rate"))
        return ratio(v[STAT_SETTLED], v[STAT_CLOSED]);
    if (!strcmp(name, "on_time_rate"))
        return ratio(v[STAT_ON_TIME], v[STAT_CLOSED]);
    if (!strcmp(name, "overdue_rate"))
        return ratio(v[STAT_OVERDUE], v[STAT_INTAKE]);
    if (!strcmp(name, "response_rate"))
        return ratio(v[STAT_RESPONDED], v[STAT_ASSIGNED]);
    if (!strcmp(name, "satisfaction_rate")) {
        if (v[STAT_RATED] <= 0)
            return -1;
        double num = sat == STATS_SAT_WEIGHTED
                         ? (double)v[STAT_SATISFIED] + 0.9 * (double)v[STAT_BASIC]
                         : (double)(v[STAT_SATISFIED] + v[STAT_BASIC]);
        return num / (double)v[STAT_RATED];
    }
    if (!strcmp(name, "follow_up_rate"))
        return ratio(v[STAT_FOLLOWED], v[STAT_CLOSED]);
    if (!strcmp(name, "repeat_rate"))
        return ratio(v[STAT_REPEAT], v[STAT_INTAKE]);
    if (!strcmp(name, "return_rate"))
        return ratio(v[STAT_RETURNS], v[STAT_ASSIGNED]);
    if (!strcmp(name, "avg_handling_hours"))
        return v[STAT_CLOSED] > 0
                   ? (double)v[STAT_WORK_MS] / (double)v[STAT_CLOSED] / (double)FQ_HOUR_MS
                   : -1;
    return -1;
}

static const char *const rate_names[] = {
    "closure_rate",      "settlement_rate", "on_time_rate", "overdue_rate", "response_rate",
    "satisfaction_rate", "follow_up_rate",  "repeat_rate",  "return_rate",  "avg_handling_hours"};

json_t *stats_indicators(const int64_t v[STAT__COUNT], int sat)
{
    json_t *o = json_object();
    for (int i = 0; i < STAT__COUNT; i++)
        json_object_set_new(o, stat_counter_name(i), json_integer(v[i]));
    json_object_set_new(o, "open", json_integer(v[STAT_INTAKE] - v[STAT_CLOSED]));
    for (size_t i = 0; i < sizeof rate_names / sizeof rate_names[0]; i++) {
        double r = stats_rate(v, rate_names[i], sat);
        json_object_set_new(o, rate_names[i], r < 0 ? json_null() : json_real(r));
    }
    return o;
}

double stats_score(const int64_t v[STAT__COUNT], int sat)
{
    static const struct {
        const char *rate;
        double weight;
        int inverse;
    } parts[] = {{"on_time_rate", 25, 0},  {"closure_rate", 20, 0}, {"satisfaction_rate", 20, 0},
                 {"response_rate", 15, 0}, {"return_rate", 10, 1},  {"overdue_rate", 10, 1}};
    double sum = 0, weights = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        double r = stats_rate(v, parts[i].rate, sat);
        if (r < 0)
            continue;
        sum += parts[i].weight * (parts[i].inverse ? 1 - r : r);
        weights += parts[i].weight;
    }
    return weights > 0 ? 100.0 * sum / weights : -1;
}

int stats_stars(double score)
{
    return score >= 90 ? 5 : score >= 80 ? 4 : score >= 70 ? 3 : score >= 60 ? 2 : 1;
}

/* ---------- reports ---------- */

struct collect {
    json_t *groups;
    int64_t total[STAT__COUNT];
    int sat;
};

static int collect_row(const char *key, const int64_t v[STAT__COUNT], void *arg)
{
    struct collect *c = arg;
    json_t *o = stats_indicators(v, c->sat);
    json_object_set_new(o, "key", json_string(key));
    json_array_append_new(c->groups, o);
    for (int i = 0; i < STAT__COUNT; i++)
        c->total[i] += v[i];
    return 0;
}

/* Human label of a group key. */
static json_t *group_label(struct store_rd *rd, int group, const char *key, json_t *categories)
{
    char name[96], parent[FQ_DIVISION_LEN + 1];
    int level, v;
    switch (group) {
    case SG_DIVISION:
        return store_division_get(rd, key, name, &level, parent) == 0 ? json_string(name)
                                                                      : json_string(key);
    case SG_DEPARTMENT: {
        struct fq_department dep;
        if (!strcmp(key, "0"))
            return json_string("未派单");
        return store_department_get(rd, atoll(key), &dep) == 0 ? json_string(dep.name)
                                                               : json_string(key);
    }
    case SG_CATEGORY:
    case SG_CATEGORY1: {
        if (!key[0])
            return json_string("未研判");
        size_t i;
        json_t *c;
        json_array_foreach(categories, i, c)
        {
            if (!strcmp(json_string_value(json_object_get(c, "code")), key))
                return json_incref(json_object_get(c, "name"));
        }
        return json_string(key);
    }
    case SG_CHANNEL:
        v = atoi(key);
        return json_string(channel_label_zh(v));
    case SG_GRADE:
        v = atoi(key);
        return json_string(v ? grade_label_zh(v) : "未定级");
    case SG_DAY:
    case SG_WEEK: {
        char day[11];
        day_format(atoll(key), day);
        return json_string(day);
    }
    default:
        return json_string(key);
    }
}

/* Rewrites machine keys into API keys (channel and grade names, ISO days). */
static void api_key(int group, json_t *o)
{
    const char *key = json_string_value(json_object_get(o, "key"));
    char buf[16];
    if (group == SG_CHANNEL)
        json_object_set_new(o, "key", json_string(channel_name(atoi(key))));
    else if (group == SG_GRADE)
        json_object_set_new(o, "key",
                            atoi(key) ? json_string(grade_name(atoi(key))) : json_string("none"));
    else if (group == SG_DEPARTMENT)
        json_object_set_new(o, "key", json_integer(atoll(key)));
    else if (group == SG_DAY || group == SG_WEEK) {
        day_format(atoll(key), buf);
        json_object_set_new(o, "key", json_string(buf));
    }
}

int stats_report(struct fq_domain *d, struct store_rd *rd, const struct store_stats_query *q,
                 int sat, json_t **out)
{
    struct collect c;
    char from[11], to[11];
    json_t *categories = NULL;
    memset(&c, 0, sizeof c);
    c.groups = json_array();
    c.sat = sat;
    (void)d;
    *out = NULL;
    int rc = store_stats_sum(rd, q, collect_row, &c);
    if (rc) {
        json_decref(c.groups);
        return rc;
    }
    if (q->group == SG_CATEGORY || q->group == SG_CATEGORY1)
        store_categories(rd, NULL, &categories);
    size_t i;
    json_t *g;
    json_array_foreach(c.groups, i, g)
    {
        json_object_set_new(
            g, "label",
            group_label(rd, q->group, json_string_value(json_object_get(g, "key")), categories));
        api_key(q->group, g);
    }
    json_decref(categories);
    day_format(q->from_day, from);
    day_format(q->to_day - 1, to);
    *out = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "from", from, "to", to, "group_by",
                     stats_group_name(q->group), "satisfaction_formula",
                     sat == STATS_SAT_WEIGHTED ? "weighted" : "share", "total",
                     stats_indicators(c.total, sat), "groups", c.groups);
    return *out ? 0 : FQ_ENOMEM;
}

static int by_score(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    double sx = json_real_value(json_object_get(x, "score"));
    double sy = json_real_value(json_object_get(y, "score"));
    if (sx != sy)
        return sx < sy ? 1 : -1;
    json_int_t cx = json_integer_value(json_object_get(x, "closed"));
    json_int_t cy = json_integer_value(json_object_get(y, "closed"));
    if (cx != cy)
        return cx < cy ? 1 : -1;
    json_int_t kx = json_integer_value(json_object_get(x, "department_id"));
    json_int_t ky = json_integer_value(json_object_get(y, "department_id"));
    return kx < ky ? -1 : kx > ky;
}

struct rank_collect {
    json_t **items;
    int n, cap;
    int sat;
    struct store_rd *rd;
};

static int rank_row(const char *key, const int64_t v[STAT__COUNT], void *arg)
{
    struct rank_collect *rc = arg;
    int64_t id = atoll(key);
    struct fq_department dep;
    if (id == 0 || (v[STAT_INTAKE] == 0 && v[STAT_ASSIGNED] == 0))
        return 0;
    double score = stats_score(v, rc->sat);
    if (score < 0)
        return 0;
    if (rc->n == rc->cap) {
        int cap = rc->cap ? rc->cap * 2 : 64;
        json_t **p = realloc(rc->items, (size_t)cap * sizeof *p);
        if (!p)
            return 1;
        rc->items = p;
        rc->cap = cap;
    }
    json_t *o = stats_indicators(v, rc->sat);
    json_object_set_new(o, "department_id", json_integer(id));
    if (store_department_get(rc->rd, id, &dep) == 0) {
        json_object_set_new(o, "name", json_string(dep.name));
        json_object_set_new(o, "kind", json_string(dep.kind));
        json_object_set_new(o, "division", json_string(dep.division));
    } else {
        json_object_set_new(o, "name", json_string(key));
    }
    score = round(score * 100) / 100;
    json_object_set_new(o, "score", json_real(score));
    json_object_set_new(o, "stars", json_integer(stats_stars(score)));
    rc->items[rc->n++] = o;
    return 0;
}

int stats_ranking(struct fq_domain *d, struct store_rd *rd, const struct store_stats_query *q,
                  int sat, json_t **out)
{
    struct store_stats_query qq = *q;
    struct rank_collect c;
    char from[11], to[11];
    (void)d;
    memset(&c, 0, sizeof c);
    c.sat = sat;
    c.rd = rd;
    qq.group = SG_DEPARTMENT;
    *out = NULL;
    int rc = store_stats_sum(rd, &qq, rank_row, &c);
    if (rc == 0) {
        if (c.n > 1)
            qsort(c.items, (size_t)c.n, sizeof *c.items, by_score);
        json_t *arr = json_array();
        for (int i = 0; i < c.n; i++) {
            json_object_set_new(c.items[i], "rank", json_integer(i + 1));
            json_array_append_new(arr, c.items[i]);
        }
        day_format(q->from_day, from);
        day_format(q->to_day - 1, to);
        *out =
            json_pack("{s:s, s:s, s:s, s:o, s:o}", "from", from, "to", to, "satisfaction_formula",
                      sat == STATS_SAT_WEIGHTED ? "weighted" : "share", "weights",
                      json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "on_time_rate", 25,
                                "closure_rate", 20, "satisfaction_rate", 20, "response_rate", 15,
                                "return_rate_inverse", 10, "overdue_rate_inverse", 10),
                      "items", arr);
    } else {
        for (int i = 0; i < c.n; i++)
            json_decref(c.items[i]);
    }
    free(c.items);
    if (rc == 0 && !*out)
        rc = FQ_ENOMEM;
    return rc;
}
