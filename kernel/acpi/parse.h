/* SPDX-License-Identifier: MIT */
/*
 * Internal to kernel/acpi: what the table parsers share. Table bytes have
 * no alignment, so every multi-byte field is copied out, never dereferenced
 * in place. A parser gets a table whose length and checksum acpi.c has
 * already checked (t[0, len) is readable) and records what it finds, and
 * every problem as an ACPI_WARN_* bit, in *out.
 */
#ifndef FERROUS_ACPI_PARSE_H
#define FERROUS_ACPI_PARSE_H

#include <stdint.h>

#include "acpi.h"

static inline uint16_t acpi_rd16(const uint8_t *p)
{
	uint16_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t acpi_rd32(const uint8_t *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t acpi_rd64(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

/* The DMA remapping table (dmar.c). */
void acpi_dmar_parse(const uint8_t *t, uint32_t len, struct acpi_info *out);

#endif /* FERROUS_ACPI_PARSE_H */
