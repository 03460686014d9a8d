/* prim_string.c -- builtin primitives: characters, strings and
 * bytevectors (R7RS 6.6, 6.7, 6.9).
 *
 * Strings keep 1 byte per character while every character fits in
 * Latin-1 and 4 bytes otherwise (DESIGN.md); constructors here choose the
 * narrow storage whenever the result allows it.  Every primitive reads
 * its arguments with ARG(i), which always reads the current stack and so
 * stays valid across allocations; raw pointers into string buffers and
 * bytevectors are taken only after the last allocation.  A missing
 * optional argument may also arrive as PV_DEFAULT; both count as absent.
 *
 * SPDX-License-Identifier: MIT
 */
#include "vm.h"

/* Size limits, as uint64_t so they also hold where size_t is 32 bits. */
#define STR_MAX_LEN ((uint64_t)1 << 32)          /* str_new's limit */
#define BV_MAX_LEN ((HDR_MAX_SIZE - 2) * 8)      /* bytes the header can size */
#define VEC_MAX_LEN (HDR_MAX_SIZE - 1)           /* elements the header can size */

/* ---- argument helpers ---- */

/* Is optional argument i present (given, and not the default object)? */
static inline bool has_arg(pith_vm *vm, int argc, int i) {
    return i < argc && ARG(i) != PV_DEFAULT;
}

/* Check that v is an exact integer with 0 <= v < bound; store it in *out.
 * Not an exact integer: a type error; negative, too large or a bignum: a
 * range error. */
static int get_index(pith_vm *vm, const char *who, pv v, size_t bound, size_t *out) {
    if (!pv_is_fix(v)) {
        if (pv_is(v, T_BIGNUM)) return err_range(vm, who, v);
        return err_type(vm, who, "exact integer", v);
    }
    int64_t n = pv_fix(v);
    if (n < 0 || (uint64_t)n >= bound) return err_range(vm, who, v);
    *out = (size_t)n;
    return PITH_OK;
}

/* The optional [start [end]] arguments at positions i, i+1 of a sequence
 * of length len: 0 <= start <= end <= len (defaults 0 and len). */
static int get_range(pith_vm *vm, const char *who, int argc, int i, size_t len,
                     size_t *start, size_t *end) {
    *start = 0;
    *end = len;
    if (has_arg(vm, argc, i)) TRY(get_index(vm, who, ARG(i), len + 1, start));
    if (has_arg(vm, argc, i + 1)) {
        TRY(get_index(vm, who, ARG(i + 1), len + 1, end));
        if (*end < *start) return err_range(vm, who, ARG(i + 1));
    }
    return PITH_OK;
}

static int get_char(pith_vm *vm, const char *who, pv v, uint32_t *out) {
    if (!pv_is_char(v)) return err_type(vm, who, "character", v);
    *out = pv_char(v);
    return PITH_OK;
}

/* A byte: an exact integer 0..255. */
static int get_byte(pith_vm *vm, const char *who, pv v, uint8_t *out) {
    if (!pv_is_fix(v) || pv_fix(v) < 0 || pv_fix(v) > 255) return err_type(vm, who, "byte", v);
    *out = (uint8_t)pv_fix(v);
    return PITH_OK;
}

/* ---- string helpers ---- */

/* A new string of len characters (contents to be filled by the caller),
 * with 4-byte storage when wide; refuses lengths str_new cannot make. */
static int new_string(pith_vm *vm, const char *who, size_t len, bool wide, pv *out) {
    if (len > STR_MAX_LEN) return err_range(vm, who, pv_from_fix((int64_t)len));
    return str_new(vm, len, wide ? 0x100 : 0, out);
}

/* Largest code point of s[start, end) (0 for an empty range); a narrow
 * string needs no scan: its characters all fit in Latin-1. */
static uint32_t str_max(pv s, size_t start, size_t end) {
    if (!str_wide(s)) return 0;
    const uint32_t *p = pv_raw(STR_BUF(s), 0);
    uint32_t m = 0;
    for (size_t i = start; i < end; i++)
        if (p[i] > m) m = p[i];
    return m;
}

/* Copy src[start, end) to dst[at, ...) without allocating; dst must be
 * wide if any copied character is above 0xff.  Same-width copies use
 * memmove, so overlapping ranges of one string are right; mixed widths
 * mean different buffers, which cannot overlap. */
static void copy_chars(pv dst, size_t at, pv src, size_t start, size_t end) {
    size_t n = end - start;
    pv db = STR_BUF(dst), sb = STR_BUF(src);
    bool dw = pv_is(db, T_STR32), sw = pv_is(sb, T_STR32);
    if (dw && sw) {
        MEMMOVE((uint32_t *)pv_raw(db, 0) + at, (const uint32_t *)pv_raw(sb, 0) + start, n * 4);
    } else if (!dw && !sw) {
        MEMMOVE((uint8_t *)pv_raw(db, 0) + at, (const uint8_t *)pv_raw(sb, 0) + start, n);
    } else if (dw) {
        uint32_t *d = (uint32_t *)pv_raw(db, 0) + at;
        const uint8_t *s = (const uint8_t *)pv_raw(sb, 0) + start;
        for (size_t i = 0; i < n; i++) d[i] = s[i];
    } else {
        uint8_t *d = (uint8_t *)pv_raw(db, 0) + at;
        const uint32_t *s = (const uint32_t *)pv_raw(sb, 0) + start;
        for (size_t i = 0; i < n; i++) d[i] = (uint8_t)s[i];
    }
}

