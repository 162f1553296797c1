/* SPDX-License-Identifier: MIT */
/*
 * uart16550: the serial console's driver, in user space (ADR 0011; the
 * protocol is include/ferrous/serial.h). It holds COM1's I/O ports and IRQ 4
 * and the kernel console's output (fe_console_attach): everything written
 * to a console capability, and the kernel's own log, reaches the port
 * through here, in order and whole lines at a time.
 *
 * Threads: the pump (the main thread once started) waits on one
 * notification, bit 0 the UART's interrupt (bytes received go into the
 * input buffer) and bit 1 console output waiting (written out chunk by
 * chunk); two serving threads receive on the endpoint, so one may wait in a
 * READ while the other answers the supervisor's heartbeats and the rest.
 * Only the main thread prints, and only before the others start.
 */
#include <ferrous/serial.h>
#include <fe/ipc.h>
#include <fe/runtime.h>
#include <fe/service.h>

#include "uart.h"

#define COM1 0x3f8u
#define BIT_IRQ 0
#define BIT_CONSOLE 1
#define SERVING_THREADS 2
#define EXIT_SETUP 1

static struct uart uart;
static struct input input;
static fe_handle_t console, irq;
static fe_handle_t pump_wake;   /* BIT_IRQ, BIT_CONSOLE */
static fe_handle_t reader_wake; /* bit 0: bytes arrived, or a newer READ came */
/* Written by the pump, read by INFO (atomically). */
static uint64_t written, received;
/* The newest READ's number, and whether a READ holds the input buffer. */
static uint64_t reader_gen;
static bool reading;

static void put(uint8_t c, void *ctx)
{
	(void)ctx;
	(void)input_put(&input, c);
}

/* Receives what the UART holds; acknowledging then looking again catches a
 * byte that came after the first look (its edge may be gone). */
static fe_status_t receive(void)
{
	uint64_t got = 0;
	fe_status_t st;

	if ((st = uart_drain_rx(&uart, put, NULL, &got)) != FE_OK || (st = fe_irq_ack(irq)) != FE_OK ||
	    (st = uart_drain_rx(&uart, put, NULL, &got)) != FE_OK)
		return st;
	if (got) {
		__atomic_add_fetch(&received, got, __ATOMIC_RELAXED);
		(void)fe_notif_signal(reader_wake, 1);
	}
	return FE_OK;
}

/* Writes console output until none waits (the last take confirms the last chunk). */
static fe_status_t transmit(void)
{
	char chunk[FE_CONSOLE_CHUNK_MAX];
	uint64_t n;
	fe_status_t st;

	for (;;) {
		if ((st = fe_console_take(console, chunk, sizeof(chunk), &n)) != FE_OK || n == 0 ||
		    (st = uart_write(&uart, chunk, (size_t)n)) != FE_OK)
			return st;
		__atomic_add_fetch(&written, n, __ATOMIC_RELAXED);
	}
}

static _Noreturn void pump(void)
{
	fe_status_t st;

	for (;;) {
		uint64_t bits;
		if ((st = fe_notif_wait(pump_wake, 0, &bits)) != FE_OK ||
		    ((bits & (1u << BIT_IRQ)) && (st = receive()) != FE_OK) ||
		    ((bits & (1u << BIT_CONSOLE)) && (st = transmit()) != FE_OK))
			break;
	}
	/* Goes into the console ring; the kernel writes it when we have ended. */
	printf("uart16550: %s; ending\n", fe_status_name(st));
	fe_process_exit(EXIT_SETUP);
}

