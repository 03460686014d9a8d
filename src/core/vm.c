/* vm.c -- the bytecode interpreter.
 *
 * Frames live on a segmented stack in the heap (DESIGN.md, Execution):
 *   fp[-2] saved fp (fix)  fp[-1] return pc (fix)  fp[0] procedure  fp[1..]
 * The bottom three slots of every segment are a link frame whose procedure
 * is the underflow closure: returning into it executes UNDERFLOW, which
 * continues in the segment below (STK_PREV), copying it first if a
 * continuation froze it.  call/cc freezes the current segment chain and
 * moves on to a fresh segment, so capture is O(1) and frozen segments are
 * never written.  Calls allocate nothing; a frame that does not fit moves
 * to a new segment.
 *
 * Registers live in C locals while the loop runs and in the VM struct
 * across anything that can collect (SAVE/LOAD), since the collector moves
 * stack segments and code.
 *
 * SPDX-License-Identifier: MIT
 */
#include "vm.h"
#include "number.h"

#define SEG_SLOTS 4096          /* slots in a default stack segment */
#define CALLCC_SLOTS 256        /* a segment started by call/cc (it grows) */
#define LINK_FP VM_LINK_FP      /* fp of a segment's link frame */
#define FUEL_GRACE 1000000      /* steps a fuel-exhausted handler may take */

static pv *seg_slots(pv seg) { return (pv *)pv_raw(seg, STK_HDR); }
static size_t seg_cap(pv seg) { return (size_t)pv_size(seg) - STK_HDR; }

/* A new (or the spare) segment of `slots` slots, its link frame filled
 * in; the link fields are the caller's. */
static int seg_make(pith_vm *vm, size_t slots, pv *out) {
    pv spare = vm->r.spare;
    pv seg;
    if (pv_is(spare, T_STACK) && !pv_has_flag(spare, OF_FROZEN) && seg_cap(spare) >= slots) {
        seg = spare;
        vm->r.spare = PV_FALSE;
    } else {
        TRY(gc_alloc(vm, T_STACK, STK_HDR + slots, &seg));
    }
    SLOT(seg, STK_FILL) = pv_from_fix(LINK_FP + 1);
    SLOT(seg, STK_PREV) = PV_FALSE;
    SLOT(seg, STK_PREV_SP) = pv_from_fix(0);
    SLOT(seg, STK_PREV_FP) = pv_from_fix(0);
    SLOT(seg, STK_PREV_PC) = pv_from_fix(0);
    pv *s = seg_slots(seg);
    s[0] = pv_from_fix(0);
    s[1] = pv_from_fix(0);
    s[2] = vm->r.underflow;
    *out = seg;
    return PITH_OK;
}

/* Slots a segment needs to hold frames up to `sp` and the whole extent of
 * every frame in it (each code's frame size, from its ENTER instruction),
 * so that a continuation or a return resumes there without overflowing:
 * a frame lower down may reserve more than the one on top, and it runs
 * again in this segment when the frames above it return. */
static size_t frame_room(const pv *slots, size_t fp, size_t sp) {
    size_t need = sp;
    for (;;) {
        pv proc = slots[fp];
        if (pv_is(proc, T_CLOSURE)) {
            pv insns = SLOT(CLO_CODE(proc), CODE_INSNS);
            if (pv_fix(INSNS_COUNT(insns)) > 1) {
                size_t end = fp + insns_words(insns)[1] + 4;
                if (end > need) need = end;
            }
        }
        if (fp <= LINK_FP) break;
        size_t below = (size_t)pv_fix(slots[fp - 2]);
        if (below >= fp) break;  /* never: frames chain downwards */
        fp = below;
    }
    return need;
}

/* A segment with room for `need` slots beyond its link frame. */
static int seg_new(pith_vm *vm, size_t need, pv *out) {
    size_t slots = need + LINK_FP + 8 > SEG_SLOTS ? need + LINK_FP + 8 + SEG_SLOTS / 4 : SEG_SLOTS;
    return seg_make(vm, slots, out);
}

/* The VM is leaving segment seg: record its fill and remember it (it was
 * written without the barrier while current). */
static void seg_leave(pith_vm *vm, pv seg, size_t fill) {
    SLOT(seg, STK_FILL) = pv_from_fix((int64_t)fill);
    if (!in_nursery(vm, seg)) gc_remember(vm, seg);
}

/* Freeze seg and every segment below it (they are all part of any
 * continuation that captures seg). */
static void seg_freeze(pith_vm *vm, pv seg) {
    while (pv_is(seg, T_STACK) && !pv_has_flag(seg, OF_FROZEN)) {
        pv_set_flag(seg, OF_FROZEN);
        if (!in_nursery(vm, seg)) gc_remember(vm, seg);
        seg = SLOT(seg, STK_PREV);
    }
}

/* Move the frame whose procedure slot is `at` (header, procedure and n
 * arguments) to a new segment with `room` more slots.  The new segment's
 * link frame returns to where the frame would have returned.  Registers
 * must be saved; afterwards the frame's procedure slot is LINK_FP + 3. */
static int relocate_frame(pith_vm *vm, size_t at, int n, size_t room) {
    pv seg;
    TRY(seg_new(vm, (size_t)n + 3 + room, &seg));
    pv old = vm->r.stack;
    pv *os = seg_slots(old), *ns = seg_slots(seg);
    MEMCPY(ns + LINK_FP + 1, os + at - 2, ((size_t)n + 3) * sizeof(pv));
    ns[LINK_FP + 1] = pv_from_fix(LINK_FP);
    ns[LINK_FP + 2] = pv_from_fix(0);
    SLOT(seg, STK_PREV) = old;
    SLOT(seg, STK_PREV_SP) = pv_from_fix((int64_t)at - 2);
    SLOT(seg, STK_PREV_FP) = os[at - 2];
    SLOT(seg, STK_PREV_PC) = os[at - 1];
    seg_leave(vm, old, at - 2);
    vm->r.stack = seg;
    vm->fp = LINK_FP;
    vm->pc = 0;
    vm->sp = LINK_FP + 4 + (uint32_t)n;
    return PITH_OK;
}

int vm_init_stack(pith_vm *vm) {
    pv seg;
    TRY(seg_new(vm, SEG_SLOTS / 2, &seg));
    /* The bottom frame is the halt frame: returning into it stops. */
    seg_slots(seg)[2] = vm->r.halt;
    vm->r.stack = seg;
    vm->sp = LINK_FP + 1;
    vm->fp = LINK_FP;
    vm->pc = 0;
    vm->r.acc = PV_VOID;
    return PITH_OK;
}

