/* SPDX-License-Identifier: MIT */
/*
 * Whole or not at all: a call that fails changed nothing. Each case makes a
 * call fail part way (an out-pointer into a read-only page, a buffer that
 * runs into a read-only or unmapped page) and checks that the state it
 * would have changed is as it was (docs/architecture.md, "whole or not at
 * all").
 */
#include "ut.h"

#define COM1_IER 0x3f9
#define COM1_IIR 0x3fa
#define COM1_LCR 0x3fb
#define IER_THRE 0x02
#define IIR_ID_MASK 0x0f
#define IIR_THRE 0x02 /* the pending interrupt: transmitter empty */
#define LCR_DLAB 0x80
#define FILL 0xa5
#define NAME "at"

static uint64_t ro_word(void)
{
	return (uint64_t)(uintptr_t)ut_rodata_word;
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Two adjacent pages: [va, va+PAGE) writable, [va+PAGE, va+2*PAGE) read-only. */
struct pair {
	fe_handle_t rw, ro;
	uint8_t *va;
};

static bool pair_map(struct ut *t, struct pair *p)
{
	uint64_t va = fe_va_alloc(3 * PAGE);

	if (!UT_EXPECT_OK(t, fe_vmo_create(PAGE, &p->rw)))
		return false;
	if (!UT_EXPECT_OK(t, fe_vmo_create(PAGE, &p->ro))) {
		ut_del(t, p->rw);
		return false;
	}
	UT_EXPECT_OK(t, fe_vm_map(fe_self, p->rw, 0, va, PAGE, FE_VM_READ | FE_VM_WRITE));
	UT_EXPECT_OK(t, fe_vm_map(fe_self, p->ro, 0, va + PAGE, PAGE, FE_VM_READ));
	p->va = (uint8_t *)(uintptr_t)va;
	memset(p->va, FILL, PAGE);
	return true;
}

static void pair_unmap(struct ut *t, struct pair *p)
{
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, (uint64_t)(uintptr_t)p->va, 2 * PAGE));
	ut_del(t, p->ro);
	ut_del(t, p->rw);
}

static uint32_t handle_count(struct ut *t)
{
	struct fe_process_info pi = { 0 };

	UT_EXPECT_OK(t, fe_process_info(fe_self, &pi));
	return pi.handles;
}

/* The bits stay pending when they cannot be written out. */
static void notif_wait_fault_keeps_bits(struct ut *t)
{
	fe_handle_t n;
	uint64_t bits = 0;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	UT_EXPECT_OK(t, fe_notif_signal(n, 0x30));
	UT_EXPECT_STATUS(t, fe_notif_wait(n, FE_NONBLOCK, (uint64_t *)(uintptr_t)ro_word()),
			 FE_ERR_FAULT);
	UT_EXPECT_OK(t, fe_notif_wait(n, FE_NONBLOCK, &bits));
	UT_EXPECT_EQ(t, bits, 0x30);
	/* Blocking, with the bits already there (so a failure cannot hang). */
	UT_EXPECT_OK(t, fe_notif_signal(n, 0x41));
	UT_EXPECT_STATUS(t, fe_notif_wait(n, 0, (uint64_t *)(uintptr_t)ro_word()), FE_ERR_FAULT);
	bits = 0;
	UT_EXPECT_OK(t, fe_notif_wait(n, FE_NONBLOCK, &bits));
	UT_EXPECT_EQ(t, bits, 0x41);
	ut_del(t, n);
}

/* Reading COM1's IIR clears a pending "transmitter empty" interrupt: a read
 * whose result cannot be written out must not touch the port at all. */
static void ioport_in_fault_reads_nothing(struct ut *t)
{
	fe_handle_t io = ut_slot(FE_START_IOPORT_COM1);
	uint32_t ier = 0, lcr = 0, iir = 0;

	if (io == FE_HANDLE_INVALID) {
		ut_skip(t, "no COM1 port capability");
		return;
	}
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_ioport_in(io, COM1_LCR, 1, &lcr)));
	if (lcr & LCR_DLAB) {
		ut_skip(t, "COM1 is in divisor-latch mode");
		return;
	}
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_ioport_in(io, COM1_IER, 1, &ier)));
	UT_EXPECT_OK(t, fe_ioport_out(io, COM1_IER, 1, 0));
	UT_EXPECT_OK(t, fe_ioport_out(io, COM1_IER, 1, IER_THRE)); /* raises THRE at once */
	UT_EXPECT_STATUS(t, fe_ioport_in(io, COM1_IIR, 1, (uint32_t *)(uintptr_t)ro_word()),
			 FE_ERR_FAULT);
	UT_EXPECT_OK(t, fe_ioport_in(io, COM1_IIR, 1, &iir));
	UT_EXPECT_OK(t, fe_ioport_out(io, COM1_IER, 1, ier));
	UT_EXPECT_EQ(t, iir & IIR_ID_MASK, IIR_THRE);
}

