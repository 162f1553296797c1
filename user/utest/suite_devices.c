/* SPDX-License-Identifier: MIT */
/* Device capabilities: COM1 ports and interrupt, HPET registers, console, trace. */
#include "ut.h"

#define COM1_IER 0x3f9
#define COM1_IIR 0x3fa
#define COM1_LCR 0x3fb
#define COM1_MCR 0x3fc
#define COM1_SCRATCH 0x3ff
#define IER_THRE 0x02      /* interrupt when the transmitter is empty */
#define MCR_OUT2 0x08      /* connects the UART's interrupt line */
#define LCR_DLAB 0x80
#define IRQ_BIT 5
#define HPET_VA 0x70000000ULL

/* The capability in `slot`, or FE_HANDLE_INVALID with the case skipped. */
static fe_handle_t need(struct ut *t, unsigned slot, const char *what)
{
	fe_handle_t h = ut_slot(slot);

	if (h == FE_HANDLE_INVALID)
		ut_skip(t, what);
	return h;
}

static void ioport_read_write(struct ut *t)
{
	fe_handle_t io = need(t, FE_START_IOPORT_COM1, "no COM1 port capability");
	uint32_t v = 0;

	if (io == FE_HANDLE_INVALID)
		return;
	for (uint32_t x = 0x5a; x < 0x200; x += 0x4b) {
		UT_EXPECT_OK(t, fe_ioport_out(io, COM1_SCRATCH, 1, x & 0xff));
		UT_EXPECT_OK(t, fe_ioport_in(io, COM1_SCRATCH, 1, &v));
		UT_EXPECT_EQ(t, v, x & 0xff);
	}
	UT_EXPECT_OK(t, fe_ioport_out(io, COM1_SCRATCH, 1, 0xc3));
	UT_EXPECT_OK(t, fe_ioport_in(io, COM1_SCRATCH - 1, 2, &v));
	UT_EXPECT_EQ(t, v >> 8, 0xc3); /* the scratch register is the high byte */
	UT_EXPECT_OK(t, fe_ioport_in(io, COM1_SCRATCH - 3, 4, &v));
	UT_EXPECT_EQ(t, v >> 24, 0xc3);
}

static void ioport_checks(struct ut *t)
{
	fe_handle_t io = need(t, FE_START_IOPORT_COM1, "no COM1 port capability"), ro, wo;
	uint32_t v = 0;

	if (io == FE_HANDLE_INVALID)
		return;
	UT_EXPECT_STATUS(t, fe_ioport_in(io, 0x400, 1, &v), FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, fe_ioport_in(io, 0x3f7, 1, &v), FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, fe_ioport_in(io, COM1_SCRATCH, 2, &v), FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, fe_ioport_in(io, 0x3fd, 4, &v), FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, fe_ioport_out(io, 0x80, 1, 0), FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, fe_ioport_in(io, 0xfffffffe, 4, &v), FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, fe_ioport_in(io, 0x3f8, 0, &v), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_ioport_in(io, 0x3f8, 3, &v), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_ioport_out(io, COM1_SCRATCH, 8, 0), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_ioport_in(io, COM1_SCRATCH, 1, NULL), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_ioport_in(fe_console, COM1_SCRATCH, 1, &v), FE_ERR_WRONG_TYPE);
	ro = ut_dup(t, io, FE_RIGHT_READ);
	wo = ut_dup(t, io, FE_RIGHT_WRITE);
	UT_EXPECT_STATUS(t, fe_ioport_out(ro, COM1_SCRATCH, 1, 1), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_ioport_in(wo, COM1_SCRATCH, 1, &v), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_OK(t, fe_ioport_in(ro, COM1_SCRATCH, 1, &v));
	UT_EXPECT_OK(t, fe_ioport_out(wo, COM1_SCRATCH, 1, 1));
	ut_del(t, wo);
	ut_del(t, ro);
}

static void mmio_maps_hpet_registers(struct ut *t)
{
	fe_handle_t m = need(t, FE_START_MMIO_HPET, "no HPET capability");
	uint64_t x = 0;

	if (m == FE_HANDLE_INVALID)
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vm_map(fe_self, m, 0, HPET_VA, PAGE, FE_VM_READ)));
	uint64_t caps = *(volatile uint64_t *)HPET_VA;
	UT_EXPECT_NE(t, (caps >> 16) & 0xffff, 0); /* vendor id */
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, HPET_VA, PAGE));
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, m, 0, HPET_VA, PAGE, FE_VM_READ | FE_VM_EXEC),
	                 FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, m, 0, HPET_VA, 2 * PAGE, FE_VM_READ),
			 FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, fe_vmo_read(m, 0, &x, sizeof(x)), FE_ERR_WRONG_TYPE);
}

