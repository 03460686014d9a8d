/* test_flonum.c -- checks src/core/flonum.c against the C library (glibc's
 * strtod and printf are exact) and against exact expansions made here.
 *
 * Usage: test_flonum [COUNT]   COUNT random cases per random test (default
 * 1000000; use e.g. 10000 under sanitizers or valgrind). Prints timings, then
 * "N passed, M failed" last; exits nonzero on any failure.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>
#include <inttypes.h>
#include <float.h>

#include "flonum.h"

static long passed, failed;

/* Counts one check; prints the first few failures. */
static void check(bool ok, const char *what, const char *detail)
{
    if (ok) {
        passed++;
        return;
    }
    if (failed < 40)
        printf("FAIL %s: %s\n", what, detail);
    failed++;
}

/* splitmix64: a fixed-seed generator, so failures reproduce. */
static uint64_t rng_state = 0x5eed1234abcdef01u;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static int64_t rnd_range(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

static uint64_t bits_of(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static double double_of(uint64_t u)
{
    double d;
    memcpy(&d, &u, 8);
    return d;
}

/* ---------------------------------------------------------------------- */
/* Printer */

/* Whether "0.<digits>e<e10>" reads back (strtod) to exactly d. */
static bool reads_back(const char *dg, int n, int e10, double d)
{
    char buf[64];
    snprintf(buf, sizeof buf, "0.%.*se%d", n, dg, e10);
    return bits_of(strtod(buf, NULL)) == bits_of(d);
}

/* The shortest digits of d by brute force over printf precisions (glibc
 * rounds exactly, ties to even): the closest p-digit decimal, or if it does
 * not read back (only possible when the interval is lopsided or open), its
 * neighbour on the other side of d. Returns n, digits and exp10 like
 * flo_shortest. */
static int oracle_at(double d, int p, char *dg, int *e10)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.*e", p - 1, d);
    char mant[32];
    int n = 0;
    char *s = buf;
    for (; *s != 'e'; s++)
        if (*s >= '0' && *s <= '9')
            mant[n++] = *s;
    int x = atoi(s + 1);
    double back = strtod(buf, NULL);
    if (back != d) {
        /* step one unit in the last place towards d */
        if (back < d) {
            int i = n - 1;
            while (i >= 0 && mant[i] == '9')
                mant[i--] = '0';
            if (i < 0) {
                mant[0] = '1';
                x++;
            } else {
                mant[i]++;
            }
        } else {
            int i = n - 1;
            while (mant[i] == '0')
                mant[i--] = '9';
            mant[i]--;
            if (mant[0] == '0') {   /* 1000 -> 0999: one digit fewer */
                memmove(mant, mant + 1, (size_t)n - 1);
                mant[n - 1] = '9';
                x--;
            }
        }
        snprintf(buf, sizeof buf, "%.*se%d", n, mant, x - n + 1);
        if (strtod(buf, NULL) != d)
            return -1;
    }
    while (n > 1 && mant[n - 1] == '0')
        n--;
    memcpy(dg, mant, (size_t)n);
    *e10 = x + 1;
    return n;
}

/* The full brute-force search: the least p for which oracle_at succeeds. */
static int oracle_shortest(double d, char *dg, int *e10)
{
    for (int p = 1; p <= 17; p++) {
        int n = oracle_at(d, p, dg, e10);
        if (n > 0)
            return n;
    }
    return -1;
}

/* All checks of flo_shortest on one positive finite d; full selects the
 * complete printf search, otherwise only the closest-at-length-n check. */
static void check_shortest(double d, bool full)
{
    char dg[17], detail[200];
    int e10 = 12345;
    int n = flo_shortest(d, dg, &e10);
    bool ok = n >= 1 && n <= 17 && dg[0] >= '1' && dg[0] <= '9' && dg[n - 1] != '0';
    for (int i = 0; ok && i < n; i++)
        ok = dg[i] >= '0' && dg[i] <= '9';
    if (!ok) {
        snprintf(detail, sizeof detail, "%a: bad digits n=%d", d, n);
        check(false, "shortest/format", detail);
        return;
    }
    snprintf(detail, sizeof detail, "%a (%.17g): got 0.%.*se%d", d, d, n, dg, e10);
    check(reads_back(dg, n, e10, d), "shortest/roundtrip", detail);
    if (n > 1) {
        /* the two (n-1)-digit decimals around d must not read back */
        char down[17], up[17];
        memcpy(down, dg, (size_t)n - 1);
        memcpy(up, dg, (size_t)n - 1);
        int upe = e10, i = n - 2;
        while (i >= 0 && up[i] == '9')
            up[i--] = '0';
        if (i < 0) {
            up[0] = '1';
            upe++;
        } else {
            up[i]++;
        }
        check(!reads_back(down, n - 1, e10, d) && !reads_back(up, n - 1, upe, d),
              "shortest/not-shortest", detail);
    }
    char odg[17];
    int oe, on = full ? oracle_shortest(d, odg, &oe) : oracle_at(d, n, odg, &oe);
    check(on == n && oe == e10 && memcmp(odg, dg, (size_t)n) == 0,
          full ? "shortest/oracle-search" : "shortest/closest", detail);
}

static void test_shortest(long count)
{
    /* small counts (sanitizers, valgrind) also thin the exhaustive loops */
    bool thorough = count >= 100000;
    /* random bit patterns */
    for (long i = 0; i < count; i++) {
        uint64_t b = rnd() & ~(UINT64_C(1) << 63);
        if ((b >> 52) == 0x7ff || b == 0)
            continue;
        check_shortest(double_of(b), i % 16 == 0);
    }
    /* every binary exponent: powers of two (lopsided interval), their
     * neighbours, the ends of each binade */
    for (uint64_t be = 0; be < 0x7ff; be++) {
        uint64_t cs[] = {0, 1, 2, 3, (UINT64_C(1) << 52) - 1, (UINT64_C(1) << 52) - 2,
                         rnd() & ((UINT64_C(1) << 52) - 1)};
        for (size_t j = 0; j < sizeof cs / sizeof cs[0]; j++) {
            uint64_t b = (be << 52) | cs[j];
            if (b != 0)
                check_shortest(double_of(b), thorough || be % 16 == 0);
        }
    }
    /* small subnormals */
    for (uint64_t b = 1; b < 2000; b++)
        check_shortest(double_of(b), thorough || b % 16 == 0);
    /* short decimals, and the doubles near them */
    for (long i = 0; i < count / 4; i++) {
        char buf[64];
        int p = (int)rnd_range(1, 15);
        uint64_t m = rnd() % (uint64_t)pow(10, p);
        snprintf(buf, sizeof buf, "%" PRIu64 "e%d", m, (int)rnd_range(-325, 308));
        double d = strtod(buf, NULL);
        if (d == 0 || isinf(d))
            continue;
        char dg[17];
        int e10, n = flo_shortest(d, dg, &e10);
        snprintf(buf, sizeof buf, "%.17g: %d digits from a %d-digit decimal", d, n, p);
        check(n <= p, "shortest/short-decimal", buf);
        check_shortest(d, i % 16 == 0);
        double a = d, z = d;
        for (int j = 0; j < 2; j++) {
            a = nextafter(a, 0);
            z = nextafter(z, INFINITY);
            if (a > 0)
                check_shortest(a, i % 16 == 0);
            if (!isinf(z))
                check_shortest(z, i % 16 == 0);
        }
    }
    /* interval ends that are exactly decimals with few digits: c with
     * 2c -+ 1 or c a multiple of 5^j, binary exponents where that matters */
    uint64_t p5 = 1;
    for (int j = 0; j <= 23; j++, p5 *= 5) {
        for (int q = -70; q <= 80; q++) {
            for (int t = 0; t < (thorough ? 4 : 1); t++) {
                /* o odd with 5^j x o in [2^53, 2^54) */
                uint64_t lo = ((UINT64_C(1) << 53) + p5 - 1) / p5, hi = ((UINT64_C(1) << 54) - 1) / p5;
                uint64_t o = lo + rnd() % (hi - lo + 1);
                o |= 1;
                if (o > hi)
                    o -= 2;
                uint64_t x = p5 * o;   /* odd, so c = (x -+ 1) / 2 */
                uint64_t cs[3] = {(x + 1) / 2, (x - 1) / 2, x / 2};
                for (int u = 0; u < 3; u++) {
                    uint64_t c = cs[u];
                    if (c < (UINT64_C(1) << 52) || c >= (UINT64_C(1) << 53))
                        continue;
                    check_shortest(ldexp((double)c, q), thorough || q % 8 == 0);
                }
            }
        }
    }
    /* named cases */
    double named[] = {DBL_MAX, DBL_MIN, 5e-324, 1.0, 0.1, 0.3, 1e23, 9007199254740992.0,
                      9007199254740993.0, 123456789012345678901234567890.0, 2.2250738585072011e-308,
                      8.98846567431158e307, 1.7976931348623157e308, 3.14159, 2.0, 1e22, 1e21,
                      5e-310, 0.5, 1e-7, 4.35, 100.0};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        check_shortest(named[i], true);
    /* known outputs */
    struct { double d; const char *dg; int e; } known[] = {
        {1.0, "1", 1}, {0.015625, "15625", -1}, {5e-324, "5", -323}, {0.1, "1", 0},
        {1e23, "1", 24}, {DBL_MAX, "17976931348623157", 309}, {DBL_MIN, "22250738585072014", -307},
        {123.456, "123456", 3}, {9007199254740992.0, "9007199254740992", 16},
        {2.0 / 3, "6666666666666666", 0}, {1e21, "1", 22}, {5e-310, "5", -309},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        char dg[17], detail[120];
        int e10, n = flo_shortest(known[i].d, dg, &e10);
        snprintf(detail, sizeof detail, "%.17g: got %.*s e%d, want %s e%d", known[i].d, n, dg, e10,
                 known[i].dg, known[i].e);
        check(n == (int)strlen(known[i].dg) && memcmp(dg, known[i].dg, (size_t)n) == 0 &&
                  e10 == known[i].e, "shortest/known", detail);
    }
    /* zero, infinity, NaN: no digits; a negative: its magnitude */
    char dg[17];
    int e10;
    check(flo_shortest(0.0, dg, &e10) == 0 && flo_shortest(INFINITY, dg, &e10) == 0 &&
              flo_shortest(NAN, dg, &e10) == 0, "shortest/special", "0, inf, nan");
    check(flo_shortest(-2.5, dg, &e10) == 2 && memcmp(dg, "25", 2) == 0 && e10 == 1,
          "shortest/negative", "-2.5");
}

/* ---------------------------------------------------------------------- */
/* Reader */

/* Splits a decimal string "ddd.ddde[+-]x" into its digits and the exponent
 * of the integer they form. */
static size_t split_decimal(const char *s, char *dg, int64_t *e10)
{
    size_t n = 0;
    int64_t frac = 0;
    bool point = false;
    for (; *s && *s != 'e' && *s != 'E'; s++) {
        if (*s == '.') {
            point = true;
        } else {
            dg[n++] = *s;
            frac += point;
        }
    }
    *e10 = (*s ? strtoll(s + 1, NULL, 10) : 0) - frac;
    return n;
}

/* strtod of digits x 10^e10. */
static double libc_decimal(const char *dg, size_t n, int64_t e10)
{
    char *buf = malloc(n + 32);
    memcpy(buf, dg, n);
    snprintf(buf + n, 32, "e%" PRId64, e10);
    double d = strtod(buf, NULL);
    free(buf);
    return d;
}

/* Checks flo_from_decimal on one input against strtod and, if want is not
 * NULL, against *want. */
static void check_decimal(const char *dg, size_t n, int64_t e10, const double *want, const char *what)
{
    double got = flo_from_decimal(dg, n, e10);
    double ref = want ? *want : libc_decimal(dg, n, e10);
    char detail[200];
    snprintf(detail, sizeof detail, "%.*s%s e%" PRId64 " (%zu digits): got %a, want %a",
             (int)(n < 60 ? n : 60), dg, n < 60 ? "" : "...", e10, n, got, ref);
    check(bits_of(got) == bits_of(ref), what, detail);
}

/* A decimal big integer: base-10^9 limbs, least significant first. */
typedef struct {
    uint32_t *w;
    size_t n, cap;
} dbig;

static void dbig_init(dbig *b, uint64_t v)
{
    b->cap = 512;
    b->w = calloc(b->cap, sizeof *b->w);
    b->n = 0;
    while (v) {
        b->w[b->n++] = (uint32_t)(v % 1000000000u);
        v /= 1000000000u;
    }
}

static void dbig_mul(dbig *b, uint32_t m)
{
    uint64_t carry = 0;
    for (size_t i = 0; i < b->n; i++) {
        uint64_t t = (uint64_t)b->w[i] * m + carry;
        b->w[i] = (uint32_t)(t % 1000000000u);
        carry = t / 1000000000u;
    }
    while (carry) {
        if (b->n == b->cap) {
            b->cap *= 2;
            b->w = realloc(b->w, b->cap * sizeof *b->w);
        }
        b->w[b->n++] = (uint32_t)(carry % 1000000000u);
        carry /= 1000000000u;
    }
}

/* Writes the decimal digits of b (nonzero) to out (NUL-terminated). */
static size_t dbig_str(const dbig *b, char *out)
{
    size_t len = (size_t)sprintf(out, "%u", b->w[b->n - 1]);
    for (size_t i = b->n - 1; i-- > 0;)
        len += (size_t)sprintf(out + len, "%09u", b->w[i]);
    return len;
}

/* The exact decimal expansion of m x 2^e: digits to out, returns n, and
 * *e10 with value = digits x 10^e10. */
static size_t exact_decimal(uint64_t m, int e, char *out, int64_t *e10)
{
    dbig b;
    dbig_init(&b, m);
    if (e >= 0) {
        for (int i = 0; i < e; i++)
            dbig_mul(&b, 2);
        *e10 = 0;
    } else {
        for (int i = 0; i < -e; i++)
            dbig_mul(&b, 5);
        *e10 = e;
    }
    size_t n = dbig_str(&b, out);
    free(b.w);
    return n;
}

/* Checks the exact midpoint between positive finite d and its successor
 * (ties to even), and its neighbours, padded with zeros to pad digits. */
static void check_midpoint(double d, size_t pad)
{
    uint64_t b = bits_of(d);
    uint64_t frac = b & ((UINT64_C(1) << 52) - 1);
    int be = (int)(b >> 52);
    uint64_t c = be ? frac | (UINT64_C(1) << 52) : frac;
    int q = be ? be - 1075 : -1074;
    static char dg[12000];
    int64_t e10;
    size_t n = exact_decimal(2 * c + 1, q - 1, dg, &e10);
    double up = double_of(b + 1), even = (c & 1) ? up : d;
    while (n < pad) {
        dg[n++] = '0';
        e10--;
    }
    check_decimal(dg, n, e10, &even, "decimal/midpoint");
    check_decimal(dg, n, e10, NULL, "decimal/midpoint-libc");
    /* the midpoint cut to 16..40 digits, as is or with the last digit
     * raised: just below it and just above it */
    if (n > 17) {
        size_t cut = (size_t)rnd_range(16, n - 1 < 40 ? (int64_t)n - 1 : 40);
        char save = dg[cut - 1];
        check_decimal(dg, cut, e10 + (int64_t)(n - cut), NULL, "decimal/midpoint-cut");
        if (save != '9') {
            dg[cut - 1]++;
            check_decimal(dg, cut, e10 + (int64_t)(n - cut), NULL, "decimal/midpoint-cut-up");
            dg[cut - 1] = save;
        }
    }
    /* a little above: one more digit 1 */
    dg[n] = '1';
    check_decimal(dg, n + 1, e10 - 1, &up, "decimal/above-midpoint");
    /* a little below: the last nonzero digit minus one, then nines */
    size_t last = n - 1;
    while (dg[last] == '0')
        last--;
    char save = dg[last];
    dg[last]--;
    for (size_t i = last + 1; i < n; i++)
        dg[i] = '9';
    dg[n] = '9';
    check_decimal(dg, n + 1, e10 - 1, &d, "decimal/below-midpoint");
    dg[last] = save;
    for (size_t i = last + 1; i <= n; i++)
        dg[i] = '0';
    /* far digits: the tie broken by a 1 thousands of digits later */
    size_t far = n + 3000;
    if (far < sizeof dg) {
        memset(dg + n, '0', far - n);
        dg[far - 1] = '1';
        check_decimal(dg, far, e10 - (int64_t)(far - n), &up, "decimal/far-sticky");
    }
}

/* A random positive finite double, every exponent alike. */
static double rnd_double(void)
{
    for (;;) {
        uint64_t b = rnd() & ~(UINT64_C(1) << 63);
        if ((b >> 52) != 0x7ff && b != 0)
            return double_of(b);
    }
}

static void test_decimal(long count)
{
    const char *hard[] = {
        "2.2250738585072011e-308", "2.2250738585072012e-308", "9007199254740993", "1e23",
        "8.98846567431158e307", "4.9406564584124654e-324", "2.4703282292062327e-324",
        "2.4703282292062328e-324", "1.7976931348623157e308", "1.7976931348623158e308",
        "1.7976931348623159e308", "0.1", "0.3", "5e-324", "123456789012345678901234567890",
        "3.14159", "2.2250738585072014e-308", "2.2250738585072009e-308", "1e-400", "1e400",
        "0", "000000", "1", "0.000001", "9007199254740992", "9007199254740994", "9007199254740995",
        "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791.9999999999999999999999999999999999999999999999999999999999999999999999",
        "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792",
        "7.4109846876186982e-323", "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126",
        "4503599627370496.5", "4503599627370497.5", "1e22", "1e-22", "123456789012345e22",
        "9007199254740991e22", "9007199254740993e22", "1e37", "8.5e-324", "2.47e-324",
        "7e-324", "1.4e-45", "6.02214076e23",
    };
    char dg[12000];
    for (size_t i = 0; i < sizeof hard / sizeof hard[0]; i++) {
        int64_t e10;
        size_t n = split_decimal(hard[i], dg, &e10);
        check_decimal(dg, n, e10, NULL, "decimal/hard");
    }
    /* values stated by the brief */
    struct { const char *s; double want; } want[] = {
        {"2.4703282292062327e-324", 0.0}, {"2.4703282292062328e-324", 5e-324},
        {"4.9406564584124654e-324", 5e-324}, {"1.7976931348623158e308", DBL_MAX},
        {"1.7976931348623159e308", INFINITY}, {"9007199254740993", 9007199254740992.0},
        {"1e23", 1e23}, {"2.2250738585072011e-308", 2.2250738585072009e-308},
        {"2.2250738585072012e-308", 2.2250738585072014e-308},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int64_t e10;
        size_t n = split_decimal(want[i].s, dg, &e10);
        check_decimal(dg, n, e10, &want[i].want, "decimal/want");
    }
    /* extreme exponents, leading and trailing zeros, no digits */
    {
        double zero = 0.0, inf = INFINITY, one = 1.0;
        check_decimal("1", 1, -400000, &zero, "decimal/extreme");
        check_decimal("1", 1, 400000, &inf, "decimal/extreme");
        check_decimal("1", 1, INT64_MIN, &zero, "decimal/extreme");
        check_decimal("1", 1, INT64_MAX, &inf, "decimal/extreme");
        check_decimal("0", 1, INT64_MAX, &zero, "decimal/extreme");
        check_decimal("", 0, 5, &zero, "decimal/extreme");
        memset(dg, '0', 10000);
        dg[9999] = '1';
        check_decimal(dg, 10000, 0, &one, "decimal/leading-zeros");
        check_decimal(dg, 10000, INT64_MAX, &inf, "decimal/leading-zeros");
        check_decimal(dg, 10000, INT64_MIN, &zero, "decimal/leading-zeros");
        memset(dg, '0', 10000);
        dg[0] = '1';
        check_decimal(dg, 10000, -9999, &one, "decimal/trailing-zeros");
        check_decimal(dg, 10000, INT64_MIN, &zero, "decimal/trailing-zeros");
        check_decimal(dg, 10000, INT64_MAX - 5, &inf, "decimal/trailing-zeros");
        check_decimal(dg, 10000, -10000 - 300, NULL, "decimal/trailing-zeros");
        check_decimal(dg, 10000, -10000 - 323, NULL, "decimal/trailing-zeros");
        check_decimal(dg, 10000, -10000 + 308, NULL, "decimal/trailing-zeros");
        /* not digits: any result, but no crash (for the sanitizers) */
        double junk = flo_from_decimal("1x:/\xff\x01 ", 7, -3) + flo_from_decimal("\xff\xff", 2, 0) +
                      flo_from_decimal("9;", 2, -330);
        check(junk == junk || junk != junk, "decimal/junk", "non-digit input");
    }
    /* random decimals: 1..25 digits, scientific exponent -330..310 */
    for (long i = 0; i < count; i++) {
        size_t n = (size_t)rnd_range(1, 25);
        for (size_t j = 0; j < n; j++)
            dg[j] = (char)('0' + rnd() % 10);
        int64_t x = rnd_range(-330, 310);
        check_decimal(dg, n, x - (int64_t)n + 1, NULL, "decimal/random");
    }
    /* %.17g and %.16g of random doubles: the printer's usual output */
    for (long i = 0; i < count / 4; i++) {
        char buf[40];
        snprintf(buf, sizeof buf, "%.*e", (int)rnd_range(15, 17), rnd_double());
        int64_t e10;
        size_t n = split_decimal(buf, dg, &e10);
        check_decimal(dg, n, e10, NULL, "decimal/printed");
    }
    /* exact midpoints between adjacent doubles, and around them */
    for (long i = 0; i < count / 100 + 100; i++) {
        double d = rnd_double();
        if (d == DBL_MAX)
            continue;
        check_midpoint(d, 0);
    }
    /* the longest midpoints (near 2^-1022, ~767 digits): exactly halfway,
     * padded to 800 digits, then plus a final 1 (rounds up) */
    for (int i = 0; i < 50; i++) {
        uint64_t b = (i < 25 ? (UINT64_C(1) << 52) - 1 - (uint64_t)i : (UINT64_C(1) << 53) - 1 - (uint64_t)i);
        check_midpoint(double_of(b), 800);
        check_midpoint(double_of(b), 0);
        check_midpoint(double_of(rnd() % (UINT64_C(1) << 52)), 0);
        check_midpoint(double_of(rnd() % (UINT64_C(1) << 52)), 800);
        check_midpoint(double_of((uint64_t)i), 800);   /* 0, 2^-1074, ... */
        check_midpoint(double_of((uint64_t)i), 0);
        check_midpoint(double_of(((UINT64_C(0x7fe) << 52) | ((UINT64_C(1) << 52) - 2)) - (uint64_t)i), 800);
    }
    /* the midpoint between DBL_MAX and 2^1024: ties to even is infinity */
    {
        int64_t e10;
        size_t n = exact_decimal((UINT64_C(1) << 54) - 1, 970, dg, &e10);
        double inf = INFINITY, max = DBL_MAX;
        check_decimal(dg, n, e10, &inf, "decimal/overflow-tie");
        dg[n - 1]--;
        check_decimal(dg, n, e10, &max, "decimal/overflow-tie");
    }
    /* long digit strings: 100..1000 random digits, all magnitudes */
    for (long i = 0; i < count / 200 + 50; i++) {
        size_t n = (size_t)rnd_range(100, 1000);
        dg[0] = (char)('1' + rnd() % 9);
        for (size_t j = 1; j < n; j++)
            dg[j] = (char)('0' + rnd() % 10);
        int64_t x = rnd_range(-330, 310);
        check_decimal(dg, n, x - (int64_t)n + 1, NULL, "decimal/long");
    }
    /* long strings starting like a short double's digits */
    for (long i = 0; i < count / 200 + 50; i++) {
        char buf[40];
        double d = rnd_double();
        snprintf(buf, sizeof buf, "%.16e", d);
        int64_t e10;
        size_t n = split_decimal(buf, dg, &e10);
        size_t total = (size_t)rnd_range(20, 1200);
        int fill = (int)(rnd() % 3);   /* zeros, nines, random */
        for (size_t j = n; j < total; j++)
            dg[j] = fill == 0 ? '0' : fill == 1 ? '9' : (char)('0' + rnd() % 10);
        check_decimal(dg, total, e10 - (int64_t)(total - n), NULL, "decimal/long-near");
    }
}

/* ---------------------------------------------------------------------- */
/* flo_decompose and flo_ldexp_u64 */

/* The double nearest to m x 2^e, by another route. Not strtod of a
 * hexadecimal "0x...p-1077": glibc 2.36 rounds some subnormal results of
 * those wrongly (0x3b8ad449ffeea5p-1077 gives ...dd4, not ...dd5); and not
 * long double, which valgrind computes in double precision. A normal result
 * is the sum of m's two exact halves (one IEEE rounding) scaled by ldexp
 * (exact); a subnormal one is m rounded to a multiple of 2^(-1074-e) by
 * integer arithmetic, then scaled (exact). */
static double ref_ldexp(uint64_t m, int64_t e)
{
    if (m == 0 || e < -1200)
        return 0.0;
    if (e > 1100)
        return INFINITY;
    int top = 63 - __builtin_clzll(m);
    if (top + e >= -1022)
        return ldexp((double)(m >> 32) * 0x1p32 + (double)(m & 0xffffffffu), (int)e);
    int64_t drop = -1074 - e;   /* low bits of m below 2^-1074 */
    if (drop <= 0)
        return ldexp((double)m, (int)e);   /* exact */
    if (drop > 64)
        return 0.0;
    uint64_t q = drop == 64 ? 0 : m >> drop;
    uint64_t rem = drop == 64 ? m : m & ((UINT64_C(1) << drop) - 1);
    uint64_t half = UINT64_C(1) << (drop - 1);
    if (rem > half || (rem == half && (q & 1)))
        q++;
    return ldexp((double)q, -1074);
}

static void test_binary(long count)
{
    char detail[120];
    for (long i = 0; i < count; i++) {
        double d = i % 8 == 0 ? double_of(rnd() % (UINT64_C(1) << 52)) : rnd_double();
        uint64_t m;
        int e;
        flo_decompose(d, &m, &e);
        snprintf(detail, sizeof detail, "%a: m=%" PRIu64 " e=%d", d, m, e);
        check(m < (UINT64_C(1) << 53) && ldexp((double)m, e) == d &&
                  bits_of(flo_ldexp_u64(m, e)) == bits_of(d), "binary/roundtrip", detail);
        flo_decompose(-d, &m, &e);
        check(ldexp((double)m, e) == d, "binary/negative", detail);
    }
    uint64_t m;
    int e;
    flo_decompose(0.0, &m, &e);
    check(m == 0, "binary/zero", "0.0");
    for (long i = 0; i < count; i++) {
        int bits = (int)rnd_range(54, 64);
        uint64_t mm = rnd() >> (64 - bits) | (UINT64_C(1) << (bits - 1));
        if (i % 4 == 0)   /* ties and near-ties */
            mm = (mm & ~((UINT64_C(1) << (bits - 53)) - 1)) | (UINT64_C(1) << (bits - 54)) |
                 (rnd() % 3 == 0 ? 1 : 0);
        int64_t ee = i % 2 ? rnd_range(-1200, 1100) : rnd_range(-1150, -1000);
        double got = flo_ldexp_u64(mm, ee), want = ref_ldexp(mm, ee);
        snprintf(detail, sizeof detail, "0x%" PRIx64 "p%" PRId64 ": got %a want %a", mm, ee, got, want);
        check(bits_of(got) == bits_of(want), "binary/ldexp", detail);
    }
    for (long i = 0; i < count / 10; i++) {
        uint64_t mm = rnd() >> (rnd() % 64);
        int64_t ee = rnd_range(-1300, 1300);
        double got = flo_ldexp_u64(mm, ee), want = ref_ldexp(mm, ee);
        snprintf(detail, sizeof detail, "0x%" PRIx64 "p%" PRId64 ": got %a want %a", mm, ee, got, want);
        check(bits_of(got) == bits_of(want), "binary/ldexp-any", detail);
    }
    check(flo_ldexp_u64(1, INT64_MIN) == 0 && flo_ldexp_u64(1, INT64_MAX) == INFINITY &&
              flo_ldexp_u64(0, INT64_MAX) == 0 && flo_ldexp_u64(UINT64_MAX, 960) == INFINITY &&
              flo_ldexp_u64(UINT64_MAX, 959) == 0x1p1023 && flo_ldexp_u64(1, -1075) == 0 &&
              flo_ldexp_u64(3, -1076) == 5e-324 && flo_ldexp_u64(1, -1074) == 5e-324,
          "binary/extremes", "extreme exponents");
}

/* ---------------------------------------------------------------------- */
/* Timings */

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static volatile uint64_t sink;

/* ns per flo_shortest call over the given doubles. */
static double time_shortest(const double *ds, int n, int reps)
{
    char dg[17];
    int e10;
    double t0 = now_ns();
    for (int r = 0; r < reps; r++)
        for (int i = 0; i < n; i++)
            sink += (uint64_t)flo_shortest(ds[i], dg, &e10) + (uint64_t)e10 + (uint64_t)dg[0];
    return (now_ns() - t0) / ((double)reps * n);
}

/* ns per flo_from_decimal call over the given decimal strings. */
static double time_decimal(char (*strs)[40], int n, int reps)
{
    static char dg[1024][40];
    static size_t len[1024];
    static int64_t e10[1024];
    for (int i = 0; i < n; i++)
        len[i] = split_decimal(strs[i], dg[i], &e10[i]);
    double t0 = now_ns();
    for (int r = 0; r < reps; r++)
        for (int i = 0; i < n; i++)
            sink += bits_of(flo_from_decimal(dg[i], len[i], e10[i]));
    return (now_ns() - t0) / ((double)reps * n);
}

static void timings(long count)
{
    enum { N = 1024 };
    static double ds[N];
    static char strs[N][40];
    int reps = count >= 1000000 ? 200 : 2;
    for (int i = 0; i < N; i++)
        ds[i] = rnd_double();
    printf("flo_shortest, random bit patterns:  %6.1f ns/call\n", time_shortest(ds, N, reps));
    for (int i = 0; i < N; i++)
        ds[i] = (double)(rnd() % 2000000) / 1000.0 * pow(10, (double)rnd_range(-5, 5));
    printf("flo_shortest, short values (x.yyy): %6.1f ns/call\n", time_shortest(ds, N, reps));
    for (int i = 0; i < N; i++)
        ds[i] = i % 2 ? 3.14159 : 0.1;
    printf("flo_shortest, 3.14159 and 0.1:      %6.1f ns/call\n", time_shortest(ds, N, reps));
    for (int i = 0; i < N; i++)
        snprintf(strs[i], 40, i % 2 ? "3.14159" : "2.5e-3");
    printf("flo_from_decimal, \"3.14159\":        %6.1f ns/call\n", time_decimal(strs, N, reps));
    for (int i = 0; i < N; i++)
        snprintf(strs[i], 40, "%.16e", rnd_double());
    printf("flo_from_decimal, 17 digits:        %6.1f ns/call\n", time_decimal(strs, N, reps));
    for (int i = 0; i < N; i++) {
        char dg[17];
        int e10, n = flo_shortest(rnd_double(), dg, &e10);
        snprintf(strs[i], 40, "0.%.*se%d", n, dg, e10);
    }
    printf("flo_from_decimal, shortest output:  %6.1f ns/call\n", time_decimal(strs, N, reps));
    for (int i = 0; i < N; i++)
        snprintf(strs[i], 40, "%.24e", rnd_double());
    printf("flo_from_decimal, 25 digits:        %6.1f ns/call\n", time_decimal(strs, N, reps));
    {
        /* slow path: exact 17..20-digit midpoints are rare in practice */
        static char dg[12000];
        int64_t e10;
        size_t n = exact_decimal((UINT64_C(1) << 53) + 1, -1, dg, &e10);
        double t0 = now_ns();
        for (int r = 0; r < 1000; r++)
            sink += bits_of(flo_from_decimal(dg, n, e10));
        printf("flo_from_decimal, 2^52+0.5 (slow):  %6.1f ns/call\n", (now_ns() - t0) / 1000);
        n = exact_decimal((UINT64_C(1) << 53) - 1, -1075, dg, &e10);
        t0 = now_ns();
        for (int r = 0; r < 100; r++)
            sink += bits_of(flo_from_decimal(dg, n, e10));
        printf("flo_from_decimal, %zu-digit midpoint: %6.0f ns/call\n", n, (now_ns() - t0) / 100);
    }
}

int main(int argc, char **argv)
{
    long count = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    if (count < 1)
        count = 1;
    double t0 = now_ns();
    test_shortest(count);
    printf("printer checks done (%.1f s)\n", (now_ns() - t0) / 1e9);
    t0 = now_ns();
    test_decimal(count);
    printf("reader checks done (%.1f s)\n", (now_ns() - t0) / 1e9);
    t0 = now_ns();
    test_binary(count);
    printf("binary checks done (%.1f s)\n", (now_ns() - t0) / 1e9);
    timings(count);
    printf("%ld passed, %ld failed\n", passed, failed);
    return failed != 0;
}
