/*
 * /proc (procfs.h) on pseudofs: the tree of node types, and the
 * functions that gather each file's figures from the process table.
 *
 * A process's nodes carry its pid and creation time (the key's gen), so
 * a directory held open after its process was reaped does not show a
 * new process that got the same pid. A task node (task/<tid>/, or
 * /proc/<tid>/) also carries the thread id; the process's own nodes have
 * tid 0 and show its main thread.
 *
 * Links (exe, cwd, root, fd/N) are named from the reader's root, as
 * Linux's d_path does; the reader is the thread whose call the server is
 * serving (proc_current()). They are magic links: following one goes to
 * the object itself (a file unlinked since, a pipe), not to its name.
 * Only root and the process's own user may read or follow them.
 */
#include "procfs.h"

#include <base/fmt.h>
#include <base/string.h>
#include <linux_abi/errno.h>
#include <linux_abi/fcntl.h>
#include <linux_abi/stat.h>
#include <linux_abi/statfs.h>
#include <rt/malloc.h>

#include "console.h"
#include "cpuinfo.h"
#include "execinfo.h"
#include "fd.h"
#include "file.h"
#include "ltime.h"
#include "pipe.h"
#include "proc.h"
#include "procfs_fmt.h"
#include "pseudofs.h"
#include "signal.h"
#include "tmpfs.h"
#include "tty.h"

/* What uname(2) says (sys_misc.c), and proc.c's largest pid. */
#define PROCFS_RELEASE "6.1.0-keel"
#define PROCFS_VERSION "#1 SMP Keel"
#define PROCFS_HOSTNAME "keel"
#define PROCFS_PID_MAX 32768
#define RLIMIT_RSS 5
#define CMDLINE_MAX 1024

static uint64_t ram_bytes;
static char kernel_cmdline[CMDLINE_MAX];

/* ---- finding what a node shows ---- */

/* The process of @k, if it is still the one the node was made for. */
static struct lproc *proc_of(const struct pseudofs_key *k)
{
	struct lproc *p = proc_find(k->pid);

	return p && p->start_ns == k->gen ? p : NULL;
}

/* Thread @tid of @p (0: its main thread, else its first), not dead;
 * NULL if none. */
static struct lthread *thread_of(struct lproc *p, int tid)
{
	struct lthread *first = NULL;
	struct list_node *pos;

	list_for_each(pos, &p->threads) {
		struct lthread *t = container_of(pos, struct lthread, link);

		if (t->dead) {
			continue;
		}
		if (t->tid == (tid ? tid : p->pid)) {
			return t;
		}
		if (!first) {
			first = t;
		}
	}
	return tid ? NULL : first;
}

static unsigned live_threads(struct lproc *p)
{
	struct list_node *pos;
	unsigned n = 0;

	list_for_each(pos, &p->threads) {
		n += !container_of(pos, struct lthread, link)->dead;
	}
	return n;
}

/* The root paths are named from: the reader's, else @p's. */
static const struct vfs_path *reader_root(struct lproc *p)
{
	struct lthread *t = proc_current();

	return t ? &t->proc->root : &p->root;
}

static struct pseudofs_key key_of(struct lproc *p, int tid)
{
	struct pseudofs_key k = { .pid = p->pid, .tid = tid,
				  .gen = p->start_ns };

	return k;
}

/* The node's process still exists (and its thread, for a task node):
 * then the node belongs to the process's effective ids, as Linux shows
 * it. ESRCH when it is gone, as Linux answers. */
static int pid_revalidate(struct pseudofs_node *n)
{
	struct lproc *p = proc_of(&n->key);

	if (!p || (n->key.tid && !thread_of(p, n->key.tid) && !p->zombie)) {
		return -LINUX_ESRCH;
	}
	n->inode.uid = p->euid;
	n->inode.gid = p->egid;
	return 0;
}

/* ---- per-process files ---- */

static const struct pseudofs_type exe_type, cwd_type;

static char state_of(struct lproc *p, struct lthread *t)
{
	if (p->zombie) {
		return 'Z';
	}
	if (p->stopped) {
		return 'T';
	}
	/* Parked in the server for an event: sleeping; else running its
	 * code (or being served, as the reader of this file is). */
	return t && t->waiting ? 'S' : 'R';
}

