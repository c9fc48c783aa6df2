/*
 * procfs's file formats (procfs_fmt.h). Field orders, widths and
 * paddings are Linux 6.1's, checked against its output; figures Keel
 * does not keep yet (CPU times, page faults, context switches, load)
 * are written as 0 in their places so that parsers find every field.
 */
#include "procfs_fmt.h"

#include <base/string.h>
#include <linux_abi/mman.h>
#include <linux_abi/mount.h>
#include <linux_abi/stat.h>

#define PAGE ((uint64_t)4096)
/* The stack counted as resident (procfs_mem_of). */
#define STACK_RSS ((uint64_t)128 << 10)
/* Where maps puts names: Linux pads the line to 72 columns, then a
 * space. */
#define MAPS_NAME_COL 72
/* Every capability of Linux 6.1 (CAP_LAST_CAP 40). */
#define CAP_FULL ((uint64_t)0x000001ffffffffff)

void procfs_mem_of(const struct vma_map *m, const char *exe_name,
		   struct procfs_mem *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < m->n; i++) {
		const struct vma *v = &m->v[i];
		uint64_t len = v->end - v->start;
		bool is_exe = exe_name && v->name &&
			      strcmp(v->name, exe_name) == 0;

		out->size += len;
		if (v->flags & VMA_GROWSDOWN) {
			out->stack += len;
			out->rss += len < STACK_RSS ? len : STACK_RSS;
			if (v->end > out->start_stack) {
				out->start_stack = v->end;
			}
			continue;
		}
		out->rss += len;
		if (!(v->flags & VMA_ANON)) {
			out->file += len;
		}
		if ((v->prot & LINUX_PROT_WRITE) && !(v->flags & VMA_SHARED)) {
			out->data += len;
		}
		if (!is_exe) {
			continue;
		}
		if (v->prot & LINUX_PROT_EXEC) {
			out->exe += len;
			if (!out->start_code || v->start < out->start_code) {
				out->start_code = v->start;
			}
			if (v->end > out->end_code) {
				out->end_code = v->end;
			}
		} else if (v->prot & LINUX_PROT_WRITE) {
			if (!out->start_data || v->start < out->start_data) {
				out->start_data = v->start;
			}
			if (v->end > out->end_data) {
				out->end_data = v->end;
			}
		}
	}
}

/* ---- per process ---- */

void procfs_fmt_stat(struct textbuf *b, const struct procfs_task *t)
{
	const struct procfs_mem *m = &t->mem;

	textbuf_printf(b, "%d (%s) %c %d %d %d %u %d ", t->pid, t->comm,
		       t->state, t->ppid, t->pgrp, t->session, t->tty_nr,
		       t->tpgid);
	/* flags, minflt, cminflt, majflt, cmajflt, utime, stime, cutime,
	 * cstime, priority, nice */
	textbuf_puts(b, "0 0 0 0 0 0 0 0 0 20 0 ");
	textbuf_printf(b, "%u 0 %lu %lu %lu %lu ", t->threads, t->start_ticks,
		       m->size, m->rss / PAGE, t->rss_limit);
	/* start_code, end_code, start_stack, esp, eip */
	textbuf_printf(b, "%lu %lu %lu 0 0 ", m->start_code, m->end_code,
		       m->start_stack);
	/* The old decimal signal masks: 31 bits, as Linux cuts them. */
	textbuf_printf(b, "%lu %lu %lu %lu ", t->sig_pending & 0x7fffffff,
		       t->sig_blocked & 0x7fffffff, t->sig_ignored & 0x7fffffff,
		       t->sig_caught & 0x7fffffff);
	/* wchan, nswap, cnswap, exit_signal (SIGCHLD), processor,
	 * rt_priority, policy, blkio ticks, guest time, child guest time */
	textbuf_puts(b, "0 0 0 17 0 0 0 0 0 0 ");
	/* start_data, end_data, start_brk, arg_start, arg_end, env_start,
	 * env_end (argument and environment addresses are not kept) */
	textbuf_printf(b, "%lu %lu %lu 0 0 0 0 %d\n", m->start_data,
		       m->end_data, t->start_brk, t->exit_code);
}

