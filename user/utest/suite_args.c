/* SPDX-License-Identifier: MIT */
/*
 * Argument checks at their extremes, through the raw system call so no
 * wrapper narrows a value: offsets and lengths near 2^64 whose sums wrap,
 * sleeps that would overflow a deadline, and mapping rights that must be
 * exact (docs/architecture.md, "System call arguments").
 */
#include "ut.h"

#define COM1_BASE 0x3f8ULL
#define COM1_SCRATCH 0x3ffULL
#define SLEEP_CHECK_NS 200000000ULL /* how long a sleeper must stay asleep: 200 ms */

static fe_status_t raw(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		       uint64_t a4, uint64_t a5)
{
	return (fe_status_t)(int64_t)fe_syscall6(nr, a0, a1, a2, a3, a4, a5);
}

/* Port numbers near 2^64 whose port + width wraps must not reach the low
 * 16 bits (0xfffc-0xffff) outside the COM1 capability. */
static void port_range_does_not_wrap(struct ut *t)
{
	fe_handle_t io = ut_slot(FE_START_IOPORT_COM1);
	static const uint64_t widths[] = { 1, 2, 4 };
	uint32_t v = 0;

	if (io == FE_HANDLE_INVALID) {
		ut_skip(t, "no COM1 port capability");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(widths); i++) {
		for (uint64_t back = 1; back <= 4; back++) {
			uint64_t port = 0 - back, w = widths[i];
			UT_EXPECT_MSG(t, raw(FE_SYS_IOPORT_IN, io, port, w, (uint64_t)(uintptr_t)&v, 0,
					     0) == FE_ERR_OUT_OF_RANGE,
				      "in port %#llx width %llu", (unsigned long long)port,
				      (unsigned long long)w);
			UT_EXPECT_MSG(t, raw(FE_SYS_IOPORT_OUT, io, port, w, 0, 0, 0) ==
						 FE_ERR_OUT_OF_RANGE,
				      "out port %#llx width %llu", (unsigned long long)port,
				      (unsigned long long)w);
		}
	}
	/* High bits set above a port inside the range: refused, not truncated. */
	UT_EXPECT_STATUS(t, raw(FE_SYS_IOPORT_IN, io, (1ULL << 32) | COM1_SCRATCH, 1,
				(uint64_t)(uintptr_t)&v, 0, 0), FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, raw(FE_SYS_IOPORT_IN, io, (1ULL << 63) | COM1_BASE, 1,
				(uint64_t)(uintptr_t)&v, 0, 0), FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, raw(FE_SYS_IOPORT_IN, io, COM1_SCRATCH, 1ULL << 32 | 1,
				(uint64_t)(uintptr_t)&v, 0, 0), FE_ERR_INVALID_ARG);
	UT_EXPECT_OK(t, raw(FE_SYS_IOPORT_IN, io, COM1_SCRATCH, 1, (uint64_t)(uintptr_t)&v, 0, 0));
}

/* VMO offset + length sums that wrap to small numbers. */
static void vmo_span_does_not_wrap(struct ut *t)
{
	uint8_t buf[16] = { 0 };
	uint64_t b = (uint64_t)(uintptr_t)buf;
	fe_handle_t v;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(2 * PAGE, &v)));
	static const uint64_t spans[][2] = {
		{ ~0ULL, 2 }, { ~0ULL - 7, 16 }, { PAGE, ~0ULL - PAGE + 2 }, { 8, ~0ULL },
		{ 2 * PAGE, 1 }, { 1ULL << 63, 1 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(spans); i++) {
		UT_EXPECT_MSG(t, raw(FE_SYS_VMO_READ, v, spans[i][0], b, spans[i][1], 0, 0) ==
					 FE_ERR_OUT_OF_RANGE,
			      "read offset %#llx len %#llx", (unsigned long long)spans[i][0],
			      (unsigned long long)spans[i][1]);
		UT_EXPECT_MSG(t, raw(FE_SYS_VMO_WRITE, v, spans[i][0], b, spans[i][1], 0, 0) ==
					 FE_ERR_OUT_OF_RANGE,
			      "write offset %#llx len %#llx", (unsigned long long)spans[i][0],
			      (unsigned long long)spans[i][1]);
	}
	/* A user buffer whose end wraps past 2^64. */
	UT_EXPECT_STATUS(t, raw(FE_SYS_VMO_READ, v, 0, ~0ULL - 3, 8, 0, 0), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, raw(FE_SYS_VMO_WRITE, v, 0, ~0ULL - 3, 8, 0, 0), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, raw(FE_SYS_THREAD_SET_IPC_BUFFER, v, ~0ULL & ~(PAGE - 1), 0, 0, 0, 0),
			 FE_ERR_OUT_OF_RANGE);
	ut_del(t, v);
}

