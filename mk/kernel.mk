# The kernel: a freestanding ELF64 linked in the higher half.

KERNEL_ELF      := $(OUT)/kernel.elf
# What goes on the ESP: debug info stripped, symbol table kept for backtraces.
KERNEL_BOOT_ELF := $(OUT)/kernel.boot.elf

KERNEL_CFLAGS := --target=x86_64-unknown-none-elf -std=c17 -ffreestanding \
	-nostdinc -isystem $(CLANG_RESOURCE)/include \
	-mno-red-zone -mcmodel=kernel -fno-pic -fno-pie -mgeneral-regs-only \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-fstack-protector-strong -fno-common -fno-strict-aliasing \
	-fno-asynchronous-unwind-tables \
	-O2 -g $(WARNINGS) $(INCLUDES) -DFE_KERNEL=1

ifeq ($(CONFIG),debug)
# The UBSan runtime is ours (kernel/lib/ubsan.c): every report panics with file:line.
KERNEL_CFLAGS += -DFE_DEBUG=1 -fsanitize=undefined -fno-sanitize-recover=all \
	-fno-sanitize=function
else ifeq ($(CONFIG),release)
KERNEL_CFLAGS += -DFE_DEBUG=0
else
$(error CONFIG must be debug or release, not $(CONFIG))
endif

KERNEL_ASFLAGS := --target=x86_64-unknown-none-elf -g $(INCLUDES) -DFE_KERNEL=1 -D__ASSEMBLY__

KERNEL_LDSCRIPT := kernel/arch/x86_64/kernel.ld
KERNEL_LDFLAGS  := -nostdlib -static -z max-page-size=4096 -z noexecstack \
	--no-dynamic-linker --build-id=none -T $(KERNEL_LDSCRIPT)

# Every .c/.S under kernel/; the *_test.c suites only in debug builds.
KERNEL_ALL_SRCS := $(shell find kernel -name '*.c' -o -name '*.S' | LC_ALL=C sort)
KERNEL_TEST_SRCS := $(filter %_test.c,$(KERNEL_ALL_SRCS))
ifeq ($(CONFIG),debug)
KERNEL_SRCS := $(KERNEL_ALL_SRCS)
else
KERNEL_SRCS := $(filter-out $(KERNEL_TEST_SRCS),$(KERNEL_ALL_SRCS))
endif
KERNEL_OBJS := $(patsubst %,$(OUT)/%.o,$(KERNEL_SRCS))

$(OUT)/kernel/%.c.o: kernel/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(OUT)/kernel/%.S.o: kernel/%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KERNEL_ASFLAGS) $(DEPFLAGS) -c $< -o $@

$(KERNEL_ELF): $(KERNEL_OBJS) $(KERNEL_LDSCRIPT)
	@echo "  LD      $@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS)

$(KERNEL_BOOT_ELF): $(KERNEL_ELF)
	$(Q)$(OBJCOPY) --strip-debug $< $@

.PHONY: kernel
kernel: $(KERNEL_BOOT_ELF)

-include $(KERNEL_OBJS:.o=.d)

# The UBSan runtime and the stack protector must not check themselves.
$(OUT)/kernel/lib/ubsan.c.o: KERNEL_CFLAGS += -fno-sanitize=all -Wno-unused-parameter
$(OUT)/kernel/lib/stack_protector.c.o: KERNEL_CFLAGS += -fno-stack-protector
