/* The case state machine as one table: for each action, the statuses it may start from, the
 * roles that may take it, and the status it leads to. Keeping the whole lifecycle in one place
 * lets the case module, the UI (which buttons to show) and the tests read the same rules.
 * ROLE_ADMIN may take every staff action. Two callers are not staff: the public (roles == 0),
 * who may only rate a closed case, and the system timers (roles == WORKFLOW_SYSTEM), the only
 * ones to record warnings and overdue events. A request that fails both tests is reported as
 * forbidden when the role may never take the action, and as an illegal transition otherwise. */
#include "core/workflow.h"

#include <stddef.h>

#define R(role) (1u << (role))
#define S(status) (1u << (status))

#define STAFF (R(ROLE__COUNT) - 1u)
#define OPEN                                                                                       \
    (S(ST_PENDING_ASSESS) | S(ST_PENDING_DISPATCH) | S(ST_PENDING_ACCEPT) | S(ST_HANDLING) |       \
     S(ST_PENDING_VERIFY))
#define ANY_STATUS (S(ST__COUNT) - 1u)
#define SAME (-1)
/* callers beyond the staff roles, as bits of a row's role mask (ROLE__COUNT is far below 30) */
#define PUBLIC (1u << 30) /* roles == 0: a citizen */
#define SYSTEM (1u << 31) /* roles == WORKFLOW_SYSTEM: the timers, and only they */

struct transition {
    unsigned statuses; /* where the action may start */
    unsigned roles;    /* who may take it: staff roles (plus ROLE_ADMIN), PUBLIC, SYSTEM */
    int next;          /* the status it leads to, SAME for none */
};

static const struct transition table[ACT__COUNT] = {
    [ACT_INTAKE] = {ANY_STATUS, R(ROLE_CLERK) | R(ROLE_DISPATCHER) | R(ROLE_GRID_WORKER), SAME},
    [ACT_ASSESS] = {S(ST_PENDING_ASSESS), R(ROLE_DISPATCHER), ST_PENDING_DISPATCH},
    [ACT_RESOLVE_ON_SPOT] = {S(ST_PENDING_ASSESS),
                             R(ROLE_CLERK) | R(ROLE_DISPATCHER) | R(ROLE_GRID_WORKER), ST_CLOSED},
    /* pending_assess too: a dispatcher may assess and dispatch in one step */
    [ACT_DISPATCH] = {S(ST_PENDING_ASSESS) | S(ST_PENDING_DISPATCH), R(ROLE_DISPATCHER),
                      ST_PENDING_ACCEPT},
    /* handling too: assisting departments accept after the lead has */
    [ACT_ACCEPT] = {S(ST_PENDING_ACCEPT) | S(ST_HANDLING), R(ROLE_HANDLER), ST_HANDLING},
    [ACT_RETURN] = {S(ST_PENDING_ACCEPT), R(ROLE_HANDLER), ST_PENDING_ASSESS},
    [ACT_ESCALATE] = {S(ST_PENDING_ASSESS) | S(ST_PENDING_DISPATCH) | S(ST_HANDLING),
                      R(ROLE_DISPATCHER) | R(ROLE_HANDLER), ST_PENDING_ASSESS},
    [ACT_URGE] = {S(ST_PENDING_ACCEPT) | S(ST_HANDLING) | S(ST_PENDING_VERIFY),
                  R(ROLE_DISPATCHER) | R(ROLE_SUPERVISOR) | R(ROLE_LEADER), SAME},
    [ACT_SUPERVISE] = {OPEN, R(ROLE_SUPERVISOR) | R(ROLE_LEADER), SAME},
    [ACT_NOTE] = {ANY_STATUS & ~S(ST_ARCHIVED), STAFF, SAME},
    [ACT_MEDIATION] = {S(ST_HANDLING), R(ROLE_MEDIATOR) | R(ROLE_HANDLER), SAME},
    [ACT_RESOLVE] = {S(ST_HANDLING), R(ROLE_HANDLER), ST_PENDING_VERIFY},
    [ACT_VERIFY] = {S(ST_PENDING_VERIFY), R(ROLE_DISPATCHER) | R(ROLE_SUPERVISOR), ST_CLOSED},
    [ACT_REJECT] = {S(ST_PENDING_VERIFY), R(ROLE_DISPATCHER) | R(ROLE_SUPERVISOR), ST_HANDLING},
    [ACT_RATE] = {S(ST_CLOSED), R(ROLE_SUPERVISOR) | R(ROLE_LEADER) | R(ROLE_DISPATCHER) | PUBLIC,
                  SAME},
    [ACT_FOLLOW_UP] = {S(ST_CLOSED),
                       R(ROLE_CLERK) | R(ROLE_DISPATCHER) | R(ROLE_GRID_WORKER) |
                           R(ROLE_SUPERVISOR),
                       SAME},
    [ACT_REOPEN] = {S(ST_CLOSED), R(ROLE_DISPATCHER) | R(ROLE_SUPERVISOR), ST_PENDING_ASSESS},
    [ACT_ARCHIVE] = {S(ST_CLOSED), R(ROLE_DISPATCHER) | R(ROLE_SUPERVISOR), ST_ARCHIVED},
    [ACT_ATTACH] = {ANY_STATUS & ~S(ST_ARCHIVED), STAFF, SAME},
    [ACT_WARN] = {ANY_STATUS, SYSTEM, SAME},
    [ACT_OVERDUE] = {ANY_STATUS, SYSTEM, SAME},
};

