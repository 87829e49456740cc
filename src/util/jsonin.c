/* Strict JSON input getters: presence, type, bounds, and the field's name on every error. */
#include "util/jsonin.h"

#include <stdlib.h>
#include <string.h>

int jin_only(json_t *obj, const char *const *allowed, struct fq_error *e)
{
    const char *key;
    json_t *v;
    if (!json_is_object(obj))
        return fq_fail(e, FQ_EINVAL, "invalid_json", "body", "请求体必须是 JSON 对象 (body must be an object)");
    json_object_foreach(obj, key, v) {
        int ok = 0;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = !strcmp(*a, key);
        if (!ok)
            return fq_fail(e, FQ_EINVAL, "unknown_field", key, "未知字段 %s (unknown field)", key);
    }
    return 0;
}

static json_t *present(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return v && !json_is_null(v) ? v : NULL;
}

static int missing(const char *key, struct fq_error *e)
{
    return fq_fail(e, FQ_EINVAL, "required", key, "缺少必填字段 %s (required)", key);
}

int jin_str(json_t *obj, const char *key, int required, size_t min, size_t max, const char **out,
            struct fq_error *e)
{
    json_t *v = present(obj, key);
    if (!v) {
        *out = NULL;
        return required ? missing(key, e) : 0;
    }
    if (!json_is_string(v))
        return fq_fail(e, FQ_EINVAL, "invalid_type", key, "字段 %s 必须是字符串 (must be a string)", key);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strlen(s) != n)
        return fq_fail(e, FQ_EINVAL, "invalid_value", key, "字段 %s 含有空字符 (contains NUL)", key);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && ch != '\n' && ch != '\r' && ch != '\t') || ch == 0x7f)
            return fq_fail(e, FQ_EINVAL, "invalid_value", key, "字段 %s 含有控制字符 (control character)", key);
    }
    if (n < min) {
        if (n == 0 && required)
            return missing(key, e);
        return fq_fail(e, FQ_EINVAL, "too_short", key, "字段 %s 至少 %zu 字节 (too short)", key, min);
    }
    if (n > max)
        return fq_fail(e, FQ_EINVAL, "too_long", key, "字段 %s 最多 %zu 字节 (too long)", key, max);
    *out = s;
    return 0;
}

int jin_int(json_t *obj, const char *key, int required, int64_t lo, int64_t hi, int64_t *out,
            struct fq_error *e)
{
    json_t *v = present(obj, key);
    if (!v)
        return required ? missing(key, e) : 0;
    if (!json_is_integer(v))
        return fq_fail(e, FQ_EINVAL, "invalid_type", key, "字段 %s 必须是整数 (must be an integer)", key);
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        return fq_fail(e, FQ_EINVAL, "out_of_range", key, "字段 %s 超出范围 %lld..%lld (out of range)", key,
                       (long long)lo, (long long)hi);
    *out = x;
    return 0;
}

int jin_num(json_t *obj, const char *key, int required, double lo, double hi, double *out,
            struct fq_error *e)
{
    json_t *v = present(obj, key);
    if (!v)
        return required ? missing(key, e) : 0;
    if (!json_is_number(v))
        return fq_fail(e, FQ_EINVAL, "invalid_type", key, "字段 %s 必须是数字 (must be a number)", key);
    double x = json_number_value(v);
    if (!(x >= lo && x <= hi))
        return fq_fail(e, FQ_EINVAL, "out_of_range", key, "字段 %s 超出范围 (out of range)", key);
    *out = x;
    return 0;
}

int jin_bool(json_t *obj, const char *key, int required, int *out, struct fq_error *e)
{
    json_t *v = present(obj, key);
    if (!v)
        return required ? missing(key, e) : 0;
    if (!json_is_boolean(v))
        return fq_fail(e, FQ_EINVAL, "invalid_type", key, "字段 %s 必须是布尔值 (must be a boolean)", key);
    *out = json_is_true(v);
    return 0;
}

