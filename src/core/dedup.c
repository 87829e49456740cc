/* Repeat petitions and duplicates at intake, and merging a duplicate into its primary case. The
 * candidates come from indexed queries (parties by blind index, cases by village and time), so a
 * handful of texts is compared per intake and exact Jaccard is cheap; MinHash (core/textsim.h)
 * is there for comparing across a whole area's backlog. */
#include "core/dedup.h"
#include "core/casecode.h"
#include "core/chain.h"
#include "core/domain.h"
#include "core/textsim.h"
#include "core/workflow.h"
#include "util/clock.h"
#include "util/jsonin.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHINGLES 512

/* The overlap coefficient |A∩B| / min(|A|, |B|) of two sets from their Jaccard j. */
static double overlap_of(double j, int na, int nb)
{
    int small = na < nb ? na : nb;
    /* |A∩B| from the Jaccard: J(|A|+|B|)/(1+J) */
    return small ? j * (na + nb) / (1 + j) / small : 0;
}

/* Jaccard and overlap coefficient of two shingle sets. */
static void similarity_sets(const uint32_t *a, int na, const uint32_t *b, int nb, double *jaccard,
                            double *overlap)
{
    *jaccard = textsim_jaccard(a, na, b, nb);
    *overlap = overlap_of(*jaccard, na, nb);
}

/* The same when the overlap coefficient can reach min_overlap; else both 0 (the candidate is
 * not wanted). The intersection must reach min_overlap × min(|A|, |B|); a margin far above
 * rounding keeps every candidate whose overlap, computed as before, would reach it. */
static void similarity_min(const uint32_t *a, int na, const uint32_t *b, int nb,
                           double min_overlap, double *jaccard, double *overlap)
{
    int small = na < nb ? na : nb;
    *jaccard = textsim_jaccard_min(a, na, b, nb, min_overlap * small - 1e-6);
    if (*jaccard < 0) {
        *jaccard = *overlap = 0;
        return;
    }
    *overlap = overlap_of(*jaccard, na, nb);
}

/* Similarity of a shingle set a (na) to the text b. */
static void similarity_to(const uint32_t *a, int na, const char *b, double *jaccard,
                          double *overlap)
{
    uint32_t *y = malloc(SHINGLES * sizeof *y);
    *jaccard = *overlap = 0;
    if (!y)
        return;
    similarity_sets(a, na, y, textsim_shingles(b, y, SHINGLES), jaccard, overlap);
    free(y);
}

void dedup_similarity(const char *a, const char *b, double *jaccard, double *overlap)
{
    uint32_t *x = malloc(SHINGLES * sizeof *x);
    *jaccard = *overlap = 0;
    if (x)
        similarity_to(x, textsim_shingles(a, x, SHINGLES), b, jaccard, overlap);
    free(x);
}

static char *case_text(const char *title, const char *desc)
{
    size_t n = strlen(title ? title : "") + strlen(desc ? desc : "") + 2;
    char *t = malloc(n);
    if (t)
        snprintf(t, n, "%s\n%s", title ? title : "", desc ? desc : "");
    return t;
}

/* Copies a case code (at most FQ_CODE_LEN characters) without snprintf's cost. */
static void code_copy(char dst[FQ_CODE_LEN + 1], const char *src)
{
    size_t n = strnlen(src, FQ_CODE_LEN);
    memcpy(dst, src, n);
    dst[n] = 0;
}

static int same_level1(const char *a, const char *b)
{
    if (!a[0] || !b[0] || (a[0] == 'G') != (b[0] == 'G'))
        return 0;
    size_t n = a[0] == 'G' ? 3 : 2;
    return !strncmp(a, b, n);
}

/* ---- the shingle cache ---- */

#define CACHE_LOCKS 64

struct cache_entry {
    int64_t id; /* 0: empty */
    char code[FQ_CODE_LEN + 1];
    int n;
    uint32_t *sh;
};

