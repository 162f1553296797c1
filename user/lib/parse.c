/* SPDX-License-Identifier: MIT */
/* Numbers from argument strings. */
#include <stdbool.h>

#include <fe/runtime.h>

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

fe_status_t fe_parse_u64(const char *s, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (*s == '\0')
		return FE_ERR_INVALID_ARG;
	for (; *s; s++) {
		int d = digit_value(*s);
		if (d >= (int)base)
			return FE_ERR_INVALID_ARG;
		if (__builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, (unsigned)d, &v))
			return FE_ERR_OUT_OF_RANGE;
	}
	*out = v;
	return FE_OK;
}

fe_status_t fe_parse_i64(const char *s, int64_t *out)
{
	bool neg = s[0] == '-';
	uint64_t v;
	fe_status_t st = fe_parse_u64(neg ? s + 1 : s, &v);

	if (st != FE_OK)
		return st;
	if (v > (uint64_t)INT64_MAX + neg)
		return FE_ERR_OUT_OF_RANGE;
	/* -(INT64_MIN) does not exist: negate in unsigned arithmetic. */
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return FE_OK;
}
