/* Administration: users and roles, the holiday calendar, the SLA policy, the responsibility list. Every
 * change is audited; calendar and policy changes take effect at once (domain_reload). */
#include "api/api.h"
#include "core/ident.h"
#include "core/password.h"
#include "core/sla.h"
#include "util/clock.h"
#include "util/jsonin.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADMIN (1u << ROLE_ADMIN)

/* ---- users ---- */

static void h_users(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    json_t *v;
    if (!u || !api_require_role(r, u, ADMIN))
        return;
    if (store_users(store_rd(ctx->dom->store), &v)) {
        http_reply_fail(r, 503, "storage_error", "", "读取失败 (read failed)");
        return;
    }
    http_reply_json(r, 200, json_pack("{s:o}", "items", v));
}

struct user_job {
    struct http_req *r;
    struct api_ctx *ctx;
    int64_t admin_id;
    int create;                 /* 1 add, 0 change password */
    struct fq_user u;
    char password[160];
    char old_password[160];       /* own change: must match old_hash */
    char old_hash[128];
    struct fq_error e;
};

static int user_tx(struct store_tx *tx, void *arg)
{
    struct user_job *j = arg;
    int rc;
    if (j->create) {
        if ((rc = store_tx_user_insert(tx, &j->u)))
            return rc == FQ_ECONFLICT ? fq_fail(&j->e, rc, "username_taken", "username", "用户名已存在 (username taken)") : rc;
        return store_tx_audit(tx, j->admin_id, "user_add", j->u.username, "");
    }
    struct fq_user cur;
    if ((rc = store_tx_user_get(tx, j->u.username, &cur)))
        return rc == FQ_ENOTFOUND ? fq_fail(&j->e, rc, "not_found", "username", "用户不存在 (no such user)") : rc;
    memcpy(cur.pw_hash, j->u.pw_hash, sizeof cur.pw_hash);
    cur.failed_logins = 0;
    cur.locked_until = 0;
    if ((rc = store_tx_user_update(tx, &cur)))
        return rc;
    j->u = cur;
    return store_tx_audit(tx, j->admin_id, "user_passwd", cur.username, "");
}

static void user_job_run(void *arg)
{
    struct user_job *j = arg;
    if (j->old_password[0] && password_verify(j->old_hash, j->old_password)) {
        sodium_memzero(j->old_password, sizeof j->old_password);
        sodium_memzero(j->password, sizeof j->password);
        fq_fail(&j->e, FQ_EAUTH, "bad_credentials", "old_password", "原密码不正确 (current password is wrong)");
        http_reply_error(j->r, &j->e);
        free(j);
        return;
    }
    sodium_memzero(j->old_password, sizeof j->old_password);
    int rc = password_hash(j->password, j->u.pw_hash);
    sodium_memzero(j->password, sizeof j->password);
    if (rc == 0)
        rc = store_write(j->ctx->dom->store, user_tx, j);
    else
        fq_fail(&j->e, rc, "weak_password", "password", "密码须为 8-128 个字符 (8 to 128 characters)");
    if (rc) {
        if (j->e.status != rc)
            fq_fail(&j->e, rc, NULL, "", "保存失败 (not saved)");
        http_reply_error(j->r, &j->e);
    } else {
        http_reply_json(j->r, j->create ? 201 : 200, api_user_json(&j->u));
    }
    free(j);
}

enum { USER_ROLES = 1, USER_DIVISION = 2, USER_DEPARTMENT = 4, USER_NAME = 8, USER_DISABLED = 16, USER_UNLOCK = 32 };

/* Reads the roles, division and department_id of b into u, setting USER_* bits in *has for those
 * present; a null division or department_id clears it (PUT). Roles are required on create. */
