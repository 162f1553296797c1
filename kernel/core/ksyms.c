/* SPDX-License-Identifier: MIT */
#include "ksyms.h"

#include <stdbool.h>

#include "core/console.h"
#include "core/kernel.h"
#include "lib/elf.h"

/* Set once at boot; read-only afterwards (the panic path reads it). */
static struct elf_image kimage;
static struct elf_symtab ksymtab;
static bool ksyms_ready;

fe_status_t ksyms_init(const struct fe_boot_info *bi)
{
	if (bi->kernel_file.size == 0)
		return FE_ERR_NOT_FOUND;
	fe_status_t st = elf_parse(phys_to_virt(bi->kernel_file.phys), bi->kernel_file.size, &kimage);
	if (st == FE_OK)
		st = elf_find_symtab(&kimage, &ksymtab);
	ksyms_ready = (st == FE_OK);
	return st;
}

fe_status_t ksyms_lookup(uint64_t addr, char *name, size_t size, uint64_t *offset)
{
	if (!ksyms_ready)
		return FE_ERR_NOT_FOUND;
	return elf_symbolize(&ksymtab, addr, name, size, offset);
}

fe_status_t ksyms_address(const char *name, uint64_t *addr)
{
	if (!ksyms_ready)
		return FE_ERR_NOT_FOUND;
	return elf_symbol_value(&ksymtab, name, addr);
}
