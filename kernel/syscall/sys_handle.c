/* SPDX-License-Identifier: MIT */
/* Handles: lookup, install, and the handle system calls. */
#include <ferrous/trace.h>

#include "core/usercopy.h"
#include "mm/aspace.h"
#include "object/process.h"
#include "object/thread.h"
#include "sched/sched.h"
#include "syscall/sys.h"
#include "trace/trace.h"

struct process *current_process(void)
{
	return sched_current()->proc;
}

fe_status_t handle_lookup_cap(fe_handle_t h, uint32_t type, uint32_t rights, struct cap **cap)
{
	return cspace_lookup(&current_process()->cspace, h, type, rights, cap);
}

fe_status_t handle_lookup(fe_handle_t h, uint32_t type, uint32_t rights, struct kobj **obj)
{
	struct cap *c;
	fe_status_t st = handle_lookup_cap(h, type, rights, &c);

	if (st == FE_OK)
		*obj = c->obj;
	return st;
}

/* A free slot at the head of the table's free list, so the next insert
 * takes it without allocating: a placeholder insert grows the table if it
 * must, and deleting it puts its slot back. */
static fe_status_t reserve_slot(struct cspace *cs)
{
	struct process *p = current_process();
	fe_handle_t h;
	fe_status_t st;

	if (cs->free_head != 0)
		return FE_OK;
	if ((st = cspace_insert(cs, &p->obj, FE_OBJ_PROCESS, 0, 0, &h)) != FE_OK)
		return st;
	cspace_delete(cs, h);
	return cs->free_head != 0 ? FE_OK : FE_ERR_NO_RESOURCES; /* a retired slot */
}

fe_status_t handle_reserve(uint64_t uout)
{
	fe_status_t st = user_check_write(uout, sizeof(fe_handle_t));

	return st == FE_OK ? reserve_slot(&current_process()->cspace) : st;
}

fe_status_t handle_install(struct kobj *obj, uint64_t uout)
{
	return handle_install_under(NULL, obj, uout);
}

fe_status_t handle_install_under(struct cap *parent, struct kobj *obj, uint64_t uout)
{
	struct process *p = current_process();
	fe_handle_t h;
	fe_status_t st = parent ? cspace_insert_under(parent, &p->cspace, obj, obj->type, FE_RIGHTS_ALL, &h)
	                        : cspace_insert(&p->cspace, obj, obj->type, FE_RIGHTS_ALL, 0, &h);

	kobj_put(obj); /* the table holds its own reference now, or nothing does */
	if (st != FE_OK)
		return st;
	if ((st = copy_to_user(uout, &h, sizeof(h))) != FE_OK) {
		cspace_delete(&p->cspace, h);
		return st;
	}
	trace_emit(FE_TRACE_CAP_CREATE, p->obj.koid, h, obj->type, FE_RIGHTS_ALL);
	return FE_OK;
}

/* Writes a handle made in `owner`'s table to the caller, or undoes it. */
static fe_status_t hand_out(struct process *owner, fe_handle_t h, uint64_t uout)
{
	fe_status_t st = copy_to_user(uout, &h, sizeof(h));

	if (st != FE_OK)
		cspace_delete(&owner->cspace, h);
	return st;
}

fe_status_t sys_null(struct trap_frame *f)
{
	(void)f;
	return FE_OK;
}

fe_status_t sys_handle_dup(struct trap_frame *f)
{
	struct process *p = current_process();
	uint32_t rights = (uint32_t)ARG1(f);
	struct cap *c;
	fe_handle_t h;
	fe_status_t st;

	if (ARG1(f) & ~(uint64_t)FE_RIGHTS_ALL)
		return FE_ERR_INVALID_ARG;
	if ((st = handle_lookup_cap(ARG0(f), FE_OBJ_NONE, FE_RIGHT_DUPLICATE, &c)) != FE_OK ||
	    (st = user_check_write(ARG3(f), sizeof(h))) != FE_OK)
		return st;
	if ((st = cspace_derive(c, &p->cspace, rights, ARG2(f), &h)) != FE_OK)
		return st;
	trace_emit(FE_TRACE_CAP_CREATE, p->obj.koid, h, c->type, rights);
	return hand_out(p, h, ARG3(f));
}

fe_status_t sys_handle_delete(struct trap_frame *f)
{
	return cspace_delete(&current_process()->cspace, ARG0(f));
}

fe_status_t sys_handle_revoke(struct trap_frame *f)
{
	uint64_t removed = 0;
	struct cap *c;
	fe_status_t st = handle_lookup_cap(ARG0(f), FE_OBJ_NONE, FE_RIGHT_REVOKE, &c);

	/* Check the out-parameter is writable before changing anything. */
	if (st == FE_OK && ARG1(f))
		st = user_check_write(ARG1(f), sizeof(removed));
	if (st != FE_OK)
		return st;
	removed = cspace_revoke_cap(c);
	aspace_flush_removed(); /* the mappings it removed: one shootdown for all */
	trace_emit(FE_TRACE_CAP_REVOKE, current_process()->obj.koid, ARG0(f), removed, 0);
	return ARG1(f) ? copy_to_user(ARG1(f), &removed, sizeof(removed)) : FE_OK;
}

fe_status_t sys_handle_info(struct trap_frame *f)
{
	struct cap *c;
	fe_status_t st = handle_lookup_cap(ARG0(f), FE_OBJ_NONE, 0, &c);

	if (st != FE_OK)
		return st;
	struct fe_handle_info info = {
		.type = c->type, .rights = c->rights, .koid = ((struct kobj *)c->obj)->koid,
		.badge = c->badge,
	};
	return copy_to_user(ARG1(f), &info, sizeof(info));
}

fe_status_t sys_handle_grant(struct trap_frame *f)
{
	struct kobj *po;
	struct cap *c;
	fe_handle_t h;
	fe_status_t st;

	if (ARG2(f) & ~(uint64_t)FE_RIGHTS_ALL)
		return FE_ERR_INVALID_ARG;
	if ((st = handle_lookup(ARG0(f), FE_OBJ_PROCESS, FE_RIGHT_MANAGE, &po)) != FE_OK ||
	    (st = handle_lookup_cap(ARG1(f), FE_OBJ_NONE, FE_RIGHT_TRANSFER, &c)) != FE_OK)
		return st;
	struct process *target = process_of(po);
	if (!target->alive)
		return FE_ERR_BAD_STATE;
	if ((st = user_check_write(ARG3(f), sizeof(h))) != FE_OK)
		return st;
	if ((st = cspace_derive(c, &target->cspace, (uint32_t)ARG2(f), 0, &h)) != FE_OK)
		return st;
	trace_emit(FE_TRACE_CAP_TRANSFER, current_process()->obj.koid, target->obj.koid, h,
	           (uint32_t)ARG2(f));
	return hand_out(target, h, ARG3(f));
}
