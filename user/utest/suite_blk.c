/* SPDX-License-Identifier: MIT */
/*
 * The virtio-blk driver (user/virtio-blk) and the block client
 * (fe/block.h), with utest standing in for the supervisor: it finds the
 * device, starts the driver with the device's capability and an endpoint,
 * and restarts it. Skipped without a virtio block device (scenario `blk`
 * adds one of BLK_DISK_SECTORS sectors).
 */
#include <fe/block.h>
#include <fe/pci.h>
#include <fe/spawn.h>

#include "ut.h"

#define BLK_DISK_SECTORS 16384u /* 8 MiB: tools/scenarios.py, scenario blk */
#define BUF_SIZE (64 * 1024ULL)
#define RESTARTS 10u

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

/* Writes what fill() made and, once the driver acknowledged it, says so for
 * the host, which checks the disk image after QEMU exits (tools/testrun.py,
 * check_acked_writes: the same pattern). */
static fe_status_t write_acked(struct fe_blk *b, uint64_t sector, uint32_t count, uint8_t salt)
{
	fill(b->buf, sector, count, salt);
	fe_status_t st = fe_blk_write(b, sector, count, 0);
	if (st == FE_OK)
		printf("    # blk-acked %llu %u %u\n", (unsigned long long)sector, count, salt);
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

/* A second driver for a claimed device cannot start; the first keeps serving. */
static void second_driver_is_refused(struct ut *t)
{
	struct blk_rig r;
	struct fe_exit_status st;
	fe_handle_t first;

	if (rig_up(t, &r)) {
		first = r.driver;
		if (UT_EXPECT_OK(t, start_driver(&r))) {
			UT_EXPECT_OK(t, ut_wait(r.driver, &st));
			UT_EXPECT_EQ(t, st.reason, FE_EXIT_NORMAL);
			UT_EXPECT_NE(t, st.code, 0); /* "cannot start": the device is busy */
			ut_unwatch(r.driver);
			ut_del(t, r.driver);
		}
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
	UT_CASE(writes_survive_driver_restarts));
