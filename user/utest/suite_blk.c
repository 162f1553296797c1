/* SPDX-License-Identifier: MIT */
/*
 * The virtio-blk driver (user/virtio-blk) and the block client
 * (fe/block.h), with utest standing in for the supervisor: it finds the
 * device, starts the driver with the device's capability and an endpoint,
 * and restarts it. Skipped without a virtio block device (scenario `blk`
 * adds one of BLK_DISK_SECTORS sectors).
 */
#include <fe/block.h>
#include <fe/block_ring.h>
#include <fe/ipc.h>
#include <fe/pci.h>
#include <fe/service.h>
#include <fe/spawn.h>

#include "ut.h"

#define BLK_DISK_SECTORS 16384u /* 8 MiB: tools/scenarios.py, scenario blk */
#define BUF_SIZE (512 * 1024ULL)
#define RESTARTS 10u
#define KILL_ROUNDS 5u
#define KILL_SECTORS 16u /* per write: 8 KiB, 32 of them in flight */

struct blk_rig {
	fe_handle_t dev, ep, driver;
	struct fe_blk client;
};

static void match_blk(const struct fe_pci_function *f, void *ctx)
{
	uint32_t *addr = ctx;

	/* Modern (1042) or transitional (1001) virtio block device. */
	if (f->vendor == 0x1af4 && (f->device == 0x1042 || f->device == 0x1001) && *addr == UINT32_MAX)
		*addr = f->addr;
}

static fe_status_t start_driver(struct blk_rig *r)
{
	struct fe_spawn_args a;

	fe_driver_spawn_args(&a, "virtio-blk", r->dev, r->ep);
	return ut_spawn_args(&a, &r->driver);
}

/* The device, a driver serving it, and a client attached. False: skipped or failed. */
static bool rig_up(struct ut *t, struct blk_rig *r)
{
	fe_handle_t root = ut_slot(FE_START_PCI_ROOT);
	uint32_t addr = UINT32_MAX;

	*r = (struct blk_rig){ 0 };
	if (root != FE_HANDLE_INVALID)
		UT_EXPECT_OK(t, fe_pci_enumerate(root, match_blk, &addr));
	if (addr == UINT32_MAX) {
		ut_skip(t, "no virtio block device (scenario blk adds one)");
		return false;
	}
	if (!UT_EXPECT_OK(t, fe_pci_device_create(root, addr, &r->dev)) ||
	    !UT_EXPECT_OK(t, fe_endpoint_create(&r->ep)) || !UT_EXPECT_OK(t, start_driver(r)))
		return false;
	return UT_EXPECT_OK(t, fe_blk_open(r->ep, BUF_SIZE, &r->client));
}

static void rig_down(struct ut *t, struct blk_rig *r)
{
	fe_blk_close(&r->client);
	if (r->driver != FE_HANDLE_INVALID)
		ut_stop(t, r->driver);
	if (r->ep != FE_HANDLE_INVALID)
		ut_del(t, r->ep);
	if (r->dev != FE_HANDLE_INVALID)
		ut_del(t, r->dev);
}

static void fill(uint8_t *p, uint64_t sector, uint32_t count, uint8_t salt)
{
	for (uint64_t i = 0; i < (uint64_t)count * FE_BLK_SECTOR; i++)
		p[i] = (uint8_t)((sector * 131 + i * 7 + salt) ^ (i >> 9));
}

/* Says, for the host, that a write of what fill() made was acknowledged. */
static void say_acked(uint64_t sector, uint32_t count, uint8_t salt)
{
	printf("    # blk-acked %llu %u %u\n", (unsigned long long)sector, count, salt);
}

/* Writes what fill() made and, once the driver acknowledged it, says so for
 * the host, which checks the disk image after QEMU exits (tools/testrun.py,
 * check_acked_writes: the same pattern). */
static fe_status_t write_acked(struct fe_blk *b, uint64_t sector, uint32_t count, uint8_t salt)
{
	fill(b->buf, sector, count, salt);
	fe_status_t st = fe_blk_write(b, sector, count, 0);
	if (st == FE_OK)
		say_acked(sector, count, salt);
	return st;
}

