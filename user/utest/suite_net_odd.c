/* SPDX-License-Identifier: MIT */
/*
 * The virtio-net driver on devices built unlike the usual one (scenario
 * `net-odd`): one without MSI-X, which the driver refuses to drive, saying
 * why; and one with a single MSI-X entry (both queues share it, link
 * changes raise none) whose MTU is 1280 (VIRTIO_NET_F_MTU), which the
 * driver reports and the client keeps to. Each case skips without its device.
 */
#include "net_rig.h"

#define SMALL_MTU 1280u /* tools/scenarios.py, net-odd */
#define FRAMES 32u
#define WINDOW 16u
#define BURST 8u

/* The first virtio network function with `entries` MSI-X entries, or UINT32_MAX. */
static uint32_t find(uint32_t entries)
{
	uint32_t addr[NET_FUNCTIONS_MAX], msix[NET_FUNCTIONS_MAX];
	unsigned n = net_functions(addr, msix);

	for (unsigned i = 0; i < n; i++)
		if (msix[i] == entries)
			return addr[i];
	return UINT32_MAX;
}

static void no_msix_fails_clearly(struct ut *t)
{
	struct net_rig r = { 0 };
	struct fe_exit_status st;
	uint32_t addr = find(0);

	if (addr == UINT32_MAX) {
		ut_skip(t, "no virtio network device without MSI-X (scenario net-odd adds one)");
		return;
	}
	if (net_rig_start(t, &r, addr)) {
		/* "cannot start: the device has no MSI-X capability" (the scenario
		 * checks the console), and an exit its supervisor sees. */
		UT_EXPECT_OK(t, ut_wait(r.driver, &st));
		UT_EXPECT_EQ(t, st.reason, FE_EXIT_NORMAL);
		UT_EXPECT_EQ(t, st.code, 1);
		ut_unwatch(r.driver);
		ut_del(t, r.driver);
		r.driver = FE_HANDLE_INVALID;
	}
	net_rig_down(t, &r);
}

static void one_vector_small_mtu(struct ut *t)
{
	static uint8_t frame[FE_NET_SLOT_SIZE];
	struct net_rig r = { 0 };
	struct echo_tally tl = { 0 };
	uint32_t addr = find(1);

	if (addr == UINT32_MAX) {
		ut_skip(t, "no virtio network device with one MSI-X entry (scenario net-odd adds one)");
		return;
	}
	if (net_rig_start(t, &r, addr) && UT_EXPECT_OK(t, fe_net_open(r.ep, &r.client))) {
		struct fe_net *n = &r.client;
		UT_EXPECT_EQ(t, n->mtu, SMALL_MTU);
		UT_EXPECT_EQ(t, n->link, FE_NET_LINK_UP);
		UT_EXPECT_STATUS(t, fe_net_send(n, frame, SMALL_MTU + FE_NET_FRAME_MIN + 1, 0),
		                 FE_ERR_OUT_OF_RANGE);
		/* 60 to 1294 bytes, both queues' completions on one vector. */
		UT_EXPECT_OK(t, echo_exchange(n, 7000, FRAMES, WINDOW, ECHO_REQUEST, &tl));
		/* The restart's device reset on this device too. */
		net_restart(t, &r);
		UT_EXPECT_OK(t, echo_exchange(n, 7100, BURST, BURST, ECHO_REQUEST, &tl));
		UT_EXPECT_EQ(t, n->restarts, 1);
		UT_EXPECT_EQ(t, tl.bad, 0);
		net_report(t, &tl, n);
	}
	net_rig_down(t, &r);
}

UT_SUITE(net_odd,
	UT_CASE(no_msix_fails_clearly),
	UT_CASE(one_vector_small_mtu));
