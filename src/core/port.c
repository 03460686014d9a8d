/* port.c -- ports (R7RS 6.13): textual and binary, input and output, on
 * the console, strings, bytevectors and files of the host's storage.
 *
 * A port is a PORT object (slots PORT_*).  Its kind says where bytes come
 * from or go:
 *   console out    the host console (stream 1 or 2 in HANDLE)
 *   string out     UTF-8 accumulated in BUF (a bytevector), FILL bytes
 *   bytes out      the same, for a binary port
 *   string in      the characters of TEXT from TPOS
 *   bytes in       BUF's bytes from POS to FILL
 *   console in     bytes read from the console into BUF, POS to FILL
 *   file in/out    a host storage handle and a buffer outside the heap,
 *                  in the VM's file table (HANDLE is the entry's index)
 * A textual input port may also hold TEXT: characters read ahead (by
 * `read`, which parses text) that come before its bytes.
 *
 * The file table refers to its ports weakly: after each collection
 * (port_sweep) an entry whose port died is flushed and closed, so a port
 * that becomes garbage gives its handle back.  An image keeps no table,
 * so a resumed image's file ports are closed.
 *
 * Reading never blocks in C: when the console has nothing yet, the
 * reading primitives return #f and the Scheme side waits (%wait) and
 * asks again, so interrupts and other work go on.
 *
 * SPDX-License-Identifier: MIT
 */
#include "vm.h"

enum { PORT_KIND, PORT_FLAGS, PORT_HANDLE, PORT_BUF, PORT_FILL, PORT_NAME,
       PORT_POS, PORT_TEXT, PORT_TPOS, PORT_FOLD, PORT_SIZE };
enum { PK_CONSOLE_OUT, PK_STRING_OUT, PK_BYTES_OUT, PK_STRING_IN, PK_BYTES_IN,
       PK_CONSOLE_IN, PK_FILE_IN, PK_FILE_OUT, PK_COUNT };
enum { PF_IN = 1, PF_OUT = 2, PF_TEXT = 4, PF_BIN = 8, PF_OPEN = 16,
       PF_DETACHED = 32 /* a file port of a resumed image: closed by the resume */ };

#define FILE_BUF 65536

#define KIND(p) ((int)pv_fix(SLOT(p, PORT_KIND)))
#define FLAGS(p) ((int)pv_fix(SLOT(p, PORT_FLAGS)))
#define IDX(p, i) ((size_t)pv_fix(SLOT(p, (i))))

static const pith_host_console *console(pith_vm *vm) { return vm->host->console; }

/* Wait a little for the host (a write that was not ready). */
static void nap(pith_vm *vm) {
    if (vm->host->wait && vm->host->clock)
        vm->host->wait(vm->hctx, vm->host->clock->monotonic(vm->hctx) + 1000000);
}

/* Write all of buf to console stream `stream`, waiting when not ready. */
int console_out(pith_vm *vm, int stream, const uint8_t *p, size_t n) {
    const pith_host_console *c = console(vm);
    if (n) vm->console_bol = p[n - 1] == '\n';
    if (!c || !c->write) return PITH_OK;  /* no console: output is dropped */
    int spins = 0;
    while (n) {
        long w = c->write(vm->hctx, stream, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            spins = 0;
        } else if (w == PITH_HOST_AGAIN && spins++ < 1000000) {
            nap(vm);
        } else {
            return err_msg(vm, "file-error", "write", "console output failed", PV_FALSE);
        }
    }
    return PITH_OK;
}

/* ---- host errors ---- */

static const char *host_error_text(long code) {
    switch (code) {
    case PITH_HOST_ENOENT: return "no such file";
    case PITH_HOST_EACCES: return "permission denied";
    case PITH_HOST_ENFILE: return "too many open files";
    case PITH_HOST_EEXIST: return "file exists";
    case PITH_HOST_EIO: return "input/output error";
    case PITH_HOST_ENOSPC: return "no space left";
    case PITH_HOST_EINVAL: return "invalid file name";
    case PITH_HOST_ENOTSUP: return "not supported by this host";
    case PITH_HOST_ENOMEM: return "the host is out of memory";
    case PITH_HOST_EISDIR: return "is a directory";
    default: return "host error";
    }
}

int file_error(pith_vm *vm, const char *who, long code, pv name) {
    char buf[120];
    fmt(buf, sizeof buf, "%s:", host_error_text(code));
    return err_msg(vm, "file-error", who, buf, name);
}

int need_storage(pith_vm *vm, const char *who) {
    if (!vm->host->storage) return err_msg(vm, "file-error", who, "this host has no storage", PV_FALSE);
    return PITH_OK;
}

/* A C string copy of a Scheme string argument (for host calls). */
int c_path(pith_vm *vm, pv s, const char *who, char *buf, size_t cap) {
    if (!pv_is(s, T_STRING)) return err_type(vm, who, "string", s);
    size_t n = str_len(s);
    if (str_utf8_len(s, 0, n) >= cap) return err_msg(vm, "file-error", who, "file name too long:", s);
    size_t k = str_to_utf8(s, 0, n, (uint8_t *)buf);
    buf[k] = 0;
    for (size_t i = 0; i < k; i++)
        if (!buf[i]) return err_msg(vm, "file-error", who, "file name contains a NUL character:", s);
    return PITH_OK;
}

/* ---- the file table ---- */

/* The table entry of file port p, or NULL when p is closed or its entry
 * is gone (a resumed image). */
static port_file *file_of(pith_vm *vm, pv p) {
    int k = KIND(p);
    if (k != PK_FILE_IN && k != PK_FILE_OUT) return 0;
    if (!(FLAGS(p) & PF_OPEN)) return 0;
    if (pv_fix(SLOT(p, PORT_HANDLE)) < 0) return 0;
    size_t i = IDX(p, PORT_HANDLE);
    if (i >= vm->nfiles || vm->files[i].port != p) return 0;
    return &vm->files[i];
}

/* Write out what an output file's buffer holds.  Returns 0 or a host
 * error code. */
