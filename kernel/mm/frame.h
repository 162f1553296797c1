/* SPDX-License-Identifier: MIT */
/*
 * Physical frame allocation for the whole kernel: one buddy allocator per
 * NUMA node (mm/numa.h) over the RAM the boot memory map calls usable, split
 * at node boundaries, all behind one lock, with every allocation and free
 * traced. An allocation asks for a node (by default the current CPU's), is
 * served by that node's pool while it has a block, and otherwise by the
 * nearest node that has one; the latter is counted as remote. A free goes
 * back to the pool of the node that owns the address. Frames are reached
 * through the direct map (phys_to_virt).
 */
#ifndef FERROUS_MM_FRAME_H
#define FERROUS_MM_FRAME_H

#include <stdint.h>

#include <ferrous/boot_info.h>
#include <ferrous/errors.h>

#include "mm/buddy.h"

/*
 * Builds the allocators from the boot memory map, honouring mem= (boot_opts),
 * one per node of the NUMA topology (numa_init must have run), each with its
 * metadata in its own node's memory.
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

/*
 * 2^order contiguous frames, naturally aligned, preferably on the current
 * CPU's node (this_cpu()->node), else on the nearest node that has them:
 * FE_OK or FE_ERR_NO_MEMORY (no node has a free block of that order).
 */
fe_status_t frame_alloc(unsigned order, uint64_t *phys);
/* As frame_alloc, with the frames zeroed. */
fe_status_t frame_alloc_zeroed(unsigned order, uint64_t *phys);
/*
 * As frame_alloc, preferring `node` (< numa_node_count(), else panics).
 * The result is on `node` whenever its pool has a free block of that order.
 */
fe_status_t frame_alloc_on(uint32_t node, unsigned order, uint64_t *phys);
fe_status_t frame_alloc_zeroed_on(uint32_t node, unsigned order, uint64_t *phys);
/* Returns a block from frame_alloc; panics on a double or mismatched free. */
void frame_free(uint64_t phys, unsigned order);

struct frame_stats {
	uint64_t total_frames; /* managed frames */
	uint64_t free_frames;
	uint64_t allocs, frees; /* calls that succeeded */
	uint64_t failures;      /* allocations refused for lack of memory */
	uint64_t remote_allocs; /* allocations served by another node than asked */
};
/* Totals over every node. */
struct frame_stats frame_get_stats(void);

struct frame_node_stats {
	uint64_t total_frames;  /* frames in this node's pool */
	uint64_t free_frames;
	uint64_t local_allocs;  /* asked of this node and served by it */
	uint64_t remote_allocs; /* asked of this node and served by another */
};
/* One node's pool: FE_OK, or FE_ERR_INVALID_ARG if node >= numa_node_count(). */
fe_status_t frame_get_node_stats(uint32_t node, struct frame_node_stats *out);

/* Runs buddy_check on every pool under the lock (tests). */
fe_status_t frame_check(void);

#endif /* FERROUS_MM_FRAME_H */
