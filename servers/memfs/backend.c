/*
 * memfs's file system (backend.h): tmpfs's inode operations behind
 * struct fsserve_ops.
 */
#include "backend.h"

#ifdef HOST_TEST
#include <stdlib.h>
#else
#include <rt/malloc.h>
#endif

#include <base/string.h>
#include <keel/error.h>
#include <linux_abi/errno.h>

#include "../posix/vfs.h"

/* An inode handed out, with one vfs reference. */
struct memfs_node {
	struct inode *inode;
	struct memfs_node *next;
};

static err_t mf_err(int e)
{
	switch (-e) {
	case 0: return ERR_OK;
	case LINUX_ENOENT: return ERR_NOT_FOUND;
	case LINUX_EEXIST: return ERR_EXISTS;
	case LINUX_ENOTDIR: return ERR_NOT_DIR;
	case LINUX_EISDIR: return ERR_IS_DIR;
	case LINUX_ENOTEMPTY: return ERR_NOT_EMPTY;
	case LINUX_ENOSPC: return ERR_NO_SPACE;
	case LINUX_EROFS: return ERR_READ_ONLY;
	case LINUX_EMLINK: return ERR_TOO_MANY;
	case LINUX_ENOMEM: return ERR_NO_MEMORY;
	case LINUX_EPERM:
	case LINUX_EACCES: return ERR_ACCESS;
	case LINUX_EFBIG: return ERR_TOO_BIG;
	case LINUX_EINVAL: return ERR_INVALID;
	case LINUX_ENXIO: return ERR_RANGE;
	default: return ERR_IO;
	}
}

static struct inode *mf_inode(struct memfs *m, fs_ino ino)
{
	for (struct memfs_node *n = m->nodes; n; n = n->next) {
		if (n->inode->ino == ino) {
			return n->inode;
		}
	}
	return NULL;
}

/* Keeps @inode (a vfs reference of the caller's, passed on or dropped)
 * findable by number until fsserve releases it. */
static void mf_keep(struct memfs *m, struct inode *inode)
{
	struct memfs_node *n;

	if (mf_inode(m, inode->ino)) {
		vfs_inode_put(inode);
		return;
	}
	n = malloc(sizeof(*n));
	if (!n) {
		/* Not findable: the client's next use of the number
		 * gets ERR_NOT_FOUND (fsserve gave it a reference). */
		vfs_inode_put(inode);
		return;
	}
	memset(n, 0, sizeof(*n));
	n->inode = inode;
	n->next = m->nodes;
	m->nodes = n;
}

static void mf_attr(struct fs_attr *a, const struct inode *i)
{
	memset(a, 0, sizeof(*a));
	a->ino = i->ino;
	a->size = i->size;
	a->blocks = i->blocks;
	a->rdev = i->rdev;
	a->mode = i->mode;
	a->nlink = i->nlink;
	a->uid = i->uid;
	a->gid = i->gid;
	a->atime.sec = i->atime.sec;
	a->atime.nsec = (uint32_t)i->atime.nsec;
	a->mtime.sec = i->mtime.sec;
	a->mtime.nsec = (uint32_t)i->mtime.nsec;
	a->ctime.sec = i->ctime.sec;
	a->ctime.nsec = (uint32_t)i->ctime.nsec;
	a->btime.sec = i->btime.sec;
	a->btime.nsec = (uint32_t)i->btime.nsec;
}

#define MF(fs) ((struct memfs *)(fs))

static err_t memfs_getattr(void *fs, fs_ino ino, struct fs_attr *out)
{
	struct inode *i = mf_inode(MF(fs), ino);

	if (!i) {
		return ERR_NOT_FOUND;
	}
	mf_attr(out, i);
	return ERR_OK;
}

static err_t memfs_lookup(void *fs, fs_ino dir, const char *name,
				size_t len, struct fs_attr *out)
{
	struct inode *d = mf_inode(MF(fs), dir), *child;
	int e;

	if (!d) {
		return ERR_NOT_FOUND;
	}
	if (!LINUX_S_ISDIR(d->mode)) {
		return ERR_NOT_DIR;
	}
	if (len == 1 && name[0] == '.') {
		mf_attr(out, d);
		return ERR_OK;
	}
	e = d->ops->lookup(d, name, len, &child);
	if (e < 0) {
		return mf_err(e);
	}
	mf_attr(out, child);
	mf_keep(MF(fs), child);
	return ERR_OK;
}

