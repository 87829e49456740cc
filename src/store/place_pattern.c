/* Patterns for the place search (store/place_pattern.h). */
#include "store/place_pattern.h"

#include <stdio.h>
#include <string.h>

static const char *const numerals[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};

/* n (0..99) in Chinese numerals into out: 3 三, 10 十, 13 十三, 30 三十, 35 三十五. */
static void chinese_number(int n, char *out, size_t size)
{
    if (n < 10)
        snprintf(out, size, "%s", numerals[n]);
    else
        snprintf(out, size, "%s十%s", n >= 20 ? numerals[n / 10] : "", n % 10 ? numerals[n % 10] : "");
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A separator: ASCII whitespace or punctuation (UTF-8 bytes >= 0x80 never are). */
static int is_sep(unsigned char c)
{
    return c < 0x80 && !is_digit((char)c) && !((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && c != '%' && c != '_' && c != '\\';
}

int place_pattern(const char *q, int chinese_digits, char *out, size_t size)
{
    size_t n = 0;
    int tokens = 0;
    const char *p = q;
    if (!q || size < 3)
        return -1;
    out[n++] = '%';
    while (*p) {
        if (is_sep((unsigned char)*p)) {
            p++;
            continue;
        }
        char tok[160]; /* q is short (the API takes 64 bytes): a run is never cut */
        size_t len;
        if (is_digit(*p)) {
            len = strspn(p, "0123456789");
            if (chinese_digits && len <= 2)
                chinese_number(len == 1 ? p[0] - '0' : (p[0] - '0') * 10 + p[1] - '0', tok, sizeof tok);
            else
                snprintf(tok, sizeof tok, "%.*s", (int)(len < 20 ? len : 20), p);
        } else {
            len = 0;
            size_t t = 0;
            while (p[len] && !is_digit(p[len]) && !is_sep((unsigned char)p[len]) && t + 2 < sizeof tok) {
                if (p[len] == '%' || p[len] == '_' || p[len] == '\\')
                    tok[t++] = '\\'; /* LIKE wildcards typed by the user match themselves */
                tok[t++] = p[len++];
            }
            tok[t] = '\0';
            if (!len) { /* no room in tok: skip a byte rather than loop */
                p++;
                continue;
            }
        }
        size_t tl = strlen(tok);
        if (n + tl + 2 > size)
            return -1;
        memcpy(out + n, tok, tl);
        n += tl;
        out[n++] = '%';
        tokens++;
        p += len;
    }
    out[n] = '\0';
    return tokens ? 0 : -1;
}
