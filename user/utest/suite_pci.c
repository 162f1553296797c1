/* SPDX-License-Identifier: MIT */
/*
 * PCI capabilities (ferrous/pci.h): configuration reads through pci-root,
 * pci-device capabilities for one function, the write filter, BAR
 * capabilities, and revocation. The machine is QEMU's q35: a host bridge
 * at 00:00.0 (8086:29c0) and the ICH9 AHCI controller at 00:1f.2 with an
 * I/O BAR 4 and a 4 KiB memory BAR 5 (its registers).
 */
#include <fe/pci.h>

#include "ut.h"

#define HOST_BRIDGE FE_PCI_ADDR(0, 0, 0, 0)
#define ABSENT FE_PCI_ADDR(0, 0, 31, 7)
#define AHCI_BAR_IO 4u
#define AHCI_BAR_MEM 5u
#define AHCI_VS 0x10u        /* AHCI version register in BAR 5 */
#define BAR_VA 0x71000000ULL

static fe_handle_t root_or_skip(struct ut *t)
{
	fe_handle_t h = ut_slot(FE_START_PCI_ROOT);

	if (h == FE_HANDLE_INVALID)
		ut_skip(t, "no pci-root capability (no ECAM)");
	return h;
}

struct find {
	uint8_t class, subclass;
	uint32_t addr;
	bool found;
};

static void match(const struct fe_pci_function *f, void *ctx)
{
	struct find *w = ctx;

	if (!w->found && f->class == w->class && f->subclass == w->subclass) {
		w->addr = f->addr;
		w->found = true;
	}
}

/* The AHCI controller's address, or false with the case skipped. */
static bool find_ahci(struct ut *t, fe_handle_t root, uint32_t *addr)
{
	struct find w = { .class = 0x01, .subclass = 0x06 };

	UT_EXPECT_OK(t, fe_pci_enumerate(root, match, &w));
	if (!w.found)
		ut_skip(t, "no AHCI controller on this machine");
	*addr = w.addr;
	return w.found;
}

static void root_reads_host_bridge(struct ut *t)
{
	fe_handle_t root = root_or_skip(t);
	uint32_t v = 0;

	if (root == FE_HANDLE_INVALID)
		return;
	UT_EXPECT_OK(t, fe_pci_config_read(root, HOST_BRIDGE, FE_PCI_VENDOR_ID, 2, &v));
	UT_EXPECT_EQ(t, v, 0x8086);
	UT_EXPECT_OK(t, fe_pci_config_read(root, HOST_BRIDGE, FE_PCI_VENDOR_ID, 4, &v));
	UT_EXPECT_EQ(t, v, 0x29c08086);
	UT_EXPECT_OK(t, fe_pci_config_read(root, HOST_BRIDGE, FE_PCI_CLASS, 1, &v));
	UT_EXPECT_EQ(t, v, 0x06);
	UT_EXPECT_OK(t, fe_pci_config_read(root, ABSENT, FE_PCI_VENDOR_ID, 2, &v));
	UT_EXPECT_EQ(t, v, 0xffff); /* nobody there: all ones, as on the bus */
	UT_EXPECT_OK(t, fe_pci_config_read(root, HOST_BRIDGE, FE_PCI_CONFIG_SIZE - 4, 4, &v));
}