static err_t memfs_setattr(void *fs, const struct fs_setattr *q,
				 struct fs_attr *out)
{
	struct inode *i = mf_inode(MF(fs), q->ino);
	struct vfs_attr a;
	int e;

	if (!i) {
		return ERR_NOT_FOUND;
	}
	memset(&a, 0, sizeof(a));
	a.valid = (q->valid & FS_SET_MODE ? VFS_ATTR_MODE : 0) |
		  (q->valid & FS_SET_UID ? VFS_ATTR_UID : 0) |
		  (q->valid & FS_SET_GID ? VFS_ATTR_GID : 0) |
		  (q->valid & FS_SET_SIZE ? VFS_ATTR_SIZE : 0) |
		  (q->valid & FS_SET_ATIME ? VFS_ATTR_ATIME : 0) |
		  (q->valid & FS_SET_MTIME ? VFS_ATTR_MTIME : 0) |
		  (q->valid & FS_SET_CTIME ? VFS_ATTR_CTIME : 0);
	a.mode = q->mode;
	a.uid = q->uid;
	a.gid = q->gid;
	a.size = q->size;
	a.atime.sec = q->atime.sec;
	a.atime.nsec = q->atime.nsec;
	a.mtime.sec = q->mtime.sec;
	a.mtime.nsec = q->mtime.nsec;
	a.ctime.sec = q->ctime.sec;
	a.ctime.nsec = q->ctime.nsec;
	if (q->valid & FS_SET_SIZE && LINUX_S_ISDIR(i->mode)) {
		return ERR_IS_DIR;
	}
	e = i->ops->setattr(i, &a);
	mf_attr(out, i);
	return mf_err(e < 0 ? e : 0);
}

static err_t memfs_io(void *fs, fs_ino ino, uint64_t off, void *buf,
			    size_t len, bool write, size_t *done,
			    struct fs_attr *out)
{
	struct inode *i = mf_inode(MF(fs), ino);
	int64_t n;

	if (!i) {
		return ERR_NOT_FOUND;
	}
	if (LINUX_S_ISDIR(i->mode)) {
		return ERR_IS_DIR;
	}
	n = write ? i->ops->write(i, buf, len, off)
		  : i->ops->read(i, buf, len, off);
	if (n < 0) {
		return mf_err((int)n);
	}
	*done = (size_t)n;
	mf_attr(out, i);
	return ERR_OK;
}

static err_t memfs_read(void *fs, fs_ino ino, uint64_t off, void *buf,
			      size_t len, size_t *done, struct fs_attr *out)
{
	return memfs_io(fs, ino, off, buf, len, false, done, out);
}

static err_t memfs_write(void *fs, fs_ino ino, uint64_t off,
			       const void *buf, size_t len, bool append,
			       size_t *done, struct fs_attr *out)
{
	struct inode *i = mf_inode(MF(fs), ino);

	if (!i) {
		return ERR_NOT_FOUND;
	}
	return memfs_io(fs, ino, append ? i->size : off, (void *)buf, len,
		       true, done, out);
}

static err_t memfs_create(void *fs, fs_ino dir, const char *name,
				size_t len, uint32_t mode, uint64_t rdev,
				uint32_t uid, uint32_t gid, const char *target,
				size_t target_len, struct fs_attr *out,
				struct fs_attr *dir_out)
{
	struct inode *d = mf_inode(MF(fs), dir), *child, *there;
	int e;

	if (!d) {
		return ERR_NOT_FOUND;
	}
	if (!LINUX_S_ISDIR(d->mode)) {
		return ERR_NOT_DIR;
	}
	if (d->ops->lookup(d, name, len, &there) == 0) {
		vfs_inode_put(there);
		return ERR_EXISTS;
	}
	if (LINUX_S_ISDIR(mode)) {
		e = d->ops->mkdir(d, name, len, mode, uid, gid, &child);
	} else if (LINUX_S_ISLNK(mode)) {
		char *t = malloc(target_len + 1);

		if (!t) {
			return ERR_NO_MEMORY;
		}
		memcpy(t, target, target_len);
		t[target_len] = '\0';
		e = d->ops->symlink(d, name, len, t, uid, gid, &child);
		free(t);
	} else {
		e = d->ops->create(d, name, len, mode, rdev, uid, gid, &child);
	}
	if (e < 0) {
		return mf_err(e);
	}
	mf_attr(out, child);
	mf_attr(dir_out, d);
	mf_keep(MF(fs), child);
	return ERR_OK;
}

