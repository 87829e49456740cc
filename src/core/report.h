/* Monthly analysis report (月度分析报告) as an .xlsx workbook, and the scheduler that writes one
 * on the first working day of every month and keeps it under data_dir/reports/. */
#ifndef FQ_CORE_REPORT_H
#define FQ_CORE_REPORT_H

#include <jansson.h>

#include "core/domain.h"
#include "util/err.h"

/* Progress of a report: stage ("summary", "by division", ...), done of total stages. */
typedef void (*report_progress_fn)(const char *stage, long done, long total, void *arg);

/* Parses "YYYY-MM" (2000..2999) into year and month; FQ_EINVAL otherwise. */
int report_month_parse(const char *s, int *year, int *month);

/* Writes the report of the month for a division subtree ("" = everything) to path (the file is
 * replaced). Sheets: 概况, 分区划, 部门排名, 分类别, 超期清单, 重复信访, 预警. progress may be
 * NULL. 0, or an FQ_E* code with e filled (nothing usable at path then). */
int report_monthly(struct fq_domain *d, int year, int month, const char *division, const char *path,
                   report_progress_fn progress, void *arg, struct fq_error *e);

/* Path of the kept report of a month for a division ("" = all) under data_dir/reports/:
 * "…/reports/2026-10.xlsx" or "…/reports/2026-10-330681.xlsx". */
void report_path(const struct fq_domain *d, int year, int month, const char *division, char *out,
                 size_t n);

/* The kept reports as a JSON array of {month, division, file, size, created_at}, newest first.
 * 0 or FQ_E*; *out is a new reference. */
int report_list(const struct fq_domain *d, json_t **out);

/* The scheduler: a thread that, once an hour (and at start), checks whether today is the first
 * working day of the month (under the working-day calendar) or later and last month's report is
 * not kept yet, and writes it: one per county and one for the whole area. NULL on failure to
 * start. */
struct report_scheduler;
struct report_scheduler *report_scheduler_start(struct fq_domain *d);
/* Runs one check now on the caller's thread at instant now_ms; returns 1 when it wrote a report,
 * 0 when nothing was due, < 0 on failure. */
int report_scheduler_check(struct fq_domain *d, int64_t now_ms);
/* Stops and joins the thread. NULL is a no-op. */
void report_scheduler_stop(struct report_scheduler *s);

#endif
