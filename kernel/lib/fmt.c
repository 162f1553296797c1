/* SPDX-License-Identifier: MIT */
#include "fmt.h"

#include <stdbool.h>
#include <stdint.h>

struct spec {
	bool left;     /* '-' flag */
	bool zero;     /* '0' flag */
	bool alt;      /* '#' flag: 0x before hex */
	int width;
	int precision; /* -1 when absent */
	int length;    /* number of 'l' (2 for ll and z), -1 h, -2 hh */
};

struct out {
	fmt_sink_fn sink;
	void *ctx;
	size_t count;
};

static void put(struct out *o, char c)
{
	o->sink(c, o->ctx);
	o->count++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_str(struct out *o, const struct spec *sp, const char *s)
{
	int len = 0;

	if (s == NULL)
		s = "(null)";
	/* With a precision, s need not be NUL-terminated: never read s[precision]. */
	while ((sp->precision < 0 || len < sp->precision) && s[len])
		len++;
	if (!sp->left)
		pad(o, ' ', sp->width - len);
	for (int i = 0; i < len; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', sp->width - len);
}

static void put_num(struct out *o, const struct spec *sp, uint64_t v, unsigned base, bool neg,
                    bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int len = n + (neg ? 1 : 0);
	if (!sp->left && !sp->zero)
		pad(o, ' ', sp->width - len);
	if (neg)
		put(o, '-');
	if (!sp->left && sp->zero)
		pad(o, '0', sp->width - len);
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		pad(o, ' ', sp->width - len);
}

static uint64_t arg_unsigned(va_list *ap, int length)
{
	if (length >= 2)
		return va_arg(*ap, unsigned long long);
	if (length == 1)
		return va_arg(*ap, unsigned long);
	unsigned int v = va_arg(*ap, unsigned int);
	if (length == -1)
		return (uint16_t)v;
	if (length == -2)
		return (uint8_t)v;
	return v;
}

static int64_t arg_signed(va_list *ap, int length)
{
	if (length >= 2)
		return va_arg(*ap, long long);
	if (length == 1)
		return va_arg(*ap, long);
	int v = va_arg(*ap, int);
	if (length == -1)
		return (int16_t)v;
	if (length == -2)
		return (int8_t)v;
	return v;
}

/* Parses flags, width, precision and length after '%'; returns the conversion character's position. */
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .precision = -1 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '#')
			sp->alt = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->precision = 0;
		if (*f == '*') {
			sp->precision = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->precision = sp->precision * 10 + (*f++ - '0');
	}
	for (;; f++) {
		if (*f == 'l')
			sp->length++;
		else if (*f == 'z')
			sp->length = 2;
		else if (*f == 'h')
			sp->length--;
		else
			break;
	}
	return f;
}

/* Emits one conversion; returns false if `c` is not a conversion we know. */
static bool convert(struct out *o, char c, struct spec *sp, va_list *ap)
{
	switch (c) {
	case 'c':
		pad(o, ' ', sp->left ? 0 : sp->width - 1);
		put(o, (char)va_arg(*ap, int));
		pad(o, ' ', sp->left ? sp->width - 1 : 0);
		return true;
	case 's':
		put_str(o, sp, va_arg(*ap, const char *));
		return true;
	case 'd':
	case 'i': {
		int64_t v = arg_signed(ap, sp->length);
		put_num(o, sp, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, 10, v < 0, false);
		return true;
	}
	case 'u':
		put_num(o, sp, arg_unsigned(ap, sp->length), 10, false, false);
		return true;
	case 'x':
	case 'X':
		if (sp->alt) {
			put(o, '0');
			put(o, c);
		}
		put_num(o, sp, arg_unsigned(ap, sp->length), 16, false, c == 'X');
		return true;
	case 'p':
		put(o, '0');
		put(o, 'x');
		*sp = (struct spec){ .zero = true, .width = 16, .precision = -1 };
		put_num(o, sp, (uint64_t)(uintptr_t)va_arg(*ap, void *), 16, false, false);
		return true;
	case '%':
		put(o, '%');
		return true;
	default:
		return false;
	}
}

size_t fmt_format(fmt_sink_fn sink, void *ctx, const char *fmt, va_list ap)
{
	struct out o = { sink, ctx, 0 };
	va_list args;

	va_copy(args, ap);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		const char *start = f;
		struct spec sp;
		f = parse_spec(f + 1, &sp, &args);
		if (*f == '\0' || !convert(&o, *f, &sp, &args)) {
			/* Unknown conversion: print it as text; it consumed no argument. */
			for (; start <= f && *start; start++)
				put(&o, *start);
			if (*f == '\0')
				break;
		}
	}
	va_end(args);
	return o.count;
}

struct buf_ctx {
	char *buf;
	size_t size;
	size_t pos;
};

static void buf_sink(char c, void *ctx)
{
	struct buf_ctx *b = ctx;

	if (b->pos + 1 < b->size)
		b->buf[b->pos] = c;
	b->pos++;
}

size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_ctx b = { buf, size, 0 };
	size_t n = fmt_format(buf_sink, &b, fmt, ap);

	if (size)
		buf[b.pos < size ? b.pos : size - 1] = '\0';
	return n;
}

size_t fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	size_t n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
