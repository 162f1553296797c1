/* SPDX-License-Identifier: MIT */
/* The kernel's trace rings and counters, through the trace capability. */
#include <fe/sys.h>

#include "console.h"

#define TRACE_DEFAULT 20
#define TRACE_MAX 128
#define FRAMES_PER_MIB 256 /* 4 KiB frames */

static const char *const event_names[] = {
	[FE_TRACE_NONE] = "none",
	[FE_TRACE_FRAME_ALLOC] = "frame_alloc",
	[FE_TRACE_FRAME_FREE] = "frame_free",
	[FE_TRACE_IRQ_ENTER] = "irq_enter",
	[FE_TRACE_IRQ_EXIT] = "irq_exit",
	[FE_TRACE_EXCEPTION] = "exception",
	[FE_TRACE_IRQ_SPURIOUS] = "irq_spurious",
	[FE_TRACE_IRQ_UNHANDLED] = "irq_unhandled",
	[FE_TRACE_TIMER_ARM] = "timer_arm",
	[FE_TRACE_TIMER_FIRE] = "timer_fire",
	[FE_TRACE_SLAB_GROW] = "slab_grow",
	[FE_TRACE_PANIC] = "panic",
	[FE_TRACE_BOOT_PHASE] = "boot_phase",
	[FE_TRACE_BOOT_PROBLEM] = "boot_problem",
	[FE_TRACE_SYSCALL_ENTER] = "syscall_enter",
	[FE_TRACE_SYSCALL_EXIT] = "syscall_exit",
	[FE_TRACE_SYSCALL] = "syscall",
	[FE_TRACE_SCHED_SWITCH] = "sched_switch",
	[FE_TRACE_SCHED_WAKE] = "sched_wake",
	[FE_TRACE_CAP_CREATE] = "cap_create",
	[FE_TRACE_CAP_TRANSFER] = "cap_transfer",
	[FE_TRACE_CAP_REVOKE] = "cap_revoke",
	[FE_TRACE_CAP_REVOKE_DEP] = "cap_revoke_dep",
	[FE_TRACE_IPC_SEND] = "ipc_send",
	[FE_TRACE_IPC_RECV] = "ipc_recv",
	[FE_TRACE_FAULT] = "fault",
	[FE_TRACE_SERVICE_RESTART] = "service_restart",
	[FE_TRACE_SCHED_PLACE] = "sched_place",
	[FE_TRACE_SCHED_MIGRATE] = "sched_migrate",
	[FE_TRACE_CPU_IDLE] = "cpu_idle",
	[FE_TRACE_VMO_SEAL] = "vmo_seal",
	[FE_TRACE_TLB_SHOOTDOWN] = "tlb_shootdown",
	[FE_TRACE_PROCESS_WATCH] = "process_watch",
	[FE_TRACE_PCI] = "pci",
	[FE_TRACE_CONSOLE] = "console",
	[FE_TRACE_IOMMU_FAULT] = "iommu_fault",
	[FE_TRACE_GROUP] = "group",
};

/* For the syscall record (arg[0]: FE_TRACE_SYSCALL_NR) and the old syscall_enter/exit. */
static const char *const syscall_names[FE_SYS_COUNT] = {
	"null", "console_write", "handle_dup", "handle_delete", "handle_revoke", "handle_info",
	"handle_grant", "process_create", "process_info", "process_wait", "process_kill",
	"process_exit", "thread_create", "thread_exit", "thread_yield", "thread_set_ipc_buffer",
	"vmo_create", "vmo_read", "vmo_write", "vm_map", "vm_unmap", "endpoint_create", "call",
	"recv", "reply", "reply_recv", "notif_create", "notif_signal", "notif_wait", "irq_bind",
	"irq_ack", "ioport_in", "ioport_out", "trace_read", "kernel_stats", "thread_sleep",
	"thread_set_affinity", "cpu_current", "cpu_stats", "node_stats", "process_watch",
	"pci_config_read", "pci_config_write", "pci_device_create", "pci_bar", "pci_irq_bind",
	"pci_dma_map", "pci_dma_unmap", "pci_release", "console_attach", "console_take",
	"console_detach", "ioport_write", "group_create", "group_info", "group_kill",
	"group_freeze",
};
_Static_assert(FE_SYS_GROUP_FREEZE == 56 && FE_SYS_COUNT == 57, "syscall_names follows syscall.h");

static const char *event_name(uint16_t type)
{
	const char *n = type < ARRAY_SIZE(event_names) ? event_names[type] : NULL;

	return n ? n : "unknown";
}

static fe_status_t trace_stats(struct fe_kernel_stats *ks)
{
	fe_handle_t t = fe_start_handle(FE_START_TRACE);

	return t == FE_HANDLE_INVALID ? FE_ERR_NOT_FOUND : fe_kernel_stats(t, ks);
}

/* TSC ticks to microseconds, without overflowing for any tick count. */
static uint64_t tsc_to_us(uint64_t tsc, uint64_t hz)
{
	return tsc / hz * 1000000 + tsc % hz * 1000000 / hz;
}

/* The rings are per CPU; put the records in time order (few: insertion). */
static void sort_by_time(struct fe_trace_record *r, uint64_t n)
{
	for (uint64_t i = 1; i < n; i++) {
		struct fe_trace_record x = r[i];
		uint64_t j = i;
		for (; j > 0 && r[j - 1].tsc > x.tsc; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

/* A syscall record as a slice: "call NAME(a0, a1) -> status, T ticks". */
static void print_syscall(const struct fe_trace_record *r)
{
	uint32_t nr = FE_TRACE_SYSCALL_NR(r->arg[0]);

	printf("%-15s %s(%#llx, %#llx) -> %s, began %llu ticks before", "syscall",
	       nr < FE_SYS_COUNT ? syscall_names[nr] : "?", (unsigned long long)r->arg[1],
	       (unsigned long long)r->arg[2], fe_status_name(FE_TRACE_SYSCALL_STATUS(r->arg[0])),
	       (unsigned long long)r->arg[3]);
}

static void print_record(const struct fe_trace_record *r, uint64_t hz)
{
	bool is_syscall = r->type == FE_TRACE_SYSCALL_ENTER || r->type == FE_TRACE_SYSCALL_EXIT;

	if (hz)
		printf("%12llu us", (unsigned long long)tsc_to_us(r->tsc, hz));
	else
		printf("%12llu tsc", (unsigned long long)r->tsc);
	printf("  cpu %u  thread %-4u ", r->cpu, r->thread);
	if (r->type == FE_TRACE_SYSCALL) {
		print_syscall(r);
		printf("\n");
		return;
	}
	printf("%-15s %#llx %#llx %#llx %#llx", event_name(r->type), (unsigned long long)r->arg[0],
	       (unsigned long long)r->arg[1], (unsigned long long)r->arg[2],
	       (unsigned long long)r->arg[3]);
	if (is_syscall && r->arg[0] < FE_SYS_COUNT)
		printf("  (%s)", syscall_names[r->arg[0]]);
	printf("\n");
}

void cmd_trace(int argc, char **argv)
{
	static struct fe_trace_record recs[TRACE_MAX];
	struct fe_kernel_stats ks;
	uint64_t want = TRACE_DEFAULT, n = 0;
	fe_status_t st;

	if (argc > 1 && (fe_parse_u64(argv[1], &want) != FE_OK || want == 0 || want > TRACE_MAX)) {
		printf("trace: N must be a number from 1 to %d\n", TRACE_MAX);
		return;
	}
	if ((st = trace_stats(&ks)) != FE_OK ||
	    (st = fe_trace_read(fe_start_handle(FE_START_TRACE), recs, want, &n)) != FE_OK) {
		printf("trace: %s\n", st == FE_ERR_NOT_FOUND ? "no trace capability" : fe_status_name(st));
		return;
	}
	sort_by_time(recs, n);
	for (uint64_t i = n > want ? n - want : 0; i < n; i++)
		print_record(&recs[i], ks.tsc_hz);
}

/* One line per CPU: the energy counters (idle share, wake-ups by cause). */
static void print_cpu_stats(uint32_t ncpus)
{
	fe_handle_t t = fe_start_handle(FE_START_TRACE);

	printf("cpu node cap  idle%%  idles  wake:timer   ipi device  timer-irqs switches migr-in\n");
	for (uint32_t i = 0; i < ncpus; i++) {
		struct fe_cpu_stats c;
		if (fe_cpu_stats(t, i, &c) != FE_OK)
			continue;
		unsigned long long pct = c.now_ns ? c.idle_ns * 100 / c.now_ns : 0;
		printf("%3u %4u %4u %5llu %6llu %10llu %5llu %6llu %11llu %8llu %7llu%s\n", c.cpu,
		       c.node, c.capacity, pct, (unsigned long long)c.idle_entries,
		       (unsigned long long)c.wakeups[FE_WAKE_TIMER],
		       (unsigned long long)c.wakeups[FE_WAKE_IPI],
		       (unsigned long long)c.wakeups[FE_WAKE_DEVICE], (unsigned long long)c.timer_irqs,
		       (unsigned long long)c.context_switches, (unsigned long long)c.migrations_in,
		       c.idle_method == FE_IDLE_MWAIT ? " mwait" : "");
	}
}

/* One line per CPU: the big kernel lock's acquisitions, how many waited for
 * another CPU, and the time spent spinning (ADR 0006). */
static void print_lock_stats(uint32_t ncpus, uint64_t tsc_hz)
{
	fe_handle_t t = fe_start_handle(FE_START_TRACE);

	printf("cpu  lock:acquires     waited waited%%   spin-us\n");
	for (uint32_t i = 0; i < ncpus; i++) {
		struct fe_cpu_stats c;
		if (fe_cpu_stats(t, i, &c) != FE_OK)
			continue;
		unsigned long long pct = c.lock_acquires ? c.lock_contended * 100 / c.lock_acquires : 0;
		uint64_t cy = c.lock_spin_cycles; /* split: cycles * 10^6 would overflow after hours */
		unsigned long long us = tsc_hz ? cy / tsc_hz * 1000000u + cy % tsc_hz * 1000000u / tsc_hz : 0;
		printf("%3u %14llu %10llu %7llu %9llu\n", c.cpu, (unsigned long long)c.lock_acquires,
		       (unsigned long long)c.lock_contended, pct, us);
	}
}

/* One line per NUMA node (only when there is more than one): its pool and allocations. */
static void print_node_stats(uint32_t nnodes)
{
	fe_handle_t t = fe_start_handle(FE_START_TRACE);

	if (nnodes < 2)
		return;
	printf("node  total MiB  free MiB  local allocs  remote allocs  cpus\n");
	for (uint32_t i = 0; i < nnodes; i++) {
		struct fe_node_stats n;
		if (fe_node_stats(t, i, &n) != FE_OK)
			continue;
		printf("%4u %10llu %9llu %13llu %14llu  %#llx\n", n.node,
		       (unsigned long long)(n.total_frames / FRAMES_PER_MIB),
		       (unsigned long long)(n.free_frames / FRAMES_PER_MIB),
		       (unsigned long long)n.local_allocs, (unsigned long long)n.remote_allocs,
		       (unsigned long long)n.cpu_mask);
	}
}

void cmd_stats(int argc, char **argv)
{
	struct fe_kernel_stats ks;
	fe_status_t st = trace_stats(&ks);

	(void)argc, (void)argv;
	if (st != FE_OK) {
		printf("stats: %s\n", st == FE_ERR_NOT_FOUND ? "no trace capability" : fe_status_name(st));
		return;
	}
	printf("memory:    %llu of %llu KiB free\n", (unsigned long long)(ks.frames_free * 4),
	       (unsigned long long)(ks.frames_total * 4));
	printf("processes: %llu, threads %llu (alive)\n", (unsigned long long)ks.processes,
	       (unsigned long long)ks.threads);
	printf("context switches %llu, system calls %llu\n", (unsigned long long)ks.context_switches,
	       (unsigned long long)ks.syscalls);
	printf("trace records lost: %llu\n", (unsigned long long)ks.trace_dropped);
	printf("tsc: %llu.%03llu MHz\n", (unsigned long long)(ks.tsc_hz / 1000000),
	       (unsigned long long)(ks.tsc_hz / 1000 % 1000));
	printf("numa: %llu node(s), %llu remote frame allocations\n",
	       (unsigned long long)ks.numa_nodes, (unsigned long long)ks.frames_remote);
	if (ks.iommu_units)
		printf("dma: confined per device by %llu IOMMU unit(s), %llu fault(s)\n",
		       (unsigned long long)ks.iommu_units, (unsigned long long)ks.dma_faults);
	else
		printf("dma: unconfined (no IOMMU): a driver's device can reach any memory\n");
	print_node_stats((uint32_t)ks.numa_nodes);
	print_cpu_stats((uint32_t)ks.cpus);
	print_lock_stats((uint32_t)ks.cpus, ks.tsc_hz);
}
