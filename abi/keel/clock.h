/*
 * The shared clock page (kernel <-> user contract): one read-only page,
 * the same for every process, from which user space computes the
 * monotonic clock (SYS_CLOCK_GET's nanoseconds since boot) without a
 * system call. SYS_CLOCK_PAGE maps it and returns its address.
 *
 * With CLOCK_PAGE_TSC in flags:
 *
 *	delta = tsc >= tsc_base ? tsc - tsc_base : 0
 *	ns = ns_base + (uint64_t)(((unsigned __int128)delta * tsc_mult)
 *				  >> tsc_shift)
 *
 * where tsc is what rdtsc returns on any CPU (the kernel keeps its own
 * clock the same way, so both agree to the nanosecond). Without the flag
 * the TSC cannot be used and SYS_CLOCK_GET is the only clock.
 *
 * The kernel may rewrite the parameters (recalibration): seq is odd
 * while it does, and changes with every rewrite. A reader loads seq
 * (retrying while odd), the fields, then seq again, and starts over if
 * it changed.
 *
 * With CLOCK_PAGE_RDTSCP_CPU, rdtscp (or rdpid) leaves the number of the
 * CPU it ran on (0 = the boot CPU, as in affinity masks) in ecx: the
 * kernel loads it into IA32_TSC_AUX on every CPU.
 */
#pragma once

#include <stdint.h>

#define CLOCK_PAGE_TSC 0x1		/* the tsc_* fields are valid */
#define CLOCK_PAGE_RDTSCP_CPU 0x2	/* rdtscp's ecx is the CPU number */

struct clock_page {
	uint32_t seq;
	uint32_t flags;
	uint64_t tsc_base;
	uint64_t tsc_mult;
	uint32_t tsc_shift;
	uint32_t reserved;
	uint64_t ns_base;
	uint64_t tsc_hz;		/* the measured TSC frequency */
};
_Static_assert(sizeof(struct clock_page) == 48, "clock page layout");
