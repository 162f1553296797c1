/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/cap/cspace.c: handle checks (forged, stale, wrong
 * type, rights), derivation rules, delete reparenting, revoke across tables
 * including deep and wide trees, table limits, allocation failure, and
 * reference balance.
 */
#include "host_test.h"

#include "cap/cspace.h"

struct env_state {
	long refs;          /* obj_get minus obj_put */
	long chunks;        /* chunks alive */
	int fail_alloc;     /* refuse chunk allocations */
};

static struct env_state es;

static fe_status_t t_alloc(void *ctx, size_t bytes, void **out)
{
	(void)ctx;
	if (es.fail_alloc)
		return FE_ERR_NO_MEMORY;
	*out = calloc(1, bytes);
	es.chunks++;
	return *out ? FE_OK : FE_ERR_NO_MEMORY;
}

static void t_free(void *ctx, void *p, size_t bytes)
{
	(void)ctx, (void)bytes;
	free(p);
	es.chunks--;
}

static void t_get(void *obj, uint32_t type)
{
	(void)obj, (void)type;
	es.refs++;
}

static void t_put(void *obj, uint32_t type)
{
	(void)obj, (void)type;
	es.refs--;
}

/* Dependents undone by revoke, in order, and a check that each arrives detached. */
static struct cap_dep *revoked[16];
static unsigned nrevoked;

static void t_dep_revoke(struct cap_dep *d)
{
	assert_null(d->cap);
	assert_true(nrevoked < 16);
	revoked[nrevoked++] = d;
}

static const struct cspace_env env = {
	.alloc = t_alloc, .free = t_free, .obj_get = t_get, .obj_put = t_put,
	.dep_revoke = t_dep_revoke,
};
static int obj_a, obj_b; /* stand-ins for kernel objects */

static struct cspace *table(uint32_t max)
{
	struct cspace *cs = calloc(1, sizeof(*cs));
	assert_non_null(cs);
	cspace_init(cs, &env, max);
	return cs;
}

static void done(struct cspace *cs)
{
	cspace_destroy(cs);
	free(cs);
}

static int setup(void **state)
{
	(void)state;
	memset(&es, 0, sizeof(es));
	nrevoked = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(es.refs, 0);
	assert_int_equal(es.chunks, 0);
	return 0;
}

static void insert_and_lookup(void **state)
{
	(void)state;
	struct cspace *cs = table(1024);
	fe_handle_t h;
	struct cap *c;

	assert_status(cspace_insert(cs, &obj_a, FE_OBJ_VMO, FE_RIGHT_READ, 0, &h), FE_OK);
	assert_true(h != FE_HANDLE_INVALID);
	assert_status(cspace_lookup(cs, h, FE_OBJ_VMO, FE_RIGHT_READ, &c), FE_OK);
	assert_ptr_equal(c->obj, &obj_a);
	assert_status(cspace_lookup(cs, h, FE_OBJ_NONE, 0, &c), FE_OK);
	assert_status(cspace_lookup(cs, h, FE_OBJ_ENDPOINT, 0, &c), FE_ERR_WRONG_TYPE);
	assert_status(cspace_lookup(cs, h, FE_OBJ_VMO, FE_RIGHT_WRITE, &c), FE_ERR_ACCESS_DENIED);
	assert_int_equal(cs->count, 1);
	done(cs);
}

static void forged_handles(void **state)
{
	(void)state;
	struct cspace *cs = table(1024);
	fe_handle_t h;
	struct cap *c;

	assert_status(cspace_insert(cs, &obj_a, FE_OBJ_VMO, FE_RIGHTS_ALL, 0, &h), FE_OK);
	const fe_handle_t bad[] = { 0, h + 1, FE_HANDLE_MAKE(FE_HANDLE_INDEX(h), FE_HANDLE_GEN(h) + 1),
	                            FE_HANDLE_MAKE(5000, 1), h | (1ULL << 57), ~0ULL };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_status(cspace_lookup(cs, bad[i], FE_OBJ_NONE, 0, &c), FE_ERR_BAD_HANDLE);
	srand(7);
	for (int i = 0; i < 100000; i++) {
		fe_handle_t r = ((uint64_t)rand() << 33) ^ ((uint64_t)rand() << 9) ^ (uint64_t)rand();
		if (r != h)
			assert_status(cspace_lookup(cs, r, FE_OBJ_NONE, 0, &c), FE_ERR_BAD_HANDLE);
	}
	done(cs);
}

