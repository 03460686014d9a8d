/* compile.c -- the compiler from core forms to bytecode.
 *
 * Input is a core form: what the expander produces, or (stage 0, for the
 * first boot files) plain Scheme restricted to the core forms
 *   quote if define set! lambda begin letrec letrec*
 * plus applications, where a symbol not bound by an enclosing lambda is a
 * global of the given environment and a CELL object is a global reference.
 *
 * The compiler works in two phases so the collector never runs while it
 * holds pointers into the source form:
 *  1. a walk over the form that emits code into host memory (an arena),
 *     allocating nothing on the heap;
 *  2. a build phase that turns each function into CODE objects, with all
 *     pending heap values registered as a root range.
 * The walk recurses only into non-tail subexpressions and stops at a depth
 * limit (a Scheme error, never a C stack overflow); the last subexpression
 * of begin, if, and let/letrec bodies is compiled by looping, with pending
 * jumps and stack drops kept on an explicit list.
 *
 * Closure conversion: a lambda's free variables are found as its body is
 * compiled and copied into the closure when it is made.  Variables that
 * are set! live in boxes; letrec-bound lambdas need no boxes (their
 * closures are patched once all exist), unless an expression that is not
 * a lambda is evaluated before they are bound.
 *
 * SPDX-License-Identifier: MIT
 */
#include "vm.h"

/* ---- arena: host memory freed when the compilation ends ---- */
typedef struct arena_blk {
    struct arena_blk *next;  /* blocks of this arena */
    size_t size;             /* bytes of this block, header included */
    size_t used;             /* bytes handed out */
} arena_blk;

#define ARENA_BLOCK ((size_t)64 << 10)

typedef struct cfn cfn;

/* One entry of a function's constant table. */
enum { CK_VALUE, CK_GLOBAL, CK_CHILD };
typedef struct cconst {
    int kind;        /* CK_*: a value, a global to resolve to its cell, a child */
    size_t pool;     /* index in the compiler's value pool (VALUE, GLOBAL, CHILD) */
    cfn *child;      /* CK_CHILD: the function whose CODE this is */
} cconst;

/* A local variable visible in a function. */
typedef struct cvar {
    pv name;             /* symbol (compared with eq?) */
    int slot;            /* fp-relative slot */
    bool boxed;          /* lives in a box (it is set!) */
    struct cvar *next;   /* next outer binding in this function */
} cvar;

/* A function being compiled. */
struct cfn {
    cfn *outer;          /* enclosing function, NULL for the top level */
    cvar *scope;         /* innermost binding first */
    pv *frees;           /* free variable names, in closure order */
    bool *free_boxed;    /* whether each free variable is a box */
    int nfree, capfree;
    uint32_t *code;      /* instruction words */
    size_t ncode, capcode;
    cconst *consts;      /* constant table */
    size_t nconst, capconst;
    int64_t *lines;      /* pc, loc pairs */
    size_t nlines, caplines;
    int depth, maxdepth; /* stack slots in use above fp, and the most */
    int arity;           /* required args, or -(n+1) with a rest list */
    pv name;             /* a symbol naming the procedure, or #f (pool index) */
    size_t name_pool;    /* pool index of the name (or SIZE_MAX) */
    int64_t loc;         /* definition site, or -1 */
    size_t code_pool;    /* pool index where the built CODE goes */
};

/* An action deferred to the end of a compile_expr call (see the header). */
typedef struct pending {
    int kind;            /* PD_JUMP: patch a jump here; PD_DROP: pop slots */
    size_t at;           /* PD_JUMP: index of the jump instruction */
    int n;               /* PD_DROP: slots */
    int depth;           /* PD_DROP: the depth after dropping */
    struct pending *next;
} pending;
enum { PD_JUMP, PD_DROP };

typedef struct comp {
    pith_vm *vm;
    arena_blk *arena;    /* all compiler memory */
    pv env;              /* resolves free symbols (stage 0) */
    pv *pool;            /* every heap value the output will hold */
    size_t npool, cappool;
    pv *mutated;         /* symbols that are targets of set! */
    size_t nmut, capmut;
    int depth, max_depth;/* nesting of compile_expr calls */
    const char *emsg;    /* a syntax error found by the walk (see cerr) */
    pv eform;
    int64_t eloc;
    int64_t loc;         /* location of the innermost located form */
    pv kw[KW_COUNT];     /* the keyword symbols */
} comp;

static void *arena_alloc(comp *c, size_t n) {
    n = (n + 15) & ~(size_t)15;
    arena_blk *b = c->arena;
    size_t hdr = (sizeof(arena_blk) + 15) & ~(size_t)15;
    if (!b || b->used + n > b->size) {
        size_t size = n + hdr > ARENA_BLOCK ? n + hdr : ARENA_BLOCK;
        arena_blk *nb = tmp_alloc(c->vm, size);
        if (!nb) return 0;
        nb->next = b;
        nb->size = size;
        nb->used = hdr;
        c->arena = nb;
        b = nb;
    }
    void *p = (uint8_t *)b + b->used;
    b->used += n;
    return p;
}

static void arena_free(comp *c) {
    arena_blk *b = c->arena;
    while (b) {
        arena_blk *n = b->next;
        tmp_free(c->vm, b, b->size);
        b = n;
    }
    c->arena = 0;
}

/* Grow an arena array of `elt`-byte elements, n of them in use, to hold
 * at least need + 1. */
