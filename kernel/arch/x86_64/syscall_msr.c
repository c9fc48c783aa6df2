/*
 * SYSCALL/SYSRET MSR setup. STAR gives the kernel CS (and SS = CS + 8)
 * for entry and the base from which SYSRET derives the user selectors
 * (SS = base + 8, CS = base + 16, see the GDT layout in gdt.c). SFMASK
 * clears IF, DF, TF and AC on entry. IA32_TSC_AUX gets the CPU number,
 * which user space reads with rdtscp (abi/keel/clock.h).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/syscall.h>
#include <arch/x86_64/trap.h>
#include <smp/percpu.h>

void syscall_entry(void);

void syscall_init_cpu(void)
{
	cpu_wrmsr(MSR_STAR, ((uint64_t)(GDT_KERNEL_DATA | 3) << 48) |
				    ((uint64_t)GDT_KERNEL_CODE << 32));
	cpu_wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	cpu_wrmsr(MSR_SFMASK, (1u << 9) | (1u << 10) | (1u << 8) | (1u << 18));
	cpu_wrmsr(MSR_EFER, cpu_rdmsr(MSR_EFER) | EFER_SCE);
	if (cpu_has_rdtscp()) {
		cpu_wrmsr(MSR_TSC_AUX, percpu_id());
	}
}
