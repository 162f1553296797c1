/* SPDX-License-Identifier: MIT */
/*
 * Host tests of user/lib/manifest.c and manifest_order.c: every field of a
 * full manifest, the ramdisk's own (initrd/services, initrd/svctest.services),
 * budgets, start orders, and each error with its status, line and message. Every text is parsed from
 * an exact-size heap copy without a NUL, so ASan fails a read past len.
 */
#include "host_test.h"

#include <stdio.h>

#include <fe/manifest.h>

#define MS 1000000ull
#define S 1000000000ull

/* Parses text (strlen bytes) into *m; returns the status, err filled. */
static fe_status_t parse(const char *text, struct fe_manifest *m, struct fe_manifest_error *err)
{
	size_t len = strlen(text);
	uint8_t *copy = exact_copy(text, len);
	fe_status_t st = fe_manifest_parse((const char *)copy, len, m, err);

	free(copy);
	return st;
}

/* A manifest that must parse; the caller frees it. */
static struct fe_manifest *parse_ok(const char *text)
{
	struct fe_manifest *m = malloc(sizeof(*m));
	struct fe_manifest_error err;

	assert_non_null(m);
	fe_status_t st = parse(text, m, &err);
	if (st != FE_OK)
		fail_msg("%s at line %u: %s\n--\n%s", fe_status_name(st), err.line, err.msg, text);
	return m;
}

/* Fails unless text is refused with status st at line `line`, naming `needle`. */
static void expect_error(const char *text, fe_status_t st, uint32_t line, const char *needle)
{
	struct fe_manifest *m = malloc(sizeof(*m));
	struct fe_manifest_error err;

	assert_non_null(m);
	memset(m, 0xa5, sizeof(*m));
	memset(&err, 0xa5, sizeof(err));
	fe_status_t got = parse(text, m, &err);
	if (got != st || err.line != line || strstr(err.msg, needle) == NULL)
		fail_msg("got %s at line %u: \"%s\"; want %s at line %u naming \"%s\"\n--\n%s",
			 fe_status_name(got), err.line, err.msg, fe_status_name(st), line, needle,
			 text);
	assert_int_equal(m->nservices, 0);
	assert_true(strlen(err.msg) < sizeof(err.msg));
	free(m);
}

/* The index of the service called name in m (fails if absent). */
static uint32_t idx(const struct fe_manifest *m, const char *name)
{
	for (uint32_t i = 0; i < m->nservices; i++)
		if (strcmp(m->services[i].name, name) == 0)
			return i;
	fail_msg("no service %s", name);
	return 0;
}

/* The start order as names, e.g. "a b c". */
static void expect_order(const struct fe_manifest *m, const char *want)
{
	char got[512] = "";

	for (uint32_t k = 0; k < m->nservices; k++) {
		strcat(got, k ? " " : "");
		strcat(got, m->services[m->start_order[k]].name);
	}
	assert_string_equal(got, want);
}

static const char example[] =
	"# comment\n"
	"service pcibus\n"
	"    program pcibus\n"
	"    caps pci-root console\n"
	"    restart always\n"
	"\n"
	"service blk   # the first disk\n"
	"\tprogram drivers/virtio-blk\n"
	"\targs queue=2 debug\n"
	"\tdevice pci 1AF4:1042 instance 2\n"
	"\tdepends pcibus\n"
	"\trestart on-failure max 5 backoff 1ms..1000ms\n"
	"\theartbeat 100ms timeout 500ms\n"
	"\tbudget 3MiB\n"
	"service storage\n"
	"    program fs\n"
	"    device pci class 01:08:02 optional\n"
	"    depends blk\n"
	"    restart never"; /* no final newline */

