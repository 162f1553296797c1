/* SPDX-License-Identifier: MIT */
/*
 * A real driver under the supervisor: `blk` is user/virtio-blk, its PCI
 * function found by the supervisor (`device pci 1af4:1042`) and granted at
 * FE_SERVICE_SLOT_DEVICE. Each round writes sectors through the block
 * client (fe/block.h), restarts the driver through the supervisor, and
 * reads them back: the new instance claims the device again (the kernel
 * quiesced it when the old one died) and the client's library attaches its
 * buffer again and repeats the read, through the endpoint capability it
 * had. Every acknowledged write is printed for the host, which checks the
 * disk image after QEMU exits (tools/testrun.py, check_acked_writes).
 *
 * The scenario's disk goes through QEMU's intel-iommu (iommu_platform=on),
 * so the driver offers the DMA fault (FE_FAULT_DMA): crashed with it under
 * the same client, it ends as dma-fault at the address it aimed at. A
 * service without the hook (echo) refuses the fault and lives on.
 */
#include <fe/block.h>
#include <fe/net.h>

#include "svctest.h"

#define ROUNDS 4
#define SECTORS 8
#define BUF_SIZE (64u << 10)
#define DMA_ROUNDS 3
#define POLL_NS 1000000ULL      /* between two looks at blk's row */
#define DMA_SECTOR 256u         /* past the restart rounds' sectors */
#define IOMMU_REFUSED_WRITE 5u  /* VT-d fault reasons: a write the domain does not allow, */
#define IOMMU_REFUSED_READ 6u   /* a read */
#define ETHERTYPE_LOCAL 0x88b5u /* IEEE 802's local experimental type */

static fe_status_t write_acked(struct fe_blk *b, uint64_t sector, uint8_t salt)
{
	for (uint64_t i = 0; i < SECTORS * FE_BLK_SECTOR; i++)
		b->buf[i] = blk_pattern(sector, i, salt);
	fe_status_t st = fe_blk_write(b, sector, SECTORS, 0);
	if (st == FE_OK)
		printf("    # blk-acked %llu %u %u\n", (unsigned long long)sector, SECTORS, salt);
	return st;
}

static bool reads_back(struct fe_blk *b, uint64_t sector, uint8_t salt)
{
	memset(b->buf, 0, SECTORS * FE_BLK_SECTOR);
	if (fe_blk_read(b, sector, SECTORS, 0) != FE_OK)
		return false;
	for (uint64_t i = 0; i < SECTORS * FE_BLK_SECTOR; i++)
		if (b->buf[i] != blk_pattern(sector, i, salt))
			return false;
	return true;
}

/* Once blk runs (its row in *row): a client capability and a block client on it. */
static bool open_blk(struct test *t, struct fe_supervisor_row *row, fe_handle_t *ep, struct fe_blk *b)
{
	if (!wait_state(t, "blk", FE_SUPERVISOR_RUNNING, row) || !connect_to(t, "blk", ep))
		return false;
	if (!CHECK_OK(t, fe_blk_open(*ep, BUF_SIZE, b))) {
		fe_handle_delete(*ep);
		return false;
	}
	return true;
}

void driver_restarts_under_a_client(struct test *t)
{
	struct fe_supervisor_row before, after;
	struct fe_blk b;
	fe_handle_t ep;

	if (!open_blk(t, &before, &ep, &b))
		return;
	for (unsigned r = 0; r < ROUNDS; r++) {
		uint64_t sector = 64 + r * SECTORS;
		uint8_t salt = (uint8_t)(0x5a + r);
		CHECK_OK(t, write_acked(&b, sector, salt));
		CHECK_OK(t, fe_supervisor_restart(ctl, "blk"));
		CHECK(t, reads_back(&b, sector, salt), "round %u: sectors %llu.. do not read back", r,
		      (unsigned long long)sector);
		progress();
	}
	CHECK(t, b.retries >= ROUNDS, "%llu requests repeated for %u restarts",
	      (unsigned long long)b.retries, ROUNDS);
	if (row_of(t, "blk", &after)) {
		CHECK_EQ(t, after.restarts, before.restarts + ROUNDS);
		CHECK(t, after.last.reason == FE_SUPERVISOR_REASON_RESTART, "last end: %s",
		      fe_supervisor_reason_name(after.last.reason));
	}
	fe_blk_close(&b);
	fe_handle_delete(ep);
}

