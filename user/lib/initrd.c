/* SPDX-License-Identifier: MIT */
/*
 * The ramdisk: the cpio archive in the FE_START_INITRD memory object,
 * mapped read-only into this process on first use and read with
 * kernel/lib/cpio.c, which checks every header against the archive's size.
 */
#include <fe/runtime.h>
#include <fe/spawn.h>
#include <fe/sys.h>

#include "cpio.h"
#include "internal.h"

static const void *initrd;
static size_t initrd_size;

/* Maps the archive once; FE_ERR_NOT_FOUND if this process was given none. */
static fe_status_t initrd_map(void)
{
	fe_handle_t h = fe_start_handle(FE_START_INITRD);
	uint64_t size = fe_start_info->initrd_size;
	fe_status_t st;

	if (initrd)
		return FE_OK;
	if (h == FE_HANDLE_INVALID || size == 0)
		return FE_ERR_NOT_FOUND;
	uint64_t va = fe_va_alloc(size);
	if (va == 0)
		return FE_ERR_NO_RESOURCES;
	if ((st = fe_vm_map(fe_self, h, 0, va, ALIGN_UP(size, PAGE_SIZE), FE_VM_READ)) != FE_OK)
		return st;
	initrd_size = (size_t)size;
	initrd = (const void *)(uintptr_t)va;
	return FE_OK;
}

fe_status_t fe_initrd_find(const char *name, const void **data, size_t *size)
{
	struct cpio_entry e;
	fe_status_t st = initrd_map();

	if (st == FE_OK)
		st = cpio_find(initrd, initrd_size, name, &e);
	if (st != FE_OK)
		return st;
	*data = e.data;
	*size = e.size;
	return FE_OK;
}

fe_status_t fe_initrd_list(void (*fn)(const char *name, size_t size, void *ctx), void *ctx)
{
	struct cpio_iter it;
	struct cpio_entry e;
	fe_status_t st = initrd_map();

	if (st != FE_OK)
		return st;
	cpio_iter_init(&it, initrd, initrd_size);
	while ((st = cpio_next(&it, &e)) == FE_OK) {
		if ((e.mode & CPIO_MODE_TYPE_MASK) != CPIO_MODE_REG)
			continue;
		cpio_resolve_link(initrd, initrd_size, &e); /* a hard link's size is its file's */
		fn(e.name, e.size, ctx);
	}
	return st == FE_ERR_NOT_FOUND ? FE_OK : st; /* NOT_FOUND: the trailer */
}
