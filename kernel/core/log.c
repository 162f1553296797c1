/* SPDX-License-Identifier: MIT */
#include "log.h"

#include <stdarg.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/console.h"
#include "core/cpu.h"
#include "lib/fmt.h"

/* Set at boot from the command line; a racy read only changes one line's fate. */
static enum log_level threshold = LOG_INFO;

void log_set_level(enum log_level level)
{
	threshold = level;
}

void klog(enum log_level level, const char *fmt, ...)
{
	static const char letters[] = "EWID";
	char prefix[40];
	va_list ap;

	if (level > threshold)
		return;
	uint64_t ns = clock_ns();
	struct cpu *c = ncpus ? this_cpu() : NULL;
	fmt_snprintf(prefix, sizeof(prefix), "[%5llu.%06llu] %u %c ",
	             (unsigned long long)(ns / 1000000000u), (unsigned long long)(ns % 1000000000u / 1000u),
	             c ? c->index : 0, letters[level]);
	va_start(ap, fmt);
	console_vprintf(prefix, fmt, ap);
	va_end(ap);
}