int jin_array(json_t *obj, const char *key, int required, size_t max, json_t **out, struct fq_error *e)
{
    json_t *v = present(obj, key);
    *out = NULL;
    if (!v)
        return required ? missing(key, e) : 0;
    if (!json_is_array(v))
        return fq_fail(e, FQ_EINVAL, "invalid_type", key, "字段 %s 必须是数组 (must be an array)", key);
    if (json_array_size(v) > max)
        return fq_fail(e, FQ_EINVAL, "too_many", key, "字段 %s 最多 %zu 项 (too many items)", key, max);
    *out = v;
    return 0;
}

int jin_object(json_t *obj, const char *key, int required, json_t **out, struct fq_error *e)
{
    json_t *v = present(obj, key);
    *out = NULL;
    if (!v)
        return required ? missing(key, e) : 0;
    if (!json_is_object(v))
        return fq_fail(e, FQ_EINVAL, "invalid_type", key, "字段 %s 必须是对象 (must be an object)", key);
    *out = v;
    return 0;
}

/* ---- json_loadb's common case, parsed here ----
 * jansson reads a document a character at a time through a stream and a growing buffer; an
 * intake body (a flat object of strings and small integers) spends most of its parse there. The
 * parser below builds the same tree for the documents it knows — objects, arrays, strings with
 * the short escapes, integers of up to 18 digits, true/false/null — and gives up (NULL) on
 * anything else, valid or not: \u escapes, reals, deep nesting, duplicate keys, every error. */

#define SIMPLE_DEPTH 16

struct simple {
    const unsigned char *p, *end;
    int depth;
};

static void simple_ws(struct simple *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* Length of the well-formed UTF-8 character at p (jansson's rules: no overlongs, surrogates or
 * code points past U+10FFFF), 0 when it is not one. */
static size_t utf8_char(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0], cp, min;
    size_t k;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        k = 1, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        k = 2, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        k = 3, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if ((size_t)(end - p) <= k)
        return 0;
    for (size_t i = 1; i <= k; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    return cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ? 0 : k + 1;
}

/* The string at s->p (its opening quote), decoded into *out (malloc'ed when it had escapes, else
 * pointing into the input; *own says which) with its length; -1 to give up. */
static int simple_string(struct simple *s, const char **out, size_t *n, char **own)
{
    const unsigned char *p = s->p + 1, *start = p;
    int escaped = 0;
    *own = NULL;
    while (p < s->end && *p != '"') {
        if (*p < 0x20)
            return -1;
        if (*p == '\\') {
            if (p + 1 >= s->end || !strchr("\"\\/bfnrt", p[1]) || !p[1])
                return -1; /* \u and bad escapes: jansson's */
            escaped = 1;
            p += 2;
            continue;
        }
        size_t k = utf8_char(p, s->end);
        if (!k)
            return -1;
        p += k;
    }
    if (p >= s->end)
        return -1;
    s->p = p + 1;
    if (!escaped) {
        *out = (const char *)start;
        *n = (size_t)(p - start);
        return 0;
    }
    char *d = malloc((size_t)(p - start) + 1), *w = d;
    if (!d)
        return -1;
    for (const unsigned char *q = start; q < p; q++) {
        if (*q != '\\') {
            *w++ = (char)*q;
            continue;
        }
        q++;
        *w++ = *q == 'b' ? '\b' : *q == 'f' ? '\f' : *q == 'n' ? '\n' : *q == 'r' ? '\r' : *q == 't' ? '\t' : (char)*q;
    }
    *out = *own = d;
    *n = (size_t)(w - d);
    return 0;
}

int jin_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    size_t k;
    while (p < end && (k = utf8_char(p, end)))
        p += k;
    return p == end;
}

static json_t *simple_value(struct simple *s);

