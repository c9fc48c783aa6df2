/*
 * Time for Linux programs: CLOCK_MONOTONIC is the kernel's clock;
 * CLOCK_REALTIME adds the wall-clock time read from the CMOS RTC at
 * start-up (settimeofday moves the offset). Helpers turn user timespecs
 * into server deadlines (monotonic ns).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct lproc;

#define LTIME_NS_PER_S 1000000000ull

/* Reads the RTC (the server holds the hardware right). */
void ltime_init(void);
uint64_t ltime_monotonic_ns(void);
uint64_t ltime_realtime_ns(void);
/* A relative struct timespec at @uts -> deadline; -LINUX_EFAULT,
 * -LINUX_EINVAL. */
int ltime_user_deadline_rel(struct lproc *p, uint64_t uts, uint64_t *out);
/* An absolute timespec on CLOCK_REALTIME (@realtime) or MONOTONIC. */
int ltime_user_deadline_abs(struct lproc *p, uint64_t uts, bool realtime,
			   uint64_t *out);
