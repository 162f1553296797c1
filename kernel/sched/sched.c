/* SPDX-License-Identifier: MIT */
#include "sched/sched.h"

#include <arch/paging.h>
#include <arch/user.h>
#include <arch/x86.h>
#include <ferrous/trace.h>

#include "core/clock.h"
#include "core/cpu.h"
#include "core/panic.h"
#include "core/timer.h"
#include "mm/kmap.h"
#include "object/process.h"
#include "trace/trace.h"

static struct thread idle_threads[MAX_CPUS];

static uint64_t tid(const struct thread *t)
{
	return t->obj.koid;
}

static struct sched_cpu *me(void)
{
	return &this_cpu()->sched;
}

void sched_init_cpu(void)
{
	struct cpu *c = this_cpu();
	struct thread *t = &idle_threads[c->index];

	t->obj.type = FE_OBJ_THREAD;
	t->obj.refs = 1;
	t->obj.koid = 0; /* trace: thread 0 is the kernel's own context */
	t->state = THREAD_RUNNING;
	c->sched.current = c->sched.idle = t;
}

/* Run queues. */

static void ready_push(struct sched_cpu *s, struct thread *t)
{
	struct run_list *l = &s->ready[t->priority];

	t->q_prev = l->tail;
	t->q_next = NULL;
	if (l->tail)
		l->tail->q_next = t;
	else
		l->head = t;
	l->tail = t;
	s->ready_mask |= 1u << t->priority;
	t->state = THREAD_READY;
}

static void ready_remove(struct sched_cpu *s, struct thread *t)
{
	struct run_list *l = &s->ready[t->priority];

	if (t->q_prev)
		t->q_prev->q_next = t->q_next;
	else
		l->head = t->q_next;
	if (t->q_next)
		t->q_next->q_prev = t->q_prev;
	else
		l->tail = t->q_prev;
	t->q_next = t->q_prev = NULL;
	if (!l->head)
		s->ready_mask &= ~(1u << t->priority);
}

static int top_ready_priority(const struct sched_cpu *s)
{
	return s->ready_mask ? 31 - __builtin_clz(s->ready_mask) : -1;
}

/* The timer: armed for the earlier of the slice end and the first sleeper. */

static void timer_fired(void *ctx);

static void rearm_timer(struct sched_cpu *s)
{
	uint64_t deadline = s->slice_end;

	if (s->sleepers && (deadline == 0 || s->sleepers->wake_tsc < deadline))
		deadline = s->sleepers->wake_tsc;
	if (deadline == this_cpu()->timer_deadline)
		return;
	if (deadline)
		timer_arm(deadline, timer_fired, NULL);
	else
		timer_cancel();
}

static void sleepers_remove(struct sched_cpu *s, struct thread *t)
{
	for (struct thread **p = &s->sleepers; *p; p = &(*p)->sleep_next) {
		if (*p == t) {
			*p = t->sleep_next;
			t->sleep_next = NULL;
			return;
		}
	}
}

/* A slice only matters when another thread of the same priority waits. */
static void update_slice(struct sched_cpu *s, struct thread *t)
{
	bool contended = t != s->idle && s->ready[t->priority].head != NULL;

	if (!contended)
		s->slice_end = 0;
	else if (s->slice_end == 0)
		s->slice_end = rdtsc() + clock_ns_to_tsc(SCHED_SLICE_NS);
	rearm_timer(s);
}

static void finish_switch(void)
{
	struct sched_cpu *s = me();
	struct thread *prev = s->switched_from;

	s->switched_from = NULL;
	if (prev && prev->state == THREAD_DEAD)
		kobj_put(&prev->obj); /* its alive reference: the stack is free now */
	kobj_reap();
}

static void activate_address_space(struct thread *next)
{
	uint64_t root = next->proc ? next->proc->as.root : kmap_root();

	if (arch_pt_current() != root)
		arch_pt_activate(root);
}

static void switch_to(struct thread *next, enum sched_reason why)
{
	struct sched_cpu *s = me();
	struct thread *prev = s->current;

	s->need_resched = false;
	next->state = THREAD_RUNNING;
	if (next == prev) {
		update_slice(s, next);
		return;
	}
	trace_emit(FE_TRACE_SCHED_SWITCH, tid(prev), tid(next), why, 0);
	s->switches++;
	s->current = next;
	s->slice_end = 0;
	update_slice(s, next);
	activate_address_space(next);
	if (next != s->idle)
		arch_set_kernel_stack(this_cpu(), next->kstack.top);
	s->switched_from = prev;
	arch_context_switch(&prev->switch_rsp, next->switch_rsp);
	finish_switch();
}

static struct thread *take_next(struct sched_cpu *s)
{
	int p = top_ready_priority(s);

	if (p < 0)
		return s->idle;
	struct thread *t = s->ready[p].head;
	ready_remove(s, t);
	return t;
}

static void schedule(enum sched_reason why)
{
	struct sched_cpu *s = me();
	struct thread *prev = s->current;

	if (prev->state == THREAD_RUNNING && prev != s->idle)
		ready_push(s, prev);
	switch_to(take_next(s), why);
}

