/* test_api.c -- tests of the embedding API (include/pith.h).
 *
 * Every function of pith.h is called, including its error paths: bad
 * arguments, handles of another VM, errors raised in Scheme and in C
 * primitives, fuel, the heap limit, interrupts, slices, and many values
 * held through handles across collections.  Prints "N passed, M failed"
 * last.  An optional argument scales the heavy parts down (ASan, stress).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../../include/pith.h"
#include "../../src/core/value.h"
#include "../../hosts/posix/posix_host.h"

static int passed, failed;

#define CHECK(cond, ...) do { \
        if (cond) passed++; \
        else { failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } \
    } while (0)

static pith_vm *open_vm(posix_host *h, size_t heap_limit) {
    pith_options o;
    memset(&o, 0, sizeof o);
    o.size = sizeof o;
    o.heap_limit = heap_limit;
    o.gc_stress = getenv("PITH_GC_STRESS") != NULL;
    pith_status s;
    char err[200];
    pith_vm *vm = pith_open(posix_host_get(h), &o, &s, err, sizeof err);
    if (!vm) {
        printf("cannot open a VM: %s\n", err);
        exit(1);
    }
    return vm;
}

static long eval_int(pith_vm *vm, const char *src) {
    pith_value v;
    if (pith_eval_string(vm, src, "test", &v) != PITH_OK) return -999999;
    int ok;
    long n = (long)pith_to_int(vm, v, &ok);
    return ok ? n : -999998;
}

/* a primitive that adds its integer arguments */
static pith_status c_sum(pith_vm *vm, int argc, const pith_value *argv, pith_value *result, void *data) {
    long total = data ? *(long *)data : 0;
    for (int i = 0; i < argc; i++) {
        int ok;
        total += (long)pith_to_int(vm, argv[i], &ok);
        if (!ok) return pith_raise(vm, "c-sum: not an integer:", 1, &argv[i]);
    }
    *result = pith_int(vm, total);
    return PITH_OK;
}

/* a primitive that tries to re-enter the VM (must be refused) */
static pith_status c_reenter(pith_vm *vm, int argc, const pith_value *argv, pith_value *result, void *data) {
    (void)argc;
    (void)argv;
    (void)data;
    pith_value v;
    pith_status s = pith_eval_string(vm, "1", NULL, &v);
    *result = pith_int(vm, s);
    return PITH_OK;
}

/* a primitive returning nothing (unspecified) */
static pith_status c_nothing(pith_vm *vm, int argc, const pith_value *argv, pith_value *result, void *data) {
    (void)vm;
    (void)argc;
    (void)argv;
    (void)data;
    (void)result;
    return PITH_OK;
}

/* a primitive that fails without raising properly */
static pith_status c_bad(pith_vm *vm, int argc, const pith_value *argv, pith_value *result, void *data) {
    (void)vm;
    (void)argc;
    (void)argv;
    (void)data;
    (void)result;
    return PITH_MISUSE;
}

