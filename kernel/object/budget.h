/* SPDX-License-Identifier: MIT */
/*
 * Kernel-memory budgets: every byte of kernel memory a process causes to be
 * allocated (objects, handle-table chunks, page tables, memory-object pages,
 * kernel stacks) is charged to the budget of the process that asked for it.
 *
 * Budgets nest: a child's budget has a parent, and a charge must fit under
 * every limit up the chain, so a process and all its descendants together
 * stay within the limit it was given. The root budget (init's) is a fixed
 * share of RAM, so no process can exhaust the kernel's memory by creating
 * objects. The seed of resource groups (DESIGN section 6).
 */
#ifndef FERROUS_OBJECT_BUDGET_H
#define FERROUS_OBJECT_BUDGET_H

#include <stdint.h>

#include <ferrous/errors.h>

struct kmem_cache;

struct budget {
	uint64_t limit;        /* bytes */
	uint64_t used;         /* bytes charged here and in every descendant */
	uint64_t peak;         /* the most `used` has been */
	struct budget *parent; /* NULL for the root */
	uint32_t refs;         /* processes and objects holding it */
};

void budget_init(void);

/* A budget under `parent` (charged to it) with `limit` <= parent's limit. */
fe_status_t budget_create(struct budget *parent, uint64_t limit, struct budget **out);
void budget_get(struct budget *b);
void budget_put(struct budget *b);

/* FE_ERR_NO_MEMORY if `bytes` does not fit under some limit up the chain. */
fe_status_t budget_charge(struct budget *b, uint64_t bytes);
void budget_uncharge(struct budget *b, uint64_t bytes);

/* Allocation helpers that charge first and undo the charge on failure. */
fe_status_t budget_zalloc(struct budget *b, struct kmem_cache *kc, void **out);
void budget_free(struct budget *b, struct kmem_cache *kc, void *obj);
fe_status_t budget_frame_alloc(struct budget *b, unsigned order, uint64_t *phys);
/* As budget_frame_alloc, preferring NUMA node `node` (frame_alloc_on). */
fe_status_t budget_frame_alloc_on(struct budget *b, uint32_t node, unsigned order, uint64_t *phys);
void budget_frame_free(struct budget *b, uint64_t phys, unsigned order);

#endif /* FERROUS_OBJECT_BUDGET_H */
