# The initial ramdisk and the EFI system partition image for `make run`.

INITRD     := $(OUT)/initrd.cpio
ESP_IMAGE  := $(OUT)/esp.img
# The kernel command line for `make run`; e.g. make run CMDLINE="loglevel=debug".
CMDLINE    ?=

INITRD_FILES := $(shell find initrd -type f | LC_ALL=C sort)

# The checked-in initrd/ files plus every user program, staged in one
# directory. Sorted names, fixed owner and times: same inputs, same bytes.
$(INITRD): $(INITRD_FILES) $(USER_STAGED) mk/image.mk
	@mkdir -p $(dir $@)
	@echo "  CPIO    $@"
	$(Q)rm -rf $(OUT)/initrd.stage && mkdir -p $(OUT)/initrd.stage && \
		cp -r initrd/. $(OUT)/initrd.stage/ && cp $(USER_STAGED) $(OUT)/initrd.stage/ && \
		cd $(OUT)/initrd.stage && find . -mindepth 1 | LC_ALL=C sort | \
		cpio --quiet -o -H newc --reproducible -R 0:0 > $(abspath $@)

# Rebuilt when the command line changes, too.
$(OUT)/cmdline.txt: FORCE
	@mkdir -p $(dir $@)
	@printf '%s' '$(CMDLINE)' | cmp -s - $@ 2>/dev/null || printf '%s' '$(CMDLINE)' > $@

$(ESP_IMAGE): $(LOADER_EFI) $(KERNEL_BOOT_ELF) $(INITRD) $(OUT)/cmdline.txt tools/mkesp.sh
	@echo "  ESP     $@"
	$(Q)tools/mkesp.sh $@ $(LOADER_EFI) $(KERNEL_BOOT_ELF) $(INITRD) "$$(cat $(OUT)/cmdline.txt)"

.PHONY: image FORCE
image: $(ESP_IMAGE)
FORCE:
