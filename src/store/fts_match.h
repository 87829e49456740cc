/* The search's query, matched in C: what FTS5 matches in case_fts, for text that is not read
 * through an FTS5 cursor. The search (sqlite_fts.c) needs it twice:
 *
 *   - for cases queued for indexing (fts_pending) — a search reads their current text and matches
 *     it here instead of waiting for the writer to index them;
 *   - for the snippets of the page it returns — an FTS5 snippet() needs a MATCH cursor positioned
 *     on the row, and opening one per row costs a seek per bigram per index segment (≈1.5 ms a row
 *     at a million cases), more than the whole candidate walk for a page of 20.
 *
 * Semantics are those of the index: q is split into words at spaces (ASCII and U+3000); each
 * word is tokenized as a query (fts_tokenizer.h) and matches where its tokens occur at
 * consecutive positions of a document tokenized as a document, a query token matching any token
 * at its position (the colocated single characters included); a word without any token is
 * dropped. A text "matches" when every word occurs in it. */
#ifndef FQ_STORE_FTS_MATCH_H
#define FQ_STORE_FTS_MATCH_H

#include "store/fts_tokenizer.h"
#include "util/buf.h"

#define FTS_MATCH_WORDS 16   /* words of a query, at most */
#define FTS_MATCH_TOKENS 256 /* tokens of all words together, at most */

struct fts_query {
    int nword;
    int word_start[FTS_MATCH_WORDS], word_end[FTS_MATCH_WORDS]; /* bytes of q */
    int first[FTS_MATCH_WORDS], ntok[FTS_MATCH_WORDS];         /* its tokens in tok[] */
    int ntoks;
    struct {
        char t[FTS_TOKEN_MAX];
        int n;
    } tok[FTS_MATCH_TOKENS];
};

/* Parses q (NUL-terminated) into *fq. 0, or FQ_EINVAL when no word has a token or there are more
 * than FTS_MATCH_WORDS words or FTS_MATCH_TOKENS tokens. */
int fts_query_parse(const char *q, struct fts_query *fq);

/* How one text relates to a query: instances of each word and the text's size in positions
 * (FTS5's column size). */
struct fts_hits {
    int tf[FTS_MATCH_WORDS];
    int size;
};

/* Matches text (n bytes, n < 0: NUL-terminated; NULL is empty) against fq into *h. 0 or
 * FQ_ENOMEM. */
int fts_query_scan(const struct fts_query *fq, const char *text, int n, struct fts_hits *h);

/* Appends to out a snippet of text: about `window` positions around the best cluster of
 * matches (the most distinct words, then the most instances), each match between the markers
 * open and close, "…" where the text was cut. *marks is the number of marked instances.
 * 0, FQ_ENOMEM or FQ_ETOOBIG (out's cap; out then holds a shortened snippet). */
int fts_query_snippet(const struct fts_query *fq, const char *text, int window, const char *open,
                      const char *close, struct buf *out, int *marks);

#endif
