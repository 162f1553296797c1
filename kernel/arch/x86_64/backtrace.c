/* SPDX-License-Identifier: MIT */
#include <arch/probe.h>

#include "core/backtrace.h"

size_t arch_backtrace_walk(uint64_t rbp, uint64_t *pcs, size_t max)
{
	size_t n = 0;

	while (n < max && rbp != 0 && (rbp & 7) == 0 && (rbp >> 63) != 0) {
		uint64_t next, ret;

		if (arch_probe_read64((const void *)(uintptr_t)rbp, &next) != FE_OK ||
		    arch_probe_read64((const void *)(uintptr_t)(rbp + 8), &ret) != FE_OK || ret == 0)
			break;
		pcs[n++] = ret;
		if (next <= rbp) /* frames live at rising addresses: stop on a loop */
			break;
		rbp = next;
	}
	return n;
}
