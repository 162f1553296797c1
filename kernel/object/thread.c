/* SPDX-License-Identifier: MIT */
#include "object/thread.h"

#include <arch/fpu.h>
#include <arch/user.h>
#include <ferrous/syscall.h>
#include <ferrous/trace.h>

#include <stddef.h>

#include "core/kernel.h"
#include "core/panic.h"
#include "mm/kmem.h"
#include "object/budget.h"
#include "object/group.h"
#include "object/process.h"
#include "sched/sched.h"
#include "trace/trace.h"

#define KSTACK_BYTES (KSTACK_PAGES * 4096ULL)

static struct kmem_cache thread_cache;
static uint64_t live_threads;

uint64_t thread_count(void)
{
	return live_threads;
}

/* The FPU save area sits right after the struct, in the same object, so a
 * thread's budget pays for it and it lives exactly as long as the thread. */
#define FPU_OFFSET ALIGN_UP(sizeof(struct thread), (size_t)ARCH_FPU_ALIGN)

void thread_init_cache(void)
{
	kmem_cache_init(&thread_cache, "thread", FPU_OFFSET + arch_fpu_area_size(), ARCH_FPU_ALIGN);
}

fe_status_t thread_create(struct process *proc, uint64_t entry, uint64_t stack, uint64_t arg,
                          uint32_t priority, struct thread **out)
{
	struct budget *b = proc->budget;
	struct thread *t;
	fe_status_t st;

	if (!proc->alive)
		return FE_ERR_BAD_STATE;
	if ((st = group_thread_charge(proc->group)) != FE_OK)
		return st;
	if ((st = budget_charge(b, KSTACK_BYTES)) != FE_OK)
		goto fail_group;
	if ((st = budget_zalloc(b, &thread_cache, (void **)&t)) != FE_OK)
		goto fail_charge;
	if ((st = kstack_alloc(&t->kstack)) != FE_OK)
		goto fail_obj;
	kobj_init(&t->obj, FE_OBJ_THREAD, b); /* this reference: the thread's own, while alive */
	t->proc = proc;
	kobj_get(&proc->obj);
	t->priority = priority;
	t->state = THREAD_NEW;
	t->ipcbuf_via.kind = CAP_DEP_IPCBUF;
	t->wait_via.kind = CAP_DEP_WAIT;
	t->cpu = this_cpu()->index;
	t->last_cpu = SCHED_NO_CPU;
	/* Like its creator's (a kernel-created thread may run anywhere). */
	t->affinity = sched_current()->proc ? sched_current()->affinity : SCHED_ALL_CPUS;
	t->frame = arch_thread_stack_init(t->kstack.top, entry, stack, arg, &t->switch_rsp);
	t->fpu = (uint8_t *)t + FPU_OFFSET;
	t->fpu_cpu = SCHED_NO_CPU;
	arch_fpu_init_state(t->fpu); /* nothing of its creator's */
	process_add_thread(proc, t);
	live_threads++;
	*out = t;
	return FE_OK;

fail_obj:
	budget_free(b, &thread_cache, t);
fail_charge:
	budget_uncharge(b, KSTACK_BYTES);
fail_group:
	group_thread_uncharge(proc->group);
	return st;
}

void thread_start(struct thread *t)
{
	sched_ready(t, SCHED_WOKEN);
}

void thread_destroy(struct kobj *o)
{
	struct thread *t = thread_of(o);

	if (t->state != THREAD_DEAD)
		panic("thread %llu destroyed while not dead (state %d)", (unsigned long long)o->koid,
		      t->state);
	if (t->kstack.base)
		panic("thread %llu destroyed with its stack", (unsigned long long)o->koid);
	kobj_put(&t->proc->obj);
	budget_free(o->budget, &thread_cache, t);
}

void thread_put_dead(struct thread *t)
{
	if (t->state != THREAD_DEAD || !t->kstack.base)
		panic("thread_put_dead: thread %llu (state %d)", (unsigned long long)t->obj.koid,
		      t->state);
	kstack_free(&t->kstack);
	t->kstack = (struct kstack){ 0 };
	t->frame = NULL;
	budget_uncharge(t->obj.budget, KSTACK_BYTES);
	kobj_put(&t->obj);
}

static void drop_ipc_buffer(struct thread *t)
{
	cspace_dep_detach(&t->ipcbuf_via);
	if (t->ipcbuf_vmo)
		kobj_put(t->ipcbuf_vmo);
	t->ipcbuf_vmo = NULL;
	t->ipcbuf_phys = 0;
}

