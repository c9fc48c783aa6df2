/*
 * The vfs side of the file system calls (openat, newfstatat, statx,
 * mkdirat, mknodat, unlinkat, renameat2, linkat, symlinkat, readlinkat,
 * fchmodat, fchownat, utimensat, faccessat, truncate, statfs): argument
 * checks, the walk, permissions and the type rules, in the order Linux
 * makes them so that a call failing for several reasons fails with the
 * same error as on Linux; then one inode op does the change.
 *
 * Calls that create or remove a name walk to the parent directory and
 * look the last component up themselves, without crossing mounts, so
 * that a mountpoint is seen as such (EBUSY) and not as the mount's root.
 */
#ifdef HOST_TEST
#include <stdlib.h>
#else
#include <rt/malloc.h>
#endif

#include <base/string.h>
#include <linux_abi/errno.h>

#include "file.h"
#include "vfs_impl.h"

/* Which mode bits chmod and creation keep. */
#define MODE_PERMS 07777u

/* ---- shared steps ---- */

/* Walks to the directory holding @path's last component (*@last). */
static int walk_to_parent(struct vfs_walk *w, const struct vfs_ctx *ctx,
			  const struct vfs_path *dir, const char *path,
			  struct vfs_last *last)
{
	int err = vfs_walk_start(w, ctx, dir, path, 0);

	if (err < 0) {
		return err;
	}
	err = vfs_walk_parent(w, path, last);
	if (err < 0) {
		vfs_walk_end(w);
	}
	return err;
}

/*
 * Linux's filename_create: walks to the parent of a name to create and
 * checks the name is free. EEXIST (exists, or "."/".."/"/"), ENOENT (a
 * trailing slash on a non-directory to create), EROFS, walk errors.
 */
static int create_start(struct vfs_walk *w, const struct vfs_ctx *ctx,
			const struct vfs_path *dir, const char *path,
			bool want_dir, struct vfs_last *last)
{
	struct inode *child;
	int err;

	err = walk_to_parent(w, ctx, dir, path, last);
	if (err < 0) {
		return err;
	}
	if (last->type != VFS_LAST_NORM) {
		err = -LINUX_EEXIST;
		goto out_end;
	}
	err = vfs_lookup_name(w->cur.inode, last->name, last->len, &child);
	if (err == 0) {
		vfs_inode_put(child);
		err = -LINUX_EEXIST;
		goto out_end;
	}
	if (err != -LINUX_ENOENT) {
		goto out_end;
	}
	if (last->slash && !want_dir) {
		err = -LINUX_ENOENT;
		goto out_end;
	}
	if (vfs_mount_is_rdonly(w->cur.mnt)) {
		err = -LINUX_EROFS;
		goto out_end;
	}
	return 0;
out_end:
	vfs_walk_end(w);
	return err;
}

/* Linux's may_create: the directory is alive and writable. */
static int may_create(const struct vfs_ctx *ctx, struct inode *dir)
{
	if (dir->nlink == 0) {
		return -LINUX_ENOENT;
	}
	return vfs_permission(&ctx->cred, dir, VFS_MAY_WRITE | VFS_MAY_EXEC);
}

/* Whether the caller may remove @victim from @dir (sticky directories:
 * only the file's or the directory's owner, or root). */
static bool sticky_allows(const struct vfs_ctx *ctx, const struct inode *dir,
			  const struct inode *victim)
{
	uint32_t uid = ctx->cred.uid;

	return !(dir->mode & LINUX_S_ISVTX) || uid == 0 ||
	       uid == victim->uid || uid == dir->uid;
}

/* Linux's may_delete for @victim (named in @dir) as a directory or not. */
static int may_delete(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		      struct inode *victim, bool isdir)
{
	int err;

	err = vfs_permission(&ctx->cred, dir->inode,
			     VFS_MAY_WRITE | VFS_MAY_EXEC);
	if (err < 0) {
		return err;
	}
	if (!sticky_allows(ctx, dir->inode, victim)) {
		return -LINUX_EPERM;
	}
	if (isdir) {
		if (!LINUX_S_ISDIR(victim->mode)) {
			return -LINUX_ENOTDIR;
		}
		if (victim == victim->sb->root) {
			return -LINUX_EBUSY;
		}
	} else if (LINUX_S_ISDIR(victim->mode)) {
		return -LINUX_EISDIR;
	}
	if (dir->inode->nlink == 0) {
		return -LINUX_ENOENT;
	}
	return 0;
}

/* The group of a new file in @dir: the directory's when it is set-gid. */
static uint32_t new_gid(const struct vfs_ctx *ctx, const struct inode *dir)
{
	return (dir->mode & LINUX_S_ISGID) ? dir->gid : ctx->cred.gid;
}

/* The mode bits of a new non-directory in @dir (Linux's
 * inode_init_owner: no set-gid-with-group-exec in a foreign group). */
static uint32_t new_file_mode(const struct vfs_ctx *ctx,
			      const struct inode *dir, uint32_t mode)
{
	uint32_t gid = new_gid(ctx, dir);

	if ((mode & (LINUX_S_ISGID | LINUX_S_IXGRP)) ==
		    (LINUX_S_ISGID | LINUX_S_IXGRP) &&
	    ctx->cred.uid != 0 && !vfs_cred_in_group(&ctx->cred, gid)) {
		mode &= ~(uint32_t)LINUX_S_ISGID;
	}
	return mode;
}

/* Translates *at() flags into walk flags; EINVAL for flags outside
 * @allowed. */
static int at_lookup(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		     const char *path, int flags, int allowed, bool follow,
		     struct vfs_path *out)
{
	unsigned lf = follow ? VFS_LOOKUP_FOLLOW : 0;

	if (flags & ~allowed) {
		return -LINUX_EINVAL;
	}
	if (flags & LINUX_AT_SYMLINK_NOFOLLOW) {
		lf &= ~VFS_LOOKUP_FOLLOW;
	}
	if (flags & LINUX_AT_SYMLINK_FOLLOW) {
		lf |= VFS_LOOKUP_FOLLOW;
	}
	if (flags & LINUX_AT_EMPTY_PATH) {
		lf |= VFS_LOOKUP_EMPTY;
	}
	return vfs_lookup(ctx, dir, path, lf, out);
}

/* ---- open ---- */

