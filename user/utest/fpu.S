/* SPDX-License-Identifier: MIT */
/*
 * Register-exact helpers for the fpu suite (suite_fpu.c). Between loading a
 * pattern into the x87, SSE and AVX registers and reading them back, only
 * these instructions run: no compiled C, which may use XMM registers itself.
 *
 * struct ut_fpu_regs (suite_fpu.c checks the offsets):
 *	0	v[16][32]   ymm0..ymm15 (the low 16 bytes are xmm0..xmm15)
 *	512	st[8]       int64: fildq'd in order st[0]..st[7] (st[7] ends in ST0)
 *	576	env[7]      uint32: the fnstenv image (FCW, FSW, FTW, ...)
 *	604	mxcsr
 *	608	fcw         the control word to load (low 16 bits)
 *
 * `avx` arguments: non-zero moves all 256 bits of each register, zero only
 * the XMM halves (a CPU without AVX, or with it disabled in XCR0).
 */
#define V_OFF 0
#define ST_OFF 512
#define ENV_OFF 576
#define MXCSR_OFF 604
#define FCW_OFF 608

#define SYS_YIELD 14

	.text

/* void ut_fpu_load(const struct ut_fpu_regs *in, int avx) */
	.globl ut_fpu_load
	.type ut_fpu_load, @function
ut_fpu_load:
	fninit
	fldcw FCW_OFF(%rdi)
	.irp i, 0, 1, 2, 3, 4, 5, 6, 7
	fildq ST_OFF + 8 * \i(%rdi)
	.endr
	ldmxcsr MXCSR_OFF(%rdi)
	testl %esi, %esi
	jz 1f
	.irp i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vmovdqu V_OFF + 32 * \i(%rdi), %ymm\i
	.endr
	ret
1:	.irp i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	movdqu V_OFF + 32 * \i(%rdi), %xmm\i
	.endr
	ret
	.size ut_fpu_load, . - ut_fpu_load

/* void ut_fpu_store(struct ut_fpu_regs *out, int avx): the registers as
 * they are; pops the x87 stack (an empty slot reads as the integer
 * indefinite, 1 << 63, with the invalid exception masked). */
	.globl ut_fpu_store
	.type ut_fpu_store, @function
ut_fpu_store:
	fnstenv ENV_OFF(%rdi)
	fldenv ENV_OFF(%rdi)     /* fnstenv masked every x87 exception: undo */
	.irp i, 7, 6, 5, 4, 3, 2, 1, 0
	fistpq ST_OFF + 8 * \i(%rdi)
	.endr
	stmxcsr MXCSR_OFF(%rdi)
	testl %esi, %esi
	jz 1f
	.irp i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vmovdqu %ymm\i, V_OFF + 32 * \i(%rdi)
	.endr
	ret
1:	.irp i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	movdqu %xmm\i, V_OFF + 32 * \i(%rdi)
	.endr
	ret
	.size ut_fpu_store, . - ut_fpu_store

/*
 * uint64_t ut_fpu_hold_calls(const struct ut_fpu_regs *in, struct ut_fpu_regs *out,
 *                            const struct ut_raw_call *calls, uint64_t ncalls, int avx)
 * Loads `in`, makes each system call {nr, a0, a1, a2} (32 bytes each) in
 * turn, stores into `out`. Returns the first non-zero status, or 0.
 */
	.globl ut_fpu_hold_calls
	.type ut_fpu_hold_calls, @function
ut_fpu_hold_calls:
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsi, %r12          /* out */
	movq %rdx, %r13          /* calls */
	movq %rcx, %r14          /* ncalls */
	movl %r8d, %ebx          /* avx */
	xorl %r15d, %r15d        /* first failure */
	movl %ebx, %esi
	call ut_fpu_load
2:	testq %r14, %r14
	jz 3f
	movq 0(%r13), %rax
	movq 8(%r13), %rdi
	movq 16(%r13), %rsi
	movq 24(%r13), %rdx
	syscall
	testq %r15, %r15
	cmovzq %rax, %r15
	addq $32, %r13
	decq %r14
	jmp 2b
3:	movq %r12, %rdi
	movl %ebx, %esi
	call ut_fpu_store
	movq %r15, %rax
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	ret
	.size ut_fpu_hold_calls, . - ut_fpu_hold_calls

