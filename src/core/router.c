/* The routing model: keyword rules plus multinomial naive Bayes over character n-grams.
 *
 * Counts live in one open-addressing hash table keyed by (feature, class), so the model costs
 * memory in proportion to the n-grams actually seen, not classes × vocabulary. A learned case
 * remembers its class (by case id) so that learning it again under another category — a
 * dispatcher's correction — subtracts its counts from the old class before adding them to the
 * new one; the text is re-tokenised for that, so nothing per case but its class is kept, except a
 * small ring of recent cases per class whose shingles give the "similar past cases" reason. */
#include "core/router.h"
#include "core/textsim.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FEATURES 4096 /* per text; a longer description adds little */
#define MAX_SHINGLES 256
#define RECENT 48         /* past cases kept per class for similarity reasons */
#define ALPHA 0.3         /* additive smoothing of the n-gram likelihoods */
#define PSEUDO_WEIGHT 2.0 /* a category's name and keywords count as this many documents */
#define KEY_MARK (1ull << 63)

/* ---- a hash table uint64 → double (keys carry KEY_MARK, so 0 means empty) ---- */

struct htab {
    uint64_t *keys;
    double *vals;
    size_t cap, n;
};

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

static int ht_grow(struct htab *t)
{
    size_t cap = t->cap ? t->cap * 2 : 4096;
    uint64_t *k = calloc(cap, sizeof *k);
    double *v = calloc(cap, sizeof *v);
    if (!k || !v) {
        free(k);
        free(v);
        return FQ_ENOMEM;
    }
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->keys[i])
            continue;
        size_t j = mix64(t->keys[i]) & (cap - 1);
        while (k[j])
            j = (j + 1) & (cap - 1);
        k[j] = t->keys[i];
        v[j] = t->vals[i];
    }
    free(t->keys);
    free(t->vals);
    t->keys = k;
    t->vals = v;
    t->cap = cap;
    return 0;
}

/* The value slot of key; with create, adds it (value 0) when missing. NULL when absent or OOM. */
static double *ht_slot(struct htab *t, uint64_t key, int create)
{
    if (create && (t->n + 1) * 4 >= t->cap * 3 && ht_grow(t))
        return NULL;
    if (!t->cap)
        return NULL;
    size_t j = mix64(key) & (t->cap - 1);
    while (t->keys[j]) {
        if (t->keys[j] == key)
            return &t->vals[j];
        j = (j + 1) & (t->cap - 1);
    }
    if (!create)
        return NULL;
    t->keys[j] = key;
    t->n++;
    return &t->vals[j];
}

static double ht_get(const struct htab *t, uint64_t key)
{
    double *v = ht_slot((struct htab *)t, key, 0);
    return v ? *v : 0;
}

static void ht_free(struct htab *t)
{
    free(t->keys);
    free(t->vals);
    memset(t, 0, sizeof *t);
}

/* ---- the model ---- */

struct recent_case {
    int64_t id;
    char code[FQ_CODE_LEN + 1];
    uint32_t *sh;
    int nsh;
};

struct klass {
    char code[16], name[64], parent[16];
    int parent_idx; /* -1 for level 1 */
    int inactive;   /* deactivated by an admin: never suggested */
    char **kw;
    int nkw;
    double docs; /* learned cases */
    double mass; /* total feature count, pseudo-documents included */
    int grade_n[GRADE__COUNT], level_n[LEVEL__COUNT];
    struct recent_case recent[RECENT];
    int recent_next;
};

struct router {
    pthread_rwlock_t lock;
    struct klass *k;
    int nk, capk;
    struct htab counts; /* (feature << 16 | class) → count */
    struct htab vocab;  /* feature → total count over classes */
    long vocab_n;       /* features with a positive total */
    struct htab cases;  /* case id → class index */
    double docs;        /* learned cases */
};

static uint64_t count_key(uint32_t f, int c)
{
    return KEY_MARK | ((uint64_t)f << 16) | (uint64_t)c;
}

struct router *router_new(void)
{
    struct router *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    pthread_rwlock_init(&r->lock, NULL);
    return r;
}

