/* SPDX-License-Identifier: MIT */
/*
 * kernel_main: the boot CPU's path from the loader's hand-off to a running
 * kernel. Each step depends only on the ones before it; the order is the
 * documentation (docs/architecture.md repeats it with reasons).
 */
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/hpet.h>
#include <arch/interrupts.h>
#include <arch/ioapic.h>
#include <arch/lapic.h>
#include <arch/tsc.h>
#include <arch/user.h>
#include <arch/x86.h>
#include <ferrous/trace.h>

#include "core/biglock.h"
#include "core/boot_info_check.h"
#include "core/boot_options.h"
#include "core/clock.h"
#include "core/console.h"
#include "core/cpu.h"
#include "core/initrd.h"
#include "core/ipi.h"
#include "core/kernel.h"
#include "core/ksyms.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/platform.h"
#include "core/root_task.h"
#include "core/smp.h"
#include "core/timer.h"
#include "lib/stack_protector.h"
#include "mm/frame.h"
#include "mm/kmap.h"
#include "mm/numa.h"
#include "object/kobj.h"
#include "object/pci.h"
#include "sched/sched.h"
#include "test/ktest.h"
#include "trace/trace.h"

const struct fe_boot_info *boot_info;
struct boot_times boot_times;

void kernel_exit(enum kernel_exit_code code)
{
	console_reclaim(false); /* what a UART driver has not written yet goes out first */
	if (boot_opts.qemu_exit)
		arch_qemu_exit((uint8_t)code);
	arch_halt_forever();
}

/* Validates the loader's hand-off; panics with the reason if it is corrupt. */
static void check_boot_info(const struct fe_boot_info *bi)
{
	const char *why = "";

	if (boot_info_check_header(bi, &why) != FE_OK ||
	    boot_info_check_map(bi, phys_to_virt(bi->mem_map), &why) != FE_OK ||
	    boot_info_check_cmdline(bi, phys_to_virt(bi->cmdline.phys), &why) != FE_OK)
		panic("boot_info from the loader is invalid: %s", why);
	if (bi->kernel_virt != FE_KERNEL_VIRT_BASE)
		panic("boot_info: kernel loaded at %#llx, linked at %#llx",
		      (unsigned long long)bi->kernel_virt, (unsigned long long)FE_KERNEL_VIRT_BASE);
}

static uint64_t usable_bytes(const struct fe_boot_info *bi)
{
	const struct fe_mem_range *m = phys_to_virt(bi->mem_map);
	uint64_t n = 0;

	for (uint32_t i = 0; i < bi->mem_map_count; i++)
		if (m[i].type == FE_MEM_USABLE || m[i].type == FE_MEM_BOOT_RECLAIMABLE)
			n += m[i].pages * FE_PAGE_SIZE;
	return n;
}

static void banner(const struct fe_boot_info *bi, const char *cmdline)
{
	boot_times.banner = rdtsc();
	console_printf("\nFerrous " FERROUS_VERSION " (x86_64, %s build) loaded by %.32s\n",
	               FE_DEBUG ? "debug" : "release", bi->loader_name);
	pr_info("cpu: %s [%s family %u model %u]\n", cpu_features.brand, cpu_features.vendor,
	        cpu_features.family, cpu_features.model);
	pr_info("memory: %llu MiB of RAM\n", (unsigned long long)(usable_bytes(bi) >> 20));
	pr_info("command line: %s\n", cmdline[0] ? cmdline : "(empty)");
}

static void init_clock(void)
{
	const char *source;
	const struct acpi_info *acpi = platform_acpi();

	if (acpi->hpet.present) {
		fe_status_t st = hpet_init(acpi->hpet.address);
		if (st != FE_OK)
			pr_warn("hpet: unusable (%s)\n", fe_status_name(st));
	}
	uint64_t hz = arch_tsc_calibrate(&source);
	if (hz == 0)
		panic("clock: TSC calibration against %s failed", source);
	clock_init(hz, boot_info->tsc_loader_entry);
	pr_info("clock: TSC %llu.%03llu MHz (calibrated with %s)%s\n",
	        (unsigned long long)(hz / 1000000), (unsigned long long)(hz / 1000 % 1000), source,
	        cpu_features.invariant_tsc ? ", invariant" : ", not marked invariant");
	if (hpet_present())
		pr_info("clock: HPET %llu kHz\n", (unsigned long long)(hpet_hz() / 1000));
}

static void init_interrupts(void)
{
	const struct acpi_info *acpi = platform_acpi();
	fe_status_t st;

	pic_disable();
	if ((st = lapic_init(acpi->lapic_addr)) != FE_OK)
		panic("lapic: %s", fe_status_name(st));
	this_cpu()->apic_id = lapic_id();
	this_cpu()->node = numa_node_of_apic(this_cpu()->apic_id);
	if ((st = ioapic_init(acpi)) != FE_OK)
		panic("ioapic: %s", fe_status_name(st));
	pr_info("irq: local APIC id %u (%s), %u I/O APIC inputs, 8259 PICs masked\n",
	        this_cpu()->apic_id, lapic_x2apic_mode() ? "x2APIC" : "xAPIC", ioapic_input_count());
}

