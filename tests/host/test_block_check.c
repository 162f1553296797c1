/* SPDX-License-Identifier: MIT */
/*
 * The block driver's checks of what its client writes in shared memory
 * (user/lib/block_check.c): every request field and the published index
 * are hostile input, and each bad one has its status; none overflows.
 */
#include "host_test.h"

#include <fe/block_ring.h>

static const struct fe_blk_limits lim = {
	.capacity = 16384, .data_size = 65536, .max_sectors = 2048, .flags = FE_BLK_F_FLUSH,
};

static fe_status_t check(uint8_t op, uint64_t sector, uint32_t count, uint64_t off)
{
	const struct fe_blk_req r = { .op = op, .sector = sector, .count = count, .off = off, .tag = 7 };

	return fe_blk_check(&lim, &r);
}

static void good_requests(void **state)
{
	(void)state;
	assert_status(check(FE_BLK_OP_READ, 0, 1, 0), FE_OK);
	assert_status(check(FE_BLK_OP_WRITE, 16383, 1, 65024), FE_OK); /* last sector, last 512 bytes */
	assert_status(check(FE_BLK_OP_READ, 16384 - 128, 128, 0), FE_OK); /* the whole buffer */
	assert_status(check(FE_BLK_OP_FLUSH, 0, 0, 0), FE_OK);
}

static void unknown_ops_and_counts(void **state)
{
	(void)state;
	assert_status(check(0, 0, 1, 0), FE_ERR_INVALID_ARG);
	assert_status(check(4, 0, 1, 0), FE_ERR_INVALID_ARG);
	assert_status(check(0xff, 0, 1, 0), FE_ERR_INVALID_ARG);
	assert_status(check(FE_BLK_OP_READ, 0, 0, 0), FE_ERR_INVALID_ARG);
	assert_status(check(FE_BLK_OP_READ, 0, 2049, 0), FE_ERR_INVALID_ARG);
	assert_status(check(FE_BLK_OP_WRITE, 0, UINT32_MAX, 0), FE_ERR_INVALID_ARG);
	assert_status(check(FE_BLK_OP_FLUSH, 1, 0, 0), FE_ERR_INVALID_ARG);
	assert_status(check(FE_BLK_OP_FLUSH, 0, 1, 0), FE_ERR_INVALID_ARG);
	assert_status(check(FE_BLK_OP_FLUSH, 0, 0, 512), FE_ERR_INVALID_ARG);
}

static void past_the_disk_or_the_buffer(void **state)
{
	(void)state;
	assert_status(check(FE_BLK_OP_READ, 16384, 1, 0), FE_ERR_OUT_OF_RANGE);
	assert_status(check(FE_BLK_OP_READ, 16383, 2, 0), FE_ERR_OUT_OF_RANGE);
	assert_status(check(FE_BLK_OP_READ, UINT64_MAX, 2, 0), FE_ERR_OUT_OF_RANGE); /* wraps */
	assert_status(check(FE_BLK_OP_READ, 0, 1, 65536), FE_ERR_OUT_OF_RANGE);
	assert_status(check(FE_BLK_OP_READ, 0, 2, 65025), FE_ERR_OUT_OF_RANGE);
	assert_status(check(FE_BLK_OP_READ, 0, 2, UINT64_MAX - 100), FE_ERR_OUT_OF_RANGE); /* wraps */
	assert_status(check(FE_BLK_OP_READ, 0, 129, 0), FE_ERR_OUT_OF_RANGE); /* more than the buffer */
}

static void writes_to_a_read_only_disk(void **state)
{
	struct fe_blk_limits ro = lim;
	const struct fe_blk_req w = { .op = FE_BLK_OP_WRITE, .count = 1 };
	const struct fe_blk_req r = { .op = FE_BLK_OP_READ, .count = 1 };

	(void)state;
	ro.flags |= FE_BLK_F_READ_ONLY;
	assert_status(fe_blk_check(&ro, &w), FE_ERR_ACCESS_DENIED);
	assert_status(fe_blk_check(&ro, &r), FE_OK);
}

static void published_index(void **state)
{
	uint32_t n = 99;

	(void)state;
	assert_status(fe_blk_pending(5, 5, 0, &n), FE_OK);
	assert_int_equal(n, 0);
	assert_status(fe_blk_pending(37, 5, 0, &n), FE_OK);
	assert_int_equal(n, 32);
	assert_status(fe_blk_pending(38, 5, 0, &n), FE_ERR_OUT_OF_RANGE);
	assert_int_equal(n, 0);
	assert_status(fe_blk_pending(20, 5, 17, &n), FE_OK); /* 17 held + 15 new = 32 */
	assert_int_equal(n, 15);
	assert_status(fe_blk_pending(21, 5, 17, &n), FE_ERR_OUT_OF_RANGE);
	assert_status(fe_blk_pending(4, 5, 0, &n), FE_ERR_OUT_OF_RANGE); /* behind: 2^32 - 1 ahead */
	assert_status(fe_blk_pending(3, UINT32_MAX - 2, 0, &n), FE_OK);  /* across the wrap */
	assert_int_equal(n, 6);
	assert_status(fe_blk_pending(0, 0, 33, &n), FE_ERR_OUT_OF_RANGE); /* held past the depth */
}

int main(int argc, char **argv)
{
	(void)argc, (void)argv;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_requests),
		cmocka_unit_test(unknown_ops_and_counts),
		cmocka_unit_test(past_the_disk_or_the_buffer),
		cmocka_unit_test(writes_to_a_read_only_disk),
		cmocka_unit_test(published_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
