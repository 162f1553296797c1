/* SPDX-License-Identifier: MIT */
/*
 * The data thread (net.h): slots between the client's rings and the
 * device's queues. Each pass takes what the device finished (giving the
 * slots back to the client) and what the client posted (giving the slots
 * to the device), then rings both doorbells. A pass runs after every
 * wake-up, whatever woke it, so no interrupt or doorbell can be missed:
 * the notification keeps a bit set until the next wait takes it.
 *
 * What the device reports is checked before it is used: a used entry for a
 * chain it was never given, or a receive length outside the buffer it was
 * given, means the device cannot be trusted; the driver says why and exits,
 * and its supervisor starts a fresh instance, which resets the device.
 */
#include <fe/net_ring.h>
#include <fe/runtime.h>
#include <fe/service.h>
#include <fe/sys.h>

#include "net.h"

#define BIT(b) (1ULL << (b))
/* At most this many entries from one client ring per pass: a client that
 * publishes a wild index cannot hold the thread in one pass. */
#define BATCH FE_NET_SLOTS

static _Noreturn void fatal(const char *why, uint32_t a, uint32_t b)
{
	printf("virtio-net: %s (%u, %u); stopping\n", why, a, b);
	fe_exit(4);
}

uint32_t net_link(const struct net *n)
{
	if (!(n->features & VIRTIO_NET_F_STATUS))
		return FE_NET_LINK_UP; /* without STATUS the link is taken to be up (virtio 5.1.4.2) */
	uint16_t status = *(volatile uint16_t *)(n->v.device + 6);
	return (status & VIRTIO_NET_S_LINK_UP) ? FE_NET_LINK_UP : 0;
}

fe_status_t net_device_init(struct net *n, bool first)
{
	uint64_t features;
	fe_status_t st;

	if ((st = fe_virtio_negotiate(&n->v, NET_FEATURES, &features)) != FE_OK)
		return st;
	if (!first && features != n->features) {
		n->v.why = "the device changed its features across a reset";
		return FE_ERR_BAD_FORMAT;
	}
	n->features = features;
	if ((st = fe_virtio_config_vector(&n->v, n->vec_config)) != FE_OK)
		return st;
	if (!first) {
		if ((st = fe_virtq_restart(&n->v, &n->rx.q)) != FE_OK ||
		    (st = fe_virtq_restart(&n->v, &n->tx.q)) != FE_OK)
			return st;
	} else if ((st = fe_virtq_setup(&n->v, QUEUE_RX, QUEUE_MAX, n->vec_rx, &n->rx.q)) != FE_OK ||
	           (st = fe_virtq_setup(&n->v, QUEUE_TX, QUEUE_MAX, n->vec_tx, &n->tx.q)) != FE_OK) {
		return st;
	} else if (n->rx.q.size < 2 || n->tx.q.size < 2) {
		n->v.why = "a queue of fewer than 2 entries cannot hold a header and a frame";
		return FE_ERR_BAD_FORMAT;
	}
	fe_virtio_ready(&n->v);
	return FE_OK;
}

static struct lane *lane_of(struct net *n, bool rx)
{
	return rx ? &n->rx : &n->tx;
}

static volatile struct fe_net_ring *ring_of(struct net *n, bool rx)
{
	return rx ? &n->cl.sh->rx : &n->cl.sh->tx;
}

static void give_back(struct net *n, bool rx, uint16_t slot, uint16_t status, uint32_t len)
{
	volatile struct fe_net_ring *r = ring_of(n, rx);

	fe_net_ring_put(r->used, &r->used_idx, &lane_of(n, rx)->used_next,
	                (struct fe_net_entry){ .slot = slot, .status = status, .len = len });
}

/* FE_NET_DONE if e names a slot and, transmitting, a frame the link carries. */
static uint16_t check(const struct net *n, bool rx, struct fe_net_entry e)
{
	if (e.slot >= FE_NET_SLOTS)
		return FE_NET_REFUSED;
	if (!rx && (e.len < FE_NET_FRAME_MIN || e.len > n->mtu + FE_NET_FRAME_MIN))
		return FE_NET_REFUSED;
	return FE_NET_DONE;
}

