/* The search's query matched in C, with FTS5's phrase semantics over the fq_cjk tokens (see
 * fts_match.h). A document is tokenized once; each occurrence of a query token is recorded with
 * its position and bytes, and a word's instances are the positions where its tokens follow one
 * another. The snippet chooses its window as FTS5's snippet() does (most distinct words, then
 * most instances, then centred on them). */
#include "store/fts_match.h"

#include "util/err.h"

#include <stdlib.h>
#include <string.h>

static int is_space(const char *p, int *len)
{
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v') {
        *len = 1;
        return 1;
    }
    if (!strncmp(p, "\xe3\x80\x80", 3)) { /* U+3000 ideographic space */
        *len = 3;
        return 1;
    }
    return 0;
}

static int add_query_token(void *ctx, int flags, const char *tok, int n, int start, int end)
{
    struct fts_query *fq = ctx;
    (void)flags, (void)start, (void)end;
    if (fq->ntoks >= FTS_MATCH_TOKENS || n > FTS_TOKEN_MAX)
        return FQ_EINVAL;
    memcpy(fq->tok[fq->ntoks].t, tok, (size_t)n);
    fq->tok[fq->ntoks++].n = n;
    return 0;
}

int fts_query_parse(const char *q, struct fts_query *fq)
{
    memset(fq, 0, sizeof *fq);
    const char *p = q;
    int sl;
    while (p && *p) {
        while (*p && is_space(p, &sl))
            p += sl;
        if (!*p)
            break;
        const char *w = p;
        while (*p && !is_space(p, &sl))
            p++;
        int first = fq->ntoks;
        if (fts_tokenize(w, (int)(p - w), 1, add_query_token, fq))
            return FQ_EINVAL;
        if (fq->ntoks == first)
            continue; /* punctuation only */
        if (fq->nword == FTS_MATCH_WORDS)
            return FQ_EINVAL;
        fq->word_start[fq->nword] = (int)(w - q);
        fq->word_end[fq->nword] = (int)(p - q);
        fq->first[fq->nword] = first;
        fq->ntok[fq->nword++] = fq->ntoks - first;
    }
    return fq->nword ? 0 : FQ_EINVAL;
}

/* ---- one document ---- */

struct occ {
    int pos, start, end;
};

struct inst {
    int word, p0, p1, start, end; /* positions p0..p1, bytes [start, end) */
};

struct doc {
    const struct fts_query *fq;
    int pos; /* position of the last token, -1 before the first */
    struct occ *occ[FTS_MATCH_TOKENS];
    int nocc[FTS_MATCH_TOKENS], cap[FTS_MATCH_TOKENS];
    int *pstart, *pend; /* bytes of each position's first token (when want_pos) */
    int pcap, want_pos, err;
};

static int grow(void **v, int *cap, int need, size_t size)
{
    if (need <= *cap)
        return 0;
    int c = *cap ? *cap * 2 : 16;
    while (c < need)
        c *= 2;
    void *nv = realloc(*v, (size_t)c * size);
    if (!nv)
        return FQ_ENOMEM;
    *v = nv;
    *cap = c;
    return 0;
}

static int doc_token(void *ctx, int flags, const char *tok, int n, int start, int end)
{
    struct doc *d = ctx;
    if (!(flags & FTS_COLOCATED) || d->pos < 0) {
        d->pos++;
        if (d->want_pos) {
            int c = d->pcap;
            if (grow((void **)&d->pstart, &c, d->pos + 1, sizeof *d->pstart) ||
                grow((void **)&d->pend, &d->pcap, d->pos + 1, sizeof *d->pend))
                return d->err = FQ_ENOMEM;
            d->pstart[d->pos] = start;
            d->pend[d->pos] = end;
        }
    }
    for (int i = 0; i < d->fq->ntoks; i++) {
        if (d->fq->tok[i].n != n || memcmp(d->fq->tok[i].t, tok, (size_t)n))
            continue;
        int k = d->nocc[i];
        if (k && d->occ[i][k - 1].pos == d->pos)
            continue; /* the same token twice at one position */
        if (grow((void **)&d->occ[i], &d->cap[i], k + 1, sizeof *d->occ[i]))
            return d->err = FQ_ENOMEM;
        d->occ[i][k] = (struct occ){d->pos, start, end};
        d->nocc[i]++;
    }
    return 0;
}

static void doc_free(struct doc *d)
{
    for (int i = 0; i < FTS_MATCH_TOKENS; i++)
        free(d->occ[i]);
    free(d->pstart);
    free(d->pend);
}

static int doc_scan(struct doc *d, const struct fts_query *fq, const char *text, int n,
                    int want_pos)
{
    memset(d, 0, sizeof *d);
    d->fq = fq;
    d->pos = -1;
    d->want_pos = want_pos;
    if (text && n != 0)
        fts_tokenize(text, n, 0, doc_token, d);
    return d->err;
}

