/* pith/host.h -- the host interface: what a host lends a guest VM.
 *
 * A host is a struct of function-pointer groups plus an opaque context
 * pointer.  The guest (Pith, or any other language VM built the same way)
 * calls these and nothing else outside itself.  Every group except memory
 * may be NULL: the guest then reports "this host has no <group>" when a
 * program asks for it.  Nothing here is Scheme-specific.
 *
 * Rules every host function follows (docs/host-interface.md has the detail):
 *  - It never blocks.  I/O that cannot proceed now answers PITH_HOST_AGAIN;
 *    the guest later calls `wait` (or returns to the embedder) and retries.
 *  - It never unwinds (no longjmp, no C++ or OCaml exception) through the
 *    guest's frames: it returns an error code instead.
 *  - Errors are negative PITH_HOST_E* codes; sizes are size_t; times are
 *    nanoseconds in int64_t.
 *  - It is called only from the thread that runs the guest, except where a
 *    member says otherwise.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PITH_HOST_H
#define PITH_HOST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this interface.  A host sets `version` to the value it was
 * compiled against and each struct's `size` to its sizeof; the guest
 * ignores members beyond `size`, so old hosts keep working. */
#define PITH_HOST_VERSION 1

/* Negative result codes shared by every group. */
enum {
    PITH_HOST_AGAIN    = -1,  /* not ready now: wait, then try again */
    PITH_HOST_EOF      = -2,  /* end of input (console) */
    PITH_HOST_ENOENT   = -3,  /* no such file or name */
    PITH_HOST_EACCES   = -4,  /* permission denied */
    PITH_HOST_EEXIST   = -5,  /* already exists */
    PITH_HOST_EIO      = -6,  /* input/output error */
    PITH_HOST_ENOSPC   = -7,  /* no space left */
    PITH_HOST_EINVAL   = -8,  /* invalid argument (bad name, bad handle) */
    PITH_HOST_ENOTSUP  = -9,  /* operation not supported by this host */
    PITH_HOST_ENOMEM   = -10, /* the host ran out of memory */
    PITH_HOST_EISDIR   = -11, /* is a directory */
    PITH_HOST_ECONN    = -12, /* connection refused, reset or closed */
    PITH_HOST_EOTHER   = -13, /* any other failure */
    PITH_HOST_ENFILE   = -14  /* too many open handles (the VM collects
                                 garbage, closing unreachable ports, and
                                 tries once more) */
};

/* Memory: large blocks only (the guest suballocates).  Required. */
typedef struct pith_host_memory {
    uint32_t size;  /* sizeof(pith_host_memory) */
    /* A block of at least `size` bytes aligned to 16, or NULL.  The
     * guest asks for few blocks, most of 64 KiB or more (heap chunks), and
     * a few small ones when it starts. */
    void *(*alloc)(void *ctx, size_t size);
    /* Return a block from `alloc`, with the size it was asked for. */
    void (*free)(void *ctx, void *block, size_t size);
} pith_host_memory;

/* Clocks, in nanoseconds. */
typedef struct pith_host_clock {
    uint32_t size;
    /* Monotonic time since an arbitrary origin; never goes backwards. */
    int64_t (*monotonic)(void *ctx);
    /* Wall-clock time since 1970-01-01T00:00:00Z (POSIX time, no leap
     * seconds). */
    int64_t (*wall)(void *ctx);
} pith_host_clock;

/* Console: the standard streams. */
enum { PITH_CONSOLE_OUT = 1, PITH_CONSOLE_ERR = 2 };
typedef struct pith_host_console {
    uint32_t size;
    /* Write up to n bytes (UTF-8) to stream 1 (output) or 2 (errors).
     * Returns bytes written (> 0), PITH_HOST_AGAIN, or an error. */
    long (*write)(void *ctx, int stream, const uint8_t *buf, size_t n);
    /* Read up to n bytes of input.  Returns bytes read (> 0),
     * PITH_HOST_AGAIN when nothing is ready, PITH_HOST_EOF at end of
     * input, or an error.  A host with a line editor returns whole lines. */
    long (*read)(void *ctx, uint8_t *buf, size_t n);
    /* Nonzero when input is interactive (a terminal): the REPL then prints
     * prompts.  May be NULL (not interactive). */
    int (*interactive)(void *ctx);
    /* Push out what the host buffers of stream 1 (flush-output-port).  May
     * be NULL (the host does not buffer). */
    void (*flush)(void *ctx);
} pith_host_console;

/* Process: arguments, environment, exit. */
typedef struct pith_host_process {
    uint32_t size;
    /* Number of command-line arguments given to the program (not counting
     * the program name itself, which is argument 0 of `arg`). */
    int (*arg_count)(void *ctx);
    /* Argument i (0 = program name) as a NUL-terminated UTF-8 string, or
     * NULL when out of range.  The string stays valid while the VM lives. */
    const char *(*arg)(void *ctx, int i);
    /* Value of environment variable `name`, or NULL.  Stays valid until
     * the next call. */
    const char *(*getenv)(void *ctx, const char *name);
    /* Environment entry i as "NAME=value", or NULL past the end. */
    const char *(*env_entry)(void *ctx, int i);
    /* End the process now with `status`; may return if the host decides
     * not to (an embedded host), in which case the guest stops running
     * and reports the exit to its embedder. */
    void (*exit)(void *ctx, int status);
} pith_host_process;

