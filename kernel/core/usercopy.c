/* SPDX-License-Identifier: MIT */
#include "core/usercopy.h"

#include <arch/cpu.h>
#include <arch/paging.h>
#include <arch/user.h>
#include <ferrous/syscall.h>

#include "lib/util.h"
#include "mm/vm.h"

bool user_range_ok(uint64_t uaddr, uint64_t len)
{
	return uaddr >= FE_USER_BASE && range_within(uaddr, len, FE_USER_TOP);
}

/* Every page of [uaddr, uaddr + n) (a user range) has all of `need`. */
static bool user_pages_have(uint64_t uaddr, uint64_t n, unsigned need)
{
	for (uint64_t va = uaddr & ~0xfffULL; va < uaddr + n; va += 0x1000) {
		uint64_t pa;
		unsigned flags;

		if (arch_pt_query(arch_pt_current(), va, &pa, &flags) != FE_OK ||
		    (flags & need) != need)
			return false;
	}
	return true;
}

static fe_status_t user_check(uint64_t uaddr, uint64_t n, unsigned need)
{
	if (!user_range_ok(uaddr, n))
		return FE_ERR_FAULT;
	return user_pages_have(uaddr, n, need) ? FE_OK : FE_ERR_FAULT;
}

fe_status_t user_check_read(uint64_t uaddr, uint64_t n)
{
	return user_check(uaddr, n, VM_USER | VM_READ);
}

fe_status_t user_check_write(uint64_t uaddr, uint64_t n)
{
	return user_check(uaddr, n, VM_USER | VM_READ | VM_WRITE);
}

fe_status_t copy_from_user(void *dst, uint64_t usrc, size_t n)
{
	fe_status_t st = user_check_read(usrc, n);

	if (st != FE_OK || n == 0)
		return st;
	return arch_copy_user(dst, (const void *)(uintptr_t)usrc, n, cpu_features.smap);
}

fe_status_t copy_to_user(uint64_t udst, const void *src, size_t n)
{
	fe_status_t st = user_check_write(udst, n);

	if (st != FE_OK || n == 0)
		return st;
	return arch_copy_user((void *)(uintptr_t)udst, src, n, cpu_features.smap);
}
