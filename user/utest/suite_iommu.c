/* SPDX-License-Identifier: MIT */
/*
 * What an IOMMU adds to DMA (ADR 0011, decision 3), with QEMU's edu device
 * (edu.h) behind QEMU's VT-d (scenario dma-iommu): a device reaches only
 * what its driver mapped, at addresses of its own domain; a DMA anywhere
 * else is refused, recorded, and ends the driver (FE_EXIT_DMA_FAULT); an
 * unmapped page, or any page once the claim is over, is out of reach.
 * Every case skips where DMA is unconfined (and fails there if the scenario
 * said utest.iommu=1).
 */
#include <fe/pci.h>

#include "edu.h"

#define IOVA_LOW (1ULL << 20)         /* no device address below (kernel/object/pci_dma.c) */
#define IOVA_MSI_WINDOW 0xfee00000ULL /* nor from here on */
#define FAULT_WRITE 5u                /* VT-d: a write the domain does not allow */
#define OTHER_PATTERN 0x5a
#define TRACE_WINDOW 4096u            /* newest records read back (the rings hold 4096 per CPU) */

static bool have_iommu(struct ut *t)
{
	uint64_t units = edu_iommu_units(t);

	if (ut_iommu_expected == 1 && !UT_EXPECT_GT(t, units, 0))
		return false;
	if (units == 0)
		ut_skip(t, "DMA is unconfined here (scenario dma-iommu has an IOMMU)");
	return units > 0;
}

/* The edu, if the machine has one and an IOMMU; UINT32_MAX otherwise. */
static uint32_t confined_edu(struct ut *t)
{
	uint32_t addr = edu_find(t);

	return addr != UINT32_MAX && have_iommu(t) ? addr : UINT32_MAX;
}

/* A driver's work through device capability d: a page through the device's
 * buffer into another; then the claim is released. */
static void round_trip(struct ut *t, uint32_t addr, fe_handle_t d)
{
	fe_handle_t a = edu_pages(t, 1, EDU_PATTERN, false), b = edu_pages(t, 1, 0, false);
	uint64_t da = 0, db = 0;
	struct edu e;

	UT_EXPECT_OK(t, fe_pci_dma_map(d, a, 0, PAGE, FE_DMA_DEVICE_READ, &da));
	UT_EXPECT_OK(t, fe_pci_dma_map(d, b, 0, PAGE, FE_DMA_DEVICE_WRITE, &db));
	if (edu_open(t, &e, addr, d, EDU_VA)) {
		edu_dma(&e, da, EDU_BUFFER, EDU_COPY, 0);
		edu_dma(&e, EDU_BUFFER, db, EDU_COPY, EDU_DMA_TO_RAM);
		UT_EXPECT_EQ(t, edu_differing(t, b, 0, EDU_COPY, EDU_PATTERN), 0);
		edu_close(t, &e);
	}
	UT_EXPECT_OK(t, fe_pci_release(d));
	ut_del(t, a);
	ut_del(t, b);
}

/* Device addresses are the domain's: page aligned, from 1 MiB, below the
 * MSI window, an unmapped guard page after each mapping, a hole reused. */
static void device_addresses_are_the_domains(struct ut *t)
{
	uint32_t addr = confined_edu(t);
	fe_handle_t root = ut_slot(FE_START_PCI_ROOT), d, a, b;
	uint64_t da = 0, db = 0, dc = 0;

	if (addr == UINT32_MAX)
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_device_create(root, addr, &d)));
	a = edu_pages(t, 3, 0, false);
	b = edu_pages(t, 1, 0, false);
	UT_EXPECT_OK(t, fe_pci_dma_map(d, a, 0, 3 * PAGE, FE_DMA_DEVICE_READ, &da));
	UT_EXPECT_OK(t, fe_pci_dma_map(d, b, 0, PAGE, FE_DMA_DEVICE_WRITE, &db));
	UT_EXPECT_EQ(t, da % PAGE, 0);
	UT_EXPECT_GE(t, da, IOVA_LOW);
	UT_EXPECT_GE(t, db, da + 4 * PAGE); /* three pages and a guard */
	UT_EXPECT_LE(t, db + PAGE, IOVA_MSI_WINDOW);
	UT_EXPECT_OK(t, fe_pci_dma_unmap(d, da));
	UT_EXPECT_OK(t, fe_pci_dma_map(d, b, 0, PAGE, FE_DMA_DEVICE_READ, &dc));
	UT_EXPECT_EQ(t, dc, da); /* first fit */
	UT_EXPECT_OK(t, fe_pci_release(d));
	ut_del(t, a);
	ut_del(t, b);
	ut_del(t, d);
}

/* USER0: the edu's device capability; USER1: a page of the parent's (the
 * target); USER2: a page to report the target's device address in. arg:
 * "wild:ADDR" or "unmap:ADDR", ADDR the edu's function. Maps the target for
 * the device to write, then either aims a copy at the page after it (its
 * guard: never mapped), or copies a pattern into it (which lands), unmaps
 * it and aims a second copy of other bytes at it; then waits to be ended
 * (making no system call, so that utest's watchdog ends it if the kernel
 * does not). */