static long file_drain(pith_vm *vm, port_file *f) {
    const pith_host_storage *s = vm->host->storage;
    size_t off = 0;
    int spins = 0;
    while (off < f->fill) {
        long w = s->write(vm->hctx, f->handle, f->buf + off, f->fill - off);
        if (w > 0) {
            off += (size_t)w;
            spins = 0;
        } else if (w == PITH_HOST_AGAIN && spins++ < 1000000) {
            nap(vm);
        } else {
            /* keep what was not written, so a later flush can retry */
            MEMMOVE(f->buf, f->buf + off, f->fill - off);
            f->fill -= off;
            return w < 0 ? w : PITH_HOST_EIO;
        }
    }
    f->fill = 0;
    return 0;
}

/* Release entry f: flush an output file, close the handle, free the
 * buffer.  Returns 0 or the first host error. */
static long file_release(pith_vm *vm, port_file *f) {
    long err = 0;
    if (f->output) err = file_drain(vm, f);
    int c = vm->host->storage->close(vm->hctx, f->handle);
    if (!err && c < 0) err = c;
    tmp_free(vm, f->buf, f->cap);
    f->buf = 0;
    f->port = 0;
    return err;
}

/* After a collection: update the table's references to ports that moved
 * and release the entries of ports that died.  `moved` gives a port's new
 * address, or 0 when it was not copied (dead).  Called by the collector
 * before from-space is reused; allocates nothing on the heap. */
void port_sweep(pith_vm *vm, pv (*moved)(void *g, pv v), void *g) {
    for (size_t i = 0; i < vm->nfiles; i++) {
        port_file *f = &vm->files[i];
        if (!f->port) continue;
        pv n = moved(g, f->port);
        if (n) f->port = n;
        else file_release(vm, f);
    }
}

/* At pith_close: flush and close every open file. */
void port_close_all(pith_vm *vm) {
    for (size_t i = 0; i < vm->nfiles; i++)
        if (vm->files[i].port) file_release(vm, &vm->files[i]);
    host_free(vm, vm->files, vm->capfiles * sizeof(port_file));
    vm->files = 0;
    vm->nfiles = vm->capfiles = 0;
}

/* A free entry (growing the table), or -1 when out of memory. */
static long file_slot(pith_vm *vm) {
    for (size_t i = 0; i < vm->nfiles; i++)
        if (!vm->files[i].port) return (long)i;
    if (vm->nfiles == vm->capfiles) {
        size_t ncap = vm->capfiles ? vm->capfiles * 2 : 16;
        port_file *n = host_alloc(vm, ncap * sizeof(port_file));
        if (!n) return -1;
        if (vm->nfiles) MEMCPY(n, vm->files, vm->nfiles * sizeof(port_file));
        host_free(vm, vm->files, vm->capfiles * sizeof(port_file));
        vm->files = n;
        vm->capfiles = ncap;
    }
    MEMSET(&vm->files[vm->nfiles], 0, sizeof(port_file));
    return (long)vm->nfiles++;
}

/* ---- ports in a loaded image ---- */

/* Called by image_load for each port of an image: checks its slots (an
 * image is hostile until checked) and cuts it from the host it came from:
 * file ports become closed (their handles belonged to another process),
 * and the console input forgets what was typed there.  -1: a bad port. */
int port_after_load(pith_vm *vm, pv p) {
    (void)vm;
    if (pv_size(p) < PORT_SIZE) return -1;
    for (int i = 0; i < PORT_SIZE; i++)
        if (i != PORT_BUF && i != PORT_NAME && i != PORT_TEXT && !pv_is_fix(SLOT(p, i)) &&
            !(i == PORT_FOLD && (SLOT(p, i) == PV_TRUE || SLOT(p, i) == PV_FALSE)))
            return -1;
    int kind = KIND(p), flags = FLAGS(p);
    if (kind < 0 || kind >= PK_COUNT || flags < 0 || flags > 63) return -1;
    /* the direction and kind of data each kind of port has */
    static const uint8_t shape[PK_COUNT] = {
        [PK_CONSOLE_OUT] = PF_OUT | PF_TEXT, [PK_STRING_OUT] = PF_OUT | PF_TEXT,
        [PK_BYTES_OUT] = PF_OUT | PF_BIN,    [PK_STRING_IN] = PF_IN | PF_TEXT,
        [PK_BYTES_IN] = PF_IN | PF_BIN,      [PK_CONSOLE_IN] = PF_IN | PF_TEXT,
        [PK_FILE_IN] = PF_IN,                [PK_FILE_OUT] = PF_OUT};
    int dir_data = flags & (PF_IN | PF_OUT | PF_TEXT | PF_BIN);
    bool file = kind == PK_FILE_IN || kind == PK_FILE_OUT;
    if (file ? (dir_data != (shape[kind] | PF_TEXT) && dir_data != (shape[kind] | PF_BIN)) : dir_data != shape[kind])
        return -1;
    if ((flags & PF_DETACHED) && !file) return -1;
    pv buf = SLOT(p, PORT_BUF), text = SLOT(p, PORT_TEXT);
    if (buf != PV_FALSE && !pv_is(buf, T_BYTEVECTOR)) return -1;
    if (text != PV_FALSE && !pv_is(text, T_STRING)) return -1;
    if (text != PV_FALSE && (pv_fix(SLOT(p, PORT_TPOS)) < 0 || IDX(p, PORT_TPOS) > str_len(text))) return -1;
    if (kind == PK_STRING_IN && text == PV_FALSE) return -1;
    if (kind == PK_STRING_OUT || kind == PK_BYTES_OUT || kind == PK_BYTES_IN || kind == PK_CONSOLE_IN) {
        if (buf == PV_FALSE || pv_fix(BV_LEN(buf)) < 1) return -1;
        int64_t pos = pv_fix(SLOT(p, PORT_POS)), fill = pv_fix(SLOT(p, PORT_FILL));
        if (pos < 0 || fill < pos || fill > pv_fix(BV_LEN(buf))) return -1;
    }
    if (kind == PK_FILE_IN || kind == PK_FILE_OUT) {
        if (flags & PF_OPEN) SLOT(p, PORT_FLAGS) = pv_from_fix((flags & ~PF_OPEN) | PF_DETACHED);
        SLOT(p, PORT_HANDLE) = pv_from_fix(-1);
    }
    if (kind == PK_CONSOLE_IN) {
        SLOT(p, PORT_POS) = SLOT(p, PORT_FILL) = pv_from_fix(0);
        SLOT(p, PORT_TEXT) = PV_FALSE;
        SLOT(p, PORT_TPOS) = pv_from_fix(0);
    }
    return 0;
}

