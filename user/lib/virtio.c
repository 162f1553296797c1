/* SPDX-License-Identifier: MIT */
/* Modern virtio-pci transport and split virtqueues (fe/virtio.h). */
#include <fe/runtime.h>
#include <fe/sys.h>
#include <fe/virtio.h>

#include <ferrous/pci.h>

/* Vendor capability types (virtio 1.x, 4.1.4). */
#define CFG_COMMON 1u
#define CFG_NOTIFY 2u
#define CFG_ISR 3u
#define CFG_DEVICE 4u
#define CAP_LIST_MAX 48u

/* Common configuration offsets (4.1.4.3). */
#define C_DFSELECT 0x00
#define C_DF 0x04
#define C_GFSELECT 0x08
#define C_GF 0x0c
#define C_MSIX 0x10
#define C_NUMQ 0x12
#define C_STATUS 0x14
#define C_QSELECT 0x16
#define C_QSIZE 0x18
#define C_QMSIX 0x1a
#define C_QENABLE 0x1c
#define C_QNOFF 0x1e
#define C_QDESC 0x20
#define C_QDRIVER 0x28
#define C_QDEVICE 0x30
#define COMMON_LEN 0x38u

#define S_ACK 1u
#define S_DRIVER 2u
#define S_DRIVER_OK 4u
#define S_FEATURES_OK 8u

#define RING_BYTES (2 * 4096ULL)
#define AVAIL_OFF 4096u
#define USED_OFF 5120u
#define QUEUE_MAX 256u

static uint8_t rd8(volatile uint8_t *b, uint32_t off) { return b[off]; }
static uint16_t rd16(volatile uint8_t *b, uint32_t off) { return *(volatile uint16_t *)(b + off); }
static uint32_t rd32(volatile uint8_t *b, uint32_t off) { return *(volatile uint32_t *)(b + off); }
static void wr8(volatile uint8_t *b, uint32_t off, uint8_t x) { b[off] = x; }
static void wr16(volatile uint8_t *b, uint32_t off, uint16_t x) { *(volatile uint16_t *)(b + off) = x; }
static void wr32(volatile uint8_t *b, uint32_t off, uint32_t x) { *(volatile uint32_t *)(b + off) = x; }
static void wr64(volatile uint8_t *b, uint32_t off, uint64_t x)
{
	wr32(b, off, (uint32_t)x);
	wr32(b, off + 4, (uint32_t)(x >> 32));
}

static fe_status_t fail(struct fe_virtio *v, fe_status_t st, const char *why)
{
	v->why = why;
	return st;
}

static fe_status_t cfg(struct fe_virtio *v, uint32_t off, uint32_t width, uint32_t *out)
{
	return fe_pci_config_read(v->dev, FE_PCI_SELF, off, width, out);
}

/* BAR `i` mapped (once), its size in *size. */
static fe_status_t map_bar(struct fe_virtio *v, uint32_t i)
{
	struct fe_pci_bar_info info;
	fe_status_t st;

	if (v->bar[i] != FE_HANDLE_INVALID)
		return FE_OK;
	if ((st = fe_pci_bar(v->dev, i, &v->bar[i], &info)) != FE_OK)
		return fail(v, st, "a virtio structure's BAR has no capability");
	if (info.kind == FE_PCI_BAR_IO)
		return fail(v, FE_ERR_BAD_FORMAT, "a virtio structure is in an I/O BAR");
	uint64_t va = fe_va_alloc(info.size), hole_end = info.kernel_off + info.kernel_len;
	if (va == 0)
		return fail(v, FE_ERR_NO_RESOURCES, "no address space for a BAR");
	/* Around the kernel's pages (the MSI-X table), which stay unmapped. */
	if (info.kernel_len == 0)
		st = fe_vm_map(fe_self, v->bar[i], 0, va, info.size, FE_VM_READ | FE_VM_WRITE);
	else if ((st = info.kernel_off ? fe_vm_map(fe_self, v->bar[i], 0, va, info.kernel_off,
	                                           FE_VM_READ | FE_VM_WRITE) : FE_OK) == FE_OK &&
	         hole_end < info.size)
		st = fe_vm_map(fe_self, v->bar[i], hole_end, va + hole_end, info.size - hole_end,
		               FE_VM_READ | FE_VM_WRITE);
	if (st != FE_OK)
		return fail(v, st, "cannot map a BAR");
	v->bar_va[i] = va;
	v->bar_hole_off[i] = info.kernel_off;
	v->bar_hole_len[i] = info.kernel_len;
	v->bar_size[i] = info.size;
	return FE_OK;
}

