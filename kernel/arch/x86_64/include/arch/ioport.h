/* SPDX-License-Identifier: MIT */
/* Port I/O on behalf of a user program that holds an I/O-port capability. */
#ifndef FERROUS_ARCH_IOPORT_H
#define FERROUS_ARCH_IOPORT_H

#include <stdint.h>

#include <arch/x86.h>

/*
 * SAFETY: the caller has checked, with arithmetic that cannot wrap, that
 * [port, port + width) lies inside the range of a capability the program
 * holds with the right for this direction, and that width is 1, 2 or 4.
 * Only the root task hands out port ranges, and only COM1's eight ports
 * (root_task.c), which the kernel's log also writes: a holder can garble the
 * log or reprogram the UART, never reach memory, since the ports that could
 * start DMA (the ISA DMA controllers) and the kernel's PIC, PIT and exit ports
 * are never granted.
 */
static inline uint32_t arch_port_in(uint16_t port, unsigned width)
{
	return width == 1 ? inb(port) : width == 2 ? inw(port) : inl(port);
}

/* SAFETY: as arch_port_in; v is truncated to width bytes. */
static inline void arch_port_out(uint16_t port, unsigned width, uint32_t v)
{
	if (width == 1)
		outb(port, (uint8_t)v);
	else if (width == 2)
		outw(port, (uint16_t)v);
	else
		outl(port, v);
}

#endif /* FERROUS_ARCH_IOPORT_H */
