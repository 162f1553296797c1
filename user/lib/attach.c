/* SPDX-License-Identifier: MIT */
/* The attach the ring protocols share (fe/attach.h). */
#include <fe/attach.h>
#include <fe/ipc.h>

void fe_handles_delete(const fe_handle_t *h, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		(void)fe_handle_delete(h[i]);
}

fe_status_t fe_attach_call(fe_handle_t ep, struct fe_msg *m, fe_handle_t notif, uint32_t death_bit,
                           struct fe_attached *a)
{
	fe_handle_t caps[FE_IPC_MAX_CAPS];
	unsigned k = 0;
	fe_status_t st;

	*a = (struct fe_attached){ .doorbell = FE_HANDLE_INVALID, .driver = FE_HANDLE_INVALID };
	if ((st = fe_call(ep, m)) != FE_OK || (st = fe_msg_take_caps(m, caps, FE_IPC_MAX_CAPS, &k)) != FE_OK)
		return st;
	st = (fe_status_t)(int64_t)m->w[0];
	if (st == FE_OK && (k != 2 || m->w[1] >= 64))
		st = FE_ERR_BAD_FORMAT; /* a driver that does not grant what the protocol says */
	if (st == FE_OK)
		st = fe_process_watch(caps[1], notif, death_bit);
	if (st != FE_OK) {
		fe_handles_delete(caps, k);
		return st;
	}
	*a = (struct fe_attached){ .doorbell = caps[0], .doorbell_bit = (uint32_t)m->w[1], .driver = caps[1] };
	return FE_OK;
}

fe_status_t fe_attach_check_notif(fe_handle_t h, uint64_t bit)
{
	struct fe_handle_info hi;
	fe_status_t st = fe_handle_info(h, &hi);

	if (st != FE_OK)
		return st;
	if (hi.type != FE_OBJ_NOTIFICATION)
		return FE_ERR_WRONG_TYPE;
	if (!(hi.rights & FE_RIGHT_SIGNAL))
		return FE_ERR_ACCESS_DENIED;
	return bit < 64 ? FE_OK : FE_ERR_INVALID_ARG;
}
