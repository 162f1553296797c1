/* SPDX-License-Identifier: MIT */
/*
 * The kernel's own symbol table, read from the ELF file the loader left in
 * memory (boot_info->kernel_file), for backtraces and tests.
 */
#ifndef FERROUS_CORE_KSYMS_H
#define FERROUS_CORE_KSYMS_H

#include <stddef.h>
#include <stdint.h>

#include <ferrous/boot_info.h>
#include <ferrous/errors.h>

/* Returns FE_OK, or why symbols are unavailable (backtraces then show addresses). */
fe_status_t ksyms_init(const struct fe_boot_info *bi);

/* Names the function containing addr: FE_OK, or FE_ERR_NOT_FOUND. */
fe_status_t ksyms_lookup(uint64_t addr, char *name, size_t size, uint64_t *offset);

/* The address of the symbol called name: FE_OK, or FE_ERR_NOT_FOUND. */
fe_status_t ksyms_address(const char *name, uint64_t *addr);

#endif /* FERROUS_CORE_KSYMS_H */
