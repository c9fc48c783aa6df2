/*
 * TSC-based monotonic clock (see clock.h). ns = (tsc - base) * mult >> 32
 * with a 64x64->128 multiply, so no division on the read path and no
 * overflow for centuries of uptime.
 */
#include <arch/x86_64/cpu.h>
#include <log/log.h>
#include <time/clock.h>

#define LOG_SUBSYS "clock"

static uint64_t clock_base_tsc;
static uint64_t clock_mult; /* ns per tick, 32.32 fixed point */
static uint64_t clock_hz;

void clock_start(uint64_t tsc_hz, bool invariant)
{
	clock_hz = tsc_hz;
	clock_mult = (NS_PER_SEC << 32) / tsc_hz; /* fits: 1e9 << 32 < 2^64 */
	clock_base_tsc = cpu_rdtsc();
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
