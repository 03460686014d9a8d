/* host.c -- the POSIX (Linux) host port: implements include/pith/host.h.
 *
 * Memory comes from mmap; clocks from clock_gettime; files are file
 * descriptors; the console is stdin/stdout/stderr.  Nothing here blocks
 * except `wait`, which is the point where the guest sleeps:
 *  - stdout is buffered by the host and flushed when full, at a newline
 *    when stdout is a terminal, before stderr output, before console reads
 *    and waits, and on posix_host_flush;
 *  - stdin is polled; on a terminal the bytes go to our line editor
 *    (lineedit.c), with the terminal in raw mode only while a line is
 *    being edited, so that Ctrl-C during a computation raises SIGINT.
 * The terminal modes are process state, so they are kept in globals and
 * restored by an atexit handler.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* ppoll */
#endif
#include "posix_host.h"
#include "lineedit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define OUT_CAP (64 * 1024)   /* bytes of stdout the host buffers */
#define PROMPT_MAX 200        /* longest text since a newline kept as prompt */
#define HISTORY_MAX 1000      /* entries kept in the history and its file */
#define READ_CHUNK 512        /* bytes read from the terminal at a time */

struct posix_host {
    pith_host host;            /* what the guest gets; host.ctx is this */
    int argc;                  /* number of strings in argv */
    char **argv;               /* copies of the arguments, argv[0] = name */
    uint8_t *out;              /* stdout bytes not yet written */
    size_t out_len;            /* bytes waiting in out */
    int out_tty;               /* stdout is a terminal: flush at newlines */
    int in_tty;                /* stdin is a terminal: `interactive` */
    char prompt[PROMPT_MAX];   /* stdout text since the last line break: the
                                  prompt the line editor redraws */
    size_t prompt_len;         /* bytes in prompt */
    int prompt_long;           /* more than PROMPT_MAX bytes since the last
                                  line break: too long to be a prompt */
    int at_line_start;         /* the cursor is at column 0, as far as the
                                  host knows (for redrawing after output) */
    int can_edit;              /* stdin and stdout are terminals, TERM is not
                                  "dumb": where editing may be turned on */
    int editing;               /* line editing is on */
    lineedit *le;              /* the editor; it also keeps the history */
    int cols;                  /* terminal width the editor was last given */
    int line_active;           /* a line is being edited (terminal is raw) */
    int line_hidden;           /* output was written over the line being
                                  edited: redraw it at the next read/wait */
    char line_prompt[PROMPT_MAX]; /* the prompt of the line being edited,
                                     shown again after Ctrl-C */
    size_t line_prompt_len;    /* bytes in line_prompt */
    int read_pending;          /* the last console read answered AGAIN:
                                  `wait` watches stdin */
    char *ready;               /* a finished line plus '\n' being returned */
    size_t ready_len;          /* bytes in ready */
    size_t ready_off;          /* bytes of ready already returned */
    size_t ready_cap;          /* bytes allocated for ready */
    char *hist_path;           /* history file, or NULL */
    void (*intr)(void *arg);   /* called on Ctrl-C while editing, or NULL */
    void *intr_arg;            /* argument of intr */
    uint8_t *fds;              /* fds[i] != 0: descriptor i was opened by
                                  storage `open` (the guest may use only
                                  those, never stdin or the history file) */
    size_t fds_cap;            /* entries in fds */
    struct pollfd *waits;      /* handles that answered AGAIN since the last
                                  `wait`, which then watches them */
    size_t nwaits;             /* entries used in waits */
    size_t waits_cap;          /* entries allocated in waits */
    char *list_dir;            /* directory of the cached listing, or NULL */
    char **list_names;         /* its entries, sorted */
    size_t list_count;         /* entries in list_names */
};

/* ---- the terminal (process-wide) ---- */

static struct termios g_cooked; /* modes before raw mode, restored after */
static int g_raw;               /* stdin is in raw mode now */
static int g_atexit;            /* restore_terminal is registered */

