/* SPDX-License-Identifier: MIT */
/*
 * Console output through the console capability, line-buffered: a line (or
 * a full buffer) is one FE_SYS_CONSOLE_WRITE, so lines from different
 * processes do not interleave mid-line. Without a console capability the
 * output is dropped; a failed write is dropped too (there is nowhere to
 * report it).
 */
#include <fe/runtime.h>
#include <fe/sys.h>

static char line[256];
static size_t used;

void fe_flush(void)
{
	if (used && fe_console != FE_HANDLE_INVALID)
		(void)fe_console_write(fe_console, line, used);
	used = 0;
}

static void put(char c)
{
	line[used++] = c;
	if (c == '\n' || used == sizeof(line))
		fe_flush();
}

static void sink(char c, void *ctx)
{
	(void)ctx;
	put(c);
}

void fe_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		put(buf[i]);
}

int vprintf(const char *fmt, va_list ap)
{
	return (int)fmt_format(sink, NULL, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	size_t n = strlen(s);

	fe_write(s, n);
	put('\n');
	return (int)n + 1;
}

int putchar(int c)
{
	put((char)c);
	return (unsigned char)c;
}

static void discard(char c, void *ctx)
{
	(void)c;
	(void)ctx;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	/* fmt_vsnprintf needs room for the NUL; size 0 only measures. */
	size_t n = size ? fmt_vsnprintf(buf, size, fmt, ap) : fmt_format(discard, NULL, fmt, ap);

	return (int)n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