/* Switch string s to 4-byte storage (as str_set does on demand), so that
 * bulk stores of wide characters need no per-character check. */
static int str_widen(pith_vm *vm, pv s) {
    if (str_wide(s)) return PITH_OK;
    size_t len = str_len(s);
    pv nb;
    GC_SCOPE(vm);
    GC_ROOT(s);
    TRY(gc_alloc(vm, T_STR32, (len + 1) / 2, &nb));
    const uint8_t *src = pv_raw(STR_BUF(s), 0);
    uint32_t *dst = pv_raw(nb, 0);
    for (size_t i = 0; i < len; i++) dst[i] = src[i];
    pv_store(vm, s, &STR_BUF(s), nb);
    return PITH_OK;
}

/* A new string with the characters s[start, end), narrow when they allow. */
static int substr(pith_vm *vm, const char *who, pv s, size_t start, size_t end, pv *out) {
    GC_SCOPE(vm);
    GC_ROOT(s);
    TRY(new_string(vm, who, end - start, str_max(s, start, end) > 0xff, out));
    copy_chars(*out, 0, s, start, end);
    return PITH_OK;
}

/* Store c at position i of a string whose storage is known to be wide
 * enough (no allocation). */
static inline void put_char(pv s, size_t i, uint32_t c) {
    pv b = STR_BUF(s);
    if (pv_is(b, T_STR32)) ((uint32_t *)pv_raw(b, 0))[i] = c;
    else ((uint8_t *)pv_raw(b, 0))[i] = (uint8_t)c;
}

/* ---- comparisons ---- */

enum { REL_EQ, REL_LT, REL_GT, REL_LE, REL_GE };

/* Does ordering result c (-1, 0, 1) satisfy the relation? */
static bool rel_holds(int rel, int c) {
    switch (rel) {
    case REL_EQ: return c == 0;
    case REL_LT: return c < 0;
    case REL_GT: return c > 0;
    case REL_LE: return c <= 0;
    default: return c >= 0;
    }
}

/* ---- characters (R7RS 6.6) ---- */

int prim_charp(pith_vm *vm, int argc) {
    (void)argc;
    RETURN(pv_bool(pv_is_char(ARG(0))));
}

int prim_char_to_integer(pith_vm *vm, int argc) {
    (void)argc;
    uint32_t c = 0;
    TRY(get_char(vm, "char->integer", ARG(0), &c));
    RETURN(pv_from_fix(c));
}

