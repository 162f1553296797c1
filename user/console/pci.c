/* SPDX-License-Identifier: MIT */
/*
 * `pci`: the PCI functions the bus service (user/pcibus) found, and their
 * BARs, asked for through a client capability to its endpoint from the
 * supervisor (`connect pcibus`): the console holds no pci-root.
 */
#include <fe/ipc.h>
#include <fe/pci.h>
#include <fe/service.h>
#include <fe/supervisor.h>
#include <fe/sys.h>
#include <ferrous/pcibus.h>

#include "console.h"

static const char *bar_kind(uint64_t kind)
{
	return kind == FE_PCI_BAR_IO ? "io" : kind == FE_PCI_BAR_MEM64 ? "mem64" : "mem32";
}

/* One request; its status (the call's, else the answer's). */
static fe_status_t ask(fe_handle_t bus, struct fe_msg *m)
{
	fe_status_t st = fe_call(bus, m);

	return st == FE_OK ? fe_service_status(m) : st;
}

/* BARs as the kernel sized them; pcibus says "unsupported" for bridges. */
static void print_bars(fe_handle_t bus, uint32_t addr)
{
	for (uint32_t i = 0; i < FE_PCI_BARS; i++) {
		struct fe_msg m = fe_msg_make(FE_PCIBUS_BAR, 2, 0);
		m.w[0] = addr, m.w[1] = i;
		fe_status_t st = ask(bus, &m);
		if (st == FE_ERR_NOT_FOUND)
			continue;
		if (st == FE_ERR_UNSUPPORTED && i == 0) {
			printf("      (a bridge: no device capability)\n");
			return;
		}
		if (st != FE_OK)
			printf("      BAR%u: %s\n", i, fe_status_name(st));
		else if (m.w[0] == FE_PCI_BAR_IO)
			printf("      BAR%u: io ports %#llx, %llu\n", i, (unsigned long long)m.w[2],
			       (unsigned long long)m.w[1]);
		else
			printf("      BAR%u: %s %llu KiB%s\n", i, bar_kind(m.w[0]),
			       (unsigned long long)(m.w[1] >> 10), m.w[3] ? ", prefetchable" : "");
	}
}

static fe_status_t print_all(fe_handle_t bus)
{
	for (uint64_t i = 0;; i++) {
		struct fe_msg m = fe_msg_make(FE_PCIBUS_LIST, 1, 0);
		m.w[0] = i;
		fe_status_t st = ask(bus, &m);
		if (st == FE_ERR_NOT_FOUND && i > 0)
			return FE_OK;
		if (st != FE_OK)
			return st;
		uint32_t addr = (uint32_t)m.w[0];
		uint64_t c = m.w[2];
		printf("%02x:%02x.%u  %04x:%04x  class %02x.%02x.%02x  %s\n", FE_PCI_BUS(addr),
		       FE_PCI_DEV(addr), FE_PCI_FN(addr), (unsigned)(m.w[1] & 0xffff),
		       (unsigned)(m.w[1] >> 16 & 0xffff), (unsigned)(c >> 24 & 0xff),
		       (unsigned)(c >> 16 & 0xff), (unsigned)(c >> 8 & 0xff),
		       fe_pci_class_name((uint8_t)(c >> 24)));
		print_bars(bus, addr);
	}
}

void cmd_pci(int argc, char **argv)
{
	fe_handle_t ctl = fe_supervisor_handle(), bus;
	fe_status_t st;

	(void)argc, (void)argv;
	if (ctl == FE_HANDLE_INVALID) {
		printf("pci: no supervisor reachable, so no PCI bus service\n");
		return;
	}
	if ((st = fe_supervisor_connect(ctl, "pcibus", &bus)) != FE_OK) {
		printf("pci: cannot reach the PCI bus service: %s\n", fe_status_name(st));
		return;
	}
	if ((st = print_all(bus)) != FE_OK)
		printf("pci: the bus service answered %s\n", fe_status_name(st));
	(void)fe_handle_delete(bus);
}