int vm_reset(pith_vm *vm) {
    pv seg = vm->r.stack;
    if (!pv_is(seg, T_STACK) || pv_has_flag(seg, OF_FROZEN) || SLOT(seg, STK_PREV) != PV_FALSE)
        return vm_init_stack(vm);
    seg_slots(seg)[2] = vm->r.halt;
    vm->sp = LINK_FP + 1;
    vm->fp = LINK_FP;
    vm->pc = 0;
    vm->r.acc = PV_VOID;
    return PITH_OK;
}

static int vm_setup_call_rooted(pith_vm *vm, pv proc, int argc, const pv *argv);

/* Arrange for the next vm_run to call proc with argv.  argv must be rooted
 * storage (or the handle table); the values are copied to the stack. */
int vm_setup_call(pith_vm *vm, pv proc, int argc, const pv *argv) {
    GC_SCOPE(vm);
    GC_ROOT(proc);
    /* argv is the caller's copy: a root range while this allocates. */
    if (vm->nranges >= 8) return err_msg(vm, "error", 0, "too many nested calls from C", PV_FALSE);
    int range = vm->nranges++;
    vm->ranges[range] = (pv *)argv;
    vm->range_len[range] = argv ? (size_t)argc : 0;
    int st = vm_setup_call_rooted(vm, proc, argc, argv);
    vm->nranges--;
    return st;
}

static int vm_setup_call_rooted(pith_vm *vm, pv proc, int argc, const pv *argv) {
    GC_SCOPE(vm);
    GC_ROOT(proc);
    TRY(vm_reset(vm));
    pv seg = vm->r.stack;
    if (seg_cap(seg) < (size_t)argc + 16) {
        pv nseg;
        TRY(seg_new(vm, (size_t)argc + 16, &nseg));
        seg_slots(nseg)[2] = vm->r.halt;
        vm->r.stack = seg = nseg;
    }
    pv *s = seg_slots(seg);
    s[3] = pv_from_fix(LINK_FP);
    s[4] = pv_from_fix(0);
    s[5] = proc;
    for (int i = 0; i < argc; i++) s[6 + i] = argv[i];
    vm->fp = 5;
    vm->sp = 6 + (uint32_t)argc;
    vm->argc = argc;
    vm->pc = UINT32_MAX;  /* "start by invoking fp[0]" */
    return PITH_OK;
}

int err_arity(pith_vm *vm, pv proc, int argc) {
    char buf[200];
    const char *name = "anonymous procedure";
    char nbuf[80];
    pv nm = PV_FALSE;
    long expect_min = -1, expect_max = -1;
    if (pv_is(proc, T_CLOSURE)) {
        pv code = CLO_CODE(proc);
        nm = SLOT(code, CODE_NAME);
        int64_t a = pv_fix(SLOT(code, CODE_ARITY));
        if (a >= 0) expect_min = expect_max = a;
        else expect_min = -a - 1;
    } else if (pv_is(proc, T_PRIM)) {
        nm = SLOT(proc, PRIM_NAME);
        expect_min = pv_fix(SLOT(proc, PRIM_MIN));
        expect_max = pv_fix(SLOT(proc, PRIM_MAX));
    }
    if (pv_is_symbol(nm)) {
        pv str = SYM_NAME(nm);
        size_t n = str_utf8_len(str, 0, str_len(str));
        if (n < sizeof nbuf) {
            str_to_utf8(str, 0, str_len(str), (uint8_t *)nbuf);
            nbuf[n] = 0;
            name = nbuf;
        }
    } else if (pv_is(proc, T_CLOSURE) && pv_is_fix(SLOT(CLO_CODE(proc), CODE_LOC))) {
        /* An anonymous procedure: say where it was made. */
        int64_t l = pv_fix(SLOT(CLO_CODE(proc), CODE_LOC));
        fmt(nbuf, sizeof nbuf, "procedure at line %ld, column %ld", (long)loc_line(l), (long)loc_col(l) + 1);
        name = nbuf;
    }
    if (expect_max == expect_min && expect_min >= 0)
        fmt(buf, sizeof buf, "%s: wrong number of arguments: expected %ld, got %d", name, expect_min, argc);
    else if (expect_max < 0)
        fmt(buf, sizeof buf, "%s: wrong number of arguments: expected at least %ld, got %d", name, expect_min, argc);
    else
        fmt(buf, sizeof buf, "%s: wrong number of arguments: expected %ld to %ld, got %d", name, expect_min, expect_max, argc);
    return err_raise(vm, "arity-error", buf, 0, 0, 0);
}

/* Source location of instruction pc-1 in code, or -1. */
static int64_t code_loc(pv code, uint32_t pc) {
    pv lines = SLOT(code, CODE_LINES);
    int64_t best = -1;
    if (pv_is(lines, T_VECTOR)) {
        size_t n = pv_size(lines) / 2;
        for (size_t i = 0; i < n; i++) {
            if ((uint64_t)pv_fix(SLOT(lines, 2 * i)) + 1 > pc) break;
            best = pv_fix(SLOT(lines, 2 * i + 1));
        }
    }
    if (best < 0 && pv_is_fix(SLOT(code, CODE_LOC))) best = pv_fix(SLOT(code, CODE_LOC));
    return best;
}

#define TRACE_MAX 24

/* Walk the frames from the saved registers: a list of (name . loc) for the
 * innermost TRACE_MAX frames, innermost first; *loc gets the location of
 * the innermost frame that has one. */
static int backtrace(pith_vm *vm, int max, pv *out, int64_t *first_loc) {
    pv names[TRACE_MAX];
    int64_t locs[TRACE_MAX];
    int n = 0;
    pv seg = vm->r.stack;
    int64_t fp = vm->fp;
    uint32_t pc = vm->pc;
    *first_loc = -1;
    if (max > TRACE_MAX) max = TRACE_MAX;
    for (int guard = 0; guard < 100000 && n < max; guard++) {
        if (!pv_is(seg, T_STACK) || fp < 0 || (size_t)fp >= seg_cap(seg)) break;
        pv *s = seg_slots(seg);
        pv proc = s[fp];
        if (proc == vm->r.halt) break;
        if (proc == vm->r.underflow) {
            fp = pv_fix(SLOT(seg, STK_PREV_FP));
            pc = (uint32_t)pv_fix(SLOT(seg, STK_PREV_PC));
            seg = SLOT(seg, STK_PREV);
            continue;
        }
        if (pv_is(proc, T_CLOSURE) && pc != UINT32_MAX && proc != vm->r.barrier) {
            pv code = CLO_CODE(proc);
            int64_t loc = code_loc(code, pc);
            if (*first_loc < 0) *first_loc = loc;
            names[n] = SLOT(code, CODE_NAME);
            locs[n] = loc;
            n++;
        }
        if (fp < 2) break;
        pc = (uint32_t)pv_fix(s[fp - 1]);
        fp = pv_fix(s[fp - 2]);
    }
    pv l = PV_NULL, e = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT2(l, e);
    for (int i = 0; i < n; i++) GC_ROOT(names[i]);
    for (int i = n; i-- > 0;) {
        TRY(mk_pair(vm, names[i], locs[i] >= 0 ? pv_from_fix(locs[i]) : PV_FALSE, &e));
        TRY(mk_pair(vm, e, l, &l));
    }
    *out = l;
    return PITH_OK;
}