/*
 * O_CREAT's walk: the file named by @path, created if missing; a symlink
 * at the end is followed (not with O_NOFOLLOW or O_EXCL) and its target
 * created if missing, as Linux does.
 */
/* The directory that held the last component of an O_CREAT open. */
struct creat_dir {
	uint32_t mode, uid;
};

static int open_creat(struct vfs_walk *w, const char *path, unsigned flags,
		      uint32_t mode, bool *created, struct creat_dir *cd)
{
	const struct vfs_ctx *ctx = w->ctx;
	struct vfs_last last;
	struct inode *child, *dir;
	char *target;
	int err;

	err = vfs_walk_parent(w, path, &last);
	if (err < 0) {
		return err;
	}
	if (last.type != VFS_LAST_NORM) {
		return vfs_walk_last(w, &last, 0);
	}
	if (last.slash) {
		return -LINUX_EISDIR;
	}
	dir = w->cur.inode;
	cd->mode = dir->mode;
	cd->uid = dir->uid;
	err = vfs_lookup_name(dir, last.name, last.len, &child);
	if (err == -LINUX_ENOENT) {
		if (vfs_mount_is_rdonly(w->cur.mnt)) {
			return -LINUX_EROFS;
		}
		err = may_create(ctx, dir);
		if (err < 0) {
			return err;
		}
		if (!dir->ops->create) {
			return -LINUX_EPERM;
		}
		mode = new_file_mode(ctx, dir,
				     (mode & MODE_PERMS & ~ctx->umask) |
					     LINUX_S_IFREG);
		err = dir->ops->create(dir, last.name, last.len, mode, 0,
				       ctx->cred.uid, new_gid(ctx, dir),
				       &child);
		if (err < 0) {
			return err;
		}
		*created = true;
		vfs_walk_move(w, w->cur.mnt, child);
		return 0;
	}
	if (err < 0) {
		return err;
	}
	if (LINUX_S_ISLNK(child->mode) &&
	    !(flags & (LINUX_O_NOFOLLOW | LINUX_O_EXCL)) &&
	    child->ops->get_link) {
		err = vfs_walk_jump(w, child);
		vfs_inode_put(child);
		return err;
	}
	if (LINUX_S_ISLNK(child->mode) &&
	    !(flags & (LINUX_O_NOFOLLOW | LINUX_O_EXCL))) {
		err = vfs_walk_read_link(w, child, &target);
		vfs_inode_put(child);
		if (err < 0) {
			return err;
		}
		err = open_creat(w, target, flags, mode, created, cd);
		free(target);
		return err;
	}
	vfs_walk_move(w, w->cur.mnt, child);
	vfs_walk_cross_mounts(w);
	return 0;
}

/*
 * Linux's may_create_in_sticky, with the kernel's default sysctls
 * (protected_regular and protected_fifos off): O_CREAT meeting an
 * existing file other than a regular file or fifo in a sticky directory
 * others may write, owned neither by the directory's owner nor by the
 * caller, is refused, root included.
 */
static int may_create_in_sticky(const struct vfs_ctx *ctx,
				const struct creat_dir *cd,
				const struct inode *inode)
{
	if (!(cd->mode & LINUX_S_ISVTX) || LINUX_S_ISREG(inode->mode) ||
	    LINUX_S_ISFIFO(inode->mode) || inode->uid == cd->uid ||
	    inode->uid == ctx->cred.uid) {
		return 0;
	}
	return (cd->mode & 0022) ? -LINUX_EACCES : 0;
}

/* Linux's may_open for an existing file opened with access @acc. */
static int may_open(const struct vfs_ctx *ctx, const struct vfs_path *p,
		    unsigned acc)
{
	struct inode *inode = p->inode;

	switch (inode->mode & LINUX_S_IFMT) {
	case LINUX_S_IFLNK:
		return -LINUX_ELOOP;
	case LINUX_S_IFDIR:
		if (acc & VFS_MAY_WRITE) {
			return -LINUX_EISDIR;
		}
		break;
	case LINUX_S_IFCHR:
	case LINUX_S_IFBLK:
		if (p->mnt->flags & LINUX_MS_NODEV) {
			return -LINUX_EACCES;
		}
		break;
	default:
		break;
	}
	if ((acc & VFS_MAY_WRITE) && vfs_mount_is_rdonly(p->mnt) &&
	    (LINUX_S_ISREG(inode->mode) || LINUX_S_ISDIR(inode->mode))) {
		return -LINUX_EROFS;
	}
	return vfs_permission(&ctx->cred, inode, acc);
}

/* The file for an opened inode, by type. */
static int open_file(const struct vfs_ctx *ctx, const struct vfs_path *p,
		     unsigned flags, struct file **out)
{
	const struct vfs_hooks *hooks = vfs_get_hooks();
	struct inode *inode = p->inode;
	struct file *f = NULL;
	int err = 0;

	switch (inode->mode & LINUX_S_IFMT) {
	case LINUX_S_IFREG:
		if (inode->fops) {
			f = file_create(inode->fops, flags, NULL);
		} else {
			f = file_create(&vfs_reg_fops, flags,
					(void *)(uintptr_t)vfs_changer_of(
						&ctx->cred, inode));
		}
		break;
	case LINUX_S_IFDIR:
		f = file_create(&vfs_dir_fops, flags, NULL);
		break;
	case LINUX_S_IFCHR:
	case LINUX_S_IFBLK:
		if (!hooks->open_dev) {
			return -LINUX_ENXIO;
		}
		err = hooks->open_dev(ctx->proc, inode, flags, &f);
		break;
	case LINUX_S_IFIFO:
		if (!hooks->open_fifo) {
			return -LINUX_ENXIO;
		}
		err = hooks->open_fifo(ctx->proc, inode, flags, &f);
		break;
	default:
		return -LINUX_ENXIO;	/* sockets are not opened */
	}
	if (err < 0) {
		return err;
	}
	if (!f) {
		return -LINUX_ENOMEM;
	}
	f->inode = p->inode;
	f->mnt = p->mnt;
	vfs_path_get(p);
	if (inode->ops->open) {
		err = inode->ops->open(inode, f);
		if (err < 0) {
			file_put(f);
			return err;
		}
	}
	*out = f;
	return 0;
}