static int grow2(comp *c, void **arr, size_t *cap, size_t n, size_t need, size_t elt) {
    if (need < *cap) return PITH_OK;
    size_t ncap = *cap ? *cap * 2 : 16;
    while (ncap <= need) ncap *= 2;
    void *na = arena_alloc(c, ncap * elt);
    if (!na) return err_oom(c->vm);
    if (n) MEMCPY(na, *arr, n * elt);
    *arr = na;
    *cap = ncap;
    return PITH_OK;
}
static int grow(comp *c, void **arr, size_t *cap, size_t n, size_t elt) {
    return grow2(c, arr, cap, n, n, elt);
}
#define GROW(c, arr, cap, n) grow((c), (void **)&(arr), &(cap), (n), sizeof *(arr))

static int pool_add(comp *c, pv v, size_t *idx) {
    TRY(GROW(c, c->pool, c->cappool, c->npool));
    c->pool[c->npool] = v;
    *idx = c->npool++;
    return PITH_OK;
}

/* ---- errors ---- */

static int cerr(comp *c, const char *msg, pv form) {
    /* Only noted here: the condition is made once the walk has unwound
     * (compile_toplevel), since making it allocates and may collect, which
     * must not happen this deep in the C stack.  The walk allocates nothing,
     * so form stays valid until then. */
    if (!c->emsg) {
        c->emsg = msg;
        c->eform = form;
        c->eloc = c->loc;
        if (pv_is_pair(form) && pv_size(form) == 3 && pv_is_fix(PAIR_LOC(form))) c->eloc = pv_fix(PAIR_LOC(form));
    }
    return PITH_ERROR;
}

static int raise_cerr(comp *c) {
    pith_vm *vm = c->vm;
    err_raise(vm, "syntax-error", c->emsg, c->eform == PV_FALSE ? 0 : c->eform, 0, 0);
    if (c->eloc >= 0 && pv_is(vm->r.exn, T_CONDITION) && vm->r.exn != vm->r.oom)
        SLOT(vm->r.exn, COND_LOC) = pv_from_fix(c->eloc);
    return PITH_ERROR;
}

/* ---- emitting ---- */

static int emit_word(comp *c, cfn *f, uint32_t w) {
    TRY(GROW(c, f->code, f->capcode, f->ncode));
    f->code[f->ncode++] = w;
    return PITH_OK;
}

/* Operand A must fit in 24 bits (signed). */
#define A_MAX ((1 << 23) - 1)
#define A_MIN (-(1 << 23))

static int emit(comp *c, cfn *f, int op, int32_t a) {
    if (a > A_MAX || a < A_MIN) return cerr(c, "procedure too large to compile (an operand does not fit)", PV_FALSE);
    return emit_word(c, f, (uint32_t)op | ((uint32_t)a << 8));
}

/* Point the jump instruction at `at` to the current end of the code. */
static int patch_jump(comp *c, cfn *f, size_t at, int op) {
    size_t dist = f->ncode - at - 1;
    if (dist > (size_t)A_MAX) return cerr(c, "procedure too large to compile (a jump is too long)", PV_FALSE);
    f->code[at] = (uint32_t)op | ((uint32_t)dist << 8);
    return PITH_OK;
}

static void bump(cfn *f, int n) {
    f->depth += n;
    if (f->depth > f->maxdepth) f->maxdepth = f->depth;
}

static int emit_push(comp *c, cfn *f) {
    bump(f, 1);
    return emit(c, f, OP_PUSH, 0);
}

static int add_line(comp *c, cfn *f) {
    if (c->loc < 0) return PITH_OK;
    if (f->nlines && f->lines[2 * f->nlines - 1] == c->loc) return PITH_OK;
    if (f->nlines && f->lines[2 * f->nlines - 2] == (int64_t)f->ncode) {
        f->lines[2 * f->nlines - 1] = c->loc;
        return PITH_OK;
    }
    size_t n2 = 2 * f->nlines, cap2 = f->caplines;
    TRY(grow2(c, (void **)&f->lines, &cap2, n2, n2 + 1, sizeof(int64_t)));
    f->caplines = cap2;
    f->lines[n2] = (int64_t)f->ncode;
    f->lines[n2 + 1] = c->loc;
    f->nlines++;
    return PITH_OK;
}

/* Index of a constant (deduplicated for eq? values). */
static int const_index(comp *c, cfn *f, int kind, pv v, cfn *child, size_t *out) {
    if (kind != CK_CHILD) {
        for (size_t i = 0; i < f->nconst; i++)
            if (f->consts[i].kind == kind && c->pool[f->consts[i].pool] == v) {
                *out = i;
                return PITH_OK;
            }
    }
    TRY(GROW(c, f->consts, f->capconst, f->nconst));
    cconst *k = &f->consts[f->nconst];
    k->kind = kind;
    k->child = child;
    if (kind == CK_CHILD) k->pool = child->code_pool;
    else TRY(pool_add(c, v, &k->pool));
    *out = f->nconst++;
    if (*out >= (1u << 23)) return cerr(c, "too many constants in one procedure", PV_FALSE);
    return PITH_OK;
}

/* Load a constant value into acc with the shortest instruction. */
static int emit_constant(comp *c, cfn *f, pv v) {
    if (pv_is_fix(v) && pv_fix(v) >= -(1 << 23) && pv_fix(v) < (1 << 23))
        return emit(c, f, OP_IMM, (int32_t)pv_fix(v));
    if (pv_is_special(v) && (v >> 8) < 16) return emit(c, f, OP_SPECIAL, (int32_t)(v >> 8));
    size_t k;
    TRY(const_index(c, f, CK_VALUE, v, 0, &k));
    return emit(c, f, OP_CONST, (int32_t)k);
}

/* ---- variables ---- */

static bool is_mutated(comp *c, pv sym) {
    for (size_t i = 0; i < c->nmut; i++)
        if (c->mutated[i] == sym) return true;
    return false;
}

static int bind_var(comp *c, cfn *f, pv name, int slot, bool boxed) {
    cvar *v = arena_alloc(c, sizeof *v);
    if (!v) return err_oom(c->vm);
    v->name = name;
    v->slot = slot;
    v->boxed = boxed;
    v->next = f->scope;
    f->scope = v;
    return PITH_OK;
}

