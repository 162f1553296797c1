/* SPDX-License-Identifier: MIT */
/*
 * The block rows (set blk) on Linux: the counterparts of user/ubench/blk.c,
 * reading /dev/vda through Linux's in-kernel virtio-blk driver with
 * O_DIRECT (no page cache), one request in flight, into a 1 MiB buffer in a
 * 2 MiB huge page (physically contiguous, like Ferrous's DMA buffer).
 *
 * Debian's cloud kernel builds virtio, virtio_pci and virtio_blk as
 * modules: as PID 1 this loads them from /modules (bench/initramfs.py puts
 * them there, in the load order of /modules/order) and mounts devtmpfs and
 * sysfs. Run by hand on a host it skips: /dev/vda there is not the image.
 * The device's own count of reads (/sys/block/vda/stat) gives the requests
 * each read took.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lbench.h"

#define DISK "/dev/vda"
#define DISK_STAT "/sys/block/vda/stat"
#define MODULES "/modules"
#define HUGE (2u * 1024 * 1024)
#define DEVICE_WAIT_MS 5000

struct disk {
	int fd;              /* DISK, O_RDONLY | O_DIRECT */
	uint8_t *map;        /* HUGE bytes mapped ... */
	uint8_t *buf;        /* ... whose first BENCH_BLK_SEQ are the buffer */
	uint64_t nblocks;    /* whole 4 KiB blocks on the disk */
	uint64_t rng, pos;   /* the random sequence; the next sequential block */
};

/* Loads one module file with finit_module; true if loaded (or already in). */
static bool load_module(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), MODULES "/%s.ko", name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("# blk: %s: %s\n", path, strerror(errno));
		return false;
	}
	long r = syscall(SYS_finit_module, fd, "", 0);
	int e = errno;
	close(fd);
	if (r != 0 && e != EEXIST) {
		printf("# blk: loading %s: %s\n", name, strerror(e));
		return false;
	}
	return true;
}

/* Every module in /modules/order, in that order (each after what it needs). */
static bool load_modules(void)
{
	FILE *f = fopen(MODULES "/order", "r");
	char name[128];
	bool ok = true;

	if (!f) /* a kernel with the drivers built in needs none */
		return true;
	while (ok && fscanf(f, "%127s", name) == 1)
		ok = load_module(name);
	fclose(f);
	return ok;
}

static void mount_once(const char *what, const char *where, const char *type)
{
	mkdir(where, 0755);
	if (mount(what, where, type, 0, NULL) != 0 && errno != EBUSY)
		printf("# blk: mount %s on %s: %s\n", type, where, strerror(errno));
}

/* One 2 MiB huge page for the buffer: transparent huge pages are off on a
 * machine with less than 512 MiB of RAM, as this one is (512 MiB less what
 * the firmware keeps), so the pool of explicit ones gets a page. */
