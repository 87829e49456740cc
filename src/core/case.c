/* The case lifecycle: intake from every channel into one model, then each action of the flow
 * (assess, dispatch, accept, return, escalate, urge, supervise, mediate, resolve, verify, rate,
 * follow up, reopen, archive), each checked for status, role and scope and recorded as a
 * hash-chained event. Validation happens in *_prepare on the caller's thread; only the checks
 * that depend on the current row run in *_tx on the writer thread. */
#include "core/case.h"
#include "core/casecode.h"
#include "core/chain.h"
#include "core/dedup.h"
#include "core/ident.h"
#include "core/pii.h"
#include "core/router.h"
#include "core/sla.h"
#include "core/workflow.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/jsonin.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYSTEM_ROLES WORKFLOW_SYSTEM

/* ---------- helpers ---------- */

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static unsigned actor_roles(const struct case_actor *a)
{
    if (a->is_system)
        return SYSTEM_ROLES;
    if (a->is_public)
        return 0;
    return a->roles;
}

int case_in_scope(const struct case_actor *actor, const struct fq_case *c,
                  const struct fq_assignment *as, int nas)
{
    int64_t match = actor->department_id;
    int n = 0;
    for (int i = 0; i < nas && !n; i++)
        n = as[i].department_id == match; /* only whether one matches matters */
    return case_in_scope_of(actor, c->division, &match, n);
}

int case_in_scope_of(const struct case_actor *actor, const char *division, const int64_t *departments,
                     int ndepartments)
{
    if (actor->is_system)
        return 1;
    if (actor->division[0] && !division_contains(actor->division, division))
        return 0;
    if (actor->department_id) {
        for (int i = 0; i < ndepartments; i++)
            if (departments[i] == actor->department_id)
                return 1;
        return 0;
    }
    return 1;
}

/* Appends an event to the case's chain; the caller writes the case row afterwards. */
/* Seals the case's next event: fills *ev (payload owned by it: free ev->payload), hashes it onto
 * the chain and advances the case's head. The hash does not cover the case id, so a new case's
 * events can be sealed before its row exists. */
/* Seals an event whose payload is already text (taken: freed by the caller with ev->payload,
 * also on failure). */
static int seal_event_text(struct fq_case *c, const struct case_actor *actor, int action, int from,
                           char *payload, int64_t now, struct fq_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->payload = payload;
    if (!ev->payload)
        return FQ_ENOMEM;
    ev->case_id = c->id;
    ev->seq = c->event_seq + 1;
    ev->at = now;
    ev->actor_id = actor->user_id;
    snprintf(ev->actor_name, sizeof ev->actor_name, "%s",
             actor->name[0] ? actor->name : actor->is_public ? "群众" : "系统");
    ev->action = action;
    ev->from_status = from;
    ev->to_status = c->status;
    memcpy(ev->prev_hash, c->last_hash, FQ_HASH_LEN);
    chain_hash(c->code, ev, ev->hash);
    c->event_seq = ev->seq;
    memcpy(c->last_hash, ev->hash, FQ_HASH_LEN);
    c->updated_at = now;
    return 0;
}

static int seal_event(struct fq_case *c, const struct case_actor *actor, int action, int from,
                      json_t *payload, int64_t now, struct fq_event *ev)
{
    char *text = payload ? json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
    return seal_event_text(c, actor, action, from, text, now, ev);
}

static int append_event(struct store_tx *tx, struct fq_case *c, const struct case_actor *actor,
                        int action, int from, json_t *payload, int64_t now)
{
    struct fq_event ev;
    int rc = seal_event(c, actor, action, from, payload, now, &ev);
    if (rc == 0)
        rc = store_tx_event_insert(tx, &ev);
    free(ev.payload);
    return rc;
}

/* The light of an open case follows its deadline; a closed one keeps the light it closed with. */
static void refresh_light(struct fq_case *c, int64_t now)
{
    if (workflow_is_open(c->status))
        c->light = sla_light(now, c->warn_at, c->due_at);
}

static void set_deadline_from(struct fq_domain *d, struct fq_case *c, int64_t start, int64_t now)
{
    domain_deadline(d, c->grade, c->level, c->channel, start, &c->due_at, &c->warn_at);
    refresh_light(c, now);
}

/* ---------- intake ---------- */

/* Prefixes the field of an error: "phone" → "parties[0].phone". */
static void field_prefix(struct fq_error *e, const char *prefix)
{
    char tmp[sizeof e->field];
    size_t p = strlen(prefix), f = strlen(e->field);
    if (p > sizeof tmp - 2)
        p = sizeof tmp - 2;
    if (p + 1 + f > sizeof tmp - 1)
        f = sizeof tmp - 2 - p;
    memcpy(tmp, prefix, p);
    tmp[p] = '.';
    memcpy(tmp + p + 1, e->field, f);
    tmp[p + 1 + f] = 0;
    memcpy(e->field, tmp, sizeof tmp);
}


static int parse_party(struct fq_domain *d, json_t *p, int idx, struct fq_party *out,
                       struct fq_error *e)
{
    static const char *const allowed[] = {"role", "name", "id_number", "phone", NULL};
    const char *role = NULL, *name = NULL, *idn = NULL, *phone = NULL;
    char field[48];
    int rc;
    memset(out, 0, sizeof *out);
    snprintf(field, sizeof field, "parties[%d]", idx);
    if (!json_is_object(p))
        return fq_fail(e, FQ_EINVAL, "invalid_type", field, "当事人必须是对象 (party must be an object)");
    if ((rc = jin_only(p, allowed, e)) || (rc = jin_str(p, "role", 0, 1, 15, &role, e)) ||
        (rc = jin_str(p, "name", 1, 1, 63, &name, e)) || (rc = jin_str(p, "id_number", 0, 1, 32, &idn, e)) ||
        (rc = jin_str(p, "phone", 0, 1, 32, &phone, e))) {
        field_prefix(e, field);
        return rc;
    }
    if (role && strcmp(role, "applicant") && strcmp(role, "respondent") && strcmp(role, "other"))
        return fq_fail(e, FQ_EINVAL, "invalid_value", strcat(field, ".role"),
                       "当事人角色须为 applicant/respondent/other");
    snprintf(out->role, sizeof out->role, "%s", role ? role : "applicant");
    snprintf(out->name, sizeof out->name, "%s", name);
    if (idn) {
        char up[19];
        if (!ident_resident_id_valid(idn))
            return fq_fail(e, FQ_EINVAL, "invalid_id_number", strcat(field, ".id_number"),
                           "身份证号码校验失败 (invalid resident ID)");
        snprintf(up, sizeof up, "%s", idn);
        if (up[17] == 'x')
            up[17] = 'X';
        pii_encrypt(&d->key, up, out->id_enc, sizeof out->id_enc, &out->id_enc_len);
        pii_blind_index(&d->key, "id", up, out->id_bidx);
    }
    if (phone) {
        char norm[12];
        if (ident_phone_normalize(phone, norm))
            return fq_fail(e, FQ_EINVAL, "invalid_phone", strcat(field, ".phone"),
                           "手机号码格式不正确 (invalid mobile number)");
        pii_encrypt(&d->key, norm, out->phone_enc, sizeof out->phone_enc, &out->phone_enc_len);
        pii_blind_index(&d->key, "phone", norm, out->phone_bidx);
    }
    return 0;
}

