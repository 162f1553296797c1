/* SPDX-License-Identifier: MIT */
/* The block protocol's client (fe/block.h). */
#include <fe/attach.h>
#include <fe/block.h>
#include <fe/block_ring.h>
#include <fe/ipc.h>
#include <fe/runtime.h>
#include <fe/sys.h>

/* How many driver instances one attach or call may outlive before it gives up. */
#define RETRIES_MAX 16u
/* Bits of our notification. */
#define BIT_DRIVER 0u /* the driver answered */
#define BIT_DEATH 1u  /* the instance attached to has ended */
#define BIT(b) (1ULL << (b))

/* Where a request is: nowhere (the tag is free), with the driver, or answered
 * and kept until waited for. */
enum { SLOT_FREE = 0, SLOT_POSTED = 1, SLOT_DONE = 2 };

static void drop(fe_handle_t *h)
{
	if (*h != FE_HANDLE_INVALID)
		(void)fe_handle_delete(*h);
	*h = FE_HANDLE_INVALID;
}

void fe_blk_kick(struct fe_blk *b)
{
	if (b->avail_published == b->avail_next)
		return;
	fe_ring_publish(&b->ring->avail_idx, b->avail_next);
	b->avail_published = b->avail_next;
	if (b->doorbell != FE_HANDLE_INVALID)
		(void)fe_notif_signal(b->doorbell, BIT(b->doorbell_bit));
}

/* One FE_BLK_ATTACH: the doorbell and the driver instance (watched) from the reply. */
static fe_status_t attach_once(struct fe_blk *b)
{
	struct fe_msg m = fe_msg_make(FE_BLK_ATTACH, 2, 0);
	const fe_handle_t grants[3] = { b->ring_grant, b->vmo_grant, b->notif_grant };
	struct fe_attached a;
	fe_status_t st;

	m.w[0] = BIT_DRIVER;
	m.w[1] = b->size;
	if ((st = fe_msg_attach_caps(&m, grants, 3)) != FE_OK ||
	    (st = fe_attach_call(b->ep, &m, b->notif, BIT_DEATH, &a)) != FE_OK)
		return st;
	b->doorbell = a.doorbell;
	b->doorbell_bit = a.doorbell_bit;
	b->driver = a.driver;
	return FE_OK;
}

/* The posted request submitted first after `after` (UINT64_MAX: none). */
static unsigned next_posted(const struct fe_blk *b, uint64_t after)
{
	unsigned best = FE_BLK_DEPTH;

	for (unsigned t = 0; t < FE_BLK_DEPTH; t++)
		if (b->slot[t].state == SLOT_POSTED && (after == UINT64_MAX || b->slot[t].seq > after) &&
		    (best == FE_BLK_DEPTH || b->slot[t].seq < b->slot[best].seq))
			best = t;
	return best;
}

/* Empty rings, every request not answered posted again in submission order,
 * and an attach, repeated if the instance dies under it. */
static fe_status_t start_rings(struct fe_blk *b)
{
	fe_status_t st;

	memset((void *)b->ring, 0, sizeof(struct fe_blk_ring));
	b->avail_next = b->avail_published = b->used_seen = 0;
	for (unsigned t = next_posted(b, UINT64_MAX); t < FE_BLK_DEPTH; t = next_posted(b, b->slot[t].seq))
		fe_blk_avail_write(b->ring->avail, &b->avail_next, b->slot[t].req);
	for (unsigned i = 0;; i++) {
		st = attach_once(b);
		if (st != FE_ERR_PEER_CLOSED || i == RETRIES_MAX)
			break;
	}
	if (st == FE_OK)
		fe_blk_kick(b);
	return st;
}

/* Answers the driver gave, onto their requests. */
static void reap(struct fe_blk *b)
{
	struct fe_blk_done d;

	while (fe_blk_used_get(b->ring->used, &b->ring->used_idx, &b->used_seen, &d)) {
		if (d.tag >= FE_BLK_DEPTH || b->slot[d.tag].state != SLOT_POSTED) {
			b->bad_entries++;
			continue;
		}
		b->slot[d.tag].state = SLOT_DONE;
		b->slot[d.tag].status = (fe_status_t)d.status;
		b->slot[d.tag].done = ++b->done;
	}
}

/* The instance attached to has ended (its device quiesced): what it
 * answered is kept, the rest goes to the next instance. */
static fe_status_t restart(struct fe_blk *b)
{
	reap(b);
	drop(&b->doorbell);
	drop(&b->driver);
	for (unsigned t = 0; t < FE_BLK_DEPTH; t++)
		b->retries += b->slot[t].state == SLOT_POSTED;
	b->restarts++;
	return start_rings(b);
}

/* Waits for the driver (FE_NONBLOCK: FE_ERR_WOULD_BLOCK if nothing came);
 * the end of its instance restarts it. Not attached (the last attach
 * failed): attaches again instead, since nothing would ever wake the wait. */