static int open_path(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		     const char *path, unsigned flags, struct file **out)
{
	unsigned lf = VFS_LOOKUP_FOLLOW;
	struct vfs_path p;
	struct file *f;
	int err;

	flags &= LINUX_O_PATH | LINUX_O_DIRECTORY | LINUX_O_NOFOLLOW |
		 LINUX_O_CLOEXEC;
	if (flags & LINUX_O_NOFOLLOW) {
		lf = 0;
	}
	if (flags & LINUX_O_DIRECTORY) {
		lf |= VFS_LOOKUP_DIRECTORY;
	}
	err = vfs_lookup(ctx, dir, path, lf, &p);
	if (err < 0) {
		return err;
	}
	f = file_create(&vfs_opath_fops, flags & ~LINUX_O_CLOEXEC, NULL);
	if (!f) {
		vfs_path_put(&p);
		return -LINUX_ENOMEM;
	}
	f->inode = p.inode;
	f->mnt = p.mnt;
	*out = f;
	return 0;
}

int vfs_open(const struct vfs_ctx *ctx, const struct vfs_path *dir,
	     const char *path, unsigned flags, uint32_t mode,
	     struct file **out)
{
	static const unsigned acc_modes[4] = {
		VFS_MAY_READ, VFS_MAY_WRITE, VFS_MAY_READ | VFS_MAY_WRITE,
		VFS_MAY_READ | VFS_MAY_WRITE
	};
	unsigned acc = acc_modes[flags & LINUX_O_ACCMODE];
	struct creat_dir cd = { 0, 0 };
	bool created = false, trunc = false;
	struct vfs_walk w;
	int err;

	if ((flags & LINUX_O_TMPFILE) == LINUX_O_TMPFILE) {
		return -LINUX_EOPNOTSUPP;
	}
	if (flags & LINUX_O_PATH) {
		return open_path(ctx, dir, path, flags, out);
	}
	if ((flags & LINUX_O_CREAT) && (flags & LINUX_O_DIRECTORY)) {
		return -LINUX_EINVAL;
	}
	if (flags & LINUX_O_TRUNC) {
		acc |= VFS_MAY_WRITE;
	}
	err = vfs_walk_start(&w, ctx, dir, path, 0);
	if (err < 0) {
		return err;
	}
	if (flags & LINUX_O_CREAT) {
		err = open_creat(&w, path, flags, mode, &created, &cd);
	} else {
		err = vfs_walk_path(&w, path,
				    ((flags & LINUX_O_NOFOLLOW)
					     ? 0
					     : VFS_LOOKUP_FOLLOW) |
					    ((flags & LINUX_O_DIRECTORY)
						     ? VFS_LOOKUP_DIRECTORY
						     : 0));
	}
	if (err < 0) {
		goto out_end;
	}
	if (flags & LINUX_O_CREAT) {
		if ((flags & LINUX_O_EXCL) && !created) {
			err = -LINUX_EEXIST;
			goto out_end;
		}
		if (LINUX_S_ISDIR(w.cur.inode->mode)) {
			err = -LINUX_EISDIR;
			goto out_end;
		}
		err = may_create_in_sticky(ctx, &cd, w.cur.inode);
		if (err < 0) {
			goto out_end;
		}
	}
	if (!created) {
		trunc = (flags & LINUX_O_TRUNC) &&
			LINUX_S_ISREG(w.cur.inode->mode);
		if (trunc && vfs_mount_is_rdonly(w.cur.mnt)) {
			err = -LINUX_EROFS;
			goto out_end;
		}
		err = may_open(ctx, &w.cur, acc);
		if (err < 0) {
			goto out_end;
		}
	}
	/* Device opens see O_NOCTTY; the file keeps the flags Linux keeps. */
	err = open_file(ctx, &w.cur, flags & ~(unsigned)LINUX_O_CLOEXEC, out);
	if (err < 0) {
		goto out_end;
	}
	(*out)->flags &= ~(unsigned)(LINUX_O_CREAT | LINUX_O_EXCL |
				     LINUX_O_NOCTTY | LINUX_O_TRUNC);
	/* Truncation once the open has worked, as Linux's handle_truncate
	 * does. */
	if (trunc) {
		struct vfs_attr attr = { 0 };
		struct vfs_timespec now = vfs_now();

		attr.valid = VFS_ATTR_SIZE | VFS_ATTR_MTIME | VFS_ATTR_CTIME;
		attr.mtime = now;
		attr.ctime = now;
		vfs_kill_priv(w.cur.inode,
			      vfs_changer_of(&ctx->cred, w.cur.inode), &attr);
		err = vfs_setattr(w.cur.inode, &attr);
		if (err < 0) {
			file_put(*out);
			*out = NULL;
		}
	}
out_end:
	vfs_walk_end(&w);
	return err;
}

/* ---- stat ---- */

void vfs_getattr(const struct vfs_path *p, struct linux_stat *out)
{
	const struct inode *inode = p->inode;

	memset(out, 0, sizeof(*out));
	out->st_dev = inode->sb->dev;
	out->st_ino = inode->ino;
	out->st_nlink = inode->nlink;
	out->st_mode = inode->mode;
	out->st_uid = inode->uid;
	out->st_gid = inode->gid;
	out->st_rdev = inode->rdev;
	out->st_size = (int64_t)inode->size;
	out->st_blksize = VFS_BLKSIZE;
	out->st_blocks = (int64_t)inode->blocks;
	out->st_atime_sec = (uint64_t)inode->atime.sec;
	out->st_atime_nsec = (uint64_t)inode->atime.nsec;
	out->st_mtime_sec = (uint64_t)inode->mtime.sec;
	out->st_mtime_nsec = (uint64_t)inode->mtime.nsec;
	out->st_ctime_sec = (uint64_t)inode->ctime.sec;
	out->st_ctime_nsec = (uint64_t)inode->ctime.nsec;
}

static struct linux_statx_timestamp sx_time(struct vfs_timespec t)
{
	struct linux_statx_timestamp s = { t.sec, (uint32_t)t.nsec, 0 };

	return s;
}

