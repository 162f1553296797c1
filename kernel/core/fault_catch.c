/* SPDX-License-Identifier: MIT */
#include "fault_catch.h"

#if FE_DEBUG
#include <stdarg.h>

#include "core/cpu.h"
#include "lib/fmt.h"
#include "lib/string.h"

void fault_catch_arm(struct fault_catch *fc)
{
	struct cpu *c = this_cpu();

	memset(fc, 0, sizeof(*fc));
	fc->prev = c->fault_catch;
	c->fault_catch = fc;
}

void fault_catch_disarm(void)
{
	struct cpu *c = this_cpu();

	if (c->fault_catch)
		c->fault_catch = c->fault_catch->prev;
}

void fault_catch_vset_detail(const char *fmt, va_list ap)
{
	struct fault_catch *fc = ncpus ? this_cpu()->fault_catch : NULL;

	if (fc != NULL)
		fmt_vsnprintf(fc->detail, sizeof(fc->detail), fmt, ap);
}

void fault_catch_set_detail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fault_catch_vset_detail(fmt, ap);
	va_end(ap);
}

void fault_catch_deliver(enum fault_kind kind, unsigned vector, uint64_t error, uint64_t rip,
                         uint64_t addr)
{
	if (ncpus == 0)
		return; /* too early: no struct cpu yet */
	struct cpu *c = this_cpu();
	struct fault_catch *fc = c->fault_catch;

	if (fc == NULL)
		return;
	c->fault_catch = fc->prev;
	fc->fired = true;
	fc->kind = kind;
	fc->vector = vector;
	fc->error = error;
	fc->rip = rip;
	fc->addr = addr;
	arch_longjmp(&fc->jb, 1);
}
#endif
