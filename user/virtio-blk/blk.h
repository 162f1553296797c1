/* SPDX-License-Identifier: MIT */
/*
 * The virtio-blk driver's state, shared by its two threads (as virtio-net's):
 *
 * - the control thread (main.c, control.c) starts the device and then
 *   serves the endpoint: FE_BLK_INFO, FE_BLK_ATTACH, FE_BLK_DETACH,
 *   FE_BLK_STATS (ferrous/block.h) and the supervisor's control labels;
 * - the data thread (datapath.c) owns the device's queue and the client's
 *   rings: it waits on one notification for the device's interrupt, the
 *   client's doorbell and the control thread's hand-over, and moves
 *   requests from the client's ring to the device and answers back.
 *
 * The state both threads write is the hand-over (struct handover) and the
 * counts (struct blk_stats: the data thread adds, the control thread reads,
 * both with atomics). Everything else the data thread touches after
 * start-up is its own.
 */
#ifndef VIRTIO_BLK_BLK_H
#define VIRTIO_BLK_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include <fe/block_ring.h>
#include <fe/handoff.h>
#include <fe/virtio.h>

#define VIRTIO_BLK_F_SIZE_MAX (1ULL << 1)
#define VIRTIO_BLK_F_RO (1ULL << 5)
#define VIRTIO_BLK_F_FLUSH (1ULL << 9)
#define BLK_FEATURES (VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_RO | VIRTIO_BLK_F_SIZE_MAX)

/* Room for FE_BLK_DEPTH chains of header, data and status. */
#define QUEUE_SIZE 128u
#define CHAIN_MAX 3u
/* The request headers' page: slot i's header at i * HDR_STRIDE, its status byte after it. */
#define HDR_STRIDE 32u
/* The header slot after the client's 32: the injected DMA fault's request (FE_FAULT_DMA). */
#define FAULT_SLOT FE_BLK_DEPTH

/* Bits of the driver's notification. */
#define BIT_IRQ 0u      /* MSI-X entry 0: the queue */
#define BIT_DOORBELL 1u /* the client posted requests */
#define BIT_CONTROL 2u  /* the control thread handed something over */
#define BIT_DMA_FAULT 3u /* the supervisor asked for a DMA fault (fe/service.h, FE_FAULT_DMA) */

/* The client: its ring, mapped here; its data, mapped for the device; its notification. */
struct client {
	bool present;
	fe_handle_t ring_vmo, data_vmo, notif;
	uint32_t bit;
	uint64_t ring_va, data_dev, data_size;
	volatile struct fe_blk_ring *ring;
};

/* The control thread's request to the data thread, and its answer. */
struct handover {
	struct client next;               /* in: the new client (or none); out: the one it replaced */
	bool pending;                     /* posted by control, done by data (fe/handoff.h) */
};

struct blk_stats {
	uint32_t max_depth;               /* the most chains the device held at once */
	uint32_t refused, broken, flush_waits;
	uint64_t answered;
};

struct blk {
	struct fe_virtio v;
	struct fe_virtq q;
	uint64_t features;
	uint64_t capacity;                /* sectors */
	uint32_t flags;                   /* FE_BLK_F_* */
	uint32_t max_sectors;             /* per request: 2048 or the device's size_max, >= 1 */
	fe_handle_t notif;                /* every wake-up of the data thread */
	fe_handle_t ack;                  /* data thread -> control thread */
	fe_handle_t doorbell, self_wait;  /* what an attach reply grants */
	fe_handle_t hdr_vmo;              /* request headers and status bytes, device-visible */
	uint64_t hdr_dev;
	volatile uint8_t *hdr;
	struct handover ho;
	struct blk_stats stats;
	/* The data thread's own. */
	struct client cl;
	uint32_t avail_seen, used_next;   /* own copies of the client ring's indices */
	uint32_t held;                    /* requests taken and not yet answered */
	uint32_t in_device, writes_in_device;
	uint32_t free_slots;              /* bit i: slot i (header i) unused */
	struct fe_blk_req slot_req[FE_BLK_DEPTH];
	uint8_t slot_of[QUEUE_SIZE];      /* the slot whose chain starts at each head */
	bool parked;                      /* a flush waits for earlier writes: parked_req */
	bool broken;                      /* the client broke the protocol: its ring is not read */
	bool fault_aimed;                 /* the FE_FAULT_DMA request is in the device */
	struct fe_blk_req parked_req;
};

/* datapath.c: the data thread's body (arg: struct blk *); never returns. */
void blk_datapath(void *arg);
/* datapath.c: device set-up after a reset (features, queue, DRIVER_OK). */
fe_status_t blk_device_init(struct blk *b, bool first);

/* main.c: the FE_FAULT_DMA hook (fe_service_set_dma_fault), on the control
 * thread: has the data thread aim the device outside its memory; never returns. */
void blk_dma_fault(void);

/* control.c: serves the endpoint; returns only if it fails. */
fe_status_t blk_serve(struct blk *b, fe_handle_t ep);

#endif /* VIRTIO_BLK_BLK_H */
