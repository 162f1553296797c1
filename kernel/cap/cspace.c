/* SPDX-License-Identifier: MIT */
#include "cap/cspace.h"

#include <stdbool.h>

#include "lib/string.h"

#define GEN_MAX 0xffffffffu

static struct cap *slot_at(const struct cspace *cs, uint32_t index)
{
	return &cs->chunks[index / CSPACE_CHUNK_SLOTS][index % CSPACE_CHUNK_SLOTS];
}

void cspace_init(struct cspace *cs, const struct cspace_env *env, uint32_t max_slots)
{
	memset(cs, 0, sizeof(*cs));
	cs->env = env;
	cs->max_slots = max_slots < CSPACE_MAX_CHUNKS * CSPACE_CHUNK_SLOTS
	                        ? max_slots : CSPACE_MAX_CHUNKS * CSPACE_CHUNK_SLOTS;
}

/* A fresh chunk, its slots threaded onto the free list in index order. */
static fe_status_t grow(struct cspace *cs)
{
	uint32_t first = cs->nchunks * CSPACE_CHUNK_SLOTS;
	void *mem;
	fe_status_t st;

	if (cs->nchunks == CSPACE_MAX_CHUNKS || first >= cs->max_slots)
		return FE_ERR_NO_RESOURCES;
	st = cs->env->alloc(cs->env->ctx, CSPACE_CHUNK_SLOTS * sizeof(struct cap), &mem);
	if (st != FE_OK)
		return st;
	cs->chunks[cs->nchunks++] = mem;
	uint32_t n = cs->max_slots - first < CSPACE_CHUNK_SLOTS ? cs->max_slots - first
	                                                         : CSPACE_CHUNK_SLOTS;
	for (uint32_t i = n; i-- > 0;) {
		struct cap *c = slot_at(cs, first + i);
		c->gen = 1;
		c->index = first + i;
		c->owner = cs;
		c->next_free = cs->free_head;
		cs->free_head = first + i + 1;
	}
	return FE_OK;
}

static fe_status_t take_slot(struct cspace *cs, struct cap **out)
{
	fe_status_t st;

	if (cs->free_head == 0 && (st = grow(cs)) != FE_OK)
		return st;
	struct cap *c = slot_at(cs, cs->free_head - 1);
	cs->free_head = c->next_free;
	c->next_free = 0;
	*out = c;
	return FE_OK;
}

/* Returns an emptied slot; a slot whose generation would wrap is retired. */
static void release_slot(struct cspace *cs, struct cap *c)
{
	c->obj = NULL;
	c->rights = 0;
	c->badge = 0;
	c->type = 0;
	c->parent = c->first_child = c->next_sibling = c->prev_sibling = NULL;
	c->deps = NULL;
	cs->count--;
	if (c->gen == GEN_MAX)
		return;
	c->gen++;
	c->next_free = cs->free_head;
	cs->free_head = c->index + 1;
}

static void link_child(struct cap *parent, struct cap *c)
{
	c->parent = parent;
	c->prev_sibling = NULL;
	c->next_sibling = parent->first_child;
	if (parent->first_child)
		parent->first_child->prev_sibling = c;
	parent->first_child = c;
}

static void unlink(struct cap *c)
{
	if (c->prev_sibling)
		c->prev_sibling->next_sibling = c->next_sibling;
	else if (c->parent)
		c->parent->first_child = c->next_sibling;
	if (c->next_sibling)
		c->next_sibling->prev_sibling = c->prev_sibling;
	c->parent = c->next_sibling = c->prev_sibling = NULL;
}

void cspace_dep_attach(struct cap *c, struct cap_dep *d)
{
	d->cap = c;
	d->prev = NULL;
	d->next = c->deps;
	if (c->deps)
		c->deps->prev = d;
	c->deps = d;
}

void cspace_dep_detach(struct cap_dep *d)
{
	if (!d->cap)
		return;
	if (d->prev)
		d->prev->next = d->next;
	else
		d->cap->deps = d->next;
	if (d->next)
		d->next->prev = d->prev;
	d->cap = NULL;
	d->next = d->prev = NULL;
}

/* A deleted capability's dependents go to its parent, like its children;
 * with no parent nothing can revoke them any more. */
static void move_deps(struct cap *c, struct cap *parent)
{
	while (c->deps) {
		struct cap_dep *d = c->deps;

		cspace_dep_detach(d);
		if (parent)
			cspace_dep_attach(parent, d);
	}
}

/* Each dependent is detached before it is undone, so dep_revoke may touch
 * the others. */
static void revoke_deps(struct cap *c)
{
	while (c->deps) {
		struct cap_dep *d = c->deps;

		cspace_dep_detach(d);
		c->owner->env->dep_revoke(d);
	}
}

static fe_status_t fill(struct cspace *cs, void *obj, uint32_t type, uint32_t rights,
                        uint64_t badge, struct cap **out)
{
	struct cap *c;
	fe_status_t st = take_slot(cs, &c);

	if (st != FE_OK)
		return st;
	c->obj = obj;
	c->type = type;
	c->rights = rights;
	c->badge = badge;
	cs->count++;
	cs->env->obj_get(obj, type);
	*out = c;
	return FE_OK;
}

