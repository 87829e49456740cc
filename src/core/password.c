/* Passwords and session tokens.
 *
 * Passwords are stored as libsodium's crypto_pwhash_str strings (argon2id, interactive limits:
 * about 64 MiB and a few tens of milliseconds), so they are hashed only at login and never on an
 * HTTP thread. Session and API tokens are 256 random bits shown once as URL-safe base64; the
 * database keeps only a keyed BLAKE2b of each, which is fast to look up and useless to whoever
 * steals the table without the key file. Lengths are bounded (8..128 bytes) before any hashing so
 * an oversized password cannot be used to burn CPU. */
#include "core/password.h"
#include "util/err.h"

#include <sodium.h>
#include <string.h>

#define PASSWORD_MIN 8
#define PASSWORD_MAX 128

_Static_assert(crypto_pwhash_STRBYTES == 128, "password_hash writes into char[128]");

int password_hash(const char *password, char out[128])
{
    size_t n = password ? strnlen(password, PASSWORD_MAX + 1) : 0;
    char h[crypto_pwhash_STRBYTES];
    if (n < PASSWORD_MIN || n > PASSWORD_MAX)
        return FQ_EINVAL;
    if (sodium_init() < 0)
        return FQ_ENOMEM;
    if (crypto_pwhash_str(h, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE))
        return FQ_ENOMEM; /* the only way it fails: the memory limit could not be allocated */
    memcpy(out, h, sizeof h);
    return 0;
}

int password_verify(const char *hash, const char *password)
{
    if (!hash || !password || strnlen(hash, crypto_pwhash_STRBYTES) == crypto_pwhash_STRBYTES)
        return FQ_EAUTH;
    size_t n = strnlen(password, PASSWORD_MAX + 1);
    if (n > PASSWORD_MAX || sodium_init() < 0)
        return FQ_EAUTH;
    return crypto_pwhash_str_verify(hash, password, n) == 0 ? 0 : FQ_EAUTH;
}

void token_new(char out[44])
{
    unsigned char raw[32];
    /* sodium_init is idempotent; randombytes_buf reads the kernel's generator even without it */
    int initialised = sodium_init();
    (void)initialised;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, 44, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void token_hash(const unsigned char key[32], const char *token, unsigned char out[32])
{
    size_t n = token ? strlen(token) : 0;
    crypto_generichash(out, 32, (const unsigned char *)(token ? token : ""), n, key, 32);
}
