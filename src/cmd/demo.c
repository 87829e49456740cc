/* fengqiao demo: fills a freshly initialised database with a believable city. */
#include "cmd/cmd.h"
#include "core/demo.h"
#include "core/stats.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A demo's case simulation frees and allocates millions of small blocks (SQLite's statements and
 * records, jansson's objects, case copies) in bursts that overflow glibc's per-thread cache of 7
 * blocks a size, and the overflow goes through the arena's locked bins: _int_malloc, _int_free
 * and malloc_consolidate were ~12 % of the demo's profile. A cache of 1,000 a size took the case
 * simulation from 12.1-13.2 to 9.5-10.1 s CPU and the whole demo from 14.4-16.9 to 12.6-14.9 s user
 * time (50,000 cases, 7 counties; three runs each, interleaved, load 4-5). The cache size is a
 * tunable glibc reads only at start-up, hence the exec. */
void cmd_demo_tune_malloc(char **argv)
{
#ifdef __GLIBC__
    static const char tune[] = "glibc.malloc.tcache_count=1000";
    const char *old = getenv("GLIBC_TUNABLES");
    char value[1024];
    if (old && strstr(old, "glibc.malloc.tcache_count"))
        return; /* tuned already (this is the exec'd program), or by the user */
    if ((size_t)snprintf(value, sizeof value, "%s%s%s", old ? old : "", old ? ":" : "", tune) >=
        sizeof value)
        return;
    if (setenv("GLIBC_TUNABLES", value, 1))
        return;
    fflush(NULL);
    execv("/proc/self/exe", argv);
    /* no /proc: run untuned, without leaving the variable to the programs we might start */
    if (old)
        setenv("GLIBC_TUNABLES", old, 1);
    else
        unsetenv("GLIBC_TUNABLES");
#else
    (void)argv;
#endif
}

static int rebuild_flag_tx(struct store_tx *tx, void *arg)
{
    (void)arg;
    return store_tx_setting_put(tx, "stats.rebuild", "1");
}

/* Wall and CPU time (all threads) of each stage, printed when it ends: the demo's speed is an
 * issue of its own (issue 2), and a figure per stage says where it goes. */
struct phase {
    char stage[32];
    double wall, cpu;
};

static void phase_now(double *wall, double *cpu)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    *wall = (double)t.tv_sec + (double)t.tv_nsec / 1e9;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    *cpu = (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Ends the current stage (if any) with a line on stderr and starts `next` (NULL: none). */
static void phase_next(struct phase *ph, const char *next)
{
    double wall, cpu;
    phase_now(&wall, &cpu);
    if (ph->stage[0])
        fprintf(stderr, "%-28s %.2f s wall, %.2f s CPU\n", ph->stage, wall - ph->wall, cpu - ph->cpu);
    snprintf(ph->stage, sizeof ph->stage, "%s", next ? next : "");
    ph->wall = wall;
    ph->cpu = cpu;
}

static void progress(const char *stage, long done, long total, void *arg)
{
    struct phase *ph = arg;
    if (strcmp(stage, ph->stage))
        phase_next(ph, stage);
    cmd_progress(stage, done, total);
}

int cmd_demo(int argc, char **argv)
{
    static const struct option opts[] = {CMD_PATH_OPTIONS,
                                         {"cases", required_argument, 0, 'c'},
                                         {"counties", required_argument, 0, 'k'},
                                         {"months", required_argument, 0, 'm'},
                                         {"seed", required_argument, 0, 's'},
                                         {"surges", optional_argument, 0, 'S'},
                                         {0, 0, 0, 0}};
    struct cmd_paths p;
    struct demo_opts o = {.counties = 7, .cases = 50000, .months = 12, .seed = 2026};
    int c;
    cmd_paths_init(&p);
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (cmd_paths_opt(&p, c, optarg))
            continue;
        switch (c) {
        case 'c': o.cases = atoi(optarg); break;
        case 'k': o.counties = atoi(optarg); break;
        case 'm': o.months = atoi(optarg); break;
        case 's': o.seed = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'S':
            o.plant_surges = !optarg || !strcmp(optarg, "escalation") ? DEMO_SURGES_ESCALATION
                             : !strcmp(optarg, "burst")                ? DEMO_SURGES_BURST
                             : !strcmp(optarg, "sudden")               ? DEMO_SURGES_SUDDEN
                                                                       : -1;
            if (o.plant_surges < 0) {
                fprintf(stderr, "fengqiao demo: --surges[=escalation|sudden|burst]\n");
                return 2;
            }
            break;
        default:
            printf("Usage: fengqiao demo [options]\n\nPopulates an initialised database with a demo city: divisions, grids,\n"
                   "centres and departments, users for every role, and months of cases in every state.\n\n" CMD_PATH_HELP
                   "  --cases N         cases to generate (default 50000)\n"
                   "  --counties N      counties/districts (1..7, default 7)\n"
                   "  --months N        months of history (default 12)\n"
                   "  --seed N          random seed (default 2026)\n"
                   "  --surges[=MODEL]  plant surges for the early-warning evaluation: escalation\n"
                   "                    (default: group disputes building up over days), sudden\n"
                   "                    (the same peaks, no build-up) or burst (the first shape,\n"
                   "                    2-3 day bursts only); docs/WARNING.md\n");
            return c == 'h' ? 0 : 2;
        }
    }
    if (o.cases < 0 || o.counties < 1 || o.counties > 7 || o.months < 1 || o.months > 36) {
        fprintf(stderr, "fengqiao demo: --cases >= 0, --counties 1..7, --months 1..36\n");
        return 2;
    }
    struct phase ph = {.stage = "reference"};
    phase_now(&ph.wall, &ph.cpu);
    o.progress = progress;
    o.progress_arg = &ph;
    struct store *s;
    struct fq_domain d;
    if (cmd_open(&p, 0, &s, &d))
        return 1;
    struct fq_error e = {0};
    /* a demo writes each case many times over its simulated life: keeping the statistics
     * aggregates fresh on every write would cost more than computing each case once at the end */
    stats_detach(&d);
    int rc = demo_build(&d, &o, &e);
    if (rc == 0 && (rc = store_write(s, rebuild_flag_tx, NULL)) == 0) {
        phase_next(&ph, "statistics");
        stats_attach(&d);
        rc = stats_rebuild_if_needed(&d);
        if (rc)
            fq_fail(&e, rc, NULL, "", "statistics rebuild failed");
    }
    phase_next(&ph, "close");
    domain_close(&d);
    store_close(s);
    phase_next(&ph, NULL);
    if (rc) {
        fprintf(stderr, "\nfengqiao demo: %s\n", e.message[0] ? e.message : fq_strerror(rc));
        return 1;
    }
    demo_print_accounts(stdout);
    return 0;
}