void vfs_getattr_x(const struct vfs_path *p, struct linux_statx *out)
{
	const struct inode *inode = p->inode;

	memset(out, 0, sizeof(*out));
	out->stx_mask = LINUX_STATX_BASIC_STATS | LINUX_STATX_BTIME |
			LINUX_STATX_MNT_ID;
	out->stx_blksize = VFS_BLKSIZE;
	out->stx_nlink = inode->nlink;
	out->stx_uid = inode->uid;
	out->stx_gid = inode->gid;
	out->stx_mode = (uint16_t)inode->mode;
	out->stx_ino = inode->ino;
	out->stx_size = inode->size;
	out->stx_blocks = inode->blocks;
	out->stx_atime = sx_time(inode->atime);
	out->stx_btime = sx_time(inode->btime);
	out->stx_ctime = sx_time(inode->ctime);
	out->stx_mtime = sx_time(inode->mtime);
	out->stx_rdev_major = LINUX_MAJOR(inode->rdev);
	out->stx_rdev_minor = LINUX_MINOR(inode->rdev);
	out->stx_dev_major = LINUX_MAJOR(inode->sb->dev);
	out->stx_dev_minor = LINUX_MINOR(inode->sb->dev);
	out->stx_mnt_id = p->mnt->id;
}

int vfs_stat(const struct vfs_ctx *ctx, const struct vfs_path *dir,
	     const char *path, int flags, struct linux_stat *out)
{
	struct vfs_path p;
	int err;

	err = at_lookup(ctx, dir, path, flags,
			LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH |
				LINUX_AT_NO_AUTOMOUNT,
			true, &p);
	if (err < 0) {
		return err;
	}
	vfs_getattr(&p, out);
	vfs_path_put(&p);
	return 0;
}

int vfs_statx(const struct vfs_ctx *ctx, const struct vfs_path *dir,
	      const char *path, int flags, unsigned mask,
	      struct linux_statx *out)
{
	struct vfs_path p;
	int err;

	if ((flags & LINUX_AT_STATX_SYNC_TYPE) == LINUX_AT_STATX_SYNC_TYPE) {
		return -LINUX_EINVAL;
	}
	if (mask & LINUX_STATX__RESERVED) {
		return -LINUX_EINVAL;
	}
	err = at_lookup(ctx, dir, path, flags,
			LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH |
				LINUX_AT_NO_AUTOMOUNT |
				LINUX_AT_STATX_SYNC_TYPE,
			true, &p);
	if (err < 0) {
		return err;
	}
	vfs_getattr_x(&p, out);
	vfs_path_put(&p);
	return 0;
}

int vfs_statfs_path(const struct vfs_path *p, struct linux_statfs *out)
{
	struct vfs_sb *sb = p->inode->sb;
	unsigned long mf = p->mnt->flags;
	int err = 0;

	memset(out, 0, sizeof(*out));
	out->f_bsize = VFS_BLKSIZE;
	out->f_frsize = VFS_BLKSIZE;
	out->f_namelen = VFS_NAME_MAX;
	if (sb->ops->statfs) {
		err = sb->ops->statfs(sb, out);
	}
	out->f_fsid[0] = (int32_t)LINUX_MINOR(sb->dev);
	out->f_fsid[1] = (int32_t)LINUX_MAJOR(sb->dev);
	out->f_flags = LINUX_ST_VALID;
	if (mf & LINUX_MS_RDONLY) {
		out->f_flags |= LINUX_ST_RDONLY;
	}
	if (mf & LINUX_MS_NOSUID) {
		out->f_flags |= LINUX_ST_NOSUID;
	}
	if (mf & LINUX_MS_NODEV) {
		out->f_flags |= LINUX_ST_NODEV;
	}
	if (mf & LINUX_MS_NOEXEC) {
		out->f_flags |= LINUX_ST_NOEXEC;
	}
	return err;
}

int vfs_statfs(const struct vfs_ctx *ctx, const struct vfs_path *dir,
	       const char *path, struct linux_statfs *out)
{
	struct vfs_path p;
	int err;

	err = vfs_lookup(ctx, dir, path, VFS_LOOKUP_FOLLOW, &p);
	if (err < 0) {
		return err;
	}
	err = vfs_statfs_path(&p, out);
	vfs_path_put(&p);
	return err;
}

/* ---- creating names ---- */

int vfs_mkdirat(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		const char *path, uint32_t mode)
{
	struct vfs_last last;
	struct vfs_walk w;
	struct inode *d, *child;
	int err;

	err = create_start(&w, ctx, dir, path, true, &last);
	if (err < 0) {
		return err;
	}
	d = w.cur.inode;
	err = may_create(ctx, d);
	if (err < 0) {
		goto out;
	}
	if (!d->ops->mkdir) {
		err = -LINUX_EPERM;
		goto out;
	}
	mode &= (0777u | LINUX_S_ISVTX) & ~ctx->umask;
	if (d->mode & LINUX_S_ISGID) {
		mode |= LINUX_S_ISGID;	/* inherited by subdirectories */
	}
	err = d->ops->mkdir(d, last.name, last.len, mode | LINUX_S_IFDIR,
			    ctx->cred.uid, new_gid(ctx, d), &child);
	if (err == 0) {
		vfs_inode_put(child);
	}
out:
	vfs_walk_end(&w);
	return err;
}

int vfs_mknodat(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		const char *path, uint32_t mode, uint64_t dev)
{
	struct vfs_last last;
	struct vfs_walk w;
	struct inode *d, *child;
	uint32_t type = mode & LINUX_S_IFMT;
	int err;

	switch (type) {
	case 0:
		type = LINUX_S_IFREG;
		break;
	case LINUX_S_IFREG:
	case LINUX_S_IFCHR:
	case LINUX_S_IFBLK:
	case LINUX_S_IFIFO:
	case LINUX_S_IFSOCK:
		break;
	case LINUX_S_IFDIR:
		return -LINUX_EPERM;
	default:
		return -LINUX_EINVAL;
	}
	err = create_start(&w, ctx, dir, path, false, &last);
	if (err < 0) {
		return err;
	}
	d = w.cur.inode;
	err = may_create(ctx, d);
	if (err < 0) {
		goto out;
	}
	if ((type == LINUX_S_IFCHR || type == LINUX_S_IFBLK) &&
	    ctx->cred.uid != 0) {
		err = -LINUX_EPERM;
		goto out;
	}
	if (!d->ops->create) {
		err = -LINUX_EPERM;
		goto out;
	}
	if (type != LINUX_S_IFCHR && type != LINUX_S_IFBLK) {
		dev = 0;
	}
	mode = new_file_mode(ctx, d, (mode & MODE_PERMS & ~ctx->umask) | type);
	err = d->ops->create(d, last.name, last.len, mode, dev, ctx->cred.uid,
			     new_gid(ctx, d), &child);
	if (err == 0) {
		vfs_inode_put(child);
	}
out:
	vfs_walk_end(&w);
	return err;
}

