/* Search latency at a large case count: generates N synthetic cases through the store (the
 * case_fts triggers index them exactly as in production), then times store_case_search — the
 * function behind GET /api/v1/search, without HTTP — for a mix of queries from very common to
 * rare, with and without a scope, and prints percentiles. Reports; asserts nothing.
 *
 *   search_bench DB N [RUNS]     build DB with N cases (unless it already has them), then query
 *
 * SEARCH_BENCH_QUEUE=K first queues the newest K cases for indexing (as a burst of intakes
 * leaves them) and opens the store read-only, so that no writer indexes them meanwhile: the
 * searches then match those K cases directly (sqlite_fts.c). It modifies DB; use a copy.
 *
 * The text is drawn from a vocabulary of real governance phrases with a skewed (Zipf-like)
 * distribution, so common words ("纠纷") match a large share of the cases, as they would. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "store/sqlite_int.h" /* sq_fts_drain: index as the writer does, in batches */
#include "store/store.h"
#include "util/buf.h"
#include "util/clock.h"

static uint64_t rng = 88172645463325252ULL;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
/* Skewed pick in [0, n): small indices far more often (about Zipf s = 1). */
static int zipf(int n)
{
    double u = (double)(next_rand() % 1000000) / 1000000.0;
    int i = (int)(n * u * u * u);
    return i < n ? i : n - 1;
}

static const char *topics[] = {
    "邻里纠纷",   "楼上漏水",   "夜间装修噪音", "拖欠工资", "物业费纠纷", "停车位争议",
    "电梯故障",   "宅基地边界", "违章搭建",     "赡养老人", "离婚财产",   "交通事故赔偿",
    "预付卡退费", "装修质量",   "土地承包",     "征地补偿", "拆迁安置",   "广场舞扰民",
    "垃圾清运",   "卫生间渗水", "农民工工资",   "欠薪",     "加班费",     "网购纠纷",
    "电动车被盗", "相邻通行",   "抚养费",       "水管破裂", "下水道堵塞", "油烟扰民",
    "宠物伤人",   "房屋租赁",   "押金不退",     "医疗纠纷", "校园安全",   "食品安全",
    "劳动合同",   "工伤认定",   "社保缴纳",     "婚姻家庭", "山林权属",   "水利设施",
    "水箱破裂",   "高空抛物",   "占道经营",     "噪声污染", "燃气泄漏",   "消防通道堵塞",
    "群租房",     "非法集资",
};
static const char *phrases[] = {
    "多次协商未果",         "申请调解",         "要求赔偿",           "情绪激动",
    "涉及人数较多",         "双方各执一词",     "已报物业处理",       "社区网格员上门走访",
    "请求有关部门尽快处理", "影响正常生活",     "存在安全隐患",       "曾向12345热线反映",
    "当事人要求书面答复",   "已协调未果",       "需相关部门联合处置", "现场查看属实",
    "群众反映强烈",         "对处理结果不满意",
};
static const char *places[] = {
    "枫桥镇", "城东街道", "城西街道", "江南社区", "曙光社区", "北山街道", "滨江小区", "阳光花园",
    "幸福里", "新村",     "工业园区", "农贸市场", "老街",     "学府小区", "锦绣家园",
};
static const char *names[] = {"张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏",
                              "周杰", "吴刚", "徐丽", "孙强", "马超", "朱红", "胡军", "郭涛"};
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *counties[] = {"330681", "330682", "330683", "330602", "330603",
                                 "330604", "330624", "330105", "330106", "330108"};

/* A ticket number unique among the first million cases (7919 is prime to 10^6). */
static int ticket(int64_t i)
{
    return (int)(i * 7919 % 1000000);
}

struct gen {
    int64_t n, done;
};

