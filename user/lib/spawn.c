/* SPDX-License-Identifier: MIT */
/*
 * The user-space program loader: the same steps the kernel takes for init
 * (kernel/core/root_task.c), done with system calls on a child process.
 * The ELF file is untrusted: kernel/lib/elf.c checks it before anything is
 * created. Segments are never mapped from the ramdisk itself: image.c
 * copies each writable one and shares one loaded copy of each read-only one.
 */
#include <fe/runtime.h>
#include <fe/spawn.h>
#include <fe/sys.h>

#include "elf.h"
#include "internal.h"

#define DEFAULT_BUDGET (16ULL << 20)
#define NAME_MAX_LEN 31 /* fe_process_info.name: 31 bytes and a NUL */

/* The checked image of a ramdisk file, ready to load. */
static fe_status_t find_program(const char *path, struct elf_image *img, const char **why)
{
	const void *data;
	size_t size;
	fe_status_t st;

	*why = NULL;
	if ((st = fe_initrd_find(path, &data, &size)) != FE_OK)
		return st;
	return elf_check_program(data, size, FE_USER_BASE, FE_STACK_TOP - FE_STACK_SIZE, img, why);
}

const char *fe_spawn_why(const char *path)
{
	struct elf_image img;
	const char *why = NULL;
	fe_status_t st = find_program(path, &img, &why);

	if (st == FE_ERR_NOT_FOUND)
		return "not in the ramdisk";
	return st == FE_OK ? NULL : why;
}

static fe_status_t load_segments(fe_handle_t child, const struct elf_image *img)
{
	fe_status_t st = FE_OK;

	for (unsigned i = 0; i < img->eh.phnum && st == FE_OK; i++) {
		struct elf64_phdr ph;
		if ((st = elf_phdr(img, i, &ph)) == FE_OK && ph.type == ELF_PT_LOAD)
			st = image_load_segment(child, img, i, &ph);
	}
	return st;
}

/* The NUL-separated argument words; FE_ERR_OUT_OF_RANGE if they do not fit. */
static fe_status_t put_args(struct fe_start_info *si, const struct fe_spawn_args *a)
{
	const char *only[] = { a->path, NULL };
	const char *const *argv = a->argv ? a->argv : only;
	uint32_t n = 0;

	for (; *argv; argv++) {
		size_t len = strlen(*argv) + 1;
		if (len > FE_START_ARGS_MAX - n)
			return FE_ERR_OUT_OF_RANGE;
		memcpy(si->args + n, *argv, len);
		n += (uint32_t)len;
	}
	si->args_len = n;
	return FE_OK;
}

/* Grants h into the child with `rights` (0: all) narrowed to what h has. */
static fe_status_t grant_one(fe_handle_t child, fe_handle_t h, uint32_t rights, fe_handle_t *out)
{
	struct fe_handle_info info;
	fe_status_t st = fe_handle_info(h, &info);

	if (st != FE_OK)
		return st;
	rights = rights ? rights & info.rights : info.rights;
	return fe_handle_grant(child, h, rights, out);
}

/* Every requested capability, and the child's own handle in FE_START_SELF. */
static fe_status_t grant_handles(fe_handle_t child, struct fe_start_info *si,
                                 const struct fe_spawn_args *a)
{
	for (unsigned i = 0; i < FE_START_SLOTS; i++) {
		fe_handle_t h = i == FE_START_SELF ? child : a->handles[i];
		fe_status_t st;

		if (h == FE_HANDLE_INVALID)
			continue;
		if ((st = grant_one(child, h, a->rights[i], &si->handles[i])) != FE_OK)
			return st;
	}
	return FE_OK;
}