static void config_read_refusals(struct ut *t)
{
	fe_handle_t root = root_or_skip(t), no_read;
	uint32_t v = 0;

	if (root == FE_HANDLE_INVALID)
		return;
	UT_EXPECT_STATUS(t, fe_pci_config_read(root, HOST_BRIDGE, 0, 3, &v), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_pci_config_read(root, HOST_BRIDGE, 0, 8, &v), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_pci_config_read(root, HOST_BRIDGE, 1, 2, &v), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_pci_config_read(root, HOST_BRIDGE, FE_PCI_CONFIG_SIZE, 1, &v),
	                 FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_pci_config_read(root, FE_PCI_ADDR(1, 0, 0, 0), 0, 2, &v),
	                 FE_ERR_NOT_FOUND); /* no ECAM window for segment 1 */
	UT_EXPECT_STATUS(t, fe_pci_config_read(root, HOST_BRIDGE, 0, 2, NULL), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_pci_config_read(fe_console, HOST_BRIDGE, 0, 2, &v), FE_ERR_WRONG_TYPE);
	/* Its slot with another generation: no handle (the next slot may hold one). */
	UT_EXPECT_STATUS(t, fe_pci_config_read(root + (1ULL << FE_HANDLE_INDEX_BITS), HOST_BRIDGE, 0, 2,
	                                       &v), FE_ERR_BAD_HANDLE);
	UT_EXPECT_STATUS(t, fe_pci_config_read(root | (1ULL << 60), HOST_BRIDGE, 0, 2, &v),
	                 FE_ERR_BAD_HANDLE);
	no_read = ut_dup(t, root, FE_RIGHT_MANAGE);
	UT_EXPECT_STATUS(t, fe_pci_config_read(no_read, HOST_BRIDGE, 0, 2, &v), FE_ERR_ACCESS_DENIED);
	ut_del(t, no_read);
}

static void device_create_refusals(struct ut *t)
{
	fe_handle_t root = root_or_skip(t), d = FE_HANDLE_INVALID, unmanaged;

	if (root == FE_HANDLE_INVALID)
		return;
	/* The host bridge and the LPC bridge belong to the platform. */
	UT_EXPECT_STATUS(t, fe_pci_device_create(root, HOST_BRIDGE, &d), FE_ERR_UNSUPPORTED);
	UT_EXPECT_STATUS(t, fe_pci_device_create(root, FE_PCI_ADDR(0, 0, 31, 0), &d),
	                 FE_ERR_UNSUPPORTED);
	UT_EXPECT_STATUS(t, fe_pci_device_create(root, ABSENT, &d), FE_ERR_NOT_FOUND);
	UT_EXPECT_STATUS(t, fe_pci_device_create(root, FE_PCI_ADDR(2, 0, 0, 0), &d), FE_ERR_NOT_FOUND);
	UT_EXPECT_STATUS(t, fe_pci_device_create(fe_console, HOST_BRIDGE, &d), FE_ERR_WRONG_TYPE);
	unmanaged = ut_dup(t, root, FE_RIGHT_READ);
	UT_EXPECT_STATUS(t, fe_pci_device_create(unmanaged, ABSENT, &d), FE_ERR_ACCESS_DENIED);
	ut_del(t, unmanaged);
	UT_EXPECT_EQ(t, d, FE_HANDLE_INVALID); /* nothing written on failure */
}

/* Through a pci-device capability: its own function only, never the root's powers. */
static void device_reads_only_its_function(struct ut *t)
{
	fe_handle_t root = root_or_skip(t), d, d2;
	struct fe_handle_info info;
	uint32_t addr, v = 0;

	if (root == FE_HANDLE_INVALID || !find_ahci(t, root, &addr))
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_device_create(root, addr, &d)));
	UT_EXPECT_OK(t, fe_handle_info(d, &info));
	UT_EXPECT_EQ(t, info.type, FE_OBJ_PCI_DEVICE);
	UT_EXPECT_OK(t, fe_pci_config_read(d, addr, FE_PCI_VENDOR_ID, 2, &v));
	UT_EXPECT_EQ(t, v, 0x8086);
	v = 0;
	UT_EXPECT_OK(t, fe_pci_config_read(d, FE_PCI_SELF, FE_PCI_VENDOR_ID, 2, &v));
	UT_EXPECT_EQ(t, v, 0x8086);
	UT_EXPECT_STATUS(t, fe_pci_config_read(root, FE_PCI_SELF, FE_PCI_VENDOR_ID, 2, &v),
	                 FE_ERR_NOT_FOUND); /* the root has no function of its own */
	UT_EXPECT_STATUS(t, fe_pci_config_read(d, HOST_BRIDGE, FE_PCI_VENDOR_ID, 2, &v),
	                 FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_pci_config_read(d, addr + 1, FE_PCI_VENDOR_ID, 2, &v),
	                 FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_pci_device_create(d, addr, &d2), FE_ERR_WRONG_TYPE);
	ut_del(t, d);
}