/* Leave raw mode, if in it.  Also the atexit handler. */
static void restore_terminal(void)
{
    if (g_raw) {
        tcsetattr(0, TCSANOW, &g_cooked);
        g_raw = 0;
    }
}

/* Put stdin in raw mode for editing: no echo, no line buffering, no
 * signals from keys, no CR->NL or flow control; output processing stays
 * on so "\n" still starts a new row.  0 or -1. */
static int raw_mode(void)
{
    struct termios raw;
    if (g_raw) return 0;
    if (tcgetattr(0, &g_cooked) != 0) return -1;
    raw = g_cooked;
    raw.c_iflag &= ~(tcflag_t)(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
    raw.c_lflag &= ~(tcflag_t)(ECHO | ICANON | IEXTEN | ISIG);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(0, TCSANOW, &raw) != 0) return -1;
    g_raw = 1;
    return 0;
}

/* Terminal width in columns (80 when unknown). */
static int term_cols(void)
{
    struct winsize ws;
    if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

/* ---- errors ---- */

/* The PITH_HOST_E* code for an errno value. */
static int map_errno(int e)
{
    if (e == EAGAIN || e == EWOULDBLOCK) return PITH_HOST_AGAIN;
    switch (e) {
    case ENOENT: case ENOTDIR: return PITH_HOST_ENOENT;
    case EACCES: case EPERM: case EROFS: return PITH_HOST_EACCES;
    case EEXIST: return PITH_HOST_EEXIST;
    case EIO: return PITH_HOST_EIO;
    case ENOSPC: case EDQUOT: case EFBIG: return PITH_HOST_ENOSPC;
    case EINVAL: case EBADF: case ENAMETOOLONG: return PITH_HOST_EINVAL;
    case EISDIR: return PITH_HOST_EISDIR;
    case ENOMEM: return PITH_HOST_ENOMEM;
    case EMFILE: case ENFILE: return PITH_HOST_ENFILE;
    case ESPIPE: return PITH_HOST_ENOTSUP;
    case EPIPE: case ECONNRESET: case ECONNREFUSED: return PITH_HOST_ECONN;
    default: return PITH_HOST_EOTHER;
    }
}

/* ---- memory ---- */

/* `size` rounded up to whole pages (0 if that overflows). */
static size_t page_round(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (size > SIZE_MAX - page) return 0;
    return (size + page - 1) / page * page;
}

static void *mem_alloc(void *ctx, size_t size)
{
    (void)ctx;
    size_t n = page_round(size);
    if (n == 0) return NULL;
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void mem_free(void *ctx, void *block, size_t size)
{
    (void)ctx;
    if (block) munmap(block, page_round(size));
}

/* ---- clocks ---- */

/* Nanoseconds on clock `id`. */
static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t clk_monotonic(void *ctx)
{
    (void)ctx;
    return clock_ns(CLOCK_MONOTONIC);
}

static int64_t clk_wall(void *ctx)
{
    (void)ctx;
    return clock_ns(CLOCK_REALTIME);
}

/* ---- console output ---- */

/* Write all n bytes to fd, retrying partial writes, EINTR, and EAGAIN
 * (by polling: a non-blocking stdout may make us wait briefly).  0 or a
 * PITH_HOST_E* code. */
static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n > SSIZE_MAX ? SSIZE_MAX : n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {fd, POLLOUT, 0};
            poll(&pfd, 1, -1);
        } else {
            return w == 0 ? PITH_HOST_EIO : map_errno(errno);
        }
    }
    return 0;
}

/* Write the buffered stdout bytes.  0 or an error (the bytes are dropped
 * then, so a broken stdout does not fill the buffer for ever). */
static int out_flush(posix_host *h)
{
    int r = 0;
    if (h->out_len) r = write_all(1, h->out, h->out_len);
    h->out_len = 0;
    return r;
}

