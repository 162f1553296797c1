/* SPDX-License-Identifier: MIT */
/* The 16550's registers, through the I/O-port capability (one call per access). */
#include "uart.h"

#include <fe/uart16550.h>

#define IER_RX 0x01u
#define MCR_DTR_RTS_OUT2 0x0bu /* OUT2 gates the interrupt line on PC hardware */
#define TX_FIFO 16u
/* Polls of LSR before yielding the CPU while the transmitter is busy. */
#define TX_SPINS 64u

static fe_status_t out(struct uart *u, unsigned reg, uint32_t v)
{
	return fe_ioport_out(u->io, u->base + reg, 1, v);
}

static fe_status_t in(struct uart *u, unsigned reg, uint32_t *v)
{
	return fe_ioport_in(u->io, u->base + reg, 1, v);
}

fe_status_t uart_init(struct uart *u)
{
	const uint8_t seq[][2] = {
		{ UART_IER, 0 },           { UART_LCR, UART_LCR_DLAB },     { UART_DLL, UART_DIVISOR_115200 },
		{ UART_DLM, 0 },           { UART_LCR, UART_LCR_8N1 },      { UART_FCR, UART_FCR_ENABLE_CLEAR },
		{ UART_MCR, MCR_DTR_RTS_OUT2 }, { UART_IER, IER_RX },
	};
	fe_status_t st;

	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		if ((st = out(u, seq[i][0], seq[i][1])) != FE_OK)
			return st;
	return FE_OK;
}

/* Waits until the transmit FIFO is empty (room for TX_FIFO bytes). */
static fe_status_t wait_tx_room(struct uart *u)
{
	for (unsigned spins = 0;; spins++) {
		uint32_t lsr;
		fe_status_t st = in(u, UART_LSR, &lsr);
		if (st != FE_OK || (lsr & UART_LSR_THR_EMPTY))
			return st;
		if (spins >= TX_SPINS)
			(void)fe_thread_yield();
	}
}

/* A FIFO's worth at a time: waits until the FIFO is empty, then fills it in
 * one call (fe_ioport_write), '\n' as "\r\n". */
fe_status_t uart_write(struct uart *u, const char *s, size_t n)
{
	uint8_t fifo[TX_FIFO];
	fe_status_t st;

	for (size_t i = 0; i < n;) {
		unsigned k = 0;
		while (i < n && k + (s[i] == '\n' ? 2u : 1u) <= TX_FIFO) {
			if (s[i] == '\n')
				fifo[k++] = '\r';
			fifo[k++] = (uint8_t)s[i++];
		}
		if ((st = wait_tx_room(u)) != FE_OK ||
		    (st = fe_ioport_write(u->io, u->base + UART_DATA, fifo, k)) != FE_OK)
			return st;
	}
	return FE_OK;
}

fe_status_t uart_drain_rx(struct uart *u, void (*put)(uint8_t c, void *ctx), void *ctx,
                          uint64_t *got)
{
	for (;;) {
		uint32_t lsr, v;
		fe_status_t st = in(u, UART_LSR, &lsr);
		if (st != FE_OK)
			return st;
		if (lsr & UART_LSR_OVERRUN)
			u->lost++;
		if (!(lsr & UART_LSR_DATA_READY))
			return FE_OK;
		if ((st = in(u, UART_DATA, &v)) != FE_OK)
			return st;
		(*got)++;
		put((uint8_t)v, ctx);
	}
}

bool input_put(struct input *in, uint8_t c)
{
	uint64_t head = in->head, tail = __atomic_load_n(&in->tail, __ATOMIC_ACQUIRE);

	if (head - tail == INPUT_SIZE) {
		in->lost++;
		return false;
	}
	in->buf[head & (INPUT_SIZE - 1)] = c;
	__atomic_store_n(&in->head, head + 1, __ATOMIC_RELEASE);
	return true;
}

size_t input_get(struct input *in, uint8_t *out, size_t max)
{
	uint64_t tail = in->tail, head = __atomic_load_n(&in->head, __ATOMIC_ACQUIRE);
	size_t n = 0;

	while (n < max && tail + n < head) {
		out[n] = in->buf[(tail + n) & (INPUT_SIZE - 1)];
		n++;
	}
	__atomic_store_n(&in->tail, tail + n, __ATOMIC_RELEASE);
	return n;
}
