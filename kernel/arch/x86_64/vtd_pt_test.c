/* SPDX-License-Identifier: MIT */
/*
 * VT-d second-level page tables (vtd_pt.c), alone: the entries are the
 * layout the unit reads, every table made is freed, and failures leave
 * nothing mapped.
 */
#include <arch/direct_map.h>
#include <arch/iommu.h>

#include "mm/frame.h"
#include "test/ktest.h"

#define PAGE 4096ull
#define SL_RW 3ull
#define ADDR_MASK 0x000ffffffffff000ull

/* Frames from the allocator, counted; `fail_after` allocations succeed. */
struct counted {
	unsigned allocs, frees, fail_after;
};

static fe_status_t counted_alloc(void *ctx, uint64_t *pa)
{
	struct counted *c = ctx;

	if (c->allocs == c->fail_after)
		return FE_ERR_NO_MEMORY;
	fe_status_t st = frame_alloc_zeroed(0, pa);
	if (st == FE_OK)
		c->allocs++;
	return st;
}

static void counted_free(void *ctx, uint64_t pa)
{
	((struct counted *)ctx)->frees++;
	frame_free(pa, 0);
}

static struct pt_alloc allocator(struct counted *c)
{
	return (struct pt_alloc){ .alloc = counted_alloc, .free = counted_free, .ctx = c };
}

static void map_query_unmap(struct ktest *t)
{
	struct counted c = { .fail_after = ~0u };
	struct pt_alloc a = allocator(&c);
	struct iommu_pt pt;
	uint64_t pa = 0x12345000, got = 0;
	unsigned perms = 0;

	KT_ASSERT(t, KT_EXPECT_OK(t, iommu_pt_init(&pt, 3, false, &a)));
	KT_EXPECT_OK(t, iommu_pt_map(&pt, 0x100000, pa, IOMMU_READ));
	KT_EXPECT_OK(t, iommu_pt_query(&pt, 0x100000, &got, &perms));
	KT_EXPECT_EQ(t, got, pa);
	KT_EXPECT_EQ(t, perms, IOMMU_READ);
	KT_EXPECT_STATUS(t, iommu_pt_map(&pt, 0x100000, pa, IOMMU_WRITE), FE_ERR_EXISTS);
	KT_EXPECT_STATUS(t, iommu_pt_query(&pt, 0x101000, &got, &perms), FE_ERR_NOT_FOUND);
	KT_EXPECT_OK(t, iommu_pt_unmap(&pt, 0x100000));
	KT_EXPECT_STATUS(t, iommu_pt_query(&pt, 0x100000, &got, &perms), FE_ERR_NOT_FOUND);
	KT_EXPECT_STATUS(t, iommu_pt_unmap(&pt, 0x100000), FE_ERR_NOT_FOUND);
	KT_EXPECT_STATUS(t, iommu_pt_unmap(&pt, 1ull << 40), FE_ERR_NOT_FOUND);
	iommu_pt_destroy(&pt);
	KT_EXPECT_EQ(t, c.allocs, 3);
	KT_EXPECT_EQ(t, c.frees, c.allocs);
	KT_EXPECT_EQ(t, pt.tables, 0);
}

/* The entries the unit walks: tables carry Read and Write (permissions are
 * ANDed down the walk), the leaf the mapping's own, the address in 51:12. */
static void entries_are_the_units_layout(struct ktest *t)
{
	struct counted c = { .fail_after = ~0u };
	struct pt_alloc a = allocator(&c);
	struct iommu_pt pt;
	uint64_t iova = (5ull << 30) | (7ull << 21) | (9ull << 12), pa = 0xabcde000;

	KT_ASSERT(t, KT_EXPECT_OK(t, iommu_pt_init(&pt, 3, true, &a)));
	KT_EXPECT_OK(t, iommu_pt_map(&pt, iova, pa, IOMMU_WRITE));
	uint64_t l3 = ((uint64_t *)phys_to_virt(pt.root))[5];
	KT_EXPECT_EQ(t, l3 & ~ADDR_MASK, SL_RW);
	uint64_t l2 = ((uint64_t *)phys_to_virt(l3 & ADDR_MASK))[7];
	KT_EXPECT_EQ(t, l2 & ~ADDR_MASK, SL_RW);
	uint64_t l1 = ((uint64_t *)phys_to_virt(l2 & ADDR_MASK))[9];
	KT_EXPECT_EQ(t, l1, pa | 2u); /* Write only */
	KT_EXPECT_OK(t, iommu_pt_map(&pt, iova + PAGE, pa, IOMMU_READ | IOMMU_WRITE));
	KT_EXPECT_EQ(t, ((uint64_t *)phys_to_virt(l2 & ADDR_MASK))[10], pa | SL_RW);
	iommu_pt_destroy(&pt);
	KT_EXPECT_EQ(t, c.frees, c.allocs);
}

