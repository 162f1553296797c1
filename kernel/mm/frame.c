/* SPDX-License-Identifier: MIT */
#include "frame.h"

#include <ferrous/trace.h>

#include "core/cpu.h"
#include "core/kernel.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/spinlock.h"
#include "lib/string.h"
#include "lib/util.h"
#include "mm/numa.h"
#include "trace/trace.h"

#define PAGE_SHIFT 12
/*
 * The first MiB stays out of the allocator: it holds firmware leftovers on
 * real machines, physical address 0 is too easily mistaken for "none", and
 * SMP start-up needs a page below 1 MiB for the real-mode trampoline.
 */
#define LOW_MEMORY_END_PFN 256u

/* One pool per node; a node without usable memory has none (present = false). */
struct node_pool {
	bool present;
	struct buddy buddy;
	uint64_t local_allocs, remote_allocs; /* requests that asked for this node */
};

static struct spinlock frame_lock = SPINLOCK_INIT("frame");
static struct node_pool pools[NUMA_MAX_NODES] GUARDED_BY(frame_lock);
static struct frame_stats stats GUARDED_BY(frame_lock); /* allocs, frees, failures, remote_allocs */

/* What frame_init works out for one node before it builds the pool. */
struct node_plan {
	uint64_t lo, hi;      /* span of the usable frames [lo, hi) */
	uint64_t frames;      /* usable frames */
	uint64_t meta_pages;  /* metadata for the span */
	uint64_t meta;        /* first frame of the metadata; 0 = no room found */
};

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

/* Frames [pfn, pfn + n), all on one node. */
typedef void piece_fn(uint32_t node, uint64_t pfn, uint64_t n, void *ctx);

/*
 * Cuts [pfn, pfn + n) at node boundaries. A frame goes to the node of its
 * first byte, the rule frame_free follows too (numa_node_of_phys).
 */
static void split_by_node(uint64_t pfn, uint64_t n, piece_fn *fn, void *ctx)
{
	for (uint64_t end = pfn + n; pfn < end;) {
		uint32_t node;
		uint64_t stop = numa_topo_piece(numa_topo(), pfn << PAGE_SHIFT, end << PAGE_SHIFT, &node);
		uint64_t next = ALIGN_UP(stop, FE_PAGE_SIZE) >> PAGE_SHIFT;
		fn(node, pfn, next - pfn, ctx);
		pfn = next;
	}
}

/*
 * Calls fn for every node piece of the memory-map ranges of `type` above
 * 1 MiB, taking at most `limit` frames in map order (mem=). Returns the
 * number of frames visited.
 */
static uint64_t for_each_piece(const struct fe_boot_info *bi, uint32_t type, uint64_t limit,
                               piece_fn *fn, void *ctx)
{
	const struct fe_mem_range *m = mem_map(bi);
	uint64_t total = 0;

	for (uint32_t i = 0; i < bi->mem_map_count && total < limit; i++) {
		uint64_t start, n;
		if (m[i].type != type || !above_low_memory(&m[i], &start, &n))
			continue;
		n = MIN(n, limit - total);
		split_by_node(start, n, fn, ctx);
		total += n;
	}
	return total;
}

static void plan_span(uint32_t node, uint64_t pfn, uint64_t n, void *ctx)
{
	struct node_plan *p = (struct node_plan *)ctx + node;

	p->lo = MIN(p->lo, pfn);
	p->hi = MAX(p->hi, pfn + n);
	p->frames += n;
}

/* The metadata goes at the top of the highest piece of its node that holds it. */
static void plan_metadata(uint32_t node, uint64_t pfn, uint64_t n, void *ctx)
{
	struct node_plan *p = (struct node_plan *)ctx + node;

	if (n >= p->meta_pages && pfn + n - p->meta_pages > p->meta)
		p->meta = pfn + n - p->meta_pages;
}

/* Adds [pfn, pfn + n) to the node's pool minus its metadata pages. */
static void add_piece(uint32_t node, uint64_t pfn, uint64_t n, void *ctx) REQUIRES(frame_lock)
{
	const struct node_plan *p = (const struct node_plan *)ctx + node;
	struct buddy *b = &pools[node].buddy;
	uint64_t end = pfn + n, mend = p->meta + p->meta_pages;

	if (!pools[node].present)
		return;
	if (pfn < p->meta)
		ASSERT(buddy_add_range(b, pfn, MIN(end, p->meta) - pfn) == FE_OK);
	if (end > mend && end > MAX(pfn, mend))
		ASSERT(buddy_add_range(b, MAX(pfn, mend), end - MAX(pfn, mend)) == FE_OK);
}