/*
 * uint64_t ut_fpu_hold_spin(const struct ut_fpu_regs *in, struct ut_fpu_regs *out,
 *                           volatile uint64_t *mine, volatile const uint64_t *other,
 *                           uint64_t rounds, int avx)
 * Loads `in`; `rounds` times: bumps *mine, then spins (no system call) until
 * *other changes; then bumps *mine once more (so the other's last wait ends). With both threads on one CPU, each change means the timer
 * preempted one for the other. Stores into `out`. Returns 0, or 1 if *other
 * stayed still for 2^31 spins (no preemption: the caller fails the case).
 */
	.globl ut_fpu_hold_spin
	.type ut_fpu_hold_spin, @function
ut_fpu_hold_spin:
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsi, %r12          /* out */
	movq %rdx, %r13          /* mine */
	movq %rcx, %r14          /* other */
	movq %r8, %r15           /* rounds */
	movl %r9d, %ebx          /* avx */
	movl %ebx, %esi
	call ut_fpu_load
	xorl %r9d, %r9d          /* result */
2:	testq %r15, %r15
	jz 4f
	lock incq (%r13)
	movq (%r14), %rax
	movl $0x80000000, %ecx
3:	pause
	cmpq (%r14), %rax
	jne 5f
	decq %rcx
	jnz 3b
	movl $1, %r9d
	jmp 4f
5:	decq %r15
	jmp 2b
4:	lock incq (%r13)         /* a last change: the other's last wait ends */
	movq %r12, %rdi
	movl %ebx, %esi
	pushq %r9
	call ut_fpu_store
	popq %rax
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	ret
	.size ut_fpu_hold_spin, . - ut_fpu_hold_spin

/* uint64_t ut_xcr0(void): XCR0, or 0 if the OS has not enabled XSAVE
 * (CPUID.1:ECX.OSXSAVE clear: xgetbv would fault). */
	.globl ut_xcr0
	.type ut_xcr0, @function
ut_xcr0:
	pushq %rbx
	movl $1, %eax
	xorl %ecx, %ecx
	cpuid
	xorl %eax, %eax
	btl $27, %ecx
	jnc 1f
	xorl %ecx, %ecx
	xgetbv
	shlq $32, %rdx
	orq %rdx, %rax
1:	popq %rbx
	ret
	.size ut_xcr0, . - ut_xcr0

/* uint32_t ut_fpu_raise_xm(void): unmasks the SIMD divide-by-zero
 * exception and divides by zero: #XM (vector 19). A CPU that does not raise
 * it (QEMU 7.2's TCG only sets the flag) returns MXCSR as the division left
 * it, after putting back the clean MXCSR. */
	.globl ut_fpu_raise_xm
	.type ut_fpu_raise_xm, @function
ut_fpu_raise_xm:
	subq $8, %rsp
	movl $0x1d80, (%rsp)     /* MXCSR_CLEAN without ZM (bit 9) */
	ldmxcsr (%rsp)
	movl $0x3f800000, %eax   /* 1.0f */
	movd %eax, %xmm0
	xorps %xmm1, %xmm1
	divss %xmm1, %xmm0
	stmxcsr (%rsp)
	movl (%rsp), %eax
	movl $0x1f80, (%rsp)
	ldmxcsr (%rsp)
	addq $8, %rsp
	ret
	.size ut_fpu_raise_xm, . - ut_fpu_raise_xm

/* void ut_fpu_raise_mf(void): unmasks the x87 divide-by-zero exception and
 * divides by zero; the next waiting x87 instruction raises #MF (vector 16). */
	.globl ut_fpu_raise_mf
	.type ut_fpu_raise_mf, @function
ut_fpu_raise_mf:
	subq $8, %rsp
	movw $0x037b, (%rsp)     /* FCW_CLEAN without ZM (bit 2) */
	fninit
	fldcw (%rsp)
	fldz
	fld1
	fdiv %st(1), %st         /* ST0 = 1 / 0 */
	fwait
	ud2
	.size ut_fpu_raise_mf, . - ut_fpu_raise_mf

	.section .note.GNU-stack, "", @progbits
