/* Early warning: indicators, score, forecast, surge test, and the periodic recompute that turns
 * them into warning records (see warning.h and docs/WARNING.md). */
#include "core/warning.h"
#include "core/textsim.h"
#include "store/store_warning.h"
#include "util/clock.h"
#include "util/log.h"

#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_MS FQ_DAY_MS

static const struct {
    const char *name, *zh;
    int window; /* 0: 7 days, 1: 30 days, 2: 90 days */
    double weight, cap;
    int per_grid; /* the cap scales with the grids of the area */
} factors[WF__COUNT] = {
    [WF_CASES] = {"cases", "案件数(7天)", 0, 8, 6, 1},
    [WF_GROWTH] = {"growth", "较自身基线增幅", 0, 10, 2, 0},
    [WF_GROUP] = {"group", "群体性纠纷(≥5人)", 1, 8, 2, 1},
    [WF_REPEAT] = {"repeat", "重复信访", 1, 8, 3, 1},
    [WF_OVERDUE] = {"overdue", "超期未办结", 1, 8, 3, 1},
    [WF_DISSATISFIED] = {"dissatisfied", "不满意评价(90天)", 2, 6, 3, 1},
    [WF_ESCALATED] = {"escalated", "上交升级", 1, 6, 3, 1},
    [WF_UNRESOLVED30] = {"unresolved_30d", "超30天未化解", 1, 6, 3, 1},
    [WF_THREAT] = {"threat_words", "扬言/极端言辞", 1, 10, 2, 1},
    [WF_POLICE] = {"police_linked", "110警情联动", 1, 5, 3, 1},
    [WF_HAZARD] = {"safety_hazard", "安全隐患", 1, 6, 3, 1},
    [WF_KEY_PERSONS] = {"key_persons", "重点人员(代理:90天内≥3件的当事人)", 2, 6, 2, 1},
    [WF_SUPERVISED] = {"supervised", "督办", 1, 4, 2, 1},
    [WF_SURGE] = {"surge", "突增检验(-log10 p)", 0, 17, 6, 0},
    [WF_ESCALATION] = {"escalation", "矛盾升级苗头(相似案件聚集)", 0, 12, 4, 0},
};

static const char *const threat_words[] = {
    "扬言", "自杀",   "跳楼", "跳河",     "报复", "聚集", "极端", "上访",   "进京",   "堵路",
    "闹事", "拉横幅", "爆炸", "同归于尽", "砍人", "围堵", "静坐", "喝农药", "讨说法", NULL};

void warn_config_default(struct warn_config *c)
{
    memset(c, 0, sizeof *c);
    for (int f = 0; f < WF__COUNT; f++) {
        c->weight[f] = factors[f].weight;
        c->cap[f] = factors[f].cap;
    }
    c->surge_p = 1e-6;
    c->surge_min = 5;
    c->level_at[0] = 20;
    c->level_at[1] = 40;
    c->level_at[2] = 60;
    c->esc_sim = 0.3;
    c->esc_place = 0.7;
    c->esc_min = 3;
    c->esc_at = 3;
}

static int factor_find(const char *name)
{
    for (int f = 0; f < WF__COUNT; f++)
        if (!strcmp(factors[f].name, name))
            return f;
    return -1;
}

int warn_config_parse(struct warn_config *c, const char *json, struct fq_error *e)
{
    struct warn_config t = *c;
    json_error_t je;
    json_t *o = json_loads(json, 0, &je), *v;
    const char *key;
    int rc = 0;
    if (!json_is_object(o)) {
        rc = fq_fail(e, FQ_EINVAL, "invalid_json", "", "预警权重须为 JSON 对象");
        goto done;
    }
    json_object_foreach(o, key, v)
    {
        int f = factor_find(key);
        if (f >= 0 && json_is_number(v) && json_number_value(v) >= 0) {
            t.weight[f] = json_number_value(v);
        } else if (f >= 0 && json_is_object(v)) {
            json_t *w = json_object_get(v, "weight"), *cp = json_object_get(v, "cap");
            if ((w && (!json_is_number(w) || json_number_value(w) < 0)) ||
                (cp && (!json_is_number(cp) || json_number_value(cp) <= 0))) {
                rc = fq_fail(e, FQ_EINVAL, "invalid_value", key, "权重须 ≥ 0，上限须 > 0");
                goto done;
            }
            if (w)
                t.weight[f] = json_number_value(w);
            if (cp)
                t.cap[f] = json_number_value(cp);
        } else if (!strcmp(key, "surge_p") && json_is_number(v) && json_number_value(v) > 0 &&
                   json_number_value(v) < 1) {
            t.surge_p = json_number_value(v);
        } else if (!strcmp(key, "surge_min") && json_is_integer(v) && json_integer_value(v) >= 1) {
            t.surge_min = (int)json_integer_value(v);
        } else if (!strcmp(key, "escalation_similarity") && json_is_number(v) &&
                   json_number_value(v) > 0 && json_number_value(v) <= 1) {
            t.esc_sim = json_number_value(v);
        } else if (!strcmp(key, "escalation_place") && json_is_number(v) &&
                   json_number_value(v) >= 0 && json_number_value(v) <= 1) {
            t.esc_place = json_number_value(v);
        } else if (!strcmp(key, "escalation_min") && json_is_integer(v) &&
                   json_integer_value(v) >= 2 && json_integer_value(v) <= WARN_ESC_CASES) {
            t.esc_min = (int)json_integer_value(v);
        } else if (!strcmp(key, "escalation_at") && json_is_number(v) && json_number_value(v) >= 0) {
            t.esc_at = json_number_value(v);
        } else if (!strcmp(key, "levels") && json_is_array(v) && json_array_size(v) == 3) {
            for (int i = 0; i < 3; i++) {
                json_t *x = json_array_get(v, (size_t)i);
                if (!json_is_number(x) || (i && json_number_value(x) <= t.level_at[i - 1])) {
                    rc = fq_fail(e, FQ_EINVAL, "invalid_value", key, "等级阈值须为递增的三个数");
                    goto done;
                }
                t.level_at[i] = json_number_value(x);
            }
        } else {
            rc = fq_fail(e, FQ_EINVAL, "invalid_value", key, "未知或无效的预警参数: %s", key);
            goto done;
        }
    }
    double sum = 0;
    for (int f = 0; f < WF__COUNT; f++)
        sum += t.weight[f];
    if (sum <= 0) {
        rc = fq_fail(e, FQ_EINVAL, "invalid_value", "", "权重之和须 > 0");
        goto done;
    }
    *c = t;
done:
    json_decref(o);
    return rc;
}

