/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/mm/slab.c over a heap backend that counts pages, so
 * leaks of slabs show up as a non-zero count.
 */
#include "host_test.h"

#include <stdbool.h>

#include "mm/slab.h"

static long pages_out;
static bool backend_fail;

static fe_status_t test_alloc_pages(unsigned order, void **va)
{
	size_t bytes = (size_t)SLAB_PAGE << order;

	if (backend_fail)
		return FE_ERR_NO_MEMORY;
	*va = aligned_alloc(bytes, bytes);
	assert_non_null(*va);
	memset(*va, 0xee, bytes); /* pages arrive dirty, as in the kernel */
	pages_out += 1L << order;
	return FE_OK;
}

static void test_free_pages(void *va, unsigned order)
{
	pages_out -= 1L << order;
	free(va);
}

static const struct slab_backend backend = { test_alloc_pages, test_free_pages };

static int reset(void **state)
{
	(void)state;
	pages_out = 0;
	backend_fail = false;
	return 0;
}

static void init_checks_arguments(void **state)
{
	(void)state;
	struct slab_cache c;

	assert_status(slab_cache_init(&c, "x", 0, 8, 0, &backend), FE_ERR_INVALID_ARG);
	assert_status(slab_cache_init(&c, "x", 32, 3, 0, &backend), FE_ERR_INVALID_ARG);
	assert_status(slab_cache_init(&c, "x", 32, 8192, 0, &backend), FE_ERR_INVALID_ARG);
	assert_status(slab_cache_init(&c, "x", 32, 8, 0, NULL), FE_ERR_INVALID_ARG);
	assert_status(slab_cache_init(&c, "x", 64 * 1024, 8, 0, &backend), FE_ERR_INVALID_ARG);
	assert_status(slab_cache_init(&c, "x", 3000, 64, 0, &backend), FE_OK);
	assert_true(c.objs_per_slab >= 8);
	assert_int_equal(c.obj_size % 64, 0);
}

static void objects_are_distinct_aligned_and_reused(void **state)
{
	(void)state;
	enum { N = 1000 };
	struct slab_cache c;
	void *objs[N];

	assert_status(slab_cache_init(&c, "t", 40, 16, SLAB_POISON, &backend), FE_OK);
	for (int i = 0; i < N; i++) {
		assert_status(slab_alloc(&c, &objs[i]), FE_OK);
		assert_int_equal((uintptr_t)objs[i] % 16, 0);
		memset(objs[i], i & 0xff, 40);
	}
	for (int i = 0; i < N; i++) {
		uint8_t *p = objs[i];
		for (int b = 0; b < 40; b++)
			assert_int_equal(p[b], i & 0xff);
	}
	assert_int_equal(c.inuse, N);
	for (int i = 0; i < N; i++)
		assert_status(slab_free(&c, objs[i]), FE_OK);
	assert_int_equal(c.inuse, 0);
	assert_int_equal(c.slabs, 1); /* one empty slab kept */
	assert_int_equal(pages_out, 1L << c.order);
	/* The kept slab serves the next allocation without a new page. */
	void *o;
	assert_status(slab_alloc(&c, &o), FE_OK);
	assert_int_equal(pages_out, 1L << c.order);
	assert_status(slab_free(&c, o), FE_OK);
	assert_status(slab_cache_destroy(&c), FE_OK);
	assert_int_equal(pages_out, 0);
}

static void double_free_is_refused(void **state)
{
	(void)state;
	struct slab_cache c;
	void *a, *b;

	assert_status(slab_cache_init(&c, "t", 24, 8, 0, &backend), FE_OK);
	assert_status(slab_alloc(&c, &a), FE_OK);
	assert_status(slab_alloc(&c, &b), FE_OK);
	assert_status(slab_free(&c, a), FE_OK);
	assert_status(slab_free(&c, a), FE_ERR_BAD_STATE);
	assert_ptr_equal(c.bad_object, a);
	assert_int_equal(c.inuse, 1);
	assert_status(slab_free(&c, b), FE_OK);
	assert_status(slab_cache_destroy(&c), FE_OK);
	assert_int_equal(pages_out, 0);
}