enum { V_LOCAL, V_FREE, V_GLOBAL };
typedef struct vref {
    int kind;      /* V_* */
    int index;     /* slot or free index */
    bool boxed;
} vref;

/* Resolve a variable name in function f, making it a free variable of f
 * (and of the functions between) when an enclosing function binds it. */
static int lookup(comp *c, cfn *f, pv name, vref *out) {
    for (cvar *v = f->scope; v; v = v->next)
        if (v->name == name) {
            out->kind = V_LOCAL;
            out->index = v->slot;
            out->boxed = v->boxed;
            return PITH_OK;
        }
    for (int i = 0; i < f->nfree; i++)
        if (f->frees[i] == name) {
            out->kind = V_FREE;
            out->index = i;
            out->boxed = f->free_boxed[i];
            return PITH_OK;
        }
    if (f->outer) {
        vref o;
        TRY(lookup(c, f->outer, name, &o));
        if (o.kind != V_GLOBAL) {
            size_t cap = (size_t)f->capfree, capb = (size_t)f->capfree;
            TRY(grow(c, (void **)&f->frees, &cap, (size_t)f->nfree, sizeof(pv)));
            TRY(grow(c, (void **)&f->free_boxed, &capb, (size_t)f->nfree, sizeof(bool)));
            f->capfree = (int)cap;
            f->frees[f->nfree] = name;
            f->free_boxed[f->nfree] = o.boxed;
            out->kind = V_FREE;
            out->index = f->nfree++;
            out->boxed = o.boxed;
            return PITH_OK;
        }
    }
    out->kind = V_GLOBAL;
    out->index = 0;
    out->boxed = false;
    return PITH_OK;
}

/* The cell of a global reference, if it already exists (no allocation). */
static pv global_cell(comp *c, pv x) {
    if (pv_is(x, T_CELL)) return x;
    pv b = env_lookup(c->vm, c->env, x);
    return pv_is(b, T_CELL) ? b : PV_FALSE;
}

static int global_const(comp *c, cfn *f, pv x, size_t *k) {
    if (pv_is(x, T_CELL)) return const_index(c, f, CK_VALUE, x, 0, k);
    pv b = env_lookup(c->vm, c->env, x);
    if (pv_is(b, T_MACRO) || pv_is(b, T_SPECIAL)) return cerr(c, "syntactic keyword used as a variable:", x);
    return const_index(c, f, CK_GLOBAL, x, 0, k);
}

/* Load the value of variable x (symbol or CELL) into acc. */
static int compile_ref(comp *c, cfn *f, pv x) {
    if (pv_is(x, T_CELL)) {
        size_t k;
        TRY(global_const(c, f, x, &k));
        return emit(c, f, OP_GREF, (int32_t)k);
    }
    vref r;
    TRY(lookup(c, f, x, &r));
    switch (r.kind) {
    case V_LOCAL: return emit(c, f, r.boxed ? OP_LREF_UNBOX : OP_LREF, r.index);
    case V_FREE: return emit(c, f, r.boxed ? OP_FREF_UNBOX : OP_FREF, r.index);
    default: {
        size_t k;
        TRY(global_const(c, f, x, &k));
        return emit(c, f, OP_GREF, (int32_t)k);
    }
    }
}

/* Load the raw slot (the box itself for a boxed variable): what a closure
 * captures. */
static int compile_capture(comp *c, cfn *f, pv name) {
    vref r;
    TRY(lookup(c, f, name, &r));
    if (r.kind == V_LOCAL) return emit(c, f, OP_LREF, r.index);
    if (r.kind == V_FREE) return emit(c, f, OP_FREF, r.index);
    return cerr(c, "internal error: captured variable is global", name);
}

/* ---- the set! pre-scan ---- */

static int scan_mutations(comp *c, pv x, int depth) {
    while (pv_is_pair(x)) {
        if (depth > c->max_depth) return cerr(c, "expression nested too deeply", PV_FALSE);
        pv h = CAR(x);
        if (h == c->kw[KW_QUOTE]) return PITH_OK;
        if (h == c->kw[KW_SET] && pv_is_pair(CDR(x)) && pv_is_symbol(CAR(CDR(x)))) {
            pv s = CAR(CDR(x));
            if (!is_mutated(c, s)) {
                TRY(GROW(c, c->mutated, c->capmut, c->nmut));
                c->mutated[c->nmut++] = s;
            }
        }
        /* Recurse into all elements but the last, loop on the last. */
        pv l = x;
        while (pv_is_pair(l) && pv_is_pair(CDR(l))) {
            if (pv_is_pair(CAR(l))) TRY(scan_mutations(c, CAR(l), depth + 1));
            l = CDR(l);
        }
        if (!pv_is_pair(l)) return PITH_OK;
        x = CAR(l);
    }
    return PITH_OK;
}

/* ---- expressions ---- */

static int compile_expr(comp *c, cfn *f, pv x, bool tail);
static int compile_lambda(comp *c, cfn *f, pv formals, pv body, pv form, pv name, cfn **out);
static int check_list(comp *c, pv x, long min, long max, const char *what);

static bool is_keyword(comp *c, cfn *f, pv h, int kw) {
    if (h != c->kw[kw]) return false;
    /* Shadowed by a local binding? */
    for (cfn *g = f; g; g = g->outer) {
        for (cvar *v = g->scope; v; v = v->next)
            if (v->name == h) return false;
        for (int i = 0; i < g->nfree; i++)
            if (g->frees[i] == h) return false;
    }
    return true;
}

static bool is_lambda_form(comp *c, cfn *f, pv x) {
    return pv_is_pair(x) && is_keyword(c, f, CAR(x), KW_LAMBDA);
}

