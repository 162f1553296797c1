/* SPDX-License-Identifier: MIT */
/*
 * The control thread's endpoint (blk.h): FE_BLK_INFO, FE_BLK_ATTACH,
 * FE_BLK_DETACH and FE_BLK_STATS of ferrous/block.h, and the supervisor's
 * control labels, one call at a time. An attach checks and maps the
 * client's memory here, hands the new client to the data thread, and lets
 * go of the one it replaced once the data thread has.
 */
#include <fe/attach.h>
#include <fe/ipc.h>
#include <fe/runtime.h>
#include <fe/service.h>
#include <fe/sys.h>

#include "blk.h"

#define PAGE 4096ull

/* The three capabilities of an attach: FE_ERR_INVALID_ARG (and none kept) for any other count. */
static fe_status_t take_caps(const struct fe_msg *m, struct client *c)
{
	fe_handle_t caps[FE_IPC_MAX_CAPS];
	unsigned k = 0;
	fe_status_t st = fe_msg_take_caps(m, caps, FE_IPC_MAX_CAPS, &k);

	if (st != FE_OK)
		return st;
	if (k != 3) {
		fe_handles_delete(caps, k);
		return FE_ERR_INVALID_ARG;
	}
	c->ring_vmo = caps[0];
	c->data_vmo = caps[1];
	c->notif = caps[2];
	return FE_OK;
}

/* The ring here, the data for the device (which checks the data VMO is
 * contiguous and as large as the client says). */
static fe_status_t map_client(struct blk *b, struct client *c)
{
	uint64_t va;
	fe_status_t st;

	if (c->data_size == 0 || c->data_size % PAGE)
		return FE_ERR_INVALID_ARG;
	if ((va = fe_va_alloc(FE_BLK_RING_SIZE)) == 0)
		return FE_ERR_NO_RESOURCES;
	if ((st = fe_pci_dma_map(b->v.dev, c->data_vmo, 0, c->data_size,
	                         FE_DMA_DEVICE_READ | FE_DMA_DEVICE_WRITE | b->v.dma_flags,
	                         &c->data_dev)) != FE_OK)
		return st;
	if ((st = fe_vm_map(fe_self, c->ring_vmo, 0, va, FE_BLK_RING_SIZE, FE_VM_READ | FE_VM_WRITE)) != FE_OK) {
		(void)fe_pci_dma_unmap(b->v.dev, c->data_dev);
		return st;
	}
	c->ring_va = va;
	c->ring = (volatile struct fe_blk_ring *)(uintptr_t)va;
	return FE_OK;
}

static void release_client(struct blk *b, struct client *c)
{
	(void)fe_vm_unmap(fe_self, c->ring_va, FE_BLK_RING_SIZE);
	(void)fe_pci_dma_unmap(b->v.dev, c->data_dev);
	fe_handles_delete((fe_handle_t[]){ c->ring_vmo, c->data_vmo, c->notif }, 3);
	*c = (struct client){ 0 };
}

/* Gives c (or none) to the data thread and waits until it has; lets go of the one it replaced. */
static void hand_over(struct blk *b, const struct client *c)
{
	b->ho.next = *c;
	fe_handoff_post(&b->ho.pending, b->notif, 1ULL << BIT_CONTROL, b->ack);
	if (b->ho.next.present)
		release_client(b, &b->ho.next);
}

static fe_status_t attach(struct blk *b, const struct fe_msg *req)
{
	struct client c = { .present = true, .bit = (uint32_t)req->w[0], .data_size = req->w[1] };
	fe_status_t st = take_caps(req, &c);

	if (st != FE_OK)
		return st;
	if ((st = fe_attach_check_notif(c.notif, req->w[0])) != FE_OK || (st = map_client(b, &c)) != FE_OK) {
		fe_handles_delete((fe_handle_t[]){ c.ring_vmo, c.data_vmo, c.notif }, 3);
		return st;
	}
	hand_over(b, &c);
	return FE_OK;
}

static void stats(struct blk *b, struct fe_msg *m)
{
	struct blk_stats *s = &b->stats;

	m->w[1] = __atomic_load_n(&s->max_depth, __ATOMIC_RELAXED);
	m->w[2] = __atomic_load_n(&s->answered, __ATOMIC_RELAXED);
	m->w[3] = __atomic_load_n(&s->refused, __ATOMIC_RELAXED) |
	          (uint64_t)(uint16_t)__atomic_load_n(&s->broken, __ATOMIC_RELAXED) << 32 |
	          (uint64_t)(uint16_t)__atomic_load_n(&s->flush_waits, __ATOMIC_RELAXED) << 48;
}

/* One request; m becomes its reply. */
static void serve_one(struct blk *b, struct fe_msg *m)
{
	const struct fe_msg req = *m;
	uint32_t label = FE_MSG_LABEL(req.info);
	fe_handle_t caps[FE_IPC_MAX_CAPS];
	unsigned k = 0;
	fe_status_t st = FE_OK;

	*m = (struct fe_msg){ .info = FE_MSG_INFO(label, 4, 0), .w = { 0 } };
	if (label != FE_BLK_ATTACH && FE_MSG_CAPS(req.info) &&
	    fe_msg_take_caps(&req, caps, FE_IPC_MAX_CAPS, &k) == FE_OK)
		fe_handles_delete(caps, k); /* unasked-for capabilities do not pile up here */
	switch (label) {
	case FE_BLK_INFO:
		m->w[1] = b->capacity;
		m->w[2] = b->flags;
		m->w[3] = b->max_sectors;
		break;
	case FE_BLK_ATTACH:
		if ((st = attach(b, &req)) == FE_OK) {
			m->w[1] = BIT_DOORBELL;
			st = fe_msg_attach_caps(m, (fe_handle_t[]){ b->doorbell, b->self_wait }, 2);
		}
		break;
	case FE_BLK_DETACH: hand_over(b, &(struct client){ 0 }); break;
	case FE_BLK_STATS: stats(b, m); break;
	default: st = FE_ERR_BAD_SYSCALL; break;
	}
	m->w[0] = (uint64_t)(int64_t)st;
}

fe_status_t blk_serve(struct blk *b, fe_handle_t ep)
{
	struct fe_msg m;
	fe_status_t st;

	if ((st = fe_recv(ep, 0, &m)) != FE_OK)
		return st;
	for (;;) {
		/* The supervisor's control labels (heartbeat, crash injection: fe/service.h). */
		if (fe_service_handle_control(&m)) {
			if ((st = fe_recv(ep, 0, &m)) != FE_OK)
				return st;
			continue;
		}
		serve_one(b, &m);
		if ((st = fe_reply_recv(ep, &m)) != FE_OK)
			return st;
	}
}