void warn_config_load(struct store_rd *rd, struct warn_config *c)
{
    char buf[4096];
    struct fq_error e = {0};
    warn_config_default(c);
    if (rd && store_setting_get(rd, "warning.weights", buf, sizeof buf) == 0 &&
        warn_config_parse(c, buf, &e))
        log_warn("warning.weights ignored: %s", e.message);
}

double warn_poisson_upper(double lambda, int k)
{
    if (k <= 0)
        return 1.0;
    if (lambda <= 0)
        return 0.0;
    /* 1 - P(X <= k-1), summed in log space from the top term down for accuracy in the tail */
    double logp = -lambda, term = exp(logp), cdf = term;
    for (int i = 1; i < k; i++) {
        logp += log(lambda) - log((double)i);
        cdf += exp(logp);
    }
    double upper = 1.0 - cdf;
    if (upper < 1e-6) { /* cancellation: sum the tail directly */
        double t = -lambda + k * log(lambda) - lgamma((double)k + 1), s = 0;
        for (int i = k; i < k + 200; i++) {
            double x = exp(t);
            s += x;
            if (x < s * 1e-12)
                break;
            t += log(lambda) - log((double)i + 1);
        }
        upper = s;
    }
    return upper < 0 ? 0 : upper > 1 ? 1 : upper;
}

void warn_forecast(const int *day, int n, int dow_next, const struct warn_config *c,
                   struct warn_forecast *out)
{
    memset(out, 0, sizeof *out);
    /* the baseline leaves out the last 3 days so that a surge in progress does not lift it */
    double sum = 0, dsum[7] = {0};
    int dn[7] = {0}, nb = 0;
    for (int i = 3; i < n; i++) {
        int dow = ((dow_next - 1 - i) % 7 + 7) % 7;
        sum += day[i];
        dsum[dow] += day[i];
        dn[dow]++;
        nb++;
    }
    /* a floor keeps an area with no history from making every single case a surge */
    double mean = nb ? (sum + 0.5) / (nb + 1) : 0.5;
    if (mean < 0.02)
        mean = 0.02;
    /* day-of-week factors shrunk toward 1 with a prior worth 4 weeks of the mean and at least
     * 3 cases, so that a sparse area does not get a weekday factor from one busy day */
    double f[7], prior = 4 * mean > 3 ? 4 * mean : 3;
    for (int k = 0; k < 7; k++)
        f[k] = (dsum[k] + prior) / (dn[k] * mean + prior);
    int d0 = ((dow_next - 1) % 7 + 7) % 7, d1 = ((dow_next - 2) % 7 + 7) % 7, n1 = dow_next % 7,
        n2 = (dow_next + 1) % 7;
    out->baseline = mean * f[n1];
    /* exponential smoothing of the deseasonalised series, oldest first */
    double level = mean;
    for (int i = n - 1; i >= 0; i--) {
        int dow = ((dow_next - 1 - i) % 7 + 7) % 7;
        level = 0.3 * (day[i] / f[dow]) + 0.7 * level;
    }
    out->next24 = level * f[n1];
    out->next48 = level * (f[n1] + f[n2]);
    out->obs24 = n > 0 ? day[0] : 0;
    out->obs48 = out->obs24 + (n > 1 ? day[1] : 0);
    /* over-dispersion: one incident reported by several callers makes daily counts vary more
     * than a Poisson's; a quasi-Poisson test divides counts and baseline by phi = var / mean */
    double ss = 0;
    for (int i = 3; i < n; i++)
        ss += (day[i] - sum / (nb ? nb : 1)) * (day[i] - sum / (nb ? nb : 1));
    double phi = nb > 1 && sum > 0 ? ss / (nb - 1) / (sum / nb) : 1;
    phi = phi < 1 ? 1 : phi > 4 ? 4 : phi;
    out->dispersion = phi;
    double b24 = mean * f[d0], b48 = mean * (f[d0] + f[d1]), bnext48 = mean * (f[n1] + f[n2]);
    out->p24 = warn_poisson_upper(b24 / phi, (int)ceil(out->obs24 / phi));
    out->p48 = warn_poisson_upper(b48 / phi, (int)ceil(out->obs48 / phi));
    int fc = (int)floor(out->next48);
    out->pfc = warn_poisson_upper(bnext48 / phi, (int)ceil(fc / phi));
    out->surge = (out->p24 < c->surge_p && out->obs24 >= c->surge_min) ||
                 (out->p48 < c->surge_p && out->obs48 >= c->surge_min) ||
                 (out->pfc < c->surge_p && fc >= c->surge_min);
}

