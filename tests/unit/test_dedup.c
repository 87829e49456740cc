/* Tests for core/dedup.c on a real temporary store (reference data and three divisions, no
 * demo): the similarity measures, a repeat petition found by a party's phone through the blind
 * index (and not for another person or an unrelated matter), a duplicate suggested across
 * channels in the same village (and not in another village), and a merge that archives the
 * duplicate with an event naming the primary while both hash chains stay valid; the suggestions
 * kept in the case row read back in both directions exactly as the old duplicate_suggestions
 * table answered, also after migrating such a table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/case.h"
#include "core/chain.h"
#include "core/dedup.h"
#include "core/domain.h"
#include "core/seed.h"
#include "store/store.h"
#include "util/clock.h"
#include "fixture.h"

#include <sqlite3.h>

#define COUNTY "330681000000"
#define TOWN "330681100000"
#define VILLAGE "330681100201"
#define VILLAGE2 "330681100202"
#define VILLAGE3 "330681100203"
#define VILLAGE4 "330681100204"

struct env {
    char dir[64];
    struct store *s;
    struct fq_domain d;
    struct case_actor clerk;
};

static int divisions_tx(struct store_tx *tx, void *arg)
{
    (void)arg;
    int rc;
    if ((rc = store_tx_division_insert(tx, "330600000000", "枫桥示范市", LEVEL_CITY, "")) ||
        (rc = store_tx_division_insert(tx, COUNTY, "示范县", LEVEL_COUNTY, "330600000000")) ||
        (rc = store_tx_division_insert(tx, TOWN, "枫桥镇", LEVEL_TOWNSHIP, COUNTY)) ||
        (rc = store_tx_division_insert(tx, VILLAGE, "枫源村", LEVEL_VILLAGE, TOWN)) ||
        (rc = store_tx_division_insert(tx, VILLAGE2, "栎桥村", LEVEL_VILLAGE, TOWN)) ||
        (rc = store_tx_division_insert(tx, VILLAGE3, "枫溪村", LEVEL_VILLAGE, TOWN)) ||
        (rc = store_tx_division_insert(tx, VILLAGE4, "桥亭村", LEVEL_VILLAGE, TOWN)))
        return rc;
    return 0;
}

/* Opens (fresh: creates, with reference data and the divisions) the store and domain of v in
 * v->dir. 0 or -1. */
static int env_open(struct env *v, int fresh)
{
    struct fq_error e = {0};
    char path[128], key[128];
    struct pii_key k;
    snprintf(path, sizeof path, "%s/fq.db", v->dir);
    snprintf(key, sizeof key, "%s/fengqiao.key", v->dir);
    struct store_opts o = {.path = path, .create = fresh};
    if (store_open(&o, &v->s, &e) || (fresh && seed_reference(v->s, fx_data_dir(), &e)) ||
        (fresh && pii_key_load(key, 1, &k)) || domain_open(&v->d, v->s, key, v->dir, &e) ||
        (fresh && store_write(v->s, divisions_tx, NULL))) {
        fprintf(stderr, "env_open: %s\n", e.message);
        return -1;
    }
    v->clerk.user_id = 1;
    snprintf(v->clerk.name, sizeof v->clerk.name, "受理员");
    v->clerk.roles = (1u << ROLE_CLERK) | (1u << ROLE_DISPATCHER);
    return 0;
}

static void env_close(struct env *v)
{
    domain_close(&v->d);
    store_close(v->s);
}

static int setup(void **state)
{
    static struct env v;
    memset(&v, 0, sizeof v);
    snprintf(v.dir, sizeof v.dir, "/tmp/fq-dedup-XXXXXX");
    if (!mkdtemp(v.dir) || env_open(&v, 1))
        return -1;
    *state = &v;
    return 0;
}

static int teardown(void **state)
{
    struct env *v = *state;
    env_close(v);
    fx_rm_tree(v->dir);
    return 0;
}

static int seen_repeat, seen_dups; /* intake() met a repeat and duplicates: its check ran on both */

struct intake_job {
    struct env *v;
    struct case_intake in;
    struct fq_case out;
    struct fq_error e;
};

static int intake_tx(struct store_tx *tx, void *arg)
{
    struct intake_job *j = arg;
    int replayed;
    return case_intake_tx(tx, &j->v->d, &j->in, store_tx_now(tx), &j->out, &replayed, &j->e);
}

/* The intake event's payload as jansson dumps it (what case.c wrote before it wrote the text
 * itself), with the placeholder code: the prepared event_text must be these bytes. */
static void check_event_text(const struct case_intake *in, const char *title)
{
    json_t *p = json_pack("{s:s, s:s, s:s, s:i}", "channel", channel_name(in->c.channel), "title",
                          title, "division", in->c.division, "parties", in->nparties);
    json_object_set_new(p, "code", json_string("000000000000000000000"));
    if (in->found.repeat_id) {
        json_object_set_new(p, "repeat_of", json_string(in->found.repeat_code));
        json_object_set_new(p, "repeat_petition", json_true());
    }
    json_t *codes = json_array();
    for (int i = 0; i < in->found.n; i++)
        json_array_append_new(codes, json_string(in->found.dup_codes[i]));
    if (in->found.n)
        json_object_set(p, "duplicate_candidates", codes);
    char *want = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
    assert_non_null(in->event_text);
    assert_string_equal(in->event_text, want);
    assert_memory_equal(in->event_text + in->event_code_at, "000000000000000000000", FQ_CODE_LEN);
    free(want);
    json_decref(codes);
    json_decref(p);
}

