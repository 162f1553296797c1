/* SPDX-License-Identifier: MIT */
/*
 * The header every kernel object starts with: its type, a reference count,
 * a kernel-wide id and the budget its memory is charged to.
 *
 * References are held by capabilities, mappings, blocked threads and the
 * object's own users. Dropping the last one does not destroy the object on
 * the spot: it goes on this CPU's reap list, and kobj_reap() destroys it at
 * a safe point (on the way out of a system call or interrupt, and after a
 * context switch). So destruction never runs inside a capability-table
 * operation or on the stack of the thread being destroyed.
 */
#ifndef FERROUS_OBJECT_KOBJ_H
#define FERROUS_OBJECT_KOBJ_H

#include <stdint.h>

#include <ferrous/handle.h>

struct budget;

struct kobj {
	uint32_t type;          /* enum fe_obj_type */
	uint32_t refs;
	uint64_t koid;          /* never reused */
	struct budget *budget;  /* charged for this object; may be NULL (boot objects) */
	struct kobj *reap_next;
	struct kobj *live_next, *live_prev; /* every live object (kobj_dump_live) */
};

/* Sets up the header with one reference; takes a reference on the budget. */
void kobj_init(struct kobj *o, uint32_t type, struct budget *b);
/* Undoes kobj_init for an object nobody else has seen, when its creation
 * fails after it: no longer counted alive, its budget reference dropped.
 * The caller frees its memory. */
void kobj_abandon(struct kobj *o);
void kobj_get(struct kobj *o);
void kobj_put(struct kobj *o);
/* Objects whose last reference is gone, waiting for kobj_reap (under the
 * big lock). Visible only so the check below can be inline. */
extern struct kobj *kobj_reap_list;
void kobj_reap_all(void);
/* Objects made and not yet destroyed (fe_kernel_stats.objects). */
uint64_t kobj_count(void);
/* Prints every live object (type, id, references, state) and each heap
 * cache's count: what a leak check's numbers stand for (kobj.dump=1). */
void kobj_dump_live(void);

/* Destroys every object whose last reference is gone. Inline: every return
 * to user mode asks, and the list is almost always empty. */
static inline void kobj_reap(void)
{
	if (kobj_reap_list)
		kobj_reap_all();
}

/* Each object type's destructor: frees what the object holds and the object
 * itself (uncharging its budget). Called only by kobj_reap. */
void process_destroy(struct kobj *o);
void thread_destroy(struct kobj *o);
void endpoint_destroy(struct kobj *o);
void notification_destroy(struct kobj *o);
void vmo_destroy(struct kobj *o);
void irq_object_destroy(struct kobj *o);
void device_object_destroy(struct kobj *o); /* ioport, mmio, console, trace */
void pci_object_destroy(struct kobj *o);    /* pci-device (the root is a singleton) */
void group_destroy(struct kobj *o);

/* What a cspace dependent (struct cap_dep) stands for: what revoke undoes
 * (ADR 0009). The values are in the cap_revoke_dep trace event. */
enum cap_dep_kind {
	CAP_DEP_MAPPING = 1,  /* struct mapping.via (mm/aspace.c) */
	CAP_DEP_IPCBUF = 2,   /* struct thread.ipcbuf_via */
	CAP_DEP_WAIT = 3,     /* struct thread.wait_via: blocked on an endpoint or notification */
	CAP_DEP_IRQ = 4,      /* struct irq_object.via_irq: the IRQ capability a binding was made through */
	CAP_DEP_IRQ_NOTIF = 5,/* struct irq_object.via_notif: its notification capability */
	CAP_DEP_WATCH = 6,    /* a death watch (object/watch.c): the process capability it was made through */
	CAP_DEP_WATCH_NOTIF = 7, /* the same watch: its notification capability */
	CAP_DEP_PCI_CLAIM = 8,  /* struct pci_function.claim_via: the device capability a claim was made through */
	CAP_DEP_PCI_IRQ_NOTIF = 9, /* struct pci_vector.via_notif: a bound MSI/MSI-X vector's notification */
};

/* The cspace environment the kernel uses: chunk memory charged to the
 * owning process's budget, references through kobj_get/kobj_put. */
struct cspace_env;
void kobj_cspace_env(struct cspace_env *env, struct budget *b);

void objects_init(void);

#endif /* FERROUS_OBJECT_KOBJ_H */