/* One vmo_read or vmo_write moves at most FE_VMO_IO_MAX bytes (it holds the
 * big lock and cannot pause): one byte more is refused and changes nothing. */
static void vmo_copies_are_bounded(struct ut *t)
{
	const uint64_t size = FE_VMO_IO_MAX + PAGE;
	fe_handle_t v, buf;
	uint8_t *va, back[8];
	void *p;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_map_new(size, FE_VM_READ | FE_VM_WRITE, &buf, &p)));
	va = p;
	memset(va, 0x5a, size);
	if (UT_EXPECT_OK(t, fe_vmo_create(size, &v))) {
		UT_EXPECT_STATUS(t, fe_vmo_write(v, 0, va, FE_VMO_IO_MAX + 1), FE_ERR_INVALID_ARG);
		UT_EXPECT_OK(t, fe_vmo_read(v, 0, back, sizeof(back)));
		UT_EXPECT(t, back[0] == 0 && back[7] == 0);
		UT_EXPECT_OK(t, fe_vmo_write(v, PAGE, va, FE_VMO_IO_MAX));
		UT_EXPECT_OK(t, fe_vmo_read(v, size - sizeof(back), back, sizeof(back)));
		UT_EXPECT(t, back[0] == 0x5a && back[7] == 0x5a);
		memset(va, 0, size);
		UT_EXPECT_STATUS(t, fe_vmo_read(v, 0, va, FE_VMO_IO_MAX + 1), FE_ERR_INVALID_ARG);
		UT_EXPECT(t, va[PAGE] == 0 && va[FE_VMO_IO_MAX] == 0);
		UT_EXPECT_OK(t, fe_vmo_read(v, PAGE, va, FE_VMO_IO_MAX));
		UT_EXPECT(t, va[0] == 0x5a && va[FE_VMO_IO_MAX - 1] == 0x5a);
		ut_del(t, v);
	}
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, (uint64_t)(uintptr_t)va, size));
	ut_del(t, buf);
}

/* vm_map and vm_unmap: address + size and offset + size that wrap. */
static void map_range_does_not_wrap(struct ut *t)
{
	const uint64_t top_page = ~0ULL & ~(PAGE - 1), rw = FE_VM_READ | FE_VM_WRITE;
	uint64_t va = fe_va_alloc(4 * PAGE);
	fe_handle_t v;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(2 * PAGE, &v)));
	UT_EXPECT_NE(t, raw(FE_SYS_VM_MAP, fe_self, v, 0, top_page, 2 * PAGE, rw), FE_OK);
	UT_EXPECT_NE(t, raw(FE_SYS_VM_MAP, fe_self, v, 0, FE_USER_TOP - PAGE, 2 * PAGE, rw), FE_OK);
	UT_EXPECT_STATUS(t, raw(FE_SYS_VM_MAP, fe_self, v, top_page, va, 2 * PAGE, rw),
			 FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, raw(FE_SYS_VM_MAP, fe_self, v, PAGE, va, top_page, rw),
			 FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_STATUS(t, raw(FE_SYS_VM_MAP, fe_self, v, 2 * PAGE, va, PAGE, rw),
			 FE_ERR_OUT_OF_RANGE);
	UT_EXPECT_NE(t, raw(FE_SYS_VM_UNMAP, fe_self, top_page, 2 * PAGE, 0, 0, 0), FE_OK);
	UT_EXPECT_NE(t, raw(FE_SYS_VM_UNMAP, fe_self, va, top_page, 0, 0, 0), FE_OK);
	/* Nothing of the refused calls is mapped: the whole range maps now. */
	UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, va, 2 * PAGE, (uint32_t)rw));
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, va, 2 * PAGE));
	ut_del(t, v);
}