/* Compile a (lambda formals body ...) form. */
static int compile_lambda_form(comp *c, cfn *f, pv x, pv name, cfn **out) {
    TRY(check_list(c, x, 2, -1, "lambda: bad syntax:"));
    return compile_lambda(c, f, CAR(CDR(x)), CDR(CDR(x)), x, name, out);
}

/* Emit the instructions that make the closure for child function g. */
static int emit_closure(comp *c, cfn *f, cfn *g) {
    for (int i = 0; i < g->nfree; i++) {
        TRY(compile_capture(c, f, g->frees[i]));
        TRY(emit_push(c, f));
    }
    size_t k;
    TRY(const_index(c, f, CK_CHILD, PV_FALSE, g, &k));
    TRY(emit(c, f, OP_CLOSURE, (int32_t)k));
    TRY(emit_word(c, f, (uint32_t)g->nfree));
    f->depth -= g->nfree;
    return PITH_OK;
}

static int emit_return(comp *c, cfn *f, bool tail) {
    return tail ? emit(c, f, OP_RET, 0) : PITH_OK;
}

/* Arguments of an application: push each, left to right. */
static int compile_args(comp *c, cfn *f, pv args, int *n) {
    *n = 0;
    for (pv a = args; pv_is_pair(a); a = CDR(a)) {
        TRY(compile_expr(c, f, CAR(a), false));
        TRY(emit_push(c, f));
        (*n)++;
    }
    return PITH_OK;
}

/* Open-coded primitive applications: returns 1 when it emitted code. */
static int try_inline(comp *c, cfn *f, pv head, pv args, int nargs, bool tail, int *done) {
    *done = 0;
    if (!pv_is_symbol(head) && !pv_is(head, T_CELL)) return PITH_OK;
    if (pv_is_symbol(head)) {
        for (cfn *g = f; g; g = g->outer) {
            for (cvar *v = g->scope; v; v = v->next)
                if (v->name == head) return PITH_OK;
            for (int i = 0; i < g->nfree; i++)
                if (g->frees[i] == head) return PITH_OK;
        }
    }
    pv cell = global_cell(c, head);
    if (!pv_is(cell, T_CELL)) return PITH_OK;
    int64_t flags = pv_fix(SLOT(cell, CELL_FLAGS));
    int op = (int)((flags >> 8) & 0xff);
    int arity = (int)((flags >> 16) & 0xff);
    if (!op || !(flags & CELLF_CONST)) return PITH_OK;
    /* the flags must be those of the builtin the cell holds (an image from
     * elsewhere could say anything) */
    pv prim = SLOT(cell, CELL_VALUE);
    if (!pv_is(prim, T_PRIM) || !pv_is_fix(SLOT(prim, PRIM_INDEX))) return PITH_OK;
    int64_t idx = pv_fix(SLOT(prim, PRIM_INDEX));
    if (idx < 0 || idx >= PRIM_BUILTIN_COUNT || prim_cell_flags((int)idx) != (flags & 0xffffff)) return PITH_OK;
    if (op == OP_ADD || op == OP_MUL) {
        if (nargs < 2) return PITH_OK;
        /* (+ x k) and (+ k x) with a small constant: ADDI */
        if (op == OP_ADD && nargs == 2) {
            pv a = CAR(args), b = CAR(CDR(args));
            if (pv_is_fix(a) && !pv_is_fix(b)) { pv t = a; a = b; b = t; }
            if (pv_is_fix(b) && pv_fix(b) > -(1 << 22) && pv_fix(b) < (1 << 22)) {
                TRY(compile_expr(c, f, a, false));
                TRY(add_line(c, f));
                TRY(emit(c, f, OP_ADDI, (int32_t)pv_fix(b)));
                *done = 1;
                return emit_return(c, f, tail);
            }
        }
        TRY(compile_expr(c, f, CAR(args), false));
        for (pv a = CDR(args); pv_is_pair(a); a = CDR(a)) {
            TRY(emit_push(c, f));
            TRY(compile_expr(c, f, CAR(a), false));
            TRY(add_line(c, f));
            TRY(emit(c, f, op, 0));
            f->depth--;
        }
        *done = 1;
        return emit_return(c, f, tail);
    }
    if (nargs != arity) return PITH_OK;
    if (op == OP_SUB && pv_is_fix(CAR(CDR(args))) && pv_fix(CAR(CDR(args))) > -(1 << 22) &&
        pv_fix(CAR(CDR(args))) < (1 << 22)) {
        TRY(compile_expr(c, f, CAR(args), false));
        TRY(add_line(c, f));
        TRY(emit(c, f, OP_ADDI, (int32_t)-pv_fix(CAR(CDR(args)))));
        *done = 1;
        return emit_return(c, f, tail);
    }
    /* All but the last argument on the stack, the last in acc. */
    int i = 0;
    for (pv a = args; pv_is_pair(a); a = CDR(a), i++) {
        TRY(compile_expr(c, f, CAR(a), false));
        if (i < nargs - 1) TRY(emit_push(c, f));
    }
    TRY(add_line(c, f));
    TRY(emit(c, f, op, 0));
    f->depth -= nargs > 0 ? nargs - 1 : 0;
    *done = 1;
    return emit_return(c, f, tail);
}

