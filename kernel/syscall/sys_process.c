/* SPDX-License-Identifier: MIT */
/* Processes and threads. */
#include "core/panic.h"
#include "core/usercopy.h"
#include "lib/string.h"
#include "object/budget.h"
#include "object/group.h"
#include "object/process.h"
#include "object/thread.h"
#include "object/vmo.h"
#include "object/watch.h"
#include "sched/sched.h"
#include "syscall/sys.h"

fe_status_t sys_process_create(struct trap_frame *f)
{
	struct process *self = current_process(), *p;
	char name[32];
	uint64_t len = ARG1(f), limit = ARG2(f);
	fe_status_t st;

	if (len == 0 || len >= sizeof(name) || limit == 0)
		return FE_ERR_INVALID_ARG;
	if ((st = copy_from_user(name, ARG0(f), len)) != FE_OK)
		return st;
	name[len] = '\0';
	struct group *g = self->group;
	struct budget *parent = self->budget;
	if (ARG4(f) != FE_HANDLE_INVALID) {
		struct kobj *o;
		if ((st = handle_lookup(ARG4(f), FE_OBJ_GROUP, FE_RIGHT_MANAGE, &o)) != FE_OK)
			return st;
		g = group_of(o);
	}
	/* Its budget nests under its creator's in the creator's group, under
	 * the group's in another: within that one's limit either way. */
	if (g != self->group)
		parent = g->budget;
	if (limit > parent->limit)
		return FE_ERR_INVALID_ARG;
	if ((st = handle_reserve(ARG3(f))) != FE_OK ||
	    (st = process_create(self, self->budget, parent, g, name, limit, &p)) != FE_OK)
		return st;
	return handle_install(&p->obj, ARG3(f));
}

fe_status_t sys_process_info(struct trap_frame *f)
{
	struct kobj *o;
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_PROCESS, FE_RIGHT_READ, &o);

	if (st != FE_OK)
		return st;
	struct process *p = process_of(o);
	struct fe_process_info info = {
		.koid = o->koid, .exit = p->exit, .threads = p->nthreads, .handles = p->cspace.count,
		.budget_limit = p->budget->limit, .budget_used = p->budget->used,
		.syscalls = p->syscalls,
	};
	strlcpy(info.name, p->name, sizeof(info.name));
	return copy_to_user(ARG1(f), &info, sizeof(info));
}

fe_status_t sys_process_wait(struct trap_frame *f)
{
	struct kobj *o;
	uint64_t flags = ARG2(f);
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_PROCESS, FE_RIGHT_WAIT, &o);

	if (st != FE_OK)
		return st;
	struct process *p = process_of(o);
	if ((flags & ~(uint64_t)(FE_NONBLOCK | FE_TIMEOUT)) || flags == (FE_NONBLOCK | FE_TIMEOUT))
		return FE_ERR_INVALID_ARG;
	uint64_t deadline = (flags & FE_TIMEOUT) ? sched_deadline(ARG3(f)) : 0;
	if (p == current_process())
		return FE_ERR_INVALID_ARG;
	if ((st = user_check_write(ARG1(f), sizeof(struct fe_exit_status))) != FE_OK)
		return st;
	thread_hold(sched_current(), o); /* the handle may go while we sleep */
	while (st == FE_OK && !p->finished)
		st = (flags & FE_NONBLOCK) ? FE_ERR_WOULD_BLOCK
		     : (flags & FE_TIMEOUT) ? sched_block_on_until(&p->exit_waiters, o, BLOCK_PROCESS, deadline)
		                            : sched_block_on(&p->exit_waiters, o, BLOCK_PROCESS);
	if (st == FE_OK)
		st = copy_to_user(ARG1(f), &p->exit, sizeof(p->exit));
	thread_unhold(sched_current());
	return st;
}

fe_status_t sys_process_watch(struct trap_frame *f)
{
	struct cap *p, *n;
	fe_status_t st;

	if ((st = handle_lookup_cap(ARG0(f), FE_OBJ_PROCESS, FE_RIGHT_WAIT, &p)) != FE_OK ||
	    (st = handle_lookup_cap(ARG1(f), FE_OBJ_NOTIFICATION, FE_RIGHT_SIGNAL, &n)) != FE_OK)
		return st;
	if (ARG2(f) >= 64)
		return FE_ERR_INVALID_ARG;
	/* Recorded on both capabilities and the caller, as a binding is (ADR 0009). */
	return process_watch(p, n, (unsigned)ARG2(f), current_process());
}

