/* string.c -- strings: a header pointing at storage of 1 or 4 bytes per
 * character, widened on demand (DESIGN.md, fixed); UTF-8 coding.
 *
 * SPDX-License-Identifier: MIT
 */
#include "vm.h"

static size_t buf_words(size_t len, bool wide) { return wide ? (len + 1) / 2 : (len + 7) / 8; }

int str_new(pith_vm *vm, size_t len, uint32_t fill, pv *out) {
    bool wide = fill > 0xff;
    if (len > ((size_t)1 << 32)) return err_oom(vm);
    pv buf = PV_FALSE, s;
    GC_SCOPE(vm);
    GC_ROOT(buf);
    TRY(gc_alloc(vm, wide ? T_STR32 : T_STR8, buf_words(len, wide), &buf));
    if (wide) {
        uint32_t *p = pv_raw(buf, 0);
        for (size_t i = 0; i < len; i++) p[i] = fill;
    } else if (fill) {
        MEMSET(pv_raw(buf, 0), (int)fill, len);
    }
    TRY(gc_alloc(vm, T_STRING, 2, &s));
    STR_LEN(s) = pv_from_fix((int64_t)len);
    STR_BUF(s) = buf;
    *out = s;
    return PITH_OK;
}

size_t utf8_encode(uint32_t c, uint8_t *o) {
    if (c < 0x80) { o[0] = (uint8_t)c; return 1; }
    if (c < 0x800) { o[0] = (uint8_t)(0xc0 | (c >> 6)); o[1] = (uint8_t)(0x80 | (c & 0x3f)); return 2; }
    if (c < 0x10000) {
        o[0] = (uint8_t)(0xe0 | (c >> 12));
        o[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
        o[2] = (uint8_t)(0x80 | (c & 0x3f));
        return 3;
    }
    o[0] = (uint8_t)(0xf0 | (c >> 18));
    o[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
    o[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
    o[3] = (uint8_t)(0x80 | (c & 0x3f));
    return 4;
}

size_t utf8_decode(const uint8_t *s, size_t n, uint32_t *out) {
    uint8_t b = s[0];
    if (b < 0x80) { *out = b; return 1; }
    size_t len;
    uint32_t c, min;
    if (b >= 0xc2 && b <= 0xdf) { len = 2; c = b & 0x1f; min = 0x80; }
    else if (b >= 0xe0 && b <= 0xef) { len = 3; c = b & 0x0f; min = 0x800; }
    else if (b >= 0xf0 && b <= 0xf4) { len = 4; c = b & 0x07; min = 0x10000; }
    else { *out = 0xfffd; return 1; }
    if (n < len) { *out = 0xfffd; return 1; }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) { *out = 0xfffd; return 1; }
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) { *out = 0xfffd; return 1; }
    *out = c;
    return len;
}

int str_from_utf8(pith_vm *vm, const uint8_t *s, size_t n, pv *out) {
    size_t len = 0;
    uint32_t max = 0;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        i += utf8_decode(s + i, n - i, &c);
        if (c > max) max = c;
        len++;
    }
    TRY(str_new(vm, len, max > 0xff ? 0x100 : 0, out));
    pv buf = STR_BUF(*out);
    size_t k = 0;
    if (max > 0xff) {
        uint32_t *p = pv_raw(buf, 0);
        for (size_t i = 0; i < n;) i += utf8_decode(s + i, n - i, &p[k++]);
    } else {
        uint8_t *p = pv_raw(buf, 0);
        for (size_t i = 0; i < n;) {
            uint32_t c;
            i += utf8_decode(s + i, n - i, &c);
            p[k++] = (uint8_t)c;
        }
    }
    return PITH_OK;
}

