/* SPDX-License-Identifier: MIT */
/*
 * Supervised services (ADR 0011, decision 6; docs/services.md): the
 * control protocol every service answers on its endpoint, the faults the
 * supervisor can inject, and the client side's retry.
 *
 * The supervisor creates each service's endpoint once and keeps it across
 * restarts; every instance receives on it (start slot FE_START_ENDPOINT,
 * READ), and clients call it through capabilities the supervisor hands out
 * (badge FE_SERVICE_BADGE_CLIENT). The supervisor's own calls come through
 * badge FE_SERVICE_BADGE_SUPERVISOR, which no client can mint: a badged
 * capability cannot be given another badge.
 *
 * Labels at or above FE_SERVICE_LABEL_CONTROL are the standard control
 * protocol, answered by this library; a service's own labels stay below.
 * A reply's label is a status: 0 (FE_OK) or a negative fe_status_t.
 */
#ifndef FE_SERVICE_H
#define FE_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <fe/sys.h>

/* ---- the start slots a supervised service finds (beyond the manifest's caps) ---- */

/* FE_START_ENDPOINT: the service's own endpoint, READ (receive only). */
/* `device pci ...`: a pci-device capability for its function (READ, WRITE,
 * MANAGE): the slot drivers take it from (docs/drivers.md). */
#define FE_SERVICE_SLOT_DEVICE FE_START_USER0
/* `caps supervisor`: the supervisor's control endpoint, WRITE (fe/supervisor.h). */
#define FE_SERVICE_SLOT_SUPERVISOR (FE_START_USER0 + 1)

/* ---- badges on capabilities to a service's endpoint ---- */
#define FE_SERVICE_BADGE_SUPERVISOR 1u
#define FE_SERVICE_BADGE_CLIENT 2u

/* ---- the control protocol ---- */
#define FE_SERVICE_LABEL_CONTROL 0xfe000000u
/* () -> OK. The supervisor's liveness check: an answer within the manifest's
 * timeout, or the instance is killed (reason "hang"). */
#define FE_SERVICE_HEARTBEAT 0xfe000001u
/* (w0 = enum fe_fault, w1 = FE_SERVICE_CRASH_* flags, w2 = koid of the
 * instance meant, 0 = any) -> OK, then the fault, in the serving thread.
 * Only through the supervisor's badge (else FE_ERR_ACCESS_DENIED); a koid
 * that is not this instance's is FE_ERR_BAD_STATE (the request outlived
 * the instance it was meant for); an unknown fault FE_ERR_INVALID_ARG; a
 * fault this service cannot do (fe_fault_available: FE_FAULT_DMA without
 * a hook) FE_ERR_UNSUPPORTED, and nothing is done. */
#define FE_SERVICE_CRASH 0xfe000002u
/* () -> w0 = this instance's process koid, w1 = requests it has served,
 * w2 = bit i set if start slot i holds a capability; words
 * [FE_SERVICE_WHO_SLOTS, + FE_START_SLOTS) = each slot's type | rights << 8
 * (0 if empty), when both sides have an IPC buffer (else 4 words). */
#define FE_SERVICE_WHO 0xfe000003u
#define FE_SERVICE_WHO_SLOTS 4u
#define FE_SERVICE_WHO_WORDS (FE_SERVICE_WHO_SLOTS + FE_START_SLOTS)

/* Perform the fault without answering: the caller's call is in flight when
 * the instance dies, and returns FE_ERR_PEER_CLOSED. */
#define FE_SERVICE_CRASH_NO_REPLY 1u

/*
 * The faults the supervisor injects (`crash NAME HOW`), each done by the
 * service to itself. What the supervisor then sees:
 *   null      read at address 0: #PF (14) at 0
 *   wild      write to FE_FAULT_WILD_ADDRESS, never mapped: #PF at it
 *   stack     unbounded recursion: #PF in the guard page below the stack
 *   hang      a loop that never ends: no heartbeat answer, killed ("hang")
 *   illegal   ud2: #UD (6)
 *   budget    kernel memory taken until the kernel refuses, then exit with
 *             FE_SERVICE_EXIT_BUDGET ("budget")
 *   dma       the service's device made to DMA at FE_FAULT_DMA_ADDRESS,
 *             never mapped, through the driver's own hook (below): the
 *             IOMMU refuses it and the kernel ends the driver with
 *             FE_EXIT_DMA_FAULT ("dma-fault", the address). Refused with
 *             FE_ERR_UNSUPPORTED where no hook is set: a service without a
 *             device, or one whose device's DMA no IOMMU translates (there a
 *             wild DMA would land in memory).
 */
enum fe_fault {
	FE_FAULT_NONE = 0,
	FE_FAULT_NULL = 1,
	FE_FAULT_WILD = 2,
	FE_FAULT_STACK = 3,
	FE_FAULT_HANG = 4,
	FE_FAULT_ILLEGAL = 5,
	FE_FAULT_BUDGET = 6,
	FE_FAULT_DMA = 7,
	FE_FAULT_COUNT = 8,
};

