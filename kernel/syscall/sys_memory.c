/* SPDX-License-Identifier: MIT */
/* Memory objects and mappings. */
#include "object/process.h"
#include "object/vmo.h"
#include "syscall/sys.h"

/* (size, out, flags): flags decoded first, so a bad one reserves nothing. */
fe_status_t sys_vmo_create(struct trap_frame *f)
{
	struct vmo *v;
	struct process *p = current_process();
	uint64_t flags = ARG2(f);
	fe_status_t st;

	if (flags & ~(uint64_t)FE_VMO_CONTIGUOUS)
		return FE_ERR_INVALID_ARG;
	if ((st = handle_reserve(ARG1(f))) != FE_OK)
		return st;
	if (flags & FE_VMO_CONTIGUOUS)
		st = vmo_create_contiguous(p->budget, p->home_node, ARG0(f), &v);
	else
		st = vmo_create(p->budget, p->home_node, ARG0(f), &v);
	if (st != FE_OK)
		return st;
	return handle_install(&v->obj, ARG1(f));
}

static fe_status_t vmo_rw(struct trap_frame *f, uint32_t right, bool to_vmo)
{
	struct kobj *o;
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_VMO, right, &o);

	if (st != FE_OK)
		return st;
	return vmo_copy_user((struct vmo *)o, ARG1(f), ARG2(f), ARG3(f), to_vmo);
}

fe_status_t sys_vmo_read(struct trap_frame *f)
{
	return vmo_rw(f, FE_RIGHT_READ, false);
}

fe_status_t sys_vmo_write(struct trap_frame *f)
{
	return vmo_rw(f, FE_RIGHT_WRITE, true);
}

/* The rights a mapping with `prot` needs on the memory capability. READ
 * always: an x86 page that is present is readable, so a write-only or
 * execute-only mapping would let the process read what its handle may not. */
static uint32_t rights_for(uint32_t prot)
{
	return FE_RIGHT_MAP | FE_RIGHT_READ |
	       ((prot & FE_VM_WRITE) ? FE_RIGHT_WRITE : 0) | ((prot & FE_VM_EXEC) ? FE_RIGHT_EXECUTE : 0);
}

fe_status_t sys_vm_map(struct trap_frame *f)
{
	struct kobj *po, *mem;
	struct cap *via;
	uint64_t prot = ARG5(f);
	fe_status_t st;

	if (prot == 0 || (prot & ~(uint64_t)(FE_VM_READ | FE_VM_WRITE | FE_VM_EXEC)))
		return FE_ERR_INVALID_ARG;
	if ((st = handle_lookup(ARG0(f), FE_OBJ_PROCESS, FE_RIGHT_MANAGE, &po)) != FE_OK ||
	    (st = handle_lookup(ARG1(f), FE_OBJ_NONE, 0, &mem)) != FE_OK)
		return st;
	if (mem->type != FE_OBJ_VMO && mem->type != FE_OBJ_MMIO)
		return FE_ERR_WRONG_TYPE;
	if ((st = handle_lookup_cap(ARG1(f), FE_OBJ_NONE, rights_for((uint32_t)prot), &via)) != FE_OK)
		return st;
	if (!process_of(po)->alive)
		return FE_ERR_BAD_STATE;
	/* The mapping is recorded on `via`: revoke removes it (ADR 0009). */
	return aspace_map(&process_of(po)->as, mem, ARG2(f), ARG3(f), ARG4(f), (uint32_t)prot, via);
}

fe_status_t sys_vm_unmap(struct trap_frame *f)
{
	struct kobj *po;
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_PROCESS, FE_RIGHT_MANAGE, &po);

	if (st != FE_OK)
		return st;
	if (!process_of(po)->alive)
		return FE_ERR_BAD_STATE;
	return aspace_unmap(&process_of(po)->as, ARG1(f), ARG2(f));
}
