/* test_verify.c -- hostile images: bytecode and saved frames are verified
 * before anything runs (src/core/verify.c).
 *
 * A VM defines a few procedures, captures a continuation inside a
 * recursion and saves its image.  Each case then damages one thing in a
 * copy of that image -- an instruction, an operand, a jump, a frame size, a
 * continuation's frame, a root, a value word -- makes the checksum right
 * again so the damage reaches the checks behind it, and expects the load to
 * be refused with a message that names the problem.  The image is read
 * through docs/image-format.md alone (offsets, headers, slots).  The
 * undamaged image must load and resume, and a damage the verifier cannot
 * see statically (a slot that should hold a box) must end in an error when
 * the code runs, not a crash.  Prints "N passed, M failed" last.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../include/pith.h"
#include "../../src/core/value.h"
#include "../../hosts/posix/posix_host.h"

enum {
#define OP(name, extra, doc) OP_##name,
#include "../../src/core/opcodes.def"
#undef OP
    OP_COUNT
};
static const int op_extra[OP_COUNT] = {
#define OP(name, extra, doc) extra,
#include "../../src/core/opcodes.def"
#undef OP
};

static int passed, failed;

#define CHECK(cond, ...) do { \
        if (cond) passed++; \
        else { failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } \
    } while (0)

static uint8_t *orig, *img;
static size_t n, heap_at;

static uint64_t rd64(size_t at) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = (v << 8) | img[at + i]; return v; }
static void wr64(size_t at, uint64_t v) { for (int i = 0; i < 8; i++) img[at + i] = (uint8_t)(v >> (8 * i)); }
static uint32_t rd32(size_t at) { return (uint32_t)img[at] | (uint32_t)img[at + 1] << 8 | (uint32_t)img[at + 2] << 16 | (uint32_t)img[at + 3] << 24; }
static void wr32(size_t at, uint32_t v) { for (int i = 0; i < 4; i++) img[at + i] = (uint8_t)(v >> (8 * i)); }
static int type_at(size_t at) { return (int)((rd64(at) >> 1) & 0x7f); }
static size_t size_at(size_t at) { return (size_t)(rd64(at) >> 34); }
/* byte offset of the object a pointer word names */
static size_t obj(uint64_t p) { return heap_at + (size_t)p; }
static uint64_t slot(size_t at, size_t i) { return rd64(at + 8 + 8 * i); }
static uint64_t fix(int64_t v) { return ((uint64_t)v << 1) | 1; }

/* The CODE object whose name is the symbol `name`, or 0. */
static size_t find_code(const char *name) {
    for (size_t at = heap_at + 8; at + 8 <= n; at += 8 + 8 * size_at(at)) {
        if (type_at(at) != T_CODE) continue;
        uint64_t nm = slot(at, CODE_NAME);
        if ((nm & 7) || !nm || type_at(obj(nm)) != T_SYMBOL) continue;
        size_t str = obj(slot(obj(nm), 0));
        size_t len = (size_t)(slot(str, 0) >> 1);
        size_t store = obj(slot(str, 1));
        if (type_at(store) != T_STR8 || len != strlen(name)) continue;
        if (!memcmp(img + store + 8, name, len)) return at;
    }
    return 0;
}
/* Whether the symbol at pointer sym is named `name`. */
static bool sym_is(uint64_t sym, const char *name) {
    if ((sym & 7) || !sym || type_at(obj(sym)) != T_SYMBOL) return false;
    size_t str = obj(slot(obj(sym), 0));
    size_t len = (size_t)(slot(str, 0) >> 1);
    size_t store = obj(slot(str, 1));
    return type_at(store) == T_STR8 && len == strlen(name) && !memcmp(img + store + 8, name, len);
}
/* The first object of type t whose slot i is the symbol `name`, or 0. */
static size_t find_named(int t, size_t i, const char *name) {
    for (size_t at = heap_at + 8; at + 8 <= n; at += 8 + 8 * size_at(at))
        if (type_at(at) == t && size_at(at) > i && sym_is(slot(at, i), name)) return at;
    return 0;
}
/* The first CLOSURE over code, or 0. */
static size_t find_closure(size_t code) {
    for (size_t at = heap_at + 8; at + 8 <= n; at += 8 + 8 * size_at(at))
        if (type_at(at) == T_CLOSURE && obj(slot(at, 0)) == code) return at;
    return 0;
}
static size_t find_type(int t) {
    for (size_t at = heap_at + 8; at + 8 <= n; at += 8 + 8 * size_at(at))
        if (type_at(at) == t) return at;
    return 0;
}
/* Byte offset of instruction word i of code. */
static size_t insn(size_t code, size_t i) { return obj(slot(code, CODE_INSNS)) + 16 + 4 * i; }
static size_t ninsns(size_t code) { return (size_t)(slot(obj(slot(code, CODE_INSNS)), 0) >> 1); }
/* Word index of the nth instruction of code with opcode op, or 0. */
static size_t find_op(size_t code, int op, int nth) {
    for (size_t i = 0; i < ninsns(code); i += 1 + (size_t)op_extra[rd32(insn(code, i)) & 0xff])
        if ((int)(rd32(insn(code, i)) & 0xff) == op && nth-- == 0) return i;
    return 0;
}
static void set_insn(size_t code, size_t i, int op, uint32_t a) { wr32(insn(code, i), (uint32_t)op | a << 8); }

