/* numprims.c -- the numeric procedures of (scheme base), (scheme inexact)
 * and (scheme complex), over the whole tower (number.c).
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include "vm.h"
#include "bignum.h"
#include "number.h"

#define PI 3.14159265358979323846

#define COMP_RE(c) SLOT(c, 0)
#define COMP_IM(c) SLOT(c, 1)

#define NUM_ARG(i, who) do { if (!num_is_number(ARG(i))) return err_type(vm, who, "number", ARG(i)); } while (0)
#define REAL_ARG(i, who) do { if (!num_is_real(ARG(i))) return err_type(vm, who, "real number", ARG(i)); } while (0)

static bool is_int(pv v) { return int_is(v); }
static bool is_flo(pv v) { return pv_is(v, T_FLONUM); }

static int flo(pith_vm *vm, double d) { return mk_flonum(vm, d, &vm->r.ret); }

/* ---- predicates ---- */

int prim_numberp(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(num_is_number(ARG(0)))); }
int prim_complexp(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(num_is_number(ARG(0)))); }
int prim_realp(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(num_is_real(ARG(0)))); }
int prim_rationalp(pith_vm *vm, int argc) {
    (void)argc;
    pv v = ARG(0);
    int k = num_kind(v);
    RETURN(pv_bool(k == NK_FIX || k == NK_BIG || k == NK_RAT || (k == NK_FLO && isfinite(flo_val(v)))));
}
int prim_integerp(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(num_is_integer(ARG(0)))); }
int prim_exactp(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "exact?");
    RETURN(pv_bool(num_is_exact(ARG(0))));
}
int prim_inexactp(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "inexact?");
    RETURN(pv_bool(!num_is_exact(ARG(0))));
}
int prim_exact_integerp(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(is_int(ARG(0)))); }

/* Apply a double predicate to a number's parts (any part for complex). */
static int part_test(pith_vm *vm, const char *who, int (*test)(double), bool any) {
    NUM_ARG(0, who);
    pv v = ARG(0);
    if (num_kind(v) == NK_COMP) {
        bool a = is_flo(COMP_RE(v)) && test(flo_val(COMP_RE(v)));
        bool b = is_flo(COMP_IM(v)) && test(flo_val(COMP_IM(v)));
        RETURN(pv_bool(any ? a || b : a && b));
    }
    RETURN(pv_bool(is_flo(v) && test(flo_val(v))));
}
static int t_nan(double d) { return isnan(d); }
static int t_inf(double d) { return isinf(d); }
static int t_nonfinite(double d) { return !isfinite(d); }
int prim_nanp(pith_vm *vm, int argc) { (void)argc; return part_test(vm, "nan?", t_nan, true); }
int prim_infinitep(pith_vm *vm, int argc) { (void)argc; return part_test(vm, "infinite?", t_inf, true); }
int prim_finitep(pith_vm *vm, int argc) {
    (void)argc;
    TRY(part_test(vm, "finite?", t_nonfinite, true));
    RETURN(pv_bool(vm->r.ret == PV_FALSE));
}

/* ---- comparison ---- */

/* n-ary comparison: every argument is checked, even after a false. */
static int compare_chain(pith_vm *vm, int argc, const char *who, int want) {
    bool result = true;
    for (int i = 0; i < argc; i++) REAL_ARG(i, who);
    for (int i = 0; i + 1 < argc; i++) {
        int c;
        TRY(num_cmp(vm, ARG(i), ARG(i + 1), who, &c));
        bool ok;
        switch (want) {
        case 1: ok = c == -1; break;
        case 2: ok = c == 1; break;
        case 3: ok = c == -1 || c == 0; break;
        default: ok = c == 1 || c == 0; break;
        }
        if (!ok) result = false;
    }
    RETURN(pv_bool(result));
}
int prim_num_eq(pith_vm *vm, int argc) {
    bool result = true;
    for (int i = 0; i < argc; i++) NUM_ARG(i, "=");
    for (int i = 0; i + 1 < argc; i++) {
        bool e;
        TRY(num_equal(vm, ARG(i), ARG(i + 1), &e));
        if (!e) result = false;
    }
    RETURN(pv_bool(result));
}
int prim_num_lt(pith_vm *vm, int argc) { return compare_chain(vm, argc, "<", 1); }
int prim_num_gt(pith_vm *vm, int argc) { return compare_chain(vm, argc, ">", 2); }
int prim_num_le(pith_vm *vm, int argc) { return compare_chain(vm, argc, "<=", 3); }
int prim_num_ge(pith_vm *vm, int argc) { return compare_chain(vm, argc, ">=", 4); }

