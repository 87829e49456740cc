/* The working-day calendar: Monday to Friday work, Saturday and Sunday rest, except the days the
 * State Council's annual notice lists — official holidays (放假, 'o') and the weekend days worked
 * in exchange (调休, 'w'). Only those exceptions are stored, sorted by day for binary search; the
 * calendar never changes after calendar_new, so every thread reads it without a lock and an edit
 * builds a new one. Working time is counted in whole days of 24 hours: a case's clock stops on
 * rest days and runs around the clock on working days, as the deadline rules count them. */
#include "core/calendar.h"
#include "util/clock.h"

#include <stdlib.h>

struct exception_day {
    int64_t day;
    char kind; /* 'o' off, 'w' work */
    int order; /* position in the input: the later of two entries for a day wins */
};

struct calendar {
    struct exception_day *days; /* sorted by day, one entry per day */
    int n;
};

static int by_day_then_order(const void *a, const void *b)
{
    const struct exception_day *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

struct calendar *calendar_new(const int64_t *days, const char *kinds, int n)
{
    struct calendar *cal = calloc(1, sizeof *cal);
    if (!cal)
        return NULL;
    if (n <= 0 || !days || !kinds)
        return cal;
    cal->days = malloc((size_t)n * sizeof *cal->days);
    if (!cal->days) {
        free(cal);
        return NULL;
    }
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (kinds[i] != 'o' && kinds[i] != 'w')
            continue; /* not an exception we know: the day keeps its weekday rule */
        cal->days[m].day = days[i];
        cal->days[m].kind = kinds[i];
        cal->days[m].order = i;
        m++;
    }
    if (m > 1) /* qsort(NULL, 0) is undefined */
        qsort(cal->days, (size_t)m, sizeof *cal->days, by_day_then_order);
    int k = 0;
    for (int i = 0; i < m; i++) {
        if (k > 0 && cal->days[k - 1].day == cal->days[i].day)
            cal->days[k - 1] = cal->days[i];
        else
            cal->days[k++] = cal->days[i];
    }
    cal->n = k;
    return cal;
}

void calendar_free(struct calendar *cal)
{
    if (!cal)
        return;
    free(cal->days);
    free(cal);
}

/* Index of the first exception on or after `day` (cal->n when none). */
static int lower_bound(const struct calendar *cal, int64_t day)
{
    int lo = 0, hi = cal ? cal->n : 0;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (cal->days[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int is_weekend(int64_t day)
{
    return day_weekday(day) >= 6;
}

int calendar_is_working_day(const struct calendar *cal, int64_t day)
{
    int i = lower_bound(cal, day);
    if (cal && i < cal->n && cal->days[i].day == day)
        return cal->days[i].kind == 'w';
    return !is_weekend(day);
}

static int64_t next_working_day(const struct calendar *cal, int64_t day)
{
    do
        day++;
    while (!calendar_is_working_day(cal, day));
    return day;
}

int64_t calendar_add_working_days(const struct calendar *cal, int64_t start, int n)
{
    int64_t d = day_of_ms(start);
    int64_t tod = start - ms_of_day(d);
    if (!calendar_is_working_day(cal, d)) {
        d = next_working_day(cal, d);
        tod = 0;
    }
    for (int i = 0; i < n; i++)
        d = next_working_day(cal, d);
    return ms_of_day(d) + tod;
}

/* Monday..Friday among the days [0, k) counted from a Monday. */
static int64_t weekdays_from_monday(int64_t k)
{
    int64_t r = k % 7;
    return k / 7 * 5 + (r < 5 ? r : 5);
}

/* Working days in [d1, d2): weekdays, minus holidays on weekdays, plus weekend days worked. */
static int64_t working_days_between(const struct calendar *cal, int64_t d1, int64_t d2)
{
    if (d2 <= d1)
        return 0;
    /* Count weekdays from a Monday at or before d1, which makes the arithmetic non-negative. */
    int64_t monday = d1 - (day_weekday(d1) - 1);
    int64_t count = weekdays_from_monday(d2 - monday) - weekdays_from_monday(d1 - monday);
    if (cal)
        for (int i = lower_bound(cal, d1); i < cal->n && cal->days[i].day < d2; i++) {
            int weekend = is_weekend(cal->days[i].day);
            if (cal->days[i].kind == 'o' && !weekend)
                count--;
            else if (cal->days[i].kind == 'w' && weekend)
                count++;
        }
    return count;
}

/* Working milliseconds in [a, b) within day d's span. */
static int64_t partial_ms(const struct calendar *cal, int64_t d, int64_t a, int64_t b)
{
    int64_t from = ms_of_day(d), to = ms_of_day(d + 1);
    if (a > from)
        from = a;
    if (b < to)
        to = b;
    return to > from && calendar_is_working_day(cal, d) ? to - from : 0;
}

double calendar_working_hours(const struct calendar *cal, int64_t a, int64_t b)
{
    if (b <= a)
        return 0;
    int64_t da = day_of_ms(a), db = day_of_ms(b);
    int64_t ms;
    if (da == db) {
        ms = partial_ms(cal, da, a, b);
    } else {
        ms = partial_ms(cal, da, a, b) + partial_ms(cal, db, a, b) +
             working_days_between(cal, da + 1, db) * FQ_DAY_MS;
    }
    return (double)ms / (double)FQ_HOUR_MS;
}

double calendar_working_days_left(const struct calendar *cal, int64_t now, int64_t due)
{
    if (due >= now)
        return calendar_working_hours(cal, now, due) / 24.0;
    return -calendar_working_hours(cal, due, now) / 24.0;
}
