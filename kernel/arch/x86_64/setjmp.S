/* SPDX-License-Identifier: MIT */
/*
 * A kernel setjmp/longjmp, used by the in-kernel test framework to survive a
 * deliberate fault (kernel/test/fault_catch.c).
 *
 * struct arch_jmp_buf: rbx, rbp, r12, r13, r14, r15, rsp, rip, rflags.
 *
 * SAFETY: arch_longjmp may only target a buffer filled by arch_setjmp in a
 * function that has not yet returned, on the same CPU. It restores the
 * interrupt flag saved by arch_setjmp (a trap handler runs with IF clear).
 */
	.text
	.globl arch_setjmp
	.type arch_setjmp, @function
arch_setjmp:
	movq %rbx, 0(%rdi)
	movq %rbp, 8(%rdi)
	movq %r12, 16(%rdi)
	movq %r13, 24(%rdi)
	movq %r14, 32(%rdi)
	movq %r15, 40(%rdi)
	leaq 8(%rsp), %rax	/* the caller's rsp after we return */
	movq %rax, 48(%rdi)
	movq (%rsp), %rax	/* return address */
	movq %rax, 56(%rdi)
	pushfq
	popq 64(%rdi)
	xorl %eax, %eax
	ret
	.size arch_setjmp, . - arch_setjmp

	.globl arch_longjmp
	.type arch_longjmp, @function
arch_longjmp:
	movq 0(%rdi), %rbx
	movq 8(%rdi), %rbp
	movq 16(%rdi), %r12
	movq 24(%rdi), %r13
	movq 32(%rdi), %r14
	movq 40(%rdi), %r15
	movq 48(%rdi), %rsp
	pushq 64(%rdi)
	popfq
	movl %esi, %eax
	testl %eax, %eax
	jnz 1f
	incl %eax		/* setjmp must see non-zero */
1:	jmpq *56(%rdi)
	.size arch_longjmp, . - arch_longjmp