/* A category new cases may take: it exists and an admin has not deactivated it. */
static int check_category(struct fq_domain *d, const char *category, struct fq_error *e)
{
    struct store_rd *rd = store_rd(d->store);
    int active = rd ? store_category_active(rd, category) : FQ_EIO;
    if (active == 0)
        return fq_fail(e, FQ_EINVAL, "inactive_category", "category", "事项类别已停用 (category deactivated)");
    if (active < 0)
        return fq_fail(e, FQ_EINVAL, "unknown_category", "category", "事项类别不存在 (unknown category)");
    return 0;
}

/* Resolves the division of a new case from division and/or grid. */
static int check_location(struct fq_domain *d, const char *division, const char *grid,
                          struct fq_case *c, struct fq_error *e)
{
    struct store_rd *rd = store_rd(d->store);
    char name[96], parent[FQ_DIVISION_LEN + 1], village[FQ_DIVISION_LEN + 1];
    int level;
    if (!rd)
        return fq_fail(e, FQ_EIO, NULL, "", "storage unavailable");
    if (grid) {
        if (store_grid_get(rd, grid, village))
            return fq_fail(e, FQ_EINVAL, "unknown_grid", "grid", "网格编码不存在 (unknown grid)");
        if (division && strcmp(division, village))
            return fq_fail(e, FQ_EINVAL, "grid_mismatch", "grid", "网格不属于该区划 (grid not in division)");
        snprintf(c->grid, sizeof c->grid, "%s", grid);
        division = village;
    }
    if (!division)
        return fq_fail(e, FQ_EINVAL, "required", "division", "缺少必填字段 division (required)");
    if (!division_code_valid(division) || store_division_get(rd, division, name, &level, parent))
        return fq_fail(e, FQ_EINVAL, "unknown_division", "division", "区划代码不存在 (unknown division)");
    if (level < LEVEL_COUNTY)
        return fq_fail(e, FQ_EINVAL, "division_level", "division",
                       "事发地须为县级及以下区划 (division must be a county or below)");
    snprintf(c->division, sizeof c->division, "%s", division);
    division_county(division, c->county);
    return 0;
}

static int jw_key(struct buf *b, const char *key);
static int jw_str(struct buf *b, const char *key, const char *v);
static int jw_int(struct buf *b, const char *key, int64_t v);
static int jw_lit(struct buf *b, const char *key, const char *literal);

/* Writes the intake event's payload on the caller's thread, its code a placeholder of the same
 * length, so that the writer only copies the code in: the bytes json_dumps(JSON_COMPACT |
 * JSON_SORT_KEYS) gives for {channel, code, division, duplicate_candidates?, parties, repeat_of?,
 * repeat_petition?, title}, written in that (sorted) order without building the tree
 * (tests/unit/test_case.c compares). 0 or FQ_ENOMEM. */
static int intake_event_text(struct case_intake *in, const char *title)
{
    static const char placeholder[] = "000000000000000000000";
    _Static_assert(sizeof placeholder == FQ_CODE_LEN + 1, "a code's length");
    const struct dedup_found *f = &in->found;
    struct buf b;
    buf_init(&b, 64 * 1024);
    int rc = buf_reserve(&b, 224 + strlen(title) + (size_t)f->n * (FQ_CODE_LEN + 3));
    rc |= jw_str(&b, "channel", channel_name(in->c.channel));
    rc |= jw_key(&b, "code");
    size_t at = b.len + 1;
    rc |= buf_json_str(&b, placeholder);
    rc |= jw_str(&b, "division", in->c.division);
    for (int i = 0; i < f->n; i++) {
        if (i == 0)
            rc |= jw_key(&b, "duplicate_candidates");
        rc |= buf_add(&b, i ? "," : "[", 1) | buf_json_str(&b, f->dup_codes[i]);
    }
    if (f->n)
        rc |= buf_add(&b, "]", 1);
    rc |= jw_int(&b, "parties", in->nparties);
    if (f->repeat_id) /* 重复信访 */
        rc |= jw_str(&b, "repeat_of", f->repeat_code) | jw_lit(&b, "repeat_petition", "true");
    rc |= jw_str(&b, "title", title) | buf_add(&b, "}", 1);
    if (rc) {
        buf_free(&b);
        return FQ_ENOMEM;
    }
    b.data[0] = '{';
    in->event_code_at = at;
    in->event_text = buf_steal(&b);
    return 0;
}

