/* prim_sys.c -- primitives for control, records, errors, hash tables, the
 * expander and compiler, output ports, the console and the host.
 *
 * SPDX-License-Identifier: MIT
 */
#include "vm.h"

/* The interpreter implements these itself (vm.c); the table needs a C
 * function for each. */
static int vm_special(pith_vm *vm) { return err_msg(vm, "error", 0, "internal error: VM primitive called from C", PV_FALSE); }
int prim_apply(pith_vm *vm, int argc) { (void)argc; return vm_special(vm); }
int prim_callcc(pith_vm *vm, int argc) { (void)argc; return vm_special(vm); }
int prim_exit(pith_vm *vm, int argc) { (void)argc; return vm_special(vm); }
int prim_wait(pith_vm *vm, int argc) { (void)argc; return vm_special(vm); }

static bool is_procedure(pv v) {
    int t = pv_type(v);
    return t == T_CLOSURE || t == T_PRIM || t == T_CONT || t == T_CASELAMBDA || t == T_PARAMETER;
}

/* ---- control ---- */

int prim_values(pith_vm *vm, int argc) {
    if (argc == 1) RETURN(ARG(0));
    pv v;
    TRY(mk_values(vm, (size_t)argc, &v));
    for (int i = 0; i < argc; i++) SLOT(v, i) = ARG(i);
    RETURN(v);
}

int prim_values_to_list(pith_vm *vm, int argc) {
    (void)argc;
    pv v = ARG(0);
    if (!pv_is(v, T_VALUES)) return mk_pair(vm, v, PV_NULL, &vm->r.ret);
    pv l = PV_NULL;
    GC_SCOPE(vm);
    GC_ROOT(l);
    for (size_t i = pv_size(ARG(0)); i-- > 0;) TRY(mk_pair(vm, SLOT(ARG(0), i), l, &l));
    RETURN(l);
}

int prim_make_case_lambda(pith_vm *vm, int argc) {
    pv clauses = PV_FALSE, cl;
    for (int i = 1; i < argc; i++)
        if (!pv_is(ARG(i), T_CLOSURE)) return err_type(vm, "case-lambda", "procedure", ARG(i));
    GC_SCOPE(vm);
    GC_ROOT(clauses);
    TRY(mk_vector(vm, (size_t)(argc - 1), PV_FALSE, &clauses));
    for (int i = 1; i < argc; i++) SLOT(clauses, i - 1) = ARG(i);
    TRY(gc_alloc(vm, T_CASELAMBDA, 2, &cl));
    SLOT(cl, 0) = ARG(0);
    SLOT(cl, 1) = clauses;
    RETURN(cl);
}

int prim_procedure_name(pith_vm *vm, int argc) {
    (void)argc;
    pv p = ARG(0);
    switch (pv_type(p)) {
    case T_CLOSURE: RETURN(SLOT(CLO_CODE(p), CODE_NAME));
    case T_PRIM: RETURN(SLOT(p, PRIM_NAME));
    case T_CASELAMBDA: RETURN(SLOT(p, 0));
    default: RETURN(PV_FALSE);
    }
}

/* (min . max) argument counts, max #f for any. */
int prim_procedure_arity(pith_vm *vm, int argc) {
    (void)argc;
    pv p = ARG(0);
    int64_t mn = 0, mx = -1;
    if (pv_is(p, T_CLOSURE)) {
        int64_t a = pv_fix(SLOT(CLO_CODE(p), CODE_ARITY));
        if (a >= 0) mn = mx = a;
        else mn = -a - 1;
    } else if (pv_is(p, T_PRIM)) {
        mn = pv_fix(SLOT(p, PRIM_MIN));
        mx = pv_fix(SLOT(p, PRIM_MAX));
    } else if (pv_is(p, T_PARAMETER)) {
        mn = mx = 0;
    } else if (!is_procedure(p)) {
        return err_type(vm, "procedure-arity", "procedure", p);
    }
    return mk_pair(vm, pv_from_fix(mn), mx < 0 ? PV_FALSE : pv_from_fix(mx), &vm->r.ret);
}

int prim_continuationp(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(pv_is(ARG(0), T_CONT))); }
int prim_void(pith_vm *vm, int argc) { (void)argc; RETURN(PV_VOID); }
int prim_default_objectp(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(ARG(0) == PV_DEFAULT)); }
int prim_make_box(pith_vm *vm, int argc) { (void)argc; return mk_box(vm, ARG(0), &vm->r.ret); }
int prim_unbox(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_BOX, "unbox", "box");
    RETURN(BOX_VAL(ARG(0)));
}
int prim_set_box(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_BOX, "set-box!", "box");
    STORE(ARG(0), 0, ARG(1));
    RETURN(PV_VOID);
}
/* A parameter object: slot 0 its current value, slot 1 its converter. */
int prim_make_parameter_obj(pith_vm *vm, int argc) {
    (void)argc;
    pv p;
    TRY(gc_alloc(vm, T_PARAMETER, 2, &p));
    SLOT(p, 0) = ARG(0);
    SLOT(p, 1) = ARG(1);
    RETURN(p);
}
int prim_parameter_converter(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_PARAMETER, "parameter-converter", "parameter");
    RETURN(SLOT(ARG(0), 1));
}
int prim_parameter_set(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_PARAMETER, "parameter-set!", "parameter");
    STORE(ARG(0), 0, ARG(1));
    RETURN(PV_VOID);
}
int prim_parameterp(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(pv_is(ARG(0), T_PARAMETER))); }

