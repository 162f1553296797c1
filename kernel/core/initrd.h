/* SPDX-License-Identifier: MIT */
/* The initial ramdisk: a cpio archive of the programs user space starts with. */
#ifndef FERROUS_CORE_INITRD_H
#define FERROUS_CORE_INITRD_H

#include <ferrous/boot_info.h>
#include <ferrous/errors.h>

#include "lib/cpio.h"

/* Checks and lists the archive (or logs "initrd: none"). A malformed archive
 * is reported and then treated as absent. */
void initrd_init(const struct fe_boot_info *bi);

/* Finds a file: FE_OK, FE_ERR_NOT_FOUND (also when there is no initrd). */
fe_status_t initrd_find(const char *name, struct cpio_entry *out);

#endif /* FERROUS_CORE_INITRD_H */
