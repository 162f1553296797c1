/* SPDX-License-Identifier: MIT */
/*
 * The rings of the block protocol (ferrous/block.h), for either side, and
 * the driver's checks of what a client writes there (user/lib/block_check.c:
 * pure, host-tested and fuzzed).
 */
#ifndef FE_BLOCK_RING_H
#define FE_BLOCK_RING_H

#include <stdint.h>

#include <fe/ring.h>

#include <ferrous/block.h>
#include <ferrous/errors.h>

FE_RING_DEFINE(fe_blk_avail, struct fe_blk_req, FE_BLK_DEPTH)
FE_RING_DEFINE(fe_blk_used, struct fe_blk_done, FE_BLK_DEPTH)

/* What a driver can do for one client. */
struct fe_blk_limits {
	uint64_t capacity;     /* sectors on the disk */
	uint64_t data_size;    /* bytes in the client's data buffer */
	uint32_t max_sectors;  /* per request, >= 1 */
	uint32_t flags;        /* FE_BLK_F_* */
};

/* FE_OK if the driver can do r as it stands: a known op; for a read or
 * write, 1..max_sectors sectors inside the disk and inside the data
 * buffer at r->off, and no write to a read-only disk; for a flush, zero
 * sector, offset and count. Otherwise the status the request is answered
 * with (ferrous/block.h). No overflow for any input. */
fe_status_t fe_blk_check(const struct fe_blk_limits *l, const struct fe_blk_req *r);

/* How many requests a driver may take now: `published` is the client's
 * avail index as read, `seen` the driver's own count of requests taken,
 * `held` those taken and not yet answered. FE_ERR_OUT_OF_RANGE (and *n = 0)
 * if the client claims more than FE_BLK_DEPTH outstanding: it broke the
 * protocol. */
fe_status_t fe_blk_pending(uint32_t published, uint32_t seen, uint32_t held, uint32_t *n);

#endif /* FE_BLOCK_RING_H */
