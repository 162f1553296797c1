/* SPDX-License-Identifier: MIT */
/*
 * Notifications: a word of bits that signallers OR into without blocking
 * and a waiter takes (and clears) all at once. Also how interrupts reach
 * user-space drivers (object/interrupt.c).
 */
#ifndef FERROUS_OBJECT_NOTIFICATION_H
#define FERROUS_OBJECT_NOTIFICATION_H

#include <stdint.h>

#include <ferrous/errors.h>

#include "object/kobj.h"
#include "sched/waitq.h"

struct budget;

struct notification {
	struct kobj obj;
	uint64_t bits;
	struct waitq waiters;
};

void notification_init_cache(void);
fe_status_t notification_create(struct budget *b, struct notification **out);
void notification_signal(struct notification *n, uint64_t bits);
/* Takes the pending bits, blocking until there are some (unless nonblock:
 * FE_ERR_WOULD_BLOCK). */
fe_status_t notification_wait(struct notification *n, bool nonblock, uint64_t *bits);

#endif /* FERROUS_OBJECT_NOTIFICATION_H */
