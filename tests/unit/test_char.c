/* test_char.c -- exhaustive tests of src/core/char.c (unicode.h).
 *
 * The reference is built here, independently of tools/gen_unicode.py, by
 * parsing the Unicode Character Database text files at run time
 * (UnicodeData.txt, PropList.txt, DerivedCoreProperties.txt,
 * CaseFolding.txt, SpecialCasing.txt), from $PITH_UCD_DIR or else
 * /usr/share/unicode (Debian package unicode-data).  Every function is
 * compared with the reference for every code point 0..0x10FFFF, then a few
 * R7RS 6.6 spot checks and out-of-range inputs are tested.  Missing UCD
 * files are a failure, not a skip.
 *
 * Build: gcc -std=gnu11 -O2 -Wall -Wextra -Werror -Isrc/core \
 *            tests/unit/test_char.c src/core/char.c -o /tmp/tc && /tmp/tc
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>

#include "unicode.h"

#define NCP 0x110000u
#define MAX_FIELDS 16
#define MAX_SPECIAL 4096

static int passed, failed;

/* ---- reference data, filled from the UCD ---- */
static char ref_cat[NCP][3];
static int8_t ref_digit[NCP];
static uint32_t ref_upper[NCP], ref_lower[NCP], ref_fold[NCP];
static bool ref_alpha[NCP], ref_white[NCP], ref_uc[NCP], ref_lc[NCP];
static bool ref_cased[NCP], ref_ign[NCP];

/* A full mapping: 1..3 code points. */
struct full { int n; uint32_t cp[3]; };
static struct full full_upper[MAX_SPECIAL], full_lower[MAX_SPECIAL];
static struct full full_fold[MAX_SPECIAL];
static int n_full_upper, n_full_lower, n_full_fold;
/* Index+1 into the full_* arrays for each code point, 0 if none. */
static int16_t idx_upper[NCP], idx_lower[NCP], idx_fold[NCP];

static const char *ucd_dir = "/usr/share/unicode";
static char ucd_version[64] = "unknown";

/* ---- a tiny UCD line parser ---- */

static char *trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'
                     || e[-1] == '\r'))
        *--e = 0;
    return s;
}

/* Strip the comment, split on ';' and trim; return the field count
 * (0 for a blank or comment-only line). */
static int split(char *line, char **field)
{
    char *hash = strchr(line, '#'), *p = line;
    int n = 0;

    if (hash)
        *hash = 0;
    if (*trim(line) == 0)
        return 0;
    for (;;) {
        char *semi = strchr(p, ';');
        if (semi)
            *semi = 0;
        if (n < MAX_FIELDS)
            field[n++] = trim(p);
        if (!semi)
            break;
        p = semi + 1;
    }
    return n;
}

static uint32_t hex(const char *s)
{
    char *end;
    unsigned long v = strtoul(s, &end, 16);
    if (end == s || v >= NCP) {
        fprintf(stderr, "bad code point '%s'\n", s);
        exit(2);
    }
    return (uint32_t)v;
}

/* Parse a space-separated code point list into m; return the count. */
static int hex_list(const char *s, struct full *m)
{
    char buf[128], *tok, *save = NULL;
    int n = 0;

    snprintf(buf, sizeof buf, "%s", s);
    for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        if (n == 3) {
            fprintf(stderr, "mapping longer than 3: %s\n", s);
            exit(2);
        }
        m->cp[n++] = hex(tok);
    }
    m->n = n;
    return n;
}

static FILE *open_ucd(const char *name)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", ucd_dir, name);
    f = fopen(path, "r");
    if (!f) {
        printf("FAIL: cannot open %s: the Unicode Character Database is "
               "required (Debian: apt-get install -y unicode-data, or set "
               "PITH_UCD_DIR)\n", path);
        printf("0 passed, 1 failed\n");
        exit(1);
    }
    return f;
}

