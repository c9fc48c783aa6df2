/*
 * Device nodes: a table from (major, minor) to the function that opens
 * the device, which drivers in the posix server fill (the memory devices
 * of memdev.c, the tty code's ttyS0, console and tty, ...), and the /dev
 * directory (devtmpfs: one shared tmpfs instance) with a node for every
 * registered device that has a name.
 *
 * devfs_open is the vfs's open_dev hook: opening any character device
 * node, in /dev or made by mknod elsewhere, comes here and goes to the
 * registered open function (ENXIO when none). Devices registered after
 * /dev exists get their node at once.
 */
#pragma once

#include <stdint.h>

#include "vfs.h"

struct file;
struct lproc;

/*
 * Opens minor @minor of a registered device for @caller (NULL when no
 * process asks) with the open(2) @flags (O_NOCTTY among them): makes a
 * file with the device's ops (file_create) in *@out. The vfs sets the
 * file's inode and mount afterwards.
 */
typedef int (*devfs_open_fn)(void *priv, struct lproc *caller,
			     uint32_t minor, unsigned flags,
			     struct file **out);

struct devfs_dev {
	const char *name;	/* the node under /dev; NULL: no node */
	uint32_t mode;		/* the node's permission bits */
	uint32_t uid, gid;	/* its owner */
	uint32_t major;
	uint32_t minor;		/* the first of @count minors */
	uint32_t count;		/* 0 is taken as 1; a node only for 1 */
	devfs_open_fn open;
	void *priv;
};

/* Adds @dev (copied; @name must stay valid) to the table, and its node
 * to /dev if /dev exists. EEXIST (minors overlap a registered range),
 * EINVAL (no open function), ENOMEM. */
int devfs_register(const struct devfs_dev *dev);
/* The vfs hook (vfs_hooks.open_dev) for character devices. ENXIO. */
int devfs_open(struct lproc *caller, struct inode *inode, unsigned flags,
	       struct file **out);
/*
 * Fills directory @dir (a tmpfs directory) with a node for each named
 * device, the symlinks fd, stdin, stdout, stderr into /proc/self/fd and
 * the directories pts and shm; names already there are left alone.
 * Returns 0 or the first error.
 */
int devfs_populate(struct inode *dir);
/* Registers the "devtmpfs" file system type: every mount shows the one
 * shared, populated instance. */
int devfs_register_fstype(void);
/* Forgets every registration and the shared instance (tests). */
void devfs_reset(void);