fe_status_t sys_process_kill(struct trap_frame *f)
{
	struct kobj *o;
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_PROCESS, FE_RIGHT_MANAGE, &o);

	if (st != FE_OK)
		return st;
	if (!process_of(o)->alive)
		return FE_ERR_BAD_STATE;
	struct fe_exit_status why = { .reason = FE_EXIT_KILLED };
	process_terminate(process_of(o), &why);
	return FE_OK;
}

fe_status_t sys_process_exit(struct trap_frame *f)
{
	struct fe_exit_status why = { .code = (int64_t)ARG0(f), .reason = FE_EXIT_NORMAL };

	process_terminate(current_process(), &why);
	return FE_OK; /* never seen: the thread ends on its way out */
}

static bool user_code_address(uint64_t a)
{
	return a >= FE_USER_BASE && a < FE_USER_TOP;
}

fe_status_t sys_thread_create(struct trap_frame *f)
{
	struct kobj *o;
	struct thread *t;
	uint64_t entry = ARG1(f), stack = ARG2(f), prio = ARG4(f);
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_PROCESS, FE_RIGHT_MANAGE, &o);

	if (st != FE_OK)
		return st;
	if (!user_code_address(entry) || stack < FE_USER_BASE || stack > FE_USER_TOP ||
	    prio > FE_PRIORITY_MAX)
		return FE_ERR_INVALID_ARG;
	if (prio > sched_current()->priority)
		return FE_ERR_ACCESS_DENIED;
	/* The handle's place first: undoing a made thread would end a process
	 * that has no other thread yet. */
	if ((st = handle_reserve(ARG5(f))) != FE_OK ||
	    (st = thread_create(process_of(o), entry, stack, ARG3(f), (uint32_t)prio, &t)) != FE_OK)
		return st;
	kobj_get(&t->obj); /* the handle's reference; the first one is the thread's own */
	if ((st = handle_install(&t->obj, ARG5(f))) != FE_OK)
		panic("sys_thread_create: reserved handle not installed (%d)", st);
	thread_start(t);
	return FE_OK;
}

fe_status_t sys_thread_exit(struct trap_frame *f)
{
	(void)f;
	thread_exit_current();
}

fe_status_t sys_thread_yield(struct trap_frame *f)
{
	(void)f;
	sched_yield();
	return FE_OK;
}

fe_status_t sys_thread_sleep(struct trap_frame *f)
{
	return sched_sleep(ARG0(f));
}

fe_status_t sys_thread_set_ipc_buffer(struct trap_frame *f)
{
	struct cap *c;
	uint64_t offset = ARG1(f);
	fe_status_t st = handle_lookup_cap(ARG0(f), FE_OBJ_VMO, FE_RIGHT_READ | FE_RIGHT_WRITE, &c);

	if (st != FE_OK)
		return st;
	struct vmo *v = c->obj;
	if (offset & 4095)
		return FE_ERR_INVALID_ARG;
	if (offset >= v->size)
		return FE_ERR_OUT_OF_RANGE;
	/* The kernel writes messages into it: data, never code (ADR 0008). */
	if ((st = mem_seal_check(&v->obj, FE_VM_READ | FE_VM_WRITE)) != FE_OK)
		return st;
	mem_seal(&v->obj, FE_VM_READ | FE_VM_WRITE);
	thread_set_ipc_buffer(sched_current(), &v->obj, v->pages[offset / 4096], c);
	return FE_OK;
}

fe_status_t sys_thread_set_affinity(struct trap_frame *f)
{
	struct kobj *o = &sched_current()->obj;
	fe_status_t st = FE_OK;

	if (ARG0(f) != FE_HANDLE_INVALID)
		st = handle_lookup(ARG0(f), FE_OBJ_THREAD, FE_RIGHT_MANAGE, &o);
	if (st != FE_OK)
		return st;
	struct thread *t = (struct thread *)o;
	if (t->state == THREAD_DEAD)
		return FE_ERR_BAD_STATE;
	return sched_set_affinity(t, ARG1(f));
}

fe_status_t sys_cpu_current(struct trap_frame *f)
{
	uint32_t cpu = this_cpu()->index;
	return copy_to_user(ARG0(f), &cpu, sizeof(cpu));
}
