/* SPDX-License-Identifier: MIT */
#include "object/group.h"

#include <ferrous/trace.h>

#include "core/panic.h"
#include "lib/util.h"
#include "mm/frame.h"
#include "mm/kmem.h"
#include "object/budget.h"
#include "object/notification.h"
#include "object/process.h"
#include "object/thread.h"
#include "sched/sched.h"
#include "trace/trace.h"

static struct kmem_cache group_cache;
static struct group *root;

void group_init(void)
{
	kmem_cache_init(&group_cache, "group", sizeof(struct group), 8);
}

/* The root group's memory: three quarters of the memory free when it is
 * made (at init's start, or at a kernel test's first use). */
static uint64_t root_memory(void)
{
	return frame_get_stats().free_frames * FE_PAGE_SIZE / 4 * 3;
}

struct group *group_root(void)
{
	if (!root) {
		if (kmem_zalloc(&group_cache, (void **)&root) != FE_OK ||
		    budget_create(NULL, root_memory(), &root->budget) != FE_OK)
			panic("group: no memory for the root group");
		kobj_init(&root->obj, FE_OBJ_GROUP, NULL);
		root->limits.memory = root->budget->limit;
	}
	kobj_get(&root->obj);
	return root;
}

fe_status_t group_create(struct group *parent, const struct fe_group_limits *lim,
                         struct budget *charge, struct notification *empty, unsigned bit,
                         struct group **out)
{
	struct group *g;
	fe_status_t st;

	if (lim->memory == 0 || lim->memory > parent->budget->limit || bit >= 64)
		return FE_ERR_INVALID_ARG;
	if (parent->depth + 1 > FE_GROUP_DEPTH_MAX)
		return FE_ERR_NO_RESOURCES; /* the kernel walks the tree recursively */
	if (parent->killed)
		return FE_ERR_BAD_STATE;
	if ((st = budget_zalloc(charge, &group_cache, (void **)&g)) != FE_OK)
		return st;
	if ((st = budget_create(parent->budget, lim->memory, &g->budget)) != FE_OK) {
		budget_free(charge, &group_cache, g);
		return st;
	}
	kobj_init(&g->obj, FE_OBJ_GROUP, charge);
	g->parent = parent;
	kobj_get(&parent->obj);
	g->limits = *lim;
	g->depth = parent->depth + 1;
	if (empty) {
		g->empty = empty;
		g->empty_bit = 1ULL << bit;
		kobj_get(&empty->obj);
	}
	list_push(&parent->children, &g->sibling);
	trace_emit(FE_TRACE_GROUP, g->obj.koid, FE_TRACE_GROUP_CREATE, parent->obj.koid, lim->memory);
	*out = g;
	return FE_OK;
}

void group_destroy(struct kobj *o)
{
	struct group *g = group_of(o);

	if (g->processes != 0 || !list_empty(&g->members) || !list_empty(&g->children) || g->freezer)
		panic("group %llu destroyed while it holds processes or groups",
		      (unsigned long long)o->koid);
	list_remove(&g->parent->children, &g->sibling);
	if (g->empty)
		kobj_put(&g->empty->obj);
	budget_put(g->budget);
	kobj_put(&g->parent->obj);
	budget_free(o->budget, &group_cache, g);
}

/* Whether g or an ancestor has as many live threads (or processes) as its limit allows. */
static bool any_full(const struct group *g, bool threads)
{
	for (; g; g = g->parent) {
		uint32_t limit = threads ? g->limits.threads : g->limits.processes;
		if (limit && (threads ? g->threads : g->processes) >= limit)
			return true;
	}
	return false;
}

static bool any_killed(const struct group *g)
{
	for (; g; g = g->parent)
		if (g->killed)
			return true;
	return false;
}

static void count_refusal(struct group *g, uint64_t what)
{
	g->refused++;
	trace_emit(FE_TRACE_GROUP, g->obj.koid, FE_TRACE_GROUP_REFUSED, what, 0);
}

fe_status_t group_join(struct group *g, struct process *p)
{
	if (any_killed(g))
		return FE_ERR_BAD_STATE;
	if (any_full(g, false)) {
		count_refusal(g, 1);
		return FE_ERR_NO_RESOURCES;
	}
	g->started++;
	p->group = g;
	for (struct group *a = g; a; a = a->parent)
		a->processes++;
	kobj_get(&g->obj);
	list_push(&g->members, &p->group_link);
	return FE_OK;
}

void group_unjoin(struct process *p)
{
	struct group *g = p->group;

	g->started--;
	list_remove(&g->members, &p->group_link);
	for (struct group *a = g; a; a = a->parent)
		a->processes--;
	group_release(p);
}

void group_leave(struct process *p)
{
	struct group *g = p->group;

	list_remove(&g->members, &p->group_link);
	for (struct group *a = g; a; a = a->parent) {
		a->processes--;
		a->ended_syscalls += p->syscalls;
		if (a->processes == 0 && a->empty) {
			notification_signal(a->empty, a->empty_bit);
			trace_emit(FE_TRACE_GROUP, a->obj.koid, FE_TRACE_GROUP_EMPTY, a->killed, 0);
		}
	}
}

void group_release(struct process *p)
{
	kobj_put(&p->group->obj);
	p->group = NULL;
}

