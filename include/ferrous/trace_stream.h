/* SPDX-License-Identifier: MIT */
/*
 * The trace stream: how the exporter (user/traced) sends trace records off
 * the machine through a serial port, and what the host tool (tools/trace.py)
 * decodes. docs/tracing.md, "The stream".
 *
 * A stream is a sequence of frames, each
 *
 *   sync    4 bytes  FE_TSTREAM_SYNC, little-endian ("FTr\xa5")
 *   type    1 byte   enum fe_tstream_type
 *   flags   1 byte   0
 *   length  2 bytes  payload bytes, little-endian, at most FE_TSTREAM_PAYLOAD_MAX
 *   payload length bytes
 *   crc     4 bytes  CRC-32 (IEEE 802.3, as zlib's crc32) of type .. payload
 *
 * All integers little-endian. A reader that finds a bad CRC or length skips
 * one byte and looks for the next sync word, so corruption costs the frames
 * it touches and no more. The layouts below are ABI, like trace.h: types are
 * appended, payloads only grow at their end (a reader ignores extra bytes).
 */
#ifndef FERROUS_TRACE_STREAM_H
#define FERROUS_TRACE_STREAM_H

#include <stdint.h>

#include <ferrous/trace.h>

#define FE_TSTREAM_SYNC 0xa5725446u   /* bytes 46 54 72 a5 */
#define FE_TSTREAM_VERSION 1u
#define FE_TSTREAM_HEAD_BYTES 8u      /* sync, type, flags, length */
#define FE_TSTREAM_CRC_BYTES 4u
/* Records per records frame: a frame stays small, so a corrupted byte costs
 * at most this many records. */
#define FE_TSTREAM_RECORDS_MAX 8u
#define FE_TSTREAM_PAYLOAD_MAX (FE_TSTREAM_RECORDS_MAX * sizeof(struct fe_trace_record))

enum fe_tstream_type {
	FE_TSTREAM_HEADER = 1,  /* struct fe_tstream_header: first, and again after a restart */
	FE_TSTREAM_RECORDS = 2, /* 1..FE_TSTREAM_RECORDS_MAX struct fe_trace_record, as in the ring */
	FE_TSTREAM_LOST = 3,    /* struct fe_tstream_lost */
	FE_TSTREAM_STATS = 4,   /* struct fe_tstream_stats */
};

#define FE_TSTREAM_MAGIC 0x4543415254534546ull /* "FESTRACE" */

struct fe_tstream_header {
	uint64_t magic;       /* FE_TSTREAM_MAGIC */
	uint32_t version;     /* FE_TSTREAM_VERSION */
	uint32_t record_size; /* sizeof(struct fe_trace_record) */
	uint64_t tsc_hz;      /* the records' time base */
	uint64_t boot_id;     /* differs between boots (not cryptographic) */
	uint32_t cpus;        /* CPUs online */
	uint32_t exporter;    /* the exporter thread's koid: its own system calls are not sent */
	uint64_t start_ns;    /* when the exporter started (fe_cpu_stats' clock, ns since boot) */
};
_Static_assert(sizeof(struct fe_tstream_header) == 48, "header layout");

/* Why records were never sent. */
enum fe_tstream_lost_reason {
	FE_TSTREAM_LOST_OVERWRITTEN = 0, /* the ring overwrote them (or they left the read window) first */
	FE_TSTREAM_LOST_BEFORE = 1,      /* emitted and gone before the exporter started */
};

/* `count` records of CPU `cpu`, ring positions first_seq .. first_seq + count - 1
 * (seq as in the record), were not sent. */
struct fe_tstream_lost {
	uint32_t cpu;
	uint32_t reason; /* enum fe_tstream_lost_reason */
	uint64_t count;
	uint64_t first_seq;
};
_Static_assert(sizeof(struct fe_tstream_lost) == 24, "lost layout");

/* The exporter's counters since it started (totals, not deltas). */
struct fe_tstream_stats {
	uint64_t ns;       /* when sent (ns since boot) */
	uint64_t sent;     /* records sent */
	uint64_t lost;     /* records lost (all lost frames, both reasons) */
	uint64_t self;     /* its own system call records, counted and not sent */
	uint64_t bytes;    /* bytes written to the port, this frame excluded */
	uint64_t frames;   /* frames written, this one excluded */
	uint64_t busy_ns;  /* time spent reading and sending (sent / busy_ns: its rate when backlogged) */
	uint64_t cycles;   /* read-and-send rounds */
};
_Static_assert(sizeof(struct fe_tstream_stats) == 64, "stats layout");

/* The exporter's own protocol on its service endpoint (fe/service.h labels below
 * the control range). STATS: () -> w0 sent, w1 lost, w2 self, w3 bytes.
 * SYNC: the same, answered once a round that began after the call came has
 * caught up: every record emitted before the call is then sent or counted
 * lost (the console's `traced`; tests end a capture with it). */
#define FE_TRACED_STATS 1u
#define FE_TRACED_SYNC 2u

#endif /* FERROUS_TRACE_STREAM_H */
