/* SPDX-License-Identifier: MIT */
/*
 * What services get: exactly the start slots their manifest names (with
 * the rights fe_supervisor_cap_rights allows), their endpoint and, for a
 * `device` line, a pci-device; nothing else. And the order they start in.
 */
#include "svctest.h"

/* Services running from the start whose slots are checked (svctest itself
 * through its own table). `disk` has a `device` line. */
static const char *const checked[] = { "echo", "top", "mid", "base", "disk" };

static uint32_t cap_type(enum fe_manifest_cap c)
{
	static const uint32_t types[FE_MANIFEST_CAP_COUNT] = {
		[FE_MANIFEST_CAP_CONSOLE] = FE_OBJ_CONSOLE,   [FE_MANIFEST_CAP_INITRD] = FE_OBJ_VMO,
		[FE_MANIFEST_CAP_TRACE] = FE_OBJ_TRACE,       [FE_MANIFEST_CAP_IOPORT_COM1] = FE_OBJ_IOPORT,
		[FE_MANIFEST_CAP_IRQ_COM1] = FE_OBJ_IRQ,      [FE_MANIFEST_CAP_HPET] = FE_OBJ_MMIO,
		[FE_MANIFEST_CAP_PCI_ROOT] = FE_OBJ_PCI_ROOT, [FE_MANIFEST_CAP_SUPERVISOR] = FE_OBJ_ENDPOINT,
		[FE_MANIFEST_CAP_IOPORT_COM2] = FE_OBJ_IOPORT,
	};
	return types[c];
}

/* One slot word (type | rights << 8) against what may be there. */
static void expect_slot(struct test *t, const char *who_, unsigned slot, uint64_t word,
                        uint32_t type, uint32_t rights_max)
{
	uint32_t got_type = (uint32_t)(word & 0xff), rights = (uint32_t)(word >> 8);

	if (type == FE_OBJ_NONE) {
		CHECK(t, word == 0, "%s: slot %u holds type %u rights %#x, which its manifest does "
		      "not give", who_, slot, got_type, rights);
		return;
	}
	CHECK(t, got_type == type, "%s: slot %u: type %u, want %u", who_, slot, got_type, type);
	CHECK(t, rights != 0 && (rights & ~rights_max) == 0,
	      "%s: slot %u: rights %#x, want a subset of %#x", who_, slot, rights, rights_max);
}

/* Every slot of one service against its row. */
static void expect_slots(struct test *t, const struct fe_supervisor_row *row, const uint64_t *slots,
                         bool has_device)
{
	uint32_t type[FE_START_SLOTS] = { 0 }, rights[FE_START_SLOTS] = { 0 };

	type[FE_START_SELF] = FE_OBJ_PROCESS;
	rights[FE_START_SELF] = FE_RIGHTS_ALL;
	type[FE_START_ENDPOINT] = FE_OBJ_ENDPOINT;
	rights[FE_START_ENDPOINT] = FE_RIGHT_READ;
	for (unsigned c = 0; c < FE_MANIFEST_CAP_COUNT; c++) {
		if (!(row->caps & (1u << c)))
			continue;
		type[fe_supervisor_cap_slot(c)] = cap_type(c);
		rights[fe_supervisor_cap_slot(c)] = fe_supervisor_cap_rights(c);
	}
	if (has_device) {
		type[FE_SERVICE_SLOT_DEVICE] = FE_OBJ_PCI_DEVICE;
		rights[FE_SERVICE_SLOT_DEVICE] = FE_RIGHT_READ | FE_RIGHT_WRITE | FE_RIGHT_MANAGE;
	}
	for (unsigned s = 0; s < FE_START_SLOTS; s++)
		expect_slot(t, row->name, s, slots[s], type[s], rights[s]);
	CHECK_EQ(t, (slots[FE_START_ENDPOINT] >> 8), FE_RIGHT_READ);
}

/* svctest's own table, as WHO would report it. */
static void own_slots(uint64_t *slots)
{
	struct fe_handle_info hi;

	for (unsigned s = 0; s < FE_START_SLOTS; s++) {
		fe_handle_t h = fe_start_handle(s);
		slots[s] = h != FE_HANDLE_INVALID && fe_handle_info(h, &hi) == FE_OK
		                   ? hi.type | (uint64_t)hi.rights << 8 : 0;
	}
}

