/* api.c -- the embedding API (include/pith.h).
 *
 * Handles are 64-bit: bits 48..63 hold the VM's serial number (so a handle
 * of another VM is refused), bit 32 marks a persistent handle, and the low
 * 32 bits are 1 + an index into the scoped or persistent handle table.
 *
 * SPDX-License-Identifier: MIT
 */
#include "vm.h"
#include "bignum.h"
#include "number.h"

#define H_PERSIST ((uint64_t)1 << 32)

static bool vm_ok(pith_vm *vm) { return vm && vm->magic == VM_MAGIC; }

/* ---- handles ---- */

static pith_value h_make(pith_vm *vm, pv v) {
    if (pvbuf_push(vm, &vm->handles, v)) return PITH_NONE;
    return ((uint64_t)vm->serial << 48) | (uint64_t)vm->handles.n;
}

/* The value of a handle, or 0 when the handle is not valid for vm. */
static pv h_get(pith_vm *vm, pith_value h) {
    if (!vm_ok(vm) || (uint16_t)(h >> 48) != vm->serial) return 0;
    size_t i = (size_t)(h & 0xffffffffu);
    if (h & H_PERSIST) {
        if (i == 0 || i > vm->phandles.n) return 0;
        return vm->phandles.v[i - 1];
    }
    if (i == 0 || i > vm->handles.n) return 0;
    return vm->handles.v[i - 1];
}

pith_scope pith_scope_begin(pith_vm *vm) { return vm_ok(vm) ? (pith_scope)vm->handles.n : 0; }

void pith_scope_end(pith_vm *vm, pith_scope scope) {
    if (vm_ok(vm) && scope <= vm->handles.n) vm->handles.n = scope;
}

pith_value pith_persist(pith_vm *vm, pith_value h) {
    pv v = h_get(vm, h);
    if (!v) return PITH_NONE;
    size_t i;
    for (i = vm->pfree; i < vm->phandles.n; i++)
        if (!vm->phandles.v[i]) break;
    if (i < vm->phandles.n) {
        vm->phandles.v[i] = v;
    } else {
        if (pvbuf_push(vm, &vm->phandles, v)) return PITH_NONE;
        i = vm->phandles.n - 1;
    }
    vm->pfree = i + 1;
    return ((uint64_t)vm->serial << 48) | H_PERSIST | (uint64_t)(i + 1);
}

void pith_release(pith_vm *vm, pith_value h) {
    if (!vm_ok(vm) || !(h & H_PERSIST) || (uint16_t)(h >> 48) != vm->serial) return;
    size_t i = (size_t)(h & 0xffffffffu);
    if (i == 0 || i > vm->phandles.n) return;
    vm->phandles.v[i - 1] = 0;
    if (i - 1 < vm->pfree) vm->pfree = i - 1;
}

/* ---- opening and closing ---- */

static void set_err(pith_status *status, pith_status s, char *err, size_t cap, const char *msg) {
    if (status) *status = s;
    if (err && cap) fmt(err, cap, "%s", msg);
}

pith_vm *vm_new(const pith_host *host, const pith_options *opts, pith_status *status, char *err, size_t errcap) {
    if (!host || host->size < sizeof(pith_host) - 8 * sizeof(void *) || !host->memory || !host->memory->alloc ||
        !host->memory->free) {
        set_err(status, PITH_MISUSE, err, errcap, "the host lends no memory");
        return 0;
    }
    pith_vm *vm = host->memory->alloc(host->ctx, sizeof(pith_vm));
    if (!vm) {
        set_err(status, PITH_NO_MEMORY, err, errcap, "the host has no memory for a VM");
        return 0;
    }
    MEMSET(vm, 0, sizeof *vm);
    vm->host = host;
    vm->hctx = host->ctx;
    vm->magic = VM_MAGIC;
    /* No global counter (no global state): derive it from the address. */
    vm->serial = (uint16_t)(((uintptr_t)vm >> 4) ^ ((uintptr_t)vm >> 20));
    if (!vm->serial) vm->serial = 1;
    pv *r = (pv *)&vm->r;
    for (size_t i = 0; i < VM_NROOTS; i++) r[i] = PV_FALSE;
    vm->fuel = -1;
    vm->budget = -1;
    vm->console_bol = true;
    vm->max_depth = 400;
    size_t nursery = (size_t)1 << 20;
    if (opts && opts->size >= sizeof(uint32_t)) {
        if (opts->nursery_size) nursery = opts->nursery_size;
        vm->gc_stress = opts->gc_stress != 0;
        vm->heap_limit = opts->heap_limit;
        if (opts->max_compile_depth > 0) vm->max_depth = opts->max_compile_depth;
    }
    if (heap_init(vm, nursery)) {
        host->memory->free(host->ctx, vm, sizeof(pith_vm));
        set_err(status, PITH_NO_MEMORY, err, errcap, "the host has no memory for the heap");
        return 0;
    }
    vm->errcap = 8192;
    vm->errtext = host_alloc(vm, vm->errcap);
    if (!vm->errtext) {
        pith_close(vm);
        set_err(status, PITH_NO_MEMORY, err, errcap, "the host has no memory for a VM");
        return 0;
    }
    vm->errtext[0] = 0;
    return vm;
}