struct dedup_cache {
    int mask;
    pthread_mutex_t locks[CACHE_LOCKS]; /* slot i is guarded by locks[i % CACHE_LOCKS] */
    struct cache_entry *slots;
};

struct dedup_cache *dedup_cache_new(int slots)
{
    if (slots <= 0 || (slots & (slots - 1)))
        return NULL;
    struct dedup_cache *k = calloc(1, sizeof *k);
    if (!k || !(k->slots = calloc((size_t)slots, sizeof *k->slots))) {
        free(k);
        return NULL;
    }
    k->mask = slots - 1;
    for (int i = 0; i < CACHE_LOCKS; i++)
        pthread_mutex_init(&k->locks[i], NULL);
    return k;
}

void dedup_cache_free(struct dedup_cache *k)
{
    if (!k)
        return;
    for (int i = 0; i <= k->mask; i++)
        free(k->slots[i].sh);
    for (int i = 0; i < CACHE_LOCKS; i++)
        pthread_mutex_destroy(&k->locks[i]);
    free(k->slots);
    free(k);
}

/* Compares a with the cached set of case id (similarity_min: both 0 below min_overlap): 1 and
 * the scores and code when it is cached, 0 when not. */
static int cache_similarity(struct dedup_cache *k, int64_t id, const uint32_t *a, int na,
                            double min_overlap, double *jaccard, double *overlap,
                            char code[FQ_CODE_LEN + 1])
{
    if (!k)
        return 0;
    int i = (int)(id & k->mask), hit = 0;
    pthread_mutex_lock(&k->locks[i % CACHE_LOCKS]);
    struct cache_entry *x = &k->slots[i];
    if (x->id == id) {
        similarity_min(a, na, x->sh, x->n, min_overlap, jaccard, overlap);
        memcpy(code, x->code, FQ_CODE_LEN + 1);
        hit = 1;
    }
    pthread_mutex_unlock(&k->locks[i % CACHE_LOCKS]);
    return hit;
}

/* Keeps case id's set sh (taken: malloc'ed, freed by the cache), replacing whatever held its
 * slot (sh NULL: the slot is emptied, so it never answers for an id with another case's set). */
static void cache_take(struct dedup_cache *k, int64_t id, const char *code, uint32_t *sh, int n)
{
    if (!k) {
        free(sh);
        return;
    }
    int i = (int)(id & k->mask);
    pthread_mutex_lock(&k->locks[i % CACHE_LOCKS]);
    struct cache_entry *x = &k->slots[i];
    uint32_t *old = x->sh;
    x->id = sh ? id : 0;
    code_copy(x->code, code);
    x->n = n;
    x->sh = sh;
    pthread_mutex_unlock(&k->locks[i % CACHE_LOCKS]);
    free(old);
}

/* The same with a copy of sh (out of memory: the slot is emptied). */
static void cache_put(struct dedup_cache *k, int64_t id, const char *code, const uint32_t *sh, int n)
{
    uint32_t *copy = sh && k ? malloc((size_t)(n ? n : 1) * sizeof *copy) : NULL;
    if (copy && n)
        memcpy(copy, sh, (size_t)n * sizeof *copy);
    cache_take(k, id, code, copy, n);
}

/* ---- repeat petitions ---- */

struct repeat_scan {
    const uint32_t *sh;
    int nsh;
    const char *category;
    int64_t best_id, best_root;
    char best_code[FQ_CODE_LEN + 1];
    double best;
};

static int repeat_one(const struct store_case_text *t, void *arg)
{
    struct repeat_scan *s = arg;
    char *text = case_text(t->title, t->description);
    double j, o;
    if (!text)
        return FQ_ENOMEM;
    similarity_to(s->sh, s->nsh, text, &j, &o);
    free(text);
    int similar = j >= DEDUP_REPEAT_SIMILARITY || same_level1(s->category, t->category);
    double score = j + (same_level1(s->category, t->category) ? 0.5 : 0);
    if (similar && score > s->best) {
        s->best = score;
        s->best_id = t->id;
        s->best_root = t->repeat_of ? t->repeat_of : t->id;
        snprintf(s->best_code, sizeof s->best_code, "%s", t->code);
    }
    return 0;
}

