/* bignum.h -- exact integers of any size (bignum.c).
 *
 * "Integer" below means a fixnum or a BIGNUM; results are normalized
 * (fixnums when they fit).  Functions returning int are statuses (TRY).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PITH_BIGNUM_H
#define PITH_BIGNUM_H

#include "vm.h"

bool int_is(pv v);
int int_from_i64(pith_vm *vm, int64_t x, pv *out);
int int_from_u64(pith_vm *vm, uint64_t m, bool neg, pv *out);
bool int_to_i64(pv v, int64_t *out);          /* false if it does not fit */
bool int_to_u64(pv v, uint64_t *out);         /* a non-negative value < 2^64 */
int int_sign(pv v);                           /* -1, 0, 1 */
int int_cmp(pv a, pv b);                      /* -1, 0, 1; allocates nothing */
bool int_is_odd(pv a);
size_t int_bit_length(pv a);                  /* of the magnitude */
int int_add(pith_vm *vm, pv a, pv b, pv *out);
int int_sub(pith_vm *vm, pv a, pv b, pv *out);
int int_neg(pith_vm *vm, pv a, pv *out);
int int_mul(pith_vm *vm, pv a, pv b, pv *out);
/* Quotient and remainder (either pointer may be NULL), truncating or
 * flooring; a divide-by-zero error when b is 0. */
int int_divmod(pith_vm *vm, pv a, pv b, bool floor_mode, pv *q, pv *r);
int int_shift(pith_vm *vm, pv a, int64_t k, pv *out);  /* a * 2^k, floor */
int int_gcd(pith_vm *vm, pv a, pv b, pv *out);          /* non-negative */
int int_expt(pith_vm *vm, pv base, uint64_t e, pv *out);
int int_sqrt(pith_vm *vm, pv a, pv *out);               /* floor sqrt, a >= 0 */
double int_to_double(pv a);                   /* correctly rounded */
int int_from_double(pith_vm *vm, double d, pv *out);    /* d integral, finite */
int int_to_string(pith_vm *vm, pv a, int radix, obuf *o);
/* digits d[0..n) are digit values, most significant first */
int int_from_digits(pith_vm *vm, const uint8_t *d, size_t n, int radix, bool neg, pv *out);
uint32_t int_hash(pv a);
bool int_eqv(pv a, pv b);

#endif
