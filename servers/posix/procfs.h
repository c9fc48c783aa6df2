/*
 * procfs: the "proc" file system of the posix server, Linux's /proc for
 * the programs it runs, generated from the server's processes
 * (pseudofs.h; formats in procfs_fmt.h):
 *
 *   self, thread-self          links to the reader's directories
 *   <pid>/                     one per process (zombies included until
 *                              reaped; a thread id works too, unlisted):
 *       stat statm status      figures (procfs_fmt.h)
 *       cmdline environ        execve's strings (execinfo.h)
 *       maps                   the memory map (vma.h)
 *       fd/ fdinfo/            links to open files and their positions
 *       exe cwd root           links, named from the reader's root
 *       comm mounts mountinfo
 *       task/<tid>/            each thread: stat, status and the rest
 *       keel_trace             "1" or "0": the process's system-call
 *                              trace (inherited by children)
 *   meminfo cpuinfo uptime loadavg stat version mounts filesystems
 *   cmdline sys/kernel/{hostname,ostype,osrelease,pid_max}
 *
 * Figures the kernel does not give yet are estimates or zeros (memory,
 * CPU times, load): see docs/posix-procfs.md.
 */
#pragma once

#include <stdint.h>

/* Registers "proc" with the vfs; every mount is a new instance.
 * @ram_bytes is meminfo's MemTotal. EEXIST. */
int procfs_register(uint64_t ram_bytes);
/* The kernel command line for /proc/cmdline (copied, cut at 1 KiB). */
void procfs_set_cmdline(const char *cmdline);