void sched_first_run(void)
{
	finish_switch();
}

void sched_ready(struct thread *t, enum sched_reason why)
{
	struct sched_cpu *s = me();
	struct thread *cur = s->current;

	if (t->state != THREAD_NEW && t->state != THREAD_BLOCKED)
		panic("sched_ready: thread %llu in state %d", (unsigned long long)tid(t), t->state);
	ready_push(s, t);
	trace_emit(FE_TRACE_SCHED_WAKE, tid(t), this_cpu()->index, why, 0);
	if (cur == s->idle || t->priority > cur->priority)
		s->need_resched = true;
	else if (t->priority == cur->priority)
		update_slice(s, cur);
}

void sched_unready(struct thread *t)
{
	if (t->state != THREAD_READY)
		panic("sched_unready: thread %llu is not ready", (unsigned long long)tid(t));
	ready_remove(me(), t);
}

fe_status_t sched_block(enum block_reason why)
{
	struct thread *cur = sched_current();

	cur->state = THREAD_BLOCKED;
	cur->blocked = why;
	cur->wake_status = FE_OK;
	schedule(SCHED_BLOCKED);
	return cur->wake_status;
}

fe_status_t sched_block_on(struct waitq *q, struct kobj *owner, enum block_reason why)
{
	struct thread *cur = sched_current();

	waitq_push(q, cur);
	cur->wq_obj = owner;
	kobj_get(owner);
	return sched_block(why);
}

/* Takes a blocked thread out of whatever it waits in, without running it. */
static void detach_blocked(struct thread *t)
{
	if (t->wq) {
		struct kobj *owner = t->wq_obj;

		waitq_remove(t->wq, t);
		t->wq_obj = NULL;
		kobj_put(owner);
	}
	if (t->blocked == BLOCK_SLEEP)
		sleepers_remove(me(), t);
	t->blocked = BLOCK_NONE;
}

void sched_detach(struct thread *t)
{
	detach_blocked(t);
}

void sched_wake(struct thread *t, fe_status_t status)
{
	if (t->state != THREAD_BLOCKED)
		return;
	detach_blocked(t);
	t->wake_status = status;
	sched_ready(t, SCHED_WOKEN);
}

void sched_wake_all(struct waitq *q, fe_status_t status)
{
	while (q->head)
		sched_wake(q->head, status);
}

fe_status_t sched_block_and_switch(struct thread *next, enum block_reason why)
{
	struct sched_cpu *s = me();
	struct thread *cur = s->current;

	detach_blocked(next);
	next->wake_status = FE_OK;
	cur->state = THREAD_BLOCKED;
	cur->blocked = why;
	cur->wake_status = FE_OK;
	if (top_ready_priority(s) > (int)next->priority) {
		/* Someone more urgent is ready: no shortcut past them. */
		next->state = THREAD_BLOCKED;
		sched_ready(next, SCHED_WOKEN);
		schedule(SCHED_BLOCKED);
	} else {
		trace_emit(FE_TRACE_SCHED_WAKE, tid(next), this_cpu()->index, SCHED_IPC_DIRECT, 0);
		switch_to(next, SCHED_IPC_DIRECT);
	}
	return cur->wake_status;
}

void sched_yield(void)
{
	schedule(SCHED_YIELDED);
}

fe_status_t sched_sleep(uint64_t ns)
{
	struct sched_cpu *s = me();
	struct thread *cur = s->current;

	if (ns == 0) {
		sched_yield();
		return FE_OK;
	}
	cur->wake_tsc = rdtsc() + clock_ns_to_tsc(ns);
	struct thread **p = &s->sleepers;
	while (*p && (*p)->wake_tsc <= cur->wake_tsc)
		p = &(*p)->sleep_next;
	cur->sleep_next = *p;
	*p = cur;
	rearm_timer(s);
	return sched_block(BLOCK_SLEEP);
}

static void timer_fired(void *ctx)
{
	struct sched_cpu *s = me();
	uint64_t now = rdtsc();

	(void)ctx;
	while (s->sleepers && s->sleepers->wake_tsc <= now)
		sched_wake(s->sleepers, FE_OK);
	if (s->slice_end && now >= s->slice_end) {
		s->slice_end = 0;
		s->need_resched = true;
	}
	rearm_timer(s);
}

_Noreturn void sched_exit_current(void)
{
	struct thread *cur = sched_current();

	cur->state = THREAD_DEAD;
	schedule(SCHED_EXITED);
	panic("sched_exit_current: dead thread %llu was scheduled again", (unsigned long long)tid(cur));
}

void sched_preempt_point(void)
{
	if (me()->need_resched)
		schedule(SCHED_PREEMPTED);
}

_Noreturn void sched_idle_loop(void)
{
	struct sched_cpu *s = me();

	for (;;) {
		kobj_reap();
		if (s->ready_mask) {
			schedule(SCHED_PREEMPTED);
			continue;
		}
		s->idle_wakeups++;
		sti_hlt();
		cli();
	}
}