/* Buffer bytes for stdout, flushing when the buffer fills. */
static int out_add(posix_host *h, const uint8_t *p, size_t n)
{
    while (n > 0) {
        if (h->out_len == OUT_CAP) {
            int r = out_flush(h);
            if (r < 0) return r;
        }
        size_t k = OUT_CAP - h->out_len;
        if (k > n) k = n;
        memcpy(h->out + h->out_len, p, k);
        h->out_len += k;
        p += k;
        n -= k;
    }
    return 0;
}

/* Follow the text written since the last line break: it is the prompt
 * the editor will redraw with the line. */
static void track_prompt(posix_host *h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n' || p[i] == '\r') {
            h->prompt_len = 0;
            h->prompt_long = 0;
        } else if (h->prompt_len < PROMPT_MAX) {
            h->prompt[h->prompt_len++] = (char)p[i];
        } else {
            h->prompt_long = 1;
        }
    }
    if (n) h->at_line_start = p[n - 1] == '\n';
}

/* Output callback of the line editor: drawing goes through the stdout
 * buffer (to stay in order) but is not part of the prompt. */
static void le_out(void *arg, const char *s, size_t n)
{
    posix_host *h = arg;
    out_add(h, (const uint8_t *)s, n);
    if (n) h->at_line_start = s[n - 1] == '\n';
}

/* Before other output: erase the line being edited from its row; it is
 * drawn again at the next read or wait. */
static void hide_line(posix_host *h)
{
    if (h->line_active && !h->line_hidden) {
        out_add(h, (const uint8_t *)"\r\x1b[K", 4);
        h->line_hidden = 1;
        h->at_line_start = 1;
    }
}

static long con_write(void *ctx, int stream, const uint8_t *buf, size_t n)
{
    posix_host *h = ctx;
    int r;
    if (stream != PITH_CONSOLE_OUT && stream != PITH_CONSOLE_ERR)
        return PITH_HOST_EINVAL;
    if (n == 0) return 0;
    if (n > LONG_MAX) n = LONG_MAX;
    hide_line(h);
    if (stream == PITH_CONSOLE_ERR) {
        out_flush(h); /* keep stdout's earlier text before this */
        r = write_all(2, buf, n);
        if (r < 0) return r;
        h->at_line_start = buf[n - 1] == '\n';
        return (long)n;
    }
    track_prompt(h, buf, n);
    r = out_add(h, buf, n);
    if (r == 0 && h->out_tty && memchr(buf, '\n', n)) r = out_flush(h);
    return r < 0 ? r : (long)n;
}

/* ---- console input ---- */

/* Return the next piece of the finished line. */
static long take_ready(posix_host *h, uint8_t *buf, size_t n)
{
    size_t k = h->ready_len - h->ready_off;
    if (k > n) k = n;
    memcpy(buf, h->ready + h->ready_off, k);
    h->ready_off += k;
    if (h->ready_off == h->ready_len) h->ready_off = h->ready_len = 0;
    h->read_pending = 0;
    return (long)k;
}

/* Keep a finished line, plus '\n', to be returned by reads.  0 or -1. */
static int set_ready(posix_host *h, const char *line, size_t len)
{
    if (len + 1 > h->ready_cap) {
        char *p = realloc(h->ready, len + 1);
        if (!p) return -1;
        h->ready = p;
        h->ready_cap = len + 1;
    }
    memcpy(h->ready, line, len);
    h->ready[len] = '\n';
    h->ready_len = len + 1;
    h->ready_off = 0;
    return 0;
}

/* Read stdin without the editor: whatever is there, never blocking. */
static long plain_read(posix_host *h, uint8_t *buf, size_t n)
{
    struct pollfd p = {0, POLLIN, 0};
    int k = poll(&p, 1, 0);
    if (k < 0 && errno != EINTR && errno != EAGAIN) return map_errno(errno);
    if (k <= 0) {
        h->read_pending = 1;
        return PITH_HOST_AGAIN;
    }
    if (p.revents & POLLNVAL) { /* stdin is closed */
        h->read_pending = 0;
        return PITH_HOST_EOF;
    }
    ssize_t got = read(0, buf, n > SSIZE_MAX ? SSIZE_MAX : n);
    if (got < 0) {
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
            h->read_pending = 1;
            return PITH_HOST_AGAIN;
        }
        return map_errno(errno);
    }
    h->read_pending = 0;
    if (got == 0) return PITH_HOST_EOF;
    if (h->in_tty) { /* the terminal echoed a line end */
        h->prompt_len = 0;
        h->prompt_long = 0;
        h->at_line_start = 1;
    }
    return (long)got;
}