/* ---- records: slot 0 is the record type (itself a record) ---- */

int prim_make_record(pith_vm *vm, int argc) {
    (void)argc;
    pv n = ARG(1);
    if (!pv_is_fix(n) || pv_fix(n) < 0 || pv_fix(n) > 100000) return err_range(vm, "make-record", n);
    pv r;
    TRY(gc_alloc(vm, T_RECORD, 1 + (size_t)pv_fix(n), &r));
    SLOT(r, 0) = ARG(0);
    for (int64_t i = 0; i < pv_fix(ARG(1)); i++) SLOT(r, 1 + i) = PV_FALSE;
    RETURN(r);
}

int prim_record(pith_vm *vm, int argc) {
    pv r;
    TRY(gc_alloc(vm, T_RECORD, (size_t)argc, &r));
    for (int i = 0; i < argc; i++) SLOT(r, i) = ARG(i);
    RETURN(r);
}

int prim_recordp(pith_vm *vm, int argc) {
    pv r = ARG(0);
    if (!pv_is(r, T_RECORD)) RETURN(PV_FALSE);
    if (argc == 1) RETURN(PV_TRUE);
    RETURN(pv_bool(SLOT(r, 0) == ARG(1)));
}

int prim_record_rtd(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_RECORD, "record-rtd", "record");
    RETURN(SLOT(ARG(0), 0));
}

/* A record of type rtd, or a type error naming the type. */
static int check_record(pith_vm *vm, pv r, pv rtd, pv idx, const char *who) {
    if (!pv_is(r, T_RECORD) || SLOT(r, 0) != rtd) {
        char buf[120];
        pv name = pv_is(rtd, T_RECORD) && pv_size(rtd) > 1 ? SLOT(rtd, 1) : PV_FALSE;
        if (pv_is_symbol(name)) {
            pv s = SYM_NAME(name);
            size_t n = str_utf8_len(s, 0, str_len(s));
            if (n < 80) {
                char nb[84];
                str_to_utf8(s, 0, str_len(s), (uint8_t *)nb);
                nb[n] = 0;
                fmt(buf, sizeof buf, "%s", nb);
                return err_type(vm, who, buf, r);
            }
        }
        return err_type(vm, who, "record of the right type", r);
    }
    if (!pv_is_fix(idx) || pv_fix(idx) < 1 || (uint64_t)pv_fix(idx) >= pv_size(r)) return err_range(vm, who, idx);
    return PITH_OK;
}

int prim_record_ref(pith_vm *vm, int argc) {
    (void)argc;
    TRY(check_record(vm, ARG(0), ARG(1), ARG(2), "record accessor"));
    RETURN(SLOT(ARG(0), pv_fix(ARG(2))));
}

int prim_record_set(pith_vm *vm, int argc) {
    (void)argc;
    TRY(check_record(vm, ARG(0), ARG(1), ARG(2), "record modifier"));
    STORE(ARG(0), pv_fix(ARG(2)), ARG(3));
    RETURN(PV_VOID);
}

/* ---- errors ---- */

/* (%make-condition kind message irritants [payload [location]]): the
 * condition records the backtrace of its maker's caller (the frame of the
 * procedure that called %make-condition, e.g. `error`, is left out), and
 * that caller's location unless one is given. */
int prim_make_condition(pith_vm *vm, int argc) {
    pv kind = ARG(0), msg = ARG(1), irr = ARG(2);
    if (!pv_is_symbol(kind)) return err_type(vm, "make-condition", "symbol", kind);
    if (!pv_is(msg, T_STRING)) return err_type(vm, "error", "string", msg);
    if (list_length(irr) < 0) return err_type(vm, "make-condition", "list", irr);
    pv c, trace = PV_NULL;
    GC_SCOPE(vm);
    GC_ROOT(trace);
    TRY(vm_backtrace(vm, 25, &trace));
    if (pv_is_pair(trace)) trace = CDR(trace);
    TRY(gc_alloc(vm, T_CONDITION, COND_SIZE, &c));
    SLOT(c, COND_KIND) = ARG(0);
    SLOT(c, COND_MESSAGE) = ARG(1);
    SLOT(c, COND_IRRITANTS) = ARG(2);
    SLOT(c, COND_LOC) = argc > 4 && pv_is_fix(ARG(4)) ? ARG(4) : PV_FALSE;
    if (SLOT(c, COND_LOC) == PV_FALSE && pv_is_pair(trace) && pv_is_pair(CAR(trace)) && pv_is_fix(CDR(CAR(trace))))
        SLOT(c, COND_LOC) = CDR(CAR(trace));
    SLOT(c, COND_TRACE) = trace;
    SLOT(c, COND_PAYLOAD) = argc > 3 ? ARG(3) : PV_FALSE;
    RETURN(c);
}

int prim_conditionp(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(pv_is(ARG(0), T_CONDITION))); }

