/* SPDX-License-Identifier: MIT */
/*
 * The block benchmarks (set blk): reads from a virtio-blk disk through the
 * user-space driver (user/virtio-blk) and the block client (fe/block.h),
 * against Linux's in-kernel driver with O_DIRECT (bench/linux/blk.c).
 *
 * Each run plays the driver's starter, as the supervisor will: it finds the
 * device with the pci-root capability, makes a pci-device capability and an
 * endpoint, starts the driver with both, attaches a 1 MiB buffer, measures,
 * and stops the driver again. Without a virtio block device (every boot but
 * bench.py's blk boots) it prints a skip.
 *
 * One request is in flight at a time (queue depth 1), as on the Linux side,
 * except in the _qd32 row (BENCH_BLK_QD in flight, fe_blk_submit and
 * fe_blk_wait). Every 4 KiB block read is checked against its stamp
 * (bench/workloads.h).
 */
#include <fe/block.h>
#include <fe/pci.h>
#include <fe/virtio.h>

#include "ubench.h"

#define SECTORS_PER_BLOCK (BENCH_BLK_BLOCK / FE_BLK_SECTOR)

struct blk_rig {
	fe_handle_t dev, ep, driver;
	struct fe_blk c;
	uint64_t nblocks;   /* whole 4 KiB blocks on the disk */
	uint64_t rng;       /* the random sequence's state */
	uint64_t pos;       /* the next sequential read's first block */
	uint32_t reqs;      /* requests one BENCH_BLK_SEQ read takes */
};

static void match_blk(const struct fe_pci_function *f, void *ctx)
{
	uint32_t *addr = ctx;

	/* Modern (1042) or transitional (1001) virtio block device: the first one. */
	if (f->vendor == FE_VIRTIO_VENDOR && (f->device == 0x1042 || f->device == 0x1001) &&
	    *addr == UINT32_MAX)
		*addr = f->addr;
}

/* The driver, given the device (FE_START_USER0) and its endpoint to serve
 * (FE_START_ENDPOINT, READ), and the console to print its start-up line. */
static fe_status_t start_driver(struct blk_rig *r)
{
	struct fe_spawn_args a;

	fe_driver_spawn_args(&a, "virtio-blk", r->dev, r->ep);
	return fe_spawn(&a, &r->driver);
}

/* The device, its driver and a client with a BENCH_BLK_SEQ buffer.
 * FE_OK with *why set: no device here, nothing was started. */
static fe_status_t rig_up(struct blk_rig *r, const char **why)
{
	fe_handle_t root = fe_start_handle(FE_START_PCI_ROOT);
	uint32_t addr = UINT32_MAX;
	fe_status_t st;

	*r = (struct blk_rig){ .rng = BENCH_BLK_SEED };
	if (root == FE_HANDLE_INVALID) {
		*why = "no-pci-root";
		return FE_OK;
	}
	if ((st = fe_pci_enumerate(root, match_blk, &addr)) != FE_OK)
		return st;
	if (addr == UINT32_MAX) {
		*why = "no-virtio-blk";
		return FE_OK;
	}
	if ((st = fe_pci_device_create(root, addr, &r->dev)) != FE_OK ||
	    (st = fe_endpoint_create(&r->ep)) != FE_OK || (st = start_driver(r)) != FE_OK ||
	    (st = fe_blk_open(r->ep, BENCH_BLK_SEQ, &r->c)) != FE_OK)
		return st;
	r->nblocks = r->c.capacity / SECTORS_PER_BLOCK;
	if (r->nblocks * BENCH_BLK_BLOCK < BENCH_BLK_SEQ || r->c.max_sectors < SECTORS_PER_BLOCK)
		*why = "disk-too-small";
	uint32_t per_req = r->c.max_sectors * FE_BLK_SECTOR;
	r->reqs = (BENCH_BLK_SEQ + per_req - 1) / per_req;
	return FE_OK;
}

/* Takes down whatever rig_up made, in reverse; the first failure. */
static fe_status_t rig_down(struct blk_rig *r)
{
	fe_status_t st = FE_OK, s;

	fe_blk_close(&r->c);
	if (r->driver != FE_HANDLE_INVALID)
		st = bench_stop_process(r->driver);
	if (r->ep != FE_HANDLE_INVALID && (s = fe_handle_delete(r->ep)) != FE_OK && st == FE_OK)
		st = s;
	if (r->dev != FE_HANDLE_INVALID && (s = fe_handle_delete(r->dev)) != FE_OK && st == FE_OK)
		st = s;
	return st;
}

/* The blocks at buf hold the stamps of blocks first .. first + n - 1. */
static fe_status_t check_stamps(const uint8_t *buf, uint64_t first, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (*(const volatile uint64_t *)(buf + i * BENCH_BLK_BLOCK) != first + i)
			return FE_ERR_BAD_STATE;
	return FE_OK;
}

