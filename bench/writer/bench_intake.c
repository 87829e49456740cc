/* The writer's cost per new case, without HTTP: N intakes (case_intake_prepare on this thread, then
 * case_intake_tx as the POST's job runs it) queued all at once behind a gate, so that the writer
 * runs full groups of G back to back and never falls idle (no full-text indexing in between),
 * then the idle-time full-text indexing of all of them. Prints the writer thread's CPU µs per
 * case for the groups and for the indexing, with the jobs queued as the server queues them
 * (store_submit_rerun) or, with "isolated", each in a savepoint of its own (store_submit).
 *
 * Deterministic enough to compare builds on a busy machine under valgrind:
 *   valgrind --tool=callgrind --toggle-collect=run_group ... (instructions per case).
 * Build and run: bench/writer/run [N] [G] [isolated] [BUILD_DIR]. Reports only. BENCH_DROP=a,b
 * drops those indexes first (what an index costs a new case; the writer's statements stay
 * prepared against the schema they see). */
#include <pthread.h>
#include <semaphore.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/case.h"
#include "core/domain.h"
#include "core/pii.h"
#include "core/seed.h"
#include "core/stats.h"
#include "store/store.h"
#include "util/clock.h"

struct bench {
    struct fq_domain d;
    struct store *s;
    sem_t gate, done;
    double cpu0, cpu1; /* the writer thread's CPU seconds at the gate and at the probe */
};

struct job {
    struct bench *b;
    struct case_intake in;
    struct fq_case out;
    int replayed, rc;
    struct fq_error e;
};

static double thread_cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int gate_tx(struct store_tx *tx, void *arg)
{
    struct bench *b = arg;
    (void)tx;
    sem_wait(&b->gate);
    b->cpu0 = thread_cpu();
    return 0;
}

static int probe_tx(struct store_tx *tx, void *arg)
{
    (void)tx;
    ((struct bench *)arg)->cpu1 = thread_cpu();
    return 0;
}

static void probe_done(void *arg, int rc)
{
    (void)rc;
    sem_post(&((struct bench *)arg)->done);
}

static int intake_tx(struct store_tx *tx, void *arg)
{
    struct job *j = arg;
    return case_intake_tx(tx, &j->b->d, &j->in, store_tx_now(tx), &j->out, &j->replayed, &j->e);
}

static void intake_done(void *arg, int rc)
{
    ((struct job *)arg)->rc = rc;
}

static int places_tx(struct store_tx *tx, void *arg)
{
    (void)arg;
    int rc = store_tx_division_insert(tx, "331200000000", "丽水市", LEVEL_CITY, "");
    if (!rc)
        rc = store_tx_division_insert(tx, "331202000000", "莲都区", LEVEL_COUNTY, "331200000000");
    for (int t = 1; rc == 0 && t <= 11; t++) {
        char code[13], name[32];
        snprintf(code, sizeof code, "331202%03d000", t);
        snprintf(name, sizeof name, "第%d街道", t);
        rc = store_tx_division_insert(tx, code, name, LEVEL_TOWNSHIP, "331202000000");
    }
    for (int v = 0; rc == 0 && v < 64; v++) {
        char code[13], parent[13], name[32];
        snprintf(code, sizeof code, "331202%03d%03d", 1 + v / 6, 1 + v % 6);
        snprintf(parent, sizeof parent, "331202%03d000", 1 + v / 6);
        snprintf(name, sizeof name, "第%d社区", v);
        rc = store_tx_division_insert(tx, code, name, LEVEL_VILLAGE, parent);
    }
    return rc;
}

