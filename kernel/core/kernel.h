/* SPDX-License-Identifier: MIT */
/* Kernel-wide facts: version, boot options, and how the kernel stops. */
#ifndef FERROUS_CORE_KERNEL_H
#define FERROUS_CORE_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include <ferrous/boot_info.h>

#include "lib/util.h"

#define FERROUS_VERSION "0.1.0"

/* isa-debug-exit values: QEMU exits with (value << 1) | 1, i.e. 33 and 35. */
enum kernel_exit_code {
	KERNEL_EXIT_SUCCESS = 0x10,
	KERNEL_EXIT_FAILURE = 0x11,
};

/* Options from the kernel command line; set once in early boot, read-only after. */
struct boot_options {
	bool qemu_exit;      /* qemu_exit=1: end QEMU on panic and after tests */
	char ktest[128];     /* ktest=all | ktest=suite,suite | ktest=boot; "" = none */
	bool ktest_panic;    /* ktest.panic=1: panic deliberately (tests the panic path) */
	bool ktest_fault;    /* ktest.fault=1: take an unhandled page fault (tests the report) */
	uint64_t mem_limit;  /* mem=SIZE: use at most this much RAM; 0 = all */
	int loglevel;        /* loglevel=error|warn|info|debug */
	bool trace;          /* trace=off disables event recording */
	uint32_t max_cpus;   /* smp=N: start at most N CPUs (1 = boot CPU only); 0 = all */
	uint32_t cpu_capacity[16]; /* cpu_capacity=1024,512,...: per CPU, 1..1024; default 1024 */
	bool kobj_dump;      /* kobj.dump=1: list every live kernel object when init ends (leak hunts) */
};
extern struct boot_options boot_opts;

/* The boot_info the loader passed, after boot_info_check accepted it. */
extern const struct fe_boot_info *boot_info;

/* TSC readings of boot milestones, for the boot-time report. */
struct boot_times {
	uint64_t kernel_entry;
	uint64_t banner;
	uint64_t init_done;
};
extern struct boot_times boot_times;

/* Minimum usable RAM the kernel needs to run at all. */
#define KERNEL_MIN_MEMORY MIB(16)

/* The boot CPU's entry from entry.S. */
NORETURN void kernel_main(const struct fe_boot_info *bi);

/* Ends the kernel: exits QEMU with `code` when qemu_exit=1, else halts. */
NORETURN void kernel_exit(enum kernel_exit_code code);

/* phys_to_virt and virt_to_phys_direct: the direct map (an arch primitive). */
#include <arch/direct_map.h>

#endif /* FERROUS_CORE_KERNEL_H */
