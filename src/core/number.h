/* number.h -- the numeric tower (number.c, numprims.c).
 * SPDX-License-Identifier: MIT
 */
#ifndef PITH_NUMBER_H
#define PITH_NUMBER_H

#include "vm.h"

enum { NK_FIX, NK_BIG, NK_RAT, NK_FLO, NK_COMP, NK_NONE };
int num_kind(pv v);
bool num_is_real(pv v);
int num_sign(pv v);                          /* of a real; NaN gives 0 */
int rat_make(pith_vm *vm, pv n, pv d, pv *out);
int comp_make(pith_vm *vm, pv re, pv im, pv *out);
int num_make_polar(pith_vm *vm, pv mag, pv ang, pv *out);
int num_neg(pith_vm *vm, pv a, pv *out);
int num_equal(pith_vm *vm, pv a, pv b, bool *out);
int num_to_double(pith_vm *vm, pv v, double *out);
int num_exact(pith_vm *vm, pv v, pv *out);
int num_inexact(pith_vm *vm, pv v, pv *out);
int num_exact_of_double(pith_vm *vm, double d, pv *out);
bool num_eqv(pv a, pv b);
uint32_t num_hash(pv v);
int num_write(pith_vm *vm, pv v, int radix, obuf *o);

#endif
