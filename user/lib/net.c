/* SPDX-License-Identifier: MIT */
/* The network protocol's client (fe/net.h). */
#include <fe/attach.h>
#include <fe/ipc.h>
#include <fe/net.h>
#include <fe/net_ring.h>
#include <fe/runtime.h>
#include <fe/sys.h>

/* How many driver instances one attach may outlive before it gives up. */
#define RETRIES_MAX 16u
/* Bits of our notification. */
#define BIT_DRIVER 0u /* the driver gave slots back */
#define BIT_DEATH 1u  /* the instance attached to has ended */
#define BIT(b) (1ULL << (b))

/* Who has a slot. Receive: the driver (to fill) or the program (a frame).
 * Transmit: free, the program's (being written), or the driver's. */
enum { RX_POSTED = 0, RX_HELD = 1 };
enum { TX_FREE = 0, TX_TAKEN = 1, TX_QUEUED = 2 };

static void drop(fe_handle_t *h)
{
	if (*h != FE_HANDLE_INVALID)
		(void)fe_handle_delete(*h);
	*h = FE_HANDLE_INVALID;
}

static void doorbell(struct fe_net *n)
{
	if (n->doorbell != FE_HANDLE_INVALID)
		(void)fe_notif_signal(n->doorbell, BIT(n->doorbell_bit));
}

/* One FE_NET_ATTACH: the doorbell and the driver instance (watched) from the reply. */
static fe_status_t attach_once(struct fe_net *n)
{
	struct fe_msg m = fe_msg_make(FE_NET_ATTACH, 1, 0);
	struct fe_attached a;
	fe_status_t st;

	m.w[0] = BIT_DRIVER;
	if ((st = fe_msg_attach_caps(&m, (fe_handle_t[]){ n->vmo_grant, n->notif_grant }, 2)) != FE_OK ||
	    (st = fe_attach_call(n->ep, &m, n->notif, BIT_DEATH, &a)) != FE_OK)
		return st;
	n->doorbell = a.doorbell;
	n->doorbell_bit = a.doorbell_bit;
	n->driver = a.driver;
	return FE_OK;
}

/* Empty rings, every receive slot the program does not hold posted, and an
 * attach, repeated if the instance dies under it. */
static fe_status_t start_rings(struct fe_net *n)
{
	fe_status_t st;

	memset(n->mem, 0, sizeof(struct fe_net_shared));
	n->rx_next = n->rx_seen = n->tx_next = n->tx_seen = 0;
	for (uint16_t s = 0; s < FE_NET_SLOTS; s++)
		if (n->rx_state[s] == RX_POSTED)
			fe_net_ring_put(n->sh->rx.avail, &n->sh->rx.avail_idx, &n->rx_next,
			                (struct fe_net_entry){ .slot = s });
	for (unsigned i = 0;; i++) {
		st = attach_once(n);
		if (st != FE_ERR_PEER_CLOSED || i == RETRIES_MAX)
			break;
	}
	if (st == FE_OK)
		doorbell(n);
	return st;
}

/* The instance attached to has ended (its threads are gone, its device
 * quiesced): every slot it had comes back, and the next instance gets them. */
static fe_status_t restart(struct fe_net *n)
{
	drop(&n->doorbell);
	drop(&n->driver);
	for (unsigned s = 0; s < FE_NET_SLOTS; s++)
		if (n->tx_state[s] == TX_QUEUED) {
			n->tx_state[s] = TX_FREE;
			n->tx_lost++;
		}
	n->restarts++;
	return start_rings(n);
}

/* Waits for the driver (FE_NONBLOCK: FE_ERR_WOULD_BLOCK if nothing came);
 * the end of its instance restarts it. Not attached (the last attach
 * failed): attaches again instead, since nothing would ever wake the wait. */
static fe_status_t wait_driver(struct fe_net *n, uint32_t flags)
{
	uint64_t bits = 0;
	fe_status_t st;

	if (n->driver == FE_HANDLE_INVALID)
		return start_rings(n);
	if ((st = fe_notif_wait(n->notif, flags & FE_NONBLOCK, &bits)) != FE_OK)
		return st;
	return (bits & BIT(BIT_DEATH)) ? restart(n) : FE_OK;
}