void procfs_fmt_statm(struct textbuf *b, const struct procfs_task *t)
{
	const struct procfs_mem *m = &t->mem;

	textbuf_printf(b, "%lu %lu %lu %lu 0 %lu 0\n", m->size / PAGE,
		       m->rss / PAGE, m->file / PAGE,
		       (m->end_code - m->start_code) / PAGE,
		       (m->data + m->stack) / PAGE);
}

static const char *state_name(char state)
{
	switch (state) {
	case 'R':
		return "R (running)";
	case 'S':
		return "S (sleeping)";
	case 'T':
		return "T (stopped)";
	case 'Z':
		return "Z (zombie)";
	default:
		return "D (disk sleep)";
	}
}

static void kb_line(struct textbuf *b, const char *name, uint64_t bytes)
{
	textbuf_printf(b, "%s:\t%8lu kB\n", name, bytes >> 10);
}

/* Cpus_allowed: a hexadecimal mask in groups of 8 digits. */
static void cpu_mask(struct textbuf *b, unsigned cpus)
{
	unsigned groups = cpus ? (cpus + 31) / 32 : 1;

	for (unsigned g = groups; g-- > 0;) {
		unsigned lo = g * 32, n = cpus > lo ? cpus - lo : 0;
		uint32_t bits = n >= 32 ? 0xffffffffu : (1u << n) - 1;

		if (g == groups - 1) {
			textbuf_printf(b, "%x", bits);
		} else {
			textbuf_printf(b, "%08x", bits);
		}
		if (g) {
			textbuf_putc(b, ',');
		}
	}
}

void procfs_fmt_status(struct textbuf *b, const struct procfs_task *t)
{
	const struct procfs_mem *m = &t->mem;
	uint64_t caps = t->privileged ? CAP_FULL : 0;

	textbuf_printf(b, "Name:\t%s\nUmask:\t%04o\nState:\t%s\n", t->comm,
		       t->umask, state_name(t->state));
	textbuf_printf(b, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
			  "TracerPid:\t0\n",
		       t->tgid, t->pid, t->ppid);
	textbuf_printf(b, "Uid:\t%u\t%u\t%u\t%u\n", t->uid[0], t->uid[1],
		       t->uid[2], t->uid[3]);
	textbuf_printf(b, "Gid:\t%u\t%u\t%u\t%u\n", t->gid[0], t->gid[1],
		       t->gid[2], t->gid[3]);
	textbuf_printf(b, "FDSize:\t%u\nGroups:\t \n", t->fd_slots);
	textbuf_printf(b, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n",
		       t->tgid, t->pid, t->pgrp, t->session);
	/* A zombie has no memory left to describe. */
	if (t->state != 'Z') {
		kb_line(b, "VmPeak", m->size);
		kb_line(b, "VmSize", m->size);
		kb_line(b, "VmLck", 0);
		kb_line(b, "VmPin", 0);
		kb_line(b, "VmHWM", m->rss);
		kb_line(b, "VmRSS", m->rss);
		kb_line(b, "RssAnon", m->rss - m->file);
		kb_line(b, "RssFile", m->file);
		kb_line(b, "RssShmem", 0);
		kb_line(b, "VmData", m->data);
		kb_line(b, "VmStk", m->stack);
		kb_line(b, "VmExe", m->exe);
		kb_line(b, "VmLib", 0);
		kb_line(b, "VmPTE", 0);
		kb_line(b, "VmSwap", 0);
	}
	textbuf_printf(b, "Threads:\t%u\nSigQ:\t0/%u\n", t->threads, 7823u);
	textbuf_printf(b, "SigPnd:\t%016lx\nShdPnd:\t%016lx\n", t->sig_pending,
		       t->sig_shared);
	textbuf_printf(b, "SigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\n",
		       t->sig_blocked, t->sig_ignored, t->sig_caught);
	textbuf_printf(b, "CapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\n"
			  "CapBnd:\t%016lx\nCapAmb:\t%016lx\n",
		       0ul, caps, caps, CAP_FULL, 0ul);
	textbuf_puts(b, "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n");
	textbuf_puts(b, "Cpus_allowed:\t");
	cpu_mask(b, t->cpus);
	if (t->cpus > 1) {
		textbuf_printf(b, "\nCpus_allowed_list:\t0-%u\n", t->cpus - 1);
	} else {
		textbuf_puts(b, "\nCpus_allowed_list:\t0\n");
	}
	textbuf_puts(b, "Mems_allowed:\t1\nMems_allowed_list:\t0\n"
			"voluntary_ctxt_switches:\t0\n"
			"nonvoluntary_ctxt_switches:\t0\n");
}