/* 3 levels translate 39 bits, 4 levels 48; bad arguments change nothing. */
static void widths_and_refusals(struct ktest *t)
{
	struct counted c = { .fail_after = ~0u };
	struct pt_alloc a = allocator(&c);
	struct iommu_pt p3, p4;

	KT_EXPECT_STATUS(t, iommu_pt_init(&p3, 5, false, &a), FE_ERR_INVALID_ARG);
	KT_ASSERT(t, KT_EXPECT_OK(t, iommu_pt_init(&p3, 3, false, &a)));
	KT_ASSERT(t, KT_EXPECT_OK(t, iommu_pt_init(&p4, 4, false, &a)));
	KT_EXPECT_EQ(t, iommu_pt_limit(3), 1ull << 39);
	KT_EXPECT_EQ(t, iommu_pt_limit(4), 1ull << 48);
	KT_EXPECT_OK(t, iommu_pt_map(&p3, (1ull << 39) - PAGE, 0x1000, IOMMU_READ));
	KT_EXPECT_STATUS(t, iommu_pt_map(&p3, 1ull << 39, 0x1000, IOMMU_READ), FE_ERR_OUT_OF_RANGE);
	KT_EXPECT_OK(t, iommu_pt_map(&p4, 1ull << 39, 0x1000, IOMMU_READ));
	KT_EXPECT_OK(t, iommu_pt_map(&p4, (1ull << 48) - PAGE, 0x1000, IOMMU_READ));
	KT_EXPECT_STATUS(t, iommu_pt_map(&p4, 1ull << 48, 0x1000, IOMMU_READ), FE_ERR_OUT_OF_RANGE);
	KT_EXPECT_STATUS(t, iommu_pt_map(&p3, 0x1800, 0x1000, IOMMU_READ), FE_ERR_INVALID_ARG);
	KT_EXPECT_STATUS(t, iommu_pt_map(&p3, 0x2000, 0x1008, IOMMU_READ), FE_ERR_INVALID_ARG);
	KT_EXPECT_STATUS(t, iommu_pt_map(&p3, 0x2000, 1ull << 52, IOMMU_READ), FE_ERR_INVALID_ARG);
	KT_EXPECT_STATUS(t, iommu_pt_map(&p3, 0x2000, 0x1000, 0), FE_ERR_INVALID_ARG);
	KT_EXPECT_STATUS(t, iommu_pt_map(&p3, 0x2000, 0x1000, 4), FE_ERR_INVALID_ARG);
	iommu_pt_destroy(&p3);
	iommu_pt_destroy(&p4);
	KT_EXPECT_EQ(t, c.frees, c.allocs);
}

/* Tables are made as the walk needs them and all freed with the domain;
 * running out of memory part way maps nothing. */
static void tables_made_and_freed(struct ktest *t)
{
	struct counted c = { .fail_after = ~0u };
	struct pt_alloc a = allocator(&c);
	struct iommu_pt pt;
	uint64_t got;
	unsigned perms;

	KT_ASSERT(t, KT_EXPECT_OK(t, iommu_pt_init(&pt, 4, false, &a)));
	for (uint64_t i = 0; i < 4; i++) /* four top-level slots: 3 tables each */
		KT_EXPECT_OK(t, iommu_pt_map(&pt, i << 39, 0x5000, IOMMU_READ));
	KT_EXPECT_OK(t, iommu_pt_map(&pt, PAGE, 0x6000, IOMMU_READ)); /* shares slot 0's tables */
	KT_EXPECT_EQ(t, pt.tables, 1 + 4 * 3);
	KT_EXPECT_EQ(t, c.allocs, pt.tables);
	c.fail_after = c.allocs + 1; /* the next walk gets one table, not the two it needs */
	KT_EXPECT_STATUS(t, iommu_pt_map(&pt, 7ull << 39, 0x7000, IOMMU_READ), FE_ERR_NO_MEMORY);
	KT_EXPECT_STATUS(t, iommu_pt_query(&pt, 7ull << 39, &got, &perms), FE_ERR_NOT_FOUND);
	iommu_pt_destroy(&pt);
	KT_EXPECT_EQ(t, c.frees, c.allocs);
	KT_EXPECT_EQ(t, pt.tables, 0);
}

KTEST_SUITE(iommu_pt,
	KTEST_CASE(map_query_unmap),
	KTEST_CASE(entries_are_the_units_layout),
	KTEST_CASE(widths_and_refusals),
	KTEST_CASE(tables_made_and_freed));