int vm_backtrace(pith_vm *vm, int max, pv *out) {
    int64_t loc;
    return backtrace(vm, max, out, &loc);
}

/* Attach location and backtrace to a fresh condition. */
static void annotate(pith_vm *vm) {
    pv c = vm->r.exn;
    if (!pv_is(c, T_CONDITION) || c == vm->r.oom || SLOT(c, COND_TRACE) != PV_NULL) return;
    GC_SCOPE(vm);
    GC_ROOT(c);  /* backtrace allocates: c may move (found by fuzz_bytecode) */
    pv trace;
    int64_t loc;
    if (backtrace(vm, TRACE_MAX, &trace, &loc)) {
        vm->r.exn = c;  /* out of memory while tracing: keep the original */
        return;
    }
    c = vm->r.exn;
    if (!pv_is(c, T_CONDITION)) return;
    STORE(c, COND_TRACE, trace);
    if (SLOT(c, COND_LOC) == PV_FALSE && loc >= 0) SLOT(c, COND_LOC) = pv_from_fix(loc);
}

int vm_run(pith_vm *vm) {
    static const void *const labels[OP_COUNT] = {
#define OP(name, extra, doc) &&L_##name,
#include "opcodes.def"
#undef OP
    };
    /* While profiling, dispatch goes through entries that count each
     * instruction first (P_* below). */
    static const void *const plabels[OP_COUNT] = {
#define OP(name, extra, doc) &&P_##name,
#include "opcodes.def"
#undef OP
    };
    const void *const *disp = vm->prof ? plabels : labels;
    pv acc;             /* the accumulator */
    pv *s;              /* slots of the current segment */
    pv *sp, *fp;        /* stack fill and frame */
    pv *limit;          /* end of the current segment's slots */
    const uint32_t *pc; /* next instruction */
    const uint32_t *base; /* first instruction of the running code */
    pv *consts;         /* constants of the running code */
    uint32_t w;         /* the current instruction word */
    int argc = vm->argc;/* arguments of the call being entered */
    int st = PITH_OK;   /* status of a failing operation */
    int64_t ticks = POLL_QUANTUM; /* procedure entries until the next poll */
    pv proc, t1;
    pv *newfp;
    int n;

#define LOAD() do { \
        s = seg_slots(vm->r.stack); \
        limit = s + seg_cap(vm->r.stack); \
        sp = s + vm->sp; \
        fp = s + vm->fp; \
        acc = vm->r.acc; \
        { pv code_ = CLO_CODE(fp[0]); \
          base = insns_words(SLOT(code_, CODE_INSNS)); \
          consts = &SLOT(SLOT(code_, CODE_CONSTS), 0); } \
        pc = base + vm->pc; \
    } while (0)
#define SAVE() do { \
        vm->sp = (uint32_t)(sp - s); \
        vm->fp = (uint32_t)(fp - s); \
        vm->pc = (uint32_t)(pc - base); \
        vm->r.acc = acc; \
    } while (0)
#define NEXT do { w = *pc++; goto *disp[w & 0xff]; } while (0)
/* After relocate_frame: the frame to invoke is at LINK_FP + 3 of the new
 * segment, and returning from it goes through the link frame. */
#define LOAD_RELOCATED() do { \
        LOAD(); \
        newfp = s + LINK_FP + 3; \
    } while (0)
#define A ((int32_t)w >> 8)
#define UA (w >> 8)
/* A failing instruction: err_* allocates, so registers are saved first. */
#define FAIL(expr) do { SAVE(); st = (expr); LOAD(); goto signal; } while (0)
/* Allocate with registers saved around a possible collection. */
#define ALLOC(type, words, out) do { \
        size_t b_ = ((size_t)(words) + 1) * 8; \
        if ((size_t)(vm->hlimit - vm->hp) >= b_) { \
            uint64_t *p_ = (uint64_t *)vm->hp; \
            vm->hp += b_; \
            p_[0] = hdr_make((type), (words), 0); \
            (out) = (pv)(uintptr_t)p_; \
        } else { \
            SAVE(); \
            int st_ = gc_alloc_slow(vm, (type), (words), &(out)); \
            LOAD(); \
            if (st_) { st = st_; goto signal; } \
        } \
    } while (0)
/* Call a core function that may collect. */
#define CALLC(expr) do { SAVE(); st = (expr); LOAD(); if (st) goto signal; } while (0)

    vm->running = 1;
    if (vm->pc == UINT32_MAX) {
        /* Start: invoke the procedure set up by vm_setup_call. */
        vm->pc = 0;
        s = seg_slots(vm->r.stack);
        limit = s + seg_cap(vm->r.stack);
        sp = s + vm->sp;
        fp = s + LINK_FP;  /* the halt frame */
        {
            pv code_ = CLO_CODE(vm->r.halt);
            base = insns_words(SLOT(code_, CODE_INSNS));
            consts = &SLOT(SLOT(code_, CODE_CONSTS), 0);
        }
        pc = base;
        acc = vm->r.acc;
        newfp = s + vm->fp;
        n = vm->argc;
        proc = newfp[0];
        goto invoke;
    }
    LOAD();
    NEXT;

L_HALT:
    SAVE();
    vm->r.result = acc;
    vm->running = 0;
    return PITH_OK;

