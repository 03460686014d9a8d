/* fuzz_image.c -- libFuzzer harness for the image loader.  The input is an
 * image; its checksum is recomputed (so mutations reach the checks behind
 * it), then the image is loaded, collected and called once (its resume
 * hook, with a fuel limit).  Nothing may crash: a bad image must be
 * refused with PITH_BAD_IMAGE, a bad computation must end in an error.
 *   make fuzz            (builds build-fuzz/fuzz_image and runs it)
 *   build-fuzz/fuzz_image tests/fuzz/corpus/image   (replays the corpus)
 * SPDX-License-Identifier: MIT
 */
#include "fuzz_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 64 || size > ((size_t)16 << 20)) return 0;
    uint8_t *img = malloc(size);
    if (!img) return 0;
    memcpy(img, data, size);
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 64; i < size; i++) h = (h ^ img[i]) * 0x100000001b3ull;
    for (int i = 0; i < 8; i++) img[32 + i] = (uint8_t)(h >> (8 * i));
    pith_vm *vm = fuzz_open(img, size);
    free(img);
    if (!vm) return 0;
    pith_set_fuel(vm, 200000);
    pith_value v;
    pith_eval_string(vm, "(collect-garbage)", "fuzz", &v);
    pith_set_fuel(vm, 200000);
    pith_resume(vm, &v);
    pith_close(vm);
    return 0;
}
