# The initial ramdisk and the EFI system partition image for `make run`.

INITRD     := $(OUT)/initrd.cpio
ESP_IMAGE  := $(OUT)/esp.img
# The kernel command line for `make run`; e.g. make run CMDLINE="loglevel=debug".
CMDLINE    ?=

INITRD_FILES := $(shell find initrd -type f | LC_ALL=C sort)

# The checked-in initrd/ files plus every user program (mk/user.mk), staged
# in one directory; a program and a checked-in file of the same name is an
# error. Sorted names, owner 0:0, fixed modes and times, renumbered inodes:
# the same inputs give the same bytes (cpio's --reproducible alone keeps the
# files' times).
INITRD_STAGE := $(OUT)/initrd.stage

$(INITRD): $(INITRD_FILES) $(USER_STAGED) mk/image.mk
	@mkdir -p $(dir $@)
	@echo "  CPIO    $@"
	$(Q)for f in $(notdir $(USER_STAGED)); do \
		if [ -e initrd/$$f ]; then echo "initrd/$$f: clashes with user program $$f" >&2; exit 1; fi; \
	done
	$(Q)rm -rf $(INITRD_STAGE) && mkdir -p $(INITRD_STAGE) && \
		cp -R initrd/. $(INITRD_STAGE)/ && cp $(USER_STAGED) $(INITRD_STAGE)/ && \
		chmod -R u=rwX,go=rX $(INITRD_STAGE) && \
		chmod 0755 $(addprefix $(INITRD_STAGE)/,$(notdir $(USER_STAGED))) && \
		find $(INITRD_STAGE) -exec touch -h -d @0 {} + && \
		cd $(INITRD_STAGE) && find . -mindepth 1 | LC_ALL=C sort | \
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
