/* SPDX-License-Identifier: MIT */
/*
 * Wait queues: FIFO lists of blocked threads, intrusive through the thread's
 * q_next/q_prev links (a thread is on at most one run or wait queue).
 */
#ifndef FERROUS_SCHED_WAITQ_H
#define FERROUS_SCHED_WAITQ_H

#include <stdbool.h>

struct thread;

struct waitq {
	struct thread *head, *tail;
};

void waitq_push(struct waitq *q, struct thread *t);
struct thread *waitq_pop(struct waitq *q);
void waitq_remove(struct waitq *q, struct thread *t);
static inline bool waitq_empty(const struct waitq *q) { return q->head == 0; }

#endif /* FERROUS_SCHED_WAITQ_H */
