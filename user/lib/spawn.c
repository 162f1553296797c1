/* SPDX-License-Identifier: MIT */
/* The user-space program loader (kernel/lib/elf.c checks every file). */
#include <fe/runtime.h>
#include <fe/spawn.h>
#include <fe/sys.h>

#include "cpio.h"
#include "elf.h"

#define DEFAULT_BUDGET (16ULL << 20)

static const void *initrd;
static size_t initrd_size;

static fe_status_t initrd_map(void)
{
	fe_handle_t h = fe_start_info->handles[FE_START_INITRD];
	uint64_t size = (fe_start_info->initrd_size + 4095) & ~4095ULL;
	uint64_t va;
	fe_status_t st;

	if (initrd)
		return FE_OK;
	if (h == FE_HANDLE_INVALID || size == 0)
		return FE_ERR_NOT_FOUND;
	va = fe_va_alloc(size);
	if ((st = fe_vm_map(fe_self, h, 0, va, size, FE_VM_READ)) != FE_OK)
		return st;
	initrd = (const void *)(uintptr_t)va;
	initrd_size = fe_start_info->initrd_size;
	return FE_OK;
}

fe_status_t fe_initrd_find(const char *name, const void **data, size_t *size)
{
	struct cpio_entry e;
	fe_status_t st = initrd_map();

	if (st == FE_OK)
		st = cpio_find(initrd, initrd_size, name, &e);
	if (st == FE_OK) {
		*data = e.data;
		*size = e.size;
	}
	return st;
}

fe_status_t fe_initrd_list(void (*fn)(const char *name, size_t size, void *ctx), void *ctx)
{
	struct cpio_iter it;
	struct cpio_entry e;
	fe_status_t st = initrd_map();

	if (st != FE_OK)
		return st;
	cpio_iter_init(&it, initrd, initrd_size);
	while ((st = cpio_next(&it, &e)) == FE_OK)
		fn(e.name, e.size, ctx);
	return st == FE_ERR_NOT_FOUND ? FE_OK : st;
}

static uint32_t prot_of(uint32_t flags)
{
	return ((flags & ELF_PF_R) ? FE_VM_READ : 0) | ((flags & ELF_PF_W) ? FE_VM_WRITE : 0) |
	       ((flags & ELF_PF_X) ? FE_VM_EXEC : 0);
}

static fe_status_t load_segment(fe_handle_t child, const struct elf_image *img,
                                const struct elf64_phdr *ph)
{
	uint64_t lo = ph->vaddr & ~4095ULL;
	uint64_t hi = (ph->vaddr + ph->memsz + 4095) & ~4095ULL;
	uint32_t prot = prot_of(ph->flags);
	fe_handle_t vmo;
	fe_status_t st = fe_vmo_create(hi - lo, &vmo);

	if (st != FE_OK)
		return st;
	st = fe_vmo_write(vmo, ph->vaddr - lo, img->data + ph->offset, ph->filesz);
	if (st == FE_OK)
		st = fe_vm_map(child, vmo, 0, lo, hi - lo, prot ? prot : FE_VM_READ);
	fe_handle_delete(vmo); /* the mapping keeps the pages */
	return st;
}

static fe_status_t load_elf(fe_handle_t child, const char *path, uint64_t *entry)
{
	const void *data;
	size_t size;
	struct elf_image img;
	struct elf_load_span span;
	fe_status_t st;

	if ((st = fe_initrd_find(path, &data, &size)) != FE_OK ||
	    (st = elf_parse(data, size, &img)) != FE_OK ||
	    (st = elf_check_load(&img, FE_USER_BASE, FE_STACK_TOP - FE_STACK_SIZE, &span)) != FE_OK)
		return st;
	for (unsigned i = 0; i < img.eh.phnum && st == FE_OK; i++) {
		struct elf64_phdr ph;
		if ((st = elf_phdr(&img, i, &ph)) == FE_OK && ph.type == ELF_PT_LOAD && ph.memsz)
			st = load_segment(child, &img, &ph);
	}
	*entry = img.eh.entry;
	return st;
}

static void put_args(struct fe_start_info *si, const struct fe_spawn_args *a)
{
	const char *only[] = { a->path, NULL };
	const char *const *argv = a->argv ? a->argv : only;
	uint32_t n = 0;

	for (; *argv; argv++) {
		size_t len = strlen(*argv) + 1;
		if (n + len > FE_START_ARGS_MAX)
			break;
		memcpy(si->args + n, *argv, len);
		n += (uint32_t)len;
	}
	si->args_len = n;
}

static fe_status_t grant_handles(fe_handle_t child, struct fe_start_info *si,
                                 const struct fe_spawn_args *a)
{
	for (unsigned i = 0; i < FE_START_SLOTS; i++) {
		struct fe_handle_info info;
		fe_handle_t h = i == FE_START_SELF ? child : a->handles[i];
		fe_status_t st;

		if (h == FE_HANDLE_INVALID)
			continue;
		if ((st = fe_handle_info(h, &info)) != FE_OK)
			return st;
		uint32_t rights = a->rights[i] ? a->rights[i] : info.rights;
		if ((st = fe_handle_grant(child, h, rights, &si->handles[i])) != FE_OK)
			return st;
	}
	return FE_OK;
}

static fe_status_t build_stack(fe_handle_t child, const struct fe_spawn_args *a)
{
	static struct fe_start_info si;
	fe_handle_t stack;
	fe_status_t st;

	memset(&si, 0, sizeof(si));
	si.magic = FE_START_MAGIC;
	si.version = FE_START_VERSION;
	si.nhandles = FE_START_SLOTS;
	si.stack_base = FE_STACK_TOP - FE_STACK_SIZE;
	if (a->handles[FE_START_INITRD])
		si.initrd_size = fe_start_info->initrd_size;
	put_args(&si, a);
	if ((st = grant_handles(child, &si, a)) != FE_OK)
		return st;
	if ((st = fe_vmo_create(FE_STACK_SIZE, &stack)) != FE_OK)
		return st;
	st = fe_vmo_write(stack, FE_STACK_SIZE - 4096, &si, sizeof(si));
	if (st == FE_OK)
		st = fe_vm_map(child, stack, 0, FE_STACK_TOP - FE_STACK_SIZE, FE_STACK_SIZE,
		               FE_VM_READ | FE_VM_WRITE);
	fe_handle_delete(stack);
	return st;
}

fe_status_t fe_spawn(const struct fe_spawn_args *a, fe_handle_t *proc_out)
{
	fe_handle_t child, thread;
	uint64_t entry;
	size_t len = strnlen(a->path, 31);
	fe_status_t st = fe_process_create(a->path, len ? len : 1, a->budget ? a->budget : DEFAULT_BUDGET,
	                                   &child);

	if (st != FE_OK)
		return st;
	if ((st = load_elf(child, a->path, &entry)) == FE_OK &&
	    (st = build_stack(child, a)) == FE_OK &&
	    (st = fe_thread_create(child, entry, FE_STACK_TOP - 4096, FE_STACK_TOP - 4096,
	                           a->priority ? a->priority : FE_PRIORITY_DEFAULT, &thread)) == FE_OK) {
		fe_handle_delete(thread);
		*proc_out = child;
		return FE_OK;
	}
	fe_process_kill(child);
	fe_handle_delete(child);
	return st;
}