static int cond_field(pith_vm *vm, int f, const char *who) {
    CHECK_TYPE(ARG(0), T_CONDITION, who, "error object");
    RETURN(SLOT(ARG(0), f));
}
int prim_condition_message(pith_vm *vm, int argc) { (void)argc; return cond_field(vm, COND_MESSAGE, "error-object-message"); }
int prim_condition_irritants(pith_vm *vm, int argc) { (void)argc; return cond_field(vm, COND_IRRITANTS, "error-object-irritants"); }
int prim_condition_kind(pith_vm *vm, int argc) { (void)argc; return cond_field(vm, COND_KIND, "condition-kind"); }
int prim_condition_loc(pith_vm *vm, int argc) { (void)argc; return cond_field(vm, COND_LOC, "condition-location"); }
int prim_condition_trace(pith_vm *vm, int argc) { (void)argc; return cond_field(vm, COND_TRACE, "condition-trace"); }
int prim_condition_payload(pith_vm *vm, int argc) { (void)argc; return cond_field(vm, COND_PAYLOAD, "condition-payload"); }

int prim_backtrace(pith_vm *vm, int argc) {
    int max = argc && pv_is_fix(ARG(0)) ? (int)pv_fix(ARG(0)) : 24;
    return vm_backtrace(vm, max, &vm->r.ret);
}

int prim_set_hook(pith_vm *vm, int argc) {
    (void)argc;
    pv i = ARG(0);
    if (!pv_is_fix(i) || pv_fix(i) < 0 || pv_fix(i) >= HOOK_COUNT) return err_range(vm, "%set-hook!", i);
    STORE(vm->r.hooks, pv_fix(i), ARG(1));
    RETURN(PV_VOID);
}

/* Stop the run with an uncaught error (no handler is left). */
int prim_abort(pith_vm *vm, int argc) {
    (void)argc;
    vm->r.exn = ARG(0);
    vm->abort_run = true;
    return PITH_ERROR;
}

int prim_loc_to_list(pith_vm *vm, int argc) {
    (void)argc;
    pv l = ARG(0);
    if (!pv_is_fix(l)) RETURN(PV_FALSE);
    int64_t f = loc_file(pv_fix(l));
    pv name = pv_is(vm->r.files, T_VECTOR) && (uint64_t)f < pv_size(vm->r.files) ? SLOT(vm->r.files, f) : PV_FALSE;
    pv elts[3] = {name, pv_from_fix(loc_line(pv_fix(l))), pv_from_fix(loc_col(pv_fix(l)) + 1)};
    GC_SCOPE(vm);
    GC_ROOT(elts[0]);
    return mk_list(vm, 3, elts, &vm->r.ret);
}

/* ---- hash tables ---- */

/* The hash table kind named by the symbol in argument 0. */
static int ht_kind_of(pith_vm *vm, int *kind) {
    static const char *names[] = {"eq", "eqv", "equal", "string", "weak-eq"};
    for (int i = 0; i < 5; i++) {
        pv s;
        TRY(sym_intern(vm, names[i], c_strlen(names[i]), &s));
        if (s == ARG(0)) { *kind = i; return PITH_OK; }
    }
    return err_msg(vm, "error", "make-hash-table", "unknown kind (expected eq, eqv, equal or string):", ARG(0));
}

int prim_make_htable(pith_vm *vm, int argc) {
    int kind;
    TRY(ht_kind_of(vm, &kind));
    size_t cap = 16;
    if (argc > 1 && pv_is_fix(ARG(1)) && pv_fix(ARG(1)) > 0 && pv_fix(ARG(1)) < (1 << 26)) cap = (size_t)pv_fix(ARG(1)) * 2;
    return ht_new(vm, kind, cap, &vm->r.ret);
}
int prim_htablep(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(pv_is(ARG(0), T_HTABLE))); }
int prim_htable_ref(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_HTABLE, "hash-table-ref", "hash table");
    RETURN(ht_get(vm, ARG(0), ARG(1), ARG(2)));
}
int prim_htable_set(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_HTABLE, "hash-table-set!", "hash table");
    TRY(ht_put(vm, ARG(0), ARG(1), ARG(2)));
    RETURN(PV_VOID);
}
int prim_htable_delete(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_HTABLE, "hash-table-delete!", "hash table");
    ht_delete(vm, ARG(0), ARG(1));
    RETURN(PV_VOID);
}
int prim_htable_count(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_HTABLE, "hash-table-count", "hash table");
    ht_sync(ARG(0));
    RETURN(SLOT(ARG(0), HT_COUNT));
}
/* (%hash-table-keys table [what]): a list of the keys (what 0 or absent),
 * the values (1) or (key . value) pairs (2).  A collection while the list
 * is built may delete entries of a weak table: those are skipped. */
