/* SPDX-License-Identifier: MIT */
/* Endpoints and notifications. */
#include "core/usercopy.h"
#include "object/endpoint.h"
#include "object/notification.h"
#include "object/process.h"
#include "syscall/sys.h"

fe_status_t sys_endpoint_create(struct trap_frame *f)
{
	struct endpoint *ep;
	fe_status_t st = endpoint_create(current_process()->budget, &ep);

	if (st != FE_OK)
		return st;
	return handle_install(&ep->obj, ARG0(f));
}

fe_status_t sys_call(struct trap_frame *f)
{
	struct cap *c;
	fe_status_t st = handle_lookup_cap(ARG0(f), FE_OBJ_ENDPOINT, FE_RIGHT_WRITE, &c);

	if (st != FE_OK)
		return st;
	return ipc_call(c->obj, c->badge, f);
}

fe_status_t sys_recv(struct trap_frame *f)
{
	struct kobj *o;
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_ENDPOINT, FE_RIGHT_READ, &o);

	if (st != FE_OK)
		return st;
	if (ARG1(f) & ~(uint64_t)FE_NONBLOCK)
		return FE_ERR_INVALID_ARG;
	return ipc_recv((struct endpoint *)o, (ARG1(f) & FE_NONBLOCK) != 0, f);
}

fe_status_t sys_reply(struct trap_frame *f)
{
	return ipc_reply(f);
}

fe_status_t sys_reply_recv(struct trap_frame *f)
{
	struct kobj *o;
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_ENDPOINT, FE_RIGHT_READ, &o);

	if (st != FE_OK)
		return st;
	return ipc_reply_recv((struct endpoint *)o, f);
}

fe_status_t sys_notif_create(struct trap_frame *f)
{
	struct notification *n;
	fe_status_t st = notification_create(current_process()->budget, &n);

	if (st != FE_OK)
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
	struct kobj *o;
	uint64_t bits = 0;
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_NOTIFICATION, FE_RIGHT_WAIT, &o);

	if (st != FE_OK)
		return st;
	if (ARG1(f) & ~(uint64_t)FE_NONBLOCK)
		return FE_ERR_INVALID_ARG;
	if (!user_range_ok(ARG2(f), sizeof(bits)) || ARG2(f) == 0)
		return FE_ERR_FAULT;
	kobj_get(o); /* the handle may go while we sleep */
	st = notification_wait((struct notification *)o, (ARG1(f) & FE_NONBLOCK) != 0, &bits);
	kobj_put(o);
	if (st == FE_OK)
		st = copy_to_user(ARG2(f), &bits, sizeof(bits));
	return st;
}
