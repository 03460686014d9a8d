/* boot_image.c -- pith_boot_image(): the boot image linked into libpith
 * (tools/boot_image.S embeds build/boot.img).
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include "../../include/pith.h"

extern const unsigned char pith_boot_image_data[];
extern const uint64_t pith_boot_image_size;

const void *pith_boot_image(size_t *size) {
    if (size) *size = (size_t)pith_boot_image_size;
    return pith_boot_image_data;
}