/* Lengths of console writes, trace reads and names at 2^64 - small. */
static void lengths_near_2_64_refused(struct ut *t)
{
	fe_handle_t tr = ut_slot(FE_START_TRACE), h = FE_HANDLE_INVALID, vmo;
	uint64_t n = 0;
	void *va;

	UT_EXPECT_STATUS(t, raw(FE_SYS_CONSOLE_WRITE, fe_console, (uint64_t)(uintptr_t)"x", ~0ULL, 0,
				0, 0), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, raw(FE_SYS_CONSOLE_WRITE, fe_console, ~0ULL, 2, 0, 0, 0), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, raw(FE_SYS_PROCESS_CREATE, (uint64_t)(uintptr_t)"x", ~0ULL, 1 << 20,
				(uint64_t)(uintptr_t)&h, 0, 0), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, raw(FE_SYS_PROCESS_CREATE, ~0ULL - 1, 4, 1 << 20,
				(uint64_t)(uintptr_t)&h, 0, 0), FE_ERR_FAULT);
	UT_EXPECT_EQ(t, h, FE_HANDLE_INVALID);
	if (tr == FE_HANDLE_INVALID)
		return;
	/* max is capped, never multiplied into a wrapped size: room for one
	 * record before the guard page fe_map_new leaves. */
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_map_new(PAGE, FE_VM_READ | FE_VM_WRITE, &vmo, &va)));
	uint64_t rec = (uint64_t)(uintptr_t)va + PAGE - sizeof(struct fe_trace_record);
	UT_EXPECT_STATUS(t, raw(FE_SYS_TRACE_READ, tr, rec, ~0ULL, (uint64_t)(uintptr_t)&n, 0, 0),
			 FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, raw(FE_SYS_TRACE_READ, tr, rec, 1ULL << 58, (uint64_t)(uintptr_t)&n, 0,
				0), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, raw(FE_SYS_TRACE_READ, tr, ~0ULL - 63, 1, (uint64_t)(uintptr_t)&n, 0, 0),
			 FE_ERR_FAULT);
	UT_EXPECT_OK(t, raw(FE_SYS_TRACE_READ, tr, rec, 1, (uint64_t)(uintptr_t)&n, 0, 0));
	UT_EXPECT_EQ(t, n, 1);
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, (uint64_t)(uintptr_t)va, PAGE));
	ut_del(t, vmo);
}

/* The sleeper role: signals USER0, then sleeps ARG ns; exits 0 when the
 * sleep returns (the parent checks that it has not yet). */
int ut_role_sleeper(const char *arg)
{
	uint64_t ns;

	if (!arg || fe_parse_u64(arg, &ns) != FE_OK)
		return 2;
	if (fe_notif_signal(ut_slot(FE_START_USER0), 1) != FE_OK)
		return 3;
	(void)fe_syscall6(FE_SYS_THREAD_SLEEP, ns, 0, 0, 0, 0, 0);
	return 0;
}

/* A sleep of ns (near 2^64) is still asleep SLEEP_CHECK_NS later. */
static void check_sleeper(struct ut *t, const char *ns)
{
	struct ut_child c = { .role = "sleeper", .arg = ns };
	struct fe_exit_status es;
	fe_handle_t n, p;
	uint64_t bits = 0;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	c.user[0] = ut_dup(t, n, FE_RIGHT_SIGNAL | FE_RIGHT_TRANSFER);
	if (UT_EXPECT_OK(t, ut_spawn(&c, &p))) {
		UT_EXPECT_OK(t, fe_notif_wait(n, 0, &bits));
		UT_EXPECT_OK(t, fe_thread_sleep(SLEEP_CHECK_NS));
		UT_EXPECT_MSG(t, fe_process_wait(p, &es, FE_NONBLOCK) == FE_ERR_WOULD_BLOCK,
			      "a sleep of %s ns returned early", ns);
		ut_stop(t, p);
	}
	ut_del(t, c.user[0]);
	ut_del(t, n);
}