static int read_user_access(struct store_rd *rd, json_t *b, int create, struct fq_user *u, unsigned *has,
                            struct fq_error *e)
{
    const char *division;
    json_t *roles;
    int64_t dept = 0;
    int rc;
    if ((rc = jin_array(b, "roles", create, ROLE__COUNT, &roles, e)) ||
        (rc = jin_str(b, "division", 0, 12, 12, &division, e)) ||
        (rc = jin_int(b, "department_id", 0, 1, INT64_MAX, &dept, e)))
        return rc;
    if (roles) {
        if (json_array_size(roles) == 0)
            return fq_fail(e, FQ_EINVAL, "required", "roles", "至少需要一个角色 (at least one role)");
        u->roles = 0;
        for (size_t i = 0; i < json_array_size(roles); i++) {
            int role;
            if (role_parse(json_string_value(json_array_get(roles, i)), &role))
                return fq_fail(e, FQ_EINVAL, "invalid_value", "roles", "未知角色 (unknown role)");
            u->roles |= 1u << role;
        }
        *has |= USER_ROLES;
    }
    if (division) {
        char name[96], parent[FQ_DIVISION_LEN + 1];
        int level;
        if (!division_code_valid(division) || store_division_get(rd, division, name, &level, parent))
            return fq_fail(e, FQ_EINVAL, "unknown_division", "division", "区划不存在 (unknown division)");
        snprintf(u->division, sizeof u->division, "%s", division);
    }
    if (dept) {
        struct fq_department d;
        if (store_department_get(rd, dept, &d))
            return fq_fail(e, FQ_EINVAL, "unknown_department", "department_id", "部门不存在 (unknown department)");
    }
    u->department_id = dept;
    *has |= (json_object_get(b, "division") ? USER_DIVISION : 0) | (json_object_get(b, "department_id") ? USER_DEPARTMENT : 0);
    return 0;
}

/* Handlers act for a department: a user with the role needs one. */
static int user_check_handler(const struct fq_user *u, struct fq_error *e)
{
    if ((u->roles & (1u << ROLE_HANDLER)) && !u->department_id)
        return fq_fail(e, FQ_EINVAL, "required", "department_id", "部门承办人须指定部门 (handlers need a department)");
    return 0;
}

static int parse_user(struct api_ctx *ctx, json_t *b, struct user_job *j)
{
    static const char *const allowed[] = {"username", "display_name", "password", "roles", "division",
                                          "department_id", NULL};
    const char *username, *display, *password;
    struct fq_error *e = &j->e;
    unsigned has = 0;
    int rc;
    if ((rc = jin_only(b, allowed, e)) || (rc = jin_str(b, "username", 1, 2, 63, &username, e)) ||
        (rc = jin_str(b, "display_name", 0, 1, 63, &display, e)) ||
        (rc = jin_str(b, "password", 1, 8, 128, &password, e)))
        return rc;
    for (const char *p = username; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && !strchr("._-", *p))
            return fq_fail(e, FQ_EINVAL, "invalid_value", "username", "用户名只能含小写字母、数字和 . _ -");
    if ((rc = read_user_access(store_rd(ctx->dom->store), b, 1, &j->u, &has, e)) ||
        (rc = user_check_handler(&j->u, e)))
        return rc;
    snprintf(j->u.username, sizeof j->u.username, "%s", username);
    snprintf(j->u.display_name, sizeof j->u.display_name, "%s", display ? display : username);
    snprintf(j->password, sizeof j->password, "%s", password);
    j->u.created_at = fq_now_ms();
    return 0;
}

static void h_user_add(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    if (!u || !api_require_role(r, u, ADMIN))
        return;
    json_t *b = http_body_json(r);
    if (!b)
        return;
    struct user_job *j = calloc(1, sizeof *j);
    j->r = r;
    j->ctx = ctx;
    j->admin_id = u->u.id;
    j->create = 1;
    int rc = parse_user(ctx, b, j);
    json_decref(b);
    if (rc) {
        http_reply_error(r, &j->e);
        free(j);
        return;
    }
    if (api_offload(ctx, user_job_run, j)) {
        free(j);
        http_reply_fail(r, 503, "busy", "", "服务繁忙 (busy)");
    }
}

