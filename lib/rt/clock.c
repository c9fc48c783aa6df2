/*
 * The clock without a system call (see rt.h): reads the shared clock page
 * (abi/keel/clock.h) with its sequence counter. The page's address is
 * looked up once per process and kept; a copy made with SYS_PROCESS_FORK
 * has the page at the same address.
 */
#include <keel/clock.h>
#include <rt/rt.h>

/* 0: not asked yet; 1: no page (use the system call); else the page. */
static uintptr_t clock_page_addr;

static const volatile struct clock_page *clock_page(void)
{
	uintptr_t addr = __atomic_load_n(&clock_page_addr, __ATOMIC_ACQUIRE);

	if (addr == 0) {
		int64_t r = rt_syscall2(SYS_CLOCK_PAGE, 0, 0);

		/* Racing threads get the same address, so either store is
		 * right. */
		addr = r > 0 ? (uintptr_t)r : 1;
		__atomic_store_n(&clock_page_addr, addr, __ATOMIC_RELEASE);
	}
	return addr == 1 ? NULL : (const volatile struct clock_page *)addr;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

uint64_t rt_clock_ns(void)
{
	const volatile struct clock_page *cp = clock_page();
	uint64_t base, mult, ns_base, tsc, delta;
	uint32_t seq, shift, flags;

	if (!cp) {
		return rt_clock_get();
	}
	do {
		seq = __atomic_load_n(&cp->seq, __ATOMIC_ACQUIRE);
		if (seq & 1) {
			__asm__ volatile("pause");
			continue;
		}
		flags = cp->flags;
		base = cp->tsc_base;
		mult = cp->tsc_mult;
		shift = cp->tsc_shift;
		ns_base = cp->ns_base;
		/* rdtsc is not ordered: keep it after the loads above. */
		__asm__ volatile("lfence" : : : "memory");
		tsc = rdtsc();
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) || __atomic_load_n(&cp->seq, __ATOMIC_ACQUIRE) != seq);
	if (!(flags & CLOCK_PAGE_TSC) || shift > 63) {
		return rt_clock_get();
	}
	delta = tsc > base ? tsc - base : 0;
	return ns_base + (uint64_t)(((unsigned __int128)delta * mult) >> shift);
}

int64_t rt_cpu_current(void)
{
	const volatile struct clock_page *cp = clock_page();
	uint32_t lo, hi, aux;

	if (!cp || !(cp->flags & CLOCK_PAGE_RDTSCP_CPU)) {
		return -(int64_t)ERR_NOT_SUPPORTED;
	}
	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	return aux;
}
