/* number.c -- the numeric tower: arithmetic, comparison, syntax.
 *
 * Numbers are fixnums and bignums (exact integers, bignum.c), ratnums
 * (exact rationals: numerator and denominator, coprime, denominator > 1),
 * flonums (IEEE doubles), and compnums (a real part and an imaginary part,
 * each any real; an exact zero imaginary part makes the number real).
 * Arithmetic keeps exact results exact (R7RS 6.2.2): an inexact operand
 * makes the result inexact.  Flonums print with the shortest digits that
 * read back to the same double and read correctly rounded (flonum.c).
 * The primitives are in numprims.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include "vm.h"
#include "flonum.h"
#include "bignum.h"
#include "number.h"

int num_kind(pv v) {
    if (pv_is_fix(v)) return NK_FIX;
    switch (pv_type(v)) {
    case T_BIGNUM: return NK_BIG;
    case T_RATNUM: return NK_RAT;
    case T_FLONUM: return NK_FLO;
    case T_COMPNUM: return NK_COMP;
    default: return NK_NONE;
    }
}

bool num_is_number(pv v) { return num_kind(v) != NK_NONE; }
bool num_is_real(pv v) { int k = num_kind(v); return k != NK_NONE && k != NK_COMP; }
bool num_is_exact(pv v) {
    int k = num_kind(v);
    if (k == NK_COMP) return num_is_exact(SLOT(v, 0)) && num_is_exact(SLOT(v, 1));
    return k == NK_FIX || k == NK_BIG || k == NK_RAT;
}
bool num_is_integer(pv v) {
    int k = num_kind(v);
    if (k == NK_FIX || k == NK_BIG) return true;
    if (k == NK_FLO) { double d = flo_val(v); return isfinite(d) && floor(d) == d; }
    return false;
}

#define RAT_NUM(r) SLOT(r, 0)
#define RAT_DEN(r) SLOT(r, 1)
#define COMP_RE(c) SLOT(c, 0)
#define COMP_IM(c) SLOT(c, 1)

/* ---- construction ---- */

/* n/d in lowest terms (d != 0), an integer when d divides n. */
int rat_make(pith_vm *vm, pv n, pv d, pv *out) {
    if (int_sign(d) == 0) return err_msg(vm, "divide-by-zero", "/", "division by zero", PV_FALSE);
    pv g = PV_FALSE, r;
    GC_SCOPE(vm);
    GC_ROOT3(n, d, g);
    if (int_sign(d) < 0) {
        TRY(int_neg(vm, n, &n));
        TRY(int_neg(vm, d, &d));
    }
    TRY(int_gcd(vm, n, d, &g));
    if (int_cmp(g, pv_from_fix(1)) != 0) {
        TRY(int_divmod(vm, n, g, false, &n, 0));
        TRY(int_divmod(vm, d, g, false, &d, 0));
    }
    if (int_cmp(d, pv_from_fix(1)) == 0) {
        *out = n;
        return PITH_OK;
    }
    TRY(gc_alloc(vm, T_RATNUM, 2, &r));
    RAT_NUM(r) = n;
    RAT_DEN(r) = d;
    *out = r;
    return PITH_OK;
}

/* re + im i; a real when im is an exact zero. */
int comp_make(pith_vm *vm, pv re, pv im, pv *out) {
    if (pv_is_fix(im) && pv_fix(im) == 0) {
        *out = re;
        return PITH_OK;
    }
    pv c;
    GC_SCOPE(vm);
    GC_ROOT2(re, im);
    TRY(gc_alloc(vm, T_COMPNUM, 2, &c));
    COMP_RE(c) = re;
    COMP_IM(c) = im;
    *out = c;
    return PITH_OK;
}

static pv num_numer(pv q) { return num_kind(q) == NK_RAT ? RAT_NUM(q) : q; }
static pv num_denom(pv q) { return num_kind(q) == NK_RAT ? RAT_DEN(q) : pv_from_fix(1); }

/* ---- conversion to double ---- */

/* n/d (integers, d > 0) correctly rounded: scale so the quotient has 65
 * or 66 bits, keep 64 of them, and fold everything below into a sticky
 * low bit (64 bits leave room for it to round correctly). */