static bool same(const uint8_t *p, uint64_t sector, uint32_t count, uint8_t salt)
{
	for (uint64_t i = 0; i < (uint64_t)count * FE_BLK_SECTOR; i++)
		if (p[i] != (uint8_t)((sector * 131 + i * 7 + salt) ^ (i >> 9)))
			return false;
	return true;
}

static void info_and_round_trip(struct ut *t)
{
	struct blk_rig r;

	if (rig_up(t, &r)) {
		struct fe_blk *b = &r.client;
		UT_EXPECT_EQ(t, b->capacity, BLK_DISK_SECTORS);
		UT_EXPECT_NE(t, b->flags & FE_BLK_F_FLUSH, 0);
		UT_EXPECT_GE(t, b->max_sectors, 8);
		UT_EXPECT_OK(t, write_acked(b, 100, 8, 1));
		UT_EXPECT_OK(t, fe_blk_flush(b));
		memset(b->buf, 0, 8 * FE_BLK_SECTOR);
		UT_EXPECT_OK(t, fe_blk_read(b, 100, 8, 4096));
		UT_EXPECT(t, same(b->buf + 4096, 100, 8, 1));
		/* The last sector, and one past it. */
		UT_EXPECT_OK(t, fe_blk_read(b, BLK_DISK_SECTORS - 1, 1, 0));
		UT_EXPECT_STATUS(t, fe_blk_read(b, BLK_DISK_SECTORS - 1, 2, 0), FE_ERR_OUT_OF_RANGE);
		UT_EXPECT_STATUS(t, fe_blk_read(b, ~0ULL, 1, 0), FE_ERR_OUT_OF_RANGE);
		UT_EXPECT_STATUS(t, fe_blk_read(b, 0, 0, 0), FE_ERR_INVALID_ARG);
		UT_EXPECT_STATUS(t, fe_blk_read(b, 0, b->max_sectors + 1, 0), FE_ERR_INVALID_ARG);
		UT_EXPECT_STATUS(t, fe_blk_read(b, 0, 2, BUF_SIZE - FE_BLK_SECTOR), FE_ERR_OUT_OF_RANGE);
		UT_EXPECT_EQ(t, b->retries, 0);
	}
	rig_down(t, &r);
}

/* Where no IOMMU translates the device's DMA (scenario blk), the driver
 * offers no DMA fault: the supervisor's `crash blk dma` is refused, even
 * asked for no answer, and nothing is done (the same instance serves). */
static void dma_fault_needs_an_iommu(struct ut *t)
{
	struct fe_kernel_stats ks = { 0 };
	struct blk_rig r;
	fe_handle_t sup;

	if (!UT_EXPECT_OK(t, fe_kernel_stats(ut_slot(FE_START_TRACE), &ks)))
		return;
	if (ks.iommu_units > 0) {
		ut_skip(t, "an IOMMU translates: the supervisor scenario crashes the driver with it");
		return;
	}
	if (rig_up(t, &r) &&
	    UT_EXPECT_OK(t, fe_handle_dup(r.ep, FE_RIGHT_WRITE, FE_SERVICE_BADGE_SUPERVISOR, &sup))) {
		/* Asked for no answer first: a driver that did the fault would end
		 * (FE_ERR_PEER_CLOSED) rather than leave this call waiting. */
		bool refused = true;
		for (int flags = FE_SERVICE_CRASH_NO_REPLY; flags >= 0 && refused; flags--) {
			struct fe_msg m = fe_msg_make(FE_SERVICE_CRASH, 3, 0);
			m.w[0] = FE_FAULT_DMA;
			m.w[1] = (uint64_t)flags;
			refused = UT_EXPECT_OK(t, fe_call(sup, &m)) &&
			          UT_EXPECT_STATUS(t, fe_service_status(&m), FE_ERR_UNSUPPORTED);
		}
		if (refused) {
			UT_EXPECT_OK(t, fe_blk_read(&r.client, 0, 1, 0));
			UT_EXPECT_EQ(t, r.client.restarts, 0); /* the same instance answered */
		}
		ut_del(t, sup);
	}
	rig_down(t, &r);
}