/* PUT /api/v1/users/:username/password {password}: admins for anyone, users for themselves. */
static void h_user_passwd(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    const char *name = http_param(r, "username"), *password, *old = NULL;
    static const char *const allowed[] = {"password", "old_password", NULL};
    if (!u)
        return;
    int own = !strcmp(name, u->u.username);
    if (!own && !api_require_role(r, u, ADMIN))
        return;
    json_t *b = http_body_json(r);
    if (!b)
        return;
    struct user_job *j = calloc(1, sizeof *j);
    j->r = r;
    j->ctx = ctx;
    j->admin_id = u->u.id;
    /* changing one's own password needs the current one (a stolen session is not enough) */
    if (jin_only(b, allowed, &j->e) || jin_str(b, "password", 1, 8, 128, &password, &j->e) ||
        jin_str(b, "old_password", own, 1, 128, &old, &j->e)) {
        http_reply_error(r, &j->e);
        json_decref(b);
        free(j);
        return;
    }
    snprintf(j->u.username, sizeof j->u.username, "%s", name);
    snprintf(j->password, sizeof j->password, "%s", password);
    if (own) {
        snprintf(j->old_password, sizeof j->old_password, "%s", old);
        memcpy(j->old_hash, u->u.pw_hash, sizeof j->old_hash);
    }
    json_decref(b);
    if (api_offload(ctx, user_job_run, j)) {
        free(j);
        http_reply_fail(r, 503, "busy", "", "服务繁忙 (busy)");
    }
}

/* PUT /api/v1/users/:username: roles, scope, display name, disabled, unlock. */
struct user_edit_job {
    int64_t admin_id;
    unsigned has;                 /* USER_* */
    struct fq_user set;           /* the fields given */
    struct fq_user u;             /* out: the stored user */
    char changed[96];             /* the audit detail: the fields changed */
    struct fq_error e;
};

static int user_edit_tx(struct store_tx *tx, void *arg)
{
    struct user_edit_job *j = arg;
    struct fq_user *u = &j->u;
    int rc;
    if ((rc = store_tx_user_get(tx, j->set.username, u)))
        return rc == FQ_ENOTFOUND ? fq_fail(&j->e, rc, "not_found", "username", "用户不存在 (no such user)") : rc;
    /* an admin cannot lock themself out: someone must be left to undo it */
    if (u->id == j->admin_id && (j->has & USER_DISABLED) && j->set.disabled)
        return fq_fail(&j->e, FQ_EINVAL, "self_lockout", "disabled", "不能停用自己的账号 (you cannot disable yourself)");
    if (u->id == j->admin_id && (j->has & USER_ROLES) && !(j->set.roles & ADMIN))
        return fq_fail(&j->e, FQ_EINVAL, "self_lockout", "roles", "不能取消自己的管理员角色 (you cannot drop your own admin role)");
    if (j->has & USER_ROLES)
        u->roles = j->set.roles;
    if (j->has & USER_DIVISION)
        memcpy(u->division, j->set.division, sizeof u->division);
    if (j->has & USER_DEPARTMENT)
        u->department_id = j->set.department_id;
    if (j->has & USER_NAME)
        memcpy(u->display_name, j->set.display_name, sizeof u->display_name);
    if (j->has & USER_DISABLED)
        u->disabled = j->set.disabled;
    if (j->has & USER_UNLOCK) {
        u->failed_logins = 0;
        u->locked_until = 0;
    }
    if ((rc = user_check_handler(u, &j->e)) || (rc = store_tx_user_update(tx, u)))
        return rc;
    return store_tx_audit(tx, j->admin_id, "user_put", u->username, j->changed);
}