/* (integer->char n): n a Unicode scalar value (not a surrogate). */
int prim_integer_to_char(pith_vm *vm, int argc) {
    (void)argc;
    pv v = ARG(0);
    if (!pv_is_fix(v)) {
        if (pv_is(v, T_BIGNUM)) return err_range(vm, "integer->char", v);
        return err_type(vm, "integer->char", "exact integer", v);
    }
    int64_t n = pv_fix(v);
    if (n < 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return err_range(vm, "integer->char", v);
    RETURN(pv_from_char((uint32_t)n));
}

/* n-ary char comparison: every argument must be a character (checked even
 * once the answer is known); ci compares simple case foldings. */
static int char_compare(pith_vm *vm, int argc, const char *who, int rel, bool ci) {
    for (int i = 0; i < argc; i++)
        if (!pv_is_char(ARG(i))) return err_type(vm, who, "character", ARG(i));
    for (int i = 1; i < argc; i++) {
        uint32_t a = pv_char(ARG(i - 1)), b = pv_char(ARG(i));
        if (ci) {
            a = char_foldcase(a);
            b = char_foldcase(b);
        }
        if (!rel_holds(rel, a < b ? -1 : a > b)) RETURN(PV_FALSE);
    }
    RETURN(PV_TRUE);
}

int prim_char_eq(pith_vm *vm, int argc) { return char_compare(vm, argc, "char=?", REL_EQ, false); }
int prim_char_lt(pith_vm *vm, int argc) { return char_compare(vm, argc, "char<?", REL_LT, false); }
int prim_char_gt(pith_vm *vm, int argc) { return char_compare(vm, argc, "char>?", REL_GT, false); }
int prim_char_le(pith_vm *vm, int argc) { return char_compare(vm, argc, "char<=?", REL_LE, false); }
int prim_char_ge(pith_vm *vm, int argc) { return char_compare(vm, argc, "char>=?", REL_GE, false); }
int prim_char_ci_eq(pith_vm *vm, int argc) { return char_compare(vm, argc, "char-ci=?", REL_EQ, true); }
int prim_char_ci_lt(pith_vm *vm, int argc) { return char_compare(vm, argc, "char-ci<?", REL_LT, true); }
int prim_char_ci_gt(pith_vm *vm, int argc) { return char_compare(vm, argc, "char-ci>?", REL_GT, true); }
int prim_char_ci_le(pith_vm *vm, int argc) { return char_compare(vm, argc, "char-ci<=?", REL_LE, true); }
int prim_char_ci_ge(pith_vm *vm, int argc) { return char_compare(vm, argc, "char-ci>=?", REL_GE, true); }

/* A one-character predicate from unicode.h. */
static int char_pred(pith_vm *vm, const char *who, bool (*pred)(uint32_t)) {
    uint32_t c = 0;
    TRY(get_char(vm, who, ARG(0), &c));
    RETURN(pv_bool(pred(c)));
}

int prim_char_alphabetic(pith_vm *vm, int argc) {
    (void)argc;
    return char_pred(vm, "char-alphabetic?", char_is_alphabetic);
}

int prim_char_numeric(pith_vm *vm, int argc) {
    (void)argc;
    return char_pred(vm, "char-numeric?", char_is_numeric);
}

int prim_char_whitespace(pith_vm *vm, int argc) {
    (void)argc;
    return char_pred(vm, "char-whitespace?", char_is_whitespace);
}

int prim_char_upper(pith_vm *vm, int argc) {
    (void)argc;
    return char_pred(vm, "char-upper-case?", char_is_upper);
}

int prim_char_lower(pith_vm *vm, int argc) {
    (void)argc;
    return char_pred(vm, "char-lower-case?", char_is_lower);
}

/* (digit-value c): 0-9 for a decimal digit (any script), else #f. */
int prim_digit_value(pith_vm *vm, int argc) {
    (void)argc;
    uint32_t c = 0;
    TRY(get_char(vm, "digit-value", ARG(0), &c));
    int d = char_digit_value(c);
    RETURN(d < 0 ? PV_FALSE : pv_from_fix(d));
}

/* A one-character simple case mapping from unicode.h. */
static int char_map(pith_vm *vm, const char *who, uint32_t (*map)(uint32_t)) {
    uint32_t c = 0;
    TRY(get_char(vm, who, ARG(0), &c));
    RETURN(pv_from_char(map(c)));
}

int prim_char_upcase(pith_vm *vm, int argc) {
    (void)argc;
    return char_map(vm, "char-upcase", char_upcase);
}

int prim_char_downcase(pith_vm *vm, int argc) {
    (void)argc;
    return char_map(vm, "char-downcase", char_downcase);
}

int prim_char_foldcase(pith_vm *vm, int argc) {
    (void)argc;
    return char_map(vm, "char-foldcase", char_foldcase);
}

/* ---- strings (R7RS 6.7) ---- */

int prim_stringp(pith_vm *vm, int argc) {
    (void)argc;
    RETURN(pv_bool(pv_is(ARG(0), T_STRING)));
}

/* (make-string k [char]): char defaults to a space. */
int prim_make_string(pith_vm *vm, int argc) {
    pv k = ARG(0), s;
    uint32_t c = ' ';
    if (!pv_is_fix(k)) {
        if (pv_is(k, T_BIGNUM)) return err_range(vm, "make-string", k);
        return err_type(vm, "make-string", "exact integer", k);
    }
    if (pv_fix(k) < 0 || (uint64_t)pv_fix(k) > STR_MAX_LEN) return err_range(vm, "make-string", k);
    if (has_arg(vm, argc, 1)) TRY(get_char(vm, "make-string", ARG(1), &c));
    TRY(str_new(vm, (size_t)pv_fix(k), c, &s));
    RETURN(s);
}

int prim_string(pith_vm *vm, int argc) {
    uint32_t max = 0;
    pv s;
    for (int i = 0; i < argc; i++) {
        uint32_t c = 0;
        TRY(get_char(vm, "string", ARG(i), &c));
        if (c > max) max = c;
    }
    TRY(new_string(vm, "string", (size_t)argc, max > 0xff, &s));
    for (int i = 0; i < argc; i++) put_char(s, (size_t)i, pv_char(ARG(i)));
    RETURN(s);
}

int prim_string_length(pith_vm *vm, int argc) {
    (void)argc;
    pv s = ARG(0);
    if (!pv_is(s, T_STRING)) return err_type(vm, "string-length", "string", s);
    RETURN(pv_from_fix((int64_t)str_len(s)));
}

int prim_string_ref(pith_vm *vm, int argc) {
    (void)argc;
    pv s = ARG(0);
    size_t i = 0;
    if (!pv_is(s, T_STRING)) return err_type(vm, "string-ref", "string", s);
    TRY(get_index(vm, "string-ref", ARG(1), str_len(s), &i));
    RETURN(pv_from_char(str_ref(s, i)));
}

int prim_string_set(pith_vm *vm, int argc) {
    (void)argc;
    pv s = ARG(0);
    size_t i = 0;
    uint32_t c = 0;
    if (!pv_is(s, T_STRING)) return err_type(vm, "string-set!", "string", s);
    TRY(get_index(vm, "string-set!", ARG(1), str_len(s), &i));
    TRY(get_char(vm, "string-set!", ARG(2), &c));
    if (pv_has_flag(s, OF_IMMUTABLE)) return err_msg(vm, "error", "string-set!", "string is immutable:", s);
    TRY(str_set(vm, s, i, c));  /* may widen the storage (roots s itself) */
    RETURN(PV_VOID);
}

/* Iterates over the full case folding of a string, one code point at a
 * time (a character may fold to up to 3: "ß" -> "ss"). */
typedef struct fold_iter {
    pv s;           /* the string (no allocation happens during the walk) */
    size_t i, n;    /* next character, length */
    uint32_t buf[3];/* pending code points of the current folding */
    int k, m;       /* next in buf, count in buf */
} fold_iter;

/* The next folded code point into *c; false at the end. */
static bool fold_next(fold_iter *it, uint32_t *c) {
    if (it->k < it->m) {
        *c = it->buf[it->k++];
        return true;
    }
    if (it->i >= it->n) return false;
    it->m = char_full_foldcase(str_ref(it->s, it->i++), it->buf);
    it->k = 1;
    *c = it->buf[0];
    return true;
}

/* Compare the full case foldings of a and b: -1, 0 or 1. */
static int fold_cmp(pv a, pv b) {
    fold_iter x = {a, 0, str_len(a), {0, 0, 0}, 0, 0};
    fold_iter y = {b, 0, str_len(b), {0, 0, 0}, 0, 0};
    for (;;) {
        uint32_t ca = 0, cb = 0;
        bool ha = fold_next(&x, &ca), hb = fold_next(&y, &cb);
        if (!ha || !hb) return ha ? 1 : hb ? -1 : 0;
        if (ca != cb) return ca < cb ? -1 : 1;
    }
}

/* n-ary string comparison: every argument must be a string; ci compares
 * full case foldings (R7RS 6.7: as if by string-foldcase). */
static int string_compare(pith_vm *vm, int argc, const char *who, int rel, bool ci) {
    for (int i = 0; i < argc; i++)
        if (!pv_is(ARG(i), T_STRING)) return err_type(vm, who, "string", ARG(i));
    for (int i = 1; i < argc; i++) {
        pv a = ARG(i - 1), b = ARG(i);
        int c;
        if (ci) c = fold_cmp(a, b);
        else if (rel == REL_EQ) c = str_eq(a, b) ? 0 : 1;
        else c = str_cmp(a, b);
        if (!rel_holds(rel, c)) RETURN(PV_FALSE);
    }
    RETURN(PV_TRUE);
}

int prim_string_eq(pith_vm *vm, int argc) { return string_compare(vm, argc, "string=?", REL_EQ, false); }
int prim_string_lt(pith_vm *vm, int argc) { return string_compare(vm, argc, "string<?", REL_LT, false); }
int prim_string_gt(pith_vm *vm, int argc) { return string_compare(vm, argc, "string>?", REL_GT, false); }
int prim_string_le(pith_vm *vm, int argc) { return string_compare(vm, argc, "string<=?", REL_LE, false); }
int prim_string_ge(pith_vm *vm, int argc) { return string_compare(vm, argc, "string>=?", REL_GE, false); }
int prim_string_ci_eq(pith_vm *vm, int argc) { return string_compare(vm, argc, "string-ci=?", REL_EQ, true); }
int prim_string_ci_lt(pith_vm *vm, int argc) { return string_compare(vm, argc, "string-ci<?", REL_LT, true); }
int prim_string_ci_gt(pith_vm *vm, int argc) { return string_compare(vm, argc, "string-ci>?", REL_GT, true); }
int prim_string_ci_le(pith_vm *vm, int argc) { return string_compare(vm, argc, "string-ci<=?", REL_LE, true); }
int prim_string_ci_ge(pith_vm *vm, int argc) { return string_compare(vm, argc, "string-ci>=?", REL_GE, true); }

/* (substring s start [end]) and (string-copy s [start [end]]): the
 * optional range starts at argument `first`. */
static int copy_range(pith_vm *vm, int argc, const char *who) {
    size_t start = 0, end = 0;
    pv r;
    if (!pv_is(ARG(0), T_STRING)) return err_type(vm, who, "string", ARG(0));
    TRY(get_range(vm, who, argc, 1, str_len(ARG(0)), &start, &end));
    TRY(substr(vm, who, ARG(0), start, end, &r));
    RETURN(r);
}

int prim_substring(pith_vm *vm, int argc) { return copy_range(vm, argc, "substring"); }

int prim_string_copy(pith_vm *vm, int argc) { return copy_range(vm, argc, "string-copy"); }

int prim_string_append(pith_vm *vm, int argc) {
    size_t total = 0;
    bool wide = false;
    pv r;
    for (int i = 0; i < argc; i++) {
        pv s = ARG(i);
        if (!pv_is(s, T_STRING)) return err_type(vm, "string-append", "string", s);
        total += str_len(s);  /* each <= 2^32 and argc < 2^31: no overflow */
        if (!wide && str_max(s, 0, str_len(s)) > 0xff) wide = true;
    }
    TRY(new_string(vm, "string-append", total, wide, &r));
    size_t k = 0;
    for (int i = 0; i < argc; i++) {
        size_t n = str_len(ARG(i));
        copy_chars(r, k, ARG(i), 0, n);
        k += n;
    }
    RETURN(r);
}

/* (string->list s [start [end]]), built back to front. */
int prim_string_to_list(pith_vm *vm, int argc) {
    size_t start = 0, end = 0;
    if (!pv_is(ARG(0), T_STRING)) return err_type(vm, "string->list", "string", ARG(0));
    TRY(get_range(vm, "string->list", argc, 1, str_len(ARG(0)), &start, &end));
    pv l = PV_NULL;
    GC_SCOPE(vm);
    GC_ROOT(l);
    for (size_t i = end; i > start; i--)
        TRY(mk_pair(vm, pv_from_char(str_ref(ARG(0), i - 1)), l, &l));
    RETURN(l);
}

int prim_list_to_string(pith_vm *vm, int argc) {
    (void)argc;
    long n = list_length(ARG(0));
    uint32_t max = 0;
    pv r;
    if (n < 0) return err_type(vm, "list->string", "proper list", ARG(0));
    for (pv l = ARG(0); pv_is_pair(l); l = CDR(l)) {
        uint32_t c = 0;
        TRY(get_char(vm, "list->string", CAR(l), &c));
        if (c > max) max = c;
    }
    TRY(new_string(vm, "list->string", (size_t)n, max > 0xff, &r));
    size_t i = 0;
    for (pv l = ARG(0); pv_is_pair(l); l = CDR(l)) put_char(r, i++, pv_char(CAR(l)));
    RETURN(r);
}

/* (string-copy! to at from [start [end]]): overlapping ranges of the same
 * string are copied as if through a temporary. */
int prim_string_copy_to(pith_vm *vm, int argc) {
    size_t at = 0, start = 0, end = 0;
    pv to = ARG(0), from = ARG(2);
    if (!pv_is(to, T_STRING)) return err_type(vm, "string-copy!", "string", to);
    if (!pv_is(from, T_STRING)) return err_type(vm, "string-copy!", "string", from);
    TRY(get_index(vm, "string-copy!", ARG(1), str_len(to) + 1, &at));
    TRY(get_range(vm, "string-copy!", argc, 3, str_len(from), &start, &end));
    if (end - start > str_len(to) - at) return err_range(vm, "string-copy!", ARG(1));
    if (pv_has_flag(to, OF_IMMUTABLE)) return err_msg(vm, "error", "string-copy!", "string is immutable:", to);
    if (str_max(from, start, end) > 0xff) TRY(str_widen(vm, to));
    copy_chars(ARG(0), at, ARG(2), start, end);  /* re-read: widening allocates */
    RETURN(PV_VOID);
}

/* (string-fill! s char [start [end]]) */
int prim_string_fill(pith_vm *vm, int argc) {
    size_t start = 0, end = 0;
    uint32_t c = 0;
    pv s = ARG(0);
    if (!pv_is(s, T_STRING)) return err_type(vm, "string-fill!", "string", s);
    TRY(get_char(vm, "string-fill!", ARG(1), &c));
    TRY(get_range(vm, "string-fill!", argc, 2, str_len(s), &start, &end));
    if (pv_has_flag(s, OF_IMMUTABLE)) return err_msg(vm, "error", "string-fill!", "string is immutable:", s);
    if (c > 0xff && start < end) TRY(str_widen(vm, s));
    s = ARG(0);  /* re-read: widening allocates */
    pv b = STR_BUF(s);
    if (pv_is(b, T_STR32)) {
        uint32_t *p = pv_raw(b, 0);
        for (size_t i = start; i < end; i++) p[i] = c;
    } else {
        MEMSET((uint8_t *)pv_raw(b, 0) + start, (int)c, end - start);
    }
    RETURN(PV_VOID);
}

/* (string->vector s [start [end]]): a vector of characters. */
int prim_string_to_vector(pith_vm *vm, int argc) {
    size_t start = 0, end = 0;
    pv v;
    if (!pv_is(ARG(0), T_STRING)) return err_type(vm, "string->vector", "string", ARG(0));
    TRY(get_range(vm, "string->vector", argc, 1, str_len(ARG(0)), &start, &end));
    if (end - start > VEC_MAX_LEN) return err_range(vm, "string->vector", pv_from_fix((int64_t)(end - start)));
    TRY(mk_vector(vm, end - start, PV_FALSE, &v));
    pv s = ARG(0);  /* re-read after the allocation; v is fresh: no barrier */
    for (size_t i = start; i < end; i++) SLOT(v, i - start) = pv_from_char(str_ref(s, i));
    RETURN(v);
}

/* (vector->string v [start [end]]): every element in range must be a
 * character. */
int prim_vector_to_string(pith_vm *vm, int argc) {
    size_t start = 0, end = 0;
    uint32_t max = 0;
    pv r;
    if (!pv_is(ARG(0), T_VECTOR)) return err_type(vm, "vector->string", "vector", ARG(0));
    TRY(get_range(vm, "vector->string", argc, 1, pv_size(ARG(0)), &start, &end));
    for (size_t i = start; i < end; i++) {
        uint32_t c = 0;
        TRY(get_char(vm, "vector->string", SLOT(ARG(0), i), &c));
        if (c > max) max = c;
    }
    TRY(new_string(vm, "vector->string", end - start, max > 0xff, &r));
    pv v = ARG(0);
    for (size_t i = start; i < end; i++) put_char(r, i - start, pv_char(SLOT(v, i)));
    RETURN(r);
}

/* ---- case conversion ---- */

enum { CASE_UP, CASE_DOWN, CASE_FOLD };

/* Unicode 3.13 Final_Sigma for the capital sigma at s[i]: preceded by a
 * cased character (skipping case-ignorable ones) and not followed by one
 * (again skipping case-ignorables).  A character that is both cased and
 * case-ignorable counts as cased, as the standard's regular expressions
 * allow.  Each scan stops at the first cased character (a sigma is one),
 * so a whole string costs O(n). */
static bool final_sigma(pv s, size_t i, size_t n) {
    size_t j = i;
    for (;;) {
        if (j == 0) return false;
        uint32_t c = str_ref(s, --j);
        if (char_is_cased(c)) break;
        if (!char_is_case_ignorable(c)) return false;
    }
    for (size_t k = i + 1; k < n; k++) {
        uint32_t c = str_ref(s, k);
        if (char_is_cased(c)) return false;
        if (!char_is_case_ignorable(c)) break;
    }
    return true;
}

/* The full case mapping of s[i] (1 to 3 code points) into out. */
static int map_case(int mode, pv s, size_t i, size_t n, uint32_t out[3]) {
    uint32_t c = str_ref(s, i);
    if (mode == CASE_UP) return char_full_upcase(c, out);
    if (mode == CASE_FOLD) return char_full_foldcase(c, out);
    if (c == 0x03a3 && final_sigma(s, i, n)) {
        out[0] = 0x03c2;  /* GREEK SMALL LETTER FINAL SIGMA */
        return 1;
    }
    return char_full_downcase(c, out);
}

/* string-upcase/-downcase/-foldcase: one pass to size the result (full
 * mappings may lengthen it: "ß" -> "SS"), one to fill it. */
static int string_case(pith_vm *vm, const char *who, int mode) {
    pv s = ARG(0), r;
    if (!pv_is(s, T_STRING)) return err_type(vm, who, "string", s);
    size_t n = str_len(s), len = 0;
    uint32_t max = 0, out[3];
    for (size_t i = 0; i < n; i++) {
        int m = map_case(mode, s, i, n, out);
        for (int k = 0; k < m; k++)
            if (out[k] > max) max = out[k];
        len += (size_t)m;
    }
    TRY(new_string(vm, who, len, max > 0xff, &r));
    s = ARG(0);  /* re-read after the allocation */
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        int m = map_case(mode, s, i, n, out);
        for (int k = 0; k < m; k++) put_char(r, j++, out[k]);
    }
    RETURN(r);
}