/* A VMO read whose destination runs from a writable into a read-only page. */
static void vmo_read_into_ro_page_writes_nothing(struct ut *t)
{
	struct pair p;
	fe_handle_t v;
	uint8_t src[64];

	UT_ASSERT(t, pair_map(t, &p));
	memset(src, 0x11, sizeof(src));
	if (UT_EXPECT_OK(t, fe_vmo_create(2 * PAGE, &v))) {
		UT_EXPECT_OK(t, fe_vmo_write(v, PAGE - 32, src, sizeof(src)));
		/* The copy splits at the VMO's page boundary, as the user pages do. */
		UT_EXPECT_STATUS(t, fe_vmo_read(v, PAGE - 32, p.va + PAGE - 32, 64), FE_ERR_FAULT);
		UT_EXPECT(t, all_bytes(p.va + PAGE - 32, 32, FILL));
		ut_del(t, v);
	}
	pair_unmap(t, &p);
}

/* A VMO write whose source runs into an unmapped page. */
static void vmo_write_from_short_buffer_changes_nothing(struct ut *t)
{
	fe_handle_t buf, v;
	void *va;
	uint8_t back[200];

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_map_new(PAGE, FE_VM_READ | FE_VM_WRITE, &buf, &va)));
	memset(va, 0x22, PAGE); /* fe_map_new leaves a guard page after it */
	if (UT_EXPECT_OK(t, fe_vmo_create(2 * PAGE, &v))) {
		const uint8_t *tail = (const uint8_t *)va + PAGE - 100;
		UT_EXPECT_STATUS(t, fe_vmo_write(v, PAGE - 100, tail, 200), FE_ERR_FAULT);
		UT_EXPECT_STATUS(t, fe_vmo_write(v, 0, tail, 200), FE_ERR_FAULT);
		UT_EXPECT_OK(t, fe_vmo_read(v, PAGE - 100, back, sizeof(back)));
		UT_EXPECT(t, all_bytes(back, sizeof(back), 0));
		UT_EXPECT_OK(t, fe_vmo_read(v, 0, back, sizeof(back)));
		UT_EXPECT(t, all_bytes(back, sizeof(back), 0));
		ut_del(t, v);
	}
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, (uint64_t)(uintptr_t)va, PAGE));
	ut_del(t, buf);
}

/* Trace reads: a read-only count, or records that run into a read-only page. */
static void trace_read_fault_writes_nothing(struct ut *t)
{
	fe_handle_t tr = ut_slot(FE_START_TRACE);
	const size_t rec = sizeof(struct fe_trace_record);
	struct pair p;
	uint64_t n = 7;

	if (tr == FE_HANDLE_INVALID) {
		ut_skip(t, "no trace capability");
		return;
	}
	UT_ASSERT(t, pair_map(t, &p));
	struct fe_trace_record *recs = (struct fe_trace_record *)(void *)(p.va + PAGE - 4 * rec);
	UT_EXPECT_OK(t, fe_null());
	UT_EXPECT_STATUS(t, fe_trace_read(tr, recs, 4, (uint64_t *)(uintptr_t)ro_word()),
			 FE_ERR_FAULT);
	UT_EXPECT(t, all_bytes(p.va + PAGE - 4 * rec, 4 * rec, FILL));
	UT_EXPECT_STATUS(t, fe_trace_read(tr, recs, 8, &n), FE_ERR_FAULT);
	UT_EXPECT(t, all_bytes(p.va + PAGE - 4 * rec, 4 * rec, FILL));
	UT_EXPECT_EQ(t, n, 7);
	UT_EXPECT_OK(t, fe_trace_read(tr, recs, 4, &n));
	UT_EXPECT_EQ(t, n, 4);
	pair_unmap(t, &p);
}

/*
 * A console write whose buffer runs into an unmapped page prints nothing:
 * the boot scenarios check that the marker never reaches the serial log
 * (tools/scenarios.py, USER_BROKE).
 */
static void console_write_fault_prints_nothing(struct ut *t)
{
	static const char marker[] = "UTEST-PARTIAL-CONSOLE-WRITE\n";
	fe_handle_t buf;
	void *va;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_map_new(PAGE, FE_VM_READ | FE_VM_WRITE, &buf, &va)));
	char *tail = (char *)va + PAGE - 256;
	for (size_t i = 0; i + sizeof(marker) - 1 <= 256; i += sizeof(marker) - 1)
		memcpy(tail + i, marker, sizeof(marker) - 1);
	UT_EXPECT_STATUS(t, fe_console_write(fe_console, tail, 512), FE_ERR_FAULT);
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, (uint64_t)(uintptr_t)va, PAGE));
	ut_del(t, buf);
}