pith_vm *pith_open(const pith_host *host, const pith_options *opts, pith_status *status, char *err, size_t errcap) {
    pith_vm *vm = vm_new(host, opts, status, err, errcap);
    if (!vm) return 0;
    const void *img = opts && opts->image ? opts->image : 0;
    size_t n = opts && opts->image ? opts->image_size : 0;
    bool trusted = !img;
    if (!img) img = pith_boot_image(&n);
    if (!img) {
        pith_close(vm);
        set_err(status, PITH_BAD_IMAGE, err, errcap, "no boot image is linked into this program");
        return 0;
    }
    char msg[300];
    msg[0] = 0;
    int s = image_load(vm, img, n, trusted, msg, sizeof msg);
    if (!s) s = vm_init_stack(vm);
    if (s) {
        pith_close(vm);
        set_err(status, PITH_BAD_IMAGE, err, errcap, msg[0] ? msg : "the image could not be loaded");
        return 0;
    }
    if (status) *status = PITH_OK;
    return vm;
}

pith_vm *pith_load_image(const pith_host *host, const pith_options *opts, const char *path,
                         pith_status *status, char *err, size_t errcap) {
    if (!host || !host->memory || !host->memory->alloc || !path) {
        set_err(status, PITH_MISUSE, err, errcap, "pith_load_image needs a host with memory and a path");
        return 0;
    }
    const pith_host_storage *st = host->storage;
    if (!st || !st->open || !st->read || !st->close) {
        set_err(status, PITH_BAD_IMAGE, err, errcap, "this host has no storage to read the image from");
        return 0;
    }
    int64_t h = st->open(host->ctx, path, PITH_OPEN_READ);
    if (h < 0) {
        if (err && errcap) fmt(err, errcap, "%s", h == PITH_HOST_ENOENT ? "no such file" : h == PITH_HOST_EACCES ? "permission denied" : h == PITH_HOST_EISDIR ? "is a directory" : "cannot open it");
        if (status) *status = PITH_BAD_IMAGE;
        return 0;
    }
    /* read it all, growing the buffer */
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = host->memory->alloc(host->ctx, cap);
    long r = 0;
    int spins = 0;
    while (buf) {
        if (n == cap) {
            uint8_t *nb = host->memory->alloc(host->ctx, cap * 2);
            if (nb) MEMCPY(nb, buf, n);
            host->memory->free(host->ctx, buf, cap);
            buf = nb;
            cap *= 2;
            if (!buf) break;
        }
        r = st->read(host->ctx, h, buf + n, cap - n);
        if (r > 0) { n += (size_t)r; spins = 0; }
        else if (r == PITH_HOST_AGAIN && spins++ < 1000000) { if (host->wait) host->wait(host->ctx, -1); }
        else { if (r == PITH_HOST_AGAIN) r = PITH_HOST_EIO; break; }
    }
    st->close(host->ctx, h);
    if (!buf || (r < 0 && r != PITH_HOST_EOF)) {
        if (buf) host->memory->free(host->ctx, buf, cap);
        if (err && errcap) fmt(err, errcap, "%s", buf ? "read error" : "no memory for the image");
        if (status) *status = buf ? PITH_BAD_IMAGE : PITH_NO_MEMORY;
        return 0;
    }
    pith_options o;
    MEMSET(&o, 0, sizeof o);
    if (opts) MEMCPY(&o, opts, opts->size < sizeof o ? opts->size : sizeof o);
    o.size = sizeof o;
    o.image = buf;
    o.image_size = n;
    pith_vm *vm = pith_open(host, &o, status, err, errcap);
    host->memory->free(host->ctx, buf, cap);
    return vm;
}

void pith_close(pith_vm *vm) {
    if (!vm_ok(vm)) return;
    const pith_host *host = vm->host;
    port_close_all(vm);
    profile_stop(vm);
    heap_free(vm);
    tmp_release(vm);
    pvbuf_free(vm, &vm->handles);
    pvbuf_free(vm, &vm->phandles);
    host_free(vm, vm->uprims, vm->capuprims * sizeof(user_prim));
    host_free(vm, vm->errtext, vm->errcap);
    vm->magic = 0;
    host->memory->free(host->ctx, vm, sizeof(pith_vm));
}

/* ---- running ---- */

/* Finish a run: record errors and results. */
static pith_status finish(pith_vm *vm, int s, pith_value *result) {
    vm->blocking = false;
    vm->errtext[0] = 0;
    vm->errparts[0] = -1;
    if (s == PITH_OK) {
        if (result) *result = h_make(vm, vm->r.result);
        vm->r.result = PV_FALSE;
        vm_reset(vm);
        return PITH_OK;
    }
    if (s == PITH_ERROR) {
        vm->r.last_error = vm->r.exn;
        vm->r.exn = PV_FALSE;
        if (vm->heap_state == 2) vm->heap_state = 1;
        vm->fuel_state = 0;
        vm_reset(vm);
    }
    if (s == PITH_EXIT) vm_reset(vm);
    if (result) *result = PITH_NONE;
    return (pith_status)s;
}