void thread_set_ipc_buffer(struct thread *t, struct kobj *vmo, uint64_t phys, struct cap *via)
{
	kobj_get(vmo);
	drop_ipc_buffer(t);
	t->ipcbuf_vmo = vmo;
	t->ipcbuf_phys = phys;
	cspace_dep_attach(via, &t->ipcbuf_via);
}

void thread_revoke_ipcbuf(struct cap_dep *d)
{
	struct thread *t = (struct thread *)((char *)d - offsetof(struct thread, ipcbuf_via));

	trace_emit(FE_TRACE_CAP_REVOKE_DEP, CAP_DEP_IPCBUF, t->ipcbuf_vmo->koid, t->obj.koid, 0);
	drop_ipc_buffer(t);
}

void thread_begin_wait(struct thread *t, struct cap *via)
{
	cspace_dep_attach(via, &t->wait_via);
}

void thread_end_wait(struct thread *t)
{
	cspace_dep_detach(&t->wait_via);
}

fe_status_t thread_block_via(struct cap *via, struct waitq *q, struct kobj *owner,
                             enum block_reason why)
{
	struct thread *cur = sched_current();
	fe_status_t st;

	thread_begin_wait(cur, via);
	st = sched_block_on(q, owner, why);
	thread_end_wait(cur);
	return st;
}

/* Only a thread still queued where it went through `via` is woken: one
 * whose call was received, or that was woken already, has ended the wait. */
void thread_revoke_wait(struct cap_dep *d)
{
	struct thread *t = (struct thread *)((char *)d - offsetof(struct thread, wait_via));
	bool queued = t->state == THREAD_BLOCKED && t->wq != NULL &&
	              (t->blocked == BLOCK_IPC_SEND || t->blocked == BLOCK_IPC_RECV ||
	               t->blocked == BLOCK_NOTIF);

	trace_emit(FE_TRACE_CAP_REVOKE_DEP, CAP_DEP_WAIT, t->wq_obj ? t->wq_obj->koid : 0,
	           t->obj.koid, t->blocked);
	if (queued)
		sched_wake(t, FE_ERR_CANCELED);
}

void thread_hold(struct thread *t, struct kobj *o)
{
	if (t->call_ref)
		panic("thread_hold: thread %llu already holds koid %llu", (unsigned long long)t->obj.koid,
		      (unsigned long long)t->call_ref->koid);
	kobj_get(o);
	t->call_ref = o;
}

void thread_unhold(struct thread *t)
{
	if (t->call_ref)
		kobj_put(t->call_ref);
	t->call_ref = NULL;
}

/* Breaks every tie a dying thread has: its process, IPC partners, buffer. */
static void thread_detach(struct thread *t)
{
	struct process *p = t->proc;

	if (t->reply_to) {
		t->reply_to->reply_from = NULL;
		sched_wake(t->reply_to, FE_ERR_PEER_CLOSED);
		t->reply_to = NULL;
	}
	if (t->reply_from) {
		t->reply_from->reply_to = NULL;
		t->reply_from = NULL;
	}
	drop_ipc_buffer(t);
	thread_end_wait(t);
	thread_unhold(t); /* killed inside a wait: its call will not drop it */
	t->state = THREAD_DEAD;
	live_threads--;
	process_remove_thread(p, t);
	if (p->alive && p->nthreads == 0) {
		struct fe_exit_status why = { .reason = FE_EXIT_NORMAL };
		process_terminate(p, &why);
	} else {
		process_finish_if_idle(p);
	}
}

void thread_kill(struct thread *t)
{
	if (t->state == THREAD_RUNNING || t->in_work_point) {
		/* Here or on another CPU, or preempted mid-call (sched_work_point):
		 * it ends on its way back to user mode, once its call has undone
		 * what it had done (ending it now would abandon that work, and
		 * free the stack it sits on). */
		t->killed = true;
		sched_kick(t);
		return;
	}
	if (t->state == THREAD_DEAD)
		return;
	/* Blocked in a call, or woken and not yet back in it: it ends here and
	 * never returns into that call. So whatever a call keeps across a wait
	 * is recorded in the thread (its queue, the sleep list, its IPC ties,
	 * wait_via, call_ref), where thread_detach undoes it; nothing only on
	 * the stack. */
	if (t->state == THREAD_READY)
		sched_unready(t);
	else if (t->state == THREAD_BLOCKED)
		sched_detach(t);
	thread_detach(t);
	thread_put_dead(t); /* it is not running, so its stack is idle */
}

_Noreturn void thread_exit_current(void)
{
	struct thread *t = sched_current();

	thread_detach(t);
	sched_exit_current();
}
