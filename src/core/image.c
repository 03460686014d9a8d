/* image.c -- saving the heap to an image and loading it back.
 *
 * Format (version 1, provisional until the Images work makes it canonical
 * across architectures; docs/image-format.md):
 *   header, 64 bytes, little-endian:
 *     0  magic "PITHIMG" 0x1a       8  u32 format version
 *     12 u32 bytecode version       16 u64 heap bytes
 *     24 u32 root count             28 u32 reserved (0)
 *     32 u64 checksum (FNV-1a 64 of every byte after the header)
 *     40 24 bytes reserved (0)
 *   roots: root-count tagged words (the vm_roots struct, in order)
 *   heap: heap-bytes bytes of objects; the first word is padding, so an
 *     object's offset is never 0.  A pointer is stored as the offset of its
 *     object from the start of the heap section.
 * Objects appear in breadth-first order from the roots.  Stack segments
 * are cut to their fill; unused words are zero.  Loading copies the heap
 * into one chunk and adds its address to every pointer, after checking
 * every offset.
 *
 * SPDX-License-Identifier: MIT
 */
#include "vm.h"

#define IMG_MAGIC "PITHIMG\x1a"
#define IMG_FORMAT 2
#define BYTECODE_VERSION 2
#define IMG_HEADER 64

static uint64_t fnv64(const uint8_t *p, size_t n, uint64_t h) {
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static uint32_t get32(const uint8_t *p) { uint32_t v = 0; for (int i = 3; i >= 0; i--) v = (v << 8) | p[i]; return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = (v << 8) | p[i]; return v; }

/* ---- saving ---- */

/* Objects already written are marked by replacing their header word
 * with an even number (headers are odd): twice their index in the visit
 * table, which keeps the original header, the address and the offset in
 * the image.  Every header is put back before image_save returns.
 * (Nothing moves while saving: the save allocates nothing on the heap.) */
typedef struct visit {
    uint64_t *addr, *hdr, *off;
    size_t cap, n;
} visit;

static int visit_add(pith_vm *vm, visit *t, uint64_t *o, uint64_t off) {
    if (t->n == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 16384;
        uint64_t *a = host_alloc(vm, ncap * 8), *h = host_alloc(vm, ncap * 8), *f = host_alloc(vm, ncap * 8);
        if (!a || !h || !f) {
            host_free(vm, a, a ? ncap * 8 : 0);
            host_free(vm, h, h ? ncap * 8 : 0);
            host_free(vm, f, f ? ncap * 8 : 0);
            return err_oom(vm);
        }
        if (t->n) {
            MEMCPY(a, t->addr, t->n * 8);
            MEMCPY(h, t->hdr, t->n * 8);
            MEMCPY(f, t->off, t->n * 8);
        }
        host_free(vm, t->addr, t->cap * 8);
        host_free(vm, t->hdr, t->cap * 8);
        host_free(vm, t->off, t->cap * 8);
        t->addr = a;
        t->hdr = h;
        t->off = f;
        t->cap = ncap;
    }
    t->addr[t->n] = (uint64_t)(uintptr_t)o;
    t->hdr[t->n] = o[0];
    t->off[t->n] = off;
    o[0] = (uint64_t)t->n << 1;
    t->n++;
    return PITH_OK;
}

/* Put every header back and free the table. */
static void visit_done(pith_vm *vm, visit *t) {
    for (size_t i = 0; i < t->n; i++) ((uint64_t *)(uintptr_t)t->addr[i])[0] = t->hdr[i];
    host_free(vm, t->addr, t->cap * 8);
    host_free(vm, t->hdr, t->cap * 8);
    host_free(vm, t->off, t->cap * 8);
    t->n = t->cap = 0;
}

/* Payload words of object o as saved (stacks are cut to their fill). */
static size_t saved_words(uint64_t *o) {
    if (hdr_type(o[0]) == T_STACK) return STK_HDR + (size_t)pv_fix(o[1 + STK_FILL]);
    return hdr_size(o[0]);
}

static size_t tagged_count(uint64_t *o, size_t words) {
    switch (hdr_type(o[0])) {
#define X(n, t, w) case T_##n: return (t) == -1 || (t) == -2 ? words : (size_t)(t);
        PITH_TYPES(X)
#undef X
    default: return 0;
    }
}

/* Width in bytes of the raw units of a type's payload after its tagged
 * words: 1, 4 or 8 (0: none). */
static int raw_width(int type) {
    switch (type) {
#define X(n, t, w) case T_##n: return (w);
        PITH_TYPES(X)
#undef X
    default: return 0;
    }
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_BIG_ENDIAN 1
#else
#define HOST_BIG_ENDIAN 0
#endif

/* Append an object's payload (native words, nt of them tagged) to out in
 * the image's byte order: 64-bit little-endian words, raw units
 * little-endian by their width.  On a little-endian host this is a copy. */
static int put_payload(pith_vm *vm, obuf *out, const uint64_t *p, size_t words, size_t nt, int width) {
    if (!HOST_BIG_ENDIAN) return obuf_put(vm, out, p, words * 8);
    TRY(obuf_reserve(vm, out, words * 8));
    uint8_t *d = out->p + out->n;
    for (size_t i = 0; i < nt && i < words; i++) put64(d + 8 * i, p[i]);
    const uint8_t *raw = (const uint8_t *)(p + nt);
    uint8_t *draw = d + 8 * nt;
    size_t rbytes = words > nt ? (words - nt) * 8 : 0;
    if (width == 4) {
        for (size_t i = 0; i < rbytes; i += 4) put32(draw + i, *(const uint32_t *)(raw + i));
    } else if (width == 8) {
        for (size_t i = 0; i < rbytes; i += 8) put64(draw + i, *(const uint64_t *)(raw + i));
    } else {
        MEMCPY(draw, raw, rbytes);
    }
    out->n += words * 8;
    return PITH_OK;
}

/* Turn a loaded heap section from the image's byte order into the host's,
 * object by object (a no-op on little-endian hosts).  Stops at the first
 * malformed header: the checks that follow reject the image there. */
static void heap_to_native(uint8_t *base, size_t nwords) {
    if (!HOST_BIG_ENDIAN) return;
    uint64_t *w64 = (uint64_t *)base;
    for (size_t w = 1; w < nwords;) {
        uint64_t h = get64(base + 8 * w);
        w64[w] = h;
        int t = hdr_type(h);
        size_t words = (size_t)hdr_size(h);
        if (!(h & 1) || t <= T_NONE || t >= T_COUNT || words >= nwords - w) return;
        uint64_t *o = w64 + w;
        size_t nt;
        if (t == T_STACK) {
            nt = words;  /* saved cut to the fill: every word is a value */
        } else {
            nt = tagged_count(o, words);
            if (nt > words) nt = words;
        }
        uint8_t *p = base + 8 * (w + 1);
        for (size_t i = 0; i < nt; i++) o[1 + i] = get64(p + 8 * i);
        int width = raw_width(t);
        size_t rbytes = (words - nt) * 8;
        uint8_t *raw = p + 8 * nt;
        if (width == 4) {
            for (size_t i = 0; i < rbytes; i += 4) *(uint32_t *)(raw + i) = get32(raw + i);
        } else if (width == 8) {
            for (size_t i = 0; i < rbytes; i += 8) *(uint64_t *)(raw + i) = get64(raw + i);
        }
        w += 1 + words;
    }
}

/* The state of one save. */
typedef struct saver {
    pith_vm *vm;
    obuf *out;       /* the image being written */
    visit seen;      /* objects written so far */
    size_t heap_at;  /* where the heap section starts in out */
} saver;

/* The image form of value v: itself, or for a heap object its offset,
 * appending a copy of the object when first seen. */
static int encode(saver *sv, pv v, uint64_t *enc) {
    if (!pv_is_ptr(v)) {
        *enc = v;
        return PITH_OK;
    }
    uint64_t *o = pv_obj(v);
    if (!(o[0] & 1)) {  /* written already */
        *enc = sv->seen.off[o[0] >> 1];
        return PITH_OK;
    }
    uint64_t where = sv->out->n - sv->heap_at;
    *enc = where;
    size_t words = saved_words(o);
    uint8_t hdr[8];
    uint64_t h = (o[0] & ~((uint64_t)OF_REMEMBERED << HDR_FLAG_SHIFT) & ((((uint64_t)1) << HDR_SIZE_SHIFT) - 1)) |
                 ((uint64_t)words << HDR_SIZE_SHIFT);
    put64(hdr, h);
    TRY(obuf_put(sv->vm, sv->out, hdr, 8));
    int t = hdr_type(o[0]);
    size_t nt = t == T_STACK ? words : tagged_count(o, words);
    TRY(put_payload(sv->vm, sv->out, &o[1], words, nt > words ? words : nt, raw_width(t)));
    return visit_add(sv->vm, &sv->seen, o, where);
}

int image_save(pith_vm *vm, obuf *out) {
    saver sv = {vm, out, {0, 0, 0, 0, 0}, 0};
    int st = PITH_OK;
    uint8_t zero[IMG_HEADER];
    MEMSET(zero, 0, sizeof zero);
    out->n = 0;
    pv stk = vm->r.stack;
    if (pv_is(stk, T_STACK)) SLOT(stk, STK_FILL) = pv_from_fix(vm->sp);
    /* room for everything at once: what the heap holds, at most */
    if ((st = obuf_reserve(vm, out, IMG_HEADER + 8 * VM_NROOTS + 8 + vm->old_used +
                                        (size_t)(vm->hp - vm->nursery))))
        goto done;
    /* header and roots (filled in at the end), then the padding word */
    if ((st = obuf_put(vm, out, zero, IMG_HEADER))) goto done;
    size_t roots_at = out->n;
    for (size_t i = 0; i < VM_NROOTS; i++)
        if ((st = obuf_put(vm, out, zero, 8))) goto done;
    sv.heap_at = out->n;
    if ((st = obuf_put(vm, out, zero, 8))) goto done;
    uint64_t roots[VM_NROOTS];
    pv *r = (pv *)&vm->r;
    for (size_t i = 0; i < VM_NROOTS; i++)
        if ((st = encode(&sv, r[i], &roots[i]))) goto done;
    /* Cheney's scan over the objects written so far. */
    for (size_t scan = sv.heap_at + 8; scan < out->n;) {
        uint64_t h = get64(out->p + scan);
        size_t words = (size_t)(h >> HDR_SIZE_SHIFT);
        uint64_t fake[2] = {h, 0};
        size_t nt = hdr_type(h) == T_STACK ? words : tagged_count(fake, words);
        for (size_t i = 0; i < nt; i++) {
            size_t at = scan + 8 + 8 * i;
            pv v = (pv)get64(out->p + at);
            if (!pv_is_ptr(v)) continue;
            uint64_t enc;
            if ((st = encode(&sv, v, &enc))) goto done;
            put64(out->p + at, enc);
        }
        scan += 8 + 8 * words;
    }
    for (size_t i = 0; i < VM_NROOTS; i++) put64(out->p + roots_at + 8 * i, roots[i]);
    MEMCPY(out->p, IMG_MAGIC, 8);
    put32(out->p + 8, IMG_FORMAT);
    put32(out->p + 12, BYTECODE_VERSION);
    put64(out->p + 16, out->n - sv.heap_at);
    put32(out->p + 24, (uint32_t)VM_NROOTS);
    put64(out->p + 32, fnv64(out->p + IMG_HEADER, out->n - IMG_HEADER, 0xcbf29ce484222325ull));
done:
    visit_done(vm, &sv.seen);
    return st;
}

/* ---- loading ---- */

/* The checks of one relocated object that the VM's raw accesses rely on:
 * lengths within the object, string storage, the weak-table flag.  (More
 * of an object's structure, and its bytecode, is not verified yet: see
 * docs/manual.md, "Not implemented yet".) */
static bool obj_ok(uint64_t *o) {
    pv v = (pv)(uintptr_t)o;
    size_t words = (size_t)hdr_size(o[0]);
    int t = hdr_type(o[0]);
    int flags = hdr_flags(o[0]);
    if ((flags & OF_WEAK) && !(t == T_VECTOR && (words & 1) && pv_is_fix(o[words]))) return false;
    if ((flags & OF_FROZEN) && t != T_STACK) return false;
    if ((flags & OF_INTERNED) && t != T_SYMBOL) return false;
    switch (t) {
    case T_PAIR: return words == 2 || words == 3;
    case T_STRING: {
        if (words < 2 || !pv_is_fix(o[1]) || pv_fix(o[1]) < 0) return false;
        size_t n = (size_t)pv_fix(o[1]);
        pv buf = o[2];
        if (pv_is(buf, T_STR8)) return n <= pv_size(buf) * 8;
        if (pv_is(buf, T_STR32)) return n <= pv_size(buf) * 2;
        return false;
    }
    case T_SYMBOL: return words >= 2 && pv_is(o[1], T_STRING) && pv_is_fix(o[2]);
    case T_FLONUM: return words == 1;
    case T_BIGNUM: {
        if (words < 1 || !pv_is_fix(o[1])) return false;
        int64_t s = pv_fix(o[1]);
        size_t len = (size_t)(s < 0 ? -s : s);
        return len >= 1 && len <= words - 1 && o[1 + len] != 0;   /* normalized: no zero top limb */
    }
    case T_BYTEVECTOR:
        return words >= 1 && pv_is_fix(o[1]) && pv_fix(o[1]) >= 0 && (size_t)pv_fix(o[1]) <= (words - 1) * 8;
    case T_INSNS:
        return words >= 1 && pv_is_fix(o[1]) && pv_fix(o[1]) >= 0 && (size_t)pv_fix(o[1]) <= (words - 1) * 2;
    case T_RATNUM:   /* integer / integer above 1 */
        return words == 2 && (pv_is_fix(o[1]) || pv_is(o[1], T_BIGNUM)) &&
               ((pv_is_fix(o[2]) && pv_fix(o[2]) > 1) || pv_is(o[2], T_BIGNUM));
    case T_COMPNUM:  /* two real parts */
        for (int i = 1; i <= 2; i++)
            if (!(pv_is_fix(o[i]) || pv_is(o[i], T_FLONUM) || pv_is(o[i], T_BIGNUM) || pv_is(o[i], T_RATNUM))) return false;
        return words == 2;
    case T_CLOSURE: return words >= 1 && pv_is(o[1], T_CODE);
    case T_CASELAMBDA: {
        if (words < 2 || !pv_is(o[2], T_VECTOR)) return false;
        pv cl = o[2];
        for (size_t i = 0; i < pv_size(cl); i++)
            if (!pv_is(SLOT(cl, i), T_CLOSURE)) return false;
        return true;
    }
    case T_PARAMETER: return words >= 2;
    case T_MACRO: return words >= MACRO_SIZE;
    case T_IDENT: return words >= IDENT_SIZE;
    case T_SPECIAL: case T_RECORD: return words >= 1;
    case T_PROMISE: return words >= 2;
    case T_CODE:
        return words >= CODE_SIZE && pv_is(o[1 + CODE_INSNS], T_INSNS) && pv_is(o[1 + CODE_CONSTS], T_VECTOR) &&
               pv_is_fix(o[1 + CODE_ARITY]) && pv_is_fix(o[1 + CODE_NFREE]) && pv_fix(o[1 + CODE_NFREE]) >= 0;
    case T_PRIM: return words >= PRIM_SIZE;
    case T_CONT:
        return words >= CONT_SIZE && pv_is(o[1 + CONT_STACK], T_STACK) && pv_is_fix(o[1 + CONT_SP]) &&
               pv_is_fix(o[1 + CONT_FP]) && pv_is_fix(o[1 + CONT_PC]);
    case T_STACK: return words >= STK_HDR;
    case T_BOX: return words >= 1;
    case T_CELL: return words >= CELL_SIZE && pv_is_fix(o[1 + CELL_FLAGS]);
    case T_ENV: return words >= ENV_SIZE && pv_is(o[1 + ENV_TABLE], T_HTABLE);
    case T_CONDITION: return words >= COND_SIZE;
    case T_HTABLE: {
        if (words < HT_SIZE || !pv_is_fix(o[1 + HT_KIND]) || !pv_is_fix(o[1 + HT_COUNT]) ||
            !pv_is_fix(o[1 + HT_USED]) || !pv_is(o[1 + HT_DATA], T_VECTOR))
            return false;
        int64_t kind = pv_fix(o[1 + HT_KIND]);
        size_t n = pv_size(o[1 + HT_DATA]);
        size_t cap = n / 2;
        if (kind < HTK_EQ || kind > HTK_WEAK_EQ || cap < 1 || (cap & (cap - 1))) return false;
        if ((kind == HTK_WEAK_EQ) != (n & 1)) return false;
        return pv_fix(o[1 + HT_COUNT]) >= 0 && pv_fix(o[1 + HT_USED]) >= 0 && (size_t)pv_fix(o[1 + HT_USED]) <= cap;
    }
    case T_PORT: return true;  /* port_after_load */
    default: (void)v; return true;
    }
}

/* A tagged word that is not a pointer: a fixnum, one of the special
 * constants, or a character. */
static bool imm_ok(pv v) {
    if (pv_is_fix(v)) return true;
    if (pv_is_special(v)) return (v >> 8) <= (PV_UNASSIGNED >> 8);
    if (pv_is_char(v)) return (v >> 8) <= 0x10ffff;
    return false;
}

static int bad(char *err, size_t cap, const char *msg) {
    fmt(err, cap, "%s", msg);
    return PITH_BAD_IMAGE;
}

int image_load(pith_vm *vm, const uint8_t *img, size_t n, bool trusted, char *err, size_t errcap) {
    if (n < IMG_HEADER || MEMCMP(img, IMG_MAGIC, 8)) return bad(err, errcap, "not a Pith image (bad magic number)");
    uint32_t format = get32(img + 8), bytecode = get32(img + 12);
    if (format != IMG_FORMAT) {
        fmt(err, errcap, "image format version %u, but this Pith reads version %u", format, (unsigned)IMG_FORMAT);
        return PITH_BAD_IMAGE;
    }
    if (bytecode != BYTECODE_VERSION) {
        fmt(err, errcap, "image bytecode version %u, but this Pith runs version %u", bytecode, (unsigned)BYTECODE_VERSION);
        return PITH_BAD_IMAGE;
    }
    uint64_t heap = get64(img + 16);
    uint32_t nroots = get32(img + 24);
    if (nroots != VM_NROOTS) return bad(err, errcap, "image has a different root table");
    size_t roots_at = IMG_HEADER, heap_at = roots_at + 8 * (size_t)nroots;
    if (heap_at > n || heap > n - heap_at || heap % 8 || heap < 8) return bad(err, errcap, "image is truncated or its sizes are inconsistent");
    if (get64(img + 32) != fnv64(img + IMG_HEADER, n - IMG_HEADER, 0xcbf29ce484222325ull))
        return bad(err, errcap, "image checksum mismatch (corrupt image)");
    /* One chunk for the whole heap. */
    chunk *c = host_alloc(vm, (size_t)heap + 64);
    if (!c) return bad(err, errcap, "no memory for the image");
    c->next = 0;
    c->size = (size_t)heap + 64;
    c->start = (uint8_t *)c + 64;
    c->end = c->start + heap;
    MEMCPY(c->start, img + heap_at, heap);
    c->top = c->end;
    uint8_t *base = c->start;
    heap_to_native(base, (size_t)heap / 8);
    /* Mark object starts, validating headers. */
    size_t nwords = (size_t)heap / 8;
    size_t bm_bytes = (nwords + 7) / 8;
    uint8_t *starts = host_alloc(vm, bm_bytes);
    if (!starts) { host_free(vm, c, c->size); return bad(err, errcap, "no memory for the image"); }
    MEMSET(starts, 0, bm_bytes);
    int st = PITH_OK;
    for (size_t w = 1; w < nwords;) {
        uint64_t h = ((uint64_t *)base)[w];
        int t = hdr_type(h);
        if (!(h & 1) || t <= T_NONE || t >= T_COUNT) { st = bad(err, errcap, "image has a bad object header"); break; }
        size_t words = (size_t)hdr_size(h);
        if (words >= nwords - w) { st = bad(err, errcap, "image object runs past the heap"); break; }
        starts[w / 8] |= (uint8_t)(1 << (w % 8));
        w += 1 + words;
    }
    /* Relocate every pointer, checking it names an object start. */
    for (size_t w = 1; !st && w < nwords;) {
        uint64_t *o = (uint64_t *)base + w;
        size_t words = (size_t)hdr_size(o[0]);
        size_t nt = tagged_count(o, words);
        if (hdr_type(o[0]) == T_STACK) {
            if (words < STK_HDR || !pv_is_fix(o[1 + STK_FILL]) || (size_t)pv_fix(o[1 + STK_FILL]) + STK_HDR > words) {
                st = bad(err, errcap, "image has a bad stack segment");
                break;
            }
            nt = STK_HDR + (size_t)pv_fix(o[1 + STK_FILL]);
        }
        if (nt > words) nt = words;
        for (size_t i = 0; i < nt; i++) {
            pv v = o[1 + i];
            if (!pv_is_ptr(v)) {
                if (!imm_ok(v)) {
                    st = bad(err, errcap, "image has a value of no known kind");
                    break;
                }
                continue;
            }
            if (v >= heap || v % 8 || !(starts[(v / 8) / 8] & (1 << ((v / 8) % 8)))) {
                st = bad(err, errcap, "image has a pointer to no object");
                break;
            }
            o[1 + i] = (pv)(uintptr_t)(base + v);
        }
        w += 1 + words;
    }
    pv roots[VM_NROOTS];
    for (size_t i = 0; !st && i < VM_NROOTS; i++) {
        pv v = get64(img + roots_at + 8 * i);
        if (!pv_is_ptr(v) && !imm_ok(v)) {
            st = bad(err, errcap, "image has a root of no known kind");
            break;
        }
        if (pv_is_ptr(v)) {
            if (v >= heap || v % 8 || !(starts[(v / 8) / 8] & (1 << ((v / 8) % 8)))) {
                st = bad(err, errcap, "image has a root that names no object");
                break;
            }
            v = (pv)(uintptr_t)(base + v);
        }
        roots[i] = v;
    }
    host_free(vm, starts, bm_bytes);
    if (st) {
        host_free(vm, c, c->size);
        return st;
    }
    /* Install: the image's chunk becomes the old generation. */
    vm->old = vm->old_last = c;
    vm->old_bytes = c->size;
    vm->old_used = (size_t)heap;
    MEMCPY(&vm->r, roots, sizeof roots);
    /* Check the roots the VM relies on, and rebind primitives by name. */
    if (!pv_is(vm->r.symtab, T_VECTOR) || !pv_is(vm->r.system_env, T_ENV) || !pv_is(vm->r.interaction_env, T_ENV) ||
        !pv_is(vm->r.files, T_VECTOR) || !pv_is(vm->r.prims, T_VECTOR) || !pv_is(vm->r.halt, T_CLOSURE) ||
        !pv_is(vm->r.underflow, T_CLOSURE) || !pv_is(vm->r.barrier, T_CLOSURE) || !pv_is(vm->r.hooks, T_VECTOR) || pv_size(vm->r.hooks) < HOOK_COUNT ||
        !pv_is(vm->r.keywords, T_VECTOR) || pv_size(vm->r.keywords) != KW_COUNT || !pv_is(vm->r.oom, T_CONDITION))
        return bad(err, errcap, "image lacks the VM's roots");
    for (size_t i = 0; i < pv_size(vm->r.files); i++) {
        pv f = SLOT(vm->r.files, i);
        if (f != PV_FALSE && !pv_is(f, T_STRING)) return bad(err, errcap, "image has a malformed file table");
    }
    {
        /* the symbol table is probed with a mask until a #f: a power of two
         * long, with at least one #f, holding only symbols and markers */
        size_t cap = pv_size(vm->r.symtab), nfalse = 0;
        bool ok = cap > 0 && !(cap & (cap - 1));
        for (size_t i = 0; ok && i < cap; i++) {
            pv e = SLOT(vm->r.symtab, i);
            if (e == PV_FALSE) nfalse++;
            else if (pv_is_ptr(e) && !pv_is(e, T_SYMBOL)) ok = false;
        }
        if (!ok || !nfalse) return bad(err, errcap, "image has a malformed symbol table");
    }
    char missing[256];
    size_t mn = 0;
    missing[0] = 0;
    for (size_t w = 1; w < nwords;) {
        uint64_t *o = (uint64_t *)base + w;
        o[0] &= ~((uint64_t)OF_REMEMBERED << HDR_FLAG_SHIFT);
        if (!obj_ok(o)) {
            char m[96];
            fmt(m, sizeof m, "image has a malformed object (type %d)", hdr_type(o[0]));
            return bad(err, errcap, m);
        }
        w += 1 + hdr_size(o[0]);
    }
    /* Only now, with every object checked, follow their fields.  In an
     * image from elsewhere, the vectors the VM's own structures are made of
     * become immutable, so no Scheme code given a reference to one can break
     * what was checked; hash tables and environments are checked.  The boot
     * image linked in was made by mkboot: start-up skips that work. */
    if (!trusted) pv_set_flag(vm->r.symtab, OF_IMMUTABLE);
    for (size_t w = 1; w < nwords;) {
        uint64_t *o = (uint64_t *)base + w;
        int ty = trusted ? T_NONE : hdr_type(o[0]);
        if (ty == T_CODE) pv_set_flag(o[1 + CODE_CONSTS], OF_IMMUTABLE);
        if (ty == T_CASELAMBDA) pv_set_flag(o[2], OF_IMMUTABLE);
        if (ty == T_HTABLE && !ht_after_load((pv)(uintptr_t)o)) return bad(err, errcap, "image has a malformed hash table");
        if (ty == T_ENV) {
            /* bindings: symbol -> CELL, MACRO or SPECIAL */
            pv data = SLOT(o[1 + ENV_TABLE], HT_DATA);
            for (size_t i = 0; i + 1 < pv_size(data); i += 2) {
                pv k = SLOT(data, i), b = SLOT(data, i + 1);
                if (k == PV_UNBOUND || k == PV_UNASSIGNED) continue;
                if (!pv_is(k, T_SYMBOL) || !(pv_is(b, T_CELL) || pv_is(b, T_MACRO) || pv_is(b, T_SPECIAL)))
                    return bad(err, errcap, "image has a malformed environment");
            }
        }
        if (hdr_type(o[0]) == T_PORT && port_after_load(vm, (pv)(uintptr_t)o))
            return bad(err, errcap, "image has a malformed port");
        if (hdr_type(o[0]) == T_PRIM && hdr_size(o[0]) >= PRIM_SIZE) {
            pv name = o[1 + PRIM_NAME];
            int idx = -1;
            if (pv_is_symbol(name)) {
                pv s = SYM_NAME(name);
                char nb[128];
                size_t len = str_utf8_len(s, 0, str_len(s));
                if (len < sizeof nb) {
                    str_to_utf8(s, 0, str_len(s), (uint8_t *)nb);
                    nb[len] = 0;
                    idx = prim_lookup_index(nb);
                    if (idx < 0 && mn + len + 3 < sizeof missing) mn += fmt(missing + mn, sizeof missing - mn, mn ? ", %s" : "%s", nb);
                }
            }
            o[1 + PRIM_INDEX] = pv_from_fix(idx < 0 ? 0 : idx);
            /* argument counts are this Pith's, not the image's */
            o[1 + PRIM_MIN] = pv_from_fix(prim_table[idx < 0 ? 0 : idx].min);
            o[1 + PRIM_MAX] = pv_from_fix(prim_table[idx < 0 ? 0 : idx].max);
        }
        w += 1 + hdr_size(o[0]);
    }
    if (mn) {
        fmt(err, errcap, "image needs primitives this host lacks: %s", missing);
        return PITH_BAD_IMAGE;
    }
    if (!trusted) {
        /* Bytecode and saved frames (verify.c): only Pith's own boot image,
         * linked into the program, is run without this. */
        const char *why = verify_roots(vm);
        verifier *vf = why ? 0 : verify_begin(vm, base, nwords);
        if (!why && !vf) why = "no memory to verify the image";
        for (int pass = 0; pass < 2 && !why; pass++)
            for (size_t w = 1; w < nwords && !why;) {
                uint64_t *o = (uint64_t *)base + w;
                int t = hdr_type(o[0]);
                if (pass == 0 && (t == T_CODE || t == T_CLOSURE)) why = verify_object(vf, (pv)(uintptr_t)o);
                if (pass == 0 && t != T_STACK) {
                    /* the halt, underflow and barrier closures live in roots
                     * and stack frames only: called, they would misbehave */
                    size_t nt = tagged_count(o, hdr_size(o[0]));
                    for (size_t i = 0; i < nt && !why; i++)
                        if (o[1 + i] == vm->r.halt || o[1 + i] == vm->r.underflow || o[1 + i] == vm->r.barrier)
                            why = "a reference to the halt, underflow or barrier closure";
                }
                if (pass == 1 && t == T_CONT) why = verify_cont(vf, (pv)(uintptr_t)o);
                w += 1 + hdr_size(o[0]);
            }
        verify_end(vf);
        if (why) {
            fmt(err, errcap, "image has bad bytecode or frames: %s", why);
            return PITH_BAD_IMAGE;
        }
    }
    size_t nf = 0;
    while (nf < pv_size(vm->r.files) && SLOT(vm->r.files, nf) != PV_FALSE) nf++;
    vm->next_file = (int)nf;
    size_t sc = 0, su = 0;
    for (size_t i = 0; i < pv_size(vm->r.symtab); i++) {
        pv e = SLOT(vm->r.symtab, i);
        if (pv_is_ptr(e)) sc++;
        if (e != PV_FALSE) su++;
    }
    vm->symcount = sc;
    vm->symused = su;
    vm->major_threshold = vm->old_used * 2 + ((size_t)4 << 20);
    return PITH_OK;
}

/* ---- saving from a running program ---- */

/* A major collection, then the image of the whole heap written to path
 * (C string; name is the same as a Scheme string, for errors) through the
 * host's storage. */
int image_save_file(pith_vm *vm, const char *path, pv name) {
    GC_SCOPE(vm);
    GC_ROOT(name);
    TRY(need_storage(vm, "save-image"));
    TRY(gc_collect(vm, 0, true));
    obuf img = {0, 0, 0};
    int st = image_save(vm, &img);
    if (st) { obuf_free(vm, &img); return st; }
    const pith_host_storage *s = vm->host->storage;
    int64_t h = s->open(vm->hctx, path, PITH_OPEN_WRITE);
    if (h < 0) { obuf_free(vm, &img); return file_error(vm, "save-image", (long)h, name); }
    size_t off = 0;
    long e = 0;
    for (int spins = 0; off < img.n;) {
        long w = s->write(vm->hctx, h, img.p + off, img.n - off);
        if (w > 0) { off += (size_t)w; spins = 0; continue; }
        if (w == PITH_HOST_AGAIN && spins++ < 1000000) {
            if (vm->host->wait && vm->host->clock) vm->host->wait(vm->hctx, vm->host->clock->monotonic(vm->hctx) + 1000000);
            continue;
        }
        e = w < 0 ? w : PITH_HOST_EIO;
        break;
    }
    long c = s->close(vm->hctx, h);
    obuf_free(vm, &img);
    if (!e && c < 0) e = c;
    if (e) return file_error(vm, "save-image", e, name);
    return PITH_OK;
}

/* (%save-image path).  The Scheme side (save-image) has already put the
 * continuation to resume in a global. */
int prim_save_image(pith_vm *vm, int argc) {
    (void)argc;
    char path[1024];
    TRY(c_path(vm, ARG(0), "save-image", path, sizeof path));
    TRY(image_save_file(vm, path, ARG(0)));
    RETURN(PV_VOID);
}
