/* The demo city (枫桥示范市): geography, centres and departments, accounts, and a year of cases
 * driven through the real case lifecycle.
 *
 * Nothing here writes a case row by hand: every case is registered with case_intake_tx and moved
 * on with case_action_tx (and the timers' case_refresh_tx) at simulated instants, so deadlines,
 * lights, assignments, records and hash chains are exactly what the live system would produce.
 * The shape of the data follows what the centres report: disputes peak before Spring Festival
 * (wage arrears) and after it (family, inheritance), neighbours quarrel in summer, property
 * management complaints never stop; urban communities bring 物业/消费 matters, villages land,
 * homestead and family disputes; a quarter of cases arrive by the 12345 hotline, a third from
 * grid workers. Everything is drawn from one seeded generator (splitmix64), never rand(). */
#include "core/demo.h"

#include "core/calendar.h"
#include "core/case.h"
#include "core/ident.h"
#include "core/password.h"
#include "core/seed.h"
#include "core/workflow.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/clock.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define MINUTE (60LL * 1000)
#define ALL_ROLES ((1u << ROLE__COUNT) - 1u)
#define CHECKPOINT_CASES 1000 /* commit every this many cases (about 10 k rows) */

/* ---------- random numbers ---------- */

struct rng {
    uint64_t s;
};

/* splitmix64: tiny, fast, and good enough for synthetic data (passes BigCrush). */
static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static struct rng rng_seeded(uint64_t a, uint64_t b)
{
    struct rng r = {a * 0xD1342543DE82EF95ull + b + 1};
    rng_next(&r);
    return r;
}

/* 0..n-1 */
static int rng_int(struct rng *r, int n)
{
    return n > 0 ? (int)(rng_next(r) % (uint64_t)n) : 0;
}

/* lo..hi inclusive */
static int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
    return hi > lo ? lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1)) : lo;
}

static double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1p-53;
}

static int rng_chance(struct rng *r, double p)
{
    return rng_unit(r) < p;
}

#define PICK(r, arr) ((arr)[rng_int((r), COUNT(arr))])

/* Index drawn from weights w[0..n-1] (all >= 0, some > 0). */
static int rng_weighted(struct rng *r, const double *w, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += w[i];
    double x = rng_unit(r) * sum;
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

/* ---------- text helpers ---------- */

/* Copies src into dst (cap bytes) without cutting a UTF-8 character in two. */
static void utf8_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = 0;
}

/* snprintf that, when it must truncate, never leaves half a UTF-8 character at the end. */
static void fmt(char *out, size_t cap, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *out, size_t cap, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(out, cap, f, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= cap && cap > 1) {
        size_t len = cap - 1, i = len;
        while (i > 0 && ((unsigned char)out[i - 1] & 0xC0) == 0x80)
            i--;
        if (i > 0) { /* out[i - 1] leads the last character: is it complete? */
            unsigned char lead = (unsigned char)out[i - 1];
            size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            if (i - 1 + need > len)
                out[i - 1] = 0;
        }
    }
}

static const char *const cn_numerals[] = {"一",   "二",   "三",   "四",  "五",   "六",
                                          "七",   "八",   "九",   "十",  "十一", "十二",
                                          "十三", "十四", "十五", "十六"};

/* "3600元", "4.2万元", "12万元" */
static void format_amount(char *out, size_t cap, long yuan)
{
    if (yuan < 10000) {
        fmt(out, cap, "%ld元", yuan);
    } else {
        long tenth = (yuan + 500) / 1000; /* in 0.1 万 */
        if (tenth % 10 == 0)
            fmt(out, cap, "%ld万元", tenth / 10);
        else
            fmt(out, cap, "%ld.%ld万元", tenth / 10, tenth % 10);
    }
}

/* ---------- names ---------- */

/* Surnames of the Shaoxing–Zhuji area first, where 楼, 骆, 斯, 宣, 俞 are common. */
static const char *const surnames[] = {
    "王", "陈", "张", "李", "周", "吴", "徐", "金", "杨", "俞", "何", "楼", "蒋", "骆", "斯", "宣",
    "赵", "朱", "胡", "沈", "孙", "黄", "钱", "郭", "马", "叶", "方", "章", "孟", "袁", "冯", "丁",
    "林", "应", "傅", "屠", "寿", "边", "陆", "姚", "钟", "汪", "潘", "顾", "严", "邵", "王", "陈",
    "张", "李", "周", "吴", "徐", "金", "杨", "何", "赵", "朱", "胡", "孙", "郑", "谢", "宋", "唐",
    "许", "韩", "邓", "曹", "彭", "曾", "田", "董", "蔡", "余", "杜", "魏", "吕", "任", "卢", "石"};
static const char *const male_names[] = {
    "建华", "国强", "伟",   "军",   "勇",   "杰",   "明",   "志刚", "海军", "建国",
    "卫东", "春生", "国平", "林",   "斌",   "浩",   "宇",   "俊",   "鹏",   "磊",
    "晓东", "永康", "利民", "金水", "根土", "水根", "国荣", "文斌", "立新", "家豪",
    "一鸣", "建明", "伟东", "红军", "关林", "阿根", "忠良", "新民", "海涛", "建林",
    "国华", "苗根", "汉良", "培林", "晓峰", "振华", "永平", "德明", "益民", "卫国"};
static const char *const female_names[] = {
    "丽",   "芳",   "敏",   "静",   "燕",   "霞",   "红",   "美英", "秀英", "素娟",
    "彩凤", "雅琴", "海燕", "晓燕", "婷婷", "佳怡", "雨萱", "丽华", "玉兰", "桂芳",
    "月娥", "杏娟", "菊芬", "小红", "素芬", "彩娟", "丽萍", "亚萍", "金娣", "雪芬",
    "春燕", "亚芬", "利娟", "秋月", "丹",   "慧",   "琴"};

/* A full name; *male tells the sex (for the resident ID's sequence parity). */
static void person_name(struct rng *r, char *out, size_t cap, int *male, const char **surname)
{
    const char *s = PICK(r, surnames);
    *male = rng_chance(r, 0.55);
    fmt(out, cap, "%s%s", s, *male ? PICK(r, male_names) : PICK(r, female_names));
    if (surname)
        *surname = s;
}

/* 张某某 — the way case texts refer to people. */
static void masked_name(const char *surname, char *out, size_t cap)
{
    fmt(out, cap, "%s某某", surname);
}

/* Resident-ID address codes of the provinces most migrant workers here come from. */
static const char *const migrant_areas[] = {"511621", "412725", "522425", "341222",
                                            "362428", "430521", "421127", "450126",
                                            "513701", "532128", "411521", "340826"};

/* An 18-digit resident ID (GB 11643) with a valid check digit. */
static void resident_id(struct rng *r, const char *area, int64_t now, int min_age, int max_age,
                        int male, char out[19])
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int y, m, d;
    int64_t born = day_of_ms(now) -
                   (int64_t)rng_range(r, (int64_t)min_age * 365 + 30, (int64_t)max_age * 365 + 300);
    ymd_from_day(born, &y, &m, &d);
    int seq = (int)rng_range(r, 1, 499) * 2 - (male ? 1 : 0); /* odd for men */
    if (seq < 1)
        seq = 2;
    fmt(out, 19, "%.6s%04d%02d%02d%03d", area, y, m, d, seq % 1000);
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * w[i];
    out[17] = "10X98765432"[sum % 11];
    out[18] = 0;
}

static const char *const mobile_prefixes[] = {"138", "139", "135", "137", "136", "150", "151",
                                              "152", "157", "158", "159", "182", "187", "188",
                                              "133", "153", "180", "189", "130", "131", "132",
                                              "155", "156", "185", "186", "177", "199", "198"};

static void mobile(struct rng *r, char out[12])
{
    fmt(out, 12, "%s%08d", PICK(r, mobile_prefixes), (int)rng_range(r, 0, 99999999));
}

/* ---------- the city's geography ---------- */

#define CITY_CODE "331200000000"
#define CITY_NAME "枫桥示范市"
#define CITY_LAT 29.72
#define CITY_LON 120.24

enum { CT_DISTRICT, CT_COUNTY, CT_CITY }; /* 市辖区 / 县 / 县级市 */

/* Counties with their townships: "NNN名称", NNN being the township's 3 digits (001-099 街道,
 * 100-199 镇, 200-399 乡). The names are fictional but built the way Zhejiang's are. */
struct county_def {
    const char *code6, *name, *short_name;
    int type;
    double lat, lon, weight; /* weight: relative case volume */
    const char *towns[10];
};

static const struct county_def county_defs[] = {
    {"331202",
     "枫源区",
     "枫源",
     CT_DISTRICT,
     29.99,
     120.58,
     1.35,
     {"001府前街道", "002仓桥街道", "003塔山街道", "004城南街道", "005鉴水街道", "006迎恩街道",
      "007蕺山街道", "101鉴湖镇"}},
    {"331203",
     "东湖区",
     "东湖",
     CT_DISTRICT,
     30.06,
     120.74,
     1.2,
     {"001东湖街道", "002皋城街道", "003陶堰街道", "004越秀街道", "005孙端街道", "101富盛镇",
      "102斗门镇", "103袍江镇"}},
    {"331204",
     "江滨区",
     "江滨",
     CT_DISTRICT,
     30.08,
     120.42,
     1.15,
     {"001江滨街道", "002柯岩街道", "003华舍街道", "004齐贤街道", "101钱清镇", "102杨汛桥镇",
      "103福全镇", "104平水镇"}},
    {"331221",
     "青溪县",
     "青溪",
     CT_COUNTY,
     29.58,
     120.82,
     0.85,
     {"001青溪街道", "002凤鸣街道", "101石门镇", "102溪口镇", "103梅岭镇", "104白鹤镇", "105双溪镇",
      "201岭南乡", "202竹坞乡"}},
    {"331222",
     "云岭县",
     "云岭",
     CT_COUNTY,
     29.42,
     120.38,
     0.8,
     {"001云阳街道", "002岭北街道", "101长乐镇", "102大桥镇", "103泉塘镇", "104黄泽镇", "201高岭乡",
      "202茶坞乡"}},
    {"331281",
     "诸溪市",
     "诸溪",
     CT_CITY,
     29.72,
     120.24,
     1.1,
     {"001暨阳街道", "002浣东街道", "003陶朱街道", "004浦阳街道", "101枫桥镇", "102店口镇",
      "103次坞镇", "104牌头镇", "105璜山镇"}},
    {"331282",
     "临泉市",
     "临泉",
     CT_CITY,
     29.60,
     120.02,
     0.95,
     {"001临泉街道", "002剡湖街道", "003三江街道", "101甘霖镇", "102崇仁镇", "103仙岩镇",
      "104石璜镇", "201通源乡"}},
};

static const char *const community_prefixes[] = {
    "新华", "和平", "文化", "光明", "幸福", "锦绣", "东风", "人民", "建设", "解放", "朝阳", "胜利",
    "团结", "长安", "兴业", "康乐", "阳光", "紫金", "翠苑", "梅园", "桂花", "柳岸", "湖滨", "城南",
    "城北", "迎春", "望江", "金色", "明珠", "丽都", "府前", "鉴湖", "青年", "学府", "春晖", "秀水",
    "清风", "静安", "华庭", "北门", "南门", "西园", "东园", "塔下", "仓前", "河埠", "桥东", "桥西",
    "百花", "枫林", "凤凰", "龙山", "银湖", "三江", "振兴", "开元", "景苑", "荷花", "玉兰", "新河",
    "江南", "蓝湾", "香樟", "星河", "世纪", "东方", "御园", "永和", "安居", "锦华"};
static const char *const village_positions[] = {"上", "下", "前", "后", "东",
                                                "西", "南", "北", "里", "外"};
static const char *const village_features[] = {"坞", "埠", "桥", "湾", "塘", "岙", "畈", "垄",
                                               "坪", "岭", "山", "溪", "宅", "店", "墩", "园"};
static const char *const nature_first[] = {"石", "竹", "枫", "梅", "桃", "柳", "松", "茶", "杏",
                                           "樟", "泉", "云", "溪", "岭", "金", "银", "龙", "凤",
                                           "白", "青", "红", "大", "小", "新", "长", "高", "双",
                                           "黄", "花", "方", "丰", "乐", "安", "永", "寺", "墨"};
static const char *const nature_second[] = {"门", "林", "溪", "岭", "坑", "坞", "塘", "桥",
                                            "山", "湾", "岙", "田", "畈", "口", "头", "源",
                                            "坪", "园", "下", "庄", "浦", "埠", "泉", "峰"};
static const char *const estate_first[] = {"锦绣", "翠苑", "金色", "阳光", "星河", "东方", "世纪",
                                           "香樟", "紫薇", "蓝湾", "绿城", "御景", "和园", "枫林",
                                           "湖畔", "江南", "新城", "景园", "名都", "海棠", "桂语",
                                           "云栖", "时代", "中央", "滨江", "玉兰", "悦澜", "荷塘"};
static const char *const estate_second[] = {"花园", "小区", "家园", "公寓", "苑",   "府",
                                            "名邸", "华庭", "新村", "雅苑", "嘉园", "水岸"};
static const char *const roads[] = {
    "人民路",   "解放路", "中山路", "建设路",   "环城东路", "环城西路", "迎宾大道", "东湖路",
    "枫溪路",   "江滨路", "文化路", "胜利路",   "新华路",   "光明路",   "和平路",   "学府路",
    "工业大道", "科创路", "越秀路", "青年路",   "鉴湖路",   "笛扬路",   "延安路",   "城南大道",
    "府山路",   "塔山路", "会稽路", "二环北路", "世纪街",   "镜湖大道"};

enum dkind {
    K_JUSTICE,
    K_POLICE,
    K_LETTERS,
    K_HRSS,
    K_HOUSING,
    K_URBAN,
    K_MARKET,
    K_NATURAL,
    K_CIVIL,
    K_HEALTH,
    K_ECOLOGY,
    K_EDUCATION,
    K_TRANSPORT,
    K_EMERGENCY,
    K_WOMEN,
    K_COURT,
    K_AGRICULTURE,
    K_COMMUNITY,
    K__COUNT
};
/* The same order as seed_department_kinds (checked at start-up). */
static const char *const kind_keys[K__COUNT] = {
    "justice", "police",      "letters",           "hrss",          "housing",
    "urban",   "market",      "natural_resources", "civil_affairs", "health",
    "ecology", "education",   "transport",         "emergency",     "women",
    "court",   "agriculture", "community"};

static int kind_index(const char *key)
{
    for (int k = 0; k < K__COUNT; k++)
        if (!strcmp(kind_keys[k], key))
            return k;
    return -1;
}

/* How each kind sits in a county centre: the 6 resident departments, the rotating ones, the
 * ones on call. */
static const int county_presence[K__COUNT] = {
    [K_JUSTICE] = PRESENCE_RESIDENT,     [K_POLICE] = PRESENCE_RESIDENT,
    [K_LETTERS] = PRESENCE_RESIDENT,     [K_HRSS] = PRESENCE_RESIDENT,
    [K_HOUSING] = PRESENCE_RESIDENT,     [K_URBAN] = PRESENCE_RESIDENT,
    [K_MARKET] = PRESENCE_ROTATING,      [K_NATURAL] = PRESENCE_ROTATING,
    [K_CIVIL] = PRESENCE_ROTATING,       [K_HEALTH] = PRESENCE_ROTATING,
    [K_ECOLOGY] = PRESENCE_ROTATING,     [K_EDUCATION] = PRESENCE_ROTATING,
    [K_AGRICULTURE] = PRESENCE_ROTATING, [K_TRANSPORT] = PRESENCE_ON_CALL,
    [K_COURT] = PRESENCE_ON_CALL,        [K_WOMEN] = PRESENCE_ON_CALL,
    [K_EMERGENCY] = PRESENCE_ON_CALL,    [K_COMMUNITY] = -1};
/* Township centres: 派出所, 司法所 and the enforcement team stationed, the rest rotating. */
static const int town_presence[K__COUNT] = {[K_JUSTICE] = PRESENCE_RESIDENT,
                                            [K_POLICE] = PRESENCE_RESIDENT,
                                            [K_URBAN] = PRESENCE_RESIDENT,
                                            [K_MARKET] = PRESENCE_ROTATING,
                                            [K_NATURAL] = PRESENCE_ROTATING,
                                            [K_HRSS] = PRESENCE_ROTATING,
                                            [K_LETTERS] = PRESENCE_ROTATING,
                                            [K_CIVIL] = PRESENCE_ROTATING,
                                            [K_EMERGENCY] = PRESENCE_ON_CALL,
                                            [K_HOUSING] = -1,
                                            [K_HEALTH] = -1,
                                            [K_ECOLOGY] = -1,
                                            [K_EDUCATION] = -1,
                                            [K_TRANSPORT] = -1,
                                            [K_WOMEN] = -1,
                                            [K_COURT] = -1,
                                            [K_AGRICULTURE] = -1,
                                            [K_COMMUNITY] = -1};

/* Department name at county level ("青溪县司法局"; districts have city bureaus' branches). */
static void county_dept_name(const struct county_def *c, int k, char *out, size_t cap)
{
    int district = c->type == CT_DISTRICT;
    switch (k) {
    case K_JUSTICE:
        fmt(out, cap, "%s司法局", c->name);
        break;
    case K_POLICE:
        if (district)
            fmt(out, cap, "%s公安局%s分局", CITY_NAME, c->short_name);
        else
            fmt(out, cap, "%s公安局", c->name);
        break;
    case K_LETTERS:
        fmt(out, cap, "%s信访局", c->name);
        break;
    case K_HRSS:
        fmt(out, cap, "%s人力资源和社会保障局", c->name);
        break;
    case K_HOUSING:
        fmt(out, cap, "%s住房和城乡建设局", c->name);
        break;
    case K_URBAN:
        fmt(out, cap, "%s综合行政执法局", c->name);
        break;
    case K_MARKET:
        if (district)
            fmt(out, cap, "%s市场监督管理局%s分局", CITY_NAME, c->short_name);
        else
            fmt(out, cap, "%s市场监督管理局", c->name);
        break;
    case K_NATURAL:
        if (district)
            fmt(out, cap, "%s自然资源和规划局%s分局", CITY_NAME, c->short_name);
        else
            fmt(out, cap, "%s自然资源和规划局", c->name);
        break;
    case K_CIVIL:
        fmt(out, cap, "%s民政局", c->name);
        break;
    case K_HEALTH:
        fmt(out, cap, "%s卫生健康局", c->name);
        break;
    case K_ECOLOGY:
        fmt(out, cap, "%s生态环境局%s分局", CITY_NAME, c->short_name);
        break;
    case K_EDUCATION:
        fmt(out, cap, district ? "%s教育体育局" : "%s教育局", c->name);
        break;
    case K_TRANSPORT:
        fmt(out, cap, "%s交通运输局", c->name);
        break;
    case K_EMERGENCY:
        fmt(out, cap, "%s应急管理局", c->name);
        break;
    case K_WOMEN:
        fmt(out, cap, "%s妇女联合会", c->name);
        break;
    case K_COURT:
        fmt(out, cap, "%s人民法院", c->name);
        break;
    case K_AGRICULTURE:
        fmt(out, cap, "%s农业农村局", c->name);
        break;
    default:
        fmt(out, cap, "%s", c->name);
        break;
    }
}

static void city_dept_name(int k, char *out, size_t cap)
{
    static const char *const suffix[K__COUNT] = {"司法局",           "公安局",
                                                 "信访局",           "人力资源和社会保障局",
                                                 "住房和城乡建设局", "综合行政执法局",
                                                 "市场监督管理局",   "自然资源和规划局",
                                                 "民政局",           "卫生健康局",
                                                 "生态环境局",       "教育局",
                                                 "交通运输局",       "应急管理局",
                                                 "妇女联合会",       "中级人民法院",
                                                 "农业农村局",       ""};
    fmt(out, cap, "%s%s", CITY_NAME, suffix[k]);
}

/* Township units: "枫桥派出所", "枫桥镇司法所", "枫桥镇综合行政执法队"... */
static void town_dept_name(const char *town, const char *short_name, int k, char *out, size_t cap)
{
    switch (k) {
    case K_POLICE:
        fmt(out, cap, "%s派出所", short_name);
        break;
    case K_JUSTICE:
        fmt(out, cap, "%s司法所", short_name);
        break;
    case K_URBAN:
        fmt(out, cap, "%s综合行政执法队", town);
        break;
    case K_MARKET:
        fmt(out, cap, "%s市场监督管理所", short_name);
        break;
    case K_NATURAL:
        fmt(out, cap, "%s自然资源所", short_name);
        break;
    case K_HRSS:
        fmt(out, cap, "%s劳动保障所", town);
        break;
    case K_LETTERS:
        fmt(out, cap, "%s信访办", town);
        break;
    case K_CIVIL:
        fmt(out, cap, "%s社会事务办", town);
        break;
    case K_EMERGENCY:
        fmt(out, cap, "%s应急消防管理站", town);
        break;
    default:
        fmt(out, cap, "%s", town);
        break;
    }
}

struct dm_county {
    const struct county_def *def;
    char code[13];
    int64_t dept[K__COUNT];
    int64_t handler[K__COUNT]; /* handler user per department */
    int64_t dispatcher, clerk, supervisor, leader, mediator[2];
    char mediator_name[2][16];
    int first_town, ntowns;
    int first_village, nvillages; /* villages of the county are contiguous */
};

struct dm_town {
    char code[13];
    char name[40], short_name[32];
    int county, type; /* 0 街道, 1 镇, 2 乡 */
    double lat, lon;
    int64_t dept[K__COUNT];
    int64_t dispatcher, clerk, handler_justice, mediator;
    char mediator_name[16];
    char studio[64]; /* the township's brand mediation studio */
};

struct dm_village {
    char code[13];
    char name[40];
    int town, community; /* community: 社区居委会 (001-199) vs 村委会 (200-399) */
    double lat, lon;
    int64_t dept; /* the 村/社区两委 */
    int first_grid, ngrids;
    int64_t grid_worker;
    char worker_name[16];
};

struct dm_grid {
    char code[16];
    int village;
    double lat, lon;
};

struct dm_city {
    int64_t dept[K__COUNT];
    int64_t handler[K__COUNT];
    int64_t dispatcher, supervisor, leader;
};

/* ---------- what people bring: case templates ---------- */

enum { A_ANY, A_URBAN, A_RURAL };
/* seasonal shapes: 节前欠薪, 节后家事, 夏季, 汛期, 秸秆禁烧, 入学, 冬季 */
enum { S_NONE, S_WAGE, S_FAMILY, S_SUMMER, S_RAIN, S_BURN, S_SCHOOL, S_WINTER, S__COUNT };
/* parties: none (an incident), one person (a request), two people, a family, a person against
 * an organisation, a group against an organisation */
enum { P_NONE, P_ONE, P_PP, P_FAMILY, P_PO, P_GROUP };

/* A case template. Slots in the texts: {A} applicant (张某某), {B} respondent, {ORG} company,
 * {SHOP} shop, {EST} estate or hamlet, {ADDR} address, {V} village/community, {T} township,
 * {C} county, {ROAD} {ROAD2} roads, {AMT} amount, {N} people, {K} a small number, {D} days,
 * {M} months, {Y} years, {AGE} an old person's age, {ISSUE} what a group is upset about. */
struct tpl {
    const char *cat;
    unsigned char kind, area, season, party, grade, level;
    unsigned short weight;
    int amt_lo, amt_hi;
    const char *org; /* industry of {ORG} */
    const char *title, *desc, *fix;
};

#define D_ KIND_DISPUTE
#define I_ KIND_INCIDENT
#define R_ KIND_REQUEST
#define G1 GRADE_SIMPLE
#define G2 GRADE_ORDINARY
#define G3 GRADE_COMPLEX
#define G4 GRADE_DIFFICULT
#define LV LEVEL_VILLAGE
#define LT LEVEL_TOWNSHIP
#define LC LEVEL_COUNTY

