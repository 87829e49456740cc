/* Administration of the reference data: departments (部门). Admins only; every change is a
 * write job that reads the current row inside the transaction, so a 404 and the change cannot
 * race, and every change leaves an audit record. A department some case or user refers to is
 * deactivated, never deleted: the cases keep naming it and the responsibility list stops
 * suggesting it (store_department_find skips inactive departments). */
#include "api/api.h"
#include "core/ident.h"
#include "util/jsonin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADMIN (1u << ROLE_ADMIN)

/* Runs fn in one write transaction. On failure replies — with *e when fn filled it, else 409 for
 * a constraint, 503 otherwise — and returns -1; 0 when committed. */
static int admin_write(struct http_req *r, struct api_ctx *ctx, int (*fn)(struct store_tx *, void *), void *job,
                       struct fq_error *e)
{
    memset(e, 0, sizeof *e);
    int rc = store_write(ctx->dom->store, fn, job);
    if (rc == 0)
        return 0;
    if (e->status != rc) {
        if (rc == FQ_ECONFLICT)
            fq_fail(e, rc, "conflict", "", "与现有数据冲突 (conflicts with existing data)");
        else
            fq_fail(e, FQ_EIO, "storage_error", "", "保存失败 (not saved)");
    }
    http_reply_error(r, e);
    return -1;
}

/* The caller when an admin; else NULL after replying 401/403. */
static struct api_user *admin_user(struct http_req *r, struct api_ctx *ctx)
{
    struct api_user *u = api_auth(r, ctx);
    return u && api_require_role(r, u, ADMIN) ? u : NULL;
}

/* The positive integer path parameter `name`, or replies 404 and returns -1. */
static int id_param(struct http_req *r, const char *name, int64_t *id)
{
    const char *s = http_param(r, name);
    char *end;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || v <= 0) {
        http_reply_fail(r, 404, "not_found", name, "不存在 (no such item)");
        return -1;
    }
    *id = v;
    return 0;
}

/* ---- departments ---- */

enum { DEPT_NAME = 1, DEPT_KIND = 2, DEPT_DIVISION = 4, DEPT_PRESENCE = 8, DEPT_ACTIVE = 16, DEPT_LEVEL = 32 };

struct dept_job {
    int64_t admin_id;
    unsigned has;              /* DEPT_* fields given; the others keep their value (PUT) */
    struct fq_department d;    /* given fields in; the stored department out */
    int level;                 /* DEPT_LEVEL: the level asked for (must be the division's) */
    int deleted;               /* DELETE: 1 deleted, 0 deactivated */
    struct fq_error e;
};

