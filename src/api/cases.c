/* /api/v1/cases: intake (idempotent), list with filters and cursor pagination, detail, timeline,
 * actions, attachments, and the audited reveal of a party's personal data. Writes are queued to
 * the store's writer thread; once the write is durable its completion (on the store's completion
 * thread) publishes the change and hands the request back to the HTTP thread that owns it, which
 * builds and sends the reply. */
#include "api/api.h"
#include "api/case_cache.h"
#include "core/casecode.h"
#include "core/ident.h"
#include "core/pii.h"
#include "core/sla.h"
#include "core/workflow.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ATTACH_MAX (10u << 20)

/* ---- writes through the writer thread ---- */

enum { W_INTAKE, W_ACTION, W_ATTACH };

struct case_write {
    int kind;
    struct http_req *r;
    struct api_ctx *ctx;
    struct case_intake in;
    struct case_action act;
    struct case_attach att;
    struct fq_case out;
    int replayed;
    int rc; /* the job's result, handed from the writer to the reply */
    struct fq_error e;
    int64_t departments[8];       /* every department assigned, for scoped events */
    int ndepartments;
};

static int case_write_tx(struct store_tx *tx, void *arg)
{
    struct case_write *w = arg;
    int64_t now = store_tx_now(tx);
    int rc;
    /* may run twice (store_submit_rerun): nothing of a first run may stay behind */
    memset(&w->e, 0, sizeof w->e);
    w->ndepartments = 0;
    if (w->kind != W_INTAKE) /* case_intake_tx takes its case back from out itself */
        fq_case_clear(&w->out);
    switch (w->kind) {
    case W_INTAKE:
        return case_intake_tx(tx, w->ctx->dom, &w->in, now, &w->out, &w->replayed, &w->e);
    case W_ACTION:
        rc = case_action_tx(tx, w->ctx->dom, &w->act, now, &w->out, &w->e);
        break;
    default:
        rc = case_attach_tx(tx, w->ctx->dom, &w->att, now, &w->out, &w->e);
    }
    struct fq_assignment *as = NULL;
    int n = 0;
    if (rc == 0 && store_tx_assignments(tx, w->out.id, &as, &n) == 0) {
        for (int i = 0; i < n && w->ndepartments < 8; i++)
            w->departments[w->ndepartments++] = as[i].department_id;
        free(as);
    }
    return rc;
}

/* What a citizen is shown of a case they submitted or rated: no staff data. */
static json_t *public_case_json(const struct fq_case *c)
{
    char t[26];
    ms_format(c->created_at, t);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "code", c->code, "title", c->title ? c->title : "",
                     "channel", channel_name(c->channel), "status", status_name(c->status), "status_label",
                     status_label_zh(c->status), "created_at", t, "satisfaction",
                     c->satisfaction ? json_string(satisfaction_name(c->satisfaction)) : json_null());
}

static void case_write_free(struct case_write *w)
{
    case_intake_clear(&w->in);
    case_action_clear(&w->act);
    fq_case_clear(&w->out);
    free(w);
}

/* The reply, on the HTTP thread that owns the request (http_resume_with): the writer has
 * committed (or failed) the job and gone on with its queue. */
static void case_write_reply(struct http_req *r, void *arg)
{
    struct case_write *w = arg;
    int rc = w->rc;
    if (rc) {
        if (w->e.status != rc)
            fq_fail(&w->e, rc, NULL, "", rc == FQ_EIO ? "存储错误，未保存 (storage error, nothing saved)"
                                                       : "操作失败 (failed)");
        http_reply_error(r, &w->e);
        case_write_free(w);
        return;
    }
    int64_t now = fq_now_ms();
    int is_public = w->kind == W_INTAKE ? w->in.actor.is_public : w->act.actor.is_public;
    int status = w->kind == W_INTAKE && !w->replayed ? 201 : 200;
    if (is_public) {
        json_t *body = public_case_json(&w->out);
        if (w->kind == W_INTAKE && w->replayed)
            json_object_set_new(body, "replayed", json_true());
        http_reply_json(r, status, body);
        case_write_free(w);
        return;
    }
    /* staff: the text written straight into a buffer, no tree (most replies here are 201s) */
    struct buf b;
    buf_init(&b, 1u << 20);
    int rc2 = buf_reserve(&b, 1536) || case_json_write(&b, w->ctx->dom, &w->out, now);
    if (rc2 == 0 && w->kind == W_INTAKE && w->replayed) {
        b.len--; /* the closing brace */
        rc2 = buf_adds(&b, ",\"replayed\":true}");
    }
    if (rc2) {
        buf_free(&b);
        http_reply_fail(r, 503, "busy", "", "内存不足 (out of memory)");
    } else {
        size_t len = b.len;
        http_reply_json_text(r, status, buf_steal(&b), len);
    }
    case_write_free(w);
}

