/* SPDX-License-Identifier: MIT */
/*
 * CPU identification and protection set-up.
 */
#include <arch/cpu.h>
#include <arch/trap.h>
#include <arch/x86.h>

#include "core/console.h"
#include "lib/fmt.h"
#include "lib/string.h"

struct cpu_features cpu_features;

static bool bit(uint32_t reg, unsigned n)
{
	return (reg >> n) & 1u;
}

static void detect_names(struct cpu_features *f)
{
	struct cpuid_regs r = cpuid(0, 0);
	memcpy(f->vendor + 0, &r.ebx, 4);
	memcpy(f->vendor + 4, &r.edx, 4);
	memcpy(f->vendor + 8, &r.ecx, 4);
	f->vendor[12] = '\0';

	if (cpuid(0x80000000, 0).eax >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			r = cpuid(0x80000002 + i, 0);
			memcpy(f->brand + i * 16 + 0, &r.eax, 4);
			memcpy(f->brand + i * 16 + 4, &r.ebx, 4);
			memcpy(f->brand + i * 16 + 8, &r.ecx, 4);
			memcpy(f->brand + i * 16 + 12, &r.edx, 4);
		}
	}
	f->brand[48] = '\0';
}

void cpu_features_detect(void)
{
	struct cpu_features *f = &cpu_features;
	uint32_t max_leaf = cpuid(0, 0).eax;
	uint32_t max_ext = cpuid(0x80000000, 0).eax;

	detect_names(f);
	struct cpuid_regs r1 = cpuid(1, 0);
	f->stepping = r1.eax & 0xf;
	f->model = ((r1.eax >> 4) & 0xf) | (((r1.eax >> 16) & 0xf) << 4);
	f->family = ((r1.eax >> 8) & 0xf) + ((r1.eax >> 20) & 0xff);
	f->x2apic = bit(r1.ecx, 21);
	f->tsc_deadline = bit(r1.ecx, 24);
	f->mwait = bit(r1.ecx, 3);
	f->pcid = bit(r1.ecx, 17);
	f->rdrand = bit(r1.ecx, 30);
	f->pge = bit(r1.edx, 13);
	if (max_leaf >= 7) {
		struct cpuid_regs r7 = cpuid(7, 0);
		f->smep = bit(r7.ebx, 7);
		f->smap = bit(r7.ebx, 20);
		f->fsgsbase = bit(r7.ebx, 0);
		f->umip = bit(r7.ecx, 2);
	}
	if (max_leaf >= 0x15) {
		struct cpuid_regs r15 = cpuid(0x15, 0);
		f->tsc_ratio_den = r15.eax;
		f->tsc_ratio_num = r15.ebx;
		f->tsc_crystal_hz = r15.ecx;
	}
	if (max_ext >= 0x80000001) {
		struct cpuid_regs e1 = cpuid(0x80000001, 0);
		f->nx = bit(e1.edx, 20);
		f->pdpe1gb = bit(e1.edx, 26);
	}
	if (max_ext >= 0x80000007)
		f->invariant_tsc = bit(cpuid(0x80000007, 0).edx, 8);
}

void cpu_enable_protections(void)
{
	const struct cpu_features *f = &cpu_features;
	uint64_t cr4 = read_cr4();

	if (f->nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP); /* ring 0 honours read-only pages too */
	if (f->smep)
		cr4 |= CR4_SMEP;
	if (f->smap)
		cr4 |= CR4_SMAP;
	if (f->umip)
		cr4 |= CR4_UMIP;
	if (f->pge)
		cr4 |= CR4_PGE;
	write_cr4(cr4);
}

void cpu_protections_string(char *buf, unsigned size)
{
	uint64_t cr4 = read_cr4();
	bool nxe = (rdmsr(MSR_EFER) & EFER_NXE) != 0;

	fmt_snprintf(buf, size, "%s%s%s%s%s", nxe ? "NX " : "", (read_cr0() & CR0_WP) ? "WP " : "",
	             (cr4 & CR4_SMEP) ? "SMEP " : "", (cr4 & CR4_SMAP) ? "SMAP " : "",
	             (cr4 & CR4_UMIP) ? "UMIP" : "");
}

void arch_halt_forever(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

/* SAFETY: reads the caller's frame; noinline so that our frame and return
 * address describe the caller (frame pointers are always kept). */
__attribute__((noinline)) void arch_capture_frame(struct trap_frame *f)
{
	memset(f, 0, sizeof(*f));
	f->rip = (uint64_t)(uintptr_t)__builtin_return_address(0);
	/* Our frame's saved %rbp is the caller's frame pointer. */
	const uint64_t *frame = __builtin_frame_address(0);
	f->rbp = frame[0];
	f->rsp = (uint64_t)(uintptr_t)frame + 16;
	f->cs = SEL_KCODE;
	f->ss = SEL_KDATA;
	f->rflags = read_rflags();
}

static void dump_gprs(const struct trap_frame *f)
{
	console_printf("RAX: %016llx RBX: %016llx RCX: %016llx\n", (unsigned long long)f->rax,
	               (unsigned long long)f->rbx, (unsigned long long)f->rcx);
	console_printf("RDX: %016llx RSI: %016llx RDI: %016llx\n", (unsigned long long)f->rdx,
	               (unsigned long long)f->rsi, (unsigned long long)f->rdi);
	console_printf("R8:  %016llx R9:  %016llx R10: %016llx\n", (unsigned long long)f->r8,
	               (unsigned long long)f->r9, (unsigned long long)f->r10);
	console_printf("R11: %016llx R12: %016llx R13: %016llx\n", (unsigned long long)f->r11,
	               (unsigned long long)f->r12, (unsigned long long)f->r13);
	console_printf("R14: %016llx R15: %016llx\n", (unsigned long long)f->r14,
	               (unsigned long long)f->r15);
}

void arch_dump_frame(const struct trap_frame *f, bool all)
{
	console_printf("RIP: %04llx:%p RFLAGS: %016llx\n", (unsigned long long)f->cs,
	               (void *)f->rip, (unsigned long long)f->rflags);
	console_printf("RSP: %04llx:%p RBP: %016llx\n", (unsigned long long)f->ss, (void *)f->rsp,
	               (unsigned long long)f->rbp);
	if (all)
		dump_gprs(f);
	console_printf("CR0: %016llx CR2: %016llx CR3: %016llx CR4: %016llx\n",
	               (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
	               (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
}

/* SAFETY: port 0xf4 is QEMU's isa-debug-exit device; the kernel writes it
 * only when the command line says qemu_exit=1 (the test runner adds the
 * device). Without the device the write does nothing. */
void arch_qemu_exit(uint8_t code)
{
	outl(0xf4, code);
}

