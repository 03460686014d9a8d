/* cpu.c -- interrupts: the IDT, the 8259 PICs (remapped to vectors 32-47),
 * the PIT as a TICK_HZ timer, and the dispatcher every interrupt enters
 * (boot.S).  Built with -mgeneral-regs-only: interrupt code never touches
 * the vector registers, which the interrupted code (the core's floating
 * point) may be using; the entry stubs save only the general registers.
 * SPDX-License-Identifier: MIT
 */
#include "metal.h"

typedef struct idt_entry {
    uint16_t off0, sel;
    uint8_t ist, type;
    uint16_t off1;
    uint32_t off2, zero;
} __attribute__((packed)) idt_entry;

typedef struct isr_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error, rip, cs, rflags, rsp, ss;
} isr_frame;

extern const uint64_t isr_table[48];
static idt_entry idt[48];
static struct { irq_handler fn; void *ctx; } irqs[16];
volatile uint64_t timer_ticks;

static const char *const exception_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range", "invalid opcode",
    "device not available", "double fault", "coprocessor segment", "invalid TSS", "segment not present",
    "stack fault", "general protection fault", "page fault", "reserved", "x87 floating-point error",
    "alignment check", "machine check", "SIMD floating-point error", "virtualization", "control protection",
    "reserved", "reserved", "reserved", "reserved", "reserved", "reserved", "hypervisor injection",
    "VMM communication", "security", "reserved"};

static void pic_eoi(int irq) {
    if (irq >= 8) outb(0xA0, 0x20);
    outb(0x20, 0x20);
}

void isr_dispatch(isr_frame *f) {
    if (f->vector < 32) {
        uint64_t cr2;
        __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
        kprintf("\npith-metal: CPU exception %lu (%s), error code %lx, at rip %lx, rsp %lx, cr2 %lx\n",
                (unsigned long)f->vector, exception_names[f->vector], (unsigned long)f->error,
                (unsigned long)f->rip, (unsigned long)f->rsp, (unsigned long)cr2);
        if (cr2 >= (uint64_t)(uintptr_t)boot_stack_guard && cr2 < (uint64_t)(uintptr_t)boot_stack_bottom)
            kputs("pith-metal: the kernel stack overflowed\n");
        kpanic("CPU exception");
    }
    int irq = (int)f->vector - 32;
    if (irq == 0) timer_ticks++;
    if (irq == 7 || irq == 15) {
        /* spurious: the PIC's in-service bit says whether it was real */
        outb(irq == 7 ? 0x20 : 0xA0, 0x0B);
        if (!(inb(irq == 7 ? 0x20 : 0xA0) & 0x80)) {
            if (irq == 15) outb(0x20, 0x20);
            return;
        }
    }
    if (irqs[irq].fn) irqs[irq].fn(irqs[irq].ctx);
    pic_eoi(irq);
}

static void set_gate(int v, uint64_t addr) {
    idt[v].off0 = (uint16_t)addr;
    idt[v].sel = 0x08;
    idt[v].ist = 0;
    idt[v].type = 0x8E;   /* present, ring 0, interrupt gate (interrupts off inside) */
    idt[v].off1 = (uint16_t)(addr >> 16);
    idt[v].off2 = (uint32_t)(addr >> 32);
    idt[v].zero = 0;
}

static uint8_t mask1 = 0xFF, mask2 = 0xFF;

void irq_register(int irq, irq_handler h, void *ctx) {
    if (irq < 0 || irq > 15) return;
    uint64_t rflags;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(rflags) : : "memory");
    irqs[irq].fn = h;
    irqs[irq].ctx = ctx;
    if (irq < 8) mask1 &= (uint8_t)~(1 << irq);
    else { mask2 &= (uint8_t)~(1 << (irq - 8)); mask1 &= (uint8_t)~(1 << 2); }
    outb(0x21, mask1);
    outb(0xA1, mask2);
    if (rflags & 0x200) cpu_sti();   /* interrupts as they were */
}

/* A GDT with a TSS whose first interrupt stack takes double faults, page
 * faults and stack faults, so that overflowing the kernel stack into its
 * guard page is reported instead of resetting the machine. */
static struct tss {
    uint32_t r0;
    uint64_t rsp[3], r1, ist[7], r2;
    uint16_t r3, iomap;
} __attribute__((packed)) tss;
static uint8_t fault_stack[16384] __attribute__((aligned(16)));
static uint64_t gdt[5];
static uint64_t guard_pt[512] __attribute__((aligned(4096)));

static void gdt_init(void) {
    tss.ist[0] = (uint64_t)(uintptr_t)(fault_stack + sizeof fault_stack);
    tss.iomap = sizeof tss;
    uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof tss - 1;
    gdt[0] = 0;
    gdt[1] = 0x00AF9A000000FFFFull;
    gdt[2] = 0x00CF92000000FFFFull;
    gdt[3] = (limit & 0xFFFF) | (base & 0xFFFFFF) << 16 | 0x89ull << 40 | ((limit >> 16) & 0xF) << 48 | ((base >> 24) & 0xFF) << 56;
    gdt[4] = base >> 32;
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr = {sizeof gdt - 1, (uint64_t)(uintptr_t)gdt};
    __asm__ volatile("lgdt %0" : : "m"(gdtr));
    __asm__ volatile("ltr %w0" : : "r"(0x18));
    /* the 2 MiB page holding the guard page becomes 4 KiB pages */
    uint64_t g = (uint64_t)(uintptr_t)boot_stack_guard, big = g & ~((1ull << 21) - 1);
    for (int i = 0; i < 512; i++) guard_pt[i] = (big + ((uint64_t)i << 12)) | 3;
    guard_pt[(g - big) >> 12] = 0;
    boot_pd[big >> 21] = (uint64_t)(uintptr_t)guard_pt | 3;
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3) : : "memory");
}

void cpu_init(void) {
    gdt_init();
    for (int v = 0; v < 48; v++) set_gate(v, isr_table[v]);
    idt[8].ist = idt[12].ist = idt[14].ist = 1;
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr = {sizeof idt - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
    /* PICs: vectors 32-39 and 40-47, cascaded on IRQ 2, 8086 mode */
    outb(0x20, 0x11); outb(0xA0, 0x11);
    outb(0x21, 32);   outb(0xA1, 40);
    outb(0x21, 4);    outb(0xA1, 2);
    outb(0x21, 1);    outb(0xA1, 1);
    outb(0x21, mask1); outb(0xA1, mask2);
    /* PIT channel 0: rate generator at TICK_HZ */
    uint16_t div = (uint16_t)(1193182 / TICK_HZ);
    outb(0x43, 0x34);
    outb(0x40, (uint8_t)div);
    outb(0x40, (uint8_t)(div >> 8));
    irq_register(0, 0, 0);
}
