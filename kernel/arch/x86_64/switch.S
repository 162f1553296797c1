/* SPDX-License-Identifier: MIT */
/*
 * Kernel context switch between two threads' kernel stacks.
 *
 * void arch_context_switch(uint64_t *save_rsp, uint64_t next_rsp)
 * Saves the callee-saved registers and RFLAGS on the current stack (each
 * thread keeps its own kernel flags: none leaks into the next), stores %rsp in
 * *save_rsp, loads next_rsp and pops the next thread's registers; `ret`
 * then resumes wherever that thread called arch_context_switch, or, for a
 * new thread, at thread_first_entry (sched/thread.c lays out that stack).
 *
 * SAFETY: interrupts are off (the kernel runs with IF clear); next_rsp was
 * saved by this function or built by arch_thread_stack_init to the same
 * layout. The caller switches CR3 and the TSS stack before calling.
 */
	.text
	.globl arch_context_switch
	.type arch_context_switch, @function
arch_context_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushfq
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popfq
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size arch_context_switch, . - arch_context_switch

/* A new thread's first instructions: finish the switch in C, then enter
 * user mode through the trap frame that sits right above. */
	.globl thread_first_entry
	.type thread_first_entry, @function
thread_first_entry:
	call sched_first_run
	jmp trap_return_to_user
	.size thread_first_entry, . - thread_first_entry