/* The line being edited is over: back to cooked mode, and the cursor is at
 * the start of a fresh row. */
static void end_line(posix_host *h)
{
    out_flush(h);
    restore_terminal();
    h->line_active = 0;
    h->line_hidden = 0;
    h->prompt_len = 0;
    h->prompt_long = 0;
    h->at_line_start = 1;
}

/* Bring the editor's picture up to date: a new terminal width, or output
 * that was written over the line. */
static void refresh_line(posix_host *h)
{
    int cols = term_cols();
    int redraw = 0;
    if (cols != h->cols) {
        h->cols = cols;
        le_set_width(h->le, cols);
        redraw = 1;
    }
    if (h->line_hidden) {
        if (!h->at_line_start) out_add(h, (const uint8_t *)"\r\n", 2);
        h->line_hidden = 0;
        redraw = 1;
    }
    if (redraw) le_redraw(h->le);
}

/* Start editing a line after the prompt now on the terminal.  0, or -1
 * when the terminal cannot be put in raw mode. */
static int begin_line(posix_host *h)
{
    if (raw_mode() != 0) return -1;
    h->cols = term_cols();
    le_set_width(h->le, h->cols);
    if (h->prompt_long) {
        out_add(h, (const uint8_t *)"\r\n", 2);
        h->prompt_len = 0;
        h->prompt_long = 0;
    }
    memcpy(h->line_prompt, h->prompt, h->prompt_len);
    h->line_prompt_len = h->prompt_len;
    le_begin(h->le, h->prompt, h->prompt_len);
    h->line_active = 1;
    h->line_hidden = 0;
    return 0;
}

/* Read through the line editor: feed it what the terminal has sent; a
 * line is returned only when it is finished. */
static long edit_read(posix_host *h, uint8_t *buf, size_t n)
{
    for (;;) {
        int r = LE_MORE;
        if (!h->line_active) {
            if (begin_line(h) != 0) { /* not a usable terminal after all */
                h->editing = 0;
                return plain_read(h, buf, n);
            }
            if (le_pending(h->le)) r = le_feed(h->le, NULL, 0);
        } else {
            refresh_line(h);
        }
        while (r == LE_MORE) {
            uint8_t tmp[READ_CHUNK];
            struct pollfd p = {0, POLLIN, 0};
            if (poll(&p, 1, 0) <= 0) break;
            ssize_t got = read(0, tmp, sizeof tmp);
            if (got < 0) {
                if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                    break;
                int e = map_errno(errno);
                end_line(h);
                return e;
            }
            if (got == 0) { /* the terminal hung up */
                end_line(h);
                h->read_pending = 0;
                return PITH_HOST_EOF;
            }
            r = le_feed(h->le, tmp, (size_t)got);
        }
        switch (r) {
        case LE_DONE: {
            size_t len;
            const char *line = le_line(h->le, &len);
            int keep = set_ready(h, line, len);
            if (le_history_add(h->le, line) && h->hist_path)
                le_history_append(h->hist_path,
                    le_history_get(h->le, le_history_count(h->le) - 1));
            end_line(h);
            if (keep != 0) return PITH_HOST_ENOMEM;
            return take_ready(h, buf, n);
        }
        case LE_EOF:
            end_line(h);
            h->read_pending = 0;
            return PITH_HOST_EOF;
        case LE_INTERRUPT:
            end_line(h);
            if (h->intr) {
                h->intr(h->intr_arg);
                h->read_pending = 1;
                return PITH_HOST_AGAIN;
            }
            /* nobody to interrupt: prompt again, like a shell */
            track_prompt(h, (const uint8_t *)h->line_prompt,
                         h->line_prompt_len);
            out_add(h, (const uint8_t *)h->line_prompt, h->line_prompt_len);
            continue;
        case LE_SUSPEND:
            out_flush(h);
            restore_terminal();
            raise(SIGTSTP); /* returns when the shell continues us */
            if (raw_mode() != 0) {
                end_line(h);
                h->editing = 0;
                return PITH_HOST_AGAIN;
            }
            h->line_hidden = 1;
            h->at_line_start = 1;
            continue;
        default:
            out_flush(h);
            h->read_pending = 1;
            return PITH_HOST_AGAIN;
        }
    }
}