/* Roles that may take `action` in `status`, ignoring the public and the system. Escalation is
 * the one action whose roles depend on the status: a department escalates only what it handles. */
static unsigned staff_roles(int action, int status)
{
    const struct transition *t = &table[action];
    if (t->roles & SYSTEM)
        return 0;
    unsigned roles = (t->roles & STAFF) | R(ROLE_ADMIN);
    if (action == ACT_ESCALATE && status != ST_HANDLING)
        roles &= ~R(ROLE_HANDLER);
    return roles;
}

/* 1 when `roles` may take the action in some status (or, when status >= 0, in that status). */
static int role_ok(int action, int status, unsigned roles)
{
    const struct transition *t = &table[action];
    if (roles == WORKFLOW_SYSTEM)
        return 1;
    if (roles == 0)
        return (t->roles & PUBLIC) != 0;
    return (roles &
            (status < 0 ? staff_roles(action, ST_HANDLING) : staff_roles(action, status))) != 0;
}

int workflow_check(int action, int status, unsigned roles, struct fq_error *e)
{
    if (action < 0 || action >= ACT__COUNT)
        return fq_fail(e, FQ_EINVAL, "invalid_field", "action", "未知操作 %d", action);
    if (status < 0 || status >= ST__COUNT)
        return fq_fail(e, FQ_EINVAL, "invalid_field", "status", "未知状态 %d", status);
    if (!role_ok(action, -1, roles))
        return fq_fail(e, FQ_EFORBIDDEN, "forbidden_role", "action", "当前角色无权执行 %s",
                       action_name(action));
    if (!(table[action].statuses & S(status)))
        return fq_fail(e, FQ_ECONFLICT, "illegal_transition", "action", "当前状态 %s 不允许 %s",
                       status_name(status), action_name(action));
    if (!role_ok(action, status, roles))
        return fq_fail(e, FQ_EFORBIDDEN, "forbidden_role", "action",
                       "当前角色在状态 %s 下无权执行 %s", status_name(status), action_name(action));
    return 0;
}

int workflow_next(int action, int status)
{
    if (action < 0 || action >= ACT__COUNT || table[action].next == SAME)
        return status;
    return table[action].next;
}

unsigned workflow_allowed(int status, unsigned roles)
{
    unsigned set = 0;
    for (int a = 0; a < ACT__COUNT; a++)
        if (workflow_check(a, status, roles, NULL) == 0)
            set |= 1u << a;
    return set;
}

int workflow_is_open(int status)
{
    return status >= ST_PENDING_ASSESS && status <= ST_PENDING_VERIFY;
}