/* A second driver for a claimed device cannot start; the first keeps serving. */
static void second_driver_is_refused(struct ut *t)
{
	struct blk_rig r;
	fe_handle_t first;

	if (rig_up(t, &r)) {
		first = r.driver;
		if (UT_EXPECT_OK(t, start_driver(&r)))
			ut_expect_refused_driver(t, r.driver);
		r.driver = first;
		UT_EXPECT_OK(t, fe_blk_read(&r.client, 0, 1, 0));
	}
	rig_down(t, &r);
}

/* The driver is killed and started again RESTARTS times; each time the
 * client's next request is served by the new instance (attaching again if
 * it must), and every write acknowledged before a kill reads back intact. */
static void writes_survive_driver_restarts(struct ut *t)
{
	struct blk_rig r;

	if (rig_up(t, &r)) {
		struct fe_blk *b = &r.client;
		for (unsigned i = 0; i < RESTARTS; i++) {
			UT_EXPECT_OK(t, write_acked(b, 1000 + 4 * i, 4, (uint8_t)i));
			ut_stop(t, r.driver);
			r.driver = FE_HANDLE_INVALID;
			UT_ASSERT(t, UT_EXPECT_OK(t, start_driver(&r)));
		}
		for (unsigned i = 0; i < RESTARTS; i++) {
			memset(b->buf, 0, 4 * FE_BLK_SECTOR);
			UT_EXPECT_OK(t, fe_blk_read(b, 1000 + 4 * i, 4, 0));
			UT_EXPECT_MSG(t, same(b->buf, 1000 + 4 * i, 4, (uint8_t)i),
			              "write %u lost after %u restarts", i, RESTARTS);
		}
		ut_note(t, "%llu requests repeated on a new instance", (unsigned long long)b->retries);
	}
	rig_down(t, &r);
}


static fe_status_t stats(struct fe_blk *b, struct fe_blk_stats *s)
{
	*s = (struct fe_blk_stats){ 0 };
	return fe_blk_stats(b, s);
}

/* Waits for n answers; answers[tag] = its status, order[tag] = its place (1..n). */
static bool wait_all(struct ut *t, struct fe_blk *b, unsigned n, fe_status_t *answers,
                     unsigned *order)
{
	struct fe_blk_answer a;

	for (unsigned i = 0; i < n; i++) {
		if (!UT_EXPECT_OK(t, fe_blk_wait(b, 0, &a)) || !UT_EXPECT_LT(t, a.tag, FE_BLK_DEPTH))
			return false;
		answers[a.tag] = a.status;
		order[a.tag] = i + 1;
	}
	UT_EXPECT_STATUS(t, fe_blk_wait(b, FE_NONBLOCK, &a), FE_ERR_BAD_STATE); /* nothing left */
	return true;
}

/* 32 random 4 KiB reads submitted at once are all in the device at once
 * (the driver's count), each answered once with its own data, in whatever
 * order the device completes them. */
