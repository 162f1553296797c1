/* SPDX-License-Identifier: MIT */
/*
 * Endpoints and synchronous IPC (DESIGN section 4), seL4-style: `call`
 * sends and waits for the reply, `recv` takes the next call, `reply`
 * answers the caller last received, `reply_recv` does both in one step.
 *
 * The fastpath: a message of up to four words travels in registers, from
 * the sender's trap frame straight into the receiver's; when the partner is
 * already waiting, the CPU switches directly to it (no run-queue pass, no
 * allocation). Longer messages (up to FE_IPC_MAX_WORDS) and capabilities go
 * through both threads' IPC buffer pages. Each message carries a trace span
 * id: a call without one starts a new span, and a server works inside the
 * span of the call it received.
 */
#ifndef FERROUS_OBJECT_ENDPOINT_H
#define FERROUS_OBJECT_ENDPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/errors.h>

#include "cap/cspace.h"
#include "object/kobj.h"
#include "sched/waitq.h"

struct budget;
struct trap_frame;

struct endpoint {
	struct kobj obj;
	struct waitq senders;   /* threads in call, not yet received */
	struct waitq receivers; /* threads in recv */
};

void endpoint_init_cache(void);
fe_status_t endpoint_create(struct budget *b, struct endpoint **out);

/* The message is in the frame's registers (rsi = info, rdx, r10, r8, r9);
 * results are written back the same way, with rdi = badge. `via` is the
 * endpoint capability the call came through: a thread queued through it is
 * woken with FE_ERR_CANCELED when a revoke removes it (ADR 0009). */
fe_status_t ipc_call(struct cap *via, struct trap_frame *f);
fe_status_t ipc_recv(struct cap *via, bool nonblock, struct trap_frame *f);
fe_status_t ipc_reply(struct trap_frame *f);
fe_status_t ipc_reply_recv(struct cap *via, struct trap_frame *f);

#endif /* FERROUS_OBJECT_ENDPOINT_H */