L_UNDERFLOW: {
    /* Return into the segment below.  While a new segment is allocated
     * the registers stay those of this link frame (the collector scans the
     * current segment up to vm->sp). */
    pv cur = vm->r.stack;
    if (!pv_is(SLOT(cur, STK_PREV), T_STACK) || fp != s + LINK_FP) goto corrupt;  /* never from verified code */
    size_t psp = (size_t)pv_fix(SLOT(cur, STK_PREV_SP));
    uint32_t pfp = (uint32_t)pv_fix(SLOT(cur, STK_PREV_FP));
    uint32_t ppc = (uint32_t)pv_fix(SLOT(cur, STK_PREV_PC));
    SAVE();
    if (pv_has_flag(SLOT(cur, STK_PREV), OF_FROZEN)) {
        /* Copy the frozen frames into a writable segment. */
        pv seg;
        size_t room = frame_room(seg_slots(SLOT(cur, STK_PREV)), pfp, psp);
        if (!pv_has_flag(cur, OF_FROZEN) && seg_cap(cur) >= room) {
            seg = cur;
        } else {
            st = seg_new(vm, room, &seg);
            if (st) { LOAD(); goto signal; }
            cur = vm->r.stack;
        }
        pv prev = SLOT(cur, STK_PREV);
        for (int i = STK_PREV; i <= STK_PREV_PC; i++) SLOT(seg, i) = SLOT(prev, i);
        MEMCPY(seg_slots(seg), seg_slots(prev), psp * sizeof(pv));
        if (!in_nursery(vm, seg)) gc_remember(vm, seg);
        vm->r.stack = seg;
    } else {
        if (!pv_has_flag(cur, OF_FROZEN)) vm->r.spare = cur;
        vm->r.stack = SLOT(cur, STK_PREV);
    }
    vm->sp = (uint32_t)psp;
    vm->fp = pfp;
    vm->pc = ppc;
    LOAD();
    NEXT;
}

L_BARRIER:
    /* The raise hook returned: the failed frame below cannot continue. */
    SAVE();
    st = err_raise(vm, "error", "the error hook returned instead of escaping", 0, 0, 0);
    vm->running = 0;
    return st;

L_ENTER:
    if (argc != A) goto arity;
    if (fp + *pc > limit) goto overflow;
    pc++;
    if (--ticks <= 0) goto poll;
    NEXT;

L_ENTER_REST: {
    int nreq = A;
    if (argc < nreq) goto arity;
    if (fp + *pc + 1 > limit) goto overflow;
    pc++;
    /* Collect the rest arguments into a list, last first. */
    pv lst = PV_NULL;
    int i = argc;
    while (i > nreq) {
        pv p;
        acc = lst;
        ALLOC(T_PAIR, 2, p);
        lst = acc;
        CAR(p) = fp[i];
        CDR(p) = lst;
        lst = p;
        i--;
    }
    fp[nreq + 1] = lst;
    sp = fp + nreq + 2;
    acc = PV_VOID;
    if (--ticks <= 0) goto poll;
    NEXT;
}

L_IMM:
    acc = pv_from_fix(A);
    NEXT;
L_SPECIAL:
    acc = ((pv)UA << 8) | 0x02;
    NEXT;
L_CONST:
    acc = consts[UA];
    NEXT;
L_LREF:
    acc = fp[UA];
    NEXT;
L_LSET:
    fp[UA] = acc;
    NEXT;
L_FREF:
    acc = CLO_FREE(fp[0], UA);
    NEXT;
L_LREF_UNBOX:
    if (!pv_is(fp[UA], T_BOX)) goto corrupt;
    acc = BOX_VAL(fp[UA]);
    if (acc == PV_UNASSIGNED) goto unassigned;
    NEXT;
L_FREF_UNBOX:
    if (!pv_is(CLO_FREE(fp[0], UA), T_BOX)) goto corrupt;
    acc = BOX_VAL(CLO_FREE(fp[0], UA));
    if (acc == PV_UNASSIGNED) goto unassigned;
    NEXT;
L_LSET_BOX:
    if (!pv_is(fp[UA], T_BOX)) goto corrupt;
    pv_store(vm, fp[UA], &BOX_VAL(fp[UA]), acc);
    acc = PV_VOID;
    NEXT;
L_FSET_BOX: {
    pv b = CLO_FREE(fp[0], UA);
    if (!pv_is(b, T_BOX)) goto corrupt;
    pv_store(vm, b, &BOX_VAL(b), acc);
    acc = PV_VOID;
    NEXT;
}
L_BOX: {
    pv b;
    ALLOC(T_BOX, 1, b);
    BOX_VAL(b) = fp[UA];
    fp[UA] = b;
    NEXT;
}
L_MKBOX: {
    pv b;
    ALLOC(T_BOX, 1, b);
    BOX_VAL(b) = acc;
    acc = b;
    NEXT;
}
L_GREF: {
    pv cell = consts[UA];
    acc = SLOT(cell, CELL_VALUE);
    if (acc == PV_UNBOUND) goto unbound;
    NEXT;
}
L_GSET: {
    pv cell = consts[UA];
    if (SLOT(cell, CELL_VALUE) == PV_UNBOUND) goto unbound;
    if (pv_fix(SLOT(cell, CELL_FLAGS)) & CELLF_CONST) {
        SAVE();
        st = err_raise(vm, "error", "set!: cannot assign a constant (builtin or imported) variable:", SLOT(cell, CELL_NAME), 0, 0);
        LOAD();
        goto signal;
    }
    pv_store(vm, cell, &SLOT(cell, CELL_VALUE), acc);
    acc = PV_VOID;
    NEXT;
}
L_GDEF: {
    pv cell = consts[UA];
    if (pv_fix(SLOT(cell, CELL_FLAGS)) & CELLF_CONST) {
        SAVE();
        st = err_raise(vm, "error", "define: cannot redefine a constant (builtin) variable:", SLOT(cell, CELL_NAME), 0, 0);
        LOAD();
        goto signal;
    }
    pv_store(vm, cell, &SLOT(cell, CELL_VALUE), acc);
    acc = PV_VOID;
    NEXT;
}
L_PUSH:
    *sp++ = acc;
    NEXT;
L_LREF_PUSH:
    *sp++ = fp[UA];
    NEXT;
L_CONST_PUSH:
    *sp++ = consts[UA];
    NEXT;
L_IMM_PUSH:
    *sp++ = pv_from_fix(A);
    NEXT;
L_DROP:
    sp -= UA;
    NEXT;
L_FRAME:
    /* The collector may scan these before CALL fills them in. */
    sp[0] = sp[1] = sp[2] = pv_from_fix(0);
    sp += 3;
    NEXT;
L_JMP:
    pc += A;
    NEXT;
L_JF:
    if (acc == PV_FALSE) pc += A;
    NEXT;
L_JT:
    if (acc != PV_FALSE) pc += A;
    NEXT;

L_CALL:
    n = (int)UA;
    proc = acc;
    newfp = sp - n - 1;
    newfp[-2] = pv_from_fix(fp - s);
    newfp[-1] = pv_from_fix(pc - base);
    newfp[0] = proc;
    goto invoke;
