/* SPDX-License-Identifier: MIT */
/*
 * DMA, MSI and the claim on a PCI function (ADR 0011, decisions 3 to 5),
 * with QEMU's `edu` device (edu.h). Every case skips on a machine without
 * one; scenario `dma` adds it without an IOMMU, `dma-iommu` with one, and
 * each case holds either way (what only an IOMMU gives: suite_iommu.c).
 */
#include <fe/pci.h>

#include "edu.h"

#define IRQ_BIT 3
#define PATTERN EDU_PATTERN

static fe_handle_t contiguous_page(struct ut *t, uint8_t fill)
{
	return edu_pages(t, 1, fill, true);
}

/* Of v's first `len` bytes, how many differ from `fill`. */
static unsigned differing(struct ut *t, fe_handle_t v, uint8_t fill, size_t len)
{
	return edu_differing(t, v, 0, len, fill);
}

static void msi_reaches_a_notification(struct ut *t)
{
	uint32_t addr = edu_find(t);
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
			edu_wr32(&e, EDU_IRQ_RAISE, 1);
			UT_WAIT_UNTIL(fe_notif_wait(n, FE_NONBLOCK, &bits) == FE_OK);
			UT_EXPECT_EQ(t, bits, 1ULL << IRQ_BIT);
			UT_EXPECT_EQ(t, edu_rd32(&e, EDU_IRQ_STATUS), 1);
			edu_wr32(&e, EDU_IRQ_ACK, 1);
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
	uint32_t addr = edu_find(t);
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

/* The kernel says whether an IOMMU confines DMA, as the scenario booted it
 * (utest.iommu=0 or 1; without that word only what it says is noted). */
static void dma_confinement_as_booted(struct ut *t)
{
	uint64_t units = edu_iommu_units(t);

	if (ut_iommu_expected >= 0)
		UT_EXPECT_EQ(t, units > 0, ut_iommu_expected == 1);
	ut_note(t, "DMA %s (%llu IOMMU unit(s) in use)", units ? "confined per device" : "unconfined",
	        (unsigned long long)units);
	/* A device that bypasses translation (FE_DMA_PHYSICAL) is mapped only
	 * where device addresses are physical. */
	uint32_t addr = edu_find(t);
	fe_handle_t d, v;
	uint64_t da = 0;
	if (addr == UINT32_MAX ||
	    !UT_EXPECT_OK(t, fe_pci_device_create(ut_slot(FE_START_PCI_ROOT), addr, &d)))
		return;
	v = contiguous_page(t, 0);
	UT_EXPECT_STATUS(t, fe_pci_dma_map(d, v, 0, PAGE, FE_DMA_DEVICE_READ | FE_DMA_PHYSICAL, &da),
	                 units ? FE_ERR_UNSUPPORTED : FE_OK);
	/* What a driver asks before it offers the DMA fault (fe_service_set_dma_fault):
	 * the same refusal, and the probe's mapping undone where there is none. */
	bool translated = units == 0;
	if (UT_EXPECT_OK(t, fe_pci_dma_translated(d, &translated)))
		UT_EXPECT_EQ(t, translated, units > 0);
	if (!units) {
		UT_EXPECT_OK(t, fe_pci_dma_unmap(d, da));
		UT_EXPECT_OK(t, fe_pci_release(d));
	}
	ut_del(t, v);
	ut_del(t, d);
}

/* A copy that straddles a page boundary lands in both pages, and nowhere
 * else. With an IOMMU the VMOs are ordinary (their pages need not be
 * contiguous: the domain makes them so); without, they must be contiguous. */
static void dma_across_pages(struct ut *t)
{
	uint32_t addr = edu_find(t);
	fe_handle_t root = ut_slot(FE_START_PCI_ROOT), d, a, b;
	bool iommu = edu_iommu_units(t) > 0;
	const size_t half = EDU_COPY / 2;
	static uint8_t fill[PAGE];
	uint64_t da = 0, db = 0;
	struct edu e;

	if (addr == UINT32_MAX)
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_device_create(root, addr, &d)));
	a = edu_pages(t, 2, 0x11, !iommu);
	b = edu_pages(t, 2, 0, !iommu);
	memset(fill, 0x22, sizeof(fill));
	UT_EXPECT_OK(t, fe_vmo_write(a, PAGE, fill, sizeof(fill)));
	UT_EXPECT_OK(t, fe_pci_dma_map(d, a, 0, 2 * PAGE, FE_DMA_DEVICE_READ, &da));
	UT_EXPECT_OK(t, fe_pci_dma_map(d, b, 0, 2 * PAGE, FE_DMA_DEVICE_WRITE, &db));
	if (edu_open(t, &e, addr, d, EDU_VA)) {
		edu_dma(&e, da + PAGE - half, EDU_BUFFER, EDU_COPY, 0);
		edu_dma(&e, EDU_BUFFER, db + PAGE - half, EDU_COPY, EDU_DMA_TO_RAM);
		UT_EXPECT_EQ(t, edu_differing(t, b, PAGE - half, half, 0x11), 0);
		UT_EXPECT_EQ(t, edu_differing(t, b, PAGE, half, 0x22), 0);
		UT_EXPECT_EQ(t, edu_differing(t, b, 0, PAGE - half, 0), 0);
		UT_EXPECT_EQ(t, edu_differing(t, b, PAGE + half, PAGE - half, 0), 0);
		edu_close(t, &e);
	}
	UT_EXPECT_OK(t, fe_pci_release(d));
	ut_del(t, a);
	ut_del(t, b);
	ut_del(t, d);
}

static void dma_map_refusals(struct ut *t)
{
	uint32_t addr = edu_find(t);
	fe_handle_t root = ut_slot(FE_START_PCI_ROOT), d, v, ro, big;
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
	if (UT_EXPECT_OK(t, fe_vmo_create(FE_DMA_MAP_MAX + PAGE, &big))) {
		UT_EXPECT_STATUS(t, fe_pci_dma_map(d, big, 0, FE_DMA_MAP_MAX + PAGE, FE_DMA_DEVICE_READ,
		                                   &da), FE_ERR_OUT_OF_RANGE);
		ut_del(t, big);
	}
	UT_EXPECT_STATUS(t, fe_pci_dma_map(d, v, 0, PAGE, 0, &da), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_pci_dma_map(d, v, 0, PAGE, FE_DMA_PHYSICAL, &da), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_pci_dma_map(d, v, 0, PAGE, 8 | FE_DMA_DEVICE_READ, &da),
	                 FE_ERR_INVALID_ARG);
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
	uint32_t addr = edu_find(t), cmd = 0;
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
	edu_dma_start(&e, EDU_BUFFER, dt, EDU_COPY, EDU_DMA_TO_RAM);
	ut_ud2_here();
	return 4;
}

/* A driver that dies with DMA in flight: the claim's end turns bus
 * mastering off before anything else, so the copy never lands. */
static void inflight_dma_never_lands_after_death(struct ut *t)
{
	uint32_t addr = edu_find(t);
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
	UT_CASE(dma_confinement_as_booted),
	UT_CASE(msi_reaches_a_notification),
	UT_CASE(dma_round_trip),
	UT_CASE(dma_across_pages),
	UT_CASE(dma_map_refusals),
	UT_CASE(claim_is_exclusive_and_ends_with_its_process),
	UT_CASE(inflight_dma_never_lands_after_death));