/* Reads a POST (create = 1: name, kind and division required) or PUT body into j. */
static int dept_read(struct store_rd *rd, json_t *b, int create, struct dept_job *j)
{
    static const char *const allowed[] = {"name", "kind", "division", "level", "presence", "active", NULL};
    const char *name, *kind, *division, *level, *presence;
    int active = 1;
    struct fq_error *e = &j->e;
    int rc = jin_only(b, allowed, e);
    if (!rc)
        rc = jin_str(b, "name", create, 1, sizeof j->d.name - 1, &name, e);
    if (!rc)
        rc = jin_str(b, "kind", create, 1, sizeof j->d.kind - 1, &kind, e);
    if (!rc)
        rc = jin_str(b, "division", create, 12, 12, &division, e);
    if (!rc)
        rc = jin_str(b, "level", 0, 1, 16, &level, e);
    if (!rc)
        rc = jin_str(b, "presence", 0, 1, 16, &presence, e);
    if (!rc && json_object_get(b, "active") && (rc = jin_bool(b, "active", 1, &active, e)) == 0)
        j->has |= DEPT_ACTIVE;
    if (rc)
        return rc;
    if (kind)
        for (const char *p = kind; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
                return fq_fail(e, FQ_EINVAL, "invalid_value", "kind", "类别只能含小写字母、数字和 _ (a-z, 0-9, _)");
    if (presence && presence_parse(presence, &j->d.presence))
        return fq_fail(e, FQ_EINVAL, "invalid_value", "presence", "入驻方式须为 resident（常驻）、rotating（轮驻）或 on_call（随驻）");
    if (level && level_parse(level, &j->level))
        return fq_fail(e, FQ_EINVAL, "invalid_value", "level", "层级须为 city/county/township/village");
    if (division) {
        if (!division_code_valid(division) || store_division_get(rd, division, NULL, &j->d.level, NULL))
            return fq_fail(e, FQ_EINVAL, "unknown_division", "division", "区划不存在 (unknown division)");
        if (j->d.level < LEVEL_CITY || j->d.level > LEVEL_VILLAGE)
            return fq_fail(e, FQ_EINVAL, "invalid_value", "division", "部门须设在市、县、乡或村级综治中心");
        snprintf(j->d.division, sizeof j->d.division, "%s", division);
        j->has |= DEPT_DIVISION;
    }
    if (name) {
        snprintf(j->d.name, sizeof j->d.name, "%s", name);
        j->has |= DEPT_NAME;
    }
    if (kind) {
        snprintf(j->d.kind, sizeof j->d.kind, "%s", kind);
        j->has |= DEPT_KIND;
    }
    j->has |= (presence ? DEPT_PRESENCE : 0) | (level ? DEPT_LEVEL : 0);
    j->d.active = active;
    return 0;
}

/* The level, when given, is the level of the department's centre: anything else is a mistake. */
static int dept_level_check(struct dept_job *j)
{
    if ((j->has & DEPT_LEVEL) && j->level != j->d.level)
        return fq_fail(&j->e, FQ_EINVAL, "invalid_value", "level", "层级须与所在区划一致 (%s)", level_name(j->d.level));
    return 0;
}

static int dept_add_tx(struct store_tx *tx, void *arg)
{
    struct dept_job *j = arg;
    char target[40];
    int active = j->d.active;
    int rc = dept_level_check(j);
    if (rc == 0)
        rc = store_tx_department_insert(tx, &j->d); /* inserted active */
    if (rc == 0 && !active) {
        j->d.active = 0;
        rc = store_tx_department_update(tx, &j->d);
    }
    snprintf(target, sizeof target, "department/%lld", (long long)j->d.id);
    return rc ? rc : store_tx_audit(tx, j->admin_id, "department_add", target, j->d.name);
}

static int dept_put_tx(struct store_tx *tx, void *arg)
{
    struct dept_job *j = arg;
    struct fq_department cur;
    char target[40];
    int rc = store_tx_department_get(tx, j->d.id, &cur);
    if (rc)
        return rc == FQ_ENOTFOUND ? fq_fail(&j->e, rc, "not_found", "id", "部门不存在 (no such department)") : rc;
    if (j->has & DEPT_NAME)
        memcpy(cur.name, j->d.name, sizeof cur.name);
    if (j->has & DEPT_KIND)
        memcpy(cur.kind, j->d.kind, sizeof cur.kind);
    if (j->has & DEPT_DIVISION) {
        memcpy(cur.division, j->d.division, sizeof cur.division);
        cur.level = j->d.level;
    }
    if (j->has & DEPT_PRESENCE)
        cur.presence = j->d.presence;
    if (j->has & DEPT_ACTIVE)
        cur.active = j->d.active;
    j->d = cur;
    if ((rc = dept_level_check(j)) || (rc = store_tx_department_update(tx, &cur)))
        return rc;
    snprintf(target, sizeof target, "department/%lld", (long long)cur.id);
    return store_tx_audit(tx, j->admin_id, "department_put", target, cur.active ? cur.name : "inactive");
}

static int dept_remove_tx(struct store_tx *tx, void *arg)
{
    struct dept_job *j = arg;
    char target[40];
    int rc = store_tx_department_remove(tx, j->d.id, &j->deleted);
    if (rc)
        return rc == FQ_ENOTFOUND ? fq_fail(&j->e, rc, "not_found", "id", "部门不存在 (no such department)") : rc;
    snprintf(target, sizeof target, "department/%lld", (long long)j->d.id);
    return store_tx_audit(tx, j->admin_id, "department_remove", target, j->deleted ? "deleted" : "deactivated");
}

/* POST /api/v1/departments {name, kind, division, level?, presence?, active?} and
 * PUT /api/v1/departments/:id with any of these fields. */
static void h_dept_write(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = admin_user(r, ctx);
    struct dept_job j = {0};
    if (!u)
        return;
    int create = !http_param(r, "id");
    if (!create && id_param(r, "id", &j.d.id))
        return;
    json_t *b = http_body_json(r);
    if (!b)
        return;
    int rc = dept_read(store_rd(ctx->dom->store), b, create, &j);
    json_decref(b);
    if (rc) {
        http_reply_error(r, &j.e);
        return;
    }
    j.admin_id = u->u.id;
    if (admin_write(r, ctx, create ? dept_add_tx : dept_put_tx, &j, &j.e))
        return;
    http_reply_json(r, create ? 201 : 200, store_department_json(&j.d));
}

/* DELETE /api/v1/departments/:id: deleted when nothing refers to it, else deactivated. */
static void h_dept_remove(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = admin_user(r, ctx);
    struct dept_job j = {0};
    if (!u)
        return;
    if (id_param(r, "id", &j.d.id))
        return;
    j.admin_id = u->u.id;
    if (admin_write(r, ctx, dept_remove_tx, &j, &j.e))
        return;
    http_reply_json(r, 200, json_pack("{s:I, s:b, s:b}", "id", (json_int_t)j.d.id, "deleted", j.deleted, "active", 0));
}

void api_admin_ref_routes(struct api_ctx *ctx)
{
    struct http_server *s = ctx->http;
    http_route(s, "POST", "/api/v1/departments", h_dept_write, ctx, 4096);
    http_route(s, "PUT", "/api/v1/departments/:id", h_dept_write, ctx, 4096);
    http_route(s, "DELETE", "/api/v1/departments/:id", h_dept_remove, ctx, 0);
}
