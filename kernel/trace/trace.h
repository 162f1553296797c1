/* SPDX-License-Identifier: MIT */
/*
 * Emitting trace events into the current CPU's ring (schema:
 * include/ferrous/trace.h). Cheap enough for every hot path: when tracing is
 * off, one load and a branch at the call site; when on, a TSC read and ten
 * plain stores with interrupts held off (each CPU is its ring's only
 * producer, ring.h). Safe from any context but NMI, including before the
 * rings exist (events are then not recorded).
 */
#ifndef FERROUS_TRACE_TRACE_H
#define FERROUS_TRACE_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include <arch/x86.h>
#include <ferrous/errors.h>
#include <ferrous/trace.h>

#define TRACE_RING_ORDER 6u /* 2^6 pages = 256 KiB = 4096 records per CPU */
#define TRACE_RING_RECORDS ((4096u << TRACE_RING_ORDER) / sizeof(struct fe_trace_record))

struct cpu;

/* Allocates c's ring. FE_ERR_NO_MEMORY leaves c untraced. */
fe_status_t trace_init_cpu(struct cpu *c);

void trace_set_enabled(bool on);
bool trace_enabled(void);

/* Set by trace_set_enabled; read inline so a disabled event costs a branch. */
extern volatile bool trace_on;

/* The time stamp of records: the TSC (why not something cheaper: docs/tracing.md). */
static inline uint64_t trace_clock(void)
{
	return rdtsc();
}

void trace_record(uint16_t type, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);

static inline void trace_emit(uint16_t type, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	if (trace_on)
		trace_record(type, a0, a1, a2, a3);
}

/* A system call's start time for trace_syscall_hot (trace/emit.h): 0 while
 * tracing is off. */
static inline uint64_t trace_syscall_begin(void)
{
	return trace_on ? trace_clock() : 0;
}

/* Consumer side (one consumer per ring): see trace_ring_read. */
fe_status_t trace_read(uint32_t cpu_index, struct fe_trace_record *out, uint64_t *lost);

/* The record `back` positions before the newest on a CPU (1 = newest),
 * without consuming it. */
fe_status_t trace_peek(uint32_t cpu_index, uint64_t back, struct fe_trace_record *out);

struct trace_stats {
	uint64_t emitted;     /* records written */
	uint64_t overwritten; /* unread records overwritten */
};
struct trace_stats trace_get_stats(uint32_t cpu_index);

/* A short name for an event type ("frame_alloc"), never NULL. */
const char *trace_event_name(uint16_t type);

#endif /* FERROUS_TRACE_TRACE_H */
