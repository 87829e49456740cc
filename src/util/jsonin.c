/* Strict JSON input getters: presence, type, bounds, and the field's name on every error. */
#include "util/jsonin.h"

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