/* Polls until an instance of `name` other than k0 runs; *row is its row. */
static bool wait_restarted(struct test *t, const char *name, uint64_t k0,
                           struct fe_supervisor_row *row)
{
	for (;;) {
		if (!row_of(t, name, row))
			return false;
		if (row->state == FE_SUPERVISOR_RUNNING && row->koid != k0)
			return true;
		(void)fe_thread_sleep(POLL_NS);
	}
}

/* name's instance k0 ended with the DMA fault: the IOMMU refused the
 * device's access (`reason`: VT-d's) at FE_FAULT_DMA_ADDRESS. */
static void expect_dma_death(struct test *t, const char *name, uint64_t k0, uint32_t reason)
{
	struct fe_supervisor_death d;

	if (!CHECK_OK(t, fe_supervisor_death(ctl, name, k0, &d)))
		return;
	if (!CHECK(t, d.reason == FE_SUPERVISOR_REASON_DMA, "instance %llu ended: %s",
	           (unsigned long long)k0, fe_supervisor_reason_name(d.reason)))
		return;
	CHECK_EQ(t, d.vector, reason);
	CHECK_EQ(t, d.address, FE_FAULT_DMA_ADDRESS);
}

/*
 * `crash blk dma`, DMA_ROUNDS times (answered, then in flight, ...): the
 * driver aims its device outside its memory through its request path, the
 * IOMMU refuses, the kernel ends it, the supervisor records dma-fault with
 * the device address and restarts it; the client, attached throughout,
 * reads back what was acknowledged before each crash and writes again
 * after it (the host checks every acknowledged write on the image).
 */
void driver_dma_fault_under_a_client(struct test *t)
{
	struct fe_supervisor_row before, after;
	struct fe_blk b;
	fe_handle_t ep;

	if (!open_blk(t, &before, &ep, &b))
		return;
	for (unsigned r = 0; r < DMA_ROUNDS && !t->failed; r++) {
		uint64_t sector = DMA_SECTOR + r * 2 * SECTORS;
		uint8_t salt = (uint8_t)(0x70 + r);
		bool in_flight = r % 2 == 1;
		CHECK_OK(t, write_acked(&b, sector, salt));
		if (!row_of(t, "blk", &before))
			break;
		fe_status_t st = fe_supervisor_crash(ctl, "blk", FE_FAULT_DMA,
		                                     in_flight ? FE_SERVICE_CRASH_NO_REPLY : 0);
		if (!CHECK(t, st == (in_flight ? FE_ERR_PEER_CLOSED : FE_OK), "crash blk dma%s: %s",
		           in_flight ? " (in flight)" : "", fe_status_name(st)))
			break;
		crashes_injected++;
		/* To the dying instance or the next: acknowledged only once on the disk. */
		CHECK_OK(t, write_acked(&b, sector + SECTORS, salt));
		if (!wait_restarted(t, "blk", before.koid, &after))
			break;
		CHECK(t, after.restarts >= before.restarts + 1, "round %u: restarts %u -> %u", r,
		      before.restarts, after.restarts);
		/* Through the new instance: the old one is gone. */
		CHECK(t, reads_back(&b, sector, salt), "round %u: sectors %llu.. do not read back", r,
		      (unsigned long long)sector);
		CHECK(t, reads_back(&b, sector + SECTORS, salt), "round %u: sectors %llu.. do not read back",
		      r, (unsigned long long)(sector + SECTORS));
		expect_dma_death(t, "blk", before.koid, IOMMU_REFUSED_WRITE);
		progress();
	}
	CHECK(t, b.restarts >= DMA_ROUNDS, "the client saw %llu restarts for %u crashes",
	      (unsigned long long)b.restarts, DMA_ROUNDS);
	fe_blk_close(&b);
	fe_handle_delete(ep);
}