static double ratio_to_double(pith_vm *vm, pv n, pv d, int *st) {
    *st = PITH_OK;
    bool neg = int_sign(n) < 0;
    pv q = PV_FALSE, r = PV_FALSE, t = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT3(n, d, q);
    GC_ROOT2(r, t);
    if (neg && (*st = int_neg(vm, n, &n))) return 0;
    if (int_sign(n) == 0) return neg ? -0.0 : 0.0;
    int64_t shift = (int64_t)int_bit_length(d) - (int64_t)int_bit_length(n) + 65;
    if (shift >= 0) *st = int_shift(vm, n, shift, &n);
    else *st = int_shift(vm, d, -shift, &d);
    if (*st || (*st = int_divmod(vm, n, d, false, &q, &r))) return 0;
    bool sticky = int_sign(r) != 0;
    int64_t extra = (int64_t)int_bit_length(q) - 64;
    if (extra > 0) {
        if ((*st = int_shift(vm, q, -extra, &t))) return 0;
        if ((*st = int_shift(vm, t, extra, &r))) return 0;
        if (int_cmp(r, q) != 0) sticky = true;
        q = t;
        shift -= extra;
    }
    uint64_t m = 0;
    int_to_u64(q, &m);
    if (sticky) m |= 1;
    double x = flo_ldexp_u64(m, -shift);
    return neg ? -x : x;
}

/* The nearest double to a real number. */
int num_to_double(pith_vm *vm, pv v, double *out) {
    switch (num_kind(v)) {
    case NK_FIX: *out = (double)pv_fix(v); return PITH_OK;
    case NK_BIG: *out = int_to_double(v); return PITH_OK;
    case NK_FLO: *out = flo_val(v); return PITH_OK;
    case NK_RAT: {
        int st;
        *out = ratio_to_double(vm, RAT_NUM(v), RAT_DEN(v), &st);
        return st;
    }
    default: return err_type(vm, "inexact", "real number", v);
    }
}

/* The exact value of a finite double. */
int num_exact_of_double(pith_vm *vm, double d, pv *out) {
    if (!isfinite(d)) return err_msg(vm, "range-error", "exact", "no exact equivalent of", PV_FALSE);
    uint64_t m;
    int e;
    flo_decompose(d, &m, &e);
    if (e >= 0 || m == 0) return int_from_double(vm, d, out);
    pv n = PV_FALSE, den = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT2(n, den);
    TRY(int_from_u64(vm, m, d < 0, &n));
    TRY(int_shift(vm, pv_from_fix(1), -e, &den));
    return rat_make(vm, n, den, out);
}

int num_exact(pith_vm *vm, pv v, pv *out) {
    switch (num_kind(v)) {
    case NK_FIX: case NK_BIG: case NK_RAT: *out = v; return PITH_OK;
    case NK_FLO:
        if (!isfinite(flo_val(v))) return err_msg(vm, "range-error", "exact", "no exact equivalent of", v);
        return num_exact_of_double(vm, flo_val(v), out);
    case NK_COMP: {
        pv re = PV_FALSE, im = PV_FALSE;
        GC_SCOPE(vm);
        GC_ROOT3(v, re, im);
        TRY(num_exact(vm, COMP_RE(v), &re));
        TRY(num_exact(vm, COMP_IM(v), &im));
        return comp_make(vm, re, im, out);
    }
    default: return err_type(vm, "exact", "number", v);
    }
}

int num_inexact(pith_vm *vm, pv v, pv *out) {
    switch (num_kind(v)) {
    case NK_FLO: *out = v; return PITH_OK;
    case NK_FIX: case NK_BIG: case NK_RAT: {
        double d;
        TRY(num_to_double(vm, v, &d));
        return mk_flonum(vm, d, out);
    }
    case NK_COMP: {
        pv re = PV_FALSE, im = PV_FALSE;
        GC_SCOPE(vm);
        GC_ROOT3(v, re, im);
        TRY(num_inexact(vm, COMP_RE(v), &re));
        TRY(num_inexact(vm, COMP_IM(v), &im));
        pv c;
        TRY(gc_alloc(vm, T_COMPNUM, 2, &c));
        COMP_RE(c) = re;
        COMP_IM(c) = im;
        *out = c;
        return PITH_OK;
    }
    default: return err_type(vm, "inexact", "number", v);
    }
}

/* ---- arithmetic ---- */

enum { OP_PLUS, OP_MINUS, OP_TIMES, OP_DIVIDE };
static const char *op_name[] = {"+", "-", "*", "/"};

static int real_op(pith_vm *vm, int op, pv a, pv b, pv *out);

