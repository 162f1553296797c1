/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/trace/ring.c: order and contents, wrap-around with
 * overflow counting, the dropped-record path, and a concurrent model with
 * several producer threads and a reader racing them (the kernel's per-CPU
 * ring sees one CPU plus nested interrupts; threads are a harsher model).
 */
#include "host_test.h"

#include <pthread.h>
#include <stdbool.h>

#include "trace/ring.h"

struct ring_fixture {
	struct trace_ring r;
	struct trace_slot *slots;
	_Atomic uint64_t *skips;
};

static struct ring_fixture *make(uint64_t cap)
{
	struct ring_fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->slots = calloc(cap, sizeof(*f->slots));
	f->skips = calloc(cap, sizeof(*f->skips));
	assert_status(trace_ring_init(&f->r, f->slots, f->skips, cap), FE_OK);
	return f;
}

static void destroy(struct ring_fixture *f)
{
	free(f->slots);
	free((void *)f->skips);
	free(f);
}

static struct fe_trace_record rec(uint16_t type, uint64_t a0)
{
	struct fe_trace_record r = { .tsc = 1000 + a0, .span = 7, .thread = 3, .type = type,
	                             .cpu = 1, .arg = { a0, a0 * 2, a0 * 3, ~a0 } };
	return r;
}

static void init_checks_arguments(void **state)
{
	(void)state;
	struct trace_ring r;
	struct trace_slot slots[4];
	_Atomic uint64_t skips[4];

	assert_status(trace_ring_init(&r, slots, skips, 3), FE_ERR_INVALID_ARG);
	assert_status(trace_ring_init(&r, slots, skips, 1), FE_ERR_INVALID_ARG);
	assert_status(trace_ring_init(&r, NULL, skips, 4), FE_ERR_INVALID_ARG);
	assert_status(trace_ring_init(&r, slots, NULL, 4), FE_ERR_INVALID_ARG);
	assert_status(trace_ring_init(&r, slots, skips, 4), FE_OK);
}

static void records_read_back_in_order(void **state)
{
	(void)state;
	struct ring_fixture *f = make(16);
	struct fe_trace_record out;
	uint64_t lost = 0;

	assert_status(trace_ring_read(&f->r, &out, &lost), FE_ERR_WOULD_BLOCK);
	for (uint64_t i = 0; i < 10; i++) {
		struct fe_trace_record in = rec(FE_TRACE_FRAME_ALLOC, i);
		trace_ring_emit(&f->r, &in);
	}
	for (uint64_t i = 0; i < 10; i++) {
		assert_status(trace_ring_read(&f->r, &out, &lost), FE_OK);
		struct fe_trace_record want = rec(FE_TRACE_FRAME_ALLOC, i);
		want.seq = i + 1;
		assert_memory_equal(&out, &want, sizeof(out));
	}
	assert_status(trace_ring_read(&f->r, &out, &lost), FE_ERR_WOULD_BLOCK);
	assert_int_equal(lost, 0);
	assert_int_equal(atomic_load(&f->r.overwritten), 0);
	destroy(f);
}

static void wrap_overwrites_oldest_and_counts(void **state)
{
	(void)state;
	struct ring_fixture *f = make(8);
	struct fe_trace_record out;
	uint64_t lost = 0;

	for (uint64_t i = 0; i < 8 + 5; i++) {
		struct fe_trace_record in = rec(FE_TRACE_IRQ_ENTER, i);
		trace_ring_emit(&f->r, &in);
	}
	assert_int_equal(atomic_load(&f->r.overwritten), 5);
	for (uint64_t i = 5; i < 13; i++) {
		assert_status(trace_ring_read(&f->r, &out, &lost), FE_OK);
		assert_int_equal(out.arg[0], i);
	}
	assert_int_equal(lost, 5);
	assert_status(trace_ring_read(&f->r, &out, &lost), FE_ERR_WOULD_BLOCK);
	/* Records already read are not counted as overwritten later. */
	for (uint64_t i = 0; i < 8; i++) {
		struct fe_trace_record in = rec(FE_TRACE_IRQ_ENTER, 100 + i);
		trace_ring_emit(&f->r, &in);
	}
	assert_int_equal(atomic_load(&f->r.overwritten), 5);
	destroy(f);
}

/* A producer that finds its slot still owned by a lapped producer drops its
 * record, counts it, and the reader skips the hole instead of waiting. */
