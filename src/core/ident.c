/* Identifiers China's national standards define, checked before anything is stored.
 *
 * Resident ID (居民身份证号码, GB 11643): 6-digit address, YYYYMMDD birth date, 3-digit sequence
 * and an ISO 7064 MOD 11-2 check character. Mobile numbers: 11 digits starting 13..19, after
 * stripping separators and the +86 / 0086 / 86 country prefix. Unified social credit code
 * (统一社会信用代码, GB 32100): 18 characters over a 31-letter alphabet with a MOD 31 check.
 * Statistical division codes (统计用区划代码): 12 digits = province 2 + prefecture 2 + county 2 +
 * township 3 + village 3; the level is where the trailing zeros start. Scope checks compare
 * significant prefixes of these codes. */
#include "core/ident.h"
#include "core/casecode.h"
#include "store/model.h"
#include "util/err.h"

#include <string.h>

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static int date_valid(int y, int m, int d)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1)
        return 0;
    int last = dm[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        last = 29;
    return d <= last;
}

int ident_resident_id_valid(const char *s)
{
    if (!s || strlen(s) != 18 || !all_digits(s, 17))
        return 0;
    if (!date_valid(num(s + 6, 4), num(s + 10, 2), num(s + 12, 2)))
        return 0;
    char c = s[17] == 'x' ? 'X' : s[17];
    return c == iso7064_mod11_2(s, 17);
}

int ident_phone_normalize(const char *s, char out[12])
{
    char d[24];
    size_t n = 0;
    if (!s)
        return FQ_EINVAL;
    for (; *s; s++) {
        if (*s == ' ' || *s == '-')
            continue;
        if (n == sizeof d - 1)
            return FQ_EINVAL; /* far too long for any phone number */
        d[n++] = *s;
    }
    d[n] = 0;
    const char *p = d;
    if (n == 14 && !strncmp(d, "+86", 3))
        p += 3;
    else if (n == 15 && !strncmp(d, "0086", 4))
        p += 4;
    else if (n == 13 && !strncmp(d, "86", 2))
        p += 2;
    if (strlen(p) != 11 || !all_digits(p, 11) || p[0] != '1' || p[1] < '3')
        return FQ_EINVAL;
    memcpy(out, p, 12);
    return 0;
}

int ident_uscc_valid(const char *s)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    int v[18];
    if (!s || strlen(s) != 18)
        return 0;
    for (int i = 0; i < 18; i++) {
        const char *p = s[i] ? strchr(alphabet, s[i]) : NULL;
        if (!p)
            return 0;
        v[i] = (int)(p - alphabet);
    }
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += v[i] * weights[i];
    return v[17] == (31 - sum % 31) % 31;
}

/* The parts of a division code below the province, as [start, end) offsets. */
static const int part_start[4] = {2, 4, 6, 9};
static const int part_end[4] = {4, 6, 9, 12};

static int part_zero(const char *s, int k)
{
    for (int i = part_start[k]; i < part_end[k]; i++)
        if (s[i] != '0')
            return 0;
    return 1;
}

/* Level of a well-formed code; LEVEL_NONE for provinces and malformed codes. The level is where
 * the trailing zeros start. The prefecture part must be non-zero, and a village needs a township;
 * the county part alone may be zero under a non-zero township, because prefecture-level cities
 * without counties (东莞 4419, 中山 4420, 儋州 4604, 嘉峪关 6202) number their townships
 * directly (东莞 东城街道 441900003000). */
static int level_of(const char *s)
{
    if (!s || strlen(s) != FQ_DIVISION_LEN || !all_digits(s, FQ_DIVISION_LEN))
        return LEVEL_NONE;
    int province = num(s, 2);
    if (province < 11 || province > 82 || part_zero(s, 0))
        return LEVEL_NONE;
    if (!part_zero(s, 3))
        return part_zero(s, 2) ? LEVEL_NONE : LEVEL_VILLAGE;
    if (!part_zero(s, 2))
        return LEVEL_TOWNSHIP;
    return part_zero(s, 1) ? LEVEL_CITY : LEVEL_COUNTY;
}

int division_code_valid(const char *s)
{
    return level_of(s) != LEVEL_NONE;
}

int division_level(const char *code)
{
    return level_of(code);
}

static size_t prefix_of_level(int level)
{
    switch (level) {
    case LEVEL_CITY:
        return 4;
    case LEVEL_COUNTY:
        return 6;
    case LEVEL_TOWNSHIP:
        return 9;
    case LEVEL_VILLAGE:
        return 12;
    }
    return 0;
}

size_t division_prefix_len(const char *code)
{
    return prefix_of_level(level_of(code));
}

int division_contains(const char *root, const char *code)
{
    if (root && !*root)
        return 1;
    size_t n = division_prefix_len(root);
    /* A malformed root contains nothing: a bad scope must never widen to everything. */
    if (n == 0 || !division_code_valid(code))
        return 0;
    return !strncmp(root, code, n);
}

void division_county(const char *code, char out[7])
{
    int level = level_of(code);
    if (level < LEVEL_COUNTY) {
        out[0] = 0;
        return;
    }
    memcpy(out, code, 6);
    out[6] = 0;
}

void division_ancestor(const char *code, int level, char out[13])
{
    size_t n = prefix_of_level(level);
    if (!division_code_valid(code) || n == 0) {
        out[0] = 0;
        return;
    }
    memcpy(out, code, n);
    memset(out + n, '0', FQ_DIVISION_LEN - n);
    out[FQ_DIVISION_LEN] = 0;
}
