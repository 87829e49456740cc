/* Write-cost micro-benchmark of the statistics maintenance: N new cases inserted through the
 * store's writer (store_submit, the path every POST takes) in commit groups of G, once with the
 * statistics attached and once without, on fresh databases with the seeded reference data. Prints
 * the process CPU µs per case of each run and the difference — what the aggregates cost the
 * writer per new case. A gate job holds the writer until a whole group is queued, so groups are
 * exactly G jobs. Then N/4 updates of those cases (assessment: category, grade, lead department)
 * in groups of G, with and without, for the cost of a case write that changes its dimensions,
 * and N/4 status changes of the same cases (closed, settled: the dimensions stay), the common
 * update of a case's life.
 *
 * Build and run: bench/stats/run-write [N] [G] (default 100000 64). Reports only. */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/domain.h"
#include "core/pii.h"
#include "core/seed.h"
#include "core/stats.h"
#include "store/store.h"
#include "util/clock.h"

struct bench {
    struct store *s;
    int n, g, update;
    int64_t next_id;
    sem_t gate, done;
    char villages[64][13];
    int nvill;
    char cats[32][16];
    int ncat;
};

static double cpu_us(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static int gate_job(struct store_tx *tx, void *arg)
{
    (void)tx;
    sem_wait(&((struct bench *)arg)->gate);
    return 0;
}

static void done_cb(void *arg, int rc)
{
    (void)rc;
    sem_post(&((struct bench *)arg)->done);
}

static __thread long job_no; /* writer thread only */

static int case_job(struct store_tx *tx, void *arg)
{
    struct bench *b = arg;
    long i = job_no++;
    struct fq_case c;
    memset(&c, 0, sizeof c);
    if (b->update == 2) { /* a status change of case i: resolved and closed, dimensions kept */
        if (store_tx_case_get_id(tx, 1 + (i * 4) % b->n, &c))
            return FQ_EIO;
        c.status = ST_CLOSED;
        c.success = 1;
        c.resolved_at = c.closed_at = c.updated_at = fq_now_ms();
        int rc = store_tx_case_update(tx, &c);
        fq_case_clear(&c);
        return rc;
    }
    if (b->update) { /* assess case i: category, grade, a lead department */
        if (store_tx_case_get_id(tx, 1 + (i * 4) % b->n, &c))
            return FQ_EIO;
        snprintf(c.category, sizeof c.category, "%s", b->cats[i % b->ncat]);
        c.grade = 1 + (int)(i % 4);
        c.lead_department = 1 + i % 5;
        c.status = 1;
        int rc = store_tx_case_update(tx, &c);
        fq_case_clear(&c);
        return rc;
    }
    int64_t now = fq_now_ms();
    snprintf(c.code, sizeof c.code, "%.6s%08ld%06ld0", b->villages[i % b->nvill], 20261122L, i);
    snprintf(c.division, sizeof c.division, "%s", b->villages[i % b->nvill]);
    snprintf(c.centre, sizeof c.centre, "%.6s000000", c.division);
    c.channel = (int)(i % 3);
    c.title = "路灯不亮";
    c.description = "小区门口路灯坏了一周";
    c.address = "";
    c.created_at = c.updated_at = now;
    c.success = -1;
    int rc = store_tx_case_insert(tx, &c);
    return rc;
}

static double run(struct bench *b, int update)
{
    b->update = update;
    int total = update ? b->n / 4 : b->n;
    double t0 = cpu_us();
    for (int done = 0; done < total; done += b->g) {
        int k = total - done < b->g ? total - done : b->g;
        store_submit(b->s, gate_job, NULL, b);
        for (int i = 0; i < k; i++)
            store_submit(b->s, case_job, done_cb, b);
        sem_post(&b->gate);
        for (int i = 0; i < k; i++)
            sem_wait(&b->done);
    }
    return (cpu_us() - t0) / total;
}

static int setup(struct bench *b, struct fq_domain *d, const char *dir, int with_stats)
{
    char path[600], key[600];
    struct fq_error e = {0};
    struct pii_key k;
    snprintf(path, sizeof path, "%s/fq-%d.db", dir, with_stats);
    snprintf(key, sizeof key, "%s/fengqiao.key", dir);
    struct store_opts o = {.path = path, .create = 1};
    const char *data = getenv("FQ_DATA_DIR") ? getenv("FQ_DATA_DIR") : "data";
    if (store_open(&o, &b->s, &e) || seed_reference(b->s, data, &e) || pii_key_load(key, 1, &k) ||
        domain_open(d, b->s, key, dir, &e)) {
        fprintf(stderr, "setup: %s\n", e.message);
        return -1;
    }
    if (with_stats)
        stats_attach(d);
    /* villages of one county, and level-2 categories, from the seeded reference data */
    json_t *cats = NULL;
    store_categories(store_rd(b->s), NULL, &cats);
    b->ncat = 0;
    size_t i;
    json_t *it;
    json_array_foreach(cats, i, it)
    {
        const char *code = json_string_value(json_object_get(it, "code"));
        if (code && strlen(code) == 4 && b->ncat < 32)
            snprintf(b->cats[b->ncat++], 16, "%s", code);
    }
    json_decref(cats);
    return 0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 100000, g = argc > 2 ? atoi(argv[2]) : 64;
    char dir[] = "/tmp/fq-bench-write-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    setenv("FQ_LOG_LEVEL", "error", 1);
    printf("| statistics | new cases | CPU µs per new case | updates | CPU µs per update | "
           "CPU µs per status change |\n|---|---:|---:|---:|---:|---:|\n");
    double base[3] = {0, 0, 0};
    for (int with = 0; with <= 1; with++) {
        struct bench b;
        struct fq_domain d;
        memset(&b, 0, sizeof b);
        b.n = n;
        b.g = g;
        sem_init(&b.gate, 0, 0);
        sem_init(&b.done, 0, 0);
        if (setup(&b, &d, dir, with))
            return 1;
        /* 64 villages of one county in 11 townships, as bench/run's POSTs spread them */
        for (b.nvill = 0; b.nvill < 64; b.nvill++)
            snprintf(b.villages[b.nvill], 13, "331202%03d%03d", 1 + b.nvill / 6, 1 + b.nvill % 6);
        double ins = run(&b, 0), upd = run(&b, 1), sta = run(&b, 2);
        printf("| %s | %d (groups of %d) | %.1f | %d | %.1f | %.1f |\n",
               with ? "attached" : "detached", n, g, ins, n / 4, upd, sta);
        if (!with) {
            base[0] = ins;
            base[1] = upd;
            base[2] = sta;
        } else {
            printf("\nstatistics cost: %.1f µs per new case, %.1f µs per update, %.1f µs per "
                   "status change (%d villages)\n",
                   ins - base[0], upd - base[1], sta - base[2], b.nvill);
        }
        fflush(stdout);
        stats_detach(&d);
        domain_close(&d);
        store_close(b.s);
    }
    char cmd[100];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) ? 1 : 0;
}
