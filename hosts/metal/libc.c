/* libc.c -- the memory functions the core's allow-list names, for a
 * kernel with no C library.  Built with -fno-tree-loop-distribute-patterns
 * so the compiler does not turn these loops back into calls to themselves.
 * SPDX-License-Identifier: MIT
 */
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *d, const void *s, size_t n) {
    uint8_t *dp = d;
    const uint8_t *sp = s;
    if (n >= 16 && !(((uintptr_t)dp | (uintptr_t)sp) & 7)) {
        for (; n >= 8; n -= 8, dp += 8, sp += 8) *(uint64_t *)(void *)dp = *(const uint64_t *)(const void *)sp;
    }
    while (n--) *dp++ = *sp++;
    return d;
}

void *memmove(void *d, const void *s, size_t n) {
    uint8_t *dp = d;
    const uint8_t *sp = s;
    if (dp == sp || n == 0) return d;
    if (dp < sp || dp >= sp + n) return memcpy(d, s, n);
    dp += n;
    sp += n;
    if (!(((uintptr_t)dp | (uintptr_t)sp) & 7)) {
        for (; n >= 8; n -= 8) { dp -= 8; sp -= 8; *(uint64_t *)(void *)dp = *(const uint64_t *)(const void *)sp; }
    }
    while (n--) *--dp = *--sp;
    return d;
}

void *memset(void *d, int c, size_t n) {
    uint8_t *dp = d;
    if (n >= 16 && !((uintptr_t)dp & 7)) {
        uint64_t v = (uint8_t)c * 0x0101010101010101ull;
        for (; n >= 8; n -= 8, dp += 8) *(uint64_t *)(void *)dp = v;
    }
    while (n--) *dp++ = (uint8_t)c;
    return d;
}

int memcmp(const void *a, const void *b, size_t n) {
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y) return *x - *y;
    return 0;
}