void warn_score(const struct warn_area *a, const struct warn_config *c, int dow_next,
                struct warn_score *out)
{
    memset(out, 0, sizeof *out);
    warn_forecast(a->day, WARN_DAYS, dow_next, c, &out->fc);
    out->fc.surge = out->fc.surge && warn_one_matter(a->same48, a->cases48);
    double wsum = 0, total = 0;
    for (int f = 0; f < WF__COUNT; f++) {
        double v;
        if (f == WF_GROWTH) {
            double base = 0;
            for (int i = 7; i < WARN_DAYS; i++)
                base += a->day[i];
            base = base / (WARN_DAYS - 7) * 7; /* expected 7-day count */
            v = (a->count[WF_CASES][0] - base) / (base > 1 ? base : 1);
            v = v > 0 ? v : 0;
        } else if (f == WF_SURGE) {
            double p = out->fc.p24 < out->fc.p48 ? out->fc.p24 : out->fc.p48;
            int obs = out->fc.p24 < out->fc.p48 ? out->fc.obs24 : out->fc.obs48;
            v = obs >= c->surge_min && p > 0 ? -log10(p) : obs >= c->surge_min ? 12 : 0;
        } else if (f == WF_ESCALATION) {
            v = a->esc.score;
        } else {
            v = a->count[f][factors[f].window];
        }
        double cap = c->cap[f] * (factors[f].per_grid && a->grids > 1 ? a->grids : 1);
        double norm = v / cap;
        norm = norm > 1 ? 1 : norm;
        out->value[f] = v;
        out->norm[f] = norm;
        wsum += c->weight[f];
        total += c->weight[f] * norm;
    }
    for (int f = 0; f < WF__COUNT; f++)
        out->contribution[f] = wsum > 0 ? 100.0 * c->weight[f] * out->norm[f] / wsum : 0;
    out->score = wsum > 0 ? 100.0 * total / wsum : 0;
    out->alert = out->fc.surge || a->esc.fired;
    out->level = out->score >= c->level_at[2]   ? WL_RED
                 : out->score >= c->level_at[1] ? WL_ORANGE
                 : out->score >= c->level_at[0] ? WL_YELLOW
                                                : WL_BLUE;
}

int warn_one_matter(int same, int n)
{
    return n == 0 || (same >= 3 && 2 * same >= n);
}

int warn_related(const struct warn_recent *a, const struct warn_recent *b,
                 const struct warn_config *cfg)
{
    if (textsim_jaccard(a->sh, a->nsh, b->sh, b->nsh) < cfg->esc_sim)
        return 0;
    /* the same matter happens at one place: two wage claims against two companies of one
     * village read alike (the demo fills templates; real callers use set phrases too), their
     * addresses do not. Without an address on both sides the text decides alone. */
    return cfg->esc_place <= 0 || !a->nplace || !b->nplace ||
           textsim_jaccard(a->place, a->nplace, b->place, b->nplace) >= cfg->esc_place;
}

/* Union-find root with path halving. */
static int uf_root(int *up, int i)
{
    while (up[i] != i)
        i = up[i] = up[up[i]];
    return i;
}

static int by_at_desc(const void *a, const void *b)
{
    const struct warn_recent *x = *(const struct warn_recent *const *)a,
                             *y = *(const struct warn_recent *const *)b;
    return x->at < y->at ? 1 : x->at > y->at ? -1 : 0;
}