/* Complex arithmetic on two numbers, at least one complex. */
static int comp_op(pith_vm *vm, int op, pv a, pv b, pv *out) {
    pv ar = a, ai = pv_from_fix(0), br = b, bi = pv_from_fix(0);
    if (num_kind(a) == NK_COMP) { ar = COMP_RE(a); ai = COMP_IM(a); }
    if (num_kind(b) == NK_COMP) { br = COMP_RE(b); bi = COMP_IM(b); }
    pv t1 = PV_FALSE, t2 = PV_FALSE, re = PV_FALSE, im = PV_FALSE, den = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT2(ar, ai);
    GC_ROOT2(br, bi);
    GC_ROOT3(t1, t2, re);
    GC_ROOT2(im, den);
    switch (op) {
    case OP_PLUS:
    case OP_MINUS:
        TRY(real_op(vm, op, ar, br, &re));
        TRY(real_op(vm, op, ai, bi, &im));
        break;
    case OP_TIMES:
        /* (ar + ai i)(br + bi i) = (ar br - ai bi) + (ar bi + ai br) i */
        TRY(real_op(vm, OP_TIMES, ar, br, &t1));
        TRY(real_op(vm, OP_TIMES, ai, bi, &t2));
        TRY(real_op(vm, OP_MINUS, t1, t2, &re));
        TRY(real_op(vm, OP_TIMES, ar, bi, &t1));
        TRY(real_op(vm, OP_TIMES, ai, br, &t2));
        TRY(real_op(vm, OP_PLUS, t1, t2, &im));
        break;
    default:
        /* (a)(conj b) / |b|^2 */
        TRY(real_op(vm, OP_TIMES, br, br, &t1));
        TRY(real_op(vm, OP_TIMES, bi, bi, &t2));
        TRY(real_op(vm, OP_PLUS, t1, t2, &den));
        TRY(real_op(vm, OP_TIMES, ar, br, &t1));
        TRY(real_op(vm, OP_TIMES, ai, bi, &t2));
        TRY(real_op(vm, OP_PLUS, t1, t2, &re));
        TRY(real_op(vm, OP_DIVIDE, re, den, &re));
        TRY(real_op(vm, OP_TIMES, ai, br, &t1));
        TRY(real_op(vm, OP_TIMES, ar, bi, &t2));
        TRY(real_op(vm, OP_MINUS, t1, t2, &im));
        TRY(real_op(vm, OP_DIVIDE, im, den, &im));
        break;
    }
    return comp_make(vm, re, im, out);
}

/* Exact rational arithmetic (either may be an integer). */
static int rat_op(pith_vm *vm, int op, pv a, pv b, pv *out) {
    pv an = num_numer(a), ad = num_denom(a), bn = num_numer(b), bd = num_denom(b);
    pv t1 = PV_FALSE, t2 = PV_FALSE, n = PV_FALSE, d = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT2(an, ad);
    GC_ROOT2(bn, bd);
    GC_ROOT2(t1, t2);
    GC_ROOT2(n, d);
    switch (op) {
    case OP_PLUS:
    case OP_MINUS:
        TRY(int_mul(vm, an, bd, &t1));
        TRY(int_mul(vm, bn, ad, &t2));
        TRY(op == OP_PLUS ? int_add(vm, t1, t2, &n) : int_sub(vm, t1, t2, &n));
        TRY(int_mul(vm, ad, bd, &d));
        break;
    case OP_TIMES:
        TRY(int_mul(vm, an, bn, &n));
        TRY(int_mul(vm, ad, bd, &d));
        break;
    default:
        if (int_sign(bn) == 0) return err_msg(vm, "divide-by-zero", "/", "division by zero", PV_FALSE);
        TRY(int_mul(vm, an, bd, &n));
        TRY(int_mul(vm, ad, bn, &d));
        break;
    }
    return rat_make(vm, n, d, out);
}

static int real_op(pith_vm *vm, int op, pv a, pv b, pv *out) {
    int ka = num_kind(a), kb = num_kind(b);
    if (ka == NK_NONE) return err_type(vm, op_name[op], "number", a);
    if (kb == NK_NONE) return err_type(vm, op_name[op], "number", b);
    if (ka == NK_COMP || kb == NK_COMP) return comp_op(vm, op, a, b, out);
    if (ka == NK_FLO || kb == NK_FLO) {
        double x, y;
        GC_SCOPE(vm);
        GC_ROOT(b);
        TRY(num_to_double(vm, a, &x));
        TRY(num_to_double(vm, b, &y));
        double r = op == OP_PLUS ? x + y : op == OP_MINUS ? x - y : op == OP_TIMES ? x * y : x / y;
        return mk_flonum(vm, r, out);
    }
    if (ka == NK_RAT || kb == NK_RAT || op == OP_DIVIDE) {
        if (op == OP_DIVIDE && ka != NK_RAT && kb != NK_RAT) return rat_make(vm, a, b, out);
        return rat_op(vm, op, a, b, out);
    }
    switch (op) {
    case OP_PLUS: return int_add(vm, a, b, out);
    case OP_MINUS: return int_sub(vm, a, b, out);
    default: return int_mul(vm, a, b, out);
    }
}

