/* number.c -- numbers: fixnums and flonums, their syntax and procedures.
 *
 * Fixnum arithmetic never wraps: a result that does not fit raises an
 * error (bignums, exact rationals and complex numbers come with the
 * numeric tower; until then those results are errors, never silently
 * inexact).  Flonums print with the shortest digits that read back to the
 * same double and read correctly rounded (flonum.c).
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include "vm.h"
#include "flonum.h"

bool num_is_number(pv v) {
    return pv_is_fix(v) || pv_is(v, T_FLONUM) || pv_is(v, T_BIGNUM) || pv_is(v, T_RATNUM) || pv_is(v, T_COMPNUM);
}

bool num_is_exact(pv v) { return pv_is_fix(v) || pv_is(v, T_BIGNUM) || pv_is(v, T_RATNUM); }

static bool flo_is_integer(double d) { return isfinite(d) && floor(d) == d; }

bool num_is_integer(pv v) {
    if (pv_is_fix(v) || pv_is(v, T_BIGNUM)) return true;
    if (pv_is(v, T_FLONUM)) return flo_is_integer(flo_val(v));
    return false;
}

static bool is_real(pv v) { return pv_is_fix(v) || pv_is(v, T_FLONUM) || pv_is(v, T_BIGNUM) || pv_is(v, T_RATNUM); }

static double to_double(pv v) { return pv_is_fix(v) ? (double)pv_fix(v) : flo_val(v); }

static int overflow(pith_vm *vm, const char *who) {
    return err_msg(vm, "range-error", who, "integer result too large (bignums are not supported yet)", PV_FALSE);
}

static int check_num(pith_vm *vm, pv v, const char *who) {
    if (pv_is_fix(v) || pv_is(v, T_FLONUM)) return PITH_OK;
    return err_type(vm, who, "number", v);
}

static int flo_result(pith_vm *vm, double d, pv *out) { return mk_flonum(vm, d, out); }

int num_add(pith_vm *vm, pv a, pv b, pv *out) {
    TRY(check_num(vm, a, "+"));
    TRY(check_num(vm, b, "+"));
    if (pv_is_fix(a) && pv_is_fix(b)) {
        int64_t r;
        if (__builtin_add_overflow(pv_fix(a), pv_fix(b), &r) || !fix_fits(r)) return overflow(vm, "+");
        *out = pv_from_fix(r);
        return PITH_OK;
    }
    return flo_result(vm, to_double(a) + to_double(b), out);
}

int num_sub(pith_vm *vm, pv a, pv b, pv *out) {
    TRY(check_num(vm, a, "-"));
    TRY(check_num(vm, b, "-"));
    if (pv_is_fix(a) && pv_is_fix(b)) {
        int64_t r;
        if (__builtin_sub_overflow(pv_fix(a), pv_fix(b), &r) || !fix_fits(r)) return overflow(vm, "-");
        *out = pv_from_fix(r);
        return PITH_OK;
    }
    return flo_result(vm, to_double(a) - to_double(b), out);
}

int num_mul(pith_vm *vm, pv a, pv b, pv *out) {
    TRY(check_num(vm, a, "*"));
    TRY(check_num(vm, b, "*"));
    if (pv_is_fix(a) && pv_is_fix(b)) {
        int64_t r;
        if (__builtin_mul_overflow(pv_fix(a), pv_fix(b), &r) || !fix_fits(r)) return overflow(vm, "*");
        *out = pv_from_fix(r);
        return PITH_OK;
    }
    return flo_result(vm, to_double(a) * to_double(b), out);
}

int num_div(pith_vm *vm, pv a, pv b, pv *out) {
    TRY(check_num(vm, a, "/"));
    TRY(check_num(vm, b, "/"));
    if (pv_is_fix(a) && pv_is_fix(b)) {
        int64_t x = pv_fix(a), y = pv_fix(b);
        if (y == 0) return err_msg(vm, "divide-by-zero", "/", "division by zero", PV_FALSE);
        if (x % y == 0) {
            int64_t r = x / y;
            if (!fix_fits(r)) return overflow(vm, "/");
            *out = pv_from_fix(r);
            return PITH_OK;
        }
        return err_msg(vm, "range-error", "/", "exact rational result (rationals are not supported yet):", a);
    }
    return flo_result(vm, to_double(a) / to_double(b), out);
}

int num_cmp(pith_vm *vm, pv a, pv b, const char *who, int *out) {
    if (!is_real(a)) return err_type(vm, who, "real number", a);
    if (!is_real(b)) return err_type(vm, who, "real number", b);
    if (pv_is_fix(a) && pv_is_fix(b)) {
        int64_t x = pv_fix(a), y = pv_fix(b);
        *out = x < y ? -1 : x > y;
        return PITH_OK;
    }
    /* A fixnum against a flonum: compare exactly (no rounding of the
     * fixnum to double). */
    if (pv_is_fix(a) != pv_is_fix(b)) {
        bool swap = pv_is_fix(b);
        int64_t x = pv_fix(swap ? b : a);
        double y = flo_val(swap ? a : b);
        int r;
        if (isnan(y)) r = 2;
        else if (y >= 9223372036854775808.0) r = -1;
        else if (y < -9223372036854775808.0) r = 1;
        else {
            double fy = floor(y);
            int64_t iy = (int64_t)fy;
            if (x < iy) r = -1;
            else if (x > iy) r = 1;
            else r = fy < y ? -1 : 0;
        }
        if (swap && r != 2) r = -r;
        *out = r;
        return PITH_OK;
    }
    double x = flo_val(a), y = flo_val(b);
    *out = isnan(x) || isnan(y) ? 2 : x < y ? -1 : x > y;
    return PITH_OK;
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
    /* value = 0.DIGITS x 10^e */
    if (e > 21 || e < -5) {
        /* scientific: D.DDDeX */
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

size_t num_format(pith_vm *vm, pv v, int radix, char *buf, size_t cap) {
    (void)vm;
    if (cap < 80) return 0;
    if (pv_is_fix(v)) return fix_format(pv_fix(v), radix, buf);
    if (pv_is(v, T_FLONUM)) return radix == 10 ? flo_format(flo_val(v), buf) : 0;
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

/* Parse a real number (no prefix) at s[0..n).  *out = #f when it is not
 * one.  Returns PITH_ERROR only for numbers Pith cannot represent yet. */
#define CH(i) str_ref(str, start + (i))
static int parse_real(pith_vm *vm, pv str, size_t start, size_t n, int radix, int exactness, pv *out) {
    *out = PV_FALSE;
    size_t i = 0;
    bool neg = false;
    if (n == 0) return PITH_OK;
    if (CH(0) == '+' || CH(0) == '-') {
        neg = CH(0) == '-';
        i = 1;
        if (n == 6) {
            /* +inf.0 -inf.0 +nan.0 -nan.0 */
            char lower[5];
            for (int k = 0; k < 5; k++) {
                uint32_t c = CH(1 + k);
                lower[k] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            }
            if (!MEMCMP(lower, "inf.0", 5) || !MEMCMP(lower, "nan.0", 5)) {
                if (exactness == 'e') return PITH_OK;
                double d = lower[0] == 'i' ? INFINITY : NAN;
                return mk_flonum(vm, neg ? -d : d, out);
            }
        }
    }
    if (i == n) return PITH_OK;
    /* digits [. digits] [e [sign] digits] or digits / digits */
    char dig[800];
    size_t nd = 0;
    bool dropped_nonzero = false;
    int64_t dexp = 0;           /* decimal exponent adjustment */
    bool any = false, point = false, exp_seen = false;
    uint64_t ival = 0;
    bool iover = false;
    for (; i < n; i++) {
        uint32_t c = CH(i);
        int d = digit_of(c, radix);
        if (d >= 0) {
            any = true;
            if (radix == 10) {
                /* Leading zeros are not kept, so the 800 digits kept are
                 * all significant (enough for correct rounding). */
                if (nd == 0 && d == 0) { if (point) dexp--; }
                else {
                    if (nd < sizeof dig) dig[nd++] = (char)('0' + d);
                    else { dexp++; if (d) dropped_nonzero = true; }
                    if (point) dexp--;
                }
            }
            if (!point) {
                if (ival > (UINT64_MAX - (uint64_t)d) / (uint64_t)radix) iover = true;
                else ival = ival * (uint64_t)radix + (uint64_t)d;
            }
            continue;
        }
        if (c == '.' && radix == 10 && !point) { point = true; continue; }
        if ((c == 'e' || c == 'E') && radix == 10 && any) { exp_seen = true; i++; break; }
        if (c == '/' && any && !point) {
            /* n/d */
            pv num, den;
            if (!(i + 1 < n)) return PITH_OK;
            uint64_t dv = 0;
            bool dover = false;
            for (size_t j = i + 1; j < n; j++) {
                int dd = digit_of(CH(j), radix);
                if (dd < 0) return PITH_OK;
                if (dv > (UINT64_MAX - (uint64_t)dd) / (uint64_t)radix) dover = true;
                else dv = dv * (uint64_t)radix + (uint64_t)dd;
            }
            if (iover || dover || ival > (uint64_t)PV_FIX_MAX || dv > (uint64_t)PV_FIX_MAX)
                return err_msg(vm, "read-error", 0, "number too large (bignums are not supported yet)", PV_FALSE);
            num = pv_from_fix(neg ? -(int64_t)ival : (int64_t)ival);
            den = pv_from_fix((int64_t)dv);
            if (dv == 0) {
                if (exactness == 'i') return mk_flonum(vm, ival == 0 ? NAN : neg ? -INFINITY : INFINITY, out);
                return PITH_OK;  /* division by zero: not a number */
            }
            if (exactness == 'i') return mk_flonum(vm, (double)pv_fix(num) / (double)dv, out);
            if (ival % dv == 0) { *out = pv_from_fix(pv_fix(num) / (int64_t)dv); return PITH_OK; }
            (void)den;
            return err_msg(vm, "read-error", 0, "exact rationals are not supported yet", PV_FALSE);
        }
        return PITH_OK;
    }
    if (!any) return PITH_OK;
    if (exp_seen) {
        bool eneg = false;
        if (i < n && (CH(i) == '+' || CH(i) == '-')) { eneg = CH(i) == '-'; i++; }
        if (i >= n) return PITH_OK;
        int64_t e = 0;
        for (; i < n; i++) {
            if (CH(i) < '0' || CH(i) > '9') return PITH_OK;
            if (e < 100000000) e = e * 10 + (CH(i) - '0');
        }
        dexp += eneg ? -e : e;
    }
    bool inexact = exactness == 'i' || (exactness != 'e' && (point || exp_seen));
    if (!inexact) {
        if (!point && !exp_seen) {
            if (iover || ival > (uint64_t)PV_FIX_MAX + (neg ? 1 : 0))
                return err_msg(vm, "read-error", 0, "integer too large (bignums are not supported yet)", PV_FALSE);
            *out = pv_from_fix(neg ? (int64_t)(0 - ival) : (int64_t)ival);
            return PITH_OK;
        }
        /* #e with a decimal: exact only when it is an integer. */
        double d = flo_from_decimal(dig, nd, dexp);
        if (!flo_is_integer(d) || fabs(d) > 4.0e18)
            return err_msg(vm, "read-error", 0, "exact rationals are not supported yet", PV_FALSE);
        *out = pv_from_fix(neg ? -(int64_t)d : (int64_t)d);
        return PITH_OK;
    }
    double d;
    if (radix == 10) {
        if (dropped_nonzero && nd == sizeof dig) {
            /* beyond 800 digits only stickiness matters */
            dig[nd - 1] = dig[nd - 1] == '0' ? '1' : dig[nd - 1];
        }
        d = flo_from_decimal(dig, nd, dexp);
    } else {
        d = (double)ival;
    }
    return mk_flonum(vm, neg ? -d : d, out);
}

int num_parse(pith_vm *vm, pv str, size_t start, size_t n, int radix, pv *out) {
    GC_SCOPE(vm);
    GC_ROOT(str);  /* parse_real may allocate a flonum between parts */
    int exactness = 0;
    bool radix_seen = false;
    *out = PV_FALSE;
    while (n >= 2 && CH(0) == '#') {
        uint32_t c = CH(1) | 0x20;
        if (c == 'x' || c == 'o' || c == 'b' || c == 'd') {
            if (radix_seen) return PITH_OK;  /* two radix prefixes */
            radix_seen = true;
            radix = c == 'x' ? 16 : c == 'o' ? 8 : c == 'b' ? 2 : 10;
        } else if (c == 'e' || c == 'i') {
            if (exactness) return PITH_OK;
            exactness = (int)c;
        } else return PITH_OK;
        start += 2;
        n -= 2;
    }
    if (n == 0) return PITH_OK;
    /* Complex syntax (rectangular a+bi, polar a@b) is recognized only to
     * report it clearly: the parts must be reals. */
    for (size_t at = 1; at + 1 < n; at++) {
        if (CH(at) != '@') continue;
        pv a, b;
        TRY(parse_real(vm, str, start, at, radix, exactness, &a));
        TRY(parse_real(vm, str, start + at + 1, n - at - 1, radix, exactness, &b));
        if (a != PV_FALSE && b != PV_FALSE) return err_msg(vm, "read-error", 0, "complex numbers are not supported yet", PV_FALSE);
        return PITH_OK;
    }
    if (n >= 2 && (CH(n - 1) == 'i' || CH(n - 1) == 'I')) {
        /* the imaginary part starts at the last sign that is not an
         * exponent's */
        size_t k = n - 1;
        while (k > 0 && !((CH(k) == '+' || CH(k) == '-') &&
                          !(radix == 10 && (CH(k - 1) == 'e' || CH(k - 1) == 'E'))))
            k--;
        if (CH(k) == '+' || CH(k) == '-') {
            pv re = pv_from_fix(0), im = PV_FALSE;
            if (k > 0) TRY(parse_real(vm, str, start, k, radix, exactness, &re));
            if (n - 1 - k == 1) im = pv_from_fix(1);  /* +i, -i */
            else TRY(parse_real(vm, str, start + k, n - 1 - k, radix, exactness, &im));
            if (re != PV_FALSE && im != PV_FALSE)
                return err_msg(vm, "read-error", 0, "complex numbers are not supported yet", PV_FALSE);
        }
    }
    return parse_real(vm, str, start, n, radix, exactness, out);
}

/* ---- primitives ---- */

#define NUM_ARG(i, who) do { if (!num_is_number(ARG(i))) return err_type(vm, who, "number", ARG(i)); } while (0)
#define REAL_ARG(i, who) do { if (!is_real(ARG(i))) return err_type(vm, who, "real number", ARG(i)); } while (0)

int prim_numberp(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(num_is_number(ARG(0)))); }
int prim_complexp(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(num_is_number(ARG(0)))); }
int prim_realp(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(is_real(ARG(0)))); }
int prim_rationalp(pith_vm *vm, int argc) {
    (void)argc;
    pv v = ARG(0);
    RETURN(pv_bool(num_is_exact(v) || (pv_is(v, T_FLONUM) && isfinite(flo_val(v)))));
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
int prim_exact_integerp(pith_vm *vm, int argc) {
    (void)argc;
    RETURN(pv_bool(pv_is_fix(ARG(0)) || pv_is(ARG(0), T_BIGNUM)));
}
int prim_nanp(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "nan?");
    RETURN(pv_bool(pv_is(ARG(0), T_FLONUM) && isnan(flo_val(ARG(0)))));
}
int prim_infinitep(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "infinite?");
    RETURN(pv_bool(pv_is(ARG(0), T_FLONUM) && isinf(flo_val(ARG(0)))));
}
int prim_finitep(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "finite?");
    RETURN(pv_bool(!pv_is(ARG(0), T_FLONUM) || isfinite(flo_val(ARG(0)))));
}