static int intake_prepare(struct fq_domain *d, const struct case_actor *actor, json_t *body,
                          const char *idem_key, struct case_intake *out, struct fq_error *e)
{
    static const char *const allowed[] = {
        "channel", "kind", "title", "description", "division", "grid", "address", "lat", "lon",
        "people_count", "category", "parties", "contact_phone", "resolve_on_spot", NULL};
    const char *channel = NULL, *kind = NULL, *title, *desc, *division, *grid, *address, *category,
               *contact;
    json_t *parties, *spot;
    int64_t people = 1;
    double lat = 0, lon = 0;
    int rc, has_lat = 0, has_lon = 0;
    struct fq_case *c = &out->c;

    memset(out, 0, sizeof *out);
    out->actor = *actor;
    if (!actor->is_public && (rc = workflow_check(ACT_INTAKE, ST_PENDING_ASSESS, actor_roles(actor), e)))
        return rc;
    if ((rc = jin_only(body, allowed, e)))
        return rc;
    if ((rc = jin_str(body, "channel", !actor->is_public, 1, 32, &channel, e)) ||
        (rc = jin_str(body, "kind", 0, 1, 16, &kind, e)) ||
        (rc = jin_str(body, "title", 1, 2, 200, &title, e)) ||
        (rc = jin_str(body, "description", 1, 2, 8000, &desc, e)) ||
        (rc = jin_str(body, "division", 0, 12, 12, &division, e)) ||
        (rc = jin_str(body, "grid", 0, 1, 23, &grid, e)) ||
        (rc = jin_str(body, "address", 0, 1, 256, &address, e)) ||
        (rc = jin_str(body, "category", 0, 1, 15, &category, e)) ||
        (rc = jin_str(body, "contact_phone", actor->is_public, 1, 32, &contact, e)) ||
        (rc = jin_int(body, "people_count", 0, 1, 100000, &people, e)) ||
        (rc = jin_array(body, "parties", 0, CASE_MAX_PARTIES, &parties, e)) ||
        (rc = jin_object(body, "resolve_on_spot", 0, &spot, e)))
        return rc;
    if (json_object_get(body, "lat") && !json_is_null(json_object_get(body, "lat"))) {
        if ((rc = jin_num(body, "lat", 1, 3.0, 54.0, &lat, e)))
            return rc;
        has_lat = 1;
    }
    if (json_object_get(body, "lon") && !json_is_null(json_object_get(body, "lon"))) {
        if ((rc = jin_num(body, "lon", 1, 73.0, 136.0, &lon, e)))
            return rc;
        has_lon = 1;
    }
    if (has_lat != has_lon)
        return fq_fail(e, FQ_EINVAL, "required", has_lat ? "lon" : "lat",
                       "经纬度须同时提供 (lat and lon go together)");

    if (actor->is_public) {
        c->channel = CH_PORTAL;
        if (channel && strcmp(channel, "portal"))
            return fq_fail(e, FQ_EINVAL, "invalid_value", "channel", "群众提交的渠道只能是 portal");
    } else if (channel_parse(channel, &c->channel)) {
        return fq_fail(e, FQ_EINVAL, "invalid_value", "channel",
                       "渠道须为 window/grid/hotline_12345/police_110/portal/letters_visits/api");
    }
    c->kind = KIND_REQUEST;
    if (kind && kind_parse(kind, &c->kind))
        return fq_fail(e, FQ_EINVAL, "invalid_value", "kind", "类型须为 request/incident/dispute");
    if ((rc = check_location(d, division, grid, c, e)))
        return rc;
    if (!actor->is_public && !actor->is_system && actor->division[0] &&
        !division_contains(actor->division, c->division))
        return fq_fail(e, FQ_EINVAL, "out_of_scope", "division",
                       "事发地不在您的管辖范围内 (division outside your scope)");
    if (category) {
        if ((rc = check_category(d, category, e)))
            return rc;
        snprintf(c->category, sizeof c->category, "%s", category);
    }
    if (contact) {
        char norm[12];
        if (ident_phone_normalize(contact, norm))
            return fq_fail(e, FQ_EINVAL, "invalid_phone", "contact_phone", "手机号码格式不正确 (invalid mobile number)");
        c->contact_enc = malloc(sizeof norm + PII_OVERHEAD);
        if (!c->contact_enc)
            return FQ_ENOMEM;
        pii_encrypt(&d->key, norm, c->contact_enc, sizeof norm + PII_OVERHEAD, &c->contact_enc_len);
    }
    for (size_t i = 0; parties && i < json_array_size(parties); i++) {
        if ((rc = parse_party(d, json_array_get(parties, i), (int)i, &out->parties[i], e)))
            return rc;
        out->nparties++;
    }
    if (spot) {
        static const char *const spot_allowed[] = {"result", "method", NULL};
        const char *result, *method;
        if ((rc = jin_only(spot, spot_allowed, e)) ||
            (rc = jin_str(spot, "result", 1, 2, 4000, &result, e)) ||
            (rc = jin_str(spot, "method", 1, 2, 7, &method, e)))
            goto spot_field;
        if (!store_resolution_method_exists(store_rd(d->store), method)) {
            rc = fq_fail(e, FQ_EINVAL, "unknown_method", "method", "化解方式代码不存在 (unknown method)");
            goto spot_field;
        }
        if ((rc = workflow_check(ACT_RESOLVE_ON_SPOT, ST_PENDING_ASSESS, actor_roles(actor), e)))
            return rc;
        c->result = strdup(result);
        snprintf(c->method, sizeof c->method, "%s", method);
        out->resolve_on_spot = 1;
    }
    c->title = strdup(title);
    c->description = strdup(desc);
    c->address = dup_or_null(address);
    c->lat = lat;
    c->lon = lon;
    c->has_location = has_lat;
    c->people_count = (int)people;
    c->success = -1;
    c->created_by = actor->user_id;
    if (idem_key && actor->is_public) {
        /* citizens share user id 0: a key only replays for the same contact phone */
        unsigned char bidx[PII_BIDX_LEN];
        char hex[2 * PII_BIDX_LEN + 1], norm[12];
        ident_phone_normalize(contact, norm);
        pii_blind_index(&d->key, "phone", norm, bidx);
        sodium_bin2hex(hex, sizeof hex, bidx, sizeof bidx);
        snprintf(out->idem_key, sizeof out->idem_key, "p:%s:%s", hex, idem_key);
    } else if (idem_key) {
        snprintf(out->idem_key, sizeof out->idem_key, "%s", idem_key);
    }
    /* 重复信访 and cross-channel duplicates (core/dedup.h), judged here on the caller's thread:
     * may set repeat_of and annotates the event; the links are written by case_intake_tx */
    if ((rc = dedup_intake_detect(store_rd(d->store), d->dedup, c, out->parties, out->nparties,
                                  fq_now_ms(), &out->found)))
        return rc;
    return intake_event_text(out, title);

spot_field:
    field_prefix(e, "resolve_on_spot");
    return rc;
}

/* The intake's lookups (grid, division, category, method, duplicate candidates and their texts,
 * the parties' earlier cases) share one read transaction: one snapshot, one start. If it cannot
 * be opened each lookup runs in its own, as without it. */
int case_intake_prepare(struct fq_domain *d, const struct case_actor *actor, json_t *body,
                        const char *idem_key, struct case_intake *out, struct fq_error *e)
{
    struct store_rd *rd = store_rd(d->store);
    store_rd_begin(rd);
    int rc = intake_prepare(d, actor, body, idem_key, out, e);
    store_rd_end(rd);
    return rc;
}

void case_intake_clear(struct case_intake *in)
{
    if (!in)
        return;
    fq_case_clear(&in->c);
    free(in->event_text);
    dedup_found_clear(&in->found);
    memset(in, 0, sizeof *in);
}

/* The centre that first handles a case: the registering user's own centre when the case lies in
 * its area, otherwise the county's. */
static void initial_centre(const struct case_actor *actor, struct fq_case *c)
{
    if (actor->division[0] && division_level(actor->division) >= LEVEL_COUNTY &&
        division_contains(actor->division, c->division)) {
        snprintf(c->centre, sizeof c->centre, "%s", actor->division);
        c->level = division_level(actor->division);
    } else {
        division_ancestor(c->division, LEVEL_COUNTY, c->centre);
        c->level = LEVEL_COUNTY;
    }
}

int case_intake_tx(struct store_tx *tx, struct fq_domain *d, struct case_intake *in, int64_t now,
                   struct fq_case *out, int *replayed, struct fq_error *e)
{
    struct fq_case *c = &in->c;
    char code[FQ_CODE_LEN + 1];
    int seq, rc;
    *replayed = 0;
    /* Run again after its group was rolled back (store_submit_rerun): start from what
     * case_intake_prepare made. A run that succeeded moved the case to out; any run numbered it
     * and sealed its events into it. Everything else below is set again from the same inputs. */
    if (in->runs++) {
        if (!c->county[0]) { /* moved out by a run that succeeded */
            *c = *out;
            memset(out, 0, sizeof *out);
        }
        fq_case_clear(out); /* what a replay read */
        c->id = 0;
        c->event_seq = 0;
        memset(c->last_hash, 0, sizeof c->last_hash);
    }
    if (in->idem_key[0]) {
        rc = store_tx_idem_get(tx, in->actor.user_id, in->idem_key, code);
        if (rc == 0) {
            *replayed = 1;
            return store_tx_case_get(tx, code, out);
        }
        if (rc != FQ_ENOTFOUND)
            return rc;
    }
    int64_t day = day_of_ms(now);
    if ((rc = store_tx_next_case_seq(tx, c->county, day, &seq)))
        return rc;
    if (seq > 999999)
        return fq_fail(e, FQ_EBUSY, "sequence_exhausted", "", "该县今日案件编号已用尽");
    casecode_make(c->county, day, seq, c->code);
    initial_centre(&in->actor, c);
    c->status = ST_PENDING_ASSESS;
    c->created_at = c->updated_at = now;
    /* until it is assessed, the case runs against the assessment deadline (GRADE_NONE rules) */
    set_deadline_from(d, c, now, now);
    /* seal the events first, so the row is written once with its chain head (one insert, no
     * update: every index and the statistics hook see the case once) */
    struct fq_event ev[2];
    int nev = 0;
    char *text = in->event_text ? strdup(in->event_text) : NULL;
    if (text)
        memcpy(text + in->event_code_at, c->code, FQ_CODE_LEN);
    rc = seal_event_text(c, &in->actor, ACT_INTAKE, ST_PENDING_ASSESS, text, now, &ev[nev]);
    nev += rc == 0;
    if (rc == 0 && in->resolve_on_spot) {
        c->status = ST_CLOSED;
        c->success = 1;
        c->resolved_at = c->closed_at = now;
        c->light = LIGHT_GREEN;
        json_t *p = json_pack("{s:s, s:s}", "result", c->result, "method", c->method);
        rc = seal_event(c, &in->actor, ACT_RESOLVE_ON_SPOT, ST_PENDING_ASSESS, p, now, &ev[nev]);
        nev += rc == 0;
        json_decref(p);
    }
    if (rc == 0) /* the duplicate suggestions go into the row (core/dedup.h) */
        rc = dedup_intake_window(c, &in->found);
    if (rc == 0)
        rc = store_tx_case_insert(tx, c);
    for (int i = 0; rc == 0 && i < in->nparties; i++) {
        in->parties[i].case_id = c->id;
        rc = store_tx_party_insert(tx, &in->parties[i]);
    }
    for (int i = 0; rc == 0 && i < nev; i++) {
        ev[i].case_id = c->id;
        rc = store_tx_event_insert(tx, &ev[i]);
    }
    for (int i = 0; i < nev; i++)
        free(ev[i].payload);
    if (rc == 0)
        rc = dedup_intake_record_tx(tx, c, &in->found);
    dedup_intake_remember(d->dedup, c, &in->found); /* once it has an id */
    if (rc == 0 && in->idem_key[0])
        rc = store_tx_idem_put(tx, in->actor.user_id, in->idem_key, c->code);
    if (rc)
        return rc;
    /* the stored case is the one in hand: hand it over instead of reading it back */
    *out = *c;
    memset(c, 0, sizeof *c);
    return 0;
}

