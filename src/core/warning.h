/* 风险预警 early warning: per grid, village and township, indicators over 7/30/90-day windows
 * turned into an explainable 0–100 risk score and a level (蓝/黄/橙/红), a 48-hour forecast of
 * case counts per area, and surge alerts (Poisson upper tail against the area's own baseline).
 * Warnings are records: raised when an area's level rises to orange or red or a surge is seen,
 * then seen, turned into a case, or dismissed with a reason. Method and defaults: docs/WARNING.md.
 *
 * The arithmetic (normalisation, score, forecast, surge test) is pure and works on struct
 * warn_area; warn_compute fills the areas from the store in one scan of the cases. */
#ifndef FQ_CORE_WARNING_H
#define FQ_CORE_WARNING_H

#include <jansson.h>
#include <stdint.h>

#include "core/domain.h"
#include "store/store.h"
#include "util/err.h"

/* Indicators (factors) of the score. */
enum warn_factor {
    WF_CASES,        /* cases registered (7 days) */
    WF_GROWTH,       /* growth of the 7-day count against the area's own 90-day baseline */
    WF_GROUP,        /* 群体性: people_count >= 5 (30 days) */
    WF_REPEAT,       /* 重复信访: repeat_of set (30 days) */
    WF_OVERDUE,      /* open and overdue (red light) now */
    WF_DISSATISFIED, /* rated 不满意 (90 days) */
    WF_ESCALATED,    /* escalated at least once (30 days) */
    WF_UNRESOLVED30, /* open and registered more than 30 days ago */
    WF_THREAT,       /* threat words in title or description (30 days) */
    WF_POLICE,       /* channel police_110 (30 days) */
    WF_HAZARD,       /* grid matter G01 安全隐患 (30 days) */
    WF_KEY_PERSONS,  /* a party (ID or phone) in >= 3 cases of the last 90 days: proxy */
    WF_SUPERVISED,   /* under 督办 supervision (30 days) */
    WF_SURGE,        /* surge test: -log10 p of the last 24/48 h against the baseline */
    WF_ESCALATION,   /* 矛盾升级苗头: evidence score of the most escalated cluster of related cases */
    WF__COUNT
};

enum warn_level { WL_BLUE, WL_YELLOW, WL_ORANGE, WL_RED, WL__COUNT };
enum warn_area_kind { WA_GRID, WA_VILLAGE, WA_TOWNSHIP, WA__COUNT };

#define WARN_DAYS 91 /* rolling 24-hour counts kept per area: [0] = the last 24 hours */

/* Weights and normalisation caps: a factor contributes weight * min(1, value / cap), the score is
 * 100 * sum(contributions) / sum(weights). Count caps are per grid and scale with the grids of
 * a village or township. */
struct warn_config {
    double weight[WF__COUNT];
    double cap[WF__COUNT];
    double surge_p;     /* surge when the Poisson upper tail is below this (default 1e-6) */
    int surge_min;      /* ... and at least this many cases in the window (default 5) */
    double level_at[3]; /* score thresholds of yellow, orange, red (25, 50, 75) */
    double esc_sim;     /* two cases are related at this Jaccard similarity of shingles (0.3) */
    double esc_place;   /* ... and, when both give an address, at this one of the addresses' (0.7;
                           0 = text alone) */
    int esc_min;        /* a cluster needs at least this many related cases (3) */
    double esc_at;      /* the escalation test fires at this evidence score; 0 = off (4) */
};

#define WARN_ESC_DAYS 14   /* the escalation test looks at the cases of the last 14 days */
#define WARN_ESC_CASES 128 /* ... at most the newest 128 of an area */

/* A recent case of an area as the escalation test sees it (all borrowed). */
struct warn_recent {
    int64_t at;         /* created_at, ms */
    const uint32_t *sh; /* textsim_shingles of title + description, sorted */
    int nsh;
    int people;    /* people_count */
    int threat;    /* 1: threat words (warn_text_threat) */
    int repeat;    /* 1: a repeat petition (repeat_of set) */
    const uint32_t *place; /* textsim_shingles of the address, sorted; nplace 0: no address */
    int nplace;
};

/* 矛盾升级苗头: the most escalated cluster of related cases (same area, similar text) of the
 * last WARN_ESC_DAYS days, and the evidence a duty officer would weigh. */
struct warn_escalation {
    int cases;                      /* related cases in the cluster */
    int recent;                     /* of them in the last 72 hours */
    int threat;                     /* of them with threat words */
    int repeat;                     /* of them repeat petitions */
    int people_first, people_last;  /* people_count of the first case and most of the last 72 h */
    double score;                   /* evidence points (docs/WARNING.md), 0 without a cluster */
    int fired;                      /* score >= esc_at and cases >= esc_min */
};

/* One area's raw counts. */
struct warn_area {
    char code[24];           /* grid code, or village / township division code */
    char parent[16];         /* division for scope: the village (grids) or the area itself */
    int kind;                /* WA_* */
    int grids;               /* grids in the area, >= 1 */
    int day[WARN_DAYS];      /* cases per rolling 24 hours, [0] = the last 24 hours */
    int count[WF__COUNT][3]; /* factor counts over 7/30/90 days (state factors: all three) */
    struct warn_escalation esc; /* grids and villages; zero for townships */
    int cases48, same48; /* categorised cases of the last 48 hours, the most of one category */
};