static void gather(struct lproc *p, int tid, struct procfs_task *out)
{
	struct lthread *t = thread_of(p, tid);
	const struct execinfo *info = p->exec_info;

	memset(out, 0, sizeof(*out));
	out->pid = tid ? tid : p->pid;
	out->tgid = p->pid;
	out->ppid = p->parent ? p->parent->pid : 0;
	out->pgrp = p->pgid;
	out->session = p->sid;
	out->tpgid = -1;
	if (p->ctty) {
		int fg = tty_pgrp(p->ctty);

		/* The console is the only terminal: ttyS0. */
		out->tty_nr = p->ctty == console_tty() ? LINUX_MAKEDEV(4, 64)
						       : 0;
		out->tpgid = fg > 0 ? fg : -1;
	}
	out->state = state_of(p, t);
	memcpy(out->comm, p->comm, sizeof(p->comm));
	out->comm[sizeof(out->comm) - 1] = '\0';
	out->threads = live_threads(p);
	if (out->threads == 0) {
		out->threads = 1;
	}
	out->uid[0] = p->uid, out->uid[1] = p->euid;
	out->uid[2] = p->suid, out->uid[3] = p->euid;
	out->gid[0] = p->gid, out->gid[1] = p->egid;
	out->gid[2] = p->sgid, out->gid[3] = p->egid;
	out->umask = p->umask;
	out->fd_slots = p->fds ? FD_MAX : 0;
	out->start_ticks = p->start_ns / (LTIME_NS_PER_S / PROCFS_HZ);
	out->sig_pending = t ? t->pending : 0;
	out->sig_shared = p->pending;
	out->sig_blocked = t ? t->sigmask : 0;
	for (int sig = 1; sig <= LINUX_NSIG; sig++) {
		uint64_t h = p->actions[sig - 1].handler;

		if (h == LINUX_SIG_IGN) {
			out->sig_ignored |= SIG_BIT(sig);
		} else if (h != LINUX_SIG_DFL) {
			out->sig_caught |= SIG_BIT(sig);
		}
	}
	out->rss_limit = p->rlimits[RLIMIT_RSS].cur;
	out->start_brk = p->brk_start;
	out->exit_code = p->zombie ? p->exit_status : 0;
	out->privileged = p->euid == 0;
	out->cpus = cpuinfo_cpus();
	if (!p->zombie) {
		procfs_mem_of(&p->vmas, info ? info->path : NULL, &out->mem);
	}
}

static int show_stat(struct pseudofs_node *n, struct textbuf *b)
{
	struct procfs_task t;

	gather(proc_of(&n->key), n->key.tid, &t);
	procfs_fmt_stat(b, &t);
	return 0;
}

static int show_statm(struct pseudofs_node *n, struct textbuf *b)
{
	struct procfs_task t;

	gather(proc_of(&n->key), n->key.tid, &t);
	procfs_fmt_statm(b, &t);
	return 0;
}

static int show_status(struct pseudofs_node *n, struct textbuf *b)
{
	struct procfs_task t;

	gather(proc_of(&n->key), n->key.tid, &t);
	procfs_fmt_status(b, &t);
	return 0;
}

/* A zombie has no memory, hence no strings and no map. */
static int show_cmdline(struct pseudofs_node *n, struct textbuf *b)
{
	struct lproc *p = proc_of(&n->key);

	if (!p->zombie && p->exec_info) {
		textbuf_put(b, p->exec_info->args, p->exec_info->args_len);
	}
	return 0;
}

static int show_environ(struct pseudofs_node *n, struct textbuf *b)
{
	struct lproc *p = proc_of(&n->key);

	if (!p->zombie && p->exec_info) {
		textbuf_put(b, p->exec_info->env, p->exec_info->env_len);
	}
	return 0;
}

static int show_maps(struct pseudofs_node *n, struct textbuf *b)
{
	struct lproc *p = proc_of(&n->key);

	if (!p->zombie) {
		procfs_fmt_maps(b, &p->vmas);
	}
	return 0;
}

static int show_comm(struct pseudofs_node *n, struct textbuf *b)
{
	struct lproc *p = proc_of(&n->key);

	textbuf_printf(b, "%.*s\n", (int)sizeof(p->comm), p->comm);
	return 0;
}

/* A process may rename itself (as prctl(PR_SET_NAME) does), cut to
 * 15 bytes, a trailing newline dropped; others get EINVAL, as on
 * Linux. */
static int64_t store_comm(struct pseudofs_node *n, const char *data,
			  size_t len)
{
	struct lproc *p = proc_of(&n->key);
	struct lthread *t = proc_current();
	size_t keep = len;

	if (!t || t->proc != p) {
		return -LINUX_EINVAL;
	}
	if (keep > 0 && data[keep - 1] == '\n') {
		keep--;
	}
	if (keep > sizeof(p->comm) - 1) {
		keep = sizeof(p->comm) - 1;
	}
	memset(p->comm, 0, sizeof(p->comm));
	memcpy(p->comm, data, keep);
	return (int64_t)len;
}

static int show_trace(struct pseudofs_node *n, struct textbuf *b)
{
	textbuf_puts(b, proc_of(&n->key)->trace ? "1\n" : "0\n");
	return 0;
}

/* "1" or "0", a newline or blanks after it allowed. */
static int64_t store_trace(struct pseudofs_node *n, const char *data,
			   size_t len)
{
	struct lproc *p = proc_of(&n->key);

	if (len == 0 || (data[0] != '0' && data[0] != '1')) {
		return -LINUX_EINVAL;
	}
	for (size_t i = 1; i < len; i++) {
		if (data[i] != '\n' && data[i] != ' ' && data[i] != '\t') {
			return -LINUX_EINVAL;
		}
	}
	p->trace = data[0] == '1';
	return (int64_t)len;
}

/* Whether the reader may see where @p's links lead (Linux's ptrace
 * read check, simplified): root, or the same user throughout. */
