/* SPDX-License-Identifier: MIT */
/*
 * The block protocol's client (ferrous/block.h): a data buffer attached to
 * the driver once, requests by IPC, and the retry that makes a driver's
 * crash invisible: a request whose driver died (FE_ERR_PEER_CLOSED), or
 * that reaches a new instance that has no buffer yet (FE_ERR_BAD_STATE), is
 * repeated, after attaching the buffer again, on the instance serving the
 * same endpoint. Reads, writes and flushes are idempotent, so repeating
 * one is safe; a write is acknowledged only once the device has it.
 */
#ifndef FE_BLOCK_H
#define FE_BLOCK_H

#include <stdint.h>

#include <ferrous/block.h>
#include <ferrous/errors.h>
#include <ferrous/handle.h>

struct fe_blk {
	fe_handle_t ep;        /* the driver's endpoint (WRITE) */
	fe_handle_t vmo;       /* the data buffer: physically contiguous, DMA-able */
	uint8_t *buf;          /* mapped here */
	uint64_t size;
	uint64_t capacity;     /* sectors */
	uint32_t flags;        /* FE_BLK_F_* */
	uint32_t max_sectors;  /* per request */
	uint64_t retries;      /* requests repeated on a new driver instance */
};

/* A buffer of `size` bytes (page multiple, at most 4 MiB), attached to the
 * driver behind `ep`, and the device's geometry. */
fe_status_t fe_blk_open(fe_handle_t ep, uint64_t size, struct fe_blk *b);
/* `count` sectors from `sector` to/from the buffer at byte offset `off`. */
fe_status_t fe_blk_read(struct fe_blk *b, uint64_t sector, uint32_t count, uint64_t off);
fe_status_t fe_blk_write(struct fe_blk *b, uint64_t sector, uint32_t count, uint64_t off);
fe_status_t fe_blk_flush(struct fe_blk *b);
void fe_blk_close(struct fe_blk *b);

#endif /* FE_BLOCK_H */