/* Run to completion, letting %wait block in the host. */
static pith_status run_blocking(pith_vm *vm, pith_value *result) {
    vm->blocking = true;
    vm->budget = -1;
    int s;
    for (;;) {
        s = vm_run(vm);
        if (s != PITH_WAITING && s != PITH_YIELD) break;
        if (s == PITH_WAITING && vm->host->wait) vm->host->wait(vm->hctx, -1);
    }
    return finish(vm, s, result);
}

/* Code may start running only when nothing runs: not from inside a
 * primitive, and not while a pith_run slice is suspended. */
static pith_status check_idle(pith_vm *vm) {
    if (!vm_ok(vm)) return PITH_MISUSE;
    if (vm->running || vm->in_prim || vm->suspended) return PITH_MISUSE;
    return PITH_OK;
}

static int setup_hook(pith_vm *vm, int hook, int argc, const pv *argv) {
    pv proc = SLOT(vm->r.hooks, hook);
    if (!pv_is(proc, T_CLOSURE)) return err_msg(vm, "error", 0, "the image has no evaluator", PV_FALSE);
    return vm_setup_call(vm, proc, argc, argv);
}

pith_status pith_begin_eval(pith_vm *vm, const char *src, const char *name) {
    if (check_idle(vm) || !src) return PITH_MISUSE;
    pv args[2] = {PV_FALSE, PV_FALSE};
    GC_SCOPE(vm);
    GC_ROOT2(args[0], args[1]);
    if (str_from_c(vm, src, &args[0]) || str_from_c(vm, name ? name : "<string>", &args[1]) ||
        setup_hook(vm, HOOK_EVAL_STRING, 2, args))
        return finish(vm, PITH_ERROR, 0);
    return PITH_OK;
}

pith_status pith_eval_string(pith_vm *vm, const char *src, const char *name, pith_value *result) {
    pith_status s = pith_begin_eval(vm, src, name);
    if (s) {
        if (result) *result = PITH_NONE;
        return s;
    }
    return run_blocking(vm, result);
}

pith_status pith_load(pith_vm *vm, const char *path, pith_value *result) {
    if (check_idle(vm) || !path) return PITH_MISUSE;
    pv arg = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT(arg);
    if (str_from_c(vm, path, &arg) || setup_hook(vm, HOOK_LOAD, 1, &arg)) return finish(vm, PITH_ERROR, result);
    return run_blocking(vm, result);
}

pith_status pith_repl(pith_vm *vm) {
    if (check_idle(vm)) return PITH_MISUSE;
    if (setup_hook(vm, HOOK_REPL, 0, 0)) return finish(vm, PITH_ERROR, 0);
    return run_blocking(vm, 0);
}

/* After pith_open of a saved image: run its on-resume hooks and continue
 * the computation that saved it (save-image returns resumed there), or
 * call main / start the REPL for an image saved by --save-image.  An
 * image saved while idle (pith_save_image) just finishes. */
pith_status pith_resume(pith_vm *vm, pith_value *result) {
    if (check_idle(vm)) return PITH_MISUSE;
    if (setup_hook(vm, HOOK_RESUME, 0, 0)) return finish(vm, PITH_ERROR, result);
    return run_blocking(vm, result);
}

/* Save the VM's heap as an image at path (through the host's storage). */
pith_status pith_save_image(pith_vm *vm, const char *path) {
    if (check_idle(vm) || !path) return PITH_MISUSE;
    pv name = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT(name);
    int s = str_from_c(vm, path, &name);
    if (!s) s = image_save_file(vm, path, name);
    return finish(vm, s, 0);
}

pith_status pith_run_program(pith_vm *vm, const char *path) {
    if (check_idle(vm) || !path) return PITH_MISUSE;
    pv arg = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT(arg);
    if (str_from_c(vm, path, &arg) || setup_hook(vm, HOOK_RUN_PROGRAM, 1, &arg)) return finish(vm, PITH_ERROR, 0);
    return run_blocking(vm, 0);
}

/* vm->r.libpath is (front . back): lists of directory strings searched
 * before and after the program's own directory. */
/* Profiling (profile.c): on resets the counts; the report is text. */
pith_status pith_profile(pith_vm *vm, int on) {
    if (check_idle(vm)) return PITH_MISUSE;
    if (!on) { profile_stop(vm); return PITH_OK; }
    return profile_start(vm) ? PITH_NO_MEMORY : PITH_OK;
}
size_t pith_profile_report(pith_vm *vm, char *buf, size_t cap) {
    if (!vm_ok(vm)) return 0;
    return profile_report(vm, buf, cap);
}

