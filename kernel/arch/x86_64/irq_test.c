/* SPDX-License-Identifier: MIT */
/*
 * The irq suite: device interrupts routed through the I/O APIC arrive on the
 * vector they were given (the PIT's ISA IRQ 0 also exercises the MADT
 * override to GSI 2); unhandled and spurious vectors are counted, not fatal.
 */
#include <arch/interrupts.h>
#include <arch/pit.h>
#include <arch/serial.h>
#include <arch/trap.h>
#include <arch/x86.h>

#include "acpi/acpi.h"
#include "core/clock.h"
#include "core/cpu.h"
#include "core/irq.h"
#include "core/platform.h"
#include "test/ktest.h"

#define WAIT_LIMIT_NS 5000000000ULL

static void count_irq(unsigned vector, struct trap_frame *f, void *ctx)
{
	(void)f;
	*(volatile unsigned *)ctx = vector;
}

static void wait_for(volatile unsigned *got)
{
	uint64_t limit = rdtsc() + clock_ns_to_tsc(WAIT_LIMIT_NS);

	while (*got == 0 && rdtsc() < limit)
		cpu_relax();
}

static void pit_irq_arrives_through_ioapic(struct ktest *t)
{
	volatile unsigned got = 0;
	unsigned vec = 0;
	uint32_t gsi;
	uint16_t flags;

	acpi_isa_irq(platform_acpi(), PIT_ISA_IRQ, &gsi, &flags);
	ktest_note(t, "ISA IRQ 0 is GSI %u", gsi);
	KT_ASSERT(t, KT_EXPECT_OK(t, irq_alloc_vector(&vec)));
	KT_ASSERT(t, KT_EXPECT_OK(t, irq_register(vec, count_irq, (void *)&got)));
	KT_EXPECT_OK(t, arch_isa_irq_route(PIT_ISA_IRQ, vec));
	pit_oneshot(1193); /* about 1 ms */
	wait_for(&got);
	KT_EXPECT_OK(t, arch_isa_irq_mask(PIT_ISA_IRQ));
	irq_unregister(vec);
	KT_EXPECT_EQ(t, got, vec);
}

/* The UART raises IRQ 4 as soon as its transmitter-empty interrupt is on. */
static void serial_irq_arrives_through_ioapic(struct ktest *t)
{
	volatile unsigned got = 0;
	unsigned vec = 0;

	KT_ASSERT(t, KT_EXPECT_OK(t, irq_alloc_vector(&vec)));
	KT_ASSERT(t, KT_EXPECT_OK(t, irq_register(vec, count_irq, (void *)&got)));
	KT_EXPECT_OK(t, arch_isa_irq_route(SERIAL_ISA_IRQ, vec));
	arch_serial_enable_irq(SERIAL_IER_THRE);
	wait_for(&got);
	arch_serial_enable_irq(0);
	KT_EXPECT_OK(t, arch_isa_irq_mask(SERIAL_ISA_IRQ));
	irq_unregister(vec);
	KT_EXPECT_EQ(t, got, vec);
}

static void dummy(unsigned vector, struct trap_frame *f, void *ctx)
{
	(void)vector, (void)f, (void)ctx;
}

static void irq_register_checks_arguments(struct ktest *t)
{
	unsigned vec = 0;

	KT_EXPECT_STATUS(t, irq_register(VEC_PF, dummy, NULL), FE_ERR_INVALID_ARG);
	KT_EXPECT_STATUS(t, irq_register(VEC_SPURIOUS, dummy, NULL), FE_ERR_INVALID_ARG);
	KT_EXPECT_STATUS(t, irq_register(VEC_PIC_BASE + 1, dummy, NULL), FE_ERR_INVALID_ARG);
	KT_EXPECT_STATUS(t, irq_register(VEC_TIMER, dummy, NULL), FE_ERR_BUSY);
	KT_ASSERT(t, KT_EXPECT_OK(t, irq_alloc_vector(&vec)));
	KT_EXPECT_STATUS(t, irq_register(vec, NULL, NULL), FE_ERR_INVALID_ARG);
	KT_EXPECT_OK(t, irq_register(vec, dummy, NULL));
	KT_EXPECT_STATUS(t, irq_register(vec, dummy, NULL), FE_ERR_BUSY);
	irq_unregister(vec);
	KT_EXPECT_OK(t, irq_register(vec, dummy, NULL));
	irq_unregister(vec);
}

/* SAFETY: software interrupts on vectors with no handler, to test counting. */
static void raise_vector_0x70(void) { __asm__ volatile("int $0x70"); }
static void raise_vector_0xff(void) { __asm__ volatile("int $0xff"); }
static void raise_vector_0xe7(void) { __asm__ volatile("int $0xe7"); }

static void unhandled_and_spurious_are_counted(struct ktest *t)
{
	uint64_t unhandled = irq_total_unhandled(), spurious = irq_total_spurious();

	raise_vector_0x70();
	KT_EXPECT_EQ(t, irq_total_unhandled(), unhandled + 1);
	raise_vector_0xff();
	raise_vector_0xe7(); /* a leftover from the masked 8259 */
	KT_EXPECT_EQ(t, irq_total_spurious(), spurious + 2);
	KT_EXPECT_EQ(t, irq_total_unhandled(), unhandled + 1);
}

KTEST_SUITE(irq,
	KTEST_CASE(pit_irq_arrives_through_ioapic),
	KTEST_CASE(serial_irq_arrives_through_ioapic),
	KTEST_CASE(irq_register_checks_arguments),
	KTEST_CASE(unhandled_and_spurious_are_counted));