int num_add(pith_vm *vm, pv a, pv b, pv *out) { return real_op(vm, OP_PLUS, a, b, out); }
int num_sub(pith_vm *vm, pv a, pv b, pv *out) { return real_op(vm, OP_MINUS, a, b, out); }
int num_mul(pith_vm *vm, pv a, pv b, pv *out) { return real_op(vm, OP_TIMES, a, b, out); }
int num_div(pith_vm *vm, pv a, pv b, pv *out) {
    int ka = num_kind(a), kb = num_kind(b);
    if (ka != NK_NONE && kb != NK_NONE && ka != NK_FLO && kb != NK_FLO && ka != NK_COMP && kb != NK_COMP &&
        num_sign(b) == 0)
        return err_msg(vm, "divide-by-zero", "/", "division by zero", PV_FALSE);
    return real_op(vm, OP_DIVIDE, a, b, out);
}

int num_neg(pith_vm *vm, pv a, pv *out) {
    if (num_kind(a) == NK_FLO) return mk_flonum(vm, -flo_val(a), out);
    if (num_kind(a) == NK_COMP) {
        pv re = PV_FALSE, im = PV_FALSE;
        GC_SCOPE(vm);
        GC_ROOT3(a, re, im);
        TRY(num_neg(vm, COMP_RE(a), &re));
        TRY(num_neg(vm, COMP_IM(a), &im));
        return comp_make(vm, re, im, out);
    }
    return num_sub(vm, pv_from_fix(0), a, out);
}

/* The sign of a real (NaN: 0). */
int num_sign(pv v) {
    switch (num_kind(v)) {
    case NK_FIX: case NK_BIG: return int_sign(v);
    case NK_RAT: return int_sign(RAT_NUM(v));
    case NK_FLO: { double d = flo_val(v); return d < 0 ? -1 : d > 0; }
    default: return 0;
    }
}

/* ---- comparison ---- */

int num_cmp(pith_vm *vm, pv a, pv b, const char *who, int *out) {
    int ka = num_kind(a), kb = num_kind(b);
    if (ka == NK_NONE || ka == NK_COMP) return err_type(vm, who, "real number", a);
    if (kb == NK_NONE || kb == NK_COMP) return err_type(vm, who, "real number", b);
    if ((ka == NK_FIX || ka == NK_BIG) && (kb == NK_FIX || kb == NK_BIG)) {
        *out = int_cmp(a, b);
        return PITH_OK;
    }
    if (ka == NK_FLO && kb == NK_FLO) {
        double x = flo_val(a), y = flo_val(b);
        *out = isnan(x) || isnan(y) ? 2 : x < y ? -1 : x > y;
        return PITH_OK;
    }
    /* Compare exactly: an infinite or NaN flonum decides at once,
     * otherwise both become exact. */
    pv x = a, y = b, t1 = PV_FALSE, t2 = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT2(x, y);
    GC_ROOT2(t1, t2);
    if (ka == NK_FLO) {
        double d = flo_val(a);
        if (isnan(d)) { *out = 2; return PITH_OK; }
        if (isinf(d)) { *out = d < 0 ? -1 : 1; return PITH_OK; }
        TRY(num_exact_of_double(vm, d, &x));
    }
    if (kb == NK_FLO) {
        double d = flo_val(b);
        if (isnan(d)) { *out = 2; return PITH_OK; }
        if (isinf(d)) { *out = d < 0 ? 1 : -1; return PITH_OK; }
        TRY(num_exact_of_double(vm, d, &y));
    }
    /* x, y exact: compare xn yd with yn xd */
    TRY(int_mul(vm, num_numer(x), num_denom(y), &t1));
    TRY(int_mul(vm, num_numer(y), num_denom(x), &t2));
    *out = int_cmp(t1, t2);
    return PITH_OK;
}