static void load_unicode_data(void)
{
    FILE *f = open_ucd("UnicodeData.txt");
    char line[1024], *fl[MAX_FIELDS];
    uint32_t c, first = 0;
    bool in_range = false;

    for (c = 0; c < NCP; c++) {
        memcpy(ref_cat[c], "Cn", 3);
        ref_digit[c] = -1;
        ref_upper[c] = ref_lower[c] = ref_fold[c] = c;
    }
    while (fgets(line, sizeof line, f)) {
        int n = split(line, fl);
        size_t len;
        if (n == 0)
            continue;
        if (n != 15) {
            fprintf(stderr, "UnicodeData.txt: bad line\n");
            exit(2);
        }
        c = hex(fl[0]);
        len = strlen(fl[1]);
        if (len > 8 && strcmp(fl[1] + len - 8, ", First>") == 0) {
            first = c;
            in_range = true;
            continue;
        }
        if (!(in_range && len > 7 && strcmp(fl[1] + len - 7, ", Last>") == 0))
            first = c;
        in_range = false;
        for (uint32_t r = first; r <= c; r++)
            snprintf(ref_cat[r], 3, "%s", fl[2]);
        if (strcmp(fl[2], "Nd") == 0)
            ref_digit[c] = (int8_t)atoi(fl[6]);
        if (*fl[12])
            ref_upper[c] = hex(fl[12]);
        if (*fl[13])
            ref_lower[c] = hex(fl[13]);
    }
    fclose(f);
}

/* Set flag[c] for every code point listed with property prop in name. */
static void load_property(const char *name, const char *prop, bool *flag)
{
    FILE *f = open_ucd(name);
    char line[1024], *fl[MAX_FIELDS];
    int count = 0;

    while (fgets(line, sizeof line, f)) {
        char *dots;
        uint32_t a, b;
        if (split(line, fl) < 2 || strcmp(fl[1], prop) != 0)
            continue;
        dots = strstr(fl[0], "..");
        a = hex(fl[0]);
        b = dots ? hex(dots + 2) : a;
        for (uint32_t c = a; c <= b; c++)
            flag[c] = true;
        count++;
    }
    fclose(f);
    if (count == 0) {
        fprintf(stderr, "%s: no lines for %s\n", name, prop);
        exit(2);
    }
}

static void add_full(struct full *tab, int *n, int16_t *idx, uint32_t c,
                     const char *list)
{
    if (*n == MAX_SPECIAL) {
        fprintf(stderr, "too many full mappings\n");
        exit(2);
    }
    hex_list(list, &tab[*n]);
    idx[c] = (int16_t)++*n;
}

static void load_case_folding(void)
{
    FILE *f = open_ucd("CaseFolding.txt");
    char line[1024], *fl[MAX_FIELDS];

    while (fgets(line, sizeof line, f)) {
        uint32_t c;
        if (split(line, fl) < 3)
            continue;
        c = hex(fl[0]);
        if (strcmp(fl[1], "C") == 0 || strcmp(fl[1], "S") == 0)
            ref_fold[c] = hex(fl[2]);
        if (strcmp(fl[1], "C") == 0 || strcmp(fl[1], "F") == 0)
            add_full(full_fold, &n_full_fold, idx_fold, c, fl[2]);
    }
    fclose(f);
}

static void load_special_casing(void)
{
    FILE *f = open_ucd("SpecialCasing.txt");
    char line[1024], *fl[MAX_FIELDS];

    while (fgets(line, sizeof line, f)) {
        int n = split(line, fl);
        uint32_t c;
        /* code; lower; title; upper; [condition;] */
        if (n < 4 || (n > 4 && *fl[4]))
            continue;
        c = hex(fl[0]);
        add_full(full_lower, &n_full_lower, idx_lower, c, fl[1]);
        add_full(full_upper, &n_full_upper, idx_upper, c, fl[3]);
    }
    fclose(f);
}

static void read_version(void)
{
    FILE *f = open_ucd("DerivedCoreProperties.txt");
    char line[256];
    if (fgets(line, sizeof line, f)) {
        char *p = strchr(line, '-');
        if (p) {
            snprintf(ucd_version, sizeof ucd_version, "%s", p + 1);
            p = strstr(ucd_version, ".txt");
            if (p)
                *p = 0;
        }
    }
    fclose(f);
}

/* ---- checks ---- */

static void check(bool ok, const char *what)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL: %s\n", what);
    }
}

/* One exhaustive sweep = one test; report up to 5 mismatching code points. */
struct sweep { const char *name; int bad; };

