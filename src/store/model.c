/* Name tables of the domain enumerations: one spelling (GLOSSARY.md) for database, API and logs. */
#include "store/model.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *channels[] = {"window", "grid", "hotline_12345", "police_110", "portal",
                                 "letters_visits", "api"};
static const char *channels_zh[] = {"窗口", "网格", "12345热线", "110警情", "网上平台", "信访", "接口"};
static const char *kinds[] = {"request", "incident", "dispute"};
static const char *grades[] = {"", "simple", "ordinary", "complex", "difficult"};
static const char *grades_zh[] = {"未定级", "简易", "普通", "复杂", "疑难"};
static const char *levels[] = {"", "city", "county", "township", "village"};
static const char *statuses[] = {"pending_assess", "pending_dispatch", "pending_accept", "handling",
                                 "pending_verify", "closed", "archived"};
static const char *statuses_zh[] = {"待研判", "待派单", "待接单", "办理中", "待核单", "已办结", "已归档"};
static const char *roles[] = {"admin", "clerk", "dispatcher", "handler", "mediator", "grid_worker",
                              "supervisor", "leader"};
static const char *actions[] = {"intake", "assess", "resolve_on_spot", "dispatch", "accept", "return",
                                "escalate", "urge", "supervise", "note", "mediation", "resolve",
                                "verify", "reject", "rate", "follow_up", "reopen", "archive", "attach",
                                "warn", "overdue"};
static const char *lights[] = {"green", "yellow", "red"};
static const char *presences[] = {"resident", "rotating", "on_call"};
static const char *satisfactions[] = {"", "satisfied", "basically_satisfied", "dissatisfied"};
static const char *assign_statuses[] = {"pending", "accepted", "returned", "resolved", "cancelled"};

_Static_assert(COUNT(channels) == CH__COUNT, "channel names");
_Static_assert(COUNT(channels_zh) == CH__COUNT, "channel labels");
_Static_assert(COUNT(kinds) == KIND__COUNT, "kind names");
_Static_assert(COUNT(grades) == GRADE__COUNT, "grade names");
_Static_assert(COUNT(levels) == LEVEL__COUNT, "level names");
_Static_assert(COUNT(statuses) == ST__COUNT, "status names");
_Static_assert(COUNT(statuses_zh) == ST__COUNT, "status labels");
_Static_assert(COUNT(roles) == ROLE__COUNT, "role names");
_Static_assert(COUNT(actions) == ACT__COUNT, "action names");
_Static_assert(COUNT(lights) == LIGHT__COUNT, "light names");
_Static_assert(COUNT(presences) == PRESENCE__COUNT, "presence names");
_Static_assert(COUNT(satisfactions) == SAT__COUNT, "satisfaction names");
_Static_assert(COUNT(assign_statuses) == AS__COUNT, "assignment status names");

static const char *name_of(const char **t, int n, int v)
{
    return v >= 0 && v < n ? t[v] : "";
}

static int parse_in(const char **t, int n, int first, const char *s, int *out)
{
    if (!s || !*s)
        return FQ_EINVAL;
    for (int i = first; i < n; i++)
        if (!strcmp(t[i], s)) {
            *out = i;
            return 0;
        }
    return FQ_EINVAL;
}

const char *channel_name(int v) { return name_of(channels, CH__COUNT, v); }
const char *kind_name(int v) { return name_of(kinds, KIND__COUNT, v); }
const char *grade_name(int v) { return name_of(grades, GRADE__COUNT, v); }
const char *level_name(int v) { return name_of(levels, LEVEL__COUNT, v); }
const char *status_name(int v) { return name_of(statuses, ST__COUNT, v); }
const char *role_name(int v) { return name_of(roles, ROLE__COUNT, v); }
const char *action_name(int v) { return name_of(actions, ACT__COUNT, v); }
const char *light_name(int v) { return name_of(lights, LIGHT__COUNT, v); }
const char *presence_name(int v) { return name_of(presences, PRESENCE__COUNT, v); }
const char *satisfaction_name(int v) { return name_of(satisfactions, SAT__COUNT, v); }
const char *assign_status_name(int v) { return name_of(assign_statuses, AS__COUNT, v); }
const char *status_label_zh(int v) { return name_of(statuses_zh, ST__COUNT, v); }
const char *channel_label_zh(int v) { return name_of(channels_zh, CH__COUNT, v); }
const char *grade_label_zh(int v) { return name_of(grades_zh, GRADE__COUNT, v); }

int channel_parse(const char *s, int *out) { return parse_in(channels, CH__COUNT, 0, s, out); }
int kind_parse(const char *s, int *out) { return parse_in(kinds, KIND__COUNT, 0, s, out); }
int grade_parse(const char *s, int *out) { return parse_in(grades, GRADE__COUNT, 1, s, out); }
int level_parse(const char *s, int *out) { return parse_in(levels, LEVEL__COUNT, 1, s, out); }
int status_parse(const char *s, int *out) { return parse_in(statuses, ST__COUNT, 0, s, out); }
int role_parse(const char *s, int *out) { return parse_in(roles, ROLE__COUNT, 0, s, out); }
int action_parse(const char *s, int *out) { return parse_in(actions, ACT__COUNT, 0, s, out); }
int presence_parse(const char *s, int *out) { return parse_in(presences, PRESENCE__COUNT, 0, s, out); }
int satisfaction_parse(const char *s, int *out) { return parse_in(satisfactions, SAT__COUNT, 1, s, out); }

void fq_case_clear(struct fq_case *c)
{
    if (!c)
        return;
    free(c->title);
    free(c->description);
    free(c->address);
    free(c->result);
    free(c->contact_enc);
    free(c->dups);
    free(c->as_read.title);
    free(c->as_read.description);
    memset(c, 0, sizeof *c);
}
