/* SPDX-License-Identifier: MIT */
/* Entering and leaving user mode: syscall MSRs, thread stacks, user copies. */
#ifndef FERROUS_ARCH_USER_H
#define FERROUS_ARCH_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferrous/errors.h>
#include <ferrous/syscall.h>

#include "asm.h"
#include "trap.h"

struct cpu;
struct trap_frame;

/* Enables `syscall` on this CPU and points it at syscall_entry. */
void arch_syscall_init(void);

/* The stack the CPU switches to on entry from user mode (TSS rsp0 and the
 * syscall stub's stack): the running thread's kernel stack top. */
void arch_set_kernel_stack(struct cpu *c, uint64_t top);

/*
 * Lays out a new thread's kernel stack: a trap frame at the top that enters
 * user mode at `entry` with rsp = user_rsp, rdi = arg and interrupts on,
 * and below it a context-switch frame that starts at thread_first_entry.
 * Returns the frame; *switch_rsp is what arch_context_switch must load.
 */
struct trap_frame *arch_thread_stack_init(uint64_t kstack_top, uint64_t entry, uint64_t user_rsp,
                                          uint64_t arg, uint64_t *switch_rsp);

/* Saves callee-saved registers and the stack pointer into *save_rsp, and
 * resumes the context saved at next_rsp (switch.S). */
void arch_context_switch(uint64_t *save_rsp, uint64_t next_rsp);

/* Copies between a kernel buffer and a range of user memory the caller has
 * range-checked; FE_ERR_FAULT if a user page is missing or protected. Use
 * core/usercopy.h, which does the checks. */
fe_status_t arch_copy_user(void *dst, const void *src, size_t n, bool smap);

/* True if the frame may return with sysret (rip is a user address).
 * Inline: every system call asks. */
/* The flags a return to user mode restores: only what a user may carry
 * (RFLAGS_USER_MASK), with IF set. Called on every return to user mode. */
void arch_user_frame_sanitize(struct trap_frame *f);

/* True if f is a fault raised by an iretq returning to user mode (a frame
 * the kernel built wrongly, or flags a user slipped through): the process,
 * never the kernel, pays for it. */
bool arch_trap_on_user_return(const struct trap_frame *f);

static inline bool arch_sysret_safe(const struct trap_frame *f)
{
	return f->rip >= FE_USER_BASE && f->rip < FE_USER_TOP && f->cs == SEL_UCODE &&
	       f->ss == SEL_UDATA;
}

#endif /* FERROUS_ARCH_USER_H */
