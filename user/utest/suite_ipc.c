/* SPDX-License-Identifier: MIT */
/* Endpoints: call/reply, long messages, capability transfer, many clients,
 * a server that dies mid-call; notifications. */
#include "ut.h"

struct server {
	fe_handle_t ep, proc;
};

static fe_status_t start_echo(struct server *s)
{
	fe_status_t st = fe_endpoint_create(&s->ep);
	return st ? st : ut_spawn_role("echo", "", s->ep, FE_HANDLE_INVALID, 0, &s->proc);
}

static void stop_echo(struct ut *t, struct server *s)
{
	struct fe_msg m = { .info = FE_MSG_INFO(0, 0, 0) };
	struct fe_exit_status st;

	fe_call(s->ep, &m); /* label 0: the server exits without replying */
	UT_OK(t, ut_wait(s->proc, &st));
	UT_EXPECT_ST(t, st.code, 0);
	fe_handle_delete(s->proc);
	fe_handle_delete(s->ep);
}

static void call_reply_registers(struct ut *t)
{
	struct server s;
	struct fe_msg m = { .info = FE_MSG_INFO(41, 4, 0), .w = { 1, 2, 3, 4 } };

	UT_OK(t, start_echo(&s));
	UT_OK(t, fe_call(s.ep, &m));
	UT_EXPECT_ST(t, FE_MSG_LABEL(m.info), 42);
	UT_EXPECT_ST(t, m.w[0], 2);
	UT_EXPECT_ST(t, m.w[2], 4);
	UT_EXPECT_ST(t, m.w[3], 0); /* the badge the server saw: none */
	m.info = FE_MSG_INFO(1, 65, 0);
	UT_EXPECT_ST(t, fe_call(s.ep, &m), FE_ERR_INVALID_ARG);
	m.info = FE_MSG_INFO(1, 0, 5);
	UT_EXPECT_ST(t, fe_call(s.ep, &m), FE_ERR_INVALID_ARG);
	stop_echo(t, &s);
}

static void long_message_through_buffers(struct ut *t)
{
	struct server s;
	struct fe_ipc_buffer *b = fe_ipc_buffer();
	struct fe_msg m = { .info = FE_MSG_INFO(5, FE_IPC_MAX_WORDS, 0) };

	UT_EXPECT(t, b != NULL);
	if (!b)
		return;
	UT_OK(t, start_echo(&s));
	for (unsigned i = 0; i < FE_IPC_MAX_WORDS; i++)
		b->words[i] = 1000 + i;
	UT_OK(t, fe_call(s.ep, &m));
	UT_EXPECT_ST(t, FE_MSG_WORDS(m.info), FE_IPC_MAX_WORDS);
	UT_EXPECT_ST(t, b->words[4], 1005);
	UT_EXPECT_ST(t, b->words[63], 1064);
	UT_EXPECT(t, b->span != 0);
	stop_echo(t, &s);
}

static void capability_transfer(struct ut *t)
{
	struct server s;
	struct fe_ipc_buffer *b = fe_ipc_buffer();
	struct fe_msg m = { .info = FE_MSG_INFO(9, 0, 1) };
	fe_handle_t v, nt;
	uint64_t magic = 0;

	UT_OK(t, start_echo(&s));
	UT_OK(t, fe_vmo_create(4096, &v));
	UT_OK(t, fe_handle_dup(v, FE_RIGHT_READ | FE_RIGHT_WRITE, 0, &nt)); /* no TRANSFER */
	b->caps[0] = nt;
	UT_EXPECT_ST(t, fe_call(s.ep, &m), FE_ERR_ACCESS_DENIED);
	b->caps[0] = 0x77777;
	UT_EXPECT_ST(t, fe_call(s.ep, &m), FE_ERR_BAD_HANDLE);
	b->caps[0] = v;
	m.info = FE_MSG_INFO(9, 0, 1);
	UT_OK(t, fe_call(s.ep, &m)); /* the server writes through the copy it got */
	UT_OK(t, fe_vmo_read(v, 0, &magic, sizeof(magic)));
	UT_EXPECT_ST(t, magic, 0xfeedfacecafeULL);
	fe_handle_delete(nt);
	fe_handle_delete(v);
	stop_echo(t, &s);
}

