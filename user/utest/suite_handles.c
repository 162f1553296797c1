/* SPDX-License-Identifier: MIT */
/* Handles and rights: info, duplicate, delete, revoke, grant, badges,
 * forged and stale values. */
#include "ut.h"

#define RW_MAP (FE_RIGHT_READ | FE_RIGHT_WRITE | FE_RIGHT_MAP)

static fe_handle_t new_vmo(struct ut *t)
{
	fe_handle_t h = FE_HANDLE_INVALID;

	UT_EXPECT_OK(t, fe_vmo_create(PAGE, &h));
	return h;
}

static void expect_type_rights(struct ut *t, fe_handle_t h, uint32_t type, uint32_t rights)
{
	struct fe_handle_info info = { 0 };

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_handle_info(h, &info)));
	UT_EXPECT_EQ(t, info.type, type);
	UT_EXPECT_MSG(t, (info.rights & rights) == rights, "rights %#x lack some of %#x",
	              info.rights, rights);
	UT_EXPECT_NE(t, info.koid, 0);
}

static void handle_info_reports_start_capabilities(struct ut *t)
{
	static const struct { unsigned slot; uint32_t type; } slots[] = {
		{ FE_START_SELF, FE_OBJ_PROCESS },    { FE_START_CONSOLE, FE_OBJ_CONSOLE },
		{ FE_START_INITRD, FE_OBJ_VMO },      { FE_START_TRACE, FE_OBJ_TRACE },
		{ FE_START_IOPORT_COM1, FE_OBJ_IOPORT }, { FE_START_IRQ_COM1, FE_OBJ_IRQ },
		{ FE_START_MMIO_HPET, FE_OBJ_MMIO },  { FE_START_PCI_ROOT, FE_OBJ_PCI_ROOT },
		{ FE_START_IOPORT_COM2, FE_OBJ_IOPORT },
	};

	for (size_t i = 0; i < ARRAY_SIZE(slots); i++)
		if (ut_slot(slots[i].slot) != FE_HANDLE_INVALID)
			expect_type_rights(t, ut_slot(slots[i].slot), slots[i].type, 0);
	expect_type_rights(t, fe_self, FE_OBJ_PROCESS,
	                   FE_RIGHT_MANAGE | FE_RIGHT_READ | FE_RIGHT_WAIT | FE_RIGHT_DUPLICATE);
}

/* Objects come with the rights that apply to them (at least these). */
static void created_objects_have_their_rights(struct ut *t)
{
	const uint32_t common = FE_RIGHT_DUPLICATE | FE_RIGHT_TRANSFER | FE_RIGHT_REVOKE;
	fe_handle_t v = FE_HANDLE_INVALID, e = FE_HANDLE_INVALID, n = FE_HANDLE_INVALID, p;

	UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v));
	UT_EXPECT_OK(t, fe_endpoint_create(&e));
	UT_EXPECT_OK(t, fe_notif_create(&n));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_process_create("rights", 6, 1 << 20, &p)));
	expect_type_rights(t, v, FE_OBJ_VMO, common | RW_MAP | FE_RIGHT_EXECUTE);
	expect_type_rights(t, e, FE_OBJ_ENDPOINT, common | FE_RIGHT_READ | FE_RIGHT_WRITE);
	expect_type_rights(t, n, FE_OBJ_NOTIFICATION, common | FE_RIGHT_SIGNAL | FE_RIGHT_WAIT);
	expect_type_rights(t, p, FE_OBJ_PROCESS,
			   common | FE_RIGHT_MANAGE | FE_RIGHT_READ | FE_RIGHT_WAIT);
	ut_del(t, v);
	ut_del(t, e);
	ut_del(t, n);
	ut_del(t, p);
}

