/* 全程留痕: each event's hash covers the previous event's hash and the event's own fields, so
 * any edit or deletion in a case's timeline breaks the chain that `fengqiao check` verifies. */
#ifndef FQ_CORE_CHAIN_H
#define FQ_CORE_CHAIN_H

#include "store/model.h"

/* BLAKE2b-256 over ev->prev_hash, case code, seq, at, actor_id, action, from/to status and the
 * payload text; written to out (may be ev->hash). */
void chain_hash(const char *case_code, const struct fq_event *ev, unsigned char out[FQ_HASH_LEN]);

#endif
