/* 全程留痕: the hash chain over a case's timeline.
 *
 * Each event's hash is BLAKE2b-256 over a fixed encoding of the previous event's hash and the
 * event's own fields: a version tag, prev_hash (32 bytes), then the case code and the payload each
 * as an 8-byte little-endian length followed by the bytes, and seq, at, actor_id, action,
 * from_status, to_status each as an 8-byte little-endian integer. Length prefixes keep field
 * boundaries unambiguous and the fixed widths keep the encoding independent of the machine, so a
 * hash computed today verifies on any later build. Changing the encoding breaks every stored
 * chain: add a new version tag instead. */
#include "core/chain.h"

#include <sodium.h>
#include <string.h>

static const char chain_tag[] = "fengqiao.event.v1";

static void put_u64(crypto_generichash_state *st, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    crypto_generichash_update(st, b, sizeof b);
}

static void put_bytes(crypto_generichash_state *st, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    put_u64(st, n);
    if (n)
        crypto_generichash_update(st, (const unsigned char *)s, n);
}

void chain_hash(const char *case_code, const struct fq_event *ev, unsigned char out[FQ_HASH_LEN])
{
    crypto_generichash_state st;
    unsigned char h[FQ_HASH_LEN];
    crypto_generichash_init(&st, NULL, 0, FQ_HASH_LEN);
    crypto_generichash_update(&st, (const unsigned char *)chain_tag, sizeof chain_tag);
    crypto_generichash_update(&st, ev->prev_hash, FQ_HASH_LEN);
    put_bytes(&st, case_code);
    put_u64(&st, (uint64_t)ev->seq);
    put_u64(&st, (uint64_t)ev->at);
    put_u64(&st, (uint64_t)ev->actor_id);
    put_u64(&st, (uint64_t)(int64_t)ev->action);
    put_u64(&st, (uint64_t)(int64_t)ev->from_status);
    put_u64(&st, (uint64_t)(int64_t)ev->to_status);
    put_bytes(&st, ev->payload);
    crypto_generichash_final(&st, h, FQ_HASH_LEN);
    memcpy(out, h, FQ_HASH_LEN); /* out may be ev->hash, which nothing above reads */
}