static fe_status_t wait_driver(struct fe_blk *b, uint32_t flags)
{
	uint64_t bits = 0;
	fe_status_t st;

	if (b->driver == FE_HANDLE_INVALID)
		return start_rings(b);
	if ((st = fe_notif_wait(b->notif, flags & FE_NONBLOCK, &bits)) != FE_OK)
		return st;
	return (bits & BIT(BIT_DEATH)) ? restart(b) : FE_OK;
}

fe_status_t fe_blk_submit(struct fe_blk *b, uint8_t op, uint64_t sector, uint32_t count, uint64_t off,
                          uint16_t *tag)
{
	for (uint16_t t = 0; t < FE_BLK_DEPTH; t++) {
		struct fe_blk_slot *s = &b->slot[t];
		if (s->state != SLOT_FREE)
			continue;
		*s = (struct fe_blk_slot){
			.req = { .sector = sector, .off = off, .count = count, .tag = t, .op = op },
			.seq = ++b->seq, .state = SLOT_POSTED,
		};
		fe_blk_avail_write(b->ring->avail, &b->avail_next, s->req);
		*tag = t;
		return FE_OK;
	}
	return FE_ERR_WOULD_BLOCK;
}

/* The answered request answered first, or FE_BLK_DEPTH. */
static unsigned first_done(const struct fe_blk *b, bool *outstanding)
{
	unsigned best = FE_BLK_DEPTH;

	*outstanding = false;
	for (unsigned t = 0; t < FE_BLK_DEPTH; t++) {
		*outstanding |= b->slot[t].state != SLOT_FREE;
		if (b->slot[t].state == SLOT_DONE && (best == FE_BLK_DEPTH || b->slot[t].done < b->slot[best].done))
			best = t;
	}
	return best;
}

fe_status_t fe_blk_wait(struct fe_blk *b, uint32_t flags, struct fe_blk_answer *a)
{
	bool outstanding;
	fe_status_t st;

	fe_blk_kick(b);
	for (;;) {
		reap(b);
		unsigned t = first_done(b, &outstanding);
		if (t < FE_BLK_DEPTH) {
			*a = (struct fe_blk_answer){ .tag = (uint16_t)t, .status = b->slot[t].status };
			b->slot[t].state = SLOT_FREE;
			return FE_OK;
		}
		if (!outstanding)
			return FE_ERR_BAD_STATE;
		if ((st = wait_driver(b, flags)) != FE_OK)
			return st;
	}
}

/* One request, submitted and waited for; other answers stay for fe_blk_wait. */
static fe_status_t request(struct fe_blk *b, uint8_t op, uint64_t sector, uint32_t count, uint64_t off)
{
	uint16_t tag;
	fe_status_t st = fe_blk_submit(b, op, sector, count, off, &tag);

	if (st != FE_OK)
		return st;
	fe_blk_kick(b);
	for (;;) {
		reap(b);
		if (b->slot[tag].state == SLOT_DONE) {
			b->slot[tag].state = SLOT_FREE;
			return b->slot[tag].status;
		}
		if ((st = wait_driver(b, 0)) != FE_OK)
			return st; /* the request stays posted: fe_blk_wait answers it */
	}
}

fe_status_t fe_blk_read(struct fe_blk *b, uint64_t sector, uint32_t count, uint64_t off)
{
	return request(b, FE_BLK_OP_READ, sector, count, off);
}

fe_status_t fe_blk_write(struct fe_blk *b, uint64_t sector, uint32_t count, uint64_t off)
{
	return request(b, FE_BLK_OP_WRITE, sector, count, off);
}

fe_status_t fe_blk_flush(struct fe_blk *b)
{
	return request(b, FE_BLK_OP_FLUSH, 0, 0, 0);
}

/* A control call; FE_ERR_PEER_CLOSED (the instance died under it) means
 * attaching to the next one once its end is seen, and asking again. */
static fe_status_t control(struct fe_blk *b, uint32_t label, struct fe_msg *m)
{
	fe_status_t st = FE_ERR_PEER_CLOSED;

	for (unsigned i = 0; st == FE_ERR_PEER_CLOSED && i <= RETRIES_MAX; i++) {
		if (i > 0 && b->driver != FE_HANDLE_INVALID && (st = wait_driver(b, 0)) != FE_OK)
			return st;
		*m = fe_msg_make(label, 0, 0);
		if ((st = fe_call(b->ep, m)) == FE_OK)
			st = (fe_status_t)(int64_t)m->w[0];
	}
	return st;
}

