/* SPDX-License-Identifier: MIT */
/*
 * Structured calls: every argument built from what the worker holds (the
 * pool of handles with their types and rights, its mapped pages, its
 * partner threads), so that most calls succeed and run the kernel's paths
 * past the checks. One call in MUTATE_ONE_IN has one argument corrupted, by
 * the kind of that argument: a forged, stale or wrong-type handle, a bad
 * pointer, a huge length, an extreme value. A corruption is chosen so that
 * the call fails or stays harmless to the worker: it never names a valid
 * address the worker lives in, and type-agnostic handle arguments (delete,
 * dup, grant) get forged or stale handles only, never another real one.
 *
 * Nothing here blocks for good: calls go only to endpoints our server thread
 * answers, receives only to the endpoint our client thread keeps calling,
 * blocking waits only on processes that have ended or are about to.
 */
#include "fuzz.h"

#define MUTATE_ONE_IN 8u
#define TYPE_MAX 6u       /* pool entries of one created type */
#define VMO_MAX_PAGES 8u
#define CONTIG_MAX_ONE_IN 16u /* contiguous VMOs asking for FE_VMO_CONTIGUOUS_MAX */

/* How an argument may be corrupted. */
enum kind {
	K_FIX = 0, /* never */
	K_H,       /* a handle of a given type: forged, stale, or a real one of another type */
	K_HANY,    /* a handle of any type: forged or stale only */
	K_PTR,     /* a user pointer: NULL, kernel, non-canonical, straddling a guard page */
	K_LEN,     /* a length: huge */
	K_VAL,     /* a number: extreme (non-canonical as an address) */
	K_VA,      /* a mapping address: kernel, unaligned, past the top */
};

struct call {
	uint64_t nr, a[6];
	uint8_t kind[6];
	bool mutated;
};

static uint64_t rnd(uint64_t n)
{
	return n ? fuzz_rand() % n : 0;
}

/* ---- the pool ---- */

bool fuzz_pool_add(struct fuzz_pool *p, fe_handle_t h, uint32_t flags, uint64_t size)
{
	struct fe_handle_info info;

	if (p->n == POOL_MAX || fe_handle_info(h, &info) != FE_OK)
		return false;
	p->o[p->n++] = (struct fuzz_obj){ h, info.type, info.rights, flags, size, info.koid };
	return true;
}

static void pool_remove(struct fuzz_pool *p, unsigned i)
{
	p->stale[p->nstale++ % STALE_MAX] = p->o[i].h;
	p->o[i] = p->o[--p->n];
}

void fuzz_pool_validate(struct fuzz_pool *p, uint64_t koid)
{
	struct fe_handle_info info;

	for (unsigned i = p->n; i-- > 0;)
		if ((koid == 0 || p->o[i].koid == koid) && fe_handle_info(p->o[i].h, &info) != FE_OK)
			pool_remove(p, i);
}

bool fuzz_protected(const struct fuzz_pool *p, uint64_t h)
{
	uint64_t v = h & ((1ULL << 56) - 1);

	if (v == p->srv_root || v == p->cli_root || v == p->ipc_vmo || v == p->code_vmo)
		return true;
	for (unsigned i = 0; i < p->n; i++)
		if (p->o[i].h == v && (p->o[i].flags & OBJ_KEEP))
			return true;
	return false;
}

/* A random entry of `type` (FE_OBJ_NONE: any) having `rights` and `flags`; NULL if none. */
static struct fuzz_obj *find(struct fuzz_pool *p, uint32_t type, uint32_t rights, uint32_t flags)
{
	unsigned start = (unsigned)rnd(p->n);

	for (unsigned k = 0; k < p->n; k++) {
		struct fuzz_obj *o = &p->o[(start + k) % p->n];
		if ((type == FE_OBJ_NONE || o->type == type) && (o->rights & rights) == rights &&
		    (o->flags & flags) == flags)
			return o;
	}
	return NULL;
}

static unsigned count_type(const struct fuzz_pool *p, uint32_t type)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->n; i++)
		n += p->o[i].type == type;
	return n;
}

/* ---- corruption ---- */

static const uint64_t extremes[] = {
	~0ULL, ~0ULL - 1, 1ULL << 63, (1ULL << 63) + 1, 1ULL << 47, ~0ULL - PAGE + 1,
	0x8000000000001000ULL, 0xdead000000000000ULL,
};

static uint64_t pick(const uint64_t *v, size_t n)
{
	return v[rnd(n)];
}

static uint64_t forged(void)
{
	/* An index past any table, or a generation nobody has reached. */
	return rnd(2) ? FE_HANDLE_MAKE(0xffffff - rnd(16), 1 + rnd(4))
		      : FE_HANDLE_MAKE(rnd(64), 0xfffffff0u + (uint32_t)rnd(16));
}

static uint64_t corrupt_handle(const struct fuzz_pool *p, uint64_t h, bool typed)
{
	struct fe_handle_info info;
	unsigned r = (unsigned)rnd(typed ? 3 : 2);

	if (r == 1 && p->nstale > 0)
		return p->stale[rnd(p->nstale < STALE_MAX ? p->nstale : STALE_MAX)];
	if (r == 2 && fe_handle_info(h, &info) == FE_OK) {
		for (unsigned k = 0; k < 8; k++) {
			const struct fuzz_obj *o = &p->o[rnd(p->n)];
			if (o->type != info.type)
				return o->h;
		}
	}
	return forged();
}