int prim_htable_keys(pith_vm *vm, int argc) {
    CHECK_TYPE(ARG(0), T_HTABLE, "hash-table-keys", "hash table");
    int what = argc > 1 && pv_is_fix(ARG(1)) ? (int)pv_fix(ARG(1)) : 0;
    pv l = PV_NULL, pair = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT2(l, pair);
    size_t n = pv_size(SLOT(ARG(0), HT_DATA)) / 2;
    for (size_t i = 0; i < n; i++) {
        pv data = SLOT(ARG(0), HT_DATA);
        if (2 * i + 1 >= pv_size(data)) break;
        pv k = SLOT(data, 2 * i);
        if (k == PV_UNBOUND || k == PV_UNASSIGNED) continue;
        if (what == 2) {
            TRY(mk_pair(vm, k, SLOT(data, 2 * i + 1), &pair));
            /* the pair may have moved the key: it is a root through the pair */
            TRY(mk_pair(vm, pair, l, &l));
        } else {
            TRY(mk_pair(vm, what == 1 ? SLOT(data, 2 * i + 1) : k, l, &l));
        }
    }
    RETURN(l);
}
int prim_htable_clear(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_HTABLE, "hash-table-clear!", "hash table");
    pv data;
    TRY(ht_data_new(vm, (int)pv_fix(SLOT(ARG(0), HT_KIND)), 8, &data));
    STORE(ARG(0), HT_DATA, data);
    SLOT(ARG(0), HT_COUNT) = pv_from_fix(0);
    SLOT(ARG(0), HT_USED) = pv_from_fix(0);
    RETURN(PV_VOID);
}
int prim_htable_kind(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_HTABLE, "hash-table-kind", "hash table");
    RETURN(SLOT(ARG(0), HT_KIND));
}
int prim_hash(pith_vm *vm, int argc) {
    (void)argc;
    int kind;
    TRY(ht_kind_of(vm, &kind));
    RETURN(pv_from_fix(ht_hash(vm, kind, ARG(1))));
}

/* ---- environments and the expander's data ---- */

int prim_make_env(pith_vm *vm, int argc) { (void)argc; return env_new(vm, ARG(0), &vm->r.ret); }
int prim_envp(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(pv_is(ARG(0), T_ENV))); }
int prim_env_name(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_ENV, "environment-name", "environment");
    RETURN(SLOT(ARG(0), ENV_NAME));
}
int prim_env_lookup(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_ENV, "%env-lookup", "environment");
    CHECK_TYPE(ARG(1), T_SYMBOL, "%env-lookup", "symbol");
    RETURN(env_lookup(vm, ARG(0), ARG(1)));
}
int prim_env_cell(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_ENV, "%env-cell", "environment");
    CHECK_TYPE(ARG(1), T_SYMBOL, "%env-cell", "symbol");
    return env_cell(vm, ARG(0), ARG(1), &vm->r.ret);
}
/* The cell this environment owns for sym (made if missing or imported). */
int prim_env_own_cell(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_ENV, "%env-own-cell", "environment");
    CHECK_TYPE(ARG(1), T_SYMBOL, "%env-own-cell", "symbol");
    pv b = env_lookup(vm, ARG(0), ARG(1));
    if (pv_is(b, T_CELL) && SLOT(b, CELL_OWNER) == ARG(0)) RETURN(b);
    pv cell;
    TRY(mk_cell(vm, ARG(1), PV_UNBOUND, &cell));
    SLOT(cell, CELL_OWNER) = ARG(0);
    GC_SCOPE(vm);
    GC_ROOT(cell);
    TRY(ht_put(vm, SLOT(ARG(0), ENV_TABLE), ARG(1), cell));
    RETURN(cell);
}

int prim_env_define(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_ENV, "%env-define!", "environment");
    CHECK_TYPE(ARG(1), T_SYMBOL, "%env-define!", "symbol");
    TRY(env_define(vm, ARG(0), ARG(1), ARG(2)));
    RETURN(PV_VOID);
}
/* Bind a symbol to any binding: a cell (an import), a macro, a special. */
int prim_env_bind(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_ENV, "%env-bind!", "environment");
    CHECK_TYPE(ARG(1), T_SYMBOL, "%env-bind!", "symbol");
    TRY(ht_put(vm, SLOT(ARG(0), ENV_TABLE), ARG(1), ARG(2)));
    RETURN(PV_VOID);
}
int prim_env_symbols(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_ENV, "%env-symbols", "environment");
    pv l = PV_NULL;
    GC_SCOPE(vm);
    GC_ROOT(l);
    size_t n = pv_size(SLOT(SLOT(ARG(0), ENV_TABLE), HT_DATA)) / 2;
    for (size_t i = 0; i < n; i++) {
        pv k = SLOT(SLOT(SLOT(ARG(0), ENV_TABLE), HT_DATA), 2 * i);
        if (k == PV_UNBOUND || k == PV_UNASSIGNED) continue;
        TRY(mk_pair(vm, k, l, &l));
    }
    RETURN(l);
}
int prim_system_env(pith_vm *vm, int argc) { (void)argc; RETURN(vm->r.system_env); }
int prim_interaction_env(pith_vm *vm, int argc) { (void)argc; RETURN(vm->r.interaction_env); }
int prim_set_interaction_env(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_ENV, "%set-interaction-environment!", "environment");
    vm->r.interaction_env = ARG(0);
    RETURN(PV_VOID);
}

