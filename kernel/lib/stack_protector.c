/* SPDX-License-Identifier: MIT */
/*
 * -fstack-protector-strong support: functions with arrays or address-taken
 * locals store __stack_chk_guard below their return address and check it on
 * return; a mismatch means the stack was overwritten.
 */
#include <stdint.h>

#include "core/fault_catch.h"
#include "core/panic.h"
#include "lib/stack_protector.h"

/* Randomised once by stack_protector_init, before anything that could
 * return across the change runs. */
uintptr_t __stack_chk_guard = 0x595e9fbd94fda766ULL;

NORETURN void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	uint64_t rip = (uint64_t)(uintptr_t)__builtin_return_address(0);

	fault_catch_set_detail("stack protector: canary overwritten in the function at %p",
	                       (void *)rip);
	fault_catch_deliver(FAULT_KIND_STACK_PROTECTOR, 0, 0, rip, 0);
	panic("stack protector: stack smashed in the function returning to %p", (void *)rip);
}

void stack_protector_init(uint64_t seed)
{
	/* Keep a zero byte at the bottom: string overflows then stop at it. */
	__stack_chk_guard = (uintptr_t)((seed ^ __stack_chk_guard) & ~0xffULL);
}
