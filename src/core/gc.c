/* gc.c -- allocation and the precise, moving, generational collector.
 *
 * Two generations (DESIGN.md: Values and heap; Ungar's generation
 * scavenging):
 *  - a nursery: one block with bump allocation; a minor collection copies
 *    its survivors into the old generation (en-masse promotion);
 *  - the old generation: a list of chunks from the host; a major
 *    collection copies everything live into fresh chunks (Cheney's
 *    algorithm: breadth-first, iterative, so deep data needs no C stack).
 * Old objects that may point into the nursery are in the remembered set,
 * kept by the write barrier pv_store().  The current stack segment is
 * written without the barrier and is always scanned as a root; a segment
 * the VM leaves is remembered (vm.c).  Large objects and stack segments
 * are allocated in the old generation directly, and remembered at once so
 * their initializing stores need no barrier.
 *
 * SPDX-License-Identifier: MIT
 */
#include "vm.h"

#define CHUNK_MIN ((size_t)1 << 20)        /* smallest old chunk */
#define LARGE_OBJECT ((size_t)32 << 10)   /* bytes: allocate in old space */
#define MAJOR_MIN ((size_t)4 << 20)       /* smallest major threshold growth */
#define STRESS_MAJOR_EVERY 97              /* GC stress: every Nth is major */
#define HEAP_RESERVE ((size_t)1 << 20)    /* extra bytes past the limit for
                                             handlers of heap-exhausted */

void *host_alloc(pith_vm *vm, size_t bytes) {
    return vm->host->memory->alloc(vm->hctx, bytes);
}

void host_free(pith_vm *vm, void *p, size_t bytes) {
    if (p) vm->host->memory->free(vm->hctx, p, bytes);
}

/* ---- temporary buffers ----
 * Size class c holds blocks of 2^(c+6) bytes.  A freed block goes on its
 * class's list (its first word links the list) while the cache holds less
 * than TMP_CACHE bytes; bigger blocks, and any beyond that, go back to
 * the host. */
#define TMP_MIN_SHIFT 6
#define TMP_CACHE ((size_t)4 << 20)

static int tmp_class(size_t bytes) {
    int c = 0;
    while (((size_t)1 << (c + TMP_MIN_SHIFT)) < bytes) c++;
    return c;
}

void *tmp_alloc(pith_vm *vm, size_t bytes) {
    if (bytes > ((size_t)1 << (TMP_CLASSES - 1 + TMP_MIN_SHIFT))) return host_alloc(vm, bytes);
    int c = tmp_class(bytes);
    void *p = vm->tmp_free_list[c];
    if (p) {
        vm->tmp_free_list[c] = *(void **)p;
        vm->tmp_cached -= (size_t)1 << (c + TMP_MIN_SHIFT);
        return p;
    }
    return host_alloc(vm, (size_t)1 << (c + TMP_MIN_SHIFT));
}

void tmp_free(pith_vm *vm, void *p, size_t bytes) {
    if (!p) return;
    if (bytes > ((size_t)1 << (TMP_CLASSES - 1 + TMP_MIN_SHIFT))) {
        host_free(vm, p, bytes);
        return;
    }
    int c = tmp_class(bytes);
    size_t size = (size_t)1 << (c + TMP_MIN_SHIFT);
    if (vm->tmp_cached + size > TMP_CACHE) {
        host_free(vm, p, size);
        return;
    }
    *(void **)p = vm->tmp_free_list[c];
    vm->tmp_free_list[c] = p;
    vm->tmp_cached += size;
}

void tmp_release(pith_vm *vm) {
    for (int c = 0; c < TMP_CLASSES; c++) {
        while (vm->tmp_free_list[c]) {
            void *p = vm->tmp_free_list[c];
            vm->tmp_free_list[c] = *(void **)p;
            host_free(vm, p, (size_t)1 << (c + TMP_MIN_SHIFT));
        }
    }
    vm->tmp_cached = 0;
}