/* One vendor capability at `cap`: maps what it names. */
static fe_status_t take_cap(struct fe_virtio *v, uint32_t cap)
{
	uint32_t type, bar, off, len, mult = 0;
	fe_status_t st;

	if ((st = cfg(v, cap + 3, 1, &type)) != FE_OK || (st = cfg(v, cap + 4, 1, &bar)) != FE_OK ||
	    (st = cfg(v, cap + 8, 4, &off)) != FE_OK || (st = cfg(v, cap + 12, 4, &len)) != FE_OK)
		return fail(v, st, "cannot read a virtio capability");
	if (type < CFG_COMMON || type > CFG_DEVICE)
		return FE_OK; /* PCI config access and others: not used */
	if (type == CFG_NOTIFY && (st = cfg(v, cap + 16, 4, &mult)) != FE_OK)
		return fail(v, st, "cannot read the notify multiplier");
	if (bar >= 6)
		return fail(v, FE_ERR_BAD_FORMAT, "a virtio capability names BAR 6 or above");
	if ((st = map_bar(v, bar)) != FE_OK)
		return st;
	if ((uint64_t)off + len > v->bar_size[bar] || len == 0)
		return fail(v, FE_ERR_BAD_FORMAT, "a virtio structure runs past its BAR");
	if (v->bar_hole_len[bar] && off < v->bar_hole_off[bar] + v->bar_hole_len[bar] &&
	    v->bar_hole_off[bar] < (uint64_t)off + len)
		return fail(v, FE_ERR_BAD_FORMAT, "a virtio structure overlaps the MSI-X table");
	volatile uint8_t *at = (volatile uint8_t *)(uintptr_t)(v->bar_va[bar] + off);
	if (type == CFG_COMMON && len >= COMMON_LEN)
		v->common = at;
	else if (type == CFG_NOTIFY) {
		v->notify = at;
		v->notify_mult = mult;
		v->notify_len = len;
	} else if (type == CFG_ISR)
		v->isr = at;
	else if (type == CFG_DEVICE) {
		v->device = at;
		v->device_len = len;
	}
	return FE_OK;
}

/* The MSI-X capability at `cap`: the table's size (message control, bits 0-10, plus one). */
static fe_status_t take_msix(struct fe_virtio *v, uint32_t cap)
{
	uint32_t control;
	fe_status_t st = cfg(v, cap + 2, 2, &control);

	if (st != FE_OK)
		return fail(v, st, "cannot read the MSI-X capability");
	v->msix_entries = (control & 0x7ffu) + 1;
	return FE_OK;
}

fe_status_t fe_virtio_open(fe_handle_t dev, struct fe_virtio *v)
{
	uint32_t status, off, id;
	fe_status_t st;

	*v = (struct fe_virtio){ .dev = dev };
	if ((st = cfg(v, FE_PCI_STATUS, 2, &status)) != FE_OK)
		return fail(v, st, "cannot read the PCI status");
	if (!(status & FE_PCI_STATUS_CAPS) || (st = cfg(v, FE_PCI_CAP_PTR, 1, &off)) != FE_OK)
		return fail(v, FE_ERR_BAD_FORMAT, "no PCI capability list");
	for (unsigned n = 0; (off &= 0xfc) != 0; n++) {
		if (off < FE_PCI_HEADER_END || n == CAP_LIST_MAX)
			return fail(v, FE_ERR_BAD_FORMAT, "a malformed PCI capability list");
		if ((st = cfg(v, off, 1, &id)) != FE_OK)
			return fail(v, st, "cannot read a PCI capability");
		if (id == FE_PCI_CAP_VENDOR && (st = take_cap(v, off)) != FE_OK)
			return st;
		if (id == FE_PCI_CAP_MSIX && (st = take_msix(v, off)) != FE_OK)
			return st;
		if ((st = cfg(v, off + 1, 1, &off)) != FE_OK)
			return fail(v, st, "cannot read a PCI capability");
	}
	if (!v->common || !v->notify || !v->device)
		return fail(v, FE_ERR_BAD_FORMAT, "not a modern virtio device (a structure is missing)");
	if ((st = cfg(v, FE_PCI_COMMAND, 2, &status)) != FE_OK ||
	    (st = fe_pci_config_write(dev, FE_PCI_COMMAND, 2, status | FE_PCI_COMMAND_MEMORY |
	                                                      FE_PCI_COMMAND_BUS_MASTER)) != FE_OK)
		return fail(v, st, "cannot enable memory decoding and bus mastering");
	return FE_OK;
}

void fe_virtio_close(struct fe_virtio *v)
{
	for (unsigned i = 0; i < 6; i++) {
		if (v->bar[i] == FE_HANDLE_INVALID)
			continue;
		if (v->bar_va[i])
			(void)fe_vm_unmap(fe_self, v->bar_va[i], v->bar_size[i]);
		(void)fe_handle_delete(v->bar[i]);
		v->bar[i] = FE_HANDLE_INVALID;
	}
}

