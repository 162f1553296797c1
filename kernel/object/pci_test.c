/* SPDX-License-Identifier: MIT */
/* The kernel's side of PCI: ECAM reads, device records made once. */
#include "object/pci.h"
#include "test/ktest.h"

#define HOST_BRIDGE FE_PCI_ADDR(0, 0, 0, 0)
#define AHCI FE_PCI_ADDR(0, 0, 31, 2)

static bool have_pci(struct ktest *t)
{
	struct kobj *root = pci_root_object();

	if (root == NULL) {
		ktest_skip(t, "no ECAM on this machine");
		return false;
	}
	kobj_put(root);
	return true;
}

static void ecam_reads_host_bridge(struct ktest *t)
{
	uint32_t v = 0;

	if (!have_pci(t))
		return;
	KT_EXPECT_OK(t, pci_config_read(HOST_BRIDGE, FE_PCI_VENDOR_ID, 4, &v));
	KT_EXPECT_EQ(t, v, 0x29c08086u);
	KT_EXPECT_STATUS(t, pci_config_read(HOST_BRIDGE, FE_PCI_VENDOR_ID, 3, &v), FE_ERR_INVALID_ARG);
	KT_EXPECT_STATUS(t, pci_config_read(HOST_BRIDGE, 2, 4, &v), FE_ERR_INVALID_ARG);
	KT_EXPECT_STATUS(t, pci_config_read(FE_PCI_ADDR(7, 0, 0, 0), 0, 4, &v), FE_ERR_NOT_FOUND);
}

/* Two device objects for one function share one record: its BARs were
 * sized once, and they are the AHCI controller's. */
static void device_records_are_made_once(struct ktest *t)
{
	struct pci_device *a, *b;

	if (!have_pci(t))
		return;
	KT_ASSERT(t, KT_EXPECT_OK(t, pci_device_create(NULL, AHCI, &a)));
	if (!KT_EXPECT_OK(t, pci_device_create(NULL, AHCI, &b))) {
		kobj_put(&a->obj);
		return;
	}
	KT_EXPECT(t, a->fn == b->fn);
	KT_EXPECT_EQ(t, a->fn->vendor, 0x8086);
	KT_EXPECT_EQ(t, a->fn->bars[5].kind, FE_PCI_BAR_MEM32);
	KT_EXPECT_EQ(t, a->fn->bars[5].size, 4096);
	KT_EXPECT_EQ(t, a->fn->bars[4].kind, FE_PCI_BAR_IO);
	KT_EXPECT_STATUS(t, a->fn->bars[0].status, FE_ERR_NOT_FOUND);
	kobj_put(&a->obj);
	kobj_put(&b->obj);
	KT_EXPECT_STATUS(t, pci_device_create(NULL, HOST_BRIDGE, &a), FE_ERR_UNSUPPORTED);
}

KTEST_SUITE(pci, KTEST_CASE(ecam_reads_host_bridge), KTEST_CASE(device_records_are_made_once));
