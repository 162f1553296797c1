/* SPDX-License-Identifier: MIT */
#include "trace.h"

#include <arch/irqflags.h>
#include <arch/x86.h>

#include "core/cpu.h"
#include "core/kernel.h"
#include "mm/frame.h"
#include "object/thread.h"
#include "trace/emit.h"
#include "trace/ring.h"

/* One ring per CPU, in struct cpu; this flag is a runtime switch that a racy
 * read at worst applies one event late. */
volatile bool trace_on = true;
static struct trace_ring rings[MAX_CPUS];

void trace_set_enabled(bool on)
{
	trace_on = on;
}

bool trace_enabled(void)
{
	return trace_on;
}

fe_status_t trace_init_cpu(struct cpu *c)
{
	uint64_t slots;
	fe_status_t st = frame_alloc(TRACE_RING_ORDER, &slots);

	if (st != FE_OK)
		return st;
	/* Cannot fail: the capacity is a constant power of two. */
	trace_ring_init(&rings[c->index], phys_to_virt(slots), TRACE_RING_RECORDS);
	c->trace = &rings[c->index];
	return FE_OK;
}

void trace_record(uint16_t type, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	if (ncpus != 0)
		trace_write_here(type, a0, a1, a2, a3);
}

fe_status_t trace_read(uint32_t cpu_index, struct fe_trace_record *out, uint64_t *lost)
{
	if (cpu_index >= ncpus || cpus[cpu_index].trace == NULL)
		return FE_ERR_NOT_FOUND;
	return trace_ring_read(cpus[cpu_index].trace, out, lost);
}

fe_status_t trace_peek(uint32_t cpu_index, uint64_t back, struct fe_trace_record *out)
{
	if (cpu_index >= ncpus || cpus[cpu_index].trace == NULL)
		return FE_ERR_NOT_FOUND;
	return trace_ring_peek(cpus[cpu_index].trace, back, out);
}

struct trace_stats trace_get_stats(uint32_t cpu_index)
{
	struct trace_stats s = { 0 };

	if (cpu_index < ncpus && cpus[cpu_index].trace) {
		struct trace_ring *r = cpus[cpu_index].trace;
		s.emitted = atomic_load(&r->head);
		s.overwritten = trace_ring_overwritten(r);
	}
	return s;
}

const char *trace_event_name(uint16_t type)
{
	switch (type) {
	case FE_TRACE_FRAME_ALLOC: return "frame_alloc";
	case FE_TRACE_FRAME_FREE: return "frame_free";
	case FE_TRACE_IRQ_ENTER: return "irq_enter";
	case FE_TRACE_IRQ_EXIT: return "irq_exit";
	case FE_TRACE_EXCEPTION: return "exception";
	case FE_TRACE_IRQ_SPURIOUS: return "irq_spurious";
	case FE_TRACE_IRQ_UNHANDLED: return "irq_unhandled";
	case FE_TRACE_TIMER_ARM: return "timer_arm";
	case FE_TRACE_TIMER_FIRE: return "timer_fire";
	case FE_TRACE_SLAB_GROW: return "slab_grow";
	case FE_TRACE_PANIC: return "panic";
	case FE_TRACE_CONSOLE: return "console";
	case FE_TRACE_BOOT_PHASE: return "boot_phase";
	case FE_TRACE_BOOT_PROBLEM: return "boot_problem";
	case FE_TRACE_SYSCALL_ENTER: return "syscall_enter";
	case FE_TRACE_SYSCALL_EXIT: return "syscall_exit";
	case FE_TRACE_SCHED_SWITCH: return "sched_switch";
	case FE_TRACE_SCHED_WAKE: return "sched_wake";
	case FE_TRACE_CAP_CREATE: return "cap_create";
	case FE_TRACE_CAP_TRANSFER: return "cap_transfer";
	case FE_TRACE_CAP_REVOKE: return "cap_revoke";
	case FE_TRACE_CAP_REVOKE_DEP: return "cap_revoke_dep";
	case FE_TRACE_IPC_SEND: return "ipc_send";
	case FE_TRACE_IPC_RECV: return "ipc_recv";
	case FE_TRACE_FAULT: return "fault";
	case FE_TRACE_SERVICE_RESTART: return "service_restart";
	case FE_TRACE_SYSCALL: return "syscall";
	default: return "unknown";
	}
}
