/* SPDX-License-Identifier: MIT */
#include "backtrace.h"

#include <stdbool.h>

#include "core/console.h"
#include "core/ksyms.h"

/* For return addresses, look up pc - 1: the call itself, which may be the
 * last instruction of its function (calls to noreturn functions). */
static void print_pc(size_t i, uint64_t pc, bool is_return)
{
	char name[64];
	uint64_t off;

	if (ksyms_lookup(is_return ? pc - 1 : pc, name, sizeof(name), &off) == FE_OK) {
		uint64_t shown = is_return ? off + 1 : off;
		console_printf("  #%zu %p %s+0x%llx\n", i, (void *)pc, name, (unsigned long long)shown);
	}
	else {
		console_printf("  #%zu %p ?\n", i, (void *)pc);
	}
}

void backtrace_print(uint64_t rip, uint64_t rbp)
{
	uint64_t pcs[BACKTRACE_MAX];
	size_t n = arch_backtrace_walk(rbp, pcs, BACKTRACE_MAX);

	console_write("Backtrace:\n");
	print_pc(0, rip, false);
	for (size_t i = 0; i < n; i++)
		print_pc(i + 1, pcs[i], true);
}