static void depth_is_32(struct ut *t)
{
	struct blk_rig r;
	fe_status_t answers[FE_BLK_DEPTH];
	unsigned order[FE_BLK_DEPTH] = { 0 }, late = 0;
	uint64_t sector[FE_BLK_DEPTH];
	struct fe_blk_stats s;
	uint16_t tag;

	if (rig_up(t, &r)) {
		struct fe_blk *b = &r.client;
		UT_EXPECT_OK(t, write_acked(b, 200, 64, 2)); /* 32 KiB the reads land in */
		for (unsigned i = 0; i < FE_BLK_DEPTH; i++) {
			sector[i] = 200 + ((i * 13) % 8) * 8;
			UT_ASSERT(t, UT_EXPECT_OK(t, fe_blk_submit(b, FE_BLK_OP_READ, sector[i], 8,
			                                           64 * 1024 + i * 4096ULL, &tag)));
			UT_EXPECT_EQ(t, tag, i);
		}
		UT_EXPECT_STATUS(t, fe_blk_submit(b, FE_BLK_OP_READ, 0, 1, 0, &tag), FE_ERR_WOULD_BLOCK);
		memset(b->buf + 64 * 1024, 0, FE_BLK_DEPTH * 4096ULL);
		if (wait_all(t, b, FE_BLK_DEPTH, answers, order))
			for (unsigned i = 0; i < FE_BLK_DEPTH; i++) {
				UT_EXPECT_OK(t, answers[i]);
				uint64_t at = (sector[i] - 200) * FE_BLK_SECTOR;
				UT_EXPECT_MSG(t, memcmp(b->buf + 64 * 1024 + i * 4096ULL, b->buf + at, 4096) == 0,
				              "read %u has the wrong data", i);
				late += order[i] != i + 1;
			}
		UT_EXPECT_OK(t, stats(b, &s));
		UT_EXPECT_GT(t, s.max_depth, 1);
		UT_EXPECT_EQ(t, s.max_depth, FE_BLK_DEPTH);
		UT_EXPECT_EQ(t, s.refused, 0);
		ut_note(t, "the device held %u at once; %u of 32 answered out of submission order",
		        s.max_depth, late);
	}
	rig_down(t, &r);
}

/* A flush is answered only after every write posted before it, and holds
 * back what was posted after it until it is given to the device. */
static void flush_follows_earlier_writes(struct ut *t)
{
	struct blk_rig r;
	fe_status_t answers[FE_BLK_DEPTH];
	unsigned order[FE_BLK_DEPTH] = { 0 };
	struct fe_blk_stats s;
	uint16_t tag, flush = 0;

	if (rig_up(t, &r)) {
		struct fe_blk *b = &r.client;
		for (unsigned i = 0; i < 24; i++) {
			if (i == 16)
				UT_EXPECT_OK(t, fe_blk_submit(b, FE_BLK_OP_FLUSH, 0, 0, 0, &flush));
			fill(b->buf + i * 16384ULL, 3000 + 32 * i, 32, 3);
			UT_ASSERT(t, UT_EXPECT_OK(t, fe_blk_submit(b, FE_BLK_OP_WRITE, 3000 + 32 * i, 32,
			                                           i * 16384ULL, &tag)));
		}
		if (wait_all(t, b, 25, answers, order))
			for (uint16_t i = 0; i < 25; i++) {
				UT_EXPECT_OK(t, answers[i]);
				if (i < 16)
					UT_EXPECT_MSG(t, order[i] < order[flush],
					              "write %u answered after the flush that covers it", i);
			}
		for (unsigned i = 0; i < 24; i++)
			say_acked(3000 + 32 * i, 32, 3);
		UT_EXPECT_OK(t, stats(b, &s));
		UT_EXPECT_EQ(t, s.flush_waits, 1);
	}
	rig_down(t, &r);
}

/* Requests the driver cannot do are answered with the reason; a client
 * that publishes a wild index has its ring ignored, and the driver goes on
 * serving (the next attach). */
