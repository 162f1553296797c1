/* SPDX-License-Identifier: MIT */
/*
 * Physical frame allocation for the whole kernel: the buddy allocator over
 * the RAM the boot memory map calls usable, behind one lock, with every
 * allocation and free traced. Frames are reached through the direct map
 * (phys_to_virt).
 */
#ifndef FERROUS_MM_FRAME_H
#define FERROUS_MM_FRAME_H

#include <stdint.h>

#include <ferrous/boot_info.h>
#include <ferrous/errors.h>

#include "mm/buddy.h"

/*
 * Builds the allocator from the boot memory map, honouring mem= (boot_opts).
 * Only FE_MEM_USABLE ranges are added; everything else (ACPI, firmware,
 * reserved, the kernel, boot data) stays out. Panics with "not enough
 * memory" if less than KERNEL_MIN_MEMORY is usable.
 */
void frame_init(const struct fe_boot_info *bi);

/*
 * Adds the FE_MEM_BOOT_RECLAIMABLE ranges (loader and UEFI boot-services
 * memory). Call only once the kernel runs on its own stack and page tables.
 */
void frame_reclaim_boot(const struct fe_boot_info *bi);

/* 2^order contiguous frames, naturally aligned: FE_OK or FE_ERR_NO_MEMORY. */
fe_status_t frame_alloc(unsigned order, uint64_t *phys);
/* As frame_alloc, with the frames zeroed. */
fe_status_t frame_alloc_zeroed(unsigned order, uint64_t *phys);
/* Returns a block from frame_alloc; panics on a double or mismatched free. */
void frame_free(uint64_t phys, unsigned order);

struct frame_stats {
	uint64_t total_frames; /* managed frames */
	uint64_t free_frames;
	uint64_t allocs, frees; /* calls that succeeded */
	uint64_t failures;      /* allocations refused for lack of memory */
};
struct frame_stats frame_get_stats(void);

/* Runs buddy_check under the lock (tests). */
fe_status_t frame_check(void);

#endif /* FERROUS_MM_FRAME_H */