pith_status pith_add_library_path(pith_vm *vm, const char *dir, int at_end) {
    if (check_idle(vm) || !dir || !*dir) return PITH_MISUSE;
    pv s = PV_FALSE, list = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT2(s, list);
    if (!pv_is(vm->r.libpath, T_PAIR) && mk_pair(vm, PV_NULL, PV_NULL, &vm->r.libpath)) return PITH_NO_MEMORY;
    if (str_from_c(vm, dir, &s)) return PITH_NO_MEMORY;
    /* the chosen list with s at its end (copied: lists may be shared) */
    if (mk_pair(vm, s, PV_NULL, &list)) return PITH_NO_MEMORY;
    pv old = at_end ? CDR(vm->r.libpath) : CAR(vm->r.libpath);
    size_t n = 0;
    for (pv p = old; pv_is(p, T_PAIR); p = CDR(p)) n++;
    for (size_t j = n; j-- > 0;) {
        pv p = at_end ? CDR(vm->r.libpath) : CAR(vm->r.libpath);
        for (size_t m = 0; m < j; m++) p = CDR(p);
        if (mk_pair(vm, CAR(p), list, &list)) return PITH_NO_MEMORY;
    }
    pv_store(vm, vm->r.libpath, at_end ? &SLOT(vm->r.libpath, 1) : &SLOT(vm->r.libpath, 0), list);
    return PITH_OK;
}

pith_status pith_begin_call(pith_vm *vm, pith_value proc, int argc, const pith_value *argv) {
    if (check_idle(vm) || argc < 0 || argc > 10000 || (argc && !argv)) return PITH_MISUSE;
    pv p = h_get(vm, proc);
    if (!p) return PITH_MISUSE;
    pv args[16] = {0};
    pv *a = args;
    if (argc > 16) {
        a = host_alloc(vm, (size_t)argc * sizeof(pv));
        if (!a) return finish(vm, err_oom(vm), 0);
    }
    for (int i = 0; i < argc; i++) {
        a[i] = h_get(vm, argv[i]);
        if (!a[i]) {
            if (a != args) host_free(vm, a, (size_t)argc * sizeof(pv));
            return PITH_MISUSE;
        }
    }
    /* The values stay reachable through their handles during setup. */
    int s = vm_setup_call(vm, p, argc, a);
    if (a != args) host_free(vm, a, (size_t)argc * sizeof(pv));
    if (s) return finish(vm, s, 0);
    return PITH_OK;
}

pith_status pith_call(pith_vm *vm, pith_value proc, int argc, const pith_value *argv, pith_value *result) {
    pith_status s = pith_begin_call(vm, proc, argc, argv);
    if (s) {
        if (result) *result = PITH_NONE;
        return s;
    }
    return run_blocking(vm, result);
}

pith_status pith_run(pith_vm *vm, int64_t budget, pith_value *result) {
    if (!vm_ok(vm) || vm->running || vm->in_prim) return PITH_MISUSE;
    vm->blocking = false;
    vm->budget = budget < 0 ? -1 : budget;
    int s = vm_run(vm);
    vm->budget = -1;
    if (s == PITH_YIELD || s == PITH_WAITING) {
        vm->suspended = true;
        if (result) *result = PITH_NONE;
        return (pith_status)s;
    }
    vm->suspended = false;
    return finish(vm, s, result);
}

pith_status pith_lookup(pith_vm *vm, const char *name, pith_value *result) {
    if (check_idle(vm) || !name || !result) return PITH_MISUSE;
    pv sym;
    if (sym_intern(vm, name, c_strlen(name), &sym)) return finish(vm, PITH_ERROR, result);
    pv b = env_lookup(vm, vm->r.interaction_env, sym);
    if (!pv_is(b, T_CELL) || SLOT(b, CELL_VALUE) == PV_UNBOUND) {
        err_raise(vm, "unbound-variable", "unbound variable:", sym, 0, 0);
        return finish(vm, PITH_ERROR, result);
    }
    *result = h_make(vm, SLOT(b, CELL_VALUE));
    return PITH_OK;
}

pith_status pith_define(pith_vm *vm, const char *name, pith_value value) {
    if (check_idle(vm) || !name) return PITH_MISUSE;
    pv v = h_get(vm, value), sym;
    if (!v) return PITH_MISUSE;
    if (sym_intern(vm, name, c_strlen(name), &sym)) return finish(vm, PITH_ERROR, 0);
    v = h_get(vm, value);
    if (env_define(vm, vm->r.interaction_env, sym, v)) return finish(vm, PITH_ERROR, 0);
    return PITH_OK;
}

/* ---- embedder primitives ---- */

