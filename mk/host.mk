# Host-side checks of the kernel's pure logic: cmocka unit tests under
# ASan + UBSan, and libFuzzer targets for every parser of untrusted bytes.
#
# A unit test is tests/host/test_<name>.c; a fuzzer is tests/fuzz/fuzz_<name>.c.
# Each lists the sources it exercises in HOST_SRCS_<name> (below): pure
# kernel files, or libferrous's (user/lib) pure parsers; those are compiled
# into the test binary with the host's toolchain.

HOST_OUT := $(BUILD)/host

HOST_CFLAGS := -std=c17 -g -O1 -fno-omit-frame-pointer $(WARNINGS) $(INCLUDES) \
	-Itests/host -DFE_HOST_TEST=1 -D_GNU_SOURCE
HOST_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SAN    := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

# Sources under test, per test or fuzzer name.
HOST_SRCS_elf      := kernel/lib/elf.c
HOST_SRCS_cpio     := kernel/lib/cpio.c
HOST_SRCS_acpi     := kernel/acpi/acpi.c kernel/acpi/dmar.c
HOST_SRCS_boot_info  := kernel/core/boot_info_check.c
HOST_SRCS_buddy      := kernel/mm/buddy.c
HOST_SRCS_cmdline    := kernel/lib/cmdline.c
HOST_SRCS_fmt        := kernel/lib/fmt.c
HOST_SRCS_slab       := kernel/mm/slab.c
HOST_SRCS_trace_ring := kernel/trace/ring.c
HOST_SRCS_cspace     := kernel/cap/cspace.c
HOST_SRCS_sched_policy := kernel/sched/policy.c
HOST_SRCS_numa       := kernel/mm/numa.c kernel/lib/fmt.c
HOST_SRCS_manifest   := user/lib/manifest.c user/lib/manifest_value.c user/lib/manifest_order.c \
	kernel/lib/fmt.c
HOST_SRCS_pci        := kernel/pci/config.c
HOST_SRCS_virtio     := user/lib/virtio.c
HOST_SRCS_dmar_scope := kernel/pci/dmar_scope.c
HOST_SRCS_console_ring := kernel/core/console_ring.c kernel/lib/fmt.c
HOST_SRCS_block_check := user/lib/block_check.c
HOST_SRCS_trace_stream := user/traced/stream.c

# Extra flags per test or fuzzer: test_fmt passes deliberately malformed formats;
# the manifest parser is libferrous code, which reaches the pure kernel
# libraries as "fmt.h" and "string.h" (-iquote: <string.h> stays the C
# library's), and its test reads the ramdisk's initrd/services.
HOST_CFLAGS_fmt := -Wno-format
HOST_CFLAGS_manifest := -Iuser/lib/include -iquote kernel/lib -DFE_SOURCE_ROOT='"$(CURDIR)"'
# The virtio transport is libferrous code too; its system calls are the test's stubs.
HOST_CFLAGS_virtio := -Iuser/lib/include -iquote kernel/lib
# The block driver's checks of its client's ring are libferrous code, pure.
HOST_CFLAGS_block_check := -Iuser/lib/include
# The trace exporter's framing and cursor (user/traced/stream.c), pure.
HOST_CFLAGS_trace_stream := -Iuser/traced

HOST_TESTS := $(patsubst tests/host/test_%.c,%,$(wildcard tests/host/test_*.c))
FUZZERS    := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

HOST_TEST_BINS := $(addprefix $(HOST_OUT)/test_,$(HOST_TESTS))
FUZZ_BINS      := $(addprefix $(HOST_OUT)/fuzz_,$(FUZZERS))

# Every header a test or fuzzer might include: over-broad, but the binaries
# are small, and one link per source list cannot produce a usable -MMD file.
HOST_HDRS := $(shell find include kernel tests/host user/lib user/traced -name '*.h')

