# The UEFI loader (boot/): a PE/COFF EFI application, built with clang's
# Windows target and lld-link. Only gnu-efi's headers are used (ADR 0003);
# the loader shares the kernel's pure libraries (ELF checks, formatting,
# command-line parsing, string functions), compiled again with its flags.
#
# It does not depend on CONFIG: one loader boots debug and release kernels.

LOADER_OUT := $(BUILD)/boot
LOADER_EFI := $(LOADER_OUT)/BOOTX64.EFI

LOADER_SRCS := $(sort $(wildcard boot/*.c)) \
	kernel/lib/elf.c kernel/lib/fmt.c kernel/lib/cmdline.c kernel/lib/string.c
LOADER_OBJS := $(patsubst %,$(LOADER_OUT)/%.o,$(LOADER_SRCS))

# The gnu-efi headers are system headers: they trip -Wstrict-prototypes and -Wundef.
# -fno-ms-extensions: with _MSC_EXTENSIONS defined (the Windows target's default)
# gnu-efi's eficompiler.h turns __attribute__ into nothing, silently dropping
# noreturn, format and packing attributes from every file that includes it.
# The calling convention stays the Microsoft x64 one UEFI uses.
LOADER_CFLAGS := --target=x86_64-unknown-windows -fno-ms-extensions -std=c17 -ffreestanding \
	-nostdinc -isystem $(CLANG_RESOURCE)/include \
	-isystem /usr/include/efi -isystem /usr/include/efi/x86_64 \
	-fshort-wchar -mno-red-zone -fno-stack-protector -fno-strict-aliasing \
	-O2 $(WARNINGS) $(INCLUDES)

# -Brepro: no timestamp in the PE header, so equal sources give equal bytes.
LOADER_LDFLAGS := -subsystem:efi_application -entry:efi_main -nodefaultlib -Brepro

$(LOADER_OUT)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (loader)"
	$(Q)$(CC) $(LOADER_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(LOADER_EFI): $(LOADER_OBJS)
	@echo "  LD      $@"
	$(Q)lld-link $(LOADER_LDFLAGS) -out:$@ $(LOADER_OBJS)

.PHONY: loader
loader: $(LOADER_EFI)

# A change of the flags above rebuilds the loader.
$(LOADER_OBJS): mk/boot.mk

-include $(LOADER_OBJS:.o=.d)
