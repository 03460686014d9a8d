/* clock.c -- the monotonic clock from the TSC, calibrated against the PIT
 * (channel 2, gated through port 0x61) at boot; the wall clock from the
 * CMOS real-time clock read once at boot, advanced by the TSC.
 * SPDX-License-Identifier: MIT
 */
#include "metal.h"

static uint64_t tsc_hz, tsc_boot;
static int64_t wall_boot;   /* ns since 1970 at tsc_boot */

static uint8_t cmos(uint8_t reg) {
    outb(0x70, reg);
    return inb(0x71);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t rtc_read(void) {
    uint8_t r[7], again[7];
    for (int tries = 0; tries < 10; tries++) {
        for (int spins = 0; (cmos(0x0A) & 0x80) && spins < 1000000; spins++) {}
        static const uint8_t regs[7] = {0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32};
        for (int i = 0; i < 7; i++) r[i] = cmos(regs[i]);
        for (int spins = 0; (cmos(0x0A) & 0x80) && spins < 1000000; spins++) {}
        for (int i = 0; i < 7; i++) again[i] = cmos(regs[i]);
        int same = 1;
        for (int i = 0; i < 7; i++) same &= r[i] == again[i];
        if (same) break;
    }
    uint8_t b = cmos(0x0B);
    int pm = r[2] & 0x80;
    r[2] &= 0x7F;
    if (!(b & 0x04))   /* BCD */
        for (int i = 0; i < 7; i++) r[i] = (uint8_t)((r[i] & 0x0F) + (r[i] >> 4) * 10);
    int hour = r[2];
    if (!(b & 0x02)) hour = hour % 12 + (pm ? 12 : 0);   /* 12-hour clock */
    int century = r[6] >= 19 && r[6] <= 30 ? r[6] : 20;
    int64_t year = century * 100 + r[5];
    int64_t days = days_from_civil(year, r[4] ? r[4] : 1, r[3] ? r[3] : 1);
    return ((days * 24 + hour) * 60 + r[1]) * 60 + r[0];
}

void clock_init(void) {
    /* 50 ms of PIT channel 2, counted in TSC ticks */
    uint8_t gate = inb(0x61);
    outb(0x61, (uint8_t)((gate & ~0x02) | 0x01));
    outb(0x43, 0xB0);                 /* channel 2, lo/hi byte, mode 0 */
    uint16_t count = 1193182 / 20;
    outb(0x42, (uint8_t)count);
    outb(0x42, (uint8_t)(count >> 8));
    uint64_t t0 = rdtsc();
    for (uint64_t spins = 0; !(inb(0x61) & 0x20) && spins < 100000000; spins++) {}
    uint64_t t1 = rdtsc();
    outb(0x61, gate);
    tsc_hz = (t1 - t0) * 20;
    if (tsc_hz < 1000000) tsc_hz = 1000000000;   /* no PIT: assume 1 GHz */
    tsc_boot = rdtsc();
    wall_boot = rtc_read() * 1000000000;
}

uint64_t clock_tsc_hz(void) { return tsc_hz; }

int64_t clock_monotonic(void) {
    uint64_t d = rdtsc() - tsc_boot;
    return (int64_t)((unsigned __int128)d * 1000000000u / tsc_hz);
}

int64_t clock_wall(void) { return wall_boot + clock_monotonic(); }
