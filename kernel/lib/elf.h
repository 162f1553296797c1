/* SPDX-License-Identifier: MIT */
/*
 * ELF64 reading for x86_64 executables: untrusted bytes in, checked facts out.
 *
 * Shared by the UEFI loader (the kernel image), the kernel (its own symbol
 * table for backtraces; user programs from the ramdisk) and the host tests and
 * fuzzer. Pure code: no allocation, no globals, and every header is copied out
 * of the byte buffer before it is read, so unaligned or truncated input can
 * never be dereferenced in place.
 */
#ifndef FERROUS_LIB_ELF_H
#define FERROUS_LIB_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferrous/errors.h>

/* On-disk layouts (System V gABI, ELF-64 Object File Format 1.5). */
struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type;
	uint16_t machine;
	uint32_t version;
	uint64_t entry;
	uint64_t phoff;
	uint64_t shoff;
	uint32_t flags;
	uint16_t ehsize;
	uint16_t phentsize;
	uint16_t phnum;
	uint16_t shentsize;
	uint16_t shnum;
	uint16_t shstrndx;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header layout");

struct elf64_phdr {
	uint32_t type;
	uint32_t flags;
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t align;
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header layout");

struct elf64_shdr {
	uint32_t name;
	uint32_t type;
	uint64_t flags;
	uint64_t addr;
	uint64_t offset;
	uint64_t size;
	uint32_t link;
	uint32_t info;
	uint64_t addralign;
	uint64_t entsize;
};
_Static_assert(sizeof(struct elf64_shdr) == 64, "ELF64 section header layout");

struct elf64_sym {
	uint32_t name;
	uint8_t info;
	uint8_t other;
	uint16_t shndx;
	uint64_t value;
	uint64_t size;
};
_Static_assert(sizeof(struct elf64_sym) == 24, "ELF64 symbol layout");

#define ELF_ET_EXEC 2
#define ELF_EM_X86_64 62
#define ELF_PT_LOAD 1
#define ELF_PT_NOTE 4
#define ELF_ET_REL 1
#define ELF_ET_DYN 3
#define ELF_OSABI_NONE 0
#define ELF_OSABI_GNU 3
#define ELF_PF_X 1u
#define ELF_PF_W 2u
#define ELF_PF_R 4u
#define ELF_SHT_SYMTAB 2
#define ELF_STT_FUNC 2
#define ELF_SYM_TYPE(info) ((info) & 0xfu)

/*
 * The Ferrous program marker: an ELF note, name "Ferrous", type
 * FE_ELF_NOTE_ABI, a 4-byte descriptor holding FE_ELF_ABI_VERSION, in a
 * PT_NOTE segment (section .note.ferrous, emitted by user/lib/crt0.S and
 * kept by user/lib/user.ld). A program header survives stripping, a section
 * table need not. docs/boot.md, "Programs".
 */
#define FE_ELF_NOTE_NAME "Ferrous"
#define FE_ELF_NOTE_ABI 1u
#define FE_ELF_ABI_VERSION 1u

/* Most program headers we accept: more is a sign of a malformed file. */
#define ELF_MAX_PHDRS 64u

/* A parsed image: the checked file header plus the bytes it came from. */
struct elf_image {
	const uint8_t *data;
	size_t size;
	struct elf64_ehdr eh;
};

/* The address range every PT_LOAD segment together covers. */
struct elf_load_span {
	uint64_t lo; /* lowest segment vaddr, rounded down to a page */
	uint64_t hi; /* highest segment end, rounded up to a page */
};

/*
 * Check the file header of an x86_64 ELF64 little-endian executable (ET_EXEC)
 * and that its program-header table lies inside the buffer.
 * Returns FE_OK and fills *out, or FE_ERR_BAD_FORMAT (wrong magic, class,
 * data, version, machine or type; absurd header sizes) or FE_ERR_OUT_OF_RANGE
 * (a table runs past `size`). *out is unchanged on error.
 */
fe_status_t elf_parse(const void *data, size_t size, struct elf_image *out);

/* Copy program header `idx` out. FE_ERR_OUT_OF_RANGE if idx >= phnum. */
fe_status_t elf_phdr(const struct elf_image *img, unsigned idx, struct elf64_phdr *out);

/*
 * Check every PT_LOAD segment for loading into [lo_limit, hi_limit):
 * filesz <= memsz; file bytes inside the buffer; vaddr + memsz does not wrap
 * and stays inside the limits; vaddr and offset congruent modulo the page
 * size; no two segments share a page; no segment is both writable and
 * executable; the entry point lies in an executable segment. Fills *span.
 * Returns FE_OK, FE_ERR_BAD_FORMAT or FE_ERR_OUT_OF_RANGE.
 */
fe_status_t elf_check_load(const struct elf_image *img, uint64_t lo_limit, uint64_t hi_limit,
                           struct elf_load_span *span);

/*
 * Check that data is a Ferrous program loadable into [lo_limit, hi_limit):
 * elf_parse, OS ABI none, the Ferrous ABI note (FE_ELF_NOTE_NAME) with
 * FE_ELF_ABI_VERSION, then elf_check_load. Returns FE_OK with *img filled,
 * or FE_ERR_BAD_FORMAT / FE_ERR_OUT_OF_RANGE with *why set to a fixed
 * sentence saying what the file is instead ("an empty file", "a script",
 * "a Linux program", ...). Used by both loaders of user programs (the
 * kernel's for init, user/lib/spawn.c for the rest).
 */
fe_status_t elf_check_program(const void *data, size_t size, uint64_t lo_limit, uint64_t hi_limit,
                              struct elf_image *img, const char **why);

/* A symbol table and its string table, both checked to lie in the buffer. */
struct elf_symtab {
	const struct elf_image *img;
	uint64_t sym_off;   /* file offset of the first symbol */
	uint64_t sym_count;
	uint64_t str_off;   /* file offset of the string table */
	uint64_t str_size;
};

/*
 * Find the SHT_SYMTAB section and its linked string table.
 * Returns FE_OK, FE_ERR_NOT_FOUND (stripped file) or FE_ERR_BAD_FORMAT /
 * FE_ERR_OUT_OF_RANGE for a malformed section table.
 */
fe_status_t elf_find_symtab(const struct elf_image *img, struct elf_symtab *out);

/*
 * Name the function containing `addr`: the STT_FUNC symbol with the greatest
 * value <= addr (and addr < value + size when size is non-zero).
 * Copies at most name_max - 1 bytes of the name plus a NUL into `name` and
 * sets *offset = addr - value. Returns FE_OK or FE_ERR_NOT_FOUND.
 * Linear in the number of symbols: meant for panics and tests, not hot paths.
 */
fe_status_t elf_symbolize(const struct elf_symtab *tab, uint64_t addr, char *name, size_t name_max,
                          uint64_t *offset);

/*
 * Look up the value of the symbol called `name` (any type).
 * Returns FE_OK or FE_ERR_NOT_FOUND.
 */
fe_status_t elf_symbol_value(const struct elf_symtab *tab, const char *name, uint64_t *value);

#endif /* FERROUS_LIB_ELF_H */
