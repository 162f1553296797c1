/* SPDX-License-Identifier: MIT */
/* The machine as firmware describes it: ACPI tables parsed once at boot. */
#ifndef FERROUS_CORE_PLATFORM_H
#define FERROUS_CORE_PLATFORM_H

#include <ferrous/boot_info.h>

#include "acpi/acpi.h"

/* Parses ACPI from the RSDP the loader found; panics without usable tables
 * (Ferrous needs the MADT to find its interrupt controllers). */
void platform_init(const struct fe_boot_info *bi);

/* The parsed tables; valid after platform_init, read-only. */
const struct acpi_info *platform_acpi(void);

#endif /* FERROUS_CORE_PLATFORM_H */
