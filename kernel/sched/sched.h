/* SPDX-License-Identifier: MIT */
/*
 * The scheduler: fixed priorities (FE_PRIORITY_MIN..MAX, higher first),
 * round-robin inside a level with time slices from the one-shot timer,
 * which is armed only when a slice or a sleeper needs it (no periodic tick;
 * a slice is needed when a thread of the same priority waits, or when the
 * running thread may run on a bigger CPU).
 *
 * Each CPU has its own run queues and sleep list (struct sched_cpu in
 * struct cpu); a woken thread is placed on a CPU (placement), an idle CPU
 * pulls queued work from a busy one (balancing), and a CPU-bound thread is
 * placed again when preempted (to a bigger or a free CPU). All of it runs
 * under the big kernel lock (core/biglock.h), which also makes a remote run
 * queue safe to touch. Every switch, wake-up, placement and migration is a
 * trace event with its reason.
 */
#ifndef FERROUS_SCHED_SCHED_H
#define FERROUS_SCHED_SCHED_H

#include <stdint.h>

#include <ferrous/errors.h>
#include <ferrous/trace.h>

#include "object/thread.h"
#include "sched/policy.h"

#define SCHED_SLICE_NS 10000000ULL /* 10 ms */
#define SCHED_ALL_CPUS (~0ULL)

/* Reasons in FE_TRACE_SCHED_SWITCH arg[2] and FE_TRACE_SCHED_WAKE arg[2]: the
 * ABI's enum fe_sched_reason (include/ferrous/trace.h), which says when each is used. */
enum sched_reason {
	SCHED_PREEMPTED = FE_SCHED_PREEMPTED,
	SCHED_BLOCKED = FE_SCHED_BLOCKED,
	SCHED_YIELDED = FE_SCHED_YIELDED,
	SCHED_EXITED = FE_SCHED_EXITED,
	SCHED_IPC_DIRECT = FE_SCHED_IPC_DIRECT,
	SCHED_WOKEN = FE_SCHED_WOKEN,
	SCHED_TIMEOUT = FE_SCHED_TIMEOUT,
	SCHED_MIGRATED = FE_SCHED_MIGRATED,
};

/* Makes the boot context this CPU's idle thread and lets threads be placed
 * here. Called with the big lock held. */
void sched_init_cpu(void);
/* A CPU's idle loop: runs threads while there are any, pulls work from busy
 * CPUs, and sleeps (hlt) with the big lock released when there is none.
 * Entered with the big lock held. */
_Noreturn void sched_idle_loop(void);
/* Any interrupt, first thing, lock-free: ends an idle period and notes its
 * cause (enum fe_wake_cause) for the energy counters. */
void sched_note_interrupt(unsigned cause);
/* CPUs that take threads (bit i = CPU i). */
uint64_t sched_cpu_mask(void);

static inline struct thread *sched_current(void);

/* NEW or BLOCKED (already off its wait queue) -> READY. */
void sched_ready(struct thread *t, enum sched_reason why);
/* Takes a READY thread off its run queue (it is being killed). */
void sched_unready(struct thread *t);

/* The running thread blocks on q (taking a reference on owner while queued)
 * and returns once woken, with the status the waker gave. */
fe_status_t sched_block_on(struct waitq *q, struct kobj *owner, enum block_reason why);
/* sched_block_on with a deadline (TSC): FE_ERR_TIMED_OUT once it passes
 * unwoken (at once if it has passed already, without blocking). */
fe_status_t sched_block_on_until(struct waitq *q, struct kobj *owner, enum block_reason why,
                                 uint64_t deadline_tsc);
/* The TSC deadline timeout_ns from now (saturating). */
uint64_t sched_deadline(uint64_t timeout_ns);
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

/* A running thread (here or on another CPU) must look at the scheduler at
 * its next return to user mode: it was killed or its affinity changed. */
void sched_kick(struct thread *t);
/* Restricts t to the CPUs in mask (intersected with the online ones; an
 * empty result is FE_ERR_INVALID_ARG) and moves it if it must. */
fe_status_t sched_set_affinity(struct thread *t, uint64_t mask);

void sched_yield(void);
fe_status_t sched_sleep(uint64_t ns);
/* Ends the running (dead) thread's time on the CPU; never returns. */
_Noreturn void sched_exit_current(void);
/* Called on every return to user mode: switch if a higher priority woke or
 * the slice is over. */
void sched_preempt_point(void);
/*
 * A pause in kernel work whose length the caller's arguments decide (zeroing
 * a large VMO, say), called every bounded step: the big lock is released so
 * other CPUs get in, this CPU takes its pending interrupts, and a more
 * urgent thread may run. The caller holds references to what it uses and
 * re-reads any shared state after. FE_ERR_CANCELED: the calling thread was
 * killed meanwhile, and the caller undoes its work and returns. Does nothing
 * in the kernel's own context (boot, in-kernel tests).
 */
fe_status_t sched_work_point(void);
/* Pages of work between two sched_work_point calls (128 KiB). */
#define SCHED_WORK_PAGES 32u

/* Called by the first switch into a new thread (switch.S). */
void sched_first_run(void);

#include "core/cpu.h"
static inline struct thread *sched_current(void) { return this_cpu()->sched.current; }

#endif /* FERROUS_SCHED_SCHED_H */
