/* bignum.c -- exact integers of any size.
 *
 * An integer is a fixnum or a BIGNUM: slot 0 holds the number of 64-bit
 * limbs with the sign of the value, then the limbs, least significant
 * first (products are formed in unsigned __int128).  Results are normalized: no leading zero limbs, and a value that
 * fits a fixnum is a fixnum.  (An object may have more room than its
 * length; the extra limbs are zero.)
 *
 * The limb algorithms work on plain arrays: schoolbook and Karatsuba
 * multiplication, Knuth's division (TAOCP 4.3.1, Algorithm D), shifts.
 * Operands are read only after the result is allocated (the collector
 * moves objects), and scratch space comes from the host, not the heap.
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include "vm.h"
#include "flonum.h"
#include "bignum.h"

typedef uint64_t limb;
typedef unsigned __int128 dlimb;
#define LIMB_BITS 64
#define KARATSUBA_THRESHOLD 28   /* limbs: below this, schoolbook wins */
#define TOOM3_THRESHOLD 200      /* limbs: from here, Toom-Cook 3-way */

/* ---- the object ---- */

static size_t blen(pv b) { int64_t s = pv_fix(SLOT(b, 0)); return (size_t)(s < 0 ? -s : s); }
static bool bneg(pv b) { return pv_fix(SLOT(b, 0)) < 0; }
static limb *blimbs(pv b) { return (limb *)pv_raw(b, 1); }

bool int_is(pv v) { return pv_is_fix(v) || pv_is(v, T_BIGNUM); }

/* A read-only view of an integer's magnitude and sign.  For a bignum it
 * points into the heap: take it only after the last allocation. */
typedef struct ival {
    const limb *d;   /* limbs, least significant first */
    size_t n;        /* number of limbs (0 for zero) */
    bool neg;        /* negative */
    limb buf[1];     /* the limb of a fixnum */
} ival;

static void ival_of(pv v, ival *iv) {
    if (pv_is_fix(v)) {
        int64_t x = pv_fix(v);
        uint64_t m = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
        iv->neg = x < 0;
        iv->buf[0] = m;
        iv->d = iv->buf;
        iv->n = m != 0;
    } else {
        iv->d = blimbs(v);
        iv->n = blen(v);
        iv->neg = bneg(v);
        while (iv->n && !iv->d[iv->n - 1]) iv->n--;
    }
}

static size_t limbs_of(pv v) { return pv_is_fix(v) ? 1 : blen(v); }

/* The largest integer has INT_MAX_BITS bits (512 MiB): a program that
 * asks for more gets an error at once rather than hours of work. */
#define INT_MAX_LIMBS ((size_t)1 << 26)
#define INT_MAX_BITS ((uint64_t)INT_MAX_LIMBS * 64)
static int too_large(pith_vm *vm) {
    return err_msg(vm, "range-error", 0, "integer too large: the limit is 2^32 bits", PV_FALSE);
}

/* A zeroed bignum with room for n limbs. */
static int big_alloc(pith_vm *vm, size_t n, pv *out) {
    if (n > INT_MAX_LIMBS + 2) return too_large(vm);
    TRY(gc_alloc(vm, T_BIGNUM, 1 + n, out));
    SLOT(*out, 0) = pv_from_fix((int64_t)n);
    return PITH_OK;
}

/* Fix the length (and sign) of a bignum whose limbs are written; a value
 * that fits becomes a fixnum. */
static pv big_norm(pv b, bool neg) {
    limb *d = blimbs(b);
    size_t n = blen(b);
    while (n && !d[n - 1]) n--;
    if (n <= 1) {
        uint64_t m = n == 0 ? 0 : d[0];
        if (m <= (uint64_t)PV_FIX_MAX) return pv_from_fix(neg ? -(int64_t)m : (int64_t)m);
        if (neg && m == (uint64_t)PV_FIX_MAX + 1) return pv_from_fix(PV_FIX_MIN);
    }
    SLOT(b, 0) = pv_from_fix(neg ? -(int64_t)n : (int64_t)n);
    return b;
}

int int_from_u64(pith_vm *vm, uint64_t m, bool neg, pv *out) {
    if (m <= (uint64_t)PV_FIX_MAX) {
        *out = pv_from_fix(neg ? -(int64_t)m : (int64_t)m);
        return PITH_OK;
    }
    TRY(big_alloc(vm, 1, out));
    blimbs(*out)[0] = m;
    *out = big_norm(*out, neg);
    return PITH_OK;
}

int int_from_i64(pith_vm *vm, int64_t x, pv *out) {
    return int_from_u64(vm, x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x, x < 0, out);
}

bool int_to_i64(pv v, int64_t *out) {
    if (pv_is_fix(v)) {
        *out = pv_fix(v);
        return true;
    }
    ival a;
    ival_of(v, &a);
    if (a.n > 1) return false;
    uint64_t m = a.n == 0 ? 0 : a.d[0];
    if (a.neg ? m > (uint64_t)INT64_MAX + 1 : m > (uint64_t)INT64_MAX) return false;
    *out = a.neg ? (int64_t)(0 - m) : (int64_t)m;
    return true;
}

bool int_to_u64(pv v, uint64_t *out) {
    ival a;
    ival_of(v, &a);
    if (a.neg && a.n) return false;
    if (a.n > 1) return false;
    *out = a.n == 0 ? 0 : a.d[0];
    return true;
}

int int_sign(pv v) {
    if (pv_is_fix(v)) return pv_fix(v) < 0 ? -1 : pv_fix(v) > 0;
    ival a;
    ival_of(v, &a);
    return a.n == 0 ? 0 : a.neg ? -1 : 1;
}

/* ---- magnitudes ---- */

