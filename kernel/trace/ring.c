/* SPDX-License-Identifier: MIT */
#include "ring.h"

fe_status_t trace_ring_init(struct trace_ring *r, struct trace_slot *slots, uint64_t capacity)
{
	if (slots == 0 || capacity < 2 || (capacity & (capacity - 1)) != 0)
		return FE_ERR_INVALID_ARG;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->skipped, 0);
	r->mask = capacity - 1;
	r->slots = slots;
	for (uint64_t i = 0; i < capacity; i++) {
		atomic_init(&slots[i].seq, 0);
		for (unsigned w = 0; w < 7; w++)
			atomic_init(&slots[i].words[w], 0);
	}
	return FE_OK;
}

/* Copies slot s out if it holds position pos intact. */
static int copy_if_valid(struct trace_slot *s, uint64_t pos, struct fe_trace_record *out)
{
	uint64_t words[7];

	if (atomic_load_explicit(&s->seq, memory_order_acquire) != pos + 1)
		return 0;
	for (unsigned w = 0; w < 7; w++)
		words[w] = atomic_load_explicit(&s->words[w], memory_order_relaxed);
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&s->seq, memory_order_relaxed) != pos + 1)
		return 0;
	out->seq = pos + 1;
	__builtin_memcpy(&out->tsc, words, sizeof(words));
	return 1;
}

fe_status_t trace_ring_read(struct trace_ring *r, struct fe_trace_record *out, uint64_t *lost)
{
	uint64_t cap = r->mask + 1;
	uint64_t pos = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint64_t skipped = 0;
	fe_status_t st = FE_ERR_WOULD_BLOCK;

	for (;;) {
		uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
		if (pos >= head)
			break;
		if (head - pos > cap) { /* the producer lapped us */
			skipped += head - cap - pos;
			pos = head - cap;
			continue;
		}
		/* Every position below head was published once; if it no longer
		 * reads back intact, the producer has moved on over it. */
		if (copy_if_valid(&r->slots[pos & r->mask], pos, out)) {
			pos++;
			st = FE_OK;
			break;
		}
		skipped++;
		pos++;
	}
	*lost += skipped;
	atomic_store_explicit(&r->skipped, atomic_load_explicit(&r->skipped, memory_order_relaxed) + skipped,
	                      memory_order_relaxed);
	atomic_store_explicit(&r->tail, pos, memory_order_release);
	return st;
}

uint64_t trace_ring_overwritten(struct trace_ring *r)
{
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	uint64_t cap = r->mask + 1;

	return atomic_load_explicit(&r->skipped, memory_order_relaxed) +
	       (head > tail + cap ? head - cap - tail : 0);
}

fe_status_t trace_ring_peek(struct trace_ring *r, uint64_t back, struct fe_trace_record *out)
{
	uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);

	if (back == 0 || back > head || back > r->mask + 1)
		return FE_ERR_NOT_FOUND;
	uint64_t pos = head - back;
	return copy_if_valid(&r->slots[pos & r->mask], pos, out) ? FE_OK : FE_ERR_NOT_FOUND;
}
