/* SPDX-License-Identifier: MIT */
/*
 * sysfuzz: random system calls from an unprivileged process.
 *
 * The driver (`sysfuzz iterations=N seed=S`) runs workers, copies of itself
 * with only a console handle and a 2 MiB budget, which issue random calls
 * with arguments drawn from their real handles, corrupted handles, small
 * numbers, user and kernel addresses and random words. A worker may end
 * itself legitimately (it holds its own process handle, so it can unmap
 * its code or kill itself): the driver then starts another with a new seed
 * until N calls have been made. Calls that could block get FE_NONBLOCK or
 * a tiny sleep; exits are never called. The kernel must survive all of it
 * (the host runner fails the boot on any panic or UBSan report).
 */
#include <fe/runtime.h>
#include <fe/spawn.h>
#include <fe/sys.h>

#define COUNTER_VA 0x40000000ULL
#define WORKER_BUDGET (2ULL << 20)

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return rng;
}

static fe_handle_t handles[16];
static unsigned nhandles;
static uint64_t scratch; /* two writable pages for pointer arguments */

static void make_objects(void)
{
	fe_handle_t h;
	void *va;

	handles[nhandles++] = fe_self;
	handles[nhandles++] = fe_console;
	if (fe_endpoint_create(&h) == FE_OK)
		handles[nhandles++] = h;
	if (fe_notif_create(&h) == FE_OK)
		handles[nhandles++] = h;
	if (fe_map_new(8192, FE_VM_READ | FE_VM_WRITE, &h, &va) == FE_OK) {
		handles[nhandles++] = h;
		scratch = (uint64_t)(uintptr_t)va;
	}
	if (fe_process_create("victim", 6, 256 << 10, &h) == FE_OK)
		handles[nhandles++] = h;
}

static uint64_t random_arg(void)
{
	static const uint64_t special[] = {
		0, 1, 4096, 0x10000, 0x400000, 0x100000000ULL, 0x7fff00000000ULL - 4096,
		0x7ffffffff000ULL, 0x800000000000ULL, 0xffff800000000000ULL, 0xffffffff80000000ULL,
		~0ULL, FE_NONBLOCK, FE_VM_READ | FE_VM_WRITE, FE_VM_EXEC,
	};
	uint64_t r = next();

	switch (r % 6) {
	case 0: return handles[(r >> 8) % nhandles];
	case 1: return handles[(r >> 8) % nhandles] ^ (1ULL << ((r >> 16) % 64));
	case 2: return (r >> 8) % 64;
	case 3: return special[(r >> 8) % (sizeof(special) / sizeof(special[0]))];
	case 4: return scratch + ((r >> 8) % 2) * 4096;
	default: return next();
	}
}

/* One random call, made unable to block forever or to exit. */
static void one_call(void)
{
	uint64_t nr = next() % (FE_SYS_COUNT + 4), a[6];

	for (int i = 0; i < 6; i++)
		a[i] = random_arg();
	switch (nr) {
	case FE_SYS_PROCESS_EXIT:
	case FE_SYS_THREAD_EXIT:
		return;
	case FE_SYS_CALL: /* would block unless a receiver waits: send only to the victim's EP copy */
		if (next() % 4)
			return;
		a[0] = handles[2];
		break;
	case FE_SYS_RECV:
	case FE_SYS_PROCESS_WAIT:
		a[nr == FE_SYS_RECV ? 1 : 2] = FE_NONBLOCK;
		break;
	case FE_SYS_NOTIF_WAIT:
		a[1] = FE_NONBLOCK;
		break;
	case FE_SYS_REPLY_RECV:
		return;
	case FE_SYS_THREAD_SLEEP:
		a[0] %= 1000;
		break;
	case FE_SYS_VMO_CREATE:
		a[0] %= 1 << 20;
		break;
	}
	fe_syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static int worker(uint64_t seed)
{
	volatile uint64_t *counter = (volatile uint64_t *)COUNTER_VA;

	rng = seed | 1;
	if (fe_vm_map(fe_self, fe_start_info->handles[FE_START_USER0], 0, COUNTER_VA, 4096,
	              FE_VM_READ | FE_VM_WRITE) != FE_OK)
		return 2;
	make_objects();
	for (;;) {
		one_call();
		(*counter)++;
	}
}

static fe_status_t start_worker(fe_handle_t counter, uint64_t seed, fe_handle_t *proc)
{
	char seed_arg[32];
	const char *argv[] = { "sysfuzz", "role=worker", seed_arg, NULL };
	struct fe_spawn_args a = { .path = "sysfuzz", .argv = argv, .budget = WORKER_BUDGET,
	                           .priority = FE_PRIORITY_DEFAULT - 1 };

	snprintf(seed_arg, sizeof(seed_arg), "%llu", (unsigned long long)seed);
	a.handles[FE_START_CONSOLE] = fe_console;
	a.handles[FE_START_USER0] = counter;
	return fe_spawn(&a, proc);
}

static uint64_t arg_value(int argc, char **argv, const char *key, uint64_t dflt)
{
	size_t n = strlen(key);
	uint64_t v = dflt;

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=')
			fe_parse_u64(argv[i] + n + 1, &v);
	return v;
}

/* Runs one worker until it ends, stalls, or the total is reached. */
static uint64_t drive_one(fe_handle_t counter, volatile uint64_t *count, uint64_t seed,
                          uint64_t want, uint64_t *ended)
{
	fe_handle_t p;
	struct fe_exit_status st;
	uint64_t last = *count;
	int stalls = 0;

	*count = 0;
	if (start_worker(counter, seed, &p) != FE_OK)
		return 0;
	while (*count < want && stalls < 50) {
		fe_thread_sleep(20000000);
		if (fe_process_wait(p, &st, FE_NONBLOCK) == FE_OK)
			break;
		stalls = *count == last ? stalls + 1 : 0;
		last = *count;
	}
	if (fe_process_wait(p, &st, FE_NONBLOCK) == FE_OK)
		(*ended)++;
	else
		fe_process_kill(p);
	fe_handle_delete(p);
	return *count;
}

int main(int argc, char **argv)
{
	fe_handle_t counter;
	void *va;

	if (argc > 2 && strcmp(argv[1], "role=worker") == 0) {
		uint64_t seed = 1;
		fe_parse_u64(argv[2], &seed);
		return worker(seed);
	}
	uint64_t want = arg_value(argc, argv, "iterations", 100000);
	uint64_t seed = arg_value(argc, argv, "seed", 0x5eed);
	uint64_t done = 0, workers = 0, ended = 0;
	if (fe_map_new(4096, FE_VM_READ | FE_VM_WRITE, &counter, &va) != FE_OK)
		return 1;
	while (done < want && workers < 10000) {
		done += drive_one(counter, va, seed + workers * 7919, want - done, &ended);
		workers++;
	}
	printf("# sysfuzz: %llu syscalls, %llu workers, %llu ended themselves, seed %llu\n",
	       (unsigned long long)done, (unsigned long long)workers, (unsigned long long)ended,
	       (unsigned long long)seed);
	printf("KTAP version 1\n1..1\n%sok 1 sysfuzz\n", done >= want ? "" : "not ");
	return done >= want ? 0 : 1;
}