/* n-ary comparison: every argument is checked, even after a false. */
static int compare_chain(pith_vm *vm, int argc, const char *who, int want) {
    bool result = true;
    for (int i = 0; i < argc; i++) REAL_ARG(i, who);
    for (int i = 0; i + 1 < argc; i++) {
        int c;
        TRY(num_cmp(vm, ARG(i), ARG(i + 1), who, &c));
        bool ok;
        switch (want) {
        case 0: ok = c == 0; break;
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
    for (int i = 0; i < argc; i++) NUM_ARG(i, "=");
    return compare_chain(vm, argc, "=", 0);
}
int prim_num_lt(pith_vm *vm, int argc) { return compare_chain(vm, argc, "<", 1); }
int prim_num_gt(pith_vm *vm, int argc) { return compare_chain(vm, argc, ">", 2); }
int prim_num_le(pith_vm *vm, int argc) { return compare_chain(vm, argc, "<=", 3); }
int prim_num_ge(pith_vm *vm, int argc) { return compare_chain(vm, argc, ">=", 4); }

static int sign_of(pith_vm *vm, const char *who, int *out) {
    REAL_ARG(0, who);
    return num_cmp(vm, ARG(0), pv_from_fix(0), who, out);
}
int prim_zerop(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "zero?");
    int c;
    TRY(sign_of(vm, "zero?", &c));
    RETURN(pv_bool(c == 0));
}
int prim_positivep(pith_vm *vm, int argc) {
    (void)argc;
    int c;
    TRY(sign_of(vm, "positive?", &c));
    RETURN(pv_bool(c == 1));
}
int prim_negativep(pith_vm *vm, int argc) {
    (void)argc;
    int c;
    TRY(sign_of(vm, "negative?", &c));
    RETURN(pv_bool(c == -1));
}
static int int_arg(pith_vm *vm, int i, const char *who) {
    if (!num_is_integer(ARG(i))) return err_type(vm, who, "integer", ARG(i));
    return PITH_OK;
}
int prim_oddp(pith_vm *vm, int argc) {
    (void)argc;
    TRY(int_arg(vm, 0, "odd?"));
    pv v = ARG(0);
    if (pv_is_fix(v)) RETURN(pv_bool(pv_fix(v) & 1));
    RETURN(pv_bool(fmod(flo_val(v), 2.0) != 0));
}
int prim_evenp(pith_vm *vm, int argc) {
    (void)argc;
    TRY(int_arg(vm, 0, "even?"));
    pv v = ARG(0);
    if (pv_is_fix(v)) RETURN(pv_bool(!(pv_fix(v) & 1)));
    RETURN(pv_bool(fmod(flo_val(v), 2.0) == 0));
}

/* max/min: inexact if any argument is inexact (R7RS 6.2.6). */
static int extremum(pith_vm *vm, int argc, const char *who, int sign) {
    bool inexact = false;
    for (int i = 0; i < argc; i++) {
        REAL_ARG(i, who);
        if (pv_is(ARG(i), T_FLONUM)) inexact = true;
    }
    pv best = ARG(0);
    bool nan = pv_is(best, T_FLONUM) && isnan(flo_val(best));
    for (int i = 1; i < argc; i++) {
        int c;
        TRY(num_cmp(vm, ARG(i), best, who, &c));
        if (c == 2) nan = true;
        else if (c == sign) best = ARG(i);
    }
    if (nan) return mk_flonum(vm, NAN, &vm->r.ret);
    if (inexact && pv_is_fix(best)) return mk_flonum(vm, (double)pv_fix(best), &vm->r.ret);
    RETURN(best);
}
int prim_max(pith_vm *vm, int argc) { return extremum(vm, argc, "max", 1); }
int prim_min(pith_vm *vm, int argc) { return extremum(vm, argc, "min", -1); }

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
        TRY(check_num(vm, acc, "-"));
        if (pv_is(acc, T_FLONUM)) return mk_flonum(vm, -flo_val(acc), &vm->r.ret);
        TRY(num_sub(vm, pv_from_fix(0), acc, &acc));
        RETURN(acc);
    }
    for (int i = 1; i < argc; i++) TRY(num_sub(vm, acc, ARG(i), &acc));
    RETURN(acc);
}
int prim_div(pith_vm *vm, int argc) {
    pv acc = ARG(0);
    GC_SCOPE(vm);
    GC_ROOT(acc);
    if (argc == 1) {
        TRY(num_div(vm, pv_from_fix(1), acc, &acc));
        RETURN(acc);
    }
    for (int i = 1; i < argc; i++) TRY(num_div(vm, acc, ARG(i), &acc));
    RETURN(acc);
}
int prim_abs(pith_vm *vm, int argc) {
    (void)argc;
    REAL_ARG(0, "abs");
    pv v = ARG(0);
    if (pv_is_fix(v)) {
        if (pv_fix(v) >= 0) RETURN(v);
        if (!fix_fits(-pv_fix(v))) return overflow(vm, "abs");
        RETURN(pv_from_fix(-pv_fix(v)));
    }
    return mk_flonum(vm, fabs(flo_val(v)), &vm->r.ret);
}