L_GREF_CALL:
    proc = SLOT(consts[UA], CELL_VALUE);
    if (proc == PV_UNBOUND) goto unbound;
    n = (int)*pc++;
    newfp = sp - n - 1;
    newfp[-2] = pv_from_fix(fp - s);
    newfp[-1] = pv_from_fix(pc - base);
    newfp[0] = proc;
    goto invoke;
L_TCALL:
    n = (int)UA;
    proc = acc;
    goto tcall;
L_GREF_TCALL:
    proc = SLOT(consts[UA], CELL_VALUE);
    if (proc == PV_UNBOUND) goto unbound;
    n = (int)*pc++;
tcall:
    MEMMOVE(fp + 1, sp - n, (size_t)n * sizeof(pv));
    sp = fp + 1 + n;
    newfp = fp;
    if (pv_is(proc, T_CLOSURE)) {
        fp[0] = proc;
        argc = n;
        pv code = CLO_CODE(proc);
        base = insns_words(SLOT(code, CODE_INSNS));
        consts = &SLOT(SLOT(code, CODE_CONSTS), 0);
        pc = base;
        NEXT;
    }
    /* Anything else: pop to the caller first, so the registers describe
     * the frame the call returns to, as for a non-tail call. */
    newfp[0] = proc;
    {
        int64_t rpc = pv_fix(newfp[-1]);
        fp = s + pv_fix(newfp[-2]);
        pv code = CLO_CODE(fp[0]);
        base = insns_words(SLOT(code, CODE_INSNS));
        consts = &SLOT(SLOT(code, CODE_CONSTS), 0);
        pc = base + rpc;
    }
    goto invoke;

invoke:
    /* proc is in newfp[0], its n arguments follow, and newfp[-2..-1] hold
     * the return point; fp, pc and friends describe the frame it returns
     * to, with pc at the return point. */
    switch (pv_type(proc)) {
    case T_CLOSURE: {
        fp = newfp;
        sp = newfp + 1 + n;
        argc = n;
        pv code = CLO_CODE(proc);
        base = insns_words(SLOT(code, CODE_INSNS));
        consts = &SLOT(SLOT(code, CODE_CONSTS), 0);
        pc = base;
        NEXT;
    }
    case T_PRIM: {
        int idx = (int)pv_fix(SLOT(proc, PRIM_INDEX));
        int64_t mn = pv_fix(SLOT(proc, PRIM_MIN)), mx = pv_fix(SLOT(proc, PRIM_MAX));
        if (n < mn || (mx >= 0 && n > mx)) {
            sp = newfp + 1 + n;
            SAVE();
            st = err_arity(vm, proc, n);
            LOAD();
            goto signal;
        }
        switch (idx) {
        case PRIM_apply: {
            /* (apply f a ... lst): shift f and a... down, spread lst. */
            pv lst = newfp[n];
            long len = list_length(lst);
            if (len < 0) {
                sp = newfp + 1 + n;
                SAVE();
                st = err_type(vm, "apply", "proper list", lst);
                LOAD();
                goto signal;
            }
            if (newfp + n + len + 8 > limit) {
                sp = newfp + 1 + n;
                SAVE();
                st = relocate_frame(vm, (size_t)(newfp - s), n, (size_t)len + 8);
                LOAD_RELOCATED();
                if (st) goto signal;
                lst = newfp[n];
            }
            proc = newfp[1];
            MEMMOVE(newfp, newfp + 1, (size_t)(n - 1) * sizeof(pv));
            n -= 2;
            for (pv l = lst; pv_is_pair(l); l = CDR(l)) newfp[++n] = CAR(l);
            newfp[0] = proc;
            sp = newfp + 1 + n;
            goto invoke;
        }
        case PRIM_callcc: {
            /* Capture the return point of this call in a continuation,
             * freeze the stack, and call f with it on a fresh segment. */
            size_t rsp = (size_t)(newfp - 2 - s);
            pv rfp = newfp[-2], rpc = newfp[-1];
            pv k, seg;
            sp = newfp + 2;
            SAVE();
            st = gc_alloc(vm, T_CONT, CONT_SIZE, &k);
            if (!st) {
                vm->r.scratch = k;
                st = seg_make(vm, CALLCC_SLOTS, &seg);
                k = vm->r.scratch;
                vm->r.scratch = PV_FALSE;
            }
            if (st) { LOAD(); goto signal; }
            pv old = vm->r.stack;
            pv f = seg_slots(old)[rsp + 3];
            seg_freeze(vm, old);
            seg_leave(vm, old, rsp);
            /* Returning to a segment's link frame is returning to the
             * segment below: link past such trivial frames, so a receiver
             * that tail-calls call/cc again runs in constant space. */
            pv target = old;
            while (rsp == LINK_FP + 1 && pv_fix(rfp) == LINK_FP && pv_is(SLOT(target, STK_PREV), T_STACK)) {
                rsp = (size_t)pv_fix(SLOT(target, STK_PREV_SP));
                rfp = SLOT(target, STK_PREV_FP);
                rpc = SLOT(target, STK_PREV_PC);
                target = SLOT(target, STK_PREV);
            }
            SLOT(k, CONT_STACK) = target;
            SLOT(k, CONT_SP) = pv_from_fix((int64_t)rsp);
            SLOT(k, CONT_FP) = rfp;
            SLOT(k, CONT_PC) = rpc;
            old = target;
            SLOT(seg, STK_PREV) = old;
            SLOT(seg, STK_PREV_SP) = pv_from_fix((int64_t)rsp);
            SLOT(seg, STK_PREV_FP) = rfp;
            SLOT(seg, STK_PREV_PC) = rpc;
            pv *ns = seg_slots(seg);
            ns[LINK_FP + 1] = pv_from_fix(LINK_FP);
            ns[LINK_FP + 2] = pv_from_fix(0);
            ns[LINK_FP + 3] = f;
            ns[LINK_FP + 4] = k;
            vm->r.stack = seg;
            vm->fp = LINK_FP;
            vm->pc = 0;
            vm->sp = LINK_FP + 5;
            LOAD_RELOCATED();
            n = 1;
            proc = f;
            goto invoke;
        }
        case PRIM_exit: {
            vm->exit_status = n ? (pv_is_fix(newfp[1]) ? (int)pv_fix(newfp[1]) : newfp[1] == PV_FALSE ? 1 : 0) : 0;
            sp = newfp + 1 + n;
            SAVE();
            vm->running = 0;
            return PITH_EXIT;
        }
        case PRIM_wait: {
            /* Return from this call first, so that resuming (after the
             * host's wait, or from pith_run) continues after it. */
            int64_t deadline = n && pv_is_fix(newfp[1]) ? pv_fix(newfp[1]) : -1;
            acc = PV_VOID;
            sp = newfp - 2;
            if (vm->interrupt) { ticks = 0; goto poll; }  /* do not sleep on it */
            SAVE();
            if (!vm->blocking || !vm->host->wait) {
                vm->running = 0;
                return PITH_WAITING;
            }
            vm->host->wait(vm->hctx, deadline);
            LOAD();
            if (vm->interrupt) { ticks = 0; goto poll; }
            NEXT;
        }
        default: {
            /* A C primitive: arguments at newfp[1..n]. */
            sp = newfp + 1 + n;
            vm->argbase = (size_t)(newfp + 1 - s);
            vm->argc = n;
            SAVE();
            if (idx < PRIM_BUILTIN_COUNT) st = prim_table[idx].fn(vm, n);
            else st = api_call_user_prim(vm, idx - PRIM_BUILTIN_COUNT, n);
            LOAD();
            if (st) {
                if (st == PITH_EXIT) { vm->running = 0; return st; }
                goto signal;
            }
            acc = vm->r.ret;
            sp = s + vm->argbase - 3;
            NEXT;
        }
        }
    }
    case T_CONT: {
        /* Reinstate a raw continuation with the arguments as its values. */
        pv k = proc;
        if (n == 1) {
            acc = newfp[1];
        } else {
            pv v;
            size_t at = (size_t)(newfp - s);  /* the segment may move */
            sp = newfp + 1 + n;
            ALLOC(T_VALUES, (size_t)n, v);
            newfp = s + at;
            k = newfp[0];
            for (int i = 0; i < n; i++) SLOT(v, i) = newfp[1 + i];
            acc = v;
        }
        pv from = SLOT(k, CONT_STACK);
        size_t ksp = (size_t)pv_fix(SLOT(k, CONT_SP));
        pv seg;
        vm->r.acc = acc;
        SAVE();
        vm->r.scratch = k;
        /* room for the frames and as much again as call/cc gives: a small
         * segment stays young (a full-size one would be allocated old and
         * fill the old generation when continuations are called often);
         * a frame that does not fit moves to a bigger one (overflow) */
        st = seg_make(vm, frame_room(seg_slots(from), (size_t)pv_fix(SLOT(k, CONT_FP)), ksp) + CALLCC_SLOTS, &seg);
        k = vm->r.scratch;
        LOAD();
        if (st) goto signal;
        from = SLOT(k, CONT_STACK);
        seg_leave(vm, vm->r.stack, (size_t)(sp - s));
        if (!pv_has_flag(vm->r.stack, OF_FROZEN) && vm->r.stack != seg) vm->r.spare = vm->r.stack;
        for (int i = STK_PREV; i <= STK_PREV_PC; i++) SLOT(seg, i) = SLOT(from, i);
        MEMCPY(seg_slots(seg), seg_slots(from), ksp * sizeof(pv));
        if (!in_nursery(vm, seg)) gc_remember(vm, seg);
        vm->r.stack = seg;
        vm->sp = (uint32_t)ksp;
        vm->fp = (uint32_t)pv_fix(SLOT(k, CONT_FP));
        vm->pc = (uint32_t)pv_fix(SLOT(k, CONT_PC));
        vm->r.acc = acc;
        LOAD();
        NEXT;
    }
    case T_CASELAMBDA: {
        pv clauses = SLOT(proc, 1);
        size_t nc = pv_size(clauses);
        for (size_t i = 0; i < nc; i++) {
            pv cl = SLOT(clauses, i);
            int64_t ar = pv_fix(SLOT(CLO_CODE(cl), CODE_ARITY));
            if ((ar >= 0 && ar == n) || (ar < 0 && n >= -ar - 1)) {
                proc = cl;
                newfp[0] = cl;
                goto invoke;
            }
        }
        sp = newfp + 1 + n;
        SAVE();
        st = err_raise(vm, "arity-error", "case-lambda: no clause accepts this number of arguments:", pv_from_fix(n), 0, 0);
        LOAD();
        goto signal;
    }
    case T_PARAMETER: {
        if (n == 0) {
            acc = SLOT(proc, 0);
            sp = newfp - 2;
            NEXT;
        }
        sp = newfp + 1 + n;
        SAVE();
        st = err_arity(vm, proc, n);
        LOAD();
        goto signal;
    }
    default:
        sp = newfp + 1 + n;
        SAVE();
        st = err_raise(vm, "type-error", "attempt to call a non-procedure:", proc, 0, 0);
        LOAD();
        goto signal;
    }