static void hostile_requests_are_refused(struct ut *t)
{
	static const struct { uint8_t op; uint64_t sector; uint32_t count; uint64_t off; fe_status_t st; } bad[] = {
		{ 0, 0, 1, 0, FE_ERR_INVALID_ARG },
		{ 9, 0, 1, 0, FE_ERR_INVALID_ARG },
		{ FE_BLK_OP_READ, 0, 0, 0, FE_ERR_INVALID_ARG },
		{ FE_BLK_OP_READ, 0, UINT32_MAX, 0, FE_ERR_INVALID_ARG },
		{ FE_BLK_OP_WRITE, BLK_DISK_SECTORS, 1, 0, FE_ERR_OUT_OF_RANGE },
		{ FE_BLK_OP_READ, ~0ULL, 2, 0, FE_ERR_OUT_OF_RANGE },
		{ FE_BLK_OP_READ, 0, 1, BUF_SIZE, FE_ERR_OUT_OF_RANGE },
		{ FE_BLK_OP_WRITE, 0, 2, ~0ULL - 100, FE_ERR_OUT_OF_RANGE },
		{ FE_BLK_OP_FLUSH, 5, 0, 0, FE_ERR_INVALID_ARG },
		{ FE_BLK_OP_READ, 0, 8, BUF_SIZE - 4096, FE_OK }, /* the last 4 KiB of the buffer */
	};
	const unsigned n = sizeof(bad) / sizeof(bad[0]);
	fe_status_t answers[FE_BLK_DEPTH];
	unsigned order[FE_BLK_DEPTH];
	struct fe_blk_stats s;
	uint64_t bits;
	uint16_t tag;

	struct blk_rig r;

	if (rig_up(t, &r)) {
		struct fe_blk *b = &r.client;
		for (unsigned i = 0; i < n; i++)
			UT_ASSERT(t, UT_EXPECT_OK(t, fe_blk_submit(b, bad[i].op, bad[i].sector, bad[i].count,
			                                           bad[i].off, &tag)));
		if (wait_all(t, b, n, answers, order))
			for (unsigned i = 0; i < n; i++)
				UT_EXPECT_MSG(t, answers[i] == bad[i].st, "request %u answered %s, not %s", i,
				              fe_status_name(answers[i]), fe_status_name(bad[i].st));
		UT_EXPECT_OK(t, stats(b, &s));
		UT_EXPECT_EQ(t, s.refused, n - 1);
		/* More published than a client may have outstanding. */
		b->ring->avail_idx = b->avail_next + 1000;
		fe_notif_signal(b->doorbell, 1ULL << b->doorbell_bit);
		/* The driver signals us once it gave up on the ring (a bit left from
		 * its earlier answers may wake us first). */
		do
			UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_wait(b->notif, 0, &bits)) &&
			                 UT_EXPECT_OK(t, stats(b, &s)));
		while (s.broken == 0);
		UT_EXPECT_EQ(t, s.broken, 1);
		UT_EXPECT_EQ(t, s.refused, n - 1);
		/* A fresh attach is served again. */
		fe_blk_close(b);
		if (UT_EXPECT_OK(t, fe_blk_open(r.ep, BUF_SIZE, b)))
			UT_EXPECT_OK(t, fe_blk_read(b, 0, 8, 0));
	}
	rig_down(t, &r);
}

/* KILL_ROUNDS times: 32 writes posted at once, the driver killed at once
 * and started again; every write is answered FE_OK (the client posts again
 * what the dead instance had not answered), reads back intact, and is
 * checked on the disk image by the host. */
