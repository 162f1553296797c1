/* SPDX-License-Identifier: MIT */
/*
 * DMA, MSI and the claim on a PCI function (ADR 0011, decisions 3 to 5),
 * with QEMU's `edu` device (1234:11e8), which copies between memory and its
 * own 4 KiB buffer on command and raises an MSI when asked. Every case
 * skips on a machine without one (scenario `dma` adds it).
 */
#include <fe/pci.h>

#include "ut.h"

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define EDU_VA 0x72000000ULL
#define EDU_BAR_SIZE (1ULL << 20)
/* Registers (hw/misc/edu.c). */
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE 0x60
#define EDU_IRQ_ACK 0x64
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_START 1u
#define EDU_DMA_TO_RAM 2u
#define EDU_BUFFER 0x40000u /* the device's buffer, as a DMA address */
/* Bytes per copy: less than the 4 KiB buffer, since QEMU 7.2's edu refuses
 * a copy that ends exactly at the buffer's end (its range check is off by one). */
#define EDU_COPY 2048u
#define IRQ_BIT 3
#define PATTERN 0xa5

struct edu {
	fe_handle_t dev, bar;
	uint32_t addr;
	volatile uint8_t *regs;
};

static void match_edu(const struct fe_pci_function *f, void *ctx)
{
	uint32_t *addr = ctx;

	if (f->vendor == EDU_VENDOR && f->device == EDU_DEVICE && *addr == UINT32_MAX)
		*addr = f->addr;
}

static uint32_t find_edu(struct ut *t)
{
	fe_handle_t root = ut_slot(FE_START_PCI_ROOT);
	uint32_t addr = UINT32_MAX;

	if (root != FE_HANDLE_INVALID)
		UT_EXPECT_OK(t, fe_pci_enumerate(root, match_edu, &addr));
	if (addr == UINT32_MAX)
		ut_skip(t, "no edu device (scenario dma adds one)");
	return addr;
}

static void wr32(struct edu *e, uint32_t off, uint32_t v) { *(volatile uint32_t *)(e->regs + off) = v; }
static uint32_t rd32(struct edu *e, uint32_t off) { return *(volatile uint32_t *)(e->regs + off); }
static void wr64(struct edu *e, uint32_t off, uint64_t v) { *(volatile uint64_t *)(e->regs + off) = v; }

/* A device capability for the edu, its registers mapped at `va`, memory
 * decoding and bus mastering on. False (case failed or skipped) otherwise. */
static bool edu_open(struct ut *t, struct edu *e, uint32_t addr, fe_handle_t dev, uint64_t va)
{
	struct fe_pci_bar_info info;
	uint32_t cmd = 0;

	e->addr = addr;
	e->dev = dev;
	e->regs = (volatile uint8_t *)(uintptr_t)va;
	if (!UT_EXPECT_OK(t, fe_pci_bar(dev, 0, &e->bar, &info)))
		return false;
	UT_EXPECT_EQ(t, info.size, EDU_BAR_SIZE);
	UT_EXPECT_OK(t, fe_pci_config_read(dev, addr, FE_PCI_COMMAND, 2, &cmd));
	UT_EXPECT_OK(t, fe_pci_config_write(dev, FE_PCI_COMMAND, 2,
	                                    cmd | FE_PCI_COMMAND_MEMORY | FE_PCI_COMMAND_BUS_MASTER));
	return UT_EXPECT_OK(t, fe_vm_map(fe_self, e->bar, 0, va, EDU_BAR_SIZE,
	                                 FE_VM_READ | FE_VM_WRITE));
}

static void edu_close(struct ut *t, struct edu *e)
{
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, (uint64_t)(uintptr_t)e->regs, EDU_BAR_SIZE));
	ut_del(t, e->bar);
}

/* One edu DMA: `count` bytes from src to dst; polls until the device is done. */
static void edu_dma(struct edu *e, uint64_t src, uint64_t dst, uint32_t count, uint32_t cmd)
{
	wr64(e, EDU_DMA_SRC, src);
	wr64(e, EDU_DMA_DST, dst);
	wr64(e, EDU_DMA_COUNT, count);
	wr64(e, EDU_DMA_CMD, cmd | EDU_DMA_START);
	UT_WAIT_UNTIL((rd32(e, EDU_DMA_CMD) & EDU_DMA_START) == 0);
}

