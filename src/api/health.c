/* /healthz for load balancers and /metrics in the Prometheus text format. */
#include "api/api.h"
#include "api/case_cache.h"
#include "util/buf.h"
#include "util/clock.h"

#include <stdlib.h>
#include <string.h>

static void h_healthz(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct store_rd *rd = store_rd(ctx->dom->store);
    char v[8];
    if (!rd) {
        http_reply_fail(r, 503, "storage_error", "", "database unavailable");
        return;
    }
    store_setting_get(rd, "schema", v, sizeof v); /* touches the database */
    http_reply_json(r, 200, json_pack("{s:s, s:I}", "status", "ok", "uptime_s",
                                      (json_int_t)((fq_now_ms() - ctx->started_at) / 1000)));
}

static void h_metrics(struct http_req *r, void *arg)
{
    struct api_ctx *ctx = arg;
    struct http_stats hs;
    struct buf b;
    json_t *st = NULL, *v;
    const char *k;
    buf_init(&b, 1 << 20);
    http_server_stats(ctx->http, &hs);
    buf_printf(&b, "# HELP fengqiao_http_requests_total HTTP requests received.\n"
                   "# TYPE fengqiao_http_requests_total counter\n"
                   "fengqiao_http_requests_total %llu\n"
                   "# HELP fengqiao_http_responses_total HTTP responses by status class.\n"
                   "# TYPE fengqiao_http_responses_total counter\n"
                   "fengqiao_http_responses_total{class=\"2xx\"} %llu\n"
                   "fengqiao_http_responses_total{class=\"4xx\"} %llu\n"
                   "fengqiao_http_responses_total{class=\"5xx\"} %llu\n"
                   "# HELP fengqiao_http_connections Open HTTP connections.\n"
                   "# TYPE fengqiao_http_connections gauge\n"
                   "fengqiao_http_connections %llu\n",
               (unsigned long long)hs.requests, (unsigned long long)hs.responses_2xx,
               (unsigned long long)hs.responses_4xx, (unsigned long long)hs.responses_5xx,
               (unsigned long long)hs.active_connections);
    buf_printf(&b, "# HELP fengqiao_uptime_seconds Seconds since the server started.\n"
                   "# TYPE fengqiao_uptime_seconds gauge\nfengqiao_uptime_seconds %lld\n",
               (long long)((fq_now_ms() - ctx->started_at) / 1000));
    if (store_stats(store_rd(ctx->dom->store), &st) == 0) {
        buf_adds(&b, "# HELP fengqiao_cases Cases by status.\n# TYPE fengqiao_cases gauge\n");
        json_object_foreach(json_object_get(st, "cases"), k, v)
            buf_printf(&b, "fengqiao_cases{status=\"%s\"} %lld\n", k, (long long)json_integer_value(v));
        buf_adds(&b, "# HELP fengqiao_open_cases_by_light Open cases by deadline light.\n"
                     "# TYPE fengqiao_open_cases_by_light gauge\n");
        json_object_foreach(json_object_get(st, "lights"), k, v)
            buf_printf(&b, "fengqiao_open_cases_by_light{light=\"%s\"} %lld\n", k, (long long)json_integer_value(v));
        buf_printf(&b, "# HELP fengqiao_users Staff accounts.\n# TYPE fengqiao_users gauge\nfengqiao_users %lld\n",
                   (long long)json_integer_value(json_object_get(st, "users")));
        buf_printf(&b, "# HELP fengqiao_sessions Sessions.\n# TYPE fengqiao_sessions gauge\nfengqiao_sessions %lld\n",
                   (long long)json_integer_value(json_object_get(st, "sessions")));
        buf_printf(&b, "# HELP fengqiao_events Timeline events.\n# TYPE fengqiao_events gauge\nfengqiao_events %lld\n",
                   (long long)json_integer_value(json_object_get(st, "events")));
        json_decref(st);
    }
    struct case_cache_stats cs;
    uint64_t sh, sm;
    case_cache_stats(ctx->case_cache, &cs);
    api_sessions_stats(ctx->sessions, &sh, &sm);
    buf_printf(&b,
               "# HELP fengqiao_case_cache_requests_total Case detail reads by cache outcome.\n"
               "# TYPE fengqiao_case_cache_requests_total counter\n"
               "fengqiao_case_cache_requests_total{result=\"hit\"} %llu\n"
               "fengqiao_case_cache_requests_total{result=\"miss\"} %llu\n"
               "# HELP fengqiao_case_cache_inserts_total Case details cached.\n"
               "# TYPE fengqiao_case_cache_inserts_total counter\nfengqiao_case_cache_inserts_total %llu\n"
               "# HELP fengqiao_case_cache_refused_total Reads not cached: the case changed while they ran.\n"
               "# TYPE fengqiao_case_cache_refused_total counter\nfengqiao_case_cache_refused_total %llu\n"
               "# HELP fengqiao_case_cache_invalidations_total Cached cases dropped by a write.\n"
               "# TYPE fengqiao_case_cache_invalidations_total counter\nfengqiao_case_cache_invalidations_total %llu\n"
               "# HELP fengqiao_case_cache_evictions_total Cached cases dropped for room.\n"
               "# TYPE fengqiao_case_cache_evictions_total counter\nfengqiao_case_cache_evictions_total %llu\n"
               "# HELP fengqiao_case_cache_entries Cached cases.\n"
               "# TYPE fengqiao_case_cache_entries gauge\nfengqiao_case_cache_entries %llu\n"
               "# HELP fengqiao_case_cache_bytes Memory held by cached cases (of fengqiao_case_cache_max_bytes).\n"
               "# TYPE fengqiao_case_cache_bytes gauge\nfengqiao_case_cache_bytes %llu\n"
               "# TYPE fengqiao_case_cache_max_bytes gauge\nfengqiao_case_cache_max_bytes %llu\n"
               "# HELP fengqiao_session_cache_requests_total Session checks by cache outcome.\n"
               "# TYPE fengqiao_session_cache_requests_total counter\n"
               "fengqiao_session_cache_requests_total{result=\"hit\"} %llu\n"
               "fengqiao_session_cache_requests_total{result=\"miss\"} %llu\n",
               (unsigned long long)cs.hits, (unsigned long long)cs.misses, (unsigned long long)cs.inserts,
               (unsigned long long)cs.refused, (unsigned long long)cs.invalidations,
               (unsigned long long)cs.evictions, (unsigned long long)cs.entries, (unsigned long long)cs.bytes,
               (unsigned long long)cs.max_bytes, (unsigned long long)sh, (unsigned long long)sm);
    http_reply_bytes(r, 200, "text/plain; version=0.0.4; charset=utf-8", b.data ? b.data : "", b.len);
    buf_free(&b);
}

void api_health_routes(struct api_ctx *ctx)
{
    http_route(ctx->http, "GET", "/healthz", h_healthz, ctx, 0);
    http_route(ctx->http, "GET", "/metrics", h_metrics, ctx, 0);
}
