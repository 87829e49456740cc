/* Personal data: resident-ID numbers and phones are encrypted at rest with XChaCha20-Poly1305
 * (libsodium) under a key file made by `fengqiao init` (mode 0600), indexed for exact search by
 * a keyed BLAKE2b blind index, and masked in every response. */
#ifndef FQ_CORE_PII_H
#define FQ_CORE_PII_H

#include <stddef.h>

#define PII_KEY_LEN 32
#define PII_BIDX_LEN 16
/* ciphertext = 24-byte nonce + plaintext + 16-byte tag */
#define PII_OVERHEAD 40

struct pii_key {
    unsigned char enc[PII_KEY_LEN];  /* AEAD key */
    unsigned char idx[PII_KEY_LEN];  /* blind-index key */
    unsigned char tok[PII_KEY_LEN];  /* session-token hashing key */
};

/* Loads the key file, or with create=1 creates it (0600, refusing to overwrite) when missing.
 * 0, FQ_ENOTFOUND, FQ_EINVAL (wrong size or mode wider than 0600), FQ_EIO. */
int pii_key_load(const char *path, int create, struct pii_key *key);
/* Encrypts plain into out (cap bytes; needs strlen(plain) + PII_OVERHEAD); *outlen set. */
int pii_encrypt(const struct pii_key *key, const char *plain, unsigned char *out, size_t cap, int *outlen);
/* Decrypts into out (NUL-terminated, cap bytes); FQ_EINVAL when forged or truncated. */
int pii_decrypt(const struct pii_key *key, const unsigned char *in, int inlen, char *out, size_t cap);
/* Blind index of a value of a kind ("id", "phone"): equal inputs give equal indexes. */
void pii_blind_index(const struct pii_key *key, const char *kind, const char *value,
                     unsigned char out[PII_BIDX_LEN]);
/* 110105********002X: first 6 and last 4 kept. out holds at least 19 bytes. */
void pii_mask_id(const char *id, char *out, size_t cap);
/* 138****0000: first 3 and last 4 kept. */
void pii_mask_phone(const char *phone, char *out, size_t cap);
/* 张* / 欧阳** : first UTF-8 character of a name kept. */
void pii_mask_name(const char *name, char *out, size_t cap);

#endif
