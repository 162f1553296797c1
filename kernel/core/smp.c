/* SPDX-License-Identifier: MIT */
#include "smp.h"

#include <stdatomic.h>

#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/gdt.h>
#include <arch/lapic.h>
#include <arch/smp.h>
#include <arch/user.h>
#include <arch/x86.h>

#include "acpi/acpi.h"
#include "core/biglock.h"
#include "core/clock.h"
#include "core/cpu.h"
#include "core/kernel.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/platform.h"
#include "mm/numa.h"
#include "mm/vmap.h"
#include "sched/sched.h"
#include "trace/trace.h"

#define AP_START_TIMEOUT_NS 1000000000ULL /* 1 s: TCG under load is slow */

/* Stacks an AP needs: boot/idle stack and three IST stacks, with guards. */
struct ap_stacks {
	struct kstack boot, ist[3];
};

static fe_status_t alloc_stacks(struct ap_stacks *s)
{
	fe_status_t st = kstack_alloc(&s->boot);

	for (unsigned i = 0; st == FE_OK && i < 3; i++)
		st = kstack_alloc(&s->ist[i]);
	return st;
}

_Noreturn void ap_main(struct cpu *c);

/* The AP's first C code, on its boot stack, with the kernel's page tables. */
_Noreturn void ap_main(struct cpu *c)
{
	arch_ap_adopt_boot_cpu_controls();
	c->self = c;
	gdt_init_cpu(c, c->arch.ist_tops);
	idt_load();
	cpu_enable_protections();
	arch_fpu_init_cpu();
	lapic_init_cpu();
	c->apic_id = lapic_id();
	c->node = numa_node_of_apic(c->apic_id);
	arch_syscall_init();
	if (trace_init_cpu(c) != FE_OK)
		pr_warn("smp: cpu %u: no memory for a trace ring\n", c->index);
	atomic_store_explicit(&c->online, true, memory_order_release);
	big_lock_acquire();
	sched_init_cpu();
	sched_idle_loop();
}

static bool wait_online(struct cpu *c)
{
	uint64_t until = rdtsc() + clock_ns_to_tsc(AP_START_TIMEOUT_NS);

	while (!atomic_load_explicit(&c->online, memory_order_acquire)) {
		if (rdtsc() > until)
			return false;
		cpu_relax();
	}
	return true;
}

/* Starts the AP with the given APIC id as cpus[ncpus]. */
static bool start_one(uint32_t apic_id)
{
	struct cpu *c = &cpus[ncpus];
	struct ap_stacks s;

	if (alloc_stacks(&s) != FE_OK) {
		pr_warn("smp: no memory for the stacks of APIC %u\n", apic_id);
		return false;
	}
	c->index = ncpus;
	c->capacity = boot_opts.cpu_capacity[ncpus];
	for (unsigned i = 0; i < 3; i++)
		c->arch.ist_tops[i] = s.ist[i].top;
	arch_start_ap(apic_id, s.boot.top, c);
	if (!wait_online(c)) {
		pr_warn("smp: APIC %u did not come online\n", apic_id);
		return false; /* its stacks stay allocated: it may still wake */
	}
	ncpus++;
	return true;
}

/*
 * Firmware may list more enabled CPUs than cpus[] has room for: say so,
 * rather than let a 64-CPU machine quietly boot with MAX_CPUS of them.
 */
static void report_cpus_over_limit(const struct acpi_info *acpi)
{
	uint32_t found = 0;

	for (uint32_t i = 0; i < acpi->ncpus; i++)
		found += acpi->cpus[i].enabled;
	if (found <= MAX_CPUS)
		return;
	pr_warn("smp: firmware reports %u CPUs; Ferrous supports %u (MAX_CPUS): the other %u stay off\n",
	        found, (uint32_t)MAX_CPUS, found - (uint32_t)MAX_CPUS);
	trace_emit(FE_TRACE_BOOT_PROBLEM, FE_BOOT_PROBLEM_CPUS, found, (uint64_t)MAX_CPUS, 0);
}

uint32_t smp_start_aps(void)
{
	const struct acpi_info *acpi = platform_acpi();
	uint32_t started = 0, self = this_cpu()->apic_id;

	cpus[0].capacity = boot_opts.cpu_capacity[0];
	if (!acpi->have_madt)
		return 0;
	report_cpus_over_limit(acpi);
	if (boot_opts.max_cpus == 1)
		return 0;
	fe_status_t st = arch_smp_prepare();
	if (st != FE_OK) {
		pr_warn("smp: cannot place the start-up trampoline (%s); one CPU\n", fe_status_name(st));
		return 0;
	}
	for (uint32_t i = 0; i < acpi->ncpus && ncpus < MAX_CPUS; i++) {
		const struct acpi_cpu *a = &acpi->cpus[i];
		if (!a->enabled || a->apic_id == self)
			continue;
		if (boot_opts.max_cpus && ncpus >= boot_opts.max_cpus)
			break;
		if (!start_one(a->apic_id))
			break; /* a late AP could still write cpus[ncpus]: stop here */
		started++;
	}
	pr_info("smp: %u CPUs online\n", ncpus);
	return started;
}
