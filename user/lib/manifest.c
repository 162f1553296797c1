/* SPDX-License-Identifier: MIT */
/*
 * The service manifest parser (fe/manifest.h; the format: docs/manifest.md).
 *
 * One pass over the lines. Each line's bytes are all checked before any
 * word of it is read: printable ASCII and tabs, and after a '#' (a comment,
 * to the end of the line) any byte but NUL and control bytes. What precedes
 * the '#' splits into words at spaces and tabs. A `service` line closes the
 * stanza before it, checked complete, and opens the next; every other
 * non-blank line is one key of the open stanza. `depends` names are kept as
 * words until the end, since a service may name one defined below it; then
 * they become indexes and manifest_order.c puts the services in order.
 *
 * The result is zeroed first and each key is given at most once per
 * stanza, so a field is written once, by its key, and everything else
 * (padding included) stays zero: two parses of one text give equal bytes.
 *
 * Invariant: a struct word lies inside text[0, len) and holds only bytes
 * 0x21..0x7e other than '#'. Everything copied out of the text is a word,
 * so every string in the result, and every message quoting the text, is
 * printable ASCII; messages quote words with "%.*s", never past their end.
 */
#include <fe/manifest.h>

#include <stdarg.h>

#include "fmt.h"
#include "manifest_internal.h"

/* At most this many bytes of a word are quoted in a message. */
#define QUOTE_MAX 32
#define WFMT "\"%.*s%s\""
#define WARG(w) (int)((w).len > QUOTE_MAX ? QUOTE_MAX : (w).len), (w).p, \
	((w).len > QUOTE_MAX ? "..." : "")

_Static_assert(FE_MANIFEST_SERVICES_MAX <= 255, "indexes are uint8_t (0xff: none)");
_Static_assert((FE_MANIFEST_ARGS_MAX + 1) * (FE_MANIFEST_ARG_MAX + 1) <= 1024,
	       "a program and its args fit a start-up block (FE_START_ARGS_MAX)");

/* What is left of one line to split into words: text[pos, end). */
struct line {
	const char *text;
	size_t pos, end;
};

enum key { KEY_PROGRAM, KEY_ARGS, KEY_CAPS, KEY_DEVICE, KEY_DEPENDS, KEY_RESTART,
	   KEY_HEARTBEAT, KEY_BUDGET, KEY_COUNT };

struct parser {
	const char *text;
	size_t len;
	struct fe_manifest *out;
	struct fe_manifest_error *err;       /* may be NULL */
	uint32_t line;                       /* being read, 1-based */
	struct fe_manifest_service *cur;     /* the open stanza, or NULL */
	uint32_t seen;                       /* keys given in cur, 1u << enum key */
	/* Each service's `depends` names and line, resolved once all are read. */
	struct word deps[FE_MANIFEST_SERVICES_MAX][FE_MANIFEST_DEPENDS_MAX];
	uint32_t deps_line[FE_MANIFEST_SERVICES_MAX];
};

/* ---- errors ---- */

static fe_status_t vfail(struct parser *ps, uint32_t line, fe_status_t st, const char *fmt,
			 va_list ap)
{
	if (ps->err != NULL) {
		ps->err->line = line;
		fmt_vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
	}
	return st;
}

static fe_status_t fail_at(struct parser *ps, uint32_t line, fe_status_t st, const char *fmt, ...)
	PRINTF_LIKE(4, 5);