void procfs_fmt_maps_line(struct textbuf *b, const struct vma *v)
{
	textbuf_printf(b, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ", v->start,
		       v->end, (v->prot & LINUX_PROT_READ) ? 'r' : '-',
		       (v->prot & LINUX_PROT_WRITE) ? 'w' : '-',
		       (v->prot & LINUX_PROT_EXEC) ? 'x' : '-',
		       (v->flags & VMA_SHARED) ? 's' : 'p',
		       (v->flags & VMA_ANON) ? 0ul : v->offset,
		       (unsigned)LINUX_MAJOR(v->dev), (unsigned)LINUX_MINOR(v->dev),
		       v->ino);
	if (v->name) {
		textbuf_pad(b, MAPS_NAME_COL);
		textbuf_putc(b, ' ');
		textbuf_puts(b, v->name);
	}
	textbuf_putc(b, '\n');
}

void procfs_fmt_maps(struct textbuf *b, const struct vma_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		procfs_fmt_maps_line(b, &m->v[i]);
	}
}

/* ---- mounts ---- */

void procfs_fmt_escaped(struct textbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\') {
			textbuf_printf(b, "\\%03o", (unsigned)(unsigned char)*s);
		} else {
			textbuf_putc(b, *s);
		}
	}
}

void procfs_fmt_mount_opts(struct textbuf *b, unsigned long flags)
{
	textbuf_puts(b, (flags & LINUX_MS_RDONLY) ? "ro" : "rw");
	if (flags & LINUX_MS_NOSUID) {
		textbuf_puts(b, ",nosuid");
	}
	if (flags & LINUX_MS_NODEV) {
		textbuf_puts(b, ",nodev");
	}
	if (flags & LINUX_MS_NOEXEC) {
		textbuf_puts(b, ",noexec");
	}
	/* The vfs updates access times as relatime does unless told not
	 * to. */
	if (flags & LINUX_MS_NOATIME) {
		textbuf_puts(b, ",noatime");
	} else {
		textbuf_puts(b, ",relatime");
	}
	if (flags & LINUX_MS_NOSYMFOLLOW) {
		textbuf_puts(b, ",nosymfollow");
	}
}

void procfs_fmt_mounts_line(struct textbuf *b, const struct procfs_mount *m)
{
	procfs_fmt_escaped(b, m->source);
	textbuf_putc(b, ' ');
	procfs_fmt_escaped(b, m->point);
	textbuf_printf(b, " %s ", m->type);
	procfs_fmt_mount_opts(b, m->flags);
	textbuf_puts(b, " 0 0\n");
}

void procfs_fmt_mountinfo_line(struct textbuf *b,
			       const struct procfs_mount *m)
{
	textbuf_printf(b, "%lu %lu %u:%u ", m->id, m->parent_id,
		       (unsigned)LINUX_MAJOR(m->dev),
		       (unsigned)LINUX_MINOR(m->dev));
	procfs_fmt_escaped(b, m->root);
	textbuf_putc(b, ' ');
	procfs_fmt_escaped(b, m->point);
	textbuf_putc(b, ' ');
	procfs_fmt_mount_opts(b, m->flags);
	textbuf_printf(b, " - %s ", m->type);
	procfs_fmt_escaped(b, m->source);
	textbuf_puts(b, (m->flags & LINUX_MS_RDONLY) ? " ro\n" : " rw\n");
}

