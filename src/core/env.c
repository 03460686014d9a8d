/* env.c -- top-level environments: a table from symbols to bindings.
 *
 * A binding is a CELL (a global variable; imports share the cell with the
 * environment that defined it), a MACRO or a SPECIAL (a core form).
 * Defining a name that an environment only imported makes a new cell of
 * its own, as a REPL user expects: the library's code keeps the original.
 *
 * SPDX-License-Identifier: MIT
 */
#include "vm.h"

int env_new(pith_vm *vm, pv name, pv *out) {
    pv tab = PV_FALSE, env;
    GC_SCOPE(vm);
    GC_ROOT2(name, tab);
    TRY(ht_new(vm, HTK_EQ, 64, &tab));
    TRY(gc_alloc(vm, T_ENV, ENV_SIZE, &env));
    SLOT(env, ENV_NAME) = name;
    SLOT(env, ENV_TABLE) = tab;
    SLOT(env, ENV_FLAGS) = pv_from_fix(0);
    *out = env;
    return PITH_OK;
}

pv env_lookup(pith_vm *vm, pv env, pv sym) {
    return ht_get(vm, SLOT(env, ENV_TABLE), sym, PV_FALSE);
}

int env_cell(pith_vm *vm, pv env, pv sym, pv *out) {
    pv b = env_lookup(vm, env, sym);
    if (pv_is_ptr(b)) {
        *out = b;
        return PITH_OK;
    }
    pv cell = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT3(env, sym, cell);
    TRY(mk_cell(vm, sym, PV_UNBOUND, &cell));
    SLOT(cell, CELL_OWNER) = env;
    TRY(ht_put(vm, SLOT(env, ENV_TABLE), sym, cell));
    *out = cell;
    return PITH_OK;
}

int env_define(pith_vm *vm, pv env, pv sym, pv val) {
    pv b = env_lookup(vm, env, sym);
    if (pv_is(b, T_CELL) && SLOT(b, CELL_OWNER) == env) {
        pv_store(vm, b, &SLOT(b, CELL_VALUE), val);
        return PITH_OK;
    }
    pv cell;
    GC_SCOPE(vm);
    GC_ROOT3(env, sym, val);
    TRY(mk_cell(vm, sym, val, &cell));
    SLOT(cell, CELL_OWNER) = env;
    return ht_put(vm, SLOT(env, ENV_TABLE), sym, cell);
}
