/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/pci/dmar_scope.c: which IOMMU unit covers a PCI
 * function, over a fake bus of bridges (header type, secondary and
 * subordinate bus) and a hand-built DMAR.
 */
#include "host_test.h"

#include "pci/dmar_scope.h"

#define A(bus, dev, fn) FE_PCI_ADDR(0, bus, dev, fn)

/* A function on the fake bus: a bridge when sec != 0. */
struct fake_fn {
	uint32_t addr;
	uint8_t sec, sub;
};

struct fake_bus {
	const struct fake_fn *fns;
	unsigned n;
	unsigned reads;
};

static uint32_t fake_read(void *ctx, uint32_t addr, uint32_t off, unsigned width)
{
	struct fake_bus *b = ctx;

	assert_int_equal(width, 1);
	b->reads++;
	for (unsigned i = 0; i < b->n; i++) {
		const struct fake_fn *f = &b->fns[i];
		if (f->addr != addr)
			continue;
		if (off == FE_PCI_HEADER_TYPE)
			return f->sec ? 0x01 : 0x80; /* a bridge; or a multi-function device */
		if (off == 0x19)
			return f->sec;
		if (off == 0x1a)
			return f->sub;
		fail_msg("read of offset %#x", off);
	}
	return 0xff; /* absent: all ones */
}

/* Root bus 0: a bridge at 00:1c.0 to buses 2-5, behind it a bridge at
 * 02:00.0 to buses 3-3; endpoints 00:04.0 and 03:00.0. */
static const struct fake_fn machine[] = {
	{ A(0, 0x1c, 0), 2, 5 }, { A(2, 0, 0), 3, 3 }, { A(0, 4, 0), 0, 0 }, { A(3, 0, 0), 0, 0 },
	{ A(0, 0x1e, 0), 0, 0 }, /* not a bridge */
	{ A(0, 0x1d, 0), 0x20, 0x10 }, /* a bridge with reversed buses */
};

static struct fake_bus bus = { machine, sizeof(machine) / sizeof(machine[0]), 0 };

static void add_scope(struct acpi_drhd *u, uint8_t type, uint8_t start, const uint8_t *path,
                      uint8_t hops)
{
	struct acpi_dmar_scope *s = &u->scopes[u->nscopes++];

	*s = (struct acpi_dmar_scope){ .type = type, .start_bus = start, .path_len = hops };
	for (uint8_t i = 0; i < hops; i++) {
		s->path[i].dev = path[2 * i];
		s->path[i].fn = path[2 * i + 1];
	}
}

static uint32_t unit_of(const struct acpi_dmar *d, uint32_t addr)
{
	return pci_dmar_unit(d, addr, fake_read, &bus);
}

/* QEMU 7.2's shape: one unit naming each root-bus endpoint. */
static void test_endpoints(void **state)
{
	static struct acpi_dmar d = { .present = true, .ndrhd = 1 };
	const uint8_t nic[] = { 4, 0 }, ioapic[] = { 0, 0 };

	(void)state;
	add_scope(&d.drhd[0], ACPI_DMAR_SCOPE_IOAPIC, 0xff, ioapic, 1);
	add_scope(&d.drhd[0], ACPI_DMAR_SCOPE_ENDPOINT, 0, nic, 1);
	assert_int_equal(unit_of(&d, A(0, 4, 0)), 0);
	assert_int_equal(unit_of(&d, A(0, 4, 1)), PCI_DMAR_NO_UNIT);
	assert_int_equal(unit_of(&d, A(0, 5, 0)), PCI_DMAR_NO_UNIT);
	assert_int_equal(unit_of(&d, A(0xff, 0, 0)), PCI_DMAR_NO_UNIT); /* the I/O APIC is no PCI function */
	assert_int_equal(unit_of(&d, FE_PCI_ADDR(1, 0, 4, 0)), PCI_DMAR_NO_UNIT); /* another segment */
}

/* A unit for every device covers what the named units do not. */
static void test_include_all(void **state)
{
	static struct acpi_dmar d = { .present = true, .ndrhd = 2 };
	const uint8_t nic[] = { 4, 0 };

	(void)state;
	d.drhd[0].include_all = true;
	add_scope(&d.drhd[1], ACPI_DMAR_SCOPE_ENDPOINT, 0, nic, 1);
	assert_int_equal(unit_of(&d, A(0, 4, 0)), 1);
	assert_int_equal(unit_of(&d, A(0, 5, 0)), 0);
	assert_int_equal(unit_of(&d, A(7, 0, 0)), 0);
	d.drhd[0].segment = 1;
	assert_int_equal(unit_of(&d, A(0, 5, 0)), PCI_DMAR_NO_UNIT);
	assert_int_equal(unit_of(&d, FE_PCI_ADDR(1, 9, 0, 0)), 0);
}

/* A bridge scope covers its buses; an endpoint path goes through bridges. */
static void test_bridges_and_paths(void **state)
{
	static struct acpi_dmar d = { .present = true, .ndrhd = 2 };
	const uint8_t port[] = { 0x1c, 0 }, deep[] = { 0x1c, 0, 0, 0, 0, 0 };

	(void)state;
	add_scope(&d.drhd[0], ACPI_DMAR_SCOPE_ENDPOINT, 0, deep, 3);
	add_scope(&d.drhd[1], ACPI_DMAR_SCOPE_BRIDGE, 0, port, 1);
	assert_int_equal(unit_of(&d, A(3, 0, 0)), 0);   /* 00:1c.0 -> bus 2, 02:00.0 -> bus 3 */
	assert_int_equal(unit_of(&d, A(2, 0, 0)), 1);   /* the inner bridge: behind the port */
	assert_int_equal(unit_of(&d, A(5, 1, 0)), 1);
	assert_int_equal(unit_of(&d, A(0, 0x1c, 0)), 1); /* the port itself */
	assert_int_equal(unit_of(&d, A(6, 0, 0)), PCI_DMAR_NO_UNIT);
	assert_int_equal(unit_of(&d, A(1, 0, 0)), PCI_DMAR_NO_UNIT);
}

/* Paths that do not lead anywhere name nothing. */
static void test_broken_paths(void **state)
{
	static struct acpi_dmar d = { .present = true, .ndrhd = 1 };
	const uint8_t through_device[] = { 0x1e, 0, 0, 0 }, reversed[] = { 0x1d, 0 },
	              absent[] = { 0x1f, 7, 0, 0 };

	(void)state;
	add_scope(&d.drhd[0], ACPI_DMAR_SCOPE_ENDPOINT, 0, through_device, 2);
	add_scope(&d.drhd[0], ACPI_DMAR_SCOPE_BRIDGE, 0, reversed, 1);
	add_scope(&d.drhd[0], ACPI_DMAR_SCOPE_ENDPOINT, 0, absent, 2);
	for (unsigned b = 0; b < 256; b++)
		for (unsigned dev = 0; dev < 32; dev += 31)
			if (!(b == 0 && dev == 0x1d))
				assert_int_equal(unit_of(&d, A(b, dev, 0)), PCI_DMAR_NO_UNIT);
	/* A bridge with nonsense buses is still named by its own path. */
	assert_int_equal(unit_of(&d, A(0, 0x1d, 0)), 0);
	assert_int_equal(unit_of(&d, A(0x15, 0, 0)), PCI_DMAR_NO_UNIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_include_all),
		cmocka_unit_test(test_bridges_and_paths),
		cmocka_unit_test(test_broken_paths),
	};

	return cmocka_run_group_tests_name("dmar_scope", tests, NULL, NULL);
}
