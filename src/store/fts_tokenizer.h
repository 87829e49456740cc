/* The FTS5 tokenizer of Chinese case text ("fq_cjk"): what the search index (sqlite_fts.c) is
 * made of. SQLite's own tokenizers split on spaces, which Chinese has none of, so we index
 * overlapping character bigrams instead of words:
 *
 *   - a run of CJK characters c0 c1 … cn-1 gives one position per character: at position i the
 *     bigram ci ci+1 (for the last character, ci alone), and — documents only — the single
 *     character ci colocated at the same position (FTS5_TOKEN_COLOCATED), so that a one-character
 *     query still matches;
 *   - runs of ASCII letters (and other Latin/Greek/Cyrillic letters) give one lower-cased word,
 *     runs of digits one number ("ABC123" → "abc", "123");
 *   - full-width forms U+FF01–FF5E are folded to ASCII first (１２３ → 123, ＡＢＣ → abc), the
 *     ideographic space U+3000 and all punctuation separate tokens;
 *   - invalid UTF-8 bytes separate tokens and are otherwise skipped; no input makes it fail.
 *
 * A query is tokenized the same way without the colocated single characters, so a query string
 * becomes a phrase of consecutive bigrams ("楼上漏水" → 楼上 上漏 漏水) matching exactly the
 * documents that contain those characters in that order. The last character of a run of two or
 * more stands alone only when more tokens follow it (to keep their positions aligned): at the
 * end of a query the bigram before it already covers it, and a single character is the most
 * common token there is — the most expensive doclist to read. Offsets are byte offsets in the
 * original text, so highlight() and snippet() mark the original characters. */
#ifndef FQ_STORE_FTS_TOKENIZER_H
#define FQ_STORE_FTS_TOKENIZER_H

#include <sqlite3.h>

/* The name the tokenizer is registered under (CREATE VIRTUAL TABLE … tokenize = 'fq_cjk'). */
#define FTS_TOKENIZER_NAME "fq_cjk"
/* Longest token emitted, in bytes; longer words are cut (their offsets still cover them). */
#define FTS_TOKEN_MAX 64
/* The flag a colocated token carries (FTS5_TOKEN_COLOCATED). */
#define FTS_COLOCATED 0x0001

/* Called for each token: flags (0 or FTS_COLOCATED), the token (not NUL-terminated), and the
 * byte range [start, end) it came from. A non-zero return stops tokenizing and is returned. */
typedef int (*fts_token_fn)(void *ctx, int flags, const char *token, int n, int start, int end);

/* Splits text (n bytes; n < 0: NUL-terminated) into tokens as described above, document
 * tokenization unless for_query. Returns 0, or the first non-zero result of fn. text may be NULL
 * when n is 0. */
int fts_tokenize(const char *text, int n, int for_query, fts_token_fn fn, void *ctx);

/* Registers the tokenizer on a connection (every connection that touches the index must: the
 * triggers that keep it up to date run on every case write). 0 or an SQLite error code. */
int fts_tokenizer_register(sqlite3 *db);

#endif
