/* SPDX-License-Identifier: MIT */
#include "frame.h"

#include <ferrous/trace.h>

#include "core/kernel.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/spinlock.h"
#include "lib/string.h"
#include "lib/util.h"
#include "trace/trace.h"

#define PAGE_SHIFT 12
/*
 * The first MiB stays out of the allocator: it holds firmware leftovers on
 * real machines, physical address 0 is too easily mistaken for "none", and
 * SMP start-up needs a page below 1 MiB for the real-mode trampoline.
 */
#define LOW_MEMORY_END_PFN 256u

/* One buddy for all RAM until NUMA nodes split it (per-node pools). */
static struct spinlock frame_lock = SPINLOCK_INIT("frame");
static struct buddy pool GUARDED_BY(frame_lock);
static struct frame_stats stats GUARDED_BY(frame_lock);

static const struct fe_mem_range *mem_map(const struct fe_boot_info *bi)
{
	return phys_to_virt(bi->mem_map);
}

/* The frames of range r at or above 1 MiB: false if there are none. */
static bool above_low_memory(const struct fe_mem_range *r, uint64_t *start, uint64_t *n)
{
	uint64_t first = r->base >> PAGE_SHIFT, end = first + r->pages;

	*start = MAX(first, (uint64_t)LOW_MEMORY_END_PFN);
	*n = end > *start ? end - *start : 0;
	return *n > 0;
}

/*
 * The usable frames after applying mem=: fills [*lo, *hi) and returns the
 * number of usable frames inside the limit.
 */
static uint64_t usable_span(const struct fe_boot_info *bi, uint64_t limit_frames, uint64_t *lo,
                            uint64_t *hi)
{
	const struct fe_mem_range *m = mem_map(bi);
	uint64_t total = 0;

	*lo = UINT64_MAX;
	*hi = 0;
	for (uint32_t i = 0; i < bi->mem_map_count && total < limit_frames; i++) {
		uint64_t start, n;
		if (m[i].type != FE_MEM_USABLE || !above_low_memory(&m[i], &start, &n))
			continue;
		uint64_t take = MIN(n, limit_frames - total);
		*lo = MIN(*lo, start);
		*hi = MAX(*hi, start + take);
		total += take;
	}
	return total;
}

/* Picks the highest usable range inside the span that can hold `pages`. */
static uint64_t place_metadata(const struct fe_boot_info *bi, uint64_t pages, uint64_t hi_pfn)
{
	const struct fe_mem_range *m = mem_map(bi);

	for (uint32_t i = bi->mem_map_count; i-- > 0;) {
		uint64_t start, n;
		if (m[i].type != FE_MEM_USABLE || !above_low_memory(&m[i], &start, &n))
			continue;
		uint64_t end = MIN(start + n, hi_pfn);
		if (end > start && end - start >= pages)
			return end - pages;
	}
	panic("frame_init: no usable range holds %llu pages of frame metadata",
	      (unsigned long long)pages);
}

/* Adds [pfn, pfn + n) minus the metadata pages [meta, meta + mn). */
static void add_excluding(uint64_t pfn, uint64_t n, uint64_t meta, uint64_t mn)
	REQUIRES(frame_lock)
{
	uint64_t end = pfn + n, mend = meta + mn;

	if (pfn < meta && end > pfn)
		ASSERT(buddy_add_range(&pool, pfn, MIN(end, meta) - pfn) == FE_OK);
	if (end > mend && end > MAX(pfn, mend))
		ASSERT(buddy_add_range(&pool, MAX(pfn, mend), end - MAX(pfn, mend)) == FE_OK);
}

