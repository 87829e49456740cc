/* Working-day calendar: weekends off, official holidays off, make-up working days (调休) on.
 * Immutable once built, so threads share it without locks; a change builds a new one. */
#ifndef FQ_CORE_CALENDAR_H
#define FQ_CORE_CALENDAR_H

#include <stdint.h>

struct calendar;

/* Builds a calendar from parallel arrays of day numbers and kinds ('o' off, 'w' work), any order.
 * NULL only when out of memory. */
struct calendar *calendar_new(const int64_t *days, const char *kinds, int n);
void calendar_free(struct calendar *cal);
/* 1 when the China-local day is a working day. */
int calendar_is_working_day(const struct calendar *cal, int64_t day);
/* The instant n working days after `start` (ms): the same time of day on the n-th working day
 * after start's day (a start on a non-working day counts from the next working day's start). */
int64_t calendar_add_working_days(const struct calendar *cal, int64_t start, int n);
/* Working hours between two instants, counting 24 h of each working day (non-working days
 * contribute nothing); 0 when b <= a. */
double calendar_working_hours(const struct calendar *cal, int64_t a, int64_t b);
/* Working days left from now to due, fractional, negative when overdue. */
double calendar_working_days_left(const struct calendar *cal, int64_t now, int64_t due);

#endif
