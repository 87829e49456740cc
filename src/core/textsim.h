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
/* Jaccard similarity |A∩B| / |A∪B| of two sorted, deduplicated sets; 0 when both are empty.
 * The intersection is counted by a branch-free merge (SSE2 where the compiler has it), or by
 * binary search when one set is more than 16 times the other. */
double textsim_jaccard(const uint32_t *a, int na, const uint32_t *b, int nb);
/* The same, for a caller that only wants it when |A∩B| can reach `need`: otherwise -1. When
 * |A∩B| ≥ need, exactly textsim_jaccard's result (so with need ≤ 0 it is textsim_jaccard). */
double textsim_jaccard_min(const uint32_t *a, int na, const uint32_t *b, int nb, double need);
/* MinHash signature of a shingle set (TEXTSIM_MINHASH_K independent hash permutations). */
void textsim_minhash(const uint32_t *shingles, int n, uint32_t sig[TEXTSIM_MINHASH_K]);
/* Share of equal positions of two signatures: an unbiased estimate of the Jaccard similarity. */
double textsim_minhash_similarity(const uint32_t a[TEXTSIM_MINHASH_K],
                                  const uint32_t b[TEXTSIM_MINHASH_K]);
/* Number of Unicode characters of a UTF-8 string (invalid bytes count one each). */
int textsim_utf8_len(const char *s);

#endif