/* ---- duplicates ---- */

struct dup_scan {
    const uint32_t *sh; /* the intake's set */
    int nsh;
    int64_t skip_id;
    int n;
    struct {
        int64_t id, at;
        char code[FQ_CODE_LEN + 1];
        double score;
    } found[DEDUP_DUP_MAX];
};

/* Ranks candidate id (created at `at`) by its overlap: the DEDUP_DUP_MAX best, ties in the order
 * seen. */
static void dup_consider(struct dup_scan *s, int64_t id, int64_t at, const char *code, double j,
                         double o)
{
    if (o < DEDUP_DUP_OVERLAP || j < 0.08)
        return;
    int pos = s->n;
    if (pos == DEDUP_DUP_MAX) {
        if (o <= s->found[pos - 1].score)
            return;
        pos--;
    } else {
        s->n++;
    }
    while (pos > 0 && s->found[pos - 1].score < o) {
        s->found[pos] = s->found[pos - 1];
        pos--;
    }
    s->found[pos].id = id;
    s->found[pos].at = at;
    s->found[pos].score = o;
    code_copy(s->found[pos].code, code);
}

/* The overlap a candidate needs to be ranked: the threshold, or once DEDUP_DUP_MAX are found
 * more than the last of them (dup_consider); below it the comparison may stop early. */
static double dup_floor(const struct dup_scan *s)
{
    double f = s->n == DEDUP_DUP_MAX ? s->found[s->n - 1].score : 0;
    return f > DEDUP_DUP_OVERLAP ? f : DEDUP_DUP_OVERLAP;
}

struct dup_miss {
    struct dup_scan *s;
    struct dedup_cache *cache;
};

/* A candidate not in the cache: shingle its text once, keep the set, compare. */
static int dup_one(const struct store_case_text *t, void *arg)
{
    struct dup_miss *m = arg;
    char *text = case_text(t->title, t->description);
    uint32_t *y = malloc(SHINGLES * sizeof *y);
    double j, o;
    if (!text || !y) {
        free(text);
        free(y);
        return FQ_ENOMEM;
    }
    int ny = textsim_shingles(text, y, SHINGLES);
    free(text);
    similarity_min(m->s->sh, m->s->nsh, y, ny, dup_floor(m->s), &j, &o);
    cache_put(m->cache, t->id, t->code, y, ny);
    free(y);
    dup_consider(m->s, t->id, t->created_at, t->code, j, o);
    return 0;
}

/* The village's newest cases against the intake's set, from the cache where it can. */
static int dup_scan_near(struct store_rd *rd, struct dedup_cache *cache, const struct fq_case *c,
                         int64_t now, struct dup_scan *ds)
{
    int64_t ids[DEDUP_DUP_CANDIDATES], ats[DEDUP_DUP_CANDIDATES];
    int n, rc = store_case_ids_near(rd, c->division, now - DEDUP_DUP_WINDOW_MS, now + 1, c->id,
                                    DEDUP_DUP_CANDIDATES, ids, ats, &n);
    struct dup_miss miss = {.s = ds, .cache = cache};
    for (int i = 0; i < n && rc == 0; i++) {
        char code[FQ_CODE_LEN + 1];
        double j, o;
        if (ids[i] == ds->skip_id)
            continue;
        if (cache_similarity(cache, ids[i], ds->sh, ds->nsh, dup_floor(ds), &j, &o, code))
            dup_consider(ds, ids[i], ats[i], code, j, o);
        else
            rc = store_case_text_get(rd, ids[i], dup_one, &miss);
    }
    return rc;
}

