/* SPDX-License-Identifier: MIT */
/*
 * virtio-net: the network driver, an ordinary process (ADR 0011). It holds
 * a pci-device capability for one modern virtio network device (start slot
 * FE_START_USER0) and serves the network protocol (ferrous/net.h) on the
 * endpoint in FE_START_ENDPOINT, for one client at a time. It claims the
 * device by mapping its virtqueues for DMA and binding MSI-X entries; if it
 * dies, the kernel quiesces the device, and the next instance starts from a
 * reset.
 *
 * Frames go straight between the device and the client's slots: the driver
 * only moves slot numbers between the client's rings and the device's
 * queues (datapath.c), up to FE_NET_SLOTS frames in flight each way.
 * Start-up is here; the endpoint is served in control.c.
 */
#include <fe/runtime.h>
#include <fe/service.h>
#include <fe/sys.h>

#include "net.h"

#define PAGE 4096ull
#define NS_PER_S 1000000000ull
#define MTU_MIN 68u      /* the least an IPv4 link may have (RFC 791) */

/* MAC, MTU and what the device configuration must be long enough to hold. */
/* The driver's one state; the data thread's own parts are its alone (net.h). */
static struct net the_net;

static fe_status_t read_config(struct net *n)
{
	volatile uint8_t *c = n->v.device;
	uint32_t need = (n->features & VIRTIO_NET_F_MTU) ? 12 : (n->features & VIRTIO_NET_F_STATUS) ? 8 : 6;

	if (!(n->features & VIRTIO_NET_F_MAC)) {
		n->v.why = "the device offers no MAC address (VIRTIO_NET_F_MAC)";
		return FE_ERR_UNSUPPORTED;
	}
	if (n->v.device_len < need) {
		n->v.why = "the device configuration is too short for the features it offers";
		return FE_ERR_BAD_FORMAT;
	}
	for (unsigned i = 0; i < 6; i++)
		n->mac[i] = c[i];
	n->mtu = FE_NET_MTU_MAX;
	if (n->features & VIRTIO_NET_F_MTU) {
		uint32_t mtu = *(volatile uint16_t *)(c + 10);
		if (mtu < MTU_MIN) {
			n->v.why = "the device reports an MTU below 68";
			return FE_ERR_BAD_FORMAT;
		}
		n->mtu = mtu < n->mtu ? mtu : n->mtu;
	}
	return FE_OK;
}

/* MSI-X entry 0 for receive, 1 for transmit, 2 for configuration changes;
 * with fewer entries, queues share entry 0 and link changes raise none. */
static fe_status_t bind_vectors(struct net *n)
{
	static const uint32_t bits[3] = { BIT_RX, BIT_TX, BIT_CONFIG };
	uint32_t entries = n->v.msix_entries;
	fe_status_t st;

	if (entries == 0) {
		n->v.why = "the device has no MSI-X capability";
		return FE_ERR_UNSUPPORTED;
	}
	n->vec_rx = 0;
	n->vec_tx = entries >= 2 ? 1 : 0;
	n->vec_config = entries >= 3 ? 2 : FE_VIRTIO_NO_VECTOR;
	for (uint32_t i = 0; i < entries && i < 3; i++)
		if ((st = fe_pci_irq_bind(n->v.dev, i, n->notif, bits[i])) != FE_OK) {
			n->v.why = "cannot bind an MSI-X entry";
			return st;
		}
	return FE_OK;
}

/* The page of virtio-net headers: one per receive slot, and the transmit one. */
static fe_status_t setup_headers(struct net *n)
{
	uint64_t va = fe_va_alloc(PAGE);
	fe_status_t st;

	_Static_assert(FE_NET_SLOTS * NET_HDR_STRIDE <= TX_HDR_OFF, "receive headers, then transmit");
	if (va == 0)
		return FE_ERR_NO_RESOURCES;
	if ((st = fe_vmo_create_flags(PAGE, FE_VMO_CONTIGUOUS, &n->hdr_vmo)) != FE_OK ||
	    (st = fe_vm_map(fe_self, n->hdr_vmo, 0, va, PAGE, FE_VM_READ | FE_VM_WRITE)) != FE_OK ||
	    (st = fe_pci_dma_map(n->v.dev, n->hdr_vmo, 0, PAGE,
	                         FE_DMA_DEVICE_READ | FE_DMA_DEVICE_WRITE | n->v.dma_flags,
	                         &n->hdr_dev)) != FE_OK) {
		n->v.why = "no memory for virtio-net headers";
		return st;
	}
	n->hdr = (volatile uint8_t *)(uintptr_t)va;
	return FE_OK;
}