int prim_zerop(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "zero?");
    pv v = ARG(0);
    if (num_kind(v) == NK_COMP) RETURN(pv_bool(num_sign(COMP_RE(v)) == 0 && num_sign(COMP_IM(v)) == 0 &&
                                               !(is_flo(COMP_RE(v)) && isnan(flo_val(COMP_RE(v))))));
    RETURN(pv_bool(num_sign(v) == 0 && !(is_flo(v) && isnan(flo_val(v)))));
}
int prim_positivep(pith_vm *vm, int argc) {
    (void)argc;
    REAL_ARG(0, "positive?");
    RETURN(pv_bool(num_sign(ARG(0)) > 0));
}
int prim_negativep(pith_vm *vm, int argc) {
    (void)argc;
    REAL_ARG(0, "negative?");
    RETURN(pv_bool(num_sign(ARG(0)) < 0));
}
static int int_arg(pith_vm *vm, int i, const char *who) {
    if (!num_is_integer(ARG(i))) return err_type(vm, who, "integer", ARG(i));
    return PITH_OK;
}
int prim_oddp(pith_vm *vm, int argc) {
    (void)argc;
    TRY(int_arg(vm, 0, "odd?"));
    pv v = ARG(0);
    if (is_int(v)) RETURN(pv_bool(int_is_odd(v)));
    RETURN(pv_bool(fmod(flo_val(v), 2.0) != 0));
}
int prim_evenp(pith_vm *vm, int argc) {
    (void)argc;
    TRY(int_arg(vm, 0, "even?"));
    pv v = ARG(0);
    if (is_int(v)) RETURN(pv_bool(!int_is_odd(v)));
    RETURN(pv_bool(fmod(flo_val(v), 2.0) == 0));
}

/* max/min: inexact if any argument is (R7RS 6.2.6). */
static int extremum(pith_vm *vm, int argc, const char *who, int sign) {
    bool inexact = false;
    for (int i = 0; i < argc; i++) {
        REAL_ARG(i, who);
        if (is_flo(ARG(i))) inexact = true;
    }
    int best = 0;
    bool nan = is_flo(ARG(0)) && isnan(flo_val(ARG(0)));
    for (int i = 1; i < argc; i++) {
        int c;
        TRY(num_cmp(vm, ARG(i), ARG(best), who, &c));
        if (c == 2) nan = true;
        else if (c == sign) best = i;
    }
    if (nan) return flo(vm, NAN);
    if (inexact) return num_inexact(vm, ARG(best), &vm->r.ret);
    RETURN(ARG(best));
}
int prim_max(pith_vm *vm, int argc) { return extremum(vm, argc, "max", 1); }
int prim_min(pith_vm *vm, int argc) { return extremum(vm, argc, "min", -1); }

/* ---- arithmetic ---- */

int prim_add(pith_vm *vm, int argc) {
    pv acc = pv_from_fix(0);
    GC_SCOPE(vm);
    GC_ROOT(acc);
    for (int i = 0; i < argc; i++) TRY(num_add(vm, acc, ARG(i), &acc));
    RETURN(acc);
}
int prim_mul(pith_vm *vm, int argc) {
    pv acc = pv_from_fix(1);
    GC_SCOPE(vm);
    GC_ROOT(acc);
    for (int i = 0; i < argc; i++) TRY(num_mul(vm, acc, ARG(i), &acc));
    RETURN(acc);
}
int prim_sub(pith_vm *vm, int argc) {
    pv acc = ARG(0);
    GC_SCOPE(vm);
    GC_ROOT(acc);
    if (argc == 1) {
        NUM_ARG(0, "-");
        return num_neg(vm, acc, &vm->r.ret);
    }
    for (int i = 1; i < argc; i++) TRY(num_sub(vm, acc, ARG(i), &acc));
    RETURN(acc);
}
int prim_div(pith_vm *vm, int argc) {
    pv acc = ARG(0);
    GC_SCOPE(vm);
    GC_ROOT(acc);
    if (argc == 1) return num_div(vm, pv_from_fix(1), acc, &vm->r.ret);
    for (int i = 1; i < argc; i++) TRY(num_div(vm, acc, ARG(i), &acc));
    RETURN(acc);
}
int prim_abs(pith_vm *vm, int argc) {
    (void)argc;
    REAL_ARG(0, "abs");
    if (num_sign(ARG(0)) < 0 || (is_flo(ARG(0)) && signbit(flo_val(ARG(0))))) return num_neg(vm, ARG(0), &vm->r.ret);
    RETURN(ARG(0));
}

