/* 调解场景库: the mediation scenario library and its recommendation for a case.
 *
 * A scenario is a kind of dispute as mediators meet it ("彩礼返还纠纷", "拖欠农民工工资"): the
 * GB/T 31000 categories it belongs to, keywords, legal basis (statutes and articles), methods
 * (圆桌调解法, 三步工作法, 换位体验, 家庭会议, 背靠背调解 …), typical steps, suitable mediators and
 * mediation studios (品牌调解室), and documents to prepare. The library ships as
 * data/scenarios.tsv (one header line; columns code, name, categories, keywords, legal_basis,
 * methods, steps, mediators, documents; categories and keywords comma-separated, the other lists
 * '|'-separated), is loaded into the store when the store has none, and is edited by admins.
 *
 * As JSON (the API's shape): {id, code, name, categories[], keywords[], legal_basis[], methods[],
 * steps[], mediators[], documents[], updated_at}. */
#ifndef FQ_CORE_SCENARIO_H
#define FQ_CORE_SCENARIO_H

#include <jansson.h>

#include "store/store.h"
#include "util/err.h"

#define SCENARIO_FILE "scenarios.tsv"

/* A validated scenario as the store keeps it (strings owned; free with scenario_row_clear). */
struct scenario_row {
    char code[16];
    char *name, *categories, *keywords, *body; /* body: JSON text of the list fields */
};
void scenario_row_clear(struct scenario_row *r);

/* Parses data_dir/scenarios.tsv into a JSON array in the API shape (no ids). Every row is
 * checked: code "S" + digits and unique, a name, at least one category for which known(code,
 * arg) returns 1 (known may be NULL), at least one method. 0, or FQ_ENOTFOUND / FQ_EINVAL /
 * FQ_ENOMEM with e naming "scenarios.tsv:LINE". *out is a new reference. */
int scenario_file_load(const char *data_dir, int (*known)(const char *code, void *arg), void *arg,
                       json_t **out, struct fq_error *e);
/* Validates a scenario in the API shape (from a request body or the file): with partial, fields
 * may be missing and are taken from `base` (the stored scenario, API shape); unknown fields are
 * rejected; errors name the field. Category codes are checked with known (may be NULL). */
int scenario_validate(json_t *in, json_t *base, int (*known)(const char *code, void *arg),
                      void *arg, struct scenario_row *out, struct fq_error *e);
/* Writes every scenario of list (API shape, validated) inside a write job. */
int scenario_write_all(struct store_tx *tx, json_t *list);
/* A store row ({id, code, name, categories, keywords, body, updated_at}) in the API shape (new). */
json_t *scenario_to_json(json_t *row);

/* Ranks scenarios (API shape) for a case of `category` with `text` (title + description): the
 * k best with their score and reasons {categories, keywords, similarity}. A scenario of the
 * exact category scores 3, of the same level-1 category 1.5; each keyword found adds 1; the
 * bigram similarity of the text and the scenario's name and keywords adds up to 2. Scenarios
 * with no evidence are left out. Returns a new array. */
json_t *scenario_rank(json_t *scenarios, const char *category, const char *text, int k);

#endif