static int may_inspect(struct lproc *p)
{
	struct lthread *t = proc_current();
	struct lproc *r = t ? t->proc : NULL;

	if (!r || r->euid == 0 || r == p ||
	    (r->euid == p->uid && r->euid == p->euid && r->euid == p->suid)) {
		return 0;
	}
	return -LINUX_EACCES;
}

/* Appends the name of @path from @root (" (deleted)" marked). */
static int link_path(struct textbuf *b, const struct vfs_path *root,
		     const struct vfs_path *path)
{
	char *buf = malloc(VFS_PATH_MAX);
	int n;

	if (!buf) {
		return -LINUX_ENOMEM;
	}
	n = vfs_path_name(root, path, true, buf, VFS_PATH_MAX);
	if (n >= 0) {
		textbuf_put(b, buf, (size_t)n);
	}
	free(buf);
	return n < 0 ? n : 0;
}

/* Where exe, cwd and root lead (not referenced); ENOENT for a zombie,
 * which has given them up. */
static int place_of(struct pseudofs_node *n, const struct vfs_path **out)
{
	struct lproc *p = proc_of(&n->key);
	const struct vfs_path *where;
	int err = may_inspect(p);

	if (err < 0) {
		return err;
	}
	if (n->type == &exe_type) {
		where = p->exec_info ? &p->exec_info->exe : NULL;
	} else {
		where = n->type == &cwd_type ? &p->cwd : &p->root;
	}
	if (p->zombie || !where || !where->inode) {
		return -LINUX_ENOENT;
	}
	*out = where;
	return 0;
}

static int link_place(struct pseudofs_node *n, struct textbuf *b)
{
	const struct vfs_path *where;
	int err = place_of(n, &where);

	return err < 0 ? err : link_path(b, reader_root(proc_of(&n->key)),
					 where);
}

static int get_place(struct pseudofs_node *n, struct vfs_mount *mnt,
		     struct vfs_path *out)
{
	const struct vfs_path *where;
	int err = place_of(n, &where);

	if (err == 0) {
		vfs_path_copy(out, where);
	}
	return err;
}

/* ---- mounts, as seen from a process's root ---- */

/* The path of @inode from the root of its file system (bind mounts of
 * a subdirectory), into @buf; "/" when it cannot be named. */
static void path_in_sb(struct inode *inode, char *buf, size_t size)
{
	char name[VFS_NAME_MAX + 1];
	struct inode *cur = inode;
	size_t len = 0;

	buf[0] = '\0';
	vfs_inode_get(cur);
	for (int depth = 0; cur != cur->sb->root && depth < 64; depth++) {
		struct inode *parent;
		int n = cur->ops->parent_name
				? cur->ops->parent_name(cur, &parent, name,
							sizeof(name) - 1)
				: -LINUX_EOPNOTSUPP;

		if (n < 0 || len + (size_t)n + 2 > size) {
			len = 0;
			break;
		}
		/* Built backwards: "/name" before what is there. */
		memmove(buf + n + 1, buf, len + 1);
		buf[0] = '/';
		memcpy(buf + 1, name, (size_t)n);
		len += (size_t)n + 1;
		vfs_inode_put(cur);
		cur = parent;
	}
	vfs_inode_put(cur);
	if (len == 0) {
		buf[0] = '/';
		buf[1] = '\0';
	}
}

static int show_mounts_of(struct lproc *p, struct textbuf *b, bool info)
{
	char *point = malloc(VFS_PATH_MAX), *root = malloc(VFS_PATH_MAX);
	struct vfs_mount *m = NULL;

	if (!point || !root) {
		free(point);
		free(root);
		return -LINUX_ENOMEM;
	}
	while ((m = vfs_mount_next(m))) {
		struct vfs_path at = { m, m->root };
		struct procfs_mount pm = {
			.id = m->id, .parent_id = m->parent ? m->parent->id
							    : m->id,
			.dev = m->sb->dev, .root = root, .point = point,
			.type = m->type, .source = m->source ? m->source
							     : "none",
			.flags = m->flags,
		};

		/* Mounts outside the process's root are not its. */
		if (!p->root.inode ||
		    vfs_path_name(&p->root, &at, true, point, VFS_PATH_MAX) < 0 ||
		    point[0] != '/') {
			continue;
		}
		if (info) {
			path_in_sb(m->root, root, VFS_PATH_MAX);
			procfs_fmt_mountinfo_line(b, &pm);
		} else {
			procfs_fmt_mounts_line(b, &pm);
		}
	}
	free(point);
	free(root);
	return 0;
}

static int show_mounts(struct pseudofs_node *n, struct textbuf *b)
{
	return show_mounts_of(proc_of(&n->key), b, false);
}

static int show_mountinfo(struct pseudofs_node *n, struct textbuf *b)
{
	return show_mounts_of(proc_of(&n->key), b, true);
}

/* ---- fd/ and fdinfo/ ---- */

/* The open file at the node's fd, or NULL (closed, or a zombie). */
static struct file *file_of(const struct pseudofs_node *n)
{
	struct lproc *p = proc_of(&n->key);

	if (!p || !p->fds || n->key.idx >= FD_MAX) {
		return NULL;
	}
	return p->fds->files[n->key.idx];
}

