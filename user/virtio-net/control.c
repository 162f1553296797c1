/* SPDX-License-Identifier: MIT */
/*
 * The control thread's endpoint (net.h): FE_NET_INFO and FE_NET_ATTACH of
 * ferrous/net.h, one call at a time, and the supervisor's control labels
 * (fe/service.h: heartbeat, who, crash injection). An attach checks and maps the
 * client's memory here, hands the new client to the data thread, and
 * unmaps the one it replaced once the data thread has let it go.
 */
#include <fe/attach.h>
#include <fe/ipc.h>
#include <fe/runtime.h>
#include <fe/service.h>
#include <fe/sys.h>

#include "net.h"

static void info(const struct net *n, struct fe_msg *m)
{
	uint64_t mac = 0;

	for (unsigned i = 0; i < 6; i++)
		mac |= (uint64_t)n->mac[i] << (8 * i);
	m->w[1] = mac;
	m->w[2] = net_link(n);
	m->w[3] = n->mtu;
}

/* The two capabilities of an attach: FE_ERR_INVALID_ARG (and none kept) for any other count. */
static fe_status_t take_caps(const struct fe_msg *m, struct client *c)
{
	fe_handle_t caps[FE_IPC_MAX_CAPS];
	unsigned k = 0;
	fe_status_t st = fe_msg_take_caps(m, caps, FE_IPC_MAX_CAPS, &k);

	if (st != FE_OK)
		return st;
	if (k != 2) {
		fe_handles_delete(caps, k);
		return FE_ERR_INVALID_ARG;
	}
	c->vmo = caps[0];
	c->notif = caps[1];
	return FE_OK;
}

/* The client's memory for the device (which also checks it is a contiguous
 * VMO of FE_NET_SHM_SIZE bytes or more) and here. */
static fe_status_t map_client(struct net *n, struct client *c)
{
	uint64_t va = fe_va_alloc(FE_NET_SHM_SIZE);
	fe_status_t st;

	if (va == 0)
		return FE_ERR_NO_RESOURCES;
	if ((st = fe_pci_dma_map(n->v.dev, c->vmo, 0, FE_NET_SHM_SIZE,
	                         FE_DMA_DEVICE_READ | FE_DMA_DEVICE_WRITE | n->v.dma_flags,
	                         &c->dev)) != FE_OK)
		return st;
	if ((st = fe_vm_map(fe_self, c->vmo, 0, va, FE_NET_SHM_SIZE, FE_VM_READ | FE_VM_WRITE)) != FE_OK) {
		(void)fe_pci_dma_unmap(n->v.dev, c->dev);
		return st;
	}
	c->va = va;
	c->sh = (volatile struct fe_net_shared *)(uintptr_t)va;
	return FE_OK;
}

static void release_client(struct net *n, struct client *c)
{
	(void)fe_vm_unmap(fe_self, c->va, FE_NET_SHM_SIZE);
	(void)fe_pci_dma_unmap(n->v.dev, c->dev);
	(void)fe_handle_delete(c->vmo);
	(void)fe_handle_delete(c->notif);
	*c = (struct client){ 0 };
}

/* Gives c to the data thread and waits until it has; c becomes the client it replaced. */
static void hand_over(struct net *n, struct client *c)
{
	n->ho.next = *c;
	fe_handoff_post(&n->ho.pending, n->notif, 1ULL << BIT_CONTROL, n->ack);
	*c = n->ho.next;
}

static fe_status_t attach(struct net *n, const struct fe_msg *req)
{
	struct client c = { .present = true, .bit = (uint32_t)req->w[0] };
	fe_status_t st = take_caps(req, &c);

	if (st != FE_OK)
		return st;
	if ((st = fe_attach_check_notif(c.notif, req->w[0])) != FE_OK || (st = map_client(n, &c)) != FE_OK) {
		fe_handles_delete((fe_handle_t[]){ c.vmo, c.notif }, 2);
		return st;
	}
	hand_over(n, &c);
	if (c.present)
		release_client(n, &c);
	return FE_OK;
}

/* One request; m becomes its reply. */
static void serve_one(struct net *n, struct fe_msg *m)
{
	const struct fe_msg req = *m;
	uint32_t label = FE_MSG_LABEL(req.info);
	fe_handle_t caps[FE_IPC_MAX_CAPS];
	unsigned k = 0;
	fe_status_t st = FE_OK;

	*m = (struct fe_msg){ .info = FE_MSG_INFO(label, 4, 0), .w = { 0 } };
	if (label != FE_NET_ATTACH && FE_MSG_CAPS(req.info) &&
	    fe_msg_take_caps(&req, caps, FE_IPC_MAX_CAPS, &k) == FE_OK)
		fe_handles_delete(caps, k); /* unasked-for capabilities do not pile up here */
	switch (label) {
	case FE_NET_INFO: info(n, m); break;
	case FE_NET_ATTACH:
		if ((st = attach(n, &req)) == FE_OK) {
			m->w[1] = BIT_DOORBELL;
			st = fe_msg_attach_caps(m, (fe_handle_t[]){ n->doorbell, n->self_wait }, 2);
		}
		break;
	default: st = FE_ERR_BAD_SYSCALL; break;
	}
	m->w[0] = (uint64_t)(int64_t)st;
}

fe_status_t net_serve(struct net *n, fe_handle_t ep)
{
	struct fe_msg m;
	fe_status_t st = fe_recv(ep, 0, &m);

	while (st == FE_OK) {
		/* The supervisor's labels (heartbeat, crash injection) are answered,
		 * and a fault done, here in the thread that serves. */
		if (fe_service_handle_control(&m)) {
			st = fe_recv(ep, 0, &m);
			continue;
		}
		serve_one(n, &m);
		st = fe_reply_recv(ep, &m);
	}
	return st;
}
