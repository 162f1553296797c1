/* SPDX-License-Identifier: MIT */
#include "object/endpoint.h"

#include <arch/trap.h>
#include <ferrous/syscall.h>
#include <ferrous/trace.h>

#include "core/panic.h"
#include "mm/kmem.h"
#include "object/budget.h"
#include "object/process.h"
#include "object/thread.h"
#include "sched/sched.h"
#include "trace/emit.h"

static struct kmem_cache endpoint_cache;
static uint64_t next_span = 1;

void endpoint_init_cache(void)
{
	kmem_cache_init(&endpoint_cache, "endpoint", sizeof(struct endpoint), 8);
}

fe_status_t endpoint_create(struct budget *b, struct endpoint **out)
{
	struct endpoint *ep;
	fe_status_t st = budget_zalloc(b, &endpoint_cache, (void **)&ep);

	if (st != FE_OK)
		return st;
	kobj_init(&ep->obj, FE_OBJ_ENDPOINT, b);
	*out = ep;
	return FE_OK;
}

void endpoint_destroy(struct kobj *o)
{
	struct endpoint *ep = (struct endpoint *)o;

	if (!waitq_empty(&ep->senders) || !waitq_empty(&ep->receivers))
		panic("endpoint %llu destroyed with threads queued", (unsigned long long)o->koid);
	budget_free(o->budget, &endpoint_cache, ep);
}

static struct ipc_regs regs_of(const struct trap_frame *f, uint64_t badge)
{
	return (struct ipc_regs){ .info = f->rsi, .w = { f->rdx, f->r10, f->r8, f->r9 }, .badge = badge };
}

/* Checks a message the running thread is about to send. */
static fe_status_t check_message(struct thread *from, uint64_t info)
{
	unsigned words = FE_MSG_WORDS(info), ncaps = FE_MSG_CAPS(info);
	struct fe_ipc_buffer *buf = thread_ipc_buffer(from);

	if (words > FE_IPC_MAX_WORDS || ncaps > FE_IPC_MAX_CAPS || (info & 0xffffffffULL & ~0x77fULL))
		return FE_ERR_INVALID_ARG;
	if ((words > FE_IPC_REG_WORDS || ncaps > 0) && !buf)
		return FE_ERR_BAD_STATE;
	for (unsigned i = 0; i < ncaps; i++) {
		struct cap *c;
		fe_status_t st = cspace_lookup(&from->proc->cspace, buf->caps[i], FE_OBJ_NONE,
		                               FE_RIGHT_TRANSFER, &c);
		if (st != FE_OK)
			return st;
	}
	return FE_OK;
}

/* Derived copies of the sender's capabilities into the receiver's table. */
static void transfer_caps(struct thread *from, struct thread *to, unsigned ncaps,
                          struct fe_ipc_buffer *sbuf, struct fe_ipc_buffer *rbuf)
{
	for (unsigned i = 0; i < ncaps; i++) {
		struct cap *c;
		fe_handle_t h = FE_HANDLE_INVALID;

		if (cspace_lookup(&from->proc->cspace, sbuf->caps[i], FE_OBJ_NONE, FE_RIGHT_TRANSFER,
		                  &c) == FE_OK &&
		    cspace_derive(c, &to->proc->cspace, c->rights, 0, &h) == FE_OK)
			trace_emit(FE_TRACE_CAP_TRANSFER, from->proc->obj.koid, to->proc->obj.koid, h,
			           c->rights);
		rbuf->caps[i] = h;
	}
}

/* Moves a checked message from `from` into `to`'s registers and buffer.
 * A receiver without an IPC buffer gets the register words only. */
