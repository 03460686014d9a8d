/* kernel.c -- Pith on bare metal: the multiboot entry's C side, the host
 * interface over the kernel's devices, and the program or REPL.
 *
 * The kernel command line (QEMU's -append) is
 *     [--tty] [--pci] [--mem] [--stack] [--fault] [NAME=VALUE]... [FILE [ARG]...]
 * --tty: the console is an interactive terminal (echo, line editing, CR LF);
 * --pci: list the PCI functions found and exit; --mem: report memory at
 * exit; --stack: report the kernel stack's high-water mark at exit; --fault:
 * write into the stack's guard page (tests: the fault is reported, then a
 * panic).
 * NAME=VALUE words are the environment (empty otherwise).  FILE is run as a
 * program, as `pith FILE ARG...` would; without it the REPL starts.
 * Words are separated by spaces; '...' and "..." quote.  Files come from the
 * RAM disk (ramdisk.c): the multiboot modules, each named by its string.
 *
 * Exit status goes out through QEMU's isa-debug-exit device (port 0xF4):
 * QEMU exits with (status << 1) | 1, which hosts/metal/run maps back.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include "metal.h"
#include "../../include/pith.h"

#define EXIT_ERROR 70
#define MAX_ARGS 256
#define MAX_ENV 64

/* ---- output ---- */

static bool com2;   /* a second serial port carries the error stream */

static void com2_write(const uint8_t *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        for (int spins = 0; !(inb(0x2F8 + 5) & 0x20) && spins < 1000000; spins++) {}
        outb(0x2F8, s[i]);
    }
}

void kputs(const char *s) { serial_puts(s); }

static size_t put_num(char *b, size_t at, size_t cap, uint64_t v, int base, bool neg) {
    char t[24];
    int k = 0;
    do { t[k++] = "0123456789abcdef"[v % (uint64_t)base]; v /= (uint64_t)base; } while (v);
    if (neg && at < cap) b[at++] = '-';
    while (k && at < cap) b[at++] = t[--k];
    return at;
}

void kprintf(const char *f, ...) {
    char b[512];
    size_t n = 0, cap = sizeof b - 1;
    va_list ap;
    va_start(ap, f);
    for (; *f && n < cap; f++) {
        if (*f != '%') { b[n++] = *f; continue; }
        f++;
        bool l = false;
        while (*f == 'l' || *f == 'z') { l = true; f++; }
        switch (*f) {
        case 's': { const char *s = va_arg(ap, const char *); while (s && *s && n < cap) b[n++] = *s++; break; }
        case 'd': { int64_t v = l ? va_arg(ap, long) : va_arg(ap, int); n = put_num(b, n, cap, v < 0 ? (uint64_t)-v : (uint64_t)v, 10, v < 0); break; }
        case 'u': n = put_num(b, n, cap, l ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, false); break;
        case 'x': n = put_num(b, n, cap, l ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, false); break;
        case '%': b[n++] = '%'; break;
        default: break;
        }
        if (!*f) break;
    }
    va_end(ap);
    b[n] = 0;
    serial_puts(b);
}

static bool want_mem, want_stack;

static void report_exit(void) {
    if (want_stack) {
        const uint64_t *p = (const uint64_t *)(const void *)boot_stack_bottom;
        while ((const char *)p < boot_stack_top && *p == 0xA5A5A5A5A5A5A5A5ull) p++;
        kprintf("pith-metal: stack: %lu of %lu bytes used\n", (unsigned long)(boot_stack_top - (const char *)p),
                (unsigned long)STACK_SIZE);
    }
    if (want_mem)
        kprintf("pith-metal: memory: %lu KiB free of %lu KiB\n", (unsigned long)(mem_free_bytes() >> 10),
                (unsigned long)(mem_total() >> 10));
}

