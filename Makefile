# Ferrous: top-level build. `make help` lists the targets.
#
# Non-recursive: every part's rules live in mk/*.mk and are included here, so
# one make process sees the whole dependency graph.

.DEFAULT_GOAL := all
.SECONDEXPANSION:
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

include mk/config.mk

# Every goal but these needs Debian packages (clang, QEMU, OVMF, gnu-efi, cmocka,
# ...): tools/deps.sh installs what is missing before any rule runs, whatever the
# goal, so each documented target works on a fresh machine. It checks a machine
# that has everything in milliseconds; sub-makes inherit FE_DEPS_CHECKED.
NO_DEPS_GOALS := help clean deps loc
ifneq ($(if $(MAKECMDGOALS),$(filter-out $(NO_DEPS_GOALS),$(MAKECMDGOALS)),all),)
ifndef FE_DEPS_CHECKED
$(shell tools/deps.sh 1>&2)
ifneq ($(.SHELLSTATUS),0)
$(error tools/deps.sh could not install the packages the build needs (see above))
endif
export FE_DEPS_CHECKED := 1
endif
endif
include mk/host.mk
include mk/kernel.mk
include mk/check.mk
include mk/boot.mk
include mk/user.mk
include mk/image.mk
include mk/run.mk
include mk/bench.mk

.PHONY: all help deps clean
all: kernel loader user

help:
	@echo "make run     build everything and boot Ferrous in QEMU (serial on this terminal)"
	@echo "make test    host unit tests, fuzz smoke runs and QEMU boot tests; ends 'N passed, N failed'"
	@echo "make bench   Ferrous (release) vs Linux in the same QEMU: table + bench/results/*.json (BENCH_RUNS=5,"
	@echo "             BENCH_SETS=smp1,smp2,smp2mt,blk,restart; restart: the supervisor's restart time)"
	@echo "make debug   boot with QEMU's gdb stub and attach gdb with the kernel's symbols"
	@echo "make check   clang-tidy, cppcheck and the raw-code lint"
	@echo "make fuzz    longer libFuzzer runs of every parser"
	@echo "make fuzz-sys  1,000,000 structured system calls in QEMU (sysfuzz; SYSFUZZ_SEED=S)"
	@echo "make faults  1,000 injected crashes of echo and virtio-blk in one boot, under load (FAULTS_CRASHES=N)"
	@echo "make compdb  compile_commands.json for clangd"
	@echo "make loc     line counts: kernel, kernel/arch, raw-code share, drivers in user space"
	@echo "CONFIG=release selects the release kernel (no UBSan, no in-kernel tests)"

# Installs missing Debian packages (QEMU, OVMF, mtools, cmocka, ...).
deps:
	@tools/deps.sh

clean:
	rm -rf $(BUILD)
