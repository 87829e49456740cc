/* The case list as exported (CSV, .xlsx): the same filter and scope as store_case_list, with
 * the names a spreadsheet reader needs (division, category, lead department) looked up per row.
 * Read a page at a time by the caller, so no read transaction outlives a page and memory stays
 * flat however many cases match. */
#include "store/sqlite_int.h"

#include <stdint.h>
#include <string.h>

#define EXPORT_PAGE_MAX 1000

#define EXPORT_HEAD                                                                                \
    "SELECT id, code, title, channel, kind, category, "                                            \
    "(SELECT name FROM categories WHERE code = cases.category), grade, level, status, light, "     \
    "division, (SELECT name FROM divisions WHERE code = cases.division), address, people_count, "  \
    "created_at, due_at, resolved_at, closed_at, "                                                 \
    "(SELECT name FROM departments WHERE id = cases.lead_department), "                            \
    "coalesce((SELECT name FROM resolution_methods WHERE code = cases.method), method), success, " \
    "satisfaction FROM cases WHERE 1"
#define EXPORT_TAIL " AND id < :cursor ORDER BY id DESC LIMIT :lim"

static const char *text_or_empty(sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    return t ? t : "";
}

int store_case_export(struct store_rd *rd, const struct store_case_filter *f, store_case_row_fn fn,
                      void *arg, int64_t *next)
{
    if (!rd || !f || !fn)
        return FQ_EINVAL;
    int limit = f->limit < 1 ? 1 : f->limit > EXPORT_PAGE_MAX ? EXPORT_PAGE_MAX : f->limit;
    int ret, rc, cnt = 0;
    int64_t last = 0;
    sqlite3_stmt *st = sq_case_filter_stmt(&rd->conn, EXPORT_HEAD, f, EXPORT_TAIL, &ret);
    if (!st)
        return ret;
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":cursor"),
                       f->cursor > 0 ? f->cursor : INT64_MAX);
    sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":lim"), limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_case_row r;
        memset(&r, 0, sizeof r);
        int i = 0;
        r.id = sqlite3_column_int64(st, i++);
        r.code = text_or_empty(st, i++);
        r.title = text_or_empty(st, i++);
        r.channel = sqlite3_column_int(st, i++);
        r.kind = sqlite3_column_int(st, i++);
        r.category = text_or_empty(st, i++);
        r.category_name = text_or_empty(st, i++);
        r.grade = sqlite3_column_int(st, i++);
        r.level = sqlite3_column_int(st, i++);
        r.status = sqlite3_column_int(st, i++);
        r.light = sqlite3_column_int(st, i++);
        r.division = text_or_empty(st, i++);
        r.division_name = text_or_empty(st, i++);
        r.address = text_or_empty(st, i++);
        r.people_count = sqlite3_column_int(st, i++);
        r.created_at = sqlite3_column_int64(st, i++);
        r.due_at = sqlite3_column_int64(st, i++);
        r.resolved_at = sqlite3_column_int64(st, i++);
        r.closed_at = sqlite3_column_int64(st, i++);
        r.lead_department = text_or_empty(st, i++);
        r.method = text_or_empty(st, i++);
        r.success = sqlite3_column_int(st, i++);
        r.satisfaction = sqlite3_column_int(st, i++);
        last = r.id;
        cnt++;
        if ((ret = fn(&r, arg)))
            break;
    }
    if (!ret && rc != SQLITE_DONE)
        ret = sq_error(&rd->conn, rc, "case export");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (next)
        *next = !ret && cnt == limit ? last : 0;
    return ret;
}
