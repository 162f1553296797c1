/* SPDX-License-Identifier: MIT */
#include <arch/probe.h>

/* Emitted by probe.S (and later the user-copy code) into .extable. */
extern const struct extable_entry __extable_start[], __extable_end[];

uint64_t extable_fixup(uint64_t rip)
{
	/* The linker places both symbols around one section: one object. */
	// cppcheck-suppress comparePointers
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++)
		if (e->fault_rip == rip)
			return e->fixup_rip;
	return 0;
}
