/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/mm/buddy.c: splitting and merging, exhaustion, the
 * errors for double and mismatched frees, holes in the span, and a random
 * workload checked against a shadow model after every step.
 */
#include "host_test.h"

#include <stdbool.h>

#include "mm/buddy.h"

#define ORDER_MAX_FRAMES (1u << BUDDY_MAX_ORDER)

struct fixture {
	struct buddy b;
	struct frame *meta;
};

/* A buddy over [lo, hi) with everything in it added. */
static struct fixture *make(uint64_t lo, uint64_t hi, bool add)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->meta = calloc(buddy_meta_count(lo, hi), sizeof(struct frame));
	assert_non_null(f->meta);
	assert_status(buddy_init(&f->b, lo, hi, f->meta), FE_OK);
	if (add)
		assert_status(buddy_add_range(&f->b, lo, hi - lo), FE_OK);
	assert_status(buddy_check(&f->b), FE_OK);
	return f;
}

static void destroy(struct fixture *f)
{
	free(f->meta);
	free(f);
}

static void split_and_merge(void **state)
{
	(void)state;
	struct fixture *f = make(0, ORDER_MAX_FRAMES, true);
	uint64_t pfn;

	assert_int_equal(f->b.free_blocks[BUDDY_MAX_ORDER], 1);
	assert_status(buddy_alloc(&f->b, 0, &pfn), FE_OK);
	assert_int_equal(pfn, 0);
	/* One order-0 frame out of a 1024-frame block leaves one block of each smaller order. */
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++)
		assert_int_equal(f->b.free_blocks[o], 1);
	assert_int_equal(f->b.free_blocks[BUDDY_MAX_ORDER], 0);
	assert_int_equal(f->b.free_frames, ORDER_MAX_FRAMES - 1);
	assert_status(buddy_check(&f->b), FE_OK);

	assert_status(buddy_free(&f->b, pfn, 0), FE_OK);
	assert_int_equal(f->b.free_blocks[BUDDY_MAX_ORDER], 1);
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++)
		assert_int_equal(f->b.free_blocks[o], 0);
	assert_status(buddy_check(&f->b), FE_OK);
	destroy(f);
}

static void blocks_are_naturally_aligned(void **state)
{
	(void)state;
	struct fixture *f = make(3, 3 + 5 * ORDER_MAX_FRAMES, true);
	uint64_t pfn;

	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++) {
		assert_status(buddy_alloc(&f->b, o, &pfn), FE_OK);
		assert_int_equal(pfn % (1u << o), 0);
		assert_true(pfn >= 3);
	}
	assert_status(buddy_check(&f->b), FE_OK);
	destroy(f);
}

static void exhaustion_returns_no_memory(void **state)
{
	(void)state;
	struct fixture *f = make(0, 64, true);
	uint64_t pfn, seen = 0;

	for (unsigned i = 0; i < 64; i++) {
		assert_status(buddy_alloc(&f->b, 0, &pfn), FE_OK);
		assert_false(seen & (1ULL << pfn));
		seen |= 1ULL << pfn;
	}
	assert_int_equal(f->b.free_frames, 0);
	assert_status(buddy_alloc(&f->b, 0, &pfn), FE_ERR_NO_MEMORY);
	assert_status(buddy_alloc(&f->b, BUDDY_MAX_ORDER + 1, &pfn), FE_ERR_NO_MEMORY);
	for (unsigned i = 0; i < 64; i++)
		assert_status(buddy_free(&f->b, i, 0), FE_OK);
	assert_int_equal(f->b.free_frames, 64);
	assert_int_equal(f->b.free_blocks[6], 1);
	assert_status(buddy_check(&f->b), FE_OK);
	destroy(f);
}

static void double_free_is_detected(void **state)
{
	(void)state;
	struct fixture *f = make(0, ORDER_MAX_FRAMES, true);
	uint64_t a, b;

	assert_status(buddy_alloc(&f->b, 2, &a), FE_OK);
	assert_status(buddy_alloc(&f->b, 2, &b), FE_OK);
	assert_status(buddy_free(&f->b, a, 2), FE_OK);
	assert_status(buddy_free(&f->b, a, 2), FE_ERR_BAD_STATE);
	/* Wrong order, interior frame, misaligned, outside the span. */
	assert_status(buddy_free(&f->b, b, 1), FE_ERR_BAD_STATE);
	assert_status(buddy_free(&f->b, b + 1, 0), FE_ERR_BAD_STATE);
	assert_status(buddy_free(&f->b, b + 1, 2), FE_ERR_INVALID_ARG);
	assert_status(buddy_free(&f->b, ORDER_MAX_FRAMES + 5, 0), FE_ERR_INVALID_ARG);
	assert_status(buddy_free(&f->b, b, BUDDY_MAX_ORDER + 1), FE_ERR_INVALID_ARG);
	/* Nothing changed: b is still allocated and frees normally. */
	assert_status(buddy_check(&f->b), FE_OK);
	assert_status(buddy_free(&f->b, b, 2), FE_OK);
	assert_int_equal(f->b.free_frames, ORDER_MAX_FRAMES);
	assert_status(buddy_check(&f->b), FE_OK);
	destroy(f);
}

