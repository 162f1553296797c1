/* SPDX-License-Identifier: MIT */
#include "core/root_task.h"

#include <arch/serial.h>
#include <ferrous/start.h>
#include <ferrous/syscall.h>

#include "core/boot_options.h"
#include "core/initrd.h"
#include "core/kernel.h"
#include "core/log.h"
#include "core/platform.h"
#include "lib/cmdline.h"
#include "lib/elf.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/vm.h"
#include "object/budget.h"
#include "object/device.h"
#include "object/group.h"
#include "object/interrupt.h"
#include "object/pci.h"
#include "object/process.h"
#include "object/thread.h"
#include "object/vmo.h"
#include "trace/trace.h"


static struct process *init_process;

static fe_status_t load_segment(struct process *p, const struct elf_image *img,
                                const struct elf64_phdr *ph)
{
	uint64_t lo = ph->vaddr & ~(PAGE_SIZE - 1);
	uint64_t hi = (ph->vaddr + ph->memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	uint32_t prot = ((ph->flags & ELF_PF_R) ? FE_VM_READ : 0) |
	                ((ph->flags & ELF_PF_W) ? FE_VM_WRITE : 0) |
	                ((ph->flags & ELF_PF_X) ? FE_VM_EXEC : 0);
	struct vmo *v;
	fe_status_t st = vmo_create(p->budget, p->home_node, hi - lo, &v);

	if (st != FE_OK)
		return st;
	st = vmo_write_kernel(v, ph->vaddr - lo, img->data + ph->offset, ph->filesz);
	if (st == FE_OK)
		st = aspace_map(&p->as, &v->obj, 0, lo, hi - lo, prot ? prot : FE_VM_READ, NULL);
	kobj_put(&v->obj); /* the mapping keeps it */
	return st;
}

static fe_status_t load_elf(struct process *p, const struct cpio_entry *file, uint64_t *entry)
{
	struct elf_image img;
	const char *why;
	fe_status_t st;

	if ((st = elf_check_program(file->data, file->size, FE_USER_BASE, FE_STACK_TOP - FE_STACK_SIZE,
	                            &img, &why)) != FE_OK) {
		pr_err("init: cannot start: \"%s\" in the ramdisk (%zu bytes) is %s (%s)\n", file->name,
		       file->size, why, fe_status_name(st));
		return st;
	}
	for (unsigned i = 0; i < img.eh.phnum; i++) {
		struct elf64_phdr ph;
		if ((st = elf_phdr(&img, i, &ph)) != FE_OK)
			return st;
		if (ph.type == ELF_PT_LOAD && ph.memsz > 0 && (st = load_segment(p, &img, &ph)) != FE_OK)
			return st;
	}
	*entry = img.eh.entry;
	return FE_OK;
}

/* Puts a root capability for obj in init's table (consuming obj's reference). */
static void grant(struct process *p, struct fe_start_info *si, unsigned slot, struct kobj *obj)
{
	fe_handle_t h;

	if (cspace_insert(&p->cspace, obj, obj->type, FE_RIGHTS_ALL, 0, &h) == FE_OK)
		si->handles[slot] = h;
	else
		pr_warn("init: could not hand over capability slot %u\n", slot);
	kobj_put(obj);
}

static void grant_devices(struct process *p, struct fe_start_info *si, const struct fe_boot_info *bi)
{
	struct vmo *rd;
	struct ioport *io;
	struct irq_object *irq;
	struct mmio *hpet;
	const struct acpi_info *acpi = platform_acpi();
	struct kobj *pci = pci_root_object();

	kobj_get(&p->obj);
	grant(p, si, FE_START_SELF, &p->obj);
	grant(p, si, FE_START_CONSOLE, console_object());
	grant(p, si, FE_START_TRACE, trace_object());
	if (bi->initrd.size && vmo_create_physical(bi->initrd.phys, bi->initrd.size, &rd) == FE_OK) {
		grant(p, si, FE_START_INITRD, &rd->obj);
		si->initrd_size = bi->initrd.size;
	}
	if (ioport_create(NULL, ARCH_SERIAL_PORT, ARCH_SERIAL_PORT_COUNT, &io) == FE_OK)
		grant(p, si, FE_START_IOPORT_COM1, &io->obj);
	if (ioport_create(NULL, ARCH_SERIAL2_PORT, ARCH_SERIAL2_PORT_COUNT, &io) == FE_OK)
		grant(p, si, FE_START_IOPORT_COM2, &io->obj);
	if (irq_object_create(SERIAL_ISA_IRQ, &irq) == FE_OK)
		grant(p, si, FE_START_IRQ_COM1, &irq->obj);
	if (acpi->hpet.present && mmio_create(NULL, acpi->hpet.address & ~(PAGE_SIZE - 1), PAGE_SIZE,
	                                      &hpet) == FE_OK)
		grant(p, si, FE_START_MMIO_HPET, &hpet->obj);
	if (pci)
		grant(p, si, FE_START_PCI_ROOT, pci);
	grant(p, si, FE_START_GROUP, &group_root()->obj);
}

/* Words are dropped from init's arguments: say so, or init misses options silently. */
static void report_args_dropped(uint32_t words, uint64_t need, uint32_t kept)
{
	pr_warn("init: the command line gives init %u words in %llu bytes, more than it takes "
	        "(%u words, %u bytes); keeping the first %u, dropping the rest\n", words,
	        (unsigned long long)need, FE_START_ARGC_MAX, FE_START_ARGS_MAX, kept);
	trace_emit(FE_TRACE_BOOT_PROBLEM, FE_BOOT_PROBLEM_INIT_ARGS, need, words, kept);
}

/*
 * "init" then every word of the command line, NUL-separated: whole words,
 * as many as fit in FE_START_ARGS_MAX bytes and FE_START_ARGC_MAX words
 * (user/lib/start.c takes no more). Once one does not fit, the rest is
 * dropped and reported.
 */
static void fill_args(struct fe_start_info *si, const char *cmdline)
{
	static const char prog[] = "init";
	uint32_t n = sizeof(prog), words = 1, kept = 1;
	uint64_t need = sizeof(prog);

	memcpy(si->args, prog, sizeof(prog));
	size_t len;
	for (const char *p = cmdline, *s; (s = cmdline_next_word(&p, &len)) != NULL;) {
		if (kept == words && kept < FE_START_ARGC_MAX && len + 1 <= FE_START_ARGS_MAX - n) {
			memcpy(si->args + n, s, len);
			si->args[n + len] = '\0';
			n += (uint32_t)len + 1;
			kept++;
		}
		words++;
		need += len + 1;
	}
	si->args_len = n;
	if (kept < words)
		report_args_dropped(words, need, kept);
}

static fe_status_t build_stack(struct process *p, const struct fe_boot_info *bi, const char *cmdline)
{
	static struct fe_start_info si; /* one boot, one CPU: no need for stack space */
	struct vmo *stack;
	fe_status_t st = vmo_create(p->budget, p->home_node, FE_STACK_SIZE, &stack);

	if (st != FE_OK)
		return st;
	memset(&si, 0, sizeof(si));
	si.magic = FE_START_MAGIC;
	si.version = FE_START_VERSION;
	si.nhandles = FE_START_SLOTS;
	si.stack_base = FE_STACK_TOP - FE_STACK_SIZE;
	grant_devices(p, &si, bi);
	fill_args(&si, cmdline);
	st = vmo_write_kernel(stack, FE_STACK_SIZE - PAGE_SIZE, &si, sizeof(si));
	if (st == FE_OK)
		st = aspace_map(&p->as, &stack->obj, 0, FE_STACK_TOP - FE_STACK_SIZE, FE_STACK_SIZE,
		                FE_VM_READ | FE_VM_WRITE, NULL);
	kobj_put(&stack->obj);
	return st;
}

static void init_ended(struct process *p)
{
	if (p != init_process)
		return;
	const struct fe_exit_status *e = &p->exit;
	bool ok = e->reason == FE_EXIT_NORMAL && e->code == 0;

	pr_info("init: ended (%s, code %lld)%s\n",
	        e->reason == FE_EXIT_NORMAL ? "exited" : e->reason == FE_EXIT_FAULT ? "faulted" : "killed",
	        (long long)e->code, boot_opts.qemu_exit ? "; stopping" : "");
	if (boot_opts.kobj_dump)
		kobj_dump_live();
	if (boot_opts.qemu_exit)
		kernel_exit(ok ? KERNEL_EXIT_SUCCESS : KERNEL_EXIT_FAILURE);
}

fe_status_t root_task_start(const struct fe_boot_info *bi, const char *cmdline)
{
	struct cpio_entry file;
	struct group *root;
	struct thread *t;
	uint64_t entry;
	fe_status_t st;

	if (bi->initrd.size == 0) {
		pr_err("init: cannot start: there is no ramdisk (\\ferrous\\initrd.cpio on the ESP)\n");
		return FE_ERR_NOT_FOUND;
	}
	if ((st = initrd_find("init", &file)) != FE_OK) {
		pr_err("init: cannot start: %s\n", st == FE_ERR_NOT_FOUND
		       ? "the ramdisk has no regular file \"init\""
		       : "the ramdisk is damaged before any file \"init\" (see the initrd: line above)");
		return st;
	}
	root = group_root();
	st = process_create(NULL, root->budget, root->budget, root, "init", root->budget->limit,
	                    &init_process);
	if (st != FE_OK)
		return st;
	if ((st = load_elf(init_process, &file, &entry)) != FE_OK ||
	    (st = build_stack(init_process, bi, cmdline)) != FE_OK ||
	    (st = thread_create(init_process, entry, FE_STACK_TOP - PAGE_SIZE,
	                        FE_STACK_TOP - PAGE_SIZE, FE_PRIORITY_DEFAULT, &t)) != FE_OK) {
		struct fe_exit_status why = { .reason = FE_EXIT_KILLED };
		process_terminate(init_process, &why);
		return st;
	}
	process_end_hook = init_ended;
	pr_info("init: loaded (%zu bytes, entry %#llx, budget %llu MiB)\n", file.size,
	        (unsigned long long)entry, (unsigned long long)(root->budget->limit >> 20));
	thread_start(t);
	kobj_put(&root->obj); /* init holds the group now */
	return FE_OK;
}
