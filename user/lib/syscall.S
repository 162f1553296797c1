/* SPDX-License-Identifier: MIT */
/*
 * System call stubs; the ABI is in include/ferrous/syscall.h, the C
 * prototypes in user/lib/include/fe/sys.h.
 *
 * A stub puts the call number in eax and executes `syscall`. The C calling
 * convention already has a0..a2 in rdi, rsi, rdx and a4, a5 in r8, r9; only
 * a3 moves, from rcx (which `syscall` overwrites with the return address) to
 * r10. The status comes back in rax, the C return register. rcx and r11 are
 * caller-saved in C, so their loss needs no saving.
 */
#include <ferrous/syscall.h>

/*
 * A call whose C prototype matches the kernel's argument order. `zx` names
 * the 32-bit registers of uint32_t arguments: C leaves the upper half of
 * such a register undefined, and the kernel reads all 64 bits, so the stub
 * zero-extends them (a 32-bit move clears bits 32..63).
 */
.macro SYSCALL name, nr, zx:vararg
	.globl \name
	.type \name, @function
\name:
	movq %rcx, %r10
	.ifnb \zx
	.irp r, \zx
	movl \r, \r
	.endr
	.endif
	movl $\nr, %eax
	syscall
	ret
	.size \name, . - \name
.endm

/* A call that does not return; if the kernel ever returns, fault here. */
.macro SYSCALL_NORETURN name, nr
	.globl \name
	.type \name, @function
\name:
	movl $\nr, %eax
	syscall
	ud2
	.size \name, . - \name
.endm

	.text
	SYSCALL fe_null, FE_SYS_NULL
	SYSCALL fe_console_write, FE_SYS_CONSOLE_WRITE
	SYSCALL fe_handle_dup, FE_SYS_HANDLE_DUP, %esi
	SYSCALL fe_handle_delete, FE_SYS_HANDLE_DELETE
	SYSCALL fe_handle_revoke, FE_SYS_HANDLE_REVOKE
	SYSCALL fe_handle_info, FE_SYS_HANDLE_INFO
	SYSCALL fe_handle_grant, FE_SYS_HANDLE_GRANT, %edx
	SYSCALL fe_process_create_in, FE_SYS_PROCESS_CREATE
	SYSCALL fe_process_info, FE_SYS_PROCESS_INFO
	SYSCALL fe_process_wait, FE_SYS_PROCESS_WAIT, %edx
	SYSCALL fe_process_kill, FE_SYS_PROCESS_KILL
	SYSCALL_NORETURN fe_process_exit, FE_SYS_PROCESS_EXIT
	SYSCALL fe_thread_create, FE_SYS_THREAD_CREATE, %r8d
	SYSCALL_NORETURN fe_thread_exit, FE_SYS_THREAD_EXIT
	SYSCALL fe_thread_yield, FE_SYS_THREAD_YIELD
	SYSCALL fe_thread_set_ipc_buffer, FE_SYS_THREAD_SET_IPC_BUFFER
	SYSCALL fe_vmo_read, FE_SYS_VMO_READ
	SYSCALL fe_vmo_write, FE_SYS_VMO_WRITE
	SYSCALL fe_vm_map, FE_SYS_VM_MAP, %r9d
	SYSCALL fe_vm_unmap, FE_SYS_VM_UNMAP
	SYSCALL fe_endpoint_create, FE_SYS_ENDPOINT_CREATE
	SYSCALL fe_notif_create, FE_SYS_NOTIF_CREATE
	SYSCALL fe_notif_signal, FE_SYS_NOTIF_SIGNAL
	SYSCALL fe_notif_wait, FE_SYS_NOTIF_WAIT, %esi
	SYSCALL fe_irq_bind, FE_SYS_IRQ_BIND, %edx
	SYSCALL fe_irq_ack, FE_SYS_IRQ_ACK
	SYSCALL fe_process_watch, FE_SYS_PROCESS_WATCH, %edx
	SYSCALL fe_ioport_in, FE_SYS_IOPORT_IN, %esi, %edx
	SYSCALL fe_pci_config_read, FE_SYS_PCI_CONFIG_READ, %esi, %edx, %r10d
	SYSCALL fe_pci_config_write, FE_SYS_PCI_CONFIG_WRITE, %esi, %edx, %r10d
	SYSCALL fe_pci_device_create, FE_SYS_PCI_DEVICE_CREATE, %esi
	SYSCALL fe_pci_bar, FE_SYS_PCI_BAR, %esi
	SYSCALL fe_pci_irq_bind, FE_SYS_PCI_IRQ_BIND, %esi, %r10d
	SYSCALL fe_pci_dma_map, FE_SYS_PCI_DMA_MAP, %r8d
	SYSCALL fe_pci_dma_unmap, FE_SYS_PCI_DMA_UNMAP
	SYSCALL fe_pci_release, FE_SYS_PCI_RELEASE
	SYSCALL fe_console_attach, FE_SYS_CONSOLE_ATTACH, %r10d
	SYSCALL fe_console_take, FE_SYS_CONSOLE_TAKE
	SYSCALL fe_console_detach, FE_SYS_CONSOLE_DETACH
	SYSCALL fe_ioport_write, FE_SYS_IOPORT_WRITE, %esi
	SYSCALL fe_group_create, FE_SYS_GROUP_CREATE, %r10d
	SYSCALL fe_group_info, FE_SYS_GROUP_INFO
	SYSCALL fe_group_kill, FE_SYS_GROUP_KILL
	SYSCALL fe_group_freeze, FE_SYS_GROUP_FREEZE
	SYSCALL fe_ioport_out, FE_SYS_IOPORT_OUT, %esi, %edx, %r10d
	SYSCALL fe_trace_read, FE_SYS_TRACE_READ
	SYSCALL fe_kernel_stats, FE_SYS_KERNEL_STATS
	SYSCALL fe_thread_sleep, FE_SYS_THREAD_SLEEP
	SYSCALL fe_thread_set_affinity, FE_SYS_THREAD_SET_AFFINITY
	SYSCALL fe_cpu_current, FE_SYS_CPU_CURRENT
	SYSCALL fe_cpu_stats, FE_SYS_CPU_STATS, %esi
	SYSCALL fe_node_stats, FE_SYS_NODE_STATS, %esi

