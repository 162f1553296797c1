# The commands people type: run, debug, test, loadtest, fuzz-sys, faults, compdb, loc.

MEM ?= 512M
SMP ?= 2

.PHONY: run debug test loadtest fuzz-sys faults compdb loc

# The devices `make run` gives the default manifest's drivers (initrd/services:
# blk and net start only where their device is): a scratch disk of
# RUN_DISK_MIB as a modern virtio-blk device, and a modern virtio-net NIC on
# QEMU's user-mode network (slirp). DEVICES=0 boots without them.
DEVICES      ?= 1
RUN_DISK     ?= $(BUILD)/run-disk.img
RUN_DISK_MIB ?= 16
RUN_DEVICES  := -drive file=$(RUN_DISK),if=none,id=disk0,format=raw \
	-device virtio-blk-pci,drive=disk0,disable-legacy=on \
	-netdev user,id=net0 -device virtio-net-pci,netdev=net0,disable-legacy=on,romfile=

# COM2's stream from the trace exporter (user/traced): decode it with
# tools/trace.py (docs/tracing.md). TRACE_OUT= (empty) gives no second UART.
TRACE_OUT    ?= $(BUILD)/trace.bin

$(RUN_DISK):
	@mkdir -p $(dir $@)
	@echo "  DISK    $@ ($(RUN_DISK_MIB) MiB, for make run's virtio-blk)"
	$(Q)truncate -s $(RUN_DISK_MIB)M $@

# Boots Ferrous on this terminal (Ctrl-A X quits).
run: $(if $(filter 1,$(DEVICES)),$(RUN_DISK))
	$(Q)$(MAKE) --no-print-directory image
	$(Q)$(PYTHON) tools/qemu.py run --esp $(ESP_IMAGE) --mem $(MEM) --smp $(SMP) \
		$(if $(TRACE_OUT),--trace-out $(TRACE_OUT)) \
		$(if $(filter 1,$(DEVICES)),--extra $(RUN_DEVICES))

# QEMU halted with its gdb server; gdb attached with the kernel's symbols,
# stopped at kernel_main.
debug:
	$(Q)$(MAKE) --no-print-directory image
	$(Q)$(PYTHON) tools/qemu.py debug --esp $(ESP_IMAGE) --kernel $(KERNEL_ELF) --mem $(MEM) --smp $(SMP)

# Everything: host tests, fuzz smoke runs, boot scenarios. Last line: "N passed, N failed".
test:
	$(Q)$(MAKE) --no-print-directory CONFIG=debug kernel loader host-tests fuzzers $(BUILD)/debug/initrd.cpio
	$(Q)$(PYTHON) tools/testrun.py $(TESTFLAGS)

# The whole suite under load: ROUNDS rounds of two test runs side by side.
loadtest:
	$(Q)$(MAKE) --no-print-directory CONFIG=debug kernel loader host-tests fuzzers $(BUILD)/debug/initrd.cpio
	$(Q)tools/loadtest.sh

# The long system-call fuzzing run (1,000,000 calls, debug kernel, -smp 2); not part of
# `make test`. SYSFUZZ_SEED=S repeats a run; the log is build/test/sysfuzz-long/serial.log.
fuzz-sys: deps
	$(Q)$(MAKE) --no-print-directory CONFIG=debug kernel loader $(BUILD)/debug/initrd.cpio
	$(Q)$(PYTHON) tools/testrun.py --skip-host --skip-fuzz --include-off --only boot/sysfuzz-long -v

# The long crash campaign: FAULTS_CRASHES (default 1,000) crashes of echo and the
# virtio-blk driver in one boot under load in the guest and on the host (a second
# QEMU); not part of `make test`. FAULTSFLAGS="--no-load" leaves the host alone. The
# log is build/faults/faults/serial.log.
FAULTSFLAGS ?=
faults: deps
	$(Q)$(MAKE) --no-print-directory CONFIG=debug kernel loader $(BUILD)/debug/initrd.cpio
	$(Q)$(PYTHON) tools/faults.py $(FAULTSFLAGS)

# compile_commands.json for clangd, from the fragments clang wrote with -MJ.
compdb: kernel loader host-tests
	@echo "  COMPDB  compile_commands.json"
	$(Q)(echo '['; find $(BUILD) -name '*.json' -path '*.o.json' -o -name 'test_*.json' -o -name 'fuzz_*.json' | \
		LC_ALL=C sort | xargs cat | sed '$$ s/,[[:space:]]*$$//'; echo ']') > compile_commands.json

# Line counts: privileged code, and the raw (arch) share DESIGN section 0 bounds at 5%.
loc:
	@tools/loc.sh
