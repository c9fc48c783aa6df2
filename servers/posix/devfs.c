/*
 * Device table and devtmpfs (see devfs.h). The table is a small array
 * searched linearly (a handful of drivers). The shared /dev instance is
 * created at the first devtmpfs mount (or by devfs_populate's caller)
 * and lives for the server's lifetime; devfs keeps a reference to it so
 * that devices registered later get their nodes.
 */
#include "devfs.h"

#ifdef HOST_TEST
#include <stdlib.h>
#else
#include <rt/malloc.h>
#endif

#include <base/string.h>
#include <linux_abi/errno.h>

#include "file.h"
#include "tmpfs.h"

static struct devfs_dev *devs;
static unsigned ndevs, devs_cap;
/* The directory nodes go to (referenced), and the devtmpfs instance. */
static struct inode *dev_dir;
static struct vfs_sb *dev_sb;

static const struct devfs_dev *find(uint32_t major, uint32_t minor)
{
	for (unsigned i = 0; i < ndevs; i++) {
		const struct devfs_dev *d = &devs[i];

		if (d->major == major && minor >= d->minor &&
		    minor - d->minor < d->count) {
			return d;
		}
	}
	return NULL;
}

/* Makes a node @name of @mode (type included) in @dir unless the name
 * is taken. */
static int make_node(struct inode *dir, const char *name, uint32_t mode,
		     uint64_t rdev, uint32_t uid, uint32_t gid)
{
	size_t len = strlen(name);
	struct inode *child;
	int err;

	err = dir->ops->lookup(dir, name, len, &child);
	if (err == 0) {
		vfs_inode_put(child);
		return 0;
	}
	if (err != -LINUX_ENOENT) {
		return err;
	}
	if (LINUX_S_ISDIR(mode)) {
		err = dir->ops->mkdir(dir, name, len, mode, uid, gid, &child);
	} else {
		err = dir->ops->create(dir, name, len, mode, rdev, uid, gid,
				       &child);
	}
	if (err == 0) {
		vfs_inode_put(child);
	}
	return err;
}

static int make_link(struct inode *dir, const char *name, const char *target)
{
	size_t len = strlen(name);
	struct inode *child;
	int err;

	err = dir->ops->lookup(dir, name, len, &child);
	if (err == 0) {
		vfs_inode_put(child);
		return 0;
	}
	if (err != -LINUX_ENOENT) {
		return err;
	}
	err = dir->ops->symlink(dir, name, len, target, 0, 0, &child);
	if (err == 0) {
		vfs_inode_put(child);
	}
	return err;
}

static int dev_node(struct inode *dir, const struct devfs_dev *d)
{
	if (!d->name || d->count != 1) {
		return 0;
	}
	return make_node(dir, d->name, LINUX_S_IFCHR | (d->mode & 07777),
			 LINUX_MAKEDEV(d->major, d->minor), d->uid, d->gid);
}

int devfs_register(const struct devfs_dev *dev)
{
	struct devfs_dev d = *dev;

	if (!d.open) {
		return -LINUX_EINVAL;
	}
	if (d.count == 0) {
		d.count = 1;
	}
	if (d.minor + (uint64_t)d.count > (1ull << 20)) {
		return -LINUX_EINVAL;
	}
	for (unsigned i = 0; i < ndevs; i++) {
		const struct devfs_dev *o = &devs[i];

		if (o->major == d.major && d.minor < o->minor + o->count &&
		    o->minor < d.minor + d.count) {
			return -LINUX_EEXIST;
		}
	}
	if (ndevs == devs_cap) {
		unsigned cap = devs_cap ? devs_cap * 2 : 16;
		struct devfs_dev *n = realloc(devs, cap * sizeof(*n));

		if (!n) {
			return -LINUX_ENOMEM;
		}
		devs = n;
		devs_cap = cap;
	}
	devs[ndevs++] = d;
	if (dev_dir) {
		return dev_node(dev_dir, &d);
	}
	return 0;
}

int devfs_open(struct lproc *caller, struct inode *inode, unsigned flags,
	       struct file **out)
{
	const struct devfs_dev *d;

	if (!LINUX_S_ISCHR(inode->mode)) {
		return -LINUX_ENXIO;	/* no block devices yet */
	}
	d = find(LINUX_MAJOR(inode->rdev), LINUX_MINOR(inode->rdev));
	if (!d) {
		return -LINUX_ENXIO;
	}
	return d->open(d->priv, caller, LINUX_MINOR(inode->rdev), flags, out);
}

int devfs_populate(struct inode *dir)
{
	static const char *const links[][2] = {
		{ "fd", "/proc/self/fd" },
		{ "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" },
	};
	int err;

	for (unsigned i = 0; i < ndevs; i++) {
		err = dev_node(dir, &devs[i]);
		if (err < 0) {
			return err;
		}
	}
	for (unsigned i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		err = make_link(dir, links[i][0], links[i][1]);
		if (err < 0) {
			return err;
		}
	}
	err = make_node(dir, "pts", LINUX_S_IFDIR | 0755, 0, 0, 0);
	if (err == 0) {
		err = make_node(dir, "shm", LINUX_S_IFDIR | 01777, 0, 0, 0);
	}
	if (err == 0 && !dev_dir) {
		dev_dir = dir;
		vfs_inode_get(dir);
	}
	return err;
}

static int devtmpfs_mount(const char *source, unsigned long flags,
			  const char *data, struct vfs_sb **out)
{
	struct tmpfs_opts opts = { 0 };
	int err;

	if (!dev_sb) {
		opts.mode = 0755;
		err = tmpfs_create(&opts, &dev_sb);
		if (err < 0) {
			return err;
		}
		err = devfs_populate(dev_sb->root);
		if (err < 0) {
			vfs_sb_put(dev_sb);
			dev_sb = NULL;
			return err;
		}
	}
	vfs_sb_get(dev_sb);
	*out = dev_sb;
	return 0;
}

static struct vfs_fstype devtmpfs_type = {
	.name = "devtmpfs",
	.nodev = true,
	.mount = devtmpfs_mount,
};

int devfs_register_fstype(void)
{
	return vfs_fstype_register(&devtmpfs_type);
}

void devfs_reset(void)
{
	struct vfs_sb *sb = dev_sb;

	vfs_inode_put(dev_dir);
	dev_dir = NULL;
	dev_sb = NULL;
	vfs_sb_put(sb);
	free(devs);
	devs = NULL;
	ndevs = devs_cap = 0;
}
