/* Loading the shipped reference tables into a new database.
 *
 * Every file is read and validated in full before anything is written, so a typo in line 80 of
 * a table leaves the database untouched and the error names the file and the line. The writes
 * then go through one store_write_bulk job. */
#include "core/seed.h"

#include "core/sla.h"
#include "util/clock.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED_FILE_MAX (4 << 20) /* a reference table larger than this is surely not one */
#define SEED_COLS_MAX 8

const char *const seed_department_kinds[] = {
    "justice",       "police",    "letters", "hrss",
    "housing",       "urban",     "market",  "natural_resources",
    "civil_affairs", "health",    "ecology", "education",
    "transport",     "emergency", "women",   "court",
    "agriculture",   "community", NULL};

int seed_department_kind_valid(const char *kind)
{
    for (int i = 0; seed_department_kinds[i]; i++)
        if (!strcmp(seed_department_kinds[i], kind))
            return 1;
    return 0;
}

/* One parsed table: the file's bytes, cut in place into rows of columns. */
struct table {
    char name[64]; /* file name, for messages */
    char *text;    /* the whole file, NUL-terminated; cols point into it */
    int nrows;
    struct row {
        int line;
        int ncols;
        char *col[SEED_COLS_MAX];
    } * rows;
};

static void table_free(struct table *t)
{
    free(t->text);
    free(t->rows);
    memset(t, 0, sizeof *t);
}

static int read_file(const char *path, char **out, struct fq_error *e, const char *name)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0;
    int rc = 0;
    if (!f)
        return fq_fail(e, errno == ENOENT ? FQ_ENOTFOUND : FQ_EIO, "reference_data", "",
                       "%s: cannot open %s: %s", name, path, strerror(errno));
    if (fseek(f, 0, SEEK_END) || (len = (size_t)ftell(f)) > SEED_FILE_MAX ||
        fseek(f, 0, SEEK_SET)) {
        rc = fq_fail(e, FQ_EIO, "reference_data", "", "%s: unreadable or larger than %d bytes",
                     name, SEED_FILE_MAX);
        goto done;
    }
    if (!(buf = malloc(len + 1))) {
        rc = fq_fail(e, FQ_ENOMEM, "reference_data", "", "%s: out of memory", name);
        goto done;
    }
    if (fread(buf, 1, len, f) != len) {
        rc = fq_fail(e, FQ_EIO, "reference_data", "", "%s: read error", name);
        goto done;
    }
    buf[len] = 0;
    *out = buf;
    buf = NULL;
done:
    free(buf);
    fclose(f);
    return rc;
}

/* Reads data_dir/name: skips the header line, blank lines and lines starting with '#'; each row
 * must have between mincols and maxcols tab-separated columns (missing trailing ones read ""). */
static int table_load(const char *data_dir, const char *name, int mincols, int maxcols,
                      struct table *t, struct fq_error *e)
{
    char path[1024];
    int rc, cap = 0, line = 0;
    static char empty[1];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    snprintf(path, sizeof path, "%s/%s", data_dir, name);
    if ((rc = read_file(path, &t->text, e, name)))
        return rc;
    char *p = t->text;
    if (!strncmp(p, "\xEF\xBB\xBF", 3)) /* a UTF-8 byte-order mark from a spreadsheet export */
        p += 3;
    while (*p) {
        char *nl = strchr(p, '\n');
        char *next = nl ? nl + 1 : p + strlen(p);
        if (nl)
            *nl = 0;
        size_t n = strlen(p);
        if (n && p[n - 1] == '\r')
            p[--n] = 0;
        line++;
        if (line == 1 || n == 0 || p[0] == '#') {
            p = next;
            continue;
        }
        if (t->nrows == cap) {
            cap = cap ? cap * 2 : 64;
            struct row *r = realloc(t->rows, (size_t)cap * sizeof *r);
            if (!r) {
                rc = fq_fail(e, FQ_ENOMEM, "reference_data", "", "%s: out of memory", name);
                goto fail;
            }
            t->rows = r;
        }
        struct row *r = &t->rows[t->nrows];
        memset(r, 0, sizeof *r);
        r->line = line;
        for (char *c = p;;) {
            if (r->ncols == maxcols) {
                rc = fq_fail(e, FQ_EINVAL, "reference_data", "", "%s:%d: more than %d columns",
                             name, line, maxcols);
                goto fail;
            }
            r->col[r->ncols++] = c;
            char *tab = strchr(c, '\t');
            if (!tab)
                break;
            *tab = 0;
            c = tab + 1;
        }
        if (r->ncols < mincols) {
            rc = fq_fail(e, FQ_EINVAL, "reference_data", "", "%s:%d: %d columns, expected %d", name,
                         line, r->ncols, mincols);
            goto fail;
        }
        while (r->ncols < maxcols)
            r->col[r->ncols++] = empty;
        t->nrows++;
        p = next;
    }
    return 0;
fail:
    table_free(t);
    return rc;
}