/* Storage: named files.  Names are UTF-8 paths interpreted by the host. */
enum {
    PITH_OPEN_READ   = 1,  /* open existing for reading */
    PITH_OPEN_WRITE  = 2,  /* create or truncate for writing */
    PITH_OPEN_APPEND = 4   /* with WRITE: create, keep contents, write at end */
};
typedef struct pith_host_storage {
    uint32_t size;
    /* Open `name`; returns a handle >= 0 or an error. */
    int64_t (*open)(void *ctx, const char *name, int mode);
    /* Read up to n bytes at the current position: bytes read (> 0), 0 at
     * end of file, PITH_HOST_AGAIN, or an error. */
    long (*read)(void *ctx, int64_t h, uint8_t *buf, size_t n);
    /* Write up to n bytes: bytes written (> 0), PITH_HOST_AGAIN, or error. */
    long (*write)(void *ctx, int64_t h, const uint8_t *buf, size_t n);
    /* Move to byte `offset` from the start; returns 0 or an error. */
    int (*seek)(void *ctx, int64_t h, int64_t offset);
    /* Size of the open file in bytes, or an error. */
    int64_t (*file_size)(void *ctx, int64_t h);
    /* Release the handle (and flush what the host buffers). 0 or error. */
    int (*close)(void *ctx, int64_t h);
    /* Delete `name`: 0 or an error. */
    int (*remove)(void *ctx, const char *name);
    /* 0 when `name` exists, PITH_HOST_ENOENT when not, or an error. */
    int (*exists)(void *ctx, const char *name);
    /* Names in directory `dir` ("" for the host's default): copies entry
     * i's name into buf (NUL-terminated) and returns its length, returns
     * PITH_HOST_ENOENT past the last entry, or an error. */
    long (*list)(void *ctx, const char *dir, long i, char *buf, size_t cap);
} pith_host_storage;

/* Network: TCP.  Declared now; implemented by later ports. */
typedef struct pith_host_net {
    uint32_t size;
    /* Listen on host:port ("" = any address); returns a handle or error. */
    int64_t (*listen)(void *ctx, const char *host, int port, int backlog);
    /* Accept a connection: a new handle, PITH_HOST_AGAIN, or an error. */
    int64_t (*accept)(void *ctx, int64_t listener);
    /* Start connecting; the handle becomes writable when connected. */
    int64_t (*connect)(void *ctx, const char *host, int port);
    long (*send)(void *ctx, int64_t h, const uint8_t *buf, size_t n);
    /* 0 means the peer closed its side. */
    long (*recv)(void *ctx, int64_t h, uint8_t *buf, size_t n);
    int (*close)(void *ctx, int64_t h);
} pith_host_net;

/* Display: one framebuffer of 32-bit pixels (0x00RRGGBB). */
typedef struct pith_host_display {
    uint32_t size;
    /* Width and height in pixels; returns 0 or an error. */
    int (*get_size)(void *ctx, int *width, int *height);
    /* The pixel array, `stride` pixels per row; valid until the size
     * changes. */
    uint32_t *(*pixels)(void *ctx, int *stride);
    /* Show the rectangle that was drawn. */
    void (*flush)(void *ctx, int x, int y, int w, int h);
} pith_host_display;

/* Input events. */
enum { PITH_EVENT_NONE = 0, PITH_EVENT_KEY = 1, PITH_EVENT_POINTER = 2 };
typedef struct pith_host_event {
    int type;     /* PITH_EVENT_* */
    int code;     /* key: Unicode code point or a negative special key */
    int x, y;     /* pointer position */
    int buttons;  /* pointer buttons, bit per button; key: 1 = pressed */
} pith_host_event;
typedef struct pith_host_input {
    uint32_t size;
    /* Fill *ev with the next event; returns 1, or 0 when none is queued. */
    int (*poll)(void *ctx, pith_host_event *ev);
} pith_host_input;

/* A host: the groups it lends, plus `wait` and `panic`. */
typedef struct pith_host {
    uint32_t size;     /* sizeof(pith_host) */
    uint32_t version;  /* PITH_HOST_VERSION */
    void *ctx;         /* passed back as the first argument of every call */
    const pith_host_memory *memory;    /* required */
    const pith_host_clock *clock;      /* may be NULL */
    const pith_host_console *console;  /* may be NULL */
    const pith_host_process *process;  /* may be NULL */
    const pith_host_storage *storage;  /* may be NULL */
    const pith_host_net *net;          /* may be NULL */
    const pith_host_display *display;  /* may be NULL */
    const pith_host_input *input;      /* may be NULL */
    /* Sleep until input may be ready on the console or an open handle, or
     * until the monotonic clock reaches `deadline` (-1: no deadline).
     * Returns 0, or PITH_HOST_EINTR-like early wake-ups are fine: the
     * guest re-checks.  May be NULL (the guest then spins politely). */
    int (*wait)(void *ctx, int64_t deadline);
    /* An unrecoverable guest failure (a bug): report `msg` and stop.
     * Should not return; if it does, the guest stops its VM. */
    void (*panic)(void *ctx, const char *msg);
    /* cond-expand features the host adds, separated by spaces (e.g.
     * "posix unix linux"), or NULL.  Read at each (features) call, so a
     * resumed image sees the new host's. */
    const char *features;
} pith_host;

#ifdef __cplusplus
}
#endif
#endif
