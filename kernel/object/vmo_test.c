/* SPDX-License-Identifier: MIT */
/*
 * The vmo suite: contiguous VMOs (ADR 0011, decision 3) on the machine's real
 * frame allocator. What user space cannot see: that the pages really are one
 * naturally aligned buddy block, zeroed whole, charged whole, and given back
 * as one block; and that every refusal leaves no frame, charge or object.
 */
#include <ferrous/syscall.h>

#include "core/cpu.h"
#include "core/kernel.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/numa.h"
#include "mm/vm.h"
#include "object/budget.h"
#include "object/kobj.h"
#include "object/vmo.h"
#include "test/ktest.h"

#define BIG_BUDGET (64ULL << 20)
#define CHAIN_END UINT64_MAX

static unsigned order_for(uint64_t size)
{
	unsigned order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

static void drop(struct vmo *v)
{
	kobj_put(&v->obj);
	kobj_reap();
}

/* Bytes a plain VMO of `size` charges: its pages plus the object and page array. */
static uint64_t plain_charge(struct ktest *t, struct budget *b, uint64_t size)
{
	struct vmo *v;
	uint64_t before = b->used, used = 0;

	if (KT_EXPECT_OK(t, vmo_create(b, this_cpu()->node, size, &v))) {
		used = b->used - before;
		drop(v);
	}
	return used;
}

/* Fills the block the allocator hands out next with a pattern, so a
 * contiguous VMO made right after (likely over the same frames) must have
 * zeroed it. */
static void dirty_next_block(unsigned order)
{
	uint64_t pa;

	if (frame_alloc_on(this_cpu()->node, order, &pa) == FE_OK) {
		memset(phys_to_virt(pa), 0xa5, PAGE_SIZE << order);
		frame_free(pa, order);
	}
}

static bool block_is_zero(uint64_t base, unsigned order)
{
	const uint64_t *w = phys_to_virt(base);
	uint64_t z = 0;

	for (uint64_t i = 0; i < (PAGE_SIZE << order) / 8; i++)
		z |= w[i];
	return z == 0;
}

/* Every page of v at its place in one aligned block of the expected order. */
static void expect_one_block(struct ktest *t, const struct vmo *v, uint64_t size)
{
	unsigned order = order_for(size);
	uint64_t base = v->pages[0];
	bool in_place = true;

	KT_EXPECT(t, v->contiguous);
	KT_EXPECT_EQ(t, v->block_order, order);
	KT_EXPECT_EQ(t, v->size, ALIGN_UP(size, PAGE_SIZE));
	KT_EXPECT_EQ(t, base % (PAGE_SIZE << order), 0);
	for (uint64_t i = 0; i < v->size / PAGE_SIZE; i++)
		in_place &= v->pages[i] == base + i * PAGE_SIZE;
	KT_EXPECT(t, in_place);
	KT_EXPECT(t, block_is_zero(base, order)); /* the tail past size too */
}

/* One aligned, zeroed block per size, charged as the block, on the asked node. */
static void vmo_contiguous_pages_form_one_aligned_block(struct ktest *t)
{
	static const uint64_t sizes[] = { 1, 3 * PAGE_SIZE, 16 * PAGE_SIZE, (1ULL << 20) + 1,
	                                  FE_VMO_CONTIGUOUS_MAX };
	uint32_t node = this_cpu()->node;
	struct frame_node_stats ns;
	struct budget *b;

	KT_ASSERT(t, KT_EXPECT_OK(t, budget_create(NULL, BIG_BUDGET, &b)));
	KT_ASSERT(t, KT_EXPECT_OK(t, frame_get_node_stats(node, &ns)));
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned order = order_for(sizes[i]);
		uint64_t plain = plain_charge(t, b, sizes[i]);
		struct vmo *v;

		dirty_next_block(order);
		if (!KT_EXPECT_OK(t, vmo_create_contiguous(b, node, sizes[i], &v)))
			continue;
		expect_one_block(t, v, sizes[i]);
		/* The block's frames past the size are charged, nothing else differs. */
		KT_EXPECT_EQ(t, b->used, plain + (PAGE_SIZE << order) - ALIGN_UP(sizes[i], PAGE_SIZE));
		KT_EXPECT_EQ(t, v->node, node);
		if (ns.total_frames > 0)
			KT_EXPECT_EQ(t, numa_node_of_phys(v->pages[0]), node);
		drop(v);
		KT_EXPECT_EQ(t, b->used, 0);
	}
	budget_put(b);
	KT_EXPECT_OK(t, frame_check());
}

/* The block goes back whole, and only when the last reference goes. */
static void vmo_contiguous_freed_as_one_block(struct ktest *t)
{
	struct budget *b;
	struct vmo *v;

	KT_ASSERT(t, KT_EXPECT_OK(t, budget_create(NULL, BIG_BUDGET, &b)));
	(void)plain_charge(t, b, 5 * PAGE_SIZE); /* warm the caches: no slab grows below */
	uint64_t before = frame_get_stats().free_frames;
	if (KT_EXPECT_OK(t, vmo_create_contiguous(b, this_cpu()->node, 5 * PAGE_SIZE, &v))) {
		uint64_t used = b->used;
		KT_EXPECT_GE(t, before - frame_get_stats().free_frames, 8 + 1); /* block, array */
		kobj_get(&v->obj); /* a second holder, as a mapping is */
		drop(v);
		KT_EXPECT_EQ(t, b->used, used);
		KT_EXPECT_LT(t, frame_get_stats().free_frames, before);
		drop(v);
	}
	KT_EXPECT_EQ(t, frame_get_stats().free_frames, before);
	KT_EXPECT_EQ(t, b->used, 0);
	budget_put(b);
	KT_EXPECT_OK(t, frame_check());
}

