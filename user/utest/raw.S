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
 *
 * ut_park_entry and ut_exit_entry: threads that never touch their stack, so
 * thousands may share one (suite_quota.c). ut_park_entry waits on the
 * notification handle in rdi forever; ut_exit_entry counts itself in
 * ut_exited and exits.
 */
#include <ferrous/syscall.h>

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

/*
 * RFLAGS helpers for the rflags suite. Each sets flags with popfq, does its
 * one thing, then puts the flags back to 0x202 (IF and the reserved bit)
 * before returning to C, which assumes DF clear.
 *
 * uint64_t ut_flags_syscall(uint64_t set, uint64_t nr): ORs `set` into
 *	RFLAGS, makes system call nr (no arguments), returns RFLAGS as the
 *	kernel left them. The syscall is the instruction right after the
 *	popfq, so a TF set there traps after the syscall (at
 *	ut_flags_syscall_ret), not before it.
 * uint64_t ut_flags_spin(uint64_t set, uint64_t loops): the same around a
 *	busy loop (interrupts and preemption arrive with the flags set).
 * void ut_trap_flag(void): sets TF: the next instruction raises #DB.
 * void ut_iopl3_cli(void): tries to raise IOPL to 3 (ring 3's popfq
 *	ignores it), then cli: #GP.
 * void ut_flags_ud2(uint64_t set): ORs `set` into RFLAGS and jumps to
 *	ut_ud2_here: #UD at that rip with the flags still set.
 */
	.globl ut_flags_syscall
	.type ut_flags_syscall, @function
ut_flags_syscall:
	movq %rsi, %rax
	pushfq
	orq %rdi, (%rsp)
	popfq
	syscall
	.globl ut_flags_syscall_ret
ut_flags_syscall_ret:
	pushfq
	popq %rax
	pushq $0x202
	popfq
	ret
	.size ut_flags_syscall, . - ut_flags_syscall

	.globl ut_flags_spin
	.type ut_flags_spin, @function
ut_flags_spin:
	pushfq
	orq %rdi, (%rsp)
	popfq
1:	decq %rsi
	jnz 1b
	pushfq
	popq %rax
	pushq $0x202
	popfq
	ret
	.size ut_flags_spin, . - ut_flags_spin

	.globl ut_trap_flag
	.type ut_trap_flag, @function
ut_trap_flag:
	pushfq
	orq $0x100, (%rsp)
	popfq
	nop
	nop
	ret
	.size ut_trap_flag, . - ut_trap_flag

	.globl ut_iopl3_cli
	.type ut_iopl3_cli, @function
ut_iopl3_cli:
	pushfq
	orq $0x3000, (%rsp)
	popfq
	cli
	ret
	.size ut_iopl3_cli, . - ut_iopl3_cli

	.globl ut_flags_ud2
	.type ut_flags_ud2, @function
ut_flags_ud2:
	pushfq
	orq %rdi, (%rsp)
	popfq
	jmp ut_ud2_here
	.size ut_flags_ud2, . - ut_flags_ud2

	.globl ut_park_entry
	.type ut_park_entry, @function
ut_park_entry:
	movq %rdi, %rbx
1:	movq %rbx, %rdi
	xorl %esi, %esi
	leaq ut_park_bits(%rip), %rdx
	movl $FE_SYS_NOTIF_WAIT, %eax
	syscall
	jmp 1b
	.size ut_park_entry, . - ut_park_entry

	.globl ut_exit_entry
	.type ut_exit_entry, @function
ut_exit_entry:
	lock incq ut_exited(%rip)
	movl $FE_SYS_THREAD_EXIT, %eax
	syscall
	ud2
	.size ut_exit_entry, . - ut_exit_entry

	.bss
	.balign 8
ut_park_bits:
	.quad 0
	.globl ut_exited
ut_exited:
	.quad 0

	.section .note.GNU-stack, "", @progbits
