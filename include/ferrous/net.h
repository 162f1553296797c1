/* SPDX-License-Identifier: MIT */
/*
 * The network device protocol: what a network driver (user/virtio-net)
 * answers on its endpoint, and the memory it shares with its client.
 *
 * Control travels in IPC messages: FE_NET_INFO (MAC, link, MTU) and
 * FE_NET_ATTACH. Frames never do: the client attaches one memory object
 * (struct fe_net_shared at offset 0, then FE_NET_SLOTS receive slots and
 * FE_NET_SLOTS transmit slots of FE_NET_SLOT_SIZE bytes), which the driver
 * maps for the device's DMA and points the device's descriptors straight
 * at, so a frame is written once (by the client, or by the device) and read
 * once where it lies. Without an IOMMU the object must be physically
 * contiguous (FE_VMO_CONTIGUOUS).
 *
 * Each direction has two rings of FE_NET_SLOTS entries, as virtio's split
 * queues do: the client posts slots in `avail` (a receive slot to fill, a
 * transmit slot holding a frame) and the driver gives them back in `used`
 * (the frame received, the transmission done) in the order it finishes
 * them. The indices run freely (entry i is at ring[i % FE_NET_SLOTS]); each
 * is written by one side only, after the entries it covers. A slot is in
 * at most one place at a time, so neither ring can overflow. Doorbells are
 * notification bits: after posting, the client signals the driver's
 * doorbell (given in the attach reply); after giving slots back, or when
 * the device reports a configuration change (the link went up or down),
 * the driver signals the client's notification bit (given in the attach
 * request).
 *
 * The driver trusts nothing in the shared memory: it keeps its own copy of
 * every index, reads an entry once, and answers an entry naming no slot,
 * or a frame too short or too long, with FE_NET_REFUSED. It never has more
 * than FE_NET_SLOTS entries of a direction at once.
 *
 * Crashes: networks drop frames, and so may a driver that dies: slots in
 * flight at its end are lost (their frames may or may not have been sent or
 * received). The attach reply carries the driver's process capability (WAIT
 * only) so the client can watch for its end (FE_SYS_PROCESS_WATCH); then the
 * client takes every slot back, zeroes the rings, and attaches again to the
 * instance its supervisor started on the same endpoint (a call made before
 * that waits for it). A process's end quiesces its device before any memory
 * goes (ADR 0011), so the dead instance's device writes nothing afterwards.
 * An ATTACH to a driver that already has a client resets the device: the
 * old client's slots in flight are dropped, and the driver forgets it.
 *
 * These values are ABI.
 */
#ifndef FERROUS_NET_H
#define FERROUS_NET_H

#include <stdint.h>

/* Labels (FE_MSG_LABEL). The reply's w0 is an fe_status_t. */
enum fe_net_op {
	FE_NET_INFO = 1,   /* reply w1 = MAC (byte i in bits 8i..8i+7), w2 = FE_NET_LINK_* , w3 = MTU */
	FE_NET_ATTACH = 2, /* w0 = the bit of the client's notification the driver signals;
	                      capabilities: the shared VMO (READ|WRITE|MAP|TRANSFER, at least
	                      FE_NET_SHM_SIZE bytes) and the client's notification (SIGNAL|TRANSFER).
	                      Reply w1 = the doorbell's bit; capabilities: the doorbell (a
	                      notification, SIGNAL) and the driver's process (WAIT) */
};

#define FE_NET_LINK_UP 1u

#define FE_NET_SLOTS 32u         /* per direction; a power of two */
#define FE_NET_SLOT_SIZE 2048u
#define FE_NET_FRAME_MIN 14u     /* an Ethernet header: destination, source, type */
#define FE_NET_MTU_MAX 1500u
#define FE_NET_FRAME_MAX (FE_NET_MTU_MAX + FE_NET_FRAME_MIN) /* no FCS, no VLAN tag */

/* A ring entry. In `avail`: the slot (and, transmitting, the frame's
 * length; receiving, len is ignored). In `used`: the slot given back, the
 * bytes received (or transmitted), and a status. */
struct fe_net_entry {
	uint16_t slot;   /* 0..FE_NET_SLOTS-1 within its direction */
	uint16_t status; /* used only: FE_NET_DONE or FE_NET_REFUSED */
	uint32_t len;
};

#define FE_NET_DONE 0u
/* No such slot, or a frame shorter than FE_NET_FRAME_MIN or longer than the MTU allows. */
#define FE_NET_REFUSED 1u

struct fe_net_ring {
	uint32_t avail_idx;      /* written by the client: entries posted */
	uint32_t pad0[15];       /* each index on its own cache line */
	uint32_t used_idx;       /* written by the driver: entries given back */
	uint32_t pad1[15];
	struct fe_net_entry avail[FE_NET_SLOTS];
	struct fe_net_entry used[FE_NET_SLOTS];
};

struct fe_net_shared {
	struct fe_net_ring rx, tx;
};

/* The layout of the attached memory object. */
#define FE_NET_RX_OFF 4096u
#define FE_NET_TX_OFF (FE_NET_RX_OFF + FE_NET_SLOTS * FE_NET_SLOT_SIZE)
#define FE_NET_SHM_SIZE (FE_NET_TX_OFF + FE_NET_SLOTS * FE_NET_SLOT_SIZE)

_Static_assert(sizeof(struct fe_net_entry) == 8, "entries are ABI");
_Static_assert(sizeof(struct fe_net_shared) <= FE_NET_RX_OFF, "the rings fit before the slots");
_Static_assert((FE_NET_SLOTS & (FE_NET_SLOTS - 1)) == 0, "free-running indices wrap cleanly");
_Static_assert(FE_NET_FRAME_MAX <= FE_NET_SLOT_SIZE, "a frame fits in a slot");

#endif /* FERROUS_NET_H */
