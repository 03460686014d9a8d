/* fuzz_bytecode.c -- libFuzzer harness aimed at the bytecode verifier and
 * the interpreter behind it.  The input is a list of edits to the boot
 * image's instruction words: each 8 bytes pick a word (4 bytes, modulo the
 * number of instruction words in the image) and give it a new value (4
 * bytes; the low byte is the opcode).  The edited image, its checksum made
 * right, goes through pith_open as an untrusted image: either the verifier
 * refuses it, or it loads and then runs a few expressions that exercise
 * the boot code (the expander, eval, map, strings, call/cc) with a fuel
 * limit.  Nothing may crash.  Inputs are small, so every mutation reaches
 * bytecode, unlike fuzz_image's whole images.
 *   make fuzz-build && build-fuzz/fuzz_bytecode tests/fuzz/corpus/bytecode
 * SPDX-License-Identifier: MIT
 */
#include "fuzz_host.h"

static uint8_t *base;
static size_t base_len, nwords, *word_at;  /* byte offset of each instruction word */

static uint64_t rd64(const uint8_t *p) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = (v << 8) | p[i]; return v; }

static void index_image(void) {
    const uint8_t *img = pith_boot_image(&base_len);
    base = malloc(base_len);
    memcpy(base, img, base_len);
    size_t heap_at = 64 + 8 * (size_t)(base[24] | base[25] << 8);
    size_t cap = 1 << 16;
    word_at = malloc(cap * sizeof *word_at);
    for (size_t at = heap_at + 8; at + 8 <= base_len;) {
        uint64_t h = rd64(base + at);
        size_t words = (size_t)(h >> 34);
        if (((h >> 1) & 0x7f) == 14 /* INSNS */) {
            size_t count = (size_t)(rd64(base + at + 8) >> 1);
            for (size_t i = 0; i < count; i++) {
                if (nwords == cap) word_at = realloc(word_at, (cap *= 2) * sizeof *word_at);
                word_at[nwords++] = at + 16 + 4 * i;
            }
        }
        at += 8 + 8 * words;
    }
}

static const char *const programs[] = {
    "(define (f x) (* x x)) (map f '(1 2 3))",
    "(let loop ((i 0) (acc '())) (if (< i 50) (loop (+ i 1) (cons (number->string i) acc)) (apply string-append acc)))",
    "(call-with-current-continuation (lambda (k) (dynamic-wind (lambda () 1) (lambda () (k 2)) (lambda () 3))))",
    "(guard (e (#t (condition/report-string e))) (vector-ref (vector 1 2) 9))",
    "(define-record-type p (mk a) p? (a pa)) (pa (mk 5))",
    "(let-values (((a b) (values 1 2))) (list a b (string->symbol \"s\") (assoc 2 '((1 . a) (2 . b)))))",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!base) index_image();
    if (size < 8 || size > 8 * 64) return 0;
    uint8_t *img = malloc(base_len);
    memcpy(img, base, base_len);
    for (size_t i = 0; i + 8 <= size; i += 8) {
        uint32_t which = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 | (uint32_t)data[i + 2] << 16 | (uint32_t)data[i + 3] << 24;
        size_t at = word_at[which % nwords];
        memcpy(img + at, data + i + 4, 4);
    }
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 64; i < base_len; i++) h = (h ^ img[i]) * 0x100000001b3ull;
    for (int i = 0; i < 8; i++) img[32 + i] = (uint8_t)(h >> (8 * i));
    pith_vm *vm = fuzz_open(img, base_len);
    free(img);
    if (!vm) return 0;
    pith_value v;
    for (size_t p = 0; p < sizeof programs / sizeof programs[0]; p++) {
        pith_set_fuel(vm, 100000);
        pith_eval_string(vm, programs[p], "fuzz", &v);
    }
    pith_close(vm);
    return 0;
}
