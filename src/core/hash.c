/* hash.c -- hash tables: open addressing over one vector of key/value
 * pairs.  Keys hash by content or by the identity hash kept in object
 * headers (never by address: objects move), so a collection never forces
 * a rehash.
 *
 * SPDX-License-Identifier: MIT
 */
#include "vm.h"
#include "number.h"

#define HT_EMPTY PV_UNBOUND      /* never a key */
#define HT_DELETED PV_UNASSIGNED /* never a key */

static uint32_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return (uint32_t)x;
}

static uint32_t hash_eq(pith_vm *vm, pv k) {
    if (!pv_is_ptr(k)) return mix64(k);
    if (pv_is(k, T_SYMBOL)) return (uint32_t)pv_fix(SYM_HASH(k));
    return mix64(obj_hash(vm, k));
}

/* Hash of a number by value (eqv?), or by identity for anything else. */
static uint32_t hash_atom(pith_vm *vm, pv k) {
    if (pv_is_ptr(k) && num_is_number(k)) return num_hash(k);
    return hash_eq(vm, k);
}

/* Structural hash (equal?), looking at a bounded number of components so
 * it needs no stack and terminates on cycles. */
static uint32_t hash_equal(pith_vm *vm, pv k) {
    uint32_t h = 17;
    for (int budget = 0; budget < 16; budget++) {
        int t = pv_type(k);
        if (t == T_PAIR) {
            pv a = CAR(k);
            int ta = pv_type(a);
            h = h * 31 + (ta == T_PAIR || ta == T_VECTOR || ta == T_BYTEVECTOR ? (uint32_t)ta
                          : ta == T_STRING ? str_hash(a) : hash_atom(vm, a));
            k = CDR(k);
            continue;
        }
        if (t == T_VECTOR) {
            size_t n = pv_size(k);
            h = h * 31 + (uint32_t)n;
            if (n == 0) break;
            k = SLOT(k, 0);
            continue;
        }
        if (t == T_STRING) return h * 31 + str_hash(k);
        if (t == T_BYTEVECTOR) {
            size_t n = (size_t)pv_fix(BV_LEN(k));
            const uint8_t *b = bv_bytes(k);
            for (size_t i = 0; i < n && i < 64; i++) h = h * 31 + b[i];
            return h;
        }
        return h * 31 + hash_atom(vm, k);
    }
    return h;
}

uint32_t ht_hash(pith_vm *vm, int kind, pv key) {
    switch (kind) {
    case HTK_EQ:
    case HTK_WEAK_EQ: return hash_eq(vm, key);
    case HTK_EQV: return hash_atom(vm, key);
    case HTK_STRING: return pv_is(key, T_STRING) ? str_hash(key) : hash_atom(vm, key);
    default: return hash_equal(vm, key);
    }
}

static bool key_eq(pith_vm *vm, int kind, pv a, pv b) {
    if (a == b) return true;
    switch (kind) {
    case HTK_EQ:
    case HTK_WEAK_EQ: return false;
    case HTK_EQV: return pv_eqv(a, b);
    case HTK_STRING:
        if (pv_is(a, T_STRING) && pv_is(b, T_STRING)) return str_eq(a, b);
        return pv_eqv(a, b);
    default: {
        bool r = false;
        if (pv_equal(vm, a, b, &r)) return false;
        return r;
    }
    }
}

/* The data vector of a table with room for cap entries.  A weak table's
 * has one more slot, where the collector counts the entries it deleted
 * (ht_sync), and the OF_WEAK flag. */
int ht_data_new(pith_vm *vm, int kind, size_t cap, pv *out) {
    bool weak = kind == HTK_WEAK_EQ;
    TRY(mk_vector(vm, 2 * cap + (weak ? 1 : 0), HT_EMPTY, out));
    if (weak) {
        SLOT(*out, 2 * cap) = pv_from_fix(0);
        pv_set_flag(*out, OF_WEAK);
    }
    return PITH_OK;
}

/* An image's table (its layout checked by image.c): count and used are
 * recomputed from the data, the data made immutable (Scheme code given a
 * reference to it cannot change it), and at least one slot must be empty,
 * which every probe stops at.  False when none is. */
bool ht_after_load(pv ht) {
    pv data = SLOT(ht, HT_DATA);
    size_t cap = pv_size(data) / 2, live = 0, deleted = 0;
    for (size_t i = 0; i < cap; i++) {
        pv k = SLOT(data, 2 * i);
        if (k == HT_DELETED) deleted++;
        else if (k != HT_EMPTY) live++;
    }
    if (live + deleted >= cap) return false;
    SLOT(ht, HT_COUNT) = pv_from_fix((int64_t)live);
    SLOT(ht, HT_USED) = pv_from_fix((int64_t)(live + deleted));
    if (pv_size(data) & 1) SLOT(data, 2 * cap) = pv_from_fix(0);
    pv_set_flag(data, OF_IMMUTABLE);
    return true;
}

/* Take the collector's deletions in a weak table into its count. */
void ht_sync(pv ht) {
    pv data = SLOT(ht, HT_DATA);
    size_t n = pv_size(data);
    if (!(n & 1)) return;
    int64_t dead = pv_fix(SLOT(data, n - 1));
    if (dead) {
        SLOT(ht, HT_COUNT) = pv_from_fix(pv_fix(SLOT(ht, HT_COUNT)) - dead);
        SLOT(data, n - 1) = pv_from_fix(0);
    }
}