static void every_field_is_read(void **state)
{
	(void)state;
	struct fe_manifest *m = parse_ok(example);

	assert_int_equal(m->nservices, 3);
	const struct fe_manifest_service *p = &m->services[0], *b = &m->services[1],
					 *f = &m->services[2];
	assert_string_equal(p->name, "pcibus");
	assert_string_equal(p->program, "pcibus");
	assert_int_equal(p->line, 2);
	assert_int_equal(p->caps, 1u << FE_MANIFEST_CAP_PCI_ROOT | 1u << FE_MANIFEST_CAP_CONSOLE);
	assert_true(fe_manifest_has_cap(p, FE_MANIFEST_CAP_PCI_ROOT));
	assert_false(fe_manifest_has_cap(p, FE_MANIFEST_CAP_HPET));
	assert_int_equal(p->restart.policy, FE_MANIFEST_RESTART_ALWAYS);
	assert_int_equal(p->restart.max, 0);
	assert_int_equal(p->restart.backoff_min_ns, FE_MANIFEST_BACKOFF_MIN_DEFAULT);
	assert_int_equal(p->restart.backoff_max_ns, FE_MANIFEST_BACKOFF_MAX_DEFAULT);
	assert_int_equal(p->device.kind, FE_MANIFEST_DEVICE_NONE);
	assert_int_equal(p->nargs + p->ndepends + p->heartbeat_period_ns + p->budget, 0);

	assert_string_equal(b->name, "blk");
	assert_string_equal(b->program, "drivers/virtio-blk");
	assert_int_equal(b->line, 7);
	assert_int_equal(b->nargs, 2);
	assert_string_equal(b->args[0], "queue=2");
	assert_string_equal(b->args[1], "debug");
	assert_int_equal(b->caps, 0);
	assert_int_equal(b->device.kind, FE_MANIFEST_DEVICE_PCI_ID);
	assert_int_equal(b->device.vendor, 0x1af4);
	assert_int_equal(b->device.device, 0x1042);
	assert_int_equal(b->device.instance, 2);
	assert_false(b->device.optional);
	assert_int_equal(b->ndepends, 1);
	assert_int_equal(b->depends[0], 0);
	assert_int_equal(b->restart.policy, FE_MANIFEST_RESTART_ON_FAILURE);
	assert_int_equal(b->restart.max, 5);
	assert_int_equal(b->restart.backoff_min_ns, 1 * MS);
	assert_int_equal(b->restart.backoff_max_ns, 1000 * MS);
	assert_int_equal(b->heartbeat_period_ns, 100 * MS);
	assert_int_equal(b->heartbeat_timeout_ns, 500 * MS);
	assert_int_equal(b->budget, 3u << 20);

	assert_int_equal(f->device.kind, FE_MANIFEST_DEVICE_PCI_CLASS);
	assert_int_equal(f->device.class_code, 0x01);
	assert_int_equal(f->device.subclass, 0x08);
	assert_true(f->device.has_prog_if);
	assert_int_equal(f->device.prog_if, 0x02);
	assert_int_equal(f->device.instance, 0);
	assert_true(f->device.optional);
	assert_int_equal(f->restart.policy, FE_MANIFEST_RESTART_NEVER);
	assert_int_equal(f->restart.max + f->restart.backoff_min_ns + f->restart.backoff_max_ns, 0);
	expect_order(m, "pcibus blk storage");
	free(m);
}

static void cap_names_match_the_vocabulary(void **state)
{
	(void)state;
	static const char *const want[] = { "console", "initrd", "trace", "ioport-com1",
					    "irq-com1", "hpet", "pci-root", "supervisor", "ioport-com2" };

	assert_int_equal(FE_MANIFEST_CAP_COUNT, 9);
	for (unsigned c = 0; c < FE_MANIFEST_CAP_COUNT; c++) {
		char text[128];
		snprintf(text, sizeof(text), "service a\nprogram a\ncaps %s\nrestart never\n",
			 want[c]);
		struct fe_manifest *m = parse_ok(text);
		assert_string_equal(fe_manifest_cap_name(c), want[c]);
		assert_int_equal(m->services[0].caps, 1u << c);
		free(m);
	}
	assert_null(fe_manifest_cap_name(FE_MANIFEST_CAP_COUNT));
	assert_null(fe_manifest_cap_name((enum fe_manifest_cap)-1));
}

/* A ramdisk manifest (the path is relative to the source root, which
 * mk/host.mk passes in), parsed. */
static struct fe_manifest *parse_file(const char *path)
{
	static char text[FE_MANIFEST_TEXT_MAX + 1];
	char full[512];

	snprintf(full, sizeof(full), "%s/%s", FE_SOURCE_ROOT, path);
	FILE *f = fopen(full, "rb");
	assert_non_null(f);
	size_t n = fread(text, 1, FE_MANIFEST_TEXT_MAX, f);
	fclose(f);
	text[n] = '\0';
	return parse_ok(text);
}

/* A service with a `device pci` line gets its device from the PCI bus
 * service, so the manifest has one, named pcibus, started before it. */
static void expect_devices_after_pcibus(const struct fe_manifest *m)
{
	bool bus_started = false;

	for (uint32_t k = 0; k < m->nservices; k++) {
		const struct fe_manifest_service *s = &m->services[m->start_order[k]];
		if (s->device.kind != FE_MANIFEST_DEVICE_NONE)
			assert_true(bus_started);
		bus_started |= strcmp(s->name, "pcibus") == 0;
	}
}

/* The checked-in ramdisk manifests parse: the default one, the
 * supervisor test's (scenario `supervisor`) and the crash campaign's. */