static uint64_t corrupt(const struct fuzz_pool *p, enum kind k, uint64_t v)
{
	static const uint64_t bad_ptrs[] = {
		0, 0xffff800000000000ULL, 0xffffffff80000000ULL, 0x0000800000000000ULL,
		0xfffffffffffff000ULL, FE_USER_TOP, 8,
	};
	static const uint64_t bad_lens[] = {
		~0ULL, 1ULL << 63, ~0ULL - PAGE + 2, 0x7fffffffffffffffULL, 1ULL << 48,
	};

	switch (k) {
	case K_H: return corrupt_handle(p, v, true);
	case K_HANY: return corrupt_handle(p, v, false);
	case K_PTR: /* the last one runs into the unmapped guard page after scratch */
		return rnd(4) ? pick(bad_ptrs, ARRAY_SIZE(bad_ptrs)) : p->scratch + 2 * PAGE - 4;
	case K_LEN: return pick(bad_lens, ARRAY_SIZE(bad_lens));
	case K_VAL: return pick(extremes, ARRAY_SIZE(extremes));
	case K_VA: return rnd(2) ? v + 1 + rnd(PAGE - 1) : pick(bad_ptrs, ARRAY_SIZE(bad_ptrs));
	default: return v;
	}
}

static void maybe_mutate(const struct fuzz_pool *p, struct call *c)
{
	unsigned slots[6], n = 0;

	if (rnd(MUTATE_ONE_IN) != 0)
		return;
	for (unsigned i = 0; i < 6; i++)
		if (c->kind[i] != K_FIX)
			slots[n++] = i;
	if (n == 0)
		return;
	unsigned i = slots[rnd(n)];
	c->a[i] = corrupt(p, (enum kind)c->kind[i], c->a[i]);
	c->mutated = true;
}

/* Makes the call (after a possible corruption), counted by number. */
static int64_t issue(struct fuzz_pool *p, struct fuzz_page *page, struct call *c)
{
	maybe_mutate(p, c);
	fuzz_record_start(page, c->nr, c->a);
	int64_t st = (int64_t)fe_syscall6(c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4],
					   c->a[5]);
	fuzz_record_status(page, st);
	page->made[c->nr]++;
	page->ok[c->nr] += st == FE_OK;
	page->mutated += c->mutated;
	page->mutated_ok += c->mutated && st == FE_OK;
	return st;
}

static struct call mk(uint64_t nr)
{
	return (struct call){ .nr = nr };
}

static void arg(struct call *c, unsigned i, uint64_t v, enum kind k)
{
	c->a[i] = v;
	c->kind[i] = (uint8_t)k;
}

/* The out-parameter word in scratch, cleared first so a failed call leaves 0. */
static uint64_t out_slot(const struct fuzz_pool *p)
{
	volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)p->scratch;

	w[0] = 0;
	return p->scratch;
}

static fe_handle_t out_value(const struct fuzz_pool *p)
{
	return *(volatile uint64_t *)(uintptr_t)p->scratch;
}

/* Adds what a creating call wrote, or deletes it if the pool is full. */
static void take(struct fuzz_pool *p, int64_t st, uint32_t flags, uint64_t size)
{
	fe_handle_t h = out_value(p);

	if (st == FE_OK && h != FE_HANDLE_INVALID && !fuzz_pool_add(p, h, flags, size))
		(void)fe_handle_delete(h);
}

/* Room for one more object of `type`: with TYPE_MAX of them (or a full
 * pool) one we made is deleted first, a counted call. False if none can go. */
static bool make_room(struct fuzz_pool *p, struct fuzz_page *page, uint32_t type)
{
	bool full = p->n + 1 >= POOL_MAX;

	if (!full && count_type(p, type) < TYPE_MAX)
		return true;
	for (unsigned i = 0; i < p->n; i++) {
		if ((!full && p->o[i].type != type) || fuzz_protected(p, p->o[i].h))
			continue;
		struct call c = mk(FE_SYS_HANDLE_DELETE);
		arg(&c, 0, p->o[i].h, K_FIX);
		(void)issue(p, page, &c);
		pool_remove(p, i); /* gone either way: if the call failed, it was stale */
		return true;
	}
	return false;
}

/* A subset of `rights`, never empty unless rights is. */
static uint32_t some_rights(uint32_t rights)
{
	uint32_t r = rights & (uint32_t)fuzz_rand();

	return r ? r : rights;
}

/* ---- the families ---- */

static bool op_ipc_call(struct fuzz_pool *p, struct fuzz_page *page)
{
	struct fuzz_obj *ep = find(p, FE_OBJ_ENDPOINT, FE_RIGHT_WRITE, OBJ_SERVED);
	unsigned words = (unsigned)(rnd(3) ? rnd(FE_IPC_REG_WORDS + 1) : rnd(FE_IPC_MAX_WORDS + 1));
	unsigned caps = (unsigned)(rnd(4) == 0 ? 1 + rnd(FE_IPC_MAX_CAPS) : 0), ncaps = 0;

	if (!ep)
		return false;
	for (unsigned i = 0; i < caps; i++) {
		const struct fuzz_obj *o = find(p, FE_OBJ_NONE, FE_RIGHT_TRANSFER, 0);
		if (o)
			p->ipc->caps[ncaps++] = o->h;
	}
	for (unsigned i = FE_IPC_REG_WORDS; i < words; i++)
		p->ipc->words[i] = fuzz_rand();
	struct call c = mk(FE_SYS_CALL);
	arg(&c, 0, ep->h, K_H);
	arg(&c, 1, FE_MSG_INFO(rnd(1000), words, ncaps), K_VAL);
	for (unsigned i = 2; i < 6; i++)
		arg(&c, i, fuzz_rand(), K_FIX);
	(void)issue(p, page, &c);
	return true;
}

