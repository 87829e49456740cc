/* Time for a platform that runs on China Standard Time (UTC+8, no daylight saving).
 *
 * Instants are int64 milliseconds since the Unix epoch (UTC). Calendar dates are "day numbers":
 * days since 1970-01-01 of the civil date in China, so a working-day calendar can count them. */
#ifndef FQ_UTIL_CLOCK_H
#define FQ_UTIL_CLOCK_H

#include <stdint.h>

#define FQ_TZ_OFFSET_MS (8LL * 3600 * 1000)
#define FQ_DAY_MS (86400LL * 1000)
#define FQ_HOUR_MS (3600LL * 1000)

/* Now in ms since the epoch. FQ_FAKE_NOW (ms) overrides it for tests; fq_clock_shift moves it. */
int64_t fq_now_ms(void);
/* Adds delta ms to the clock this process sees (tests and the demo's time travel). */
void fq_clock_shift(int64_t delta_ms);

/* Day number (days since 1970-01-01) of a civil date; valid for years 1900..9999. */
int64_t day_from_ymd(int y, int m, int d);
/* Civil date of a day number. */
void ymd_from_day(int64_t day, int *y, int *m, int *d);
/* Day of week of a day number: 1 = Monday .. 7 = Sunday. */
int day_weekday(int64_t day);
/* China-local day number of an instant. */
int64_t day_of_ms(int64_t ms);
/* Instant of China-local midnight starting a day. */
int64_t ms_of_day(int64_t day);

/* Parses "YYYY-MM-DD" into a day number; 0 on success, FQ_EINVAL otherwise (bad date too). */
int day_parse(const char *s, int64_t *day);
/* Writes "YYYY-MM-DD" (11 bytes with NUL). */
void day_format(int64_t day, char out[11]);
/* Writes an instant as "YYYY-MM-DDTHH:MM:SS+08:00" (26 bytes with NUL). */
void ms_format(int64_t ms, char out[26]);
/* Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS]" (China time) or with Z / ±HH:MM offset. */
int ms_parse(const char *s, int64_t *ms);

#endif