void warn_escalation_test(const struct warn_recent *c, int n, int64_t now,
                          const struct warn_config *cfg, struct warn_escalation *out)
{
    const struct warn_recent *w[WARN_ESC_CASES];
    int up[WARN_ESC_CASES], k = 0;
    int64_t from = now - (int64_t)WARN_ESC_DAYS * DAY_MS;
    memset(out, 0, sizeof *out);
    /* the newest WARN_ESC_CASES of the window: a busy area cannot make the test quadratic */
    const struct warn_recent **all = NULL;
    int m = 0;
    for (int i = 0; i < n; i++)
        m += c[i].at >= from && c[i].at < now;
    if (m < 2 || m < cfg->esc_min)
        return;
    if (m > WARN_ESC_CASES && (all = malloc((size_t)m * sizeof *all)) != NULL) {
        m = 0;
        for (int i = 0; i < n; i++)
            if (c[i].at >= from && c[i].at < now)
                all[m++] = &c[i];
        qsort(all, (size_t)m, sizeof *all, by_at_desc);
        for (k = 0; k < WARN_ESC_CASES; k++)
            w[k] = all[k];
        free(all);
    } else {
        for (int i = 0; i < n && k < WARN_ESC_CASES; i++)
            if (c[i].at >= from && c[i].at < now)
                w[k++] = &c[i];
    }
    for (int i = 0; i < k; i++)
        up[i] = i;
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++)
            if (uf_root(up, i) != uf_root(up, j) && warn_related(w[i], w[j], cfg))
                up[uf_root(up, j)] = uf_root(up, i);
    /* score every group of at least esc_min related cases; keep the highest */
    for (int r = 0; r < k; r++) {
        if (uf_root(up, r) != r)
            continue;
        struct warn_escalation e = {0};
        int64_t first = INT64_MAX;
        for (int i = 0; i < k; i++) {
            if (uf_root(up, i) != r)
                continue;
            const struct warn_recent *x = w[i];
            e.cases++;
            e.threat += x->threat != 0;
            e.repeat += x->repeat != 0;
            if (x->at < first) {
                first = x->at;
                e.people_first = x->people;
            }
            if (now - x->at < 3 * DAY_MS) {
                e.recent++;
                if (x->people > e.people_last)
                    e.people_last = x->people;
            }
        }
        if (e.cases < cfg->esc_min || e.cases < 2)
            continue;
        /* evidence points: each related case beyond a pair, the cluster still growing (two or
         * more of them in the last 72 hours), threat words (up to two), the number of people
         * rising to a group (at least 5 and at least double the first), a repeat petition */
        e.score = e.cases - 2;
        e.score += e.recent >= 2;
        e.score += e.threat > 2 ? 2 : e.threat;
        e.score += e.people_last >= 5 && e.people_last >= 2 * e.people_first;
        e.score += e.repeat > 0;
        if (e.score > out->score || (e.score == out->score && e.cases > out->cases))
            *out = e;
    }
    /* a cluster that stopped growing is history, not a warning: one of its cases must be recent */
    out->fired = cfg->esc_at > 0 && out->cases >= cfg->esc_min && out->recent > 0 &&
                 out->score >= cfg->esc_at;
}

/* Phrases where a threat word means no threat: things or animals gathering, not people
 * massing to protest (聚集大量流动摊贩, 流浪狗聚集). */
static const char *const not_threats[] = {"聚集大量", "狗聚集", NULL};

/* 1 when the threat word at p is part of one of the phrases above. */
static int not_threat_at(const char *text, const char *p)
{
    for (int i = 0; not_threats[i]; i++) {
        size_t n = strlen(not_threats[i]);
        for (const char *q = p - (p - text < (ptrdiff_t)n ? p - text : (ptrdiff_t)n); q <= p; q++)
            if (!strncmp(q, not_threats[i], n))
                return 1;
    }
    return 0;
}

int warn_text_threat(const char *text)
{
    if (!text || !*text)
        return 0;
    for (int i = 0; threat_words[i]; i++)
        for (const char *p = strstr(text, threat_words[i]); p; p = strstr(p + 1, threat_words[i]))
            if (!not_threat_at(text, p))
                return 1;
    return 0;
}

const char *warn_factor_name(int f)
{
    return f >= 0 && f < WF__COUNT ? factors[f].name : "";
}
const char *warn_factor_zh(int f)
{
    return f >= 0 && f < WF__COUNT ? factors[f].zh : "";
}
const char *warn_level_name(int l)
{
    static const char *const n[] = {"blue", "yellow", "orange", "red"};
    return l >= 0 && l < WL__COUNT ? n[l] : "";
}
const char *warn_level_zh(int l)
{
    static const char *const n[] = {"蓝", "黄", "橙", "红"};
    return l >= 0 && l < WL__COUNT ? n[l] : "";
}
const char *warn_area_kind_name(int k)
{
    static const char *const n[] = {"grid", "village", "township"};
    return k >= 0 && k < WA__COUNT ? n[k] : "";
}
int warn_area_kind_parse(const char *s, int *k)
{
    for (int i = 0; s && i < WA__COUNT; i++)
        if (!strcmp(s, warn_area_kind_name(i))) {
            *k = i;
            return 0;
        }
    return FQ_EINVAL;
}

/* ---- computing the areas ---- */

/* A case of the last WARN_ESC_DAYS days, kept for the escalation test of its grid and village. */
struct recent_case {
    struct warn_recent r;
    int area[2]; /* index of its grid (-1 none) and of its village in areamap.a */
    size_t off;  /* its shingles, then its address's, in areamap.pool (pointers are set once the
                    pool stops moving) */
};

/* A categorised case of the last 48 hours in one of its areas (warn_one_matter). */
struct area_category {
    int area;
    uint32_t category; /* hash of the category code */
};

struct areamap {
    struct warn_area *a;
    int n, cap;
    int *slot; /* open addressing: index + 1, 0 = empty */
    int nslot;
    int64_t now;
    int err;
    struct recent_case *rc;
    int nrc, caprc;
    uint32_t *pool;
    size_t npool, cappool;
    int esc; /* the escalation test is on: keep the recent cases */
    struct area_category *ac;
    int nac, capac;
};

#define ESC_SHINGLES 256 /* shingles kept per case: a title and a description's worth */

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

