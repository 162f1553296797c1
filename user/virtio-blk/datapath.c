/* SPDX-License-Identifier: MIT */
/*
 * The data thread (blk.h): requests from the client's ring to the device's
 * queue, answers back. Each pass takes what the device finished (answering
 * the client in completion order, whatever order the requests came in),
 * lets a parked flush go once the writes before it are done, and takes what
 * the client posted while the queue has room. A pass runs after every
 * wake-up, whatever woke it, so no interrupt or doorbell can be missed: the
 * notification keeps a bit set until the next wait takes it.
 *
 * Everything read from the client's ring is checked (fe_blk_check,
 * fe_blk_pending) before it is used; a bad request is answered with its
 * reason. What the device reports is checked too: a used entry for a chain
 * it was never given makes the driver say why and exit, and its supervisor
 * starts a fresh instance, which resets the device.
 */
#include <fe/runtime.h>
#include <fe/service.h>
#include <fe/sys.h>

#include "blk.h"

#define BIT(b) (1ULL << (b))
#define T_IN 0u
#define T_OUT 1u
#define T_FLUSH 4u
#define S_OK 0u
#define S_UNSUPP 2u
#define ALL_SLOTS 0xffffffffu

_Static_assert(FE_BLK_DEPTH == 32, "free_slots is a 32-bit map");
_Static_assert(FE_BLK_DEPTH * CHAIN_MAX <= QUEUE_SIZE, "every request fits in the queue at once");
_Static_assert((FE_BLK_DEPTH + 1) * HDR_STRIDE <= 4096, "the headers and FAULT_SLOT's fit");
_Static_assert((FE_BLK_DEPTH + 1) * CHAIN_MAX <= QUEUE_SIZE, "FAULT_SLOT's chain fits beside them");

struct req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

static _Noreturn void fatal(const char *why, uint32_t a, uint32_t b)
{
	printf("virtio-blk: %s (%u, %u); stopping\n", why, a, b);
	fe_exit(4);
}

fe_status_t blk_device_init(struct blk *b, bool first)
{
	uint64_t features;
	fe_status_t st;

	if ((st = fe_virtio_negotiate(&b->v, BLK_FEATURES, &features)) != FE_OK)
		return st;
	if (!first && features != b->features) {
		b->v.why = "the device changed its features across a reset";
		return FE_ERR_BAD_FORMAT;
	}
	b->features = features;
	if (!first)
		st = fe_virtq_restart(&b->v, &b->q);
	else if ((st = fe_virtq_setup(&b->v, 0, QUEUE_SIZE, 0, &b->q)) == FE_OK && b->q.size < CHAIN_MAX) {
		b->v.why = "a queue of fewer than 3 entries cannot hold a request";
		st = FE_ERR_BAD_FORMAT;
	}
	if (st != FE_OK)
		return st;
	fe_virtio_ready(&b->v);
	return FE_OK;
}