static err_t memfs_link(void *fs, fs_ino dir, const char *name,
			      size_t len, fs_ino ino, struct fs_attr *out,
			      struct fs_attr *dir_out)
{
	struct inode *d = mf_inode(MF(fs), dir), *i = mf_inode(MF(fs), ino);
	int e;

	if (!d || !i) {
		return ERR_NOT_FOUND;
	}
	if (!LINUX_S_ISDIR(d->mode)) {
		return ERR_NOT_DIR;
	}
	if (LINUX_S_ISDIR(i->mode)) {
		return ERR_ACCESS;
	}
	e = d->ops->link(d, name, len, i);
	if (e < 0) {
		return mf_err(e);
	}
	mf_attr(out, i);
	mf_attr(dir_out, d);
	return ERR_OK;
}

static err_t memfs_unlink(void *fs, fs_ino dir, const char *name,
				size_t len, bool rmdir, struct fs_attr *out,
				struct fs_attr *dir_out)
{
	struct inode *d = mf_inode(MF(fs), dir), *child;
	int e;

	if (!d) {
		return ERR_NOT_FOUND;
	}
	if (!LINUX_S_ISDIR(d->mode)) {
		return ERR_NOT_DIR;
	}
	e = d->ops->lookup(d, name, len, &child);
	if (e < 0) {
		return mf_err(e);
	}
	if (rmdir != LINUX_S_ISDIR(child->mode)) {
		vfs_inode_put(child);
		return rmdir ? ERR_NOT_DIR : ERR_IS_DIR;
	}
	e = rmdir ? d->ops->rmdir(d, name, len) : d->ops->unlink(d, name, len);
	if (e == 0) {
		mf_attr(out, child);
		mf_attr(dir_out, d);
	}
	vfs_inode_put(child);
	return mf_err(e);
}

static err_t memfs_rename(void *fs, fs_ino odir, const char *oname,
				size_t olen, fs_ino ndir, const char *nname,
				size_t nlen, unsigned flags,
				struct fs_rename_reply *rep)
{
	struct inode *od = mf_inode(MF(fs), odir), *nd = mf_inode(MF(fs), ndir);
	struct inode *moved = NULL, *replaced = NULL;
	unsigned lflags = 0;
	int e;

	if (!od || !nd) {
		return ERR_NOT_FOUND;
	}
	e = od->ops->lookup(od, oname, olen, &moved);
	if (e < 0) {
		return mf_err(e);
	}
	if (nd->ops->lookup(nd, nname, nlen, &replaced) < 0) {
		replaced = NULL;
	}
	lflags |= flags & FS_RENAME_NOREPLACE ? LINUX_RENAME_NOREPLACE : 0;
	lflags |= flags & FS_RENAME_EXCHANGE ? LINUX_RENAME_EXCHANGE : 0;
	e = od->ops->rename(od, oname, olen, nd, nname, nlen, lflags);
	if (e == 0) {
		mf_attr(&rep->old_dir, od);
		if (nd != od) {
			mf_attr(&rep->new_dir, nd);
		}
		mf_attr(&rep->moved, moved);
		if (replaced && replaced != moved) {
			mf_attr(&rep->replaced, replaced);
		}
	}
	vfs_inode_put(moved);
	vfs_inode_put(replaced);
	return mf_err(e);
}

static err_t memfs_readlink(void *fs, fs_ino ino, char *buf, size_t cap,
				  size_t *len)
{
	struct inode *i = mf_inode(MF(fs), ino);
	int64_t n;

	if (!i) {
		return ERR_NOT_FOUND;
	}
	if (!LINUX_S_ISLNK(i->mode)) {
		return ERR_INVALID;
	}
	n = i->ops->readlink(i, buf, cap);
	if (n < 0) {
		return mf_err((int)n);
	}
	*len = (size_t)n;
	return ERR_OK;
}