pith_status pith_define_primitive(pith_vm *vm, const char *name, pith_cfunc fn, int min_args, int max_args, void *data) {
    if (check_idle(vm) || !name || !fn || min_args < 0 || (max_args >= 0 && max_args < min_args)) return PITH_MISUSE;
    if (vm->nuprims == vm->capuprims) {
        size_t ncap = vm->capuprims ? vm->capuprims * 2 : 64;
        user_prim *n = host_alloc(vm, ncap * sizeof(user_prim));
        if (!n) return finish(vm, err_oom(vm), 0);
        if (vm->nuprims) MEMCPY(n, vm->uprims, vm->nuprims * sizeof(user_prim));
        host_free(vm, vm->uprims, vm->capuprims * sizeof(user_prim));
        vm->uprims = n;
        vm->capuprims = ncap;
    }
    pv sym = PV_FALSE, p;
    GC_SCOPE(vm);
    GC_ROOT(sym);
    if (sym_intern(vm, name, c_strlen(name), &sym) || gc_alloc(vm, T_PRIM, PRIM_SIZE, &p)) return finish(vm, PITH_ERROR, 0);
    SLOT(p, PRIM_NAME) = sym;
    SLOT(p, PRIM_INDEX) = pv_from_fix(PRIM_BUILTIN_COUNT + (int64_t)vm->nuprims);
    SLOT(p, PRIM_MIN) = pv_from_fix(min_args);
    SLOT(p, PRIM_MAX) = pv_from_fix(max_args < 0 ? -1 : max_args);
    vm->uprims[vm->nuprims].fn = fn;
    vm->uprims[vm->nuprims].data = data;
    vm->nuprims++;
    if (env_define(vm, vm->r.interaction_env, sym, p)) return finish(vm, PITH_ERROR, 0);
    return PITH_OK;
}

int api_call_user_prim(pith_vm *vm, size_t i, int argc) {
    if (i >= vm->nuprims) return err_msg(vm, "error", 0, "primitive not defined in this VM (from another image?)", PV_FALSE);
    pith_scope sc = pith_scope_begin(vm);
    pith_value local[16];
    pith_value *argv = local;
    if (argc > 16) {
        argv = host_alloc(vm, (size_t)argc * sizeof(pith_value));
        if (!argv) return err_oom(vm);
    }
    int st = PITH_OK;
    for (int k = 0; k < argc; k++) {
        argv[k] = h_make(vm, ARG(k));
        if (!argv[k]) st = err_oom(vm);
    }
    pith_value result = PITH_NONE;
    if (!st) {
        vm->in_prim++;
        vm->r.exn = PV_FALSE;
        pith_status s = vm->uprims[i].fn(vm, argc, argv, &result, vm->uprims[i].data);
        vm->in_prim--;
        if (s == PITH_OK) {
            pv v = result ? h_get(vm, result) : PV_VOID;
            vm->r.ret = v ? v : PV_VOID;
        } else if (s == PITH_ERROR && pv_is_ptr(vm->r.exn)) {
            st = PITH_ERROR;
        } else {
            st = err_msg(vm, "error", 0, "a host primitive failed", PV_FALSE);
        }
    }
    if (argv != local) host_free(vm, argv, (size_t)argc * sizeof(pith_value));
    pith_scope_end(vm, sc);
    return st;
}

pith_status pith_raise(pith_vm *vm, const char *message, int nirritants, const pith_value *irritants) {
    if (!vm_ok(vm)) return PITH_MISUSE;
    pv msg = PV_FALSE, irr = PV_NULL, c;
    GC_SCOPE(vm);
    GC_ROOT2(msg, irr);
    if (str_from_c(vm, message ? message : "error", &msg)) return PITH_ERROR;
    for (int i = nirritants; i-- > 0;) {
        pv v = irritants ? h_get(vm, irritants[i]) : 0;
        if (!v) v = PV_FALSE;
        if (mk_pair(vm, v, irr, &irr)) return PITH_ERROR;
    }
    if (mk_condition(vm, "error", msg, irr, &c)) return PITH_ERROR;
    vm->r.exn = c;
    return PITH_ERROR;
}

/* ---- values ---- */

static pith_value made(pith_vm *vm, int s, pv v) { return s ? PITH_NONE : h_make(vm, v); }

