/* SPDX-License-Identifier: MIT */
/*
 * Program images: how fe_spawn puts a program's segments into a child.
 *
 * A read-only segment (text, read-only data) is loaded once per spawning
 * process into a memory object that then stays, and every child started
 * from the same ramdisk file maps that object: nothing is copied or zeroed
 * on the next start, and the pages a program runs from stay the same
 * physical pages for all its instances. The cache keeps only a handle
 * without the write right (READ | EXECUTE | MAP), so not even the spawner
 * can change the text its children run; the ramdisk cannot change either,
 * so the file's address in the ramdisk mapping is the cache's key.
 *
 * A writable segment (data and .bss) is copied into a fresh object for each
 * child, as every segment was before the cache.
 *
 * The cached objects are charged to the spawner's budget for its lifetime,
 * IMAGE_SLOTS segments at most; past that, or when the spawner's budget
 * cannot hold one more, a read-only segment is copied like a writable one.
 * Threads may spawn at once: a slot is claimed with a compare-and-swap, and
 * two threads loading the same segment both succeed, one of them caching.
 */
#include <fe/runtime.h>
#include <fe/spawn.h>
#include <fe/sys.h>

#include "elf.h"
#include "internal.h"

#define IMAGE_SLOTS 64u
#define SHARED_RIGHTS (FE_RIGHT_READ | FE_RIGHT_EXECUTE | FE_RIGHT_MAP)

enum { SLOT_FREE, SLOT_FILLING, SLOT_READY };

struct image_slot {
	uint32_t state;        /* SLOT_*: FREE -> FILLING -> READY, never back */
	uint16_t phdr;         /* program header index */
	const uint8_t *file;   /* the ramdisk file: the key with phdr */
	fe_handle_t vmo;       /* SHARED_RIGHTS only */
	uint64_t bytes;
};

static struct image_slot slots[IMAGE_SLOTS];
static uint64_t hits, loads, copies;

static uint32_t prot_of(uint32_t flags)
{
	return ((flags & ELF_PF_R) ? FE_VM_READ : 0) | ((flags & ELF_PF_W) ? FE_VM_WRITE : 0) |
	       ((flags & ELF_PF_X) ? FE_VM_EXEC : 0);
}

/*
 * A memory object covering the segment's pages: the file bytes at their
 * offset within the first page and zeros around them (the .bss).
 */
static fe_status_t segment_vmo(const struct elf_image *img, const struct elf64_phdr *ph,
                               fe_handle_t *out)
{
	uint64_t lo = ALIGN_DOWN(ph->vaddr, PAGE_SIZE);
	uint64_t hi = ALIGN_UP(ph->vaddr + ph->memsz, PAGE_SIZE); /* checked: no wrap */
	fe_handle_t vmo;
	fe_status_t st;

	if ((st = fe_vmo_create(hi - lo, &vmo)) != FE_OK)
		return st;
	for (uint64_t done = 0; st == FE_OK && done < ph->filesz; done += FE_VMO_IO_MAX) {
		uint64_t n = ph->filesz - done < FE_VMO_IO_MAX ? ph->filesz - done : FE_VMO_IO_MAX;
		st = fe_vmo_write(vmo, ph->vaddr - lo + done, img->data + ph->offset + done, n);
	}
	if (st != FE_OK) {
		fe_handle_delete(vmo);
		return st;
	}
	*out = vmo;
	return FE_OK;
}

static struct image_slot *lookup(const struct elf_image *img, unsigned idx)
{
	for (uint32_t i = 0; i < IMAGE_SLOTS; i++) {
		struct image_slot *s = &slots[i];
		if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == SLOT_READY && s->file == img->data &&
		    s->phdr == idx)
			return s;
	}
	return NULL;
}

/* Keeps a read-only copy of `vmo` in a free slot; the caller keeps `vmo`.
 * No free slot or no memory for the handle: not cached, and that is all. */
static void cache(const struct elf_image *img, unsigned idx, fe_handle_t vmo, uint64_t bytes)
{
	for (uint32_t i = 0; i < IMAGE_SLOTS; i++) {
		struct image_slot *s = &slots[i];
		uint32_t free = SLOT_FREE;
		if (!__atomic_compare_exchange_n(&s->state, &free, SLOT_FILLING, false, __ATOMIC_ACQUIRE,
		                                 __ATOMIC_RELAXED))
			continue;
		if (fe_handle_dup(vmo, SHARED_RIGHTS, 0, &s->vmo) != FE_OK) {
			__atomic_store_n(&s->state, SLOT_FREE, __ATOMIC_RELEASE);
			return;
		}
		s->file = img->data;
		s->phdr = (uint16_t)idx;
		s->bytes = bytes;
		__atomic_store_n(&s->state, SLOT_READY, __ATOMIC_RELEASE);
		return;
	}
}

fe_status_t image_load_segment(fe_handle_t child, const struct elf_image *img, unsigned idx,
                               const struct elf64_phdr *ph)
{
	uint64_t lo = ALIGN_DOWN(ph->vaddr, PAGE_SIZE);
	uint64_t len = ALIGN_UP(ph->vaddr + ph->memsz, PAGE_SIZE) - lo;
	uint32_t prot = prot_of(ph->flags);
	bool shared = !(prot & FE_VM_WRITE);
	struct image_slot *s = shared ? lookup(img, idx) : NULL;
	fe_handle_t vmo;
	fe_status_t st;

	/* elf_check_load refuses these already; this is the line that maps. */
	if ((prot & FE_VM_WRITE) && (prot & FE_VM_EXEC))
		return FE_ERR_BAD_FORMAT;
	if (!prot)
		prot = FE_VM_READ;
	if (s) {
		__atomic_add_fetch(&hits, 1, __ATOMIC_RELAXED);
		return fe_vm_map(child, s->vmo, 0, lo, len, prot);
	}
	if ((st = segment_vmo(img, ph, &vmo)) != FE_OK)
		return st;
	if (shared) {
		cache(img, idx, vmo, len);
		__atomic_add_fetch(&loads, 1, __ATOMIC_RELAXED);
	} else {
		__atomic_add_fetch(&copies, 1, __ATOMIC_RELAXED);
	}
	st = fe_vm_map(child, vmo, 0, lo, len, prot);
	fe_handle_delete(vmo); /* the mapping (and the cache) keep the pages */
	return st;
}

void fe_spawn_image_stats(struct fe_spawn_image_stats *out)
{
	*out = (struct fe_spawn_image_stats){
		.hits = __atomic_load_n(&hits, __ATOMIC_RELAXED),
		.loads = __atomic_load_n(&loads, __ATOMIC_RELAXED),
		.copies = __atomic_load_n(&copies, __ATOMIC_RELAXED),
	};
	for (uint32_t i = 0; i < IMAGE_SLOTS; i++) {
		if (__atomic_load_n(&slots[i].state, __ATOMIC_ACQUIRE) != SLOT_READY)
			continue;
		out->segments++;
		out->bytes += slots[i].bytes;
	}
}
