/* SPDX-License-Identifier: MIT */
/*
 * The system calls as C functions, one assembly stub each
 * (user/lib/syscall.S). Arguments, rights and errors are those of
 * include/ferrous/syscall.h; out-parameters are written only on FE_OK.
 */
#ifndef FE_SYS_H
#define FE_SYS_H

#include <stddef.h>
#include <stdint.h>

#include <ferrous/errors.h>
#include <ferrous/group.h>
#include <ferrous/handle.h>
#include <ferrous/pci.h>
#include <ferrous/syscall.h>
#include <ferrous/trace.h>

/*
 * A message: the info word (FE_MSG_INFO), the four words that travel in
 * registers, and the badge of the capability it came through (receive
 * side). The IPC calls read it and, on FE_OK only, overwrite it with the
 * reply or the received message; helpers are in fe/ipc.h.
 */
struct fe_msg {
	uint64_t info;
	uint64_t w[4];
	uint64_t badge;
};

fe_status_t fe_null(void);
fe_status_t fe_console_write(fe_handle_t con, const char *buf, size_t len);
fe_status_t fe_handle_dup(fe_handle_t h, uint32_t rights, uint64_t badge, fe_handle_t *out);
fe_status_t fe_handle_delete(fe_handle_t h);
fe_status_t fe_handle_revoke(fe_handle_t h, uint64_t *removed);
fe_status_t fe_handle_info(fe_handle_t h, struct fe_handle_info *out);
fe_status_t fe_handle_grant(fe_handle_t proc, fe_handle_t h, uint32_t rights, fe_handle_t *out);
/* A new process in `group` (FE_HANDLE_INVALID: the caller's own; else a
 * group capability with MANAGE, ferrous/group.h). */
fe_status_t fe_process_create_in(const char *name, size_t len, uint64_t budget, fe_handle_t *out,
                                 fe_handle_t group);
static inline fe_status_t fe_process_create(const char *name, size_t len, uint64_t budget,
                                            fe_handle_t *out)
{
	return fe_process_create_in(name, len, budget, out, FE_HANDLE_INVALID);
}
fe_status_t fe_process_info(fe_handle_t proc, struct fe_process_info *out);
fe_status_t fe_process_wait(fe_handle_t proc, struct fe_exit_status *out, uint32_t flags);
/* fe_process_wait for at most timeout_ns: FE_ERR_TIMED_OUT if it is still alive then. */
fe_status_t fe_process_wait_timeout(fe_handle_t proc, struct fe_exit_status *out, uint64_t timeout_ns);
fe_status_t fe_process_kill(fe_handle_t proc);
/* Signals `bit` of notif once proc has finished (at once if it has); see FE_SYS_PROCESS_WATCH. */
fe_status_t fe_process_watch(fe_handle_t proc, fe_handle_t notif, uint32_t bit);
_Noreturn void fe_process_exit(int64_t code);
fe_status_t fe_thread_create(fe_handle_t proc, uint64_t entry, uint64_t stack_top, uint64_t arg,
                             uint32_t priority, fe_handle_t *out);
_Noreturn void fe_thread_exit(void);
fe_status_t fe_thread_yield(void);
fe_status_t fe_thread_sleep(uint64_t ns);
fe_status_t fe_thread_set_ipc_buffer(fe_handle_t vmo, uint64_t offset);
fe_status_t fe_vmo_create(uint64_t size, fe_handle_t *out); /* flags 0 */
/* With FE_VMO_* flags: FE_VMO_CONTIGUOUS for one physically contiguous block. */
fe_status_t fe_vmo_create_flags(uint64_t size, uint32_t flags, fe_handle_t *out);
fe_status_t fe_vmo_read(fe_handle_t vmo, uint64_t offset, void *buf, size_t len);
fe_status_t fe_vmo_write(fe_handle_t vmo, uint64_t offset, const void *buf, size_t len);
fe_status_t fe_vm_map(fe_handle_t proc, fe_handle_t mem, uint64_t offset, uint64_t va, uint64_t len,
                      uint32_t prot);
