/* SPDX-License-Identifier: MIT */
/*
 * Endpoints: call/reply in registers and through the IPC buffers, limits,
 * badges and spans, capability transfer (and its revocation), many clients,
 * servers that die mid-call. The other side is `utest role=server`.
 */
#include "ut.h"

struct server {
	fe_handle_t ep, proc;
};

static bool start_server(struct ut *t, struct server *s, fe_handle_t user0)
{
	struct ut_child c = { .role = "server", .user = { user0 } };

	if (!UT_EXPECT_OK(t, fe_endpoint_create(&s->ep)))
		return false;
	c.ep = s->ep;
	if (UT_EXPECT_OK(t, ut_spawn(&c, &s->proc)))
		return true;
	ut_del(t, s->ep);
	return false;
}

static void stop_server(struct ut *t, struct server *s)
{
	struct fe_msg m = { .info = FE_MSG_INFO(UT_OP_EXIT, 0, 0) };

	UT_EXPECT_OK(t, fe_call(s->ep, &m));
	UT_EXPECT_EQ(t, m.info, FE_MSG_INFO(UT_OP_EXIT | UT_REPLY, 1, 0));
	ut_expect_exit(t, s->proc, FE_EXIT_NORMAL, 0);
	ut_del(t, s->ep);
}

static struct fe_msg msg(uint32_t op, unsigned words, unsigned caps)
{
	return fe_msg_make(op, words, caps);
}

static void call_reply_register_words(struct ut *t)
{
	struct server s;
	struct fe_msg m = msg(UT_OP_ECHO, 4, 0);

	UT_ASSERT(t, start_server(t, &s, FE_HANDLE_INVALID));
	m.w[0] = 1, m.w[1] = 2, m.w[2] = 3, m.w[3] = ~0ULL;
	UT_EXPECT_OK(t, fe_call(s.ep, &m));
	UT_EXPECT_EQ(t, m.info, FE_MSG_INFO(UT_OP_ECHO | UT_REPLY, 4, 0));
	UT_EXPECT_EQ(t, m.w[0], 0); /* ~0 + 1 */
	UT_EXPECT_EQ(t, m.w[1], 4);
	UT_EXPECT_EQ(t, m.w[2], 3);
	UT_EXPECT_EQ(t, m.w[3], 2);
	m = msg(UT_OP_ECHO, 1, 0);
	m.w[0] = 41;
	UT_EXPECT_OK(t, fe_call(s.ep, &m));
	UT_EXPECT_EQ(t, m.info, FE_MSG_INFO(UT_OP_ECHO | UT_REPLY, 1, 0));
	UT_EXPECT_EQ(t, m.w[0], 42);
	m = msg(0xfffffffeu, 0, 0); /* labels are 32 bits; the server does not know this one */
	UT_EXPECT_OK(t, fe_call(s.ep, &m));
	UT_EXPECT_EQ(t, m.info, FE_MSG_INFO(UT_OP_BAD, 0, 0));
	stop_server(t, &s);
}

static void long_message_64_words(struct ut *t)
{
	struct server s;
	struct fe_ipc_buffer *b = fe_ipc_buffer();
	struct fe_msg m = msg(UT_OP_ECHO, FE_IPC_MAX_WORDS, 0);
	const unsigned n = FE_IPC_MAX_WORDS;

	UT_ASSERT(t, UT_EXPECT(t, b != NULL) && start_server(t, &s, FE_HANDLE_INVALID));
	for (unsigned i = 0; i < n; i++)
		*(i < FE_IPC_REG_WORDS ? &m.w[i] : &b->words[i]) = 1000 + i;
	UT_EXPECT_OK(t, fe_call(s.ep, &m));
	UT_EXPECT_EQ(t, m.info, FE_MSG_INFO(UT_OP_ECHO | UT_REPLY, n, 0));
	for (unsigned i = 0; i < n; i++) {
		uint64_t got = i < FE_IPC_REG_WORDS ? m.w[i] : b->words[i];
		UT_EXPECT_MSG(t, got == 1000 + (n - 1 - i) + 1, "word %u: got %llu", i,
		              (unsigned long long)got);
	}
	m = msg(UT_OP_ECHO, 5, 0);
	m.w[0] = 7;
	b->words[4] = 9;
	UT_EXPECT_OK(t, fe_call(s.ep, &m));
	UT_EXPECT_EQ(t, m.w[0], 10);
	UT_EXPECT_EQ(t, b->words[4], 8);
	stop_server(t, &s);
}