/* ---- making ports ---- */

static int port_new(pith_vm *vm, int kind, int flags, pv *out) {
    pv p;
    TRY(gc_alloc(vm, T_PORT, PORT_SIZE, &p));
    SLOT(p, PORT_KIND) = pv_from_fix(kind);
    SLOT(p, PORT_FLAGS) = pv_from_fix(flags | PF_OPEN);
    SLOT(p, PORT_HANDLE) = pv_from_fix(0);
    SLOT(p, PORT_BUF) = PV_FALSE;
    SLOT(p, PORT_FILL) = pv_from_fix(0);
    SLOT(p, PORT_NAME) = PV_FALSE;
    SLOT(p, PORT_POS) = pv_from_fix(0);
    SLOT(p, PORT_TEXT) = PV_FALSE;
    SLOT(p, PORT_TPOS) = pv_from_fix(0);
    SLOT(p, PORT_FOLD) = PV_FALSE;
    *out = p;
    return PITH_OK;
}

/* (%make-port kind [arg]): console-out (arg: stream 1 or 2), string-out,
 * bytes-out, string-in (arg: the string), bytes-in (arg: a bytevector,
 * copied), console-in. */
int prim_make_port(pith_vm *vm, int argc) {
    pv k = ARG(0), arg = argc > 1 ? ARG(1) : PV_FALSE, p = PV_FALSE, buf = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT3(arg, p, buf);
    if (!pv_is_fix(k) || pv_fix(k) < 0 || pv_fix(k) >= PK_COUNT || pv_fix(k) == PK_FILE_IN || pv_fix(k) == PK_FILE_OUT)
        return err_range(vm, "%make-port", k);
    int kind = (int)pv_fix(k);
    switch (kind) {
    case PK_CONSOLE_OUT:
        TRY(port_new(vm, kind, PF_OUT | PF_TEXT, &p));
        SLOT(p, PORT_HANDLE) = arg == pv_from_fix(2) ? pv_from_fix(2) : pv_from_fix(1);
        break;
    case PK_STRING_OUT:
    case PK_BYTES_OUT:
        TRY(mk_bytevector(vm, 256, &buf));
        TRY(port_new(vm, kind, PF_OUT | (kind == PK_STRING_OUT ? PF_TEXT : PF_BIN), &p));
        SLOT(p, PORT_BUF) = buf;
        break;
    case PK_STRING_IN:
        CHECK_TYPE(arg, T_STRING, "open-input-string", "string");
        TRY(port_new(vm, kind, PF_IN | PF_TEXT, &p));
        SLOT(p, PORT_TEXT) = arg;
        break;
    case PK_BYTES_IN: {
        CHECK_TYPE(arg, T_BYTEVECTOR, "open-input-bytevector", "bytevector");
        size_t n = (size_t)pv_fix(BV_LEN(arg));
        TRY(mk_bytevector(vm, n, &buf));
        MEMCPY(bv_bytes(buf), bv_bytes(arg), n);
        TRY(port_new(vm, kind, PF_IN | PF_BIN, &p));
        SLOT(p, PORT_BUF) = buf;
        SLOT(p, PORT_FILL) = pv_from_fix((int64_t)n);
        break;
    }
    case PK_CONSOLE_IN:
        TRY(mk_bytevector(vm, 4096, &buf));
        TRY(port_new(vm, kind, PF_IN | PF_TEXT, &p));
        SLOT(p, PORT_BUF) = buf;
        break;
    }
    RETURN(p);
}

/* (%open-file name mode binary): mode 0 read, 1 write (truncate), 2
 * append.  A file-error names the file when it cannot be opened. */
int prim_open_file(pith_vm *vm, int argc) {
    (void)argc;
    static const char *const who[2][2] = {{"open-input-file", "open-binary-input-file"},
                                          {"open-output-file", "open-binary-output-file"}};
    pv name = ARG(0), p = PV_FALSE;
    GC_SCOPE(vm);
    GC_ROOT2(name, p);
    if (!pv_is_fix(ARG(1)) || pv_fix(ARG(1)) < 0 || pv_fix(ARG(1)) > 2) return err_range(vm, "%open-file", ARG(1));
    int mode = (int)pv_fix(ARG(1));
    bool bin = ARG(2) != PV_FALSE, out = mode != 0;
    const char *w = who[out][bin];
    char path[1024];
    TRY(need_storage(vm, w));
    TRY(c_path(vm, name, w, path, sizeof path));
    /* the port first, so a failed allocation cannot leak a host handle */
    TRY(port_new(vm, out ? PK_FILE_OUT : PK_FILE_IN, (out ? PF_OUT : PF_IN) | (bin ? PF_BIN : PF_TEXT), &p));
    SLOT(p, PORT_NAME) = name;
    long slot = file_slot(vm);
    if (slot < 0) return err_oom(vm);
    uint8_t *buf = tmp_alloc(vm, FILE_BUF);
    if (!buf) return err_oom(vm);
    int hmode = mode == 0 ? PITH_OPEN_READ : mode == 1 ? PITH_OPEN_WRITE : PITH_OPEN_WRITE | PITH_OPEN_APPEND;
    int64_t h = vm->host->storage->open(vm->hctx, path, hmode);
    if (h == PITH_HOST_ENFILE || h == PITH_HOST_ENOMEM) {
        /* out of handles: ports that became garbage still hold some */
        int st = gc_collect(vm, 0, true);
        if (st) { tmp_free(vm, buf, FILE_BUF); return st; }
        h = vm->host->storage->open(vm->hctx, path, hmode);
    }
    if (h < 0) {
        tmp_free(vm, buf, FILE_BUF);
        return file_error(vm, w, (long)h, name);
    }
    port_file *f = &vm->files[slot];
    f->port = p;
    f->handle = h;
    f->buf = buf;
    f->cap = FILE_BUF;
    f->pos = f->fill = 0;
    f->output = out;
    f->eof = false;
    SLOT(p, PORT_HANDLE) = pv_from_fix(slot);
    RETURN(p);
}

