/*
 * A vfs to test against: a fake clock, a tmpfs root mounted as a tree of
 * its own, and the calling contexts of root and of two ordinary users
 * (uid 1000 in groups 1000 and 100, uid 1001 in group 1001). Helpers wrap
 * the vfs calls the tests make over and over. fx_fini() takes everything
 * down, so LeakSanitizer at exit sees any reference the vfs forgot.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../servers/posix/file.h"
#include "../../servers/posix/tmpfs.h"
#include "../../servers/posix/vfs.h"
#include <linux_abi/errno.h>
#ifdef FX_REMOTEFS
#include "fs_loopback.h"
#endif

static struct vfs_timespec fake_now = { 1000000, 500 };

static inline void fake_clock(struct vfs_timespec *out)
{
	*out = fake_now;
}

static inline void tick(void)
{
	fake_now.sec++;
	fake_now.nsec += 7;
}

static const uint32_t user_groups[] = { 100 };

struct fx {
	/* The tmpfs instance the tests look into (tmpfs_used_*). Built
	 * with FX_REMOTEFS, the root is remotefs over the protocol
	 * (fs_loopback.h) serving that tmpfs, not the tmpfs itself. */
	struct vfs_sb *sb;
	struct vfs_path root, cwd;
	struct vfs_ctx ctx;	/* root */
	struct vfs_ctx user;	/* uid 1000 */
	struct vfs_ctx other;	/* uid 1001 */
	struct vfs_hooks hooks;
};

static inline void fx_init_opts(struct fx *f,
				const struct tmpfs_opts *opts)
{
	memset(f, 0, sizeof(*f));
	f->hooks.now = fake_clock;
	vfs_set_hooks(&f->hooks);
#ifdef FX_REMOTEFS
	{
		struct vfs_sb *rsb;
		struct loopback *lb;

		if (tmpfs_create(opts, &f->sb) < 0) {
			abort();
		}
		lb = lb_create(f->sb);	/* f->sb stays valid: lb holds it */
		if (remotefs_mount(&lb->t, 0, &rsb) < 0 ||
		    vfs_mount_root(rsb, "rootfs", "remotefs", &f->root) < 0) {
			abort();
		}
		lb_client_sb = rsb;
	}
#else
	if (tmpfs_create(opts, &f->sb) < 0 ||
	    vfs_mount_root(f->sb, "rootfs", "tmpfs", &f->root) < 0) {
		abort();
	}
#endif
	vfs_path_copy(&f->cwd, &f->root);
	f->ctx.root = &f->root;
	f->ctx.cwd = &f->cwd;
	f->ctx.umask = 022;
	f->user = f->ctx;
	f->user.cred.uid = f->user.cred.ruid = 1000;
	f->user.cred.gid = f->user.cred.rgid = 1000;
	f->user.cred.groups = user_groups;
	f->user.cred.ngroups = 1;
	f->other = f->ctx;
	f->other.cred.uid = f->other.cred.ruid = 1001;
	f->other.cred.gid = f->other.cred.rgid = 1001;
}

static inline void fx_init(struct fx *f)
{
	struct tmpfs_opts opts = { .mode = 0755 };

	fx_init_opts(f, &opts);
}

static inline void fx_fini(struct fx *f)
{
	struct vfs_mount *top = f->root.mnt;

	vfs_path_put(&f->cwd);
	vfs_mount_tree_detach(top);
	vfs_path_put(&f->root);
}

/* Changes the fixture's cwd (for every context). */
static inline int fx_chdir(struct fx *f, const char *path)
{
	struct vfs_path p;
	int err = vfs_lookup_dir(&f->ctx, NULL, path, &p);

	if (err == 0) {
		vfs_path_put(&f->cwd);
		f->cwd = p;
	}
	return err;
}

static inline int mkd(const struct vfs_ctx *c, const char *path,
		      uint32_t mode)
{
	return vfs_mkdirat(c, NULL, path, mode);
}

/* Creates (or truncates) @path with @data; 0 or the error. */
static inline int put(const struct vfs_ctx *c, const char *path,
		      const char *data)
{
	struct file *f;
	int err = vfs_open(c, NULL, path,
			   LINUX_O_WRONLY | LINUX_O_CREAT | LINUX_O_TRUNC,
			   0644, &f);
	int64_t n;

	if (err < 0) {
		return err;
	}
	n = f->ops->write(f, data, strlen(data), &f->pos);
	file_put(f);
	return n < 0 ? (int)n : 0;
}

/* Reads all of @path (up to @cap - 1 bytes) as a string; the length or
 * the error. */
static inline int64_t get(const struct vfs_ctx *c, const char *path,
			  char *buf, size_t cap)
{
	struct file *f;
	int err = vfs_open(c, NULL, path, LINUX_O_RDONLY, 0, &f);
	int64_t n;

	if (err < 0) {
		return err;
	}
	n = f->ops->read(f, buf, cap - 1, &f->pos);
	file_put(f);
	buf[n < 0 ? 0 : n] = '\0';
	return n;
}

static inline int st(const struct vfs_ctx *c, const char *path,
		     struct linux_stat *s)
{
	return vfs_stat(c, NULL, path, 0, s);
}

static inline int lst(const struct vfs_ctx *c, const char *path,
		      struct linux_stat *s)
{
	return vfs_stat(c, NULL, path, LINUX_AT_SYMLINK_NOFOLLOW, s);
}

static inline uint64_t ino_of(const struct vfs_ctx *c, const char *path)
{
	struct linux_stat s;

	return st(c, path, &s) == 0 ? s.st_ino : 0;
}

static inline int err_of_stat(const struct vfs_ctx *c, const char *path)
{
	struct linux_stat s;

	return st(c, path, &s);
}

static inline int op(const struct vfs_ctx *c, const char *path,
		     unsigned flags, uint32_t mode)
{
	struct file *f;
	int err = vfs_open(c, NULL, path, flags, mode, &f);

	if (err == 0) {
		file_put(f);
	}
	return err;
}