static int all_digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Keywords are comma-separated; reject empty items and stray spaces that would never match. */
static int keywords_valid(const char *s)
{
    if (!*s)
        return 1;
    const char *p = s;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (n == 0 || p[0] == ' ' || p[n - 1] == ' ')
            return 0;
        if (!c)
            return 1;
        p = c + 1;
    }
}

static int bad(struct fq_error *e, const struct table *t, const struct row *r, const char *fmt,
               const char *arg)
{
    char msg[200];
    snprintf(msg, sizeof msg, fmt, arg);
    return fq_fail(e, FQ_EINVAL, "reference_data", "", "%s:%d: %s", t->name, r->line, msg);
}

/* Everything to write, validated; strings point into the tables. */
struct seed {
    struct table disputes, keywords, matters, methods, resp, holidays;
    int64_t *days; /* parsed holiday dates, parallel to holidays.rows */
    struct fq_sla_rule *rules;
    int nrules;
};

static const char *find_keywords(const struct seed *sd, const char *code)
{
    for (int i = 0; i < sd->keywords.nrows; i++)
        if (!strcmp(sd->keywords.rows[i].col[0], code))
            return sd->keywords.rows[i].col[1];
    return "";
}

static int find_code(const struct table *t, int upto, const char *code)
{
    for (int i = 0; i < upto && i < t->nrows; i++)
        if (!strcmp(t->rows[i].col[0], code))
            return 1;
    return 0;
}

static int category_known(const struct seed *sd, const char *code)
{
    return find_code(&sd->disputes, sd->disputes.nrows, code) ||
           find_code(&sd->matters, sd->matters.nrows, code);
}

static int check_disputes(struct seed *sd, struct fq_error *e)
{
    struct table *t = &sd->disputes;
    for (int i = 0; i < t->nrows; i++) {
        struct row *r = &t->rows[i];
        const char *code = r->col[0];
        if (!all_digits(code, 2) && !all_digits(code, 4))
            return bad(e, t, r, "code \"%s\" is not 2 or 4 digits", code);
        if (!*r->col[1])
            return bad(e, t, r, "empty name for %s", code);
        if (find_code(t, i, code))
            return bad(e, t, r, "duplicate code %s", code);
        if (strlen(code) == 4) {
            char parent[3] = {code[0], code[1], 0};
            if (!find_code(t, t->nrows, parent))
                return bad(e, t, r, "level-1 code of %s is missing", code);
        }
    }
    t = &sd->keywords;
    for (int i = 0; i < t->nrows; i++) {
        struct row *r = &t->rows[i];
        if (!find_code(&sd->disputes, sd->disputes.nrows, r->col[0]))
            return bad(e, t, r, "unknown dispute category %s", r->col[0]);
        if (find_code(t, i, r->col[0]))
            return bad(e, t, r, "duplicate code %s", r->col[0]);
        if (!keywords_valid(r->col[1]))
            return bad(e, t, r, "malformed keyword list \"%s\"", r->col[1]);
    }
    return 0;
}