/* ---- the processor ---- */

/* Linux's names of the feature bits of one cpuid register, bit by bit;
 * NULL: not shown. */
struct flag_word {
	size_t offset;		/* of the register in struct procfs_cpuid */
	const char *names[32];
};

/* In Linux's order of its feature words: 1.edx, 0x80000001.edx,
 * 1.ecx, 0x80000001.ecx, 7.ebx, 7.ecx, 7.edx. */
static const struct flag_word flag_words[] = {
	{ offsetof(struct procfs_cpuid, feat_edx),
	  { "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8",
	    "apic", NULL, "sep", "mtrr", "pge", "mca", "cmov", "pat",
	    "pse36", "pn", "clflush", NULL, "dts", "acpi", "mmx", "fxsr",
	    "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe" } },
	{ offsetof(struct procfs_cpuid, ext_edx),
	  { [11] = "syscall", [19] = "mp", [20] = "nx", [22] = "mmxext",
	    [25] = "fxsr_opt", [26] = "pdpe1gb", [27] = "rdtscp",
	    [29] = "lm", [30] = "3dnowext", [31] = "3dnow" } },
	{ offsetof(struct procfs_cpuid, feat_ecx),
	  { "pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx",
	    "est", "tm2", "ssse3", "cid", "sdbg", "fma", "cx16", "xtpr",
	    "pdcm", NULL, "pcid", "dca", "sse4_1", "sse4_2", "x2apic",
	    "movbe", "popcnt", "tsc_deadline_timer", "aes", "xsave", NULL,
	    "avx", "f16c", "rdrand", "hypervisor" } },
	{ offsetof(struct procfs_cpuid, ext_ecx),
	  { "lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy", "abm",
	    "sse4a", "misalignsse", "3dnowprefetch", "osvw", "ibs", "xop",
	    "skinit", "wdt", NULL, "lwp", "fma4", "tce", NULL, "nodeid_msr",
	    NULL, "tbm", "topoext", "perfctr_core", "perfctr_nb", NULL,
	    "bpext", "ptsc", "perfctr_llc", "mwaitx" } },
	{ offsetof(struct procfs_cpuid, l7_ebx),
	  { "fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2", NULL,
	    "smep", "bmi2", "erms", "invpcid", "rtm", "cqm", NULL, "mpx",
	    "rdt_a", "avx512f", "avx512dq", "rdseed", "adx", "smap",
	    "avx512ifma", NULL, "clflushopt", "clwb", "intel_pt", "avx512pf",
	    "avx512er", "avx512cd", "sha_ni", "avx512bw", "avx512vl" } },
	{ offsetof(struct procfs_cpuid, l7_ecx),
	  { [1] = "avx512vbmi", [2] = "umip", [3] = "pku", [4] = "ospke",
	    [5] = "waitpkg", [6] = "avx512_vbmi2", [8] = "gfni",
	    [9] = "vaes", [10] = "vpclmulqdq", [11] = "avx512_vnni",
	    [12] = "avx512_bitalg", [13] = "tme", [14] = "avx512_vpopcntdq",
	    [16] = "la57", [22] = "rdpid", [24] = "bus_lock_detect",
	    [25] = "cldemote", [27] = "movdiri", [28] = "movdir64b",
	    [29] = "enqcmd" } },
	{ offsetof(struct procfs_cpuid, l7_edx),
	  { [2] = "avx512_4vnniw", [3] = "avx512_4fmaps", [4] = "fsrm",
	    [8] = "avx512_vp2intersect", [10] = "md_clear",
	    [14] = "serialize", [16] = "tsxldtrk", [18] = "pconfig",
	    [19] = "arch_lbr", [22] = "amx_bf16", [23] = "avx512_fp16",
	    [24] = "amx_tile", [25] = "amx_int8", [28] = "flush_l1d",
	    [29] = "arch_capabilities" } },
};

