/* SPDX-License-Identifier: MIT */
/*
 * Memory objects: a fixed number of physical pages, allocated and zeroed at
 * creation and charged to the creator's budget, shareable by mapping them
 * into several address spaces. A VMO made over existing memory (the ramdisk)
 * does not own its pages.
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
};

void vmo_init_cache(void);
/* `size` bytes of zeroed pages charged to b, preferably on NUMA node `node`
 * (the home node of the process it is made for). */
fe_status_t vmo_create(struct budget *b, uint32_t node, uint64_t size, struct vmo **out);
/* A VMO over physically contiguous memory the kernel keeps (not freed). */
fe_status_t vmo_create_physical(uint64_t phys, uint64_t size, struct vmo **out);

/* Copies between the VMO and a kernel buffer or user memory. */
fe_status_t vmo_write_kernel(struct vmo *v, uint64_t offset, const void *src, uint64_t len);
fe_status_t vmo_copy_user(struct vmo *v, uint64_t offset, uint64_t ubuf, uint64_t len, bool to_vmo);

/* The physical page at `offset` of a mappable object (VMO or MMIO) and
 * whether it must be mapped uncached. */
fe_status_t mem_page(struct kobj *mem, uint64_t offset, uint64_t *phys, bool *uncached);
/* The size of a mappable object, or 0 if the object is not mappable. */
uint64_t mem_size(struct kobj *mem);

#endif /* FERROUS_OBJECT_VMO_H */