static void dup_narrows_rights(struct ut *t)
{
	fe_handle_t v = new_vmo(t), d = FE_HANDLE_INVALID;
	struct fe_handle_info a = { 0 }, b = { 0 };

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_handle_dup(v, FE_RIGHT_READ | FE_RIGHT_DUPLICATE, 0, &d)));
	UT_EXPECT_OK(t, fe_handle_info(v, &a));
	UT_EXPECT_OK(t, fe_handle_info(d, &b));
	UT_EXPECT_NE(t, d, v);
	UT_EXPECT_EQ(t, b.koid, a.koid);
	UT_EXPECT_EQ(t, b.type, FE_OBJ_VMO);
	UT_EXPECT_EQ(t, b.rights, FE_RIGHT_READ | FE_RIGHT_DUPLICATE);
	ut_del(t, d);
	ut_del(t, v);
}

static void dup_with_more_rights_refused(struct ut *t)
{
	fe_handle_t v = new_vmo(t), d, e = FE_HANDLE_INVALID, nodup;

	d = ut_dup(t, v, FE_RIGHT_READ | FE_RIGHT_DUPLICATE);
	UT_EXPECT_STATUS(t, fe_handle_dup(d, FE_RIGHT_READ | FE_RIGHT_WRITE, 0, &e),
			 FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_handle_dup(d, FE_RIGHTS_ALL, 0, &e), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_EQ(t, e, FE_HANDLE_INVALID);
	UT_EXPECT_STATUS(t, fe_handle_dup(v, 1u << 20, 0, &e), FE_ERR_INVALID_ARG);
	nodup = ut_dup(t, v, FE_RIGHT_READ);
	UT_EXPECT_STATUS(t, fe_handle_dup(nodup, FE_RIGHT_READ, 0, &e), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_handle_dup(nodup, 0, 0, &e), FE_ERR_ACCESS_DENIED);
	ut_del(t, nodup);
	ut_del(t, d);
	ut_del(t, v);
}

/* Values that are not handles of this process, each refused by every call. */
static void forged_handles_refused(struct ut *t)
{
	fe_handle_t v = new_vmo(t), out;
	struct fe_handle_info info;
	struct fe_msg m = { 0 };
	uint32_t idx = FE_HANDLE_INDEX(v), gen = FE_HANDLE_GEN(v);
	const fe_handle_t forged[] = {
		FE_HANDLE_INVALID,
		FE_HANDLE_MAKE(idx, gen + 1),
		FE_HANDLE_MAKE(idx, gen ^ 0x80000000u),
		FE_HANDLE_MAKE(0xfffff0, gen),
		v | (1ULL << 56),
		v | (1ULL << 63),
		~0ULL,
	};

	for (size_t i = 0; i < ARRAY_SIZE(forged); i++) {
		fe_handle_t f = forged[i];
		UT_EXPECT_STATUS(t, fe_handle_info(f, &info), FE_ERR_BAD_HANDLE);
		UT_EXPECT_STATUS(t, fe_handle_dup(f, FE_RIGHT_READ, 0, &out), FE_ERR_BAD_HANDLE);
		UT_EXPECT_STATUS(t, fe_handle_delete(f), FE_ERR_BAD_HANDLE);
		UT_EXPECT_STATUS(t, fe_vmo_write(f, 0, &info, 8), FE_ERR_BAD_HANDLE);
		UT_EXPECT_STATUS(t, fe_call(f, &m), FE_ERR_BAD_HANDLE);
		UT_EXPECT_STATUS(t, fe_process_kill(f), FE_ERR_BAD_HANDLE);
		UT_EXPECT_STATUS(t, fe_notif_signal(f, 1), FE_ERR_BAD_HANDLE);
	}
	UT_EXPECT_OK(t, fe_handle_info(v, &info)); /* the real one still works */
	ut_del(t, v);
}

static void stale_handle_after_delete(struct ut *t)
{
	struct fe_handle_info info;
	fe_handle_t v = new_vmo(t), w, out;
	uint64_t x = 0;

	UT_EXPECT_OK(t, fe_handle_delete(v));
	UT_EXPECT_STATUS(t, fe_handle_info(v, &info), FE_ERR_BAD_HANDLE);
	UT_EXPECT_STATUS(t, fe_vmo_read(v, 0, &x, 8), FE_ERR_BAD_HANDLE);
	UT_EXPECT_STATUS(t, fe_handle_dup(v, FE_RIGHT_READ, 0, &out), FE_ERR_BAD_HANDLE);
	UT_EXPECT_STATUS(t, fe_handle_delete(v), FE_ERR_BAD_HANDLE);
	w = new_vmo(t); /* may reuse the slot, with a new generation */
	UT_EXPECT_NE(t, w, v);
	UT_EXPECT_STATUS(t, fe_handle_info(v, &info), FE_ERR_BAD_HANDLE);
	UT_EXPECT_OK(t, fe_handle_info(w, &info));
	ut_del(t, w);
}

static void wrong_object_type_refused(struct ut *t)
{
	fe_handle_t v = new_vmo(t), e;
	struct fe_msg m = { 0 };
	uint64_t x = 0;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_endpoint_create(&e)));
	UT_EXPECT_STATUS(t, fe_call(v, &m), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_vmo_read(e, 0, &x, 8), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_notif_signal(v, 1), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_process_kill(e), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_console_write(v, "x", 1), FE_ERR_WRONG_TYPE);
	ut_del(t, e);
	ut_del(t, v);
}