/* The initial stack, with the start-up block in its top page. */
static fe_status_t build_stack(fe_handle_t child, const struct fe_start_info *si)
{
	fe_handle_t stack;
	fe_status_t st = fe_vmo_create(FE_STACK_SIZE, &stack);

	if (st != FE_OK)
		return st;
	st = fe_vmo_write(stack, FE_STACK_SIZE - PAGE_SIZE, si, sizeof(*si));
	if (st == FE_OK)
		st = fe_vm_map(child, stack, 0, FE_STACK_TOP - FE_STACK_SIZE, FE_STACK_SIZE,
		               FE_VM_READ | FE_VM_WRITE);
	fe_handle_delete(stack);
	return st;
}

/* 16 MiB, or the limit its budget nests under if that is smaller (a
 * child's budget may not exceed its parent's): the caller's own, or in
 * another group the group's memory. */
static uint64_t default_budget(fe_handle_t group)
{
	struct fe_process_info self;
	struct fe_group_info g;

	if (group != FE_HANDLE_INVALID) {
		if (fe_group_info(group, &g) == FE_OK && g.limits.memory < DEFAULT_BUDGET)
			return g.limits.memory;
	} else if (fe_process_info(fe_self, &self) == FE_OK && self.budget_limit < DEFAULT_BUDGET) {
		return self.budget_limit;
	}
	return DEFAULT_BUDGET;
}

/* Everything after fe_process_create; the caller cleans up on failure. */
static fe_status_t populate(fe_handle_t child, const struct elf_image *img,
                            struct fe_start_info *si, const struct fe_spawn_args *a)
{
	uint32_t prio = a->priority ? a->priority : FE_PRIORITY_DEFAULT;
	fe_handle_t thread;
	fe_status_t st;

	if ((st = load_segments(child, img)) != FE_OK || (st = grant_handles(child, si, a)) != FE_OK ||
	    (st = build_stack(child, si)) != FE_OK)
		return st;
	st = fe_thread_create(child, img->eh.entry, FE_STACK_TOP - PAGE_SIZE, FE_STACK_TOP - PAGE_SIZE,
	                      prio, &thread);
	if (st == FE_OK)
		fe_handle_delete(thread); /* the process waits for it, not us */
	return st;
}

fe_status_t fe_spawn(const struct fe_spawn_args *a, fe_handle_t *proc_out)
{
	struct fe_start_info si = {
		.magic = FE_START_MAGIC, .version = FE_START_VERSION, .nhandles = FE_START_SLOTS,
		.stack_base = FE_STACK_TOP - FE_STACK_SIZE,
	};
	struct elf_image img;
	const char *why;
	fe_handle_t child;
	fe_status_t st;

	if (!a->path || !a->path[0] || a->priority > FE_PRIORITY_MAX)
		return FE_ERR_INVALID_ARG;
	if (a->handles[FE_START_INITRD] != FE_HANDLE_INVALID)
		si.initrd_size = fe_start_info->initrd_size;
	if ((st = put_args(&si, a)) != FE_OK || (st = find_program(a->path, &img, &why)) != FE_OK)
		return st;
	st = fe_process_create_in(a->path, strnlen(a->path, NAME_MAX_LEN),
	                          a->budget ? a->budget : default_budget(a->group), &child, a->group);
	if (st != FE_OK)
		return st;
	if ((st = populate(child, &img, &si, a)) != FE_OK) {
		fe_process_kill(child); /* frees what it holds: mappings, granted handles */
		fe_handle_delete(child);
		return st;
	}
	if (proc_out)
		*proc_out = child;
	else
		fe_handle_delete(child);
	return FE_OK;
}

void fe_driver_spawn_args(struct fe_spawn_args *a, const char *program, fe_handle_t dev,
                          fe_handle_t ep)
{
	*a = (struct fe_spawn_args){ .path = program };
	a->handles[FE_START_CONSOLE] = fe_console;
	a->rights[FE_START_CONSOLE] = FE_RIGHT_WRITE;
	a->handles[FE_START_USER0] = dev;
	a->handles[FE_START_ENDPOINT] = ep;
	a->rights[FE_START_ENDPOINT] = FE_RIGHT_READ;
}
