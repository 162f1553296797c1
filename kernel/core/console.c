/* SPDX-License-Identifier: MIT */
#include "console.h"

#include <stdbool.h>

#include <arch/serial.h>

#include "core/console_ring.h"
#include "core/spinlock.h"
#include "lib/fmt.h"
#include "lib/string.h"

/* Serialises writers; a line is written under one hold of the lock. */
static struct spinlock console_lock = SPINLOCK_INIT("console");
/* Set once by the panicking CPU; read without the lock on purpose. */
static volatile bool console_panicking;

/*
 * While a driver holds the console (console_attach), output goes into this
 * ring instead of the port. 64 KiB: the most the kernel may have to write
 * itself, with interrupts off, when a driver dies (tens of ms under TCG).
 */
#define RING_SIZE (64u * 1024)
static char ring_mem[RING_SIZE];
static struct console_ring ring GUARDED_BY(console_lock);
static bool attached GUARDED_BY(console_lock);
/* Output went into the ring and the driver was not told yet (read and
 * cleared atomically by console_take_news, set under the lock). */
static bool console_news;
/* Bytes the kernel wrote itself for a driver that ended (statistics). */
static uint64_t reclaimed GUARDED_BY(console_lock);

void console_init(void)
{
	arch_serial_init();
	console_ring_init(&ring, ring_mem, RING_SIZE);
}

static void port_sink(char c, void *ctx)
{
	(void)ctx;
	if (c == '\n')
		arch_serial_putc('\r');
	arch_serial_putc(c);
}

/* Where a unit of output goes: the port, or the ring while a driver holds it. */
static void emit_locked(const char *s, size_t n) REQUIRES(console_lock)
{
	if (attached && !console_panicking) {
		console_ring_put(&ring, s, n);
		__atomic_store_n(&console_news, true, __ATOMIC_RELEASE);
		return;
	}
	for (size_t i = 0; i < n; i++)
		port_sink(s[i], NULL);
}

/* Lock unless a panic has taken the console over. */
static irqflags_t console_enter(void) NO_THREAD_SAFETY_ANALYSIS
{
	irqflags_t f = arch_irq_save();
	if (!console_panicking)
		spin_lock(&console_lock);
	return f;
}

static void console_leave(irqflags_t f) NO_THREAD_SAFETY_ANALYSIS
{
	if (!console_panicking)
		spin_unlock(&console_lock);
	arch_irq_restore(f);
}

void console_write(const char *s)
{
	console_write_n(s, strlen(s));
}

void console_write_n(const char *s, size_t n) NO_THREAD_SAFETY_ANALYSIS
{
	irqflags_t f = console_enter();
	emit_locked(s, n);
	console_leave(f);
}

/* Formats into a buffer so that a line enters the ring whole. */
struct line {
	char buf[256];
	size_t len;
};

static void line_sink(char c, void *ctx) NO_THREAD_SAFETY_ANALYSIS
{
	struct line *l = ctx;

	if (l->len == sizeof(l->buf)) {
		emit_locked(l->buf, l->len);
		l->len = 0;
	}
	l->buf[l->len++] = c;
}

void console_vprintf(const char *prefix, const char *fmt, va_list ap) NO_THREAD_SAFETY_ANALYSIS
{
	struct line l = { .len = 0 };
	irqflags_t f = console_enter();

	for (; prefix && *prefix; prefix++)
		line_sink(*prefix, &l);
	fmt_format(line_sink, &l, fmt, ap);
	emit_locked(l.buf, l.len);
	console_leave(f);
}

void console_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(NULL, fmt, ap);
	va_end(ap);
}

/* Writes what the driver left unconfirmed and gives the port back to the kernel. */
static void reclaim_locked(void) REQUIRES(console_lock)
{
	reclaimed += console_ring_unsent(&ring);
	console_ring_drain(&ring, port_sink, NULL);
	attached = false;
}

void console_panic_takeover(void) NO_THREAD_SAFETY_ANALYSIS
{
	console_panicking = true;
	if (attached)
		reclaim_locked(); /* best effort: another CPU may be mid-write */
}

bool console_attach(void) NO_THREAD_SAFETY_ANALYSIS
{
	irqflags_t f = console_enter();
	bool ok = !attached && !console_panicking;

	if (ok) {
		attached = true;
		__atomic_store_n(&console_news, console_ring_unsent(&ring) != 0, __ATOMIC_RELEASE);
	}
	console_leave(f);
	return ok;
}

void console_reclaim(bool confirmed) NO_THREAD_SAFETY_ANALYSIS
{
	irqflags_t f = console_enter();
	if (attached && confirmed)
		console_ring_confirm(&ring);
	if (attached)
		reclaim_locked();
	console_leave(f);
}

size_t console_take(char *out, size_t max) NO_THREAD_SAFETY_ANALYSIS
{
	irqflags_t f = console_enter();
	size_t n = attached ? console_ring_take(&ring, out, max) : 0;

	console_leave(f);
	return n;
}

void console_note_sent(char c) NO_THREAD_SAFETY_ANALYSIS
{
	irqflags_t f = console_enter();
	if (attached)
		console_ring_sent(&ring, c);
	console_leave(f);
}

bool console_take_news(void)
{
	return __atomic_load_n(&console_news, __ATOMIC_RELAXED) &&
	       __atomic_exchange_n(&console_news, false, __ATOMIC_ACQ_REL);
}

struct console_stats console_get_stats(void) NO_THREAD_SAFETY_ANALYSIS
{
	irqflags_t f = console_enter();
	struct console_stats s = { .dropped = ring.dropped, .reclaimed = reclaimed,
	                           .unsent = console_ring_unsent(&ring), .attached = attached };
	console_leave(f);
	return s;
}