static const char *const titles[] = {"路灯不亮",       "楼上噪音扰民", "邻里漏水纠纷", "占道经营",
                                     "垃圾清运不及时", "物业费争议",   "违章搭建",     "宠物扰民"};

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000, g = argc > 2 ? atoi(argv[2]) : 32;
    int isolated = argc > 3 && !strcmp(argv[3], "isolated");
    char dir[] = "/tmp/fq-bench-intake-XXXXXX", path[600], key[600];
    if (!mkdtemp(dir))
        return 1;
    setenv("FQ_LOG_LEVEL", "error", 1);
    snprintf(path, sizeof path, "%s/fq.db", dir);
    snprintf(key, sizeof key, "%s/fengqiao.key", dir);
    struct bench b;
    memset(&b, 0, sizeof b);
    struct fq_error e = {0};
    struct pii_key k;
    struct store_opts o = {.path = path, .create = 1, .group_max = g};
    const char *data = getenv("FQ_DATA_DIR") ? getenv("FQ_DATA_DIR") : "data";
    if (store_open(&o, &b.s, &e) || seed_reference(b.s, data, &e) || pii_key_load(key, 1, &k) ||
        domain_open(&b.d, b.s, key, dir, &e) || store_write(b.s, places_tx, NULL)) {
        fprintf(stderr, "setup: %s\n", e.message);
        return 1;
    }
    stats_attach(&b.d);
    if (getenv("BENCH_DROP")) { /* an experiment: indexes dropped before the intakes */
        sqlite3 *x = NULL;
        char sql[512];
        snprintf(sql, sizeof sql, "%s", getenv("BENCH_DROP"));
        sqlite3_open(path, &x);
        for (char *t = strtok(sql, ","); t; t = strtok(NULL, ",")) {
            char q[128];
            snprintf(q, sizeof q, "DROP INDEX %s", t);
            if (sqlite3_exec(x, q, NULL, NULL, NULL) != SQLITE_OK)
                fprintf(stderr, "%s: %s\n", q, sqlite3_errmsg(x));
        }
        sqlite3_close(x);
    }
    sem_init(&b.gate, 0, 0);
    sem_init(&b.done, 0, 0);
    struct case_actor clerk = {.user_id = 1, .roles = 1u << ROLE_CLERK};
    snprintf(clerk.name, sizeof clerk.name, "受理员");
    struct job *jobs = calloc((size_t)n, sizeof *jobs);
    for (int i = 0; i < n; i++) {
        char village[13], desc[96];
        snprintf(village, sizeof village, "331202%03d%03d", 1 + (i % 64) / 6, 1 + (i % 64) % 6);
        snprintf(desc, sizeof desc, "第%d号楼附近，已持续%d天，请尽快处理", i, 1 + i % 9);
        json_t *body =
            json_pack("{s:s, s:s, s:s, s:s, s:s}", "channel", "hotline_12345", "kind", "request",
                      "title", titles[i % 8], "description", desc, "division", village);
        jobs[i].b = &b;
        if (case_intake_prepare(&b.d, &clerk, body, NULL, &jobs[i].in, &jobs[i].e)) {
            fprintf(stderr, "prepare %d: %s\n", i, jobs[i].e.message);
            return 1;
        }
        json_decref(body);
    }
    store_submit(b.s, gate_tx, NULL, &b);
    for (int i = 0; i < n; i++)
        (isolated ? store_submit : store_submit_rerun)(b.s, intake_tx, intake_done, &jobs[i]);
    store_submit(b.s, probe_tx, probe_done, &b);
    sem_post(&b.gate);
    sem_wait(&b.done);
    double groups = b.cpu1 - b.cpu0;
    /* the writer now indexes the queued cases for search while idle; a probe after it */
    double t0 = b.cpu1;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_prepare_v2(db, "SELECT count(*) FROM fts_pending", -1, &st, NULL);
    for (int pending = 1, tries = 0; pending && tries < 6000; tries++) {
        usleep(10000);
        pending = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    store_submit(b.s, probe_tx, probe_done, &b);
    sem_wait(&b.done);
    int failed = 0;
    for (int i = 0; i < n; i++)
        failed += jobs[i].rc != 0;
    printf("%d intakes in groups of %d (%s): writer %.1f µs per case in groups, %.1f µs per case "
           "indexing for search; %d failed\n",
           n, g, isolated ? "a savepoint each" : "rerun", groups * 1e6 / n, (b.cpu1 - t0) * 1e6 / n,
           failed);
    for (int i = 0; i < n; i++) {
        case_intake_clear(&jobs[i].in);
        fq_case_clear(&jobs[i].out);
    }
    free(jobs);
    stats_detach(&b.d);
    domain_close(&b.d);
    store_close(b.s);
    char cmd[100];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) ? 1 : failed != 0;
}