static void message_limits_and_rights(struct ut *t)
{
	struct server s;
	struct fe_msg m = msg(UT_OP_ECHO, FE_IPC_MAX_WORDS + 1, 0);
	fe_handle_t v, send_only, recv_only;

	UT_ASSERT(t, start_server(t, &s, FE_HANDLE_INVALID));
	UT_EXPECT_STATUS(t, fe_call(s.ep, &m), FE_ERR_INVALID_ARG);
	m = msg(UT_OP_ECHO, 0, FE_IPC_MAX_CAPS + 1);
	UT_EXPECT_STATUS(t, fe_call(s.ep, &m), FE_ERR_INVALID_ARG);
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	m = msg(UT_OP_ECHO, 0, 0);
	UT_EXPECT_STATUS(t, fe_call(v, &m), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_call(FE_HANDLE_MAKE(0xfffff0, 1), &m), FE_ERR_BAD_HANDLE);
	recv_only = ut_dup(t, s.ep, FE_RIGHT_READ);
	send_only = ut_dup(t, s.ep, FE_RIGHT_WRITE);
	UT_EXPECT_STATUS(t, fe_call(recv_only, &m), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, fe_recv(send_only, FE_NONBLOCK, &m), FE_ERR_ACCESS_DENIED);
	UT_EXPECT_OK(t, fe_call(send_only, &m)); /* WRITE is all a call needs */
	ut_del(t, send_only);
	ut_del(t, recv_only);
	ut_del(t, v);
	stop_server(t, &s);
}

static void receiver_sees_badge_and_span(struct ut *t)
{
	struct server s;
	struct fe_msg m = msg(UT_OP_WHO, 3, 0);
	fe_handle_t badged = FE_HANDLE_INVALID;

	UT_ASSERT(t, start_server(t, &s, FE_HANDLE_INVALID));
	UT_EXPECT_OK(t, fe_call(s.ep, &m));
	UT_EXPECT_EQ(t, m.w[0], 0); /* no badge */
	UT_EXPECT_NE(t, m.w[1], 0); /* a span id */
	UT_EXPECT_EQ(t, m.w[2], 3);
	UT_EXPECT_OK(t, fe_handle_dup(s.ep, FE_RIGHT_WRITE, 0x77, &badged));
	m = msg(UT_OP_WHO, 0, 0);
	UT_EXPECT_OK(t, fe_call(badged, &m));
	UT_EXPECT_EQ(t, m.w[0], 0x77);
	UT_EXPECT_NE(t, m.w[1], 0);
	ut_del(t, badged);
	stop_server(t, &s);
}

/* Sends caps[0..n); returns the reply of UT_OP_CAP_INFO. */
static fe_status_t send_caps(struct server *s, const fe_handle_t *caps, unsigned n,
			     struct fe_msg *m)
{
	fe_status_t st;

	*m = msg(UT_OP_CAP_INFO, 0, 0);
	if ((st = fe_msg_attach_caps(m, caps, n)) != FE_OK)
		return st;
	return fe_call(s->ep, m);
}

static uint64_t koid_of(struct ut *t, fe_handle_t h)
{
	struct fe_handle_info info = { 0 };

	UT_EXPECT_OK(t, fe_handle_info(h, &info));
	return info.koid;
}