int prim_cellp(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(pv_is(ARG(0), T_CELL))); }
int prim_cell_name(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_CELL, "%cell-name", "variable");
    RETURN(SLOT(ARG(0), CELL_NAME));
}
int prim_cell_value(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_CELL, "%cell-value", "variable");
    RETURN(SLOT(ARG(0), CELL_VALUE));
}
int prim_cell_boundp(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_CELL, "%cell-bound?", "variable");
    RETURN(pv_bool(SLOT(ARG(0), CELL_VALUE) != PV_UNBOUND));
}
int prim_cell_constp(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_CELL, "%cell-constant?", "variable");
    RETURN(pv_bool(pv_fix(SLOT(ARG(0), CELL_FLAGS)) & CELLF_CONST));
}
int prim_cell_set_const(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_CELL, "%cell-set-constant!", "variable");
    SLOT(ARG(0), CELL_FLAGS) = pv_from_fix(pv_fix(SLOT(ARG(0), CELL_FLAGS)) | CELLF_CONST);
    RETURN(PV_VOID);
}

int prim_make_macro(pith_vm *vm, int argc) {
    if (!is_procedure(ARG(0))) return err_type(vm, "%make-macro", "procedure", ARG(0));
    pv m;
    TRY(gc_alloc(vm, T_MACRO, MACRO_SIZE, &m));
    SLOT(m, MACRO_PROC) = ARG(0);
    SLOT(m, MACRO_ENV) = ARG(1);
    SLOT(m, MACRO_KIND) = argc > 2 ? ARG(2) : pv_from_fix(0);
    RETURN(m);
}
int prim_macrop(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(pv_is(ARG(0), T_MACRO))); }
int prim_macro_proc(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_MACRO, "%macro-procedure", "macro");
    RETURN(SLOT(ARG(0), MACRO_PROC));
}
int prim_macro_env(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_MACRO, "%macro-environment", "macro");
    RETURN(SLOT(ARG(0), MACRO_ENV));
}
int prim_macro_kind(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_MACRO, "%macro-kind", "macro");
    RETURN(SLOT(ARG(0), MACRO_KIND));
}
int prim_specialp(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(pv_is(ARG(0), T_SPECIAL))); }
int prim_special_name(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_SPECIAL, "%special-name", "special form");
    RETURN(SLOT(ARG(0), 0));
}
int prim_make_special(pith_vm *vm, int argc) {
    (void)argc;
    pv s;
    TRY(gc_alloc(vm, T_SPECIAL, 1, &s));
    SLOT(s, 0) = ARG(0);
    RETURN(s);
}
int prim_make_ident(pith_vm *vm, int argc) {
    (void)argc;
    pv id;
    TRY(gc_alloc(vm, T_IDENT, IDENT_SIZE, &id));
    SLOT(id, IDENT_NAME) = ARG(0);
    SLOT(id, IDENT_ENV) = ARG(1);
    SLOT(id, IDENT_STAMP) = ARG(2);
    RETURN(id);
}
int prim_identp(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(pv_is(ARG(0), T_IDENT))); }
int prim_ident_name(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_IDENT, "%identifier-name", "identifier");
    RETURN(SLOT(ARG(0), IDENT_NAME));
}
int prim_ident_env(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_IDENT, "%identifier-env", "identifier");
    RETURN(SLOT(ARG(0), IDENT_ENV));
}

/* (%compile core-form env) => a procedure of no arguments. */
int prim_compile(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(1), T_ENV, "%compile", "environment");
    pv code = PV_FALSE, cl;
    GC_SCOPE(vm);
    GC_ROOT(code);
    TRY(compile_toplevel(vm, ARG(0), ARG(1), &code));
    TRY(gc_alloc(vm, T_CLOSURE, 1, &cl));
    CLO_CODE(cl) = code;
    RETURN(cl);
}

int prim_pair_loc(pith_vm *vm, int argc) {
    (void)argc;
    pv p = ARG(0);
    RETURN(pv_is_pair(p) && pv_size(p) == 3 ? PAIR_LOC(p) : PV_FALSE);
}
int prim_cons_loc(pith_vm *vm, int argc) {
    (void)argc;
    if (!pv_is_fix(ARG(0))) return mk_pair(vm, ARG(1), ARG(2), &vm->r.ret);
    return mk_pair_loc(vm, ARG(1), ARG(2), ARG(0), &vm->r.ret);
}
/* (%copy-location from to): `to`, as a located pair when from has a
 * location and to has none. */
int prim_copy_loc(pith_vm *vm, int argc) {
    (void)argc;
    pv from = ARG(0), to = ARG(1);
    if (!pv_is_pair(to) || pv_size(to) == 3 || !pv_is_pair(from) || pv_size(from) != 3) RETURN(to);
    return mk_pair_loc(vm, CAR(to), CDR(to), PAIR_LOC(from), &vm->r.ret);
}
/* The features of the image (set at boot) followed by those of the
 * machine running it now: an image moves between machines, so the
 * architecture, byte order and host features are found at run time. */
static const char *const machine_features[] = {
#if defined(__x86_64__)
    "x86-64",
#elif defined(__aarch64__)
    "aarch64", "arm64",
#elif defined(__riscv) && __riscv_xlen == 64
    "riscv64",
#elif defined(__powerpc64__)
    "ppc64",
#elif defined(__s390x__)
    "s390x",
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    "big-endian",
#else
    "little-endian",
#endif
    "lp64", "ieee-float",
};

