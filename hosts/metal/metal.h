/* metal.h -- the x86-64 unikernel host (hosts/metal): shared declarations.
 * SPDX-License-Identifier: MIT
 */
#ifndef METAL_H
#define METAL_H

#define STACK_SIZE (2048 * 1024)  /* the one kernel stack (boot.S) */

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* ---- port I/O and CPU ---- */
static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint64_t rdtsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return (uint64_t)hi << 32 | lo; }
static inline void cpu_cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void cpu_sti(void) { __asm__ volatile("sti" ::: "memory"); }
/* Enable interrupts and halt until one arrives (atomically: no wake-up is
 * lost between the check before and the halt). */
static inline void cpu_sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }

/* ---- strings (no C library) ---- */
static inline size_t kstrlen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }
static inline bool kstreq(const char *a, const char *b) { while (*a && *a == *b) a++, b++; return *a == *b; }

/* ---- boot.S ---- */
extern char boot_stack_guard[], boot_stack_bottom[], boot_stack_top[];
extern uint64_t boot_pd[2048];

/* ---- interrupts (cpu.c, compiled without vector registers) ---- */
typedef void (*irq_handler)(void *ctx);
void cpu_init(void);                          /* GDT+TSS, IDT, PIC, PIT at TICK_HZ,
                                                 the stack's guard page */
void irq_register(int irq, irq_handler h, void *ctx);  /* and unmask it */
extern volatile uint64_t timer_ticks;
#define TICK_HZ 1000

/* ---- serial console (serial.c) ---- */
void serial_init(void);
void serial_putc(uint8_t c);
void serial_write(const uint8_t *s, size_t n);
void serial_puts(const char *s);
long serial_read(uint8_t *buf, size_t n);     /* bytes, 0 none, -1 EOF (^D) */
bool serial_ready(void);
extern void (*serial_on_interrupt_key)(void); /* ^C */
extern bool serial_cooked;                    /* echo and edit lines */

/* ---- clocks (clock.c) ---- */
void clock_init(void);
int64_t clock_monotonic(void);                /* ns since boot */
int64_t clock_wall(void);                     /* ns since 1970 */
uint64_t clock_tsc_hz(void);

/* ---- memory (memory.c) ---- */
void mem_add_region(uint64_t start, uint64_t end);
void *mem_alloc(size_t size);                 /* 16-aligned, or NULL */
void mem_free(void *p, size_t size);
size_t mem_total(void), mem_free_bytes(void);

/* ---- RAM disk (ramdisk.c) ---- */
int ramdisk_add(const char *name, const uint8_t *data, size_t size);
struct pith_host_storage;
extern const struct pith_host_storage ramdisk_storage;

/* ---- PCI and drivers (pci.c) ---- */
typedef struct pci_device {
    uint8_t bus, dev, fn, irq;
    uint16_t vendor, device;
    uint8_t class_code, subclass, prog_if;
    uint32_t bar[6];
} pci_device;
typedef struct pci_driver {
    const char *name;
    uint16_t vendor, device;   /* 0xffff: any */
    int (*probe)(pci_device *d);
} pci_driver;
int pci_scan(void);                           /* the number of functions found */
int pci_count(void);
const pci_device *pci_get(int i);
void pci_register_driver(const pci_driver *drv);
uint32_t pci_read32(const pci_device *d, uint8_t off);
void pci_write32(const pci_device *d, uint8_t off, uint32_t v);

/* ---- the kernel (kernel.c) ---- */
void kputs(const char *s);
void kprintf(const char *fmt, ...);
_Noreturn void kexit(int status);             /* via isa-debug-exit */
_Noreturn void kpanic(const char *msg);
#define PANIC_STATUS 113                      /* exit status of a panic */
#endif
#endif
