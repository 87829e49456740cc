/* Tests for core/textsim.c: tokenising Chinese text into character unigrams and bigrams (runs,
 * punctuation, full-width folding, digits, caps, invalid UTF-8), shingle sets, Jaccard (merged
 * by SIMD blocks or binary search, against a plain merge), and MinHash as an estimate of Jaccard. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/textsim.h"

static void test_features(void **state)
{
    (void)state;
    uint32_t f[64], g[64];
    /* 纠纷: two unigrams and one bigram */
    assert_int_equal(textsim_features("纠纷", f, 64), 3);
    /* a digit run is no feature, a word is; full-width folds to half-width and case folds */
    assert_int_equal(textsim_features("2024", f, 64), 0);
    int n = textsim_features("ＫＴＶ", f, 64), m = textsim_features("ktv", g, 64);
    assert_int_equal(n, 1);
    assert_int_equal(m, 1);
    assert_int_equal(f[0], g[0]);
    /* punctuation separates runs: 欠薪，讨薪 has no bigram 薪讨 */
    assert_int_equal(textsim_features("欠薪，讨薪", f, 64), 6);
    assert_int_equal(textsim_features("欠薪讨薪", g, 64), 7);
    /* the cap holds */
    assert_int_equal(textsim_features("一二三四五六七八九十", f, 5), 5);
    /* invalid UTF-8 does not crash and yields nothing */
    assert_int_equal(textsim_features("\xff\xfe\xc3", f, 64), 0);
    assert_int_equal(textsim_features(NULL, f, 64), 0);
    assert_int_equal(textsim_utf8_len("邻里a"), 3);
}

static void test_shingles_jaccard(void **state)
{
    (void)state;
    uint32_t a[64], b[64];
    int na = textsim_shingles("路灯坏了", a, 64);
    assert_int_equal(na, 3); /* 路灯 灯坏 坏了 */
    for (int i = 1; i < na; i++)
        assert_true(a[i - 1] < a[i]);
    int nb = textsim_shingles("路灯坏了路灯坏了", b, 64); /* repeats add 了路 only */
    assert_int_equal(nb, 4);
    assert_true(textsim_jaccard(a, na, b, nb) == 0.75);
    assert_true(textsim_jaccard(a, na, a, na) == 1.0);
    assert_true(textsim_jaccard(a, 0, b, 0) == 0.0);
    /* a lone character stands for itself; numbers are shingles */
    assert_int_equal(textsim_shingles("水 3号", a, 64), 3);
}

/* Shingle sets come sorted and deduplicated whichever sort ran (insertion sort up to 64 raw
 * shingles, qsort above): a text and the text written three times give the same set. */
