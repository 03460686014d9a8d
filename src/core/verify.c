/* verify.c -- checking the bytecode and saved frames of an untrusted image.
 *
 * The interpreter trusts its bytecode: operands index the frame, the
 * constants and the running closure without bounds checks, and the stack
 * depth before each instruction is the one the compiler counted.  An image
 * that was not built into this program (pith -i, pith_load_image, pith_open
 * with opts.image) is therefore checked here, after its objects have been
 * relocated and checked one by one (image.c), and before anything runs:
 *
 * - every CODE object: each instruction word decodes, with its extra words
 *   inside the code; it begins with ENTER or ENTER_REST agreeing with
 *   CODE_ARITY and a frame size the rest fits in; constant, free-variable
 *   and frame-slot operands are in range (a frame slot below the stack
 *   depth, and never the procedure slot for a store); global operands name
 *   CELLs; CLOSURE names a CODE whose free count is the one it pops; jumps
 *   land on instruction starts; and following every path from the entry,
 *   the stack depth is the same wherever paths join, stays within the
 *   frame, never pops into the frame header, and no path runs off the end.
 *   HALT, UNDERFLOW and BARRIER appear only as the one-instruction codes
 *   of the halt, underflow and barrier closures (roots).
 * - every CLOSURE carries at least its code's free variables, and only the
 *   root closures close over those three stub codes.
 * - every continuation's frame chain, down through the segments below it:
 *   the segments are frozen (they are copied out before anything runs in
 *   them), each frame lies inside its segment's fill, its procedure is a
 *   closure, its return point is an instruction start where the verified
 *   depth equals its stack depth, and the chain ends in a halt frame.  The frame under a barrier (an error was
 *   being raised there) never runs again, so only its layout is checked.
 *
 * What cannot be seen statically -- that a slot holds a box, that PATCH
 * names a closure -- the few instructions that rely on it check at run
 * time (vm.c, "corrupt").
 *
 * SPDX-License-Identifier: MIT
 */
#include "vm.h"

static const uint8_t op_extra[OP_COUNT] = {
#define OP(name, extra, doc) extra,
#include "opcodes.def"
#undef OP
};

#define MAX_FRAME (1u << 22)   /* slots; the compiler's limit is far below */
#define NOT_START (-2)         /* a word inside an instruction */
#define UNREACHED (-1)         /* an instruction no path has reached yet */
#define NCACHE 16              /* codes whose depth tables are kept */

typedef struct dcache {
    pv code;
    int32_t *depth;
    size_t cap;
} dcache;

struct verifier {
    pith_vm *vm;
    int32_t *depth, *work;      /* per instruction word of the code checked */
    size_t dcap, wcap;
    dcache cache[NCACHE];
    uint8_t *done;              /* segments whose chain below is checked */
    uint8_t *base;              /* the image's heap, for `done` indices */
    size_t nwords;
};

/* *p with room for at least need int32s (its old contents are dropped). */
static bool grow_buf(pith_vm *vm, int32_t **p, size_t *cap, size_t need) {
    if (need <= *cap) return true;
    size_t n = need < 256 ? 256 : need + need / 2;
    int32_t *q = host_alloc(vm, n * sizeof *q);
    if (!q) return false;
    if (*p) host_free(vm, *p, *cap * sizeof *q);
    *p = q;
    *cap = n;
    return true;
}

static bool is_stub(pv code) {
    pv insns = SLOT(code, CODE_INSNS);
    if (pv_fix(INSNS_COUNT(insns)) != 1) return false;
    uint32_t op = insns_words(insns)[0] & 0xff;
    return op == OP_HALT || op == OP_UNDERFLOW || op == OP_BARRIER;
}

/* Check code; on success depth[i] is the stack depth (sp - fp) before the
 * instruction at word i, or UNREACHED/NOT_START.  Returns 0 or what is
 * wrong. */
