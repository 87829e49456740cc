/* fengqiao init: a new database with its schema, reference data and a fresh key file. */
#include "cmd/cmd.h"
#include "core/password.h"
#include "core/pii.h"
#include "core/seed.h"
#include "util/clock.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p with mode 0700 for the last component. */
static int make_dirs(const char *path)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0755) && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0700) && errno != EEXIST ? -1 : 0;
}

struct admin_job {
    struct fq_user u;
};

static int admin_tx(struct store_tx *tx, void *arg)
{
    struct admin_job *j = arg;
    return store_tx_user_insert(tx, &j->u);
}

int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {CMD_PATH_OPTIONS, {"admin-password", required_argument, 0, 'p'}, {0, 0, 0, 0}};
    struct cmd_paths p;
    const char *admin_pw = NULL;
    int c;
    cmd_paths_init(&p);
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (cmd_paths_opt(&p, c, optarg))
            continue;
        if (c == 'p') {
            admin_pw = optarg;
            continue;
        }
        printf("Usage: fengqiao init [options]\n\nCreates a new database: schema, GB/T 31000 code tables, grid matters,\n"
               "responsibility list, holiday calendar, default SLA policy, and the key file\n"
               "that encrypts personal data (mode 0600, kept beside the data).\n\n" CMD_PATH_HELP
               "  --admin-password P  also create the account `admin` with this password\n");
        return c == 'h' ? 0 : 2;
    }
    if (access(p.db, F_OK) == 0) {
        fprintf(stderr, "fengqiao init: %s already exists; refusing to overwrite\n", p.db);
        return 1;
    }
    char dbdir[512];
    snprintf(dbdir, sizeof dbdir, "%s", p.db);
    char *slash = strrchr(dbdir, '/');
    if (slash) {
        *slash = 0;
        make_dirs(dbdir);
    }
    if (make_dirs(p.data_dir)) {
        fprintf(stderr, "fengqiao init: cannot create %s: %s\n", p.data_dir, strerror(errno));
        return 1;
    }
    struct pii_key key;
    int rc = pii_key_load(p.key, 1, &key);
    if (rc) {
        fprintf(stderr, "fengqiao init: cannot create key file %s (%s)\n", p.key, fq_strerror(rc));
        return 1;
    }
    struct fq_error e = {0};
    struct store *s;
    struct store_opts o = {.path = p.db, .create = 1};
    if (store_open(&o, &s, &e)) {
        fprintf(stderr, "fengqiao init: %s\n", e.message);
        return 1;
    }
    cmd_progress("reference data", 0, 1);
    if (seed_reference(s, p.refdata, &e)) {
        fprintf(stderr, "\nfengqiao init: %s\n", e.message);
        store_close(s);
        unlink(p.db);
        return 1;
    }
    cmd_progress("reference data", 1, 1);
    if (admin_pw) {
        struct admin_job j;
        memset(&j, 0, sizeof j);
        snprintf(j.u.username, sizeof j.u.username, "admin");
        snprintf(j.u.display_name, sizeof j.u.display_name, "系统管理员");
        j.u.roles = 1u << ROLE_ADMIN;
        j.u.created_at = fq_now_ms();
        if (password_hash(admin_pw, j.u.pw_hash) || store_write(s, admin_tx, &j)) {
            fprintf(stderr, "fengqiao init: cannot create admin (password must be 8-128 characters)\n");
            store_close(s);
            return 1;
        }
    }
    store_close(s);
    printf("initialised %s (schema v%d), key %s\n", p.db, store_schema_version(), p.key);
    return 0;
}
