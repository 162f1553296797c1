/* SPDX-License-Identifier: MIT */
/*
 * The shapes of the manifest's values, one word each (docs/manifest.md):
 * names, paths, numbers, durations, sizes, PCI ids and classes, capabilities.
 * Each is exact: a word either has the shape whole or is refused, and
 * nothing is read outside it.
 */
#include "manifest_internal.h"

_Static_assert(FE_MANIFEST_DURATION_MAX < UINT64_MAX / 10, "durations parse without overflow");

static const char *const cap_names[FE_MANIFEST_CAP_COUNT] = {
	[FE_MANIFEST_CAP_CONSOLE] = "console",
	[FE_MANIFEST_CAP_INITRD] = "initrd",
	[FE_MANIFEST_CAP_TRACE] = "trace",
	[FE_MANIFEST_CAP_IOPORT_COM1] = "ioport-com1",
	[FE_MANIFEST_CAP_IRQ_COM1] = "irq-com1",
	[FE_MANIFEST_CAP_HPET] = "hpet",
	[FE_MANIFEST_CAP_PCI_ROOT] = "pci-root",
	[FE_MANIFEST_CAP_SUPERVISOR] = "supervisor",
	[FE_MANIFEST_CAP_IOPORT_COM2] = "ioport-com2",
};

const char *fe_manifest_cap_name(enum fe_manifest_cap cap)
{
	return (unsigned)cap < FE_MANIFEST_CAP_COUNT ? cap_names[cap] : NULL;
}

enum fe_manifest_cap manifest_cap_find(struct word w)
{
	unsigned c = 0;

	while (c < FE_MANIFEST_CAP_COUNT && !word_is(w, cap_names[c]))
		c++;
	return (enum fe_manifest_cap)c;
}

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool manifest_name_ok(struct word w)
{
	if (!is_lower(w.p[0]))
		return false;
	for (size_t i = 1; i < w.len; i++)
		if (!is_lower(w.p[i]) && !is_digit(w.p[i]) && w.p[i] != '-')
			return false;
	return true;
}

static bool is_path_char(char c)
{
	return is_lower(c) || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '.' || c == '_' ||
	       c == '-' || c == '+';
}

bool manifest_path_ok(struct word w)
{
	size_t start = 0;

	for (size_t i = 0; i <= w.len; i++) {
		if (i < w.len && w.p[i] != '/') {
			if (!is_path_char(w.p[i]))
				return false;
			continue;
		}
		/* w.p[start, i) is one component */
		struct word c = { w.p + start, i - start };
		if (c.len == 0 || word_is(c, ".") || word_is(c, ".."))
			return false;
		start = i + 1;
	}
	return true;
}

/* Also takes the empty digit run a duration may have (w.len 0): refused. */
bool manifest_number(struct word w, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (w.len == 0)
		return false;
	for (size_t i = 0; i < w.len; i++) {
		if (!is_digit(w.p[i]))
			return false;
		v = v * 10 + (uint64_t)(w.p[i] - '0');
		if (v > max)
			return false; /* v <= max < UINT64_MAX / 10 before: nothing wrapped */
	}
	*out = v;
	return true;
}

bool manifest_duration(struct word w, uint64_t *ns)
{
	size_t n = 0;
	uint64_t unit, v;

	while (n < w.len && is_digit(w.p[n]))
		n++;
	struct word u = { w.p + n, w.len - n };
	if (word_is(u, "us"))
		unit = 1000;
	else if (word_is(u, "ms"))
		unit = 1000000;
	else if (word_is(u, "s"))
		unit = 1000000000;
	else
		return false;
	if (!manifest_number((struct word){ w.p, n }, FE_MANIFEST_DURATION_MAX, &v) || v == 0 ||
	    v > FE_MANIFEST_DURATION_MAX / unit)
		return false;
	*ns = v * unit;
	return true;
}

bool manifest_size(struct word w, uint64_t *bytes)
{
	size_t n = 0;
	unsigned shift;
	uint64_t v;

	while (n < w.len && is_digit(w.p[n]))
		n++;
	struct word u = { w.p + n, w.len - n };
	if (word_is(u, "KiB"))
		shift = 10;
	else if (word_is(u, "MiB"))
		shift = 20;
	else if (word_is(u, "GiB"))
		shift = 30;
	else
		return false;
	/* The number alone is at most the largest size in KiB, so the shift
	 * cannot overflow. */
	if (!manifest_number((struct word){ w.p, n }, FE_MANIFEST_BUDGET_MAX >> 10, &v))
		return false;
	v <<= shift;
	if (v < FE_MANIFEST_BUDGET_MIN || v > FE_MANIFEST_BUDGET_MAX)
		return false;
	*bytes = v;
	return true;
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly n hex digits at p (the caller has checked they are inside its word). */
static bool hex_parse(const char *p, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	for (size_t i = 0; i < n; i++) {
		int d = hex_value(p[i]);
		if (d < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return true;
}

/* Vendor ffff is what an empty slot reads as: no device has it. */
bool manifest_pci_id(struct word w, struct fe_manifest_device *d)
{
	uint32_t vendor, device;

	if (w.len != 9 || w.p[4] != ':' || !hex_parse(w.p, 4, &vendor) ||
	    !hex_parse(w.p + 5, 4, &device) || vendor == 0xffff)
		return false;
	d->kind = FE_MANIFEST_DEVICE_PCI_ID;
	d->vendor = (uint16_t)vendor;
	d->device = (uint16_t)device;
	return true;
}

bool manifest_pci_class(struct word w, struct fe_manifest_device *d)
{
	uint32_t cc, sc, pi = 0;

	if ((w.len != 5 && w.len != 8) || w.p[2] != ':' || !hex_parse(w.p, 2, &cc) ||
	    !hex_parse(w.p + 3, 2, &sc))
		return false;
	if (w.len == 8 && (w.p[5] != ':' || !hex_parse(w.p + 6, 2, &pi)))
		return false;
	d->kind = FE_MANIFEST_DEVICE_PCI_CLASS;
	d->class_code = (uint8_t)cc;
	d->subclass = (uint8_t)sc;
	d->prog_if = (uint8_t)pi;
	d->has_prog_if = w.len == 8;
	return true;
}
