/* mkboot.c -- builds the boot image at build time.
 *
 *   mkboot OUT.img BOOT0.scm FILE.scm ...
 *
 * Starts a VM with no image (boot_cold), compiles BOOT0.scm form by form
 * with the stage-0 compiler (it may use core forms only), then hands each
 * further file to the Scheme procedure %boot-load that BOOT0.scm defines
 * (which expands with whatever expander is current), calls %boot-finish,
 * and saves the heap as an image.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../src/core/vm.h"
#include "../hosts/posix/posix_host.h"

static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) { perror(path); exit(1); }
    buf[len] = 0;
    fclose(f);
    *n = (size_t)len;
    return buf;
}

static void die_error(pith_vm *vm, const char *what) {
    obuf o = {0, 0, 0};
    cond_report(vm, vm->r.exn, &o, true);
    fprintf(stderr, "mkboot: %s failed:\n%.*s", what, (int)o.n, (char *)o.p);
    exit(1);
}

/* Run a closure or procedure with args to completion. */
static void run(pith_vm *vm, pv proc, int argc, pv *argv, const char *what) {
    if (vm_setup_call(vm, proc, argc, argv)) die_error(vm, what);
    vm->blocking = true;
    int s = vm_run(vm);
    if (s == PITH_ERROR) die_error(vm, what);
    if (s != PITH_OK) { fprintf(stderr, "mkboot: %s: status %d\n", what, s); exit(1); }
    vm_reset(vm);
}

static pv global(pith_vm *vm, const char *name) {
    pv sym;
    if (sym_intern(vm, name, strlen(name), &sym)) die_error(vm, name);
    pv b = env_lookup(vm, vm->r.system_env, sym);
    if (!pv_is(b, T_CELL) || SLOT(b, CELL_VALUE) == PV_UNBOUND) {
        fprintf(stderr, "mkboot: %s is not defined by the boot files\n", name);
        exit(1);
    }
    return SLOT(b, CELL_VALUE);
}

static void build(pith_vm *vm, int argc, char **argv);

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: mkboot OUT.img BOOT0.scm [FILE.scm ...]\n");
        return 2;
    }
    posix_host *ph = posix_host_new(argc, argv);
    pith_options opts;
    memset(&opts, 0, sizeof opts);
    opts.size = sizeof opts;
    opts.gc_stress = getenv("PITH_GC_STRESS") != NULL;
    opts.max_compile_depth = 2000;
    pith_status status;
    char err[256];
    pith_vm *vm = vm_new(posix_host_get(ph), &opts, &status, err, sizeof err);
    if (!vm) { fprintf(stderr, "mkboot: %s\n", err); return 1; }
    if (boot_cold(vm)) die_error(vm, "cold boot");
    build(vm, argc, argv);
    pith_close(vm);
    posix_host_free(ph);
    return 0;
}

/* Everything between the cold boot and pith_close, so the GC scope of its
 * locals ends while the VM is open. */
static void build(pith_vm *vm, int argc, char **argv) {
    /* Stage 0: the first file, compiled form by form. */
    size_t n;
    char *text = slurp(argv[2], &n);
    pv src = PV_FALSE, datum = PV_FALSE, code = PV_FALSE, clo = PV_FALSE, file = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT3(src, datum, code);
    GC_ROOT2(clo, file);
    if (str_from_utf8(vm, (uint8_t *)text, n, &src)) die_error(vm, "reading");
    free(text);
    if (str_from_c(vm, argv[2], &file)) die_error(vm, "reading");
    STORE(vm->r.files, 1, file);
    vm->next_file = 2;
    read_state st = {0, 1, 0, 1, false, -1};
    for (;;) {
        int rs;
        if (read_datum(vm, src, &st, &rs, &datum)) die_error(vm, argv[2]);
        if (rs == RD_EOF) break;
        if (rs == RD_INCOMPLETE) { fprintf(stderr, "mkboot: %s: unexpected end of file\n", argv[2]); exit(1); }
        if (compile_toplevel(vm, datum, vm->r.system_env, &code)) die_error(vm, argv[2]);
        if (gc_alloc(vm, T_CLOSURE, 1, &clo)) die_error(vm, argv[2]);
        CLO_CODE(clo) = code;
        run(vm, clo, 0, 0, argv[2]);
    }
    /* The rest through %boot-load. */
    pv args[2] = {PV_FALSE, PV_FALSE};
    GC_ROOT2(args[0], args[1]);
    for (int i = 3; i < argc; i++) {
        text = slurp(argv[i], &n);
        if (str_from_utf8(vm, (uint8_t *)text, n, &args[0])) die_error(vm, argv[i]);
        free(text);
        if (str_from_c(vm, argv[i], &args[1])) die_error(vm, argv[i]);
        run(vm, global(vm, "%boot-load"), 2, args, argv[i]);
    }
    run(vm, global(vm, "%boot-finish"), 0, 0, "%boot-finish");
    /* A collection first, so the image holds only what is reachable. */
    gc_collect(vm, 0, true);
    if (vm_init_stack(vm)) die_error(vm, "reset");
    obuf img = {0, 0, 0};
    if (image_save(vm, &img)) die_error(vm, "saving the image");
    FILE *f = fopen(argv[1], "wb");
    if (!f || fwrite(img.p, 1, img.n, f) != img.n || fclose(f)) { perror(argv[1]); exit(1); }
    fprintf(stderr, "mkboot: wrote %s (%zu bytes)\n", argv[1], img.n);
    obuf_free(vm, &img);
}
