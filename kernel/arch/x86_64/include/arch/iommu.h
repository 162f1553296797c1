/* SPDX-License-Identifier: MIT */
/*
 * Intel VT-d DMA remapping, legacy (root-table) mode, for the units the
 * ACPI DMAR names (ADR 0011, decision 3).
 *
 * Once a unit translates, a function with no context entry has no access to
 * memory at all: each of its requests faults. A function gets an entry only
 * while a driver holds a claim on it and has mapped something: its domain,
 * a second-level page table of its own (3 or 4 levels, as the unit's SAGAW
 * allows) holding exactly the pages its driver mapped. Removing entries
 * (unmap, detach) returns only once the unit has invalidated its caches and
 * drained the DMA in flight, so the caller may then reuse the pages.
 *
 * Every call but arch_iommu_init is made with the big lock held; the fault
 * interrupt takes it like every interrupt.
 */
#ifndef FERROUS_ARCH_IOMMU_H
#define FERROUS_ARCH_IOMMU_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/paging.h>
#include <ferrous/errors.h>

#include "acpi/acpi.h"

#define IOMMU_READ 1u  /* the device may read the page */
#define IOMMU_WRITE 2u /* the device may write it */

/* A second-level page table (vtd_pt.c). Its tables come from alloc, which
 * hands out zeroed frames. */
struct iommu_pt {
	uint64_t root;         /* top table, physical; 0: none */
	uint8_t levels;        /* 3 (39-bit addresses) or 4 (48-bit) */
	bool coherent;         /* the unit snoops caches: no flush after a store */
	struct pt_alloc alloc;
	uint64_t tables;       /* frames held, the top one included */
};

/* One PCI function's I/O address space. */
struct iommu_domain {
	struct iommu_pt pt;    /* pt.root 0: not attached */
	uint32_t unit;         /* index of its unit (the DMAR's DRHD order) */
	uint32_t pci_addr;     /* FE_PCI_ADDR of its one function */
	uint16_t did;          /* domain id, nonzero */
};

/* One fault record, as the fault interrupt read it. */
struct iommu_fault {
	uint32_t unit;
	uint16_t segment;
	uint16_t source;       /* requester id: bus << 8 | device << 3 | function */
	uint64_t address;      /* the faulting DMA address, rounded down to its page */
	uint8_t reason;        /* the VT-d fault reason (IOMMU_FAULT_*) */
	bool write;
};

/* Fault reasons we name (VT-d specification, appendix A). */
#define IOMMU_FAULT_CONTEXT_ABSENT 0x2u /* the function has no context entry */
#define IOMMU_FAULT_BEYOND_WIDTH 0x4u   /* an address past the domain's width */
#define IOMMU_FAULT_WRITE 0x5u          /* a write to a page not mapped writable */
#define IOMMU_FAULT_READ 0x6u           /* a read of a page not mapped readable */

/*
 * Starts every unit the DMAR names: root table, fault interrupt, caches
 * invalidated, translation on. A unit that cannot be started (its registers
 * unreadable, no page-table depth we support, no memory) is left off and
 * said so. Returns how many units translate. At boot, before other CPUs run.
 */
uint32_t arch_iommu_init(const struct acpi_dmar *dmar);

/* True if unit `unit` translates (so its functions reach only their domains). */
bool arch_iommu_unit_active(uint32_t unit);

/*
 * Makes d the domain of function pci_addr on unit `unit`, with domain id
 * did: an empty page table (its frames from alloc) and a context entry
 * pointing at it. FE_ERR_NO_RESOURCES (did out of the unit's range, or the
 * unit off), FE_ERR_NO_MEMORY; nothing changes on error.
 */
fe_status_t arch_iommu_attach(struct iommu_domain *d, uint32_t unit, uint32_t pci_addr,
                              uint16_t did, const struct pt_alloc *alloc);

/*
 * Maps n pages (physical addresses pages[0..n)) at consecutive 4 KiB pages
 * from iova (page aligned), with IOMMU_READ / IOMMU_WRITE. FE_ERR_EXISTS if
 * one is mapped already, FE_ERR_OUT_OF_RANGE past the domain's width,
 * FE_ERR_NO_MEMORY; on error nothing new stays mapped.
 */
fe_status_t arch_iommu_map(struct iommu_domain *d, uint64_t iova, const uint64_t *pages,
                           uint64_t n, unsigned perms);

/* Unmaps n pages from iova (each mapped by arch_iommu_map), then
 * invalidates the unit's IOTLB for d and waits: on return the device
 * reaches none of them. */
void arch_iommu_unmap(struct iommu_domain *d, uint64_t iova, uint64_t n);

/* Removes d's context entry, invalidates and waits (the function reaches
 * nothing from here on), then frees d's tables. */
void arch_iommu_detach(struct iommu_domain *d);

/* Defined by the PCI code (object/pci_dma.c): the fault interrupt reports
 * each record through it, with the big lock held. */
void iommu_fault_report(const struct iommu_fault *f);

/* ---- second-level page tables alone (vtd_pt.c; the unit code and its tests) ---- */

/* An empty table of `levels` (3 or 4): FE_ERR_NO_MEMORY, FE_ERR_INVALID_ARG. */
fe_status_t iommu_pt_init(struct iommu_pt *pt, unsigned levels, bool coherent,
                          const struct pt_alloc *alloc);
/* One 4 KiB page: FE_ERR_EXISTS, FE_ERR_OUT_OF_RANGE, FE_ERR_NO_MEMORY,
 * FE_ERR_INVALID_ARG (unaligned, or perms without READ or WRITE). */
fe_status_t iommu_pt_map(struct iommu_pt *pt, uint64_t iova, uint64_t phys, unsigned perms);
/* FE_ERR_NOT_FOUND if the page is not mapped. Does not invalidate. */
fe_status_t iommu_pt_unmap(struct iommu_pt *pt, uint64_t iova);
fe_status_t iommu_pt_query(const struct iommu_pt *pt, uint64_t iova, uint64_t *phys,
                           unsigned *perms);
/* Frees every table; the caller has made sure no unit walks it any more. */
void iommu_pt_destroy(struct iommu_pt *pt);
/* The first address past what a table of `levels` translates. */
uint64_t iommu_pt_limit(unsigned levels);
/* Writes [p, p + len) back from the CPU caches, for a unit that does not
 * snoop them; ordered before any later store (a register write). */
void iommu_flush_lines(const void *p, uint64_t len);

#endif /* FERROUS_ARCH_IOMMU_H */