/* The filter: command bits a driver may flip, the device-specific area;
 * never BARs, the header, MSI or extended space. */
static void config_write_filter(struct ut *t)
{
	fe_handle_t root = root_or_skip(t), d, ro;
	uint32_t addr, before = 0, after = 0, cmd = 0, bar = 0;

	if (root == FE_HANDLE_INVALID || !find_ahci(t, root, &addr))
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_device_create(root, addr, &d)));
	UT_EXPECT_OK(t, fe_pci_config_read(d, addr, FE_PCI_BAR0 + 4 * AHCI_BAR_MEM, 4, &before));
	UT_EXPECT_STATUS(t, fe_pci_config_write(d, FE_PCI_BAR0 + 4 * AHCI_BAR_MEM, 4, 0x1000),
	                 FE_ERR_ACCESS_DENIED);
	UT_EXPECT_OK(t, fe_pci_config_read(d, addr, FE_PCI_BAR0 + 4 * AHCI_BAR_MEM, 4, &bar));
	UT_EXPECT_EQ(t, bar, before);
	UT_EXPECT_STATUS(t, fe_pci_config_write(d, FE_PCI_INT_LINE, 1, 5), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_pci_config_write(d, FE_PCI_ROM, 4, 0), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_pci_config_write(d, FE_PCI_COMMAND, 4, 0), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_pci_config_write(d, 0x100, 4, 0), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_pci_config_write(d, FE_PCI_COMMAND, 3, 0), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_pci_config_write(d, FE_PCI_CONFIG_SIZE, 1, 0), FE_ERR_INVALID_ARG);
	/* Bus mastering on and off; the other bits (SERR#, parity) stay. */
	UT_EXPECT_OK(t, fe_pci_config_read(d, addr, FE_PCI_COMMAND, 2, &before));
	UT_EXPECT_OK(t, fe_pci_config_write(d, FE_PCI_COMMAND, 2, 0xffff));
	UT_EXPECT_OK(t, fe_pci_config_read(d, addr, FE_PCI_COMMAND, 2, &cmd));
	UT_EXPECT_EQ(t, cmd & ~FE_PCI_COMMAND_DRIVER_BITS, before & ~FE_PCI_COMMAND_DRIVER_BITS);
	UT_EXPECT_NE(t, cmd & FE_PCI_COMMAND_BUS_MASTER, 0);
	UT_EXPECT_OK(t, fe_pci_config_write(d, FE_PCI_COMMAND, 2, before));
	UT_EXPECT_OK(t, fe_pci_config_read(d, addr, FE_PCI_COMMAND, 2, &after));
	UT_EXPECT_EQ(t, after, before);
	ro = ut_dup(t, d, FE_RIGHT_READ);
	UT_EXPECT_STATUS(t, fe_pci_config_write(ro, FE_PCI_COMMAND, 2, before), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_pci_config_write(root, FE_PCI_COMMAND, 2, before), FE_ERR_WRONG_TYPE);
	ut_del(t, ro);
	ut_del(t, d);
}

/* The MSI capability (ICH9 AHCI has one) is the kernel's. */
static void msi_capability_is_the_kernels(struct ut *t)
{
	fe_handle_t root = root_or_skip(t), d;
	uint32_t addr, off = 0, id = 0;

	if (root == FE_HANDLE_INVALID || !find_ahci(t, root, &addr))
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_device_create(root, addr, &d)));
	UT_EXPECT_OK(t, fe_pci_config_read(d, addr, FE_PCI_CAP_PTR, 1, &off));
	for (unsigned n = 0; off >= FE_PCI_HEADER_END && n < 48; n++) {
		UT_EXPECT_OK(t, fe_pci_config_read(d, addr, off, 1, &id));
		if (id == FE_PCI_CAP_MSI)
			break;
		UT_EXPECT_OK(t, fe_pci_config_read(d, addr, off + 1, 1, &off));
	}
	if (id != FE_PCI_CAP_MSI) {
		ut_skip(t, "the AHCI controller has no MSI capability here");
	} else {
		UT_EXPECT_STATUS(t, fe_pci_config_write(d, off + 2, 2, 1), FE_ERR_ACCESS_DENIED);
		UT_EXPECT_STATUS(t, fe_pci_config_write(d, off + 4, 4, 0xfee00000u),
		                 FE_ERR_ACCESS_DENIED);
	}
	ut_del(t, d);
}