$(HOST_OUT)/test_%: tests/host/test_%.c $$(HOST_SRCS_$$*) $(HOST_HDRS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(CC) $(HOST_CFLAGS) $(HOST_CFLAGS_$*) $(HOST_SAN) -MJ $@.json -o $@ $< $(HOST_SRCS_$*) \
		-lcmocka -lpthread

$(HOST_OUT)/fuzz_%: tests/fuzz/fuzz_%.c $$(HOST_SRCS_$$*) $(HOST_HDRS)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(CC) $(HOST_CFLAGS) $(HOST_CFLAGS_$*) $(FUZZ_SAN) -MJ $@.json -o $@ $< $(HOST_SRCS_$*)

.PHONY: host-tests host-tests-run fuzzers fuzz-smoke fuzz fuzz-seeds
host-tests: $(HOST_TEST_BINS)
fuzzers: $(FUZZ_BINS)

# Runs every host test binary, TAP on stdout; fails if any test fails.
host-tests-run: $(HOST_TEST_BINS)
	@st=0; for t in $(HOST_TEST_BINS); do \
		CMOCKA_MESSAGE_OUTPUT=TAP $$t || st=1; \
	done; exit $$st

# ---- libFuzzer runs ----
#
# Each fuzzer starts from its checked-in seeds, tests/fuzz/corpus/<name>/
# (regenerate with `make fuzz-seeds`), which it only reads: what it discovers
# goes to a corpus directory under build/, listed first so libFuzzer writes
# there, and crash inputs go to build/host/fuzz/artifacts/<name>/. A crash
# is replayed with `build/host/fuzz_<name> <artifact>`.
#
#   make fuzz-smoke     short deterministic runs (fixed seed and run count,
#                       fresh corpus each time); part of the test suite
#   make fuzz           longer runs, FUZZ_SECONDS each, corpus kept between runs
FUZZ_OUT         := $(HOST_OUT)/fuzz
FUZZ_SMOKE_RUNS  ?= 100000
FUZZ_SECONDS     ?= 60
FUZZ_MAX_LEN     ?= 16384

fuzz_flags = -artifact_prefix=$(FUZZ_OUT)/artifacts/$*/ -print_final_stats=1 \
	-max_len=$(FUZZ_MAX_LEN) $(if $(wildcard tests/fuzz/$*.dict),-dict=tests/fuzz/$*.dict)

# Runs $(1) with its output in $(2); prints one summary line, or the log on failure.
fuzz_run = mkdir -p $(FUZZ_OUT)/artifacts/$* && \
	if $(1) >$(2) 2>&1; then \
		echo "$@: ok: $$(grep -o 'number_of_executed_units: [0-9]*' $(2) | cut -d' ' -f2) runs," \
		     "$$(grep -o 'cov: [0-9]*' $(2) | tail -1)"; \
	else \
		tail -n 60 $(2); echo "$@: FAILED (full log: $(2))"; exit 1; \
	fi

fuzz-smoke: $(addprefix fuzz-smoke-,$(FUZZERS))
fuzz: $(addprefix fuzz-long-,$(FUZZERS))

.PHONY: $(addprefix fuzz-smoke-,$(FUZZERS)) $(addprefix fuzz-long-,$(FUZZERS))
$(addprefix fuzz-smoke-,$(FUZZERS)): fuzz-smoke-%: $(HOST_OUT)/fuzz_%
	@rm -rf $(FUZZ_OUT)/smoke/$* && mkdir -p $(FUZZ_OUT)/smoke/$*
	@$(call fuzz_run,$< $(fuzz_flags) -seed=1 -runs=$(FUZZ_SMOKE_RUNS) \
		$(FUZZ_OUT)/smoke/$* tests/fuzz/corpus/$*,$(FUZZ_OUT)/smoke-$*.log)

$(addprefix fuzz-long-,$(FUZZERS)): fuzz-long-%: $(HOST_OUT)/fuzz_%
	@mkdir -p $(FUZZ_OUT)/corpus/$*
	@$(call fuzz_run,$< $(fuzz_flags) -max_total_time=$(FUZZ_SECONDS) \
		$(FUZZ_OUT)/corpus/$* tests/fuzz/corpus/$*,$(FUZZ_OUT)/long-$*.log)

# Rewrites the checked-in seed corpora (deterministic output).
fuzz-seeds:
	$(PYTHON) tests/fuzz/make_seeds.py tests/fuzz/corpus
