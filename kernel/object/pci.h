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

#include "acpi/acpi.h"
#include "object/kobj.h"
#include "pci/config.h"

/* The most functions capabilities can be made for; q35 with every device
 * this project uses has about a dozen. */
#define PCI_MAX_FUNCTIONS 64u

struct pci_function {
	uint32_t addr;            /* FE_PCI_ADDR */
	volatile uint8_t *cfg;    /* its ECAM page */
	uint16_t vendor, device;
	struct pci_bar bars[FE_PCI_BARS];
	struct pci_owned_caps owned;
};

struct pci_device {
	struct kobj obj;
	struct pci_function *fn;
};

struct budget;

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
 * b) and what it is. Errors: FE_ERR_INVALID_ARG (index >= 6),
 * FE_ERR_NOT_FOUND (not implemented, or the upper half of a 64-bit BAR),
 * the BAR's decode error (pci/config.h), or FE_ERR_UNSUPPORTED for a memory
 * BAR smaller than a page or not page aligned (mapping it would expose a
 * neighbour's registers). */
fe_status_t pci_device_bar(struct pci_device *d, struct budget *b, unsigned index,
                           struct kobj **obj, struct fe_pci_bar_info *info);

#endif /* FERROUS_OBJECT_PCI_H */
