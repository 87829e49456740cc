/* Error codes and the domain error every layer hands upward.
 *
 * Functions that can fail return 0 or a negative FQ_E* code. When a caller needs to tell a person
 * what went wrong, the callee also fills a `struct fq_error` (code string, message, field), which
 * the HTTP layer turns into {"error":{"code","message","field"}} with the matching 4xx status. */
#ifndef FQ_UTIL_ERR_H
#define FQ_UTIL_ERR_H

enum {
    FQ_OK = 0,
    FQ_EINVAL = -1,    /* bad input: 400 */
    FQ_ENOTFOUND = -2, /* no such thing, or out of scope: 404 */
    FQ_ECONFLICT = -3, /* illegal state transition, duplicate: 409 */
    FQ_EFORBIDDEN = -4,/* authenticated but the role may not: 403 */
    FQ_EAUTH = -5,     /* not authenticated: 401 */
    FQ_ELOCKED = -6,   /* account locked: 423 */
    FQ_ETOOBIG = -7,   /* body or file too large: 413 */
    FQ_ERATE = -8,     /* rate limited: 429 */
    FQ_ENOMEM = -9,
    FQ_EIO = -10,      /* storage or system failure: 503 */
    FQ_EBUSY = -11,    /* try again later: 503 */
};

struct fq_error {
    int status;        /* one of FQ_E*, 0 when no error was set */
    char code[40];     /* machine-readable, e.g. "invalid_field", "illegal_transition" */
    char field[64];    /* the input field concerned, "" if none */
    char message[256]; /* for people; Chinese first is fine */
};

/* Fills *e (if e is non-NULL) and returns status, so callers can write `return fq_fail(...)`. */
int fq_fail(struct fq_error *e, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Name of an FQ_E* code ("einval"...), never NULL. */
const char *fq_strerror(int status);

/* HTTP status for an FQ_E* code (400, 404, 409, ...; 500 only for FQ_ENOMEM). */
int fq_http_status(int status);

#endif
