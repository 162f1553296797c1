/* SPDX-License-Identifier: MIT */
/*
 * Threads: a kernel stack, a saved user context (the trap frame at the top
 * of that stack), a priority, and IPC state. A thread belongs to exactly one
 * process, which it keeps alive.
 *
 * A live thread holds a reference to itself, dropped once it has died and
 * the CPU has switched away from it for the last time (sched.c); its kernel
 * stack is freed (and uncharged) at that moment, not when the last handle
 * goes, so a dead thread costs only its object.
 */
#ifndef FERROUS_OBJECT_THREAD_H
#define FERROUS_OBJECT_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/errors.h>

#include "cap/cspace.h"
#include "core/kernel.h"
#include "mm/vmap.h"
#include "object/kobj.h"
#include "sched/waitq.h"

struct process;
struct trap_frame;

enum thread_state {
	THREAD_NEW,      /* created, never run */
	THREAD_READY,    /* on a run queue */
	THREAD_RUNNING,
	THREAD_BLOCKED,  /* on a wait queue, or waiting for a reply, or asleep */
	THREAD_DEAD,
};

/* Why a thread blocked: the wait it is in (also the trace reason). */
enum block_reason {
	BLOCK_NONE,
	BLOCK_IPC_SEND,   /* in call, queued on an endpoint */
	BLOCK_IPC_RECV,   /* in recv, queued on an endpoint */
	BLOCK_IPC_REPLY,  /* in call, the server has the message */
	BLOCK_NOTIF,
	BLOCK_PROCESS,    /* waiting for a process to end */
	BLOCK_SLEEP,
	BLOCK_FROZEN,     /* held on the way to user mode: its group is frozen */
};

/* A message in registers, as the sender's frame held it. */
struct ipc_regs {
	uint64_t info;
	uint64_t w[4];
	uint64_t badge;
};

struct thread {
	struct kobj obj;
	struct process *proc;
	enum thread_state state;
	uint32_t priority;
	struct kstack kstack;
	uint64_t switch_rsp;        /* saved by arch_context_switch */
	struct trap_frame *frame;   /* user registers, at the top of kstack */
	bool killed;                /* leave at the next return to user */
	bool in_work_point;         /* preempted in sched_work_point, mid-call: a kill only marks it */
	void *fpu;                  /* its x87/SSE/AVX registers while it is not running (arch/fpu.h) */
	uint32_t fpu_cpu;           /* the CPU that last loaded them, or SCHED_NO_CPU */

	/* Placement (sched/sched.c). */
	uint32_t cpu;               /* the CPU it runs on, or whose run queue or sleep list holds it */
	uint32_t last_cpu;          /* where it last ran; SCHED_NO_CPU before its first run */
	uint64_t affinity;          /* CPUs it may run on, bit i = CPU i */
	bool demanding;             /* its last time slice ran out: CPU-bound */

	/* Run queue or wait queue membership (never both). */
	struct thread *q_next, *q_prev;
	struct waitq *wq;           /* the wait queue it is on, or NULL */
	struct kobj *wq_obj;        /* its owner, referenced while queued */
	enum block_reason blocked;
	fe_status_t wake_status;    /* what the blocking call returns */
	uint64_t wake_tsc;          /* BLOCK_SLEEP or timed: when to wake */
	struct thread *sleep_next;
	bool timed;                 /* blocked on a wait queue and its CPU's sleep list at once:
	                               a wait with a deadline (sched_block_on_until) */

	struct thread *proc_next, *proc_prev; /* the process's thread list */

	/* IPC. */
	struct ipc_regs send;       /* the call being sent while BLOCK_IPC_SEND */
	struct thread *reply_to;    /* a caller waiting for this thread's reply */
	struct thread *reply_from;  /* BLOCK_IPC_REPLY: the server that has our call */
	struct kobj *ipcbuf_vmo;    /* referenced; NULL if no IPC buffer */
	uint64_t ipcbuf_phys;       /* the buffer page */
	struct cap_dep ipcbuf_via;  /* the capability the buffer was set through */
	struct cap_dep wait_via;    /* the capability a wait on an endpoint or notification came through */
	struct kobj *call_ref;      /* referenced: what the call in progress waits on (thread_hold) */
	uint64_t span;              /* trace span of the request being served */
};

void thread_init_cache(void);
uint64_t thread_count(void); /* live threads */

/* A new thread in proc (charged to proc's budget) that will enter user mode
 * at entry with rsp = stack, rdi = arg. Not yet runnable: thread_start. */
fe_status_t thread_create(struct process *proc, uint64_t entry, uint64_t stack, uint64_t arg,
                          uint32_t priority, struct thread **out);
void thread_start(struct thread *t);

/* Ends a thread that is not running now: leaves every queue, breaks its IPC
 * ties, drops what its call holds (thread_hold) and its alive reference. The
 * running thread, or one preempted at a work point, is marked `killed`
 * instead and ends on its way out of the kernel. */
void thread_kill(struct thread *t);
/* Ends the running thread; does not return. */
_Noreturn void thread_exit_current(void);

/* Frees a dead thread's kernel stack once no CPU runs on it (the caller
 * knows: it is not running, or the CPU has switched away from it for the
 * last time), then drops its alive reference. */
void thread_put_dead(struct thread *t);

/* Sets the running thread's IPC buffer: page `phys` of vmo, set through
 * capability `via` (referenced; replaces any earlier buffer). */
void thread_set_ipc_buffer(struct thread *t, struct kobj *vmo, uint64_t phys, struct cap *via);

/* sched_block_on, the wait recorded on capability `via` so a revoke that
 * removes it wakes the thread with FE_ERR_CANCELED. */
fe_status_t thread_block_via(struct cap *via, struct waitq *q, struct kobj *owner,
                             enum block_reason why);
/* A blocked thread's wait was recorded on `via` (for waits that do not go
 * through thread_block_via: the IPC fastpath); thread_end_wait forgets it
 * (the call was received, or the thread woke). */
void thread_begin_wait(struct thread *t, struct cap *via);
void thread_end_wait(struct thread *t);

/*
 * The running call keeps o alive across its waits (the handle it came
 * through may be deleted meanwhile) until thread_unhold; one object per call.
 * The reference is the thread's, not only the call's: a kill ends a thread
 * blocked in its call, or woken and not yet back in it, without returning
 * into the call (thread_kill), and it is thread_detach that drops it then.
 * A reference held only on the kernel stack across a wait would be lost.
 */
void thread_hold(struct thread *t, struct kobj *o);
void thread_unhold(struct thread *t);

/* Revoke reached these (cspace dependents, already detached). */
void thread_revoke_ipcbuf(struct cap_dep *d);
void thread_revoke_wait(struct cap_dep *d);

/* The IPC buffer of t, mapped in the kernel, or NULL. Inline: every IPC asks. */
static inline struct fe_ipc_buffer *thread_ipc_buffer(const struct thread *t)
{
	return t->ipcbuf_vmo ? phys_to_virt(t->ipcbuf_phys) : NULL;
}

static inline struct thread *thread_of(struct kobj *o) { return (struct thread *)o; }

#endif /* FERROUS_OBJECT_THREAD_H */
