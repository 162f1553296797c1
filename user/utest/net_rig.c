/* SPDX-License-Identifier: MIT */
/* The network suites' rig (net_rig.h). */
#include <fe/ipc.h>
#include <fe/pci.h>
#include <fe/spawn.h>

#include "net_rig.h"

#define FULL_MSIX 3u /* receive, transmit, configuration changes */

struct found {
	unsigned n;
	uint32_t addr[NET_FUNCTIONS_MAX];
};

static void match_net(const struct fe_pci_function *f, void *ctx)
{
	struct found *found = ctx;

	if (f->vendor == 0x1af4 && (f->device == 0x1041 || f->device == 0x1000) &&
	    found->n < NET_FUNCTIONS_MAX)
		found->addr[found->n++] = f->addr;
}

/* The MSI-X table size from the capability list, as the driver reads it. */
static uint32_t msix_entries(fe_handle_t root, uint32_t addr)
{
	uint32_t status, off, id, control;

	if (fe_pci_config_read(root, addr, FE_PCI_STATUS, 2, &status) != FE_OK ||
	    !(status & FE_PCI_STATUS_CAPS) || fe_pci_config_read(root, addr, FE_PCI_CAP_PTR, 1, &off) != FE_OK)
		return 0;
	for (unsigned i = 0; (off &= 0xfc) >= FE_PCI_HEADER_END && i < 48; i++) {
		if (fe_pci_config_read(root, addr, off, 1, &id) != FE_OK)
			return 0;
		if (id == FE_PCI_CAP_MSIX)
			return fe_pci_config_read(root, addr, off + 2, 2, &control) == FE_OK ? (control & 0x7ff) + 1 : 0;
		if (fe_pci_config_read(root, addr, off + 1, 1, &off) != FE_OK)
			return 0;
	}
	return 0;
}

unsigned net_functions(uint32_t addr[NET_FUNCTIONS_MAX], uint32_t msix[NET_FUNCTIONS_MAX])
{
	fe_handle_t root = ut_slot(FE_START_PCI_ROOT);
	struct found found = { 0 };

	if (root == FE_HANDLE_INVALID || fe_pci_enumerate(root, match_net, &found) != FE_OK)
		return 0;
	for (unsigned i = 0; i < found.n; i++) {
		addr[i] = found.addr[i];
		msix[i] = msix_entries(root, addr[i]);
	}
	return found.n;
}

fe_status_t net_start_driver(struct net_rig *r)
{
	struct fe_spawn_args a;

	fe_driver_spawn_args(&a, "virtio-net", r->dev, r->ep);
	return ut_spawn_args(&a, &r->driver);
}

bool net_rig_start(struct ut *t, struct net_rig *r, uint32_t addr)
{
	*r = (struct net_rig){ 0 };
	return UT_EXPECT_OK(t, fe_pci_device_create(ut_slot(FE_START_PCI_ROOT), addr, &r->dev)) &&
	       UT_EXPECT_OK(t, fe_endpoint_create(&r->ep)) && UT_EXPECT_OK(t, net_start_driver(r));
}

bool net_rig_driver(struct ut *t, struct net_rig *r)
{
	uint32_t addr[NET_FUNCTIONS_MAX], msix[NET_FUNCTIONS_MAX];
	unsigned n = net_functions(addr, msix), i = 0;

	*r = (struct net_rig){ 0 };
	while (i < n && msix[i] < FULL_MSIX)
		i++;
	if (i == n) {
		ut_skip(t, "no virtio network device (scenario net adds one)");
		return false;
	}
	return net_rig_start(t, r, addr[i]);
}

bool net_rig_up(struct ut *t, struct net_rig *r)
{
	return net_rig_driver(t, r) && UT_EXPECT_OK(t, fe_net_open(r->ep, &r->client));
}

void net_rig_down(struct ut *t, struct net_rig *r)
{
	fe_net_close(&r->client);
	if (r->driver != FE_HANDLE_INVALID)
		ut_stop(t, r->driver);
	if (r->ep != FE_HANDLE_INVALID)
		ut_del(t, r->ep);
	if (r->dev != FE_HANDLE_INVALID)
		ut_del(t, r->dev);
}

void net_report(struct ut *t, const struct echo_tally *tl, struct fe_net *n)
{
	UT_EXPECT_OK(t, fe_net_tx_flush(n));
	printf("    # net-count sent %u lost %llu replies %u\n", tl->sent, (unsigned long long)n->tx_lost,
	       tl->replies);
	ut_note(t, "%u requests sent (%u again after a restart), %u replies (%u late), %u other frames",
	        tl->sent, tl->resent, tl->replies, tl->late, tl->other);
	ut_note(t, "client: %llu restarts, %llu frames sent, %llu lost in transmission, %llu received",
	        (unsigned long long)n->restarts, (unsigned long long)n->tx_done,
	        (unsigned long long)n->tx_lost, (unsigned long long)n->rx_done);
}

void net_restart(struct ut *t, struct net_rig *r)
{
	ut_stop(t, r->driver);
	r->driver = FE_HANDLE_INVALID;
	UT_EXPECT_OK(t, net_start_driver(r));
}

/* A supervisor's crash request (fe/service.h) on r's endpoint, through a
 * copy badged as the supervisor's (utest made the endpoint, so it may). */
static void inject(struct ut *t, struct net_rig *r, enum fe_fault f, uint32_t flags)
{
	struct fe_msg m = fe_msg_make(FE_SERVICE_CRASH, 3, 0);
	fe_handle_t sup;
	fe_status_t st;

	m.w[0] = f, m.w[1] = flags, m.w[2] = 0;
	if (!UT_EXPECT_OK(t, fe_handle_dup(r->ep, FE_RIGHT_WRITE, FE_SERVICE_BADGE_SUPERVISOR, &sup)))
		return;
	st = fe_call(sup, &m);
	if (flags & FE_SERVICE_CRASH_NO_REPLY)
		UT_EXPECT_MSG(t, st == FE_ERR_PEER_CLOSED, "crash without reply: %s", fe_status_name(st));
	else
		UT_EXPECT_MSG(t, st == FE_OK && fe_service_status(&m) == FE_OK, "crash: %s, answer %s",
		              fe_status_name(st), fe_status_name(fe_service_status(&m)));
	ut_del(t, sup);
}

void net_crash(struct ut *t, struct net_rig *r, enum fe_fault f, uint32_t flags, uint32_t vector)
{
	struct fe_exit_status e = { 0 };

	inject(t, r, f, flags);
	if (UT_EXPECT_OK(t, fe_process_wait(r->driver, &e, 0)))
		UT_EXPECT_MSG(t, e.reason == FE_EXIT_FAULT && e.vector == vector,
		              "the driver ended with reason %u vector %u, not a fault with vector %u",
		              e.reason, e.vector, vector);
	ut_stop(t, r->driver); /* it has ended: only waits and lets go */
	r->driver = FE_HANDLE_INVALID;
	UT_EXPECT_OK(t, net_start_driver(r));
}
