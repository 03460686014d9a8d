/* fuzz_host.h -- a minimal host for the fuzz harnesses: memory from
 * malloc, a fake clock, no console (output is dropped), no storage.  A
 * panic (a bug the VM detected in itself) aborts, so the fuzzer reports it.
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../include/pith.h"
#include "../../include/pith/host.h"

static void *fz_alloc(void *ctx, size_t n) {
    (void)ctx;
    void *p = NULL;
    if (posix_memalign(&p, 16, n ? n : 16)) return NULL;
    return p;
}
static void fz_free(void *ctx, void *p, size_t n) { (void)ctx; (void)n; free(p); }
static int64_t fz_now;
static int64_t fz_mono(void *ctx) { (void)ctx; return fz_now += 1000; }
static int64_t fz_wall(void *ctx) { (void)ctx; return 1700000000000000000ll + (fz_now += 1000); }
static void fz_panic(void *ctx, const char *msg) {
    (void)ctx;
    fprintf(stderr, "panic: %s\n", msg);
    abort();
}
static const pith_host_memory fz_memory = {sizeof(pith_host_memory), fz_alloc, fz_free};
static const pith_host_clock fz_clock = {sizeof(pith_host_clock), fz_mono, fz_wall};

static const pith_host *fuzz_host(void) {
    static pith_host h;
    if (!h.size) {
        h.size = sizeof h;
        h.version = PITH_HOST_VERSION;
        h.memory = &fz_memory;
        h.clock = &fz_clock;
        h.panic = fz_panic;
    }
    return &h;
}

static pith_vm *fuzz_open(const void *image, size_t n) {
    pith_options o;
    memset(&o, 0, sizeof o);
    o.size = sizeof o;
    o.image = image;
    o.image_size = n;
    o.heap_limit = (size_t)64 << 20;
    o.max_compile_depth = 200;
    pith_status st;
    char err[300];
    return pith_open(fuzz_host(), &o, &st, err, sizeof err);
}