int prim_string_upcase(pith_vm *vm, int argc) {
    (void)argc;
    return string_case(vm, "string-upcase", CASE_UP);
}

int prim_string_downcase(pith_vm *vm, int argc) {
    (void)argc;
    return string_case(vm, "string-downcase", CASE_DOWN);
}

int prim_string_foldcase(pith_vm *vm, int argc) {
    (void)argc;
    return string_case(vm, "string-foldcase", CASE_FOLD);
}

/* ---- searching and joining (for the Scheme-side string library) ---- */

/* (%string-index str char [start]): index of the first char at or after
 * start, or #f. */
int prim_string_index(pith_vm *vm, int argc) {
    pv s = ARG(0);
    uint32_t c = 0;
    size_t start = 0;
    if (!pv_is(s, T_STRING)) return err_type(vm, "%string-index", "string", s);
    TRY(get_char(vm, "%string-index", ARG(1), &c));
    size_t n = str_len(s);
    if (has_arg(vm, argc, 2)) TRY(get_index(vm, "%string-index", ARG(2), n + 1, &start));
    for (size_t i = start; i < n; i++)
        if (str_ref(s, i) == c) RETURN(pv_from_fix((int64_t)i));
    RETURN(PV_FALSE);
}

/* (%string-search str pattern [start]): index of the first occurrence of
 * pattern at or after start, or #f (the empty pattern matches at start).
 * A plain scan, O(n*m) at worst. */