/* Gives the device a chain for slot: the virtio-net header, then the slot itself. */
static void submit(struct net *n, bool rx, uint16_t slot, uint32_t len)
{
	struct lane *l = lane_of(n, rx);
	struct fe_virtq_desc d[2];
	uint16_t head;

	if (rx) {
		d[0] = (struct fe_virtq_desc){ .addr = n->hdr_dev + slot * NET_HDR_STRIDE,
		                               .len = NET_HDR_LEN, .flags = FE_VIRTQ_DESC_WRITE };
		d[1] = (struct fe_virtq_desc){ .addr = n->cl.dev + FE_NET_RX_OFF + slot * FE_NET_SLOT_SIZE,
		                               .len = n->mtu + FE_NET_FRAME_MIN,
		                               .flags = FE_VIRTQ_DESC_WRITE };
	} else {
		d[0] = (struct fe_virtq_desc){ .addr = n->hdr_dev + TX_HDR_OFF, .len = NET_HDR_LEN };
		d[1] = (struct fe_virtq_desc){ .addr = n->cl.dev + FE_NET_TX_OFF + slot * FE_NET_SLOT_SIZE,
		                               .len = len };
	}
	if (fe_virtq_add(&l->q, d, 2, &head) != FE_OK)
		fatal("a queue the driver checked had no room", l->q.nfree, rx);
	l->slot_of[head] = slot;
	l->len_of[head] = len;
	l->inflight++;
}

/*
 * FE_FAULT_DMA: a frame to send whose data lies at FE_FAULT_DMA_ADDRESS,
 * which this driver never mapped, as a chain built on a wrong slot address
 * would. The device's read there is refused by the IOMMU and the kernel
 * ends this process (FE_EXIT_DMA_FAULT). The transmit queue holds at most
 * FE_NET_SLOTS client chains of 2 (QUEUE_MAX checked at set-up is larger),
 * so there is room for it whatever the client has in flight.
 */
static void aim_outside(struct net *n)
{
	struct fe_virtq_desc d[2] = {
		{ .addr = n->hdr_dev + TX_HDR_OFF, .len = NET_HDR_LEN },
		{ .addr = FE_FAULT_DMA_ADDRESS, .len = FE_NET_FRAME_MIN },
	};
	uint16_t head;

	if (n->fault_aimed)
		return;
	if (fe_virtq_add(&n->tx.q, d, 2, &head) != FE_OK)
		fatal("no room in the transmit queue for the DMA fault", n->tx.q.nfree, 2);
	n->tx.slot_of[head] = FAULT_SLOT;
	n->tx.len_of[head] = 0;
	n->fault_aimed = true;
	fe_virtq_kick(&n->tx.q);
}

/* The client's new entries into the device's queue, while both have room.
 * Returns the chains added; *more if the batch ended before the ring did. */
static unsigned take_posted(struct net *n, bool rx, bool *gave, bool *more)
{
	struct lane *l = lane_of(n, rx);
	volatile struct fe_net_ring *r = ring_of(n, rx);
	struct fe_net_entry e;
	unsigned added = 0;

	for (unsigned i = 0; i < BATCH; i++) {
		if (l->inflight >= FE_NET_SLOTS || l->q.nfree < 2)
			return added; /* a completion wakes the thread again */
		if (!fe_net_ring_get(r->avail, &r->avail_idx, &l->avail_seen, &e))
			return added;
		uint16_t status = check(n, rx, e);
		if (status == FE_NET_DONE) {
			submit(n, rx, e.slot, e.len);
			added++;
		} else {
			give_back(n, rx, e.slot, status, e.len);
			*gave = true;
		}
	}
	*more = true;
	return added;
}

/* What the device finished, back to the client. Returns receive chains
 * given to the device again (runts, which the client never sees). */
