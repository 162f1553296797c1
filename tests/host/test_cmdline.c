/* SPDX-License-Identifier: MIT */
/* Host tests of kernel/lib/cmdline.c. */
#include "host_test.h"

#include "lib/cmdline.h"

static void get_finds_values_and_flags(void **state)
{
	(void)state;
	const char *cl = "  ktest=all qemu_exit=1\tloglevel=debug verbose mem=64M  ";
	char v[32];

	assert_status(cmdline_get(cl, "ktest", v, sizeof(v)), FE_OK);
	assert_string_equal(v, "all");
	assert_status(cmdline_get(cl, "loglevel", v, sizeof(v)), FE_OK);
	assert_string_equal(v, "debug");
	assert_status(cmdline_get(cl, "verbose", v, sizeof(v)), FE_OK);
	assert_string_equal(v, "");
	assert_status(cmdline_get(cl, "mem", v, sizeof(v)), FE_OK);
	assert_string_equal(v, "64M");
	assert_status(cmdline_get(cl, "missing", v, sizeof(v)), FE_ERR_NOT_FOUND);
	/* Prefixes of a key do not match it, nor the other way round. */
	assert_status(cmdline_get(cl, "ktes", v, sizeof(v)), FE_ERR_NOT_FOUND);
	assert_status(cmdline_get(cl, "ktest.panic", v, sizeof(v)), FE_ERR_NOT_FOUND);
	assert_status(cmdline_get("", "x", v, sizeof(v)), FE_ERR_NOT_FOUND);
}

static void last_occurrence_wins(void **state)
{
	(void)state;
	char v[8];

	assert_status(cmdline_get("a=1 b=2 a=3", "a", v, sizeof(v)), FE_OK);
	assert_string_equal(v, "3");
}

static void long_values_are_truncated_with_an_error(void **state)
{
	(void)state;
	char v[4];

	assert_status(cmdline_get("k=abcdef", "k", v, sizeof(v)), FE_ERR_OUT_OF_RANGE);
	assert_string_equal(v, "abc");
	assert_status(cmdline_get("k=abc", "k", v, sizeof(v)), FE_OK);
	assert_status(cmdline_get("k=abc", "k", v, 0), FE_ERR_INVALID_ARG);
	assert_status(cmdline_get(NULL, "k", v, sizeof(v)), FE_ERR_INVALID_ARG);
	assert_status(cmdline_get("k", "", v, sizeof(v)), FE_ERR_INVALID_ARG);
}

static void flags(void **state)
{
	(void)state;
	const char *cl = "a b=1 c=0 d=off e=no f=false g=yes h=verylongvalue";

	assert_true(cmdline_flag(cl, "a"));
	assert_true(cmdline_flag(cl, "b"));
	assert_false(cmdline_flag(cl, "c"));
	assert_false(cmdline_flag(cl, "d"));
	assert_false(cmdline_flag(cl, "e"));
	assert_false(cmdline_flag(cl, "f"));
	assert_true(cmdline_flag(cl, "g"));
	assert_true(cmdline_flag(cl, "h"));
	assert_false(cmdline_flag(cl, "z"));
}

/* One tokenizer for every reader: any run of spaces, tabs and line ends
 * separates words, so a cmdline.txt may hold one option per line. */
static void words_split_on_any_whitespace(void **state)
{
	(void)state;
	static const char cl[] = "  init.run=hello\nqemu_exit=1\r\n\tloglevel=debug \n";
	static const char *const want[] = { "init.run=hello", "qemu_exit=1", "loglevel=debug" };
	const char *p = cl, *w;
	size_t len, n = 0;
	char v[16];

	while ((w = cmdline_next_word(&p, &len)) != NULL) {
		assert_true(n < 3);
		assert_int_equal(len, strlen(want[n]));
		assert_memory_equal(w, want[n], len);
		n++;
	}
	assert_int_equal(n, 3);
	assert_int_equal(*p, '\0');
	p = " \t\n";
	assert_null(cmdline_next_word(&p, &len));
	assert_int_equal(len, 0);
	p = "";
	assert_null(cmdline_next_word(&p, &len));
	assert_status(cmdline_get(cl, "init.run", v, sizeof(v)), FE_OK);
	assert_string_equal(v, "hello");
	assert_true(cmdline_flag(cl, "qemu_exit"));
}

static void sizes(void **state)
{
	(void)state;
	uint64_t v;

	assert_status(cmdline_parse_size("4096", &v), FE_OK);
	assert_int_equal(v, 4096);
	assert_status(cmdline_parse_size("64M", &v), FE_OK);
	assert_int_equal(v, 64ULL << 20);
	assert_status(cmdline_parse_size("2g", &v), FE_OK);
	assert_int_equal(v, 2ULL << 30);
	assert_status(cmdline_parse_size("16K", &v), FE_OK);
	assert_int_equal(v, 16ULL << 10);
	assert_status(cmdline_parse_size("0x1000", &v), FE_OK);
	assert_int_equal(v, 0x1000);
	assert_status(cmdline_parse_size("18446744073709551615", &v), FE_OK);
	assert_status(cmdline_parse_size("18446744073709551616", &v), FE_ERR_BAD_FORMAT);
	assert_status(cmdline_parse_size("17179869184G", &v), FE_ERR_BAD_FORMAT);
	assert_status(cmdline_parse_size("", &v), FE_ERR_BAD_FORMAT);
	assert_status(cmdline_parse_size("M", &v), FE_ERR_BAD_FORMAT);
	assert_status(cmdline_parse_size("12Q", &v), FE_ERR_BAD_FORMAT);
	assert_status(cmdline_parse_size("12MB", &v), FE_ERR_BAD_FORMAT);
	assert_status(cmdline_parse_size("0x", &v), FE_ERR_BAD_FORMAT);
	assert_status(cmdline_parse_size("-1", &v), FE_ERR_BAD_FORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(get_finds_values_and_flags),
		cmocka_unit_test(last_occurrence_wins),
		cmocka_unit_test(long_values_are_truncated_with_an_error),
		cmocka_unit_test(flags),
		cmocka_unit_test(words_split_on_any_whitespace),
		cmocka_unit_test(sizes),
	};
	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