/* = on any numbers: 1 when equal. */
int num_equal(pith_vm *vm, pv a, pv b, bool *out) {
    if (num_kind(a) == NK_COMP || num_kind(b) == NK_COMP) {
        if (!num_is_number(a)) return err_type(vm, "=", "number", a);
        if (!num_is_number(b)) return err_type(vm, "=", "number", b);
        pv ar = a, ai = pv_from_fix(0), br = b, bi = pv_from_fix(0);
        if (num_kind(a) == NK_COMP) { ar = COMP_RE(a); ai = COMP_IM(a); }
        if (num_kind(b) == NK_COMP) { br = COMP_RE(b); bi = COMP_IM(b); }
        GC_SCOPE(vm);
        GC_ROOT2(ai, bi);
        int c1, c2;
        TRY(num_cmp(vm, ar, br, "=", &c1));
        TRY(num_cmp(vm, ai, bi, "=", &c2));
        *out = c1 == 0 && c2 == 0;
        return PITH_OK;
    }
    int c;
    TRY(num_cmp(vm, a, b, "=", &c));
    *out = c == 0;
    return PITH_OK;
}

bool num_eqv(pv a, pv b) {
    int ka = num_kind(a), kb = num_kind(b);
    if (ka != kb) return false;
    switch (ka) {
    case NK_FIX: return a == b;
    case NK_BIG: return int_eqv(a, b);
    case NK_RAT: return int_eqv(RAT_NUM(a), RAT_NUM(b)) && int_eqv(RAT_DEN(a), RAT_DEN(b));
    case NK_FLO: {
        uint64_t x, y;
        MEMCPY(&x, pv_raw(a, 0), 8);
        MEMCPY(&y, pv_raw(b, 0), 8);
        return x == y;
    }
    case NK_COMP: return num_eqv(COMP_RE(a), COMP_RE(b)) && num_eqv(COMP_IM(a), COMP_IM(b));
    default: return false;
    }
}

uint32_t num_hash(pv v) {
    switch (num_kind(v)) {
    case NK_FIX: case NK_BIG: return int_hash(v);
    case NK_RAT: return int_hash(RAT_NUM(v)) * 31 + int_hash(RAT_DEN(v));
    case NK_FLO: {
        uint64_t b;
        MEMCPY(&b, pv_raw(v, 0), 8);
        return (uint32_t)(b ^ (b >> 32)) * 0x9e3779b1u;
    }
    case NK_COMP: return num_hash(COMP_RE(v)) * 31 + num_hash(COMP_IM(v));
    default: return 0;
    }
}

/* ---- formatting ---- */

static size_t fix_format(int64_t v, int radix, char *buf) {
    char tmp[72];
    int k = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        int d = (int)(u % (uint64_t)radix);
        tmp[k++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        u /= (uint64_t)radix;
    } while (u);
    size_t n = 0;
    if (v < 0) buf[n++] = '-';
    while (k) buf[n++] = tmp[--k];
    return n;
}

size_t flo_format(double d, char *buf) {
    size_t n = 0;
    if (isnan(d)) { MEMCPY(buf, "+nan.0", 6); return 6; }
    if (isinf(d)) { MEMCPY(buf, d > 0 ? "+inf.0" : "-inf.0", 6); return 6; }
    if (signbit(d)) { buf[n++] = '-'; d = -d; }
    if (d == 0) { MEMCPY(buf + n, "0.0", 3); return n + 3; }
    char dig[17];
    int e;
    int nd = flo_shortest(d, dig, &e);
    /* value = 0.DIGITS x 10^e: positional for 1e-7 <= d < 1e21 */
    if (e > 21 || e < -5) {
        buf[n++] = dig[0];
        if (nd > 1) {
            buf[n++] = '.';
            for (int i = 1; i < nd; i++) buf[n++] = dig[i];
        }
        buf[n++] = 'e';
        n += fix_format(e - 1, 10, buf + n);
        return n;
    }
    if (e <= 0) {
        buf[n++] = '0';
        buf[n++] = '.';
        for (int i = 0; i < -e; i++) buf[n++] = '0';
        for (int i = 0; i < nd; i++) buf[n++] = dig[i];
        return n;
    }
    for (int i = 0; i < e; i++) buf[n++] = i < nd ? dig[i] : '0';
    buf[n++] = '.';
    if (nd > e) for (int i = e; i < nd; i++) buf[n++] = dig[i];
    else buf[n++] = '0';
    return n;
}

/* Append the external representation of number v in radix to o.  An
 * inexact number is written only in radix 10 (returns PITH_ERROR with
 * *bad set otherwise). */