static int compile_application(comp *c, cfn *f, pv x, bool tail) {
    pv head = CAR(x), args = CDR(x);
    long nargs = list_length(args);
    if (nargs < 0) return cerr(c, "bad application (improper list):", x);
    int done;
    TRY(try_inline(c, f, head, args, (int)nargs, tail, &done));
    if (done) return PITH_OK;
    if (!tail) {
        TRY(emit(c, f, OP_FRAME, 0));
        bump(f, 3);
    }
    int n;
    TRY(compile_args(c, f, args, &n));
    /* A global operator: GREF_CALL saves a dispatch. */
    vref r = {V_LOCAL, 0, false};
    if (pv_is_symbol(head)) TRY(lookup(c, f, head, &r));
    if (pv_is(head, T_CELL) || (pv_is_symbol(head) && r.kind == V_GLOBAL)) {
        size_t k;
        TRY(global_const(c, f, head, &k));
        TRY(add_line(c, f));
        TRY(emit(c, f, tail ? OP_GREF_TCALL : OP_GREF_CALL, (int32_t)k));
        TRY(emit_word(c, f, (uint32_t)n));
    } else {
        TRY(compile_expr(c, f, head, false));
        TRY(add_line(c, f));
        TRY(emit(c, f, tail ? OP_TCALL : OP_CALL, n));
    }
    f->depth -= n + (tail ? 0 : 3);
    return PITH_OK;
}

static int check_list(comp *c, pv x, long min, long max, const char *what) {
    long n = list_length(x);
    if (n < min || (max >= 0 && n > max)) return cerr(c, what, x);
    return PITH_OK;
}

/* Is every name in the formals a symbol, with no duplicates? */
static int check_formals(comp *c, pv formals, pv form) {
    for (pv p = formals; ; p = CDR(p)) {
        pv v = pv_is_pair(p) ? CAR(p) : p;
        if (v == PV_NULL) break;
        if (!pv_is_symbol(v)) return cerr(c, "lambda: parameter is not an identifier:", form);
        for (pv q = formals; q != p && pv_is_pair(q); q = CDR(q))
            if (CAR(q) == v) return cerr(c, "lambda: duplicate parameter:", v);
        if (!pv_is_pair(p)) break;
    }
    return PITH_OK;
}

/* A body: forms in sequence, the last in tail position of the function.
 * (Only the top-level compile and lambda use this; nested sequences go
 * through begin.) */
static int compile_body(comp *c, cfn *f, pv body, bool tail) {
    if (body == PV_NULL) {
        TRY(emit(c, f, OP_SPECIAL, (int32_t)(PV_VOID >> 8)));
        return emit_return(c, f, tail);
    }
    for (; pv_is_pair(CDR(body)); body = CDR(body)) TRY(compile_expr(c, f, CAR(body), false));
    return compile_expr(c, f, CAR(body), tail);
}

/* Compile (lambda formals . body) into a new child function of f. */
static int compile_lambda(comp *c, cfn *f, pv formals, pv body, pv form, pv name, cfn **out) {
    pith_vm *vm = c->vm;
    if (list_length(body) < 0) return cerr(c, "lambda: bad syntax:", form);
    TRY(check_formals(c, formals, form));
    cfn *g = arena_alloc(c, sizeof *g);
    if (!g) return err_oom(vm);
    MEMSET(g, 0, sizeof *g);
    g->outer = f;
    g->name = name;
    g->loc = c->loc;
    g->name_pool = (size_t)-1;
    if (pv_is_symbol(name)) TRY(pool_add(c, name, &g->name_pool));
    TRY(pool_add(c, PV_FALSE, &g->code_pool));
    int nreq = 0;
    bool rest = false;
    pv p = formals;
    for (; pv_is_pair(p); p = CDR(p)) nreq++;
    rest = p != PV_NULL;
    g->arity = rest ? -(nreq + 1) : nreq;
    g->depth = g->maxdepth = 1 + nreq + (rest ? 1 : 0);
    TRY(emit(c, g, rest ? OP_ENTER_REST : OP_ENTER, nreq));
    TRY(emit_word(c, g, 0));  /* frame size, patched below */
    int slot = 1;
    for (p = formals; pv_is_pair(p); p = CDR(p), slot++) {
        bool boxed = is_mutated(c, CAR(p));
        TRY(bind_var(c, g, CAR(p), slot, boxed));
        if (boxed) TRY(emit(c, g, OP_BOX, slot));
    }
    if (rest) {
        bool boxed = is_mutated(c, p);
        TRY(bind_var(c, g, p, slot, boxed));
        if (boxed) TRY(emit(c, g, OP_BOX, slot));
    }
    TRY(compile_body(c, g, body, true));
    g->code[1] = (uint32_t)(g->maxdepth + 4);
    *out = g;
    return PITH_OK;
}

