/*
 * The monotonic clock: nanoseconds since boot, from the TSC scaled by the
 * frequency measured at boot (arch apic.c calibrates it against the HPET
 * or the PIT). Reads need no lock and work on every CPU (the TSCs of all
 * CPUs are assumed synchronised, as they are on invariant-TSC machines and
 * in QEMU). Before calibration clock_ns() returns 0.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define NS_PER_SEC 1000000000ul
#define NS_PER_MS 1000000ul
#define NS_PER_US 1000ul

/* Starts the clock with a TSC of @tsc_hz; now is time zero. */
void clock_start(uint64_t tsc_hz, bool invariant);
uint64_t clock_ns(void);
uint64_t clock_tsc_hz(void);
/* Busy-waits @ns (interrupts may run meanwhile). */
void clock_delay_ns(uint64_t ns);
