/*
 * Open file descriptions (see file.h): creation and reference counting.
 * The last file_put releases the object (ops->release), then the
 * references vfs_open() took on the file's inode and mount, so a file
 * unlinked while open lives until here.
 */
#include "file.h"

#ifdef HOST_TEST
#include <stdlib.h>
#else
#include <rt/malloc.h>
#endif

#include "vfs.h"

struct file *file_create(const struct file_ops *ops, unsigned flags,
			 void *priv)
{
	struct file *f = calloc(1, sizeof(*f));

	if (!f) {
		return NULL;
	}
	f->refs = 1;
	f->flags = flags;
	f->ops = ops;
	f->priv = priv;
	return f;
}

void file_get(struct file *f)
{
	f->refs++;
}

void file_put(struct file *f)
{
	struct vfs_path where;

	if (!f || --f->refs > 0) {
		return;
	}
	if (f->ops && f->ops->release) {
		f->ops->release(f);
	}
	where.mnt = f->mnt;
	where.inode = f->inode;
	if (where.mnt) {
		vfs_path_put(&where);
	} else {
		vfs_inode_put(where.inode);
	}
	free(f);
}
