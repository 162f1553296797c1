/* SPDX-License-Identifier: MIT */
#include "ring.h"

#define SEQ_BUSY UINT64_MAX

fe_status_t trace_ring_init(struct trace_ring *r, struct trace_slot *slots, _Atomic uint64_t *skips,
                            uint64_t capacity)
{
	if (slots == 0 || skips == 0 || capacity < 2 || (capacity & (capacity - 1)) != 0)
		return FE_ERR_INVALID_ARG;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->overwritten, 0);
	atomic_init(&r->dropped, 0);
	r->mask = capacity - 1;
	r->slots = slots;
	r->skips = skips;
	for (uint64_t i = 0; i < capacity; i++) {
		atomic_init(&slots[i].seq, 0);
		atomic_init(&skips[i], 0);
		for (unsigned w = 0; w < 7; w++)
			atomic_init(&slots[i].words[w], 0);
	}
	return FE_OK;
}

/* Claims the slot for position pos; false if another producer still owns it
 * or a newer one already took it. */
static int claim(struct trace_slot *s, uint64_t pos)
{
	uint64_t cur = atomic_load_explicit(&s->seq, memory_order_relaxed);

	for (;;) {
		if (cur == SEQ_BUSY || cur > pos)
			return 0;
		if (atomic_compare_exchange_weak_explicit(&s->seq, &cur, SEQ_BUSY, memory_order_acquire,
		                                          memory_order_relaxed))
			return 1;
	}
}

void trace_ring_emit(struct trace_ring *r, const struct fe_trace_record *rec)
{
	uint64_t pos = atomic_fetch_add_explicit(&r->head, 1, memory_order_relaxed);
	struct trace_slot *s = &r->slots[pos & r->mask];
	uint64_t words[7];

	if (!claim(s, pos)) {
		atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
		atomic_store_explicit(&r->skips[pos & r->mask], pos + 1, memory_order_release);
		return;
	}
	/* The slot held an older record; if it was never read, it is lost now. */
	uint64_t cap = r->mask + 1;
	if (pos >= cap && pos - cap >= atomic_load_explicit(&r->tail, memory_order_relaxed))
		atomic_fetch_add_explicit(&r->overwritten, 1, memory_order_relaxed);

	__builtin_memcpy(words, &rec->tsc, sizeof(words));
	for (unsigned w = 0; w < 7; w++)
		atomic_store_explicit(&s->words[w], words[w], memory_order_relaxed);
	atomic_store_explicit(&s->seq, pos + 1, memory_order_release);
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

	for (;;) {
		uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
		if (pos >= head)
			break;
		if (head - pos > cap) { /* the producers lapped us */
			*lost += head - cap - pos;
			pos = head - cap;
			continue;
		}
		struct trace_slot *s = &r->slots[pos & r->mask];
		if (copy_if_valid(s, pos, out)) {
			atomic_store_explicit(&r->tail, pos + 1, memory_order_release);
			return FE_OK;
		}
		uint64_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
		int gone = (seq != SEQ_BUSY && seq > pos + 1) ||
		           atomic_load_explicit(&r->skips[pos & r->mask], memory_order_acquire) == pos + 1;
		if (!gone)
			break; /* still being written: come back later */
		(*lost)++;
		pos++;
	}
	atomic_store_explicit(&r->tail, pos, memory_order_release);
	return FE_ERR_WOULD_BLOCK;
}

fe_status_t trace_ring_peek(struct trace_ring *r, uint64_t back, struct fe_trace_record *out)
{
	uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);

	if (back == 0 || back > head || back > r->mask + 1)
		return FE_ERR_NOT_FOUND;
	uint64_t pos = head - back;
	return copy_if_valid(&r->slots[pos & r->mask], pos, out) ? FE_OK : FE_ERR_NOT_FOUND;
}