int prim_features(pith_vm *vm, int argc) {
    (void)argc;
    pv out = PV_NULL, sym = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT2(out, sym);
    /* host features: a space-separated list of names */
    const char *hf = vm->host->size >= offsetof(pith_host, features) + sizeof(char *) ? vm->host->features : 0;
    if (hf) {
        size_t n = c_strlen(hf);
        for (size_t i = n; i > 0;) {
            size_t end = i;
            while (i > 0 && hf[i - 1] != ' ') i--;
            if (end > i) {
                TRY(sym_intern(vm, hf + i, end - i, &sym));
                TRY(mk_pair(vm, sym, out, &out));
            }
            while (i > 0 && hf[i - 1] == ' ') i--;
        }
    }
    for (size_t i = sizeof machine_features / sizeof *machine_features; i-- > 0;) {
        TRY(sym_intern(vm, machine_features[i], c_strlen(machine_features[i]), &sym));
        TRY(mk_pair(vm, sym, out, &out));
    }
    /* the image's own, in front */
    pv l = vm->r.features;
    size_t k = 0;
    for (pv p = l; pv_is(p, T_PAIR); p = CDR(p)) k++;
    for (size_t j = k; j-- > 0;) {
        pv p = vm->r.features;
        for (size_t m = 0; m < j; m++) p = CDR(p);
        TRY(mk_pair(vm, CAR(p), out, &out));
    }
    RETURN(out);
}

int prim_library_path(pith_vm *vm, int argc) { (void)argc; RETURN(vm->r.libpath); }
int prim_set_library_path(pith_vm *vm, int argc) {
    (void)argc;
    pv v = ARG(0);
    if (!pv_is(v, T_PAIR)) return err_type(vm, "%set-library-path!", "pair of lists of strings", v);
    for (int k = 0; k < 2; k++) {
        size_t n = 0;  /* a circular list is refused by its length */
        for (pv p = SLOT(v, k); p != PV_NULL; p = CDR(p))
            if (!pv_is(p, T_PAIR) || !pv_is(CAR(p), T_STRING) || ++n > 100000)
                return err_type(vm, "%set-library-path!", "pair of lists of strings", v);
    }
    vm->r.libpath = v;
    RETURN(PV_VOID);
}
int prim_set_features(pith_vm *vm, int argc) {
    (void)argc;
    vm->r.features = ARG(0);
    RETURN(PV_VOID);
}

/* ---- reading and writing ---- */

/* (%read-from-string string state): state is a vector
 * #(pos line col file fold-case status [open-location]); status becomes
 * 0 (a datum), 1 (end of input) or 2 (input ends inside a datum, which
 * began at open-location). */
int prim_read_from_string(pith_vm *vm, int argc) {
    CHECK_TYPE(ARG(0), T_STRING, "read", "string");
    pv stv = ARG(1);
    if (!pv_is(stv, T_VECTOR) || pv_size(stv) < 6) return err_type(vm, "%read-from-string", "reader state", stv);
    (void)argc;
    read_state st;
    st.pos = (size_t)pv_fix(SLOT(stv, 0));
    st.line = pv_fix(SLOT(stv, 1));
    st.col = pv_fix(SLOT(stv, 2));
    st.file = (int)pv_fix(SLOT(stv, 3));
    st.fold_case = SLOT(stv, 4) != PV_FALSE;
    st.open_loc = -1;
    if (st.pos > str_len(ARG(0))) return err_range(vm, "read", SLOT(stv, 0));
    int status;
    pv datum = PV_FALSE;
    int s = read_datum(vm, ARG(0), &st, &status, &datum);
    stv = ARG(1);
    if (s) {
        /* where reading stopped, so a REPL can skip the bad input */
        SLOT(stv, 0) = pv_from_fix((int64_t)st.pos);
        SLOT(stv, 1) = pv_from_fix(st.line);
        SLOT(stv, 2) = pv_from_fix(st.col);
        return s;
    }
    SLOT(stv, 0) = pv_from_fix((int64_t)st.pos);
    SLOT(stv, 1) = pv_from_fix(st.line);
    SLOT(stv, 2) = pv_from_fix(st.col);
    SLOT(stv, 4) = pv_bool(st.fold_case);
    SLOT(stv, 5) = pv_from_fix(status);
    /* an optional 7th slot: where an unclosed datum began */
    if (pv_size(stv) > 6) SLOT(stv, 6) = status == RD_INCOMPLETE && st.open_loc >= 0 ? pv_from_fix(st.open_loc) : PV_FALSE;
    RETURN(datum);
}

int prim_register_file(pith_vm *vm, int argc) {
    (void)argc;
    CHECK_TYPE(ARG(0), T_STRING, "%register-file", "string");
    pv files = vm->r.files;
    size_t n = (size_t)vm->next_file;
    for (size_t i = 0; i < n; i++)
        if (str_eq(SLOT(files, i), ARG(0))) RETURN(pv_from_fix((int64_t)i));
    if (n >= pv_size(files)) {
        pv nf;
        TRY(mk_vector(vm, pv_size(files) * 2 + 8, PV_FALSE, &nf));
        for (size_t i = 0; i < n; i++) SLOT(nf, i) = SLOT(vm->r.files, i);
        vm->r.files = nf;
    }
    if (n >= (1u << 20) - 1) RETURN(pv_from_fix(0));
    STORE(vm->r.files, n, ARG(0));
    vm->next_file++;
    RETURN(pv_from_fix((int64_t)n));
}