/* An fd's link: r, w and x bits for the owner by the open mode. */
static int fd_revalidate(struct pseudofs_node *n)
{
	int err = pid_revalidate(n);
	struct file *f;

	if (err < 0) {
		return err;
	}
	f = file_of(n);
	if (!f) {
		return -LINUX_ENOENT;	/* closed since */
	}
	if (LINUX_S_ISLNK(n->inode.mode)) {
		unsigned acc = f->flags & LINUX_O_ACCMODE;

		n->inode.mode = LINUX_S_IFLNK | 0100 |
				(acc != LINUX_O_WRONLY ? 0400 : 0) |
				(acc != LINUX_O_RDONLY ? 0200 : 0);
		n->inode.size = 64;
	}
	return 0;
}

/* As fstat numbers files without an inode (sys_fs.c): a pipe by its
 * pipe, both ends alike. */
static uint64_t anon_ino(const struct file *f)
{
	void *pipe = pipe_of(f);

	return (uint64_t)(uintptr_t)(pipe ? pipe : (const void *)f) >> 4;
}

static const struct pseudofs_type fd_pipe_type;

static int link_fd(struct pseudofs_node *n, struct textbuf *b)
{
	struct lproc *p = proc_of(&n->key);
	struct file *f = file_of(n);
	struct vfs_path where;
	uint64_t ino = anon_ino(f);
	uint32_t type;
	int err = may_inspect(p);

	if (err < 0) {
		return err;
	}
	if (vfs_file_path(f, &where)) {
		/* A pipe reopened through fd/N is still a pipe. */
		if (pseudofs_is_node(where.inode) &&
		    pseudofs_node(where.inode)->type == &fd_pipe_type) {
			textbuf_printf(b, "pipe:[%lu]", where.inode->ino);
			return 0;
		}
		return link_path(b, reader_root(p), &where);
	}
	type = f->stat_mode ? (f->stat_mode & LINUX_S_IFMT) : LINUX_S_IFIFO;
	if (type == LINUX_S_IFIFO) {
		textbuf_printf(b, "pipe:[%lu]", ino);
	} else if (type == LINUX_S_IFSOCK) {
		textbuf_printf(b, "socket:[%lu]", ino);
	} else {
		textbuf_puts(b, "anon_inode:[keel]");
	}
	return 0;
}

static int show_fdinfo(struct pseudofs_node *n, struct textbuf *b)
{
	struct lproc *p = proc_of(&n->key);
	struct file *f = file_of(n);
	unsigned flags = f->flags;

	if (fd_is_cloexec(p->fds, (int)n->key.idx)) {
		flags |= LINUX_O_CLOEXEC;
	}
	textbuf_printf(b, "pos:\t%lu\nflags:\t0%o\nmnt_id:\t%lu\nino:\t%lu\n",
		       f->pos, flags, f->mnt ? f->mnt->id : 0,
		       f->inode ? f->inode->ino : anon_ino(f));
	return 0;
}

/* What following fd/N of a pipe reaches: a FIFO node holding the open
 * file (so the pipe lives as long as the node), whose opening makes a
 * new end of that pipe with FIFO rules, as Linux reopens pipes. */
static void fd_pipe_release(struct pseudofs_node *n)
{
	/* The pipe is the open file's, not this inode's to release. */
	n->inode.special = NULL;
	file_put(n->priv);
}

static const struct pseudofs_type fd_pipe_type = {
	.id = 39, .mode = LINUX_S_IFIFO | 0600,
	.revalidate = pid_revalidate, .release = fd_pipe_release,
};

/* Following fd/N: the file's location, or for a pipe a node that opens
 * it again. ENXIO for other objects without a location. */
static int get_fd(struct pseudofs_node *n, struct vfs_mount *mnt,
		  struct vfs_path *out)
{
	struct lproc *p = proc_of(&n->key);
	struct file *f = file_of(n);
	struct pseudofs_node *pn;
	struct vfs_path where;
	void *pipe;
	int err = may_inspect(p);

	if (err < 0) {
		return err;
	}
	if (vfs_file_path(f, &where)) {
		vfs_path_copy(out, &where);
		return 0;
	}
	pipe = pipe_of(f);
	if (!pipe) {
		return -LINUX_ENXIO;
	}
	pn = pseudofs_node_create(n->parent, &fd_pipe_type, &n->key, n->name);
	if (!pn) {
		return -LINUX_ENOMEM;
	}
	file_get(f);
	pn->priv = f;
	pn->inode.special = pipe;
	pn->inode.ino = anon_ino(f);
	pn->inode.uid = p->euid;
	pn->inode.gid = p->egid;
	out->inode = &pn->inode;
	out->mnt = mnt;
	vfs_mount_get(mnt);
	return 0;
}

static const struct pseudofs_type fd_link_type = {
	.id = 37, .mode = LINUX_S_IFLNK | 0700,
	.revalidate = fd_revalidate, .link = link_fd, .get_link = get_fd,
};
static const struct pseudofs_type fdinfo_type = {
	.id = 38, .mode = LINUX_S_IFREG | 0444,
	.revalidate = fd_revalidate, .show = show_fdinfo,
};