/* Integer division of integers (exact, or integral flonums). */
enum { DIV_TRUNC_Q, DIV_TRUNC_R, DIV_FLOOR_Q, DIV_FLOOR_R };
static int int_division(pith_vm *vm, const char *who, int kind) {
    TRY(int_arg(vm, 0, who));
    TRY(int_arg(vm, 1, who));
    pv a = ARG(0), b = ARG(1);
    if (is_int(a) && is_int(b)) {
        if (int_sign(b) == 0) return err_msg(vm, "divide-by-zero", who, "division by zero", PV_FALSE);
        bool fl = kind == DIV_FLOOR_Q || kind == DIV_FLOOR_R;
        bool want_q = kind == DIV_TRUNC_Q || kind == DIV_FLOOR_Q;
        return int_divmod(vm, a, b, fl, want_q ? &vm->r.ret : 0, want_q ? 0 : &vm->r.ret);
    }
    double x, y;
    TRY(num_to_double(vm, a, &x));
    TRY(num_to_double(vm, b, &y));
    if (y == 0) return err_msg(vm, "divide-by-zero", who, "division by zero", PV_FALSE);
    double q = trunc(x / y), r = fmod(x, y);
    if ((kind == DIV_FLOOR_Q || kind == DIV_FLOOR_R) && r != 0 && ((r < 0) != (y < 0))) {
        q -= 1;
        r += y;
    }
    return flo(vm, (kind == DIV_TRUNC_Q || kind == DIV_FLOOR_Q) ? q : r);
}
int prim_quotient(pith_vm *vm, int argc) { (void)argc; return int_division(vm, "quotient", DIV_TRUNC_Q); }
int prim_remainder(pith_vm *vm, int argc) { (void)argc; return int_division(vm, "remainder", DIV_TRUNC_R); }
int prim_modulo(pith_vm *vm, int argc) { (void)argc; return int_division(vm, "modulo", DIV_FLOOR_R); }
int prim_floor_quotient(pith_vm *vm, int argc) { (void)argc; return int_division(vm, "floor-quotient", DIV_FLOOR_Q); }

/* gcd/lcm of integers; inexact if any argument is. */
static int gcd_lcm(pith_vm *vm, int argc, bool lcm) {
    const char *who = lcm ? "lcm" : "gcd";
    pv acc = pv_from_fix(lcm ? 1 : 0), x = PV_FALSE, g = PV_FALSE;
    bool inexact = false;
    GC_SCOPE(vm);
    GC_ROOT3(acc, x, g);
    for (int i = 0; i < argc; i++) {
        TRY(int_arg(vm, i, who));
        x = ARG(i);
        if (is_flo(x)) {
            inexact = true;
            TRY(num_exact(vm, x, &x));
        }
        if (int_sign(x) < 0) TRY(int_neg(vm, x, &x));
        if (!lcm) {
            TRY(int_gcd(vm, acc, x, &acc));
        } else if (int_sign(x) == 0 || int_sign(acc) == 0) {
            acc = pv_from_fix(0);
        } else {
            TRY(int_gcd(vm, acc, x, &g));
            TRY(int_divmod(vm, acc, g, false, &acc, 0));
            TRY(int_mul(vm, acc, x, &acc));
        }
    }
    if (inexact) return num_inexact(vm, acc, &vm->r.ret);
    RETURN(acc);
}
int prim_gcd(pith_vm *vm, int argc) { return gcd_lcm(vm, argc, false); }
int prim_lcm(pith_vm *vm, int argc) { return gcd_lcm(vm, argc, true); }

/* floor, ceiling, truncate, round of a real: exact stays exact. */
enum { R_FLOOR, R_CEIL, R_TRUNC, R_ROUND };
static int rounding(pith_vm *vm, const char *who, int mode) {
    REAL_ARG(0, who);
    pv v = ARG(0);
    switch (num_kind(v)) {
    case NK_FIX: case NK_BIG: RETURN(v);
    case NK_FLO: {
        double d = flo_val(v);
        return flo(vm, mode == R_FLOOR ? floor(d) : mode == R_CEIL ? ceil(d) : mode == R_TRUNC ? trunc(d) : rint(d));
    }
    default: {
        /* n/d: floor by floor division, the others from it */
        pv n = SLOT(v, 0), d = SLOT(v, 1), q = PV_FALSE, r = PV_FALSE, t = PV_FALSE;
        GC_SCOPE(vm);
        GC_ROOT3(n, d, q);
        GC_ROOT2(r, t);
        TRY(int_divmod(vm, n, d, true, &q, &r));  /* q = floor, r >= 0 */
        if (mode == R_FLOOR) RETURN(q);
        if (mode == R_CEIL) return int_add(vm, q, pv_from_fix(1), &vm->r.ret);
        if (mode == R_TRUNC) {
            if (int_sign(n) < 0) return int_add(vm, q, pv_from_fix(1), &vm->r.ret);
            RETURN(q);
        }
        /* round: compare 2r with d; ties to even */
        TRY(int_add(vm, r, r, &t));
        int c = int_cmp(t, d);
        if (c > 0 || (c == 0 && int_is_odd(q))) return int_add(vm, q, pv_from_fix(1), &vm->r.ret);
        RETURN(q);
    }
    }
}
int prim_floor(pith_vm *vm, int argc) { (void)argc; return rounding(vm, "floor", R_FLOOR); }
int prim_ceiling(pith_vm *vm, int argc) { (void)argc; return rounding(vm, "ceiling", R_CEIL); }
int prim_truncate(pith_vm *vm, int argc) { (void)argc; return rounding(vm, "truncate", R_TRUNC); }
int prim_round(pith_vm *vm, int argc) { (void)argc; return rounding(vm, "round", R_ROUND); }

