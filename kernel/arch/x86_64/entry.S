/* SPDX-License-Identifier: MIT */
/*
 * Kernel entry from the UEFI loader.
 *
 * SAFETY: the loader's contract (include/ferrous/boot_info.h): long mode,
 * interrupts off, %rdi = boot_info (direct-map address), the image mapped at
 * its link address. The loader's stack lives in memory the kernel will
 * reclaim, so the first thing done is to move to the kernel's own boot stack.
 */
#include <arch/asm.h>

	.section .text.entry, "ax"
	.globl _start
	.type _start, @function
_start:
	cli
	cld
	leaq boot_stack_top(%rip), %rsp
	xorl %ebp, %ebp		/* ends every backtrace */
	call kernel_main	/* %rdi still holds boot_info */
	ud2
	.size _start, . - _start

/*
 * The boot CPU's stack: BOOT_STACK_SIZE bytes above one guard page. The guard
 * page is left unmapped by the kernel's page tables, so overflowing this stack
 * faults (and the double fault runs on its own IST stack) instead of
 * silently overwriting .bss.
 */
	.section .bss.boot_stack, "aw", @nobits
	.balign 4096
	.globl boot_stack_guard
boot_stack_guard:
	.skip 4096
	.globl boot_stack_bottom
boot_stack_bottom:
	.skip BOOT_STACK_SIZE
	.globl boot_stack_top
boot_stack_top:

/*
 * The boot CPU's IST stacks for #DF, NMI and #MC, each above its own
 * unmapped guard page, so even a fault on a broken stack is reported.
 */
#define IST_STACK(name)		\
	.balign 4096;		\
	.globl name##_guard;	\
name##_guard:			\
	.skip 4096;		\
	.skip 8192;		\
	.globl name##_top;	\
name##_top:

IST_STACK(ist_df)
IST_STACK(ist_nmi)
IST_STACK(ist_mc)
	.globl boot_stacks_end
boot_stacks_end:
