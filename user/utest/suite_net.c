/* SPDX-License-Identifier: MIT */
/*
 * The virtio-net driver (user/virtio-net) and the network client
 * (fe/net.h), with utest standing in for the supervisor: it finds the
 * device, starts the driver with the device's capability and an endpoint,
 * and kills and restarts it. Frames go to the host's peer and back
 * (net_echo.h); each case prints what it sent and received (`# net-count
 * ...`), which the host checks against what the peer saw (tools/testrun.py,
 * check_net_peer). Skipped without a virtio network device (scenario `net`
 * adds one).
 */
#include <fe/net.h>
#include <fe/net_ring.h>

#include "net_rig.h"

#define FRAMES 64u  /* echoed in the first case */
#define WINDOW 16u  /* requests unanswered at once */
#define BURST 8u
#define CRASHES 9u

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }; /* tools/netpeer.py */

static void info_link_and_echo(struct ut *t)
{
	struct net_rig r;
	struct echo_tally tl = { 0 };

	if (net_rig_up(t, &r)) {
		struct fe_net *n = &r.client;
		UT_EXPECT(t, memcmp(n->mac, guest_mac, 6) == 0);
		UT_EXPECT_EQ(t, n->link, FE_NET_LINK_UP);
		UT_EXPECT_EQ(t, n->mtu, FE_NET_MTU_MAX);
		/* 64 frames of 60 to 1514 bytes, 16 in flight each way. */
		UT_EXPECT_OK(t, echo_exchange(n, 0, FRAMES, WINDOW, ECHO_REQUEST, &tl));
		UT_EXPECT_EQ(t, tl.replies, FRAMES);
		/* The network sends junk: a frame longer than any buffer and a
		 * runt; the reply after them still comes, through the same driver. */
		UT_EXPECT_OK(t, echo_exchange(n, 1000, 1, 1, ECHO_JUNK, &tl));
		UT_EXPECT_OK(t, fe_net_info(n));
		UT_EXPECT_EQ(t, n->link, FE_NET_LINK_UP);
		UT_EXPECT_EQ(t, tl.bad + tl.late + tl.resent, 0);
		UT_EXPECT_EQ(t, n->restarts + n->tx_lost + n->tx_refused + n->bad_entries, 0);
		net_report(t, &tl, n);
	}
	net_rig_down(t, &r);
}

/* Waits until the client sees the link as `up` (FE_NET_LINK_UP or 0). */
static fe_status_t await_link(struct fe_net *n, uint32_t up)
{
	fe_status_t st;

	while ((st = fe_net_info(n)) == FE_OK && n->link != up && !ut_timed_out())
		if ((st = fe_net_wait(n)) != FE_OK)
			return st;
	ut_progress();
	return st;
}

/*
 * The host pulls the cable and plugs it back (`# net-link down|up` asks
 * tools/netpeer.py to tell QEMU): the device's configuration-change
 * interrupt wakes the client, which sees the link go down and come up;
 * traffic flows again.
 */
static void link_goes_down_and_up(struct ut *t)
{
	struct net_rig r;
	struct echo_tally tl = { 0 };

	if (net_rig_up(t, &r)) {
		struct fe_net *n = &r.client;
		UT_EXPECT_EQ(t, n->link, FE_NET_LINK_UP);
		printf("    # net-link down\n");
		UT_EXPECT_OK(t, await_link(n, 0));
		UT_EXPECT_EQ(t, n->link, 0);
		printf("    # net-link up\n");
		UT_EXPECT_OK(t, await_link(n, FE_NET_LINK_UP));
		UT_EXPECT_EQ(t, n->link, FE_NET_LINK_UP);
		UT_EXPECT_OK(t, echo_exchange(n, 6000, BURST, BURST, ECHO_REQUEST, &tl));
		UT_EXPECT_EQ(t, n->restarts, 0);
		net_report(t, &tl, n);
	}
	net_rig_down(t, &r);
}