int prim_string_search(pith_vm *vm, int argc) {
    pv s = ARG(0), p = ARG(1);
    size_t start = 0;
    if (!pv_is(s, T_STRING)) return err_type(vm, "%string-search", "string", s);
    if (!pv_is(p, T_STRING)) return err_type(vm, "%string-search", "string", p);
    size_t n = str_len(s), m = str_len(p);
    if (has_arg(vm, argc, 2)) TRY(get_index(vm, "%string-search", ARG(2), n + 1, &start));
    if (m == 0) RETURN(pv_from_fix((int64_t)start));
    if (m > n) RETURN(PV_FALSE);
    uint32_t first = str_ref(p, 0);
    for (size_t i = start; i + m <= n; i++) {
        if (str_ref(s, i) != first) continue;
        size_t k = 1;
        while (k < m && str_ref(s, i + k) == str_ref(p, k)) k++;
        if (k == m) RETURN(pv_from_fix((int64_t)i));
    }
    RETURN(PV_FALSE);
}

/* (%string-join list [delimiter]): the strings of list separated by the
 * delimiter (default " "). */
int prim_string_join(pith_vm *vm, int argc) {
    bool has_delim = has_arg(vm, argc, 1);
    size_t dlen = 1, total = 0;
    bool wide = false;
    pv r;
    if (has_delim) {
        pv d = ARG(1);
        if (!pv_is(d, T_STRING)) return err_type(vm, "%string-join", "string", d);
        dlen = str_len(d);
        wide = str_max(d, 0, dlen) > 0xff;
    }
    long n = list_length(ARG(0));
    if (n < 0) return err_type(vm, "%string-join", "proper list", ARG(0));
    for (pv l = ARG(0); pv_is_pair(l); l = CDR(l)) {
        pv s = CAR(l);
        if (!pv_is(s, T_STRING)) return err_type(vm, "%string-join", "string", s);
        if (l != ARG(0)) total += dlen;
        total += str_len(s);  /* adds <= 2^33 to a total <= 2^32: no overflow */
        if (total > STR_MAX_LEN) return err_range(vm, "%string-join", pv_from_fix((int64_t)total));
        if (!wide && str_max(s, 0, str_len(s)) > 0xff) wide = true;
    }
    TRY(new_string(vm, "%string-join", total, wide, &r));
    size_t k = 0;
    for (pv l = ARG(0); pv_is_pair(l); l = CDR(l)) {
        if (l != ARG(0)) {
            if (has_delim) copy_chars(r, k, ARG(1), 0, dlen);
            else put_char(r, k, ' ');
            k += dlen;
        }
        size_t len = str_len(CAR(l));
        copy_chars(r, k, CAR(l), 0, len);
        k += len;
    }
    RETURN(r);
}

