/* Subcommand dispatch, shared paths and progress display. */
#include "cmd/cmd.h"
#include "core/stats.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <time.h>
#include <unistd.h>

#ifndef FQ_REFDATA_DIR
#define FQ_REFDATA_DIR "data"
#endif

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} commands[] = {
    {"init", cmd_init, "create a new database with schema and reference data"},
    {"demo", cmd_demo, "populate a demo city (divisions, grids, departments, users, cases)"},
    {"serve", cmd_serve, "run the HTTP server"},
    {"user", cmd_user, "manage staff accounts: add, passwd, list"},
    {"check", cmd_check, "verify database integrity and every case's event hash chain"},
    {"backup", cmd_backup, "write an online, consistent copy of the database"},
    {"report", cmd_report, "write the monthly analysis report (.xlsx)"},
};

static void usage(FILE *f)
{
    fprintf(f, "fengqiao — 枫桥 social-governance platform\n\nUsage: fengqiao <command> [options]\n\nCommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\nRun `fengqiao <command> --help` for a command's options.\n");
}

int cmd_main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "demo"))
        cmd_demo_tune_malloc(argv);
    store_global_init();
    if (sodium_init() < 0) {
        fprintf(stderr, "fengqiao: libsodium failed to initialise\n");
        return 1;
    }
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "fengqiao: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}

void cmd_paths_init(struct cmd_paths *p)
{
    const char *v;
    memset(p, 0, sizeof *p);
    snprintf(p->db, sizeof p->db, "%s", (v = getenv("FQ_DB")) ? v : "var/fengqiao.db");
    snprintf(p->data_dir, sizeof p->data_dir, "%s", (v = getenv("FQ_DATA")) ? v : "var/data");
    snprintf(p->refdata, sizeof p->refdata, "%s", (v = getenv("FQ_DATA_DIR")) ? v : FQ_REFDATA_DIR);
    snprintf(p->key, sizeof p->key, "%s/fengqiao.key", p->data_dir);
}

int cmd_paths_opt(struct cmd_paths *p, int opt, const char *arg)
{
    switch (opt) {
    case 'D':
        snprintf(p->db, sizeof p->db, "%s", arg);
        return 1;
    case 'A':
        snprintf(p->data_dir, sizeof p->data_dir, "%s", arg);
        snprintf(p->key, sizeof p->key, "%s/fengqiao.key", p->data_dir);
        return 1;
    case 'R':
        snprintf(p->refdata, sizeof p->refdata, "%s", arg);
        return 1;
    }
    return 0;
}

int cmd_open(const struct cmd_paths *p, int readonly, struct store **s, struct fq_domain *d)
{
    struct fq_error e = {0};
    struct store_opts o = {.path = p->db, .readonly = readonly};
    if (store_open(&o, s, &e)) {
        fprintf(stderr, "fengqiao: cannot open %s: %s\n", p->db, e.message);
        return 1;
    }
    if (d && domain_open(d, *s, p->key, p->data_dir, &e)) {
        fprintf(stderr, "fengqiao: %s\n", e.message);
        store_close(*s);
        *s = NULL;
        return 1;
    }
    if (d) { /* statistics aggregates follow every case write from here on */
        stats_attach(d);
        if (!readonly)
            stats_rebuild_if_needed(d);
    }
    return 0;
}

void cmd_progress(const char *stage, long done, long total)
{
    static struct timespec last;
    static char last_stage[64];
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000;
    int finished = total > 0 && done >= total;
    if (!finished && ms < 200 && !strcmp(stage, last_stage))
        return;
    last = now;
    snprintf(last_stage, sizeof last_stage, "%s", stage);
    int tty = isatty(2);
    if (total > 0)
        fprintf(stderr, "%s%-28s %3ld%%  (%ld/%ld)%s", tty ? "\r" : "", stage, done * 100 / total, done, total,
                tty && !finished ? "" : "\n");
    else
        fprintf(stderr, "%s%-28s %ld%s", tty ? "\r" : "", stage, done, tty ? "" : "\n");
    fflush(stderr);
}
