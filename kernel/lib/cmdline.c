/* SPDX-License-Identifier: MIT */
#include "cmdline.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *cmdline_next_word(const char **p, size_t *len)
{
	const char *s = *p, *w;

	while (is_space(*s))
		s++;
	for (w = s; *s && !is_space(*s); s++)
		;
	*p = s;
	*len = (size_t)(s - w);
	return *len ? w : NULL;
}

/* If the word at w is `key` or `key=...`, returns the value's start ("" for a bare key). */
static const char *match(const char *w, const char *key)
{
	while (*key && *w == *key)
		w++, key++;
	if (*key)
		return NULL;
	if (*w == '=')
		return w + 1;
	return (*w == '\0' || is_space(*w)) ? w : NULL;
}

fe_status_t cmdline_get(const char *cmdline, const char *key, char *val, size_t size)
{
	const char *found = NULL;

	if (cmdline == NULL || key == NULL || *key == '\0' || val == NULL || size == 0)
		return FE_ERR_INVALID_ARG;
	size_t len;
	for (const char *p = cmdline, *w; (w = cmdline_next_word(&p, &len)) != NULL;) {
		const char *v = match(w, key);
		if (v)
			found = v;
	}
	if (found == NULL)
		return FE_ERR_NOT_FOUND;
	size_t n = 0;
	while (found[n] && !is_space(found[n]) && n + 1 < size) {
		val[n] = found[n];
		n++;
	}
	val[n] = '\0';
	return (found[n] && !is_space(found[n])) ? FE_ERR_OUT_OF_RANGE : FE_OK;
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

bool cmdline_flag(const char *cmdline, const char *key)
{
	char v[8];
	fe_status_t st = cmdline_get(cmdline, key, v, sizeof(v));

	if (st == FE_ERR_NOT_FOUND || st == FE_ERR_INVALID_ARG)
		return false;
	if (st == FE_ERR_OUT_OF_RANGE)
		return true;
	return !(str_eq(v, "0") || str_eq(v, "off") || str_eq(v, "no") || str_eq(v, "false"));
}

static int digit_value(char c, unsigned base)
{
	int d = -1;
	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	return d >= 0 && (unsigned)d < base ? d : -1;
}

fe_status_t cmdline_parse_size(const char *s, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	int d;

	if (s == NULL || out == NULL)
		return FE_ERR_INVALID_ARG;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (digit_value(*s, base) < 0)
		return FE_ERR_BAD_FORMAT;
	for (; (d = digit_value(*s, base)) >= 0; s++) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return FE_ERR_BAD_FORMAT;
		v = v * base + (uint64_t)d;
	}
	unsigned shift = 0;
	if (*s == 'K' || *s == 'k')
		shift = 10;
	else if (*s == 'M' || *s == 'm')
		shift = 20;
	else if (*s == 'G' || *s == 'g')
		shift = 30;
	if (shift) {
		s++;
		if (v > (UINT64_MAX >> shift))
			return FE_ERR_BAD_FORMAT;
		v <<= shift;
	}
	if (*s != '\0')
		return FE_ERR_BAD_FORMAT;
	*out = v;
	return FE_OK;
}
