/* SPDX-License-Identifier: MIT */
/*
 * The user-copy primitive: the only code that dereferences user pointers.
 *
 * fe_status_t arch_copy_user(void *dst, const void *src, size_t n, bool smap)
 * copies n bytes with `rep movsb`. A fault inside the copy (an unmapped or
 * protected user page) resumes at the fixup through the exception table and
 * returns FE_ERR_FAULT (-8); otherwise FE_OK.
 *
 * SAFETY: the caller (core/usercopy.c) has checked that the user side of the
 * copy lies entirely in [FE_USER_BASE, FE_USER_TOP) and the kernel side is a
 * kernel buffer of n bytes, so the only possible fault is on a user page.
 * When `smap` is true the CPU has SMAP and stac/clac open the window for
 * exactly the copy; without SMAP those instructions would be #UD.
 */
#define FE_ERR_FAULT_VAL (-8)

	.text
	.globl arch_copy_user
	.type arch_copy_user, @function
arch_copy_user:
	movl %ecx, %r8d		/* smap flag */
	movq %rdx, %rcx		/* count */
	testl %r8d, %r8d
	jz 1f
	stac
1:	rep movsb
	testl %r8d, %r8d
	jz 3f
	clac
3:	xorl %eax, %eax
	ret
2:	testl %r8d, %r8d
	jz 4f
	clac
4:	movl $FE_ERR_FAULT_VAL, %eax
	ret
	.pushsection .extable, "a"
	.balign 8
	.quad 1b, 2b
	.popsection
	.size arch_copy_user, . - arch_copy_user
