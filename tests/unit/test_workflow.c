/* Tests for core/workflow.c: the whole action × status × role matrix against a spec written out
 * here in the glossary's words (independent of the module's bit tables), the error each refusal
 * carries, next statuses, workflow_allowed, the public and the system callers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/workflow.h"

#define OPEN "pending_assess pending_dispatch pending_accept handling pending_verify"
#define NOT_ARCHIVED OPEN " closed"
#define ALL NOT_ARCHIVED " archived"
#define STAFF "admin clerk dispatcher handler mediator grid_worker supervisor leader"

/* Who may do what, where, and where it leads ("" = the status stays). "public" is a caller with
 * no roles, "system" the timers; admin is added to every row that names a staff role. */
static const struct spec {
    int action;
    const char *statuses, *roles, *next;
} spec[] = {
    {ACT_INTAKE, ALL, "clerk dispatcher grid_worker", ""},
    {ACT_ASSESS, "pending_assess", "dispatcher", "pending_dispatch"},
    {ACT_RESOLVE_ON_SPOT, "pending_assess", "clerk dispatcher grid_worker", "closed"},
    {ACT_DISPATCH, "pending_assess pending_dispatch", "dispatcher", "pending_accept"},
    {ACT_ACCEPT, "pending_accept handling", "handler", "handling"},
    {ACT_RETURN, "pending_accept", "handler", "pending_assess"},
    {ACT_ESCALATE, "pending_assess pending_dispatch handling", "dispatcher", "pending_assess"},
    {ACT_ESCALATE, "handling", "handler", "pending_assess"},
    {ACT_URGE, "pending_accept handling pending_verify", "dispatcher supervisor leader", ""},
    {ACT_SUPERVISE, OPEN, "supervisor leader", ""},
    {ACT_NOTE, NOT_ARCHIVED, STAFF, ""},
    {ACT_MEDIATION, "handling", "mediator handler", ""},
    {ACT_RESOLVE, "handling", "handler", "pending_verify"},
    {ACT_VERIFY, "pending_verify", "dispatcher supervisor", "closed"},
    {ACT_REJECT, "pending_verify", "dispatcher supervisor", "handling"},
    {ACT_RATE, "closed", "supervisor leader dispatcher public", ""},
    {ACT_FOLLOW_UP, "closed", "clerk dispatcher grid_worker supervisor", ""},
    {ACT_REOPEN, "closed", "dispatcher supervisor", "pending_assess"},
    {ACT_ARCHIVE, "closed", "dispatcher supervisor", "archived"},
    {ACT_ATTACH, NOT_ARCHIVED, STAFF, ""},
    {ACT_WARN, ALL, "system", ""},
    {ACT_OVERDUE, ALL, "system", ""},
};
#define NSPEC (sizeof spec / sizeof spec[0])

/* The callers tried: each role alone, the public and the system. */
#define PUBLIC ROLE__COUNT
#define SYSTEM (ROLE__COUNT + 1)
#define NCALLERS (ROLE__COUNT + 2)

static unsigned caller_roles(int who)
{
    return who == PUBLIC ? 0u : who == SYSTEM ? WORKFLOW_SYSTEM : 1u << who;
}

static const char *caller_name(int who)
{
    return who == PUBLIC ? "public" : who == SYSTEM ? "system" : role_name(who);
}

/* 1 when the space-separated list names word. */
static int has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0))
            return 1;
    return 0;
}

static int row_has_role(const struct spec *r, int who)
{
    if (who == SYSTEM)
        return 1; /* the system holds every role bit */
    if (has_word(r->roles, caller_name(who)))
        return 1;
    /* admin may take every staff action */
    return who == ROLE_ADMIN && !has_word(r->roles, "system") && strcmp(r->roles, "public") != 0;
}

/* What workflow_check should answer, from the spec alone. */
static int expected(int action, int status, int who)
{
    int role_somewhere = 0, status_somewhere = 0;
    for (size_t i = 0; i < NSPEC; i++) {
        const struct spec *r = &spec[i];
        if (r->action != action)
            continue;
        int here = has_word(r->statuses, status_name(status));
        int role = row_has_role(r, who);
        if (here && role)
            return 0;
        role_somewhere |= role;
        status_somewhere |= here;
    }
    if (!role_somewhere)
        return FQ_EFORBIDDEN;
    return status_somewhere ? FQ_EFORBIDDEN : FQ_ECONFLICT;
}

static void test_matrix(void **state)
{
    (void)state;
    int allowed_count = 0;
    for (int a = 0; a < ACT__COUNT; a++)
        for (int s = 0; s < ST__COUNT; s++)
            for (int who = 0; who < NCALLERS; who++) {
                struct fq_error e;
                memset(&e, 0, sizeof e);
                int want = expected(a, s, who);
                int got = workflow_check(a, s, caller_roles(who), &e);
                if (got != want)
                    fail_msg("%s in %s by %s: got %d, want %d", action_name(a), status_name(s),
                             caller_name(who), got, want);
                allowed_count += got == 0;
                if (got == FQ_EFORBIDDEN) {
                    assert_string_equal(e.code, "forbidden_role");
                    assert_string_equal(e.field, "action");
                    assert_int_equal(e.status, FQ_EFORBIDDEN);
                } else if (got == FQ_ECONFLICT) {
                    char msg[128];
                    snprintf(msg, sizeof msg, "当前状态 %s 不允许 %s", status_name(s),
                             action_name(a));
                    assert_string_equal(e.code, "illegal_transition");
                    assert_string_equal(e.field, "action");
                    assert_string_equal(e.message, msg);
                } else {
                    assert_int_equal(e.status, 0); /* untouched */
                }
                /* without an error struct, the same answer */
                assert_int_equal(workflow_check(a, s, caller_roles(who), NULL), want);
            }
    assert_true(allowed_count > 100);
}