static void h_user_put(struct http_req *r, void *arg)
{
    static const char *const allowed[] = {"display_name", "roles", "division", "department_id", "disabled", "unlock", NULL};
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    struct user_edit_job j = {0};
    const char *display;
    int unlock = 0;
    if (!u || !api_require_role(r, u, ADMIN))
        return;
    json_t *b = http_body_json(r);
    if (!b)
        return;
    int rc = jin_only(b, allowed, &j.e);
    if (!rc)
        rc = jin_str(b, "display_name", 0, 1, sizeof j.set.display_name - 1, &display, &j.e);
    if (!rc)
        rc = read_user_access(store_rd(ctx->dom->store), b, 0, &j.set, &j.has, &j.e);
    if (!rc && json_object_get(b, "disabled") && !(rc = jin_bool(b, "disabled", 1, &j.set.disabled, &j.e)))
        j.has |= USER_DISABLED;
    if (!rc && json_object_get(b, "unlock") && !(rc = jin_bool(b, "unlock", 1, &unlock, &j.e)) && unlock)
        j.has |= USER_UNLOCK;
    if (!rc && display) {
        snprintf(j.set.display_name, sizeof j.set.display_name, "%s", display);
        j.has |= USER_NAME;
    }
    for (size_t i = 0; !rc && allowed[i]; i++)
        if (json_object_get(b, allowed[i]))
            snprintf(j.changed + strlen(j.changed), sizeof j.changed - strlen(j.changed), "%s%s",
                     j.changed[0] ? "," : "", allowed[i]);
    json_decref(b);
    if (rc) {
        http_reply_error(r, &j.e);
        return;
    }
    snprintf(j.set.username, sizeof j.set.username, "%s", http_param(r, "username"));
    j.admin_id = u->u.id;
    if ((rc = store_write(ctx->dom->store, user_edit_tx, &j))) {
        if (j.e.status != rc)
            fq_fail(&j.e, FQ_EIO, "storage_error", "", "保存失败 (not saved)");
        http_reply_error(r, &j.e);
        return;
    }
    http_reply_json(r, 200, store_user_json(&j.u));
}

/* ---- calendar ---- */

static void h_calendar(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    const char *y = http_query(r, "year");
    int year = 0;
    json_t *v;
    if (!u)
        return;
    if (y && *y) {
        char *end;
        year = (int)strtol(y, &end, 10);
        if (*end || year < 2000 || year > 2100) {
            http_reply_fail(r, 400, "out_of_range", "year", "年份须在 2000..2100 之间");
            return;
        }
    }
    if (store_holidays_json(store_rd(ctx->dom->store), year, &v)) {
        http_reply_fail(r, 503, "storage_error", "", "读取失败 (read failed)");
        return;
    }
    http_reply_json(r, 200, json_pack("{s:o}", "items", v));
}

struct calendar_job {
    int64_t day, admin_id;
    char kind[8], name[64], date[11];
};

static int calendar_tx(struct store_tx *tx, void *arg)
{
    struct calendar_job *j = arg;
    int rc = store_tx_holiday_set(tx, j->day, j->kind[0] ? j->kind : NULL, j->name);
    if (rc == 0)
        rc = store_tx_audit(tx, j->admin_id, "calendar_set", j->date, j->kind[0] ? j->kind : "removed");
    return rc;
}

