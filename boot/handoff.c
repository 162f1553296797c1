/* SPDX-License-Identifier: MIT */
/*
 * The jump into the kernel. Register access goes through the kernel's
 * one-line wrappers (arch/x86.h); the only assembly of its own is the final
 * CR3 load and jump, which C cannot express.
 */
#include <arch/x86.h>

#include "loader.h"

#define CPUID_EXT_MAX 0x80000000u
#define CPUID_EXT_FEATURES 0x80000001u
#define CPUID_EXT_EDX_NX (1u << 20)

bool cpu_has_nx(void)
{
	if (cpuid(CPUID_EXT_MAX, 0).eax < CPUID_EXT_FEATURES)
		return false;
	return (cpuid(CPUID_EXT_FEATURES, 0).edx & CPUID_EXT_EDX_NX) != 0;
}

void handoff(uint64_t pml4, bool nx, uint64_t entry, uint64_t boot_info_virt)
{
	cli();
	/* NXE before CR3: with it clear, the direct map's NX bits would be reserved bits. */
	if (nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	/*
	 * SAFETY: `pml4` identity-maps all RAM, so this code and the current
	 * stack (loader and boot-services memory) stay mapped across the CR3
	 * load, and it maps the kernel at its link address, so `entry` is valid
	 * after it. The stack is realigned as if `entry` had been called, with a
	 * zero return address to end backtraces; the kernel moves to its own
	 * stack before it uses more than a few bytes of this one.
	 */
	__asm__ volatile("mov %0, %%cr3\n\t"
	                 "and $-16, %%rsp\n\t"
	                 "pushq $0\n\t"
	                 "jmp *%2"
	                 :
	                 : "r"(pml4), "D"(boot_info_virt), "r"(entry)
	                 : "memory");
	__builtin_unreachable();
}