static const char *check_code(pith_vm *vm, pv code, int32_t *depth, int32_t *work) {
    pv insns = SLOT(code, CODE_INSNS), consts = SLOT(code, CODE_CONSTS);
    size_t nw = (size_t)pv_fix(INSNS_COUNT(insns));
    const uint32_t *w = insns_words(insns);
    size_t nconst = (size_t)pv_size(consts);
    int64_t nfree = pv_fix(SLOT(code, CODE_NFREE)), arity = pv_fix(SLOT(code, CODE_ARITY));
    (void)vm;
    if (nw < 3) return "a procedure's code is too short";
    for (size_t i = 0; i < nw; i++) depth[i] = NOT_START;
    for (size_t i = 0; i < nw;) {
        uint32_t op = w[i] & 0xff;
        if (op >= OP_COUNT) return "an unknown instruction";
        if (op_extra[op] >= nw - i) return "an instruction runs past the end of its code";
        depth[i] = UNREACHED;
        i += 1 + (size_t)op_extra[op];
    }
    uint32_t op0 = w[0] & 0xff;
    int64_t nreq = (int64_t)(w[0] >> 8);
    if (op0 != OP_ENTER && op0 != OP_ENTER_REST) return "a procedure's code does not begin with ENTER";
    if (arity != (op0 == OP_ENTER ? nreq : -nreq - 1)) return "a procedure's arity disagrees with its ENTER";
    int64_t frame = w[1];
    if (frame > MAX_FRAME) return "a procedure's frame is too large";
    int64_t start = nreq + (op0 == OP_ENTER ? 1 : 2);
    if (start > frame) return "a procedure's frame cannot hold its arguments";
    depth[0] = 0;
    size_t nwork = 0;
    /* flow(t, d): the instruction at t is reached with depth d */
#define FLOW(t_, d_) do { \
        int64_t t = (t_); \
        if (t <= 0 || t >= (int64_t)nw || depth[t] == NOT_START) return "a jump or fall-through lands inside an instruction or outside the code"; \
        if (depth[t] == UNREACHED) { depth[t] = (int32_t)(d_); work[nwork++] = (int32_t)t; } \
        else if (depth[t] != (d_)) return "stack depths disagree where two paths join"; \
    } while (0)
#define CELL_AT(i) ((i) < nconst && pv_is(SLOT(consts, (i)), T_CELL))
    FLOW(2, start);
    while (nwork) {
        size_t pc = (size_t)work[--nwork];
        int64_t d = depth[pc];
        uint32_t word = w[pc], op = word & 0xff, ua = word >> 8;
        int64_t a = (int32_t)word >> 8;
        int64_t nd = d;
        bool falls = true;
        switch (op) {
        case OP_HALT: case OP_UNDERFLOW: case OP_BARRIER: case OP_ENTER: case OP_ENTER_REST:
            return "an entry or stub instruction in the middle of a procedure";
        case OP_IMM: case OP_ADDI: case OP_CAR: case OP_CDR: case OP_PAIRP: case OP_NULLP: case OP_NOT:
        case OP_ZEROP: case OP_VLEN: case OP_CHARP: case OP_SYMBOLP: case OP_STRINGP: case OP_VECTORP:
        case OP_PROCEDUREP: case OP_UNBOX: case OP_MKBOX:
            break;
        case OP_SPECIAL:
            if (ua > (PV_UNASSIGNED >> 8)) return "SPECIAL names no constant";
            break;
        case OP_CONST:
            if (ua >= nconst) return "a constant operand is out of range";
            break;
        case OP_CONST_PUSH:
            if (ua >= nconst) return "a constant operand is out of range";
            nd = d + 1;
            break;
        case OP_LREF: case OP_LREF_UNBOX:
            if (ua >= d) return "a frame slot operand is above the stack";
            break;
        case OP_LREF_PUSH:
            if (ua >= d) return "a frame slot operand is above the stack";
            nd = d + 1;
            break;
        case OP_LSET: case OP_LSET_BOX: case OP_BOX:
            if (ua < 1 || ua >= d) return "a frame slot operand is out of range";
            break;
        case OP_FREF: case OP_FREF_UNBOX: case OP_FSET_BOX:
            if (ua >= nfree) return "a free-variable operand is out of range";
            break;
        case OP_GREF: case OP_GSET: case OP_GDEF:
            if (!CELL_AT(ua)) return "a global operand does not name a variable cell";
            break;
        case OP_PUSH: case OP_IMM_PUSH:
            nd = d + 1;
            break;
        case OP_DROP:
            nd = d - (int64_t)ua;
            break;
        case OP_FRAME:
            nd = d + 3;
            break;
        case OP_CALL:
            nd = d - (int64_t)ua - 3;
            break;
        case OP_GREF_CALL:
            if (!CELL_AT(ua)) return "a global operand does not name a variable cell";
            nd = d - (int64_t)w[pc + 1] - 3;
            break;
        case OP_TCALL:
            if (d - (int64_t)ua < 1) return "a tail call pops more than the frame holds";
            falls = false;
            break;
        case OP_GREF_TCALL:
            if (!CELL_AT(ua)) return "a global operand does not name a variable cell";
            if (d - (int64_t)w[pc + 1] < 1) return "a tail call pops more than the frame holds";
            falls = false;
            break;
        case OP_RET:
            falls = false;
            break;
        case OP_JMP: case OP_JF: case OP_JT:
            /* forward only, as the compiler emits them: a loop must go
             * through a call, whose ENTER polls (fuel, interrupts, slices) */
            if (a < 0) return "a backward jump";
            FLOW((int64_t)pc + 1 + a, d);
            falls = op != OP_JMP;
            break;
        case OP_CLOSURE: {
            if (ua >= nconst || !pv_is(SLOT(consts, ua), T_CODE)) return "CLOSURE does not name a code constant";
            pv inner = SLOT(consts, ua);
            if (is_stub(inner) || pv_fix(SLOT(inner, CODE_NFREE)) != (int64_t)w[pc + 1])
                return "CLOSURE pops a different number of free variables than its code has";
            nd = d - (int64_t)w[pc + 1];
            break;
        }
        case OP_PATCH:
            if (ua < 1 || ua >= d) return "a frame slot operand is out of range";
            break;
        case OP_CONS: case OP_SETCAR: case OP_SETCDR: case OP_EQ: case OP_EQV: case OP_ADD: case OP_SUB:
        case OP_MUL: case OP_LT: case OP_GT: case OP_LE: case OP_GE: case OP_NUMEQ: case OP_VREF:
        case OP_SREF: case OP_SETBOX:
            nd = d - 1;
            break;
        case OP_VSET:
            nd = d - 2;
            break;
        default:
            return "an unknown instruction";
        }
        if (nd < 1) return "an instruction pops into the frame header";
        if (nd > frame) return "the stack grows past the procedure's frame size";
        if (falls) FLOW((int64_t)pc + 1 + op_extra[op], nd);
    }