static void count(uint32_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

/* Answers the client's request `tag`; the client hears of it at the end of the pass. */
static void answer(struct blk *b, uint16_t tag, fe_status_t st)
{
	volatile struct fe_blk_ring *r = b->cl.ring;

	fe_blk_used_put(r->used, &r->used_idx, &b->used_next,
	                (struct fe_blk_done){ .tag = tag, .status = (int32_t)st });
	b->held--;
	__atomic_fetch_add(&b->stats.answered, 1, __ATOMIC_RELAXED);
}

/* Gives the device a chain in header slot `slot`: header, data at device
 * address `data` (none if len is 0; written by the device for a read),
 * status. Returns its head. */
static uint16_t add_chain(struct blk *b, unsigned slot, uint32_t type, uint64_t sector,
                          uint64_t data, uint32_t len)
{
	volatile struct req_hdr *h = (volatile struct req_hdr *)(b->hdr + slot * HDR_STRIDE);
	uint64_t h_dev = b->hdr_dev + slot * HDR_STRIDE;
	struct fe_virtq_desc d[CHAIN_MAX];
	uint16_t head;
	unsigned n = 0;

	h->type = type;
	h->reserved = 0;
	h->sector = sector;
	b->hdr[slot * HDR_STRIDE + sizeof(struct req_hdr)] = 0xff;
	d[n++] = (struct fe_virtq_desc){ .addr = h_dev, .len = sizeof(struct req_hdr) };
	if (len != 0)
		d[n++] = (struct fe_virtq_desc){ .addr = data, .len = len,
		                                 .flags = type == T_IN ? FE_VIRTQ_DESC_WRITE : 0 };
	d[n++] = (struct fe_virtq_desc){ .addr = h_dev + sizeof(struct req_hdr), .len = 1,
	                                 .flags = FE_VIRTQ_DESC_WRITE };
	if (fe_virtq_add(&b->q, d, n, &head) != FE_OK)
		fatal("a queue the driver checked had no room", b->q.nfree, n);
	b->slot_of[head] = (uint8_t)slot;
	return head;
}

/* Gives the device a chain for req in a free slot, its data in the client's buffer. */
static void submit(struct blk *b, const struct fe_blk_req *req)
{
	unsigned slot = (unsigned)__builtin_ctz(b->free_slots);
	uint32_t type = req->op == FE_BLK_OP_READ ? T_IN : req->op == FE_BLK_OP_WRITE ? T_OUT : T_FLUSH;
	uint32_t len = req->op == FE_BLK_OP_FLUSH ? 0 : req->count * FE_BLK_SECTOR;

	(void)add_chain(b, slot, type, req->sector, b->cl.data_dev + req->off, len);
	b->free_slots &= ~(1u << slot);
	b->slot_req[slot] = *req;
	b->in_device++;
	if (req->op == FE_BLK_OP_WRITE)
		b->writes_in_device++;
	if (b->in_device > __atomic_load_n(&b->stats.max_depth, __ATOMIC_RELAXED))
		__atomic_store_n(&b->stats.max_depth, b->in_device, __ATOMIC_RELAXED);
}

/*
 * FE_FAULT_DMA: a read of sector 0 whose data goes to FE_FAULT_DMA_ADDRESS,
 * which this driver never mapped, as a request built on a wrong buffer
 * address would. The device's write there is refused by the IOMMU and the
 * kernel ends this process (FE_EXIT_DMA_FAULT). It has its own header slot
 * and fits beside 32 client requests (QUEUE_SIZE), so it goes in at once.
 */
static void aim_outside(struct blk *b)
{
	if (b->fault_aimed)
		return;
	if (b->q.nfree < CHAIN_MAX)
		fatal("no room in the queue for the DMA fault", b->q.nfree, CHAIN_MAX);
	(void)add_chain(b, FAULT_SLOT, T_IN, 0, FE_FAULT_DMA_ADDRESS, FE_BLK_SECTOR);
	b->fault_aimed = true;
	fe_virtq_kick(&b->q);
}

/*
 * The device completed the DMA fault's request. That does not say the IOMMU
 * let it through: QEMU's device, refused, still completes it (through a
 * bounce buffer whose data the IOMMU refuses again and drops), racing the
 * fault's interrupt. So the driver neither answers it nor stops: it waits
 * to be ended, by the kernel on the IOMMU's fault, or, if none comes, by
 * its supervisor, since the control thread answers no heartbeat now.
 */
static void fault_completed(uint32_t written)
{
	printf("virtio-blk: the device completed the DMA fault's request (%u bytes); waiting to be "
	       "ended\n", written);
}

/* A flush whose earlier writes are done: to the device, or answered at
 * once if the device has no volatile cache. True if it went to the device. */
static bool start_flush(struct blk *b, const struct fe_blk_req *req)
{
	if (!(b->flags & FE_BLK_F_FLUSH)) {
		answer(b, req->tag, FE_OK);
		return false;
	}
	submit(b, req);
	return true;
}

static fe_status_t device_status(uint8_t s)
{
	return s == S_OK ? FE_OK : s == S_UNSUPP ? FE_ERR_UNSUPPORTED : FE_ERR_FAULT;
}

/* What the device finished, answered. */
static void reap(struct blk *b)
{
	uint32_t written;
	uint16_t head;

	while (fe_virtq_take(&b->q, &head, &written)) {
		if (head == UINT16_MAX)
			fatal("the device completed a chain it was never given", b->q.last_used, written);
		unsigned slot = b->slot_of[head];
		if (slot == FAULT_SLOT) {
			fault_completed(written);
			continue;
		}
		const struct fe_blk_req *req = &b->slot_req[slot];
		b->free_slots |= 1u << slot;
		b->in_device--;
		if (req->op == FE_BLK_OP_WRITE)
			b->writes_in_device--;
		answer(b, req->tag, device_status(b->hdr[slot * HDR_STRIDE + sizeof(struct req_hdr)]));
	}
}

/* The client published more than it may have outstanding: its ring is not
 * read again until it attaches anew (what is in the device is still answered). */
static void broken(struct blk *b)
{
	b->broken = true;
	if (b->stats.broken == 0)
		printf("virtio-blk: a client claims more than %u requests outstanding; its ring is "
		       "ignored until it attaches again (said once)\n", FE_BLK_DEPTH);
	count(&b->stats.broken);
}

/* Takes one request: answered at once if bad, parked if it is a flush
 * behind writes, else to the device. True if it went to the device. */
static bool take_one(struct blk *b, const struct fe_blk_req *req)
{
	const struct fe_blk_limits lim = { .capacity = b->capacity, .data_size = b->cl.data_size,
	                                   .max_sectors = b->max_sectors, .flags = b->flags };
	fe_status_t st = fe_blk_check(&lim, req);

	b->held++;
	if (st != FE_OK) {
		count(&b->stats.refused);
		answer(b, req->tag, st);
		return false;
	}
	if (req->op != FE_BLK_OP_FLUSH) {
		submit(b, req);
		return true;
	}
	if (b->writes_in_device == 0)
		return start_flush(b, req);
	b->parked = true;
	b->parked_req = *req;
	count(&b->stats.flush_waits);
	return false;
}

/* The client's new requests, while the queue has room and no flush is parked.
 * Returns whether any went to the device. */
static bool take_posted(struct blk *b)
{
	volatile struct fe_blk_ring *r = b->cl.ring;
	struct fe_blk_req req;
	bool added = false;
	uint32_t n;

	if (b->broken)
		return false;
	if (fe_blk_pending(r->avail_idx, b->avail_seen, b->held, &n) != FE_OK) {
		broken(b);
		return false;
	}
	while (n-- > 0 && !b->parked && b->q.nfree >= CHAIN_MAX &&
	       fe_blk_avail_get(r->avail, &r->avail_idx, &b->avail_seen, &req))
		added |= take_one(b, &req);
	return added;
}

/* One pass: completions, a parked flush, new requests, doorbells. */
static void pass(struct blk *b)
{
	uint32_t answered = b->used_next, broke = b->stats.broken;
	bool added = false;

	reap(b);
	if (b->parked && b->writes_in_device == 0) {
		b->parked = false;
		added |= start_flush(b, &b->parked_req);
	}
	added |= take_posted(b);
	if (added)
		fe_virtq_kick(&b->q);
	/* A client that dropped its notification hears nothing: its choice. */
	if (b->used_next != answered || b->stats.broken != broke)
		(void)fe_notif_signal(b->cl.notif, BIT(b->cl.bit));
}

static void forget_requests(struct blk *b)
{
	b->avail_seen = b->used_next = b->held = 0;
	b->in_device = b->writes_in_device = 0;
	b->free_slots = ALL_SLOTS;
	b->parked = b->broken = false;
}

/*
 * A new client (or none: a detach) from the control thread. If there was
 * one, the device is reset first: it forgets every chain, so none of the
 * old client's memory is reached after the control thread lets it go.
 */
static void handover(struct blk *b)
{
	struct client old = b->cl;

	if (!fe_handoff_posted(&b->ho.pending))
		return;
	if (old.present && blk_device_init(b, false) != FE_OK) {
		printf("virtio-blk: the device did not come back from a reset: %s\n",
		       b->v.why ? b->v.why : "?");
		fe_exit(5);
	}
	b->cl = b->ho.next;
	forget_requests(b);
	b->ho.next = old;
	fe_handoff_done(&b->ho.pending, b->ack);
}

void blk_datapath(void *arg)
{
	struct blk *b = arg;
	uint64_t bits;
	fe_status_t st;

	forget_requests(b);
	(void)fe_notif_signal(b->ack, 1); /* running: the control thread may serve */
	for (;;) {
		if ((st = fe_notif_wait(b->notif, 0, &bits)) != FE_OK)
			fatal("cannot wait on its notification", (uint32_t)-st, 0);
		if (bits & BIT(BIT_CONTROL))
			handover(b);
		if (bits & BIT(BIT_DMA_FAULT))
			aim_outside(b);
		if (b->cl.present)
			pass(b);
		else if (b->fault_aimed)
			reap(b); /* the fault's chain is the only one in the device */
	}
}
