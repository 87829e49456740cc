/* fengqiao user add|passwd|list: staff accounts from the command line (the first admin, resets). */
#include "cmd/cmd.h"
#include "core/ident.h"
#include "core/password.h"
#include "util/clock.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *usage_text =
    "Usage: fengqiao user add NAME --role ROLE[,ROLE] [--division CODE] [--department ID]\n"
    "                         [--display-name TEXT] [--password P]\n"
    "       fengqiao user passwd NAME [--password P]\n"
    "       fengqiao user list\n\n"
    "Roles: admin clerk dispatcher handler mediator grid_worker supervisor leader.\n"
    "Without --password the password is read from standard input (one line).\n\n" CMD_PATH_HELP;

struct user_job {
    struct fq_user u;
    int create;
};

static int user_tx(struct store_tx *tx, void *arg)
{
    struct user_job *j = arg;
    if (j->create)
        return store_tx_user_insert(tx, &j->u);
    struct fq_user cur;
    int rc = store_tx_user_get(tx, j->u.username, &cur);
    if (rc)
        return rc;
    memcpy(cur.pw_hash, j->u.pw_hash, sizeof cur.pw_hash);
    cur.failed_logins = 0;
    cur.locked_until = 0;
    return store_tx_user_update(tx, &cur);
}

static int read_password(const char *given, char out[160])
{
    if (given) {
        snprintf(out, 160, "%s", given);
        return 0;
    }
    if (!fgets(out, 160, stdin))
        return -1;
    out[strcspn(out, "\r\n")] = 0;
    return 0;
}

int cmd_user(int argc, char **argv)
{
    static const struct option opts[] = {CMD_PATH_OPTIONS,
                                         {"role", required_argument, 0, 'r'},
                                         {"division", required_argument, 0, 'd'},
                                         {"department", required_argument, 0, 'p'},
                                         {"display-name", required_argument, 0, 'n'},
                                         {"password", required_argument, 0, 'w'},
                                         {0, 0, 0, 0}};
    struct cmd_paths p;
    struct user_job j;
    const char *roles = NULL, *password = NULL;
    int c;
    cmd_paths_init(&p);
    memset(&j, 0, sizeof j);
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (cmd_paths_opt(&p, c, optarg))
            continue;
        switch (c) {
        case 'r': roles = optarg; break;
        case 'd': snprintf(j.u.division, sizeof j.u.division, "%s", optarg); break;
        case 'p': j.u.department_id = atoll(optarg); break;
        case 'n': snprintf(j.u.display_name, sizeof j.u.display_name, "%s", optarg); break;
        case 'w': password = optarg; break;
        default:
            fputs(usage_text, c == 'h' ? stdout : stderr);
            return c == 'h' ? 0 : 2;
        }
    }
    const char *verb = optind < argc ? argv[optind] : NULL;
    struct store *s;
    if (!verb || (strcmp(verb, "list") && optind + 2 != argc)) {
        fputs(usage_text, stderr);
        return 2;
    }
    if (!strcmp(verb, "list")) {
        json_t *users;
        if (cmd_open(&p, 1, &s, NULL))
            return 1;
        if (store_users(store_rd(s), &users) == 0) {
            size_t i;
            json_t *u;
            printf("%-28s %-16s %-40s %-13s %s\n", "username", "name", "roles", "division", "department");
            json_array_foreach(users, i, u) {
                char *r = json_dumps(json_object_get(u, "roles"), JSON_COMPACT);
                json_t *div = json_object_get(u, "division"), *dep = json_object_get(u, "department_id");
                printf("%-28s %-16s %-40s %-13s %lld\n", json_string_value(json_object_get(u, "username")),
                       json_string_value(json_object_get(u, "display_name")), r,
                       json_is_string(div) ? json_string_value(div) : "-", (long long)json_integer_value(dep));
                free(r);
            }
            json_decref(users);
        }
        store_close(s);
        return 0;
    }
    snprintf(j.u.username, sizeof j.u.username, "%s", argv[optind + 1]);
    if (!strcmp(verb, "add")) {
        char buf[256], *save = NULL;
        if (!roles) {
            fprintf(stderr, "fengqiao user add: --role is required\n");
            return 2;
        }
        snprintf(buf, sizeof buf, "%s", roles);
        for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            int r;
            if (role_parse(t, &r)) {
                fprintf(stderr, "fengqiao user add: unknown role '%s'\n", t);
                return 2;
            }
            j.u.roles |= 1u << r;
        }
        if (j.u.division[0] && !division_code_valid(j.u.division)) {
            fprintf(stderr, "fengqiao user add: invalid division code '%s'\n", j.u.division);
            return 2;
        }
        if (!j.u.display_name[0])
            snprintf(j.u.display_name, sizeof j.u.display_name, "%s", j.u.username);
        j.u.created_at = fq_now_ms();
        j.create = 1;
    } else if (strcmp(verb, "passwd")) {
        fputs(usage_text, stderr);
        return 2;
    }
    char pw[160];
    if (read_password(password, pw) || password_hash(pw, j.u.pw_hash)) {
        fprintf(stderr, "fengqiao user: password must be 8 to 128 characters\n");
        return 2;
    }
    sodium_memzero(pw, sizeof pw);
    if (cmd_open(&p, 0, &s, NULL))
        return 1;
    int rc = store_write(s, user_tx, &j);
    store_close(s);
    if (rc) {
        fprintf(stderr, "fengqiao user %s: %s\n", verb,
                rc == FQ_ECONFLICT ? "username already taken" : rc == FQ_ENOTFOUND ? "no such user" : fq_strerror(rc));
        return 1;
    }
    printf("%s %s\n", verb, j.u.username);
    return 0;
}
