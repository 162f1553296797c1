/* SPDX-License-Identifier: MIT */
/*
 * The scheduler: fixed priorities (FE_PRIORITY_MIN..MAX, higher first),
 * round-robin inside a level with time slices from the one-shot timer,
 * which is armed only when a slice or a sleeper needs it (no periodic tick).
 *
 * All state is per CPU (struct sched_cpu in struct cpu); Phase 2 runs on one
 * CPU and the kernel runs with interrupts off, so nothing here takes a lock
 * yet. Every switch and wake-up is a trace event with its reason.
 */
#ifndef FERROUS_SCHED_SCHED_H
#define FERROUS_SCHED_SCHED_H

#include <stdint.h>

#include <ferrous/errors.h>

#include "object/thread.h"

#define SCHED_SLICE_NS 10000000ULL /* 10 ms */

/* Reasons in FE_TRACE_SCHED_SWITCH arg[2] and FE_TRACE_SCHED_WAKE arg[2]. */
enum sched_reason {
	SCHED_PREEMPTED = 1, /* slice over, or a higher priority woke */
	SCHED_BLOCKED = 2,
	SCHED_YIELDED = 3,
	SCHED_EXITED = 4,
	SCHED_IPC_DIRECT = 5, /* IPC fastpath: straight to the partner */
	SCHED_WOKEN = 6,
	SCHED_TIMEOUT = 7,
};

/* Makes the boot context this CPU's idle thread. */
void sched_init_cpu(void);
/* The boot CPU's idle loop: runs threads while there are any. */
_Noreturn void sched_idle_loop(void);

static inline struct thread *sched_current(void);

/* NEW or BLOCKED (already off its wait queue) -> READY. */
void sched_ready(struct thread *t, enum sched_reason why);
/* Takes a READY thread off its run queue (it is being killed). */
void sched_unready(struct thread *t);

/* The running thread blocks on q (taking a reference on owner while queued)
 * and returns once woken, with the status the waker gave. */
fe_status_t sched_block_on(struct waitq *q, struct kobj *owner, enum block_reason why);
/* Blocks without a queue (waiting for an IPC reply); woken by sched_wake. */
fe_status_t sched_block(enum block_reason why);
/* BLOCKED -> READY with `status` as its blocking call's result. */
void sched_wake(struct thread *t, fe_status_t status);
void sched_wake_all(struct waitq *q, fe_status_t status);
/* Takes a blocked thread off its queue or the sleep list without waking it. */
void sched_detach(struct thread *t);

/* The running thread blocks (the caller has queued it if it must be) and
 * `next`, a blocked thread, runs at once with FE_OK: the IPC fastpath. */
fe_status_t sched_block_and_switch(struct thread *next, enum block_reason why);

void sched_yield(void);
fe_status_t sched_sleep(uint64_t ns);
/* Ends the running (dead) thread's time on the CPU; never returns. */
_Noreturn void sched_exit_current(void);
/* Called on every return to user mode: switch if a higher priority woke or
 * the slice is over. */
void sched_preempt_point(void);

/* Called by the first switch into a new thread (switch.S). */
void sched_first_run(void);

#include "core/cpu.h"
static inline struct thread *sched_current(void) { return this_cpu()->sched.current; }

#endif /* FERROUS_SCHED_SCHED_H */
