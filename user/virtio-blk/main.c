/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk: the block driver, an ordinary process (ADR 0011). It holds a
 * pci-device capability for one virtio block device (start slot
 * FE_START_USER0) and serves the block protocol (ferrous/block.h) on the
 * endpoint in FE_START_ENDPOINT, for one client at a time. It claims the
 * device by mapping its virtqueue for DMA and binding MSI-X entry 0; if it
 * dies, the kernel quiesces the device, and the next instance starts from a
 * reset.
 *
 * Up to FE_BLK_DEPTH requests are in the device at once, each a chain
 * pointing at the client's data buffer in place; they are answered as the
 * device completes them (datapath.c). Start-up is here; the endpoint is
 * served in control.c.
 */
#include <fe/runtime.h>
#include <fe/service.h>
#include <fe/sys.h>

#include "blk.h"

/*
 * The most a request moves: 1 MiB, in one data descriptor (the data lives in
 * the client's physically contiguous buffer). QEMU takes a descriptor of
 * that size whole; a device that offers VIRTIO_BLK_F_SIZE_MAX gets requests
 * no larger than its size_max instead (b->max_sectors).
 */
#define MAX_SECTORS 2048u
#define CFG_SIZE_MAX 8u /* device configuration: le32 size_max, after le64 capacity */
#define PAGE 4096ull
#define NS_PER_S 1000000000ull

/* The driver's one state; the data thread's own parts are its alone (blk.h). */
static struct blk blk;

static fe_status_t setup_headers(struct blk *b)
{
	uint64_t va = fe_va_alloc(PAGE);
	fe_status_t st;

	if (va == 0)
		return FE_ERR_NO_RESOURCES;
	if ((st = fe_vmo_create_flags(PAGE, FE_VMO_CONTIGUOUS, &b->hdr_vmo)) != FE_OK ||
	    (st = fe_vm_map(fe_self, b->hdr_vmo, 0, va, PAGE, FE_VM_READ | FE_VM_WRITE)) != FE_OK ||
	    (st = fe_pci_dma_map(b->v.dev, b->hdr_vmo, 0, PAGE,
	                         FE_DMA_DEVICE_READ | FE_DMA_DEVICE_WRITE | b->v.dma_flags,
	                         &b->hdr_dev)) != FE_OK) {
		b->v.why = "no memory for request headers";
		return st;
	}
	b->hdr = (volatile uint8_t *)(uintptr_t)va;
	return FE_OK;
}

/* Capacity, read-only and flush, and b->max_sectors: MAX_SECTORS, or fewer
 * if the device's size_max says so. */
static fe_status_t read_config(struct blk *b)
{
	if (b->v.device_len < 8) {
		b->v.why = "the device configuration is too short for a capacity";
		return FE_ERR_BAD_FORMAT;
	}
	b->capacity = *(volatile uint64_t *)b->v.device;
	b->flags = ((b->features & VIRTIO_BLK_F_FLUSH) ? FE_BLK_F_FLUSH : 0) |
	           ((b->features & VIRTIO_BLK_F_RO) ? FE_BLK_F_READ_ONLY : 0);
	b->max_sectors = MAX_SECTORS;
	if (!(b->features & VIRTIO_BLK_F_SIZE_MAX))
		return FE_OK;
	uint32_t size_max = b->v.device_len >= CFG_SIZE_MAX + 4
	                    ? *(volatile uint32_t *)(b->v.device + CFG_SIZE_MAX) : 0;
	if (size_max < FE_BLK_SECTOR) {
		b->v.why = "the device's size_max is missing or below one sector";
		return FE_ERR_BAD_FORMAT;
	}
	if (size_max / FE_BLK_SECTOR < b->max_sectors)
		b->max_sectors = size_max / FE_BLK_SECTOR;
	return FE_OK;
}

/* What an attach reply grants: the doorbell (SIGNAL) and this process (WAIT). */
static fe_status_t make_grants(struct blk *b)
{
	fe_status_t st;

	if ((st = fe_notif_create(&b->ack)) != FE_OK ||
	    (st = fe_handle_dup(b->notif, FE_RIGHT_SIGNAL | FE_RIGHT_TRANSFER, 0, &b->doorbell)) != FE_OK ||
	    (st = fe_handle_dup(fe_self, FE_RIGHT_WAIT | FE_RIGHT_TRANSFER, 0, &b->self_wait)) != FE_OK)
		b->v.why = "cannot make the attach reply's capabilities";
	return st;
}

static fe_status_t start(struct blk *b, fe_handle_t dev)
{
	fe_status_t st;

	if ((st = fe_virtio_open(dev, &b->v)) != FE_OK)
		return st;
	if ((st = fe_notif_create(&b->notif)) != FE_OK ||
	    (st = fe_pci_irq_bind(dev, 0, b->notif, BIT_IRQ)) != FE_OK) {
		b->v.why = "cannot bind MSI-X entry 0";
		return st;
	}
	if ((st = setup_headers(b)) != FE_OK || (st = make_grants(b)) != FE_OK ||
	    (st = blk_device_init(b, true)) != FE_OK)
		return st;
	return read_config(b);
}

void blk_dma_fault(void)
{
	(void)fe_notif_signal(blk.notif, 1ULL << BIT_DMA_FAULT);
	/* The kernel ends the process from the IOMMU's fault. Heartbeats go
	 * unanswered meanwhile: a fault that never comes is a hang. */
	for (;;)
		(void)fe_thread_sleep(NS_PER_S);
}

/* The FE_FAULT_DMA hook where an IOMMU translates the device's DMA; *confined says so. */
static fe_status_t offer_dma_fault(struct blk *b, bool *confined)
{
	fe_status_t st = fe_service_set_dma_fault(b->v.dev, blk_dma_fault);

	*confined = st == FE_OK;
	if (st == FE_ERR_UNSUPPORTED)
		return FE_OK; /* no IOMMU: `crash blk dma` stays refused */
	if (st != FE_OK)
		b->v.why = "cannot ask whether its DMA is translated";
	return st;
}

int main(int argc, char **argv)
{
	struct blk *b = &blk;
	fe_handle_t thread;
	bool confined = false;
	uint64_t bits;
	fe_status_t st;

	(void)argc, (void)argv;
	if ((st = start(b, fe_start_handle(FE_START_USER0))) != FE_OK ||
	    (st = offer_dma_fault(b, &confined)) != FE_OK) {
		printf("virtio-blk: cannot start: %s (%s)\n", b->v.why ? b->v.why : "?", fe_status_name(st));
		return 1;
	}
	printf("virtio-blk: %llu sectors%s%s, queue of %u, %u sectors a request, %u in flight%s\n",
	       (unsigned long long)b->capacity, (b->flags & FE_BLK_F_FLUSH) ? ", flush" : "",
	       (b->flags & FE_BLK_F_READ_ONLY) ? ", read-only" : "", b->q.size, b->max_sectors,
	       FE_BLK_DEPTH, confined ? ", DMA confined by the IOMMU" : "");
	fe_flush(); /* from here on the data thread may print too */
	/* Served only once the data thread runs (it says so on `ack`). */
	if ((st = fe_thread_spawn(blk_datapath, b, FE_PRIORITY_DEFAULT, &thread)) != FE_OK ||
	    (st = fe_notif_wait(b->ack, 0, &bits)) != FE_OK) {
		printf("virtio-blk: cannot start the data thread: %s\n", fe_status_name(st));
		return 2;
	}
	st = blk_serve(b, fe_start_handle(FE_START_ENDPOINT));
	printf("virtio-blk: endpoint failed: %s\n", fe_status_name(st));
	return 3;
}
