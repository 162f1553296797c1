/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/trace/ring.c: order and contents, wrap-around with
 * overflow counting, a record caught mid-overwrite, and a concurrent model:
 * one producer thread and a reader thread racing it (the kernel's per-CPU
 * ring: its CPU writes, any CPU reads).
 */
#include "host_test.h"

#include <pthread.h>
#include <stdbool.h>

#include "trace/ring.h"

struct ring_fixture {
	struct trace_ring r;
	struct trace_slot *slots;
};

static struct ring_fixture *make(uint64_t cap)
{
	struct ring_fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->slots = calloc(cap, sizeof(*f->slots));
	assert_status(trace_ring_init(&f->r, f->slots, cap), FE_OK);
	return f;
}

static void destroy(struct ring_fixture *f)
{
	free(f->slots);
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

	assert_status(trace_ring_init(&r, slots, 3), FE_ERR_INVALID_ARG);
	assert_status(trace_ring_init(&r, slots, 1), FE_ERR_INVALID_ARG);
	assert_status(trace_ring_init(&r, NULL, 4), FE_ERR_INVALID_ARG);
	assert_status(trace_ring_init(&r, slots, 4), FE_OK);
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
	assert_int_equal(trace_ring_overwritten(&f->r), 0);
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
	assert_int_equal(trace_ring_overwritten(&f->r), 5);
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
	assert_int_equal(trace_ring_overwritten(&f->r), 5);
	destroy(f);
}

/* A published record whose slot the producer is rewriting (seq busy, or
 * already a newer position) is counted lost; the reader never waits for it
 * and never returns it torn. */
static void record_being_overwritten_is_lost(void **state)
{
	(void)state;
	struct ring_fixture *f = make(4);
	struct fe_trace_record out;
	uint64_t lost = 0;

	for (uint64_t i = 0; i < 4; i++) {
		struct fe_trace_record in = rec(FE_TRACE_IRQ_ENTER, i);
		trace_ring_emit(&f->r, &in);
	}
	/* The producer has started on position 4 (slot 0) but not published it. */
	atomic_store(&f->slots[0].seq, TRACE_SEQ_BUSY);
	atomic_store(&f->slots[0].words[0], 12345);
	uint64_t got[4], n = 0;
	while (trace_ring_read(&f->r, &out, &lost) == FE_OK)
		got[n++] = out.arg[0];
	assert_int_equal(n, 3);
	assert_int_equal(got[0], 1);
	assert_int_equal(got[2], 3);
	assert_int_equal(lost, 1);
	/* Once position 4 is published the reader picks it up. */
	atomic_store(&f->slots[0].seq, 0);
	struct fe_trace_record in = rec(FE_TRACE_IRQ_ENTER, 4);
	trace_ring_emit(&f->r, &in);
	assert_status(trace_ring_read(&f->r, &out, &lost), FE_OK);
	assert_int_equal(out.arg[0], 4);
	assert_int_equal(out.seq, 5);
	destroy(f);
}

/* ---- concurrent model ---- */

/* One producer (the ring's contract), a reader racing it from another thread. */
enum { PRODUCERS = 1, PER_PRODUCER = 1000000, CAP = 1024 };

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

static void reader_racing_producer_never_tears(void **state)
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
	print_message("# read %lu, lost %lu, overwritten %lu\n", (unsigned long)res.read,
	              (unsigned long)res.lost, (unsigned long)trace_ring_overwritten(&m.f->r));
	assert_int_equal(res.torn, 0);
	assert_int_equal(res.out_of_order, 0);
	assert_int_equal(res.read + res.lost, (uint64_t)PRODUCERS * PER_PRODUCER);
	/* Quiescent: every record lost to the reader was overwritten unread. */
	assert_int_equal(trace_ring_overwritten(&m.f->r), res.lost);
	assert_true(res.read > 0);
	destroy(m.f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_checks_arguments),
		cmocka_unit_test(records_read_back_in_order),
		cmocka_unit_test(wrap_overwrites_oldest_and_counts),
		cmocka_unit_test(record_being_overwritten_is_lost),
		cmocka_unit_test(reader_racing_producer_never_tears),
	};
	return cmocka_run_group_tests_name("trace_ring", tests, NULL, NULL);
}