static int check_matters(struct seed *sd, struct fq_error *e)
{
    struct table *t = &sd->matters;
    for (int i = 0; i < t->nrows; i++) {
        struct row *r = &t->rows[i];
        const char *code = r->col[0], *parent = r->col[2];
        size_t n = strlen(code);
        if (code[0] != 'G' || (n != 3 && n != 5) || !all_digits(code + 1, n - 1))
            return bad(e, t, r, "code \"%s\" is not G plus 2 or 4 digits", code);
        if (!*r->col[1])
            return bad(e, t, r, "empty name for %s", code);
        if (find_code(t, i, code))
            return bad(e, t, r, "duplicate code %s", code);
        if (n == 3 && *parent)
            return bad(e, t, r, "level-1 matter %s must have no parent", code);
        if (n == 5 && (strncmp(parent, code, 3) || strlen(parent) != 3 || !find_code(t, i, parent)))
            return bad(e, t, r, "parent of %s must be its level-1 matter, listed before it", code);
        if (!keywords_valid(r->col[3]))
            return bad(e, t, r, "malformed keyword list \"%s\"", r->col[3]);
    }
    return 0;
}

static int check_methods(struct seed *sd, struct fq_error *e)
{
    struct table *t = &sd->methods;
    for (int i = 0; i < t->nrows; i++) {
        struct row *r = &t->rows[i];
        if (!all_digits(r->col[0], 2) && !all_digits(r->col[0], 4))
            return bad(e, t, r, "code \"%s\" is not 2 or 4 digits", r->col[0]);
        if (!*r->col[1])
            return bad(e, t, r, "empty name for %s", r->col[0]);
        if (find_code(t, i, r->col[0]))
            return bad(e, t, r, "duplicate code %s", r->col[0]);
    }
    return 0;
}

static int check_kinds(const char *list)
{
    char one[32];
    const char *p = list;
    if (!*p)
        return 1;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (n == 0 || n >= sizeof one)
            return 0;
        memcpy(one, p, n);
        one[n] = 0;
        if (!seed_department_kind_valid(one))
            return 0;
        if (!c)
            return 1;
        p = c + 1;
    }
}

static int check_resp(struct seed *sd, struct fq_error *e)
{
    struct table *t = &sd->resp;
    for (int i = 0; i < t->nrows; i++) {
        struct row *r = &t->rows[i];
        const char *lv = r->col[1];
        if (!category_known(sd, r->col[0]))
            return bad(e, t, r, "unknown category %s", r->col[0]);
        if (strlen(lv) != 1 || lv[0] < '0' || lv[0] > '4')
            return bad(e, t, r, "level \"%s\" is not 0 (any), 1, 2, 3 or 4", lv);
        if (!seed_department_kind_valid(r->col[2]))
            return bad(e, t, r, "unknown lead department kind \"%s\"", r->col[2]);
        if (!check_kinds(r->col[3]))
            return bad(e, t, r, "unknown department kind in \"%s\"", r->col[3]);
        if (strlen(r->col[4]) >= 256)
            return bad(e, t, r, "duty text of %s longer than 255 bytes", r->col[0]);
        for (int j = 0; j < i; j++)
            if (!strcmp(t->rows[j].col[0], r->col[0]) && !strcmp(t->rows[j].col[1], lv))
                return bad(e, t, r, "duplicate row for category %s at this level", r->col[0]);
    }
    return 0;
}

static int check_holidays(struct seed *sd, struct fq_error *e)
{
    struct table *t = &sd->holidays;
    if (t->nrows && !(sd->days = malloc((size_t)t->nrows * sizeof *sd->days)))
        return fq_fail(e, FQ_ENOMEM, "reference_data", "", "out of memory");
    for (int i = 0; i < t->nrows; i++) {
        struct row *r = &t->rows[i];
        if (day_parse(r->col[0], &sd->days[i]))
            return bad(e, t, r, "\"%s\" is not a date YYYY-MM-DD", r->col[0]);
        if (strcmp(r->col[1], "off") && strcmp(r->col[1], "work"))
            return bad(e, t, r, "kind \"%s\" is neither off nor work", r->col[1]);
        for (int j = 0; j < i; j++)
            if (sd->days[j] == sd->days[i])
                return bad(e, t, r, "date %s listed twice", r->col[0]);
    }
    return 0;
}