int vfs_symlinkat(const struct vfs_ctx *ctx, const char *target,
		  const struct vfs_path *dir, const char *path)
{
	struct vfs_last last;
	struct vfs_walk w;
	struct inode *d, *child;
	int err;

	if (target[0] == '\0') {
		return -LINUX_ENOENT;
	}
	if (strnlen(target, VFS_PATH_MAX) >= VFS_PATH_MAX) {
		return -LINUX_ENAMETOOLONG;
	}
	err = create_start(&w, ctx, dir, path, false, &last);
	if (err < 0) {
		return err;
	}
	d = w.cur.inode;
	err = may_create(ctx, d);
	if (err < 0) {
		goto out;
	}
	if (!d->ops->symlink) {
		err = -LINUX_EPERM;
		goto out;
	}
	err = d->ops->symlink(d, last.name, last.len, target, ctx->cred.uid,
			      new_gid(ctx, d), &child);
	if (err == 0) {
		vfs_inode_put(child);
	}
out:
	vfs_walk_end(&w);
	return err;
}

/*
 * Linux's protected_hardlinks (on by default in Debian): someone who
 * neither owns a file nor may read and write it cannot link to it, nor
 * to a set-id executable.
 */
static int may_linkat(const struct vfs_ctx *ctx, const struct inode *inode)
{
	if (ctx->cred.uid == 0 || ctx->cred.uid == inode->uid) {
		return 0;
	}
	if (LINUX_S_ISREG(inode->mode) && !(inode->mode & LINUX_S_ISUID) &&
	    (inode->mode & (LINUX_S_ISGID | LINUX_S_IXGRP)) !=
		    (LINUX_S_ISGID | LINUX_S_IXGRP) &&
	    vfs_permission(&ctx->cred, inode,
			   VFS_MAY_READ | VFS_MAY_WRITE) == 0) {
		return 0;
	}
	return -LINUX_EPERM;
}

int vfs_linkat(const struct vfs_ctx *ctx, const struct vfs_path *odir,
	       const char *opath, const struct vfs_path *ndir,
	       const char *npath, int flags)
{
	struct vfs_path old;
	struct vfs_last last;
	struct vfs_walk w;
	struct inode *d, *inode;
	int err;

	if (flags & ~(LINUX_AT_SYMLINK_FOLLOW | LINUX_AT_EMPTY_PATH)) {
		return -LINUX_EINVAL;
	}
	/* Linking an open file by its fd needs CAP_DAC_READ_SEARCH. */
	if ((flags & LINUX_AT_EMPTY_PATH) && ctx->cred.uid != 0) {
		flags &= ~LINUX_AT_EMPTY_PATH;
	}
	err = at_lookup(ctx, odir, opath, flags,
			LINUX_AT_SYMLINK_FOLLOW | LINUX_AT_EMPTY_PATH, false,
			&old);
	if (err < 0) {
		return err;
	}
	inode = old.inode;
	err = create_start(&w, ctx, ndir, npath, false, &last);
	if (err < 0) {
		goto out_old;
	}
	d = w.cur.inode;
	if (w.cur.mnt != old.mnt) {
		err = -LINUX_EXDEV;
		goto out;
	}
	err = may_linkat(ctx, inode);
	if (err < 0) {
		goto out;
	}
	err = may_create(ctx, d);
	if (err < 0) {
		goto out;
	}
	if (d->sb != inode->sb) {
		err = -LINUX_EXDEV;
		goto out;
	}
	if (LINUX_S_ISDIR(inode->mode)) {
		err = -LINUX_EPERM;
		goto out;
	}
	if (inode->nlink == 0) {
		err = -LINUX_ENOENT;
		goto out;
	}
	if (!d->ops->link) {
		err = -LINUX_EPERM;
		goto out;
	}
	err = d->ops->link(d, last.name, last.len, inode);
out:
	vfs_walk_end(&w);
out_old:
	vfs_path_put(&old);
	return err;
}

/* ---- removing names ---- */

static int do_rmdir(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		    const char *path)
{
	struct vfs_last last;
	struct vfs_walk w;
	struct inode *victim;
	int err;

	err = walk_to_parent(&w, ctx, dir, path, &last);
	if (err < 0) {
		return err;
	}
	switch (last.type) {
	case VFS_LAST_DOTDOT:
		err = -LINUX_ENOTEMPTY;
		goto out;
	case VFS_LAST_DOT:
		err = -LINUX_EINVAL;
		goto out;
	case VFS_LAST_ROOT:
		err = -LINUX_EBUSY;
		goto out;
	case VFS_LAST_NORM:
		break;
	}
	if (vfs_mount_is_rdonly(w.cur.mnt)) {
		err = -LINUX_EROFS;
		goto out;
	}
	err = vfs_lookup_name(w.cur.inode, last.name, last.len, &victim);
	if (err < 0) {
		goto out;
	}
	err = may_delete(ctx, &w.cur, victim, true);
	if (err == 0 && victim->mounts > 0) {
		err = -LINUX_EBUSY;
	}
	if (err == 0 && !w.cur.inode->ops->rmdir) {
		err = -LINUX_EPERM;
	}
	if (err == 0) {
		err = w.cur.inode->ops->rmdir(w.cur.inode, last.name,
					      last.len);
	}
	vfs_inode_put(victim);
out:
	vfs_walk_end(&w);
	return err;
}