/* One template per entry, its texts on lines of their own. */
/* clang-format off */
static const struct tpl tpls[] = {
    /* 01 婚恋家庭 */
    {"0101", D_, A_ANY, S_FAMILY, P_PP, G2, LV, 26, 0, 0, NULL,
     "{A}与丈夫{B}因感情不和引发婚姻家庭纠纷",
     "{ADDR}{A}反映，其与丈夫{B}结婚{Y}年，{B}常年在外务工很少回家，近期双方因家庭开支、子女教育等问题多次争吵，{B}提出离婚，双方对子女抚养及共同财产分割分歧较大，情绪较为激动，请求调解。",
     "双方经调解同意暂缓离婚，约定{B}每月固定给付家庭生活费，由村（社区）妇联执委跟踪回访"},
    {"0101", D_, A_RURAL, S_FAMILY, P_PP, G2, LT, 12, 50000, 200000, NULL,
     "{A}要求女方家庭返还彩礼引发纠纷",
     "{ADDR}{A}反映，其子与{B}之女经人介绍于去年订婚，按当地习俗给付彩礼{AMT}，现女方提出解除婚约，双方就彩礼返还数额争执不下，两家亲属曾发生推搡，存在矛盾激化风险。",
     "经调解女方同意返还大部分彩礼，双方当场签订调解协议并履行完毕"},
    {"0102", D_, A_ANY, S_FAMILY, P_FAMILY, G2, LV, 22, 0, 0, NULL,
     "{AGE}岁老人{A}反映子女不履行赡养义务",
     "{ADDR}{AGE}岁老人{A}反映，其育有{K}名子女，均已成家，老人独居老屋，近一年子女之间互相推诿，未按约定给付赡养费，老人患有高血压等慢性病，生活困难，请求帮助协调。",
     "组织子女召开家庭协商会，签订赡养协议，约定每人每月给付赡养费并轮流照料，网格员定期上门探望"},
    {"0102", D_, A_ANY, S_NONE, P_PP, G2, LT, 10, 8000, 40000, NULL,
     "{A}要求前夫{B}支付拖欠的子女抚养费",
     "{A}反映，其与{B}于{Y}年前协议离婚，约定婚生子由{A}抚养、{B}每月支付抚养费，{B}自{M}个月前起以收入减少为由拒绝支付，累计拖欠{AMT}，多次催讨无果。",
     "{B}同意分期补足拖欠的抚养费，双方签订调解协议并申请司法确认"},
    {"0103", D_, A_RURAL, S_FAMILY, P_FAMILY, G3, LT, 12, 0, 0, NULL,
     "{A}兄妹因父母遗留房屋继承发生纠纷",
     "{ADDR}{A}反映，其父母去世后留下老宅一处，兄弟姐妹{K}人对房屋继承及征迁补偿款分配意见不一，{B}已先行占用老宅，双方多次争吵，请求调解。",
     "按法定继承份额达成分割协议，由{B}给予其他继承人相应折价补偿"},
    {"0199", D_, A_ANY, S_FAMILY, P_FAMILY, G1, LV, 10, 0, 0, NULL,
     "{A}与儿媳{B}因家庭琐事长期不和",
     "{ADDR}{A}反映，其与儿媳{B}因照看孙子、家务分担等琐事长期不和，近日发生激烈争吵，{B}回娘家居住，家庭关系紧张，请求村（社区）帮助调解。",
     "村（社区）调委会上门做工作，双方互相谅解，{B}已返回家中居住"},
    /* 02 邻里 */
    {"0201", D_, A_RURAL, S_SUMMER, P_PP, G1, LV, 26, 0, 0, NULL,
     "{A}与邻居{B}因排水问题发生纠纷",
     "{ADDR}村民{A}反映，其与邻居{B}两家房屋相邻，{B}家翻修时将排水管改接至两家之间的公共排水沟，近期连续降雨导致污水倒灌进{A}家院内，双方多次交涉未果并发生争吵，请求协调处理。",
     "{B}自行将排水管恢复原走向，双方共同出资疏通公共排水沟"},
    {"0201", D_, A_RURAL, S_NONE, P_PP, G2, LV, 16, 0, 0, NULL,
     "{A}反映邻居{B}砌墙堵塞通行道路",
     "{ADDR}村民{A}反映，其家出入需经过一条使用多年的通道，邻居{B}近日以通道属其宅基地范围为由砌筑围墙，致{A}家进出困难，双方发生争执。",
     "经现场踏勘并查阅宅基地审批资料，{B}同意拆除部分围墙，保留宽1.5米通道"},
    {"0201", D_, A_URBAN, S_SUMMER, P_PP, G1, LV, 28, 2000, 12000, NULL,
     "楼上住户{B}家漏水致{A}家吊顶受损",
     "{ADDR}住户{A}反映，楼上住户{B}家卫生间防水层破损，导致其家卫生间及厨房吊顶长期渗水发霉，多次沟通{B}均未维修，双方关系紧张。",
     "{B}同意请专业人员重做防水层，并赔偿{A}吊顶维修费用{AMT}"},
    {"0201", D_, A_ANY, S_NONE, P_PP, G2, LV, 9, 0, 0, NULL,
     "{A}反映邻居加建楼层影响采光",
     "{ADDR}{A}反映，邻居{B}翻建房屋时加高一层，严重遮挡其家南向窗户采光，冬季室内全天无日照，要求{B}停止加建或给予补偿。",
     "经协调，{B}同意降低檐口高度并给予{A}适当补偿"},
    {"0202", D_, A_RURAL, S_NONE, P_PP, G2, LV, 14, 0, 0, NULL,
     "{A}与{B}因建房滴水檐越界发生纠纷",
     "{ADDR}村民{A}反映，邻居{B}新建房屋的滴水檐伸入其院落约30厘米，雨水直接落入其家院内，且{B}建房时挖地基致其院墙出现裂缝，双方协商未果。",
     "{B}同意加装檐沟导流雨水，并出资修复{A}家院墙裂缝"},
    {"0203", D_, A_RURAL, S_SUMMER, P_PP, G1, LV, 12, 0, 0, NULL,
     "{A}反映邻居{B}饲养家禽臭味扰民",
     "{ADDR}{A}反映，邻居{B}在自家院内饲养鸡鸭五十余只，粪便清理不及时，夏季臭味严重、蚊蝇滋生，影响其家正常生活，多次协商无果。",
     "{B}同意减少饲养数量并将禽舍迁至远离住宅处，定期清理粪便"},
    {"0203", D_, A_URBAN, S_SUMMER, P_PP, G1, LV, 12, 0, 0, NULL,
     "{A}反映楼下{SHOP}空调外机噪声扰民",
     "{ADDR}住户{A}反映，楼下{SHOP}的多台空调外机安装在其卧室窗下，夏季昼夜运行，噪声及热风严重影响休息，与店主{B}协商未果。",
     "店主{B}同意将空调外机移至背街一侧并加装隔音罩"},
    {"0299", D_, A_ANY, S_NONE, P_PP, G1, LV, 14, 0, 0, NULL,
     "{A}与邻居{B}因楼道堆放杂物发生争吵",
     "{ADDR}{A}反映，邻居{B}长期在公共楼道及门前堆放旧家具、纸板等杂物，既影响通行又存在消防隐患，{A}劝说时双方发生激烈争吵。",
     "双方各自清理堆放的杂物，约定共同维护公共区域整洁"},
    /* 03 人格权 */
    {"0301", D_, A_URBAN, S_NONE, P_PO, G1, LT, 3, 0, 0, "摄影",
     "{A}反映其照片被商家擅自用于广告宣传",
     "{A}反映，其在{ORG}拍摄的个人写真未经本人同意被该店用于微信公众号及门店广告宣传，要求删除并赔礼道歉，店方负责人{B}拒绝。",
     "店方删除相关照片，向{A}书面道歉并给予适当补偿"},
    {"0302", D_, A_ANY, S_NONE, P_PP, G2, LT, 7, 0, 0, NULL,
     "{A}反映{B}在微信群散布不实言论",
     "{A}反映，同村（社区）居民{B}因琐事与其结怨，近日在居民微信群多次发布侮辱、诋毁其个人名誉的言论，造成不良影响，要求{B}公开道歉。",
     "{B}在微信群公开道歉并撤回不实言论，双方签订调解协议"},
    {"0303", D_, A_ANY, S_NONE, P_PP, G2, LT, 12, 1500, 15000, NULL,
     "{A}与{B}因琐事发生肢体冲突致轻微伤",
     "{ADDR}{A}与{B}因停车位问题发生口角，进而互相推搡，{A}面部及手臂受轻微伤，经派出所出警处置后，双方同意就医疗费赔偿进行调解。",
     "{B}赔偿{A}医疗费、误工费共计{AMT}，双方握手言和"},
    {"0399", D_, A_ANY, S_NONE, P_PP, G2, LT, 3, 0, 0, NULL,
     "{A}反映遭{B}以讨债为由持续骚扰",
     "{A}反映，{B}以追讨旧账为由多次在深夜拨打其电话并到其住处门口吵闹，影响家人正常生活，请求处理。",
     "派出所对{B}进行批评教育，双方就旧账问题达成还款协议"},
    /* 04 物权 */
    {"0401", D_, A_RURAL, S_NONE, P_PP, G1, LV, 8, 800, 6000, NULL,
     "{A}要求{B}赔偿被羊群啃食的农作物",
     "{A}反映，{B}家饲养的羊群多次闯入其承包地，啃食其种植的蔬菜及果苗，损失约{AMT}，要求赔偿遭拒。",
     "{B}赔偿{A}损失{AMT}并承诺圈养羊群"},
    {"0401", D_, A_ANY, S_NONE, P_PP, G1, LV, 5, 3000, 20000, NULL,
     "{A}要求{B}归还借用的农机具",
     "{A}反映，{B}于去年借用其家旋耕机一台至今未还，经多次索要，{B}称机器已损坏，既不归还也不赔偿。",
     "{B}同意按折旧价赔偿{A}{AMT}"},
    {"0402", D_, A_URBAN, S_NONE, P_GROUP, G3, LT, 24, 0, 0, "物业服务",
     "{EST}业主反映电梯频繁故障停运",
     "{ADDR}业主反映，小区{K}号楼电梯近一个月内多次故障停运，最长停运{D}天，楼内多名老人出行困难，业主多次向{ORG}反映未得到解决，对物业服务意见较大，部分业主表示拒交物业费。",
     "物业公司已更换电梯主板及门机系统，经特种设备检验合格恢复运行，并承诺建立故障24小时响应机制"},
    {"0402", D_, A_URBAN, S_NONE, P_PO, G2, LV, 26, 0, 0, "物业服务",
     "业主{A}与物业公司因停车费上调发生纠纷",
     "{ADDR}业主{A}反映，{ORG}自今年起上调地面停车费，且未经业主大会表决，其拒绝缴纳后物业公司限制其车辆进出小区，双方发生争执。",
     "物业公司暂停执行新收费标准，待业主大会表决后实施，恢复{A}车辆通行"},
    {"0402", D_, A_URBAN, S_NONE, P_GROUP, G3, LT, 10, 0, 0, "物业服务",
     "{EST}业主反映物业公共收益多年未公开",
     "{ADDR}多名业主反映，小区电梯广告、公共停车位等公共收益多年未向业主公示，业委会与{ORG}互相推诿，业主要求公开账目。",
     "街道督促物业公司公示近三年公共收益明细，业委会组织业主代表开展审计"},
    {"0402", D_, A_URBAN, S_NONE, P_PO, G1, LV, 20, 0, 0, "物业服务",
     "业主{A}反映物业保洁绿化服务不到位",
     "{ADDR}业主{A}反映，近两个月楼道无人清扫、垃圾清运不及时，绿化无人养护，物业服务明显下降，业主多次向{ORG}投诉未果。",
     "物业公司已增派保洁人员，恢复每日清扫，社区每周开展检查"},
    {"0403", D_, A_URBAN, S_NONE, P_GROUP, G4, LC, 5, 0, 0, "房地产开发",
     "{N}户业主反映购房多年无法办理不动产权证",
     "{ADDR}{N}户业主反映，其于{Y}年前购买{ORG}开发的商品房，因开发商欠缴土地出让金等原因至今无法办理不动产权证，影响子女入学及房屋交易。",
     "开发企业补缴相关税费，不动产登记中心开通绿色通道分批办证"},
    {"0499", D_, A_ANY, S_FAMILY, P_FAMILY, G1, LV, 4, 0, 0, NULL,
     "{A}与{B}因共有房屋出租收益发生纠纷",
     "{A}反映，其与兄弟{B}共有的老房屋被{B}擅自出租，租金全部由{B}收取，要求分配租金收益。",
     "{B}同意按份额分配租金收益，后续出租须经双方同意"},
    /* 05 侵权 */
    {"0501", D_, A_ANY, S_SCHOOL, P_PO, G2, LT, 5, 5000, 30000, "教育咨询",
     "{A}反映孩子在校受伤要求赔偿",
     "{A}反映，其子在{T}中心小学课间活动时与同学碰撞摔伤，导致手臂骨折，医疗费已花费{AMT}，与学校、对方家长就赔偿问题协商未果。",
     "学校、对方家长及学平险共同承担医疗费用，三方签订调解协议"},
    {"0502", D_, A_ANY, S_NONE, P_PO, G3, LC, 5, 30000, 300000, "医疗",
     "{A}家属对卫生院诊疗结果有异议",
     "{A}反映，其父亲因胸闷到{T}卫生院就诊，医生诊断为普通感冒未做进一步检查，次日病情加重转至县人民医院确诊为心肌梗死，家属认为卫生院存在误诊，要求赔偿。",
     "经医疗纠纷人民调解委员会调解，卫生院给予{A}家属一次性补偿{AMT}"},
    {"0503", D_, A_ANY, S_NONE, P_PP, G2, LC, 16, 6000, 80000, NULL,
     "{A}与{B}交通事故赔偿纠纷",
     "{A}反映，其驾驶电动自行车在{ROAD}与{B}驾驶的小型轿车发生碰撞，{A}腿部受伤住院{D}天，交警认定{B}负主要责任，双方就医疗费、误工费赔偿数额协商不成。",
     "在道路交通事故纠纷调解室调解下，保险公司与{B}共同赔偿{A}各项损失{AMT}"},
    {"0504", D_, A_RURAL, S_SUMMER, P_GROUP, G3, LC, 5, 0, 0, "化工",
     "{N}户村民反映村旁企业排放废气废水",
     "{V}{N}户村民反映，村旁{ORG}生产车间夜间排放刺鼻废气，村民普遍出现咽喉不适，且厂区废水排入村内灌溉渠，要求企业停产整改并赔偿。",
     "生态环境部门现场监测并责令企业整改，企业加装废气处理设施，对受影响农户给予补偿"},
    {"0505", D_, A_ANY, S_NONE, P_PO, G2, LC, 4, 2000, 20000, "电动车销售",
     "{A}反映购买的电动车充电时起火",
     "{A}反映，其在{ORG}购买的电动自行车使用不到半年，在充电时电池起火，烧毁家中部分物品，要求商家赔偿，商家以用户使用不当为由拒绝。",
     "经市场监管部门调解，商家赔偿{A}损失{AMT}"},
    {"0506", D_, A_URBAN, S_NONE, P_ONE, G2, LC, 3, 0, 0, NULL,
     "{A}反映个人信息被泄露遭网络骚扰",
     "{A}反映，其在某网购平台购物后，个人姓名、电话及住址被泄露，近期频繁接到骚扰电话，并被人冒用身份在网上发布不实信息。",
     "公安机关已受理调查，平台删除侵权信息并向{A}致歉"},
    {"0507", D_, A_RURAL, S_NONE, P_PP, G3, LT, 6, 20000, 120000, NULL,
     "{A}为{B}家建房时摔伤要求赔偿",
     "{A}反映，其受雇为村民{B}家建造房屋，在搭建脚手架时不慎从二楼摔下，造成腰椎骨折，花去医疗费{AMT}，{B}仅支付部分费用后拒绝继续赔偿。",
     "经调解，{B}一次性赔偿{A}医疗费、误工费等各项损失，双方签订协议"},
    {"0599", D_, A_ANY, S_NONE, P_PP, G1, LV, 8, 800, 5000, NULL,
     "{A}被{B}家未拴养的犬只咬伤",
     "{A}反映，其在{ADDR}附近路过时被{B}家未拴绳的犬只咬伤小腿，注射狂犬疫苗等花费{AMT}，{B}否认是自家犬只所为。",
     "经调取监控确认后，{B}赔偿{A}医疗费并承诺拴养犬只"},
    {"0599", D_, A_URBAN, S_NONE, P_PP, G2, LT, 3, 3000, 15000, NULL,
     "{A}停放的车辆被高空坠物砸坏",
     "{ADDR}{A}反映，其停放在楼下的小型轿车被楼上坠落的花盆砸坏前挡风玻璃，经物业调取监控怀疑系{B}家阳台坠落，{B}不予承认。",
     "经排查确认坠物来源，{B}赔偿车辆维修费{AMT}"},
    /* 06 合同 */
    {"0601", D_, A_URBAN, S_NONE, P_GROUP, G3, LC, 8, 100000, 800000, "健身服务",
     "{N}名会员反映健身房闭店预付卡无法退费",
     "{A}等{N}名会员反映，{ORG}突然闭店，经营者失联，会员办理的预付卡余额共计约{AMT}无法退还，要求相关部门介入。",
     "市场监管部门会同公安追查经营者，已协调接手经营方承接会员服务"},
    {"0601", D_, A_URBAN, S_NONE, P_PO, G2, LT, 14, 10000, 80000, "装饰工程",
     "{A}反映装修公司拖延工期且质量不合格",
     "{A}反映，其与{ORG}签订家庭装修合同，约定工期{D}天，现已超期两个月仍未完工，且墙面开裂、卫生间渗水，要求整改并赔偿。",
     "装修公司承诺限期返工整改，并退还部分工程款"},
    {"0601", D_, A_ANY, S_NONE, P_PO, G1, LT, 14, 500, 8000, "家电销售",
     "{A}反映购买的家电存在质量问题退换受阻",
     "{A}反映，其在{ORG}购买的冰箱使用一周后即不制冷，要求退换，商家以已过七天无理由退货期为由只同意维修。",
     "经调解，商家同意为{A}更换同型号新机"},
    {"0602", D_, A_URBAN, S_NONE, P_PP, G1, LV, 16, 1500, 8000, NULL,
     "租户{A}与房东{B}因押金退还发生纠纷",
     "{A}反映，其租住{ADDR}，租期届满退租时，房东{B}以墙面污损为由拒绝退还押金{AMT}，双方争执不下。",
     "经调解，{B}扣除部分清洁费后退还押金"},
    {"0602", D_, A_ANY, S_NONE, P_PP, G2, LT, 6, 20000, 100000, NULL,
     "{A}购买二手房后发现房屋漏水要求赔偿",
     "{A}反映，其通过中介购买{B}的二手房，入住后发现屋顶及外墙严重渗漏，认为{B}出售时故意隐瞒，要求赔偿维修费用。",
     "经调解，{B}承担部分维修费用{AMT}"},
    {"0603", D_, A_ANY, S_NONE, P_PO, G2, LC, 7, 30000, 500000, "纺织",
     "{ORG}拖欠{A}货款",
     "{A}反映，其向{ORG}供应原材料，对方累计拖欠货款{AMT}，经多次催要，对方以资金周转困难为由拖延支付。",
     "双方达成分期付款协议，并申请司法确认"},
    {"0604", D_, A_ANY, S_NONE, P_PO, G1, LT, 3, 1000, 15000, "物流",
     "{A}反映托运货物损坏物流公司拒赔",
     "{A}反映，其通过{ORG}托运的一批瓷砖到货后破损严重，损失约{AMT}，物流公司以包装不当为由拒绝赔偿。",
     "经调解，物流公司按保价比例赔偿{A}损失"},
    {"0699", D_, A_ANY, S_WAGE, P_PO, G3, LC, 8, 50000, 600000, "机械制造",
     "{A}追讨厂房装修工程款",
     "{A}反映，其承包{ORG}厂房装修工程，工程已于去年竣工验收，尚余工程款{AMT}未支付，临近年底工人工资无法结算。",
     "经调解，企业支付部分工程款，余款约定三个月内付清"},
    /* 07 劳动人事 */
    {"0701", D_, A_ANY, S_WAGE, P_GROUP, G3, LC, 40, 80000, 900000, "建设工程",
     "{N}名农民工反映工地拖欠工资",
     "{ADDR}附近{ORG}承建的项目工地{N}名农民工反映，包工头{B}拖欠其{M}个月工资共计{AMT}，临近春节农民工急于返乡，情绪激动，部分人员表示将到政府聚集讨薪。",
     "人社部门约谈总包单位，动用农民工工资保证金，拖欠工资已全额发放到位"},
    {"0701", D_, A_ANY, S_NONE, P_PO, G2, LT, 20, 10000, 80000, "五金制品",
     "{A}反映被公司无故辞退要求经济补偿",
     "{A}反映，其在{ORG}工作{Y}年，公司以经营困难为由口头通知其解除劳动合同，未支付任何经济补偿，要求依法补偿。",
     "经劳动争议调解，公司支付{A}经济补偿金{AMT}"},
    {"0701", D_, A_ANY, S_WAGE, P_PO, G2, LT, 28, 6000, 40000, "袜业",
     "{A}讨要被拖欠的工资",
     "{A}反映，其在{ORG}从事缝头工作，公司拖欠其{M}个月工资共计{AMT}，离职后多次讨要未果，请求帮助追讨。",
     "经劳动保障所调解，公司已一次性支付拖欠工资"},
    {"0702", D_, A_ANY, S_NONE, P_PO, G2, LC, 10, 0, 0, "电子科技",
     "{A}反映公司未依法缴纳社会保险",
     "{A}反映，其在{ORG}工作{Y}年，公司一直未为其缴纳养老、医疗等社会保险，工作期间因工受伤无法享受工伤保险待遇，要求补缴。",
     "人社部门责令企业限期补缴社会保险费，并协助{A}办理工伤认定"},
    {"0703", D_, A_ANY, S_SUMMER, P_GROUP, G2, LT, 5, 5000, 60000, "机械制造",
     "{N}名员工反映公司未支付加班费和高温津贴",
     "{A}等{N}名员工反映，{ORG}今夏高温期间安排连续加班，未按规定支付加班费及高温津贴，员工与公司协商未果。",
     "公司按规定补发加班工资及高温津贴，并调整作息时间"},
    {"0704", D_, A_ANY, S_NONE, P_ONE, G2, LC, 2, 0, 0, NULL,
     "{A}反映聘用合同到期未获续聘",
     "{A}反映，其为{T}某事业单位编外聘用人员，聘用合同到期后单位未说明理由即不再续聘，认为单位违反规定，要求继续聘用或给予补偿。",
     "经人事争议调解，单位依规给予{A}经济补偿"},
    {"0799", D_, A_ANY, S_NONE, P_PO, G1, LT, 6, 2000, 9000, "餐饮管理",
     "{A}反映试用期被辞退未结算工资",
     "{A}反映，其在{ORG}试用期第{D}天被告知不予录用，公司拒绝结算已工作期间工资{AMT}。",
     "公司已按实际工作天数结算工资"},
    /* 08 金融借贷 */
    {"0801", D_, A_URBAN, S_NONE, P_PO, G3, LC, 1, 50000, 300000, "投资咨询",
     "{A}反映投资基金产品亏损涉嫌误导销售",
     "{A}反映，其经{ORG}业务员推介购买基金产品，业务员承诺保本，现产品亏损{AMT}，认为存在误导销售。",
     "已引导{A}向金融纠纷调解中心申请调解，机构承担部分损失"},
    {"0802", D_, A_URBAN, S_NONE, P_GROUP, G4, LC, 4, 1000000, 9000000, "财富管理",
     "{N}名群众反映理财产品逾期无法兑付",
     "{A}等{N}名群众反映，{ORG}以高额回报为诱饵吸收群众资金，近期产品到期无法兑付，涉及金额约{AMT}，群众担心血本无归，存在聚集上访风险。",
     "公安机关已立案侦查，属地街道做好投资人稳控和政策解释工作"},
    {"0803", D_, A_ANY, S_NONE, P_PO, G2, LC, 3, 5000, 60000, "保险代理",
     "{A}反映保险公司拒绝理赔",
     "{A}反映，其母亲住院治疗花费{AMT}，申请商业医疗保险理赔时，保险公司以投保前已患病未如实告知为由拒赔。",
     "经保险行业调解，保险公司按比例赔付"},
    {"0804", D_, A_ANY, S_WAGE, P_PP, G2, LT, 24, 20000, 300000, NULL,
     "{A}追讨{B}借款未果",
     "{A}反映，{B}于{Y}年前向其借款{AMT}，约定一年内归还，有借条为证，到期后{B}以各种理由拖欠不还，临近年底多次催讨无果。",
     "双方达成还款协议，{B}分期偿还，协议经法院司法确认"},
    {"0804", D_, A_ANY, S_NONE, P_PP, G2, LT, 6, 50000, 200000, NULL,
     "{A}为{B}借款提供担保后被追偿",
     "{A}反映，其为同村{B}向他人借款提供担保，{B}到期未还，出借人要求{A}承担担保责任，{A}要求{B}偿还。",
     "经调解，{B}承诺分期偿还借款，解除{A}担保责任"},
    {"0899", D_, A_ANY, S_NONE, P_ONE, G2, LC, 3, 0, 0, NULL,
     "{A}反映遭网贷平台暴力催收",
     "{A}反映，其在某网贷平台借款逾期后，催收人员频繁拨打其亲友电话并发送侮辱短信，严重影响其家庭生活。",
     "公安机关对违法催收行为依法处理，引导{A}与平台协商还款"},
    /* 09 土地资源 */
    {"0901", D_, A_RURAL, S_NONE, P_PP, G2, LV, 22, 0, 0, NULL,
     "{A}与{B}因承包地边界发生纠纷",
     "{V}村民{A}反映，其承包的{K}亩水田与{B}家相邻，{B}在春耕时将田埂外移约半米，侵占其承包地，双方发生争吵。",
     "村委会组织双方对照土地确权档案现场勘界，恢复原田埂位置"},
    {"0901", D_, A_RURAL, S_WAGE, P_GROUP, G3, LT, 8, 100000, 600000, "农业开发",
     "{N}户村民反映土地流转租金未按时支付",
     "{V}{N}户村民反映，其承包地于{Y}年前流转给{ORG}种植苗木，合同约定每年底支付流转费，该公司已拖欠两年流转费共计{AMT}。",
     "乡镇协调企业支付拖欠流转费，剩余部分约定分期付清"},
    {"0902", D_, A_RURAL, S_NONE, P_PP, G2, LT, 22, 0, 0, NULL,
     "{A}与{B}因宅基地界址发生争执",
     "{ADDR}村民{A}反映，邻居{B}翻建房屋时地基越过原宅基地界址约40厘米，占用其家宅基地，双方多次争吵，{B}仍继续施工。",
     "自然资源所调取宅基地审批档案现场放样，{B}按审批界址调整地基"},
    {"0903", D_, A_RURAL, S_NONE, P_PP, G3, LT, 8, 0, 0, NULL,
     "{A}与邻村村民{B}因山林界址发生争议",
     "{A}反映，其家承包的毛竹山与邻村{B}家山林相连，{B}近期砍伐毛竹时越界砍伐约{K}亩，双方对山界认定存在分歧，两村村民情绪对立。",
     "林业部门依据林权证及界址图现场勘界，{B}赔偿越界砍伐损失"},
    {"0904", D_, A_RURAL, S_SUMMER, P_PP, G2, LV, 8, 0, 0, NULL,
     "{A}与{B}因灌溉用水发生纠纷",
     "{V}村民{A}反映，近期持续干旱，上游{B}在灌溉渠上私自筑坝截水，导致下游十余户农田无法灌溉，双方发生争执。",
     "村委会协调制定轮灌用水方案，拆除私筑的拦水坝"},
    {"0999", D_, A_RURAL, S_NONE, P_PP, G1, LV, 4, 0, 0, NULL,
     "{A}与{B}因自留地使用发生纠纷",
     "{A}反映，其家自留地多年来由{B}代为耕种，现{A}要求收回自行耕种，{B}以已种植果树为由拒绝退还。",
     "经村调委会调解，{A}补偿{B}果树苗木费用后收回自留地"},
    /* 10 其他民商事 */
    {"1001", D_, A_ANY, S_NONE, P_PO, G3, LC, 1, 0, 0, "食品",
     "{A}反映其注册商标被他人仿冒使用",
     "{A}反映，其经营的糕点品牌已注册商标，近期发现{ORG}生产的同类产品使用近似包装和商标，造成消费者混淆。",
     "市场监管部门责令对方停止使用侵权标识，双方达成和解"},
    {"1002", D_, A_ANY, S_NONE, P_PP, G2, LC, 3, 50000, 400000, NULL,
     "{A}与合伙人{B}因合伙经营分红发生纠纷",
     "{A}反映，其与{B}合伙经营农家乐{Y}年，{B}负责财务，近两年未进行分红且拒绝公开账目，{A}要求退伙并分配盈余约{AMT}。",
     "经调解，双方委托第三方核算账目，{B}支付{A}退伙款"},
    {"1003", D_, A_RURAL, S_NONE, P_PO, G2, LC, 1, 20000, 100000, "内河航运",
     "{A}与航运公司因内河船舶运输合同发生纠纷",
     "{A}反映，其委托{ORG}经内河运输一批建材，船舶途中搁浅致部分货物浸水受损，双方就赔偿责任协商未果。",
     "经调解，航运公司按合同约定赔偿货损"},
    {"1004", D_, A_ANY, S_NONE, P_PO, G2, LC, 1, 0, 0, "建材",
     "{A}反映同行恶意压价并诋毁商誉",
     "{A}反映，同一市场经营户{ORG}以低于成本价倾销建材，并向客户散布其产品质量差等不实信息，影响其正常经营。",
     "市场监管部门约谈双方，对方停止诋毁行为"},
    {"1005", D_, A_ANY, S_NONE, P_PO, G2, LC, 1, 100000, 500000, "贸易",
     "{A}反映收到的商业承兑汇票到期无法兑付",
     "{A}反映，{ORG}以商业承兑汇票支付其货款{AMT}，汇票到期后承兑人拒绝付款。",
     "经调解，对方以现金方式分期支付货款"},
    {"1006", D_, A_ANY, S_NONE, P_PP, G1, LT, 6, 2000, 50000, NULL,
     "{A}误转款项给{B}要求返还",
     "{A}反映，其在手机转账时误将{AMT}转入{B}的账户，联系{B}要求返还，{B}以各种理由拒不返还。",
     "经调解，{B}已将误转款项全额返还"},
    {"1099", D_, A_RURAL, S_NONE, P_PP, G2, LT, 3, 0, 0, NULL,
     "{A}与{B}因合作经营民宿发生纠纷",
     "{A}反映，其与{B}合作将闲置农房改建为民宿，约定利润平分，现{B}单方面将民宿转租他人，{A}要求解除合作并返还投资款。",
     "经调解，{B}返还{A}部分投资款，双方解除合作"},
    /* 11 城乡建设 */
    {"1101", D_, A_URBAN, S_NONE, P_ONE, G4, LC, 6, 0, 0, NULL,
     "{A}对旧城改造征收补偿标准有异议",
     "{ADDR}被征收户{A}反映，其房屋被纳入旧城改造征收范围，认为评估价格明显低于周边二手房价格，且未认定其沿街营业用房性质，拒绝签约。",
     "征收部门组织重新评估并解释政策，{A}已签订征收补偿协议"},
    {"1102", D_, A_RURAL, S_NONE, P_GROUP, G4, LC, 5, 0, 0, NULL,
     "{N}户村民对征地补偿款分配方案有异议",
     "{V}{N}户村民反映，村集体土地被征用后，村股份经济合作社对征地补偿款分配方案未经村民代表大会表决，对外嫁女等人员分配标准不一，要求公开并重新分配。",
     "乡镇指导村股份经济合作社依法召开成员代表大会重新表决分配方案"},
    {"1103", D_, A_ANY, S_NONE, P_ONE, G2, LT, 6, 0, 0, NULL,
     "{A}对违法建筑拆除决定有异议",
     "{A}反映，其在自家院内搭建的彩钢棚被认定为违法建筑并限期拆除，认为同村其他人有类似搭建未被处理，执法不公。",
     "执法部门解释认定依据并同步排查同类违建，{A}已自行拆除"},
    {"1104", D_, A_URBAN, S_NONE, P_GROUP, G3, LC, 6, 0, 0, "市政工程",
     "{N}户居民反映道路施工影响出行",
     "{ADDR}居民反映，{ROAD}改造施工已持续{M}个月，施工围挡占用大部分路面，雨天泥泞，且夜间施工噪声扰民，要求加快施工进度、规范施工。",
     "建设单位调整施工时间，增设临时便道，承诺按期完工"},
    {"1105", D_, A_RURAL, S_NONE, P_ONE, G2, LC, 1, 0, 0, NULL,
     "{A}反映水库移民后期扶持资金未到位",
     "{A}反映，其为{Y}年前水库建设移民，近两年未收到移民后期扶持资金，多次到村里询问未得到答复。",
     "核实后补发扶持资金，并向{A}解释发放政策"},
    {"1199", D_, A_RURAL, S_NONE, P_ONE, G2, LT, 3, 0, 0, NULL,
     "{A}对美丽乡村建设占用其自留地有异议",
     "{A}反映，村里实施美丽乡村建设修建游步道，占用其家自留地约半亩，事先未与其协商，也未给予补偿。",
     "村委会与{A}协商按标准给予青苗及土地补偿"},
    /* 12 民政 */
    {"1201", D_, A_RURAL, S_NONE, P_GROUP, G3, LT, 6, 0, 0, NULL,
     "{N}名村民反映村务财务不公开",
     "{V}{N}名村民联名反映，村集体厂房出租收入及项目工程款支出多年未按规定公开，怀疑存在违规问题，要求公开账目。",
     "乡镇督促村里按季度公开财务，并委托第三方开展专项审计"},
    {"1202", D_, A_ANY, S_NONE, P_ONE, G2, LT, 8, 0, 0, NULL,
     "{A}反映低保申请未获批准",
     "{A}反映，其丈夫因病丧失劳动能力，家中有两名在读子女，今年申请最低生活保障未获批准，认为审核不公。",
     "民政部门入户复核，{A}家庭符合条件，已纳入低保并发放临时救助金"},
    {"1203", D_, A_RURAL, S_NONE, P_GROUP, G3, LC, 1, 0, 0, NULL,
     "{V}与邻村因村界发生争议",
     "{V}村民反映，邻村在两村交界处修建机耕路时越过原村界，双方村民对界线认定存在分歧，已发生口角。",
     "民政部门会同自然资源部门依据界线协议书现场勘定界线"},
    {"1299", D_, A_ANY, S_NONE, P_ONE, G1, LT, 2, 0, 0, NULL,
     "{A}反映公墓管理收费不合理",
     "{A}反映，{T}公墓管理方要求一次性缴纳二十年管理费，收费标准未公示。",
     "民政部门督促公墓管理方公示收费标准，按年收取管理费"},
    /* 13 行政执法 */
    {"1301", D_, A_URBAN, S_SUMMER, P_ONE, G2, LT, 6, 0, 0, NULL,
     "{A}对城管执法暂扣物品有异议",
     "{A}反映，其在{ROAD}经营水果摊被综合执法队员暂扣三轮车及水果，认为执法方式粗暴，要求返还。",
     "执法部门对{A}进行教育后依法返还暂扣物品，引导其入驻便民疏导点经营"},
    {"1302", D_, A_ANY, S_SCHOOL, P_ONE, G2, LC, 6, 0, 0, NULL,
     "{A}对子女入学学区划分有异议",
     "{A}反映，其所住{EST}今年被划入距离较远的学校学区，孩子上学需穿越主干道，要求调整学区。",
     "教育部门解释学区划分依据，并协调开通校车接送"},
    {"1303", D_, A_ANY, S_NONE, P_ONE, G2, LC, 2, 0, 0, NULL,
     "{A}对市场监管部门行政处罚有异议",
     "{A}反映，其经营的小超市因销售一批过期饮料被处以罚款，认为系供货商责任，处罚过重。",
     "执法部门说明处罚依据，告知{A}行政复议和诉讼权利"},
    {"1304", D_, A_ANY, S_NONE, P_GROUP, G3, LC, 2, 0, 0, "化工",
     "{N}名员工反映企业停产整改期间工资无着落",
     "{A}等{N}名员工反映，{ORG}因安全生产隐患被责令停产整改，停产期间企业未发放工资，员工生活困难。",
     "应急管理部门指导企业加快整改，人社部门督促企业按规定支付停工期间生活费"},
    {"1305", D_, A_URBAN, S_NONE, P_ONE, G1, LC, 3, 0, 0, NULL,
     "{A}投诉出租车拒载绕路",
     "{A}反映，其在高铁站乘坐出租车，司机绕路行驶并拒绝打表，多收车费。",
     "交通运输部门查实后对驾驶员依法处罚，退还多收车费"},
    {"1306", D_, A_RURAL, S_NONE, P_ONE, G2, LC, 1, 0, 0, NULL,
     "{A}对禁渔期处罚有异议",
     "{A}反映，其在水库禁渔期间垂钓被渔政部门处罚并没收渔具，认为垂钓不属于禁止范围。",
     "渔政部门解释禁渔规定，{A}表示理解"},
    {"1307", D_, A_ANY, S_NONE, P_ONE, G1, LT, 2, 0, 0, NULL,
     "{A}反映计划生育奖励扶助金未按时发放",
     "{A}反映，其为独生子女父母，年满60周岁后申请农村部分计划生育家庭奖励扶助，至今未收到扶助金。",
     "卫健部门核实资格后已补发扶助金"},
    {"1399", D_, A_ANY, S_NONE, P_ONE, G1, LT, 3, 0, 0, NULL,
     "{A}对违停处罚有异议",
     "{A}反映，其在{ROAD}临时停车卸货被处以违停罚款，认为该路段未设置禁停标志。",
     "执法部门现场核查后增设禁停标志，对{A}的申诉依法复核"},
    /* 14 涉法涉诉 */
    {"1401", D_, A_ANY, S_NONE, P_ONE, G2, LC, 5, 0, 0, NULL,
     "{A}反映报案后案件长期无进展",
     "{A}反映，其家中被盗电动车一辆，半年前已向派出所报案，至今未告知侦查进展，要求答复。",
     "派出所向{A}当面反馈案件侦查进展并做好解释工作"},
    {"1402", D_, A_ANY, S_NONE, P_ONE, G3, LC, 1, 0, 0, NULL,
     "{A}对检察机关不起诉决定有异议",
     "{A}反映，其被他人打伤一案，检察机关作出不起诉决定，其认为处理不公，要求重新审查。",
     "已登记转送检察机关依法审查答复，并提供法律咨询"},
    {"1403", D_, A_ANY, S_NONE, P_PP, G3, LC, 6, 50000, 500000, NULL,
     "{A}反映胜诉判决长期执行不到位",
     "{A}反映，其与{B}民间借贷纠纷一案，法院已判决{B}归还借款{AMT}，但判决生效{M}个月仍未执行到位，要求加大执行力度。",
     "法院执行局查控{B}名下财产，执行款已部分到位"},
    {"1404", D_, A_ANY, S_NONE, P_ONE, G1, LT, 2, 0, 0, NULL,
     "{A}咨询法律援助申请",
     "{A}反映，其因工伤赔偿问题准备起诉用人单位，经济困难请不起律师，咨询法律援助申请条件。",
     "司法所为{A}受理法律援助申请，指派律师代理"},
    /* 15 组织纪检 */
    {"1501", D_, A_RURAL, S_NONE, P_ONE, G2, LC, 1, 0, 0, NULL,
     "{A}反映村干部选任程序问题",
     "{A}反映，{V}近期增补村务监督委员会成员，未按规定程序公开推选。",
     "乡镇党委核查后责令重新按程序推选"},
    {"1502", D_, A_ANY, S_NONE, P_ONE, G1, LT, 4, 0, 0, NULL,
     "{A}反映办事窗口工作人员推诿",
     "{A}反映，其到{T}便民服务中心办理事项，工作人员以材料不全为由多次让其往返，且未一次性告知所需材料，态度生硬。",
     "乡镇对相关工作人员进行批评教育，为{A}提供代办服务"},
    {"1599", D_, A_ANY, S_NONE, P_ONE, G1, LT, 1, 0, 0, NULL,
     "{A}反映党员组织关系转接问题",
     "{A}反映，其从外地返乡，党员组织关系转接手续办理多次未成功。",
     "组织部门协调办理组织关系转接"},
    /* 16 民族宗教 */
    {"1601", D_, A_URBAN, S_NONE, P_ONE, G2, LC, 1, 0, 0, NULL,
     "少数民族务工人员{A}反映租房受到区别对待",
     "{A}反映，其为少数民族外来务工人员，在{EST}租房时房东以其民族身份为由拒绝出租。",
     "社区做好房东教育引导工作，协助{A}租到住房"},
    {"1602", D_, A_RURAL, S_NONE, P_GROUP, G3, LC, 1, 0, 0, NULL,
     "{N}名村民反映村内私设宗教活动点",
     "{V}{N}名村民反映，村内有人将自家房屋改为宗教活动场所，经常聚集外地人员，影响周边生活。",
     "民族宗教部门依法处置，劝导有关人员到依法登记的场所开展活动"},
    {"99", D_, A_ANY, S_FAMILY, P_PP, G1, LV, 5, 0, 0, NULL,
     "{A}与{B}因丧事办理发生纠纷",
     "{A}反映，邻居{B}家办理丧事期间在公共道路上搭棚并连续多日燃放鞭炮，堵塞通行，双方发生争吵。",
     "村调委会协调{B}缩短搭棚时间、让出通行车道，双方和解"},
    /* G01 安全隐患 */
    {"G0101", I_, A_URBAN, S_WINTER, P_NONE, G1, LV, 34, 0, 0, NULL,
     "{EST}楼道堆物及电动车飞线充电",
     "{ADDR}楼道内堆放大量纸箱、旧家具等杂物，部分住户在楼道内停放电动自行车并飞线充电，存在严重火灾隐患。",
     "已督促住户清理楼道杂物，劝离楼道停放的电动车，物业加装电动车集中充电设施"},
    {"G0101", I_, A_ANY, S_WINTER, P_NONE, G2, LT, 16, 0, 0, NULL,
     "{V}一处出租房存在“三合一”消防隐患",
     "{ADDR}一处出租房一楼用作服装加工作坊，二楼住人，未设置防火分隔，属“三合一”场所，存在火灾隐患。",
     "已责令经营者搬离住宿人员，设置防火分隔，配齐灭火器材"},
    {"G0102", I_, A_URBAN, S_WINTER, P_NONE, G1, LT, 12, 0, 0, NULL,
     "{SHOP}使用无检验标识液化气钢瓶",
     "{ADDR}{SHOP}后厨使用的液化气钢瓶无检验标识，连接软管老化，且未安装燃气泄漏报警装置。",
     "已督促商户更换合格钢瓶及金属软管，安装燃气泄漏报警器"},
    {"G0102", I_, A_URBAN, S_WINTER, P_NONE, G1, LT, 6, 0, 0, NULL,
     "{EST}居民闻到燃气异味",
     "{ADDR}楼道内有明显燃气异味，居民担心燃气管道泄漏，请求尽快派人排查。",
     "燃气公司抢修人员到场排查，更换漏气阀门，已恢复正常"},
    {"G0103", I_, A_RURAL, S_RAIN, P_NONE, G2, LT, 10, 0, 0, NULL,
     "{V}一处老旧房屋墙体开裂",
     "{ADDR}一处建于上世纪七十年代的泥木结构房屋墙体出现多处贯通裂缝，屋面局部塌陷，目前仍有一名老人居住，存在安全隐患。",
     "已组织房屋安全鉴定为D级危房，协调老人搬至亲属家中居住并设置警示围挡"},
    {"G0104", I_, A_RURAL, S_RAIN, P_NONE, G3, LT, 10, 0, 0, NULL,
     "{V}后山出现山体滑坡迹象",
     "连续强降雨后，{ADDR}后山坡体出现裂缝及局部滑塌，坡下有{K}户农户，存在安全隐患。",
     "已组织坡下农户临时转移，设立警示标志，自然资源部门完成应急排险"},
    {"G0104", I_, A_URBAN, S_RAIN, P_NONE, G1, LT, 8, 0, 0, NULL,
     "{ROAD}下穿通道积水严重",
     "强降雨导致{ROAD}下穿通道积水深约40厘米，有车辆涉水熄火，存在安全隐患。",
     "已临时封闭通道，启用移动泵车排水并疏通雨水管网"},
    {"G0105", I_, A_ANY, S_NONE, P_NONE, G2, LT, 8, 0, 0, "机械制造",
     "{ORG}存在违规作业安全隐患",
     "{ADDR}{ORG}厂区内工人在无防护措施的情况下进行高处作业，且厂内危化品存放不规范。",
     "应急管理部门现场检查并责令整改，企业已完成隐患整改"},
    {"G0106", I_, A_ANY, S_NONE, P_NONE, G2, LC, 8, 0, 0, NULL,
     "{ROAD}与{ROAD2}交叉口事故多发",
     "{ROAD}与{ROAD2}交叉口车流量大，无信号灯控制，近期已发生多起电动车与汽车剐蹭事故，群众出行存在安全隐患。",
     "交警部门已在路口增设减速带及警示标志，信号灯纳入年度建设计划"},
    /* G02 公共设施 */
    {"G0201", I_, A_ANY, S_RAIN, P_NONE, G1, LT, 18, 0, 0, NULL,
     "{ROAD}路面破损坑洼",
     "{ROAD}{K}号附近路面出现多处坑洼，最大的坑深约10厘米，雨天积水，已有电动车骑行人员摔倒。",
     "已安排道路养护单位完成坑槽修补"},
    {"G0202", I_, A_URBAN, S_NONE, P_NONE, G1, LT, 18, 0, 0, NULL,
     "{ROAD}人行道窨井盖缺失",
     "{ROAD}人行道上一处雨水窨井盖缺失，井口敞开，夜间行人极易跌落，存在安全隐患。",
     "已设置临时警示围挡，市政养护单位补装防坠网及井盖"},
    {"G0202", I_, A_URBAN, S_SUMMER, P_NONE, G1, LV, 10, 0, 0, NULL,
     "{EST}化粪池堵塞污水外溢",
     "{ADDR}化粪池堵塞，污水从检查井外溢至道路，臭味严重，影响居民出行。",
     "已联系物业及环卫部门疏通化粪池，清理外溢污水"},
    {"G0203", I_, A_ANY, S_WINTER, P_NONE, G1, LT, 16, 0, 0, NULL,
     "{ROAD}多盏路灯夜间不亮",
     "{ROAD}约{K}盏路灯连续多日夜间不亮，路段较暗，附近居民夜间出行不便，存在安全隐患。",
     "路灯管理所已更换灯具及线路，路灯恢复正常照明"},
    {"G0204", I_, A_URBAN, S_WINTER, P_NONE, G2, LC, 8, 0, 0, NULL,
     "{EST}供水管道爆裂造成停水",
     "{ADDR}供水管道爆裂，路面积水，周边约{N}户居民停水，群众生活受影响。",
     "供水公司已完成抢修，恢复供水"},
    {"G0204", I_, A_RURAL, S_RAIN, P_NONE, G1, LT, 6, 0, 0, NULL,
     "{V}电线杆倾斜电线低垂",
     "{ADDR}路边一根电线杆因雨后地基松软发生倾斜，电线低垂离地不足两米，存在触电隐患。",
     "供电所已扶正电杆，重新架设线路"},
    {"G0205", I_, A_ANY, S_NONE, P_NONE, G1, LV, 10, 0, 0, NULL,
     "{V}文化广场健身器材损坏",
     "{ADDR}文化广场多件健身器材螺丝松动、部件断裂，村民特别是老人和儿童使用时容易受伤。",
     "已拆除损坏器材并联系厂家更换新器材"},
    /* G03 环境卫生 */
    {"G0301", I_, A_URBAN, S_SUMMER, P_NONE, G1, LV, 26, 0, 0, NULL,
     "{EST}垃圾收集点垃圾满溢未及时清运",
     "{ADDR}垃圾收集点垃圾桶满溢，周边堆积大量生活垃圾已有{D}天未清运，异味严重，蚊蝇滋生。",
     "环卫部门已完成清运，并增加该点位清运频次"},
    {"G0301", I_, A_RURAL, S_NONE, P_NONE, G1, LV, 18, 0, 0, NULL,
     "{V}河边有人乱倒生活垃圾",
     "{ADDR}河道边坡被人长期倾倒生活垃圾，堆积约{K}立方米，影响河道环境。",
     "已组织保洁员清理，设置禁止倾倒警示牌，纳入日常巡查"},
    {"G0302", I_, A_ANY, S_NONE, P_NONE, G2, LT, 12, 0, 0, NULL,
     "{ROAD}旁空地夜间被偷倒建筑垃圾",
     "{ROAD}旁空地近期被人夜间偷倒建筑垃圾约{K}车，占用道路，扬尘严重。",
     "综合执法部门已调取监控查处偷倒车辆，责令清运"},
    {"G0303", I_, A_RURAL, S_SUMMER, P_NONE, G2, LC, 10, 0, 0, NULL,
     "{V}河道出现大量死鱼",
     "{ADDR}附近河道水面出现大量死鱼，河水发黑并有明显异味，怀疑上游有企业偷排污水。",
     "生态环境部门采样检测并溯源，查处上游偷排企业，河道已完成清理"},
    {"G0303", I_, A_ANY, S_NONE, P_NONE, G2, LT, 8, 0, 0, "印染",
     "{ORG}疑似污水直排河道",
     "{ADDR}{ORG}厂区围墙外排水口有彩色污水直排入河，河面泛起泡沫。",
     "生态环境部门现场取证并立案查处，企业已封堵偷排口"},
    {"G0304", I_, A_URBAN, S_SUMMER, P_NONE, G2, LT, 22, 0, 0, "建设工程",
     "{EST}附近工地夜间施工噪声扰民",
     "{ADDR}附近{ORG}施工工地连续多日在夜间22时后进行混凝土浇筑作业，机械噪声严重影响周边居民休息。",
     "执法部门责令施工单位停止夜间违规施工，确需连续作业的须办理审批并公告"},
    {"G0304", I_, A_URBAN, S_SUMMER, P_NONE, G1, LV, 18, 0, 0, NULL,
     "{EST}广场舞音响声音过大",
     "{ADDR}小区广场每晚有广场舞团队使用大功率音响，音量过大且持续至21时30分以后，影响居民休息及学生学习。",
     "社区协调广场舞团队调低音量、缩短活动时间，并配备定向音响"},
    {"G0304", I_, A_URBAN, S_SUMMER, P_NONE, G1, LT, 10, 0, 0, NULL,
     "{SHOP}夜间经营噪声扰民",
     "{ADDR}{SHOP}每晚经营至凌晨，食客喧哗、音响声音较大，影响楼上住户休息。",
     "已督促店主控制经营时间及音量，派出所加强夜间巡查"},
    {"G0305", I_, A_RURAL, S_BURN, P_NONE, G1, LV, 16, 0, 0, NULL,
     "{V}农田有农户露天焚烧秸秆",
     "{ADDR}农田有农户露天焚烧秸秆，浓烟弥漫，影响周边道路交通和居民生活。",
     "已现场扑灭火源并对农户进行宣传教育，推广秸秆综合利用"},
    {"G0305", I_, A_URBAN, S_NONE, P_NONE, G1, LT, 10, 0, 0, NULL,
     "{SHOP}餐饮油烟直排扰民",
     "{ADDR}{SHOP}未安装油烟净化设施，油烟直接排向居民楼，住户长期不敢开窗。",
     "已督促餐饮店安装油烟净化设施并定期清洗"},
    {"G0306", I_, A_URBAN, S_SUMMER, P_NONE, G1, LV, 8, 0, 0, NULL,
     "{EST}卫生死角老鼠出没",
     "{ADDR}地下车库及绿化带积存大量垃圾，卫生死角多，近期老鼠频繁出没。",
     "已清理卫生死角并投放鼠药，加强日常保洁"},
    /* G04 治安秩序 */
    {"G0401", I_, A_ANY, S_NONE, P_NONE, G2, LT, 12, 0, 0, NULL,
     "{EST}近期多起电动车电瓶被盗",
     "{ADDR}近一周内接连发生{K}起电动车电瓶被盗事件，群众担心财产安全，要求加强巡逻防范。",
     "派出所加强夜间巡逻，小区补装监控探头，已抓获作案嫌疑人"},
    {"G0402", I_, A_URBAN, S_SUMMER, P_NONE, G1, LT, 18, 0, 0, NULL,
     "{ROAD}流动摊贩占道经营",
     "{ROAD}学校门口放学时段聚集大量流动摊贩占道经营，造成交通拥堵，且食品卫生无保障。",
     "综合执法部门开展集中整治，引导摊贩入驻便民疏导点"},
    {"G0403", I_, A_URBAN, S_NONE, P_NONE, G1, LV, 18, 0, 0, NULL,
     "{EST}消防通道被车辆长期占用",
     "{ADDR}小区消防通道长期被私家车占用，其中一辆车停放超过{D}天，影响消防车通行。",
     "已张贴告知书并联系车主移车，物业施划消防通道禁停标线"},
    {"G0403", I_, A_URBAN, S_NONE, P_NONE, G1, LT, 8, 0, 0, NULL,
     "{ROAD}僵尸车长期占用停车位",
     "{ROAD}路边一辆无牌轿车停放已超过半年，车身积满灰尘，轮胎漏气，占用公共停车位。",
     "已张贴限期移车公告，逾期由执法部门依法拖移"},
    {"G0404", I_, A_ANY, S_WINTER, P_NONE, G2, LT, 6, 0, 0, NULL,
     "{V}一处出租屋疑似聚众赌博",
     "{ADDR}一处出租屋夜间经常有十余人聚集，进出人员复杂，疑似聚众赌博。",
     "派出所已依法查处，收缴赌资赌具"},
    {"G0404", I_, A_URBAN, S_NONE, P_NONE, G1, LV, 8, 0, 0, NULL,
     "{EST}楼道乱贴小广告",
     "{ADDR}各单元楼道墙面、电梯内被大量张贴开锁、疏通管道等小广告，影响小区环境。",
     "已组织清理，综合执法部门对广告上的号码进行追查"},
    {"G0405", I_, A_URBAN, S_WINTER, P_NONE, G1, LT, 6, 0, 0, NULL,
     "{ROAD}桥洞下有流浪人员露宿",
     "{ROAD}桥洞下有一名流浪人员长期露宿，天气转冷，存在冻伤风险。",
     "救助管理站工作人员已将其护送至救助站，并联系其家属接回"},
    {"G0406", I_, A_URBAN, S_NONE, P_NONE, G1, LV, 10, 0, 0, NULL,
     "{EST}居民遛狗不牵绳",
     "{ADDR}部分居民遛狗不牵绳、不清理犬只粪便，已发生犬只扑咬儿童事件，居民意见较大。",
     "公安会同社区开展文明养犬宣传，对违规养犬人进行劝导"},
    {"G0406", I_, A_RURAL, S_NONE, P_NONE, G1, LT, 6, 0, 0, NULL,
     "{V}流浪狗聚集伤人",
     "{ADDR}近期有多只流浪狗聚集，已咬伤一名放学儿童，村民出行担心安全。",
     "已捕捉流浪犬送至收容中心，伤者已注射狂犬疫苗"},
    /* G05 民生诉求 */
    {"G0501", R_, A_ANY, S_NONE, P_ONE, G1, LV, 16, 0, 0, NULL,
     "{A}咨询低保申请条件",
     "{A}反映，其家庭因丈夫患病收入减少，咨询最低生活保障申请条件及办理流程。",
     "已告知申请条件及所需材料，由村（社区）代办提交申请"},
    {"G0501", R_, A_ANY, S_WINTER, P_ONE, G2, LT, 8, 2000, 8000, NULL,
     "{A}申请临时救助",
     "{A}反映，其家中突发火灾，房屋部分烧毁，生活陷入困难，申请临时救助。",
     "经入户核实，已发放临时救助金{AMT}"},
    {"G0502", R_, A_ANY, S_NONE, P_ONE, G1, LT, 8, 0, 0, NULL,
     "{A}咨询灵活就业人员社保缴纳",
     "{A}反映，其从企业离职后从事网约车工作，咨询以灵活就业人员身份续缴养老保险和医疗保险的办法。",
     "已告知办理渠道，指导其通过“浙里办”完成参保登记"},
    {"G0503", R_, A_ANY, S_SCHOOL, P_ONE, G2, LC, 10, 0, 0, NULL,
     "{A}反映孩子入学学位问题",
     "{A}反映，其为新居民，在本地务工满{Y}年并缴纳社保，孩子今年小学入学，积分排名靠后未被安排学位，请求协调。",
     "教育部门统筹调剂，已安排至{T}中心小学就读"},
    {"G0504", R_, A_ANY, S_NONE, P_ONE, G1, LT, 6, 0, 0, NULL,
     "{A}反映家庭医生签约服务不到位",
     "{A}反映，其父亲签约家庭医生后，慢病配药仍需到卫生院排队，签约医生从未上门随访。",
     "卫健部门督促卫生院落实家庭医生上门随访，开通慢病长处方"},
    {"G0505", I_, A_URBAN, S_SUMMER, P_NONE, G1, LV, 10, 0, 0, NULL,
     "{EST}电梯困人",
     "{ADDR}电梯运行中突然停止，有{K}名居民被困，拨打物业电话十余分钟无人接听。",
     "电梯维保单位到场解救被困人员，完成故障排查"},
    {"G0505", R_, A_URBAN, S_NONE, P_ONE, G1, LV, 10, 0, 0, NULL,
     "{EST}小区门禁系统损坏",
     "{ADDR}业主{A}反映，小区门禁系统损坏近一个月，外来人员随意进出，物业迟迟不修。",
     "物业公司已更换门禁主机，恢复正常使用"},
    {"G0506", R_, A_ANY, S_NONE, P_ONE, G1, LV, 10, 0, 0, NULL,
     "独居老人{A}申请居家养老上门服务",
     "{ADDR}独居老人{A}，{AGE}岁，行动不便，申请居家养老助餐及上门服务。",
     "已纳入居家养老服务对象，每日由助餐点送餐上门"},
    /* G06 城乡建设 */
    {"G0601", I_, A_ANY, S_NONE, P_NONE, G2, LT, 22, 0, 0, NULL,
     "{V}有住户在屋顶违规搭建彩钢棚",
     "{ADDR}一户住户在屋顶违规搭建彩钢棚约{K}0平方米，正在施工中。",
     "综合执法队员现场制止并送达责令限期拆除通知书，违建已拆除完毕"},
    {"G0602", I_, A_URBAN, S_NONE, P_NONE, G1, LV, 8, 0, 0, NULL,
     "{EST}居民毁绿种菜",
     "{ADDR}公共绿化带被部分居民铲除改种蔬菜，并浇灌粪水，异味较大。",
     "社区劝导居民清除菜地，已恢复绿化"},
    {"G0603", I_, A_URBAN, S_NONE, P_NONE, G2, LC, 6, 0, 0, NULL,
     "{EST}住户装修拆除承重墙",
     "{ADDR}住户装修时拆除室内承重墙，楼上楼下住户担心房屋结构安全。",
     "住建部门责令停工并委托安全鉴定，住户已按方案加固恢复"},
    {"G0604", I_, A_URBAN, S_NONE, P_NONE, G1, LT, 8, 0, 0, "建设工程",
     "{ORG}工地围挡破损扬尘污染",
     "{ADDR}{ORG}施工工地围挡破损，土方裸露未覆盖，车辆带泥上路，扬尘污染严重。",
     "已责令施工单位修复围挡、覆盖裸土并设置洗车平台"},
    {"G0605", I_, A_RURAL, S_NONE, P_ONE, G2, LT, 14, 0, 0, NULL,
     "{V}村民未批先建农房",
     "{ADDR}村民{A}在未取得农村宅基地批准书和乡村建设规划许可证的情况下，擅自开挖地基建房。",
     "已责令停止建设，指导其依法补办审批手续"},
    /* G07 市场监管 */
    {"G0701", I_, A_ANY, S_SUMMER, P_NONE, G2, LT, 12, 0, 0, NULL,
     "{SHOP}后厨卫生条件差",
     "群众反映{ADDR}{SHOP}后厨脏乱，餐具未消毒，从业人员无健康证，有顾客就餐后出现腹泻症状。",
     "市场监管所现场检查并责令整改，依法立案查处"},
    {"G0702", I_, A_ANY, S_NONE, P_NONE, G1, LT, 8, 0, 0, NULL,
     "{ROAD}一处无证食品小作坊",
     "{ROAD}附近一处民房内有人无证加工豆制品，环境脏乱，产品供应周边菜场。",
     "市场监管部门依法取缔无证作坊"},
    {"G0703", I_, A_ANY, S_NONE, P_NONE, G1, LT, 8, 0, 0, NULL,
     "{T}农贸市场有摊位缺斤短两",
     "群众反映{T}农贸市场部分水产摊位存在缺斤短两问题，复秤后相差近二两。",
     "已对问题摊位电子秤进行检定，对经营户立案调查"},
    {"G0704", I_, A_URBAN, S_NONE, P_NONE, G2, LC, 4, 0, 0, NULL,
     "{EST}电梯超期未检",
     "{ADDR}电梯内张贴的检验合格证已过期{M}个月，物业未按期申请定期检验。",
     "市场监管部门责令物业停用并申请检验，检验合格后恢复使用"},
    {"G0705", I_, A_ANY, S_SCHOOL, P_NONE, G1, LT, 6, 0, 0, NULL,
     "{T}中心学校周边小卖部销售三无食品",
     "{T}中心学校周边两家小卖部销售无生产日期、无厂名厂址的辣条等食品。",
     "市场监管所已下架并没收三无食品，对经营户批评教育"},
    /* G08 矛盾纠纷排查 */
    {"G0801", I_, A_ANY, S_FAMILY, P_PP, G2, LV, 14, 0, 0, NULL,
     "走访发现{A}家庭矛盾突出",
     "网格员入户走访发现，{ADDR}{A}夫妻因家庭琐事长期争吵，近期其丈夫{B}酒后砸毁家中物品，存在家暴风险。",
     "联合妇联、派出所上门劝导，{B}出具保证书，列入重点关注家庭定期回访"},
    {"G0802", I_, A_ANY, S_SUMMER, P_PP, G1, LV, 16, 0, 0, NULL,
     "排查发现{A}与{B}因邻里琐事积怨",
     "网格员排查发现，{ADDR}{A}与{B}两家因宅前屋后晾晒、停车等琐事积怨已久，近日发生争吵，有激化苗头。",
     "已组织双方调解，矛盾化解，网格员持续关注"},
    {"G0803", I_, A_ANY, S_WAGE, P_NONE, G2, LT, 14, 0, 0, "纺织",
     "排查发现企业拖欠员工工资",
     "网格员走访发现，{ORG}近{M}个月未足额发放工资，员工情绪不稳，有集体讨薪苗头。",
     "已报人社部门提前介入，督促企业制定工资支付计划并按期兑现"},
    {"G0804", I_, A_RURAL, S_NONE, P_PP, G2, LV, 8, 0, 0, NULL,
     "排查发现{A}与{B}因林地边界存在矛盾",
     "网格员排查发现，{V}村民{A}与{B}对两家交界处林地权属各执一词，已发生过口角。",
     "村调委会组织双方对照林权证现场确认边界，矛盾已化解"},
    {"G0805", I_, A_URBAN, S_NONE, P_NONE, G2, LT, 6, 0, 0, "物业服务",
     "排查发现{EST}业委会与物业矛盾激化",
     "网格员排查发现，{EST}业委会拟解聘{ORG}，物业拒不退出并停止部分服务，业主分成两派，矛盾有激化趋势。",
     "街道指导召开业主大会依法表决，物业交接工作平稳完成"},
    {"G0806", I_, A_ANY, S_NONE, P_NONE, G3, LC, 6, 0, 0, NULL,
     "排查发现{N}名群众拟集体上访",
     "网格员获悉，{ADDR}{N}名群众因{ISSUE}问题在微信群内串联，准备近日到市里集体上访。",
     "属地领导包案约谈群众代表，做好政策解释，群众情绪已稳定"},
    /* G09 特殊人群 */
    {"G0901", I_, A_ANY, S_NONE, P_ONE, G2, LT, 6, 0, 0, NULL,
     "社区矫正对象{A}定位异常",
     "司法所监管平台发现社区矫正对象{A}手机定位连续两日在县域外，未履行请假手续，电话无法接通。",
     "司法所联系{A}及时返回，对其予以训诫并加强监管"},
    {"G0902", I_, A_ANY, S_NONE, P_ONE, G1, LT, 4, 0, 0, NULL,
     "刑满释放人员{A}需落实安置帮教",
     "{A}于近期刑满释放回到户籍地，无稳定收入来源，需落实安置帮教措施。",
     "司法所建立帮教小组，协调企业为其提供就业岗位"},
    {"G0903", I_, A_ANY, S_NONE, P_ONE, G2, LT, 8, 0, 0, NULL,
     "严重精神障碍患者{A}近期病情不稳",
     "网格员走访发现，登记在册的严重精神障碍患者{A}近期未按时服药，出现夜间吵闹、砸物等行为，家属看护能力不足。",
     "已协调卫生院医生上门随访，落实监护人以奖代补，必要时送医治疗"},
    {"G0904", I_, A_ANY, S_NONE, P_ONE, G1, LT, 3, 0, 0, NULL,
     "社区康复人员{A}未按期尿检",
     "网格员核查发现，社区康复人员{A}本月未按规定到派出所进行尿检，电话联系不上。",
     "派出所找到{A}并完成检测，结果阴性，已加强管控"},
    {"G0905", I_, A_ANY, S_SUMMER, P_NONE, G1, LT, 4, 0, 0, NULL,
     "发现{K}名辍学青少年常在网吧逗留",
     "网格员发现，{K}名未成年人工作日白天常在{ROAD}附近网吧逗留，疑似辍学。",
     "教育部门联系学校及家长做好劝返复学，公安对网吧违规接纳未成年人问题依法查处"},
    {"G0906", I_, A_RURAL, S_WINTER, P_ONE, G1, LV, 10, 0, 0, NULL,
     "走访发现独居老人{A}无人照料",
     "{ADDR}独居老人{A}，{AGE}岁，子女均在外地，近日走访发现其行动不便、家中无人照料。",
     "已联系其子女，纳入居家养老服务，每周安排志愿者上门探望"},
};
/* clang-format on */

