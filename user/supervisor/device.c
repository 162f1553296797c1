/* SPDX-License-Identifier: MIT */
/*
 * A service's `device pci ...` line, resolved by the supervisor itself
 * through its pci-root capability, until the PCI bus service of ADR 0011
 * (decision 2) takes this over: the instance-th function, in enumeration
 * order (fe_pci_enumerate), whose id or class matches. The pci-device
 * capability is made once and kept, like the endpoint: every instance gets
 * a copy at FE_SERVICE_SLOT_DEVICE, and what an instance made through its
 * copy (BAR capabilities) goes with that instance.
 */
#include <fe/pci.h>

#include "supervisor.h"

struct match {
	const struct fe_manifest_device *want;
	uint32_t seen;  /* matching functions so far */
	uint32_t addr;
	bool found;
};

static bool matches(const struct fe_manifest_device *d, const struct fe_pci_function *f)
{
	if (d->kind == FE_MANIFEST_DEVICE_PCI_ID)
		return f->vendor == d->vendor && f->device == d->device;
	return f->class == d->class_code && f->subclass == d->subclass &&
	       (!d->has_prog_if || f->prog_if == d->prog_if);
}

static void visit(const struct fe_pci_function *f, void *ctx)
{
	struct match *m = ctx;

	if (m->found || !matches(m->want, f))
		return;
	if (m->seen++ == m->want->instance) {
		m->addr = f->addr;
		m->found = true;
	}
}

/* "1af4:1042 instance 0" or "class 01:06:01 instance 0", for messages. */
static void describe(const struct fe_manifest_device *d, char *buf, size_t size)
{
	if (d->kind == FE_MANIFEST_DEVICE_PCI_ID)
		snprintf(buf, size, "%04x:%04x instance %u", d->vendor, d->device, d->instance);
	else if (d->has_prog_if)
		snprintf(buf, size, "class %02x:%02x:%02x instance %u", d->class_code, d->subclass,
		         d->prog_if, d->instance);
	else
		snprintf(buf, size, "class %02x:%02x instance %u", d->class_code, d->subclass,
		         d->instance);
}

fe_status_t device_resolve(struct svc *s, fe_handle_t *out)
{
	struct match m = { .want = &s->m->device };
	fe_handle_t root = fe_start_handle(FE_START_PCI_ROOT);
	char what[48];
	fe_status_t st = FE_ERR_NOT_FOUND;

	describe(&s->m->device, what, sizeof(what));
	if (root == FE_HANDLE_INVALID) {
		printf("supervisor: %s needs PCI %s, and the supervisor has no pci-root\n",
		       s->m->name, what);
		return st;
	}
	if ((st = fe_pci_enumerate(root, visit, &m)) == FE_OK && !m.found)
		st = FE_ERR_NOT_FOUND;
	if (st == FE_OK)
		st = fe_pci_device_create(root, m.addr, out);
	if (st != FE_OK)
		printf("supervisor: %s: no PCI function %s for it: %s\n", s->m->name, what,
		       fe_status_name(st));
	else
		printf("supervisor: %s gets PCI %02x:%02x.%u (%s)\n", s->m->name, FE_PCI_BUS(m.addr),
		       FE_PCI_DEV(m.addr), FE_PCI_FN(m.addr), what);
	return st;
}
