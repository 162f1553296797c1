/* SPDX-License-Identifier: MIT */
/*
 * The 16550 UART's register offsets and the bits Ferrous's programs use:
 * the console's driver (user/uart16550, COM1) and the trace exporter
 * (user/traced, COM2) both program one through an I/O-port capability.
 * DLL and DLM are reached with LCR.DLAB set, the others with it clear.
 */
#ifndef FE_UART16550_H
#define FE_UART16550_H

#define UART_DATA 0
#define UART_IER 1
#define UART_DLL 0
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCRATCH 7

#define UART_FCR_ENABLE_CLEAR 0x07u /* FIFOs on, both cleared, trigger at 1 byte */
#define UART_LCR_8N1 0x03u
#define UART_LCR_DLAB 0x80u
#define UART_LSR_DATA_READY 0x01u
#define UART_LSR_OVERRUN 0x02u
#define UART_LSR_THR_EMPTY 0x20u
#define UART_DIVISOR_115200 1u /* the fastest; QEMU's character devices do not pace it */

#endif /* FE_UART16550_H */
