/* SPDX-License-Identifier: MIT */
/*
 * The child's side: `utest role=NAME [ARG]`. Each role reports through its
 * exit code (0 = as expected; other values name the step that went wrong)
 * or by how it ends (a fault the parent checks).
 */
#include "ut.h"

#define POLL_NS 1000000ULL
#define POLLS 20000u /* ~20 s */

/* What the fault roles touch (the parent uses the same addresses). */
const char ut_rodata_word[8] = "ro-data";
uint8_t ut_data_page[16] = { 0xc3 }; /* `ret`, in a writable, non-executable page */

/* 1000 echo calls through its badged endpoint; checks every reply. */
static int role_client(const char *arg)
{
	fe_handle_t ep = ut_slot(FE_START_ENDPOINT);
	uint64_t badge;

	if (!arg || fe_parse_u64(arg, &badge) != FE_OK)
		return 5;
	for (uint64_t i = 0; i < UT_CLIENT_CALLS; i++) {
		struct fe_msg m = {.info = FE_MSG_INFO(UT_OP_ECHO, 4, 0),
				   .w = {i, i << 8, ~i, badge}};
		if (fe_call(ep, &m) != FE_OK)
			return 1;
		if (m.info != FE_MSG_INFO(UT_OP_ECHO | UT_REPLY, 4, 0) || m.w[0] != badge + 1 ||
		    m.w[1] != ~i + 1 || m.w[2] != (i << 8) + 1 || m.w[3] != i + 1)
			return 2;
		if (i % UT_CLIENT_WHO_EVERY != 0)
			continue;
		m = (struct fe_msg){ .info = FE_MSG_INFO(UT_OP_WHO, 0, 0) };
		if (fe_call(ep, &m) != FE_OK || m.w[0] != badge)
			return 3;
	}
	return 0;
}

/* Holds USER0; signals USER1 once it has checked it, then waits for it to go. */
static int role_holder(void)
{
	struct fe_handle_info info;

	if (fe_handle_info(ut_slot(FE_START_USER0), &info) != FE_OK)
		return 2;
	if (fe_notif_signal(ut_slot(FE_START_USER0 + 1), 1) != FE_OK)
		return 3;
	for (unsigned i = 0; i < POLLS; i++) {
		if (fe_handle_info(ut_slot(FE_START_USER0), &info) == FE_ERR_BAD_HANDLE)
			return 0;
		(void)fe_thread_sleep(POLL_NS);
	}
	return 1;
}

/* Maps USER0 read-only: writable and executable mappings must be refused. */
static int map_read_only(void)
{
	fe_handle_t v = ut_slot(FE_START_USER0);

	if (fe_vm_map(fe_self, v, 0, UT_SHM_VA, PAGE, FE_VM_READ | FE_VM_WRITE) !=
	    FE_ERR_ACCESS_DENIED)
		return 4;
	if (fe_vm_map(fe_self, v, 0, UT_SHM_VA, PAGE, FE_VM_READ | FE_VM_EXEC) !=
	    FE_ERR_ACCESS_DENIED)
		return 5;
	if (fe_vm_map(fe_self, v, 0, UT_SHM_VA, PAGE, FE_VM_READ) != FE_OK)
		return 6;
	return 0;
}

static int role_fault(const char *arg)
{
	int rc;

	if (!arg)
		return 2;
	if (strcmp(arg, "write-ro") == 0)
		*(volatile char *)(uintptr_t)ut_rodata_word = 'x';
	else if (strcmp(arg, "exec-data") == 0)
		((void (*)(void))(uintptr_t)ut_data_page)();
	else if (strcmp(arg, "null-read") == 0)
		return *(volatile int *)(uintptr_t)8;
	else if (strcmp(arg, "ud2") == 0)
		ut_ud2_here();
	else if (strcmp(arg, "shm-write") == 0) {
		if ((rc = map_read_only()) != 0)
			return rc;
		*(volatile uint64_t *)UT_SHM_VA = 1;
	}
	return 3; /* still alive: the fault did not happen */
}

/*
 * USER0 is a VMO it maps read-write: writes a pattern from word 8 on, sets
 * word 1, waits for the parent's token in word 0 and exits with token + 1.
 */
static int role_shm_writer(void)
{
	volatile uint64_t *w = (volatile uint64_t *)UT_SHM_VA;

	if (fe_vm_map(fe_self, ut_slot(FE_START_USER0), 0, UT_SHM_VA, PAGE,
	              FE_VM_READ | FE_VM_WRITE) != FE_OK)
		return 1;
	for (unsigned i = 8; i < PAGE / 8; i++)
		w[i] = 0x5eed0000ULL + i;
	w[1] = 1;
	return ut_poll(&w[0]) ? (int)(w[0] + 1) : 2;
}

/* USER0: a VMO it may only map read-only. Waits for the token in word 0,
 * then exits with token ^ (the sum of words 8..511). */
static int role_shm_reader(void)
{
	volatile uint64_t *w = (volatile uint64_t *)UT_SHM_VA;
	uint64_t sum = 0;
	int rc = map_read_only();

	if (rc != 0)
		return rc;
	if (!ut_poll(&w[0]))
		return 2;
	for (unsigned i = 8; i < PAGE / 8; i++)
		sum += w[i];
	return (int)((w[0] ^ sum) & 0x7fffffff);
}