static struct fuzz_obj *client_ep(struct fuzz_pool *p)
{
	return find(p, FE_OBJ_ENDPOINT, FE_RIGHT_READ, OBJ_CLIENT);
}

static bool op_ipc_recv(struct fuzz_pool *p, struct fuzz_page *page)
{
	struct fuzz_obj *ep = client_ep(p);

	if (!ep)
		return false;
	if (p->holding) /* answer first: the receive would refuse */
		return false;
	struct call c = mk(FE_SYS_RECV);
	arg(&c, 0, ep->h, K_H);
	arg(&c, 1, rnd(2) ? FE_NONBLOCK : 0, K_VAL); /* blocking is safe: the client calls */
	int64_t st = issue(p, page, &c);
	if (st == FE_OK || st == FE_ERR_BAD_STATE)
		p->holding = true;
	return true;
}

/* A reply: registers, sometimes buffer words or a capability for the client. */
static uint64_t reply_info(struct fuzz_pool *p)
{
	unsigned words = (unsigned)rnd(8), ncaps = 0;
	const struct fuzz_obj *o = rnd(4) == 0 ? find(p, FE_OBJ_NONE, FE_RIGHT_TRANSFER, 0) : NULL;

	if (o)
		p->ipc->caps[ncaps++] = o->h;
	return FE_MSG_INFO(rnd(100), words, ncaps);
}

static bool op_ipc_reply(struct fuzz_pool *p, struct fuzz_page *page)
{
	struct fuzz_obj *ep = client_ep(p);

	if (!p->holding || !ep)
		return false;
	bool both = rnd(2);
	struct call c = mk(both ? FE_SYS_REPLY_RECV : FE_SYS_REPLY);
	arg(&c, 0, both ? ep->h : 0, both ? K_H : K_FIX);
	arg(&c, 1, reply_info(p), K_VAL);
	for (unsigned i = 2; i < 6; i++)
		arg(&c, i, fuzz_rand(), K_FIX);
	int64_t st = issue(p, page, &c);
	if (st == FE_OK)
		p->holding = both;
	else if (st == FE_ERR_BAD_STATE)
		p->holding = false;
	return true;
}

static bool op_notif(struct fuzz_pool *p, struct fuzz_page *page)
{
	struct fuzz_obj *n;
	struct call c;
	unsigned r = (unsigned)rnd(3);

	if (r == 0 && make_room(p, page, FE_OBJ_NOTIFICATION)) {
		c = mk(FE_SYS_NOTIF_CREATE);
		arg(&c, 0, out_slot(p), K_PTR);
		take(p, issue(p, page, &c), 0, 0);
	} else if (r == 1 && (n = find(p, FE_OBJ_NOTIFICATION, FE_RIGHT_SIGNAL, 0))) {
		c = mk(FE_SYS_NOTIF_SIGNAL);
		arg(&c, 0, n->h, K_H);
		arg(&c, 1, 1 + rnd(~0ULL), K_VAL);
		if (issue(p, page, &c) == FE_OK)
			p->signalled = n->h;
	} else if ((n = find(p, FE_OBJ_NOTIFICATION, FE_RIGHT_WAIT, 0))) {
		/* Mostly the one we signalled: then the bits are there. */
		c = mk(FE_SYS_NOTIF_WAIT);
		arg(&c, 0, p->signalled && rnd(4) ? p->signalled : n->h, K_H);
		arg(&c, 1, FE_NONBLOCK, K_VAL);
		arg(&c, 2, p->scratch + 8, K_PTR);
		(void)issue(p, page, &c);
		p->signalled = 0;
	}
	return true;
}

static bool op_vmo(struct fuzz_pool *p, struct fuzz_page *page)
{
	struct call c;
	struct fuzz_obj *v;
	bool write = rnd(2);

	if (rnd(4) == 0) {
		if (!make_room(p, page, FE_OBJ_VMO))
			return true;
		uint64_t size = (1 + rnd(VMO_MAX_PAGES)) * PAGE;
		uint64_t flags = rnd(4) == 0 ? FE_VMO_CONTIGUOUS : 0;
		if (flags && rnd(CONTIG_MAX_ONE_IN) == 0)
			size = FE_VMO_CONTIGUOUS_MAX; /* over a worker's budget: the refusal path */
		c = mk(FE_SYS_VMO_CREATE);
		arg(&c, 0, size, K_LEN);
		arg(&c, 1, out_slot(p), K_PTR);
		arg(&c, 2, flags, K_VAL);
		take(p, issue(p, page, &c), 0, size);
		return true;
	}
	if (!(v = find(p, FE_OBJ_VMO, write ? FE_RIGHT_WRITE : FE_RIGHT_READ, 0)) || v->size == 0)
		return false;
	uint64_t off = rnd(v->size), len = rnd(v->size - off + 1);
	if (len > 2 * PAGE - 16)
		len = 2 * PAGE - 16;
	c = mk(write ? FE_SYS_VMO_WRITE : FE_SYS_VMO_READ);
	arg(&c, 0, v->h, K_H);
	arg(&c, 1, off, K_VAL);
	arg(&c, 2, p->scratch + 16, K_PTR);
	arg(&c, 3, len, K_LEN);
	(void)issue(p, page, &c);
	return true;
}

