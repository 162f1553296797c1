/* SPDX-License-Identifier: MIT */
/*
 * The PCI bus service's protocol (user/pcibus; docs/drivers.md, "The PCI bus
 * service"; ADR 0011, decision 2).
 *
 * pcibus holds the pci-root capability, enumerates the functions of segment
 * 0 once at start (again on FE_PCIBUS_RESCAN) and hands out pci-device
 * capabilities. Requests are calls on its endpoint; the reply's label is a
 * status (0 or a negative fe_status_t) and a capability, if any, travels in
 * the reply. Below FE_SERVICE_LABEL_CONTROL: pcibus answers the
 * supervisor's control labels too (fe/service.h).
 *
 * Who may ask for what is decided by the badge of the caller's capability:
 * only the supervisor's (FE_SERVICE_BADGE_SUPERVISOR) gets a driver's
 * device (READ, WRITE, MANAGE, TRANSFER); a client
 * (FE_SERVICE_BADGE_CLIENT, from `connect pcibus`) may list and get a
 * read-only view (READ, TRANSFER: its configuration space, nothing else).
 * A function is handed out for driving at most once per pcibus instance
 * (FE_ERR_BUSY after that); read-only views are not counted.
 *
 * These values are ABI.
 */
#ifndef FERROUS_PCIBUS_H
#define FERROUS_PCIBUS_H

#include <stdint.h>

enum fe_pcibus_label {
	/* w0 index -> w0 FE_PCI_ADDR, w1 vendor | device << 16,
	 * w2 FE_PCIBUS_CLASS word, w3 the number of functions found.
	 * FE_ERR_NOT_FOUND past the last. */
	FE_PCIBUS_LIST = 1,
	/* w0 FE_PCI_ADDR, w1 BAR index -> w0 enum fe_pci_bar_kind, w1 size,
	 * w2 first port (I/O) or 0, w3 1 if prefetchable. FE_ERR_NOT_FOUND for
	 * an unused BAR or a function not in the list, FE_ERR_UNSUPPORTED for a
	 * bridge (it gets no device capability). */
	FE_PCIBUS_BAR = 2,
	/* w0 enum fe_pcibus_match, w1 what (below), w2 instance, w3 flags ->
	 * w0 FE_PCI_ADDR, one capability: the pci-device of the instance-th
	 * function (in list order) that matches.
	 * FE_ERR_NOT_FOUND: none; FE_ERR_UNSUPPORTED: a bridge;
	 * FE_ERR_BUSY: handed out for driving already;
	 * FE_ERR_ACCESS_DENIED: a driver's device asked for by a client;
	 * FE_ERR_INVALID_ARG: a malformed request. */
	FE_PCIBUS_GET = 3,
	/* -> w0 the number of functions found. Enumerates again; what was
	 * handed out stays handed out. */
	FE_PCIBUS_RESCAN = 4,
};

enum fe_pcibus_match {
	FE_PCIBUS_MATCH_ID = 1,    /* w1 vendor | device << 16 */
	FE_PCIBUS_MATCH_CLASS = 2, /* w1 class << 16 | subclass << 8 | prog_if,
	                            * FE_PCIBUS_ANY_PROG_IF to match any */
	FE_PCIBUS_MATCH_ADDR = 3,  /* w1 FE_PCI_ADDR (instance must be 0) */
};
#define FE_PCIBUS_ANY_PROG_IF (1u << 24)

/* FE_PCIBUS_GET flags. */
#define FE_PCIBUS_READ_ONLY 1u /* a view: READ | TRANSFER only, not counted */

/* FE_PCIBUS_LIST's w2. */
#define FE_PCIBUS_CLASS(class, sub, prog_if, rev, header)                               \
	((uint64_t)(class) << 24 | (uint64_t)(sub) << 16 | (uint64_t)(prog_if) << 8 |   \
	 (uint64_t)(rev) | (uint64_t)(header) << 32)

#endif /* FERROUS_PCIBUS_H */