/* Deleting a handle keeps what was derived from it (moved up to its parent). */
static void delete_keeps_derived(struct ut *t)
{
	fe_handle_t v = new_vmo(t), a, b;
	struct fe_handle_info info;
	uint64_t removed = 0, x = 0;

	a = ut_dup(t, v, FE_RIGHT_READ | FE_RIGHT_DUPLICATE);
	b = ut_dup(t, a, FE_RIGHT_READ);
	UT_EXPECT_OK(t, fe_handle_delete(a));
	UT_EXPECT_OK(t, fe_handle_info(b, &info));
	UT_EXPECT_OK(t, fe_vmo_read(b, 0, &x, sizeof(x)));
	UT_EXPECT_OK(t, fe_handle_revoke(v, &removed)); /* b now hangs off v */
	UT_EXPECT_EQ(t, removed, 1);
	UT_EXPECT_STATUS(t, fe_handle_info(b, &info), FE_ERR_BAD_HANDLE);
	ut_del(t, v);
}

static void revoke_removes_derived(struct ut *t)
{
	fe_handle_t v = new_vmo(t), a, b, c, norev;
	struct fe_handle_info info;
	uint64_t removed = 0;

	a = ut_dup(t, v, FE_RIGHTS_ALL & ~FE_RIGHT_EXECUTE);
	b = ut_dup(t, a, FE_RIGHT_READ | FE_RIGHT_DUPLICATE);
	c = ut_dup(t, b, FE_RIGHT_READ);
	UT_EXPECT_OK(t, fe_handle_revoke(v, &removed));
	UT_EXPECT_EQ(t, removed, 3);
	UT_EXPECT_STATUS(t, fe_handle_info(a, &info), FE_ERR_BAD_HANDLE);
	UT_EXPECT_STATUS(t, fe_handle_info(b, &info), FE_ERR_BAD_HANDLE);
	UT_EXPECT_STATUS(t, fe_handle_info(c, &info), FE_ERR_BAD_HANDLE);
	UT_EXPECT_OK(t, fe_handle_info(v, &info)); /* the revoked capability itself stays */
	UT_EXPECT_OK(t, fe_handle_revoke(v, &removed));
	UT_EXPECT_EQ(t, removed, 0);
	norev = ut_dup(t, v, FE_RIGHT_READ | FE_RIGHT_DUPLICATE);
	UT_EXPECT_STATUS(t, fe_handle_revoke(norev, &removed), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_handle_revoke(v, (uint64_t *)0x20000), FE_ERR_FAULT);
	UT_EXPECT_OK(t, fe_handle_info(norev, &info)); /* a failed revoke removed nothing */
	UT_EXPECT_OK(t, fe_handle_revoke(v, NULL)); /* `removed` is optional */
	UT_EXPECT_STATUS(t, fe_handle_info(norev, &info), FE_ERR_BAD_HANDLE);
	ut_del(t, v);
}

