/* SPDX-License-Identifier: MIT */
/*
 * Memory probes: read or write one word at an address that may fault.
 * A fault inside them is not a kernel bug: the page-fault handler finds the
 * faulting instruction in the exception table (.extable: pairs of
 * <faulting rip, fixup rip>) and resumes at the fixup, which returns
 * FE_ERR_FAULT (-8). The user-copy primitive will use the same mechanism.
 *
 * SAFETY: callers may pass any address; the probe either completes the access
 * or returns an error. Writes through a probe still change memory when they
 * succeed, so callers own whatever they write.
 */
#define FE_ERR_FAULT_VAL (-8)

.macro EXTABLE fault, fixup
	.pushsection .extable, "a"
	.balign 8
	.quad \fault, \fixup
	.popsection
.endm

	.text

/* fe_status_t arch_probe_read64(const void *addr, uint64_t *out) */
	.globl arch_probe_read64
	.type arch_probe_read64, @function
arch_probe_read64:
1:	movq (%rdi), %rax
	movq %rax, (%rsi)
	xorl %eax, %eax
	ret
2:	movl $FE_ERR_FAULT_VAL, %eax
	ret
	EXTABLE 1b, 2b
	.size arch_probe_read64, . - arch_probe_read64

/* fe_status_t arch_probe_write64(void *addr, uint64_t value) */
	.globl arch_probe_write64
	.type arch_probe_write64, @function
arch_probe_write64:
1:	movq %rsi, (%rdi)
	xorl %eax, %eax
	ret
2:	movl $FE_ERR_FAULT_VAL, %eax
	ret
	EXTABLE 1b, 2b
	.size arch_probe_write64, . - arch_probe_write64

/* fe_status_t arch_probe_write8(void *addr, uint8_t value): for code pages,
 * where an 8-byte store could straddle into the next section. */
	.globl arch_probe_write8
	.type arch_probe_write8, @function
arch_probe_write8:
1:	movb %sil, (%rdi)
	xorl %eax, %eax
	ret
2:	movl $FE_ERR_FAULT_VAL, %eax
	ret
	EXTABLE 1b, 2b
	.size arch_probe_write8, . - arch_probe_write8