static void bar_capabilities(struct ut *t)
{
	fe_handle_t root = root_or_skip(t), d, m, io, x = FE_HANDLE_INVALID;
	struct fe_pci_bar_info info = { 0 };
	uint32_t addr, v = 0;

	if (root == FE_HANDLE_INVALID || !find_ahci(t, root, &addr))
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_device_create(root, addr, &d)));
	UT_EXPECT_STATUS(t, fe_pci_bar(d, 0, &x, &info), FE_ERR_NOT_FOUND);
	UT_EXPECT_STATUS(t, fe_pci_bar(d, FE_PCI_BARS, &x, &info), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_pci_bar(d, AHCI_BAR_MEM, &x, NULL), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_pci_bar(d, AHCI_BAR_MEM, (fe_handle_t *)8, &info), FE_ERR_FAULT);
	/* No handle pointer: only what the BAR is, and no claim. */
	UT_EXPECT_OK(t, fe_pci_bar(d, AHCI_BAR_MEM, NULL, &info));
	UT_EXPECT_EQ(t, info.size, PAGE);
	UT_EXPECT_STATUS(t, fe_pci_release(d), FE_ERR_BAD_STATE);
	UT_EXPECT_STATUS(t, fe_pci_bar(root, AHCI_BAR_MEM, &x, &info), FE_ERR_WRONG_TYPE);
	UT_EXPECT_EQ(t, x, FE_HANDLE_INVALID);
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_bar(d, AHCI_BAR_MEM, &m, &info)));
	UT_EXPECT_EQ(t, info.kind, FE_PCI_BAR_MEM32);
	UT_EXPECT_EQ(t, info.size, PAGE);
	if (UT_EXPECT_OK(t, fe_vm_map(fe_self, m, 0, BAR_VA, PAGE, FE_VM_READ | FE_VM_WRITE))) {
		UT_EXPECT_EQ(t, *(volatile uint32_t *)(BAR_VA + AHCI_VS), 0x00010000); /* AHCI 1.0 */
		UT_EXPECT_OK(t, fe_vm_unmap(fe_self, BAR_VA, PAGE));
	}
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, m, 0, BAR_VA, 2 * PAGE, FE_VM_READ), FE_ERR_OUT_OF_RANGE);
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_bar(d, AHCI_BAR_IO, &io, &info)));
	UT_EXPECT_EQ(t, info.kind, FE_PCI_BAR_IO);
	UT_EXPECT_EQ(t, info.size, 32);
	UT_EXPECT_OK(t, fe_ioport_in(io, (uint32_t)info.port, 4, &v));
	UT_EXPECT_STATUS(t, fe_ioport_in(io, (uint32_t)(info.port + info.size), 1, &v),
	                 FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, fe_ioport_in(io, (uint32_t)info.port - 1, 1, &v), FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_OK(t, fe_pci_release(d)); /* a BAR capability claimed the function */
	ut_del(t, io);
	ut_del(t, m);
	ut_del(t, d);
}

/* Revoking the capability a device (and its BARs) was made through
 * removes them, in every table, and their mappings. */