int prim_exact(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "exact");
    return num_exact(vm, ARG(0), &vm->r.ret);
}
int prim_inexact(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "inexact");
    return num_inexact(vm, ARG(0), &vm->r.ret);
}

static int radix_arg(pith_vm *vm, int argc, int i, const char *who, int *radix) {
    *radix = 10;
    if (argc <= i) return PITH_OK;
    pv r = ARG(i);
    if (!pv_is_fix(r) || pv_fix(r) < 2 || pv_fix(r) > 36)
        return err_msg(vm, "range-error", who, "radix must be an integer from 2 to 36:", r);
    *radix = (int)pv_fix(r);
    return PITH_OK;
}

int prim_number_to_string(pith_vm *vm, int argc) {
    NUM_ARG(0, "number->string");
    int radix;
    TRY(radix_arg(vm, argc, 1, "number->string", &radix));
    obuf o = {0, 0, 0};
    int st = num_write(vm, ARG(0), radix, &o);
    if (!st) st = str_from_utf8(vm, o.p, o.n, &vm->r.ret);
    obuf_free(vm, &o);
    return st;
}

int prim_string_to_number(pith_vm *vm, int argc) {
    if (!pv_is(ARG(0), T_STRING)) return err_type(vm, "string->number", "string", ARG(0));
    int radix;
    TRY(radix_arg(vm, argc, 1, "string->number", &radix));
    /* malformed text gives #f; a number too large to build is an error */
    pv out;
    TRY(num_parse(vm, ARG(0), 0, str_len(ARG(0)), radix, &out));
    RETURN(out);
}

int prim_square(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "square");
    return num_mul(vm, ARG(0), ARG(0), &vm->r.ret);
}

/* ---- complex numbers as pairs of doubles (for the transcendental
 * functions) ---- */

typedef struct cplx { double re, im; } cplx;

static int to_cplx(pith_vm *vm, pv v, cplx *z) {
    if (num_kind(v) == NK_COMP) {
        GC_SCOPE(vm);
        GC_ROOT(v);
        TRY(num_to_double(vm, COMP_RE(v), &z->re));
        return num_to_double(vm, COMP_IM(v), &z->im);
    }
    z->im = 0;
    return num_to_double(vm, v, &z->re);
}

/* An inexact result; a real when the imaginary part is exactly zero and
 * the function keeps reals real. */
static int from_cplx(pith_vm *vm, cplx z, bool real_if_zero) {
    if (real_if_zero && z.im == 0) return flo(vm, z.re);
    pv re = PV_FALSE, im = PV_FALSE, c;
    GC_SCOPE(vm);
    GC_ROOT2(re, im);
    TRY(mk_flonum(vm, z.re, &re));
    TRY(mk_flonum(vm, z.im, &im));
    TRY(gc_alloc(vm, T_COMPNUM, 2, &c));
    COMP_RE(c) = re;
    COMP_IM(c) = im;
    RETURN(c);
}

