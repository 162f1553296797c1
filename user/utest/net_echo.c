/* SPDX-License-Identifier: MIT */
/* Echo frames with the host's network peer (net_echo.h). */
#include <fe/runtime.h>

#include "net_echo.h"
#include "ut.h"

#define ETHERTYPE 0x88b5u
#define HEADER 28u
#define MIN_LEN 60u /* the least Ethernet frame, without its checksum */

static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

enum reply_kind { REPLY_OK, REPLY_OTHER, REPLY_BAD };

/* The requests of one echo_exchange: bit i is request first + i. */
struct round {
	uint32_t first, count, window;
	uint8_t op;
	uint64_t answered;
};

uint32_t echo_len(uint32_t seq, uint32_t max)
{
	if (seq % 8 == 0)
		return max;
	if (seq % 8 == 1)
		return MIN_LEN;
	return MIN_LEN + (seq * 389u) % (max - MIN_LEN + 1);
}

/* The longest frame n's link carries. */
static uint32_t longest(const struct fe_net *n)
{
	return n->mtu + FE_NET_FRAME_MIN;
}

static uint8_t payload(uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 7u + i);
}

void echo_build(uint8_t *buf, const uint8_t mac[6], uint32_t seq, uint8_t op, uint32_t len)
{
	memcpy(buf, peer_mac, 6);
	memcpy(buf + 6, mac, 6);
	buf[12] = ETHERTYPE >> 8, buf[13] = ETHERTYPE & 0xff;
	memcpy(buf + 14, "FeNt", 4);
	buf[18] = op, buf[19] = 0;
	for (unsigned i = 0; i < 4; i++)
		buf[20 + i] = (uint8_t)(seq >> (8 * i));
	buf[24] = (uint8_t)len, buf[25] = (uint8_t)(len >> 8);
	buf[26] = buf[27] = 0;
	for (uint32_t i = HEADER; i < len; i++)
		buf[i] = payload(seq, i);
}

/* What a received frame is: an intact reply to us (its sequence number in
 * *seq), a damaged one, or something else. */
static enum reply_kind parse_reply(const struct fe_net *n, const struct fe_net_frame *f, uint32_t *seq)
{
	const uint8_t *p = f->data;

	if (f->len < HEADER || p[12] != ETHERTYPE >> 8 || p[13] != (ETHERTYPE & 0xff))
		return REPLY_OTHER;
	if (memcmp(p, n->mac, 6) != 0 || memcmp(p + 6, peer_mac, 6) != 0 || memcmp(p + 14, "FeNt", 4) != 0 ||
	    p[18] != ECHO_REPLY)
		return REPLY_BAD;
	*seq = p[20] | (uint32_t)p[21] << 8 | (uint32_t)p[22] << 16 | (uint32_t)p[23] << 24;
	if (f->len != echo_len(*seq, longest(n)) || (p[24] | (uint32_t)p[25] << 8) != f->len)
		return REPLY_BAD;
	for (uint32_t i = HEADER; i < f->len; i++)
		if (p[i] != payload(*seq, i))
			return REPLY_BAD;
	return REPLY_OK;
}

fe_status_t echo_send(struct fe_net *n, uint32_t seq, uint8_t op, struct echo_tally *tl)
{
	uint16_t slot;
	uint8_t *buf;
	fe_status_t st = fe_net_tx_slot(n, 0, &slot, &buf);

	if (st != FE_OK)
		return st;
	echo_build(buf, n->mac, seq, op, echo_len(seq, longest(n)));
	if ((st = fe_net_tx_submit(n, slot, echo_len(seq, longest(n)))) == FE_OK)
		tl->sent++;
	return st;
}

/* One frame received, counted; *seq and true if it is an intact reply. */
static fe_status_t take_one(struct fe_net *n, uint32_t flags, struct echo_tally *tl, uint32_t *seq,
                            bool *reply)
{
	struct fe_net_frame f;
	fe_status_t st = fe_net_recv(n, flags, &f);

	if (st != FE_OK)
		return st;
	enum reply_kind k = parse_reply(n, &f, seq);
	*reply = k == REPLY_OK;
	tl->replies += k == REPLY_OK;
	tl->other += k == REPLY_OTHER;
	tl->bad += k == REPLY_BAD;
	ut_progress();
	return fe_net_rx_release(n, f.slot);
}

fe_status_t echo_take(struct fe_net *n, uint32_t count, struct echo_tally *tl)
{
	uint32_t seq;
	bool reply;
	fe_status_t st = FE_OK;

	for (uint32_t i = 0; i < count && st == FE_OK; i++)
		st = take_one(n, 0, tl, &seq, &reply);
	return st;
}

/* Sends the requests of a round that are due: never sent, or lost with a
 * dead driver, while fewer than `window` are unanswered. */
static fe_status_t send_due(struct fe_net *n, const struct round *r, uint64_t *sent,
                            struct echo_tally *tl)
{
	fe_status_t st;

	for (uint32_t i = 0; i < r->count; i++)
		if (!(*sent >> i & 1) && __builtin_popcountll(*sent & ~r->answered) < (int)r->window) {
			if ((st = echo_send(n, r->first + i, r->op, tl)) != FE_OK)
				return st;
			*sent |= 1ULL << i;
		}
	return FE_OK;
}

fe_status_t echo_exchange(struct fe_net *n, uint32_t first, uint32_t count, uint32_t window,
                          uint8_t op, struct echo_tally *tl)
{
	struct round r = { .first = first, .count = count, .window = window, .op = op };
	uint64_t all = count >= 64 ? ~0ULL : (1ULL << count) - 1, sent = 0, restarts = n->restarts;
	uint32_t seq;
	bool reply;
	fe_status_t st;

	if (count == 0 || count > ECHO_ROUND_MAX || window == 0)
		return FE_ERR_INVALID_ARG;
	while (r.answered != all) {
		if (n->restarts != restarts) { /* what the dead instance had is lost */
			restarts = n->restarts;
			tl->resent += (uint32_t)__builtin_popcountll(sent & ~r.answered);
			sent = r.answered;
		}
		if ((st = send_due(n, &r, &sent, tl)) != FE_OK)
			return st;
		st = take_one(n, FE_NONBLOCK, tl, &seq, &reply);
		/* Nothing yet: wait, unless a restart just lost what was sent. */
		if (st == FE_ERR_WOULD_BLOCK)
			st = n->restarts == restarts ? fe_net_wait(n) : FE_OK;
		else if (st == FE_OK && reply && seq - first < count && !(r.answered >> (seq - first) & 1))
			r.answered |= 1ULL << (seq - first);
		else
			tl->late += st == FE_OK && reply;
		if (st != FE_OK)
			return st;
	}
	return FE_OK;
}
