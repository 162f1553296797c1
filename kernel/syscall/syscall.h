/* SPDX-License-Identifier: MIT */
/* The way into the kernel from user mode, and the way back out. */
#ifndef FERROUS_SYSCALL_SYSCALL_H
#define FERROUS_SYSCALL_SYSCALL_H

#include <stdint.h>

struct trap_frame;

/* Called by syscall_entry (arch) with the caller's registers. */
void syscall_dispatch(struct trap_frame *f);
/* Every return to user mode passes here: deferred frees, a killed thread's
 * exit, preemption, and the user flags restored (arch_user_frame_sanitize). */
void return_to_user(struct trap_frame *f);
/* An exception in user mode: the process ends with a fault status. */
_Noreturn void user_exception(struct trap_frame *f, unsigned vector, uint64_t address);
/* A fault raised by the kernel's own return to user mode (an iretq): the
 * process ends with that fault, the kernel goes on. */
_Noreturn void user_return_fault(struct trap_frame *f, unsigned vector);

uint64_t syscall_count(void);

#endif /* FERROUS_SYSCALL_SYSCALL_H */