_Noreturn void kexit(int status) {
    report_exit();
    /* QEMU exits with (v << 1) | 1 for the value v written here, and with 1
     * when it fails itself: writing status + 1 keeps the two apart (the
     * runner subtracts it).  Statuses are taken modulo 256, as by a POSIX
     * exit; those above 126 do not fit and become 126. */
    int s = status & 0xFF;
    if (s > 126) s = 126;
    outl(0xF4, (uint32_t)(s + 1));
    /* no isa-debug-exit device: stop here */
    for (;;) { cpu_cli(); __asm__ volatile("hlt"); }
}

_Noreturn void kpanic(const char *msg) {
    kprintf("pith-metal: panic: %s\n", msg);
    kexit(PANIC_STATUS);
}

/* ---- the host interface ---- */

static int nargs, nenv;
static const char *args[MAX_ARGS], *env[MAX_ENV];
static pith_vm *the_vm;

static void *h_alloc(void *ctx, size_t size) { (void)ctx; return mem_alloc(size); }
static void h_free(void *ctx, void *p, size_t size) { (void)ctx; mem_free(p, size); }
static int64_t h_mono(void *ctx) { (void)ctx; return clock_monotonic(); }
static int64_t h_wall(void *ctx) { (void)ctx; return clock_wall(); }

static long h_write(void *ctx, int stream, const uint8_t *buf, size_t n) {
    (void)ctx;
    if (stream == PITH_CONSOLE_ERR && com2) com2_write(buf, n);
    else serial_write(buf, n);
    return (long)n;
}
static long h_read(void *ctx, uint8_t *buf, size_t n) {
    (void)ctx;
    long k = serial_read(buf, n);
    return k > 0 ? k : k < 0 ? PITH_HOST_EOF : PITH_HOST_AGAIN;
}
static int h_interactive(void *ctx) { (void)ctx; return serial_cooked; }

static int h_arg_count(void *ctx) { (void)ctx; return nargs - 1; }
static const char *h_arg(void *ctx, int i) { (void)ctx; return i >= 0 && i < nargs ? args[i] : 0; }
static int streq_prefix(const char *entry, const char *name) {
    size_t i = 0;
    while (name[i] && entry[i] == name[i]) i++;
    return !name[i] && entry[i] == '=';
}
static const char *h_getenv(void *ctx, const char *name) {
    (void)ctx;
    for (int i = 0; i < nenv; i++)
        if (streq_prefix(env[i], name)) {
            const char *v = env[i];
            while (*v != '=') v++;
            return v + 1;
        }
    return 0;
}
static const char *h_env_entry(void *ctx, int i) { (void)ctx; return i >= 0 && i < nenv ? env[i] : 0; }
static void h_exit(void *ctx, int status) { (void)ctx; kexit(status); }

static int h_wait(void *ctx, int64_t deadline) {
    (void)ctx;
    for (;;) {
        cpu_cli();
        if (serial_ready() || (deadline >= 0 && clock_monotonic() >= deadline)) {
            cpu_sti();
            return 0;
        }
        cpu_sti_hlt();   /* the timer (TICK_HZ) or input wakes us */
    }
}
static void h_panic(void *ctx, const char *msg) { (void)ctx; kpanic(msg); }

static const pith_host_memory host_memory = {sizeof(pith_host_memory), h_alloc, h_free};
static const pith_host_clock host_clock = {sizeof(pith_host_clock), h_mono, h_wall};
static const pith_host_console host_console = {sizeof(pith_host_console), h_write, h_read, h_interactive, 0};
static const pith_host_process host_process = {sizeof(pith_host_process), h_arg_count, h_arg, h_getenv, h_env_entry, h_exit};
static const pith_host host = {
    sizeof(pith_host), PITH_HOST_VERSION, 0, &host_memory, &host_clock, &host_console, &host_process,
    &ramdisk_storage, 0, 0, 0, h_wait, h_panic, "unikernel metal",
};

static void on_ctrl_c(void) {
    if (the_vm) pith_interrupt(the_vm);
}

/* ---- boot ---- */