static void stale_after_delete_and_reuse(void **state)
{
	(void)state;
	struct cspace *cs = table(1024);
	fe_handle_t h, h2;
	struct cap *c;

	assert_status(cspace_insert(cs, &obj_a, FE_OBJ_VMO, FE_RIGHTS_ALL, 0, &h), FE_OK);
	assert_status(cspace_delete(cs, h), FE_OK);
	assert_status(cspace_lookup(cs, h, FE_OBJ_NONE, 0, &c), FE_ERR_BAD_HANDLE);
	assert_status(cspace_delete(cs, h), FE_ERR_BAD_HANDLE);
	assert_status(cspace_insert(cs, &obj_b, FE_OBJ_VMO, FE_RIGHTS_ALL, 0, &h2), FE_OK);
	assert_int_equal(FE_HANDLE_INDEX(h2), FE_HANDLE_INDEX(h)); /* the slot is reused */
	assert_true(h2 != h);
	assert_status(cspace_lookup(cs, h, FE_OBJ_NONE, 0, &c), FE_ERR_BAD_HANDLE);
	done(cs);
}

static void derive_rights_and_badges(void **state)
{
	(void)state;
	struct cspace *cs = table(1024);
	fe_handle_t h, d, e;
	struct cap *c, *dc;

	assert_status(cspace_insert(cs, &obj_a, FE_OBJ_ENDPOINT, FE_RIGHT_READ | FE_RIGHT_WRITE, 0, &h),
	              FE_OK);
	assert_status(cspace_lookup(cs, h, FE_OBJ_NONE, 0, &c), FE_OK);
	assert_status(cspace_derive(c, cs, FE_RIGHT_WRITE, 9, &d), FE_OK);
	assert_status(cspace_lookup(cs, d, FE_OBJ_NONE, 0, &dc), FE_OK);
	assert_int_equal(dc->badge, 9);
	assert_int_equal(dc->rights, FE_RIGHT_WRITE);
	assert_status(cspace_derive(c, cs, FE_RIGHT_EXECUTE, 0, &e), FE_ERR_ACCESS_DENIED);
	assert_status(cspace_derive(dc, cs, FE_RIGHT_WRITE | FE_RIGHT_READ, 0, &e), FE_ERR_ACCESS_DENIED);
	assert_status(cspace_derive(dc, cs, FE_RIGHT_WRITE, 10, &e), FE_ERR_ACCESS_DENIED);
	assert_status(cspace_derive(dc, cs, FE_RIGHT_WRITE, 0, &e), FE_OK);
	assert_status(cspace_lookup(cs, e, FE_OBJ_NONE, 0, &c), FE_OK);
	assert_int_equal(c->badge, 9);
	assert_int_equal(es.refs, 3);
	done(cs);
}

static void delete_reparents_children(void **state)
{
	(void)state;
	struct cspace *cs = table(1024);
	fe_handle_t root, mid, leaf;
	struct cap *c;
	uint64_t n = 0;

	assert_status(cspace_insert(cs, &obj_a, FE_OBJ_VMO, FE_RIGHTS_ALL, 0, &root), FE_OK);
	assert_status(cspace_lookup(cs, root, FE_OBJ_NONE, 0, &c), FE_OK);
	assert_status(cspace_derive(c, cs, FE_RIGHTS_ALL, 0, &mid), FE_OK);
	assert_status(cspace_lookup(cs, mid, FE_OBJ_NONE, 0, &c), FE_OK);
	assert_status(cspace_derive(c, cs, FE_RIGHT_READ, 0, &leaf), FE_OK);
	assert_status(cspace_delete(cs, mid), FE_OK);
	assert_status(cspace_lookup(cs, leaf, FE_OBJ_NONE, 0, &c), FE_OK); /* survives */
	assert_status(cspace_revoke(cs, root, &n), FE_OK);
	assert_int_equal(n, 1);
	assert_status(cspace_lookup(cs, leaf, FE_OBJ_NONE, 0, &c), FE_ERR_BAD_HANDLE);
	assert_status(cspace_lookup(cs, root, FE_OBJ_NONE, 0, &c), FE_OK);
	done(cs);
}

