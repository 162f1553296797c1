/* SPDX-License-Identifier: MIT */
/*
 * sysfuzz: the in-guest system call fuzzer.
 *
 *	init.run=sysfuzz [sysfuzz.iterations=N] [sysfuzz.seed=S]   the driver
 *	sysfuzz role=worker seed=S                                  one worker
 *
 * The driver runs workers one after another until N calls (default 100000)
 * have been made. A worker may end itself legitimately (it holds its own
 * process handle, so it can unmap its code or kill itself); one that stops
 * making progress for about a second is killed. Every worker gets a new
 * seed derived from S, so a run is repeatable. The result is one KTAP case,
 * `sysfuzz`; the real verdict is that the kernel neither panics nor reports
 * undefined behaviour meanwhile (the host runner watches for both).
 */
#include "fuzz.h"

#define DEFAULT_ITERATIONS 100000ULL
#define DEFAULT_SEED 0x5eedULL
#define WORKER_BUDGET (2ULL << 20)
#define POLL_NS 10000000ULL      /* 10 ms */
#define SETTLE_POLLS 1000u /* 10 ms each: how long the kernel may take to free an ended worker */
#define STALL_POLLS 100u         /* ~1 s without progress */
#define REAP_POLLS 1000u
#define MAX_STEP (1ULL << 24)    /* more calls than this in one poll: a garbage counter */
#define MAX_IDLE_WORKERS 50u     /* workers in a row that made no call */
#define REPORTS 10u              /* worker endings described in detail */
#define WORKER_QUOTA 5000u       /* then a fresh worker: most of its handles are stale by then */

struct run {
	uint64_t want, seed;
	fe_handle_t counter;
	struct fuzz_page *page;
	uint64_t done, workers, faults, self_kills, stalls, exits, retired, idle_in_row;
	uint64_t status[FUZZ_STATUSES], made[FUZZ_NRS], ok[FUZZ_NRS]; /* summed over workers */
	uint64_t mutated, mutated_ok, random, random_ok;
	uint64_t group_leaks; /* workers whose group still held memory or processes after them */
	fe_handle_t group_empty; /* each worker's group signals it once empty */
	bool broken; /* the driver itself failed: the result is "not ok" */
};