extern char _end[];   /* the linker script: end of the kernel's image */

static uint32_t rd32(uint64_t a) { return *(volatile uint32_t *)(uintptr_t)a; }
static uint64_t rd64(uint64_t a) { return *(volatile uint64_t *)(uintptr_t)a; }

/* Split the command line in place into words; returns their number. */
static int split(char *s, char **words, int max) {
    int n = 0;
    while (*s) {
        while (*s == ' ') s++;
        if (!*s) break;
        char *out = s, *start = s;
        while (*s && *s != ' ') {
            if (*s == '\'' || *s == '"') {
                char q = *s++;
                while (*s && *s != q) *out++ = *s++;
                if (*s) s++;
            } else {
                *out++ = *s++;
            }
        }
        char *next = *s ? s + 1 : s;
        *out = 0;
        if (n < max) words[n++] = start;
        s = next;
    }
    return n;
}

static char cmdline[4096];
static bool cmdline_too_long;

void kmain(uint32_t magic, uint32_t info);
void kmain(uint32_t magic, uint32_t info) {
    /* paint the stack below us, to measure its high-water mark */
    {
        uint64_t *p = (uint64_t *)(void *)boot_stack_bottom;
        uint64_t *me = (uint64_t *)__builtin_frame_address(0) - 64;
        while (p < me) *p++ = 0xA5A5A5A5A5A5A5A5ull;
    }
    cpu_init();
    serial_init();
    outb(0x2F8 + 7, 0xAE);
    com2 = inb(0x2F8 + 7) == 0xAE;
    if (com2) {
        outb(0x2F8 + 3, 0x80); outb(0x2F8, 1); outb(0x2F8 + 1, 0); outb(0x2F8 + 3, 0x03); outb(0x2F8 + 2, 0xC7);
    }
    cpu_sti();
    if (magic != 0x2BADB002) kpanic("not started by a multiboot loader");
    clock_init();
    uint32_t flags = rd32(info);
    /* memory: everything usable above the kernel, its modules and strings */
    uint64_t reserved = (uint64_t)(uintptr_t)_end;
    if (flags & (1 << 2)) {
        const char *c = (const char *)(uintptr_t)rd32(info + 16);
        size_t n = kstrlen(c);
        if (n >= sizeof cmdline) { n = sizeof cmdline - 1; cmdline_too_long = true; }
        for (size_t i = 0; i < n; i++) cmdline[i] = c[i];
        cmdline[n] = 0;
    }
    uint32_t nmods = flags & (1 << 3) ? rd32(info + 20) : 0, mods = rd32(info + 24);
    for (uint32_t i = 0; i < nmods; i++) {
        uint64_t end = rd32(mods + 16 * i + 4);
        const char *s = (const char *)(uintptr_t)rd32(mods + 16 * i + 8);
        uint64_t send = (uint64_t)(uintptr_t)s + kstrlen(s) + 1;
        if (end > reserved) reserved = end;
        if (send > reserved && send < 0x100000000ull) reserved = send;
    }
    if (!(flags & (1 << 6))) kpanic("the boot loader gave no memory map");
    uint64_t mmap = rd32(info + 48), mmap_end = mmap + rd32(info + 44);
    for (uint64_t e = mmap; e < mmap_end; e += rd32(e) + 4) {
        uint64_t base = rd64(e + 4), len = rd64(e + 12);
        uint32_t type = rd32(e + 20);
        if (type != 1) continue;
        uint64_t start = base, end = base + len;
        if (end > 0x100000000ull) end = 0x100000000ull;   /* the identity map covers 4 GiB */
        if (start < reserved) start = (reserved + 4095) & ~4095ull;
        if (start < 0x100000) start = 0x100000;
        if (end > start) mem_add_region(start, end);
    }
    /* the RAM disk: each module, named by its string's first word */
    for (uint32_t i = 0; i < nmods; i++) {
        uint64_t start = rd32(mods + 16 * i), end = rd32(mods + 16 * i + 4);
        char name[256];
        const char *s = (const char *)(uintptr_t)rd32(mods + 16 * i + 8);
        size_t k = 0;
        while (s[k] && s[k] != ' ' && k < sizeof name - 1) { name[k] = s[k]; k++; }
        name[k] = 0;
        if (ramdisk_add(name, (const uint8_t *)(uintptr_t)start, (size_t)(end - start)))
            kprintf("pith-metal: cannot add module %s to the RAM disk\n", name);
    }
    /* the command line: QEMU passes the kernel's path first, which may hold
     * spaces; the runner starts its part with the word "--" */
    char *words[MAX_ARGS + 8];
    int nw = split(cmdline, words, MAX_ARGS + 8), w = nw > 0 ? 1 : 0;
    for (int i = 0; i < nw; i++)
        if (kstreq(words[i], "--")) { w = i + 1; break; }
    if (cmdline_too_long || nw > MAX_ARGS) { kputs("pith-metal: the command line is too long\n"); kexit(64); }
    bool list_pci = false;
    for (; w < nw && words[w][0] == '-' && words[w][1] == '-'; w++) {
        if (kstreq(words[w], "--tty")) serial_cooked = true;
        else if (kstreq(words[w], "--pci")) list_pci = true;
        else if (kstreq(words[w], "--mem")) want_mem = true;
        else if (kstreq(words[w], "--stack")) want_stack = true;
        else if (kstreq(words[w], "--fault")) {
            /* for the tests: touch the stack's guard page, as an overflow would */
            *(volatile uint64_t *)(void *)(boot_stack_guard + 4096 - 8) = 1;
        }
        else { kprintf("pith-metal: unknown option %s\n", words[w]); kexit(64); }
    }
    for (; w < nw; w++) {
        const char *eq = words[w];
        while (*eq && *eq != '=' && *eq != '/') eq++;
        if (*eq != '=' || eq == words[w]) break;
        if (nenv >= MAX_ENV) { kputs("pith-metal: too many NAME=VALUE words\n"); kexit(64); }
        env[nenv++] = words[w];
    }
    pci_scan();
    if (list_pci) {
        for (int i = 0; i < pci_count(); i++) {
            const pci_device *d = pci_get(i);
            kprintf("pci %u:%u.%u %x:%x class %x.%x irq %u\n", d->bus, d->dev, d->fn, d->vendor, d->device, d->class_code,
                    d->subclass, d->irq);
        }
        kexit(0);
    }
    const char *program = w < nw ? words[w] : 0;
    args[nargs++] = program ? program : "pith";
    for (int i = w + 1; i < nw && nargs < MAX_ARGS; i++) args[nargs++] = words[i];
    serial_on_interrupt_key = on_ctrl_c;

    pith_options opts;
    __builtin_memset(&opts, 0, sizeof opts);
    opts.size = sizeof opts;
    opts.max_compile_depth = (STACK_SIZE - 96 * 1024) / 700;   /* the compiler takes about 700 bytes of C stack a level */
    pith_status s;
    char err[300];
    pith_vm *vm = pith_open(&host, &opts, &s, err, sizeof err);
    if (!vm) {
        kprintf("pith-metal: cannot start: %s\n", err);
        kexit(EXIT_ERROR);
    }
    the_vm = vm;
    s = program ? pith_run_program(vm, program) : pith_repl(vm);
    int status = 0;
    if (s == PITH_EXIT) status = pith_exit_status(vm);
    else if (s == PITH_ERROR) {
        const char *r = pith_error_report(vm);
        h_write(0, PITH_CONSOLE_ERR, (const uint8_t *)r, kstrlen(r));
        status = EXIT_ERROR;
    } else if (s != PITH_OK) {
        kprintf("pith-metal: internal failure (status %d)\n", (int)s);
        status = EXIT_ERROR;
    }
    the_vm = 0;
    pith_close(vm);
    kexit(status);
}