/* Maps a VMO into a free slot of ours (or into a child), or unmaps a slot. */
static bool op_vm(struct fuzz_pool *p, struct fuzz_page *page)
{
	unsigned slot = (unsigned)rnd(MAP_SLOTS);
	struct fuzz_obj *child = rnd(4) == 0 ? find(p, FE_OBJ_PROCESS, FE_RIGHT_MANAGE, OBJ_CHILD) : NULL;
	uint64_t base = child ? CHILD_VA + slot * MAP_SLOT_SIZE : MAP_VA + slot * MAP_SLOT_SIZE;
	struct call c;

	if (!child && p->map_len[slot]) {
		c = mk(FE_SYS_VM_UNMAP);
		arg(&c, 0, fe_self, K_H);
		arg(&c, 1, base, K_VA);
		arg(&c, 2, p->map_len[slot], K_LEN);
		if (issue(p, page, &c) == FE_OK || !c.mutated)
			p->map_len[slot] = 0;
		return true;
	}
	bool rw = rnd(2);
	struct fuzz_obj *v = find(p, FE_OBJ_VMO, FE_RIGHT_MAP | FE_RIGHT_READ | (rw ? FE_RIGHT_WRITE : 0), 0);
	if (!v || v->size == 0)
		return false;
	uint64_t off = rnd(v->size / PAGE) * PAGE, len = (1 + rnd((v->size - off) / PAGE)) * PAGE;
	c = mk(child && rnd(2) ? FE_SYS_VM_UNMAP : FE_SYS_VM_MAP);
	arg(&c, 0, child ? child->h : fe_self, K_H);
	if (c.nr == FE_SYS_VM_UNMAP) { /* in a child: whatever is there */
		arg(&c, 1, base, K_VA);
		arg(&c, 2, MAP_SLOT_SIZE, K_LEN);
		(void)issue(p, page, &c);
		return true;
	}
	arg(&c, 1, v->h, K_H);
	arg(&c, 2, off, K_VAL);
	arg(&c, 3, base, K_VA);
	arg(&c, 4, len, K_LEN);
	arg(&c, 5, rw ? FE_VM_READ | FE_VM_WRITE : FE_VM_READ, K_VAL);
	int64_t st = issue(p, page, &c);
	if (!child && (st == FE_OK || st == FE_ERR_EXISTS)) /* EXISTS: a random call mapped there */
		p->map_len[slot] = st == FE_OK && !c.mutated ? len : MAP_SLOT_SIZE;
	return true;
}

static bool op_handle(struct fuzz_pool *p, struct fuzz_page *page)
{
	struct fuzz_obj *o;
	struct call c;
	unsigned r = (unsigned)rnd(6);

	if (r == 0 && (o = find(p, FE_OBJ_NONE, 0, 0))) {
		c = mk(FE_SYS_HANDLE_INFO);
		arg(&c, 0, o->h, K_HANY);
		arg(&c, 1, p->scratch + 64, K_PTR);
		(void)issue(p, page, &c);
	} else if (r <= 2 && (o = find(p, FE_OBJ_NONE, FE_RIGHT_DUPLICATE, 0)) && p->n + 1 < POOL_MAX) {
		struct fuzz_obj src = *o;
		c = mk(FE_SYS_HANDLE_DUP);
		arg(&c, 0, src.h, K_HANY);
		arg(&c, 1, some_rights(src.rights), K_VAL);
		arg(&c, 2, src.type == FE_OBJ_ENDPOINT && rnd(2) ? 1 + rnd(1000) : 0, K_FIX);
		arg(&c, 3, out_slot(p), K_PTR);
		take(p, issue(p, page, &c), src.flags & (OBJ_SERVED | OBJ_CLIENT | OBJ_CHILD | OBJ_ENDED), src.size);
	} else if (r == 3) {
		/* Delete something we made (a copy of the partners' endpoints is fine). */
		for (unsigned k = 0; k < 4; k++) {
			unsigned i = (unsigned)rnd(p->n);
			if ((p->o[i].flags & OBJ_KEEP) || fuzz_protected(p, p->o[i].h))
				continue;
			c = mk(FE_SYS_HANDLE_DELETE);
			arg(&c, 0, p->o[i].h, K_HANY);
			fe_handle_t h = p->o[i].h;
			if (issue(p, page, &c) == FE_OK && !c.mutated && p->o[i].h == h)
				pool_remove(p, i);
			break;
		}
	} else if (r == 4 && (o = find(p, FE_OBJ_NONE, FE_RIGHT_REVOKE, 0))) {
		c = mk(FE_SYS_HANDLE_REVOKE);
		arg(&c, 0, o->h, K_HANY);
		arg(&c, 1, rnd(2) ? p->scratch + 72 : 0, K_PTR);
		uint64_t koid = o->koid;
		if (issue(p, page, &c) == FE_OK)
			fuzz_pool_validate(p, c.mutated ? 0 : koid);
	} else if ((o = find(p, FE_OBJ_NONE, FE_RIGHT_TRANSFER, 0))) {
		/* Into a child or ourselves; a process handle too, so thread-less
		 * children holding themselves or each other (a cycle) are made: they
		 * end with us (ADR 0009, decision 7), and `leaks` checks it. */
		struct fuzz_obj src = *o;
		struct fuzz_obj *to = rnd(2) ? find(p, FE_OBJ_PROCESS, FE_RIGHT_MANAGE, OBJ_CHILD) : NULL;
		if (!to && p->n + 1 >= POOL_MAX)
			return true;
		c = mk(FE_SYS_HANDLE_GRANT);
		arg(&c, 0, to ? to->h : fe_self, K_H);
		arg(&c, 1, src.h, K_HANY);
		arg(&c, 2, some_rights(src.rights), K_VAL);
		arg(&c, 3, out_slot(p), K_PTR);
		int64_t st = issue(p, page, &c);
		if (!to)
			take(p, st, src.flags & (OBJ_SERVED | OBJ_CLIENT | OBJ_CHILD | OBJ_ENDED), src.size);
	}
	return true;
}