static uint64_t worker_seed(const struct run *r)
{
	uint64_t x = r->seed + (r->workers + 1) * 0x9e3779b97f4a7c15ULL;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

/* Only a console handle that cannot write (random bytes stay off the serial
 * line), the trace capability with READ alone (so the statistics calls get
 * past their lookup), the counter page and a resource group of its own
 * (ADR 0012) that it may make subgroups and processes in; a small budget
 * and a lower priority. */
static fe_status_t start_worker(const struct run *r, uint64_t seed, fe_handle_t group,
                                fe_handle_t *proc)
{
	char seed_arg[32];
	const char *argv[] = { "sysfuzz", "role=worker", seed_arg, NULL };
	struct fe_spawn_args a = { .path = "sysfuzz", .argv = argv, .budget = WORKER_BUDGET,
	                           .priority = FUZZ_WORKER_PRIORITY, .group = group };

	snprintf(seed_arg, sizeof(seed_arg), "seed=%llu", (unsigned long long)seed);
	a.handles[FE_START_CONSOLE] = fe_console;
	a.rights[FE_START_CONSOLE] = FE_RIGHT_DUPLICATE | FE_RIGHT_TRANSFER;
	a.handles[FE_START_TRACE] = fe_start_handle(FE_START_TRACE); /* none: FE_HANDLE_INVALID */
	a.rights[FE_START_TRACE] = FE_RIGHT_READ;
	a.handles[FE_START_PCI_ROOT] = fe_start_handle(FE_START_PCI_ROOT); /* none without ECAM */
	a.rights[FE_START_PCI_ROOT] = FE_RIGHT_READ | FE_RIGHT_MANAGE;
	a.handles[FE_START_GROUP] = group;
	a.rights[FE_START_GROUP] = FE_RIGHT_READ | FE_RIGHT_MANAGE | FE_RIGHT_DUPLICATE;
	a.handles[FE_START_USER0] = r->counter;
	a.rights[FE_START_USER0] = FE_RIGHT_READ | FE_RIGHT_WRITE | FE_RIGHT_MAP;
	return fe_spawn(&a, proc);
}

/* The worker's count, if it moved forward plausibly since `seen`. */
static uint64_t progress(const struct run *r, uint64_t seen)
{
	uint64_t now = r->page->calls;

	return now > seen && now - seen < MAX_STEP ? now : seen;
}

static void report_ending(struct run *r, uint64_t seed, const struct fe_exit_status *st,
			  uint64_t calls)
{
	const volatile uint64_t *a = r->page->args;

	if (r->faults + r->self_kills > REPORTS)
		return;
	printf("# worker %llu (seed=%llu) %s", (unsigned long long)r->workers,
	       (unsigned long long)seed, st->reason == FE_EXIT_FAULT ? "faulted" : "killed itself");
	if (st->reason == FE_EXIT_FAULT)
		printf(" (vector %u at %#llx, rip %#llx)", st->vector,
		       (unsigned long long)st->address, (unsigned long long)st->rip);
	printf(" after %llu calls; last call %llu(%#llx, %#llx, %#llx, %#llx, %#llx, %#llx)\n",
	       (unsigned long long)calls, (unsigned long long)r->page->last_nr,
	       (unsigned long long)a[0], (unsigned long long)a[1], (unsigned long long)a[2],
	       (unsigned long long)a[3], (unsigned long long)a[4], (unsigned long long)a[5]);
}

/* Sorts out how a worker ended (st) after `calls` calls. */
static void account(struct run *r, uint64_t seed, const struct fe_exit_status *st, uint64_t calls)
{
	r->idle_in_row = calls ? 0 : r->idle_in_row + 1;
	if (st->reason == FE_EXIT_FAULT || st->reason == FE_EXIT_KILLED) {
		r->faults += st->reason == FE_EXIT_FAULT;
		r->self_kills += st->reason == FE_EXIT_KILLED;
		report_ending(r, seed, st, calls);
	} else {
		r->exits++;
		if (calls == 0)
			printf("# worker %llu (seed=%llu) exited with %lld before any call\n",
			       (unsigned long long)r->workers, (unsigned long long)seed,
			       (long long)st->code);
	}
}

/* Polls the worker until it ends, stalls, or the total is reached; *calls = its count. */
static fe_status_t watch(struct run *r, fe_handle_t p, struct fe_exit_status *st, uint64_t *calls)
{
	fe_status_t s = FE_ERR_WOULD_BLOCK;
	unsigned idle = 0;

	while (s == FE_ERR_WOULD_BLOCK && r->done + *calls < r->want && *calls < WORKER_QUOTA &&
	       idle < STALL_POLLS) {
		if (fe_thread_sleep(POLL_NS) != FE_OK)
			r->broken = true;
		uint64_t now = progress(r, *calls);
		idle = now == *calls ? idle + 1 : 0;
		*calls = now;
		s = fe_process_wait(p, st, FE_NONBLOCK);
	}
	if (s == FE_ERR_WOULD_BLOCK && idle >= STALL_POLLS)
		r->stalls++;
	else if (s == FE_ERR_WOULD_BLOCK && *calls >= WORKER_QUOTA)
		r->retired++;
	return s;
}

/* Kills a worker that is still running and waits (bounded) for it to end. */
static void stop(struct run *r, fe_handle_t p, struct fe_exit_status *st)
{
	fe_status_t s = fe_process_kill(p);

	if (s != FE_OK && s != FE_ERR_BAD_STATE)
		r->broken = true;
	s = fe_process_wait(p, st, FE_NONBLOCK);
	for (unsigned i = 0; i < REAP_POLLS && s == FE_ERR_WOULD_BLOCK; i++)
		if (fe_thread_sleep(1000000) == FE_OK)
			s = fe_process_wait(p, st, FE_NONBLOCK);
	if (s != FE_OK) {
		printf("# a killed worker did not end: %s\n", fe_status_name(s));
		r->broken = true;
	}
}

/* A worker's group, once the worker and its handle are gone: nothing of it
 * may be left once its last process has finished (children the worker
 * started may still be running their exit: the group's empty notification
 * says when they are done), then the group goes. */
static void retire_group(struct run *r, fe_handle_t g, fe_handle_t empty)
{
	struct fe_group_info gi = { 0 };
	uint64_t bits;

	for (unsigned i = 0; i < SETTLE_POLLS && fe_group_info(g, &gi) == FE_OK && gi.processes; i++)
		(void)fe_notif_wait_timeout(empty, &bits, POLL_NS);
	if (fe_group_info(g, &gi) != FE_OK) {
		r->broken = true;
	} else if (gi.memory_used != 0 || gi.processes != 0 || gi.threads != 0) {
		if (r->group_leaks++ < REPORTS)
			printf("# worker %llu's group: %llu bytes, %u processes, %u threads left\n",
			       (unsigned long long)r->workers, (unsigned long long)gi.memory_used,
			       gi.processes, gi.threads);
	}
	if (fe_handle_delete(g) != FE_OK)
		r->broken = true;
}

static void drive_one(struct run *r)
{
	const struct fe_group_limits lim = { .memory = 2 * WORKER_BUDGET, .processes = 64,
	                                     .threads = 256 };
	uint64_t seed = worker_seed(r), calls = 0;
	struct fe_exit_status st = { 0 };
	fe_handle_t p, g = FE_HANDLE_INVALID;
	fe_status_t s;

	memset((void *)r->page, 0, PAGE);
	if ((s = fe_group_create(fe_start_handle(FE_START_GROUP), &lim, r->group_empty, 0, &g)) !=
	        FE_OK ||
	    (s = start_worker(r, seed, g, &p)) != FE_OK) {
		printf("# cannot start a worker: %s\n", fe_status_name(s));
		if (g != FE_HANDLE_INVALID)
			(void)fe_handle_delete(g);
		r->broken = true;
		return;
	}
	r->workers++;
	s = watch(r, p, &st, &calls);
	if (s == FE_ERR_WOULD_BLOCK)
		stop(r, p, &st); /* stalled, or the total is reached */
	else if (s == FE_OK) {
		calls = progress(r, calls); /* what it did since the last poll */
		account(r, seed, &st, calls);
	} else
		r->broken = true;
	if (fe_handle_delete(p) != FE_OK)
		r->broken = true;
	retire_group(r, g, r->group_empty);
	r->done += calls;
	for (unsigned i = 0; i < FUZZ_STATUSES; i++)
		r->status[i] += r->page->status[i];
	for (unsigned i = 0; i < FUZZ_NRS; i++) {
		r->made[i] += r->page->made[i];
		r->ok[i] += r->page->ok[i];
	}
	r->mutated += r->page->mutated;
	r->mutated_ok += r->page->mutated_ok;
	r->random += r->page->random;
	r->random_ok += r->page->random_ok;
}

static uint64_t arg_value(int argc, char **argv, const char *key, uint64_t dflt)
{
	size_t n = strlen(key);
	uint64_t v = dflt;

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=' &&
		    fe_parse_u64(argv[i] + n + 1, &v) != FE_OK)
			printf("# sysfuzz: %s: not a number, using %llu\n", argv[i],
			       (unsigned long long)dflt);
	return v;
}

