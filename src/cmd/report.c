/* fengqiao report --month YYYY-MM [--division CODE] -o FILE.xlsx: the monthly analysis report. */
#include "cmd/cmd.h"
#include "core/ident.h"
#include "core/report.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void progress(const char *stage, long done, long total, void *arg)
{
    (void)arg;
    cmd_progress(stage, done, total);
}

static void usage(FILE *f)
{
    fprintf(
        f,
        "Usage: fengqiao report --month YYYY-MM [--division CODE] -o FILE.xlsx [options]\n\n"
        "Writes the monthly analysis report (月度分析报告) of the cases registered in the month:\n"
        "sheets 概况, 分区划, 部门排名, 分类别, 超期清单, 重复信访, 预警. Definitions: "
        "docs/METRICS.md.\n\n"
        "  -m, --month YYYY-MM   the month (required)\n"
        "  -d, --division CODE   a division subtree (12-digit code; default everything)\n"
        "  -o, --output FILE     the .xlsx file to write (required; replaced if it "
        "exists)\n" CMD_PATH_HELP);
}

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {{"month", required_argument, 0, 'm'},
                                         {"division", required_argument, 0, 'd'},
                                         {"output", required_argument, 0, 'o'},
                                         CMD_PATH_OPTIONS,
                                         {0, 0, 0, 0}};
    struct cmd_paths p;
    const char *month = NULL, *division = "", *out = NULL;
    int c, year, mon;
    cmd_paths_init(&p);
    optind = 1;
    while ((c = getopt_long(argc, argv, "hm:d:o:", opts, NULL)) != -1) {
        if (cmd_paths_opt(&p, c, optarg))
            continue;
        switch (c) {
        case 'm':
            month = optarg;
            break;
        case 'd':
            division = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc || !month || !out) {
        usage(stderr);
        return 2;
    }
    if (report_month_parse(month, &year, &mon)) {
        fprintf(stderr, "fengqiao report: --month must be YYYY-MM\n");
        return 2;
    }
    if (division[0] && !division_code_valid(division)) {
        fprintf(stderr, "fengqiao report: --division must be a 12-digit division code\n");
        return 2;
    }
    struct store *s;
    struct fq_domain d;
    if (cmd_open(&p, 0, &s, &d))
        return 1;
    struct fq_error e = {0};
    int rc = report_monthly(&d, year, mon, division, out, progress, NULL, &e);
    domain_close(&d);
    store_close(s);
    if (rc) {
        fprintf(stderr, "fengqiao report: %s\n", e.message[0] ? e.message : fq_strerror(rc));
        return 1;
    }
    printf("wrote %s\n", out);
    return 0;
}