static void the_ramdisk_manifests_parse(void **state)
{
	(void)state;
	struct fe_manifest *m = parse_file("initrd/services");

	expect_order(m, "uart pcibus blk net echo traced console");
	const struct fe_manifest_service *blk = &m->services[idx(m, "blk")];
	assert_true(blk->device.optional);
	assert_true(m->services[idx(m, "net")].device.optional);
	const struct fe_manifest_service *con = &m->services[idx(m, "console")];
	assert_true(fe_manifest_has_cap(con, FE_MANIFEST_CAP_SUPERVISOR));
	assert_false(fe_manifest_has_cap(con, FE_MANIFEST_CAP_IOPORT_COM1)); /* uart's now */
	assert_int_equal(con->budget, 64u << 20);
	const struct fe_manifest_service *uart = &m->services[idx(m, "uart")];
	assert_true(fe_manifest_has_cap(uart, FE_MANIFEST_CAP_IOPORT_COM1));
	assert_true(fe_manifest_has_cap(uart, FE_MANIFEST_CAP_IRQ_COM1));
	const struct fe_manifest_service *traced = &m->services[idx(m, "traced")];
	assert_true(fe_manifest_has_cap(traced, FE_MANIFEST_CAP_IOPORT_COM2));
	assert_true(fe_manifest_has_cap(traced, FE_MANIFEST_CAP_TRACE));
	assert_false(fe_manifest_has_cap(uart, FE_MANIFEST_CAP_IOPORT_COM2));
	expect_devices_after_pcibus(m);
	free(m);

	m = parse_file("initrd/svctest.services");
	assert_int_equal(m->nservices, 16);
	expect_order(m, "uart base mid top echo svctest once flaky quitter ghost pcibus disk disk2 nodisk blk net");
	expect_devices_after_pcibus(m);
	free(m);

	/* `make faults` and `make bench` set restart: both targets restart for ever. */
	m = parse_file("initrd/faults.services");
	expect_order(m, "echo pcibus blk svctest");
	expect_devices_after_pcibus(m);
	for (const char *name = "echo";; name = "blk") {
		const struct fe_manifest_service *s = &m->services[idx(m, name)];
		assert_int_equal(s->restart.policy, FE_MANIFEST_RESTART_ALWAYS);
		assert_int_equal(s->restart.max, 0);
		assert_int_equal(s->heartbeat_timeout_ns, 3000000000ULL);
		if (strcmp(name, "blk") == 0)
			break;
	}
	free(m);
}

static void start_order_follows_dependencies(void **state)
{
	(void)state;
	struct fe_manifest *m;

	/* No dependencies: file order. */
	m = parse_ok("service c\nprogram x\nrestart never\nservice a\nprogram x\nrestart never\n"
		     "service b\nprogram x\nrestart never\n");
	expect_order(m, "c a b");
	free(m);
	/* A chain written backwards, with forward references. */
	m = parse_ok("service d\nprogram x\ndepends c\nrestart never\n"
		     "service c\nprogram x\ndepends b\nrestart never\n"
		     "service b\nprogram x\ndepends a\nrestart never\n"
		     "service a\nprogram x\nrestart never\n");
	expect_order(m, "a b c d");
	free(m);
	/* A diamond: top needs left and right, both need base; ties in file order. */
	m = parse_ok("service top\nprogram x\ndepends right left\nrestart never\n"
		     "service right\nprogram x\ndepends base\nrestart never\n"
		     "service left\nprogram x\ndepends base\nrestart never\n"
		     "service base\nprogram x\nrestart never\n"
		     "service free\nprogram x\nrestart never\n");
	expect_order(m, "base right left top free");
	assert_int_equal(m->services[0].ndepends, 2);
	assert_int_equal(m->services[0].depends[0], 1);
	assert_int_equal(m->services[0].depends[1], 2);
	free(m);
}

