/* "fq_rank", the search's relevance function: an FTS5 auxiliary function used as
 * fq_rank(case_fts) in a MATCH query. Lower is better (as FTS5's bm25()).
 *
 * It is BM25 (k1 = 1.2, b = 0.75) over the four text columns with the column weights title 4,
 * description 1, notes 1, mediation 1 — without the inverse document frequency. FTS5's bm25()
 * computes each phrase's IDF by visiting every row that contains it, once per query: about
 * 1.4 µs a match here, nine seconds for a word in most of 10 million cases. The search ranks a
 * bounded set of candidates instead (sqlite_fts.c), in which every phrase of an AND query
 * occurs anyway; what distinguishes them is how often and where (title or not) the words occur
 * and how long the text is, which is what this keeps. Columns after the fourth (the area
 * tokens) do not count. */
#ifndef FQ_STORE_FTS_RANK_H
#define FQ_STORE_FTS_RANK_H

#include <sqlite3.h>

#define FTS_RANK_NAME "fq_rank"
/* fq_rank(case_fts, ok): the same, NULL when ok is false (a row the caller filters out). */
/* fq_avglen(case_fts, c): the average size of text column c over the whole index, in positions;
 * what fq_rank normalises lengths by, for rows scored outside FTS5 (fts_rank_score). */
#define FTS_AVGLEN_NAME "fq_avglen"
#define FTS_RANK_COLS 4 /* the text columns */
#define FTS_RANK_PHRASES 64

/* The score of one row, lower is better: tf[p][c] instances of phrase p in text column c (of
 * nphrase, at most FTS_RANK_PHRASES), len[c] the row's column sizes, avg[c] the index's averages. */
double fts_rank_score(int nphrase, const int (*tf)[FTS_RANK_COLS], const int *len,
                      const double *avg);

/* Registers fq_rank and fq_avglen on a connection. 0 or an SQLite error code. */
int fts_rank_register(sqlite3 *db);

#endif