/*
 * fe_status_t fe_vmo_create(uint64_t size, fe_handle_t *out): flags 0. The
 * kernel reads flags from rdx, which C leaves undefined for a two-argument
 * call, so it is cleared.
 */
	.globl fe_vmo_create
	.type fe_vmo_create, @function
fe_vmo_create:
	xorl %edx, %edx
	movl $FE_SYS_VMO_CREATE, %eax
	syscall
	ret
	.size fe_vmo_create, . - fe_vmo_create

/*
 * fe_status_t fe_vmo_create_flags(uint64_t size, uint32_t flags, fe_handle_t *out):
 * the kernel takes (size, out, flags), so rsi and rdx swap; flags is a
 * uint32_t, whose upper half C leaves undefined (a 32-bit move clears it).
 */
	.globl fe_vmo_create_flags
	.type fe_vmo_create_flags, @function
fe_vmo_create_flags:
	movl %esi, %eax
	movq %rdx, %rsi
	movq %rax, %rdx
	movl $FE_SYS_VMO_CREATE, %eax
	syscall
	ret
	.size fe_vmo_create_flags, . - fe_vmo_create_flags

/*
 * uint64_t fe_syscall6(nr, a0, a1, a2, a3, a4, a5): any call with any
 * arguments, for the fuzzer. C passes nr..a4 in rdi, rsi, rdx, rcx, r8, r9
 * and a5 on the stack (just above the return address); each shifts down one
 * register into the kernel's order.
 */
	.globl fe_syscall6
	.type fe_syscall6, @function
fe_syscall6:
	movq %rdi, %rax
	movq %rsi, %rdi
	movq %rdx, %rsi
	movq %rcx, %rdx
	movq %r8, %r10
	movq %r9, %r8
	movq 8(%rsp), %r9
	syscall
	ret
	.size fe_syscall6, . - fe_syscall6

/*
 * IPC. struct fe_msg { info; w[4]; badge; } (offsets 0, 8..32, 40) travels
 * as rsi = info, rdx, r10, r8, r9 = w[0..3]; a received message also has
 * rdi = badge. The message pointer is kept on the stack across `syscall`
 * (every argument register carries message data), and the reply or received
 * message is stored back only on FE_OK, so a failed call leaves *m as it was.
 * r11 serves as the scratch pointer: it is clobbered by `syscall` anyway.
 */
.macro MSG_LOAD
	movq 0(%r11), %rsi
	movq 8(%r11), %rdx
	movq 16(%r11), %r10
	movq 24(%r11), %r8
	movq 32(%r11), %r9
.endm

/* Stores the message registers into the fe_msg at (%rsp) if rax == FE_OK. */
.macro MSG_STORE_IF_OK
	testq %rax, %rax
	jnz 1f
	movq (%rsp), %r11
	movq %rsi, 0(%r11)
	movq %rdx, 8(%r11)
	movq %r10, 16(%r11)
	movq %r8, 24(%r11)
	movq %r9, 32(%r11)
	movq %rdi, 40(%r11)
1:
.endm

/* fe_status_t fe_call(fe_handle_t ep, struct fe_msg *m) */
	.globl fe_call
	.type fe_call, @function
fe_call:
	pushq %rsi
	movq %rsi, %r11
	MSG_LOAD
	movl $FE_SYS_CALL, %eax
	syscall
	MSG_STORE_IF_OK
	addq $8, %rsp
	ret
	.size fe_call, . - fe_call

/* fe_status_t fe_recv(fe_handle_t ep, uint32_t flags, struct fe_msg *m) */
	.globl fe_recv
	.type fe_recv, @function
fe_recv:
	pushq %rdx
	movl %esi, %esi /* flags is a uint32_t: the upper half is undefined in C */
	movl $FE_SYS_RECV, %eax
	syscall
	MSG_STORE_IF_OK
	addq $8, %rsp
	ret
	.size fe_recv, . - fe_recv

/* fe_status_t fe_reply(struct fe_msg *m): a0 = 0 by the ABI. */
	.globl fe_reply
	.type fe_reply, @function
fe_reply:
	movq %rdi, %r11
	xorl %edi, %edi
	MSG_LOAD
	movl $FE_SYS_REPLY, %eax
	syscall
	ret
	.size fe_reply, . - fe_reply

/* fe_status_t fe_reply_recv(fe_handle_t ep, struct fe_msg *m) */
	.globl fe_reply_recv
	.type fe_reply_recv, @function
fe_reply_recv:
	pushq %rsi
	movq %rsi, %r11
	MSG_LOAD
	movl $FE_SYS_REPLY_RECV, %eax
	syscall
	MSG_STORE_IF_OK
	addq $8, %rsp
	ret
	.size fe_reply_recv, . - fe_reply_recv

/* uint64_t fe_rdtsc(void): the time stamp counter (not serialising). */
	.globl fe_rdtsc
	.type fe_rdtsc, @function
fe_rdtsc:
	rdtsc
	shlq $32, %rdx
	orq %rdx, %rax
	ret
	.size fe_rdtsc, . - fe_rdtsc

	.section .note.GNU-stack, "", @progbits