static cplx c_mul(cplx a, cplx b) { return (cplx){a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re}; }
static cplx c_div(cplx a, cplx b) {
    double d = b.re * b.re + b.im * b.im;
    return (cplx){(a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d};
}
static cplx c_exp(cplx z) { double e = exp(z.re); return (cplx){e * cos(z.im), e * sin(z.im)}; }
static cplx c_log(cplx z) { return (cplx){log(hypot(z.re, z.im)), atan2(z.im, z.re)}; }
static cplx c_sqrt(cplx z) {
    double r = hypot(z.re, z.im);
    double a = sqrt((r + fabs(z.re)) / 2);
    if (a == 0) return (cplx){0, 0};
    if (z.re >= 0) return (cplx){a, z.im / (2 * a)};
    return (cplx){fabs(z.im) / (2 * a), z.im < 0 || (z.im == 0 && signbit(z.im)) ? -a : a};
}
static cplx c_sin(cplx z) { return (cplx){sin(z.re) * cosh(z.im), cos(z.re) * sinh(z.im)}; }
static cplx c_cos(cplx z) { return (cplx){cos(z.re) * cosh(z.im), -sin(z.re) * sinh(z.im)}; }
/* asin z = -i log(iz + sqrt(1 - z^2)) */
static cplx c_asin(cplx z) {
    /* 0 - 0.0 would be -0.0 and pick the wrong side of the branch cut */
    double im = 2 * z.re * z.im;
    cplx one_minus = {1 - (z.re * z.re - z.im * z.im), im == 0 ? 0.0 : -im};
    cplx s = c_sqrt(one_minus);
    cplx l = c_log((cplx){s.re - z.im, s.im + z.re});
    return (cplx){l.im, -l.re};
}
/* atan z = (i/2) log((i + z)/(i - z)) */
static cplx c_atan(cplx z) {
    cplx l = c_log(c_div((cplx){z.re, 1 + z.im}, (cplx){-z.re, 1 - z.im}));
    return (cplx){-l.im / 2, l.re / 2};
}

/* The exact square root of a non-negative exact rational, or #f. */
static int exact_sqrt(pith_vm *vm, pv v, pv *out) {
    pv n = num_kind(v) == NK_RAT ? SLOT(v, 0) : v, d = num_kind(v) == NK_RAT ? SLOT(v, 1) : pv_from_fix(1);
    pv sn = PV_FALSE, sd = PV_FALSE, t = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT3(n, d, sn);
    GC_ROOT2(sd, t);
    *out = PV_FALSE;
    TRY(int_sqrt(vm, n, &sn));
    TRY(int_mul(vm, sn, sn, &t));
    if (int_cmp(t, n) != 0) return PITH_OK;
    TRY(int_sqrt(vm, d, &sd));
    TRY(int_mul(vm, sd, sd, &t));
    if (int_cmp(t, d) != 0) return PITH_OK;
    return rat_make(vm, sn, sd, out);
}

int prim_sqrt(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "sqrt");
    pv v = ARG(0);
    int k = num_kind(v);
    if (k == NK_FIX || k == NK_BIG || k == NK_RAT) {
        pv r, a = v;
        GC_SCOPE(vm);
        GC_ROOT(a);
        bool neg = num_sign(v) < 0;
        if (neg) TRY(num_neg(vm, v, &a));
        TRY(exact_sqrt(vm, a, &r));
        if (r != PV_FALSE) return neg ? comp_make(vm, pv_from_fix(0), r, &vm->r.ret) : (vm->r.ret = r, PITH_OK);
        double d;
        TRY(num_to_double(vm, a, &d));
        if (!neg) return flo(vm, sqrt(d));
        pv im;
        TRY(mk_flonum(vm, sqrt(d), &im));
        return comp_make(vm, pv_from_fix(0), im, &vm->r.ret);
    }
    if (k == NK_FLO) {
        double d = flo_val(v);
        if (d >= 0 || isnan(d)) return flo(vm, sqrt(d));
        return from_cplx(vm, (cplx){0.0, sqrt(-d)}, false);
    }
    cplx z;
    TRY(to_cplx(vm, v, &z));
    return from_cplx(vm, c_sqrt(z), false);
}

int prim_exact_integer_sqrt(pith_vm *vm, int argc) {
    (void)argc;
    pv v = ARG(0);
    if (!is_int(v) || int_sign(v) < 0) return err_type(vm, "exact-integer-sqrt", "non-negative exact integer", v);
    pv s = PV_FALSE, t = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT2(s, t);
    TRY(int_sqrt(vm, ARG(0), &s));
    TRY(int_mul(vm, s, s, &t));
    TRY(int_sub(vm, ARG(0), t, &t));
    return mk_pair(vm, s, t, &vm->r.ret);
}

