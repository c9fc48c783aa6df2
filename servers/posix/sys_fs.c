/*
 * File-system calls: the *at() family and their older forms, stat and
 * statx, getdents64, directories (chdir, getcwd, chroot), links, modes,
 * owners, times, truncation, mount and sync. Each builds a vfs_ctx from
 * the calling process and hands the work to the VFS (vfs.h).
 */
#include <base/string.h>
#include <linux_abi/errno.h>
#include <linux_abi/fcntl.h>
#include <linux_abi/stat.h>
#include <linux_abi/statfs.h>
#include <rt/malloc.h>
#include <rt/rt.h>

#include "fd.h"
#include "file.h"
#include "pipe.h"
#include "proc.h"
#include "sys.h"
#include "umem.h"
#include "vfs.h"

#define GETDENTS_MAX (64u * 1024)

/* The calling process's view for the VFS. */
static void ctx_of(struct lthread *t, struct vfs_ctx *ctx)
{
	struct lproc *p = t->proc;

	ctx->root = &p->root;
	ctx->cwd = &p->cwd;
	ctx->cred.uid = p->euid;
	ctx->cred.gid = p->egid;
	ctx->cred.ruid = p->uid;
	ctx->cred.rgid = p->gid;
	ctx->cred.groups = NULL;
	ctx->cred.ngroups = 0;
	ctx->umask = p->umask;
	ctx->proc = p;
}

/* The directory an *at() call starts from: NULL for AT_FDCWD, else the
 * location of @dirfd (whose file reference goes to *@hold). */
static int dir_of(struct lthread *t, uint64_t dirfd, struct vfs_path *path,
		  const struct vfs_path **out, struct file **hold)
{
	struct file *f;

	*hold = NULL;
	if ((int32_t)dirfd == LINUX_AT_FDCWD) {
		*out = NULL;
		return 0;
	}
	f = (int32_t)dirfd < 0 ? NULL : fd_get(t->proc->fds, (int)dirfd);
	if (!f) {
		return -LINUX_EBADF;
	}
	if (!vfs_file_path(f, path)) {
		file_put(f);
		return -LINUX_ENOTDIR;
	}
	*hold = f;
	*out = path;
	return 0;
}

/* A path argument, copied into a new buffer (free it). */
static int path_arg(struct lthread *t, uint64_t upath, char **out)
{
	char *buf = malloc(LINUX_PATH_MAX);
	int err;

	if (!buf) {
		return -LINUX_ENOMEM;
	}
	err = umem_read_str(t->proc, upath, buf, LINUX_PATH_MAX);
	if (err) {
		free(buf);
		return err;
	}
	*out = buf;
	return 0;
}

/* The common frame of a one-path *at() call: resolves dirfd and copies
 * the path, then calls @fn. */
struct at_call {
	struct vfs_ctx ctx;
	struct vfs_path dirpath;
	const struct vfs_path *dir;
	struct file *hold;
	char *path;
};

static int at_begin(struct lthread *t, uint64_t dirfd, uint64_t upath,
		    struct at_call *c)
{
	int err;

	ctx_of(t, &c->ctx);
	c->path = NULL;
	err = dir_of(t, dirfd, &c->dirpath, &c->dir, &c->hold);
	if (err) {
		return err;
	}
	err = path_arg(t, upath, &c->path);
	if (err && c->hold) {
		file_put(c->hold);
	}
	return err;
}

static void at_end(struct at_call *c)
{
	free(c->path);
	if (c->hold) {
		file_put(c->hold);
	}
}

static int64_t do_openat(struct lthread *t, uint64_t dirfd, uint64_t upath,
			 uint64_t flags, uint64_t mode)
{
	struct at_call c;
	struct file *f;
	int err = at_begin(t, dirfd, upath, &c);

	if (err) {
		return err;
	}
	err = vfs_open(&c.ctx, c.dir, c.path, (unsigned)flags & ~LINUX_O_CLOEXEC,
		       (uint32_t)mode & 07777, &f);
	at_end(&c);
	if (err) {
		return err;
	}
	err = fd_install(t->proc->fds, f, 0, flags & LINUX_O_CLOEXEC);
	file_put(f);
	return err;
}

