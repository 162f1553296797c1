/* SPDX-License-Identifier: MIT */
/*
 * traced: the trace exporter (docs/tracing.md, "Export"). It holds the trace
 * capability (READ) and COM2's I/O ports (`caps console trace ioport-com2`)
 * and streams the kernel's trace records off the machine through COM2 as
 * framed binary (include/ferrous/trace_stream.h), for tools/trace.py.
 *
 * The pump thread reads the newest records of every CPU (fe_trace_read),
 * sends each record once (struct cursor follows every CPU's ring position)
 * and reports every record it never got as a `lost` frame. Its own system
 * calls are records too; sent, each round would make more work for the next.
 * So it sends at most SEND_MAX records a round, sleeps PERIOD_NS when it has
 * caught up, and does not send the records of its own system calls (it
 * counts them, `self`): what it adds to the stream is a bounded number of
 * scheduling and timer records per round, however busy the system is.
 *
 * Two threads serve the endpoint (the main one and one more, so a heartbeat
 * is answered while a SYNC waits for the pump): the control protocol,
 * FE_TRACED_STATS and FE_TRACED_SYNC (include/ferrous/trace_stream.h). With no second serial port on the machine (the scratch
 * register does not hold a value) it says so and exits 0.
 */
#include <fe/ipc.h>
#include <fe/runtime.h>
#include <fe/service.h>
#include <fe/uart16550.h>

#include "stream.h"

#define COM2 0x2f8u
#define MCR_DTR_RTS 0x03u
#define TX_SPINS 64u

/* fe_trace_read's window: as many records as one CPU's ring holds. */
#define WINDOW 4096u
#define SEND_MAX 256u
#define PERIOD_NS 20000000ull   /* 20 ms between rounds once caught up */
#define STATS_NS 1000000000ull  /* a stats frame every second */
#define EXIT_SETUP 1

static fe_handle_t io, tr, sleeper;
static fe_handle_t rounds; /* bit 0: the pump finished a round (FE_TRACED_SYNC waits) */
/* Per CPU, the newest ring position sent or counted lost, published by the
 * pump after each round (atomically): what FE_TRACED_SYNC waits on. */
static uint64_t done_seq[STREAM_CPUS];
/* FE_TRACED_SYNC's own read of the rings; one SYNC at a time holds it. */
static struct fe_trace_record sync_window[WINDOW];
static bool syncing;
static uint32_t self_koid;
static struct fe_trace_record window[WINDOW];
static struct cursor cursor;
/* Written by the pump, read by FE_TRACED_STATS (atomically). */
static struct fe_tstream_stats stats;
/* Bytes waiting to go out, written a FE_IOPORT_WRITE_MAX chunk at a time. */
static uint8_t out[FE_IOPORT_WRITE_MAX + FRAME_MAX];
static size_t out_len;
/* The records frame being filled. */
static struct fe_trace_record pending[FE_TSTREAM_RECORDS_MAX];
static unsigned npending;