/* The client library refuses what the protocol would: nothing reaches the driver. */
static void client_refusals(struct ut *t)
{
	static uint8_t frame[FE_NET_SLOT_SIZE];
	struct net_rig r;
	struct echo_tally tl = { 0 };
	uint16_t slot;
	uint8_t *buf;

	if (net_rig_up(t, &r)) {
		struct fe_net *n = &r.client;
		UT_EXPECT_STATUS(t, fe_net_send(n, frame, FE_NET_FRAME_MIN - 1, 0), FE_ERR_INVALID_ARG);
		UT_EXPECT_STATUS(t, fe_net_send(n, frame, 0, 0), FE_ERR_INVALID_ARG);
		UT_EXPECT_STATUS(t, fe_net_send(n, frame, FE_NET_FRAME_MAX + 1, 0), FE_ERR_OUT_OF_RANGE);
		UT_EXPECT_STATUS(t, fe_net_send(n, frame, UINT32_MAX, 0), FE_ERR_OUT_OF_RANGE);
		UT_EXPECT_STATUS(t, fe_net_tx_submit(n, 0, 60), FE_ERR_BAD_STATE);  /* not taken */
		UT_EXPECT_STATUS(t, fe_net_tx_submit(n, FE_NET_SLOTS, 60), FE_ERR_BAD_STATE);
		UT_EXPECT_STATUS(t, fe_net_rx_release(n, 0), FE_ERR_BAD_STATE);     /* the driver's */
		UT_EXPECT_STATUS(t, fe_net_rx_release(n, UINT16_MAX), FE_ERR_BAD_STATE);
		/* A slot whose frame is refused stays the caller's, for a good one. */
		if (UT_EXPECT_OK(t, fe_net_tx_slot(n, FE_NONBLOCK, &slot, &buf))) {
			uint32_t len = echo_len(2000, FE_NET_FRAME_MAX);
			UT_EXPECT_STATUS(t, fe_net_tx_submit(n, slot, FE_NET_FRAME_MAX + 1),
			                 FE_ERR_OUT_OF_RANGE);
			echo_build(buf, n->mac, 2000, ECHO_REQUEST, len);
			UT_EXPECT_OK(t, fe_net_tx_submit(n, slot, len));
			tl.sent++;
			UT_EXPECT_OK(t, echo_take(n, 1, &tl));
		}
		UT_EXPECT_OK(t, echo_exchange(n, 2001, BURST, BURST, ECHO_REQUEST, &tl));
		UT_EXPECT_EQ(t, tl.replies, BURST + 1);
		UT_EXPECT_EQ(t, n->tx_refused + n->bad_entries, 0);
		net_report(t, &tl, n);
	}
	net_rig_down(t, &r);
}

/* A second driver for a claimed device cannot start; the first keeps serving. */
static void second_driver_is_refused(struct ut *t)
{
	struct net_rig r;
	struct echo_tally tl = { 0 };
	fe_handle_t first;

	if (net_rig_up(t, &r)) {
		first = r.driver;
		if (UT_EXPECT_OK(t, net_start_driver(&r)))
			ut_expect_refused_driver(t, r.driver);
		r.driver = first;
		UT_EXPECT_OK(t, echo_exchange(&r.client, 3000, BURST, BURST, ECHO_REQUEST, &tl));
		UT_EXPECT_EQ(t, r.client.restarts, 0);
		net_report(t, &tl, &r.client);
	}
	net_rig_down(t, &r);
}

/* ---- a client without the library, for what the library never sends ---- */

