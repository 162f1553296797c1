/* SPDX-License-Identifier: MIT */
/*
 * Modern virtio over PCI (virtio 1.x, "Virtio Over PCI Bus"), from user
 * space: the transport a virtio driver needs through its pci-device
 * capability. The device's configuration structures are found through its
 * vendor-specific PCI capabilities and mapped from its BARs; split
 * virtqueues live in a physically contiguous memory object mapped for DMA.
 *
 * The device is untrusted: a capability that points outside its BAR, a
 * queue size that is zero or not a power of two, a missing VIRTIO_F_VERSION_1
 * each give a clear error (and a reason string), never a wild access.
 */
#ifndef FE_VIRTIO_H
#define FE_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/errors.h>
#include <ferrous/handle.h>

#define FE_VIRTIO_VENDOR 0x1af4
#define FE_VIRTIO_F_VERSION_1 (1ULL << 32)
/* The device's DMA goes through the platform's IOMMU (otherwise QEMU's
 * virtio devices take every address as physical). */
#define FE_VIRTIO_F_ACCESS_PLATFORM (1ULL << 33)
#define FE_VIRTIO_NO_VECTOR 0xffffu

struct fe_virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define FE_VIRTQ_DESC_NEXT 1u
#define FE_VIRTQ_DESC_WRITE 2u /* the device writes this buffer */

struct fe_virtio {
	fe_handle_t dev;                 /* pci-device capability */
	volatile uint8_t *common, *notify, *isr, *device;
	uint32_t notify_mult, notify_len, device_len;
	uint32_t msix_entries;           /* the MSI-X table's size; 0: no MSI-X */
	fe_handle_t bar[6];              /* BAR capabilities mapped (0: none) */
	uint64_t bar_va[6], bar_size[6];
	uint64_t bar_hole_off[6], bar_hole_len[6]; /* left unmapped: the kernel's (MSI-X) */
	const char *why;                 /* the reason of the last error */
	/* FE_DMA_PHYSICAL unless the device negotiated ACCESS_PLATFORM: OR it
	 * into every fe_pci_dma_map for this device, so that where an IOMMU
	 * translates, a device that bypasses it is refused, not misdirected. */
	uint32_t dma_flags;
};

struct fe_virtq {
	uint16_t index, size;
	uint16_t vector;                 /* its MSI-X entry, or FE_VIRTIO_NO_VECTOR */
	fe_handle_t vmo;                 /* rings, contiguous, DMA-mapped */
	uint64_t dev_addr;
	struct fe_virtq_desc *desc;
	volatile uint16_t *avail;        /* flags, idx, ring[size] */
	volatile uint32_t *used;         /* flags|idx, then {id, len} pairs */
	volatile uint16_t *notify_at;
	uint16_t free_head, nfree, last_used;
	uint16_t chain_len[256];         /* descriptors in the chain at each head */
};

/* Finds and maps the device's common, notify, ISR and device structures. */
fe_status_t fe_virtio_open(fe_handle_t dev, struct fe_virtio *v);
/* Unmaps what fe_virtio_open mapped and deletes its BAR capabilities. */
void fe_virtio_close(struct fe_virtio *v);
/* Resets the device and negotiates: VERSION_1 plus those of `wanted` the
 * device offers (*accepted), and ACCESS_PLATFORM whenever offered (sets
 * dma_flags). FE_ERR_UNSUPPORTED if it lacks VERSION_1. */
fe_status_t fe_virtio_negotiate(struct fe_virtio *v, uint64_t wanted, uint64_t *accepted);
/* Sets up queue `index` with at most max_size entries (max 256), its
 * interrupts on MSI-X entry `vector` (FE_VIRTIO_NO_VECTOR: none). */
fe_status_t fe_virtq_setup(struct fe_virtio *v, uint16_t index, uint16_t max_size,
                           uint16_t vector, struct fe_virtq *q);
/* After a reset and negotiation: queue q again, on the same memory with
 * the same size and vector, empty (every chain given to the device before
 * the reset is forgotten). */
fe_status_t fe_virtq_restart(struct fe_virtio *v, struct fe_virtq *q);
/* Configuration-change interrupts on MSI-X entry `vector` (FE_VIRTIO_NO_VECTOR: none). */
fe_status_t fe_virtio_config_vector(struct fe_virtio *v, uint16_t vector);
/* Tells the device the driver is ready (DRIVER_OK). */
void fe_virtio_ready(struct fe_virtio *v);
/* Resets the device (it forgets every queue); safe at any time. */
void fe_virtio_reset(struct fe_virtio *v);

/* Puts a chain of n buffers in the queue (not yet visible to the device
 * until fe_virtq_kick): FE_ERR_NO_RESOURCES if fewer than n descriptors are free. */
fe_status_t fe_virtq_add(struct fe_virtq *q, const struct fe_virtq_desc *bufs, unsigned n,
                         uint16_t *head);
void fe_virtq_kick(struct fe_virtq *q);
/* Takes one completed chain: its head and the bytes the device wrote.
 * False if none is pending. A used entry naming a chain the device was
 * never given, or a used index more than a ring ahead, gives head
 * UINT16_MAX: the device is broken, and the caller stops using it. */
bool fe_virtq_take(struct fe_virtq *q, uint16_t *head, uint32_t *written);

#endif /* FE_VIRTIO_H */
