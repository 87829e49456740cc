/* Reading JSON input strictly: every getter checks presence, type and bounds and, on failure,
 * fills an fq_error naming the field (FQ_EINVAL), so handlers read like a list of rules. */
#ifndef FQ_UTIL_JSONIN_H
#define FQ_UTIL_JSONIN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* json_loadb(buf, len, JSON_REJECT_DUPLICATES, err), faster for the usual request body: an object
 * of objects, arrays, strings (short escapes only), integers of up to 18 digits and literals is
 * parsed by jin_load_simple; anything else, and every error, by jansson. New reference or NULL
 * with err filled. */
json_t *jin_loadb(const char *buf, size_t len, json_error_t *err);
/* The fast half alone: the tree json_loadb would build for such a document whose top level is an
 * object; NULL when the document is anything else or not valid (then ask jansson). */
json_t *jin_load_simple(const char *buf, size_t len);
/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF:
 * what jansson accepts in a string). */
int jin_utf8_valid(const char *s, size_t n);
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