/* On the store's completion thread, after the COMMIT (so a reply never precedes durability), in
 * commit order: publish the change (here, so that subscribers see changes in commit order) and
 * hand the request back. */
static void case_write_done(void *arg, int rc)
{
    struct case_write *w = arg;
    w->rc = rc;
    if (rc == 0 && !w->replayed)
        api_publish_case(w->ctx, &w->out, w->departments, w->ndepartments,
                         w->kind == W_INTAKE ? "intake" : w->kind == W_ATTACH ? "attach" : action_name(w->act.action));
    http_resume_with(w->r, case_write_reply, w);
}

static void submit(struct case_write *w)
{
    if (store_submit_rerun(w->ctx->dom->store, case_write_tx, case_write_done, w)) {
        http_reply_fail(w->r, 503, "busy", "", "服务繁忙，请稍后重试 (write queue full)");
        case_write_free(w);
    }
}

static struct case_write *new_write(struct http_req *r, struct api_ctx *ctx, int kind)
{
    struct case_write *w = calloc(1, sizeof *w);
    if (!w) {
        http_reply_fail(r, 503, "busy", "", "内存不足 (out of memory)");
        return NULL;
    }
    w->kind = kind;
    w->r = r;
    w->ctx = ctx;
    return w;
}

/* Idempotency-Key: 1..79 visible ASCII characters; NULL when absent; replies 400 when bad. */
static int idem_key(struct http_req *r, const char **out)
{
    const char *k = http_header(r, "Idempotency-Key");
    *out = NULL;
    if (!k)
        return 0;
    size_t n = strlen(k);
    for (size_t i = 0; i < n; i++)
        if (k[i] < 0x21 || k[i] > 0x7e)
            n = 0;
    if (n == 0 || n > 79) {
        http_reply_fail(r, 400, "invalid_value", "Idempotency-Key", "Idempotency-Key 须为 1-79 个可见 ASCII 字符");
        return -1;
    }
    *out = k;
    return 0;
}

/* Shared by staff intake and the public portal. */
void api_case_intake(struct http_req *r, struct api_ctx *ctx, const struct case_actor *actor)
{
    const char *key;
    if (idem_key(r, &key))
        return;
    json_t *body = http_body_json(r);
    if (!body)
        return;
    struct case_write *w = new_write(r, ctx, W_INTAKE);
    if (!w) {
        json_decref(body);
        return;
    }
    int rc = case_intake_prepare(ctx->dom, actor, body, key, &w->in, &w->e);
    json_decref(body);
    if (rc) {
        http_reply_error(r, &w->e);
        case_write_free(w);
        return;
    }
    submit(w);
}

/* Shared by staff actions and the public rating. */
void api_case_action(struct http_req *r, struct api_ctx *ctx, const struct case_actor *actor,
                     const char *code, int action, json_t *body)
{
    struct case_write *w = new_write(r, ctx, W_ACTION);
    if (!w)
        return;
    if (case_action_prepare(ctx->dom, actor, code, action, body, &w->act, &w->e)) {
        http_reply_error(r, &w->e);
        case_write_free(w);
        return;
    }
    submit(w);
}

static void h_create(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    if (!u)
        return;
    api_case_intake(r, ctx, &u->actor);
}

static void h_action(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    int action;
    if (!u)
        return;
    if (action_parse(http_param(r, "action"), &action)) {
        http_reply_fail(r, 404, "unknown_action", "action", "未知操作 (unknown action)");
        return;
    }
    size_t len;
    http_body(r, &len);
    json_t *body = NULL;
    if (len && !(body = http_body_json(r)))
        return;
    api_case_action(r, ctx, &u->actor, http_param(r, "code"), action, body);
    json_decref(body);
}

/* ---- reads ---- */

