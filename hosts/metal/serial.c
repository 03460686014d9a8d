/* serial.c -- the console on COM1: output by polling, input by interrupt
 * (IRQ 4) into a ring buffer.  In cooked mode (an interactive terminal, the
 * runner's --tty) input is echoed and edited a line at a time (backspace,
 * ^U), ^C interrupts the running program, ^D on an empty line is the end of
 * input, and output newlines become CR LF.  Otherwise bytes pass as they
 * are, except ^C and ^D.  Built with -mgeneral-regs-only (interrupt code).
 * SPDX-License-Identifier: MIT
 */
#include "metal.h"

#define COM1 0x3F8
#define RING 4096

static volatile uint8_t ring[RING];
static volatile uint32_t ring_head, ring_tail;   /* written by the IRQ, read here */
static uint8_t line[1024];
static size_t line_len, line_ready;              /* cooked: a finished line */
static bool eof_pending;
bool serial_cooked;
void (*serial_on_interrupt_key)(void);

static volatile bool typing;   /* cooked: a line is being typed (bytes queued) */

static void on_irq(void *ctx) {
    (void)ctx;
    while (inb(COM1 + 5) & 1) {
        uint32_t next = (ring_head + 1) % RING;
        if (next == ring_tail) {
            /* full: leave the byte in the UART and stop its interrupt, so
             * the sender waits (ring_get turns it on again) */
            outb(COM1 + 1, 0x00);
            return;
        }
        uint8_t c = inb(COM1);
        if (c == 3 && !(serial_cooked && typing)) {
            /* ^C interrupts the program; while a line is being typed, it
             * only drops that line (cook) */
            if (serial_on_interrupt_key) serial_on_interrupt_key();
            continue;
        }
        if (serial_cooked) typing = c != '\r' && c != '\n' && c != 3;
        ring[ring_head] = c;
        ring_head = next;
    }
}

void serial_init(void) {
    outb(COM1 + 1, 0x00);        /* no interrupts while setting up */
    outb(COM1 + 3, 0x80);        /* divisor latch */
    outb(COM1 + 0, 0x01);        /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);        /* 8 bits, no parity, one stop bit */
    outb(COM1 + 2, 0x00);        /* no FIFO: enabling it (in QEMU) drops what
                                    arrived before, and one byte at a time
                                    keeps the sender waiting, not losing */
    outb(COM1 + 4, 0x0B);        /* DTR, RTS, OUT2 (routes the IRQ) */
    irq_register(4, on_irq, 0);
    outb(COM1 + 1, 0x01);        /* interrupt when data arrives */
}

void serial_putc(uint8_t c) {
    if (c == '\n' && serial_cooked) serial_putc('\r');
    for (int spins = 0; !(inb(COM1 + 5) & 0x20) && spins < 1000000; spins++) {}
    outb(COM1, c);
}

void serial_write(const uint8_t *s, size_t n) {
    for (size_t i = 0; i < n; i++) serial_putc(s[i]);
}

void serial_puts(const char *s) {
    while (*s) serial_putc((uint8_t)*s++);
}

static int ring_get(void) {
    if (ring_tail == ring_head) {
        outb(COM1 + 1, 0x01);   /* room again: take the UART's interrupt */
        return -1;
    }
    int c = ring[ring_tail];
    ring_tail = (ring_tail + 1) % RING;
    outb(COM1 + 1, 0x01);
    return c;
}

/* Cooked mode: consume typed bytes into the line; true when it is done. */
static bool cook(void) {
    int c;
    while (!line_ready && (c = ring_get()) >= 0) {
        if (c == '\r' || c == '\n') {
            serial_putc('\n');
            if (line_len < sizeof line) line[line_len++] = '\n';
            line_ready = line_len;
        } else if (c == 3) {                 /* ^C: drop the line */
            serial_puts("^C\n");
            line_len = 0;
        } else if (c == 4) {                 /* ^D */
            if (line_len == 0) eof_pending = true;
            return line_len == 0;
        } else if (c == 0x7F || c == 8) {
            if (line_len) {
                /* erase one UTF-8 character */
                do line_len--; while (line_len && (line[line_len] & 0xC0) == 0x80);
                serial_puts("\b \b");
            }
        } else if (c == 0x15) {              /* ^U */
            while (line_len) { line_len--; if ((line[line_len] & 0xC0) != 0x80) serial_puts("\b \b"); }
        } else if (c >= 0x20 || c == '\t') {
            if (line_len < sizeof line - 1) {
                line[line_len++] = (uint8_t)c;
                serial_putc((uint8_t)c);
            }
        }
    }
    return line_ready || eof_pending;
}

bool serial_ready(void) {
    if (serial_cooked) return cook();
    return ring_tail != ring_head || eof_pending;
}

long serial_read(uint8_t *buf, size_t n) {
    if (serial_cooked) {
        if (!cook()) return 0;
        if (eof_pending && !line_ready) { eof_pending = false; return -1; }
        size_t k = line_ready < n ? line_ready : n;
        for (size_t i = 0; i < k; i++) buf[i] = line[i];
        for (size_t i = k; i < line_len; i++) line[i - k] = line[i];
        line_len -= k;
        line_ready -= k;
        return (long)k;
    }
    if (eof_pending) { eof_pending = false; return -1; }
    size_t k = 0;
    int c;
    while (k < n && (c = ring_get()) >= 0) {
        if (c == 4) {
            if (k) { eof_pending = true; break; }
            return -1;
        }
        buf[k++] = (uint8_t)c;
    }
    return (long)k;
}
