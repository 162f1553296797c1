/* SPDX-License-Identifier: MIT */
/*
 * The big kernel lock. Kernel code that touches shared state (objects,
 * capability spaces, address spaces, run queues, wait queues) runs holding
 * it: every entry from user mode and every interrupt takes it, every return
 * to user mode and the idle loop's sleep release it. As in seL4's SMP
 * kernel, system calls are short and never sleep in the kernel, so one lock
 * serialises them at little cost on a few CPUs and keeps every invariant of
 * the single-CPU kernel true (ADR 0006; lock order in docs/locking.md).
 *
 * It is recursive on the CPU that holds it (an exception or an interrupt
 * taken while the kernel holds it nests). A context switch happens with it
 * held once and hands it to the next thread on the same CPU.
 *
 * While a CPU spins for it, it keeps answering TLB shootdowns (core/ipi.c),
 * so the holder can wait for every CPU's acknowledgement without deadlock.
 */
#ifndef FERROUS_CORE_BIGLOCK_H
#define FERROUS_CORE_BIGLOCK_H

#include <stdbool.h>
#include <stdint.h>

void big_lock_acquire(void);
void big_lock_release(void);
/* True if this CPU holds the lock. */
bool big_lock_held(void);
/* How many times this CPU holds it (0 if not). */
uint32_t big_lock_depth(void);
/* Panics unless this CPU holds it exactly once (before a context switch). */
void big_lock_assert_switchable(void);

/* Releases the lock completely around a wait for another CPU (kernel tests
 * and boot); returns the depth for big_lock_restore. */
uint32_t big_lock_drop(void);
void big_lock_restore(uint32_t depth);

/* One CPU's contention counters since boot (FE_SYS_CPU_STATS). */
struct big_lock_stats {
	uint64_t acquires;    /* outermost acquisitions (a recursive one is not counted) */
	uint64_t contended;   /* of those, the ones that found it held and had to wait */
	uint64_t spin_cycles; /* TSC cycles spent waiting in those */
};
/* CPU `cpu`'s counters; the caller holds the lock (which orders the
 * counters' writes). Zero for an index past MAX_CPUS. */
struct big_lock_stats big_lock_get_stats(uint32_t cpu);

#endif /* FERROUS_CORE_BIGLOCK_H */