static uint64_t pct10(uint64_t part, uint64_t whole)
{
	return whole ? part * 1000 / whole : 0;
}

/* Results by status, then one row per family (calls, successes, share) with
 * its calls by number; one KTAP case per family: it must have succeeded. */
static unsigned print_families(const struct run *r, unsigned n)
{
	uint64_t all = 0, all_ok = 0;

	printf("# sysfuzz: results:");
	for (unsigned i = 0; i < FUZZ_STATUSES; i++)
		if (r->status[i])
			printf(" %s=%llu",
			       i + 1 < FUZZ_STATUSES ? fe_status_name((fe_status_t) - (int)i)
						     : "other",
			       (unsigned long long)r->status[i]);
	printf("\n# family          calls  successes  share   by call: number=successes/calls\n");
	for (unsigned f = 0; f < fuzz_nfamilies; f++) {
		const struct fuzz_family *fam = &fuzz_families[f];
		uint64_t calls = 0, ok = 0;
		for (unsigned k = 0; k < fam->n; k++) {
			calls += r->made[fam->nrs[k]];
			ok += r->ok[fam->nrs[k]];
		}
		all += calls, all_ok += ok;
		printf("# %-12s %9llu  %9llu  %3llu.%llu%% ", fam->name, (unsigned long long)calls,
		       (unsigned long long)ok, (unsigned long long)pct10(ok, calls) / 10,
		       (unsigned long long)pct10(ok, calls) % 10);
		for (unsigned k = 0; k < fam->n; k++)
			printf(" %llu=%llu/%llu", (unsigned long long)fam->nrs[k],
			       (unsigned long long)r->ok[fam->nrs[k]],
			       (unsigned long long)r->made[fam->nrs[k]]);
		printf("\n%s %u family-%s\n", ok > 0 || !fam->must_succeed ? "ok" : "not ok", ++n,
		       fam->name);
	}
	printf("# %-12s %9llu  %9llu  %3llu.%llu%%  (one argument corrupted)\n", "mutated",
	       (unsigned long long)r->mutated, (unsigned long long)r->mutated_ok,
	       (unsigned long long)pct10(r->mutated_ok, r->mutated) / 10,
	       (unsigned long long)pct10(r->mutated_ok, r->mutated) % 10);
	printf("# %-12s %9llu  %9llu  %3llu.%llu%%  (any number, any arguments)\n", "random",
	       (unsigned long long)r->random, (unsigned long long)r->random_ok,
	       (unsigned long long)pct10(r->random_ok, r->random) / 10,
	       (unsigned long long)pct10(r->random_ok, r->random) % 10);
	all += r->random, all_ok += r->random_ok;
	printf("# sysfuzz: %llu of %llu calls succeeded (%llu.%llu%%)\n", (unsigned long long)all_ok,
	       (unsigned long long)all, (unsigned long long)pct10(all_ok, all) / 10,
	       (unsigned long long)pct10(all_ok, all) % 10);
	return n;
}