/* ---------- actions: validation ---------- */

static int check_department(struct fq_domain *d, int64_t id, const char *field, struct fq_error *e)
{
    struct fq_department dep;
    if (store_department_get(store_rd(d->store), id, &dep))
        return fq_fail(e, FQ_EINVAL, "unknown_department", field, "部门不存在 (unknown department %lld)",
                       (long long)id);
    if (!dep.active)
        return fq_fail(e, FQ_EINVAL, "inactive_department", field, "部门已停用 (department %lld is inactive)",
                       (long long)id);
    return 0;
}

static int check_deadline_str(json_t *obj, const char *key, struct fq_error *e)
{
    const char *s;
    int64_t ms;
    int rc = jin_str(obj, key, 0, 10, 40, &s, e);
    if (rc || !s)
        return rc;
    if (ms_parse(s, &ms))
        return fq_fail(e, FQ_EINVAL, "invalid_time", key, "时间格式须为 YYYY-MM-DD[THH:MM[:SS]][+08:00]");
    return 0;
}

/* Parameters of assess (also accepted by dispatch from pending_assess). */
static int check_assessment(struct fq_domain *d, json_t *b, int required, struct fq_error *e)
{
    const char *category, *grade, *level, *kind;
    int v, rc;
    if ((rc = jin_str(b, "category", required, 1, 15, &category, e)) ||
        (rc = jin_str(b, "grade", required, 1, 16, &grade, e)) ||
        (rc = jin_str(b, "level", required, 1, 16, &level, e)) ||
        (rc = jin_str(b, "kind", 0, 1, 16, &kind, e)))
        return rc;
    if (category && (rc = check_category(d, category, e)))
        return rc;
    if (grade && grade_parse(grade, &v))
        return fq_fail(e, FQ_EINVAL, "invalid_value", "grade", "等级须为 simple/ordinary/complex/difficult");
    if (level && level_parse(level, &v))
        return fq_fail(e, FQ_EINVAL, "invalid_value", "level", "办理层级须为 city/county/township/village");
    if (kind && kind_parse(kind, &v))
        return fq_fail(e, FQ_EINVAL, "invalid_value", "kind", "类型须为 request/incident/dispute");
    if (required == 0 && (category || grade || level) && !(category && grade && level))
        return fq_fail(e, FQ_EINVAL, "required", !category ? "category" : !grade ? "grade" : "level",
                       "研判须同时给出 category、grade、level");
    return 0;
}