int prim_expt(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "expt");
    NUM_ARG(1, "expt");
    pv b = ARG(0), e = ARG(1);
    if (is_int(e) && num_is_exact(b)) {
        /* exact base, exact integer exponent: exact */
        bool neg = int_sign(e) < 0;
        pv ae = e, r = PV_FALSE;
        GC_SCOPE(vm);
        GC_ROOT2(ae, r);
        if (neg) TRY(int_neg(vm, e, &ae));
        uint64_t n;
        if (!int_to_u64(ae, &n) || n > ((uint64_t)1 << 40)) {
            /* only 0, 1 and -1 survive such exponents */
            pv base = ARG(0);
            if (num_kind(base) == NK_FIX && (pv_fix(base) == 1 || pv_fix(base) == 0 || pv_fix(base) == -1)) {
                if (pv_fix(base) == 0 && neg) return err_msg(vm, "divide-by-zero", "expt", "division by zero", PV_FALSE);
                RETURN(pv_fix(base) == -1 && int_is_odd(ARG(1)) ? base : pv_fix(base) == 0 ? base : pv_from_fix(1));
            }
            return err_msg(vm, "range-error", "expt", "exponent too large:", ARG(1));
        }
        if (num_kind(b) == NK_COMP) {
            /* repeated squaring with complex multiplication */
            pv base = b;
            r = pv_from_fix(1);
            GC_ROOT(base);
            while (n) {
                if (n & 1) TRY(num_mul(vm, r, base, &r));
                n >>= 1;
                if (n) TRY(num_mul(vm, base, base, &base));
            }
        } else if (num_kind(b) == NK_RAT) {
            pv nn = PV_FALSE, dd = PV_FALSE;
            GC_ROOT2(nn, dd);
            TRY(int_expt(vm, SLOT(ARG(0), 0), n, &nn));
            TRY(int_expt(vm, SLOT(ARG(0), 1), n, &dd));
            TRY(rat_make(vm, nn, dd, &r));
        } else {
            TRY(int_expt(vm, b, n, &r));
        }
        if (neg) return num_div(vm, pv_from_fix(1), r, &vm->r.ret);
        RETURN(r);
    }
    if (num_is_real(b) && num_is_real(e)) {
        double x, y;
        TRY(num_to_double(vm, ARG(0), &x));
        TRY(num_to_double(vm, ARG(1), &y));
        if (x >= 0 || floor(y) == y || isnan(x) || isnan(y)) {
            if (x == 0 && y == 0) return num_is_exact(ARG(0)) && num_is_exact(ARG(1)) ? (vm->r.ret = pv_from_fix(1), PITH_OK) : flo(vm, 1.0);
            return flo(vm, pow(x, y));
        }
    }
    /* complex: exp(e log b) */
    cplx zb, ze;
    TRY(to_cplx(vm, ARG(0), &zb));
    TRY(to_cplx(vm, ARG(1), &ze));
    if (zb.re == 0 && zb.im == 0) return num_sign(num_kind(ARG(1)) == NK_COMP ? COMP_RE(ARG(1)) : ARG(1)) > 0 ? flo(vm, 0.0) : err_msg(vm, "divide-by-zero", "expt", "zero to a non-positive power", PV_FALSE);
    return from_cplx(vm, c_exp(c_mul(ze, c_log(zb))), false);
}

/* A real function with complex fallbacks; exact `special` argument gives
 * the exact `special_result`. */
static int transcend(pith_vm *vm, const char *who, double (*rf)(double), cplx (*cf)(cplx), double lo, double hi,
                     int64_t special, int64_t special_result) {
    NUM_ARG(0, who);
    pv v = ARG(0);
    if (pv_is_fix(v) && pv_fix(v) == special) RETURN(pv_from_fix(special_result));
    if (num_is_real(v)) {
        double d;
        TRY(num_to_double(vm, v, &d));
        if (d >= lo && d <= hi) return flo(vm, rf(d));
        if (isnan(d)) return flo(vm, NAN);
        return from_cplx(vm, cf((cplx){d, 0}), false);
    }
    cplx z;
    TRY(to_cplx(vm, v, &z));
    return from_cplx(vm, cf(z), false);
}

static cplx c_tan(cplx z) { return c_div(c_sin(z), c_cos(z)); }
static cplx c_acos(cplx z) { cplx a = c_asin(z); return (cplx){PI / 2 - a.re, -a.im}; }

int prim_exp(pith_vm *vm, int argc) { (void)argc; return transcend(vm, "exp", exp, c_exp, -INFINITY, INFINITY, 0, 1); }
int prim_sin(pith_vm *vm, int argc) { (void)argc; return transcend(vm, "sin", sin, c_sin, -INFINITY, INFINITY, 0, 0); }
int prim_cos(pith_vm *vm, int argc) { (void)argc; return transcend(vm, "cos", cos, c_cos, -INFINITY, INFINITY, 0, 1); }
int prim_tan(pith_vm *vm, int argc) { (void)argc; return transcend(vm, "tan", tan, c_tan, -INFINITY, INFINITY, 0, 0); }
int prim_asin(pith_vm *vm, int argc) { (void)argc; return transcend(vm, "asin", asin, c_asin, -1, 1, 0, 0); }
int prim_acos(pith_vm *vm, int argc) { (void)argc; return transcend(vm, "acos", acos, c_acos, -1, 1, 1, 0); }