/* The lowest open fd >= *@cursor of the directory's process. */
static bool fds_next(struct pseudofs_node *dir, uint64_t *cursor,
		     struct pseudofs_child *out,
		     const struct pseudofs_type *type)
{
	struct lproc *p = proc_of(&dir->key);

	if (!p || !p->fds) {
		return false;
	}
	for (uint64_t fd = *cursor; fd < FD_MAX; fd++) {
		if (p->fds->files[fd]) {
			*cursor = fd;
			out->type = type;
			out->key = dir->key;
			out->key.idx = (uint32_t)fd;
			fmt_snprintf(out->name, sizeof(out->name), "%lu", fd);
			return true;
		}
	}
	return false;
}

/* A decimal number without sign or leading zeros, below @limit. */
static bool parse_num(const char *name, size_t len, uint64_t limit,
		      uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 10 || (name[0] == '0' && len > 1)) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9') {
			return false;
		}
		v = v * 10 + (uint64_t)(name[i] - '0');
	}
	if (v >= limit) {
		return false;
	}
	*out = v;
	return true;
}

static int fds_lookup(struct pseudofs_node *dir, const char *name,
		      size_t len, struct pseudofs_child *out,
		      const struct pseudofs_type *type)
{
	struct lproc *p = proc_of(&dir->key);
	uint64_t fd;

	if (!p || !p->fds || !parse_num(name, len, FD_MAX, &fd) ||
	    !p->fds->files[fd]) {
		return -LINUX_ENOENT;
	}
	out->type = type;
	out->key = dir->key;
	out->key.idx = (uint32_t)fd;
	memcpy(out->name, name, len);
	out->name[len] = '\0';
	return 0;
}

static bool fd_dir_next(struct pseudofs_node *dir, uint64_t *cursor,
			struct pseudofs_child *out)
{
	return fds_next(dir, cursor, out, &fd_link_type);
}

static int fd_dir_lookup(struct pseudofs_node *dir, const char *name,
			 size_t len, struct pseudofs_child *out)
{
	return fds_lookup(dir, name, len, out, &fd_link_type);
}

static bool fdinfo_dir_next(struct pseudofs_node *dir, uint64_t *cursor,
			    struct pseudofs_child *out)
{
	return fds_next(dir, cursor, out, &fdinfo_type);
}

static int fdinfo_dir_lookup(struct pseudofs_node *dir, const char *name,
			     size_t len, struct pseudofs_child *out)
{
	return fds_lookup(dir, name, len, out, &fdinfo_type);
}

/* ---- the per-process and per-thread directories ---- */

static const struct pseudofs_type stat_type = {
	.id = 21, .mode = LINUX_S_IFREG | 0444,
	.revalidate = pid_revalidate, .show = show_stat,
};
static const struct pseudofs_type statm_type = {
	.id = 22, .mode = LINUX_S_IFREG | 0444,
	.revalidate = pid_revalidate, .show = show_statm,
};
static const struct pseudofs_type status_type = {
	.id = 23, .mode = LINUX_S_IFREG | 0444,
	.revalidate = pid_revalidate, .show = show_status,
};
static const struct pseudofs_type cmdline_type = {
	.id = 24, .mode = LINUX_S_IFREG | 0444,
	.revalidate = pid_revalidate, .show = show_cmdline,
};
static const struct pseudofs_type environ_type = {
	.id = 25, .mode = LINUX_S_IFREG | 0400,
	.revalidate = pid_revalidate, .show = show_environ,
};
static const struct pseudofs_type maps_type = {
	.id = 26, .mode = LINUX_S_IFREG | 0444,
	.revalidate = pid_revalidate, .show = show_maps,
};
static const struct pseudofs_type fd_dir_type = {
	.id = 27, .mode = LINUX_S_IFDIR | 0500,
	.revalidate = pid_revalidate, .dyn_next = fd_dir_next,
	.dyn_lookup = fd_dir_lookup,
};
static const struct pseudofs_type fdinfo_dir_type = {
	.id = 28, .mode = LINUX_S_IFDIR | 0555,
	.revalidate = pid_revalidate, .dyn_next = fdinfo_dir_next,
	.dyn_lookup = fdinfo_dir_lookup,
};
static const struct pseudofs_type exe_type = {
	.id = 29, .mode = LINUX_S_IFLNK | 0777,
	.revalidate = pid_revalidate, .link = link_place,
	.get_link = get_place,
};
static const struct pseudofs_type cwd_type = {
	.id = 30, .mode = LINUX_S_IFLNK | 0777,
	.revalidate = pid_revalidate, .link = link_place,
	.get_link = get_place,
};
static const struct pseudofs_type root_link_type = {
	.id = 31, .mode = LINUX_S_IFLNK | 0777,
	.revalidate = pid_revalidate, .link = link_place,
	.get_link = get_place,
};
static const struct pseudofs_type comm_type = {
	.id = 32, .mode = LINUX_S_IFREG | 0644,
	.revalidate = pid_revalidate, .show = show_comm, .store = store_comm,
};
static const struct pseudofs_type mounts_type = {
	.id = 34, .mode = LINUX_S_IFREG | 0444,
	.revalidate = pid_revalidate, .show = show_mounts,
};
static const struct pseudofs_type mountinfo_type = {
	.id = 35, .mode = LINUX_S_IFREG | 0444,
	.revalidate = pid_revalidate, .show = show_mountinfo,
};
static const struct pseudofs_type trace_type = {
	.id = 36, .mode = LINUX_S_IFREG | 0644,
	.revalidate = pid_revalidate, .show = show_trace,
	.store = store_trace,
};