int dedup_intake_detect(struct store_rd *rd, struct dedup_cache *cache, struct fq_case *c,
                        const struct fq_party *parties, int nparties, int64_t now,
                        struct dedup_found *found)
{
    memset(found, 0, sizeof *found);
    unsigned char(*bidx)[16] = NULL;
    int nb = 0, rc = 0;
    char *text = case_text(c->title, c->description);
    uint32_t *sh = malloc(SHINGLES * sizeof *sh);
    if (!text || !sh) {
        free(text);
        free(sh);
        return FQ_ENOMEM;
    }
    int nsh = textsim_shingles(text, sh, SHINGLES);
    if (nparties > 0 && !(bidx = malloc((size_t)nparties * 2 * sizeof *bidx))) {
        rc = FQ_ENOMEM;
        goto done;
    }
    for (int i = 0; i < nparties; i++) {
        if (parties[i].id_enc_len)
            memcpy(bidx[nb++], parties[i].id_bidx, 16);
        if (parties[i].phone_enc_len)
            memcpy(bidx[nb++], parties[i].phone_bidx, 16);
    }
    struct repeat_scan rs = {.sh = sh, .nsh = nsh, .category = c->category};
    if (nb && (rc = store_cases_by_party(rd, (const unsigned char(*)[16])bidx, nb,
                                         now - DEDUP_REPEAT_WINDOW_MS, c->id, repeat_one, &rs)))
        goto done;
    if (rs.best_id) {
        c->repeat_of = rs.best_root;
        found->repeat_id = rs.best_id;
        memcpy(found->repeat_code, rs.best_code, sizeof found->repeat_code);
    }
    struct dup_scan ds = {.skip_id = rs.best_id, .sh = sh, .nsh = nsh};
    if (c->division[0] && (rc = dup_scan_near(rd, cache, c, now, &ds)))
        goto done;
    for (int i = 0; i < ds.n && i < DEDUP_DUP_MAX; i++) {
        found->dup_ids[found->n] = ds.found[i].id;
        found->dup_ats[found->n] = ds.found[i].at;
        found->dup_scores[found->n] = ds.found[i].score;
        memcpy(found->dup_codes[found->n++], ds.found[i].code, FQ_CODE_LEN + 1);
    }
    /* the list as cases.dups holds it, made here rather than on the writer */
    free(c->dups);
    c->dups = NULL;
    rc = store_dups_text(found->dup_ids, found->dup_scores, found->n, &c->dups);
done:
    free(bidx);
    if (rc == 0) {
        /* for dedup_intake_remember once the case has its id, which keeps it: cut to size here,
         * so that the writer need not copy it */
        uint32_t *fit = realloc(sh, (size_t)(nsh ? nsh : 1) * sizeof *sh);
        found->sh = fit ? fit : sh;
        found->nsh = nsh;
    } else {
        free(sh);
    }
    free(text);
    return rc;
}

void dedup_found_clear(struct dedup_found *found)
{
    if (!found)
        return;
    free(found->sh);
    found->sh = NULL;
    found->nsh = 0;
}

void dedup_intake_remember(struct dedup_cache *cache, const struct fq_case *c,
                           struct dedup_found *found)
{
    if (c->id > 0) {
        cache_take(cache, c->id, c->code, found->sh, found->nsh);
        found->sh = NULL;
    }
}

int dedup_start(struct fq_domain *d)
{
    int64_t now = fq_now_ms();
    return store_near_start(d->store, now - DEDUP_DUP_WINDOW_MS - 3600000,
                            now - DEDUP_REPEAT_WINDOW_MS - 3600000);
}

