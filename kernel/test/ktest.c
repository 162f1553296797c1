/* SPDX-License-Identifier: MIT */
/*
 * The KTAP test runner. Output (KTAP version 1, nested):
 *
 *	KTAP version 1
 *	1..2
 *	    KTAP version 1
 *	    # Subtest: frame
 *	    1..3
 *	    ok 1 frame_alloc_aligned
 *	    # frame_double_free: kernel/mm/frame_test.c:40: expected ...
 *	    not ok 2 frame_double_free
 *	    ...
 *	not ok 1 frame
 */
#include "test/ktest.h"

#include <stdarg.h>

#include <arch/irqflags.h>

#include "core/console.h"
#include "core/fault_catch.h"
#include "core/ksyms.h"
#include "core/log.h"
#include "core/panic.h"
#include "lib/fmt.h"
#include "lib/string.h"

extern const struct ktest_suite __ktest_suites_start[], __ktest_suites_end[];

void ktest_deliberate_panic(void)
{
	panic("ktest.panic=1: deliberate panic to test the panic path");
}

void ktest_deliberate_fault(void)
{
	/* A canonical kernel address that is never mapped (inside the direct
	 * map's range, far above any RAM a test machine has). */
	volatile uint64_t *p = (volatile uint64_t *)0xffff9000dead0000ULL;
	*p = 1;
	panic("ktest_deliberate_fault: the write did not fault");
}

#if FE_DEBUG

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
{
	char msg[192];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t->failed = true;
	console_printf("    # %s: %s:%d: %s\n", t->name, file, line, msg);
}

void ktest_skip(struct ktest *t, const char *reason)
{
	t->skip_reason = reason;
}

void ktest_note(struct ktest *t, const char *fmt, ...)
{
	char msg[192];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	console_printf("    # %s: %s\n", t->name, msg);
}

/* Runs one case inside a fault catch, so a crash fails the case, not the run. */
static bool run_case(const struct ktest_case *tc, unsigned n)
{
	struct ktest t = { .name = tc->name };
	struct fault_catch fc;
	bool irqs_on = arch_irqs_enabled();

	if (FAULT_CATCH(&fc) == 0) {
		tc->fn(&t);
		fault_catch_disarm();
	} else {
		char sym[64] = "?";
		uint64_t off = 0;
		ksyms_lookup(fc.rip, sym, sizeof(sym), &off);
		t.failed = true;
		console_printf("    # %s: unexpected fault (kind %d, vector %u, rip %p %s+%#llx, addr %p)%s%s\n",
		               tc->name, fc.kind, fc.vector, (void *)fc.rip, sym, (unsigned long long)off,
		               (void *)fc.addr, fc.detail[0] ? ": " : "", fc.detail);
	}
	/* Whatever the case did, the next one starts with interrupts as before. */
	if (irqs_on)
		arch_irq_restore(RFLAGS_IF);
	else
		arch_irq_save();
	if (t.skip_reason && !t.failed)
		console_printf("    ok %u %s # SKIP %s\n", n, tc->name, t.skip_reason);
	else
		console_printf("    %s %u %s\n", t.failed ? "not ok" : "ok", n, tc->name);
	return !t.failed;
}

static unsigned run_suite(const struct ktest_suite *s, unsigned n)
{
	unsigned failed = 0;

	console_printf("    KTAP version 1\n    # Subtest: %s\n    1..%zu\n", s->name, s->ncases);
	for (size_t i = 0; i < s->ncases; i++)
		if (!run_case(&s->cases[i], (unsigned)i + 1))
			failed++;
	console_printf("%s %u %s\n", failed ? "not ok" : "ok", n, s->name);
	return failed;
}

/* True if `name` is one of the comma-separated words of spec, or spec is "all". */
static bool selected(const char *spec, const char *name)
{
	size_t len = strlen(name);

	if (strcmp(spec, "all") == 0)
		return true;
	for (const char *p = spec; *p;) {
		const char *end = strchr(p, ',');
		size_t wlen = end ? (size_t)(end - p) : strlen(p);
		if (wlen == len && strncmp(p, name, len) == 0)
			return true;
		p += wlen + (end ? 1 : 0);
	}
	return false;
}

unsigned ktest_run(const char *spec)
{
	unsigned nsel = 0, n = 0, failed = 0, cases = 0;

	// cppcheck-suppress comparePointers ; one linker section, bounded by both symbols
	for (const struct ktest_suite *s = __ktest_suites_start; s < __ktest_suites_end; s++)
		if (selected(spec, s->name))
			nsel++;
	console_printf("KTAP version 1\n1..%u\n", nsel);
	// cppcheck-suppress comparePointers ; one linker section, bounded by both symbols
	for (const struct ktest_suite *s = __ktest_suites_start; s < __ktest_suites_end; s++) {
		if (!selected(spec, s->name))
			continue;
		failed += run_suite(s, ++n);
		cases += (unsigned)s->ncases;
	}
	if (nsel == 0) {
		console_printf("# ktest: no suite matches '%s'\n", spec);
		failed++;
	}
	console_printf("# ktest: %u suites, %u cases, %u failed\n", nsel, cases, failed);
	return failed;
}

#else /* release */

unsigned ktest_run(const char *spec)
{
	pr_err("ktest: '%s' requested, but release kernels contain no tests\n", spec);
	return 1;
}

#endif
