/* SPDX-License-Identifier: MIT */
/*
 * The start-up block a new process finds at its first thread's rdi.
 *
 * The kernel builds one for init; every other process gets one from the
 * process that spawned it (user/lib/spawn.c), built the same way: the block
 * sits in the top page of the initial stack, the stack pointer just below it.
 * Unused handle slots hold FE_HANDLE_INVALID. A program must not trust more
 * than `nhandles` slots or more than args_len bytes of args.
 */
#ifndef FERROUS_START_H
#define FERROUS_START_H

#include <stdint.h>

#include <ferrous/handle.h>

#define FE_START_MAGIC 0x5452415453524546ULL /* "FERSTART" */
#define FE_START_VERSION 2u

/* Well-known slots in fe_start_info.handles. */
enum fe_start_slot {
	FE_START_SELF = 0,      /* this process (MANAGE, READ, WAIT, ...) */
	FE_START_CONSOLE = 1,   /* the debug console */
	FE_START_INITRD = 2,    /* VMO holding the ramdisk (cpio newc), read-only */
	FE_START_TRACE = 3,     /* trace rings and kernel statistics */
	FE_START_IOPORT_COM1 = 4, /* I/O ports 0x3f8..0x3ff (serial input) */
	FE_START_IRQ_COM1 = 5,  /* ISA IRQ 4 */
	FE_START_MMIO_HPET = 6, /* the HPET's registers, if present */
	FE_START_ENDPOINT = 7,  /* a service endpoint handed to a child, by convention */
	FE_START_PCI_ROOT = 8,  /* PCI configuration space and device capabilities (ferrous/pci.h), if ECAM */
	FE_START_IOPORT_COM2 = 9, /* I/O ports 0x2f8..0x2ff (the trace exporter's serial port) */
	FE_START_GROUP = 10,    /* a resource group to make processes and groups in (ferrous/group.h) */
	/* 11..15: reserved for more of the machine */
	FE_START_USER0 = 16,    /* 16..23: free for the spawner's own protocol */
	FE_START_SLOTS = 24,
};

#define FE_START_ARGS_MAX 1024u
/* The most argument words (argv[0] included) a program's argv receives. */
#define FE_START_ARGC_MAX 64u

/* Where the initial stack goes: [FE_STACK_TOP - FE_STACK_SIZE, FE_STACK_TOP),
 * the start-up block at FE_STACK_TOP - 4096, the stack pointer at entry
 * equal to that address (16-byte aligned; nothing pushed). */
#define FE_STACK_TOP 0x00007fff00000000ULL
#define FE_STACK_SIZE (64ULL * 1024)

struct fe_start_info {
	uint64_t magic;            /* FE_START_MAGIC */
	uint32_t version;          /* FE_START_VERSION */
	uint32_t nhandles;         /* FE_START_SLOTS */
	fe_handle_t handles[FE_START_SLOTS];
	uint64_t initrd_size;      /* bytes in the FE_START_INITRD memory object */
	uint64_t stack_base;       /* lowest address of the initial stack mapping */
	uint32_t args_len;         /* bytes used in args, including the final NUL */
	uint32_t reserved;
	/* NUL-separated words: program name first, then its arguments. For init:
	 * "init", then every word of the kernel command line. */
	char args[FE_START_ARGS_MAX];
};

#endif /* FERROUS_START_H */