static void capability_transfer(struct ut *t)
{
	const uint32_t rights =
		FE_RIGHT_READ | FE_RIGHT_WRITE | FE_RIGHT_TRANSFER | FE_RIGHT_DUPLICATE;
	struct server s;
	struct fe_msg m;
	fe_handle_t v, sent;
	uint64_t magic = 0;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)) &&
			     start_server(t, &s, FE_HANDLE_INVALID));
	sent = ut_dup(t, v, rights);
	UT_EXPECT_OK(t, send_caps(&s, &sent, 1, &m));
	UT_EXPECT_EQ(t, m.w[0], 1);
	UT_EXPECT_EQ(t, m.w[1], rights); /* the same rights arrive */
	UT_EXPECT_EQ(t, m.w[2], FE_OBJ_VMO);
	UT_EXPECT_EQ(t, fe_ipc_buffer()->words[4], koid_of(t, v));
	struct fe_msg w = msg(UT_OP_CAP_WRITE, 2, 0);
	w.w[0] = m.w[3], w.w[1] = 0xfeedfacecafeULL;
	UT_EXPECT_OK(t, fe_call(s.ep, &w));
	UT_EXPECT_EQ(t, w.w[0], FE_OK);
	UT_EXPECT_OK(t, fe_vmo_read(v, 0, &magic, sizeof(magic)));
	UT_EXPECT_EQ(t, magic, 0xfeedfacecafeULL); /* written through the server's copy */
	UT_EXPECT_EQ(t, koid_of(t, sent), koid_of(t, v)); /* the sender keeps its own */
	ut_del(t, sent);
	ut_del(t, v);
	stop_server(t, &s);
}

/* W^X through IPC (ADR 0008): a VMO this process maps executable is code
 * for every holder, so the server's vmo_write through its copy is refused. */
static void transferred_code_vmo_stays_unwritable(struct ut *t)
{
	const uint32_t rights = FE_RIGHT_READ | FE_RIGHT_WRITE | FE_RIGHT_MAP | FE_RIGHT_TRANSFER;
	uint64_t va = fe_va_alloc(2 * PAGE), back = 0;
	struct server s;
	struct fe_msg m;
	fe_handle_t v, sent;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)) &&
			     start_server(t, &s, FE_HANDLE_INVALID));
	UT_EXPECT_OK(t, fe_vm_map(fe_self, v, 0, va, PAGE, FE_VM_READ | FE_VM_EXEC));
	sent = ut_dup(t, v, rights);
	UT_EXPECT_OK(t, send_caps(&s, &sent, 1, &m));
	struct fe_msg w = msg(UT_OP_CAP_WRITE, 2, 0);
	w.w[0] = m.w[3], w.w[1] = 0xfeedfacecafeULL;
	UT_EXPECT_OK(t, fe_call(s.ep, &w));
	UT_EXPECT_EQ(t, w.w[0], (uint64_t)FE_ERR_ACCESS_DENIED);
	UT_EXPECT_OK(t, fe_vmo_read(v, 0, &back, sizeof(back)));
	UT_EXPECT_EQ(t, back, 0);
	UT_EXPECT_OK(t, fe_vm_unmap(fe_self, va, PAGE));
	ut_del(t, sent);
	ut_del(t, v);
	stop_server(t, &s);
}

static void four_capabilities_in_one_message(struct ut *t)
{
	struct server s;
	struct fe_msg m;
	fe_handle_t caps[FE_IPC_MAX_CAPS];

	UT_ASSERT(t, start_server(t, &s, FE_HANDLE_INVALID));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &caps[0])) &&
	             UT_EXPECT_OK(t, fe_endpoint_create(&caps[1])) &&
	             UT_EXPECT_OK(t, fe_notif_create(&caps[2])) &&
	             UT_EXPECT_OK(t, fe_vmo_create(PAGE, &caps[3])));
	UT_EXPECT_OK(t, send_caps(&s, caps, FE_IPC_MAX_CAPS, &m));
	UT_EXPECT_EQ(t, m.w[0], FE_IPC_MAX_CAPS);
	UT_EXPECT_EQ(t, FE_MSG_WORDS(m.info), FE_IPC_REG_WORDS + FE_IPC_MAX_CAPS);
	for (unsigned i = 0; i < FE_IPC_MAX_CAPS; i++) {
		UT_EXPECT_EQ(t, fe_ipc_buffer()->words[4 + i], koid_of(t, caps[i]));
		ut_del(t, caps[i]);
	}
	stop_server(t, &s);
}

