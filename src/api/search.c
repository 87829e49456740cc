/* GET /api/v1/search: Chinese full-text search over the cases the caller may see.
 *
 * q is searched as words separated by spaces, all of which must occur, each matched as a phrase
 * of its characters (store_case_search). Every filter of GET /api/v1/cases applies, and the
 * caller's scope always does. Results come best first (bm25), each a case summary with a
 * "snippet": HTML in which the case's own text is escaped and the matches are wrapped in
 * <mark>…</mark>, so a client may insert it as HTML as is. Pages: cursor is an offset here (the
 * order is by relevance, not by id), next_cursor gives the next page. One request searches a
 * bounded window of the newest cases (store_case_search); "older" is where it stopped, and
 * before=<older> searches on from there. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define Q_MAX 200 /* bytes */

static void h_search(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    struct store_case_filter f;
    struct store_search page = {0};
    json_t *items = NULL;
    if (!u)
        return;
    const char *q = http_query(r, "q");
    size_t qlen = q ? strlen(q) : 0;
    if (!qlen) {
        http_reply_fail(r, 400, "required", "q", "请输入搜索内容 (q is required)");
        return;
    }
    if (qlen > Q_MAX) {
        http_reply_fail(r, 400, "too_long", "q",
                        "搜索内容过长，最多 200 字节 (q: at most 200 bytes)");
        return;
    }
    json_t *qv = json_stringn(q, qlen); /* NULL when q is not valid UTF-8 */
    if (!qv) {
        http_reply_fail(r, 400, "invalid_value", "q", "搜索内容不是有效的 UTF-8 文本");
        return;
    }
    if (api_case_filter_parse(r, ctx, u, &f)) {
        json_decref(qv);
        return;
    }
    if (f.cursor > STORE_SEARCH_OFFSET_MAX) {
        json_decref(qv);
        http_reply_fail(r, 400, "out_of_range", "cursor",
                        "翻页过深，请缩小搜索范围 (cursor: at most 2000)");
        return;
    }
    const char *b = http_query(r, "before");
    if (b && *b) {
        char *end;
        page.before = strtoll(b, &end, 10);
        if (*end || page.before <= 0) {
            json_decref(qv);
            http_reply_fail(r, 400, "invalid_value", "before",
                            "before 无效 (before: a positive case id, from \"older\")");
            return;
        }
    }
    struct store_rd *rd = store_rd(ctx->dom->store);
    int rc = rd ? store_case_search(rd, q, &f, &page, &items) : FQ_EIO;
    if (rc == FQ_EINVAL) {
        json_decref(qv);
        http_reply_fail(r, 400, "invalid_value", "q",
                        "搜索内容须含汉字、字母或数字，最多 16 个词 (q: nothing to search for)");
        return;
    }
    if (rc) {
        json_decref(qv);
        http_reply_fail(r, 503, "storage_error", "", "读取失败 (read failed)");
        return;
    }
    json_t *o = json_pack("{s:o, s:o}", "q", qv, "items", items);
    json_object_set_new(o, "next_cursor", page.next ? json_integer(page.next) : json_null());
    json_object_set_new(o, "older", page.older ? json_integer(page.older) : json_null());
    const char *c = http_query(r, "count");
    if (c && !strcmp(c, "1")) {
        json_object_set_new(o, "total", json_integer(page.total));
        json_object_set_new(o, "total_exact", json_boolean(page.total_exact));
    }
    http_reply_json(r, 200, o);
}

void api_search_routes(struct api_ctx *ctx)
{
    http_route(ctx->http, "GET", "/api/v1/search", h_search, ctx, 0);
}
