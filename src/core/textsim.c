/* Character n-gram features, shingle sets, Jaccard and MinHash for Chinese text. See textsim.h
 * for the tokenising rules; this file keeps them in one scanner so that every user of text
 * similarity agrees on what a token is. */
#include "core/textsim.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum { T_NONE, T_CJK, T_WORD };

/* Decodes one UTF-8 character at *p (advancing it); invalid bytes decode as U+FFFD. */
static uint32_t utf8_next(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t c = s[0];
    int n = c < 0x80             ? 0
            : (c & 0xE0) == 0xC0 ? 1
            : (c & 0xF0) == 0xE0 ? 2
            : (c & 0xF8) == 0xF0 ? 3
                                 : -1;
    if (n < 0) {
        *p = s + 1;
        return 0xFFFD;
    }
    c = n == 0 ? c : n == 1 ? c & 0x1F : n == 2 ? c & 0x0F : c & 0x07;
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *p = s + i;
            return 0xFFFD;
        }
        c = (c << 6) | (s[i] & 0x3F);
    }
    *p = s + n + 1;
    return c;
}

static int is_cjk(uint32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF);
}

/* Full-width ASCII (！..～) to ASCII, upper-case to lower-case. */
static uint32_t fold(uint32_t c)
{
    if (c >= 0xFF01 && c <= 0xFF5E)
        c -= 0xFEE0;
    if (c >= 'A' && c <= 'Z')
        c += 'a' - 'A';
    return c;
}

static int is_word_char(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u

static uint32_t fnv_step(uint32_t h, uint32_t c)
{
    for (int i = 0; i < 4; i++) {
        h ^= (c >> (8 * i)) & 0xFF;
        h *= FNV_PRIME;
    }
    return h;
}

static uint32_t hash_chars(uint32_t tag, const uint32_t *cs, int n)
{
    uint32_t h = fnv_step(FNV_OFFSET, tag);
    for (int i = 0; i < n; i++)
        h = fnv_step(h, cs[i]);
    return h;
}

/* The scanner: calls emit(hash, arg) for each token. mode 0 = features, 1 = shingles. */
typedef int (*emit_fn)(uint32_t h, void *arg); /* non-zero: stop */

#define WORD_MAX 32

static void scan(const char *text, int mode, emit_fn emit, void *arg)
{
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    uint32_t prev = 0, word[WORD_MAX];
    int run = T_NONE, cjk_run = 0, wn = 0, digits_only = 1;
    for (;;) {
        uint32_t c = *p ? fold(utf8_next(&p)) : 0;
        int cls = c == 0 ? T_NONE : is_cjk(c) ? T_CJK : is_word_char(c) ? T_WORD : T_NONE;
        if (run == T_WORD && cls != T_WORD && wn > 0) {
            if (!(mode == 0 && digits_only) && emit(hash_chars(3, word, wn), arg))
                return;
            wn = 0;
        }
        if (run == T_CJK && cls != T_CJK && mode == 1 && cjk_run == 1) {
            if (emit(hash_chars(1, &prev, 1), arg)) /* a lone character stands for itself */
                return;
        }
        if (cls == T_CJK) {
            if (mode == 0 && emit(hash_chars(1, &c, 1), arg))
                return;
            if (run == T_CJK) {
                uint32_t bi[2] = {prev, c};
                if (emit(hash_chars(2, bi, 2), arg))
                    return;
                cjk_run++;
            } else {
                cjk_run = 1;
            }
            prev = c;
        } else if (cls == T_WORD) {
            if (run != T_WORD)
                digits_only = 1;
            if (!(c >= '0' && c <= '9'))
                digits_only = 0;
            if (wn < WORD_MAX)
                word[wn++] = c;
        }
        run = cls;
        if (c == 0)
            return;
    }
}

struct collect {
    uint32_t *out;
    int n, max;
};

static int collect(uint32_t h, void *arg)
{
    struct collect *k = arg;
    if (k->n >= k->max)
        return 1;
    k->out[k->n++] = h;
    return 0;
}

int textsim_features(const char *text, uint32_t *out, int max)
{
    struct collect k = {out, 0, max};
    if (max > 0)
        scan(text, 0, collect, &k);
    return k.n;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int textsim_shingles(const char *text, uint32_t *out, int max)
{
    struct collect k = {out, 0, max};
    if (max <= 0)
        return 0;
    scan(text, 1, collect, &k);
    if (k.n > 64) {
        qsort(out, (size_t)k.n, sizeof *out, cmp_u32);
    } else { /* a short text (the usual case): insertion sort, no comparison callback */
        for (int i = 1; i < k.n; i++) {
            uint32_t x = out[i];
            int j = i;
            for (; j > 0 && out[j - 1] > x; j--)
                out[j] = out[j - 1];
            out[j] = x;
        }
    }
    int m = 0;
    for (int i = 0; i < k.n; i++)
        if (m == 0 || out[m - 1] != out[i])
            out[m++] = out[i];
    return m;
}

/* |A∩B| of sorted, deduplicated sets by a merge without unpredictable branches: blocks of four
 * members of each are compared all against all with SSE2 (Lemire, Boytsov and Kurz, "SIMD
 * compression and the intersection of sorted integers", 2016) and the block with the smaller
 * last member moves on; the tails merge one by one. */
static int merge_count(const uint32_t *a, int na, const uint32_t *b, int nb)
{
    int i = 0, j = 0, inter = 0;
#if defined(__SSE2__)
    /* set bits of a 4-bit mask: without -mpopcnt __builtin_popcount is a library call */
    static const unsigned char bits4[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};
    while (i + 4 <= na && j + 4 <= nb) {
        __m128i va = _mm_loadu_si128((const __m128i *)(a + i));
        __m128i vb = _mm_loadu_si128((const __m128i *)(b + j));
        __m128i m0 = _mm_cmpeq_epi32(va, vb);
        __m128i m1 = _mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, _MM_SHUFFLE(0, 3, 2, 1)));
        __m128i m2 = _mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, _MM_SHUFFLE(1, 0, 3, 2)));
        __m128i m3 = _mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, _MM_SHUFFLE(2, 1, 0, 3)));
        __m128i m = _mm_or_si128(_mm_or_si128(m0, m1), _mm_or_si128(m2, m3));
        inter += bits4[_mm_movemask_ps(_mm_castsi128_ps(m))];
        uint32_t amax = a[i + 3], bmax = b[j + 3];
        i += (amax <= bmax) * 4;
        j += (bmax <= amax) * 4;
    }