void router_free(struct router *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->nk; i++) {
        for (int j = 0; j < r->k[i].nkw; j++)
            free(r->k[i].kw[j]);
        free(r->k[i].kw);
        for (int j = 0; j < RECENT; j++)
            free(r->k[i].recent[j].sh);
    }
    free(r->k);
    ht_free(&r->counts);
    ht_free(&r->vocab);
    ht_free(&r->cases);
    pthread_rwlock_destroy(&r->lock);
    free(r);
}

static int find_class(const struct router *r, const char *code)
{
    for (int i = 0; i < r->nk; i++)
        if (!strcmp(r->k[i].code, code))
            return i;
    return -1;
}

/* Adds (sign +1) or removes (-1) weight × the features of text to class c. Caller holds the lock.
 */
static int add_text(struct router *r, int c, const char *text, double weight)
{
    static __thread uint32_t f[MAX_FEATURES];
    int n = textsim_features(text, f, MAX_FEATURES);
    for (int i = 0; i < n; i++) {
        double *cnt = ht_slot(&r->counts, count_key(f[i], c), weight > 0);
        double *tot = ht_slot(&r->vocab, KEY_MARK | f[i], weight > 0);
        if (!cnt || !tot) {
            if (weight > 0)
                return FQ_ENOMEM;
            continue;
        }
        double before = *tot;
        *cnt += weight;
        if (*cnt < 1e-9)
            *cnt = 0;
        *tot += weight;
        if (*tot < 1e-9)
            *tot = 0;
        if (before <= 0 && *tot > 0)
            r->vocab_n++;
        else if (before > 0 && *tot <= 0)
            r->vocab_n--;
        r->k[c].mass += weight;
    }
    if (r->k[c].mass < 0)
        r->k[c].mass = 0;
    return 0;
}

/* The pseudo-document of a class: its name and keywords, space-separated. */
static void pseudo_of(const struct klass *k, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size, "%s", k->name);
    for (int i = 0; i < k->nkw && n < size; i++)
        n += (size_t)snprintf(out + n, size - n, " %s", k->kw[i]);
}

/* Replaces the name and keywords (comma-separated) of class c, moving its pseudo-document in the
 * model from the old ones to the new. Caller holds the write lock. 0 or FQ_ENOMEM. */
static int set_rules(struct router *r, int c, const char *name, const char *keywords)
{
    struct klass *k = &r->k[c];
    char pseudo[2304], buf[2048];
    if (k->kw || k->name[0]) {
        pseudo_of(k, pseudo, sizeof pseudo);
        add_text(r, c, pseudo, -PSEUDO_WEIGHT); /* removing never allocates */
    }
    for (int j = 0; j < k->nkw; j++)
        free(k->kw[j]);
    free(k->kw);
    k->nkw = 0;
    snprintf(k->name, sizeof k->name, "%s", name ? name : "");
    snprintf(buf, sizeof buf, "%s", keywords ? keywords : "");
    int cap = 1;
    for (char *p = buf; *p; p++)
        cap += *p == ',';
    if (!(k->kw = calloc((size_t)cap, sizeof *k->kw)))
        return FQ_ENOMEM;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (*t && k->nkw < cap && (k->kw[k->nkw] = strdup(t)))
            k->nkw++;
    /* the rules also seed the model: name and keywords as a pseudo-document */
    pseudo_of(k, pseudo, sizeof pseudo);
    return add_text(r, c, pseudo, PSEUDO_WEIGHT);
}

int router_add_category(struct router *r, const char *code, const char *name, const char *parent,
                        const char *kind, const char *keywords)
{
    (void)kind;
    if (!r || !code || !*code || strlen(code) >= 16)
        return FQ_EINVAL;
    int rc = 0;
    pthread_rwlock_wrlock(&r->lock);
    if (find_class(r, code) >= 0) {
        rc = FQ_ECONFLICT;
        goto done;
    }
    if (r->nk == r->capk) {
        int cap = r->capk ? r->capk * 2 : 128;
        struct klass *k = realloc(r->k, (size_t)cap * sizeof *k);
        if (!k) {
            rc = FQ_ENOMEM;
            goto done;
        }
        r->k = k;
        r->capk = cap;
    }
    struct klass *k = &r->k[r->nk];
    memset(k, 0, sizeof *k);
    snprintf(k->code, sizeof k->code, "%s", code);
    snprintf(k->parent, sizeof k->parent, "%s", parent ? parent : "");
    k->parent_idx = k->parent[0] ? find_class(r, k->parent) : -1;
    r->nk++;
    rc = set_rules(r, r->nk - 1, name, keywords);
done:
    pthread_rwlock_unlock(&r->lock);
    return rc;
}