/* A child: created thread-less; later maybe given a thread (that exits at
 * once), killed, waited for, watched (its end signals a notification of
 * ours), asked about. */
static bool op_process(struct fuzz_pool *p, struct fuzz_page *page)
{
	static const char names[] = "fuzzchild-with-a-long-name-0123456789";
	struct fuzz_obj *ch = find(p, FE_OBJ_PROCESS, 0, OBJ_CHILD);
	struct call c;
	unsigned r = (unsigned)rnd(6);

	if (r == 0 || !ch) {
		if (!make_room(p, page, FE_OBJ_PROCESS))
			return true;
		c = mk(FE_SYS_PROCESS_CREATE);
		arg(&c, 0, (uint64_t)(uintptr_t)names, K_PTR);
		arg(&c, 1, 1 + rnd(31), K_LEN);
		arg(&c, 2, (16 + rnd(48)) * PAGE, K_VAL);
		arg(&c, 3, out_slot(p), K_PTR);
		take(p, issue(p, page, &c), OBJ_CHILD, 0);
		return true;
	}
	if (r == 1 && !(ch->flags & OBJ_ENDED) && (ch->rights & FE_RIGHT_MANAGE)) {
		/* Its code page, then a thread that ends the process. */
		if (fe_vm_map(ch->h, p->code_vmo, 0, CODE_VA, PAGE, FE_VM_READ | FE_VM_EXEC) != FE_OK &&
		    !(ch->flags & OBJ_STARTED))
			return true;
		c = mk(FE_SYS_THREAD_CREATE);
		arg(&c, 0, ch->h, K_H);
		arg(&c, 1, CODE_VA + CODE_EXIT_PROCESS, K_VAL);
		arg(&c, 2, CODE_VA + PAGE, K_VAL);
		arg(&c, 3, fuzz_rand(), K_FIX);
		arg(&c, 4, rnd(FUZZ_WORKER_PRIORITY + 1), K_VAL);
		arg(&c, 5, out_slot(p), K_PTR);
		int64_t st = issue(p, page, &c);
		if (st == FE_OK) {
			fe_handle_t t = out_value(p);
			ch->flags |= OBJ_STARTED | OBJ_ENDED; /* it ends itself */
			if (!fuzz_pool_add(p, t, 0, 0))
				(void)fe_handle_delete(t);
		}
		return true;
	}
	if (r == 2 && (ch->rights & FE_RIGHT_MANAGE)) {
		c = mk(FE_SYS_PROCESS_KILL);
		arg(&c, 0, ch->h, K_H);
		if (issue(p, page, &c) == FE_OK || !c.mutated)
			ch->flags |= OBJ_ENDED;
		return true;
	}
	if (r == 3 && (ch->rights & FE_RIGHT_WAIT)) {
		c = mk(FE_SYS_PROCESS_WAIT);
		arg(&c, 0, ch->h, K_H);
		arg(&c, 1, p->scratch + 128, K_PTR);
		/* Blocking only on one that has ended or is about to. */
		arg(&c, 2, (ch->flags & OBJ_ENDED) && rnd(2) ? 0 : FE_NONBLOCK, K_VAL);
		(void)issue(p, page, &c);
		return true;
	}
	struct fuzz_obj *n = find(p, FE_OBJ_NOTIFICATION, FE_RIGHT_SIGNAL, 0);
	if (r == 4 && (ch->rights & FE_RIGHT_WAIT) && n) {
		c = mk(FE_SYS_PROCESS_WATCH);
		arg(&c, 0, ch->h, K_H);
		arg(&c, 1, n->h, K_H);
		arg(&c, 2, rnd(64), K_VAL);
		(void)issue(p, page, &c);
		return true;
	}
	if (!(ch->rights & FE_RIGHT_READ))
		return false;
	c = mk(FE_SYS_PROCESS_INFO);
	arg(&c, 0, rnd(4) ? ch->h : fe_self, K_H);
	arg(&c, 1, p->scratch + 256, K_PTR);
	(void)issue(p, page, &c);
	return true;
}

/* Threads of ours that end at once; the IPC buffer; yield. */
static bool op_thread(struct fuzz_pool *p, struct fuzz_page *page)
{
	struct call c;
	unsigned r = (unsigned)rnd(4);

	if (r <= 1) {
		if (!make_room(p, page, FE_OBJ_THREAD))
			return true;
		c = mk(FE_SYS_THREAD_CREATE);
		arg(&c, 0, fe_self, K_H);
		arg(&c, 1, p->code_va + CODE_EXIT_THREAD, K_VAL);
		arg(&c, 2, p->scratch + PAGE, K_VAL);
		arg(&c, 3, fuzz_rand(), K_FIX);
		arg(&c, 4, rnd(FUZZ_WORKER_PRIORITY + 1), K_VAL);
		arg(&c, 5, out_slot(p), K_PTR);
		take(p, issue(p, page, &c), 0, 0);
	} else if (r == 2) {
		c = mk(FE_SYS_THREAD_SET_IPC_BUFFER);
		arg(&c, 0, p->ipc_vmo, K_H);
		arg(&c, 1, 0, K_VAL);
		if (issue(p, page, &c) != FE_OK && c.mutated)
			(void)fe_thread_set_ipc_buffer(p->ipc_vmo, 0); /* ours again */
	} else {
		c = mk(FE_SYS_THREAD_YIELD);
		(void)issue(p, page, &c);
	}
	return true;
}

