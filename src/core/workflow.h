/* The case state machine: which action is allowed in which status for which role, and where
 * it leads. Pure functions; the case module applies them. */
#ifndef FQ_CORE_WORKFLOW_H
#define FQ_CORE_WORKFLOW_H

#include "store/model.h"
#include "util/err.h"

/* `roles` of the system timers (warnings, overdue events); roles == 0 is a citizen (public). */
#define WORKFLOW_SYSTEM 0xFFFFFFFFu

/* 0 when some role in `roles` (bit set) may perform `action` on a case in `status`;
 * FQ_EFORBIDDEN (role) or FQ_ECONFLICT (status: code "illegal_transition") with e filled. */
int workflow_check(int action, int status, unsigned roles, struct fq_error *e);
/* Status after `action` from `status` (status itself for actions that do not move it). */
int workflow_next(int action, int status);
/* Bit set (1u << ACT_*) of actions `roles` may perform on a case in `status`: exactly the
 * actions workflow_check allows (ACT_INTAKE included for the roles that may register cases). */
unsigned workflow_allowed(int status, unsigned roles);
/* 1 while a case in this status is open (its deadline runs). */
int workflow_is_open(int status);

#endif