static int mag_cmp(const limb *a, size_t an, const limb *b, size_t bn) {
    if (an != bn) return an < bn ? -1 : 1;
    for (size_t i = an; i-- > 0;)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* Compare a and b, either of which may have leading zero limbs. */
static int mag_cmp_len(const limb *a, size_t an, const limb *b, size_t bn) {
    while (an && !a[an - 1]) an--;
    while (bn && !b[bn - 1]) bn--;
    return mag_cmp(a, an, b, bn);
}

/* r = a + b (an >= bn); r has room for an + 1 limbs. */
static void mag_add(limb *r, const limb *a, size_t an, const limb *b, size_t bn) {
    limb c = 0;
    size_t i = 0;
    for (; i < bn; i++) {
        dlimb s = (dlimb)a[i] + b[i] + c;
        r[i] = (limb)s;
        c = (limb)(s >> 64);
    }
    for (; i < an; i++) {
        r[i] = a[i] + c;
        c = r[i] < c;
    }
    r[an] = c;
}

/* r = a - b (a >= b, an >= bn); r has room for an limbs. */
static void mag_sub(limb *r, const limb *a, size_t an, const limb *b, size_t bn) {
    limb borrow = 0;
    size_t i = 0;
    for (; i < bn; i++) {
        dlimb d = (dlimb)a[i] - b[i] - borrow;
        r[i] = (limb)d;
        borrow = (limb)(d >> 64) & 1;
    }
    for (; i < an; i++) {
        r[i] = a[i] - borrow;
        borrow = a[i] < borrow;
    }
}

/* r += a (r has rn limbs, rn >= an, carry propagates within r). */
static void mag_add_into(limb *r, size_t rn, const limb *a, size_t an) {
    limb c = 0;
    size_t i = 0;
    for (; i < an; i++) {
        dlimb s = (dlimb)r[i] + a[i] + c;
        r[i] = (limb)s;
        c = (limb)(s >> 64);
    }
    for (; c && i < rn; i++) {
        r[i] += c;
        c = r[i] < c;
    }
}

/* r -= a (r >= a). */
static void mag_sub_from(limb *r, size_t rn, const limb *a, size_t an) {
    limb borrow = 0;
    size_t i = 0;
    for (; i < an; i++) {
        dlimb d = (dlimb)r[i] - a[i] - borrow;
        r[i] = (limb)d;
        borrow = (limb)(d >> 64) & 1;
    }
    for (; borrow && i < rn; i++) {
        limb old = r[i];
        r[i] = old - borrow;
        borrow = old < borrow;
    }
}

/* r = a * b, schoolbook; r has an + bn limbs (written fully). */
static void mag_mul_school(limb *r, const limb *a, size_t an, const limb *b, size_t bn) {
    MEMSET(r, 0, (an + bn) * sizeof(limb));
    for (size_t j = 0; j < bn; j++) {
        dlimb c = 0, bj = b[j];
        if (!bj) continue;
        for (size_t i = 0; i < an; i++) {
            c += (dlimb)a[i] * bj + r[i + j];
            r[i + j] = (limb)c;
            c >>= 64;
        }
        r[an + j] = (limb)c;
    }
}

/* Scratch limbs Karatsuba needs for an an-by-bn product. */
static size_t kara_scratch(size_t an, size_t bn) { return 6 * (an + bn) + 256; }

/* r = a * 2 (r has n + 1 limbs; r may be a). */
static void mag_shl1(limb *r, const limb *a, size_t n) {
    limb c = 0;
    for (size_t i = 0; i < n; i++) {
        limb x = a[i];
        r[i] = (x << 1) | c;
        c = x >> 63;
    }
    r[n] = c;
}

/* a /= 2 in place (a even). */
static void mag_shr1(limb *a, size_t n) {
    for (size_t i = 0; i < n; i++) a[i] = (a[i] >> 1) | (i + 1 < n ? a[i + 1] << 63 : 0);
}

/* a /= 3 in place, a being a multiple of 3: multiply by the inverse of 3
 * modulo 2^64 limb by limb, carrying what 3q takes from the next limb. */
static void mag_div3_exact(limb *a, size_t n) {
    const limb inv3 = 0xaaaaaaaaaaaaaaabull;  /* 3 * inv3 == 1 mod 2^64 */
    limb c = 0;
    for (size_t i = 0; i < n; i++) {
        limb t = a[i] - c;
        limb b = a[i] < c;
        limb q = t * inv3;
        a[i] = q;
        c = b + (limb)(((dlimb)q * 3) >> 64);
    }
}

/* Copy a (an limbs) into r, zero-extended to n limbs. */
static void mag_copy_ext(limb *r, const limb *a, size_t an, size_t n) {
    MEMCPY(r, a, an * sizeof(limb));
    MEMSET(r + an, 0, (n - an) * sizeof(limb));
}

static void mag_mul_kara(limb *r, const limb *a, size_t an, const limb *b, size_t bn, limb *scratch);

/* The values of a0 + a1 x + a2 x^2 at x = 1, -1 and 2, each k + 2 limbs
 * (a0 and a1 have k limbs, a2 has a2n <= k): p1, |pm1| with its sign, p2. */
static void toom3_eval(const limb *a, size_t k, size_t a2n, limb *p1, limb *pm1, bool *neg, limb *p2, limb *t) {
    const limb *a0 = a, *a1 = a + k, *a2 = a + 2 * k;
    size_t n = k + 2;
    mag_copy_ext(t, a0, k, n);
    mag_add_into(t, n, a2, a2n);           /* t = a0 + a2 */
    mag_copy_ext(p1, t, n, n);
    mag_add_into(p1, n, a1, k);            /* p1 = a0 + a1 + a2 */
    mag_copy_ext(pm1, t, n, n);            /* pm1 = |a0 - a1 + a2| */
    if (mag_cmp_len(t, n, a1, k) >= 0) {
        mag_sub_from(pm1, n, a1, k);
        *neg = false;
    } else {
        mag_copy_ext(pm1, a1, k, n);
        mag_sub_from(pm1, n, t, n);
        *neg = true;
    }
    mag_copy_ext(p2, a2, a2n, n);          /* p2 = ((2 a2 + a1) 2) + a0 */
    mag_shl1(p2, p2, n - 1);
    mag_add_into(p2, n, a1, k);
    mag_shl1(p2, p2, n - 1);
    mag_add_into(p2, n, a0, k);
}

/* r = a * b by Toom-Cook 3-way: a and b split in three pieces of k limbs
 * (the top ones shorter), multiplied at the points 0, 1, -1, 2 and
 * infinity (five products of a third the size, instead of nine), and the
 * product's five coefficients c0..c4 recovered by exact division:
 *   A = r1 - c0 - c4 = c1 + c2 + c3     B = r-1 - c0 - c4 = -c1 + c2 - c3
 *   c2 = (A + B) / 2                    S = (A - B) / 2 = c1 + c3
 *   U = (r2 - c0 - 16 c4) / 2 - 2 c2 = c1 + 4 c3
 *   c3 = (U - S) / 3                    c1 = S - c3
 * Needs k = ceil(an / 3) < bn - 2k; r has an + bn limbs. */
static void mag_mul_toom3(limb *r, const limb *a, size_t an, const limb *b, size_t bn, limb *scratch) {
    size_t k = (an + 2) / 3, a2n = an - 2 * k, b2n = bn - 2 * k;
    size_t e = k + 2, L = 2 * e;           /* evaluation and product sizes */
    limb *p1 = scratch, *pm1 = p1 + e, *p2 = pm1 + e;
    limb *q1 = p2 + e, *qm1 = q1 + e, *q2 = qm1 + e;
    limb *r1 = q2 + e, *rm1 = r1 + L, *r2 = rm1 + L, *w = r2 + L, *t = w + L;
    limb *next = t + L;
    bool pneg, qneg;
    toom3_eval(a, k, a2n, p1, pm1, &pneg, p2, t);
    toom3_eval(b, k, b2n, q1, qm1, &qneg, q2, t);
    /* the five products; c0 and c4 land in place */
    size_t rn = an + bn;
    mag_mul_kara(r, a, k, b, k, next);                       /* c0: [0, 2k) */
    MEMSET(r + 2 * k, 0, (4 * k - 2 * k) * sizeof(limb));
    if (a2n >= b2n) mag_mul_kara(r + 4 * k, a + 2 * k, a2n, b + 2 * k, b2n, next);
    else mag_mul_kara(r + 4 * k, b + 2 * k, b2n, a + 2 * k, a2n, next);  /* c4 */
    mag_mul_kara(r1, p1, e, q1, e, next);
    mag_mul_kara(rm1, pm1, e, qm1, e, next);
    mag_mul_kara(r2, p2, e, q2, e, next);
    bool mneg = pneg != qneg;                                /* sign of r-1 */
    const limb *c0 = r, *c4 = r + 4 * k;
    size_t c4n = rn - 4 * k;
    /* w = c0 + c4 */
    mag_copy_ext(w, c0, 2 * k, L);
    mag_add_into(w, L, c4, c4n);
    /* r1 <- A = r1 - w */
    mag_sub_from(r1, L, w, L);
    /* t <- 2 c2 = A + B, rm1 <- 2 S = A - B, where B = +-rm1 - w */
    if (!mneg) {
        mag_copy_ext(t, r1, L, L);
        mag_add_into(t, L, rm1, L);
        mag_sub_from(t, L, w, L);          /* A + rm1 - w */
        mag_add_into(w, L, r1, L);         /* w <- A + w */
        mag_sub_from(w, L, rm1, L);        /* A + w - rm1 */
        mag_copy_ext(rm1, w, L, L);
    } else {
        mag_add_into(w, L, rm1, L);        /* w <- w + |rm1| */
        mag_copy_ext(t, r1, L, L);
        mag_sub_from(t, L, w, L);          /* A - |rm1| - w */
        mag_add_into(rm1, L, r1, L);       /* |rm1| + A */
        mag_add_into(rm1, L, c0, 2 * k);
        mag_add_into(rm1, L, c4, c4n);     /* A + |rm1| + c0 + c4 */
    }
    mag_shr1(t, L);                        /* t = c2 */
    mag_shr1(rm1, L);                      /* rm1 = S */
    /* r2 <- U = (r2 - c0 - 16 c4) / 2 - 2 c2 */
    mag_sub_from(r2, L, c0, 2 * k);
    for (int i = 0; i < 4; i++) {          /* w = 16 c4 */
        if (i == 0) mag_shl1(w, c4, c4n), MEMSET(w + c4n + 1, 0, (L - c4n - 1) * sizeof(limb));
        else mag_shl1(w, w, L - 1);
    }
    mag_sub_from(r2, L, w, L);
    mag_shr1(r2, L);
    mag_shl1(w, t, L - 1);
    mag_sub_from(r2, L, w, L);
    /* r2 <- c3 = (U - S) / 3, rm1 <- c1 = S - c3 */
    mag_sub_from(r2, L, rm1, L);
    mag_div3_exact(r2, L);
    mag_sub_from(rm1, L, r2, L);
    /* add c1 x + c2 x^2 + c3 x^3 */
    size_t n;
    n = L; while (n && !rm1[n - 1]) n--;
    mag_add_into(r + k, rn - k, rm1, n);
    n = L; while (n && !t[n - 1]) n--;
    mag_add_into(r + 2 * k, rn - 2 * k, t, n);
    n = L; while (n && !r2[n - 1]) n--;
    mag_add_into(r + 3 * k, rn - 3 * k, r2, n);
}

/* r = a * b with an >= bn; r has an + bn limbs (written fully). */
static void mag_mul_kara(limb *r, const limb *a, size_t an, const limb *b, size_t bn, limb *scratch) {
    if (bn < KARATSUBA_THRESHOLD) {
        mag_mul_school(r, a, an, b, bn);
        return;
    }
    if (bn >= TOOM3_THRESHOLD && bn > 2 * ((an + 2) / 3)) {
        mag_mul_toom3(r, a, an, b, bn, scratch);
        return;
    }
    size_t m = (an + 1) / 2;
    if (bn <= m) {
        /* Unbalanced: multiply b by pieces of a of b's size. */
        MEMSET(r, 0, (an + bn) * sizeof(limb));
        limb *t = scratch;
        for (size_t i = 0; i < an; i += bn) {
            size_t k = an - i < bn ? an - i : bn;
            if (k >= bn) mag_mul_kara(t, a + i, k, b, bn, scratch + 2 * bn);
            else mag_mul_kara(t, b, bn, a + i, k, scratch + 2 * bn);
            mag_add_into(r + i, an + bn - i, t, k + bn);
        }
        return;
    }
    const limb *a0 = a, *a1 = a + m, *b0 = b, *b1 = b + m;
    size_t a1n = an - m, b1n = bn - m;
    /* z0 = a0 b0 in r[0, 2m), z2 = a1 b1 in r[2m, an + bn) */
    mag_mul_kara(r, a0, m, b0, m, scratch);
    if (a1n >= b1n) mag_mul_kara(r + 2 * m, a1, a1n, b1, b1n, scratch);
    else mag_mul_kara(r + 2 * m, b1, b1n, a1, a1n, scratch);
    /* z1 = (a0 + a1)(b0 + b1) - z0 - z2, added at m */
    limb *sa = scratch, *sb = sa + m + 1, *z1 = sb + m + 1, *next = z1 + 2 * m + 2;
    mag_add(sa, a0, m, a1, a1n);
    mag_add(sb, b0, m, b1, b1n);
    mag_mul_kara(z1, sa, m + 1, sb, m + 1, next);
    mag_sub_from(z1, 2 * m + 2, r, 2 * m);
    mag_sub_from(z1, 2 * m + 2, r + 2 * m, a1n + b1n);
    size_t z1n = 2 * m + 2;
    while (z1n && !z1[z1n - 1]) z1n--;
    mag_add_into(r + m, an + bn - m, z1, z1n);
}

/* q = a / d, returns the remainder (single limb divisor). */
static limb mag_divmod1(limb *q, const limb *a, size_t an, limb d) {
    dlimb r = 0;
    for (size_t i = an; i-- > 0;) {
        dlimb cur = (r << 64) | a[i];
        q[i] = (limb)(cur / d);
        r = cur % d;
    }
    return (limb)r;
}

static int clz64(limb x) { return x ? __builtin_clzll(x) : 64; }

/* Knuth's Algorithm D: q = u / v, r = u % v, with un >= vn >= 2 and v's
 * top limb nonzero.  q has un - vn + 1 limbs, r has vn limbs; scratch has
 * un + vn + 2 limbs. */
static void mag_divmod(limb *q, limb *r, const limb *u, size_t un, const limb *v, size_t vn, limb *scratch) {
    int s = clz64(v[vn - 1]);
    limb *vn_ = scratch, *un_ = scratch + vn;  /* normalized copies */
    for (size_t i = vn; i-- > 0;) vn_[i] = (v[i] << s) | (s && i ? v[i - 1] >> (64 - s) : 0);
    un_[un] = s ? u[un - 1] >> (64 - s) : 0;
    for (size_t i = un; i-- > 0;) un_[i] = (u[i] << s) | (s && i ? u[i - 1] >> (64 - s) : 0);
    for (size_t j = un - vn + 1; j-- > 0;) {
        dlimb num = ((dlimb)un_[j + vn] << 64) | un_[j + vn - 1];
        dlimb qhat = num / vn_[vn - 1], rhat = num % vn_[vn - 1];
        while (qhat >> 64 || qhat * vn_[vn - 2] > ((rhat << 64) | un_[j + vn - 2])) {
            qhat--;
            rhat += vn_[vn - 1];
            if (rhat >> 64) break;
        }
        /* multiply and subtract */
        limb borrow = 0, carry = 0;
        for (size_t i = 0; i < vn; i++) {
            dlimb p = qhat * vn_[i] + carry;
            carry = (limb)(p >> 64);
            limb pl = (limb)p;
            limb d = un_[i + j] - pl;
            limb b1 = un_[i + j] < pl;
            un_[i + j] = d - borrow;
            borrow = b1 + (d < borrow);
        }
        limb d = un_[j + vn] - carry;
        limb b1 = un_[j + vn] < carry;
        un_[j + vn] = d - borrow;
        bool negative = b1 || d < borrow;
        if (negative) {
            /* added back: qhat was one too large */
            qhat--;
            limb c = 0;
            for (size_t i = 0; i < vn; i++) {
                limb s1 = un_[i + j] + c;
                limb c1 = s1 < c;
                un_[i + j] = s1 + vn_[i];
                c = c1 + (un_[i + j] < s1);
            }
            un_[j + vn] += c;
        }
        q[j] = (limb)qhat;
    }
    if (r)
        for (size_t i = 0; i < vn; i++) r[i] = (un_[i] >> s) | (s ? un_[i + 1] << (64 - s) : 0);
}

/* ---- recursive division (Burnikel and Ziegler, "Fast Recursive
 * Division", 1998) ----
 * A 2n-by-n division is two 3n/2-by-n divisions, each of which is an
 * n-by-n/2 division of the top parts (recursively) and a correction by an
 * n/2-by-n/2 product; the cost is about twice that of a multiplication.
 * Sizes are in limbs; b is normalized (its top bit set). */

#define BZ_THRESHOLD 48   /* limbs: below this, or for odd n, Algorithm D */

static size_t bz_scratch(size_t n) { return 16 * n + 1024; }

static void bz_div_3n2n(limb *q, limb *a, const limb *b, size_t h, limb *scratch);

/* a (2n limbs) / b (n limbs), a's top n limbs being less than b: q (n
 * limbs) gets the quotient, a[0, n) the remainder and a[n, 2n) zeros. */
static void bz_div_2n1n(limb *q, limb *a, const limb *b, size_t n, limb *scratch) {
    if (n < BZ_THRESHOLD || n % 2) {
        limb *qt = scratch, *rt = qt + n + 1, *next = rt + n;
        mag_divmod(qt, rt, a, 2 * n, b, n, next);
        MEMCPY(q, qt, n * sizeof(limb));   /* qt[n] is zero: a < b * B^n */
        MEMCPY(a, rt, n * sizeof(limb));
        MEMSET(a + n, 0, n * sizeof(limb));
        return;
    }
    size_t h = n / 2;
    bz_div_3n2n(q + h, a + h, b, h, scratch);  /* top three halves */
    bz_div_3n2n(q, a, b, h, scratch);          /* remainder and the last half */
}

/* a (3h limbs) / b (2h limbs), a's top 2h limbs being less than b: q (h
 * limbs) gets the quotient, a[0, 2h) the remainder, a[2h, 3h) zeros. */
static void bz_div_3n2n(limb *q, limb *a, const limb *b, size_t h, limb *scratch) {
    const limb *b1 = b + h, *b2 = b;
    limb *a1 = a + 2 * h;
    /* estimate q from the top: [a1 a2] / b1 */
    if (mag_cmp(a1, h, b1, h) < 0) {
        bz_div_2n1n(q, a + h, b1, h, scratch);  /* a[h, 2h) = remainder, a1 = 0 */
    } else {
        /* q = B^h - 1; [a1 a2] - q b1 = [a1 a2] - b1 B^h + b1 (< 2 B^h) */
        for (size_t i = 0; i < h; i++) q[i] = ~(limb)0;
        mag_sub_from(a1, h, b1, h);
        mag_add_into(a + h, 2 * h, b1, h);
    }
    /* a -= q b2; while negative, add b back and decrement q */
    limb *d = scratch, *next = d + 2 * h;
    mag_mul_kara(d, q, h, b2, h, next);
    limb borrow = 0;
    for (size_t i = 0; i < 3 * h; i++) {
        dlimb t = (dlimb)a[i] - (i < 2 * h ? d[i] : 0) - borrow;
        a[i] = (limb)t;
        borrow = (limb)(t >> 64) & 1;
    }
    for (int guard = 0; borrow && guard < 4; guard++) {
        limb c = 0;
        for (size_t i = 0; i < 3 * h; i++) {
            dlimb t = (dlimb)a[i] + (i < 2 * h ? b[i] : 0) + c;
            a[i] = (limb)t;
            c = (limb)(t >> 64);
        }
        if (c) borrow = 0;  /* wrapped past zero: non-negative again */
        for (size_t i = 0; i < h && !q[i]--; i++) {}
    }
}

/* q = u / v, r = u % v for vn >= BZ_THRESHOLD, un >= vn (q has un - vn + 1
 * limbs, r has vn).  v is padded to n = s 2^j limbs (s < BZ_THRESHOLD) and
 * normalized; u, shifted the same way, is divided by long division in
 * n-limb digits. */
static int mag_divmod_bz(pith_vm *vm, limb *q, limb *r, const limb *u, size_t un, const limb *v, size_t vn) {
    size_t n = vn, j = 0;
    while (n >= BZ_THRESHOLD) { n = (n + 1) / 2; j++; }
    n <<= j;                                   /* n >= vn, halves evenly j times */
    size_t pad = n - vn;                       /* zero limbs below */
    int sh = clz64(v[vn - 1]);
    size_t wn = un + pad + 1;                  /* shifted u */
    size_t t = (wn + n - 1) / n;               /* n-limb digits of the shifted u */
    if (t < 2) t = 2;
    size_t total = t * n + n + (t * n) + bz_scratch(n);
    limb *mem = tmp_alloc(vm, total * sizeof(limb));
    if (!mem) return err_oom(vm);
    limb *w = mem, *vv = w + t * n, *qq = vv + n, *scratch = qq + t * n;
    /* vv = v << (64 pad + sh), w = u << (64 pad + sh) */
    MEMSET(vv, 0, n * sizeof(limb));
    for (size_t i = 0; i < vn; i++) vv[pad + i] = (v[i] << sh) | (sh && i ? v[i - 1] >> (64 - sh) : 0);
    MEMSET(w, 0, t * n * sizeof(limb));
    for (size_t i = 0; i < un; i++) w[pad + i] = (u[i] << sh) | (sh && i ? u[i - 1] >> (64 - sh) : 0);
    if (sh) w[pad + un] = u[un - 1] >> (64 - sh);
    /* the top digit must be below vv: it is when the shifted u leaves room */
    if (mag_cmp(w + (t - 1) * n, n, vv, n) >= 0) {
        tmp_free(vm, mem, total * sizeof(limb));
        return -1;  /* cannot happen with the sizes above; caller falls back */
    }
    MEMSET(qq, 0, t * n * sizeof(limb));
    for (size_t i = t - 1; i-- > 0;) bz_div_2n1n(qq + i * n, w + i * n, vv, n, scratch);
    /* quotient: qq's low un - vn + 1 limbs; remainder: w[0, n) >> (64 pad + sh) */
    MEMCPY(q, qq, (un - vn + 1) * sizeof(limb));
    for (size_t i = 0; i < vn; i++) {
        limb lo = w[pad + i], hi = pad + i + 1 < n ? w[pad + i + 1] : 0;
        r[i] = sh ? (lo >> sh) | (hi << (64 - sh)) : lo;
    }
    tmp_free(vm, mem, total * sizeof(limb));
    return PITH_OK;
}

/* ---- arithmetic on integers ---- */

/* a + b (or a - b when negate_b), signs handled. */
static int int_addsub(pith_vm *vm, pv a, pv b, bool negate_b, pv *out) {
    if (pv_is_fix(a) && pv_is_fix(b)) {
        int64_t r;
        bool of = negate_b ? __builtin_sub_overflow(pv_fix(a), pv_fix(b), &r) : __builtin_add_overflow(pv_fix(a), pv_fix(b), &r);
        if (!of) return int_from_i64(vm, r, out);
    }
    size_t n = (limbs_of(a) > limbs_of(b) ? limbs_of(a) : limbs_of(b)) + 1;
    pv res;
    GC_SCOPE(vm);
    GC_ROOT2(a, b);
    TRY(big_alloc(vm, n, &res));
    ival x, y;
    ival_of(a, &x);
    ival_of(b, &y);
    bool yneg = negate_b ? !y.neg : y.neg;
    limb *r = blimbs(res);
    bool neg;
    if (x.neg == yneg) {
        if (x.n >= y.n) mag_add(r, x.d, x.n, y.d, y.n);
        else mag_add(r, y.d, y.n, x.d, x.n);
        neg = x.neg;
    } else if (mag_cmp(x.d, x.n, y.d, y.n) >= 0) {
        mag_sub(r, x.d, x.n, y.d, y.n);
        neg = x.neg;
    } else {
        mag_sub(r, y.d, y.n, x.d, x.n);
        neg = yneg;
    }
    *out = big_norm(res, neg);
    return PITH_OK;
}

int int_add(pith_vm *vm, pv a, pv b, pv *out) { return int_addsub(vm, a, b, false, out); }
int int_sub(pith_vm *vm, pv a, pv b, pv *out) { return int_addsub(vm, a, b, true, out); }

int int_neg(pith_vm *vm, pv a, pv *out) { return int_addsub(vm, pv_from_fix(0), a, true, out); }

int int_mul(pith_vm *vm, pv a, pv b, pv *out) {
    if (pv_is_fix(a) && pv_is_fix(b)) {
        int64_t r;
        if (!__builtin_mul_overflow(pv_fix(a), pv_fix(b), &r)) return int_from_i64(vm, r, out);
    }
    size_t n = limbs_of(a) + limbs_of(b);
    pv res;
    GC_SCOPE(vm);
    GC_ROOT2(a, b);
    TRY(big_alloc(vm, n, &res));
    ival xa, ya;
    ival_of(a, &xa);
    ival_of(b, &ya);
    if (xa.n == 0 || ya.n == 0) {
        *out = pv_from_fix(0);
        return PITH_OK;
    }
    ival *x = &xa, *y = &ya;  /* x the longer */
    if (x->n < y->n) {
        x = &ya;
        y = &xa;
    }
    if (y->n < KARATSUBA_THRESHOLD) {
        mag_mul_school(blimbs(res), x->d, x->n, y->d, y->n);
    } else {
        size_t sn = kara_scratch(x->n, y->n);
        limb *scratch = tmp_alloc(vm, sn * sizeof(limb));
        if (!scratch) return err_oom(vm);
        mag_mul_kara(blimbs(res), x->d, x->n, y->d, y->n, scratch);
        tmp_free(vm, scratch, sn * sizeof(limb));
    }
    *out = big_norm(res, xa.neg != ya.neg);
    return PITH_OK;
}

/* Truncating division: q = trunc(a / b), r = a - q b (either may be NULL).
 * b must not be zero. */
static int int_divmod_trunc(pith_vm *vm, pv a, pv b, pv *qo, pv *ro) {
    if (pv_is_fix(a) && pv_is_fix(b)) {
        int64_t x = pv_fix(a), y = pv_fix(b);
        if (qo) TRY(int_from_i64(vm, x / y, qo));  /* fixnums cannot overflow int64 here */
        if (ro) *ro = pv_from_fix(x % y);
        return PITH_OK;
    }
    pv q = PV_FALSE, r = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT2(a, b);
    GC_ROOT2(q, r);
    ival x, y;
    ival_of(a, &x);
    ival_of(b, &y);
    if (mag_cmp(x.d, x.n, y.d, y.n) < 0) {
        if (qo) *qo = pv_from_fix(0);
        if (ro) *ro = a;
        return PITH_OK;
    }
    size_t xn = x.n, yn = y.n;
    TRY(big_alloc(vm, xn - yn + 1, &q));
    TRY(big_alloc(vm, yn, &r));
    ival_of(a, &x);
    ival_of(b, &y);
    bool qneg = x.neg != y.neg, rneg = x.neg;
    if (yn == 1) {
        limb rem = mag_divmod1(blimbs(q), x.d, xn, y.d[0]);
        blimbs(r)[0] = rem;
    } else if (yn >= BZ_THRESHOLD && xn - yn >= BZ_THRESHOLD / 2) {
        int st = mag_divmod_bz(vm, blimbs(q), blimbs(r), x.d, xn, y.d, yn);
        if (st > 0) return st;
        if (st < 0) return err_msg(vm, "range-error", 0, "internal error in division", PV_FALSE);
    } else {
        size_t sn = xn + yn + 2;
        limb *scratch = tmp_alloc(vm, sn * sizeof(limb));
        if (!scratch) return err_oom(vm);
        mag_divmod(blimbs(q), blimbs(r), x.d, xn, y.d, yn, scratch);
        tmp_free(vm, scratch, sn * sizeof(limb));
    }
    if (qo) *qo = big_norm(q, qneg);
    if (ro) *ro = big_norm(r, rneg);
    return PITH_OK;
}

int int_divmod(pith_vm *vm, pv a, pv b, bool floor_mode, pv *qo, pv *ro) {
    if (int_sign(b) == 0) return err_msg(vm, "divide-by-zero", 0, "division by zero", PV_FALSE);
    pv q = PV_FALSE, r = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT2(a, b);
    GC_ROOT2(q, r);
    TRY(int_divmod_trunc(vm, a, b, &q, &r));
    if (floor_mode && int_sign(r) != 0 && (int_sign(r) < 0) != (int_sign(b) < 0)) {
        TRY(int_sub(vm, q, pv_from_fix(1), &q));
        TRY(int_add(vm, r, b, &r));
    }
    if (qo) *qo = q;
    if (ro) *ro = r;
    return PITH_OK;
}

int int_cmp(pv a, pv b) {
    if (pv_is_fix(a) && pv_is_fix(b)) return pv_fix(a) < pv_fix(b) ? -1 : pv_fix(a) > pv_fix(b);
    ival x, y;
    ival_of(a, &x);
    ival_of(b, &y);
    if (x.neg != y.neg) return x.n == 0 && y.n == 0 ? 0 : x.neg ? -1 : 1;
    int c = mag_cmp(x.d, x.n, y.d, y.n);
    return x.neg ? -c : c;
}

bool int_is_odd(pv a) {
    if (pv_is_fix(a)) return pv_fix(a) & 1;
    return blen(a) && (blimbs(a)[0] & 1);
}

size_t int_bit_length(pv a) {
    ival x;
    ival_of(a, &x);
    if (x.n == 0) return 0;
    return (x.n - 1) * 64 + (64 - (size_t)clz64(x.d[x.n - 1]));
}

/* a * 2^k (k > 0) or floor(a / 2^-k) (k < 0). */
int int_shift(pith_vm *vm, pv a, int64_t k, pv *out) {
    if (k == 0 || int_sign(a) == 0) {
        *out = a;
        return PITH_OK;
    }
    if (k < 0 && pv_is_fix(a)) {
        *out = pv_from_fix(k <= -63 ? (pv_fix(a) < 0 ? -1 : 0) : pv_fix(a) >> -k);
        return PITH_OK;
    }
    GC_SCOPE(vm);
    GC_ROOT(a);
    size_t n = limbs_of(a);
    if (k > 0) {
        if ((uint64_t)k > INT_MAX_BITS) return too_large(vm);
        size_t ls = (size_t)k / 64, bs = (size_t)k % 64;
        pv res;
        TRY(big_alloc(vm, n + ls + 1, &res));
        ival x;
        ival_of(a, &x);
        limb *r = blimbs(res);
        for (size_t i = 0; i < x.n; i++) {
            r[i + ls] |= x.d[i] << bs;
            if (bs) r[i + ls + 1] = x.d[i] >> (64 - bs);
        }
        *out = big_norm(res, x.neg);
        return PITH_OK;
    }
    /* right shift, rounding toward minus infinity */
    uint64_t kk = (uint64_t)-k;
    ival x;
    ival_of(a, &x);
    if (kk >= (uint64_t)x.n * 64) {
        *out = pv_from_fix(x.neg ? -1 : 0);
        return PITH_OK;
    }
    size_t ls = (size_t)(kk / 64), bs = (size_t)(kk % 64);
    bool lost = false;
    for (size_t i = 0; i < ls; i++) if (x.d[i]) lost = true;
    if (bs && (x.d[ls] & (((limb)1 << bs) - 1))) lost = true;
    pv res;
    TRY(big_alloc(vm, n - ls + 1, &res));
    ival_of(a, &x);
    limb *r = blimbs(res);
    for (size_t i = ls; i < x.n; i++) {
        r[i - ls] = x.d[i] >> bs;
        if (bs && i + 1 < x.n) r[i - ls] |= x.d[i + 1] << (64 - bs);
    }
    pv m = big_norm(res, false);
    if (x.neg) {
        /* floor: -(|a| >> k) - (1 if bits were lost) */
        TRY(int_neg(vm, m, &m));
        if (lost) TRY(int_sub(vm, m, pv_from_fix(1), &m));
    }
    *out = m;
    return PITH_OK;
}

/* Compare |a| and |b|. */
static int int_cmp_mag(pv a, pv b) {
    ival x, y;
    ival_of(a, &x);
    ival_of(b, &y);
    return mag_cmp(x.d, x.n, y.d, y.n);
}

/* r = x * u + y * v for the cofactors of a Lehmer step (|x|, |y| < 2^62);
 * the result is known to be non-negative and to fit in n limbs. */
static void mag_lincomb(limb *r, const limb *u, const limb *v, size_t n, int64_t x, int64_t y) {
    __int128 carry = 0;
    for (size_t i = 0; i < n; i++) {
        __int128 acc = (__int128)x * (__int128)u[i] + (__int128)y * (__int128)v[i] + carry;
        r[i] = (limb)acc;
        carry = acc >> 64;  /* arithmetic: carries and borrows alike */
    }
}

/* gcd of magnitudes a >= b >= 1 (2 limbs or more in a), by Lehmer's method:
 * the leading 62 bits of both predict many steps of Euclid's algorithm at
 * once (Knuth, TAOCP vol. 2, 4.5.2, Algorithm L), applied as one linear
 * combination; a full division step when the prediction fails.  Returns
 * the gcd as a u64 limb count written to *g (in one of the buffers). */
static size_t mag_gcd(limb *A, size_t an, limb *B, size_t bn, limb *T, limb *Q, limb *S, limb **g) {
    while (bn >= 2) {
        bool stepped = false;
        if (an == bn) {
            int s = clz64(A[an - 1]);
            limb xa = (A[an - 1] << s) | (s ? A[an - 2] >> (64 - s) : 0);
            limb xb = (B[an - 1] << s) | (s ? B[an - 2] >> (64 - s) : 0);
            int64_t x = (int64_t)(xa >> 2), y = (int64_t)(xb >> 2);
            int64_t ca = 1, cb = 0, cc = 0, cd = 1;
            while (y + cc != 0 && y + cd != 0) {
                int64_t q1 = (x + ca) / (y + cc), q2 = (x + cb) / (y + cd);
                if (q1 != q2) break;
                int64_t t;
                t = ca - q1 * cc; ca = cc; cc = t;
                t = cb - q1 * cd; cb = cd; cd = t;
                t = x - q1 * y; x = y; y = t;
            }
            if (cb != 0) {
                /* (A, B) <- (ca A + cb B, cc A + cd B) */
                mag_lincomb(T, A, B, an, ca, cb);
                mag_lincomb(Q, A, B, an, cc, cd);
                limb *oa = A, *ob = B;
                A = T; B = Q; T = oa; Q = ob;
                while (an && !A[an - 1]) an--;
                bn = an;
                while (bn && !B[bn - 1]) bn--;
                stepped = true;
            }
        }
        if (!stepped) {
            /* one step of Euclid: (A, B) <- (B, A mod B) */
            mag_divmod(Q, T, A, an, B, bn, S);
            limb *oa = A;
            A = B; an = bn;
            B = T; T = oa;
            while (bn && !B[bn - 1]) bn--;
        }
    }
    if (bn == 1) {
        limb x = B[0], y = mag_divmod1(Q, A, an, B[0]);
        while (y) { limb t = x % y; x = y; y = t; }
        A[0] = x;
        an = 1;
    }
    *g = A;
    return an;
}

int int_gcd(pith_vm *vm, pv a, pv b, pv *out) {
    GC_SCOPE(vm);
    GC_ROOT2(a, b);
    if (int_cmp_mag(a, b) < 0) { pv t = a; a = b; b = t; }
    if (int_sign(b) == 0) return int_sign(a) < 0 ? int_neg(vm, a, out) : (*out = a, PITH_OK);
    if (pv_is_fix(a)) {  /* then b is a fixnum too */
        uint64_t x = (uint64_t)(pv_fix(a) < 0 ? -pv_fix(a) : pv_fix(a));
        uint64_t y = (uint64_t)(pv_fix(b) < 0 ? -pv_fix(b) : pv_fix(b));
        while (y) { uint64_t t = x % y; x = y; y = t; }
        return int_from_u64(vm, x, false, out);
    }
    pv res;
    ival x, y;
    ival_of(a, &x);
    size_t n = x.n;
    TRY(big_alloc(vm, n, &res));
    ival_of(a, &x);
    ival_of(b, &y);
    size_t bytes = (6 * n + 8) * sizeof(limb);
    limb *mem = tmp_alloc(vm, bytes);
    if (!mem) return err_oom(vm);
    limb *A = mem, *B = A + n + 1, *T = B + n + 1, *Q = T + n + 1, *S = Q + n + 1;
    MEMCPY(A, x.d, x.n * sizeof(limb));
    MEMSET(B, 0, (n + 1) * sizeof(limb));
    MEMCPY(B, y.d, y.n * sizeof(limb));
    limb *g;
    size_t gn = mag_gcd(A, x.n, B, y.n, T, Q, S, &g);
    limb *r = blimbs(res);
    MEMSET(r, 0, n * sizeof(limb));
    MEMCPY(r, g, gn * sizeof(limb));
    tmp_free(vm, mem, bytes);
    *out = big_norm(res, false);
    return PITH_OK;
}

int int_expt(pith_vm *vm, pv base, uint64_t e, pv *out) {
    if (e > 1 && int_bit_length(base) > 1) {
        ival x;
        ival_of(base, &x);
        double lg = (double)(x.n - 1) * 64 + log2((double)x.d[x.n - 1]);  /* log2 |base| */
        if (lg * (double)e > (double)INT_MAX_BITS) return too_large(vm);
    }
    pv result = pv_from_fix(1);
    GC_SCOPE(vm);
    GC_ROOT2(base, result);
    while (e) {
        if (e & 1) TRY(int_mul(vm, result, base, &result));
        e >>= 1;
        if (e) TRY(int_mul(vm, base, base, &base));
    }
    *out = result;
    return PITH_OK;
}

/* floor(sqrt(a)) for a >= 0, by Newton's method from above. */
int int_sqrt(pith_vm *vm, pv a, pv *out) {
    if (pv_is_fix(a)) {
        int64_t n = pv_fix(a);
        uint64_t r = 0;
        for (int bit = 31; bit >= 0; bit--) {
            uint64_t t = r | ((uint64_t)1 << bit);
            if (t * t <= (uint64_t)n) r = t;
        }
        *out = pv_from_fix((int64_t)r);
        return PITH_OK;
    }
    pv x = PV_FALSE, y = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT3(a, x, y);
    /* start above: 2^ceil(bits/2) */
    TRY(int_shift(vm, pv_from_fix(1), (int64_t)(int_bit_length(a) + 1) / 2 + 1, &x));
    for (;;) {
        /* y = (x + a / x) / 2 */
        TRY(int_divmod_trunc(vm, a, x, &y, 0));
        TRY(int_add(vm, x, y, &y));
        TRY(int_shift(vm, y, -1, &y));
        if (int_cmp(y, x) >= 0) break;
        x = y;
    }
    *out = x;
    return PITH_OK;
}

/* ---- conversions ---- */

double int_to_double(pv a) {
    if (pv_is_fix(a)) return (double)pv_fix(a);
    ival x;
    ival_of(a, &x);
    if (x.n == 0) return 0.0;
    /* the top 64 bits, with a sticky bit for everything below */
    size_t bits = (x.n - 1) * 64 + (64 - (size_t)clz64(x.d[x.n - 1]));
    uint64_t m;
    int64_t shift = (int64_t)bits - 64;
    bool sticky = false;
    if (shift <= 0) {
        m = x.d[0];
        shift = 0;
    } else {
        size_t ls = (size_t)shift / 64, bs = (size_t)shift % 64;
        m = x.d[ls] >> bs;
        if (bs) m |= x.d[ls + 1] << (64 - bs);
        for (size_t i = 0; i < ls && !sticky; i++) sticky = x.d[i] != 0;
        if (!sticky && bs) sticky = (x.d[ls] & (((limb)1 << bs) - 1)) != 0;
        if (sticky) m |= 1;  /* 64 bits leave room: a sticky low bit rounds right */
    }
    double d = flo_ldexp_u64(m, shift);
    return x.neg ? -d : d;
}

int int_from_double(pith_vm *vm, double d, pv *out) {
    uint64_t m;
    int e;
    flo_decompose(d, &m, &e);
    pv r;
    GC_SCOPE(vm);
    TRY(int_from_u64(vm, m, d < 0, &r));
    return int_shift(vm, r, e, out);
}

/* The largest power of radix that fits a limb, and its exponent. */
static limb radix_chunk(int radix, int *per) {
    limb chunk = (limb)radix;
    *per = 1;
    while ((dlimb)chunk * (dlimb)radix <= UINT64_MAX) { chunk *= (limb)radix; (*per)++; }
    return chunk;
}

/* Append the digits of a in radix (2..36) to o, by repeated division
 * (quadratic: for numbers of modest size). */
static int int_to_string_school(pith_vm *vm, pv a, int radix, obuf *o) {
    if (pv_is_fix(a)) {
        char tmp[72];
        int k = 0;
        int64_t v = pv_fix(a);
        uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        do { int d = (int)(u % (uint64_t)radix); tmp[k++] = (char)(d < 10 ? '0' + d : 'a' + d - 10); u /= (uint64_t)radix; } while (u);
        if (v < 0) tmp[k++] = '-';
        char out[72];
        for (int i = 0; i < k; i++) out[i] = tmp[k - 1 - i];
        return obuf_put(vm, o, out, (size_t)k);
    }
    ival x;
    ival_of(a, &x);
    int per;
    limb chunk = radix_chunk(radix, &per);
    size_t n = x.n;
    limb *t = tmp_alloc(vm, (n + 1) * sizeof(limb));
    size_t dcap = n * 64 + 2;  /* digits: at most one per bit */
    char *digits = tmp_alloc(vm, dcap);
    if (!t || !digits) {
        tmp_free(vm, t, (n + 1) * sizeof(limb));
        tmp_free(vm, digits, dcap);
        return err_oom(vm);
    }
    MEMCPY(t, x.d, n * sizeof(limb));
    bool neg = x.neg;
    size_t nd = 0;
    while (n) {
        limb rem = mag_divmod1(t, t, n, chunk);
        while (n && !t[n - 1]) n--;
        for (int i = 0; i < per && (n || rem); i++) {
            int d = (int)(rem % (limb)radix);
            digits[nd++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
            rem /= (limb)radix;
        }
    }
    if (neg) digits[nd++] = '-';
    for (size_t i = 0; i < nd / 2; i++) {
        char c = digits[i];
        digits[i] = digits[nd - 1 - i];
        digits[nd - 1 - i] = c;
    }
    int st = obuf_put(vm, o, digits, nd);
    tmp_free(vm, t, (x.n + 1) * sizeof(limb));
    tmp_free(vm, digits, dcap);
    return st;
}

/* The integer spelled by digit values d[0..n) (most significant first) in
 * radix, by repeated multiplication (quadratic: for modest sizes). */
static int int_from_digits_school(pith_vm *vm, const uint8_t *d, size_t n, int radix, bool neg, pv *out) {
    /* fast path: fits in 62 bits */
    uint64_t small = 0;
    size_t i = 0;
    for (; i < n; i++) {
        if (small > ((uint64_t)PV_FIX_MAX - d[i]) / (uint64_t)radix) break;
        small = small * (uint64_t)radix + d[i];
    }
    if (i == n) return int_from_u64(vm, small, neg, out);
    /* bits per digit, rounded up, bounds the limbs */
    int bits = 1;
    while ((1 << bits) < radix) bits++;
    size_t cap = (n * (size_t)bits) / 64 + 2;
    pv res;
    TRY(big_alloc(vm, cap, &res));
    limb *r = blimbs(res);
    size_t len = 0;
    int per;
    (void)radix_chunk(radix, &per);
    for (i = 0; i < n;) {
        limb val = 0, mul = 1;
        int k = 0;
        for (; k < per && i < n; k++, i++) {
            val = val * (limb)radix + d[i];
            mul *= (limb)radix;
        }
        /* r = r * mul + val */
        dlimb c = val;
        for (size_t j = 0; j < len; j++) {
            c += (dlimb)r[j] * mul;
            r[j] = (limb)c;
            c >>= 64;
        }
        if (c) r[len++] = (limb)c;
    }
    *out = big_norm(res, neg);
    return PITH_OK;
}

uint32_t int_hash(pv a) {
    ival x;
    ival_of(a, &x);
    uint64_t h = x.neg ? 0x9e3779b97f4a7c15ull : 0;
    for (size_t i = 0; i < x.n; i++) h = (h ^ x.d[i]) * 0x100000001b3ull;
    return (uint32_t)(h ^ (h >> 32));
}

bool int_eqv(pv a, pv b) { return int_cmp(a, b) == 0; }

/* ---- subquadratic radix conversion ----
 * Divide and conquer over the powers P[k] = radix^(per * 2^k), where per
 * digits fill a limb.  The divisions by P[k] are recursive (Burnikel and
 * Ziegler), so a conversion costs O(M(n) log n), M(n) being the cost of a
 * multiplication (Toom-Cook 3-way at these sizes). */

#define DC_THRESHOLD 30   /* limbs: below this, the quadratic methods */

/* The powers P[k], as a heap vector (rooted by the caller). */
typedef struct dc_tables {
    pv pow;        /* VECTOR of P[k] */
    int levels;    /* entries in use */
    int per;       /* digits per limb */
    int radix;
} dc_tables;

static int dc_init(pith_vm *vm, dc_tables *t, int radix, size_t need_bits) {
    int per;
    limb chunk = radix_chunk(radix, &per);
    t->per = per;
    t->radix = radix;
    TRY(mk_vector(vm, 64, PV_FALSE, &t->pow));
    pv p;
    TRY(int_from_u64(vm, chunk, false, &p));  /* may exceed a fixnum */
    pv_store(vm, t->pow, &SLOT(t->pow, 0), p);
    int k = 0;
    /* P[k+1] = P[k]^2 until P[k] alone has more than half the bits */
    while (int_bit_length(SLOT(t->pow, k)) * 2 < need_bits + 64 && k < 62) {
        pv sq;
        TRY(int_mul(vm, SLOT(t->pow, k), SLOT(t->pow, k), &sq));
        k++;
        pv_store(vm, t->pow, &SLOT(t->pow, k), sq);
    }
    t->levels = k + 1;
    return PITH_OK;
}

/* Append n (0 <= n < P[k]^2) to o: exactly `width` digits with leading
 * zeros when width > 0, else the minimal digits. */
static int dc_to_string(pith_vm *vm, dc_tables *t, pv n, int k, size_t width, obuf *o) {
    GC_SCOPE(vm);
    GC_ROOT(n);
    if (k < 0 || limbs_of(n) <= DC_THRESHOLD || int_cmp(n, SLOT(t->pow, k)) < 0) {
        if (k >= 0 && limbs_of(n) > DC_THRESHOLD) return dc_to_string(vm, t, n, k - 1, width, o);
        obuf tmp = {0, 0, 0};
        int st = int_sign(n) == 0 ? obuf_put(vm, &tmp, "0", 1) : int_to_string_school(vm, n, t->radix, &tmp);
        if (!st && width > tmp.n)
            for (size_t i = tmp.n; i < width && !st; i++) st = obuf_put(vm, o, "0", 1);
        if (!st) st = obuf_put(vm, o, tmp.p, tmp.n);
        obuf_free(vm, &tmp);
        return st;
    }
    pv q = PV_FALSE, r = PV_FALSE, pk = SLOT(t->pow, k);
    GC_ROOT3(q, r, pk);
    TRY(int_divmod_trunc(vm, n, pk, &q, &r));
    size_t low = (size_t)t->per << k;  /* digits of P[k] minus one */
    TRY(dc_to_string(vm, t, q, k - 1, width > low ? width - low : 0, o));
    return dc_to_string(vm, t, r, k - 1, low, o);
}

int int_to_string(pith_vm *vm, pv a, int radix, obuf *o) {
    if (limbs_of(a) <= DC_THRESHOLD) return int_to_string_school(vm, a, radix, o);
    dc_tables t = {PV_FALSE, 0, 0, radix};
    GC_SCOPE(vm);
    GC_ROOT2(a, t.pow);
    if (int_sign(a) < 0) {
        TRY(obuf_put(vm, o, "-", 1));
        TRY(int_neg(vm, a, &a));
    }
    TRY(dc_init(vm, &t, radix, int_bit_length(a)));
    return dc_to_string(vm, &t, a, t.levels - 1, 0, o);
}

/* The value of digits d[0..n) by halves: high * radix^len(low) + low. */
static int dc_from_digits(pith_vm *vm, dc_tables *t, const uint8_t *d, size_t n, pv *out) {
    if (n <= (size_t)t->per * DC_THRESHOLD) return int_from_digits_school(vm, d, n, t->radix, false, out);
    /* the low part: the largest per * 2^k digits below n */
    int k = 0;
    while (k + 1 < t->levels && ((size_t)t->per << (k + 1)) < n) k++;
    size_t low = (size_t)t->per << k;
    pv hi = PV_FALSE, lo = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT2(hi, lo);
    TRY(dc_from_digits(vm, t, d, n - low, &hi));
    TRY(dc_from_digits(vm, t, d + (n - low), low, &lo));
    TRY(int_mul(vm, hi, SLOT(t->pow, k), &hi));
    return int_add(vm, hi, lo, out);
}

int int_from_digits(pith_vm *vm, const uint8_t *d, size_t n, int radix, bool neg, pv *out) {
    if (n <= 9 * DC_THRESHOLD) return int_from_digits_school(vm, d, n, radix, neg, out);
    dc_tables t = {PV_FALSE, 0, 0, radix};
    pv v = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT2(t.pow, v);
    int bits = 1;
    while ((1 << bits) < radix) bits++;
    TRY(dc_init(vm, &t, radix, n * (size_t)bits));
    TRY(dc_from_digits(vm, &t, d, n, &v));
    if (neg) return int_neg(vm, v, out);
    *out = v;
    return PITH_OK;
}