int64_t sys_open(struct lthread *t, const uint64_t *a)
{
	return do_openat(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], a[1], a[2]);
}

int64_t sys_openat(struct lthread *t, const uint64_t *a)
{
	return do_openat(t, a[0], a[1], a[2], a[3]);
}

int64_t sys_creat(struct lthread *t, const uint64_t *a)
{
	return do_openat(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0],
			 LINUX_O_CREAT | LINUX_O_WRONLY | LINUX_O_TRUNC, a[1]);
}

static int64_t do_stat(struct lthread *t, uint64_t dirfd, uint64_t upath,
		       uint64_t ustat, int flags)
{
	struct linux_stat st;
	struct at_call c;
	int err = at_begin(t, dirfd, upath, &c);

	if (err) {
		return err;
	}
	err = vfs_stat(&c.ctx, c.dir, c.path, flags, &st);
	at_end(&c);
	if (err) {
		return err;
	}
	return umem_write(t->proc, ustat, &st, sizeof(st));
}

int64_t sys_stat(struct lthread *t, const uint64_t *a)
{
	return do_stat(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], a[1], 0);
}

int64_t sys_lstat(struct lthread *t, const uint64_t *a)
{
	return do_stat(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], a[1],
		       LINUX_AT_SYMLINK_NOFOLLOW);
}

int64_t sys_newfstatat(struct lthread *t, const uint64_t *a)
{
	return do_stat(t, a[0], a[1], a[2], (int)a[3]);
}

/* fstat of anything with an fd: files the VFS opened report their inode;
 * pipes, ttys and the like report a made-up character device or fifo. */
static void stat_of_file(struct file *f, struct linux_stat *st)
{
	struct vfs_path p;

	if (vfs_file_path(f, &p)) {
		vfs_getattr(&p, st);
		return;
	}
	memset(st, 0, sizeof(*st));
	st->st_mode = (f->stat_mode ? f->stat_mode : LINUX_S_IFIFO) | 0600;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	/* Both ends of a pipe are one inode, as on Linux (procfs's
	 * "pipe:[N]" uses the same number). */
	st->st_ino = (uint64_t)(uintptr_t)(pipe_of(f) ? pipe_of(f) : f) >> 4;
}

int64_t sys_fstat(struct lthread *t, const uint64_t *a)
{
	struct file *f = fd_get(t->proc->fds, (int)a[0]);
	struct linux_stat st;

	if ((int64_t)a[0] < 0 || !f) {
		if (f) {
			file_put(f);
		}
		return -LINUX_EBADF;
	}
	stat_of_file(f, &st);
	file_put(f);
	return umem_write(t->proc, a[1], &st, sizeof(st));
}

int64_t sys_statx(struct lthread *t, const uint64_t *a)
{
	struct linux_statx stx;
	struct at_call c;
	int err = at_begin(t, a[0], a[1], &c);

	if (err) {
		return err;
	}
	err = vfs_statx(&c.ctx, c.dir, c.path, (int)a[2], (unsigned)a[3], &stx);
	at_end(&c);
	if (err) {
		return err;
	}
	return umem_write(t->proc, a[4], &stx, sizeof(stx));
}

int64_t sys_statfs(struct lthread *t, const uint64_t *a)
{
	struct linux_statfs sf;
	struct at_call c;
	int err = at_begin(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], &c);

	if (err) {
		return err;
	}
	err = vfs_statfs(&c.ctx, c.dir, c.path, &sf);
	at_end(&c);
	return err ? err : umem_write(t->proc, a[1], &sf, sizeof(sf));
}

int64_t sys_fstatfs(struct lthread *t, const uint64_t *a)
{
	struct file *f = fd_get(t->proc->fds, (int)a[0]);
	struct linux_statfs sf;
	struct vfs_path p;
	int err;

	if (!f) {
		return -LINUX_EBADF;
	}
	err = vfs_file_path(f, &p) ? vfs_statfs_path(&p, &sf) : -LINUX_ENOSYS;
	file_put(f);
	return err ? err : umem_write(t->proc, a[1], &sf, sizeof(sf));
}