/* Registers a case; out receives it. phone may be NULL (no party). */
static void intake(struct env *v, const char *channel, const char *division, const char *title,
                   const char *desc, const char *phone, struct fq_case *out)
{
    struct intake_job j;
    memset(&j, 0, sizeof j);
    j.v = v;
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "channel", channel, "kind", "dispute",
                             "title", title, "description", desc, "division", division);
    if (phone)
        json_object_set_new(body, "parties",
                            json_pack("[{s:s, s:s}]", "name", "孙某", "phone", phone));
    assert_int_equal(case_intake_prepare(&v->d, &v->clerk, body, NULL, &j.in, &j.e), 0);
    check_event_text(&j.in, title);
    seen_repeat |= j.in.found.repeat_id != 0;
    seen_dups |= j.in.found.n;
    assert_int_equal(store_write(v->s, intake_tx, &j), 0);
    *out = j.out;
    case_intake_clear(&j.in);
    json_decref(body);
}

static int has_link(struct env *v, const struct fq_case *c, const char *code, const char *kind)
{
    json_t *links, *l;
    size_t i;
    int found = 0;
    assert_int_equal(store_case_links(store_rd(v->s), c->id, &links), 0);
    json_array_foreach(links, i, l) found |=
        !strcmp(json_string_value(json_object_get(l, "code")), code) &&
        !strcmp(json_string_value(json_object_get(l, "kind")), kind);
    json_decref(links);
    return found;
}

/* Recomputes a case's event chain: 1 when every hash and link holds and the head matches. */
static int chain_ok(struct env *v, const char *code)
{
    struct fq_case c;
    struct fq_event *ev;
    int n, ok = 1;
    unsigned char prev[FQ_HASH_LEN] = {0}, h[FQ_HASH_LEN];
    assert_int_equal(store_case_get(store_rd(v->s), code, &c), 0);
    assert_int_equal(store_case_events(store_rd(v->s), c.id, &ev, &n), 0);
    for (int i = 0; i < n; i++) {
        chain_hash(c.code, &ev[i], h);
        ok &= !memcmp(ev[i].prev_hash, prev, FQ_HASH_LEN) && !memcmp(ev[i].hash, h, FQ_HASH_LEN);
        memcpy(prev, h, FQ_HASH_LEN);
    }
    ok &= n == c.event_seq && !memcmp(prev, c.last_hash, FQ_HASH_LEN);
    store_events_free(ev, n);
    fq_case_clear(&c);
    return ok;
}

static void test_similarity(void **state)
{
    (void)state;
    double j, o;
    dedup_similarity("幸福路12号门口自来水管爆裂，水流了一地",
                     "网格员巡查发现幸福路12号门口自来水管爆裂，路面积水", &j, &o);
    assert_true(o >= DEDUP_DUP_OVERLAP);
    assert_true(j > 0.2 && j < o);
    dedup_similarity("幸福路12号门口自来水管爆裂", "楼上邻居夜间装修噪音扰民", &j, &o);
    assert_true(o < 0.1 && j < 0.1);
    dedup_similarity("", "", &j, &o);
    assert_true(j == 0 && o == 0);
}

static void test_repeat_petition(void **state)
{
    struct env *v = *state;
    struct fq_case a, b, other, unrelated;
    intake(v, "letters_visits", VILLAGE, "反映拖欠工程款",
           "孙某反映某建筑公司拖欠其工程款五万元，多次讨要无果。", "13955550001", &a);
    assert_int_equal(a.repeat_of, 0);
    intake(v, "hotline_12345", VILLAGE2, "再次反映拖欠工程款",
           "孙某再次来电，建筑公司拖欠工程款五万元至今未付。", "13955550001", &b);
    assert_int_equal(b.repeat_of, a.id);
    assert_true(has_link(v, &b, a.code, "repeat"));
    /* another person, the same words: no repeat */
    intake(v, "window", VILLAGE, "反映拖欠工程款",
           "孙某反映某建筑公司拖欠其工程款五万元，多次讨要无果。", "13955550002", &other);
    assert_int_equal(other.repeat_of, 0);
    /* the same person, an unrelated matter: no repeat */
    intake(v, "window", VILLAGE2, "邻居装修噪音", "楼上邻居每天夜里装修，电钻声音很大。",
           "13955550001", &unrelated);
    assert_int_equal(unrelated.repeat_of, 0);
    /* the event text escapes as jansson does: quotes, backslash, tab */
    struct fq_case quoted;
    intake(v, "window", VILLAGE2, "再次反映\"拖欠\"工程款\\\t五万元", "孙某第三次来电，建筑公司拖欠工程款五万元至今未付。",
           "13955550001", &quoted);
    assert_int_equal(quoted.repeat_of, a.id);
    assert_true(seen_repeat && seen_dups);
    fq_case_clear(&quoted);
    fq_case_clear(&a);
    fq_case_clear(&b);
    fq_case_clear(&other);
    fq_case_clear(&unrelated);
}

struct merge_job {
    struct dedup_merge m;
    struct fq_case dup, primary;
    struct fq_error e;
};

static int merge_tx(struct store_tx *tx, void *arg)
{
    struct merge_job *j = arg;
    return dedup_merge_tx(tx, &j->m, store_tx_now(tx), &j->dup, &j->primary, &j->e);
}