void frame_init(const struct fe_boot_info *bi)
{
	uint64_t limit = boot_opts.mem_limit ? boot_opts.mem_limit >> PAGE_SHIFT : UINT64_MAX;
	uint64_t lo, hi;
	uint64_t usable = usable_span(bi, limit, &lo, &hi);

	if ((usable << PAGE_SHIFT) < KERNEL_MIN_MEMORY)
		panic("not enough memory: %llu MiB usable, need at least %llu MiB",
		      (unsigned long long)(usable >> 8), (unsigned long long)(KERNEL_MIN_MEMORY >> 20));

	uint64_t meta_pages = ALIGN_UP(buddy_meta_count(lo, hi) * sizeof(struct frame), FE_PAGE_SIZE) >>
	                      PAGE_SHIFT;
	uint64_t meta = place_metadata(bi, meta_pages, hi);
	const struct fe_mem_range *m = mem_map(bi);
	uint64_t budget = usable;

	irqflags_t f = spin_lock_irqsave(&frame_lock);
	ASSERT(buddy_init(&pool, lo, hi, phys_to_virt(meta << PAGE_SHIFT)) == FE_OK);
	for (uint32_t i = 0; i < bi->mem_map_count && budget > 0; i++) {
		uint64_t start, n;
		if (m[i].type != FE_MEM_USABLE || !above_low_memory(&m[i], &start, &n))
			continue;
		n = MIN(n, budget);
		add_excluding(start, n, meta, meta_pages);
		budget -= n;
	}
	stats.total_frames = pool.total_frames;
	stats.free_frames = pool.free_frames;
	uint64_t free_frames = pool.free_frames;
	spin_unlock_irqrestore(&frame_lock, f);

	pr_info("mm: %llu MiB usable in [%#llx, %#llx), %llu KiB of frame metadata%s\n",
	        (unsigned long long)(free_frames >> 8), (unsigned long long)(lo << PAGE_SHIFT),
	        (unsigned long long)(hi << PAGE_SHIFT), (unsigned long long)(meta_pages * 4),
	        boot_opts.mem_limit ? " (limited by mem=)" : "");
}

void frame_reclaim_boot(const struct fe_boot_info *bi)
{
	const struct fe_mem_range *m = mem_map(bi);
	uint64_t added = 0;

	irqflags_t f = spin_lock_irqsave(&frame_lock);
	for (uint32_t i = 0; i < bi->mem_map_count; i++) {
		uint64_t pfn, n;
		if (m[i].type != FE_MEM_BOOT_RECLAIMABLE || boot_opts.mem_limit ||
		    !above_low_memory(&m[i], &pfn, &n))
			continue;
		if (!buddy_contains(&pool, pfn) || !buddy_contains(&pool, pfn + n - 1))
			continue; /* outside the span the metadata covers */
		ASSERT(buddy_add_range(&pool, pfn, n) == FE_OK);
		added += n;
	}
	stats.total_frames = pool.total_frames;
	stats.free_frames = pool.free_frames;
	spin_unlock_irqrestore(&frame_lock, f);
	pr_info("mm: reclaimed %llu KiB of loader and boot-services memory\n",
	        (unsigned long long)(added * 4));
}

fe_status_t frame_alloc(unsigned order, uint64_t *phys)
{
	uint64_t pfn;

	irqflags_t f = spin_lock_irqsave(&frame_lock);
	fe_status_t st = buddy_alloc(&pool, order, &pfn);
	if (st == FE_OK)
		stats.allocs++;
	else
		stats.failures++;
	stats.free_frames = pool.free_frames;
	spin_unlock_irqrestore(&frame_lock, f);
	if (st != FE_OK)
		return st;
	*phys = pfn << PAGE_SHIFT;
	trace_emit(FE_TRACE_FRAME_ALLOC, *phys, order, 0, 0);
	return FE_OK;
}

fe_status_t frame_alloc_zeroed(unsigned order, uint64_t *phys)
{
	fe_status_t st = frame_alloc(order, phys);
	if (st == FE_OK)
		memset(phys_to_virt(*phys), 0, FE_PAGE_SIZE << order);
	return st;
}

void frame_free(uint64_t phys, unsigned order)
{
	irqflags_t f = spin_lock_irqsave(&frame_lock);
	fe_status_t st = buddy_free(&pool, phys >> PAGE_SHIFT, order);
	if (st == FE_OK)
		stats.frees++;
	stats.free_frames = pool.free_frames;
	spin_unlock_irqrestore(&frame_lock, f);
	if (st != FE_OK)
		panic("frame_free: %s freeing %#llx order %u (double free or wrong order)",
		      fe_status_name(st), (unsigned long long)phys, order);
	trace_emit(FE_TRACE_FRAME_FREE, phys, order, 0, 0);
}

struct frame_stats frame_get_stats(void)
{
	irqflags_t f = spin_lock_irqsave(&frame_lock);
	struct frame_stats s = stats;
	spin_unlock_irqrestore(&frame_lock, f);
	return s;
}

fe_status_t frame_check(void)
{
	irqflags_t f = spin_lock_irqsave(&frame_lock);
	fe_status_t st = buddy_check(&pool);
	spin_unlock_irqrestore(&frame_lock, f);
	return st;
}