int dedup_intake_window(struct fq_case *c, struct dedup_found *found)
{
    int k = 0;
    for (int i = 0; i < found->n; i++) {
        int64_t at = found->dup_ats[i];
        if (at < c->created_at - DEDUP_DUP_WINDOW_MS - DEDUP_DUP_SLACK_MS ||
            at > c->created_at + DEDUP_DUP_SLACK_MS)
            continue;
        found->dup_ids[k] = found->dup_ids[i];
        found->dup_scores[k] = found->dup_scores[i];
        memmove(found->dup_codes[k], found->dup_codes[i], sizeof found->dup_codes[k]);
        found->dup_ats[k++] = at;
    }
    if (k == found->n)
        return 0; /* the common case: c->dups as the intake made it */
    found->n = k;
    free(c->dups);
    return store_dups_text(found->dup_ids, found->dup_scores, k, &c->dups);
}

int dedup_case_duplicates(struct store_rd *rd, int64_t case_id, json_t **out)
{
    return store_case_duplicates(rd, case_id, DEDUP_DUP_SLACK_MS,
                                 DEDUP_DUP_WINDOW_MS + DEDUP_DUP_SLACK_MS, out);
}

int dedup_intake_record_tx(struct store_tx *tx, const struct fq_case *c, const struct dedup_found *found)
{
    return found->repeat_id ? store_tx_link_insert(tx, c->id, found->repeat_id, "repeat") : 0;
}

/* ---- merge ---- */

#define MERGE_ROLES ((1u << ROLE_DISPATCHER) | (1u << ROLE_SUPERVISOR) | (1u << ROLE_ADMIN))

static int code_arg(const char *in, char out[FQ_CODE_LEN + 1], const char *field,
                    struct fq_error *e)
{
    if (!in || casecode_check(in))
        return fq_fail(e, FQ_EINVAL, "invalid_code", field, "案件编码校验失败 (invalid case code)");
    snprintf(out, FQ_CODE_LEN + 1, "%s", in);
    if (out[20] == 'x')
        out[20] = 'X';
    return 0;
}

int dedup_merge_prepare(const struct case_actor *actor, const char *code, json_t *body,
                        struct dedup_merge *out, struct fq_error *e)
{
    static const char *const allowed[] = {"into", "reason", NULL};
    const char *into, *reason;
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = code_arg(code, out->code, "code", e)))
        return rc;
    if (actor->is_public || !(actor->is_system || (actor->roles & MERGE_ROLES)))
        return fq_fail(e, FQ_EFORBIDDEN, "forbidden_role", "",
                       "您的角色无权合并案件 (your role may not merge)");
    if ((rc = jin_only(body, allowed, e)) || (rc = jin_str(body, "into", 1, 1, 32, &into, e)) ||
        (rc = jin_str(body, "reason", 0, 1, 500, &reason, e)) ||
        (rc = code_arg(into, out->into, "into", e)))
        return rc;
    if (!strcmp(out->code, out->into))
        return fq_fail(e, FQ_EINVAL, "same_case", "into",
                       "不能把案件合并到自身 (cannot merge a case into itself)");
    snprintf(out->reason, sizeof out->reason, "%s", reason ? reason : "同一事项多渠道重复反映");
    out->actor = *actor;
    return 0;
}

/* Appends an event to c's chain (the same rule as core/case.c). */
static int append(struct store_tx *tx, struct fq_case *c, const struct case_actor *actor,
                  int action, int from, json_t *payload, int64_t now)
{
    struct fq_event ev;
    memset(&ev, 0, sizeof ev);
    ev.case_id = c->id;
    ev.seq = c->event_seq + 1;
    ev.at = now;
    ev.actor_id = actor->user_id;
    snprintf(ev.actor_name, sizeof ev.actor_name, "%s", actor->name[0] ? actor->name : "系统");
    ev.action = action;
    ev.from_status = from;
    ev.to_status = c->status;
    ev.payload = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    if (!ev.payload)
        return FQ_ENOMEM;
    memcpy(ev.prev_hash, c->last_hash, FQ_HASH_LEN);
    chain_hash(c->code, &ev, ev.hash);
    int rc = store_tx_event_insert(tx, &ev);
    if (rc == 0) {
        c->event_seq = ev.seq;
        memcpy(c->last_hash, ev.hash, FQ_HASH_LEN);
        c->updated_at = now;
    }
    free(ev.payload);
    return rc;
}

