/* SPDX-License-Identifier: MIT */
/*
 * Two pieces of code whose exact instructions the tests rely on.
 *
 * ut_raw_entry: a thread started with fe_thread_create and nothing from the
 * runtime; the kernel enters with rdi = arg and rsp = stack top (16-byte
 * aligned, nothing pushed). It hands both to ut_raw_main(arg, entry rsp);
 * the `call` gives C the alignment the System V ABI promises.
 *
 * ut_ud2_here: an invalid-opcode fault (vector 6) at a known rip.
 */
	.text
	.globl ut_raw_entry
	.type ut_raw_entry, @function
ut_raw_entry:
	xorl %ebp, %ebp
	movq %rsp, %rsi
	call ut_raw_main
	ud2
	.size ut_raw_entry, . - ut_raw_entry

	.globl ut_ud2_here
	.type ut_ud2_here, @function
ut_ud2_here:
	ud2
	.size ut_ud2_here, . - ut_ud2_here

	.section .note.GNU-stack, "", @progbits