/* The occurrence of query token t at position pos, or NULL. */
static const struct occ *occ_at(const struct doc *d, int t, int pos)
{
    int lo = 0, hi = d->nocc[t];
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (d->occ[t][mid].pos < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->nocc[t] && d->occ[t][lo].pos == pos ? &d->occ[t][lo] : NULL;
}

/* Calls fn for every instance of every word, word by word, in position order within a word. */
static int each_instance(const struct doc *d, int (*fn)(void *, const struct inst *), void *arg)
{
    const struct fts_query *fq = d->fq;
    for (int w = 0; w < fq->nword; w++) {
        int t0 = fq->first[w], nt = fq->ntok[w];
        for (int k = 0; k < d->nocc[t0]; k++) {
            const struct occ *o0 = &d->occ[t0][k], *last = o0;
            for (int i = 1; last && i < nt; i++)
                last = occ_at(d, t0 + i, o0->pos + i);
            if (!last)
                continue;
            struct inst in = {w, o0->pos, o0->pos + nt - 1, o0->start, last->end};
            int rc = fn(arg, &in);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int count_instance(void *arg, const struct inst *in)
{
    ((struct fts_hits *)arg)->tf[in->word]++;
    return 0;
}

int fts_query_scan(const struct fts_query *fq, const char *text, int n, struct fts_hits *h)
{
    struct doc d;
    memset(h, 0, sizeof *h);
    int rc = doc_scan(&d, fq, text, n, 0);
    if (rc == 0) {
        h->size = d.pos + 1;
        each_instance(&d, count_instance, h);
    }
    doc_free(&d);
    return rc;
}

/* ---- snippets ---- */

struct insts {
    struct inst *v;
    int n, cap;
};

static int collect_instance(void *arg, const struct inst *in)
{
    struct insts *s = arg;
    if (grow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v))
        return FQ_ENOMEM;
    s->v[s->n++] = *in;
    return 0;
}

static int inst_cmp(const void *a, const void *b)
{
    const struct inst *x = a, *y = b;
    return x->p0 != y->p0 ? (x->p0 > y->p0) - (x->p0 < y->p0)
                          : (x->start > y->start) - (x->start < y->start);
}

/* The first position of the best window of `window` positions among npos. */
static int best_window(const struct insts *s, int npos, int window)
{
    int best = 0, best_score = -1;
    for (int i = 0; i < s->n; i++) {
        unsigned seen = 0;
        int score = 0, last = s->v[i].p1;
        for (int j = i; j < s->n && s->v[j].p0 < s->v[i].p0 + window; j++) {
            if (s->v[j].p1 >= s->v[i].p0 + window)
                continue;
            score += seen & (1u << s->v[j].word) ? 1 : 1000;
            seen |= 1u << s->v[j].word;
            if (s->v[j].p1 > last)
                last = s->v[j].p1;
        }
        if (score > best_score) {
            best_score = score;
            /* centre the matches in the window, as FTS5 does */
            best = s->v[i].p0 - (window - (last - s->v[i].p0 + 1)) / 2;
        }
    }
    if (best + window > npos)
        best = npos - window;
    return best < 0 ? 0 : best;
}

int fts_query_snippet(const struct fts_query *fq, const char *text, int window, const char *open,
                      const char *close, struct buf *out, int *marks)
{
    struct doc d;
    struct insts s = {0};
    int n = text ? (int)strlen(text) : 0;
    *marks = 0;
    int rc = doc_scan(&d, fq, text, n, 1);
    if (rc || (rc = each_instance(&d, collect_instance, &s)))
        goto done;
    int npos = d.pos + 1;
    if (npos == 0)
        goto done;
    if (s.n > 1)
        qsort(s.v, (size_t)s.n, sizeof *s.v, inst_cmp);
    int w0 = best_window(&s, npos, window), w1 = w0 + window - 1;              /* positions */
    int b0 = w0 == 0 ? 0 : d.pstart[w0], b1 = w1 >= npos - 1 ? n : d.pend[w1]; /* bytes */
    if (w0 > 0 && (rc = buf_adds(out, "…")))
        goto done;
    int at = b0;
    for (int i = 0; i < s.n && !rc; i++) {
        if (s.v[i].p0 < w0 || s.v[i].p1 > w1 || s.v[i].end <= at)
            continue;
        int ms = s.v[i].start > at ? s.v[i].start : at, me = s.v[i].end;
        /* merge the instances that overlap or touch this one */
        while (i + 1 < s.n && s.v[i + 1].p1 <= w1 && s.v[i + 1].start <= me) {
            i++;
            if (s.v[i].end > me)
                me = s.v[i].end;
        }
        if (me > b1)
            me = b1;
        if ((rc = buf_add(out, text + at, (size_t)(ms - at))) || (rc = buf_adds(out, open)) ||
            (rc = buf_add(out, text + ms, (size_t)(me - ms))) || (rc = buf_adds(out, close)))
            break;
        ++*marks;
        at = me;
    }
    if (!rc && at < b1)
        rc = buf_add(out, text + at, (size_t)(b1 - at));
    if (!rc && w1 < npos - 1)
        rc = buf_adds(out, "…");
done:
    free(s.v);
    doc_free(&d);
    return rc;
}