/* PUT /api/v1/calendar/:date {kind: "off"|"work"|null, name} */
static void h_calendar_put(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    struct calendar_job j;
    struct fq_error e;
    const char *kind, *name;
    static const char *const allowed[] = {"kind", "name", NULL};
    if (!u || !api_require_role(r, u, ADMIN))
        return;
    memset(&j, 0, sizeof j);
    if (day_parse(http_param(r, "date"), &j.day)) {
        http_reply_fail(r, 400, "invalid_time", "date", "日期格式须为 YYYY-MM-DD");
        return;
    }
    json_t *b = http_body_json(r);
    if (!b)
        return;
    if (jin_only(b, allowed, &e) || jin_str(b, "kind", 0, 2, 16, &kind, &e) || jin_str(b, "name", 0, 1, 63, &name, &e)) {
        http_reply_error(r, &e);
        json_decref(b);
        return;
    }
    if (kind && strcmp(kind, "off") && strcmp(kind, "work")) {
        json_decref(b);
        http_reply_fail(r, 400, "invalid_value", "kind", "kind 须为 off（放假）、work（调休上班）或 null（删除）");
        return;
    }
    snprintf(j.kind, sizeof j.kind, "%s", kind ? kind : "");
    snprintf(j.name, sizeof j.name, "%s", name ? name : "");
    snprintf(j.date, sizeof j.date, "%s", http_param(r, "date"));
    j.admin_id = u->u.id;
    json_decref(b);
    if (store_write(ctx->dom->store, calendar_tx, &j) || domain_reload(ctx->dom)) {
        http_reply_fail(r, 503, "storage_error", "", "保存失败 (not saved)");
        return;
    }
    http_reply_json(r, 200, json_pack("{s:s, s:o, s:s}", "date", j.date, "kind",
                                      j.kind[0] ? json_string(j.kind) : json_null(), "name", j.name));
}

/* ---- SLA policy ---- */

static json_t *rule_json(const struct fq_sla_rule *x)
{
    return json_pack("{s:I, s:o, s:o, s:o, s:s, s:i, s:f, s:i}", "id", (json_int_t)x->id, "grade",
                     x->grade ? json_string(grade_name(x->grade)) : json_null(), "level",
                     x->level ? json_string(level_name(x->level)) : json_null(), "channel",
                     x->channel >= 0 ? json_string(channel_name(x->channel)) : json_null(), "unit", x->unit,
                     "amount", x->amount, "warn_fraction", x->warn_fraction, "response_hours", x->response_hours);
}

static void h_sla(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    struct fq_sla_rule *rules;
    int n;
    if (!u)
        return;
    if (store_sla_rules(store_rd(ctx->dom->store), &rules, &n)) {
        http_reply_fail(r, 503, "storage_error", "", "读取失败 (read failed)");
        return;
    }
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, rule_json(&rules[i]));
    free(rules);
    http_reply_json(r, 200, json_pack("{s:o}", "items", arr));
}

struct sla_job {
    struct fq_sla_rule rule;
    int64_t admin_id;
};

static int sla_tx(struct store_tx *tx, void *arg)
{
    struct sla_job *j = arg;
    int rc = store_tx_sla_put(tx, &j->rule);
    char target[32];
    snprintf(target, sizeof target, "sla/%lld", (long long)j->rule.id);
    return rc ? rc : store_tx_audit(tx, j->admin_id, "sla_put", target, j->rule.unit);
}