/* A call with label, w0 = word and caps; the reply's capabilities (two, or none kept) in out. */
static fe_status_t raw_call(fe_handle_t ep, uint32_t label, uint64_t word, const fe_handle_t *caps,
                            unsigned k, fe_handle_t out[2], uint64_t *w1)
{
	struct fe_msg m = fe_msg_make(label, 1, 0);
	fe_handle_t got[FE_IPC_MAX_CAPS];
	unsigned n = 0;
	fe_status_t st;

	m.w[0] = word;
	if ((k && (st = fe_msg_attach_caps(&m, caps, k)) != FE_OK) || (st = fe_call(ep, &m)) != FE_OK ||
	    (st = fe_msg_take_caps(&m, got, FE_IPC_MAX_CAPS, &n)) != FE_OK)
		return st;
	st = (fe_status_t)(int64_t)m.w[0];
	if (st == FE_OK && n == 2 && out) {
		out[0] = got[0], out[1] = got[1];
		if (w1)
			*w1 = m.w[1];
		return st;
	}
	while (n)
		(void)fe_handle_delete(got[--n]);
	return st;
}

struct raw_client {
	fe_handle_t vmo, notif, notif_grant, reply[2]; /* reply: the doorbell, the driver */
	uint64_t doorbell_bit;
	volatile struct fe_net_shared *sh;
	uint8_t *mem;
	uint32_t rx_next, tx_next;
};

static bool raw_up(struct ut *t, fe_handle_t ep, struct raw_client *c)
{
	void *va;

	*c = (struct raw_client){ 0 };
	if (!UT_EXPECT_OK(t, fe_notif_create(&c->notif)) ||
	    !UT_EXPECT_OK(t, fe_handle_dup(c->notif, FE_RIGHT_SIGNAL | FE_RIGHT_TRANSFER, 0,
	                                   &c->notif_grant)) ||
	    !UT_EXPECT_OK(t, fe_vmo_create_flags(FE_NET_SHM_SIZE, FE_VMO_CONTIGUOUS, &c->vmo)) ||
	    !UT_EXPECT_NE(t, va = (void *)(uintptr_t)fe_va_alloc(FE_NET_SHM_SIZE), NULL) ||
	    !UT_EXPECT_OK(t, fe_vm_map(fe_self, c->vmo, 0, (uint64_t)(uintptr_t)va, FE_NET_SHM_SIZE,
	                               FE_VM_READ | FE_VM_WRITE)))
		return false;
	c->mem = va;
	c->sh = va;
	return UT_EXPECT_OK(t, raw_call(ep, FE_NET_ATTACH, 0, (fe_handle_t[]){ c->vmo, c->notif_grant }, 2,
	                                c->reply, &c->doorbell_bit));
}

static void raw_down(struct raw_client *c)
{
	if (c->mem)
		(void)fe_vm_unmap(fe_self, (uint64_t)(uintptr_t)c->mem, FE_NET_SHM_SIZE);
	fe_handle_t hs[] = { c->vmo, c->notif, c->notif_grant, c->reply[0], c->reply[1] };
	for (unsigned i = 0; i < ARRAY_SIZE(hs); i++)
		if (hs[i] != FE_HANDLE_INVALID)
			(void)fe_handle_delete(hs[i]);
}

static void raw_post(struct raw_client *c, bool rx, uint16_t slot, uint32_t len)
{
	volatile struct fe_net_ring *r = rx ? &c->sh->rx : &c->sh->tx;

	fe_net_ring_put(r->avail, &r->avail_idx, rx ? &c->rx_next : &c->tx_next,
	                (struct fe_net_entry){ .slot = slot, .len = len });
}

/* Waits until the driver has given back `rx` receive and `tx` transmit entries in all. */
static void raw_wait(struct raw_client *c, uint32_t rx, uint32_t tx)
{
	uint64_t bits;

	(void)fe_notif_signal(c->reply[0], 1ULL << c->doorbell_bit);
	while ((c->sh->rx.used_idx != rx || c->sh->tx.used_idx != tx) && !ut_timed_out())
		if (fe_notif_wait(c->notif, 0, &bits) != FE_OK)
			return;
}

/* The status the driver gave back for transmit `slot` among the first n
 * entries (UINT16_MAX: none). */
