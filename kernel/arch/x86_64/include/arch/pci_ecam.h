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

/* A function's configuration space (FE_PCI_ADDR), or NULL if no window
 * covers it. */
volatile uint8_t *ecam_function(uint32_t addr);

/* `off` must be below 4096 and a multiple of `width` (1, 2 or 4); callers
 * check (pci_config_access_ok). */
uint32_t ecam_read(volatile uint8_t *cfg, uint32_t off, unsigned width);
void ecam_write(volatile uint8_t *cfg, uint32_t off, unsigned width, uint32_t value);

#endif /* FERROUS_ARCH_PCI_ECAM_H */