/* A refused capability refuses the whole message: nothing arrives. */
static void transfer_needs_transfer_right(struct ut *t)
{
	struct server s;
	struct fe_msg m;
	fe_handle_t v, no_transfer, caps[2];

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)) &&
			     start_server(t, &s, FE_HANDLE_INVALID));
	no_transfer = ut_dup(t, v, FE_RIGHT_READ | FE_RIGHT_WRITE);
	caps[0] = v;
	caps[1] = no_transfer;
	UT_EXPECT_STATUS(t, send_caps(&s, caps, 2, &m), FE_ERR_ACCESS_DENIED);
	caps[1] = FE_HANDLE_MAKE(0xfffff0, 1);
	UT_EXPECT_STATUS(t, send_caps(&s, caps, 2, &m), FE_ERR_BAD_HANDLE);
	UT_EXPECT_OK(t, send_caps(&s, caps, 0, &m));
	UT_EXPECT_EQ(t, m.w[3], 0); /* the server holds nothing from the refused sends */
	ut_del(t, no_transfer);
	ut_del(t, v);
	stop_server(t, &s);
}

static void revoke_removes_transferred_copy(struct ut *t)
{
	struct server s;
	struct fe_msg m;
	fe_handle_t v, sent;
	uint64_t removed = 0;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)) &&
			     start_server(t, &s, FE_HANDLE_INVALID));
	sent = ut_dup(t, v, FE_RIGHT_READ | FE_RIGHT_TRANSFER);
	UT_EXPECT_OK(t, send_caps(&s, &sent, 1, &m));
	uint64_t idx = m.w[3];
	m = msg(UT_OP_HELD_INFO, 1, 0);
	m.w[0] = idx;
	UT_EXPECT_OK(t, fe_call(s.ep, &m));
	UT_EXPECT_EQ(t, m.w[0], FE_OK);
	UT_EXPECT_OK(t, fe_handle_revoke(v, &removed));
	UT_EXPECT_EQ(t, removed, 2); /* our dup and the server's copy */
	m = msg(UT_OP_HELD_INFO, 1, 0);
	m.w[0] = idx;
	UT_EXPECT_OK(t, fe_call(s.ep, &m));
	UT_EXPECT_EQ(t, m.w[0], (uint64_t)FE_ERR_BAD_HANDLE);
	ut_del(t, v);
	stop_server(t, &s);
}

static void reply_carries_capability(struct ut *t)
{
	struct server s;
	struct fe_msg m = msg(UT_OP_REPLY_CAP, 1, 0);
	struct fe_handle_info info = { 0 };
	uint64_t bits = 0;

	UT_ASSERT(t, start_server(t, &s, FE_HANDLE_INVALID));
	m.w[0] = 0x30;
	UT_EXPECT_OK(t, fe_call(s.ep, &m));
	UT_EXPECT_EQ(t, m.w[0], FE_OK);
	if (UT_EXPECT_EQ(t, FE_MSG_CAPS(m.info), 1)) {
		fe_handle_t n = fe_ipc_buffer()->caps[0];
		UT_EXPECT_OK(t, fe_handle_info(n, &info));
		UT_EXPECT_EQ(t, info.type, FE_OBJ_NOTIFICATION);
		UT_EXPECT_OK(t, fe_notif_wait(n, FE_NONBLOCK, &bits));
		UT_EXPECT_EQ(t, bits, 0x30);
		ut_del(t, n);
	}
	stop_server(t, &s);
}

/* Four client processes, 1000 calls each, one server telling them apart by badge. */
static void many_clients_with_badges(struct ut *t)
{
	struct server s;
	struct ut_child c = { .role = "client" };
	fe_handle_t clients[4], badged[4];
	char arg[4][8];

	UT_ASSERT(t, start_server(t, &s, FE_HANDLE_INVALID));
	for (unsigned i = 0; i < 4; i++) {
		snprintf(arg[i], sizeof(arg[i]), "%u", UT_BADGE_BASE + i);
		badged[i] = FE_HANDLE_INVALID;
		UT_EXPECT_OK(t, fe_handle_dup(s.ep, FE_RIGHT_WRITE | FE_RIGHT_TRANSFER,
					      UT_BADGE_BASE + i, &badged[i]));
		c.ep = badged[i];
		c.arg = arg[i];
		UT_ASSERT(t, UT_EXPECT_OK(t, ut_spawn(&c, &clients[i])));
	}
	for (unsigned i = 0; i < 4; i++) {
		ut_expect_exit(t, clients[i], FE_EXIT_NORMAL, 0);
		ut_del(t, badged[i]);
	}
	struct fe_msg m = msg(UT_OP_TALLY, 0, 0);
	UT_EXPECT_OK(t, fe_call(s.ep, &m));
	for (unsigned i = 0; i < 4; i++)
		UT_EXPECT_EQ(t, m.w[i], UT_CLIENT_CALLS + UT_CLIENT_CALLS / UT_CLIENT_WHO_EVERY);
	stop_server(t, &s);
}

