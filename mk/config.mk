# Toolchain and flags shared by every part of the build.
#
# CONFIG selects the kernel build:
#   debug   (default; `make run`, `make test`): UBSan runtime, poison-on-free,
#           assertions and the in-kernel KTAP suites compiled in.
#   release (`make bench`): none of those.
CONFIG ?= debug
BUILD  ?= build
OUT    := $(BUILD)/$(CONFIG)

CC      := clang
LD      := ld.lld
OBJCOPY := llvm-objcopy
PYTHON  := python3

# V=1 shows full command lines.
V ?= 0
ifeq ($(V),1)
Q :=
else
Q := @
endif

CLANG_RESOURCE := $(shell $(CC) -print-resource-dir)

# Warnings every C file in the project builds with.
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wvla -Wstrict-prototypes \
            -Wmissing-prototypes -Wimplicit-fallthrough -Wundef \
            -Wthread-safety

# -MJ writes one compilation-database fragment per object: `make compdb` joins
# them into compile_commands.json for clangd.
DEPFLAGS = -MMD -MP -MJ $@.json

INCLUDES := -Iinclude -Ikernel -Ikernel/arch/x86_64/include