/* Integer division of two integers (fixnums or integral flonums). */
enum { DIV_TRUNC_Q, DIV_TRUNC_R, DIV_FLOOR_Q, DIV_FLOOR_R };
static int int_division(pith_vm *vm, const char *who, int kind) {
    TRY(int_arg(vm, 0, who));
    TRY(int_arg(vm, 1, who));
    pv a = ARG(0), b = ARG(1);
    if (pv_is_fix(a) && pv_is_fix(b)) {
        int64_t x = pv_fix(a), y = pv_fix(b);
        if (y == 0) return err_msg(vm, "divide-by-zero", who, "division by zero", PV_FALSE);
        int64_t q = x / y, r = x % y;
        if ((kind == DIV_FLOOR_Q || kind == DIV_FLOOR_R) && r != 0 && ((r < 0) != (y < 0))) {
            q -= 1;
            r += y;
        }
        int64_t res = (kind == DIV_TRUNC_Q || kind == DIV_FLOOR_Q) ? q : r;
        if (!fix_fits(res)) return overflow(vm, who);
        RETURN(pv_from_fix(res));
    }
    double x = to_double(a), y = to_double(b);
    if (y == 0) return err_msg(vm, "divide-by-zero", who, "division by zero", PV_FALSE);
    double q = trunc(x / y), r = fmod(x, y);
    if ((kind == DIV_FLOOR_Q || kind == DIV_FLOOR_R) && r != 0 && ((r < 0) != (y < 0))) {
        q -= 1;
        r += y;
    }
    return mk_flonum(vm, (kind == DIV_TRUNC_Q || kind == DIV_FLOOR_Q) ? q : r, &vm->r.ret);
}
int prim_quotient(pith_vm *vm, int argc) { (void)argc; return int_division(vm, "quotient", DIV_TRUNC_Q); }
int prim_remainder(pith_vm *vm, int argc) { (void)argc; return int_division(vm, "remainder", DIV_TRUNC_R); }
int prim_modulo(pith_vm *vm, int argc) { (void)argc; return int_division(vm, "modulo", DIV_FLOOR_R); }
int prim_floor_quotient(pith_vm *vm, int argc) { (void)argc; return int_division(vm, "floor-quotient", DIV_FLOOR_Q); }