L_RET: {
    int64_t rpc = pv_fix(fp[-1]);
    sp = fp - 2;
    fp = s + pv_fix(fp[-2]);
    pv code = CLO_CODE(fp[0]);
    base = insns_words(SLOT(code, CODE_INSNS));
    consts = &SLOT(SLOT(code, CODE_CONSTS), 0);
    pc = base + rpc;
    NEXT;
}

L_CLOSURE: {
    uint32_t nfree = *pc++;
    pv cl;
    ALLOC(T_CLOSURE, 1 + (size_t)nfree, cl);
    CLO_CODE(cl) = consts[UA];
    sp -= nfree;
    for (uint32_t i = 0; i < nfree; i++) CLO_FREE(cl, i) = sp[i];
    acc = cl;
    NEXT;
}
L_PATCH: {
    uint32_t k = *pc++;
    pv cl = fp[UA];
    if (!pv_is(cl, T_CLOSURE) || k >= pv_size(cl) - 1) goto corrupt;
    pv_store(vm, cl, &CLO_FREE(cl, k), acc);
    NEXT;
}

L_CAR:
    if (!pv_is_pair(acc)) FAIL(err_type(vm, "car", "pair", acc));
    acc = CAR(acc);
    NEXT;
L_CDR:
    if (!pv_is_pair(acc)) FAIL(err_type(vm, "cdr", "pair", acc));
    acc = CDR(acc);
    NEXT;
L_CONS: {
    pv p;
    ALLOC(T_PAIR, 2, p);
    CAR(p) = *--sp;
    CDR(p) = acc;
    acc = p;
    NEXT;
}
L_SETCAR:
    t1 = *--sp;
    if (!pv_is_pair(t1)) FAIL(err_type(vm, "set-car!", "pair", t1));
    if (pv_has_flag(t1, OF_IMMUTABLE)) FAIL(err_msg(vm, "error", "set-car!", "pair is immutable:", t1));
    pv_store(vm, t1, &CAR(t1), acc);
    acc = PV_VOID;
    NEXT;
