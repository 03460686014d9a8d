/* error.c -- error conditions raised by the core, and a tiny formatter.
 *
 * A core function that fails builds a CONDITION, stores it in vm->r.exn
 * and returns PITH_ERROR; the interpreter then raises it in Scheme.
 * Messages are written to read well followed by the irritants, which the
 * printer separates with spaces: "car: expected a pair, got 5".
 *
 * SPDX-License-Identifier: MIT
 */
#include "vm.h"

static size_t put_str(char *buf, size_t cap, size_t n, const char *s) {
    while (*s) {
        if (n + 1 < cap) buf[n] = *s;
        n++;
        s++;
    }
    return n;
}

static size_t put_int(char *buf, size_t cap, size_t n, int64_t v, bool is_unsigned) {
    char tmp[24];
    int k = 0;
    uint64_t u = (!is_unsigned && v < 0) ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do { tmp[k++] = (char)('0' + u % 10); u /= 10; } while (u);
    if (!is_unsigned && v < 0) tmp[k++] = '-';
    while (k) {
        if (n + 1 < cap) buf[n] = tmp[k - 1];
        n++;
        k--;
    }
    return n;
}

size_t fmt(char *buf, size_t cap, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    size_t n = 0;
    for (; *f; f++) {
        if (*f != '%') {
            if (n + 1 < cap) buf[n] = *f;
            n++;
            continue;
        }
        f++;
        if (*f == 's') n = put_str(buf, cap, n, va_arg(ap, const char *));
        else if (*f == 'd') n = put_int(buf, cap, n, va_arg(ap, int), false);
        else if (*f == 'u') n = put_int(buf, cap, n, va_arg(ap, unsigned), true);
        else if (f[0] == 'l' && f[1] == 'd') { f++; n = put_int(buf, cap, n, va_arg(ap, long), false); }
        else if (f[0] == 'z' && f[1] == 'u') { f++; n = put_int(buf, cap, n, (int64_t)va_arg(ap, size_t), true); }
        else if (*f == '%') { if (n + 1 < cap) buf[n] = '%'; n++; }
        else break;
    }
    va_end(ap);
    if (cap) buf[n < cap ? n : cap - 1] = 0;
    return n;
}

int mk_condition(pith_vm *vm, const char *kind, pv msg, pv irritants, pv *out) {
    pv k = PV_FALSE, c;
    GC_SCOPE(vm);
    GC_ROOT3(msg, irritants, k);
    TRY(sym_intern(vm, kind, c_strlen(kind), &k));
    TRY(gc_alloc(vm, T_CONDITION, COND_SIZE, &c));
    SLOT(c, COND_KIND) = k;
    SLOT(c, COND_MESSAGE) = msg;
    SLOT(c, COND_IRRITANTS) = irritants;
    SLOT(c, COND_LOC) = PV_FALSE;
    SLOT(c, COND_TRACE) = PV_NULL;
    SLOT(c, COND_PAYLOAD) = PV_FALSE;
    *out = c;
    return PITH_OK;
}

/* Build the condition; on failure to allocate, fall back to the
 * preallocated heap-exhausted condition. */
static int raise3(pith_vm *vm, const char *kind, const char *msg, pv i1, pv i2, pv i3) {
    pv m = PV_FALSE, irr = PV_NULL, c;
    GC_SCOPE(vm);
    GC_ROOT3(i1, i2, i3);
    GC_ROOT2(m, irr);
    if (str_from_c(vm, msg, &m)) return err_oom(vm);
    if (i3 && mk_pair(vm, i3, irr, &irr)) return err_oom(vm);
    if (i2 && mk_pair(vm, i2, irr, &irr)) return err_oom(vm);
    if (i1 && mk_pair(vm, i1, irr, &irr)) return err_oom(vm);
    if (mk_condition(vm, kind, m, irr, &c)) return err_oom(vm);
    vm->r.exn = c;
    return PITH_ERROR;
}

int err_raise(pith_vm *vm, const char *kind, const char *msg, pv i1, pv i2, pv i3) {
    return raise3(vm, kind, msg, i1, i2, i3);
}

static const char *article(const char *what) {
    char c = what[0];
    return (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') ? "an" : "a";
}

int err_type(pith_vm *vm, const char *who, const char *expected, pv got) {
    char buf[160];
    fmt(buf, sizeof buf, "%s: expected %s %s, got", who, article(expected), expected);
    return raise3(vm, "type-error", buf, got, 0, 0);
}

int err_range(pith_vm *vm, const char *who, pv got) {
    char buf[160];
    fmt(buf, sizeof buf, "%s: argument out of range:", who);
    return raise3(vm, "range-error", buf, got, 0, 0);
}

/* irritant PV_FALSE (or NOIRR) means none. */
int err_msg(pith_vm *vm, const char *kind, const char *who, const char *msg, pv irritant) {
    char buf[200];
    if (who) fmt(buf, sizeof buf, "%s: %s", who, msg);
    else fmt(buf, sizeof buf, "%s", msg);
    return raise3(vm, kind, buf, irritant == PV_FALSE ? NOIRR : irritant, 0, 0);
}

int err_oom(pith_vm *vm) {
    vm->r.exn = vm->r.oom;
    return PITH_ERROR;
}