fe_status_t cspace_insert(struct cspace *cs, void *obj, uint32_t type, uint32_t rights,
                          uint64_t badge, fe_handle_t *out)
{
	struct cap *c;
	fe_status_t st = fill(cs, obj, type, rights, badge, &c);

	if (st == FE_OK)
		*out = cspace_handle_of(c);
	return st;
}

fe_status_t cspace_lookup(struct cspace *cs, fe_handle_t h, uint32_t type, uint32_t rights,
                          struct cap **out)
{
	uint32_t index = FE_HANDLE_INDEX(h);

	if ((h >> (FE_HANDLE_INDEX_BITS + FE_HANDLE_GEN_BITS)) != 0 ||
	    index >= cs->nchunks * CSPACE_CHUNK_SLOTS || index >= cs->max_slots)
		return FE_ERR_BAD_HANDLE;
	struct cap *c = slot_at(cs, index);
	if (c->obj == NULL || c->gen != FE_HANDLE_GEN(h))
		return FE_ERR_BAD_HANDLE;
	if (type != FE_OBJ_NONE && c->type != type)
		return FE_ERR_WRONG_TYPE;
	if ((c->rights & rights) != rights)
		return FE_ERR_ACCESS_DENIED;
	*out = c;
	return FE_OK;
}

fe_status_t cspace_derive(struct cap *src, struct cspace *dst, uint32_t rights, uint64_t badge,
                          fe_handle_t *out)
{
	struct cap *c;
	fe_status_t st;

	if ((rights & ~src->rights) != 0 || (badge != 0 && src->badge != 0))
		return FE_ERR_ACCESS_DENIED;
	st = fill(dst, src->obj, src->type, rights, badge ? badge : src->badge, &c);
	if (st != FE_OK)
		return st;
	link_child(src, c);
	*out = cspace_handle_of(c);
	return FE_OK;
}

fe_status_t cspace_insert_under(struct cap *parent, struct cspace *dst, void *obj, uint32_t type,
                                uint32_t rights, fe_handle_t *out)
{
	struct cap *c;
	fe_status_t st = fill(dst, obj, type, rights, 0, &c);

	if (st != FE_OK)
		return st;
	link_child(parent, c);
	*out = cspace_handle_of(c);
	return FE_OK;
}

/* Frees one capability whose children have been dealt with. */
static void drop(struct cap *c)
{
	void *obj = c->obj;
	uint32_t type = c->type;
	struct cspace *cs = c->owner;

	unlink(c);
	release_slot(cs, c);
	cs->env->obj_put(obj, type);
}

void cspace_remove_cap(struct cap *c)
{
	struct cap *parent = c->parent;

	while (c->first_child) {
		struct cap *child = c->first_child;
		unlink(child);
		if (parent)
			link_child(parent, child);
	}
	move_deps(c, parent);
	drop(c);
}

fe_status_t cspace_delete(struct cspace *cs, fe_handle_t h)
{
	struct cap *c;
	fe_status_t st = cspace_lookup(cs, h, FE_OBJ_NONE, 0, &c);

	if (st == FE_OK)
		cspace_remove_cap(c);
	return st;
}

/* Post-order walk without recursion: descend to a leaf, remove it, continue
 * with its sibling or go back up. Each capability is visited a bounded
 * number of times, so the walk is O(removed). */
uint64_t cspace_revoke_cap(struct cap *root)
{
	uint64_t removed = 0;
	struct cap *c = root->first_child;

	while (c) {
		if (c->first_child) {
			c = c->first_child;
			continue;
		}
		struct cap *next = c->next_sibling ? c->next_sibling : c->parent;
		revoke_deps(c);
		drop(c);
		removed++;
		c = next == root ? root->first_child : next;
	}
	return removed;
}

fe_status_t cspace_revoke(struct cspace *cs, fe_handle_t h, uint64_t *removed)
{
	struct cap *c;
	fe_status_t st = cspace_lookup(cs, h, FE_OBJ_NONE, 0, &c);

	if (st != FE_OK)
		return st;
	uint64_t n = cspace_revoke_cap(c);
	if (removed)
		*removed = n;
	return FE_OK;
}

void cspace_destroy(struct cspace *cs)
{
	for (uint32_t i = 0; i < cs->nchunks * CSPACE_CHUNK_SLOTS && i < cs->max_slots; i++) {
		struct cap *c = slot_at(cs, i);
		if (c->obj)
			cspace_remove_cap(c);
	}
	for (uint32_t i = 0; i < cs->nchunks; i++)
		cs->env->free(cs->env->ctx, cs->chunks[i], CSPACE_CHUNK_SLOTS * sizeof(struct cap));
	cspace_init(cs, cs->env, cs->max_slots);
}


fe_handle_t cspace_handle_of(const struct cap *c)
{
	return FE_HANDLE_MAKE(c->index, c->gen);
}
