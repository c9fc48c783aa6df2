/*
 * Open regular files, directories and O_PATH files of vfs_open(): their
 * file ops over the inode ops (read/write at the file's offset, O_APPEND,
 * lseek with SEEK_DATA/SEEK_HOLE, getdents64 records), ftruncate, and
 * the relatime rule for access times (updated when older than the last
 * change or a day old, as Linux's default mount option does).
 */
#include <base/string.h>
#include <linux_abi/errno.h>

#include "file.h"
#include "vfs_impl.h"

#define DAY_SECONDS (24 * 3600)

int vfs_setattr(struct inode *inode, const struct vfs_attr *attr)
{
	if (!inode->ops->setattr) {
		return -LINUX_EPERM;
	}
	return inode->ops->setattr(inode, attr);
}

enum vfs_changer vfs_changer_of(const struct vfs_cred *cred,
				const struct inode *inode)
{
	if (cred->uid == 0) {
		return VFS_CHANGER_PRIVILEGED;
	}
	return vfs_cred_in_group(cred, inode->gid) ? VFS_CHANGER_IN_GROUP
						   : VFS_CHANGER_OUTSIDER;
}

bool vfs_kill_priv(const struct inode *inode, enum vfs_changer who,
		   struct vfs_attr *attr)
{
	uint32_t mode = inode->mode, kill = 0;

	if (who == VFS_CHANGER_PRIVILEGED || !LINUX_S_ISREG(mode)) {
		return false;
	}
	if (mode & LINUX_S_ISUID) {
		kill |= LINUX_S_ISUID;
	}
	if ((mode & LINUX_S_ISGID) &&
	    ((mode & LINUX_S_IXGRP) || who == VFS_CHANGER_OUTSIDER)) {
		kill |= LINUX_S_ISGID;
	}
	if (!kill) {
		return false;
	}
	attr->valid |= VFS_ATTR_MODE;
	attr->mode = mode & 07777 & ~kill;
	return true;
}

static bool ts_before(struct vfs_timespec a, struct vfs_timespec b)
{
	return a.sec < b.sec || (a.sec == b.sec && a.nsec < b.nsec);
}

/* Linux's relatime: touch atime when it is not newer than mtime or
 * ctime, or a day old. */
static void touch_atime(struct file *f)
{
	struct inode *inode = f->inode;
	struct vfs_timespec now;

	if ((f->flags & LINUX_O_NOATIME) ||
	    (f->mnt && (f->mnt->flags & LINUX_MS_NOATIME))) {
		return;
	}
	now = vfs_now();
	if (!ts_before(inode->mtime, inode->atime) ||
	    !ts_before(inode->ctime, inode->atime) ||
	    now.sec - inode->atime.sec >= DAY_SECONDS) {
		inode->atime = now;
	}
}

static bool can_read(const struct file *f)
{
	unsigned acc = f->flags & LINUX_O_ACCMODE;

	return acc == LINUX_O_RDONLY || acc == LINUX_O_RDWR;
}

static bool can_write(const struct file *f)
{
	unsigned acc = f->flags & LINUX_O_ACCMODE;

	return acc == LINUX_O_WRONLY || acc == LINUX_O_RDWR;
}

static int64_t reg_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	struct inode *inode = f->inode;
	int64_t n;

	if (!can_read(f)) {
		return -LINUX_EBADF;
	}
	if (!inode->ops->read) {
		return -LINUX_EINVAL;
	}
	if (*pos > VFS_MAX_FILE_SIZE || len > VFS_MAX_FILE_SIZE - *pos) {
		return -LINUX_EINVAL;
	}
	n = inode->ops->read(inode, buf, len, *pos);
	if (n >= 0) {
		*pos += (uint64_t)n;
		touch_atime(f);
	}
	return n;
}

static int64_t reg_write(struct file *f, const void *buf, size_t len,
			 uint64_t *pos)
{
	struct inode *inode = f->inode;
	struct vfs_attr attr = { 0 };
	int64_t n;

	if (!can_write(f)) {
		return -LINUX_EBADF;
	}
	if (!inode->ops->write) {
		return -LINUX_EINVAL;
	}
	if (len == 0) {
		return 0;
	}
	if (*pos > VFS_MAX_FILE_SIZE) {
		return -LINUX_EINVAL;
	}
	if (f->flags & LINUX_O_APPEND) {
		/* At the end; a write that would pass the largest size is
		 * cut there (EFBIG when already there). */
		*pos = inode->size;
		if (*pos >= VFS_MAX_FILE_SIZE) {
			return -LINUX_EFBIG;
		}
		if (len > VFS_MAX_FILE_SIZE - *pos) {
			len = (size_t)(VFS_MAX_FILE_SIZE - *pos);
		}
	} else if (len > VFS_MAX_FILE_SIZE - *pos) {
		return -LINUX_EINVAL;	/* the end would overflow loff_t */
	}
	if (vfs_kill_priv(inode, (enum vfs_changer)(uintptr_t)f->priv,
			  &attr)) {
		vfs_setattr(inode, &attr);
	}
	n = inode->ops->write(inode, buf, len, *pos);
	if (n > 0) {
		*pos += (uint64_t)n;
	}
	return n;
}

/* The new offset for @whence/@off from @pos in a file of @size bytes;
 * EINVAL when negative or overflowing. */
