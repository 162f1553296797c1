/* SPDX-License-Identifier: MIT */
/* Reading struct boot_options from the command line. */
#include "core/boot_options.h"

#include "core/kernel.h"
#include "core/log.h"
#include "lib/cmdline.h"
#include "lib/string.h"

struct boot_options boot_opts = { .loglevel = LOG_INFO, .trace = true };

static int parse_loglevel(const char *v)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };

	for (int i = 0; i < 4; i++)
		if (strcmp(v, names[i]) == 0)
			return i;
	return -1;
}

/* Each bad option is reported after logging starts: returns how many there were. */
unsigned boot_options_parse(const char *cmdline, const char **bad)
{
	char v[128];
	unsigned errors = 0;

	boot_opts.qemu_exit = cmdline_flag(cmdline, "qemu_exit");
	boot_opts.ktest_panic = cmdline_flag(cmdline, "ktest.panic");
	boot_opts.ktest_fault = cmdline_flag(cmdline, "ktest.fault");
	if (cmdline_get(cmdline, "trace", v, sizeof(v)) == FE_OK)
		boot_opts.trace = cmdline_flag(cmdline, "trace");
	if (cmdline_get(cmdline, "ktest", boot_opts.ktest, sizeof(boot_opts.ktest)) ==
	    FE_ERR_OUT_OF_RANGE) {
		*bad = "ktest";
		errors++;
	}
	if (cmdline_get(cmdline, "loglevel", v, sizeof(v)) == FE_OK) {
		int l = parse_loglevel(v);
		if (l < 0) {
			*bad = "loglevel";
			errors++;
		} else {
			boot_opts.loglevel = l;
		}
	}
	if (cmdline_get(cmdline, "mem", v, sizeof(v)) == FE_OK &&
	    cmdline_parse_size(v, &boot_opts.mem_limit) != FE_OK) {
		*bad = "mem";
		errors++;
	}
	log_set_level((enum log_level)boot_opts.loglevel);
	return errors;
}
