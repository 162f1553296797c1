/* SPDX-License-Identifier: MIT */
/*
 * Slab caches: fixed-size objects carved from runs of pages, one cache per
 * object type (as in Bonwick's slab allocator, without constructors).
 *
 * Pure logic (host-tested): pages come from a backend, and the cache takes no
 * lock (kernel/mm/kmem.c adds the lock and the kernel backend).
 *
 * Checks: every free is validated (the pointer must be an object boundary in
 * a slab of this cache: otherwise FE_ERR_INVALID_ARG) and an allocation
 * bitmap catches double frees (FE_ERR_BAD_STATE). With SLAB_POISON, a freed
 * object is filled with SLAB_POISON_BYTE and checked when handed out again,
 * so a write after free is reported (FE_ERR_BAD_STATE from slab_alloc).
 */
#ifndef FERROUS_MM_SLAB_H
#define FERROUS_MM_SLAB_H

#include <stddef.h>
#include <stdint.h>

#include <ferrous/errors.h>

#define SLAB_POISON 0x1u
#define SLAB_POISON_BYTE 0x6b
#define SLAB_MAX_OBJS 512u
#define SLAB_MAX_ORDER 3u /* slabs up to 8 pages */
#define SLAB_PAGE 4096u

struct slab_backend {
	/* 2^order pages aligned to their size: FE_OK or FE_ERR_NO_MEMORY. */
	fe_status_t (*alloc_pages)(unsigned order, void **va);
	void (*free_pages)(void *va, unsigned order);
};

struct slab;

struct slab_cache {
	const char *name;
	uint32_t obj_size;      /* bytes per object, a multiple of align */
	uint32_t align;
	uint32_t order;         /* each slab is 2^order pages */
	uint32_t objs_per_slab;
	uint32_t first_offset;  /* offset of object 0 inside a slab */
	unsigned flags;
	const struct slab_backend *backend;
	struct slab *partial;   /* slabs with at least one free object */
	struct slab *full;
	struct slab *empty;     /* at most one fully free slab kept for reuse */
	uint64_t slabs;         /* slabs held, including the empty one */
	uint64_t inuse;         /* objects handed out */
	uint64_t allocs, frees;
	void *bad_object;       /* the object an error was about, for reports */
};

/*
 * Sets up a cache for objects of `size` bytes aligned to `align` (a power of
 * two, at most 4096). FE_ERR_INVALID_ARG if size is 0, the alignment is not a
 * power of two, or the object is too big for a slab of SLAB_MAX_ORDER.
 */
fe_status_t slab_cache_init(struct slab_cache *c, const char *name, size_t size, size_t align,
                            unsigned flags, const struct slab_backend *backend);

/* An object (contents unspecified): FE_OK, FE_ERR_NO_MEMORY, or
 * FE_ERR_BAD_STATE if a poisoned free object was written after its free
 * (c->bad_object names it; it is not handed out). */
fe_status_t slab_alloc(struct slab_cache *c, void **out);

/* Returns obj to c: FE_OK, FE_ERR_INVALID_ARG or FE_ERR_BAD_STATE (see above). */
fe_status_t slab_free(struct slab_cache *c, void *obj);

/* Frees every slab: FE_OK, or FE_ERR_BUSY (nothing freed) if objects remain. */
fe_status_t slab_cache_destroy(struct slab_cache *c);

#endif /* FERROUS_MM_SLAB_H */
