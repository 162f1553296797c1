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
 *              single-threaded), smp2mt (two CPUs under multi-threaded
 *              TCG, really in parallel: big-lock contention) or blk (one
 *              CPU and a virtio-blk disk holding the image described below)
 *
 * The ipc_pairs rows run N client/server pairs at once (N = 1, or one per
 * CPU) and report aggregate cycles per round trip: a batch's wall time over
 * every pair's round trips; per_batch is per pair.
 *
 * The blk rows read the disk at queue depth 1 (one request in flight):
 * 4 KiB reads at the blocks of a pseudo-random sequence (bench_blk_next)
 * and 1 MiB reads one after another, wrapping at the disk's end; and the
 * random 4 KiB reads again with BENCH_BLK_QD requests in flight (each
 * completion checked and replaced by the next block of the sequence, into
 * the completed request's own 4 KiB of the buffer; Linux through native
 * AIO, io_submit and io_getevents, whose O_DIRECT reads of a block device
 * are asynchronous: the same depth in its driver); Ferrous
 * through the user-space driver (user/virtio-blk), Linux through its
 * in-kernel driver with O_DIRECT (no page cache). Both read into the same
 * kind of buffer (1 MiB, page aligned, physically contiguous) and check
 * every 4 KiB block's stamp, so a read that moved no data cannot pass.
 *
 * Each program prints, per workload, one line
 *   bench NAME cycles=C ns=N iters=I      (or per_s=R for idle_wakeups;
 *                                          the pairs rows add pairs=N, and
 *                                          on Ferrous waited_ppm= spin_ppm=;
 *                                          the blk rows reqs_per_op=R: the
 *                                          device requests one read took)
 *   bench NAME skipped reason=WHY         (when it cannot run here)
 * and takes `set=smp1|smp2|smp2mt|blk` to run only that configuration's rows.
 *
 * bench.py parses the W(...) lines below with a regular expression: keep
 * one W per line, arguments without commas or parentheses.
 */
#ifndef BENCH_WORKLOADS_H
#define BENCH_WORKLOADS_H

#include <stdint.h>

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
	W(ipc_pairs_unpinned,  ipc_pairs_unpinned,         pipe_pairs_unpinned,   2000,  "round trip", smp2mt) \
	W(blk_rand_read,       blk_rand_read_4k,           odirect_rand_read_4k,  256,   "4 KiB read", blk) \
	W(blk_seq_read,        blk_seq_read_1m,            odirect_seq_read_1m,   32,    "MiB read",   blk) \
	W(blk_rand_read_qd32,  blk_rand_read_4k_qd32,      aio_rand_read_4k_qd32, 1024,  "4 KiB read", blk)
/* clang-format on */

/*
 * The disk image of the blk rows (written by bench.py, fresh for every
 * boot): 4 KiB blocks, each starting with its own index as a little-endian
 * 64-bit word, the rest a fixed non-zero filler (no holes: a hole would
 * cost the host less to read than data).
 */
#define BENCH_BLK_BLOCK 4096u               /* a random read; the stamp's unit */
#define BENCH_BLK_SEQ (1024u * 1024u)       /* a sequential read */
#define BENCH_BLK_SEED 0x9e3779b97f4a7c15ull /* the random sequence's start */
#define BENCH_BLK_QD 32u                    /* requests in flight in the _qd32 row */

/* The next block index of the random sequence, below nblocks (xorshift64:
 * the same sequence on both sides; *x must start non-zero). */
static inline uint64_t bench_blk_next(uint64_t *x, uint64_t nblocks)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x % nblocks;
}

/* The set names as strings, for the programs' `set=` argument. */
#define BENCH_SET_NAME(set) #set

#endif /* BENCH_WORKLOADS_H */
