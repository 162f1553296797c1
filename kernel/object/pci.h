/* SPDX-License-Identifier: MIT */
/*
 * PCI capabilities (docs/adr/0011-user-space-drivers.md, decision 2).
 *
 * `pci-root` (one, for the root task) reads any function's configuration
 * space and mints `pci-device` capabilities; a `pci-device` names one
 * function and allows only what cannot reach beyond it (pci/config.h).
 *
 * The kernel keeps one record per function a capability was ever made for
 * (struct pci_function, a fixed table): its BARs, sized once with decoding
 * off before the first capability for it exists (so no driver is using the
 * device while its BARs read back as masks), and the capabilities the
 * kernel owns. Later steps hang the function's interrupt bindings and IOMMU
 * domain there, which is why it outlives any one capability.
 */
#ifndef FERROUS_OBJECT_PCI_H
#define FERROUS_OBJECT_PCI_H

#include <stdint.h>

#include <ferrous/errors.h>
#include <ferrous/pci.h>

#include <arch/iommu.h>

#include "acpi/acpi.h"
#include "cap/cspace.h"
#include "lib/list.h"
#include "object/kobj.h"
#include "pci/config.h"
#include "pci/dmar_scope.h"

/* The most functions capabilities can be made for; q35 with every device
 * this project uses has about a dozen. */
#define PCI_MAX_FUNCTIONS 64u

/* The most interrupt vectors one function may have bound at once. */
#define PCI_MAX_VECTORS 8u

struct budget;
struct ecam_cfg;
struct msix_table;
struct notification;
struct process;

/* One MSI or MSI-X message bound to a notification bit. */
struct pci_vector {
	struct notification *notif; /* referenced; NULL: not bound */
	uint64_t bit;
	unsigned vector;            /* the IDT vector */
	uint64_t count;             /* interrupts delivered */
	struct pci_function *fn;
	struct cap_dep via_notif;   /* CAP_DEP_PCI_IRQ_NOTIF: revoking the notification unbinds */
};

struct pci_function {
	uint32_t addr;            /* FE_PCI_ADDR */
	uint16_t index;           /* in the function table: its IOMMU domain id is index + 1 */
	struct ecam_cfg *cfg;     /* its ECAM page */
	uint16_t vendor, device;
	struct pci_bar bars[FE_PCI_BARS];
	struct pci_owned_caps owned;
	/*
	 * The claim (ADR 0011, decision 5): the process driving the function,
	 * set by its first interrupt binding or DMA mapping, and the device
	 * capability that was made through. It ends when that process ends or
	 * that capability is revoked, and ending it quiesces the device
	 * (pci_claim.c): bus mastering off first, then the vectors unbound and
	 * the DMA mappings dropped, so no page is let go while the device can
	 * still reach it.
	 */
	struct process *owner;    /* not referenced: the claim ends with it */
	struct cap_dep claim_via; /* CAP_DEP_PCI_CLAIM */
	struct list_head dma;     /* struct dma_map: the owner's mappings, by device address */
	/*
	 * DMA confinement (pci_dma.c). With an IOMMU unit covering the
	 * function, its device reaches only its domain, which exists while
	 * the function is claimed and something was mapped (domain.pt.root !=
	 * 0), its tables charged to domain_budget; without one, the device
	 * address is the physical one and nothing confines it.
	 */
	uint32_t iommu_unit;      /* PCI_DMAR_NO_UNIT: DMA unconfined */
	struct iommu_domain domain;
	struct budget *domain_budget; /* referenced while the domain exists */
	uint64_t dma_faults;      /* IOMMU faults its device caused */
	struct pci_vector vectors[PCI_MAX_VECTORS]; /* index = MSI-X entry (MSI: 0) */
	struct msix_table *msix_table; /* mapped on first MSI-X binding */
	uint32_t msix_entries;
};

struct pci_device {
	struct kobj obj;
	struct pci_function *fn;
};

/* Maps ECAM (arch/pci_ecam.h) and says what it found. */
void pci_init(const struct acpi_info *acpi);
void pci_init_cache(void);

/* The root capability's object (a reference), or NULL without ECAM. */
struct kobj *pci_root_object(void);

/* Reads configuration space: FE_ERR_NOT_FOUND outside every ECAM window,
 * FE_ERR_INVALID_ARG for a malformed access. An absent function reads as
 * all ones, as on the bus. */
fe_status_t pci_config_read(uint32_t addr, uint32_t off, uint64_t width, uint32_t *out);