int64_t sys_getdents64(struct lthread *t, const uint64_t *a)
{
	struct file *f = fd_get(t->proc->fds, (int)a[0]);
	size_t cap = a[2] < GETDENTS_MAX ? a[2] : GETDENTS_MAX;
	uint8_t *buf;
	int64_t r;

	if (!f) {
		return -LINUX_EBADF;
	}
	if (!f->ops->getdents) {
		file_put(f);
		return -LINUX_ENOTDIR;
	}
	buf = malloc(cap ? cap : 1);
	if (!buf) {
		file_put(f);
		return -LINUX_ENOMEM;
	}
	r = f->ops->getdents(f, buf, cap, &f->pos);
	if (r > 0 && umem_write(t->proc, a[1], buf, (size_t)r)) {
		r = -LINUX_EFAULT;
	}
	free(buf);
	file_put(f);
	return r;
}

static int64_t do_mkdirat(struct lthread *t, uint64_t dirfd, uint64_t upath,
			  uint64_t mode)
{
	struct at_call c;
	int err = at_begin(t, dirfd, upath, &c);

	if (!err) {
		err = vfs_mkdirat(&c.ctx, c.dir, c.path, (uint32_t)mode);
		at_end(&c);
	}
	return err;
}

int64_t sys_mkdir(struct lthread *t, const uint64_t *a)
{
	return do_mkdirat(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], a[1]);
}

int64_t sys_mkdirat(struct lthread *t, const uint64_t *a)
{
	return do_mkdirat(t, a[0], a[1], a[2]);
}

static int64_t do_mknodat(struct lthread *t, uint64_t dirfd, uint64_t upath,
			  uint64_t mode, uint64_t dev)
{
	struct at_call c;
	int err = at_begin(t, dirfd, upath, &c);

	if (!err) {
		err = vfs_mknodat(&c.ctx, c.dir, c.path, (uint32_t)mode, dev);
		at_end(&c);
	}
	return err;
}

int64_t sys_mknod(struct lthread *t, const uint64_t *a)
{
	return do_mknodat(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], a[1],
			  a[2]);
}

int64_t sys_mknodat(struct lthread *t, const uint64_t *a)
{
	return do_mknodat(t, a[0], a[1], a[2], a[3]);
}

static int64_t do_unlinkat(struct lthread *t, uint64_t dirfd, uint64_t upath,
			   int flags)
{
	struct at_call c;
	int err = at_begin(t, dirfd, upath, &c);

	if (!err) {
		err = vfs_unlinkat(&c.ctx, c.dir, c.path, flags);
		at_end(&c);
	}
	return err;
}

int64_t sys_unlink(struct lthread *t, const uint64_t *a)
{
	return do_unlinkat(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], 0);
}

int64_t sys_rmdir(struct lthread *t, const uint64_t *a)
{
	return do_unlinkat(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0],
			   LINUX_AT_REMOVEDIR);
}

int64_t sys_unlinkat(struct lthread *t, const uint64_t *a)
{
	return do_unlinkat(t, a[0], a[1], (int)a[2]);
}

/* Two-path calls (rename, link). */
static int64_t do_two(struct lthread *t, uint64_t odirfd, uint64_t opath,
		      uint64_t ndirfd, uint64_t npath, unsigned flags,
		      bool link)
{
	struct at_call o, n;
	int err = at_begin(t, odirfd, opath, &o);

	if (err) {
		return err;
	}
	err = at_begin(t, ndirfd, npath, &n);
	if (err) {
		at_end(&o);
		return err;
	}
	err = link ? vfs_linkat(&o.ctx, o.dir, o.path, n.dir, n.path,
				(int)flags)
		   : vfs_renameat2(&o.ctx, o.dir, o.path, n.dir, n.path,
				   flags);
	at_end(&n);
	at_end(&o);
	return err;
}

int64_t sys_rename(struct lthread *t, const uint64_t *a)
{
	return do_two(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0],
		      (uint64_t)(int64_t)LINUX_AT_FDCWD, a[1], 0, false);
}

int64_t sys_renameat(struct lthread *t, const uint64_t *a)
{
	return do_two(t, a[0], a[1], a[2], a[3], 0, false);
}

