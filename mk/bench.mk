# `make bench`: Ferrous (release build) against Linux in the same QEMU
# machine (bench/README.md). Not part of `make test`: benchmarks are not tests.
#
# BENCH_RUNS: rounds of timed boots (10 boots a round); the median
# over the rounds is what the table shows. BENCH_SETS: only these
# configurations (comma-separated: smp1,smp2,smp2mt,blk,restart).

BENCH_RUNS ?= 5
BENCH_SETS ?=
BENCH_FLAGS ?=
BENCH_OUT := $(BUILD)/bench

# The Linux side's /init: static, glibc, the project's warnings less the
# clang-only ones (this is gcc).
BENCH_INIT_CFLAGS := -std=gnu17 -O2 -static -pthread -Wall -Wextra -Werror -Wshadow -Wvla \
	-Wstrict-prototypes -Wmissing-prototypes -Wimplicit-fallthrough -Wundef
BENCH_INIT_SRCS := $(wildcard bench/linux/*.c)

$(BENCH_OUT)/init: $(BENCH_INIT_SRCS) bench/linux/lbench.h bench/workloads.h mk/bench.mk
	@mkdir -p $(dir $@)
	@echo "  GCC     $@ (Linux, static)"
	$(Q)gcc $(BENCH_INIT_CFLAGS) -o $@ $(BENCH_INIT_SRCS)

# The modules the blk rows load (bench/linux/fetch.sh), once fetched.
BENCH_MODULES := $(wildcard $(BENCH_OUT)/linux/modules/order)

$(BENCH_OUT)/initramfs.cpio: $(BENCH_OUT)/init bench/initramfs.py $(BENCH_MODULES)
	@echo "  CPIO    $@"
	$(Q)$(PYTHON) bench/initramfs.py $@ $< $(dir $(BENCH_MODULES))

.PHONY: bench
bench:
	$(Q)bench/linux/fetch.sh $(BENCH_OUT)/linux
	$(Q)$(MAKE) --no-print-directory CONFIG=release kernel loader $(BUILD)/release/initrd.cpio
	$(Q)$(MAKE) --no-print-directory $(BENCH_OUT)/initramfs.cpio
	$(Q)$(PYTHON) bench/bench.py --runs $(BENCH_RUNS) $(if $(BENCH_SETS),--sets $(BENCH_SETS)) $(BENCH_FLAGS)