int router_update_category(struct router *r, const char *code, const char *name, const char *keywords,
                           int active)
{
    if (!r || !code)
        return FQ_EINVAL;
    pthread_rwlock_wrlock(&r->lock);
    int c = find_class(r, code), rc = FQ_ENOTFOUND;
    if (c >= 0) {
        r->k[c].inactive = !active;
        rc = set_rules(r, c, name, keywords);
    }
    pthread_rwlock_unlock(&r->lock);
    return rc;
}

int router_load_categories(struct router *r, struct store_rd *rd)
{
    json_t *cats = NULL;
    int rc = rd ? store_categories(rd, NULL, &cats) : FQ_EIO;
    if (rc)
        return rc;
    /* level 1 first, so that every level-2 class finds its parent */
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        size_t i;
        json_t *c;
        json_array_foreach(cats, i, c)
        {
            const char *parent = json_string_value(json_object_get(c, "parent"));
            if ((pass == 0) != (!parent || !*parent))
                continue;
            const char *kw = json_string_value(json_object_get(c, "keywords"));
            int x =
                router_add_category(r, json_string_value(json_object_get(c, "code")),
                                    json_string_value(json_object_get(c, "name")), parent,
                                    json_string_value(json_object_get(c, "kind")), kw ? kw : "");
            if (x == 0 && json_is_false(json_object_get(c, "active")))
                x = router_update_category(r, json_string_value(json_object_get(c, "code")),
                                           json_string_value(json_object_get(c, "name")), kw ? kw : "", 0);
            if (x && x != FQ_ECONFLICT) {
                rc = x;
                break;
            }
        }
    }
    json_decref(cats);
    return rc;
}

static void remember_recent(struct klass *k, int64_t id, const char *code, const char *text)
{
    static __thread uint32_t sh[MAX_SHINGLES];
    struct recent_case *rc = &k->recent[k->recent_next];
    int n = textsim_shingles(text, sh, MAX_SHINGLES);
    uint32_t *copy = malloc((size_t)(n ? n : 1) * sizeof *copy);
    if (!copy)
        return;
    memcpy(copy, sh, (size_t)n * sizeof *copy);
    free(rc->sh);
    rc->sh = copy;
    rc->nsh = n;
    rc->id = id;
    snprintf(rc->code, sizeof rc->code, "%s", code ? code : "");
    k->recent_next = (k->recent_next + 1) % RECENT;
}

static void forget_recent(struct klass *k, int64_t id)
{
    for (int i = 0; i < RECENT; i++)
        if (k->recent[i].id == id && k->recent[i].sh) {
            free(k->recent[i].sh);
            memset(&k->recent[i], 0, sizeof k->recent[i]);
        }
}

int router_learn(struct router *r, int64_t case_id, const char *code, const char *text,
                 const char *category, int grade, int level)
{
    if (!r || !text || !category)
        return FQ_EINVAL;
    int rc = 0;
    pthread_rwlock_wrlock(&r->lock);
    int c = find_class(r, category);
    if (c < 0) {
        rc = FQ_ENOTFOUND;
        goto done;
    }
    if (case_id > 0) {
        double *slot = ht_slot(&r->cases, KEY_MARK | (uint64_t)case_id, 1);
        if (!slot) {
            rc = FQ_ENOMEM;
            goto done;
        }
        if ((int)*slot == c + 1) /* the same label again (assess, then dispatch): nothing new */
            goto done;
        if (*slot > 0) { /* known: undo its earlier label (counts only; grade/level shares stay) */
            int old = (int)*slot - 1;
            add_text(r, old, text, -1.0);
            r->k[old].docs -= 1;
            r->docs -= 1;
            forget_recent(&r->k[old], case_id);
        }
        *slot = c + 1;
    }
    if ((rc = add_text(r, c, text, 1.0)))
        goto done;
    r->k[c].docs += 1;
    r->docs += 1;
    if (grade > 0 && grade < GRADE__COUNT)
        r->k[c].grade_n[grade]++;
    if (level > 0 && level < LEVEL__COUNT)
        r->k[c].level_n[level]++;
    remember_recent(&r->k[c], case_id, code, text);
done:
    pthread_rwlock_unlock(&r->lock);
    return rc;
}

