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

/* Word i of a message: the first four in m->w, the rest in the buffer. */
static uint64_t *word_slot(struct fe_msg *m, struct fe_ipc_buffer *b, unsigned i)
{
	return i < FE_IPC_REG_WORDS ? &m->w[i] : &b->words[i];
}

fe_status_t fe_msg_put_data(struct fe_msg *m, uint32_t label, const void *data, size_t bytes)
{
	struct fe_ipc_buffer *b = fe_ipc_buffer();
	unsigned words = (unsigned)((bytes + 7) / 8);

	if (bytes > FE_IPC_MAX_WORDS * 8)
		return FE_ERR_INVALID_ARG;
	if (words > FE_IPC_REG_WORDS && !b)
		return FE_ERR_BAD_STATE;
	*m = fe_msg_make(label, words, 0);
	for (unsigned i = 0; i < words; i++) {
		uint64_t w = 0;
		size_t n = bytes - i * 8 < 8 ? bytes - i * 8 : 8;
		memcpy(&w, (const uint8_t *)data + i * 8, n);
		*word_slot(m, b, i) = w;
	}
	return FE_OK;
}

fe_status_t fe_msg_get_data(struct fe_msg *m, void *data, size_t bytes)
{
	struct fe_ipc_buffer *b = fe_ipc_buffer();
	unsigned words = (unsigned)((bytes + 7) / 8);

	if (FE_MSG_WORDS(m->info) < words)
		return FE_ERR_BAD_FORMAT;
	if (words > FE_IPC_REG_WORDS && !b)
		return FE_ERR_BAD_STATE;
	for (unsigned i = 0; i < words; i++) {
		uint64_t w = *word_slot(m, b, i);
		size_t n = bytes - i * 8 < 8 ? bytes - i * 8 : 8;
		memcpy((uint8_t *)data + i * 8, &w, n);
	}
	return FE_OK;
}