/* `crash echo dma`: echo has no device, so no hook; refused, answered even
 * when asked for no answer, and nothing done (the same instance serves). */
void dma_fault_needs_a_hook(struct test *t)
{
	struct fe_supervisor_row before, after;
	uint64_t k0, k1;
	fe_handle_t ep;

	if (!wait_state(t, "echo", FE_SUPERVISOR_RUNNING, &before) || !connect_to(t, "echo", &ep))
		return;
	if (who(t, ep, &k0, NULL)) {
		CHECK_EQ(t, fe_supervisor_crash(ctl, "echo", FE_FAULT_DMA, 0), FE_ERR_UNSUPPORTED);
		CHECK_EQ(t, fe_supervisor_crash(ctl, "echo", FE_FAULT_DMA, FE_SERVICE_CRASH_NO_REPLY),
		         FE_ERR_UNSUPPORTED);
		if (who(t, ep, &k1, NULL))
			CHECK_EQ(t, k1, k0);
	}
	if (row_of(t, "echo", &after)) {
		CHECK_EQ(t, after.restarts, before.restarts);
		CHECK_EQ(t, after.koid, k0);
	}
	fe_handle_delete(ep);
}

/* One frame of the least length, to every station of the driver's link
 * (QEMU's user network, restricted: it drops it), sent and given back. */
static bool send_one(struct test *t, struct fe_net *c)
{
	uint8_t frame[FE_NET_FRAME_MIN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint64_t done = c->tx_done;

	memcpy(frame + 6, c->mac, sizeof(c->mac));
	frame[12] = (uint8_t)(ETHERTYPE_LOCAL >> 8);
	frame[13] = (uint8_t)ETHERTYPE_LOCAL;
	return CHECK_OK(t, fe_net_send(c, frame, sizeof(frame), 0)) &&
	       CHECK_OK(t, fe_net_tx_flush(c)) && CHECK_EQ(t, c->tx_done, done + 1);
}

/*
 * `crash net dma`: virtio-net (its device `iommu_platform=on` too) aims a
 * frame to send at FE_FAULT_DMA_ADDRESS; the IOMMU refuses the device's
 * read, the supervisor records dma-fault and restarts it; the client,
 * attached throughout, attaches to the new instance and sends through it.
 */
void net_driver_dma_fault(struct test *t)
{
	struct fe_supervisor_row before, after;
	struct fe_net c;
	fe_handle_t ep;

	if (!wait_state(t, "net", FE_SUPERVISOR_RUNNING, &before) || !connect_to(t, "net", &ep))
		return;
	if (!CHECK_OK(t, fe_net_open(ep, &c))) {
		fe_handle_delete(ep);
		return;
	}
	if (send_one(t, &c) && row_of(t, "net", &before) &&
	    CHECK_OK(t, fe_supervisor_crash(ctl, "net", FE_FAULT_DMA, 0))) {
		crashes_injected++;
		if (wait_restarted(t, "net", before.koid, &after)) {
			CHECK(t, after.restarts >= before.restarts + 1, "restarts %u -> %u",
			      before.restarts, after.restarts);
			expect_dma_death(t, "net", before.koid, IOMMU_REFUSED_READ);
			/* The old instance is gone: the client's next wait attaches anew. */
			while (c.restarts == 0 && CHECK_OK(t, fe_net_wait(&c)))
				;
			send_one(t, &c);
		}
		progress();
	}
	fe_net_close(&c);
	fe_handle_delete(ep);
}