static void test_duplicate_and_merge(void **state)
{
    struct env *v = *state;
    struct fq_case call, report, far;
    intake(v, "hotline_12345", VILLAGE, "自来水管爆裂",
           "市民来电：幸福路12号门口自来水管爆裂，水流了一地。", NULL, &call);
    intake(v, "grid", VILLAGE, "水管爆裂积水",
           "网格员巡查发现幸福路12号门口自来水管爆裂，路面积水。", NULL, &report);
    intake(v, "grid", VILLAGE2, "水管爆裂积水",
           "网格员巡查发现幸福路12号门口自来水管爆裂，路面积水。", NULL, &far);
    json_t *d;
    assert_int_equal(dedup_case_duplicates(store_rd(v->s), report.id, &d), 0);
    assert_true(json_array_size(d) >= 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "code")),
                        call.code);
    assert_false(json_is_true(json_object_get(json_array_get(d, 0), "merged")));
    json_decref(d);
    assert_int_equal(dedup_case_duplicates(store_rd(v->s), far.id, &d), 0);
    assert_int_equal(json_array_size(d), 0);
    json_decref(d);

    struct merge_job j;
    memset(&j, 0, sizeof j);
    json_t *body = json_pack("{s:s}", "into", call.code);
    struct case_actor public_actor = {.is_public = 1};
    assert_int_equal(dedup_merge_prepare(&public_actor, report.code, body, &j.m, &j.e),
                     FQ_EFORBIDDEN);
    assert_int_equal(dedup_merge_prepare(&v->clerk, report.code, body, &j.m, &j.e), 0);
    assert_int_equal(store_write(v->s, merge_tx, &j), 0);
    assert_int_equal(j.dup.status, ST_ARCHIVED);
    assert_int_equal(j.dup.event_seq, report.event_seq + 1);
    assert_int_equal(j.primary.event_seq, call.event_seq + 1);
    assert_true(has_link(v, &report, call.code, "duplicate"));
    assert_true(chain_ok(v, report.code));
    assert_true(chain_ok(v, call.code));
    fq_case_clear(&j.dup);
    fq_case_clear(&j.primary);
    /* again: already archived */
    memset(&j.e, 0, sizeof j.e);
    assert_int_equal(store_write(v->s, merge_tx, &j), FQ_ECONFLICT);
    json_decref(body);
    fq_case_clear(&call);
    fq_case_clear(&report);
    fq_case_clear(&far);
}

/* Detection with the shingle cache (cold, warm, and one so small that candidates evict each
 * other) finds exactly what it finds without one: the same cases, scores and order. */