/* A pci-device object for `addr`, charged to b: FE_ERR_NOT_FOUND (no window
 * or no function there), FE_ERR_UNSUPPORTED (a bridge: class 06 or a type-1
 * header), FE_ERR_NO_RESOURCES (the function table is full). */
fe_status_t pci_device_create(struct budget *b, uint32_t addr, struct pci_device **out);

/* A driver's write through its device capability (pci_config_write_filter). */
fe_status_t pci_device_config_write(struct pci_device *d, uint32_t off, uint64_t width,
                                    uint32_t value);

/* A capability object for BAR `index` (an mmio or ioport object charged to
 * b; obj NULL: none, only the info) and what it is. Errors: FE_ERR_INVALID_ARG (index >= 6),
 * FE_ERR_NOT_FOUND (not implemented, or the upper half of a 64-bit BAR),
 * the BAR's decode error (pci/config.h), or FE_ERR_UNSUPPORTED for a memory
 * BAR smaller than a page or not page aligned (mapping it would expose a
 * neighbour's registers). */
fe_status_t pci_device_bar(struct pci_device *d, struct budget *b, unsigned index,
                           struct kobj **obj, struct fe_pci_bar_info *info);

/* ---- pci_claim.c: who drives a function; DMA; interrupts ---- */

/* FE_ERR_BUSY if a process other than p holds fn's claim. A call checks
 * this first and claims only once it has succeeded (whole or not at all). */
fe_status_t pci_claim_check(const struct pci_function *fn, const struct process *p);
/* Claims fn for p through device capability `via`, unless p holds it. */
void pci_claim(struct pci_function *fn, struct cap *via, struct process *p);
/* Ends p's claim on fn (FE_ERR_BAD_STATE if p holds none), quiescing it. */
fe_status_t pci_release(struct pci_function *fn, struct process *p);
/* Ends every claim p holds (p is ending). */
void pci_release_process(struct process *p);
/* Revoke reached a claim or a vector's notification (a detached dependent). */
void pci_claim_revoke(struct cap_dep *d);

/*
 * Makes [offset, offset + len) of vmo (page aligned, at most FE_DMA_MAP_MAX)
 * reachable by the device, readable and/or writable as `flags`
 * (FE_DMA_DEVICE_*) say, and returns the address the device must use. With
 * an IOMMU that is an address in the function's own domain, the pages need
 * not be contiguous, and the kernel's structures are charged to b; without
 * one it is the physical address and the range must be physically
 * contiguous (FE_ERR_UNSUPPORTED otherwise; FE_VMO_CONTIGUOUS makes it so),
 * and the device may write it whatever the flags. The mapping holds a
 * reference on the VMO, so its pages stay until the mapping is removed.
 */
fe_status_t pci_dma_map(struct pci_function *fn, struct budget *b, struct kobj *vmo,
                        uint64_t offset, uint64_t len, unsigned flags, uint64_t *device_addr);
/* Removes the mapping at device_addr; with an IOMMU, returns once the
 * device can no longer reach it, and only then lets the VMO go. */
fe_status_t pci_dma_unmap(struct pci_function *fn, uint64_t device_addr);

/* Binds MSI-X entry `index` (or, without MSI-X, the MSI message: index 0)
 * to `bit` of notification capability `notif_cap`. */
fe_status_t pci_irq_bind(struct pci_function *fn, unsigned index, struct cap *notif_cap,
                         unsigned bit);

/* Reads fn's configuration space (a pci_config_read_fn, ctx = fn). */
uint32_t pci_function_read(void *fn, uint32_t off, unsigned width);

/* The function records, for the claim code: the i-th, or NULL past the last. */
struct pci_function *pci_function_at(uint32_t i);
/* The record for addr, or NULL if no capability was ever made for it. */
struct pci_function *pci_function_find(uint32_t addr);

/* ---- pci_dma.c: the memory a device reaches ---- */

void pci_dma_init_cache(void);
/* Starts the IOMMU units the DMAR names; returns how many translate. */
uint32_t pci_dma_init(const struct acpi_info *acpi);
/* The unit covering function addr, or PCI_DMAR_NO_UNIT (said once, at the
 * function's record, when IOMMUs are in use but none covers it). */
uint32_t pci_dma_unit_of(uint32_t addr);
/* Drops every mapping of fn (its claim is ending; bus mastering is off):
 * the domain goes first, and waits for the unit, then the VMOs. */
void pci_dma_release_all(struct pci_function *fn);
/* IOMMU units in use (0: DMA unconfined) and the faults they reported. */
uint32_t pci_dma_iommu_units(void);
uint64_t pci_dma_fault_count(void);

#endif /* FERROUS_OBJECT_PCI_H */
