/* The domain's records and enumerations, shared by every layer from the store up.
 *
 * They live at the bottom (store/) because the store persists them and the layers above speak
 * them; every enum has one name table (the GLOSSARY.md spelling) used in the database, the API
 * and the logs alike. */
#ifndef FQ_STORE_MODEL_H
#define FQ_STORE_MODEL_H

#include <stdint.h>

/* 渠道 channel */
enum fq_channel { CH_WINDOW, CH_GRID, CH_HOTLINE, CH_POLICE, CH_PORTAL, CH_LETTERS, CH_API, CH__COUNT };
/* kind of case: 诉求 request / 事件 incident / 矛盾纠纷 dispute */
enum fq_kind { KIND_REQUEST, KIND_INCIDENT, KIND_DISPUTE, KIND__COUNT };
/* 简易 / 普通 / 复杂 / 疑难; GRADE_NONE before assessment */
enum fq_grade { GRADE_NONE, GRADE_SIMPLE, GRADE_ORDINARY, GRADE_COMPLEX, GRADE_DIFFICULT, GRADE__COUNT };
/* division and handling levels: 市 1, 县 2, 乡 3, 村 4; grids are below villages */
enum fq_level { LEVEL_NONE, LEVEL_CITY, LEVEL_COUNTY, LEVEL_TOWNSHIP, LEVEL_VILLAGE, LEVEL__COUNT };
/* where a case stands in its lifecycle (DESIGN.md "The flow of a case") */
enum fq_status {
    ST_PENDING_ASSESS,   /* 待研判: registered, or returned, escalated, reopened */
    ST_PENDING_DISPATCH, /* 待派单: assessed */
    ST_PENDING_ACCEPT,   /* 待接单: dispatched, the lead has not accepted */
    ST_HANDLING,         /* 办理中: accepted by the lead */
    ST_PENDING_VERIFY,   /* 待核单: the lead reported it resolved */
    ST_CLOSED,           /* 已办结: verified (or resolved on the spot); rating and follow-up */
    ST_ARCHIVED,         /* 已归档 */
    ST__COUNT
};
/* roles; a user holds a set of them (bit 1 << role) */
enum fq_role {
    ROLE_ADMIN, ROLE_CLERK, ROLE_DISPATCHER, ROLE_HANDLER, ROLE_MEDIATOR, ROLE_GRID_WORKER,
    ROLE_SUPERVISOR, ROLE_LEADER, ROLE__COUNT
};
/* every event on a case's timeline */
enum fq_action {
    ACT_INTAKE, ACT_ASSESS, ACT_RESOLVE_ON_SPOT, ACT_DISPATCH, ACT_ACCEPT, ACT_RETURN, ACT_ESCALATE,
    ACT_URGE, ACT_SUPERVISE, ACT_NOTE, ACT_MEDIATION, ACT_RESOLVE, ACT_VERIFY, ACT_REJECT, ACT_RATE,
    ACT_FOLLOW_UP, ACT_REOPEN, ACT_ARCHIVE, ACT_ATTACH, ACT_WARN, ACT_OVERDUE, ACT__COUNT
};
/* deadline light: 绿 / 黄 临期 / 红 超期 */
enum fq_light { LIGHT_GREEN, LIGHT_YELLOW, LIGHT_RED, LIGHT__COUNT };
/* presence of a department in a centre */
enum fq_presence { PRESENCE_RESIDENT, PRESENCE_ROTATING, PRESENCE_ON_CALL, PRESENCE__COUNT };
/* 满意 / 基本满意 / 不满意 */
enum fq_satisfaction { SAT_NONE, SAT_SATISFIED, SAT_BASIC, SAT_DISSATISFIED, SAT__COUNT };
/* assignment to a department */
enum fq_assign_role { ASSIGN_LEAD, ASSIGN_ASSIST };
enum fq_assign_status { AS_PENDING, AS_ACCEPTED, AS_RETURNED, AS_RESOLVED, AS_CANCELLED, AS__COUNT };

/* Name of an enum value ("window", "pending_assess"...), "" when out of range. */
const char *channel_name(int v);
const char *kind_name(int v);
const char *grade_name(int v);
const char *level_name(int v);
const char *status_name(int v);
const char *role_name(int v);
const char *action_name(int v);
const char *light_name(int v);
const char *presence_name(int v);
const char *satisfaction_name(int v);
const char *assign_status_name(int v);
/* Chinese label of a value, for reports and the UI ("窗口", "待研判"...). */
const char *status_label_zh(int v);
const char *channel_label_zh(int v);
const char *grade_label_zh(int v);
/* Parses a name into its value: 0 and *out set, or FQ_EINVAL. */
int channel_parse(const char *s, int *out);
int kind_parse(const char *s, int *out);
int grade_parse(const char *s, int *out);
int level_parse(const char *s, int *out);
int status_parse(const char *s, int *out);
int role_parse(const char *s, int *out);
int action_parse(const char *s, int *out);
int presence_parse(const char *s, int *out);
int satisfaction_parse(const char *s, int *out);

#define FQ_CODE_LEN 21      /* case code: 6 + 8 + 6 + 1 */
#define FQ_DIVISION_LEN 12  /* statistical division code */
#define FQ_HASH_LEN 32      /* BLAKE2b-256 of an event */