static void foreign_pointers_are_refused(void **state)
{
	(void)state;
	struct slab_cache c1, c2;
	void *a, *b;

	assert_status(slab_cache_init(&c1, "one", 32, 8, 0, &backend), FE_OK);
	assert_status(slab_cache_init(&c2, "two", 32, 8, 0, &backend), FE_OK);
	assert_status(slab_alloc(&c1, &a), FE_OK);
	assert_status(slab_alloc(&c2, &b), FE_OK);
	assert_status(slab_free(&c1, b), FE_ERR_INVALID_ARG);        /* other cache */
	assert_status(slab_free(&c1, (char *)a + 4), FE_ERR_INVALID_ARG); /* interior */
	assert_status(slab_free(&c1, NULL), FE_ERR_INVALID_ARG);
	/* The slab header itself is not an object. */
	assert_status(slab_free(&c1, (void *)((uintptr_t)a & ~(uintptr_t)(SLAB_PAGE - 1))),
	              FE_ERR_INVALID_ARG);
	assert_status(slab_free(&c1, a), FE_OK);
	assert_status(slab_free(&c2, b), FE_OK);
	assert_status(slab_cache_destroy(&c1), FE_OK);
	assert_status(slab_cache_destroy(&c2), FE_OK);
	assert_int_equal(pages_out, 0);
}

static void write_after_free_is_detected(void **state)
{
	(void)state;
	struct slab_cache c;
	uint64_t *o, *again;

	assert_status(slab_cache_init(&c, "t", 64, 8, SLAB_POISON, &backend), FE_OK);
	assert_status(slab_alloc(&c, (void **)&o), FE_OK);
	assert_status(slab_free(&c, o), FE_OK);
	o[3] = 7; /* use after free */
	assert_status(slab_alloc(&c, (void **)&again), FE_ERR_BAD_STATE);
	assert_ptr_equal(c.bad_object, o);
	/* Without poisoning the same bug goes unnoticed: that is the flag's job. */
	struct slab_cache plain;
	uint64_t *p, *p2;
	assert_status(slab_cache_init(&plain, "p", 64, 8, 0, &backend), FE_OK);
	assert_status(slab_alloc(&plain, (void **)&p), FE_OK);
	assert_status(slab_free(&plain, p), FE_OK);
	p[3] = 7;
	assert_status(slab_alloc(&plain, (void **)&p2), FE_OK);
	assert_ptr_equal(p2, p);
	assert_status(slab_free(&plain, p2), FE_OK);
	assert_status(slab_cache_destroy(&plain), FE_OK);
	o[3] = 0x6b6b6b6b6b6b6b6bULL; /* repair, then clean up */
	assert_status(slab_alloc(&c, (void **)&again), FE_OK);
	assert_status(slab_free(&c, again), FE_OK);
	assert_status(slab_cache_destroy(&c), FE_OK);
}

static void backend_out_of_memory_is_an_error(void **state)
{
	(void)state;
	struct slab_cache c;
	void *o;

	assert_status(slab_cache_init(&c, "t", 128, 8, 0, &backend), FE_OK);
	backend_fail = true;
	assert_status(slab_alloc(&c, &o), FE_ERR_NO_MEMORY);
	assert_int_equal(c.inuse, 0);
	assert_int_equal(c.slabs, 0);
	backend_fail = false;
	assert_status(slab_alloc(&c, &o), FE_OK);
	assert_status(slab_free(&c, o), FE_OK);
	assert_status(slab_cache_destroy(&c), FE_OK);
}

static void destroy_refuses_live_objects(void **state)
{
	(void)state;
	struct slab_cache c;
	void *objs[100];

	assert_status(slab_cache_init(&c, "t", 200, 8, 0, &backend), FE_OK);
	for (int i = 0; i < 100; i++)
		assert_status(slab_alloc(&c, &objs[i]), FE_OK);
	assert_status(slab_cache_destroy(&c), FE_ERR_BUSY);
	for (int i = 0; i < 100; i += 2)
		assert_status(slab_free(&c, objs[i]), FE_OK);
	assert_status(slab_cache_destroy(&c), FE_ERR_BUSY);
	for (int i = 1; i < 100; i += 2)
		assert_status(slab_free(&c, objs[i]), FE_OK);
	assert_status(slab_cache_destroy(&c), FE_OK);
	assert_int_equal(pages_out, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(init_checks_arguments, reset),
		cmocka_unit_test_setup(objects_are_distinct_aligned_and_reused, reset),
		cmocka_unit_test_setup(double_free_is_refused, reset),
		cmocka_unit_test_setup(foreign_pointers_are_refused, reset),
		cmocka_unit_test_setup(write_after_free_is_detected, reset),
		cmocka_unit_test_setup(backend_out_of_memory_is_an_error, reset),
		cmocka_unit_test_setup(destroy_refuses_live_objects, reset),
	};
	return cmocka_run_group_tests_name("slab", tests, NULL, NULL);
}
