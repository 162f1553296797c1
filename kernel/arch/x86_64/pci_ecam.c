/* SPDX-License-Identifier: MIT */
/*
 * SAFETY: each window is an uncached kernel mapping of exactly the MCFG
 * range (one MiB per bus), made once at boot and never unmapped; a function's
 * pointer is inside its window, and every access is one naturally aligned
 * volatile load or store of the requested width, which is what ECAM
 * requires (a wider or split access could reach a neighbouring register).
 */
#include <arch/pci_ecam.h>

#include <ferrous/pci.h>

#include "core/log.h"
#include "core/panic.h"
#include "mm/vmap.h"

#define ECAM_BUS_SHIFT 20
#define ECAM_FN_SHIFT 12

struct ecam_window {
	struct acpi_ecam w;
	volatile uint8_t *va;
};

/* Set at boot, read-only afterwards. */
static struct ecam_window windows[ACPI_MAX_ECAM];
static uint32_t nwindows;

uint32_t ecam_init(const struct acpi_info *acpi)
{
	for (uint32_t i = 0; i < acpi->necam; i++) {
		const struct acpi_ecam *w = &acpi->ecam[i];
		uint64_t size = ((uint64_t)w->bus_end - w->bus_start + 1) << ECAM_BUS_SHIFT;
		void *va;
		fe_status_t st = vmap_mmio(w->base, size, &va);
		if (st != FE_OK) {
			pr_warn("pci: cannot map ECAM for segment %u at %#llx (%s); its devices are "
			        "out of reach\n", w->segment, (unsigned long long)w->base,
			        fe_status_name(st));
			continue;
		}
		windows[nwindows++] = (struct ecam_window){ .w = *w, .va = va };
	}
	return nwindows;
}

struct ecam_cfg *ecam_function(uint32_t addr)
{
	uint32_t seg = FE_PCI_SEG(addr), bus = FE_PCI_BUS(addr);

	for (uint32_t i = 0; i < nwindows; i++) {
		const struct ecam_window *e = &windows[i];
		if (e->w.segment != seg || bus < e->w.bus_start || bus > e->w.bus_end)
			continue;
		uint64_t off = ((uint64_t)(bus - e->w.bus_start) << ECAM_BUS_SHIFT) |
		               ((uint64_t)(addr & 0xffu) << ECAM_FN_SHIFT);
		return (struct ecam_cfg *)(uintptr_t)(e->va + off);
	}
	return NULL;
}

static void check_access(uint32_t off, unsigned width)
{
	if ((width != 1 && width != 2 && width != 4) || off >= FE_PCI_CONFIG_SIZE || off % width)
		panic("ecam: access of %u bytes at %#x: callers must check", width, off);
}

uint32_t ecam_read(struct ecam_cfg *fn, uint32_t off, unsigned width)
{
	volatile uint8_t *cfg = (volatile uint8_t *)fn;

	check_access(off, width);
	if (width == 1)
		return cfg[off];
	if (width == 2)
		return *(volatile uint16_t *)(cfg + off);
	return *(volatile uint32_t *)(cfg + off);
}

void ecam_write(struct ecam_cfg *fn, uint32_t off, unsigned width, uint32_t value)
{
	volatile uint8_t *cfg = (volatile uint8_t *)fn;

	check_access(off, width);
	if (width == 1)
		cfg[off] = (uint8_t)value;
	else if (width == 2)
		*(volatile uint16_t *)(cfg + off) = (uint16_t)value;
	else
		*(volatile uint32_t *)(cfg + off) = value;
}