static uint16_t raw_status(const struct raw_client *c, uint16_t slot, uint32_t n)
{
	for (uint32_t i = 0; i < n && i < FE_NET_SLOTS; i++)
		if (c->sh->tx.used[i].slot == slot)
			return c->sh->tx.used[i].status;
	return UINT16_MAX;
}

/* An attach of memory `vmo` and notification `notif` asking for `bit`, which must be refused. */
static fe_status_t try_attach(fe_handle_t ep, uint64_t bit, fe_handle_t vmo, fe_handle_t notif)
{
	return raw_call(ep, FE_NET_ATTACH, bit, (fe_handle_t[]){ vmo, notif }, 2, NULL, NULL);
}

/* Attaches that break the protocol are refused, each with its reason, and
 * leave nothing in the driver. */
static void refused_attaches_leave_nothing(struct ut *t)
{
	struct net_rig r;
	struct fe_process_info before, after;
	fe_handle_t vmo, small, ro, nomap, notif, nosig, ep;

	if (net_rig_driver(t, &r) &&
	    UT_EXPECT_OK(t, fe_vmo_create_flags(FE_NET_SHM_SIZE, FE_VMO_CONTIGUOUS, &vmo)) &&
	    UT_EXPECT_OK(t, fe_vmo_create_flags(PAGE, FE_VMO_CONTIGUOUS, &small)) &&
	    UT_EXPECT_OK(t, fe_handle_dup(vmo, FE_RIGHT_READ | FE_RIGHT_MAP | FE_RIGHT_TRANSFER, 0,
	                                  &ro)) &&
	    UT_EXPECT_OK(t, fe_handle_dup(vmo, FE_RIGHT_READ | FE_RIGHT_WRITE | FE_RIGHT_TRANSFER, 0,
	                                  &nomap)) &&
	    UT_EXPECT_OK(t, fe_notif_create(&notif)) &&
	    UT_EXPECT_OK(t, fe_handle_dup(notif, FE_RIGHT_WAIT | FE_RIGHT_TRANSFER, 0, &nosig))) {
		ep = r.ep;
		/* Once it answers, the driver has made every handle it keeps. */
		UT_EXPECT_OK(t, raw_call(ep, FE_NET_INFO, 0, NULL, 0, NULL, NULL));
		UT_EXPECT_OK(t, fe_process_info(r.driver, &before));
		UT_EXPECT_STATUS(t, raw_call(ep, 99, 0, NULL, 0, NULL, NULL), FE_ERR_BAD_SYSCALL);
		/* A stray capability on another call is dropped. */
		UT_EXPECT_OK(t, raw_call(ep, FE_NET_INFO, 0, &notif, 1, NULL, NULL));
		UT_EXPECT_STATUS(t, raw_call(ep, 99, 0, &vmo, 1, NULL, NULL), FE_ERR_BAD_SYSCALL);
		UT_EXPECT_STATUS(t, raw_call(ep, FE_NET_ATTACH, 0, NULL, 0, NULL, NULL), FE_ERR_INVALID_ARG);
		UT_EXPECT_STATUS(t, raw_call(ep, FE_NET_ATTACH, 0, &vmo, 1, NULL, NULL), FE_ERR_INVALID_ARG);
		UT_EXPECT_STATUS(t, raw_call(ep, FE_NET_ATTACH, 0, (fe_handle_t[]){ vmo, notif, notif }, 3,
		                             NULL, NULL), FE_ERR_INVALID_ARG);
		UT_EXPECT_STATUS(t, try_attach(ep, 0, notif, vmo), FE_ERR_WRONG_TYPE);
		UT_EXPECT_STATUS(t, try_attach(ep, 0, vmo, nosig), FE_ERR_ACCESS_DENIED);
		UT_EXPECT_STATUS(t, try_attach(ep, 64, vmo, notif), FE_ERR_INVALID_ARG);
		UT_EXPECT_STATUS(t, try_attach(ep, 0, small, notif), FE_ERR_OUT_OF_RANGE);
		/* The device writes what it receives; the driver maps the rings. */
		UT_EXPECT_STATUS(t, try_attach(ep, 0, ro, notif), FE_ERR_ACCESS_DENIED);
		UT_EXPECT_STATUS(t, try_attach(ep, 0, nomap, notif), FE_ERR_ACCESS_DENIED);
		UT_EXPECT_OK(t, fe_process_info(r.driver, &after));
		UT_EXPECT_EQ(t, after.handles, before.handles);
		UT_EXPECT_EQ(t, after.exit.reason, FE_EXIT_RUNNING);
		fe_handle_t hs[] = { vmo, small, ro, nomap, notif, nosig };
		for (unsigned i = 0; i < ARRAY_SIZE(hs); i++)
			ut_del(t, hs[i]);
	}
	net_rig_down(t, &r);
}

