/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the service manifest parser (user/lib/manifest.c).
 * Any input: the parse ends with FE_OK or a placed, printable message, and
 * the same input gives the same bytes again. On FE_OK every invariant of
 * fe/manifest.h holds (names, paths, words, limits, resolved dependencies,
 * a start order that is a permutation respecting them), and the manifest
 * written back out as text parses to the same services. Violations trap.
 *
 * Results are compared with memcmp, padding included: the parser zeroes its
 * result and writes only fields (fe/manifest.h), so equal parses are equal
 * bytes, and a stray write anywhere in the struct shows.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <fe/manifest.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
	if (!cond)
		__builtin_trap();
}

/* Byte equality, padding included (above: the parser leaves padding zero). */
static int same_bytes(const void *a, const void *b, size_t n)
{
	return memcmp(a, b, n) == 0;
}

/* buf holds a NUL within its size, and the string is 1..max bytes of 0x21..0x7e but '#'. */
static void check_word(const char *buf, size_t size, size_t max)
{
	size_t n = strnlen(buf, size);

	require(n < size && n >= 1 && n <= max);
	for (size_t i = 0; i < n; i++)
		require(buf[i] > 0x20 && buf[i] < 0x7f && buf[i] != '#');
}

static void check_name(const char *name)
{
	check_word(name, FE_MANIFEST_NAME_MAX + 1, FE_MANIFEST_NAME_MAX);
	require(name[0] >= 'a' && name[0] <= 'z');
	for (size_t i = 1; name[i]; i++)
		require((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
			name[i] == '-');
}

/* Durations are whole microseconds at least (the smallest unit is us). */
static void check_duration(uint64_t ns)
{
	require(ns > 0 && ns <= FE_MANIFEST_DURATION_MAX && ns % 1000 == 0);
}

static void check_restart(const struct fe_manifest_restart *r)
{
	if (r->policy == FE_MANIFEST_RESTART_NEVER) {
		require(r->max == 0 && r->backoff_min_ns == 0 && r->backoff_max_ns == 0);
		return;
	}
	require(r->policy == FE_MANIFEST_RESTART_ON_FAILURE ||
		r->policy == FE_MANIFEST_RESTART_ALWAYS);
	require(r->max <= FE_MANIFEST_RESTARTS_MAX);
	check_duration(r->backoff_min_ns);
	check_duration(r->backoff_max_ns);
	require(r->backoff_min_ns <= r->backoff_max_ns);
}

static void check_device(const struct fe_manifest_device *d)
{
	static const struct fe_manifest_device none;

	if (d->kind == FE_MANIFEST_DEVICE_NONE)
		require(same_bytes(d, &none, sizeof(none)));
	else if (d->kind == FE_MANIFEST_DEVICE_PCI_ID)
		require(d->vendor != 0xffff);
	else
		require(d->kind == FE_MANIFEST_DEVICE_PCI_CLASS &&
			(d->has_prog_if || d->prog_if == 0));
}

static void check_service(const struct fe_manifest *m, uint32_t i)
{
	const struct fe_manifest_service *s = &m->services[i];

	check_name(s->name);
	check_word(s->program, sizeof(s->program), FE_MANIFEST_PATH_MAX);
	require(s->program[0] != '/');
	require(s->nargs <= FE_MANIFEST_ARGS_MAX);
	for (uint32_t a = 0; a < s->nargs; a++)
		check_word(s->args[a], sizeof(s->args[a]), FE_MANIFEST_ARG_MAX);
	require(s->caps >> FE_MANIFEST_CAP_COUNT == 0);
	check_device(&s->device);
	require(s->ndepends <= FE_MANIFEST_DEPENDS_MAX);
	for (uint32_t j = 0; j < s->ndepends; j++) {
		require(s->depends[j] < m->nservices && s->depends[j] != i);
		for (uint32_t k = 0; k < j; k++)
			require(s->depends[k] != s->depends[j]);
	}
	check_restart(&s->restart);
	require((s->heartbeat_period_ns == 0) == (s->heartbeat_timeout_ns == 0));
	if (s->heartbeat_period_ns != 0) {
		check_duration(s->heartbeat_period_ns);
		check_duration(s->heartbeat_timeout_ns);
	}
	require(s->budget == 0 ||
		(s->budget >= FE_MANIFEST_BUDGET_MIN && s->budget <= FE_MANIFEST_BUDGET_MAX &&
		 s->budget % 1024 == 0));
	require(s->line >= 1 && (i == 0 || s->line > m->services[i - 1].line));
	for (uint32_t k = 0; k < i; k++)
		require(strcmp(m->services[k].name, s->name) != 0);
}

/* start_order is a permutation in which each service follows what it depends on. */
static void check_order(const struct fe_manifest *m)
{
	uint32_t pos[FE_MANIFEST_SERVICES_MAX];

	memset(pos, 0xff, sizeof(pos));
	for (uint32_t k = 0; k < m->nservices; k++) {
		uint32_t i = m->start_order[k];
		require(i < m->nservices && pos[i] == UINT32_MAX);
		pos[i] = k;
	}
	for (uint32_t i = 0; i < m->nservices; i++)
		for (uint32_t j = 0; j < m->services[i].ndepends; j++)
			require(pos[m->services[i].depends[j]] < pos[i]);
}

/* Appends to a text buffer (sized so the largest manifest fits). */
struct text {
	char buf[FE_MANIFEST_TEXT_MAX];
	size_t len;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	require(n >= 0 && (size_t)n < sizeof(t->buf) - t->len);
	t->len += (size_t)n;
}

static void put_duration(struct text *t, uint64_t ns)
{
	if (ns % 1000000000 == 0)
		put(t, "%llus", (unsigned long long)(ns / 1000000000));
	else if (ns % 1000000 == 0)
		put(t, "%llums", (unsigned long long)(ns / 1000000));
	else
		put(t, "%lluus", (unsigned long long)(ns / 1000));
}

static void put_device(struct text *t, const struct fe_manifest_device *d)
{
	if (d->kind == FE_MANIFEST_DEVICE_PCI_ID)
		put(t, "device pci %04x:%04x", d->vendor, d->device);
	else if (d->has_prog_if)
		put(t, "device pci class %02x:%02x:%02x", d->class_code, d->subclass, d->prog_if);
	else
		put(t, "device pci class %02x:%02x", d->class_code, d->subclass);
	put(t, " instance %u%s\n", d->instance, d->optional ? " optional" : "");
}

static void put_service(struct text *t, const struct fe_manifest *m,
			const struct fe_manifest_service *s)
{
	static const char *const policy[] = { "never", "on-failure", "always" };

	put(t, "service %s\n  program %s\n", s->name, s->program);
	if (s->nargs) {
		put(t, "  args");
		for (uint32_t a = 0; a < s->nargs; a++)
			put(t, " %s", s->args[a]);
		put(t, "\n");
	}
	if (s->caps) {
		put(t, "  caps");
		for (unsigned c = 0; c < FE_MANIFEST_CAP_COUNT; c++)
			if (fe_manifest_has_cap(s, c))
				put(t, " %s", fe_manifest_cap_name(c));
		put(t, "\n");
	}
	if (s->device.kind != FE_MANIFEST_DEVICE_NONE)
		put_device(t, &s->device);
	if (s->ndepends) {
		put(t, "  depends");
		for (uint32_t j = 0; j < s->ndepends; j++)
			put(t, " %s", m->services[s->depends[j]].name);
		put(t, "\n");
	}
	put(t, "  restart %s", policy[s->restart.policy]);
	if (s->restart.policy != FE_MANIFEST_RESTART_NEVER) {
		if (s->restart.max)
			put(t, " max %u", s->restart.max);
		put(t, " backoff ");
		put_duration(t, s->restart.backoff_min_ns);
		put(t, "..");
		put_duration(t, s->restart.backoff_max_ns);
	}
	put(t, "\n");
	if (s->heartbeat_period_ns) {
		put(t, "  heartbeat ");
		put_duration(t, s->heartbeat_period_ns);
		put(t, " timeout ");
		put_duration(t, s->heartbeat_timeout_ns);
		put(t, "\n");
	}
	if (s->budget)
		put(t, "  budget %lluKiB\n", (unsigned long long)(s->budget >> 10));
}

/* Writes m back as text and parses it: the same services, lines aside. */
static void check_round_trip(const struct fe_manifest *m)
{
	static struct text t;
	static struct fe_manifest back;

	t.len = 0;
	for (uint32_t i = 0; i < m->nservices; i++)
		put_service(&t, m, &m->services[i]);
	require(fe_manifest_parse(t.buf, t.len, &back, NULL) == FE_OK);
	require(back.nservices == m->nservices);
	require(memcmp(back.start_order, m->start_order, sizeof(m->start_order)) == 0);
	for (uint32_t i = 0; i < m->nservices; i++) {
		back.services[i].line = m->services[i].line;
		require(same_bytes(&back.services[i], &m->services[i], sizeof(m->services[i])));
	}
}

/* A failure says where (a line the input has, or 0) and what, in printable ASCII. */
static void check_error(const struct fe_manifest_error *err, fe_status_t st,
			const uint8_t *data, size_t size)
{
	uint32_t lines = 1;

	require(st == FE_ERR_BAD_FORMAT || st == FE_ERR_OUT_OF_RANGE);
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	require(err->line <= lines);
	size_t n = strnlen(err->msg, sizeof(err->msg));
	require(n >= 1 && n < sizeof(err->msg));
	for (size_t i = 0; i < n; i++)
		require(err->msg[i] >= 0x20 && err->msg[i] < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fe_manifest m, again;
	struct fe_manifest_error err;
	fe_status_t st = fe_manifest_parse((const char *)data, size, &m, &err);

	if (st != FE_OK) {
		check_error(&err, st, data, size);
		require(m.nservices == 0);
	} else {
		require(m.nservices >= 1 && m.nservices <= FE_MANIFEST_SERVICES_MAX);
		for (uint32_t i = 0; i < m.nservices; i++)
			check_service(&m, i);
		check_order(&m);
		check_round_trip(&m);
	}
	/* The same bytes, and no error record: the same result. */
	require(fe_manifest_parse((const char *)data, size, &again, NULL) == st);
	require(same_bytes(&m, &again, sizeof(m)));
	return 0;
}
