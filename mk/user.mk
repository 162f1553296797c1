# User space: libferrous (user/lib) and every program under user/.
#
# A directory user/NAME with a main.c is a program called NAME, built from
# every .c and .S file in that directory and linked statically against
# libferrous at 0x400000 (user/lib/user.ld): text R+X, rodata R, data and
# bss R+W, each in its own page-aligned segment, so no segment is both
# writable and executable (checked after every link). Stripped copies of the
# programs go into the ramdisk under their names (mk/image.mk).

USER_OUT := $(OUT)/user
USER_OBJ := $(USER_OUT)/obj
USER_LIB := $(USER_OUT)/libferrous.a

# User code may use x87, SSE and AVX: the kernel keeps each thread's
# registers across switches (ADR 0007). The baseline target (SSE2) is what
# the compiler emits; a program may use more after checking CPUID.
USER_CFLAGS := --target=x86_64-unknown-none-elf -std=c17 -ffreestanding \
	-nostdinc -isystem $(CLANG_RESOURCE)/include \
	-fno-pic -fno-pie -mno-red-zone -fstack-protector-strong \
	-fno-omit-frame-pointer -fno-common -fno-strict-aliasing \
	-fno-asynchronous-unwind-tables \
	-O2 -g $(WARNINGS) -Iinclude -Iuser/lib/include -Ikernel/lib -Ibench -DFE_USER=1
USER_ASFLAGS := --target=x86_64-unknown-none-elf -g -Wa,--fatal-warnings \
	-Iinclude -Iuser/lib/include -DFE_USER=1 -D__ASSEMBLY__

USER_LDSCRIPT := user/lib/user.ld
USER_LDFLAGS  := -nostdlib -static -z max-page-size=4096 -z noexecstack \
	--no-dynamic-linker --build-id=none --fatal-warnings -T $(USER_LDSCRIPT)

# libferrous: user/lib plus the pure kernel libraries, compiled again here
# with the user flags (never copied). crt0 is linked into each program
# directly, so _start is always there; the rest is an archive, so a
# program only carries the parts it uses.
USER_SHARED_SRCS := kernel/lib/string.c kernel/lib/fmt.c kernel/lib/elf.c kernel/lib/cpio.c
USER_CRT0        := $(USER_OBJ)/user/lib/crt0.S.o
USER_LIB_SRCS    := $(filter-out user/lib/crt0.S,$(sort $(wildcard user/lib/*.c user/lib/*.S))) \
	$(USER_SHARED_SRCS)
USER_LIB_OBJS    := $(patsubst %,$(USER_OBJ)/%.o,$(USER_LIB_SRCS))

USER_PROGRAMS := $(sort $(patsubst user/%/main.c,%,$(wildcard user/*/main.c)))
USER_PROGRAMS := $(filter-out lib,$(USER_PROGRAMS))
USER_ELFS     := $(patsubst %,$(USER_OUT)/%.elf,$(USER_PROGRAMS))
# What mk/image.mk packs into the ramdisk: one stripped file per program.
USER_STAGED   := $(patsubst %,$(USER_OUT)/initrd/%,$(USER_PROGRAMS))

# The objects of program $(1).
user_prog_objs = $(patsubst %,$(USER_OBJ)/%.o,$(sort $(wildcard user/$(1)/*.c user/$(1)/*.S)))
USER_PROG_OBJS := $(foreach p,$(USER_PROGRAMS),$(call user_prog_objs,$(p)))
USER_ALL_OBJS  := $(USER_CRT0) $(USER_LIB_OBJS) $(USER_PROG_OBJS)

$(USER_OBJ)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (user)"
	$(Q)$(CC) $(USER_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(USER_OBJ)/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $< (user)"
	$(Q)$(CC) $(USER_ASFLAGS) $(DEPFLAGS) -c $< -o $@

# D: deterministic members (no dates, owners or modes).
$(USER_LIB): $(USER_LIB_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && llvm-ar rcsD $@ $^

# Fails the link if any loadable segment is both writable and executable
# (readelf prints flags as three columns, R W E, before the alignment).
user_check_wx = if readelf -lW $(1) | grep -Eq '^ *LOAD .* [R ]WE 0x'; then \
	echo "$(1): a segment is both writable and executable" >&2; rm -f $(1); exit 1; fi

define user_program_rule
$(USER_OUT)/$(1).elf: $(USER_CRT0) $(call user_prog_objs,$(1)) $(USER_LIB) $(USER_LDSCRIPT)
	@echo "  LD      $$@"
	$(Q)$(LD) $(USER_LDFLAGS) -o $$@ $(USER_CRT0) $(call user_prog_objs,$(1)) $(USER_LIB)
	$(Q)$$(call user_check_wx,$$@)
endef
$(foreach p,$(USER_PROGRAMS),$(eval $(call user_program_rule,$(p))))

# The ramdisk copy: no debug info; the symbol table stays for fault reports.
$(USER_OUT)/initrd/%: $(USER_OUT)/%.elf
	@mkdir -p $(dir $@)
	$(Q)$(OBJCOPY) --strip-debug $< $@

.PHONY: user
user: $(USER_ELFS) $(USER_STAGED)

# A change of the flags above rebuilds user space.
$(USER_ALL_OBJS): mk/user.mk

-include $(USER_ALL_OBJS:.o=.d)
