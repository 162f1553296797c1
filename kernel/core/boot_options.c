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

static fe_status_t parse_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (*s == 0)
		return FE_ERR_INVALID_ARG;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return FE_ERR_INVALID_ARG;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = (uint32_t)v;
	return FE_OK;
}

/* cpu_capacity=A,B,...: CPU i gets the i-th figure (1..1024); CPUs past the
 * list get the last one. Without the option every CPU is 1024. */
static fe_status_t parse_capacities(const char *cmdline)
{
	char v[128], *p = v;
	uint32_t n = 0, cap = 1024;
	const uint32_t max = sizeof(boot_opts.cpu_capacity) / sizeof(boot_opts.cpu_capacity[0]);
	fe_status_t st = FE_OK;

	if (cmdline_get(cmdline, "cpu_capacity", v, sizeof(v)) == FE_OK) {
		while (*p && n < max) {
			char *comma = p;
			while (*comma && *comma != ',')
				comma++;
			char saved = *comma;
			*comma = 0;
			if (parse_u32(p, &cap) != FE_OK || cap == 0 || cap > 1024) {
				st = FE_ERR_INVALID_ARG;
				cap = 1024;
			}
			boot_opts.cpu_capacity[n++] = cap;
			p = saved ? comma + 1 : comma;
		}
	}
	for (; n < max; n++)
		boot_opts.cpu_capacity[n] = cap;
	return st;
}

/* Each bad option is reported after logging starts: returns how many there were. */
unsigned boot_options_parse(const char *cmdline, const char **bad)
{
	char v[128];
	unsigned errors = 0;

	boot_opts.qemu_exit = cmdline_flag(cmdline, "qemu_exit");
	boot_opts.ktest_panic = cmdline_flag(cmdline, "ktest.panic");
	boot_opts.ktest_fault = cmdline_flag(cmdline, "ktest.fault");
	boot_opts.kobj_dump = cmdline_flag(cmdline, "kobj.dump");
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
	if (cmdline_get(cmdline, "smp", v, sizeof(v)) == FE_OK &&
	    (parse_u32(v, &boot_opts.max_cpus) != FE_OK || boot_opts.max_cpus == 0)) {
		*bad = "smp";
		errors++;
		boot_opts.max_cpus = 0;
	}
	if (parse_capacities(cmdline) != FE_OK) {
		*bad = "cpu_capacity";
		errors++;
	}
	log_set_level((enum log_level)boot_opts.loglevel);
	return errors;
}