/* POST /api/v1/sla-policy (new rule) and PUT /api/v1/sla-policy/:id (replace). */
static void h_sla_put(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    struct sla_job j;
    struct fq_error e;
    const char *grade, *level, *channel, *unit;
    int64_t amount, response = 24;
    double warn = 0.75;
    static const char *const allowed[] = {"grade", "level", "channel", "unit", "amount", "warn_fraction",
                                          "response_hours", NULL};
    if (!u || !api_require_role(r, u, ADMIN))
        return;
    memset(&j, 0, sizeof j);
    const char *id = http_param(r, "id");
    if (id) {
        char *end;
        struct fq_sla_rule *rules = NULL;
        int n = 0, found = 0;
        j.rule.id = strtoll(id, &end, 10);
        if (!*end && j.rule.id > 0 && store_sla_rules(store_rd(ctx->dom->store), &rules, &n) == 0)
            for (int i = 0; i < n; i++)
                found |= rules[i].id == j.rule.id;
        free(rules);
        if (!found) { /* PUT replaces an existing rule; POST adds one */
            http_reply_fail(r, 404, "not_found", "id", "规则不存在 (no such rule)");
            return;
        }
    }
    json_t *b = http_body_json(r);
    if (!b)
        return;
    int rc = jin_only(b, allowed, &e);
    if (!rc)
        rc = jin_str(b, "grade", 0, 1, 16, &grade, &e);
    if (!rc)
        rc = jin_str(b, "level", 0, 1, 16, &level, &e);
    if (!rc)
        rc = jin_str(b, "channel", 0, 1, 32, &channel, &e);
    if (!rc)
        rc = jin_str(b, "unit", 1, 1, 11, &unit, &e);
    if (!rc)
        rc = jin_int(b, "amount", 1, 0, 10000, &amount, &e);
    if (!rc)
        rc = jin_num(b, "warn_fraction", 0, 0.01, 0.99, &warn, &e);
    if (!rc)
        rc = jin_int(b, "response_hours", 0, 0, 720, &response, &e);
    j.rule.channel = -1;
    if (!rc && grade && grade_parse(grade, &j.rule.grade))
        rc = fq_fail(&e, FQ_EINVAL, "invalid_value", "grade", "等级无效 (invalid grade)");
    if (!rc && level && level_parse(level, &j.rule.level))
        rc = fq_fail(&e, FQ_EINVAL, "invalid_value", "level", "层级无效 (invalid level)");
    if (!rc && channel && channel_parse(channel, &j.rule.channel))
        rc = fq_fail(&e, FQ_EINVAL, "invalid_value", "channel", "渠道无效 (invalid channel)");
    if (!rc) {
        snprintf(j.rule.unit, sizeof j.rule.unit, "%s", unit);
        j.rule.amount = (int)amount;
        j.rule.warn_fraction = warn;
        j.rule.response_hours = (int)response;
        if (!sla_rule_valid(&j.rule))
            rc = fq_fail(&e, FQ_EINVAL, "invalid_value", "unit", "unit 须为 hours/days/workdays/months");
    }
    json_decref(b);
    if (rc) {
        http_reply_error(r, &e);
        return;
    }
    j.admin_id = u->u.id;
    rc = store_write(ctx->dom->store, sla_tx, &j);
    if (rc) {
        fq_fail(&e, rc, NULL, "id", rc == FQ_ENOTFOUND ? "规则不存在 (no such rule)" : "保存失败 (not saved)");
        http_reply_error(r, &e);
        return;
    }
    domain_reload(ctx->dom);
    http_reply_json(r, id ? 200 : 201, rule_json(&j.rule));
}

/* ---- settings ---- */

static void h_settings(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    if (!u || !api_require_role(r, u, ADMIN))
        return;
    json_t *arr = json_array();
    for (const struct domain_setting *s = domain_settings; s->key; s++) {
        char v[64];
        long long x = s->dflt;
        if (store_setting_get(store_rd(ctx->dom->store), s->key, v, sizeof v) == 0)
            x = atoll(v);
        json_array_append_new(arr, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "key", s->key, "label", s->label,
                                             "value", (json_int_t)x, "min", (json_int_t)s->min, "max",
                                             (json_int_t)s->max, "default", (json_int_t)s->dflt));
    }
    http_reply_json(r, 200, json_pack("{s:o}", "items", arr));
}

struct setting_job {
    const char *key;
    char value[32];
    int64_t admin_id;
};

static int setting_tx(struct store_tx *tx, void *arg)
{
    struct setting_job *j = arg;
    int rc = store_tx_setting_put(tx, j->key, j->value);
    return rc ? rc : store_tx_audit(tx, j->admin_id, "setting_put", j->key, j->value);
}

