/* char.c -- Unicode character properties and case mappings (unicode.h).
 *
 * Lookups go through the generated tables of unicode_data.h: a three-stage
 * trie gives each code point a record (category, property flags, digit
 * value, simple case-mapping offsets); full mappings that differ from the
 * simple ones are in small sorted tables searched by bisection.  ASCII has
 * direct fast paths because the reader and the string procedures call
 * these functions for nearly every character.
 *
 * Freestanding: no libc, no allocation, no mutable state, no recursion.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "unicode.h"
#include "unicode_data.h"

#define MAX_CODE_POINT 0x10FFFFu

/* Record of code points above MAX_CODE_POINT: unassigned, no properties. */
static const struct ucd_record no_record = {
    UCD_CAT_CN, 0, UCD_DIGIT_NONE, 0, 0, 0
};

/* The trie lookup: the record of code point c (any uint32_t). */
static inline const struct ucd_record *record(uint32_t c)
{
    uint32_t b2, b3;

    if (c > MAX_CODE_POINT)
        return &no_record;
    b2 = ucd_stage1[c >> (UCD_SHIFT2 + UCD_SHIFT3)];
    b3 = ucd_stage2[(b2 << UCD_SHIFT2)
                    + ((c >> UCD_SHIFT3) & ((1u << UCD_SHIFT2) - 1))];
    return &ucd_records[ucd_stage3[(b3 << UCD_SHIFT3)
                                   + (c & ((1u << UCD_SHIFT3) - 1))]];
}

static inline bool has_flag(uint32_t c, unsigned flag)
{
    return (record(c)->flags & flag) != 0;
}

static inline bool ascii_letter(uint32_t c)
{
    return (c | 0x20u) - 'a' < 26u;
}

bool char_is_alphabetic(uint32_t c)
{
    if (c < 0x80)
        return ascii_letter(c);
    return has_flag(c, UCD_F_ALPHABETIC);
}

bool char_is_numeric(uint32_t c)
{
    return char_digit_value(c) >= 0;
}

bool char_is_whitespace(uint32_t c)
{
    if (c < 0x80)
        return c == ' ' || c - 0x09u < 5u;     /* TAB LF VT FF CR */
    return has_flag(c, UCD_F_WHITESPACE);
}

bool char_is_upper(uint32_t c)
{
    if (c < 0x80)
        return c - 'A' < 26u;
    return has_flag(c, UCD_F_UPPERCASE);
}

bool char_is_lower(uint32_t c)
{
    if (c < 0x80)
        return c - 'a' < 26u;
    return has_flag(c, UCD_F_LOWERCASE);
}

bool char_is_cased(uint32_t c)
{
    if (c < 0x80)
        return ascii_letter(c);
    return has_flag(c, UCD_F_CASED);
}

bool char_is_case_ignorable(uint32_t c)
{
    return has_flag(c, UCD_F_CASE_IGNORABLE);
}

int char_digit_value(uint32_t c)
{
    unsigned d;

    if (c < 0x80)
        return c - '0' < 10u ? (int)(c - '0') : -1;
    d = record(c)->digit;
    return d == UCD_DIGIT_NONE ? -1 : (int)d;
}

uint32_t char_upcase(uint32_t c)
{
    if (c < 0x80)
        return c - 'a' < 26u ? c - 0x20u : c;
    return c + (uint32_t)ucd_deltas[record(c)->upper];
}

uint32_t char_downcase(uint32_t c)
{
    if (c < 0x80)
        return c - 'A' < 26u ? c + 0x20u : c;
    return c + (uint32_t)ucd_deltas[record(c)->lower];
}

uint32_t char_foldcase(uint32_t c)
{
    if (c < 0x80)
        return c - 'A' < 26u ? c + 0x20u : c;
    return c + (uint32_t)ucd_deltas[record(c)->fold];
}

/* Bisect a sorted {key, m0, m1, m2} table for c; write the mapping to out
 * and return its length, or return 0 when c has no entry. */
static int special_lookup(const uint16_t (*table)[4], size_t n, uint32_t c,
                          uint32_t out[3])
{
    size_t lo = 0, hi = n;
    int k;

    if (n == 0 || c < table[0][0] || c > table[n - 1][0])
        return 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (table[mid][0] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == n || table[lo][0] != c)
        return 0;
    for (k = 0; k < 3 && table[lo][k + 1] != 0; k++)
        out[k] = table[lo][k + 1];
    return k;
}

int char_full_upcase(uint32_t c, uint32_t out[3])
{
    int n = special_lookup(ucd_special_upper, UCD_N_SPECIAL_UPPER, c, out);
    if (n > 0)
        return n;
    out[0] = char_upcase(c);
    return 1;
}

int char_full_downcase(uint32_t c, uint32_t out[3])
{
    int n = special_lookup(ucd_special_lower, UCD_N_SPECIAL_LOWER, c, out);
    if (n > 0)
        return n;
    out[0] = char_downcase(c);
    return 1;
}

int char_full_foldcase(uint32_t c, uint32_t out[3])
{
    int n = special_lookup(ucd_special_fold, UCD_N_SPECIAL_FOLD, c, out);
    if (n > 0)
        return n;
    out[0] = char_foldcase(c);
    return 1;
}

const char *char_general_category(uint32_t c)
{
    return ucd_categories[record(c)->cat];
}