static void detect_in(struct env *v, const char *division, struct dedup_cache *cache,
                      struct dedup_found *f, char **codes)
{
    struct fq_case c;
    memset(&c, 0, sizeof c);
    snprintf(c.division, sizeof c.division, "%s", division);
    c.title = "小区路灯不亮";
    c.description = "居民反映幸福小区3号楼旁路灯连续多日不亮，夜间出行不便，存在安全隐患。";
    assert_int_equal(dedup_intake_detect(store_rd(v->s), cache, &c, NULL, 0, fq_now_ms(), f), 0);
    assert_non_null(f->sh); /* the intake's own set, for dedup_intake_remember */
    assert_true(f->n ? c.dups != NULL : c.dups == NULL); /* the list for the case's row */
    free(c.dups);
    dedup_found_clear(f);
    json_t *list = f->n ? json_array() : NULL;
    for (int i = 0; i < f->n; i++)
        json_array_append_new(list, json_string(f->dup_codes[i]));
    *codes = json_dumps(list, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(list);
}

static void detect(struct env *v, struct dedup_cache *cache, struct dedup_found *f, char **codes)
{
    detect_in(v, VILLAGE, cache, f, codes);
}

static void test_cache_same_result(void **state)
{
    struct env *v = *state;
    static const char *const texts[] = {
        "幸福小区3号楼旁路灯连续多日不亮，夜间出行不便。",
        "幸福小区路灯不亮，居民夜间出行存在安全隐患。",
        "楼上邻居夜间装修噪音扰民，多次协商无果。",
        "幸福小区3号楼旁路灯不亮已有一周，存在安全隐患，请尽快维修。",
        "村口垃圾堆放多日无人清运，气味难闻。",
        "小区路灯连续多日不亮，夜间出行不便，老人摔倒。",
    };
    for (int i = 0; i < 40; i++) {
        struct fq_case c;
        char title[64];
        snprintf(title, sizeof title, "反映问题%d", i);
        intake(v, i % 2 ? "grid" : "hotline_12345", VILLAGE, title, texts[i % 6], NULL, &c);
        fq_case_clear(&c);
    }
    struct dedup_found plain, tiny1, tiny2, warm;
    char *cp, *ct1, *ct2, *cw;
    struct dedup_cache *tiny = dedup_cache_new(4);
    assert_non_null(tiny);
    assert_null(dedup_cache_new(6)); /* not a power of two */
    detect(v, NULL, &plain, &cp);
    detect(v, tiny, &tiny1, &ct1);
    detect(v, tiny, &tiny2, &ct2);
    detect(v, v->d.dedup, &warm, &cw); /* fills the domain's cache */
    free(cw);
    detect(v, v->d.dedup, &warm, &cw);
    assert_int_equal(plain.n, DEDUP_DUP_MAX); /* a real ranking, not an empty one */
    for (int i = 0; i < plain.n; i++)
        assert_true(plain.dup_scores[i] >= DEDUP_DUP_OVERLAP);
    assert_memory_equal(&plain, &tiny1, sizeof plain);
    assert_memory_equal(&plain, &tiny2, sizeof plain);
    assert_memory_equal(&plain, &warm, sizeof plain);
    assert_string_equal(cp, ct1);
    assert_string_equal(cp, ct2);
    assert_string_equal(cp, cw);
    free(cp);
    free(ct1);
    free(ct2);
    free(cw);
    dedup_cache_free(tiny);
}

/* The entry of d naming code in direction dir; NULL if none. */
static json_t *dup_entry(json_t *d, const char *code, const char *dir)
{
    for (size_t i = 0; i < json_array_size(d); i++) {
        json_t *x = json_array_get(d, i);
        if (!strcmp(json_string_value(json_object_get(x, "code")), code) &&
            !strcmp(json_string_value(json_object_get(x, "direction")), dir))
            return x;
    }
    return NULL;
}

/* The suggestions an intake records are its detection's list (in the case's row), and each
 * shows on both cases with the same score: as "earlier" on the case that lists it, as "later"
 * on the case listed. */
static void test_suggestions_recorded(void **state)
{
    struct env *v = *state;
    struct fq_case c[9];
    char title[32];
    for (int i = 0; i < 9; i++) {
        snprintf(title, sizeof title, "建议记录%d", i);
        intake(v, "grid", VILLAGE2, title, "村道护栏缺失，夜间行车危险，请尽快修复。", NULL, &c[i]);
    }
    json_t *d[9];
    for (int i = 0; i < 9; i++)
        assert_int_equal(dedup_case_duplicates(store_rd(v->s), c[i].id, &d[i]), 0);
    /* the last intake recorded what detection found: five, all earlier cases of the village */
    assert_int_equal(json_array_size(d[8]), DEDUP_DUP_MAX);
    int later = 0;
    for (int i = 0; i < 9; i++)
        for (size_t k = 0; k < json_array_size(d[i]); k++) {
            json_t *x = json_array_get(d[i], k), *back = NULL;
            const char *code = json_string_value(json_object_get(x, "code"));
            int earlier = !strcmp(json_string_value(json_object_get(x, "direction")), "earlier");
            later += !earlier;
            for (int m = 0; m < 9; m++)
                if (!strcmp(c[m].code, code))
                    back = dup_entry(d[m], c[i].code, earlier ? "later" : "earlier");
            assert_non_null(back);
            assert_true(json_real_value(json_object_get(back, "score")) ==
                        json_real_value(json_object_get(x, "score")));
            if (k > 0) /* highest score first */
                assert_true(json_real_value(json_object_get(x, "score")) <=
                            json_real_value(json_object_get(json_array_get(d[i], k - 1), "score")));
        }
    assert_true(later >= DEDUP_DUP_MAX);
    for (int i = 0; i < 9; i++) {
        json_decref(d[i]);
        fq_case_clear(&c[i]);
    }
}

/* The writer keeps a suggestion only if the candidate was created within
 * [created_at - window - slack, created_at + slack] of the new case, the range the reader looks
 * in from the other end; scores survive the text exactly. */
static void test_suggestion_window(void **state)
{
    (void)state;
    const int64_t t = 1700000000000LL, w = DEDUP_DUP_WINDOW_MS, sl = DEDUP_DUP_SLACK_MS;
    struct fq_case c;
    struct dedup_found f;
    memset(&c, 0, sizeof c);
    memset(&f, 0, sizeof f);
    const int64_t ats[5] = {t - w - sl - 1, t - w - sl, t, t + sl, t + sl + 1};
    const double scores[5] = {0.1 + 0.2, 1.0 / 3, 0.41666666666666669, 5e-324, 0.9};
    c.created_at = t;
    f.n = 5;
    for (int i = 0; i < 5; i++) {
        f.dup_ids[i] = 11 + i;
        f.dup_ats[i] = ats[i];
        f.dup_scores[i] = scores[i];
    }
    assert_int_equal(store_dups_text(f.dup_ids, f.dup_scores, 5, &c.dups), 0);
    assert_int_equal(dedup_intake_window(&c, &f), 0);
    assert_int_equal(f.n, 3);
    assert_true(f.dup_ids[0] == 12 && f.dup_ids[1] == 13 && f.dup_ids[2] == 14);
    char *want;
    assert_int_equal(store_dups_text(&f.dup_ids[0], scores + 1, 3, &want), 0);
    assert_string_equal(c.dups, want);
    /* all within: the text is kept as it is */
    char *kept = c.dups;
    assert_int_equal(dedup_intake_window(&c, &f), 0);
    assert_ptr_equal(c.dups, kept);
    assert_int_equal(f.n, 3);
    /* none within: no text */
    c.created_at = t + 10 * w;
    assert_int_equal(dedup_intake_window(&c, &f), 0);
    assert_int_equal(f.n, 0);
    assert_null(c.dups);
    free(want);
    assert_int_equal(store_dups_text(NULL, NULL, 0, &want), 0);
    assert_null(want);
    fq_case_clear(&c);
}

/* The recent-case index (store_near_start) answers store_case_ids_near exactly as SQL does:
 * cases written out of time order, some before its floor, more per village than a ring holds,
 * one rolled back to its savepoint (its id is then reused), one moved to another village; asked
 * over many windows, limits and exclusions, from memory, after a reload, and by SQL. And an
 * intake's detection finds the same with it as without it. */
struct dated_job {
    struct intake_job j;
    int64_t at;
    int fail; /* roll the job back after the case is written */
};

static int dated_tx(struct store_tx *tx, void *arg)
{
    struct dated_job *d = arg;
    int replayed, rc = case_intake_tx(tx, &d->j.v->d, &d->j.in, d->at, &d->j.out, &replayed, &d->j.e);
    return rc ? rc : d->fail ? FQ_EINVAL : 0;
}

static int64_t dated(struct env *v, const char *division, int64_t at, int fail, int i)
{
    static const char *const texts[] = {
        "幸福小区3号楼旁路灯连续多日不亮，夜间出行不便。", "楼上邻居夜间装修噪音扰民，多次协商无果。",
        "村口垃圾堆放多日无人清运，气味难闻。", "幸福小区路灯不亮，居民夜间出行存在安全隐患。",
    };
    struct dated_job d;
    char title[48];
    memset(&d, 0, sizeof d);
    d.j.v = v;
    d.at = at;
    d.fail = fail;
    snprintf(title, sizeof title, "近邻%d", i);
    json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "channel", "grid", "title", title,
                             "description", texts[i % 4], "division", division);
    assert_int_equal(case_intake_prepare(&v->d, &v->clerk, body, NULL, &d.j.in, &d.j.e), 0);
    assert_int_equal(store_write(v->s, dated_tx, &d), fail ? FQ_EINVAL : 0);
    int64_t id = d.j.out.id;
    fq_case_clear(&d.j.out);
    case_intake_clear(&d.j.in);
    json_decref(body);
    return id;
}

