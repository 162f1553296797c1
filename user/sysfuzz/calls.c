/* SPDX-License-Identifier: MIT */
/*
 * One random system call: a random number in [0, FE_SYS_COUNT + 4) and six
 * arguments drawn from a mix of the worker's real handles, corrupted
 * handles, small numbers, user and kernel addresses, NULL, flag-like
 * constants and random words. Calls that end the caller are never made, and
 * calls that could block are made non-blocking, shortened or skipped; calls
 * that would cut the worker's own machinery (its partner threads' handles,
 * its IPC buffer) are skipped, and so is the one pattern that leaks today
 * (see tame()).
 */
#include "fuzz.h"

#define LOW_4G 0x100000000ULL
#define PLAY_VA 0x20000000ULL /* mappings the shaped calls make */

static uint64_t rng = 1;

void fuzz_seed(uint64_t seed)
{
	rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

/* xorshift64*: fast, and the same sequence for the same seed. */
uint64_t fuzz_rand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t pick(const uint64_t *v, size_t n)
{
	return v[fuzz_rand() % n];
}

static fe_handle_t real_handle(const struct fuzz_pool *p)
{
	return p->o[fuzz_rand() % p->n].h;
}

/* A near miss: wrong generation, another index, one flipped bit, or noise. */
static uint64_t corrupt_handle(const struct fuzz_pool *p)
{
	fe_handle_t h = real_handle(p);
	uint64_t r = fuzz_rand();

	switch (r % 4) {
	case 0: return FE_HANDLE_MAKE(FE_HANDLE_INDEX(h), FE_HANDLE_GEN(h) + 1 + (r >> 8) % 3);
	case 1: return FE_HANDLE_MAKE((r >> 8) % 64, FE_HANDLE_GEN(h));
	case 2: return h ^ (1ULL << ((r >> 8) % 64));
	default: return FE_HANDLE_MAKE(r >> 8, r >> 32);
	}
}

/* Page-aligned (mostly) addresses in the user half: ours, the program's, holes. */
static uint64_t user_address(const struct fuzz_pool *p)
{
	const uint64_t v[] = {
		p->scratch, p->scratch + PAGE, p->scratch + 2 * PAGE - 8, p->scratch + PAGE - 4,
		0x400000, 0x401000, FE_STACK_TOP - 2 * PAGE, FE_STACK_TOP - FE_STACK_SIZE,
		FE_USER_BASE, FE_USER_TOP - PAGE, CODE_VA, LOW_4G,
		FE_USER_BASE + (fuzz_rand() % (LOW_4G / PAGE)) * PAGE,
	};
	return pick(v, ARRAY_SIZE(v));
}

static uint64_t kernel_address(void)
{
	const uint64_t v[] = {
		0xffff800000000000ULL, 0xffffffff80000000ULL,
		0x0000800000000000ULL, 0xfffffffffffff000ULL,
		FE_USER_TOP,	       0xffff800000000000ULL + (fuzz_rand() % 65536) * PAGE,
	};
	return pick(v, ARRAY_SIZE(v));
}

static uint64_t constant(void)
{
	static const uint64_t v[] = {
		FE_NONBLOCK,
		FE_RIGHTS_ALL,
		FE_RIGHT_READ | FE_RIGHT_WRITE | FE_RIGHT_MAP,
		FE_VM_READ,
		FE_VM_READ | FE_VM_WRITE,
		FE_VM_READ | FE_VM_EXEC,
		FE_VM_WRITE | FE_VM_EXEC,
		PAGE,
		2 * PAGE,
		1ULL << 30,
		(1ULL << 30) + 1,
		FE_PRIORITY_MAX,
		FE_PRIORITY_DEFAULT,
		FE_MSG_INFO(1, 4, 0),
		FE_MSG_INFO(2, 64, 0),
		FE_MSG_INFO(3, 0, 1),
		FE_MSG_INFO(4, 65, 5),
		4096 + 1,
		~0ULL,
		1ULL << 63,
		0x7fffffff,
		0x80000000,
	};
	return pick(v, ARRAY_SIZE(v));
}

static uint64_t random_arg(const struct fuzz_pool *p)
{
	uint64_t r = fuzz_rand() % 20;

	if (r < 5)
		return real_handle(p);
	if (r < 7)
		return corrupt_handle(p);
	if (r < 11)
		return fuzz_rand() % 64;
	if (r < 14)
		return user_address(p);
	if (r < 15)
		return kernel_address();
	if (r < 16)
		return 0;
	if (r < 18)
		return constant();
	return fuzz_rand();
}

/* A page-aligned address in a window nothing else of ours lives in. */
static uint64_t play_va(void)
{
	return PLAY_VA + (fuzz_rand() % 64) * PAGE;
}

/*
 * Arguments that get past the first checks of some calls, so their deeper
 * paths run too; everything not set here stays random.
 */
static void shape(const struct fuzz_pool *p, uint64_t nr, uint64_t *a)
{
	static const uint64_t prots[] = {FE_VM_READ, FE_VM_READ | FE_VM_WRITE,
					 FE_VM_READ | FE_VM_EXEC};
	uint64_t r = fuzz_rand();

	switch (nr) {
	case FE_SYS_VM_MAP: /* (process, memory, offset, va, len, prot) */
		a[2] = (r % 4) * PAGE;
		a[3] = play_va();
		a[4] = (1 + (r >> 8) % 4) * PAGE;
		a[5] = prots[(r >> 16) % ARRAY_SIZE(prots)];
		break;
	case FE_SYS_VM_UNMAP: /* (process, va, len) */
		a[1] = play_va();
		a[2] = (1 + r % 8) * PAGE;
		break;
	case FE_SYS_VMO_CREATE: /* (size, out, flags): known flags half the time */
		if (r % 2)
			a[2] = (r >> 8) % 2 ? FE_VMO_CONTIGUOUS : 0;
		break;
	case FE_SYS_VMO_READ: /* (vmo, offset, buf, len) */
	case FE_SYS_VMO_WRITE:
		a[1] = r % (4 * PAGE);
		a[2] = p->scratch + (r >> 16) % PAGE;
		a[3] = (r >> 32) % PAGE;
		break;
	case FE_SYS_HANDLE_DUP:   /* (h, rights, badge, out) */
	case FE_SYS_HANDLE_GRANT: /* (process, h, rights, out) */
		a[nr == FE_SYS_HANDLE_DUP ? 1 : 2] = r & FE_RIGHTS_ALL;
		a[3] = p->scratch + 8 * ((r >> 16) % 4);
		break;
	case FE_SYS_CPU_STATS:  /* (trace, index, out): indices around the last CPU and node */
	case FE_SYS_NODE_STATS:
		a[1] = r % 3;
		a[2] = p->scratch + 8 * ((r >> 8) % (PAGE / 8));
		break;
	case FE_SYS_PROCESS_CREATE: /* (name, len, budget, out) */
		a[0] = p->scratch;
		a[1] = 1 + r % 31;
		a[2] = PAGE * (1 + (r >> 8) % 64);
		a[3] = p->scratch;
		break;
	default:
		break;
	}
}

static bool info_of(uint64_t h, struct fe_handle_info *info)
{
	return fe_handle_info(h, info) == FE_OK;
}

static bool in_pool(const struct fuzz_pool *p, uint64_t h)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->o[i].h == h)
			return true;
	return false;
}