#endif
    while (i < na && j < nb) {
        uint32_t x = a[i], y = b[j];
        inter += x == y;
        i += x <= y;
        j += y <= x;
    }
    return inter;
}

/* The first index of a[0..n), n ≥ 1, whose member is not below x (n when none). */
static int lower_bound(const uint32_t *a, int n, uint32_t x)
{
    const uint32_t *base = a;
    while (n > 1) {
        int half = n / 2;
        base = base[half] < x ? base + half : base;
        n -= half;
    }
    return (int)(base - a) + (*base < x);
}

/* |A∩B|: the merge, or when one set is much the larger a binary search in it for each member of
 * the smaller (a long description against short ones). */
static int intersection_count(const uint32_t *a, int na, const uint32_t *b, int nb)
{
    if (na > nb) {
        const uint32_t *t = a;
        a = b;
        b = t;
        int tn = na;
        na = nb;
        nb = tn;
    }
    if (nb <= 16 * na)
        return merge_count(a, na, b, nb);
    int inter = 0, from = 0;
    for (int i = 0; i < na && from < nb; i++) {
        from += lower_bound(b + from, nb - from, a[i]);
        inter += from < nb && b[from] == a[i];
    }
    return inter;
}

double textsim_jaccard(const uint32_t *a, int na, const uint32_t *b, int nb)
{
    if (na + nb == 0)
        return 0;
    int inter = intersection_count(a, na, b, nb);
    return (double)inter / (double)(na + nb - inter);
}

double textsim_jaccard_min(const uint32_t *a, int na, const uint32_t *b, int nb, double need)
{
    /* |A∩B| ≤ min(|A|, |B|): a set too small for need is not compared at all */
    if ((double)(na < nb ? na : nb) < need)
        return -1;
    if (na + nb == 0)
        return 0;
    int inter = intersection_count(a, na, b, nb);
    if ((double)inter < need)
        return -1;
    return (double)inter / (double)(na + nb - inter);
}

/* The k-th hash permutation: a 32-bit mix (murmur3's finaliser) of the shingle xor a seed. */
static uint32_t perm(uint32_t x, int k)
{
    x ^= 0x9E3779B9u * (uint32_t)(k + 1);
    x ^= x >> 16;
    x *= 0x85EBCA6Bu;
    x ^= x >> 13;
    x *= 0xC2B2AE35u;
    x ^= x >> 16;
    return x;
}

void textsim_minhash(const uint32_t *shingles, int n, uint32_t sig[TEXTSIM_MINHASH_K])
{
    for (int k = 0; k < TEXTSIM_MINHASH_K; k++) {
        uint32_t m = UINT32_MAX;
        for (int i = 0; i < n; i++) {
            uint32_t v = perm(shingles[i], k);
            if (v < m)
                m = v;
        }
        sig[k] = m;
    }
}

double textsim_minhash_similarity(const uint32_t a[TEXTSIM_MINHASH_K],
                                  const uint32_t b[TEXTSIM_MINHASH_K])
{
    int eq = 0;
    for (int k = 0; k < TEXTSIM_MINHASH_K; k++)
        eq += a[k] == b[k] && a[k] != UINT32_MAX;
    return (double)eq / TEXTSIM_MINHASH_K;
}

int textsim_utf8_len(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    int n = 0;
    while (*p) {
        utf8_next(&p);
        n++;
    }
    return n;
}
