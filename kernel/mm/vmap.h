/* SPDX-License-Identifier: MIT */
/*
 * Kernel virtual mappings outside the direct map: uncached windows onto
 * device registers, and kernel stacks, each with unmapped guard pages below
 * it so an overflow faults instead of corrupting a neighbour.
 */
#ifndef FERROUS_MM_VMAP_H
#define FERROUS_MM_VMAP_H

#include <stdint.h>

#include <ferrous/errors.h>

#define KSTACK_PAGES 4u      /* 16 KiB of stack */
#define KSTACK_SLOT_PAGES 8u /* slot = 4 guard pages + the stack */

struct kstack {
	uint64_t base; /* lowest mapped address */
	uint64_t top;  /* one past the highest: the initial stack pointer */
	uint32_t slot;
};

/* Maps [phys, phys + size) uncached; *va gets the address of phys itself
 * (phys need not be page aligned). FE_ERR_NO_MEMORY or FE_ERR_NO_RESOURCES. */
fe_status_t vmap_mmio(uint64_t phys, uint64_t size, void **va);

/* A fresh zeroed kernel stack with guard pages below it. */
fe_status_t kstack_alloc(struct kstack *out);
void kstack_free(struct kstack *s);

/* The guard region [lo, hi) below a stack, for tests. */
static inline uint64_t kstack_guard_lo(const struct kstack *s)
{
	return s->top - KSTACK_SLOT_PAGES * 4096ULL;
}

#endif /* FERROUS_MM_VMAP_H */