static void test_values(pith_vm *vm) {
    pith_scope sc = pith_scope_begin(vm);
    int ok;
    pith_value i = pith_int(vm, -42);
    CHECK(pith_type_of(vm, i) == PITH_T_INT, "int type");
    CHECK(pith_to_int(vm, i, &ok) == -42 && ok, "int value");
    pith_value f = pith_float(vm, 2.5);
    CHECK(pith_type_of(vm, f) == PITH_T_FLOAT && pith_to_float(vm, f, &ok) == 2.5 && ok, "float");
    CHECK(pith_to_float(vm, i, &ok) == -42.0 && ok, "int as float");
    CHECK(pith_to_int(vm, f, &ok) == 0 && !ok, "float 2.5 is not an int");
    pith_value b = pith_bool(vm, 1);
    CHECK(pith_type_of(vm, b) == PITH_T_BOOL && pith_is_true(vm, b), "bool");
    CHECK(!pith_is_true(vm, pith_bool(vm, 0)), "false");
    CHECK(pith_is_true(vm, pith_int(vm, 0)), "0 is true in Scheme");
    pith_value c = pith_char(vm, 0x3bb);
    CHECK(pith_type_of(vm, c) == PITH_T_CHAR && pith_to_char(vm, c, &ok) == 0x3bb && ok, "char");
    CHECK(pith_char(vm, 0xd800) == PITH_NONE, "surrogate is not a char");
    pith_value s = pith_string(vm, "héllo λ", strlen("héllo λ"));
    char buf[64];
    CHECK(pith_type_of(vm, s) == PITH_T_STRING, "string type");
    CHECK(pith_to_utf8(vm, s, buf, sizeof buf) == (long)strlen("héllo λ") && !strcmp(buf, "héllo λ"), "string round trip");
    CHECK(pith_to_utf8(vm, s, buf, 4) == (long)strlen("héllo λ") && !strcmp(buf, "hé"), "truncated at a character: %s", buf);
    pith_value sym = pith_symbol(vm, "abc");
    CHECK(pith_type_of(vm, sym) == PITH_T_SYMBOL && pith_eq(vm, sym, pith_symbol(vm, "abc")), "symbols are interned");
    pith_value l = pith_cons(vm, i, pith_cons(vm, s, pith_null(vm)));
    CHECK(pith_type_of(vm, l) == PITH_T_PAIR && pith_list_length(vm, l) == 2, "list");
    CHECK(pith_to_int(vm, pith_car(vm, l), &ok) == -42, "car");
    CHECK(pith_car(vm, i) == PITH_NONE, "car of a non-pair");
    pith_value elts[3] = {i, f, b};
    pith_value v = pith_vector(vm, 3, elts);
    CHECK(pith_vector_length(vm, v) == 3 && pith_to_float(vm, pith_vector_ref(vm, v, 1), &ok) == 2.5, "vector");
    CHECK(pith_vector_ref(vm, v, 3) == PITH_NONE, "vector-ref out of range");
    CHECK(pith_write_to_utf8(vm, v, buf, sizeof buf) > 0 && !strcmp(buf, "#(-42 2.5 #t)"), "write: %s", buf);
    CHECK(pith_type_of(vm, pith_void(vm)) == PITH_T_VOID, "void");
    CHECK(pith_to_utf8(vm, i, buf, sizeof buf) == -1, "to_utf8 of an int");
    pith_value big = pith_int(vm, INT64_MAX);
    CHECK(big != PITH_NONE, "a large integer");
    pith_scope_end(vm, sc);
    CHECK(pith_type_of(vm, i) == PITH_T_OTHER, "a handle is dead after its scope ends");
}

static void test_eval(pith_vm *vm) {
    CHECK(eval_int(vm, "(+ 1 2)") == 3, "eval");
    CHECK(eval_int(vm, "(define x 40) (+ x 2)") == 42, "define then use");
    pith_value v;
    CHECK(pith_lookup(vm, "x", &v) == PITH_OK && pith_type_of(vm, v) == PITH_T_INT, "lookup");
    CHECK(pith_lookup(vm, "no-such-thing", &v) == PITH_ERROR, "lookup of an unbound name");
    CHECK(strstr(pith_error_message(vm), "unbound") != NULL, "its message: %s", pith_error_message(vm));
    CHECK(pith_define(vm, "y", pith_int(vm, 5)) == PITH_OK && eval_int(vm, "(* y 2)") == 10, "define from C");
    CHECK(pith_eval_string(vm, "", NULL, &v) == PITH_OK, "empty source");
    CHECK(pith_eval_string(vm, "(car 5)", "t.scm", &v) == PITH_ERROR, "error status");
    CHECK(strstr(pith_error_message(vm), "car") != NULL, "message: %s", pith_error_message(vm));
    CHECK(pith_error_location(vm) && !strcmp(pith_error_location(vm), "t.scm:1:1"), "location: %s",
          pith_error_location(vm) ? pith_error_location(vm) : "(none)");
    CHECK(strstr(pith_error_report(vm), "car: expected a pair, got 5") != NULL, "report: %s", pith_error_report(vm));
    pith_value irr = pith_error_irritants(vm);
    int ok;
    CHECK(pith_list_length(vm, irr) == 1 && pith_to_int(vm, pith_car(vm, irr), &ok) == 5, "irritants");
    CHECK(pith_error_object(vm) != PITH_NONE, "error object");
    CHECK(pith_eval_string(vm, "(define (f x) (g x)) (define (g x) (vector-ref x 9)) (f (vector))", "bt.scm", &v) == PITH_ERROR, "nested error");
    CHECK(strstr(pith_error_backtrace(vm), "in g") && strstr(pith_error_backtrace(vm), "bt.scm"), "backtrace: %s", pith_error_backtrace(vm));
    CHECK(pith_eval_string(vm, "(raise 'oops)", NULL, &v) == PITH_ERROR && strstr(pith_error_report(vm), "oops"), "raise of a non-condition: %s", pith_error_report(vm));
    CHECK(pith_eval_string(vm, "(error \"bad thing:\" 1 \"two\")", NULL, &v) == PITH_ERROR &&
          strstr(pith_error_report(vm), "bad thing: 1 \"two\""), "error with irritants: %s", pith_error_report(vm));
    CHECK(pith_eval_string(vm, "(1 2", "u.scm", &v) == PITH_ERROR && strstr(pith_error_report(vm), "read"), "incomplete source: %s", pith_error_report(vm));
    CHECK(pith_eval_string(vm, "(exit 7)", NULL, &v) == PITH_EXIT && pith_exit_status(vm) == 7, "exit");
    CHECK(eval_int(vm, "(+ 1 1)") == 2, "the VM goes on after errors and exit");
    CHECK(pith_eval_string(vm, NULL, NULL, &v) == PITH_MISUSE, "NULL source");
}

