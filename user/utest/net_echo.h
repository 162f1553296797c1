/* SPDX-License-Identifier: MIT */
/*
 * Echo frames between utest and the host's network peer (tools/netpeer.py,
 * which documents the format: ethertype 0x88b5, a sequence number, a
 * payload derived from it). The `net` suite's traffic goes through here.
 */
#ifndef UTEST_NET_ECHO_H
#define UTEST_NET_ECHO_H

#include <fe/net.h>

#define ECHO_REQUEST 1u
#define ECHO_REPLY 2u
#define ECHO_JUNK 3u /* the peer sends an oversize frame and a runt before the reply */
#define ECHO_ROUND_MAX 64u

struct echo_tally {
	uint32_t sent;    /* requests sent, again-sent ones included */
	uint32_t resent;  /* requests sent again because a driver restart lost them */
	uint32_t replies; /* intact replies received, late ones included */
	uint32_t late;    /* replies to a request answered already, or of an earlier round */
	uint32_t other;   /* frames that were not echo replies */
	uint32_t bad;     /* echo replies with damaged bytes */
};

/* The length of request `seq` on a link carrying frames of up to `max`
 * bytes: 60 to max, both ends included (echo_send: the client's MTU + 14). */
uint32_t echo_len(uint32_t seq, uint32_t max);
/* Builds request `seq` (op ECHO_REQUEST or ECHO_JUNK) of len bytes from mac into buf. */
void echo_build(uint8_t *buf, const uint8_t mac[6], uint32_t seq, uint8_t op, uint32_t len);
/* Sends request `seq` without waiting for its reply. */
fe_status_t echo_send(struct fe_net *n, uint32_t seq, uint8_t op, struct echo_tally *tl);
/*
 * Requests first..first+count-1 (count <= ECHO_ROUND_MAX), at most `window`
 * unanswered at once; returns once each has its reply. When the client
 * restarted the driver meanwhile (fe_net.restarts moved), the requests not
 * yet answered are taken as lost and sent again: no timeout decides a loss.
 */
fe_status_t echo_exchange(struct fe_net *n, uint32_t first, uint32_t count, uint32_t window,
                          uint8_t op, struct echo_tally *tl);
/* Takes `count` frames as they come, whatever they are (counted). */
fe_status_t echo_take(struct fe_net *n, uint32_t count, struct echo_tally *tl);

#endif /* UTEST_NET_ECHO_H */