static void report_boot_times(void)
{
	const struct fe_boot_info *bi = boot_info;
	uint64_t t0 = bi->tsc_loader_entry;

	pr_info("boot: loader %llu ms, kernel entry to banner %llu ms, to init done %llu ms "
	        "(guest TSC; total since loader start %llu ms)\n",
	        (unsigned long long)(clock_tsc_to_ns(bi->tsc_loader_exit - t0) / 1000000),
	        (unsigned long long)(clock_tsc_to_ns(boot_times.banner - boot_times.kernel_entry) / 1000000),
	        (unsigned long long)(clock_tsc_to_ns(boot_times.init_done - boot_times.kernel_entry) / 1000000),
	        (unsigned long long)(clock_tsc_to_ns(boot_times.init_done - t0) / 1000000));
}

/*
 * root_task_start has said why; a test boot (qemu_exit=1) must end with the
 * failure status rather than idle until its timeout.
 */
static void init_not_started(fe_status_t st)
{
	trace_emit(FE_TRACE_BOOT_PROBLEM, FE_BOOT_PROBLEM_INIT, (uint64_t)st, 0, 0);
	if (boot_opts.qemu_exit) {
		pr_err("init: not started (%s); stopping (qemu_exit=1)\n", fe_status_name(st));
		kernel_exit(KERNEL_EXIT_FAILURE);
	}
	pr_warn("init: not started (%s): nothing to run; Ctrl-A X quits QEMU\n", fe_status_name(st));
}

/* After boot: run the requested tests, or idle with no timer armed. */
NORETURN static void after_init(void)
{
	if (boot_opts.ktest_panic)
		ktest_deliberate_panic();
	if (boot_opts.ktest_fault)
		ktest_deliberate_fault();
	if (boot_opts.ktest[0]) {
		unsigned failed = ktest_run(boot_opts.ktest);
		kernel_exit(failed ? KERNEL_EXIT_FAILURE : KERNEL_EXIT_SUCCESS);
	}
	cli(); /* from here on the kernel runs with interrupts off, except when idle */
	fe_status_t st = root_task_start(boot_info, phys_to_virt(boot_info->cmdline.phys));
	if (st != FE_OK)
		init_not_started(st);
	sched_idle_loop();
}

/* The stack canary changes here, so this function must not check one. */
__attribute__((no_stack_protector)) void kernel_main(const struct fe_boot_info *bi)
{
	const char *bad_option = NULL;

	boot_times.kernel_entry = rdtsc();
	stack_protector_init(boot_times.kernel_entry ^ (uint64_t)(uintptr_t)bi);
	console_init();
	cpu_init_boot();
	check_boot_info(bi);
	boot_info = bi;
	const char *cmdline = phys_to_virt(bi->cmdline.phys);
	unsigned bad = boot_options_parse(cmdline, &bad_option);
	if (ksyms_init(bi) != FE_OK)
		pr_warn("ksyms: no symbol table: backtraces will show addresses only\n");
	cpu_features_detect();
	cpu_enable_protections();
	arch_fpu_probe();
	banner(bi, cmdline);
	if (bad)
		pr_warn("command line: %u malformed option(s), last '%s'; defaults used\n", bad, bad_option);

	/* ACPI before the frame pools (the SRAT decides their nodes), while the
	 * loader's direct map is still in use, and before boot-services memory is
	 * reclaimed (firmware may have left tables there). */
	platform_init(bi);
	numa_init(platform_acpi());
	frame_init(bi);
	kmap_init(bi);
	frame_reclaim_boot(bi);
	if (trace_init_cpu(this_cpu()) != FE_OK)
		pr_warn("trace: no memory for the event ring; tracing off\n");
	trace_set_enabled(boot_opts.trace);
	trace_emit(FE_TRACE_BOOT_PHASE, FE_BOOT_PHASE_MEMORY, 0, 0, 0);

	init_interrupts();
	trace_emit(FE_TRACE_BOOT_PHASE, FE_BOOT_PHASE_INTERRUPTS, 0, 0, 0);
	init_clock();
	timer_init();
	trace_emit(FE_TRACE_BOOT_PHASE, FE_BOOT_PHASE_TIMERS, 0, 0, 0);
	initrd_init(bi);
	objects_init();
	pci_init(platform_acpi());
	/* From here the boot CPU holds the big lock, except while idle. */
	big_lock_acquire();
	sched_init_cpu();
	ipi_init();
	arch_syscall_init();
	smp_start_aps();
	pr_info("idle: %s\n", arch_idle_probe());

	char prot[64];
	cpu_protections_string(prot, sizeof(prot));
	pr_info("cpu: protections on: %s\n", prot);
	sti();
	boot_times.init_done = rdtsc();
	trace_emit(FE_TRACE_BOOT_PHASE, FE_BOOT_PHASE_DONE, 0, 0, 0);
	report_boot_times();
	pr_info("init: done\n");
	after_init();
}
