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

#include "cap/cspace.h"
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
/* Returns FE_OK once some bits are pending, blocking until then (unless
 * nonblock: FE_ERR_WOULD_BLOCK; or until deadline_tsc if not 0:
 * FE_ERR_TIMED_OUT), through capability `via`: a revoke that removes it
 * ends the wait with FE_ERR_CANCELED (ADR 0009). Takes none of the bits, so
 * a caller that then cannot deliver them (a bad out-pointer) leaves them
 * pending. */
fe_status_t notification_wait(struct cap *via, bool nonblock, uint64_t deadline_tsc);
/* The pending bits, cleared; the caller saw notification_wait succeed
 * without blocking since (under the big lock, so none were taken). */
uint64_t notification_take(struct notification *n);

#endif /* FERROUS_OBJECT_NOTIFICATION_H */