int64_t sys_renameat2(struct lthread *t, const uint64_t *a)
{
	return do_two(t, a[0], a[1], a[2], a[3], (unsigned)a[4], false);
}

int64_t sys_link(struct lthread *t, const uint64_t *a)
{
	return do_two(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0],
		      (uint64_t)(int64_t)LINUX_AT_FDCWD, a[1], 0, true);
}

int64_t sys_linkat(struct lthread *t, const uint64_t *a)
{
	return do_two(t, a[0], a[1], a[2], a[3], (unsigned)a[4], true);
}

static int64_t do_symlinkat(struct lthread *t, uint64_t utarget,
			    uint64_t dirfd, uint64_t upath)
{
	struct at_call c;
	char *target;
	int err = path_arg(t, utarget, &target);

	if (err) {
		return err;
	}
	err = at_begin(t, dirfd, upath, &c);
	if (!err) {
		err = vfs_symlinkat(&c.ctx, target, c.dir, c.path);
		at_end(&c);
	}
	free(target);
	return err;
}

int64_t sys_symlink(struct lthread *t, const uint64_t *a)
{
	return do_symlinkat(t, a[0], (uint64_t)(int64_t)LINUX_AT_FDCWD, a[1]);
}

int64_t sys_symlinkat(struct lthread *t, const uint64_t *a)
{
	return do_symlinkat(t, a[0], a[1], a[2]);
}

static int64_t do_readlinkat(struct lthread *t, uint64_t dirfd,
			     uint64_t upath, uint64_t ubuf, uint64_t size)
{
	struct at_call c;
	size_t cap = size < LINUX_PATH_MAX ? size : LINUX_PATH_MAX;
	char *buf;
	int64_t r = at_begin(t, dirfd, upath, &c);

	if (r) {
		return r;
	}
	if ((int64_t)size <= 0) {
		at_end(&c);
		return -LINUX_EINVAL;
	}
	buf = malloc(cap);
	if (!buf) {
		at_end(&c);
		return -LINUX_ENOMEM;
	}
	r = vfs_readlinkat(&c.ctx, c.dir, c.path, buf, cap);
	at_end(&c);
	if (r > 0 && umem_write(t->proc, ubuf, buf, (size_t)r)) {
		r = -LINUX_EFAULT;
	}
	free(buf);
	return r;
}

int64_t sys_readlink(struct lthread *t, const uint64_t *a)
{
	return do_readlinkat(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], a[1],
			     a[2]);
}

int64_t sys_readlinkat(struct lthread *t, const uint64_t *a)
{
	return do_readlinkat(t, a[0], a[1], a[2], a[3]);
}

static int64_t do_chmodat(struct lthread *t, uint64_t dirfd, uint64_t upath,
			  uint64_t mode, int flags)
{
	struct at_call c;
	int err = at_begin(t, dirfd, upath, &c);

	if (!err) {
		err = vfs_fchmodat(&c.ctx, c.dir, c.path, (uint32_t)mode, flags);
		at_end(&c);
	}
	return err;
}

int64_t sys_chmod(struct lthread *t, const uint64_t *a)
{
	return do_chmodat(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], a[1], 0);
}

int64_t sys_fchmodat(struct lthread *t, const uint64_t *a)
{
	return do_chmodat(t, a[0], a[1], a[2], 0);
}

/* The open file @fd's location for the f*() calls. */
static int fd_path(struct lthread *t, uint64_t fd, struct file **f,
		   struct vfs_path *p)
{
	*f = (int64_t)fd < 0 ? NULL : fd_get(t->proc->fds, (int)fd);
	if (!*f) {
		return -LINUX_EBADF;
	}
	if (!vfs_file_path(*f, p)) {
		file_put(*f);
		return -LINUX_EINVAL;
	}
	return 0;
}

int64_t sys_fchmod(struct lthread *t, const uint64_t *a)
{
	struct vfs_ctx ctx;
	struct vfs_path p;
	struct file *f;
	int err = fd_path(t, a[0], &f, &p);

	if (err) {
		return err;
	}
	ctx_of(t, &ctx);
	err = vfs_chmod_path(&ctx, &p, (uint32_t)a[1]);
	file_put(f);
	return err;
}