L_SETCDR:
    t1 = *--sp;
    if (!pv_is_pair(t1)) FAIL(err_type(vm, "set-cdr!", "pair", t1));
    if (pv_has_flag(t1, OF_IMMUTABLE)) FAIL(err_msg(vm, "error", "set-cdr!", "pair is immutable:", t1));
    pv_store(vm, t1, &CDR(t1), acc);
    acc = PV_VOID;
    NEXT;
L_PAIRP:
    acc = pv_bool(pv_is_pair(acc));
    NEXT;
L_NULLP:
    acc = pv_bool(acc == PV_NULL);
    NEXT;
L_NOT:
    acc = pv_bool(acc == PV_FALSE);
    NEXT;
L_EQ:
    acc = pv_bool(*--sp == acc);
    NEXT;
L_EQV:
    t1 = *--sp;
    acc = pv_bool(pv_eqv(t1, acc));
    NEXT;
L_CHARP:
    acc = pv_bool(pv_is_char(acc));
    NEXT;
L_SYMBOLP:
    acc = pv_bool(pv_is(acc, T_SYMBOL));
    NEXT;
L_STRINGP:
    acc = pv_bool(pv_is(acc, T_STRING));
    NEXT;
L_VECTORP:
    acc = pv_bool(pv_is(acc, T_VECTOR));
    NEXT;
L_PROCEDUREP: {
    int t = pv_type(acc);
    acc = pv_bool(t == T_CLOSURE || t == T_PRIM || t == T_CONT || t == T_CASELAMBDA || t == T_PARAMETER);
    NEXT;
}
L_UNBOX:
    if (!pv_is(acc, T_BOX)) FAIL(err_type(vm, "unbox", "box", acc));
    acc = BOX_VAL(acc);
    NEXT;
L_SETBOX:
    t1 = *--sp;
    if (!pv_is(t1, T_BOX)) FAIL(err_type(vm, "set-box!", "box", t1));
    pv_store(vm, t1, &BOX_VAL(t1), acc);
    acc = PV_VOID;
    NEXT;

    /* Fixnum arithmetic inline; everything else through number.c. */
L_ADD: {
    int64_t r;
    t1 = sp[-1];
    if ((t1 & acc & 1) && !__builtin_add_overflow((int64_t)t1, (int64_t)(acc - 1), &r)) {
        sp--;
        acc = (pv)r;
        NEXT;
    }
    pv res;
    CALLC(num_add(vm, t1, acc, &res));
    sp--;
    acc = res;
    NEXT;
}
L_ADDI: {
    int64_t r;
    if ((acc & 1) && !__builtin_add_overflow((int64_t)acc, (int64_t)A * 2, &r)) {
        acc = (pv)r;
        NEXT;
    }
    pv res;
    CALLC(num_add(vm, acc, pv_from_fix(A), &res));
    acc = res;
    NEXT;
}
L_SUB: {
    int64_t r;
    t1 = sp[-1];
    if ((t1 & acc & 1) && !__builtin_sub_overflow((int64_t)t1, (int64_t)(acc - 1), &r)) {
        sp--;
        acc = (pv)r;
        NEXT;
    }
    pv res;
    CALLC(num_sub(vm, t1, acc, &res));
    sp--;
    acc = res;
    NEXT;
}
L_MUL: {
    int64_t r;
    t1 = sp[-1];
    if ((t1 & acc & 1) && !__builtin_mul_overflow(pv_fix(t1), (int64_t)(acc - 1), &r)) {
        sp--;
        acc = (pv)(r + 1);
        NEXT;
    }
    pv res;
    CALLC(num_mul(vm, t1, acc, &res));
    sp--;
    acc = res;
    NEXT;
}
#define COMPARE(label, cop, name) \
L_##label: { \
    t1 = sp[-1]; \
    if (t1 & acc & 1) { sp--; acc = pv_bool((int64_t)t1 cop (int64_t)acc); NEXT; } \
    int c_; \
    CALLC(num_cmp(vm, t1, acc, name, &c_)); \
    sp--; \
    acc = pv_bool(c_ != 2 && c_ cop 0); \
    NEXT; \
}
    COMPARE(LT, <, "<")
    COMPARE(GT, >, ">")
    COMPARE(LE, <=, "<=")
    COMPARE(GE, >=, ">=")
L_NUMEQ: {
    t1 = sp[-1];
    if (t1 & acc & 1) { sp--; acc = pv_bool(t1 == acc); NEXT; }
    bool e_;
    CALLC(num_equal(vm, t1, acc, &e_));  /* complex numbers too */
    sp--;
    acc = pv_bool(e_);
    NEXT;
}
L_ZEROP: {
    if (acc & 1) { acc = pv_bool(acc == pv_from_fix(0)); NEXT; }
    bool e_;
    CALLC(num_equal(vm, acc, pv_from_fix(0), &e_));
    acc = pv_bool(e_);
    NEXT;
}
L_VREF:
    t1 = *--sp;
    if (!pv_is(t1, T_VECTOR)) FAIL(err_type(vm, "vector-ref", "vector", t1));
    if (!pv_is_fix(acc)) FAIL(err_type(vm, "vector-ref", "exact integer", acc));
    if ((uint64_t)pv_fix(acc) >= pv_size(t1)) FAIL(err_range(vm, "vector-ref", acc));
    acc = SLOT(t1, pv_fix(acc));
    NEXT;
L_VSET: {
    pv idx = *--sp;
    t1 = *--sp;
    if (!pv_is(t1, T_VECTOR)) FAIL(err_type(vm, "vector-set!", "vector", t1));
    if (!pv_is_fix(idx)) FAIL(err_type(vm, "vector-set!", "exact integer", idx));
    if ((uint64_t)pv_fix(idx) >= pv_size(t1)) FAIL(err_range(vm, "vector-set!", idx));
    if (pv_has_flag(t1, OF_IMMUTABLE)) FAIL(err_msg(vm, "error", "vector-set!", "vector is immutable:", t1));
    pv_store(vm, t1, &SLOT(t1, pv_fix(idx)), acc);
    acc = PV_VOID;
    NEXT;
}
L_VLEN:
    if (!pv_is(acc, T_VECTOR)) FAIL(err_type(vm, "vector-length", "vector", acc));
    acc = pv_from_fix((int64_t)pv_size(acc));
    NEXT;