static void irq_bind_checks(struct ut *t)
{
	fe_handle_t irq = need(t, FE_START_IRQ_COM1, "no IRQ capability"), n, wait_only, unmanaged;

	if (irq == FE_HANDLE_INVALID)
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	wait_only = ut_dup(t, n, FE_RIGHT_WAIT);
	unmanaged = ut_dup(t, irq, FE_RIGHT_DUPLICATE);
	UT_EXPECT_STATUS(t, fe_irq_bind(irq, n, 64), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_irq_bind(n, n, 0), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_irq_bind(irq, irq, 0), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_irq_bind(irq, wait_only, 0), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_irq_bind(unmanaged, n, 0), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_irq_ack(unmanaged), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_irq_ack(n), FE_ERR_WRONG_TYPE);
	ut_del(t, unmanaged);
	ut_del(t, wait_only);
	ut_del(t, n);
}

static uint32_t port_in(struct ut *t, fe_handle_t io, uint32_t port)
{
	uint32_t v = 0;

	UT_EXPECT_OK(t, fe_ioport_in(io, port, 1, &v));
	return v;
}

/* Makes COM1 raise its "transmitter empty" interrupt; polls for the bit. */
static uint64_t provoke_com1_interrupt(struct ut *t, fe_handle_t io, fe_handle_t n)
{
	uint32_t ier = port_in(t, io, COM1_IER), mcr = port_in(t, io, COM1_MCR);
	uint64_t bits = 0;

	UT_EXPECT_OK(t, fe_ioport_out(io, COM1_MCR, 1, mcr | MCR_OUT2));
	UT_EXPECT_OK(t, fe_ioport_out(io, COM1_IER, 1, IER_THRE));
	UT_WAIT_UNTIL(fe_notif_wait(n, FE_NONBLOCK, &bits) == FE_OK);
	UT_EXPECT_OK(t, fe_ioport_out(io, COM1_IER, 1, ier));
	UT_EXPECT_OK(t, fe_ioport_out(io, COM1_MCR, 1, mcr));
	(void)port_in(t, io, COM1_IIR); /* reading IIR clears the interrupt */
	return bits;
}

static void irq_delivers_to_notification(struct ut *t)
{
	fe_handle_t irq = need(t, FE_START_IRQ_COM1, "no IRQ capability");
	fe_handle_t io = need(t, FE_START_IOPORT_COM1, "no COM1 port capability"), n;

	if (irq == FE_HANDLE_INVALID || io == FE_HANDLE_INVALID)
		return;
	if (port_in(t, io, COM1_LCR) & LCR_DLAB) {
		ut_skip(t, "COM1 is in divisor-latch mode");
		return;
	}
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_irq_bind(irq, n, IRQ_BIT)));
	UT_EXPECT_OK(t, fe_irq_ack(irq));
	UT_EXPECT_EQ(t, provoke_com1_interrupt(t, io, n), 1ULL << IRQ_BIT);
	UT_EXPECT_OK(t, fe_irq_ack(irq));
	ut_del(t, n);
}

static void console_write_checks(struct ut *t)
{
	static char big[4097];
	fe_handle_t no_write = ut_dup(t, fe_console, FE_RIGHT_DUPLICATE);

	for (size_t i = 0; i < 4096; i += 64) /* 64 diagnostic lines of 64 bytes */
		snprintf(&big[i], 65, "    # 4096 bytes in one write %33s\n", "");
	UT_EXPECT_OK(t, fe_console_write(fe_console, "    # console ok\n", 17));
	UT_EXPECT_OK(t, fe_console_write(fe_console, big, 4096));
	UT_EXPECT_STATUS(t, fe_console_write(fe_console, big, 4097), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_console_write(fe_console, big, ~0ULL), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_console_write(no_write, "x\n", 2), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_console_write(fe_self, "x\n", 2), FE_ERR_WRONG_TYPE);
	ut_del(t, no_write);
}

static void trace_reads_recent_records(struct ut *t)
{
	static struct fe_trace_record recs[256];
	fe_handle_t tr = need(t, FE_START_TRACE, "no trace capability");
	uint64_t n = 0;
	unsigned nulls = 0;

	if (tr == FE_HANDLE_INVALID)
		return;
	UT_EXPECT_OK(t, fe_null());
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_trace_read(tr, recs, ARRAY_SIZE(recs), &n)));
	UT_EXPECT_GT(t, n, 0);
	UT_EXPECT_LE(t, n, ARRAY_SIZE(recs));
	for (uint64_t i = 0; i < n && i < ARRAY_SIZE(recs); i++) {
		nulls += recs[i].type == FE_TRACE_SYSCALL && FE_TRACE_SYSCALL_NR(recs[i].arg[0]) == FE_SYS_NULL &&
		         FE_TRACE_SYSCALL_STATUS(recs[i].arg[0]) == FE_OK;
		UT_EXPECT_LE(t, recs[i].type, FE_TRACE_EVENT_MAX);
		if (i > 0 && recs[i].cpu == recs[i - 1].cpu)
			UT_EXPECT_GE(t, recs[i].tsc, recs[i - 1].tsc); /* oldest first */
	}
	UT_EXPECT_GT(t, nulls, 0); /* our own fe_null is among the most recent */
}