/* thread_create with an out-pointer it cannot write: no thread is made, so
 * a new process with no thread yet is not ended by the cleanup. */
static void thread_create_bad_out_creates_nothing(struct ut *t)
{
	static const uint64_t bad[] = { 0, 8, 0xffff800000000000ULL, FE_USER_TOP - 4 };
	fe_handle_t tr = ut_slot(FE_START_TRACE), child;
	struct fe_kernel_stats a = { 0 }, b = { 0 };
	struct fe_exit_status es;
	struct fe_process_info pi = { 0 };
	uint32_t before = handle_count(t);

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_process_create(NAME, 2, 1 << 20, &child)));
	if (tr != FE_HANDLE_INVALID)
		UT_EXPECT_OK(t, fe_kernel_stats(tr, &a));
	UT_EXPECT_STATUS(t, fe_thread_create(child, 0x400000, FE_USER_TOP, 0, FE_PRIORITY_DEFAULT,
					     (fe_handle_t *)(uintptr_t)ro_word()), FE_ERR_FAULT);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		UT_EXPECT_STATUS(t, fe_thread_create(child, 0x400000, FE_USER_TOP, 0,
						     FE_PRIORITY_DEFAULT,
						     (fe_handle_t *)(uintptr_t)bad[i]), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_thread_create(fe_self, 0x400000, FE_USER_TOP, 0, FE_PRIORITY_DEFAULT,
					     (fe_handle_t *)(uintptr_t)ro_word()), FE_ERR_FAULT);
	if (tr != FE_HANDLE_INVALID) {
		UT_EXPECT_OK(t, fe_kernel_stats(tr, &b));
		UT_EXPECT_EQ(t, b.threads, a.threads);
	}
	UT_EXPECT_OK(t, fe_process_info(child, &pi));
	UT_EXPECT_EQ(t, pi.threads, 0);
	UT_EXPECT_STATUS(t, fe_process_wait(child, &es, FE_NONBLOCK), FE_ERR_WOULD_BLOCK);
	UT_EXPECT_EQ(t, handle_count(t), before + 1);
	UT_EXPECT_OK(t, fe_process_kill(child));
	ut_del(t, child);
}

/* The other object-making calls and grants: nothing made, nothing kept. */
static void creating_calls_with_ro_out_make_nothing(struct ut *t)
{
	fe_handle_t tr = ut_slot(FE_START_TRACE), *ro = (fe_handle_t *)(uintptr_t)ro_word();
	struct fe_kernel_stats a = { 0 }, b = { 0 };
	uint32_t before = handle_count(t);
	fe_handle_t child;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_process_create(NAME, 2, 1 << 20, &child)));
	if (tr != FE_HANDLE_INVALID)
		UT_EXPECT_OK(t, fe_kernel_stats(tr, &a));
	UT_EXPECT_STATUS(t, fe_process_create(NAME, 2, 1 << 20, ro), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_vmo_create(PAGE, ro), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_endpoint_create(ro), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_notif_create(ro), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_handle_dup(fe_self, FE_RIGHT_READ, 0, ro), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_handle_grant(child, fe_console, FE_RIGHT_WRITE, ro), FE_ERR_FAULT);
	if (tr != FE_HANDLE_INVALID) {
		UT_EXPECT_OK(t, fe_kernel_stats(tr, &b));
		UT_EXPECT_EQ(t, b.processes, a.processes);
	}
	struct fe_process_info pi = { 0 };
	UT_EXPECT_OK(t, fe_process_info(child, &pi));
	UT_EXPECT_EQ(t, pi.handles, 0);
	UT_EXPECT_EQ(t, handle_count(t), before + 1);
	UT_EXPECT_OK(t, fe_process_kill(child));
	ut_del(t, child);
}

UT_SUITE(atomic,
	UT_CASE(notif_wait_fault_keeps_bits),
	UT_CASE(ioport_in_fault_reads_nothing),
	UT_CASE(vmo_read_into_ro_page_writes_nothing),
	UT_CASE(vmo_write_from_short_buffer_changes_nothing),
	UT_CASE(trace_read_fault_writes_nothing),
	UT_CASE(console_write_fault_prints_nothing),
	UT_CASE(thread_create_bad_out_creates_nothing),
	UT_CASE(creating_calls_with_ro_out_make_nothing));
