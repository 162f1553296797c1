/* SPDX-License-Identifier: MIT */
#ifndef FERROUS_CORE_BOOT_OPTIONS_H
#define FERROUS_CORE_BOOT_OPTIONS_H

/*
 * Fills boot_opts (core/kernel.h) from the command line:
 *   qemu_exit=1      end QEMU through isa-debug-exit on panic and after tests
 *   ktest=LIST       run in-kernel test suites (all, boot, or suite names)
 *   ktest.panic=1    panic on purpose after boot (tests the panic path)
 *   ktest.fault=1    take an unhandled page fault after boot (tests the report)
 *   mem=SIZE         use at most SIZE bytes of RAM (K/M/G suffixes)
 *   loglevel=LEVEL   error, warn, info (default) or debug
 *   trace=off        start with event tracing disabled
 *   kobj.dump=1      list every live kernel object and heap cache when init ends
 * Returns the number of malformed options; *bad names the last one.
 */
unsigned boot_options_parse(const char *cmdline, const char **bad);

#endif /* FERROUS_CORE_BOOT_OPTIONS_H */