static void revoke_across_tables(void **state)
{
	(void)state;
	struct cspace *a = table(1024), *b = table(1024), *c3 = table(1024);
	fe_handle_t h, hb, hc, other;
	struct cap *c;
	uint64_t n = 0;

	assert_status(cspace_insert(a, &obj_a, FE_OBJ_VMO, FE_RIGHTS_ALL, 0, &h), FE_OK);
	assert_status(cspace_insert(b, &obj_b, FE_OBJ_VMO, FE_RIGHTS_ALL, 0, &other), FE_OK);
	assert_status(cspace_lookup(a, h, FE_OBJ_NONE, 0, &c), FE_OK);
	assert_status(cspace_derive(c, b, FE_RIGHTS_ALL, 0, &hb), FE_OK);
	assert_status(cspace_lookup(b, hb, FE_OBJ_NONE, 0, &c), FE_OK);
	assert_status(cspace_derive(c, c3, FE_RIGHT_READ, 0, &hc), FE_OK);
	assert_status(cspace_revoke(a, h, &n), FE_OK);
	assert_int_equal(n, 2);
	assert_status(cspace_lookup(b, hb, FE_OBJ_NONE, 0, &c), FE_ERR_BAD_HANDLE);
	assert_status(cspace_lookup(c3, hc, FE_OBJ_NONE, 0, &c), FE_ERR_BAD_HANDLE);
	assert_status(cspace_lookup(b, other, FE_OBJ_NONE, 0, &c), FE_OK);
	assert_int_equal(b->count, 1);
	assert_int_equal(c3->count, 0);
	done(a), done(b), done(c3);
}

static void revoke_deep_and_wide_trees(void **state)
{
	(void)state;
	const unsigned n = 100000;
	struct cspace *a = table(CSPACE_MAX_CHUNKS * CSPACE_CHUNK_SLOTS);
	struct cspace *b = table(CSPACE_MAX_CHUNKS * CSPACE_CHUNK_SLOTS);
	struct cspace *w = table(CSPACE_MAX_CHUNKS * CSPACE_CHUNK_SLOTS);
	fe_handle_t root, h;
	struct cap *c, *rc;
	uint64_t removed = 0;

	assert_status(cspace_insert(a, &obj_a, FE_OBJ_VMO, FE_RIGHTS_ALL, 0, &root), FE_OK);
	assert_status(cspace_lookup(a, root, FE_OBJ_NONE, 0, &rc), FE_OK);
	c = rc;
	for (unsigned i = 0; i < n / 2; i++) { /* a chain, alternating tables */
		assert_status(cspace_derive(c, i % 2 ? a : b, FE_RIGHTS_ALL, 0, &h), FE_OK);
		assert_status(cspace_lookup(i % 2 ? a : b, h, FE_OBJ_NONE, 0, &c), FE_OK);
	}
	for (unsigned i = 0; i < n / 2; i++) /* and a fan */
		assert_status(cspace_derive(rc, w, FE_RIGHT_READ, 0, &h), FE_OK);
	assert_status(cspace_revoke(a, root, &removed), FE_OK);
	assert_int_equal(removed, n);
	assert_int_equal(a->count, 1);
	assert_int_equal(b->count, 0);
	assert_int_equal(w->count, 0);
	assert_int_equal(es.refs, 1);
	done(a), done(b), done(w);
}

static void table_full_and_no_memory(void **state)
{
	(void)state;
	struct cspace *cs = table(3);
	fe_handle_t h[4];
	struct cap *c;

	for (int i = 0; i < 3; i++)
		assert_status(cspace_insert(cs, &obj_a, FE_OBJ_VMO, FE_RIGHTS_ALL, 0, &h[i]), FE_OK);
	assert_status(cspace_insert(cs, &obj_a, FE_OBJ_VMO, FE_RIGHTS_ALL, 0, &h[3]), FE_ERR_NO_RESOURCES);
	assert_status(cspace_lookup(cs, h[0], FE_OBJ_NONE, 0, &c), FE_OK);
	assert_status(cspace_derive(c, cs, FE_RIGHTS_ALL, 0, &h[3]), FE_ERR_NO_RESOURCES);
	assert_int_equal(es.refs, 3);
	done(cs);

	struct cspace *cs2 = table(1024);
	es.fail_alloc = 1;
	assert_status(cspace_insert(cs2, &obj_a, FE_OBJ_VMO, FE_RIGHTS_ALL, 0, &h[0]), FE_ERR_NO_MEMORY);
	assert_int_equal(cs2->count, 0);
	es.fail_alloc = 0;
	assert_status(cspace_insert(cs2, &obj_a, FE_OBJ_VMO, FE_RIGHTS_ALL, 0, &h[0]), FE_OK);
	done(cs2);
}

