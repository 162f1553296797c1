/* SPDX-License-Identifier: MIT */
#include "console.h"

#include <stdbool.h>

#include <arch/serial.h>

#include "core/spinlock.h"
#include "lib/fmt.h"

/* Serialises writers; a line is written under one hold of the lock. */
static struct spinlock console_lock = SPINLOCK_INIT("console");
/* Set once by the panicking CPU; read without the lock on purpose. */
static volatile bool console_panicking;

void console_init(void)
{
	arch_serial_init();
}

static void sink(char c, void *ctx)
{
	(void)ctx;
	if (c == '\n')
		arch_serial_putc('\r');
	arch_serial_putc(c);
}

static void write_locked(const char *s)
{
	for (; *s; s++)
		sink(*s, NULL);
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
	irqflags_t f = console_enter();
	write_locked(s);
	console_leave(f);
}

void console_write_n(const char *s, size_t n)
{
	irqflags_t f = console_enter();
	for (size_t i = 0; i < n; i++)
		sink(s[i], NULL);
	console_leave(f);
}

void console_vprintf(const char *prefix, const char *fmt, va_list ap)
{
	irqflags_t f = console_enter();
	if (prefix)
		write_locked(prefix);
	fmt_format(sink, NULL, fmt, ap);
	console_leave(f);
}

void console_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(NULL, fmt, ap);
	va_end(ap);
}

void console_panic_takeover(void)
{
	console_panicking = true;
}
