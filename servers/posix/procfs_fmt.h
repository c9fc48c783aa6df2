/*
 * The text of procfs's files, in Linux's formats (proc(5),
 * proc_pid_stat(5), proc_pid_status(5), proc_pid_maps(5) and the kernel's
 * own output as reference), made from plain figures: procfs.c gathers
 * them from the server's processes, the host tests make them up. Pure:
 * no process table, no system calls.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "textbuf.h"
#include "vma.h"

/* Clock ticks per second (sysconf(_SC_CLK_TCK), AT_CLKTCK). */
#define PROCFS_HZ 100

/* A process's memory figures in bytes, from its memory map. */
struct procfs_mem {
	uint64_t size;		/* VmSize: every mapping */
	uint64_t rss;		/* VmRSS: an estimate (see procfs_mem_of) */
	uint64_t data;		/* VmData: private writable, not the stack */
	uint64_t stack;		/* VmStk */
	uint64_t exe;		/* VmExe: the program's executable part */
	uint64_t file;		/* RssFile: mappings of files */
	uint64_t start_code, end_code;	/* the program's text */
	uint64_t start_data, end_data;	/* its writable data */
	uint64_t start_stack;		/* the top of the stack area */
};

/* What stat and status show of one task: a process (its main thread)
 * or, under task/, one thread. */
struct procfs_task {
	int pid;		/* the task's id: the process's, a thread's */
	int tgid;		/* the process's */
	int ppid, pgrp, session;
	uint32_t tty_nr;	/* controlling terminal's device, or 0 */
	int tpgid;		/* its foreground group; -1: none */
	char state;		/* 'R', 'S', 'T', 'Z' */
	char comm[16];		/* NUL-terminated */
	unsigned threads;
	uint32_t uid[4], gid[4];	/* real, effective, saved, fs */
	uint32_t umask;
	unsigned fd_slots;	/* FDSize */
	uint64_t start_ticks;	/* since boot, PROCFS_HZ */
	uint64_t sig_pending;	/* the thread's */
	uint64_t sig_shared;	/* the process's */
	uint64_t sig_blocked, sig_ignored, sig_caught;
	uint64_t rss_limit;	/* RLIMIT_RSS, bytes */
	uint64_t start_brk;
	int exit_code;		/* a zombie's wait status */
	bool privileged;	/* euid 0: every capability */
	unsigned cpus;		/* Cpus_allowed: CPUs 0..cpus-1 */
	struct procfs_mem mem;
};

/*
 * The memory figures of map @m whose program file is named @exe_name as
 * the map's areas name it (NULL: none). The resident size is an
 * estimate until the kernel reports resident pages: every mapping but
 * the stack counts whole, the stack as its last 128 KiB.
 */
void procfs_mem_of(const struct vma_map *m, const char *exe_name,
		   struct procfs_mem *out);

/* /proc/<pid>/stat (52 fields, one line). */
void procfs_fmt_stat(struct textbuf *b, const struct procfs_task *t);
/* /proc/<pid>/statm (7 figures in pages). */
void procfs_fmt_statm(struct textbuf *b, const struct procfs_task *t);
/* /proc/<pid>/status. */
void procfs_fmt_status(struct textbuf *b, const struct procfs_task *t);
/* One line of /proc/<pid>/maps. */
void procfs_fmt_maps_line(struct textbuf *b, const struct vma *v);
/* /proc/<pid>/maps: every area of @m. */
void procfs_fmt_maps(struct textbuf *b, const struct vma_map *m);

/* Appends @s with space, tab, newline and backslash written as octal
 * escapes (\040...), as /proc/mounts writes paths. */
void procfs_fmt_escaped(struct textbuf *b, const char *s);
/* The per-mount options ("rw,nosuid,relatime") of mount flags
 * LINUX_MS_*. */
void procfs_fmt_mount_opts(struct textbuf *b, unsigned long flags);

/* A mount as /proc/mounts and mountinfo show it. */
struct procfs_mount {
	uint64_t id, parent_id;
	uint64_t dev;		/* the file system's st_dev */
	const char *root;	/* its root within the file system */
	const char *point;	/* where, from the reader's root */
	const char *type;
	const char *source;
	unsigned long flags;	/* LINUX_MS_* */
};

void procfs_fmt_mounts_line(struct textbuf *b, const struct procfs_mount *m);
void procfs_fmt_mountinfo_line(struct textbuf *b,
			       const struct procfs_mount *m);

/* The processor as cpuid describes it, for /proc/cpuinfo. */
struct procfs_cpuid {
	uint32_t max_leaf;		/* leaf 0 eax */
	char vendor[13];		/* leaf 0 ebx, edx, ecx */
	uint32_t sig;			/* leaf 1 eax */
	uint32_t misc;			/* leaf 1 ebx */
	uint32_t feat_ecx, feat_edx;	/* leaf 1 */
	uint32_t ext_ecx, ext_edx;	/* leaf 0x80000001 */
	uint32_t l7_ebx, l7_ecx, l7_edx;	/* leaf 7, subleaf 0 */
	char brand[49];			/* leaves 0x80000002..4, trimmed */
	uint32_t l2_kb;			/* leaf 0x80000006 ecx >> 16 */
	uint32_t phys_bits, virt_bits;	/* leaf 0x80000008 */
	unsigned cpus;			/* logical processors */
	uint64_t tsc_hz;		/* 0: unknown */
};

/* The "flags" value: Linux's names of the features set, in its order. */
void procfs_fmt_cpu_flags(struct textbuf *b, const struct procfs_cpuid *c);
/* /proc/cpuinfo: one block per CPU. */
void procfs_fmt_cpuinfo(struct textbuf *b, const struct procfs_cpuid *c);

/* Memory figures in bytes for /proc/meminfo. */
struct procfs_meminfo {
	uint64_t total, free, available, cached, shmem;
};

void procfs_fmt_meminfo(struct textbuf *b, const struct procfs_meminfo *m);
/* /proc/uptime: seconds since boot and idle seconds summed over CPUs. */
void procfs_fmt_uptime(struct textbuf *b, uint64_t uptime_ns,
		       uint64_t idle_ns);

/* System-wide figures for /proc/stat and /proc/loadavg. */
struct procfs_sys {
	uint64_t uptime_ns;
	uint64_t boot_time;	/* realtime seconds at boot */
	unsigned cpus;
	unsigned running;	/* threads in state R */
	unsigned threads;	/* every thread */
	int last_pid;		/* the newest process */
};

/* /proc/stat: CPU time lines (all idle: there is no accounting yet),
 * boot time, process counts. */
void procfs_fmt_stat_sys(struct textbuf *b, const struct procfs_sys *s);
/* /proc/loadavg (load figures 0: none are kept yet). */
void procfs_fmt_loadavg(struct textbuf *b, const struct procfs_sys *s);