/* The case code of the path with its check character upper-cased; replies 400 when malformed. */
static int code_param(struct http_req *r, char norm[FQ_CODE_LEN + 1])
{
    const char *code = http_param(r, "code");
    if (!code || casecode_check(code)) {
        http_reply_fail(r, 400, "invalid_code", "code", "案件编码校验失败 (invalid case code)");
        return -1;
    }
    snprintf(norm, FQ_CODE_LEN + 1, "%s", code);
    if (norm[20] == 'x')
        norm[20] = 'X';
    return 0;
}

/* Loads a case the caller may see: replies 400 for a malformed code, 404 when missing or out of
 * scope. Assignments are returned too (caller frees). */
static int load_visible(struct http_req *r, struct api_ctx *ctx, const struct case_actor *actor,
                        struct fq_case *c, struct fq_assignment **as, int *nas)
{
    struct store_rd *rd = store_rd(ctx->dom->store);
    char norm[FQ_CODE_LEN + 1];
    *as = NULL;
    *nas = 0;
    if (code_param(r, norm))
        return -1;
    if (!rd || store_case_get(rd, norm, c)) {
        http_reply_fail(r, 404, "not_found", "code", "案件不存在 (no such case)");
        return -1;
    }
    store_case_assignments(rd, c->id, as, nas);
    if (!case_in_scope(actor, c, *as, *nas)) {
        fq_case_clear(c);
        free(*as);
        *as = NULL;
        http_reply_fail(r, 404, "not_found", "code", "案件不存在 (no such case)");
        return -1;
    }
    return 0;
}

/* The parties, masked; NULL when they cannot be read. */
static json_t *parties_json(struct api_ctx *ctx, int64_t case_id)
{
    struct fq_party *ps = NULL;
    int n = 0;
    if (store_case_parties(store_rd(ctx->dom->store), case_id, &ps, &n))
        return NULL;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        char plain[40], masked[48], name[96];
        pii_mask_name(ps[i].name, name, sizeof name);
        json_t *o = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)ps[i].id, "role", ps[i].role, "name", name);
        if (ps[i].id_enc_len && !pii_decrypt(&ctx->dom->key, ps[i].id_enc, ps[i].id_enc_len, plain, sizeof plain)) {
            pii_mask_id(plain, masked, sizeof masked);
            json_object_set_new(o, "id_number", json_string(masked));
        }
        if (ps[i].phone_enc_len &&
            !pii_decrypt(&ctx->dom->key, ps[i].phone_enc, ps[i].phone_enc_len, plain, sizeof plain)) {
            pii_mask_phone(plain, masked, sizeof masked);
            json_object_set_new(o, "phone", json_string(masked));
        }
        sodium_memzero(plain, sizeof plain);
        json_array_append_new(arr, o);
    }
    free(ps);
    return arr;
}

static json_t *assignments_json(const struct fq_assignment *as, int n)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        char t[26];
        json_t *o = json_pack("{s:I, s:I, s:s, s:s}", "id", (json_int_t)as[i].id, "department_id",
                              (json_int_t)as[i].department_id, "role", as[i].role == ASSIGN_LEAD ? "lead" : "assist",
                              "status", assign_status_name(as[i].status));
        ms_format(as[i].assigned_at, t);
        json_object_set_new(o, "assigned_at", json_string(t));
        if (as[i].deadline) {
            ms_format(as[i].deadline, t);
            json_object_set_new(o, "deadline", json_string(t));
        }
        if (as[i].accepted_at) {
            ms_format(as[i].accepted_at, t);
            json_object_set_new(o, "accepted_at", json_string(t));
        }
        if (as[i].resolved_at) {
            ms_format(as[i].resolved_at, t);
            json_object_set_new(o, "resolved_at", json_string(t));
        }
        if (as[i].result[0])
            json_object_set_new(o, "result", json_string(as[i].result));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* A side list of the case into o under key; 0 when it could not be read (then [] is set). */
static int set_list(json_t *o, const char *key, int rc, json_t *list)
{
    json_object_set_new(o, key, rc == 0 && list ? list : json_array());
    return rc == 0 && list;
}

/* The cache entry of a case: its detail without the fields that depend on the caller or the
 * time of the request, serialised once, plus what those fields and the scope check need. NULL on
 * out of memory; *complete is 0 when a part could not be read (serve it, do not cache it). */
