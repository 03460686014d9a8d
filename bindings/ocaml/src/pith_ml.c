/* pith_ml.c -- the C side of Pith's OCaml bindings.
 *
 * A pith_host whose functions call into OCaml through the stubs that
 * ctypes' Cstubs_inverted generates (pith_cb_stubs.h, from
 * desc/pith_cb_desc.ml), passing the OCaml host's number; OCaml catches
 * every exception of a host function and answers an error code, so no
 * OCaml exception ever unwinds through Pith's C frames.  Memory comes from
 * malloc (the C library of the platform: glibc here, ocaml-solo5's libc in a
 * MirageOS unikernel); everything else is the OCaml host's.  Arguments,
 * environment and features are copied here, since the host interface hands
 * out strings that must live as long as the VM.
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>
#include "pith_ml.h"
#include "pith/host.h"
#include "pith_cb_stubs.h"

typedef struct ml_host {
    pith_host host;
    pith_host_memory memory;
    pith_host_clock clock;
    pith_host_console console;
    pith_host_process process;
    pith_host_storage storage;
    int id;
    int interactive;
    int nargs, nenv;
    char **args, **env;
    char *features;
} ml_host;

#define ID(ctx) (((ml_host *)(ctx))->id)

static void set_msg(char *err, size_t cap, const char *msg) {
    size_t n = strlen(msg);
    if (!cap) return;
    if (n >= cap) n = cap - 1;
    memcpy(err, msg, n);
    err[n] = 0;
}

/* malloc's blocks are 16-byte aligned on 64-bit targets (glibc, and the
 * dlmalloc of ocaml-solo5's nolibc), as the host interface asks. */
static void *m_alloc(void *ctx, size_t size) {
    (void)ctx;
    return malloc(size ? size : 16);
}

static char *copy_string(const char *s) {
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, s, n);
    return c;
}
static void m_free(void *ctx, void *p, size_t size) { (void)ctx; (void)size; free(p); }
static int64_t c_mono(void *ctx) { return pith_cb_clock(ID(ctx), 0); }
static int64_t c_wall(void *ctx) { return pith_cb_clock(ID(ctx), 1); }
static long k_write(void *ctx, int stream, const uint8_t *buf, size_t n) { return pith_cb_console_write(ID(ctx), stream, (uint8_t *)buf, n); }
static long k_read(void *ctx, uint8_t *buf, size_t n) { return pith_cb_console_read(ID(ctx), buf, n); }
static int k_interactive(void *ctx) { return ((ml_host *)ctx)->interactive; }
static int p_argc(void *ctx) { return ((ml_host *)ctx)->nargs - 1; }
static const char *p_arg(void *ctx, int i) {
    ml_host *h = ctx;
    return i >= 0 && i < h->nargs ? h->args[i] : NULL;
}
static const char *p_getenv(void *ctx, const char *name) {
    ml_host *h = ctx;
    size_t n = strlen(name);
    for (int i = 0; i < h->nenv; i++)
        if (!strncmp(h->env[i], name, n) && h->env[i][n] == '=') return h->env[i] + n + 1;
    return NULL;
}
static const char *p_env_entry(void *ctx, int i) {
    ml_host *h = ctx;
    return i >= 0 && i < h->nenv ? h->env[i] : NULL;
}
static void p_exit(void *ctx, int status) { (void)ctx; (void)status; /* an embedded host: the VM reports PITH_EXIT */ }
static int64_t s_open(void *ctx, const char *name, int mode) { return pith_cb_storage_open(ID(ctx), (char *)name, mode); }
static long s_read(void *ctx, int64_t h, uint8_t *buf, size_t n) { return pith_cb_storage_read(ID(ctx), h, buf, n); }
static long s_write(void *ctx, int64_t h, const uint8_t *buf, size_t n) { return pith_cb_storage_write(ID(ctx), h, (uint8_t *)buf, n); }
static int s_seek(void *ctx, int64_t h, int64_t off) { return pith_cb_storage_seek(ID(ctx), h, off); }
static int64_t s_size(void *ctx, int64_t h) { return pith_cb_storage_size(ID(ctx), h); }
static int s_close(void *ctx, int64_t h) { return pith_cb_storage_close(ID(ctx), h); }
static int s_remove(void *ctx, const char *name) { return pith_cb_storage_remove(ID(ctx), (char *)name); }
static int s_exists(void *ctx, const char *name) { return pith_cb_storage_exists(ID(ctx), (char *)name); }
static long s_list(void *ctx, const char *dir, long i, char *buf, size_t cap) { return pith_cb_storage_list(ID(ctx), (char *)dir, i, buf, cap); }
static int h_wait(void *ctx, int64_t deadline) { return pith_cb_wait(ID(ctx), deadline); }

