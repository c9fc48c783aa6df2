/*
 * Hardware memory objects as a driver uses them (started with the
 * hardware right by a kernel self-test): a DMA buffer whose physical
 * pages are contiguous and queryable, and device memory (the HPET's
 * local APIC's registers at 0xfee00000, present on every x86 machine)
 * mapped uncached and read. RAM cannot be
 * mapped as device memory. KTEST lines.
 */
#include <rt/ktest.h>
#include <rt/rt.h>

#define PAGE 4096ul
#define LAPIC_BASE 0xfee00000ul

int main(void);

int main(void)
{
	int64_t dma = rt_syscall2(SYS_MEMORY_CREATE_DMA, 3 * PAGE, 0);
	int64_t p0, p2, addr, lapic, anon, regs;
	volatile uint64_t *buf;

	ktest_check("hwmem/dma_create", dma > 0, "refused");
	p0 = rt_syscall2(SYS_MEMORY_PHYS, (uint64_t)dma, 0);
	p2 = rt_syscall2(SYS_MEMORY_PHYS, (uint64_t)dma, 2 * PAGE + 8);
	ktest_check("hwmem/dma_phys_aligned", p0 > 0 && (p0 & (PAGE - 1)) == 0,
		    "bad address");
	ktest_expect("hwmem/dma_contiguous", p2 - p0, 2 * PAGE + 8);
	ktest_expect("hwmem/dma_phys_past_end",
		     rt_syscall2(SYS_MEMORY_PHYS, (uint64_t)dma, 3 * PAGE),
		     -ERR_RANGE);
	addr = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)dma, 0, 3 * PAGE, 0,
			   VM_READ | VM_WRITE);
	buf = (volatile uint64_t *)addr;
	ktest_check("hwmem/dma_zeroed", addr > 0 && buf[0] == 0 &&
						buf[3 * PAGE / 8 - 1] == 0,
		    "not zero");
	buf[1] = 0x1234;
	ktest_expect("hwmem/dma_rw", (int64_t)buf[1], 0x1234);

	anon = rt_syscall2(SYS_MEMORY_CREATE, PAGE, 0);
	ktest_expect("hwmem/phys_of_anonymous",
		     rt_syscall2(SYS_MEMORY_PHYS, (uint64_t)anon, 0),
		     -ERR_NOT_SUPPORTED);
	ktest_expect("hwmem/device_object_over_ram",
		     rt_syscall6(SYS_MEMORY_CREATE_PHYS, (uint64_t)p0, PAGE,
				 MEMORY_CACHE_UC, 0, 0, 0),
		     -ERR_ACCESS);
	ktest_expect("hwmem/device_object_unaligned",
		     rt_syscall6(SYS_MEMORY_CREATE_PHYS, LAPIC_BASE + 8, PAGE,
				 MEMORY_CACHE_UC, 0, 0, 0),
		     -ERR_INVALID);
	ktest_expect("hwmem/device_object_bad_cache",
		     rt_syscall6(SYS_MEMORY_CREATE_PHYS, LAPIC_BASE, PAGE, 7, 0,
				 0, 0),
		     -ERR_INVALID);
	lapic = rt_syscall6(SYS_MEMORY_CREATE_PHYS, LAPIC_BASE, PAGE,
			   MEMORY_CACHE_UC, 0, 0, 0);
	ktest_check("hwmem/device_object", lapic > 0, "refused");
	regs = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)lapic, 0, PAGE, 0, VM_READ);
	ktest_check("hwmem/device_map", regs > 0, "refused");
	if (regs > 0) {
		uint32_t version = *(volatile uint32_t *)(regs + 0x30);
		uint64_t word;

		/* Version register: an integrated APIC (0x10-0x15) with at
		 * least three LVT entries. */
		ktest_check("hwmem/lapic_registers_read",
			    (version & 0xff) >= 0x10 && (version & 0xff) <= 0x15 &&
				    ((version >> 16) & 0xff) >= 2,
			    "not a local APIC version register");
		/* Reading it through the page tables is fine; the kernel's
		 * cross-space copies do not touch device memory. */
		ktest_expect("hwmem/kernel_copy_from_device_memory_refused",
			     rt_syscall6(SYS_VM_READ, 0, (uint64_t)regs + 0x30,
					 (uint64_t)&word, 4, 0, 0),
			     -ERR_FAULT);
	}
	/* Their pages are one physical range: a fixed size. */
	ktest_expect("hwmem/dma_resize",
		     rt_syscall2(SYS_MEMORY_RESIZE, (uint64_t)dma, 4 * PAGE),
		     -ERR_NOT_SUPPORTED);
	ktest_expect("hwmem/device_resize",
		     rt_syscall2(SYS_MEMORY_RESIZE, (uint64_t)lapic, 2 * PAGE),
		     -ERR_NOT_SUPPORTED);
	ktest_expect("hwmem/dma_still_mapped", (int64_t)buf[1], 0x1234);
	rt_printf("hw_mem_test: %d failed", ktest_failures());
	return ktest_failures();
}