static struct case_cache_entry *case_entry(struct api_ctx *ctx, const struct fq_case *c,
                                           const struct fq_assignment *as, int nas, int *complete)
{
    struct store_rd *rd = store_rd(ctx->dom->store);
    json_t *o = case_to_json(ctx->dom, c, fq_now_ms()), *x = NULL;
    json_object_del(o, "light");
    json_object_del(o, "working_days_left");
    int ok = set_list(o, "parties", 0, parties_json(ctx, c->id));
    json_object_set_new(o, "assignments", assignments_json(as, nas));
    int rc = store_case_records(rd, c->id, NULL, &x);
    ok &= set_list(o, "records", rc, x);
    x = NULL;
    rc = store_case_attachments(rd, c->id, &x);
    ok &= set_list(o, "attachments", rc, x);
    x = NULL;
    rc = store_case_links(rd, c->id, &x);
    ok &= set_list(o, "links", rc, x);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    int64_t *deps = malloc(((size_t)nas + 1) * sizeof *deps);
    struct case_cache_entry *e = NULL;
    if (text && deps) {
        struct case_view v = {.id = c->id, .status = c->status, .light = c->light, .warn_at = c->warn_at,
                              .due_at = c->due_at, .ndepartments = nas, .departments = deps,
                              .body = text, .len = strlen(text)};
        snprintf(v.code, sizeof v.code, "%s", c->code);
        snprintf(v.division, sizeof v.division, "%s", c->division);
        for (int i = 0; i < nas; i++)
            deps[i] = as[i].department_id;
        e = case_cache_entry_new(&v);
    }
    free(deps);
    free(text);
    *complete = ok;
    return e;
}

/* Replies with a case: the per-request fields (light and working days left at this instant, the
 * actions the caller's roles allow) spliced in front of the cached body. */
static void reply_case(struct http_req *r, struct api_ctx *ctx, unsigned roles, const struct case_view *v)
{
    int64_t now = fq_now_ms();
    int open = workflow_is_open(v->status), rc;
    struct buf b;
    buf_init(&b, v->len + 4096);
    rc = buf_reserve(&b, v->len + 512);
    rc |= buf_adds(&b, "{\"light\":\"");
    rc |= buf_adds(&b, light_name(open ? sla_light(now, v->warn_at, v->due_at) : v->light));
    rc |= buf_adds(&b, "\"");
    if (v->due_at && open) {
        rc |= buf_adds(&b, ",\"working_days_left\":");
        rc |= buf_json_real(&b, domain_working_days_left(ctx->dom, now, v->due_at));
    }
    rc |= buf_adds(&b, ",\"allowed_actions\":[");
    unsigned bits = workflow_allowed(v->status, roles);
    const char *sep = "\"";
    for (int i = 0; i < ACT__COUNT; i++)
        if ((bits & (1u << i)) && i != ACT_INTAKE && i != ACT_WARN && i != ACT_OVERDUE) {
            rc |= buf_adds(&b, sep);
            rc |= buf_adds(&b, action_name(i));
            rc |= buf_adds(&b, "\"");
            sep = ",\"";
        }
    rc |= buf_adds(&b, "]");
    rc |= v->len > 2 ? buf_adds(&b, ",") | buf_add(&b, v->body + 1, v->len - 1) : buf_adds(&b, "}");
    if (rc) {
        buf_free(&b);
        http_reply_fail(r, 503, "busy", "", "内存不足 (out of memory)");
        return;
    }
    size_t len = b.len;
    http_reply_json_text(r, 200, buf_steal(&b), len);
}

/* GET /api/v1/cases/:code: from the case cache when it holds the case, else read, cached unless
 * a write to the case was reported meanwhile (case_cache.h). The scope check runs either way. */
static void h_get(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    char code[FQ_CODE_LEN + 1];
    if (!u || code_param(r, code))
        return;
    struct case_cache_entry *e = case_cache_get(ctx->case_cache, code);
    if (e) {
        const struct case_view *v = case_cache_view(e);
        if (case_in_scope_of(&u->actor, v->division, v->departments, v->ndepartments))
            reply_case(r, ctx, u->u.roles, v);
        else
            http_reply_fail(r, 404, "not_found", "code", "案件不存在 (no such case)");
        case_cache_release(e);
        return;
    }
    uint64_t seq = case_cache_seq(ctx->case_cache); /* before reading anything */
    struct fq_case c;
    struct fq_assignment *as;
    int nas, complete;
    if (load_visible(r, ctx, &u->actor, &c, &as, &nas))
        return;
    e = case_entry(ctx, &c, as, nas, &complete);
    fq_case_clear(&c);
    free(as);
    if (!e) {
        http_reply_fail(r, 503, "busy", "", "内存不足 (out of memory)");
        return;
    }
    if (complete)
        case_cache_put(ctx->case_cache, e, seq);
    reply_case(r, ctx, u->u.roles, case_cache_view(e));
    case_cache_release(e);
}

