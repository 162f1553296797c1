/* SPDX-License-Identifier: MIT */
/*
 * A binary buddy allocator over one contiguous span of page frames.
 *
 * Pure logic (host-tested): it manages frame numbers and a caller-provided
 * metadata array, never touches the frames themselves, and takes no locks
 * (kernel/mm/frame.c wraps it with a lock, tracing and NUMA nodes).
 *
 * Blocks of 2^order frames are naturally aligned in absolute frame numbers
 * (the span's base is rounded down to BUDDY_MAX_ORDER alignment; frames
 * outside the span or never added stay reserved), so an order-9 block is a
 * 2 MiB-aligned physical range, usable as a large page.
 */
#ifndef FERROUS_MM_BUDDY_H
#define FERROUS_MM_BUDDY_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/errors.h>

#define BUDDY_MAX_ORDER 10u /* largest block: 2^10 frames = 4 MiB */
#define BUDDY_NONE UINT32_MAX

enum frame_state {
	FRAME_RESERVED = 0, /* not managed: hole, firmware, or never added */
	FRAME_FREE = 1,     /* first frame of a free block */
	FRAME_USED = 2,     /* first frame of an allocated block */
	FRAME_TAIL = 3,     /* any other frame of a free or allocated block */
};

/* Per-frame metadata, 16 bytes; the array is indexed from buddy.base_pfn. */
struct frame {
	uint32_t next, prev; /* free-list links (indices), BUDDY_NONE at the ends */
	uint8_t state;       /* enum frame_state */
	uint8_t order;       /* block order, for FRAME_FREE and FRAME_USED */
	uint16_t reserved;
	uint32_t owner;      /* who allocated it (for accounting; 0 = kernel) */
};
_Static_assert(sizeof(struct frame) == 16, "struct frame size");

struct buddy {
	uint64_t base_pfn;  /* first frame number covered, BUDDY_MAX_ORDER aligned */
	uint64_t nframes;   /* frames covered by `frames` */
	uint64_t lo_pfn;    /* first frame of the span itself (>= base_pfn) */
	struct frame *frames;
	uint32_t free_head[BUDDY_MAX_ORDER + 1];
	uint64_t free_blocks[BUDDY_MAX_ORDER + 1];
	uint64_t free_frames;
	uint64_t total_frames; /* frames ever added */
};

/* Metadata entries needed to cover frames [lo_pfn, hi_pfn). */
uint64_t buddy_meta_count(uint64_t lo_pfn, uint64_t hi_pfn);

/*
 * Sets up b over [lo_pfn, hi_pfn) with every frame reserved. `meta` holds
 * buddy_meta_count(lo_pfn, hi_pfn) entries. Returns FE_ERR_INVALID_ARG for an
 * empty or too large span (indices must fit 32 bits).
 */
fe_status_t buddy_init(struct buddy *b, uint64_t lo_pfn, uint64_t hi_pfn, struct frame *meta);

/*
 * Makes frames [pfn, pfn + count) free, merging with free neighbours.
 * FE_ERR_OUT_OF_RANGE if outside the span; FE_ERR_BAD_STATE if any frame is
 * not reserved (adding twice). Nothing changes on error.
 */
fe_status_t buddy_add_range(struct buddy *b, uint64_t pfn, uint64_t count);

/* Allocates 2^order contiguous frames: FE_OK with *pfn, or FE_ERR_NO_MEMORY. */
fe_status_t buddy_alloc(struct buddy *b, unsigned order, uint64_t *pfn);

/*
 * Frees a block from buddy_alloc. FE_ERR_INVALID_ARG if pfn is outside the
 * span or not aligned to the order; FE_ERR_BAD_STATE if the block is not
 * allocated at that order (double free, wrong order). Nothing changes on error.
 */
fe_status_t buddy_free(struct buddy *b, uint64_t pfn, unsigned order);

/* True if pfn lies in the span [lo_pfn, hi_pfn) given to buddy_init. */
bool buddy_contains(const struct buddy *b, uint64_t pfn);

/*
 * Walks every list and frame and checks they agree (free lists hold exactly
 * the FRAME_FREE heads of their order, counts match, no free buddies left
 * unmerged). FE_OK or FE_ERR_BAD_STATE. For tests: linear in the span.
 */
fe_status_t buddy_check(const struct buddy *b);

#endif /* FERROUS_MM_BUDDY_H */
