/* SPDX-License-Identifier: MIT */
/*
 * Handles, object types and rights: how a process names what it may touch.
 *
 * A handle is an index into the calling process's own capability table plus
 * the generation of that slot: bits 0..23 index, bits 24..55 generation,
 * bits 56..63 zero. Every use checks the generation, so a handle that was
 * deleted (or revoked) and whose slot was reused is refused as
 * FE_ERR_BAD_HANDLE, and a made-up value is refused the same way. Handle 0 is
 * never valid (FE_HANDLE_INVALID). Handles mean nothing outside the process
 * that holds them; capabilities move between processes only through IPC or
 * fe_handle_grant, and arrive under a new handle.
 *
 * These values are ABI.
 */
#ifndef FERROUS_HANDLE_H
#define FERROUS_HANDLE_H

#include <stdint.h>

typedef uint64_t fe_handle_t;

#define FE_HANDLE_INVALID 0ULL
#define FE_HANDLE_INDEX_BITS 24
#define FE_HANDLE_GEN_BITS 32
#define FE_HANDLE_INDEX(h) ((uint32_t)((h) & ((1ULL << FE_HANDLE_INDEX_BITS) - 1)))
#define FE_HANDLE_GEN(h) ((uint32_t)(((h) >> FE_HANDLE_INDEX_BITS) & 0xffffffffULL))
#define FE_HANDLE_MAKE(index, gen) \
	(((uint64_t)(gen) << FE_HANDLE_INDEX_BITS) | ((uint64_t)(index) & ((1ULL << FE_HANDLE_INDEX_BITS) - 1)))

/* Kernel object types (DESIGN section 3). */
enum fe_obj_type {
	FE_OBJ_NONE = 0,
	FE_OBJ_PROCESS = 1,
	FE_OBJ_THREAD = 2,
	FE_OBJ_ENDPOINT = 3,
	FE_OBJ_NOTIFICATION = 4,
	FE_OBJ_VMO = 5,          /* memory object: physical pages, shareable */
	FE_OBJ_IRQ = 6,          /* one interrupt line */
	FE_OBJ_IOPORT = 7,       /* a range of I/O ports */
	FE_OBJ_MMIO = 8,         /* a physical device-memory range */
	FE_OBJ_CONSOLE = 9,      /* the kernel's debug console (serial output) */
	FE_OBJ_TRACE = 10,       /* read access to the trace rings and kernel statistics */
	FE_OBJ_PCI_ROOT = 11,    /* all PCI configuration space; mints pci-device capabilities */
	FE_OBJ_PCI_DEVICE = 12,  /* one PCI function (ferrous/pci.h) */
	FE_OBJ_GROUP = 13,       /* a resource group (ferrous/group.h) */
	FE_OBJ_TYPE_COUNT = 14,
};

/* Rights. A duplicate may drop rights, never add them. */
#define FE_RIGHT_READ      (1u << 0)  /* read state, map readable, receive */
#define FE_RIGHT_WRITE     (1u << 1)  /* modify, map writable, send */
#define FE_RIGHT_EXECUTE   (1u << 2)  /* map executable */
#define FE_RIGHT_MAP       (1u << 3)  /* map into an address space */
#define FE_RIGHT_DUPLICATE (1u << 4)  /* fe_handle_dup may derive from it */
#define FE_RIGHT_TRANSFER  (1u << 5)  /* may be sent in a message or granted */
#define FE_RIGHT_MANAGE    (1u << 6)  /* create/kill/map in a process; bind an irq */
#define FE_RIGHT_WAIT      (1u << 7)  /* wait on a process or notification */
#define FE_RIGHT_SIGNAL    (1u << 8)  /* signal a notification */
#define FE_RIGHT_REVOKE    (1u << 9)  /* fe_handle_revoke its derived capabilities */
#define FE_RIGHTS_ALL      0x3ffu

#endif /* FERROUS_HANDLE_H */
