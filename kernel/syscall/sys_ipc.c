/* SPDX-License-Identifier: MIT */
/* Endpoints and notifications. */
#include "core/usercopy.h"
#include "object/endpoint.h"
#include "object/notification.h"
#include "object/process.h"
#include "object/thread.h"
#include "sched/sched.h"
#include "syscall/sys.h"

fe_status_t sys_endpoint_create(struct trap_frame *f)
{
	struct endpoint *ep;
	fe_status_t st = handle_reserve(ARG0(f));

	if (st != FE_OK || (st = endpoint_create(current_process()->budget, &ep)) != FE_OK)
		return st;
	return handle_install(&ep->obj, ARG0(f));
}

fe_status_t sys_call(struct trap_frame *f)
{
	struct cap *c;
	fe_status_t st = handle_lookup_cap(ARG0(f), FE_OBJ_ENDPOINT, FE_RIGHT_WRITE, &c);

	if (st != FE_OK)
		return st;
	return ipc_call(c, f);
}

fe_status_t sys_recv(struct trap_frame *f)
{
	struct cap *c;
	fe_status_t st = handle_lookup_cap(ARG0(f), FE_OBJ_ENDPOINT, FE_RIGHT_READ, &c);

	if (st != FE_OK)
		return st;
	if (ARG1(f) & ~(uint64_t)FE_NONBLOCK)
		return FE_ERR_INVALID_ARG;
	return ipc_recv(c, (ARG1(f) & FE_NONBLOCK) != 0, f);
}

fe_status_t sys_reply(struct trap_frame *f)
{
	return ipc_reply(f);
}

fe_status_t sys_reply_recv(struct trap_frame *f)
{
	struct cap *c;
	fe_status_t st = handle_lookup_cap(ARG0(f), FE_OBJ_ENDPOINT, FE_RIGHT_READ, &c);

	if (st != FE_OK)
		return st;
	return ipc_reply_recv(c, f);
}

fe_status_t sys_notif_create(struct trap_frame *f)
{
	struct notification *n;
	fe_status_t st = handle_reserve(ARG0(f));

	if (st != FE_OK || (st = notification_create(current_process()->budget, &n)) != FE_OK)
		return st;
	return handle_install(&n->obj, ARG0(f));
}

fe_status_t sys_notif_signal(struct trap_frame *f)
{
	struct kobj *o;
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_NOTIFICATION, FE_RIGHT_SIGNAL, &o);

	if (st == FE_OK)
		notification_signal((struct notification *)o, ARG1(f));
	return st;
}

fe_status_t sys_notif_wait(struct trap_frame *f)
{
	struct cap *c;
	uint64_t bits, out = ARG2(f);
	fe_status_t st = handle_lookup_cap(ARG0(f), FE_OBJ_NOTIFICATION, FE_RIGHT_WAIT, &c);

	if (st != FE_OK)
		return st;
	uint64_t flags = ARG1(f);
	if ((flags & ~(uint64_t)(FE_NONBLOCK | FE_TIMEOUT)) || flags == (FE_NONBLOCK | FE_TIMEOUT))
		return FE_ERR_INVALID_ARG;
	if ((st = user_check_write(out, sizeof(bits))) != FE_OK)
		return st;
	/* From the call's start; 0 only if it never passes (not an instant). */
	uint64_t deadline = (flags & FE_TIMEOUT) ? sched_deadline(ARG3(f)) | 1 : 0;
	struct kobj *o = c->obj;
	thread_hold(sched_current(), o); /* the handle may go while we sleep */
	st = notification_wait(c, (flags & FE_NONBLOCK) != 0, deadline);
	/* Again: another thread may have unmapped the page while we slept.
	 * The bits are taken only once they can be written out. */
	if (st == FE_OK)
		st = user_check_write(out, sizeof(bits));
	if (st == FE_OK) {
		bits = notification_take((struct notification *)o);
		st = copy_to_user(out, &bits, sizeof(bits));
	}
	thread_unhold(sched_current());
	return st;
}
