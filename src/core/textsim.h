/* Text features for Chinese case descriptions, shared by routing (core/router.c), duplicate and
 * repeat detection (core/dedup.c) and scenario recommendation (core/scenario.c).
 *
 * Chinese has no spaces, so a text is cut into characters: runs of CJK ideographs give their
 * single characters and overlapping bigrams (纠纷 → 纠, 纷, 纠纷); runs of ASCII letters and digits
 * give one lower-cased word each; full-width forms are folded to ASCII first (ＡＢＣ１２ → abc12);
 * everything else separates runs. Tokens are reduced to 32-bit FNV-1a hashes. */
#ifndef FQ_CORE_TEXTSIM_H
#define FQ_CORE_TEXTSIM_H

#include <stddef.h>
#include <stdint.h>

#define TEXTSIM_MINHASH_K 64 /* MinHash signature length: similarity error ~ 1/sqrt(64) = 0.125 */

/* Classification features of text in reading order, at most max of them (the rest ignored):
 * CJK unigrams and bigrams and ASCII words; pure digit runs are left out (amounts, dates and
 * house numbers say nothing about the matter). Returns the count. */
int textsim_features(const char *text, uint32_t *out, int max);
/* The shingle set of text for similarity: CJK bigrams (a lone CJK character as itself) and ASCII
 * words including numbers, hashed, sorted and deduplicated, at most max. Returns the count. */
int textsim_shingles(const char *text, uint32_t *out, int max);
/* Jaccard similarity |A∩B| / |A∪B| of two sorted, deduplicated sets; 0 when both are empty. */
double textsim_jaccard(const uint32_t *a, int na, const uint32_t *b, int nb);
/* A shingle set (sorted, deduplicated, at most TEXTSIM_PROBE_MAX members) prepared for the
 * Jaccard similarity with many others: an open-addressing hash set, so that each comparison
 * looks up the other set's members independently instead of merging two sorted lists, whose
 * every step is a branch the CPU cannot predict (about half the cost). Same result as
 * textsim_jaccard, to the bit. */
#define TEXTSIM_PROBE_MAX 512
struct textsim_probe {
    int n, shift, has_zero;
    uint32_t slot[4 * TEXTSIM_PROBE_MAX]; /* 0: empty (a member 0 is has_zero) */
};
/* Prepares p from a[0..na); na above TEXTSIM_PROBE_MAX is cut to it. */
void textsim_probe_init(struct textsim_probe *p, const uint32_t *a, int na);
/* textsim_jaccard(a, na, b, nb) for the a of p. */
double textsim_probe_jaccard(const struct textsim_probe *p, const uint32_t *b, int nb);
/* The same, for a caller that only wants it when |A∩B| can reach `need`: stops as soon as the
 * members of b left to look up cannot bring the intersection to need, and then returns -1.
 * Otherwise exactly textsim_probe_jaccard's result. */
double textsim_probe_jaccard_min(const struct textsim_probe *p, const uint32_t *b, int nb,
                                 double need);
/* MinHash signature of a shingle set (TEXTSIM_MINHASH_K independent hash permutations). */
void textsim_minhash(const uint32_t *shingles, int n, uint32_t sig[TEXTSIM_MINHASH_K]);
/* Share of equal positions of two signatures: an unbiased estimate of the Jaccard similarity. */
double textsim_minhash_similarity(const uint32_t a[TEXTSIM_MINHASH_K],
                                  const uint32_t b[TEXTSIM_MINHASH_K]);
/* Number of Unicode characters of a UTF-8 string (invalid bytes count one each). */
int textsim_utf8_len(const char *s);

#endif
