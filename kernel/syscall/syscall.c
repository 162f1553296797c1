/* SPDX-License-Identifier: MIT */
/*
 * The system call table and the paths back to user mode. Every call is
 * traced by one record at its exit (FE_TRACE_SYSCALL: number, status, first
 * arguments, and how long ago it began).
 */
#include "syscall/syscall.h"

#include <arch/asm.h>
#include <arch/trap.h>
#include <arch/user.h>
#include <ferrous/trace.h>

#include "core/biglock.h"
#include "core/log.h"
#include "core/panic.h"
#include "mm/aspace.h"
#include "object/console_driver.h"
#include "object/group.h"
#include "object/process.h"
#include "object/process.h"
#include "object/thread.h"
#include "sched/sched.h"
#include "syscall/sys.h"
#include "trace/emit.h"

static const syscall_fn table[FE_SYS_COUNT] = {
	[FE_SYS_NULL] = sys_null,
	[FE_SYS_CONSOLE_WRITE] = sys_console_write,
	[FE_SYS_HANDLE_DUP] = sys_handle_dup,
	[FE_SYS_HANDLE_DELETE] = sys_handle_delete,
	[FE_SYS_HANDLE_REVOKE] = sys_handle_revoke,
	[FE_SYS_HANDLE_INFO] = sys_handle_info,
	[FE_SYS_HANDLE_GRANT] = sys_handle_grant,
	[FE_SYS_PROCESS_CREATE] = sys_process_create,
	[FE_SYS_PROCESS_INFO] = sys_process_info,
	[FE_SYS_PROCESS_WAIT] = sys_process_wait,
	[FE_SYS_PROCESS_WATCH] = sys_process_watch,
	[FE_SYS_PROCESS_KILL] = sys_process_kill,
	[FE_SYS_PROCESS_EXIT] = sys_process_exit,
	[FE_SYS_THREAD_CREATE] = sys_thread_create,
	[FE_SYS_THREAD_EXIT] = sys_thread_exit,
	[FE_SYS_THREAD_YIELD] = sys_thread_yield,
	[FE_SYS_THREAD_SET_IPC_BUFFER] = sys_thread_set_ipc_buffer,
	[FE_SYS_VMO_CREATE] = sys_vmo_create,
	[FE_SYS_VMO_READ] = sys_vmo_read,
	[FE_SYS_VMO_WRITE] = sys_vmo_write,
	[FE_SYS_VM_MAP] = sys_vm_map,
	[FE_SYS_VM_UNMAP] = sys_vm_unmap,
	[FE_SYS_ENDPOINT_CREATE] = sys_endpoint_create,
	[FE_SYS_CALL] = sys_call,
	[FE_SYS_RECV] = sys_recv,
	[FE_SYS_REPLY] = sys_reply,
	[FE_SYS_REPLY_RECV] = sys_reply_recv,
	[FE_SYS_NOTIF_CREATE] = sys_notif_create,
	[FE_SYS_NOTIF_SIGNAL] = sys_notif_signal,
	[FE_SYS_NOTIF_WAIT] = sys_notif_wait,
	[FE_SYS_IRQ_BIND] = sys_irq_bind,
	[FE_SYS_IRQ_ACK] = sys_irq_ack,
	[FE_SYS_IOPORT_IN] = sys_ioport_in,
	[FE_SYS_IOPORT_OUT] = sys_ioport_out,
	[FE_SYS_TRACE_READ] = sys_trace_read,
	[FE_SYS_KERNEL_STATS] = sys_kernel_stats,
	[FE_SYS_THREAD_SLEEP] = sys_thread_sleep,
	[FE_SYS_THREAD_SET_AFFINITY] = sys_thread_set_affinity,
	[FE_SYS_CPU_CURRENT] = sys_cpu_current,
	[FE_SYS_CPU_STATS] = sys_cpu_stats,
	[FE_SYS_NODE_STATS] = sys_node_stats,
	[FE_SYS_PCI_CONFIG_READ] = sys_pci_config_read,
	[FE_SYS_PCI_CONFIG_WRITE] = sys_pci_config_write,
	[FE_SYS_PCI_DEVICE_CREATE] = sys_pci_device_create,
	[FE_SYS_PCI_BAR] = sys_pci_bar,
	[FE_SYS_PCI_IRQ_BIND] = sys_pci_irq_bind,
	[FE_SYS_PCI_DMA_MAP] = sys_pci_dma_map,
	[FE_SYS_PCI_DMA_UNMAP] = sys_pci_dma_unmap,
	[FE_SYS_PCI_RELEASE] = sys_pci_release,
	[FE_SYS_CONSOLE_ATTACH] = sys_console_attach,
	[FE_SYS_CONSOLE_TAKE] = sys_console_take,
	[FE_SYS_CONSOLE_DETACH] = sys_console_detach,
	[FE_SYS_IOPORT_WRITE] = sys_ioport_write,
	[FE_SYS_GROUP_CREATE] = sys_group_create,
	[FE_SYS_GROUP_INFO] = sys_group_info,
	[FE_SYS_GROUP_KILL] = sys_group_kill,
	[FE_SYS_GROUP_FREEZE] = sys_group_freeze,
};