static int64_t seek_pos(uint64_t pos, uint64_t size, int64_t off, int whence)
{
	int64_t base;

	switch (whence) {
	case LINUX_SEEK_SET:
		base = 0;
		break;
	case LINUX_SEEK_CUR:
		base = (int64_t)pos;
		break;
	case LINUX_SEEK_END:
		base = (int64_t)size;
		break;
	default:
		return -LINUX_EINVAL;
	}
	if (off > 0 && base > INT64_MAX - off) {
		return -LINUX_EINVAL;
	}
	if (base + off < 0) {
		return -LINUX_EINVAL;
	}
	return base + off;
}

static int64_t reg_lseek(struct file *f, int64_t off, int whence)
{
	struct inode *inode = f->inode;
	int64_t pos;

	if (whence == LINUX_SEEK_DATA || whence == LINUX_SEEK_HOLE) {
		bool hole = whence == LINUX_SEEK_HOLE;

		if (off < 0 || (uint64_t)off >= inode->size) {
			return -LINUX_ENXIO;
		}
		if (inode->ops->seek_data) {
			pos = inode->ops->seek_data(inode, (uint64_t)off, hole);
			if (pos < 0) {
				return pos;
			}
		} else {
			pos = hole ? (int64_t)inode->size : off;
		}
	} else {
		pos = seek_pos(f->pos, inode->size, off, whence);
		if (pos < 0) {
			return pos;
		}
	}
	f->pos = (uint64_t)pos;
	return pos;
}

static int64_t dir_read(struct file *f, void *buf, size_t len,
			uint64_t *pos)
{
	return -LINUX_EISDIR;
}

/* Directory offsets are the file system's cookies: any value may be set
 * back (telldir/seekdir), but there is no end to seek from. */
static int64_t dir_lseek(struct file *f, int64_t off, int whence)
{
	int64_t pos;

	if (whence != LINUX_SEEK_SET && whence != LINUX_SEEK_CUR) {
		return -LINUX_EINVAL;
	}
	pos = seek_pos(f->pos, 0, off, whence);
	if (pos < 0) {
		return pos;
	}
	f->pos = (uint64_t)pos;
	return pos;
}

struct dirent_buf {
	uint8_t *buf;
	size_t len, used;
	bool full;		/* an entry did not fit */
};

static int fill_dirent64(void *ctx, const char *name, size_t len,
			 uint64_t ino, unsigned type, uint64_t next)
{
	struct dirent_buf *d = ctx;
	struct linux_dirent64 *e;
	size_t reclen;

	reclen = (offsetof(struct linux_dirent64, d_name) + len + 1 + 7) &
		 ~(size_t)7;
	if (d->len - d->used < reclen) {
		d->full = true;
		return 1;
	}
	e = (struct linux_dirent64 *)(void *)(d->buf + d->used);
	/* Padding bytes too: the buffer goes to the program as is. */
	memset(e, 0, reclen);
	e->d_ino = ino;
	e->d_off = (int64_t)next;
	e->d_reclen = (uint16_t)reclen;
	e->d_type = (uint8_t)type;
	memcpy(e->d_name, name, len);
	d->used += reclen;
	return 0;
}

static int64_t dir_getdents(struct file *f, void *buf, size_t len,
			    uint64_t *pos)
{
	struct inode *inode = f->inode;
	struct dirent_buf d = { buf, len, 0, false };
	uint64_t at = *pos;
	int err;

	if (!inode->ops->readdir) {
		return -LINUX_ENOTDIR;
	}
	/* A directory removed while open has no entries, not even "."
	 * and "..": Linux says ENOENT. */
	if (inode->nlink == 0) {
		return -LINUX_ENOENT;
	}
	err = inode->ops->readdir(inode, &at, fill_dirent64, &d);
	if (d.used == 0) {
		if (err < 0) {
			return err;
		}
		/* Not even one entry fits: Linux says EINVAL. */
		return d.full ? -LINUX_EINVAL : 0;
	}
	*pos = at;
	touch_atime(f);
	return (int64_t)d.used;
}

const struct file_ops vfs_reg_fops = {
	.read = reg_read,
	.write = reg_write,
	.lseek = reg_lseek,
};

const struct file_ops vfs_dir_fops = {
	.read = dir_read,
	.lseek = dir_lseek,
	.getdents = dir_getdents,
};

/* O_PATH files do nothing; the system call layer answers EBADF for
 * their reads, writes, ioctls and the like (it sees O_PATH in flags). */
const struct file_ops vfs_opath_fops = { 0 };

int vfs_ftruncate(struct file *f, int64_t length)
{
	struct vfs_attr attr = { 0 };
	struct inode *inode = f->inode;

	if (length < 0) {
		return -LINUX_EINVAL;
	}
	if (!inode || !f->mnt || !LINUX_S_ISREG(inode->mode) || !can_write(f) ||
	    (f->flags & LINUX_O_PATH)) {
		return -LINUX_EINVAL;
	}
	if ((uint64_t)length > VFS_MAX_FILE_SIZE) {
		return -LINUX_EFBIG;
	}
	attr.valid = VFS_ATTR_SIZE;
	attr.size = (uint64_t)length;
	vfs_kill_priv(inode, (enum vfs_changer)(uintptr_t)f->priv, &attr);
	return vfs_setattr(inode, &attr);
}

bool vfs_file_path(const struct file *f, struct vfs_path *out)
{
	if (!f->inode || !f->mnt) {
		return false;
	}
	out->mnt = f->mnt;
	out->inode = f->inode;
	return true;
}

bool vfs_file_is_dir(const struct file *f)
{
	return f->inode && f->mnt && LINUX_S_ISDIR(f->inode->mode);
}
