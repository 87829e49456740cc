/* Tests for core/pii.c: the key file (created 0600 and never overwritten, refused when readable
 * by others or the wrong size), AEAD round trips and forgeries, the blind index, and the masks
 * (including short and non-ASCII inputs and small buffers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/pii.h"
#include "util/err.h"

struct fixture {
    char dir[64];
    char path[96];
    struct pii_key key;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/fq-pii-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/key", f->dir);
    if (pii_key_load(f->path, 1, &f->key))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char p[128];
    const char *names[] = {"key", "other", "short"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", f->dir, names[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static void write_file(const char *path, size_t n, mode_t mode)
{
    unsigned char b[200];
    memset(b, 7, sizeof b);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b, n), (ssize_t)n);
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

static void test_key_file(void **state)
{
    struct fixture *f = *state;
    struct stat st;
    struct pii_key again;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 96);
    assert_memory_not_equal(f->key.enc, f->key.idx, PII_KEY_LEN);
    assert_memory_not_equal(f->key.idx, f->key.tok, PII_KEY_LEN);

    /* loading again, even with create=1, reads the same key: never overwritten */
    assert_int_equal(pii_key_load(f->path, 1, &again), 0);
    assert_memory_equal(&again, &f->key, sizeof again);
    assert_int_equal(pii_key_load(f->path, 0, &again), 0);
    assert_memory_equal(&again, &f->key, sizeof again);

    char other[128];
    snprintf(other, sizeof other, "%s/other", f->dir);
    assert_int_equal(pii_key_load(other, 0, &again), FQ_ENOTFOUND);
    assert_int_equal(access(other, F_OK), -1);

    /* anyone but the owner may read: refused */
    assert_int_equal(chmod(f->path, 0640), 0);
    assert_int_equal(pii_key_load(f->path, 0, &again), FQ_EINVAL);
    assert_int_equal(chmod(f->path, 0604), 0);
    assert_int_equal(pii_key_load(f->path, 1, &again), FQ_EINVAL);
    assert_int_equal(chmod(f->path, 0400), 0);
    assert_int_equal(pii_key_load(f->path, 0, &again), 0);

    char shortp[128];
    snprintf(shortp, sizeof shortp, "%s/short", f->dir);
    write_file(shortp, 95, 0600);
    assert_int_equal(pii_key_load(shortp, 0, &again), FQ_EINVAL);
    write_file(shortp, 97, 0600);
    assert_int_equal(pii_key_load(shortp, 1, &again), FQ_EINVAL);
    write_file(shortp, 96, 0600);
    assert_int_equal(pii_key_load(shortp, 0, &again), 0);

    assert_int_equal(pii_key_load(f->dir, 0, &again), FQ_EIO); /* a directory */
}

static void test_round_trip(void **state)
{
    struct fixture *f = *state;
    unsigned char c1[96], c2[96];
    int n1 = 0, n2 = 0;
    char out[64];
    assert_int_equal(pii_encrypt(&f->key, "11010519491231002X", c1, sizeof c1, &n1), 0);
    assert_int_equal(n1, 18 + PII_OVERHEAD);
    assert_int_equal(pii_encrypt(&f->key, "11010519491231002X", c2, sizeof c2, &n2), 0);
    assert_memory_not_equal(c1, c2, (size_t)n1); /* a fresh nonce every time */
    assert_int_equal(pii_decrypt(&f->key, c1, n1, out, sizeof out), 0);
    assert_string_equal(out, "11010519491231002X");
    assert_int_equal(pii_decrypt(&f->key, c2, n2, out, sizeof out), 0);
    assert_string_equal(out, "11010519491231002X");

    /* exactly enough room, both ways */
    assert_int_equal(pii_encrypt(&f->key, "13800000000", c1, 11 + PII_OVERHEAD, &n1), 0);
    assert_int_equal(pii_decrypt(&f->key, c1, n1, out, 12), 0);
    assert_string_equal(out, "13800000000");
    assert_int_equal(pii_decrypt(&f->key, c1, n1, out, 11), FQ_EINVAL);
    assert_int_equal(pii_encrypt(&f->key, "13800000000", c1, 11 + PII_OVERHEAD - 1, &n1),
                     FQ_EINVAL);

    assert_int_equal(pii_encrypt(&f->key, "", c1, sizeof c1, &n1), 0);
    assert_int_equal(n1, PII_OVERHEAD);
    assert_int_equal(pii_decrypt(&f->key, c1, n1, out, sizeof out), 0);
    assert_string_equal(out, "");
}

static void test_forgery(void **state)
{
    struct fixture *f = *state;
    unsigned char c[96];
    int n = 0;
    char out[64];
    assert_int_equal(pii_encrypt(&f->key, "13800000000", c, sizeof c, &n), 0);
    for (int i = 0; i < n; i++) { /* a flipped bit anywhere: nonce, ciphertext or tag */
        c[i] ^= 1;
        strcpy(out, "junk");
        assert_int_equal(pii_decrypt(&f->key, c, n, out, sizeof out), FQ_EINVAL);
        assert_string_equal(out, "");
        c[i] ^= 1;
    }
    assert_int_equal(pii_decrypt(&f->key, c, n - 1, out, sizeof out), FQ_EINVAL);
    assert_int_equal(pii_decrypt(&f->key, c, PII_OVERHEAD - 1, out, sizeof out), FQ_EINVAL);
    assert_int_equal(pii_decrypt(&f->key, c, -5, out, sizeof out), FQ_EINVAL);
    assert_int_equal(pii_decrypt(&f->key, NULL, n, out, sizeof out), FQ_EINVAL);

    struct pii_key other = f->key;
    other.enc[0] ^= 1;
    assert_int_equal(pii_decrypt(&other, c, n, out, sizeof out), FQ_EINVAL);
    assert_int_equal(pii_decrypt(&f->key, c, n, out, sizeof out), 0);
}

