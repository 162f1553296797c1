/* SPDX-License-Identifier: MIT */
/*
 * Message-signalled interrupts on x86: the address/data pair a device writes
 * to raise `vector` on a local APIC, and the MSI-X table in a BAR.
 */
#ifndef FERROUS_ARCH_PCI_MSI_H
#define FERROUS_ARCH_PCI_MSI_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/errors.h>

/* Fixed delivery, edge-triggered, physical destination `apic_id`. */
void arch_msi_message(unsigned vector, uint32_t apic_id, uint64_t *addr, uint32_t *data);

/* A device's MSI-X table: opaque outside kernel/arch/. */
struct msix_table;

/* Maps `entries` MSI-X table entries at physical `phys` (uncached, never unmapped). */
fe_status_t msix_table_map(uint64_t phys, uint32_t entries, struct msix_table **table);
/* Writes entry i: masked while the address and data change, then as `masked` says. */
void msix_entry_write(struct msix_table *table, uint32_t i, uint64_t addr, uint32_t data,
                      bool masked);
void msix_entry_mask(struct msix_table *table, uint32_t i);

#endif /* FERROUS_ARCH_PCI_MSI_H */