/* Sizes each node's metadata and finds room for it in that node's memory. */
static void plan_pools(const struct fe_boot_info *bi, uint64_t limit, struct node_plan *plan)
{
	for (uint32_t n = 0; n < numa_node_count(); n++) {
		struct node_plan *p = &plan[n];
		if (p->frames == 0)
			continue;
		p->meta_pages = ALIGN_UP(buddy_meta_count(p->lo, p->hi) * sizeof(struct frame),
		                         FE_PAGE_SIZE) >> PAGE_SHIFT;
	}
	for_each_piece(bi, FE_MEM_USABLE, limit, plan_metadata, plan);
	for (uint32_t n = 0; n < numa_node_count(); n++)
		if (plan[n].frames && plan[n].meta == 0)
			pr_warn("mm: node %u: no range holds its %llu pages of frame metadata; "
			        "its %llu MiB stay unused\n", n, (unsigned long long)plan[n].meta_pages,
			        (unsigned long long)(plan[n].frames >> 8));
}

static void log_pools(const struct node_plan *plan)
{
	for (uint32_t n = 0; n < numa_node_count(); n++) {
		struct frame_node_stats s;
		ASSERT(frame_get_node_stats(n, &s) == FE_OK);
		if (plan[n].meta == 0) {
			pr_info("mm: node %u: no usable memory\n", n);
			continue;
		}
		pr_info("mm: node %u: %llu MiB usable in [%#llx, %#llx), %llu KiB of frame metadata%s\n",
		        n, (unsigned long long)(s.free_frames >> 8),
		        (unsigned long long)(plan[n].lo << PAGE_SHIFT),
		        (unsigned long long)(plan[n].hi << PAGE_SHIFT),
		        (unsigned long long)(plan[n].meta_pages * 4),
		        boot_opts.mem_limit ? " (limited by mem=)" : "");
	}
}

void frame_init(const struct fe_boot_info *bi)
{
	uint64_t limit = boot_opts.mem_limit ? boot_opts.mem_limit >> PAGE_SHIFT : UINT64_MAX;
	struct node_plan plan[NUMA_MAX_NODES];

	for (uint32_t n = 0; n < NUMA_MAX_NODES; n++)
		plan[n] = (struct node_plan){ .lo = UINT64_MAX };
	uint64_t usable = for_each_piece(bi, FE_MEM_USABLE, limit, plan_span, plan);
	if ((usable << PAGE_SHIFT) < KERNEL_MIN_MEMORY)
		panic("not enough memory: %llu MiB usable, need at least %llu MiB",
		      (unsigned long long)(usable >> 8), (unsigned long long)(KERNEL_MIN_MEMORY >> 20));
	plan_pools(bi, limit, plan);

	irqflags_t f = spin_lock_irqsave(&frame_lock);
	for (uint32_t n = 0; n < numa_node_count(); n++) {
		if (plan[n].meta == 0)
			continue;
		ASSERT(buddy_init(&pools[n].buddy, plan[n].lo, plan[n].hi,
		                  phys_to_virt(plan[n].meta << PAGE_SHIFT)) == FE_OK);
		pools[n].present = true;
	}
	for_each_piece(bi, FE_MEM_USABLE, limit, add_piece, plan);
	spin_unlock_irqrestore(&frame_lock, f);
	log_pools(plan);
}

/* Adds a reclaimable piece if its node's pool has metadata for all of it. */
static void reclaim_piece(uint32_t node, uint64_t pfn, uint64_t n, void *ctx) REQUIRES(frame_lock)
{
	struct node_pool *p = &pools[node];

	if (!p->present || !buddy_contains(&p->buddy, pfn) || !buddy_contains(&p->buddy, pfn + n - 1))
		return; /* outside the span the metadata covers */
	ASSERT(buddy_add_range(&p->buddy, pfn, n) == FE_OK);
	*(uint64_t *)ctx += n;
}

void frame_reclaim_boot(const struct fe_boot_info *bi)
{
	uint64_t added = 0;

	irqflags_t f = spin_lock_irqsave(&frame_lock);
	if (!boot_opts.mem_limit)
		for_each_piece(bi, FE_MEM_BOOT_RECLAIMABLE, UINT64_MAX, reclaim_piece, &added);
	spin_unlock_irqrestore(&frame_lock, f);
	pr_info("mm: reclaimed %llu KiB of loader and boot-services memory\n",
	        (unsigned long long)(added * 4));
}

