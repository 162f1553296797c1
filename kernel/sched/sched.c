/* SPDX-License-Identifier: MIT */
#include "sched/sched.h"

#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/paging.h>
#include <arch/user.h>
#include <arch/x86.h>
#include <ferrous/trace.h>

#include "core/biglock.h"
#include "core/clock.h"
#include "core/cpu.h"
#include "core/panic.h"
#include "core/ipi.h"
#include "core/timer.h"
#include "mm/kmap.h"
#include "object/console_driver.h"
#include "object/process.h"
#include "trace/emit.h"

static struct thread idle_threads[MAX_CPUS];
static uint64_t cpus_taking_threads; /* bit i: CPU i runs its idle loop */

static uint64_t tid(const struct thread *t)
{
	return t->obj.koid;
}

static struct sched_cpu *me(void)
{
	return &this_cpu()->sched;
}

static struct sched_cpu *sched_of(uint32_t cpu)
{
	return &cpus[cpu].sched;
}

static uint32_t self(void)
{
	return this_cpu()->index;
}

static bool allowed_on(const struct thread *t, uint32_t cpu)
{
	return (t->affinity >> cpu) & 1;
}

uint64_t sched_cpu_mask(void)
{
	return cpus_taking_threads;
}

static uint32_t capacity_of(uint32_t cpu)
{
	return cpus[cpu].capacity ? cpus[cpu].capacity : SCHED_CAPACITY_MAX;
}

/* Each online CPU's `bigger` mask, again: capacities are fixed at boot, so
 * only a CPU coming online changes them. */
static void refresh_bigger(void)
{
	struct sched_cpu_view v[MAX_CPUS] = { 0 };

	for (uint32_t i = 0; i < MAX_CPUS; i++) {
		v[i].online = (cpus_taking_threads >> i) & 1;
		v[i].capacity = capacity_of(i);
	}
	for (uint32_t i = 0; i < MAX_CPUS; i++)
		sched_of(i)->bigger = sched_bigger_cpus(v, MAX_CPUS, i);
}

void sched_init_cpu(void)
{
	struct cpu *c = this_cpu();
	struct thread *t = &idle_threads[c->index];

	t->obj.type = FE_OBJ_THREAD;
	t->obj.refs = 1;
	t->obj.koid = 0; /* trace: thread 0 is the kernel's own context */
	t->state = THREAD_RUNNING;
	t->cpu = t->last_cpu = c->index;
	t->affinity = 1ULL << c->index;
	c->sched.cpu = c->index;
	c->sched.current = c->sched.idle = t;
	cpus_taking_threads |= 1ULL << c->index;
	refresh_bigger();
}

/* Run queues. */

static void ready_push(struct sched_cpu *s, struct thread *t)
{
	if (t->priority >= SCHED_LEVELS)
		panic("sched: thread %llu has priority %u", (unsigned long long)tid(t), t->priority);
	struct run_list *l = &s->ready[t->priority];

	t->q_prev = l->tail;
	t->q_next = NULL;
	if (l->tail)
		l->tail->q_next = t;
	else
		l->head = t;
	l->tail = t;
	s->ready_mask |= 1u << t->priority;
	s->nr_ready++;
	t->state = THREAD_READY;
	t->cpu = s->cpu;
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
	s->nr_ready--;
	if (!l->head)
		s->ready_mask &= ~(1u << t->priority);
}

static int top_ready_priority(const struct sched_cpu *s)
{
	return s->ready_mask ? 31 - __builtin_clz(s->ready_mask) : -1;
}

/* The timer: armed for the earlier of the slice end and the first sleeper. */

static void timer_fired(void *ctx);

/*
 * Arms the timer for this CPU's next deadline (slice end or first sleeper).
 * An earlier deadline of ours already armed is left alone: when it fires,
 * timer_fired finds nothing due yet and arms the later one. Every switch
 * starts a new slice, so otherwise two threads taking turns would reprogram
 * the timer (and record timer_arm) on every switch.
 */