static void many_in_flight_survive_kills(struct ut *t)
{
	fe_status_t answers[FE_BLK_DEPTH];
	unsigned order[FE_BLK_DEPTH];
	struct blk_rig r;
	uint16_t tag;

	if (rig_up(t, &r)) {
		struct fe_blk *b = &r.client;
		const uint64_t len = KILL_SECTORS * FE_BLK_SECTOR;
		for (unsigned k = 0; k < KILL_ROUNDS; k++) {
			uint64_t base = 4000 + k * FE_BLK_DEPTH * KILL_SECTORS;
			uint8_t salt = (uint8_t)(40 + k);
			for (unsigned i = 0; i < FE_BLK_DEPTH; i++)
				answers[i] = FE_ERR_BAD_STATE; /* unanswered */
			for (unsigned i = 0; i < FE_BLK_DEPTH; i++) {
				fill(b->buf + i * len, base + i * KILL_SECTORS, KILL_SECTORS, salt);
				UT_ASSERT(t, UT_EXPECT_OK(t, fe_blk_submit(b, FE_BLK_OP_WRITE, base + i * KILL_SECTORS,
				                                           KILL_SECTORS, i * len, &tag)));
			}
			/* Odd rounds: killed once it answered one, so it surely took the
			 * other 31 (all were published at once); even ones: at once. */
			struct fe_blk_answer first = { .tag = UINT16_MAX, .status = FE_OK };
			fe_blk_kick(b);
			if (k % 2)
				UT_EXPECT_OK(t, fe_blk_wait(b, 0, &first));
			ut_stop(t, r.driver);
			r.driver = FE_HANDLE_INVALID;
			UT_ASSERT(t, UT_EXPECT_OK(t, start_driver(&r)));
			UT_ASSERT(t, wait_all(t, b, FE_BLK_DEPTH - k % 2, answers, order));
			if (k % 2 && UT_EXPECT_LT(t, first.tag, FE_BLK_DEPTH))
				answers[first.tag] = first.status;
			for (unsigned i = 0; i < FE_BLK_DEPTH; i++)
				if (UT_EXPECT_OK(t, answers[i]))
					say_acked(base + i * KILL_SECTORS, KILL_SECTORS, salt);
			memset(b->buf, 0, FE_BLK_DEPTH * len);
			for (unsigned i = 0; i < FE_BLK_DEPTH; i++)
				UT_EXPECT_OK(t, fe_blk_submit(b, FE_BLK_OP_READ, base + i * KILL_SECTORS, KILL_SECTORS,
				                              i * len, &tag));
			UT_ASSERT(t, wait_all(t, b, FE_BLK_DEPTH, answers, order));
			for (unsigned i = 0; i < FE_BLK_DEPTH; i++)
				UT_EXPECT_MSG(t, answers[i] == FE_OK &&
				              same(b->buf + i * len, base + i * KILL_SECTORS, KILL_SECTORS, salt),
				              "round %u: write %u lost or wrong after the kill", k, i);
		}
		UT_EXPECT_EQ(t, b->restarts, KILL_ROUNDS);
		UT_EXPECT_EQ(t, b->bad_entries, 0);
		ut_note(t, "%llu requests posted again to a new instance over %u kills",
		        (unsigned long long)b->retries, KILL_ROUNDS);
	}
	rig_down(t, &r);
}

/* A block driver played by a thread of utest (no device needed): it takes
 * FAKE_REQS requests and answers them in reverse order, with an answer for
 * a tag never posted and a second answer for one already given among them. */
#define FAKE_REQS 8u

struct fake_driver {
	fe_handle_t ep, notif, doorbell, self_wait;
	fe_status_t st;
	volatile uint64_t done;
};

/* The fake's side of an attach: the ring mapped, doorbell and process granted. */
static fe_status_t fake_attach(struct fake_driver *f, struct fe_msg *m,
                               volatile struct fe_blk_ring **ring, fe_handle_t client[2])
{
	fe_handle_t caps[FE_IPC_MAX_CAPS];
	unsigned k = 0;
	uint64_t va = fe_va_alloc(FE_BLK_RING_SIZE);
	fe_status_t st = fe_msg_take_caps(m, caps, FE_IPC_MAX_CAPS, &k);

	if (st == FE_OK && (k != 3 || va == 0))
		st = FE_ERR_BAD_FORMAT;
	if (st == FE_OK)
		st = fe_vm_map(fe_self, caps[0], 0, va, FE_BLK_RING_SIZE, FE_VM_READ | FE_VM_WRITE);
	*ring = (volatile struct fe_blk_ring *)(uintptr_t)va;
	for (unsigned i = 0; i < k; i++) /* kept: the ring (mapped) and the notification */
		if (i == 0 || i == 2)
			client[i / 2] = caps[i];
		else
			(void)fe_handle_delete(caps[i]);
	*m = fe_msg_make(FE_BLK_ATTACH, 2, 0);
	m->w[0] = (uint64_t)(int64_t)st;
	m->w[1] = 0; /* the doorbell's bit */
	return st == FE_OK ? fe_msg_attach_caps(m, (fe_handle_t[]){ f->doorbell, f->self_wait }, 2) : st;
}

