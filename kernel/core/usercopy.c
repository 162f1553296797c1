/* SPDX-License-Identifier: MIT */
#include "core/usercopy.h"

#include <arch/cpu.h>
#include <arch/user.h>
#include <ferrous/syscall.h>

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

fe_status_t copy_to_user(uint64_t udst, const void *src, size_t n)
{
	if (!user_range_ok(udst, n))
		return FE_ERR_FAULT;
	if (n == 0)
		return FE_OK;
	return arch_copy_user((void *)(uintptr_t)udst, src, n, cpu_features.smap);
}