int prim_portp(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(pv_is(ARG(0), T_PORT))); }
int prim_eof_object(pith_vm *vm, int argc) { (void)argc; RETURN(PV_EOF); }
int prim_eof_objectp(pith_vm *vm, int argc) { (void)argc; RETURN(pv_bool(ARG(0) == PV_EOF)); }

/* ---- checks ---- */

static int port_check(pith_vm *vm, pv p, int need, const char *who) {
    if (!pv_is(p, T_PORT)) {
        const char *what = need & PF_IN ? (need & PF_BIN ? "binary input port" : need & PF_TEXT ? "textual input port" : "input port")
                                        : (need & PF_BIN ? "binary output port" : need & PF_TEXT ? "textual output port" : "output port");
        return err_type(vm, who, what, p);
    }
    int f = FLAGS(p);
    if ((need & PF_IN) && !(f & PF_IN)) return err_type(vm, who, "input port", p);
    if ((need & PF_OUT) && !(f & PF_OUT)) return err_type(vm, who, "output port", p);
    if ((need & PF_TEXT) && !(f & PF_TEXT)) return err_type(vm, who, "textual port", p);
    if ((need & PF_BIN) && !(f & PF_BIN)) return err_type(vm, who, "binary port", p);
    if (!(f & PF_OPEN) || ((KIND(p) == PK_FILE_IN || KIND(p) == PK_FILE_OUT) && !file_of(vm, p)))
        return err_msg(vm, "error", who,
                       (f & PF_DETACHED) ? "the port was open when the image was saved, and a resumed image's "
                                           "file ports are closed (reopen files with on-resume):"
                                         : "the port is closed:",
                       p);
    return PITH_OK;
}

/* ---- output ---- */

/* Append n bytes to output port p (checked open). */
static int port_put(pith_vm *vm, pv p, const uint8_t *bytes, size_t n) {
    switch (KIND(p)) {
    case PK_CONSOLE_OUT:
        return console_out(vm, (int)pv_fix(SLOT(p, PORT_HANDLE)), bytes, n);
    case PK_FILE_OUT: {
        port_file *f = file_of(vm, p);
        if (!f) return err_msg(vm, "error", "write", "the port is closed:", p);
        if (f->fill + n > f->cap) {
            long e = file_drain(vm, f);
            if (e) return file_error(vm, "write", e, SLOT(p, PORT_NAME));
        }
        if (n >= f->cap) {  /* a big write goes straight out */
            size_t off = 0;
            int spins = 0;
            while (off < n) {
                long w = vm->host->storage->write(vm->hctx, f->handle, bytes + off, n - off);
                if (w > 0) { off += (size_t)w; spins = 0; }
                else if (w == PITH_HOST_AGAIN && spins++ < 1000000) nap(vm);
                else return file_error(vm, "write", w < 0 ? w : PITH_HOST_EIO, SLOT(p, PORT_NAME));
            }
            return PITH_OK;
        }
        MEMCPY(f->buf + f->fill, bytes, n);
        f->fill += n;
        return PITH_OK;
    }
    default: {  /* string or bytevector output: grow BUF */
        GC_SCOPE(vm);
        GC_ROOT(p);
        size_t fill = IDX(p, PORT_FILL);
        pv buf = SLOT(p, PORT_BUF);
        size_t cap = (size_t)pv_fix(BV_LEN(buf));
        if (fill + n > cap) {
            size_t ncap = cap < 32 ? 64 : cap * 2;
            while (ncap < fill + n) ncap *= 2;
            pv nb;
            TRY(mk_bytevector(vm, ncap, &nb));
            MEMCPY(bv_bytes(nb), bv_bytes(SLOT(p, PORT_BUF)), fill);
            STORE(p, PORT_BUF, nb);
            buf = nb;
        }
        MEMCPY(bv_bytes(buf) + fill, bytes, n);
        SLOT(p, PORT_FILL) = pv_from_fix((int64_t)(fill + n));
        return PITH_OK;
    }
    }
}

/* start and end arguments i and i+1 of a sequence of length len */
static int range_args(pith_vm *vm, int argc, int i, size_t len, const char *who, size_t *start, size_t *end) {
    *start = 0;
    *end = len;
    if (argc > i) {
        if (!pv_is_fix(ARG(i)) || pv_fix(ARG(i)) < 0 || (size_t)pv_fix(ARG(i)) > len) return err_range(vm, who, ARG(i));
        *start = (size_t)pv_fix(ARG(i));
    }
    if (argc > i + 1) {
        if (!pv_is_fix(ARG(i + 1)) || pv_fix(ARG(i + 1)) < (int64_t)*start || (size_t)pv_fix(ARG(i + 1)) > len)
            return err_range(vm, who, ARG(i + 1));
        *end = (size_t)pv_fix(ARG(i + 1));
    }
    return PITH_OK;
}

/* Write bytes [0, n) that fill(src, ...) produces into port p: copied out
 * of the heap first (in a local buffer when small), since writing into a
 * string or bytevector port may allocate and move the source. */
static int put_copy(pith_vm *vm, pv p, size_t n, void (*fill)(pv src, size_t start, size_t end, uint8_t *out),
                    pv src, size_t start, size_t end) {
    uint8_t local[1024];
    uint8_t *buf = n <= sizeof local ? local : tmp_alloc(vm, n);
    if (!buf) return err_oom(vm);
    fill(src, start, end, buf);
    int st = port_put(vm, p, buf, n);
    if (buf != local) tmp_free(vm, buf, n);
    return st;
}

static void fill_utf8(pv s, size_t start, size_t end, uint8_t *out) { str_to_utf8(s, start, end, out); }
static void fill_bytes(pv bv, size_t start, size_t end, uint8_t *out) { MEMCPY(out, bv_bytes(bv) + start, end - start); }

/* (%port-write-string port string [start [end]]) */
int prim_port_write_string(pith_vm *vm, int argc) {
    TRY(port_check(vm, ARG(0), PF_OUT | PF_TEXT, "write-string"));
    CHECK_TYPE(ARG(1), T_STRING, "write-string", "string");
    size_t start, end;
    TRY(range_args(vm, argc, 2, str_len(ARG(1)), "write-string", &start, &end));
    TRY(put_copy(vm, ARG(0), str_utf8_len(ARG(1), start, end), fill_utf8, ARG(1), start, end));
    RETURN(PV_VOID);
}

