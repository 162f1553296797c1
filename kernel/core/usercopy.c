/* SPDX-License-Identifier: MIT */
#include "core/usercopy.h"

#include <arch/cpu.h>
#include <arch/paging.h>
#include <arch/user.h>
#include <ferrous/syscall.h>

#include "mm/vm.h"

bool user_range_ok(uint64_t uaddr, uint64_t len)
{
	return uaddr >= FE_USER_BASE && uaddr <= FE_USER_TOP && len <= FE_USER_TOP - uaddr;
}

fe_status_t copy_from_user(void *dst, uint64_t usrc, size_t n)
{
	if (!user_range_ok(usrc, n))
		return FE_ERR_FAULT;
	if (n == 0)
		return FE_OK;
	return arch_copy_user(dst, (const void *)(uintptr_t)usrc, n, cpu_features.smap);
}

/* Every page of [uaddr, uaddr+n) is a present, writable user page, so a
 * copy either writes all of it or (checked first) none of it. One CPU and
 * interrupts off: nothing can unmap it between the check and the copy. */
static bool user_writable(uint64_t uaddr, size_t n)
{
	for (uint64_t va = uaddr & ~0xfffULL; va < uaddr + n; va += 0x1000) {
		uint64_t pa;
		unsigned flags;

		if (arch_pt_query(arch_pt_current(), va, &pa, &flags) != FE_OK ||
		    (flags & (VM_USER | VM_WRITE)) != (VM_USER | VM_WRITE))
			return false;
	}
	return true;
}

fe_status_t copy_to_user(uint64_t udst, const void *src, size_t n)
{
	if (!user_range_ok(udst, n) || !user_writable(udst, n))
		return FE_ERR_FAULT;
	if (n == 0)
		return FE_OK;
	return arch_copy_user((void *)(uintptr_t)udst, src, n, cpu_features.smap);
}