fe_status_t fe_blk_stats(struct fe_blk *b, struct fe_blk_stats *s)
{
	struct fe_msg m;
	fe_status_t st = control(b, FE_BLK_STATS, &m);

	if (st != FE_OK)
		return st;
	*s = (struct fe_blk_stats){
		.max_depth = (uint32_t)m.w[1], .answered = m.w[2], .refused = FE_BLK_STAT_REFUSED(m.w[3]),
		.broken = FE_BLK_STAT_BROKEN(m.w[3]), .flush_waits = FE_BLK_STAT_FLUSH_WAITS(m.w[3]),
	};
	return FE_OK;
}

static fe_status_t make_memory(struct fe_blk *b, uint64_t size)
{
	uint64_t va = fe_va_alloc(size), ring_va = fe_va_alloc(FE_BLK_RING_SIZE);
	fe_status_t st;

	if (va == 0 || ring_va == 0)
		return FE_ERR_NO_RESOURCES;
	if ((st = fe_vmo_create_flags(size, FE_VMO_CONTIGUOUS, &b->vmo)) != FE_OK ||
	    (st = fe_vm_map(fe_self, b->vmo, 0, va, size, FE_VM_READ | FE_VM_WRITE)) != FE_OK)
		return st;
	b->buf = (uint8_t *)(uintptr_t)va;
	b->size = size;
	if ((st = fe_vmo_create(FE_BLK_RING_SIZE, &b->ring_vmo)) != FE_OK ||
	    (st = fe_vm_map(fe_self, b->ring_vmo, 0, ring_va, FE_BLK_RING_SIZE,
	                    FE_VM_READ | FE_VM_WRITE)) != FE_OK)
		return st;
	b->ring = (volatile struct fe_blk_ring *)(uintptr_t)ring_va;
	/* What the driver gets: no more than it needs (it could otherwise wait
	 * on our notification and take our bits, or map our data). */
	if ((st = fe_handle_dup(b->vmo, FE_RIGHT_READ | FE_RIGHT_WRITE | FE_RIGHT_TRANSFER, 0,
	                        &b->vmo_grant)) != FE_OK ||
	    (st = fe_handle_dup(b->ring_vmo, FE_RIGHT_READ | FE_RIGHT_WRITE | FE_RIGHT_MAP | FE_RIGHT_TRANSFER,
	                        0, &b->ring_grant)) != FE_OK ||
	    (st = fe_notif_create(&b->notif)) != FE_OK ||
	    (st = fe_handle_dup(b->notif, FE_RIGHT_SIGNAL | FE_RIGHT_TRANSFER, 0, &b->notif_grant)) != FE_OK)
		return st;
	return FE_OK;
}

fe_status_t fe_blk_open(fe_handle_t ep, uint64_t size, struct fe_blk *b)
{
	struct fe_msg m;
	fe_status_t st;

	*b = (struct fe_blk){ .ep = ep, .vmo = FE_HANDLE_INVALID, .vmo_grant = FE_HANDLE_INVALID,
	                      .ring_vmo = FE_HANDLE_INVALID, .ring_grant = FE_HANDLE_INVALID,
	                      .notif = FE_HANDLE_INVALID, .notif_grant = FE_HANDLE_INVALID,
	                      .doorbell = FE_HANDLE_INVALID, .driver = FE_HANDLE_INVALID };
	if ((st = make_memory(b, size)) == FE_OK && (st = control(b, FE_BLK_INFO, &m)) == FE_OK) {
		b->capacity = m.w[1];
		b->flags = (uint32_t)m.w[2];
		b->max_sectors = (uint32_t)m.w[3];
		st = start_rings(b);
	}
	if (st != FE_OK)
		fe_blk_close(b);
	return st;
}

void fe_blk_close(struct fe_blk *b)
{
	uint64_t bits = 0;

	/* An instance that has ended has let go already; one that is alive
	 * resets its device and lets go of our memory. */
	if (b->driver != FE_HANDLE_INVALID && fe_notif_wait(b->notif, FE_NONBLOCK, &bits) != FE_OK)
		bits = 0;
	if (b->driver != FE_HANDLE_INVALID && !(bits & BIT(BIT_DEATH))) {
		struct fe_msg m = fe_msg_make(FE_BLK_DETACH, 0, 0);
		(void)fe_call(b->ep, &m); /* dead meanwhile: nothing left to let go */
	}
	if (b->buf)
		(void)fe_vm_unmap(fe_self, (uint64_t)(uintptr_t)b->buf, b->size);
	if (b->ring)
		(void)fe_vm_unmap(fe_self, (uint64_t)(uintptr_t)b->ring, FE_BLK_RING_SIZE);
	b->buf = NULL;
	b->ring = NULL;
	drop(&b->vmo);
	drop(&b->vmo_grant);
	drop(&b->ring_vmo);
	drop(&b->ring_grant);
	drop(&b->notif);
	drop(&b->notif_grant);
	drop(&b->doorbell);
	drop(&b->driver);
}
