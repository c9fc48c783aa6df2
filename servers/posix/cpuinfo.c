/*
 * cpuid for /proc and /sys (cpuinfo.h). The server is one thread, so the
 * cached description needs no lock.
 */
#include "cpuinfo.h"

#include <base/string.h>
#include <keel/clock.h>
#include <keel/syscall.h>
#include <rt/rt.h>

static struct procfs_cpuid cached;
static bool have_cached;

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

/* Logical processors per package: leaf 0xB's core level, else leaf 1's
 * count when the HTT bit says it is valid, else 1. */
static unsigned count_cpus(uint32_t max_leaf)
{
	uint32_t r[4];

	if (max_leaf >= 0xb) {
		for (uint32_t sub = 0; sub < 8; sub++) {
			uint32_t type;

			cpuid(0xb, sub, r);
			type = (r[2] >> 8) & 0xff;
			if (type == 0) {
				break;
			}
			if (type == 2 && (r[1] & 0xffff)) {
				return r[1] & 0xffff;
			}
		}
	}
	cpuid(1, 0, r);
	if ((r[3] & (1u << 28)) && ((r[1] >> 16) & 0xff)) {
		return (r[1] >> 16) & 0xff;
	}
	return 1;
}

/* The brand string without the padding some processors put around
 * it. */
static void read_brand(char brand[49])
{
	uint32_t r[12];
	char *s;
	size_t n;

	for (uint32_t i = 0; i < 3; i++) {
		cpuid(0x80000002 + i, 0, r + 4 * i);
	}
	memcpy(brand, r, 48);
	brand[48] = '\0';
	for (s = brand; *s == ' '; s++) {
	}
	n = strlen(s);
	memmove(brand, s, n + 1);
	while (n > 0 && brand[n - 1] == ' ') {
		brand[--n] = '\0';
	}
}

static uint64_t tsc_hz(void)
{
	int64_t addr = rt_syscall2(SYS_CLOCK_PAGE, 0, 0);
	const volatile struct clock_page *cp;

	if (addr <= 0) {
		return 0;
	}
	cp = (const volatile struct clock_page *)addr;
	return (cp->flags & CLOCK_PAGE_TSC) ? cp->tsc_hz : 0;
}

static void describe(struct procfs_cpuid *c)
{
	uint32_t r[4], max_ext;

	memset(c, 0, sizeof(*c));
	cpuid(0, 0, r);
	c->max_leaf = r[0];
	memcpy(c->vendor, &r[1], 4);
	memcpy(c->vendor + 4, &r[3], 4);
	memcpy(c->vendor + 8, &r[2], 4);
	cpuid(1, 0, r);
	c->sig = r[0];
	c->misc = r[1];
	c->feat_ecx = r[2];
	c->feat_edx = r[3];
	if (c->max_leaf >= 7) {
		cpuid(7, 0, r);
		c->l7_ebx = r[1];
		c->l7_ecx = r[2];
		c->l7_edx = r[3];
	}
	cpuid(0x80000000, 0, r);
	max_ext = r[0];
	if (max_ext >= 0x80000001) {
		cpuid(0x80000001, 0, r);
		c->ext_ecx = r[2];
		c->ext_edx = r[3];
	}
	if (max_ext >= 0x80000004) {
		read_brand(c->brand);
	}
	if (max_ext >= 0x80000006) {
		cpuid(0x80000006, 0, r);
		c->l2_kb = r[2] >> 16;
	}
	if (max_ext >= 0x80000008) {
		cpuid(0x80000008, 0, r);
		c->phys_bits = r[0] & 0xff;
		c->virt_bits = (r[0] >> 8) & 0xff;
	}
	c->cpus = count_cpus(c->max_leaf);
	c->tsc_hz = tsc_hz();
}

void cpuinfo_read(struct procfs_cpuid *out)
{
	if (!have_cached) {
		describe(&cached);
		have_cached = true;
	}
	*out = cached;
}

unsigned cpuinfo_cpus(void)
{
	struct procfs_cpuid c;

	cpuinfo_read(&c);
	return c.cpus ? c.cpus : 1;
}
