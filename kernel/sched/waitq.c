/* SPDX-License-Identifier: MIT */
#include "sched/waitq.h"

#include "core/panic.h"
#include "object/thread.h"

void waitq_push(struct waitq *q, struct thread *t)
{
	if (t->wq || t->q_next || t->q_prev)
		panic("waitq_push: thread %llu is already queued", (unsigned long long)t->obj.koid);
	t->q_prev = q->tail;
	t->q_next = NULL;
	if (q->tail)
		q->tail->q_next = t;
	else
		q->head = t;
	q->tail = t;
	t->wq = q;
}

void waitq_remove(struct waitq *q, struct thread *t)
{
	if (t->wq != q)
		panic("waitq_remove: thread %llu is not on this queue", (unsigned long long)t->obj.koid);
	if (t->q_prev)
		t->q_prev->q_next = t->q_next;
	else
		q->head = t->q_next;
	if (t->q_next)
		t->q_next->q_prev = t->q_prev;
	else
		q->tail = t->q_prev;
	t->q_next = t->q_prev = NULL;
	t->wq = NULL;
}

struct thread *waitq_pop(struct waitq *q)
{
	struct thread *t = q->head;

	if (t)
		waitq_remove(q, t);
	return t;
}