int ht_new(pith_vm *vm, int kind, size_t cap, pv *out) {
    size_t c = 8;
    while (c < cap) c *= 2;
    pv data = PV_FALSE, ht;
    GC_SCOPE(vm);
    GC_ROOT(data);
    TRY(ht_data_new(vm, kind, c, &data));
    TRY(gc_alloc(vm, T_HTABLE, HT_SIZE, &ht));
    SLOT(ht, HT_KIND) = pv_from_fix(kind);
    SLOT(ht, HT_COUNT) = pv_from_fix(0);
    SLOT(ht, HT_USED) = pv_from_fix(0);
    SLOT(ht, HT_DATA) = data;
    *out = ht;
    return PITH_OK;
}

/* Index of key's slot pair, or of the first free slot where it would go
 * (*found tells which). */
static size_t ht_find(pith_vm *vm, pv ht, pv key, bool *found) {
    ht_sync(ht);
    int kind = (int)pv_fix(SLOT(ht, HT_KIND));
    pv data = SLOT(ht, HT_DATA);
    size_t cap = pv_size(data) / 2;
    size_t i = ht_hash(vm, kind, key) & (cap - 1);
    size_t free_slot = (size_t)-1;
    for (size_t probes = 0; probes < cap; probes++) {
        pv k = SLOT(data, 2 * i);
        if (k == HT_EMPTY) {
            *found = false;
            return free_slot != (size_t)-1 ? free_slot : i;
        }
        if (k == HT_DELETED) {
            if (free_slot == (size_t)-1) free_slot = i;
        } else if (key_eq(vm, kind, k, key)) {
            *found = true;
            return i;
        }
        i = (i + 1) & (cap - 1);
    }
    *found = false;
    return free_slot;
}

pv ht_get(pith_vm *vm, pv ht, pv key, pv dflt) {
    bool found;
    size_t i = ht_find(vm, ht, key, &found);
    return found ? SLOT(SLOT(ht, HT_DATA), 2 * i + 1) : dflt;
}

static int ht_grow(pith_vm *vm, pv ht) {
    GC_SCOPE(vm);
    GC_ROOT(ht);
    pv old = SLOT(ht, HT_DATA);
    size_t cap = pv_size(old) / 2;
    size_t count = (size_t)pv_fix(SLOT(ht, HT_COUNT));
    size_t ncap = count * 2 >= cap ? cap * 2 : cap;  /* else: just clear tombstones */
    int kind = (int)pv_fix(SLOT(ht, HT_KIND));
    pv data;
    TRY(ht_data_new(vm, kind, ncap, &data));
    ht_sync(ht);  /* the collection ht_data_new may have run */
    old = SLOT(ht, HT_DATA);
    count = (size_t)pv_fix(SLOT(ht, HT_COUNT));
    for (size_t j = 0; j < cap; j++) {
        pv k = SLOT(old, 2 * j);
        if (k == HT_EMPTY || k == HT_DELETED) continue;
        size_t i = ht_hash(vm, kind, k) & (ncap - 1);
        while (SLOT(data, 2 * i) != HT_EMPTY) i = (i + 1) & (ncap - 1);
        pv_store(vm, data, &SLOT(data, 2 * i), k);
        pv_store(vm, data, &SLOT(data, 2 * i + 1), SLOT(old, 2 * j + 1));
    }
    STORE(ht, HT_DATA, data);
    SLOT(ht, HT_USED) = pv_from_fix((int64_t)count);
    return PITH_OK;
}

int ht_put(pith_vm *vm, pv ht, pv key, pv val) {
    GC_SCOPE(vm);
    GC_ROOT3(ht, key, val);
    bool found;
    size_t i = ht_find(vm, ht, key, &found);
    if (!found) {
        size_t cap = pv_size(SLOT(ht, HT_DATA)) / 2;
        size_t used = (size_t)pv_fix(SLOT(ht, HT_USED));
        if ((used + 1) * 4 > cap * 3 || i == (size_t)-1) {
            TRY(ht_grow(vm, ht));
            i = ht_find(vm, ht, key, &found);
            if (i == (size_t)-1) return err_msg(vm, "error", 0, "hash table is corrupt", PV_FALSE);
        }
        pv data = SLOT(ht, HT_DATA);
        if (SLOT(data, 2 * i) == HT_EMPTY) SLOT(ht, HT_USED) = pv_from_fix(pv_fix(SLOT(ht, HT_USED)) + 1);
        pv_store(vm, data, &SLOT(data, 2 * i), key);
        SLOT(ht, HT_COUNT) = pv_from_fix(pv_fix(SLOT(ht, HT_COUNT)) + 1);
    }
    pv data = SLOT(ht, HT_DATA);
    pv_store(vm, data, &SLOT(data, 2 * i + 1), val);
    return PITH_OK;
}

bool ht_delete(pith_vm *vm, pv ht, pv key) {
    bool found;
    size_t i = ht_find(vm, ht, key, &found);
    if (!found) return false;
    pv data = SLOT(ht, HT_DATA);
    SLOT(data, 2 * i) = HT_DELETED;
    SLOT(data, 2 * i + 1) = PV_FALSE;
    SLOT(ht, HT_COUNT) = pv_from_fix(pv_fix(SLOT(ht, HT_COUNT)) - 1);
    return true;
}
