/* SPDX-License-Identifier: MIT */
/* Line-buffered console output through the console capability. */
#include <fe/runtime.h>
#include <fe/sys.h>

static char line[256];
static size_t used;

void fe_flush(void)
{
	if (used && fe_console != FE_HANDLE_INVALID)
		fe_console_write(fe_console, line, used);
	used = 0;
}

static void sink(char c, void *ctx)
{
	(void)ctx;
	line[used++] = c;
	if (c == '\n' || used == sizeof(line))
		fe_flush();
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

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	size_t n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return (int)n;
}

int fe_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -1;
		v = v * base + d;
	}
	*out = v;
	return 0;
}
