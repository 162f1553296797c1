/* SPDX-License-Identifier: MIT */
/*
 * Finding PCI functions through a pci-root capability (ferrous/pci.h): what
 * the bus service and the console's `pci` command use.
 */
#ifndef FE_PCI_H
#define FE_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/errors.h>
#include <ferrous/handle.h>
#include <ferrous/pci.h>

struct fe_pci_function {
	uint32_t addr;               /* FE_PCI_ADDR */
	uint16_t vendor, device;
	uint8_t class, subclass, prog_if, revision;
	uint8_t header_type;         /* layout, without the multi-function bit */
};

typedef void (*fe_pci_visit_fn)(const struct fe_pci_function *f, void *ctx);

/*
 * Calls visit for every function of segment 0, bus 0 first, then the buses
 * behind each PCI-to-PCI bridge (each bus once, however the bridges are
 * programmed). Returns FE_OK, or the first error reading configuration
 * space other than FE_ERR_NOT_FOUND (a bus no ECAM window covers is empty).
 */
fe_status_t fe_pci_enumerate(fe_handle_t root, fe_pci_visit_fn visit, void *ctx);

/*
 * Whether an IOMMU translates the DMA of the function `dev` (a pci-device
 * capability) into *translated. The kernel's own answer: it refuses a
 * mapping for a device that bypasses translation (FE_DMA_PHYSICAL) with
 * FE_ERR_UNSUPPORTED exactly where a unit translates for the function, so
 * one such mapping of a scratch page asks it; where it succeeds (nothing
 * translates) it is undone at once, but it has claimed the function, as
 * any mapping does. Errors: the claim's (FE_ERR_BUSY: another process
 * holds the function) and memory's.
 */
fe_status_t fe_pci_dma_translated(fe_handle_t dev, bool *translated);

/* A short name for a class code ("mass storage", "bridge", ...); never NULL. */
const char *fe_pci_class_name(uint8_t class);

#endif /* FE_PCI_H */
