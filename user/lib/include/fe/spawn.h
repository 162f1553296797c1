/* SPDX-License-Identifier: MIT */
/*
 * Starting programs from the ramdisk: the user-space ELF loader. The child
 * gets exactly the capabilities listed (narrowed to `rights`), in the same
 * start-up slots, plus a handle to itself in FE_START_SELF.
 */
#ifndef FE_SPAWN_H
#define FE_SPAWN_H

#include <stddef.h>
#include <stdint.h>

#include <ferrous/start.h>
#include <ferrous/syscall.h>

struct fe_spawn_args {
	const char *path;                    /* name in the ramdisk, e.g. "hello" */
	const char *const *argv;             /* NULL-terminated; NULL: argv[0] = path */
	fe_handle_t handles[FE_START_SLOTS]; /* to grant at the same slot; 0 = none */
	uint32_t rights[FE_START_SLOTS];     /* 0 = every right the handle has */
	uint64_t budget;                     /* 0 = 16 MiB */
	uint32_t priority;                   /* 0 = FE_PRIORITY_DEFAULT */
};

fe_status_t fe_spawn(const struct fe_spawn_args *a, fe_handle_t *proc_out);
/* A file in the ramdisk (mapped read-only into this process on first use). */
fe_status_t fe_initrd_find(const char *name, const void **data, size_t *size);
/* Calls fn for every file in the ramdisk. */
fe_status_t fe_initrd_list(void (*fn)(const char *name, size_t size, void *ctx), void *ctx);

#endif /* FE_SPAWN_H */