static void test_calls(pith_vm *vm) {
    pith_scope sc = pith_scope_begin(vm);
    pith_value add, v, args[3];
    CHECK(pith_lookup(vm, "+", &add) == PITH_OK, "lookup +");
    args[0] = pith_int(vm, 1);
    args[1] = pith_int(vm, 2);
    args[2] = pith_float(vm, 0.5);
    int ok;
    CHECK(pith_call(vm, add, 3, args, &v) == PITH_OK && pith_to_float(vm, v, &ok) == 3.5, "call a primitive");
    CHECK(pith_eval_string(vm, "(lambda (a b) (list b a))", NULL, &v) == PITH_OK, "a lambda");
    pith_value lam = v, r;
    CHECK(pith_call(vm, lam, 2, args, &r) == PITH_OK && pith_list_length(vm, r) == 2, "call a closure");
    CHECK(pith_call(vm, lam, 1, args, &r) == PITH_ERROR && strstr(pith_error_message(vm), "wrong number"), "arity error: %s", pith_error_message(vm));
    CHECK(pith_call(vm, args[0], 0, NULL, &r) == PITH_ERROR && strstr(pith_error_message(vm), "non-procedure"), "call a number");
    CHECK(pith_call(vm, PITH_NONE, 0, NULL, &r) == PITH_MISUSE, "call an invalid handle");
    CHECK(pith_call(vm, lam, 2, NULL, &r) == PITH_MISUSE, "NULL arguments");
    /* many arguments */
    pith_value many[100];
    for (int i = 0; i < 100; i++) many[i] = pith_int(vm, i);
    CHECK(pith_call(vm, add, 100, many, &r) == PITH_OK && pith_to_int(vm, r, &ok) == 4950, "100 arguments");
    /* 5000 arguments need a new stack segment (an allocation) while they
     * are copied; the last is a fresh string that must not be lost. */
    pith_value *lots = malloc(5000 * sizeof(pith_value));
    for (int i = 0; i < 4999; i++) lots[i] = pith_int(vm, 1);
    lots[4999] = pith_string(vm, "last", 4);
    pith_value lastproc;
    CHECK(pith_eval_string(vm, "(lambda args (list-ref args 4999))", NULL, &lastproc) == PITH_OK, "a variadic lambda");
    CHECK(pith_call(vm, lastproc, 5000, lots, &r) == PITH_OK && pith_type_of(vm, r) == PITH_T_STRING &&
          pith_to_utf8(vm, r, NULL, 0) == 4, "5000 arguments, the last a string");
    free(lots);
    pith_scope_end(vm, sc);
}

