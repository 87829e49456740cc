/* Finding a place by what a clerk types (一表通's "location by address"): a village, community
 * or grid name, often abbreviated or with the grid number in digits ("光明社区3网格" for
 * 光明社区第三网格). Offline: only our own division and grid names, no geocoder. A LIKE pattern
 * is SQL, so it is made here, beside the query that uses it (store_places). */
#ifndef FQ_STORE_PLACE_PATTERN_H
#define FQ_STORE_PLACE_PATTERN_H

#include <stddef.h>

/* The SQL LIKE pattern (escape character '\') of q: its runs of letters, digits and other
 * characters each as a substring in order, anything between them allowed ("光明3网格" →
 * "%光明%3%网格%"); with chinese_digits, numbers 0..99 written as Chinese numerals ("%三%").
 * Whitespace and ASCII punctuation only separate. 0, or -1 when q has nothing to match or the
 * pattern does not fit out[size]. */
int place_pattern(const char *q, int chinese_digits, char *out, size_t size);

#endif
