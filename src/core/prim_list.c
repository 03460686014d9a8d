/* prim_list.c -- builtin primitives: equivalence, pairs and lists, symbols
 * and vectors (R7RS 6.1, 6.4, 6.5, 6.8).
 *
 * Every primitive reads its arguments with ARG(i), which always reads the
 * current stack, so it stays valid across allocations; other heap values
 * held in C locals across an allocation are registered with GC_ROOT.
 * Loops over lists never recurse in C and never hang on circular lists:
 * they validate with list_length first or detect cycles as they go.
 * A missing optional argument may also arrive as PV_DEFAULT (the Scheme
 * side passes the default object through); both count as absent.
 *
 * SPDX-License-Identifier: MIT
 */
#include "vm.h"

/* Longest vector: the header's size field bounds the payload words (and
 * keeps gc_alloc's byte count from overflowing). */
#define VEC_MAX_LEN (HDR_MAX_SIZE - 1)

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

/* A count argument (a length, or a number of cdrs): exact, >= 0. */
static int get_count(pith_vm *vm, const char *who, pv v, uint64_t *out) {
    if (!pv_is_fix(v)) {
        if (pv_is(v, T_BIGNUM)) return err_range(vm, who, v);
        return err_type(vm, who, "exact integer", v);
    }
    if (pv_fix(v) < 0) return err_range(vm, who, v);
    *out = (uint64_t)pv_fix(v);
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

/* Allocate a vector of n elements all `fill`, refusing lengths the header
 * cannot represent (a range error naming n). */
static int alloc_vector(pith_vm *vm, const char *who, size_t n, pv fill, pv *out) {
    if (n > VEC_MAX_LEN) return err_range(vm, who, pv_from_fix((int64_t)n));
    return mk_vector(vm, n, fill, out);
}

/* ---- list helpers ---- */

/* Number of pairs in the spine of l, or -1 if it is circular; *tail gets
 * the final cdr (() for a proper list).  Floyd's cycle detection: slow
 * advances every other step, so meeting it means a cycle. */
static long spine_length(pv l, pv *tail) {
    long n = 0;
    pv slow = l;
    while (pv_is_pair(l)) {
        l = CDR(l);
        n++;
        if (!(n & 1)) slow = CDR(slow);
        if (l == slow) return -1;
    }
    *tail = l;
    return n;
}

/* Follow k cdrs from l into *out; false if a non-pair is reached first.
 * A cycle is detected (Brent) and the remaining count reduced modulo its
 * length, so a huge k on a circular list cannot hang. */
static bool list_drop(pv l, uint64_t k, pv *out) {
    pv tort = l;
    uint64_t power = 1, lam = 0;
    while (k > 0) {
        if (!pv_is_pair(l)) return false;
        l = CDR(l);
        k--;
        lam++;
        if (l == tort) {
            /* l and tort are lam pairs apart on a cycle: skipping a
             * multiple of lam pairs lands on the same pair. */
            k %= lam;
            while (k > 0) {
                l = CDR(l);
                k--;
            }
            break;
        }
        if (lam == power) {
            tort = l;
            power *= 2;
            lam = 0;
        }
    }
    *out = l;
    return true;
}

/* Copy the first n pairs of l (which has at least n pairs) in order, the
 * last copy's cdr being tail; *out gets the copy (tail when n is 0).
 * Each new pair is linked into the previous one with the barrier, since
 * the previous one may have been promoted by a collection meanwhile. */
static int copy_prefix(pith_vm *vm, pv l, size_t n, pv tail, pv *out) {
    pv head = tail, last = PV_FALSE, p;
    GC_SCOPE(vm);
    GC_ROOT3(l, tail, head);
    GC_ROOT(last);
    for (size_t i = 0; i < n; i++) {
        TRY(mk_pair(vm, CAR(l), tail, &p));
        if (last == PV_FALSE) head = p;
        else STORE(last, 1, p);
        last = p;
        l = CDR(l);
    }
    *out = head;
    return PITH_OK;
}

/* ---- equivalence (R7RS 6.1) ---- */

int prim_eqp(pith_vm *vm, int argc) {
    (void)argc;
    RETURN(pv_bool(ARG(0) == ARG(1)));
}

int prim_eqvp(pith_vm *vm, int argc) {
    (void)argc;
    RETURN(pv_bool(pv_eqv(ARG(0), ARG(1))));
}

int prim_equalp(pith_vm *vm, int argc) {
    (void)argc;
    bool r;
    TRY(pv_equal(vm, ARG(0), ARG(1), &r));
    RETURN(pv_bool(r));
}

int prim_not(pith_vm *vm, int argc) {
    (void)argc;
    RETURN(pv_bool(ARG(0) == PV_FALSE));
}

int prim_booleanp(pith_vm *vm, int argc) {
    (void)argc;
    pv v = ARG(0);
    RETURN(pv_bool(v == PV_TRUE || v == PV_FALSE));
}

int prim_boolean_eq(pith_vm *vm, int argc) {
    for (int i = 0; i < argc; i++) {
        pv v = ARG(i);
        if (v != PV_TRUE && v != PV_FALSE) return err_type(vm, "boolean=?", "boolean", v);
    }
    for (int i = 1; i < argc; i++)
        if (ARG(i) != ARG(0)) RETURN(PV_FALSE);
    RETURN(PV_TRUE);
}

/* ---- pairs and lists (R7RS 6.4) ---- */

int prim_cons(pith_vm *vm, int argc) {
    (void)argc;
    pv p;
    TRY(mk_pair(vm, ARG(0), ARG(1), &p));
    RETURN(p);
}

int prim_car(pith_vm *vm, int argc) {
    (void)argc;
    pv p = ARG(0);
    if (!pv_is_pair(p)) return err_type(vm, "car", "pair", p);
    RETURN(CAR(p));
}

int prim_cdr(pith_vm *vm, int argc) {
    (void)argc;
    pv p = ARG(0);
    if (!pv_is_pair(p)) return err_type(vm, "cdr", "pair", p);
    RETURN(CDR(p));
}

int prim_set_car(pith_vm *vm, int argc) {
    (void)argc;
    pv p = ARG(0);
    if (!pv_is_pair(p)) return err_type(vm, "set-car!", "pair", p);
    if (pv_has_flag(p, OF_IMMUTABLE)) return err_msg(vm, "error", "set-car!", "pair is immutable:", p);
    STORE(p, 0, ARG(1));
    RETURN(PV_VOID);
}

int prim_set_cdr(pith_vm *vm, int argc) {
    (void)argc;
    pv p = ARG(0);
    if (!pv_is_pair(p)) return err_type(vm, "set-cdr!", "pair", p);
    if (pv_has_flag(p, OF_IMMUTABLE)) return err_msg(vm, "error", "set-cdr!", "pair is immutable:", p);
    STORE(p, 1, ARG(1));
    RETURN(PV_VOID);
}

/* c[ad][ad]r: `first` is applied first (innermost), then `second`; the
 * error names the whole argument. */
static int cxxr(pith_vm *vm, const char *who, const char *what, int first, int second) {
    pv v = ARG(0);
    if (!pv_is_pair(v)) return err_type(vm, who, what, v);
    pv w = SLOT(v, first);
    if (!pv_is_pair(w)) return err_type(vm, who, what, v);
    RETURN(SLOT(w, second));
}

int prim_caar(pith_vm *vm, int argc) {
    (void)argc;
    return cxxr(vm, "caar", "pair whose car is a pair", 0, 0);
}

int prim_cadr(pith_vm *vm, int argc) {
    (void)argc;
    return cxxr(vm, "cadr", "pair whose cdr is a pair", 1, 0);
}

int prim_cdar(pith_vm *vm, int argc) {
    (void)argc;
    return cxxr(vm, "cdar", "pair whose car is a pair", 0, 1);
}

int prim_cddr(pith_vm *vm, int argc) {
    (void)argc;
    return cxxr(vm, "cddr", "pair whose cdr is a pair", 1, 1);
}

int prim_pairp(pith_vm *vm, int argc) {
    (void)argc;
    RETURN(pv_bool(pv_is_pair(ARG(0))));
}

int prim_nullp(pith_vm *vm, int argc) {
    (void)argc;
    RETURN(pv_bool(ARG(0) == PV_NULL));
}

int prim_listp(pith_vm *vm, int argc) {
    (void)argc;
    RETURN(pv_bool(list_length(ARG(0)) >= 0));
}

int prim_list(pith_vm *vm, int argc) {
    pv l = PV_NULL;
    GC_SCOPE(vm);
    GC_ROOT(l);
    for (int i = argc - 1; i >= 0; i--) TRY(mk_pair(vm, ARG(i), l, &l));
    RETURN(l);
}

/* (cons* a b ... tail): the last argument is the tail, unchanged. */
int prim_cons_star(pith_vm *vm, int argc) {
    pv l = ARG(argc - 1);
    GC_SCOPE(vm);
    GC_ROOT(l);
    for (int i = argc - 2; i >= 0; i--) TRY(mk_pair(vm, ARG(i), l, &l));
    RETURN(l);
}

/* (make-list k [fill]): fill defaults to #f. */
int prim_make_list(pith_vm *vm, int argc) {
    uint64_t k = 0;
    TRY(get_count(vm, "make-list", ARG(0), &k));
    pv l = PV_NULL;
    GC_SCOPE(vm);
    GC_ROOT(l);
    for (uint64_t i = 0; i < k; i++)
        TRY(mk_pair(vm, has_arg(vm, argc, 1) ? ARG(1) : PV_FALSE, l, &l));
    RETURN(l);
}

int prim_length(pith_vm *vm, int argc) {
    (void)argc;
    long n = list_length(ARG(0));
    if (n < 0) return err_type(vm, "length", "proper list", ARG(0));
    RETURN(pv_from_fix(n));
}

/* (append list ... obj): every argument but the last must be a proper
 * list and is copied; the last is shared, and may be any object. */
int prim_append(pith_vm *vm, int argc) {
    if (argc == 0) RETURN(PV_NULL);
    for (int i = 0; i < argc - 1; i++)
        if (list_length(ARG(i)) < 0) return err_type(vm, "append", "proper list", ARG(i));
    pv r = ARG(argc - 1);
    GC_SCOPE(vm);
    GC_ROOT(r);
    for (int i = argc - 2; i >= 0; i--)
        TRY(copy_prefix(vm, ARG(i), (size_t)list_length(ARG(i)), r, &r));
    RETURN(r);
}

int prim_reverse(pith_vm *vm, int argc) {
    (void)argc;
    if (list_length(ARG(0)) < 0) return err_type(vm, "reverse", "proper list", ARG(0));
    pv r;
    TRY(list_reverse(vm, ARG(0), &r));
    RETURN(r);
}

/* (list-tail list k): the list must have at least k pairs. */
int prim_list_tail(pith_vm *vm, int argc) {
    (void)argc;
    uint64_t k = 0;
    pv r;
    TRY(get_count(vm, "list-tail", ARG(1), &k));
    if (!list_drop(ARG(0), k, &r)) return err_range(vm, "list-tail", ARG(1));
    RETURN(r);
}

int prim_list_ref(pith_vm *vm, int argc) {
    (void)argc;
    uint64_t k = 0;
    pv r;
    TRY(get_count(vm, "list-ref", ARG(1), &k));
    if (!list_drop(ARG(0), k, &r) || !pv_is_pair(r)) return err_range(vm, "list-ref", ARG(1));
    RETURN(CAR(r));
}

/* (list-copy obj): copies the spine, keeping an improper tail; a non-pair
 * is returned unchanged (R7RS 6.4); a circular list is an error. */
int prim_list_copy(pith_vm *vm, int argc) {
    (void)argc;
    pv tail, r;
    if (!pv_is_pair(ARG(0))) RETURN(ARG(0));
    long n = spine_length(ARG(0), &tail);
    if (n < 0) return err_msg(vm, "error", "list-copy", "circular list:", ARG(0));
    TRY(copy_prefix(vm, ARG(0), (size_t)n, tail, &r));
    RETURN(r);
}

enum { EQ_EQ, EQ_EQV, EQ_EQUAL };

/* Compare with eq?, eqv? or equal? (which may fail only for memory). */
static int same(pith_vm *vm, int kind, pv a, pv b, bool *out) {
    if (kind == EQ_EQ) *out = a == b;
    else if (kind == EQ_EQV) *out = pv_eqv(a, b);
    else return pv_equal(vm, a, b, out);
    return PITH_OK;
}

/* memq/memv/%member: the first pair of list ARG(1) whose car is the same
 * as ARG(0), or #f.  An improper or circular list is an error (reported
 * when the walk reaches its end or detects the cycle). */
static int member(pith_vm *vm, const char *who, int kind) {
    pv x = ARG(0), l = ARG(1), slow = l;
    GC_SCOPE(vm);
    GC_ROOT3(x, l, slow);  /* equal? does not allocate on the heap today */
    size_t n = 0;
    while (pv_is_pair(l)) {
        bool hit;
        TRY(same(vm, kind, x, CAR(l), &hit));
        if (hit) RETURN(l);
        l = CDR(l);
        if (++n & 1) continue;
        slow = CDR(slow);
        if (l == slow) return err_msg(vm, "error", who, "circular list:", ARG(1));
    }
    if (l != PV_NULL) return err_type(vm, who, "proper list", ARG(1));
    RETURN(PV_FALSE);
}

int prim_memq(pith_vm *vm, int argc) {
    (void)argc;
    return member(vm, "memq", EQ_EQ);
}

int prim_memv(pith_vm *vm, int argc) {
    (void)argc;
    return member(vm, "memv", EQ_EQV);
}

int prim_member2(pith_vm *vm, int argc) {
    (void)argc;
    return member(vm, "member", EQ_EQUAL);
}

/* assq/assv/%assoc: the first pair of alist ARG(1) whose car is the same
 * as ARG(0), or #f.  Every element looked at must be a pair. */
static int assoc(pith_vm *vm, const char *who, int kind) {
    pv x = ARG(0), l = ARG(1), slow = l;
    GC_SCOPE(vm);
    GC_ROOT3(x, l, slow);
    size_t n = 0;
    while (pv_is_pair(l)) {
        pv e = CAR(l);
        if (!pv_is_pair(e)) return err_type(vm, who, "pair", e);
        bool hit;
        TRY(same(vm, kind, x, CAR(e), &hit));
        if (hit) RETURN(CAR(l));
        l = CDR(l);
        if (++n & 1) continue;
        slow = CDR(slow);
        if (l == slow) return err_msg(vm, "error", who, "circular list:", ARG(1));
    }
    if (l != PV_NULL) return err_type(vm, who, "proper list", ARG(1));
    RETURN(PV_FALSE);
}

int prim_assq(pith_vm *vm, int argc) {
    (void)argc;
    return assoc(vm, "assq", EQ_EQ);
}

int prim_assv(pith_vm *vm, int argc) {
    (void)argc;
    return assoc(vm, "assv", EQ_EQV);
}

int prim_assoc2(pith_vm *vm, int argc) {
    (void)argc;
    return assoc(vm, "assoc", EQ_EQUAL);
}

/* (last-pair pair): the last pair of the spine; circular is an error. */
int prim_last_pair(pith_vm *vm, int argc) {
    (void)argc;
    pv l = ARG(0), slow = l;
    if (!pv_is_pair(l)) return err_type(vm, "last-pair", "pair", l);
    size_t n = 0;
    while (pv_is_pair(CDR(l))) {
        l = CDR(l);
        if (++n & 1) continue;
        slow = CDR(slow);
        if (l == slow) return err_msg(vm, "error", "last-pair", "circular list:", ARG(0));
    }
    RETURN(l);
}

/* ---- symbols (R7RS 6.5) ---- */

int prim_symbolp(pith_vm *vm, int argc) {
    (void)argc;
    RETURN(pv_bool(pv_is_symbol(ARG(0))));
}

/* The name string itself, which is immutable (R7RS: an error to mutate). */
int prim_symbol_to_string(pith_vm *vm, int argc) {
    (void)argc;
    pv s = ARG(0);
    if (!pv_is_symbol(s)) return err_type(vm, "symbol->string", "symbol", s);
    RETURN(SYM_NAME(s));
}

int prim_string_to_symbol(pith_vm *vm, int argc) {
    (void)argc;
    pv s = ARG(0), r;
    if (!pv_is(s, T_STRING)) return err_type(vm, "string->symbol", "string", s);
    TRY(sym_intern_str(vm, s, &r));
    RETURN(r);
}

int prim_symbol_eq(pith_vm *vm, int argc) {
    for (int i = 0; i < argc; i++)
        if (!pv_is_symbol(ARG(i))) return err_type(vm, "symbol=?", "symbol", ARG(i));
    for (int i = 1; i < argc; i++)
        if (ARG(i) != ARG(0)) RETURN(PV_FALSE);
    RETURN(PV_TRUE);
}

/* An immutable string with the characters of str: str itself when it is
 * already immutable (nothing can change it), else a copy. */
static int immutable_name(pith_vm *vm, pv str, pv *out) {
    if (pv_has_flag(str, OF_IMMUTABLE)) {
        *out = str;
        return PITH_OK;
    }
    GC_SCOPE(vm);
    GC_ROOT(str);
    size_t n = str_len(str);
    pv r;
    TRY(str_new(vm, n, str_wide(str) ? 0x100 : 0, &r));
    pv src = STR_BUF(str), dst = STR_BUF(r);
    if (str_wide(str)) MEMCPY(pv_raw(dst, 0), pv_raw(src, 0), n * 4);
    else MEMCPY(pv_raw(dst, 0), pv_raw(src, 0), n);
    pv_set_flag(r, OF_IMMUTABLE);
    *out = r;
    return PITH_OK;
}

/* A fresh uninterned symbol named by string or symbol `name` (default
 * "g" when name is PV_DEFAULT); `who` names the caller for errors. */
static int fresh_symbol(pith_vm *vm, const char *who, pv name, bool allow_symbol) {
    pv str, r;
    if (name == PV_DEFAULT) {
        TRY(str_from_c(vm, "g", &str));
        pv_set_flag(str, OF_IMMUTABLE);
    } else if (allow_symbol && pv_is_symbol(name)) {
        str = SYM_NAME(name);
    } else if (pv_is(name, T_STRING)) {
        TRY(immutable_name(vm, name, &str));
    } else {
        return err_type(vm, who, allow_symbol ? "string or symbol" : "string", name);
    }
    TRY(sym_gensym(vm, str, &r));
    RETURN(r);
}

/* (%gensym [name]): uniqueness is by identity; the name may repeat. */
int prim_gensym(pith_vm *vm, int argc) {
    return fresh_symbol(vm, "%gensym", argc > 0 ? ARG(0) : PV_DEFAULT, true);
}

int prim_string_to_uninterned_symbol(pith_vm *vm, int argc) {
    (void)argc;
    pv s = ARG(0);
    if (!pv_is(s, T_STRING)) return err_type(vm, "string->uninterned-symbol", "string", s);
    return fresh_symbol(vm, "string->uninterned-symbol", s, false);
}

int prim_symbol_interned(pith_vm *vm, int argc) {
    (void)argc;
    pv s = ARG(0);
    if (!pv_is_symbol(s)) return err_type(vm, "symbol-interned?", "symbol", s);
    RETURN(pv_bool(pv_has_flag(s, OF_INTERNED)));
}

/* ---- vectors (R7RS 6.8) ---- */

int prim_vectorp(pith_vm *vm, int argc) {
    (void)argc;
    RETURN(pv_bool(pv_is(ARG(0), T_VECTOR)));
}

/* (make-vector k [fill]): fill defaults to #f. */
int prim_make_vector(pith_vm *vm, int argc) {
    uint64_t k = 0;
    pv v;
    TRY(get_count(vm, "make-vector", ARG(0), &k));
    if (k > VEC_MAX_LEN) return err_range(vm, "make-vector", ARG(0));
    TRY(mk_vector(vm, (size_t)k, has_arg(vm, argc, 1) ? ARG(1) : PV_FALSE, &v));
    RETURN(v);
}

int prim_vector(pith_vm *vm, int argc) {
    pv v;
    TRY(alloc_vector(vm, "vector", (size_t)argc, PV_FALSE, &v));
    for (int i = 0; i < argc; i++) SLOT(v, i) = ARG(i);  /* fresh: no barrier */
    RETURN(v);
}

int prim_vector_length(pith_vm *vm, int argc) {
    (void)argc;
    pv v = ARG(0);
    if (!pv_is(v, T_VECTOR)) return err_type(vm, "vector-length", "vector", v);
    RETURN(pv_from_fix((int64_t)pv_size(v)));
}

int prim_vector_ref(pith_vm *vm, int argc) {
    (void)argc;
    pv v = ARG(0);
    size_t i = 0;
    if (!pv_is(v, T_VECTOR)) return err_type(vm, "vector-ref", "vector", v);
    TRY(get_index(vm, "vector-ref", ARG(1), pv_size(v), &i));
    RETURN(SLOT(v, i));
}

int prim_vector_set(pith_vm *vm, int argc) {
    (void)argc;
    pv v = ARG(0);
    size_t i = 0;
    if (!pv_is(v, T_VECTOR)) return err_type(vm, "vector-set!", "vector", v);
    TRY(get_index(vm, "vector-set!", ARG(1), pv_size(v), &i));
    if (pv_has_flag(v, OF_IMMUTABLE)) return err_msg(vm, "error", "vector-set!", "vector is immutable:", v);
    STORE(v, i, ARG(2));
    RETURN(PV_VOID);
}

/* (vector->list v [start [end]]), built back to front. */
int prim_vector_to_list(pith_vm *vm, int argc) {
    size_t start = 0, end = 0;
    if (!pv_is(ARG(0), T_VECTOR)) return err_type(vm, "vector->list", "vector", ARG(0));
    TRY(get_range(vm, "vector->list", argc, 1, pv_size(ARG(0)), &start, &end));
    pv l = PV_NULL;
    GC_SCOPE(vm);
    GC_ROOT(l);
    for (size_t i = end; i > start; i--) TRY(mk_pair(vm, SLOT(ARG(0), i - 1), l, &l));
    RETURN(l);
}

int prim_list_to_vector(pith_vm *vm, int argc) {
    (void)argc;
    long n = list_length(ARG(0));
    pv v;
    if (n < 0) return err_type(vm, "list->vector", "proper list", ARG(0));
    TRY(alloc_vector(vm, "list->vector", (size_t)n, PV_FALSE, &v));
    pv l = ARG(0);  /* re-read: the allocation may have moved it */
    for (long i = 0; i < n; i++, l = CDR(l)) SLOT(v, i) = CAR(l);  /* fresh */
    RETURN(v);
}

/* (vector-fill! v fill [start [end]]) */
int prim_vector_fill(pith_vm *vm, int argc) {
    pv v = ARG(0);
    size_t start = 0, end = 0;
    if (!pv_is(v, T_VECTOR)) return err_type(vm, "vector-fill!", "vector", v);
    TRY(get_range(vm, "vector-fill!", argc, 2, pv_size(v), &start, &end));
    if (pv_has_flag(v, OF_IMMUTABLE)) return err_msg(vm, "error", "vector-fill!", "vector is immutable:", v);
    pv x = ARG(1);
    for (size_t i = start; i < end; i++) STORE(v, i, x);
    RETURN(PV_VOID);
}

/* (vector-copy v [start [end]]) */
int prim_vector_copy(pith_vm *vm, int argc) {
    size_t start = 0, end = 0;
    pv r;
    if (!pv_is(ARG(0), T_VECTOR)) return err_type(vm, "vector-copy", "vector", ARG(0));
    TRY(get_range(vm, "vector-copy", argc, 1, pv_size(ARG(0)), &start, &end));
    TRY(mk_vector(vm, end - start, PV_FALSE, &r));
    /* r is fresh (nursery, or old and already remembered): no barrier. */
    MEMCPY(&SLOT(r, 0), &SLOT(ARG(0), start), (end - start) * sizeof(pv));
    RETURN(r);
}

/* (vector-copy! to at from [start [end]]): overlapping ranges of the same
 * vector are copied as if through a temporary (R7RS 6.8). */
int prim_vector_copy_to(pith_vm *vm, int argc) {
    pv to = ARG(0), from = ARG(2);
    size_t at = 0, start = 0, end = 0;
    if (!pv_is(to, T_VECTOR)) return err_type(vm, "vector-copy!", "vector", to);
    if (!pv_is(from, T_VECTOR)) return err_type(vm, "vector-copy!", "vector", from);
    TRY(get_index(vm, "vector-copy!", ARG(1), pv_size(to) + 1, &at));
    TRY(get_range(vm, "vector-copy!", argc, 3, pv_size(from), &start, &end));
    size_t n = end - start;
    if (n > pv_size(to) - at) return err_range(vm, "vector-copy!", ARG(1));
    if (pv_has_flag(to, OF_IMMUTABLE)) return err_msg(vm, "error", "vector-copy!", "vector is immutable:", to);
    if (to == from && at > start) {
        for (size_t i = n; i > 0; i--) STORE(to, at + i - 1, SLOT(from, start + i - 1));
    } else {
        for (size_t i = 0; i < n; i++) STORE(to, at + i, SLOT(from, start + i));
    }
    RETURN(PV_VOID);
}

int prim_vector_append(pith_vm *vm, int argc) {
    size_t total = 0;
    pv r;
    for (int i = 0; i < argc; i++) {
        if (!pv_is(ARG(i), T_VECTOR)) return err_type(vm, "vector-append", "vector", ARG(i));
        total += pv_size(ARG(i));  /* each < 2^30 and argc < 2^31: no overflow */
    }
    TRY(alloc_vector(vm, "vector-append", total, PV_FALSE, &r));
    size_t k = 0;
    for (int i = 0; i < argc; i++) {  /* r is fresh: no barrier */
        size_t n = pv_size(ARG(i));
        MEMCPY(&SLOT(r, k), &SLOT(ARG(i), 0), n * sizeof(pv));
        k += n;
    }
    RETURN(r);
}
