/* SPDX-License-Identifier: MIT */
/*
 * Ticket spinlocks. Fair (FIFO) and small. Locks taken from interrupt context
 * must always be taken with the _irqsave variants everywhere, or a CPU can
 * deadlock against its own interrupt handler.
 *
 * The lock type is a clang thread-safety "capability": fields annotated
 * GUARDED_BY(lock) and functions annotated REQUIRES(lock) are checked at
 * compile time (-Wthread-safety).
 */
#ifndef FERROUS_CORE_SPINLOCK_H
#define FERROUS_CORE_SPINLOCK_H

#include <stdatomic.h>
#include <stdint.h>

#include <arch/irqflags.h>
#include <arch/x86.h>

#define CAPABILITY(x) __attribute__((capability(x)))
#define GUARDED_BY(x) __attribute__((guarded_by(x)))
#define REQUIRES(...) __attribute__((requires_capability(__VA_ARGS__)))
#define ACQUIRE(...) __attribute__((acquire_capability(__VA_ARGS__)))
#define RELEASE(...) __attribute__((release_capability(__VA_ARGS__)))
#define TRY_ACQUIRE(...) __attribute__((try_acquire_capability(__VA_ARGS__)))
#define NO_THREAD_SAFETY_ANALYSIS __attribute__((no_thread_safety_analysis))

struct CAPABILITY("spinlock") spinlock {
	_Atomic uint32_t next;    /* next ticket to hand out */
	_Atomic uint32_t serving; /* ticket now holding the lock */
	const char *name;
};

#define SPINLOCK_INIT(n) { 0, 0, n }

static inline void spin_lock(struct spinlock *l) ACQUIRE(l) NO_THREAD_SAFETY_ANALYSIS
{
	uint32_t me = atomic_fetch_add_explicit(&l->next, 1, memory_order_relaxed);
	while (atomic_load_explicit(&l->serving, memory_order_acquire) != me)
		cpu_relax();
}

static inline void spin_unlock(struct spinlock *l) RELEASE(l) NO_THREAD_SAFETY_ANALYSIS
{
	uint32_t s = atomic_load_explicit(&l->serving, memory_order_relaxed);
	atomic_store_explicit(&l->serving, s + 1, memory_order_release);
}

/* True if some CPU holds the lock (for assertions and the panic path). */
static inline int spin_is_locked(struct spinlock *l)
{
	return atomic_load_explicit(&l->next, memory_order_relaxed) !=
	       atomic_load_explicit(&l->serving, memory_order_relaxed);
}

static inline irqflags_t spin_lock_irqsave(struct spinlock *l) ACQUIRE(l) NO_THREAD_SAFETY_ANALYSIS
{
	irqflags_t f = arch_irq_save();
	spin_lock(l);
	return f;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, irqflags_t f) RELEASE(l)
	NO_THREAD_SAFETY_ANALYSIS
{
	spin_unlock(l);
	arch_irq_restore(f);
}

#endif /* FERROUS_CORE_SPINLOCK_H */
