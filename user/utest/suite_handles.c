/* SPDX-License-Identifier: MIT */
/* Handles and rights: duplicate, delete, revoke, grant, forged and stale. */
#include "ut.h"

static fe_handle_t new_vmo(void)
{
	fe_handle_t h = FE_HANDLE_INVALID;
	fe_vmo_create(4096, &h);
	return h;
}

static void dup_with_fewer_rights(struct ut *t)
{
	fe_handle_t v = new_vmo(), d;
	struct fe_handle_info a, b;

	UT_OK(t, fe_handle_dup(v, FE_RIGHT_READ | FE_RIGHT_DUPLICATE, 0, &d));
	UT_OK(t, fe_handle_info(v, &a));
	UT_OK(t, fe_handle_info(d, &b));
	UT_EXPECT(t, a.koid == b.koid && b.type == FE_OBJ_VMO);
	UT_EXPECT_ST(t, b.rights, FE_RIGHT_READ | FE_RIGHT_DUPLICATE);
	UT_EXPECT(t, d != v);
	fe_handle_delete(d);
	fe_handle_delete(v);
}

static void dup_with_more_rights_is_refused(struct ut *t)
{
	fe_handle_t v = new_vmo(), d, e = FE_HANDLE_INVALID;

	UT_OK(t, fe_handle_dup(v, FE_RIGHT_READ | FE_RIGHT_DUPLICATE, 0, &d));
	UT_EXPECT_ST(t, fe_handle_dup(d, FE_RIGHT_READ | FE_RIGHT_WRITE, 0, &e), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_ST(t, e, FE_HANDLE_INVALID);
	UT_EXPECT_ST(t, fe_handle_dup(v, 1u << 20, 0, &e), FE_ERR_INVALID_ARG);
	fe_handle_t nodup;
	UT_OK(t, fe_handle_dup(v, FE_RIGHT_READ, 0, &nodup));
	UT_EXPECT_ST(t, fe_handle_dup(nodup, FE_RIGHT_READ, 0, &e), FE_ERR_ACCESS_DENIED);
	fe_handle_delete(nodup);
	fe_handle_delete(d);
	fe_handle_delete(v);
}

static void forged_handles_are_refused(struct ut *t)
{
	struct fe_handle_info info;
	fe_handle_t v = new_vmo();
	const fe_handle_t forged[] = {
		0, 1, 0xffffffffffffffffULL, FE_HANDLE_MAKE(5000, 1), FE_HANDLE_MAKE(FE_HANDLE_INDEX(v), 77),
		v | (1ULL << 60), 0x123456789abcULL,
	};

	for (unsigned i = 0; i < sizeof(forged) / sizeof(forged[0]); i++)
		UT_EXPECT_ST(t, fe_handle_info(forged[i], &info), FE_ERR_BAD_HANDLE);
	UT_EXPECT_ST(t, fe_vmo_write(forged[3], 0, &info, 8), FE_ERR_BAD_HANDLE);
	fe_handle_delete(v);
}

static void stale_handle_after_delete(struct ut *t)
{
	struct fe_handle_info info;
	fe_handle_t v = new_vmo(), w;

	UT_OK(t, fe_handle_delete(v));
	UT_EXPECT_ST(t, fe_handle_info(v, &info), FE_ERR_BAD_HANDLE);
	UT_EXPECT_ST(t, fe_handle_delete(v), FE_ERR_BAD_HANDLE);
	w = new_vmo(); /* likely reuses the slot, with a new generation */
	UT_EXPECT(t, w != v);
	UT_EXPECT_ST(t, fe_handle_info(v, &info), FE_ERR_BAD_HANDLE);
	fe_handle_delete(w);
}

static void wrong_type_and_missing_rights(struct ut *t)
{
	fe_handle_t v = new_vmo(), ro;
	struct fe_msg m = { 0 };
	uint64_t x = 0;

	UT_EXPECT_ST(t, fe_call(v, &m), FE_ERR_WRONG_TYPE);
	UT_OK(t, fe_handle_dup(v, FE_RIGHT_READ, 0, &ro));
	UT_EXPECT_ST(t, fe_vmo_write(ro, 0, &x, sizeof(x)), FE_ERR_ACCESS_DENIED);
	UT_OK(t, fe_vmo_read(ro, 0, &x, sizeof(x)));
	fe_handle_delete(ro);
	fe_handle_delete(v);
}

static void revoke_removes_derived(struct ut *t)
{
	fe_handle_t v = new_vmo(), a, b, c;
	uint64_t removed = 0;
	struct fe_handle_info info;

	UT_OK(t, fe_handle_dup(v, FE_RIGHTS_ALL & ~FE_RIGHT_EXECUTE, 0, &a));
	UT_OK(t, fe_handle_dup(a, FE_RIGHT_READ | FE_RIGHT_DUPLICATE, 0, &b));
	UT_OK(t, fe_handle_dup(b, FE_RIGHT_READ, 0, &c));
	UT_OK(t, fe_handle_revoke(v, &removed));
	UT_EXPECT_ST(t, removed, 3);
	UT_EXPECT_ST(t, fe_handle_info(a, &info), FE_ERR_BAD_HANDLE);
	UT_EXPECT_ST(t, fe_handle_info(c, &info), FE_ERR_BAD_HANDLE);
	UT_OK(t, fe_handle_info(v, &info)); /* the revoked capability itself stays */
	fe_handle_t norev;
	UT_OK(t, fe_handle_dup(v, FE_RIGHT_READ | FE_RIGHT_DUPLICATE, 0, &norev));
	UT_EXPECT_ST(t, fe_handle_revoke(norev, &removed), FE_ERR_ACCESS_DENIED);
	fe_handle_delete(v);
	/* After the root is deleted, its child survives and is still usable. */
	UT_OK(t, fe_handle_info(norev, &info));
	fe_handle_delete(norev);
}

static void revoke_reaches_other_processes(struct ut *t)
{
	fe_handle_t v = new_vmo(), child;
	struct fe_exit_status st;

	UT_OK(t, ut_spawn_role("holder", "", FE_HANDLE_INVALID, v, 0, &child));
	fe_thread_sleep(10000000);
	UT_OK(t, fe_handle_revoke(v, NULL));
	UT_OK(t, ut_wait(child, &st));
	UT_EXPECT_ST(t, st.reason, FE_EXIT_NORMAL);
	UT_EXPECT_ST(t, st.code, 0);
	fe_handle_delete(child);
	fe_handle_delete(v);
}

static void badges_follow_the_rules(struct ut *t)
{
	fe_handle_t ep, b1, b2;
	struct fe_handle_info info;

	UT_OK(t, fe_endpoint_create(&ep));
	UT_OK(t, fe_handle_dup(ep, FE_RIGHTS_ALL, 42, &b1));
	UT_OK(t, fe_handle_info(b1, &info));
	UT_EXPECT_ST(t, info.badge, 42);
	UT_EXPECT_ST(t, fe_handle_dup(b1, FE_RIGHTS_ALL, 43, &b2), FE_ERR_ACCESS_DENIED);
	UT_OK(t, fe_handle_dup(b1, FE_RIGHT_WRITE, 0, &b2));
	UT_OK(t, fe_handle_info(b2, &info));
	UT_EXPECT_ST(t, info.badge, 42);
	fe_handle_delete(b2);
	fe_handle_delete(b1);
	fe_handle_delete(ep);
}

static void bad_out_pointers(struct ut *t)
{
	fe_handle_t v = new_vmo();

	UT_EXPECT_ST(t, fe_handle_info(v, NULL), FE_ERR_FAULT);
	UT_EXPECT_ST(t, fe_handle_info(v, (void *)0xffff800000001000ULL), FE_ERR_FAULT);
	UT_EXPECT_ST(t, fe_handle_info(v, (void *)0x7ffffffff000ULL), FE_ERR_FAULT);
	UT_EXPECT_ST(t, fe_vmo_create(4096, (fe_handle_t *)0x20000), FE_ERR_FAULT);
	UT_EXPECT_ST(t, fe_syscall6(FE_SYS_COUNT + 7, 0, 0, 0, 0, 0, 0), FE_ERR_BAD_SYSCALL);
	fe_handle_delete(v);
}

static const struct ut_case cases[] = {
	{ "dup_with_fewer_rights", dup_with_fewer_rights },
	{ "dup_with_more_rights_is_refused", dup_with_more_rights_is_refused },
	{ "forged_handles_are_refused", forged_handles_are_refused },
	{ "stale_handle_after_delete", stale_handle_after_delete },
	{ "wrong_type_and_missing_rights", wrong_type_and_missing_rights },
	{ "revoke_removes_derived", revoke_removes_derived },
	{ "revoke_reaches_other_processes", revoke_reaches_other_processes },
	{ "badges_follow_the_rules", badges_follow_the_rules },
	{ "bad_out_pointers", bad_out_pointers },
};
const struct ut_suite suite_handles = { "handles", UT_CASES(cases) };
