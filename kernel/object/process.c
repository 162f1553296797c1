/* SPDX-License-Identifier: MIT */
#include "object/process.h"

#include "core/cpu.h"
#include "core/log.h"
#include "core/panic.h"
#include "lib/string.h"
#include "mm/kmem.h"
#include "object/budget.h"
#include "object/interrupt.h"
#include "object/console_driver.h"
#include "object/group.h"
#include "object/pci.h"
#include "object/thread.h"
#include "object/watch.h"
#include "sched/sched.h"

static struct kmem_cache process_cache;
static struct process *all_processes;
static uint64_t live_processes;

void (*process_end_hook)(struct process *p);

void process_init_cache(void)
{
	kmem_cache_init(&process_cache, "process", sizeof(struct process), 16);
}

/* Until it has a thread, p is on its creator's list (weak links: each
 * side unlinks p before it could go, at p's first thread or end). */
static void unstarted_link(struct process *creator, struct process *p)
{
	p->creator = creator;
	list_push(&creator->unstarted, &p->unstarted_link);
}

static void unstarted_unlink(struct process *p)
{
	if (!p->creator)
		return;
	list_remove(&p->creator->unstarted, &p->unstarted_link);
	p->creator = NULL;
}

/* The processes p made that nobody gave a thread end with it (ADR 0009,
 * decision 7), each emptying its table: that drops the references of any
 * cycle among them (the objects are freed later, by kobj_reap_all). One
 * level: a process that never ran made nothing. */
static void end_unstarted(struct process *p)
{
	struct fe_exit_status why = { .reason = FE_EXIT_KILLED };

	while (!list_empty(&p->unstarted)) {
		struct process *c = list_entry(p->unstarted.first, struct process, unstarted_link);

		if (!list_empty(&c->unstarted))
			panic("end_unstarted: process %llu never ran but made a process",
			      (unsigned long long)c->obj.koid);
		process_terminate(c, &why);
	}
}

fe_status_t process_create(struct process *creator, struct budget *charge, struct budget *parent,
                           struct group *g, const char *name, uint64_t limit,
                           struct process **out)
{
	struct process *p;
	fe_status_t st;

	if (creator && !creator->alive)
		panic("process_create: creator %llu has ended", (unsigned long long)creator->obj.koid);
	if ((st = budget_zalloc(charge, &process_cache, (void **)&p)) != FE_OK)
		return st;
	if ((st = budget_create(parent, limit, &p->budget)) != FE_OK)
		goto fail_obj;
	if ((st = group_join(g, p)) != FE_OK)
		goto fail_budget;
	if ((st = aspace_init(&p->as, p->budget)) != FE_OK)
		goto fail_group;
	kobj_init(&p->obj, FE_OBJ_PROCESS, charge);
	strlcpy(p->name, name, sizeof(p->name));
	p->home_node = this_cpu()->node;
	kobj_cspace_env(&p->cs_env, p->budget);
	cspace_init(&p->cspace, &p->cs_env, PROCESS_MAX_HANDLES);
	p->alive = true;
	if (creator)
		unstarted_link(creator, p);
	p->all_next = all_processes;
	if (all_processes)
		all_processes->all_prev = p;
	all_processes = p;
	live_processes++;
	*out = p;
	return FE_OK;

fail_group:
	group_unjoin(p);
fail_budget:
	budget_put(p->budget);
fail_obj:
	budget_free(charge, &process_cache, p);
	return st;
}

void process_terminate(struct process *p, const struct fe_exit_status *why)
{
	if (!p->alive)
		return;
	p->alive = false;
	p->exit = *why;
	live_processes--;
	unstarted_unlink(p); /* ended: its creator's end has nothing left to do */
	group_freezer_ended(p); /* what it froze, nobody else may ever thaw */
	/* Threads first (a running one ends on its way out of the kernel), so
	 * nothing uses the capabilities or memory torn down next. */
	struct thread *next;
	for (struct thread *t = p->threads; t; t = next) {
		next = t->proc_next;
		thread_kill(t);
	}
	irq_unbind_process(p); /* its interrupt bindings end with it */
	pci_release_process(p); /* its devices are quiesced: DMA off before memory goes */
	console_driver_process_ended(p); /* the kernel writes what it left of the console */
	watch_end_made_by(p);  /* and so do the death watches it made */
	end_unstarted(p);      /* and the processes it made that never got a thread */
	cspace_destroy(&p->cspace);
	process_finish_if_idle(p);
}

void process_finish_if_idle(struct process *p)
{
	/* A thread killed while running on another CPU still uses the address
	 * space until it reaches the kernel: the memory goes, and waiters
	 * learn of the end, only once the last thread has left. */
	if (p->alive || p->nthreads != 0 || p->finished)
		return;
	p->finished = true;
	aspace_destroy(&p->as);
	group_leave(p); /* its memory is back: the group's count may say empty */
	sched_wake_all(&p->exit_waiters, FE_OK);
	watch_fire_all(p);
	if (process_end_hook)
		process_end_hook(p);
}

void process_destroy(struct kobj *o)
{
	struct process *p = process_of(o);
	struct fe_exit_status why = { .reason = FE_EXIT_KILLED };

	process_terminate(p, &why); /* never started, and every handle is gone */
	if (p->nthreads != 0)
		panic("process %llu destroyed with %u threads", (unsigned long long)o->koid, p->nthreads);
	if (p->all_prev)
		p->all_prev->all_next = p->all_next;
	else
		all_processes = p->all_next;
	if (p->all_next)
		p->all_next->all_prev = p->all_prev;
	group_release(p);
	budget_put(p->budget);
	budget_free(o->budget, &process_cache, p);
}

void process_add_thread(struct process *p, struct thread *t)
{
	unstarted_unlink(p); /* started: its own now, it outlives its creator */
	t->proc_prev = NULL;
	t->proc_next = p->threads;
	if (p->threads)
		p->threads->proc_prev = t;
	p->threads = t;
	p->nthreads++;
}

void process_remove_thread(struct process *p, struct thread *t)
{
	if (t->proc_prev)
		t->proc_prev->proc_next = t->proc_next;
	else
		p->threads = t->proc_next;
	if (t->proc_next)
		t->proc_next->proc_prev = t->proc_prev;
	t->proc_next = t->proc_prev = NULL;
	p->nthreads--;
	group_thread_uncharge(p->group);
}

uint64_t process_count(void)
{
	return live_processes;
}

uint64_t process_handle_count(void)
{
	uint64_t n = 0;

	/* Every process object still allocated, ended or not: a table is
	 * emptied when its process ends, so only the living contribute. */
	for (const struct process *p = all_processes; p; p = p->all_next)
		n += p->cspace.count;
	return n;
}