pith_value pith_int(pith_vm *vm, int64_t n) {
    if (!vm_ok(vm)) return PITH_NONE;
    pv v = PV_FALSE;
    int s_ = int_from_i64(vm, n, &v);
    return made(vm, s_, v);
}
pith_value pith_float(pith_vm *vm, double d) {
    if (!vm_ok(vm)) return PITH_NONE;
    pv f = PV_FALSE;
    int s_ = mk_flonum(vm, d, &f);
    return made(vm, s_, f);
}
pith_value pith_bool(pith_vm *vm, int b) { return vm_ok(vm) ? h_make(vm, pv_bool(b)) : PITH_NONE; }
pith_value pith_char(pith_vm *vm, uint32_t c) {
    if (!vm_ok(vm) || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return PITH_NONE;
    return h_make(vm, pv_from_char(c));
}
pith_value pith_string(pith_vm *vm, const char *utf8, size_t len) {
    if (!vm_ok(vm) || (!utf8 && len)) return PITH_NONE;
    pv s = PV_FALSE;
    int s_ = str_from_utf8(vm, (const uint8_t *)utf8, len, &s);
    return made(vm, s_, s);
}
pith_value pith_symbol(pith_vm *vm, const char *utf8) {
    if (!vm_ok(vm) || !utf8) return PITH_NONE;
    pv s = PV_FALSE;
    int s_ = sym_intern(vm, utf8, c_strlen(utf8), &s);
    return made(vm, s_, s);
}
pith_value pith_null(pith_vm *vm) { return vm_ok(vm) ? h_make(vm, PV_NULL) : PITH_NONE; }
pith_value pith_void(pith_vm *vm) { return vm_ok(vm) ? h_make(vm, PV_VOID) : PITH_NONE; }
pith_value pith_cons(pith_vm *vm, pith_value car, pith_value cdr) {
    pv a = h_get(vm, car), d = h_get(vm, cdr), p = PV_FALSE;
    if (!a || !d) return PITH_NONE;
    int s_ = mk_pair(vm, a, d, &p);
    return made(vm, s_, p);
}
pith_value pith_vector(pith_vm *vm, size_t n, const pith_value *elts) {
    if (!vm_ok(vm) || (n && !elts)) return PITH_NONE;
    for (size_t i = 0; i < n; i++)
        if (!h_get(vm, elts[i])) return PITH_NONE;
    pv v;
    if (mk_vector(vm, n, PV_FALSE, &v)) return PITH_NONE;
    for (size_t i = 0; i < n; i++) SLOT(v, i) = h_get(vm, elts[i]);
    return h_make(vm, v);
}

pith_type pith_type_of(pith_vm *vm, pith_value h) {
    pv v = h_get(vm, h);
    if (!v) return PITH_T_OTHER;
    if (pv_is_fix(v)) return PITH_T_INT;
    if (pv_is_char(v)) return PITH_T_CHAR;
    switch (v) {
    case PV_TRUE: case PV_FALSE: return PITH_T_BOOL;
    case PV_NULL: return PITH_T_NULL;
    case PV_VOID: return PITH_T_VOID;
    case PV_EOF: return PITH_T_EOF;
    default: break;
    }
    switch (pv_type(v)) {
    case T_FLONUM: return PITH_T_FLOAT;
    case T_STRING: return PITH_T_STRING;
    case T_SYMBOL: return PITH_T_SYMBOL;
    case T_PAIR: return PITH_T_PAIR;
    case T_VECTOR: return PITH_T_VECTOR;
    case T_BYTEVECTOR: return PITH_T_BYTEVECTOR;
    case T_CLOSURE: case T_PRIM: case T_CONT: case T_CASELAMBDA: case T_PARAMETER: return PITH_T_PROCEDURE;
    case T_BIGNUM: case T_RATNUM: case T_COMPNUM: return PITH_T_NUMBER;
    default: return PITH_T_OTHER;
    }
}

int64_t pith_to_int(pith_vm *vm, pith_value h, int *ok) {
    pv v = h_get(vm, h);
    int64_t n;
    if (v && int_is(v) && int_to_i64(v, &n)) {
        if (ok) *ok = 1;
        return n;
    }
    if (v && pv_is(v, T_FLONUM)) {
        double d = flo_val(v);
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && (double)(int64_t)d == d) {
            if (ok) *ok = 1;
            return (int64_t)d;
        }
    }
    if (ok) *ok = 0;
    return 0;
}

double pith_to_float(pith_vm *vm, pith_value h, int *ok) {
    pv v = h_get(vm, h);
    double d;
    if (v && num_is_real(v) && !num_to_double(vm, v, &d)) {
        if (ok) *ok = 1;
        return d;
    }
    if (ok) *ok = 0;
    return 0;
}

int pith_is_true(pith_vm *vm, pith_value h) {
    pv v = h_get(vm, h);
    return v && v != PV_FALSE;
}

uint32_t pith_to_char(pith_vm *vm, pith_value h, int *ok) {
    pv v = h_get(vm, h);
    if (v && pv_is_char(v)) {
        if (ok) *ok = 1;
        return pv_char(v);
    }
    if (ok) *ok = 0;
    return 0;
}

long pith_to_utf8(pith_vm *vm, pith_value h, char *buf, size_t cap) {
    pv v = h_get(vm, h);
    if (v && pv_is(v, T_SYMBOL)) v = SYM_NAME(v);
    if (!v || !pv_is(v, T_STRING)) return -1;
    size_t n = str_len(v), bytes = str_utf8_len(v, 0, n);
    if (buf && cap) {
        if (bytes < cap) {
            str_to_utf8(v, 0, n, (uint8_t *)buf);
            buf[bytes] = 0;
        } else {
            /* Copy whole characters that fit. */
            size_t k = 0, i = 0;
            for (; i < n; i++) {
                uint8_t tmp[4];
                size_t l = utf8_encode(str_ref(v, i), tmp);
                if (k + l >= cap) break;
                MEMCPY(buf + k, tmp, l);
                k += l;
            }
            buf[k] = 0;
        }
    }
    return (long)bytes;
}

