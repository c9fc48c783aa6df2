/*
 * Tests of servers/posix/procfs_fmt.c: /proc's formats for made-up
 * processes, memory maps, mounts and processors, compared with what
 * Linux 6.1 writes (field counts and orders, widths, paddings, escapes).
 */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../servers/posix/procfs_fmt.h"
#include <linux_abi/mman.h>
#include <linux_abi/mount.h>
#include <linux_abi/stat.h>

/* The buffer's text as a string (freed by the next call). */
static const char *text(struct textbuf *b)
{
	static char *s;

	free(s);
	s = malloc(b->len + 1);
	memcpy(s, b->data ? b->data : "", b->len);
	s[b->len] = '\0';
	return s;
}

static bool has(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

/* CHECK_STR_EQ for long expected texts (named "want" in messages). */
#define CHECK_TEXT(got, expected)                                           \
	do {                                                                \
		const char *want = (expected);                              \
		CHECK_STR_EQ(got, want);                                    \
	} while (0)

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static struct procfs_task sample_task(void)
{
	struct procfs_task t;

	memset(&t, 0, sizeof(t));
	t.pid = 42;
	t.tgid = 42;
	t.ppid = 1;
	t.pgrp = 40;
	t.session = 30;
	t.tty_nr = LINUX_MAKEDEV(4, 64);
	t.tpgid = 40;
	t.state = 'S';
	strcpy(t.comm, "my prog)");
	t.threads = 3;
	t.uid[0] = 1000, t.uid[1] = 1001, t.uid[2] = 1002, t.uid[3] = 1001;
	t.gid[0] = 100, t.gid[1] = 101, t.gid[2] = 102, t.gid[3] = 101;
	t.umask = 022;
	t.fd_slots = 1024;
	t.start_ticks = 12345;
	t.sig_pending = 1ull << 9;
	t.sig_shared = 1ull << 1;
	t.sig_blocked = (1ull << 63) | (1ull << 1);
	t.sig_ignored = 1ull << 12;
	t.sig_caught = 1ull << 16 | 1ull << 1;
	t.rss_limit = ~0ull;
	t.start_brk = 0x600000;
	t.cpus = 4;
	t.mem.size = 8392704;		/* 8196 KiB */
	t.mem.rss = 409600;
	t.mem.data = 135168;
	t.mem.stack = 8388608;
	t.mem.exe = 65536;
	t.mem.file = 200704;
	t.mem.start_code = 0x401000;
	t.mem.end_code = 0x411000;
	t.mem.start_data = 0x412000;
	t.mem.end_data = 0x414000;
	t.mem.start_stack = 0x7ffffffde000;
	return t;
}

/* Splits a stat line after the comm's closing parenthesis (the last
 * one, as parsers must) into fields; returns how many. */
static int stat_fields(const char *line, char fields[64][32])
{
	const char *p = strrchr(line, ')');
	int n = 3;	/* the state is field 3 */

	if (!p) {
		return 0;
	}
	p++;
	while (*p == ' ') {
		p++;
	}
	while (*p && *p != '\n' && n < 64) {
		int len = 0;

		while (p[len] && p[len] != ' ' && p[len] != '\n') {
			len++;
		}
		snprintf(fields[n], 32, "%.*s", len, p);
		n++;
		p += len;
		while (*p == ' ') {
			p++;
		}
	}
	return n - 1;
}

TEST(fmt_stat)
{
	struct procfs_task t = sample_task();
	char f[64][32];
	struct textbuf b;
	const char *s;

	textbuf_init(&b);
	procfs_fmt_stat(&b, &t);
	s = text(&b);
	CHECK(starts(s, "42 (my prog)) S 1 40 30 1088 40 "));
	CHECK_EQ(s[strlen(s) - 1], '\n');
	CHECK(strchr(s, '\n') == s + strlen(s) - 1);
	/* Field numbers as proc_pid_stat(5) gives them (1-based). */
	CHECK_EQ(stat_fields(s, f), 52);
	CHECK_STR_EQ(f[3], "S");
	CHECK_STR_EQ(f[4], "1");
	CHECK_STR_EQ(f[7], "1088");	/* tty_nr 4:64 */
	CHECK_STR_EQ(f[18], "20");	/* priority */
	CHECK_STR_EQ(f[20], "3");	/* num_threads */
	CHECK_STR_EQ(f[22], "12345");	/* starttime */
	CHECK_STR_EQ(f[23], "8392704");	/* vsize, bytes */
	CHECK_STR_EQ(f[24], "100");	/* rss, pages */
	CHECK_STR_EQ(f[25], "18446744073709551615");
	CHECK_STR_EQ(f[26], "4198400");	/* startcode */
	CHECK_STR_EQ(f[27], "4263936");	/* endcode */
	CHECK_STR_EQ(f[28], "140737488216064");
	CHECK_STR_EQ(f[31], "512");	/* pending, 31 bits */
	CHECK_STR_EQ(f[32], "2");	/* blocked without bit 63 */
	CHECK_STR_EQ(f[33], "4096");
	CHECK_STR_EQ(f[34], "65538");
	CHECK_STR_EQ(f[38], "17");	/* exit_signal */
	CHECK_STR_EQ(f[45], "4268032");	/* start_data */
	CHECK_STR_EQ(f[47], "6291456");	/* start_brk */
	CHECK_STR_EQ(f[52], "0");

	/* A zombie with its wait status. */
	textbuf_reset(&b);
	t.state = 'Z';
	t.exit_code = 3 << 8;
	procfs_fmt_stat(&b, &t);
	CHECK_EQ(stat_fields(text(&b), f), 52);
	CHECK_STR_EQ(f[52], "768");
	textbuf_fini(&b);
}

TEST(fmt_statm_status)
{
	struct procfs_task t = sample_task();
	struct textbuf b;
	const char *s;

	textbuf_init(&b);
	procfs_fmt_statm(&b, &t);
	/* size resident shared text lib data dt, in pages */
	CHECK_TEXT(text(&b), "2049 100 49 16 0 2081 0\n");

	textbuf_reset(&b);
	procfs_fmt_status(&b, &t);
	s = text(&b);
	CHECK(starts(s, "Name:\tmy prog)\nUmask:\t0022\nState:\tS (sleeping)\n"
			 "Tgid:\t42\n"));
	CHECK(has(s, "\nPid:\t42\nPPid:\t1\n"));
	CHECK(has(s, "\nUid:\t1000\t1001\t1002\t1001\n"));
	CHECK(has(s, "\nGid:\t100\t101\t102\t101\n"));
	CHECK(has(s, "\nFDSize:\t1024\n"));
	CHECK(has(s, "\nVmSize:\t    8196 kB\n"));
	CHECK(has(s, "\nVmRSS:\t     400 kB\n"));
	CHECK(has(s, "\nVmStk:\t    8192 kB\n"));
	CHECK(has(s, "\nVmExe:\t      64 kB\n"));
	CHECK(has(s, "\nThreads:\t3\n"));
	CHECK(has(s, "\nSigPnd:\t0000000000000200\nShdPnd:\t0000000000000002\n"
		     "SigBlk:\t8000000000000002\nSigIgn:\t0000000000001000\n"
		     "SigCgt:\t0000000000010002\n"));
	CHECK(has(s, "\nCapEff:\t0000000000000000\n"));
	CHECK(has(s, "\nCpus_allowed:\tf\nCpus_allowed_list:\t0-3\n"));
	CHECK_EQ(s[strlen(s) - 1], '\n');

	/* Root has every capability; a zombie no memory lines. */
	textbuf_reset(&b);
	t.privileged = true;
	t.state = 'Z';
	t.cpus = 40;
	procfs_fmt_status(&b, &t);
	s = text(&b);
	CHECK(has(s, "\nState:\tZ (zombie)\n"));
	CHECK(has(s, "\nCapEff:\t000001ffffffffff\n"));
	CHECK(!has(s, "VmSize"));
	CHECK(has(s, "\nCpus_allowed:\tff,ffffffff\nCpus_allowed_list:\t0-39\n"));
	textbuf_reset(&b);
	t.cpus = 1;
	procfs_fmt_status(&b, &t);
	CHECK(has(text(&b), "\nCpus_allowed:\t1\nCpus_allowed_list:\t0\n"));
	textbuf_fini(&b);
}

TEST(fmt_maps)
{
	struct vma v[] = {
		{ 0x400000, 0x401000, LINUX_PROT_READ, 0, 0,
		  LINUX_MAKEDEV(254, 0), 247134, "/usr/bin/cat" },
		{ 0x401000, 0x405000, LINUX_PROT_READ | LINUX_PROT_EXEC, 0,
		  0x1000, LINUX_MAKEDEV(254, 0), 247134, "/usr/bin/cat" },
		{ 0x7f4679465000, 0x7f4679468000,
		  LINUX_PROT_READ | LINUX_PROT_WRITE, VMA_ANON, 0, 0, 0,
		  NULL },
		{ 0x7f4679500000, 0x7f4679501000,
		  LINUX_PROT_READ | LINUX_PROT_WRITE, VMA_SHARED, 0x3000,
		  LINUX_MAKEDEV(0, 23), 5, "/dev/shm/x y" },
		{ 0x7ffd1fe9f000, 0x7ffd1fec0000,
		  LINUX_PROT_READ | LINUX_PROT_WRITE,
		  VMA_ANON | VMA_GROWSDOWN, 0, 0, 0, "[stack]" },
	};
	/* As Linux writes them: names from column 73 (0-based), a
	 * trailing space on nameless lines. */
	static const char expected[] =
		"00400000-00401000 r--p 00000000 fe:00 247134"
		"                             /usr/bin/cat\n"
		"00401000-00405000 r-xp 00001000 fe:00 247134"
		"                             /usr/bin/cat\n"
		"7f4679465000-7f4679468000 rw-p 00000000 00:00 0 \n"
		"7f4679500000-7f4679501000 rw-s 00003000 00:17 5"
		"                          /dev/shm/x y\n"
		"7ffd1fe9f000-7ffd1fec0000 rw-p 00000000 00:00 0"
		"                          [stack]\n";
	struct vma_map m = { v, 5, 5 };
	struct textbuf b;
	const char *s;

	textbuf_init(&b);
	procfs_fmt_maps(&b, &m);
	s = text(&b);
	CHECK(strcmp(s, expected) == 0);
	textbuf_fini(&b);
}

TEST(fmt_mem_of)
{
	struct vma v[] = {
		{ 0x400000, 0x401000, LINUX_PROT_READ, 0, 0, 0, 0, "/bin/p" },
		{ 0x401000, 0x405000, LINUX_PROT_READ | LINUX_PROT_EXEC, 0,
		  0x1000, 0, 0, "/bin/p" },
		{ 0x405000, 0x407000, LINUX_PROT_READ | LINUX_PROT_WRITE, 0,
		  0x5000, 0, 0, "/bin/p" },
		{ 0x407000, 0x409000, LINUX_PROT_READ | LINUX_PROT_WRITE,
		  VMA_ANON, 0, 0, 0, "[heap]" },
		{ 0x10000000, 0x10001000, LINUX_PROT_READ | LINUX_PROT_EXEC,
		  0, 0, 0, 0, "/lib/other" },
		{ 0x7fff00000000, 0x7fff00800000,
		  LINUX_PROT_READ | LINUX_PROT_WRITE,
		  VMA_ANON | VMA_GROWSDOWN, 0, 0, 0, "[stack]" },
	};
	struct vma_map m = { v, 6, 6 };
	struct procfs_mem mem;

	procfs_mem_of(&m, "/bin/p", &mem);
	CHECK_EQ(mem.size, 0x9000 + 0x1000 + 0x800000);
	CHECK_EQ(mem.stack, 0x800000);
	CHECK_EQ(mem.rss, 0x9000 + 0x1000 + (128 << 10));
	CHECK_EQ(mem.file, 0x7000 + 0x1000);
	CHECK_EQ(mem.data, 0x4000);
	CHECK_EQ(mem.exe, 0x4000);
	CHECK_EQ(mem.start_code, 0x401000);
	CHECK_EQ(mem.end_code, 0x405000);
	CHECK_EQ(mem.start_data, 0x405000);
	CHECK_EQ(mem.end_data, 0x407000);
	CHECK_EQ(mem.start_stack, 0x7fff00800000);
	/* Without a program name nothing is the program's. */
	procfs_mem_of(&m, NULL, &mem);
	CHECK_EQ(mem.exe, 0);
	CHECK_EQ(mem.start_code, 0);
	/* An empty map. */
	m.n = 0;
	procfs_mem_of(&m, "/bin/p", &mem);
	CHECK_EQ(mem.size, 0);
	CHECK_EQ(mem.rss, 0);
}

TEST(fmt_mounts)
{
	struct procfs_mount m = {
		.id = 25, .parent_id = 1, .dev = LINUX_MAKEDEV(0, 21),
		.root = "/", .point = "/mnt/my disk", .type = "tmpfs",
		.source = "a\\b\tc",
		.flags = LINUX_MS_NOSUID | LINUX_MS_NODEV,
	};
	struct textbuf b;

	textbuf_init(&b);
	procfs_fmt_mounts_line(&b, &m);
	CHECK_TEXT(text(&b), "a\\134b\\011c /mnt/my\\040disk tmpfs "
			       "rw,nosuid,nodev,relatime 0 0\n");
	textbuf_reset(&b);
	procfs_fmt_mountinfo_line(&b, &m);
	CHECK_TEXT(text(&b), "25 1 0:21 / /mnt/my\\040disk "
			       "rw,nosuid,nodev,relatime - tmpfs a\\134b\\011c "
			       "rw\n");
	textbuf_reset(&b);
	procfs_fmt_mount_opts(&b, LINUX_MS_RDONLY | LINUX_MS_NOEXEC |
					  LINUX_MS_NOATIME);
	CHECK_TEXT(text(&b), "ro,noexec,noatime");
	textbuf_reset(&b);
	m.flags = LINUX_MS_RDONLY;
	m.root = "/sub";
	m.point = "/";
	m.dev = LINUX_MAKEDEV(254, 3);
	procfs_fmt_mountinfo_line(&b, &m);
	CHECK_TEXT(text(&b), "25 1 254:3 /sub / ro,relatime - tmpfs "
			       "a\\134b\\011c ro\n");
	textbuf_fini(&b);
}

TEST(fmt_cpuinfo)
{
	struct procfs_cpuid c;
	struct textbuf b;
	const char *s, *p;
	int blocks = 0;

	memset(&c, 0, sizeof(c));
	c.max_leaf = 22;
	strcpy(c.vendor, "GenuineIntel");
	c.sig = 0x000906ea;	/* family 6, model 158, stepping 10 */
	c.misc = 8 << 8;	/* clflush 64 */
	c.feat_edx = 1u << 0 | 1u << 25 | 1u << 28;	/* fpu sse ht */
	c.feat_ecx = 1u << 0 | 1u << 27 | 1u << 31;	/* pni (osxsave)
							 * hypervisor */
	c.ext_edx = 1u << 11 | 1u << 29 | 1u << 0;	/* syscall lm */
	c.ext_ecx = 1u << 0;				/* lahf_lm */
	c.l7_ebx = 1u << 5;				/* avx2 */
	c.l7_ecx = 1u << 22;				/* rdpid */
	c.l7_edx = 1u << 4;				/* fsrm */
	strcpy(c.brand, "Keel Test CPU @ 2.10GHz");
	c.l2_kb = 1024;
	c.phys_bits = 40;
	c.virt_bits = 48;
	c.cpus = 3;
	c.tsc_hz = 2095990123;

	textbuf_init(&b);
	procfs_fmt_cpu_flags(&b, &c);
	CHECK_TEXT(text(&b), "fpu sse ht syscall lm pni hypervisor lahf_lm "
			       "avx2 rdpid fsrm");
	textbuf_reset(&b);
	procfs_fmt_cpuinfo(&b, &c);
	s = text(&b);
	for (p = s; (p = strstr(p, "processor\t: ")); p++) {
		blocks++;
	}
	CHECK_EQ(blocks, 3);
	CHECK(starts(s, "processor\t: 0\nvendor_id\t: GenuineIntel\n"
			 "cpu family\t: 6\nmodel\t\t: 158\n"
			 "model name\t: Keel Test CPU @ 2.10GHz\n"
			 "stepping\t: 10\ncpu MHz\t\t: 2095.990\n"
			 "cache size\t: 1024 KB\n"));
	CHECK(has(s, "\nprocessor\t: 2\n"));
	CHECK(has(s, "\ncore id\t\t: 2\n"));
	CHECK(has(s, "\nsiblings\t: 3\n"));
	CHECK(has(s, "\nbogomips\t: 4191.98\n"));
	CHECK(has(s, "\nclflush size\t: 64\n"));
	CHECK(has(s, "\naddress sizes\t: 40 bits physical, 48 bits virtual\n"));
	CHECK(has(s, "\nflags\t\t: fpu sse ht syscall"));
	/* Blocks end with an empty line. */
	CHECK(strcmp(s + strlen(s) - 19, "power management:\n\n") == 0);

	/* AMD's extended family: 0xf + 0x0b = 26. */
	c.sig = 0x00b20f10;
	textbuf_reset(&b);
	procfs_fmt_cpuinfo(&b, &c);
	CHECK(has(text(&b), "cpu family\t: 26\nmodel\t\t: 33\n"));
	textbuf_fini(&b);
}

TEST(fmt_system)
{
	struct procfs_meminfo mi = { .total = 2ull << 30, .free = 1ull << 30,
				     .available = 1ull << 30,
				     .cached = 4096 * 3, .shmem = 4096 * 3 };
	struct procfs_sys sys = { .uptime_ns = 12345678901ull,
				  .boot_time = 1700000000, .cpus = 2,
				  .running = 1, .threads = 7, .last_pid = 99 };
	struct textbuf b;
	const char *s;

	textbuf_init(&b);
	procfs_fmt_meminfo(&b, &mi);
	s = text(&b);
	CHECK(starts(s, "MemTotal:        2097152 kB\n"
			 "MemFree:         1048576 kB\n"
			 "MemAvailable:    1048576 kB\n"
			 "Buffers:               0 kB\n"
			 "Cached:               12 kB\n"));
	CHECK(has(s, "\nShmem:                12 kB\n"));
	CHECK(has(s, "\nSwapTotal:             0 kB\n"));
	CHECK(has(s, "\nHugePages_Total:       0\n"));

	textbuf_reset(&b);
	procfs_fmt_uptime(&b, 12345678901ull, 24691357802ull);
	CHECK_TEXT(text(&b), "12.34 24.69\n");
	textbuf_reset(&b);
	procfs_fmt_loadavg(&b, &sys);
	CHECK_TEXT(text(&b), "0.00 0.00 0.00 1/7 99\n");
	textbuf_reset(&b);
	procfs_fmt_stat_sys(&b, &sys);
	s = text(&b);
	CHECK(starts(s, "cpu  0 0 0 2468 0 0 0 0 0 0\n"
			 "cpu0 0 0 0 1234 0 0 0 0 0 0\n"
			 "cpu1 0 0 0 1234 0 0 0 0 0 0\n"
			 "intr 0\n"));
	CHECK(has(s, "\nbtime 1700000000\nprocesses 99\nprocs_running 1\n"));
	textbuf_fini(&b);
}

TEST(fmt_textbuf)
{
	struct textbuf b;
	char big[1000];

	textbuf_init(&b);
	textbuf_puts(&b, "ab\ncd");
	textbuf_pad(&b, 5);
	textbuf_putc(&b, '|');
	CHECK_TEXT(text(&b), "ab\ncd   |");
	textbuf_pad(&b, 2);
	CHECK_TEXT(text(&b), "ab\ncd   |");
	/* Past TEXTBUF_MAX the buffer fails and stays failed. */
	memset(big, 'x', sizeof(big));
	for (unsigned i = 0; i <= TEXTBUF_MAX / sizeof(big); i++) {
		textbuf_put(&b, big, sizeof(big));
	}
	CHECK(b.failed);
	CHECK(b.len <= TEXTBUF_MAX);
	textbuf_reset(&b);
	CHECK(!b.failed);
	textbuf_printf(&b, "%d-%s", 7, "z");
	CHECK_TEXT(text(&b), "7-z");
	textbuf_fini(&b);
}

int main(void)
{
	RUN(fmt_stat);
	RUN(fmt_statm_status);
	RUN(fmt_maps);
	RUN(fmt_mem_of);
	RUN(fmt_mounts);
	RUN(fmt_cpuinfo);
	RUN(fmt_system);
	RUN(fmt_textbuf);
	return check_done();
}