struct train_arg {
    struct router *r;
    int (*skip)(int64_t, void *);
    void *skip_arg;
    int learned;
};

static int train_one(const struct store_case_text *t, void *arg)
{
    struct train_arg *a = arg;
    if (a->skip && a->skip(t->id, a->skip_arg))
        return 0;
    size_t n = strlen(t->title) + strlen(t->description) + 2;
    char *text = malloc(n);
    if (!text)
        return FQ_ENOMEM;
    snprintf(text, n, "%s\n%s", t->title, t->description);
    int rc = router_learn(a->r, t->id, t->code, text, t->category, t->grade, t->level);
    free(text);
    if (rc == 0)
        a->learned++;
    return rc == FQ_ENOMEM ? rc : 0;
}

int router_train_store(struct router *r, struct store_rd *rd, int max,
                       int (*skip)(int64_t case_id, void *arg), void *arg, int *learned)
{
    struct train_arg a = {r, skip, arg, 0};
    int rc = rd ? store_cases_assessed(rd, max, train_one, &a) : FQ_EIO;
    if (learned)
        *learned = a.learned;
    return rc;
}

long router_cases(struct router *r)
{
    pthread_rwlock_rdlock(&r->lock);
    long n = (long)r->docs;
    pthread_rwlock_unlock(&r->lock);
    return n;
}

/* ---- suggestion ---- */

/* Words that make a matter heavier than its category usually is: groups, threats, escalation. */
static const char *const heavy_words[] = {"群体", "集体", "多人", "聚集", "集访", "拉横幅", "扬言",
                                          "自杀", "跳楼", "报复", "极端", "上访", "堵路",   NULL};

struct feat_tf {
    uint32_t f;
    int tf;
};

static int cmp_feat(const void *a, const void *b)
{
    uint32_t x = ((const struct feat_tf *)a)->f, y = ((const struct feat_tf *)b)->f;
    return x < y ? -1 : x > y;
}