void procfs_fmt_cpu_flags(struct textbuf *b, const struct procfs_cpuid *c)
{
	bool first = true;

	for (size_t w = 0; w < sizeof(flag_words) / sizeof(flag_words[0]);
	     w++) {
		uint32_t reg;

		memcpy(&reg, (const char *)c + flag_words[w].offset,
		       sizeof(reg));
		for (unsigned bit = 0; bit < 32; bit++) {
			const char *name = flag_words[w].names[bit];

			if (!name || !(reg & (1u << bit))) {
				continue;
			}
			if (!first) {
				textbuf_putc(b, ' ');
			}
			textbuf_puts(b, name);
			first = false;
		}
	}
}

void procfs_fmt_cpuinfo(struct textbuf *b, const struct procfs_cpuid *c)
{
	unsigned family = (c->sig >> 8) & 0xf, model = (c->sig >> 4) & 0xf;
	uint64_t khz = c->tsc_hz / 1000;
	unsigned cpus = c->cpus ? c->cpus : 1;

	/* The extended family and model, as the SDM combines them. */
	if (family == 0xf) {
		family += (c->sig >> 20) & 0xff;
	}
	if (family == 6 || family >= 0xf) {
		model += ((c->sig >> 16) & 0xf) << 4;
	}
	for (unsigned i = 0; i < cpus; i++) {
		textbuf_printf(b, "processor\t: %u\nvendor_id\t: %s\n", i,
			       c->vendor);
		textbuf_printf(b, "cpu family\t: %u\nmodel\t\t: %u\n", family,
			       model);
		textbuf_printf(b, "model name\t: %s\nstepping\t: %u\n",
			       c->brand[0] ? c->brand : "unknown",
			       c->sig & 0xf);
		if (khz) {
			textbuf_printf(b, "cpu MHz\t\t: %lu.%03lu\n",
				       khz / 1000, khz % 1000);
		}
		if (c->l2_kb) {
			textbuf_printf(b, "cache size\t: %u KB\n", c->l2_kb);
		}
		textbuf_printf(b, "physical id\t: 0\nsiblings\t: %u\n"
				  "core id\t\t: %u\ncpu cores\t: %u\n",
			       cpus, i, cpus);
		textbuf_printf(b, "apicid\t\t: %u\ninitial apicid\t: %u\n", i,
			       i);
		textbuf_printf(b, "fpu\t\t: yes\nfpu_exception\t: yes\n"
				  "cpuid level\t: %u\nwp\t\t: yes\n",
			       c->max_leaf);
		textbuf_puts(b, "flags\t\t: ");
		procfs_fmt_cpu_flags(b, c);
		textbuf_puts(b, "\nbugs\t\t:\n");
		if (khz) {
			/* What Linux's calibration gives: twice the clock. */
			textbuf_printf(b, "bogomips\t: %lu.%02lu\n",
				       khz * 2 / 1000, khz * 2 % 1000 / 10);
		}
		textbuf_printf(b, "clflush size\t: %u\ncache_alignment\t: %u\n",
			       ((c->misc >> 8) & 0xff) * 8,
			       ((c->misc >> 8) & 0xff) * 8);
		if (c->phys_bits) {
			textbuf_printf(b, "address sizes\t: %u bits physical, "
					  "%u bits virtual\n",
				       c->phys_bits, c->virt_bits);
		}
		textbuf_puts(b, "power management:\n\n");
	}
}

/* ---- system-wide figures ---- */