int prim_port_write_char(pith_vm *vm, int argc) {
    (void)argc;
    TRY(port_check(vm, ARG(0), PF_OUT | PF_TEXT, "write-char"));
    if (!pv_is_char(ARG(1))) return err_type(vm, "write-char", "character", ARG(1));
    uint8_t b[4];
    TRY(port_put(vm, ARG(0), b, utf8_encode(pv_char(ARG(1)), b)));
    RETURN(PV_VOID);
}

/* (%write-u8 port byte) */
int prim_write_u8(pith_vm *vm, int argc) {
    (void)argc;
    TRY(port_check(vm, ARG(0), PF_OUT | PF_BIN, "write-u8"));
    pv b = ARG(1);
    if (!pv_is_fix(b) || pv_fix(b) < 0 || pv_fix(b) > 255) return err_type(vm, "write-u8", "byte (an exact integer from 0 to 255)", b);
    uint8_t byte = (uint8_t)pv_fix(b);
    TRY(port_put(vm, ARG(0), &byte, 1));
    RETURN(PV_VOID);
}

/* (%write-bytevector port bv [start [end]]) */
int prim_write_bytevector(pith_vm *vm, int argc) {
    TRY(port_check(vm, ARG(0), PF_OUT | PF_BIN, "write-bytevector"));
    CHECK_TYPE(ARG(1), T_BYTEVECTOR, "write-bytevector", "bytevector");
    size_t start, end;
    TRY(range_args(vm, argc, 2, (size_t)pv_fix(BV_LEN(ARG(1))), "write-bytevector", &start, &end));
    TRY(put_copy(vm, ARG(0), end - start, fill_bytes, ARG(1), start, end));
    RETURN(PV_VOID);
}

int prim_port_flush(pith_vm *vm, int argc) {
    (void)argc;
    TRY(port_check(vm, ARG(0), PF_OUT, "flush-output-port"));
    pv p = ARG(0);
    if (KIND(p) == PK_CONSOLE_OUT && console(vm) && console(vm)->flush) console(vm)->flush(vm->hctx);
    if (KIND(p) == PK_FILE_OUT) {
        long e = file_drain(vm, file_of(vm, p));
        if (e) return file_error(vm, "flush-output-port", e, SLOT(p, PORT_NAME));
    }
    RETURN(PV_VOID);
}

/* The text (string port) or bytes (bytevector port) written so far. */
int prim_port_take_output(pith_vm *vm, int argc) {
    (void)argc;
    pv p = ARG(0);
    if (!pv_is(p, T_PORT) || KIND(p) != PK_STRING_OUT) return err_type(vm, "get-output-string", "string output port", p);
    /* str_from_utf8 reads its bytes again after allocating, so give it a
     * copy outside the heap (the buffer may move). */
    size_t n = IDX(p, PORT_FILL);
    obuf copy = {0, 0, 0};
    TRY(obuf_put(vm, &copy, bv_bytes(SLOT(p, PORT_BUF)), n));
    int st = str_from_utf8(vm, copy.p, n, &vm->r.ret);
    obuf_free(vm, &copy);
    return st;
}

int prim_get_output_bytevector(pith_vm *vm, int argc) {
    (void)argc;
    pv p = ARG(0), out;
    if (!pv_is(p, T_PORT) || KIND(p) != PK_BYTES_OUT) return err_type(vm, "get-output-bytevector", "bytevector output port", p);
    GC_SCOPE(vm);
    GC_ROOT(p);
    size_t n = IDX(p, PORT_FILL);
    TRY(mk_bytevector(vm, n, &out));
    MEMCPY(bv_bytes(out), bv_bytes(SLOT(p, PORT_BUF)), n);
    RETURN(out);
}

/* (close-port p): flushes an output file and gives back its handle.
 * Closing a closed port does nothing. */
int prim_close_port(pith_vm *vm, int argc) {
    (void)argc;
    pv p = ARG(0);
    if (!pv_is(p, T_PORT)) return err_type(vm, "close-port", "port", p);
    port_file *f = file_of(vm, p);
    long e = f ? file_release(vm, f) : 0;
    if (FLAGS(p) & PF_OPEN) SLOT(p, PORT_FLAGS) = pv_from_fix(FLAGS(p) & ~PF_OPEN);
    if (e) return file_error(vm, "close-port", e, SLOT(p, PORT_NAME));
    RETURN(PV_VOID);
}

/* Is p open (for input-port-open? and output-port-open?)? */
int prim_port_openp(pith_vm *vm, int argc) {
    (void)argc;
    pv p = ARG(0);
    if (!pv_is(p, T_PORT)) return err_type(vm, "port-open?", "port", p);
    bool open = (FLAGS(p) & PF_OPEN) && !((KIND(p) == PK_FILE_IN || KIND(p) == PK_FILE_OUT) && !file_of(vm, p));
    RETURN(pv_bool(open));
}

int prim_port_flags(pith_vm *vm, int argc) {
    (void)argc;
    RETURN(pv_is(ARG(0), T_PORT) ? SLOT(ARG(0), PORT_FLAGS) : pv_from_fix(0));
}

/* ---- input: bytes ---- */

/* A view of the unread bytes of a byte-buffered input port. */
typedef struct bview {
    uint8_t *b;
    size_t pos, fill;
} bview;

static void view_of(pith_vm *vm, pv p, bview *v) {
    if (KIND(p) == PK_FILE_IN) {
        port_file *f = file_of(vm, p);
        v->b = f->buf;
        v->pos = f->pos;
        v->fill = f->fill;
    } else {
        v->b = bv_bytes(SLOT(p, PORT_BUF));
        v->pos = IDX(p, PORT_POS);
        v->fill = IDX(p, PORT_FILL);
    }
}

static void set_pos(pith_vm *vm, pv p, size_t pos) {
    if (KIND(p) == PK_FILE_IN) file_of(vm, p)->pos = pos;
    else SLOT(p, PORT_POS) = pv_from_fix((int64_t)pos);
}

enum { MORE = 1, AT_EOF = 0, AGAIN = -1 };

/* Read more bytes into p's buffer, keeping the unread ones (moved to the
 * front; the buffer grows when it is full).  *got: MORE, AT_EOF or AGAIN
 * (the console has nothing yet).  p must be rooted by the caller. */
