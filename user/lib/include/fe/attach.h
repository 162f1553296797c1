/* SPDX-License-Identifier: MIT */
/*
 * The attach the ring protocols share (ferrous/net.h, ferrous/block.h): the
 * client grants its memory and a notification (SIGNAL only); the reply
 * grants the driver's doorbell (SIGNAL) and the driver's own process (WAIT
 * only), which the client watches so that it learns of a crash from a death
 * watch rather than a timeout.
 */
#ifndef FE_ATTACH_H
#define FE_ATTACH_H

#include <stdint.h>

#include <fe/sys.h>

#include <ferrous/errors.h>
#include <ferrous/handle.h>

/* What a successful attach gives the client. */
struct fe_attached {
	fe_handle_t doorbell;   /* the driver's notification (SIGNAL) */
	uint32_t doorbell_bit;  /* < 64 */
	fe_handle_t driver;     /* the instance (WAIT), watched */
};

/* The client's side: calls `ep` with m (label, words and capabilities set
 * by the caller), checks the reply's status and that it grants what the
 * protocol says (FE_ERR_BAD_FORMAT otherwise), and watches the driver on
 * bit `death_bit` of `notif`. On any failure nothing is kept (a driver that
 * cannot be watched is let go: we would never learn of its end). */
fe_status_t fe_attach_call(fe_handle_t ep, struct fe_msg *m, fe_handle_t notif, uint32_t death_bit,
                           struct fe_attached *a);

/* The driver's side: FE_OK if h is a notification with SIGNAL and bit < 64. */
fe_status_t fe_attach_check_notif(fe_handle_t h, uint64_t bit);

/* Deletes n handles (those a message brought that a call does not keep). */
void fe_handles_delete(const fe_handle_t *h, unsigned n);

#endif /* FE_ATTACH_H */
