/* SPDX-License-Identifier: MIT */
/*
 * The kernel's address space: built once at boot to replace the loader's
 * tables. The direct map covers RAM (never MMIO), read-write and
 * non-executable, except the kernel image's own frames, which are read-only
 * there; the image is mapped section by section (text R-X, rodata R--,
 * data/bss RW-); the guard page under the boot stack is left unmapped.
 * No mapping is ever both writable and executable.
 */
#ifndef FERROUS_MM_KMAP_H
#define FERROUS_MM_KMAP_H

#include <stdint.h>

#include <ferrous/boot_info.h>

/* Builds the kernel tables and switches to them. Panics on failure. */
void kmap_init(const struct fe_boot_info *bi);

/* Physical address of the kernel's top-level table. */
uint64_t kmap_root(void);

/* True if [pa, pa + len) lies in RAM the direct map covers (valid from the
 * moment boot_info is set, before kmap_init too). */
bool kmap_direct_mapped(uint64_t pa, uint64_t len);

/* The physical address of a kernel-image virtual address. */
uint64_t kmap_image_phys(const void *va);

#endif /* FERROUS_MM_KMAP_H */
