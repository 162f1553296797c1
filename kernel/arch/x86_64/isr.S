/* SPDX-License-Identifier: MIT */
/*
 * Interrupt and exception entry stubs: one per vector, all funnelling into
 * isr_common, which saves the general registers as a struct trap_frame and
 * calls trap_entry().
 *
 * SAFETY: runs on whatever stack the CPU chose (the current kernel stack, the
 * TSS RSP0 stack from user mode, or an IST stack for #DF/NMI/#MC). GS must hold
 * the kernel's per-CPU pointer while C runs: entries from user mode swap it;
 * the IST vectors (which can interrupt the kernel anywhere, even between a
 * swapgs and iret) check MSR_GS_BASE instead of trusting CS.
 */
#include <arch/asm.h>
#include <arch/frame_macros.h>

/* CPU pushes an error code for these vectors. */
#define HAS_ERROR(v) ((v) == 8 || (v) == 10 || (v) == 11 || (v) == 12 || (v) == 13 || \
                      (v) == 14 || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)
#define PARANOID(v) ((v) == 2 || (v) == 8 || (v) == 18)

	.text

.macro ISR_STUB vec
	.balign 16
isr_stub_\vec:
	.if !HAS_ERROR(\vec)
	pushq $0
	.endif
	pushq $\vec
	.if PARANOID(\vec)
	jmp isr_paranoid
	.else
	jmp isr_common
	.endif
.endm

/*
 * Ordinary entries: trust CS to tell whether GS must be swapped, except on
 * a fault raised by an iretq that was returning to user mode: that runs in
 * ring 0 after the swapgs, with the user's GS base (the C side then ends
 * the process, arch_trap_on_user_return). Interrupt gates clear IF, TF and
 * NT but not AC or DF: the popfq clears them, so SMAP holds in every handler.
 */
isr_common:
	PUSH_REGS
	pushq $2		/* RFLAGS with only the reserved bit */
	popfq
	testb $3, TF_CS(%rsp)
	jnz 3f
	movq TF_RIP(%rsp), %rax
	leaq isr_user_iret(%rip), %rcx
	cmpq %rcx, %rax
	je 3f
	leaq first_user_iret(%rip), %rcx
	cmpq %rcx, %rax
	je 3f
	leaq syscall_user_iret(%rip), %rcx
	cmpq %rcx, %rax
	jne 1f
3:	swapgs
	xorl %ebp, %ebp		/* a user %rbp means nothing to a backtrace */
1:	cld
	movq %rsp, %rdi
	/* A fake call frame (interrupted %rip, %rbp) so backtraces walk from
	 * trap_entry straight into the interrupted code. Keeps %rsp 16-aligned. */
	pushq TF_RIP(%rdi)
	pushq %rbp
	movq %rsp, %rbp
	call trap_entry
	addq $16, %rsp
	testb $3, TF_CS(%rsp)
	jz 2f
	swapgs
	POP_REGS
	addq $16, %rsp		/* vector and error code */
	.globl isr_user_iret
isr_user_iret:
	iretq
2:	POP_REGS
	addq $16, %rsp
	iretq

/* A new thread's first return to user mode: %rsp points at its trap frame
 * (sched/thread.c builds it). Interrupts are off; GS holds the kernel base. */
	.globl trap_return_to_user
trap_return_to_user:
	swapgs
	POP_REGS
	addq $16, %rsp
	.globl first_user_iret
first_user_iret:
	iretq

/* NMI, #DF, #MC: swap GS only if its base is not a kernel address. */
isr_paranoid:
	PUSH_REGS
	xorl %ebx, %ebx		/* %rbx = 1 if we swapped; callee-saved */
	movl $0xc0000101, %ecx	/* MSR_GS_BASE */
	rdmsr
	testl %edx, %edx
	js 1f			/* kernel addresses have the top bit set */
	swapgs
	movl $1, %ebx
1:	pushq $2		/* no AC, DF, TF or NT in the handler */
	popfq
	cld
	movq %rsp, %rdi
	pushq TF_RIP(%rdi)
	pushq %rbp
	movq %rsp, %rbp
	call trap_entry
	addq $16, %rsp
	testl %ebx, %ebx
	jz 2f
	swapgs
2:	POP_REGS
	addq $16, %rsp
	iretq

/* The stubs, and a table of their addresses for idt.c. */
.altmacro
.set vec, 0
.rept 256
	ISR_STUB %vec
	.set vec, vec + 1
.endr

.macro STUB_ADDR vec
	.quad isr_stub_\vec
.endm

	.section .rodata
	.balign 8
	.globl isr_stubs
isr_stubs:
.set vec, 0
.rept 256
	STUB_ADDR %vec
	.set vec, vec + 1
.endr
