/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU state. Everything that differs between CPUs lives in one struct cpu
 * per CPU (DESIGN section 0: no silent global state); code reaches its own
 * through this_cpu(), which is valid once cpu_init_boot() has run.
 */
#ifndef FERROUS_CORE_CPU_H
#define FERROUS_CORE_CPU_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <arch/cpu_state.h>
#include <arch/asm.h>
#include <arch/percpu.h>

#include "sched/sched_cpu.h"

#define MAX_CPUS 16

struct trace_ring;
struct fault_catch;

struct cpu {
	struct cpu *self;   /* must stay first: arch_this_cpu() reads it */
	/* Read by the syscall entry stub (offsets in arch/asm.h). */
	uint64_t syscall_rsp; /* kernel stack top of the running thread */
	uint64_t user_rsp;    /* scratch: the user stack pointer during entry */
	uint32_t index;     /* 0 .. ncpus-1; index 0 is the boot CPU */
	uint32_t apic_id;
	uint32_t node;      /* NUMA node (SRAT), 0 without one */
	uint32_t capacity;  /* relative compute capacity, 1024 = biggest (boot option cpu_capacity=) */
	_Atomic bool online; /* set by the CPU itself once it can take interrupts */

	struct trace_ring *trace; /* this CPU's event ring */

	/* Interrupt accounting; written only by this CPU. */
	uint32_t irq_depth;
	uint64_t irq_count[256];
	uint64_t spurious_irqs;
	uint64_t unhandled_irqs;
	uint64_t timer_irqs;

	/* The one pending one-shot timer (core/timer.h); this CPU only. */
	uint64_t timer_deadline;
	void (*timer_fn)(void *ctx);
	void *timer_ctx;

	/* SMP (core/ipi.c): set by a CPU that wants this one to flush its TLB,
	 * cleared by this CPU once it has. */
	_Atomic uint32_t tlb_flush_req;
	uint64_t active_root; /* page-table root loaded now (the scheduler sets it, big lock held) */
	uint64_t ipis_received;

	/* Debug builds: where a deliberate fault in a test resumes (kernel/test). */
	struct fault_catch *fault_catch;

	/* The scheduler's per-CPU state (sched/sched.c). */
	struct sched_cpu sched;
	struct arch_cpu arch;
};
_Static_assert(__builtin_offsetof(struct cpu, syscall_rsp) == CPU_SYSCALL_RSP, "asm.h");
_Static_assert(__builtin_offsetof(struct cpu, user_rsp) == CPU_USER_RSP, "asm.h");

/* cpus[i] for i < ncpus; written during boot and AP start-up only. */
extern struct cpu cpus[MAX_CPUS];
extern uint32_t ncpus;

static inline struct cpu *this_cpu(void) { return arch_this_cpu(); }

/* Sets up the boot CPU's struct cpu (index 0) and points GS at it. */
void cpu_init_boot(void);

#endif /* FERROUS_CORE_CPU_H */