json_t *api_events_json(const struct fq_event *ev, int n, int public_view)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        char t[26], hex[FQ_HASH_LEN * 2 + 1];
        ms_format(ev[i].at, t);
        json_t *payload = json_loads(ev[i].payload ? ev[i].payload : "{}", 0, NULL);
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s}", "seq", (json_int_t)ev[i].seq, "at", t, "action",
                              action_name(ev[i].action), "from", status_name(ev[i].from_status), "to",
                              status_name(ev[i].to_status));
        if (public_view) {
            /* the public timeline names no staff and shows no internal notes */
            json_decref(payload);
        } else {
            sodium_bin2hex(hex, sizeof hex, ev[i].hash, FQ_HASH_LEN);
            json_object_set_new(o, "actor", json_string(ev[i].actor_name));
            json_object_set_new(o, "actor_id", json_integer(ev[i].actor_id));
            json_object_set_new(o, "payload", payload ? payload : json_object());
            json_object_set_new(o, "hash", json_string(hex));
        }
        json_array_append_new(arr, o);
    }
    return arr;
}

static void h_timeline(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    struct fq_case c;
    struct fq_assignment *as;
    struct fq_event *ev = NULL;
    int nas, n = 0;
    if (!u || load_visible(r, ctx, &u->actor, &c, &as, &nas))
        return;
    if (store_case_events(store_rd(ctx->dom->store), c.id, &ev, &n)) {
        http_reply_fail(r, 503, "storage_error", "", "读取失败 (read failed)");
    } else {
        http_reply_json(r, 200, json_pack("{s:s, s:o}", "code", c.code, "events", api_events_json(ev, n, 0)));
        store_events_free(ev, n);
    }
    fq_case_clear(&c);
    free(as);
}

