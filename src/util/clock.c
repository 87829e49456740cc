/* Civil-date arithmetic (Howard Hinnant's days_from_civil) and China-local formatting. */
#include "util/clock.h"
#include "util/err.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static _Atomic int64_t clock_delta;

int64_t fq_now_ms(void)
{
    /* read once; atomic because the first calls may come from several threads at once */
    static _Atomic int64_t fake_cache = -1;
    int64_t fake = atomic_load(&fake_cache);
    if (fake < 0) {
        const char *s = getenv("FQ_FAKE_NOW");
        fake = s ? atoll(s) : 0;
        if (fake < 0)
            fake = 0;
        atomic_store(&fake_cache, fake);
    }
    int64_t base;
    if (fake > 0) {
        base = fake;
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        base = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    }
    return base + atomic_load(&clock_delta);
}

void fq_clock_shift(int64_t delta_ms)
{
    atomic_fetch_add(&clock_delta, delta_ms);
}

int64_t day_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void ymd_from_day(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int day_weekday(int64_t day)
{
    int64_t w = (day + 3) % 7; /* 1970-01-01 was a Thursday */
    if (w < 0)
        w += 7;
    return (int)w + 1;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int64_t day_of_ms(int64_t ms)
{
    return floor_div(ms + FQ_TZ_OFFSET_MS, FQ_DAY_MS);
}

int64_t ms_of_day(int64_t day)
{
    return day * FQ_DAY_MS - FQ_TZ_OFFSET_MS;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static int parse_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int parse_date_prefix(const char *s, int64_t *day)
{
    int y, m, d;
    if (strlen(s) < 10 || s[4] != '-' || s[7] != '-' || parse_digits(s, 4, &y) ||
        parse_digits(s + 5, 2, &m) || parse_digits(s + 8, 2, &d))
        return FQ_EINVAL;
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return FQ_EINVAL;
    *day = day_from_ymd(y, m, d);
    return 0;
}

int day_parse(const char *s, int64_t *day)
{
    if (!s || strlen(s) != 10)
        return FQ_EINVAL;
    return parse_date_prefix(s, day);
}

/* Writes v as exactly n decimal digits (the low n digits of a non-negative v). Fixed widths by
 * hand, because snprintf with %02d on an int the compiler cannot bound trips
 * -Werror=format-truncation. */
static void put_digits(char *p, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

static void put_date(char *out, int64_t day)
{
    int y, m, d;
    ymd_from_day(day, &y, &m, &d);
    put_digits(out, y < 0 ? 0 : (unsigned)y, 4);
    out[4] = '-';
    put_digits(out + 5, (unsigned)m, 2);
    out[7] = '-';
    put_digits(out + 8, (unsigned)d, 2);
}

void day_format(int64_t day, char out[11])
{
    put_date(out, day);
    out[10] = 0;
}

void ms_format(int64_t ms, char out[26])
{
    int64_t local = ms + FQ_TZ_OFFSET_MS;
    int64_t day = floor_div(local, FQ_DAY_MS);
    unsigned sec = (unsigned)floor_div(local - day * FQ_DAY_MS, 1000); /* 0..86399 */
    put_date(out, day);
    out[10] = 'T';
    put_digits(out + 11, sec / 3600, 2);
    out[13] = ':';
    put_digits(out + 14, sec / 60 % 60, 2);
    out[16] = ':';
    put_digits(out + 17, sec % 60, 2);
    memcpy(out + 19, "+08:00", 7);
}

int ms_parse(const char *s, int64_t *ms)
{
    int64_t day;
    if (!s || parse_date_prefix(s, &day))
        return FQ_EINVAL;
    size_t n = strlen(s);
    if (n == 10) {
        *ms = ms_of_day(day);
        return 0;
    }
    int hh, mm, ss = 0;
    const char *p = s + 10;
    if ((*p != 'T' && *p != ' ') || strlen(p) < 6 || parse_digits(p + 1, 2, &hh) || p[3] != ':' ||
        parse_digits(p + 4, 2, &mm))
        return FQ_EINVAL;
    p += 6;
    if (*p == ':') {
        if (parse_digits(p + 1, 2, &ss))
            return FQ_EINVAL;
        p += 3;
        if (*p == '.') { /* fractional seconds are accepted and dropped */
            p++;
            while (*p >= '0' && *p <= '9')
                p++;
        }
    }
    if (hh > 23 || mm > 59 || ss > 59)
        return FQ_EINVAL;
    int64_t offset = FQ_TZ_OFFSET_MS;
    if (*p == 'Z') {
        offset = 0;
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (strlen(p) < 6 || parse_digits(p + 1, 2, &oh) || p[3] != ':' ||
            parse_digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return FQ_EINVAL;
        offset = (oh * 60LL + om) * 60000 * (*p == '-' ? -1 : 1);
        p += 6;
    }
    if (*p)
        return FQ_EINVAL;
    *ms = day * FQ_DAY_MS + ((hh * 60LL + mm) * 60 + ss) * 1000 - offset;
    return 0;
}