static void mismatch(struct sweep *s, uint32_t c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void mismatch(struct sweep *s, uint32_t c, const char *fmt, ...)
{
    va_list ap;
    if (s->bad++ < 5) {
        printf("  %s U+%04X: ", s->name, (unsigned)c);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
    }
}

static void end_sweep(struct sweep *s)
{
    char msg[160];
    snprintf(msg, sizeof msg, "%s: %d code points differ from the UCD",
             s->name, s->bad);
    check(s->bad == 0, msg);
}

static void sweep_bool(const char *name, bool (*fn)(uint32_t),
                       const bool *ref)
{
    struct sweep s = { name, 0 };
    for (uint32_t c = 0; c < NCP; c++)
        if (fn(c) != ref[c])
            mismatch(&s, c, "got %d, want %d", fn(c), ref[c]);
    end_sweep(&s);
}

static void sweep_map(const char *name, uint32_t (*fn)(uint32_t),
                      const uint32_t *ref)
{
    struct sweep s = { name, 0 };
    for (uint32_t c = 0; c < NCP; c++)
        if (fn(c) != ref[c])
            mismatch(&s, c, "got U+%04X, want U+%04X", (unsigned)fn(c),
                     (unsigned)ref[c]);
    end_sweep(&s);
}

static void sweep_full(const char *name, int (*fn)(uint32_t, uint32_t *),
                       const struct full *tab, const int16_t *idx,
                       const uint32_t *simple)   /* NULL: identity */
{
    struct sweep s = { name, 0 };
    for (uint32_t c = 0; c < NCP; c++) {
        struct full want;
        uint32_t out[4] = { 0xDEAD, 0xDEAD, 0xDEAD, 0xBEEF };
        int n = fn(c, out), i;
        bool ok;

        if (idx[c]) {
            want = tab[idx[c] - 1];
        } else {
            want.n = 1;
            want.cp[0] = simple ? simple[c] : c;
        }
        ok = n == want.n && out[3] == 0xBEEF;
        for (i = 0; ok && i < n; i++)
            ok = out[i] == want.cp[i];
        if (!ok) {
            uint32_t w1 = want.n > 1 ? want.cp[1] : 0;
            uint32_t w2 = want.n > 2 ? want.cp[2] : 0;
            mismatch(&s, c, "got %d [%04X %04X %04X], want %d [%04X %04X "
                     "%04X]", n, (unsigned)out[0], (unsigned)out[1],
                     (unsigned)out[2], want.n, (unsigned)want.cp[0],
                     (unsigned)w1, (unsigned)w2);
        }
    }
    end_sweep(&s);
}

static void sweep_category(void)
{
    struct sweep s = { "char_general_category", 0 };
    for (uint32_t c = 0; c < NCP; c++) {
        const char *got = char_general_category(c);
        if (!got || strcmp(got, ref_cat[c]) != 0)
            mismatch(&s, c, "got %s, want %s", got ? got : "(null)",
                     ref_cat[c]);
    }
    end_sweep(&s);
}

static void sweep_digit(void)
{
    struct sweep s = { "char_digit_value/char_is_numeric", 0 };
    for (uint32_t c = 0; c < NCP; c++) {
        int d = char_digit_value(c);
        bool nd = strcmp(ref_cat[c], "Nd") == 0;
        if (d != ref_digit[c] || char_is_numeric(c) != nd)
            mismatch(&s, c, "got %d/%d, want %d/%d", d, char_is_numeric(c),
                     ref_digit[c], nd);
    }
    end_sweep(&s);
}

/* Inputs above 0x10FFFF: no properties, identity mappings, "Cn". */
static void out_of_range(void)
{
    static const uint32_t bad[] = {
        0x110000, 0x110041, 0x11FFFF, 0x1FFFFF, 0x200061, 0x7FFFFFFF,
        0x80000041, 0xFFFFFFFF,
    };
    int errors = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint32_t c = bad[i], out[3];
        if (char_is_alphabetic(c) || char_is_numeric(c)
            || char_is_whitespace(c) || char_is_upper(c) || char_is_lower(c)
            || char_is_cased(c) || char_is_case_ignorable(c)
            || char_upcase(c) != c || char_downcase(c) != c
            || char_foldcase(c) != c || char_digit_value(c) != -1
            || strcmp(char_general_category(c), "Cn") != 0
            || char_full_upcase(c, out) != 1 || out[0] != c
            || char_full_downcase(c, out) != 1 || out[0] != c
            || char_full_foldcase(c, out) != 1 || out[0] != c) {
            printf("  out of range 0x%X misbehaves\n", (unsigned)c);
            errors++;
        }
    }
    check(errors == 0, "code points above 0x10FFFF");
}

