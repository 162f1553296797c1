/* SPDX-License-Identifier: MIT */
/* `pci`: the PCI functions the pci-root capability reaches, and their BARs. */
#include <fe/pci.h>
#include <fe/sys.h>

#include "console.h"

static const char *bar_kind(uint32_t kind)
{
	return kind == FE_PCI_BAR_IO ? "io" : kind == FE_PCI_BAR_MEM64 ? "mem64" : "mem32";
}

/* BARs as the kernel sized them; a device capability is made to ask (only
 * the info: no BAR capability, so no claim), and deleted afterwards
 * (bridges get none, and say so). */
static void print_bars(fe_handle_t root, const struct fe_pci_function *f)
{
	fe_handle_t dev;
	fe_status_t st = fe_pci_device_create(root, f->addr, &dev);

	if (st != FE_OK) {
		printf("      (no device capability: %s)\n", fe_status_name(st));
		return;
	}
	for (uint32_t i = 0; i < FE_PCI_BARS; i++) {
		struct fe_pci_bar_info info;
		st = fe_pci_bar(dev, i, NULL, &info);
		if (st == FE_ERR_NOT_FOUND)
			continue;
		if (st != FE_OK) {
			printf("      BAR%u: %s\n", i, fe_status_name(st));
			continue;
		}
		if (info.kind == FE_PCI_BAR_IO)
			printf("      BAR%u: io ports %#llx, %llu\n", i, (unsigned long long)info.port,
			       (unsigned long long)info.size);
		else
			printf("      BAR%u: %s %llu KiB%s\n", i, bar_kind(info.kind),
			       (unsigned long long)(info.size >> 10), info.prefetchable ? ", prefetchable" : "");
	}
	(void)fe_handle_delete(dev);
}

static void print_function(const struct fe_pci_function *f, void *ctx)
{
	fe_handle_t root = *(const fe_handle_t *)ctx;

	printf("%02x:%02x.%u  %04x:%04x  class %02x.%02x.%02x  %s\n", FE_PCI_BUS(f->addr),
	       FE_PCI_DEV(f->addr), FE_PCI_FN(f->addr), f->vendor, f->device, f->class, f->subclass,
	       f->prog_if, fe_pci_class_name(f->class));
	print_bars(root, f);
}

void cmd_pci(int argc, char **argv)
{
	fe_handle_t root = fe_start_handle(FE_START_PCI_ROOT);
	fe_status_t st;

	(void)argc, (void)argv;
	if (root == FE_HANDLE_INVALID) {
		printf("pci: this console has no pci-root capability\n");
		return;
	}
	if ((st = fe_pci_enumerate(root, print_function, &root)) != FE_OK)
		printf("pci: enumeration stopped: %s\n", fe_status_name(st));
}