/*
 * Entries naming no slot, or frames the link cannot carry, come back
 * refused while a good frame goes out; a wild ring index costs the driver
 * nothing but refusals; the attach reply grants no more than it must; and
 * a second client's attach resets the device and serves the new client.
 */
static void driver_refuses_bad_entries(struct ut *t)
{
	struct net_rig r;
	struct raw_client c = { 0 };
	struct echo_tally tl = { 0 };
	struct fe_handle_info hi;
	volatile struct fe_net_ring *tx;

	if (net_rig_driver(t, &r) && raw_up(t, r.ep, &c)) {
		tx = &c.sh->tx;
		UT_EXPECT_OK(t, fe_handle_info(c.reply[0], &hi));
		UT_EXPECT(t, hi.type == FE_OBJ_NOTIFICATION && !(hi.rights & FE_RIGHT_WAIT));
		UT_EXPECT_OK(t, fe_handle_info(c.reply[1], &hi));
		UT_EXPECT(t, hi.type == FE_OBJ_PROCESS && !(hi.rights & (FE_RIGHT_MANAGE | FE_RIGHT_READ)));
		echo_build(c.mem + FE_NET_TX_OFF + 2 * FE_NET_SLOT_SIZE, guest_mac, 5000, ECHO_REQUEST,
		           echo_len(5000, FE_NET_FRAME_MAX));
		raw_post(&c, false, FE_NET_SLOTS, 60);
		raw_post(&c, false, 0, FE_NET_FRAME_MIN - 1);
		raw_post(&c, false, 1, FE_NET_FRAME_MAX + 1);
		raw_post(&c, false, 2, echo_len(5000, FE_NET_FRAME_MAX));
		raw_post(&c, true, 999, 0);
		raw_wait(&c, 1, 4);
		tl.sent++; /* request 5000, counted for the host */
		UT_EXPECT(t, c.sh->rx.used[0].slot == 999 && c.sh->rx.used[0].status == FE_NET_REFUSED);
		UT_EXPECT_EQ(t, raw_status(&c, FE_NET_SLOTS, 4), FE_NET_REFUSED);
		UT_EXPECT_EQ(t, raw_status(&c, 0, 4), FE_NET_REFUSED);
		UT_EXPECT_EQ(t, raw_status(&c, 1, 4), FE_NET_REFUSED);
		UT_EXPECT_EQ(t, raw_status(&c, 2, 4), FE_NET_DONE);
		/* A wild index: 1000 entries more than were written, every one refused. */
		for (uint32_t i = 0; i < FE_NET_SLOTS; i++)
			tx->avail[i] = (struct fe_net_entry){ .slot = FE_NET_SLOTS + (uint16_t)i };
		tx->avail_idx = c.tx_next + 1000;
		raw_wait(&c, 1, 4 + 1000);
		UT_EXPECT_EQ(t, tx->used_idx, 4 + 1000);
		unsigned refused = 0;
		for (uint32_t i = 0; i < FE_NET_SLOTS; i++)
			refused += tx->used[i].slot >= FE_NET_SLOTS && tx->used[i].status == FE_NET_REFUSED;
		UT_EXPECT_EQ(t, refused, FE_NET_SLOTS);
		/* The library's client replaces the raw one, and traffic flows. */
		if (UT_EXPECT_OK(t, fe_net_open(r.ep, &r.client))) {
			UT_EXPECT_OK(t, echo_exchange(&r.client, 5001, BURST, BURST, ECHO_REQUEST, &tl));
			net_report(t, &tl, &r.client);
		}
	}
	raw_down(&c);
	net_rig_down(t, &r);
}

