/* SPDX-License-Identifier: MIT */
/*
 * Levelled, timestamped log lines on the console:
 *   [    1.234567] 0 I mm: 503 MiB usable
 * time since boot in seconds, CPU index, level letter (E W I D), message.
 * The threshold comes from the command line: loglevel=error|warn|info|debug.
 */
#ifndef FERROUS_CORE_LOG_H
#define FERROUS_CORE_LOG_H

#include "lib/util.h"

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

void log_set_level(enum log_level level);
void klog(enum log_level level, const char *fmt, ...) PRINTF_LIKE(2, 3);

#define pr_err(...) klog(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) klog(LOG_WARN, __VA_ARGS__)
#define pr_info(...) klog(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) klog(LOG_DEBUG, __VA_ARGS__)

#endif /* FERROUS_CORE_LOG_H */
