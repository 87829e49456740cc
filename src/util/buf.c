/* Growable capped buffers. */
#include "util/buf.h"
#include "util/err.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t cap)
{
    b->data = NULL;
    b->len = b->alloc = 0;
    b->cap = cap;
}

/* Makes room for `extra` more bytes plus the NUL. The cap is checked as `extra > cap - len`
 * (len never exceeds cap), because `len + extra` can wrap around and slip under it. */
static int buf_grow(struct buf *b, size_t extra)
{
    if (extra > b->cap - b->len)
        return FQ_ETOOBIG;
    size_t need = b->len + extra;
    if (need == SIZE_MAX)
        return FQ_ENOMEM; /* no room left for the NUL */
    if (need + 1 <= b->alloc)
        return 0;
    size_t n = b->alloc ? b->alloc : 64;
    while (n < need + 1)
        n = n > SIZE_MAX / 2 ? need + 1 : n * 2;
    if (b->cap < SIZE_MAX && n > b->cap + 1)
        n = b->cap + 1; /* never allocate more than the cap can use */
    char *p = realloc(b->data, n);
    if (!p)
        return FQ_ENOMEM;
    b->data = p;
    b->alloc = n;
    return 0;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
    int rc = buf_grow(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return 0;
}

int buf_reserve(struct buf *b, size_t n)
{
    return buf_grow(b, n);
}

int buf_json_real(struct buf *b, double v)
{
    char t[40];
    if (!isfinite(v))
        return FQ_EINVAL;
    int n = snprintf(t, sizeof t - 2, "%.17g", v);
    if (n < 0 || (size_t)n >= sizeof t - 2)
        return FQ_EINVAL;
    if (!strpbrk(t, ".e")) {
        memcpy(t + n, ".0", 3);
        n += 2;
    }
    char *e = strchr(t, 'e');
    if (e) { /* e+05 -> e5, e-05 -> e-5 */
        char *from = e + 1, *to = e + 1;
        if (*from == '+')
            from++;
        else if (*from == '-')
            from = ++to;
        while (*from == '0' && from[1])
            from++;
        memmove(to, from, strlen(from) + 1);
        n = (int)strlen(t);
    }
    return buf_add(b, t, (size_t)n);
}

int buf_json_str(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = buf_add(b, "\"", 1);
    const char *run = s;
    for (; rc == 0 && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        char esc[6] = {'\\', (char)ch, 0, 0, 0, 0};
        size_t n = 2;
        switch (ch) {
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '"':
        case '\\': break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[ch >> 4];
            esc[5] = hex[ch & 15];
            n = 6;
        }
        rc = buf_add(b, run, (size_t)(s - run));
        if (rc == 0)
            rc = buf_add(b, esc, n);
        run = s + 1;
    }
    if (rc == 0)
        rc = buf_add(b, run, (size_t)(s - run));
    return rc ? rc : buf_add(b, "\"", 1);
}

int buf_adds(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_int(struct buf *b, int64_t v)
{
    char t[24], *p = t + sizeof t;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return buf_add(b, p, (size_t)(t + sizeof t - p));
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return FQ_EINVAL;
    int rc = buf_grow(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = 0;
}

void buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

char *buf_steal(struct buf *b)
{
    char *p = b->data ? b->data : strdup("");
    b->data = NULL;
    b->len = b->alloc = 0;
    return p;
}
