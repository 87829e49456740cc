/* Identifiers China's standards define: resident ID (GB 11643), mobile numbers, unified social
 * credit code (GB 32100), statistical division codes (统计用区划代码). */
#ifndef FQ_CORE_IDENT_H
#define FQ_CORE_IDENT_H

#include <stddef.h>

/* 1 when s is an 18-character resident ID with a valid date and check digit ('x' accepted). */
int ident_resident_id_valid(const char *s);
/* Normalises a mobile number (strips spaces, dashes, +86/0086) into out[12]; 0 when it matches
 * ^1[3-9][0-9]{9}$, FQ_EINVAL otherwise. */
int ident_phone_normalize(const char *s, char out[12]);
/* 1 when s is a valid 18-character unified social credit code. */
int ident_uscc_valid(const char *s);
/* 1 when s is 12 digits forming a plausible division code (non-zero province, zeros below its
 * level). */
int division_code_valid(const char *s);
/* Level of a 12-digit division code: LEVEL_CITY (……00000000), LEVEL_COUNTY, LEVEL_TOWNSHIP,
 * LEVEL_VILLAGE; LEVEL_NONE when invalid. Province-level codes count as LEVEL_CITY's parent and
 * return LEVEL_NONE. */
int division_level(const char *code);
/* Length of the significant prefix: city 4, county 6, township 9, village 12 (0 if invalid). */
size_t division_prefix_len(const char *code);
/* 1 when `code` lies in the subtree rooted at `root` (root "" contains everything; an invalid
 * root, province codes included, contains nothing). */
int division_contains(const char *root, const char *code);
/* The 6-digit county code of a division at county level or below; out[7], "" otherwise. */
void division_county(const char *code, char out[7]);
/* Code of the ancestor at `level` (LEVEL_CITY..LEVEL_VILLAGE), zero-padded; out[13], "" when
 * the code or level is invalid. */
void division_ancestor(const char *code, int level, char out[13]);

#endif