static fe_status_t fake_serve(struct fake_driver *f)
{
	volatile struct fe_blk_ring *ring = NULL;
	struct fe_blk_req req[FAKE_REQS];
	uint32_t seen = 0, used = 0;
	fe_handle_t client[2] = { FE_HANDLE_INVALID, FE_HANDLE_INVALID }; /* ring, notification */
	struct fe_msg m;
	uint64_t bits;
	fe_status_t st;

	if ((st = fe_recv(f->ep, 0, &m)) != FE_OK || FE_MSG_LABEL(m.info) != FE_BLK_INFO)
		return st != FE_OK ? st : FE_ERR_BAD_STATE;
	m = fe_msg_make(FE_BLK_INFO, 4, 0);
	m.w[0] = FE_OK, m.w[1] = 1000, m.w[2] = 0, m.w[3] = 8;
	if ((st = fe_reply_recv(f->ep, &m)) != FE_OK || FE_MSG_LABEL(m.info) != FE_BLK_ATTACH ||
	    (st = fake_attach(f, &m, &ring, client)) != FE_OK || (st = fe_reply(&m)) != FE_OK)
		return st != FE_OK ? st : FE_ERR_BAD_STATE;
	while (seen < FAKE_REQS) {
		while (seen < FAKE_REQS && fe_blk_avail_get(ring->avail, &ring->avail_idx, &seen, &req[seen]))
			;
		if (seen < FAKE_REQS && (st = fe_notif_wait(f->notif, 0, &bits)) != FE_OK)
			return st;
	}
	fe_blk_used_write(ring->used, &used, (struct fe_blk_done){ .tag = 31, .status = FE_OK });
	for (unsigned i = FAKE_REQS; i-- > 0;) {
		fe_blk_used_write(ring->used, &used, (struct fe_blk_done){ .tag = req[i].tag,
		                  .status = req[i].op == FE_BLK_OP_READ ? FE_OK : FE_ERR_FAULT });
		if (i == FAKE_REQS / 2)
			fe_blk_used_write(ring->used, &used,
			                  (struct fe_blk_done){ .tag = req[i].tag, .status = FE_OK });
	}
	fe_ring_publish(&ring->used_idx, used);
	if ((st = fe_notif_signal(client[1], 1ULL << 0)) != FE_OK ||
	    (st = fe_recv(f->ep, 0, &m)) != FE_OK || FE_MSG_LABEL(m.info) != FE_BLK_DETACH)
		return st != FE_OK ? st : FE_ERR_BAD_STATE;
	m = fe_msg_make(FE_BLK_DETACH, 1, 0);
	m.w[0] = FE_OK;
	st = fe_reply(&m);
	(void)fe_vm_unmap(fe_self, (uint64_t)(uintptr_t)ring, FE_BLK_RING_SIZE);
	(void)fe_handle_delete(client[0]);
	(void)fe_handle_delete(client[1]);
	return st;
}

static void fake_driver_thread(void *arg)
{
	struct fake_driver *f = arg;

	f->st = fake_serve(f);
	f->done = 1;
}

/* The client against the fake: answers in reverse order each reach their
 * own request, in the order given; the stray and repeated answers are
 * counted and ignored. */