void procfs_fmt_meminfo(struct textbuf *b, const struct procfs_meminfo *m)
{
	static const char *const zero[] = {
		"SwapCached", "Active", "Inactive", "Active(anon)",
		"Inactive(anon)", "Active(file)", "Inactive(file)",
		"Unevictable", "Mlocked", "SwapTotal", "SwapFree", "Dirty",
		"Writeback", "AnonPages", "Mapped",
	};
	char name[24];

	textbuf_printf(b, "%-16s%8lu kB\n", "MemTotal:", m->total >> 10);
	textbuf_printf(b, "%-16s%8lu kB\n", "MemFree:", m->free >> 10);
	textbuf_printf(b, "%-16s%8lu kB\n", "MemAvailable:",
		       m->available >> 10);
	textbuf_printf(b, "%-16s%8lu kB\n", "Buffers:", 0ul);
	textbuf_printf(b, "%-16s%8lu kB\n", "Cached:", m->cached >> 10);
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++) {
		size_t n = strlen(zero[i]);

		memcpy(name, zero[i], n);
		name[n] = ':';
		name[n + 1] = '\0';
		textbuf_printf(b, "%-16s%8lu kB\n", name, 0ul);
	}
	textbuf_printf(b, "%-16s%8lu kB\n", "Shmem:", m->shmem >> 10);
	textbuf_printf(b, "%-16s%8lu kB\n", "KReclaimable:", 0ul);
	textbuf_printf(b, "%-16s%8lu kB\n", "Slab:", 0ul);
	textbuf_printf(b, "%-16s%8lu kB\n", "SReclaimable:", 0ul);
	textbuf_printf(b, "%-16s%8lu kB\n", "SUnreclaim:", 0ul);
	textbuf_printf(b, "%-16s%8lu kB\n", "CommitLimit:", m->total >> 10);
	textbuf_printf(b, "%-16s%8lu kB\n", "Committed_AS:",
		       (m->total - m->free) >> 10);
	textbuf_printf(b, "%-16s%8lu\n", "HugePages_Total:", 0ul);
	textbuf_printf(b, "%-16s%8lu\n", "HugePages_Free:", 0ul);
	textbuf_printf(b, "%-16s%8lu kB\n", "Hugepagesize:", 2048ul);
}

/* Seconds with two decimals, as /proc/uptime writes them. */
static void centi(struct textbuf *b, uint64_t ns)
{
	uint64_t cs = ns / 10000000;

	textbuf_printf(b, "%lu.%02lu", cs / 100, cs % 100);
}

void procfs_fmt_uptime(struct textbuf *b, uint64_t uptime_ns,
		       uint64_t idle_ns)
{
	centi(b, uptime_ns);
	textbuf_putc(b, ' ');
	centi(b, idle_ns);
	textbuf_putc(b, '\n');
}

void procfs_fmt_stat_sys(struct textbuf *b, const struct procfs_sys *s)
{
	uint64_t ticks = s->uptime_ns / (1000000000ull / PROCFS_HZ);
	unsigned cpus = s->cpus ? s->cpus : 1;

	/* user nice system idle iowait irq softirq steal guest
	 * guest_nice: no CPU time is accounted yet, so all of it shows
	 * as idle, which keeps top's percentages sane. */
	textbuf_printf(b, "cpu  0 0 0 %lu 0 0 0 0 0 0\n", ticks * cpus);
	for (unsigned i = 0; i < cpus; i++) {
		textbuf_printf(b, "cpu%u 0 0 0 %lu 0 0 0 0 0 0\n", i, ticks);
	}
	textbuf_printf(b, "intr 0\nctxt 0\nbtime %lu\nprocesses %d\n"
			  "procs_running %u\nprocs_blocked 0\n"
			  "softirq 0 0 0 0 0 0 0 0 0 0 0\n",
		       s->boot_time, s->last_pid, s->running);
}

void procfs_fmt_loadavg(struct textbuf *b, const struct procfs_sys *s)
{
	textbuf_printf(b, "0.00 0.00 0.00 %u/%u %d\n", s->running, s->threads,
		       s->last_pid);
}
