/* SPDX-License-Identifier: MIT */
/* The 16550's registers, through the I/O-port capability (one call per access). */
#include "uart.h"

/* Register offsets; DLL/DLM with LCR.DLAB set, the others with it clear. */
#define REG_DATA 0
#define REG_IER 1
#define REG_DLL 0
#define REG_DLM 1
#define REG_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5

#define IER_RX 0x01u
#define FCR_ENABLE_CLEAR 0x07u /* FIFOs on, both cleared, trigger at 1 byte */
#define LCR_8N1 0x03u
#define LCR_DLAB 0x80u
#define MCR_DTR_RTS_OUT2 0x0bu /* OUT2 gates the interrupt line on PC hardware */
#define LSR_DATA_READY 0x01u
#define LSR_OVERRUN 0x02u
#define LSR_THR_EMPTY 0x20u
#define DIVISOR_115200 1u
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
		{ REG_IER, 0 },           { REG_LCR, LCR_DLAB },     { REG_DLL, DIVISOR_115200 },
		{ REG_DLM, 0 },           { REG_LCR, LCR_8N1 },      { REG_FCR, FCR_ENABLE_CLEAR },
		{ REG_MCR, MCR_DTR_RTS_OUT2 }, { REG_IER, IER_RX },
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
		fe_status_t st = in(u, REG_LSR, &lsr);
		if (st != FE_OK || (lsr & LSR_THR_EMPTY))
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
		    (st = fe_ioport_write(u->io, u->base + REG_DATA, fifo, k)) != FE_OK)
			return st;
	}
	return FE_OK;
}

fe_status_t uart_drain_rx(struct uart *u, void (*put)(uint8_t c, void *ctx), void *ctx,
                          uint64_t *got)
{
	for (;;) {
		uint32_t lsr, v;
		fe_status_t st = in(u, REG_LSR, &lsr);
		if (st != FE_OK)
			return st;
		if (lsr & LSR_OVERRUN)
			u->lost++;
		if (!(lsr & LSR_DATA_READY))
			return FE_OK;
		if ((st = in(u, REG_DATA, &v)) != FE_OK)
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