static void revoke_removes_devices_and_bars(struct ut *t)
{
	fe_handle_t root = root_or_skip(t), r2, d, m, v;
	struct fe_pci_bar_info info;
	struct fe_handle_info hi;
	uint64_t removed = 0;
	uint32_t addr;

	if (root == FE_HANDLE_INVALID || !find_ahci(t, root, &addr))
		return;
	r2 = ut_dup(t, root, FE_RIGHTS_ALL);
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_device_create(r2, addr, &d)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_bar(d, AHCI_BAR_MEM, &m, &info)));
	UT_EXPECT_OK(t, fe_vm_map(fe_self, m, 0, BAR_VA, PAGE, FE_VM_READ));
	UT_EXPECT_OK(t, fe_handle_revoke(r2, &removed));
	UT_EXPECT_EQ(t, removed, 2); /* the device and its BAR */
	UT_EXPECT_STATUS(t, fe_handle_info(d, &hi), FE_ERR_BAD_HANDLE);
	UT_EXPECT_STATUS(t, fe_handle_info(m, &hi), FE_ERR_BAD_HANDLE);
	/* The mapping went with the BAR capability: the range is free again. */
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, BAR_VA, PAGE, FE_VM_READ));
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, BAR_VA, PAGE));
	ut_del(t, v);
	/* And the claim went with the device capability it was made through. */
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_device_create(root, addr, &d)));
	if (UT_EXPECT_OK(t, fe_pci_bar(d, AHCI_BAR_MEM, &m, &info))) {
		UT_EXPECT_OK(t, fe_pci_release(d));
		ut_del(t, m);
	}
	ut_del(t, d);
	ut_del(t, r2);
}

/* USER0: a pci-device capability for the AHCI controller; arg: its address. */
int ut_role_pci_driver(const char *arg)
{
	fe_handle_t d = ut_slot(FE_START_USER0), x;
	struct fe_pci_bar_info info;
	uint64_t addr = 0;
	uint32_t v = 0;

	if (!arg || fe_parse_u64(arg, &addr) != FE_OK)
		return 2;
	if (ut_slot(FE_START_PCI_ROOT) != FE_HANDLE_INVALID)
		return 3; /* a driver gets no root */
	if (fe_pci_config_read(d, (uint32_t)addr, FE_PCI_VENDOR_ID, 2, &v) != FE_OK || v != 0x8086)
		return 4;
	if (fe_pci_config_read(d, HOST_BRIDGE, FE_PCI_VENDOR_ID, 2, &v) != FE_ERR_ACCESS_DENIED)
		return 5;
	if (fe_pci_device_create(d, HOST_BRIDGE, &x) != FE_ERR_WRONG_TYPE)
		return 6;
	if (fe_pci_config_write(d, FE_PCI_BAR0 + 4 * AHCI_BAR_MEM, 4, 0) != FE_ERR_ACCESS_DENIED)
		return 7;
	if (fe_pci_bar(d, AHCI_BAR_MEM, &x, &info) != FE_OK || info.size != PAGE)
		return 8;
	return 0;
}

/* A driver process holding one device's capability reaches that device only. */
static void driver_reaches_only_its_device(struct ut *t)
{
	fe_handle_t root = root_or_skip(t), d, p;
	struct ut_child c = { .role = "pci-driver" };
	char arg[16];
	uint32_t addr;

	if (root == FE_HANDLE_INVALID || !find_ahci(t, root, &addr))
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_pci_device_create(root, addr, &d)));
	snprintf(arg, sizeof(arg), "%u", addr);
	c.arg = arg;
	c.user[0] = d;
	if (UT_EXPECT_OK(t, ut_spawn(&c, &p)))
		ut_expect_exit(t, p, FE_EXIT_NORMAL, 0);
	ut_del(t, d);
}

UT_SUITE(pci,
	UT_CASE(root_reads_host_bridge),
	UT_CASE(config_read_refusals),
	UT_CASE(device_create_refusals),
	UT_CASE(device_reads_only_its_function),
	UT_CASE(config_write_filter),
	UT_CASE(msi_capability_is_the_kernels),
	UT_CASE(bar_capabilities),
	UT_CASE(revoke_removes_devices_and_bars),
	UT_CASE(driver_reaches_only_its_device));