static const char *const group_issues[] = {"征迁补偿", "欠薪",       "理财产品兑付",
                                           "物业收费", "征地款分配", "学区调整"};
static const char *const shop_kinds[] = {"面馆",   "小吃店", "烧烤店", "快餐店", "超市", "便利店",
                                         "水果店", "火锅店", "棋牌室", "理发店", "饭店", "夜宵店"};
static const char *const org_brands[] = {"恒达", "鑫源", "宏远", "金诚", "华越", "永盛", "天成",
                                         "瑞丰", "联创", "兴旺", "佳和", "中泰", "新盛", "汇通",
                                         "东盛", "博远", "正泰", "惠民", "嘉禾", "森达"};

/* ---------- the build's state ---------- */

struct resp_cache {
    char category[8];
    int level;
    int lead; /* kind index, -1 unknown */
    int assist[6], nassist;
};

struct demo {
    struct fq_domain *d;
    const struct demo_opts *o;
    struct fq_error *e;
    struct rng r;
    int64_t now;
    char pw_hash[128];

    struct dm_city city;
    struct dm_county *counties;
    int ncounties;
    struct dm_town *towns;
    int ntowns;
    struct dm_village *villages;
    int nvillages, capvillages;
    struct dm_grid *grids;
    int ngrids, capgrids;

