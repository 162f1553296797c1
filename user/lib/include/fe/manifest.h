/* SPDX-License-Identifier: MIT */
/*
 * The service manifest: which drivers and services the supervisor starts,
 * with what, and how it restarts them (ADR 0011, decision 6). The text
 * format is described in docs/manifest.md; the ramdisk holds it as
 * `services`.
 *
 * fe_manifest_parse turns the text into a plain struct: fixed-size arrays,
 * no heap, no pointers into the text, so the result outlives the text and
 * can be copied. The text is untrusted: nothing is read past len, and every
 * problem is reported with its line and a sentence naming what is wrong.
 * Pure and freestanding (host-tested and fuzzed).
 */
#ifndef FE_MANIFEST_H
#define FE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferrous/errors.h>

/* Limits. A name or word longer than its limit, or one too many, is an error. */
#define FE_MANIFEST_TEXT_MAX     65536u /* bytes in the whole manifest */
#define FE_MANIFEST_LINE_MAX     200u   /* bytes in one line, its '\n' not counted */
#define FE_MANIFEST_SERVICES_MAX 16u
#define FE_MANIFEST_NAME_MAX     23u    /* characters in a service name */
#define FE_MANIFEST_PATH_MAX     63u    /* characters in a program's ramdisk path */
#define FE_MANIFEST_ARGS_MAX     8u     /* words after `args` */
#define FE_MANIFEST_ARG_MAX      63u    /* characters in one of them */
#define FE_MANIFEST_DEPENDS_MAX  8u     /* names after `depends` */
#define FE_MANIFEST_RESTARTS_MAX 1000u  /* largest `max` of a restart policy */
#define FE_MANIFEST_DURATION_MAX 3600000000000ull /* one hour, in ns */
#define FE_MANIFEST_BUDGET_MIN   (64ull << 10)  /* a `budget`: 64 KiB ... */
#define FE_MANIFEST_BUDGET_MAX   (64ull << 30)  /* ... to 64 GiB */
#define FE_MANIFEST_MSG_MAX      160u   /* an error message, its NUL included */

/* A restart policy given without `backoff` waits 1 ms, doubling up to 1 s. */
#define FE_MANIFEST_BACKOFF_MIN_DEFAULT 1000000ull
#define FE_MANIFEST_BACKOFF_MAX_DEFAULT 1000000000ull

/*
 * The capabilities a manifest may grant, by name: the ones the root task
 * holds today (include/ferrous/start.h), the PCI root of ADR 0011, and the
 * supervisor's own control endpoint.
 * A service's `caps` is a set of these, as bits (1u << cap).
 */
enum fe_manifest_cap {
	FE_MANIFEST_CAP_CONSOLE,     /* "console" */
	FE_MANIFEST_CAP_INITRD,      /* "initrd" (read-only) */
	FE_MANIFEST_CAP_TRACE,       /* "trace" */
	FE_MANIFEST_CAP_IOPORT_COM1, /* "ioport-com1" */
	FE_MANIFEST_CAP_IRQ_COM1,    /* "irq-com1" */
	FE_MANIFEST_CAP_HPET,        /* "hpet" */
	FE_MANIFEST_CAP_PCI_ROOT,    /* "pci-root" */
	FE_MANIFEST_CAP_SUPERVISOR,  /* "supervisor": its control endpoint (fe/supervisor.h) */
	FE_MANIFEST_CAP_IOPORT_COM2, /* "ioport-com2" (the trace exporter's port) */
	FE_MANIFEST_CAP_COUNT,
};

enum fe_manifest_restart_policy {
	FE_MANIFEST_RESTART_NEVER,      /* "never": an ended service stays ended */
	FE_MANIFEST_RESTART_ON_FAILURE, /* "on-failure": unless it exited with code 0 */
	FE_MANIFEST_RESTART_ALWAYS,     /* "always": however it ended */
};

struct fe_manifest_restart {
	enum fe_manifest_restart_policy policy;
	/* Restarts before the supervisor gives up; 0 = no limit (and for `never`). */
	uint32_t max;
	/* The wait before a restart starts at min and doubles up to max (ns);
	 * 0 < min <= max unless the policy is never, when both are 0. */
	uint64_t backoff_min_ns;
	uint64_t backoff_max_ns;
};

