/* SPDX-License-Identifier: MIT */
/* The block protocol's client (fe/block.h). */
#include <fe/block.h>
#include <fe/ipc.h>
#include <fe/runtime.h>
#include <fe/sys.h>

/* How many driver instances one request may outlive before it gives up. */
#define RETRIES_MAX 16u

static fe_status_t call(struct fe_blk *b, uint32_t label, uint64_t w0, uint64_t w1, uint64_t w2,
                        struct fe_msg *reply)
{
	struct fe_msg m = fe_msg_make(label, 3, 0);
	fe_status_t st;

	m.w[0] = w0, m.w[1] = w1, m.w[2] = w2;
	if ((st = fe_call(b->ep, &m)) != FE_OK)
		return st;
	*reply = m;
	return (fe_status_t)(int64_t)m.w[0];
}

static fe_status_t attach(struct fe_blk *b)
{
	struct fe_msg m = fe_msg_make(FE_BLK_ATTACH, 1, 0);
	fe_status_t st;

	m.w[0] = b->size;
	if ((st = fe_msg_attach_caps(&m, &b->vmo, 1)) != FE_OK || (st = fe_call(b->ep, &m)) != FE_OK)
		return st;
	return (fe_status_t)(int64_t)m.w[0];
}

/*
 * A request, repeated on the next instance if the driver died under it
 * (FE_ERR_PEER_CLOSED) or a new instance does not know our buffer yet
 * (FE_ERR_BAD_STATE: it started after the last attach).
 */
static fe_status_t request(struct fe_blk *b, uint32_t label, uint64_t w0, uint64_t w1, uint64_t w2)
{
	struct fe_msg reply;
	fe_status_t st = call(b, label, w0, w1, w2, &reply);

	for (unsigned i = 0; (st == FE_ERR_PEER_CLOSED || st == FE_ERR_BAD_STATE) && i < RETRIES_MAX;
	     i++) {
		b->retries++;
		st = attach(b);
		if (st == FE_OK)
			st = call(b, label, w0, w1, w2, &reply);
	}
	return st;
}

fe_status_t fe_blk_open(fe_handle_t ep, uint64_t size, struct fe_blk *b)
{
	struct fe_msg reply;
	uint64_t va = fe_va_alloc(size);
	fe_status_t st;

	*b = (struct fe_blk){ .ep = ep, .size = size };
	if (va == 0)
		return FE_ERR_NO_RESOURCES;
	if ((st = fe_vmo_create_flags(size, FE_VMO_CONTIGUOUS, &b->vmo)) != FE_OK)
		return st;
	if ((st = fe_vm_map(fe_self, b->vmo, 0, va, size, FE_VM_READ | FE_VM_WRITE)) != FE_OK) {
		(void)fe_handle_delete(b->vmo);
		return st;
	}
	b->buf = (uint8_t *)(uintptr_t)va;
	if ((st = call(b, FE_BLK_INFO, 0, 0, 0, &reply)) == FE_OK)
		st = attach(b);
	if (st != FE_OK) {
		fe_blk_close(b);
		return st;
	}
	b->capacity = reply.w[1];
	b->flags = (uint32_t)reply.w[2];
	b->max_sectors = (uint32_t)reply.w[3];
	return FE_OK;
}

fe_status_t fe_blk_read(struct fe_blk *b, uint64_t sector, uint32_t count, uint64_t off)
{
	return request(b, FE_BLK_READ, sector, count, off);
}

fe_status_t fe_blk_write(struct fe_blk *b, uint64_t sector, uint32_t count, uint64_t off)
{
	return request(b, FE_BLK_WRITE, sector, count, off);
}

fe_status_t fe_blk_flush(struct fe_blk *b)
{
	return request(b, FE_BLK_FLUSH, 0, 0, 0);
}

void fe_blk_close(struct fe_blk *b)
{
	if (b->buf)
		(void)fe_vm_unmap(fe_self, (uint64_t)(uintptr_t)b->buf, b->size);
	if (b->vmo != FE_HANDLE_INVALID)
		(void)fe_handle_delete(b->vmo);
	b->buf = NULL;
	b->vmo = FE_HANDLE_INVALID;
}