int ut_role_pci_dma_stray(const char *arg)
{
	fe_handle_t d = ut_slot(FE_START_USER0), target = ut_slot(FE_START_USER0 + 1),
	            report = ut_slot(FE_START_USER0 + 2), src, other, never;
	struct ut t0 = { .name = "pci-dma-stray" };
	bool unmap = arg && strncmp(arg, "unmap:", 6) == 0;
	uint64_t ds, dt, dother, addr, bits;
	struct edu e;

	if (!arg || fe_parse_u64(strchr(arg, ':') ? strchr(arg, ':') + 1 : arg, &addr) != FE_OK)
		return 2;
	src = edu_pages(&t0, 1, EDU_PATTERN, false);
	other = edu_pages(&t0, 1, OTHER_PATTERN, false);
	if (!edu_open(&t0, &e, (uint32_t)addr, d, EDU_VA) ||
	    fe_pci_dma_map(d, src, 0, PAGE, FE_DMA_DEVICE_READ, &ds) != FE_OK ||
	    fe_pci_dma_map(d, other, 0, PAGE, FE_DMA_DEVICE_READ, &dother) != FE_OK ||
	    fe_pci_dma_map(d, target, 0, PAGE, FE_DMA_DEVICE_WRITE, &dt) != FE_OK ||
	    fe_vmo_write(report, 0, &dt, sizeof(dt)) != FE_OK || t0.failed)
		return 3;
	if (!unmap) {
		edu_dma(&e, ds, EDU_BUFFER, EDU_COPY, 0);
		edu_dma_start(&e, EDU_BUFFER, dt + PAGE, EDU_COPY, EDU_DMA_TO_RAM);
	} else {
		edu_dma(&e, ds, EDU_BUFFER, EDU_COPY, 0);
		edu_dma(&e, EDU_BUFFER, dt, EDU_COPY, EDU_DMA_TO_RAM);
		edu_dma(&e, dother, EDU_BUFFER, EDU_COPY, 0);
		if (fe_pci_dma_unmap(d, dt) != FE_OK)
			return 4;
		edu_dma_start(&e, EDU_BUFFER, dt, EDU_COPY, EDU_DMA_TO_RAM);
	}
	/* One call, then no progress: if the kernel does not end us, utest's
	 * watchdog does, and the case fails on the exit reason. */
	if (fe_notif_create(&never) == FE_OK)
		(void)fe_notif_wait(never, 0, &bits);
	return 5;
}

/* What run_stray learns of the child. */
struct stray {
	struct fe_exit_status st;
	uint64_t dt;   /* the device address it gave the parent's page */
	uint64_t koid;
};

/* Runs role pci-dma-stray in `mode` on the edu with the parent's page
 * `target`, until the kernel ends it. False if the case has failed. */
static bool run_stray(struct ut *t, uint32_t addr, const char *mode, fe_handle_t d,
                      fe_handle_t target, struct stray *out)
{
	struct ut_child c = { .role = "pci-dma-stray" };
	fe_handle_t report = edu_pages(t, 1, 0, false), p;
	struct fe_handle_info info = { 0 };
	char arg[32];
	bool ok = false;

	snprintf(arg, sizeof(arg), "%s:%u", mode, addr);
	c.arg = arg;
	c.user[0] = d;
	c.user[1] = target;
	c.user[2] = report;
	if (UT_EXPECT_OK(t, ut_spawn(&c, &p)) && UT_EXPECT_OK(t, fe_handle_info(p, &info)) &&
	    ut_reap(t, p, &out->st))
		ok = UT_EXPECT_OK(t, fe_vmo_read(report, 0, &out->dt, sizeof(out->dt)));
	out->koid = info.koid;
	ut_del(t, report);
	return ok;
}

/* Whether the trace holds the fault: function, device address, reason 5
 * with the write bit (reason | write << 8), and the process it ended. */
static bool fault_traced(struct ut *t, uint32_t addr, uint64_t dev_addr, uint64_t koid)
{
	static struct fe_trace_record recs[TRACE_WINDOW];
	uint64_t n = 0;

	UT_EXPECT_OK(t, fe_trace_read(ut_slot(FE_START_TRACE), recs, TRACE_WINDOW, &n));
	for (uint64_t i = 0; i < n; i++)
		if (recs[i].type == FE_TRACE_IOMMU_FAULT && recs[i].arg[0] == addr &&
		    recs[i].arg[1] == dev_addr && recs[i].arg[2] == (FAULT_WRITE | 1u << 8) &&
		    recs[i].arg[3] == koid)
			return true;
	return false;
}

/* A driver whose device writes where nothing is mapped is ended with
 * FE_EXIT_DMA_FAULT, the address and the reason; the write lands nowhere;
 * the fault is counted and traced; the function is free again and the next
 * driver's DMA works. */