struct move_job {
    int64_t id;
    const char *division;
};

static int move_tx(struct store_tx *tx, void *arg)
{
    struct move_job *m = arg;
    struct fq_case c;
    int rc = store_tx_case_get_id(tx, m->id, &c);
    if (rc == 0) {
        snprintf(c.division, sizeof c.division, "%s", m->division);
        rc = store_tx_case_update(tx, &c);
        fq_case_clear(&c);
    }
    return rc;
}

#define NEAR_ASKS 3 * 9 * 4 * 3

/* Every question of the grid, answers into ids[q][0..n[q]). */
static void ask_near(struct env *v, int64_t now, int64_t exclude, int64_t ids[][40],
                     int64_t ats[][40], int *n)
{
    static const char *const divs[] = {VILLAGE3, VILLAGE4, TOWN};
    static const int maxes[] = {1, 5, 30, 40};
    const int64_t hour = 3600000;
    const int64_t froms[] = {now - 72 * hour, now - 71 * hour, now - 60 * hour, now - 48 * hour,
                             now - 30 * hour, now - 10 * hour, now - 2 * hour, now, now + hour};
    int q = 0;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 9; b++)
            for (int m = 0; m < 4; m++)
                for (int t = 0; t < 3; t++, q++) {
                    int64_t to = t == 0 ? now + 1 : t == 1 ? now - 20 * hour : now - 50 * hour;
                    assert_int_equal(store_case_ids_near(store_rd(v->s), divs[a], froms[b], to,
                                                         m == 2 ? exclude : 0, maxes[m], ids[q],
                                                         ats[q], &n[q]),
                                     0);
                }
}

static void test_near_same_as_sql(void **state)
{
    struct env *v = *state;
    const int64_t hour = 3600000, now = fq_now_ms();
    assert_int_equal(dedup_start(&v->d), 0); /* floor: 73 hours ago */
    /* 70 cases in VILLAGE3 and 12 in VILLAGE4 over the last 100 hours, out of time order */
    int64_t some = 0;
    for (int i = 0; i < 82; i++) {
        int64_t at = now - (int64_t)((i * 37) % 100) * hour - (i % 3) * 1000;
        int64_t id = dated(v, i < 70 ? VILLAGE3 : VILLAGE4, at, 0, i);
        if (i == 50)
            some = id;
    }
    int64_t gone = dated(v, VILLAGE3, now - 5 * hour, 1, 99); /* rolled back */
    int64_t reused = dated(v, VILLAGE4, now - 6 * hour, 0, 98);
    assert_true(gone > 0 && reused == gone);
    struct move_job mv = {.id = some, .division = VILLAGE4};
    assert_int_equal(store_write(v->s, move_tx, &mv), 0);

    static int64_t mem[NEAR_ASKS][40], loaded[NEAR_ASKS][40], sql[NEAR_ASKS][40];
    static int64_t mem_at[NEAR_ASKS][40], loaded_at[NEAR_ASKS][40], sql_at[NEAR_ASKS][40];
    int nm[NEAR_ASKS], nl[NEAR_ASKS], ns[NEAR_ASKS];
    long long hits0, misses0, hits, misses;
    store_near_counts(v->s, &hits0, &misses0);
    ask_near(v, now, some, mem, mem_at, nm);
    store_near_counts(v->s, &hits, &misses);
    assert_true(hits - hits0 > NEAR_ASKS / 2); /* most from memory, really */
    assert_true(misses > misses0);           /* and some it must not answer (a full ring) */
    struct dedup_found fm, fs;
    char *cm, *cs;
    detect_in(v, VILLAGE3, v->d.dedup, &fm, &cm);
    assert_int_equal(dedup_start(&v->d), 0); /* a reload gives the same */
    ask_near(v, now, some, loaded, loaded_at, nl);
    store_near_stop(v->s);
    store_near_counts(v->s, &hits0, &misses0);
    ask_near(v, now, some, sql, sql_at, ns);
    detect_in(v, VILLAGE3, NULL, &fs, &cs);
    store_near_counts(v->s, &hits, &misses);
    assert_int_equal(hits, hits0); /* all SQL */
    int nonempty = 0;
    for (int q = 0; q < NEAR_ASKS; q++) {
        assert_int_equal(nm[q], ns[q]);
        assert_int_equal(nl[q], ns[q]);
        assert_memory_equal(mem[q], sql[q], (size_t)ns[q] * sizeof sql[q][0]);
        assert_memory_equal(loaded[q], sql[q], (size_t)ns[q] * sizeof sql[q][0]);
        assert_memory_equal(mem_at[q], sql_at[q], (size_t)ns[q] * sizeof sql_at[q][0]);
        assert_memory_equal(loaded_at[q], sql_at[q], (size_t)ns[q] * sizeof sql_at[q][0]);
        for (int k = 0; k < ns[q]; k++) /* newest first, within [from, to) */
            assert_true(k == 0 || sql_at[q][k] <= sql_at[q][k - 1]);
        nonempty += ns[q] > 0;
    }
    assert_true(nonempty > NEAR_ASKS / 3);
    assert_true(fs.n > 0);
    assert_memory_equal(&fm, &fs, sizeof fm);
    assert_string_equal(cm, cs);
    free(cm);
    free(cs);
}

/* Repeat petitions with the recent-party index on: a blind index nobody has skips the read, one
 * loaded at start (13955550001, test_repeat_petition) and one written since are found, and
 * detection gives what SQL alone gives. */
static int collect_ids(const struct store_case_text *t, void *arg)
{
    int64_t *ids = arg;
    for (int i = 0; i < 63; i++)
        if (!ids[i]) {
            ids[i] = t->id;
            break;
        }
    return 0;
}

