/* SPDX-License-Identifier: MIT */
/*
 * The block device protocol: what a block driver (user/virtio-blk) answers
 * on its endpoint. Control travels in IPC messages; data moves between the
 * device and a memory object the client attaches once, so it is never
 * copied (the driver maps it for the device's DMA).
 *
 * A request's reply comes only once the device has completed it: an
 * acknowledged write is on the device, and an acknowledged flush has made
 * every write acknowledged before it durable. A driver that dies with a
 * request in flight leaves its caller with FE_ERR_PEER_CLOSED; reads,
 * writes and flushes are idempotent, so the client library attaches again
 * to the next instance and repeats the request (user/lib/block.c).
 *
 * These values are ABI.
 */
#ifndef FERROUS_BLOCK_H
#define FERROUS_BLOCK_H

#include <stdint.h>

#define FE_BLK_SECTOR 512u

/* Labels (FE_MSG_LABEL). The reply's w0 is an fe_status_t. */
enum fe_blk_op {
	FE_BLK_INFO = 1,   /* reply w1 = capacity in sectors, w2 = FE_BLK_F_*, w3 = most sectors per request */
	FE_BLK_ATTACH = 2, /* one capability: a VMO (READ|WRITE|TRANSFER) the data goes through; replaces the last */
	FE_BLK_READ = 3,   /* w0 = first sector, w1 = sectors, w2 = byte offset in the attached VMO;
	                      FE_ERR_BAD_STATE: nothing attached to this instance yet */
	FE_BLK_WRITE = 4,  /* same; the data is read from the VMO */
	FE_BLK_FLUSH = 5,  /* every write acknowledged before it is durable */
};

#define FE_BLK_F_FLUSH 1u     /* the device has a volatile cache, and FE_BLK_FLUSH empties it */
#define FE_BLK_F_READ_ONLY 2u

#endif /* FERROUS_BLOCK_H */