int prim_log(pith_vm *vm, int argc) {
    NUM_ARG(0, "log");
    if (argc == 2) NUM_ARG(1, "log");
    if (argc == 1 && pv_is_fix(ARG(0)) && pv_fix(ARG(0)) == 1) RETURN(pv_from_fix(0));
    cplx z, b = {0, 0};
    TRY(to_cplx(vm, ARG(0), &z));
    if (argc == 2) TRY(to_cplx(vm, ARG(1), &b));
    cplx l = z.im == 0 && z.re >= 0 ? (cplx){log(z.re), 0} : c_log(z);
    if (argc == 2) {
        cplx lb = b.im == 0 && b.re >= 0 ? (cplx){log(b.re), 0} : c_log(b);
        l = lb.im == 0 && l.im == 0 ? (cplx){l.re / lb.re, 0} : c_div(l, lb);
    }
    return from_cplx(vm, l, true);
}

int prim_atan(pith_vm *vm, int argc) {
    if (argc == 1) {
        NUM_ARG(0, "atan");
        if (pv_is_fix(ARG(0)) && pv_fix(ARG(0)) == 0) RETURN(pv_from_fix(0));
        if (num_is_real(ARG(0))) {
            double d;
            TRY(num_to_double(vm, ARG(0), &d));
            return flo(vm, atan(d));
        }
        cplx z;
        TRY(to_cplx(vm, ARG(0), &z));
        return from_cplx(vm, c_atan(z), false);
    }
    REAL_ARG(0, "atan");
    REAL_ARG(1, "atan");
    if (num_is_exact(ARG(0)) && num_sign(ARG(0)) == 0 && num_is_exact(ARG(1)) && num_sign(ARG(1)) > 0) RETURN(pv_from_fix(0));
    double y, x;
    TRY(num_to_double(vm, ARG(0), &y));
    TRY(num_to_double(vm, ARG(1), &x));
    return flo(vm, atan2(y, x));
}

int prim_numerator(pith_vm *vm, int argc) {
    (void)argc;
    REAL_ARG(0, "numerator");
    pv v = ARG(0);
    switch (num_kind(v)) {
    case NK_RAT: RETURN(SLOT(v, 0));
    case NK_FLO: {
        pv e;
        if (!isfinite(flo_val(v))) return err_type(vm, "numerator", "finite number", v);
        TRY(num_exact(vm, v, &e));
        return num_inexact(vm, num_kind(e) == NK_RAT ? SLOT(e, 0) : e, &vm->r.ret);
    }
    default: RETURN(v);
    }
}
int prim_denominator(pith_vm *vm, int argc) {
    (void)argc;
    REAL_ARG(0, "denominator");
    pv v = ARG(0);
    switch (num_kind(v)) {
    case NK_RAT: RETURN(SLOT(v, 1));
    case NK_FLO: {
        pv e;
        if (!isfinite(flo_val(v))) return err_type(vm, "denominator", "finite number", v);
        TRY(num_exact(vm, v, &e));
        return num_inexact(vm, num_kind(e) == NK_RAT ? SLOT(e, 1) : pv_from_fix(1), &vm->r.ret);
    }
    default: RETURN(pv_from_fix(1));
    }
}

/* ---- (scheme complex) ---- */

int prim_make_rectangular(pith_vm *vm, int argc) {
    (void)argc;
    REAL_ARG(0, "make-rectangular");
    REAL_ARG(1, "make-rectangular");
    return comp_make(vm, ARG(0), ARG(1), &vm->r.ret);
}
int prim_make_polar(pith_vm *vm, int argc) {
    (void)argc;
    return num_make_polar(vm, ARG(0), ARG(1), &vm->r.ret);
}
int prim_real_part(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "real-part");
    RETURN(num_kind(ARG(0)) == NK_COMP ? COMP_RE(ARG(0)) : ARG(0));
}
int prim_imag_part(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "imag-part");
    if (num_kind(ARG(0)) == NK_COMP) RETURN(COMP_IM(ARG(0)));
    RETURN(pv_from_fix(0));
}
int prim_magnitude(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "magnitude");
    if (num_kind(ARG(0)) != NK_COMP) {
        if (num_sign(ARG(0)) < 0 || (is_flo(ARG(0)) && signbit(flo_val(ARG(0))))) return num_neg(vm, ARG(0), &vm->r.ret);
        RETURN(ARG(0));
    }
    cplx z;
    TRY(to_cplx(vm, ARG(0), &z));
    if (num_is_exact(ARG(0))) {
        /* an exact magnitude when it is rational */
        pv s = PV_FALSE, t = PV_FALSE;
        GC_SCOPE(vm);
        GC_ROOT2(s, t);
        TRY(num_mul(vm, COMP_RE(ARG(0)), COMP_RE(ARG(0)), &s));
        TRY(num_mul(vm, COMP_IM(ARG(0)), COMP_IM(ARG(0)), &t));
        TRY(num_add(vm, s, t, &s));
        TRY(exact_sqrt(vm, s, &t));
        if (t != PV_FALSE) RETURN(t);
    }
    return flo(vm, hypot(z.re, z.im));
}
int prim_angle(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "angle");
    if (num_kind(ARG(0)) != NK_COMP) {
        if (num_sign(ARG(0)) < 0) return flo(vm, PI);
        if (num_is_exact(ARG(0))) RETURN(pv_from_fix(0));
        return flo(vm, signbit(flo_val(ARG(0))) ? PI : 0.0);
    }
    cplx z;
    TRY(to_cplx(vm, ARG(0), &z));
    return flo(vm, atan2(z.im, z.re));
}

