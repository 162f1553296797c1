/* SPDX-License-Identifier: MIT */
/*
 * Serial input. Supervised, from the UART driver (user/uart16550, through
 * fe/serial.h); without one, from the 16550 at COM1 itself, read through the
 * io-port capability, IRQ 4 arriving as bit 0 of a notification. Output
 * (the echo included) goes through the console capability like every other
 * line, so there is one writer of the transmit side: the kernel's console,
 * or the driver that took it over.
 */
#include <fe/serial.h>
#include <fe/supervisor.h>
#include <fe/sys.h>

#include "console.h"

#define COM1 0x3f8
/* Register offsets (with LCR.DLAB = 0, as the kernel leaves it). */
#define UART_RBR 0 /* receive buffer */
#define UART_IER 1 /* interrupt enable */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */
#define IER_RX_AVAILABLE 0x01u
#define MCR_DTR 0x01u
#define MCR_RTS 0x02u
#define MCR_OUT2 0x08u /* gates the UART's interrupt line on PC hardware */
#define LSR_DATA_READY 0x01u

#define KEY_CTRL_C 0x03
#define KEY_BACKSPACE 0x08
#define KEY_CTRL_U 0x15
#define KEY_ESC 0x1b
#define KEY_DEL 0x7f

enum { ESC_NONE, ESC_START, ESC_CSI }; /* struct serial.escape */

static fe_status_t uart_in(const struct serial *s, unsigned reg, uint32_t *v)
{
	return fe_ioport_in(s->io, COM1 + reg, 1, v);
}

static fe_status_t uart_out(const struct serial *s, unsigned reg, uint32_t v)
{
	return fe_ioport_out(s->io, COM1 + reg, 1, v);
}

/* Read-modify-write keeps what the kernel set (DTR, RTS, its own enables). */
static fe_status_t uart_enable_rx_irq(const struct serial *s)
{
	uint32_t mcr, ier;
	fe_status_t st;

	if ((st = uart_in(s, UART_MCR, &mcr)) != FE_OK ||
	    (st = uart_out(s, UART_MCR, mcr | MCR_DTR | MCR_RTS | MCR_OUT2)) != FE_OK ||
	    (st = uart_in(s, UART_IER, &ier)) != FE_OK)
		return st;
	return uart_out(s, UART_IER, ier | IER_RX_AVAILABLE);
}

fe_status_t serial_start(struct serial *s)
{
	fe_handle_t ctl = fe_supervisor_handle();
	fe_status_t st;

	*s = (struct serial){ .uart = FE_HANDLE_INVALID, .io = fe_start_handle(FE_START_IOPORT_COM1),
	                      .irq = fe_start_handle(FE_START_IRQ_COM1) };
	if (ctl != FE_HANDLE_INVALID && fe_supervisor_connect(ctl, "uart", &s->uart) == FE_OK)
		return FE_OK;
	s->uart = FE_HANDLE_INVALID;
	if (s->io == FE_HANDLE_INVALID || s->irq == FE_HANDLE_INVALID)
		return FE_ERR_NOT_FOUND;
	if ((st = fe_notif_create(&s->notif)) != FE_OK)
		return st;
	/* Bind before enabling, so the first interrupt already has a target. */
	if ((st = fe_irq_bind(s->irq, s->notif, 0)) != FE_OK || (st = uart_enable_rx_irq(s)) != FE_OK) {
		fe_handle_delete(s->notif);
		return st;
	}
	return FE_OK;
}

/*
 * The next received byte. When the UART is drained: if an interrupt was
 * taken, acknowledge it and look once more (a byte that arrived before the
 * ack may have raised no interrupt of its own), else wait for the next one.
 */
static fe_status_t next_byte(struct serial *s, uint8_t *c)
{
	bool irq_taken = false;
	fe_status_t st;

	if (s->uart != FE_HANDLE_INVALID) {
		while (s->got_next == s->got_len) {
			s->got_next = 0;
			if ((st = fe_serial_read(s->uart, s->got, sizeof(s->got), &s->got_len)) != FE_OK)
				return st;
		}
		*c = s->got[s->got_next++];
		return FE_OK;
	}

	for (;;) {
		uint32_t lsr, v;
		uint64_t bits;
		if ((st = uart_in(s, UART_LSR, &lsr)) != FE_OK)
			return st;
		if (lsr & LSR_DATA_READY) {
			if ((st = uart_in(s, UART_RBR, &v)) == FE_OK)
				*c = (uint8_t)v;
			return st;
		}
		if (irq_taken) {
			if ((st = fe_irq_ack(s->irq)) != FE_OK)
				return st;
			irq_taken = false;
			continue;
		}
		if ((st = fe_notif_wait(s->notif, 0, &bits)) != FE_OK)
			return st;
		irq_taken = true;
	}
}

static void echo(const char *s)
{
	fe_write(s, strlen(s));
	fe_flush();
}

/* Takes back up to n characters, on the screen too. */
static void erase(size_t *len, size_t n)
{
	for (; n > 0 && *len > 0; n--) {
		(*len)--;
		echo("\b \b");
	}
}

/* Swallows the rest of ESC [ ... final or ESC x; true while inside one. */
static bool in_escape(struct serial *s, uint8_t c)
{
	switch (s->escape) {
	case ESC_START:
		s->escape = (c == '[' || c == 'O') ? ESC_CSI : ESC_NONE;
		return true;
	case ESC_CSI:
		if (c >= 0x40 && c <= 0x7e) /* the final byte */
			s->escape = ESC_NONE;
		return true;
	default:
		return false;
	}
}

/* Applies one input byte to the line; true when the line is complete. */
static bool edit(struct serial *s, uint8_t c, char *line, size_t max, size_t *len)
{
	bool lf_of_crlf = c == '\n' && s->after_cr;

	s->after_cr = c == '\r';
	if (lf_of_crlf || in_escape(s, c))
		return false;
	switch (c) {
	case '\r':
	case '\n':
		echo("\n");
		return true;
	case KEY_CTRL_C:
		echo("^C\n");
		*len = 0;
		return true;
	case KEY_BACKSPACE:
	case KEY_DEL:
		erase(len, 1);
		return false;
	case KEY_CTRL_U:
		erase(len, *len);
		return false;
	case KEY_ESC:
		s->escape = ESC_START;
		return false;
	default:
		if (c >= 0x20 && c < 0x7f && *len + 1 < max) {
			char ch[2] = { (char)c, '\0' };
			line[(*len)++] = (char)c;
			echo(ch);
		}
		return false;
	}
}

fe_status_t serial_read_line(struct serial *s, char *line, size_t max)
{
	size_t len = 0;
	uint8_t c;
	fe_status_t st;

	do {
		if ((st = next_byte(s, &c)) != FE_OK)
			return st;
	} while (!edit(s, c, line, max, &len));
	line[len] = '\0';
	return FE_OK;
}