static void busy_slot_drops_and_reader_skips(void **state)
{
	(void)state;
	struct ring_fixture *f = make(4);
	struct fe_trace_record out;
	uint64_t lost = 0;

	for (uint64_t i = 0; i < 3; i++) {
		struct fe_trace_record in = rec(FE_TRACE_IRQ_ENTER, i);
		trace_ring_emit(&f->r, &in);
	}
	/* Simulate a producer stalled half-way through writing position 3. */
	atomic_store(&f->r.head, 4);
	atomic_store(&f->slots[3].seq, UINT64_MAX);
	/* Position 7 maps to the same slot: dropped. */
	for (uint64_t i = 4; i < 8; i++) {
		struct fe_trace_record in = rec(FE_TRACE_IRQ_ENTER, i);
		trace_ring_emit(&f->r, &in);
	}
	assert_int_equal(atomic_load(&f->r.dropped), 1);
	/* The stalled producer finally publishes position 3, which is stale by now. */
	atomic_store(&f->slots[3].seq, 4);
	uint64_t got[8], n = 0;
	while (trace_ring_read(&f->r, &out, &lost) == FE_OK)
		got[n++] = out.arg[0];
	assert_int_equal(n, 3);
	assert_int_equal(got[0], 4);
	assert_int_equal(got[1], 5);
	assert_int_equal(got[2], 6);
	assert_int_equal(lost + n, 8);
	destroy(f);
}

/* ---- concurrent model ---- */

enum { PRODUCERS = 4, PER_PRODUCER = 200000, CAP = 1024 };

struct model {
	struct ring_fixture *f;
	_Atomic int producers_done;
};

struct producer_arg {
	struct model *m;
	uint32_t id;
};

/* The payload is self-checking: arg[3] is a function of the other fields. */
static uint64_t check_word(const struct fe_trace_record *r)
{
	return (r->arg[0] * 0x9e3779b97f4a7c15ULL) ^ r->arg[1] ^ r->tsc ^ ((uint64_t)r->thread << 40);
}

static void *producer(void *p)
{
	struct producer_arg *a = p;

	for (uint64_t i = 0; i < PER_PRODUCER; i++) {
		struct fe_trace_record r = { .tsc = i * 7 + a->id, .thread = a->id,
		                             .type = FE_TRACE_IPC_SEND, .arg = { i, a->id } };
		r.arg[2] = ~i;
		r.arg[3] = check_word(&r);
		trace_ring_emit(&a->m->f->r, &r);
	}
	atomic_fetch_add(&a->m->producers_done, 1);
	return NULL;
}

struct reader_result {
	uint64_t read, lost, torn, out_of_order;
};

static void check_record(const struct fe_trace_record *r, uint64_t *last_seen,
                         struct reader_result *res)
{
	if (r->arg[3] != check_word(r) || r->arg[2] != ~r->arg[0] || r->thread >= PRODUCERS ||
	    r->arg[1] != r->thread) {
		res->torn++;
		return;
	}
	/* Each producer's records appear in its own emission order. */
	if (last_seen[r->thread] != UINT64_MAX && r->arg[0] <= last_seen[r->thread])
		res->out_of_order++;
	last_seen[r->thread] = r->arg[0];
}

static void concurrent_producers_never_tear(void **state)
{
	(void)state;
	struct model m = { .f = make(CAP) };
	pthread_t th[PRODUCERS];
	struct producer_arg args[PRODUCERS];
	struct reader_result res = { 0 };
	uint64_t last_seen[PRODUCERS];
	struct fe_trace_record r;

	for (int i = 0; i < PRODUCERS; i++)
		last_seen[i] = UINT64_MAX;
	for (uint32_t i = 0; i < PRODUCERS; i++) {
		args[i] = (struct producer_arg){ &m, i };
		assert_int_equal(pthread_create(&th[i], NULL, producer, &args[i]), 0);
	}
	for (;;) {
		int done = atomic_load(&m.producers_done) == PRODUCERS;
		while (trace_ring_read(&m.f->r, &r, &res.lost) == FE_OK) {
			res.read++;
			check_record(&r, last_seen, &res);
		}
		if (done)
			break;
	}
	for (int i = 0; i < PRODUCERS; i++)
		pthread_join(th[i], NULL);
	while (trace_ring_read(&m.f->r, &r, &res.lost) == FE_OK) {
		res.read++;
		check_record(&r, last_seen, &res);
	}
	print_message("# read %lu, lost %lu, overwritten %lu, dropped %lu\n",
	              (unsigned long)res.read, (unsigned long)res.lost,
	              (unsigned long)atomic_load(&m.f->r.overwritten),
	              (unsigned long)atomic_load(&m.f->r.dropped));
	assert_int_equal(res.torn, 0);
	assert_int_equal(res.out_of_order, 0);
	assert_int_equal(res.read + res.lost, (uint64_t)PRODUCERS * PER_PRODUCER);
	assert_true(res.read > 0);
	destroy(m.f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_checks_arguments),
		cmocka_unit_test(records_read_back_in_order),
		cmocka_unit_test(wrap_overwrites_oldest_and_counts),
		cmocka_unit_test(busy_slot_drops_and_reader_skips),
		cmocka_unit_test(concurrent_producers_never_tear),
	};
	return cmocka_run_group_tests_name("trace_ring", tests, NULL, NULL);
}