static int do_unlink(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		     const char *path)
{
	struct vfs_last last;
	struct vfs_walk w;
	struct inode *victim;
	int err;

	err = walk_to_parent(&w, ctx, dir, path, &last);
	if (err < 0) {
		return err;
	}
	if (last.type != VFS_LAST_NORM) {
		err = -LINUX_EISDIR;
		goto out;
	}
	if (vfs_mount_is_rdonly(w.cur.mnt)) {
		err = -LINUX_EROFS;
		goto out;
	}
	err = vfs_lookup_name(w.cur.inode, last.name, last.len, &victim);
	if (err < 0) {
		goto out;
	}
	if (last.slash) {
		err = LINUX_S_ISDIR(victim->mode) ? -LINUX_EISDIR
						   : -LINUX_ENOTDIR;
	} else {
		err = may_delete(ctx, &w.cur, victim, false);
	}
	if (err == 0 && victim->mounts > 0) {
		err = -LINUX_EBUSY;
	}
	if (err == 0 && !w.cur.inode->ops->unlink) {
		err = -LINUX_EPERM;
	}
	if (err == 0) {
		err = w.cur.inode->ops->unlink(w.cur.inode, last.name,
					       last.len);
	}
	vfs_inode_put(victim);
out:
	vfs_walk_end(&w);
	return err;
}

int vfs_unlinkat(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		 const char *path, int flags)
{
	if (flags & ~LINUX_AT_REMOVEDIR) {
		return -LINUX_EINVAL;
	}
	if (flags & LINUX_AT_REMOVEDIR) {
		return do_rmdir(ctx, dir, path);
	}
	return do_unlink(ctx, dir, path);
}

/* ---- rename ---- */

/* Whether directory @anc is @d or above it (within one file system). */
static int is_ancestor(struct inode *anc, struct inode *d, bool *result)
{
	struct inode *cur = d, *parent;
	int err;

	*result = false;
	vfs_inode_get(cur);
	for (;;) {
		if (cur == anc) {
			*result = true;
			break;
		}
		if (cur == cur->sb->root) {
			break;
		}
		err = vfs_lookup_name(cur, "..", 2, &parent);
		if (err < 0) {
			vfs_inode_put(cur);
			return err;
		}
		if (parent == cur) {
			vfs_inode_put(parent);
			break;
		}
		vfs_inode_put(cur);
		cur = parent;
	}
	vfs_inode_put(cur);
	return 0;
}

struct rename_side {
	struct vfs_walk w;
	struct vfs_last last;
	struct inode *inode;	/* the entry, NULL if absent */
};

/* The checks of Linux's vfs_rename once both entries are looked up. */
static int rename_checks(const struct vfs_ctx *ctx, struct rename_side *o,
			 struct rename_side *n, unsigned flags)
{
	bool exchange = flags & LINUX_RENAME_EXCHANGE;
	struct inode *src = o->inode, *dst = n->inode;
	bool is_dir = LINUX_S_ISDIR(src->mode);
	bool new_is_dir = dst && LINUX_S_ISDIR(dst->mode);
	int err;

	err = may_delete(ctx, &o->w.cur, src, is_dir);
	if (err < 0) {
		return err;
	}
	if (!dst) {
		err = may_create(ctx, n->w.cur.inode);
	} else {
		err = may_delete(ctx, &n->w.cur, dst,
				 exchange ? new_is_dir : is_dir);
	}
	if (err < 0) {
		return err;
	}
	/* A directory moved to a new parent has its ".." rewritten. */
	if (o->w.cur.inode != n->w.cur.inode) {
		if (is_dir) {
			err = vfs_permission(&ctx->cred, src, VFS_MAY_WRITE);
			if (err < 0) {
				return err;
			}
		}
		if (exchange && new_is_dir) {
			err = vfs_permission(&ctx->cred, dst, VFS_MAY_WRITE);
			if (err < 0) {
				return err;
			}
		}
	}
	if (src->mounts > 0 || (dst && dst->mounts > 0)) {
		return -LINUX_EBUSY;
	}
	return 0;
}

int vfs_renameat2(const struct vfs_ctx *ctx, const struct vfs_path *odir,
		  const char *opath, const struct vfs_path *ndir,
		  const char *npath, unsigned flags)
{
	struct rename_side o = { 0 }, n = { 0 };
	bool exchange = flags & LINUX_RENAME_EXCHANGE;
	struct inode *od, *nd;
	bool anc;
	int err;

	if (flags & ~(LINUX_RENAME_NOREPLACE | LINUX_RENAME_EXCHANGE |
		      LINUX_RENAME_WHITEOUT)) {
		return -LINUX_EINVAL;
	}
	if ((flags & LINUX_RENAME_NOREPLACE) && exchange) {
		return -LINUX_EINVAL;
	}
	/* Whiteouts belong to overlay file systems, which we do not have. */
	if (flags & LINUX_RENAME_WHITEOUT) {
		return -LINUX_EINVAL;
	}
	err = walk_to_parent(&o.w, ctx, odir, opath, &o.last);
	if (err < 0) {
		return err;
	}
	err = walk_to_parent(&n.w, ctx, ndir, npath, &n.last);
	if (err < 0) {
		goto out_old;
	}
	od = o.w.cur.inode;
	nd = n.w.cur.inode;
	if (o.w.cur.mnt != n.w.cur.mnt) {
		err = -LINUX_EXDEV;
		goto out;
	}
	if (o.last.type != VFS_LAST_NORM) {
		err = -LINUX_EBUSY;
		goto out;
	}
	if (n.last.type != VFS_LAST_NORM) {
		err = (flags & LINUX_RENAME_NOREPLACE) ? -LINUX_EEXIST
						       : -LINUX_EBUSY;
		goto out;
	}
	if (vfs_mount_is_rdonly(o.w.cur.mnt)) {
		err = -LINUX_EROFS;
		goto out;
	}
	err = vfs_lookup_name(od, o.last.name, o.last.len, &o.inode);
	if (err < 0) {
		goto out;
	}
	err = vfs_lookup_name(nd, n.last.name, n.last.len, &n.inode);
	if (err == -LINUX_ENOENT) {
		n.inode = NULL;
	} else if (err < 0) {
		goto out;
	}
	err = 0;
	if ((flags & LINUX_RENAME_NOREPLACE) && n.inode) {
		err = -LINUX_EEXIST;
		goto out;
	}
	if (exchange) {
		if (!n.inode) {
			err = -LINUX_ENOENT;
			goto out;
		}
		if (!LINUX_S_ISDIR(n.inode->mode) && n.last.slash) {
			err = -LINUX_ENOTDIR;
			goto out;
		}
	}
	if (!LINUX_S_ISDIR(o.inode->mode)) {
		if (o.last.slash || (n.last.slash && !exchange)) {
			err = -LINUX_ENOTDIR;
			goto out;
		}
	}
	/* Linux's trap: the source may not be above the target's parent,
	 * nor the target above the source's. */
	if (od != nd) {
		err = is_ancestor(o.inode, nd, &anc);
		if (err == 0 && anc) {
			err = -LINUX_EINVAL;
		}
		if (err < 0) {
			goto out;
		}
		if (n.inode) {
			err = is_ancestor(n.inode, od, &anc);
			if (err == 0 && anc) {
				err = exchange ? -LINUX_EINVAL
					       : -LINUX_ENOTEMPTY;
			}
			if (err < 0) {
				goto out;
			}
		}
	}
	if (o.inode == n.inode) {
		goto out;	/* two names of one file: nothing to do */
	}
	err = rename_checks(ctx, &o, &n, flags);
	if (err < 0) {
		goto out;
	}
	if (!od->ops->rename) {
		err = -LINUX_EPERM;
		goto out;
	}
	err = od->ops->rename(od, o.last.name, o.last.len, nd, n.last.name,
			      n.last.len, flags);
out:
	vfs_inode_put(o.inode);
	vfs_inode_put(n.inode);
	vfs_walk_end(&n.w);
out_old:
	vfs_walk_end(&o.w);
	return err;
}

