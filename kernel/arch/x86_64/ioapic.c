/* SPDX-License-Identifier: MIT */
/*
 * SAFETY: each I/O APIC's two registers (IOREGSEL at +0, IOWIN at +0x10) are
 * reached through an uncached window; the index/data pair is not atomic, so
 * every access holds ioapic_lock.
 */
#include <arch/interrupts.h>
#include <arch/ioapic.h>
#include <arch/lapic.h>

#include "acpi/acpi.h"
#include "core/spinlock.h"
#include "mm/vmap.h"

#define REG_VER 0x01
#define REG_REDTBL(n) (0x10 + 2 * (n))
#define RED_MASKED (1ULL << 16)
#define RED_LEVEL (1ULL << 15)
#define RED_ACTIVE_LOW (1ULL << 13)

struct ioapic {
	volatile uint32_t *regs;
	uint32_t gsi_base;
	uint32_t inputs;
};

static struct spinlock ioapic_lock = SPINLOCK_INIT("ioapic");
static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static uint32_t nioapics;
static const struct acpi_info *acpi; /* for ISA overrides; set once */

static uint32_t rd(struct ioapic *io, uint32_t reg) REQUIRES(ioapic_lock)
{
	io->regs[0] = reg;
	return io->regs[4];
}

static void wr(struct ioapic *io, uint32_t reg, uint32_t v) REQUIRES(ioapic_lock)
{
	io->regs[0] = reg;
	io->regs[4] = v;
}

static void write_entry(struct ioapic *io, uint32_t pin, uint64_t e) REQUIRES(ioapic_lock)
{
	/* Mask first, write the destination, then the low word (unmasking last). */
	wr(io, REG_REDTBL(pin), (uint32_t)RED_MASKED);
	wr(io, REG_REDTBL(pin) + 1, (uint32_t)(e >> 32));
	wr(io, REG_REDTBL(pin), (uint32_t)e);
}

fe_status_t ioapic_init(const struct acpi_info *info)
{
	acpi = info;
	for (uint32_t i = 0; i < info->nioapics && i < ACPI_MAX_IOAPICS; i++) {
		void *va;
		fe_status_t st = vmap_mmio(info->ioapics[i].addr, 0x20, &va);
		if (st != FE_OK)
			return st;
		struct ioapic *io = &ioapics[nioapics++];
		io->regs = va;
		io->gsi_base = info->ioapics[i].gsi_base;
		irqflags_t f = spin_lock_irqsave(&ioapic_lock);
		io->inputs = ((rd(io, REG_VER) >> 16) & 0xff) + 1;
		for (uint32_t pin = 0; pin < io->inputs; pin++)
			write_entry(io, pin, RED_MASKED);
		spin_unlock_irqrestore(&ioapic_lock, f);
	}
	return nioapics ? FE_OK : FE_ERR_NOT_FOUND;
}

static struct ioapic *find(uint32_t gsi, uint32_t *pin)
{
	for (uint32_t i = 0; i < nioapics; i++) {
		struct ioapic *io = &ioapics[i];
		if (gsi >= io->gsi_base && gsi - io->gsi_base < io->inputs) {
			*pin = gsi - io->gsi_base;
			return io;
		}
	}
	return NULL;
}

fe_status_t ioapic_route(uint32_t gsi, unsigned vector, uint32_t dest, uint16_t inti_flags)
{
	uint32_t pin;
	struct ioapic *io = find(gsi, &pin);
	if (io == NULL)
		return FE_ERR_NOT_FOUND;
	if (vector < 32 || vector > 254)
		return FE_ERR_INVALID_ARG;

	uint64_t e = vector | ((uint64_t)dest << 56); /* fixed delivery, physical destination */
	if ((inti_flags & ACPI_INTI_POLARITY_MASK) == ACPI_INTI_POLARITY_LOW)
		e |= RED_ACTIVE_LOW;
	if ((inti_flags & ACPI_INTI_TRIGGER_MASK) == ACPI_INTI_TRIGGER_LEVEL)
		e |= RED_LEVEL;
	irqflags_t f = spin_lock_irqsave(&ioapic_lock);
	write_entry(io, pin, e);
	spin_unlock_irqrestore(&ioapic_lock, f);
	return FE_OK;
}

fe_status_t ioapic_mask(uint32_t gsi)
{
	uint32_t pin;
	struct ioapic *io = find(gsi, &pin);
	if (io == NULL)
		return FE_ERR_NOT_FOUND;
	irqflags_t f = spin_lock_irqsave(&ioapic_lock);
	write_entry(io, pin, RED_MASKED);
	spin_unlock_irqrestore(&ioapic_lock, f);
	return FE_OK;
}

uint32_t ioapic_input_count(void)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < nioapics; i++)
		n += ioapics[i].inputs;
	return n;
}

fe_status_t arch_isa_irq_route(uint8_t irq, unsigned vector)
{
	uint32_t gsi;
	uint16_t flags;

	acpi_isa_irq(acpi, irq, &gsi, &flags);
	return ioapic_route(gsi, vector, lapic_id(), flags);
}

fe_status_t arch_isa_irq_mask(uint8_t irq)
{
	uint32_t gsi;
	uint16_t flags;

	acpi_isa_irq(acpi, irq, &gsi, &flags);
	return ioapic_mask(gsi);
}