/* Parses the list filter from the query string; replies 400 and returns -1 on a bad value. */
int api_case_filter_parse(struct http_req *r, struct api_ctx *ctx, const struct api_user *u,
                          struct store_case_filter *f)
{
    const char *v;
    int x;
    store_case_filter_init(f);
    snprintf(f->scope_division, sizeof f->scope_division, "%s", u->u.division);
    f->scope_department = u->u.department_id;
    if ((v = http_query(r, "status")) && *v) {
        char buf[256], *save = NULL;
        snprintf(buf, sizeof buf, "%s", v);
        for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (status_parse(t, &x))
                goto bad_status;
            f->status_mask |= 1u << x;
        }
    }
    if ((v = http_query(r, "division")) && *v) {
        if (!division_code_valid(v)) {
            http_reply_fail(r, 400, "invalid_value", "division", "区划代码无效 (invalid division code)");
            return -1;
        }
        snprintf(f->division, sizeof f->division, "%s", v);
    }
    if ((v = http_query(r, "department")) && *v) {
        char *end;
        f->department = strtoll(v, &end, 10);
        if (*end || f->department <= 0) {
            http_reply_fail(r, 400, "invalid_value", "department", "部门编号须为正整数");
            return -1;
        }
    }
    if ((v = http_query(r, "category")) && *v) {
        if (strlen(v) > 15) {
            http_reply_fail(r, 400, "invalid_value", "category", "类别代码过长");
            return -1;
        }
        snprintf(f->category, sizeof f->category, "%s", v);
    }
    if ((v = http_query(r, "grade")) && *v && grade_parse(v, &f->grade)) {
        http_reply_fail(r, 400, "invalid_value", "grade", "等级须为 simple/ordinary/complex/difficult");
        return -1;
    }
    if ((v = http_query(r, "channel")) && *v && channel_parse(v, &f->channel)) {
        http_reply_fail(r, 400, "invalid_value", "channel", "渠道无效 (invalid channel)");
        return -1;
    }
    if ((v = http_query(r, "light")) && *v) {
        f->light = !strcmp(v, "green") ? LIGHT_GREEN : !strcmp(v, "yellow") ? LIGHT_YELLOW
                                                   : !strcmp(v, "red")      ? LIGHT_RED
                                                                            : -2;
        if (f->light == -2) {
            http_reply_fail(r, 400, "invalid_value", "light", "light 须为 green/yellow/red");
            return -1;
        }
    }
    if ((v = http_query(r, "overdue")) && *v) {
        if (strcmp(v, "1") && strcmp(v, "true") && strcmp(v, "0") && strcmp(v, "false")) {
            http_reply_fail(r, 400, "invalid_value", "overdue", "overdue 须为 1/0");
            return -1;
        }
        f->overdue = !strcmp(v, "1") || !strcmp(v, "true");
    }
    if ((v = http_query(r, "from")) && *v && ms_parse(v, &f->from)) {
        http_reply_fail(r, 400, "invalid_time", "from", "时间格式须为 YYYY-MM-DD");
        return -1;
    }
    if ((v = http_query(r, "to")) && *v) {
        int64_t day;
        if (day_parse(v, &day) == 0) {
            f->to = ms_of_day(day + 1); /* a date "to" includes that whole day */
        } else if (ms_parse(v, &f->to)) {
            http_reply_fail(r, 400, "invalid_time", "to", "时间格式须为 YYYY-MM-DD");
            return -1;
        }
    }
    for (const char *const *flag = (const char *const[]){"supervised", "unrated", "followed_up", "mine", NULL}; *flag; flag++) {
        if (!(v = http_query(r, *flag)) || !*v)
            continue;
        if (strcmp(v, "1") && strcmp(v, "0") && strcmp(v, "true") && strcmp(v, "false")) {
            http_reply_fail(r, 400, "invalid_value", *flag, "取值须为 1 或 0 (must be 1 or 0)");
            return -1;
        }
        int on = !strcmp(v, "1") || !strcmp(v, "true");
        if (!strcmp(*flag, "supervised"))
            f->supervised = on;
        else if (!strcmp(*flag, "unrated"))
            f->unrated = on;
        else if (!strcmp(*flag, "followed_up"))
            f->followed = on;
        else if (on)
            f->created_by = u->u.id;
    }
    if ((v = http_query(r, "closed_from")) && *v && ms_parse(v, &f->closed_from)) {
        http_reply_fail(r, 400, "invalid_time", "closed_from", "时间格式须为 YYYY-MM-DD");
        return -1;
    }
    if ((v = http_query(r, "closed_to")) && *v) {
        int64_t day;
        if (day_parse(v, &day) == 0) {
            f->closed_to = ms_of_day(day + 1);
        } else if (ms_parse(v, &f->closed_to)) {
            http_reply_fail(r, 400, "invalid_time", "closed_to", "时间格式须为 YYYY-MM-DD");
            return -1;
        }
    }
    /* exact search on a party's ID number or phone through its blind index (盲索引) */
    if ((v = http_query(r, "id_number")) && *v) {
        char up[19];
        if (!ident_resident_id_valid(v)) {
            http_reply_fail(r, 400, "invalid_id_number", "id_number", "身份证号码校验失败 (invalid resident ID)");
            return -1;
        }
        snprintf(up, sizeof up, "%s", v);
        if (up[17] == 'x')
            up[17] = 'X';
        pii_blind_index(&ctx->dom->key, "id", up, f->party_bidx);
        f->party_kind = 1;
    } else if ((v = http_query(r, "phone")) && *v) {
        char norm[12];
        if (ident_phone_normalize(v, norm)) {
            http_reply_fail(r, 400, "invalid_phone", "phone", "手机号码格式不正确 (invalid mobile number)");
            return -1;
        }
        pii_blind_index(&ctx->dom->key, "phone", norm, f->party_bidx);
        f->party_kind = 2;
    }
    if ((v = http_query(r, "cursor")) && *v) {
        char *end;
        f->cursor = strtoll(v, &end, 10);
        if (*end || f->cursor <= 0) {
            http_reply_fail(r, 400, "invalid_value", "cursor", "cursor 无效");
            return -1;
        }
    }
    if ((v = http_query(r, "limit")) && *v) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < 1 || n > 500) {
            http_reply_fail(r, 400, "out_of_range", "limit", "limit 须在 1..500 之间");
            return -1;
        }
        f->limit = (int)n;
    }
    return 0;