/* Ends the driver at point `how` of a round and starts a new instance: a
 * kill, or a fault it does itself in its serving thread on the supervisor's
 * crash request (a null read answered first; an illegal instruction with the
 * request in flight). */
static void crash(struct ut *t, struct net_rig *r, unsigned how, unsigned kind, uint32_t seq,
                  struct echo_tally *tl)
{
	struct fe_net *n = &r->client;

	if (how == 0 || how == 2) /* requests in flight both ways */
		for (uint32_t i = 0; i < BURST; i++)
			UT_EXPECT_OK(t, echo_send(n, seq + i, ECHO_REQUEST, tl));
	if (how == 2) /* and some answered, some frames waiting in the client's ring */
		UT_EXPECT_OK(t, echo_take(n, BURST / 2, tl));
	/* how == 1: while idle */
	if (kind == 0)
		net_restart(t, r);
	else if (kind == 1)
		net_crash(t, r, FE_FAULT_NULL, 0, 14);
	else
		net_crash(t, r, FE_FAULT_ILLEGAL, FE_SERVICE_CRASH_NO_REPLY, 6);
}

/*
 * The driver ends CRASHES times, at three points of a round (frames in
 * flight, idle, part answered), killed or by an injected fault (null read,
 * illegal instruction in flight), and is started again; each time the client
 * notices the end, attaches to the new instance, and a full round of
 * traffic follows. Frames lost across a crash are counted, not judged.
 */
static void traffic_resumes_after_crashes(struct ut *t)
{
	struct net_rig r;
	struct echo_tally tl = { 0 };
	uint32_t seq = 4000;

	if (net_rig_up(t, &r)) {
		struct fe_net *n = &r.client;
		UT_EXPECT_OK(t, echo_exchange(n, seq, BURST, BURST, ECHO_REQUEST, &tl));
		for (unsigned i = 0; i < CRASHES; i++) {
			seq += 100;
			crash(t, &r, i % 3, i / 3 % 3, seq, &tl);
			UT_ASSERT(t, r.driver != FE_HANDLE_INVALID);
			uint32_t before = tl.replies;
			UT_EXPECT_OK(t, echo_exchange(n, seq + 50, BURST, BURST, ECHO_REQUEST, &tl));
			UT_EXPECT_MSG(t, n->restarts == i + 1, "crash %u: %llu restarts seen", i,
			              (unsigned long long)n->restarts);
			UT_EXPECT_MSG(t, tl.replies - before >= BURST, "crash %u: traffic did not resume", i);
		}
		UT_EXPECT_OK(t, fe_net_info(n));
		UT_EXPECT_EQ(t, n->link, FE_NET_LINK_UP);
		UT_EXPECT_EQ(t, tl.bad, 0);
		net_report(t, &tl, n);
	}
	net_rig_down(t, &r);
}

UT_SUITE(net,
	UT_CASE(info_link_and_echo),
	UT_CASE(link_goes_down_and_up),
	UT_CASE(client_refusals),
	UT_CASE(second_driver_is_refused),
	UT_CASE(refused_attaches_leave_nothing),
	UT_CASE(driver_refuses_bad_entries),
	UT_CASE(traffic_resumes_after_crashes));