static int map_rehash(struct areamap *m)
{
    int nslot = m->nslot ? m->nslot * 2 : 8192;
    int *slot = calloc((size_t)nslot, sizeof *slot);
    if (!slot)
        return FQ_ENOMEM;
    for (int i = 0; i < m->n; i++) {
        uint32_t h = hash_str(m->a[i].code) & (uint32_t)(nslot - 1);
        while (slot[h])
            h = (h + 1) & (uint32_t)(nslot - 1);
        slot[h] = i + 1;
    }
    free(m->slot);
    m->slot = slot;
    m->nslot = nslot;
    return 0;
}

/* The area of code, added (zeroed) when new; NULL on out of memory. */
static struct warn_area *map_get(struct areamap *m, const char *code, int kind, const char *parent)
{
    if ((m->n + 1) * 2 > m->nslot && map_rehash(m))
        return NULL;
    uint32_t h = hash_str(code) & (uint32_t)(m->nslot - 1);
    while (m->slot[h]) {
        struct warn_area *x = &m->a[m->slot[h] - 1];
        if (!strcmp(x->code, code))
            return x;
        h = (h + 1) & (uint32_t)(m->nslot - 1);
    }
    if (m->n == m->cap) {
        int cap = m->cap ? m->cap * 2 : 4096;
        void *p = realloc(m->a, (size_t)cap * sizeof *m->a);
        if (!p)
            return NULL;
        m->a = p;
        m->cap = cap;
    }
    struct warn_area *x = &m->a[m->n];
    memset(x, 0, sizeof *x);
    snprintf(x->code, sizeof x->code, "%s", code);
    snprintf(x->parent, sizeof x->parent, "%s", parent);
    x->kind = kind;
    m->slot[h] = ++m->n;
    return x;
}

static void township_of(const char *division, char out[16])
{
    snprintf(out, 16, "%.9s000", division);
}

static void on_grid(const char *code, const char *village, void *arg)
{
    struct areamap *m = arg;
    char town[16];
    if (!code || !village || strlen(village) < 12)
        return;
    township_of(village, town);
    struct warn_area *g = map_get(m, code, WA_GRID, village);
    struct warn_area *v = map_get(m, village, WA_VILLAGE, village);
    struct warn_area *t = map_get(m, town, WA_TOWNSHIP, town);
    if (!g || !v || !t) {
        m->err = FQ_ENOMEM;
        return;
    }
    g->grids = 1;
    v->grids++;
    t->grids++;
}

static void area_add(struct warn_area *x, const struct store_warn_case *c, int64_t age,
                     const int *flag)
{
    int64_t d = age / DAY_MS;
    int w0 = age < 7 * DAY_MS ? 0 : age < 30 * DAY_MS ? 1 : age < 90 * DAY_MS ? 2 : 3;
    if (age >= 0 && d < WARN_DAYS)
        x->day[d]++;
    for (int f = 0; f < WF__COUNT; f++) {
        if (!flag[f])
            continue;
        if (f == WF_OVERDUE || f == WF_UNRESOLVED30) { /* states: count in every window */
            for (int w = 0; w < 3; w++)
                x->count[f][w]++;
            continue;
        }
        for (int w = w0; w < 3; w++)
            x->count[f][w]++;
    }
    (void)c;
}

/* Keeps a case of the last WARN_ESC_DAYS days with its shingles; FQ_ENOMEM. */
static int recent_add(struct areamap *m, const struct store_warn_case *c, int grid, int village,
                      int threat)
{
    char text[2048];
    uint32_t sh[2 * ESC_SHINGLES];
    if (m->nrc == m->caprc) {
        int cap = m->caprc ? m->caprc * 2 : 1024;
        void *p = realloc(m->rc, (size_t)cap * sizeof *m->rc);
        if (!p)
            return FQ_ENOMEM;
        m->rc = p;
        m->caprc = cap;
    }
    snprintf(text, sizeof text, "%s。%s", c->title, c->description);
    int nsh = textsim_shingles(text, sh, ESC_SHINGLES);
    int nplace = textsim_shingles(c->address, sh + nsh, ESC_SHINGLES);
    int nall = nsh + nplace;
    if (m->npool + (size_t)nall > m->cappool) {
        size_t cap = m->cappool ? m->cappool * 2 : 65536;
        while (cap < m->npool + (size_t)nall)
            cap *= 2;
        void *p = realloc(m->pool, cap * sizeof *m->pool);
        if (!p)
            return FQ_ENOMEM;
        m->pool = p;
        m->cappool = cap;
    }
    if (nall > 0) /* the pool may still be NULL, and memcpy(NULL, …, 0) is undefined */
        memcpy(m->pool + m->npool, sh, (size_t)nall * sizeof *sh);
    struct recent_case *x = &m->rc[m->nrc++];
    memset(x, 0, sizeof *x);
    x->r.at = c->created_at;
    x->r.nsh = nsh;
    x->r.nplace = nplace;
    x->r.people = c->people_count;
    x->r.threat = threat;
    x->r.repeat = c->repeat_of > 0;
    x->area[0] = grid;
    x->area[1] = village;
    x->off = m->npool;
    m->npool += (size_t)nall;
    return 0;
}

