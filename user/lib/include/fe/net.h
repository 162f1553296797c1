/* SPDX-License-Identifier: MIT */
/*
 * The network protocol's client (ferrous/net.h): the shared memory attached
 * to the driver once, frames written into and read from its slots in place,
 * and the restart that makes a driver's crash look like a lossy network.
 *
 * The client watches the driver instance it attached to (the attach reply
 * grants its process capability with WAIT). When it has ended, the next
 * call that looks at the driver takes back every slot, counts the frames
 * that were queued for transmission as lost (fe_net.tx_lost), and attaches
 * again to the instance serving the same endpoint (waiting for its
 * supervisor to start one). Received frames the program still holds stay
 * its own; frames the dead instance received but had not handed over are
 * gone, as on any network.
 *
 * One thread at a time uses a struct fe_net: waits take the notification's
 * bits, and a second waiter would steal them. FE_NONBLOCK means no wait for
 * frames or slots; attaching to a new instance after a crash still waits
 * for its supervisor to start one.
 */
#ifndef FE_NET_H
#define FE_NET_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/errors.h>
#include <ferrous/handle.h>
#include <ferrous/net.h>

struct fe_net_frame {
	uint16_t slot;       /* give it back with fe_net_rx_release */
	uint32_t len;        /* FE_NET_FRAME_MIN..mtu + FE_NET_FRAME_MIN bytes */
	const uint8_t *data; /* in the slot, until released */
};

struct fe_net {
	fe_handle_t ep;                 /* the driver's endpoint (WRITE) */
	fe_handle_t vmo;                /* the shared memory: contiguous, FE_NET_SHM_SIZE bytes */
	fe_handle_t vmo_grant;          /* what the driver gets of it: READ|WRITE|MAP|TRANSFER */
	uint8_t *mem;                   /* mapped here */
	volatile struct fe_net_shared *sh;
	fe_handle_t notif;              /* ours: the driver's signals and its death */
	fe_handle_t notif_grant;        /* what the driver gets of it: SIGNAL|TRANSFER */
	fe_handle_t doorbell;           /* the driver's (SIGNAL), from the last attach */
	uint32_t doorbell_bit;
	fe_handle_t driver;             /* the instance attached to (WAIT), watched */
	uint8_t mac[6];
	uint32_t mtu;
	uint32_t link;                  /* FE_NET_LINK_* when last asked (fe_net_info) */
	uint32_t rx_next, tx_next;      /* avail entries posted (own copies) */
	uint32_t rx_seen, tx_seen;      /* used entries taken */
	uint8_t rx_state[FE_NET_SLOTS]; /* which side has each slot (net.c) */
	uint8_t tx_state[FE_NET_SLOTS];
	/* Counts since fe_net_open. */
	uint64_t restarts;              /* attaches to a new driver instance */
	uint64_t tx_done, tx_refused, tx_lost;
	uint64_t rx_done;
	uint64_t bad_entries;           /* used entries naming no slot of ours (ignored) */
};

/* Shared memory and a notification, attached to the driver behind `ep`,
 * with every receive slot posted; the device's MAC, MTU and link state. */
fe_status_t fe_net_open(fe_handle_t ep, struct fe_net *n);
void fe_net_close(struct fe_net *n);
/* Asks the driver again for the MAC, MTU and link state. */
fe_status_t fe_net_info(struct fe_net *n);

/* A free transmit slot to write a frame into (*buf, FE_NET_SLOT_SIZE bytes);
 * waits for one unless flags has FE_NONBLOCK (then FE_ERR_WOULD_BLOCK). */
fe_status_t fe_net_tx_slot(struct fe_net *n, uint32_t flags, uint16_t *slot, uint8_t **buf);
/* Queues the frame in `slot` for transmission. FE_ERR_INVALID_ARG for a
 * frame shorter than FE_NET_FRAME_MIN, FE_ERR_OUT_OF_RANGE for one longer
 * than the MTU allows (the slot stays the caller's), FE_ERR_BAD_STATE for a
 * slot not taken with fe_net_tx_slot. */
fe_status_t fe_net_tx_submit(struct fe_net *n, uint16_t slot, uint32_t len);
/* Waits until every frame queued for transmission is given back: sent,
 * refused, or lost with an instance that ended (counted in tx_lost). */
fe_status_t fe_net_tx_flush(struct fe_net *n);
/* fe_net_tx_slot, a copy of frame into it, fe_net_tx_submit. */
fe_status_t fe_net_send(struct fe_net *n, const void *frame, uint32_t len, uint32_t flags);

/* The next frame received; waits for one unless flags has FE_NONBLOCK. */
fe_status_t fe_net_recv(struct fe_net *n, uint32_t flags, struct fe_net_frame *f);
/* Waits until the driver has given something back or says the link may
 * have changed (fe_net_info tells), or has ended and the client attached to
 * its successor (restarts moves): for a caller with its own loop, after an
 * FE_NONBLOCK call found nothing. A blocking fe_net_recv never returns for
 * a restart; a caller that must learn of lost frames (to send again, say)
 * waits here instead. */
fe_status_t fe_net_wait(struct fe_net *n);
/* Gives a received frame's slot back for the next frame. FE_ERR_BAD_STATE
 * if the slot is not one fe_net_recv returned. */
fe_status_t fe_net_rx_release(struct fe_net *n, uint16_t slot);

#endif /* FE_NET_H */
