/* SPDX-License-Identifier: MIT */
/*
 * The client of a UART driver (include/ferrous/serial.h): reading what the
 * serial line receives. Writing needs no driver call: print through the
 * console capability (printf), which the driver writes out.
 */
#ifndef FE_SERIAL_H
#define FE_SERIAL_H

#include <ferrous/serial.h>
#include <fe/sys.h>

/*
 * Waits for received bytes and copies 1..max (at most FE_SERIAL_READ_MAX)
 * into buf, *n their number. When the driver ends during the wait
 * (FE_ERR_PEER_CLOSED) it asks again: the supervisor's next instance serves
 * the same endpoint, and nothing was consumed. FE_ERR_CANCELED: a newer
 * reader took the input over.
 */
fe_status_t fe_serial_read(fe_handle_t ep, uint8_t *buf, size_t max, size_t *n);

struct fe_serial_info {
	uint64_t written, received, lost;
	uint32_t flags; /* FE_SERIAL_F_* */
};
fe_status_t fe_serial_info(fe_handle_t ep, struct fe_serial_info *out);

#endif /* FE_SERIAL_H */
