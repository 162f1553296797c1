/* SPDX-License-Identifier: MIT */
/*
 * Validation of the loader's struct fe_boot_info: the first untrusted input
 * the kernel reads. Pure functions (host-tested); each returns FE_OK or
 * FE_ERR_BAD_FORMAT with *why set to a constant sentence naming the problem.
 * Run in order: header first (it proves the other two are safe to read
 * through the direct map), then the memory map, then the command line.
 */
#ifndef FERROUS_CORE_BOOT_INFO_CHECK_H
#define FERROUS_CORE_BOOT_INFO_CHECK_H

#include <stddef.h>

#include <ferrous/boot_info.h>
#include <ferrous/errors.h>

/* Magic, version, size, direct-map base, and that every referenced region
 * (memory map, blobs, kernel image) is page-sane and inside hhdm_size. */
fe_status_t boot_info_check_header(const struct fe_boot_info *bi, const char **why);

/* `map` is bi->mem_map read through the direct map: entries well-formed,
 * sorted, non-overlapping; the kernel image inside FE_MEM_KERNEL ranges; the
 * blobs inside FE_MEM_BOOT_DATA ranges; some RAM usable. */
fe_status_t boot_info_check_map(const struct fe_boot_info *bi, const struct fe_mem_range *map,
                                const char **why);

/* `cmdline` is bi->cmdline read through the direct map: NUL-terminated
 * within its size, printable ASCII. */
fe_status_t boot_info_check_cmdline(const struct fe_boot_info *bi, const char *cmdline,
                                    const char **why);

#endif /* FERROUS_CORE_BOOT_INFO_CHECK_H */