static void add_range_checks(void **state)
{
	(void)state;
	struct fixture *f = make(100, 300, false);

	assert_int_equal(f->b.free_frames, 0);
	assert_status(buddy_add_range(&f->b, 120, 10), FE_OK);
	assert_status(buddy_add_range(&f->b, 125, 10), FE_ERR_BAD_STATE); /* overlaps */
	assert_status(buddy_add_range(&f->b, 290, 20), FE_ERR_OUT_OF_RANGE);
	assert_status(buddy_add_range(&f->b, 10, 1), FE_ERR_OUT_OF_RANGE);
	assert_status(buddy_add_range(&f->b, 150, 0), FE_ERR_OUT_OF_RANGE);
	assert_int_equal(f->b.free_frames, 10);
	assert_status(buddy_check(&f->b), FE_OK);
	destroy(f);
}

/* Frames in holes (never added) are never handed out. */
static void holes_are_never_allocated(void **state)
{
	(void)state;
	struct fixture *f = make(0, 4 * ORDER_MAX_FRAMES, false);
	uint64_t pfn, n = 0;

	assert_status(buddy_add_range(&f->b, 7, 100), FE_OK);
	assert_status(buddy_add_range(&f->b, 2000, 1000), FE_OK);
	while (buddy_alloc(&f->b, 0, &pfn) == FE_OK) {
		assert_true((pfn >= 7 && pfn < 107) || (pfn >= 2000 && pfn < 3000));
		n++;
	}
	assert_int_equal(n, 1100);
	destroy(f);
}

static void init_rejects_bad_spans(void **state)
{
	(void)state;
	struct buddy b;
	struct frame meta[4];

	assert_status(buddy_init(&b, 10, 10, meta), FE_ERR_INVALID_ARG);
	assert_status(buddy_init(&b, 10, 5, meta), FE_ERR_INVALID_ARG);
	assert_status(buddy_init(&b, 0, 1ULL << 33, meta), FE_ERR_INVALID_ARG);
	assert_status(buddy_init(&b, 0, 4, NULL), FE_ERR_INVALID_ARG);
}

/* Random allocations and frees against a shadow bitmap of owned frames. */
static void random_workload_matches_model(void **state)
{
	(void)state;
	enum { SPAN = 3 * ORDER_MAX_FRAMES + 77, LIVE = 256 };
	struct fixture *f = make(5, 5 + SPAN, true);
	uint8_t *owned = calloc(5 + SPAN, 1);
	uint64_t live_pfn[LIVE];
	unsigned live_order[LIVE], nlive = 0;
	unsigned seed = 12345;

	for (int step = 0; step < 20000; step++) {
		seed = seed * 1103515245u + 12345u;
		if (nlive < LIVE && (seed >> 16) % 3 != 0) {
			unsigned o = (seed >> 8) % 6;
			uint64_t pfn;
			if (buddy_alloc(&f->b, o, &pfn) != FE_OK)
				continue;
			for (uint64_t i = pfn; i < pfn + (1u << o); i++) {
				assert_false(owned[i]);
				owned[i] = 1;
			}
			live_pfn[nlive] = pfn;
			live_order[nlive++] = o;
		} else if (nlive > 0) {
			unsigned k = (seed >> 4) % nlive;
			assert_status(buddy_free(&f->b, live_pfn[k], live_order[k]), FE_OK);
			for (uint64_t i = live_pfn[k]; i < live_pfn[k] + (1u << live_order[k]); i++)
				owned[i] = 0;
			live_pfn[k] = live_pfn[--nlive];
			live_order[k] = live_order[nlive];
		}
		if (step % 500 == 0)
			assert_status(buddy_check(&f->b), FE_OK);
	}
	while (nlive > 0) {
		nlive--;
		assert_status(buddy_free(&f->b, live_pfn[nlive], live_order[nlive]), FE_OK);
	}
	assert_int_equal(f->b.free_frames, SPAN);
	assert_status(buddy_check(&f->b), FE_OK);
	free(owned);
	destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_and_merge),
		cmocka_unit_test(blocks_are_naturally_aligned),
		cmocka_unit_test(exhaustion_returns_no_memory),
		cmocka_unit_test(double_free_is_detected),
		cmocka_unit_test(add_range_checks),
		cmocka_unit_test(holes_are_never_allocated),
		cmocka_unit_test(init_rejects_bad_spans),
		cmocka_unit_test(random_workload_matches_model),
	};
	return cmocka_run_group_tests_name("buddy", tests, NULL, NULL);
}
