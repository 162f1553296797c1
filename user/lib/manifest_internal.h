/* SPDX-License-Identifier: MIT */
/*
 * The pieces of the manifest parser (fe/manifest.h), shared by its files:
 * manifest.c reads lines, stanzas and keys; manifest_value.c the shape of
 * each value, one word at a time; manifest_order.c the start order.
 */
#ifndef FE_MANIFEST_INTERNAL_H
#define FE_MANIFEST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <fe/manifest.h>

#include "string.h"

/*
 * A word of the text: p[0, len), len >= 1, inside the text, holding only
 * bytes 0x21..0x7e other than '#' (manifest.c checks every line before it
 * splits it). Not NUL-terminated.
 */
struct word {
	const char *p;
	size_t len;
};

static inline bool word_is(struct word w, const char *lit)
{
	size_t n = strlen(lit);

	return w.len == n && memcmp(w.p, lit, n) == 0;
}

/* ---- values (manifest_value.c): true if w has the shape, and then the value ---- */

/* [a-z][a-z0-9-]*; the length is the caller's to check. */
bool manifest_name_ok(struct word w);
/* A relative ramdisk path: components of [A-Za-z0-9._+-] between single
 * '/', none "." or ".."; the length is the caller's to check. */
bool manifest_path_ok(struct word w);
/* Decimal digits only, value at most max (max < UINT64_MAX / 10). */
bool manifest_number(struct word w, uint64_t max, uint64_t *out);
/* A whole number and us, ms or s: (0, FE_MANIFEST_DURATION_MAX] ns. */
bool manifest_duration(struct word w, uint64_t *ns);
/* "VVVV:DDDD", four hex digits each, vendor not ffff: sets d's kind, vendor, device. */
bool manifest_pci_id(struct word w, struct fe_manifest_device *d);
/* "CC:SS" or "CC:SS:PP", two hex digits each: sets d's kind and class fields. */
bool manifest_pci_class(struct word w, struct fe_manifest_device *d);
/* A whole number and KiB, MiB or GiB, in [FE_MANIFEST_BUDGET_MIN, FE_MANIFEST_BUDGET_MAX]. */
bool manifest_size(struct word w, uint64_t *bytes);
/* The capability named w, or FE_MANIFEST_CAP_COUNT. */
enum fe_manifest_cap manifest_cap_find(struct word w);
/* Every capability name, for messages: "console, initrd, ...". */
#define MANIFEST_CAP_LIST "console, initrd, trace, ioport-com1, irq-com1, hpet, pci-root, supervisor, ioport-com2"

/* ---- order (manifest_order.c) ---- */

/*
 * Fills m->start_order with every service after all it depends on; among
 * services ready at once, the one earliest in the file goes first, so the
 * order is fixed by the text. Requires every depends index < m->nservices.
 * FE_ERR_BAD_FORMAT if the dependencies form a cycle: then cycle[0, *ncycle)
 * holds one (cycle[i] depends on cycle[i + 1], the last on cycle[0]; a
 * service depending on itself is a cycle of one) and start_order is
 * unspecified.
 */
fe_status_t manifest_order(struct fe_manifest *m, uint8_t cycle[FE_MANIFEST_SERVICES_MAX],
			   uint32_t *ncycle);

#endif /* FE_MANIFEST_INTERNAL_H */
