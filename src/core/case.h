/* The case lifecycle (DESIGN.md "The flow of a case"): intake from any channel, and every action
 * after it, each allowed only in the right status, for the right role and within the actor's
 * scope, each appending a hash-chained event.
 *
 * Work is split in two halves so the writer thread does only what must be serialised:
 *  - *_prepare runs on the caller's thread: parses and validates the JSON input (naming the
 *    field of any error), checks reference data through a read connection, encrypts personal data;
 *  - *_tx runs inside a store write job: checks status, role and scope against the current row,
 *    assigns codes, deadlines and hashes, and writes. */
#ifndef FQ_CORE_CASE_H
#define FQ_CORE_CASE_H

#include <jansson.h>

#include "core/dedup_found.h"
#include "core/domain.h"
#include "store/model.h"
#include "util/err.h"

#define CASE_MAX_PARTIES 16

/* Who acts: a staff user, the public (citizen portal) or the system (timers). */
struct case_actor {
    int64_t user_id;                       /* 0 for public and system */
    char name[64];
    unsigned roles;                        /* bit (1u << ROLE_*) */
    char division[FQ_DIVISION_LEN + 1];    /* scope subtree, "" = all */
    int64_t department_id;                 /* scope department, 0 = none */
    int is_public, is_system;
};

/* A validated intake, ready for the writer. */
struct case_intake {
    struct fq_case c;                      /* the new case's fields (code etc. set by _tx) */
    struct fq_party parties[CASE_MAX_PARTIES];
    int nparties;
    char idem_key[128];                    /* "" if none; namespaced for citizens */
    struct case_actor actor;
    char *event_text;                      /* the intake event's payload as JSON text with a
                                              placeholder code, so that the writer only copies
                                              the code in (owned) */
    size_t event_code_at;                  /* where in event_text the code goes */
    struct dedup_found found;              /* repeat / duplicate findings, recorded by _tx */
    int resolve_on_spot;                   /* 当场办结 at registration */
    int runs;                              /* case_intake_tx runs so far (a group rolled back
                                              whole runs its jobs again) */
};

/* Parses an intake body: {channel, kind, title, description, division, grid?, address?, lat?,
 * lon?, people_count?, category?, parties?:[{role,name,id_number?,phone?}], contact_phone?,
 * resolve_on_spot?:{result, method}} — unknown fields rejected. 0 or FQ_EINVAL with e naming
 * the field; out must be freed with case_intake_clear either way. */
int case_intake_prepare(struct fq_domain *d, const struct case_actor *actor, json_t *body,
                        const char *idem_key, struct case_intake *out, struct fq_error *e);
void case_intake_clear(struct case_intake *in);
/* Writes the intake: idempotency check (same key → *replayed=1 and the earlier case), code,
 * deadline, parties, intake event. out receives the stored case (caller fq_case_clear()s it).
 * May run again on the same in and out after its transaction was rolled back
 * (store_submit_rerun; out zeroed before the first run): it then starts from what
 * case_intake_prepare made, and frees what an earlier run left in out. */
int case_intake_tx(struct store_tx *tx, struct fq_domain *d, struct case_intake *in, int64_t now,
                   struct fq_case *out, int *replayed, struct fq_error *e);

/* A validated action on a case. */
struct case_action {
    char code[FQ_CODE_LEN + 1];
    int action;                            /* ACT_* */
    struct case_actor actor;
    json_t *params;                        /* owned: the validated parameters */
};

/* Parses an action body for `action` (see docs/API.md for each action's fields). */
int case_action_prepare(struct fq_domain *d, const struct case_actor *actor, const char *code,
                        int action, json_t *body, struct case_action *out, struct fq_error *e);
void case_action_clear(struct case_action *a);
/* Applies the action: FQ_ENOTFOUND when the case is missing or outside the actor's scope,
 * FQ_EFORBIDDEN for the wrong role, FQ_ECONFLICT for the wrong status; out receives the case
 * afterwards. */
int case_action_tx(struct store_tx *tx, struct fq_domain *d, const struct case_action *a,
                   int64_t now, struct fq_case *out, struct fq_error *e);

/* An attachment being added to a case (the bytes are already stored content-addressed). */
struct case_attach {
    char code[FQ_CODE_LEN + 1];
    struct case_actor actor;
    char sha256[65];
    char name[208];
    char mime[48];
    int64_t size;
};

/* Validates the code and the actor's right to attach. */
int case_attach_prepare(struct fq_domain *d, const struct case_actor *actor, const char *code,
                        const char *sha256, const char *name, const char *mime, int64_t size,
                        struct case_attach *out, struct fq_error *e);
/* Records the attachment and an "attach" event (scope and status checked). */
int case_attach_tx(struct store_tx *tx, struct fq_domain *d, const struct case_attach *a,
                   int64_t now, struct fq_case *out, struct fq_error *e);

/* Timer step for one case: moves its light (yellow → event "warn"; red → event "overdue" with an
 * automatic urge) and, when supervise is set and the case is red, opens a supervision order.
 * out (may be NULL) receives the case afterwards. */
int case_refresh_tx(struct store_tx *tx, struct fq_domain *d, const char *code, int64_t now,
                    int supervise, struct fq_case *out);

/* 1 when the case is within the actor's scope (division subtree and/or department). */
int case_in_scope(const struct case_actor *actor, const struct fq_case *c,
                  const struct fq_assignment *as, int nas);
/* The same check from the case's division and its assignments' departments alone (what the case
 * response cache keeps). */
int case_in_scope_of(const struct case_actor *actor, const char *division, const int64_t *departments,
                     int ndepartments);
/* The case as JSON for staff (parties masked, deadline light and working days left). Never NULL
 * (an empty object when out of memory); the caller owns the reference. */
json_t *case_to_json(struct fq_domain *d, const struct fq_case *c, int64_t now);
/* The same object serialised (as json_dumps with JSON_COMPACT would), appended to b: for replies,
 * which need the text and not the tree. 0, or FQ_ENOMEM (also past b's cap) with b as it was. */
struct buf;
int case_json_write(struct buf *b, struct fq_domain *d, const struct fq_case *c, int64_t now);

#endif
