/*
 * TSC-based monotonic clock (see clock.h). ns = (tsc - base) * mult >> 32
 * with a 64x64->128 multiply, so no division on the read path and no
 * overflow for centuries of uptime.
 *
 * The same parameters go to the shared clock page (abi/keel/clock.h),
 * written once at clock_start under its sequence counter, so user space
 * computes exactly what clock_ns() returns. SYS_CLOCK_PAGE maps it.
 */
#include <arch/x86_64/cpu.h>
#include <keel/clock.h>
#include <log/log.h>
#include <mm/addr.h>
#include <mm/pmm.h>
#include <mm/vm.h>
#include <object/kobject.h>
#include <syscall/syscall.h>
#include <time/clock.h>
#include <user/process.h>

#define LOG_SUBSYS "clock"

static uint64_t clock_base_tsc;
static uint64_t clock_mult; /* ns per tick, 32.32 fixed point */
static uint64_t clock_hz;

/* The clock page: one frame, never freed. Its kobject is what mapping
 * regions hold a reference to; the reference taken here is never
 * dropped, so destroy never runs. */
static paddr_t clock_page_frame;
static struct kobject clock_page_obj;
static const struct kobject_ops clock_page_ops = { .destroy = NULL };

/* Publishes the clock's parameters in the clock page (seqlock write). */
static void clock_page_publish(void)
{
	struct clock_page *cp;
	uint32_t flags = CLOCK_PAGE_TSC;

	if (!clock_page_frame) {
		if (pmm_alloc_page(&clock_page_frame) != ERR_OK) {
			LOG("no memory for the clock page");
			return;
		}
		kobject_init(&clock_page_obj, OBJECT_MEMORY, &clock_page_ops);
	}
	if (cpu_has_rdtscp()) {
		flags |= CLOCK_PAGE_RDTSCP_CPU;
	}
	cp = phys_to_virt(clock_page_frame);
	__atomic_store_n(&cp->seq, cp->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	cp->tsc_base = clock_base_tsc;
	cp->tsc_mult = clock_mult;
	cp->tsc_shift = 32;
	cp->ns_base = 0;
	cp->tsc_hz = clock_hz;
	cp->flags = flags;
	__atomic_store_n(&cp->seq, cp->seq + 1, __ATOMIC_RELEASE);
}

void clock_start(uint64_t tsc_hz, bool invariant)
{
	clock_hz = tsc_hz;
	clock_mult = (NS_PER_SEC << 32) / tsc_hz; /* fits: 1e9 << 32 < 2^64 */
	clock_base_tsc = cpu_rdtsc();
	clock_page_publish();
	LOG("tsc %lu.%03lu MHz%s", tsc_hz / 1000000, (tsc_hz / 1000) % 1000,
	    invariant ? ", invariant" : " (not invariant)");
}

uint64_t clock_ns(void)
{
	uint64_t now, delta;

	if (!clock_mult) {
		return 0;
	}
	now = cpu_rdtsc();
	delta = now > clock_base_tsc ? now - clock_base_tsc : 0;
	return (uint64_t)(((unsigned __int128)delta * clock_mult) >> 32);
}

uint64_t clock_tsc_hz(void)
{
	return clock_hz;
}

void clock_delay_ns(uint64_t ns)
{
	uint64_t end = clock_ns() + ns;

	while (clock_ns() < end) {
		cpu_pause();
	}
}

int64_t sys_clock_page(SYSCALL_ARGS)
{
	uaddr_t addr;
	err_t err;

	if (!clock_page_frame) {
		return -(int64_t)ERR_NOT_SUPPORTED;
	}
	err = vm_map_shared_page(&process_current()->vm, clock_page_frame,
				 &clock_page_obj, &addr);
	return err ? -(int64_t)err : (int64_t)addr;
}
