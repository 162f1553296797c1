/* SPDX-License-Identifier: MIT */
/*
 * The exporter's pure logic (no system calls): framing records into the
 * trace stream (include/ferrous/trace_stream.h) and following each CPU's
 * ring position, so that a record is sent once and every record never sent
 * is counted.
 */
#ifndef TRACED_STREAM_H
#define TRACED_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferrous/trace_stream.h>

#define STREAM_CPUS 64u /* CPU indexes the cursor follows (MAX_CPUS is 16) */
#define FRAME_MAX (FE_TSTREAM_HEAD_BYTES + FE_TSTREAM_PAYLOAD_MAX + FE_TSTREAM_CRC_BYTES)

/* CRC-32 (IEEE, reflected, as zlib's crc32) of n bytes, continuing from crc (0 to start). */
uint32_t stream_crc32(uint32_t crc, const void *p, size_t n);

/* Writes one frame into out (at least FRAME_MAX bytes); returns its length,
 * or 0 if len > FE_TSTREAM_PAYLOAD_MAX (nothing written). */
size_t stream_frame(uint8_t type, const void *payload, size_t len, uint8_t *out);

/* Per CPU, the newest ring position (record seq) already accounted for. */
struct cursor {
	uint64_t last[STREAM_CPUS];
	bool started[STREAM_CPUS];
};

enum cursor_verdict {
	CURSOR_OLD,  /* already accounted for: skip it */
	CURSOR_NEW,  /* the next record of its CPU */
	CURSOR_GAP,  /* new, with *lost records of its CPU before it never seen */
	CURSOR_BAD,  /* a CPU index the cursor cannot follow */
};

/*
 * Accounts for rec, which must come in ring order per CPU (fe_trace_read
 * gives each CPU's records oldest first). For a CPU's first record, a gap
 * (*reason FE_TSTREAM_LOST_BEFORE) is what its ring held before; later gaps
 * are FE_TSTREAM_LOST_OVERWRITTEN. *first_seq is the gap's first position.
 */
enum cursor_verdict cursor_take(struct cursor *c, const struct fe_trace_record *rec, uint64_t *lost,
                                uint64_t *first_seq, uint32_t *reason);

#endif /* TRACED_STREAM_H */