static unsigned reap(struct net *n, bool rx, bool *gave)
{
	struct lane *l = lane_of(n, rx);
	uint32_t written, most = NET_HDR_LEN + n->mtu + FE_NET_FRAME_MIN;
	uint16_t head;
	unsigned again = 0;

	while (fe_virtq_take(&l->q, &head, &written)) {
		if (head == UINT16_MAX)
			fatal("the device completed a chain it was never given", l->q.index, written);
		uint16_t slot = l->slot_of[head];
		if (!rx && slot == FAULT_SLOT) {
			/* Not proof that the IOMMU let it through: QEMU's device
			 * completes a refused transfer too (virtio-blk's datapath.c,
			 * fault_completed). The end comes from the kernel or, if no
			 * fault does, from the supervisor (no heartbeat is answered). */
			printf("virtio-net: the device completed the DMA fault's frame; waiting to be "
			       "ended\n");
			continue;
		}
		l->inflight--;
		if (rx && (written < NET_HDR_LEN || written > most))
			fatal("the device reports a receive length past the buffer or short of a header",
			      written, most);
		if (rx && written - NET_HDR_LEN < FE_NET_FRAME_MIN) {
			if (n->runts++ == 0)
				printf("virtio-net: dropped a received frame of %u bytes, shorter than an "
				       "Ethernet header (said once)\n", written - NET_HDR_LEN);
			submit(n, true, slot, 0);
			again++;
			continue;
		}
		give_back(n, rx, slot, FE_NET_DONE, rx ? written - NET_HDR_LEN : l->len_of[head]);
		*gave = true;
	}
	return again;
}

/* One pass over both directions. */
static void pass(struct net *n)
{
	bool gave = false, more = false;
	unsigned rx_added = reap(n, true, &gave), tx_added;

	(void)reap(n, false, &gave);
	rx_added += take_posted(n, true, &gave, &more);
	tx_added = take_posted(n, false, &gave, &more);
	if (rx_added)
		fe_virtq_kick(&n->rx.q);
	if (tx_added)
		fe_virtq_kick(&n->tx.q);
	/* A client that dropped its notification hears nothing: its choice. */
	if (gave)
		(void)fe_notif_signal(n->cl.notif, BIT(n->cl.bit));
	if (more)
		(void)fe_notif_signal(n->notif, BIT(BIT_DOORBELL));
}

/*
 * A new client from the control thread. If there was one, the device is
 * reset first: it forgets every chain, so none of the old client's memory
 * is reached after the control thread lets it go.
 */
static void handover(struct net *n)
{
	struct client old = n->cl;

	if (!fe_handoff_posted(&n->ho.pending))
		return;
	if (old.present && net_device_init(n, false) != FE_OK) {
		printf("virtio-net: the device did not come back from a reset: %s\n",
		       n->v.why ? n->v.why : "?");
		fe_exit(5);
	}
	n->cl = n->ho.next;
	n->rx.avail_seen = n->rx.used_next = n->rx.inflight = 0;
	n->tx.avail_seen = n->tx.used_next = n->tx.inflight = 0;
	n->ho.next = old;
	fe_handoff_done(&n->ho.pending, n->ack);
}

void net_datapath(void *arg)
{
	struct net *n = arg;
	uint64_t bits;
	fe_status_t st;

	(void)fe_notif_signal(n->ack, 1); /* running: the control thread may serve */
	for (;;) {
		if ((st = fe_notif_wait(n->notif, 0, &bits)) != FE_OK)
			fatal("cannot wait on its notification", (uint32_t)-st, 0);
		if (bits & BIT(BIT_CONTROL))
			handover(n);
		if (bits & BIT(BIT_DMA_FAULT))
			aim_outside(n);
		if (!n->cl.present) {
			bool gave = false;
			if (n->fault_aimed) /* the fault's chain is the only one in the device */
				(void)reap(n, false, &gave);
			continue;
		}
		pass(n);
		if (bits & BIT(BIT_CONFIG)) /* the link may have changed: the client asks (FE_NET_INFO) */
			(void)fe_notif_signal(n->cl.notif, BIT(n->cl.bit));
	}
}
