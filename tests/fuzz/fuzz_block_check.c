/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for user/lib/block_check.c: what a block client writes
 * in the ring it shares with the driver, and the driver's limits. Whatever
 * fe_blk_check accepts must be a request the driver can give the device as
 * it stands, and fe_blk_pending must never let a client have more than
 * FE_BLK_DEPTH requests outstanding. Any violated invariant aborts with the
 * line that failed.
 *
 * Input layout (little-endian):
 *   [0, 24)   limits: capacity (8), data size (8), most sectors (4), flags (4)
 *   [24, 36)  indices: published, seen, held (4 each)
 *   [36, ...) requests of 24 bytes (struct fe_blk_req), each checked
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fe/block_ring.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond)                                                                      \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "fuzz_block_check: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                           \
		}                                                                          \
	} while (0)

static void check_request(const struct fe_blk_limits *l, const struct fe_blk_req *r)
{
	fe_status_t st = fe_blk_check(l, r);

	if (st != FE_OK) {
		REQUIRE(st == FE_ERR_INVALID_ARG || st == FE_ERR_OUT_OF_RANGE ||
		        st == FE_ERR_ACCESS_DENIED);
		return;
	}
	if (r->op == FE_BLK_OP_FLUSH) {
		REQUIRE(r->sector == 0 && r->off == 0 && r->count == 0);
		return;
	}
	REQUIRE(r->op == FE_BLK_OP_READ || r->op == FE_BLK_OP_WRITE);
	REQUIRE(r->count >= 1 && r->count <= l->max_sectors);
	/* In 128-bit arithmetic: no wrap can make these pass. */
	REQUIRE((unsigned __int128)r->sector + r->count <= l->capacity);
	REQUIRE((unsigned __int128)r->off + (unsigned __int128)r->count * FE_BLK_SECTOR <= l->data_size);
	REQUIRE(!(r->op == FE_BLK_OP_WRITE && (l->flags & FE_BLK_F_READ_ONLY)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fe_blk_limits l;
	uint32_t idx[3], n = 1;

	if (size < 36)
		return 0;
	memcpy(&l.capacity, data, 8);
	memcpy(&l.data_size, data + 8, 8);
	memcpy(&l.max_sectors, data + 16, 4);
	memcpy(&l.flags, data + 20, 4);
	memcpy(idx, data + 24, sizeof(idx));
	if (fe_blk_pending(idx[0], idx[1], idx[2], &n) == FE_OK) {
		REQUIRE(idx[2] <= FE_BLK_DEPTH && n <= FE_BLK_DEPTH - idx[2]);
		REQUIRE(idx[1] + n == idx[0]);
	} else {
		REQUIRE(n == 0);
	}
	for (size_t at = 36; at + sizeof(struct fe_blk_req) <= size; at += sizeof(struct fe_blk_req)) {
		struct fe_blk_req r;
		memcpy(&r, data + at, sizeof(r));
		check_request(&l, &r);
	}
	return 0;
}