static void server_exit_mid_call_is_peer_closed(struct ut *t)
{
	struct server s;
	struct fe_msg m = msg(UT_OP_DIE, 1, 0);

	UT_ASSERT(t, start_server(t, &s, FE_HANDLE_INVALID));
	m.w[0] = 5;
	UT_EXPECT_STATUS(t, fe_call(s.ep, &m), FE_ERR_PEER_CLOSED);
	ut_expect_exit(t, s.proc, FE_EXIT_NORMAL, 5);
	ut_del(t, s.ep);
}

static void server_fault_mid_call_is_peer_closed(struct ut *t)
{
	struct server s;
	struct fe_msg m = msg(UT_OP_FAULT, 0, 0);

	UT_ASSERT(t, start_server(t, &s, FE_HANDLE_INVALID));
	UT_EXPECT_STATUS(t, fe_call(s.ep, &m), FE_ERR_PEER_CLOSED);
	ut_expect_fault(t, s.proc, 14, 8, NULL);
	ut_del(t, s.ep);
}

struct pending_call {
	fe_handle_t ep;
	fe_status_t st;
	volatile uint64_t done;
};

static void call_and_record(void *arg)
{
	struct pending_call *pc = arg;
	struct fe_msg m = msg(UT_OP_HANG, 0, 0);

	pc->st = fe_call(pc->ep, &m);
	pc->done = 1;
}

/* A thread of ours is blocked in a call the server took; we kill the server. */
static void server_killed_mid_call_is_peer_closed(struct ut *t)
{
	struct server s;
	struct pending_call pc = { 0 };
	fe_handle_t n, th;
	uint64_t bits = 0;

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_notif_create(&n)) && start_server(t, &s, n));
	pc.ep = s.ep;
	UT_ASSERT(t,
		  UT_EXPECT_OK(t, fe_thread_spawn(call_and_record, &pc, FE_PRIORITY_DEFAULT, &th)));
	UT_WAIT_UNTIL(fe_notif_wait(n, FE_NONBLOCK, &bits) == FE_OK);
	UT_EXPECT_EQ(t, bits, 1); /* the server has the call */
	UT_EXPECT_EQ(t, pc.done, 0);
	UT_EXPECT_OK(t, fe_process_kill(s.proc));
	UT_EXPECT_EQ(t, ut_poll(&pc.done), 1);
	UT_EXPECT_STATUS(t, pc.st, FE_ERR_PEER_CLOSED);
	ut_expect_exit(t, s.proc, FE_EXIT_KILLED, 0);
	ut_del(t, th);
	ut_del(t, s.ep);
	ut_del(t, n);
}

static void recv_and_reply_errors(struct ut *t)
{
	fe_handle_t ep, v;
	struct fe_msg m = { 0 };

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_endpoint_create(&ep)) &&
			     UT_EXPECT_OK(t, fe_vmo_create(PAGE, &v)));
	UT_EXPECT_STATUS(t, fe_recv(ep, FE_NONBLOCK, &m), FE_ERR_WOULD_BLOCK);
	UT_EXPECT_STATUS(t, fe_recv(ep, 2, &m), FE_ERR_INVALID_ARG);
	UT_EXPECT_STATUS(t, fe_recv(v, FE_NONBLOCK, &m), FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, fe_recv(FE_HANDLE_MAKE(0xfffff0, 1), FE_NONBLOCK, &m),
			 FE_ERR_BAD_HANDLE);
	UT_EXPECT_STATUS(t, fe_reply(&m), FE_ERR_BAD_STATE);
	ut_del(t, v);
	ut_del(t, ep);
}

/* Both sides of a call between two threads of ours, so that nothing the
 * kernel might get wrong here can block the main thread. */
struct in_process_call {
	fe_handle_t ep, wrong_type, send_only;
	fe_status_t call, recv, bad_type, bad_right, bad_handle, reply, reply_again;
	struct fe_msg m;
	bool replied_early;
	volatile uint64_t caller_done, server_done;
};