/* ---- bytevectors (R7RS 6.9) ---- */

static inline size_t bv_len(pv b) { return (size_t)pv_fix(BV_LEN(b)); }

/* A new bytevector of n bytes (zeroed), refusing sizes the header cannot
 * represent. */
static int new_bytevector(pith_vm *vm, const char *who, size_t n, pv *out) {
    if (n > BV_MAX_LEN) return err_range(vm, who, pv_from_fix((int64_t)n));
    return mk_bytevector(vm, n, out);
}

int prim_bytevectorp(pith_vm *vm, int argc) {
    (void)argc;
    RETURN(pv_bool(pv_is(ARG(0), T_BYTEVECTOR)));
}

/* (make-bytevector k [byte]): byte defaults to 0. */
int prim_make_bytevector(pith_vm *vm, int argc) {
    pv k = ARG(0), b;
    uint8_t fill = 0;
    if (!pv_is_fix(k)) {
        if (pv_is(k, T_BIGNUM)) return err_range(vm, "make-bytevector", k);
        return err_type(vm, "make-bytevector", "exact integer", k);
    }
    if (pv_fix(k) < 0 || (uint64_t)pv_fix(k) > BV_MAX_LEN) return err_range(vm, "make-bytevector", k);
    if (has_arg(vm, argc, 1)) TRY(get_byte(vm, "make-bytevector", ARG(1), &fill));
    TRY(mk_bytevector(vm, (size_t)pv_fix(k), &b));
    MEMSET(bv_bytes(b), fill, (size_t)pv_fix(ARG(0)));
    RETURN(b);
}