static void fix_checksum(void) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 64; i < n; i++) h = (h ^ img[i]) * 0x100000001b3ull;
    wr64(32, h);
}

static pith_vm *load(posix_host *h, char *err, size_t cap) {
    pith_options o;
    memset(&o, 0, sizeof o);
    o.size = sizeof o;
    o.image = img;
    o.image_size = n;
    o.gc_stress = getenv("PITH_GC_STRESS") != NULL;
    pith_status st;
    fix_checksum();
    pith_vm *vm = pith_open(posix_host_get(h), &o, &st, err, cap);
    if (vm) err[0] = 0;
    return vm;
}

/* Load the damaged copy: refused, with msg in the message. */
static void refused(posix_host *h, const char *what, const char *msg) {
    char err[300];
    pith_vm *vm = load(h, err, sizeof err);
    CHECK(!vm && strstr(err, msg), "%s: %s (wanted \"%s\")", what, vm ? "loaded" : err, msg);
    if (vm) pith_close(vm);
    memcpy(img, orig, n);
}

static const char program[] =
    "(define k-held #f)\n"
    "(define (deep n) (if (= n 0) (begin (call/cc (lambda (k) (set! k-held k))) 0) (+ 1 (deep (- n 1)))))\n"
    "(define (boxy) (let ((v 1)) (set! v (+ v 1)) v))\n"
    "(define (adder n) (lambda (x) (+ x n)))\n"
    "(define add5 (adder 5))\n"
    "(define (ret42 e) 42)\n"
    "(define deep-result (deep 3))\n"
    "(define vec (vector 1 2 3))\n"
    "(define rat 1/3)\n"
    "(define tbl (make-hash-table))\n"
    "(hash-table-set! tbl 'k 1)\n"
    "deep-result";