fe_status_t group_thread_charge(struct group *g)
{
	if (any_full(g, true)) {
		count_refusal(g, 2);
		return FE_ERR_NO_RESOURCES;
	}
	for (struct group *a = g; a; a = a->parent)
		a->threads++;
	return FE_OK;
}

void group_thread_uncharge(struct group *g)
{
	for (struct group *a = g; a; a = a->parent) {
		if (a->threads == 0)
			panic("group %llu: a thread left that was never counted",
			      (unsigned long long)a->obj.koid);
		a->threads--;
	}
}

/* Ends g's own processes, then its children's, depth first. A process
 * ended here leaves g's member list only once it has finished (group_leave),
 * so the walk steps to the next member before ending one. */
static void kill_subtree(struct group *g, uint64_t *ended)
{
	static const struct fe_exit_status why = { .reason = FE_EXIT_KILLED };
	struct list_link *l, *next;

	g->killed = true;
	for (l = g->members.first; l; l = next) {
		next = l->next;
		struct process *p = container_of(l, struct process, group_link);
		if (p->alive)
			(*ended)++;
		process_terminate(p, &why);
	}
	for (l = g->children.first; l; l = l->next)
		kill_subtree(container_of(l, struct group, sibling), ended);
}

/* Adds `delta` to the frozen count of g's subtree; wakes what a thaw frees. */
static void freeze_subtree(struct group *g, int delta)
{
	g->frozen = (uint32_t)((int)g->frozen + delta);
	if (g->frozen == 0)
		sched_wake_all(&g->thaw, FE_OK);
	for (struct list_link *l = g->members.first; delta > 0 && l; l = l->next)
		for (struct thread *t = container_of(l, struct process, group_link)->threads; t;
		     t = t->proc_next)
			sched_kick(t); /* running in user mode: into the kernel, and held */
	for (struct list_link *l = g->children.first; l; l = l->next)
		freeze_subtree(container_of(l, struct group, sibling), delta);
}

void group_freeze(struct group *g, bool freeze, struct process *freezer)
{
	if (g->freezer) {
		list_remove(&g->freezer->frozen_groups, &g->freezer_link);
		g->freezer = NULL;
	}
	if (freeze && freezer) {
		g->freezer = freezer;
		list_push(&freezer->frozen_groups, &g->freezer_link);
	}
	if (g->freeze_self == freeze)
		return;
	g->freeze_self = freeze;
	freeze_subtree(g, freeze ? 1 : -1);
	trace_emit(FE_TRACE_GROUP, g->obj.koid, freeze ? FE_TRACE_GROUP_FREEZE : FE_TRACE_GROUP_THAW,
	           g->threads, 0);
}

void group_hold(struct thread *t)
{
	struct group *g = t->proc->group;

	/* A kill while it waits ends it there (thread_kill), as in any wait. */
	while (g->frozen && !t->killed)
		(void)sched_block_on(&g->thaw, &g->obj, BLOCK_FROZEN);
}

void group_cap_get(struct group *g)
{
	g->caps++;
}

void group_cap_put(struct group *g)
{
	if (g->caps == 0)
		panic("group %llu: a capability went that was never counted",
		      (unsigned long long)g->obj.koid);
	if (--g->caps == 0 && g->freeze_self)
		group_freeze(g, false, NULL);
}

void group_freezer_ended(struct process *p)
{
	while (p->frozen_groups.first)
		group_freeze(container_of(p->frozen_groups.first, struct group, freezer_link), false,
		             NULL);
}

void group_kill(struct group *g)
{
	uint64_t ended = 0;

	kill_subtree(g, &ended);
	trace_emit(FE_TRACE_GROUP, g->obj.koid, FE_TRACE_GROUP_KILL, ended, g->processes);
}

/* What is summed over the subtree on demand, so no hot path counts it. */
struct subtree_sums {
	uint64_t syscalls; /* of its live processes */
	uint32_t stopped;  /* threads held by a freeze */
};

static void sum_subtree(const struct group *g, struct subtree_sums *s)
{
	for (const struct list_link *l = g->members.first; l; l = l->next) {
		const struct process *p = container_of(l, struct process, group_link);
		s->syscalls += p->syscalls;
		for (const struct thread *t = p->threads; t; t = t->proc_next)
			s->stopped += t->state == THREAD_BLOCKED && t->blocked == BLOCK_FROZEN;
	}
	for (const struct list_link *l = g->children.first; l; l = l->next)
		sum_subtree(container_of(l, struct group, sibling), s);
}

void group_info(const struct group *g, struct fe_group_info *out)
{
	struct subtree_sums sums = { 0 };
	uint64_t children = 0;

	for (const struct list_link *l = g->children.first; l; l = l->next)
		children++;
	sum_subtree(g, &sums);
	*out = (struct fe_group_info){
		.koid = g->obj.koid, .parent_koid = g->parent ? g->parent->obj.koid : 0,
		.limits = g->limits,
		.state = (g->killed ? FE_GROUP_KILLED : 0) | (g->frozen ? FE_GROUP_FROZEN : 0),
		.depth = g->depth, .threads_stopped = sums.stopped, .memory_used = g->budget->used, .memory_peak = g->budget->peak,
		.processes = g->processes, .threads = g->threads, .processes_started = g->started,
		.refused = g->refused, .syscalls = g->ended_syscalls + sums.syscalls,
		.children = children,
	};
}