/* PUT /api/v1/settings/:key {value} */
static void h_setting_put(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    struct fq_error e;
    static const char *const allowed[] = {"value", NULL};
    if (!u || !api_require_role(r, u, ADMIN))
        return;
    const struct domain_setting *s = domain_settings;
    while (s->key && strcmp(s->key, http_param(r, "key")))
        s++;
    if (!s->key) {
        http_reply_fail(r, 404, "not_found", "key", "没有这个设置项 (no such setting)");
        return;
    }
    json_t *b = http_body_json(r);
    if (!b)
        return;
    int64_t v;
    if (jin_only(b, allowed, &e) || jin_int(b, "value", 1, s->min, s->max, &v, &e)) {
        http_reply_error(r, &e);
        json_decref(b);
        return;
    }
    json_decref(b);
    struct setting_job j = {s->key, "", u->u.id};
    snprintf(j.value, sizeof j.value, "%lld", (long long)v);
    if (store_write(ctx->dom->store, setting_tx, &j)) {
        http_reply_fail(r, 503, "storage_error", "", "保存失败 (not saved)");
        return;
    }
    domain_load_settings(ctx->dom);
    http_reply_json(r, 200, json_pack("{s:s, s:I}", "key", s->key, "value", (json_int_t)v));
}

/* ---- the responsibility list (权责清单) ---- */

struct resp_job {
    int64_t admin_id;
    int level;
    char category[16], lead[24], assist[128], duty[256];
};

static int resp_tx(struct store_tx *tx, void *arg)
{
    struct resp_job *j = arg;
    char target[48];
    int rc = store_tx_resp_put(tx, j->category, j->level, j->lead, j->assist, j->duty);
    snprintf(target, sizeof target, "resp/%s/%s", j->category, j->level ? level_name(j->level) : "any");
    return rc ? rc : store_tx_audit(tx, j->admin_id, "resp_put", target, j->lead);
}

/* A department kind some department has: 404 naming `field` when none. */
static int resp_kind(struct store_rd *rd, const char *kind, const char *field, struct fq_error *e)
{
    int rc = store_department_kind_exists(rd, kind);
    if (rc < 0)
        return fq_fail(e, rc, "storage_error", "", "读取失败 (read failed)");
    return rc ? 0 : fq_fail(e, FQ_ENOTFOUND, "not_found", field, "没有该类别的部门 (no department of kind %s)", kind);
}

/* Reads and checks the body of PUT /responsibilities into j (assist kinds joined by commas). */
static int resp_read(struct store_rd *rd, json_t *b, struct resp_job *j, struct fq_error *e)
{
    static const char *const allowed[] = {"category", "level", "lead_kind", "assist_kinds", "duty", NULL};
    const char *category, *level, *lead, *duty;
    json_t *assist = NULL;
    int rc = jin_only(b, allowed, e);
    if (!rc)
        rc = jin_str(b, "category", 1, 1, sizeof j->category - 1, &category, e);
    if (!rc)
        rc = jin_str(b, "level", 0, 1, 16, &level, e);
    if (!rc)
        rc = jin_str(b, "lead_kind", 1, 1, sizeof j->lead - 1, &lead, e);
    if (!rc)
        rc = jin_array(b, "assist_kinds", 0, 8, &assist, e);
    if (!rc)
        rc = jin_str(b, "duty", 1, 1, sizeof j->duty - 1, &duty, e);
    if (!rc && level && level_parse(level, &j->level))
        rc = fq_fail(e, FQ_EINVAL, "invalid_value", "level", "办理层级须为 city/county/township/village 或 null");
    for (size_t i = 0; !rc && assist && i < json_array_size(assist); i++) {
        const char *k = json_string_value(json_array_get(assist, i));
        size_t used = strlen(j->assist);
        char item[32], all[sizeof j->assist + 2];
        snprintf(item, sizeof item, ",%s,", k ? k : "");
        snprintf(all, sizeof all, ",%s,", j->assist);
        if (!k || !*k || strchr(k, ','))
            rc = fq_fail(e, FQ_EINVAL, "invalid_value", "assist_kinds", "配合部门须为部门类别字符串 (kinds as strings)");
        else if (!strcmp(k, lead) || strstr(all, item))
            rc = fq_fail(e, FQ_EINVAL, "duplicate", "assist_kinds", "配合部门重复或与牵头部门相同 (repeated kind)");
        else if (used + strlen(k) + 1 >= sizeof j->assist)
            rc = fq_fail(e, FQ_EINVAL, "too_long", "assist_kinds", "配合部门过多 (too many)");
        else
            snprintf(j->assist + used, sizeof j->assist - used, "%s%s", used ? "," : "", k);
    }
    if (rc)
        return rc;
    int has = store_category_exists(rd, category);
    if (has <= 0)
        return has < 0 ? fq_fail(e, has, "storage_error", "", "读取失败 (read failed)")
                       : fq_fail(e, FQ_ENOTFOUND, "not_found", "category", "事项类别不存在 (no such category)");
    if ((rc = resp_kind(rd, lead, "lead_kind", e)))
        return rc;
    char buf[128], *save = NULL;
    snprintf(buf, sizeof buf, "%s", j->assist);
    for (char *k = strtok_r(buf, ",", &save); k && !rc; k = strtok_r(NULL, ",", &save))
        rc = resp_kind(rd, k, "assist_kinds", e);
    snprintf(j->category, sizeof j->category, "%s", category);
    snprintf(j->lead, sizeof j->lead, "%s", lead);
    snprintf(j->duty, sizeof j->duty, "%s", duty);
    return rc;
}