    struct resp_cache *resp;
    int nresp, capresp;

    long nusers, ndepartments;
    long cases_done, cases_total;
    json_t *surges;
};

static void progress(struct demo *dm, const char *stage, long done, long total)
{
    if (dm->o->progress)
        dm->o->progress(stage, done, total, dm->o->progress_arg);
}

static int fail(struct demo *dm, int rc, const char *what)
{
    if (dm->e && !dm->e->status)
        fq_fail(dm->e, rc, "demo", "", "demo: %s failed (%s)", what, fq_strerror(rc));
    return rc;
}

/* ---------- geography ---------- */

static int name_taken(struct demo *dm, int from, const char *name)
{
    for (int i = from; i < dm->nvillages; i++)
        if (!strcmp(dm->villages[i].name, name))
            return 1;
    return 0;
}

static void village_name(struct demo *dm, int county_first, int community, char *out, size_t cap)
{
    struct rng *r = &dm->r;
    for (int attempt = 0;; attempt++) {
        if (community) {
            fmt(out, cap, "%s社区", PICK(r, community_prefixes));
        } else {
            switch (rng_int(r, 4)) {
            case 0:
                fmt(out, cap, "%s家村", PICK(r, surnames));
                break;
            case 1:
                fmt(out, cap, "%s%s村", PICK(r, village_positions), PICK(r, surnames));
                break;
            case 2:
                fmt(out, cap, "%s家%s村", PICK(r, surnames), PICK(r, village_features));
                break;
            default:
                fmt(out, cap, "%s%s村", PICK(r, nature_first), PICK(r, nature_second));
                break;
            }
        }
        if (!name_taken(dm, county_first, out))
            return;
        if (attempt > 50) { /* a crowded county: number it */
            char base[40];
            utf8_copy(base, sizeof base, out);
            fmt(out, cap, "%.*s%d%s", (int)(strlen(base) - (community ? 6 : 3)), base, attempt,
                community ? "社区" : "村");
            return;
        }
    }
}

static double jitter(struct rng *r, double span)
{
    return (rng_unit(r) * 2 - 1) * span;
}

/* Corner (row, col) of a village's grid lattice: shared by neighbouring cells so the grids tile
 * the village without gaps; jittered deterministically so they do not look ruled. */
static void lattice_point(int village, int row, int col, double cell, double lat0, double lon0,
                          double *lat, double *lon)
{
    struct rng r = rng_seeded((uint64_t)village * 7919 + (uint64_t)row * 131, (uint64_t)col);
    *lat = lat0 + row * cell + jitter(&r, cell * 0.22);
    *lon = lon0 + col * cell * 1.15 + jitter(&r, cell * 0.25);
}

static int grid_rows(struct demo *dm, struct store_tx *tx, int v)
{
    struct dm_village *vil = &dm->villages[v];
    int n = vil->ngrids;
    int cols = (int)ceil(sqrt((double)n)), rows = (n + cols - 1) / cols;
    double cell = vil->community ? 0.0032 : 0.0065;
    double lat0 = vil->lat - rows * cell / 2, lon0 = vil->lon - cols * cell * 1.15 / 2;
    for (int i = 0; i < n; i++) {
        struct dm_grid *g = &dm->grids[vil->first_grid + i];
        int row = i / cols, col = i % cols;
        double la[4], lo[4];
        lattice_point(v, row, col, cell, lat0, lon0, &la[0], &lo[0]);
        lattice_point(v, row, col + 1, cell, lat0, lon0, &la[1], &lo[1]);
        lattice_point(v, row + 1, col + 1, cell, lat0, lon0, &la[2], &lo[2]);
        lattice_point(v, row + 1, col, cell, lat0, lon0, &la[3], &lo[3]);
        char poly[512], name[64];
        fmt(poly, sizeof poly,
            "{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],"
            "[%.6f,%.6f],[%.6f,%.6f]]]}",
            lo[0], la[0], lo[1], la[1], lo[2], la[2], lo[3], la[3], lo[0], la[0]);
        g->lat = (la[0] + la[1] + la[2] + la[3]) / 4;
        g->lon = (lo[0] + lo[1] + lo[2] + lo[3]) / 4;
        fmt(name, sizeof name, "%s第%s网格", vil->name, cn_numerals[i % COUNT(cn_numerals)]);
        int households =
            (int)rng_range(&dm->r, vil->community ? 260 : 150, vil->community ? 600 : 380);
        int rc =
            store_tx_grid_insert(tx, g->code, name, vil->code, poly, households, g->lat, g->lon);
        if (rc)
            return fail(dm, rc, "grid insert");
    }
    return 0;
}

static int add_village(struct demo *dm, int t, int community, int seq)
{
    if (dm->nvillages == dm->capvillages) {
        int cap = dm->capvillages ? dm->capvillages * 2 : 256;
        void *p = realloc(dm->villages, (size_t)cap * sizeof *dm->villages);
        if (!p)
            return FQ_ENOMEM;
        dm->villages = p;
        dm->capvillages = cap;
    }
    struct dm_town *town = &dm->towns[t];
    struct dm_village *v = &dm->villages[dm->nvillages];
    memset(v, 0, sizeof *v);
    fmt(v->code, sizeof v->code, "%.9s%03d", town->code, seq);
    v->town = t;
    v->community = community;
    village_name(dm, dm->counties[town->county].first_village, community, v->name, sizeof v->name);
    double spread = town->type == 0 ? 0.018 : 0.045;
    v->lat = town->lat + jitter(&dm->r, spread);
    v->lon = town->lon + jitter(&dm->r, spread * 1.15);
    v->ngrids = community ? (int)rng_range(&dm->r, 4, 8) : (int)rng_range(&dm->r, 3, 5);
    v->first_grid = dm->ngrids;
    if (dm->ngrids + v->ngrids > dm->capgrids) {
        int cap = dm->capgrids ? dm->capgrids * 2 : 1024;
        void *p = realloc(dm->grids, (size_t)cap * sizeof *dm->grids);
        if (!p)
            return FQ_ENOMEM;
        dm->grids = p;
        dm->capgrids = cap;
    }
    for (int i = 0; i < v->ngrids; i++) {
        struct dm_grid *g = &dm->grids[dm->ngrids++];
        memset(g, 0, sizeof *g);
        fmt(g->code, sizeof g->code, "%s%03d", v->code, i + 1);
        g->village = dm->nvillages;
    }
    dm->nvillages++;
    return 0;
}

/* A division and its 综治中心 (every level from city to village has one). */
static int add_division(struct store_tx *tx, const char *code, const char *name, int level,
                        const char *parent)
{
    char centre[160], address[160], phone[20];
    int rc = store_tx_division_insert(tx, code, name, level, parent);
    if (rc)
        return rc;
    snprintf(centre, sizeof centre, "%s%s", name, level <= LEVEL_COUNTY ? "社会治安综合治理中心" : "综治中心");
    snprintf(address, sizeof address, "%s%s", name, level <= LEVEL_TOWNSHIP ? "政务服务中心一楼" : "党群服务中心");
    snprintf(phone, sizeof phone, "0575-8%.7s", code + 2);
    return store_tx_centre_insert(tx, code, centre, level, address, phone);
}

static int build_divisions(struct demo *dm, struct store_tx *tx)
{
    int rc;
    int ntowns = 0;
    for (int c = 0; c < dm->ncounties; c++)
        for (int t = 0; t < 10 && county_defs[c].towns[t]; t++)
            ntowns++;
    dm->counties = calloc((size_t)dm->ncounties, sizeof *dm->counties);
    dm->towns = calloc((size_t)ntowns, sizeof *dm->towns);
    if (!dm->counties || !dm->towns)
        return fail(dm, FQ_ENOMEM, "allocation");
    if ((rc = add_division(tx, CITY_CODE, CITY_NAME, LEVEL_CITY, "")))
        return fail(dm, rc, "division insert");
    for (int c = 0; c < dm->ncounties; c++) {
        struct dm_county *co = &dm->counties[c];
        co->def = &county_defs[c];
        fmt(co->code, sizeof co->code, "%s000000", co->def->code6);
        if ((rc = add_division(tx, co->code, co->def->name, LEVEL_COUNTY, CITY_CODE)))
            return fail(dm, rc, "division insert");
        co->first_town = dm->ntowns;
        co->first_village = dm->nvillages;
        for (int t = 0; t < 10 && co->def->towns[t]; t++) {
            struct dm_town *town = &dm->towns[dm->ntowns];
            const char *spec = co->def->towns[t];
            int tcode = atoi(spec);
            fmt(town->code, sizeof town->code, "%s%03d000", co->def->code6, tcode);
            fmt(town->name, sizeof town->name, "%s", spec + 3);
            town->type = tcode < 100 ? 0 : tcode < 200 ? 1 : 2;
            size_t suffix = town->type == 0 ? strlen("街道") : strlen("镇");
            fmt(town->short_name, sizeof town->short_name, "%.*s",
                (int)(strlen(town->name) - suffix), town->name);
            town->county = c;
            double radius = town->type == 0 ? 0.05 : 0.16;
            town->lat = co->def->lat + jitter(&dm->r, radius);
            town->lon = co->def->lon + jitter(&dm->r, radius * 1.15);
            if ((rc = add_division(tx, town->code, town->name, LEVEL_TOWNSHIP,
                                               co->code)))
                return fail(dm, rc, "division insert");
            /* 街道 are mostly 社区, 镇 mostly 村, 乡 almost all 村 */
            int ncomm = town->type == 0   ? (int)rng_range(&dm->r, 6, 12)
                        : town->type == 1 ? (int)rng_range(&dm->r, 1, 3)
                                          : 1;
            int nvill = town->type == 0   ? (int)rng_range(&dm->r, 0, 3)
                        : town->type == 1 ? (int)rng_range(&dm->r, 7, 12)
                                          : (int)rng_range(&dm->r, 5, 9);
            for (int i = 0; i < ncomm + nvill; i++) {
                int community = i < ncomm;
                if ((rc = add_village(dm, dm->ntowns, community,
                                      community ? i + 1 : 200 + i - ncomm + 1)))
                    return fail(dm, rc, "allocation");
            }
            dm->ntowns++;
            co->ntowns++;
        }
        co->nvillages = dm->nvillages - co->first_village;
    }
    for (int v = 0; v < dm->nvillages; v++) {
        struct dm_village *vil = &dm->villages[v];
        const char *parent = dm->towns[vil->town].code;
        if ((rc = add_division(tx, vil->code, vil->name, LEVEL_VILLAGE, parent)))
            return fail(dm, rc, "division insert");
        if ((rc = grid_rows(dm, tx, v)))
            return rc;
        if (v % 64 == 0)
            progress(dm, "divisions", v, dm->nvillages);
    }
    progress(dm, "divisions", dm->nvillages, dm->nvillages);
    return 0;
}

