/* SPDX-License-Identifier: MIT */
/*
 * Process address spaces: the user half of a page table plus the list of
 * mappings in it. Each mapping shows part of a memory object (a VMO or an
 * MMIO region) with read/write/execute permissions, never write and execute
 * together. Mappings are eager (every page present from the start), hold a
 * reference to their object, and page-table pages are charged to the
 * process's budget.
 */
#ifndef FERROUS_MM_ASPACE_H
#define FERROUS_MM_ASPACE_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/errors.h>

#include "cap/cspace.h"

struct budget;
struct kobj;
struct aspace;

/* A mapping records the capability it was made through (`via`, a cspace
 * dependent): revoking that capability's ancestor removes the mapping
 * (ADR 0009). Deleting the handle does not: the mapping holds its own
 * reference to the object. */
struct mapping {
	uint64_t va, len;       /* page aligned */
	uint64_t offset;        /* into the object */
	struct kobj *mem;       /* VMO or MMIO, referenced */
	uint32_t prot;          /* FE_VM_* */
	struct aspace *as;
	struct mapping *next, *prev; /* sorted by va; prev so revoke unlinks in O(1) */
	struct cap_dep via;
};

struct aspace {
	uint64_t root;          /* physical address of the PML4 */
	struct mapping *maps;
	uint64_t table_pages;   /* page-table pages, for statistics */
	struct budget *budget;
};

void aspace_init_cache(void);
fe_status_t aspace_init(struct aspace *as, struct budget *b);
/* Removes every mapping and frees the tables; switches away first if this
 * address space is active. */
void aspace_destroy(struct aspace *as);

/* Maps [va, va+len) to mem at offset. Errors: FE_ERR_INVALID_ARG
 * (alignment, zero length, bad prot), FE_ERR_ACCESS_DENIED (write+exec),
 * FE_ERR_OUT_OF_RANGE (outside the user half or the object),
 * FE_ERR_EXISTS (overlap), FE_ERR_NO_MEMORY (budget). `via`: the capability
 * the mapping is made through (NULL for the kernel's own, e.g. init's). */
fe_status_t aspace_map(struct aspace *as, struct kobj *mem, uint64_t offset, uint64_t va,
                       uint64_t len, uint32_t prot, struct cap *via);
/* Revoke reached a mapping (m->via, already detached): unmaps it at once;
 * the caller's aspace_flush_removed() then waits until no CPU can still use
 * its translations, and lets its object go. */
void aspace_revoke_mapping(struct cap_dep *via);
/* One TLB shootdown for every mapping removed since the last call, then
 * their records and object references are freed. Every call that removes
 * mappings calls it before it returns (syscall_dispatch checks). */
void aspace_flush_removed(void);
/* Whether removed mappings wait for aspace_flush_removed(). */
bool aspace_flush_pending(void);
/* Unmaps whatever is mapped in [va, va+len); holes are fine. */
fe_status_t aspace_unmap(struct aspace *as, uint64_t va, uint64_t len);

#endif /* FERROUS_MM_ASPACE_H */
