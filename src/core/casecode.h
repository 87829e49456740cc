/* 一案一码: the case code <6-digit county><yyyymmdd><6-digit daily sequence><check>, the check
 * character computed with ISO 7064 MOD 11-2 (as in the resident ID), so a mistyped code is caught
 * before any lookup. */
#ifndef FQ_CORE_CASECODE_H
#define FQ_CORE_CASECODE_H

#include <stddef.h>
#include <stdint.h>

/* ISO 7064 MOD 11-2 check character ('0'..'9' or 'X') of n decimal digits; 0 if a non-digit. */
char iso7064_mod11_2(const char *digits, size_t n);
/* Builds a code from a 6-digit county, a China-local day number and a sequence 1..999999.
 * 0, or FQ_EINVAL on a bad county or sequence (out untouched). out holds 22 bytes. */
int casecode_make(const char *county, int64_t day, int seq, char out[22]);
/* 0 when s is a well-formed code whose check character matches (lower-case x accepted),
 * FQ_EINVAL otherwise. */
int casecode_check(const char *s);

#endif
