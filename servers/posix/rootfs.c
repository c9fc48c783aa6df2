/*
 * The first file-system tree (rootfs.h): a tmpfs root filled from the
 * initrd archive (directories, files, symbolic links, device nodes, with
 * their modes and owners), devtmpfs on /dev and a tmpfs on /tmp when the
 * archive has those directories. Init mounts /proc and the rest itself.
 */
#include <base/string.h>
#include <cpio/cpio.h>
#include <linux_abi/errno.h>
#include <linux_abi/fcntl.h>
#include <linux_abi/stat.h>
#include <rt/malloc.h>
#include <rt/rt.h>

#include "bootfs.h"
#include "devfs.h"
#include "file.h"
#include "rootfs.h"
#include "tmpfs.h"
#include "vfs.h"

static struct vfs_path root;

struct unpack {
	struct vfs_ctx ctx;
	unsigned files, failed;
};

static void unpack_one(void *arg, const struct cpio_entry *e)
{
	struct unpack *u = arg;
	const char *name = e->name;
	uint32_t type = e->mode & CPIO_MODE_TYPE;
	char path[LINUX_PATH_MAX];
	int err = 0;

	while (name[0] == '.' && name[1] == '/') {
		name += 2;
	}
	if (!name[0] || strcmp(name, ".") == 0) {
		return;
	}
	if (strlen(name) + 2 > sizeof(path)) {
		u->failed++;
		return;
	}
	path[0] = '/';
	strlcpy(path + 1, name, sizeof(path) - 1);
	if (type == CPIO_MODE_DIR) {
		err = vfs_mkdirat(&u->ctx, NULL, path, e->mode & 07777);
		if (err == -LINUX_EEXIST) {
			err = vfs_fchmodat(&u->ctx, NULL, path, e->mode & 07777,
					   0);
		}
	} else if (type == CPIO_MODE_REG) {
		struct file *f;
		uint64_t pos = 0;

		err = vfs_open(&u->ctx, NULL, path,
			       LINUX_O_WRONLY | LINUX_O_CREAT | LINUX_O_TRUNC,
			       e->mode & 07777, &f);
		if (!err) {
			int64_t w = e->size ? f->ops->write(f, e->data, e->size,
							    &pos)
					    : 0;

			if (w != (int64_t)e->size) {
				err = w < 0 ? (int)w : -LINUX_ENOSPC;
			}
			file_put(f);
		}
	} else if (type == CPIO_MODE_LNK) {
		char target[LINUX_PATH_MAX];

		if (e->size >= sizeof(target)) {
			err = -LINUX_ENAMETOOLONG;
		} else {
			memcpy(target, e->data, e->size);
			target[e->size] = '\0';
			err = vfs_symlinkat(&u->ctx, target, NULL, path);
		}
	} else if (type == CPIO_MODE_CHR || type == CPIO_MODE_BLK) {
		err = vfs_mknodat(&u->ctx, NULL, path, e->mode,
				  LINUX_MAKEDEV(e->rdev_major, e->rdev_minor));
	} else {
		err = vfs_mknodat(&u->ctx, NULL, path, e->mode, 0);
	}
	if (!err && type != CPIO_MODE_LNK) {
		err = vfs_fchownat(&u->ctx, NULL, path, e->uid, e->gid,
				   LINUX_AT_SYMLINK_NOFOLLOW);
	}
	if (err) {
		rt_printf("posix: initrd: %s: error %d", path, -err);
		u->failed++;
	} else {
		u->files++;
	}
}

int rootfs_init(uint64_t ram_bytes)
{
	struct tmpfs_opts opts = { .mode = 0755 };
	struct unpack u = { 0 };
	struct vfs_sb *sb;
	int err;

	err = tmpfs_register(ram_bytes);
	if (!err) {
		err = devfs_register_fstype();
	}
	if (!err) {
		err = tmpfs_create(&opts, &sb);
	}
	if (!err) {
		err = vfs_mount_root(sb, "rootfs", "tmpfs", &root);
	}
	if (err) {
		return err;
	}
	u.ctx.root = &root;
	u.ctx.cwd = &root;
	u.ctx.umask = 0;
	bootfs_for_each(unpack_one, &u);
	rt_printf("posix: root file system: %u entries from the initrd, %u "
		  "failed",
		  u.files, u.failed);
	/* /dev and /tmp if the archive made room for them. */
	vfs_mkdirat(&u.ctx, NULL, "/dev", 0755);
	vfs_mkdirat(&u.ctx, NULL, "/tmp", 01777);
	err = vfs_mount(&u.ctx, NULL, "devtmpfs", "/dev", "devtmpfs", 0, NULL);
	if (err) {
		rt_printf("posix: cannot mount /dev: error %d", -err);
	}
	err = vfs_mount(&u.ctx, NULL, "tmpfs", "/tmp", "tmpfs", 0, "mode=1777");
	if (err) {
		rt_printf("posix: cannot mount /tmp: error %d", -err);
	}
	return 0;
}

void rootfs_root(struct vfs_path *out)
{
	vfs_path_copy(out, &root);
}
