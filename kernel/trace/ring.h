/* SPDX-License-Identifier: MIT */
/*
 * A lock-free ring of fixed-size trace records (DESIGN section 7).
 *
 * Producers: any number, concurrently (in the kernel: one CPU plus its nested
 * interrupt handlers). A producer reserves a position with one fetch-add on
 * `head`, claims the slot by compare-and-swap on the slot's `seq` word, writes
 * the payload, and publishes it by storing seq = position + 1 (release).
 * The ring overwrites its oldest records when full (a flight recorder);
 * overwriting a record the consumer has not read counts in `overwritten`.
 * If a slot is still being written by a producer that was lapped, the newer
 * producer drops its record (counted in `dropped`) and leaves a skip mark so
 * the consumer does not wait for it.
 *
 * Consumer: one at a time. It reads records in order from `tail`, validating
 * each with a seqlock-style double read of `seq`; records lost to overwriting
 * or dropping are reported as a count, never returned torn.
 *
 * Pure logic (host-tested under concurrency with threads).
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

struct trace_ring {
	_Atomic uint64_t head;        /* next position to reserve */
	_Atomic uint64_t tail;        /* next position the consumer reads */
	_Atomic uint64_t overwritten; /* unread records overwritten */
	_Atomic uint64_t dropped;     /* records abandoned: their slot was busy */
	uint64_t mask;                /* capacity - 1 (capacity a power of two) */
	struct trace_slot *slots;
	_Atomic uint64_t *skips;      /* per slot: position + 1 of a record dropped there */
};

/* capacity must be a power of two >= 2; slots and skips have `capacity` entries. */
fe_status_t trace_ring_init(struct trace_ring *r, struct trace_slot *slots, _Atomic uint64_t *skips,
                            uint64_t capacity);

/* Appends rec (its seq field is ignored). Never blocks, never fails: a lost
 * record is counted instead. */
void trace_ring_emit(struct trace_ring *r, const struct fe_trace_record *rec);

/*
 * Reads the next record: FE_OK with *out (out->seq = position + 1);
 * FE_ERR_WOULD_BLOCK when nothing complete is waiting. *lost is increased by
 * the number of records skipped since the previous read (overwritten, torn
 * or dropped). One consumer at a time.
 */
fe_status_t trace_ring_read(struct trace_ring *r, struct fe_trace_record *out, uint64_t *lost);

/* Copies the record `back` positions before the head (1 = newest) without
 * consuming it; FE_ERR_NOT_FOUND if it is not there or not committed. */
fe_status_t trace_ring_peek(struct trace_ring *r, uint64_t back, struct fe_trace_record *out);

#endif /* FERROUS_TRACE_RING_H */