L_SREF:
    t1 = *--sp;
    if (!pv_is(t1, T_STRING)) FAIL(err_type(vm, "string-ref", "string", t1));
    if (!pv_is_fix(acc)) FAIL(err_type(vm, "string-ref", "exact integer", acc));
    if ((uint64_t)pv_fix(acc) >= str_len(t1)) FAIL(err_range(vm, "string-ref", acc));
    acc = pv_from_char(str_ref(t1, (size_t)pv_fix(acc)));
    NEXT;

unbound: {
    pv cell = consts[UA];
    SAVE();
    st = err_raise(vm, "unbound-variable", "unbound variable:", SLOT(cell, CELL_NAME), 0, 0);
    LOAD();
    goto signal;
}
corrupt:
    /* Only bytecode from a damaged image gets here: the verifier cannot see
     * what a slot holds, so the few instructions that trust it check. */
    SAVE();
    st = err_raise(vm, "error", "corrupt bytecode: a variable slot does not hold what its instruction expects", 0, 0, 0);
    LOAD();
    goto signal;
unassigned:
    SAVE();
    st = err_raise(vm, "error", "variable used before its definition", 0, 0, 0);
    LOAD();
    goto signal;

arity: {
    /* Report a wrong argument count at the call site: pop the frame. */
    sp = fp + 1 + argc;
    SAVE();
    st = err_arity(vm, fp[0], argc);
    LOAD();
    if (st != PITH_ERROR) goto signal;
    int64_t rpc = pv_fix(fp[-1]);
    sp = fp - 2;
    fp = s + pv_fix(fp[-2]);
    pv code = CLO_CODE(fp[0]);
    base = insns_words(SLOT(code, CODE_INSNS));
    consts = &SLOT(SLOT(code, CODE_CONSTS), 0);
    pc = base + rpc;
    goto signal;
}

overflow: {
    /* The frame does not fit: move it to a new segment and enter again. */
    size_t need = *pc + 8;
    pc--;
    sp = fp + 1 + argc;
    SAVE();
    st = relocate_frame(vm, (size_t)(fp - s), argc, need);
    LOAD();
    if (st) goto signal;
    fp = s + LINK_FP + 3;
    sp = fp + 1 + argc;
    {
        pv code = CLO_CODE(fp[0]);
        base = insns_words(SLOT(code, CODE_INSNS));
        consts = &SLOT(SLOT(code, CODE_CONSTS), 0);
        pc = base;
    }
    NEXT;
}

    /* the counting entries of a profiled run: reached only through disp */
#define OP(name, extra, doc) P_##name: profile_count(vm, OP_##name); goto L_##name;
#include "opcodes.def"
#undef OP

poll: {
    /* Every POLL_QUANTUM procedure entries: interrupts, fuel, slices. */
    int64_t used = POLL_QUANTUM - ticks;
    ticks = POLL_QUANTUM;
    if (vm->prof) profile_sample(vm, fp[0]);
    if (vm->fuel >= 0) {
        vm->fuel -= used;
        if (vm->fuel <= 0) {
            if (vm->fuel_state) {
                /* The grace given to handlers is spent too: abandon. */
                SAVE();
                vm->running = 0;
                vm->fuel = 0;
                return PITH_ERROR;
            }
            vm->fuel_state = 1;
            vm->fuel = FUEL_GRACE;
            SAVE();
            st = err_raise(vm, "fuel-exhausted", "fuel exhausted", 0, 0, 0);
            LOAD();
            goto signal;
        }
    }
    if (vm->interrupt) {
        vm->interrupt = 0;
        SAVE();
        st = err_raise(vm, "interrupt", "interrupted", 0, 0, 0);
        LOAD();
        goto signal;
    }
    if (vm->budget >= 0) {
        vm->budget -= used;
        if (vm->budget <= 0) {
            SAVE();
            vm->argc = argc;
            vm->running = 0;
            return PITH_YIELD;
        }
    }
    NEXT;
}

signal: {
    /* st is the failure.  Errors are raised in Scheme through the raise
     * hook, as a call from the current frame. */
    if (st != PITH_ERROR) {
        SAVE();
        vm->running = 0;
        return st;
    }
    SAVE();
    if (vm->abort_run) {
        vm->abort_run = false;
        vm->running = 0;
        return PITH_ERROR;
    }
    annotate(vm);
    pv hook = pv_is(vm->r.hooks, T_VECTOR) ? SLOT(vm->r.hooks, HOOK_RAISE) : PV_FALSE;
    if (vm->heap_state == 2 || !(pv_is(hook, T_CLOSURE) || pv_is(hook, T_PRIM))) {
        vm->running = 0;
        return PITH_ERROR;
    }
    LOAD();
    if (sp + 8 > limit) {
        /* No room for the raise frame: continue on a new segment. */
        pv seg;
        SAVE();
        st = seg_new(vm, 16, &seg);
        if (st) { vm->running = 0; return PITH_ERROR; }
        LOAD();
        SLOT(seg, STK_PREV) = vm->r.stack;
        SLOT(seg, STK_PREV_SP) = pv_from_fix(sp - s);
        SLOT(seg, STK_PREV_FP) = pv_from_fix(fp - s);
        SLOT(seg, STK_PREV_PC) = pv_from_fix(pc - base);
        seg_leave(vm, vm->r.stack, (size_t)(sp - s));
        vm->r.stack = seg;
        s = seg_slots(seg);
        limit = s + seg_cap(seg);
        fp = s + LINK_FP;
        pc = insns_words(SLOT(CLO_CODE(vm->r.underflow), CODE_INSNS));
        base = pc;
        sp = s + LINK_FP + 1;
    }
    hook = SLOT(vm->r.hooks, HOOK_RAISE);
    /* The hook is called from a barrier frame, not from the failing frame
     * itself: a failed instruction may have left its operands on the stack,
     * so the frame cannot go on from there.  The hook (raise) never returns;
     * if it does, BARRIER stops the run.  Frame walkers skip the barrier. */
    sp[0] = pv_from_fix(fp - s);
    sp[1] = pv_from_fix(pc - base);
    sp[2] = vm->r.barrier;
    fp = sp + 2;
    {
        pv code = CLO_CODE(vm->r.barrier);
        base = insns_words(SLOT(code, CODE_INSNS));
        consts = &SLOT(SLOT(code, CODE_CONSTS), 0);
        pc = base;
    }
    newfp = fp + 3;
    newfp[-2] = pv_from_fix(fp - s);
    newfp[-1] = pv_from_fix(0);
    newfp[0] = hook;
    newfp[1] = vm->r.exn;
    sp = newfp + 2;
    n = 1;
    proc = hook;
    goto invoke;
}
#undef LOAD
#undef SAVE
#undef NEXT
#undef A
#undef UA
}
