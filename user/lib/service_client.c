/* SPDX-License-Identifier: MIT */
/* The client side of a supervised service (fe/service.h). */
#include <fe/service.h>

fe_status_t fe_service_call_idempotent(fe_handle_t ep, struct fe_msg *m, bool *retried)
{
	fe_status_t st = fe_call(ep, m);

	if (retried)
		*retried = false;
	if (st != FE_ERR_PEER_CLOSED)
		return st;
	/* The instance that received the call ended before answering; *m still
	 * holds the request (fe_call writes it only on FE_OK). */
	if (retried)
		*retried = true;
	return fe_call(ep, m);
}