static void by_party(struct env *v, const char *phone, int64_t ids[64])
{
    unsigned char b[1][16];
    memset(ids, 0, 64 * sizeof *ids);
    pii_blind_index(&v->d.key, "phone", phone, b[0]);
    assert_int_equal(store_cases_by_party(store_rd(v->s), (const unsigned char(*)[16])b, 1,
                                          fq_now_ms() - DEDUP_REPEAT_WINDOW_MS, 0, collect_ids, ids),
                     0);
}

static void test_party_index(void **state)
{
    struct env *v = *state;
    static const char *const phones[] = {"13955550001", "13955550002", "13955550077", "13955550078"};
    int64_t mem[4][64], sql[4][64];
    long long h0, m0, h1, m1;
    assert_int_equal(dedup_start(&v->d), 0);
    struct fq_case c, again;
    intake(v, "hotline_12345", VILLAGE3, "反映拖欠工程款", "钱某反映某公司拖欠工程款三万元。",
           "13955550077", &c); /* written with the index on */
    intake(v, "window", VILLAGE3, "再次反映拖欠工程款", "钱某再次反映某公司拖欠工程款三万元未付。",
           "13955550077", &again);
    assert_int_equal(again.repeat_of, c.id);
    store_near_counts(v->s, &h0, &m0);
    for (int i = 0; i < 4; i++)
        by_party(v, phones[i], mem[i]);
    store_near_counts(v->s, &h1, &m1);
    assert_int_equal(h1 - h0, 1); /* 13955550078: nobody, no read */
    assert_int_equal(m1 - m0, 3);
    assert_int_equal(dedup_start(&v->d), 0); /* reloaded: the same */
    for (int i = 0; i < 4; i++) {
        int64_t re[64];
        by_party(v, phones[i], re);
        assert_memory_equal(re, mem[i], sizeof re);
    }
    store_near_stop(v->s);
    for (int i = 0; i < 4; i++)
        by_party(v, phones[i], sql[i]);
    for (int i = 0; i < 4; i++)
        assert_memory_equal(mem[i], sql[i], sizeof mem[i]);
    assert_true(sql[0][0] && sql[1][0] && sql[2][0] && sql[2][1] && !sql[3][0]);
    fq_case_clear(&c);
    fq_case_clear(&again);
}

/* ---- the reader against the old table ----
 *
 * Generated data: 640 intakes in three villages and a township over about a month, in bursts
 * (more cases in a village's window than DEDUP_DUP_CANDIDATES) and far apart (beyond the window),
 * some with a returning caller (repeat petitions, whose case is not suggested), a few merged,
 * some written half an hour after their detection or with the clock half an hour back (the
 * slack), and a pair at the window's far end. What each intake's detection found is what the
 * old code wrote to duplicate_suggestions; the old reader's SQL over that table is the
 * reference answer. */
#define ORACLE_N 642

struct oracle {
    struct env w;
    int n; /* cases, ids 1..n */
    char codes[ORACLE_N + 1][FQ_CODE_LEN + 1];
    int npairs;
    struct {
        int64_t case_id, other_id;
        double score;
    } pairs[ORACLE_N * DEDUP_DUP_MAX];
};

static uint32_t oracle_rng(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x >> 8;
}

/* One intake at the (shifted) clock, recording what its detection found; written `wait` ms after
 * its detection (negative: a clock stepped back meanwhile). */
static void oracle_intake(struct oracle *o, const char *division, const char *desc,
                          const char *phone, int64_t wait)
{
    struct intake_job j;
    char title[32];
    memset(&j, 0, sizeof j);
    j.v = &o->w;
    snprintf(title, sizeof title, "来件%d", o->n + 1);
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "channel", o->n % 3 ? "grid" : "hotline_12345",
                             "kind", "dispute", "title", title, "description", desc, "division", division);
    if (phone)
        json_object_set_new(body, "parties", json_pack("[{s:s, s:s}]", "name", "周某", "phone", phone));
    assert_int_equal(case_intake_prepare(&o->w.d, &o->w.clerk, body, NULL, &j.in, &j.e), 0);
    struct dedup_found found = j.in.found; /* before the writer's window check */
    fq_clock_shift(wait);
    assert_int_equal(store_write(o->w.s, intake_tx, &j), 0);
    fq_clock_shift(-wait);
    assert_int_equal(j.out.id, o->n + 1);
    o->n++;
    memcpy(o->codes[o->n], j.out.code, sizeof o->codes[o->n]);
    for (int k = 0; k < found.n; k++) {
        o->pairs[o->npairs].case_id = j.out.id;
        o->pairs[o->npairs].other_id = found.dup_ids[k];
        o->pairs[o->npairs++].score = found.dup_scores[k];
    }
    fq_case_clear(&j.out);
    case_intake_clear(&j.in);
    json_decref(body);
}

static void oracle_merge(struct oracle *o, int64_t dup, int64_t into)
{
    struct merge_job m;
    memset(&m, 0, sizeof m);
    json_t *body = json_pack("{s:s}", "into", o->codes[into]);
    assert_int_equal(dedup_merge_prepare(&o->w.clerk, o->codes[dup], body, &m.m, &m.e), 0);
    int rc = store_write(o->w.s, merge_tx, &m);
    assert_true(rc == 0 || rc == FQ_ECONFLICT);
    fq_case_clear(&m.dup);
    fq_case_clear(&m.primary);
    json_decref(body);
}

/* Every case's answer as text: one line per suggestion, sorted, "|" after each case. */
struct answers {
    char *all;
    size_t len, cap;
    char line[4 * DEDUP_DUP_CANDIDATES][96];
    const char *sorted[4 * DEDUP_DUP_CANDIDATES];
    int n; /* lines of the case being read */
};

static void answer_line(struct answers *a, const char *dir, const char *code, double score, int merged)
{
    assert_true(a->n < 4 * DEDUP_DUP_CANDIDATES);
    snprintf(a->line[a->n], sizeof a->line[0], "%s %s %a %d", dir, code, score, merged);
    a->sorted[a->n] = a->line[a->n];
    a->n++;
}

