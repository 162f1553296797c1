/* SPDX-License-Identifier: MIT */
/* The frame suite: the buddy allocator on the machine's real memory. */
#include "core/fault_catch.h"
#include "core/kernel.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "test/ktest.h"

/* Blocks are naturally aligned, writable through the direct map, and distinct. */
static void frame_alloc_aligned_and_usable(struct ktest *t)
{
	uint64_t pa[BUDDY_MAX_ORDER + 1];

	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++) {
		KT_ASSERT(t, KT_EXPECT_OK(t, frame_alloc(o, &pa[o])));
		KT_EXPECT_EQ(t, pa[o] % (FE_PAGE_SIZE << o), 0);
		uint64_t *p = phys_to_virt(pa[o]);
		uint64_t words = (FE_PAGE_SIZE << o) / 8;
		for (uint64_t i = 0; i < words; i += 509)
			p[i] = pa[o] ^ i;
		for (uint64_t i = 0; i < words; i += 509)
			KT_EXPECT_EQ(t, p[i], pa[o] ^ i);
	}
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++)
		for (unsigned q = o + 1; q <= BUDDY_MAX_ORDER; q++)
			KT_EXPECT(t, pa[o] + (FE_PAGE_SIZE << o) <= pa[q] ||
			                 pa[q] + (FE_PAGE_SIZE << q) <= pa[o]);
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++)
		frame_free(pa[o], o);
	KT_EXPECT_OK(t, frame_check());
}

static void frame_zeroed_is_zero(struct ktest *t)
{
	uint64_t pa;

	KT_ASSERT(t, KT_EXPECT_OK(t, frame_alloc(1, &pa)));
	memset(phys_to_virt(pa), 0xa5, 2 * FE_PAGE_SIZE);
	frame_free(pa, 1);
	KT_ASSERT(t, KT_EXPECT_OK(t, frame_alloc_zeroed(1, &pa)));
	const uint8_t *b = phys_to_virt(pa);
	bool zero = true;
	for (uint64_t i = 0; i < 2 * FE_PAGE_SIZE; i++)
		zero &= b[i] == 0;
	KT_EXPECT(t, zero);
	frame_free(pa, 1);
}

#define CHAIN_END UINT64_MAX

/*
 * Allocates every frame (largest blocks first, chaining them through their
 * first two words: next block, own order), checks that the next request
 * fails with FE_ERR_NO_MEMORY, then frees everything and checks nothing
 * leaked.
 */
static void frame_exhaustion_is_an_error(struct ktest *t)
{
	struct frame_stats before = frame_get_stats();
	uint64_t head = CHAIN_END, pa, blocks = 0;

	for (unsigned o = BUDDY_MAX_ORDER + 1; o-- > 0;) {
		while (frame_alloc(o, &pa) == FE_OK) {
			uint64_t *link = phys_to_virt(pa);
			link[0] = head;
			link[1] = o;
			head = pa;
			blocks++;
		}
	}
	KT_EXPECT_STATUS(t, frame_alloc(0, &pa), FE_ERR_NO_MEMORY);
	struct frame_stats empty = frame_get_stats();
	KT_EXPECT_EQ(t, empty.free_frames, 0);
	KT_EXPECT_GT(t, empty.failures, before.failures);

	while (head != CHAIN_END) {
		const uint64_t *link = phys_to_virt(head);
		uint64_t next = link[0];
		frame_free(head, (unsigned)link[1]);
		head = next;
	}
	struct frame_stats after = frame_get_stats();
	KT_EXPECT_EQ(t, after.free_frames, before.free_frames);
	KT_EXPECT_OK(t, frame_check());
	ktest_note(t, "%llu blocks, %llu MiB allocated and freed", (unsigned long long)blocks,
	           (unsigned long long)(before.free_frames >> 8));
}

/* A double free or a free at the wrong order is a bug: the kernel panics. */
static void frame_double_free_panics(struct ktest *t)
{
	struct fault_catch fc;
	uint64_t pa;

	KT_ASSERT(t, KT_EXPECT_OK(t, frame_alloc(0, &pa)));
	frame_free(pa, 0);
	if (FAULT_CATCH(&fc) == 0) {
		frame_free(pa, 0);
		fault_catch_disarm();
	}
	KT_EXPECT(t, fc.fired);
	KT_EXPECT_EQ(t, fc.kind, FAULT_KIND_PANIC);
	KT_EXPECT(t, strncmp(fc.detail, "frame_free:", 11) == 0);

	KT_ASSERT(t, KT_EXPECT_OK(t, frame_alloc(0, &pa)));
	if (FAULT_CATCH(&fc) == 0) {
		frame_free(pa, 3);
		fault_catch_disarm();
	}
	KT_EXPECT(t, fc.fired);
	frame_free(pa, 0);
	KT_EXPECT_OK(t, frame_check());
}

KTEST_SUITE(frame,
	KTEST_CASE(frame_alloc_aligned_and_usable),
	KTEST_CASE(frame_zeroed_is_zero),
	KTEST_CASE(frame_exhaustion_is_an_error),
	KTEST_CASE(frame_double_free_panics));
