# hosts/metal/metal.mk -- the x86-64 unikernel (included by the Makefile).
#   make metal       build $(BUILD)/pith-metal.elf
#   make run-metal   boot it to the REPL on this terminal (QEMU, TCG)
# The same core sources as the pith command, compiled for a kernel: no red
# zone (interrupts push onto the interrupted stack), no PIC, no stack
# protector.  Math functions come from Debian's musl (libc.a, MIT), the
# compiler's helpers from libgcc.a, mem* from hosts/metal/libc.c.
METAL := $(BUILD)/metal
METAL_CC ?= gcc
METAL_FLAGS := -std=gnu11 $(WARN) -ffp-contract=off -fno-strict-aliasing -O2 -g -ffreestanding -fno-pic -fno-pie \
  -mno-red-zone -fno-stack-protector -fno-asynchronous-unwind-tables -fno-omit-frame-pointer
METAL_CORE_OBJ := $(patsubst src/core/%.c,$(METAL)/core/%.o,$(CORE_SRC))
METAL_HOST := kernel memory clock ramdisk pci
METAL_IRQ := cpu serial
METAL_OBJ := $(METAL)/boot.o $(addprefix $(METAL)/,$(addsuffix .o,$(METAL_HOST) $(METAL_IRQ))) $(METAL)/libc.o \
  $(METAL)/boot_image.o $(METAL)/lib_boot_image.o $(METAL_CORE_OBJ)
MUSL_LIBC := /usr/lib/x86_64-linux-musl/libc.a
METAL_HDR := hosts/metal/metal.h include/pith.h include/pith/host.h

.PHONY: metal run-metal
metal: $(BUILD)/pith-metal.elf

$(METAL)/core/%.o: src/core/%.c $(CORE_HDR)
	@mkdir -p $(dir $@)
	$(METAL_CC) $(METAL_FLAGS) -c $< -o $@
$(METAL)/boot.o: hosts/metal/boot.S hosts/metal/metal.h
	@mkdir -p $(dir $@)
	$(METAL_CC) -c $< -o $@
$(addprefix $(METAL)/,$(addsuffix .o,$(METAL_HOST))): $(METAL)/%.o: hosts/metal/%.c $(METAL_HDR)
	@mkdir -p $(dir $@)
	$(METAL_CC) $(METAL_FLAGS) -c $< -o $@
# interrupt code: general registers only (the interrupted code's vector
# registers are not saved)
$(addprefix $(METAL)/,$(addsuffix .o,$(METAL_IRQ))): $(METAL)/%.o: hosts/metal/%.c $(METAL_HDR)
	@mkdir -p $(dir $@)
	$(METAL_CC) $(METAL_FLAGS) -mgeneral-regs-only -c $< -o $@
$(METAL)/libc.o: hosts/metal/libc.c
	@mkdir -p $(dir $@)
	$(METAL_CC) $(METAL_FLAGS) -fno-builtin -fno-tree-loop-distribute-patterns -c $< -o $@
$(METAL)/boot_image.o: $(BUILD)/boot.img tools/boot_image.S
	@mkdir -p $(dir $@)
	$(METAL_CC) -c -DBOOT_IMAGE='"$(BUILD)/boot.img"' tools/boot_image.S -o $@
$(METAL)/lib_boot_image.o: src/lib/boot_image.c include/pith.h
	@mkdir -p $(dir $@)
	$(METAL_CC) $(METAL_FLAGS) -c $< -o $@
$(MUSL_LIBC):
	@echo "make metal needs Debian's musl-dev (its libc.a supplies the math functions): apt-get install musl-dev" >&2; exit 1

# Linked as x86-64, then put in an elf32-i386 container: QEMU's -kernel
# loads only 32-bit multiboot ELF files, and the entry code is 32-bit.
$(BUILD)/pith-metal.elf: $(METAL_OBJ) hosts/metal/link.ld $(MUSL_LIBC)
	$(METAL_CC) -nostdlib -static -no-pie -Wl,-T,hosts/metal/link.ld -Wl,-z,max-page-size=0x1000 -Wl,--gc-sections \
	  $(METAL_OBJ) $(MUSL_LIBC) $$($(METAL_CC) -print-libgcc-file-name) -o $(METAL)/pith-metal64.elf
	objcopy -O elf32-i386 $(METAL)/pith-metal64.elf $@

run-metal: $(BUILD)/pith-metal.elf
	hosts/metal/run --kernel $(BUILD)/pith-metal.elf
