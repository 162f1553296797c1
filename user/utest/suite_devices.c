/* SPDX-License-Identifier: MIT */
/* Device capabilities: I/O ports, MMIO, interrupts, console, trace. */
#include "ut.h"

#define COM1_SCRATCH 0x3ff

static fe_handle_t slot(unsigned i)
{
	return fe_start_info->handles[i];
}

static void ioport_access(struct ut *t)
{
	fe_handle_t io = slot(FE_START_IOPORT_COM1), ro;
	uint32_t v = 0;

	UT_OK(t, fe_ioport_out(io, COM1_SCRATCH, 1, 0x5a));
	UT_OK(t, fe_ioport_in(io, COM1_SCRATCH, 1, &v));
	UT_EXPECT_ST(t, v, 0x5a);
	UT_EXPECT_ST(t, fe_ioport_in(io, 0x400, 1, &v), FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_ST(t, fe_ioport_in(io, COM1_SCRATCH, 2, &v), FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_ST(t, fe_ioport_in(io, 0x3f8, 3, &v), FE_ERR_INVALID_ARG);
	UT_EXPECT_ST(t, fe_ioport_in(io, 0x3f8, 1, NULL), FE_ERR_FAULT);
	UT_OK(t, fe_handle_dup(io, FE_RIGHT_READ, 0, &ro));
	UT_EXPECT_ST(t, fe_ioport_out(ro, COM1_SCRATCH, 1, 1), FE_ERR_ACCESS_DENIED);
	fe_handle_delete(ro);
}

static void mmio_map_hpet(struct ut *t)
{
	fe_handle_t m = slot(FE_START_MMIO_HPET);
	uint64_t va = 0x70000000;

	if (m == FE_HANDLE_INVALID) {
		printf("    # no HPET capability: skipped\n");
		return;
	}
	UT_OK(t, fe_vm_map(fe_self, m, 0, va, 4096, FE_VM_READ));
	uint64_t caps = *(volatile uint64_t *)va;
	UT_EXPECT(t, ((caps >> 16) & 0xffff) != 0); /* vendor id */
	UT_EXPECT_ST(t, fe_vm_map(fe_self, m, 0, va + 8192, 4096, FE_VM_READ | FE_VM_EXEC),
	             FE_ERR_ACCESS_DENIED);
	UT_OK(t, fe_vm_unmap(fe_self, va, 4096));
}

static void irq_binding(struct ut *t)
{
	fe_handle_t irq = slot(FE_START_IRQ_COM1), n, wrong;

	UT_OK(t, fe_notif_create(&n));
	UT_EXPECT_ST(t, fe_irq_bind(irq, n, 64), FE_ERR_INVALID_ARG);
	UT_EXPECT_ST(t, fe_irq_bind(n, n, 0), FE_ERR_WRONG_TYPE);
	UT_OK(t, fe_handle_dup(n, FE_RIGHT_WAIT, 0, &wrong));
	UT_EXPECT_ST(t, fe_irq_bind(irq, wrong, 0), FE_ERR_ACCESS_DENIED);
	UT_OK(t, fe_irq_bind(irq, n, 3));
	UT_OK(t, fe_irq_ack(irq));
	fe_handle_delete(wrong);
	fe_handle_delete(n);
}

static void console_write_checks(struct ut *t)
{
	static char big[5000];

	UT_OK(t, fe_console_write(fe_console, "    # console ok\n", 17));
	UT_EXPECT_ST(t, fe_console_write(fe_console, big, sizeof(big)), FE_ERR_INVALID_ARG);
	UT_EXPECT_ST(t, fe_console_write(fe_console, (char *)0xffff800000000000ULL, 4), FE_ERR_FAULT);
	UT_EXPECT_ST(t, fe_console_write(slot(FE_START_TRACE), "x", 1), FE_ERR_WRONG_TYPE);
}

static void trace_reads_back_events(struct ut *t)
{
	static struct fe_trace_record recs[256];
	uint64_t n = 0;
	int syscalls = 0, switches = 0;

	fe_null();
	fe_thread_yield();
	UT_OK(t, fe_trace_read(slot(FE_START_TRACE), recs, 256, &n));
	UT_EXPECT(t, n > 0 && n <= 256);
	for (uint64_t i = 0; i < n; i++) {
		syscalls += recs[i].type == FE_TRACE_SYSCALL_ENTER && recs[i].arg[0] == FE_SYS_NULL;
		switches += recs[i].type == FE_TRACE_SCHED_SWITCH;
		if (i && recs[i].tsc < recs[i - 1].tsc)
			UT_EXPECT(t, recs[i].tsc >= recs[i - 1].tsc);
	}
	UT_EXPECT(t, syscalls > 0);
	UT_EXPECT_ST(t, fe_trace_read(slot(FE_START_TRACE), (void *)0x1000, 4, &n), FE_ERR_FAULT);
	struct fe_kernel_stats ks;
	UT_OK(t, fe_kernel_stats(slot(FE_START_TRACE), &ks));
	UT_EXPECT(t, ks.processes >= 2 && ks.syscalls > 100 && ks.tsc_hz > 0);
	(void)switches;
}

static const struct ut_case cases[] = {
	{ "ioport_access", ioport_access },
	{ "mmio_map_hpet", mmio_map_hpet },
	{ "irq_binding", irq_binding },
	{ "console_write_checks", console_write_checks },
	{ "trace_reads_back_events", trace_reads_back_events },
};
const struct ut_suite suite_devices = { "devices", UT_CASES(cases) };