static bool op_trace(struct fuzz_pool *p, struct fuzz_page *page)
{
	struct fuzz_obj *t = find(p, FE_OBJ_TRACE, FE_RIGHT_READ, 0);

	if (!t)
		return false;
	struct call c = mk(FE_SYS_TRACE_READ);
	arg(&c, 0, t->h, K_H);
	arg(&c, 1, p->scratch, K_PTR);
	arg(&c, 2, rnd(PAGE / sizeof(struct fe_trace_record) + 1), K_LEN);
	arg(&c, 3, p->scratch + 2 * PAGE - 8, K_PTR);
	(void)issue(p, page, &c);
	return true;
}

static bool op_stats(struct fuzz_pool *p, struct fuzz_page *page)
{
	struct fuzz_obj *t = find(p, FE_OBJ_TRACE, FE_RIGHT_READ, 0);
	unsigned r = (unsigned)rnd(3);

	if (!t)
		return false;
	struct call c = mk(r == 0 ? FE_SYS_KERNEL_STATS : r == 1 ? FE_SYS_CPU_STATS : FE_SYS_NODE_STATS);
	arg(&c, 0, t->h, K_H);
	if (r == 0) {
		arg(&c, 1, p->scratch + 512, K_PTR);
	} else {
		arg(&c, 1, rnd(r == 1 ? p->cpus : p->nodes), K_VAL);
		arg(&c, 2, p->scratch + 512, K_PTR);
	}
	(void)issue(p, page, &c);
	return true;
}

/* Sleep (tiny), affinity (ours or a partner's), the current CPU. */
static bool op_sched(struct fuzz_pool *p, struct fuzz_page *page)
{
	struct call c;
	unsigned r = (unsigned)rnd(3);

	if (r == 0) {
		c = mk(FE_SYS_THREAD_SLEEP);
		arg(&c, 0, rnd(20000), K_FIX); /* at most 20 us: never a long one */
	} else if (r == 1) {
		struct fuzz_obj *t = rnd(2) ? find(p, FE_OBJ_THREAD, FE_RIGHT_MANAGE, OBJ_KEEP) : NULL;
		uint64_t all = p->cpus >= 64 ? ~0ULL : (1ULL << p->cpus) - 1;
		c = mk(FE_SYS_THREAD_SET_AFFINITY);
		arg(&c, 0, t ? t->h : 0, t ? K_H : K_FIX);
		/* Mostly home: threads of ours apart make every IPC slow (worker.c, pin). */
		arg(&c, 1, rnd(8) ? 1ULL << p->home_cpu : rnd(2) ? all : 1ULL << rnd(p->cpus), K_VAL);
	} else {
		c = mk(FE_SYS_CPU_CURRENT);
		arg(&c, 0, p->scratch + 1024, K_PTR);
	}
	(void)issue(p, page, &c);
	return true;
}

static bool op_misc(struct fuzz_pool *p, struct fuzz_page *page)
{
	struct call c;

	if (rnd(2) && make_room(p, page, FE_OBJ_ENDPOINT)) {
		c = mk(FE_SYS_ENDPOINT_CREATE);
		arg(&c, 0, out_slot(p), K_PTR);
		take(p, issue(p, page, &c), 0, 0); /* nobody answers it: never called */
	} else {
		c = mk(FE_SYS_NULL);
		(void)issue(p, page, &c);
	}
	return true;
}

/* A function worth asking about: the host bridge (no device capability),
 * the AHCI and SMBus controllers (q35), an absent one, or anything. */
static uint32_t pci_addr(void)
{
	static const uint32_t known[] = {
		FE_PCI_ADDR(0, 0, 0, 0), FE_PCI_ADDR(0, 0, 31, 2), FE_PCI_ADDR(0, 0, 31, 3),
		FE_PCI_ADDR(0, 0, 31, 7), FE_PCI_ADDR(0, 255, 31, 7),
	};

	return rnd(8) ? known[rnd(ARRAY_SIZE(known))] : (uint32_t)fuzz_rand();
}

/* An offset and width: mostly well formed, the command register and the
 * device-specific area often. */
static void pci_access(struct call *c, unsigned i)
{
	static const uint64_t widths[] = { 1, 2, 4, 4, 3, 8, 0 };
	unsigned r = (unsigned)rnd(4);

	arg(c, i, r == 0 ? FE_PCI_COMMAND : r == 1 ? 0x40 + rnd(0xc0) : rnd(FE_PCI_CONFIG_SIZE + 8), K_VAL);
	arg(c, i + 1, widths[rnd(ARRAY_SIZE(widths))], K_VAL);
}

/* What a claim allows (MSI binding, DMA maps of pool VMOs, unmaps, release):
 * a worker's claim ends, and the device is quiesced, when it dies. */
