/* SPDX-License-Identifier: MIT */
/*
 * Application processor start-up code. The boot CPU copies
 * [ap_trampoline, ap_trampoline_end) to a page P below 1 MiB, fills in the
 * data block at its end, and sends INIT and STARTUP with vector P >> 12.
 * The AP starts here in real mode with CS = P >> 4, IP = 0, and goes
 * protected mode -> long mode with temporary page tables (P + 0x1000..)
 * that identity-map the first 2 MiB and share the kernel half, then jumps
 * to ap_entry64 in the kernel image.
 *
 * SAFETY: runs before the AP has a stack or any kernel state; touches only
 * the trampoline page and the temporary tables, which the boot CPU keeps
 * untouched until this AP reports itself online. Every absolute address is
 * P plus an offset: %ebx holds P from the first instructions on.
 */
#define OFF(sym) ((sym) - ap_trampoline)

	.section .rodata
	.balign 16
	.globl ap_trampoline
ap_trampoline:
	.code16
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	movzwl %ax, %ebx
	shll $4, %ebx			/* %ebx = P */
	lgdtl OFF(tr_gdtr)
	movl %cr0, %eax
	orl $1, %eax			/* PE */
	movl %eax, %cr0
	ljmpl *OFF(tr_pm_jump)

	.code32
tr_pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $(1 << 5), %eax		/* PAE */
	movl %eax, %cr4
	movl OFF(tr_tmp_cr3)(%ebx), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER: long mode, no-execute */
	rdmsr
	orl $((1 << 8) | (1 << 11)), %eax
	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16)), %eax /* PG, WP */
	movl %eax, %cr0
	ljmpl *OFF(tr_lm_jump)(%ebx)

	.code64
tr_lm64:
	movl %ebx, %ebx
	movq OFF(tr_stack)(%rbx), %rsp
	movq OFF(tr_cpu)(%rbx), %rdi
	movq OFF(tr_kernel_cr3)(%rbx), %rsi
	movq OFF(tr_entry)(%rbx), %rax
	jmpq *%rax

	.balign 16
tr_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
tr_gdt_end:

/* Filled in by the boot CPU (struct ap_trampoline_data in smp.c). */
	.balign 8
	.globl ap_trampoline_data
ap_trampoline_data:
tr_gdtr:
	.word tr_gdt_end - tr_gdt - 1
	.long 0				/* P + OFF(tr_gdt) */
	.word 0
tr_pm_jump:
	.long 0				/* P + OFF(tr_pm32) */
	.word 0x08
	.word 0
tr_lm_jump:
	.long 0				/* P + OFF(tr_lm64) */
	.word 0x18
	.word 0
tr_tmp_cr3:
	.quad 0
tr_kernel_cr3:
	.quad 0
tr_stack:
	.quad 0
tr_cpu:
	.quad 0
tr_entry:
	.quad 0
	.globl ap_trampoline_end
ap_trampoline_end:

	.globl ap_trampoline_offsets
ap_trampoline_offsets:
	.long OFF(tr_gdt), OFF(tr_pm32), OFF(tr_lm64)

/* The AP's first instructions in the kernel image: %rdi = its struct cpu,
 * %rsi = the kernel's page-table root, %rsp = its boot stack (kernel half,
 * already mapped by the temporary tables). */
	.text
	.globl ap_entry64
	.type ap_entry64, @function
ap_entry64:
	movq %rsi, %cr3
	xorl %ebp, %ebp
	pushq $0			/* a null return address ends backtraces */
	jmp ap_main
	.size ap_entry64, . - ap_entry64