static fe_status_t info_call(struct fe_net *n)
{
	struct fe_msg m = fe_msg_make(FE_NET_INFO, 0, 0);
	fe_status_t st = fe_call(n->ep, &m);

	if (st != FE_OK || (st = (fe_status_t)(int64_t)m.w[0]) != FE_OK)
		return st;
	for (unsigned i = 0; i < 6; i++)
		n->mac[i] = (uint8_t)(m.w[1] >> (8 * i));
	n->link = (uint32_t)m.w[2];
	n->mtu = m.w[3] < FE_NET_MTU_MAX ? (uint32_t)m.w[3] : FE_NET_MTU_MAX;
	return FE_OK;
}

fe_status_t fe_net_info(struct fe_net *n)
{
	fe_status_t st = info_call(n);

	/* The instance died under the call: once its end is seen, attach to
	 * the next and ask again. */
	for (unsigned i = 0; st == FE_ERR_PEER_CLOSED && i < RETRIES_MAX; i++)
		if ((st = wait_driver(n, 0)) == FE_OK)
			st = info_call(n);
	return st;
}

static fe_status_t make_memory(struct fe_net *n)
{
	uint64_t va = fe_va_alloc(FE_NET_SHM_SIZE);
	fe_status_t st;

	if (va == 0)
		return FE_ERR_NO_RESOURCES;
	if ((st = fe_vmo_create_flags(FE_NET_SHM_SIZE, FE_VMO_CONTIGUOUS, &n->vmo)) != FE_OK ||
	    (st = fe_vm_map(fe_self, n->vmo, 0, va, FE_NET_SHM_SIZE, FE_VM_READ | FE_VM_WRITE)) != FE_OK)
		return st;
	n->mem = (uint8_t *)(uintptr_t)va;
	n->sh = (volatile struct fe_net_shared *)(uintptr_t)va;
	/* What the driver gets: no more than it needs (it could otherwise wait
	 * on our notification and take our bits). */
	if ((st = fe_handle_dup(n->vmo, FE_RIGHT_READ | FE_RIGHT_WRITE | FE_RIGHT_MAP | FE_RIGHT_TRANSFER, 0,
	                        &n->vmo_grant)) != FE_OK ||
	    (st = fe_notif_create(&n->notif)) != FE_OK ||
	    (st = fe_handle_dup(n->notif, FE_RIGHT_SIGNAL | FE_RIGHT_TRANSFER, 0, &n->notif_grant)) != FE_OK)
		return st;
	return FE_OK;
}

fe_status_t fe_net_open(fe_handle_t ep, struct fe_net *n)
{
	fe_status_t st;

	*n = (struct fe_net){ .ep = ep, .vmo = FE_HANDLE_INVALID, .vmo_grant = FE_HANDLE_INVALID,
	                      .notif = FE_HANDLE_INVALID, .notif_grant = FE_HANDLE_INVALID,
	                      .doorbell = FE_HANDLE_INVALID, .driver = FE_HANDLE_INVALID };
	if ((st = make_memory(n)) == FE_OK && (st = info_call(n)) == FE_OK)
		st = start_rings(n);
	if (st != FE_OK)
		fe_net_close(n);
	return st;
}

void fe_net_close(struct fe_net *n)
{
	if (n->mem)
		(void)fe_vm_unmap(fe_self, (uint64_t)(uintptr_t)n->mem, FE_NET_SHM_SIZE);
	n->mem = NULL;
	n->sh = NULL;
	drop(&n->vmo);
	drop(&n->vmo_grant);
	drop(&n->notif);
	drop(&n->notif_grant);
	drop(&n->doorbell);
	drop(&n->driver);
}

/* Transmit slots the driver gave back become free again. */
static void reap_tx(struct fe_net *n)
{
	struct fe_net_entry e;

	while (fe_net_ring_get(n->sh->tx.used, &n->sh->tx.used_idx, &n->tx_seen, &e)) {
		if (e.slot >= FE_NET_SLOTS || n->tx_state[e.slot] != TX_QUEUED) {
			n->bad_entries++;
			continue;
		}
		n->tx_state[e.slot] = TX_FREE;
		if (e.status == FE_NET_DONE)
			n->tx_done++;
		else
			n->tx_refused++;
	}
}