/* From the first pool in node's fallback order with a free block; *from = its node. */
static fe_status_t alloc_locked(uint32_t node, unsigned order, uint64_t *pfn, uint32_t *from)
	REQUIRES(frame_lock)
{
	const uint32_t *fallback;
	uint32_t count = numa_fallback(node, &fallback);

	for (uint32_t i = 0; i < count; i++) {
		struct node_pool *p = &pools[fallback[i]];
		if (p->present && buddy_alloc(&p->buddy, order, pfn) == FE_OK) {
			*from = fallback[i];
			return FE_OK;
		}
	}
	return FE_ERR_NO_MEMORY;
}

static void count_alloc_locked(uint32_t node, uint32_t from, fe_status_t st) REQUIRES(frame_lock)
{
	if (st != FE_OK) {
		stats.failures++;
		return;
	}
	stats.allocs++;
	if (from == node) {
		pools[node].local_allocs++;
	} else {
		pools[node].remote_allocs++;
		stats.remote_allocs++;
	}
}

fe_status_t frame_alloc_on(uint32_t node, unsigned order, uint64_t *phys)
{
	uint64_t pfn = 0;
	uint32_t from = node;

	if (node >= numa_node_count())
		panic("frame_alloc_on: node %u, but the machine has %u", node, numa_node_count());
	irqflags_t f = spin_lock_irqsave(&frame_lock);
	fe_status_t st = alloc_locked(node, order, &pfn, &from);
	count_alloc_locked(node, from, st);
	spin_unlock_irqrestore(&frame_lock, f);
	if (st != FE_OK)
		return st;
	*phys = pfn << PAGE_SHIFT;
	trace_emit(FE_TRACE_FRAME_ALLOC, *phys, order, from, 0);
	return FE_OK;
}

fe_status_t frame_alloc(unsigned order, uint64_t *phys)
{
	return frame_alloc_on(this_cpu()->node, order, phys);
}

fe_status_t frame_alloc_zeroed_on(uint32_t node, unsigned order, uint64_t *phys)
{
	fe_status_t st = frame_alloc_on(node, order, phys);
	if (st == FE_OK)
		memset(phys_to_virt(*phys), 0, FE_PAGE_SIZE << order);
	return st;
}

fe_status_t frame_alloc_zeroed(unsigned order, uint64_t *phys)
{
	return frame_alloc_zeroed_on(this_cpu()->node, order, phys);
}

void frame_free(uint64_t phys, unsigned order)
{
	uint32_t node = numa_node_of_phys(phys);

	irqflags_t f = spin_lock_irqsave(&frame_lock);
	struct node_pool *p = &pools[node];
	fe_status_t st = p->present ? buddy_free(&p->buddy, phys >> PAGE_SHIFT, order)
	                            : FE_ERR_INVALID_ARG;
	if (st == FE_OK)
		stats.frees++;
	spin_unlock_irqrestore(&frame_lock, f);
	if (st != FE_OK)
		panic("frame_free: %s freeing %#llx order %u on node %u (double free or wrong order)",
		      fe_status_name(st), (unsigned long long)phys, order, node);
	trace_emit(FE_TRACE_FRAME_FREE, phys, order, node, 0);
}

struct frame_stats frame_get_stats(void)
{
	irqflags_t f = spin_lock_irqsave(&frame_lock);
	struct frame_stats s = stats;
	for (uint32_t n = 0; n < NUMA_MAX_NODES; n++) {
		if (!pools[n].present)
			continue;
		s.total_frames += pools[n].buddy.total_frames;
		s.free_frames += pools[n].buddy.free_frames;
	}
	spin_unlock_irqrestore(&frame_lock, f);
	return s;
}

fe_status_t frame_get_node_stats(uint32_t node, struct frame_node_stats *out)
{
	if (node >= numa_node_count())
		return FE_ERR_INVALID_ARG;
	irqflags_t f = spin_lock_irqsave(&frame_lock);
	const struct node_pool *p = &pools[node];
	*out = (struct frame_node_stats){
		.total_frames = p->present ? p->buddy.total_frames : 0,
		.free_frames = p->present ? p->buddy.free_frames : 0,
		.local_allocs = p->local_allocs,
		.remote_allocs = p->remote_allocs,
	};
	spin_unlock_irqrestore(&frame_lock, f);
	return FE_OK;
}

fe_status_t frame_check(void)
{
	fe_status_t st = FE_OK;

	irqflags_t f = spin_lock_irqsave(&frame_lock);
	for (uint32_t n = 0; n < NUMA_MAX_NODES && st == FE_OK; n++)
		if (pools[n].present)
			st = buddy_check(&pools[n].buddy);
	spin_unlock_irqrestore(&frame_lock, f);
	return st;
}
