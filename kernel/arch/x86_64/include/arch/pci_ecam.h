/* SPDX-License-Identifier: MIT */
/*
 * PCI Express configuration space through ECAM (the MCFG windows): each
 * function's 4 KiB, mapped uncached once at boot, reached only through
 * naturally aligned loads and stores of 1, 2 or 4 bytes.
 */
#ifndef FERROUS_ARCH_PCI_ECAM_H
#define FERROUS_ARCH_PCI_ECAM_H

#include <stdint.h>

#include <ferrous/errors.h>

#include "acpi/acpi.h"

/* Maps every MCFG window; one that cannot be mapped is left out and said so.
 * Returns how many windows are usable. */
uint32_t ecam_init(const struct acpi_info *acpi);

/* One function's configuration space: opaque outside kernel/arch/, reached
 * only through ecam_read and ecam_write. */
struct ecam_cfg;

/* A function's configuration space (FE_PCI_ADDR), or NULL if no window
 * covers it. */
struct ecam_cfg *ecam_function(uint32_t addr);

/* `off` must be below 4096 and a multiple of `width` (1, 2 or 4); callers
 * check (pci_config_access_ok). */
uint32_t ecam_read(struct ecam_cfg *cfg, uint32_t off, unsigned width);
void ecam_write(struct ecam_cfg *cfg, uint32_t off, unsigned width, uint32_t value);

#endif /* FERROUS_ARCH_PCI_ECAM_H */
