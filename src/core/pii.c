/* Personal data at rest and on screen.
 *
 * Resident-ID numbers and phones are sealed with XChaCha20-Poly1305 (libsodium's IETF AEAD) under
 * a random 24-byte nonce stored in front of the ciphertext, so the same number encrypts
 * differently every time. Exact search goes through a blind index instead: a keyed BLAKE2b of
 * kind + NUL + value, truncated to 16 bytes, which equal inputs share and which reveals nothing
 * without the key. The key file holds three independent 32-byte keys (encryption, index, session
 * tokens); it is created once with O_EXCL and mode 0600 and refused if anyone else could read it.
 * Masks never split a UTF-8 character and hide everything when an input is too short to keep
 * its ends. */
#include "core/pii.h"
#include "util/err.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_FILE_LEN (3 * PII_KEY_LEN)

_Static_assert(PII_OVERHEAD == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                                   crypto_aead_xchacha20poly1305_ietf_ABYTES,
               "PII_OVERHEAD is nonce + tag");
_Static_assert(PII_KEY_LEN == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "AEAD key size");

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int read_all(int fd, unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Creates the key file; FQ_ECONFLICT when it already exists (someone else made it first). */
static int key_create(const char *path)
{
    unsigned char raw[KEY_FILE_LEN];
    int rc = FQ_EIO;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == EEXIST ? FQ_ECONFLICT : FQ_EIO;
    randombytes_buf(raw, sizeof raw);
    if (write_all(fd, raw, sizeof raw) || fsync(fd))
        goto done;
    rc = 0;
done:
    sodium_memzero(raw, sizeof raw);
    if (close(fd) && rc == 0)
        rc = FQ_EIO;
    if (rc)
        unlink(path); /* never leave a short key file behind */
    return rc;
}

int pii_key_load(const char *path, int create, struct pii_key *key)
{
    unsigned char raw[KEY_FILE_LEN];
    struct stat st;
    int rc, fd = -1;
    if (sodium_init() < 0 || !path || !key)
        return FQ_EIO;
    /* at most twice: open, or create and then open what was created (ours or a racing
     * creator's, O_EXCL decides) */
    for (int attempt = 0; fd < 0; attempt++) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
            break;
        if (errno != ENOENT || attempt > 0)
            return FQ_EIO;
        if (!create)
            return FQ_ENOTFOUND;
        rc = key_create(path);
        if (rc && rc != FQ_ECONFLICT)
            return rc;
    }
    rc = FQ_EINVAL;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        rc = FQ_EIO;
        goto done;
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) || st.st_size != KEY_FILE_LEN)
        goto done;
    if (read_all(fd, raw, sizeof raw)) {
        rc = FQ_EIO;
        goto done;
    }
    memcpy(key->enc, raw, PII_KEY_LEN);
    memcpy(key->idx, raw + PII_KEY_LEN, PII_KEY_LEN);
    memcpy(key->tok, raw + 2 * PII_KEY_LEN, PII_KEY_LEN);
    rc = 0;
done:
    sodium_memzero(raw, sizeof raw);
    close(fd);
    return rc;
}

int pii_encrypt(const struct pii_key *key, const char *plain, unsigned char *out, size_t cap,
                int *outlen)
{
    size_t n = plain ? strlen(plain) : 0;
    unsigned long long clen = 0;
    if (!plain || n > 65536 || cap < n + PII_OVERHEAD)
        return FQ_EINVAL;
    unsigned char *nonce = out;
    randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                               &clen, (const unsigned char *)plain, n, NULL, 0,
                                               NULL, nonce, key->enc);
    *outlen = (int)(clen + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    return 0;
}

int pii_decrypt(const struct pii_key *key, const unsigned char *in, int inlen, char *out,
                size_t cap)
{
    unsigned long long mlen = 0;
    if (cap > 0)
        out[0] = 0;
    if (!in || inlen < PII_OVERHEAD || cap < (size_t)inlen - PII_OVERHEAD + 1)
        return FQ_EINVAL;
    const unsigned char *nonce = in;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            (unsigned char *)out, &mlen, NULL, in + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
            (unsigned long long)inlen - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL, 0,
            nonce, key->enc)) {
        out[0] = 0;
        return FQ_EINVAL;
    }
    out[mlen] = 0;
    return 0;
}

void pii_blind_index(const struct pii_key *key, const char *kind, const char *value,
                     unsigned char out[PII_BIDX_LEN])
{
    crypto_generichash_state st;
    const unsigned char nul = 0;
    if (!kind)
        kind = "";
    if (!value)
        value = "";
    crypto_generichash_init(&st, key->idx, PII_KEY_LEN, PII_BIDX_LEN);
    crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind));
    crypto_generichash_update(&st, &nul, 1);
    crypto_generichash_update(&st, (const unsigned char *)value, strlen(value));
    crypto_generichash_final(&st, out, PII_BIDX_LEN);
}

/* Length of the UTF-8 character at s (1..4), or 0 when the bytes there are not one. */
static size_t utf8_char_len(const unsigned char *s)
{
    size_t n;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        n = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        n = 3;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        n = 4;
    else
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    /* overlong and surrogate forms */
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
        return 0;
    return n;
}

/* Appends n bytes while they fit (leaving room for the NUL); a character never gets cut. */
static void put(char *out, size_t cap, size_t *len, const char *p, size_t n)
{
    if (*len + n + 1 > cap)
        return;
    memcpy(out + *len, p, n);
    *len += n;
    out[*len] = 0;
}

/* One '*' per character (a byte that starts no valid character counts as one). */
static void mask_all(const char *s, char *out, size_t cap, size_t *len)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = utf8_char_len(p);
        p += n ? n : 1;
        put(out, cap, len, "*", 1);
    }
}

static int printable_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7E)
            return 0;
    return 1;
}

/* Keeps `head` leading and `tail` trailing characters of an ASCII string, and writes `stars`
 * stars between them (or one per hidden character when stars < 0). Anything else: all masked. */
static void mask_ends(const char *s, size_t head, size_t tail, int stars, size_t min_len, char *out,
                      size_t cap)
{
    size_t len = 0;
    if (!out || cap == 0)
        return;
    out[0] = 0;
    if (!s)
        return;
    size_t n = strlen(s);
    if (n < min_len || !printable_ascii(s)) {
        mask_all(s, out, cap, &len);
        return;
    }
    put(out, cap, &len, s, head);
    size_t hidden = stars < 0 ? n - head - tail : (size_t)stars;
    for (size_t i = 0; i < hidden; i++)
        put(out, cap, &len, "*", 1);
    put(out, cap, &len, s + n - tail, tail);
}

void pii_mask_id(const char *id, char *out, size_t cap)
{
    /* at least one hidden character: a 10-character input would otherwise show in full */
    mask_ends(id, 6, 4, -1, 11, out, cap);
}

void pii_mask_phone(const char *phone, char *out, size_t cap)
{
    mask_ends(phone, 3, 4, 4, 11, out, cap);
}

void pii_mask_name(const char *name, char *out, size_t cap)
{
    size_t len = 0;
    if (!out || cap == 0)
        return;
    out[0] = 0;
    if (!name || !*name)
        return;
    const unsigned char *p = (const unsigned char *)name;
    size_t first = utf8_char_len(p);
    /* a one-character name, or one that does not start with a valid character: hide it all */
    if (first == 0 || p[first] == 0) {
        mask_all(name, out, cap, &len);
        return;
    }
    put(out, cap, &len, name, first);
    if (len == 0) /* no room for the character itself: a star stands in for it */
        put(out, cap, &len, "*", 1);
    mask_all(name + first, out, cap, &len);
}
