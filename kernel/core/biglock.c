/* SPDX-License-Identifier: MIT */
#include "biglock.h"

#include <stdatomic.h>

#include <arch/x86.h>

#include "core/cpu.h"
#include "core/ipi.h"
#include "core/panic.h"

#define NO_OWNER UINT32_MAX

/* Ticket lock plus owner: FIFO among CPUs, recursive for the holder. */
static struct {
	_Atomic uint32_t next;
	_Atomic uint32_t serving;
	_Atomic uint32_t owner; /* cpu index, or NO_OWNER */
	uint32_t depth;         /* written only by the owner */
} big = { 0, 0, NO_OWNER, 0 };

/* Contention counters, one slot per CPU. Written by that CPU just after it
 * has taken the lock and read by FE_SYS_CPU_STATS with the lock held, so
 * the lock itself orders every access: no atomics needed. Only the waiting
 * path reads the TSC; an uncontended acquisition costs one increment. */
static struct big_lock_stats lock_stats[MAX_CPUS];

bool big_lock_held(void)
{
	return atomic_load_explicit(&big.owner, memory_order_relaxed) == this_cpu()->index;
}

uint32_t big_lock_depth(void)
{
	return big_lock_held() ? big.depth : 0;
}

void big_lock_acquire(void)
{
	uint32_t self = this_cpu()->index;

	if (atomic_load_explicit(&big.owner, memory_order_relaxed) == self) {
		big.depth++;
		return;
	}
	uint32_t me = atomic_fetch_add_explicit(&big.next, 1, memory_order_relaxed);
	bool waited = atomic_load_explicit(&big.serving, memory_order_acquire) != me;
	uint64_t t0 = waited ? rdtsc() : 0;
	while (atomic_load_explicit(&big.serving, memory_order_acquire) != me) {
		ipi_poll(); /* the holder may be waiting for our TLB flush */
		cpu_relax();
	}
	atomic_store_explicit(&big.owner, self, memory_order_relaxed);
	big.depth = 1;
	struct big_lock_stats *ls = &lock_stats[self];
	ls->acquires++;
	if (waited) {
		ls->contended++;
		ls->spin_cycles += rdtsc() - t0;
	}
}

struct big_lock_stats big_lock_get_stats(uint32_t cpu)
{
	if (!big_lock_held())
		panic("big lock statistics read without the lock");
	return cpu < MAX_CPUS ? lock_stats[cpu] : (struct big_lock_stats){ 0 };
}

void big_lock_release(void)
{
	if (!big_lock_held())
		panic("big lock released by CPU %u, which does not hold it", this_cpu()->index);
	if (--big.depth > 0)
		return;
	atomic_store_explicit(&big.owner, NO_OWNER, memory_order_relaxed);
	uint32_t s = atomic_load_explicit(&big.serving, memory_order_relaxed);
	atomic_store_explicit(&big.serving, s + 1, memory_order_release);
}

void big_lock_assert_switchable(void)
{
	if (!big_lock_held() || big.depth != 1)
		panic("context switch with the big lock held %u times", big_lock_depth());
}

uint32_t big_lock_drop(void)
{
	uint32_t depth = big_lock_depth();

	if (depth) {
		big.depth = 1;
		big_lock_release();
	}
	return depth;
}

void big_lock_restore(uint32_t depth)
{
	if (depth == 0)
		return;
	big_lock_acquire();
	big.depth = depth;
}