static int gen_fn(struct store_tx *tx, void *arg)
{
    struct gen *g = arg;
    char title[256], desc[2048];
    for (; g->done < g->n; g->done++) {
        int64_t i = g->done;
        const char *county = counties[i % COUNT(counties)];
        const char *topic = topics[zipf(COUNT(topics))];
        snprintf(title, sizeof title, "%s%s", places[zipf(COUNT(places))], topic);
        int np = 2 + (int)(next_rand() % 5);
        size_t len =
            (size_t)snprintf(desc, sizeof desc, "%s反映：%s%d号楼%s。", names[zipf(COUNT(names))],
                             places[zipf(COUNT(places))], 1 + (int)(next_rand() % 30), topic);
        for (int k = 0; k < np && len < sizeof desc - 200; k++)
            len += (size_t)snprintf(desc + len, sizeof desc - len, "%s，%s。",
                                    k % 2 ? topics[zipf(COUNT(topics))]
                                          : phrases[zipf(COUNT(phrases))],
                                    phrases[next_rand() % COUNT(phrases)]);
        snprintf(desc + len, sizeof desc - len, "工单号%06d。", ticket(i));
        struct fq_case c;
        memset(&c, 0, sizeof c);
        snprintf(c.code, sizeof c.code, "%s2026%04d%06dX", county, (int)(i / 1000000 % 10000),
                 (int)(i % 1000000));
        snprintf(c.division, sizeof c.division, "%s%03d%03d", county, 1 + (int)(next_rand() % 12),
                 1 + (int)(next_rand() % 20));
        c.channel = (int)(next_rand() % CH__COUNT);
        c.kind = KIND_DISPUTE;
        c.status = (int)(next_rand() % ST__COUNT);
        c.title = title;
        c.description = desc;
        c.created_at = 1735660800000LL + i * 30000;
        c.success = -1;
        int rc = store_tx_case_insert(tx, &c);
        if (rc)
            return rc;
        if (i % 20000 == 19999 || i == g->n - 1) {
            int done = 0;
            if ((rc = sq_fts_drain(tx->conn, 20000, &done)) || (rc = store_tx_checkpoint(tx)))
                return rc;
            fprintf(stderr, "\r  %lld cases", (long long)i + 1);
        }
    }
    fprintf(stderr, "\n");
    return 0;
}