/* letrec / letrec*: see the header for when variables need boxes. */
static int compile_letrec(comp *c, cfn *f, pv x, bool tail, pending **pend) {
    TRY(check_list(c, x, 3, -1, "letrec: bad syntax:"));
    pv bindings = CAR(CDR(x)), body = CDR(CDR(x));
    long n = list_length(bindings);
    if (n < 0) return cerr(c, "letrec: bad bindings:", x);
    int base = f->depth;
    /* Pass 1: a slot per variable; decide boxes. */
    bool seen_nonlambda = false;
    int i = 0;
    for (pv b = bindings; pv_is_pair(b); b = CDR(b), i++) {
        pv bd = CAR(b);
        if (list_length(bd) != 2 || !pv_is_symbol(CAR(bd))) return cerr(c, "letrec: bad binding:", bd);
        pv v = CAR(bd), init = CAR(CDR(bd));
        bool lam = is_lambda_form(c, f, init);
        bool boxed = is_mutated(c, v) || !lam || seen_nonlambda;
        if (!lam) seen_nonlambda = true;
        TRY(emit(c, f, OP_SPECIAL, (int32_t)(PV_UNASSIGNED >> 8)));
        if (boxed) TRY(emit(c, f, OP_MKBOX, 0));
        TRY(emit_push(c, f));
        TRY(bind_var(c, f, v, base + i, boxed));
    }
    /* Pass 2: evaluate the inits in order.  A closure made before a
     * sibling lambda it captures exists gets patched when it does. */
    typedef struct patch { int closure_slot; int free_index; pv var; struct patch *next; } patch;
    patch *todo = 0;
    i = 0;
    for (pv b = bindings; pv_is_pair(b); b = CDR(b), i++) {
        pv v = CAR(CAR(b)), init = CAR(CDR(CAR(b)));
        vref r;
        TRY(lookup(c, f, v, &r));
        if (!r.boxed) {
            cfn *g;
            TRY(compile_lambda_form(c, f, init, v, &g));
            TRY(emit_closure(c, f, g));
            TRY(emit(c, f, OP_LSET, base + i));
            /* Free variables of g that are letrec siblings not yet made. */
            int j = 0;
            for (pv b2 = bindings; pv_is_pair(b2); b2 = CDR(b2), j++) {
                if (j < i) continue;
                pv v2 = CAR(CAR(b2));
                vref r2;
                TRY(lookup(c, f, v2, &r2));
                if (r2.boxed) continue;
                for (int k = 0; k < g->nfree; k++)
                    if (g->frees[k] == v2) {
                        if (j == i) {
                            /* Refers to itself: patch now. */
                            TRY(emit(c, f, OP_LREF, base + i));
                            TRY(emit(c, f, OP_PATCH, base + i));
                            TRY(emit_word(c, f, (uint32_t)k));
                        } else {
                            patch *p = arena_alloc(c, sizeof *p);
                            if (!p) return err_oom(c->vm);
                            p->closure_slot = base + i;
                            p->free_index = k;
                            p->var = v2;
                            p->next = todo;
                            todo = p;
                        }
                    }
            }
            for (patch **pp = &todo; *pp;) {
                if ((*pp)->var == v) {
                    TRY(emit(c, f, OP_LREF, base + i));
                    TRY(emit(c, f, OP_PATCH, (*pp)->closure_slot));
                    TRY(emit_word(c, f, (uint32_t)(*pp)->free_index));
                    *pp = (*pp)->next;
                } else {
                    pp = &(*pp)->next;
                }
            }
        } else {
            pv name = is_lambda_form(c, f, init) ? v : PV_FALSE;
            if (pv_is_symbol(name)) {
                cfn *g;
                TRY(compile_lambda_form(c, f, init, name, &g));
                TRY(emit_closure(c, f, g));
            } else {
                TRY(compile_expr(c, f, init, false));
            }
            TRY(emit(c, f, OP_LSET_BOX, base + i));
        }
    }
    if (!tail) {
        pending *p = arena_alloc(c, sizeof *p);
        if (!p) return err_oom(c->vm);
        p->kind = PD_DROP;
        p->n = (int)n;
        p->depth = base;
        p->next = *pend;
        *pend = p;
    }
    (void)body;
    return PITH_OK;
}

/* ((lambda (v ...) body) arg ...): bind in this frame, no closure. */
static int compile_let(comp *c, cfn *f, pv lam, pv args, bool tail, pending **pend, bool *ok) {
    *ok = false;
    if (list_length(lam) < 3) return PITH_OK;
    pv formals = CAR(CDR(lam));
    long nf = list_length(formals), na = list_length(args);
    if (nf < 0 || nf != na) return PITH_OK;
    TRY(check_formals(c, formals, lam));
    int base = f->depth;
    for (pv a = args; pv_is_pair(a); a = CDR(a)) {
        TRY(compile_expr(c, f, CAR(a), false));
        TRY(emit_push(c, f));
    }
    /* Bind only after all inits are evaluated (let, not let*). */
    int i = 0;
    for (pv p = formals; pv_is_pair(p); p = CDR(p), i++) {
        bool boxed = is_mutated(c, CAR(p));
        if (boxed) TRY(emit(c, f, OP_BOX, base + i));
        TRY(bind_var(c, f, CAR(p), base + i, boxed));
    }
    if (!tail && nf > 0) {
        pending *p = arena_alloc(c, sizeof *p);
        if (!p) return err_oom(c->vm);
        p->kind = PD_DROP;
        p->n = (int)nf;
        p->depth = base;
        p->next = *pend;
        *pend = p;
    }
    *ok = true;
    return PITH_OK;
}