static int64_t do_chownat(struct lthread *t, uint64_t dirfd, uint64_t upath,
			  uint64_t uid, uint64_t gid, int flags)
{
	struct at_call c;
	int err = at_begin(t, dirfd, upath, &c);

	if (!err) {
		err = vfs_fchownat(&c.ctx, c.dir, c.path, (uint32_t)uid,
				   (uint32_t)gid, flags);
		at_end(&c);
	}
	return err;
}

int64_t sys_chown(struct lthread *t, const uint64_t *a)
{
	return do_chownat(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], a[1],
			  a[2], 0);
}

int64_t sys_lchown(struct lthread *t, const uint64_t *a)
{
	return do_chownat(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], a[1],
			  a[2], LINUX_AT_SYMLINK_NOFOLLOW);
}

int64_t sys_fchownat(struct lthread *t, const uint64_t *a)
{
	return do_chownat(t, a[0], a[1], a[2], a[3], (int)a[4]);
}

int64_t sys_fchown(struct lthread *t, const uint64_t *a)
{
	struct vfs_ctx ctx;
	struct vfs_path p;
	struct file *f;
	int err = fd_path(t, a[0], &f, &p);

	if (err) {
		return err;
	}
	ctx_of(t, &ctx);
	err = vfs_chown_path(&ctx, &p, (uint32_t)a[1], (uint32_t)a[2]);
	file_put(f);
	return err;
}

int64_t sys_utimensat(struct lthread *t, const uint64_t *a)
{
	struct vfs_timespec times[2];
	struct at_call c;
	int err;

	if (a[2] && umem_read(t->proc, a[2], times, sizeof(times))) {
		return -LINUX_EFAULT;
	}
	if (!a[1]) { /* futimens: the fd itself */
		struct vfs_ctx ctx;
		struct vfs_path p;
		struct file *f;

		err = fd_path(t, a[0], &f, &p);
		if (err) {
			return err;
		}
		ctx_of(t, &ctx);
		err = vfs_utimens_path(&ctx, &p, a[2] ? times : NULL);
		file_put(f);
		return err;
	}
	err = at_begin(t, a[0], a[1], &c);
	if (!err) {
		err = vfs_utimensat(&c.ctx, c.dir, c.path, a[2] ? times : NULL,
				    (int)a[3]);
		at_end(&c);
	}
	return err;
}

static int64_t do_accessat(struct lthread *t, uint64_t dirfd, uint64_t upath,
			   uint64_t mode, int flags)
{
	struct at_call c;
	int err = at_begin(t, dirfd, upath, &c);

	if (!err) {
		err = vfs_faccessat(&c.ctx, c.dir, c.path, (int)mode, flags);
		at_end(&c);
	}
	return err;
}

int64_t sys_access(struct lthread *t, const uint64_t *a)
{
	return do_accessat(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], a[1], 0);
}

int64_t sys_faccessat(struct lthread *t, const uint64_t *a)
{
	return do_accessat(t, a[0], a[1], a[2], 0);
}

int64_t sys_faccessat2(struct lthread *t, const uint64_t *a)
{
	return do_accessat(t, a[0], a[1], a[2], (int)a[3]);
}

int64_t sys_truncate(struct lthread *t, const uint64_t *a)
{
	struct at_call c;
	int err = at_begin(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], &c);

	if (!err) {
		err = vfs_truncate(&c.ctx, c.dir, c.path, (int64_t)a[1]);
		at_end(&c);
	}
	return err;
}

int64_t sys_ftruncate(struct lthread *t, const uint64_t *a)
{
	struct file *f = (int64_t)a[0] < 0 ? NULL
					   : fd_get(t->proc->fds, (int)a[0]);
	int err;

	if (!f) {
		return -LINUX_EBADF;
	}
	err = vfs_ftruncate(f, (int64_t)a[1]);
	file_put(f);
	return err;
}

int64_t sys_chdir(struct lthread *t, const uint64_t *a)
{
	struct vfs_path to;
	struct at_call c;
	int err = at_begin(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], &c);

	if (err) {
		return err;
	}
	err = vfs_lookup_dir(&c.ctx, NULL, c.path, &to);
	at_end(&c);
	if (!err) {
		vfs_path_put(&t->proc->cwd);
		t->proc->cwd = to;
	}
	return err;
}

