/* Runs SQL against a Fengqiao database with the program's FTS5 tokenizer (fq_cjk) and rank
 * function (fq_rank) registered — what the sqlite3 shell cannot do — and prints each statement's
 * rows (at most 20) and its wall and CPU time. A probe for finding where a search spends its time:
 *
 *   fts_sql DB [-n REPEAT] 'SQL' ['SQL' …]
 *
 * Each statement runs REPEAT times (default 1); the time printed is the median. Built by
 * bench/search/run next to search_bench; reads only unless the SQL writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "store/fts_rank.h"
#include "store/fts_tokenizer.h"

static double now_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Runs sql once; prints its rows when show. Returns the row count, -1 on error. */
static long run(sqlite3 *db, const char *sql, int show)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "prepare: %s\n", sqlite3_errmsg(db));
        return -1;
    }
    long rows = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (show && rows < 20) {
            for (int i = 0; i < sqlite3_column_count(st); i++) {
                const char *v = (const char *)sqlite3_column_text(st, i);
                printf("%s%s", i ? " | " : "  ", v ? v : "NULL");
            }
            printf("\n");
        }
        rows++;
    }
    if (rc != SQLITE_DONE)
        fprintf(stderr, "step: %s\n", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? rows : -1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s DB [-n REPEAT] SQL...\n", argv[0]);
        return 2;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK || fts_tokenizer_register(db) != SQLITE_OK ||
        fts_rank_register(db) != SQLITE_OK) {
        fprintf(stderr, "open %s: %s\n", argv[1], db ? sqlite3_errmsg(db) : "?");
        return 1;
    }
    sqlite3_exec(db, "PRAGMA cache_size=-65536", NULL, NULL, NULL);
    int repeat = 1, i = 2;
    if (!strcmp(argv[i], "-n") && i + 2 < argc) {
        repeat = atoi(argv[i + 1]);
        i += 2;
    }
    if (repeat < 1 || repeat > 1000)
        repeat = 1;
    double *wall = calloc((size_t)repeat, sizeof *wall), *cpu = calloc((size_t)repeat, sizeof *cpu);
    for (; i < argc; i++) {
        long rows = 0;
        printf("%s\n", argv[i]);
        for (int r = 0; r < repeat; r++) {
            double w0 = now_ms(CLOCK_MONOTONIC), c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
            rows = run(db, argv[i], r == 0);
            wall[r] = now_ms(CLOCK_MONOTONIC) - w0;
            cpu[r] = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
            if (rows < 0)
                break;
        }
        qsort(wall, (size_t)repeat, sizeof *wall, cmp_double);
        qsort(cpu, (size_t)repeat, sizeof *cpu, cmp_double);
        printf("  -> %ld rows, median %.2f ms wall, %.2f ms CPU (%d runs)\n\n", rows,
               wall[repeat / 2], cpu[repeat / 2], repeat);
    }
    free(wall);
    free(cpu);
    sqlite3_close(db);
    return 0;
}
