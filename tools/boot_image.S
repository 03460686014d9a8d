/* boot_image.S -- links the boot image (build/boot.img) into libpith and
 * defines pith_boot_image() to return it.  SPDX-License-Identifier: MIT */
    .section .rodata
    .balign 16
    .globl pith_boot_image_data
pith_boot_image_data:
    .incbin BOOT_IMAGE
pith_boot_image_end:
    .balign 8
    .globl pith_boot_image_size
pith_boot_image_size:
    .quad pith_boot_image_end - pith_boot_image_data
    .section .note.GNU-stack,"",%progbits
