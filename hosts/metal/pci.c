/* pci.c -- the driver layer: PCI enumeration through configuration
 * mechanism #1 (ports 0xCF8/0xCFC), a table of the functions found, and a
 * registry of drivers matched by vendor and device ID.  A driver's probe
 * gets the device (BARs, and the legacy IRQ line the firmware routed, which
 * irq_register then unmasks on the PIC).  Virtio drivers (block, network,
 * framebuffer, input) register here in later work; today none is needed,
 * and `pith-metal --pci` lists what was found.
 * SPDX-License-Identifier: MIT
 */
#include "metal.h"

#define MAX_DEVICES 64
#define MAX_DRIVERS 16

static pci_device devices[MAX_DEVICES];
static int ndevices;
static const pci_driver *drivers[MAX_DRIVERS];
static int ndrivers;

static uint32_t cfg_read(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off) {
    outl(0xCF8, 0x80000000u | (uint32_t)bus << 16 | (uint32_t)dev << 11 | (uint32_t)fn << 8 | (off & 0xFC));
    return inl(0xCFC);
}

static void cfg_write(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, uint32_t v) {
    outl(0xCF8, 0x80000000u | (uint32_t)bus << 16 | (uint32_t)dev << 11 | (uint32_t)fn << 8 | (off & 0xFC));
    outl(0xCFC, v);
}

uint32_t pci_read32(const pci_device *d, uint8_t off) { return cfg_read(d->bus, d->dev, d->fn, off); }
void pci_write32(const pci_device *d, uint8_t off, uint32_t v) { cfg_write(d->bus, d->dev, d->fn, off, v); }

static void probe(pci_device *d) {
    for (int i = 0; i < ndrivers; i++) {
        const pci_driver *drv = drivers[i];
        if ((drv->vendor == 0xFFFF || drv->vendor == d->vendor) && (drv->device == 0xFFFF || drv->device == d->device) &&
            drv->probe(d) == 0)
            return;
    }
}

int pci_scan(void) {
    ndevices = 0;
    for (int bus = 0; bus < 256; bus++)
        for (int dev = 0; dev < 32; dev++) {
            uint32_t id = cfg_read((uint8_t)bus, (uint8_t)dev, 0, 0);
            if ((id & 0xFFFF) == 0xFFFF) continue;
            uint32_t hdr = cfg_read((uint8_t)bus, (uint8_t)dev, 0, 0x0C);
            int nfn = (hdr >> 16) & 0x80 ? 8 : 1;
            for (int fn = 0; fn < nfn && ndevices < MAX_DEVICES; fn++) {
                id = cfg_read((uint8_t)bus, (uint8_t)dev, (uint8_t)fn, 0);
                if ((id & 0xFFFF) == 0xFFFF) continue;
                pci_device *d = &devices[ndevices++];
                d->bus = (uint8_t)bus;
                d->dev = (uint8_t)dev;
                d->fn = (uint8_t)fn;
                d->vendor = (uint16_t)id;
                d->device = (uint16_t)(id >> 16);
                uint32_t cls = cfg_read(d->bus, d->dev, d->fn, 0x08);
                d->class_code = (uint8_t)(cls >> 24);
                d->subclass = (uint8_t)(cls >> 16);
                d->prog_if = (uint8_t)(cls >> 8);
                for (int b = 0; b < 6; b++) d->bar[b] = cfg_read(d->bus, d->dev, d->fn, (uint8_t)(0x10 + 4 * b));
                d->irq = (uint8_t)cfg_read(d->bus, d->dev, d->fn, 0x3C);
                probe(d);
            }
        }
    return ndevices;
}

int pci_count(void) { return ndevices; }
const pci_device *pci_get(int i) { return i >= 0 && i < ndevices ? &devices[i] : 0; }

void pci_register_driver(const pci_driver *drv) {
    if (ndrivers < MAX_DRIVERS) drivers[ndrivers++] = drv;
}