static void vmo_contiguous_refuses_bad_sizes(struct ktest *t)
{
	static const uint64_t bad[] = { 0, FE_VMO_CONTIGUOUS_MAX + 1, VMO_MAX_SIZE, UINT64_MAX };
	uint64_t objects = kobj_count();
	struct budget *b;
	struct vmo *v;

	KT_ASSERT(t, KT_EXPECT_OK(t, budget_create(NULL, BIG_BUDGET, &b)));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		KT_EXPECT_STATUS(t, vmo_create_contiguous(b, this_cpu()->node, bad[i], &v),
		                 FE_ERR_INVALID_ARG);
	KT_EXPECT_EQ(t, b->used, 0);
	KT_EXPECT_EQ(t, kobj_count(), objects);
	budget_put(b);
}

/*
 * A budget one byte short of what a 16-page contiguous VMO costs refuses it
 * at the block's charge (after the object and its array were charged), and
 * leaves nothing; one exactly that large takes it.
 */
static void vmo_contiguous_over_budget_changes_nothing(struct ktest *t)
{
	uint64_t size = 16 * PAGE_SIZE, cost, objects = kobj_count();
	struct budget *b;
	struct vmo *v;

	KT_ASSERT(t, KT_EXPECT_OK(t, budget_create(NULL, BIG_BUDGET, &b)));
	cost = plain_charge(t, b, size); /* a power of two: the same as contiguous */
	budget_put(b);
	uint64_t free_before = frame_get_stats().free_frames;
	KT_ASSERT(t, KT_EXPECT_OK(t, budget_create(NULL, cost - 1, &b)));
	KT_EXPECT_STATUS(t, vmo_create_contiguous(b, this_cpu()->node, size, &v), FE_ERR_NO_MEMORY);
	KT_EXPECT_EQ(t, b->used, 0);
	KT_EXPECT_EQ(t, kobj_count(), objects);
	KT_EXPECT_EQ(t, frame_get_stats().free_frames, free_before);
	budget_put(b);
	KT_ASSERT(t, KT_EXPECT_OK(t, budget_create(NULL, cost, &b)));
	if (KT_EXPECT_OK(t, vmo_create_contiguous(b, this_cpu()->node, size, &v))) {
		KT_EXPECT_EQ(t, b->used, cost);
		drop(v);
	}
	KT_EXPECT_EQ(t, b->used, 0);
	budget_put(b);
}

/* Frees the largest-order block at the head of a chain; returns the next. */
static uint64_t give_back(uint64_t head)
{
	uint64_t next = *(uint64_t *)phys_to_virt(head);

	frame_free(head, BUDDY_MAX_ORDER);
	return next;
}

/*
 * With no free block of the largest order on any node, a largest contiguous
 * VMO is refused with FE_ERR_NO_MEMORY, its charge undone; with one block
 * back, a small one is made from it. The blocks are taken (chained through
 * their first word, as in the frame suite) and given back after.
 */
static void vmo_contiguous_without_a_block_changes_nothing(struct ktest *t)
{
	uint64_t head = CHAIN_END, pa, objects = kobj_count();
	struct budget *b;
	struct vmo *v;

	KT_ASSERT(t, KT_EXPECT_OK(t, budget_create(NULL, BIG_BUDGET, &b)));
	while (frame_alloc(BUDDY_MAX_ORDER, &pa) == FE_OK) {
		*(uint64_t *)phys_to_virt(pa) = head;
		head = pa;
	}
	KT_EXPECT_STATUS(t, vmo_create_contiguous(b, this_cpu()->node, FE_VMO_CONTIGUOUS_MAX, &v),
	                 FE_ERR_NO_MEMORY);
	KT_EXPECT_EQ(t, b->used, 0);
	KT_EXPECT_EQ(t, kobj_count(), objects);
	if (head != CHAIN_END)
		head = give_back(head);
	if (KT_EXPECT_OK(t, vmo_create_contiguous(b, this_cpu()->node, PAGE_SIZE, &v)))
		drop(v);
	while (head != CHAIN_END)
		head = give_back(head);
	KT_EXPECT_EQ(t, b->used, 0);
	budget_put(b);
	KT_EXPECT_OK(t, frame_check());
}

KTEST_SUITE(vmo,
	KTEST_CASE(vmo_contiguous_pages_form_one_aligned_block),
	KTEST_CASE(vmo_contiguous_freed_as_one_block),
	KTEST_CASE(vmo_contiguous_refuses_bad_sizes),
	KTEST_CASE(vmo_contiguous_over_budget_changes_nothing),
	KTEST_CASE(vmo_contiguous_without_a_block_changes_nothing));
