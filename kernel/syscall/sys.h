/* SPDX-License-Identifier: MIT */
/*
 * What every system call handler shares: argument access, handle lookup in
 * the caller's capability table, and installing a new object's handle.
 * The table itself is in syscall.c; handlers live in sys_*.c by area.
 */
#ifndef FERROUS_SYSCALL_SYS_H
#define FERROUS_SYSCALL_SYS_H

#include <arch/trap.h>
#include <ferrous/errors.h>
#include <ferrous/syscall.h>

#include "cap/cspace.h"
#include "object/kobj.h"

struct process;

typedef fe_status_t (*syscall_fn)(struct trap_frame *f);

/* Arguments a0..a5 (rdi, rsi, rdx, r10, r8, r9). */
#define ARG0(f) ((f)->rdi)
#define ARG1(f) ((f)->rsi)
#define ARG2(f) ((f)->rdx)
#define ARG3(f) ((f)->r10)
#define ARG4(f) ((f)->r8)
#define ARG5(f) ((f)->r9)

struct process *current_process(void);

/* Looks h up in the caller's table: the object must be of `type`
 * (FE_OBJ_NONE: any) and the capability must hold `rights`. */
fe_status_t handle_lookup(fe_handle_t h, uint32_t type, uint32_t rights, struct kobj **obj);
fe_status_t handle_lookup_cap(fe_handle_t h, uint32_t type, uint32_t rights, struct cap **cap);

/*
 * Whole or not at all for the calls that make an object: before making
 * anything, a creating call calls handle_reserve, which checks that `uout`
 * is a writable user word and that the caller's table has a free slot
 * (growing it, charged to the budget, if needed). Then, under the same hold
 * of the big lock, handle_install cannot fail, so no object is made only to
 * be undone (which for a thread would end a process left with no thread).
 */
fe_status_t handle_reserve(uint64_t uout);

/* Gives the caller a handle with all rights to a new object and writes it
 * to the user pointer `uout`. Consumes the creation reference; on failure
 * the object is released and nothing is left behind. After handle_reserve
 * (and no sleep since) it does not fail. */
fe_status_t handle_install(struct kobj *obj, uint64_t uout);
/* The same, the new capability made through `parent` (cspace_insert_under):
 * revoking parent removes it. */
fe_status_t handle_install_under(struct cap *parent, struct kobj *obj, uint64_t uout);

/* Handlers, by area. */
fe_status_t sys_null(struct trap_frame *f);
fe_status_t sys_handle_dup(struct trap_frame *f);
fe_status_t sys_handle_delete(struct trap_frame *f);
fe_status_t sys_handle_revoke(struct trap_frame *f);
fe_status_t sys_handle_info(struct trap_frame *f);
fe_status_t sys_handle_grant(struct trap_frame *f);
fe_status_t sys_process_create(struct trap_frame *f);
fe_status_t sys_process_info(struct trap_frame *f);
fe_status_t sys_process_wait(struct trap_frame *f);
fe_status_t sys_process_watch(struct trap_frame *f);
fe_status_t sys_pci_config_read(struct trap_frame *f);
fe_status_t sys_pci_config_write(struct trap_frame *f);
fe_status_t sys_pci_device_create(struct trap_frame *f);
fe_status_t sys_pci_bar(struct trap_frame *f);
fe_status_t sys_pci_irq_bind(struct trap_frame *f);
fe_status_t sys_pci_dma_map(struct trap_frame *f);
fe_status_t sys_pci_dma_unmap(struct trap_frame *f);
fe_status_t sys_pci_release(struct trap_frame *f);
fe_status_t sys_ioport_write(struct trap_frame *f);
fe_status_t sys_group_create(struct trap_frame *f);
fe_status_t sys_group_info(struct trap_frame *f);
fe_status_t sys_group_kill(struct trap_frame *f);
fe_status_t sys_group_freeze(struct trap_frame *f);
fe_status_t sys_console_attach(struct trap_frame *f);
fe_status_t sys_console_take(struct trap_frame *f);
fe_status_t sys_console_detach(struct trap_frame *f);
fe_status_t sys_process_kill(struct trap_frame *f);
fe_status_t sys_process_exit(struct trap_frame *f);
fe_status_t sys_thread_create(struct trap_frame *f);
fe_status_t sys_thread_exit(struct trap_frame *f);
fe_status_t sys_thread_yield(struct trap_frame *f);
fe_status_t sys_thread_sleep(struct trap_frame *f);
fe_status_t sys_thread_set_affinity(struct trap_frame *f);
fe_status_t sys_cpu_current(struct trap_frame *f);
fe_status_t sys_thread_set_ipc_buffer(struct trap_frame *f);
fe_status_t sys_vmo_create(struct trap_frame *f);
fe_status_t sys_vmo_read(struct trap_frame *f);
fe_status_t sys_vmo_write(struct trap_frame *f);
fe_status_t sys_vm_map(struct trap_frame *f);
fe_status_t sys_vm_unmap(struct trap_frame *f);
fe_status_t sys_endpoint_create(struct trap_frame *f);
fe_status_t sys_call(struct trap_frame *f);
fe_status_t sys_recv(struct trap_frame *f);
fe_status_t sys_reply(struct trap_frame *f);
fe_status_t sys_reply_recv(struct trap_frame *f);
fe_status_t sys_notif_create(struct trap_frame *f);
fe_status_t sys_notif_signal(struct trap_frame *f);
fe_status_t sys_notif_wait(struct trap_frame *f);
fe_status_t sys_console_write(struct trap_frame *f);
fe_status_t sys_irq_bind(struct trap_frame *f);
fe_status_t sys_irq_ack(struct trap_frame *f);
fe_status_t sys_ioport_in(struct trap_frame *f);
fe_status_t sys_ioport_out(struct trap_frame *f);
fe_status_t sys_trace_read(struct trap_frame *f);
fe_status_t sys_kernel_stats(struct trap_frame *f);
fe_status_t sys_cpu_stats(struct trap_frame *f);
fe_status_t sys_node_stats(struct trap_frame *f);

#endif /* FERROUS_SYSCALL_SYS_H */