/* ---- symlinks ---- */

int64_t vfs_readlinkat(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		       const char *path, char *buf, size_t size)
{
	struct vfs_path p;
	int64_t n;
	int err;

	if (size == 0 || size > INT32_MAX) {
		return -LINUX_EINVAL;
	}
	err = vfs_lookup(ctx, dir, path, VFS_LOOKUP_EMPTY, &p);
	if (err < 0) {
		return err;
	}
	if (!LINUX_S_ISLNK(p.inode->mode) || !p.inode->ops->readlink) {
		/* An empty path names @dir, which is no symlink: Linux says
		 * ENOENT then. */
		n = path[0] == '\0' ? -LINUX_ENOENT : -LINUX_EINVAL;
	} else {
		n = p.inode->ops->readlink(p.inode, buf, size);
	}
	vfs_path_put(&p);
	return n;
}

/* ---- attributes ---- */

static bool is_owner(const struct vfs_ctx *ctx, const struct inode *inode)
{
	return ctx->cred.uid == inode->uid || ctx->cred.uid == 0;
}

int vfs_chmod_path(const struct vfs_ctx *ctx, const struct vfs_path *p,
		   uint32_t mode)
{
	struct inode *inode = p->inode;
	struct vfs_attr attr = { 0 };

	if (vfs_mount_is_rdonly(p->mnt)) {
		return -LINUX_EROFS;
	}
	if (LINUX_S_ISLNK(inode->mode)) {
		return -LINUX_EOPNOTSUPP;
	}
	if (!is_owner(ctx, inode)) {
		return -LINUX_EPERM;
	}
	mode &= MODE_PERMS;
	/* Only a member of the file's group may make it set-gid. */
	if (ctx->cred.uid != 0 && !vfs_cred_in_group(&ctx->cred, inode->gid)) {
		mode &= ~(uint32_t)LINUX_S_ISGID;
	}
	attr.valid = VFS_ATTR_MODE | VFS_ATTR_CTIME;
	attr.mode = mode;
	attr.ctime = vfs_now();
	return vfs_setattr(inode, &attr);
}

int vfs_fchmodat(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		 const char *path, uint32_t mode, int flags)
{
	struct vfs_path p;
	int err;

	err = at_lookup(ctx, dir, path, flags,
			LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH, true,
			&p);
	if (err < 0) {
		return err;
	}
	err = vfs_chmod_path(ctx, &p, mode);
	vfs_path_put(&p);
	return err;
}

int vfs_chown_path(const struct vfs_ctx *ctx, const struct vfs_path *p,
		   uint32_t uid, uint32_t gid)
{
	struct inode *inode = p->inode;
	struct vfs_attr attr = { 0 };
	const struct vfs_cred *cred = &ctx->cred;
	uint32_t mode = inode->mode;

	if (vfs_mount_is_rdonly(p->mnt)) {
		return -LINUX_EROFS;
	}
	if (uid != (uint32_t)-1 && cred->uid != 0 &&
	    !(cred->uid == inode->uid && uid == inode->uid)) {
		return -LINUX_EPERM;
	}
	if (gid != (uint32_t)-1 && cred->uid != 0 &&
	    !(cred->uid == inode->uid &&
	      (gid == inode->gid || vfs_cred_in_group(cred, gid)))) {
		return -LINUX_EPERM;
	}
	attr.valid = VFS_ATTR_CTIME;
	attr.ctime = vfs_now();
	if (uid != (uint32_t)-1) {
		attr.valid |= VFS_ATTR_UID;
		attr.uid = uid;
	}
	if (gid != (uint32_t)-1) {
		attr.valid |= VFS_ATTR_GID;
		attr.gid = gid;
	}
	/*
	 * A file changing hands (even to the same ids, even by root) loses
	 * its set-uid bit, and its set-gid bit if group-executable or if
	 * the caller is outside its group; that is a mode change, which
	 * only the owner may make.
	 */
	if (!LINUX_S_ISDIR(mode)) {
		uint32_t kill = mode & LINUX_S_ISUID;

		bool outsider = cred->uid != 0 &&
				!vfs_cred_in_group(cred, inode->gid);

		if ((mode & LINUX_S_ISGID) &&
		    ((mode & LINUX_S_IXGRP) || outsider)) {
			kill |= LINUX_S_ISGID;
		}
		if (kill) {
			if (!is_owner(ctx, inode)) {
				return -LINUX_EPERM;
			}
			attr.valid |= VFS_ATTR_MODE;
			attr.mode = mode & MODE_PERMS & ~kill;
		}
	}
	return vfs_setattr(inode, &attr);
}

int vfs_fchownat(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		 const char *path, uint32_t uid, uint32_t gid, int flags)
{
	struct vfs_path p;
	int err;

	err = at_lookup(ctx, dir, path, flags,
			LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH, true,
			&p);
	if (err < 0) {
		return err;
	}
	err = vfs_chown_path(ctx, &p, uid, gid);
	vfs_path_put(&p);
	return err;
}