struct warn_forecast {
    double baseline;       /* expected cases per 24 h from days 3..90 (day-of-week adjusted) */
    double next24, next48; /* forecast cases in the next 24 / 48 hours */
    int obs24, obs48;      /* observed in the last 24 / 48 hours */
    double p24, p48, pfc;  /* Poisson upper tails of obs24, obs48 and of the forecast */
    double dispersion;     /* var / mean of the baseline days, 1..4 (quasi-Poisson) */
    int surge;             /* 1 when a surge test fired */
};

struct warn_score {
    double score; /* 0..100 */
    int level;    /* WL_* */
    double value[WF__COUNT], norm[WF__COUNT], contribution[WF__COUNT];
    struct warn_forecast fc;
    int alert; /* fc.surge or the area's escalation test fired: a surge warning is due */
};

/* Defaults (documented in docs/WARNING.md). */
void warn_config_default(struct warn_config *c);
/* Applies a JSON object {"factor": weight | {"weight": w, "cap": c}, "surge_p": p,
 * "surge_min": n, "levels": [y, o, r]} (the setting "warning.weights") on top of c. FQ_EINVAL
 * with e naming the key when something is malformed; c is then unchanged. */
int warn_config_parse(struct warn_config *c, const char *json, struct fq_error *e);
/* Loads the setting "warning.weights" over the defaults (a bad setting is logged and ignored). */
void warn_config_load(struct store_rd *rd, struct warn_config *c);

/* P(X >= k) for X ~ Poisson(lambda); 1 when k <= 0. */
double warn_poisson_upper(double lambda, int k);
/* Forecast and surge test on the rolling daily counts day[0..n) ([0] the last 24 h); dow_next is
 * the weekday (0 = Monday) of the coming 24 hours. */
void warn_forecast(const int *day, int n, int dow_next, const struct warn_config *c,
                   struct warn_forecast *out);
/* Whether a count surge is of one matter, given the categorised cases of the area's last 48
 * hours (n) and the most of them in one category (same): 1 when same >= 3 and same >= n / 2, and
 * when n is 0 (nothing to tell: an area filled by hand, or no case assessed yet). Several
 * unrelated matters arriving on one day are a coincidence, not a surge a duty officer acts on. */
int warn_one_matter(int same, int n);
/* Whether two recent cases are related: text similarity >= esc_sim and, when both give an
 * address and esc_place > 0, address similarity >= esc_place (the same place). */
int warn_related(const struct warn_recent *a, const struct warn_recent *b,
                 const struct warn_config *cfg);
/* The escalation test over an area's recent cases c[0..n) (any order; only those created in
 * [now - WARN_ESC_DAYS days, now) count, at most the newest WARN_ESC_CASES): related cases
 * (warn_related) are linked, and the linked groups (single linkage) are scored; *out receives the group with the highest score. Cannot fail. */
void warn_escalation_test(const struct warn_recent *c, int n, int64_t now,
                          const struct warn_config *cfg, struct warn_escalation *out);
/* Score, level and factors of an area (its esc, cases48 and same48 filled beforehand, or zero);
 * out->fc.surge is the count test of warn_forecast gated by warn_one_matter. */
void warn_score(const struct warn_area *a, const struct warn_config *c, int dow_next,
                struct warn_score *out);
/* 1 when the text holds a threat word (扬言, 自杀, 跳楼, 报复, 聚集, 极端, 上访, 堵路, 闹事 …). */
int warn_text_threat(const char *text);

const char *warn_factor_name(int f);    /* "cases", "growth", ... */
const char *warn_factor_zh(int f);      /* "案件数", ... */
const char *warn_level_name(int l);     /* "blue", "yellow", "orange", "red" */
const char *warn_level_zh(int l);       /* "蓝", "黄", "橙", "红" */
const char *warn_area_kind_name(int k); /* "grid", "village", "township" */
int warn_area_kind_parse(const char *s, int *k);

/* The areas of a computation. */
struct warn_result {
    struct warn_area *areas;
    struct warn_score *scores;
    int n;
    int64_t now;
    int dow_next;
};
/* Computes every grid, village and township within division's subtree ("" = all) at `now` from
 * one scan of the cases. *out is malloc'ed (warn_result_free). 0, FQ_ENOMEM or FQ_EIO. */
int warn_compute(struct store_rd *rd, const struct warn_config *c, const char *division,
                 int64_t now, struct warn_result **out);
void warn_result_free(struct warn_result *r);
/* An area's score as JSON {area, kind, division, score, level, level_zh, counts, forecast,
 * escalation, factors:[{name, name_zh, value, norm, weight, contribution, detail?}]}, factors
 * by contribution; detail explains a factor in words where its value alone does not. */
json_t *warn_area_json(const struct warn_area *a, const struct warn_score *s,
                       const struct warn_config *c);

/* Recomputes the whole city, stores each area's level and raises the warnings that are due
 * (level rose to orange/red; surge or escalation test fired with no surge warning of the area
 * in the last 72 hours).
 * *raised (may be NULL) receives how many were raised. 0 or an FQ_E* code. */
int warn_recompute(struct fq_domain *d, int64_t now, int *raised);
struct warn_runner;
/* Starts a thread that calls warn_recompute every interval_ms; NULL on failure. */
struct warn_runner *warn_runner_start(struct fq_domain *d, int interval_ms);
void warn_runner_stop(struct warn_runner *w);

#endif