/* task/<tid>/: as the process's directory, without task/. */
static const struct pseudofs_entry task_entries[] = {
	{ "cmdline", &cmdline_type },
	{ "comm", &comm_type },
	{ "cwd", &cwd_type },
	{ "environ", &environ_type },
	{ "exe", &exe_type },
	{ "fd", &fd_dir_type },
	{ "fdinfo", &fdinfo_dir_type },
	{ "maps", &maps_type },
	{ "mountinfo", &mountinfo_type },
	{ "mounts", &mounts_type },
	{ "root", &root_link_type },
	{ "stat", &stat_type },
	{ "statm", &statm_type },
	{ "status", &status_type },
	{ NULL, NULL },
};
static const struct pseudofs_type task_dir_type = {
	.id = 40, .mode = LINUX_S_IFDIR | 0555,
	.revalidate = pid_revalidate, .entries = task_entries,
};

static void thread_child(struct lproc *p, struct lthread *t,
			 struct pseudofs_child *out)
{
	out->type = &task_dir_type;
	out->key = key_of(p, t->tid);
	fmt_snprintf(out->name, sizeof(out->name), "%d", t->tid);
}

/* Threads by tid. */
static bool tasks_next(struct pseudofs_node *dir, uint64_t *cursor,
		       struct pseudofs_child *out)
{
	struct lproc *p = proc_of(&dir->key);
	struct lthread *best = NULL;
	struct list_node *pos;

	if (!p) {
		return false;
	}
	list_for_each(pos, &p->threads) {
		struct lthread *t = container_of(pos, struct lthread, link);

		if (!t->dead && (uint64_t)t->tid >= *cursor &&
		    (!best || t->tid < best->tid)) {
			best = t;
		}
	}
	if (!best) {
		return false;
	}
	*cursor = (uint64_t)best->tid;
	thread_child(p, best, out);
	return true;
}

static int tasks_lookup(struct pseudofs_node *dir, const char *name,
			size_t len, struct pseudofs_child *out)
{
	struct lproc *p = proc_of(&dir->key);
	struct lthread *t;
	uint64_t tid;

	if (!p || !parse_num(name, len, INT32_MAX, &tid)) {
		return -LINUX_ENOENT;
	}
	t = thread_of(p, (int)tid);
	if (!t || t->tid != (int)tid) {
		return -LINUX_ENOENT;
	}
	thread_child(p, t, out);
	return 0;
}

static const struct pseudofs_type tasks_type = {
	.id = 33, .mode = LINUX_S_IFDIR | 0555,
	.revalidate = pid_revalidate, .dyn_next = tasks_next,
	.dyn_lookup = tasks_lookup,
};

static const struct pseudofs_entry pid_entries[] = {
	{ "cmdline", &cmdline_type },
	{ "comm", &comm_type },
	{ "cwd", &cwd_type },
	{ "environ", &environ_type },
	{ "exe", &exe_type },
	{ "fd", &fd_dir_type },
	{ "fdinfo", &fdinfo_dir_type },
	{ "keel_trace", &trace_type },
	{ "maps", &maps_type },
	{ "mountinfo", &mountinfo_type },
	{ "mounts", &mounts_type },
	{ "root", &root_link_type },
	{ "stat", &stat_type },
	{ "statm", &statm_type },
	{ "status", &status_type },
	{ "task", &tasks_type },
	{ NULL, NULL },
};
static const struct pseudofs_type pid_dir_type = {
	.id = 20, .mode = LINUX_S_IFDIR | 0555,
	.revalidate = pid_revalidate, .entries = pid_entries,
};

/* Processes by pid (zombies too, until reaped). */
static bool pids_next(struct pseudofs_node *dir, uint64_t *cursor,
		      struct pseudofs_child *out)
{
	struct lproc *best = NULL;
	struct list_node *pos;

	list_for_each(pos, proc_all()) {
		struct lproc *p = container_of(pos, struct lproc, all_link);

		if (p->pid > 0 && (uint64_t)p->pid >= *cursor &&
		    (!best || p->pid < best->pid)) {
			best = p;
		}
	}
	if (!best) {
		return false;
	}
	*cursor = (uint64_t)best->pid;
	out->type = &pid_dir_type;
	out->key = key_of(best, 0);
	fmt_snprintf(out->name, sizeof(out->name), "%d", best->pid);
	return true;
}