int pvbuf_push(pith_vm *vm, pvbuf *b, pv v) {
    if (b->n == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 1024;
        pv *nv = host_alloc(vm, ncap * sizeof(pv));
        if (!nv) return err_oom(vm);
        if (b->n) MEMCPY(nv, b->v, b->n * sizeof(pv));
        host_free(vm, b->v, b->cap * sizeof(pv));
        b->v = nv;
        b->cap = ncap;
    }
    b->v[b->n++] = v;
    return PITH_OK;
}

void pvbuf_free(pith_vm *vm, pvbuf *b) {
    host_free(vm, b->v, b->cap * sizeof(pv));
    b->v = 0;
    b->n = b->cap = 0;
}

static void panic(pith_vm *vm, const char *msg) {
    if (vm->host->panic) vm->host->panic(vm->hctx, msg);
    /* A host whose panic returns: nothing sane is left to do. */
    for (;;) __builtin_trap();
}

/* ---- chunks ---- */

static chunk *chunk_new(pith_vm *vm, size_t need) {
    /* A chunk kept from the last major collection, if it is big enough
     * (reusing it saves the host mapping and the kernel zeroing pages). */
    chunk *sp = vm->spare_chunk;
    if (sp && (size_t)(sp->end - sp->start) >= need) {
        vm->spare_chunk = 0;
        sp->next = 0;
        sp->top = sp->start;
        vm->old_bytes += sp->size;
        return sp;
    }
    size_t size = need + 64;
    if (size < CHUNK_MIN) size = CHUNK_MIN;
    if (size < vm->old_used / 4) size = vm->old_used / 4;  /* grow with the heap */
    size = (size + 4095) & ~(size_t)4095;
    uint8_t *mem = host_alloc(vm, size);
    if (!mem) return 0;
    chunk *c = (chunk *)mem;
    c->next = 0;
    c->size = size;
    c->start = mem + ((sizeof(chunk) + 15) & ~(size_t)15);
    c->top = c->start;
    c->end = mem + size;
    vm->old_bytes += size;
    return c;
}

/* Bump-allocate `bytes` in the old generation (not zeroed: the collector
 * copies over it; large objects are zeroed by their allocator).  May add a
 * chunk; returns NULL only when the host has no memory. */
static uint64_t *old_alloc(pith_vm *vm, size_t bytes) {
    chunk *c = vm->old_last;
    if (!c || (size_t)(c->end - c->top) < bytes) {
        chunk *n = chunk_new(vm, bytes);
        if (!n) return 0;
        if (c) c->next = n; else vm->old = n;
        vm->old_last = n;
        c = n;
    }
    uint64_t *p = (uint64_t *)c->top;
    c->top += bytes;
    vm->old_used += bytes;
    return p;
}

/* Zero the nursery up to at least `need` (and a step more), and move the
 * allocation limit there. */
#define ZERO_STEP ((size_t)64 * 1024)
static void zero_to(pith_vm *vm, uint8_t *need) {
    if (need > vm->zeroed) {
        uint8_t *to = (size_t)(vm->nursery_end - vm->zeroed) > ZERO_STEP ? vm->zeroed + ZERO_STEP : vm->nursery_end;
        if (to < need) to = need;
        MEMSET(vm->zeroed, 0, (size_t)(to - vm->zeroed));
        vm->zeroed = to;
    }
    vm->hlimit = vm->gc_stress ? vm->hp : vm->zeroed;
}

int heap_init(pith_vm *vm, size_t nursery) {
    if (nursery < 64 * 1024) nursery = 64 * 1024;
    nursery = (nursery + 4095) & ~(size_t)4095;
    vm->nursery = host_alloc(vm, nursery);
    if (!vm->nursery) return PITH_NO_MEMORY;
    vm->nursery_size = nursery;
    vm->nursery_end = vm->nursery + nursery;
    vm->hp = vm->nursery;
    vm->zeroed = vm->nursery;
    zero_to(vm, vm->nursery);
    vm->major_threshold = MAJOR_MIN;
    return PITH_OK;
}