/* The boot files registered so far are Pith's own (error reports leave
 * their frames out). */
int prim_seal_system_files(pith_vm *vm, int argc) {
    (void)argc;
    vm->r.nsysfiles = pv_from_fix(vm->next_file);
    RETURN(PV_VOID);
}

int prim_write_to_string(pith_vm *vm, int argc) {
    (void)argc;
    pv mode = ARG(1);
    if (!pv_is_fix(mode) || pv_fix(mode) < 0 || pv_fix(mode) > 3) return err_range(vm, "%write-to-string", mode);
    return write_value(vm, ARG(0), (int)pv_fix(mode), &vm->r.ret);
}

static const pith_host_console *console(pith_vm *vm) { return vm->host->console; }

int prim_console_write(pith_vm *vm, int argc) {
    (void)argc;
    pv s = ARG(1);
    int stream = ARG(0) == pv_from_fix(2) ? 2 : 1;
    CHECK_TYPE(s, T_STRING, "%console-write", "string");
    size_t n = str_len(s);
    size_t bytes = str_utf8_len(s, 0, n);
    uint8_t local[1024];
    uint8_t *buf = bytes <= sizeof local ? local : host_alloc(vm, bytes);
    if (!buf) return err_oom(vm);
    str_to_utf8(s, 0, n, buf);
    int st = console_out(vm, stream, buf, bytes);
    if (buf != local) host_free(vm, buf, bytes);
    TRY(st);
    RETURN(PV_VOID);
}

/* A chunk of console input as a string, #f when none is ready, or the eof
 * object.  Bytes of an unfinished UTF-8 sequence wait for the next call. */
int prim_console_read(pith_vm *vm, int argc) {
    (void)argc;
    const pith_host_console *c = console(vm);
    if (!c || !c->read) RETURN(PV_EOF);
    uint8_t buf[4096];
    long r = c->read(vm->hctx, buf, sizeof buf);
    if (r == PITH_HOST_AGAIN) RETURN(PV_FALSE);
    if (r == PITH_HOST_EOF || r == 0) RETURN(PV_EOF);
    if (r < 0) return err_msg(vm, "file-error", "read", "console input failed", PV_FALSE);
    return str_from_utf8(vm, buf, (size_t)r, &vm->r.ret);
}

/* Start a new line on the console unless output is at the start of one
 * (the REPL's prompt after (display "abc")). */
int prim_fresh_line(pith_vm *vm, int argc) {
    (void)argc;
    if (!vm->console_bol) TRY(console_out(vm, 1, (const uint8_t *)"\n", 1));
    RETURN(PV_VOID);
}

int prim_console_interactive(pith_vm *vm, int argc) {
    (void)argc;
    const pith_host_console *c = console(vm);
    RETURN(pv_bool(c && c->interactive && c->interactive(vm->hctx)));
}

/* (%read-file name) => the whole file as a string (UTF-8 decoded). */
int prim_read_file(pith_vm *vm, int argc) {
    (void)argc;
    char path[1024];
    TRY(need_storage(vm, "load"));
    TRY(c_path(vm, ARG(0), "load", path, sizeof path));
    const pith_host_storage *s = vm->host->storage;
    int64_t h = s->open(vm->hctx, path, PITH_OPEN_READ);
    if (h < 0) return file_error(vm, "cannot open file", (long)h, ARG(0));
    obuf o = {0, 0, 0};
    uint8_t chunk[8192];
    int st = PITH_OK;
    int spins = 0;
    for (;;) {
        long r = s->read(vm->hctx, h, chunk, sizeof chunk);
        if (r == 0) break;
        if (r == PITH_HOST_AGAIN && spins++ < 1000000) {
            if (vm->host->wait && vm->host->clock) vm->host->wait(vm->hctx, vm->host->clock->monotonic(vm->hctx) + 1000000);
            continue;
        }
        if (r < 0) { st = file_error(vm, "read", r, ARG(0)); break; }
        if ((st = obuf_put(vm, &o, chunk, (size_t)r))) break;
    }
    s->close(vm->hctx, h);
    if (!st) st = str_from_utf8(vm, o.p, o.n, &vm->r.ret);
    obuf_free(vm, &o);
    return st;
}

int prim_file_exists(pith_vm *vm, int argc) {
    (void)argc;
    char path[1024];
    TRY(need_storage(vm, "file-exists?"));
    TRY(c_path(vm, ARG(0), "file-exists?", path, sizeof path));
    int r = vm->host->storage->exists(vm->hctx, path);
    RETURN(pv_bool(r == 0));
}

int prim_delete_file(pith_vm *vm, int argc) {
    (void)argc;
    char path[1024];
    TRY(need_storage(vm, "delete-file"));
    TRY(c_path(vm, ARG(0), "delete-file", path, sizeof path));
    int r = vm->host->storage->remove(vm->hctx, path);
    if (r < 0) return file_error(vm, "delete-file", r, ARG(0));
    RETURN(PV_VOID);
}