/* Sixteen services, each depending on the next, and names of the longest length. */
static void limits_are_reachable(void **state)
{
	(void)state;
	char text[4096] = "";
	char line[256];

	for (unsigned i = 0; i < FE_MANIFEST_SERVICES_MAX; i++) {
		snprintf(line, sizeof(line), "service s%022u\nprogram p\nrestart always\n", i);
		strcat(text, line);
		if (i + 1 < FE_MANIFEST_SERVICES_MAX) {
			snprintf(line, sizeof(line), "depends s%022u\n", i + 1);
			strcat(text, line);
		}
	}
	struct fe_manifest *m = parse_ok(text);
	assert_int_equal(m->nservices, FE_MANIFEST_SERVICES_MAX);
	assert_int_equal(strlen(m->services[0].name), FE_MANIFEST_NAME_MAX);
	for (unsigned k = 0; k < FE_MANIFEST_SERVICES_MAX; k++)
		assert_int_equal(m->start_order[k], FE_MANIFEST_SERVICES_MAX - 1 - k);
	free(m);

	m = parse_ok("service a\nprogram a\nargs 1 2 3 4 5 6 7 8\ndepends b c d e f g h i\n"
		     "restart always max 1000 backoff 1us..3600s\nheartbeat 3600s timeout 1us\n"
		     "service b\nprogram b\nrestart never\nservice c\nprogram c\nrestart never\n"
		     "service d\nprogram d\nrestart never\nservice e\nprogram e\nrestart never\n"
		     "service f\nprogram f\nrestart never\nservice g\nprogram g\nrestart never\n"
		     "service h\nprogram h\nrestart never\nservice i\nprogram i\nrestart never\n");
	assert_int_equal(m->services[0].nargs, FE_MANIFEST_ARGS_MAX);
	assert_int_equal(m->services[0].ndepends, FE_MANIFEST_DEPENDS_MAX);
	assert_int_equal(m->services[0].restart.max, FE_MANIFEST_RESTARTS_MAX);
	assert_int_equal(m->services[0].restart.backoff_min_ns, 1000);
	assert_int_equal(m->services[0].restart.backoff_max_ns, FE_MANIFEST_DURATION_MAX);
	assert_int_equal(m->services[0].heartbeat_period_ns, 3600 * S);
	free(m);
}

/* A line of exactly FE_MANIFEST_LINE_MAX bytes is fine; one more is not. */
static void overlong_line(void **state)
{
	(void)state;
	char text[512];
	int n = snprintf(text, sizeof(text), "service a\nprogram a\nrestart never\n#");

	memset(text + n, 'x', FE_MANIFEST_LINE_MAX - 1);
	text[n + FE_MANIFEST_LINE_MAX - 1] = '\0';
	free(parse_ok(text));
	strcat(text, "x\n");
	expect_error(text, FE_ERR_OUT_OF_RANGE, 4, "line longer than 200 bytes");
}

static void unknown_key(void **state)
{
	(void)state;
	expect_error("service a\n  progam a\n", FE_ERR_BAD_FORMAT, 2, "unknown key \"progam\"");
	expect_error("Service a\n", FE_ERR_BAD_FORMAT, 1, "unknown key \"Service\"");
	/* Long words are quoted in part. */
	expect_error("service a\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
		     FE_ERR_BAD_FORMAT, 2, "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\"");
}

static void key_outside_a_stanza_or_twice(void **state)
{
	(void)state;
	expect_error("# header\nprogram a\nservice a\n", FE_ERR_BAD_FORMAT, 2,
		     "program before the first service line");
	expect_error("service a\nprogram a\ncaps console\ncaps trace\n", FE_ERR_BAD_FORMAT, 4,
		     "caps given twice in service \"a\"");
	expect_error("service a\nprogram a\nprogram b\n", FE_ERR_BAD_FORMAT, 3,
		     "program given twice");
}

static void unknown_cap(void **state)
{
	(void)state;
	expect_error("service a\nprogram a\ncaps console consol\nrestart never\n",
		     FE_ERR_BAD_FORMAT, 3,
		     "unknown capability \"consol\" (console, initrd, trace, ioport-com1, "
		     "irq-com1, hpet, pci-root, supervisor, ioport-com2)");
	expect_error("service a\nprogram a\ncaps Console\n", FE_ERR_BAD_FORMAT, 3,
		     "unknown capability \"Console\"");
	expect_error("service a\nprogram a\ncaps hpet trace hpet\n", FE_ERR_BAD_FORMAT, 3,
		     "capability hpet listed twice");
	expect_error("service a\nprogram a\ncaps # none\n", FE_ERR_BAD_FORMAT, 3,
		     "caps needs at least one capability");
}

static void duplicate_service(void **state)
{
	(void)state;
	expect_error("service a\nprogram a\nrestart never\n\nservice a\nprogram b\nrestart never\n",
		     FE_ERR_BAD_FORMAT, 5, "service \"a\" defined twice (first on line 1)");
}

static void missing_program_or_restart(void **state)
{
	(void)state;
	/* Blamed on the service line, found when the stanza closes. */
	expect_error("service a\nrestart never\nservice b\nprogram b\nrestart never\n",
		     FE_ERR_BAD_FORMAT, 1, "service \"a\" has no program line");
	expect_error("service a\nprogram a\nrestart never\nservice b\ncaps console\n",
		     FE_ERR_BAD_FORMAT, 4, "service \"b\" has no program line");
	expect_error("service a\nprogram a\n", FE_ERR_BAD_FORMAT, 1,
		     "service \"a\" has no restart line");
	expect_error("service a\nprogram\n", FE_ERR_BAD_FORMAT, 2, "program needs a ramdisk path");
	expect_error("service a\nprogram a b\n", FE_ERR_BAD_FORMAT, 2,
		     "unexpected \"b\" after program PATH");
}