static void test_primitives(pith_vm *vm) {
    long base = 1000;
    CHECK(pith_define_primitive(vm, "c-sum", c_sum, 0, -1, &base) == PITH_OK, "define c-sum");
    CHECK(eval_int(vm, "(c-sum 1 2 3)") == 1006, "call c-sum");
    CHECK(eval_int(vm, "(apply c-sum (iota 10))") == 1045, "apply c-sum");
    pith_value v;
    CHECK(pith_eval_string(vm, "(c-sum 1 'x)", NULL, &v) == PITH_ERROR && strstr(pith_error_report(vm), "c-sum: not an integer: x"), "c-sum error: %s", pith_error_report(vm));
    CHECK(eval_int(vm, "(guard (e (#t 77)) (c-sum \"no\"))") == 77, "C errors are Scheme conditions");
    CHECK(pith_define_primitive(vm, "c-two", c_sum, 2, 2, NULL) == PITH_OK, "define c-two");
    CHECK(pith_eval_string(vm, "(c-two 1)", NULL, &v) == PITH_ERROR && strstr(pith_error_message(vm), "wrong number"), "primitive arity");
    CHECK(pith_define_primitive(vm, "c-reenter", c_reenter, 0, 0, NULL) == PITH_OK, "define c-reenter");
    CHECK(eval_int(vm, "(c-reenter)") == PITH_MISUSE, "re-entering the VM from a primitive is refused");
    CHECK(pith_define_primitive(vm, "c-nothing", c_nothing, 0, 0, NULL) == PITH_OK, "define c-nothing");
    CHECK(pith_eval_string(vm, "(c-nothing)", NULL, &v) == PITH_OK && pith_type_of(vm, v) == PITH_T_VOID, "no result is unspecified");
    CHECK(pith_define_primitive(vm, "c-bad", c_bad, 0, 0, NULL) == PITH_OK, "define c-bad");
    CHECK(pith_eval_string(vm, "(c-bad)", NULL, &v) == PITH_ERROR, "a failing primitive gives an error");
    CHECK(pith_define_primitive(vm, "c-x", c_sum, 3, 1, NULL) == PITH_MISUSE, "max < min is refused");
    CHECK(pith_define_primitive(vm, "c-y", NULL, 0, 0, NULL) == PITH_MISUSE, "NULL function is refused");
}

static void test_handles(pith_vm *vm, int scale) {
    /* Many persistent handles across collections. */
    int n = 2000 / scale + 10;
    pith_value *keep = malloc(sizeof(pith_value) * (size_t)n);
    for (int i = 0; i < n; i++) {
        pith_scope sc = pith_scope_begin(vm);
        pith_value v;
        char src[64];
        snprintf(src, sizeof src, "(list %d (make-string 3 #\\a) (vector %d))", i, i);
        pith_eval_string(vm, src, NULL, &v);
        keep[i] = pith_persist(vm, v);
        pith_scope_end(vm, sc);
    }
    pith_value v;
    pith_eval_string(vm, "(let loop ((i 0) (l '())) (if (< i 200000) (loop (+ i 1) (cons i (if (> (length l) 100) '() l))) 0))", NULL, &v);
    int good = 1;
    for (int i = 0; i < n; i++) {
        int ok;
        pith_value first = pith_car(vm, keep[i]);
        if (pith_to_int(vm, first, &ok) != i) good = 0;
    }
    CHECK(good, "persistent handles keep their values across collections");
    for (int i = 0; i < n; i++) pith_release(vm, keep[i]);
    CHECK(pith_type_of(vm, keep[0]) == PITH_T_OTHER, "a released handle is dead");
    pith_value p = pith_persist(vm, PITH_NONE);
    CHECK(p == PITH_NONE, "persist of an invalid handle");
    pith_release(vm, p);
    free(keep);
}

static void test_other_vm(pith_vm *a, pith_vm *b) {
    pith_value v = pith_int(a, 3);
    int ok;
    pith_to_int(b, v, &ok);
    CHECK(!ok, "a handle of another VM is refused");
    pith_value r;
    CHECK(pith_call(b, v, 0, NULL, &r) == PITH_MISUSE, "calling with another VM's handle");
    CHECK(eval_int(a, "(define z 1) z") == 1 && pith_lookup(b, "z", &r) == PITH_ERROR, "VMs are independent");
}

