/* SPDX-License-Identifier: MIT */
/*
 * Entry points of a process and of its extra threads. Linked into every
 * program directly (not from the archive), first in .text.
 *
 * The kernel enters with rsp 16-byte aligned and nothing pushed
 * (include/ferrous/start.h), so a `call` gives the callee the alignment the
 * System V ABI promises (rsp + 8 a multiple of 16). rbp = 0 ends frame-pointer
 * backtraces here. Neither C function returns; ud2 turns a broken promise
 * into a fault the parent sees rather than a run into whatever follows.
 */

/* _start: rdi = struct fe_start_info *, rsp = that same address. */
	.section .text.start, "ax", @progbits
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp
	andq $-16, %rsp
	call fe_start_main
	ud2
	.size _start, . - _start

/* fe_thread_entry: rdi = the thread's start record (user/lib/thread.c). */
	.text
	.globl fe_thread_entry
	.type fe_thread_entry, @function
fe_thread_entry:
	xorl %ebp, %ebp
	andq $-16, %rsp
	call fe_thread_main
	ud2
	.size fe_thread_entry, . - fe_thread_entry

	.section .note.GNU-stack, "", @progbits

/*
 * The Ferrous ABI note (kernel/lib/elf.h, FE_ELF_NOTE_*): the kernel and
 * fe_spawn refuse an ELF file without it, so a Linux binary is turned away
 * at load rather than run until its first system call faults.
 * namesz, descsz, type, "Ferrous\0", ABI version.
 */
	.section .note.ferrous, "a", @note
	.balign 4
	.long 8
	.long 4
	.long 1
	.asciz "Ferrous"
	.long 1
