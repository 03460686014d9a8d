# tests/tests.mk -- `make test`: every suite on the normal build, then again
# under ASan + UBSan with GC stress (heavy tests scaled down), then the
# freestanding check.  Each suite prints "N passed, M failed" last; the
# summary at the end counts suites.  See tests/README.md.

UNIT_NAMES := test_api test_verify test_char test_flonum test_lineedit test_posix_host
SCHEME_TESTS := $(sort $(wildcard tests/scheme/*.scm))
SCHEME_TESTS := $(filter-out tests/scheme/framework.scm,$(SCHEME_TESTS))
ASAN_BUILD := build-asan
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# Unit tests link the core objects (or libpith), the POSIX host, and libc.
$(BUILD)/tests/test_api: tests/unit/test_api.c $(BUILD)/libpith.a $(POSIX_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_FLAGS) $(SANFLAGS) -Iinclude $< $(POSIX_OBJ) $(BUILD)/libpith.a -lm -o $@
$(BUILD)/tests/test_verify: tests/unit/test_verify.c $(BUILD)/libpith.a $(POSIX_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_FLAGS) $(SANFLAGS) -Iinclude $< $(POSIX_OBJ) $(BUILD)/libpith.a -lm -o $@
$(BUILD)/tests/test_char: tests/unit/test_char.c $(BUILD)/core/char.o
	@mkdir -p $(dir $@)
	$(CC) $(HOST_FLAGS) $(SANFLAGS) -Isrc/core $^ -o $@
$(BUILD)/tests/test_flonum: tests/unit/test_flonum.c $(BUILD)/core/flonum.o
	@mkdir -p $(dir $@)
	$(CC) $(HOST_FLAGS) $(SANFLAGS) -Isrc/core $^ -lm -o $@
$(BUILD)/tests/test_lineedit: tests/unit/test_lineedit.c $(BUILD)/posix/lineedit.o
	@mkdir -p $(dir $@)
	$(CC) $(HOST_FLAGS) $(SANFLAGS) -Iinclude $^ -o $@
$(BUILD)/tests/test_posix_host: tests/unit/test_posix_host.c $(POSIX_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_FLAGS) $(SANFLAGS) -Iinclude $^ -o $@
$(BUILD)/examples/embed: examples/embed.c $(BUILD)/libpith.a
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(OPT) $(SANFLAGS) -Iinclude $< $(BUILD)/libpith.a -lm -o $@

UNIT_BINS := $(addprefix $(BUILD)/tests/,$(UNIT_NAMES))

# SCALE: nonempty in the sanitizer pass, to shrink heavy tests.
SCALE ?=

.PHONY: test test-deps test-suites test-sanitizers test-unit test-scheme test-cli test-examples test-compat test-freestanding test-cross test-fuzz test-metal test-ocaml

test: test-deps all
	@rm -f $(BUILD)/test-summary
	@$(MAKE) --no-print-directory test-suites BUILD=$(BUILD)
	@$(MAKE) --no-print-directory test-sanitizers
	@$(MAKE) --no-print-directory test-freestanding
	@$(MAKE) --no-print-directory test-cross
	@$(MAKE) --no-print-directory test-metal
	@$(MAKE) --no-print-directory test-ocaml
	@$(MAKE) --no-print-directory test-fuzz
	@tools/test-summary.sh $(BUILD)/test-summary $(ASAN_BUILD)/test-summary

test-deps:
	@tools/test-deps.sh

test-suites: test-unit test-scheme test-cli test-examples test-compat

test-unit: $(UNIT_BINS)
	@tools/run-suite.sh $(BUILD) unit/test_api $(BUILD)/tests/test_api $(if $(SCALE),8)
	@tools/run-suite.sh $(BUILD) unit/test_verify $(BUILD)/tests/test_verify
	@tools/run-suite.sh $(BUILD) unit/test_char $(BUILD)/tests/test_char
	@tools/run-suite.sh $(BUILD) unit/test_flonum $(BUILD)/tests/test_flonum $(if $(SCALE),20000)
	@tools/run-suite.sh $(BUILD) unit/test_lineedit $(BUILD)/tests/test_lineedit
	@tools/run-suite.sh $(BUILD) unit/test_posix_host $(BUILD)/tests/test_posix_host

test-scheme: $(BUILD)/pith
	@tools/run-suite.sh $(BUILD) scheme $(BUILD)/pith tests/run.scm $(SCHEME_TESTS)

test-cli: $(BUILD)/pith
	@tools/run-suite.sh $(BUILD) cli bash tests/cli/run.sh $(BUILD)/pith

test-examples: $(BUILD)/examples/embed
	@tools/run-suite.sh $(BUILD) examples bash tests/examples.sh $(BUILD)/examples/embed

test-compat: $(BUILD)/pith
	@tools/run-suite.sh $(BUILD) compat bash tests/compat/run.sh $(BUILD)/pith

# The same suites under ASan + UBSan, with a collection at every
# allocation, scaled down.
test-sanitizers:
	@$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) OPT="-O1 -g" SANFLAGS="$(ASAN_FLAGS)" all $(addprefix $(ASAN_BUILD)/tests/,$(UNIT_NAMES)) $(ASAN_BUILD)/examples/embed
	@rm -f $(ASAN_BUILD)/test-summary
	@PITH_GC_STRESS=1 PITH_TEST_SCALE=small ASAN_OPTIONS=detect_leaks=0 \
	  $(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) OPT="-O1 -g" SANFLAGS="$(ASAN_FLAGS)" SCALE=small \
	    test-unit test-scheme test-cli test-examples test-compat

# Images across architectures: s390x and aarch64 builds under qemu-user.
test-cross: $(BUILD)/pith
	@tools/run-suite.sh $(BUILD) cross bash tests/cross/run.sh $(BUILD)/pith

# The unikernel under QEMU (hosts/metal, tests/metal/run.sh).
test-metal: $(BUILD)/pith $(BUILD)/pith-metal.elf
	@tools/run-suite.sh $(BUILD) metal bash tests/metal/run.sh $(BUILD)

test-freestanding: $(CORE_OBJ)
	@tools/run-suite.sh $(BUILD) unicode-tables tools/check-unicode.sh
	@tools/run-suite.sh $(BUILD) freestanding bash -c 'tools/check-freestanding.sh $(CORE_OBJ) && tools/check-freestanding.sh --self-test && echo "2 passed, 0 failed"'

# ---- fuzzing (tests/fuzz): libFuzzer harnesses built with clang ----
FUZZ_BUILD := build-fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_TIME ?= 1800
FUZZ_HARNESSES := $(FUZZ_BUILD)/fuzz_image $(FUZZ_BUILD)/fuzz_read $(FUZZ_BUILD)/fuzz_bytecode

.PHONY: fuzz fuzz-build test-fuzz
fuzz-build:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang OPT="-O1 -g" \
	  SANFLAGS="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" $(FUZZ_BUILD)/libpith.a
	@$(MAKE) --no-print-directory $(FUZZ_HARNESSES)

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_host.h $(FUZZ_BUILD)/libpith.a
	clang -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer $< $(FUZZ_BUILD)/libpith.a -lm -o $@

# make fuzz: run each harness for FUZZ_TIME seconds (default 30 minutes),
# adding what it finds to the corpora in tests/fuzz/corpus/.
fuzz: fuzz-build
	@mkdir -p tests/fuzz/corpus/image tests/fuzz/corpus/read tests/fuzz/corpus/bytecode
	$(FUZZ_BUILD)/fuzz_image -max_total_time=$(FUZZ_TIME) -max_len=1200000 -timeout=20 tests/fuzz/corpus/image
	$(FUZZ_BUILD)/fuzz_bytecode -max_total_time=$(FUZZ_TIME) -max_len=512 -timeout=20 tests/fuzz/corpus/bytecode
	$(FUZZ_BUILD)/fuzz_read -max_total_time=$(FUZZ_TIME) -max_len=4096 -timeout=20 tests/fuzz/corpus/read

# make test: replay the committed corpora once (deterministic).
test-fuzz: fuzz-build
	@tools/run-suite.sh $(BUILD) fuzz bash tests/fuzz/replay.sh $(FUZZ_BUILD)