static void answers_out_of_order_reach_their_requests(struct ut *t)
{
	static struct fake_driver f;
	struct fe_blk b;
	struct fe_blk_answer a;
	uint16_t tag[FAKE_REQS];
	fe_handle_t th;

	f = (struct fake_driver){ 0 };
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_endpoint_create(&f.ep)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&f.notif)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_handle_dup(f.notif, FE_RIGHT_SIGNAL | FE_RIGHT_TRANSFER, 0,
	                                           &f.doorbell)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_handle_dup(fe_self, FE_RIGHT_WAIT | FE_RIGHT_TRANSFER, 0,
	                                           &f.self_wait)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(fake_driver_thread, &f, FE_PRIORITY_DEFAULT, &th)));
	if (UT_EXPECT_OK(t, fe_blk_open(f.ep, 4096, &b))) {
		UT_EXPECT_EQ(t, b.capacity, 1000);
		for (unsigned i = 0; i < FAKE_REQS; i++)
			UT_EXPECT_OK(t, fe_blk_submit(&b, i == 2 ? FE_BLK_OP_WRITE : FE_BLK_OP_READ, i, 1, 0,
			                              &tag[i]));
		for (unsigned i = FAKE_REQS; i-- > 0;) {
			if (!UT_EXPECT_OK(t, fe_blk_wait(&b, 0, &a)))
				break;
			UT_EXPECT_EQ(t, a.tag, tag[i]);
			UT_EXPECT_STATUS(t, a.status, i == 2 ? FE_ERR_FAULT : FE_OK);
		}
		UT_EXPECT_STATUS(t, fe_blk_wait(&b, FE_NONBLOCK, &a), FE_ERR_BAD_STATE);
		UT_EXPECT_EQ(t, b.bad_entries, 2);
		UT_EXPECT_EQ(t, b.restarts, 0);
		fe_blk_close(&b);
	}
	UT_EXPECT_EQ(t, ut_poll(&f.done), 1);
	UT_EXPECT_OK(t, f.st);
	ut_del(t, th);
	ut_del(t, f.ep);
	ut_del(t, f.notif);
	ut_del(t, f.doorbell);
	ut_del(t, f.self_wait);
}

/* The BAR holding the MSI-X table and pending bits: its capability maps
 * everything but those pages, which the kernel programs. */
static void msix_table_is_the_kernels(struct ut *t)
{
	fe_handle_t root = ut_slot(FE_START_PCI_ROOT), dev, bar;
	struct fe_pci_bar_info info;
	uint32_t addr = UINT32_MAX;
	unsigned holes = 0;

	if (root != FE_HANDLE_INVALID)
		UT_EXPECT_OK(t, fe_pci_enumerate(root, match_blk, &addr));
	if (addr == UINT32_MAX) {
		ut_skip(t, "no virtio block device (scenario blk adds one)");
		return;
	}
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_device_create(root, addr, &dev)));
	for (uint32_t i = 0; i < FE_PCI_BARS; i++) {
		if (fe_pci_bar(dev, i, NULL, &info) != FE_OK || info.kernel_len == 0)
			continue;
		holes++;
		UT_EXPECT_EQ(t, info.kernel_off % PAGE, 0);
		if (!UT_EXPECT_OK(t, fe_pci_bar(dev, i, &bar, &info)))
			continue;
		uint64_t va = fe_va_alloc(info.size);
		UT_EXPECT_STATUS(t, fe_vm_map(fe_self, bar, info.kernel_off, va + info.kernel_off, PAGE,
		                              FE_VM_READ), FE_ERR_ACCESS_DENIED);
		UT_EXPECT_STATUS(t, fe_vm_map(fe_self, bar, 0, va, info.size, FE_VM_READ),
		                 FE_ERR_ACCESS_DENIED);
		if (info.kernel_off + info.kernel_len < info.size) {
			uint64_t after = info.kernel_off + info.kernel_len;
			UT_EXPECT_OK(t, fe_vm_map(fe_self, bar, after, va + after, PAGE, FE_VM_READ));
			UT_EXPECT_OK(t, fe_vm_unmap(fe_self, va + after, PAGE));
		}
		ut_del(t, bar);
	}
	UT_EXPECT_EQ(t, holes, 1); /* QEMU's virtio-pci: the table and its bits in one BAR */
	UT_EXPECT_OK(t, fe_pci_release(dev));
	ut_del(t, dev);
}

UT_SUITE(blk,
	UT_CASE(msix_table_is_the_kernels),
	UT_CASE(info_and_round_trip),
	UT_CASE(second_driver_is_refused),
	UT_CASE(dma_fault_needs_an_iommu),
	UT_CASE(writes_survive_driver_restarts),
	UT_CASE(depth_is_32),
	UT_CASE(flush_follows_earlier_writes),
	UT_CASE(hostile_requests_are_refused),
	UT_CASE(many_in_flight_survive_kills),
	UT_CASE(answers_out_of_order_reach_their_requests));
