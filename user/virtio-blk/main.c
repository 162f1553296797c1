/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk: the block driver, an ordinary process (ADR 0011). It holds a
 * pci-device capability for one virtio block device (start slot
 * FE_START_USER0) and serves the block protocol (ferrous/block.h) on the
 * endpoint in FE_START_ENDPOINT. It claims the device by mapping its
 * virtqueue for DMA and binding MSI-X entry 0; if it dies, the kernel
 * quiesces the device, and the next instance starts from a reset.
 *
 * One request is in flight at a time (the endpoint serves one call at a
 * time); each is answered only once the device has completed it.
 */
#include <fe/ipc.h>
#include <fe/runtime.h>
#include <fe/service.h>
#include <fe/sys.h>
#include <fe/virtio.h>

#include <ferrous/block.h>

#define VIRTIO_BLK_F_SIZE_MAX (1ULL << 1)
#define VIRTIO_BLK_F_RO (1ULL << 5)
#define VIRTIO_BLK_F_FLUSH (1ULL << 9)
#define T_IN 0u
#define T_OUT 1u
#define T_FLUSH 4u
#define S_OK 0u
#define S_UNSUPP 2u
#define QUEUE_SIZE 64u
/*
 * The most a request moves: 1 MiB, in one data descriptor (the data lives in
 * the client's physically contiguous buffer). QEMU takes a descriptor of
 * that size whole; a device that offers VIRTIO_BLK_F_SIZE_MAX gets requests
 * no larger than its size_max instead (b->max_sectors).
 */
#define MAX_SECTORS 2048u
#define CFG_SIZE_MAX 8u /* device configuration: le32 size_max, after le64 capacity */
#define IRQ_BIT 0u
#define PAGE 4096ull

struct req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct blk {
	struct fe_virtio v;
	struct fe_virtq q;
	fe_handle_t notif;
	uint64_t capacity;       /* sectors */
	uint32_t flags;          /* FE_BLK_F_* */
	uint32_t max_sectors;    /* per request: MAX_SECTORS or the device's size_max, >= 1 */
	fe_handle_t hdr_vmo;     /* the request header and status byte, device-visible */
	uint64_t hdr_dev;
	volatile struct req_hdr *hdr;
	volatile uint8_t *status;
	fe_handle_t data;        /* the client's attached VMO, DMA-mapped */
	uint64_t data_dev, data_size;
};

static fe_status_t setup_header(struct blk *b)
{
	uint64_t va = fe_va_alloc(PAGE);
	fe_status_t st;

	if (va == 0)
		return FE_ERR_NO_RESOURCES;
	if ((st = fe_vmo_create_flags(PAGE, FE_VMO_CONTIGUOUS, &b->hdr_vmo)) != FE_OK ||
	    (st = fe_vm_map(fe_self, b->hdr_vmo, 0, va, PAGE, FE_VM_READ | FE_VM_WRITE)) != FE_OK ||
	    (st = fe_pci_dma_map(b->v.dev, b->hdr_vmo, 0, PAGE,
	                         FE_DMA_DEVICE_READ | FE_DMA_DEVICE_WRITE, &b->hdr_dev)) != FE_OK)
		return st;
	b->hdr = (volatile struct req_hdr *)(uintptr_t)va;
	b->status = (volatile uint8_t *)(uintptr_t)(va + sizeof(struct req_hdr));
	return FE_OK;
}