bad_status:
    http_reply_fail(r, 400, "invalid_value", "status", "状态值无效 (invalid status)");
    return -1;
}

static void h_list(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    struct store_case_filter f;
    json_t *items;
    int64_t next = 0, total = -1;
    if (!u || api_case_filter_parse(r, ctx, u, &f))
        return;
    struct store_rd *rd = store_rd(ctx->dom->store);
    if (!rd || store_case_list(rd, &f, &items, &next)) {
        http_reply_fail(r, 503, "storage_error", "", "读取失败 (read failed)");
        return;
    }
    json_t *o = json_pack("{s:o}", "items", items);
    json_object_set_new(o, "next_cursor", next ? json_integer(next) : json_null());
    const char *c = http_query(r, "count");
    if (c && !strcmp(c, "1") && store_case_count(rd, &f, &total) == 0)
        json_object_set_new(o, "total", json_integer(total));
    http_reply_json(r, 200, o);
}

/* ---- personal data reveal ---- */

static void h_reveal(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    struct fq_case c;
    struct fq_assignment *as;
    int nas;
    if (!u)
        return;
    if (!api_require_role(r, u, 1u << ROLE_DISPATCHER | 1u << ROLE_HANDLER | 1u << ROLE_MEDIATOR |
                                    1u << ROLE_SUPERVISOR))
        return;
    if (load_visible(r, ctx, &u->actor, &c, &as, &nas))
        return;
    free(as);
    char *end;
    const char *pid = http_param(r, "party");
    int64_t id = pid ? strtoll(pid, &end, 10) : 0;
    if (!pid || pid[0] < '1' || pid[0] > '9' || *end || id <= 0) {
        http_reply_fail(r, 404, "not_found", "party", "当事人不存在 (no such party)");
        fq_case_clear(&c);
        return;
    }
    struct fq_party *ps = NULL;
    int n = 0;
    store_case_parties(store_rd(ctx->dom->store), c.id, &ps, &n);
    json_t *o = NULL;
    for (int i = 0; i < n && !o; i++) {
        if (ps[i].id != id)
            continue;
        char plain[40];
        o = json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", ps[i].name);
        if (ps[i].id_enc_len && !pii_decrypt(&ctx->dom->key, ps[i].id_enc, ps[i].id_enc_len, plain, sizeof plain))
            json_object_set_new(o, "id_number", json_string(plain));
        if (ps[i].phone_enc_len && !pii_decrypt(&ctx->dom->key, ps[i].phone_enc, ps[i].phone_enc_len, plain, sizeof plain))
            json_object_set_new(o, "phone", json_string(plain));
        sodium_memzero(plain, sizeof plain);
    }
    free(ps);
    if (!o) {
        http_reply_fail(r, 404, "not_found", "party", "当事人不存在 (no such party)");
    } else {
        char target[64];
        snprintf(target, sizeof target, "%s/party/%lld", c.code, (long long)id);
        api_audit(ctx, u->u.id, "reveal_pii", target, http_client_ip(r));
        http_reply_json(r, 200, o);
    }
    fq_case_clear(&c);
}

/* ---- attachments ---- */

/* Content type from the first bytes; NULL when the type is not accepted. */
static const char *sniff(const unsigned char *p, size_t n)
{
    if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return "image/jpeg";
    if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
        return "image/png";
    if (n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4))
        return "image/webp";
    if (n >= 6 && (!memcmp(p, "GIF87a", 6) || !memcmp(p, "GIF89a", 6)))
        return "image/gif";
    if (n >= 5 && !memcmp(p, "%PDF-", 5))
        return "application/pdf";
    return NULL;
}

static int write_blob(const char *dir, const char *hex, const void *data, size_t len)
{
    char path[1024], tmp[1100];
    snprintf(path, sizeof path, "%s/files", dir);
    mkdir(dir, 0750);
    mkdir(path, 0750);
    snprintf(path, sizeof path, "%s/files/%.2s", dir, hex);
    mkdir(path, 0750);
    snprintf(path, sizeof path, "%s/files/%.2s/%s", dir, hex, hex);
    if (access(path, F_OK) == 0)
        return 0; /* content-addressed: already stored */
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)pthread_self() % 100000);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0640);
    if (fd < 0)
        return FQ_EIO;
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t k = write(fd, p, left);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            close(fd);
            unlink(tmp);
            return FQ_EIO;
        }
        p += k;
        left -= (size_t)k;
    }
    if (fsync(fd) || close(fd) || rename(tmp, path)) {
        unlink(tmp);
        return FQ_EIO;
    }
    return 0;
}