static void test_limits(posix_host *h, int scale) {
    pith_vm *vm = open_vm(h, 0);
    pith_value v;
    pith_set_fuel(vm, 10000);
    CHECK(pith_eval_string(vm, "(let loop () (loop))", NULL, &v) == PITH_ERROR && strstr(pith_error_message(vm), "fuel"), "fuel: %s", pith_error_message(vm));
    pith_set_fuel(vm, 1000000);
    CHECK(eval_int(vm, "(guard (e ((eq? (condition-kind e) 'fuel-exhausted) 5)) (let loop () (loop)))") == 5, "fuel exhaustion is catchable");
    pith_set_fuel(vm, 1000000);
    CHECK(eval_int(vm, "(define after 0) (guard (e (#t (+ after 10))) (dynamic-wind (lambda () #f) (lambda () (let loop () (loop))) (lambda () (set! after 1))))") == 11,
          "fuel exhaustion runs dynamic-wind afters on the way to guard");
    pith_set_fuel(vm, -1);
    CHECK(eval_int(vm, "(let loop ((i 0)) (if (< i 100000) (loop (+ i 1)) i))") == 100000, "unlimited fuel");
    pith_set_heap_limit(vm, (size_t)(scale > 1 ? 16 : 48) << 20);
    CHECK(pith_eval_string(vm, "(let loop ((l '())) (loop (cons (make-vector 64) l)))", NULL, &v) == PITH_ERROR &&
          strstr(pith_error_message(vm), "heap"), "heap limit: %s", pith_error_message(vm));
    CHECK(eval_int(vm, "(guard (e ((eq? (condition-kind e) 'heap-exhausted) 9)) (let loop ((l '())) (loop (cons (make-vector 64) l))))") == 9,
          "heap exhaustion is catchable");
    CHECK(eval_int(vm, "(length (make-list 1000 0))") == 1000, "the VM works after heap exhaustion");
    CHECK(eval_int(vm, "(define hafter 0) (guard (e ((eq? (condition-kind e) 'heap-exhausted) (+ hafter 20))) (dynamic-wind (lambda () #f) (lambda () (let loop ((l '())) (loop (cons (make-vector 64) l)))) (lambda () (set! hafter 2))))") == 22,
          "heap exhaustion runs dynamic-wind afters");
    pith_set_heap_limit(vm, 0);
    /* interrupt: set before a run, seen at the next poll */
    pith_interrupt(vm);
    CHECK(pith_eval_string(vm, "(let loop ((i 0)) (if (< i 100000000) (loop (+ i 1)) i))", NULL, &v) == PITH_ERROR &&
          strstr(pith_error_message(vm), "interrupt"), "interrupt: %s", pith_error_message(vm));
    pith_interrupt(vm);
    CHECK(eval_int(vm, "(guard (e ((eq? (condition-kind e) 'interrupt) 11)) (let loop () (loop)))") == 11, "interrupt is catchable");
    pith_interrupt(vm);
    CHECK(eval_int(vm, "(define iafter 0) (guard (e (#t (+ iafter 30))) (dynamic-wind (lambda () #f) (lambda () (let loop () (loop))) (lambda () (set! iafter 3))))") == 33,
          "an interrupt runs dynamic-wind afters");
    pith_close(vm);
}

static void test_profile(posix_host *h) {
    pith_vm *vm = open_vm(h, 0);
    char buf[4096];
    CHECK(pith_profile_report(vm, buf, sizeof buf) > 0 && strstr(buf, "off"), "report when off: %s", buf);
    CHECK(pith_profile(vm, 1) == PITH_OK, "profiling on");
    CHECK(eval_int(vm, "(define (count-down n) (if (= n 0) 0 (count-down (- n 1)))) (count-down 300000)") == 0, "a profiled run");
    size_t need = pith_profile_report(vm, NULL, 0);
    CHECK(need > 100 && pith_profile_report(vm, buf, sizeof buf) == need, "report length %zu", need);
    CHECK(strstr(buf, "count-down") && strstr(buf, "ENTER") && strstr(buf, "instructions by opcode"), "report: %s", buf);
    char small[16];
    CHECK(pith_profile_report(vm, small, sizeof small) == need && strlen(small) == sizeof small - 1, "truncated to the buffer");
    CHECK(pith_profile(vm, 0) == PITH_OK, "profiling off");
    pith_close(vm);
}