static json_t *simple_object(struct simple *s)
{
    json_t *o = json_object();
    s->p++;
    simple_ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        return o;
    }
    while (o) {
        const char *key;
        size_t kn;
        char *own;
        json_t *v;
        if (s->p >= s->end || *s->p != '"' || simple_string(s, &key, &kn, &own))
            goto fail;
        simple_ws(s);
        if (s->p >= s->end || *s->p != ':' || json_object_getn(o, key, kn)) {
            free(own);
            goto fail;
        }
        s->p++;
        v = simple_value(s);
        if (!v || json_object_setn_new_nocheck(o, key, kn, v)) {
            free(own);
            goto fail;
        }
        free(own);
        simple_ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            simple_ws(s);
            continue;
        }
        if (s->p < s->end && *s->p == '}') {
            s->p++;
            return o;
        }
        goto fail;
    }
fail:
    json_decref(o);
    return NULL;
}

static json_t *simple_array(struct simple *s)
{
    json_t *a = json_array();
    s->p++;
    simple_ws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        return a;
    }
    while (a) {
        json_t *v = simple_value(s);
        if (!v || json_array_append_new(a, v))
            break;
        simple_ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (s->p < s->end && *s->p == ']') {
            s->p++;
            return a;
        }
        break;
    }
    json_decref(a);
    return NULL;
}

static json_t *simple_number(struct simple *s)
{
    const unsigned char *p = s->p;
    int neg = *p == '-';
    p += neg;
    const unsigned char *digits = p;
    uint64_t v = 0; /* 19 digits fit */
    while (p < s->end && *p >= '0' && *p <= '9' && p - digits < 19)
        v = v * 10 + (uint64_t)(*p++ - '0');
    size_t nd = (size_t)(p - digits);
    /* no digits, a leading zero, 19 digits or more (jansson's overflow checks), a real */
    if (nd == 0 || nd > 18 || (digits[0] == '0' && nd > 1) ||
        (p < s->end && (*p == '.' || *p == 'e' || *p == 'E' || (*p >= '0' && *p <= '9'))))
        return NULL;
    s->p = p;
    return json_integer(neg ? -(json_int_t)v : (json_int_t)v);
}

static int simple_word(struct simple *s, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n))
        return 0;
    s->p += n;
    return 1;
}

static json_t *simple_value(struct simple *s)
{
    simple_ws(s);
    if (s->p >= s->end)
        return NULL;
    json_t *v = NULL;
    switch (*s->p) {
    case '{':
    case '[':
        if (++s->depth > SIMPLE_DEPTH)
            return NULL;
        v = *s->p == '{' ? simple_object(s) : simple_array(s);
        s->depth--;
        return v;
    case '"': {
        const char *t;
        size_t n;
        char *own;
        if (simple_string(s, &t, &n, &own))
            return NULL;
        v = json_stringn_nocheck(t, n);
        free(own);
        return v;
    }
    case 't':
        return simple_word(s, "true") ? json_true() : NULL;
    case 'f':
        return simple_word(s, "false") ? json_false() : NULL;
    case 'n':
        return simple_word(s, "null") ? json_null() : NULL;
    default:
        return *s->p == '-' || (*s->p >= '0' && *s->p <= '9') ? simple_number(s) : NULL;
    }
}

json_t *jin_load_simple(const char *buf, size_t len)
{
    struct simple s = {(const unsigned char *)buf, (const unsigned char *)buf + len, 0};
    simple_ws(&s);
    if (s.p >= s.end || *s.p != '{')
        return NULL;
    json_t *v = simple_value(&s);
    simple_ws(&s);
    if (v && s.p != s.end) {
        json_decref(v);
        return NULL;
    }
    return v;
}

json_t *jin_loadb(const char *buf, size_t len, json_error_t *err)
{
    json_t *v = jin_load_simple(buf, len);
    return v ? v : json_loadb(buf, len, JSON_REJECT_DUPLICATES, err);
}