/*
 * The smallest ns whose TSC tick count, converted as the kernel does
 * (ns * ((hz << 28) / 1e9) >> 28, kernel/core/clock.c), reaches `ticks`
 * (bits 64 and up included): the points where a 64-bit tick count or
 * now + ticks would wrap. 0 if no ns reaches it.
 */
static uint64_t ns_reaching(uint64_t tsc_hz, unsigned __int128 ticks)
{
	uint64_t mult = (tsc_hz << 28) / 1000000000ULL, lo = 0, hi = ~0ULL;

	if ((((unsigned __int128)hi * mult) >> 28) < ticks)
		return 0;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if ((((unsigned __int128)mid * mult) >> 28) >= ticks)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static void check_sleeper_ns(struct ut *t, uint64_t ns)
{
	char arg[24];

	if (ns == 0)
		return;
	snprintf(arg, sizeof(arg), "%#llx", (unsigned long long)ns);
	check_sleeper(t, arg);
}

static void long_sleeps_do_not_wrap(struct ut *t)
{
	fe_handle_t tr = ut_slot(FE_START_TRACE);
	struct fe_kernel_stats ks = { 0 };

	check_sleeper(t, "0xffffffffffffffff");
	check_sleeper(t, "0xfffffffffffffff0");
	check_sleeper(t, "0x8000000000000000");
	if (tr == FE_HANDLE_INVALID || fe_kernel_stats(tr, &ks) != FE_OK || ks.tsc_hz == 0)
		return;
	/* Tick counts just past 2^64 (wrap to ~0 ticks), and just below it
	 * (now + ticks wraps into the past). */
	unsigned __int128 two64 = (unsigned __int128)1 << 64;
	check_sleeper_ns(t, ns_reaching(ks.tsc_hz, two64));
	check_sleeper_ns(t, ns_reaching(ks.tsc_hz, two64 + 1000));
	check_sleeper_ns(t, ns_reaching(ks.tsc_hz, two64 - (1ULL << 20)));
}

/* A mapping needs READ on the handle: x86 pages are always readable, so a
 * write-only or execute-only mapping would let the process read anyway. */
static void mapping_needs_read_right(struct ut *t)
{
	uint64_t va = fe_va_alloc(2 * PAGE);
	fe_handle_t v, wo, xo, ro;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	wo = ut_dup(t, v, FE_RIGHT_WRITE | FE_RIGHT_MAP);
	xo = ut_dup(t, v, FE_RIGHT_EXECUTE | FE_RIGHT_MAP);
	ro = ut_dup(t, v, FE_RIGHT_READ | FE_RIGHT_MAP);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, wo, 0, va, PAGE, FE_VM_WRITE), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, xo, 0, va, PAGE, FE_VM_EXEC), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_vm_map(fe_self, wo, 0, va, PAGE, FE_VM_READ | FE_VM_WRITE),
			 FE_ERR_ACCESS_DENIED);
	UT_EXPECT_OK(t, fe_vm_map(fe_self, ro, 0, va, PAGE, FE_VM_READ));
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, va, PAGE));
	ut_del(t, ro);
	ut_del(t, xo);
	ut_del(t, wo);
	ut_del(t, v);
}

UT_SUITE(args,
	UT_CASE(port_range_does_not_wrap),
	UT_CASE(vmo_span_does_not_wrap),
	UT_CASE(vmo_copies_are_bounded),
	UT_CASE(map_range_does_not_wrap),
	UT_CASE(lengths_near_2_64_refused),
	UT_CASE(long_sleeps_do_not_wrap),
	UT_CASE(mapping_needs_read_right));