static void add(uint64_t *counter, uint64_t n)
{
	__atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

static fe_status_t now_ns(uint64_t *ns)
{
	struct fe_cpu_stats cs;
	fe_status_t st = fe_cpu_stats(tr, 0, &cs);

	*ns = cs.now_ns;
	return st;
}

/* Waits until the transmitter holds nothing, then writes one chunk. */
static fe_status_t port_write(const uint8_t *b, size_t n)
{
	for (unsigned spins = 0;; spins++) {
		uint32_t lsr;
		fe_status_t st = fe_ioport_in(io, COM2 + UART_LSR, 1, &lsr);
		if (st != FE_OK)
			return st;
		if (lsr & UART_LSR_THR_EMPTY)
			break;
		if (spins >= TX_SPINS)
			(void)fe_thread_yield();
	}
	return fe_ioport_write(io, COM2 + UART_DATA, b, n);
}

/* Writes whole chunks; with `all`, the tail too. */
static fe_status_t drain(bool all)
{
	size_t done = 0;
	fe_status_t st = FE_OK;

	while (out_len - done >= FE_IOPORT_WRITE_MAX || (all && done < out_len)) {
		size_t n = out_len - done < FE_IOPORT_WRITE_MAX ? out_len - done : FE_IOPORT_WRITE_MAX;
		if ((st = port_write(out + done, n)) != FE_OK)
			break;
		add(&stats.bytes, n);
		done += n;
	}
	memmove(out, out + done, out_len - done);
	out_len -= done;
	return st;
}

static fe_status_t emit(uint8_t type, const void *payload, size_t len)
{
	out_len += stream_frame(type, payload, len, out + out_len);
	add(&stats.frames, 1);
	return drain(false);
}

static fe_status_t flush_records(void)
{
	fe_status_t st = FE_OK;

	if (npending) {
		st = emit(FE_TSTREAM_RECORDS, pending, npending * sizeof(pending[0]));
		add(&stats.sent, npending);
		npending = 0;
	}
	return st;
}

static fe_status_t send_lost(uint32_t cpu, uint32_t reason, uint64_t count, uint64_t first)
{
	struct fe_tstream_lost l = { .cpu = cpu, .reason = reason, .count = count, .first_seq = first };
	fe_status_t st;

	/* In stream order: the records before the gap go first. */
	if ((st = flush_records()) != FE_OK)
		return st;
	add(&stats.lost, count);
	return emit(FE_TSTREAM_LOST, &l, sizeof(l));
}

static bool is_own_syscall(const struct fe_trace_record *r)
{
	return r->thread == self_koid &&
	       (r->type == FE_TRACE_SYSCALL_ENTER || r->type == FE_TRACE_SYSCALL_EXIT);
}

/* One record from the window: skipped, counted or queued. */
static fe_status_t take(const struct fe_trace_record *r, unsigned *sent)
{
	uint64_t lost = 0, first = 0;
	uint32_t reason = 0;
	fe_status_t st;

	switch (cursor_take(&cursor, r, &lost, &first, &reason)) {
	case CURSOR_OLD:
	case CURSOR_BAD:
		return FE_OK;
	case CURSOR_GAP:
		if ((st = send_lost(r->cpu, reason, lost, first)) != FE_OK)
			return st;
		break;
	case CURSOR_NEW:
		break;
	}
	if (is_own_syscall(r)) {
		add(&stats.self, 1);
		return FE_OK;
	}
	pending[npending++] = *r;
	(*sent)++;
	return npending == FE_TSTREAM_RECORDS_MAX ? flush_records() : FE_OK;
}

/* One round: reads the window, sends what is new (at most SEND_MAX). */
static fe_status_t round_once(unsigned *sent)
{
	uint64_t n;
	fe_status_t st;

	*sent = 0;
	if ((st = fe_trace_read(tr, window, WINDOW, &n)) != FE_OK)
		return st;
	for (uint64_t i = 0; i < n && *sent < SEND_MAX; i++)
		if ((st = take(&window[i], sent)) != FE_OK)
			return st;
	if ((st = flush_records()) != FE_OK)
		return st;
	return drain(true);
}

static fe_status_t send_stats(void)
{
	fe_status_t st = now_ns(&stats.ns);
	struct fe_tstream_stats s = stats; /* the pump is its only writer */

	if (st != FE_OK)
		return st;
	return emit(FE_TSTREAM_STATS, &s, sizeof(s));
}

static fe_status_t send_header(void);

static _Noreturn void pump(void *arg)
{
	uint64_t last_stats = 0, t0, t1, bits;
	unsigned sent = 0;
	fe_status_t st;

	(void)arg;
	while (__atomic_load_n(&self_koid, __ATOMIC_ACQUIRE) == 0)
		(void)fe_thread_yield();
	if ((st = send_header()) != FE_OK)
		goto end;
	for (;;) {
		if ((st = now_ns(&t0)) != FE_OK || (st = round_once(&sent)) != FE_OK || (st = now_ns(&t1)) != FE_OK)
			break;
		add(&stats.busy_ns, t1 - t0);
		add(&stats.cycles, 1);
		for (unsigned c = 0; c < STREAM_CPUS; c++)
			__atomic_store_n(&done_seq[c], cursor.last[c], __ATOMIC_RELEASE);
		if ((st = fe_notif_signal(rounds, 1)) != FE_OK)
			break;
		if (t1 - last_stats >= STATS_NS) {
			if ((st = send_stats()) != FE_OK || (st = drain(true)) != FE_OK)
				break;
			last_stats = t1;
		}
		if (sent < SEND_MAX) {
			st = fe_notif_wait_timeout(sleeper, &bits, PERIOD_NS);
			if (st != FE_ERR_TIMED_OUT && st != FE_OK)
				break;
		}
	}
end:
	printf("traced: %s; ending\n", fe_status_name(st));
	fe_process_exit(EXIT_SETUP);
}

/* True once every CPU's newest position in want[] is sent or counted lost. */
static bool reached(const uint64_t *want)
{
	for (unsigned c = 0; c < STREAM_CPUS; c++)
		if (__atomic_load_n(&done_seq[c], __ATOMIC_ACQUIRE) < want[c])
			return false;
	return true;
}

/* Waits until the pump has passed every record the rings hold now: the
 * newest position of each CPU in a read of the window. Finite under any
 * load: a record the pump does not send leaves the window and is counted
 * lost when it sees a later one of its CPU. */
static fe_status_t wait_sent(void)
{
	uint64_t want[STREAM_CPUS] = { 0 }, n, bits;
	fe_status_t st;

	while (__atomic_exchange_n(&syncing, true, __ATOMIC_ACQUIRE))
		(void)fe_thread_yield();
	st = fe_trace_read(tr, sync_window, WINDOW, &n);
	for (uint64_t i = 0; st == FE_OK && i < n; i++)
		if (sync_window[i].cpu < STREAM_CPUS && sync_window[i].seq > want[sync_window[i].cpu])
			want[sync_window[i].cpu] = sync_window[i].seq;
	while (st == FE_OK && !reached(want))
		st = fe_notif_wait(rounds, 0, &bits);
	__atomic_store_n(&syncing, false, __ATOMIC_RELEASE);
	return st;
}

static fe_status_t handle(struct fe_msg *m, void *ctx)
{
	uint32_t label = FE_MSG_LABEL(m->info);
	fe_status_t st;

	(void)ctx;
	if (label != FE_TRACED_STATS && label != FE_TRACED_SYNC)
		return FE_ERR_UNSUPPORTED;
	if (label == FE_TRACED_SYNC && (st = wait_sent()) != FE_OK)
		return st;
	m->w[0] = __atomic_load_n(&stats.sent, __ATOMIC_RELAXED);
	m->w[1] = __atomic_load_n(&stats.lost, __ATOMIC_RELAXED);
	m->w[2] = __atomic_load_n(&stats.self, __ATOMIC_RELAXED);
	m->w[3] = __atomic_load_n(&stats.bytes, __ATOMIC_RELAXED);
	fe_service_reply_words(m, 4);
	return FE_OK;
}

/* The scratch register keeps what is written to it only where a UART is. */
static bool uart_present(void)
{
	uint32_t v = 0;

	return fe_ioport_out(io, COM2 + UART_SCRATCH, 1, 0x5a) == FE_OK &&
	       fe_ioport_in(io, COM2 + UART_SCRATCH, 1, &v) == FE_OK && v == 0x5a;
}

/* 8N1 at the fastest divisor, FIFOs on, no interrupts: the pump polls LSR. */
static fe_status_t uart_init(void)
{
	const uint8_t seq[][2] = {
		{ UART_IER, 0 }, { UART_LCR, UART_LCR_DLAB }, { UART_DLL, UART_DIVISOR_115200 }, { UART_DLM, 0 },
		{ UART_LCR, UART_LCR_8N1 }, { UART_FCR, UART_FCR_ENABLE_CLEAR }, { UART_MCR, MCR_DTR_RTS },
	};
	fe_status_t st;

	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		if ((st = fe_ioport_out(io, COM2 + seq[i][0], 1, seq[i][1])) != FE_OK)
			return st;
	return FE_OK;
}

/* The header: what the host needs to read the records (and the boot id). */
static fe_status_t send_header(void)
{
	struct fe_kernel_stats ks;
	struct fe_tstream_header h = {
		.magic = FE_TSTREAM_MAGIC, .version = FE_TSTREAM_VERSION,
		.record_size = sizeof(struct fe_trace_record), .exporter = self_koid,
	};
	fe_status_t st;

	if ((st = fe_kernel_stats(tr, &ks)) != FE_OK || (st = now_ns(&h.start_ns)) != FE_OK)
		return st;
	h.tsc_hz = ks.tsc_hz;
	h.cpus = (uint32_t)ks.cpus;
	/* Differs between boots as the time of this call and the count of
	 * system calls so far do; mixed so nearby boots look unalike. */
	h.boot_id = stream_crc32(0, &h.start_ns, 8) | (uint64_t)stream_crc32(0, &ks, sizeof(ks)) << 32;
	if ((st = emit(FE_TSTREAM_HEADER, &h, sizeof(h))) != FE_OK)
		return st;
	return drain(true);
}

static void serve(void *arg)
{
	(void)arg;
	(void)fe_service_serve(handle, NULL); /* returns only without an endpoint */
}

static fe_status_t start(void)
{
	struct fe_handle_info info;
	fe_handle_t t;
	fe_status_t st;

	if ((st = fe_notif_create(&sleeper)) != FE_OK || (st = fe_notif_create(&rounds)) != FE_OK ||
	    (st = uart_init()) != FE_OK)
		return st;
	if ((st = fe_thread_spawn(pump, NULL, FE_PRIORITY_DEFAULT, &t)) != FE_OK)
		return st;
	if ((st = fe_handle_info(t, &info)) != FE_OK)
		return st;
	/* The pump waits for this before it sends anything. */
	__atomic_store_n(&self_koid, (uint32_t)info.koid, __ATOMIC_RELEASE);
	return fe_thread_spawn(serve, NULL, FE_PRIORITY_DEFAULT, &t);
}

int main(int argc, char **argv)
{
	fe_status_t st;

	(void)argc, (void)argv;
	io = fe_start_handle(FE_START_IOPORT_COM2);
	tr = fe_start_handle(FE_START_TRACE);
	if (io == FE_HANDLE_INVALID || tr == FE_HANDLE_INVALID) {
		printf("traced: needs the capabilities trace and ioport-com2\n");
		return EXIT_SETUP;
	}
	if (!uart_present()) {
		printf("traced: no UART at COM2 (%#x); nothing to export to\n", COM2);
		return 0;
	}
	if ((st = start()) != FE_OK) {
		printf("traced: cannot start: %s\n", fe_status_name(st));
		return EXIT_SETUP;
	}
	printf("traced: streaming trace records to COM2 at %#x\n", COM2);
	serve(NULL);
	fe_thread_exit(); /* the pump goes on */
}
