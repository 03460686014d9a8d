/* embed.c -- embedding Pith in a C program.
 *
 * Build (after `make`):
 *   cc -Iinclude examples/embed.c build/libpith.a -lm -o embed
 * or, installed:  cc embed.c $(pkg-config --cflags --libs pith)
 *
 * It shows: a minimal host (memory and a console), opening a VM,
 * evaluating code, calling a Scheme procedure with C values, defining a C
 * primitive, handles and scopes, errors, fuel and the heap limit.
 * docs/embedding.md walks through it.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pith.h"

/* ---- a minimal host: memory, clocks and a console on stdio ---- */

static void *mem_alloc(void *ctx, size_t size) {
    (void)ctx;
    return aligned_alloc(16, (size + 15) & ~(size_t)15);
}
static void mem_free(void *ctx, void *p, size_t size) {
    (void)ctx;
    (void)size;
    free(p);
}
static int64_t clock_mono(void *ctx) {
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
static int64_t clock_wall(void *ctx) {
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
static long con_write(void *ctx, int stream, const uint8_t *buf, size_t n) {
    (void)ctx;
    return (long)fwrite(buf, 1, n, stream == PITH_CONSOLE_ERR ? stderr : stdout);
}
static long con_read(void *ctx, uint8_t *buf, size_t n) {
    (void)ctx;
    (void)buf;
    (void)n;
    return PITH_HOST_EOF;  /* this program gives Scheme no input */
}

static const pith_host_memory memory = {sizeof memory, mem_alloc, mem_free};
static const pith_host_clock clocks = {sizeof clocks, clock_mono, clock_wall};
static const pith_host_console console = {sizeof console, con_write, con_read, NULL, NULL};

static const pith_host host = {
    .size = sizeof host,
    .version = PITH_HOST_VERSION,
    .ctx = NULL,
    .memory = &memory,
    .clock = &clocks,
    .console = &console,
    /* no process, storage, network, display or input: Scheme code that
     * asks for them gets a clear error */
};

/* ---- a C primitive: (c-hypot x y) ---- */

static pith_status c_hypot(pith_vm *vm, int argc, const pith_value *argv, pith_value *result, void *data) {
    (void)argc;
    (void)data;
    int ok1, ok2;
    double x = pith_to_float(vm, argv[0], &ok1), y = pith_to_float(vm, argv[1], &ok2);
    if (!ok1 || !ok2) return pith_raise(vm, "c-hypot: expected two numbers", 2, argv);
    double h = x * x + y * y, r = h;
    for (int i = 0; i < 60 && r > 0; i++) r = 0.5 * (r + h / r);  /* Newton */
    *result = pith_float(vm, r);
    return PITH_OK;
}

static void check(pith_vm *vm, pith_status s, const char *what) {
    if (s == PITH_OK) return;
    fprintf(stderr, "%s failed:\n%s", what, pith_error_report(vm));
    exit(1);
}

int main(void) {
    pith_status status;
    char err[256];
    pith_vm *vm = pith_open(&host, NULL, &status, err, sizeof err);
    if (!vm) {
        fprintf(stderr, "cannot open a VM: %s\n", err);
        return 1;
    }

    /* 1. Evaluate code; the result comes back as a handle. */
    pith_value v;
    check(vm, pith_eval_string(vm, "(define (square x) (* x x)) (square 12)", "example", &v), "eval");
    int ok;
    printf("(square 12) = %lld\n", (long long)pith_to_int(vm, v, &ok));

    /* 2. Call a Scheme procedure with C values. */
    pith_scope scope = pith_scope_begin(vm);
    pith_value square, arg = pith_int(vm, 7);
    check(vm, pith_lookup(vm, "square", &square), "lookup");
    check(vm, pith_call(vm, square, 1, &arg, &v), "call");
    printf("(square 7) = %lld\n", (long long)pith_to_int(vm, v, &ok));
    pith_scope_end(vm, scope);  /* releases square, arg and v */

    /* 3. Strings and lists cross the API. */
    check(vm, pith_eval_string(vm, "(map string-upcase '(\"pith\" \"λ\"))", NULL, &v), "map");
    char buf[128];
    pith_write_to_utf8(vm, v, buf, sizeof buf);
    printf("upcased: %s (a list of %ld)\n", buf, pith_list_length(vm, v));

    /* 4. A primitive written in C. */
    check(vm, pith_define_primitive(vm, "c-hypot", c_hypot, 2, 2, NULL), "define-primitive");
    check(vm, pith_eval_string(vm, "(c-hypot 3 4)", NULL, &v), "c-hypot");
    printf("(c-hypot 3 4) = %g\n", pith_to_float(vm, v, &ok));

    /* 5. Errors come back as a status and a description; the VM goes on. */
    status = pith_eval_string(vm, "(car '())", "bad.scm", &v);
    printf("(car '()) -> status %d, message: %s, location: %s\n", status, pith_error_message(vm),
           pith_error_location(vm) ? pith_error_location(vm) : "?");
    status = pith_eval_string(vm, "(c-hypot 'a 1)", NULL, &v);
    printf("(c-hypot 'a 1) -> %s\n", pith_error_message(vm));
    status = pith_eval_string(vm, "(guard (e (#t (error-object-message e))) (c-hypot 1 \"x\"))", NULL, &v);
    pith_write_to_utf8(vm, v, buf, sizeof buf);
    printf("caught in Scheme: %s\n", buf);

    /* 6. Fuel: a runaway loop becomes a catchable error. */
    pith_set_fuel(vm, 100000);
    status = pith_eval_string(vm, "(let loop () (loop))", NULL, &v);
    printf("endless loop with fuel -> status %d: %s\n", status, pith_error_message(vm));
    pith_set_fuel(vm, -1);

    /* 7. The heap limit: a program that needs too much memory stops. */
    pith_set_heap_limit(vm, 32u << 20);
    status = pith_eval_string(vm, "(let loop ((l '())) (loop (cons (make-vector 100) l)))", NULL, &v);
    printf("unbounded allocation with a 32 MiB limit -> status %d: %s\n", status, pith_error_message(vm));
    pith_set_heap_limit(vm, 0);

    /* 8. Persistent handles outlive scopes until released. */
    check(vm, pith_eval_string(vm, "(list 1 2 3)", NULL, &v), "list");
    pith_value keep = pith_persist(vm, v);
    check(vm, pith_eval_string(vm, "(let loop ((i 0)) (if (< i 100000) (begin (make-vector 10) (loop (+ i 1)))))", NULL, &v), "gc");
    pith_write_to_utf8(vm, keep, buf, sizeof buf);
    printf("kept across collections: %s\n", buf);
    pith_release(vm, keep);

    /* 9. Output from Scheme goes through the host's console. */
    check(vm, pith_eval_string(vm, "(display \"hello from Scheme\") (newline)", NULL, &v), "display");

    pith_close(vm);
    return 0;
}
