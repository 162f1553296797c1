/* SPDX-License-Identifier: MIT */
/* Constants shared by C and assembly in kernel/arch/x86_64. */
#ifndef FERROUS_ARCH_ASM_H
#define FERROUS_ARCH_ASM_H

#define BOOT_STACK_SIZE (16 * 1024)

/* GDT selectors. The order of user data then user code is what SYSRET needs. */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x1b /* 0x18 | RPL 3 */
#define SEL_UCODE 0x23 /* 0x20 | RPL 3 */
#define SEL_TSS 0x28

/* Offsets in struct trap_frame (kernel/arch/x86_64/include/arch/trap.h). */
#define TF_VECTOR (15 * 8)
#define TF_ERROR (16 * 8)
#define TF_RIP (17 * 8)
#define TF_CS (18 * 8)
#define TF_SIZE (22 * 8)

/* Offsets in struct cpu (kernel/core/cpu.h) that entry stubs use via %gs. */
#define CPU_SYSCALL_RSP 8
#define CPU_USER_RSP 16

/* struct trap_frame.vector for a frame the syscall stub built; the
 * dispatcher sets TF_RETURN_IRET there when sysret is unsafe. */
#define TF_VECTOR_SYSCALL 0x100
#define TF_RETURN_IRET 0x101

/* IST slots in the TSS (1-based, as the IDT gate's IST field counts). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3

#endif /* FERROUS_ARCH_ASM_H */
