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

/* Reads q, the filters and before; replies 400 naming the field and returns -1 when one is bad.
 * *qv: q as a JSON string (the caller owns it). */
static int search_parse(struct http_req *r, struct api_ctx *ctx, struct api_user *u,
                        struct store_case_filter *f, struct store_search *page, json_t **qv)
{
    const char *q = http_query(r, "q");
    size_t qlen = q ? strlen(q) : 0;
    *qv = NULL;
    if (!qlen) {
        http_reply_fail(r, 400, "required", "q", "请输入搜索内容 (q is required)");
        return -1;
    }
    if (qlen > Q_MAX) {
        http_reply_fail(r, 400, "too_long", "q",
                        "搜索内容过长，最多 200 字节 (q: at most 200 bytes)");
        return -1;
    }
    if (!(*qv = json_stringn(q, qlen))) { /* NULL when q is not valid UTF-8 */
        http_reply_fail(r, 400, "invalid_value", "q", "搜索内容不是有效的 UTF-8 文本");
        return -1;
    }
    if (api_case_filter_parse(r, ctx, u, f))
        goto bad;
    if (f->cursor > STORE_SEARCH_OFFSET_MAX) {
        http_reply_fail(r, 400, "out_of_range", "cursor",
                        "翻页过深，请缩小搜索范围 (cursor: at most 2000)");
        goto bad;
    }
    const char *b = http_query(r, "before");
    if (b && *b) {
        char *end;
        page->before = strtoll(b, &end, 10);
        if (*end || page->before <= 0) {
            http_reply_fail(r, 400, "invalid_value", "before",
                            "before 无效 (before: a positive case id, from \"older\")");
            goto bad;
        }
    }
    return 0;
bad:
    json_decref(*qv);
    *qv = NULL;
    return -1;
}

/* Runs the search; replies 400 (q has nothing to search for) or 503 and returns -1 on failure. */
static int search_run(struct http_req *r, struct api_ctx *ctx, const char *q,
                      const struct store_case_filter *f, struct store_search *page, json_t **items)
{
    struct store_rd *rd = store_rd(ctx->dom->store);
    int rc = rd ? store_case_search(rd, q, f, page, items) : FQ_EIO;
    if (rc == FQ_EINVAL) {
        http_reply_fail(r, 400, "invalid_value", "q",
                        "搜索内容须含汉字、字母或数字，最多 16 个词 (q: nothing to search for)");
        return -1;
    }
    if (rc) {
        http_reply_fail(r, 503, "storage_error", "", "读取失败 (read failed)");
        return -1;
    }
    return 0;
}

static void h_search(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct api_user *u = api_auth(r, ctx);
    struct store_case_filter f;
    struct store_search page = {0};
    json_t *items = NULL, *qv;
    if (!u || search_parse(r, ctx, u, &f, &page, &qv))
        return;
    if (search_run(r, ctx, json_string_value(qv), &f, &page, &items)) {
        json_decref(qv);
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

int api_search_hits(struct http_req *r, struct api_ctx *ctx, struct api_user *u,
                    struct store_case_filter *f, char **codes_json)
{
    struct store_search page = {0};
    json_t *items = NULL, *qv;
    *codes_json = NULL;
    if (search_parse(r, ctx, u, f, &page, &qv))
        return -1;
    struct store_case_filter all = *f;
    all.cursor = 0;
    all.limit = STORE_SEARCH_OFFSET_MAX;
    int rc = search_run(r, ctx, json_string_value(qv), &all, &page, &items);
    json_decref(qv);
    if (rc)
        return -1;
    json_t *codes = json_array();
    for (size_t i = 0; i < json_array_size(items); i++)
        json_array_append(codes, json_object_get(json_array_get(items, i), "code"));
    json_decref(items);
    *codes_json = json_dumps(codes, JSON_COMPACT);
    json_decref(codes);
    if (!*codes_json) {
        http_reply_fail(r, 503, "busy", "", "内存不足 (out of memory)");
        return -1;
    }
    return 0;
}

void api_search_routes(struct api_ctx *ctx)
{
    http_route(ctx->http, "GET", "/api/v1/search", h_search, ctx, 0);
}
