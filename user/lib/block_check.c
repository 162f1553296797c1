/* SPDX-License-Identifier: MIT */
/* The block driver's checks of its client's ring entries (fe/block_ring.h). */
#include <fe/block_ring.h>

static fe_status_t check_transfer(const struct fe_blk_limits *l, const struct fe_blk_req *r)
{
	uint64_t bytes = (uint64_t)r->count * FE_BLK_SECTOR; /* count < 2^32: no overflow */

	if (r->count == 0 || r->count > l->max_sectors)
		return FE_ERR_INVALID_ARG;
	if (r->sector > l->capacity || r->count > l->capacity - r->sector)
		return FE_ERR_OUT_OF_RANGE;
	if (r->off > l->data_size || bytes > l->data_size - r->off)
		return FE_ERR_OUT_OF_RANGE;
	if (r->op == FE_BLK_OP_WRITE && (l->flags & FE_BLK_F_READ_ONLY))
		return FE_ERR_ACCESS_DENIED;
	return FE_OK;
}

fe_status_t fe_blk_check(const struct fe_blk_limits *l, const struct fe_blk_req *r)
{
	switch (r->op) {
	case FE_BLK_OP_READ:
	case FE_BLK_OP_WRITE:
		return check_transfer(l, r);
	case FE_BLK_OP_FLUSH:
		return r->sector == 0 && r->off == 0 && r->count == 0 ? FE_OK : FE_ERR_INVALID_ARG;
	default:
		return FE_ERR_INVALID_ARG;
	}
}

fe_status_t fe_blk_pending(uint32_t published, uint32_t seen, uint32_t held, uint32_t *n)
{
	uint32_t posted = published - seen; /* free-running: wraps cleanly */

	*n = 0;
	if (held > FE_BLK_DEPTH || posted > FE_BLK_DEPTH - held)
		return FE_ERR_OUT_OF_RANGE;
	*n = posted;
	return FE_OK;
}
