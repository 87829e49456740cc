/* Administration of the reference data: departments (部门), divisions and grids (区划与网格),
 * categories (事项分类: the national GB/T 31000 tree can only be switched off and given routing
 * keywords; the local grid-matter list can be added to and renamed). Admins only; every change is a
 * write job that reads the current row inside the transaction, so a 404 and the change cannot
 * race, and every change leaves an audit record. A department some case or user refers to is
 * deactivated, never deleted: the cases keep naming it and the responsibility list stops
 * suggesting it (store_department_find skips inactive departments). Divisions and grids are also
 * held in memory by every reader connection; the store raises a generation after any COMMIT
 * that wrote them and each reader reloads its copy before its next lookup (sqlite_ref.c), so a
 * new village or grid is valid for an intake as soon as its POST has answered. */
#include "api/api.h"
#include "api/intel.h"
#include "core/geo.h"
#include "core/router.h"
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

/* ---- divisions and grids ---- */

struct place_job {
    int64_t admin_id;
    int create;
    char code[24];                 /* the division or grid */
    char name[96];                 /* "" = keep (grid PUT) */
    char parent[FQ_DIVISION_LEN + 1]; /* new village: its township; new grid: its village */
    int households;                /* -1 = keep */
    char *polygon;                 /* GeoJSON text, NULL = keep; freed by the handler */
    double lat, lon;
    struct fq_error e;
};

static int division_put_tx(struct store_tx *tx, void *arg)
{
    struct place_job *j = arg;
    int rc = store_tx_division_rename(tx, j->code, j->name);
    if (rc)
        return rc == FQ_ENOTFOUND ? fq_fail(&j->e, rc, "not_found", "code", "区划不存在 (no such division)") : rc;
    return store_tx_audit(tx, j->admin_id, "division_put", j->code, j->name);
}

static int division_add_tx(struct store_tx *tx, void *arg)
{
    struct place_job *j = arg;
    char centre[128];
    int rc = store_tx_division_insert(tx, j->code, j->name, LEVEL_VILLAGE, j->parent);
    if (rc)
        return rc == FQ_ECONFLICT ? fq_fail(&j->e, rc, "conflict", "code", "区划代码已存在 (code taken)") : rc;
    snprintf(centre, sizeof centre, "%s综治中心", j->name); /* every village has its centre */
    if ((rc = store_tx_centre_insert(tx, j->code, centre, LEVEL_VILLAGE, NULL, NULL)))
        return rc;
    return store_tx_audit(tx, j->admin_id, "division_add", j->code, j->name);
}

/* The division as GET /divisions/:code shows it, read back through the reader's copy. */
static void reply_division(struct http_req *r, struct api_ctx *ctx, int status, const char *code)
{
    char name[96], parent[FQ_DIVISION_LEN + 1];
    int level;
    if (store_division_get(store_rd(ctx->dom->store), code, name, &level, parent)) {
        http_reply_fail(r, 503, "storage_error", "", "读取失败 (read failed)");
        return;
    }
    http_reply_json(r, status, json_pack("{s:s, s:s, s:s, s:o}", "code", code, "name", name, "level", level_name(level),
                                         "parent", parent[0] ? json_string(parent) : json_null()));
}

/* PUT /api/v1/divisions/:code {name} renames; POST /api/v1/divisions {code, name, parent} adds a
 * village or community under a township: 12 digits, the township's first 9, unique. */
