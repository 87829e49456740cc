/* What the intelligence resources (api/suggest.c, api/scenarios.c, api/duplicates.c) share:
 * the routing model of the process and loading a case the caller may see. Private to api/. */
#ifndef FQ_API_INTEL_H
#define FQ_API_INTEL_H

#include "api/api.h"
#include "core/router.h"

/* The routing model built by api_intel_routes (never NULL once routes are registered). */
struct router *api_intel_router(void);
/* Loads the case named by the path parameter :code that u may see: replies 400 (malformed code)
 * or 404 (missing, out of scope) and returns -1, else 0 with *c filled (caller fq_case_clear()s).
 */
int api_intel_case(struct http_req *r, struct api_ctx *ctx, const struct api_user *u,
                   struct fq_case *c);
/* 1 when the case with this code exists and u may see it (for listing related cases). */
int api_intel_visible(struct api_ctx *ctx, const struct api_user *u, const char *code,
                      struct fq_case *c);
/* The department of `kind` serving `division` at `level`, falling back level by level to the
 * county centre, as JSON {id, kind, name, division}; NULL when there is none. */
json_t *api_intel_department(struct store_rd *rd, const char *division, int level,
                             const char *kind);

void api_suggest_routes(struct api_ctx *ctx);
void api_scenario_routes(struct api_ctx *ctx);
void api_duplicate_routes(struct api_ctx *ctx);

#endif
