/* Domain errors: one struct carries code, field and message from where a rule is broken to the
 * HTTP reply. */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int fq_fail(struct fq_error *e, int status, const char *code, const char *field, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        e->status = status;
        snprintf(e->code, sizeof e->code, "%s", code ? code : fq_strerror(status));
        snprintf(e->field, sizeof e->field, "%s", field ? field : "");
        va_start(ap, fmt);
        vsnprintf(e->message, sizeof e->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

const char *fq_strerror(int status)
{
    switch (status) {
    case FQ_OK: return "ok";
    case FQ_EINVAL: return "invalid";
    case FQ_ENOTFOUND: return "not_found";
    case FQ_ECONFLICT: return "conflict";
    case FQ_EFORBIDDEN: return "forbidden";
    case FQ_EAUTH: return "unauthenticated";
    case FQ_ELOCKED: return "locked";
    case FQ_ETOOBIG: return "too_large";
    case FQ_ERATE: return "rate_limited";
    case FQ_ENOMEM: return "no_memory";
    case FQ_EIO: return "storage_error";
    case FQ_EBUSY: return "busy";
    }
    return "error";
}

int fq_http_status(int status)
{
    switch (status) {
    case FQ_OK: return 200;
    case FQ_EINVAL: return 400;
    case FQ_ENOTFOUND: return 404;
    case FQ_ECONFLICT: return 409;
    case FQ_EFORBIDDEN: return 403;
    case FQ_EAUTH: return 401;
    case FQ_ELOCKED: return 423;
    case FQ_ETOOBIG: return 413;
    case FQ_ERATE: return 429;
    case FQ_EIO: return 503;
    case FQ_EBUSY: return 503;
    }
    return 500;
}
