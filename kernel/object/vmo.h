/* SPDX-License-Identifier: MIT */
/*
 * Memory objects: a fixed number of physical pages, allocated and zeroed at
 * creation and charged to the creator's budget, shareable by mapping them
 * into several address spaces. A VMO made over existing memory (the ramdisk)
 * does not own its pages. A contiguous VMO's pages are one buddy block, for
 * a device that reads them as one without an IOMMU (ADR 0011, decision 3).
 *
 * Every VMO's pages stay where they are for its whole life (never moved,
 * never paged out), so a contiguous one stays contiguous.
 *
 * MMIO regions (object/device.c) answer the same page lookup, so a mapping
 * can show either.
 */
#ifndef FERROUS_OBJECT_VMO_H
#define FERROUS_OBJECT_VMO_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/errors.h>

#include "object/kobj.h"

#define VMO_MAX_SIZE (1ULL << 30)

struct vmo {
	struct kobj obj;
	uint64_t size;      /* bytes, a multiple of the page size */
	uint64_t *pages;    /* physical address of each page */
	unsigned pages_order; /* frames holding the pages array */
	uint32_t node;      /* NUMA node the pages were asked of (they may lie elsewhere
	                       if it ran out): the creating process's home node */
	bool owns_pages;
	uint8_t seal;       /* enum vmo_seal: W^X for the object's whole life */
	/* Contiguous: pages[i] == pages[0] + i * PAGE_SIZE, all of them inside
	 * one buddy block of 2^block_order frames at pages[0] (naturally aligned,
	 * zeroed whole at creation, charged whole), freed as that one block. */
	bool contiguous;
	uint8_t block_order;
};

/*
 * W^X per object (docs/adr/0008-vmo-wx-policy.md). A VMO starts open; its
 * first writable mapping (or use as an IPC buffer) seals it data, its first
 * executable mapping seals it code, for good. Data is never mapped
 * executable; code is never mapped writable nor written (vmo_write, the
 * kernel's loader, IPC). Writes before the first mapping are how a loader
 * fills a segment, so they do not seal.
 */
enum vmo_seal { VMO_OPEN = 0, VMO_DATA = 1, VMO_CODE = 2 };

void vmo_init_cache(void);
/* `size` bytes of zeroed pages charged to b, preferably on NUMA node `node`
 * (the home node of the process it is made for). */
fe_status_t vmo_create(struct budget *b, uint32_t node, uint64_t size, struct vmo **out);
/*
 * As vmo_create, with every page in one naturally aligned buddy block of the
 * smallest order that holds `size` (at most FE_VMO_CONTIGUOUS_MAX, else
 * FE_ERR_INVALID_ARG); the whole block is zeroed and charged to b.
 * FE_ERR_NO_MEMORY if the budget or every node lacks such a block;
 * FE_ERR_CANCELED if the caller was killed while the block was zeroed. On
 * failure nothing is left allocated or charged.
 */
fe_status_t vmo_create_contiguous(struct budget *b, uint32_t node, uint64_t size,
                                  struct vmo **out);
/* A VMO over physically contiguous memory the kernel keeps (not freed). */
fe_status_t vmo_create_physical(uint64_t phys, uint64_t size, struct vmo **out);

/* Copies between the VMO and a kernel buffer or user memory: the whole
 * span or nothing (FE_ERR_OUT_OF_RANGE, FE_ERR_FAULT for a user range that
 * is not wholly readable / writable, FE_ERR_ACCESS_DENIED for writing a
 * code VMO). */
fe_status_t vmo_write_kernel(struct vmo *v, uint64_t offset, const void *src, uint64_t len);
fe_status_t vmo_copy_user(struct vmo *v, uint64_t offset, uint64_t ubuf, uint64_t len, bool to_vmo);

/* FE_ERR_ACCESS_DENIED if a mapping of mem with prot (FE_VM_*) would break
 * its seal; mem_seal then records the mapping's kind once it is made. An
 * MMIO region has no seal (it is never executable). */
fe_status_t mem_seal_check(const struct kobj *mem, uint32_t prot);
void mem_seal(struct kobj *mem, uint32_t prot);

/* The physical page at `offset` of a mappable object (VMO or MMIO) and
 * whether it must be mapped uncached. */
fe_status_t mem_page(struct kobj *mem, uint64_t offset, uint64_t *phys, bool *uncached);
/* The size of a mappable object, or 0 if the object is not mappable. */
uint64_t mem_size(struct kobj *mem);

#endif /* FERROUS_OBJECT_VMO_H */
