/* SPDX-License-Identifier: MIT */
/* The scheduler's per-CPU state, embedded in struct cpu (core/cpu.h). */
#ifndef FERROUS_SCHED_SCHED_CPU_H
#define FERROUS_SCHED_SCHED_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/syscall.h>

#define SCHED_LEVELS 32 /* FE_PRIORITY_MIN..FE_PRIORITY_MAX */

struct thread;

struct run_list {
	struct thread *head, *tail;
};

struct sched_cpu {
	uint32_t cpu;                     /* the index of the CPU this belongs to */
	struct thread *current;           /* running now (the idle thread if nothing else) */
	struct thread *idle;
	struct run_list ready[SCHED_LEVELS]; /* runnable, not running */
	uint32_t ready_mask;              /* bit p: ready[p] is not empty */
	bool need_resched;                /* switch at the next return to user or idle */
	bool recheck_slice;               /* a thread of the running priority was queued remotely */
	uint64_t slice_end;               /* TSC when the running thread's slice ends, 0 = none */
	struct thread *sleepers;          /* sorted by wake time */
	struct thread *switched_from;     /* the thread the last switch left */
	struct thread *fpu_loaded;        /* whose FPU state the registers hold (a hint:
	                                   * valid only if that thread's fpu_cpu is this CPU) */
	uint32_t nr_ready;                /* threads in ready[] */
	uint64_t bigger;                  /* online CPUs of bigger capacity (sched_bigger_cpus) */

	/* Energy accounting (fe_cpu_stats). */
	bool idle_sleeping;               /* halted in the idle loop, big lock released */
	uint8_t wake_cause;               /* enum fe_wake_cause of the interrupt that woke it */
	uint64_t woke_tsc;                /* when that interrupt arrived */
	uint64_t idle_since;              /* TSC when the current idle period began */
	uint64_t switches;                /* context switches */
	uint64_t idle_entries;
	uint64_t idle_tsc;                /* TSC ticks spent halted */
	uint64_t wakeups[FE_WAKE_CAUSES];
	uint64_t migrations_in;
};

#endif /* FERROUS_SCHED_SCHED_CPU_H */