/* b->max_sectors: MAX_SECTORS, or fewer if the device's size_max says so. */
static fe_status_t request_limit(struct blk *b, uint64_t features)
{
	b->max_sectors = MAX_SECTORS;
	if (!(features & VIRTIO_BLK_F_SIZE_MAX))
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

static fe_status_t start(struct blk *b, fe_handle_t dev)
{
	uint64_t features;
	fe_status_t st;

	if ((st = fe_virtio_open(dev, &b->v)) != FE_OK ||
	    (st = fe_virtio_negotiate(&b->v, VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_RO | VIRTIO_BLK_F_SIZE_MAX,
	                              &features)) != FE_OK)
		return st;
	if (b->v.device_len < 8) {
		b->v.why = "the device configuration is too short for a capacity";
		return FE_ERR_BAD_FORMAT;
	}
	b->capacity = *(volatile uint64_t *)b->v.device;
	if ((st = request_limit(b, features)) != FE_OK)
		return st;
	b->flags = ((features & VIRTIO_BLK_F_FLUSH) ? FE_BLK_F_FLUSH : 0) |
	           ((features & VIRTIO_BLK_F_RO) ? FE_BLK_F_READ_ONLY : 0);
	if ((st = fe_notif_create(&b->notif)) != FE_OK ||
	    (st = fe_pci_irq_bind(dev, 0, b->notif, IRQ_BIT)) != FE_OK) {
		b->v.why = "cannot bind MSI-X entry 0";
		return st;
	}
	if ((st = fe_virtq_setup(&b->v, 0, QUEUE_SIZE, 0, &b->q)) != FE_OK)
		return st;
	if ((st = setup_header(b)) != FE_OK) {
		b->v.why = "no memory for request headers";
		return st;
	}
	fe_virtio_ready(&b->v);
	return FE_OK;
}

/* Submits one request and waits for the device to complete it. */
static fe_status_t submit(struct blk *b, uint32_t type, uint64_t sector, uint64_t data_dev,
                          uint32_t len)
{
	struct fe_virtq_desc d[3];
	unsigned n = 0;
	uint16_t head, done;
	uint32_t written;
	uint64_t bits;
	fe_status_t st;

	b->hdr->type = type;
	b->hdr->reserved = 0;
	b->hdr->sector = sector;
	*b->status = 0xff;
	d[n++] = (struct fe_virtq_desc){ .addr = b->hdr_dev, .len = sizeof(struct req_hdr) };
	if (len)
		d[n++] = (struct fe_virtq_desc){ .addr = data_dev, .len = len,
		                                 .flags = type == T_IN ? FE_VIRTQ_DESC_WRITE : 0 };
	d[n++] = (struct fe_virtq_desc){ .addr = b->hdr_dev + sizeof(struct req_hdr), .len = 1,
	                                 .flags = FE_VIRTQ_DESC_WRITE };
	if ((st = fe_virtq_add(&b->q, d, n, &head)) != FE_OK)
		return st;
	fe_virtq_kick(&b->q);
	for (;;) {
		while (fe_virtq_take(&b->q, &done, &written))
			if (done == head)
				goto completed;
		if ((st = fe_notif_wait(b->notif, 0, &bits)) != FE_OK)
			return st;
	}
completed:
	return *b->status == S_OK ? FE_OK : *b->status == S_UNSUPP ? FE_ERR_UNSUPPORTED : FE_ERR_FAULT;
}

static fe_status_t attach(struct blk *b, const struct fe_msg *m)
{
	fe_handle_t cap;
	unsigned n = 0;
	uint64_t size = m->w[0], dev_addr;
	fe_status_t st = fe_msg_take_caps(m, &cap, 1, &n);

	if (st != FE_OK || n != 1)
		return st != FE_OK ? st : FE_ERR_INVALID_ARG;
	if ((st = fe_pci_dma_map(b->v.dev, cap, 0, size, FE_DMA_DEVICE_READ | FE_DMA_DEVICE_WRITE,
	                         &dev_addr)) != FE_OK) {
		(void)fe_handle_delete(cap);
		return st;
	}
	if (b->data != FE_HANDLE_INVALID) {
		(void)fe_pci_dma_unmap(b->v.dev, b->data_dev);
		(void)fe_handle_delete(b->data);
	}
	b->data = cap;
	b->data_dev = dev_addr;
	b->data_size = size;
	return FE_OK;
}

static fe_status_t transfer(struct blk *b, uint32_t type, const struct fe_msg *m)
{
	uint64_t sector = m->w[0], count = m->w[1], off = m->w[2];

	if (b->data == FE_HANDLE_INVALID)
		return FE_ERR_BAD_STATE;
	if (count == 0 || count > b->max_sectors)
		return FE_ERR_INVALID_ARG;
	if (sector > b->capacity || count > b->capacity - sector ||
	    off > b->data_size || count * FE_BLK_SECTOR > b->data_size - off)
		return FE_ERR_OUT_OF_RANGE;
	if (type == T_OUT && (b->flags & FE_BLK_F_READ_ONLY))
		return FE_ERR_ACCESS_DENIED;
	return submit(b, type, sector, b->data_dev + off, (uint32_t)(count * FE_BLK_SECTOR));
}

/* One request; m becomes its reply. */
static void serve(struct blk *b, struct fe_msg *m)
{
	const struct fe_msg req = *m;
	uint32_t label = FE_MSG_LABEL(req.info);
	fe_status_t st;

	*m = (struct fe_msg){ .info = FE_MSG_INFO(label, 4, 0), .w = { 0 } };
	switch (label) {
	case FE_BLK_INFO:
		m->w[1] = b->capacity;
		m->w[2] = b->flags;
		m->w[3] = b->max_sectors;
		st = FE_OK;
		break;
	case FE_BLK_ATTACH: st = attach(b, &req); break;
	case FE_BLK_READ: st = transfer(b, T_IN, &req); break;
	case FE_BLK_WRITE: st = transfer(b, T_OUT, &req); break;
	case FE_BLK_FLUSH:
		st = (b->flags & FE_BLK_F_FLUSH) ? submit(b, T_FLUSH, 0, 0, 0) : FE_OK;
		break;
	default: st = FE_ERR_BAD_SYSCALL; break;
	}
	m->w[0] = (uint64_t)(int64_t)st;
}

int main(int argc, char **argv)
{
	static struct blk b;
	fe_handle_t ep = fe_start_handle(FE_START_ENDPOINT);
	struct fe_msg m;
	fe_status_t st;

	(void)argc, (void)argv;
	if ((st = start(&b, fe_start_handle(FE_START_USER0))) != FE_OK) {
		printf("virtio-blk: cannot start: %s (%s)\n", b.v.why ? b.v.why : "?", fe_status_name(st));
		return 1;
	}
	printf("virtio-blk: %llu sectors%s%s, queue of %u, %u sectors a request\n",
	       (unsigned long long)b.capacity, (b.flags & FE_BLK_F_FLUSH) ? ", flush" : "",
	       (b.flags & FE_BLK_F_READ_ONLY) ? ", read-only" : "", b.q.size, b.max_sectors);
	if ((st = fe_recv(ep, 0, &m)) != FE_OK)
		return 2;
	for (;;) {
		/* The supervisor's control labels (heartbeat, crash injection: fe/service.h). */
		if (fe_service_handle_control(&m)) {
			if ((st = fe_recv(ep, 0, &m)) != FE_OK)
				return 2;
			continue;
		}
		serve(&b, &m);
		if ((st = fe_reply_recv(ep, &m)) != FE_OK) {
			printf("virtio-blk: endpoint failed: %s\n", fe_status_name(st));
			return 3;
		}
	}
}