static int refill(pith_vm *vm, pv *pp, int *got) {
    pv p = *pp;
    int kind = KIND(p);
    if (kind == PK_BYTES_IN) {
        *got = AT_EOF;
        return PITH_OK;
    }
    if (kind == PK_FILE_IN) {
        port_file *f = file_of(vm, p);
        if (f->eof) { *got = AT_EOF; return PITH_OK; }
        if (f->pos > 0) {
            MEMMOVE(f->buf, f->buf + f->pos, f->fill - f->pos);
            f->fill -= f->pos;
            f->pos = 0;
        }
        if (f->fill == f->cap) {
            uint8_t *nb = tmp_alloc(vm, f->cap * 2);
            if (!nb) return err_oom(vm);
            MEMCPY(nb, f->buf, f->fill);
            tmp_free(vm, f->buf, f->cap);
            f->buf = nb;
            f->cap *= 2;
        }
        for (int spins = 0;; spins++) {
            long r = vm->host->storage->read(vm->hctx, f->handle, f->buf + f->fill, f->cap - f->fill);
            if (r > 0) { f->fill += (size_t)r; *got = MORE; return PITH_OK; }
            if (r == 0 || r == PITH_HOST_EOF) { f->eof = true; *got = AT_EOF; return PITH_OK; }
            if (r == PITH_HOST_AGAIN && spins < 1000000) { nap(vm); continue; }
            return file_error(vm, "read", r < 0 ? r : PITH_HOST_EIO, SLOT(p, PORT_NAME));
        }
    }
    /* the console: read into a C buffer, then append to BUF */
    const pith_host_console *c = console(vm);
    if (!c || !c->read) { *got = AT_EOF; return PITH_OK; }
    uint8_t chunk[4096];
    long r = c->read(vm->hctx, chunk, sizeof chunk);
    if (r == PITH_HOST_AGAIN) { *got = AGAIN; return PITH_OK; }
    if (r == 0 || r == PITH_HOST_EOF) { *got = AT_EOF; return PITH_OK; }
    if (r < 0) return err_msg(vm, "file-error", "read", "console input failed", PV_FALSE);
    size_t pos = IDX(p, PORT_POS), fill = IDX(p, PORT_FILL), keep = fill - pos;
    pv buf = SLOT(p, PORT_BUF);
    size_t cap = (size_t)pv_fix(BV_LEN(buf));
    if (keep + (size_t)r > cap) {
        size_t ncap = cap < 32 ? 64 : cap * 2;
        while (ncap < keep + (size_t)r) ncap *= 2;
        pv nb;
        TRY(mk_bytevector(vm, ncap, &nb));
        p = *pp;
        MEMCPY(bv_bytes(nb), bv_bytes(SLOT(p, PORT_BUF)) + pos, keep);
        STORE(p, PORT_BUF, nb);
    } else {
        MEMMOVE(bv_bytes(buf), bv_bytes(buf) + pos, keep);
    }
    MEMCPY(bv_bytes(SLOT(p, PORT_BUF)) + keep, chunk, (size_t)r);
    SLOT(p, PORT_POS) = pv_from_fix(0);
    SLOT(p, PORT_FILL) = pv_from_fix((int64_t)(keep + (size_t)r));
    *got = MORE;
    return PITH_OK;
}

/* (%read-u8 port peek): a byte, the eof object, or #f (not ready). */
int prim_read_u8(pith_vm *vm, int argc) {
    (void)argc;
    pv p = ARG(0);
    bool peek = ARG(1) != PV_FALSE;
    TRY(port_check(vm, p, PF_IN | PF_BIN, peek ? "peek-u8" : "read-u8"));
    GC_SCOPE(vm);
    GC_ROOT(p);
    for (;;) {
        bview v;
        view_of(vm, p, &v);
        if (v.pos < v.fill) {
            if (!peek) set_pos(vm, p, v.pos + 1);
            RETURN(pv_from_fix(v.b[v.pos]));
        }
        int got;
        TRY(refill(vm, &p, &got));
        if (got == AT_EOF) RETURN(PV_EOF);
        if (got == AGAIN) RETURN(PV_FALSE);
    }
}

/* (%u8-ready? port) */
int prim_u8_ready(pith_vm *vm, int argc) {
    (void)argc;
    TRY(port_check(vm, ARG(0), PF_IN | PF_BIN, "u8-ready?"));
    RETURN(PV_TRUE);  /* bytevectors and files never make a reader wait */
}

/* (%read-bytevector! port bv start end): bytes read (at least one unless
 * at end of file), the eof object, or #f (not ready). */
int prim_read_bytevector_into(pith_vm *vm, int argc) {
    pv p = ARG(0), bv = ARG(1);
    GC_SCOPE(vm);
    GC_ROOT2(p, bv);
    TRY(port_check(vm, p, PF_IN | PF_BIN, "read-bytevector!"));
    CHECK_TYPE(bv, T_BYTEVECTOR, "read-bytevector!", "bytevector");
    size_t start, end;
    TRY(range_args(vm, argc, 2, (size_t)pv_fix(BV_LEN(bv)), "read-bytevector!", &start, &end));
    if (start == end) RETURN(pv_from_fix(0));
    size_t done = 0;
    for (;;) {
        bview v;
        view_of(vm, p, &v);
        size_t n = v.fill - v.pos;
        if (n > end - start - done) n = end - start - done;
        MEMCPY(bv_bytes(bv) + start + done, v.b + v.pos, n);
        set_pos(vm, p, v.pos + n);
        done += n;
        if (start + done == end) RETURN(pv_from_fix((int64_t)done));
        int got;
        TRY(refill(vm, &p, &got));
        if (got != MORE) {
            if (done) RETURN(pv_from_fix((int64_t)done));
            RETURN(got == AT_EOF ? PV_EOF : PV_FALSE);
        }
    }
}

/* ---- input: text ---- */

/* Bytes a UTF-8 sequence starting with b needs (1 for a bad lead byte). */
static size_t utf8_need(uint8_t b) {
    return b < 0xc2 ? 1 : b <= 0xdf ? 2 : b <= 0xef ? 3 : b <= 0xf4 ? 4 : 1;
}