/* A call on an endpoint blocks until someone receives: only our server does. */
static bool call_would_hang(const struct fuzz_pool *p, uint64_t ep)
{
	struct fe_handle_info info;

	return info_of(ep, &info) && info.type == FE_OBJ_ENDPOINT && info.koid != p->srv_koid;
}

/* A receive blocks until someone calls: only our client does. */
static bool recv_would_hang(const struct fuzz_pool *p, uint64_t ep)
{
	struct fe_handle_info info;

	return info_of(ep, &info) && info.type == FE_OBJ_ENDPOINT && info.koid != p->cli_koid;
}

/* Adjusts the arguments of calls that could block; true if the call must be skipped. */
static bool tame(const struct fuzz_pool *p, uint64_t nr, uint64_t *a)
{
	switch (nr) {
	case FE_SYS_PROCESS_EXIT:
	case FE_SYS_THREAD_EXIT:
		return true;
	case FE_SYS_HANDLE_DELETE: /* the pool's entries and the partners' handles stay */
	case FE_SYS_HANDLE_REVOKE:
		return fuzz_protected(p, a[0]) || (nr == FE_SYS_HANDLE_DELETE && in_pool(p, a[0]));
	case FE_SYS_CALL:
		return call_would_hang(p, a[0]);
	case FE_SYS_REPLY_RECV: /* its receive half waits for a caller */
		return recv_would_hang(p, a[0]);
	case FE_SYS_RECV:
		if (recv_would_hang(p, a[0]))
			a[1] = FE_NONBLOCK;
		return false;
	case FE_SYS_NOTIF_WAIT:
		a[1] = FE_NONBLOCK;
		return false;
	case FE_SYS_PROCESS_WAIT:
		a[2] = FE_NONBLOCK;
		return false;
	case FE_SYS_THREAD_SLEEP:
		a[0] %= 100000; /* under 0.1 ms */
		return false;
	default:
		return false;
	}
}

void fuzz_record_start(struct fuzz_page *page, uint64_t nr, const uint64_t *a)
{
	page->last_nr = nr;
	for (int i = 0; i < 6; i++)
		page->args[i] = a[i];
}

void fuzz_record_status(struct fuzz_page *page, int64_t st)
{
	page->calls++;
	page->status[st <= 0 && st > -FUZZ_STATUSES ? -st : FUZZ_STATUSES - 1]++;
}

bool fuzz_random_call(struct fuzz_pool *pool, struct fuzz_page *page)
{
	uint64_t nr = fuzz_rand() % (FE_SYS_COUNT + 4), a[6];

	for (int i = 0; i < 6; i++)
		a[i] = random_arg(pool);
	/* Most calls name their object first (and grant, map and bind a second
	 * one): real handles there get past the lookup to the checks behind it. */
	if (fuzz_rand() % 2 == 0)
		a[0] = real_handle(pool);
	if (fuzz_rand() % 4 == 0)
		a[1] = real_handle(pool);
	if (fuzz_rand() % 2 == 0)
		shape(pool, nr, a);
	if (tame(pool, nr, a))
		return false;
	fuzz_record_start(page, nr, a);
	int64_t st = (int64_t)fe_syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]); /* any will do */
	fuzz_record_status(page, st);
	page->random++;
	if (st == FE_OK) {
		page->random_ok++;
		if (nr == FE_SYS_HANDLE_REVOKE)
			fuzz_pool_validate(pool, 0);
	}
	/* Whatever it did to our IPC state, the structured calls find out. */
	if (nr == FE_SYS_RECV || nr == FE_SYS_REPLY || nr == FE_SYS_REPLY_RECV)
		pool->holding = st == FE_OK ? nr != FE_SYS_REPLY : pool->holding;
	return true;
}