int str_set(pith_vm *vm, pv s, size_t i, uint32_t c) {
    pv buf = STR_BUF(s);
    if (pv_is(buf, T_STR32)) {
        ((uint32_t *)pv_raw(buf, 0))[i] = c;
        return PITH_OK;
    }
    if (c <= 0xff) {
        ((uint8_t *)pv_raw(buf, 0))[i] = (uint8_t)c;
        return PITH_OK;
    }
    /* Widen: new 4-byte storage, copy, swap the pointer. */
    size_t len = str_len(s);
    pv nb;
    GC_SCOPE(vm);
    GC_ROOT(s);
    TRY(gc_alloc(vm, T_STR32, buf_words(len, true), &nb));
    buf = STR_BUF(s);
    const uint8_t *src = pv_raw(buf, 0);
    uint32_t *dst = pv_raw(nb, 0);
    for (size_t k = 0; k < len; k++) dst[k] = src[k];
    dst[i] = c;
    pv_store(vm, s, &STR_BUF(s), nb);
    return PITH_OK;
}

size_t str_utf8_len(pv s, size_t from, size_t to) {
    if (!str_wide(s)) {
        const uint8_t *p = pv_raw(STR_BUF(s), 0);
        size_t n = 0;
        for (size_t i = from; i < to; i++) n += p[i] < 0x80 ? 1 : 2;
        return n;
    }
    const uint32_t *p = pv_raw(STR_BUF(s), 0);
    size_t n = 0;
    for (size_t i = from; i < to; i++) n += p[i] < 0x80 ? 1 : p[i] < 0x800 ? 2 : p[i] < 0x10000 ? 3 : 4;
    return n;
}

size_t str_to_utf8(pv s, size_t from, size_t to, uint8_t *out) {
    size_t n = 0;
    if (!str_wide(s)) {
        const uint8_t *p = pv_raw(STR_BUF(s), 0);
        for (size_t i = from; i < to; i++) {
            if (p[i] < 0x80) out[n++] = p[i];
            else n += utf8_encode(p[i], out + n);
        }
        return n;
    }
    const uint32_t *p = pv_raw(STR_BUF(s), 0);
    for (size_t i = from; i < to; i++) n += utf8_encode(p[i], out + n);
    return n;
}

/* FNV-1a over code points; the same function hashes symbol names given as
 * UTF-8 (object.c), so it is part of the image format. */
uint32_t str_hash(pv s) {
    uint32_t h = 2166136261u;
    size_t n = str_len(s);
    for (size_t i = 0; i < n; i++) h = (h ^ str_ref(s, i)) * 16777619u;
    return h & 0x3fffffff;
}

bool str_eq(pv a, pv b) {
    size_t n = str_len(a);
    if (n != str_len(b)) return false;
    if (!str_wide(a) && !str_wide(b)) return MEMCMP(pv_raw(STR_BUF(a), 0), pv_raw(STR_BUF(b), 0), n) == 0;
    for (size_t i = 0; i < n; i++)
        if (str_ref(a, i) != str_ref(b, i)) return false;
    return true;
}

int str_cmp(pv a, pv b) {
    size_t na = str_len(a), nb = str_len(b), n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++) {
        uint32_t x = str_ref(a, i), y = str_ref(b, i);
        if (x != y) return x < y ? -1 : 1;
    }
    return na < nb ? -1 : na > nb ? 1 : 0;
}

int str_substring(pith_vm *vm, pv s, size_t start, size_t end, pv *out) {
    GC_SCOPE(vm);
    GC_ROOT(s);
    bool wide = false;
    for (size_t i = start; i < end && !wide; i++) wide = str_ref(s, i) > 0xff;
    TRY(str_new(vm, end - start, wide ? 0x100 : 0, out));
    pv d = *out;
    if (wide) {
        uint32_t *p = pv_raw(STR_BUF(d), 0);
        for (size_t i = start; i < end; i++) p[i - start] = str_ref(s, i);
    } else {
        uint8_t *p = pv_raw(STR_BUF(d), 0);
        for (size_t i = start; i < end; i++) p[i - start] = (uint8_t)str_ref(s, i);
    }
    return PITH_OK;
}
