/* SPDX-License-Identifier: MIT */
#include "initrd.h"

#include <ferrous/trace.h>

#include "core/kernel.h"
#include "core/log.h"
#include "trace/trace.h"

/* Set once at boot. */
static const void *archive;
static size_t archive_size;

/*
 * Damage in the archive ends the walk (kernel/lib/cpio.c says why it does
 * not resynchronise); the entries before it are kept, and the bad one is
 * named with the reason.
 */
static void report_damage(const struct cpio_iter *it, unsigned files)
{
	if (it->bad_name != NULL)
		pr_err("initrd: entry %u \"%s\" at offset %#zx: %s; keeping the %u entries before it\n",
		       files + 1, it->bad_name, it->bad_off, it->why, files);
	else
		pr_err("initrd: entry %u at offset %#zx: %s; keeping the %u entries before it\n",
		       files + 1, it->bad_off, it->why, files);
}

void initrd_init(const struct fe_boot_info *bi)
{
	struct cpio_iter it;
	struct cpio_entry e;
	fe_status_t st;
	unsigned files = 0;

	if (bi->initrd.size == 0) {
		pr_info("initrd: none (the loader found no ramdisk)\n");
		return;
	}
	cpio_iter_init(&it, phys_to_virt(bi->initrd.phys), bi->initrd.size);
	while ((st = cpio_next(&it, &e)) == FE_OK) {
		pr_debug("initrd: %.*s (%zu bytes)\n", (int)e.name_len, e.name, e.size);
		files++;
	}
	if (st != FE_ERR_NOT_FOUND) {
		report_damage(&it, files);
		trace_emit(FE_TRACE_BOOT_PROBLEM, FE_BOOT_PROBLEM_INITRD, it.bad_off, files, (uint64_t)st);
	}
	archive = phys_to_virt(bi->initrd.phys);
	archive_size = bi->initrd.size;
	pr_info("initrd: %u entries, %llu KiB\n", files, (unsigned long long)(bi->initrd.size >> 10));
}

fe_status_t initrd_find(const char *name, struct cpio_entry *out)
{
	if (archive == NULL)
		return FE_ERR_NOT_FOUND;
	return cpio_find(archive, archive_size, name, out);
}