static int seed_write(struct store_tx *tx, void *arg)
{
    struct seed *sd = arg;
    int rc;
    for (int i = 0; i < sd->disputes.nrows; i++) {
        char **c = sd->disputes.rows[i].col;
        char parent[3] = "";
        if (strlen(c[0]) == 4)
            memcpy(parent, c[0], 2);
        if ((rc = store_tx_category_insert(tx, c[0], c[1], parent, "dispute",
                                           find_keywords(sd, c[0]))))
            return rc;
    }
    for (int i = 0; i < sd->matters.nrows; i++) {
        char **c = sd->matters.rows[i].col;
        if ((rc = store_tx_category_insert(tx, c[0], c[1], c[2], "grid_matter", c[3])))
            return rc;
    }
    for (int i = 0; i < sd->methods.nrows; i++)
        if ((rc = store_tx_resolution_method_insert(tx, sd->methods.rows[i].col[0],
                                                    sd->methods.rows[i].col[1])))
            return rc;
    for (int i = 0; i < sd->resp.nrows; i++) {
        char **c = sd->resp.rows[i].col;
        if ((rc = store_tx_resp_insert(tx, c[0], c[1][0] - '0', c[2], c[3], c[4])))
            return rc;
    }
    for (int i = 0; i < sd->holidays.nrows; i++) {
        char **c = sd->holidays.rows[i].col;
        if ((rc = store_tx_holiday_set(tx, sd->days[i], c[1], c[2])))
            return rc;
    }
    /* the defaults keep their own ids, so seeding twice replaces rather than duplicates them */
    for (int i = 0; i < sd->nrules; i++)
        if ((rc = store_tx_sla_put(tx, &sd->rules[i])))
            return rc;
    return 0;
}

int seed_reference(struct store *s, const char *data_dir, struct fq_error *e)
{
    struct seed sd;
    int rc;
    memset(&sd, 0, sizeof sd);
    if ((rc = table_load(data_dir, "dispute-categories.tsv", 2, 2, &sd.disputes, e)) ||
        (rc = table_load(data_dir, "dispute-keywords.tsv", 2, 2, &sd.keywords, e)) ||
        (rc = table_load(data_dir, "grid-matters.tsv", 3, 4, &sd.matters, e)) ||
        (rc = table_load(data_dir, "resolution-methods.tsv", 2, 2, &sd.methods, e)) ||
        (rc = table_load(data_dir, "responsibility.tsv", 5, 5, &sd.resp, e)) ||
        (rc = table_load(data_dir, "holidays-cn.tsv", 2, 3, &sd.holidays, e)))
        goto done;
    if ((rc = check_disputes(&sd, e)) || (rc = check_matters(&sd, e)) ||
        (rc = check_methods(&sd, e)) || (rc = check_resp(&sd, e)) || (rc = check_holidays(&sd, e)))
        goto done;
    if ((rc = sla_default_rules(&sd.rules, &sd.nrules))) {
        fq_fail(e, rc, "reference_data", "", "cannot build the default SLA rules");
        goto done;
    }
    if ((rc = store_write_bulk(s, seed_write, &sd)))
        fq_fail(e, rc, "store", "", "writing reference data failed: %s", fq_strerror(rc));
done:
    table_free(&sd.disputes);
    table_free(&sd.keywords);
    table_free(&sd.matters);
    table_free(&sd.methods);
    table_free(&sd.resp);
    table_free(&sd.holidays);
    free(sd.days);
    free(sd.rules);
    return rc;
}