/* Notes a categorised case of the last 48 hours in each of its areas (-1: none); FQ_ENOMEM. */
static int category_add(struct areamap *m, const char *category, const int *area, int nareas)
{
    if (m->nac + nareas > m->capac) {
        int cap = m->capac ? m->capac * 2 : 1024;
        void *p = realloc(m->ac, (size_t)cap * sizeof *m->ac);
        if (!p)
            return FQ_ENOMEM;
        m->ac = p;
        m->capac = cap;
    }
    for (int i = 0; i < nareas; i++)
        if (area[i] >= 0)
            m->ac[m->nac++] = (struct area_category){area[i], hash_str(category)};
    return 0;
}

static int by_area_category(const void *a, const void *b)
{
    const struct area_category *x = a, *y = b;
    if (x->area != y->area)
        return x->area < y->area ? -1 : 1;
    return x->category < y->category ? -1 : x->category > y->category;
}

/* Each area's cases48 and same48 from the notes of category_add. */
static void category_count(struct areamap *m)
{
    if (m->nac > 1) /* qsort(NULL, 0) is undefined behaviour (UBSan) */
        qsort(m->ac, (size_t)m->nac, sizeof *m->ac, by_area_category);
    for (int i = 0, j; i < m->nac; i = j) {
        for (j = i; j < m->nac && m->ac[j].area == m->ac[i].area &&
                    m->ac[j].category == m->ac[i].category;
             j++)
            ;
        struct warn_area *a = &m->a[m->ac[i].area];
        a->cases48 += j - i;
        if (j - i > a->same48)
            a->same48 = j - i;
    }
}

static int by_area0(const void *a, const void *b)
{
    const struct recent_case *x = a, *y = b;
    return x->area[0] < y->area[0] ? -1 : x->area[0] > y->area[0];
}
static int by_area1(const void *a, const void *b)
{
    const struct recent_case *x = a, *y = b;
    return x->area[1] < y->area[1] ? -1 : x->area[1] > y->area[1];
}

/* Runs the escalation test of every grid and village on the cases kept by recent_add. */
static int escalation_all(struct areamap *m, const struct warn_config *c)
{
    struct warn_recent *buf = malloc((size_t)(m->nrc ? m->nrc : 1) * sizeof *buf);
    if (!buf)
        return FQ_ENOMEM;
    for (int i = 0; i < m->nrc; i++) {
        m->rc[i].r.sh = m->pool + m->rc[i].off;
        m->rc[i].r.place = m->rc[i].r.sh + m->rc[i].r.nsh;
    }
    for (int level = 0; level < 2; level++) {
        if (m->nrc > 1) /* qsort(NULL, 0) is undefined behaviour (UBSan) */
            qsort(m->rc, (size_t)m->nrc, sizeof *m->rc, level ? by_area1 : by_area0);
        for (int i = 0, j; i < m->nrc; i = j) {
            int area = m->rc[i].area[level];
            for (j = i; j < m->nrc && m->rc[j].area[level] == area; j++)
                buf[j - i] = m->rc[j].r;
            if (area >= 0)
                warn_escalation_test(buf, j - i, m->now, c, &m->a[area].esc);
        }
    }
    free(buf);
    return 0;
}

static int on_case(const struct store_warn_case *c, void *arg)
{
    struct areamap *m = arg;
    int64_t age = m->now - c->created_at;
    int open = c->status <= 4, recent = age >= 0 && age < 90 * DAY_MS;
    int flag[WF__COUNT] = {0};
    if (strlen(c->division) < 12)
        return 0;
    flag[WF_CASES] = recent;
    flag[WF_GROUP] = recent && c->people_count >= 5;
    flag[WF_REPEAT] = recent && c->repeat_of > 0;
    flag[WF_OVERDUE] = open && c->light == 2;
    flag[WF_DISSATISFIED] = recent && c->satisfaction == 3; /* SAT_DISSATISFIED */
    flag[WF_ESCALATED] = recent && c->escalations > 0;
    flag[WF_UNRESOLVED30] = open && age > 30 * DAY_MS;
    flag[WF_THREAT] = recent && (warn_text_threat(c->title) || warn_text_threat(c->description));
    flag[WF_POLICE] = recent && c->channel == 3; /* CH_POLICE */
    flag[WF_HAZARD] = recent && !strncmp(c->category, "G01", 3);
    flag[WF_KEY_PERSONS] = recent && c->key_person;
    flag[WF_SUPERVISED] = recent && c->supervised > 0;
    char village[16], town[16];
    snprintf(village, sizeof village, "%.12s", c->division);
    township_of(c->division, town);
    /* indices first: a map_get that adds an area may move the others */
    struct warn_area *x;
    int vi = (x = map_get(m, village, WA_VILLAGE, village)) ? (int)(x - m->a) : -1;
    int ti = vi >= 0 && (x = map_get(m, town, WA_TOWNSHIP, town)) ? (int)(x - m->a) : -1;
    int gi = ti >= 0 && c->grid[0] && (x = map_get(m, c->grid, WA_GRID, village))
                 ? (int)(x - m->a)
                 : -1;
    if (vi < 0 || ti < 0 || (c->grid[0] && gi < 0))
        return FQ_ENOMEM;
    struct warn_area *v = &m->a[vi], *t = &m->a[ti], *g = gi >= 0 ? &m->a[gi] : NULL;
    area_add(v, c, age, flag);
    area_add(t, c, age, flag);
    if (g)
        area_add(g, c, age, flag);
    int rc, areas[3] = {gi, vi, ti};
    if (c->category[0] && age >= 0 && age < 2 * DAY_MS &&
        (rc = category_add(m, c->category, areas, 3)))
        return rc;
    if (m->esc && age >= 0 && age < (int64_t)WARN_ESC_DAYS * DAY_MS)
        return recent_add(m, c, gi, vi, flag[WF_THREAT]);
    return 0;
}