fe_status_t fe_vm_unmap(fe_handle_t proc, uint64_t va, uint64_t len);
fe_status_t fe_endpoint_create(fe_handle_t *out);
fe_status_t fe_call(fe_handle_t ep, struct fe_msg *m);       /* in: request; out: reply */
fe_status_t fe_recv(fe_handle_t ep, uint32_t flags, struct fe_msg *m);
fe_status_t fe_reply(struct fe_msg *m);
fe_status_t fe_reply_recv(fe_handle_t ep, struct fe_msg *m); /* in: reply; out: next request */
fe_status_t fe_notif_create(fe_handle_t *out);
fe_status_t fe_notif_signal(fe_handle_t n, uint64_t bits);
fe_status_t fe_notif_wait(fe_handle_t n, uint32_t flags, uint64_t *bits);
/* fe_notif_wait for at most timeout_ns: FE_ERR_TIMED_OUT (no bits taken) once it passes. */
fe_status_t fe_notif_wait_timeout(fe_handle_t n, uint64_t *bits, uint64_t timeout_ns);
fe_status_t fe_irq_bind(fe_handle_t irq, fe_handle_t notif, uint32_t bit);
fe_status_t fe_irq_ack(fe_handle_t irq);
fe_status_t fe_ioport_in(fe_handle_t io, uint32_t port, uint32_t width, uint32_t *out);
fe_status_t fe_ioport_out(fe_handle_t io, uint32_t port, uint32_t width, uint32_t value);
/* len (1..FE_IOPORT_WRITE_MAX) bytes to one 8-bit port, in turn: a FIFO's worth in one call. */
fe_status_t fe_ioport_write(fe_handle_t io, uint32_t port, const void *buf, uint64_t len);
/* Resource groups (ferrous/group.h, ADR 0012). `empty`: FE_HANDLE_INVALID
 * or a notification whose `bit` is signalled each time the group empties. */
fe_status_t fe_group_create(fe_handle_t parent, const struct fe_group_limits *limits,
                            fe_handle_t empty, uint32_t bit, fe_handle_t *out);
fe_status_t fe_group_info(fe_handle_t group, struct fe_group_info *out);
fe_status_t fe_group_kill(fe_handle_t group);
/* freeze 1: the group's threads stop before they next run user code; 0: they go on. */
fe_status_t fe_group_freeze(fe_handle_t group, uint64_t freeze);
fe_status_t fe_trace_read(fe_handle_t t, struct fe_trace_record *buf, uint64_t max,
                          uint64_t *count);
fe_status_t fe_kernel_stats(fe_handle_t t, struct fe_kernel_stats *out);
fe_status_t fe_thread_set_affinity(fe_handle_t thread, uint64_t cpu_mask);
fe_status_t fe_cpu_current(uint32_t *out);
fe_status_t fe_cpu_stats(fe_handle_t t, uint32_t cpu, struct fe_cpu_stats *out);
fe_status_t fe_node_stats(fe_handle_t t, uint32_t node, struct fe_node_stats *out);
/* PCI (ferrous/pci.h): `pci` is a pci-root or, for its own function only, a pci-device. */
fe_status_t fe_pci_config_read(fe_handle_t pci, uint32_t addr, uint32_t off, uint32_t width,
                               uint32_t *out);
fe_status_t fe_pci_config_write(fe_handle_t dev, uint32_t off, uint32_t width, uint32_t value);
fe_status_t fe_pci_device_create(fe_handle_t root, uint32_t addr, fe_handle_t *out);
fe_status_t fe_pci_bar(fe_handle_t dev, uint32_t index, fe_handle_t *out,
                       struct fe_pci_bar_info *info);
/* The first of these (and pci_dma_map) claims the function for this process
 * (ferrous/pci.h); another process's claim gives FE_ERR_BUSY. */
fe_status_t fe_pci_irq_bind(fe_handle_t dev, uint32_t index, fe_handle_t notif, uint32_t bit);
fe_status_t fe_pci_dma_map(fe_handle_t dev, fe_handle_t vmo, uint64_t offset, uint64_t len,
                           uint32_t flags, uint64_t *device_addr);
fe_status_t fe_pci_dma_unmap(fe_handle_t dev, uint64_t device_addr);
/* Ends this process's claim: the device quiesced (FE_ERR_BAD_STATE without one). */
fe_status_t fe_pci_release(fe_handle_t dev);
/*
 * A UART driver takes the console's output over (it must hold the console's
 * I/O ports): from then on every console write, the kernel's too, waits in a
 * kernel ring, and `bit` of notif is signalled when some does. take confirms
 * the chunk taken last and copies the next (*n = 0: none waits; at most one
 * line, FE_CONSOLE_CHUNK_MAX bytes). When the driver detaches or ends, the
 * kernel writes the port itself again, starting with the unconfirmed bytes.
 */
fe_status_t fe_console_attach(fe_handle_t con, fe_handle_t io, fe_handle_t notif, uint32_t bit);
fe_status_t fe_console_take(fe_handle_t con, char *buf, uint64_t max, uint64_t *n);
fe_status_t fe_console_detach(fe_handle_t con);
uint64_t fe_syscall6(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                     uint64_t a5);
uint64_t fe_rdtsc(void);

#endif /* FE_SYS_H */