/* Surrogates: no properties, identity, "Cs" (independent of the UCD). */
static void surrogates(void)
{
    int errors = 0;
    for (uint32_t c = 0xD800; c <= 0xDFFF; c++) {
        uint32_t out[3];
        if (char_is_alphabetic(c) || char_is_whitespace(c)
            || char_is_upper(c) || char_is_lower(c) || char_is_cased(c)
            || char_is_case_ignorable(c) || char_upcase(c) != c
            || char_downcase(c) != c || char_foldcase(c) != c
            || char_digit_value(c) != -1
            || strcmp(char_general_category(c), "Cs") != 0
            || char_full_upcase(c, out) != 1 || out[0] != c
            || char_full_foldcase(c, out) != 1 || out[0] != c)
            errors++;
    }
    check(errors == 0, "surrogates");
}

static void full_is(int (*fn)(uint32_t, uint32_t *), uint32_t c,
                    const uint32_t *want, int n, const char *what)
{
    uint32_t out[3] = { 0, 0, 0 };
    int got = fn(c, out);
    bool ok = got == n;
    for (int i = 0; ok && i < n; i++)
        ok = out[i] == want[i];
    check(ok, what);
}

/* R7RS 6.6 examples and other well-known cases. */
static void spot_checks(void)
{
    check(char_upcase(0xDF) == 0xDF, "(char-upcase #\\xDF) => #\\xDF");
    check(char_downcase(0x3A3) == 0x3C3, "(char-downcase #\\x3A3) => #\\x3C3");
    check(char_foldcase(0x3A3) == 0x3C3, "(char-foldcase #\\x3A3) => #\\x3C3");
    check(char_foldcase(0x3C2) == 0x3C3, "(char-foldcase #\\x3C2) => #\\x3C3");
    check(char_upcase(0x3C2) == 0x3A3, "(char-upcase #\\x3C2) => #\\x3A3");
    check(char_digit_value(0x0664) == 4, "(digit-value #\\x0664) => 4");
    check(char_digit_value(0x0EA6) == -1, "(digit-value #\\x0EA6) => #f");
    check(char_digit_value('3') == 3, "(digit-value #\\3) => 3");
    check(char_digit_value('a') == -1, "(digit-value #\\a) => #f");
    check(char_is_numeric(0x0664) && !char_is_numeric(0x0EA6)
          && !char_is_numeric(0xBD), "char-numeric? Nd only");
    check(char_is_alphabetic(0x3BB) && char_is_lower(0x3BB)
          && !char_is_upper(0x3BB), "lambda is alphabetic and lower-case");
    check(char_is_alphabetic('a') && !char_is_alphabetic('1')
          && !char_is_alphabetic(' '), "ASCII alphabetic");
    check(char_is_whitespace(' ') && char_is_whitespace('\t')
          && char_is_whitespace('\n') && char_is_whitespace(0xA0)
          && char_is_whitespace(0x3000) && !char_is_whitespace(0x200B),
          "whitespace");
    check(char_upcase('a') == 'A' && char_downcase('A') == 'a'
          && char_foldcase('Z') == 'z' && char_upcase('{') == '{',
          "ASCII case");
    check(char_foldcase(0x212A) == 'k', "KELVIN SIGN folds to k");
    check(char_foldcase(0xB5) == 0x3BC, "MICRO SIGN folds to mu");
    check(char_foldcase(0x13F8) == 0x13F0, "Cherokee folds to upper-case");
    check(char_upcase(0x10428) == 0x10400, "Deseret (astral) upcase");
    check(char_foldcase(0x1E900) == 0x1E922, "Adlam (astral) foldcase");
    {
        uint32_t ss[] = { 'S', 'S' }, fi[] = { 'F', 'I' };
        uint32_t nap[] = { 0x2BC, 'N' }, idot[] = { 'i', 0x307 };
        uint32_t fss[] = { 's', 's' };
        uint32_t iota3[] = { 0x399, 0x308, 0x301 };
        uint32_t sigma[] = { 0x3C3 };
        full_is(char_full_upcase, 0xDF, ss, 2, "full upcase of sharp s => SS");
        full_is(char_full_upcase, 0xFB01, fi, 2, "full upcase of fi => FI");
        full_is(char_full_upcase, 0x149, nap, 2, "full upcase of U+0149");
        full_is(char_full_upcase, 0x390, iota3, 3, "full upcase of U+0390");
        full_is(char_full_downcase, 0x130, idot, 2, "full downcase of U+0130");
        full_is(char_full_downcase, 0x3A3, sigma, 1,
                "full downcase of sigma is unconditional sigma");
        full_is(char_full_foldcase, 0xDF, fss, 2, "full foldcase of sharp s");
    }
    check(char_is_cased('A') && char_is_cased(0x3C3) && !char_is_cased('1')
          && !char_is_cased(0x2BC), "cased");
    check(char_is_case_ignorable('\'') && char_is_case_ignorable('.')
          && char_is_case_ignorable(0x301) && !char_is_case_ignorable('a')
          && !char_is_case_ignorable(' '), "case-ignorable");
    check(strcmp(char_general_category('A'), "Lu") == 0
          && strcmp(char_general_category('5'), "Nd") == 0
          && strcmp(char_general_category(0x378), "Cn") == 0
          && strcmp(char_general_category(0xE000), "Co") == 0
          && strcmp(char_general_category(0x4E00), "Lo") == 0
          && strcmp(char_general_category(0x10FFFD), "Co") == 0
          && strcmp(char_general_category(0x10FFFF), "Cn") == 0,
          "general categories");
}