int warn_compute(struct store_rd *rd, const struct warn_config *c, const char *division,
                 int64_t now, struct warn_result **out)
{
    struct areamap m = {.now = now, .esc = c->esc_at > 0};
    struct warn_result *r = NULL;
    int rc;
    *out = NULL;
    if ((rc = store_warn_grids(rd, division, on_grid, &m)) || (rc = m.err))
        goto done;
    if ((rc = store_warn_scan(rd, division, now - (int64_t)WARN_DAYS * DAY_MS, now, on_case, &m)))
        goto done;
    if (c->esc_at > 0 && (rc = escalation_all(&m, c)))
        goto done;
    category_count(&m);
    r = calloc(1, sizeof *r);
    if (!r || !(r->scores = calloc((size_t)(m.n ? m.n : 1), sizeof *r->scores))) {
        rc = FQ_ENOMEM;
        goto done;
    }
    r->now = now;
    /* the weekday of the coming 24 hours (China time: day_of_ms) */
    r->dow_next = day_weekday(day_of_ms(now + DAY_MS / 2)) - 1; /* 0 = Monday */
    for (int i = 0; i < m.n; i++) {
        if (m.a[i].grids < 1)
            m.a[i].grids = 1;
        warn_score(&m.a[i], c, r->dow_next, &r->scores[i]);
    }
    r->areas = m.a;
    r->n = m.n;
    m.a = NULL;
    *out = r;
    r = NULL;
done:
    free(m.slot);
    free(m.a);
    free(m.rc);
    free(m.pool);
    free(m.ac);
    warn_result_free(r);
    return rc;
}

void warn_result_free(struct warn_result *r)
{
    if (!r)
        return;
    free(r->areas);
    free(r->scores);
    free(r);
}

static int by_contribution(const void *a, const void *b)
{
    double x = json_real_value(json_object_get(*(json_t *const *)a, "contribution"));
    double y = json_real_value(json_object_get(*(json_t *const *)b, "contribution"));
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The escalation factor in words, as a duty officer would say it. */
static void escalation_detail(const struct warn_escalation *e, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%d天内同一区域相似案件%d件(近72小时%d件)", WARN_ESC_DAYS,
                     e->cases, e->recent);
    if (e->threat && n >= 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n, "；含扬言/聚集等言辞%d件", e->threat);
    if (e->people_last && n >= 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n, "；涉及人数 %d→%d", e->people_first,
                      e->people_last);
    if (e->repeat && n >= 0 && (size_t)n < cap)
        snprintf(out + n, cap - (size_t)n, "；重复信访%d件", e->repeat);
}

json_t *warn_area_json(const struct warn_area *a, const struct warn_score *s,
                       const struct warn_config *c)
{
    json_t *fs[WF__COUNT];
    json_t *counts = json_object();
    for (int f = 0; f < WF__COUNT; f++) {
        fs[f] = json_pack("{s:s, s:s, s:f, s:f, s:f, s:f}", "name", factors[f].name, "name_zh",
                          factors[f].zh, "value", s->value[f], "norm", s->norm[f], "weight",
                          c->weight[f], "contribution", s->contribution[f]);
        if (f == WF_ESCALATION && a->esc.cases) {
            char detail[256];
            escalation_detail(&a->esc, detail, sizeof detail);
            json_object_set_new(fs[f], "detail", json_string(detail));
        }
        if (f != WF_GROWTH && f != WF_SURGE && f != WF_ESCALATION)
            json_object_set_new(counts, factors[f].name,
                                json_pack("{s:i, s:i, s:i}", "d7", a->count[f][0], "d30",
                                          a->count[f][1], "d90", a->count[f][2]));
    }
    qsort(fs, WF__COUNT, sizeof fs[0], by_contribution);
    json_t *fa = json_array();
    for (int f = 0; f < WF__COUNT; f++)
        json_array_append_new(fa, fs[f]);
    const struct warn_forecast *fc = &s->fc;
    const struct warn_escalation *e = &a->esc;
    return json_pack(
        "{s:s, s:s, s:s, s:i, s:f, s:s, s:s, s:o, s:{s:f, s:f, s:f, s:i, s:i, s:f, s:f, s:f, s:i, s:i, "
        "s:b}, "
        "s:{s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:b}, s:o}",
        "area", a->code, "kind", warn_area_kind_name(a->kind), "division", a->parent, "grids",
        a->grids, "score", round(s->score * 10) / 10, "level", warn_level_name(s->level),
        "level_zh", warn_level_zh(s->level), "counts", counts, "forecast", "baseline_24h",
        fc->baseline, "next_24h", fc->next24, "next_48h", fc->next48, "observed_24h", fc->obs24,
        "observed_48h", fc->obs48, "p_24h", fc->p24, "p_48h", fc->p48, "dispersion", fc->dispersion,
        "cases_48h", a->cases48, "same_category_48h", a->same48, "surge", fc->surge, "escalation", "cases", e->cases, "recent_72h", e->recent, "threat",
        e->threat, "repeat", e->repeat, "people_first", e->people_first, "people_last",
        e->people_last, "score", e->score, "fired", e->fired, "factors", fa);
}