static char **split(const char *s, int n) {
    char **v = calloc((size_t)n + 1, sizeof *v);
    if (!v) return NULL;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(s);
        v[i] = malloc(len + 1);
        if (!v[i]) {
            while (i-- > 0) free(v[i]);
            free(v);
            return NULL;
        }
        memcpy(v[i], s, len + 1);
        s += len + 1;
    }
    return v;
}

static void free_strings(char **v, int n) {
    if (!v) return;
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}

static void host_free(ml_host *h) {
    if (!h) return;
    free_strings(h->args, h->nargs);
    free_strings(h->env, h->nenv);
    free(h->features);
    free(h);
}

static ml_host *host_new(int id, const char *args, int nargs, const char *env, int nenv, const char *features,
                         int has_storage, int has_wait, int interactive) {
    ml_host *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->id = id;
    h->interactive = interactive;
    h->nargs = nargs;
    h->nenv = nenv;
    h->args = split(args, nargs);
    h->env = split(env, nenv);
    h->features = copy_string(features ? features : "ocaml");
    if (!h->args || !h->env || !h->features) { host_free(h); return NULL; }
    h->memory = (pith_host_memory){sizeof h->memory, m_alloc, m_free};
    h->clock = (pith_host_clock){sizeof h->clock, c_mono, c_wall};
    h->console = (pith_host_console){sizeof h->console, k_write, k_read, k_interactive, NULL};
    h->process = (pith_host_process){sizeof h->process, p_argc, p_arg, p_getenv, p_env_entry, p_exit};
    h->storage = (pith_host_storage){sizeof h->storage, s_open, s_read, s_write, s_seek, s_size, s_close, s_remove, s_exists, s_list};
    h->host.size = sizeof h->host;
    h->host.version = PITH_HOST_VERSION;
    h->host.ctx = h;
    h->host.memory = &h->memory;
    h->host.clock = &h->clock;
    h->host.console = &h->console;
    h->host.process = &h->process;
    h->host.storage = has_storage ? &h->storage : NULL;
    h->host.wait = has_wait ? h_wait : NULL;
    h->host.features = h->features;
    return h;
}

/* The VM's host is found again from its console's context. */
static ml_host *host_of(pith_vm *vm);

typedef struct vm_entry { pith_vm *vm; ml_host *host; struct vm_entry *next; } vm_entry;
static vm_entry *vms;   /* VMs opened here (few): vm -> host */

static ml_host *host_of(pith_vm *vm) {
    for (vm_entry *e = vms; e; e = e->next)
        if (e->vm == vm) return e->host;
    return NULL;
}

static pith_vm *remember(pith_vm *vm, ml_host *h) {
    vm_entry *e = vm ? malloc(sizeof *e) : NULL;
    if (!e) {
        if (vm) pith_close(vm);
        host_free(h);
        return NULL;
    }
    e->vm = vm;
    e->host = h;
    e->next = vms;
    vms = e;
    return vm;
}

/* The host, then the VM: from opts (pith_open) or from a file (path). */
static pith_vm *open_with(intptr_t host_id, const char *args, int nargs, const char *env, int nenv,
                          const char *features, int has_storage, int has_wait, int interactive,
                          const pith_options *opts, const char *path, int *status, char *err, size_t errcap) {
    ml_host *h = host_new((int)host_id, args, nargs, env, nenv, features, has_storage, has_wait, interactive);
    if (!h) {
        *status = PITH_NO_MEMORY;
        set_msg(err, errcap, "no memory for the host");
        return NULL;
    }
    pith_status st = PITH_OK;
    pith_vm *vm = path ? pith_load_image(&h->host, NULL, path, &st, err, errcap) : pith_open(&h->host, opts, &st, err, errcap);
    *status = (int)st;
    if (!vm) { host_free(h); return NULL; }
    return remember(vm, h);
}