static int check_params(struct fq_domain *d, const struct case_actor *actor, int action, json_t *b,
                        struct fq_error *e)
{
    const char *s;
    int64_t n;
    int flag, rc = 0;
    json_t *arr, *obj;
#define ONLY(...)                                                                                  \
    do {                                                                                           \
        static const char *const allowed_[] = {__VA_ARGS__, NULL};                                 \
        if ((rc = jin_only(b, allowed_, e)))                                                       \
            return rc;                                                                             \
    } while (0)
    switch (action) {
    case ACT_ASSESS:
        ONLY("category", "grade", "level", "kind", "note");
        if ((rc = check_assessment(d, b, 1, e)))
            return rc;
        return jin_str(b, "note", 0, 1, 2000, &s, e);
    case ACT_RESOLVE_ON_SPOT:
        ONLY("result", "method");
        if ((rc = jin_str(b, "result", 1, 2, 4000, &s, e)) || (rc = jin_str(b, "method", 1, 2, 7, &s, e)))
            return rc;
        if (!store_resolution_method_exists(store_rd(d->store), s))
            return fq_fail(e, FQ_EINVAL, "unknown_method", "method", "化解方式代码不存在 (unknown method)");
        return 0;
    case ACT_DISPATCH:
        ONLY("lead", "assist", "deadline", "note", "category", "grade", "level", "kind");
        if ((rc = check_assessment(d, b, 0, e)) || (rc = jin_object(b, "lead", 1, &obj, e)))
            return rc;
        {
            static const char *const lead_allowed[] = {"department_id", "deadline", NULL};
            if ((rc = jin_only(obj, lead_allowed, e)) ||
                (rc = jin_int(obj, "department_id", 1, 1, INT64_MAX, &n, e)) ||
                (rc = check_deadline_str(obj, "deadline", e))) {
                field_prefix(e, "lead");
                return rc;
            }
            if ((rc = check_department(d, n, "lead.department_id", e)))
                return rc;
        }
        if ((rc = jin_array(b, "assist", 0, 16, &arr, e)))
            return rc;
        for (size_t i = 0; arr && i < json_array_size(arr); i++) {
            static const char *const assist_allowed[] = {"department_id", "deadline", NULL};
            json_t *a = json_array_get(arr, i);
            char field[48];
            snprintf(field, sizeof field, "assist[%zu]", i);
            if (!json_is_object(a))
                return fq_fail(e, FQ_EINVAL, "invalid_type", field, "协办部门须为对象 {department_id}");
            if ((rc = jin_only(a, assist_allowed, e)) ||
                (rc = jin_int(a, "department_id", 1, 1, INT64_MAX, &n, e)) ||
                (rc = check_deadline_str(a, "deadline", e))) {
                field_prefix(e, field);
                return rc;
            }
            strcat(field, ".department_id");
            if ((rc = check_department(d, n, field, e)))
                return rc;
            if (n == json_integer_value(json_object_get(obj, "department_id")))
                return fq_fail(e, FQ_EINVAL, "duplicate_department", field, "协办部门不能与主办部门相同");
        }
        if ((rc = check_deadline_str(b, "deadline", e)))
            return rc;
        return jin_str(b, "note", 0, 1, 2000, &s, e);
    case ACT_ACCEPT:
        ONLY("department_id", "note");
        if ((rc = jin_int(b, "department_id", 0, 1, INT64_MAX, &n, e)))
            return rc;
        return jin_str(b, "note", 0, 1, 2000, &s, e);
    case ACT_RETURN:
    case ACT_ESCALATE:
    case ACT_REJECT:
    case ACT_REOPEN:
        ONLY("reason", "department_id");
        if ((rc = jin_int(b, "department_id", 0, 1, INT64_MAX, &n, e)))
            return rc;
        return jin_str(b, "reason", 1, 2, 2000, &s, e);
    case ACT_URGE:
        ONLY("message");
        return jin_str(b, "message", 0, 1, 2000, &s, e);
    case ACT_SUPERVISE:
        ONLY("reason", "deadline");
        if ((rc = jin_str(b, "reason", 1, 2, 2000, &s, e)))
            return rc;
        return check_deadline_str(b, "deadline", e);
    case ACT_NOTE:
        ONLY("text");
        return jin_str(b, "text", 1, 1, 4000, &s, e);
    case ACT_MEDIATION:
        ONLY("session", "participants", "content", "agreement", "judicial_status", "mediator", "studio",
             "held_at");
        if ((rc = jin_int(b, "session", 0, 1, 1000, &n, e)) ||
            (rc = jin_str(b, "participants", 0, 1, 1000, &s, e)) ||
            (rc = jin_str(b, "content", 1, 2, 8000, &s, e)) ||
            (rc = jin_str(b, "agreement", 0, 1, 8000, &s, e)) ||
            (rc = jin_str(b, "mediator", 0, 1, 64, &s, e)) ||
            (rc = jin_str(b, "studio", 0, 1, 128, &s, e)) ||
            (rc = check_deadline_str(b, "held_at", e)) ||
            (rc = jin_str(b, "judicial_status", 0, 1, 16, &s, e)))
            return rc;
        if (s && strcmp(s, "none") && strcmp(s, "applied") && strcmp(s, "confirmed") && strcmp(s, "rejected"))
            return fq_fail(e, FQ_EINVAL, "invalid_value", "judicial_status",
                           "司法确认状态须为 none/applied/confirmed/rejected");
        return 0;
    case ACT_RESOLVE:
        ONLY("result", "method", "success");
        if ((rc = jin_str(b, "result", 1, 2, 4000, &s, e)) || (rc = jin_bool(b, "success", 1, &flag, e)) ||
            (rc = jin_str(b, "method", 0, 2, 7, &s, e)))
            return rc;
        if (s && !store_resolution_method_exists(store_rd(d->store), s))
            return fq_fail(e, FQ_EINVAL, "unknown_method", "method", "化解方式代码不存在 (unknown method)");
        return 0;
    case ACT_VERIFY:
    case ACT_ARCHIVE:
        ONLY("note");
        return jin_str(b, "note", 0, 1, 2000, &s, e);
    case ACT_RATE:
        if (actor->is_public) {
            ONLY("rating", "comment");
            if ((rc = jin_str(b, "rating", 1, 1, 32, &s, e)) || satisfaction_parse(s, &flag))
                return rc ? rc : fq_fail(e, FQ_EINVAL, "invalid_value", "rating",
                                         "评价须为 satisfied/basically_satisfied/dissatisfied");
            return jin_str(b, "comment", 0, 1, 1000, &s, e);
        }
        ONLY("score", "comment");
        if ((rc = jin_int(b, "score", 1, 1, 100, &n, e)))
            return rc;
        return jin_str(b, "comment", 0, 1, 1000, &s, e);
    case ACT_FOLLOW_UP:
        ONLY("method", "content", "satisfaction");
        if ((rc = jin_str(b, "method", 1, 1, 16, &s, e)))
            return rc;
        if (strcmp(s, "phone") && strcmp(s, "visit") && strcmp(s, "sms") && strcmp(s, "online"))
            return fq_fail(e, FQ_EINVAL, "invalid_value", "method", "回访方式须为 phone/visit/sms/online");
        if ((rc = jin_str(b, "content", 1, 2, 4000, &s, e)) ||
            (rc = jin_str(b, "satisfaction", 0, 1, 32, &s, e)))
            return rc;
        if (s && satisfaction_parse(s, &flag))
            return fq_fail(e, FQ_EINVAL, "invalid_value", "satisfaction",
                           "满意度须为 satisfied/basically_satisfied/dissatisfied");
        return 0;
    }
#undef ONLY
    return fq_fail(e, FQ_EINVAL, "unknown_action", "action", "未知操作 (unknown action)");
}

int case_action_prepare(struct fq_domain *d, const struct case_actor *actor, const char *code,
                        int action, json_t *body, struct case_action *out, struct fq_error *e)
{
    memset(out, 0, sizeof *out);
    if (!code || casecode_check(code))
        return fq_fail(e, FQ_EINVAL, "invalid_code", "code", "案件编码校验失败 (invalid case code)");
    if (action < 0 || action >= ACT__COUNT || action == ACT_INTAKE || action == ACT_ATTACH ||
        action == ACT_WARN || action == ACT_OVERDUE)
        return fq_fail(e, FQ_EINVAL, "unknown_action", "action", "未知操作 (unknown action)");
    json_t *empty = NULL;
    if (!body)
        body = empty = json_object();
    int rc = check_params(d, actor, action, body, e);
    if (rc == 0) {
        snprintf(out->code, sizeof out->code, "%s", code);
        if (out->code[20] == 'x')
            out->code[20] = 'X';
        out->action = action;
        out->actor = *actor;
        out->params = json_deep_copy(body);
    }
    json_decref(empty);
    return rc;
}

void case_action_clear(struct case_action *a)
{
    if (!a)
        return;
    json_decref(a->params);
    memset(a, 0, sizeof *a);
}

/* ---------- actions: application ---------- */

static const char *pstr(json_t *p, const char *key)
{
    return json_string_value(json_object_get(p, key));
}

static int64_t pdeadline(json_t *p, const char *key, int64_t dflt)
{
    int64_t ms;
    const char *s = pstr(p, key);
    return s && ms_parse(s, &ms) == 0 ? ms : dflt;
}

static void apply_assessment(struct fq_domain *d, struct fq_case *c, json_t *p, int64_t now)
{
    int v;
    if (pstr(p, "category"))
        snprintf(c->category, sizeof c->category, "%s", pstr(p, "category"));
    if (grade_parse(pstr(p, "grade"), &v) == 0)
        c->grade = v;
    if (level_parse(pstr(p, "level"), &v) == 0) {
        c->level = v;
        division_ancestor(c->division, v, c->centre);
    }
    if (kind_parse(pstr(p, "kind"), &v) == 0)
        c->kind = v;
    /* the handling deadline counts from registration (办理时限自受理之日起算) */
    set_deadline_from(d, c, c->created_at, now);
}

/* The assignment the actor acts for: its own department's, or for users without a department
 * (dispatchers acting on a department's behalf, admins) the lead's. */