int num_write(pith_vm *vm, pv v, int radix, obuf *o) {
    char buf[64];
    switch (num_kind(v)) {
    case NK_FIX: return obuf_put(vm, o, buf, fix_format(pv_fix(v), radix, buf));
    case NK_BIG: return int_to_string(vm, v, radix, o);
    case NK_RAT:
        TRY(int_to_string(vm, RAT_NUM(v), radix, o));
        TRY(obuf_put(vm, o, "/", 1));
        return int_to_string(vm, RAT_DEN(v), radix, o);
    case NK_FLO:
        if (radix != 10) return err_msg(vm, "range-error", "number->string", "inexact numbers print only in radix 10:", v);
        return obuf_put(vm, o, buf, flo_format(flo_val(v), buf));
    case NK_COMP: {
        pv re = COMP_RE(v), im = COMP_IM(v);
        if (!(num_kind(re) == NK_FIX && pv_fix(re) == 0 && num_is_exact(im))) TRY(num_write(vm, re, radix, o));
        /* the imaginary part always carries its sign */
        bool plain_one = num_kind(im) == NK_FIX && (pv_fix(im) == 1 || pv_fix(im) == -1);
        double di = num_kind(im) == NK_FLO ? flo_val(im) : 0;
        bool has_sign = num_sign(im) < 0 || (num_kind(im) == NK_FLO && (signbit(di) || isnan(di) || isinf(di)));
        if (!has_sign) TRY(obuf_put(vm, o, "+", 1));
        if (plain_one) TRY(obuf_put(vm, o, pv_fix(im) < 0 ? "-" : "", pv_fix(im) < 0 ? 1 : 0));
        else TRY(num_write(vm, im, radix, o));
        return obuf_put(vm, o, "i", 1);
    }
    default: return err_type(vm, "number->string", "number", v);
    }
}

size_t num_format(pith_vm *vm, pv v, int radix, char *buf, size_t cap) {
    /* small numbers only (callers with bignums use num_write) */
    if (cap < 80) return 0;
    if (pv_is_fix(v)) return fix_format(pv_fix(v), radix, buf);
    if (pv_is(v, T_FLONUM)) return radix == 10 ? flo_format(flo_val(v), buf) : 0;
    (void)vm;
    return 0;
}

/* ---- parsing (R7RS 7.1.1) ---- */

static int digit_of(uint32_t c, int radix) {
    int d;
    if (c >= '0' && c <= '9') d = (int)(c - '0');
    else if (c >= 'a' && c <= 'z') d = (int)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'Z') d = (int)(c - 'A' + 10);
    else return -1;
    return d < radix ? d : -1;
}

#define CH(i) str_ref(str, start + (i))
#define EXP_LIMIT 100000   /* |exponent| of an exact decimal, bounds the work */

/* Digit values of str[start+i .. start+j) in a host buffer (radix). */
static uint8_t *digits_of(pith_vm *vm, pv str, size_t start, size_t i, size_t j, int radix, size_t *n) {
    uint8_t *d = tmp_alloc(vm, j - i + 1);
    if (!d) return 0;
    size_t k = 0;
    for (size_t p = i; p < j; p++) {
        int v = digit_of(CH(p), radix);
        if (v >= 0) d[k++] = (uint8_t)v;
    }
    *n = k;
    return d;
}

/* An unsigned real (no sign) at str[start, start+n); #f if it is not one.
 * exactness is 0, 'e' or 'i'. */