static double clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
    int i = (int)(p * (n - 1) + 0.5);
    return v[i];
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s DB N [RUNS]\n", argv[0]);
        return 2;
    }
    int64_t n = atoll(argv[2]);
    int runs = argc > 3 ? atoi(argv[3]) : 40;
    struct store *s = NULL;
    struct fq_error e = {0};
    struct store_opts o = {.path = argv[1], .create = 1};
    const char *queue = getenv("SEARCH_BENCH_QUEUE");
    if (queue && atoi(queue) > 0) {
        sqlite3 *db = NULL;
        char sql[160];
        snprintf(sql, sizeof sql,
                 "INSERT OR IGNORE INTO fts_pending SELECT id FROM cases ORDER BY id DESC LIMIT %d",
                 atoi(queue));
        if (sqlite3_open(argv[1], &db) != SQLITE_OK ||
            sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
            return 1;
        sqlite3_close(db);
        o.create = 0;
        o.readonly = 1;
        printf("(%d newest cases queued for indexing, store read-only)\n", atoi(queue));
    }
    if (store_open(&o, &s, &e)) {
        fprintf(stderr, "open: %s\n", e.message);
        return 1;
    }
    struct store_case_filter all;
    store_case_filter_init(&all);
    int64_t have = 0;
    store_case_count(store_rd(s), &all, &have);
    if (have == 0 && getenv("SEARCH_BENCH_NO_FTS")) {
        /* the write cost of the index, by difference: the same load without its trigger */
        store_close(s);
        sqlite3 *db = NULL;
        if (sqlite3_open(argv[1], &db) != SQLITE_OK ||
            sqlite3_exec(db, "DROP TRIGGER case_fts_insert", NULL, NULL, NULL) != SQLITE_OK)
            return 1;
        sqlite3_close(db);
        if (store_open(&o, &s, &e))
            return 1;
        printf("(case_fts_insert trigger dropped: generation without the search index)\n");
    }
    if (have < n) {
        double t0 = now_ms();
        struct gen g = {.n = n, .done = have};
        if (store_write_bulk(s, gen_fn, &g)) {
            fprintf(stderr, "generate failed\n");
            return 1;
        }
        double t = (now_ms() - t0) / 1000;
        printf("generated %lld cases in %.0f s (%.0f cases/s%s)\n", (long long)(n - have), t,
               (n - have) / t, getenv("SEARCH_BENCH_NO_FTS") ? ", no search index" : "");
        store_close(s);
        if (store_open(&o, &s, &e))
            return 1;
    }

    char rare[32];
    snprintf(rare, sizeof rare, "工单号%06d", ticket(n / 2));
    const struct {
        const char *q, *scope, *note;
    } qs[] = {
        {"纠纷", "", "very common word"},
        {"邻里纠纷", "", "common phrase"},
        {"楼上漏水", "", "common phrase"},
        {"欠薪 工资", "", "two words, AND"},
        {"电梯故障 物业", "", "two words, AND"},
        {"张伟", "", "a name"},
        {"水箱破裂", "", "less common"},
        {"燃气泄漏 消防通道堵塞", "", "rare combination"},
        {"张伟 非法集资", "", "common name with a rare topic"},
        {rare, "", "rare: one ticket number"},
        {"楼上漏水", "330681", "scope: one county of ten"},
        {"纠纷", "330681001", "scope: one township"},
        {"纠纷", "", "date filter: the oldest tenth"},
        {"纠纷 漏水 物业 楼上 协商 调解 赔偿 社区 处理 反映 要求 部门 影响 生活 安全 隐患", "",
         "16 common words"},
    };
    int nq = COUNT(qs);
    double *lat = calloc((size_t)runs, sizeof *lat), *cpu = calloc((size_t)runs, sizeof *cpu);
    double *mix = calloc((size_t)runs * (size_t)nq, sizeof *mix);
    int nmix = 0;
    printf("\n%lld cases; %d runs per query after one warm-up; store_case_search, limit 20, no "
           "HTTP\n\n",
           (long long)n, runs);
    printf("| query | scope | ranked | older | p50 ms | p95 ms | p99 ms | max ms | CPU p50 ms | "
           "CPU p95 ms |\n");
    printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    struct store_rd *rd = store_rd(s);
    for (int k = 0; k < nq; k++) {
        struct store_case_filter f;
        store_case_filter_init(&f);
        f.limit = 20;
        if (strstr(qs[k].note, "date filter")) /* created_at of case i: base + i × 30 s */
            f.to = 1735660800000LL + n / 10 * 30000;
        if (qs[k].scope[0]) {
            snprintf(f.scope_division, sizeof f.scope_division, "%s", qs[k].scope);
            while (strlen(f.scope_division) < FQ_DIVISION_LEN)
                strcat(f.scope_division, "0");
        }
        struct store_search page = {0};
        for (int r = -1; r < runs; r++) {
            json_t *items = NULL;
            page = (struct store_search){0};
            double t0 = now_ms(), c0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
            int rc = store_case_search(rd, qs[k].q, &f, &page, &items);
            double t = now_ms() - t0, tc = clock_ms(CLOCK_THREAD_CPUTIME_ID) - c0;
            json_decref(items);
            if (rc) {
                fprintf(stderr, "search %s: %d\n", qs[k].q, rc);
                return 1;
            }
            if (r >= 0) {
                lat[r] = t;
                cpu[r] = tc;
                mix[nmix++] = t;
            }
        }
        qsort(lat, (size_t)runs, sizeof *lat, cmp_double);
        qsort(cpu, (size_t)runs, sizeof *cpu, cmp_double);
        printf("| %s (%s) | %s | %lld | %lld | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |\n",
               qs[k].q, qs[k].note, qs[k].scope[0] ? qs[k].scope : "all", (long long)page.total,
               (long long)page.older, pct(lat, runs, 0.5), pct(lat, runs, 0.95),
               pct(lat, runs, 0.99), lat[runs - 1], pct(cpu, runs, 0.5), pct(cpu, runs, 0.95));
    }
    qsort(mix, (size_t)nmix, sizeof *mix, cmp_double);
    printf("\nall queries together (%d searches): p50 %.1f ms, p95 %.1f ms, p99 %.1f ms\n", nmix,
           pct(mix, nmix, 0.5), pct(mix, nmix, 0.95), pct(mix, nmix, 0.99));
    free(lat);
    free(cpu);
    free(mix);
    store_close(s);
    return 0;
}
