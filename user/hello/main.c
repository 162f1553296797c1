/* SPDX-License-Identifier: MIT */
/* The smallest program: prints its arguments; `exit=N` sets the exit code. */
#include <fe/runtime.h>

int main(int argc, char **argv)
{
	uint64_t code = 0;

	printf("hello from %s: argc=%d", argv[0], argc);
	for (int i = 1; i < argc; i++) {
		printf(" %s", argv[i]);
		if (strncmp(argv[i], "exit=", 5) == 0)
			fe_parse_u64(argv[i] + 5, &code);
	}
	printf("\n");
	return (int)code;
}
