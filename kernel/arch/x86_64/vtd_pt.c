/* SPDX-License-Identifier: MIT */
/*
 * VT-d second-level page tables (specification 9.8): 4 KiB tables of 512
 * 64-bit entries, 3 or 4 levels; an entry holds a physical address (bits
 * 51:12) and Read and Write permission bits, and the permissions of every
 * level of a walk are ANDed, so a table entry carries both and the leaf the
 * mapping's own.
 *
 * SAFETY: tables are zeroed frames from the domain's allocator, reached
 * through the direct map and owned by the domain until iommu_pt_destroy.
 * A unit walks them by physical address, possibly while we change them, so
 * an entry is written with one aligned 64-bit store (the unit sees the old
 * or the new value, never half), a table is linked only once it is zeroed
 * and flushed, and when the unit does not snoop CPU caches every store it
 * may read is flushed (clflush) before the call returns.
 */
#include <arch/direct_map.h>
#include <arch/iommu.h>
#include <arch/x86.h>

#define SL_READ (1ull << 0)
#define SL_WRITE (1ull << 1)
#define SL_ADDR_MASK 0x000ffffffffff000ull /* bits 51:12 */
#define SL_TABLE (SL_READ | SL_WRITE)      /* a table entry: both, the leaf decides */
#define ENTRIES 512u
#define PAGE 4096ull
#define CACHE_LINE 64u /* CLFLUSH's line on every x86_64 (CPUID 1, EBX 15:8, times 8) */
#define LEVEL_SHIFT(l) (12u + 9u * ((l) - 1u))

_Static_assert(ENTRIES * sizeof(uint64_t) == PAGE, "a second-level table is one page");

static uint64_t *table(uint64_t pa)
{
	return phys_to_virt(pa);
}

void iommu_flush_lines(const void *p, uint64_t len)
{
	for (uintptr_t a = (uintptr_t)p & ~(uintptr_t)(CACHE_LINE - 1); a < (uintptr_t)p + len;
	     a += CACHE_LINE)
		clflush((const void *)a);
	mfence();
}

static void flush(const struct iommu_pt *pt, const void *p, uint64_t len)
{
	if (!pt->coherent)
		iommu_flush_lines(p, len);
}

static uint64_t *slot(uint64_t table_pa, uint64_t iova, unsigned level)
{
	return &table(table_pa)[(iova >> LEVEL_SHIFT(level)) & (ENTRIES - 1)];
}

static fe_status_t new_table(struct iommu_pt *pt, uint64_t *pa)
{
	fe_status_t st = pt->alloc.alloc(pt->alloc.ctx, pa);

	if (st != FE_OK)
		return st;
	flush(pt, table(*pa), PAGE); /* the unit must never see what the frame held before */
	pt->tables++;
	return FE_OK;
}

uint64_t iommu_pt_limit(unsigned levels)
{
	return 1ull << LEVEL_SHIFT(levels + 1);
}

fe_status_t iommu_pt_init(struct iommu_pt *pt, unsigned levels, bool coherent,
                          const struct pt_alloc *alloc)
{
	if (levels != 3 && levels != 4)
		return FE_ERR_INVALID_ARG;
	*pt = (struct iommu_pt){ .levels = (uint8_t)levels, .coherent = coherent, .alloc = *alloc };
	return new_table(pt, &pt->root);
}

/* The leaf entry for iova. Missing tables are made through `maker` (pt
 * itself), or FE_ERR_NOT_FOUND without one; a table made before a failure
 * stays, empty. */
static fe_status_t walk(const struct iommu_pt *pt, struct iommu_pt *maker, uint64_t iova,
                        uint64_t **leaf)
{
	uint64_t pa = pt->root, next;

	for (unsigned l = pt->levels; l > 1; l--) {
		uint64_t *e = slot(pa, iova, l);
		if (*e == 0) {
			fe_status_t st = maker ? new_table(maker, &next) : FE_ERR_NOT_FOUND;
			if (st != FE_OK)
				return st;
			*e = next | SL_TABLE;
			flush(pt, e, sizeof(*e));
		}
		pa = *e & SL_ADDR_MASK;
	}
	*leaf = slot(pa, iova, 1);
	return FE_OK;
}

fe_status_t iommu_pt_map(struct iommu_pt *pt, uint64_t iova, uint64_t phys, unsigned perms)
{
	uint64_t *e;
	fe_status_t st;

	if (iova % PAGE || (phys & ~SL_ADDR_MASK) || perms == 0 ||
	    (perms & ~(IOMMU_READ | IOMMU_WRITE)))
		return FE_ERR_INVALID_ARG;
	if (iova >= iommu_pt_limit(pt->levels))
		return FE_ERR_OUT_OF_RANGE;
	if ((st = walk(pt, pt, iova, &e)) != FE_OK)
		return st;
	if (*e != 0)
		return FE_ERR_EXISTS;
	*e = phys | ((perms & IOMMU_READ) ? SL_READ : 0) | ((perms & IOMMU_WRITE) ? SL_WRITE : 0);
	flush(pt, e, sizeof(*e));
	return FE_OK;
}

fe_status_t iommu_pt_unmap(struct iommu_pt *pt, uint64_t iova)
{
	uint64_t *e;
	fe_status_t st = iova < iommu_pt_limit(pt->levels) ? walk(pt, NULL, iova, &e)
	                                                    : FE_ERR_NOT_FOUND;

	if (st != FE_OK || *e == 0)
		return FE_ERR_NOT_FOUND;
	*e = 0;
	flush(pt, e, sizeof(*e));
	return FE_OK;
}

fe_status_t iommu_pt_query(const struct iommu_pt *pt, uint64_t iova, uint64_t *phys,
                           unsigned *perms)
{
	uint64_t *e;
	fe_status_t st = iova < iommu_pt_limit(pt->levels) ? walk(pt, NULL, iova, &e)
	                                                    : FE_ERR_NOT_FOUND;

	if (st != FE_OK || *e == 0)
		return FE_ERR_NOT_FOUND;
	*phys = *e & SL_ADDR_MASK;
	*perms = ((*e & SL_READ) ? IOMMU_READ : 0) | ((*e & SL_WRITE) ? IOMMU_WRITE : 0);
	return FE_OK;
}

/* Frees the table at pa (of `level`) and every table below it. */
static void free_tables(struct iommu_pt *pt, uint64_t pa, unsigned level)
{
	if (level > 1) {
		const uint64_t *t = table(pa);
		for (unsigned i = 0; i < ENTRIES; i++)
			if (t[i] != 0)
				free_tables(pt, t[i] & SL_ADDR_MASK, level - 1);
	}
	pt->alloc.free(pt->alloc.ctx, pa);
	pt->tables--;
}

void iommu_pt_destroy(struct iommu_pt *pt)
{
	if (pt->root != 0)
		free_tables(pt, pt->root, pt->levels);
	pt->root = 0;
}