static void dependency_cycle(void **state)
{
	(void)state;
	expect_error("service a\nprogram a\nrestart never\ndepends a\n", FE_ERR_BAD_FORMAT, 4,
		     "dependency cycle (each depends on the next): a -> a");
	expect_error("service x\nprogram x\nrestart never\n"
		     "service a\nprogram a\ndepends x b\nrestart never\n"
		     "service b\nprogram b\nrestart never\ndepends c\n"
		     "service c\nprogram c\ndepends a\nrestart never\n",
		     FE_ERR_BAD_FORMAT, 6, "a -> b -> c -> a");
	/* A service hanging off a cycle is not part of what is reported. */
	expect_error("service top\nprogram t\ndepends p\nrestart never\n"
		     "service p\nprogram p\ndepends q\nrestart never\n"
		     "service q\nprogram q\ndepends p\nrestart never\n",
		     FE_ERR_BAD_FORMAT, 7, ": p -> q -> p");
}

/* Sixteen names in a cycle: the message is cut, still terminated. */
static void long_cycle_message_is_cut(void **state)
{
	(void)state;
	char text[4096] = "", line[128];

	for (unsigned i = 0; i < FE_MANIFEST_SERVICES_MAX; i++) {
		snprintf(line, sizeof(line),
			 "service s%022u\nprogram p\nrestart never\ndepends s%022u\n", i,
			 (i + 1) % FE_MANIFEST_SERVICES_MAX);
		strcat(text, line);
	}
	expect_error(text, FE_ERR_BAD_FORMAT, 4, "dependency cycle (each depends on the next): "
		     "s0000000000000000000000 -> s0000000000000000000001 -> ");
}

static void unknown_dependency(void **state)
{
	(void)state;
	expect_error("service a\nprogram a\ndepends b\nrestart never\n", FE_ERR_BAD_FORMAT, 3,
		     "service \"a\" depends on \"b\", which is not defined");
	expect_error("service a\nprogram a\ndepends\n", FE_ERR_BAD_FORMAT, 3,
		     "depends needs at least one service name");
	expect_error("service a\nprogram a\ndepends b c b\n", FE_ERR_BAD_FORMAT, 3,
		     "depends lists \"b\" twice");
	expect_error("service a\nprogram a\ndepends B\n", FE_ERR_BAD_FORMAT, 3,
		     "bad service name \"B\"");
	expect_error("service a\nprogram a\ndepends b c d e f g h i j\n", FE_ERR_OUT_OF_RANGE, 3,
		     "more than 8 dependencies");
}

static void overlong_or_bad_name(void **state)
{
	(void)state;
	expect_error("service abcdefghijklmnopqrstuvwx\n", FE_ERR_OUT_OF_RANGE, 1,
		     "service name \"abcdefghijklmnopqrstuvwx\" longer than 23 characters");
	expect_error("service a\nprogram a\ndepends abcdefghijklmnopqrstuvwx\n",
		     FE_ERR_OUT_OF_RANGE, 3, "longer than 23 characters");
	expect_error("service 9lives\n", FE_ERR_BAD_FORMAT, 1, "bad service name \"9lives\"");
	expect_error("service a_b\n", FE_ERR_BAD_FORMAT, 1, "bad service name \"a_b\"");
	expect_error("service\n", FE_ERR_BAD_FORMAT, 1, "service needs a name");
	expect_error("service a b\n", FE_ERR_BAD_FORMAT, 1, "unexpected \"b\" after service NAME");
}

static void too_many_services(void **state)
{
	(void)state;
	char text[2048] = "", line[64];

	for (unsigned i = 0; i <= FE_MANIFEST_SERVICES_MAX; i++) {
		snprintf(line, sizeof(line), "service s%u\nprogram p\nrestart never\n", i);
		strcat(text, line);
	}
	expect_error(text, FE_ERR_OUT_OF_RANGE, 3 * FE_MANIFEST_SERVICES_MAX + 1,
		     "more than 16 services");
}

