/* SPDX-License-Identifier: MIT */
/*
 * The server role (`utest role=server`): answers calls on FE_START_ENDPOINT
 * with the operations of enum ut_op, so the IPC tests can check from the
 * caller's side what the receiver saw.
 */
#include "ut.h"

#define HANG_POLLS 60000u /* ~60 s: the parent kills it long before */

struct server {
	fe_handle_t ep;
	fe_handle_t held[UT_HELD_MAX]; /* capabilities received, kept for later operations */
	unsigned nheld;
	uint64_t tally[4];             /* calls per badge UT_BADGE_BASE + i */
	uint64_t served;
};

static void reply_info(struct fe_msg *m, unsigned words, unsigned caps)
{
	m->info = FE_MSG_INFO(FE_MSG_LABEL(m->info) | UT_REPLY, words, caps);
}

/* Every word of the message, registers and buffer alike, reversed and + 1. */
static void op_echo(struct fe_msg *m, struct fe_ipc_buffer *b)
{
	uint64_t w[FE_IPC_MAX_WORDS];
	unsigned n = MIN(FE_MSG_WORDS(m->info), FE_IPC_MAX_WORDS);

	if (n > FE_IPC_REG_WORDS && !b)
		n = FE_IPC_REG_WORDS;
	for (unsigned i = 0; i < n; i++)
		w[i] = i < FE_IPC_REG_WORDS ? m->w[i] : b->words[i];
	for (unsigned i = 0; i < n; i++) {
		uint64_t v = w[n - 1 - i] + 1;
		if (i < FE_IPC_REG_WORDS)
			m->w[i] = v;
		else
			b->words[i] = v;
	}
	reply_info(m, n, 0);
}

static void op_who(struct fe_msg *m, struct fe_ipc_buffer *b)
{
	m->w[2] = FE_MSG_WORDS(m->info);
	m->w[0] = m->badge;
	m->w[1] = b ? b->span : 0;
	m->w[3] = 0;
	reply_info(m, 4, 0);
}

static void op_cap_info(struct server *s, struct fe_msg *m, struct fe_ipc_buffer *b)
{
	unsigned n = b ? MIN(FE_MSG_CAPS(m->info), FE_IPC_MAX_CAPS) : 0;
	struct fe_handle_info info = { 0 };

	m->w[0] = n;
	m->w[1] = m->w[2] = 0;
	m->w[3] = s->nheld;
	for (unsigned i = 0; i < n; i++) {
		fe_status_t st = fe_handle_info(b->caps[i], &info);
		b->words[FE_IPC_REG_WORDS + i] = st == FE_OK ? info.koid : 0;
		if (i == 0 && st == FE_OK)
			m->w[1] = info.rights, m->w[2] = info.type;
		if (s->nheld < UT_HELD_MAX)
			s->held[s->nheld++] = b->caps[i];
	}
	reply_info(m, FE_IPC_REG_WORDS + n, 0);
}

static fe_handle_t held(const struct server *s, uint64_t i)
{
	return i < s->nheld ? s->held[i] : FE_HANDLE_INVALID;
}

static void op_cap_write(struct server *s, struct fe_msg *m)
{
	uint64_t v = m->w[1];

	m->w[0] = (uint64_t)fe_vmo_write(held(s, m->w[0]), 0, &v, sizeof(v));
	reply_info(m, 1, 0);
}

static void op_held_info(struct server *s, struct fe_msg *m)
{
	struct fe_handle_info info = { 0 };

	m->w[0] = (uint64_t)fe_handle_info(held(s, m->w[0]), &info);
	m->w[1] = info.rights;
	reply_info(m, 2, 0);
}

static void op_reply_cap(struct server *s, struct fe_msg *m, struct fe_ipc_buffer *b)
{
	fe_handle_t n = FE_HANDLE_INVALID;
	fe_status_t st = b ? fe_notif_create(&n) : FE_ERR_BAD_STATE;

	if (st == FE_OK)
		st = fe_notif_signal(n, m->w[0]);
	m->w[0] = (uint64_t)st;
	if (st != FE_OK) {
		reply_info(m, 1, 0);
		return;
	}
	b->caps[0] = n;
	if (s->nheld < UT_HELD_MAX)
		s->held[s->nheld++] = n;
	reply_info(m, 1, 1);
}

static void op_handle_info(struct fe_msg *m)
{
	struct fe_handle_info info = { 0 };

	m->w[0] = (uint64_t)fe_handle_info(m->w[0], &info);
	m->w[1] = info.type;
	m->w[2] = info.rights;
	m->w[3] = info.koid;
	reply_info(m, 4, 0);
}

static void op_tally(struct server *s, struct fe_msg *m)
{
	for (unsigned i = 0; i < 4; i++)
		m->w[i] = s->tally[i];
	reply_info(m, 4, 0);
}

/* Receives a call and never answers; the parent kills this process. */
_Noreturn static void op_hang(void)
{
	fe_handle_t n = ut_slot(FE_START_USER0);

	if (n != FE_HANDLE_INVALID)
		(void)fe_notif_signal(n, 1);
	for (unsigned i = 0; i < HANG_POLLS; i++)
		(void)fe_thread_sleep(1000000);
	fe_exit(9);
}

/* Fills m with the reply; returns true if the server ends after sending it. */
static bool serve(struct server *s, struct fe_msg *m)
{
	struct fe_ipc_buffer *b = fe_ipc_buffer();

	if (m->badge >= UT_BADGE_BASE && m->badge < UT_BADGE_BASE + 4)
		s->tally[m->badge - UT_BADGE_BASE]++;
	switch (FE_MSG_LABEL(m->info)) {
	case UT_OP_EXIT: m->w[0] = s->served; reply_info(m, 1, 0); return true;
	case UT_OP_ECHO: op_echo(m, b); break;
	case UT_OP_WHO: op_who(m, b); break;
	case UT_OP_CAP_INFO: op_cap_info(s, m, b); break;
	case UT_OP_CAP_WRITE: op_cap_write(s, m); break;
	case UT_OP_HELD_INFO: op_held_info(s, m); break;
	case UT_OP_REPLY_CAP: op_reply_cap(s, m, b); break;
	case UT_OP_HANDLE_INFO: op_handle_info(m); break;
	case UT_OP_TALLY: op_tally(s, m); break;
	case UT_OP_DIE: fe_exit((int64_t)m->w[0]);
	case UT_OP_FAULT: *(volatile uint64_t *)(uintptr_t)8 = 1; fe_exit(8);
	case UT_OP_HANG: op_hang();
	default: m->info = FE_MSG_INFO(UT_OP_BAD, 0, 0); break;
	}
	return false;
}

int ut_role_server(void)
{
	struct server s = { .ep = ut_slot(FE_START_ENDPOINT) };
	struct fe_msg m;
	fe_status_t st = fe_recv(s.ep, 0, &m);

	while (st == FE_OK) {
		s.served++;
		if (serve(&s, &m))
			return fe_reply(&m) == FE_OK ? 0 : 3;
		st = fe_reply_recv(s.ep, &m);
	}
	printf("    # server: receive failed: %s\n", fe_status_name(st));
	return 2;
}
