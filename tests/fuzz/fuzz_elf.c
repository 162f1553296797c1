/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for kernel/lib/elf.c: the whole path a loader and a
 * panic backtrace take (parse, check for loading as a user program and as a
 * kernel, find the symbol table, symbolise, look up by name), with the
 * contracts of elf.h checked on every success. A broken contract traps,
 * which libFuzzer reports as a crash.
 */
#include <stddef.h>
#include <stdint.h>

#include "lib/elf.h"

#define USER_LO 0x1000ull
#define USER_HI 0x0000800000000000ull
#define KERN_LO 0xffffffff80000000ull
#define KERN_HI UINT64_MAX
#define PAGE 4096ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink;

static void require(int cond)
{
	if (!cond)
		__builtin_trap();
}

/* A load span must be page-aligned, non-empty and inside the limits it was checked against. */
static void check_span(const struct elf_load_span *s, uint64_t lo, uint64_t hi)
{
	require(s->lo % PAGE == 0 && s->hi % PAGE == 0);
	require(s->lo < s->hi);
	require(s->lo >= (lo & ~(PAGE - 1)));
	require(s->hi - 1 <= ((hi - 1) | (PAGE - 1)));
}

static void symbolize(const struct elf_symtab *tab, uint64_t addr)
{
	char name[32];
	uint64_t off;

	if (elf_symbolize(tab, addr, name, sizeof(name), &off) != FE_OK)
		return;
	require(off <= addr);
	size_t n = 0;
	while (n < sizeof(name) && name[n] != '\0')
		n++;
	require(n < sizeof(name)); /* always terminated inside the buffer */
}

static void symbols(const struct elf_image *img, const uint64_t *addrs, unsigned naddrs)
{
	struct elf_symtab tab;
	uint64_t v;

	if (elf_find_symtab(img, &tab) != FE_OK)
		return;
	require(tab.sym_off <= img->size && tab.sym_count * 24 <= img->size - tab.sym_off);
	require(tab.str_off <= img->size && tab.str_size <= img->size - tab.str_off);
	for (unsigned i = 0; i < naddrs; i++)
		symbolize(&tab, addrs[i]);
	(void)elf_symbol_value(&tab, "main", &v);
	(void)elf_symbol_value(&tab, "_start", &v);
	(void)elf_symbol_value(&tab, "", &v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_image img;
	struct elf_load_span span;
	uint64_t addrs[6] = { 0, UINT64_MAX };
	unsigned n = 2;
	const char *why = NULL;

	/* Any input: a program is accepted with no reason, refused with one. */
	fe_status_t st = elf_check_program(data, size, USER_LO, USER_HI, &img, &why);
	require((st == FE_OK) == (why == NULL));
	if (why != NULL)
		sink += (unsigned)__builtin_strlen(why);
	if (elf_parse(data, size, &img) != FE_OK)
		return 0;
	require(img.eh.phnum >= 1 && img.eh.phnum <= ELF_MAX_PHDRS);
	for (unsigned i = 0; i < img.eh.phnum; i++) {
		struct elf64_phdr ph;
		require(elf_phdr(&img, i, &ph) == FE_OK);
	}
	addrs[n++] = img.eh.entry;
	if (elf_check_load(&img, USER_LO, USER_HI, &span) == FE_OK) {
		check_span(&span, USER_LO, USER_HI);
		addrs[n++] = span.lo;
	}
	if (elf_check_load(&img, KERN_LO, KERN_HI, &span) == FE_OK) {
		check_span(&span, KERN_LO, KERN_HI);
		addrs[n++] = span.hi - 1;
	}
	if (size >= 8) {
		uint64_t tail;
		__builtin_memcpy(&tail, data + size - 8, 8);
		addrs[n++] = tail;
	}
	symbols(&img, addrs, n);
	return 0;
}