static long con_read(void *ctx, uint8_t *buf, size_t n)
{
    posix_host *h = ctx;
    if (n == 0) return 0;
    if (n > LONG_MAX) n = LONG_MAX;
    if (h->ready_off < h->ready_len) return take_ready(h, buf, n);
    out_flush(h);
    return h->editing ? edit_read(h, buf, n) : plain_read(h, buf, n);
}

static int con_interactive(void *ctx)
{
    posix_host *h = ctx;
    return h->in_tty;
}

/* ---- process ---- */

static int proc_arg_count(void *ctx)
{
    posix_host *h = ctx;
    return h->argc > 0 ? h->argc - 1 : 0;
}

static const char *proc_arg(void *ctx, int i)
{
    posix_host *h = ctx;
    return i >= 0 && i < h->argc ? h->argv[i] : NULL;
}

static const char *proc_getenv(void *ctx, const char *name)
{
    (void)ctx;
    return name ? getenv(name) : NULL;
}

static const char *proc_env_entry(void *ctx, int i)
{
    (void)ctx;
    if (i < 0 || !environ) return NULL;
    for (int k = 0; k < i; k++)
        if (!environ[k]) return NULL;
    return environ[i];
}

static void proc_exit(void *ctx, int status)
{
    posix_host *h = ctx;
    out_flush(h);
    restore_terminal();
    exit(status);
}

/* ---- storage ---- */

/* True when handle hd was opened by storage `open` and is still open. */
static int fd_ok(posix_host *h, int64_t hd)
{
    return hd >= 0 && (uint64_t)hd < h->fds_cap && h->fds[hd];
}

/* Remember that fd belongs to the guest.  0 or -1 (out of memory). */
static int fd_track(posix_host *h, int fd)
{
    if ((size_t)fd >= h->fds_cap) {
        size_t cap = h->fds_cap ? h->fds_cap : 64;
        while (cap <= (size_t)fd) cap *= 2;
        uint8_t *p = realloc(h->fds, cap);
        if (!p) return -1;
        memset(p + h->fds_cap, 0, cap - h->fds_cap);
        h->fds = p;
        h->fds_cap = cap;
    }
    h->fds[fd] = 1;
    return 0;
}

/* Ask the next `wait` to watch fd for `events`: it answered AGAIN. */
static void wait_on(posix_host *h, int fd, short events)
{
    for (size_t i = 0; i < h->nwaits; i++) {
        if (h->waits[i].fd == fd) {
            h->waits[i].events |= events;
            return;
        }
    }
    if (h->nwaits == h->waits_cap) {
        size_t cap = h->waits_cap ? h->waits_cap * 2 : 8;
        struct pollfd *p = realloc(h->waits, cap * sizeof *p);
        if (!p) return; /* `wait` then wakes at its deadline only */
        h->waits = p;
        h->waits_cap = cap;
    }
    h->waits[h->nwaits++] = (struct pollfd){fd, events, 0};
}