static fe_status_t fail(struct parser *ps, fe_status_t st, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Records the error against line `line` and returns st. */
static fe_status_t fail_at(struct parser *ps, uint32_t line, fe_status_t st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	st = vfail(ps, line, st, fmt, ap);
	va_end(ap);
	return st;
}

/* Records the error against the line being read and returns st. */
static fe_status_t fail(struct parser *ps, fe_status_t st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	st = vfail(ps, ps->line, st, fmt, ap);
	va_end(ap);
	return st;
}

/* ---- lines and words ---- */

/* Checks one byte of a line; in_comment: it follows a '#'. */
static fe_status_t byte_check(struct parser *ps, unsigned char c, bool in_comment)
{
	if (c == '\0')
		return fail(ps, FE_ERR_BAD_FORMAT, "NUL byte");
	if (c == '\r')
		return fail(ps, FE_ERR_BAD_FORMAT, "carriage return (lines end in \\n alone)");
	if ((c < 0x20 && c != '\t') || c == 0x7f)
		return fail(ps, FE_ERR_BAD_FORMAT, "control byte 0x%02x", c);
	if (c >= 0x80 && !in_comment)
		return fail(ps, FE_ERR_BAD_FORMAT, "byte 0x%02x outside a comment (only ASCII)", c);
	return FE_OK;
}

/*
 * Reads the line at *pos, checking all its bytes, and sets *l to its words'
 * part (before any '#'). *pos moves past the line's '\n', or to the end.
 */
static fe_status_t line_read(struct parser *ps, size_t *pos, struct line *l)
{
	size_t start = *pos, i, code_end = ps->len;
	bool in_comment = false;

	for (i = start; i < ps->len && ps->text[i] != '\n'; i++) {
		if (i - start == FE_MANIFEST_LINE_MAX)
			return fail(ps, FE_ERR_OUT_OF_RANGE, "line longer than %u bytes",
				    FE_MANIFEST_LINE_MAX);
		fe_status_t st = byte_check(ps, (unsigned char)ps->text[i], in_comment);
		if (st != FE_OK)
			return st;
		if (ps->text[i] == '#' && !in_comment) {
			in_comment = true;
			code_end = i;
		}
	}
	*l = (struct line){ .text = ps->text, .pos = start, .end = in_comment ? code_end : i };
	*pos = i < ps->len ? i + 1 : i;
	return FE_OK;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The line's next word in *w; false if only blanks are left. */
static bool word_next(struct line *l, struct word *w)
{
	while (l->pos < l->end && is_blank(l->text[l->pos]))
		l->pos++;
	if (l->pos == l->end)
		return false;
	w->p = l->text + l->pos;
	while (l->pos < l->end && !is_blank(l->text[l->pos]))
		l->pos++;
	w->len = (size_t)(l->text + l->pos - w->p);
	return true;
}

/* Copies w into dst, which has room for w.len + 1 bytes. */
static void word_copy(char *dst, struct word w)
{
	memcpy(dst, w.p, w.len);
	dst[w.len] = '\0';
}

/* Fails if the line has a word left: `what` is the key's shape, for the message. */
static fe_status_t line_end(struct parser *ps, struct line *l, const char *what)
{
	struct word w;

	if (word_next(l, &w))
		return fail(ps, FE_ERR_BAD_FORMAT, "unexpected " WFMT " after %s", WARG(w), what);
	return FE_OK;
}

/* ---- values: the shapes are manifest_value.c's, the messages are here ---- */

/* Checks a service name, given after `service` or `depends`. */
static fe_status_t name_check(struct parser *ps, struct word w)
{
	if (w.len > FE_MANIFEST_NAME_MAX)
		return fail(ps, FE_ERR_OUT_OF_RANGE,
			    "service name " WFMT " longer than %u characters", WARG(w),
			    FE_MANIFEST_NAME_MAX);
	if (!manifest_name_ok(w))
		return fail(ps, FE_ERR_BAD_FORMAT,
			    "bad service name " WFMT
			    " (a lowercase letter, then lowercase letters, digits, '-')",
			    WARG(w));
	return FE_OK;
}

/* The index of the service named w, or -1. */
static int service_find(const struct fe_manifest *m, struct word w)
{
	for (uint32_t i = 0; i < m->nservices; i++)
		if (word_is(w, m->services[i].name))
			return (int)i;
	return -1;
}

static fe_status_t duration_get(struct parser *ps, struct word w, uint64_t *ns)
{
	if (!manifest_duration(w, ns))
		return fail(ps, FE_ERR_BAD_FORMAT,
			    "bad duration " WFMT " (a whole number and us, ms or s; 1us to 3600s)",
			    WARG(w));
	return FE_OK;
}

/* ---- keys ---- */

/* program PATH */
static fe_status_t key_program(struct parser *ps, struct line *l)
{
	struct word w;

	if (!word_next(l, &w))
		return fail(ps, FE_ERR_BAD_FORMAT, "program needs a ramdisk path");
	if (w.len > FE_MANIFEST_PATH_MAX)
		return fail(ps, FE_ERR_OUT_OF_RANGE,
			    "program path " WFMT " longer than %u characters", WARG(w),
			    FE_MANIFEST_PATH_MAX);
	if (!manifest_path_ok(w))
		return fail(ps, FE_ERR_BAD_FORMAT,
			    "bad program path " WFMT " (relative: names of A-Z a-z 0-9 . _ - + "
			    "between single '/', none . or ..)", WARG(w));
	word_copy(ps->cur->program, w);
	return line_end(ps, l, "program PATH");
}

/* args WORD... */
static fe_status_t key_args(struct parser *ps, struct line *l)
{
	struct fe_manifest_service *s = ps->cur;
	struct word w;

	while (word_next(l, &w)) {
		if (s->nargs == FE_MANIFEST_ARGS_MAX)
			return fail(ps, FE_ERR_OUT_OF_RANGE, "more than %u args",
				    FE_MANIFEST_ARGS_MAX);
		if (w.len > FE_MANIFEST_ARG_MAX)
			return fail(ps, FE_ERR_OUT_OF_RANGE,
				    "arg " WFMT " longer than %u characters", WARG(w),
				    FE_MANIFEST_ARG_MAX);
		word_copy(s->args[s->nargs++], w);
	}
	if (s->nargs == 0)
		return fail(ps, FE_ERR_BAD_FORMAT, "args needs at least one word");
	return FE_OK;
}

/* caps NAME... */
static fe_status_t key_caps(struct parser *ps, struct line *l)
{
	struct word w;
	uint32_t n = 0;

	while (word_next(l, &w)) {
		enum fe_manifest_cap c = manifest_cap_find(w);
		if (c == FE_MANIFEST_CAP_COUNT)
			return fail(ps, FE_ERR_BAD_FORMAT,
				    "unknown capability " WFMT " (" MANIFEST_CAP_LIST ")", WARG(w));
		if (fe_manifest_has_cap(ps->cur, c))
			return fail(ps, FE_ERR_BAD_FORMAT, "capability %s listed twice",
				    fe_manifest_cap_name(c));
		ps->cur->caps |= 1u << c;
		n++;
	}
	if (n == 0)
		return fail(ps, FE_ERR_BAD_FORMAT,
			    "caps needs at least one capability (" MANIFEST_CAP_LIST ")");
	return FE_OK;
}

/* device pci VVVV:DDDD [instance N] [optional]
 * device pci class CC:SS[:PP] [instance N] [optional] */
static fe_status_t key_device(struct parser *ps, struct line *l)
{
	struct fe_manifest_device *d = &ps->cur->device;
	struct word w;
	uint64_t inst;

	if (!word_next(l, &w))
		return fail(ps, FE_ERR_BAD_FORMAT,
			    "device needs a PCI function: pci VVVV:DDDD or pci class CC:SS[:PP]");
	if (!word_is(w, "pci"))
		return fail(ps, FE_ERR_BAD_FORMAT, "unknown bus " WFMT " in device (only pci)",
			    WARG(w));
	if (!word_next(l, &w))
		return fail(ps, FE_ERR_BAD_FORMAT,
			    "device pci needs VVVV:DDDD or class CC:SS[:PP]");
	if (word_is(w, "class")) {
		if (!word_next(l, &w))
			return fail(ps, FE_ERR_BAD_FORMAT, "device pci class needs CC:SS[:PP]");
		if (!manifest_pci_class(w, d))
			return fail(ps, FE_ERR_BAD_FORMAT,
				    "bad PCI class " WFMT " (class:subclass[:prog-if], "
				    "two hex digits each, e.g. 01:08)",
				    WARG(w));
	} else if (!manifest_pci_id(w, d)) {
		return fail(ps, FE_ERR_BAD_FORMAT,
			    "bad PCI id " WFMT
			    " (vendor:device, four hex digits each, e.g. 1af4:1042; "
			    "vendor not ffff)",
			    WARG(w));
	}
	if (!word_next(l, &w))
		return FE_OK;
	if (word_is(w, "instance")) {
		if (!word_next(l, &w) || !manifest_number(w, 255, &inst))
			return fail(ps, FE_ERR_BAD_FORMAT,
				    "device: after the id, only instance N (0 to 255), then optional");
		d->instance = (uint8_t)inst;
		if (!word_next(l, &w))
			return FE_OK;
		if (!word_is(w, "optional"))
			return fail(ps, FE_ERR_BAD_FORMAT, "unexpected " WFMT " after instance N",
				    WARG(w));
	} else if (!word_is(w, "optional")) {
		return fail(ps, FE_ERR_BAD_FORMAT,
			    "device: after the id, only instance N (0 to 255), then optional");
	}
	d->optional = true;
	return line_end(ps, l, "optional");
}

/* depends NAME...: checked here, resolved once every service is known. */
static fe_status_t key_depends(struct parser *ps, struct line *l)
{
	uint32_t si = (uint32_t)(ps->cur - ps->out->services);
	struct word *names = ps->deps[si];
	uint32_t *n = &ps->cur->ndepends;
	struct word w;

	while (word_next(l, &w)) {
		fe_status_t st = name_check(ps, w);
		if (st != FE_OK)
			return st;
		if (*n == FE_MANIFEST_DEPENDS_MAX)
			return fail(ps, FE_ERR_OUT_OF_RANGE, "more than %u dependencies",
				    FE_MANIFEST_DEPENDS_MAX);
		for (uint32_t j = 0; j < *n; j++)
			if (names[j].len == w.len && memcmp(names[j].p, w.p, w.len) == 0)
				return fail(ps, FE_ERR_BAD_FORMAT, "depends lists " WFMT " twice",
					    WARG(w));
		names[(*n)++] = w;
	}
	if (*n == 0)
		return fail(ps, FE_ERR_BAD_FORMAT, "depends needs at least one service name");
	ps->deps_line[si] = ps->line;
	return FE_OK;
}

/* One `max N` or `backoff MIN..MAX` option of a restart line, each at most once. */
static fe_status_t restart_option(struct parser *ps, struct line *l, struct word opt,
				  uint32_t *given)
{
	struct fe_manifest_restart *r = &ps->cur->restart;
	struct word w;
	uint64_t v;
	uint32_t bit = word_is(opt, "max") ? 1u : word_is(opt, "backoff") ? 2u : 0u;

	if (bit == 0 || (*given & bit))
		return fail(ps, FE_ERR_BAD_FORMAT,
			    "unexpected " WFMT " in restart (max N, backoff MIN..MAX, "
			    "each once)",
			    WARG(opt));
	*given |= bit;
	if (!word_next(l, &w))
		return fail(ps, FE_ERR_BAD_FORMAT, "%s needs a value",
			    bit == 1 ? "max" : "backoff");
	if (bit == 1) {
		if (!manifest_number(w, FE_MANIFEST_RESTARTS_MAX, &v) || v == 0)
			return fail(ps, FE_ERR_BAD_FORMAT, "bad max " WFMT " (1 to %u restarts)",
				    WARG(w), FE_MANIFEST_RESTARTS_MAX);
		r->max = (uint32_t)v;
		return FE_OK;
	}
	size_t dots = 0;
	while (dots + 1 < w.len && !(w.p[dots] == '.' && w.p[dots + 1] == '.'))
		dots++;
	if (dots + 1 >= w.len)
		return fail(ps, FE_ERR_BAD_FORMAT, "bad backoff " WFMT " (MIN..MAX, e.g. 1ms..1s)",
			    WARG(w));
	fe_status_t st = duration_get(ps, (struct word){ w.p, dots }, &r->backoff_min_ns);
	if (st == FE_OK)
		st = duration_get(ps, (struct word){ w.p + dots + 2, w.len - dots - 2 },
				  &r->backoff_max_ns);
	if (st == FE_OK && r->backoff_min_ns > r->backoff_max_ns)
		return fail(ps, FE_ERR_BAD_FORMAT, "backoff " WFMT " starts above its end",
			    WARG(w));
	return st;
}

/* restart never | restart always|on-failure [max N] [backoff MIN..MAX] */
static fe_status_t key_restart(struct parser *ps, struct line *l)
{
	struct fe_manifest_restart *r = &ps->cur->restart;
	struct word w;
	uint32_t given = 0;

	if (!word_next(l, &w))
		return fail(ps, FE_ERR_BAD_FORMAT, "restart needs always, on-failure or never");
	if (word_is(w, "never")) {
		r->policy = FE_MANIFEST_RESTART_NEVER; /* max and backoff stay 0 */
		return line_end(ps, l, "restart never");
	}
	if (word_is(w, "always"))
		r->policy = FE_MANIFEST_RESTART_ALWAYS;
	else if (word_is(w, "on-failure"))
		r->policy = FE_MANIFEST_RESTART_ON_FAILURE;
	else
		return fail(ps, FE_ERR_BAD_FORMAT,
			    "unknown restart policy " WFMT " (always, on-failure or never)",
			    WARG(w));
	r->backoff_min_ns = FE_MANIFEST_BACKOFF_MIN_DEFAULT;
	r->backoff_max_ns = FE_MANIFEST_BACKOFF_MAX_DEFAULT;
	while (word_next(l, &w)) {
		fe_status_t st = restart_option(ps, l, w, &given);
		if (st != FE_OK)
			return st;
	}
	return FE_OK;
}

/* heartbeat PERIOD timeout TIMEOUT */
static fe_status_t key_heartbeat(struct parser *ps, struct line *l)
{
	struct fe_manifest_service *s = ps->cur;
	struct word period, kw, timeout;

	if (!word_next(l, &period) || !word_next(l, &kw) || !word_is(kw, "timeout") ||
	    !word_next(l, &timeout))
		return fail(ps, FE_ERR_BAD_FORMAT, "heartbeat needs PERIOD timeout TIMEOUT "
			    "(e.g. heartbeat 100ms timeout 500ms)");
	fe_status_t st = duration_get(ps, period, &s->heartbeat_period_ns);
	if (st == FE_OK)
		st = duration_get(ps, timeout, &s->heartbeat_timeout_ns);
	if (st == FE_OK)
		st = line_end(ps, l, "heartbeat PERIOD timeout TIMEOUT");
	return st;
}

/* budget SIZE */
static fe_status_t key_budget(struct parser *ps, struct line *l)
{
	struct word w;

	if (!word_next(l, &w))
		return fail(ps, FE_ERR_BAD_FORMAT, "budget needs a size (e.g. budget 16MiB)");
	if (!manifest_size(w, &ps->cur->budget))
		return fail(ps, FE_ERR_BAD_FORMAT,
			    "bad budget " WFMT " (a whole number and KiB, MiB or GiB; 64KiB to 64GiB)",
			    WARG(w));
	return line_end(ps, l, "budget SIZE");
}

static const struct key_def {
	const char *name;
	fe_status_t (*parse)(struct parser *ps, struct line *l);
} keys[KEY_COUNT] = {
	[KEY_PROGRAM] = { "program", key_program },
	[KEY_ARGS] = { "args", key_args },
	[KEY_CAPS] = { "caps", key_caps },
	[KEY_DEVICE] = { "device", key_device },
	[KEY_DEPENDS] = { "depends", key_depends },
	[KEY_RESTART] = { "restart", key_restart },
	[KEY_HEARTBEAT] = { "heartbeat", key_heartbeat },
	[KEY_BUDGET] = { "budget", key_budget },
};

/* ---- stanzas ---- */

/* Checks the open stanza has what every service needs, and closes it. */
static fe_status_t stanza_close(struct parser *ps)
{
	const struct fe_manifest_service *s = ps->cur;

	if (s == NULL)
		return FE_OK;
	if (!(ps->seen & (1u << KEY_PROGRAM)))
		return fail_at(ps, s->line, FE_ERR_BAD_FORMAT, "service \"%s\" has no program line",
			       s->name);
	if (!(ps->seen & (1u << KEY_RESTART)))
		return fail_at(ps, s->line, FE_ERR_BAD_FORMAT,
			       "service \"%s\" has no restart line (always, on-failure or never)",
			       s->name);
	ps->cur = NULL;
	return FE_OK;
}

/* service NAME: closes the open stanza and opens one. */
static fe_status_t stanza_open(struct parser *ps, struct line *l)
{
	struct fe_manifest *m = ps->out;
	struct word name;
	fe_status_t st = stanza_close(ps);

	if (st != FE_OK)
		return st;
	if (!word_next(l, &name))
		return fail(ps, FE_ERR_BAD_FORMAT, "service needs a name");
	st = name_check(ps, name);
	if (st == FE_OK)
		st = line_end(ps, l, "service NAME");
	if (st != FE_OK)
		return st;
	int first = service_find(m, name);
	if (first >= 0)
		return fail(ps, FE_ERR_BAD_FORMAT,
			    "service " WFMT " defined twice (first on line %u)", WARG(name),
			    m->services[first].line);
	if (m->nservices == FE_MANIFEST_SERVICES_MAX)
		return fail(ps, FE_ERR_OUT_OF_RANGE, "more than %u services",
			    FE_MANIFEST_SERVICES_MAX);
	ps->cur = &m->services[m->nservices++];
	word_copy(ps->cur->name, name);
	ps->cur->line = ps->line;
	ps->seen = 0;
	return FE_OK;
}

/* One line's words: nothing, a service line, or one key of the open stanza. */
static fe_status_t line_parse(struct parser *ps, struct line *l)
{
	struct word w;
	uint32_t k = 0;

	if (!word_next(l, &w))
		return FE_OK;
	if (word_is(w, "service"))
		return stanza_open(ps, l);
	while (k < KEY_COUNT && !word_is(w, keys[k].name))
		k++;
	if (k == KEY_COUNT)
		return fail(ps, FE_ERR_BAD_FORMAT,
			    "unknown key " WFMT " (service, program, args, caps, "
			    "device, depends, restart, heartbeat, budget)",
			    WARG(w));
	if (ps->cur == NULL)
		return fail(ps, FE_ERR_BAD_FORMAT, "%s before the first service line",
			    keys[k].name);
	if (ps->seen & (1u << k))
		return fail(ps, FE_ERR_BAD_FORMAT, "%s given twice in service \"%s\"", keys[k].name,
			    ps->cur->name);
	ps->seen |= 1u << k;
	return keys[k].parse(ps, l);
}

/* ---- the whole text ---- */

static fe_status_t text_parse(struct parser *ps)
{
	size_t pos = 0;
	fe_status_t st = FE_OK;

	if (ps->len > FE_MANIFEST_TEXT_MAX)
		return fail_at(ps, 0, FE_ERR_OUT_OF_RANGE, "manifest larger than %u bytes",
			       FE_MANIFEST_TEXT_MAX);
	while (st == FE_OK && pos < ps->len) {
		struct line l;
		ps->line++;
		st = line_read(ps, &pos, &l);
		if (st == FE_OK)
			st = line_parse(ps, &l);
	}
	if (st == FE_OK)
		st = stanza_close(ps);
	if (st == FE_OK && ps->out->nservices == 0)
		return fail_at(ps, 0, FE_ERR_BAD_FORMAT, "no service defined");
	return st;
}

/* Turns every `depends` name into an index. */
static fe_status_t deps_resolve(struct parser *ps)
{
	struct fe_manifest *m = ps->out;

	for (uint32_t i = 0; i < m->nservices; i++) {
		struct fe_manifest_service *s = &m->services[i];
		for (uint32_t j = 0; j < s->ndepends; j++) {
			int t = service_find(m, ps->deps[i][j]);
			if (t < 0)
				return fail_at(ps, ps->deps_line[i], FE_ERR_BAD_FORMAT,
					       "service \"%s\" depends on " WFMT
					       ", which is not defined",
					       s->name, WARG(ps->deps[i][j]));
			s->depends[j] = (uint8_t)t;
		}
	}
	return FE_OK;
}

/* The start order, or an error naming a cycle: "a -> b -> a" (a depends on b...). */
static fe_status_t order(struct parser *ps)
{
	const struct fe_manifest *m = ps->out;
	uint8_t cycle[FE_MANIFEST_SERVICES_MAX];
	char path[FE_MANIFEST_MSG_MAX];
	uint32_t n;
	size_t at = 0;

	if (manifest_order(ps->out, cycle, &n) == FE_OK)
		return FE_OK;
	path[0] = '\0';
	for (uint32_t i = 0; i <= n && at < sizeof(path); i++)
		at += fmt_snprintf(path + at, sizeof(path) - at, "%s%s", i ? " -> " : "",
				   m->services[cycle[i % n]].name);
	return fail_at(ps, ps->deps_line[cycle[0]], FE_ERR_BAD_FORMAT,
		       "dependency cycle (each depends on the next): %s", path);
}

fe_status_t fe_manifest_parse(const char *text, size_t len, struct fe_manifest *out,
			      struct fe_manifest_error *err)
{
	struct parser ps = { .text = text, .len = len, .out = out, .err = err };
	fe_status_t st;

	if (err != NULL)
		*err = (struct fe_manifest_error){ 0 };
	if (out == NULL || (text == NULL && len > 0))
		return fail_at(&ps, 0, FE_ERR_INVALID_ARG, "no text or nowhere to put the result");
	memset(out, 0, sizeof(*out));
	st = text_parse(&ps);
	if (st == FE_OK)
		st = deps_resolve(&ps);
	if (st == FE_OK)
		st = order(&ps);
	if (st != FE_OK)
		memset(out, 0, sizeof(*out));
	return st;
}
