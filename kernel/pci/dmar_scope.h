/* SPDX-License-Identifier: MIT */
/*
 * Which IOMMU unit translates a PCI function's DMA, from the DMAR's device
 * scopes (VT-d specification 8.3.1 and 8.3.2): the unit one of whose scopes
 * names the function (an endpoint whose path leads to it, or a bridge it is
 * behind), else its segment's INCLUDE_PCI_ALL unit, else none.
 *
 * Pure code over the parsed table and bridge registers read through the
 * caller's function (host-tested): a path hop that does not lead through a
 * bridge, or a bridge whose bus numbers make no sense, names nothing. A
 * function no unit covers is one whose DMA the kernel cannot confine.
 */
#ifndef FERROUS_PCI_DMAR_SCOPE_H
#define FERROUS_PCI_DMAR_SCOPE_H

#include <stdint.h>

#include <ferrous/pci.h>

#include "acpi/acpi.h"

#define PCI_DMAR_NO_UNIT UINT32_MAX

/* Reads `width` bytes at `off` of function `addr` (FE_PCI_ADDR); an absent
 * function reads as all ones. */
typedef uint32_t (*pci_dmar_read_fn)(void *ctx, uint32_t addr, uint32_t off, unsigned width);

/* The index in d->drhd of the unit covering `addr`, or PCI_DMAR_NO_UNIT. */
uint32_t pci_dmar_unit(const struct acpi_dmar *d, uint32_t addr, pci_dmar_read_fn read,
                       void *ctx);

#endif /* FERROUS_PCI_DMAR_SCOPE_H */