static bool pci_claim_call(struct fuzz_pool *p, struct fuzz_page *page, struct fuzz_obj *d)
{
	struct fuzz_obj *v = find(p, FE_OBJ_VMO, FE_RIGHT_READ, 0), *n = find(p, FE_OBJ_NOTIFICATION, FE_RIGHT_SIGNAL, 0);
	unsigned r = (unsigned)rnd(4);
	struct call c;

	if (r == 0 && n) {
		c = mk(FE_SYS_PCI_IRQ_BIND);
		arg(&c, 0, d->h, K_H);
		arg(&c, 1, rnd(3), K_VAL);
		arg(&c, 2, n->h, K_H);
		arg(&c, 3, rnd(64), K_VAL);
	} else if (r == 1 && v) {
		c = mk(FE_SYS_PCI_DMA_MAP);
		arg(&c, 0, d->h, K_H);
		arg(&c, 1, v->h, K_H);
		arg(&c, 2, rnd(2) ? 0 : PAGE * rnd(4), K_VAL);
		arg(&c, 3, PAGE * (1 + rnd(2)), K_LEN);
		arg(&c, 4, 1 + rnd(3), K_VAL);
		arg(&c, 5, p->scratch + 2048, K_PTR);
	} else if (r == 2) {
		c = mk(FE_SYS_PCI_DMA_UNMAP);
		arg(&c, 0, d->h, K_H);
		arg(&c, 1, *(volatile uint64_t *)(uintptr_t)(p->scratch + 2048), K_VAL);
	} else {
		c = mk(FE_SYS_PCI_RELEASE);
		arg(&c, 0, d->h, K_H);
	}
	(void)issue(p, page, &c);
	return true;
}

/*
 * Configuration reads through the root or a device, device capabilities,
 * filtered writes, BARs. A BAR capability is deleted at once: with it, a
 * random call could program the AHCI controller's DMA (no IOMMU in this
 * scenario) and make it write anywhere, a hazard of the machine, not a
 * kernel bug.
 */
static bool op_pci(struct fuzz_pool *p, struct fuzz_page *page)
{
	struct fuzz_obj *root = find(p, FE_OBJ_PCI_ROOT, 0, 0), *d = find(p, FE_OBJ_PCI_DEVICE, 0, 0);
	unsigned r = (unsigned)rnd(5);
	struct call c;

	if (!root)
		return false;
	if (r == 4 && d)
		return pci_claim_call(p, page, d);
	if (r == 0 || (r >= 2 && !d)) {
		struct fuzz_obj *via = d && rnd(2) ? d : root;
		c = mk(FE_SYS_PCI_CONFIG_READ);
		arg(&c, 0, via->h, K_H);
		arg(&c, 1, via == d && rnd(2) ? FE_PCI_ADDR(0, 0, 31, 2) : pci_addr(), K_VAL);
		pci_access(&c, 2);
		arg(&c, 4, p->scratch + 8 * rnd(PAGE / 8), K_PTR);
		(void)issue(p, page, &c);
	} else if (r == 1) {
		if (!make_room(p, page, FE_OBJ_PCI_DEVICE))
			return true;
		c = mk(FE_SYS_PCI_DEVICE_CREATE);
		arg(&c, 0, root->h, K_H);
		arg(&c, 1, pci_addr(), K_VAL);
		arg(&c, 2, out_slot(p), K_PTR);
		take(p, issue(p, page, &c), 0, 0);
	} else if (r == 2) {
		c = mk(FE_SYS_PCI_CONFIG_WRITE);
		arg(&c, 0, d->h, K_H);
		pci_access(&c, 1);
		arg(&c, 3, rnd(2) ? (fuzz_rand() & 0xffffffffu) : 0, K_VAL);
		(void)issue(p, page, &c);
	} else {
		c = mk(FE_SYS_PCI_BAR);
		arg(&c, 0, d->h, K_H);
		arg(&c, 1, rnd(FE_PCI_BARS + 1), K_VAL);
		arg(&c, 2, out_slot(p), K_PTR);
		arg(&c, 3, p->scratch + 1024, K_PTR);
		if (issue(p, page, &c) == FE_OK && out_value(p) != FE_HANDLE_INVALID)
			(void)fe_handle_delete(out_value(p));
	}
	return true;
}

/* Groups: subgroups of the worker's own (or of each other) with random
 * limits, a child process made in one, their figures, and kill. The
 * worker's own group is never killed by a structured call. */