static int load_in_scope(struct store_tx *tx, const struct case_actor *actor, const char *code,
                         const char *field, struct fq_case *c, struct fq_assignment **as, int *nas,
                         struct fq_error *e)
{
    int rc = store_tx_case_get(tx, code, c);
    if (rc)
        return rc == FQ_ENOTFOUND ? fq_fail(e, rc, "not_found", field, "案件不存在 (no such case)")
                                  : rc;
    if ((rc = store_tx_assignments(tx, c->id, as, nas)))
        return rc;
    if (!case_in_scope(actor, c, *as, *nas))
        return fq_fail(e, FQ_ENOTFOUND, "not_found", field, "案件不存在 (no such case)");
    return 0;
}

int dedup_merge_tx(struct store_tx *tx, const struct dedup_merge *m, int64_t now,
                   struct fq_case *dup, struct fq_case *primary, struct fq_error *e)
{
    struct fq_case d, p;
    struct fq_assignment *das = NULL, *pas = NULL;
    int nd = 0, np = 0, rc;
    json_t *pd = NULL, *pp = NULL;
    memset(&d, 0, sizeof d);
    memset(&p, 0, sizeof p);
    if ((rc = load_in_scope(tx, &m->actor, m->code, "code", &d, &das, &nd, e)) ||
        (rc = load_in_scope(tx, &m->actor, m->into, "into", &p, &pas, &np, e)))
        goto done;
    if (d.status == ST_ARCHIVED) {
        rc = fq_fail(e, FQ_ECONFLICT, "already_archived", "code",
                     "该案件已归档，不能合并 (already archived)");
        goto done;
    }
    /* a merged case is archived, so this also refuses cycles (A into B, then B into A) */
    if (p.status == ST_ARCHIVED) {
        rc = fq_fail(e, FQ_ECONFLICT, "primary_archived", "into",
                     "主案件已归档，不能并入 (primary archived)");
        goto done;
    }
    if ((rc = store_tx_link_insert(tx, d.id, p.id, "duplicate"))) {
        if (rc == FQ_ECONFLICT)
            fq_fail(e, rc, "already_merged", "into", "已合并 (already merged)");
        goto done;
    }
    for (int i = 0; i < nd; i++)
        if (das[i].status == AS_PENDING || das[i].status == AS_ACCEPTED) {
            das[i].status = AS_CANCELLED;
            if ((rc = store_tx_assignment_update(tx, &das[i])))
                goto done;
        }
    int from = d.status;
    d.status = ST_ARCHIVED;
    if (!d.closed_at)
        d.closed_at = now;
    d.archived_at = now;
    d.lead_department = 0;
    pd = json_pack("{s:s, s:s, s:s}", "merged_into", p.code, "reason", m->reason, "merge",
                   "duplicate");
    pp = json_pack("{s:s, s:s, s:s, s:s}", "text", "合并重复案件", "merged", d.code, "channel",
                   channel_name(d.channel), "reason", m->reason);
    if (!pd || !pp) {
        rc = FQ_ENOMEM;
        goto done;
    }
    if ((rc = append(tx, &d, &m->actor, ACT_ARCHIVE, from, pd, now)) ||
        (rc = store_tx_case_update(tx, &d)) ||
        (rc = append(tx, &p, &m->actor, ACT_NOTE, p.status, pp, now)) ||
        (rc = store_tx_case_update(tx, &p)))
        goto done;
    if (dup) {
        *dup = d;
        memset(&d, 0, sizeof d);
    }
    if (primary) {
        *primary = p;
        memset(&p, 0, sizeof p);
    }
done:
    json_decref(pd);
    json_decref(pp);
    free(das);
    free(pas);
    fq_case_clear(&d);
    fq_case_clear(&p);
    return rc;
}