static int line_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static void answer_end(struct answers *a)
{
    qsort(a->sorted, (size_t)a->n, sizeof *a->sorted, line_cmp);
    for (int k = 0; k <= a->n; k++) {
        if (a->len + 100 > a->cap) {
            a->cap = a->cap ? 2 * a->cap : 1 << 16;
            assert_non_null(a->all = realloc(a->all, a->cap));
        }
        a->len += (size_t)(k < a->n ? sprintf(a->all + a->len, "%s;", a->sorted[k])
                                    : sprintf(a->all + a->len, "|"));
    }
    a->n = 0;
}

/* The answers of the reader (dedup_case_duplicates); counts all, later and merged ones. */
static char *oracle_new(struct oracle *o, int *total, int *later, int *merged)
{
    struct answers *a = calloc(1, sizeof *a);
    assert_non_null(a);
    *total = *later = *merged = 0;
    for (int id = 1; id <= o->n; id++) {
        json_t *d, *x;
        size_t k;
        assert_int_equal(dedup_case_duplicates(store_rd(o->w.s), id, &d), 0);
        json_array_foreach(d, k, x)
        {
            const char *dir = json_string_value(json_object_get(x, "direction"));
            int m = json_is_true(json_object_get(x, "merged"));
            answer_line(a, dir, json_string_value(json_object_get(x, "code")),
                        json_real_value(json_object_get(x, "score")), m);
            *later += !strcmp(dir, "later");
            *merged += m;
        }
        *total += (int)json_array_size(d);
        answer_end(a);
        json_decref(d);
    }
    char *all = a->all;
    free(a);
    return all;
}

/* The same from the old reader's SQL (store_case_duplicates before cases.dups) over the table. */
static char *oracle_old(struct oracle *o, sqlite3 *db)
{
#define OLD_SIDE(other, self, dir)                                                                 \
    "SELECT c.code, s.score, '" dir "', EXISTS (SELECT 1 FROM case_links l WHERE l.kind = "        \
    "'duplicate' AND ((l.a = s.case_id AND l.b = s.other_id) OR (l.a = s.other_id AND l.b = "      \
    "s.case_id))) FROM duplicate_suggestions s JOIN cases c ON c.id = s." other " WHERE s." self   \
    " = ?1"
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, OLD_SIDE("other_id", "case_id", "earlier") " UNION ALL "
                                            OLD_SIDE("case_id", "other_id", "later") " ORDER BY 2 DESC",
                                        -1, &st, NULL),
                     SQLITE_OK);
#undef OLD_SIDE
    struct answers *a = calloc(1, sizeof *a);
    assert_non_null(a);
    for (int id = 1; id <= o->n; id++) {
        sqlite3_bind_int64(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW)
            answer_line(a, (const char *)sqlite3_column_text(st, 2),
                        (const char *)sqlite3_column_text(st, 0), sqlite3_column_double(st, 1),
                        sqlite3_column_int(st, 3));
        sqlite3_reset(st);
        answer_end(a);
    }
    sqlite3_finalize(st);
    char *all = a->all;
    free(a);
    return all;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fprintf(stderr, "%s: %s\n", sql, err ? err : "?");
    assert_null(err);
}

