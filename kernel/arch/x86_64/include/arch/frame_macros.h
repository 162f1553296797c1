/* SPDX-License-Identifier: MIT */
/* Assembly only: save and restore the general registers in struct trap_frame
 * order (arch/trap.h). Shared by the interrupt and syscall entry stubs. */
#ifndef FERROUS_ARCH_FRAME_MACROS_H
#define FERROUS_ARCH_FRAME_MACROS_H

.macro PUSH_REGS
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

.macro POP_REGS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
.endm

#endif /* FERROUS_ARCH_FRAME_MACROS_H */