void fe_virtio_reset(struct fe_virtio *v)
{
	wr8(v->common, C_STATUS, 0);
	while (rd8(v->common, C_STATUS) != 0)
		(void)fe_thread_yield(); /* the device finishes its reset (4.1.4.3.2) */
}

fe_status_t fe_virtio_negotiate(struct fe_virtio *v, uint64_t wanted, uint64_t *accepted)
{
	uint64_t offered;

	fe_virtio_reset(v);
	wr8(v->common, C_STATUS, S_ACK);
	wr8(v->common, C_STATUS, S_ACK | S_DRIVER);
	wr32(v->common, C_DFSELECT, 0);
	offered = rd32(v->common, C_DF);
	wr32(v->common, C_DFSELECT, 1);
	offered |= (uint64_t)rd32(v->common, C_DF) << 32;
	if (!(offered & FE_VIRTIO_F_VERSION_1))
		return fail(v, FE_ERR_UNSUPPORTED, "the device does not offer VIRTIO_F_VERSION_1");
	*accepted = (wanted | FE_VIRTIO_F_VERSION_1 | FE_VIRTIO_F_ACCESS_PLATFORM) & offered;
	v->dma_flags = (*accepted & FE_VIRTIO_F_ACCESS_PLATFORM) ? 0 : FE_DMA_PHYSICAL;
	wr32(v->common, C_GFSELECT, 0);
	wr32(v->common, C_GF, (uint32_t)*accepted);
	wr32(v->common, C_GFSELECT, 1);
	wr32(v->common, C_GF, (uint32_t)(*accepted >> 32));
	wr8(v->common, C_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	if (!(rd8(v->common, C_STATUS) & S_FEATURES_OK))
		return fail(v, FE_ERR_UNSUPPORTED, "the device refused the features we accepted");
	return FE_OK;
}

/* The rings' memory: contiguous (DMA without an IOMMU), mapped here and for the device. */
static fe_status_t ring_memory(struct fe_virtio *v, struct fe_virtq *q)
{
	uint64_t va = fe_va_alloc(RING_BYTES);
	fe_status_t st;

	if (va == 0)
		return fail(v, FE_ERR_NO_RESOURCES, "no address space for a virtqueue");
	if ((st = fe_vmo_create_flags(RING_BYTES, FE_VMO_CONTIGUOUS, &q->vmo)) != FE_OK)
		return fail(v, st, "no memory for a virtqueue");
	if ((st = fe_vm_map(fe_self, q->vmo, 0, va, RING_BYTES, FE_VM_READ | FE_VM_WRITE)) != FE_OK ||
	    (st = fe_pci_dma_map(v->dev, q->vmo, 0, RING_BYTES,
	                         FE_DMA_DEVICE_READ | FE_DMA_DEVICE_WRITE | v->dma_flags,
	                         &q->dev_addr)) != FE_OK) {
		(void)fe_handle_delete(q->vmo);
		return fail(v, st, "cannot map a virtqueue");
	}
	q->desc = (struct fe_virtq_desc *)(uintptr_t)va;
	q->avail = (volatile uint16_t *)(uintptr_t)(va + AVAIL_OFF);
	q->used = (volatile uint32_t *)(uintptr_t)(va + USED_OFF);
	return FE_OK;
}

/* Tells the device where queue q's rings are, and enables it. */
static fe_status_t program_queue(struct fe_virtio *v, struct fe_virtq *q)
{
	wr16(v->common, C_QSELECT, q->index);
	wr16(v->common, C_QSIZE, q->size);
	wr16(v->common, C_QMSIX, q->vector);
	if (q->vector != FE_VIRTIO_NO_VECTOR && rd16(v->common, C_QMSIX) != q->vector)
		return fail(v, FE_ERR_UNSUPPORTED, "the device refused the queue's MSI-X vector");
	wr64(v->common, C_QDESC, q->dev_addr);
	wr64(v->common, C_QDRIVER, q->dev_addr + AVAIL_OFF);
	wr64(v->common, C_QDEVICE, q->dev_addr + USED_OFF);
	uint64_t noff = (uint64_t)rd16(v->common, C_QNOFF) * v->notify_mult;
	if (noff + sizeof(uint16_t) > v->notify_len)
		return fail(v, FE_ERR_BAD_FORMAT, "a queue's notify address is past the notify structure");
	q->notify_at = (volatile uint16_t *)(uintptr_t)((uintptr_t)v->notify + noff);
	wr16(v->common, C_QENABLE, 1);
	return FE_OK;
}

/* Empty rings: every descriptor on the free list, no chain outstanding. */
static void empty_rings(struct fe_virtq *q)
{
	memset(q->desc, 0, RING_BYTES);
	for (uint16_t i = 0; i < q->size; i++)
		q->desc[i].next = (uint16_t)(i + 1);
	memset(q->chain_len, 0, sizeof(q->chain_len));
	q->free_head = 0;
	q->nfree = q->size;
	q->last_used = 0;
}

fe_status_t fe_virtq_setup(struct fe_virtio *v, uint16_t index, uint16_t max_size,
                           uint16_t vector, struct fe_virtq *q)
{
	fe_status_t st;

	*q = (struct fe_virtq){ .index = index, .vector = vector };
	wr16(v->common, C_QSELECT, index);
	uint16_t size = rd16(v->common, C_QSIZE);
	if (size == 0 || (size & (size - 1)) != 0)
		return fail(v, FE_ERR_BAD_FORMAT, "the device reports a queue size that is 0 or not a power of two");
	if (max_size > QUEUE_MAX)
		max_size = QUEUE_MAX;
	q->size = size < max_size ? size : max_size;
	if ((st = ring_memory(v, q)) != FE_OK)
		return st;
	empty_rings(q);
	return program_queue(v, q);
}

fe_status_t fe_virtq_restart(struct fe_virtio *v, struct fe_virtq *q)
{
	wr16(v->common, C_QSELECT, q->index);
	uint16_t size = rd16(v->common, C_QSIZE);
	if (size < q->size || (size & (size - 1)) != 0)
		return fail(v, FE_ERR_BAD_FORMAT, "a queue shrank or lost its power-of-two size across a reset");
	empty_rings(q);
	return program_queue(v, q);
}

fe_status_t fe_virtio_config_vector(struct fe_virtio *v, uint16_t vector)
{
	wr16(v->common, C_MSIX, vector);
	if (vector != FE_VIRTIO_NO_VECTOR && rd16(v->common, C_MSIX) != vector)
		return fail(v, FE_ERR_UNSUPPORTED, "the device refused the configuration MSI-X vector");
	return FE_OK;
}

void fe_virtio_ready(struct fe_virtio *v)
{
	wr8(v->common, C_STATUS, rd8(v->common, C_STATUS) | S_DRIVER_OK);
}

fe_status_t fe_virtq_add(struct fe_virtq *q, const struct fe_virtq_desc *bufs, unsigned n,
                         uint16_t *head)
{
	if (n == 0 || n > q->nfree)
		return FE_ERR_NO_RESOURCES;
	uint16_t first = q->free_head, d = first;
	for (unsigned i = 0; i < n; i++) {
		uint16_t next = q->desc[d].next;
		q->desc[d].addr = bufs[i].addr;
		q->desc[d].len = bufs[i].len;
		q->desc[d].flags = (uint16_t)(bufs[i].flags | (i + 1 < n ? FE_VIRTQ_DESC_NEXT : 0));
		if (i + 1 < n)
			q->desc[d].next = next;
		d = next;
	}
	q->free_head = d;
	q->nfree = (uint16_t)(q->nfree - n);
	q->chain_len[first] = (uint16_t)n;
	uint16_t idx = q->avail[1];
	q->avail[2 + idx % q->size] = first;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the entry before the index */
	q->avail[1] = (uint16_t)(idx + 1);
	*head = first;
	return FE_OK;
}

void fe_virtq_kick(struct fe_virtq *q)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the index before the notification */
	*q->notify_at = q->index;
}

bool fe_virtq_take(struct fe_virtq *q, uint16_t *head, uint32_t *written)
{
	uint16_t used_idx = (uint16_t)(q->used[0] >> 16);

	if (used_idx == q->last_used)
		return false;
	if ((uint16_t)(used_idx - q->last_used) > q->size) {
		*head = UINT16_MAX; /* more completions than chains could be outstanding */
		*written = 0;
		return true;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the index before the entry */
	uint32_t slot = 1 + 2u * (q->last_used % q->size);
	uint32_t id = q->used[slot];
	*written = q->used[slot + 1];
	q->last_used++;
	if (id >= q->size || q->chain_len[id] == 0) {
		*head = UINT16_MAX; /* a device that names a chain we never gave it */
		return true;
	}
	/* The chain's descriptors go back on the free list. */
	uint16_t d = (uint16_t)id, n = q->chain_len[id];
	for (uint16_t i = 1; i < n; i++)
		d = q->desc[d].next;
	q->desc[d].next = q->free_head;
	q->free_head = (uint16_t)id;
	q->nfree = (uint16_t)(q->nfree + n);
	q->chain_len[id] = 0;
	*head = (uint16_t)id;
	return true;
}