void heap_free(pith_vm *vm) {
    chunk *c = vm->old;
    while (c) {
        chunk *n = c->next;
        host_free(vm, c, c->size);
        c = n;
    }
    vm->old = vm->old_last = 0;
    if (vm->spare_chunk) host_free(vm, vm->spare_chunk, vm->spare_chunk->size);
    vm->spare_chunk = 0;
    host_free(vm, vm->nursery, vm->nursery_size);
    vm->nursery = 0;
    pvbuf_free(vm, &vm->remset);
    pvbuf_free(vm, &vm->weak);
}

void gc_shadow_overflow(pith_vm *vm) { panic(vm, "too many GC roots of C locals (shadow stack overflow)"); }

void gc_remember(pith_vm *vm, pv obj) {
    if (pv_has_flag(obj, OF_REMEMBERED)) return;
    pv_set_flag(obj, OF_REMEMBERED);
    if (pvbuf_push(vm, &vm->remset, obj)) panic(vm, "out of memory for the remembered set");
}

uint32_t obj_hash(pith_vm *vm, pv v) {
    uint64_t h = pv_hdr(v);
    uint32_t hash = (uint32_t)((h >> HDR_HASH_SHIFT) & HDR_HASH_MASK);
    if (hash) return hash;
    /* A deterministic sequence, so the same program gives the same image. */
    vm->hash_counter = vm->hash_counter * 1103515245u + 12345u;
    hash = (vm->hash_counter >> 8) & HDR_HASH_MASK;
    if (!hash) hash = 1;
    pv_obj(v)[0] = h | ((uint64_t)hash << HDR_HASH_SHIFT);
    return hash;
}

/* ---- copying ---- */

/* The collector's state for one collection. */
typedef struct gc_ctx {
    pith_vm *vm;
    bool major;          /* copy old objects too */
    uint8_t *to_lo, *to_hi; /* major: the one to-space chunk */
    chunk *scan_chunk;   /* Cheney scan position: chunk ... */
    uint8_t *scan;       /* ... and address in it */
} gc_ctx;

/* Number of leading tagged payload words of an object (STACK: its fill). */
static size_t tagged_words(uint64_t *o) {
    uint64_t h = o[0];
    switch (hdr_type(h)) {
#define X(n, t, w) case T_##n: \
        if ((t) == -1) return hdr_size(h); \
        if ((t) == -2) return STK_HDR + (size_t)pv_fix(o[1 + STK_FILL]); \
        return (size_t)(t);
        PITH_TYPES(X)
#undef X
    default: return 0;
    }
}

static bool in_from_space(gc_ctx *g, pv v) {
    /* Major: everything outside the to-space chunk.  Minor: the nursery. */
    if (g->major) return (uintptr_t)((uint8_t *)(uintptr_t)v - g->to_lo) >= (uintptr_t)(g->to_hi - g->to_lo);
    return in_nursery(g->vm, v);
}

/* Copy the object v points to (if it must move) and return its new
 * address. */
static pv forward(gc_ctx *g, pv v) {
    uint64_t *o = pv_obj(v);
    uint64_t h = o[0];
    if (!(h & 1)) return (pv)h;           /* already copied */
    size_t bytes = (hdr_size(h) + 1) * 8;
    uint64_t *n = old_alloc(g->vm, bytes);
    if (!n) panic(g->vm, "the host has no memory left for the collector");
    MEMCPY(n, o, bytes);
    n[0] &= ~((uint64_t)OF_REMEMBERED << HDR_FLAG_SHIFT);
    o[0] = (uint64_t)(uintptr_t)n;        /* the forwarding pointer */
    return (pv)(uintptr_t)n;
}

static inline void fix_slot(gc_ctx *g, pv *slot) {
    pv v = *slot;
    if (pv_is_ptr(v) && in_from_space(g, v)) *slot = forward(g, v);
}

