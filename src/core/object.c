/* object.c -- constructors, lists, equivalence, and the symbol table.
 *
 * SPDX-License-Identifier: MIT
 */
#include "vm.h"
#include "number.h"

int mk_pair(pith_vm *vm, pv car, pv cdr, pv *out) {
    GC_SCOPE(vm);
    GC_ROOT2(car, cdr);
    TRY(gc_alloc(vm, T_PAIR, 2, out));
    CAR(*out) = car;
    CDR(*out) = cdr;
    return PITH_OK;
}

int mk_pair_loc(pith_vm *vm, pv car, pv cdr, pv loc, pv *out) {
    GC_SCOPE(vm);
    GC_ROOT2(car, cdr);
    TRY(gc_alloc(vm, T_PAIR, 3, out));
    CAR(*out) = car;
    CDR(*out) = cdr;
    PAIR_LOC(*out) = loc;
    return PITH_OK;
}

int mk_vector(pith_vm *vm, size_t n, pv fill, pv *out) {
    GC_SCOPE(vm);
    GC_ROOT(fill);
    TRY(gc_alloc(vm, T_VECTOR, n, out));
    pv *s = &SLOT(*out, 0);
    for (size_t i = 0; i < n; i++) s[i] = fill;
    return PITH_OK;
}

int mk_flonum(pith_vm *vm, double d, pv *out) {
    TRY(gc_alloc(vm, T_FLONUM, 1, out));
    MEMCPY(pv_raw(*out, 0), &d, 8);
    return PITH_OK;
}

int mk_box(pith_vm *vm, pv v, pv *out) {
    GC_SCOPE(vm);
    GC_ROOT(v);
    TRY(gc_alloc(vm, T_BOX, 1, out));
    BOX_VAL(*out) = v;
    return PITH_OK;
}

int mk_cell(pith_vm *vm, pv name, pv value, pv *out) {
    GC_SCOPE(vm);
    GC_ROOT2(name, value);
    TRY(gc_alloc(vm, T_CELL, CELL_SIZE, out));
    SLOT(*out, CELL_VALUE) = value;
    SLOT(*out, CELL_NAME) = name;
    SLOT(*out, CELL_FLAGS) = pv_from_fix(0);
    SLOT(*out, CELL_OWNER) = PV_FALSE;
    return PITH_OK;
}

int mk_bytevector(pith_vm *vm, size_t n, pv *out) {
    TRY(gc_alloc(vm, T_BYTEVECTOR, 1 + (n + 7) / 8, out));
    BV_LEN(*out) = pv_from_fix((int64_t)n);
    return PITH_OK;
}

int mk_values(pith_vm *vm, size_t n, pv *out) {
    TRY(gc_alloc(vm, T_VALUES, n, out));
    for (size_t i = 0; i < n; i++) SLOT(*out, i) = PV_VOID;
    return PITH_OK;
}

int mk_list(pith_vm *vm, size_t n, const pv *elts, pv *out) {
    /* elts must not move: callers pass rooted storage or non-pointers. */
    pv l = PV_NULL;
    GC_SCOPE(vm);
    GC_ROOT(l);
    for (size_t i = n; i-- > 0;) TRY(mk_pair(vm, elts[i], l, &l));
    *out = l;
    return PITH_OK;
}

long list_length(pv l) {
    long n = 0;
    pv slow = l;
    while (pv_is_pair(l)) {
        l = CDR(l);
        n++;
        if (!pv_is_pair(l)) break;
        l = CDR(l);
        n++;
        slow = CDR(slow);
        if (l == slow) return -1;
    }
    return l == PV_NULL ? n : -1;
}

int list_reverse(pith_vm *vm, pv l, pv *out) {
    pv r = PV_NULL;
    GC_SCOPE(vm);
    GC_ROOT2(l, r);
    while (pv_is_pair(l)) {
        TRY(mk_pair(vm, CAR(l), r, &r));
        l = CDR(l);
    }
    *out = r;
    return PITH_OK;
}

/* ---- equivalence ---- */

bool pv_eqv(pv a, pv b) {
    if (a == b) return true;
    if (!pv_is_ptr(a) || !pv_is_ptr(b)) return false;
    if (num_is_number(a)) return num_eqv(a, b);
    return false;
}

/* equal? walks both structures with an explicit stack (no C recursion, no
 * heap allocation, so addresses are stable during the walk).  After a
 * budget of steps it also records the pairs of objects it has started to
 * compare, and treats a pair seen again as equal: that makes it terminate
 * on circular structures (R7RS 6.1). */
typedef struct eq_work {
    pith_vm *vm;
    pv *stack;          /* pairs of values still to compare */
    size_t n, cap;      /* entries (values) in stack */
    pv local[256];      /* the first entries, on the C stack */
    uint64_t *seen;     /* open-addressing set of (a, b) address pairs */
    size_t seen_cap, seen_n;
} eq_work;