/* ---- the leak check ---- */


static bool stats(struct fe_kernel_stats *ks)
{
	fe_handle_t tr = fe_start_handle(FE_START_TRACE);

	return tr != FE_HANDLE_INVALID && fe_kernel_stats(tr, ks) == FE_OK;
}

/* Frames not free and not held by the slab caches (which keep an empty slab). */
static uint64_t frames_used(const struct fe_kernel_stats *ks)
{
	return ks->frames_total - ks->frames_free - ks->kheap_frames;
}

/*
 * The one slack: kernel stacks live in 8-page slots of the kernel's vmap
 * area, lowest free first, and the page tables behind them are never freed.
 * When more threads are alive at once than ever before (a killed worker's
 * threads still ending while the next one starts), a slot past the old
 * high-water mark may need a new page table: one frame per 64 slots. The
 * workers have at most ~20 threads each, so a run grows it by one or two.
 */
#define FRAME_SLACK 2u

static bool same_counts(const struct fe_kernel_stats *a, const struct fe_kernel_stats *b)
{
	return a->processes == b->processes && a->threads == b->threads && a->handles == b->handles &&
	       a->objects == b->objects && a->kheap_objects == b->kheap_objects &&
	       frames_used(b) >= frames_used(a) && frames_used(b) - frames_used(a) <= FRAME_SLACK;
}

/* Waits (bounded) for the counts to equal `want`'s, or for processes to
 * reach want->processes if only_processes; *now gets the last reading. A
 * worker's children may still be on their way out (a thread that exits at
 * once may not have run yet), so this polls; the verdict is on counts. */
static void settle(const struct fe_kernel_stats *want, bool only_processes,
		   struct fe_kernel_stats *now)
{
	for (unsigned i = 0; i < SETTLE_POLLS; i++) {
		if (!stats(now) ||
		    (only_processes ? now->processes == want->processes : same_counts(now, want)))
			return;
		(void)fe_thread_sleep(POLL_NS);
	}
}

static void print_counts(const char *what, const struct fe_kernel_stats *ks)
{
	printf("# sysfuzz: %-8s processes %llu threads %llu handles %llu objects %llu "
	       "heap objects %llu frames in use %llu (free %llu, slab %llu)\n",
	       what, (unsigned long long)ks->processes, (unsigned long long)ks->threads,
	       (unsigned long long)ks->handles, (unsigned long long)ks->objects,
	       (unsigned long long)ks->kheap_objects,
	       (unsigned long long)frames_used(ks), (unsigned long long)ks->frames_free,
	       (unsigned long long)ks->kheap_frames);
}

/*
 * Everything the workers made must be gone once they are: processes,
 * threads, handles and kernel heap objects exactly; frames exactly once the
 * frames the slab caches hold are set aside (a cache keeps one empty slab
 * for reuse, and grows to the most objects it ever held at once). The
 * baseline is taken after a warm-up worker, so that the driver's own one-off
 * growth (its heap, its page tables, the ramdisk mapping and the image cache
 * fe_spawn makes on first use) is in it.
 */