/* ---------- centres and departments ---------- */

static int add_department(struct demo *dm, struct store_tx *tx, int k, const char *name,
                          const char *division, int level, int presence, int64_t *id)
{
    struct fq_department dep;
    memset(&dep, 0, sizeof dep);
    fmt(dep.kind, sizeof dep.kind, "%s", kind_keys[k]);
    utf8_copy(dep.name, sizeof dep.name, name);
    fmt(dep.division, sizeof dep.division, "%s", division);
    dep.level = level;
    dep.presence = presence;
    int rc = store_tx_department_insert(tx, &dep);
    if (rc)
        return fail(dm, rc, "department insert");
    *id = dep.id;
    dm->ndepartments++;
    return 0;
}

static int build_departments(struct demo *dm, struct store_tx *tx)
{
    char name[96];
    int rc;
    for (int k = 0; k < K__COUNT; k++) {
        if (k == K_COMMUNITY)
            continue;
        city_dept_name(k, name, sizeof name);
        if ((rc = add_department(dm, tx, k, name, CITY_CODE, LEVEL_CITY, county_presence[k],
                                 &dm->city.dept[k])))
            return rc;
    }
    for (int c = 0; c < dm->ncounties; c++) {
        struct dm_county *co = &dm->counties[c];
        for (int k = 0; k < K__COUNT; k++) {
            if (county_presence[k] < 0)
                continue;
            county_dept_name(co->def, k, name, sizeof name);
            if ((rc = add_department(dm, tx, k, name, co->code, LEVEL_COUNTY, county_presence[k],
                                     &co->dept[k])))
                return rc;
        }
    }
    for (int t = 0; t < dm->ntowns; t++) {
        struct dm_town *town = &dm->towns[t];
        for (int k = 0; k < K__COUNT; k++) {
            if (town_presence[k] < 0)
                continue;
            town_dept_name(town->name, town->short_name, k, name, sizeof name);
            if ((rc = add_department(dm, tx, k, name, town->code, LEVEL_TOWNSHIP, town_presence[k],
                                     &town->dept[k])))
                return rc;
        }
    }
    for (int v = 0; v < dm->nvillages; v++) {
        struct dm_village *vil = &dm->villages[v];
        fmt(name, sizeof name, "%s%s", vil->name, vil->community ? "居民委员会" : "村民委员会");
        if ((rc = add_department(dm, tx, K_COMMUNITY, name, vil->code, LEVEL_VILLAGE,
                                 PRESENCE_RESIDENT, &vil->dept)))
            return rc;
    }
    progress(dm, "departments", dm->ndepartments, dm->ndepartments);
    return 0;
}

/* ---------- accounts ---------- */

static int add_user(struct demo *dm, struct store_tx *tx, const char *username, const char *display,
                    unsigned roles, const char *division, int64_t department, int64_t *id)
{
    struct fq_user u;
    memset(&u, 0, sizeof u);
    fmt(u.username, sizeof u.username, "%s", username);
    utf8_copy(u.display_name, sizeof u.display_name, display);
    memcpy(u.pw_hash, dm->pw_hash, sizeof u.pw_hash);
    u.roles = roles;
    fmt(u.division, sizeof u.division, "%s", division);
    u.department_id = department;
    u.created_at = dm->now - 400 * FQ_DAY_MS;
    int rc = store_tx_user_insert(tx, &u);
    if (rc)
        return fail(dm, rc, "user insert");
    if (id)
        *id = u.id;
    dm->nusers++;
    return 0;
}

#define R(role) (1u << (role))

static int build_users(struct demo *dm, struct store_tx *tx)
{
    char un[64], disp[96], person[32];
    int male, rc;
    if ((rc = add_user(dm, tx, "admin", "系统管理员", R(ROLE_ADMIN), CITY_CODE, 0, NULL)) ||
        (rc = add_user(dm, tx, "city.leader", CITY_NAME "委政法委领导",
                       R(ROLE_LEADER) | R(ROLE_SUPERVISOR), CITY_CODE, 0, &dm->city.leader)) ||
        (rc = add_user(dm, tx, "city.supervisor", CITY_NAME "综治中心督办员", R(ROLE_SUPERVISOR),
                       CITY_CODE, 0, &dm->city.supervisor)) ||
        (rc = add_user(dm, tx, "city.dispatcher", CITY_NAME "综治中心调度员", R(ROLE_DISPATCHER),
                       CITY_CODE, 0, &dm->city.dispatcher)))
        return rc;
    for (int k = 0; k < K_COMMUNITY; k++) {
        if (county_presence[k] != PRESENCE_RESIDENT)
            continue;
        char dname[96];
        city_dept_name(k, dname, sizeof dname);
        fmt(un, sizeof un, "city.handler.%s", kind_keys[k]);
        fmt(disp, sizeof disp, "%s承办人", dname);
        if ((rc = add_user(dm, tx, un, disp, R(ROLE_HANDLER), CITY_CODE, dm->city.dept[k],
                           &dm->city.handler[k])))
            return rc;
    }
    for (int c = 0; c < dm->ncounties; c++) {
        struct dm_county *co = &dm->counties[c];
        const char *cn = co->def->name;
        static const struct {
            const char *suffix, *label;
            int role;
        } staff[] = {{"dispatcher", "综治中心调度员", ROLE_DISPATCHER},
                     {"clerk", "综治中心受理员", ROLE_CLERK},
                     {"supervisor", "综治中心督办员", ROLE_SUPERVISOR},
                     {"leader", "委政法委领导", ROLE_LEADER}};
        int64_t *ids[] = {&co->dispatcher, &co->clerk, &co->supervisor, &co->leader};
        for (int i = 0; i < COUNT(staff); i++) {
            fmt(un, sizeof un, "county%d.%s", c + 1, staff[i].suffix);
            fmt(disp, sizeof disp, "%s%s", cn, staff[i].label);
            unsigned roles =
                R(staff[i].role) | (staff[i].role == ROLE_LEADER ? R(ROLE_SUPERVISOR) : 0);
            if ((rc = add_user(dm, tx, un, disp, roles, co->code, 0, ids[i])))
                return rc;
        }
        for (int k = 0; k < K__COUNT; k++) {
            if (!co->dept[k])
                continue;
            char dname[96];
            county_dept_name(co->def, k, dname, sizeof dname);
            fmt(un, sizeof un, "county%d.handler.%s", c + 1, kind_keys[k]);
            fmt(disp, sizeof disp, "%s承办人", dname);
            if ((rc = add_user(dm, tx, un, disp, R(ROLE_HANDLER), co->code, co->dept[k],
                               &co->handler[k])))
                return rc;
        }
        for (int i = 0; i < 2; i++) {
            person_name(&dm->r, person, sizeof person, &male, NULL);
            fmt(co->mediator_name[i], sizeof co->mediator_name[i], "%s", person);
            fmt(un, sizeof un, "county%d.mediator%d", c + 1, i + 1);
            fmt(disp, sizeof disp, "%s（%s矛调中心调解员）", person, cn);
            if ((rc = add_user(dm, tx, un, disp, R(ROLE_MEDIATOR), co->code, 0, &co->mediator[i])))
                return rc;
        }
    }
    for (int t = 0; t < dm->ntowns; t++) {
        struct dm_town *town = &dm->towns[t];
        fmt(un, sizeof un, "town%02d.dispatcher", t + 1);
        fmt(disp, sizeof disp, "%s综治中心调度员", town->name);
        if ((rc = add_user(dm, tx, un, disp, R(ROLE_DISPATCHER), town->code, 0, &town->dispatcher)))
            return rc;
        fmt(un, sizeof un, "town%02d.clerk", t + 1);
        fmt(disp, sizeof disp, "%s综治中心受理员", town->name);
        if ((rc = add_user(dm, tx, un, disp, R(ROLE_CLERK), town->code, 0, &town->clerk)))
            return rc;
        fmt(un, sizeof un, "town%02d.handler.justice", t + 1);
        fmt(disp, sizeof disp, "%s司法所承办人", town->short_name);
        if ((rc = add_user(dm, tx, un, disp, R(ROLE_HANDLER), town->code, town->dept[K_JUSTICE],
                           &town->handler_justice)))
            return rc;
        person_name(&dm->r, person, sizeof person, &male, NULL);
        fmt(town->mediator_name, sizeof town->mediator_name, "%s", person);
        fmt(un, sizeof un, "town%02d.mediator", t + 1);
        fmt(disp, sizeof disp, "%s（%s人民调解员）", person, town->name);
        if ((rc = add_user(dm, tx, un, disp, R(ROLE_MEDIATOR), town->code, 0, &town->mediator)))
            return rc;
        static const char *const studio_forms[] = {"“老娘舅”调解室", "和事佬调解室",
                                                   "红枫调解工作室", "乡贤调解室",
                                                   "“娘家人”调解室", "连心调解室"};
        const char *surname;
        person_name(&dm->r, person, sizeof person, &male, &surname);
        if (rng_chance(&dm->r, 0.4))
            fmt(town->studio, sizeof town->studio, "老%s调解工作室", surname);
        else
            fmt(town->studio, sizeof town->studio, "%s%s", town->short_name,
                PICK(&dm->r, studio_forms));
    }
    /* one grid worker per village, responsible for its first grid */
    for (int v = 0; v < dm->nvillages; v++) {
        struct dm_village *vil = &dm->villages[v];
        person_name(&dm->r, person, sizeof person, &male, NULL);
        fmt(vil->worker_name, sizeof vil->worker_name, "%s", person);
        fmt(un, sizeof un, "grid%04d", v + 1);
        fmt(disp, sizeof disp, "%s（%s网格员）", person, vil->name);
        if ((rc = add_user(dm, tx, un, disp, R(ROLE_GRID_WORKER), vil->code, 0, &vil->grid_worker)))
            return rc;
    }
    progress(dm, "users", dm->nusers, dm->nusers);
    return 0;
}

/* ---------- when and where cases happen ---------- */

/* 春节 (Spring Festival) dates: the year's biggest swing in dispute volume turns around them. */
static const char *const spring_festivals[] = {
    "2023-01-22", "2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06",
    "2028-01-26", "2029-02-13", "2030-02-03", "2031-01-23", "2032-02-11"};

/* Days from the nearest Spring Festival (negative before it). */
static int64_t days_from_festival(int64_t day)
{
    int64_t best = 1 << 30;
    for (int i = 0; i < COUNT(spring_festivals); i++) {
        int64_t sf;
        if (day_parse(spring_festivals[i], &sf))
            continue;
        if (llabs(day - sf) < llabs(best))
            best = day - sf;
    }
    return best;
}

static double season_factor(int season, int64_t day)
{
    int y, m, d;
    ymd_from_day(day, &y, &m, &d);
    double x = (double)days_from_festival(day);
    switch (season) {
    case S_WAGE: /* 年关讨薪: the month before the festival, a little at mid-year and year end */
        return 1 + 3.2 * exp(-pow((x + 18) / 16, 2)) + (m == 6 || m == 12 ? 0.4 : 0);
    case S_FAMILY: /* families meet over the holiday, and quarrel after it */
        return 1 + 1.8 * exp(-pow((x - 10) / 12, 2));
    case S_SUMMER:
        return m == 7 || m == 8 ? 2.2 : m == 6 || m == 9 ? 1.6 : m == 12 || m <= 2 ? 0.6 : 1;
    case S_RAIN: /* 梅汛期 and typhoons */
        return m >= 6 && m <= 9 ? 3.0 : m == 5 || m == 10 ? 1.2 : 0.3;
    case S_BURN: /* 夏收 and 秋收: straw burning */
        return (m == 5 && d >= 20) || m == 6 ? 3.0 : (m == 10 && d >= 10) || m == 11 ? 2.5 : 0.3;
    case S_SCHOOL:
        return m >= 6 && m <= 8 ? 2.5 : m == 9 ? 1.8 : 0.5;
    case S_WINTER:
        return m >= 11 || m <= 2 ? 1.8 : m >= 6 && m <= 8 ? 0.6 : 1;
    default:
        return 1;
    }
}

/* season_factor of every season on every day of the plan, computed once: each case draws its
 * matter from the weights of all templates on its day, and the factor is far dearer than that. */
struct seasons {
    int64_t first;
    int ndays;
    double *f; /* [day - first][season] */
};

static int seasons_make(struct seasons *ss, int64_t first, int ndays)
{
    ss->first = first;
    ss->ndays = ndays;
    ss->f = malloc((size_t)ndays * S__COUNT * sizeof *ss->f);
    if (!ss->f)
        return FQ_ENOMEM;
    for (int i = 0; i < ndays; i++)
        for (int k = 0; k < S__COUNT; k++)
            ss->f[i * S__COUNT + k] = season_factor(k, first + i);
    return 0;
}

static double season_on(const struct seasons *ss, int season, int64_t day)
{
    int64_t i = day - ss->first;
    return i >= 0 && i < ss->ndays ? ss->f[i * S__COUNT + season] : season_factor(season, day);
}

static int day_is_working(struct demo *dm, int64_t day)
{
    return calendar_is_working_day(dm->d->cal, day);
}

static double day_factor(struct demo *dm, int64_t day)
{
    if (day_is_working(dm, day))
        return 1.0;
    return llabs(days_from_festival(day)) <= 4 ? 0.3 : 0.55;
}

static int cat_is(const struct tpl *t, const char *prefix)
{
    return !strncmp(t->cat, prefix, strlen(prefix));
}

/* How likely a matter is to come in by a channel: police get fights and dogs, petitions get land
 * takings and lawsuits, grid workers find hazards. */
static double channel_affinity(const struct tpl *t, int ch)
{
    int matter = t->cat[0] == 'G';
    switch (ch) {
    case CH_GRID:
        return matter ? 3.0 : 0.45;
    case CH_HOTLINE:
        return t->kind == KIND_REQUEST ? 2.0 : matter ? 1.4 : 0.8;
    case CH_POLICE:
        return cat_is(t, "03") || cat_is(t, "0503") || cat_is(t, "0599") || cat_is(t, "0299") ||
                       cat_is(t, "0101") || cat_is(t, "G0401") || cat_is(t, "G0404") ||
                       cat_is(t, "G0406") || cat_is(t, "G0304")
                   ? 6.0
                   : 0.06;
    case CH_LETTERS:
        return cat_is(t, "11") || cat_is(t, "14") || cat_is(t, "15") || cat_is(t, "12") ||
                       cat_is(t, "07") || cat_is(t, "0802") || cat_is(t, "0403") ||
                       cat_is(t, "G0806")
                   ? 6.0
                   : 0.12;
    case CH_WINDOW:
        return t->kind == KIND_DISPUTE ? 2.0 : t->kind == KIND_REQUEST ? 1.5 : 0.25;
    case CH_PORTAL:
        return t->kind == KIND_REQUEST ? 1.5 : matter ? 1.2 : 0.7;
    case CH_API:
        return matter && t->kind == KIND_INCIDENT ? 2.0 : 0.15;
    }
    return 1;
}

static double area_factor(const struct tpl *t, int community)
{
    if (t->area == A_URBAN)
        return community ? 2.0 : 0.15;
    if (t->area == A_RURAL)
        return community ? 0.12 : 2.0;
    return 1.0;
}

/* Minutes after midnight a case comes in by a channel. */
static int arrival_minute(struct rng *r, int ch)
{
    switch (ch) {
    case CH_WINDOW:
    case CH_LETTERS:
        return rng_chance(r, 0.68) ? (int)rng_range(r, 510, 690) : (int)rng_range(r, 810, 1020);
    case CH_GRID:
        return rng_chance(r, 0.6) ? (int)rng_range(r, 480, 720) : (int)rng_range(r, 720, 1050);
    case CH_HOTLINE:
        return rng_chance(r, 0.86) ? (int)rng_range(r, 480, 1260)
                                   : (int)((rng_range(r, 1260, 1919)) % 1440);
    case CH_POLICE: {
        double p = rng_unit(r);
        return p < 0.5    ? (int)rng_range(r, 480, 1080)
               : p < 0.85 ? (int)rng_range(r, 1080, 1439)
                          : (int)rng_range(r, 0, 479);
    }
    case CH_PORTAL:
        return rng_chance(r, 0.8) ? (int)rng_range(r, 480, 1380) : (int)rng_range(r, 0, 479);
    default:
        return (int)rng_range(r, 0, 1439);
    }
}

/* The instant a member of staff gets to something that reached them at t: office hours
 * (08:30-17:30) on working days. */
static int64_t office_time(struct demo *dm, struct rng *r, int64_t t)
{
    int64_t day = day_of_ms(t), tod = t - ms_of_day(day);
    const int64_t open = 510 * MINUTE, close = 1050 * MINUTE;
    if (day_is_working(dm, day) && tod >= open && tod <= close)
        return t;
    if (day_is_working(dm, day) && tod < open)
        return ms_of_day(day) + open + rng_range(r, 0, 50) * MINUTE;
    do
        day++;
    while (!day_is_working(dm, day));
    return ms_of_day(day) + open + rng_range(r, 0, 90) * MINUTE;
}

/* F_SURGE: a planted surge's case (peak or precursor); F_THREAT: its description adds a threat;
 * F_LEAD: it comes from the surge's lead complainant (the same person each time) */
enum { F_FAST = 1, F_STUCK = 2, F_SURGE = 4, F_THREAT = 8, F_LEAD = 16 };

/* One case to generate. */
struct spec {
    int64_t t0;
    int grid;
    short tpl;
    signed char channel;
    signed char halt; /* stop once the case reaches this status; -1 none */
    unsigned char flags;
    int petition; /* index of a repeat petitioner, -1 none */
    int petition_round;
    uint64_t seed;
    uint64_t story; /* a planted surge's matter: shared place, company, respondent; 0 none */
    int people;     /* people_count when > 0 (planted surges) */
};

struct petitioner {
    int tpl, grid;
    uint64_t seed;
    int64_t last_case; /* id of the previous case, 0 before the first */
};

static int spec_cmp(const void *a, const void *b)
{
    const struct spec *x = a, *y = b;
    if (x->t0 != y->t0)
        return x->t0 < y->t0 ? -1 : 1;
    return x->seed < y->seed ? -1 : x->seed > y->seed;
}

static const double channel_shares[CH__COUNT] = {
    [CH_WINDOW] = 20, [CH_GRID] = 35,   [CH_HOTLINE] = 25, [CH_POLICE] = 8,
    [CH_PORTAL] = 7,  [CH_LETTERS] = 4, [CH_API] = 1};

static int pick_channel(struct demo *dm, struct rng *r, int64_t day)
{
    int ch = rng_weighted(r, channel_shares, CH__COUNT);
    /* windows and petition offices are on duty only at weekends */
    if ((ch == CH_WINDOW || ch == CH_LETTERS) && !day_is_working(dm, day) && rng_chance(r, 0.7))
        ch = rng_chance(r, 0.6) ? CH_HOTLINE : CH_GRID;
    return ch;
}

static int pick_grid(struct demo *dm, struct rng *r)
{
    double w[8];
    for (int c = 0; c < dm->ncounties; c++)
        w[c] = dm->counties[c].def->weight;
    struct dm_county *co = &dm->counties[rng_weighted(r, w, dm->ncounties)];
    /* villages in proportion to their grids, i.e. roughly their households */
    int first = dm->villages[co->first_village].first_grid;
    int last = co->first_village + co->nvillages - 1;
    int end = dm->villages[last].first_grid + dm->villages[last].ngrids;
    return first + rng_int(r, end - first);
}

static int pick_template(struct rng *r, const struct seasons *ss, int64_t day, int community,
                         int ch, double *w)
{
    for (int i = 0; i < COUNT(tpls); i++)
        w[i] = tpls[i].weight * season_on(ss, tpls[i].season, day) *
               area_factor(&tpls[i], community) * channel_affinity(&tpls[i], ch);
    return rng_weighted(r, w, COUNT(tpls));
}

static int find_template(const char *cat, const char *needle)
{
    for (int i = 0; i < COUNT(tpls); i++)
        if (!strcmp(tpls[i].cat, cat) && strstr(tpls[i].title, needle))
            return i;
    return -1;
}

/* A grid of a community (urban) or a village (rural) not used by an earlier surge. */
static int pick_grid_of(struct demo *dm, struct rng *r, int community, const int *taken, int ntaken)
{
    for (int attempt = 0; attempt < 400; attempt++) {
        struct dm_county *co = &dm->counties[rng_int(r, dm->ncounties)];
        int v = co->first_village + rng_int(r, co->nvillages), dup = 0;
        for (int i = 0; i < ntaken; i++)
            dup |= dm->grids[taken[i]].village == v;
        if (dm->villages[v].community == community && !dup)
            return dm->villages[v].first_grid + rng_int(r, dm->villages[v].ngrids);
    }
    return rng_int(r, dm->ngrids);
}

struct plan {
    struct spec *specs;
    int n, cap;
    struct petitioner *petitioners;
    int npetitioners;
};

static struct spec *plan_add(struct plan *p)
{
    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 1024;
        void *x = realloc(p->specs, (size_t)cap * sizeof *p->specs);
        if (!x)
            return NULL;
        p->specs = x;
        p->cap = cap;
    }
    struct spec *s = &p->specs[p->n++];
    memset(s, 0, sizeof *s);
    s->halt = -1;
    s->petition = -1;
    return s;
}

/* The peak of a surge: count cases of template tpl in grid over the days up to last_day, by day,
 * people calling from 07:30 to 21:30; *end receives the end of the window (at the latest an hour
 * before now). The specs are the last count of p. FQ_ENOMEM. */
static int plan_burst(struct demo *dm, struct plan *p, int grid, int tpl, int64_t last_day,
                      int days, int count, int64_t *end)
{
    static const double surge_channels[CH__COUNT] = {
        [CH_WINDOW] = 10, [CH_GRID] = 25, [CH_HOTLINE] = 50, [CH_PORTAL] = 15};
    struct rng *r = &dm->r;
    *end = ms_of_day(last_day) + 21 * FQ_HOUR_MS + 30 * MINUTE;
    /* (never true for a last_day before today, so the draws below do not depend on the time of
     * day: keep every surge's last day in the past, see the defs in plan_surges) */
    if (*end > dm->now - FQ_HOUR_MS)
        *end = dm->now - FQ_HOUR_MS;
    for (int k = 0; k < count; k++) {
        struct spec *s = plan_add(p);
        if (!s)
            return FQ_ENOMEM;
        int64_t day = last_day - rng_int(r, days);
        s->t0 = ms_of_day(day) + rng_range(r, 450, 1290) * MINUTE;
        if (s->t0 >= *end)
            s->t0 = *end - rng_range(r, 1, 600) * MINUTE;
        s->grid = grid;
        s->tpl = (short)tpl;
        s->channel = (signed char)rng_weighted(r, surge_channels, CH__COUNT);
        s->flags = F_SURGE;
        s->seed = rng_next(r);
    }
    return 0;
}

/* Surges for the early-warning evaluation (docs/WARNING.md "Simulated surges").
 *
 * Escalation model (--surges, the default): the disputes an early warning exists for, which build
 * up (酝酿 → 升级 → 爆发) over days. Each of the 8 surges is one matter (one place, one company, one
 * respondent: the cases share a story seed); its peak is the burst, and before it a build-up of
 * 3-8 related cases over 3-10 days: the first at the start, the rest denser toward the peak. The
 * signs are drawn per case, how loud they are per surge: vocal (p 0.2), ordinary (0.5) or quiet
 * (0.3: few threats, the lead complainant rarely back, no rise in people before the peak). The
 * parameters were fixed by reasoning before any detector ran on them; nothing here looks at one.
 *
 * Sudden model (--surges=sudden): the same 8 matters, the peak alone: shocks with no precursor
 * (a fish kill, a night of pile-driving), which no detector can see a day ahead.
 *
 * Burst model (--surges=burst, the first shape, kept as it was so that results stay comparable):
 * the first 4 matters below, many similar cases in one grid over two or three days, nothing
 * before, each case with its own text draws. */
