/* Passwords (argon2id via libsodium, hashed only at login and only off the HTTP threads) and
 * session tokens (256 random bits, stored as a keyed BLAKE2b hash, looked up in O(1)). */
#ifndef FQ_CORE_PASSWORD_H
#define FQ_CORE_PASSWORD_H

#include <stddef.h>

/* Hashes a password into out (crypto_pwhash_STRBYTES = 128); 0, FQ_EINVAL (too short < 8 or
 * longer than 128 bytes), FQ_ENOMEM. Interactive limits. */
int password_hash(const char *password, char out[128]);
/* 0 when password matches hash, FQ_EAUTH otherwise. */
int password_verify(const char *hash, const char *password);
/* A new token: 43 characters of URL-safe base64 of 32 random bytes, NUL-terminated (44 bytes). */
void token_new(char out[44]);
/* Keyed hash of a token for storage and lookup. */
void token_hash(const unsigned char key[32], const char *token, unsigned char out[32]);

#endif
