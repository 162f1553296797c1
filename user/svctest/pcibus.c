/* SPDX-License-Identifier: MIT */
/*
 * The PCI bus service (user/pcibus, include/ferrous/pcibus.h) under the
 * supervisor: what a client may ask of it and what it refuses, a function
 * handed out for driving once, and a pcibus crash under a running driver
 * (`blk`, user/virtio-blk): the driver's device capability, made by the
 * instance that crashed, keeps working, and a new driver instance gets it
 * too.
 */
#include <fe/block.h>
#include <fe/pci.h>
#include <ferrous/pcibus.h>

#include "svctest.h"

#define AHCI_CLASS (0x01u << 16 | 0x06u << 8 | 0x01u)
#define BRIDGE_CLASS (0x06u << 16 | FE_PCIBUS_ANY_PROG_IF)
#define HOST_BRIDGE FE_PCI_ADDR(0, 0, 0, 0)
#define BUF_SIZE (64u << 10)
#define SECTORS 8u

/* One request to pcibus: the call's status, else the answer's. */
static fe_status_t ask(fe_handle_t bus, struct fe_msg *m)
{
	fe_status_t st = fe_call(bus, m);

	return st == FE_OK ? fe_service_status(m) : st;
}

static struct fe_msg get(uint64_t how, uint64_t what, uint64_t instance, uint64_t flags)
{
	struct fe_msg m = fe_msg_make(FE_PCIBUS_GET, 4, 0);

	m.w[0] = how, m.w[1] = what, m.w[2] = instance, m.w[3] = flags;
	return m;
}

/* A read-only view of q35's AHCI controller: its own configuration space,
 * nothing else (no other function's, no write, no BAR). */
static void view_is_read_only(struct test *t, fe_handle_t bus)
{
	struct fe_msg m = get(FE_PCIBUS_MATCH_CLASS, AHCI_CLASS, 0, FE_PCIBUS_READ_ONLY);
	struct fe_pci_bar_info info;
	fe_handle_t dev = FE_HANDLE_INVALID;
	unsigned n = 0;
	uint32_t v = 0;

	if (!CHECK_OK(t, ask(bus, &m)) || !CHECK_OK(t, fe_msg_take_caps(&m, &dev, 1, &n)) ||
	    !CHECK_EQ(t, n, 1))
		return;
	CHECK_OK(t, fe_pci_config_read(dev, FE_PCI_SELF, FE_PCI_CLASS, 1, &v));
	CHECK_EQ(t, v, 0x01);
	CHECK_OK(t, fe_pci_config_read(dev, (uint32_t)m.w[0], FE_PCI_VENDOR_ID, 2, &v));
	CHECK_EQ(t, v, 0x8086);
	CHECK_EQ(t, fe_pci_config_read(dev, HOST_BRIDGE, FE_PCI_VENDOR_ID, 2, &v),
	         FE_ERR_ACCESS_DENIED);
	CHECK_EQ(t, fe_pci_config_write(dev, FE_PCI_COMMAND, 2, 0), FE_ERR_ACCESS_DENIED);
	CHECK_EQ(t, fe_pci_bar(dev, 5, NULL, &info), FE_ERR_ACCESS_DENIED);
	fe_handle_delete(dev);
}

/* Requests a client may not make, or that make no sense: refused with a
 * status, no capability, and pcibus answers the next one. */
