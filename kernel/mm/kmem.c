/* SPDX-License-Identifier: MIT */
#include "kmem.h"

#include "core/kernel.h"
#include "core/log.h"
#include "core/panic.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "trace/trace.h"

static fe_status_t pages_alloc(unsigned order, void **va)
{
	uint64_t pa;
	fe_status_t st = frame_alloc(order, &pa);
	if (st == FE_OK)
		*va = phys_to_virt(pa); /* buddy blocks are naturally aligned */
	return st;
}

static void pages_free(void *va, unsigned order)
{
	frame_free(virt_to_phys_direct(va), order);
}

static const struct slab_backend frame_backend = { pages_alloc, pages_free };

/* Every cache, newest first; appended to at boot under the lock. A cache
 * is never removed and its `next` never changes once it is on the list. */
static struct spinlock caches_lock = SPINLOCK_INIT("kmem caches");
static struct kmem_cache *caches GUARDED_BY(caches_lock);
static uint32_t ncaches GUARDED_BY(caches_lock);

void kmem_cache_init(struct kmem_cache *kc, const char *name, size_t size, size_t align)
	NO_THREAD_SAFETY_ANALYSIS
{
	kc->lock = (struct spinlock)SPINLOCK_INIT(name);
	fe_status_t st = slab_cache_init(&kc->slab, name, size, align, FE_DEBUG ? SLAB_POISON : 0,
	                                 &frame_backend);
	if (st != FE_OK)
		panic("kmem_cache_init(%s, size %zu, align %zu): %s", name, size, align,
		      fe_status_name(st));
	irqflags_t f = spin_lock_irqsave(&caches_lock);
	kc->next = caches;
	kc->id = ++ncaches;
	caches = kc;
	spin_unlock_irqrestore(&caches_lock, f);
}

fe_status_t kmem_alloc(struct kmem_cache *kc, void **out)
{
	irqflags_t f = spin_lock_irqsave(&kc->lock);
	uint64_t slabs = kc->slab.slabs;
	fe_status_t st = slab_alloc(&kc->slab, out);
	uint64_t grown = kc->slab.slabs;
	void *bad = kc->slab.bad_object;
	spin_unlock_irqrestore(&kc->lock, f);
	if (st == FE_ERR_BAD_STATE)
		panic("kmem_alloc(%s): free object %p was written after it was freed", kc->slab.name,
		      bad);
	if (grown > slabs) /* the cache took memory (its frame_alloc is traced too) */
		trace_emit(FE_TRACE_SLAB_GROW, kc->id, grown, kc->slab.objs_per_slab, 0);
	return st;
}

fe_status_t kmem_zalloc(struct kmem_cache *kc, void **out)
{
	fe_status_t st = kmem_alloc(kc, out);
	if (st == FE_OK)
		memset(*out, 0, kc->slab.obj_size);
	return st;
}

void kmem_free(struct kmem_cache *kc, void *obj)
{
	irqflags_t f = spin_lock_irqsave(&kc->lock);
	fe_status_t st = slab_free(&kc->slab, obj);
	spin_unlock_irqrestore(&kc->lock, f);
	if (st == FE_ERR_BAD_STATE)
		panic("kmem_free(%s): double free of %p", kc->slab.name, obj);
	if (st != FE_OK)
		panic("kmem_free(%s): %p is not an object of this cache", kc->slab.name, obj);
}

struct kmem_stats kmem_cache_stats(struct kmem_cache *kc)
{
	irqflags_t f = spin_lock_irqsave(&kc->lock);
	struct kmem_stats s = { kc->slab.inuse, kc->slab.slabs, kc->slab.allocs, kc->slab.frees };
	spin_unlock_irqrestore(&kc->lock, f);
	return s;
}

struct kmem_stats kmem_total_stats(void)
{
	struct kmem_stats t = { 0 };
	irqflags_t f = spin_lock_irqsave(&caches_lock);
	struct kmem_cache *kc = caches;

	spin_unlock_irqrestore(&caches_lock, f);
	/* Walked without caches_lock: entries are never removed or relinked,
	 * and leaf locks do not nest (docs/locking.md). */
	for (; kc; kc = kc->next) {
		struct kmem_stats s = kmem_cache_stats(kc);
		t.inuse += s.inuse;
		t.slabs += s.slabs << kc->slab.order;
		t.allocs += s.allocs;
		t.frees += s.frees;
	}
	return t;
}

void kmem_print_caches(void)
{
	irqflags_t f = spin_lock_irqsave(&caches_lock);
	struct kmem_cache *kc = caches;

	spin_unlock_irqrestore(&caches_lock, f);
	for (; kc; kc = kc->next) {
		struct kmem_stats s = kmem_cache_stats(kc);
		pr_info("kmem: cache %s: %llu in use\n", kc->slab.name, (unsigned long long)s.inuse);
	}
}