static struct fq_assignment *actor_assignment(const struct case_actor *actor, struct fq_assignment *as,
                                              int nas, int64_t dept_param, int want_status)
{
    int64_t dept = actor->department_id ? actor->department_id : dept_param;
    for (int i = nas - 1; i >= 0; i--) {
        if (as[i].status != want_status)
            continue;
        if (dept ? as[i].department_id == dept : as[i].role == ASSIGN_LEAD)
            return &as[i];
    }
    return NULL;
}

static struct fq_assignment *lead_assignment(struct fq_assignment *as, int nas, int status_mask)
{
    for (int i = nas - 1; i >= 0; i--)
        if (as[i].role == ASSIGN_LEAD && (status_mask & (1 << as[i].status)))
            return &as[i];
    return NULL;
}

/* Ends every open assignment (return, escalate): they no longer own the case. */
static int cancel_open_assignments(struct store_tx *tx, struct fq_assignment *as, int nas, int status)
{
    for (int i = 0; i < nas; i++) {
        if (as[i].status == AS_PENDING || as[i].status == AS_ACCEPTED) {
            as[i].status = status;
            int rc = store_tx_assignment_update(tx, &as[i]);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int add_assignment(struct store_tx *tx, struct fq_case *c, int64_t dept, int role,
                          int64_t deadline, int64_t now)
{
    struct fq_assignment a;
    memset(&a, 0, sizeof a);
    a.case_id = c->id;
    a.department_id = dept;
    a.role = role;
    a.status = AS_PENDING;
    a.assigned_at = now;
    a.deadline = deadline;
    return store_tx_assignment_insert(tx, &a);
}

static int record(struct store_tx *tx, struct fq_case *c, const char *kind, int64_t now,
                  const struct case_actor *actor, json_t *body)
{
    return store_tx_record_insert(tx, c->id, kind, now, actor->user_id, body, NULL);
}

static int not_your_assignment(struct fq_error *e)
{
    return fq_fail(e, FQ_ECONFLICT, "no_assignment", "department_id",
                   "本部门在该案件上没有可操作的派单 (no matching assignment for your department)");
}

int case_action_tx(struct store_tx *tx, struct fq_domain *d, const struct case_action *a,
                   int64_t now, struct fq_case *out, struct fq_error *e)
{
    struct fq_case c;
    struct fq_assignment *as = NULL, *mine;
    int nas = 0, rc;
    json_t *p = a->params;
    json_t *payload = json_deep_copy(p);
    int64_t dept_param = json_integer_value(json_object_get(p, "department_id"));

    memset(&c, 0, sizeof c);
    if ((rc = store_tx_case_get(tx, a->code, &c))) {
        if (rc == FQ_ENOTFOUND)
            fq_fail(e, rc, "not_found", "code", "案件不存在 (no such case)");
        goto done;
    }
    if ((rc = store_tx_assignments(tx, c.id, &as, &nas)))
        goto done;
    if (!a->actor.is_public && !case_in_scope(&a->actor, &c, as, nas)) {
        rc = fq_fail(e, FQ_ENOTFOUND, "not_found", "code", "案件不存在 (no such case)");
        goto done;
    }
    if ((rc = workflow_check(a->action, c.status, actor_roles(&a->actor), e)))
        goto done;

    int from = c.status;
    c.status = workflow_next(a->action, c.status);
    switch (a->action) {
    case ACT_ASSESS:
        apply_assessment(d, &c, p, now);
        break;
    case ACT_RESOLVE_ON_SPOT:
        free(c.result);
        c.result = strdup(pstr(p, "result"));
        snprintf(c.method, sizeof c.method, "%s", pstr(p, "method"));
        c.success = 1;
        c.resolved_at = c.closed_at = now;
        break;
    case ACT_DISPATCH: {
        if (from == ST_PENDING_ASSESS) {
            if (!pstr(p, "category")) {
                rc = fq_fail(e, FQ_ECONFLICT, "not_assessed", "category",
                             "案件尚未研判：请先研判或在派单时给出 category、grade、level");
                goto done;
            }
        }
        if (pstr(p, "category"))
            apply_assessment(d, &c, p, now);
        json_t *lead = json_object_get(p, "lead"), *assist = json_object_get(p, "assist");
        int64_t case_due = pdeadline(p, "deadline", c.due_at);
        const char *late = pdeadline(p, "deadline", now + 1) <= now ? "deadline"
                           : pdeadline(lead, "deadline", now + 1) <= now ? "lead.deadline" : NULL;
        for (size_t i = 0; !late && assist && i < json_array_size(assist); i++)
            if (pdeadline(json_array_get(assist, i), "deadline", now + 1) <= now)
                late = "assist.deadline";
        if (late) {
            rc = fq_fail(e, FQ_EINVAL, "deadline_past", late, "办理期限须晚于当前时间 (deadline must be in the future)");
            goto done;
        }
        c.lead_department = json_integer_value(json_object_get(lead, "department_id"));
        if ((rc = add_assignment(tx, &c, c.lead_department, ASSIGN_LEAD,
                                 pdeadline(lead, "deadline", case_due), now)))
            goto done;
        for (size_t i = 0; assist && i < json_array_size(assist); i++) {
            json_t *x = json_array_get(assist, i);
            if ((rc = add_assignment(tx, &c, json_integer_value(json_object_get(x, "department_id")),
                                     ASSIGN_ASSIST, pdeadline(x, "deadline", case_due), now)))
                goto done;
        }
        if (pstr(p, "deadline")) {
            c.due_at = case_due;
            c.warn_at = now + (case_due - now) * 3 / 4;
            refresh_light(&c, now);
        }
        break;
    }
    case ACT_ACCEPT:
        if (!(mine = actor_assignment(&a->actor, as, nas, dept_param, AS_PENDING))) {
            rc = not_your_assignment(e);
            goto done;
        }
        mine->status = AS_ACCEPTED;
        mine->accepted_at = now;
        if ((rc = store_tx_assignment_update(tx, mine)))
            goto done;
        json_object_set_new(payload, "department_id", json_integer(mine->department_id));
        json_object_set_new(payload, "role", json_string(mine->role == ASSIGN_LEAD ? "lead" : "assist"));
        /* the case is in hand once the lead has it; an assisting department's acceptance alone
         * does not move it */
        c.status = mine->role == ASSIGN_LEAD ? ST_HANDLING : from;
        break;
    case ACT_RETURN:
        if (!(mine = actor_assignment(&a->actor, as, nas, dept_param, AS_PENDING))) {
            rc = not_your_assignment(e);
            goto done;
        }
        json_object_set_new(payload, "department_id", json_integer(mine->department_id));
        if (mine->role == ASSIGN_ASSIST) { /* an assisting department steps out; the case stays */
            mine->status = AS_RETURNED;
            c.status = from;
            if ((rc = store_tx_assignment_update(tx, mine)))
                goto done;
            break;
        }
        if ((rc = cancel_open_assignments(tx, as, nas, AS_RETURNED)))
            goto done;
        c.returns++;
        c.lead_department = 0;
        break;
    case ACT_ESCALATE: {
        int up = c.level > LEVEL_CITY ? c.level - 1 : LEVEL_CITY;
        if (c.level == LEVEL_CITY) {
            rc = fq_fail(e, FQ_ECONFLICT, "top_level", "action", "已在市级，无法再上报 (already at city level)");
            goto done;
        }
        if (a->actor.department_id &&
            (!(mine = actor_assignment(&a->actor, as, nas, 0, AS_ACCEPTED)) || mine->role != ASSIGN_LEAD)) {
            rc = not_your_assignment(e);
            goto done;
        }
        if ((rc = cancel_open_assignments(tx, as, nas, AS_CANCELLED)))
            goto done;
        json_object_set_new(payload, "from_level", json_string(level_name(c.level)));
        json_object_set_new(payload, "to_level", json_string(level_name(up)));
        c.level = up;
        division_ancestor(c.division, up, c.centre);
        c.escalations++;
        c.lead_department = 0;
        break;
    }
    case ACT_URGE:
        c.urge_count++;
        break;
    case ACT_SUPERVISE: {
        int64_t due, warn;
        domain_deadline(d, GRADE_SIMPLE, 0, -1, now, &due, &warn);
        (void)warn;
        char when[26];
        ms_format(pdeadline(p, "deadline", due), when);
        json_t *order = json_pack("{s:s, s:s, s:s}", "status", "open", "reason", pstr(p, "reason"),
                                  "deadline", when);
        rc = record(tx, &c, "supervision", now, &a->actor, order);
        json_decref(order);
        if (rc)
            goto done;
        c.supervised++;
        break;
    }
    case ACT_NOTE:
        break;
    case ACT_MEDIATION:
        if ((rc = record(tx, &c, "mediation", now, &a->actor, p)))
            goto done;
        break;
    case ACT_RESOLVE:
        if (!(mine = actor_assignment(&a->actor, as, nas, dept_param, AS_ACCEPTED)) ||
            mine->role != ASSIGN_LEAD) {
            rc = fq_fail(e, FQ_ECONFLICT, "not_lead", "department_id",
                         "只有已接单的主办部门可以办结 (only the lead department resolves)");
            goto done;
        }
        if (c.kind == KIND_DISPUTE && !pstr(p, "method")) { /* 化解方式 applies to disputes */
            rc = fq_fail(e, FQ_EINVAL, "required", "method", "矛盾纠纷办结须填写化解方式 (method required for disputes)");
            goto done;
        }
        mine->status = AS_RESOLVED;
        mine->resolved_at = now;
        snprintf(mine->result, sizeof mine->result, "%s", pstr(p, "result"));
        if ((rc = store_tx_assignment_update(tx, mine)))
            goto done;
        free(c.result);
        c.result = strdup(pstr(p, "result"));
        snprintf(c.method, sizeof c.method, "%s", pstr(p, "method") ? pstr(p, "method") : "");
        c.success = json_is_true(json_object_get(p, "success"));
        c.resolved_at = now;
        break;
    case ACT_VERIFY:
        /* on time (按期) is judged by when the lead resolved it, not when the centre verified */
        c.closed_at = now;
        c.light = c.due_at && (c.resolved_at ? c.resolved_at : now) > c.due_at ? LIGHT_RED : LIGHT_GREEN;
        break;
    case ACT_REJECT:
        if ((mine = lead_assignment(as, nas, 1 << AS_RESOLVED))) {
            mine->status = AS_ACCEPTED;
            mine->resolved_at = 0;
            if ((rc = store_tx_assignment_update(tx, mine)))
                goto done;
        }
        c.resolved_at = 0;
        break;
    case ACT_RATE:
        if (a->actor.is_public) {
            int sat;
            if (c.satisfaction != SAT_NONE) {
                rc = fq_fail(e, FQ_ECONFLICT, "already_rated", "rating", "该案件已评价 (already rated)");
                goto done;
            }
            satisfaction_parse(pstr(p, "rating"), &sat);
            c.satisfaction = sat;
            json_object_set_new(payload, "by", json_string("citizen"));
        } else {
            c.staff_score = (int)json_integer_value(json_object_get(p, "score"));
            json_object_set_new(payload, "by", json_string("staff"));
        }
        if ((rc = record(tx, &c, "evaluation", now, &a->actor, payload)))
            goto done;
        break;
    case ACT_FOLLOW_UP:
        c.followed_up++;
        if ((rc = record(tx, &c, "follow_up", now, &a->actor, p)))
            goto done;
        break;
    case ACT_REOPEN:
        c.reopens++;
        c.satisfaction = SAT_NONE;
        c.resolved_at = c.closed_at = 0;
        c.success = -1;
        c.lead_department = 0;
        c.grade = GRADE_NONE;
        set_deadline_from(d, &c, now, now);
        break;
    case ACT_ARCHIVE:
        c.archived_at = now;
        break;
    default:
        rc = fq_fail(e, FQ_EINVAL, "unknown_action", "action", "未知操作 (unknown action)");
        goto done;
    }
    refresh_light(&c, now);
    if ((rc = append_event(tx, &c, &a->actor, a->action, from, payload, now)) ||
        (rc = store_tx_case_update(tx, &c)))
        goto done;
    /* the routing model learns each classification, corrections included (core/router.h) */
    if (a->action == ACT_ASSESS || a->action == ACT_DISPATCH)
        router_observe_case(&c);
    *out = c;
    memset(&c, 0, sizeof c);
done:
    json_decref(payload);
    free(as);
    fq_case_clear(&c);
    return rc;
}

/* ---------- attachments ---------- */

int case_attach_prepare(struct fq_domain *d, const struct case_actor *actor, const char *code,
                        const char *sha256, const char *name, const char *mime, int64_t size,
                        struct case_attach *out, struct fq_error *e)
{
    (void)d;
    memset(out, 0, sizeof *out);
    if (!code || casecode_check(code))
        return fq_fail(e, FQ_EINVAL, "invalid_code", "code", "案件编码校验失败 (invalid case code)");
    snprintf(out->code, sizeof out->code, "%s", code);
    if (out->code[20] == 'x')
        out->code[20] = 'X';
    out->actor = *actor;
    snprintf(out->sha256, sizeof out->sha256, "%s", sha256);
    snprintf(out->name, sizeof out->name, "%s", name);
    snprintf(out->mime, sizeof out->mime, "%s", mime);
    out->size = size;
    return 0;
}

int case_attach_tx(struct store_tx *tx, struct fq_domain *d, const struct case_attach *a,
                   int64_t now, struct fq_case *out, struct fq_error *e)
{
    struct fq_case c;
    struct fq_assignment *as = NULL;
    int nas = 0, rc;
    int64_t id = 0;
    (void)d;
    if ((rc = store_tx_case_get(tx, a->code, &c)))
        return rc == FQ_ENOTFOUND ? fq_fail(e, rc, "not_found", "code", "案件不存在 (no such case)") : rc;
    if ((rc = store_tx_assignments(tx, c.id, &as, &nas)))
        goto done;
    if (!case_in_scope(&a->actor, &c, as, nas)) {
        rc = fq_fail(e, FQ_ENOTFOUND, "not_found", "code", "案件不存在 (no such case)");
        goto done;
    }
    if ((rc = workflow_check(ACT_ATTACH, c.status, actor_roles(&a->actor), e)) ||
        (rc = store_tx_attachment_insert(tx, c.id, a->sha256, a->name, a->mime, a->size,
                                         a->actor.user_id, &id)))
        goto done;
    json_t *p = json_pack("{s:I, s:s, s:s, s:s, s:I}", "attachment_id", (json_int_t)id, "name", a->name,
                          "mime", a->mime, "sha256", a->sha256, "size", (json_int_t)a->size);
    rc = append_event(tx, &c, &a->actor, ACT_ATTACH, c.status, p, now);
    json_decref(p);
    if (rc == 0 && (rc = store_tx_case_update(tx, &c)) == 0) {
        *out = c;
        memset(&c, 0, sizeof c);
    }
done:
    free(as);
    fq_case_clear(&c);
    return rc;
}

/* ---------- timers ---------- */

int case_refresh_tx(struct store_tx *tx, struct fq_domain *d, const char *code, int64_t now,
                    int supervise, struct fq_case *out)
{
    struct fq_case c;
    struct case_actor sys;
    int rc;
    memset(&sys, 0, sizeof sys);
    sys.is_system = 1;
    snprintf(sys.name, sizeof sys.name, "系统");
    if ((rc = store_tx_case_get(tx, code, &c)))
        return rc;
    int before = c.light;
    refresh_light(&c, now);
    json_t *payload = NULL;
    if (c.light != before && c.light == LIGHT_YELLOW) {
        payload = json_pack("{s:s}", "light", "yellow");
        rc = append_event(tx, &c, &sys, ACT_WARN, c.status, payload, now);
    } else if (c.light != before && c.light == LIGHT_RED) {
        /* overdue: mark it, and urge the owner automatically (自动催办) */
        payload = json_pack("{s:s, s:b}", "light", "red", "auto_urge", 1);
        c.urge_count++;
        rc = append_event(tx, &c, &sys, ACT_OVERDUE, c.status, payload, now);
    }
    if (rc == 0 && supervise && c.light == LIGHT_RED && workflow_is_open(c.status)) {
        int64_t due, warn;
        domain_deadline(d, GRADE_SIMPLE, 0, -1, now, &due, &warn);
        char when[26];
        ms_format(due, when);
        json_t *order = json_pack("{s:s, s:s, s:s, s:b}", "status", "open", "reason",
                                  "超期未办结，系统自动督办", "deadline", when, "auto", 1);
        rc = store_tx_record_insert(tx, c.id, "supervision", now, 0, order, NULL);
        if (rc == 0) {
            c.supervised++;
            rc = append_event(tx, &c, &sys, ACT_SUPERVISE, c.status, order, now);
        }
        json_decref(order);
    }
    json_decref(payload);
    if (rc == 0)
        rc = store_tx_case_update(tx, &c);
    if (rc == 0 && out) {
        *out = c;
        return 0;
    }
    fq_case_clear(&c);
    return rc;
}

/* ---------- presentation ---------- */

/* The staff view of a case is written straight into a buffer, as jansson would serialise it
 * (JSON_COMPACT, keys in this order): the 201 of an intake and every action reply need the text,
 * not a tree. Each field helper writes ,"key":value; case_json_write turns the first comma into
 * the opening brace. */
static int jw_key(struct buf *b, const char *key)
{
    int rc = buf_add(b, ",\"", 2);
    rc |= buf_adds(b, key);
    return rc | buf_add(b, "\":", 2);
}

static int jw_str(struct buf *b, const char *key, const char *v) /* NULL: null */
{
    return jw_key(b, key) | (v ? buf_json_str(b, v) : buf_add(b, "null", 4));
}

static int jw_int(struct buf *b, const char *key, int64_t v)
{
    return jw_key(b, key) | buf_int(b, v);
}

static int jw_lit(struct buf *b, const char *key, const char *literal) /* null, true, false */
{
    return jw_key(b, key) | buf_adds(b, literal);
}

static int jw_time(struct buf *b, const char *key, int64_t ms) /* 0: null */
{
    char t[26];
    if (!ms)
        return jw_lit(b, key, "null");
    ms_format(ms, t);
    return jw_str(b, key, t);
}

int case_json_write(struct buf *b, struct fq_domain *d, const struct fq_case *c, int64_t now)
{
    size_t at = b->len;
    int open = workflow_is_open(c->status);
    int rc = jw_str(b, "code", c->code);
    rc |= jw_str(b, "title", c->title ? c->title : "");
    rc |= jw_str(b, "description", c->description ? c->description : "");
    rc |= jw_str(b, "address", c->address);
    rc |= jw_str(b, "channel", channel_name(c->channel));
    rc |= jw_str(b, "kind", kind_name(c->kind));
    rc |= jw_str(b, "category", c->category[0] ? c->category : NULL);
    rc |= jw_str(b, "grade", c->grade ? grade_name(c->grade) : NULL);
    rc |= jw_str(b, "level", c->level ? level_name(c->level) : NULL);
    rc |= jw_str(b, "status", status_name(c->status));
    rc |= jw_str(b, "status_label", status_label_zh(c->status));
    rc |= jw_str(b, "light", light_name(open ? sla_light(now, c->warn_at, c->due_at) : c->light));
    rc |= jw_str(b, "division", c->division);
    rc |= jw_str(b, "grid", c->grid[0] ? c->grid : NULL);
    rc |= jw_str(b, "centre", c->centre);
    if (c->has_location) {
        rc |= jw_key(b, "lat") | buf_json_real(b, c->lat);
        rc |= jw_key(b, "lon") | buf_json_real(b, c->lon);
    }
    rc |= jw_int(b, "people_count", c->people_count);
    rc |= jw_time(b, "created_at", c->created_at);
    rc |= jw_time(b, "updated_at", c->updated_at);
    rc |= jw_time(b, "due_at", c->due_at);
    rc |= jw_time(b, "warn_at", c->warn_at);
    if (c->due_at && open)
        rc |= jw_key(b, "working_days_left") | buf_json_real(b, domain_working_days_left(d, now, c->due_at));
    rc |= jw_time(b, "resolved_at", c->resolved_at);
    rc |= jw_time(b, "closed_at", c->closed_at);
    rc |= jw_time(b, "archived_at", c->archived_at);
    rc |= jw_int(b, "urge_count", c->urge_count);
    rc |= jw_lit(b, "supervised", c->supervised > 0 ? "true" : "false");
    rc |= jw_int(b, "supervision_count", c->supervised);
    rc |= jw_int(b, "escalations", c->escalations);
    rc |= jw_int(b, "returns", c->returns);
    rc |= jw_int(b, "reopens", c->reopens);
    rc |= c->lead_department ? jw_int(b, "lead_department", c->lead_department) : jw_lit(b, "lead_department", "null");
    rc |= jw_str(b, "result", c->result);
    rc |= jw_str(b, "method", c->method[0] ? c->method : NULL);
    rc |= jw_lit(b, "success", c->success < 0 ? "null" : c->success ? "true" : "false");
    rc |= jw_str(b, "satisfaction", c->satisfaction ? satisfaction_name(c->satisfaction) : NULL);
    rc |= c->staff_score ? jw_int(b, "staff_score", c->staff_score) : jw_lit(b, "staff_score", "null");
    rc |= jw_int(b, "followed_up", c->followed_up);
    rc |= jw_int(b, "event_count", c->event_seq);
    rc |= buf_add(b, "}", 1);
    if (rc) { /* out of memory or past the cap somewhere: take the partial object back */
        b->len = at;
        if (b->data)
            b->data[at] = 0;
        return FQ_ENOMEM;
    }
    b->data[at] = '{';
    return 0;
}

json_t *case_to_json(struct fq_domain *d, const struct fq_case *c, int64_t now)
{
    struct buf b;
    buf_init(&b, 1u << 20);
    json_t *o = case_json_write(&b, d, c, now) ? NULL : json_loadb(b.data, b.len, 0, NULL);
    buf_free(&b);
    return o ? o : json_object();
}