static int64_t gcd64(int64_t a, int64_t b) {
    uint64_t x = a < 0 ? (uint64_t)0 - (uint64_t)a : (uint64_t)a;
    uint64_t y = b < 0 ? (uint64_t)0 - (uint64_t)b : (uint64_t)b;
    while (y) { uint64_t t = x % y; x = y; y = t; }
    return (int64_t)x;
}
int prim_gcd(pith_vm *vm, int argc) {
    bool inexact = false;
    int64_t g = 0;
    for (int i = 0; i < argc; i++) {
        TRY(int_arg(vm, i, "gcd"));
        pv v = ARG(i);
        int64_t x;
        if (pv_is_fix(v)) x = pv_fix(v);
        else {
            inexact = true;
            if (fabs(flo_val(v)) >= 4.6e18) return overflow(vm, "gcd");
            x = (int64_t)flo_val(v);
        }
        g = gcd64(g, x);
    }
    if (inexact) return mk_flonum(vm, (double)g, &vm->r.ret);
    if (!fix_fits(g)) return overflow(vm, "gcd");
    RETURN(pv_from_fix(g));
}
int prim_lcm(pith_vm *vm, int argc) {
    bool inexact = false;
    int64_t l = 1;
    for (int i = 0; i < argc; i++) {
        TRY(int_arg(vm, i, "lcm"));
        pv v = ARG(i);
        int64_t x;
        if (pv_is_fix(v)) x = pv_fix(v);
        else {
            inexact = true;
            if (fabs(flo_val(v)) >= 4.6e18) return overflow(vm, "lcm");
            x = (int64_t)flo_val(v);
        }
        if (x < 0) x = -x;
        if (x == 0) { l = 0; continue; }
        if (l == 0) continue;
        int64_t g = gcd64(l, x), r;
        if (__builtin_mul_overflow(l / g, x, &r) || !fix_fits(r)) return overflow(vm, "lcm");
        l = r;
    }
    if (inexact) return mk_flonum(vm, (double)l, &vm->r.ret);
    RETURN(pv_from_fix(l));
}

