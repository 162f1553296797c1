/* SPDX-License-Identifier: MIT */
/*
 * SAFETY: an MSI-X table is a device's MMIO (16 bytes an entry: address
 * low, address high, data, vector control), mapped uncached once by
 * msix_table_map over exactly the entries the device reports; every access
 * is one aligned 32-bit volatile load or store inside that mapping, as the
 * PCI specification requires. An entry is masked while it changes so the
 * device never sends a half-written message.
 */
#include <arch/pci_msi.h>

#include "mm/vmap.h"

#define MSI_ADDRESS_BASE 0xfee00000u
#define MSI_DEST_SHIFT 12
#define MSIX_ENTRY_WORDS 4u
#define MSIX_ADDR_LO 0u
#define MSIX_ADDR_HI 1u
#define MSIX_DATA 2u
#define MSIX_CTRL 3u
#define MSIX_CTRL_MASKED 1u

void arch_msi_message(unsigned vector, uint32_t apic_id, uint64_t *addr, uint32_t *data)
{
	*addr = MSI_ADDRESS_BASE | ((uint64_t)(apic_id & 0xffu) << MSI_DEST_SHIFT);
	*data = vector & 0xffu; /* fixed delivery, edge */
}

fe_status_t msix_table_map(uint64_t phys, uint32_t entries, struct msix_table **table)
{
	void *va;
	fe_status_t st = vmap_mmio(phys, (uint64_t)entries * MSIX_ENTRY_WORDS * 4, &va);

	if (st == FE_OK)
		*table = va;
	return st;
}

static volatile uint32_t *entry(struct msix_table *table, uint32_t i)
{
	return (volatile uint32_t *)(void *)table + i * MSIX_ENTRY_WORDS;
}

void msix_entry_mask(struct msix_table *table, uint32_t i)
{
	volatile uint32_t *e = entry(table, i);

	e[MSIX_CTRL] = e[MSIX_CTRL] | MSIX_CTRL_MASKED;
}

void msix_entry_write(struct msix_table *table, uint32_t i, uint64_t addr, uint32_t data,
                      bool masked)
{
	volatile uint32_t *e = entry(table, i);

	msix_entry_mask(table, i);
	e[MSIX_ADDR_LO] = (uint32_t)addr;
	e[MSIX_ADDR_HI] = (uint32_t)(addr >> 32);
	e[MSIX_DATA] = data;
	if (!masked)
		e[MSIX_CTRL] = e[MSIX_CTRL] & ~MSIX_CTRL_MASKED;
}