static int64_t st_open(void *ctx, const char *name, int mode)
{
    posix_host *h = ctx;
    int flags, fd;
    struct stat st;
    if (!name) return PITH_HOST_EINVAL;
    if (mode == PITH_OPEN_READ)
        flags = O_RDONLY;
    else if (mode == PITH_OPEN_WRITE)
        flags = O_WRONLY | O_CREAT | O_TRUNC;
    else if (mode == (PITH_OPEN_WRITE | PITH_OPEN_APPEND))
        flags = O_WRONLY | O_CREAT | O_APPEND;
    else
        return PITH_HOST_EINVAL;
    /* O_NONBLOCK: a FIFO or device must answer AGAIN, never block */
    do fd = open(name, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0666);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) return map_errno(errno);
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return PITH_HOST_EISDIR;
    }
    if (fd_track(h, fd) != 0) {
        close(fd);
        return PITH_HOST_ENOMEM;
    }
    return fd;
}

static long st_read(void *ctx, int64_t hd, uint8_t *buf, size_t n)
{
    posix_host *h = ctx;
    ssize_t r;
    if (!fd_ok(h, hd)) return PITH_HOST_EINVAL;
    if (n > LONG_MAX) n = LONG_MAX;
    do r = read((int)hd, buf, n);
    while (r < 0 && errno == EINTR);
    if (r >= 0) return (long)r;
    if (errno == EAGAIN || errno == EWOULDBLOCK) wait_on(h, (int)hd, POLLIN);
    return map_errno(errno);
}

static long st_write(void *ctx, int64_t hd, const uint8_t *buf, size_t n)
{
    posix_host *h = ctx;
    ssize_t r;
    if (!fd_ok(h, hd)) return PITH_HOST_EINVAL;
    if (n == 0) return 0;
    if (n > LONG_MAX) n = LONG_MAX;
    do r = write((int)hd, buf, n);
    while (r < 0 && errno == EINTR);
    if (r > 0) return (long)r;
    if (r == 0) return PITH_HOST_EIO;
    if (errno == EAGAIN || errno == EWOULDBLOCK) wait_on(h, (int)hd, POLLOUT);
    return map_errno(errno);
}

static int st_seek(void *ctx, int64_t hd, int64_t offset)
{
    posix_host *h = ctx;
    if (!fd_ok(h, hd)) return PITH_HOST_EINVAL;
    if (offset < 0) return PITH_HOST_EINVAL;
    if (lseek((int)hd, (off_t)offset, SEEK_SET) < 0) return map_errno(errno);
    return 0;
}

static int64_t st_file_size(void *ctx, int64_t hd)
{
    posix_host *h = ctx;
    struct stat st;
    if (!fd_ok(h, hd)) return PITH_HOST_EINVAL;
    if (fstat((int)hd, &st) != 0) return map_errno(errno);
    return (int64_t)st.st_size;
}

static int st_close(void *ctx, int64_t hd)
{
    posix_host *h = ctx;
    if (!fd_ok(h, hd)) return PITH_HOST_EINVAL;
    h->fds[hd] = 0;
    for (size_t i = 0; i < h->nwaits; i++) {
        if (h->waits[i].fd == (int)hd) {
            h->waits[i] = h->waits[--h->nwaits];
            break;
        }
    }
    /* on Linux the descriptor is released even when close fails */
    if (close((int)hd) != 0 && errno != EINTR) return map_errno(errno);
    return 0;
}

static int st_remove(void *ctx, const char *name)
{
    (void)ctx;
    if (!name) return PITH_HOST_EINVAL;
    return unlink(name) == 0 ? 0 : map_errno(errno);
}

static int st_exists(void *ctx, const char *name)
{
    struct stat st;
    (void)ctx;
    if (!name) return PITH_HOST_EINVAL;
    return stat(name, &st) == 0 ? 0 : map_errno(errno);
}

/* Forget the cached directory listing. */
static void drop_listing(posix_host *h)
{
    for (size_t i = 0; i < h->list_count; i++) free(h->list_names[i]);
    free(h->list_names);
    free(h->list_dir);
    h->list_names = NULL;
    h->list_dir = NULL;
    h->list_count = 0;
}

