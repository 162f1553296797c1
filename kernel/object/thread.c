/* SPDX-License-Identifier: MIT */
#include "object/thread.h"

#include <arch/fpu.h>
#include <arch/user.h>
#include <ferrous/syscall.h>

#include "core/kernel.h"
#include "core/panic.h"
#include "mm/kmem.h"
#include "object/budget.h"
#include "object/process.h"
#include "sched/sched.h"

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
	if ((st = budget_charge(b, KSTACK_BYTES)) != FE_OK)
		return st;
	if ((st = budget_zalloc(b, &thread_cache, (void **)&t)) != FE_OK)
		goto fail_charge;
	if ((st = kstack_alloc(&t->kstack)) != FE_OK)
		goto fail_obj;
	kobj_init(&t->obj, FE_OBJ_THREAD, b); /* this reference: the thread's own, while alive */
	t->proc = proc;
	kobj_get(&proc->obj);
	t->priority = priority;
	t->state = THREAD_NEW;
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
	kstack_free(&t->kstack);
	budget_uncharge(o->budget, KSTACK_BYTES);
	kobj_put(&t->proc->obj);
	budget_free(o->budget, &thread_cache, t);
}

struct fe_ipc_buffer *thread_ipc_buffer(const struct thread *t)
{
	return t->ipcbuf_vmo ? phys_to_virt(t->ipcbuf_phys) : NULL;
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
	if (t->ipcbuf_vmo) {
		kobj_put(t->ipcbuf_vmo);
		t->ipcbuf_vmo = NULL;
	}
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
	if (t->state == THREAD_RUNNING) {
		/* Here or on another CPU: it ends on its way back to user mode. */
		t->killed = true;
		sched_kick(t);
		return;
	}
	if (t->state == THREAD_DEAD)
		return;
	if (t->state == THREAD_READY)
		sched_unready(t);
	else if (t->state == THREAD_BLOCKED)
		sched_detach(t);
	thread_detach(t);
	kobj_put(&t->obj); /* the alive reference: it is not running, so its stack is idle */
}

_Noreturn void thread_exit_current(void)
{
	struct thread *t = sched_current();

	thread_detach(t);
	sched_exit_current();
}