static void destroy_keeps_children_elsewhere(void **state)
{
	(void)state;
	struct cspace *a = table(1024), *b = table(1024);
	fe_handle_t h, hb;
	struct cap *c;

	assert_status(cspace_insert(a, &obj_a, FE_OBJ_VMO, FE_RIGHTS_ALL, 0, &h), FE_OK);
	assert_status(cspace_lookup(a, h, FE_OBJ_NONE, 0, &c), FE_OK);
	assert_status(cspace_derive(c, b, FE_RIGHT_READ, 0, &hb), FE_OK);
	cspace_destroy(a);
	assert_int_equal(a->count, 0);
	assert_status(cspace_lookup(b, hb, FE_OBJ_NONE, 0, &c), FE_OK);
	assert_null(c->parent);
	assert_int_equal(es.refs, 1);
	done(a), done(b);
}

static void generation_wrap_retires_slot(void **state)
{
	(void)state;
	struct cspace *cs = table(1024);
	fe_handle_t h, h2;
	struct cap *c;

	assert_status(cspace_insert(cs, &obj_a, FE_OBJ_VMO, FE_RIGHTS_ALL, 0, &h), FE_OK);
	assert_status(cspace_lookup(cs, h, FE_OBJ_NONE, 0, &c), FE_OK);
	c->gen = 0xffffffffu; /* as if freed and reused 2^32 - 2 times */
	h = cspace_handle_of(c);
	assert_status(cspace_delete(cs, h), FE_OK);
	assert_status(cspace_insert(cs, &obj_a, FE_OBJ_VMO, FE_RIGHTS_ALL, 0, &h2), FE_OK);
	assert_true(FE_HANDLE_INDEX(h2) != FE_HANDLE_INDEX(h));
	assert_status(cspace_lookup(cs, h, FE_OBJ_NONE, 0, &c), FE_ERR_BAD_HANDLE);
	done(cs);
}

static struct cap *cap_of(struct cspace *cs, fe_handle_t h)
{
	struct cap *c = NULL;

	assert_status(cspace_lookup(cs, h, FE_OBJ_NONE, 0, &c), FE_OK);
	return c;
}

/* Revoke undoes what was made through every removed capability, and only that. */
static void revoke_undoes_dependents(void **state)
{
	(void)state;
	struct cspace *a = table(1024), *b = table(1024);
	struct cap_dep on_root = { 0 }, on_child = { 0 }, on_grand = { 0 }, on_other = { 0 };
	fe_handle_t root, child, grand, other;

	assert_status(cspace_insert(a, &obj_a, FE_OBJ_VMO, FE_RIGHTS_ALL, 0, &root), FE_OK);
	assert_status(cspace_insert(b, &obj_b, FE_OBJ_VMO, FE_RIGHTS_ALL, 0, &other), FE_OK);
	assert_status(cspace_derive(cap_of(a, root), b, FE_RIGHTS_ALL, 0, &child), FE_OK);
	assert_status(cspace_derive(cap_of(b, child), a, FE_RIGHT_READ, 0, &grand), FE_OK);
	cspace_dep_attach(cap_of(a, root), &on_root);
	cspace_dep_attach(cap_of(b, child), &on_child);
	cspace_dep_attach(cap_of(a, grand), &on_grand);
	cspace_dep_attach(cap_of(b, other), &on_other);
	assert_status(cspace_revoke(a, root, NULL), FE_OK);
	assert_int_equal(nrevoked, 2);
	assert_true((revoked[0] == &on_grand && revoked[1] == &on_child) ||
	            (revoked[0] == &on_child && revoked[1] == &on_grand));
	assert_ptr_equal(on_root.cap, cap_of(a, root)); /* the revoked capability keeps its own */
	assert_ptr_equal(on_other.cap, cap_of(b, other));
	done(a), done(b);
	assert_int_equal(nrevoked, 2); /* destroying tables deletes: nothing undone */
}