static bool eq_push(eq_work *w, pv a, pv b) {
    if (w->n + 2 > w->cap) {
        size_t ncap = w->cap * 2;
        pv *ns = host_alloc(w->vm, ncap * sizeof(pv));
        if (!ns) return false;
        MEMCPY(ns, w->stack, w->n * sizeof(pv));
        if (w->stack != w->local) host_free(w->vm, w->stack, w->cap * sizeof(pv));
        w->stack = ns;
        w->cap = ncap;
    }
    w->stack[w->n++] = a;
    w->stack[w->n++] = b;
    return true;
}

/* Insert (a, b) into the seen set; returns 1 if it was new, 0 if present,
 * -1 when out of memory. */
static int eq_seen(eq_work *w, pv a, pv b) {
    if (w->seen_n * 2 >= w->seen_cap) {
        size_t ncap = w->seen_cap ? w->seen_cap * 2 : 4096;
        uint64_t *ns = host_alloc(w->vm, ncap * 2 * sizeof(uint64_t));
        if (!ns) return -1;
        MEMSET(ns, 0, ncap * 2 * sizeof(uint64_t));
        for (size_t i = 0; i < w->seen_cap; i++) {
            uint64_t x = w->seen[2 * i], y = w->seen[2 * i + 1];
            if (!x) continue;
            size_t h = (size_t)((x * 0x9e3779b97f4a7c15ull) ^ (y * 0xc2b2ae3d27d4eb4full)) & (ncap - 1);
            while (ns[2 * h]) h = (h + 1) & (ncap - 1);
            ns[2 * h] = x;
            ns[2 * h + 1] = y;
        }
        host_free(w->vm, w->seen, w->seen_cap * 2 * sizeof(uint64_t));
        w->seen = ns;
        w->seen_cap = ncap;
    }
    size_t h = (size_t)((a * 0x9e3779b97f4a7c15ull) ^ (b * 0xc2b2ae3d27d4eb4full)) & (w->seen_cap - 1);
    while (w->seen[2 * h]) {
        if (w->seen[2 * h] == a && w->seen[2 * h + 1] == b) return 0;
        h = (h + 1) & (w->seen_cap - 1);
    }
    w->seen[2 * h] = a;
    w->seen[2 * h + 1] = b;
    w->seen_n++;
    return 1;
}

int pv_equal(pith_vm *vm, pv a, pv b, bool *out) {
    eq_work w;
    w.vm = vm;
    w.stack = w.local;
    w.n = 0;
    w.cap = 256;
    w.seen = 0;
    w.seen_cap = w.seen_n = 0;
    bool result = true, oom = false;
    size_t steps = 0;
    eq_push(&w, a, b);
    while (w.n) {
        pv y = w.stack[--w.n];
        pv x = w.stack[--w.n];
        for (;;) {  /* loop on the last component instead of pushing it */
            if (x == y || pv_eqv(x, y)) break;
            int t = pv_type(x);
            if (t == T_NONE || t != pv_type(y)) { result = false; goto done; }
            if (++steps > 100000 && (t == T_PAIR || t == T_VECTOR)) {
                int s = eq_seen(&w, x, y);
                if (s < 0) { oom = true; goto done; }
                if (s == 0) break;
            }
            if (t == T_PAIR) {
                if (!eq_push(&w, CAR(x), CAR(y))) { oom = true; goto done; }
                x = CDR(x);
                y = CDR(y);
                continue;
            }
            if (t == T_VECTOR) {
                size_t n = pv_size(x);
                if (n != pv_size(y)) { result = false; goto done; }
                if (n == 0) break;
                for (size_t i = 0; i + 1 < n; i++)
                    if (!eq_push(&w, SLOT(x, i), SLOT(y, i))) { oom = true; goto done; }
                x = SLOT(x, n - 1);
                y = SLOT(y, n - 1);
                continue;
            }
            if (t == T_STRING) {
                if (!str_eq(x, y)) { result = false; goto done; }
                break;
            }
            if (t == T_BYTEVECTOR) {
                size_t n = (size_t)pv_fix(BV_LEN(x));
                if (n != (size_t)pv_fix(BV_LEN(y)) || MEMCMP(bv_bytes(x), bv_bytes(y), n)) {
                    result = false;
                    goto done;
                }
                break;
            }
            result = false;
            goto done;
        }
    }
done:
    if (w.stack != w.local) host_free(vm, w.stack, w.cap * sizeof(pv));
    host_free(vm, w.seen, w.seen_cap * 2 * sizeof(uint64_t));
    if (oom) return err_oom(vm);
    *out = result;
    return PITH_OK;
}

/* ---- symbols: a weak, open-addressing table (gc.c sweeps it) ----
 * Empty slots hold #f, deleted ones PV_DEFAULT. */

int sym_table_init(pith_vm *vm) {
    TRY(mk_vector(vm, 4096, PV_FALSE, &vm->r.symtab));
    vm->symcount = vm->symused = 0;
    return PITH_OK;
}

