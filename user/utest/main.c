/* SPDX-License-Identifier: MIT */
/*
 * utest: the user-space test suite (`init.run=utest`). It exercises every
 * system call's success and error paths from an ordinary process holding
 * the capabilities init passes on, spawning copies of itself with a
 * `role=...` argument where a second process is needed.
 */
#include "ut.h"

static const struct ut_suite *const suites[] = {
	&suite_handles, &suite_memory, &suite_process, &suite_ipc, &suite_notify, &suite_devices,
};

void ut_fail(struct ut *t, const char *file, int line, const char *what, long long got,
             long long want)
{
	t->failed++;
	printf("    # %s:%d: expected %s (got %lld, want %lld)\n", file, line, what, got, want);
}

static int run_suite(unsigned index, const struct ut_suite *s)
{
	int failed = 0;

	printf("    KTAP version 1\n    # Subtest: %s\n    1..%u\n", s->name, s->ncases);
	for (unsigned i = 0; i < s->ncases; i++) {
		struct ut t = { 0 };
		s->cases[i].fn(&t);
		printf("    %sok %u %s\n", t.failed ? "not " : "", i + 1, s->cases[i].name);
		failed += t.failed != 0;
	}
	printf("%sok %u %s\n", failed ? "not " : "", index, s->name);
	return failed;
}

int main(int argc, char **argv)
{
	unsigned n = sizeof(suites) / sizeof(suites[0]);
	int failed = 0;

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "role=", 5) == 0)
			return ut_run_role(argv[i] + 5, i + 1 < argc ? argv[i + 1] : "");
	printf("KTAP version 1\n1..%u\n", n);
	for (unsigned i = 0; i < n; i++)
		failed += run_suite(i + 1, suites[i]);
	printf("# utest: %d case(s) failed\n", failed);
	return failed ? 1 : 0;
}
