/* SPDX-License-Identifier: MIT */
/*
 * The serial protocol: what a UART driver (user/uart16550) answers on its
 * endpoint.
 *
 * Output does not travel here. The driver holds the kernel console's output
 * (FE_SYS_CONSOLE_ATTACH) and writes out, in order, whatever anyone writes
 * to a console capability, the kernel's log included, so a line is never
 * cut by another (docs/drivers.md, "The serial console"). A process prints
 * with its console capability, as before.
 *
 * Input: FE_SERIAL_READ blocks until at least one received byte waits and
 * answers with up to FE_SERIAL_READ_MAX of them. There is one reader at a
 * time: a READ that arrives while another waits takes its place, and the
 * one replaced is answered FE_ERR_CANCELED (the console after a restart
 * replaces the dead instance's wait). A driver that dies while a READ waits
 * leaves its caller with FE_ERR_PEER_CLOSED; nothing was consumed, so the
 * client library calls again, and the next instance answers.
 *
 * These values are ABI.
 */
#ifndef FERROUS_SERIAL_H
#define FERROUS_SERIAL_H

#include <stdint.h>

/* Labels (FE_MSG_LABEL); the reply's label is an fe_status_t. */
enum fe_serial_op {
	FE_SERIAL_READ = 1, /* w0 = most bytes wanted (1..FE_SERIAL_READ_MAX); reply w0 = bytes
	                       (1..that), w1..w3 the bytes, in order */
	FE_SERIAL_INFO = 2, /* reply w0 = bytes written out, w1 = bytes received, w2 = received bytes
	                       lost (the input buffer or the UART's FIFO overran), w3 = FE_SERIAL_F_* */
};

#define FE_SERIAL_READ_MAX 24u

#define FE_SERIAL_F_CONSOLE 1u /* this instance writes the kernel console's output */

#endif /* FERROUS_SERIAL_H */