/* What an attach reply grants: the doorbell (SIGNAL) and this process (WAIT). */
static fe_status_t make_grants(struct net *n)
{
	fe_status_t st;

	if ((st = fe_notif_create(&n->ack)) != FE_OK ||
	    (st = fe_handle_dup(n->notif, FE_RIGHT_SIGNAL | FE_RIGHT_TRANSFER, 0, &n->doorbell)) != FE_OK ||
	    (st = fe_handle_dup(fe_self, FE_RIGHT_WAIT | FE_RIGHT_TRANSFER, 0, &n->self_wait)) != FE_OK)
		n->v.why = "cannot make the attach reply's capabilities";
	return st;
}

static fe_status_t start(struct net *n, fe_handle_t dev)
{
	fe_status_t st;

	if ((st = fe_virtio_open(dev, &n->v)) != FE_OK)
		return st;
	if ((st = fe_notif_create(&n->notif)) != FE_OK) {
		n->v.why = "cannot create a notification";
		return st;
	}
	if ((st = bind_vectors(n)) != FE_OK || (st = setup_headers(n)) != FE_OK ||
	    (st = make_grants(n)) != FE_OK || (st = net_device_init(n, true)) != FE_OK)
		return st;
	return read_config(n);
}

void net_dma_fault(void)
{
	(void)fe_notif_signal(the_net.notif, 1ULL << BIT_DMA_FAULT);
	/* The kernel ends the process from the IOMMU's fault. Heartbeats go
	 * unanswered meanwhile: a fault that never comes is a hang. */
	for (;;)
		(void)fe_thread_sleep(NS_PER_S);
}

/* The FE_FAULT_DMA hook where an IOMMU translates the device's DMA; *confined says so. */
static fe_status_t offer_dma_fault(struct net *n, bool *confined)
{
	fe_status_t st = fe_service_set_dma_fault(n->v.dev, net_dma_fault);

	*confined = st == FE_OK;
	if (st == FE_ERR_UNSUPPORTED)
		return FE_OK; /* no IOMMU: `crash NAME dma` stays refused */
	if (st != FE_OK)
		n->v.why = "cannot ask whether its DMA is translated";
	return st;
}

int main(int argc, char **argv)
{
	struct net *n = &the_net;
	fe_handle_t thread;
	bool confined = false;
	uint64_t bits;
	fe_status_t st;

	(void)argc, (void)argv;
	if ((st = start(n, fe_start_handle(FE_START_USER0))) != FE_OK ||
	    (st = offer_dma_fault(n, &confined)) != FE_OK) {
		printf("virtio-net: cannot start: %s (%s)\n", n->v.why ? n->v.why : "?", fe_status_name(st));
		return 1;
	}
	printf("virtio-net: MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s, MTU %u, queues of %u, "
	       "%u MSI-X entries%s\n", n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5],
	       net_link(n) ? "up" : "down", n->mtu, n->rx.q.size, n->v.msix_entries,
	       confined ? ", DMA confined by the IOMMU" : "");
	fe_flush(); /* from here on the data thread may print too */
	/* Served only once the data thread runs (it says so on `ack`): a client
	 * that gets an answer finds every handle the driver keeps made. */
	if ((st = fe_thread_spawn(net_datapath, n, FE_PRIORITY_DEFAULT, &thread)) != FE_OK ||
	    (st = fe_notif_wait(n->ack, 0, &bits)) != FE_OK) {
		printf("virtio-net: cannot start the data thread: %s\n", fe_status_name(st));
		return 2;
	}
	st = net_serve(n, fe_start_handle(FE_START_ENDPOINT));
	printf("virtio-net: endpoint failed: %s\n", fe_status_name(st));
	return 3;
}