pith_value pith_car(pith_vm *vm, pith_value h) {
    pv v = h_get(vm, h);
    return v && pv_is_pair(v) ? h_make(vm, CAR(v)) : PITH_NONE;
}
pith_value pith_cdr(pith_vm *vm, pith_value h) {
    pv v = h_get(vm, h);
    return v && pv_is_pair(v) ? h_make(vm, CDR(v)) : PITH_NONE;
}
long pith_list_length(pith_vm *vm, pith_value h) {
    pv v = h_get(vm, h);
    return v ? list_length(v) : -1;
}
long pith_vector_length(pith_vm *vm, pith_value h) {
    pv v = h_get(vm, h);
    return v && pv_is(v, T_VECTOR) ? (long)pv_size(v) : -1;
}
pith_value pith_vector_ref(pith_vm *vm, pith_value h, size_t i) {
    pv v = h_get(vm, h);
    return v && pv_is(v, T_VECTOR) && i < pv_size(v) ? h_make(vm, SLOT(v, i)) : PITH_NONE;
}
long pith_write_to_utf8(pith_vm *vm, pith_value h, char *buf, size_t cap) {
    pv v = h_get(vm, h);
    if (!v) return -1;
    obuf o = {0, 0, 0};
    if (write_obuf(vm, v, WR_WRITE, &o)) {
        obuf_free(vm, &o);
        return -1;
    }
    if (buf && cap) {
        size_t k = o.n < cap ? o.n : cap - 1;
        while (k < o.n && k > 0 && (o.p[k] & 0xc0) == 0x80) k--;  /* whole characters */
        MEMCPY(buf, o.p, k);
        buf[k] = 0;
    }
    long n = (long)o.n;
    obuf_free(vm, &o);
    return n;
}
int pith_eq(pith_vm *vm, pith_value a, pith_value b) {
    pv x = h_get(vm, a), y = h_get(vm, b);
    return x && y && x == y;
}

/* ---- limits ---- */

void pith_set_heap_limit(pith_vm *vm, size_t bytes) {
    if (vm_ok(vm)) {
        vm->heap_limit = bytes;
        vm->heap_state = 0;
    }
}
void pith_set_fuel(pith_vm *vm, int64_t steps) {
    if (vm_ok(vm)) {
        vm->fuel = steps < 0 ? -1 : steps;
        vm->fuel_state = 0;
    }
}
void pith_interrupt(pith_vm *vm) {
    if (vm && vm->magic == VM_MAGIC) vm->interrupt = 1;
}

/* ---- error reports ---- */

/* The report of condition (or raised object) c: "file:line:col: error:
 * message irritants" and a backtrace, one "  in name (file:line:col)" per
 * frame. */
static int put(pith_vm *vm, obuf *o, const char *s) { return obuf_put(vm, o, s, c_strlen(s)); }

static int put_loc(pith_vm *vm, obuf *o, pv loc) {
    if (!pv_is_fix(loc)) return PITH_OK;
    int64_t l = pv_fix(loc);
    int64_t f = loc_file(l);
    pv name = pv_is(vm->r.files, T_VECTOR) && (uint64_t)f < pv_size(vm->r.files) ? SLOT(vm->r.files, f) : PV_FALSE;
    if (pv_is(name, T_STRING)) TRY(write_obuf(vm, name, WR_DISPLAY, o));
    else TRY(put(vm, o, "?"));
    char buf[48];
    fmt(buf, sizeof buf, ":%ld:%ld", (long)loc_line(l), (long)loc_col(l) + 1);
    return put(vm, o, buf);
}

/* Is location loc in one of Pith's own boot files? */
static bool system_loc(pith_vm *vm, pv loc) {
    if (!pv_is_fix(loc) || !pv_is_fix(vm->r.nsysfiles)) return false;
    int64_t f = loc_file(pv_fix(loc));
    return f > 0 && f < pv_fix(vm->r.nsysfiles);
}

int cond_report(pith_vm *vm, pv c, obuf *o, bool with_trace) {
    if (!pv_is(c, T_CONDITION)) {
        TRY(put(vm, o, "error: uncaught exception: "));
        TRY(write_obuf(vm, c, WR_WRITE, o));
        return put(vm, o, "\n");
    }
    if (pv_is_fix(SLOT(c, COND_LOC)) && !system_loc(vm, SLOT(c, COND_LOC))) {
        TRY(put_loc(vm, o, SLOT(c, COND_LOC)));
        TRY(put(vm, o, ": "));
    }
    pv kind = SLOT(c, COND_KIND);
    const char *label = "error: ";
    if (pv_is_symbol(kind)) {
        pv kn = SYM_NAME(kind);
        if (str_len(kn) == 10 && str_ref(kn, 0) == 'r' && str_ref(kn, 5) == 'e') label = "read error: ";
    }
    TRY(put(vm, o, label));
    pv msg = SLOT(c, COND_MESSAGE);
    if (pv_is(msg, T_STRING)) TRY(write_obuf(vm, msg, WR_DISPLAY, o));
    /* At most 100 irritants and frames: the lists may be circular. */
    int count = 0;
    for (pv l = SLOT(c, COND_IRRITANTS); pv_is_pair(l) && count < 100; l = CDR(l), count++) {
        TRY(put(vm, o, " "));
        TRY(write_obuf(vm, CAR(l), WR_WRITE, o));
    }
    if (count == 100) TRY(put(vm, o, " ..."));
    TRY(put(vm, o, "\n"));
    if (!with_trace) return PITH_OK;
    count = 0;
    for (pv t = SLOT(c, COND_TRACE); pv_is_pair(t) && count < 100; t = CDR(t), count++) {
        pv fr = CAR(t);
        if (!pv_is_pair(fr) || system_loc(vm, CDR(fr)) || !pv_is_fix(CDR(fr))) continue;
        TRY(put(vm, o, "  in "));
        if (pv_is_symbol(CAR(fr))) TRY(write_obuf(vm, CAR(fr), WR_DISPLAY, o));
        else TRY(put(vm, o, "<anonymous>"));
        if (pv_is_fix(CDR(fr))) {
            TRY(put(vm, o, " ("));
            TRY(put_loc(vm, o, CDR(fr)));
            TRY(put(vm, o, ")"));
        }
        TRY(put(vm, o, "\n"));
    }
    return PITH_OK;
}