static bool nsec_valid(int64_t nsec)
{
	return (nsec >= 0 && nsec <= 999999999) || nsec == LINUX_UTIME_NOW ||
	       nsec == LINUX_UTIME_OMIT;
}

int vfs_utimens_path(const struct vfs_ctx *ctx, const struct vfs_path *p,
		     const struct vfs_timespec *times)
{
	struct inode *inode = p->inode;
	struct vfs_attr attr = { 0 };
	struct vfs_timespec now = vfs_now();
	int err;

	if (times && times[0].nsec == LINUX_UTIME_OMIT &&
	    times[1].nsec == LINUX_UTIME_OMIT) {
		return 0;
	}
	if (times &&
	    (!nsec_valid(times[0].nsec) || !nsec_valid(times[1].nsec))) {
		return -LINUX_EINVAL;
	}
	if (vfs_mount_is_rdonly(p->mnt)) {
		return -LINUX_EROFS;
	}
	if (times && times[0].nsec == LINUX_UTIME_NOW &&
	    times[1].nsec == LINUX_UTIME_NOW) {
		times = NULL;
	}
	attr.valid = VFS_ATTR_CTIME | VFS_ATTR_ATIME | VFS_ATTR_MTIME;
	attr.ctime = now;
	attr.atime = now;
	attr.mtime = now;
	if (times) {
		/* Explicit times: the owner (or root) only. */
		if (!is_owner(ctx, inode)) {
			return -LINUX_EPERM;
		}
		if (times[0].nsec == LINUX_UTIME_OMIT) {
			attr.valid &= ~VFS_ATTR_ATIME;
		} else if (times[0].nsec != LINUX_UTIME_NOW) {
			attr.atime = times[0];
		}
		if (times[1].nsec == LINUX_UTIME_OMIT) {
			attr.valid &= ~VFS_ATTR_MTIME;
		} else if (times[1].nsec != LINUX_UTIME_NOW) {
			attr.mtime = times[1];
		}
	} else if (!is_owner(ctx, inode)) {
		/* "Touch": whoever may write the file. */
		err = vfs_permission(&ctx->cred, inode, VFS_MAY_WRITE);
		if (err < 0) {
			return err;
		}
	}
	return vfs_setattr(inode, &attr);
}

int vfs_utimensat(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		  const char *path, const struct vfs_timespec *times,
		  int flags)
{
	struct vfs_path p;
	int err;

	/* Linux returns at once, not even checking the path or flags. */
	if (times && times[0].nsec == LINUX_UTIME_OMIT &&
	    times[1].nsec == LINUX_UTIME_OMIT) {
		return 0;
	}
	if (times &&
	    (!nsec_valid(times[0].nsec) || !nsec_valid(times[1].nsec))) {
		return -LINUX_EINVAL;
	}
	err = at_lookup(ctx, dir, path, flags,
			LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH, true,
			&p);
	if (err < 0) {
		return err;
	}
	err = vfs_utimens_path(ctx, &p, times);
	vfs_path_put(&p);
	return err;
}

int vfs_faccessat(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		  const char *path, int mode, int flags)
{
	struct vfs_ctx real = *ctx;
	struct vfs_path p;
	unsigned mask = 0;
	int err;

	if (mode & ~(LINUX_R_OK | LINUX_W_OK | LINUX_X_OK)) {
		return -LINUX_EINVAL;
	}
	if (flags & ~(LINUX_AT_EACCESS | LINUX_AT_SYMLINK_NOFOLLOW |
		      LINUX_AT_EMPTY_PATH)) {
		return -LINUX_EINVAL;
	}
	/* access(2) asks with the real ids, the walk included. */
	if (!(flags & LINUX_AT_EACCESS)) {
		real.cred.uid = ctx->cred.ruid;
		real.cred.gid = ctx->cred.rgid;
	}
	err = at_lookup(&real, dir, path, flags & ~LINUX_AT_EACCESS,
			LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH, true,
			&p);
	if (err < 0) {
		return err;
	}
	if (mode & LINUX_R_OK) {
		mask |= VFS_MAY_READ;
	}
	if (mode & LINUX_W_OK) {
		mask |= VFS_MAY_WRITE;
	}
	if (mode & LINUX_X_OK) {
		mask |= VFS_MAY_EXEC;
	}
	if ((mask & VFS_MAY_WRITE) && vfs_mount_is_rdonly(p.mnt) &&
	    (LINUX_S_ISREG(p.inode->mode) || LINUX_S_ISDIR(p.inode->mode) ||
	     LINUX_S_ISLNK(p.inode->mode))) {
		err = -LINUX_EROFS;
	} else if (mask) {
		err = vfs_permission(&real.cred, p.inode, mask);
	}
	vfs_path_put(&p);
	return err;
}

/* Changes the size of regular file @inode (checked writable by the
 * caller). */
static int set_size(const struct vfs_ctx *ctx, struct inode *inode,
		    uint64_t length)
{
	struct vfs_attr attr = { 0 };

	if (length > VFS_MAX_FILE_SIZE) {
		return -LINUX_EFBIG;
	}
	attr.valid = VFS_ATTR_SIZE;
	attr.size = length;
	vfs_kill_priv(inode, vfs_changer_of(&ctx->cred, inode), &attr);
	return vfs_setattr(inode, &attr);
}

int vfs_truncate(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		 const char *path, int64_t length)
{
	struct vfs_path p;
	struct inode *inode;
	int err;

	if (length < 0) {
		return -LINUX_EINVAL;
	}
	err = vfs_lookup(ctx, dir, path, VFS_LOOKUP_FOLLOW, &p);
	if (err < 0) {
		return err;
	}
	inode = p.inode;
	if (LINUX_S_ISDIR(inode->mode)) {
		err = -LINUX_EISDIR;
	} else if (!LINUX_S_ISREG(inode->mode)) {
		err = -LINUX_EINVAL;
	} else if (vfs_mount_is_rdonly(p.mnt)) {
		err = -LINUX_EROFS;
	} else {
		err = vfs_permission(&ctx->cred, inode, VFS_MAY_WRITE);
	}
	if (err == 0) {
		err = set_size(ctx, inode, (uint64_t)length);
	}
	vfs_path_put(&p);
	return err;
}