/* Scan the tagged words of one object. */
static void scan_object(gc_ctx *g, uint64_t *o) {
    size_t n = tagged_words(o);
    pv *s = (pv *)&o[1];
    if ((o[0] >> HDR_FLAG_SHIFT) & OF_WEAK) {
        /* a weak table's data: values only; the keys wait for sweep_weak */
        for (size_t i = 1; i < n; i += 2) fix_slot(g, &s[i]);
        if (n & 1) fix_slot(g, &s[n - 1]);  /* the count slot: a fixnum, unless an image lied */
        if (pvbuf_push(g->vm, &g->vm->weak, (pv)(uintptr_t)o))
            panic(g->vm, "out of memory for the weak-table list");
        return;
    }
    for (size_t i = 0; i < n; i++) fix_slot(g, &s[i]);
}

/* After the scan: in each weak vector, keys that were copied get their
 * new address; the entries of keys nothing else kept are deleted, and
 * their number is added to the count in the vector's last slot (hash.c
 * takes it from the table's count). */
static void sweep_weak(gc_ctx *g) {
    pith_vm *vm = g->vm;
    for (size_t w = 0; w < vm->weak.n; w++) {
        uint64_t *o = pv_obj(vm->weak.v[w]);
        size_t n = hdr_size(o[0]);
        pv *s = (pv *)&o[1];
        int64_t dead = 0;
        for (size_t i = 0; i + 1 < n; i += 2) {
            pv k = s[i];
            if (!pv_is_ptr(k) || !in_from_space(g, k)) continue;
            uint64_t h = pv_hdr(k);
            if (!(h & 1)) {
                s[i] = (pv)h;
            } else {
                s[i] = PV_UNASSIGNED;   /* hash.c's deleted entry */
                s[i + 1] = PV_FALSE;
                dead++;
            }
        }
        if (dead && (n & 1) && pv_is_fix(s[n - 1])) s[n - 1] = pv_from_fix(pv_fix(s[n - 1]) + dead);
    }
    vm->weak.n = 0;
}

/* Cheney's scan: walk the objects copied so far until none are left. */
static void scan_copied(gc_ctx *g) {
    for (;;) {
        chunk *c = g->scan_chunk;
        while (g->scan < c->top) {
            uint64_t *o = (uint64_t *)g->scan;
            g->scan += (hdr_size(o[0]) + 1) * 8;
            scan_object(g, o);
        }
        if (!c->next) break;
        g->scan_chunk = c->next;
        g->scan = c->next->start;
    }
}

static void scan_buf(gc_ctx *g, pvbuf *b) {
    for (size_t i = 0; i < b->n; i++) fix_slot(g, &b->v[i]);
}

/* Roots: registers, shadow roots, handles, and the current stack. */
static void scan_roots(gc_ctx *g) {
    pith_vm *vm = g->vm;
    pv *r = (pv *)&vm->r;
    for (size_t i = 0; i < VM_NROOTS; i++) {
        if (&r[i] == &vm->r.symtab && g->major) continue;  /* weak */
        fix_slot(g, &r[i]);
    }
    for (uint32_t i = 0; i < vm->nshadow; i++) fix_slot(g, vm->shadow[i]);
    for (int i = 0; i < vm->nranges; i++)
        for (size_t j = 0; j < vm->range_len[i]; j++) fix_slot(g, &vm->ranges[i][j]);
    scan_buf(g, &vm->handles);
    scan_buf(g, &vm->phandles);
    /* The current segment is written without the barrier: scan it. */
    pv stk = vm->r.stack;
    if (pv_is(stk, T_STACK)) {
        SLOT(stk, STK_FILL) = pv_from_fix(vm->sp);
        scan_object(g, pv_obj(stk));
    }
}

/* Major collections keep the symbol table's symbols only when something
 * else keeps them: copy the table's vector without its contents, then
 * drop the entries that were not copied. */
