/* SPDX-License-Identifier: MIT */
/*
 * System call stubs (ABI: include/ferrous/syscall.h). The C calling
 * convention passes a3 in %rcx, which `syscall` overwrites, so it moves to
 * %r10. The IPC stubs load a struct fe_msg into the message registers and
 * store the returned message back.
 */
#include <ferrous/syscall.h>

.macro SYSCALL name, nr
	.globl \name
	.type \name, @function
\name:
	movq %rcx, %r10
	movl $\nr, %eax
	syscall
	ret
	.size \name, . - \name
.endm

	.text
	SYSCALL fe_null, FE_SYS_NULL
	SYSCALL fe_console_write, FE_SYS_CONSOLE_WRITE
	SYSCALL fe_handle_dup, FE_SYS_HANDLE_DUP
	SYSCALL fe_handle_delete, FE_SYS_HANDLE_DELETE
	SYSCALL fe_handle_revoke, FE_SYS_HANDLE_REVOKE
	SYSCALL fe_handle_info, FE_SYS_HANDLE_INFO
	SYSCALL fe_handle_grant, FE_SYS_HANDLE_GRANT
	SYSCALL fe_process_create, FE_SYS_PROCESS_CREATE
	SYSCALL fe_process_info, FE_SYS_PROCESS_INFO
	SYSCALL fe_process_wait, FE_SYS_PROCESS_WAIT
	SYSCALL fe_process_kill, FE_SYS_PROCESS_KILL
	SYSCALL fe_process_exit, FE_SYS_PROCESS_EXIT
	SYSCALL fe_thread_create, FE_SYS_THREAD_CREATE
	SYSCALL fe_thread_exit, FE_SYS_THREAD_EXIT
	SYSCALL fe_thread_yield, FE_SYS_THREAD_YIELD
	SYSCALL fe_thread_set_ipc_buffer, FE_SYS_THREAD_SET_IPC_BUFFER
	SYSCALL fe_vmo_create, FE_SYS_VMO_CREATE
	SYSCALL fe_vmo_read, FE_SYS_VMO_READ
	SYSCALL fe_vmo_write, FE_SYS_VMO_WRITE
	SYSCALL fe_vm_map, FE_SYS_VM_MAP
	SYSCALL fe_vm_unmap, FE_SYS_VM_UNMAP
	SYSCALL fe_endpoint_create, FE_SYS_ENDPOINT_CREATE
	SYSCALL fe_notif_create, FE_SYS_NOTIF_CREATE
	SYSCALL fe_notif_signal, FE_SYS_NOTIF_SIGNAL
	SYSCALL fe_notif_wait, FE_SYS_NOTIF_WAIT
	SYSCALL fe_irq_bind, FE_SYS_IRQ_BIND
	SYSCALL fe_irq_ack, FE_SYS_IRQ_ACK
	SYSCALL fe_ioport_in, FE_SYS_IOPORT_IN
	SYSCALL fe_ioport_out, FE_SYS_IOPORT_OUT
	SYSCALL fe_trace_read, FE_SYS_TRACE_READ
	SYSCALL fe_kernel_stats, FE_SYS_KERNEL_STATS
	SYSCALL fe_thread_sleep, FE_SYS_THREAD_SLEEP

/* uint64_t fe_syscall6(nr, a0, a1, a2, a3, a4, a5): a5 is on the stack. */
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

/* struct fe_msg { info; w[4]; badge; } at offsets 0, 8..32, 40. */
.macro IPC_LOAD
	movq 0(%r11), %rsi
	movq 8(%r11), %rdx
	movq 16(%r11), %r10
	movq 24(%r11), %r8
	movq 32(%r11), %r9
.endm

.macro IPC_STORE
	movq (%rsp), %r11
	movq %rsi, 0(%r11)
	movq %rdx, 8(%r11)
	movq %r10, 16(%r11)
	movq %r8, 24(%r11)
	movq %r9, 32(%r11)
	movq %rdi, 40(%r11)
.endm

/* fe_status_t fe_call(fe_handle_t ep, struct fe_msg *m) */
	.globl fe_call
	.type fe_call, @function
fe_call:
	pushq %rsi
	movq %rsi, %r11
	IPC_LOAD
	movl $FE_SYS_CALL, %eax
	syscall
	IPC_STORE
	addq $8, %rsp
	ret
	.size fe_call, . - fe_call

/* fe_status_t fe_recv(fe_handle_t ep, uint32_t flags, struct fe_msg *m) */
	.globl fe_recv
	.type fe_recv, @function
fe_recv:
	pushq %rdx
	movl $FE_SYS_RECV, %eax
	syscall
	testq %rax, %rax
	jnz 1f
	IPC_STORE
1:	addq $8, %rsp
	ret
	.size fe_recv, . - fe_recv

/* fe_status_t fe_reply(struct fe_msg *m) */
	.globl fe_reply
	.type fe_reply, @function
fe_reply:
	movq %rdi, %r11
	xorl %edi, %edi
	IPC_LOAD
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
	IPC_LOAD
	movl $FE_SYS_REPLY_RECV, %eax
	syscall
	testq %rax, %rax
	jnz 1f
	IPC_STORE
1:	addq $8, %rsp
	ret
	.size fe_reply_recv, . - fe_reply_recv

/* uint64_t fe_rdtsc(void) */
	.globl fe_rdtsc
	.type fe_rdtsc, @function
fe_rdtsc:
	rdtsc
	shlq $32, %rdx
	orq %rdx, %rax
	ret
	.size fe_rdtsc, . - fe_rdtsc
