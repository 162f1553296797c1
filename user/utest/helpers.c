/* SPDX-License-Identifier: MIT */
/* Child processes for the tests: this program again, in a role. */
#include "ut.h"

#define POLL_NS 2000000ULL /* 2 ms */
#define POLL_MAX 2500      /* ~5 s */

fe_status_t ut_spawn_role(const char *role, const char *arg, fe_handle_t ep, fe_handle_t user0,
                          uint64_t budget, fe_handle_t *proc)
{
	char role_arg[40];
	const char *argv[] = { "utest", role_arg, arg, NULL };
	struct fe_spawn_args a = { .path = "utest", .argv = argv, .budget = budget };

	snprintf(role_arg, sizeof(role_arg), "role=%s", role);
	a.handles[FE_START_CONSOLE] = fe_console;
	a.handles[FE_START_ENDPOINT] = ep;
	a.handles[FE_START_USER0] = user0;
	return fe_spawn(&a, proc);
}

fe_status_t ut_wait(fe_handle_t proc, struct fe_exit_status *st)
{
	fe_status_t s = FE_ERR_WOULD_BLOCK;

	for (int i = 0; i < POLL_MAX && s == FE_ERR_WOULD_BLOCK; i++) {
		s = fe_process_wait(proc, st, FE_NONBLOCK);
		if (s == FE_ERR_WOULD_BLOCK)
			fe_thread_sleep(POLL_NS);
	}
	if (s == FE_ERR_WOULD_BLOCK) {
		printf("    # child did not end in time: killing it\n");
		fe_process_kill(proc);
		return FE_ERR_TIMED_OUT;
	}
	return s;
}

static fe_handle_t slot(unsigned i)
{
	return fe_start_info->handles[i];
}

/* Answers calls: label + 1, words + 1, w[3] = badge; label 0 ends it. */
static int role_echo(void)
{
	struct fe_msg m;
	fe_status_t st = fe_recv(slot(FE_START_ENDPOINT), 0, &m);

	while (st == FE_OK) {
		uint32_t label = FE_MSG_LABEL(m.info);
		unsigned words = FE_MSG_WORDS(m.info);
		struct fe_ipc_buffer *b = fe_ipc_buffer();
		if (label == 0)
			return 0;
		for (unsigned i = FE_IPC_REG_WORDS; b && i < words; i++)
			b->words[i] += 1;
		if (FE_MSG_CAPS(m.info) && b) { /* write into a VMO we were sent */
			uint64_t magic = 0xfeedfacecafe;
			fe_vmo_write(b->caps[0], 0, &magic, sizeof(magic));
			fe_handle_delete(b->caps[0]);
		}
		m.w[0] += 1, m.w[1] += 1, m.w[2] += 1, m.w[3] = m.badge;
		m.info = FE_MSG_INFO(label + 1, words, 0);
		st = fe_reply_recv(slot(FE_START_ENDPOINT), &m);
	}
	return 2;
}

/* Takes one call and dies without replying. */
static int role_die_server(void)
{
	struct fe_msg m;

	fe_recv(slot(FE_START_ENDPOINT), 0, &m);
	return 0;
}

/* 1000 calls through its (badged) endpoint; checks every reply. */
static int role_client(const char *arg)
{
	uint64_t badge = 0;

	fe_parse_u64(arg, &badge);
	for (uint64_t i = 0; i < 1000; i++) {
		struct fe_msg m = { .info = FE_MSG_INFO(7, 4, 0), .w = { i, i * 2, i * 3, 0 } };
		if (fe_call(slot(FE_START_ENDPOINT), &m) != FE_OK || m.w[0] != i + 1 ||
		    m.w[1] != i * 2 + 1 || m.w[3] != badge || FE_MSG_LABEL(m.info) != 8)
			return 1;
	}
	return 0;
}

/* Polls its USER0 handle until a revoke makes it stale. */
static int role_holder(void)
{
	struct fe_handle_info info;

	for (int i = 0; i < 2500; i++) {
		if (fe_handle_info(slot(FE_START_USER0), &info) == FE_ERR_BAD_HANDLE)
			return 0;
		fe_thread_sleep(2000000);
	}
	return 1;
}

static const char rodata_word[8] = "ro-data";

static int role_fault(const char *arg)
{
	static uint8_t data_page[16] = { 0xc3 }; /* `ret`, in a writable, non-executable page */

	if (strcmp(arg, "write-ro") == 0)
		*(volatile char *)(uintptr_t)rodata_word = 'x';
	else if (strcmp(arg, "exec-data") == 0)
		((void (*)(void))(uintptr_t)data_page)();
	else if (strcmp(arg, "null") == 0)
		return *(volatile int *)(uintptr_t)8;
	else if (strcmp(arg, "shm-ro-write") == 0) { /* USER0: a VMO, mapped read-only here */
		if (fe_vm_map(fe_self, slot(FE_START_USER0), 0, 0x50000000, 4096, FE_VM_READ) != FE_OK)
			return 4;
		*(volatile int *)0x50000000 = 1;
	}
	return 3;
}

/* Maps the VMO in USER0 and writes a pattern for the parent to see. */
static int role_shm_writer(void)
{
	if (fe_vm_map(fe_self, slot(FE_START_USER0), 0, 0x50000000, 4096,
	              FE_VM_READ | FE_VM_WRITE) != FE_OK)
		return 1;
	for (int i = 0; i < 512; i++)
		((volatile uint64_t *)0x50000000)[i] = 0x5eed0000ULL + (uint64_t)i;
	return 0;
}

/* Creates endpoints until the budget runs out; exit code 0 if it did. */
static int role_hog(void)
{
	fe_handle_t h;
	fe_status_t st = FE_OK;

	for (int i = 0; i < 1000000 && st == FE_OK; i++)
		st = fe_vmo_create(4096, &h);
	return st == FE_ERR_NO_MEMORY ? 0 : 1;
}

int ut_run_role(const char *role, const char *arg)
{
	if (strcmp(role, "echo") == 0)
		return role_echo();
	if (strcmp(role, "die-server") == 0)
		return role_die_server();
	if (strcmp(role, "client") == 0)
		return role_client(arg);
	if (strcmp(role, "holder") == 0)
		return role_holder();
	if (strcmp(role, "fault") == 0)
		return role_fault(arg);
	if (strcmp(role, "shm-writer") == 0)
		return role_shm_writer();
	if (strcmp(role, "hog") == 0)
		return role_hog();
	printf("utest: unknown role %s\n", role);
	return 99;
}
