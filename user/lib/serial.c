/* SPDX-License-Identifier: MIT */
/* The UART driver's client (fe/serial.h). */
#include <fe/ipc.h>
#include <fe/runtime.h>
#include <fe/serial.h>
#include <fe/service.h>

fe_status_t fe_serial_read(fe_handle_t ep, uint8_t *buf, size_t max, size_t *n)
{
	struct fe_msg m;
	fe_status_t st;

	if (max == 0)
		return FE_ERR_INVALID_ARG;
	do {
		m = fe_msg_make(FE_SERIAL_READ, 1, 0);
		m.w[0] = max < FE_SERIAL_READ_MAX ? max : FE_SERIAL_READ_MAX;
		st = fe_call(ep, &m);
	} while (st == FE_ERR_PEER_CLOSED);
	if (st != FE_OK || (st = fe_service_status(&m)) != FE_OK)
		return st;
	if (FE_MSG_WORDS(m.info) < 4 || m.w[0] == 0 || m.w[0] > max || m.w[0] > FE_SERIAL_READ_MAX)
		return FE_ERR_BAD_FORMAT; /* a driver that breaks the protocol */
	*n = (size_t)m.w[0];
	memcpy(buf, &m.w[1], *n);
	return FE_OK;
}

fe_status_t fe_serial_info(fe_handle_t ep, struct fe_serial_info *out)
{
	struct fe_msg m = fe_msg_make(FE_SERIAL_INFO, 0, 0);
	fe_status_t st = fe_service_call_idempotent(ep, &m, NULL);

	if (st != FE_OK || (st = fe_service_status(&m)) != FE_OK)
		return st;
	if (FE_MSG_WORDS(m.info) < 4)
		return FE_ERR_BAD_FORMAT;
	*out = (struct fe_serial_info){ .written = m.w[0], .received = m.w[1], .lost = m.w[2],
	                                .flags = (uint32_t)m.w[3] };
	return FE_OK;
}
