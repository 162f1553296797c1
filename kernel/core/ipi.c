/* SPDX-License-Identifier: MIT */
#include "ipi.h"

#include <arch/lapic.h>
#include <arch/paging.h>
#include <arch/trap.h>
#include <arch/x86.h>

#include "core/biglock.h"
#include "core/clock.h"
#include "core/cpu.h"
#include "core/irq.h"
#include "core/panic.h"
#include "trace/trace.h"

static void reschedule_interrupt(unsigned vector, struct trap_frame *f, void *ctx)
{
	(void)vector, (void)f, (void)ctx;
	/* Nothing else to do: the sender set need_resched, and the way out
	 * of the interrupt (return to user, or the idle loop) acts on it. */
	this_cpu()->ipis_received++;
}

void ipi_init(void)
{
	if (irq_register(VEC_IPI_RESCHED, reschedule_interrupt, NULL) != FE_OK)
		panic("ipi: vector %u taken", VEC_IPI_RESCHED);
}

void ipi_reschedule(uint32_t cpu)
{
	if (cpu != this_cpu()->index && cpus[cpu].online)
		lapic_send_ipi(cpus[cpu].apic_id, VEC_IPI_RESCHED);
}

void ipi_poll(void)
{
	struct cpu *c = this_cpu();

	if (atomic_load_explicit(&c->tlb_flush_req, memory_order_acquire)) {
		arch_tlb_flush_all();
		atomic_store_explicit(&c->tlb_flush_req, 0, memory_order_release);
	}
}

void ipi_tlb_interrupt(void)
{
	this_cpu()->ipis_received++;
	ipi_poll();
	lapic_eoi();
}

void tlb_shootdown(uint64_t cpu_mask)
{
	uint32_t self = this_cpu()->index, n = 0;
	uint64_t sent = 0, t0 = rdtsc();

	if ((cpu_mask & ~(1ULL << self)) == 0 || ncpus == 1)
		return;
	if (!big_lock_held())
		panic("tlb_shootdown without the big lock");
	for (uint32_t i = 0; i < ncpus; i++) {
		if (i == self || !(cpu_mask & (1ULL << i)) || !cpus[i].online)
			continue;
		atomic_store_explicit(&cpus[i].tlb_flush_req, 1, memory_order_release);
		lapic_send_ipi(cpus[i].apic_id, VEC_IPI_TLB);
		sent |= 1ULL << i;
		n++;
	}
	for (uint32_t i = 0; i < ncpus; i++) {
		if (!(sent & (1ULL << i)))
			continue;
		while (atomic_load_explicit(&cpus[i].tlb_flush_req, memory_order_acquire))
			cpu_relax();
	}
	if (sent)
		trace_emit(FE_TRACE_TLB_SHOOTDOWN, sent, n, clock_tsc_to_ns(rdtsc() - t0), 0);
}

uint64_t tlb_cpus_using(uint64_t root)
{
	uint64_t mask = 0;

	for (uint32_t i = 0; i < ncpus; i++)
		if (cpus[i].active_root == root)
			mask |= 1ULL << i;
	return mask;
}

void tlb_shootdown_root(uint64_t root)
{
	tlb_shootdown(tlb_cpus_using(root));
}

void tlb_shootdown_all(void)
{
	tlb_shootdown(~0ULL);
}

void ipi_stop_others(void)
{
	uint32_t self = this_cpu()->index;

	for (uint32_t i = 0; i < ncpus; i++)
		if (i != self && cpus[i].online)
			lapic_send_nmi(cpus[i].apic_id);
}