#undef FLOW
#undef CELL_AT
    return 0;
}

/* The depth table of code (which has been checked), from the cache. */
static const int32_t *depths(verifier *v, pv code) {
    size_t h = (size_t)((code >> 3) * 0x9e3779b97f4a7c15ull >> 60) % NCACHE;
    dcache *c = &v->cache[h];
    if (c->code == code) return c->depth;
    size_t nw = (size_t)pv_fix(INSNS_COUNT(SLOT(code, CODE_INSNS)));
    c->code = PV_FALSE;
    if (!grow_buf(v->vm, &c->depth, &c->cap, nw) || !grow_buf(v->vm, &v->work, &v->wcap, nw)) return 0;
    if (check_code(v->vm, code, c->depth, v->work)) return 0;
    c->code = code;
    return c->depth;
}

verifier *verify_begin(pith_vm *vm, uint8_t *base, size_t nwords) {
    verifier *v = host_alloc(vm, sizeof *v);
    if (!v) return 0;
    MEMSET(v, 0, sizeof *v);
    v->vm = vm;
    v->base = base;
    v->nwords = nwords;
    for (int i = 0; i < NCACHE; i++) v->cache[i].code = PV_FALSE;
    size_t bm = (nwords + 7) / 8;
    v->done = host_alloc(vm, bm);
    if (!v->done) { host_free(vm, v, sizeof *v); return 0; }
    MEMSET(v->done, 0, bm);
    return v;
}

void verify_end(verifier *v) {
    if (!v) return;
    pith_vm *vm = v->vm;
    if (v->work) host_free(vm, v->work, v->wcap * sizeof *v->work);
    if (v->depth) host_free(vm, v->depth, v->dcap * sizeof *v->depth);
    for (int i = 0; i < NCACHE; i++)
        if (v->cache[i].depth) host_free(vm, v->cache[i].depth, v->cache[i].cap * sizeof(int32_t));
    host_free(vm, v->done, (v->nwords + 7) / 8);
    host_free(vm, v, sizeof *v);
}

/* One object of the image: CODE is verified, a CLOSURE checked against
 * its code.  Returns 0 or what is wrong. */
const char *verify_object(verifier *v, pv o) {
    pith_vm *vm = v->vm;
    int t = pv_type(o);
    if (t == T_CODE) {
        if (is_stub(o)) {
            uint32_t op = insns_words(SLOT(o, CODE_INSNS))[0] & 0xff;
            pv root = op == OP_HALT ? vm->r.halt : op == OP_UNDERFLOW ? vm->r.underflow : vm->r.barrier;
            return CLO_CODE(root) == o ? 0 : "a stray halt, underflow or barrier code";
        }
        size_t nw = (size_t)pv_fix(INSNS_COUNT(SLOT(o, CODE_INSNS)));
        if (!grow_buf(vm, &v->depth, &v->dcap, nw) || !grow_buf(vm, &v->work, &v->wcap, nw))
            return "no memory to verify the image";
        return check_code(vm, o, v->depth, v->work);
    }
    if (t == T_CLOSURE) {
        pv code = CLO_CODE(o);
        if (is_stub(code))
            return o == vm->r.halt || o == vm->r.underflow || o == vm->r.barrier ? 0 : "a stray closure over a stub code";
        if ((int64_t)pv_size(o) - 1 < pv_fix(SLOT(code, CODE_NFREE))) return "a closure carries fewer free variables than its code uses";
    }
    return 0;
}

