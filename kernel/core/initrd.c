/* SPDX-License-Identifier: MIT */
#include "initrd.h"

#include "core/kernel.h"
#include "core/log.h"

/* Set once at boot. */
static const void *archive;
static size_t archive_size;

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
		pr_err("initrd: malformed archive (%s) after %u entries; ignoring it\n",
		       fe_status_name(st), files);
		return;
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
