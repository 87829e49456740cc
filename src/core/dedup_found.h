/* What the intake's repeat/duplicate check found (core/dedup.h), carried from the prepare half of
 * an intake to its write half (core/case.h). A header of its own so both can include it. */
#ifndef FQ_CORE_DEDUP_FOUND_H
#define FQ_CORE_DEDUP_FOUND_H

#include "store/model.h"

#include <stdint.h>

#define DEDUP_DUP_MAX 5

/* What the intake hook found, to be recorded once the case row exists. */
struct dedup_found {
    int64_t repeat_id;                    /* the earlier case this repeats (its link), 0 if none */
    char repeat_code[FQ_CODE_LEN + 1];    /* its code, "" if none */
    int n;                                /* duplicate suggestions, best first */
    int64_t dup_ids[DEDUP_DUP_MAX];
    double dup_scores[DEDUP_DUP_MAX];
    int64_t dup_ats[DEDUP_DUP_MAX];       /* their created_at */
    char dup_codes[DEDUP_DUP_MAX][FQ_CODE_LEN + 1];
    uint32_t *sh;                         /* the intake's shingle set (malloc'ed), nsh of them */
    int nsh;
};

/* Frees what found holds (its shingle set). */
void dedup_found_clear(struct dedup_found *found);

#endif
