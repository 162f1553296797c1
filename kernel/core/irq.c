/* SPDX-License-Identifier: MIT */
#include "irq.h"

#include <stdbool.h>

#include <arch/interrupts.h>
#include <arch/trap.h>
#include <ferrous/trace.h>

#include "core/cpu.h"
#include "core/log.h"
#include "core/spinlock.h"
#include "trace/trace.h"

struct irq_slot {
	irq_handler_fn fn;
	void *ctx;
};

/* Registration is rare and takes the lock; dispatch reads a slot without it
 * (a handler is installed before its source is unmasked, and removed after). */
static struct spinlock irq_lock = SPINLOCK_INIT("irq");
static struct irq_slot slots[256] GUARDED_BY(irq_lock);

static bool vector_assignable(unsigned v)
{
	return v >= VEC_IRQ_BASE && v < VEC_SPURIOUS && !arch_vector_is_legacy_pic(v);
}

fe_status_t irq_register(unsigned vector, irq_handler_fn fn, void *ctx)
{
	fe_status_t st = FE_OK;

	if (!vector_assignable(vector) || fn == NULL)
		return FE_ERR_INVALID_ARG;
	irqflags_t f = spin_lock_irqsave(&irq_lock);
	if (slots[vector].fn)
		st = FE_ERR_BUSY;
	else
		slots[vector] = (struct irq_slot){ fn, ctx };
	spin_unlock_irqrestore(&irq_lock, f);
	return st;
}

void irq_unregister(unsigned vector)
{
	if (!vector_assignable(vector))
		return;
	irqflags_t f = spin_lock_irqsave(&irq_lock);
	slots[vector] = (struct irq_slot){ 0 };
	spin_unlock_irqrestore(&irq_lock, f);
}

fe_status_t irq_alloc_vector(unsigned *vector)
{
	fe_status_t st = FE_ERR_NO_RESOURCES;
	irqflags_t f = spin_lock_irqsave(&irq_lock);

	for (unsigned v = VEC_IRQ_DYNAMIC; v < VEC_TIMER; v++) {
		if (!arch_vector_is_legacy_pic(v) && slots[v].fn == NULL) {
			*vector = v;
			st = FE_OK;
			break;
		}
	}
	spin_unlock_irqrestore(&irq_lock, f);
	return st;
}

/* Counts an interrupt nobody wanted, traces it, and logs it rate-limited
 * (the first few, then every 1024th). */
static void count_stray(uint64_t *counter, uint16_t event, const char *what, unsigned vector)
{
	uint64_t n = ++*counter;

	trace_emit(event, vector, n, 0, 0);
	if (n <= 4 || (n & 1023) == 0)
		pr_warn("irq: %s vector %u (%llu so far on this cpu)\n", what, vector,
		        (unsigned long long)n);
}

void irq_dispatch(unsigned vector, struct trap_frame *f) NO_THREAD_SAFETY_ANALYSIS
{
	struct cpu *c = this_cpu();

	c->irq_count[vector]++;
	if (vector == VEC_SPURIOUS || arch_vector_is_legacy_pic(vector)) {
		/* Spurious APIC and 8259 interrupts take no EOI. */
		count_stray(&c->spurious_irqs, FE_TRACE_IRQ_SPURIOUS, "spurious interrupt on", vector);
		return;
	}
	c->irq_depth++;
	trace_emit(FE_TRACE_IRQ_ENTER, vector, f->rip, 0, 0);
	struct irq_slot s = slots[vector];
	if (s.fn)
		s.fn(vector, f, s.ctx);
	else
		count_stray(&c->unhandled_irqs, FE_TRACE_IRQ_UNHANDLED, "unhandled", vector);
	arch_irq_eoi(vector);
	trace_emit(FE_TRACE_IRQ_EXIT, vector, 0, 0, 0);
	c->irq_depth--;
}

uint64_t irq_total_spurious(void)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < ncpus; i++)
		n += cpus[i].spurious_irqs;
	return n;
}

uint64_t irq_total_unhandled(void)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < ncpus; i++)
		n += cpus[i].unhandled_irqs;
	return n;
}
