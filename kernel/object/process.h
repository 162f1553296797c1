/* SPDX-License-Identifier: MIT */
/*
 * Processes: an address space, a capability table, a budget and threads.
 * A process is alive until its last thread exits, it calls exit, it is
 * killed, or one of its threads faults in user mode; then its threads end,
 * its capabilities are deleted and its memory unmapped at once, and the
 * object lingers (holding only its exit status) until the last handle goes.
 *
 * Until it has had a thread, a process belongs to the process that created
 * it and ends (killed) when its creator ends (ADR 0009, decision 7). A
 * thread-less process makes no call, so nothing else could ever end one that
 * holds a handle to itself, or two that hold handles to each other.
 */
#ifndef FERROUS_OBJECT_PROCESS_H
#define FERROUS_OBJECT_PROCESS_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/errors.h>
#include <ferrous/syscall.h>

#include "cap/cspace.h"
#include "lib/list.h"
#include "mm/aspace.h"
#include "object/kobj.h"
#include "sched/waitq.h"

#define PROCESS_MAX_HANDLES 16384u

struct group;
struct thread;
struct watch;

struct process {
	struct kobj obj;        /* charged to the creator's budget */
	char name[32];
	bool alive;
	struct fe_exit_status exit;
	struct budget *budget;  /* this process's own budget (a child of the creator's) */
	struct cspace_env cs_env;
	struct cspace cspace;
	struct aspace as;
	/* NUMA node its memory (VMO pages) comes from first, and where its threads
	 * should preferably run: the creating CPU's node. Fixed at creation. */
	uint32_t home_node;
	bool finished;      /* ended, and its last thread has left: memory freed, waiters woken */
	struct thread *threads; /* live threads */
	uint32_t nthreads;
	uint64_t syscalls;  /* system calls its threads made: a watchdog's sign of progress */
	struct waitq exit_waiters;
	struct list_head watches;  /* death watches on it, fired once it has finished (object/watch.h) */
	struct list_head watching; /* watches it made, ended when it ends */
	/* Until it has a thread it is on its creator's list, and ends with it. */
	struct process *creator;    /* NULL once started, ended, or if the kernel made it */
	struct list_head unstarted; /* the processes it made that have no thread yet */
	struct list_link unstarted_link; /* on creator->unstarted */
	struct process *all_next, *all_prev; /* every process, for statistics */
	struct group *group;        /* the resource group it belongs to (object/group.h) */
	struct list_head frozen_groups; /* groups its calls froze: they thaw when it ends */
	struct list_link group_link; /* on group->members until it has finished */
};

void process_init_cache(void);
/* A new empty process in group g, its object charged to `charge`, with its
 * own budget of `limit` bytes under `parent` (its creator's budget, or g's
 * when made in another group). It ends with `creator` unless given a
 * thread first (NULL: made by the kernel, ends only as any process does).
 * creator must be alive. Errors: budget ones, and group_join's. */
fe_status_t process_create(struct process *creator, struct budget *charge, struct budget *parent,
                           struct group *g, const char *name, uint64_t limit,
                           struct process **out);
/* Ends the process (idempotent): see the comment at the top. */
void process_terminate(struct process *p, const struct fe_exit_status *why);
/* Once an ended process has no thread left: frees its memory, wakes its
 * waiters (process_terminate and the last thread's exit call it). */
void process_finish_if_idle(struct process *p);
/* Thread bookkeeping (object/thread.c). */
void process_add_thread(struct process *p, struct thread *t);
void process_remove_thread(struct process *p, struct thread *t);

uint64_t process_count(void);
/* Capabilities in every process's table (big lock held). */
uint64_t process_handle_count(void);
/* Called when a process ends; the kernel watches init's end (root_task.c). */
extern void (*process_end_hook)(struct process *p);

static inline struct process *process_of(struct kobj *o) { return (struct process *)o; }

#endif /* FERROUS_OBJECT_PROCESS_H */
