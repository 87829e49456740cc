/* Reading JSON input strictly: every getter checks presence, type and bounds and, on failure,
 * fills an fq_error naming the field (FQ_EINVAL), so handlers read like a list of rules. */
#ifndef FQ_UTIL_JSONIN_H
#define FQ_UTIL_JSONIN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Rejects keys of obj not in the NULL-terminated list `allowed` (code "unknown_field"). */
int jin_only(json_t *obj, const char *const *allowed, struct fq_error *e);
/* A string of min..max bytes (after trimming nothing); *out borrowed from obj, NULL when absent
 * and not required. Control characters other than \n \r \t are rejected. */
int jin_str(json_t *obj, const char *key, int required, size_t min, size_t max, const char **out,
            struct fq_error *e);
/* An integer in [lo, hi]; *out untouched when absent and not required. */
int jin_int(json_t *obj, const char *key, int required, int64_t lo, int64_t hi, int64_t *out,
            struct fq_error *e);
/* A number (integer or real) in [lo, hi]. */
int jin_num(json_t *obj, const char *key, int required, double lo, double hi, double *out,
            struct fq_error *e);
/* A boolean. */
int jin_bool(json_t *obj, const char *key, int required, int *out, struct fq_error *e);
/* An array of at most max items; *out borrowed. */
int jin_array(json_t *obj, const char *key, int required, size_t max, json_t **out, struct fq_error *e);
/* An object; *out borrowed. */
int jin_object(json_t *obj, const char *key, int required, json_t **out, struct fq_error *e);

#endif
