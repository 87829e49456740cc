/* fengqiao backup FILE: an online, consistent copy while the server keeps running. */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdio.h>

static void progress(int done, int total, void *arg)
{
    (void)arg;
    cmd_progress("backup (pages)", done, total);
}

int cmd_backup(int argc, char **argv)
{
    static const struct option opts[] = {CMD_PATH_OPTIONS, {0, 0, 0, 0}};
    struct cmd_paths p;
    int c;
    cmd_paths_init(&p);
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (cmd_paths_opt(&p, c, optarg))
            continue;
        printf("Usage: fengqiao backup [options] FILE\n\nWrites an online, consistent copy of the database to FILE "
               "(which must not exist).\nThe key file is not copied: keep it safe separately.\n\n" CMD_PATH_HELP);
        return c == 'h' ? 0 : 2;
    }
    if (optind != argc - 1) {
        fprintf(stderr, "Usage: fengqiao backup [options] FILE\n");
        return 2;
    }
    struct store *s;
    if (cmd_open(&p, 1, &s, NULL))
        return 1;
    struct fq_error e = {0};
    int rc = store_backup(s, argv[optind], progress, NULL, &e);
    store_close(s);
    if (rc) {
        fprintf(stderr, "fengqiao backup: %s\n", e.message[0] ? e.message : fq_strerror(rc));
        return 1;
    }
    printf("backup written to %s\n", argv[optind]);
    return 0;
}