int main(int argc, char **argv) {
    (void)argc;
    posix_host *h = posix_host_new(1, argv);
    char path[] = "/tmp/pith-verify-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) { printf("mkstemp failed\n0 passed, 1 failed\n"); return 1; }
    close(fd);
    pith_status st;
    char err[300];
    pith_vm *vm = pith_open(posix_host_get(h), NULL, &st, err, sizeof err);
    pith_value v;
    CHECK(vm && pith_eval_string(vm, program, "test", &v) == PITH_OK, "the program runs: %s", vm ? pith_error_report(vm) : err);
    CHECK(vm && pith_save_image(vm, path) == PITH_OK, "save its image");
    if (vm) pith_close(vm);
    FILE *f = fopen(path, "rb");
    orig = malloc(8 << 20);
    img = malloc(8 << 20);
    n = f ? fread(orig, 1, 8 << 20, f) : 0;
    if (f) fclose(f);
    unlink(path);
    CHECK(n > 1000, "the image was read (%zu bytes)", n);
    if (n <= 1000) { printf("%d passed, %d failed\n", passed, failed); return 1; }
    memcpy(img, orig, n);
    heap_at = 64 + 8 * (size_t)rd32(24);

    /* The undamaged image loads (verified) and resumes its continuation. */
    pith_vm *good = load(h, err, sizeof err);
    CHECK(good != NULL, "the undamaged image loads: %s", err);
    if (good) {
        CHECK(pith_eval_string(good, "(list deep-result (add5 1) (boxy))", "test", &v) == PITH_OK &&
              pith_to_int(good, pith_car(good, v), NULL) == 3, "its procedures run");
        pith_status s = pith_eval_string(good, "(if (number? k-held) 0 (begin (set! deep-result 100) (k-held 0)))", "test", &v);
        (void)s;
        CHECK(pith_eval_string(good, "deep-result", "test", &v) == PITH_OK && pith_to_int(good, v, NULL) == 3,
              "the continuation re-entered after loading finishes the recursion (deep-result redefined to 3)");
        pith_close(good);
    }

    size_t deep = find_code("deep"), boxy = find_code("boxy"), adder = find_code("adder"), ret42 = find_code("ret42");
    CHECK(deep && boxy && adder && ret42, "found the codes by name");
    if (!(deep && boxy && adder && ret42)) { printf("%d passed, %d failed\n", passed, failed); return 1; }
    memcpy(img, orig, n);

    /* Instructions and operands. */
    set_insn(deep, 0, OP_IMM, 1);
    refused(h, "code that does not begin with ENTER", "does not begin with ENTER");
    set_insn(deep, 0, OP_ENTER, 2);
    refused(h, "ENTER disagreeing with the arity", "arity disagrees");
    wr32(insn(deep, 1), 1);
    refused(h, "a frame too small for the arguments", "cannot hold its arguments");
    wr32(insn(deep, 1), 2);
    refused(h, "a frame too small for the body", "grows past the procedure's frame");
    wr32(insn(deep, 1), 1u << 30);
    refused(h, "a huge frame", "frame is too large");
    set_insn(deep, 2, 250, 0);
    refused(h, "an unknown opcode", "unknown instruction");
    set_insn(deep, 2, OP_HALT, 0);
    refused(h, "HALT in the middle of a procedure", "stub instruction");
    set_insn(deep, 2, OP_ENTER, 0);
    refused(h, "a second ENTER", "stub instruction");
    size_t i = find_op(deep, OP_LREF, 0) ? find_op(deep, OP_LREF, 0) : find_op(deep, OP_LREF_PUSH, 0);
    CHECK(i != 0, "deep reads a local");
    set_insn(deep, i, rd32(insn(deep, i)) & 0xff, 200);
    refused(h, "LREF above the stack", "above the stack");
    i = find_op(deep, OP_GREF_CALL, 0) ? find_op(deep, OP_GREF_CALL, 0) : find_op(deep, OP_GREF_TCALL, 0);
    CHECK(i != 0, "deep calls a global");
    set_insn(deep, i, rd32(insn(deep, i)) & 0xff, 5000);
    refused(h, "a global operand past the constants", "variable cell");
    i = find_op(deep, OP_JF, 0);
    CHECK(i != 0, "deep branches");
    set_insn(deep, i, OP_JF, 100000);
    refused(h, "a jump out of the code", "lands inside an instruction or outside");
    set_insn(deep, i, OP_JF, (uint32_t)-(int32_t)i & 0xffffff);  /* to word 1 */
    refused(h, "a backward jump (loops must go through a call, which polls)", "backward jump");
    {
        size_t c = find_op(deep, OP_CLOSURE, 0);   /* two words: jump to its second */
        CHECK(c > i, "a two-word instruction after the branch");
        set_insn(deep, i, OP_JF, (uint32_t)(c - i));
    }
    refused(h, "a jump into an instruction's operand", "lands inside an instruction");
    set_insn(deep, 2, OP_DROP, 50);
    refused(h, "DROP into the frame header", "pops into the frame header");
    set_insn(deep, 2, OP_CONST, 7777);
    refused(h, "CONST past the constants", "constant operand");
    set_insn(deep, 2, OP_LSET, 0);
    refused(h, "LSET over the procedure slot", "frame slot operand is out of range");
    set_insn(deep, 2, OP_SPECIAL, 99);
    refused(h, "SPECIAL naming no constant", "SPECIAL");
    wr32(insn(deep, ninsns(deep) - 1), OP_NOT);
    refused(h, "a path running off the end", "outside the code");
    /* The then branch is FRAME, CLOSURE k, ... and the else branch begins
     * with FRAME.  CLOSURE's two words become IMM_PUSH and a JMP to just
     * after the else branch's FRAME: the paths join one slot apart. */
    i = find_op(deep, OP_JF, 0);
    {
        uint32_t a = rd32(insn(deep, i)) >> 8;
        size_t c = find_op(deep, OP_CLOSURE, 0), join = i + 1 + a + 1;
        CHECK((rd32(insn(deep, join - 1)) & 0xff) == OP_FRAME && c > i && c < join, "deep's branches have the expected shape");
        set_insn(deep, c, OP_IMM_PUSH, 0);
        set_insn(deep, c + 1, OP_JMP, (uint32_t)(join - (c + 2)));
    }
    refused(h, "paths joining with different depths", "stack depths disagree");
    i = find_op(deep, OP_JF, 0);
    set_insn(deep, i + 1, OP_IMM_PUSH, 0);
    refused(h, "a push on one path only", "pops into the frame header");
    i = find_op(adder, OP_CLOSURE, 0);
    CHECK(i != 0, "adder makes a closure");
    wr32(insn(adder, i + 1), 2);
    refused(h, "CLOSURE popping a different free count", "free variables");
    i = find_op(adder, OP_CLOSURE, 0);
    set_insn(adder, i, OP_CLOSURE, (uint32_t)size_at(obj(slot(adder, CODE_CONSTS))));
    refused(h, "CLOSURE over a constant that is not code", "code constant");
    {
        size_t inner = obj(slot(obj(slot(adder, CODE_CONSTS)), rd32(insn(adder, i)) >> 8));
        size_t fr = find_op(inner, OP_FREF, 0) ? find_op(inner, OP_FREF, 0) : find_op(inner, OP_FREF_UNBOX, 0);
        CHECK(type_at(inner) == T_CODE && fr != 0, "the inner lambda reads its free variable");
        set_insn(inner, fr, rd32(insn(inner, fr)) & 0xff, 3);
        refused(h, "FREF past the free variables", "free-variable operand");
        wr64(inner + 8 + 8 * CODE_NFREE, fix(4));
        refused(h, "a closure shorter than its code's free variables", "free variables");
    }

    /* Closures, roots and values. */
    size_t clo = find_closure(ret42);
    CHECK(clo != 0, "ret42's closure");
    size_t halt_clo = obj(rd64(64 + 8 * 5));
    wr64(clo + 8, slot(halt_clo, 0));
    refused(h, "a closure over the halt code", "stray");
    wr64(64 + 8 * 7, rd64(64 + 8 * 5));
    refused(h, "the barrier root replaced by the halt closure", "barrier root");
    wr64(64 + 8 * 0, rd64(64 + 8 * 13));
    refused(h, "a symbol table holding procedures", "symbol table");
    {
        size_t vec = find_type(T_VECTOR);
        wr64(vec + 8, 0x04);
        refused(h, "a value word of a reserved kind", "no known kind");
        wr64(vec + 8, ((uint64_t)0x110000 << 8) | 0x0a);
        refused(h, "a character past Unicode", "no known kind");
        wr64(vec + 8, 0x902);
        refused(h, "a special constant that does not exist", "no known kind");
    }

    /* What the review of the verifier found (each once a crash). */
    {
        pith_vm *bv;
        size_t car_cell = find_named(T_CELL, CELL_NAME, "car");
        CHECK(car_cell != 0, "the cell of car");
        wr64(car_cell + 8 + 8 * CELL_FLAGS, fix(1 | 0xff << 8 | 1 << 16));
        bv = load(h, err, sizeof err);
        CHECK(bv != NULL, "a cell whose flags name a bogus opcode loads: %s", err);
        if (bv) {
            CHECK(pith_eval_string(bv, "(car '(7 8))", "test", &v) == PITH_OK && pith_to_int(bv, v, NULL) == 7,
                  "and the compiler does not open-code the bogus opcode");
            pith_close(bv);
        }
        memcpy(img, orig, n);
        size_t car_prim = find_named(T_PRIM, PRIM_NAME, "car");
        CHECK(car_prim != 0, "the primitive car");
        wr64(car_prim + 8 + 8 * PRIM_MIN, fix(0));
        bv = load(h, err, sizeof err);
        if (bv) {
            CHECK(pith_eval_string(bv, "(car)", "test", &v) == PITH_ERROR && strstr(pith_error_message(bv), "arguments"),
                  "argument counts come from this Pith, not the image: %s", pith_error_message(bv));
            pith_close(bv);
        }
        memcpy(img, orig, n);
        size_t vec = obj(slot(find_named(T_CELL, CELL_NAME, "vec"), CELL_VALUE));
        wr64(vec + 8, rd64(64 + 8 * 6));
        refused(h, "a vector holding the underflow closure", "underflow");
        size_t rat = find_type(T_RATNUM);
        CHECK(rat != 0, "the image holds a ratio");
        wr64(rat + 8, 0x102);
        refused(h, "a ratio whose numerator is #t", "malformed object");
        size_t files = obj(rd64(64 + 8 * 3));
        wr64(files + 8, fix(5));
        refused(h, "a file table holding a number", "file table");
        /* the user's table: every empty slot filled, so no probe would stop */
        size_t tbl_cell = find_named(T_CELL, CELL_NAME, "tbl");
        size_t tbl = tbl_cell ? obj(slot(tbl_cell, CELL_VALUE)) : 0;
        CHECK(tbl && type_at(tbl) == T_HTABLE, "the user's hash table");
        if (tbl && type_at(tbl) == T_HTABLE) {
            size_t data = obj(slot(tbl, HT_DATA));
            for (size_t k = 0; k < size_at(data); k += 2)
                if (slot(data, k) == 0x602) wr64(data + 8 + 8 * k, fix((int64_t)k));
            refused(h, "a hash table with no empty slot", "hash table");
        }
        /* a global bound to a procedure's constants: they cannot be changed */
        size_t vec_cell = find_named(T_CELL, CELL_NAME, "vec");
        wr64(vec_cell + 8 + 8 * CELL_VALUE, slot(deep, CODE_CONSTS));
        bv = load(h, err, sizeof err);
        if (bv) {
            CHECK(pith_eval_string(bv, "(vector-fill! vec 0)", "test", &v) == PITH_ERROR &&
                  strstr(pith_error_message(bv), "immutable"), "a procedure's constants are immutable: %s", pith_error_message(bv));
            CHECK(pith_eval_string(bv, "(deep 2)", "test", &v) == PITH_OK && pith_to_int(bv, v, NULL) == 2, "and it still runs");
            pith_close(bv);
        }
        memcpy(img, orig, n);
    }

    /* The continuation's frames. */
    size_t k = find_type(T_CONT);
    CHECK(k != 0, "the image holds a continuation");
    if (k) {
        wr64(k + 8 + 8 * CONT_PC, fix(1));
        refused(h, "a return point inside an instruction", "return point");
        wr64(k + 8 + 8 * CONT_PC, fix(1000000));
        refused(h, "a return point past the code", "return point");
        wr64(k + 8 + 8 * CONT_SP, slot(k, CONT_SP) + 2);
        refused(h, "a stack depth that does not match the return point", "stack");
        wr64(k + 8 + 8 * CONT_FP, fix(100000));
        refused(h, "a frame outside its segment", "outside its stack segment");
        size_t seg = obj(slot(k, CONT_STACK));
        wr64(seg, rd64(seg) & ~((uint64_t)OF_FROZEN << 8));
        refused(h, "a continuation on a segment that is not frozen", "frozen");
        /* a saved fp that points upwards: the frame under the top one */
        size_t fp = (size_t)(slot(k, CONT_FP) >> 1);
        wr64(seg + 8 + 8 * (STK_HDR + fp - 2), fix((int64_t)fp + 1));
        refused(h, "a frame chain that climbs", "frame");
        wr64(seg + 8 + 8 * (STK_HDR + fp), fix(7));
        refused(h, "a frame whose procedure is not a closure", "not a closure");
    }

    /* What only running can show: a slot that should hold a box. */
    i = find_op(boxy, OP_LREF_UNBOX, 0);
    CHECK(i != 0, "boxy reads a box");
    set_insn(boxy, i, OP_LREF_UNBOX, 0);
    pith_vm *b = load(h, err, sizeof err);
    CHECK(b != NULL, "the image loads: %s", err);
    if (b) {
        CHECK(pith_eval_string(b, "(boxy)", "test", &v) == PITH_ERROR && strstr(pith_error_message(b), "corrupt bytecode"),
              "running the damaged code is an error: %s", pith_error_message(b));
        CHECK(pith_eval_string(b, "(add5 10)", "test", &v) == PITH_OK && pith_to_int(b, v, NULL) == 15, "and the VM goes on");
        pith_close(b);
    }
    memcpy(img, orig, n);
    /* An error hook that returns: the failed frame is not resumed. */
    {
        size_t hooks = obj(rd64(64 + 8 * 13));
        CHECK(type_at(hooks) == T_VECTOR, "the hooks root");
        wr64(hooks + 8, (uint64_t)(clo - heap_at));
        b = load(h, err, sizeof err);
        CHECK(b != NULL, "an image whose raise hook returns loads: %s", err);
        if (b) {
            CHECK(pith_eval_string(b, "(+ 1 (car 5))", "test", &v) == PITH_ERROR &&
                  strstr(pith_error_message(b), "hook returned"), "the run stops: %s", pith_error_message(b));
            CHECK(pith_eval_string(b, "(add5 10)", "test", &v) == PITH_OK && pith_to_int(b, v, NULL) == 15, "and the VM goes on");
            pith_close(b);
        }
        memcpy(img, orig, n);
    }
    free(orig);
    free(img);
    posix_host_free(h);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
