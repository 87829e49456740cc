/* fengqiao demo: fills a freshly initialised database with a believable city. */
#include "cmd/cmd.h"
#include "core/demo.h"
#include "core/stats.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rebuild_flag_tx(struct store_tx *tx, void *arg)
{
    (void)arg;
    return store_tx_setting_put(tx, "stats.rebuild", "1");
}

static void progress(const char *stage, long done, long total, void *arg)
{
    (void)arg;
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
    o.progress = progress;
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
        stats_attach(&d);
        rc = stats_rebuild_if_needed(&d);
        if (rc)
            fq_fail(&e, rc, NULL, "", "statistics rebuild failed");
    }
    domain_close(&d);
    store_close(s);
    if (rc) {
        fprintf(stderr, "\nfengqiao demo: %s\n", e.message[0] ? e.message : fq_strerror(rc));
        return 1;
    }
    demo_print_accounts(stdout);
    return 0;
}
