/* SPDX-License-Identifier: MIT */
/* The slab suite: object caches on real frames, misuse caught. */
#include "core/fault_catch.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmem.h"
#include "test/ktest.h"

struct thing {
	uint64_t a, b, c;
	char name[40];
};

static struct kmem_cache thing_cache;
static bool thing_cache_ready;

static struct kmem_cache *cache(void)
{
	if (!thing_cache_ready) {
		kmem_cache_init(&thing_cache, "ktest-thing", sizeof(struct thing), 16);
		thing_cache_ready = true;
	}
	return &thing_cache;
}

static void slab_objects_are_distinct_and_aligned(struct ktest *t)
{
	enum { N = 300 };
	static struct thing *objs[N];

	for (int i = 0; i < N; i++) {
		KT_ASSERT(t, KT_EXPECT_OK(t, kmem_zalloc(cache(), (void **)&objs[i])));
		KT_EXPECT_EQ(t, (uintptr_t)objs[i] % 16, 0);
		KT_EXPECT_EQ(t, objs[i]->a | objs[i]->b | objs[i]->c, 0);
		objs[i]->a = (uint64_t)i;
	}
	for (int i = 0; i < N; i++)
		KT_EXPECT_EQ(t, objs[i]->a, i);
	struct kmem_stats s = kmem_cache_stats(cache());
	KT_EXPECT_EQ(t, s.inuse, N);
	KT_EXPECT_GT(t, s.slabs, 1);
	for (int i = 0; i < N; i++)
		kmem_free(cache(), objs[i]);
	s = kmem_cache_stats(cache());
	KT_EXPECT_EQ(t, s.inuse, 0);
	KT_EXPECT_LE(t, s.slabs, 1); /* only the one kept for reuse */
}

/* Freed objects return their pages: allocating and freeing leaks nothing. */
static void slab_returns_pages(struct ktest *t)
{
	struct thing *objs[64];
	uint64_t before = frame_get_stats().free_frames;

	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 64; i++)
			KT_ASSERT(t, KT_EXPECT_OK(t, kmem_alloc(cache(), (void **)&objs[i])));
		for (int i = 0; i < 64; i++)
			kmem_free(cache(), objs[i]);
	}
	/* At most the one empty slab stays cached. */
	KT_EXPECT_LE(t, before - frame_get_stats().free_frames, 1);
}

static void slab_double_free_panics(struct ktest *t)
{
	struct fault_catch fc;
	void *o;

	KT_ASSERT(t, KT_EXPECT_OK(t, kmem_alloc(cache(), &o)));
	kmem_free(cache(), o);
	if (FAULT_CATCH(&fc) == 0) {
		kmem_free(cache(), o);
		fault_catch_disarm();
	}
	KT_EXPECT(t, fc.fired);
	KT_EXPECT_EQ(t, fc.kind, FAULT_KIND_PANIC);
	KT_EXPECT(t, strncmp(fc.detail, "kmem_free(ktest-thing): double free", 35) == 0);
}

static void slab_foreign_pointer_panics(struct ktest *t)
{
	struct fault_catch fc;
	struct thing *o;

	KT_ASSERT(t, KT_EXPECT_OK(t, kmem_alloc(cache(), (void **)&o)));
	if (FAULT_CATCH(&fc) == 0) {
		kmem_free(cache(), (char *)o + 8); /* not an object boundary */
		fault_catch_disarm();
	}
	KT_EXPECT(t, fc.fired);
	KT_EXPECT(t, strncmp(fc.detail, "kmem_free(ktest-thing): ", 24) == 0);
	kmem_free(cache(), o);
}

/* Debug builds poison freed objects: a write after free is caught when the
 * object would next be handed out. */
static void slab_write_after_free_panics(struct ktest *t)
{
	struct fault_catch fc;
	struct thing *o, *again;

	KT_ASSERT(t, KT_EXPECT_OK(t, kmem_alloc(cache(), (void **)&o)));
	kmem_free(cache(), o);
	o->c = 1234; /* the bug under test */
	if (FAULT_CATCH(&fc) == 0) {
		KT_EXPECT_OK(t, kmem_alloc(cache(), (void **)&again));
		fault_catch_disarm();
	}
	KT_EXPECT(t, fc.fired);
	KT_EXPECT(t, strncmp(fc.detail, "kmem_alloc(ktest-thing): free object", 36) == 0);
	/* Repair the poison so the cache stays usable for later tests. */
	memset(&o->c, SLAB_POISON_BYTE, sizeof(o->c));
	KT_EXPECT_OK(t, kmem_alloc(cache(), (void **)&again));
	KT_EXPECT_EQ(t, again, o);
	kmem_free(cache(), again);
}

KTEST_SUITE(slab,
	KTEST_CASE(slab_objects_are_distinct_and_aligned),
	KTEST_CASE(slab_returns_pages),
	KTEST_CASE(slab_double_free_panics),
	KTEST_CASE(slab_foreign_pointer_panics),
	KTEST_CASE(slab_write_after_free_panics));
