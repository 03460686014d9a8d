/* fuzz_read.c -- libFuzzer harness for the reader, expander and compiler:
 * the input is Scheme source, evaluated with a fuel limit and a heap
 * limit in a VM of the boot image.  Nothing may crash.
 *   build-fuzz/fuzz_read tests/fuzz/corpus/read   (replays the corpus)
 * SPDX-License-Identifier: MIT
 */
#include "fuzz_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    pith_vm *vm = fuzz_open(NULL, 0);  /* a fresh VM: each run is repeatable */
    if (!vm) abort();
    char *src = malloc(size + 1);
    if (!src) return 0;
    memcpy(src, data, size);
    src[size] = 0;  /* a NUL inside ends the source early: fine */
    pith_set_fuel(vm, 100000);
    pith_value v;
    pith_eval_string(vm, src, "fuzz", &v);
    free(src);
    pith_close(vm);
    return 0;
}
