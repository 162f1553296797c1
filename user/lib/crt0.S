/* SPDX-License-Identifier: MIT */
/* Process entry: rdi = the start-up block, rsp just below it (16-aligned). */
	.section .text.start, "ax"
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp
	call fe_start_main
	ud2
	.size _start, . - _start

/* A new thread (fe_thread_spawn): rdi = its start record, stack ready. */
	.text
	.globl fe_thread_entry
	.type fe_thread_entry, @function
fe_thread_entry:
	xorl %ebp, %ebp
	call fe_thread_main
	ud2
	.size fe_thread_entry, . - fe_thread_entry