static void deliver(struct thread *from, const struct ipc_regs *m, struct thread *to, uint64_t ep_id)
{
	struct trap_frame *f = to->frame;
	struct fe_ipc_buffer *sbuf = thread_ipc_buffer(from), *rbuf = thread_ipc_buffer(to);
	unsigned words = FE_MSG_WORDS(m->info), ncaps = FE_MSG_CAPS(m->info);
	uint64_t info = m->info;

	if (!rbuf && (words > FE_IPC_REG_WORDS || ncaps)) {
		words = words > FE_IPC_REG_WORDS ? FE_IPC_REG_WORDS : words;
		ncaps = 0;
		info = FE_MSG_INFO(FE_MSG_LABEL(info), words, 0);
	}
	f->rdi = m->badge;
	f->rsi = info;
	f->rdx = m->w[0], f->r10 = m->w[1], f->r8 = m->w[2], f->r9 = m->w[3];
	for (unsigned i = FE_IPC_REG_WORDS; i < words; i++)
		rbuf->words[i] = sbuf->words[i];
	if (ncaps)
		transfer_caps(from, to, ncaps, sbuf, rbuf);
	to->span = from->span;
	if (rbuf)
		rbuf->span = from->span;
	/* One record per delivery, from the running side: a send names its
	 * receiver, a receive of a queued message its sender. */
	if (to == sched_current())
		trace_emit_hot(FE_TRACE_IPC_RECV, ep_id, FE_MSG_LABEL(info), words, from->obj.koid);
	else
		trace_emit_hot(FE_TRACE_IPC_SEND, ep_id, FE_MSG_LABEL(info), words, to->obj.koid);
}

fe_status_t ipc_call(struct cap *via, struct trap_frame *f)
{
	struct endpoint *ep = via->obj;
	struct thread *cur = sched_current();
	struct ipc_regs m = regs_of(f, via->badge);
	fe_status_t st = check_message(cur, m.info);

	if (st != FE_OK)
		return st;
	if (cur->span == 0)
		cur->span = next_span++;
	struct thread *r = ep->receivers.head;
	if (r) {
		thread_end_wait(r); /* it has the call now */
		deliver(cur, &m, r, ep->obj.koid);
		r->reply_to = cur;
		cur->reply_from = r;
		return sched_block_and_switch(r, BLOCK_IPC_REPLY);
	}
	cur->send = m;
	return thread_block_via(via, &ep->senders, &ep->obj, BLOCK_IPC_SEND);
}

fe_status_t ipc_recv(struct cap *via, bool nonblock, struct trap_frame *f)
{
	struct endpoint *ep = via->obj;
	struct thread *cur = sched_current();
	struct thread *s = ep->senders.head;

	(void)f;
	if (cur->reply_to)
		return FE_ERR_BAD_STATE; /* answer the call you hold first */
	if (s) {
		sched_detach(s);
		thread_end_wait(s); /* received: a revoke no longer reaches the call */
		s->blocked = BLOCK_IPC_REPLY;
		deliver(s, &s->send, cur, ep->obj.koid);
		cur->reply_to = s;
		s->reply_from = cur;
		return FE_OK;
	}
	if (nonblock)
		return FE_ERR_WOULD_BLOCK;
	return thread_block_via(via, &ep->receivers, &ep->obj, BLOCK_IPC_RECV);
}

/* Sends the reply in f to the caller the running thread holds. */
static fe_status_t send_reply(struct thread *cur, struct trap_frame *f, struct thread **caller)
{
	struct thread *c = cur->reply_to;
	struct ipc_regs m = regs_of(f, 0);
	fe_status_t st;

	if (!c)
		return FE_ERR_BAD_STATE;
	if ((st = check_message(cur, m.info)) != FE_OK)
		return st;
	deliver(cur, &m, c, 0);
	cur->reply_to = NULL;
	c->reply_from = NULL;
	*caller = c;
	return FE_OK;
}

fe_status_t ipc_reply(struct trap_frame *f)
{
	struct thread *cur = sched_current(), *c;
	fe_status_t st = send_reply(cur, f, &c);

	if (st == FE_OK)
		sched_wake(c, FE_OK);
	return st;
}

fe_status_t ipc_reply_recv(struct cap *via, struct trap_frame *f)
{
	struct endpoint *ep = via->obj;
	struct thread *cur = sched_current(), *c;
	fe_status_t st;

	if (!cur->reply_to)
		return ipc_recv(via, false, f);
	if ((st = send_reply(cur, f, &c)) != FE_OK)
		return st;
	if (ep->senders.head) {
		sched_wake(c, FE_OK);
		return ipc_recv(via, false, f);
	}
	/* The fastpath: wait for the next call and run the caller at once. */
	waitq_push(&ep->receivers, cur);
	cur->wq_obj = &ep->obj;
	kobj_get(&ep->obj);
	thread_begin_wait(cur, via);
	st = sched_block_and_switch(c, BLOCK_IPC_RECV);
	thread_end_wait(cur);
	return st;
}