static void in_process_caller(void *arg)
{
	struct in_process_call *c = arg;

	c->m = msg(UT_OP_ECHO, 1, 0);
	c->m.w[0] = 5;
	c->call = fe_call(c->ep, &c->m);
	c->caller_done = 1;
}

/* Receives the call, tries reply_recv with bad endpoints, then replies. */
static void in_process_server(void *arg)
{
	struct in_process_call *c = arg;
	struct fe_msg m;

	c->recv = fe_recv(c->ep, 0, &m);
	m.info = FE_MSG_INFO(77, 1, 0);
	m.w[0] = 6;
	c->bad_type = fe_reply_recv(c->wrong_type, &m);
	c->bad_right = fe_reply_recv(c->send_only, &m);
	c->bad_handle = fe_reply_recv(FE_HANDLE_MAKE(0xfffff0, 1), &m);
	(void)fe_thread_sleep(5000000); /* a reply sent by mistake would have woken the caller */
	c->replied_early = c->caller_done != 0;
	c->reply = fe_reply(&m);
	c->reply_again = fe_reply(&m);
	c->server_done = 1;
}

static void reply_recv_checks_before_replying(struct ut *t)
{
	struct in_process_call c = { 0 };
	fe_handle_t ths[2];

	UT_ASSERT(t, UT_EXPECT_OK(t, fe_endpoint_create(&c.ep)) &&
	             UT_EXPECT_OK(t, fe_vmo_create(PAGE, &c.wrong_type)));
	c.send_only = ut_dup(t, c.ep, FE_RIGHT_WRITE);
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(in_process_server, &c, FE_PRIORITY_DEFAULT,
						     &ths[0])));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(in_process_caller, &c, FE_PRIORITY_DEFAULT,
						     &ths[1])));
	UT_EXPECT_EQ(t, ut_poll(&c.server_done), 1);
	UT_EXPECT_EQ(t, ut_poll(&c.caller_done), 1);
	UT_EXPECT_OK(t, c.recv);
	UT_EXPECT_STATUS(t, c.bad_type, FE_ERR_WRONG_TYPE);
	UT_EXPECT_STATUS(t, c.bad_right, FE_ERR_ACCESS_DENIED);
	UT_EXPECT_STATUS(t, c.bad_handle, FE_ERR_BAD_HANDLE);
	UT_EXPECT(t, !c.replied_early); /* a refused reply_recv sent nothing */
	UT_EXPECT_OK(t, c.reply);
	UT_EXPECT_STATUS(t, c.reply_again, FE_ERR_BAD_STATE);
	UT_EXPECT_OK(t, c.call);
	UT_EXPECT_EQ(t, c.m.info, FE_MSG_INFO(77, 1, 0));
	UT_EXPECT_EQ(t, c.m.w[0], 6);
	for (unsigned i = 0; i < 2; i++)
		ut_del(t, ths[i]);
	ut_del(t, c.send_only);
	ut_del(t, c.wrong_type);
	ut_del(t, c.ep);
}

struct new_buffer_call {
	fe_handle_t ep;
	fe_status_t set, call;
	uint64_t words[10];
	volatile uint64_t done;
};

/* In a thread of its own: register the second page of a fresh VMO as the
 * IPC buffer, then make a long call through it. */
static void call_through_new_buffer(void *arg)
{
	struct new_buffer_call *r = arg;
	struct fe_msg m = msg(UT_OP_ECHO, 10, 0);
	fe_handle_t v;
	void *va;

	r->set = fe_map_new(2 * PAGE, FE_VM_READ | FE_VM_WRITE, &v, &va);
	if (r->set == FE_OK)
		r->set = fe_thread_set_ipc_buffer(v, PAGE);
	if (r->set == FE_OK) {
		struct fe_ipc_buffer *b = (struct fe_ipc_buffer *)((char *)va + PAGE);
		for (unsigned i = 4; i < 10; i++)
			b->words[i] = i;
		r->call = fe_call(r->ep, &m);
		for (unsigned i = 4; i < 10; i++)
			r->words[i] = b->words[i];
	}
	r->done = 1;
}

