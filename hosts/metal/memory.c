/* memory.c -- the host's memory: the usable RAM of the multiboot memory
 * map (above the kernel and its modules), handed out best-fit from a free
 * list kept in address order, with neighbours merged when freed.  The core
 * asks for few, large blocks (heap chunks), so a list is enough.
 * SPDX-License-Identifier: MIT
 */
#include "metal.h"

typedef struct block {
    size_t size;
    struct block *next;
} block;

static block *free_list;
static size_t total, avail;

#define ALIGN(n) (((n) + 15) & ~(size_t)15)

void mem_free(void *p, size_t size) {
    if (!p) return;
    size = ALIGN(size < sizeof(block) ? sizeof(block) : size);
    block *b = p, **pp = &free_list;
    while (*pp && *pp < b) pp = &(*pp)->next;
    b->size = size;
    b->next = *pp;
    *pp = b;
    avail += size;
    if (b->next && (uint8_t *)b + b->size == (uint8_t *)b->next) {
        b->size += b->next->size;
        b->next = b->next->next;
    }
    /* merge with the block before */
    if (pp != &free_list) {
        block *prev = (block *)((uint8_t *)pp - offsetof(block, next));
        if ((uint8_t *)prev + prev->size == (uint8_t *)b) {
            prev->size += b->size;
            prev->next = b->next;
        }
    }
}

void mem_add_region(uint64_t start, uint64_t end) {
    start = (start + 15) & ~15ull;
    end &= ~15ull;
    if (end <= start || end - start < 4096) return;
    total += end - start;
    mem_free((void *)(uintptr_t)start, end - start);
}

void *mem_alloc(size_t size) {
    if (size == 0) size = 1;
    if (size > ((size_t)1 << 40)) return 0;
    size = ALIGN(size < sizeof(block) ? sizeof(block) : size);
    /* best fit: the smallest free block that holds it keeps big ones whole */
    block **best = 0;
    for (block **pp = &free_list; *pp; pp = &(*pp)->next)
        if ((*pp)->size >= size && (!best || (*pp)->size < (*best)->size)) {
            best = pp;
            if ((*pp)->size == size) break;
        }
    if (!best) return 0;
    block *b = *best;
    if (b->size - size >= sizeof(block)) {   /* sizes are multiples of 16: no sliver is lost */
        /* take the front; the rest stays free */
        block *rest = (block *)((uint8_t *)b + size);
        rest->size = b->size - size;
        rest->next = b->next;
        *best = rest;
    } else {
        *best = b->next;
    }
    avail -= size;
    return b;
}

size_t mem_total(void) { return total; }
size_t mem_free_bytes(void) { return avail; }
