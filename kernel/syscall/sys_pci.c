/* SPDX-License-Identifier: MIT */
/* PCI through capabilities: configuration space, device and BAR capabilities. */
#include <ferrous/pci.h>

#include "core/usercopy.h"
#include "object/pci.h"
#include "object/process.h"
#include "object/vmo.h"
#include "syscall/sys.h"

/* Configuration space of ARG1's function through a pci-root, or of the
 * device's own through a pci-device (another address: ACCESS_DENIED). */
fe_status_t sys_pci_config_read(struct trap_frame *f)
{
	struct cap *c;
	uint32_t v, addr = (uint32_t)ARG1(f);
	fe_status_t st = handle_lookup_cap(ARG0(f), FE_OBJ_NONE, 0, &c);

	if (st != FE_OK)
		return st;
	/* Two types accepted: the type is checked before the right, as everywhere. */
	if (c->type != FE_OBJ_PCI_DEVICE && c->type != FE_OBJ_PCI_ROOT)
		return FE_ERR_WRONG_TYPE;
	if ((c->rights & FE_RIGHT_READ) == 0)
		return FE_ERR_ACCESS_DENIED;
	if (c->type == FE_OBJ_PCI_DEVICE) {
		uint32_t own = ((struct pci_device *)c->obj)->fn->addr;
		if (ARG1(f) != own && ARG1(f) != FE_PCI_SELF)
			return FE_ERR_ACCESS_DENIED;
		addr = own;
	} else if (ARG1(f) > UINT32_MAX) {
		return FE_ERR_INVALID_ARG;
	}
	/* Reading may change a device (read-to-clear registers): the result's
	 * place must be writable first. */
	if ((st = user_check_write(ARG4(f), sizeof(v))) != FE_OK ||
	    (st = pci_config_read(addr, ARG2(f) > UINT32_MAX ? UINT32_MAX : (uint32_t)ARG2(f),
	                          ARG3(f), &v)) != FE_OK)
		return st;
	return copy_to_user(ARG4(f), &v, sizeof(v));
}

fe_status_t sys_pci_config_write(struct trap_frame *f)
{
	struct kobj *o;
	fe_status_t st = handle_lookup(ARG0(f), FE_OBJ_PCI_DEVICE, FE_RIGHT_WRITE, &o);

	if (st != FE_OK)
		return st;
	if (ARG1(f) > UINT32_MAX || ARG3(f) > UINT32_MAX)
		return FE_ERR_INVALID_ARG;
	return pci_device_config_write((struct pci_device *)o, (uint32_t)ARG1(f), ARG2(f),
	                               (uint32_t)ARG3(f));
}

fe_status_t sys_pci_device_create(struct trap_frame *f)
{
	struct cap *root;
	struct pci_device *d;
	fe_status_t st = handle_lookup_cap(ARG0(f), FE_OBJ_PCI_ROOT, FE_RIGHT_MANAGE, &root);

	if (st != FE_OK)
		return st;
	if (ARG1(f) > UINT32_MAX)
		return FE_ERR_INVALID_ARG;
	if ((st = handle_reserve(ARG2(f))) != FE_OK ||
	    (st = pci_device_create(current_process()->budget, (uint32_t)ARG1(f), &d)) != FE_OK)
		return st;
	return handle_install_under(root, &d->obj, ARG2(f));
}

/* The device capability h names (MANAGE) and its function. */
static fe_status_t managed_device(fe_handle_t h, struct cap **dev, struct pci_function **fn)
{
	fe_status_t st = handle_lookup_cap(h, FE_OBJ_PCI_DEVICE, FE_RIGHT_MANAGE, dev);

	if (st == FE_OK)
		*fn = ((struct pci_device *)(*dev)->obj)->fn;
	return st;
}

/* FE_ERR_BUSY unless the caller may claim fn. */
static fe_status_t claimable(const struct pci_function *fn)
{
	return pci_claim_check(fn, current_process());
}

/* A BAR's capability (which claims the function: its registers are the
 * driver's alone) or, with no handle pointer, only what the BAR is. */