static void h_division_write(struct http_req *r, void *arg)
{
    static const char *const put_fields[] = {"name", NULL}, *const add_fields[] = {"code", "name", "parent", NULL};
    struct api_ctx *ctx = arg;
    struct api_user *u = admin_user(r, ctx);
    struct place_job j = {0};
    const char *code = http_param(r, "code"), *name, *parent = NULL;
    char pname[96], pparent[FQ_DIVISION_LEN + 1];
    int plevel = 0;
    if (!u)
        return;
    j.create = !code;
    json_t *b = http_body_json(r);
    if (!b)
        return;
    int rc = jin_only(b, j.create ? add_fields : put_fields, &j.e);
    if (!rc && j.create)
        rc = jin_str(b, "code", 1, 12, 12, &code, &j.e);
    if (!rc)
        rc = jin_str(b, "name", 1, 1, sizeof j.name - 1, &name, &j.e);
    if (!rc && j.create)
        rc = jin_str(b, "parent", 1, 12, 12, &parent, &j.e);
    if (!rc && parent &&
        (!division_code_valid(parent) || store_division_get(store_rd(ctx->dom->store), parent, pname, &plevel, pparent)))
        rc = fq_fail(&j.e, FQ_EINVAL, "unknown_division", "parent", "上级区划不存在 (unknown parent)");
    if (!rc && parent && plevel != LEVEL_TOWNSHIP)
        rc = fq_fail(&j.e, FQ_EINVAL, "invalid_value", "parent", "村（社区）须设在乡镇（街道）之下 (parent must be a township)");
    if (!rc && j.create && (!division_code_valid(code) || division_level(code) != LEVEL_VILLAGE || strncmp(code, parent, 9)))
        rc = fq_fail(&j.e, FQ_EINVAL, "invalid_value", "code",
                     "村级代码须为 12 位：上级乡镇的前 9 位加 3 位序号 (the township's 9 digits + 3)");
    if (!rc) {
        snprintf(j.code, sizeof j.code, "%s", code);
        snprintf(j.name, sizeof j.name, "%s", name);
        snprintf(j.parent, sizeof j.parent, "%s", parent ? parent : "");
    }
    json_decref(b);
    if (rc) {
        http_reply_error(r, &j.e);
        return;
    }
    j.admin_id = u->u.id;
    if (admin_write(r, ctx, j.create ? division_add_tx : division_put_tx, &j, &j.e))
        return;
    reply_division(r, ctx, j.create ? 201 : 200, j.code);
}

static int grid_tx(struct store_tx *tx, void *arg)
{
    struct place_job *j = arg;
    int rc = j->create ? store_tx_grid_insert(tx, j->code, j->name, j->parent, j->polygon, j->households, j->lat, j->lon)
                       : store_tx_grid_update(tx, j->code, j->name[0] ? j->name : NULL, j->households, j->polygon,
                                              j->lat, j->lon);
    if (rc == FQ_ECONFLICT)
        return fq_fail(&j->e, rc, "conflict", "code", "网格编码已存在 (code taken)");
    if (rc == FQ_ENOTFOUND)
        return fq_fail(&j->e, rc, "not_found", "code", "网格不存在 (no such grid)");
    return rc ? rc : store_tx_audit(tx, j->admin_id, j->create ? "grid_add" : "grid_put", j->code, j->name);
}

/* Reads a grid body: POST {code, name, village, households?, polygon} (a new grid's code is its
 * village's 12 digits + 3), PUT {name?, households?, polygon?}. */
static int grid_read(struct store_rd *rd, json_t *b, struct place_job *j)
{
    static const char *const put_fields[] = {"name", "households", "polygon", NULL},
                             *const add_fields[] = {"code", "name", "village", "households", "polygon", NULL};
    const char *code = NULL, *name, *village = NULL;
    int64_t households = -1;
    json_t *poly = NULL;
    struct fq_error *e = &j->e;
    int level = 0, rc = jin_only(b, j->create ? add_fields : put_fields, e);
    if (!rc && j->create)
        rc = jin_str(b, "code", 1, 15, 15, &code, e);
    if (!rc)
        rc = jin_str(b, "name", j->create, 1, sizeof j->name - 1, &name, e);
    if (!rc && j->create)
        rc = jin_str(b, "village", 1, 12, 12, &village, e);
    if (!rc)
        rc = jin_int(b, "households", 0, 0, 1000000, &households, e);
    if (!rc)
        rc = jin_object(b, "polygon", j->create, &poly, e);
    if (!rc && poly)
        rc = geo_polygon_check(poly, "polygon", &j->lat, &j->lon, e);
    if (rc)
        return rc;
    if (village && (!division_code_valid(village) || store_division_get(rd, village, NULL, &level, NULL) || level != LEVEL_VILLAGE))
        return fq_fail(e, FQ_EINVAL, "unknown_division", "village", "村（社区）不存在 (unknown village)");
    if (code) {
        int digits = strspn(code, "0123456789") == 15;
        if (!digits || strncmp(code, village, 12) || !strcmp(code + 12, "000"))
            return fq_fail(e, FQ_EINVAL, "invalid_value", "code", "网格编码须为所属村（社区）代码加 3 位序号 (village code + 3 digits)");
        snprintf(j->code, sizeof j->code, "%s", code);
        snprintf(j->parent, sizeof j->parent, "%s", village);
    }
    snprintf(j->name, sizeof j->name, "%s", name ? name : "");
    j->households = (int)(households < 0 && j->create ? 0 : households);
    if (poly && !(j->polygon = json_dumps(poly, JSON_COMPACT)))
        return fq_fail(e, FQ_ENOMEM, "storage_error", "", "内存不足 (out of memory)");
    return 0;
}

