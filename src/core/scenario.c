/* The mediation scenario library: loading the shipped file, validating admin edits, and ranking
 * scenarios for a case by category, keywords and text similarity, every score with its reasons. */
#include "core/scenario.h"
#include "core/textsim.h"
#include "util/jsonin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILE_MAX (2 << 20)
#define LIST_MAX 40  /* items per list field */
#define ITEM_MAX 600 /* bytes per item */

/* The list fields besides categories and keywords, kept in the JSON body. */
static const char *const body_fields[] = {"legal_basis", "methods",   "steps",
                                          "mediators",   "documents", NULL};

void scenario_row_clear(struct scenario_row *r)
{
    if (!r)
        return;
    free(r->name);
    free(r->categories);
    free(r->keywords);
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* "a|b|c" (or "a,b,c") → ["a","b","c"], empty items skipped. */
static json_t *split(const char *s, char sep)
{
    json_t *arr = json_array();
    const char *p = s ? s : "";
    while (*p) {
        const char *q = strchr(p, sep);
        size_t n = q ? (size_t)(q - p) : strlen(p);
        while (n && p[0] == ' ') {
            p++;
            n--;
        }
        while (n && p[n - 1] == ' ')
            n--;
        if (n)
            json_array_append_new(arr, json_stringn(p, n));
        if (!q)
            break;
        p = q + 1;
    }
    return arr;
}

/* A list field: an array of 0..LIST_MAX non-empty strings without the separator `sep`. */
static int check_list(json_t *in, const char *key, int required, char sep, struct fq_error *e)
{
    json_t *arr = json_object_get(in, key), *v;
    size_t i;
    if (!arr || json_is_null(arr))
        return required ? fq_fail(e, FQ_EINVAL, "required", key, "缺少必填字段 %s (required)", key)
                        : 0;
    if (!json_is_array(arr))
        return fq_fail(e, FQ_EINVAL, "invalid_type", key,
                       "字段 %s 必须是字符串数组 (must be an array)", key);
    if (json_array_size(arr) > LIST_MAX)
        return fq_fail(e, FQ_EINVAL, "too_long", key, "字段 %s 最多 %d 项 (too many items)", key,
                       LIST_MAX);
    if (required && json_array_size(arr) == 0)
        return fq_fail(e, FQ_EINVAL, "required", key, "字段 %s 至少一项 (at least one item)", key);
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(v);
        if (!s || !*s || strlen(s) > ITEM_MAX || strchr(s, sep) || strchr(s, '\t') ||
            strchr(s, '\n'))
            return fq_fail(e, FQ_EINVAL, "invalid_value", key,
                           "字段 %s 第 %zu 项须为 1-%d 字节且不含分隔符 (invalid item)", key, i,
                           ITEM_MAX);
    }
    return 0;
}

static char *join(json_t *arr, char sep)
{
    size_t n = 1, i;
    json_t *v;
    json_array_foreach(arr, i, v) n += strlen(json_string_value(v)) + 1;
    char *s = malloc(n), *p = s;
    if (!s)
        return NULL;
    *p = 0;
    json_array_foreach(arr, i, v)
    {
        if (i)
            *p++ = sep;
        size_t m = strlen(json_string_value(v));
        memcpy(p, json_string_value(v), m);
        p += m;
        *p = 0;
    }
    return s;
}

int scenario_validate(json_t *in, json_t *base, int (*known)(const char *code, void *arg),
                      void *arg, struct scenario_row *out, struct fq_error *e)
{
    static const char *const allowed[] = {"code",        "name",    "categories", "keywords",
                                          "legal_basis", "methods", "steps",      "mediators",
                                          "documents",   NULL};
    const char *code, *name;
    int rc, partial = base != NULL;
    json_t *merged = NULL;
    memset(out, 0, sizeof *out);
    if ((rc = jin_only(in, allowed, e)))
        return rc;
    /* a partial update: start from the stored scenario and overlay what is given */
    merged = partial ? json_deep_copy(base) : json_incref(in);
    if (!merged)
        return FQ_ENOMEM;
    if (partial) {
        const char *key;
        json_t *v;
        json_object_foreach(in, key, v) json_object_set(merged, key, v);
    }
    if ((rc = jin_str(merged, "code", 0, 2, 15, &code, e)) ||
        (rc = jin_str(merged, "name", 1, 2, 200, &name, e)) ||
        (rc = check_list(merged, "categories", 1, ',', e)) ||
        (rc = check_list(merged, "keywords", 0, ',', e)) ||
        (rc = check_list(merged, "methods", 1, '|', e)))
        goto done;
    for (int i = 0; body_fields[i]; i++)
        if ((rc = check_list(merged, body_fields[i], 0, '|', e)))
            goto done;
    if (code) {
        int okc = code[0] == 'S' && code[1];
        for (const char *p = code + 1; okc && *p; p++)
            okc = *p >= '0' && *p <= '9';
        if (!okc) {
            rc = fq_fail(e, FQ_EINVAL, "invalid_value", "code",
                         "场景编号须为 S 加数字 (code must be S + digits)");
            goto done;
        }
        snprintf(out->code, sizeof out->code, "%s", code);
    }
    size_t i;
    json_t *v, *cats = json_object_get(merged, "categories");
    json_array_foreach(cats, i, v)
    {
        if (strlen(json_string_value(v)) > 15 || (known && !known(json_string_value(v), arg))) {
            rc = fq_fail(e, FQ_EINVAL, "unknown_category", "categories",
                         "事项类别不存在: %.15s (unknown category)", json_string_value(v));
            goto done;
        }
    }
    json_t *body = json_object();
    for (int k = 0; body_fields[k]; k++) {
        json_t *l = json_object_get(merged, body_fields[k]);
        json_object_set_new(body, body_fields[k],
                            json_is_array(l) ? json_deep_copy(l) : json_array());
    }
    json_t *kw = json_object_get(merged, "keywords");
    json_t *empty = json_array();
    out->name = strdup(name);
    out->categories = join(cats, ',');
    out->keywords = join(json_is_array(kw) ? kw : empty, ',');
    out->body = json_dumps(body, JSON_COMPACT);
    json_decref(empty);
    json_decref(body);
    if (!out->name || !out->categories || !out->keywords || !out->body) {
        scenario_row_clear(out);
        rc = FQ_ENOMEM;
    }
done:
    json_decref(merged);
    return rc;
}

