/*
 * Clocks (ltime.h). The wall clock comes from the CMOS RTC once at
 * start-up (BCD or binary, 12 or 24 hours, as status register B says),
 * read twice until two reads agree so that an update in between does not
 * tear it.
 */
#include <keel/syscall.h>
#include <linux_abi/errno.h>
#include <rt/rt.h>

#include "ltime.h"
#include "proc.h"
#include "umem.h"

static int64_t realtime_offset;	/* realtime = monotonic + offset */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static unsigned from_bcd(uint8_t v, bool bcd)
{
	return bcd ? (v & 0x0f) + (v >> 4) * 10 : v;
}

/* Days from 1970-01-01 to @y-@m-@d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool read_rtc(uint8_t r[7])
{
	for (int spin = 0; spin < 100000; spin++) {
		if (!(cmos(0x0a) & 0x80)) { /* no update in progress */
			break;
		}
	}
	r[0] = cmos(0x00), r[1] = cmos(0x02), r[2] = cmos(0x04);
	r[3] = cmos(0x07), r[4] = cmos(0x08), r[5] = cmos(0x09);
	r[6] = cmos(0x32);
	return true;
}

void ltime_init(void)
{
	int64_t h = rt_syscall2(SYS_IOPORT_CREATE, 0x70, 2);
	uint8_t a[7], b[7], regb;
	unsigned sec, min, hour, day, mon, year;
	bool bcd, pm;
	int64_t days;

	if (h < 0 || rt_syscall2(SYS_IOPORT_ENABLE, (uint64_t)h, 0) < 0) {
		rt_printf("posix: no RTC access; the wall clock starts at 1970");
		return;
	}
	read_rtc(a);
	for (int tries = 0; tries < 5; tries++) {
		read_rtc(b);
		if (__builtin_memcmp(a, b, sizeof(a)) == 0) {
			break;
		}
		__builtin_memcpy(a, b, sizeof(a));
	}
	regb = cmos(0x0b);
	bcd = !(regb & 0x04);
	pm = a[2] & 0x80;
	sec = from_bcd(a[0], bcd);
	min = from_bcd(a[1], bcd);
	hour = from_bcd(a[2] & 0x7f, bcd);
	if (!(regb & 0x02)) { /* 12-hour mode */
		hour = (hour % 12) + (pm ? 12 : 0);
	}
	day = from_bcd(a[3], bcd);
	mon = from_bcd(a[4], bcd);
	year = from_bcd(a[5], bcd);
	year += a[6] ? from_bcd(a[6], bcd) * 100 : 2000;
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 ||
	    min > 59 || sec > 60) {
		rt_printf("posix: the RTC reads nonsense; the wall clock starts "
			  "at 1970");
		return;
	}
	days = days_from_civil(year, mon, day);
	realtime_offset = (days * 86400 + hour * 3600 + min * 60 + sec) *
				  (int64_t)LTIME_NS_PER_S -
			  (int64_t)rt_clock_ns();
}

uint64_t ltime_monotonic_ns(void)
{
	return rt_clock_ns();
}

uint64_t ltime_realtime_ns(void)
{
	return (uint64_t)((int64_t)rt_clock_ns() + realtime_offset);
}

static int read_timespec(struct lproc *p, uint64_t uts, uint64_t *ns)
{
	int64_t ts[2];

	if (umem_read(p, uts, ts, sizeof(ts))) {
		return -LINUX_EFAULT;
	}
	if (ts[0] < 0 || ts[1] < 0 || ts[1] >= (int64_t)LTIME_NS_PER_S) {
		return -LINUX_EINVAL;
	}
	/* Saturate: a deadline centuries away is "never". */
	if ((uint64_t)ts[0] > ~0ull / LTIME_NS_PER_S / 2) {
		*ns = ~0ull / 2;
	} else {
		*ns = (uint64_t)ts[0] * LTIME_NS_PER_S + (uint64_t)ts[1];
	}
	return 0;
}

int ltime_user_deadline_rel(struct lproc *p, uint64_t uts, uint64_t *out)
{
	uint64_t ns;
	int err = read_timespec(p, uts, &ns);

	if (!err) {
		*out = rt_clock_ns() + ns;
	}
	return err;
}

int ltime_user_deadline_abs(struct lproc *p, uint64_t uts, bool realtime,
			    uint64_t *out)
{
	uint64_t ns;
	int err = read_timespec(p, uts, &ns);

	if (!err) {
		int64_t mono = realtime ? (int64_t)ns - realtime_offset
					: (int64_t)ns;

		*out = mono < 0 ? 0 : (uint64_t)mono;
	}
	return err;
}