void caps_match_the_manifest(struct test *t)
{
	struct fe_supervisor_row row;
	uint64_t slots[FE_START_SLOTS], koid;
	fe_handle_t ep;

	if (row_of(t, "svctest", &row)) {
		CHECK_EQ(t, row.caps, (1u << FE_MANIFEST_CAP_CONSOLE) | (1u << FE_MANIFEST_CAP_TRACE) |
		                      (1u << FE_MANIFEST_CAP_SUPERVISOR));
		own_slots(slots);
		expect_slots(t, &row, slots, false);
	}
	for (size_t i = 0; i < ARRAY_SIZE(checked); i++) {
		bool device = strcmp(checked[i], "disk") == 0;
		if (!wait_state(t, checked[i], FE_SUPERVISOR_RUNNING, &row) ||
		    !connect_to(t, checked[i], &ep))
			continue;
		if (who(t, ep, &koid, slots))
			expect_slots(t, &row, slots, device);
		fe_handle_delete(ep);
	}
}

/* A client's capability carries FE_SERVICE_BADGE_CLIENT, and only the
 * supervisor's badge may ask for a fault; nor can a client mint that badge. */
void clients_cannot_crash(struct test *t)
{
	struct fe_handle_info hi = { 0 };
	fe_handle_t ep, forged;
	uint64_t k0, k1;

	if (!connect_to(t, "echo", &ep))
		return;
	if (CHECK_OK(t, fe_handle_info(ep, &hi)))
		CHECK_EQ(t, hi.badge, FE_SERVICE_BADGE_CLIENT);
	struct fe_msg m = fe_msg_make(FE_SERVICE_CRASH, 3, 0);
	m.w[0] = FE_FAULT_NULL;
	if (who(t, ep, &k0, NULL) && CHECK_OK(t, fe_call(ep, &m)))
		CHECK(t, fe_service_status(&m) == FE_ERR_ACCESS_DENIED, "a client's crash request: %s",
		      fe_status_name(fe_service_status(&m)));
	if (who(t, ep, &k1, NULL))
		CHECK_EQ(t, k1, k0);
	fe_status_t st = fe_handle_dup(ep, FE_RIGHT_WRITE, FE_SERVICE_BADGE_SUPERVISOR, &forged);
	CHECK(t, st != FE_OK, "a client re-badged its capability");
	if (st == FE_OK)
		fe_handle_delete(forged);
	fe_handle_delete(ep);
}

/* Every started service started after all it depends on; top, mid and base
 * come in the file in the reverse of their dependency order. */
void start_order_follows_dependencies(struct test *t)
{
	struct fe_supervisor_row rows[FE_MANIFEST_SERVICES_MAX];
	uint32_t n = 0;
	fe_status_t st;

	while (n < FE_MANIFEST_SERVICES_MAX && (st = fe_supervisor_list(ctl, n, &rows[n])) == FE_OK)
		n++;
	CHECK(t, n >= 3, "only %u services listed", n);
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t d = 0; d < n; d++)
			if (((rows[i].depends >> d) & 1u) && rows[i].start_seq != 0) /* never started: no order */
				CHECK(t, rows[d].start_seq != 0 && rows[d].start_seq < rows[i].start_seq,
				      "%s (start %u) depends on %s (start %u)", rows[i].name,
				      rows[i].start_seq, rows[d].name, rows[d].start_seq);
	struct fe_supervisor_row top, mid, base;
	if (row_of(t, "top", &top) && row_of(t, "mid", &mid) && row_of(t, "base", &base)) {
		CHECK(t, top.index < mid.index && mid.index < base.index,
		      "the manifest lists top, mid, base in that order");
		CHECK(t, base.start_seq < mid.start_seq && mid.start_seq < top.start_seq,
		      "start order base %u, mid %u, top %u", base.start_seq, mid.start_seq,
		      top.start_seq);
	}
}