/* Can the bytes b[0..avail) not yet be decoded, because the sequence that
 * b[0] starts is unfinished and may still be completed by more input?  No
 * when enough bytes are there, or when one of them already shows the
 * sequence is invalid (it then decodes at once, as U+FFFD). */
static bool utf8_waits(const uint8_t *b, size_t avail) {
    size_t need = utf8_need(b[0]);
    if (avail >= need) return false;
    for (size_t i = 1; i < avail; i++)
        if ((b[i] & 0xc0) != 0x80) return false;
    return true;
}

/* The next character of textual input port p: *c, or -1 at end of input,
 * or -2 when the console has nothing yet.  Consumed unless peek. */
static int text_char(pith_vm *vm, pv *pp, bool peek, int64_t *c) {
    pv p = *pp;
    pv text = SLOT(p, PORT_TEXT);
    if (text != PV_FALSE) {
        size_t tpos = IDX(p, PORT_TPOS);
        if (tpos < str_len(text)) {
            *c = str_ref(text, tpos);
            if (!peek) SLOT(p, PORT_TPOS) = pv_from_fix((int64_t)tpos + 1);
            return PITH_OK;
        }
        if (KIND(p) == PK_STRING_IN) { *c = -1; return PITH_OK; }
        SLOT(p, PORT_TEXT) = PV_FALSE;
    }
    if (KIND(p) == PK_STRING_IN) { *c = -1; return PITH_OK; }
    for (;;) {
        p = *pp;
        bview v;
        view_of(vm, p, &v);
        if (v.pos < v.fill) {
            if (!utf8_waits(v.b + v.pos, v.fill - v.pos) || (KIND(p) == PK_FILE_IN && file_of(vm, p)->eof)) {
                uint32_t cp;
                size_t k = utf8_decode(v.b + v.pos, v.fill - v.pos, &cp);
                if (!peek) set_pos(vm, p, v.pos + k);
                *c = cp;
                return PITH_OK;
            }
        }
        int got;
        TRY(refill(vm, pp, &got));
        if (got == AGAIN) { *c = -2; return PITH_OK; }
        if (got == AT_EOF) {
            p = *pp;
            view_of(vm, p, &v);
            if (v.pos < v.fill) {  /* an unfinished sequence at the end */
                if (!peek) set_pos(vm, p, v.pos + 1);
                *c = 0xfffd;
                return PITH_OK;
            }
            *c = -1;
            return PITH_OK;
        }
    }
}

static pv char_result(int64_t c) { return c == -1 ? PV_EOF : c == -2 ? PV_FALSE : pv_from_char((uint32_t)c); }

/* (%read-char port peek): a character, the eof object, or #f (not ready). */
int prim_read_char(pith_vm *vm, int argc) {
    (void)argc;
    pv p = ARG(0);
    bool peek = ARG(1) != PV_FALSE;
    TRY(port_check(vm, p, PF_IN | PF_TEXT, peek ? "peek-char" : "read-char"));
    GC_SCOPE(vm);
    GC_ROOT(p);
    int64_t c;
    TRY(text_char(vm, &p, peek, &c));
    RETURN(char_result(c));
}

/* Read characters into a fresh string: up to `stop` (consumed, not
 * included) or `limit` characters. *out: the string, the eof object when
 * nothing was left, or #f when the console would make it wait. */
/* stop: a character that ends the text (taken, not returned), -1 for
 * none, or TAKE_AVAILABLE: none, and return what there is as soon as the
 * console has nothing more for now (rather than waiting for `limit`). */
#define TAKE_AVAILABLE (-2)
static int read_text(pith_vm *vm, pv p, int64_t stop, size_t limit, pv *out) {
    GC_SCOPE(vm);
    GC_ROOT(p);
    /* first, what the read-ahead text holds */
    obuf o = {0, 0, 0};
    size_t count = 0;
    bool stopped = false;
    pv text = SLOT(p, PORT_TEXT);
    size_t tpos = IDX(p, PORT_TPOS), tn = text != PV_FALSE ? str_len(text) : 0;
    size_t t = tpos;
    while (t < tn && count < limit) {
        uint32_t c = str_ref(text, t);
        if ((int64_t)c == stop) { stopped = true; break; }
        uint8_t b[4];
        int st = obuf_put(vm, &o, b, utf8_encode(c, b));
        if (st) { obuf_free(vm, &o); return st; }
        t++;
        count++;
    }
    bool at_eof = false;
    size_t bytes = 0;   /* bytes of the buffer taken */
    if (!stopped && count < limit && KIND(p) != PK_STRING_IN) {
        /* then the bytes, without consuming until all is there */
        for (;;) {
            bview v;
            view_of(vm, p, &v);
            bool eof = KIND(p) == PK_FILE_IN && file_of(vm, p)->eof;
            size_t i = v.pos + bytes;
            while (i < v.fill && count < limit) {
                if (!eof && utf8_waits(v.b + i, v.fill - i)) break;
                uint32_t c;
                size_t k = utf8_decode(v.b + i, v.fill - i, &c);
                if ((int64_t)c == stop) { stopped = true; break; }
                i += k;
                count++;
            }
            bytes = i - v.pos;
            if (stopped || count == limit) break;
            /* the console is asked once more only when nothing came yet: a
             * new read would start the editing of a new line */
            if (stop == TAKE_AVAILABLE && count > 0 && KIND(p) == PK_CONSOLE_IN) break;
            int got;
            int st = refill(vm, &p, &got);
            if (st) { obuf_free(vm, &o); return st; }
            if (got == AGAIN && stop == TAKE_AVAILABLE && count > 0) break;
            if (got == AGAIN) {
                obuf_free(vm, &o);
                *out = PV_FALSE;  /* nothing consumed */
                return PITH_OK;
            }
            if (got == AT_EOF) {
                view_of(vm, p, &v);
                /* a last unfinished sequence: one U+FFFD per byte */
                while (v.pos + bytes < v.fill && count < limit) { bytes++; count++; }
                at_eof = true;
                break;
            }
        }
    } else if (!stopped && count < limit) {
        at_eof = true;
    }
    /* take it: text, then bytes (decoded into o) */
    if (text != PV_FALSE) SLOT(p, PORT_TPOS) = pv_from_fix((int64_t)(t + (stopped && t < tn ? 1 : 0)));
    if (text != PV_FALSE && KIND(p) != PK_STRING_IN && t >= tn) SLOT(p, PORT_TEXT) = PV_FALSE;
    if (bytes || (stopped && t >= tn && KIND(p) != PK_STRING_IN)) {
        bview v;
        view_of(vm, p, &v);
        size_t end = v.pos + bytes;
        for (size_t i = v.pos; i < end;) {
            uint32_t c;
            size_t k = utf8_decode(v.b + i, end - i, &c);
            uint8_t b[4];
            int st = obuf_put(vm, &o, b, utf8_encode(c, b));
            if (st) { obuf_free(vm, &o); return st; }
            i += k;
        }
        /* the stop character itself (a newline is one byte) */
        size_t skip = stopped && t >= tn ? utf8_need(v.b[end]) : 0;
        set_pos(vm, p, end + skip);
    }
    if (count == 0 && !stopped && at_eof) {
        obuf_free(vm, &o);
        *out = PV_EOF;
        return PITH_OK;
    }
    int st = str_from_utf8(vm, o.p, o.n, out);
    obuf_free(vm, &o);
    return st;
}