static int compile_expr(comp *c, cfn *f, pv x, bool tail) {
    pith_vm *vm = c->vm;
    if (++c->depth > c->max_depth) return cerr(c, "expression nested too deeply", PV_FALSE);
    pending *pend = 0;
    cvar *saved_scope = f->scope;
    int64_t saved_loc = c->loc;
    int saved_depth = f->depth;
    for (;;) {
        if (pv_is_pair(x) && pv_size(x) == 3 && pv_is_fix(PAIR_LOC(x))) c->loc = pv_fix(PAIR_LOC(x));
        if (pv_is_symbol(x) || pv_is(x, T_CELL)) {
            TRY(compile_ref(c, f, x));
            TRY(emit_return(c, f, tail));
            break;
        }
        if (!pv_is_pair(x)) {
            if (x == PV_NULL) return cerr(c, "empty application ()", x);
            if (pv_is(x, T_IDENT) || pv_is(x, T_MACRO) || pv_is(x, T_SPECIAL))
                return cerr(c, "internal error: syntax object in expanded code:", x);
            if (pv_is(x, T_STRING) || pv_is(x, T_VECTOR) || pv_is(x, T_BYTEVECTOR)) pv_set_flag(x, OF_IMMUTABLE);
            TRY(emit_constant(c, f, x));
            TRY(emit_return(c, f, tail));
            break;
        }
        pv h = CAR(x);
        if (is_keyword(c, f, h, KW_QUOTE)) {
            TRY(check_list(c, x, 2, 2, "quote: bad syntax:"));
            pv d = CAR(CDR(x));
            if (pv_is(d, T_STRING) || pv_is(d, T_VECTOR) || pv_is(d, T_BYTEVECTOR)) pv_set_flag(d, OF_IMMUTABLE);
            TRY(emit_constant(c, f, d));
            TRY(emit_return(c, f, tail));
            break;
        }
        if (is_keyword(c, f, h, KW_IF)) {
            TRY(check_list(c, x, 3, 4, "if: bad syntax:"));
            pv test = CAR(CDR(x)), then = CAR(CDR(CDR(x)));
            pv els = pv_is_pair(CDR(CDR(CDR(x)))) ? CAR(CDR(CDR(CDR(x)))) : PV_VOID;
            TRY(compile_expr(c, f, test, false));
            bool then_deep = pv_is_pair(then) && !pv_is_pair(els);
            size_t j1 = f->ncode;
            int d0 = f->depth;
            if (then_deep) {
                /* Loop on the then-branch (nested `and`): else first. */
                TRY(emit(c, f, OP_JT, 0));
                TRY(compile_expr(c, f, els, tail));
                f->depth = d0;
                if (!tail) {
                    pending *p = arena_alloc(c, sizeof *p);
                    if (!p) return err_oom(vm);
                    p->kind = PD_JUMP;
                    p->at = f->ncode;
                    p->next = pend;
                    pend = p;
                    TRY(emit(c, f, OP_JMP, 0));
                }
                TRY(patch_jump(c, f, j1, OP_JT));
                x = then;
                continue;
            }
            TRY(emit(c, f, OP_JF, 0));
            TRY(compile_expr(c, f, then, tail));
            f->depth = d0;
            if (!tail) {
                pending *p = arena_alloc(c, sizeof *p);
                if (!p) return err_oom(vm);
                p->kind = PD_JUMP;
                p->at = f->ncode;
                p->next = pend;
                pend = p;
                TRY(emit(c, f, OP_JMP, 0));
            }
            TRY(patch_jump(c, f, j1, OP_JF));
            x = els;
            continue;
        }
        if (is_keyword(c, f, h, KW_BEGIN)) {
            if (list_length(x) < 0) return cerr(c, "begin: bad syntax:", x);
            pv body = CDR(x);
            if (body == PV_NULL) {
                TRY(emit(c, f, OP_SPECIAL, (int32_t)(PV_VOID >> 8)));
                TRY(emit_return(c, f, tail));
                break;
            }
            for (; pv_is_pair(CDR(body)); body = CDR(body)) TRY(compile_expr(c, f, CAR(body), false));
            x = CAR(body);
            continue;
        }
        if (is_keyword(c, f, h, KW_LAMBDA)) {
            cfn *g;
            TRY(compile_lambda_form(c, f, x, PV_FALSE, &g));
            TRY(emit_closure(c, f, g));
            TRY(emit_return(c, f, tail));
            break;
        }
        if (is_keyword(c, f, h, KW_DEFINE)) {
            if (f->outer) return cerr(c, "define: not allowed here (in an expression):", x);
            TRY(check_list(c, x, 2, -1, "define: bad syntax:"));
            pv target = CAR(CDR(x)), val;
            if (pv_is_pair(target)) {
                /* stage 0 sugar: (define (name . formals) body ...) */
                pv name = CAR(target);
                if (!pv_is_symbol(name)) return cerr(c, "define: bad syntax:", x);
                cfn *g;
                TRY(check_list(c, x, 3, -1, "define: bad syntax:"));
                TRY(compile_lambda(c, f, CDR(target), CDR(CDR(x)), x, name, &g));
                TRY(emit_closure(c, f, g));
                target = name;
            } else {
                long n = list_length(x);
                if (n != 3 && n != 2) return cerr(c, "define: bad syntax:", x);
                if (!pv_is_symbol(target) && !pv_is(target, T_CELL)) return cerr(c, "define: not an identifier:", target);
                val = n == 3 ? CAR(CDR(CDR(x))) : PV_VOID;
                if (is_lambda_form(c, f, val)) {
                    cfn *g;
                    pv nm = pv_is(target, T_CELL) ? SLOT(target, CELL_NAME) : target;
                    TRY(compile_lambda_form(c, f, val, nm, &g));
                    TRY(emit_closure(c, f, g));
                } else {
                    TRY(compile_expr(c, f, val, false));
                }
            }
            size_t k;
            if (pv_is(target, T_CELL)) TRY(const_index(c, f, CK_VALUE, target, 0, &k));
            else TRY(const_index(c, f, CK_GLOBAL, target, 0, &k));
            TRY(emit(c, f, OP_GDEF, (int32_t)k));
            TRY(emit_return(c, f, tail));
            break;
        }
        if (is_keyword(c, f, h, KW_SET)) {
            TRY(check_list(c, x, 3, 3, "set!: bad syntax:"));
            pv target = CAR(CDR(x));
            if (!pv_is_symbol(target) && !pv_is(target, T_CELL)) return cerr(c, "set!: not a variable:", target);
            TRY(compile_expr(c, f, CAR(CDR(CDR(x))), false));
            vref r = {V_GLOBAL, 0, false};
            if (pv_is_symbol(target)) TRY(lookup(c, f, target, &r));
            if (r.kind == V_GLOBAL) {
                size_t k;
                TRY(global_const(c, f, target, &k));
                TRY(add_line(c, f));
                TRY(emit(c, f, OP_GSET, (int32_t)k));
            } else if (!r.boxed) {
                return cerr(c, "internal error: set! of an unboxed variable:", target);
            } else {
                TRY(emit(c, f, r.kind == V_LOCAL ? OP_LSET_BOX : OP_FSET_BOX, r.index));
            }
            TRY(emit_return(c, f, tail));
            break;
        }
        if (is_keyword(c, f, h, KW_LETREC) || is_keyword(c, f, h, KW_LETREC_STAR)) {
            TRY(compile_letrec(c, f, x, tail, &pend));
            pv body = CDR(CDR(x));
            for (; pv_is_pair(CDR(body)); body = CDR(body)) TRY(compile_expr(c, f, CAR(body), false));
            x = CAR(body);
            continue;
        }
        if (is_lambda_form(c, f, h)) {
            bool ok;
            TRY(compile_let(c, f, h, CDR(x), tail, &pend, &ok));
            if (ok) {
                pv body = CDR(CDR(h));
                for (; pv_is_pair(CDR(body)); body = CDR(body)) TRY(compile_expr(c, f, CAR(body), false));
                x = CAR(body);
                continue;
            }
        }
        TRY(compile_application(c, f, x, tail));
        break;
    }
    /* Resolve pending jumps and drops, innermost first. */
    for (pending *p = pend; p; p = p->next) {
        if (p->kind == PD_JUMP) {
            TRY(patch_jump(c, f, p->at, OP_JMP));
        } else {
            TRY(emit(c, f, OP_DROP, p->n));
            f->depth = p->depth;
        }
    }
    f->scope = saved_scope;
    f->depth = saved_depth;
    c->loc = saved_loc;
    c->depth--;
    return PITH_OK;
}

