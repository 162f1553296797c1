/* SPDX-License-Identifier: MIT */
/*
 * A ring of fixed-size trace records (DESIGN section 7): one producer, one
 * concurrent consumer, no locks and no atomic read-modify-write.
 *
 * Producer: exactly one at a time. In the kernel each CPU owns its ring and
 * writes it with interrupts disabled, so nothing else on that CPU can emit
 * in between (NMIs do not emit). It marks the slot busy, writes the payload,
 * publishes it by storing seq = position + 1 (release), then advances head.
 * That is a handful of plain stores: the hot paths (every system call, every
 * switch) pay no locked instruction for tracing.
 * The ring overwrites its oldest records when full (a flight recorder); the
 * producer does not count that (trace_ring_overwritten works it out from the
 * positions and the consumer's own count of what it skipped).
 *
 * Consumer: one at a time, on any CPU, concurrently with the producer. It
 * reads records in order from `tail`, validating each with a seqlock-style
 * double read of `seq`; records lost to overwriting are reported as a count,
 * never returned torn.
 *
 * Pure logic (host-tested with a producer thread racing a reader thread).
 */
#ifndef FERROUS_TRACE_RING_H
#define FERROUS_TRACE_RING_H

#include <stdatomic.h>
#include <stdint.h>

#include <ferrous/errors.h>
#include <ferrous/trace.h>

/* A struct fe_trace_record, word by word, so a reader can map the slots and
 * read records in place (zero-copy export). */
struct trace_slot {
	_Atomic uint64_t seq;      /* 0 never written, BUSY while written, else position + 1 */
	_Atomic uint64_t words[7]; /* the record after seq: tsc .. arg[3] */
};
_Static_assert(sizeof(struct trace_slot) == sizeof(struct fe_trace_record), "slot is a record");

#define TRACE_SEQ_BUSY UINT64_MAX

struct trace_ring {
	_Atomic uint64_t head;        /* next position to write; written by the producer only */
	_Atomic uint64_t tail;        /* next position to read; written by the consumer only */
	_Atomic uint64_t skipped;     /* records the consumer found overwritten; consumer only */
	uint64_t mask;                /* capacity - 1 (capacity a power of two) */
	struct trace_slot *slots;
};

/* capacity must be a power of two >= 2; slots has `capacity` entries. */
fe_status_t trace_ring_init(struct trace_ring *r, struct trace_slot *slots, uint64_t capacity);

/* Appends rec (its seq field is ignored). Never blocks, never fails. The
 * caller guarantees no other producer runs on r until it returns. Inline:
 * it is on every traced hot path. */
static inline void trace_ring_emit(struct trace_ring *r, const struct fe_trace_record *rec)
{
	uint64_t pos = atomic_load_explicit(&r->head, memory_order_relaxed);
	struct trace_slot *s = &r->slots[pos & r->mask];
	uint64_t words[7];

	/* Busy before the payload changes, so a reader of the old record sees it torn. */
	atomic_store_explicit(&s->seq, TRACE_SEQ_BUSY, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	__builtin_memcpy(words, &rec->tsc, sizeof(words));
	for (unsigned w = 0; w < 7; w++)
		atomic_store_explicit(&s->words[w], words[w], memory_order_relaxed);
	atomic_store_explicit(&s->seq, pos + 1, memory_order_release);
	atomic_store_explicit(&r->head, pos + 1, memory_order_release);
}

/*
 * Reads the next record: FE_OK with *out (out->seq = position + 1);
 * FE_ERR_WOULD_BLOCK when nothing complete is waiting. *lost is increased by
 * the number of records skipped since the previous read (overwritten or
 * being overwritten). One consumer at a time.
 */
fe_status_t trace_ring_read(struct trace_ring *r, struct fe_trace_record *out, uint64_t *lost);

/* Records overwritten before the consumer read them: those it skipped, plus
 * those that have left the ring since its last read. */
uint64_t trace_ring_overwritten(struct trace_ring *r);

/* Copies the record `back` positions before the head (1 = newest) without
 * consuming it; FE_ERR_NOT_FOUND if it is not there or not committed. */
fe_status_t trace_ring_peek(struct trace_ring *r, uint64_t back, struct fe_trace_record *out);

#endif /* FERROUS_TRACE_RING_H */
