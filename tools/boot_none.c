/* boot_none.c -- the boot image stand-in for mkboot, which makes the image.
 * SPDX-License-Identifier: MIT
 */
#include "../include/pith.h"

const void *pith_boot_image(size_t *size) {
    if (size) *size = 0;
    return 0;
}
