/*
 * Open file descriptions. A struct file is what an fd names (several fds
 * and processes may share one after dup or fork): an object with its
 * operations, the open flags and the offset. Regular files, directories,
 * pipes, ttys and the special files all provide a struct file_ops.
 *
 * Data moves through buffers in the server: the system call layer copies
 * between the calling program's memory and these buffers, so the
 * operations never touch user memory, except ioctl, which gets the
 * calling process to read and write its argument (umem_read/umem_write).
 *
 * Operations never block: one that would wait returns -LINUX_EAGAIN and
 * the caller waits on file_wait_head() (unless O_NONBLOCK) and retries.
 * Results are >= 0 or a negated Linux errno (abi/linux_abi/errno.h).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "wait.h"

struct file;
struct inode;
struct lproc;
struct vfs_mount;

/* poll(2) bits, as Linux numbers them. */
#define FILE_POLLIN 0x001
#define FILE_POLLPRI 0x002
#define FILE_POLLOUT 0x004
#define FILE_POLLERR 0x008
#define FILE_POLLHUP 0x010
#define FILE_POLLNVAL 0x020
#define FILE_POLLRDNORM 0x040
#define FILE_POLLWRNORM 0x100
#define FILE_POLLRDHUP 0x2000

struct file_ops {
	/* Reads up to @len bytes at *@pos (advancing it) into @buf. */
	int64_t (*read)(struct file *f, void *buf, size_t len, uint64_t *pos);
	int64_t (*write)(struct file *f, const void *buf, size_t len,
			 uint64_t *pos);
	/* Returns the new offset; NULL: ESPIPE. */
	int64_t (*lseek)(struct file *f, int64_t off, int whence);
	/* @arg as the program passed it; @caller for umem access. NULL:
	 * ENOTTY. */
	int64_t (*ioctl)(struct file *f, struct lproc *caller, uint64_t cmd,
			 uint64_t arg);
	/* Current readiness (FILE_POLL*). NULL: always readable/writable. */
	unsigned (*poll)(struct file *f);
	/* Fills @buf with struct linux_dirent64 records from *@pos on;
	 * returns bytes used (0 at the end). NULL: ENOTDIR. */
	int64_t (*getdents)(struct file *f, void *buf, size_t len,
			    uint64_t *pos);
	/* The last reference is gone. */
	void (*release)(struct file *f);
};

struct file {
	unsigned refs;
	unsigned flags;			/* O_* status flags (Linux values) */
	const struct file_ops *ops;
	struct inode *inode;		/* NULL for anonymous objects */
	struct vfs_mount *mnt;		/* with @inode: where it was opened */
	uint64_t pos;
	void *priv;			/* the object's own state */
	struct pwait_head *wait;	/* readiness changes; NULL: never */
	uint32_t stat_mode;		/* without an inode: st_mode's type
					 * for fstat (0: a FIFO) */
};

/* A new file with one reference; NULL when out of memory. */
struct file *file_create(const struct file_ops *ops, unsigned flags,
			 void *priv);
void file_get(struct file *f);
/* Drops a reference; the last one calls ops->release, then drops the
 * file's references on its inode and mount (vfs_open() set them) and
 * frees it. */
void file_put(struct file *f);