static fe_handle_t contiguous_page(struct ut *t, uint8_t fill)
{
	static uint8_t buf[PAGE];
	fe_handle_t v = FE_HANDLE_INVALID;

	UT_EXPECT_OK(t, fe_vmo_create_flags(PAGE, FE_VMO_CONTIGUOUS, &v));
	memset(buf, fill, sizeof(buf));
	UT_EXPECT_OK(t, fe_vmo_write(v, 0, buf, sizeof(buf)));
	return v;
}

/* Of v's first `len` bytes, how many differ from `fill`. */
static unsigned differing(struct ut *t, fe_handle_t v, uint8_t fill, size_t len)
{
	static uint8_t buf[PAGE];
	unsigned n = 0;

	UT_EXPECT_OK(t, fe_vmo_read(v, 0, buf, sizeof(buf)));
	for (size_t i = 0; i < len && i < sizeof(buf); i++)
		n += buf[i] != fill;
	return n;
}

static void msi_reaches_a_notification(struct ut *t)
{
	uint32_t addr = find_edu(t);
	fe_handle_t root = ut_slot(FE_START_PCI_ROOT), d, n, wait_only;
	uint64_t bits = 0;
	struct edu e;

	if (addr == UINT32_MAX)
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_device_create(root, addr, &d)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	wait_only = ut_dup(t, n, FE_RIGHT_WAIT);
	UT_EXPECT_STATUS(t, fe_pci_irq_bind(d, 1, n, IRQ_BIT), FE_ERR_OUT_OF_RANGE); /* MSI: one message */
	UT_EXPECT_STATUS(t, fe_pci_irq_bind(d, 8, n, IRQ_BIT), FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, fe_pci_irq_bind(d, 0, n, 64), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_pci_irq_bind(d, 0, wait_only, IRQ_BIT), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_pci_irq_bind(n, 0, n, IRQ_BIT), FE_ERR_WRONG_TYPE);
	if (edu_open(t, &e, addr, d, EDU_VA) && UT_EXPECT_OK(t, fe_pci_irq_bind(d, 0, n, IRQ_BIT))) {
		for (int i = 0; i < 3; i++) {
			bits = 0;
			wr32(&e, EDU_IRQ_RAISE, 1);
			UT_WAIT_UNTIL(fe_notif_wait(n, FE_NONBLOCK, &bits) == FE_OK);
			UT_EXPECT_EQ(t, bits, 1ULL << IRQ_BIT);
			UT_EXPECT_EQ(t, rd32(&e, EDU_IRQ_STATUS), 1);
			wr32(&e, EDU_IRQ_ACK, 1);
		}
		edu_close(t, &e);
	}
	UT_EXPECT_OK(t, fe_pci_release(d));
	UT_EXPECT_STATUS(t, fe_pci_release(d), FE_ERR_BAD_STATE);
	ut_del(t, wait_only);
	ut_del(t, d);
	ut_del(t, n);
}

/* Memory to the device's buffer and back into another page. */
static void dma_round_trip(struct ut *t)
{
	uint32_t addr = find_edu(t);
	fe_handle_t root = ut_slot(FE_START_PCI_ROOT), d, a, b;
	uint64_t da = 0, db = 0;
	uint32_t cmd = 0;
	struct edu e;

	if (addr == UINT32_MAX)
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_device_create(root, addr, &d)));
	a = contiguous_page(t, PATTERN);
	b = contiguous_page(t, 0);
	UT_EXPECT_OK(t, fe_pci_dma_map(d, a, 0, PAGE, FE_DMA_DEVICE_READ, &da));
	UT_EXPECT_OK(t, fe_pci_dma_map(d, b, 0, PAGE, FE_DMA_DEVICE_WRITE, &db));
	UT_EXPECT_NE(t, da, 0);
	if (edu_open(t, &e, addr, d, EDU_VA)) {
		edu_dma(&e, da, EDU_BUFFER, EDU_COPY, 0);
		edu_dma(&e, EDU_BUFFER, db, EDU_COPY, EDU_DMA_TO_RAM);
		UT_EXPECT_EQ(t, differing(t, b, PATTERN, EDU_COPY), 0);
		edu_close(t, &e);
	}
	UT_EXPECT_OK(t, fe_pci_dma_unmap(d, da));
	UT_EXPECT_STATUS(t, fe_pci_dma_unmap(d, da), FE_ERR_NOT_FOUND);
	/* Release drops what is still mapped, and turns bus mastering off. */
	UT_EXPECT_OK(t, fe_pci_release(d));
	UT_EXPECT_OK(t, fe_pci_config_read(d, addr, FE_PCI_COMMAND, 2, &cmd));
	UT_EXPECT_EQ(t, cmd & FE_PCI_COMMAND_BUS_MASTER, 0);
	UT_EXPECT_STATUS(t, fe_pci_dma_unmap(d, db), FE_ERR_NOT_FOUND);
	ut_del(t, a);
	ut_del(t, b);
	ut_del(t, d);
}