static void sweep_symbols(gc_ctx *g) {
    pith_vm *vm = g->vm;
    pv tab = vm->r.symtab;
    if (!pv_is(tab, T_VECTOR)) return;
    tab = forward(g, tab);
    vm->r.symtab = tab;
    size_t n = pv_size(tab);
    for (size_t i = 0; i < n; i++) {
        pv s = SLOT(tab, i);
        if (!pv_is_ptr(s)) continue;
        uint64_t h = pv_hdr(s);
        if (!(h & 1)) {
            SLOT(tab, i) = (pv)h;
        } else {
            SLOT(tab, i) = PV_DEFAULT;  /* a deleted entry */
            vm->symcount--;
        }
    }
}

/* For port_sweep: where a port is after this collection, 0 if it died. */
static pv moved_or_dead(void *gp, pv v) {
    gc_ctx *g = gp;
    if (!in_from_space(g, v)) return v;
    uint64_t h = pv_hdr(v);
    return (h & 1) ? 0 : (pv)h;
}

static void reset_nursery(pith_vm *vm) {
    MEMSET(vm->nursery, 0, (size_t)(vm->hp - vm->nursery));
    vm->hp = vm->nursery;
    vm->hlimit = vm->gc_stress ? vm->hp : vm->zeroed;
}

/* Make sure the old generation can take everything in the nursery, so a
 * minor collection cannot run out of memory half way.  False when the
 * host has no more to lend. */
static bool reserve_promotion(pith_vm *vm) {
    size_t need = (size_t)(vm->hp - vm->nursery) + 64;
    chunk *c = vm->old_last;
    if (c && (size_t)(c->end - c->top) >= need) return true;
    chunk *n = chunk_new(vm, need);
    if (!n) return false;
    if (c) c->next = n; else vm->old = n;
    vm->old_last = n;
    return true;
}

static void minor(pith_vm *vm) {
    gc_ctx g = {vm, false, 0, 0, 0, 0};
    g.scan_chunk = vm->old_last;
    g.scan = vm->old_last->top;
    scan_roots(&g);
    /* Remembered old objects: scan, then forget (after this collection
     * the nursery is empty, so no old object points into it). */
    for (size_t i = 0; i < vm->remset.n; i++) {
        pv o = vm->remset.v[i];
        pv_clear_flag(o, OF_REMEMBERED);
        scan_object(&g, pv_obj(o));
    }
    vm->remset.n = 0;
    scan_copied(&g);
    sweep_weak(&g);
    port_sweep(vm, moved_or_dead, &g);
    reset_nursery(vm);
    vm->gc_minor++;
}

/* A major collection copies into one chunk big enough for everything, so
 * "not yet copied" is an address-range test.  False (nothing done) when
 * the host cannot lend that chunk. */
static bool major(pith_vm *vm) {
    chunk *from = vm->old;
    size_t need = vm->old_used + (size_t)(vm->hp - vm->nursery) + 4096;
    size_t saved_used = vm->old_used;
    vm->old_used = 0;  /* chunk_new sizes growth from old_used: need is enough */
    /* room to spare: the next major finds this chunk (kept as the spare)
     * big enough, and promotions go here before new chunks are needed */
    chunk *c = chunk_new(vm, need + need / 4);
    vm->old_used = saved_used;
    if (!c) return false;
    vm->old = vm->old_last = c;
    vm->old_used = 0;
    vm->old_bytes = c->size;
    gc_ctx g = {vm, true, c->start, c->end, c, c->start};
    for (size_t i = 0; i < vm->remset.n; i++) pv_clear_flag(vm->remset.v[i], OF_REMEMBERED);
    vm->remset.n = 0;
    scan_roots(&g);
    scan_copied(&g);
    sweep_weak(&g);
    sweep_symbols(&g);
    port_sweep(vm, moved_or_dead, &g);
    /* Keep the largest from-space chunk for the next major collection. */
    if (vm->spare_chunk) {
        host_free(vm, vm->spare_chunk, vm->spare_chunk->size);
        vm->spare_chunk = 0;
    }
    while (from) {
        chunk *n = from->next;
        if (!vm->spare_chunk || from->size > vm->spare_chunk->size) {
            if (vm->spare_chunk) host_free(vm, vm->spare_chunk, vm->spare_chunk->size);
            vm->spare_chunk = from;
        } else {
            host_free(vm, from, from->size);
        }
        from = n;
    }
    reset_nursery(vm);
    size_t live = vm->old_used;
    vm->major_threshold = live * 2 > live + MAJOR_MIN ? live * 2 : live + MAJOR_MIN;
    vm->gc_major++;
    return true;
}

