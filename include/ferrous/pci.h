/* SPDX-License-Identifier: MIT */
/*
 * PCI through capabilities (docs/adr/0011-user-space-drivers.md, decision 2).
 *
 * A function is named by one 32-bit address: segment, bus, device, function.
 * The `pci-root` capability (start slot FE_START_PCI_ROOT) reads any
 * function's configuration space and mints a `pci-device` capability for one
 * function; through that, a driver reads its own function's configuration
 * space, writes the few places that cannot reach beyond the device, and gets
 * a capability for each BAR. Bridges (class 06) and type-1 headers belong to
 * the platform: no pci-device capability is made for them.
 *
 * These values are ABI; the register offsets are the PCI specification's.
 */
#ifndef FERROUS_PCI_H
#define FERROUS_PCI_H

#include <stdint.h>

/* segment 0..65535, bus 0..255, device 0..31, function 0..7 */
#define FE_PCI_ADDR(seg, bus, dev, fn) \
	(((uint32_t)(seg) << 16) | ((uint32_t)(bus) << 8) | (((uint32_t)(dev) & 31u) << 3) | ((uint32_t)(fn) & 7u))
#define FE_PCI_SEG(a) ((uint32_t)(a) >> 16)
#define FE_PCI_BUS(a) (((uint32_t)(a) >> 8) & 0xffu)
#define FE_PCI_DEV(a) (((uint32_t)(a) >> 3) & 31u)
#define FE_PCI_FN(a) ((uint32_t)(a) & 7u)
/* Through a pci-device capability: its own function, whatever its address
 * (a driver need not be told where its device sits). */
#define FE_PCI_SELF 0xffffffffu

/* One function's configuration space: 256 bytes of PCI, 4096 with PCIe. */
#define FE_PCI_CONFIG_SIZE 4096u

/* Standard header registers (type 0 unless noted). */
#define FE_PCI_VENDOR_ID 0x00      /* 16 bits; 0xffff: no function here */
#define FE_PCI_DEVICE_ID 0x02
#define FE_PCI_COMMAND 0x04        /* 16 bits */
#define FE_PCI_STATUS 0x06
#define FE_PCI_REVISION 0x08
#define FE_PCI_PROG_IF 0x09
#define FE_PCI_SUBCLASS 0x0a
#define FE_PCI_CLASS 0x0b
#define FE_PCI_HEADER_TYPE 0x0e    /* bits 0..6 layout (0 device, 1 bridge), bit 7 multi-function */
#define FE_PCI_BAR0 0x10           /* six 32-bit BARs, 0x10..0x27 */
#define FE_PCI_SUBSYS_VENDOR 0x2c
#define FE_PCI_SUBSYS_ID 0x2e
#define FE_PCI_ROM 0x30
#define FE_PCI_CAP_PTR 0x34        /* first capability, if STATUS_CAPS */
#define FE_PCI_INT_LINE 0x3c
#define FE_PCI_INT_PIN 0x3d
#define FE_PCI_PRIMARY_BUS 0x18    /* type 1 */
#define FE_PCI_SECONDARY_BUS 0x19  /* type 1 */
#define FE_PCI_SUBORDINATE_BUS 0x1a/* type 1 */
#define FE_PCI_HEADER_END 0x40     /* the device-specific area starts here */

#define FE_PCI_COMMAND_IO (1u << 0)
#define FE_PCI_COMMAND_MEMORY (1u << 1)
#define FE_PCI_COMMAND_BUS_MASTER (1u << 2)
#define FE_PCI_COMMAND_INTX_DISABLE (1u << 10)
/* The command bits a driver may change; writes leave every other bit as it was. */
#define FE_PCI_COMMAND_DRIVER_BITS (FE_PCI_COMMAND_IO | FE_PCI_COMMAND_MEMORY | \
                                    FE_PCI_COMMAND_BUS_MASTER | FE_PCI_COMMAND_INTX_DISABLE)
#define FE_PCI_STATUS_CAPS (1u << 4)

/* Capability IDs the kernel keeps to itself (and two drivers look for). */
#define FE_PCI_CAP_MSI 0x05
#define FE_PCI_CAP_VENDOR 0x09
#define FE_PCI_CAP_EXPRESS 0x10
#define FE_PCI_CAP_MSIX 0x11

#define FE_PCI_BARS 6u

/* What FE_SYS_PCI_BAR tells of a BAR. The capability it makes is an
 * FE_OBJ_MMIO of exactly `size` bytes (map it with FE_SYS_VM_MAP) or an
 * FE_OBJ_IOPORT of `size` ports starting at `port`. */
enum fe_pci_bar_kind {
	FE_PCI_BAR_IO = 1,
	FE_PCI_BAR_MEM32 = 2,
	FE_PCI_BAR_MEM64 = 3, /* takes this BAR's slot and the next */
};

struct fe_pci_bar_info {
	uint32_t kind;        /* enum fe_pci_bar_kind */
	uint32_t prefetchable;/* 1 if the memory BAR is prefetchable */
	uint64_t size;        /* bytes (memory) or ports (I/O) */
	uint64_t port;        /* FE_PCI_BAR_IO: first port; else 0 */
	/* Pages of a memory BAR no mapping may cover (FE_ERR_ACCESS_DENIED):
	 * the MSI-X table and pending bits, which the kernel programs. */
	uint64_t kernel_off, kernel_len;
};

/* FE_SYS_PCI_DMA_MAP: what the device may do with the memory. */
#define FE_DMA_DEVICE_READ 1u
#define FE_DMA_DEVICE_WRITE 2u

#endif /* FERROUS_PCI_H */