enum fe_manifest_device_kind {
	FE_MANIFEST_DEVICE_NONE,      /* no `device` line */
	FE_MANIFEST_DEVICE_PCI_ID,    /* `device pci VVVV:DDDD` */
	FE_MANIFEST_DEVICE_PCI_CLASS, /* `device pci class CC:SS[:PP]` */
};

/*
 * The one PCI function a driver gets: the instance-th function (0 = first,
 * in the bus service's enumeration order) that matches the id or class.
 */
struct fe_manifest_device {
	enum fe_manifest_device_kind kind;
	uint16_t vendor, device;          /* PCI_ID; vendor is never 0xffff */
	uint8_t class_code, subclass;     /* PCI_CLASS */
	uint8_t prog_if;                  /* PCI_CLASS, when has_prog_if */
	bool has_prog_if;
	uint8_t instance;
	/* `optional`: a machine without the function is not a failure; the
	 * supervisor leaves the service stopped and says so. */
	bool optional;
};

struct fe_manifest_service {
	char name[FE_MANIFEST_NAME_MAX + 1];    /* [a-z][a-z0-9-]*, unique */
	char program[FE_MANIFEST_PATH_MAX + 1]; /* ramdisk path, e.g. "virtio-blk" */
	char args[FE_MANIFEST_ARGS_MAX][FE_MANIFEST_ARG_MAX + 1];
	uint32_t nargs;
	uint32_t caps;                          /* bits 1u << enum fe_manifest_cap */
	struct fe_manifest_device device;
	/* Indexes into fe_manifest.services of the services this one needs
	 * started first; never itself, never twice. */
	uint8_t depends[FE_MANIFEST_DEPENDS_MAX];
	uint32_t ndepends;
	struct fe_manifest_restart restart;
	/* Kernel memory each instance may use, bytes, in
	 * [FE_MANIFEST_BUDGET_MIN, FE_MANIFEST_BUDGET_MAX]; 0: no `budget` line
	 * (the supervisor's default). */
	uint64_t budget;
	/* Both 0 (no `heartbeat` line) or both in (0, FE_MANIFEST_DURATION_MAX]. */
	uint64_t heartbeat_period_ns;
	uint64_t heartbeat_timeout_ns;
	uint32_t line;                          /* of its `service` line, for messages */
};

struct fe_manifest {
	struct fe_manifest_service services[FE_MANIFEST_SERVICES_MAX]; /* file order */
	uint32_t nservices;                                /* at least 1 after a parse */
	/* A permutation of 0..nservices-1 in which every service comes after all
	 * it depends on; among those ready at once, file order. */
	uint8_t start_order[FE_MANIFEST_SERVICES_MAX];
};

struct fe_manifest_error {
	uint32_t line;                 /* 1-based; 0 when no line is to blame */
	char msg[FE_MANIFEST_MSG_MAX]; /* NUL-terminated, printable ASCII */
};

/*
 * Parses the manifest in text[0, len). On FE_OK *out holds at least one
 * service, every reference resolved and checked, and a start order. On
 * failure *out holds no services (nservices 0) and, if err is not NULL,
 * *err says where and what: FE_ERR_BAD_FORMAT for malformed text (unknown
 * key or capability, bad value, duplicate, missing program or restart,
 * unknown dependency, dependency cycle, no service at all),
 * FE_ERR_OUT_OF_RANGE for a limit exceeded (text, line, name, path, word
 * count, services), FE_ERR_INVALID_ARG for NULL text with len > 0 or NULL
 * out (*err then has line 0).
 */
fe_status_t fe_manifest_parse(const char *text, size_t len, struct fe_manifest *out,
			      struct fe_manifest_error *err);

/* The manifest's name for a capability ("pci-root"), or NULL if out of range. */
const char *fe_manifest_cap_name(enum fe_manifest_cap cap);

static inline bool fe_manifest_has_cap(const struct fe_manifest_service *s,
				       enum fe_manifest_cap cap)
{
	return (unsigned)cap < FE_MANIFEST_CAP_COUNT && (s->caps >> cap) & 1u;
}

#endif /* FE_MANIFEST_H */