static int rounding(pith_vm *vm, const char *who, double (*fn)(double)) {
    REAL_ARG(0, who);
    pv v = ARG(0);
    if (pv_is_fix(v)) RETURN(v);
    return mk_flonum(vm, fn(flo_val(v)), &vm->r.ret);
}
int prim_floor(pith_vm *vm, int argc) { (void)argc; return rounding(vm, "floor", floor); }
int prim_ceiling(pith_vm *vm, int argc) { (void)argc; return rounding(vm, "ceiling", ceil); }
int prim_truncate(pith_vm *vm, int argc) { (void)argc; return rounding(vm, "truncate", trunc); }
int prim_round(pith_vm *vm, int argc) { (void)argc; return rounding(vm, "round", rint); }

int prim_exact(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "exact");
    pv v = ARG(0);
    if (pv_is_fix(v)) RETURN(v);
    double d = flo_val(v);
    if (!isfinite(d)) return err_msg(vm, "range-error", "exact", "no exact equivalent:", v);
    if (!flo_is_integer(d))
        return err_msg(vm, "range-error", "exact", "exact rationals are not supported yet:", v);
    if (d >= 4611686018427387904.0 || d < -4611686018427387904.0) return overflow(vm, "exact");
    RETURN(pv_from_fix((int64_t)d));
}
int prim_inexact(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "inexact");
    pv v = ARG(0);
    if (pv_is(v, T_FLONUM)) RETURN(v);
    return mk_flonum(vm, (double)pv_fix(v), &vm->r.ret);
}