/* Deleting moves dependents to the parent, so an older revoke still reaches them. */
static void delete_moves_dependents_up(void **state)
{
	(void)state;
	struct cspace *a = table(1024), *b = table(1024);
	struct cap_dep d1 = { 0 }, d2 = { 0 }, orphan = { 0 };
	fe_handle_t root, mid, leaf, lone;

	assert_status(cspace_insert(a, &obj_a, FE_OBJ_VMO, FE_RIGHTS_ALL, 0, &root), FE_OK);
	assert_status(cspace_derive(cap_of(a, root), b, FE_RIGHTS_ALL, 0, &mid), FE_OK);
	assert_status(cspace_derive(cap_of(b, mid), b, FE_RIGHTS_ALL, 0, &leaf), FE_OK);
	cspace_dep_attach(cap_of(b, leaf), &d1);
	cspace_dep_attach(cap_of(b, leaf), &d2);
	assert_status(cspace_delete(b, leaf), FE_OK);
	assert_ptr_equal(d1.cap, cap_of(b, mid));
	assert_ptr_equal(d2.cap, cap_of(b, mid));
	assert_status(cspace_delete(b, mid), FE_OK);
	assert_ptr_equal(d1.cap, cap_of(a, root));
	assert_int_equal(nrevoked, 0);
	cspace_dep_detach(&d2); /* its owner went away by itself */
	assert_null(d2.cap);
	cspace_dep_detach(&d2); /* detaching twice is harmless */
	/* A root's dependents are forgotten when it is deleted. */
	assert_status(cspace_insert(b, &obj_b, FE_OBJ_VMO, FE_RIGHTS_ALL, 0, &lone), FE_OK);
	cspace_dep_attach(cap_of(b, lone), &orphan);
	assert_status(cspace_delete(b, lone), FE_OK);
	assert_null(orphan.cap);
	/* d1 now hangs off root, whose revoke leaves it: it was made through root. */
	assert_status(cspace_revoke(a, root, NULL), FE_OK);
	assert_int_equal(nrevoked, 0);
	assert_ptr_equal(d1.cap, cap_of(a, root));
	cspace_dep_detach(&d1);
	assert_null(cap_of(a, root)->deps);
	done(a), done(b);
}

/* A dependent moved up from a deleted grandchild is undone by the grandparent's revoke. */
static void revoke_reaches_moved_dependents(void **state)
{
	(void)state;
	struct cspace *a = table(1024), *b = table(1024);
	struct cap_dep d = { 0 };
	fe_handle_t root, mid, leaf;

	assert_status(cspace_insert(a, &obj_a, FE_OBJ_VMO, FE_RIGHTS_ALL, 0, &root), FE_OK);
	assert_status(cspace_derive(cap_of(a, root), b, FE_RIGHTS_ALL, 0, &mid), FE_OK);
	assert_status(cspace_derive(cap_of(b, mid), b, FE_RIGHTS_ALL, 0, &leaf), FE_OK);
	cspace_dep_attach(cap_of(b, leaf), &d);
	assert_status(cspace_delete(b, leaf), FE_OK);
	assert_status(cspace_revoke(a, root, NULL), FE_OK);
	assert_int_equal(nrevoked, 1);
	assert_ptr_equal(revoked[0], &d);
	assert_null(d.cap);
	assert_int_equal(b->count, 0);
	done(a), done(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(insert_and_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(forged_handles, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_after_delete_and_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(derive_rights_and_badges, setup, teardown),
		cmocka_unit_test_setup_teardown(delete_reparents_children, setup, teardown),
		cmocka_unit_test_setup_teardown(revoke_across_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(revoke_deep_and_wide_trees, setup, teardown),
		cmocka_unit_test_setup_teardown(table_full_and_no_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(destroy_keeps_children_elsewhere, setup, teardown),
		cmocka_unit_test_setup_teardown(generation_wrap_retires_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(revoke_undoes_dependents, setup, teardown),
		cmocka_unit_test_setup_teardown(delete_moves_dependents_up, setup, teardown),
		cmocka_unit_test_setup_teardown(revoke_reaches_moved_dependents, setup, teardown),
	};
	return cmocka_run_group_tests_name("cspace", tests, NULL, NULL);
}
