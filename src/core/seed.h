/* Reference data (基础数据) every installation starts with: the GB/T 31000 dispute categories and
 * resolution methods, the grid matter list (网格事项准入清单), routing keywords, the
 * responsibility list (权责清单), the official holiday calendar and the default SLA policy.
 *
 * The tables ship as tab-separated files in the data directory (one header line, UTF-8):
 *   dispute-categories.tsv   code, name                      (GB/T 31000-2015 表91)
 *   dispute-keywords.tsv     code, keywords                  (comma-separated, for routing)
 *   grid-matters.tsv         code, name, parent, keywords
 *   resolution-methods.tsv   code, name                      (GB/T 31000-2015 表93)
 *   responsibility.tsv       category, level, lead_kind, assist_kinds, duty
 *   holidays-cn.tsv          date, kind (off|work), name
 * They are editable afterwards through the admin API; this module only loads them once. */
#ifndef FQ_CORE_SEED_H
#define FQ_CORE_SEED_H

#include "store/store.h"
#include "util/err.h"

/* Department kinds the responsibility list may name (NULL-terminated), e.g. "justice", "police". */
extern const char *const seed_department_kinds[];
/* 1 when kind is one of seed_department_kinds. */
int seed_department_kind_valid(const char *kind);

/* Parses every table under data_dir and, only when all of them are valid, writes them in one
 * bulk transaction (store_write_bulk) together with the default SLA rules. 0, or FQ_EINVAL /
 * FQ_ENOTFOUND / FQ_EIO / FQ_ENOMEM with e naming the file and line at fault ("file:line: ...");
 * on failure nothing is written. */
int seed_reference(struct store *s, const char *data_dir, struct fq_error *e);

#endif