static int radix_arg(pith_vm *vm, int argc, int i, const char *who, int *radix) {
    *radix = 10;
    if (argc <= i) return PITH_OK;
    pv r = ARG(i);
    if (!pv_is_fix(r) || (pv_fix(r) != 2 && pv_fix(r) != 8 && pv_fix(r) != 10 && pv_fix(r) != 16))
        return err_msg(vm, "range-error", who, "radix must be 2, 8, 10 or 16:", r);
    *radix = (int)pv_fix(r);
    return PITH_OK;
}

int prim_number_to_string(pith_vm *vm, int argc) {
    NUM_ARG(0, "number->string");
    int radix;
    TRY(radix_arg(vm, argc, 1, "number->string", &radix));
    char buf[128];
    size_t n = num_format(vm, ARG(0), radix, buf, sizeof buf);
    if (!n) return err_msg(vm, "range-error", "number->string", "inexact numbers print only in radix 10:", ARG(0));
    return str_from_utf8(vm, (uint8_t *)buf, n, &vm->r.ret);
}

int prim_string_to_number(pith_vm *vm, int argc) {
    if (!pv_is(ARG(0), T_STRING)) return err_type(vm, "string->number", "string", ARG(0));
    int radix;
    TRY(radix_arg(vm, argc, 1, "string->number", &radix));
    pv out;
    int st = num_parse(vm, ARG(0), 0, str_len(ARG(0)), radix, &out);
    if (st) return st;
    RETURN(out);
}