/* PUT /api/v1/responsibilities {category, level?, lead_kind, assist_kinds?, duty}: sets the entry
 * of (category, level) — null or absent level = any level — adding it when there is none. */
static void h_resp_put(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    struct resp_job j;
    struct fq_error e;
    if (!u || !api_require_role(r, u, ADMIN))
        return;
    memset(&j, 0, sizeof j);
    json_t *b = http_body_json(r);
    if (!b)
        return;
    int rc = resp_read(store_rd(ctx->dom->store), b, &j, &e);
    json_decref(b);
    if (rc) {
        http_reply_error(r, &e);
        return;
    }
    j.admin_id = u->u.id;
    if (store_write(ctx->dom->store, resp_tx, &j)) {
        http_reply_fail(r, 503, "storage_error", "", "保存失败 (not saved)");
        return;
    }
    http_reply_json(r, 200, json_pack("{s:s, s:o, s:s, s:s, s:s}", "category", j.category, "level",
                                      j.level ? json_string(level_name(j.level)) : json_null(), "lead_kind", j.lead,
                                      "assist_kinds", j.assist, "duty", j.duty));
}

void api_admin_routes(struct api_ctx *ctx)
{
    http_route(ctx->http, "GET", "/api/v1/settings", h_settings, ctx, 0);
    http_route(ctx->http, "PUT", "/api/v1/settings/:key", h_setting_put, ctx, 1024);
    struct http_server *s = ctx->http;
    http_route(s, "GET", "/api/v1/users", h_users, ctx, 0);
    http_route(s, "POST", "/api/v1/users", h_user_add, ctx, 8192);
    http_route(s, "PUT", "/api/v1/users/:username/password", h_user_passwd, ctx, 4096);
    http_route(s, "PUT", "/api/v1/users/:username", h_user_put, ctx, 4096);
    http_route(s, "GET", "/api/v1/calendar", h_calendar, ctx, 0);
    http_route(s, "PUT", "/api/v1/calendar/:date", h_calendar_put, ctx, 4096);
    http_route(s, "GET", "/api/v1/sla-policy", h_sla, ctx, 0);
    http_route(s, "POST", "/api/v1/sla-policy", h_sla_put, ctx, 4096);
    http_route(s, "PUT", "/api/v1/sla-policy/:id", h_sla_put, ctx, 4096);
    http_route(s, "PUT", "/api/v1/responsibilities", h_resp_put, ctx, 4096);
}
