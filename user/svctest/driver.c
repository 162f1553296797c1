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
 */
#include <fe/block.h>

#include "svctest.h"

#define ROUNDS 4
#define SECTORS 8
#define BUF_SIZE (64u << 10)

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

void driver_restarts_under_a_client(struct test *t)
{
	struct fe_supervisor_row before, after;
	struct fe_blk b;
	fe_handle_t ep;

	if (!wait_state(t, "blk", FE_SUPERVISOR_RUNNING, &before) || !connect_to(t, "blk", &ep))
		return;
	if (!CHECK_OK(t, fe_blk_open(ep, BUF_SIZE, &b))) {
		fe_handle_delete(ep);
		return;
	}
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
