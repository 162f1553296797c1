/* SPDX-License-Identifier: MIT */
/*
 * The block device protocol: what a block driver (user/virtio-blk) answers
 * on its endpoint, and the memory it shares with its client.
 *
 * Control travels in IPC messages: FE_BLK_INFO, FE_BLK_ATTACH,
 * FE_BLK_DETACH, FE_BLK_STATS. Requests never do: the client attaches two
 * memory objects, a ring page (struct fe_blk_ring) the driver maps for
 * itself, and a data buffer the driver maps for the device's DMA only and
 * points each request's data descriptor straight at, so data is never
 * copied. Without an IOMMU the data buffer must be physically contiguous
 * (FE_VMO_CONTIGUOUS).
 *
 * Two rings of FE_BLK_DEPTH entries, as virtio's split queues: the client
 * posts requests in `avail` (struct fe_blk_req, with a tag of its choice)
 * and the driver answers each in `used` (struct fe_blk_done: the tag and an
 * fe_status_t) in the order the device completes them, not the order they
 * were posted. The indices run freely (entry i is at ring[i % FE_BLK_DEPTH]);
 * each is written by one side only, after the entries it covers. A client
 * has at most FE_BLK_DEPTH requests outstanding (posted and not yet taken
 * back from `used`), so neither ring can overflow. Doorbells are
 * notification bits: after posting, the client signals the driver's
 * doorbell (given in the attach reply); after answering, the driver signals
 * the client's notification bit (given in the attach request).
 *
 * A request is answered only once the device has completed it: an
 * acknowledged write is on the device. Flush (FE_BLK_OP_FLUSH) covers every
 * write posted before it in `avail`: the driver takes nothing posted after
 * a flush until every earlier write it holds has completed, then gives the
 * flush to the device (with VIRTIO_BLK_F_FLUSH; without it the device has
 * no volatile cache and the flush completes then), so an acknowledged flush
 * means every write posted before it is durable. Requests are not ordered
 * otherwise: two writes to the same sector in flight at once land in either
 * order.
 *
 * The driver trusts nothing in the shared memory: it keeps its own copy of
 * every index, reads an entry once, and answers a request it cannot do with
 * its reason (fe_blk_check: FE_ERR_INVALID_ARG for an unknown op or a count
 * of 0 or above FE_BLK_INFO's most, FE_ERR_OUT_OF_RANGE for sectors past the
 * disk's end or data past the buffer's, FE_ERR_ACCESS_DENIED for a write to
 * a read-only disk). A client that publishes more than FE_BLK_DEPTH
 * requests outstanding has broken the protocol: the driver stops reading
 * its ring (answering what it already took), counts it (FE_BLK_STATS w3),
 * signals the client, and serves it again only after a new attach.
 *
 * Crashes: reads, writes and flushes are idempotent. The attach reply
 * carries the driver's process capability (WAIT only) so the client can
 * watch for its end; then the client takes back from `used` what the dead
 * instance answered, zeroes the rings, posts again every request not
 * answered, and attaches again to the instance its supervisor started on
 * the same endpoint (user/lib/block.c). A process's end quiesces its device
 * before any memory goes (ADR 0011). An ATTACH to a driver that already has
 * a client, or a DETACH, resets the device: the old client's requests in
 * flight are dropped unanswered, and the driver forgets it.
 *
 * These values are ABI.
 */
#ifndef FERROUS_BLOCK_H
#define FERROUS_BLOCK_H

#include <stdint.h>

#define FE_BLK_SECTOR 512u

/* Labels (FE_MSG_LABEL). The reply's w0 is an fe_status_t. Labels 3 to 5
 * were one request per call before the rings; they are answered
 * FE_ERR_BAD_SYSCALL. */
enum fe_blk_op {
	FE_BLK_INFO = 1,   /* reply w1 = capacity in sectors, w2 = FE_BLK_F_*, w3 = most sectors per request */
	FE_BLK_ATTACH = 2, /* w0 = the bit of the client's notification the driver signals;
	                      capabilities: the ring VMO (READ|WRITE|MAP|TRANSFER, at least
	                      FE_BLK_RING_SIZE bytes), the data VMO (READ|WRITE|TRANSFER; w1 = its
	                      size in bytes, a page multiple) and the client's notification
	                      (SIGNAL|TRANSFER). Reply w1 = the doorbell's bit; capabilities: the
	                      doorbell (a notification, SIGNAL) and the driver's process (WAIT) */
	FE_BLK_DETACH = 6, /* forgets the client (device reset, memory let go) */
	FE_BLK_STATS = 7,  /* reply w1 = the most requests the device held at once, w2 = requests
	                      answered, w3 = FE_BLK_STAT_* packed (below); counts since the instance started */
};

#define FE_BLK_F_FLUSH 1u     /* the device has a volatile cache, and FE_BLK_OP_FLUSH empties it */
#define FE_BLK_F_READ_ONLY 2u

/* FE_BLK_STATS w3: requests refused (bits 0..31), rings broken (32..47),
 * flushes that had to wait for earlier writes (48..63). */
#define FE_BLK_STAT_REFUSED(w) ((uint32_t)(w))
#define FE_BLK_STAT_BROKEN(w) ((uint16_t)((w) >> 32))
#define FE_BLK_STAT_FLUSH_WAITS(w) ((uint16_t)((w) >> 48))

#define FE_BLK_DEPTH 32u /* requests outstanding per client; a power of two */

/* fe_blk_req.op */
#define FE_BLK_OP_READ 1u  /* count sectors from `sector` into the data buffer at byte `off` */
#define FE_BLK_OP_WRITE 2u /* the same, from the buffer to the disk */
#define FE_BLK_OP_FLUSH 3u /* sector, off and count must be 0 */

/* A request, in `avail`. */
struct fe_blk_req {
	uint64_t sector;
	uint64_t off;    /* byte offset in the data VMO */
	uint32_t count;  /* sectors */
	uint16_t tag;    /* the client's, given back in its answer */
	uint8_t op;      /* FE_BLK_OP_* */
	uint8_t pad;
};

/* An answer, in `used`. */
struct fe_blk_done {
	uint16_t tag;
	uint16_t pad;
	int32_t status;  /* fe_status_t */
};

struct fe_blk_ring {
	uint32_t avail_idx;      /* written by the client: requests posted */
	uint32_t pad0[15];       /* each index on its own cache line */
	uint32_t used_idx;       /* written by the driver: answers given */
	uint32_t pad1[15];
	struct fe_blk_req avail[FE_BLK_DEPTH];
	struct fe_blk_done used[FE_BLK_DEPTH];
};

#define FE_BLK_RING_SIZE 4096u

_Static_assert(sizeof(struct fe_blk_req) == 24, "entries are ABI");
_Static_assert(sizeof(struct fe_blk_done) == 8, "entries are ABI");
_Static_assert(sizeof(struct fe_blk_ring) <= FE_BLK_RING_SIZE, "the rings fit in a page");
_Static_assert((FE_BLK_DEPTH & (FE_BLK_DEPTH - 1)) == 0, "free-running indices wrap cleanly");

#endif /* FERROUS_BLOCK_H */
