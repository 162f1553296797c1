/* SPDX-License-Identifier: MIT */
/*
 * malloc and free: first fit over one address-ordered free list, so
 * neighbours merge on free. Memory comes from fresh VMOs mapped on demand
 * (at least 64 KiB at a time) and is never returned to the kernel. Arenas
 * are separated by fe_va_alloc's guard pages, so two blocks that touch are
 * always in the same arena and may merge. Not thread-safe (runtime.h).
 */
#include <fe/runtime.h>
#include <fe/sys.h>

#include "internal.h"

#define HEAP_ALIGN 16u
#define ARENA_MIN (64u * 1024)
#define MAX_ALLOC (1ULL << 40)               /* anything larger is a bug */
#define USED_MARK ((struct block *)0x55534544) /* "USED" in a block's next field */

/* The header before every block, free or used. */
struct block {
	size_t size;        /* whole block, header included; a multiple of HEAP_ALIGN */
	struct block *next; /* free: the next free block by address; used: USED_MARK */
};
_Static_assert(sizeof(struct block) == HEAP_ALIGN, "payloads stay 16-byte aligned");

static struct block *free_list;

_Noreturn static void heap_corrupt(const char *why, const void *p)
{
	printf("%s: heap: %s (%p)\n", fe_start_info ? fe_start_info->args : "?", why, p);
	fe_flush();
	__builtin_trap(); /* a fault, so the parent sees where */
}

/* Returns b to the free list, merging it with the free blocks it touches. */
static void release(struct block *b)
{
	struct block **link = &free_list, *prev = NULL;

	while (*link && *link < b) {
		prev = *link;
		link = &(*link)->next;
	}
	if (*link == b || (prev && (char *)prev + prev->size > (char *)b))
		heap_corrupt("block freed twice or overlapping", b + 1);
	b->next = *link;
	*link = b;
	if (b->next && (char *)b + b->size == (char *)b->next) {
		b->size += b->next->size;
		b->next = b->next->next;
	}
	if (prev && (char *)prev + prev->size == (char *)b) {
		prev->size += b->size;
		prev->next = b->next;
	}
}

/* Takes the first free block of at least `need` bytes, split if worth it. */
static struct block *take(size_t need)
{
	for (struct block **link = &free_list; *link; link = &(*link)->next) {
		struct block *b = *link;
		if (b->size < need)
			continue;
		if (b->size - need >= 2 * sizeof(struct block)) {
			struct block *rest = (struct block *)((char *)b + need);
			rest->size = b->size - need;
			rest->next = b->next;
			b->size = need;
			*link = rest;
		} else {
			*link = b->next;
		}
		return b;
	}
	return NULL;
}

/* Maps a new arena big enough for `need`; false if the kernel says no. */
static bool grow(size_t need)
{
	uint64_t size = ALIGN_UP(MAX((uint64_t)need, (uint64_t)ARENA_MIN), PAGE_SIZE);
	fe_handle_t vmo;
	void *va;

	if (fe_map_new(size, FE_VM_READ | FE_VM_WRITE, &vmo, &va) != FE_OK)
		return false;
	fe_handle_delete(vmo); /* the mapping keeps the pages; we never unmap */
	struct block *b = va;
	b->size = (size_t)size;
	release(b);
	return true;
}

void *malloc(size_t size)
{
	if (size == 0 || size > MAX_ALLOC)
		return NULL;
	size_t need = ALIGN_UP(size + sizeof(struct block), (size_t)HEAP_ALIGN);
	struct block *b = take(need);

	if (!b && grow(need))
		b = take(need);
	if (!b)
		return NULL;
	b->next = USED_MARK;
	return b + 1;
}

void free(void *p)
{
	if (!p)
		return;
	struct block *b = (struct block *)p - 1;
	if ((uintptr_t)p % HEAP_ALIGN != 0 || b->next != USED_MARK)
		heap_corrupt("free of a pointer malloc did not return", p);
	release(b);
}

void *calloc(size_t n, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(n, size, &total))
		return NULL;
	void *p = malloc(total);
	if (p)
		memset(p, 0, total);
	return p;
}

void *realloc(void *p, size_t size)
{
	if (!p)
		return malloc(size);
	if (size == 0) {
		free(p);
		return NULL;
	}
	struct block *b = (struct block *)p - 1;
	if (b->next != USED_MARK)
		heap_corrupt("realloc of a pointer malloc did not return", p);
	size_t have = b->size - sizeof(struct block);
	if (size <= have)
		return p;
	void *q = malloc(size);
	if (q) {
		memcpy(q, p, have);
		free(p);
	}
	return q;
}
