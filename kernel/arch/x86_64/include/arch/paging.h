/* SPDX-License-Identifier: MIT */
/*
 * x86_64 4-level page tables. Page-table pages come from the frame allocator
 * and are reached through the direct map. Flags are the generic VM_* ones
 * (mm/vm.h); this module owns the hardware bit layout.
 */
#ifndef FERROUS_ARCH_PAGING_H
#define FERROUS_ARCH_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/errors.h>

/* A new, empty top-level table: FE_OK with its physical address, or FE_ERR_NO_MEMORY. */
fe_status_t arch_pt_create(uint64_t *root);

/*
 * Maps [va, va + size) to [pa, pa + size) with VM_* flags. All three must be
 * page aligned. Uses large pages where VM_LARGE allows and alignment permits.
 * FE_ERR_EXISTS if any page is already mapped, FE_ERR_NO_MEMORY if a table
 * could not be allocated; on error nothing new stays mapped.
 */
fe_status_t arch_pt_map(uint64_t root, uint64_t va, uint64_t pa, uint64_t size, unsigned flags);

/*
 * Unmaps [va, va + size), which must have been mapped with 4 KiB pages
 * (FE_ERR_UNSUPPORTED if a large page is in the way, FE_ERR_NOT_FOUND if a
 * page is not mapped; pages before it are unmapped). Flushes this CPU's TLB.
 */
fe_status_t arch_pt_unmap(uint64_t root, uint64_t va, uint64_t size);

/* Looks up va: FE_OK with the physical address and VM_* flags, or FE_ERR_NOT_FOUND. */
fe_status_t arch_pt_query(uint64_t root, uint64_t va, uint64_t *pa, unsigned *flags);

/* Makes root the current address space. */
/* Page-table pages for process address spaces come from the process's
 * budget: alloc gives a zeroed frame, free returns one. */
struct pt_alloc {
	fe_status_t (*alloc)(void *ctx, uint64_t *pa);
	void (*free)(void *ctx, uint64_t pa);
	void *ctx;
};
fe_status_t arch_pt_map_with(uint64_t root, uint64_t va, uint64_t pa, uint64_t size, unsigned flags,
                             const struct pt_alloc *alloc);
/* A new root sharing the kernel half of kernel_root. */
fe_status_t arch_pt_create_user(uint64_t kernel_root, const struct pt_alloc *alloc, uint64_t *root);
/* Frees every table of the user half, and the root. */
void arch_pt_destroy_user(uint64_t root, const struct pt_alloc *alloc);

void arch_pt_activate(uint64_t root);
uint64_t arch_pt_current(void);
/* Drops every TLB entry of this CPU, kernel (global) ones too. */
void arch_tlb_flush_all(void);

/* Ensures the top-level entry covering va exists (kernel half sharing). */
fe_status_t arch_pt_prealloc_top(uint64_t root, uint64_t va);

#endif /* FERROUS_ARCH_PAGING_H */