int prim_condition_report(pith_vm *vm, int argc) {
    obuf o = {0, 0, 0};
    int st = cond_report(vm, ARG(0), &o, argc < 2 || ARG(1) != PV_FALSE);
    if (!st) st = str_from_utf8(vm, o.p, o.n, &vm->r.ret);
    obuf_free(vm, &o);
    return st;
}

/* Fill vm->errtext with the parts of the last error: message, location,
 * trace, report, NUL-separated; errparts holds their offsets. */
static void error_text(pith_vm *vm) {
    if (vm->errparts[0] >= 0 && vm->errtext[0]) return;
    pv c = vm->r.last_error;
    obuf o = {0, 0, 0};
    int parts[4] = {0, 0, 0, 0};
    bool ok = true;
    /* message */
    if (pv_is(c, T_CONDITION) && pv_is(SLOT(c, COND_MESSAGE), T_STRING)) ok = !write_obuf(vm, SLOT(c, COND_MESSAGE), WR_DISPLAY, &o);
    else if (c != PV_FALSE) ok = !write_obuf(vm, c, WR_WRITE, &o);
    ok = ok && !obuf_put(vm, &o, "", 1);
    parts[1] = (int)o.n;
    if (ok && pv_is(c, T_CONDITION) && pv_is_fix(SLOT(c, COND_LOC))) ok = !put_loc(vm, &o, SLOT(c, COND_LOC));
    ok = ok && !obuf_put(vm, &o, "", 1);
    parts[2] = (int)o.n;
    if (ok && pv_is(c, T_CONDITION)) {
        obuf t = {0, 0, 0};
        if (!cond_report(vm, c, &t, true)) {
            /* the trace is the report's lines after the first */
            size_t i = 0;
            while (i < t.n && t.p[i] != '\n') i++;
            if (i < t.n) ok = !obuf_put(vm, &o, t.p + i + 1, t.n - i - 1);
        }
        obuf_free(vm, &t);
    }
    ok = ok && !obuf_put(vm, &o, "", 1);
    parts[3] = (int)o.n;
    if (ok && c != PV_FALSE) ok = !cond_report(vm, c, &o, true);
    ok = ok && !obuf_put(vm, &o, "", 1);
    if (ok && o.n <= vm->errcap) {
        MEMCPY(vm->errtext, o.p, o.n);
        MEMCPY(vm->errparts, parts, sizeof parts);
    } else {
        fmt(vm->errtext, vm->errcap, "error (too long to report)");
        vm->errparts[0] = 0;
        vm->errparts[1] = vm->errparts[2] = vm->errparts[3] = (int)c_strlen(vm->errtext);
    }
    obuf_free(vm, &o);
}

const char *pith_error_message(pith_vm *vm) {
    if (!vm_ok(vm)) return "";
    error_text(vm);
    return vm->errtext + vm->errparts[0];
}
const char *pith_error_location(pith_vm *vm) {
    if (!vm_ok(vm)) return 0;
    error_text(vm);
    const char *s = vm->errtext + vm->errparts[1];
    return *s ? s : 0;
}
const char *pith_error_backtrace(pith_vm *vm) {
    if (!vm_ok(vm)) return "";
    error_text(vm);
    return vm->errtext + vm->errparts[2];
}
const char *pith_error_report(pith_vm *vm) {
    if (!vm_ok(vm)) return "";
    error_text(vm);
    return vm->errtext + vm->errparts[3];
}
pith_value pith_error_object(pith_vm *vm) {
    if (!vm_ok(vm) || vm->r.last_error == PV_FALSE) return PITH_NONE;
    return h_make(vm, vm->r.last_error);
}
pith_value pith_error_irritants(pith_vm *vm) {
    if (!vm_ok(vm)) return PITH_NONE;
    pv c = vm->r.last_error;
    return h_make(vm, pv_is(c, T_CONDITION) ? SLOT(c, COND_IRRITANTS) : PV_NULL);
}
int pith_exit_status(pith_vm *vm) { return vm_ok(vm) ? vm->exit_status : 0; }
