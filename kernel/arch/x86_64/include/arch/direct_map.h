/* SPDX-License-Identifier: MIT */
/*
 * The direct map: all of physical memory the loader described, mapped at
 * FE_HHDM_BASE (include/ferrous/boot_info.h). The only place a physical
 * address becomes a pointer.
 */
#ifndef FERROUS_ARCH_DIRECT_MAP_H
#define FERROUS_ARCH_DIRECT_MAP_H

#include <stdint.h>

#include <ferrous/boot_info.h>

/* SAFETY: pa must lie in a range the boot memory map lists below hhdm_size
 * (frames from the allocator, ACPI tables, the boot blobs): the direct map
 * covers only those. The pointer is valid while the caller owns the frame. */
static inline void *phys_to_virt(uint64_t pa) { return (void *)(uintptr_t)(FE_HHDM_BASE + pa); }

/* SAFETY: va must be a direct-map address (from phys_to_virt), not a kernel
 * image, stack or MMIO-window address: those are mapped elsewhere. */
static inline uint64_t virt_to_phys_direct(const void *va)
{
	return (uint64_t)(uintptr_t)va - FE_HHDM_BASE;
}

#endif /* FERROUS_ARCH_DIRECT_MAP_H */