static void bad_duration(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"100", "ms", "0ms", "10m", "10 ms", "1.5s", "-1s", "3601s", "3600001ms",
		"99999999999999999999999s", "1msx", "1MS",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[128], want[64];
		snprintf(text, sizeof(text),
			 "service a\nprogram a\nrestart never\nheartbeat %s timeout 1s\n", bad[i]);
		snprintf(want, sizeof(want), "bad duration \"%.*s\"", (int)strcspn(bad[i], " "),
			 bad[i]);
		expect_error(text, FE_ERR_BAD_FORMAT, 4,
			     strchr(bad[i], ' ') ? "heartbeat needs" : want);
	}
	expect_error("service a\nprogram a\nrestart never\nheartbeat 1s timeout 0us\n",
		     FE_ERR_BAD_FORMAT, 4, "bad duration \"0us\"");
	expect_error("service a\nprogram a\nrestart never\nheartbeat 1s\n", FE_ERR_BAD_FORMAT, 4,
		     "heartbeat needs PERIOD timeout TIMEOUT");
	expect_error("service a\nprogram a\nrestart never\nheartbeat 1s deadline 1s\n",
		     FE_ERR_BAD_FORMAT, 4, "heartbeat needs");
	expect_error("service a\nprogram a\nrestart never\nheartbeat 1s timeout 1s 1s\n",
		     FE_ERR_BAD_FORMAT, 4, "unexpected \"1s\" after heartbeat");
}

/* Sizes: the bounds are reachable, anything past them or malformed is refused. */
static void budget_sizes(void **state)
{
	(void)state;
	static const struct {
		const char *word;
		uint64_t bytes;
	} good[] = { { "64KiB", 64u << 10 }, { "16MiB", 16u << 20 }, { "64GiB", 64ull << 30 },
		     { "65536MiB", 64ull << 30 }, { "1GiB", 1u << 30 } };
	static const char *const bad[] = {
		"63KiB", "0MiB", "65GiB", "65537MiB", "16", "MiB", "16mib", "16MB", "1.5MiB",
		"-1MiB", "99999999999999999999KiB", "16MiBx",
	};
	char text[128], want[64];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "service a\nprogram a\nbudget %s\nrestart never\n",
			 good[i].word);
		struct fe_manifest *m = parse_ok(text);
		assert_int_equal(m->services[0].budget, good[i].bytes);
		free(m);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "service a\nprogram a\nbudget %s\nrestart never\n",
			 bad[i]);
		snprintf(want, sizeof(want), "bad budget \"%s\"", bad[i]);
		expect_error(text, FE_ERR_BAD_FORMAT, 3, want);
	}
	expect_error("service a\nprogram a\nbudget\nrestart never\n", FE_ERR_BAD_FORMAT, 3,
		     "budget needs a size");
	expect_error("service a\nprogram a\nbudget 1MiB 2MiB\nrestart never\n", FE_ERR_BAD_FORMAT,
		     3, "unexpected \"2MiB\" after budget SIZE");
	expect_error("service a\nprogram a\nbudget 1MiB\nbudget 2MiB\nrestart never\n",
		     FE_ERR_BAD_FORMAT, 4, "budget given twice");
}

static void bad_restart(void **state)
{
	(void)state;
	static const struct {
		const char *line, *want;
	} bad[] = {
		{ "restart", "restart needs always, on-failure or never" },
		{ "restart sometimes", "unknown restart policy \"sometimes\"" },
		{ "restart never max 3", "unexpected \"max\" after restart never" },
		{ "restart always max 0", "bad max \"0\" (1 to 1000 restarts)" },
		{ "restart always max 1001", "bad max \"1001\"" },
		{ "restart always max five", "bad max \"five\"" },
		{ "restart always max", "max needs a value" },
		{ "restart always max 1 max 2", "unexpected \"max\" in restart" },
		{ "restart always backoff", "backoff needs a value" },
		{ "restart always backoff 1ms", "bad backoff \"1ms\" (MIN..MAX" },
		{ "restart always backoff 1ms-1s", "bad backoff" },
		{ "restart always backoff 1ms..", "bad duration \"\"" },
		{ "restart always backoff ..1s", "bad duration \"\"" },
		{ "restart always backoff 1ms...1s", "bad duration \".1s\"" },
		{ "restart always backoff 2s..1s", "backoff \"2s..1s\" starts above its end" },
		{ "restart always backoff 1ms..1s backoff 1ms..1s", "unexpected \"backoff\"" },
		{ "restart always forever", "unexpected \"forever\" in restart" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "service a\nprogram a\n%s\n", bad[i].line);
		expect_error(text, FE_ERR_BAD_FORMAT, 3, bad[i].want);
	}
	struct fe_manifest *m =
		parse_ok("service a\nprogram a\nrestart always backoff 5ms..5ms max 2\n");
	assert_int_equal(m->services[0].restart.max, 2);
	assert_int_equal(m->services[0].restart.backoff_min_ns, 5 * MS);
	assert_int_equal(m->services[0].restart.backoff_max_ns, 5 * MS);
	free(m);
}

