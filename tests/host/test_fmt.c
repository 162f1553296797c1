/* SPDX-License-Identifier: MIT */
/* Host tests of kernel/lib/fmt.c, checked against the C library's snprintf. */
#include "host_test.h"

#include <stdio.h>

#include "lib/fmt.h"

#define SAME_AS_LIBC(...)                                                        \
	do {                                                                     \
		char ours[128], libc[128];                                       \
		size_t n = fmt_snprintf(ours, sizeof(ours), __VA_ARGS__);        \
		int m = snprintf(libc, sizeof(libc), __VA_ARGS__);               \
		assert_string_equal(ours, libc);                                 \
		assert_int_equal(n, (size_t)m);                                  \
	} while (0)

static void conversions_match_libc(void **state)
{
	(void)state;
	SAME_AS_LIBC("plain text");
	SAME_AS_LIBC("%d %i %u", -42, 17, 3000000000u);
	SAME_AS_LIBC("%x %X %lx %llx", 0xbeefu, 0xbeefu, 0x123456789abcUL, 0xffffffffffffffffULL);
	SAME_AS_LIBC("%ld %lld %lu", -1L, -9223372036854775807LL - 1, 18446744073709551615UL);
	SAME_AS_LIBC("%zu %zx", (size_t)12345, (size_t)0xabc);
	SAME_AS_LIBC("%hhu %hu %hd", 300, 70000, -2);
	SAME_AS_LIBC("[%5d] [%-5d] [%05d] [%-05d]", 42, 42, -42, 7);
	SAME_AS_LIBC("[%8s] [%-8s] [%.3s] [%.*s] [%*d]", "ab", "ab", "abcdef", 2, "xyz", 6, 9);
	SAME_AS_LIBC("%c%c%c [%3c]", 'a', 'b', 'c', 'z');
	SAME_AS_LIBC("100%% %#x %#llx", 255u, 0x10ULL);
	SAME_AS_LIBC("%016llx|%-16x|", 0xabcULL, 0xabcu);
}

static void pointers_are_zero_padded(void **state)
{
	(void)state;
	char buf[64];

	fmt_snprintf(buf, sizeof(buf), "%p", (void *)0x1234);
	assert_string_equal(buf, "0x0000000000001234");
}

static void null_string_is_safe(void **state)
{
	(void)state;
	char buf[64];
	const char *nothing = NULL;

	fmt_snprintf(buf, sizeof(buf), "[%s]", nothing);
	assert_string_equal(buf, "[(null)]");
}

/* "%.*s" of bytes with no NUL reads exactly the precision's bytes (C17 7.21.6.1):
 * the heap copy is exactly that long, so ASan fails a read one byte further. */
static void precision_reads_no_further(void **state)
{
	(void)state;
	uint8_t *word = exact_copy("abc", 3);
	char buf[16];

	fmt_snprintf(buf, sizeof(buf), "[%.*s]", 3, (const char *)word);
	assert_string_equal(buf, "[abc]");
	fmt_snprintf(buf, sizeof(buf), "[%.*s]", 0, (const char *)word);
	assert_string_equal(buf, "[]");
	free(word);
}

static void truncation_terminates_and_reports_length(void **state)
{
	(void)state;
	char buf[8];

	size_t n = fmt_snprintf(buf, sizeof(buf), "%s-%d", "abcdef", 12345);
	assert_int_equal(n, 12);
	assert_string_equal(buf, "abcdef-");
	n = fmt_snprintf(buf, 1, "xyz");
	assert_int_equal(n, 3);
	assert_string_equal(buf, "");
}

static void unknown_conversion_is_printed_literally(void **state)
{
	(void)state;
	char buf[64];

	fmt_snprintf(buf, sizeof(buf), "a %q b %d", 5);
	assert_string_equal(buf, "a %q b 5");
	fmt_snprintf(buf, sizeof(buf), "trailing %");
	assert_string_equal(buf, "trailing %");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(conversions_match_libc),
		cmocka_unit_test(pointers_are_zero_padded),
		cmocka_unit_test(null_string_is_safe),
		cmocka_unit_test(precision_reads_no_further),
		cmocka_unit_test(truncation_terminates_and_reports_length),
		cmocka_unit_test(unknown_conversion_is_printed_literally),
	};
	return cmocka_run_group_tests_name("fmt", tests, NULL, NULL);
}