static bool op_group(struct fuzz_pool *p, struct fuzz_page *page)
{
	static const char name[] = "grouped";
	struct fuzz_obj *g = find(p, FE_OBJ_GROUP, 0, 0), *sub = find(p, FE_OBJ_GROUP, 0, OBJ_CHILD);
	struct fe_group_limits *lim = (void *)(uintptr_t)(p->scratch + 512);
	struct fuzz_obj *n = find(p, FE_OBJ_NOTIFICATION, FE_RIGHT_SIGNAL, 0);
	unsigned r = (unsigned)rnd(6);
	struct call c;

	if (!g)
		return false;
	if (r == 0 || !sub) {
		if (!make_room(p, page, FE_OBJ_GROUP))
			return true;
		*lim = (struct fe_group_limits){ .memory = (1 + rnd(256)) * PAGE,
		                                 .processes = (uint32_t)rnd(4),
		                                 .threads = (uint32_t)rnd(4) };
		c = mk(FE_SYS_GROUP_CREATE);
		arg(&c, 0, g->h, K_H);
		arg(&c, 1, (uint64_t)(uintptr_t)lim, K_PTR);
		arg(&c, 2, n && rnd(2) ? n->h : FE_HANDLE_INVALID, K_HANY);
		arg(&c, 3, rnd(64), K_VAL);
		arg(&c, 4, out_slot(p), K_PTR);
		take(p, issue(p, page, &c), OBJ_CHILD, 0);
	} else if (r == 1) {
		c = mk(FE_SYS_GROUP_INFO);
		arg(&c, 0, g->h, K_H);
		arg(&c, 1, p->scratch + 512, K_PTR);
		(void)issue(p, page, &c);
	} else if (r == 2) {
		c = mk(FE_SYS_GROUP_KILL);
		arg(&c, 0, sub->h, K_H);
		(void)issue(p, page, &c);
	} else if (r == 3) {
		/* A subgroup's: its threads stop before user mode, or go on. */
		c = mk(FE_SYS_GROUP_FREEZE);
		arg(&c, 0, sub->h, K_H);
		arg(&c, 1, rnd(2), K_VAL);
		(void)issue(p, page, &c);
	} else {
		if (!make_room(p, page, FE_OBJ_PROCESS))
			return true;
		c = mk(FE_SYS_PROCESS_CREATE);
		arg(&c, 0, (uint64_t)(uintptr_t)name, K_PTR);
		arg(&c, 1, sizeof(name) - 1, K_LEN);
		arg(&c, 2, (16 + rnd(48)) * PAGE, K_VAL);
		arg(&c, 3, out_slot(p), K_PTR);
		arg(&c, 4, sub->h, K_H);
		take(p, issue(p, page, &c), OBJ_CHILD, 0);
	}
	return true;
}

typedef bool (*op_fn)(struct fuzz_pool *, struct fuzz_page *);

/* Weights: the IPC and handle calls have the most paths behind them. */
static const struct { op_fn fn; unsigned weight; } ops[] = {
	{ op_ipc_call, 4 }, { op_ipc_recv, 3 }, { op_ipc_reply, 3 }, { op_notif, 3 },
	{ op_vmo, 3 },      { op_vm, 3 },       { op_handle, 5 },    { op_process, 3 },
	{ op_thread, 2 },   { op_trace, 1 },    { op_stats, 1 },     { op_sched, 2 },
	{ op_misc, 1 },     { op_pci, 1 },      { op_group, 2 },
};

bool fuzz_structured_call(struct fuzz_pool *pool, struct fuzz_page *page)
{
	unsigned total = 0;

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		total += ops[i].weight;
	unsigned r = (unsigned)rnd(total);
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		if (r < ops[i].weight)
			return ops[i].fn(pool, page);
		r -= ops[i].weight;
	}
	return false;
}

const struct fuzz_family fuzz_families[] = {
	{ "ipc-call", { FE_SYS_CALL }, 1, true },
	{ "ipc-recv", { FE_SYS_RECV }, 1, true },
	{ "ipc-reply", { FE_SYS_REPLY, FE_SYS_REPLY_RECV }, 2, true },
	{ "notification", { FE_SYS_NOTIF_CREATE, FE_SYS_NOTIF_SIGNAL, FE_SYS_NOTIF_WAIT }, 3, true },
	{ "vmo", { FE_SYS_VMO_CREATE, FE_SYS_VMO_READ, FE_SYS_VMO_WRITE }, 3, true },
	{ "vm", { FE_SYS_VM_MAP, FE_SYS_VM_UNMAP }, 2, true },
	{ "handle", { FE_SYS_HANDLE_DUP, FE_SYS_HANDLE_DELETE, FE_SYS_HANDLE_REVOKE, FE_SYS_HANDLE_INFO,
		      FE_SYS_HANDLE_GRANT }, 5, true },
	{ "process", { FE_SYS_PROCESS_CREATE, FE_SYS_PROCESS_INFO, FE_SYS_PROCESS_WAIT,
		       FE_SYS_PROCESS_KILL, FE_SYS_PROCESS_WATCH }, 5, true },
	{ "thread", { FE_SYS_THREAD_CREATE, FE_SYS_THREAD_SET_IPC_BUFFER, FE_SYS_THREAD_YIELD }, 3, true },
	{ "trace", { FE_SYS_TRACE_READ }, 1, true },
	{ "stats", { FE_SYS_KERNEL_STATS, FE_SYS_CPU_STATS, FE_SYS_NODE_STATS }, 3, true },
	{ "sched", { FE_SYS_THREAD_SLEEP, FE_SYS_THREAD_SET_AFFINITY, FE_SYS_CPU_CURRENT }, 3, true },
	{ "misc", { FE_SYS_NULL, FE_SYS_ENDPOINT_CREATE }, 2, true },
	{ "pci", { FE_SYS_PCI_CONFIG_READ, FE_SYS_PCI_CONFIG_WRITE, FE_SYS_PCI_DEVICE_CREATE,
		   FE_SYS_PCI_BAR }, 4, true },
	{ "pci-claim", { FE_SYS_PCI_IRQ_BIND, FE_SYS_PCI_DMA_MAP, FE_SYS_PCI_DMA_UNMAP,
			 FE_SYS_PCI_RELEASE }, 4, true },
	{ "group", { FE_SYS_GROUP_CREATE, FE_SYS_GROUP_INFO, FE_SYS_GROUP_KILL,
		     FE_SYS_GROUP_FREEZE }, 4, true },
};
const unsigned fuzz_nfamilies = ARRAY_SIZE(fuzz_families);
