/* SPDX-License-Identifier: MIT */
/*
 * The scheduler's placement and balancing policy: where a waking thread
 * should run, and from where an idle CPU should pull work.
 *
 * Pure logic: no kernel globals, no locks, no allocation, no this_cpu().
 * The caller takes a snapshot of every CPU (struct sched_cpu_view, read
 * without locks; a stale view only costs a worse choice, never a wrong one,
 * because the caller re-checks affinity and online under the run-queue lock
 * when it enqueues) and gets a decision back. Every function is
 * deterministic: equal inputs give equal outputs, and ties go to the lowest
 * CPU index.
 *
 * Charter: fewer wake-ups when lightly loaded (pack onto CPUs that are
 * already awake), spread when busy (use idle CPUs rather than queue),
 * respect fixed priorities, heterogeneous capacities and NUMA nodes.
 * The rules and the reason codes are in docs/scheduling-policy.md.
 *
 * Host-tested in tests/host/test_sched_policy.c.
 */
#ifndef FERROUS_SCHED_POLICY_H
#define FERROUS_SCHED_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#define SCHED_NO_CPU UINT32_MAX  /* "no CPU" in CPU fields and results */
#define SCHED_NO_NODE UINT32_MAX /* "no preferred node" */
/* Affinity is a 64-bit mask, so only CPUs 0..63 can be placement targets. */
#define SCHED_POLICY_MAX_CPUS 64u
/* Capacities are clamped to 1..SCHED_CAPACITY_MAX. */
#define SCHED_CAPACITY_MAX 1024u

/* One CPU, as the caller saw it. */
struct sched_cpu_view {
	bool online;           /* takes threads; offline CPUs are never chosen or pulled from */
	bool idle;             /* running its idle thread (asleep in hlt/mwait): placing here costs a wake-up */
	uint32_t nr_running;   /* runnable threads here, including the running one (idle thread excluded) */
	uint32_t cur_priority; /* priority of the running thread (0..31, higher first); 0 if idle */
	bool cur_demanding;    /* the running thread is demanding (CPU-bound); false if idle */
	uint32_t capacity;     /* relative compute capacity, 1..1024, 1024 = the biggest core */
	uint32_t node;         /* NUMA node */
};

/* The thread being placed. */
struct sched_thread_view {
	uint64_t affinity;  /* allowed CPUs, bit i = CPU i; should not be 0 (then nothing is allowed) */
	uint32_t last_cpu;  /* where it last ran (cache-warm); SCHED_NO_CPU if never */
	uint32_t waker_cpu; /* the CPU performing the wake-up (the caller); SCHED_NO_CPU if none */
	uint32_t home_node; /* its process's preferred node; SCHED_NO_NODE if none */
	uint32_t priority;  /* 0..31, higher first */
	bool demanding;     /* CPU-bound recently (used whole time slices): wants a big core */
};

/*
 * Why sched_place chose its CPU: the rule that beat the closest rival.
 * Values start at 1 (0 is never a reason), stable for traces.
 */
enum sched_place_reason {
	SCHED_PLACE_AFFINITY = 1,     /* only one allowed online CPU */
	SCHED_PLACE_PACK = 2,         /* lightly loaded: onto an already-awake CPU, no wake-up */
	SCHED_PLACE_WAKER = 3,        /* lightly loaded: onto the waker's CPU (sync wake-up, warm cache) */
	SCHED_PLACE_SPREAD = 4,       /* busy (or no allowed CPU awake): onto a CPU with nothing to run */
	SCHED_PLACE_CAPACITY = 5,     /* demanding: the bigger core; otherwise: the smaller one */
	SCHED_PLACE_LAST_CPU = 6,     /* where it last ran (cache-warm) */
	SCHED_PLACE_NODE = 7,         /* on its home node */
	SCHED_PLACE_PREEMPT = 8,      /* it outranks the thread running there, so it runs at once */
	SCHED_PLACE_LEAST_LOADED = 9, /* no free CPU: the lowest runnable / capacity */
	SCHED_PLACE_NONE = 10,        /* no allowed CPU is online: cpu is SCHED_NO_CPU */
};

/* A placement decision. */
struct sched_placement {
	uint32_t cpu;                   /* the chosen CPU, or SCHED_NO_CPU (reason NONE) */
	enum sched_place_reason reason; /* for the trace */
	bool wake_cpu;                  /* the chosen CPU is idle and must be woken (IPI) */
	bool preempt;                   /* it outranks the running thread there: reschedule that
	                                   CPU (IPI if remote, need_resched if it is waker_cpu) */
};

/*
 * Chooses a CPU for the waking thread t among cpus[0..ncpus-1]. Candidates
 * are the CPUs that are online and in t->affinity (index < 64). Returns
 * cpu = SCHED_NO_CPU with reason SCHED_PLACE_NONE if there is none; the
 * caller decides what to do then (keep it blocked, or widen its affinity).
 */
struct sched_placement sched_place(const struct sched_cpu_view *cpus, uint32_t ncpus,
                                   const struct sched_thread_view *t);

/*
 * The pack/spread switch. The system is busy if some online CPU has a
 * queue (nr_running >= 2) or more threads are runnable than CPUs are awake
 * (work waiting on a CPU that is still asleep); otherwise lightly loaded.
 */
bool sched_system_busy(const struct sched_cpu_view *cpus, uint32_t ncpus);

/*
 * The online CPUs with a bigger capacity than `self` (bit i = CPU i, so only
 * CPUs 0..63), after clamping: where a demanding thread running on self
 * might rather be. 0 if there are none or self >= ncpus.
 */
uint64_t sched_bigger_cpus(const struct sched_cpu_view *cpus, uint32_t ncpus, uint32_t self);

/*
 * Balancing, run by CPU `self` as it goes idle (its view then says
 * nr_running 0) or periodically: returns true with *from set to the CPU to
 * pull one queued thread from, or false if nothing is worth moving
 * (*from untouched). Never self; never an offline CPU; a source needs a
 * queue (nr_running >= 2); same node as self first, then the most runnable.
 * The views do not say which queued threads may run on self: if none may,
 * the caller sets that CPU's nr_running to 0 in its own snapshot and asks
 * again.
 */
bool sched_pick_pull(const struct sched_cpu_view *cpus, uint32_t ncpus, uint32_t self,
                     uint32_t *from);

/* A short lower-case name for traces and logs; "?" for an unknown value. */
const char *sched_place_reason_name(enum sched_place_reason r);

#endif /* FERROUS_SCHED_POLICY_H */
