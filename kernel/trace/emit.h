/* SPDX-License-Identifier: MIT */
/*
 * The record writer itself, inline, for the few hot paths that emit on every
 * system call, switch and IPC (syscall/syscall.c, sched/sched.c,
 * object/endpoint.c): there the call, the callee-saved register spills and
 * the checks of trace_record cost about a third of the record (profiled with
 * tools/profile.py). Everything else calls trace_record (trace.h).
 */
#ifndef FERROUS_TRACE_EMIT_H
#define FERROUS_TRACE_EMIT_H

#include <arch/irqflags.h>

#include "core/cpu.h"
#include "object/thread.h"
#include "trace/ring.h"
#include "trace/trace.h"

/* Writes one record to c's ring; the caller holds interrupts off and has
 * checked that c->trace exists. */
static inline void trace_write_on(struct cpu *c, uint16_t type, uint64_t tsc, uint64_t a0,
                                  uint64_t a1, uint64_t a2, uint64_t a3)
{
	const struct thread *t = c->sched.current;
	struct fe_trace_record rec = {
		.tsc = tsc,
		.span = t ? t->span : 0,
		.thread = t ? (uint32_t)t->obj.koid : 0,
		.type = type,
		.cpu = (uint16_t)c->index,
		.arg = { a0, a1, a2, a3 },
	};
	trace_ring_emit(c->trace, &rec);
}

/* One record on this CPU's ring, stamped now, if the CPU has a ring. The
 * ring has one producer: this CPU's interrupt handlers stay out until the
 * record is published (a no-op on the usual IF=0 paths). */
static inline void trace_write_here(uint16_t type, uint64_t a0, uint64_t a1, uint64_t a2,
                                    uint64_t a3)
{
	irqflags_t f = arch_irq_save();
	struct cpu *c = this_cpu();
	if (c->trace)
		trace_write_on(c, type, trace_clock(), a0, a1, a2, a3);
	arch_irq_restore(f);
}

/* trace_emit, inline. Only after the CPU is set up (ncpus > 0): the hot
 * paths run in threads. */
static inline void trace_emit_hot(uint16_t type, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	if (trace_on)
		trace_write_here(type, a0, a1, a2, a3);
}

/* The one record of a system call (FE_TRACE_SYSCALL), at its exit: entry is
 * trace_syscall_begin() when it began; a call that began with tracing off
 * (entry 0) is not recorded, as its start is unknown. */
static inline void trace_syscall_hot(uint64_t nr, fe_status_t st, uint64_t a0, uint64_t a1,
                                     uint64_t entry)
{
	if (!trace_on || entry == 0)
		return;
	irqflags_t f = arch_irq_save();
	struct cpu *c = this_cpu();
	if (c->trace) {
		uint64_t now = trace_clock();
		trace_write_on(c, FE_TRACE_SYSCALL, now, FE_TRACE_SYSCALL_ARG0(nr, st), a0, a1, now - entry);
	}
	arch_irq_restore(f);
}

#endif /* FERROUS_TRACE_EMIT_H */
