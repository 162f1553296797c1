/* SPDX-License-Identifier: MIT */
#include "panic.h"

#include <stdarg.h>
#include <stdatomic.h>

#include <arch/cpu.h>
#include <arch/irqflags.h>
#include <arch/trap.h>
#include <ferrous/trace.h>

#include "core/backtrace.h"
#include "core/console.h"
#include "core/cpu.h"
#include "core/fault_catch.h"
#include "core/ipi.h"
#include "core/kernel.h"
#include "trace/trace.h"

/* Set by the first CPU to panic; the others stop where they are. */
static _Atomic int panicking;

int panic_in_progress(void)
{
	return atomic_load_explicit(&panicking, memory_order_relaxed);
}

NORETURN static void panic_common(const struct trap_frame *f, const char *fmt, va_list ap)
{
	struct trap_frame here;
	bool captured = (f == NULL);
	va_list dap;

	/* A test that expects this panic gets control back instead. */
	va_copy(dap, ap);
	fault_catch_vset_detail(fmt, dap);
	va_end(dap);
	fault_catch_deliver(FAULT_KIND_PANIC, 0, 0, f ? f->rip : 0, 0);

	arch_irq_save();
	if (atomic_exchange(&panicking, 1)) {
		/* Another CPU, or this one recursively, is already reporting. */
		arch_halt_forever();
	}
	console_panic_takeover();
	ipi_stop_others();
	console_vprintf("\nPANIC: ", fmt, ap);
	console_write("\n");
	if (f == NULL) {
		arch_capture_frame(&here);
		f = &here;
	}
	trace_emit(FE_TRACE_PANIC, f->rip, 0, 0, 0);
	arch_dump_frame(f, !captured);
	backtrace_print(f->rip, f->rbp);
	console_write("PANIC: system halted\n");
	kernel_exit(KERNEL_EXIT_FAILURE);
}

/* panic_common never returns, so the va_lists below are never ended. */
void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_common(NULL, fmt, ap);
} // cppcheck-suppress va_end_missing

void panic_frame(const struct trap_frame *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_common(f, fmt, ap);
} // cppcheck-suppress va_end_missing
