/* 智能分拨 routing suggestion: from a case's text, which category it is (GB/T 31000 dispute
 * category or grid matter, level 1 and level 2), at which grade and handling level it is usually
 * handled, with a confidence and the reasons (keywords matched, similar past cases).
 *
 * Two sources, blended: keyword rules from the category table (dispute-keywords.tsv,
 * grid-matters.tsv), and a multinomial naive Bayes model over CJK character unigrams and bigrams
 * (core/textsim.h) trained on past assessed cases. The model is built at server start from the
 * store and learns incrementally after each assess/dispatch; learning a case again with another
 * category (a dispatcher's correction, a re-assessment) moves its counts to the new category.
 * Departments come from the responsibility list, not from the model (api/suggest.c).
 *
 * Thread-safe: suggestions take a read lock, learning a write lock. docs/ROUTING.md measures it. */
#ifndef FQ_CORE_ROUTER_H
#define FQ_CORE_ROUTER_H

#include <stdint.h>

#include "store/model.h"
#include "store/store.h"

#define ROUTER_MAX_KEYWORDS 8
#define ROUTER_MAX_SIMILAR 3

struct router;

/* One ranked category suggestion. */
struct router_suggestion {
    char category[16], name[64];      /* the class: usually level 2 ("0701", "G0204") */
    char level1[16], level1_name[64]; /* its level-1 category ("07", "G02") */
    double confidence;                /* blended probability of this class, 0..1 */
    double level1_confidence;         /* summed over the level-1 category's classes */
    double model_probability, keyword_probability; /* the two sources before blending */
    int nkeywords;
    char keywords[ROUTER_MAX_KEYWORDS][32]; /* category keywords found in the text */
    int nsimilar;
    struct {
        char code[FQ_CODE_LEN + 1];
        double similarity;           /* Jaccard of bigram sets */
    } similar[ROUTER_MAX_SIMILAR];   /* past cases of this class most like the text */
    int grade, level;                /* most frequent among past cases of the class, or defaults */
    double grade_share, level_share; /* share of past cases behind grade / level (0: default) */
};

/* An empty model (no categories). NULL on out of memory. Free with router_free (NULL no-op). */
struct router *router_new(void);
void router_free(struct router *r);
/* Adds a category class: kind "dispute" or "grid_matter", parent "" for level 1, keywords
 * comma-separated (its name and keywords also seed the model as a pseudo-document).
 * 0, FQ_EINVAL (bad code), FQ_ECONFLICT (listed twice) or FQ_ENOMEM. */
int router_add_category(struct router *r, const char *code, const char *name, const char *parent,
                        const char *kind, const char *keywords);
/* Replaces a class's name and keywords (its pseudo-document moves with them) and sets whether
 * it may be suggested. 0, FQ_ENOTFOUND (no such class: add it), FQ_ENOMEM. */
int router_update_category(struct router *r, const char *code, const char *name, const char *keywords,
                           int active);
/* Loads every category of the store (store_categories), inactive ones as such. 0 or an FQ_E*
 * code. */
int router_load_categories(struct router *r, struct store_rd *rd);
/* Learns one assessed case: text (title + description), its category, grade and level.
 * case_id 0 = anonymous (cannot be corrected later). Learning a known case_id again moves it.
 * 0, FQ_ENOTFOUND (unknown category: ignored), FQ_ENOMEM. */
int router_learn(struct router *r, int64_t case_id, const char *code, const char *text,
                 const char *category, int grade, int level);
/* Learns up to max assessed cases of the store, newest first, skipping those for which
 * skip(case_id, arg) returns 1 (skip may be NULL) — the held-out split of an evaluation.
 * *learned (may be NULL) receives the count. */
int router_train_store(struct router *r, struct store_rd *rd, int max,
                       int (*skip)(int64_t case_id, void *arg), void *arg, int *learned);
/* Ranks the categories for text: up to k suggestions into out (best first), *n set.
 * 0, FQ_EINVAL (no text / no categories), FQ_ENOMEM. */
int router_suggest(struct router *r, const char *text, int k, struct router_suggestion *out,
                   int *n);
/* Number of cases learned (pseudo-documents excluded). */
long router_cases(struct router *r);

/* The process's model, used by the domain's hook after assess/dispatch. router_install takes
 * no ownership; install NULL before freeing it. */
void router_install(struct router *r);
/* The hook: learns c (by id) when a model is installed and c has a category and a grade. */
void router_observe_case(const struct fq_case *c);

#endif
