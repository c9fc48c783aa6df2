/*
 * Hostile native calls: each must fail with the right error while the
 * kernel carries on. One line per case, "KTEST PASS hostile/<case>" or
 * "KTEST FAIL hostile/<case>: ...", read by the test harness from the
 * kernel log. Exits with the number of failed cases.
 */
#include <base/fmt.h>
#include <rt/ktest.h>
#include <rt/rt.h>

#define KERNEL_ADDR 0xffffffff80100000ul
#define USER_TOP 0x0000800000000000ul
#define STACK_TOP 0x00007ffffffff000ul /* first unmapped byte above it */
#define LINUX_ENOSYS (-38)

int main(void);

static void expect(const char *name, int64_t got, int64_t want)
{
	char full[64];

	fmt_snprintf(full, sizeof(full), "hostile/%s", name);
	ktest_expect(full, got, want);
}

int main(void)
{
	static const char msg[] = "a well-formed message";
	uint64_t t0, t1;

	expect("log_ok", rt_log_write(msg, sizeof(msg) - 1), 0);
	/* Only servers with the hardware right may turn the machine off. */
	expect("power_off_without_right",
	       rt_syscall2(SYS_SYSTEM_POWER, SYSTEM_POWER_OFF, 0), -ERR_ACCESS);
	expect("console_write_without_right",
	       rt_syscall2(SYS_CONSOLE_WRITE, (uint64_t)msg, 4), -ERR_ACCESS);
	expect("reboot_without_right",
	       rt_syscall2(SYS_SYSTEM_POWER, SYSTEM_POWER_REBOOT, 0),
	       -ERR_ACCESS);
	expect("log_empty", rt_log_write(msg, 0), 0);
	expect("log_kernel_buffer", rt_log_write((void *)KERNEL_ADDR, 16),
	       -ERR_FAULT);
	expect("log_null_buffer", rt_log_write((void *)0, 16), -ERR_FAULT);
	expect("log_unmapped_buffer", rt_log_write((void *)0x10000000ul, 16),
	       -ERR_FAULT);
	expect("log_noncanonical_buffer", rt_log_write((void *)USER_TOP, 8),
	       -ERR_FAULT);
	expect("log_crossing_user_top",
	       rt_log_write((void *)(USER_TOP - 8), 64), -ERR_FAULT);
	expect("log_length_wraps",
	       rt_log_write((void *)0xfffffffffffffff0ul, 32), -ERR_FAULT);
	expect("log_huge_length", rt_log_write(msg, 1ul << 40), -ERR_TOO_BIG);
	/* Starts in the mapped stack, runs into the unmapped page above:
	 * the copy itself faults and must be caught. */
	expect("log_partly_mapped",
	       rt_log_write((void *)(STACK_TOP - 16), 64), -ERR_FAULT);
	expect("native_unknown",
	       rt_syscall6(SYS_NATIVE_BASE + SYS_NATIVE_COUNT - 1, 1, 2, 3, 4,
			   5, 6),
	       -ERR_NO_SYS);
	expect("linux_getpid_unsupervised", rt_syscall6(39, 0, 0, 0, 0, 0, 0),
	       LINUX_ENOSYS);
	expect("linux_x32_unsupervised",
	       rt_syscall6(0x40000000ul + 39, 0, 0, 0, 0, 0, 0), LINUX_ENOSYS);
	expect("number_all_ones", rt_syscall6(~0ul, 0, 0, 0, 0, 0, 0),
	       LINUX_ENOSYS);
	expect("number_below_native",
	       rt_syscall6(SYS_NATIVE_BASE - 1, 0, 0, 0, 0, 0, 0),
	       LINUX_ENOSYS);
	expect("number_above_native",
	       rt_syscall6(SYS_NATIVE_BASE + SYS_NATIVE_COUNT, 0, 0, 0, 0, 0,
			   0),
	       LINUX_ENOSYS);
	expect("irq_create_needs_hardware_right",
	       rt_syscall2(SYS_IRQ_CREATE, 8, IRQ_ISA), -ERR_ACCESS);
	expect("ioport_create_needs_hardware_right",
	       rt_syscall2(SYS_IOPORT_CREATE, 0x70, 2), -ERR_ACCESS);
	expect("dma_needs_hardware_right",
	       rt_syscall2(SYS_MEMORY_CREATE_DMA, 4096, 0), -ERR_ACCESS);
	expect("device_memory_needs_hardware_right",
	       rt_syscall6(SYS_MEMORY_CREATE_PHYS, 0xfed00000ul, 4096, 0, 0,
			   0, 0),
	       -ERR_ACCESS);
	t0 = rt_clock_ns();
	rt_yield();
	t1 = rt_clock_ns();
	expect("clock_monotonic", t0 > 0 && t1 >= t0, 1);
	rt_printf("hostile: %d failed", ktest_failures());
	return ktest_failures();
}