static uint32_t hash_utf8(const uint8_t *s, size_t n) {
    uint32_t h = 2166136261u;
    size_t i = 0;
    while (i < n) {
        uint32_t c;
        i += utf8_decode(s + i, n - i, &c);
        h = (h ^ c) * 16777619u;
    }
    return h & 0x3fffffff;
}

static bool name_eq_utf8(pv str, const uint8_t *s, size_t n) {
    size_t len = str_len(str), i = 0, k = 0;
    while (i < n) {
        uint32_t c;
        i += utf8_decode(s + i, n - i, &c);
        if (k >= len || str_ref(str, k) != c) return false;
        k++;
    }
    return k == len;
}

/* Insert symbol sym (not present) into the table, growing it first. */
static int sym_insert(pith_vm *vm, pv sym) {
    GC_SCOPE(vm);
    GC_ROOT(sym);
    size_t cap = pv_size(vm->r.symtab);
    if ((vm->symused + 1) * 4 > cap * 3) {
        size_t ncap = vm->symcount * 2 + 16 > cap / 2 ? cap * 2 : cap;
        pv nt;
        TRY(mk_vector(vm, ncap, PV_FALSE, &nt));
        pv old = vm->r.symtab;
        for (size_t i = 0; i < cap; i++) {
            pv s = SLOT(old, i);
            if (!pv_is_ptr(s)) continue;
            size_t h = (size_t)pv_fix(SYM_HASH(s)) & (ncap - 1);
            while (SLOT(nt, h) != PV_FALSE) h = (h + 1) & (ncap - 1);
            pv_store(vm, nt, &SLOT(nt, h), s);
        }
        vm->r.symtab = nt;
        vm->symused = vm->symcount;
        cap = ncap;
    }
    pv tab = vm->r.symtab;
    size_t h = (size_t)pv_fix(SYM_HASH(sym)) & (cap - 1);
    while (pv_is_ptr(SLOT(tab, h))) h = (h + 1) & (cap - 1);
    if (SLOT(tab, h) == PV_FALSE) vm->symused++;
    pv_store(vm, tab, &SLOT(tab, h), sym);
    vm->symcount++;
    pv_set_flag(sym, OF_INTERNED);
    return PITH_OK;
}

int sym_intern(pith_vm *vm, const char *utf8, size_t len, pv *out) {
    const uint8_t *s = (const uint8_t *)utf8;
    uint32_t hash = hash_utf8(s, len);
    pv tab = vm->r.symtab;
    size_t cap = pv_size(tab);
    size_t h = hash & (cap - 1);
    for (;;) {
        pv e = SLOT(tab, h);
        if (e == PV_FALSE) break;
        if (pv_is_ptr(e) && pv_fix(SYM_HASH(e)) == hash && name_eq_utf8(SYM_NAME(e), s, len)) {
            *out = e;
            return PITH_OK;
        }
        h = (h + 1) & (cap - 1);
    }
    pv name = PV_FALSE, sym = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT2(name, sym);
    TRY(str_from_utf8(vm, s, len, &name));
    pv_set_flag(name, OF_IMMUTABLE);
    TRY(gc_alloc(vm, T_SYMBOL, 2, &sym));
    SYM_NAME(sym) = name;
    SYM_HASH(sym) = pv_from_fix(hash);
    TRY(sym_insert(vm, sym));
    *out = sym;
    return PITH_OK;
}

int sym_intern_str(pith_vm *vm, pv str, pv *out) {
    uint32_t hash = str_hash(str);
    pv tab = vm->r.symtab;
    size_t cap = pv_size(tab);
    size_t h = hash & (cap - 1);
    for (;;) {
        pv e = SLOT(tab, h);
        if (e == PV_FALSE) break;
        if (pv_is_ptr(e) && pv_fix(SYM_HASH(e)) == hash && str_eq(SYM_NAME(e), str)) {
            *out = e;
            return PITH_OK;
        }
        h = (h + 1) & (cap - 1);
    }
    pv name = PV_FALSE, sym = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT3(str, name, sym);
    size_t n = str_len(str);
    TRY(str_new(vm, n, str_wide(str) ? 0x100 : 0, &name));
    for (size_t i = 0; i < n; i++) str_set(vm, name, i, str_ref(str, i));
    pv_set_flag(name, OF_IMMUTABLE);
    TRY(gc_alloc(vm, T_SYMBOL, 2, &sym));
    SYM_NAME(sym) = name;
    SYM_HASH(sym) = pv_from_fix(hash);
    TRY(sym_insert(vm, sym));
    *out = sym;
    return PITH_OK;
}

int sym_gensym(pith_vm *vm, pv name, pv *out) {
    GC_SCOPE(vm);
    GC_ROOT(name);
    pv sym;
    TRY(gc_alloc(vm, T_SYMBOL, 2, &sym));
    SYM_NAME(sym) = name;
    SYM_HASH(sym) = pv_from_fix(str_hash(name));
    *out = sym;
    return PITH_OK;
}

int sym_table_rebuild(pith_vm *vm) {
    /* Images carry the table; nothing to do while the hash function is
     * part of the image format. */
    (void)vm;
    return PITH_OK;
}