static void bad_vendor_device(void **state)
{
	(void)state;
	static const char *const bad_ids[] = {
		"1af41042", "1af4:104", "1af4:10420", "1af4-1042", "1ag4:1042", "1af4:104g",
		"ffff:1042", "FFFF:0000", ":1af4:104", "0x1af4:1042",
	};

	for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
		char text[128], want[64];
		snprintf(text, sizeof(text), "service a\nprogram a\ndevice pci %s\n", bad_ids[i]);
		snprintf(want, sizeof(want), "bad PCI id \"%s\"", bad_ids[i]);
		expect_error(text, FE_ERR_BAD_FORMAT, 3, want);
	}
	static const struct {
		const char *line, *want;
	} bad[] = {
		{ "device", "device needs a PCI function" },
		{ "device usb 1234:5678", "unknown bus \"usb\" in device (only pci)" },
		{ "device pci", "device pci needs VVVV:DDDD" },
		{ "device pci class", "device pci class needs CC:SS[:PP]" },
		{ "device pci class 0108", "bad PCI class \"0108\"" },
		{ "device pci class 01:8", "bad PCI class \"01:8\"" },
		{ "device pci class 01:08:", "bad PCI class \"01:08:\"" },
		{ "device pci class 01:08-02", "bad PCI class \"01:08-02\"" },
		{ "device pci class 01:0g", "bad PCI class \"01:0g\"" },
		{ "device pci class 01:08:02:00", "bad PCI class" },
		{ "device pci class 01:08 02", "only instance N" },
		{ "device pci 1af4:1042 instance", "only instance N (0 to 255)" },
		{ "device pci 1af4:1042 instance 256", "only instance N" },
		{ "device pci 1af4:1042 index 1", "only instance N" },
		{ "device pci 1af4:1042 instance 1 2", "unexpected \"2\" after instance N" },
		{ "device pci 1af4:1042 optional instance 1", "unexpected \"instance\" after optional" },
		{ "device pci 1af4:1042 instance 1 optional optional", "unexpected \"optional\" after optional" },
		{ "device pci 1af4:1042 Optional", "only instance N (0 to 255), then optional" },
		{ "device pci optional", "bad PCI id \"optional\"" },
		{ "device pci class 01:08 instance optional", "only instance N" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "service a\nprogram a\n%s\n", bad[i].line);
		expect_error(text, FE_ERR_BAD_FORMAT, 3, bad[i].want);
	}
	struct fe_manifest *m =
		parse_ok("service a\nprogram a\ndevice pci class 0c:03 instance 255\n"
			 "restart never\nservice b\nprogram b\ndevice pci 0000:ffff optional\n"
			 "restart never\n");
	assert_int_equal(m->services[0].device.class_code, 0x0c);
	assert_int_equal(m->services[0].device.subclass, 0x03);
	assert_false(m->services[0].device.has_prog_if);
	assert_int_equal(m->services[0].device.instance, 255);
	assert_false(m->services[0].device.optional);
	assert_int_equal(m->services[1].device.vendor, 0);
	assert_int_equal(m->services[1].device.device, 0xffff);
	assert_int_equal(m->services[1].device.instance, 0);
	assert_true(m->services[1].device.optional);
	free(m);
}

static void bad_program_path(void **state)
{
	(void)state;
	static const char *const bad[] = { "/abs", "a//b", "a/", "../x", "a/./b", ".", "a$b",
					   "a\\b" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[128], want[64];
		snprintf(text, sizeof(text), "service a\nprogram %s\n", bad[i]);
		snprintf(want, sizeof(want), "bad program path \"%s\"", bad[i]);
		expect_error(text, FE_ERR_BAD_FORMAT, 2, want);
	}
	char text[256];
	snprintf(text, sizeof(text), "service a\nprogram %064d\n", 0);
	expect_error(text, FE_ERR_OUT_OF_RANGE, 2, "longer than 63 characters");
	struct fe_manifest *m =
		parse_ok("service a\nprogram bin/.hidden/V1.2_x+y-z\nrestart never\n");
	assert_string_equal(m->services[0].program, "bin/.hidden/V1.2_x+y-z");
	free(m);
}

static void args_limits(void **state)
{
	(void)state;
	char text[256];

	expect_error("service a\nprogram a\nargs\n", FE_ERR_BAD_FORMAT, 3,
		     "args needs at least one word");
	expect_error("service a\nprogram a\nargs 1 2 3 4 5 6 7 8 9\n", FE_ERR_OUT_OF_RANGE, 3,
		     "more than 8 args");
	snprintf(text, sizeof(text), "service a\nprogram a\nargs %064d\n", 0);
	expect_error(text, FE_ERR_OUT_OF_RANGE, 3, "longer than 63 characters");
	/* A '#' always starts a comment, even inside what looks like a word. */
	struct fe_manifest *m = parse_ok("service a\nprogram a\nargs x=1 y#2 z\nrestart never\n");
	assert_int_equal(m->services[0].nargs, 2);
	assert_string_equal(m->services[0].args[1], "y");
	free(m);
}