static void reserve_huge_page(void)
{
	int fd = open("/proc/sys/vm/nr_hugepages", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, "1\n", 2) != 2)
		printf("# blk: cannot reserve a huge page: %s\n", strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* The I/O scheduler the kernel chose for the disk (its default), in a # line. */
static void say_scheduler(void)
{
	FILE *f = fopen("/sys/block/vda/queue/scheduler", "r");
	char line[128];

	if (f && fgets(line, sizeof(line), f))
		printf("# blk: vda's I/O scheduler: %s", line);
	if (f)
		fclose(f);
}

/* As PID 1: sysfs on /sys, a huge page reserved, the drivers loaded,
 * devtmpfs on /dev, and the disk's node there (probing is synchronous, but waited for all the same). */
static bool bring_up_disk(void)
{
	mount_once("sysfs", "/sys", "sysfs");
	reserve_huge_page();
	if (!load_modules())
		return false;
	mount_once("devtmpfs", "/dev", "devtmpfs");
	for (int ms = 0; ms < DEVICE_WAIT_MS; ms += 10) {
		if (access(DISK, F_OK) == 0) {
			say_scheduler();
			return true;
		}
		usleep(10000);
	}
	return false;
}

/* Reads completed by the device so far (the first field of its stat). */
static long long disk_reads(void)
{
	FILE *f = fopen(DISK_STAT, "r");
	long long n = -1;

	if (f) {
		if (fscanf(f, "%lld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* d->buf: BENCH_BLK_SEQ bytes in one 2 MiB huge page (physically contiguous,
 * like Ferrous's buffer), or else in ordinary pages; a # line says which. */
static bool huge_buffer(struct disk *d)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	uint8_t *p = mmap(NULL, HUGE, PROT_READ | PROT_WRITE, flags | MAP_HUGETLB, -1, 0);

	if (p == MAP_FAILED) {
		printf("# blk: no huge page (%s): the buffer is in ordinary pages\n", strerror(errno));
		if ((p = mmap(NULL, HUGE, PROT_READ | PROT_WRITE, flags, -1, 0)) == MAP_FAILED)
			return false;
	} else
		printf("# blk: the buffer is in one 2 MiB huge page\n");
	memset(p, 0, HUGE); /* every page present before the first read */
	d->map = d->buf = p;
	return true;
}

/* The disk opened and a buffer, or why not (SKIPPED or FAILED in *r). */
static bool open_disk(struct disk *d, struct result *r)
{
	static bool brought_up;
	uint64_t bytes;

	*d = (struct disk){ .fd = -1, .rng = BENCH_BLK_SEED };
	if (getpid() != 1) {
		*r = skipped("not-the-benchmark-vm");
		return false;
	}
	if (!brought_up && !(brought_up = bring_up_disk())) {
		*r = skipped("no-virtio-blk");
		return false;
	}
	if ((d->fd = open(DISK, O_RDONLY | O_DIRECT | O_CLOEXEC)) < 0 ||
	    ioctl(d->fd, BLKGETSIZE64, &bytes) != 0 || !huge_buffer(d)) {
		*r = failed("opening " DISK);
		return false;
	}
	d->nblocks = bytes / BENCH_BLK_BLOCK;
	if (d->nblocks * BENCH_BLK_BLOCK < BENCH_BLK_SEQ) {
		*r = skipped("disk-too-small");
		return false;
	}
	return true;
}

static void close_disk(struct disk *d)
{
	if (d->map)
		munmap(d->map, HUGE);
	if (d->fd >= 0)
		close(d->fd);
}

/* The blocks at buf hold the stamps of blocks first .. first + n - 1. */
static bool stamps_ok(const uint8_t *buf, uint64_t first, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (*(const volatile uint64_t *)(buf + i * BENCH_BLK_BLOCK) != first + i) {
			printf("# blk: block %llu read back with the stamp of %llu\n",
			       (unsigned long long)(first + i),
			       (unsigned long long)*(const volatile uint64_t *)(buf + i * BENCH_BLK_BLOCK));
			errno = EIO;
			return false;
		}
	return true;
}

static bool rand_batch(void *ctx, unsigned n)
{
	struct disk *d = ctx;

	for (unsigned i = 0; i < n; i++) {
		uint64_t b = bench_blk_next(&d->rng, d->nblocks);
		if (pread(d->fd, d->buf, BENCH_BLK_BLOCK, (off_t)(b * BENCH_BLK_BLOCK)) != BENCH_BLK_BLOCK ||
		    !stamps_ok(d->buf, b, 1))
			return false;
	}
	return true;
}

static bool seq_batch(void *ctx, unsigned n)
{
	struct disk *d = ctx;
	const uint64_t per_read = BENCH_BLK_SEQ / BENCH_BLK_BLOCK;

	for (unsigned i = 0; i < n; i++) {
		if (d->pos + per_read > d->nblocks)
			d->pos = 0; /* wrap at the disk's end */
		if (pread(d->fd, d->buf, BENCH_BLK_SEQ, (off_t)(d->pos * BENCH_BLK_BLOCK)) != BENCH_BLK_SEQ ||
		    !stamps_ok(d->buf, d->pos, per_read))
			return false;
		d->pos += per_read;
	}
	return true;
}

/* Opens, measures fn, closes; the device's reads per operation alongside. */
static struct result blk_run(batch_fn fn, unsigned per_batch)
{
	struct disk d;
	struct result r;

	if (open_disk(&d, &r)) {
		long long before = disk_reads();
		r = measure(fn, &d, per_batch);
		long long after = disk_reads();
		if (r.outcome == DONE && before >= 0 && after >= before)
			r.reqs_per_op = (double)(after - before) / ((double)per_batch * (BENCH_BATCHES + 1));
	}
	close_disk(&d);
	return r;
}

struct result lx_odirect_rand_read_4k(unsigned per_batch)
{
	return blk_run(rand_batch, per_batch);
}

struct result lx_odirect_seq_read_1m(unsigned per_batch)
{
	return blk_run(seq_batch, per_batch);
}

/* Native AIO (no libaio in the static build: the system calls themselves),
 * whose O_DIRECT reads of a block device are asynchronous: BENCH_BLK_QD
 * requests in flight in Linux's driver, as in Ferrous's. */
struct aio_ring_state {
	struct disk d;
	aio_context_t ctx;
	struct iocb cb[BENCH_BLK_QD];
	uint64_t block[BENCH_BLK_QD];
};

/* Prepares slot s's next random read into the buffer's s-th 4 KiB. */
static struct iocb *aio_prepare(struct aio_ring_state *a, unsigned s)
{
	struct iocb *cb = &a->cb[s];

	a->block[s] = bench_blk_next(&a->d.rng, a->d.nblocks);
	*cb = (struct iocb){ .aio_data = s, .aio_lio_opcode = IOCB_CMD_PREAD,
	                     .aio_fildes = (uint32_t)a->d.fd,
	                     .aio_buf = (uint64_t)(uintptr_t)(a->d.buf + (uint64_t)s * BENCH_BLK_BLOCK),
	                     .aio_nbytes = BENCH_BLK_BLOCK,
	                     .aio_offset = (int64_t)(a->block[s] * BENCH_BLK_BLOCK) };
	return cb;
}

/* n random 4 KiB reads, BENCH_BLK_QD in flight: each completion checked and
 * replaced; the replacements for one io_getevents go in one io_submit (as
 * Ferrous's client publishes what it posted in one doorbell). */
static bool aio_batch(void *ctx, unsigned n)
{
	struct aio_ring_state *a = ctx;
	struct io_event ev[BENCH_BLK_QD];
	struct iocb *queue[BENCH_BLK_QD];
	unsigned issued = 0, done = 0;
	long nq = 0;

	for (unsigned s = 0; s < BENCH_BLK_QD && issued < n; s++, issued++)
		queue[nq++] = aio_prepare(a, s);
	while (done < n) {
		if (nq > 0 && syscall(SYS_io_submit, a->ctx, nq, queue) != nq)
			return false;
		nq = 0;
		long got = syscall(SYS_io_getevents, a->ctx, 1L, (long)BENCH_BLK_QD, ev, NULL);
		if (got <= 0)
			return false;
		for (long i = 0; i < got; i++, done++) {
			unsigned s = (unsigned)ev[i].data;
			if (ev[i].res != BENCH_BLK_BLOCK) {
				errno = ev[i].res < 0 ? (int)-ev[i].res : EIO;
				return false;
			}
			if (!stamps_ok(a->d.buf + (uint64_t)s * BENCH_BLK_BLOCK, a->block[s], 1))
				return false;
			if (issued < n) {
				queue[nq++] = aio_prepare(a, s);
				issued++;
			}
		}
	}
	return true;
}

struct result lx_aio_rand_read_4k_qd32(unsigned per_batch)
{
	static struct aio_ring_state a;
	struct result r;

	a = (struct aio_ring_state){ 0 };
	if (open_disk(&a.d, &r)) {
		if (syscall(SYS_io_setup, (long)BENCH_BLK_QD, &a.ctx) != 0) {
			r = failed("io_setup");
		} else {
			long long before = disk_reads();
			r = measure(aio_batch, &a, per_batch);
			long long after = disk_reads();
			if (r.outcome == DONE && before >= 0 && after >= before)
				r.reqs_per_op = (double)(after - before) / ((double)per_batch * (BENCH_BATCHES + 1));
			syscall(SYS_io_destroy, a.ctx);
		}
	}
	close_disk(&a.d);
	return r;
}
