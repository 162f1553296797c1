# User space: libferrous (user/lib) and every program under user/ (a
# directory with a main.c is a program named after the directory). Programs
# are static ELF files linked at 0x400000 with separate R, R+X and R+W
# segments (W^X); stripped copies go into the ramdisk under their names.

USER_OUT := $(OUT)/user
USER_CFLAGS := --target=x86_64-unknown-none-elf -std=c17 -ffreestanding \
	-nostdinc -isystem $(CLANG_RESOURCE)/include \
	-fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only -fstack-protector-strong \
	-fno-omit-frame-pointer -fno-common -fno-asynchronous-unwind-tables \
	-O2 -g $(WARNINGS) -Iinclude -Iuser/lib/include -Ikernel/lib -DFE_USER=1
USER_ASFLAGS := --target=x86_64-unknown-none-elf -g -Iinclude -D__ASSEMBLY__
USER_LDSCRIPT := user/lib/user.ld
USER_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack \
	--no-dynamic-linker --build-id=none -T $(USER_LDSCRIPT)

# The pure kernel libraries user space shares (compiled again, never copied).
USER_SHARED_SRCS := kernel/lib/string.c kernel/lib/fmt.c kernel/lib/elf.c kernel/lib/cpio.c
USER_LIB_SRCS := $(sort $(wildcard user/lib/*.c user/lib/*.S)) $(USER_SHARED_SRCS)
USER_LIB_OBJS := $(patsubst %,$(USER_OUT)/obj/%.o,$(USER_LIB_SRCS))

USER_PROGRAMS := $(sort $(patsubst user/%/main.c,%,$(wildcard user/*/main.c)))
USER_ELFS := $(patsubst %,$(USER_OUT)/%.elf,$(USER_PROGRAMS))
USER_STAGED := $(patsubst %,$(USER_OUT)/initrd/%,$(USER_PROGRAMS))

$(USER_OUT)/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(USER_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(USER_OUT)/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(USER_ASFLAGS) $(DEPFLAGS) -c $< -o $@

# One program: its own sources, then the library.
user_objs = $(patsubst %,$(USER_OUT)/obj/%.o,$(sort $(wildcard user/$(1)/*.c user/$(1)/*.S)))
$(USER_OUT)/%.elf: $$(call user_objs,$$*) $(USER_LIB_OBJS) $(USER_LDSCRIPT)
	@echo "  LD      $@"
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $(filter %.o,$^)

$(USER_OUT)/initrd/%: $(USER_OUT)/%.elf
	@mkdir -p $(dir $@)
	$(Q)$(OBJCOPY) --strip-debug $< $@

.PHONY: user
user: $(USER_ELFS)

-include $(shell find $(USER_OUT)/obj -name '*.d' 2>/dev/null)
