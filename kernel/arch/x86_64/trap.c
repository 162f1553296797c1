/* SPDX-License-Identifier: MIT */
/*
 * Exceptions. A fault at a probe instruction resumes at its fixup; a fault
 * inside a test's fault catch returns to the test; anything else in the
 * kernel is a bug: report the vector, error code, faulting address and
 * registers, and panic. (From Phase 2 on, a user-mode fault kills only the
 * faulting process.)
 */
#include <arch/cpu.h>
#include <arch/probe.h>
#include <arch/trap.h>
#include <arch/user.h>
#include <arch/x86.h>
#include <ferrous/trace.h>

#include "core/biglock.h"
#include "core/console.h"
#include "core/ipi.h"
#include "core/cpu.h"
#include "core/fault_catch.h"
#include "core/irq.h"
#include "core/panic.h"
#include "sched/sched.h"
#include "syscall/syscall.h"
#include "trace/trace.h"

static const char *const exception_names[32] = {
	[VEC_DE] = "divide error",          [VEC_DB] = "debug",
	[VEC_NMI] = "non-maskable interrupt",[VEC_BP] = "breakpoint",
	[VEC_OF] = "overflow",              [VEC_BR] = "bound range exceeded",
	[VEC_UD] = "invalid opcode",        [VEC_NM] = "device not available",
	[VEC_DF] = "double fault",          [VEC_TS] = "invalid TSS",
	[VEC_NP] = "segment not present",   [VEC_SS] = "stack-segment fault",
	[VEC_GP] = "general protection",    [VEC_PF] = "page fault",
	[VEC_MF] = "x87 floating-point",    [VEC_AC] = "alignment check",
	[VEC_MC] = "machine check",         [VEC_XM] = "SIMD floating-point",
	[VEC_VE] = "virtualization",        [VEC_CP] = "control protection",
};

const char *trap_exception_name(unsigned vector)
{
	const char *n = vector < 32 ? exception_names[vector] : NULL;
	return n ? n : "reserved";
}

static void report_page_fault(const struct trap_frame *f, uint64_t cr2)
{
	console_printf("page fault at %p: %s %s, %s mode%s%s\n", (void *)cr2,
	               (f->error & PF_PRESENT) ? "protection violation" : "page not present",
	               (f->error & PF_INSTR) ? "(instruction fetch)" :
	               (f->error & PF_WRITE) ? "(write)" : "(read)",
	               (f->error & PF_USER) ? "user" : "kernel",
	               (f->error & PF_RSVD) ? ", reserved bit set" : "",
	               (cr2 >> 47) != 0 && (cr2 >> 47) != 0x1ffff ? ", non-canonical" : "");
}

/* Resumes a faulting probe at its fixup. True if rip was a probe. */
static bool try_fixup(struct trap_frame *f)
{
	uint64_t fixup = trap_from_user(f) ? 0 : extable_fixup(f->rip);
	if (fixup == 0)
		return false;
	f->rip = fixup;
	return true;
}

static void exception(struct trap_frame *f)
{
	unsigned vec = (unsigned)f->vector;
	uint64_t cr2 = vec == VEC_PF ? read_cr2() : 0;

	trace_emit(FE_TRACE_EXCEPTION, vec, f->error, f->rip, cr2);
	if (vec != VEC_DF && vec != VEC_MC && try_fixup(f))
		return;
	if (vec != VEC_NMI && vec != VEC_MC && vec != VEC_DF && arch_trap_on_user_return(f))
		user_return_fault(f, vec);
	if (trap_from_user(f) && vec != VEC_NMI && vec != VEC_MC && vec != VEC_DF)
		user_exception(f, vec, cr2);
	fault_catch_deliver(FAULT_KIND_EXCEPTION, vec, f->error, f->rip, cr2);

	console_panic_takeover();
	console_printf("\nEXCEPTION %u (%s), error code 0x%llx, in %s mode\n", vec,
	               trap_exception_name(vec), (unsigned long long)f->error,
	               trap_from_user(f) ? "user" : "kernel");
	if (vec == VEC_PF)
		report_page_fault(f, cr2);
	if (vec == VEC_DF)
		console_write("double fault: most likely a kernel stack overflow into a guard page\n");
	panic_frame(f, "unhandled exception %u (%s) at %p", vec, trap_exception_name(vec),
	            (void *)f->rip);
}

static enum fe_wake_cause wake_cause(unsigned vec)
{
	if (vec == VEC_TIMER)
		return FE_WAKE_TIMER;
	if (vec == VEC_IPI_RESCHED || vec == VEC_IPI_TLB)
		return FE_WAKE_IPI;
	return vec >= VEC_IRQ_BASE ? FE_WAKE_DEVICE : FE_WAKE_OTHER;
}

/* Vectors that never take the big lock: the TLB shootdown (its sender
 * holds the lock and waits for us) and the ones that only panic or stop. */
static bool lock_free_vector(unsigned vec)
{
	return vec == VEC_IPI_TLB || vec == VEC_NMI || vec == VEC_DF || vec == VEC_MC;
}

void trap_entry(struct trap_frame *f)
{
	unsigned vec = (unsigned)f->vector;

	sched_note_interrupt(wake_cause(vec));
	if (vec == VEC_NMI && panic_in_progress())
		arch_halt_forever(); /* another CPU panicked and stops us */
	if (vec == VEC_IPI_TLB) {
		ipi_tlb_interrupt();
		return;
	}
	if (!lock_free_vector(vec))
		big_lock_acquire();
	if (vec < 32)
		exception(f);
	else
		irq_dispatch(vec, f);
	if (trap_from_user(f))
		return_to_user(f);
	if (!lock_free_vector(vec))
		big_lock_release();
}
