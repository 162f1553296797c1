/* SPDX-License-Identifier: MIT */
/*
 * User-mode plumbing: the syscall MSRs, the layout of a new thread's kernel
 * stack, and the per-CPU kernel stack pointers for entries from user mode.
 */
#include <arch/asm.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/trap.h>
#include <arch/user.h>
#include <arch/x86.h>
#include <ferrous/syscall.h>

#include "core/cpu.h"
#include "lib/string.h"

extern char syscall_entry[], thread_first_entry[];
extern char isr_user_iret[], first_user_iret[], syscall_user_iret[];

void arch_syscall_init(void)
{
	/* SAFETY: STAR's selectors match the GDT order in asm.h: kernel CS
	 * 0x08 (SS 0x10); sysret loads CS = 0x10+0x10|3 = 0x23, SS = 0x10+8|3 =
	 * 0x1b. SFMASK clears IF (the kernel runs with interrupts off), AC
	 * (SMAP stays enforced), DF, TF, NT, IOPL, RF and ID: RFLAGS_ENTRY_CLEAR. */
	wrmsr(MSR_STAR, ((uint64_t)(SEL_KDATA | 3) << 48) | ((uint64_t)SEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
	wrmsr(MSR_SFMASK, RFLAGS_ENTRY_CLEAR);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

void arch_set_kernel_stack(struct cpu *c, uint64_t top)
{
	gdt_set_kernel_stack(c, top);
	c->syscall_rsp = top;
}

struct trap_frame *arch_thread_stack_init(uint64_t kstack_top, uint64_t entry, uint64_t user_rsp,
                                          uint64_t arg, uint64_t *switch_rsp)
{
	struct trap_frame *f = (struct trap_frame *)(uintptr_t)(kstack_top - sizeof(*f));

	memset(f, 0, sizeof(*f));
	f->rip = entry;
	f->cs = SEL_UCODE;
	f->rflags = RFLAGS_IF | RFLAGS_RESERVED1;
	f->rsp = user_rsp;
	f->ss = SEL_UDATA;
	f->rdi = arg;
	f->vector = TF_RETURN_IRET;

	/* arch_context_switch pops rflags, r15, r14, r13, r12, rbx, rbp, then
	 * returns: the new thread starts with clean kernel flags. */
	uint64_t *sp = (uint64_t *)f;
	*--sp = (uint64_t)(uintptr_t)thread_first_entry;
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	*--sp = RFLAGS_RESERVED1;
	*switch_rsp = (uint64_t)(uintptr_t)sp;
	return f;
}

void arch_user_frame_sanitize(struct trap_frame *f)
{
	f->rflags = (f->rflags & RFLAGS_USER_MASK) | RFLAGS_IF | RFLAGS_RESERVED1;
}

bool arch_trap_on_user_return(const struct trap_frame *f)
{
	uint64_t rip = f->rip;

	return !trap_from_user(f) &&
	       (rip == (uint64_t)(uintptr_t)isr_user_iret || rip == (uint64_t)(uintptr_t)first_user_iret ||
	        rip == (uint64_t)(uintptr_t)syscall_user_iret);
}
