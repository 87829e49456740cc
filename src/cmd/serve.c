/* fengqiao serve: the HTTP server over the database, with the deadline timer and the event bus. */
#include "api/api.h"
#include "cmd/cmd.h"
#include "core/dedup.h"
#include "core/report.h"
#include "core/timer.h"
#include "core/warning.h"
#include "util/log.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static void on_timer_change(const struct fq_case *c, const char *what, void *arg)
{
    api_publish_case(arg, c, NULL, 0, what);
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {CMD_PATH_OPTIONS,
                                         {"address", required_argument, 0, 'a'},
                                         {"port", required_argument, 0, 'p'},
                                         {"threads", required_argument, 0, 't'},
                                         {"web", required_argument, 0, 'w'},
                                         {"timer-interval", required_argument, 0, 'T'},
                                         {"secure-cookies", no_argument, 0, 'S'},
                                         {"case-cache-mb", required_argument, 0, 'C'},
                                         {"max-per-ip", required_argument, 0, 'I'},
                                         {0, 0, 0, 0}};
    struct cmd_paths p;
    struct http_opts ho = {.address = "127.0.0.1", .port = 8080};
    const char *web = NULL;
    int timer_ms = 30000, secure = 0, cache_mb = 64, c;
    cmd_paths_init(&p);
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (cmd_paths_opt(&p, c, optarg))
            continue;
        switch (c) {
        case 'a': ho.address = optarg; break;
        case 'p': ho.port = atoi(optarg); break;
        case 't': ho.threads = atoi(optarg); break;
        case 'w': web = optarg; break;
        case 'T': timer_ms = atoi(optarg); break;
        case 'S': secure = 1; break;
        case 'C': cache_mb = atoi(optarg); break;
        case 'I': ho.per_ip_limit = atoi(optarg); break;
        default:
            printf("Usage: fengqiao serve [options]\n\nServes the API under /api/v1 and the web apps.\n\n" CMD_PATH_HELP
                   "  --address ADDR    listen address (default 127.0.0.1)\n"
                   "  --port N          port (default 8080; 0 = any free port, printed)\n"
                   "  --threads N       HTTP threads (default: two per core)\n"
                   "  --web DIR         built web apps (default web/dist when present)\n"
                   "  --timer-interval MS  deadline timer period (default 30000)\n"
                   "  --secure-cookies  mark cookies Secure (when served behind TLS)\n"
                   "  --case-cache-mb N memory for cached case details (default 64; 0 = off)\n"
                   "  --max-per-ip N    connections from one client address (default 256; raise it\n"
                   "                    behind a reverse proxy or a hotline gateway, which is one address)\n");
            return c == 'h' ? 0 : 2;
        }
    }
    if (ho.threads == 0) {
        /* libmicrohttpd keeps an accepted connection on one pool thread for good; with one
         * thread per core a few busy clients can land on one thread and leave the other idle
         * (docs/PERFORMANCE.md), so default to two per core */
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        ho.threads = n > 0 && n < 64 ? (int)n * 2 : 4;
    }
    if (ho.port < 0 || ho.port > 65535 || ho.threads < 0 || ho.threads > 256 || timer_ms < 10 || cache_mb < 0 ||
        cache_mb > 65536 || ho.per_ip_limit < 0 || ho.per_ip_limit > 65535) {
        fprintf(stderr, "fengqiao serve: invalid --port, --threads, --timer-interval, --case-cache-mb or "
                        "--max-per-ip\n");
        return 2;
    }
    struct store *s;
    struct fq_domain d;
    if (cmd_open(&p, 0, &s, &d))
        return 1;
    if (dedup_start(&d)) /* duplicate candidates from memory; on failure from SQL, same answers */
        log_warn("serve: recent-case index unavailable; duplicate detection reads SQL");
    d.bus = bus_new();
    struct api_ctx ctx = {.dom = &d, .secure_cookies = secure, .case_cache_mb = cache_mb};
    ctx.http = http_server_new(&ho);
    if (!ctx.http || !d.bus || api_start(&ctx)) {
        fprintf(stderr, "fengqiao serve: out of memory\n");
        return 1;
    }
    api_register(&ctx);
    if (!web && is_dir("web/dist"))
        web = "web/dist";
    if (web)
        http_static(ctx.http, "/", web);
    struct fq_error e = {0};
    if (http_server_start(ctx.http, &e)) {
        fprintf(stderr, "fengqiao serve: %s\n", e.message);
        return 1;
    }
    struct timer *t = timer_start(&d, timer_ms, on_timer_change, &ctx);
    struct report_scheduler *reports = report_scheduler_start(&d); /* monthly .xlsx */
    /* early warning: scores and warnings recomputed every 10 minutes (FQ_WARNING_INTERVAL_MS) */
    const char *wi = getenv("FQ_WARNING_INTERVAL_MS");
    struct warn_runner *warnings = warn_runner_start(&d, wi ? atoi(wi) : 600000);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    printf("fengqiao serving http://%s:%d/ (database %s)\n", ho.address, http_server_port(ctx.http), p.db);
    fflush(stdout);
    while (!stopping)
        pause();
    log_info("shutting down");
    timer_stop(t);
    warn_runner_stop(warnings);
    report_scheduler_stop(reports);
    bus_close(d.bus);
    http_server_free(ctx.http);
    api_stop(&ctx);
    bus_free(d.bus);
    domain_close(&d);
    store_close(s);
    return 0;
}
