/* ramdisk.c -- storage on metal: a RAM disk of named files, seeded from the
 * multiboot modules (each named by its module string: the path given to
 * the runner), readable and writable; what is written is lost at exit.
 * Names are normalized ("./a//b/../c" is "a/c"); directories exist only as
 * name prefixes.
 * SPDX-License-Identifier: MIT
 */
#include "metal.h"
#include "../../include/pith/host.h"

#define MAX_FILES 1024
#define MAX_OPEN 64
#define NAME_MAX_LEN 255

typedef struct rfile {
    char name[NAME_MAX_LEN + 1];
    uint8_t *data;
    size_t size, cap;      /* cap 0: data is a module's memory (copied on write) */
    bool used;
    bool unlinked;         /* removed while open: freed at the last close */
} rfile;

typedef struct rhandle {
    int file;              /* -1: free */
    size_t pos;
    int mode;
} rhandle;

static rfile files[MAX_FILES];
static rhandle handles[MAX_OPEN];
static bool handles_ready;


/* Normalize name into out; false when it does not fit or is empty. */
static bool normalize(const char *name, char *out) {
    size_t n = 0;
    const char *p = name;
    while (*p) {
        while (*p == '/') p++;
        const char *seg = p;
        while (*p && *p != '/') p++;
        size_t len = (size_t)(p - seg);
        if (len == 0 || (len == 1 && seg[0] == '.')) continue;
        if (len == 2 && seg[0] == '.' && seg[1] == '.') {
            while (n > 0 && out[n - 1] != '/') n--;
            if (n > 0) n--;
            continue;
        }
        if (n + (n ? 1 : 0) + len > NAME_MAX_LEN) return false;
        if (n) out[n++] = '/';
        for (size_t i = 0; i < len; i++) out[n++] = seg[i];
    }
    out[n] = 0;
    return n > 0;
}

static int find(const char *norm) {
    for (int i = 0; i < MAX_FILES; i++)
        if (files[i].used && !files[i].unlinked && kstreq(files[i].name, norm)) return i;
    return -1;
}

static int create(const char *norm) {
    for (int i = 0; i < MAX_FILES; i++)
        if (!files[i].used) {
            size_t k = kstrlen(norm);
            for (size_t j = 0; j <= k; j++) files[i].name[j] = norm[j];
            files[i].data = 0;
            files[i].size = files[i].cap = 0;
            files[i].used = true;
            files[i].unlinked = false;
            return i;
        }
    return -1;
}

int ramdisk_add(const char *name, const uint8_t *data, size_t size) {
    char norm[NAME_MAX_LEN + 1];
    if (!normalize(name, norm)) return PITH_HOST_EINVAL;
    int f = find(norm);
    if (f < 0) f = create(norm);
    if (f < 0) return PITH_HOST_ENOSPC;
    files[f].data = (uint8_t *)data;
    files[f].size = size;
    files[f].cap = 0;
    return 0;
}

/* The part of file f's name below directory norm (k bytes; "" is the top),
 * or NULL when f is not below it. */
static const char *below(const rfile *f, const char *norm, size_t k) {
    if (!f->used || f->unlinked) return 0;
    for (size_t j = 0; j < k; j++)
        if (f->name[j] != norm[j]) return 0;
    if (!k) return f->name;
    return f->name[k] == '/' ? f->name + k + 1 : 0;
}

/* Length of the first component of a path rest. */
static size_t component(const char *rest) {
    size_t n = 0;
    while (rest[n] && rest[n] != '/') n++;
    return n;
}

/* Some file's name continues norm with a slash: norm is a directory. */
static bool is_dir(const char *norm) {
    size_t k = kstrlen(norm);
    for (int i = 0; i < MAX_FILES; i++)
        if (below(&files[i], norm, k)) return true;
    return false;
}

static void handles_init(void) {
    if (handles_ready) return;
    for (int i = 0; i < MAX_OPEN; i++) handles[i].file = -1;
    handles_ready = true;
}

static void drop_data(rfile *f) {
    if (f->cap) mem_free(f->data, f->cap);
    f->data = 0;
    f->size = f->cap = 0;
}

/* Room for `need` bytes, owned by the RAM disk. */
static int reserve(rfile *f, size_t need) {
    if (f->cap >= need && f->cap) return 0;
    if (need > ((size_t)1 << 40)) return PITH_HOST_ENOSPC;
    size_t cap = f->cap ? f->cap : 4096;
    while (cap < need) cap *= 2;
    uint8_t *d = mem_alloc(cap);
    if (!d) return PITH_HOST_ENOSPC;
    for (size_t i = 0; i < f->size; i++) d[i] = f->data[i];
    if (f->cap) mem_free(f->data, f->cap);
    f->data = d;
    f->cap = cap;
    return 0;
}

static int64_t rd_open(void *ctx, const char *name, int mode) {
    (void)ctx;
    handles_init();
    char norm[NAME_MAX_LEN + 1];
    if (!name || !normalize(name, norm)) return PITH_HOST_ENOENT;
    int f = find(norm);
    if (f < 0 && is_dir(norm)) return PITH_HOST_EISDIR;
    if (f < 0 && !(mode & PITH_OPEN_WRITE)) return PITH_HOST_ENOENT;
    int h = 0;
    while (h < MAX_OPEN && handles[h].file >= 0) h++;
    if (h == MAX_OPEN) return PITH_HOST_ENFILE;   /* before touching the file */
    if (mode & PITH_OPEN_WRITE) {
        if (f < 0) f = create(norm);
        if (f < 0) return PITH_HOST_ENOSPC;
        if (!(mode & PITH_OPEN_APPEND)) drop_data(&files[f]);
    }
    handles[h].file = f;
    handles[h].mode = mode;
    handles[h].pos = (mode & PITH_OPEN_APPEND) ? files[f].size : 0;
    return h;
}