static void many_clients_with_badges(struct ut *t)
{
	struct server s;
	fe_handle_t clients[4], badged[4];
	struct fe_exit_status st;

	UT_OK(t, start_echo(&s));
	for (int i = 0; i < 4; i++) {
		char arg[8];
		snprintf(arg, sizeof(arg), "%d", 100 + i);
		UT_OK(t, fe_handle_dup(s.ep, FE_RIGHT_WRITE | FE_RIGHT_TRANSFER, 100 + (uint64_t)i,
		                       &badged[i]));
		UT_OK(t, ut_spawn_role("client", arg, badged[i], FE_HANDLE_INVALID, 0, &clients[i]));
	}
	for (int i = 0; i < 4; i++) {
		UT_OK(t, ut_wait(clients[i], &st));
		UT_EXPECT_ST(t, st.reason, FE_EXIT_NORMAL);
		UT_EXPECT_ST(t, st.code, 0);
		fe_handle_delete(clients[i]);
		fe_handle_delete(badged[i]);
	}
	stop_echo(t, &s);
}

static void server_dies_mid_call(struct ut *t)
{
	fe_handle_t ep, p;
	struct fe_msg m = { .info = FE_MSG_INFO(1, 1, 0) };
	struct fe_exit_status st;

	UT_OK(t, fe_endpoint_create(&ep));
	UT_OK(t, ut_spawn_role("die-server", "", ep, FE_HANDLE_INVALID, 0, &p));
	UT_EXPECT_ST(t, fe_call(ep, &m), FE_ERR_PEER_CLOSED);
	UT_OK(t, ut_wait(p, &st));
	fe_handle_delete(p);
	fe_handle_delete(ep);
}

static void recv_and_reply_errors(struct ut *t)
{
	fe_handle_t ep, wo;
	struct fe_msg m = { 0 };

	UT_OK(t, fe_endpoint_create(&ep));
	UT_EXPECT_ST(t, fe_recv(ep, FE_NONBLOCK, &m), FE_ERR_WOULD_BLOCK);
	UT_EXPECT_ST(t, fe_recv(ep, 2, &m), FE_ERR_INVALID_ARG);
	UT_EXPECT_ST(t, fe_reply(&m), FE_ERR_BAD_STATE);
	UT_OK(t, fe_handle_dup(ep, FE_RIGHT_WRITE, 0, &wo));
	UT_EXPECT_ST(t, fe_recv(wo, FE_NONBLOCK, &m), FE_ERR_ACCESS_DENIED);
	fe_handle_delete(wo);
	fe_handle_delete(ep);
}

static void notifications(struct ut *t)
{
	fe_handle_t n, so;
	uint64_t bits = 0;

	UT_OK(t, fe_notif_create(&n));
	UT_EXPECT_ST(t, fe_notif_wait(n, FE_NONBLOCK, &bits), FE_ERR_WOULD_BLOCK);
	UT_OK(t, fe_notif_signal(n, 1));
	UT_OK(t, fe_notif_signal(n, 4));
	UT_OK(t, fe_notif_wait(n, 0, &bits));
	UT_EXPECT_ST(t, bits, 5);
	UT_EXPECT_ST(t, fe_notif_wait(n, FE_NONBLOCK, &bits), FE_ERR_WOULD_BLOCK);
	UT_EXPECT_ST(t, fe_notif_wait(n, 0, NULL), FE_ERR_FAULT);
	UT_OK(t, fe_handle_dup(n, FE_RIGHT_SIGNAL, 0, &so));
	UT_EXPECT_ST(t, fe_notif_wait(so, FE_NONBLOCK, &bits), FE_ERR_ACCESS_DENIED);
	fe_handle_delete(so);
	fe_handle_delete(n);
}

static fe_handle_t wake_n;

static void signaller(void *arg)
{
	(void)arg;
	fe_notif_signal(wake_n, 1ULL << 63);
}

static void notification_wakes_waiter(struct ut *t)
{
	uint64_t bits = 0;
	fe_handle_t th;

	UT_OK(t, fe_notif_create(&wake_n));
	UT_OK(t, fe_thread_spawn(signaller, NULL, 10, &th));
	UT_OK(t, fe_notif_wait(wake_n, 0, &bits)); /* blocks until the thread runs */
	UT_EXPECT_ST(t, bits, 1ULL << 63);
	fe_handle_delete(th);
	fe_handle_delete(wake_n);
}

static const struct ut_case ipc_cases[] = {
	{ "call_reply_registers", call_reply_registers },
	{ "long_message_through_buffers", long_message_through_buffers },
	{ "capability_transfer", capability_transfer },
	{ "many_clients_with_badges", many_clients_with_badges },
	{ "server_dies_mid_call", server_dies_mid_call },
	{ "recv_and_reply_errors", recv_and_reply_errors },
};
const struct ut_suite suite_ipc = { "ipc", UT_CASES(ipc_cases) };

static const struct ut_case notify_cases[] = {
	{ "signal_and_wait", notifications },
	{ "notification_wakes_waiter", notification_wakes_waiter },
};
const struct ut_suite suite_notify = { "notification", UT_CASES(notify_cases) };