/* The roots' stub closures are what the VM expects. */
const char *verify_roots(pith_vm *vm) {
    static const int ops[3] = {OP_HALT, OP_UNDERFLOW, OP_BARRIER};
    pv roots[3] = {vm->r.halt, vm->r.underflow, vm->r.barrier};
    for (int i = 0; i < 3; i++) {
        pv code = CLO_CODE(roots[i]);
        if (!is_stub(code) || (int)(insns_words(SLOT(code, CODE_INSNS))[0] & 0xff) != ops[i])
            return "the halt, underflow or barrier root is not its stub";
    }
    return 0;
}

static size_t word_index(verifier *v, pv o) { return (size_t)((uint8_t *)(uintptr_t)o - v->base) / 8; }

/* Walk the frames a continuation resumes: from frame fp at return point pc
 * with stack fill sp in segment seg, down to the halt frame. */
static const char *walk(verifier *v, pv seg, int64_t sp, int64_t fp, int64_t pc) {
    pith_vm *vm = v->vm;
    bool loose = false;       /* the next frame is under a barrier */
    size_t budget = v->nwords; /* every step consumes a slot: no cycles */
    for (;;) {
        if (!pv_is(seg, T_STACK)) return "a frame chain leads to no stack segment";
        if (budget-- == 0) return "a frame chain does not end";
        pv *s = (pv *)pv_raw(seg, STK_HDR);
        int64_t fill = pv_fix(SLOT(seg, STK_FILL));
        /* A continuation's segments are frozen: resuming copies frames out
         * to a segment with room for each (vm.c, frame_room), so a saved
         * segment, cut to its fill, never runs in place. */
        if (!pv_has_flag(seg, OF_FROZEN)) return "a continuation's stack segment is not frozen";
        if (fp < VM_LINK_FP || sp <= fp || sp > fill) return "a frame lies outside its stack segment";
        pv proc = s[fp];
        if (proc == vm->r.halt || proc == vm->r.underflow) {
            if (fp != VM_LINK_FP || pc != 0) return "a link frame is not at the bottom of its segment";
            if (proc == vm->r.halt) return 0;
            size_t wi = word_index(v, seg);
            if (v->done[wi / 8] & (1 << (wi % 8))) return 0;
            v->done[wi / 8] |= (uint8_t)(1 << (wi % 8));
            pv prev = SLOT(seg, STK_PREV);
            if (!pv_is_fix(SLOT(seg, STK_PREV_SP)) || !pv_is_fix(SLOT(seg, STK_PREV_FP)) || !pv_is_fix(SLOT(seg, STK_PREV_PC)))
                return "a stack segment's link is malformed";
            sp = pv_fix(SLOT(seg, STK_PREV_SP));
            fp = pv_fix(SLOT(seg, STK_PREV_FP));
            pc = pv_fix(SLOT(seg, STK_PREV_PC));
            seg = prev;
            continue;
        }
        if (proc == vm->r.barrier) {
            if (pc != 0) return "a barrier frame has a return point";
            loose = true;
        } else {
            if (!pv_is(proc, T_CLOSURE)) return "a frame's procedure is not a closure";
            pv code = CLO_CODE(proc);
            size_t nw = (size_t)pv_fix(INSNS_COUNT(SLOT(code, CODE_INSNS)));
            if (pc < 0 || (uint64_t)pc > nw) return "a return point is outside its code";
            if (!loose) {
                const int32_t *d = depths(v, code);
                if (!d) return "no memory to verify the image";
                if ((uint64_t)pc >= nw || d[pc] != sp - fp) return "a frame's return point does not match its stack depth";
            }
            loose = false;
        }
        if (fp < VM_LINK_FP + 3 || !pv_is_fix(s[fp - 2]) || !pv_is_fix(s[fp - 1])) return "a frame's saved registers are malformed";
        sp = fp - 2;
        pc = pv_fix(s[fp - 1]);
        fp = pv_fix(s[fp - 2]);
    }
}

const char *verify_cont(verifier *v, pv k) {
    return walk(v, SLOT(k, CONT_STACK), pv_fix(SLOT(k, CONT_SP)), pv_fix(SLOT(k, CONT_FP)), pv_fix(SLOT(k, CONT_PC)));
}