static void dma_map_refusals(struct ut *t)
{
	uint32_t addr = find_edu(t);
	fe_handle_t root = ut_slot(FE_START_PCI_ROOT), d, v, ro;
	uint64_t da = 0;

	if (addr == UINT32_MAX)
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_device_create(root, addr, &d)));
	v = contiguous_page(t, 0);
	ro = ut_dup(t, v, FE_RIGHT_READ);
	UT_EXPECT_STATUS(t, fe_pci_dma_map(d, v, 1, PAGE, FE_DMA_DEVICE_READ, &da), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_pci_dma_map(d, v, 0, 0, FE_DMA_DEVICE_READ, &da), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_pci_dma_map(d, v, 0, 2 * PAGE, FE_DMA_DEVICE_READ, &da),
	                 FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, fe_pci_dma_map(d, v, 0, PAGE, 0, &da), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_pci_dma_map(d, v, 0, PAGE, 4, &da), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_pci_dma_map(d, ro, 0, PAGE, FE_DMA_DEVICE_WRITE, &da),
	                 FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_pci_dma_map(d, v, 0, PAGE, FE_DMA_DEVICE_READ, NULL), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_pci_dma_map(v, v, 0, PAGE, FE_DMA_DEVICE_READ, &da), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_pci_dma_map(root, v, 0, PAGE, FE_DMA_DEVICE_READ, &da),
	                 FE_ERR_WRONG_TYPE);
	UT_EXPECT_EQ(t, da, 0);
	UT_EXPECT_STATUS(t, fe_pci_dma_unmap(d, 0x1000), FE_ERR_NOT_FOUND);
	UT_EXPECT_STATUS(t, fe_pci_release(d), FE_ERR_BAD_STATE); /* nothing claimed it */
	ut_del(t, ro);
	ut_del(t, v);
	ut_del(t, d);
}

/* USER0: the edu's device capability; USER1: a notification to signal once
 * it holds the claim. Maps a page for DMA, binds the MSI, then waits to be killed. */
int ut_role_pci_claimer(void)
{
	fe_handle_t d = ut_slot(FE_START_USER0), v, n;
	uint64_t da;

	if (fe_vmo_create_flags(PAGE, FE_VMO_CONTIGUOUS, &v) != FE_OK ||
	    fe_pci_dma_map(d, v, 0, PAGE, FE_DMA_DEVICE_READ | FE_DMA_DEVICE_WRITE, &da) != FE_OK)
		return 2;
	if (fe_notif_create(&n) != FE_OK || fe_pci_irq_bind(d, 0, n, 1) != FE_OK)
		return 3;
	if (fe_notif_signal(ut_slot(FE_START_USER0 + 1), 1) != FE_OK)
		return 4;
	for (;;)
		(void)fe_thread_sleep(1000000000ull);
}

/* A claim is one process's; its end quiesces the device (bus mastering
 * off) and frees the function for the next driver. */
