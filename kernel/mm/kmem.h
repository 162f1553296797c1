/* SPDX-License-Identifier: MIT */
/*
 * Kernel object caches: a slab cache per object type, with a lock, pages from
 * the frame allocator, and poison-on-free in debug builds. Running out of
 * memory is an error return; misuse (double free, foreign pointer, write
 * after free) panics with the cache's name.
 */
#ifndef FERROUS_MM_KMEM_H
#define FERROUS_MM_KMEM_H

#include <stddef.h>

#include <ferrous/errors.h>

#include "core/spinlock.h"
#include "mm/slab.h"

struct kmem_cache {
	struct spinlock lock;
	struct slab_cache slab; /* guarded by lock (C attributes cannot name a sibling field) */
	struct kmem_cache *next; /* every cache, for statistics */
	uint32_t id;             /* 1.. in order of creation: the cache in FE_TRACE_SLAB_GROW */
};

/* Sets up kc (storage owned by the caller, usually a static). Panics on bad
 * arguments: caches are created from constant sizes at boot. */
void kmem_cache_init(struct kmem_cache *kc, const char *name, size_t size, size_t align);

/* FE_OK with an object (contents unspecified), or FE_ERR_NO_MEMORY. */
fe_status_t kmem_alloc(struct kmem_cache *kc, void **out);
/* As kmem_alloc, zero-filled. */
fe_status_t kmem_zalloc(struct kmem_cache *kc, void **out);
void kmem_free(struct kmem_cache *kc, void *obj);

struct kmem_stats {
	uint64_t inuse, slabs, allocs, frees;
};
struct kmem_stats kmem_cache_stats(struct kmem_cache *kc);

/* Every cache together: objects handed out (inuse) and frames their slabs
 * hold (slabs counts 4 KiB frames here, empty slabs kept for reuse
 * included). For leak checks: freed objects lower inuse at once, while a
 * cache may keep an empty slab, so frames_free + slab frames is what returns
 * to its earlier value. */
struct kmem_stats kmem_total_stats(void);
/* Prints each cache's objects in use (leak hunts). */
void kmem_print_caches(void);

#endif /* FERROUS_MM_KMEM_H */
