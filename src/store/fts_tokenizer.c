/* The "fq_cjk" FTS5 tokenizer: CJK bigrams, lower-cased ASCII words and numbers, full-width
 * forms folded (see fts_tokenizer.h for the rules and why). Written after SQLite's own
 * ext/fts5/fts5_tokenize.c: one pass over the bytes, no allocation, every token handed to the
 * callback with its byte offsets in the original text. */
#include "store/fts_tokenizer.h"

#include <stdint.h>
#include <string.h>

enum cls { C_SEP, C_ALPHA, C_DIGIT, C_CJK, C_OTHER };

/* Decodes one UTF-8 character at s[i] (i < n). Returns its length and sets *cp; an invalid or
 * truncated sequence, an overlong form or a surrogate gives length 1 and *cp = -1. */
static int utf8_next(const unsigned char *s, int n, int i, int32_t *cp)
{
    unsigned c = s[i];
    int len;
    int32_t v, min;
    if (c < 0x80) {
        *cp = (int32_t)c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        *cp = -1;
        return 1;
    }
    if (i + len > n) {
        *cp = -1;
        return 1;
    }
    for (int k = 1; k < len; k++) {
        unsigned cc = s[i + k];
        if ((cc & 0xC0) != 0x80) {
            *cp = -1;
            return 1;
        }
        v = (v << 6) | (int32_t)(cc & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = -1;
        return 1;
    }
    *cp = v;
    return len;
}

/* Full-width ASCII variants (Ｆ, １, ！) to ASCII; the ideographic space to a space. */
static int32_t fold(int32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        return cp - 0xFEE0;
    if (cp == 0x3000)
        return ' ';
    return cp;
}

static enum cls classify(int32_t cp)
{
    if (cp < 0)
        return C_SEP;
    if (cp < 0x80) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
            return C_ALPHA;
        if (cp >= '0' && cp <= '9')
            return C_DIGIT;
        return C_SEP;
    }
    if ((cp >= 0x4E00 && cp <= 0x9FFF) ||   /* CJK Unified Ideographs */
        (cp >= 0x3400 && cp <= 0x4DBF) ||   /* Extension A */
        (cp >= 0xF900 && cp <= 0xFAFF) ||   /* Compatibility Ideographs */
        (cp >= 0x20000 && cp <= 0x3134F) || /* Extensions B–G */
        (cp >= 0x3040 && cp <= 0x30FF) ||   /* Hiragana, Katakana */
        (cp >= 0xAC00 && cp <= 0xD7AF) ||   /* Hangul syllables */
        cp == 0x3007)                       /* 〇 (as in 二〇二六) */
        return C_CJK;
    if ((cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) || /* Latin letters */
        (cp >= 0x370 && cp <= 0x4FF))                              /* Greek, Cyrillic */
        return C_OTHER;
    return C_SEP;
}

/* Whether a token starts anywhere in s[i, n). */
static int token_follows(const unsigned char *s, int n, int i)
{
    while (i < n) {
        int32_t cp;
        int len = utf8_next(s, n, i, &cp);
        if (classify(fold(cp)) != C_SEP)
            return 1;
        i += len;
    }
    return 0;
}

struct run {
    char buf[FTS_TOKEN_MAX];
    int len, start, end;
};

static void run_add(struct run *r, const char *p, int n)
{
    if (r->len + n <= FTS_TOKEN_MAX) { /* a character never straddles the cut */
        memcpy(r->buf + r->len, p, (size_t)n);
        r->len += n;
    }
}

int fts_tokenize(const char *text, int n, int for_query, fts_token_fn fn, void *ctx)
{
    if (!text || !fn)
        return 0;
    if (n < 0)
        n = (int)strlen(text);
    const unsigned char *s = (const unsigned char *)text;
    struct run word = {.len = 0};
    enum cls word_cls = C_SEP;       /* C_ALPHA (letters) or C_DIGIT while a word is open */
    int cjk_start = -1, cjk_len = 0; /* the pending CJK character */
    int cjk_run = 0;                 /* CJK characters in the current run so far */
    int rc = 0;

    for (int i = 0; i <= n && rc == 0;) {
        int32_t cp = -1;
        int len = 0;
        enum cls c = C_SEP;
        if (i < n) {
            len = utf8_next(s, n, i, &cp);
            cp = fold(cp);
            c = classify(cp);
        }
        if (c == C_OTHER)
            c = C_ALPHA; /* letters beyond ASCII join a word */

        /* close the open word when this character does not continue it */
        if (word_cls != C_SEP && c != word_cls) {
            rc = fn(ctx, 0, word.buf, word.len, word.start, word.end);
            word_cls = C_SEP;
            if (rc)
                break;
        }
        /* the pending CJK character: a bigram with this one, or alone at the end of its run */
        if (cjk_start >= 0) {
            if (c == C_CJK) {
                rc = fn(ctx, 0, text + cjk_start, cjk_len + len, cjk_start, i + len);
                if (rc == 0 && !for_query)
                    rc = fn(ctx, FTS_COLOCATED, text + cjk_start, cjk_len, cjk_start,
                            cjk_start + cjk_len);
            } else if (!(for_query && cjk_run > 1 && !token_follows(s, n, i))) {
                rc = fn(ctx, 0, text + cjk_start, cjk_len, cjk_start, cjk_start + cjk_len);
            }
            cjk_start = -1;
            if (rc)
                break;
        }
        if (i >= n)
            break;
        if (c != C_CJK)
            cjk_run = 0;

        if (c == C_CJK) {
            cjk_run++;
            cjk_start = i;
            cjk_len = len;
        } else if (c == C_ALPHA || c == C_DIGIT) {
            if (word_cls == C_SEP) {
                word_cls = c;
                word.len = 0;
                word.start = i;
            }
            if (cp < 0x80) {
                char a = (char)cp;
                if (a >= 'A' && a <= 'Z')
                    a = (char)(a - 'A' + 'a');
                run_add(&word, &a, 1);
            } else {
                run_add(&word, text + i, len);
            }
            word.end = i + len;
        }
        i += len;
    }
    return rc;
}

/* ---- the FTS5 glue ---- */

/* The tokenizer has no options and no state: every instance is the same static object. */
static int tok_create(void *user, const char **argv, int argc, Fts5Tokenizer **out)
{
    (void)user, (void)argv, (void)argc;
    static int instance;
    *out = (Fts5Tokenizer *)&instance;
    return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *t)
{
    (void)t;
}

static int tok_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int n,
                        int (*token)(void *ctx, int tflags, const char *tok, int ntok, int start,
                                     int end))
{
    (void)t;
    /* AUX (highlight, snippet) must see the document's positions, colocated tokens included */
    int for_query = (flags & FTS5_TOKENIZE_QUERY) != 0;
    return fts_tokenize(text, n, for_query, token, ctx);
}

/* The fts5_api of a connection, through the documented SELECT fts5(?1) pointer handshake. */
static fts5_api *fts5_api_of(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    return api;
}

int fts_tokenizer_register(sqlite3 *db)
{
    static fts5_tokenizer tok = {tok_create, tok_delete, tok_tokenize};
    fts5_api *api = fts5_api_of(db);
    if (!api || api->iVersion < 2)
        return SQLITE_ERROR;
    return api->xCreateTokenizer(api, FTS_TOKENIZER_NAME, NULL, &tok, NULL);
}
