/* SPDX-License-Identifier: MIT */
/* QEMU's edu device for the DMA suites (edu.h). */
#include <fe/pci.h>

#include "edu.h"

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8

static void match_edu(const struct fe_pci_function *f, void *ctx)
{
	uint32_t *addr = ctx;

	if (f->vendor == EDU_VENDOR && f->device == EDU_DEVICE && *addr == UINT32_MAX)
		*addr = f->addr;
}

uint32_t edu_find(struct ut *t)
{
	fe_handle_t root = ut_slot(FE_START_PCI_ROOT);
	uint32_t addr = UINT32_MAX;

	if (root != FE_HANDLE_INVALID)
		UT_EXPECT_OK(t, fe_pci_enumerate(root, match_edu, &addr));
	if (addr == UINT32_MAX)
		ut_skip(t, "no edu device (scenarios dma and dma-iommu add one)");
	return addr;
}

void edu_wr32(struct edu *e, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(e->regs + off) = v;
}

uint32_t edu_rd32(struct edu *e, uint32_t off)
{
	return *(volatile uint32_t *)(e->regs + off);
}

static void wr64(struct edu *e, uint32_t off, uint64_t v)
{
	*(volatile uint64_t *)(e->regs + off) = v;
}

bool edu_open(struct ut *t, struct edu *e, uint32_t addr, fe_handle_t dev, uint64_t va)
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

void edu_close(struct ut *t, struct edu *e)
{
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, (uint64_t)(uintptr_t)e->regs, EDU_BAR_SIZE));
	ut_del(t, e->bar);
}

void edu_dma_start(struct edu *e, uint64_t src, uint64_t dst, uint32_t count, uint32_t cmd)
{
	wr64(e, EDU_DMA_SRC, src);
	wr64(e, EDU_DMA_DST, dst);
	wr64(e, EDU_DMA_COUNT, count);
	wr64(e, EDU_DMA_CMD, cmd | EDU_DMA_START);
}

void edu_dma(struct edu *e, uint64_t src, uint64_t dst, uint32_t count, uint32_t cmd)
{
	edu_dma_start(e, src, dst, count, cmd);
	UT_WAIT_UNTIL((edu_rd32(e, EDU_DMA_CMD) & EDU_DMA_START) == 0);
}

fe_handle_t edu_pages(struct ut *t, size_t pages, uint8_t fill, bool contiguous)
{
	static uint8_t buf[PAGE];
	fe_handle_t v = FE_HANDLE_INVALID;

	UT_EXPECT_OK(t, fe_vmo_create_flags(pages * PAGE, contiguous ? FE_VMO_CONTIGUOUS : 0, &v));
	memset(buf, fill, sizeof(buf));
	for (size_t i = 0; i < pages; i++)
		UT_EXPECT_OK(t, fe_vmo_write(v, i * PAGE, buf, sizeof(buf)));
	return v;
}

unsigned edu_differing(struct ut *t, fe_handle_t v, size_t off, size_t len, uint8_t fill)
{
	static uint8_t buf[2 * PAGE];
	unsigned n = 0;

	if (!UT_EXPECT(t, off + len <= sizeof(buf)))
		return ~0u;
	UT_EXPECT_OK(t, fe_vmo_read(v, off, buf, len));
	for (size_t i = 0; i < len; i++)
		n += buf[i] != fill;
	return n;
}

static struct fe_kernel_stats stats(struct ut *t)
{
	struct fe_kernel_stats ks = { 0 };

	UT_EXPECT_OK(t, fe_kernel_stats(ut_slot(FE_START_TRACE), &ks));
	return ks;
}

uint64_t edu_iommu_units(struct ut *t)
{
	return stats(t).iommu_units;
}

uint64_t edu_dma_faults(struct ut *t)
{
	return stats(t).dma_faults;
}
