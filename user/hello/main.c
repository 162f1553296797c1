/* SPDX-License-Identifier: MIT */
/* The smallest program: prints its arguments; `exit=N` sets the exit code. */
#include <fe/runtime.h>

#define EXIT_USAGE 2

int main(int argc, char **argv)
{
	int64_t code = 0;

	printf("hello from hello: argc=%d", argc);
	for (int i = 1; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "exit=", 5) != 0)
			continue;
		fe_status_t st = fe_parse_i64(argv[i] + 5, &code);
		if (st != FE_OK) {
			printf("hello: %s: not a number (%s)\n", argv[i], fe_status_name(st));
			return EXIT_USAGE;
		}
	}
	fe_exit(code);
}