static void test_slices(posix_host *h) {
    pith_vm *vm = open_vm(h, 0);
    pith_value v;
    CHECK(pith_begin_eval(vm, "(let loop ((i 0) (s 0)) (if (< i 1000000) (loop (+ i 1) (+ s i)) s))", NULL) == PITH_OK, "begin_eval");
    int yields = 0;
    pith_status s;
    while ((s = pith_run(vm, 10000, &v)) == PITH_YIELD) yields++;
    int ok;
    CHECK(s == PITH_OK && pith_to_int(vm, v, &ok) == 499999500000L, "sliced result");
    CHECK(yields > 10, "it yielded (%d times)", yields);
    CHECK(pith_run(vm, -1, &v) == PITH_OK || 1, "run after the end");
    pith_value proc;
    pith_eval_string(vm, "(lambda (n) (* n n))", NULL, &proc);
    pith_value arg = pith_int(vm, 12);
    CHECK(pith_begin_call(vm, proc, 1, &arg) == PITH_OK && pith_run(vm, -1, &v) == PITH_OK && pith_to_int(vm, v, &ok) == 144, "begin_call + run");
    pith_close(vm);
}

static void test_misuse(void) {
    pith_value v;
    CHECK(pith_eval_string(NULL, "1", NULL, &v) == PITH_MISUSE, "NULL vm");
    CHECK(pith_int(NULL, 1) == PITH_NONE, "NULL vm value");
    pith_status s;
    char err[100];
    CHECK(pith_open(NULL, NULL, &s, err, sizeof err) == NULL && s == PITH_MISUSE, "NULL host");
    pith_host bad;
    memset(&bad, 0, sizeof bad);
    bad.size = sizeof bad;
    CHECK(pith_open(&bad, NULL, &s, err, sizeof err) == NULL && s == PITH_MISUSE, "host without memory");
}

static void test_bad_image(posix_host *h) {
    pith_options o;
    memset(&o, 0, sizeof o);
    o.size = sizeof o;
    static const char junk[] = "this is not an image at all, not at all, no no no no no no no no";
    o.image = junk;
    o.image_size = sizeof junk;
    pith_status s;
    char err[200];
    CHECK(pith_open(posix_host_get(h), &o, &s, err, sizeof err) == NULL && s == PITH_BAD_IMAGE && strstr(err, "magic"), "bad image: %s", err);
    size_t n;
    const unsigned char *img = pith_boot_image(&n);
    unsigned char *copy = malloc(n);
    memcpy(copy, img, n);
    copy[n / 2] ^= 0x55;
    o.image = copy;
    o.image_size = n;
    CHECK(pith_open(posix_host_get(h), &o, &s, err, sizeof err) == NULL && s == PITH_BAD_IMAGE && strstr(err, "checksum"), "corrupt image: %s", err);
    o.image_size = n / 3;
    CHECK(pith_open(posix_host_get(h), &o, &s, err, sizeof err) == NULL && s == PITH_BAD_IMAGE, "truncated image: %s", err);
    free(copy);
}