pith_vm *pith_ml_open(intptr_t host_id, const char *args, int nargs, const char *env, int nenv,
                      const char *features, int has_storage, int has_wait, int interactive,
                      const char *image, size_t image_len, size_t heap_limit, int gc_stress,
                      int *status, char *err, size_t errcap) {
    pith_options o;
    memset(&o, 0, sizeof o);
    o.size = sizeof o;
    o.image = image;
    o.image_size = image ? image_len : 0;
    o.heap_limit = heap_limit;
    o.gc_stress = gc_stress;
    return open_with(host_id, args, nargs, env, nenv, features, has_storage, has_wait, interactive, &o, NULL,
                     status, err, errcap);
}

pith_vm *pith_ml_load_image(intptr_t host_id, const char *args, int nargs, const char *env, int nenv,
                            const char *features, int has_storage, int has_wait, int interactive,
                            const char *path, int *status, char *err, size_t errcap) {
    return open_with(host_id, args, nargs, env, nenv, features, has_storage, has_wait, interactive, NULL, path,
                     status, err, errcap);
}

void pith_ml_close(pith_vm *vm) {
    for (vm_entry **pp = &vms; *pp; pp = &(*pp)->next)
        if ((*pp)->vm == vm) {
            vm_entry *e = *pp;
            *pp = e->next;
            pith_close(vm);
            host_free(e->host);
            free(e);
            return;
        }
}

intptr_t pith_ml_host_id(pith_vm *vm) {
    ml_host *h = vm ? host_of(vm) : NULL;
    return h ? h->id : -1;
}

static pith_status trampoline(pith_vm *vm, int argc, const pith_value *argv, pith_value *result, void *data) {
    ml_host *h = host_of(vm);
    if (!h) return pith_raise(vm, "an OCaml primitive of a closed host", 0, NULL);
    *result = PITH_NONE;
    return (pith_status)pith_cb_prim(h->id, vm, (int)(intptr_t)data, argc, (uint64_t *)argv, result);
}

int pith_ml_define_primitive(pith_vm *vm, const char *name, intptr_t prim_id, int min_args, int max_args) {
    return (int)pith_define_primitive(vm, name, trampoline, min_args, max_args, (void *)prim_id);
}

int pith_ml_eval(pith_vm *vm, const char *src, const char *name, uint64_t *result) {
    return (int)pith_eval_string(vm, src, name, result);
}
int pith_ml_call(pith_vm *vm, uint64_t proc, int argc, const uint64_t *argv, uint64_t *result) {
    return (int)pith_call(vm, proc, argc, argv, result);
}
int pith_ml_lookup(pith_vm *vm, const char *name, uint64_t *result) { return (int)pith_lookup(vm, name, result); }
int pith_ml_run(pith_vm *vm, int64_t budget, uint64_t *result) { return (int)pith_run(vm, budget, result); }
int pith_ml_resume(pith_vm *vm, uint64_t *result) { return (int)pith_resume(vm, result); }
int pith_ml_load(pith_vm *vm, const char *path, uint64_t *result) { return (int)pith_load(vm, path, result); }
uint64_t pith_ml_string(pith_vm *vm, const char *bytes, size_t len) { return pith_string(vm, bytes, len); }

static int copy_out(long n, pith_vm *vm, uint64_t v, char **out, size_t *len,
                    long (*fn)(pith_vm *, pith_value, char *, size_t)) {
    *out = NULL;
    *len = 0;
    if (n < 0) return -1;
    char *b = malloc((size_t)n + 1);
    if (!b) return -1;
    fn(vm, v, b, (size_t)n + 1);
    *out = b;
    *len = (size_t)n;
    return 0;
}
int pith_ml_to_utf8(pith_vm *vm, uint64_t v, char **out, size_t *len) {
    return copy_out(pith_to_utf8(vm, v, NULL, 0), vm, v, out, len, pith_to_utf8);
}
int pith_ml_write_to_utf8(pith_vm *vm, uint64_t v, char **out, size_t *len) {
    return copy_out(pith_write_to_utf8(vm, v, NULL, 0), vm, v, out, len, pith_write_to_utf8);
}
void pith_ml_free(char *p) { free(p); }