/* qsort comparison of two names, so listings come in a stable order. */
static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read directory `path` into the cache.  0 or an error. */
static int load_listing(posix_host *h, const char *path)
{
    DIR *d;
    struct dirent *e;
    size_t cap = 0;
    int err = 0;
    drop_listing(h);
    d = opendir(path);
    if (!d) return map_errno(errno);
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (h->list_count == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            char **p = realloc(h->list_names, ncap * sizeof *p);
            if (!p) { err = PITH_HOST_ENOMEM; break; }
            h->list_names = p;
            cap = ncap;
        }
        char *name = strdup(e->d_name);
        if (!name) { err = PITH_HOST_ENOMEM; break; }
        h->list_names[h->list_count++] = name;
    }
    closedir(d);
    h->list_dir = strdup(path);
    if (!err && !h->list_dir) err = PITH_HOST_ENOMEM;
    if (err) {
        drop_listing(h);
        return err;
    }
    if (h->list_count)
        qsort(h->list_names, h->list_count, sizeof *h->list_names, cmp_names);
    return 0;
}

/* Entry i of directory dir.  Index 0 reads the directory afresh; later
 * indexes use that reading, so a listing is consistent while it is walked
 * in order.  A name longer than cap-1 bytes gives PITH_HOST_EINVAL. */
static long st_list(void *ctx, const char *dir, long i, char *buf, size_t cap)
{
    posix_host *h = ctx;
    if (!dir || !buf || i < 0) return PITH_HOST_EINVAL;
    const char *path = *dir ? dir : ".";
    if (i == 0 || !h->list_dir || strcmp(h->list_dir, path) != 0) {
        int r = load_listing(h, path);
        if (r < 0) return r;
    }
    if ((size_t)i >= h->list_count) return PITH_HOST_ENOENT;
    size_t len = strlen(h->list_names[i]);
    if (len + 1 > cap) return PITH_HOST_EINVAL;
    memcpy(buf, h->list_names[i], len + 1);
    return (long)len;
}

/* ---- wait and panic ---- */

static int host_wait(void *ctx, int64_t deadline)
{
    posix_host *h = ctx;
    struct pollfd stack[16], *fds = stack;
    size_t nfds = 0;
    struct timespec ts, *tsp = NULL;
    if (h->line_active) refresh_line(h);
    out_flush(h);
    if (h->ready_off < h->ready_len || (h->line_active && le_pending(h->le)))
        return 0; /* input is ready now */
    if (deadline >= 0) {
        int64_t left = deadline - clock_ns(CLOCK_MONOTONIC);
        if (left <= 0) {
            h->nwaits = 0;
            return 0;
        }
        ts.tv_sec = (time_t)(left / 1000000000);
        ts.tv_nsec = (long)(left % 1000000000);
        tsp = &ts;
    }
    if (h->nwaits + 1 > sizeof stack / sizeof stack[0]) {
        fds = malloc((h->nwaits + 1) * sizeof *fds);
        if (!fds) fds = stack; /* watch what fits */
    }
    size_t room = fds == stack ? sizeof stack / sizeof stack[0]
                               : h->nwaits + 1;
    if (h->read_pending) fds[nfds++] = (struct pollfd){0, POLLIN, 0};
    for (size_t i = 0; i < h->nwaits && nfds < room; i++) fds[nfds++] = h->waits[i];
    /* EINTR (e.g. SIGINT) is a wake-up like any other: the guest re-checks */
    ppoll(nfds ? fds : NULL, (nfds_t)nfds, tsp, NULL);
    if (fds != stack) free(fds);
    h->nwaits = 0;
    return 0;
}

static void host_panic(void *ctx, const char *msg)
{
    posix_host *h = ctx;
    static const char head[] = "pith: panic: ";
    out_flush(h);
    restore_terminal();
    write_all(2, (const uint8_t *)head, sizeof head - 1);
    if (msg) write_all(2, (const uint8_t *)msg, strlen(msg));
    write_all(2, (const uint8_t *)"\n", 1);
    abort();
}

