/* SPDX-License-Identifier: MIT */
#include <fe/pci.h>
#include <fe/sys.h>

#define PAGE_BYTES 4096u
#define PCI_BUSES 256u
#define PCI_DEVICES 32u
#define PCI_FUNCTIONS 8u
#define HEADER_MULTI_FUNCTION 0x80u
#define HEADER_BRIDGE 1u

struct walk {
	fe_handle_t root;
	fe_pci_visit_fn visit;
	void *ctx;
	uint64_t seen[PCI_BUSES / 64];
};

static fe_status_t rd(struct walk *w, uint32_t addr, uint32_t off, uint32_t width, uint32_t *v)
{
	return fe_pci_config_read(w->root, addr, off, width, v);
}

static fe_status_t walk_bus(struct walk *w, uint32_t bus);

/* Visits one function; a bridge's secondary bus is walked next. */
static fe_status_t visit_function(struct walk *w, uint32_t addr, uint32_t id, uint32_t header)
{
	uint32_t class_rev, bus;
	fe_status_t st = rd(w, addr, FE_PCI_REVISION, 4, &class_rev);
	struct fe_pci_function f = {
		.addr = addr, .vendor = (uint16_t)id, .device = (uint16_t)(id >> 16),
		.revision = (uint8_t)class_rev, .prog_if = (uint8_t)(class_rev >> 8),
		.subclass = (uint8_t)(class_rev >> 16), .class = (uint8_t)(class_rev >> 24),
		.header_type = (uint8_t)(header & 0x7f),
	};

	if (st != FE_OK)
		return st;
	w->visit(&f, w->ctx);
	if (f.header_type != HEADER_BRIDGE)
		return FE_OK;
	if ((st = rd(w, addr, FE_PCI_SECONDARY_BUS, 1, &bus)) != FE_OK)
		return st;
	return walk_bus(w, bus);
}

static fe_status_t walk_device(struct walk *w, uint32_t bus, uint32_t dev)
{
	for (uint32_t fn = 0; fn < PCI_FUNCTIONS; fn++) {
		uint32_t addr = FE_PCI_ADDR(0, bus, dev, fn), id, header;
		fe_status_t st = rd(w, addr, FE_PCI_VENDOR_ID, 4, &id);
		if (st != FE_OK)
			return st;
		if ((id & 0xffff) == 0xffff) {
			if (fn == 0)
				return FE_OK; /* no device here */
			continue;
		}
		if ((st = rd(w, addr, FE_PCI_HEADER_TYPE, 1, &header)) != FE_OK ||
		    (st = visit_function(w, addr, id, header)) != FE_OK)
			return st;
		if (fn == 0 && (header & HEADER_MULTI_FUNCTION) == 0)
			return FE_OK;
	}
	return FE_OK;
}

static fe_status_t walk_bus(struct walk *w, uint32_t bus)
{
	if (bus >= PCI_BUSES || (w->seen[bus / 64] >> (bus % 64)) & 1)
		return FE_OK;
	w->seen[bus / 64] |= 1ull << (bus % 64);
	for (uint32_t dev = 0; dev < PCI_DEVICES; dev++) {
		fe_status_t st = walk_device(w, bus, dev);
		if (st == FE_ERR_NOT_FOUND)
			return FE_OK; /* the bus is outside every ECAM window */
		if (st != FE_OK)
			return st;
	}
	return FE_OK;
}

fe_status_t fe_pci_enumerate(fe_handle_t root, fe_pci_visit_fn visit, void *ctx)
{
	struct walk w = { .root = root, .visit = visit, .ctx = ctx };

	return walk_bus(&w, 0);
}

fe_status_t fe_pci_dma_translated(fe_handle_t dev, bool *translated)
{
	fe_handle_t vmo;
	uint64_t addr;
	fe_status_t st = fe_vmo_create_flags(PAGE_BYTES, FE_VMO_CONTIGUOUS, &vmo);

	if (st != FE_OK)
		return st;
	st = fe_pci_dma_map(dev, vmo, 0, PAGE_BYTES, FE_DMA_DEVICE_READ | FE_DMA_PHYSICAL, &addr);
	if (st == FE_OK) {
		*translated = false;
		st = fe_pci_dma_unmap(dev, addr);
	} else if (st == FE_ERR_UNSUPPORTED) {
		*translated = true;
		st = FE_OK;
	}
	fe_handle_delete(vmo);
	return st;
}

const char *fe_pci_class_name(uint8_t class)
{
	static const char *const names[] = {
		"unclassified", "mass storage", "network", "display", "multimedia", "memory",
		"bridge", "communication", "system", "input", "docking", "processor", "serial bus",
		"wireless", "intelligent I/O", "satellite", "encryption", "signal processing",
		"accelerator", "instrumentation",
	};

	return class < sizeof(names) / sizeof(names[0]) ? names[class] : "other";
}