static void rearm_timer(struct sched_cpu *s)
{
	struct cpu *c = this_cpu();
	uint64_t deadline = s->slice_end;

	if (s->sleepers && (deadline == 0 || s->sleepers->wake_tsc < deadline))
		deadline = s->sleepers->wake_tsc;
	if (deadline == c->timer_deadline)
		return;
	if (deadline && c->timer_deadline && c->timer_deadline < deadline && c->timer_fn == timer_fired)
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

/* Puts t on s's sleep list, in wake order, and arms the timer for it. */
static void sleepers_insert(struct sched_cpu *s, struct thread *t, uint64_t wake_tsc)
{
	struct thread **p = &s->sleepers;

	t->wake_tsc = wake_tsc;
	while (*p && (*p)->wake_tsc <= wake_tsc)
		p = &(*p)->sleep_next;
	t->sleep_next = *p;
	*p = t;
	rearm_timer(s);
}

uint64_t sched_deadline(uint64_t timeout_ns)
{
	/* Saturating: now + a very long wait must not wrap into the past. */
	return sat_add_u64(rdtsc(), clock_ns_to_tsc(timeout_ns));
}

/*
 * A slice only matters when another thread of the same priority waits, or
 * when the thread may run on a bigger CPU than this one: its slice running
 * out is how a CPU-bound thread is noticed (timer_fired) and moved (requeue).
 * With equal capacities an uncontended thread gets no timer at all.
 */
static void update_slice(struct sched_cpu *s, struct thread *t)
{
	bool timed = t != s->idle &&
	             (s->ready[t->priority].head != NULL || (t->affinity & s->bigger) != 0);

	if (!timed)
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
		thread_put_dead(prev); /* its stack and alive reference: no CPU runs on it now */
	kobj_reap();
}

static void activate_address_space(struct thread *next)
{
	uint64_t root = next->proc ? next->proc->as.root : kmap_root();

	if (arch_pt_current() != root)
		arch_pt_activate(root);
	this_cpu()->active_root = root; /* for TLB shootdowns (core/ipi.c) */
}

/*
 * The user FPU/SIMD registers follow the threads (ADR 0007): eager, on every
 * switch. The leaving thread's are saved; the arriving thread's are loaded
 * unless this CPU still holds exactly them (it was the last to load them here
 * and has run nowhere since: a thread that blocked and woke with only the
 * idle thread between). Kernel-only threads have no area and leave the
 * registers alone.
 */
static void switch_fpu(struct sched_cpu *s, struct thread *prev, struct thread *next)
{
	if (prev->fpu)
		arch_fpu_save(prev->fpu);
	if (!next->fpu)
		return;
	if (s->fpu_loaded != next || next->fpu_cpu != s->cpu) {
		arch_fpu_restore(next->fpu);
		s->fpu_loaded = next;
		next->fpu_cpu = s->cpu;
	}
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
	big_lock_assert_switchable();
	trace_emit_hot(FE_TRACE_SCHED_SWITCH, tid(prev), tid(next), why, 0);
	s->switches++;
	if (next->last_cpu != s->cpu && next->last_cpu != SCHED_NO_CPU && next != s->idle) {
		s->migrations_in++;
		trace_emit(FE_TRACE_SCHED_MIGRATE, tid(next), next->last_cpu, s->cpu, why);
	}
	next->cpu = next->last_cpu = s->cpu;
	s->current = next;
	s->slice_end = 0;
	update_slice(s, next);
	activate_address_space(next);
	if (next != s->idle)
		arch_set_kernel_stack(this_cpu(), next->kstack.top);
	s->switched_from = prev;
	switch_fpu(s, prev, next);
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

/* Placement: which CPU a thread that became runnable goes to. The rules
 * are in sched/policy.c (pure, host-tested); here we only take the
 * snapshot it decides on. */

/* "idle" means asleep: placing there costs a wake-up. The CPU taking the
 * snapshot is awake even in its idle thread (it is handling the interrupt
 * that woke someone), and it looks at its queue before it sleeps again. */
static void snapshot(struct sched_cpu_view *v)
{
	uint32_t awake = self();

	for (uint32_t i = 0; i < ncpus; i++) {
		const struct sched_cpu *c = sched_of(i);
		bool idle = c->current == c->idle;

		v[i].online = (cpus_taking_threads >> i) & 1;
		v[i].idle = idle && c->nr_ready == 0 && i != awake;
		v[i].nr_running = c->nr_ready + !idle;
		v[i].cur_priority = idle ? 0 : c->current->priority;
		v[i].cur_demanding = !idle && c->current->demanding;
		v[i].capacity = capacity_of(i);
		v[i].node = cpus[i].node;
	}
}

/* t, running on its CPU, is being placed: that CPU's view must not count it
 * (it is leaving; what runs there next is the most urgent queued thread). */
static void discount_running(struct sched_cpu_view *v, const struct thread *t)
{
	const struct sched_cpu *s = sched_of(t->cpu);
	int p = top_ready_priority(s);
	const struct thread *next = p < 0 ? NULL : s->ready[p].head;

	v->nr_running--;
	v->cur_priority = next ? next->priority : 0;
	v->cur_demanding = next && next->demanding;
}

static uint32_t choose_cpu(const struct thread *t, uint32_t *reason)
{
	struct sched_cpu_view v[MAX_CPUS];
	struct sched_thread_view tv = {
		.affinity = t->affinity, .last_cpu = t->last_cpu, .waker_cpu = self(),
		.home_node = t->proc ? t->proc->home_node : SCHED_NO_NODE,
		.priority = t->priority, .demanding = t->demanding,
	};

	if (ncpus == 1) { /* the wake-up hot path on one CPU: nothing to decide */
		*reason = SCHED_PLACE_AFFINITY;
		return 0;
	}
	snapshot(v);
	if (t->state == THREAD_RUNNING)
		discount_running(&v[t->cpu], t);
	struct sched_placement p = sched_place(v, ncpus, &tv);
	if (p.cpu == SCHED_NO_CPU)
		panic("sched: thread %llu may run on no online CPU (affinity %#llx)",
		      (unsigned long long)tid(t), (unsigned long long)t->affinity);
	*reason = p.reason;
	return p.cpu;
}

/* Tells `cpu` that t was queued there: preempt, start a slice, or wake. */
static void notify_cpu(uint32_t cpu, const struct thread *t)
{
	struct sched_cpu *c = sched_of(cpu);
	struct thread *cur = c->current;

	if (cur == c->idle || t->priority > cur->priority)
		c->need_resched = true;
	else if (t->priority == cur->priority)
		c->recheck_slice = true;
	else
		return;
	if (cpu == self()) {
		if (c->recheck_slice) {
			c->recheck_slice = false;
			update_slice(c, cur);
		}
	} else if (cur != c->idle || c->idle_sleeping) {
		ipi_reschedule(cpu);
	}
}

/* Queues t on `cpu`, which placement chose for `reason`. */
static void enqueue_on(struct thread *t, uint32_t cpu, uint32_t reason, enum sched_reason why)
{
	if (ncpus > 1) /* on one CPU there is no choice to record */
		trace_emit(FE_TRACE_SCHED_PLACE, tid(t), cpu, reason, self());
	ready_push(sched_of(cpu), t);
	trace_emit(FE_TRACE_SCHED_WAKE, tid(t), cpu, why, 0);
	notify_cpu(cpu, t);
}

/* Queues a runnable thread on the CPU placement picks. */
static void enqueue(struct thread *t, enum sched_reason why)
{
	uint32_t reason, cpu = choose_cpu(t, &reason);

	enqueue_on(t, cpu, reason, why);
}

/*
 * prev, demanding, would leave this CPU for a smaller one because a thread
 * of at least its priority waits here: that thread is placed again instead
 * (it goes to the free CPU, or back here if nothing suits it better), so
 * the CPU-bound thread keeps its bigger core. True if one was moved on.
 */
static bool push_waiting(struct sched_cpu *s, const struct thread *prev)
{
	int p = top_ready_priority(s);

	if (p < (int)prev->priority)
		return false;
	struct thread *t = s->ready[p].head;
	ready_remove(s, t);
	enqueue(t, SCHED_MIGRATED);
	return true;
}

/*
 * The running thread prev stops running but stays runnable. It stays here
 * unless its affinity forbids it, or it is demanding (its last slice ran
 * out) and was preempted: then it is placed again as if it woke, so a
 * CPU-bound thread moves to a bigger CPU, or off a queue to a free one (a
 * smaller free one only if nothing that waits here can go instead). Only a
 * move is traced: staying put is no decision.
 */
static void requeue(struct sched_cpu *s, struct thread *prev, enum sched_reason why)
{
	uint32_t reason = 0, cpu = s->cpu;

	if (!allowed_on(prev, s->cpu)) {
		enqueue(prev, SCHED_MIGRATED);
		return;
	}
	if (why == SCHED_PREEMPTED && prev->demanding && ncpus > 1) {
		cpu = choose_cpu(prev, &reason);
		if (capacity_of(cpu) < capacity_of(s->cpu) && push_waiting(s, prev))
			cpu = s->cpu;
	}
	if (cpu == s->cpu)
		ready_push(s, prev);
	else
		enqueue_on(prev, cpu, reason, SCHED_MIGRATED);
}

static void schedule(enum sched_reason why)
{
	struct sched_cpu *s = me();
	struct thread *prev = s->current;

	if (prev->state == THREAD_RUNNING && prev != s->idle)
		requeue(s, prev, why);
	switch_to(take_next(s), why);
}

void sched_first_run(void)
{
	finish_switch();
	big_lock_release(); /* the switch handed it over; the thread enters user mode now */
}

void sched_ready(struct thread *t, enum sched_reason why)
{
	if (t->state != THREAD_NEW && t->state != THREAD_BLOCKED)
		panic("sched_ready: thread %llu in state %d", (unsigned long long)tid(t), t->state);
	enqueue(t, why);
}

void sched_unready(struct thread *t)
{
	if (t->state != THREAD_READY)
		panic("sched_unready: thread %llu is not ready", (unsigned long long)tid(t));
	ready_remove(sched_of(t->cpu), t);
}

fe_status_t sched_block(enum block_reason why)
{
	struct thread *cur = sched_current();

	cur->state = THREAD_BLOCKED;
	cur->blocked = why;
	cur->wake_status = FE_OK;
	cur->demanding = false;
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

fe_status_t sched_block_on_until(struct waitq *q, struct kobj *owner, enum block_reason why,
                                 uint64_t deadline_tsc)
{
	struct sched_cpu *s = me();
	struct thread *cur = s->current;

	if (rdtsc() >= deadline_tsc)
		return FE_ERR_TIMED_OUT;
	waitq_push(q, cur);
	cur->wq_obj = owner;
	kobj_get(owner);
	cur->timed = true;
	sleepers_insert(s, cur, deadline_tsc);
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
	/* A timed wait is on the sleep list too: a stale entry would later
	 * wake (or, once freed, touch) a thread that is no longer waiting. */
	if (t->blocked == BLOCK_SLEEP || t->timed)
		sleepers_remove(sched_of(t->cpu), t);
	t->timed = false;
	t->blocked = BLOCK_NONE;
}

void sched_detach(struct thread *t)
{
	detach_blocked(t);
}

static void wake(struct thread *t, fe_status_t status, enum sched_reason why)
{
	if (t->state != THREAD_BLOCKED)
		return;
	detach_blocked(t);
	t->wake_status = status;
	sched_ready(t, why);
}

void sched_wake(struct thread *t, fe_status_t status)
{
	wake(t, status, SCHED_WOKEN);
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
	if (top_ready_priority(s) > (int)next->priority || !allowed_on(next, s->cpu)) {
		/* Someone more urgent is ready, or next may not run here: no
		 * shortcut; next is placed like any woken thread. */
		next->state = THREAD_BLOCKED;
		sched_ready(next, SCHED_WOKEN);
		schedule(SCHED_BLOCKED);
	} else {
		/* No wake record: the switch, reason SCHED_IPC_DIRECT, says that
		 * cur woke next by handing it this CPU. */
		switch_to(next, SCHED_IPC_DIRECT);
	}
	return cur->wake_status;
}

void sched_kick(struct thread *t)
{
	if (t->state != THREAD_RUNNING)
		return;
	sched_of(t->cpu)->need_resched = true;
	ipi_reschedule(t->cpu);
}

fe_status_t sched_set_affinity(struct thread *t, uint64_t mask)
{
	mask &= cpus_taking_threads;
	if (mask == 0)
		return FE_ERR_INVALID_ARG;
	t->affinity = mask;
	if (allowed_on(t, t->cpu))
		return FE_OK;
	if (t->state == THREAD_READY) {
		ready_remove(sched_of(t->cpu), t);
		enqueue(t, SCHED_MIGRATED);
	} else if (t == sched_current()) {
		schedule(SCHED_MIGRATED);
	} else {
		sched_kick(t); /* its CPU requeues it elsewhere (schedule) */
	}
	return FE_OK; /* a blocked thread is placed by its affinity when it wakes */
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
	sleepers_insert(s, cur, sched_deadline(ns));
	return sched_block(BLOCK_SLEEP);
}

static void timer_fired(void *ctx)
{
	struct sched_cpu *s = me();
	uint64_t now = rdtsc();

	(void)ctx;
	while (s->sleepers && s->sleepers->wake_tsc <= now)
		wake(s->sleepers, s->sleepers->timed ? FE_ERR_TIMED_OUT : FE_OK, SCHED_TIMEOUT);
	if (s->slice_end && now >= s->slice_end) {
		s->slice_end = 0;
		s->need_resched = true;
		s->current->demanding = true;
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
	struct sched_cpu *s = me();

	if (s->recheck_slice) {
		s->recheck_slice = false;
		update_slice(s, s->current);
	}
	if (s->need_resched)
		schedule(SCHED_PREEMPTED);
}

fe_status_t sched_work_point(void)
{
	struct sched_cpu *s = me();

	if (s->current == s->idle)
		return FE_OK; /* the kernel's own context (boot, tests): nobody to let in */
	struct thread *cur = s->current;
	uint32_t depth = big_lock_drop();

	irq_window();
	big_lock_restore(depth);
	/* Preempted here, the thread is READY with half-done work on its
	 * stack: thread_kill must let it run on to undo that, not end it. */
	cur->in_work_point = true;
	sched_preempt_point();
	cur->in_work_point = false;
	return cur->killed ? FE_ERR_CANCELED : FE_OK;
}

/* The most urgent thread queued on `from` that may run on `cpu`. */
static struct thread *pullable(struct sched_cpu *from, uint32_t cpu)
{
	for (int p = SCHED_LEVELS - 1; p >= 0; p--)
		for (struct thread *t = from->ready[p].head; t; t = t->q_next)
			if (allowed_on(t, cpu))
				return t;
	return NULL;
}

/* Balancing: an idle CPU asks the policy where to pull from, and takes the
 * most urgent thread there that may run here. */
static bool pull_work(struct sched_cpu *s)
{
	struct sched_cpu_view v[MAX_CPUS];
	uint32_t from;

	snapshot(v);
	while (sched_pick_pull(v, ncpus, s->cpu, &from)) {
		struct thread *t = pullable(sched_of(from), s->cpu);
		if (t) {
			ready_remove(sched_of(from), t);
			ready_push(s, t);
			trace_emit(FE_TRACE_SCHED_PLACE, tid(t), s->cpu, 0, from);
			return true;
		}
		v[from].nr_running = 0; /* nothing there may run here: ask again */
	}
	return false;
}

void sched_note_interrupt(unsigned cause)
{
	struct sched_cpu *s = me();

	if (s->idle_sleeping) {
		s->idle_sleeping = false;
		s->wake_cause = (uint8_t)cause;
		s->woke_tsc = rdtsc();
	}
}

/* Halts until an interrupt, with the big lock released; counts the idle
 * time and what ended it. */
static void idle_sleep(struct sched_cpu *s)
{
	uint64_t t0 = rdtsc();

	s->idle_entries++;
	s->wake_cause = FE_WAKE_OTHER;
	s->woke_tsc = 0;
	s->idle_since = t0;
	console_driver_poll(); /* output an interrupt made while idle */
	s->idle_sleeping = true;
	big_lock_release();
	arch_idle();
	big_lock_acquire();
	s->idle_sleeping = false;
	uint64_t t1 = s->woke_tsc ? s->woke_tsc : rdtsc();
	s->idle_tsc += t1 - t0;
	s->wakeups[s->wake_cause]++;
	trace_emit(FE_TRACE_CPU_IDLE, clock_tsc_to_ns(t1 - t0), s->wake_cause, 0, 0);
}

_Noreturn void sched_idle_loop(void)
{
	struct sched_cpu *s = me();

	for (;;) {
		kobj_reap();
		if (s->ready_mask || pull_work(s)) {
			schedule(SCHED_PREEMPTED);
			continue;
		}
		idle_sleep(s);
	}
}