static int plan_surges(struct demo *dm, struct plan *p)
{
    static const struct {
        const char *cat, *needle, *label;
        int community, days, count, end_days_ago;
    } defs[] = {
        {"0701", "农民工", "工地集中讨薪", 0, 3, 22, 2},
        {"G0304", "夜间施工", "夜间施工噪声集中投诉", 1, 2, 26, 6},
        {"0402", "电梯", "电梯停运集中反映", 1, 3, 16, 40},
        {"G0303", "死鱼", "河道死鱼集中反映", 0, 2, 18, 1},
        {"1102", "征地补偿", "征地补偿分配集中上访", 0, 3, 18, 25},
        {"0504", "排放废气", "村旁企业排污集中反映", 0, 2, 16, 60},
        {"0402", "公共收益", "物业公共收益集中反映", 1, 2, 15, 90},
        {"0901", "土地流转", "土地流转费集中讨要", 0, 3, 16, 120},
    };
    static const double early_channels[CH__COUNT] = {
        [CH_WINDOW] = 20, [CH_GRID] = 35, [CH_HOTLINE] = 25, [CH_LETTERS] = 15, [CH_PORTAL] = 5};
    /* how loud a build-up is: its share of surges, and the factor on threats and repeat visits */
    static const struct {
        const char *name;
        double share, signs;
    } voices[] = {{"quiet", 0.3, 0.3}, {"ordinary", 0.5, 1.0}, {"vocal", 0.2, 1.5}};
    int model = dm->o->plant_surges;
    int ndefs = model == DEMO_SURGES_BURST ? 4 : COUNT(defs);
    struct rng *r = &dm->r;
    dm->surges = json_array();
    int taken[COUNT(defs)];
    for (int i = 0; i < ndefs; i++) {
        int tpl = find_template(defs[i].cat, defs[i].needle);
        if (tpl < 0)
            continue;
        int grid = taken[i] = pick_grid_of(dm, r, defs[i].community, taken, i);
        int64_t last_day = day_of_ms(dm->now) - defs[i].end_days_ago, end;
        int64_t peak_from = ms_of_day(last_day - defs[i].days + 1) + 7 * FQ_HOUR_MS + 30 * MINUTE;
        if (plan_burst(dm, p, grid, tpl, last_day, defs[i].days, defs[i].count, &end))
            return FQ_ENOMEM;
        char f[26], pf[26], to[26];
        ms_format(peak_from, pf);
        ms_format(end, to);
        if (model == DEMO_SURGES_BURST) {
            json_array_append_new(
                dm->surges,
                json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "label", defs[i].label, "grid",
                          dm->grids[grid].code, "division",
                          dm->villages[dm->grids[grid].village].code, "category", defs[i].cat,
                          "from", pf, "to", to, "cases", defs[i].count));
            continue;
        }
        uint64_t story = rng_next(r) | 1;
        double u = rng_unit(r);
        int voice = u < voices[0].share ? 0 : u < voices[0].share + voices[1].share ? 1 : 2;
        double signs = voices[voice].signs;
        int group = (int)rng_range(r, 12, 45); /* people at the peak */
        for (struct spec *s = &p->specs[p->n - defs[i].count]; s < &p->specs[p->n]; s++) {
            s->flags |= rng_chance(r, 0.3) ? F_THREAT : 0;
            s->story = story;
            s->people = (int)rng_range(r, group / 2, group);
        }
        int nprec = model == DEMO_SURGES_SUDDEN ? 0 : (int)rng_range(r, 3, 8);
        int span = (int)rng_range(r, 3, 10); /* days from the first precursor to the peak */
        int64_t from = peak_from;
        for (int k = 0; k < nprec; k++) {
            struct spec *s = plan_add(p);
            if (!s)
                return FQ_ENOMEM;
            /* days before the peak: the first case opens the build-up, the others come ever
             * denser toward the peak (v^2: the rate rises) */
            double v = k == 0 ? 1 : rng_unit(r), back = 0.3 + (span - 0.3) * v * v;
            double frac = 1 - back / span; /* 0 at the start of the build-up, 1 at the peak */
            int64_t day = day_of_ms(peak_from - (int64_t)(back * (double)FQ_DAY_MS));
            s->t0 = ms_of_day(day) + rng_range(r, 480, 1200) * MINUTE;
            if (s->t0 >= peak_from - FQ_HOUR_MS)
                s->t0 = peak_from - rng_range(r, 2, 12) * FQ_HOUR_MS;
            s->grid = grid;
            s->tpl = (short)tpl;
            s->channel = (signed char)rng_weighted(r, early_channels, CH__COUNT);
            s->flags = F_SURGE;
            s->story = story;
            /* people: a few at first, a group near the peak; a quiet build-up stays small */
            s->people = voice == 0 ? (int)rng_range(r, 1, 3)
                                   : 1 + (int)(frac * frac * (group - 1) * rng_unit(r)) +
                                         rng_int(r, 3);
            double threat = signs * (0.1 + 0.5 * frac);
            if (rng_chance(r, threat < 0.9 ? threat : 0.9))
                s->flags |= F_THREAT;
            if (k == 0 || rng_chance(r, 0.3 * signs))
                s->flags |= F_LEAD; /* the lead complainant, again: a repeat petition */
            s->seed = rng_next(r);
            if (s->t0 < from)
                from = s->t0;
        }
        ms_format(from, f);
        json_array_append_new(
            dm->surges,
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:i}", "label", defs[i].label,
                      "grid", dm->grids[grid].code, "division",
                      dm->villages[dm->grids[grid].village].code, "category", defs[i].cat, "from",
                      f, "peak_from", pf, "to", to, "cases", defs[i].count + nprec,
                      "precursor_model", nprec ? voices[voice].name : "none", "precursors",
                      nprec));
    }
    return 0;
}

static int build_plan(struct demo *dm, struct plan *p)
{
    struct rng *r = &dm->r;
    int months = dm->o->months > 0 ? dm->o->months : 12;
    int64_t today = day_of_ms(dm->now);
    /* counted from the start of today, so that the plan is the same all day */
    int64_t first =
        day_of_ms(ms_of_day(today) - (int64_t)(months * 30.4375 * (double)FQ_DAY_MS)) + 1;
    int ndays = (int)(today - first + 1);
    int n = dm->o->cases > 0 ? dm->o->cases : 0;
    double *dayw = calloc((size_t)ndays, sizeof *dayw), *tw = malloc(sizeof(double) * COUNT(tpls));
    struct seasons ss = {0};
    if (!dayw || !tw || seasons_make(&ss, first, ndays)) {
        free(dayw);
        free(tw);
        free(ss.f);
        return FQ_ENOMEM;
    }
    for (int i = 0; i < ndays; i++) {
        double sum = 0;
        for (int t = 0; t < COUNT(tpls); t++)
            sum += tpls[t].weight * season_on(&ss, tpls[t].season, first + i);
        dayw[i] = sum * day_factor(dm, first + i);
    }
    /* repeat petitioners: the same person, the same grievance, again and again */
    int npet = n / 400;
    p->petitioners = calloc((size_t)(npet ? npet : 1), sizeof *p->petitioners);
    if (!p->petitioners) {
        free(dayw);
        free(tw);
        free(ss.f);
        return FQ_ENOMEM;
    }
    int used = 0;
    for (int i = 0; i < npet && used + 5 < n; i++) {
        struct petitioner *pt = &p->petitioners[p->npetitioners++];
        pt->grid = pick_grid(dm, r);
        int community = dm->villages[dm->grids[pt->grid].village].community;
        do
            pt->tpl = pick_template(r, &ss, first + ndays / 3, community, CH_LETTERS, tw);
        while (tpls[pt->tpl].party == P_NONE);
        pt->seed = rng_next(r);
        int rounds = (int)rng_range(r, 2, 5);
        int64_t day = first + rng_int(r, ndays * 2 / 3 + 1);
        for (int k = 0; k < rounds && day <= today; k++) {
            struct spec *s = plan_add(p);
            if (!s)
                goto nomem;
            s->channel = (signed char)(rng_chance(r, 0.5)   ? CH_LETTERS
                                       : rng_chance(r, 0.6) ? CH_HOTLINE
                                                            : CH_WINDOW);
            s->t0 = ms_of_day(day) + arrival_minute(r, s->channel) * MINUTE;
            s->grid = pt->grid;
            s->tpl = (short)pt->tpl;
            s->petition = (int)(pt - p->petitioners);
            s->petition_round = k;
            s->seed = rng_next(r);
            used++;
            day += rng_range(r, 12, 60);
        }
    }
    while (used < n) {
        struct spec *s = plan_add(p);
        if (!s)
            goto nomem;
        int64_t day = first + rng_weighted(r, dayw, ndays);
        /* the first cases cover every channel, however few are asked for */
        s->channel = (signed char)(used < CH__COUNT ? used : pick_channel(dm, r, day));
        s->grid = pick_grid(dm, r);
        int community = dm->villages[dm->grids[s->grid].village].community;
        s->tpl = (short)pick_template(r, &ss, day, community, s->channel, tw);
        s->t0 =
            ms_of_day(day) + arrival_minute(r, s->channel) * MINUTE + rng_range(r, 0, 59) * 1000;
        s->seed = rng_next(r);
        if (day < today - 20 && day > today - 150 && rng_chance(r, 0.008))
            s->flags |= F_STUCK; /* 久拖未决: still open months later, red and supervised */
        used++;
    }
    /* In-flight cases: the newest few are held in each open status (and closed), so a demo of
     * any size shows every status; they move quickly and stop there. */
    int nhalt = n >= 12 ? (n / 250 > 12 ? n / 250 : 12) : n;
    static const int halts[] = {ST_PENDING_ASSESS, ST_PENDING_DISPATCH, ST_PENDING_ACCEPT,
                                ST_HANDLING,       ST_PENDING_VERIFY,   ST_CLOSED};
    for (int i = 0; i < nhalt; i++) {
        struct spec *s = &p->specs[p->n - 1 - i];
        s->halt = (signed char)halts[i % COUNT(halts)];
        s->flags = F_FAST;
        s->petition = -1;
        s->t0 = dm->now - rng_range(r, 2 * 60, 60 * 60) * MINUTE;
        if (s->halt == ST_PENDING_ASSESS)
            s->t0 = dm->now - rng_range(r, 10, 300) * MINUTE;
    }
    /* Today's cases planned after now arrive earlier instead. The new time comes from the case's
     * own seed, not from the plan's generator: how many cases lie after now depends on the time
     * of day, and drawing their times from the plan's generator would shift everything drawn
     * after them (the surges), so that the same seed gave another city an hour later. */
    for (int i = 0; i < p->n; i++)
        if (p->specs[i].t0 >= dm->now) {
            struct rng cut = rng_seeded(p->specs[i].seed, 4);
            p->specs[i].t0 = dm->now - rng_range(&cut, 1, 600) * MINUTE;
        }
    free(dayw);
    free(tw);
    free(ss.f);
    if (dm->o->plant_surges) {
        int rc = plan_surges(dm, p);
        if (rc)
            return rc;
    }
    if (p->n > 1) /* qsort(NULL, 0) is undefined */
        qsort(p->specs, (size_t)p->n, sizeof *p->specs, spec_cmp);
    return 0;
nomem:
    free(dayw);
    free(tw);
    free(ss.f);
    return FQ_ENOMEM;
}

/* ---------- filling in the texts ---------- */

struct slots {
    char A[24], B[24], ORG[96], SHOP[48], EST[40], ADDR[200], V[40], T[40], C[24];
    char ROAD[40], ROAD2[40], AMT[24], ISSUE[24];
    int N, K, D, M, Y, AGE;
};

/* The value of slot `name` (len bytes, without braces); NULL for an unknown slot. */
static const char *slot_value(const struct slots *s, const char *name, size_t len, char num[16])
{
    static const struct {
        const char *name;
        size_t text, number; /* offsetof the text, or (size_t)-1 and offsetof the number */
    } table[] = {
        {"A", offsetof(struct slots, A), (size_t)-1},
        {"B", offsetof(struct slots, B), (size_t)-1},
        {"ORG", offsetof(struct slots, ORG), (size_t)-1},
        {"SHOP", offsetof(struct slots, SHOP), (size_t)-1},
        {"EST", offsetof(struct slots, EST), (size_t)-1},
        {"ADDR", offsetof(struct slots, ADDR), (size_t)-1},
        {"V", offsetof(struct slots, V), (size_t)-1},
        {"T", offsetof(struct slots, T), (size_t)-1},
        {"C", offsetof(struct slots, C), (size_t)-1},
        {"ROAD", offsetof(struct slots, ROAD), (size_t)-1},
        {"ROAD2", offsetof(struct slots, ROAD2), (size_t)-1},
        {"AMT", offsetof(struct slots, AMT), (size_t)-1},
        {"ISSUE", offsetof(struct slots, ISSUE), (size_t)-1},
        {"N", (size_t)-1, offsetof(struct slots, N)},
        {"K", (size_t)-1, offsetof(struct slots, K)},
        {"D", (size_t)-1, offsetof(struct slots, D)},
        {"M", (size_t)-1, offsetof(struct slots, M)},
        {"Y", (size_t)-1, offsetof(struct slots, Y)},
        {"AGE", (size_t)-1, offsetof(struct slots, AGE)},
    };
    for (int i = 0; i < COUNT(table); i++) {
        if (strlen(table[i].name) != len || strncmp(table[i].name, name, len))
            continue;
        if (table[i].text != (size_t)-1)
            return (const char *)s + table[i].text;
        fmt(num, 16, "%d", *(const int *)(const void *)((const char *)s + table[i].number));
        return num;
    }
    return NULL;
}

/* Copies tmpl into out (cap bytes) with every {SLOT} replaced by its value. */
static void fill(const char *tmpl, const struct slots *s, char *out, size_t cap)
{
    size_t n = 0;
    char num[16];
    for (const char *p = tmpl; *p && n + 1 < cap;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        const char *v = close ? slot_value(s, p + 1, (size_t)(close - p - 1), num) : NULL;
        if (!v) {
            out[n++] = *p++;
            continue;
        }
        size_t vl = strlen(v);
        if (n + vl >= cap)
            break;
        memcpy(out + n, v, vl);
        n += vl;
        p = close + 1;
    }
    out[n] = 0;
}

/* A person with a valid resident ID and a mobile number. */
struct person {
    char name[32];
    char id[19];
    char phone[12];
    const char *surname;
    int male;
};

static void make_person(struct demo *dm, struct rng *r, const char *home_area, int migrant,
                        int min_age, int max_age, struct person *p)
{
    person_name(r, p->name, sizeof p->name, &p->male, &p->surname);
    resident_id(r, migrant ? PICK(r, migrant_areas) : home_area, dm->now, min_age, max_age, p->male,
                p->id);
    mobile(r, p->phone);
}

static void estate_of(int village, int which, char *out, size_t cap)
{
    struct rng r = rng_seeded(0xE57A7E, (uint64_t)village * 3 + (uint64_t)which);
    fmt(out, cap, "%s%s", PICK(&r, estate_first), PICK(&r, estate_second));
}

static void make_slots(struct demo *dm, struct rng *r, const struct tpl *t, int grid,
                       const struct person *a, const struct person *b, struct slots *s)
{
    const struct dm_grid *g = &dm->grids[grid];
    const struct dm_village *v = &dm->villages[g->village];
    const struct dm_town *town = &dm->towns[v->town];
    const struct dm_county *co = &dm->counties[town->county];
    memset(s, 0, sizeof *s);
    masked_name(a->surname, s->A, sizeof s->A);
    masked_name(b->surname, s->B, sizeof s->B);
    fmt(s->V, sizeof s->V, "%s", v->name);
    fmt(s->T, sizeof s->T, "%s", town->name);
    fmt(s->C, sizeof s->C, "%s", co->def->name);
    fmt(s->ORG, sizeof s->ORG, "%s%s%s有限公司", co->def->short_name, PICK(r, org_brands),
        t->org ? t->org : "实业");
    if (rng_chance(r, 0.5))
        fmt(s->SHOP, sizeof s->SHOP, "%s记%s", PICK(r, surnames), PICK(r, shop_kinds));
    else
        fmt(s->SHOP, sizeof s->SHOP, "%s%s", PICK(r, org_brands), PICK(r, shop_kinds));
    if (v->community) {
        estate_of(g->village, rng_int(r, 3), s->EST, sizeof s->EST);
        const char *road = roads[(g->village * 7 + rng_int(r, 3)) % COUNT(roads)];
        fmt(s->ROAD, sizeof s->ROAD, "%s", road);
        fmt(s->ROAD2, sizeof s->ROAD2, "%s",
            roads[(g->village * 7 + 3 + rng_int(r, 4)) % COUNT(roads)]);
        if (t->kind == KIND_DISPUTE || t->party == P_ONE)
            fmt(s->ADDR, sizeof s->ADDR, "%s%d号%s%d幢%d单元%d室", road, (int)rng_range(r, 1, 399),
                s->EST, (int)rng_range(r, 1, 32), (int)rng_range(r, 1, 4),
                (int)rng_range(r, 1, 18) * 100 + (int)rng_range(r, 1, 4));
        else
            fmt(s->ADDR, sizeof s->ADDR, "%s%d号%s%d幢", road, (int)rng_range(r, 1, 399), s->EST,
                (int)rng_range(r, 1, 32));
    } else {
        fmt(s->EST, sizeof s->EST, "%s%s", PICK(r, nature_first), PICK(r, nature_second));
        static const char *const rural_roads[] = {"%s大道", "%s中路", "%s老街", "%s工业区路"};
        const char *road_form = PICK(r, rural_roads);
        fmt(s->ROAD, sizeof s->ROAD, road_form, town->short_name);
        fmt(s->ROAD2, sizeof s->ROAD2, "%s村道", v->name);
        fmt(s->ADDR, sizeof s->ADDR, "%s%s自然村%d号", v->name, s->EST, (int)rng_range(r, 1, 160));
    }
    long amt = t->amt_hi > 0 ? (long)rng_range(r, t->amt_lo, t->amt_hi) : 0;
    amt = amt >= 100000 ? amt / 1000 * 1000 : amt >= 10000 ? amt / 100 * 100 : amt / 10 * 10;
    format_amount(s->AMT, sizeof s->AMT, amt);
    fmt(s->ISSUE, sizeof s->ISSUE, "%s", PICK(r, group_issues));
    s->N = (int)rng_range(r, 8, 60);
    s->K = (int)rng_range(r, 2, 6);
    s->D = (int)rng_range(r, 3, 25);
    s->M = (int)rng_range(r, 2, 8);
    s->Y = (int)rng_range(r, 2, 16);
    s->AGE = (int)rng_range(r, 72, 93);
}

/* ---------- routing: who handles what at which level ---------- */

static struct resp_cache *resp_get(struct demo *dm, const char *cat, int level)
{
    for (int i = 0; i < dm->nresp; i++)
        if (dm->resp[i].level == level && !strcmp(dm->resp[i].category, cat))
            return &dm->resp[i];
    if (dm->nresp == dm->capresp) {
        int cap = dm->capresp ? dm->capresp * 2 : 128;
        void *p = realloc(dm->resp, (size_t)cap * sizeof *dm->resp);
        if (!p)
            return NULL;
        dm->resp = p;
        dm->capresp = cap;
    }
    struct resp_cache *rc = &dm->resp[dm->nresp++];
    memset(rc, 0, sizeof *rc);
    fmt(rc->category, sizeof rc->category, "%s", cat);
    rc->level = level;
    char lead[24] = "", assist[128] = "", duty[256];
    rc->lead = -1;
    if (store_resp_lookup(store_rd(dm->d->store), cat, level, lead, assist, duty) == 0) {
        rc->lead = kind_index(lead);
        for (char *p = assist; *p && rc->nassist < COUNT(rc->assist);) {
            char *comma = strchr(p, ',');
            if (comma)
                *comma = 0;
            int k = kind_index(p);
            if (k >= 0)
                rc->assist[rc->nassist++] = k;
            if (!comma)
                break;
            p = comma + 1;
        }
    }
    if (rc->lead < 0) /* no row at all: the usual owners of the kind of matter */
        rc->lead = cat[0] == 'G' ? K_URBAN : K_JUSTICE;
    return rc;
}

/* A department that can take a case. */
struct unit {
    int64_t id, handler; /* handler: a user of the department, 0 if none */
    int kind, level;
    char name[96];
};

/* The department of kind k serving village v at `level`; 0 when the centre has none. */
static int unit_at(struct demo *dm, int v, int level, int k, struct unit *u)
{
    const struct dm_village *vil = &dm->villages[v];
    const struct dm_town *town = &dm->towns[vil->town];
    const struct dm_county *co = &dm->counties[town->county];
    memset(u, 0, sizeof *u);
    u->kind = k;
    u->level = level;
    if (k == K_COMMUNITY) {
        u->id = vil->dept;
        u->level = LEVEL_VILLAGE;
        fmt(u->name, sizeof u->name, "%s%s", vil->name, vil->community ? "居委会" : "村委会");
        return u->id != 0;
    }
    switch (level) {
    case LEVEL_CITY:
        u->id = dm->city.dept[k];
        u->handler = dm->city.handler[k];
        city_dept_name(k, u->name, sizeof u->name);
        break;
    case LEVEL_COUNTY:
        u->id = co->dept[k];
        u->handler = co->handler[k];
        county_dept_name(co->def, k, u->name, sizeof u->name);
        break;
    case LEVEL_TOWNSHIP:
        u->id = town->dept[k];
        u->handler = k == K_JUSTICE ? town->handler_justice : 0;
        town_dept_name(town->name, town->short_name, k, u->name, sizeof u->name);
        break;
    default:
        return 0;
    }
    return u->id != 0;
}

/* ---------- driving one case ---------- */

struct sim {
    struct demo *dm;
    struct store_tx *tx;
    const struct spec *sp;
    const struct tpl *t;
    struct rng r;
    struct fq_case c; /* the case after the last step */
    int64_t t_last;   /* instant of the last event */
    int village, town, county;
    int stopped; /* the next step lies in the future (or the halt status is reached) */
    int auto_supervised;
    int grade, level; /* the assessment */
    struct slots sl;
    struct person a, b;
    int has_contact;
    struct unit lead, assist[3];
    int nassist;
    int mediations;
    char studio[96];
    char mediator[32];
    int64_t mediator_uid;
};

static void actor_staff(struct case_actor *a, int64_t uid, const char *name)
{
    memset(a, 0, sizeof *a);
    a->user_id = uid;
    utf8_copy(a->name, sizeof a->name, name);
    a->roles = ALL_ROLES; /* the demo acts for every role; scope "" = the whole city */
}

/* The dispatcher of the centre now holding the case. */
static void actor_centre(struct sim *sm, struct case_actor *a, const char *role_label,
                         int supervisor)
{
    struct demo *dm = sm->dm;
    const struct dm_county *co = &dm->counties[sm->county];
    const struct dm_town *town = &dm->towns[sm->town];
    char name[96];
    int64_t uid = 0;
    switch (sm->c.level) {
    case LEVEL_CITY:
        fmt(name, sizeof name, "%s综治中心%s", CITY_NAME, role_label);
        uid = supervisor ? dm->city.supervisor : dm->city.dispatcher;
        break;
    case LEVEL_TOWNSHIP:
        fmt(name, sizeof name, "%s综治中心%s", town->name, role_label);
        uid = supervisor ? 0 : town->dispatcher;
        break;
    case LEVEL_VILLAGE:
        fmt(name, sizeof name, "%s综治工作站%s", dm->villages[sm->village].name, role_label);
        break;
    default:
        fmt(name, sizeof name, "%s综治中心%s", co->def->name, role_label);
        uid = supervisor ? co->supervisor : co->dispatcher;
        break;
    }
    actor_staff(a, uid, name);
}

static void actor_unit(struct case_actor *a, const struct unit *u)
{
    char name[96];
    fmt(name, sizeof name, "%s", u->name);
    if (strlen(name) + strlen("承办人") < sizeof a->name)
        strcat(name, "承办人");
    actor_staff(a, u->handler, name);
}

static int sim_fail(struct sim *sm, int rc, int action)
{
    struct fq_error *e = sm->dm->e;
    if (e) {
        char msg[sizeof e->message];
        fmt(msg, sizeof msg, "%s", e->message);
        fmt(e->message, sizeof e->message, "demo case %s, %s: %s",
            sm->c.code[0] ? sm->c.code : "(new)", action_name(action),
            msg[0] ? msg : fq_strerror(rc));
        if (!e->status)
            e->status = rc;
    }
    return rc;
}

static void sim_take(struct sim *sm, struct fq_case *out)
{
    fq_case_clear(&sm->c);
    sm->c = *out;
}

/* The timers' work between two events: yellow at warn_at, red at due_at, a supervision order
 * once the case is overdue by the margin. */
static int sim_tick(struct sim *sm, int64_t until)
{
    struct fq_domain *d = sm->dm->d;
    for (int guard = 0; guard < 4 && workflow_is_open(sm->c.status) && sm->c.due_at; guard++) {
        int64_t at = 0;
        int supervise = 0;
        if (sm->c.light == LIGHT_GREEN && sm->c.warn_at && sm->c.warn_at <= until)
            at = sm->c.warn_at;
        else if (sm->c.light != LIGHT_RED && sm->c.due_at <= until)
            at = sm->c.due_at;
        else if (sm->c.light == LIGHT_RED && !sm->auto_supervised &&
                 sm->c.due_at + d->supervise_margin_ms <= until) {
            at = sm->c.due_at + d->supervise_margin_ms;
            supervise = 1;
            sm->auto_supervised = 1;
        } else {
            break;
        }
        if (at <= sm->t_last)
            at = sm->t_last + 1000;
        struct fq_case out;
        int rc = case_refresh_tx(sm->tx, d, sm->c.code, at, supervise, &out);
        if (rc)
            return sim_fail(sm, rc, supervise ? ACT_SUPERVISE : ACT_OVERDUE);
        sim_take(sm, &out);
        sm->t_last = at;
    }
    return 0;
}

