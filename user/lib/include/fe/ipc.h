/* SPDX-License-Identifier: MIT */
/*
 * Helpers for messages (struct fe_msg, fe/sys.h). Words 0..3 travel in
 * registers (m.w); words 4.. and capabilities go through the calling
 * thread's IPC buffer (fe_ipc_buffer()), which must be filled before the
 * send and read right after the receive, before the next IPC call.
 */
#ifndef FE_IPC_H
#define FE_IPC_H

#include <fe/sys.h>

/* A message with `label`, `words` data words and `caps` capabilities. */
static inline struct fe_msg fe_msg_make(uint32_t label, unsigned words, unsigned caps)
{
	struct fe_msg m = { .info = FE_MSG_INFO(label, words, caps) };
	return m;
}

/*
 * Puts n capabilities (n <= FE_IPC_MAX_CAPS, each with FE_RIGHT_TRANSFER)
 * into the IPC buffer for the next send and sets the count in m->info.
 * FE_ERR_BAD_STATE if the thread has no IPC buffer, FE_ERR_INVALID_ARG if n
 * is too large; m is unchanged on error.
 */
fe_status_t fe_msg_attach_caps(struct fe_msg *m, const fe_handle_t *caps, unsigned n);

/*
 * Copies the capabilities a received message m carried out of the IPC
 * buffer: *n = their number; FE_ERR_OUT_OF_RANGE if more than max
 * (nothing copied; they are still the caller's to delete from the buffer),
 * FE_ERR_BAD_STATE if m carries some and the thread has no IPC buffer.
 */
fe_status_t fe_msg_take_caps(const struct fe_msg *m, fe_handle_t *caps, unsigned max, unsigned *n);

/*
 * Fills *m as a message with `label` whose data words hold `bytes` bytes of
 * `data` (the last word zero-padded): the first four words in m->w, the rest
 * in the IPC buffer. FE_ERR_INVALID_ARG if more than FE_IPC_MAX_WORDS words,
 * FE_ERR_BAD_STATE if more than four and the thread has no IPC buffer; *m is
 * unchanged on error.
 */
fe_status_t fe_msg_put_data(struct fe_msg *m, uint32_t label, const void *data, size_t bytes);

/*
 * The reverse, right after a receive: copies `bytes` bytes out of m's data
 * words. FE_ERR_BAD_FORMAT if m has fewer words than that, FE_ERR_BAD_STATE
 * if the rest would be in an IPC buffer the thread does not have.
 */
fe_status_t fe_msg_get_data(struct fe_msg *m, void *data, size_t bytes);

#endif /* FE_IPC_H */
