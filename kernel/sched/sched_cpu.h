/* SPDX-License-Identifier: MIT */
/* The scheduler's per-CPU state, embedded in struct cpu (core/cpu.h). */
#ifndef FERROUS_SCHED_SCHED_CPU_H
#define FERROUS_SCHED_SCHED_CPU_H

#include <stdbool.h>
#include <stdint.h>

#define SCHED_LEVELS 32 /* FE_PRIORITY_MIN..FE_PRIORITY_MAX */

struct thread;

struct run_list {
	struct thread *head, *tail;
};

struct sched_cpu {
	struct thread *current;           /* running now (the idle thread if nothing else) */
	struct thread *idle;
	struct run_list ready[SCHED_LEVELS]; /* runnable, not running */
	uint32_t ready_mask;              /* bit p: ready[p] is not empty */
	bool need_resched;                /* switch at the next return to user or idle */
	uint64_t slice_end;               /* TSC when the running thread's slice ends, 0 = none */
	struct thread *sleepers;          /* sorted by wake time */
	struct thread *switched_from;     /* the thread the last switch left */
	uint64_t switches;                /* context switches */
	uint64_t idle_wakeups;
};

#endif /* FERROUS_SCHED_SCHED_CPU_H */