/* One action at `at` (moved just after the previous event if earlier). body is consumed.
 * 0 done, 1 not done because it lies beyond now or the case is held, < 0 failure. */
static int act(struct sim *sm, int action, const struct case_actor *actor, json_t *body, int64_t at)
{
    struct demo *dm = sm->dm;
    struct case_action a;
    struct fq_case out;
    int rc;
    if (sm->stopped) {
        json_decref(body);
        return 1;
    }
    if (at <= sm->t_last)
        at = sm->t_last + rng_range(&sm->r, 20, 240) * 1000;
    if (at >= dm->now) {
        sm->stopped = 1;
        json_decref(body);
        return 1;
    }
    if ((rc = sim_tick(sm, at))) {
        json_decref(body);
        return rc;
    }
    if (at <= sm->t_last)
        at = sm->t_last + 1000;
    rc = case_action_prepare(dm->d, actor, sm->c.code, action, body, &a, dm->e);
    json_decref(body);
    if (rc)
        return sim_fail(sm, rc, action);
    rc = case_action_tx(sm->tx, dm->d, &a, at, &out, dm->e);
    case_action_clear(&a);
    if (rc)
        return sim_fail(sm, rc, action);
    sim_take(sm, &out);
    sm->t_last = at;
    if (sm->sp->halt >= 0 && sm->c.status == sm->sp->halt)
        sm->stopped = 1;
    return 0;
}

/* Step helper: returns from the calling function when the case stops or fails. */
#define STEP(call)                                                                                 \
    do {                                                                                           \
        int step_rc_ = (call);                                                                     \
        if (step_rc_ < 0)                                                                          \
            return step_rc_;                                                                       \
        if (step_rc_ > 0)                                                                          \
            return 1;                                                                              \
    } while (0)

/* Simple matters are handled by village cadres and grid workers whenever they can, and police
 * linkage runs round the clock, so neither waits for office hours. */
static int out_of_hours_ok(const struct sim *sm)
{
    return sm->grade == GRADE_SIMPLE || sm->sp->channel == CH_POLICE;
}

static int64_t sim_office(struct sim *sm, int64_t t)
{
    return out_of_hours_ok(sm) || (sm->sp->flags & F_FAST) ? t : office_time(sm->dm, &sm->r, t);
}

/* Staff delay: minutes lo..hi after the last event, in office hours unless the case is fast. */
static int64_t later(struct sim *sm, int64_t lo_min, int64_t hi_min, int office)
{
    int64_t t = sm->t_last + rng_range(&sm->r, lo_min, hi_min) * MINUTE;
    if (sm->sp->flags & F_FAST)
        return sm->t_last + rng_range(&sm->r, 3, 20) * MINUTE;
    return office && !out_of_hours_ok(sm) ? office_time(sm->dm, &sm->r, t) : t;
}

static const char *const assess_notes[] = {"事实基本清楚，按权责清单派单办理",
                                           "属地先行调处，相关部门协同配合",
                                           "诉求合理，按普通程序办理",
                                           "涉及多个部门职责，实行联合派单",
                                           "需现场核实，请承办单位及时对接当事人",
                                           "属矛盾纠纷，请调解组织介入"};
static const char *const dispatch_notes[] = {
    "请按职责办理并及时反馈", "请于时限内办结，注意做好当事人情绪疏导",
    "请主办单位牵头，协办单位配合", "请先行联系当事人，现场核实情况"};

static json_t *assessment(struct sim *sm, json_t *o)
{
    json_object_set_new(o, "category", json_string(sm->t->cat));
    json_object_set_new(o, "grade", json_string(grade_name(sm->grade)));
    json_object_set_new(o, "level", json_string(level_name(sm->level)));
    json_object_set_new(o, "kind", json_string(kind_name(sm->t->kind)));
    return o;
}

/* Chooses the handling level, lead and assisting departments for the assessment; a township
 * without the lead's kind hands the case to the county. */
static void route(struct sim *sm)
{
    struct demo *dm = sm->dm;
    struct rng *r = &sm->r;
    int level = sm->level;
    sm->nassist = 0;
    if (level == LEVEL_VILLAGE) {
        unit_at(dm, sm->village, LEVEL_VILLAGE, K_COMMUNITY, &sm->lead);
        if (sm->t->kind == KIND_DISPUTE && rng_chance(r, 0.2) &&
            unit_at(dm, sm->village, LEVEL_TOWNSHIP, K_JUSTICE, &sm->assist[0]))
            sm->nassist = 1;
        return;
    }
    struct resp_cache *rc = resp_get(dm, sm->t->cat, level);
    int lead = rc ? rc->lead : K_JUSTICE;
    if (lead == K_COMMUNITY)
        lead = K_JUSTICE;
    if (!unit_at(dm, sm->village, level, lead, &sm->lead)) {
        sm->level = level = LEVEL_COUNTY;
        rc = resp_get(dm, sm->t->cat, level);
        lead = rc && rc->lead != K_COMMUNITY ? rc->lead : K_JUSTICE;
        unit_at(dm, sm->village, level, lead, &sm->lead);
    }
    double p = rng_unit(r);
    int want = p < 0.62 ? 0 : p < 0.9 ? 1 : 2;
    for (int i = 0; rc && i < rc->nassist && sm->nassist < want; i++) {
        struct unit u;
        int k = rc->assist[i];
        if (k == lead)
            continue;
        if (!unit_at(dm, sm->village, level, k, &u) &&
            !(level == LEVEL_TOWNSHIP && unit_at(dm, sm->village, LEVEL_COUNTY, k, &u)))
            continue;
        sm->assist[sm->nassist++] = u;
    }
}

static json_t *dispatch_body(struct sim *sm, const struct unit *lead, int with_assist,
                             int64_t deadline)
{
    json_t *o = json_pack("{s:{s:I}, s:s}", "lead", "department_id", (json_int_t)lead->id, "note",
                          PICK(&sm->r, dispatch_notes));
    if (with_assist && sm->nassist) {
        json_t *arr = json_array();
        for (int i = 0; i < sm->nassist; i++)
            json_array_append_new(
                arr, json_pack("{s:I}", "department_id", (json_int_t)sm->assist[i].id));
        json_object_set_new(o, "assist", arr);
    }
    if (deadline) {
        char iso[26];
        ms_format(deadline, iso);
        json_object_set_new(o, "deadline", json_string(iso));
    }
    return o;
}

static int misroute_kind(struct sim *sm)
{
    static const int usual[] = {K_JUSTICE, K_POLICE, K_URBAN, K_MARKET, K_CIVIL, K_NATURAL, K_HRSS};
    for (int i = 0; i < 10; i++) {
        int k = PICK(&sm->r, usual);
        struct unit u;
        if (k != sm->lead.kind && unit_at(sm->dm, sm->village, sm->level, k, &u))
            return k;
    }
    return -1;
}

/* Assess (or assess while dispatching), dispatch, and get the lead to accept. `redo_deadline`
 * gives a reopened case a fresh limit from now. */
static int assess_and_dispatch(struct sim *sm, int redo_deadline)
{
    struct demo *dm = sm->dm;
    struct rng *r = &sm->r;
    struct case_actor disp, hand;
    int fast = sm->sp->flags & F_FAST;
    int police = sm->sp->channel == CH_POLICE;
    route(sm);
    actor_centre(sm, &disp, "调度员", 0);
    int64_t deadline = 0;
    int misroute = !fast && !redo_deadline && sm->level != LEVEL_VILLAGE && rng_chance(r, 0.05);
    int direct = !fast && !misroute && rng_chance(r, 0.2);
    if (sm->sp->halt == ST_PENDING_DISPATCH)
        direct = 0;
    if (!direct)
        STEP(act(sm, ACT_ASSESS, &disp,
                 assessment(sm, json_pack("{s:s}", "note", PICK(r, assess_notes))),
                 later(sm, 10,
                       sm->grade == GRADE_SIMPLE       ? 60
                       : sm->sp->channel == CH_LETTERS ? 600
                                                       : 180,
                       !police)));
    /* the centre now holding the case (the assessment may have moved it) dispatches */
    actor_centre(sm, &disp, "调度员", 0);
    if (redo_deadline) {
        int64_t due, warn;
        domain_deadline(dm->d, sm->grade, sm->level, sm->sp->channel, sm->t_last, &due, &warn);
        /* the dispatch comes minutes to hours later, and a deadline must lie ahead of it */
        deadline = due > sm->t_last + 26 * FQ_HOUR_MS ? due : sm->t_last + 26 * FQ_HOUR_MS;
    }
    if (misroute) {
        struct unit wrong;
        int k = misroute_kind(sm);
        if (k >= 0 && unit_at(dm, sm->village, sm->level, k, &wrong)) {
            STEP(act(sm, ACT_DISPATCH, &disp, dispatch_body(sm, &wrong, 0, 0),
                     later(sm, 5, 60, !police)));
            actor_unit(&hand, &wrong);
            char reason[300];
            fmt(reason, sizeof reason,
                "经核实，该事项不属于本单位职责范围，根据权责清单应由%s主办，申请退回改派。",
                sm->lead.name);
            STEP(act(
                sm, ACT_RETURN, &hand,
                json_pack("{s:I, s:s}", "department_id", (json_int_t)wrong.id, "reason", reason),
                later(sm, 30, 480, 1)));
            STEP(act(sm, ACT_ASSESS, &disp,
                     assessment(sm, json_pack("{s:s}", "note", "退单后重新研判，按权责清单改派")),
                     later(sm, 10, 120, 1)));
        }
    }
    json_t *body = dispatch_body(sm, &sm->lead, 1, deadline);
    if (direct)
        assessment(sm, body);
    STEP(act(sm, ACT_DISPATCH, &disp, body, later(sm, 3, direct ? 180 : 60, !police)));
    actor_unit(&hand, &sm->lead);
    STEP(act(sm, ACT_ACCEPT, &hand,
             json_pack("{s:I, s:s}", "department_id", (json_int_t)sm->lead.id, "note",
                       "已接单，即刻办理"),
             later(sm, 5, sm->grade == GRADE_SIMPLE ? 90 : 300, sm->level != LEVEL_VILLAGE)));
    for (int i = 0; i < sm->nassist; i++) {
        actor_unit(&hand, &sm->assist[i]);
        STEP(act(sm, ACT_ACCEPT, &hand,
                 json_pack("{s:I}", "department_id", (json_int_t)sm->assist[i].id),
                 later(sm, 10, 600, 1)));
    }
    return 0;
}

static void choose_grade_level(struct sim *sm)
{
    struct rng *r = &sm->r;
    const struct tpl *t = sm->t;
    double p = rng_unit(r);
    int g = t->grade;
    if (p < 0.22 && g > GRADE_SIMPLE)
        g--;
    else if (p > 0.86 && g < GRADE_DIFFICULT)
        g++;
    p = rng_unit(r);
    int l = t->level;
    if (l == LEVEL_VILLAGE)
        l = p < 0.7 ? LEVEL_VILLAGE : p < 0.95 ? LEVEL_TOWNSHIP : LEVEL_COUNTY;
    else if (l == LEVEL_TOWNSHIP)
        l = p < 0.12 ? LEVEL_VILLAGE : p < 0.8 ? LEVEL_TOWNSHIP : LEVEL_COUNTY;
    else
        l = p < 0.22 ? LEVEL_TOWNSHIP : p < 0.985 ? LEVEL_COUNTY : LEVEL_CITY;
    if (l == LEVEL_VILLAGE && t->kind != KIND_DISPUTE && t->cat[0] != 'G')
        l = LEVEL_TOWNSHIP;
    if (g >= GRADE_DIFFICULT && l > LEVEL_COUNTY)
        l = LEVEL_COUNTY; /* 疑难 matters are handled at county level or above */
    /* a same-day village matter registered late in the day becomes ordinary */
    int64_t tod = sm->sp->t0 - ms_of_day(day_of_ms(sm->sp->t0));
    if (g == GRADE_SIMPLE && l == LEVEL_VILLAGE && tod > 15 * FQ_HOUR_MS)
        g = GRADE_ORDINARY;
    sm->grade = g;
    sm->level = l;
}

/* When the lead will report the case resolved: mostly well within the limit, a few late. */
static int64_t plan_resolve(struct sim *sm)
{
    struct rng *r = &sm->r;
    int64_t start = sm->t_last, due = sm->c.due_at;
    if (sm->sp->flags & F_STUCK)
        return sm->dm->now + 90 * FQ_DAY_MS;
    if (sm->sp->flags & F_FAST)
        return start + rng_range(r, 20, 90) * MINUTE;
    if (due <= start + 30 * MINUTE) /* already (nearly) late when accepted */
        return start + rng_range(r, 30, 300) * MINUTE;
    double p = rng_unit(r), frac;
    if (p < 0.72)
        frac = 0.08 + 0.5 * rng_unit(r);
    else if (p < 0.955)
        frac = 0.58 + 0.38 * rng_unit(r);
    else
        frac = 1.03 + 0.9 * rng_unit(r); /* overdue */
    int64_t t = start + (int64_t)(frac * (double)(due - start));
    int64_t at = out_of_hours_ok(sm) ? t : office_time(sm->dm, r, t);
    if (frac < 1 && at > due - 5 * MINUTE)
        at = t < due - 5 * MINUTE ? t : due - rng_range(r, 5, 20) * MINUTE;
    if (at <= start)
        at = start + rng_range(r, 5, 20) * MINUTE;
    return at;
}

static const char *dispute_method(struct sim *sm, int success)
{
    struct rng *r = &sm->r;
    const struct tpl *t = sm->t;
    if (!success)
        return rng_chance(r, 0.5) ? "05" : "0103";
    if (cat_is(t, "07") || cat_is(t, "G0803"))
        return rng_chance(r, 0.15) ? "0203" : rng_chance(r, 0.6) ? "0102" : "0103";
    if (cat_is(t, "14") || cat_is(t, "1403"))
        return rng_chance(r, 0.5) ? "0101" : "05";
    if (cat_is(t, "11") || cat_is(t, "12") || cat_is(t, "13"))
        return rng_chance(r, 0.08) ? "03" : rng_chance(r, 0.7) ? "0102" : "06";
    if (cat_is(t, "0901"))
        return rng_chance(r, 0.06) ? "0202" : "0103";
    if (cat_is(t, "06") || cat_is(t, "08") || cat_is(t, "10"))
        return PICK(r, ((const char *const[]){"0103", "0103", "0105", "0107", "0101", "06"}));
    if (cat_is(t, "0502") || cat_is(t, "0503") || cat_is(t, "0402"))
        return rng_chance(r, 0.8) ? "0106" : "0103";
    double p = rng_unit(r);
    return p < 0.72 ? "0103" : p < 0.86 ? "06" : p < 0.92 ? "0102" : p < 0.96 ? "0101" : "0107";
}

static void studio_for(struct sim *sm)
{
    struct demo *dm = sm->dm;
    const struct dm_county *co = &dm->counties[sm->county];
    const struct dm_town *town = &dm->towns[sm->town];
    const struct tpl *t = sm->t;
    sm->mediator_uid = 0;
    if (sm->c.level == LEVEL_VILLAGE) {
        fmt(sm->studio, sizeof sm->studio, "%s人民调解委员会", dm->villages[sm->village].name);
        fmt(sm->mediator, sizeof sm->mediator, "%s", dm->villages[sm->village].worker_name);
    } else if (sm->c.level == LEVEL_TOWNSHIP) {
        fmt(sm->studio, sizeof sm->studio, "%s", town->studio);
        fmt(sm->mediator, sizeof sm->mediator, "%s", town->mediator_name);
        sm->mediator_uid = town->mediator;
    } else {
        const char *what = cat_is(t, "0402")   ? "物业纠纷人民调解委员会"
                           : cat_is(t, "0502") ? "医疗纠纷人民调解委员会"
                           : cat_is(t, "0503") ? "道路交通事故纠纷人民调解委员会"
                           : cat_is(t, "07")   ? "劳动人事争议调解中心"
                                               : "矛盾纠纷调处化解中心";
        fmt(sm->studio, sizeof sm->studio, "%s%s", co->def->name, what);
        int i = rng_int(&sm->r, 2);
        fmt(sm->mediator, sizeof sm->mediator, "%s", co->mediator_name[i]);
        sm->mediator_uid = co->mediator[i];
    }
}

static int mediate(struct sim *sm, int session, int last, int success, int64_t at)
{
    struct rng *r = &sm->r;
    char content[600], participants[200], agreement[400], fix[300], iso[26];
    struct case_actor who;
    studio_for(sm);
    if (sm->mediator_uid) {
        char name[64];
        fmt(name, sizeof name, "调解员%s", sm->mediator);
        actor_staff(&who, sm->mediator_uid, name);
    } else {
        actor_unit(&who, &sm->lead);
    }
    if (sm->t->party == P_GROUP)
        fmt(participants, sizeof participants, "申请人代表%s、被申请人%s负责人、%s工作人员",
            sm->sl.A, sm->sl.ORG, sm->lead.name);
    else
        fmt(participants, sizeof participants, "申请人%s、被申请人%s%s", sm->sl.A,
            sm->t->party == P_PO ? sm->sl.ORG : sm->sl.B,
            sm->c.level <= LEVEL_TOWNSHIP ? "、村（社区）调委会委员" : "");
    if (session == 1)
        fmt(content, sizeof content,
            "组织双方当事人到%"
            "s面对面调解，分别听取双方陈述，核实相关证据，释明《中华人民共和国民法典》相关规定，%s",
            sm->studio,
            last ? "双方互谅互让，当场达成一致意见。" : "双方分歧仍较大，约定择日再次调解。");
    else if (!last)
        fmt(content, sizeof content,
            "第%"
            "d次组织调解，邀请乡贤、村（社区）干部参与做工作，对争议焦点逐项协商，双方立场有所松动"
            "。",
            session);
    else if (success)
        fmt(content, sizeof content,
            "第%d次组织调解，经耐心释法说理、背靠背做工作，双方自愿达成调解协议。", session);
    else
        fmt(content, sizeof content, "第%d次组织调解，双方分歧较大，未能达成一致，调解终结。",
            session);
    json_t *body =
        json_pack("{s:i, s:s, s:s, s:s, s:s}", "session", session, "participants", participants,
                  "content", content, "mediator", sm->mediator, "studio", sm->studio);
    ms_format(at, iso);
    json_object_set_new(body, "held_at", json_string(iso));
    if (last && success) {
        fill(sm->t->fix, &sm->sl, fix, sizeof fix);
        fmt(agreement, sizeof agreement, "%s。双方就本纠纷再无其他争议。", fix);
        json_object_set_new(body, "agreement", json_string(agreement));
        double p = rng_unit(r);
        const char *judicial = strstr(fix, "司法确认")        ? (p < 0.8 ? "confirmed" : "applied")
                               : sm->t->amt_hi > 0 && p < 0.3 ? "confirmed"
                               : sm->t->amt_hi > 0 && p < 0.4 ? "applied"
                                                              : "none";
        json_object_set_new(body, "judicial_status", json_string(judicial));
    }
    sm->mediations++;
    return act(sm, ACT_MEDIATION, &who, body, at);
}

static const char *const urge_messages[] = {"该件即将到期，请加快办理进度并及时反馈",
                                            "请抓紧办理，于时限内办结并上传办理结果",
                                            "当事人再次来电询问，请加快办理"};
static const char *const escalate_reasons[] = {
    "涉及多个部门职责，本级协调难度大，提请上级综治中心统筹协调",
    "经多次调处未能化解，当事人情绪激动，提请上级综治中心介入",
    "涉及政策把握问题，超出本级处置权限，申请上报"};
static const char *const supervise_reasons[] = {
    "涉及群众切身利益，请主办单位高度重视，限期化解到位",
    "该件群众关注度高，请于规定时限内办结并书面报告办理情况",
    "群体性苗头明显，请落实包案领导，防止矛盾激化"};
static const char *const notes[] = {"已电话联系当事人了解情况，约定现场查看",
                                    "已到现场核实，正在协调相关方", "已联系协办单位共同处置",
                                    "当事人外出，已预约下周面谈"};

/* Handling: mediation sessions, urging and supervision as the deadline nears, the result. */
static int handle(struct sim *sm)
{
    struct demo *dm = sm->dm;
    struct rng *r = &sm->r;
    const struct tpl *t = sm->t;
    struct case_actor hand, disp, lead;
    int64_t accept_at = sm->t_last, resolve_at = plan_resolve(sm);
    int dispute = t->kind == KIND_DISPUTE || cat_is(t, "G08");
    int success = !dispute || !rng_chance(r, t->grade >= GRADE_COMPLEX ? 0.14 : 0.06);
    if (sm->c.reopens)
        success = !dispute || !rng_chance(r, 0.25);
    actor_unit(&hand, &sm->lead);
    /* escalate: the village or township cannot settle it */
    if (!(sm->sp->flags & F_FAST) && sm->c.level >= LEVEL_TOWNSHIP && sm->grade >= GRADE_ORDINARY &&
        sm->c.escalations == 0 && rng_chance(r, sm->c.level == LEVEL_VILLAGE ? 0.07 : 0.03)) {
        actor_centre(sm, &disp, "调度员", 0);
        STEP(act(sm, ACT_ESCALATE, &disp, json_pack("{s:s}", "reason", PICK(r, escalate_reasons)),
                 later(sm, 240, 3 * 1440, 1)));
        sm->level = sm->c.level;
        if (sm->grade < GRADE_COMPLEX && rng_chance(r, 0.6))
            sm->grade++;
        STEP(assess_and_dispatch(sm, 0));
        return handle(sm);
    }
    if (rng_chance(r, 0.2) && !(sm->sp->flags & F_FAST))
        STEP(act(sm, ACT_NOTE, &hand, json_pack("{s:s}", "text", PICK(r, notes)),
                 accept_at + (resolve_at - accept_at) / 5));
    int sessions = 0;
    if (dispute && !(sm->sp->flags & F_FAST) && rng_chance(r, 0.82)) {
        double p = rng_unit(r);
        sessions = p < 0.6 ? 1 : p < 0.9 ? 2 : 3;
        if (sm->grade >= GRADE_COMPLEX && sessions < 3)
            sessions++;
    }
    int urged = 0, supervised = 0;
    for (int s = 1; s <= sessions; s++) {
        int64_t at = accept_at + (resolve_at - accept_at) * s / (sessions + 1);
        /* urge when the case turned yellow before this point */
        if (!urged && sm->c.warn_at && sm->c.warn_at < at && resolve_at > sm->c.warn_at &&
            rng_chance(r, 0.5)) {
            actor_centre(sm, &disp, "调度员", 0);
            STEP(act(sm, ACT_URGE, &disp, json_pack("{s:s}", "message", PICK(r, urge_messages)),
                     sim_office(sm, sm->c.warn_at + rng_range(r, 10, 240) * MINUTE)));
            urged = 1;
        }
        STEP(mediate(sm, s, s == sessions, success, sim_office(sm, at)));
    }
    if (!urged && sm->c.warn_at && resolve_at > sm->c.warn_at && rng_chance(r, 0.45)) {
        actor_centre(sm, &disp, "调度员", 0);
        STEP(act(sm, ACT_URGE, &disp, json_pack("{s:s}", "message", PICK(r, urge_messages)),
                 sim_office(sm, sm->c.warn_at + rng_range(r, 10, 240) * MINUTE)));
    }
    if (!supervised &&
        ((sm->grade >= GRADE_COMPLEX && sm->c.people_count >= 10) || sm->grade == GRADE_DIFFICULT ||
         (sm->sp->flags & F_STUCK)) &&
        rng_chance(r, 0.45)) {
        struct dm_county *co = &dm->counties[sm->county];
        char name[96];
        fmt(name, sizeof name, "%s委政法委领导", co->def->name);
        actor_staff(&lead, co->leader, name);
        STEP(act(sm, ACT_SUPERVISE, &lead, json_pack("{s:s}", "reason", PICK(r, supervise_reasons)),
                 sim_office(sm, accept_at + rng_range(r, 1, 4) * FQ_DAY_MS)));
    }
    /* the result */
    char fix[300], result[600];
    fill(t->fix, &sm->sl, fix, sizeof fix);
    if (!success)
        fmt(result, sizeof result,
            "经%"
            "d次调解，双方分歧较大未能达成一致，已告知当事人可通过诉讼等法定途径解决，并做好情绪疏"
            "导和跟踪稳控工作。",
            sessions ? sessions : 1);
    else if (t->kind == KIND_DISPUTE && (!strncmp(fix, "经", 3) || !strncmp(fix, "在", 3)))
        fmt(result, sizeof result, "%s，纠纷已化解。", fix);
    else if (t->kind == KIND_DISPUTE)
        fmt(result, sizeof result, "经%s调解，%s，纠纷已化解。",
            sm->mediations ? sm->studio : sm->lead.name, fix);
    else if (t->kind == KIND_REQUEST)
        fmt(result, sizeof result, "经核实，%s。", fix);
    else
        fmt(result, sizeof result, "经%s处置，%s。", sm->lead.name, fix);
    const char *method = t->kind == KIND_DISPUTE ? dispute_method(sm, success) : "06";
    return act(sm, ACT_RESOLVE, &hand,
               json_pack("{s:s, s:s, s:b}", "result", result, "method", method, "success", success),
               resolve_at);
}