/* POST /api/v1/grids and PUT /api/v1/grids/:code. */
static void h_grid_write(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = admin_user(r, ctx);
    struct place_job j = {0};
    if (!u)
        return;
    j.create = !http_param(r, "code");
    if (!j.create)
        snprintf(j.code, sizeof j.code, "%.23s", http_param(r, "code"));
    json_t *b = http_body_json(r);
    if (!b)
        return;
    int rc = grid_read(store_rd(ctx->dom->store), b, &j);
    json_decref(b);
    j.admin_id = u->u.id;
    if (rc)
        http_reply_error(r, &j.e);
    else if (admin_write(r, ctx, grid_tx, &j, &j.e) == 0) {
        json_t *g = NULL;
        if (store_grid_json(store_rd(ctx->dom->store), j.code, &g))
            http_reply_fail(r, 503, "storage_error", "", "读取失败 (read failed)");
        else
            http_reply_json(r, j.create ? 201 : 200, g);
    }
    free(j.polygon);
}

/* ---- categories ---- */

enum { CAT_NAME = 1, CAT_KEYWORDS = 2, CAT_ACTIVE = 4 };

struct category_job {
    int64_t admin_id;
    int create;
    unsigned has;                 /* CAT_* given (PUT) */
    struct fq_category c;         /* given fields in; the stored category out */
    struct fq_error e;
};

static int category_put_tx(struct store_tx *tx, void *arg)
{
    struct category_job *j = arg;
    struct fq_category cur;
    int rc = store_tx_category_get(tx, j->c.code, &cur);
    if (rc)
        return rc == FQ_ENOTFOUND ? fq_fail(&j->e, rc, "not_found", "code", "事项类别不存在 (no such category)") : rc;
    if ((j->has & CAT_NAME) && strcmp(cur.kind, "grid_matter"))
        return fq_fail(&j->e, FQ_EINVAL, "read_only", "name",
                       "GB/T 31000 为国家标准，类别名称不可修改 (national standard: names are read-only)");
    if (j->has & CAT_NAME)
        memcpy(cur.name, j->c.name, sizeof cur.name);
    if (j->has & CAT_KEYWORDS)
        memcpy(cur.keywords, j->c.keywords, sizeof cur.keywords);
    if (j->has & CAT_ACTIVE)
        cur.active = j->c.active;
    j->c = cur;
    if ((rc = store_tx_category_update(tx, &cur)))
        return rc;
    return store_tx_audit(tx, j->admin_id, "category_put", cur.code, cur.active ? cur.name : "inactive");
}

static int category_add_tx(struct store_tx *tx, void *arg)
{
    struct category_job *j = arg;
    struct fq_category parent;
    int rc;
    if (j->c.parent[0] && (rc = store_tx_category_get(tx, j->c.parent, &parent)))
        return rc == FQ_ENOTFOUND ? fq_fail(&j->e, FQ_EINVAL, "unknown_category", "code", "上级事项 %s 不存在 (no parent)", j->c.parent)
                                  : rc;
    rc = store_tx_category_insert(tx, j->c.code, j->c.name, j->c.parent, "grid_matter", j->c.keywords);
    if (rc)
        return rc == FQ_ECONFLICT ? fq_fail(&j->e, rc, "conflict", "code", "事项编码已存在 (code taken)") : rc;
    snprintf(j->c.kind, sizeof j->c.kind, "grid_matter");
    j->c.active = 1;
    return store_tx_audit(tx, j->admin_id, "category_add", j->c.code, j->c.name);
}

