/*
 * Linux signals: actions, masks, pending sets, delivery on the way back
 * from a system call (and when a stopped thread resumes), the rt_sigframe
 * on the user stack and rt_sigreturn. Signal numbers are Linux's 1..64.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <keel/supervise.h>

struct lproc;
struct lthread;

#define SIG_BIT(sig) (1ull << ((sig) - 1))

#define LINUX_SIGHUP 1
#define LINUX_SIGINT 2
#define LINUX_SIGQUIT 3
#define LINUX_SIGILL 4
#define LINUX_SIGTRAP 5
#define LINUX_SIGABRT 6
#define LINUX_SIGBUS 7
#define LINUX_SIGFPE 8
#define LINUX_SIGKILL 9
#define LINUX_SIGUSR1 10
#define LINUX_SIGSEGV 11
#define LINUX_SIGUSR2 12
#define LINUX_SIGPIPE 13
#define LINUX_SIGALRM 14
#define LINUX_SIGTERM 15
#define LINUX_SIGSTKFLT 16
#define LINUX_SIGCHLD 17
#define LINUX_SIGCONT 18
#define LINUX_SIGSTOP 19
#define LINUX_SIGTSTP 20
#define LINUX_SIGTTIN 21
#define LINUX_SIGTTOU 22
#define LINUX_SIGURG 23
#define LINUX_SIGXCPU 24
#define LINUX_SIGXFSZ 25
#define LINUX_SIGVTALRM 26
#define LINUX_SIGPROF 27
#define LINUX_SIGWINCH 28
#define LINUX_SIGIO 29
#define LINUX_SIGPWR 30
#define LINUX_SIGSYS 31
#define LINUX_NSIG 64

#define LINUX_SIG_DFL 0
#define LINUX_SIG_IGN 1

#define LINUX_SA_NOCLDSTOP 0x00000001
#define LINUX_SA_NOCLDWAIT 0x00000002
#define LINUX_SA_SIGINFO 0x00000004
#define LINUX_SA_RESTORER 0x04000000
#define LINUX_SA_ONSTACK 0x08000000
#define LINUX_SA_RESTART 0x10000000
#define LINUX_SA_NODEFER 0x40000000
#define LINUX_SA_RESETHAND 0x80000000

/* Whether @t has a signal it does not block pending. */
bool signal_is_pending(const struct lthread *t);
/* Makes @t notice its pending signals soon: a wait in the server is
 * broken, a thread running user code is stopped (SYS_THREAD_SUSPEND) so
 * that the signal is delivered at once. */
void signal_kick(struct lthread *t);
/* Sends @sig to process @p (one of its threads takes it). */
void signal_send_proc(struct lproc *p, int sig);
/* Sends @sig to process group @pgid; returns how many got it. */
int signal_send_group(int pgid, int sig);
/* Delivers @t's pending signals before it resumes: default actions
 * (termination ends the process: returns false), or a handler frame built
 * on its stack, with @regs (the thread's registers, syscall result in rax
 * already) changed to enter the handler. @nr is the system call being
 * finished (-1 if none), for restarting. Returns true when the thread
 * may resume with @regs. */
bool signal_deliver(struct lthread *t, struct thread_regs *regs, int64_t nr);
/* rt_sigreturn: restores @regs and the mask from the frame at regs->rsp.
 * False (and the process gets SIGSEGV) on a bad frame. */
bool signal_return(struct lthread *t, struct thread_regs *regs);