/* A child holds a copy granted at spawn; revoking our root takes it away. */
static void revoke_reaches_other_process(struct ut *t)
{
	struct ut_child c = { .role = "holder" };
	fe_handle_t v = new_vmo(t), n, child;
	uint64_t removed = 0, bits = 0;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)));
	c.user[0] = ut_dup(t, v, FE_RIGHT_READ | FE_RIGHT_TRANSFER);
	c.user[1] = n;
	UT_ASSERT(t, UT_EXPECT_OK(t, ut_spawn(&c, &child)));
	/* the holder has looked at its copy */
	UT_WAIT_UNTIL(fe_notif_wait(n, FE_NONBLOCK, &bits) != FE_ERR_WOULD_BLOCK);
	UT_EXPECT_EQ(t, bits, 1);
	UT_EXPECT_OK(t, fe_handle_revoke(v, &removed));
	UT_EXPECT_GE(t, removed, 2); /* our dup and the child's copy */
	ut_expect_exit(t, child, FE_EXIT_NORMAL, 0);
	ut_del(t, n);
	ut_del(t, v);
}

static void badges_follow_the_rules(struct ut *t)
{
	fe_handle_t ep, b1, b2 = FE_HANDLE_INVALID;
	struct fe_handle_info info = { 0 };

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_endpoint_create(&ep)));
	UT_EXPECT_OK(t, fe_handle_info(ep, &info));
	UT_EXPECT_EQ(t, info.badge, 0);
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_handle_dup(ep, FE_RIGHTS_ALL, 42, &b1)));
	UT_EXPECT_OK(t, fe_handle_info(b1, &info));
	UT_EXPECT_EQ(t, info.badge, 42);
	UT_EXPECT_STATUS(t, fe_handle_dup(b1, FE_RIGHT_WRITE, 43, &b2), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_OK(t, fe_handle_dup(b1, FE_RIGHT_WRITE, 0, &b2)); /* a copy keeps the badge */
	UT_EXPECT_OK(t, fe_handle_info(b2, &info));
	UT_EXPECT_EQ(t, info.badge, 42);
	ut_del(t, b2);
	ut_del(t, b1);
	ut_del(t, ep);
}

/* A granted handle is a handle in the target's table, under a new value. */
static void grant_places_handle_in_process(struct ut *t)
{
	struct ut_child c = { .role = "server" };
	fe_handle_t v = new_vmo(t), child, out = FE_HANDLE_INVALID;
	struct fe_handle_info mine = { 0 };
	struct fe_process_info before = { 0 }, after = { 0 };

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_endpoint_create(&c.ep)));
	UT_ASSERT(t, UT_EXPECT_OK(t, ut_spawn(&c, &child)));
	UT_EXPECT_OK(t, fe_handle_info(v, &mine));
	/* One round trip first: the child has set up and waits in recv (on
	 * another CPU it would otherwise still be changing its table). */
	struct fe_msg sync = { .info = FE_MSG_INFO(UT_OP_HANDLE_INFO, 1, 0), .w = { FE_HANDLE_INVALID } };
	UT_EXPECT_OK(t, fe_call(c.ep, &sync));
	UT_EXPECT_OK(t, fe_process_info(child, &before));
	UT_EXPECT_OK(t, fe_handle_grant(child, v, FE_RIGHT_READ | FE_RIGHT_MAP, &out));
	UT_EXPECT_OK(t, fe_process_info(child, &after));
	UT_EXPECT_EQ(t, after.handles, before.handles + 1);
	struct fe_msg m = { .info = FE_MSG_INFO(UT_OP_HANDLE_INFO, 1, 0), .w = { out } };
	UT_EXPECT_OK(t, fe_call(c.ep, &m));
	UT_EXPECT_EQ(t, m.w[0], FE_OK);
	UT_EXPECT_EQ(t, m.w[1], FE_OBJ_VMO);
	UT_EXPECT_EQ(t, m.w[2], FE_RIGHT_READ | FE_RIGHT_MAP);
	UT_EXPECT_EQ(t, m.w[3], mine.koid);
	UT_EXPECT_OK(t, fe_handle_revoke(v, NULL));
	m = (struct fe_msg){ .info = FE_MSG_INFO(UT_OP_HANDLE_INFO, 1, 0), .w = { out } };
	UT_EXPECT_OK(t, fe_call(c.ep, &m));
	UT_EXPECT_EQ(t, m.w[0], (uint64_t)FE_ERR_BAD_HANDLE);
	ut_stop(t, child);
	ut_del(t, c.ep);
	ut_del(t, v);
}