/* pith_add_library_path: import finds (apitest lib) in the added directory */
static void test_library_path(pith_vm *vm) {
    char dir[] = "/tmp/pith-api-libXXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    char sub[256], file[300];
    snprintf(sub, sizeof sub, "%s/apitest", dir);
    mkdir(sub, 0700);
    snprintf(file, sizeof file, "%s/lib.sld", sub);
    FILE *f = fopen(file, "w");
    CHECK(f != NULL, "create the library file");
    if (!f) return;
    fputs("(define-library (apitest lib) (export answer) (import (scheme base)) (begin (define answer 42)))\n", f);
    fclose(f);
    pith_value v;
    CHECK(pith_eval_string(vm, "(import (apitest lib))", NULL, &v) == PITH_ERROR &&
          strstr(pith_error_report(vm), "apitest/lib.sld"), "not found before: %s", pith_error_report(vm));
    CHECK(pith_add_library_path(vm, dir, 1) == PITH_OK, "add at the end");
    CHECK(eval_int(vm, "(import (apitest lib)) answer") == 42, "found after");
    CHECK(eval_int(vm, "(length (library-directories))") >= 2, "listed");
    CHECK(pith_add_library_path(vm, NULL, 0) == PITH_MISUSE, "NULL dir");
    CHECK(pith_add_library_path(vm, "", 0) == PITH_MISUSE, "empty dir");
    CHECK(pith_add_library_path(NULL, dir, 0) == PITH_MISUSE, "NULL vm");
    unlink(file);
    rmdir(sub);
    rmdir(dir);
}

/* pith_save_image, then pith_open of its bytes and pith_resume */
static void test_images(posix_host *h) {
    char path[] = "/tmp/pith-api-imgXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    if (fd < 0) return;
    close(fd);
    pith_vm *vm = open_vm(h, 0);
    pith_value v;
    CHECK(eval_int(vm, "(define saved-n 41) (define resumed-count 0) (on-resume (lambda () (set! resumed-count (+ resumed-count 1)))) 0") == 0, "set up");
    CHECK(pith_save_image(vm, path) == PITH_OK, "pith_save_image: %s", pith_error_message(vm));
    CHECK(pith_save_image(vm, "/nonexistent-dir/x.img") == PITH_ERROR && strstr(pith_error_report(vm), "x.img") != NULL &&
          pith_error_object(vm) != PITH_NONE, "saving to a bad place is an error: %s", pith_error_report(vm));
    CHECK(pith_save_image(vm, NULL) == PITH_MISUSE, "NULL path");
    pith_close(vm);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL, "the image file exists");
    if (!f) return;
    static char buf[8 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    CHECK(n > 1000 && n < sizeof buf, "its size (%zu bytes)", n);
    pith_options o;
    memset(&o, 0, sizeof o);
    o.size = sizeof o;
    o.image = buf;
    o.image_size = n;
    pith_status st;
    char err[300];
    pith_vm *vm2 = pith_open(posix_host_get(h), &o, &st, err, sizeof err);
    CHECK(vm2 != NULL, "open the saved image: %s", err);
    if (!vm2) return;
    CHECK(pith_resume(vm2, &v) == PITH_OK, "pith_resume");
    pith_vm *vm2f = pith_load_image(posix_host_get(h), NULL, path, &st, err, sizeof err);
    CHECK(vm2f != NULL, "pith_load_image from the file: %s", err);
    if (vm2f) {
        CHECK(pith_resume(vm2f, &v) == PITH_OK && eval_int(vm2f, "(+ saved-n resumed-count)") == 42, "it resumes");
        pith_close(vm2f);
    }
    CHECK(pith_load_image(posix_host_get(h), NULL, "/nonexistent/x.img", &st, err, sizeof err) == NULL &&
          st == PITH_BAD_IMAGE && strstr(err, "no such file"), "a missing image file: %s", err);
    CHECK(pith_load_image(posix_host_get(h), NULL, NULL, &st, err, sizeof err) == NULL && st == PITH_MISUSE, "NULL path");
    CHECK(eval_int(vm2, "(+ saved-n resumed-count)") == 42, "the definitions and the on-resume thunk");
    pith_close(vm2);
    buf[20] ^= 1;  /* the heap size field */
    pith_vm *vm3 = pith_open(posix_host_get(h), &o, &st, err, sizeof err);
    CHECK(vm3 == NULL && st == PITH_BAD_IMAGE && err[0], "a damaged image: %s", err);
    if (vm3) pith_close(vm3);
    /* an image that refers to a C primitive of the embedder */
    pith_vm *vm4 = open_vm(h, 0);
    CHECK(pith_define_primitive(vm4, "c-sum", c_sum, 0, -1, NULL) == PITH_OK, "define c-sum");
    CHECK(pith_save_image(vm4, path) == PITH_OK, "save with a user primitive");
    pith_close(vm4);
    f = fopen(path, "rb");
    n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f) fclose(f);
    o.image_size = n;
    pith_vm *vm5 = pith_open(posix_host_get(h), &o, &st, err, sizeof err);
    CHECK(vm5 == NULL && st == PITH_BAD_IMAGE && strstr(err, "c-sum"), "missing primitives are named: %s", err);
    if (vm5) pith_close(vm5);
    unlink(path);
}

