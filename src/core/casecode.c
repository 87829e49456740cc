/* 一案一码: the case code and its check character.
 *
 * A code is <6-digit county><yyyymmdd><6-digit daily sequence><check>, 21 characters. The check
 * is ISO 7064 MOD 11-2, the same scheme GB 11643 uses for the 18th character of a resident ID:
 * digit i of n (0-based, from the left) weighs 2^(n-i) mod 11 and the check is
 * (12 - sum mod 11) mod 11, written 'X' for 10. It catches every single-digit error and every
 * transposition of neighbours, so a mistyped code is refused at the portal before any lookup.
 * The county and date parts are checked too, so a code that casecode_make could not have built is
 * never accepted. */
#include "core/casecode.h"
#include "util/clock.h"
#include "util/err.h"

#include <stdio.h>
#include <string.h>

char iso7064_mod11_2(const char *digits, size_t n)
{
    /* Walking from the right, the weight of each digit doubles (mod 11), starting at 2. */
    unsigned sum = 0, w = 2;
    for (size_t k = n; k-- > 0;) {
        char c = digits[k];
        if (c < '0' || c > '9')
            return 0;
        sum = (sum + (unsigned)(c - '0') * w) % 11;
        w = w * 2 % 11;
    }
    unsigned check = (12 - sum) % 11;
    return check == 10 ? 'X' : (char)('0' + check);
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* A county code: 6 digits under a province code 11..82 (北京 11 .. 澳门 82). */
static int county_valid(const char *county)
{
    if (!county || strlen(county) != 6 || !all_digits(county, 6))
        return 0;
    int province = (county[0] - '0') * 10 + (county[1] - '0');
    return province >= 11 && province <= 82;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

int casecode_make(const char *county, int64_t day, int seq, char out[22])
{
    int y, m, d;
    if (!county_valid(county) || seq < 1 || seq > 999999)
        return FQ_EINVAL;
    if (day < day_from_ymd(1900, 1, 1) || day > day_from_ymd(9999, 12, 31))
        return FQ_EINVAL;
    ymd_from_day(day, &y, &m, &d);
    char code[22];
    snprintf(code, sizeof code, "%s%04d%02d%02d%06d", county, y, m, d, seq);
    code[20] = iso7064_mod11_2(code, 20);
    code[21] = 0;
    memcpy(out, code, sizeof code);
    return 0;
}

int casecode_check(const char *s)
{
    if (!s || strlen(s) != 21 || !all_digits(s, 20))
        return FQ_EINVAL;
    char county[7];
    memcpy(county, s, 6);
    county[6] = 0;
    if (!county_valid(county))
        return FQ_EINVAL;
    int y = (s[6] - '0') * 1000 + (s[7] - '0') * 100 + (s[8] - '0') * 10 + (s[9] - '0');
    int m = (s[10] - '0') * 10 + (s[11] - '0');
    int d = (s[12] - '0') * 10 + (s[13] - '0');
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return FQ_EINVAL;
    char c = s[20] == 'x' ? 'X' : s[20];
    return c == iso7064_mod11_2(s, 20) ? 0 : FQ_EINVAL;
}