static void grant_checks_rights(struct ut *t)
{
	fe_handle_t v = new_vmo(t), p, p_nomanage, v_notransfer, v_readonly,
		    out = FE_HANDLE_INVALID;
	struct fe_process_info pi = { 0 };

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_process_create("target", 6, 1 << 20, &p)));
	p_nomanage = ut_dup(t, p, FE_RIGHTS_ALL & ~FE_RIGHT_MANAGE);
	v_notransfer = ut_dup(t, v, FE_RIGHT_READ | FE_RIGHT_DUPLICATE);
	v_readonly = ut_dup(t, v, FE_RIGHT_READ | FE_RIGHT_TRANSFER);
	UT_EXPECT_STATUS(t, fe_handle_grant(p_nomanage, v, FE_RIGHT_READ, &out),
			 FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_handle_grant(p, v_notransfer, FE_RIGHT_READ, &out),
			 FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_handle_grant(v, v, FE_RIGHT_READ, &out), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_handle_grant(p, v_readonly, FE_RIGHT_READ | FE_RIGHT_WRITE, &out),
	                 FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_handle_grant(p, v, FE_RIGHT_READ, NULL), FE_ERR_FAULT);
	UT_EXPECT_STATUS(t, fe_handle_grant(p, FE_HANDLE_MAKE(0xfffff0, 1), FE_RIGHT_READ, &out),
	                 FE_ERR_BAD_HANDLE);
	UT_EXPECT_EQ(t, out, FE_HANDLE_INVALID);
	UT_EXPECT_OK(t, fe_process_info(p, &pi));
	UT_EXPECT_EQ(t, pi.handles, 0); /* nothing arrived */
	UT_EXPECT_OK(t, fe_handle_grant(p, v, FE_RIGHT_READ, &out));
	UT_EXPECT_OK(t, fe_process_info(p, &pi));
	UT_EXPECT_EQ(t, pi.handles, 1);
	ut_del(t, v_readonly);
	ut_del(t, v_notransfer);
	ut_del(t, p_nomanage);
	ut_del(t, p);
	ut_del(t, v);
}

UT_SUITE(handles,
	UT_CASE(handle_info_reports_start_capabilities),
	UT_CASE(created_objects_have_their_rights),
	UT_CASE(dup_narrows_rights),
	UT_CASE(dup_with_more_rights_refused),
	UT_CASE(forged_handles_refused),
	UT_CASE(stale_handle_after_delete),
	UT_CASE(wrong_object_type_refused),
	UT_CASE(delete_keeps_derived),
	UT_CASE(revoke_removes_derived),
	UT_CASE(revoke_reaches_other_process),
	UT_CASE(badges_follow_the_rules),
	UT_CASE(grant_places_handle_in_process),
	UT_CASE(grant_checks_rights));