/* ---- the process and the host ---- */

int prim_command_line(pith_vm *vm, int argc) {
    (void)argc;
    const pith_host_process *p = vm->host->process;
    pv l = PV_NULL, s = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT2(l, s);
    if (!p) RETURN(PV_NULL);
    int n = p->arg_count(vm->hctx);
    for (int i = n; i >= 0; i--) {
        const char *a = p->arg(vm->hctx, i);
        if (!a) continue;
        TRY(str_from_c(vm, a, &s));
        TRY(mk_pair(vm, s, l, &l));
    }
    RETURN(l);
}

int prim_get_env_var(pith_vm *vm, int argc) {
    (void)argc;
    char name[512];
    TRY(c_path(vm, ARG(0), "get-environment-variable", name, sizeof name));
    const pith_host_process *p = vm->host->process;
    const char *v = p && p->getenv ? p->getenv(vm->hctx, name) : 0;
    if (!v) RETURN(PV_FALSE);
    return str_from_c(vm, v, &vm->r.ret);
}

int prim_get_env_vars(pith_vm *vm, int argc) {
    (void)argc;
    const pith_host_process *p = vm->host->process;
    pv l = PV_NULL, k = PV_FALSE, v = PV_FALSE, e = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT2(l, k);
    GC_ROOT2(v, e);
    if (!p || !p->env_entry) RETURN(PV_NULL);
    for (int i = 0;; i++) {
        const char *ent = p->env_entry(vm->hctx, i);
        if (!ent) break;
        size_t n = c_strlen(ent), eq = 0;
        while (eq < n && ent[eq] != '=') eq++;
        TRY(str_from_utf8(vm, (const uint8_t *)ent, eq, &k));
        ent = p->env_entry(vm->hctx, i);  /* the host may reuse its buffer */
        if (!ent) break;
        TRY(str_from_utf8(vm, (const uint8_t *)ent + (eq < n ? eq + 1 : n), eq < n ? n - eq - 1 : 0, &v));
        TRY(mk_pair(vm, k, v, &e));
        TRY(mk_pair(vm, e, l, &l));
    }
    return list_reverse(vm, l, &vm->r.ret);
}

static int64_t mono_ns(pith_vm *vm) {
    return vm->host->clock && vm->host->clock->monotonic ? vm->host->clock->monotonic(vm->hctx) : 0;
}

int prim_current_second(pith_vm *vm, int argc) {
    (void)argc;
    int64_t ns = vm->host->clock && vm->host->clock->wall ? vm->host->clock->wall(vm->hctx) : 0;
    return mk_flonum(vm, (double)ns / 1e9, &vm->r.ret);
}
int prim_current_jiffy(pith_vm *vm, int argc) { (void)argc; RETURN(pv_from_fix(mono_ns(vm))); }
int prim_jiffies_per_second(pith_vm *vm, int argc) { (void)argc; RETURN(pv_from_fix(1000000000)); }
int prim_monotonic_ns(pith_vm *vm, int argc) { (void)argc; RETURN(pv_from_fix(mono_ns(vm))); }

int prim_gc(pith_vm *vm, int argc) {
    gc_collect(vm, 0, argc == 0 || ARG(0) != PV_FALSE);
    RETURN(PV_VOID);
}

/* #(minor-collections major-collections old-bytes-in-use nursery-bytes) */
int prim_gc_stats(pith_vm *vm, int argc) {
    (void)argc;
    pv v;
    TRY(mk_vector(vm, 4, PV_FALSE, &v));
    SLOT(v, 0) = pv_from_fix((int64_t)vm->gc_minor);
    SLOT(v, 1) = pv_from_fix((int64_t)vm->gc_major);
    SLOT(v, 2) = pv_from_fix((int64_t)vm->old_used);
    SLOT(v, 3) = pv_from_fix((int64_t)vm->nursery_size);
    RETURN(v);
}

int prim_emergency_exit(pith_vm *vm, int argc) {
    int status = 0;
    if (argc) status = pv_is_fix(ARG(0)) ? (int)pv_fix(ARG(0)) : ARG(0) == PV_FALSE ? 1 : 0;
    vm->exit_status = status;
    if (vm->host->process && vm->host->process->exit) vm->host->process->exit(vm->hctx, status);
    return PITH_EXIT;
}

int prim_heap_limit(pith_vm *vm, int argc) { (void)argc; RETURN(pv_from_fix((int64_t)vm->heap_limit)); }

int prim_host_has(pith_vm *vm, int argc) {
    (void)argc;
    static const char *names[] = {"clock", "console", "process", "storage", "network", "display", "input"};
    const void *groups[] = {vm->host->clock, vm->host->console, vm->host->process, vm->host->storage,
                            vm->host->net, vm->host->display, vm->host->input};
    for (int i = 0; i < 7; i++) {
        pv s;
        TRY(sym_intern(vm, names[i], c_strlen(names[i]), &s));
        if (s == ARG(0)) RETURN(pv_bool(groups[i] != 0));
    }
    RETURN(PV_FALSE);
}

int prim_procedurep(pith_vm *vm, int argc) {
    (void)argc;
    RETURN(pv_bool(is_procedure(ARG(0))));
}