static void wild_dma_ends_the_driver(struct ut *t)
{
	uint32_t addr = confined_edu(t), cmd = 0;
	fe_handle_t root = ut_slot(FE_START_PCI_ROOT), d, target;
	struct stray s = { 0 };
	uint64_t faults;

	if (addr == UINT32_MAX)
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_device_create(root, addr, &d)));
	target = edu_pages(t, 1, 0, false);
	faults = edu_dma_faults(t);
	if (run_stray(t, addr, "wild", d, target, &s)) {
		UT_EXPECT_EQ(t, s.st.reason, FE_EXIT_DMA_FAULT);
		UT_EXPECT_EQ(t, s.st.vector, FAULT_WRITE);
		UT_EXPECT_EQ(t, s.st.address, s.dt + PAGE);
		UT_EXPECT_EQ(t, edu_differing(t, target, 0, PAGE, 0), 0);
		UT_EXPECT_GT(t, edu_dma_faults(t), faults);
		UT_EXPECT(t, fault_traced(t, addr, s.dt + PAGE, s.koid));
	}
	UT_EXPECT_OK(t, fe_pci_config_read(d, addr, FE_PCI_COMMAND, 2, &cmd));
	UT_EXPECT_EQ(t, cmd & FE_PCI_COMMAND_BUS_MASTER, 0);
	round_trip(t, addr, d); /* the next driver: a restart */
	ut_del(t, target);
	ut_del(t, d);
}

/* Once a page is unmapped the device cannot reach it: the copy before the
 * unmap landed, the one after faulted and ended the driver. */
static void unmapped_page_is_out_of_reach(struct ut *t)
{
	uint32_t addr = confined_edu(t);
	fe_handle_t root = ut_slot(FE_START_PCI_ROOT), d, target;
	struct stray s = { 0 };

	if (addr == UINT32_MAX)
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_device_create(root, addr, &d)));
	target = edu_pages(t, 1, 0, false);
	if (run_stray(t, addr, "unmap", d, target, &s)) {
		UT_EXPECT_EQ(t, s.st.reason, FE_EXIT_DMA_FAULT);
		UT_EXPECT_EQ(t, s.st.vector, FAULT_WRITE);
		UT_EXPECT_EQ(t, s.st.address, s.dt);
		UT_EXPECT_EQ(t, edu_differing(t, target, 0, EDU_COPY, EDU_PATTERN), 0);
		UT_EXPECT_EQ(t, edu_differing(t, target, EDU_COPY, PAGE - EDU_COPY, 0), 0);
	}
	ut_del(t, target);
	ut_del(t, d);
}

/* A function nobody has claimed has no domain: even with bus mastering on,
 * its device reaches nothing, not the page it reached while claimed. Its
 * faults are recorded and end nobody. */
static void device_without_a_claim_reaches_nothing(struct ut *t)
{
	uint32_t addr = confined_edu(t);
	fe_handle_t root = ut_slot(FE_START_PCI_ROOT), d, src, target;
	uint64_t ds = 0, dt = 0, faults;
	struct edu e;

	if (addr == UINT32_MAX)
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_device_create(root, addr, &d)));
	src = edu_pages(t, 1, EDU_PATTERN, false);
	target = edu_pages(t, 1, 0, false);
	UT_EXPECT_OK(t, fe_pci_dma_map(d, src, 0, PAGE, FE_DMA_DEVICE_READ, &ds));
	UT_EXPECT_OK(t, fe_pci_dma_map(d, target, 0, PAGE, FE_DMA_DEVICE_WRITE, &dt));
	if (edu_open(t, &e, addr, d, EDU_VA)) {
		edu_dma(&e, ds, EDU_BUFFER, EDU_COPY, 0); /* the buffer holds the pattern */
		UT_EXPECT_OK(t, fe_pci_release(d));      /* bus mastering off, the domain gone */
		UT_EXPECT_OK(t, fe_pci_config_write(d, FE_PCI_COMMAND, 2,
		                                    FE_PCI_COMMAND_MEMORY | FE_PCI_COMMAND_BUS_MASTER));
		faults = edu_dma_faults(t);
		edu_dma(&e, EDU_BUFFER, dt, EDU_COPY, EDU_DMA_TO_RAM);
		edu_dma(&e, ds, EDU_BUFFER, EDU_COPY, 0);
		UT_EXPECT_EQ(t, edu_dma_faults(t), faults + 2);
		UT_EXPECT_EQ(t, edu_differing(t, target, 0, PAGE, 0), 0);
		UT_EXPECT_OK(t, fe_pci_config_write(d, FE_PCI_COMMAND, 2, 0));
		edu_close(t, &e);
	}
	UT_EXPECT_STATUS(t, fe_pci_release(d), FE_ERR_BAD_STATE);
	ut_del(t, src);
	ut_del(t, target);
	ut_del(t, d);
}

UT_SUITE(iommu,
	UT_CASE(device_addresses_are_the_domains),
	UT_CASE(wild_dma_ends_the_driver),
	UT_CASE(unmapped_page_is_out_of_reach),
	UT_CASE(device_without_a_claim_reaches_nothing));