int main(void)
{
    const char *env = getenv("PITH_UCD_DIR");

    if (env && *env)
        ucd_dir = env;
    read_version();
    load_unicode_data();
    load_property("DerivedCoreProperties.txt", "Alphabetic", ref_alpha);
    load_property("PropList.txt", "White_Space", ref_white);
    load_property("DerivedCoreProperties.txt", "Uppercase", ref_uc);
    load_property("DerivedCoreProperties.txt", "Lowercase", ref_lc);
    load_property("DerivedCoreProperties.txt", "Cased", ref_cased);
    load_property("DerivedCoreProperties.txt", "Case_Ignorable", ref_ign);
    load_case_folding();
    load_special_casing();
    printf("reference: UCD %s from %s (%d full upper, %d full lower, "
           "%d full fold mappings)\n", ucd_version, ucd_dir, n_full_upper,
           n_full_lower, n_full_fold);
    check(n_full_upper > 50 && n_full_fold > 50, "UCD files parsed");

    sweep_bool("char_is_alphabetic", char_is_alphabetic, ref_alpha);
    sweep_bool("char_is_whitespace", char_is_whitespace, ref_white);
    sweep_bool("char_is_upper", char_is_upper, ref_uc);
    sweep_bool("char_is_lower", char_is_lower, ref_lc);
    sweep_bool("char_is_cased", char_is_cased, ref_cased);
    sweep_bool("char_is_case_ignorable", char_is_case_ignorable, ref_ign);
    sweep_map("char_upcase", char_upcase, ref_upper);
    sweep_map("char_downcase", char_downcase, ref_lower);
    sweep_map("char_foldcase", char_foldcase, ref_fold);
    sweep_digit();
    sweep_category();
    sweep_full("char_full_upcase", char_full_upcase, full_upper, idx_upper,
               ref_upper);
    sweep_full("char_full_downcase", char_full_downcase, full_lower,
               idx_lower, ref_lower);
    /* Full folding is status C + F only: no entry means no change. */
    sweep_full("char_full_foldcase", char_full_foldcase, full_fold, idx_fold,
               NULL);
    if (failed)
        printf("note: if many sweeps fail, src/core/unicode_data.h may be "
               "generated from a Unicode version other than %s "
               "(regenerate with tools/gen_unicode.py)\n", ucd_version);

    out_of_range();
    surrogates();
    spot_checks();

    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
