/* SPDX-License-Identifier: MIT */
/*
 * The root task: the kernel loads `init` from the ramdisk, gives it the
 * initial capabilities in its start-up block (include/ferrous/start.h) and
 * a budget of most of free memory, and runs it. When init ends, the kernel
 * reports its status (in test runs: as the QEMU exit status).
 */
#ifndef FERROUS_CORE_ROOT_TASK_H
#define FERROUS_CORE_ROOT_TASK_H

#include <ferrous/boot_info.h>
#include <ferrous/errors.h>

/* Loads and starts init; FE_ERR_NOT_FOUND if the ramdisk has none. */
fe_status_t root_task_start(const struct fe_boot_info *bi, const char *cmdline);

#endif /* FERROUS_CORE_ROOT_TASK_H */