/* ---- the groups ---- */

static const pith_host_memory memory_group = {
    sizeof(pith_host_memory), mem_alloc, mem_free,
};
static const pith_host_clock clock_group = {
    sizeof(pith_host_clock), clk_monotonic, clk_wall,
};
/* flush-output-port: push out buffered stdout. */
static void con_flush(void *ctx) { out_flush((posix_host *)ctx); }

static const pith_host_console console_group = {
    sizeof(pith_host_console), con_write, con_read, con_interactive, con_flush,
};
static const pith_host_process process_group = {
    sizeof(pith_host_process), proc_arg_count, proc_arg, proc_getenv,
    proc_env_entry, proc_exit,
};
static const pith_host_storage storage_group = {
    sizeof(pith_host_storage), st_open, st_read, st_write, st_seek,
    st_file_size, st_close, st_remove, st_exists, st_list,
};

/* ---- public ---- */

posix_host *posix_host_new(int argc, char **argv)
{
    posix_host *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    if (argc < 0 || !argv) argc = 0;
    h->argv = calloc((size_t)argc + 1, sizeof *h->argv);
    h->out = malloc(OUT_CAP);
    h->le = le_new();
    if (!h->argv || !h->out || !h->le) goto fail;
    for (h->argc = 0; h->argc < argc; h->argc++) {
        h->argv[h->argc] = strdup(argv[h->argc] ? argv[h->argc] : "");
        if (!h->argv[h->argc]) goto fail;
    }
    le_set_output(h->le, le_out, h);
    le_history_set_max(h->le, HISTORY_MAX);
    h->in_tty = isatty(0);
    h->out_tty = isatty(1);
    const char *term = getenv("TERM");
    h->can_edit = h->in_tty && h->out_tty && !(term && !strcmp(term, "dumb"));
    h->editing = h->can_edit;
    h->at_line_start = 1;
    h->host.size = sizeof(pith_host);
    h->host.version = PITH_HOST_VERSION;
    h->host.ctx = h;
    h->host.memory = &memory_group;
    h->host.clock = &clock_group;
    h->host.console = &console_group;
    h->host.process = &process_group;
    h->host.storage = &storage_group;
    h->host.wait = host_wait;
    h->host.panic = host_panic;
#ifdef __linux__
    h->host.features = "posix unix linux gnu-linux";
#else
    h->host.features = "posix unix";
#endif
    if (!g_atexit) {
        atexit(restore_terminal);
        g_atexit = 1;
    }
    return h;
fail:
    posix_host_free(h);
    return NULL;
}

const pith_host *posix_host_get(posix_host *h) { return &h->host; }

void posix_host_free(posix_host *h)
{
    if (!h) return;
    if (h->out) out_flush(h);
    if (h->line_active) end_line(h);
    for (size_t fd = 0; fd < h->fds_cap; fd++)
        if (h->fds[fd]) close((int)fd);
    for (int i = 0; i < h->argc; i++) free(h->argv[i]);
    drop_listing(h);
    free(h->argv);
    free(h->out);
    free(h->ready);
    free(h->hist_path);
    free(h->fds);
    free(h->waits);
    le_free(h->le);
    free(h);
}

void posix_host_set_editing(posix_host *h, int on)
{
    if (!on && h->line_active) end_line(h);
    h->editing = on && h->can_edit;
}

void posix_host_set_history_file(posix_host *h, const char *path)
{
    free(h->hist_path);
    h->hist_path = path ? strdup(path) : NULL;
    if (!h->hist_path) return;
    /* a file grown past the limit by earlier sessions is cut back now */
    if (le_history_load(h->le, h->hist_path) > HISTORY_MAX)
        le_history_save(h->le, h->hist_path);
}

void posix_host_flush(posix_host *h) { out_flush(h); }

void posix_host_set_interrupt(posix_host *h, void (*fn)(void *arg), void *arg)
{
    h->intr = fn;
    h->intr_arg = arg;
}
