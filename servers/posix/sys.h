/*
 * The Linux system call layer: one handler per call, dispatched on the
 * number from the supervision event. A handler returns the call's result
 * (>= 0 or a negated Linux errno), -LINUX_ERESTARTSYS when a signal broke
 * a wait (restarted or EINTR as the signal's SA_RESTART says), or
 * SYS_NORESUME when it has dealt with the thread itself (exit, execve,
 * rt_sigreturn).
 */
#pragma once

#include <stdint.h>

struct lproc;
struct lthread;

#define SYS_NORESUME INT64_MIN

typedef int64_t (*sys_fn)(struct lthread *t, const uint64_t *a);

/* Handles the event in t->ev and lets the thread go on. */
void sys_handle_event(struct lthread *t);
/* Opens the console as fds 0, 1 and 2 of @p. */
void sys_setup_console(struct lproc *p);
/* Resumes @t with result @r, delivering pending signals first. */
void sys_finish(struct lthread *t, int64_t nr, int64_t r);

/* Handlers, by file. */
#define SYS_DECLARE(name) int64_t sys_##name(struct lthread *t, \
					      const uint64_t *a);
#define SYS_HANDLERS(X)                                                     \
	/* sys_proc.c */                                                    \
	X(exit) X(exit_group) X(getpid) X(getppid) X(gettid) X(fork)        \
	X(vfork) X(clone) X(execve) X(wait4) X(set_tid_address)             \
	X(arch_prctl) X(getuid) X(geteuid) X(getgid) X(getegid) X(setuid)   \
	X(setgid) X(getresuid) X(getresgid) X(setpgid) X(getpgid)           \
	X(getpgrp) X(setsid) X(getsid) X(getgroups) X(setgroups) X(kill)    \
	X(tgkill) X(tkill) X(umask) X(prlimit64) X(getrlimit) X(setrlimit)  \
	X(set_robust_list) X(reboot) X(waitid) X(prctl) X(getrusage)        \
	X(times)                                                            \
	/* mm */                                                            \
	X(brk) X(mmap) X(munmap) X(mprotect) X(madvise) X(mremap)           \
	/* sys_io.c */                                                      \
	X(read) X(write) X(readv) X(writev) X(pread64) X(pwrite64)          \
	X(close) X(dup) X(dup2) X(dup3) X(fcntl) X(ioctl) X(pipe)           \
	X(pipe2) X(lseek) X(poll) X(ppoll) X(select) X(pselect6)            \
	/* sys_fs.c */                                                      \
	X(open) X(openat) X(creat) X(stat) X(lstat) X(newfstatat) X(fstat)  \
	X(statx) X(statfs) X(fstatfs) X(getdents64) X(mkdir) X(mkdirat)     \
	X(mknod) X(mknodat) X(unlink) X(rmdir) X(unlinkat) X(rename)        \
	X(renameat) X(renameat2) X(link) X(linkat) X(symlink) X(symlinkat)  \
	X(readlink) X(readlinkat) X(chmod) X(fchmodat) X(fchmod) X(chown)   \
	X(lchown) X(fchownat) X(fchown) X(utimensat) X(access)              \
	X(faccessat) X(faccessat2) X(truncate) X(ftruncate) X(chdir)        \
	X(fchdir) X(chroot) X(getcwd) X(mount) X(umount2) X(sync) X(fsync)  \
	X(fdatasync) X(syncfs) X(fadvise64)                                 \
	/* sys_misc.c */                                                    \
	X(uname) X(clock_gettime) X(clock_getres) X(gettimeofday) X(time)   \
	X(nanosleep) X(clock_nanosleep) X(getrandom) X(sched_yield)         \
	X(sysinfo) X(futex) X(sched_getaffinity) X(getcpu) X(alarm)      \
	X(setitimer) X(getitimer)                  \
	/* signal.c */                                                      \
	X(rt_sigaction) X(rt_sigprocmask) X(rt_sigreturn) X(sigaltstack)    \
	X(rt_sigpending) X(rt_sigsuspend)
SYS_HANDLERS(SYS_DECLARE)
