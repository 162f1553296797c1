/* SPDX-License-Identifier: MIT */
/*
 * The virtio-net driver's state, shared by its two threads:
 *
 * - the control thread (main.c, control.c) starts the device and then
 *   serves the endpoint: FE_NET_INFO and FE_NET_ATTACH (ferrous/net.h);
 * - the data thread (datapath.c) owns the device's queues and the client's
 *   rings: it waits on one notification for the device's interrupts, the
 *   client's doorbell and the control thread's hand-over, and moves slots
 *   between the client's rings and the device.
 *
 * The only state both threads write is the hand-over (struct handover):
 * a new client goes from the control thread to the data thread there, and
 * the one it replaces comes back. Everything else the data thread touches
 * after start-up is its own.
 */
#ifndef VIRTIO_NET_NET_H
#define VIRTIO_NET_NET_H

#include <stdbool.h>
#include <stdint.h>

#include <fe/handoff.h>
#include <fe/virtio.h>

#include <ferrous/net.h>

/* Feature bits (virtio 1.x, 5.1.3). */
#define VIRTIO_NET_F_MTU (1ULL << 3)
#define VIRTIO_NET_F_MAC (1ULL << 5)
#define VIRTIO_NET_F_STATUS (1ULL << 16)
#define VIRTIO_NET_S_LINK_UP 1u
#define NET_FEATURES (VIRTIO_NET_F_MTU | VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS)

/* With VERSION_1 every frame is preceded by this header (12 bytes, num_buffers included). */
#define NET_HDR_LEN 12u
#define NET_HDR_STRIDE 16u /* the header page: one per receive slot at slot * 16, */
#define TX_HDR_OFF 2048u   /* and the transmit one (zeros, read by the device only) */

#define QUEUE_RX 0u
#define QUEUE_TX 1u
#define QUEUE_MAX 256u

/* Bits of the driver's notification. */
#define BIT_RX 0u       /* MSI-X: the receive queue */
#define BIT_TX 1u       /* MSI-X: the transmit queue */
#define BIT_CONFIG 2u   /* MSI-X: configuration change (link status) */
#define BIT_DOORBELL 3u /* the client posted slots */
#define BIT_CONTROL 4u  /* the control thread handed something over */
#define BIT_DMA_FAULT 5u /* the supervisor asked for a DMA fault (fe/service.h, FE_FAULT_DMA) */

/* slot_of's mark for the injected DMA fault's transmit chain: no client slot. */
#define FAULT_SLOT FE_NET_SLOTS

/* The client: its memory, mapped here and for the device, and its notification. */
struct client {
	bool present;
	fe_handle_t vmo, notif;
	uint32_t bit;
	uint64_t va, dev;                 /* where the memory is, here and for the device */
	volatile struct fe_net_shared *sh;
};

/* One direction: a device queue and the client ring it serves. */
struct lane {
	struct fe_virtq q;
	uint16_t slot_of[QUEUE_MAX];      /* the client slot in the chain at each head */
	uint32_t len_of[QUEUE_MAX];       /* and the frame's length (transmit) */
	uint32_t avail_seen, used_next;   /* own copies of the client ring's indices */
	uint32_t inflight;                /* client entries taken and not given back */
};

/* The control thread's request to the data thread, and its answer. */
struct handover {
	struct client next;               /* in: the new client; out: the one it replaced */
	bool pending;                     /* posted by control, done by data (fe/handoff.h) */
};

struct net {
	struct fe_virtio v;
	uint64_t features;
	uint8_t mac[6];
	uint32_t mtu;
	uint16_t vec_rx, vec_tx, vec_config;
	fe_handle_t notif;                /* every wake-up of the data thread */
	fe_handle_t ack;                  /* data thread -> control thread */
	fe_handle_t doorbell, self_wait;  /* what an attach reply grants */
	fe_handle_t hdr_vmo;              /* the virtio-net headers, device-visible */
	uint64_t hdr_dev;
	volatile uint8_t *hdr;
	struct lane rx, tx;
	struct client cl;                 /* data thread's */
	struct handover ho;
	uint64_t runts;                   /* received frames shorter than a header, dropped */
	bool fault_aimed;                 /* data thread's: the FE_FAULT_DMA chain is in the device */
};

/* datapath.c: the data thread's body (arg: struct net *); never returns. */
void net_datapath(void *arg);
/* datapath.c: device set-up after a reset (features, vectors, queues, DRIVER_OK). */
fe_status_t net_device_init(struct net *n, bool first);
/* datapath.c: the link state now (FE_NET_LINK_UP or 0). */
uint32_t net_link(const struct net *n);

/* main.c: the FE_FAULT_DMA hook (fe_service_set_dma_fault), on the control
 * thread: has the data thread aim the device outside its memory; never returns. */
void net_dma_fault(void);

/* control.c: serves the endpoint; returns only if it fails. */
fe_status_t net_serve(struct net *n, fe_handle_t ep);

#endif /* VIRTIO_NET_NET_H */