static void ipc_buffer_can_be_replaced(struct ut *t)
{
	struct server s;
	struct new_buffer_call r = { 0 };
	fe_handle_t th;

	UT_ASSERT(t, start_server(t, &s, FE_HANDLE_INVALID));
	r.ep = s.ep;
	if (UT_EXPECT_OK(t,
			 fe_thread_spawn(call_through_new_buffer, &r, FE_PRIORITY_DEFAULT, &th))) {
		UT_EXPECT_EQ(t, ut_poll(&r.done), 1);
		UT_EXPECT_OK(t, r.set);
		UT_EXPECT_OK(t, r.call);
		for (unsigned i = 4; i < 10;
		     i++) /* reversed: word i came from word 9 - i (0 for 0..3) */
			UT_EXPECT_EQ(t, r.words[i], (9 - i >= 4 ? 9 - i : 0) + 1);
		ut_del(t, th);
	}
	stop_server(t, &s);
}

/* ---- the direct switch honours the receiver's affinity ---- */

#define PINNED_CALLS 20u
static fe_handle_t pinned_ep;
static volatile uint64_t pinned_ready;

/* Pinned to CPU 1; answers every call with the CPU it runs on. */
static void pinned_server(void *arg)
{
	struct fe_msg m;
	uint32_t cpu = 0;

	(void)arg;
	(void)fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << 1);
	pinned_ready = 1;
	if (fe_recv(pinned_ep, 0, &m) != FE_OK)
		return;
	for (unsigned i = 0; i < PINNED_CALLS; i++) {
		(void)fe_cpu_current(&cpu);
		m = (struct fe_msg){ .info = FE_MSG_INFO(0, 1, 0), .w = { cpu } };
		if (i + 1 == PINNED_CALLS)
			(void)fe_reply(&m);
		else if (fe_reply_recv(pinned_ep, &m) != FE_OK)
			return;
	}
}

/* A call from CPU 0 to a server pinned to CPU 1 is handled on CPU 1: the
 * IPC direct switch must not run the receiver where it may not run. */
static void pinned_server_runs_on_its_own_cpu(struct ut *t)
{
	fe_handle_t th;

	if (ut_cpu_count() < 2) {
		ut_skip(t, "needs two CPUs");
		return;
	}
	pinned_ready = 0;
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_endpoint_create(&pinned_ep)));
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, 1ULL << 0));
	UT_ASSERT(t, UT_EXPECT_OK(t, fe_thread_spawn(pinned_server, NULL, FE_PRIORITY_DEFAULT, &th)));
	UT_EXPECT_EQ(t, ut_poll(&pinned_ready), 1);
	for (unsigned i = 0; i < PINNED_CALLS; i++) {
		struct fe_msg m = { .info = FE_MSG_INFO(1, 0, 0) };
		uint32_t me = 9;
		if (!UT_EXPECT_OK(t, fe_call(pinned_ep, &m)))
			break;
		UT_EXPECT_MSG(t, m.w[0] == 1, "call %u served on CPU %llu", i,
		              (unsigned long long)m.w[0]);
		UT_EXPECT_OK(t, fe_cpu_current(&me));
		UT_EXPECT_EQ(t, me, 0);
	}
	UT_EXPECT_OK(t, fe_thread_set_affinity(FE_HANDLE_INVALID, ~0ULL));
	ut_del(t, th);
	ut_del(t, pinned_ep);
}

UT_SUITE(ipc,
	UT_CASE(call_reply_register_words),
	UT_CASE(long_message_64_words),
	UT_CASE(message_limits_and_rights),
	UT_CASE(receiver_sees_badge_and_span),
	UT_CASE(capability_transfer),
	UT_CASE(transferred_code_vmo_stays_unwritable),
	UT_CASE(four_capabilities_in_one_message),
	UT_CASE(transfer_needs_transfer_right),
	UT_CASE(revoke_removes_transferred_copy),
	UT_CASE(reply_carries_capability),
	UT_CASE(many_clients_with_badges),
	UT_CASE(server_exit_mid_call_is_peer_closed),
	UT_CASE(server_fault_mid_call_is_peer_closed),
	UT_CASE(server_killed_mid_call_is_peer_closed),
	UT_CASE(recv_and_reply_errors),
	UT_CASE(reply_recv_checks_before_replying),
	UT_CASE(ipc_buffer_can_be_replaced),
	UT_CASE(pinned_server_runs_on_its_own_cpu));