int prim_bytevector(pith_vm *vm, int argc) {
    pv b;
    for (int i = 0; i < argc; i++) {
        uint8_t x = 0;
        TRY(get_byte(vm, "bytevector", ARG(i), &x));
    }
    TRY(new_bytevector(vm, "bytevector", (size_t)argc, &b));
    uint8_t *p = bv_bytes(b);
    for (int i = 0; i < argc; i++) p[i] = (uint8_t)pv_fix(ARG(i));
    RETURN(b);
}

int prim_bytevector_length(pith_vm *vm, int argc) {
    (void)argc;
    pv b = ARG(0);
    if (!pv_is(b, T_BYTEVECTOR)) return err_type(vm, "bytevector-length", "bytevector", b);
    RETURN(BV_LEN(b));
}

int prim_bytevector_u8_ref(pith_vm *vm, int argc) {
    (void)argc;
    pv b = ARG(0);
    size_t i = 0;
    if (!pv_is(b, T_BYTEVECTOR)) return err_type(vm, "bytevector-u8-ref", "bytevector", b);
    TRY(get_index(vm, "bytevector-u8-ref", ARG(1), bv_len(b), &i));
    RETURN(pv_from_fix(bv_bytes(b)[i]));
}

int prim_bytevector_u8_set(pith_vm *vm, int argc) {
    (void)argc;
    pv b = ARG(0);
    size_t i = 0;
    uint8_t x = 0;
    if (!pv_is(b, T_BYTEVECTOR)) return err_type(vm, "bytevector-u8-set!", "bytevector", b);
    TRY(get_index(vm, "bytevector-u8-set!", ARG(1), bv_len(b), &i));
    TRY(get_byte(vm, "bytevector-u8-set!", ARG(2), &x));
    if (pv_has_flag(b, OF_IMMUTABLE))
        return err_msg(vm, "error", "bytevector-u8-set!", "bytevector is immutable:", b);
    bv_bytes(b)[i] = x;
    RETURN(PV_VOID);
}

