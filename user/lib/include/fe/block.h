/* SPDX-License-Identifier: MIT */
/*
 * The block protocol's client (ferrous/block.h): a ring page and a data
 * buffer attached to the driver once, up to FE_BLK_DEPTH requests in flight
 * through the ring, and the restart that makes a driver's crash invisible.
 *
 * Asynchronous: fe_blk_submit posts a request (a tag names it), fe_blk_wait
 * hands the driver everything posted and returns answers one at a time, in
 * the order the driver gave them (which need not be the order of
 * submission). Synchronous: fe_blk_read, fe_blk_write and fe_blk_flush are
 * one request each, submitted and waited for; answers to other requests
 * that come meanwhile are kept for fe_blk_wait.
 *
 * Restarts: the client watches the driver instance it attached to (the
 * attach reply grants its process capability with WAIT). When it has ended,
 * the next wait takes the answers the dead instance gave, then posts every
 * request not answered again, in submission order (so a flush still follows
 * the writes it covers), to the instance serving the same endpoint (waiting
 * for its supervisor to start one). Reads, writes and flushes are
 * idempotent, so repeating one is safe; a write is answered FE_OK only once
 * the device has it, so an acknowledged write is never lost.
 *
 * One thread at a time uses a struct fe_blk.
 */
#ifndef FE_BLOCK_H
#define FE_BLOCK_H

#include <stdint.h>

#include <ferrous/block.h>
#include <ferrous/errors.h>
#include <ferrous/handle.h>

/* A request the client has (block.c): posted, or answered and not yet waited for. */
struct fe_blk_slot {
	struct fe_blk_req req;
	uint64_t seq;          /* submission order */
	uint64_t done;         /* answer order (state DONE) */
	uint8_t state;
	fe_status_t status;
};

struct fe_blk {
	fe_handle_t ep;                 /* the driver's endpoint (WRITE) */
	fe_handle_t vmo, vmo_grant;     /* the data buffer: contiguous, DMA-able; the driver's copy */
	fe_handle_t ring_vmo, ring_grant;
	fe_handle_t notif, notif_grant; /* ours: the driver's signals and its death; the driver's copy */
	fe_handle_t doorbell;           /* the driver's (SIGNAL), from the last attach */
	uint32_t doorbell_bit;
	fe_handle_t driver;             /* the instance attached to (WAIT), watched */
	uint8_t *buf;                   /* the data buffer, mapped here; request offsets are into it */
	uint64_t size;
	volatile struct fe_blk_ring *ring;
	uint64_t capacity;              /* sectors */
	uint32_t flags;                 /* FE_BLK_F_* */
	uint32_t max_sectors;           /* per request */
	uint32_t avail_next, avail_published, used_seen; /* own copies of the ring's indices */
	uint64_t seq, done;
	struct fe_blk_slot slot[FE_BLK_DEPTH]; /* by tag */
	/* Counts since fe_blk_open. */
	uint64_t retries;               /* requests posted again to a new driver instance */
	uint64_t restarts;              /* attaches to a new driver instance */
	uint64_t bad_entries;           /* answers naming no request of ours (ignored) */
};

struct fe_blk_answer {
	uint16_t tag;
	fe_status_t status;
};

/* What the driver instance serving now counted (FE_BLK_STATS). */
struct fe_blk_stats {
	uint32_t max_depth;             /* the most requests its device held at once */
	uint64_t answered;
	uint32_t refused, broken, flush_waits;
};

/* A data buffer of `size` bytes (page multiple, at most 4 MiB) and a ring,
 * attached to the driver behind `ep`, and the device's geometry. */
fe_status_t fe_blk_open(fe_handle_t ep, uint64_t size, struct fe_blk *b);
/* Detaches (unless the instance has ended) and frees everything. */
void fe_blk_close(struct fe_blk *b);

/* Posts a request (FE_BLK_OP_*: count sectors from `sector` to/from the
 * buffer at byte offset `off`); the driver sees it at the next fe_blk_kick
 * or wait. *tag names it in its answer. FE_ERR_WOULD_BLOCK if FE_BLK_DEPTH
 * requests are posted or answered and not yet waited for. The driver checks
 * the request (its answer says what is wrong with it); this does not. */
fe_status_t fe_blk_submit(struct fe_blk *b, uint8_t op, uint64_t sector, uint32_t count, uint64_t off,
                          uint16_t *tag);
/* Makes every posted request visible to the driver and rings its doorbell. */
void fe_blk_kick(struct fe_blk *b);
/* Kicks, then the next answer, waiting for one unless flags has FE_NONBLOCK
 * (FE_ERR_WOULD_BLOCK then). FE_ERR_BAD_STATE if nothing is outstanding.
 * Restarts on a new instance when the one attached to has ended. */
fe_status_t fe_blk_wait(struct fe_blk *b, uint32_t flags, struct fe_blk_answer *a);

/* One request each, waited for. */
fe_status_t fe_blk_read(struct fe_blk *b, uint64_t sector, uint32_t count, uint64_t off);
fe_status_t fe_blk_write(struct fe_blk *b, uint64_t sector, uint32_t count, uint64_t off);
fe_status_t fe_blk_flush(struct fe_blk *b);

fe_status_t fe_blk_stats(struct fe_blk *b, struct fe_blk_stats *s);

#endif /* FE_BLOCK_H */