static const char *const verify_notes[] = {"经核查，办理结果属实，同意办结",
                                           "已电话核实当事人，问题已解决",
                                           "现场复核整改到位，同意办结", "办理规范，资料齐全"};
static const char *const reject_reasons[] = {"办结材料不全，缺少现场整改照片，请补充后重新办结",
                                             "当事人反映问题尚未彻底解决，请重新核实处理",
                                             "办理结果未答复当事人全部诉求，请补充办理"};

static int verify(struct sim *sm)
{
    struct rng *r = &sm->r;
    struct case_actor disp, hand;
    actor_centre(sm, &disp, "调度员", 0);
    if (!(sm->sp->flags & F_FAST) && rng_chance(r, 0.04)) {
        STEP(act(sm, ACT_REJECT, &disp, json_pack("{s:s}", "reason", PICK(r, reject_reasons)),
                 later(sm, 30, 600, 1)));
        actor_unit(&hand, &sm->lead);
        char result[400];
        fmt(result, sizeof result, "%s（已按核单意见补充办理）",
            sm->c.result ? sm->c.result : "已办结");
        STEP(act(sm, ACT_RESOLVE, &hand,
                 json_pack("{s:s, s:s, s:b}", "result", result, "method",
                           sm->c.method[0] ? sm->c.method : "06", "success", sm->c.success != 0),
                 later(sm, 600, 3 * 1440, 1)));
    }
    /* the centre checks promptly when the limit is close: a case closes on time only if it is
     * verified before its deadline */
    int64_t at = later(sm, 30, 900, 1);
    int64_t due = sm->c.due_at, resolved = sm->t_last;
    if (due > resolved + 20 * MINUTE && at > due - 5 * MINUTE && !(sm->sp->flags & F_FAST))
        at = resolved + rng_range(r, 10, 10 + (due - resolved) / MINUTE * 7 / 10) * MINUTE;
    return act(sm, ACT_VERIFY, &disp, json_pack("{s:s}", "note", PICK(r, verify_notes)), at);
}

/* After closing: the citizen's rating, the supervisor's score, the follow-up call, and either
 * a reopening (不满意 → 重办) or the archive. */
static int aftercare(struct sim *sm)
{
    struct demo *dm = sm->dm;
    struct rng *r = &sm->r;
    struct case_actor citizen, disp, sup, caller;
    int sat = SAT_NONE;
    int late = sm->c.light == LIGHT_RED;
    if (sm->has_contact && rng_chance(r, 0.82)) {
        double p = rng_unit(r);
        if (sm->c.success == 0)
            sat = p < 0.3 ? SAT_SATISFIED : p < 0.65 ? SAT_BASIC : SAT_DISSATISFIED;
        else if (late)
            sat = p < 0.7 ? SAT_SATISFIED : p < 0.9 ? SAT_BASIC : SAT_DISSATISFIED;
        else
            sat = p < 0.87 ? SAT_SATISFIED : p < 0.965 ? SAT_BASIC : SAT_DISSATISFIED;
        if (sm->c.reopens && sat == SAT_DISSATISFIED && rng_chance(r, 0.5))
            sat = SAT_BASIC;
        static const char *const happy[] = {"处理及时，态度很好", "感谢工作人员的耐心调解",
                                            "问题解决了，很满意", "办事效率高，点赞"};
        static const char *const meh[] = {"基本解决，希望以后加强巡查", "处理有点慢",
                                          "问题基本解决"};
        static const char *const sad[] = {"问题没有彻底解决", "处理结果不公平", "拖了很久才处理"};
        memset(&citizen, 0, sizeof citizen);
        citizen.is_public = 1;
        fmt(citizen.name, sizeof citizen.name, "群众");
        STEP(act(sm, ACT_RATE, &citizen,
                 json_pack("{s:s, s:s}", "rating", satisfaction_name(sat), "comment",
                           sat == SAT_SATISFIED ? PICK(r, happy)
                           : sat == SAT_BASIC   ? PICK(r, meh)
                                                : PICK(r, sad)),
                 sm->t_last + rng_range(r, 60, 3 * 1440) * MINUTE));
    }
    if (rng_chance(r, 0.3)) {
        actor_centre(sm, &sup, "督办员", 1);
        int score = late ? (int)rng_range(r, 60, 80) : (int)rng_range(r, 82, 100);
        STEP(act(sm, ACT_RATE, &sup,
                 json_pack("{s:i, s:s}", "score", score, "comment",
                           late ? "超期办结，需加强时效管理" : "办理规范，按期办结"),
                 later(sm, 60, 5 * 1440, 1)));
    }
    int followed = rng_chance(r, 0.85) || sat == SAT_DISSATISFIED;
    if (followed) {
        const struct dm_village *vil = &dm->villages[sm->village];
        int visit = sm->c.level == LEVEL_VILLAGE || rng_chance(r, 0.25);
        char content[300];
        if (visit) {
            char name[64];
            fmt(name, sizeof name, "网格员%s", vil->worker_name);
            actor_staff(&caller, vil->grid_worker, name);
        } else {
            actor_centre(sm, &caller, "受理员", 0);
        }
        const char *who = sm->t->party == P_NONE ? "周边群众" : sm->sl.A;
        if (sat == SAT_DISSATISFIED)
            fmt(content, sizeof content,
                "%s回访%s，当事人表示问题未得到根本解决，对处理结果不满意。",
                visit ? "上门" : "电话", who);
        else if (sat == SAT_BASIC)
            fmt(content, sizeof content, "%s回访%s，当事人表示问题基本解决，希望加强日常跟踪。",
                visit ? "上门" : "电话", who);
        else
            fmt(content, sizeof content, "%s回访%s，反映问题已解决，对办理结果表示满意。",
                visit ? "上门" : "电话", who);
        json_t *body = json_pack("{s:s, s:s}", "method",
                                 visit                ? "visit"
                                 : rng_chance(r, 0.9) ? "phone"
                                                      : "sms",
                                 "content", content);
        if (sat != SAT_NONE)
            json_object_set_new(body, "satisfaction", json_string(satisfaction_name(sat)));
        STEP(act(sm, ACT_FOLLOW_UP, &caller, body, later(sm, 1440, 7 * 1440, 1)));
    }
    actor_centre(sm, &disp, "调度员", 0);
    if (sat == SAT_DISSATISFIED && sm->c.reopens == 0 && rng_chance(r, 0.55)) {
        STEP(act(sm, ACT_REOPEN, &disp,
                 json_pack("{s:s}", "reason",
                           "回访当事人对办理结果不满意，经核实问题确未解决，启动重办"),
                 later(sm, 60, 1440, 1)));
        return 2; /* the caller runs the flow again */
    }
    return act(sm, ACT_ARCHIVE, &disp, json_pack("{s:s}", "note", "办理资料齐全，予以归档"),
               later(sm, 3 * 1440, 30 * 1440, 1));
}

/* Who registers the case, and at which centre: a township window or a grid worker's report
 * lands at the township centre (基层治理四平台), everything else at the county's. */
static void intake_actor(struct sim *sm, struct case_actor *a)
{
    struct demo *dm = sm->dm;
    const struct dm_county *co = &dm->counties[sm->county];
    const struct dm_town *town = &dm->towns[sm->town];
    const struct dm_village *vil = &dm->villages[sm->village];
    char name[96];
    const char *centre = co->code;
    switch (sm->sp->channel) {
    case CH_WINDOW:
        if (rng_chance(&sm->r, 0.55)) {
            fmt(name, sizeof name, "%s综治中心受理员", co->def->name);
            actor_staff(a, co->clerk, name);
        } else {
            fmt(name, sizeof name, "%s综治中心受理员", town->name);
            actor_staff(a, town->clerk, name);
            centre = town->code;
        }
        break;
    case CH_GRID:
        fmt(name, sizeof name, "网格员%s", vil->worker_name);
        actor_staff(a, vil->grid_worker, name);
        centre = town->code;
        break;
    case CH_HOTLINE:
        actor_staff(a, 0, "12345政务服务便民热线");
        break;
    case CH_POLICE:
        actor_staff(a, 0, "110警情联动平台");
        break;
    case CH_PORTAL:
        actor_staff(a, 0, "网上诉求受理平台");
        break;
    case CH_LETTERS:
        fmt(name, sizeof name, "%s信访局接待室", co->def->name);
        actor_staff(a, co->handler[K_LETTERS], name);
        break;
    default:
        actor_staff(a, 0, "基层治理四平台");
        centre = town->code;
        break;
    }
    /* only the registration is scoped: it decides the first centre (case_intake_tx) */
    fmt(a->division, sizeof a->division, "%s", centre);
}

static const char *const channel_leads[CH__COUNT] = {
    [CH_WINDOW] = "来访群众反映：",     [CH_GRID] = "网格员上报：",
    [CH_HOTLINE] = "市民来电反映：",    [CH_POLICE] = "110警情推送（非警务类）：",
    [CH_PORTAL] = "群众网上留言反映：", [CH_LETTERS] = "来信来访反映：",
    [CH_API] = "基层治理四平台推送："};

/* The lead-in of a description, unless the text already says who found it. */
static const char *channel_lead(int ch, const char *text)
{
    if (!strncmp(text, "网格员", strlen("网格员")) || !strncmp(text, "司法所", strlen("司法所")))
        return ch == CH_GRID ? "" : channel_leads[ch];
    return channel_leads[ch];
}

static json_t *party_json(const char *role, const struct person *p, int with_id, int with_phone)
{
    json_t *o = json_pack("{s:s, s:s}", "role", role, "name", p->name);
    if (with_id)
        json_object_set_new(o, "id_number", json_string(p->id));
    if (with_phone)
        json_object_set_new(o, "phone", json_string(p->phone));
    return o;
}

static int register_case(struct sim *sm, struct plan *pl)
{
    struct demo *dm = sm->dm;
    const struct spec *sp = sm->sp;
    const struct tpl *t = sm->t;
    struct rng *r = &sm->r;
    const struct dm_grid *g = &dm->grids[sp->grid];
    const struct dm_county *co = &dm->counties[sm->county];
    struct petitioner *pt = sp->petition >= 0 ? &pl->petitioners[sp->petition] : NULL;
    /* the people: a petitioner is the same person with the same story every time */
    struct rng pr = pt                      ? rng_seeded(pt->seed, 1)
                    : (sp->flags & F_LEAD) ? rng_seeded(sp->story, 1)
                                           : rng_seeded(sp->seed, 1);
    /* a planted surge's cases share its matter: the respondent, the company, the place */
    struct rng story = rng_seeded(sp->story, 3);
    int migrant =
        cat_is(t, "07") || cat_is(t, "G0803") ? rng_chance(&pr, 0.65) : rng_chance(&pr, 0.15);
    int elderly = strstr(t->title, "老人") != NULL;
    make_person(dm, &pr, co->def->code6, migrant, elderly ? 72 : 22, elderly ? 92 : 68, &sm->a);
    make_person(dm, sp->story ? &story : &pr, co->def->code6, 0, 25, 70, &sm->b);
    if (t->party == P_FAMILY) { /* same family name, as in 兄妹, 婆媳 aside */
        char given[32];
        fmt(given, sizeof given, "%s", sm->b.name + strlen(sm->b.surname));
        fmt(sm->b.name, sizeof sm->b.name, "%s%s", sm->a.surname, given);
        sm->b.surname = sm->a.surname;
    }
    make_slots(dm, sp->story ? &story : &pr, t, sp->grid, &sm->a, &sm->b, &sm->sl);
    if (sp->people > 0)
        sm->sl.N = sp->people;
    char title[256], desc[1400], body_text[1200];
    fill(t->title, &sm->sl, title, sizeof title);
    fill(t->desc, &sm->sl, body_text, sizeof body_text);
    if (sp->flags & F_THREAT) {
        static const char *const threats[] = {
            "部分人员扬言若再不解决将集体到镇政府聚集上访。",
            "有人在微信群中号召周末到现场拉横幅讨说法。",
            "当事人情绪激动，扬言要到市里上访。",
            "部分人员表示将堵路维权，现场气氛紧张。",
        };
        size_t len = strlen(body_text);
        fmt(body_text + len, sizeof body_text - len, "%s", PICK(r, threats));
    }
    if (pt && sp->petition_round > 0) {
        char again[256];
        fmt(again, sizeof again, "再次反映：%s", title);
        utf8_copy(title, sizeof title, again);
        fmt(desc, sizeof desc,
            "%s%s当事人称此前已就该问题反映过%d次，至今未得到彻底解决，要求尽快处理。",
            channel_lead(sp->channel, body_text), body_text, sp->petition_round);
    } else {
        fmt(desc, sizeof desc, "%s%s", channel_lead(sp->channel, body_text), body_text);
    }

    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "channel", channel_name(sp->channel),
                             "kind", kind_name(t->kind), "title", title, "description", desc,
                             "division", dm->villages[sm->village].code);
    if (sp->channel == CH_GRID || sp->channel == CH_API || (sp->flags & F_SURGE) ||
        rng_chance(r, 0.7))
        json_object_set_new(body, "grid", json_string(g->code));
    char address[300];
    fmt(address, sizeof address, "%s%s%s", co->def->name, dm->towns[sm->town].name, sm->sl.ADDR);
    if (strstr(sm->sl.ADDR, dm->villages[sm->village].name) == NULL)
        fmt(address, sizeof address, "%s%s%s%s", co->def->name, dm->towns[sm->town].name,
            dm->villages[sm->village].name, sm->sl.ADDR);
    json_object_set_new(body, "address", json_string(address));
    double located = sp->channel == CH_GRID || sp->channel == CH_API ? 1.0
                     : sp->channel == CH_POLICE                      ? 0.8
                     : sp->channel == CH_PORTAL                      ? 0.5
                                                                     : 0.35;
    if (rng_chance(r, located)) {
        json_object_set_new(body, "lat", json_real(g->lat + jitter(r, 0.0012)));
        json_object_set_new(body, "lon", json_real(g->lon + jitter(r, 0.0014)));
    }
    int people = t->party == P_GROUP ? sm->sl.N : t->party == P_PP || t->party == P_FAMILY ? 2 : 1;
    if (strstr(t->desc, "{N}") || sp->people > 0)
        people = sm->sl.N;
    json_object_set_new(body, "people_count", json_integer(people));
    /* parties: disputes always, requests the person asking */
    if (t->party != P_NONE) {
        int in_person =
            sp->channel == CH_WINDOW || sp->channel == CH_LETTERS || sp->channel == CH_GRID;
        json_t *parties = json_array();
        json_array_append_new(parties,
                              party_json("applicant", &sm->a, in_person || rng_chance(r, 0.6), 1));
        if (t->party == P_PP || t->party == P_FAMILY)
            json_array_append_new(parties,
                                  party_json("respondent", &sm->b, in_person && rng_chance(r, 0.7),
                                             rng_chance(r, 0.6)));
        else if (t->party == P_PO || t->party == P_GROUP)
            json_array_append_new(
                parties, json_pack("{s:s, s:s}", "role", "respondent", "name", sm->sl.ORG));
        json_object_set_new(body, "parties", parties);
    }
    sm->has_contact = t->party != P_NONE || sp->channel == CH_HOTLINE || sp->channel == CH_PORTAL;
    if (sm->has_contact && sp->channel != CH_GRID)
        json_object_set_new(body, "contact_phone",
                            json_string(t->party != P_NONE ? sm->a.phone : sm->b.phone));
    else
        sm->has_contact = t->party != P_NONE;
    int spot = sp->channel == CH_WINDOW && sp->halt < 0 && !(sp->flags & (F_STUCK | F_SURGE)) &&
               !pt && t->grade == GRADE_SIMPLE && t->kind != KIND_INCIDENT && rng_chance(r, 0.35);
    /* grid workers pick the matter on the terminal; a window clerk classifies on the 一表通 */
    if (sp->channel == CH_GRID || sp->channel == CH_API || spot ||
        (sp->channel == CH_WINDOW && rng_chance(r, 0.6)))
        json_object_set_new(body, "category", json_string(t->cat));
    if (spot) {
        char fix[300], result[400];
        fill(t->fix, &sm->sl, fix, sizeof fix);
        fmt(result, sizeof result, "窗口当场受理并协调办结：%s。", fix);
        json_object_set_new(body, "resolve_on_spot",
                            json_pack("{s:s, s:s}", "result", result, "method",
                                      t->kind == KIND_DISPUTE ? "0103" : "06"));
    }

    struct case_actor actor;
    struct case_intake in;
    struct fq_case out;
    int replayed, rc;
    intake_actor(sm, &actor);
    rc = case_intake_prepare(dm->d, &actor, body, NULL, &in, dm->e);
    json_decref(body);
    if (rc == 0)
        rc = case_intake_tx(sm->tx, dm->d, &in, sp->t0, &out, &replayed, dm->e);
    case_intake_clear(&in);
    if (rc)
        return sim_fail(sm, rc, ACT_INTAKE);
    sim_take(sm, &out);
    sm->t_last = sp->t0;
    if (pt) {
        /* (intake's repeat detection, core/dedup.h, may have linked them already) */
        if (pt->last_case && (rc = store_tx_link_insert(sm->tx, sm->c.id, pt->last_case, "repeat")) &&
            rc != FQ_ECONFLICT)
            return sim_fail(sm, rc, ACT_INTAKE);
        pt->last_case = sm->c.id;
    }
    return spot;
}

static int run_case(struct demo *dm, struct store_tx *tx, struct plan *pl, const struct spec *sp)
{
    struct sim sm;
    int rc;
    memset(&sm, 0, sizeof sm);
    sm.dm = dm;
    sm.tx = tx;
    sm.sp = sp;
    sm.t = &tpls[sp->tpl];
    sm.r = rng_seeded(sp->seed, 2);
    sm.village = dm->grids[sp->grid].village;
    sm.town = dm->villages[sm.village].town;
    sm.county = dm->towns[sm.town].county;
    rc = register_case(&sm, pl);
    if (rc < 0)
        goto done;
    if (sp->halt == ST_PENDING_ASSESS)
        sm.stopped = 1;
    choose_grade_level(&sm);
    int round = 0;
    if (rc == 1) { /* resolved at the window: only the aftercare, unless it is reopened */
        rc = aftercare(&sm);
        round = 1;
    }
    for (; round < 2 && rc >= 0 && (round == 0 || rc == 2); round++) {
        if (round > 0 && sm.grade < GRADE_COMPLEX && rng_chance(&sm.r, 0.5))
            sm.grade++;
        if ((rc = assess_and_dispatch(&sm, round > 0)) || (rc = handle(&sm)) || (rc = verify(&sm)))
            break;
        rc = aftercare(&sm);
    }
    if (rc < 0)
        goto done;
    sm.stopped = 0;
    rc = sim_tick(&sm, dm->now - 1000); /* bring the light up to date */
done:
    fq_case_clear(&sm.c);
    return rc < 0 ? rc : 0;
}

/* ---------- the build ---------- */

static int reference_job(struct store_tx *tx, void *arg)
{
    struct demo *dm = arg;
    int rc;
    if ((rc = build_divisions(dm, tx)) || (rc = build_departments(dm, tx)) ||
        (rc = build_users(dm, tx)))
        return rc;
    return 0;
}

struct cases_job {
    struct demo *dm;
    struct plan *plan;
};

static int cases_job(struct store_tx *tx, void *arg)
{
    struct cases_job *j = arg;
    struct demo *dm = j->dm;
    int rc;
    dm->cases_total = j->plan->n;
    progress(dm, "cases", 0, dm->cases_total);
    for (int i = 0; i < j->plan->n; i++) {
        if ((rc = run_case(dm, tx, j->plan, &j->plan->specs[i])))
            return rc;
        dm->cases_done++;
        if ((i + 1) % CHECKPOINT_CASES == 0) {
            if ((rc = store_tx_checkpoint(tx)))
                return fail(dm, rc, "checkpoint");
            progress(dm, "cases", dm->cases_done, dm->cases_total);
        }
    }
    if (dm->surges) {
        char *text = json_dumps(dm->surges, JSON_COMPACT);
        rc = text ? store_tx_setting_put(tx, "demo.surges", text) : FQ_ENOMEM;
        free(text);
        if (rc)
            return fail(dm, rc, "setting demo.surges");
    }
    progress(dm, "cases", dm->cases_done, dm->cases_total);
    return 0;
}

int demo_build(struct fq_domain *d, const struct demo_opts *o, struct fq_error *e)
{
    struct demo dm;
    struct plan plan;
    int rc;
    memset(&dm, 0, sizeof dm);
    memset(&plan, 0, sizeof plan);
    dm.d = d;
    dm.o = o;
    dm.e = e;
    dm.now = fq_now_ms();
    dm.r = rng_seeded(o->seed, 0xF009);
    dm.ncounties =
        o->counties > 0 && o->counties <= COUNT(county_defs) ? o->counties : COUNT(county_defs);
    if (o->counties < 0 || o->counties > COUNT(county_defs) || o->cases < 0 || o->months < 0 ||
        o->months > 36)
        return fq_fail(e, FQ_EINVAL, "invalid_value", "",
                       "demo: counties 1..7, cases >= 0, months 1..36");
    for (int k = 0; k < K__COUNT; k++)
        if (!seed_department_kinds[k] || strcmp(seed_department_kinds[k], kind_keys[k]))
            return fq_fail(e, FQ_EINVAL, "internal", "",
                           "demo: department kinds out of step with seed.c");

    struct store_rd *rd = store_rd(d->store);
    char name[96], parent[FQ_DIVISION_LEN + 1];
    int level;
    if (!rd)
        return fq_fail(e, FQ_EIO, "store", "", "demo: cannot read the database");
    if (!store_category_exists(rd, "0201") || !store_category_exists(rd, "G0101") ||
        !store_resolution_method_exists(rd, "0103"))
        return fq_fail(e, FQ_ENOTFOUND, "no_reference_data", "",
                       "demo: the database has no reference data (run `fengqiao init` first)");
    if (store_division_get(rd, CITY_CODE, name, &level, parent) == 0)
        return fq_fail(e, FQ_ECONFLICT, "demo_exists", "",
                       "demo: the demo city already exists in this database");
    if ((rc = password_hash(DEMO_PASSWORD, dm.pw_hash)))
        return fq_fail(e, rc, "password", "", "demo: cannot hash the demo password");

    if ((rc = store_write_bulk(d->store, reference_job, &dm))) {
        fail(&dm, rc, "writing divisions, departments and users");
        goto done;
    }
    progress(&dm, "plan", 0, 0);
    if ((rc = build_plan(&dm, &plan))) {
        fail(&dm, rc, "planning cases");
        goto done;
    }
    struct cases_job job = {&dm, &plan};
    if ((rc = store_write_bulk(d->store, cases_job, &job)))
        fail(&dm, rc, "writing cases");
done:
    free(plan.specs);
    free(plan.petitioners);
    free(dm.counties);
    free(dm.towns);
    free(dm.villages);
    free(dm.grids);
    free(dm.resp);
    json_decref(dm.surges);
    return rc;
}

void demo_print_accounts(FILE *f)
{
    const struct county_def *c = &county_defs[0];
    const char *town = c->towns[0] + 3;
    char town_short[32];
    fmt(town_short, sizeof town_short, "%.*s", (int)(strlen(town) - strlen("街道")), town);
    fprintf(f, "\n演示账号 (demo accounts) — 密码 password: %s\n\n", DEMO_PASSWORD);
    fprintf(f, "  %-26s %s\n", "admin", "管理员 · " CITY_NAME "（全市）");
    fprintf(f, "  %-26s %s\n", "city.leader", "领导 · 全市大屏、督办");
    fprintf(f, "  %-26s %s\n", "city.dispatcher", "调度员 · 市综治中心");
    fprintf(f, "  %-26s %s%s\n", "county1.dispatcher", "研判/调度员 · ", c->name);
    fprintf(f, "  %-26s %s%s\n", "county1.clerk", "窗口受理员 · ", c->name);
    fprintf(f, "  %-26s %s%s\n", "county1.supervisor", "督办员 · ", c->name);
    fprintf(f, "  %-26s %s%s\n", "county1.leader", "领导 · ", c->name);
    fprintf(f, "  %-26s %s%s司法局（同理 .police .letters .hrss .housing .urban …）\n",
            "county1.handler.justice", "部门承办人 · ", c->name);
    fprintf(f, "  %-26s %s%s\n", "county1.mediator1", "调解员 · ", c->name);
    fprintf(f, "  %-26s %s%s\n", "town01.dispatcher", "乡镇调度员 · ", town);
    fprintf(f, "  %-26s %s%s\n", "town01.clerk", "乡镇受理员 · ", town);
    fprintf(f, "  %-26s %s%s司法所\n", "town01.handler.justice", "司法所承办人 · ", town_short);
    fprintf(f, "  %-26s %s%s\n", "town01.mediator", "人民调解员 · ", town);
    fprintf(f, "  %-26s %s\n", "grid0001", "网格员 · 第1个村（社区），grid0002… 依次类推");
    fprintf(f, "\n  countyN = 第N个县（市、区），townNN = 第NN个乡镇（街道）。\n");
}