/* A pid, or (unlisted, as on Linux) a thread id: that thread's view. */
static int pids_lookup(struct pseudofs_node *dir, const char *name,
		       size_t len, struct pseudofs_child *out)
{
	struct list_node *pos;
	uint64_t id;

	if (!parse_num(name, len, INT32_MAX, &id) || id == 0) {
		return -LINUX_ENOENT;
	}
	list_for_each(pos, proc_all()) {
		struct lproc *p = container_of(pos, struct lproc, all_link);
		struct lthread *t = p->pid == (int)id ? NULL
						      : thread_of(p, (int)id);

		if (p->pid != (int)id && (!t || t->tid != (int)id)) {
			continue;
		}
		out->type = &pid_dir_type;
		out->key = key_of(p, t ? t->tid : 0);
		memcpy(out->name, name, len);
		out->name[len] = '\0';
		return 0;
	}
	return -LINUX_ENOENT;
}

/* ---- the top level ---- */

static int link_self(struct pseudofs_node *n, struct textbuf *b)
{
	struct lthread *t = proc_current();

	if (!t) {
		return -LINUX_ENOENT;
	}
	textbuf_printf(b, "%d", t->proc->pid);
	return 0;
}

static int link_thread_self(struct pseudofs_node *n, struct textbuf *b)
{
	struct lthread *t = proc_current();

	if (!t) {
		return -LINUX_ENOENT;
	}
	textbuf_printf(b, "%d/task/%d", t->proc->pid, t->tid);
	return 0;
}

static int link_mounts(struct pseudofs_node *n, struct textbuf *b)
{
	textbuf_puts(b, "self/mounts");
	return 0;
}

/* Bytes of file data held by every tmpfs instance mounted (each
 * counted once). */
static uint64_t tmpfs_bytes(void)
{
	const struct vfs_sb *seen[32];
	struct vfs_mount *m = NULL;
	unsigned nseen = 0;
	uint64_t total = 0;

	while ((m = vfs_mount_next(m))) {
		struct linux_statfs sfs = { 0 };
		bool dup = false;

		for (unsigned i = 0; i < nseen; i++) {
			dup = dup || seen[i] == m->sb;
		}
		if (dup || !m->sb->ops->statfs ||
		    m->sb->ops->statfs(m->sb, &sfs) < 0 ||
		    sfs.f_type != LINUX_TMPFS_MAGIC) {
			continue;
		}
		if (nseen < sizeof(seen) / sizeof(seen[0])) {
			seen[nseen++] = m->sb;
		}
		total += tmpfs_used_bytes(m->sb);
	}
	return total;
}

/* The figures are estimates until the kernel reports its memory: the
 * total is what the server was told, the used part the processes'
 * estimated resident sizes and tmpfs's data. */
static int show_meminfo(struct pseudofs_node *n, struct textbuf *b)
{
	struct procfs_meminfo mi = { .total = ram_bytes };
	struct list_node *pos;
	uint64_t used;

	mi.shmem = mi.cached = tmpfs_bytes();
	used = mi.shmem;
	list_for_each(pos, proc_all()) {
		struct lproc *p = container_of(pos, struct lproc, all_link);
		struct procfs_mem mem;

		if (!p->zombie) {
			procfs_mem_of(&p->vmas, NULL, &mem);
			used += mem.rss;
		}
	}
	mi.free = used < mi.total ? mi.total - used : 0;
	mi.available = mi.free + mi.cached < mi.total ? mi.free + mi.cached
						      : mi.total;
	procfs_fmt_meminfo(b, &mi);
	return 0;
}

static int show_cpuinfo(struct pseudofs_node *n, struct textbuf *b)
{
	struct procfs_cpuid c;

	cpuinfo_read(&c);
	procfs_fmt_cpuinfo(b, &c);
	return 0;
}

static int show_uptime(struct pseudofs_node *n, struct textbuf *b)
{
	uint64_t up = ltime_monotonic_ns();

	procfs_fmt_uptime(b, up, up * cpuinfo_cpus());
	return 0;
}

static void gather_sys(struct procfs_sys *s)
{
	uint64_t now = ltime_monotonic_ns();
	struct list_node *pos;

	memset(s, 0, sizeof(*s));
	s->uptime_ns = now;
	s->boot_time = (ltime_realtime_ns() - now) / LTIME_NS_PER_S;
	s->cpus = cpuinfo_cpus();
	list_for_each(pos, proc_all()) {
		struct lproc *p = container_of(pos, struct lproc, all_link);
		struct list_node *tp;

		/* The list is in creation order: the last is the newest. */
		s->last_pid = p->pid;
		list_for_each(tp, &p->threads) {
			struct lthread *t =
				container_of(tp, struct lthread, link);

			if (t->dead) {
				continue;
			}
			s->threads++;
			s->running += state_of(p, t) == 'R';
		}
	}
}

static int show_stat_sys(struct pseudofs_node *n, struct textbuf *b)
{
	struct procfs_sys s;

	gather_sys(&s);
	procfs_fmt_stat_sys(b, &s);
	return 0;
}

static int show_loadavg(struct pseudofs_node *n, struct textbuf *b)
{
	struct procfs_sys s;

	gather_sys(&s);
	procfs_fmt_loadavg(b, &s);
	return 0;
}