static int parse_ureal(pith_vm *vm, pv str, size_t start, size_t n, int radix, int exactness, pv *out) {
    *out = PV_FALSE;
    if (n == 0) return PITH_OK;
    GC_SCOPE(vm);
    GC_ROOT(str);
    if (n == 5) {
        /* inf.0 nan.0 (the sign is the caller's) */
        char low[5];
        for (int k = 0; k < 5; k++) {
            uint32_t c = CH(k);
            low[k] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        if (!MEMCMP(low, "inf.0", 5) || !MEMCMP(low, "nan.0", 5)) return PITH_OK;  /* handled by the caller */
    }
    size_t i = 0, int_end, frac_start = 0, frac_end = 0, slash = 0;
    while (i < n && digit_of(CH(i), radix) >= 0) i++;
    int_end = i;
    bool point = false, exp_seen = false, is_ratio = false;
    int64_t e = 0;
    if (i < n && CH(i) == '/') {
        if (int_end == 0) return PITH_OK;
        slash = i;
        i++;
        size_t ds = i;
        while (i < n && digit_of(CH(i), radix) >= 0) i++;
        if (i != n || i == ds) return PITH_OK;
        is_ratio = true;
    } else {
        if (i < n && CH(i) == '.') {
            if (radix != 10) return PITH_OK;
            point = true;
            i++;
            frac_start = i;
            while (i < n && CH(i) >= '0' && CH(i) <= '9') i++;
            frac_end = i;
            if (int_end == 0 && frac_end == frac_start) return PITH_OK;
        } else if (int_end == 0) {
            return PITH_OK;
        }
        if (i < n && (CH(i) == 'e' || CH(i) == 'E') && radix == 10) {
            exp_seen = true;
            i++;
            bool eneg = false;
            if (i < n && (CH(i) == '+' || CH(i) == '-')) { eneg = CH(i) == '-'; i++; }
            size_t es = i;
            while (i < n && CH(i) >= '0' && CH(i) <= '9') {
                if (e < 1000000000) e = e * 10 + (CH(i) - '0');
                i++;
            }
            if (i == es) return PITH_OK;
            if (eneg) e = -e;
        }
        if (i != n) return PITH_OK;
    }
    pv a = PV_FALSE, b = PV_FALSE;
    GC_ROOT2(a, b);
    if (is_ratio) {
        size_t na, nb;
        uint8_t *da = digits_of(vm, str, start, 0, slash, radix, &na);
        uint8_t *db = digits_of(vm, str, start, slash + 1, n, radix, &nb);
        int st = !da || !db ? err_oom(vm) : PITH_OK;
        if (!st) st = int_from_digits(vm, da, na, radix, false, &a);
        if (!st) st = int_from_digits(vm, db, nb, radix, false, &b);
        tmp_free(vm, da, slash + 1);
        tmp_free(vm, db, n - slash);
        TRY(st);
        if (int_sign(b) == 0) {
            if (exactness == 'i') return mk_flonum(vm, int_sign(a) == 0 ? NAN : INFINITY, out);
            return PITH_OK;  /* n/0 is not a number */
        }
        if (exactness == 'i') {
            int s;
            double d = ratio_to_double(vm, a, b, &s);
            TRY(s);
            return mk_flonum(vm, d, out);
        }
        return rat_make(vm, a, b, out);
    }
    if (!point && !exp_seen) {
        size_t na;
        uint8_t *da = digits_of(vm, str, start, 0, int_end, radix, &na);
        if (!da) return err_oom(vm);
        int st = int_from_digits(vm, da, na, radix, false, &a);
        tmp_free(vm, da, int_end + 1);
        TRY(st);
        if (exactness == 'i') return num_inexact(vm, a, out);
        *out = a;
        return PITH_OK;
    }
    /* a decimal: digits (integer and fraction parts) x 10^(e - fraction) */
    size_t nd;
    uint8_t *dd = tmp_alloc(vm, n + 1);
    if (!dd) return err_oom(vm);
    nd = 0;
    for (size_t p = 0; p < int_end; p++) dd[nd++] = (uint8_t)(CH(p) - '0');
    for (size_t p = frac_start; p < frac_end; p++) dd[nd++] = (uint8_t)(CH(p) - '0');
    int64_t exp10 = e - (int64_t)(frac_end - frac_start);
    int st = PITH_OK;
    if (exactness == 'e') {
        /* exact: an integer times a power of ten */
        if (exp10 > EXP_LIMIT || exp10 < -EXP_LIMIT) {
            size_t z = 0;
            while (z < nd && dd[z] == 0) z++;
            if (z < nd) st = err_msg(vm, "range-error", "string->number", "exponent too large for an exact number", PV_FALSE);
            else a = pv_from_fix(0);
        } else {
            st = int_from_digits(vm, dd, nd, 10, false, &a);
            if (!st) st = int_expt(vm, pv_from_fix(10), (uint64_t)(exp10 < 0 ? -exp10 : exp10), &b);
            if (!st) st = exp10 >= 0 ? int_mul(vm, a, b, &a) : rat_make(vm, a, b, &a);
        }
        tmp_free(vm, dd, n + 1);
        TRY(st);
        *out = a;
        return PITH_OK;
    }
    /* inexact: correctly rounded (flonum.c takes digits as ASCII) */
    for (size_t k = 0; k < nd; k++) dd[k] = (uint8_t)(dd[k] + '0');
    double d = flo_from_decimal((const char *)dd, nd, exp10);
    tmp_free(vm, dd, n + 1);
    return mk_flonum(vm, d, out);
}

/* A real with an optional sign, or +inf.0/-inf.0/+nan.0/-nan.0. */
static int parse_real(pith_vm *vm, pv str, size_t start, size_t n, int radix, int exactness, pv *out) {
    *out = PV_FALSE;
    if (n == 0) return PITH_OK;
    bool neg = false, sign = false;
    if (CH(0) == '+' || CH(0) == '-') {
        neg = CH(0) == '-';
        sign = true;
        start++;
        n--;
    }
    if (sign && n == 5) {
        char low[5];
        for (int k = 0; k < 5; k++) {
            uint32_t c = CH(k);
            low[k] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        if (!MEMCMP(low, "inf.0", 5) || !MEMCMP(low, "nan.0", 5)) {
            if (exactness == 'e') return PITH_OK;
            double d = low[0] == 'i' ? INFINITY : NAN;
            return mk_flonum(vm, neg ? -d : d, out);
        }
    }
    pv u;
    TRY(parse_ureal(vm, str, start, n, radix, exactness, &u));
    if (u == PV_FALSE || !neg) {
        *out = u;
        return PITH_OK;
    }
    return num_neg(vm, u, out);
}

int num_parse(pith_vm *vm, pv str, size_t start, size_t n, int radix, pv *out) {
    GC_SCOPE(vm);
    GC_ROOT(str);
    int exactness = 0;
    bool radix_seen = false;
    *out = PV_FALSE;
    while (n >= 2 && CH(0) == '#') {
        uint32_t c = CH(1) | 0x20;
        if (c == 'x' || c == 'o' || c == 'b' || c == 'd') {
            if (radix_seen) return PITH_OK;
            radix_seen = true;
            radix = c == 'x' ? 16 : c == 'o' ? 8 : c == 'b' ? 2 : 10;
        } else if (c == 'e' || c == 'i') {
            if (exactness) return PITH_OK;
            exactness = (int)c;
        } else {
            return PITH_OK;
        }
        start += 2;
        n -= 2;
    }
    if (n == 0) return PITH_OK;
    pv re = PV_FALSE, im = PV_FALSE;
    GC_ROOT2(re, im);
    /* polar: real@real */
    for (size_t at = 1; at + 1 < n; at++) {
        if (CH(at) != '@') continue;
        TRY(parse_real(vm, str, start, at, radix, exactness, &re));
        TRY(parse_real(vm, str, start + at + 1, n - at - 1, radix, exactness, &im));
        if (re == PV_FALSE || im == PV_FALSE) return PITH_OK;
        return num_make_polar(vm, re, im, out);
    }
    /* rectangular: [real](+|-)[ureal]i, or +inf.0i etc. */
    if (n >= 2 && (CH(n - 1) == 'i' || CH(n - 1) == 'I')) {
        size_t k = n - 1;
        while (k > 0 && !((CH(k) == '+' || CH(k) == '-') && !(radix == 10 && (CH(k - 1) == 'e' || CH(k - 1) == 'E'))))
            k--;
        if (CH(k) == '+' || CH(k) == '-') {
            re = pv_from_fix(0);
            if (k > 0) TRY(parse_real(vm, str, start, k, radix, exactness, &re));
            if (n - 1 - k == 1) im = pv_from_fix(CH(k) == '-' ? -1 : 1);
            else TRY(parse_real(vm, str, start + k, n - 1 - k, radix, exactness, &im));
            if (re == PV_FALSE || im == PV_FALSE) return PITH_OK;
            if (exactness == 'i') {
                TRY(num_inexact(vm, re, &re));
                TRY(num_inexact(vm, im, &im));
                pv c;
                TRY(gc_alloc(vm, T_COMPNUM, 2, &c));
                COMP_RE(c) = re;
                COMP_IM(c) = im;
                *out = c;
                return PITH_OK;
            }
            return comp_make(vm, re, im, out);
        }
    }
    return parse_real(vm, str, start, n, radix, exactness, out);
}

/* ---- complex constructors ---- */

int num_make_polar(pith_vm *vm, pv mag, pv ang, pv *out) {
    if (!num_is_real(mag)) return err_type(vm, "make-polar", "real number", mag);
    if (!num_is_real(ang)) return err_type(vm, "make-polar", "real number", ang);
    if (num_is_exact(ang) && num_sign(ang) == 0) {
        *out = mag;
        return PITH_OK;
    }
    double m, a;
    GC_SCOPE(vm);
    GC_ROOT(ang);
    TRY(num_to_double(vm, mag, &m));
    TRY(num_to_double(vm, ang, &a));
    pv re = PV_FALSE, im = PV_FALSE, c;
    GC_ROOT2(re, im);
    TRY(mk_flonum(vm, m * cos(a), &re));
    TRY(mk_flonum(vm, m * sin(a), &im));
    TRY(gc_alloc(vm, T_COMPNUM, 2, &c));
    COMP_RE(c) = re;
    COMP_IM(c) = im;
    *out = c;
    return PITH_OK;
}