json_t *scenario_to_json(json_t *row)
{
    json_t *o = json_object(), *body = json_object_get(row, "body");
    json_object_set(o, "id", json_object_get(row, "id"));
    json_object_set(o, "code", json_object_get(row, "code"));
    json_object_set(o, "name", json_object_get(row, "name"));
    json_object_set_new(o, "categories",
                        split(json_string_value(json_object_get(row, "categories")), ','));
    json_object_set_new(o, "keywords",
                        split(json_string_value(json_object_get(row, "keywords")), ','));
    for (int i = 0; body_fields[i]; i++) {
        json_t *l = json_object_get(body, body_fields[i]);
        json_object_set_new(o, body_fields[i], json_is_array(l) ? json_deep_copy(l) : json_array());
    }
    json_object_set(o, "updated_at", json_object_get(row, "updated_at"));
    return o;
}

/* ---- the shipped file ---- */

static int read_all(const char *path, char **out, struct fq_error *e)
{
    FILE *f = fopen(path, "rb");
    long len;
    int rc = 0;
    *out = NULL;
    if (!f)
        return fq_fail(e, errno == ENOENT ? FQ_ENOTFOUND : FQ_EIO, "reference_data", "",
                       SCENARIO_FILE ": cannot open %s: %s", path, strerror(errno));
    if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || len > FILE_MAX || fseek(f, 0, SEEK_SET)) {
        rc = fq_fail(e, FQ_EIO, "reference_data", "", SCENARIO_FILE ": unreadable or too large");
        goto done;
    }
    if (!(*out = malloc((size_t)len + 1))) {
        rc = FQ_ENOMEM;
        goto done;
    }
    if (fread(*out, 1, (size_t)len, f) != (size_t)len) {
        free(*out);
        *out = NULL;
        rc = fq_fail(e, FQ_EIO, "reference_data", "", SCENARIO_FILE ": read error");
        goto done;
    }
    (*out)[len] = 0;
done:
    fclose(f);
    return rc;
}

int scenario_file_load(const char *data_dir, int (*known)(const char *code, void *arg), void *arg,
                       json_t **out, struct fq_error *e)
{
    static const char *const cols[] = {"code",    "name",  "categories", "keywords", "legal_basis",
                                       "methods", "steps", "mediators",  "documents"};
    char path[1024], *text;
    snprintf(path, sizeof path, "%s/%s", data_dir, SCENARIO_FILE);
    int rc = read_all(path, &text, e), line = 0;
    if (rc)
        return rc;
    json_t *list = json_array();
    char *p = text;
    if (!strncmp(p, "\xEF\xBB\xBF", 3))
        p += 3;
    while (*p && rc == 0) {
        char *nl = strchr(p, '\n'), *next = nl ? nl + 1 : p + strlen(p);
        if (nl)
            *nl = 0;
        size_t n = strlen(p);
        if (n && p[n - 1] == '\r')
            p[--n] = 0;
        line++;
        if (line == 1 || n == 0 || p[0] == '#') {
            p = next;
            continue;
        }
        char *col[9];
        int nc = 0;
        for (char *c = p;;) {
            if (nc == 9) {
                nc = 10;
                break;
            }
            col[nc++] = c;
            char *t = strchr(c, '\t');
            if (!t)
                break;
            *t = 0;
            c = t + 1;
        }
        if (nc != 9) {
            rc = fq_fail(e, FQ_EINVAL, "reference_data", "",
                         SCENARIO_FILE ":%d: expected 9 columns", line);
            break;
        }
        json_t *o = json_object();
        for (int i = 0; i < 9; i++) {
            if (i < 2)
                json_object_set_new(o, cols[i], json_string(col[i]));
            else
                json_object_set_new(o, cols[i], split(col[i], i < 4 ? ',' : '|'));
        }
        struct scenario_row row;
        struct fq_error fe = {0};
        if (scenario_validate(o, NULL, known, arg, &row, &fe) || !row.code[0]) {
            rc = fq_fail(e, FQ_EINVAL, "reference_data", "", SCENARIO_FILE ":%d: %s %s", line,
                         fe.field, row.code[0] || fe.message[0] ? fe.message : "code required");
            json_decref(o);
            break;
        }
        scenario_row_clear(&row);
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v)
        {
            if (!strcmp(json_string_value(json_object_get(v, "code")), col[0]))
                rc = fq_fail(e, FQ_EINVAL, "reference_data", "",
                             SCENARIO_FILE ":%d: duplicate code %s", line, col[0]);
        }
        json_array_append_new(list, o);
        p = next;
    }
    free(text);
    if (rc) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return 0;
}