static bool check_leaks(const struct fe_kernel_stats *start, const struct fe_kernel_stats *base,
			uint64_t cached, bool groups_ok, unsigned n)
{
	struct fe_kernel_stats after = { 0 };

	settle(base, false, &after);
	print_counts("start", start);
	print_counts("baseline", base);
	print_counts("after", &after);
	/* The warm-up worker's processes and handles must be gone too, but for
	 * the handles of the read-only segments fe_spawn now keeps (`cached`). */
	bool warm_ok = base->processes == start->processes &&
	               base->handles == start->handles + cached;
	bool ok = warm_ok && groups_ok && same_counts(base, &after);
	if (!warm_ok)
		printf("# sysfuzz: LEAK in the warm-up: processes %lld handles %lld more than at the "
		       "start\n",
		       (long long)(base->processes - start->processes),
		       (long long)(base->handles - start->handles));
	if (!same_counts(base, &after))
		printf("# sysfuzz: LEAK (after minus baseline): processes %lld threads %lld handles "
		       "%lld objects %lld heap objects %lld frames %lld\n",
		       (long long)(after.processes - base->processes),
		       (long long)(after.threads - base->threads),
		       (long long)(after.handles - base->handles),
		       (long long)(after.objects - base->objects),
		       (long long)(after.kheap_objects - base->kheap_objects),
		       (long long)(frames_used(&after) - frames_used(base)));
	printf("%s %u leaks\n", ok ? "ok" : "not ok", n);
	return ok;
}

static int driver(int argc, char **argv)
{
	struct run r = { .want = arg_value(argc, argv, "iterations", DEFAULT_ITERATIONS),
	                 .seed = arg_value(argc, argv, "seed", DEFAULT_SEED) };
	struct fe_kernel_stats start = { 0 }, base = { 0 };
	bool have_stats = stats(&start);
	void *va;

	printf("KTAP version 1\n1..%u\n", fuzz_nfamilies + 1 + (have_stats ? 1 : 0));
	printf("# sysfuzz: seed %llu, %llu calls (rerun: sysfuzz.seed=%llu)\n",
	       (unsigned long long)r.seed, (unsigned long long)r.want, (unsigned long long)r.seed);
	if (fe_map_new(PAGE, FE_VM_READ | FE_VM_WRITE, &r.counter, &va) != FE_OK ||
	    fe_notif_create(&r.group_empty) != FE_OK) {
		printf("# sysfuzz: no memory for the counter page\nnot ok 1 sysfuzz\n");
		return 1;
	}
	r.page = va;
	if (have_stats)
		(void)stats(&start); /* with the counter page */
	struct fe_spawn_image_stats img0, img1;
	fe_spawn_image_stats(&img0);
	drive_one(&r); /* the warm-up: then the baseline, once it is gone */
	fe_spawn_image_stats(&img1);
	if (have_stats)
		settle(&start, true, &base);
	while (r.done < r.want && !r.broken && r.idle_in_row < MAX_IDLE_WORKERS)
		drive_one(&r);
	bool ok = r.done >= r.want && !r.broken && fe_null() == FE_OK;
	uint64_t ended = r.faults + r.self_kills + r.stalls;
	printf("# sysfuzz: %llu syscalls, %llu workers, %llu faults/kills, seed %llu\n",
	       (unsigned long long)r.done, (unsigned long long)r.workers, (unsigned long long)ended,
	       (unsigned long long)r.seed);
	printf("# sysfuzz: %llu faulted, %llu killed themselves, %llu stalled and were killed, "
	       "%llu exited, %llu retired after %u calls\n",
	       (unsigned long long)r.faults, (unsigned long long)r.self_kills,
	       (unsigned long long)r.stalls, (unsigned long long)r.exits,
	       (unsigned long long)r.retired, WORKER_QUOTA);
	printf("%s 1 sysfuzz\n", ok ? "ok" : "not ok");
	unsigned n = print_families(&r, 1);
	bool families_ok = true;
	for (unsigned f = 0; f < fuzz_nfamilies; f++) {
		uint64_t k = 0;
		for (unsigned j = 0; j < fuzz_families[f].n; j++)
			k += r.ok[fuzz_families[f].nrs[j]];
		families_ok &= k > 0 || !fuzz_families[f].must_succeed;
	}
	if (r.group_leaks)
		printf("# sysfuzz: LEAK: %llu workers' groups held memory or processes after them\n",
		       (unsigned long long)r.group_leaks);
	bool leaks_ok = !have_stats || check_leaks(&start, &base, img1.segments - img0.segments,
	                                           r.group_leaks == 0, n + 1);
	return ok && families_ok && leaks_ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	uint64_t seed;

	if (argc > 1 && strcmp(argv[1], "role=worker") == 0) {
		if (argc < 3 || strncmp(argv[2], "seed=", 5) != 0 ||
		    fe_parse_u64(argv[2] + 5, &seed) != FE_OK)
			return FUZZ_BAD_ARGS;
		return fuzz_worker_main(seed);
	}
	return driver(argc, argv);
}
