/* boot.S -- the metal kernel's entry: a multiboot (version 1) header, the
 * 32-bit entry QEMU's -kernel jumps to, the switch to long mode, and the
 * interrupt entry stubs.
 *
 * The kernel is linked as x86-64 at 1 MiB and converted to an elf32-i386
 * container (QEMU's multiboot loader takes only 32-bit ELF files).  Entry
 * is in 32-bit protected mode with paging off, EAX = the multiboot magic and
 * EBX = the multiboot information.  We identity-map the first 4 GiB with
 * 2 MiB pages, enable PAE, long mode, paging and SSE, load a 64-bit GDT,
 * and call kmain(magic, info) on the boot stack (STACK_SIZE in metal.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include "metal.h"

    .section .multiboot, "a"
    .balign 4
    .long 0x1BADB002                    /* magic */
    .long 0x00000003                    /* flags: page-aligned modules, memory map */
    .long -(0x1BADB002 + 0x00000003)    /* checksum */

    .section .bss
    .balign 4096
pml4:   .skip 4096
pdpt:   .skip 4096
    .globl boot_pd
boot_pd:
pd:     .skip 4096 * 4
    /* The stack, with a guard page below it (cpu.c unmaps it). */
    .globl boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:
    .skip 4096
boot_stack_bottom:
    .skip STACK_SIZE
boot_stack_top:
mb_magic: .skip 4
mb_info:  .skip 4

    .section .rodata
    .balign 16
gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF            /* 0x08: 64-bit code */
    .quad 0x00CF92000000FFFF            /* 0x10: data */
gdt_end:
gdt_ptr:
    .word gdt_end - gdt - 1
    .quad gdt

    .section .text
    .code32
    .globl _start
_start:
    cli
    movl %eax, mb_magic
    movl %ebx, mb_info
    movl $boot_stack_top, %esp
    /* page tables: PML4[0] -> PDPT, PDPT[0..3] -> PD 0..3, 2 MiB pages */
    movl $pdpt, %eax
    orl $3, %eax
    movl %eax, pml4
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $12, %eax
    addl $pd, %eax
    orl $3, %eax
    movl %eax, pdpt(, %ecx, 8)
    incl %ecx
    cmpl $4, %ecx
    jne 1b
    xorl %ecx, %ecx
2:  movl %ecx, %eax
    shll $21, %eax
    orl $0x83, %eax                     /* present, writable, 2 MiB */
    movl %eax, pd(, %ecx, 8)
    movl %ecx, %eax
    shrl $11, %eax                      /* the high half: (i * 2 MiB) >> 32 */
    movl %eax, pd + 4(, %ecx, 8)
    incl %ecx
    cmpl $2048, %ecx
    jne 2b
    movl $pml4, %eax
    movl %eax, %cr3
    movl %cr4, %eax
    orl $(1 << 5) | (1 << 9) | (1 << 10), %eax   /* PAE, OSFXSR, OSXMMEXCPT */
    movl %eax, %cr4
    movl $0xC0000080, %ecx              /* EFER */
    rdmsr
    orl $(1 << 8), %eax                 /* long mode enable */
    wrmsr
    movl %cr0, %eax
    andl $~(1 << 2), %eax               /* no x87 emulation */
    orl $(1 << 31) | (1 << 1) | 1, %eax /* paging, monitor coprocessor, protection */
    movl %eax, %cr0
    lgdt gdt_ptr
    ljmp $0x08, $long_mode

    .code64
long_mode:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs
    movabsq $boot_stack_top, %rsp
    fninit
    subq $8, %rsp
    movl $0x1f80, (%rsp)                /* SSE: all exceptions masked */
    ldmxcsr (%rsp)
    addq $8, %rsp
    movl mb_magic(%rip), %edi
    movl mb_info(%rip), %esi
    call kmain
3:  cli
    hlt
    jmp 3b

/* Interrupt entry: every vector pushes (error code or 0) and its number,
 * then the general registers, and calls isr_dispatch(frame).  Handlers are
 * compiled with -mgeneral-regs-only, so the vector registers the
 * interrupted code uses (the core's doubles) are never touched. */
    .macro ISR_NOERR n
    .globl isr\n
isr\n:
    pushq $0
    pushq $\n
    jmp isr_common
    .endm
    .macro ISR_ERR n
    .globl isr\n
isr\n:
    pushq $\n
    jmp isr_common
    .endm

    ISR_NOERR 0
    ISR_NOERR 1
    ISR_NOERR 2
    ISR_NOERR 3
    ISR_NOERR 4
    ISR_NOERR 5
    ISR_NOERR 6
    ISR_NOERR 7
    ISR_ERR 8
    ISR_NOERR 9
    ISR_ERR 10
    ISR_ERR 11
    ISR_ERR 12
    ISR_ERR 13
    ISR_ERR 14
    ISR_NOERR 15
    ISR_NOERR 16
    ISR_ERR 17
    ISR_NOERR 18
    ISR_NOERR 19
    ISR_NOERR 20
    ISR_ERR 21
    ISR_NOERR 22
    ISR_NOERR 23
    ISR_NOERR 24
    ISR_NOERR 25
    ISR_NOERR 26
    ISR_NOERR 27
    ISR_NOERR 28
    ISR_ERR 29
    ISR_ERR 30
    ISR_NOERR 31
    .irp n, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
    ISR_NOERR \n
    .endr

isr_common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, %rdi
    cld
    call isr_dispatch
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp
    iretq

    .section .rodata
    .balign 8
    .globl isr_table
isr_table:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
    .quad isr\n
    .endr

    .section .note.GNU-stack,"",%progbits
