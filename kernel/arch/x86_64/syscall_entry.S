/* SPDX-License-Identifier: MIT */
/*
 * The `syscall` entry: builds a struct trap_frame on the running thread's
 * kernel stack, exactly as an interrupt from user mode would, and calls
 * syscall_dispatch(frame). Returns with sysret, or with iret when the
 * dispatcher marked the frame (TF_RETURN_IRET): sysret with a non-canonical
 * %rcx would fault in ring 0 on a user stack (the "sysret pitfall"), and a
 * frame rewritten by the kernel (e.g. a new thread) needs the full restore.
 *
 * SAFETY: on entry %rsp is the user's, GS the user's, IF clear (SFMASK
 * clears RFLAGS_ENTRY_CLEAR: IF, AC, DF, TF, NT, IOPL, RF, ID), %rcx = user
 * %rip, %r11 = user %rflags (return_to_user keeps only RFLAGS_USER_MASK). Nothing
 * touches memory through %rsp until it points at the kernel stack read from
 * this CPU's struct cpu. Between the final swapgs and sysretq no instruction
 * can fault, and NMIs use the paranoid GS check (isr.S).
 */
#include <arch/asm.h>
#include <arch/frame_macros.h>

	.text
	.globl syscall_entry
	.type syscall_entry, @function
syscall_entry:
	swapgs
	movq %rsp, %gs:CPU_USER_RSP
	movq %gs:CPU_SYSCALL_RSP, %rsp
	pushq $SEL_UDATA		/* ss */
	pushq %gs:CPU_USER_RSP		/* rsp */
	pushq %r11			/* rflags */
	pushq $SEL_UCODE		/* cs */
	pushq %rcx			/* rip */
	pushq $0			/* error code */
	pushq $TF_VECTOR_SYSCALL	/* vector */
	PUSH_REGS
	xorl %ebp, %ebp
	cld
	movq %rsp, %rdi
	pushq TF_RIP(%rdi)		/* fake call frame for backtraces */
	pushq %rbp
	movq %rsp, %rbp
	call syscall_dispatch
	addq $16, %rsp
	cmpq $TF_RETURN_IRET, TF_VECTOR(%rsp)
	je 1f
	POP_REGS
	movq 16(%rsp), %rcx		/* rip (after vector, error) */
	movq 32(%rsp), %r11		/* rflags */
	movq 40(%rsp), %rsp		/* user rsp */
	swapgs
	sysretq
1:	swapgs
	POP_REGS
	addq $16, %rsp
	.globl syscall_user_iret
syscall_user_iret:
	iretq
	.size syscall_entry, . - syscall_entry