static void test_next(void **state)
{
    (void)state;
    for (size_t i = 0; i < NSPEC; i++)
        for (int s = 0; s < ST__COUNT; s++) {
            if (!has_word(spec[i].statuses, status_name(s)))
                continue;
            int want = s;
            if (*spec[i].next)
                assert_int_equal(status_parse(spec[i].next, &want), 0);
            assert_int_equal(workflow_next(spec[i].action, s), want);
        }
    assert_int_equal(workflow_next(-1, ST_HANDLING), ST_HANDLING);
    assert_int_equal(workflow_next(ACT__COUNT, ST_CLOSED), ST_CLOSED);
}

static void test_allowed_matches_check(void **state)
{
    (void)state;
    for (int s = 0; s < ST__COUNT; s++)
        for (unsigned roles = 0; roles < (1u << ROLE__COUNT); roles++) {
            unsigned want = 0;
            for (int a = 0; a < ACT__COUNT; a++)
                if (workflow_check(a, s, roles, NULL) == 0)
                    want |= 1u << a;
            assert_int_equal(workflow_allowed(s, roles), want);
        }
    /* a few read as the UI would */
    unsigned d = workflow_allowed(ST_PENDING_ASSESS, 1u << ROLE_DISPATCHER);
    assert_true(d & (1u << ACT_ASSESS));
    assert_true(d & (1u << ACT_DISPATCH));
    assert_false(d & (1u << ACT_ACCEPT));
    assert_int_equal(workflow_allowed(ST_ARCHIVED, 1u << ROLE_HANDLER), 0);
    assert_int_equal(workflow_allowed(ST_CLOSED, 0), 1u << ACT_RATE);
    assert_int_equal(workflow_allowed(ST_HANDLING, WORKFLOW_SYSTEM) & (1u << ACT_WARN),
                     1u << ACT_WARN);
}

static void test_role_sets(void **state)
{
    (void)state;
    unsigned clerk_handler = (1u << ROLE_CLERK) | (1u << ROLE_HANDLER);
    assert_int_equal(workflow_check(ACT_ACCEPT, ST_PENDING_ACCEPT, clerk_handler, NULL), 0);
    assert_int_equal(workflow_check(ACT_RESOLVE_ON_SPOT, ST_PENDING_ASSESS, clerk_handler, NULL),
                     0);
    /* a handler escalates only what it handles */
    struct fq_error e = {0};
    assert_int_equal(workflow_check(ACT_ESCALATE, ST_PENDING_ASSESS, 1u << ROLE_HANDLER, &e),
                     FQ_EFORBIDDEN);
    assert_int_equal(workflow_check(ACT_ESCALATE, ST_HANDLING, 1u << ROLE_HANDLER, NULL), 0);
    /* the system's status rules still hold */
    assert_int_equal(workflow_check(ACT_ASSESS, ST_HANDLING, WORKFLOW_SYSTEM, NULL), FQ_ECONFLICT);
    /* admin does every staff action, not the system's */
    assert_int_equal(workflow_check(ACT_VERIFY, ST_PENDING_VERIFY, 1u << ROLE_ADMIN, NULL), 0);
    assert_int_equal(workflow_check(ACT_OVERDUE, ST_HANDLING, 1u << ROLE_ADMIN, NULL),
                     FQ_EFORBIDDEN);
    assert_int_equal(workflow_check(ACT_NOTE, ST_PENDING_ASSESS, 0, NULL), FQ_EFORBIDDEN);
    /* the message names the action and the status in English */
    memset(&e, 0, sizeof e);
    assert_int_equal(workflow_check(ACT_ASSESS, ST_HANDLING, 1u << ROLE_DISPATCHER, &e),
                     FQ_ECONFLICT);
    assert_string_equal(e.message, "当前状态 handling 不允许 assess");
}

static void test_bad_input(void **state)
{
    (void)state;
    struct fq_error e = {0};
    assert_int_equal(workflow_check(-1, ST_HANDLING, 1u << ROLE_ADMIN, &e), FQ_EINVAL);
    assert_string_equal(e.field, "action");
    assert_int_equal(workflow_check(ACT__COUNT, ST_HANDLING, 1u << ROLE_ADMIN, NULL), FQ_EINVAL);
    assert_int_equal(workflow_check(ACT_NOTE, ST__COUNT, 1u << ROLE_ADMIN, &e), FQ_EINVAL);
    assert_string_equal(e.field, "status");
    assert_int_equal(workflow_check(ACT_NOTE, -1, 1u << ROLE_ADMIN, NULL), FQ_EINVAL);
    assert_int_equal(workflow_allowed(-1, 1u << ROLE_ADMIN), 0);
}

static void test_is_open(void **state)
{
    (void)state;
    const int open[ST__COUNT] = {[ST_PENDING_ASSESS] = 1,
                                 [ST_PENDING_DISPATCH] = 1,
                                 [ST_PENDING_ACCEPT] = 1,
                                 [ST_HANDLING] = 1,
                                 [ST_PENDING_VERIFY] = 1};
    for (int s = 0; s < ST__COUNT; s++)
        assert_int_equal(workflow_is_open(s), open[s]);
    assert_false(workflow_is_open(-1));
    assert_false(workflow_is_open(ST__COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_next),
        cmocka_unit_test(test_allowed_matches_check),
        cmocka_unit_test(test_role_sets),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_is_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
