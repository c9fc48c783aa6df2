/*
 * Linux processes and threads as the posix server sees them. A struct
 * lproc is a Linux process: its pid, family, credentials, open files,
 * memory layout and signal state, and the kernel process (a handle with
 * RIGHT_SUPERVISE) whose threads run its code. execve replaces the kernel
 * process under the same lproc, so the pid stays.
 *
 * Each Linux thread (struct lthread) has its own fiber in the server that
 * handles its system calls one at a time; a per-process fiber takes the
 * kernel's supervision events and hands each to its thread's fiber.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <base/list.h>
#include <keel/handle.h>
#include <keel/supervise.h>

#include "vfs.h"
#include "vma.h"
#include "wait.h"

struct execinfo;
struct fdtable;
struct fiber;
struct tty;
struct pwait_group;

#define PROC_COMM_MAX 16
#define PROC_RLIMITS 16

struct lsigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

struct lproc {
	unsigned refs;			/* the process table's, each fiber's */
	int pid;
	int pgid;
	int sid;
	struct lproc *parent;
	struct list_node children;	/* struct lproc.sibling */
	struct list_node sibling;
	struct list_node threads;	/* struct lthread.link */
	struct list_node all_link;	/* every process */

	handle_t kproc;			/* kernel process; 0 once gone */

	uint32_t uid, euid, suid, gid, egid, sgid;
	uint32_t umask;
	struct fdtable *fds;
	struct tty *ctty;		/* controlling terminal, or NULL */

	/* Memory (mm.c). */
	uint64_t brk_start, brk_cur, brk_mapped;
	struct vma_map vmas;

	/* Signals (signal.c): shared by all threads. */
	struct lsigaction actions[64];
	uint64_t pending;		/* process-directed, not yet taken */
	struct ptimer alarm;		/* ITIMER_REAL */
	uint64_t alarm_interval;	/* ns; 0: one shot */

	/* Exit. */
	bool exiting;			/* exit_group started */
	bool zombie;			/* ended, not yet waited for */
	int exit_status;		/* wait status word, as wait4 gives */
	struct pwait_head child_wait;	/* a child changed state */
	bool stopped;			/* by SIGSTOP/TSTP/TTIN/TTOU */
	int stop_sig;
	bool stop_report;		/* wait4(WUNTRACED) not told yet */
	bool cont_report;		/* wait4(WCONTINUED) not told yet */
	struct pwait_head cont_wait;	/* stopped threads wait for SIGCONT */
	bool vfork_parent_waits;	/* parent sleeps until exec or exit */
	struct pwait_head vfork_wait;

	struct {
		uint64_t cur, max;
	} rlimits[PROC_RLIMITS];

	char comm[PROC_COMM_MAX];
	struct vfs_path root, cwd;	/* referenced */

	/* For /proc (procfs.c). */
	uint64_t start_ns;		/* monotonic clock at creation */
	struct execinfo *exec_info;	/* the image's program and strings */
	bool trace;			/* log its system calls (keel_trace);
					 * inherited */
};

struct lthread {
	int tid;
	uint64_t ktid;			/* kernel thread id */
	struct lproc *proc;
	struct list_node link;
	struct fiber *fiber;
	struct supervise_event ev;	/* the event being handled */
	bool has_event;
	bool in_call;			/* its event is being handled: it is
					 * stopped in the kernel */
	bool dead;
	uint64_t sigmask;
	uint64_t saved_sigmask;		/* ppoll/pselect/sigsuspend: put
					 * back after the handler */
	bool has_saved_sigmask;
	uint64_t pending;		/* thread-directed signals */
	uint64_t clear_child_tid;
	uint64_t fault_addr;		/* for a fault signal's si_addr */
	uint64_t altstack_sp, altstack_size;
	uint32_t altstack_flags;
	struct pwait_group *waiting;	/* set while parked in pwait_any */
};

/* The thread whose call the running fiber serves; NULL elsewhere. */
struct lthread *proc_current(void);

/* Creates the first process (pid 1) running @path with @argv/@envp;
 * returns 0 or a negated Linux errno. */
int proc_spawn_init(const char *path, char *const argv[],
		    char *const envp[]);
/* Looks a process up by pid; NULL if there is none (zombies included). */
struct lproc *proc_find(int pid);
/* A new thread for kernel thread @ktid of @p, with its fiber; NULL when
 * out of memory. */
struct lthread *proc_thread_add(struct lproc *p, uint64_t ktid);
/* Binds @p to kernel process @kproc (after creation or execve) and
 * starts the fiber that takes its supervision events. */
int proc_attach(struct lproc *p, handle_t kproc);
/* Ends the whole of @p with wait status @status (exit_group, a fatal
 * signal). Does not return to the caller's program. */
void proc_exit(struct lproc *p, int status);
/* A new process copied from @parent (fork): same credentials, files
 * (shared descriptions), signal actions; not yet attached. */
struct lproc *proc_create_child(struct lproc *parent);
/* Whether @p's pid exists and is not a zombie. */
bool proc_is_alive(const struct lproc *p);
/* Reaps zombie @p (wait4 found it): its pid is free again. */
void proc_reap(struct lproc *p);
void proc_get(struct lproc *p);
void proc_put(struct lproc *p);
/* Marks every thread of @p but @keep dead and wakes their fibers. */
void proc_kill_threads(struct lproc *p, struct lthread *keep);
/* The parent may go on after vfork (the child exec'd or ended). */
void proc_vfork_release(struct lproc *p);
/* Set when the first process has ended with posix.oneshot: the server's
 * exit code (its wait status's exit code, or 128 + signal). */
extern int proc_init_exit_code;
/* The list of every process (for kill -1, /proc). */
struct list_node *proc_all(void);