struct memfs_fill {
	fsserve_fill_fn fill;
	void *ctx;
};

static int memfs_filldir(void *ctx, const char *name, size_t len,
			       uint64_t ino, unsigned type, uint64_t next)
{
	struct memfs_fill *f = ctx;

	return f->fill(f->ctx, name, len, ino, type, next);
}

static err_t memfs_readdir(void *fs, fs_ino dir, uint64_t pos,
				 fsserve_fill_fn fill, void *ctx)
{
	struct inode *d = mf_inode(MF(fs), dir);
	struct memfs_fill f = { fill, ctx };

	if (!d) {
		return ERR_NOT_FOUND;
	}
	if (!LINUX_S_ISDIR(d->mode)) {
		return ERR_NOT_DIR;
	}
	return mf_err(d->ops->readdir(d, &pos, memfs_filldir, &f));
}

static err_t memfs_seek(void *fs, fs_ino ino, uint64_t off, bool hole,
			      uint64_t *out)
{
	struct inode *i = mf_inode(MF(fs), ino);
	int64_t pos = i->ops->seek_data(i, off, hole);

	if (!i) {
		return ERR_NOT_FOUND;
	}
	if (pos < 0) {
		return mf_err((int)pos);
	}
	*out = (uint64_t)pos;
	return ERR_OK;
}

static err_t memfs_statfs(void *fs, struct fs_statfs_reply *rep)
{
	struct linux_statfs s;

	memset(&s, 0, sizeof(s));
	if (MF(fs)->sb->ops->statfs(MF(fs)->sb, &s) < 0) {
		return ERR_IO;
	}
	rep->magic = (uint64_t)s.f_type;
	rep->block_size = (uint64_t)s.f_bsize;
	rep->blocks = s.f_blocks;
	rep->blocks_free = s.f_bfree;
	rep->blocks_avail = s.f_bavail;
	rep->files = s.f_files;
	rep->files_free = s.f_ffree;
	rep->name_max = s.f_namelen ? (uint32_t)s.f_namelen : FS_NAME_MAX;
	return ERR_OK;
}

static err_t memfs_sync(void *fs, fs_ino ino)
{
	(void)fs;
	(void)ino;
	return ERR_OK;
}

static void memfs_release(void *fs, fs_ino ino)
{
	struct memfs *m = MF(fs);
	struct memfs_node **pp = &m->nodes;

	if (ino == m->sb->root->ino) {
		return;		/* kept for the next client's ATTACH */
	}
	while (*pp && (*pp)->inode->ino != ino) {
		pp = &(*pp)->next;
	}
	if (*pp) {
		struct memfs_node *n = *pp;

		*pp = n->next;
		vfs_inode_put(n->inode);
		free(n);
	}
}

const struct fsserve_ops memfs_ops = {
	.getattr = memfs_getattr,
	.lookup = memfs_lookup,
	.setattr = memfs_setattr,
	.read = memfs_read,
	.write = memfs_write,
	.create = memfs_create,
	.link = memfs_link,
	.unlink = memfs_unlink,
	.rename = memfs_rename,
	.readlink = memfs_readlink,
	.readdir = memfs_readdir,
	.seek = memfs_seek,
	.statfs = memfs_statfs,
	.sync = memfs_sync,
	.release = memfs_release,
};

void memfs_init(struct memfs *m, struct vfs_sb *sb)
{
	m->sb = sb;
	m->nodes = NULL;
	vfs_inode_get(sb->root);
	mf_keep(m, sb->root);
}

uint64_t memfs_root(const struct memfs *m)
{
	return m->sb->root->ino;
}

size_t memfs_held(const struct memfs *m)
{
	size_t n = 0;

	for (const struct memfs_node *i = m->nodes; i; i = i->next) {
		n++;
	}
	return n;
}

void memfs_fini(struct memfs *m)
{
	while (m->nodes) {
		struct memfs_node *n = m->nodes;

		m->nodes = n->next;
		vfs_inode_put(n->inode);
		free(n);
	}
	vfs_sb_put(m->sb);
	m->sb = NULL;
}