/* (%read-line port) */
int prim_read_line(pith_vm *vm, int argc) {
    (void)argc;
    TRY(port_check(vm, ARG(0), PF_IN | PF_TEXT, "read-line"));
    return read_text(vm, ARG(0), '\n', (size_t)-1, &vm->r.ret);
}

/* (%read-string port k) */
int prim_read_string(pith_vm *vm, int argc) {
    (void)argc;
    TRY(port_check(vm, ARG(0), PF_IN | PF_TEXT, "read-string"));
    pv k = ARG(1);
    if (!pv_is_fix(k) || pv_fix(k) < 0) return err_type(vm, "read-string", "non-negative exact integer", k);
    if (pv_fix(k) == 0) return str_from_c(vm, "", &vm->r.ret);
    return read_text(vm, ARG(0), -1, (size_t)pv_fix(k), &vm->r.ret);
}

/* (%char-ready? port) */
int prim_char_ready(pith_vm *vm, int argc) {
    (void)argc;
    pv p = ARG(0);
    TRY(port_check(vm, p, PF_IN | PF_TEXT, "char-ready?"));
    if (KIND(p) != PK_CONSOLE_IN) RETURN(PV_TRUE);
    if (SLOT(p, PORT_TEXT) != PV_FALSE && IDX(p, PORT_TPOS) < str_len(SLOT(p, PORT_TEXT))) RETURN(PV_TRUE);
    GC_SCOPE(vm);
    GC_ROOT(p);
    for (;;) {
        bview v;
        view_of(vm, p, &v);
        if (v.pos < v.fill && !utf8_waits(v.b + v.pos, v.fill - v.pos)) RETURN(PV_TRUE);
        int got;
        TRY(refill(vm, &p, &got));
        if (got == AGAIN) RETURN(PV_FALSE);
        if (got == AT_EOF) RETURN(PV_TRUE);  /* read-char gives eof (or U+FFFD) at once */
    }
}

/* ---- support for read (the datum reader, in Scheme) ---- */

/* (%port-take-text port n): up to n characters of p's input as a string
 * (the read-ahead text first), "" at end of input, #f when the console
 * has nothing yet. */
int prim_port_take_text(pith_vm *vm, int argc) {
    (void)argc;
    TRY(port_check(vm, ARG(0), PF_IN | PF_TEXT, "read"));
    pv k = ARG(1);
    if (!pv_is_fix(k) || pv_fix(k) <= 0) return err_range(vm, "%port-take-text", k);
    pv s;
    TRY(read_text(vm, ARG(0), TAKE_AVAILABLE, (size_t)pv_fix(k), &s));
    if (s == PV_EOF) return str_from_c(vm, "", &vm->r.ret);
    RETURN(s);
}

/* (%port-unread-text! port string pos): string[pos..] is read again
 * before anything else (what `read` did not use); replaces any read-ahead
 * text the port had. */
int prim_port_unread_text(pith_vm *vm, int argc) {
    (void)argc;
    pv p = ARG(0), s = ARG(1);
    TRY(port_check(vm, p, PF_IN | PF_TEXT, "read"));
    CHECK_TYPE(s, T_STRING, "%port-unread-text!", "string");
    if (!pv_is_fix(ARG(2)) || pv_fix(ARG(2)) < 0 || (size_t)pv_fix(ARG(2)) > str_len(s)) return err_range(vm, "%port-unread-text!", ARG(2));
    STORE(p, PORT_TEXT, s);
    SLOT(p, PORT_TPOS) = ARG(2);
    RETURN(PV_VOID);
}

/* (%port-fold-case port [flag]): read's #!fold-case state. */
int prim_port_fold_case(pith_vm *vm, int argc) {
    pv p = ARG(0);
    if (!pv_is(p, T_PORT)) return err_type(vm, "%port-fold-case", "port", p);
    if (argc > 1) SLOT(p, PORT_FOLD) = pv_bool(ARG(1) != PV_FALSE);
    RETURN(SLOT(p, PORT_FOLD));
}

/* (%port-text port): the read-ahead text (or a string port's string) and
 * the position in it, as a pair, or #f. */
int prim_port_text(pith_vm *vm, int argc) {
    (void)argc;
    pv p = ARG(0);
    if (!pv_is(p, T_PORT)) return err_type(vm, "%port-text", "port", p);
    if (SLOT(p, PORT_TEXT) == PV_FALSE) RETURN(PV_FALSE);
    return mk_pair(vm, SLOT(p, PORT_TEXT), SLOT(p, PORT_TPOS), &vm->r.ret);
}

/* (%port-kind port) and (%port-name port), for printing and checks. */
int prim_port_kind(pith_vm *vm, int argc) {
    (void)argc;
    if (!pv_is(ARG(0), T_PORT)) return err_type(vm, "%port-kind", "port", ARG(0));
    RETURN(SLOT(ARG(0), PORT_KIND));
}
int prim_port_name(pith_vm *vm, int argc) {
    (void)argc;
    if (!pv_is(ARG(0), T_PORT)) return err_type(vm, "%port-name", "port", ARG(0));
    RETURN(SLOT(ARG(0), PORT_NAME));
}