/* 案件 case: one matter, one code for life. Strings are owned (heap) and freed by fq_case_clear. */
struct fq_case {
    int64_t id;
    char code[FQ_CODE_LEN + 1];
    char county[7];               /* 6-digit county code, also the code's prefix */
    int channel, kind, grade, level, status, light;
    char category[16];            /* category code ("0201", "G0102"), "" before assessment */
    char division[FQ_DIVISION_LEN + 1]; /* location: village (or township) division code */
    char grid[24];                /* grid code, "" if none */
    char centre[FQ_DIVISION_LEN + 1];   /* division of the centre handling it now */
    char *title, *description, *address;
    double lat, lon;              /* 0,0 when has_location is 0 */
    int has_location;
    int people_count;             /* 涉及人数 */
    int64_t created_by;           /* user id, 0 for citizens and the system */
    int64_t created_at, updated_at, due_at, warn_at; /* ms; due/warn 0 when no deadline runs */
    int64_t resolved_at, closed_at, archived_at;
    int urge_count, supervised, escalations, returns, reopens;
    int64_t lead_department;      /* 0 when not dispatched */
    char *result;                 /* 办结 result text */
    char method[8];               /* GB/T 31000 化解方式 code */
    int success;                  /* 1 settled, 0 not, -1 unknown */
    int satisfaction;             /* latest citizen rating, SAT_* */
    int staff_score;              /* 0..100, 0 = none */
    int followed_up;
    int64_t repeat_of;            /* case id this repeats, 0 if none */
    int64_t event_seq;            /* number of events so far */
    unsigned char last_hash[FQ_HASH_LEN];
    unsigned char *contact_enc;   /* submitter phone, encrypted (pii.h); NULL if none */
    int contact_enc_len;
    /* The duplicate suggestions its intake found (core/dedup.h), in the form of cases.dups
     * (store_dups_text): written by store_tx_case_insert, never updated and not read back into
     * a case (store_case_duplicates reads them); NULL when none. */
    char *dups;
    /* The store's note of the indexed columns as store_tx_case_get read them, so that
     * store_tx_case_update rewrites them (and their indexes) only when they changed; zero for a
     * case not read that way, which is then written whole. Not for other code to touch. */
    struct fq_case_as_read {
        int valid, status, light;
        int64_t due_at, warn_at;
        char category[16], division[FQ_DIVISION_LEN + 1];
        char *title, *description;
    } as_read;
};

/* Frees the strings of a case and zeroes it. */
void fq_case_clear(struct fq_case *c);

/* 当事人 party. The ID number and phone are held encrypted plus a blind index. */
struct fq_party {
    int64_t id, case_id;
    char role[16];                /* "applicant", "respondent", "other" */
    char name[64];
    unsigned char id_enc[96];  int id_enc_len;     /* 0 when none */
    unsigned char id_bidx[16];
    unsigned char phone_enc[80]; int phone_enc_len;
    unsigned char phone_bidx[16];
};

/* 派单 assignment of a case to one department. */
struct fq_assignment {
    int64_t id, case_id, department_id;
    int role;                     /* ASSIGN_LEAD / ASSIGN_ASSIST */
    int status;                   /* AS_* */
    int64_t assigned_at, deadline, accepted_at, resolved_at;
    char result[512];
};

/* One event of a case's timeline; payload is JSON text (owned). */
struct fq_event {
    int64_t id, case_id, seq, at, actor_id;
    char actor_name[64];
    int action, from_status, to_status;
    char *payload;
    unsigned char prev_hash[FQ_HASH_LEN];
    unsigned char hash[FQ_HASH_LEN];
};

/* A staff account. */
struct fq_user {
    int64_t id;
    char username[64];
    char display_name[64];
    char pw_hash[128];            /* argon2id string (crypto_pwhash_str) */
    unsigned roles;               /* bit (1u << ROLE_*) */
    char division[FQ_DIVISION_LEN + 1]; /* scope: this division's subtree; "" = none */
    int64_t department_id;        /* scope: this department; 0 = none */
    int failed_logins;
    int64_t locked_until;         /* ms */
    int disabled;
    int64_t created_at;
};

/* A department (职能部门) at one centre. */
struct fq_department {
    int64_t id;
    char kind[24];                /* "justice", "police", "hrss"... the responsibility list's key */
    char name[96];
    char division[FQ_DIVISION_LEN + 1]; /* the centre's division */
    int level, presence;
    int active;                   /* 0: deactivated (kept for the cases that name it) */
};

/* A category of matters: GB/T 31000 dispute types (national, read-only apart from `active` and
 * the routing keywords) or local grid matters (网格事项准入清单). */
struct fq_category {
    char code[16];
    char name[64];
    char parent[16];              /* "" for level 1 */
    char kind[16];                /* "dispute" or "grid_matter" */
    char keywords[1024];          /* comma-separated, for routing */
    int active;
};

/* 时限策略: one SLA policy row. grade/level 0 and channel -1 match anything. */
struct fq_sla_rule {
    int64_t id;
    int grade, level, channel;
    char unit[12];                /* "hours", "days", "workdays", "months" */
    int amount;
    double warn_fraction;         /* 0..1: yellow once this share of the limit has passed */
    int response_hours;           /* limit to accept after dispatch */
};

#endif