static fe_status_t rand_batch(void *ctx, unsigned n)
{
	struct blk_rig *r = ctx;
	fe_status_t st = FE_OK;

	for (unsigned i = 0; i < n && st == FE_OK; i++) {
		uint64_t b = bench_blk_next(&r->rng, r->nblocks);
		if ((st = fe_blk_read(&r->c, b * SECTORS_PER_BLOCK, SECTORS_PER_BLOCK, 0)) == FE_OK)
			st = check_stamps(r->c.buf, b, 1);
	}
	return st;
}

/* Random 4 KiB reads with BENCH_BLK_QD in flight: request slot s reads into
 * the buffer's s-th 4 KiB; each answer is checked and its slot reused. */
static fe_status_t rand_qd_batch(void *ctx, unsigned n)
{
	struct blk_rig *r = ctx;
	uint64_t block[BENCH_BLK_QD];
	uint16_t slot_of[FE_BLK_DEPTH];
	uint64_t free_slots = (1ull << BENCH_BLK_QD) - 1; /* bit s: slot s unused */
	unsigned issued = 0, done = 0;
	struct fe_blk_answer a;
	fe_status_t st = FE_OK;
	uint16_t tag;

	_Static_assert(BENCH_BLK_QD <= FE_BLK_DEPTH, "the client has a tag for every slot");
	while (done < n && st == FE_OK) {
		while (issued < n && free_slots && st == FE_OK) {
			unsigned s = (unsigned)__builtin_ctzll(free_slots);
			block[s] = bench_blk_next(&r->rng, r->nblocks);
			st = fe_blk_submit(&r->c, FE_BLK_OP_READ, block[s] * SECTORS_PER_BLOCK, SECTORS_PER_BLOCK,
			                   (uint64_t)s * BENCH_BLK_BLOCK, &tag);
			if (st == FE_OK) {
				free_slots &= ~(1ull << s);
				slot_of[tag] = (uint16_t)s;
				issued++;
			}
		}
		if (st != FE_OK || (st = fe_blk_wait(&r->c, 0, &a)) != FE_OK || (st = a.status) != FE_OK)
			break;
		unsigned s = slot_of[a.tag];
		st = check_stamps(r->c.buf + (uint64_t)s * BENCH_BLK_BLOCK, block[s], 1);
		free_slots |= 1ull << s;
		done++;
	}
	return st;
}

/* One BENCH_BLK_SEQ read from block `first`, in requests of at most
 * max_sectors (one request when the driver takes 1 MiB). */
static fe_status_t seq_read(struct blk_rig *r, uint64_t first)
{
	uint64_t sector = first * SECTORS_PER_BLOCK, off = 0;
	fe_status_t st = FE_OK;

	while (off < BENCH_BLK_SEQ && st == FE_OK) {
		uint32_t count = (uint32_t)((BENCH_BLK_SEQ - off) / FE_BLK_SECTOR);
		if (count > r->c.max_sectors)
			count = r->c.max_sectors;
		st = fe_blk_read(&r->c, sector, count, off);
		sector += count;
		off += (uint64_t)count * FE_BLK_SECTOR;
	}
	return st;
}

static fe_status_t seq_batch(void *ctx, unsigned n)
{
	struct blk_rig *r = ctx;
	const uint64_t per_read = BENCH_BLK_SEQ / BENCH_BLK_BLOCK;
	fe_status_t st = FE_OK;

	for (unsigned i = 0; i < n && st == FE_OK; i++) {
		if (r->pos + per_read > r->nblocks)
			r->pos = 0; /* wrap at the disk's end */
		if ((st = seq_read(r, r->pos)) == FE_OK)
			st = check_stamps(r->c.buf, r->pos, per_read);
		r->pos += per_read;
	}
	return st;
}

/* Sets up, measures fn, takes down; reqs_per_op: requests per operation. */
static fe_status_t blk_run(bench_batch_fn fn, bool seq, unsigned per_batch,
                           struct bench_result *res)
{
	struct blk_rig r;
	const char *why = NULL;
	fe_status_t st = rig_up(&r, &why);

	if (st == FE_OK && why)
		res->skipped = why;
	else if (st == FE_OK) {
		st = bench_measure(fn, &r, per_batch, &res->cycles);
		res->reqs_per_op = seq ? r.reqs : 1;
		if (r.c.retries)
			st = FE_ERR_BAD_STATE; /* the driver restarted under the benchmark */
	}
	fe_status_t d = rig_down(&r);
	return st != FE_OK ? st : d;
}

fe_status_t blk_rand_read_4k(unsigned per_batch, struct bench_result *r)
{
	return blk_run(rand_batch, false, per_batch, r);
}

fe_status_t blk_seq_read_1m(unsigned per_batch, struct bench_result *r)
{
	return blk_run(seq_batch, true, per_batch, r);
}

fe_status_t blk_rand_read_4k_qd32(unsigned per_batch, struct bench_result *r)
{
	return blk_run(rand_qd_batch, false, per_batch, r);
}