/* ---- build: CODE objects from the compiled functions ---- */

static int build(comp *c, cfn *f, pv *out) {
    pith_vm *vm = c->vm;
    /* Children first (their CODE objects are constants here).  The nesting
     * of lambdas is bounded by the depth limit, so this recursion is too. */
    for (size_t i = 0; i < f->nconst; i++)
        if (f->consts[i].kind == CK_CHILD) {
            pv code;
            TRY(build(c, f->consts[i].child, &code));
            c->pool[f->consts[i].child->code_pool] = code;
        }
    pv insns = PV_FALSE, consts = PV_FALSE, lines = PV_FALSE, code;
    GC_SCOPE(vm);
    GC_ROOT3(insns, consts, lines);
    TRY(gc_alloc(vm, T_INSNS, 1 + (f->ncode + 1) / 2, &insns));
    INSNS_COUNT(insns) = pv_from_fix((int64_t)f->ncode);
    MEMCPY(insns_words(insns), f->code, f->ncode * 4);
    TRY(mk_vector(vm, f->nconst, PV_FALSE, &consts));
    for (size_t i = 0; i < f->nconst; i++) {
        cconst *k = &f->consts[i];
        pv v = c->pool[k->pool];
        if (k->kind == CK_GLOBAL) {
            pv cell;
            TRY(env_cell(vm, c->env, c->pool[k->pool], &cell));
            v = cell;
        }
        pv_store(vm, consts, &SLOT(consts, i), v);
    }
    if (f->nlines) {
        TRY(mk_vector(vm, 2 * f->nlines, PV_FALSE, &lines));
        for (size_t i = 0; i < 2 * f->nlines; i++) SLOT(lines, i) = pv_from_fix(f->lines[i]);
    }
    TRY(gc_alloc(vm, T_CODE, CODE_SIZE, &code));
    SLOT(code, CODE_INSNS) = insns;
    SLOT(code, CODE_CONSTS) = consts;
    SLOT(code, CODE_NAME) = f->name_pool != (size_t)-1 ? c->pool[f->name_pool] : PV_FALSE;
    SLOT(code, CODE_ARITY) = pv_from_fix(f->arity);
    SLOT(code, CODE_NFREE) = pv_from_fix(f->nfree);
    SLOT(code, CODE_LINES) = lines;
    SLOT(code, CODE_LOC) = f->loc >= 0 ? pv_from_fix(f->loc) : PV_FALSE;
    *out = code;
    return PITH_OK;
}

int compile_toplevel(pith_vm *vm, pv form, pv env, pv *out) {
    comp c;
    MEMSET(&c, 0, sizeof c);
    c.vm = vm;
    c.env = env;
    c.loc = -1;
    c.max_depth = vm->max_depth > 0 ? vm->max_depth : 400;
    for (int i = 0; i < KW_COUNT; i++) c.kw[i] = SLOT(vm->r.keywords, i);
    int s = PITH_OK;
    cfn *top = arena_alloc(&c, sizeof *top);
    if (!top) { s = err_oom(vm); goto done; }
    MEMSET(top, 0, sizeof *top);
    top->name = PV_FALSE;
    top->name_pool = (size_t)-1;
    top->loc = -1;
    top->depth = top->maxdepth = 1;
    if ((s = scan_mutations(&c, form, 0))) goto done;
    if ((s = pool_add(&c, PV_FALSE, &top->code_pool))) goto done;
    if ((s = emit(&c, top, OP_ENTER, 0))) goto done;
    if ((s = emit_word(&c, top, 0))) goto done;
    /* The top level's own calls are not tail calls: a top-level form runs
     * once, and keeping its frame lets an error report where it happened. */
    if ((s = compile_expr(&c, top, form, false))) goto done;
    if ((s = emit(&c, top, OP_RET, 0))) goto done;
    top->code[1] = (uint32_t)(top->maxdepth + 4);
    {
        /* Phase 2: the pool becomes a root while CODE objects are made. */
        if (vm->nranges >= 8) { s = err_msg(vm, "error", "compile", "too many nested compilations", PV_FALSE); goto done; }
        GC_SCOPE(vm);
        GC_ROOT(c.env);
        int r = vm->nranges++;
        vm->ranges[r] = c.pool;
        vm->range_len[r] = c.npool;
        pv code;
        s = build(&c, top, &code);
        vm->nranges--;
        if (!s) *out = code;
    }
done:
    if (s == PITH_ERROR && c.emsg) s = raise_cerr(&c);
    arena_free(&c);
    return s;
}
