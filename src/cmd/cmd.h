/* The command line: `fengqiao <subcommand> [options]`. Each subcommand lives in its own file and
 * answers --help. */
#ifndef FQ_CMD_CMD_H
#define FQ_CMD_CMD_H

#include "core/domain.h"
#include "store/store.h"

/* Runs the program; returns the exit status. */
int cmd_main(int argc, char **argv);

int cmd_init(int argc, char **argv);
int cmd_demo(int argc, char **argv);
/* Called first thing for `fengqiao demo` with main's argv: re-executes the program once with
 * glibc's per-thread malloc cache enlarged (GLIBC_TUNABLES, read only at start-up), the demo
 * being malloc-bound; returns (and the demo runs as is) when that is not possible. */
void cmd_demo_tune_malloc(char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Paths every subcommand shares. */
struct cmd_paths {
    char db[512];       /* --db, $FQ_DB, default var/fengqiao.db */
    char data_dir[512]; /* --data-dir, $FQ_DATA, default var/data: key file and attachments */
    char refdata[512];  /* --refdata, $FQ_DATA_DIR, default the source tree's data/ */
    char key[600];      /* data_dir/fengqiao.key */
};

/* Fills defaults from the environment. */
void cmd_paths_init(struct cmd_paths *p);
/* Handles --db/--data-dir/--refdata; 1 when opt was one of them. */
int cmd_paths_opt(struct cmd_paths *p, int opt, const char *arg);
/* Opens the store and the domain (readonly for check/backup); prints the error and returns
 * non-zero on failure. */
int cmd_open(const struct cmd_paths *p, int readonly, struct store **s, struct fq_domain *d);
/* A one-line progress indicator on stderr ("stage  42%"), throttled; done>=total ends the line. */
void cmd_progress(const char *stage, long done, long total);

#define CMD_PATH_OPTIONS                                                                           \
    {"db", required_argument, 0, 'D'}, {"data-dir", required_argument, 0, 'A'},                    \
        {"refdata", required_argument, 0, 'R'}, {"help", no_argument, 0, 'h'}
#define CMD_PATH_HELP                                                                              \
    "  --db PATH         database file (default var/fengqiao.db, or $FQ_DB)\n"                     \
    "  --data-dir DIR    key file and attachments (default var/data, or $FQ_DATA)\n"               \
    "  --refdata DIR     reference data tables (default the source tree's data/)\n"                \
    "  -h, --help        this help\n"

#endif
