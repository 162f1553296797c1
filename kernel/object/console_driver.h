/* SPDX-License-Identifier: MIT */
/*
 * The process that drives the console's UART from user space, if any
 * (FE_SYS_CONSOLE_ATTACH; core/console.h has the ring). At most one; it
 * must hold the I/O ports the kernel's console uses, so only the holder of
 * the device can take its output over. Its notification bit is signalled
 * when output waits, from a point where the big lock is held and no
 * scheduler state is half-changed (console_driver_poll). The attachment ends
 * with FE_SYS_CONSOLE_DETACH or the process: the kernel then writes what the
 * driver left (at least once, see core/console_ring.h) and has the port back.
 */
#ifndef FERROUS_OBJECT_CONSOLE_DRIVER_H
#define FERROUS_OBJECT_CONSOLE_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include <ferrous/errors.h>

struct process;
struct notification;
struct ioport;

/* FE_ERR_ACCESS_DENIED unless io covers the console's ports; FE_ERR_BUSY if held. */
fe_status_t console_driver_attach(struct process *p, const struct ioport *io,
                                  struct notification *n, unsigned bit);
/* FE_ERR_BAD_STATE unless p is attached. */
fe_status_t console_driver_detach(struct process *p);
/* The next chunk for p (FE_ERR_BAD_STATE unless attached); *n = 0: nothing waits. */
fe_status_t console_driver_take(struct process *p, char *out, size_t max, size_t *n);
/* p wrote value to port: the driver's progress through its chunk, if it is one. */
void console_driver_port_out(struct process *p, uint16_t port, uint32_t value);
/* The process ends: an attachment it holds ends too. */
void console_driver_process_ended(struct process *p);
/* Tells the driver that output waits, if it does. Big lock held. */
void console_driver_poll(void);

#endif /* FERROUS_OBJECT_CONSOLE_DRIVER_H */
