/* SPDX-License-Identifier: MIT */
/*
 * Starting programs from the ramdisk: the user-space ELF loader.
 *
 * The child gets exactly the capabilities listed, each narrowed to the
 * rights given, in the same start-up slots (include/ferrous/start.h), plus
 * a handle to itself in FE_START_SELF. Nothing else of the parent's reaches
 * it: its address space holds only its program image and its stack.
 */
#ifndef FE_SPAWN_H
#define FE_SPAWN_H

#include <stddef.h>
#include <stdint.h>

#include <ferrous/errors.h>
#include <ferrous/start.h>
#include <ferrous/syscall.h>

struct fe_spawn_args {
	const char *path;                    /* name in the ramdisk, e.g. "hello" */
	const char *const *argv;             /* NULL-terminated; NULL: argv[0] = path */
	fe_handle_t handles[FE_START_SLOTS]; /* to grant at the same slot; 0 = none;
	                                        FE_START_SELF is filled in by fe_spawn */
	uint32_t rights[FE_START_SLOTS];     /* at most these rights (intersected with the
	                                        handle's); 0 = every right the handle has */
	uint64_t budget;                     /* child's kernel-memory budget; 0 = 16 MiB, or
	                                        less if the caller's budget (in its own
	                                        group) or the group's memory is less */
	uint32_t priority;                   /* 0 = FE_PRIORITY_DEFAULT */
	fe_handle_t group;                   /* resource group to start it in (MANAGE);
	                                        0 = the caller's own */
};

/*
 * Loads a.path from the ramdisk and starts it. The file must be a static
 * x86_64 Ferrous executable (the ABI note of kernel/lib/elf.h) whose
 * segments lie in [FE_USER_BASE, FE_STACK_TOP - FE_STACK_SIZE), none both
 * writable and executable. On FE_OK the child
 * runs and *proc_out holds a handle to it (all rights); with proc_out NULL
 * the handle is dropped. On failure the half-made child is killed and no
 * handle is left behind. Errors: FE_ERR_INVALID_ARG (no path, bad priority),
 * FE_ERR_OUT_OF_RANGE (arguments longer than FE_START_ARGS_MAX), those of
 * fe_initrd_find and elf_check_program, and those of the system calls
 * (FE_ERR_NO_MEMORY for a budget too small for the program, ...).
 */
fe_status_t fe_spawn(const struct fe_spawn_args *a, fe_handle_t *proc_out);

/*
 * What fe_spawn's image cache holds in this process (user/lib/image.c): each
 * read-only segment of a program (text, read-only data) is loaded once and
 * mapped into every child started from that program; writable segments are
 * copied for each child.
 */
struct fe_spawn_image_stats {
	uint64_t segments; /* read-only segments held */
	uint64_t bytes;    /* their memory, charged to this process's budget */
	uint64_t hits;     /* segments mapped from the cache */
	uint64_t loads;    /* read-only segments loaded from the ramdisk */
	uint64_t copies;   /* writable segments copied */
};

void fe_spawn_image_stats(struct fe_spawn_image_stats *out);

/*
 * The arguments that start driver `program` by the project's convention
 * (docs/drivers.md): its pci-device capability `dev` at FE_START_USER0, the
 * endpoint it serves `ep` at FE_START_ENDPOINT (receive only), and the
 * console to print on. The caller may add to *a before fe_spawn.
 */
void fe_driver_spawn_args(struct fe_spawn_args *a, const char *program, fe_handle_t dev,
                          fe_handle_t ep);

/*
 * Why the ramdisk file `path` cannot be run: "not in the ramdisk", or what
 * elf_check_program says it is ("an empty file, not a program", "a Linux
 * program ...", ...). NULL if it is a loadable program. For messages after
 * fe_spawn failed.
 */
const char *fe_spawn_why(const char *path);

/*
 * The file `name` in the ramdisk: *data points into this process's read-only
 * mapping of it (made on first use from the FE_START_INITRD handle and
 * fe_start_info->initrd_size), valid for the life of the process.
 * FE_ERR_NOT_FOUND if there is no such file or no ramdisk capability.
 */
fe_status_t fe_initrd_find(const char *name, const void **data, size_t *size);

/* Calls fn for every regular file in the ramdisk, in archive order. */
fe_status_t fe_initrd_list(void (*fn)(const char *name, size_t size, void *ctx), void *ctx);

#endif /* FE_SPAWN_H */
