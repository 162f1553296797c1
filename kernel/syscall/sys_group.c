/* SPDX-License-Identifier: MIT */
/* Resource groups (ADR 0012). */
#include "core/usercopy.h"
#include "object/group.h"
#include "object/notification.h"
#include "object/process.h"
#include "syscall/sys.h"

fe_status_t sys_group_create(struct trap_frame *f)
{
	struct fe_group_limits lim;
	struct kobj *parent, *n = NULL;
	struct group *g;
	fe_status_t st;

	if ((st = handle_lookup(ARG0(f), FE_OBJ_GROUP, FE_RIGHT_MANAGE, &parent)) != FE_OK)
		return st;
	if (ARG2(f) != FE_HANDLE_INVALID &&
	    (st = handle_lookup(ARG2(f), FE_OBJ_NOTIFICATION, FE_RIGHT_SIGNAL, &n)) != FE_OK)
		return st;
	if (ARG3(f) >= 64)
		return FE_ERR_INVALID_ARG;
	if ((st = copy_from_user(&lim, ARG1(f), sizeof(lim))) != FE_OK ||
	    (st = handle_reserve(ARG4(f))) != FE_OK ||
	    (st = group_create(group_of(parent), &lim, current_process()->budget,
	                       n ? (struct notification *)n : NULL, (unsigned)ARG3(f), &g)) != FE_OK)
		return st;
	return handle_install(&g->obj, ARG4(f));
}

fe_status_t sys_group_info(struct trap_frame *f)
{
	struct fe_group_info info;
	struct kobj *o;
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_GROUP, FE_RIGHT_READ, &o);

	if (st != FE_OK)
		return st;
	group_info(group_of(o), &info);
	return copy_to_user(ARG1(f), &info, sizeof(info));
}

fe_status_t sys_group_freeze(struct trap_frame *f)
{
	struct kobj *o;
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_GROUP, FE_RIGHT_MANAGE, &o);

	if (st != FE_OK)
		return st;
	if (ARG1(f) > 1)
		return FE_ERR_INVALID_ARG;
	group_freeze(group_of(o), ARG1(f) == 1, current_process());
	return FE_OK;
}

fe_status_t sys_group_kill(struct trap_frame *f)
{
	struct kobj *o;
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_GROUP, FE_RIGHT_MANAGE, &o);

	if (st != FE_OK)
		return st;
	group_kill(group_of(o));
	return FE_OK;
}