#define FE_FAULT_WILD_ADDRESS 0x0000600dead00000ULL
/* The device address FE_FAULT_DMA aims at: page aligned, below the MSI
 * window (a write there would be an interrupt, not memory) and far above
 * what the kernel hands out first fit from 1 MiB, so never mapped while a
 * driver maps less than 3 GiB. */
#define FE_FAULT_DMA_ADDRESS 0x00000000dead0000ULL
/* The exit code of a service that found its kernel-memory budget exhausted. */
#define FE_SERVICE_EXIT_BUDGET 125

/* "null", "wild", ...; NULL for FE_FAULT_NONE or out of range. */
const char *fe_fault_name(enum fe_fault f);
/* The fault named s; FE_FAULT_NONE if none is. */
enum fe_fault fe_fault_parse(const char *s);
/* Whether this service can perform f: every known fault, FE_FAULT_DMA only
 * with a hook set. The crash request is refused (FE_ERR_UNSUPPORTED)
 * otherwise, before it is answered. */
bool fe_fault_available(enum fe_fault f);
/* Performs f in the calling thread; returns only for FE_FAULT_NONE, an
 * unknown value, or FE_FAULT_DMA without a hook (nothing is done). */
void fe_fault_inject(enum fe_fault f);

/*
 * A driver's way to make its device DMA outside the memory it mapped
 * (FE_FAULT_DMA), through its real request path, as a bug would: called
 * in the thread that serves the crash request, after the answer. It does
 * not return: the kernel ends the process when the IOMMU refuses. A
 * completion from the device proves nothing either way (a refused device
 * may complete through a bounce buffer, as QEMU's do), so the driver just
 * waits; if no fault comes, the heartbeats it no longer answers end it.
 */
typedef void (*fe_service_dma_fault_fn)(void);

/*
 * Sets the FE_FAULT_DMA hook, only if an IOMMU translates the DMA of the
 * device `dev` (a pci-device capability the driver has claimed, or will:
 * where nothing translates, the probe's mapping claims the function):
 * fe_pci_dma_translated. FE_ERR_UNSUPPORTED (and no hook) where nothing
 * does: a wild DMA there would corrupt memory, so `crash NAME dma` stays
 * refused. Other errors are the probe's.
 */
fe_status_t fe_service_set_dma_fault(fe_handle_t dev, fe_service_dma_fault_fn fn);

/* ---- the service side (service.c) ---- */

/*
 * A service's own request handler: m holds the request (label below
 * FE_SERVICE_LABEL_CONTROL) and its badge. On FE_OK the reply is *m as the
 * handler left it (fe_service_reply_words sets label and word count); any
 * other status is replied as the label, with no words.
 */
typedef fe_status_t (*fe_service_handler)(struct fe_msg *m, void *ctx);

/* This instance's endpoint (start slot FE_START_ENDPOINT), or FE_HANDLE_INVALID. */
fe_handle_t fe_service_endpoint(void);

/* Requests this instance has answered so far (control ones included). */
uint64_t fe_service_requests(void);

/* Makes *m an FE_OK reply with `words` data words (already in m->w / the buffer). */
static inline void fe_service_reply_words(struct fe_msg *m, unsigned words)
{
	m->info = FE_MSG_INFO(0, words, 0);
}

/*
 * Serves the endpoint for good: control labels here, the rest to fn (NULL:
 * they are answered FE_ERR_UNSUPPORTED). Returns only if receiving fails
 * (FE_ERR_NOT_FOUND: no endpoint).
 */
fe_status_t fe_service_serve(fe_service_handler fn, void *ctx);

/*
 * For a service with a receive loop of its own: if *m, just received, has a
 * control label, answers it here (the reply is sent, then any fault asked
 * for is done) and returns true; the caller then receives its next request
 * with fe_recv, since nothing is left to reply to. Otherwise returns false
 * and leaves *m alone. A driver's loop starts:
 *	if (fe_service_handle_control(&m)) { st = fe_recv(ep, 0, &m); continue; }
 */
bool fe_service_handle_control(struct fe_msg *m);

/*
 * For a program with a loop of its own (the console): a thread that serves
 * the control labels alone on the endpoint. Does nothing (FE_OK, *started
 * false) without an endpoint, so the program also runs unsupervised. The
 * thread neither prints nor allocates from the heap, so the program's main
 * thread keeps both to itself.
 */
fe_status_t fe_service_start_control_thread(bool *started);

/* ---- the client side (service_client.c) ---- */

/* The status a reply carries in its label. */
static inline fe_status_t fe_service_status(const struct fe_msg *m)
{
	return (fe_status_t)(int32_t)FE_MSG_LABEL(m->info);
}

/*
 * fe_call, once more if the first call returns FE_ERR_PEER_CLOSED: the
 * instance that had received it ended before answering, and the
 * supervisor's next instance serves the same endpoint. Only for requests
 * that may be done twice (idempotent). *retried (may be NULL) says whether
 * the second call was made. The request is read again from *m and the IPC
 * buffer, which a failed call leaves as they were.
 */
fe_status_t fe_service_call_idempotent(fe_handle_t ep, struct fe_msg *m, bool *retried);

#endif /* FE_SERVICE_H */