static void test_later_same_as_table(void **state)
{
    (void)state;
    static const char *const divs[] = {VILLAGE, VILLAGE, VILLAGE2, VILLAGE3, TOWN};
    static const char *const texts[] = {
        "幸福小区3号楼旁路灯连续多日不亮，夜间出行不便。",
        "幸福小区路灯不亮，居民夜间出行存在安全隐患。",
        "村口垃圾堆放多日无人清运，气味难闻。",
        "村口垃圾多日无人清运，影响村容村貌。",
        "楼上邻居夜间装修噪音扰民，多次协商无果。",
        "村道护栏缺失，夜间行车危险，请尽快修复。",
    };
    static const char *const tails[] = {"", "请尽快处理。", "已多次反映。", "老人小孩出行不便。",
                                        "希望有关部门重视。", "附近商户也有意见。"};
    static const char *const phones[] = {"13966660001", "13966660002", "13966660003"};
    struct oracle *o = calloc(1, sizeof *o);
    assert_non_null(o);
    snprintf(o->w.dir, sizeof o->w.dir, "/tmp/fq-dedup-or-XXXXXX");
    assert_non_null(mkdtemp(o->w.dir));
    assert_int_equal(env_open(&o->w, 1), 0);
    assert_int_equal(dedup_start(&o->w.d), 0); /* as serve: candidates from memory */
    uint32_t r = 20261122;
    int64_t shifted = 0;
    for (int i = 0; i < ORACLE_N - 2; i++) {
        /* bursts of minutes, ordinary gaps of hours, now and then four days of nothing */
        uint32_t g = oracle_rng(&r) % 100;
        int64_t gap = g < 45 ? (int64_t)(oracle_rng(&r) % 120) * 1000
                    : g < 98 ? (int64_t)(oracle_rng(&r) % 240) * 60000
                             : 96 * FQ_HOUR_MS;
        fq_clock_shift(gap);
        shifted += gap;
        char desc[256];
        snprintf(desc, sizeof desc, "%s%s", texts[oracle_rng(&r) % 6], tails[oracle_rng(&r) % 6]);
        const char *phone = oracle_rng(&r) % 10 == 0 ? phones[oracle_rng(&r) % 3] : NULL;
        /* now and then written half an hour after detection, or with the clock half an hour
         * back: within the slack, nothing is dropped */
        int64_t wait = i % 23 == 5 ? 30 * 60000 : i % 23 == 17 ? -30 * 60000 : 0;
        oracle_intake(o, divs[oracle_rng(&r) % 5], desc, phone, wait);
        if (i % 40 == 39 && o->npairs && o->pairs[o->npairs - 1].case_id == o->n)
            oracle_merge(o, o->n, o->pairs[o->npairs - 1].other_id);
    }
    /* at the window's far end: a case detected 71 h 50 min after the one it lists and written
     * half an hour later, 72 h 20 min after it */
    oracle_intake(o, VILLAGE4, texts[0], NULL, 0);
    fq_clock_shift(71 * FQ_HOUR_MS + 50 * 60000);
    shifted += 71 * FQ_HOUR_MS + 50 * 60000;
    oracle_intake(o, VILLAGE4, texts[0], NULL, 30 * 60000);
    assert_true(o->pairs[o->npairs - 1].case_id == o->n && o->pairs[o->npairs - 1].other_id == o->n - 1);
    int total, later, merged;
    char *fresh = oracle_new(o, &total, &later, &merged);
    assert_int_equal(total, 2 * o->npairs); /* every pair on both of its cases */
    assert_int_equal(later, o->npairs);
    assert_true(o->npairs > 1000 && merged >= 4);
    env_close(&o->w);

    /* the old table, filled with what detection found, read by the old SQL */
    char path[128];
    sqlite3 *db;
    snprintf(path, sizeof path, "%s/fq.db", o->w.dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    exec_ok(db, "CREATE TABLE duplicate_suggestions (case_id INTEGER NOT NULL REFERENCES cases(id),"
                " other_id INTEGER NOT NULL REFERENCES cases(id), county TEXT NOT NULL, score REAL "
                "NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (case_id, other_id)) WITHOUT "
                "ROWID; CREATE INDEX duplicate_suggestions_other ON duplicate_suggestions(other_id);");
    sqlite3_stmt *ins;
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO duplicate_suggestions VALUES (?1, ?2, "
                                            "'330681', ?3, 0)", -1, &ins, NULL), SQLITE_OK);
    for (int k = 0; k < o->npairs; k++) {
        sqlite3_bind_int64(ins, 1, o->pairs[k].case_id);
        sqlite3_bind_int64(ins, 2, o->pairs[k].other_id);
        sqlite3_bind_double(ins, 3, o->pairs[k].score);
        assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    char *old = oracle_old(o, db);
    assert_string_equal(fresh, old);

    /* back to schema 13: the table holds the suggestions, cases.dups does not exist; plus three
     * pairs the reader could not find from their other end, each for one reason: an earlier case
     * listing a later one (minutes later), one listing a case of its village from more than 73
     * hours before, one listing a case of another division; the migration leaves them out */
    exec_ok(db, "INSERT INTO duplicate_suggestions SELECT s.other_id, s.case_id, '330681', 0.5, 0 "
                "FROM duplicate_suggestions s JOIN cases y ON y.id = s.case_id JOIN cases x ON "
                "x.id = s.other_id WHERE y.created_at - x.created_at < 600000 LIMIT 1;"
                "INSERT INTO duplicate_suggestions SELECT y.id, x.id, '330681', 0.5, 0 FROM cases y "
                "JOIN cases x ON x.division = y.division AND x.created_at < y.created_at - "
                "262800000 LIMIT 1;"
                "INSERT INTO duplicate_suggestions SELECT y.id, x.id, '330681', 0.5, 0 FROM cases y "
                "JOIN cases x ON x.division <> y.division AND x.id < y.id AND x.created_at > "
                "y.created_at - 3600000 LIMIT 1;");
    assert_int_equal(sqlite3_total_changes(db), o->npairs + 3);
    exec_ok(db, "UPDATE cases SET dups = NULL;");
    /* DROP COLUMN parses the triggers, which name the search table, whose tokenizer only the
     * program registers: the triggers step aside meanwhile */
    char *triggers[16];
    int nt = 0;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_schema WHERE type = "
                                            "'trigger' AND tbl_name = 'cases'", -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        char drop[128];
        assert_true(nt < 16);
        triggers[nt++] = strdup((const char *)sqlite3_column_text(st, 1));
        snprintf(drop, sizeof drop, "DROP TRIGGER %s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_stmt *d;
        sqlite3_reset(st); /* (no statement may run on the schema while it changes) */
        assert_int_equal(sqlite3_prepare_v2(db, drop, -1, &d, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(d), SQLITE_DONE);
        sqlite3_finalize(d);
    }
    sqlite3_finalize(st);
    assert_true(nt >= 3);
    exec_ok(db, "ALTER TABLE cases DROP COLUMN dups; PRAGMA user_version = 13;");
    for (int k = 0; k < nt; k++) {
        exec_ok(db, triggers[k]);
        free(triggers[k]);
    }
    sqlite3_close(db);
    assert_int_equal(env_open(&o->w, 0), 0); /* migrates */
    char *migrated = oracle_new(o, &total, &later, &merged);
    assert_string_equal(fresh, migrated);
    env_close(&o->w);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM sqlite_schema WHERE name "
                                            "LIKE 'duplicate_suggestions%'), (SELECT user_version "
                                            "FROM pragma_user_version)", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0); /* table and index gone */
    assert_true(sqlite3_column_int(st, 1) >= 14);
    sqlite3_finalize(st);
    sqlite3_close(db);

    fq_clock_shift(-shifted);
    free(fresh);
    free(old);
    free(migrated);
    fx_rm_tree(o->w.dir);
    free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_similarity),
        cmocka_unit_test(test_repeat_petition),
        cmocka_unit_test(test_duplicate_and_merge),
        cmocka_unit_test(test_suggestions_recorded),
        cmocka_unit_test(test_cache_same_result),
        cmocka_unit_test(test_near_same_as_sql),
        cmocka_unit_test(test_party_index),
        cmocka_unit_test(test_suggestion_window),
        cmocka_unit_test(test_later_same_as_table),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