static void trace_checks(struct ut *t)
{
	fe_handle_t tr = need(t, FE_START_TRACE, "no trace capability"), no_read;
	struct fe_trace_record rec;
	struct fe_kernel_stats ks;
	uint64_t n = 0;

	if (tr == FE_HANDLE_INVALID)
		return;
	no_read = ut_dup(t, tr, FE_RIGHT_DUPLICATE);
	UT_EXPECT_STATUS(t, fe_trace_read(tr, (void *)0x20000, 4, &n), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_trace_read(tr, (void *)0xffff800000000000ULL, 4, &n), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_trace_read(tr, &rec, 1, NULL), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_trace_read(no_read, &rec, 1, &n), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_kernel_stats(no_read, &ks), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_trace_read(fe_console, &rec, 1, &n), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_kernel_stats(fe_self, &ks), FE_ERR_WRONG_TYPE);
	ut_del(t, no_read);
}

static void kernel_stats_are_sane(struct ut *t)
{
	fe_handle_t tr = need(t, FE_START_TRACE, "no trace capability");
	struct fe_kernel_stats a = { 0 }, b = { 0 };

	if (tr == FE_HANDLE_INVALID)
		return;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_kernel_stats(tr, &a)));
	for (int i = 0; i < 10; i++)
		UT_EXPECT_OK(t, fe_null());
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_kernel_stats(tr, &b)));
	UT_EXPECT_GT(t, a.frames_total, 0);
	UT_EXPECT_LE(t, a.frames_free, a.frames_total);
	UT_EXPECT_GE(t, a.processes, 2); /* init and us */
	UT_EXPECT_GE(t, a.threads, 2);
	UT_EXPECT_GT(t, a.context_switches, 0);
	UT_EXPECT_GT(t, a.tsc_hz, 0);
	UT_EXPECT_GE(t, b.syscalls, a.syscalls + 11);
}

/* The leak-check counts (sysfuzz relies on them): one object and one
 * handle more while a notification exists, a second handle for its copy,
 * and all back once both handles are gone. Nothing else in the system makes
 * objects meanwhile (init waits for us, our watchdog sleeps). */
static void kernel_stats_count_handles_and_objects(struct ut *t)
{
	fe_handle_t tr = need(t, FE_START_TRACE, "no trace capability"), n = 0, copy = 0;
	struct fe_kernel_stats a = { 0 }, b = { 0 }, c = { 0 };

	if (tr == FE_HANDLE_INVALID)
		return;
	/* Once first, so our handle table has the free slots (a new chunk of
	 * it would be one more object). */
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_handle_dup(n, FE_RIGHT_SIGNAL, 0, &copy)));
	ut_del(t, copy);
	ut_del(t, n);
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_kernel_stats(tr, &a)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_handle_dup(n, FE_RIGHT_SIGNAL, 0, &copy)));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_kernel_stats(tr, &b)));
	ut_del(t, copy);
	ut_del(t, n);
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_kernel_stats(tr, &c)));
	UT_EXPECT_EQ(t, b.handles, a.handles + 2);
	UT_EXPECT_EQ(t, b.kheap_objects, a.kheap_objects + 1);
	UT_EXPECT_EQ(t, b.objects, a.objects + 1);
	UT_EXPECT_EQ(t, c.handles, a.handles);
	UT_EXPECT_EQ(t, c.kheap_objects, a.kheap_objects);
	UT_EXPECT_EQ(t, c.objects, a.objects);
	UT_EXPECT_GT(t, a.kheap_objects, 0);
	UT_EXPECT_GT(t, a.kheap_frames, 0);
	UT_EXPECT_LE(t, a.kheap_frames, a.frames_total - a.frames_free);
}

UT_SUITE(devices,
	UT_CASE(ioport_read_write),
	UT_CASE(ioport_checks),
	UT_CASE(mmio_maps_hpet_registers),
	UT_CASE(irq_bind_checks),
	UT_CASE(irq_delivers_to_notification),
	UT_CASE(console_write_checks),
	UT_CASE(trace_reads_recent_records),
	UT_CASE(trace_checks),
	UT_CASE(kernel_stats_are_sane),
	UT_CASE(kernel_stats_count_handles_and_objects));