int prim_square(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "square");
    return num_mul(vm, ARG(0), ARG(0), &vm->r.ret);
}

/* The integer square root of a non-negative 64-bit integer. */
static int64_t isqrt64(int64_t n) {
    int64_t r = (int64_t)sqrt((double)n);
    while (r > 0 && r * r > n) r--;
    while ((r + 1) * (r + 1) <= n) r++;
    return r;
}

int prim_sqrt(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "sqrt");
    pv v = ARG(0);
    if (pv_is_fix(v)) {
        int64_t n = pv_fix(v);
        if (n < 0) return err_msg(vm, "range-error", "sqrt", "complex results are not supported yet:", v);
        int64_t r = isqrt64(n);
        if (r * r == n) RETURN(pv_from_fix(r));
        return mk_flonum(vm, sqrt((double)n), &vm->r.ret);
    }
    double d = flo_val(v);
    if (d < 0) return err_msg(vm, "range-error", "sqrt", "complex results are not supported yet:", v);
    return mk_flonum(vm, sqrt(d), &vm->r.ret);
}

int prim_exact_integer_sqrt(pith_vm *vm, int argc) {
    (void)argc;
    pv v = ARG(0);
    if (!pv_is_fix(v) || pv_fix(v) < 0) return err_type(vm, "exact-integer-sqrt", "non-negative exact integer", v);
    int64_t n = pv_fix(v), r = isqrt64(n);
    pv p;
    TRY(mk_pair(vm, pv_from_fix(r), pv_from_fix(n - r * r), &p));
    RETURN(p);
}

int prim_expt(pith_vm *vm, int argc) {
    (void)argc;
    NUM_ARG(0, "expt");
    NUM_ARG(1, "expt");
    pv b = ARG(0), e = ARG(1);
    if (pv_is_fix(b) && pv_is_fix(e)) {
        int64_t x = pv_fix(b), n = pv_fix(e), r = 1;
        if (n < 0) {
            if (x == 1 || x == -1) RETURN(pv_from_fix((n & 1) ? x : 1));
            if (x == 0) return err_msg(vm, "divide-by-zero", "expt", "division by zero", PV_FALSE);
            return err_msg(vm, "range-error", "expt", "exact rationals are not supported yet", PV_FALSE);
        }
        while (n) {
            if (n & 1) {
                if (__builtin_mul_overflow(r, x, &r) || !fix_fits(r)) return overflow(vm, "expt");
            }
            n >>= 1;
            if (n && (__builtin_mul_overflow(x, x, &x) || !fix_fits(x))) return overflow(vm, "expt");
        }
        RETURN(pv_from_fix(r));
    }
    double x = to_double(b), y = to_double(e);
    if (x < 0 && !flo_is_integer(y)) return err_msg(vm, "range-error", "expt", "complex results are not supported yet", PV_FALSE);
    return mk_flonum(vm, pow(x, y), &vm->r.ret);
}

