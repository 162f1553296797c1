/* SPDX-License-Identifier: MIT */
/*
 * The benchmark workloads, defined once for both kernels. Included by the
 * Ferrous program (user/ubench, freestanding) and the Linux one
 * (bench/linux/init.c, glibc), and read by the runner (bench/bench.py), so
 * names, batch sizes and the Ferrous <-> Linux pairing cannot drift apart.
 *
 * One row per comparison in the table:
 *
 *   W(row, ferrous, linux, per_batch, unit, set)
 *
 *   row        the table's name for the comparison
 *   ferrous    the ubench workload (a function of that name in user/ubench)
 *   linux      the Linux workload (a function of that name in bench/linux)
 *   per_batch  operations per timed batch; both sides run one warm-up batch,
 *              then BENCH_BATCHES timed ones, and report the median batch's
 *              figure per operation
 *   unit       what one operation is, the same on both sides
 *   set        the QEMU configuration: smp1 (the default, one CPU), smp2
 *              (needs a second CPU: cross-CPU IPC, an idle second CPU; TCG
 *              single-threaded) or smp2mt (two CPUs under multi-threaded
 *              TCG, really in parallel: big-lock contention)
 *
 * The ipc_pairs rows run N client/server pairs at once (N = 1, or one per
 * CPU) and report aggregate cycles per round trip: a batch's wall time over
 * every pair's round trips; per_batch is per pair.
 *
 * Each program prints, per workload, one line
 *   bench NAME cycles=C ns=N iters=I      (or per_s=R for idle_wakeups;
 *                                          the pairs rows add pairs=N, and
 *                                          on Ferrous waited_ppm= spin_ppm=)
 *   bench NAME skipped reason=WHY         (when it cannot run here)
 * and takes `set=smp1|smp2|smp2mt` to run only that configuration's rows.
 *
 * bench.py parses the W(...) lines below with a regular expression: keep
 * one W per line, arguments without commas or parentheses.
 */
#ifndef BENCH_WORKLOADS_H
#define BENCH_WORKLOADS_H

#define BENCH_BATCHES 9u
/* idle_wakeups sleeps this long between its two readings. */
#define BENCH_IDLE_NS 1000000000ull

/* clang-format off */
#define BENCH_WORKLOADS(W) \
	W(syscall,             null_syscall,               getpid,                11112, "call",       smp1) \
	W(ipc_round_trip,      ipc_call_reply,             pipe_pingpong,         2000,  "round trip", smp1) \
	W(context_switch,      context_switch_yield,       yield_pingpong,        2000,  "switch",     smp1) \
	W(wake_up,             notify_signal_wait,         futex_pingpong,        1000,  "hand-over",  smp1) \
	W(spawn,               spawn_exit_wait,            fork_exec_wait,        1,     "process",    smp1) \
	W(map_page,            page_map_touch_unmap,       memfd_map_touch_unmap, 500,   "page",       smp1) \
	W(map_new_page,        vmo_create_map_touch_unmap, mmap_touch_munmap,     200,   "page",       smp1) \
	W(ipc_round_trip_xcpu, ipc_call_reply_xcpu,        pipe_pingpong_xcpu,    2000,  "round trip", smp2) \
	W(idle_wakeups,        idle_wakeups,               idle_wakeups,          1,     "second",     smp2) \
	W(ipc_pairs_1,         ipc_pairs_one,              pipe_pairs_one,        2000,  "round trip", smp2mt) \
	W(ipc_pairs_ncpu,      ipc_pairs_per_cpu,          pipe_pairs_per_cpu,    2000,  "round trip", smp2mt) \
	W(ipc_pairs_unpinned,  ipc_pairs_unpinned,         pipe_pairs_unpinned,   2000,  "round trip", smp2mt)
/* clang-format on */

/* The set names as strings, for the programs' `set=` argument. */
#define BENCH_SET_NAME(set) #set

#endif /* BENCH_WORKLOADS_H */