/* (bytevector-copy bv [start [end]]) */
int prim_bytevector_copy(pith_vm *vm, int argc) {
    size_t start = 0, end = 0;
    pv r;
    if (!pv_is(ARG(0), T_BYTEVECTOR)) return err_type(vm, "bytevector-copy", "bytevector", ARG(0));
    TRY(get_range(vm, "bytevector-copy", argc, 1, bv_len(ARG(0)), &start, &end));
    TRY(mk_bytevector(vm, end - start, &r));
    MEMCPY(bv_bytes(r), bv_bytes(ARG(0)) + start, end - start);  /* ARG re-read */
    RETURN(r);
}

/* (bytevector-copy! to at from [start [end]]): overlap-safe (memmove). */
int prim_bytevector_copy_to(pith_vm *vm, int argc) {
    size_t at = 0, start = 0, end = 0;
    pv to = ARG(0), from = ARG(2);
    if (!pv_is(to, T_BYTEVECTOR)) return err_type(vm, "bytevector-copy!", "bytevector", to);
    if (!pv_is(from, T_BYTEVECTOR)) return err_type(vm, "bytevector-copy!", "bytevector", from);
    TRY(get_index(vm, "bytevector-copy!", ARG(1), bv_len(to) + 1, &at));
    TRY(get_range(vm, "bytevector-copy!", argc, 3, bv_len(from), &start, &end));
    if (end - start > bv_len(to) - at) return err_range(vm, "bytevector-copy!", ARG(1));
    if (pv_has_flag(to, OF_IMMUTABLE))
        return err_msg(vm, "error", "bytevector-copy!", "bytevector is immutable:", to);
    MEMMOVE(bv_bytes(to) + at, bv_bytes(from) + start, end - start);
    RETURN(PV_VOID);
}

int prim_bytevector_append(pith_vm *vm, int argc) {
    size_t total = 0;
    pv r;
    for (int i = 0; i < argc; i++) {
        if (!pv_is(ARG(i), T_BYTEVECTOR)) return err_type(vm, "bytevector-append", "bytevector", ARG(i));
        total += bv_len(ARG(i));  /* each < 2^33 and argc < 2^31: no overflow */
    }
    TRY(new_bytevector(vm, "bytevector-append", total, &r));
    uint8_t *p = bv_bytes(r);
    for (int i = 0; i < argc; i++) {
        size_t n = bv_len(ARG(i));
        MEMCPY(p, bv_bytes(ARG(i)), n);
        p += n;
    }
    RETURN(r);
}

/* (utf8->string bv [start [end]]).  Decoding follows utf8_decode: each
 * byte that does not begin a valid, complete, shortest-form sequence of a
 * scalar value becomes one U+FFFD and decoding resumes at the next byte;
 * a sequence cut by `end` counts as invalid.  The bytes are read twice
 * (to size the string, then to fill it) because str_from_utf8 must not be
 * given a pointer into the heap: its allocation could move the bytes. */
int prim_utf8_to_string(pith_vm *vm, int argc) {
    size_t start = 0, end = 0, len = 0;
    uint32_t max = 0;
    pv r;
    if (!pv_is(ARG(0), T_BYTEVECTOR)) return err_type(vm, "utf8->string", "bytevector", ARG(0));
    TRY(get_range(vm, "utf8->string", argc, 1, bv_len(ARG(0)), &start, &end));
    const uint8_t *p = bv_bytes(ARG(0));
    for (size_t i = start; i < end; len++) {
        uint32_t c;
        i += utf8_decode(p + i, end - i, &c);
        if (c > max) max = c;
    }
    TRY(new_string(vm, "utf8->string", len, max > 0xff, &r));
    p = bv_bytes(ARG(0));  /* re-read: the allocation may have moved it */
    size_t k = 0;
    for (size_t i = start; i < end;) {
        uint32_t c;
        i += utf8_decode(p + i, end - i, &c);
        put_char(r, k++, c);
    }
    RETURN(r);
}

/* (string->utf8 s [start [end]]) */
int prim_string_to_utf8(pith_vm *vm, int argc) {
    size_t start = 0, end = 0;
    pv b;
    if (!pv_is(ARG(0), T_STRING)) return err_type(vm, "string->utf8", "string", ARG(0));
    TRY(get_range(vm, "string->utf8", argc, 1, str_len(ARG(0)), &start, &end));
    TRY(new_bytevector(vm, "string->utf8", str_utf8_len(ARG(0), start, end), &b));
    str_to_utf8(ARG(0), start, end, bv_bytes(b));
    RETURN(b);
}