static uint64_t syscalls;

uint64_t syscall_count(void)
{
	return syscalls;
}

void syscall_dispatch(struct trap_frame *f)
{
	uint64_t nr = f->rax, a0 = f->rdi, a1 = f->rsi;
	fe_status_t st = FE_ERR_BAD_SYSCALL;

	big_lock_acquire();
	uint64_t entry = trace_syscall_begin();
	syscalls++;
	/* thread_exit does not come back here: its record is written as it is made. */
	if (nr == FE_SYS_THREAD_EXIT)
		trace_syscall_hot(nr, FE_OK, a0, a1, trace_clock());
	/* Killed while in user mode (its process ended on another CPU while we
	 * waited for the lock): no call, as the process is gone (a handle made
	 * in its emptied table would never be freed); return_to_user ends it. */
	struct thread *t = sched_current();
	t->proc->syscalls++;
	if (nr < FE_SYS_COUNT && table[nr] && !t->killed)
		st = table[nr](f);
	f->rax = (uint64_t)(int64_t)st;
	if (aspace_flush_pending())
		panic("syscall %llu left removed mappings without a TLB shootdown",
		      (unsigned long long)nr);
	trace_syscall_hot(nr, st, a0, a1, entry);
	return_to_user(f);
	/* sysret to a non-user rip would fault in ring 0 on the user stack. */
	if (!arch_sysret_safe(f))
		f->vector = TF_RETURN_IRET;
	big_lock_release();
}

void return_to_user(struct trap_frame *f)
{
	struct thread *t = sched_current();

	console_driver_poll(); /* output this kernel entry made: tell the UART driver */
	for (;;) {
		kobj_reap();
		if (t->killed)
			thread_exit_current();
		if (t->proc->group->frozen) {
			group_hold(t); /* back here once thawed, or killed */
			continue;
		}
		if (!this_cpu()->sched.need_resched)
			break;
		sched_preempt_point();
	}
	arch_user_frame_sanitize(f);
}

_Noreturn void user_exception(struct trap_frame *f, unsigned vector, uint64_t address)
{
	struct thread *t = sched_current();
	struct process *p = t->proc;
	struct fe_exit_status why = {
		.reason = FE_EXIT_FAULT, .vector = vector, .address = address, .rip = f->rip,
	};

	pr_warn("process %llu '%s': %s (vector %u, error %#llx) at rip %#llx, address %#llx: "
	        "process ended\n", (unsigned long long)p->obj.koid, p->name,
	        trap_exception_name(vector), vector, (unsigned long long)f->error,
	        (unsigned long long)f->rip, (unsigned long long)address);
	trace_emit(FE_TRACE_FAULT, p->obj.koid, vector, address, f->rip);
	process_terminate(p, &why);
	thread_exit_current();
}

_Noreturn void user_return_fault(struct trap_frame *f, unsigned vector)
{
	struct thread *t = sched_current();
	struct process *p = t->proc;
	struct fe_exit_status why = { .reason = FE_EXIT_FAULT, .vector = vector, .rip = f->rip };

	pr_warn("process %llu '%s': %s (vector %u) on the kernel's return to user mode: "
	        "process ended\n", (unsigned long long)p->obj.koid, p->name,
	        trap_exception_name(vector), vector);
	trace_emit(FE_TRACE_FAULT, p->obj.koid, vector, 0, f->rip);
	process_terminate(p, &why);
	thread_exit_current();
}