static void refusals(struct test *t, fe_handle_t bus)
{
	static const struct {
		uint64_t how, what, instance, flags;
		fe_status_t want;
	} bad[] = {
		{ FE_PCIBUS_MATCH_CLASS, AHCI_CLASS, 0, 0, FE_ERR_ACCESS_DENIED }, /* a driver's */
		{ FE_PCIBUS_MATCH_CLASS, BRIDGE_CLASS, 0, FE_PCIBUS_READ_ONLY, FE_ERR_UNSUPPORTED },
		{ FE_PCIBUS_MATCH_ADDR, HOST_BRIDGE, 0, FE_PCIBUS_READ_ONLY, FE_ERR_UNSUPPORTED },
		{ FE_PCIBUS_MATCH_CLASS, AHCI_CLASS, 200, FE_PCIBUS_READ_ONLY, FE_ERR_NOT_FOUND },
		{ FE_PCIBUS_MATCH_ID, 0x10501af4, 0, FE_PCIBUS_READ_ONLY, FE_ERR_NOT_FOUND },
		{ 0, AHCI_CLASS, 0, FE_PCIBUS_READ_ONLY, FE_ERR_INVALID_ARG },
		{ 9, AHCI_CLASS, 0, FE_PCIBUS_READ_ONLY, FE_ERR_INVALID_ARG },
		{ FE_PCIBUS_MATCH_CLASS, AHCI_CLASS, 0, 0x80, FE_ERR_INVALID_ARG },
		{ FE_PCIBUS_MATCH_CLASS, 1ull << 40, 0, FE_PCIBUS_READ_ONLY, FE_ERR_INVALID_ARG },
		{ FE_PCIBUS_MATCH_ADDR, HOST_BRIDGE, 1, FE_PCIBUS_READ_ONLY, FE_ERR_INVALID_ARG },
		{ FE_PCIBUS_MATCH_ID, 0x29228086, 1ull << 33, FE_PCIBUS_READ_ONLY, FE_ERR_INVALID_ARG },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct fe_msg m = get(bad[i].how, bad[i].what, bad[i].instance, bad[i].flags);
		fe_status_t st = ask(bus, &m);
		CHECK(t, st == bad[i].want && FE_MSG_CAPS(m.info) == 0, "request %zu: %s, %u caps",
		      i, fe_status_name(st), FE_MSG_CAPS(m.info));
	}
	struct fe_msg m = fe_msg_make(99, 0, 0);
	CHECK_EQ(t, ask(bus, &m), FE_ERR_UNSUPPORTED);
	m = fe_msg_make(FE_PCIBUS_BAR, 2, 0);
	m.w[0] = HOST_BRIDGE, m.w[1] = 0;
	CHECK_EQ(t, ask(bus, &m), FE_ERR_UNSUPPORTED);
	m = fe_msg_make(FE_PCIBUS_BAR, 2, 0);
	m.w[0] = 1ull << 40, m.w[1] = 0;
	CHECK_EQ(t, ask(bus, &m), FE_ERR_NOT_FOUND);
	/* A client cannot make a fault happen: only the supervisor's badge can. */
	m = fe_msg_make(FE_SERVICE_CRASH, 3, 0);
	m.w[0] = FE_FAULT_NULL;
	CHECK_EQ(t, ask(bus, &m), FE_ERR_ACCESS_DENIED);
}

/* The list holds q35's host bridge first and the AHCI controller. */
static void lists(struct test *t, fe_handle_t bus)
{
	bool ahci = false;
	uint64_t count = 0;

	for (uint64_t i = 0; i < 64; i++) {
		struct fe_msg m = fe_msg_make(FE_PCIBUS_LIST, 1, 0);
		m.w[0] = i;
		fe_status_t st = ask(bus, &m);
		if (st == FE_ERR_NOT_FOUND) {
			CHECK_EQ(t, i, count);
			break;
		}
		if (!CHECK_OK(t, st))
			return;
		count = m.w[3];
		if (i == 0)
			CHECK_EQ(t, m.w[0], HOST_BRIDGE);
		ahci |= (m.w[1] & 0xffff) == 0x8086 && (m.w[2] >> 8 & 0xffffff) == AHCI_CLASS;
	}
	CHECK(t, count >= 3 && ahci, "%llu functions, AHCI %s", (unsigned long long)count,
	      ahci ? "listed" : "missing");
}

void pcibus_answers_and_refuses(struct test *t)
{
	struct fe_supervisor_row row;
	fe_handle_t bus;

	if (!wait_state(t, "pcibus", FE_SUPERVISOR_RUNNING, &row) || !connect_to(t, "pcibus", &bus))
		return;
	lists(t, bus);
	view_is_read_only(t, bus);
	refusals(t, bus);
	fe_handle_delete(bus);
	/* disk2 asks for the function disk was given: pcibus says it is busy.
	 * (Its one start is over: the supervisor answers rows only after its
	 * first starts.) */
	if (row_of(t, "disk2", &row))
		CHECK(t, row.state == FE_SUPERVISOR_FAILED && row.start_seq == 0 &&
		         row.last.reason == FE_SUPERVISOR_REASON_SPAWN &&
		         row.last.code == FE_ERR_BUSY, "disk2: started %u, last end %s %lld",
		      row.start_seq, fe_supervisor_reason_name(row.last.reason),
		      (long long)row.last.code);
}

