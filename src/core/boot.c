/* boot.c -- the primitive table and the cold start of a VM without an
 * image (used once, at build time, to make the boot image).
 *
 * SPDX-License-Identifier: MIT
 */
#include "vm.h"

const struct prim_def prim_table[] = {
#define P(cname, sname, min, max, op) {sname, prim_##cname, min, max, op},
#include "prims.def"
#undef P
};

int prim_lookup_index(const char *name) {
    for (int i = 0; i < PRIM_BUILTIN_COUNT; i++) {
        const char *a = prim_table[i].name, *b = name;
        while (*a && *a == *b) a++, b++;
        if (!*a && !*b) return i;
    }
    return -1;
}

const char *prim_name(int index) {
    return index >= 0 && index < PRIM_BUILTIN_COUNT ? prim_table[index].name : 0;
}

/* A closure over a code object holding one instruction. */
static int mk_stub_closure(pith_vm *vm, int op, const char *name, pv *out) {
    pv insns = PV_FALSE, consts = PV_FALSE, code = PV_FALSE, nm = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT3(insns, consts, code);
    GC_ROOT(nm);
    TRY(sym_intern(vm, name, c_strlen(name), &nm));
    TRY(gc_alloc(vm, T_INSNS, 2, &insns));
    INSNS_COUNT(insns) = pv_from_fix(1);
    insns_words(insns)[0] = (uint32_t)op;
    TRY(mk_vector(vm, 0, PV_FALSE, &consts));
    TRY(gc_alloc(vm, T_CODE, CODE_SIZE, &code));
    SLOT(code, CODE_INSNS) = insns;
    SLOT(code, CODE_CONSTS) = consts;
    SLOT(code, CODE_NAME) = nm;
    SLOT(code, CODE_ARITY) = pv_from_fix(0);
    SLOT(code, CODE_NFREE) = pv_from_fix(0);
    SLOT(code, CODE_LINES) = PV_FALSE;
    SLOT(code, CODE_LOC) = PV_FALSE;
    TRY(gc_alloc(vm, T_CLOSURE, 1, out));
    CLO_CODE(*out) = code;
    return PITH_OK;
}

int prims_install(pith_vm *vm) {
    pv prims = PV_FALSE, p = PV_FALSE, name = PV_FALSE, cell = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT3(prims, p, name);
    GC_ROOT(cell);
    TRY(mk_vector(vm, PRIM_BUILTIN_COUNT, PV_FALSE, &prims));
    vm->r.prims = prims;
    for (int i = 0; i < PRIM_BUILTIN_COUNT; i++) {
        const struct prim_def *d = &prim_table[i];
        TRY(sym_intern(vm, d->name, c_strlen(d->name), &name));
        TRY(gc_alloc(vm, T_PRIM, PRIM_SIZE, &p));
        SLOT(p, PRIM_NAME) = name;
        SLOT(p, PRIM_INDEX) = pv_from_fix(i);
        SLOT(p, PRIM_MIN) = pv_from_fix(d->min);
        SLOT(p, PRIM_MAX) = pv_from_fix(d->max);
        STORE(vm->r.prims, i, p);
        TRY(env_define(vm, vm->r.system_env, name, p));
        TRY(env_cell(vm, vm->r.system_env, name, &cell));
        SLOT(cell, CELL_FLAGS) = pv_from_fix(prim_cell_flags(i));
    }
    return PITH_OK;
}

/* The flags of the cell that binds builtin primitive i: constant, and the
 * opcode (and argument count) the compiler open-codes it with. */
int64_t prim_cell_flags(int i) {
    const struct prim_def *d = &prim_table[i];
    int arity = d->op == OP_ADD || d->op == OP_MUL || d->op == OP_SUB || d->op == OP_LT || d->op == OP_GT ||
                        d->op == OP_LE || d->op == OP_GE || d->op == OP_NUMEQ
                    ? 2 : d->min;
    return CELLF_CONST | ((int64_t)d->op << 8) | ((int64_t)arity << 16);
}

int boot_cold(pith_vm *vm) {
    TRY(sym_table_init(vm));
    pv kw;
    TRY(mk_vector(vm, KW_COUNT, PV_FALSE, &kw));
    vm->r.keywords = kw;
    static const char *const names[] = {
#define K(n, s) s,
        PITH_KEYWORDS(K)
#undef K
    };
    for (int i = 0; i < KW_COUNT; i++) {
        pv s;
        TRY(sym_intern(vm, names[i], c_strlen(names[i]), &s));
        STORE(vm->r.keywords, i, s);
    }
    TRY(mk_vector(vm, 64, PV_FALSE, &vm->r.files));
    pv unknown;
    TRY(str_from_c(vm, "<unknown>", &unknown));
    STORE(vm->r.files, 0, unknown);
    vm->next_file = 1;
    TRY(mk_vector(vm, HOOK_COUNT, PV_FALSE, &vm->r.hooks));
    pv name;
    TRY(sym_intern(vm, "system", 6, &name));
    TRY(env_new(vm, name, &vm->r.system_env));
    vm->r.interaction_env = vm->r.system_env;
    TRY(prims_install(vm));
    TRY(mk_stub_closure(vm, OP_HALT, "%halt", &vm->r.halt));
    TRY(mk_stub_closure(vm, OP_UNDERFLOW, "%underflow", &vm->r.underflow));
    TRY(mk_stub_closure(vm, OP_BARRIER, "%barrier", &vm->r.barrier));
    pv msg, c;
    TRY(str_from_c(vm, "heap exhausted", &msg));
    TRY(mk_condition(vm, "heap-exhausted", msg, PV_NULL, &c));
    vm->r.oom = c;
    vm->r.features = PV_NULL;
    vm->r.libpath = PV_NULL;
    vm->r.winders = PV_NULL;
    vm->r.dynamic = PV_NULL;
    return vm_init_stack(vm);
}
