/* SPDX-License-Identifier: MIT */
#include "slab.h"

#include <stdbool.h>

#define SLAB_MAGIC 0x534c4142u /* "SLAB" */
#define NO_OBJ UINT32_MAX

/* The header at the start of every slab. */
struct slab {
	struct slab *next, *prev;
	struct slab_cache *cache;
	uint32_t magic;
	uint32_t inuse;
	uint32_t free_head; /* index of the first free object, or NO_OBJ */
	uint32_t pad;
	uint64_t used[SLAB_MAX_OBJS / 64]; /* allocation bitmap */
};

static size_t slab_bytes(const struct slab_cache *c)
{
	return (size_t)SLAB_PAGE << c->order;
}

static uint8_t *obj_at(const struct slab_cache *c, struct slab *s, uint32_t i)
{
	return (uint8_t *)s + c->first_offset + (size_t)i * c->obj_size;
}

static uint32_t *next_link(uint8_t *obj)
{
	return (uint32_t *)(void *)obj;
}

fe_status_t slab_cache_init(struct slab_cache *c, const char *name, size_t size, size_t align,
                            unsigned flags, const struct slab_backend *backend)
{
	if (size == 0 || align == 0 || (align & (align - 1)) != 0 || align > SLAB_PAGE ||
	    backend == NULL)
		return FE_ERR_INVALID_ARG;
	if (align < sizeof(uint64_t))
		align = sizeof(uint64_t);
	size_t obj = (size + align - 1) & ~(align - 1);
	size_t first = (sizeof(struct slab) + align - 1) & ~(align - 1);

	unsigned order = 0;
	while (order < SLAB_MAX_ORDER && ((SLAB_PAGE << order) - first) / obj < 8)
		order++;
	size_t n = ((SLAB_PAGE << order) - first) / obj;
	if (n == 0)
		return FE_ERR_INVALID_ARG;
	if (n > SLAB_MAX_OBJS)
		n = SLAB_MAX_OBJS;

	*c = (struct slab_cache){
		.name = name, .obj_size = (uint32_t)obj, .align = (uint32_t)align, .order = order,
		.objs_per_slab = (uint32_t)n, .first_offset = (uint32_t)first, .flags = flags,
		.backend = backend,
	};
	return FE_OK;
}

static void list_add(struct slab **head, struct slab *s)
{
	s->prev = NULL;
	s->next = *head;
	if (*head)
		(*head)->prev = s;
	*head = s;
}

static void list_del(struct slab **head, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static void poison(const struct slab_cache *c, uint8_t *obj)
{
	if (c->flags & SLAB_POISON)
		__builtin_memset(obj + sizeof(uint32_t), SLAB_POISON_BYTE, c->obj_size - sizeof(uint32_t));
}

static bool poison_intact(const struct slab_cache *c, const uint8_t *obj)
{
	if (!(c->flags & SLAB_POISON))
		return true;
	for (uint32_t i = sizeof(uint32_t); i < c->obj_size; i++)
		if (obj[i] != SLAB_POISON_BYTE)
			return false;
	return true;
}

static fe_status_t slab_grow(struct slab_cache *c)
{
	void *mem;
	fe_status_t st = c->backend->alloc_pages(c->order, &mem);
	if (st != FE_OK)
		return st;

	struct slab *s = mem;
	*s = (struct slab){ .cache = c, .magic = SLAB_MAGIC, .free_head = 0 };
	for (uint32_t i = 0; i < c->objs_per_slab; i++) {
		uint8_t *o = obj_at(c, s, i);
		*next_link(o) = i + 1 < c->objs_per_slab ? i + 1 : NO_OBJ;
		poison(c, o);
	}
	list_add(&c->partial, s);
	c->slabs++;
	return FE_OK;
}

fe_status_t slab_alloc(struct slab_cache *c, void **out)
{
	if (c->partial == NULL && c->empty != NULL) {
		list_add(&c->partial, c->empty);
		c->empty = NULL;
	}
	if (c->partial == NULL) {
		fe_status_t st = slab_grow(c);
		if (st != FE_OK)
			return st;
	}
	struct slab *s = c->partial;
	uint32_t i = s->free_head;
	uint8_t *o = obj_at(c, s, i);
	uint32_t next = *next_link(o);
	if (!poison_intact(c, o) || (next != NO_OBJ && next >= c->objs_per_slab)) {
		c->bad_object = o;
		return FE_ERR_BAD_STATE;
	}
	s->free_head = next;
	s->used[i / 64] |= 1ULL << (i % 64);
	s->inuse++;
	if (s->free_head == NO_OBJ) {
		list_del(&c->partial, s);
		list_add(&c->full, s);
	}
	c->inuse++;
	c->allocs++;
	*out = o;
	return FE_OK;
}

/* The slab holding obj, with obj's index; FE_ERR_INVALID_ARG if it is not one of c's. */
static fe_status_t locate(struct slab_cache *c, void *obj, struct slab **sp, uint32_t *ip)
{
	uintptr_t p = (uintptr_t)obj;
	struct slab *s = (struct slab *)(p & ~(uintptr_t)(slab_bytes(c) - 1));

	if (obj == NULL || s->magic != SLAB_MAGIC || s->cache != c)
		return FE_ERR_INVALID_ARG;
	uintptr_t off = p - (uintptr_t)s;
	if (off < c->first_offset || (off - c->first_offset) % c->obj_size != 0)
		return FE_ERR_INVALID_ARG;
	uint32_t i = (uint32_t)((off - c->first_offset) / c->obj_size);
	if (i >= c->objs_per_slab)
		return FE_ERR_INVALID_ARG;
	*sp = s;
	*ip = i;
	return FE_OK;
}

/* Moves a slab to the list its new fill level calls for, after a free. */
static void refile_after_free(struct slab_cache *c, struct slab *s)
{
	if (s->inuse + 1 == c->objs_per_slab) { /* was full */
		list_del(&c->full, s);
		list_add(&c->partial, s);
	}
	if (s->inuse != 0)
		return;
	list_del(&c->partial, s);
	if (c->empty == NULL) {
		c->empty = s;
		return;
	}
	s->magic = 0;
	c->backend->free_pages(s, c->order);
	c->slabs--;
}

fe_status_t slab_free(struct slab_cache *c, void *obj)
{
	struct slab *s;
	uint32_t i;

	c->bad_object = obj;
	fe_status_t st = locate(c, obj, &s, &i);
	if (st != FE_OK)
		return st;
	if (!(s->used[i / 64] & (1ULL << (i % 64))))
		return FE_ERR_BAD_STATE; /* double free */
	s->used[i / 64] &= ~(1ULL << (i % 64));
	uint8_t *o = obj;
	*next_link(o) = s->free_head;
	poison(c, o);
	s->free_head = i;
	s->inuse--;
	c->inuse--;
	c->frees++;
	c->bad_object = NULL;
	refile_after_free(c, s);
	return FE_OK;
}

fe_status_t slab_cache_destroy(struct slab_cache *c)
{
	if (c->inuse != 0)
		return FE_ERR_BUSY;
	/* With nothing in use, every slab is empty: only partial and empty hold any. */
	while (c->partial) {
		struct slab *s = c->partial;
		list_del(&c->partial, s);
		s->magic = 0;
		c->backend->free_pages(s, c->order);
	}
	if (c->empty) {
		c->empty->magic = 0;
		c->backend->free_pages(c->empty, c->order);
		c->empty = NULL;
	}
	c->slabs = 0;
	return FE_OK;
}