static bool round_trip(struct fe_blk *b, uint64_t sector, uint8_t salt)
{
	for (uint64_t i = 0; i < SECTORS * FE_BLK_SECTOR; i++)
		b->buf[i] = (uint8_t)(i * 3 + salt);
	if (fe_blk_write(b, sector, SECTORS, 0) != FE_OK)
		return false;
	memset(b->buf, 0, SECTORS * FE_BLK_SECTOR);
	if (fe_blk_read(b, sector, SECTORS, 0) != FE_OK)
		return false;
	for (uint64_t i = 0; i < SECTORS * FE_BLK_SECTOR; i++)
		if (b->buf[i] != (uint8_t)(i * 3 + salt))
			return false;
	return true;
}

/* How instance koid of name ended, as the supervisor recorded it. */
static bool end_of(struct test *t, const char *name, uint64_t koid, struct fe_supervisor_death *d)
{
	fe_status_t st = fe_supervisor_death(ctl, name, koid, d);

	return CHECK(t, st == FE_OK, "no record of %s's instance %llu: %s", name,
	             (unsigned long long)koid, fe_status_name(st));
}

/* blk's instance koid is still running, or was replaced only because a
 * heartbeat went unanswered (a loaded host; its death record says so):
 * what losing its device would do (a fault or an exit) is a failure. */
static void blk_not_broken(struct test *t, uint64_t koid)
{
	struct fe_supervisor_row row;
	struct fe_supervisor_death d;

	if (!row_of(t, "blk", &row) || row.koid == koid)
		return;
	if (end_of(t, "blk", koid, &d))
		CHECK(t, d.reason == FE_SUPERVISOR_REASON_HANG, "blk (koid %llu) ended: %s",
		      (unsigned long long)koid, fe_supervisor_reason_name(d.reason));
}

/* pcibus crashed (null, through the supervisor) and restarted: blk's
 * instance keeps serving without a restart, and a new blk instance (which
 * gets a fresh copy of the device capability pcibus's dead instance made)
 * claims the device again. Restarts a loaded host adds (a heartbeat
 * missed) are told apart by the supervisor's death records. */
void pcibus_crash_leaves_drivers_working(struct test *t)
{
	struct fe_supervisor_row bus0, bus1, blk0;
	struct fe_supervisor_death d;
	struct fe_blk b;
	fe_handle_t ep;

	if (!wait_state(t, "blk", FE_SUPERVISOR_RUNNING, &blk0) ||
	    !wait_state(t, "pcibus", FE_SUPERVISOR_RUNNING, &bus0) || !connect_to(t, "blk", &ep))
		return;
	if (!CHECK_OK(t, fe_blk_open(ep, BUF_SIZE, &b))) {
		fe_handle_delete(ep);
		return;
	}
	CHECK(t, round_trip(&b, 200, 1), "blk before the crash");
	CHECK_OK(t, fe_supervisor_crash(ctl, "pcibus", FE_FAULT_NULL, 0));
	crashes_injected++;
	do {
		if (!wait_state(t, "pcibus", FE_SUPERVISOR_RUNNING, &bus1))
			goto out;
	} while (bus1.restarts == bus0.restarts);
	if (end_of(t, "pcibus", bus0.koid, &d))
		CHECK(t, d.reason == FE_SUPERVISOR_REASON_FAULT && d.vector == 14,
		      "pcibus ended: %s vector %u", fe_supervisor_reason_name(d.reason), d.vector);
	CHECK(t, round_trip(&b, 208, 2), "blk after pcibus's crash");
	blk_not_broken(t, blk0.koid);
	CHECK_OK(t, fe_supervisor_restart(ctl, "blk"));
	CHECK(t, round_trip(&b, 216, 3), "blk's next instance after pcibus's crash");
out:
	fe_blk_close(&b);
	fe_handle_delete(ep);
	progress();
}