/* ---- rationalize (R7RS 6.2.6): the simplest rational within y of x ---- */

/* The simplest rational in [lo, hi] (exact, 0 < lo <= hi), by continued
 * fractions. */
static int simplest(pith_vm *vm, pv lo, pv hi, pv *out) {
    pv fl = PV_FALSE, t1 = PV_FALSE, t2 = PV_FALSE, r = PV_FALSE, acc_n = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT3(lo, hi, fl);
    GC_ROOT3(t1, t2, r);
    GC_ROOT(acc_n);
    /* iterate: terms of the continued fraction, kept on a list */
    pv terms = PV_NULL;
    GC_ROOT(terms);
    for (int guard = 0; guard < 100000; guard++) {
        /* fl = floor(lo) */
        TRY(int_divmod(vm, num_kind(lo) == NK_RAT ? SLOT(lo, 0) : lo, num_kind(lo) == NK_RAT ? SLOT(lo, 1) : pv_from_fix(1), true, &fl, 0));
        int c;
        TRY(num_cmp(vm, fl, lo, "rationalize", &c));
        if (c == 0) { r = fl; break; }  /* lo is an integer */
        TRY(num_add(vm, fl, pv_from_fix(1), &t1));
        TRY(num_cmp(vm, t1, hi, "rationalize", &c));
        if (c <= 0) { r = t1; break; }  /* an integer lies in (lo, hi] */
        /* lo and hi share the integer part: recurse on 1/(hi - fl), 1/(lo - fl) */
        TRY(mk_pair(vm, fl, terms, &terms));
        TRY(num_sub(vm, hi, fl, &t1));
        TRY(num_sub(vm, lo, fl, &t2));
        TRY(num_div(vm, pv_from_fix(1), t1, &lo));
        TRY(num_div(vm, pv_from_fix(1), t2, &hi));
    }
    /* fold back: r = term + 1/r */
    for (; pv_is_pair(terms); terms = CDR(terms)) {
        TRY(num_div(vm, pv_from_fix(1), r, &t1));
        TRY(num_add(vm, CAR(terms), t1, &r));
    }
    *out = r;
    return PITH_OK;
}

int prim_rationalize(pith_vm *vm, int argc) {
    (void)argc;
    REAL_ARG(0, "rationalize");
    REAL_ARG(1, "rationalize");
    bool inexact = !num_is_exact(ARG(0)) || !num_is_exact(ARG(1));
    pv x = PV_FALSE, y = PV_FALSE, lo = PV_FALSE, hi = PV_FALSE, r = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT3(x, y, lo);
    GC_ROOT2(hi, r);
    if (inexact) {
        double dx, dy;
        TRY(num_to_double(vm, ARG(0), &dx));
        TRY(num_to_double(vm, ARG(1), &dy));
        if (isnan(dx) || isnan(dy)) return flo(vm, NAN);
        if (isinf(dy)) return flo(vm, isinf(dx) ? NAN : 0.0);
        if (isinf(dx)) return flo(vm, dx);
    }
    TRY(num_exact(vm, ARG(0), &x));
    TRY(num_exact(vm, ARG(1), &y));
    if (num_sign(y) < 0) TRY(num_neg(vm, y, &y));
    TRY(num_sub(vm, x, y, &lo));
    TRY(num_add(vm, x, y, &hi));
    if (num_sign(lo) <= 0 && num_sign(hi) >= 0) r = pv_from_fix(0);
    else if (num_sign(lo) > 0) TRY(simplest(vm, lo, hi, &r));
    else {
        TRY(num_neg(vm, hi, &lo));
        TRY(num_neg(vm, x, &x));
        TRY(num_add(vm, x, y, &hi));
        TRY(simplest(vm, lo, hi, &r));
        TRY(num_neg(vm, r, &r));
    }
    if (inexact) return num_inexact(vm, r, &vm->r.ret);
    RETURN(r);
}
