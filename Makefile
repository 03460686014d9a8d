# Pith -- GNU Makefile.  `make` builds build/pith, build/libpith.a and
# build/libpith.so with nothing but gcc (or clang: CC=clang) and make.
#
#   make            build everything
#   make run        build, then start the REPL
#   make test       build and run every test (see tests/README.md)
#   make install PREFIX=/usr/local
#   make clean

CC ?= cc
ifeq ($(CC),cc)
CC := gcc
endif
AR ?= ar
PREFIX ?= /usr/local
BUILD ?= build

WARN := -Wall -Wextra -Werror
BASEFLAGS := -std=gnu11 $(WARN) -ffp-contract=off -fno-strict-aliasing
OPT ?= -O2 -g
# The core is freestanding (DESIGN.md): no libc headers, no builtins that
# are not on the allow-list.
CORE_FLAGS := $(BASEFLAGS) $(OPT) -ffreestanding -fPIC
HOST_FLAGS := $(BASEFLAGS) $(OPT) -D_GNU_SOURCE -fPIC
SANFLAGS :=

CORE_SRC := $(sort $(wildcard src/core/*.c))
CORE_HDR := $(wildcard src/core/*.h src/core/*.def include/*.h include/pith/*.h)
SCHEME_SRC := src/scheme/boot0.scm src/scheme/prelude.scm src/scheme/expand.scm \
              src/scheme/derived.scm src/scheme/base.scm src/scheme/library.scm src/scheme/srfi.scm src/scheme/repl.scm
POSIX_SRC := hosts/posix/host.c hosts/posix/lineedit.c
POSIX_HDR := hosts/posix/posix_host.h hosts/posix/lineedit.h

CORE_OBJ := $(patsubst src/core/%.c,$(BUILD)/core/%.o,$(CORE_SRC))
POSIX_OBJ := $(patsubst hosts/posix/%.c,$(BUILD)/posix/%.o,$(POSIX_SRC))

.PHONY: all run test bench install clean check-freestanding unit scheme-tests cli-tests

all: $(BUILD)/pith $(BUILD)/libpith.a $(BUILD)/libpith.so $(BUILD)/pith.pc

$(BUILD)/core/%.o: src/core/%.c $(CORE_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_FLAGS) $(SANFLAGS) -c $< -o $@

$(BUILD)/posix/%.o: hosts/posix/%.c $(POSIX_HDR) include/pith/host.h include/pith.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_FLAGS) $(SANFLAGS) -c $< -o $@

$(BUILD)/tools/%.o: tools/%.c $(CORE_HDR) $(POSIX_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_FLAGS) $(SANFLAGS) -c $< -o $@

# The boot image: the Scheme side, compiled at build time.
$(BUILD)/mkboot: $(BUILD)/tools/mkboot.o $(BUILD)/tools/boot_none.o $(CORE_OBJ) $(POSIX_OBJ)
	$(CC) $(SANFLAGS) $^ -lm -o $@

# RUN: how to run a program built here (e.g. RUN=qemu-s390x for a cross
# build; tests/cross/run.sh).
RUN ?=
$(BUILD)/boot.img: $(BUILD)/mkboot $(SCHEME_SRC)
	$(RUN) $(BUILD)/mkboot $@ $(SCHEME_SRC)

$(BUILD)/boot_image.o: $(BUILD)/boot.img tools/boot_image.S
	$(CC) -c -fPIC -DBOOT_IMAGE='"$(BUILD)/boot.img"' tools/boot_image.S -o $@

$(BUILD)/lib/boot_image.o: src/lib/boot_image.c include/pith.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_FLAGS) $(SANFLAGS) -c $< -o $@

LIB_OBJ := $(CORE_OBJ) $(BUILD)/boot_image.o $(BUILD)/lib/boot_image.o

$(BUILD)/libpith.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/libpith.so: $(LIB_OBJ)
	$(CC) -shared $(SANFLAGS) $^ -lm -o $@

$(BUILD)/pith: $(BUILD)/posix/main.o $(POSIX_OBJ) $(BUILD)/libpith.a
	$(CC) $(SANFLAGS) $(BUILD)/posix/main.o $(POSIX_OBJ) $(BUILD)/libpith.a -lm -o $@

$(BUILD)/pith.pc: tools/pith.pc.in Makefile
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(shell sed -n 's/.*PITH_VERSION_STRING "\(.*\)"/\1/p' include/pith.h)|g' $< > $@

run: $(BUILD)/pith
	$(BUILD)/pith

# Timings against the peer Schemes installed here (not part of `make test`).
bench: $(BUILD)/pith
	bench/deps.sh
	bench/compare.sh $(BUILD)/pith
	bench/run.sh $(BUILD)/pith

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/pith $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(BUILD)/pith $(DESTDIR)$(PREFIX)/bin/pith
	install -m 644 $(BUILD)/libpith.a $(DESTDIR)$(PREFIX)/lib/libpith.a
	install -m 755 $(BUILD)/libpith.so $(DESTDIR)$(PREFIX)/lib/libpith.so
	install -m 644 include/pith.h $(DESTDIR)$(PREFIX)/include/pith.h
	install -m 644 include/pith/host.h $(DESTDIR)$(PREFIX)/include/pith/host.h
	install -m 644 $(BUILD)/pith.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/pith.pc

clean:
	rm -rf build build-asan build-s390x build-aarch64 build-fuzz

include tests/tests.mk
include hosts/metal/metal.mk
include bindings/ocaml/ocaml.mk