/* Waits for input as the newest reader; FE_ERR_CANCELED once a newer one comes. */
static fe_status_t read_input(uint8_t *buf, size_t max, size_t *n)
{
	uint64_t me = __atomic_add_fetch(&reader_gen, 1, __ATOMIC_ACQ_REL);
	fe_status_t st = FE_OK;

	/* A reader still waiting sees the newer number and lets go. */
	while (__atomic_exchange_n(&reading, true, __ATOMIC_ACQUIRE)) {
		(void)fe_notif_signal(reader_wake, 1);
		(void)fe_thread_yield();
	}
	for (;;) {
		uint64_t bits;
		if (__atomic_load_n(&reader_gen, __ATOMIC_ACQUIRE) != me) {
			st = FE_ERR_CANCELED;
			break;
		}
		if ((*n = input_get(&input, buf, max)) != 0)
			break;
		if ((st = fe_notif_wait(reader_wake, 0, &bits)) != FE_OK)
			break;
	}
	__atomic_store_n(&reading, false, __ATOMIC_RELEASE);
	return st;
}

static fe_status_t handle(struct fe_msg *m, void *ctx)
{
	uint8_t bytes[FE_SERIAL_READ_MAX];
	size_t n = 0;
	fe_status_t st;

	(void)ctx;
	switch (FE_MSG_LABEL(m->info)) {
	case FE_SERIAL_READ:
		if (FE_MSG_WORDS(m->info) < 1 || m->w[0] == 0 || m->w[0] > FE_SERIAL_READ_MAX)
			return FE_ERR_INVALID_ARG;
		if ((st = read_input(bytes, (size_t)m->w[0], &n)) != FE_OK)
			return st;
		m->w[0] = n;
		m->w[1] = m->w[2] = m->w[3] = 0;
		memcpy(&m->w[1], bytes, n);
		fe_service_reply_words(m, 4);
		return FE_OK;
	case FE_SERIAL_INFO:
		m->w[0] = __atomic_load_n(&written, __ATOMIC_RELAXED);
		m->w[1] = __atomic_load_n(&received, __ATOMIC_RELAXED);
		m->w[2] = uart.lost + input.lost;
		m->w[3] = FE_SERIAL_F_CONSOLE;
		fe_service_reply_words(m, 4);
		return FE_OK;
	default:
		return FE_ERR_UNSUPPORTED;
	}
}

static void serve(void *arg)
{
	(void)arg;
	(void)fe_service_serve(handle, NULL); /* returns only without an endpoint */
}

static fe_status_t start(void)
{
	fe_handle_t t;
	fe_status_t st;

	uart = (struct uart){ .io = fe_start_handle(FE_START_IOPORT_COM1), .base = COM1 };
	if ((st = fe_notif_create(&pump_wake)) != FE_OK || (st = fe_notif_create(&reader_wake)) != FE_OK ||
	    (st = fe_irq_bind(irq, pump_wake, BIT_IRQ)) != FE_OK || (st = uart_init(&uart)) != FE_OK)
		return st;
	/* From here on our own printf goes through the ring too. */
	if ((st = fe_console_attach(console, uart.io, pump_wake, BIT_CONSOLE)) != FE_OK)
		return st;
	printf("uart16550: COM1 at %#x, IRQ 4: the serial console runs in user space\n", COM1);
	for (int i = 0; i < SERVING_THREADS; i++)
		if ((st = fe_thread_spawn(serve, NULL, FE_PRIORITY_DEFAULT, &t)) != FE_OK)
			return st;
	return FE_OK;
}

int main(int argc, char **argv)
{
	fe_status_t st;

	(void)argc, (void)argv;
	console = fe_start_handle(FE_START_CONSOLE);
	irq = fe_start_handle(FE_START_IRQ_COM1);
	if (console == FE_HANDLE_INVALID || irq == FE_HANDLE_INVALID ||
	    fe_start_handle(FE_START_IOPORT_COM1) == FE_HANDLE_INVALID) {
		printf("uart16550: needs the capabilities console, ioport-com1 and irq-com1\n");
		return EXIT_SETUP;
	}
	if ((st = start()) != FE_OK) {
		printf("uart16550: cannot start: %s\n", fe_status_name(st));
		return EXIT_SETUP;
	}
	pump();
}
