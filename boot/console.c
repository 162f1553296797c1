/* SPDX-License-Identifier: MIT */
/*
 * Console output through the firmware's ConOut. OVMF mirrors ConOut to the
 * serial port, which is how every loader message reaches a test log.
 * Formatting is the kernel's own (lib/fmt.c), so %llx etc. mean the same in
 * both; note that `long` is 32 bits on this (Windows ABI) target, so 64-bit
 * values are printed with ll.
 */
#include "lib/fmt.h"
#include "loader.h"

/* UCS-2 characters gathered for one OutputString() call. */
struct con_buf {
	CHAR16 text[128];
	unsigned len;
};

static void con_flush(struct con_buf *b)
{
	b->text[b->len] = 0;
	if (b->len && efi_st->ConOut != NULL)
		efi_st->ConOut->OutputString(efi_st->ConOut, b->text);
	b->len = 0;
}

static void con_put(struct con_buf *b, char c)
{
	if (b->len + 2 >= ARRAY_SIZE(b->text))
		con_flush(b);
	if (c == '\n')
		b->text[b->len++] = '\r';
	b->text[b->len++] = (CHAR16)(unsigned char)c;
}

static void con_sink(char c, void *ctx)
{
	con_put(ctx, c);
}

void con_vprintf(const char *fmt, va_list ap)
{
	struct con_buf b = { .len = 0 };

	fmt_format(con_sink, &b, fmt, ap);
	con_flush(&b);
}

void con_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	con_vprintf(fmt, ap);
	va_end(ap);
}
