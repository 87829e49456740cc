/* A growable byte buffer with a hard cap (after curl's dynbuf): appends past the cap fail with
 * FQ_ETOOBIG and leave the buffer as it was. The data is always NUL-terminated. */
#ifndef FQ_UTIL_BUF_H
#define FQ_UTIL_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
    char *data; /* NUL-terminated, NULL until the first append */
    size_t len;
    size_t alloc;
    size_t cap; /* largest len allowed */
};

/* Starts an empty buffer that may grow to cap bytes. Cannot fail. */
void buf_init(struct buf *b, size_t cap);
/* Appends n bytes; 0, FQ_ETOOBIG past the cap, FQ_ENOMEM. */
int buf_add(struct buf *b, const void *p, size_t n);
/* Appends a C string. */
int buf_adds(struct buf *b, const char *s);
/* Appends printf-formatted text. */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends v in decimal (what "%lld" prints, without printf's cost). */
int buf_int(struct buf *b, int64_t v);
/* Makes room for n more bytes at once (one allocation instead of doubling); 0, FQ_ETOOBIG,
 * FQ_ENOMEM. */
int buf_reserve(struct buf *b, size_t n);
/* Appends a double as JSON exactly as jansson writes a real ("%.17g", ".0" added to integral
 * values, no '+' or leading zeros in the exponent); FQ_EINVAL for NaN and infinities. */
int buf_json_real(struct buf *b, double v);
/* Appends s as a quoted JSON string exactly as jansson writes it without flags: '"' and '\\'
 * escaped, the control characters below 0x20 as \b \f \n \r \t or \u00XX, everything else
 * (UTF-8 included) as is. s must be valid UTF-8 (jansson would refuse it otherwise). */
int buf_json_str(struct buf *b, const char *s);
/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/* Frees the memory; the buffer can be reused after buf_init. */
void buf_free(struct buf *b);
/* Hands the data to the caller (free() it) and empties the buffer; never NULL (may be ""). */
char *buf_steal(struct buf *b);

#endif