int64_t sys_fchdir(struct lthread *t, const uint64_t *a)
{
	struct vfs_path p;
	struct file *f;
	int err = fd_path(t, a[0], &f, &p);

	if (err) {
		return err == -LINUX_EINVAL ? -LINUX_ENOTDIR : err;
	}
	if (!vfs_file_is_dir(f)) {
		file_put(f);
		return -LINUX_ENOTDIR;
	}
	vfs_path_put(&t->proc->cwd);
	vfs_path_copy(&t->proc->cwd, &p);
	file_put(f);
	return 0;
}

int64_t sys_chroot(struct lthread *t, const uint64_t *a)
{
	struct vfs_path to;
	struct at_call c;
	int err;

	if (t->proc->euid != 0) {
		return -LINUX_EPERM;
	}
	err = at_begin(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], &c);
	if (err) {
		return err;
	}
	err = vfs_lookup_dir(&c.ctx, NULL, c.path, &to);
	at_end(&c);
	if (!err) {
		vfs_path_put(&t->proc->root);
		t->proc->root = to;
	}
	return err;
}

int64_t sys_getcwd(struct lthread *t, const uint64_t *a)
{
	struct vfs_ctx ctx;
	size_t cap = a[1] < LINUX_PATH_MAX ? a[1] : LINUX_PATH_MAX;
	char *buf = malloc(cap ? cap : 1);
	int r;

	if (!buf) {
		return -LINUX_ENOMEM;
	}
	ctx_of(t, &ctx);
	r = vfs_getcwd(&ctx, buf, cap);
	if (r > 0 && umem_write(t->proc, a[0], buf, (size_t)r)) {
		r = -LINUX_EFAULT;
	}
	free(buf);
	return r;
}

int64_t sys_mount(struct lthread *t, const uint64_t *a)
{
	char *source = NULL, *target = NULL, *type = NULL, *data = NULL;
	struct vfs_ctx ctx;
	int err = 0;

	ctx_of(t, &ctx);
	if (a[0]) {
		err = path_arg(t, a[0], &source);
	}
	if (!err) {
		err = path_arg(t, a[1], &target);
	}
	if (!err && a[2]) {
		err = path_arg(t, a[2], &type);
	}
	if (!err && a[4]) {
		err = path_arg(t, a[4], &data);
	}
	if (!err) {
		err = vfs_mount(&ctx, NULL, source ? source : "", target,
				type ? type : "", a[3], data);
	}
	free(source);
	free(target);
	free(type);
	free(data);
	return err;
}

int64_t sys_umount2(struct lthread *t, const uint64_t *a)
{
	struct at_call c;
	int err = at_begin(t, (uint64_t)(int64_t)LINUX_AT_FDCWD, a[0], &c);

	if (!err) {
		err = vfs_umount(&c.ctx, NULL, c.path, (int)a[1]);
		at_end(&c);
	}
	return err;
}

/* Everything lives in memory for now: data is as durable as it gets. */
int64_t sys_sync(struct lthread *t, const uint64_t *a)
{
	(void)t, (void)a;
	return 0;
}

int64_t sys_fsync(struct lthread *t, const uint64_t *a)
{
	struct file *f = (int64_t)a[0] < 0 ? NULL
					   : fd_get(t->proc->fds, (int)a[0]);

	if (!f) {
		return -LINUX_EBADF;
	}
	file_put(f);
	return 0;
}

int64_t sys_fadvise64(struct lthread *t, const uint64_t *a)
{
	struct file *f = (int64_t)a[0] < 0 ? NULL
					   : fd_get(t->proc->fds, (int)a[0]);

	if (!f) {
		return -LINUX_EBADF;
	}
	file_put(f);
	return a[3] > 5 ? -LINUX_EINVAL : 0;
}

int64_t sys_fdatasync(struct lthread *t, const uint64_t *a)
{
	return sys_fsync(t, a);
}

int64_t sys_syncfs(struct lthread *t, const uint64_t *a)
{
	return sys_fsync(t, a);
}