static size_t heap_in_use(pith_vm *vm) { return vm->old_used + (size_t)(vm->hp - vm->nursery); }

int gc_collect(pith_vm *vm, size_t need, bool full) {
    (void)need;
    if (vm->in_gc) panic(vm, "the collector was re-entered");
    if (!reserve_promotion(vm)) return err_oom(vm);
    vm->in_gc = true;
    minor(vm);
    bool ok = true;
    if (full || vm->old_used > vm->major_threshold ||
        (vm->gc_stress && vm->gc_minor % STRESS_MAJOR_EVERY == 0) ||
        (vm->heap_limit && vm->old_used > vm->heap_limit))
        ok = major(vm);
    vm->in_gc = false;
    if (!ok) return err_oom(vm);
    if (vm->heap_limit && vm->heap_state) {
        /* Back to normal only once well below the limit, or every
         * allocation of a handler would raise heap-exhausted again. */
        size_t margin = vm->heap_limit / 8 < HEAP_RESERVE ? vm->heap_limit / 8 : HEAP_RESERVE;
        if (heap_in_use(vm) + margin < vm->heap_limit) vm->heap_state = 0;
    }
    return PITH_OK;
}

/* Check the heap limit before growing; raise heap-exhausted once, then
 * let the handlers use a reserve. */
static int check_limit(pith_vm *vm, size_t bytes) {
    if (!vm->heap_limit) return PITH_OK;
    size_t use = vm->old_used + bytes;
    if (vm->heap_state == 0 && use > vm->heap_limit) {
        vm->heap_state = 1;
        return err_oom(vm);
    }
    if (vm->heap_state && use > vm->heap_limit + HEAP_RESERVE) {
        vm->heap_state = 2;  /* the reserve is gone: the run is abandoned */
        return err_oom(vm);
    }
    return PITH_OK;
}

int gc_alloc_slow(pith_vm *vm, int type, size_t words, pv *out) {
    if (words >= HDR_MAX_SIZE) return err_oom(vm);
    size_t bytes = (words + 1) * 8;
    if (bytes >= LARGE_OBJECT || type == T_STACK || bytes > vm->nursery_size / 4) {
        if (vm->gc_stress || vm->old_used + bytes > vm->major_threshold)
            TRY(gc_collect(vm, bytes, false));
        if (vm->heap_limit && vm->old_used + bytes > vm->heap_limit) {
            TRY(gc_collect(vm, bytes, true));
            TRY(check_limit(vm, bytes));
        }
        uint64_t *p = old_alloc(vm, bytes);
        if (!p) return err_oom(vm);
        MEMSET(p, 0, bytes);
        p[0] = hdr_make(type, words, 0);
        *out = (pv)(uintptr_t)p;
        gc_remember(vm, *out);
        return PITH_OK;
    }
    if (vm->gc_stress || (size_t)(vm->nursery_end - vm->hp) < bytes) {
        TRY(gc_collect(vm, bytes, false));
        TRY(check_limit(vm, bytes));
        if ((size_t)(vm->nursery_end - vm->hp) < bytes) return err_oom(vm);
    }
    /* room in the nursery past the zeroed part: zero some more */
    zero_to(vm, vm->hp + bytes);
    uint64_t *p = (uint64_t *)vm->hp;
    vm->hp += bytes;
    /* Keep hlimit >= hp; under stress the next allocation collects again. */
    if (vm->gc_stress) vm->hlimit = vm->hp;
    p[0] = hdr_make(type, words, 0);
    *out = (pv)(uintptr_t)p;
    return PITH_OK;
}