static int role_exit(const char *arg)
{
	int64_t code;

	if (!arg || fe_parse_i64(arg, &code) != FE_OK)
		return 2;
	fe_flush();
	fe_process_exit(code);
}

static void late_writer(void *arg)
{
	uint64_t one = 1;

	(void)arg;
	if (fe_thread_sleep(20000000) == FE_OK)
		(void)fe_vmo_write(ut_slot(FE_START_USER0), 0, &one, sizeof(one));
}

/* The main thread exits first; the process lives on until the other ends. */
static int role_thread_exit(void)
{
	fe_handle_t th;

	if (fe_thread_spawn(late_writer, NULL, FE_PRIORITY_DEFAULT, &th) != FE_OK)
		return 2;
	fe_flush();
	fe_thread_exit();
}

static int role_suicide(void)
{
	fe_status_t st = fe_process_kill(fe_self);

	printf("    # suicide: fe_process_kill(self) returned %s\n", fe_status_name(st));
	return 3;
}

static int role_hang(void)
{
	fe_handle_t n = ut_slot(FE_START_USER0);

	if (n != FE_HANDLE_INVALID && fe_notif_signal(n, 1) != FE_OK)
		return 2;
	for (unsigned i = 0; i < 3 * POLLS; i++)
		(void)fe_thread_sleep(POLL_NS);
	return 9;
}

/* USER0: a notification it may only signal. */
static int role_notify(const char *arg)
{
	fe_handle_t n = ut_slot(FE_START_USER0);
	uint64_t bits = 0;

	if (!arg || fe_parse_u64(arg, &bits) != FE_OK)
		return 2;
	if (fe_notif_wait(n, FE_NONBLOCK, &bits) != FE_ERR_ACCESS_DENIED)
		return 3;
	return fe_notif_signal(n, bits) == FE_OK ? 0 : 1;
}

/* Writable data: every child starts from the file's 41, whatever an
 * earlier child of the same program did to its own copy. */
static volatile int bump_word = 41;

static int role_bump(void)
{
	return ++bump_word;
}

/* System calls for ever, after signalling user0 (if given) once running. */
static int role_busy(void)
{
	fe_handle_t n = ut_slot(FE_START_USER0);

	if (n != FE_HANDLE_INVALID && fe_notif_signal(n, 1) != FE_OK)
		return 2;
	for (;;)
		(void)fe_null();
}

int ut_role_main(const char *role, const char *arg)
{
	if (strcmp(role, "server") == 0) return ut_role_server();
	if (strcmp(role, "client") == 0) return role_client(arg);
	if (strcmp(role, "holder") == 0) return role_holder();
	if (strcmp(role, "fault") == 0) return role_fault(arg);
	if (strcmp(role, "shm-writer") == 0) return role_shm_writer();
	if (strcmp(role, "shm-reader") == 0) return role_shm_reader();
	if (strcmp(role, "exit") == 0) return role_exit(arg);
	if (strcmp(role, "bump") == 0) return role_bump();
	if (strcmp(role, "busy") == 0) return role_busy();
	if (strcmp(role, "thread-exit") == 0) return role_thread_exit();
	if (strcmp(role, "suicide") == 0) return role_suicide();
	if (strcmp(role, "hang") == 0) return role_hang();
	if (strcmp(role, "notify") == 0) return role_notify(arg);
	if (strcmp(role, "hog") == 0) return ut_role_hog();
	if (strcmp(role, "contig-hog") == 0) return ut_role_contig_hog();
	if (strcmp(role, "contig-churn") == 0) return ut_role_contig_churn();
	if (strcmp(role, "tlb") == 0) return ut_role_tlb();
	if (strcmp(role, "console-driver") == 0) return ut_role_console_driver();
	if (strcmp(role, "spinners") == 0) return ut_role_spinners();
	if (strcmp(role, "numa") == 0) return ut_role_numa(arg);
	if (strcmp(role, "rflags") == 0) return ut_role_rflags(arg);
	if (strcmp(role, "sleeper") == 0) return ut_role_sleeper(arg);
	if (strcmp(role, "fpu") == 0) return ut_role_fpu(arg);
	if (strcmp(role, "revoke-writer") == 0) return ut_role_revoke_writer(arg);
	if (strcmp(role, "kind-hog") == 0) return ut_role_kind_hog(arg);
	if (strcmp(role, "dead-threads") == 0) return ut_role_dead_threads();
	if (strcmp(role, "threads") == 0) return ut_role_threads();
	if (strcmp(role, "irq-binder") == 0) return ut_role_irq_binder();
	if (strcmp(role, "at-limit") == 0) return ut_role_at_limit();
	if (strcmp(role, "vmo-midway") == 0) return ut_role_vmo_midway();
	if (strcmp(role, "vmo-churn") == 0) return ut_role_vmo_churn();
	if (strcmp(role, "waiter") == 0) return ut_role_waiter(arg);
	if (strcmp(role, "unstarted") == 0) return ut_role_unstarted(arg);
	if (strcmp(role, "watcher") == 0) return ut_role_watcher();
	if (strcmp(role, "pci-driver") == 0) return ut_role_pci_driver(arg);
	if (strcmp(role, "pci-claimer") == 0) return ut_role_pci_claimer();
	if (strcmp(role, "pci-dma-die") == 0) return ut_role_pci_dma_die(arg);
	if (strcmp(role, "pci-dma-stray") == 0) return ut_role_pci_dma_stray(arg);
	printf("    # utest: unknown role %s\n", role);
	return 99;
}