fe_status_t sys_pci_bar(struct trap_frame *f)
{
	struct cap *dev;
	struct kobj *bar = NULL;
	struct pci_function *fn;
	struct fe_pci_bar_info info;
	bool want_cap = ARG2(f) != 0;
	fe_status_t st = managed_device(ARG0(f), &dev, &fn);

	if (st != FE_OK)
		return st;
	if (ARG1(f) >= FE_PCI_BARS)
		return FE_ERR_INVALID_ARG;
	/* Both out-parameters checked before anything is made: whole or not at all. */
	if ((st = user_check_write(ARG3(f), sizeof(info))) != FE_OK ||
	    (want_cap && ((st = handle_reserve(ARG2(f))) != FE_OK || (st = claimable(fn)) != FE_OK)) ||
	    (st = pci_device_bar(dev->obj, current_process()->budget, (unsigned)ARG1(f),
	                         want_cap ? &bar : NULL, &info)) != FE_OK)
		return st;
	if ((st = copy_to_user(ARG3(f), &info, sizeof(info))) != FE_OK) {
		if (bar)
			kobj_put(bar);
		return st;
	}
	if (!want_cap)
		return FE_OK;
	if ((st = handle_install_under(dev, bar, ARG2(f))) == FE_OK)
		pci_claim(fn, dev, current_process());
	return st;
}

fe_status_t sys_pci_irq_bind(struct trap_frame *f)
{
	struct cap *dev, *n;
	struct pci_function *fn;
	fe_status_t st = handle_lookup_cap(ARG2(f), FE_OBJ_NOTIFICATION, FE_RIGHT_SIGNAL, &n);

	if (st != FE_OK || (st = managed_device(ARG0(f), &dev, &fn)) != FE_OK)
		return st;
	if (ARG1(f) >= PCI_MAX_VECTORS)
		return FE_ERR_OUT_OF_RANGE;
	if (ARG3(f) >= 64)
		return FE_ERR_INVALID_ARG;
	if ((st = claimable(fn)) != FE_OK ||
	    (st = pci_irq_bind(fn, (unsigned)ARG1(f), n, (unsigned)ARG3(f))) != FE_OK)
		return st;
	pci_claim(fn, dev, current_process());
	return FE_OK;
}

fe_status_t sys_pci_dma_map(struct trap_frame *f)
{
	struct cap *dev;
	struct kobj *vmo;
	struct pci_function *fn;
	uint64_t flags = ARG4(f), addr;
	uint32_t rights = FE_RIGHT_READ | ((flags & FE_DMA_DEVICE_WRITE) ? FE_RIGHT_WRITE : 0);
	fe_status_t st;

	if (flags == 0 || (flags & ~(uint64_t)(FE_DMA_DEVICE_READ | FE_DMA_DEVICE_WRITE)) != 0)
		return FE_ERR_INVALID_ARG;
	if ((st = handle_lookup(ARG1(f), FE_OBJ_VMO, rights, &vmo)) != FE_OK ||
	    (st = managed_device(ARG0(f), &dev, &fn)) != FE_OK)
		return st;
	/* Memory a device writes is data, never code (ADR 0008). */
	if ((flags & FE_DMA_DEVICE_WRITE) && (st = mem_seal_check(vmo, FE_VM_WRITE)) != FE_OK)
		return st;
	if ((st = user_check_write(ARG5(f), sizeof(addr))) != FE_OK ||
	    (st = claimable(fn)) != FE_OK ||
	    (st = pci_dma_map(fn, current_process()->budget, vmo, ARG2(f), ARG3(f), &addr)) != FE_OK)
		return st;
	if ((st = copy_to_user(ARG5(f), &addr, sizeof(addr))) != FE_OK) {
		(void)pci_dma_unmap(fn, addr);
		return st;
	}
	if (flags & FE_DMA_DEVICE_WRITE)
		mem_seal(vmo, FE_VM_WRITE);
	pci_claim(fn, dev, current_process());
	return FE_OK;
}

fe_status_t sys_pci_dma_unmap(struct trap_frame *f)
{
	struct cap *dev;
	struct pci_function *fn;
	fe_status_t st = managed_device(ARG0(f), &dev, &fn);

	if (st != FE_OK)
		return st;
	if (fn->owner != current_process())
		return FE_ERR_NOT_FOUND; /* nothing of the caller's is mapped there */
	return pci_dma_unmap(fn, ARG1(f));
}

fe_status_t sys_pci_release(struct trap_frame *f)
{
	struct cap *dev;
	struct pci_function *fn;
	fe_status_t st = managed_device(ARG0(f), &dev, &fn);

	return st == FE_OK ? pci_release(fn, current_process()) : st;
}