static void h_attach(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    if (!u)
        return;
    const char *code = http_param(r, "code"), *name = http_query(r, "name");
    size_t len;
    const unsigned char *data = (const unsigned char *)http_body(r, &len);
    if (!name || !*name || strlen(name) > 200 || strchr(name, '/') || strchr(name, '\\')) {
        http_reply_fail(r, 400, "invalid_value", "name", "须提供文件名 ?name=（不含路径，最长 200 字节）");
        return;
    }
    if (len == 0) {
        http_reply_fail(r, 400, "required", "body", "附件内容为空 (empty file)");
        return;
    }
    const char *mime = sniff(data, len);
    if (!mime) {
        http_reply_fail(r, 415, "unsupported_type", "body", "仅支持 JPEG/PNG/WebP/GIF 图片和 PDF (unsupported file type)");
        return;
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    crypto_hash_sha256(digest, data, len);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    /* refuse before anything touches the disk: the case must exist, be visible and not archived */
    struct fq_case c;
    struct fq_assignment *as;
    int nas;
    if (load_visible(r, ctx, &u->actor, &c, &as, &nas))
        return;
    free(as);
    int archived = c.status == ST_ARCHIVED;
    fq_case_clear(&c);
    if (archived) {
        http_reply_fail(r, 409, "illegal_transition", "action", "已归档案件不能添加附件 (case archived)");
        return;
    }
    struct case_write *w = new_write(r, ctx, W_ATTACH);
    if (!w)
        return;
    if (case_attach_prepare(ctx->dom, &u->actor, code, hex, name, mime, (int64_t)len, &w->att, &w->e)) {
        http_reply_error(r, &w->e);
        case_write_free(w);
        return;
    }
    if (write_blob(ctx->dom->data_dir, hex, data, len)) {
        http_reply_fail(r, 503, "storage_error", "", "附件保存失败 (could not store the file)");
        case_write_free(w);
        return;
    }
    submit(w);
}

static void h_attachment_get(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    struct fq_case c;
    struct fq_assignment *as;
    int nas;
    if (!u || load_visible(r, ctx, &u->actor, &c, &as, &nas))
        return;
    free(as);
    json_t *list = NULL, *v, *found = NULL;
    size_t i;
    const char *id = http_param(r, "id");
    store_case_attachments(store_rd(ctx->dom->store), c.id, &list);
    json_array_foreach(list, i, v) {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(json_object_get(v, "id")));
        if (id && !strcmp(buf, id))
            found = v;
    }
    if (!found) {
        http_reply_fail(r, 404, "not_found", "id", "附件不存在 (no such attachment)");
    } else {
        const char *hex = json_string_value(json_object_get(found, "sha256"));
        char path[1024];
        snprintf(path, sizeof path, "%s/files/%.2s/%s", ctx->dom->data_dir, hex, hex);
        http_reply_file(r, 200, json_string_value(json_object_get(found, "mime")), path,
                        json_string_value(json_object_get(found, "name")));
    }
    json_decref(list);
    fq_case_clear(&c);
}

void api_case_routes(struct api_ctx *ctx)
{
    struct http_server *s = ctx->http;
    http_route(s, "POST", "/api/v1/cases", h_create, ctx, 256 * 1024);
    http_route(s, "GET", "/api/v1/cases", h_list, ctx, 0);
    http_route(s, "GET", "/api/v1/cases/:code", h_get, ctx, 0);
    http_route(s, "GET", "/api/v1/cases/:code/timeline", h_timeline, ctx, 0);
    http_route(s, "POST", "/api/v1/cases/:code/actions/:action", h_action, ctx, 64 * 1024);
    http_route(s, "POST", "/api/v1/cases/:code/attachments", h_attach, ctx, ATTACH_MAX);
    http_route(s, "GET", "/api/v1/cases/:code/attachments/:id", h_attachment_get, ctx, 0);
    http_route(s, "POST", "/api/v1/cases/:code/parties/:party/reveal", h_reveal, ctx, 1024);
}
