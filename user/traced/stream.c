/* SPDX-License-Identifier: MIT */
#include "stream.h"

#include <string.h>

uint32_t stream_crc32(uint32_t crc, const void *p, size_t n)
{
	static uint32_t table[256];
	const uint8_t *b = p;

	/* Built on first use; the exporter calls it from one thread only. */
	if (table[1] == 0)
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	crc = ~crc;
	while (n--)
		crc = table[(crc ^ *b++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

size_t stream_frame(uint8_t type, const void *payload, size_t len, uint8_t *out)
{
	if (len > FE_TSTREAM_PAYLOAD_MAX)
		return 0;
	put32(out, FE_TSTREAM_SYNC);
	out[4] = type;
	out[5] = 0;
	put16(out + 6, (uint16_t)len);
	memcpy(out + FE_TSTREAM_HEAD_BYTES, payload, len);
	/* The CRC covers type .. payload: not the sync word, which the reader has matched. */
	put32(out + FE_TSTREAM_HEAD_BYTES + len, stream_crc32(0, out + 4, 4 + len));
	return FE_TSTREAM_HEAD_BYTES + len + FE_TSTREAM_CRC_BYTES;
}

enum cursor_verdict cursor_take(struct cursor *c, const struct fe_trace_record *rec, uint64_t *lost,
                                uint64_t *first_seq, uint32_t *reason)
{
	uint32_t cpu = rec->cpu;

	if (cpu >= STREAM_CPUS || rec->seq == 0)
		return CURSOR_BAD;
	if (c->started[cpu] && rec->seq <= c->last[cpu])
		return CURSOR_OLD;
	uint64_t expect = c->started[cpu] ? c->last[cpu] + 1 : 1;
	*reason = c->started[cpu] ? FE_TSTREAM_LOST_OVERWRITTEN : FE_TSTREAM_LOST_BEFORE;
	c->started[cpu] = true;
	c->last[cpu] = rec->seq;
	if (rec->seq == expect)
		return CURSOR_NEW;
	*lost = rec->seq - expect;
	*first_seq = expect;
	return CURSOR_GAP;
}
