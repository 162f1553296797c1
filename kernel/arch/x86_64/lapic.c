/* SPDX-License-Identifier: MIT */
/*
 * Local APIC access, in x2APIC mode (MSR 0x800 + register/16) when the CPU
 * offers it, otherwise xAPIC (uncached MMIO window).
 *
 * SAFETY: the APIC registers belong to the kernel. In xAPIC mode `mmio` is an
 * uncached mapping of the 4 KiB register page; each CPU only touches its own
 * APIC (the same address decodes to the local unit).
 */
#include <arch/cpu.h>
#include <arch/interrupts.h>
#include <arch/lapic.h>
#include <arch/trap.h>
#include <arch/x86.h>

#include "mm/vmap.h"

#define REG_ID 0x020
#define REG_TPR 0x080
#define REG_EOI 0x0b0
#define REG_SVR 0x0f0
#define REG_ESR 0x280
#define REG_ICR_LO 0x300
#define REG_ICR_HI 0x310
#define REG_LVT_TIMER 0x320
#define REG_LVT_LINT0 0x350
#define REG_LVT_LINT1 0x360
#define REG_LVT_ERROR 0x370
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR 0x390
#define REG_TIMER_DIV 0x3e0

#define SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define LVT_TIMER_ONESHOT (0u << 17)
#define LVT_TIMER_TSC_DEADLINE (2u << 17)
#define ICR_FIXED (0u << 8)
#define ICR_NMI (4u << 8)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_PENDING (1u << 12)
#define ICR_ASSERT (1u << 14)
#define APIC_BASE_ENABLE (1ULL << 11)
#define APIC_BASE_X2APIC (1ULL << 10)

/* Set once by the boot CPU before others start. */
static volatile uint32_t *mmio;
static bool x2apic;

static uint32_t rd(unsigned reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return mmio[reg / 4];
}

static void wr(unsigned reg, uint32_t v)
{
	if (x2apic)
		wrmsr(0x800 + (reg >> 4), v);
	else
		mmio[reg / 4] = v;
}

fe_status_t lapic_init(uint64_t phys)
{
	if (cpu_features.x2apic) {
		x2apic = true;
	} else {
		void *va;
		fe_status_t st = vmap_mmio(phys, 4096, &va);
		if (st != FE_OK)
			return st;
		mmio = va;
	}
	lapic_init_cpu();
	return FE_OK;
}

void lapic_init_cpu(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;
	if (x2apic)
		base |= APIC_BASE_X2APIC;
	wrmsr(MSR_APIC_BASE, base);

	wr(REG_TPR, 0);
	wr(REG_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	wr(REG_LVT_LINT0, LVT_MASKED);
	wr(REG_LVT_LINT1, LVT_MASKED);
	wr(REG_LVT_ERROR, VEC_APIC_ERROR);
	wr(REG_ESR, 0);
	wr(REG_TIMER_DIV, 0x3); /* divide by 16 */
	wr(REG_SVR, SVR_ENABLE | VEC_SPURIOUS);
	lapic_eoi();
}

bool lapic_x2apic_mode(void)
{
	return x2apic;
}

uint32_t lapic_id(void)
{
	uint32_t id = rd(REG_ID);
	return x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	wr(REG_EOI, 0);
}

void arch_irq_eoi(unsigned vector)
{
	(void)vector; /* every vector routed through the APIC takes the same EOI */
	lapic_eoi();
}

void lapic_timer_tsc_deadline(uint64_t deadline)
{
	wr(REG_LVT_TIMER, LVT_TIMER_TSC_DEADLINE | VEC_TIMER);
	/* SDM 10.5.4.2: order the LVT write before the deadline write. */
	__asm__ volatile("mfence" : : : "memory");
	wrmsr(MSR_TSC_DEADLINE, deadline ? deadline : 1);
}

void lapic_timer_oneshot(uint32_t ticks)
{
	wr(REG_LVT_TIMER, LVT_TIMER_ONESHOT | VEC_TIMER);
	wr(REG_TIMER_INIT, ticks ? ticks : 1);
}

void lapic_timer_stop(void)
{
	if (cpu_features.tsc_deadline)
		wrmsr(MSR_TSC_DEADLINE, 0);
	wr(REG_TIMER_INIT, 0);
	wr(REG_LVT_TIMER, LVT_MASKED | VEC_TIMER);
}

uint32_t lapic_timer_current(void)
{
	return rd(REG_TIMER_CUR);
}

/* SAFETY: writing the ICR sends an interrupt message to another CPU's local
 * APIC; the callers choose vectors the IDT handles (or INIT/STARTUP during
 * AP start-up). In xAPIC mode the high half must be written first and the
 * previous message must have left (delivery status clear). */
static void send_icr(uint32_t apic_id, uint32_t lo)
{
	if (x2apic) {
		__asm__ volatile("mfence" : : : "memory"); /* x2APIC ICR writes are not serializing */
		wrmsr(0x830, ((uint64_t)apic_id << 32) | lo);
		return;
	}
	while (rd(REG_ICR_LO) & ICR_PENDING)
		cpu_relax();
	wr(REG_ICR_HI, apic_id << 24);
	wr(REG_ICR_LO, lo);
}

void lapic_send_ipi(uint32_t apic_id, unsigned vector)
{
	send_icr(apic_id, ICR_FIXED | ICR_ASSERT | (vector & 0xff));
}

void lapic_send_nmi(uint32_t apic_id)
{
	send_icr(apic_id, ICR_NMI | ICR_ASSERT);
}

void lapic_send_init(uint32_t apic_id)
{
	send_icr(apic_id, ICR_INIT | ICR_ASSERT);
}

void lapic_send_startup(uint32_t apic_id, uint32_t page)
{
	send_icr(apic_id, ICR_STARTUP | ICR_ASSERT | (page & 0xff));
}
