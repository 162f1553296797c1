/* SPDX-License-Identifier: MIT */
/* The acpi suite: what the firmware's tables told the kernel (QEMU q35). */
#include <arch/hpet.h>
#include <arch/lapic.h>

#include "core/cpu.h"
#include "core/platform.h"
#include "lib/string.h"
#include "test/ktest.h"

static void madt_lists_this_cpu(struct ktest *t)
{
	const struct acpi_info *a = platform_acpi();
	bool found = false;

	KT_EXPECT(t, a->have_madt);
	KT_EXPECT_GE(t, a->ncpus, 1);
	for (uint32_t i = 0; i < a->ncpus; i++)
		found |= a->cpus[i].apic_id == lapic_id() && a->cpus[i].enabled;
	KT_EXPECT(t, found);
	KT_EXPECT_EQ(t, this_cpu()->apic_id, lapic_id());
}

static void madt_describes_interrupt_controllers(struct ktest *t)
{
	const struct acpi_info *a = platform_acpi();
	uint32_t gsi;
	uint16_t flags;

	KT_EXPECT_EQ(t, a->lapic_addr, 0xfee00000);
	KT_ASSERT(t, KT_EXPECT_GE(t, a->nioapics, 1));
	KT_EXPECT_EQ(t, a->ioapics[0].gsi_base, 0);
	/* Every PC-compatible MADT routes the PIT (ISA IRQ 0) to GSI 2. */
	acpi_isa_irq(a, 0, &gsi, &flags);
	KT_EXPECT_EQ(t, gsi, 2);
	/* An IRQ without an override keeps its number. */
	acpi_isa_irq(a, 4, &gsi, &flags);
	KT_EXPECT_EQ(t, gsi, 4);
}

static void tables_checksum_and_hpet_runs(struct ktest *t)
{
	const struct acpi_info *a = platform_acpi();

	KT_EXPECT_EQ(t, a->warnings, 0);
	for (uint32_t i = 0; i < a->ntables; i++)
		KT_EXPECT_MSG(t, a->tables[i].checksum_ok, "table %s bad checksum", a->tables[i].sig);
	KT_ASSERT(t, KT_EXPECT(t, a->hpet.present && hpet_present()));
	uint64_t c0 = hpet_counter();
	uint64_t c1 = c0;
	for (int i = 0; i < 1000000 && c1 == c0; i++)
		c1 = hpet_counter();
	KT_EXPECT_GT(t, c1, c0);
	KT_EXPECT_GT(t, hpet_hz(), 1000000);
}

KTEST_SUITE(acpi,
	KTEST_CASE(madt_lists_this_cpu),
	KTEST_CASE(madt_describes_interrupt_controllers),
	KTEST_CASE(tables_checksum_and_hpet_runs));
