/* flonum.h -- exact conversions between IEEE-754 binary64 doubles and
 * decimal, for the Scheme reader and printer (DESIGN.md: Core, freestanding).
 *
 * Every function here is exact: the printer yields the shortest digit string
 * that reads back to the same double, the reader rounds correctly (to
 * nearest, ties to even) however many digits it is given. Neither allocates,
 * touches global state or the host, or uses more than about 1 KiB of stack.
 *
 * Signs are the caller's business: the functions take and return magnitudes.
 * The reader assumes the FPU is in its default state (round to nearest), which
 * the core never changes.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PITH_FLONUM_H
#define PITH_FLONUM_H

#include <stddef.h>
#include <stdint.h>

/* Shortest decimal digits that read back to d (d finite and > 0; sign, zero,
 * infinities and NaN are the caller's: for them the result is 0 digits).
 * Writes n ASCII digits D1..Dn to digits[] (n <= 17, the first is '1'..'9',
 * the last is not '0', no NUL terminator), returns n, and sets *exp10 so that
 * d reads back from 0.D1D2...Dn x 10^exp10 (the point is before the first
 * digit: 1.0 gives "1", exp10 1; 0.015625 gives "15625", exp10 -1).
 * Of several shortest strings that read back to d, the one closest to the
 * exact value of d is chosen, and of two equally close ones the one whose
 * last digit is even. The sign of a negative d is ignored. */
int flo_shortest(double d, char digits[17], int *exp10);

/* The double nearest to the decimal number
 *     value = (the n ASCII digits '0'..'9' at digits, read as an integer)
 *             x 10^exp10
 * i.e. "123", 3, -2 means 1.23. Rounds to nearest, ties to even, exactly,
 * for any n (thousands of digits, leading and trailing zeros allowed; n == 0
 * means 0) and any exp10 (no arithmetic overflows). Too large gives
 * +infinity, too small gives +0.0 or a subnormal, both correctly rounded.
 * The result is never negative: the caller applies the sign. The digits must
 * be ASCII digits; anything else gives an unspecified (but safe) result. */
double flo_from_decimal(const char *digits, size_t n, int64_t exp10);

/* The exact value of d (finite; its sign is ignored) as *m x 2^*e with
 * *m < 2^53: for a normal d, *m includes the hidden bit (2^52 <= *m) and
 * *e = biased exponent - 1075; for a subnormal *m = the fraction field and
 * *e = -1074; for zero *m = 0 and *e = 0. *m is not reduced to odd. */
void flo_decompose(double d, uint64_t *m, int *e);

/* The double nearest to m x 2^e (round to nearest, ties to even), for any m
 * and e: +infinity when too large, +0.0 or a subnormal when too small. */
double flo_ldexp_u64(uint64_t m, int64_t e);

#endif