static void test_shingles_sorted(void **state)
{
    (void)state;
    static const char *const chars[] = {"路", "灯", "坏", "了", "水", "管", "爆", "裂", "噪", "音", "，", "a", "7"};
    unsigned seed = 11;
    uint32_t a[512], b[512];
    for (int round = 0; round < 200; round++) {
        char text[1024] = "", thrice[3200] = "";
        int len = 1 + rand_r(&seed) % 120;
        for (int i = 0; i < len; i++)
            strcat(text, chars[rand_r(&seed) % 13]);
        snprintf(thrice, sizeof thrice, "%s\n%s\n%s", text, text, text);
        int na = textsim_shingles(text, a, 512), nb = textsim_shingles(thrice, b, 512);
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, (size_t)na * sizeof *a);
        for (int i = 1; i < na; i++)
            assert_true(a[i - 1] < a[i]);
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorted, deduplicated random set of up to n members, some from `from`, maybe with 0. */
static int random_set(uint32_t *out, int n, const uint32_t *from, int nfrom, unsigned *seed)
{
    for (int i = 0; i < n; i++)
        out[i] = nfrom && rand_r(seed) % 3 == 0 ? from[rand_r(seed) % nfrom]
                 : rand_r(seed) % 50 == 0 ? 0
                                          : (uint32_t)rand_r(seed) * 2654435761u;
    qsort(out, (size_t)n, sizeof *out, cmp_u32);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (k == 0 || out[i] != out[k - 1])
            out[k++] = out[i];
    return k;
}

#define SET_MAX 512

/* textsim_jaccard and textsim_jaccard_min (SIMD merge, or binary search when one set is more
 * than 16 times the other) give, to the bit, the Jaccard of a plain one-by-one merge, for every
 * size up to 512 and skewed pairs. */
static void test_jaccard_exact(void **state)
{
    (void)state;
    static uint32_t a[SET_MAX], b[SET_MAX];
    unsigned seed = 7;
    int checked = 0, overlapping = 0, skewed = 0;
    for (int round = 0; round < 600; round++) {
        int big = round % 3 == 0 ? 8 : SET_MAX; /* a third of the rounds: small sets vs big */
        int na = random_set(a, round % 7 == 0 ? 0 : 1 + rand_r(&seed) % SET_MAX, NULL, 0, &seed);
        for (int k = 0; k < 5; k++) {
            int nb = random_set(b, k == 0 ? 0 : 1 + rand_r(&seed) % big, a, na, &seed);
            int inter = 0;
            for (int i = 0, j = 0; i < na && j < nb;)
                a[i] < b[j] ? i++ : a[i] > b[j] ? j++ : (inter++, i++, j++);
            double want = na + nb ? (double)inter / (double)(na + nb - inter) : 0;
            double got = textsim_jaccard(a, na, b, nb), swapped = textsim_jaccard(b, nb, a, na);
            assert_memory_equal(&want, &got, sizeof want);
            assert_memory_equal(&want, &swapped, sizeof want);
            /* with a floor on the intersection: the same result when it is reached, else -1 */
            const double needs[] = {0, inter - 0.5, inter, inter + 1e-9, inter + 1, nb + 1};
            for (int q = 0; q < 6; q++) {
                double m = textsim_jaccard_min(a, na, b, nb, needs[q]);
                if (inter >= needs[q])
                    assert_memory_equal(&want, &m, sizeof want);
                else
                    assert_true(m == -1);
            }
            checked++;
            overlapping += inter > 0;
            skewed += nb && na > 16 * nb;
        }
    }
    assert_true(checked == 3000 && overlapping > 1500 && skewed > 300);
}

static void test_minhash(void **state)
{
    (void)state;
    const char *x = "城南路和解放路交叉口的井盖不见了晚上黑乎乎的已经有人骑车差点掉进去";
    const char *y = "解放路和城南路路口井盖不见了，晚上很黑，有人骑车差点掉进去，请尽快处理";
    const char *z = "楼上住户家卫生间漏水，我家天花板都泡烂了";
    uint32_t a[256], b[256], c[256], sa[TEXTSIM_MINHASH_K], sb[TEXTSIM_MINHASH_K],
        sc[TEXTSIM_MINHASH_K];
    int na = textsim_shingles(x, a, 256), nb = textsim_shingles(y, b, 256),
        nc = textsim_shingles(z, c, 256);
    textsim_minhash(a, na, sa);
    textsim_minhash(b, nb, sb);
    textsim_minhash(c, nc, sc);
    double j = textsim_jaccard(a, na, b, nb), m = textsim_minhash_similarity(sa, sb);
    assert_true(j > 0.3);
    assert_true(m > j - 0.2 && m < j + 0.2); /* within ~1.6 standard errors of 0.125 */
    assert_true(textsim_minhash_similarity(sa, sc) < 0.15);
    assert_true(textsim_minhash_similarity(sa, sa) == 1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_features),
        cmocka_unit_test(test_shingles_jaccard),
        cmocka_unit_test(test_shingles_sorted),
        cmocka_unit_test(test_jaccard_exact),
        cmocka_unit_test(test_minhash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