/* Bytes: NUL, CR, control bytes and non-ASCII outside comments are refused. */
static void bad_bytes(void **state)
{
	(void)state;
	static const char good[] = "service a\nprogram a\nrestart never\n# caf\xc3\xa9\t\n";
	struct fe_manifest m;
	struct fe_manifest_error err;

	/* Every text is a prefix of good[] with one byte changed. */
	static const struct {
		size_t at;
		char byte;
		uint32_t line;
		const char *want;
	} bad[] = {
		{ 3, '\0', 1, "NUL byte" },
		{ 40, '\0', 4, "NUL byte" },
		{ 9, '\r', 1, "carriage return" },
		{ 12, '\x01', 2, "control byte 0x01" },
		{ 12, '\x7f', 2, "control byte 0x7f" },
		{ 37, '\x1b', 4, "control byte 0x1b" },
		{ 2, '\xc3', 1, "byte 0xc3 outside a comment" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t *copy = exact_copy(good, sizeof(good) - 1);
		copy[bad[i].at] = (uint8_t)bad[i].byte;
		fe_status_t st = fe_manifest_parse((const char *)copy, sizeof(good) - 1, &m, &err);
		assert_status(st, FE_ERR_BAD_FORMAT);
		assert_int_equal(err.line, bad[i].line);
		assert_non_null(strstr(err.msg, bad[i].want));
		free(copy);
	}
	/* Bytes past len are never read: a NUL there is not seen. */
	assert_status(fe_manifest_parse(good, sizeof(good) - 1, &m, &err), FE_OK);
	assert_status(fe_manifest_parse("service a\nprogram a\nrestart never\0\x01", 33, &m, &err),
		      FE_OK);
}

static void whole_text_errors(void **state)
{
	(void)state;
	struct fe_manifest_error err;
	struct fe_manifest *m = malloc(sizeof(*m));
	char *big = malloc(FE_MANIFEST_TEXT_MAX + 1);

	assert_non_null(m);
	assert_non_null(big);
	expect_error("", FE_ERR_BAD_FORMAT, 0, "no service defined");
	expect_error("# only comments\n\n   \n\t# and blanks\n", FE_ERR_BAD_FORMAT, 0,
		     "no service defined");
	assert_status(fe_manifest_parse(NULL, 0, m, &err), FE_ERR_BAD_FORMAT);
	assert_status(fe_manifest_parse(NULL, 1, m, &err), FE_ERR_INVALID_ARG);
	assert_int_equal(err.line, 0);
	assert_status(fe_manifest_parse("x", 1, NULL, &err), FE_ERR_INVALID_ARG);
	/* No error record wanted: the status alone. */
	assert_status(fe_manifest_parse("service", 7, m, NULL), FE_ERR_BAD_FORMAT);
	/* Too big, even if the rest is comment. */
	memset(big, '\n', FE_MANIFEST_TEXT_MAX + 1);
	assert_status(fe_manifest_parse(big, FE_MANIFEST_TEXT_MAX + 1, m, &err),
		      FE_ERR_OUT_OF_RANGE);
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.msg, "manifest larger than 65536 bytes"));
	free(big);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_field_is_read),
		cmocka_unit_test(cap_names_match_the_vocabulary),
		cmocka_unit_test(the_ramdisk_manifests_parse),
		cmocka_unit_test(start_order_follows_dependencies),
		cmocka_unit_test(limits_are_reachable),
		cmocka_unit_test(overlong_line),
		cmocka_unit_test(unknown_key),
		cmocka_unit_test(key_outside_a_stanza_or_twice),
		cmocka_unit_test(unknown_cap),
		cmocka_unit_test(duplicate_service),
		cmocka_unit_test(missing_program_or_restart),
		cmocka_unit_test(dependency_cycle),
		cmocka_unit_test(long_cycle_message_is_cut),
		cmocka_unit_test(unknown_dependency),
		cmocka_unit_test(overlong_or_bad_name),
		cmocka_unit_test(too_many_services),
		cmocka_unit_test(bad_duration),
		cmocka_unit_test(budget_sizes),
		cmocka_unit_test(bad_restart),
		cmocka_unit_test(bad_vendor_device),
		cmocka_unit_test(bad_program_path),
		cmocka_unit_test(args_limits),
		cmocka_unit_test(bad_bytes),
		cmocka_unit_test(whole_text_errors),
	};
	return cmocka_run_group_tests_name("manifest", tests, NULL, NULL);
}