static int cmp_score_desc(const void *a, const void *b)
{
    double x = ((const double *)a)[0], y = ((const double *)b)[0];
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Sorted distinct features with their term frequencies; returns the count. */
static int term_freqs(const char *text, uint32_t *raw, struct feat_tf *tf)
{
    int nf = textsim_features(text, raw, MAX_FEATURES), m = 0;
    for (int i = 0; i < nf; i++)
        tf[i] = (struct feat_tf){raw[i], 1};
    if (nf > 1) /* qsort(NULL, 0) is undefined */
        qsort(tf, (size_t)nf, sizeof *tf, cmp_feat);
    for (int i = 0; i < nf; i++) {
        if (m && tf[m - 1].f == tf[i].f)
            tf[m - 1].tf++;
        else
            tf[m++] = tf[i];
    }
    return m;
}

/* Keyword evidence for class c: the summed length (in characters) of its keywords found in text,
 * plus half of its parent's; matched ones listed into s when s is non-NULL. */
static double keyword_score(const struct router *r, int c, const char *text,
                            struct router_suggestion *s)
{
    double score = 0;
    for (int pass = 0; pass < 2; pass++) {
        int idx = pass == 0 ? c : r->k[c].parent_idx;
        if (idx < 0)
            break;
        const struct klass *k = &r->k[idx];
        for (int j = 0; j < k->nkw; j++) {
            if (!strstr(text, k->kw[j]))
                continue;
            score += (pass == 0 ? 1.0 : 0.5) * textsim_utf8_len(k->kw[j]);
            if (s && s->nkeywords < ROUTER_MAX_KEYWORDS) {
                int dup = 0;
                for (int q = 0; q < s->nkeywords; q++)
                    dup |= !strcmp(s->keywords[q], k->kw[j]);
                if (!dup)
                    snprintf(s->keywords[s->nkeywords++], sizeof s->keywords[0], "%s", k->kw[j]);
            }
        }
    }
    return score;
}

/* Index of the largest positive count in v[1..n) (0 when all are 0); *total gets their sum. */
static int argmax(const int *v, int n, int *total)
{
    int best = 0;
    *total = 0;
    for (int i = 1; i < n; i++) {
        *total += v[i];
        if (v[i] > 0 && (best == 0 || v[i] > v[best]))
            best = i;
    }
    return best;
}

static void fill_suggestion(const struct router *r, int c, const char *text, const uint32_t *sh,
                            int nsh, struct router_suggestion *s)
{
    const struct klass *k = &r->k[c];
    int l1 = k->parent_idx >= 0 ? k->parent_idx : c;
    snprintf(s->category, sizeof s->category, "%s", k->code);
    snprintf(s->name, sizeof s->name, "%s", k->name);
    snprintf(s->level1, sizeof s->level1, "%s", r->k[l1].code);
    snprintf(s->level1_name, sizeof s->level1_name, "%s", r->k[l1].name);
    keyword_score(r, c, text, s);
    /* the past cases of this class most like the text */
    for (int i = 0; i < RECENT; i++) {
        const struct recent_case *rc = &k->recent[i];
        if (!rc->sh || !rc->code[0])
            continue;
        double sim = textsim_jaccard(sh, nsh, rc->sh, rc->nsh);
        if (sim < 0.05)
            continue;
        int pos = s->nsimilar;
        if (pos == ROUTER_MAX_SIMILAR) {
            if (sim <= s->similar[pos - 1].similarity)
                continue;
            pos--;
        } else {
            s->nsimilar++;
        }
        while (pos > 0 && s->similar[pos - 1].similarity < sim) {
            s->similar[pos] = s->similar[pos - 1];
            pos--;
        }
        snprintf(s->similar[pos].code, sizeof s->similar[pos].code, "%s", rc->code);
        s->similar[pos].similarity = sim;
    }
    int total;
    s->grade = argmax(k->grade_n, GRADE__COUNT, &total);
    s->grade_share = s->grade && total ? (double)k->grade_n[s->grade] / total : 0;
    if (!s->grade)
        s->grade = GRADE_ORDINARY;
    s->level = argmax(k->level_n, LEVEL__COUNT, &total);
    s->level_share = s->level && total ? (double)k->level_n[s->level] / total : 0;
    if (!s->level)
        s->level = LEVEL_TOWNSHIP;
    for (int i = 0; heavy_words[i]; i++)
        if (strstr(text, heavy_words[i]) && s->grade < GRADE_COMPLEX) {
            s->grade = GRADE_COMPLEX;
            s->grade_share = 0;
            if (s->level > LEVEL_TOWNSHIP)
                s->level = LEVEL_TOWNSHIP;
        }
}

int router_suggest(struct router *r, const char *text, int k, struct router_suggestion *out, int *n)
{
    *n = 0;
    if (!r || !text || !*text || k <= 0)
        return FQ_EINVAL;
    int rc = 0;
    uint32_t *raw = malloc(MAX_FEATURES * sizeof *raw);
    struct feat_tf *tf = malloc(MAX_FEATURES * sizeof *tf);
    uint32_t *sh = malloc(MAX_SHINGLES * sizeof *sh);
    double *nb = NULL, *kw = NULL, (*rank)[2] = NULL;
    pthread_rwlock_rdlock(&r->lock);
    int nk = r->nk;
    if (!raw || !tf || !sh || !nk || !(nb = calloc((size_t)nk, sizeof *nb)) ||
        !(kw = calloc((size_t)nk, sizeof *kw)) || !(rank = calloc((size_t)nk, sizeof *rank))) {
        rc = nk ? FQ_ENOMEM : FQ_EINVAL;
        goto done;
    }
    int nt = term_freqs(text, raw, tf), nsh = textsim_shingles(text, sh, MAX_SHINGLES);
    /* naive Bayes: log P(c) + Σ tf · log P(f | c), over features the model has seen */
    double vocab = r->vocab_n > 0 ? (double)r->vocab_n : 1, known = 0, best = -INFINITY;
    int nkn = 0; /* only features the model has seen take part: keep them at the front */
    for (int i = 0; i < nt; i++)
        if (ht_get(&r->vocab, KEY_MARK | tf[i].f) > 0) {
            known += tf[i].tf;
            tf[nkn++] = tf[i];
        }
    for (int c = 0; c < nk; c++) {
        const struct klass *kc = &r->k[c];
        double lp = log((kc->docs + 1.0) / (r->docs + nk));
        double denom = log(kc->mass + ALPHA * vocab);
        for (int i = 0; i < nkn; i++)
            lp += tf[i].tf * (log(ht_get(&r->counts, count_key(tf[i].f, c)) + ALPHA) - denom);
        nb[c] = lp;
        if (lp > best)
            best = lp;
    }
    /* naive Bayes is overconfident (its features are far from independent): soften the
     * posterior with a temperature that grows with the length of the text */
    double temp = 1.0 + known / 8.0, z = 0, kz = 0;
    for (int c = 0; c < nk; c++)
        z += nb[c] = exp((nb[c] - best) / temp);
    for (int c = 0; c < nk; c++) {
        nb[c] /= z;
        kz += kw[c] = keyword_score(r, c, text, NULL);
    }
    /* blend: the model alone when no keyword matched; the more cases it has learned, the more
     * it is trusted over the rules */
    double w = kz > 0 ? (r->docs >= 200 ? 0.6 : r->docs >= 20 ? 0.45 : 0.3) : 1.0;
    for (int c = 0; c < nk; c++) {
        rank[c][0] = w * nb[c] + (kz > 0 ? (1 - w) * kw[c] / kz : 0);
        rank[c][1] = c;
    }
    double *l1 = calloc((size_t)nk, sizeof *l1);
    if (!l1) {
        rc = FQ_ENOMEM;
        goto done;
    }
    for (int c = 0; c < nk; c++)
        l1[r->k[c].parent_idx >= 0 ? r->k[c].parent_idx : c] += rank[c][0];
    if (nk > 1) /* qsort(NULL, 0) is undefined */
        qsort(rank, (size_t)nk, sizeof *rank, cmp_score_desc);
    for (int i = 0; i < nk && *n < k; i++) {
        int c = (int)rank[i][1];
        if (r->k[c].inactive)
            continue;
        struct router_suggestion *s = &out[*n];
        memset(s, 0, sizeof *s);
        fill_suggestion(r, c, text, sh, nsh, s);
        s->confidence = rank[i][0];
        s->model_probability = nb[c];
        s->keyword_probability = kz > 0 ? kw[c] / kz : 0;
        s->level1_confidence = l1[r->k[c].parent_idx >= 0 ? r->k[c].parent_idx : c];
        (*n)++;
    }
    free(l1);
done:
    pthread_rwlock_unlock(&r->lock);
    free(raw);
    free(tf);
    free(sh);
    free(nb);
    free(kw);
    free(rank);
    return rc;
}

/* ---- the process's model and the domain's hook ---- */

static struct router *installed;
/* held for reading while the hook learns, so router_install(NULL) waits for it to finish */
static pthread_rwlock_t installed_lock = PTHREAD_RWLOCK_INITIALIZER;

void router_install(struct router *r)
{
    pthread_rwlock_wrlock(&installed_lock);
    installed = r;
    pthread_rwlock_unlock(&installed_lock);
}

void router_observe_case(const struct fq_case *c)
{
    if (!c || !c->category[0] || c->grade <= GRADE_NONE)
        return;
    size_t n = strlen(c->title ? c->title : "") + strlen(c->description ? c->description : "") + 2;
    char *text = malloc(n);
    if (!text)
        return;
    snprintf(text, n, "%s\n%s", c->title ? c->title : "", c->description ? c->description : "");
    pthread_rwlock_rdlock(&installed_lock);
    if (installed)
        router_learn(installed, c->id, c->code, text, c->category, c->grade, c->level);
    pthread_rwlock_unlock(&installed_lock);
    free(text);
}