static rhandle *handle(int64_t h) {
    handles_init();
    if (h < 0 || h >= MAX_OPEN || handles[h].file < 0) return 0;
    return &handles[h];
}

static long rd_read(void *ctx, int64_t h, uint8_t *buf, size_t n) {
    (void)ctx;
    rhandle *r = handle(h);
    if (!r) return PITH_HOST_EINVAL;
    rfile *f = &files[r->file];
    if (r->pos >= f->size) return 0;
    size_t k = f->size - r->pos < n ? f->size - r->pos : n;
    if (k > 0x40000000) k = 0x40000000;
    for (size_t i = 0; i < k; i++) buf[i] = f->data[r->pos + i];
    r->pos += k;
    return (long)k;
}

static long rd_write(void *ctx, int64_t h, const uint8_t *buf, size_t n) {
    (void)ctx;
    rhandle *r = handle(h);
    if (!r || !(r->mode & PITH_OPEN_WRITE)) return PITH_HOST_EINVAL;
    rfile *f = &files[r->file];
    if (n > 0x40000000) n = 0x40000000;
    if (r->mode & PITH_OPEN_APPEND) r->pos = f->size;
    size_t end = r->pos + n;
    int e = reserve(f, end > f->size ? end : f->size);
    if (e) return e;
    for (size_t i = f->size; i < r->pos; i++) f->data[i] = 0;
    for (size_t i = 0; i < n; i++) f->data[r->pos + i] = buf[i];
    r->pos = end;
    if (end > f->size) f->size = end;
    return (long)n;
}

static int rd_seek(void *ctx, int64_t h, int64_t off) {
    (void)ctx;
    rhandle *r = handle(h);
    if (!r || off < 0) return PITH_HOST_EINVAL;
    r->pos = (size_t)off;
    return 0;
}

static int64_t rd_size(void *ctx, int64_t h) {
    (void)ctx;
    rhandle *r = handle(h);
    return r ? (int64_t)files[r->file].size : PITH_HOST_EINVAL;
}

static int rd_close(void *ctx, int64_t h) {
    (void)ctx;
    rhandle *r = handle(h);
    if (!r) return PITH_HOST_EINVAL;
    int f = r->file;
    r->file = -1;
    if (files[f].unlinked) {
        for (int k = 0; k < MAX_OPEN; k++)
            if (handles[k].file == f) return 0;
        drop_data(&files[f]);
        files[f].used = files[f].unlinked = false;
    }
    return 0;
}

static int rd_remove(void *ctx, const char *name) {
    (void)ctx;
    handles_init();
    char norm[NAME_MAX_LEN + 1];
    int f = name && normalize(name, norm) ? find(norm) : -1;
    if (f < 0) return PITH_HOST_ENOENT;
    for (int h = 0; h < MAX_OPEN; h++)
        if (handles[h].file == f) {
            /* still open: the name goes now, the data at the last close */
            files[f].unlinked = true;
            return 0;
        }
    drop_data(&files[f]);
    files[f].used = false;
    return 0;
}

static int rd_exists(void *ctx, const char *name) {
    (void)ctx;
    char norm[NAME_MAX_LEN + 1];
    if (!name || !normalize(name, norm)) return name && (kstreq(name, ".") || kstreq(name, "/")) ? 0 : PITH_HOST_ENOENT;
    return find(norm) >= 0 || is_dir(norm) ? 0 : PITH_HOST_ENOENT;
}

/* Entry i of directory dir: the distinct next components of the names
 * below it, in the order of the table. */
static long rd_list(void *ctx, const char *dir, long i, char *buf, size_t cap) {
    (void)ctx;
    char norm[NAME_MAX_LEN + 1];
    size_t k = 0;
    if (dir && dir[0] && normalize(dir, norm)) k = kstrlen(norm);
    else norm[0] = 0;
    long seen = 0;
    for (int f = 0; f < MAX_FILES; f++) {
        const char *rest = below(&files[f], norm, k);
        if (!rest) continue;
        size_t len = component(rest);
        /* skip a component an earlier file already listed */
        bool dup = false;
        for (int g = 0; g < f && !dup; g++) {
            const char *r2 = below(&files[g], norm, k);
            if (r2 && component(r2) == len) {
                dup = true;
                for (size_t j = 0; j < len; j++) dup &= r2[j] == rest[j];
            }
        }
        if (dup) continue;
        if (seen++ == i) {
            if (len + 1 > cap) return PITH_HOST_EINVAL;
            for (size_t j = 0; j < len; j++) buf[j] = rest[j];
            buf[len] = 0;
            return (long)len;
        }
    }
    return PITH_HOST_ENOENT;
}

const pith_host_storage ramdisk_storage = {
    sizeof(pith_host_storage), rd_open, rd_read, rd_write, rd_seek, rd_size, rd_close, rd_remove, rd_exists, rd_list,
};
