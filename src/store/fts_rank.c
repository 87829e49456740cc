/* fq_rank: BM25 without IDF over the text columns of case_fts (see fts_rank.h for why). */
#include "store/fts_rank.h"

#include <stdlib.h>
#include <string.h>

#define TEXT_COLS FTS_RANK_COLS
#define K1 1.2
#define B 0.75

static const double weights[TEXT_COLS] = {4.0, 1.0, 1.0, 1.0};

/* Average column lengths in tokens, computed once per query. */
struct avg {
    double len[TEXT_COLS];
};

double fts_rank_score(int nphrase, const int (*tf)[FTS_RANK_COLS], const int *len,
                      const double *avg)
{
    double score = 0;
    for (int c = 0; c < TEXT_COLS; c++) {
        double norm = K1 * (1 - B + B * (double)len[c] / avg[c]);
        for (int p = 0; p < nphrase && p < FTS_RANK_PHRASES; p++)
            if (tf[p][c])
                score += weights[c] * tf[p][c] * (K1 + 1) / (tf[p][c] + norm);
    }
    return -score;
}

/* The averages of this query's table, computed on the first call and kept as auxdata. */
static struct avg *averages(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx)
{
    struct avg *avg = api->xGetAuxdata(fts, 0);
    if (!avg) {
        sqlite3_int64 rows = 0, total = 0;
        if (!(avg = sqlite3_malloc(sizeof *avg))) {
            sqlite3_result_error_nomem(ctx);
            return NULL;
        }
        api->xRowCount(fts, &rows);
        for (int c = 0; c < TEXT_COLS; c++) {
            total = 0;
            api->xColumnTotalSize(fts, c, &total);
            avg->len[c] = rows > 0 && total > 0 ? (double)total / (double)rows : 1.0;
        }
        int rc = api->xSetAuxdata(fts, avg, sqlite3_free);
        if (rc != SQLITE_OK) {
            sqlite3_result_error_code(ctx, rc);
            return NULL;
        }
    }
    return avg;
}

static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
                    sqlite3_value **vals)
{
    if (nval > 0 && !sqlite3_value_int(vals[0])) {
        sqlite3_result_null(ctx); /* the row fails the caller's filter: no score needed */
        return;
    }
    struct avg *avg = averages(api, fts, ctx);
    if (!avg)
        return;
    int nphrase = api->xPhraseCount(fts), ninst = 0;
    if (nphrase > FTS_RANK_PHRASES)
        nphrase = FTS_RANK_PHRASES;
    int tf[FTS_RANK_PHRASES][TEXT_COLS], len[TEXT_COLS];
    memset(tf, 0, sizeof tf);
    int rc = api->xInstCount(fts, &ninst);
    for (int i = 0; rc == SQLITE_OK && i < ninst; i++) {
        int ip, ic, io;
        rc = api->xInst(fts, i, &ip, &ic, &io);
        if (rc == SQLITE_OK && ip < nphrase && ic >= 0 && ic < TEXT_COLS)
            tf[ip][ic]++;
    }
    for (int c = 0; rc == SQLITE_OK && c < TEXT_COLS; c++)
        rc = api->xColumnSize(fts, c, &len[c]);
    if (rc != SQLITE_OK)
        sqlite3_result_error_code(ctx, rc);
    else
        sqlite3_result_double(ctx,
                              fts_rank_score(nphrase, (const int(*)[TEXT_COLS])tf, len, avg->len));
}

static void avglen_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
                      sqlite3_value **vals)
{
    int c = nval > 0 ? sqlite3_value_int(vals[0]) : -1;
    if (c < 0 || c >= TEXT_COLS) {
        sqlite3_result_error(ctx, FTS_AVGLEN_NAME ": no such text column", -1);
        return;
    }
    struct avg *avg = averages(api, fts, ctx);
    if (avg)
        sqlite3_result_double(ctx, avg->len[c]);
}

int fts_rank_register(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return SQLITE_ERROR;
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (!api || api->iVersion < 2)
        return SQLITE_ERROR;
    int rc = api->xCreateFunction(api, FTS_RANK_NAME, NULL, rank_fn, NULL);
    return rc == SQLITE_OK ? api->xCreateFunction(api, FTS_AVGLEN_NAME, NULL, avglen_fn, NULL) : rc;
}
