/* SPDX-License-Identifier: MIT */
/* I/O APICs: route global system interrupts (GSIs) to CPU vectors. */
#ifndef FERROUS_ARCH_IOAPIC_H
#define FERROUS_ARCH_IOAPIC_H

#include <stdint.h>

#include <ferrous/errors.h>

struct acpi_info;

/* Maps every I/O APIC the MADT lists and masks all their inputs. */
fe_status_t ioapic_init(const struct acpi_info *acpi);

/* Sends `gsi` to `vector` on the CPU with APIC id `dest`, with the polarity
 * and trigger mode in `inti_flags` (ACPI_INTI_*), and unmasks it.
 * FE_ERR_NOT_FOUND if no I/O APIC serves the GSI. */
fe_status_t ioapic_route(uint32_t gsi, unsigned vector, uint32_t dest, uint16_t inti_flags);
fe_status_t ioapic_mask(uint32_t gsi);

/* Number of inputs over all I/O APICs. */
uint32_t ioapic_input_count(void);

#endif /* FERROUS_ARCH_IOAPIC_H */