static void test_blind_index(void **state)
{
    struct fixture *f = *state;
    unsigned char a[PII_BIDX_LEN], b[PII_BIDX_LEN];
    pii_blind_index(&f->key, "phone", "13800000000", a);
    pii_blind_index(&f->key, "phone", "13800000000", b);
    assert_memory_equal(a, b, PII_BIDX_LEN);
    pii_blind_index(&f->key, "phone", "13800000001", b);
    assert_memory_not_equal(a, b, PII_BIDX_LEN);
    pii_blind_index(&f->key, "id", "13800000000", b); /* same value, other kind */
    assert_memory_not_equal(a, b, PII_BIDX_LEN);
    struct pii_key other = f->key;
    other.idx[31] ^= 0x80;
    pii_blind_index(&other, "phone", "13800000000", b);
    assert_memory_not_equal(a, b, PII_BIDX_LEN);
    other = f->key;
    other.enc[0] ^= 1; /* only the index key matters */
    pii_blind_index(&other, "phone", "13800000000", b);
    assert_memory_equal(a, b, PII_BIDX_LEN);
    /* the NUL separator keeps kind and value apart */
    pii_blind_index(&f->key, "ab", "c", a);
    pii_blind_index(&f->key, "a", "bc", b);
    assert_memory_not_equal(a, b, PII_BIDX_LEN);
}

static void test_masks(void **state)
{
    (void)state;
    char out[64];
    pii_mask_id("11010519491231002X", out, sizeof out);
    assert_string_equal(out, "110105********002X");
    pii_mask_id("110105194912310", out, sizeof out); /* 15-digit first-generation ID */
    assert_string_equal(out, "110105*****2310");
    pii_mask_id("12345678901", out, sizeof out);
    assert_string_equal(out, "123456*8901");
    pii_mask_id("1234567890", out, sizeof out); /* would show in full: all hidden */
    assert_string_equal(out, "**********");
    pii_mask_id("12", out, sizeof out);
    assert_string_equal(out, "**");
    pii_mask_id("", out, sizeof out);
    assert_string_equal(out, "");
    pii_mask_id(NULL, out, sizeof out);
    assert_string_equal(out, "");
    pii_mask_id("11010519491231002X", out, 19); /* the documented minimum */
    assert_string_equal(out, "110105********002X");

    pii_mask_phone("13800000000", out, sizeof out);
    assert_string_equal(out, "138****0000");
    pii_mask_phone("010-62345678", out, sizeof out);
    assert_string_equal(out, "010****5678");
    pii_mask_phone("1380000000", out, sizeof out);
    assert_string_equal(out, "**********");
    pii_mask_phone("110", out, sizeof out);
    assert_string_equal(out, "***");
    pii_mask_phone("１３８００００００００", out, sizeof out); /* full-width digits: hidden */
    assert_string_equal(out, "***********");

    pii_mask_name("张三", out, sizeof out);
    assert_string_equal(out, "张*");
    pii_mask_name("欧阳娜娜", out, sizeof out);
    assert_string_equal(out, "欧***");
    pii_mask_name("张", out, sizeof out);
    assert_string_equal(out, "*");
    pii_mask_name("Bob", out, sizeof out);
    assert_string_equal(out, "B**");
    pii_mask_name("阿卜杜·热合曼", out, sizeof out);
    assert_string_equal(out, "阿******");
    pii_mask_name("\xff\xfe", out, sizeof out); /* not UTF-8: nothing of it shown */
    assert_string_equal(out, "**");
    pii_mask_name("\xe5\xbc", out, sizeof out); /* a character cut short */
    assert_string_equal(out, "**");
    pii_mask_name("", out, sizeof out);
    assert_string_equal(out, "");
    pii_mask_name(NULL, out, sizeof out);
    assert_string_equal(out, "");
}

static void test_mask_small_buffers(void **state)
{
    (void)state;
    char out[8];
    memset(out, 'q', sizeof out);
    pii_mask_name("张三", out, 3); /* 张 takes 3 bytes + NUL: does not fit, never half of it */
    assert_int_equal(strlen(out), 2);
    assert_string_equal(out, "**");
    pii_mask_name("张三", out, 5);
    assert_string_equal(out, "张*");
    pii_mask_id("11010519491231002X", out, sizeof out);
    assert_true(strlen(out) < sizeof out);
    assert_null(strstr(out, "1949")); /* a cut mask still hides the middle */
    pii_mask_phone("13800000000", out, 1);
    assert_string_equal(out, "");
    pii_mask_phone("13800000000", out, 0); /* nothing written */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_file), cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_forgery),  cmocka_unit_test(test_blind_index),
        cmocka_unit_test(test_masks),    cmocka_unit_test(test_mask_small_buffers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
