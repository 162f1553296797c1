/* SPDX-License-Identifier: MIT */
/*
 * Host tests of user/traced/stream.c, the exporter's pure logic: the frame
 * layout of include/ferrous/trace_stream.h with a CRC-32 that agrees with
 * zlib's (what tools/trace.py checks), and the cursor that sends each record
 * once and counts, exactly, every record of a CPU it never saw.
 */
#include "host_test.h"

#include <string.h>

#include "stream.h"

static struct fe_trace_record rec(uint16_t cpu, uint64_t seq)
{
	return (struct fe_trace_record){ .seq = seq, .cpu = cpu, .type = FE_TRACE_SYSCALL_ENTER };
}

static void crc_is_zlibs(void **state)
{
	(void)state;
	assert_int_equal(stream_crc32(0, "123456789", 9), 0xcbf43926u); /* the check value */
	assert_int_equal(stream_crc32(0, "", 0), 0);
	/* In pieces as in one go. */
	assert_int_equal(stream_crc32(stream_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
}

static void frame_layout(void **state)
{
	uint8_t out[FRAME_MAX], payload[3] = { 0xaa, 0xbb, 0xcc };
	uint32_t sync, crc;
	uint16_t len;

	(void)state;
	assert_int_equal(stream_frame(FE_TSTREAM_LOST, payload, sizeof(payload), out),
	                 FE_TSTREAM_HEAD_BYTES + 3 + FE_TSTREAM_CRC_BYTES);
	memcpy(&sync, out, 4);
	memcpy(&len, out + 6, 2);
	memcpy(&crc, out + 11, 4);
	assert_int_equal(sync, FE_TSTREAM_SYNC);
	assert_memory_equal(out, "\x46\x54\x72\xa5", 4);
	assert_int_equal(out[4], FE_TSTREAM_LOST);
	assert_int_equal(out[5], 0);
	assert_int_equal(len, 3);
	assert_memory_equal(out + 8, payload, 3);
	assert_int_equal(crc, stream_crc32(0, out + 4, 7)); /* type .. payload */
	/* A full frame fits FRAME_MAX; one byte more is refused, nothing written. */
	static struct fe_trace_record recs[FE_TSTREAM_RECORDS_MAX + 1];
	assert_int_equal(stream_frame(FE_TSTREAM_RECORDS, recs, FE_TSTREAM_PAYLOAD_MAX, out), FRAME_MAX);
	memset(out, 0x5a, sizeof(out));
	assert_int_equal(stream_frame(FE_TSTREAM_RECORDS, recs, FE_TSTREAM_PAYLOAD_MAX + 1, out), 0);
	assert_int_equal(out[0], 0x5a);
}

static void cursor_counts_every_gap_exactly(void **state)
{
	struct cursor c = { 0 };
	uint64_t lost = 0, first = 0;
	uint32_t reason = 99;
	struct fe_trace_record r;

	(void)state;
	/* A CPU's first record: what came before it is gone since before the start. */
	r = rec(0, 5);
	assert_int_equal(cursor_take(&c, &r, &lost, &first, &reason), CURSOR_GAP);
	assert_int_equal(lost, 4);
	assert_int_equal(first, 1);
	assert_int_equal(reason, FE_TSTREAM_LOST_BEFORE);
	r = rec(0, 6);
	assert_int_equal(cursor_take(&c, &r, &lost, &first, &reason), CURSOR_NEW);
	/* Read again in the next window: not sent twice. */
	assert_int_equal(cursor_take(&c, &r, &lost, &first, &reason), CURSOR_OLD);
	r = rec(0, 3);
	assert_int_equal(cursor_take(&c, &r, &lost, &first, &reason), CURSOR_OLD);
	/* Positions 7..9 were overwritten (or torn) before the exporter read them. */
	r = rec(0, 10);
	assert_int_equal(cursor_take(&c, &r, &lost, &first, &reason), CURSOR_GAP);
	assert_int_equal(lost, 3);
	assert_int_equal(first, 7);
	assert_int_equal(reason, FE_TSTREAM_LOST_OVERWRITTEN);
	/* Each CPU has its own positions; one starting at 1 lost nothing. */
	r = rec(1, 1);
	assert_int_equal(cursor_take(&c, &r, &lost, &first, &reason), CURSOR_NEW);
	r = rec(1, 2);
	assert_int_equal(cursor_take(&c, &r, &lost, &first, &reason), CURSOR_NEW);
	r = rec(0, 11);
	assert_int_equal(cursor_take(&c, &r, &lost, &first, &reason), CURSOR_NEW);
}

static void cursor_refuses_what_it_cannot_follow(void **state)
{
	struct cursor c = { 0 };
	uint64_t lost = 0, first = 0;
	uint32_t reason = 0;
	struct fe_trace_record r = rec(STREAM_CPUS, 1);

	(void)state;
	assert_int_equal(cursor_take(&c, &r, &lost, &first, &reason), CURSOR_BAD);
	r = rec(0, 0); /* seq 0: never a committed record */
	assert_int_equal(cursor_take(&c, &r, &lost, &first, &reason), CURSOR_BAD);
	r = rec(0, 1);
	assert_int_equal(cursor_take(&c, &r, &lost, &first, &reason), CURSOR_NEW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crc_is_zlibs),
		cmocka_unit_test(frame_layout),
		cmocka_unit_test(cursor_counts_every_gap_exactly),
		cmocka_unit_test(cursor_refuses_what_it_cannot_follow),
	};
	return cmocka_run_group_tests_name("trace_stream", tests, NULL, NULL);
}
