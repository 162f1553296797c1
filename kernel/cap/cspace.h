/* SPDX-License-Identifier: MIT */
/*
 * Capability tables (one per process) and the derivation tree that links
 * capabilities across all of them.
 *
 * A capability is (object, type, rights, badge). A process names it by a
 * handle (include/ferrous/handle.h): slot index + slot generation. Slots live
 * in fixed-size chunks that never move, so struct cap pointers stay valid
 * while the slot is live; the derivation tree links them directly.
 *
 * Derivation: a capability made from another (duplicate, IPC transfer,
 * grant) is its child. Revoking a capability removes all of its descendants
 * in every table and leaves the capability itself. Deleting a capability
 * moves its children up to its parent (or makes them roots), so a revoke
 * from further up still reaches them.
 *
 * Dependents: what was made *through* a capability and is not a capability
 * (a mapping, an IPC buffer, a blocked wait, an interrupt binding) hangs off
 * it as a struct cap_dep. Revoking removes the dependents of every removed
 * capability (env->dep_revoke undoes each one); deleting moves them to the
 * parent with the children, so a revoke from further up still reaches them.
 * Each dependent is visited once, so revoke stays O(removed).
 *
 * Pure logic: no locks, no allocation of its own. Memory for chunks comes
 * from env->alloc (the kernel charges it to the owning process's budget);
 * object references are taken and dropped through env->obj_get/obj_put.
 * obj_put must not call back into any cspace function (the kernel defers
 * object destruction to a safe point). The caller serialises all calls that
 * may touch the same tree (in the kernel: the capability lock).
 *
 * Host-tested in tests/host/test_cspace.c.
 */
#ifndef FERROUS_CAP_CSPACE_H
#define FERROUS_CAP_CSPACE_H

#include <stddef.h>
#include <stdint.h>

#include <ferrous/errors.h>
#include <ferrous/handle.h>

#define CSPACE_CHUNK_SLOTS 64u
#define CSPACE_MAX_CHUNKS 1024u /* at most 65536 slots per table */

struct cspace;
struct cap;

/* Something made through a capability, embedded in the kernel structure it
 * stands for. `kind` is the environment's (what dep_revoke should undo). */
struct cap_dep {
	struct cap *cap;        /* NULL: not attached (never, or detached) */
	struct cap_dep *next, *prev;
	uint32_t kind;
};

struct cap {
	void *obj;             /* NULL while the slot is free */
	uint32_t type;         /* enum fe_obj_type */
	uint32_t rights;       /* FE_RIGHT_* */
	uint64_t badge;
	uint32_t gen;          /* generation of the slot; never 0 */
	uint32_t index;        /* slot index inside its table */
	struct cspace *owner;
	/* Derivation tree. */
	struct cap *parent;
	struct cap *first_child;
	struct cap *next_sibling, *prev_sibling;
	struct cap_dep *deps;  /* dependents made through this capability */
	/* Free list (valid while obj == NULL). */
	uint32_t next_free;
};

struct cspace_env {
	/* Zeroed memory for one chunk; FE_ERR_NO_MEMORY when the budget is spent. */
	fe_status_t (*alloc)(void *ctx, size_t bytes, void **out);
	void (*free)(void *ctx, void *p, size_t bytes);
	void (*obj_get)(void *obj, uint32_t type);
	void (*obj_put)(void *obj, uint32_t type);
	/* Undoes a dependent of a capability being revoked, already detached.
	 * May drop references and wake threads, but call no cspace function
	 * other than cspace_dep_detach/attach on other dependents. */
	void (*dep_revoke)(struct cap_dep *d);
	void *ctx;
};

struct cspace {
	const struct cspace_env *env;
	struct cap *chunks[CSPACE_MAX_CHUNKS]; /* NULL until first needed */
	uint32_t nchunks;      /* chunks allocated, a prefix of chunks[] */
	uint32_t max_slots;    /* limit for this table, <= CSPACE_MAX_CHUNKS * CSPACE_CHUNK_SLOTS */
	uint32_t count;        /* live capabilities */
	uint32_t free_head;    /* first free slot index + 1, 0 if none */
};

/* An empty table that may grow to max_slots. */
void cspace_init(struct cspace *cs, const struct cspace_env *env, uint32_t max_slots);
/* Deletes every capability in the table (as cspace_delete does) and frees
 * its chunks. The table is empty and reusable afterwards. */
void cspace_destroy(struct cspace *cs);

/* A new root capability for obj (takes a reference). FE_ERR_NO_RESOURCES if
 * the table is full, FE_ERR_NO_MEMORY if a chunk cannot be allocated. */
fe_status_t cspace_insert(struct cspace *cs, void *obj, uint32_t type, uint32_t rights,
                          uint64_t badge, fe_handle_t *out);

/* Finds the capability a handle names and checks it.
 * FE_ERR_BAD_HANDLE: forged, stale or deleted handle;
 * FE_ERR_WRONG_TYPE: type != FE_OBJ_NONE and the object is of another type;
 * FE_ERR_ACCESS_DENIED: some right in `rights` is missing. */
fe_status_t cspace_lookup(struct cspace *cs, fe_handle_t h, uint32_t type, uint32_t rights,
                          struct cap **out);

/* A child of `src` in table `dst` (which may be src's own) with `rights`,
 * which must be a subset of src's (else FE_ERR_ACCESS_DENIED). A non-zero
 * badge is allowed only if src has none (else FE_ERR_ACCESS_DENIED); zero
 * keeps src's badge. Takes a reference on the object. */
fe_status_t cspace_derive(struct cap *src, struct cspace *dst, uint32_t rights, uint64_t badge,
                          fe_handle_t *out);

/* A capability for another object `obj`, made through `parent`: placed in
 * parent's derivation tree, so revoking parent (or an ancestor) removes it
 * as it removes copies (a pci-device made through pci-root, a BAR through
 * its pci-device). Badge 0; takes a reference on obj. */
fe_status_t cspace_insert_under(struct cap *parent, struct cspace *dst, void *obj, uint32_t type,
                                uint32_t rights, fe_handle_t *out);

/* Removes one capability; its children move to its parent. */
fe_status_t cspace_delete(struct cspace *cs, fe_handle_t h);
void cspace_remove_cap(struct cap *c);

/* Removes every descendant of the capability, in every table; iterative, so
 * deep trees cannot overflow the stack. *removed (if not NULL) gets the
 * number removed. */
fe_status_t cspace_revoke(struct cspace *cs, fe_handle_t h, uint64_t *removed);
uint64_t cspace_revoke_cap(struct cap *c);

/* Records that d was made through c (d must be detached); O(1). */
void cspace_dep_attach(struct cap *c, struct cap_dep *d);
/* Forgets d's capability; a detached d is left alone. O(1). */
void cspace_dep_detach(struct cap_dep *d);

/* The handle that names a live capability. */
fe_handle_t cspace_handle_of(const struct cap *c);

#endif /* FERROUS_CAP_CSPACE_H */