static int unary_math(pith_vm *vm, const char *who, double (*fn)(double), double lo, double hi) {
    NUM_ARG(0, who);
    pv v = ARG(0);
    double d = to_double(v);
    if (d < lo || d > hi) return err_msg(vm, "range-error", who, "complex results are not supported yet:", v);
    if (pv_is_fix(v) && pv_fix(v) == 0 && (fn == sin || fn == tan || fn == asin || fn == atan)) RETURN(v);
    return mk_flonum(vm, fn(d), &vm->r.ret);
}
int prim_exp(pith_vm *vm, int argc) {
    (void)argc;
    if (ARG(0) == pv_from_fix(0)) RETURN(pv_from_fix(1));
    return unary_math(vm, "exp", exp, -INFINITY, INFINITY);
}
int prim_log(pith_vm *vm, int argc) {
    NUM_ARG(0, "log");
    if (ARG(0) == pv_from_fix(1) && argc == 1) RETURN(pv_from_fix(0));
    double x = to_double(ARG(0));
    if (x < 0) return err_msg(vm, "range-error", "log", "complex results are not supported yet:", ARG(0));
    if (argc == 2) {
        NUM_ARG(1, "log");
        double b = to_double(ARG(1));
        if (b < 0) return err_msg(vm, "range-error", "log", "complex results are not supported yet:", ARG(1));
        return mk_flonum(vm, log(x) / log(b), &vm->r.ret);
    }
    return mk_flonum(vm, log(x), &vm->r.ret);
}
int prim_sin(pith_vm *vm, int argc) { (void)argc; return unary_math(vm, "sin", sin, -INFINITY, INFINITY); }
int prim_cos(pith_vm *vm, int argc) {
    (void)argc;
    if (ARG(0) == pv_from_fix(0)) RETURN(pv_from_fix(1));
    return unary_math(vm, "cos", cos, -INFINITY, INFINITY);
}
int prim_tan(pith_vm *vm, int argc) { (void)argc; return unary_math(vm, "tan", tan, -INFINITY, INFINITY); }
int prim_asin(pith_vm *vm, int argc) { (void)argc; return unary_math(vm, "asin", asin, -1, 1); }
int prim_acos(pith_vm *vm, int argc) {
    (void)argc;
    if (ARG(0) == pv_from_fix(1)) RETURN(pv_from_fix(0));
    return unary_math(vm, "acos", acos, -1, 1);
}
int prim_atan(pith_vm *vm, int argc) {
    if (argc == 1) return unary_math(vm, "atan", atan, -INFINITY, INFINITY);
    REAL_ARG(0, "atan");
    REAL_ARG(1, "atan");
    if (pv_is_fix(ARG(0)) && pv_fix(ARG(0)) == 0 && pv_is_fix(ARG(1)) && pv_fix(ARG(1)) > 0) RETURN(pv_from_fix(0));
    return mk_flonum(vm, atan2(to_double(ARG(0)), to_double(ARG(1))), &vm->r.ret);
}
/* The numerator and denominator of a finite flonum's exact value, when
 * they fit in fixnums (d = m * 2^e, reduced). */
static bool flo_ratio(double d, int64_t *num, int64_t *den) {
    uint64_t m;
    int e;
    if (!isfinite(d)) return false;
    flo_decompose(d, &m, &e);
    if (m == 0) { *num = 0; *den = 1; return true; }
    while (e < 0 && !(m & 1)) { m >>= 1; e++; }
    if (e >= 0) {
        if (e > 9 || (m << e) >> e != m || (m << e) > (uint64_t)PV_FIX_MAX) return false;
        *num = (int64_t)(m << e);
        *den = 1;
    } else {
        if (-e > 61) return false;
        *num = (int64_t)m;
        *den = (int64_t)1 << -e;
    }
    if (d < 0) *num = -*num;
    return true;
}

int prim_numerator(pith_vm *vm, int argc) {
    (void)argc;
    REAL_ARG(0, "numerator");
    pv v = ARG(0);
    if (pv_is_fix(v)) RETURN(v);
    int64_t num, den;
    if (!flo_ratio(flo_val(v), &num, &den)) return err_msg(vm, "range-error", "numerator", "no exact value that fits (bignums are not supported yet):", v);
    return mk_flonum(vm, (double)num, &vm->r.ret);
}
int prim_denominator(pith_vm *vm, int argc) {
    (void)argc;
    REAL_ARG(0, "denominator");
    pv v = ARG(0);
    if (pv_is_fix(v)) RETURN(pv_from_fix(1));
    int64_t num, den;
    if (!flo_ratio(flo_val(v), &num, &den)) return err_msg(vm, "range-error", "denominator", "no exact value that fits (bignums are not supported yet):", v);
    return mk_flonum(vm, (double)den, &vm->r.ret);
}