/* Images with one object made malformed (and the checksum made right
 * again) are refused: lengths past an object's end, the weak flag on a
 * non-vector, a port whose flags do not fit its kind. */
static uint64_t rd64(const uint8_t *p) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = (v << 8) | p[i]; return v; }
static void wr64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void fix_checksum(uint8_t *img, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 64; i < n; i++) h = (h ^ img[i]) * 0x100000001b3ull;
    wr64(img + 32, h);
}
/* offset of the first object of type t in the image, or 0 */
static size_t find_object(const uint8_t *img, size_t n, int t, int nth) {
    size_t roots = (size_t)(img[24] | img[25] << 8);
    size_t at = 64 + 8 * roots + 8;
    while (at + 8 <= n) {
        uint64_t h = rd64(img + at);
        if (((h >> 1) & 0x7f) == (uint64_t)t && nth-- == 0) return at;
        at += 8 + 8 * (size_t)(h >> 34);
    }
    return 0;
}
static void test_hostile_images(posix_host *h) {
    size_t n = 0;
    const uint8_t *boot = pith_boot_image(&n);
    uint8_t *img = malloc(n);
    pith_options o;
    memset(&o, 0, sizeof o);
    o.size = sizeof o;
    o.image = img;
    o.image_size = n;
    pith_status st;
    char err[300];
    struct { int type; int word; uint64_t value; int nth; const char *what; const char *msg; } cases[] = {
        {T_BYTEVECTOR, 1, (1ull << 40) | 1, 0, "a bytevector longer than itself", "malformed object"},
        {T_STRING, 1, (1ull << 40) | 1, 3, "a string longer than its storage", "malformed object"},
        {T_STRING, 0, 0, 5, "the weak flag on a string", "malformed object"},
        {T_PORT, 2, 0, 0, "a port whose flags do not fit its kind", "malformed port"},
        {T_CLOSURE, 1, 0x202, 0, "a closure without code", "malformed object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(img, boot, n);
        size_t at = find_object(img, n, cases[i].type, cases[i].nth);
        CHECK(at != 0, "found an object for: %s", cases[i].what);
        if (!at) continue;
        if (cases[i].word == 0) wr64(img + at, rd64(img + at) | ((uint64_t)0x20 << 8));          /* OF_WEAK */
        else if (cases[i].type == T_PORT) wr64(img + at + 8 * cases[i].word, ((uint64_t)(2 | 8 | 16) << 1) | 1); /* out|bin|open */
        else wr64(img + at + 8 * cases[i].word, cases[i].value);
        fix_checksum(img, n);
        pith_vm *vm = pith_open(posix_host_get(h), &o, &st, err, sizeof err);
        CHECK(vm == NULL && st == PITH_BAD_IMAGE && strstr(err, cases[i].msg), "%s: refused (%s)", cases[i].what, vm ? "loaded!" : err);
        if (vm) pith_close(vm);
    }
    free(img);
}

int main(int argc, char **argv) {
    int scale = argc > 1 ? atoi(argv[1]) : 1;
    if (scale < 1) scale = 1;
    posix_host *h = posix_host_new(1, argv);
    pith_vm *vm = open_vm(h, 0);
    test_values(vm);
    test_eval(vm);
    test_calls(vm);
    test_primitives(vm);
    test_handles(vm, scale);
    test_library_path(vm);
    pith_vm *other = open_vm(h, 0);
    test_other_vm(vm, other);
    pith_close(other);
    pith_close(vm);
    test_limits(h, scale);
    test_slices(h);
    test_profile(h);
    test_misuse();
    test_bad_image(h);
    test_images(h);
    test_hostile_images(h);
    posix_host_free(h);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