static void claim_is_exclusive_and_ends_with_its_process(struct ut *t)
{
	uint32_t addr = find_edu(t), cmd = 0;
	fe_handle_t root = ut_slot(FE_START_PCI_ROOT), d, n, v, p;
	struct ut_child c = { .role = "pci-claimer" };
	uint64_t bits = 0, da = 0;

	if (addr == UINT32_MAX)
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_device_create(root, addr, &d)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	UT_EXPECT_OK(t, fe_pci_config_write(d, FE_PCI_COMMAND, 2, FE_PCI_COMMAND_BUS_MASTER));
	c.user[0] = d;
	c.user[1] = ut_dup(t, n, FE_RIGHT_SIGNAL | FE_RIGHT_TRANSFER);
	v = contiguous_page(t, 0);
	if (UT_EXPECT_OK(t, ut_spawn(&c, &p))) {
		UT_WAIT_UNTIL(fe_notif_wait(n, FE_NONBLOCK, &bits) == FE_OK);
		UT_EXPECT_EQ(t, bits, 1);
		UT_EXPECT_STATUS(t, fe_pci_dma_map(d, v, 0, PAGE, FE_DMA_DEVICE_READ, &da), FE_ERR_BUSY);
		UT_EXPECT_STATUS(t, fe_pci_irq_bind(d, 0, n, 2), FE_ERR_BUSY);
		ut_stop(t, p);
		UT_EXPECT_OK(t, fe_pci_config_read(d, addr, FE_PCI_COMMAND, 2, &cmd));
		UT_EXPECT_EQ(t, cmd & FE_PCI_COMMAND_BUS_MASTER, 0);
		if (UT_EXPECT_OK(t, fe_pci_dma_map(d, v, 0, PAGE, FE_DMA_DEVICE_READ, &da)))
			UT_EXPECT_OK(t, fe_pci_release(d));
	}
	ut_del(t, v);
	ut_del(t, n);
	ut_del(t, d);
}

/* USER0: the edu's device capability; USER1: a page of the parent's; arg:
 * the edu's address. Fills the edu's buffer with PATTERN, starts a copy of
 * it into the parent's page and dies (an illegal instruction) before the
 * device gets to it (edu waits 100 ms of virtual time). */
int ut_role_pci_dma_die(const char *arg)
{
	fe_handle_t d = ut_slot(FE_START_USER0), target = ut_slot(FE_START_USER0 + 1), src;
	struct ut t0 = { .name = "pci-dma-die" };
	uint64_t ds, dt, addr;
	struct edu e;

	if (!arg || fe_parse_u64(arg, &addr) != FE_OK)
		return 2;
	src = contiguous_page(&t0, PATTERN);
	if (!edu_open(&t0, &e, (uint32_t)addr, d, EDU_VA) ||
	    fe_pci_dma_map(d, src, 0, PAGE, FE_DMA_DEVICE_READ, &ds) != FE_OK ||
	    fe_pci_dma_map(d, target, 0, PAGE, FE_DMA_DEVICE_WRITE, &dt) != FE_OK || t0.failed)
		return 3;
	edu_dma(&e, ds, EDU_BUFFER, EDU_COPY, 0);
	wr64(&e, EDU_DMA_SRC, EDU_BUFFER);
	wr64(&e, EDU_DMA_DST, dt);
	wr64(&e, EDU_DMA_COUNT, EDU_COPY);
	wr64(&e, EDU_DMA_CMD, EDU_DMA_TO_RAM | EDU_DMA_START);
	ut_ud2_here();
	return 4;
}

/* A driver that dies with DMA in flight: the claim's end turns bus
 * mastering off before anything else, so the copy never lands. */
static void inflight_dma_never_lands_after_death(struct ut *t)
{
	uint32_t addr = find_edu(t);
	fe_handle_t root = ut_slot(FE_START_PCI_ROOT), d, v, p;
	struct ut_child c = { .role = "pci-dma-die" };
	struct fe_exit_status st;
	char arg[16];

	if (addr == UINT32_MAX)
		return;
	snprintf(arg, sizeof(arg), "%u", addr);
	c.arg = arg;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_device_create(root, addr, &d)));
	v = contiguous_page(t, 0);
	c.user[0] = d;
	c.user[1] = v;
	if (UT_EXPECT_OK(t, ut_spawn(&c, &p))) {
		ut_expect_fault(t, p, 6, UT_ANY_ADDR, &st); /* #UD, as planned */
		/* edu copies 100 ms (QEMU virtual time) after the command. */
		(void)fe_thread_sleep(400000000ull);
		UT_EXPECT_EQ(t, differing(t, v, 0, PAGE), 0);
	}
	ut_del(t, v);
	ut_del(t, d);
}

UT_SUITE(dma,
	UT_CASE(msi_reaches_a_notification),
	UT_CASE(dma_round_trip),
	UT_CASE(dma_map_refusals),
	UT_CASE(claim_is_exclusive_and_ends_with_its_process),
	UT_CASE(inflight_dma_never_lands_after_death));