/* ---- the periodic recompute ---- */

struct recompute_job {
    struct warn_result *r;
    const struct warn_config *c;
    int raised;
};

static int raise_one(struct store_tx *tx, const struct warn_area *a, const struct warn_score *s,
                     const struct warn_config *c, const char *kind, int64_t now, int *raised)
{
    char title[256];
    json_t *j = warn_area_json(a, s, c);
    char *factors_txt = json_dumps(json_object_get(j, "factors"), JSON_COMPACT);
    if (!strcmp(kind, "surge") && !s->fc.surge) {
        char detail[192]; /* ~120 bytes at most: the title keeps it whole */
        escalation_detail(&a->esc, detail, sizeof detail);
        snprintf(title, sizeof title, "%s %s 矛盾升级苗头: %s", warn_area_kind_name(a->kind),
                 a->code, detail);
    } else if (!strcmp(kind, "surge"))
        snprintf(title, sizeof title,
                 "%s %s 案件突增: 近24小时 %d 件、近48小时 %d 件，预测未来48小时 %.1f 件 "
                 "(基线 %.2f 件/天)",
                 warn_area_kind_name(a->kind), a->code, s->fc.obs24, s->fc.obs48, s->fc.next48,
                 s->fc.baseline);
    else
        snprintf(title, sizeof title, "%s %s 风险等级升至%s色 (%.0f 分)",
                 warn_area_kind_name(a->kind), a->code, warn_level_zh(s->level), s->score);
    struct store_warning_new w = {.area = a->code,
                                  .area_kind = warn_area_kind_name(a->kind),
                                  .division = a->parent,
                                  .kind = kind,
                                  .title = title,
                                  .factors = factors_txt,
                                  .level = s->level,
                                  .score = s->score,
                                  .at = now};
    int rc = factors_txt ? store_tx_warn_insert(tx, &w, NULL) : FQ_ENOMEM;
    if (!rc)
        (*raised)++;
    free(factors_txt);
    json_decref(j);
    return rc;
}

static int recompute_tx(struct store_tx *tx, void *arg)
{
    struct recompute_job *j = arg;
    int64_t now = j->r->now;
    for (int i = 0; i < j->r->n; i++) {
        const struct warn_area *a = &j->r->areas[i];
        const struct warn_score *s = &j->r->scores[i];
        int prev, exists, rc;
        if ((rc = store_tx_warn_level_swap(tx, a->code, s->level, s->score, now, &prev)))
            return rc;
        if (s->level >= WL_ORANGE && s->level > prev) {
            if ((rc = store_tx_warn_exists(tx, a->code, "level", 0, 1, &exists)))
                return rc;
            if (!exists && (rc = raise_one(tx, a, s, j->c, "level", now, &j->raised)))
                return rc;
        }
        if (s->alert) {
            if ((rc = store_tx_warn_exists(tx, a->code, "surge", now - 3 * DAY_MS, 0, &exists)))
                return rc;
            if (!exists && (rc = raise_one(tx, a, s, j->c, "surge", now, &j->raised)))
                return rc;
        }
    }
    return 0;
}

int warn_recompute(struct fq_domain *d, int64_t now, int *raised)
{
    struct store_rd *rd = store_rd(d->store);
    struct warn_config c;
    struct warn_result *r = NULL;
    if (!rd)
        return FQ_EIO;
    warn_config_load(rd, &c);
    int rc = warn_compute(rd, &c, "", now, &r);
    if (rc)
        return rc;
    struct recompute_job j = {r, &c, 0};
    rc = store_write(d->store, recompute_tx, &j);
    if (raised)
        *raised = rc ? 0 : j.raised;
    warn_result_free(r);
    return rc;
}

struct warn_runner {
    struct fq_domain *d;
    int interval_ms;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
};

static void *runner_main(void *arg)
{
    struct warn_runner *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        pthread_mutex_unlock(&w->mu);
        int raised = 0;
        int64_t t0 = fq_now_ms();
        int rc = warn_recompute(w->d, t0, &raised);
        if (rc)
            log_warn("warning: recompute failed (%d)", rc);
        else
            log_info("warning: recomputed in %lld ms, %d warnings raised",
                     (long long)(fq_now_ms() - t0), raised);
        pthread_mutex_lock(&w->mu);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += w->interval_ms / 1000;
        ts.tv_nsec += (long)(w->interval_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        if (!w->stop)
            pthread_cond_timedwait(&w->cv, &w->mu, &ts);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

struct warn_runner *warn_runner_start(struct fq_domain *d, int interval_ms)
{
    struct warn_runner *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->d = d;
    w->interval_ms = interval_ms > 0 ? interval_ms : 600000;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, runner_main, w)) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        free(w);
        return NULL;
    }
    return w;
}

void warn_runner_stop(struct warn_runner *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}
