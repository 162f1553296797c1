/* SPDX-License-Identifier: MIT */
/* Capabilities in messages, through the calling thread's IPC buffer. */
#include <fe/ipc.h>
#include <fe/runtime.h>

fe_status_t fe_msg_attach_caps(struct fe_msg *m, const fe_handle_t *caps, unsigned n)
{
	struct fe_ipc_buffer *b = fe_ipc_buffer();

	if (n > FE_IPC_MAX_CAPS)
		return FE_ERR_INVALID_ARG;
	if (!b)
		return FE_ERR_BAD_STATE;
	for (unsigned i = 0; i < n; i++)
		b->caps[i] = caps[i];
	m->info = FE_MSG_INFO(FE_MSG_LABEL(m->info), FE_MSG_WORDS(m->info), n);
	return FE_OK;
}

fe_status_t fe_msg_take_caps(const struct fe_msg *m, fe_handle_t *caps, unsigned max, unsigned *n)
{
	struct fe_ipc_buffer *b = fe_ipc_buffer();
	unsigned count = FE_MSG_CAPS(m->info);

	if (count > max || count > FE_IPC_MAX_CAPS)
		return FE_ERR_OUT_OF_RANGE;
	if (count && !b)
		return FE_ERR_BAD_STATE;
	for (unsigned i = 0; i < count; i++)
		caps[i] = b->caps[i];
	*n = count;
	return FE_OK;
}