fe_status_t fe_net_tx_slot(struct fe_net *n, uint32_t flags, uint16_t *slot, uint8_t **buf)
{
	fe_status_t st;

	for (;;) {
		reap_tx(n);
		for (uint16_t s = 0; s < FE_NET_SLOTS; s++)
			if (n->tx_state[s] == TX_FREE) {
				n->tx_state[s] = TX_TAKEN;
				*slot = s;
				*buf = n->mem + FE_NET_TX_OFF + (uint64_t)s * FE_NET_SLOT_SIZE;
				return FE_OK;
			}
		if ((st = wait_driver(n, flags)) != FE_OK)
			return st;
	}
}

fe_status_t fe_net_tx_flush(struct fe_net *n)
{
	fe_status_t st;

	for (;;) {
		reap_tx(n);
		bool queued = false;
		for (unsigned s = 0; s < FE_NET_SLOTS; s++)
			queued |= n->tx_state[s] == TX_QUEUED;
		if (!queued)
			return FE_OK;
		if ((st = wait_driver(n, 0)) != FE_OK)
			return st;
	}
}

fe_status_t fe_net_tx_submit(struct fe_net *n, uint16_t slot, uint32_t len)
{
	if (slot >= FE_NET_SLOTS || n->tx_state[slot] != TX_TAKEN)
		return FE_ERR_BAD_STATE;
	if (len < FE_NET_FRAME_MIN)
		return FE_ERR_INVALID_ARG;
	if (len > n->mtu + FE_NET_FRAME_MIN)
		return FE_ERR_OUT_OF_RANGE;
	n->tx_state[slot] = TX_QUEUED;
	fe_net_ring_put(n->sh->tx.avail, &n->sh->tx.avail_idx, &n->tx_next,
	                (struct fe_net_entry){ .slot = slot, .len = len });
	doorbell(n);
	return FE_OK;
}

fe_status_t fe_net_send(struct fe_net *n, const void *frame, uint32_t len, uint32_t flags)
{
	uint16_t slot;
	uint8_t *buf;
	fe_status_t st;

	if (len < FE_NET_FRAME_MIN)
		return FE_ERR_INVALID_ARG;
	if (len > n->mtu + FE_NET_FRAME_MIN)
		return FE_ERR_OUT_OF_RANGE;
	if ((st = fe_net_tx_slot(n, flags, &slot, &buf)) != FE_OK)
		return st;
	memcpy(buf, frame, len);
	return fe_net_tx_submit(n, slot, len);
}

static void post_rx(struct fe_net *n, uint16_t slot)
{
	n->rx_state[slot] = RX_POSTED;
	fe_net_ring_put(n->sh->rx.avail, &n->sh->rx.avail_idx, &n->rx_next,
	                (struct fe_net_entry){ .slot = slot });
	doorbell(n);
}

/* A received entry that makes sense: one of our posted slots, a whole frame. */
static bool rx_entry_ok(const struct fe_net *n, struct fe_net_entry e)
{
	return e.slot < FE_NET_SLOTS && n->rx_state[e.slot] == RX_POSTED && e.status == FE_NET_DONE &&
	       e.len >= FE_NET_FRAME_MIN && e.len <= FE_NET_SLOT_SIZE;
}

fe_status_t fe_net_recv(struct fe_net *n, uint32_t flags, struct fe_net_frame *f)
{
	struct fe_net_entry e;
	fe_status_t st;

	for (;;) {
		while (fe_net_ring_get(n->sh->rx.used, &n->sh->rx.used_idx, &n->rx_seen, &e)) {
			if (!rx_entry_ok(n, e)) {
				n->bad_entries++;
				if (e.slot < FE_NET_SLOTS && n->rx_state[e.slot] == RX_POSTED)
					post_rx(n, e.slot);
				continue;
			}
			n->rx_state[e.slot] = RX_HELD;
			n->rx_done++;
			*f = (struct fe_net_frame){
				.slot = e.slot, .len = e.len,
				.data = n->mem + FE_NET_RX_OFF + (uint64_t)e.slot * FE_NET_SLOT_SIZE,
			};
			return FE_OK;
		}
		if ((st = wait_driver(n, flags)) != FE_OK)
			return st;
	}
}

fe_status_t fe_net_wait(struct fe_net *n)
{
	return wait_driver(n, 0);
}

fe_status_t fe_net_rx_release(struct fe_net *n, uint16_t slot)
{
	if (slot >= FE_NET_SLOTS || n->rx_state[slot] != RX_HELD)
		return FE_ERR_BAD_STATE;
	post_rx(n, slot);
	return FE_OK;
}
