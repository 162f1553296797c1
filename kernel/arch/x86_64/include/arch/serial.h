/* SPDX-License-Identifier: MIT */
#ifndef FERROUS_ARCH_SERIAL_H
#define FERROUS_ARCH_SERIAL_H

/* The console's UART: COM1's eight ports and its ISA interrupt. */
#define ARCH_SERIAL_PORT 0x3f8
#define ARCH_SERIAL_PORT_COUNT 8
#define SERIAL_ISA_IRQ 4
/* The second UART (COM2), left to user space (the trace exporter, user/traced). */
#define ARCH_SERIAL2_PORT 0x2f8
#define ARCH_SERIAL2_PORT_COUNT 8
#define SERIAL_IER_RX 0x01     /* interrupt when a byte arrives */
#define SERIAL_IER_THRE 0x02   /* interrupt when the transmitter is empty */

void arch_serial_init(void);
/* Writes one byte, waiting (boundedly) for the transmitter. */
void arch_serial_putc(char c);
/* Returns the next received byte, or -1 if none is waiting. */
int arch_serial_getc(void);
/* Sets the UART's interrupt-enable register (SERIAL_IER_*). */
void arch_serial_enable_irq(unsigned bits);

#endif /* FERROUS_ARCH_SERIAL_H */
