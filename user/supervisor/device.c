/* SPDX-License-Identifier: MIT */
/*
 * A service's `device pci ...` line, resolved by the PCI bus service (the
 * manifest's service named `pcibus`, user/pcibus; ADR 0011, decision 2):
 * the instance-th function, in its enumeration order, whose id or class
 * matches, asked for with FE_PCIBUS_GET through the supervisor's badged
 * copy of pcibus's endpoint (only that badge gets a driver's device). The
 * pci-device capability comes in the reply; it is kept like the endpoint,
 * every instance gets a copy at FE_SERVICE_SLOT_DEVICE, and what an
 * instance made through its copy (BAR capabilities) goes with that
 * instance. It outlives pcibus's instances: pcibus made it under its copy
 * of the supervisor's pci-root, and an ended instance's capabilities leave
 * their children to their parents (ADR 0009, decision 3).
 */
#include <fe/ipc.h>
#include <ferrous/pci.h>
#include <ferrous/pcibus.h>

#include "supervisor.h"

#define BUS_SERVICE "pcibus"

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

static struct fe_msg request_for(const struct fe_manifest_device *d)
{
	struct fe_msg m = fe_msg_make(FE_PCIBUS_GET, 4, 0);

	if (d->kind == FE_MANIFEST_DEVICE_PCI_ID) {
		m.w[0] = FE_PCIBUS_MATCH_ID;
		m.w[1] = (uint64_t)d->vendor | (uint64_t)d->device << 16;
	} else {
		m.w[0] = FE_PCIBUS_MATCH_CLASS;
		m.w[1] = (uint64_t)d->class_code << 16 | (uint64_t)d->subclass << 8 |
		         (d->has_prog_if ? d->prog_if : FE_PCIBUS_ANY_PROG_IF);
	}
	m.w[2] = d->instance;
	return m;
}

/* One FE_PCIBUS_GET through bus's running instance. FE_ERR_PEER_CLOSED if
 * none runs (or it ended during the call): another try may succeed. */
static fe_status_t ask(struct svc *bus, const struct fe_manifest_device *d, fe_handle_t *out,
                       uint32_t *addr)
{
	fe_handle_t ep = load(&bus->ep_inst);
	struct fe_msg m = request_for(d);
	unsigned n = 0;
	fe_status_t st;

	if (bus->state != FE_SUPERVISOR_RUNNING || ep == FE_HANDLE_INVALID)
		return FE_ERR_PEER_CLOSED;
	if ((st = fe_call(ep, &m)) == FE_ERR_CANCELED || st == FE_ERR_BAD_HANDLE)
		st = FE_ERR_PEER_CLOSED; /* the instance ended and its copy went */
	if (st == FE_OK)
		st = fe_service_status(&m);
	if (st == FE_OK)
		st = fe_msg_take_caps(&m, out, 1, &n);
	if (st == FE_OK && (n != 1 || *out == FE_HANDLE_INVALID || FE_MSG_WORDS(m.info) < 1))
		st = FE_ERR_BAD_FORMAT; /* a bus service that does not keep the protocol */
	*addr = (uint32_t)m.w[0];
	return st;
}

fe_status_t device_resolve(struct svc *s, fe_handle_t *out)
{
	struct svc *bus = svc_find(BUS_SERVICE);
	char what[48];
	uint32_t addr = 0;
	fe_status_t st;

	describe(&s->m->device, what, sizeof(what));
	if (bus == NULL || bus == s) {
		printf("supervisor: %s needs PCI %s, and the manifest has no %s service\n",
		       s->m->name, what, BUS_SERVICE);
		return FE_ERR_NOT_FOUND;
	}
	if ((st = ask(bus, &s->m->device, out, &addr)) != FE_OK)
		printf("supervisor: %s: no PCI function %s for it from %s: %s\n", s->m->name, what,
		       BUS_SERVICE, fe_status_name(st));
	else
		printf("supervisor: %s gets PCI %02x:%02x.%u (%s)\n", s->m->name, FE_PCI_BUS(addr),
		       FE_PCI_DEV(addr), FE_PCI_FN(addr), what);
	return st;
}
