/* SPDX-License-Identifier: MIT */
/*
 * The 16550 UART driver (docs/drivers.md, "The serial console"): the
 * device's registers and the input buffer between the interrupt thread and
 * the reader (uart.c), the threads and the protocol (main.c).
 */
#ifndef UART16550_UART_H
#define UART16550_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <fe/sys.h>

struct uart {
	fe_handle_t io;   /* I/O ports base..base+7 */
	uint32_t base;
	uint64_t lost;    /* received bytes the UART reported overrun */
};

/* 115200 8N1, FIFOs on and cleared, receive interrupt on. */
fe_status_t uart_init(struct uart *u);
/* Writes n bytes, '\n' as "\r\n", a transmit FIFO's worth per call once it is empty. */
fe_status_t uart_write(struct uart *u, const char *s, size_t n);
/* Hands every byte the UART holds to put (which may drop it); *got counts them. */
fe_status_t uart_drain_rx(struct uart *u, void (*put)(uint8_t c, void *ctx), void *ctx,
                          uint64_t *got);

/*
 * Received bytes waiting for the reader: one producer (the interrupt
 * thread) and one consumer at a time (the serving thread that holds the
 * read, main.c), lock-free.
 */
#define INPUT_SIZE 1024u /* a power of two */
struct input {
	uint8_t buf[INPUT_SIZE];
	uint64_t head; /* written by the producer (atomic) */
	uint64_t tail; /* written by the consumer (atomic) */
	uint64_t lost; /* bytes dropped because it was full (producer) */
};

/* Producer: false (and counted in lost) if full. */
bool input_put(struct input *in, uint8_t c);
/* Consumer: up to max bytes, 0 if none waits. */
size_t input_get(struct input *in, uint8_t *out, size_t max);

#endif /* UART16550_UART_H */