static int show_version(struct pseudofs_node *n, struct textbuf *b)
{
	textbuf_puts(b, "Linux version " PROCFS_RELEASE
			" (keel@keel) (the Keel posix server) " PROCFS_VERSION
			"\n");
	return 0;
}

static int show_filesystems(struct pseudofs_node *n, struct textbuf *b)
{
	for (struct vfs_fstype *t = vfs_fstype_first(); t; t = t->next) {
		textbuf_printf(b, "%s\t%s\n", t->nodev ? "nodev" : "", t->name);
	}
	return 0;
}

static int show_cmdline_sys(struct pseudofs_node *n, struct textbuf *b)
{
	textbuf_printf(b, "%s\n", kernel_cmdline);
	return 0;
}

static int show_hostname(struct pseudofs_node *n, struct textbuf *b)
{
	textbuf_puts(b, PROCFS_HOSTNAME "\n");
	return 0;
}

static int show_ostype(struct pseudofs_node *n, struct textbuf *b)
{
	textbuf_puts(b, "Linux\n");
	return 0;
}

static int show_osrelease(struct pseudofs_node *n, struct textbuf *b)
{
	textbuf_puts(b, PROCFS_RELEASE "\n");
	return 0;
}

static int show_pid_max(struct pseudofs_node *n, struct textbuf *b)
{
	textbuf_printf(b, "%d\n", PROCFS_PID_MAX);
	return 0;
}

#define GLOBAL_FILE(name, num, fn)                                           \
	static const struct pseudofs_type name = {                          \
		.id = (num), .mode = LINUX_S_IFREG | 0444, .show = (fn),     \
	}

GLOBAL_FILE(meminfo_type, 4, show_meminfo);
GLOBAL_FILE(cpuinfo_type, 5, show_cpuinfo);
GLOBAL_FILE(uptime_type, 6, show_uptime);
GLOBAL_FILE(loadavg_type, 7, show_loadavg);
GLOBAL_FILE(stat_sys_type, 8, show_stat_sys);
GLOBAL_FILE(version_type, 9, show_version);
GLOBAL_FILE(filesystems_type, 11, show_filesystems);
GLOBAL_FILE(cmdline_sys_type, 12, show_cmdline_sys);
GLOBAL_FILE(hostname_type, 15, show_hostname);
GLOBAL_FILE(ostype_type, 16, show_ostype);
GLOBAL_FILE(osrelease_type, 17, show_osrelease);
GLOBAL_FILE(pid_max_type, 18, show_pid_max);

static const struct pseudofs_type self_type = {
	.id = 2, .mode = LINUX_S_IFLNK | 0777, .link = link_self,
};
static const struct pseudofs_type thread_self_type = {
	.id = 3, .mode = LINUX_S_IFLNK | 0777, .link = link_thread_self,
};
static const struct pseudofs_type mounts_link_type = {
	.id = 10, .mode = LINUX_S_IFLNK | 0777, .link = link_mounts,
};

static const struct pseudofs_entry sys_kernel_entries[] = {
	{ "hostname", &hostname_type },
	{ "osrelease", &osrelease_type },
	{ "ostype", &ostype_type },
	{ "pid_max", &pid_max_type },
	{ NULL, NULL },
};
static const struct pseudofs_type sys_kernel_type = {
	.id = 14, .mode = LINUX_S_IFDIR | 0555, .entries = sys_kernel_entries,
};
static const struct pseudofs_entry sys_entries[] = {
	{ "kernel", &sys_kernel_type },
	{ NULL, NULL },
};
static const struct pseudofs_type sys_type = {
	.id = 13, .mode = LINUX_S_IFDIR | 0555, .entries = sys_entries,
};

static const struct pseudofs_entry root_entries[] = {
	{ "self", &self_type },
	{ "thread-self", &thread_self_type },
	{ "cmdline", &cmdline_sys_type },
	{ "cpuinfo", &cpuinfo_type },
	{ "filesystems", &filesystems_type },
	{ "loadavg", &loadavg_type },
	{ "meminfo", &meminfo_type },
	{ "mounts", &mounts_link_type },
	{ "stat", &stat_sys_type },
	{ "sys", &sys_type },
	{ "uptime", &uptime_type },
	{ "version", &version_type },
	{ NULL, NULL },
};
static const struct pseudofs_type root_type = {
	.id = 1, .mode = LINUX_S_IFDIR | 0555, .entries = root_entries,
	.dyn_next = pids_next, .dyn_lookup = pids_lookup,
};

static int procfs_mount(const char *source, unsigned long flags,
			const char *data, struct vfs_sb **out)
{
	return pseudofs_create(&root_type, LINUX_PROC_SUPER_MAGIC,
			       PSEUDOFS_WRITE_OPEN_OK, out);
}

static struct vfs_fstype procfs_type = {
	.name = "proc",
	.nodev = true,
	.mount = procfs_mount,
};

int procfs_register(uint64_t ram)
{
	ram_bytes = ram;
	return vfs_fstype_register(&procfs_type);
}

void procfs_set_cmdline(const char *cmdline)
{
	size_t n = strnlen(cmdline, CMDLINE_MAX - 1);

	memcpy(kernel_cmdline, cmdline, n);
	kernel_cmdline[n] = '\0';
}