/* Reads POST {code, name, keywords?} (a grid matter: "G" + 2, 4 or 6 digits, its parent the code
 * without the last two) or PUT {name?, keywords?, active?}. */
static int category_read(json_t *b, struct category_job *j)
{
    static const char *const put_fields[] = {"name", "keywords", "active", NULL},
                             *const add_fields[] = {"code", "name", "keywords", NULL};
    const char *code = NULL, *name, *keywords;
    struct fq_error *e = &j->e;
    int rc = jin_only(b, j->create ? add_fields : put_fields, e);
    if (!rc && j->create)
        rc = jin_str(b, "code", 1, 3, 7, &code, e);
    if (!rc)
        rc = jin_str(b, "name", j->create, 1, sizeof j->c.name - 1, &name, e);
    if (!rc)
        rc = jin_str(b, "keywords", 0, 0, sizeof j->c.keywords - 1, &keywords, e);
    if (!rc && !j->create && json_object_get(b, "active") && !(rc = jin_bool(b, "active", 1, &j->c.active, e)))
        j->has |= CAT_ACTIVE;
    if (rc)
        return rc;
    if (code) {
        size_t n = strlen(code);
        if (code[0] != 'G' || strspn(code + 1, "0123456789") != n - 1 || n % 2 == 0)
            return fq_fail(e, FQ_EINVAL, "invalid_value", "code", "网格事项编码须为 G 加 2、4 或 6 位数字 (G + 2/4/6 digits)");
        snprintf(j->c.code, sizeof j->c.code, "%s", code);
        if (n > 3)
            snprintf(j->c.parent, sizeof j->c.parent, "%.*s", (int)n - 2, code);
    }
    if (name) {
        snprintf(j->c.name, sizeof j->c.name, "%s", name);
        j->has |= CAT_NAME;
    }
    if (keywords) {
        snprintf(j->c.keywords, sizeof j->c.keywords, "%s", keywords);
        j->has |= CAT_KEYWORDS;
    }
    return 0;
}

/* POST /api/v1/categories and PUT /api/v1/categories/:code; the routing model follows at once. */
static void h_category_write(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = admin_user(r, ctx);
    struct category_job j = {0};
    if (!u)
        return;
    j.create = !http_param(r, "code");
    if (!j.create)
        snprintf(j.c.code, sizeof j.c.code, "%.15s", http_param(r, "code"));
    json_t *b = http_body_json(r);
    if (!b)
        return;
    int rc = category_read(b, &j);
    json_decref(b);
    j.admin_id = u->u.id;
    if (rc) {
        http_reply_error(r, &j.e);
        return;
    }
    if (admin_write(r, ctx, j.create ? category_add_tx : category_put_tx, &j, &j.e))
        return;
    struct router *model = api_intel_router();
    if (j.create)
        router_add_category(model, j.c.code, j.c.name, j.c.parent, j.c.kind, j.c.keywords);
    else
        router_update_category(model, j.c.code, j.c.name, j.c.keywords, j.c.active);
    http_reply_json(r, j.create ? 201 : 200, store_category_json(&j.c));
}

void api_admin_ref_routes(struct api_ctx *ctx)
{
    struct http_server *s = ctx->http;
    http_route(s, "POST", "/api/v1/departments", h_dept_write, ctx, 4096);
    http_route(s, "PUT", "/api/v1/departments/:id", h_dept_write, ctx, 4096);
    http_route(s, "DELETE", "/api/v1/departments/:id", h_dept_remove, ctx, 0);
    http_route(s, "POST", "/api/v1/divisions", h_division_write, ctx, 4096);
    http_route(s, "PUT", "/api/v1/divisions/:code", h_division_write, ctx, 4096);
    http_route(s, "POST", "/api/v1/grids", h_grid_write, ctx, 256 * 1024);
    http_route(s, "PUT", "/api/v1/grids/:code", h_grid_write, ctx, 256 * 1024);
    http_route(s, "POST", "/api/v1/categories", h_category_write, ctx, 8192);
    http_route(s, "PUT", "/api/v1/categories/:code", h_category_write, ctx, 8192);
}