int scenario_write_all(struct store_tx *tx, json_t *list)
{
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o)
    {
        struct scenario_row row;
        int64_t id = 0;
        int rc = scenario_validate(o, NULL, NULL, NULL, &row, NULL);
        if (rc == 0)
            rc = store_tx_scenario_put(tx, &id, row.code, row.name, row.categories, row.keywords,
                                       row.body);
        scenario_row_clear(&row);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- recommendation ---- */

static int cmp_score(const void *a, const void *b)
{
    double x = json_real_value(json_object_get(*(json_t *const *)a, "score"));
    double y = json_real_value(json_object_get(*(json_t *const *)b, "score"));
    return x < y ? 1 : x > y ? -1 : 0;
}

json_t *scenario_rank(json_t *scenarios, const char *category, const char *text, int k)
{
    enum { SH = 512 };
    uint32_t *a = malloc(SH * sizeof *a), *b = malloc(SH * sizeof *b);
    json_t *scored = json_array(), *out = json_array();
    char l1[4] = "";
    if (!a || !b)
        goto done;
    if (category && *category)
        snprintf(l1, sizeof l1, "%.*s", category[0] == 'G' ? 3 : 2, category);
    int na = textsim_shingles(text, a, SH);
    size_t i;
    json_t *s;
    json_array_foreach(scenarios, i, s)
    {
        double score = 0;
        json_t *why_cat = json_array(), *why_kw = json_array(), *v;
        size_t j;
        json_array_foreach(json_object_get(s, "categories"), j, v)
        {
            const char *c = json_string_value(v);
            if (category && *category && !strcmp(c, category)) {
                score += 3;
                json_array_append(why_cat, v);
            } else if (l1[0] && !strncmp(c, l1, strlen(l1)) &&
                       (strlen(c) == strlen(l1) ||
                        (c[strlen(l1)] >= '0' && c[strlen(l1)] <= '9'))) {
                score += 1.5;
                json_array_append(why_cat, v);
            }
        }
        /* the scenario's own words: name and keywords */
        char words[4096];
        int wn = snprintf(words, sizeof words, "%s", json_string_value(json_object_get(s, "name")));
        json_array_foreach(json_object_get(s, "keywords"), j, v)
        {
            const char *kw = json_string_value(v);
            if (text && strstr(text, kw)) {
                score += 1;
                json_array_append(why_kw, v);
            }
            if (wn >= 0 && (size_t)wn < sizeof words)
                wn += snprintf(words + wn, sizeof words - (size_t)wn, " %s", kw);
        }
        int nb = textsim_shingles(words, b, SH);
        /* containment of the scenario's bigrams in the text, not Jaccard: a long description
         * should not dilute a scenario whose few words it contains */
        double inter = textsim_jaccard(a, na, b, nb);
        double contain = nb ? inter * (na + nb) / (1 + inter) / nb : 0;
        score += 2 * contain;
        if (json_array_size(why_cat) == 0 && json_array_size(why_kw) == 0 && contain < 0.15) {
            json_decref(why_cat);
            json_decref(why_kw);
            continue;
        }
        json_t *o = json_deep_copy(s);
        json_object_set_new(o, "score", json_real(score));
        json_object_set_new(o, "reasons",
                            json_pack("{s:o, s:o, s:f}", "categories", why_cat, "keywords", why_kw,
                                      "similarity", contain));
        json_array_append_new(scored, o);
    }
    size_t n = json_array_size(scored);
    json_t **arr = malloc((n ? n : 1) * sizeof *arr);
    if (!arr)
        goto done;
    for (size_t x = 0; x < n; x++)
        arr[x] = json_array_get(scored, x);
    if (n > 1) /* qsort(NULL, 0) is undefined */
        qsort(arr, n, sizeof *arr, cmp_score);
    for (size_t x = 0; x < n && (int)x < k; x++)
        json_array_append(out, arr[x]);
    free(arr);
done:
    free(a);
    free(b);
    json_decref(scored);
    return out;
}
