/*
 * A file-system server inside the test process: lib/fsserve (the
 * protocol's server side, as every Keel file-system server uses it) over
 * a tmpfs instance through its inode operations, and the remotefs
 * transport that calls it directly. The posix server's remotefs then
 * sits over tmpfs with the protocol and its checks on both sides in
 * between.
 *
 * With it, the vfs tests (test_vfs.c built with FX_REMOTEFS) run over
 * remotefs: tmpfs behind the protocol must behave exactly as tmpfs. The
 * adapter (lbfs_*) trusts fsserve's checks and adds the type checks a
 * file system makes itself, as tmpfs relies on the vfs for them.
 */
#pragma once

#include <stdlib.h>
#include <string.h>

#include "../../lib/fsserve/fsserve.h"
#include "../../lib/proto/proto.h"
#include "../../servers/posix/remotefs.h"
#include "../../servers/posix/tmpfs.h"
#include <keel/error.h>
#include <linux_abi/errno.h>

#define LB_XFER (256u * 1024)

/* An inode the adapter gave out, with one vfs reference. */
struct lb_node {
	struct inode *inode;
	struct lb_node *next;
};

struct loopback {
	struct remotefs_transport t;
	struct vfs_sb *sb;		/* the served tmpfs, referenced */
	struct lb_node *nodes;
	struct fsserve srv;
	uint64_t requests;		/* served, for the tests */
	uint64_t forgets;		/* FORGET requests served */
	/* Tests of a misbehaving server: may rewrite a reply (@len its
	 * length) before the client sees it. */
	void (*mangle)(struct loopback *lb, uint32_t id, uint8_t *msg,
		       size_t *len);
	bool dead;			/* every call: -ERR_PEER_CLOSED */
	uint8_t *area;
	_Alignas(8) uint8_t msg[PROTO_MSG_MAX];	/* the reply being built */
};

static inline struct loopback *lb_of(struct remotefs_transport *t)
{
	return (struct loopback *)t;
}

static inline err_t lb_err(int e)
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

static inline struct inode *lb_inode(struct loopback *lb, fs_ino ino)
{
	for (struct lb_node *n = lb->nodes; n; n = n->next) {
		if (n->inode->ino == ino) {
			return n->inode;
		}
	}
	return NULL;
}

/* Keeps @inode (a vfs reference of the caller's, passed on or dropped)
 * findable by number until fsserve releases it. */
static inline void lb_keep(struct loopback *lb, struct inode *inode)
{
	struct lb_node *n;

	if (lb_inode(lb, inode->ino)) {
		vfs_inode_put(inode);
		return;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		abort();
	}
	n->inode = inode;
	n->next = lb->nodes;
	lb->nodes = n;
}

static inline void lb_attr(struct fs_attr *a, const struct inode *i)
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

/* The adapter's file system context is the loopback. */
#define LB(fs) ((struct loopback *)(fs))

static inline err_t lbfs_getattr(void *fs, fs_ino ino, struct fs_attr *out)
{
	struct inode *i = lb_inode(LB(fs), ino);

	if (!i) {
		return ERR_NOT_FOUND;
	}
	lb_attr(out, i);
	return ERR_OK;
}

static inline err_t lbfs_lookup(void *fs, fs_ino dir, const char *name,
				size_t len, struct fs_attr *out)
{
	struct inode *d = lb_inode(LB(fs), dir), *child;
	int e;

	if (!LINUX_S_ISDIR(d->mode)) {
		return ERR_NOT_DIR;
	}
	if (len == 1 && name[0] == '.') {
		lb_attr(out, d);
		return ERR_OK;
	}
	e = d->ops->lookup(d, name, len, &child);
	if (e < 0) {
		return lb_err(e);
	}
	lb_attr(out, child);
	lb_keep(LB(fs), child);
	return ERR_OK;
}

static inline err_t lbfs_setattr(void *fs, const struct fs_setattr *q,
				 struct fs_attr *out)
{
	struct inode *i = lb_inode(LB(fs), q->ino);
	struct vfs_attr a;
	int e;

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
	lb_attr(out, i);
	return lb_err(e < 0 ? e : 0);
}

static inline err_t lbfs_io(void *fs, fs_ino ino, uint64_t off, void *buf,
			    size_t len, bool write, size_t *done,
			    struct fs_attr *out)
{
	struct inode *i = lb_inode(LB(fs), ino);
	int64_t n;

	if (LINUX_S_ISDIR(i->mode)) {
		return ERR_IS_DIR;
	}
	n = write ? i->ops->write(i, buf, len, off)
		  : i->ops->read(i, buf, len, off);
	if (n < 0) {
		return lb_err((int)n);
	}
	*done = (size_t)n;
	lb_attr(out, i);
	return ERR_OK;
}

static inline err_t lbfs_read(void *fs, fs_ino ino, uint64_t off, void *buf,
			      size_t len, size_t *done, struct fs_attr *out)
{
	return lbfs_io(fs, ino, off, buf, len, false, done, out);
}

static inline err_t lbfs_write(void *fs, fs_ino ino, uint64_t off,
			       const void *buf, size_t len, bool append,
			       size_t *done, struct fs_attr *out)
{
	struct inode *i = lb_inode(LB(fs), ino);

	return lbfs_io(fs, ino, append ? i->size : off, (void *)buf, len,
		       true, done, out);
}

static inline err_t lbfs_create(void *fs, fs_ino dir, const char *name,
				size_t len, uint32_t mode, uint64_t rdev,
				uint32_t uid, uint32_t gid, const char *target,
				size_t target_len, struct fs_attr *out,
				struct fs_attr *dir_out)
{
	struct inode *d = lb_inode(LB(fs), dir), *child, *there;
	int e;

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
		char *t = calloc(1, target_len + 1);

		memcpy(t, target, target_len);
		e = d->ops->symlink(d, name, len, t, uid, gid, &child);
		free(t);
	} else {
		e = d->ops->create(d, name, len, mode, rdev, uid, gid, &child);
	}
	if (e < 0) {
		return lb_err(e);
	}
	lb_attr(out, child);
	lb_attr(dir_out, d);
	lb_keep(LB(fs), child);
	return ERR_OK;
}

static inline err_t lbfs_link(void *fs, fs_ino dir, const char *name,
			      size_t len, fs_ino ino, struct fs_attr *out,
			      struct fs_attr *dir_out)
{
	struct inode *d = lb_inode(LB(fs), dir), *i = lb_inode(LB(fs), ino);
	int e;

	if (!LINUX_S_ISDIR(d->mode)) {
		return ERR_NOT_DIR;
	}
	if (LINUX_S_ISDIR(i->mode)) {
		return ERR_ACCESS;
	}
	e = d->ops->link(d, name, len, i);
	if (e < 0) {
		return lb_err(e);
	}
	lb_attr(out, i);
	lb_attr(dir_out, d);
	return ERR_OK;
}

static inline err_t lbfs_unlink(void *fs, fs_ino dir, const char *name,
				size_t len, bool rmdir, struct fs_attr *out,
				struct fs_attr *dir_out)
{
	struct inode *d = lb_inode(LB(fs), dir), *child;
	int e;

	if (!LINUX_S_ISDIR(d->mode)) {
		return ERR_NOT_DIR;
	}
	e = d->ops->lookup(d, name, len, &child);
	if (e < 0) {
		return lb_err(e);
	}
	if (rmdir != LINUX_S_ISDIR(child->mode)) {
		vfs_inode_put(child);
		return rmdir ? ERR_NOT_DIR : ERR_IS_DIR;
	}
	e = rmdir ? d->ops->rmdir(d, name, len) : d->ops->unlink(d, name, len);
	if (e == 0) {
		lb_attr(out, child);
		lb_attr(dir_out, d);
	}
	vfs_inode_put(child);
	return lb_err(e);
}

static inline err_t lbfs_rename(void *fs, fs_ino odir, const char *oname,
				size_t olen, fs_ino ndir, const char *nname,
				size_t nlen, unsigned flags,
				struct fs_rename_reply *rep)
{
	struct inode *od = lb_inode(LB(fs), odir), *nd = lb_inode(LB(fs), ndir);
	struct inode *moved = NULL, *replaced = NULL;
	unsigned lflags = 0;
	int e;

	e = od->ops->lookup(od, oname, olen, &moved);
	if (e < 0) {
		return lb_err(e);
	}
	if (nd->ops->lookup(nd, nname, nlen, &replaced) < 0) {
		replaced = NULL;
	}
	lflags |= flags & FS_RENAME_NOREPLACE ? LINUX_RENAME_NOREPLACE : 0;
	lflags |= flags & FS_RENAME_EXCHANGE ? LINUX_RENAME_EXCHANGE : 0;
	e = od->ops->rename(od, oname, olen, nd, nname, nlen, lflags);
	if (e == 0) {
		lb_attr(&rep->old_dir, od);
		if (nd != od) {
			lb_attr(&rep->new_dir, nd);
		}
		lb_attr(&rep->moved, moved);
		if (replaced && replaced != moved) {
			lb_attr(&rep->replaced, replaced);
		}
	}
	vfs_inode_put(moved);
	vfs_inode_put(replaced);
	return lb_err(e);
}

static inline err_t lbfs_readlink(void *fs, fs_ino ino, char *buf, size_t cap,
				  size_t *len)
{
	struct inode *i = lb_inode(LB(fs), ino);
	int64_t n;

	if (!LINUX_S_ISLNK(i->mode)) {
		return ERR_INVALID;
	}
	n = i->ops->readlink(i, buf, cap);
	if (n < 0) {
		return lb_err((int)n);
	}
	*len = (size_t)n;
	return ERR_OK;
}

struct lbfs_fill {
	fsserve_fill_fn fill;
	void *ctx;
};

static inline int lbfs_filldir(void *ctx, const char *name, size_t len,
			       uint64_t ino, unsigned type, uint64_t next)
{
	struct lbfs_fill *f = ctx;

	return f->fill(f->ctx, name, len, ino, type, next);
}

static inline err_t lbfs_readdir(void *fs, fs_ino dir, uint64_t pos,
				 fsserve_fill_fn fill, void *ctx)
{
	struct inode *d = lb_inode(LB(fs), dir);
	struct lbfs_fill f = { fill, ctx };

	if (!LINUX_S_ISDIR(d->mode)) {
		return ERR_NOT_DIR;
	}
	return lb_err(d->ops->readdir(d, &pos, lbfs_filldir, &f));
}

static inline err_t lbfs_seek(void *fs, fs_ino ino, uint64_t off, bool hole,
			      uint64_t *out)
{
	struct inode *i = lb_inode(LB(fs), ino);
	int64_t pos = i->ops->seek_data(i, off, hole);

	if (pos < 0) {
		return lb_err((int)pos);
	}
	*out = (uint64_t)pos;
	return ERR_OK;
}

static inline err_t lbfs_statfs(void *fs, struct fs_statfs_reply *rep)
{
	struct linux_statfs s;

	if (LB(fs)->sb->ops->statfs(LB(fs)->sb, &s) < 0) {
		return ERR_IO;
	}
	rep->magic = (uint64_t)s.f_type;
	rep->block_size = (uint64_t)s.f_bsize;
	rep->blocks = s.f_blocks;
	rep->blocks_free = s.f_bfree;
	rep->blocks_avail = s.f_bavail;
	rep->files = s.f_files;
	rep->files_free = s.f_ffree;
	rep->name_max = (uint32_t)s.f_namelen;
	return ERR_OK;
}

static inline err_t lbfs_sync(void *fs, fs_ino ino)
{
	(void)fs;
	(void)ino;
	return ERR_OK;
}

static inline void lbfs_release(void *fs, fs_ino ino)
{
	struct loopback *lb = LB(fs);
	struct lb_node **pp = &lb->nodes;

	while (*pp && (*pp)->inode->ino != ino) {
		pp = &(*pp)->next;
	}
	if (*pp) {
		struct lb_node *n = *pp;

		*pp = n->next;
		vfs_inode_put(n->inode);
		free(n);
	}
}

static const struct fsserve_ops lbfs_ops = {
	.getattr = lbfs_getattr,
	.lookup = lbfs_lookup,
	.setattr = lbfs_setattr,
	.read = lbfs_read,
	.write = lbfs_write,
	.create = lbfs_create,
	.link = lbfs_link,
	.unlink = lbfs_unlink,
	.rename = lbfs_rename,
	.readlink = lbfs_readlink,
	.readdir = lbfs_readdir,
	.seek = lbfs_seek,
	.statfs = lbfs_statfs,
	.sync = lbfs_sync,
	.release = lbfs_release,
};

static inline int64_t lb_call(struct remotefs_transport *t, uint32_t id,
			      void *req, size_t len, uint64_t handle,
			      void *reply, size_t min_reply, size_t cap)
{
	struct loopback *lb = lb_of(t);
	size_t rlen;
	int64_t st;

	(void)handle;
	proto_header_set(req, id, len);
	if (proto_request_frame_check(req, len) != ERR_OK) {
		abort();	/* remotefs built a bad frame */
	}
	if (lb->dead) {
		return -(int64_t)ERR_PEER_CLOSED;
	}
	lb->requests++;
	lb->forgets += id == FS_FORGET;
	rlen = fsserve_handle(&lb->srv, req, len,
			      id == FS_ATTACH ? lb->area : NULL,
			      id == FS_ATTACH ? LB_XFER : 0, lb->msg,
			      sizeof(lb->msg));
	if (lb->mangle) {
		lb->mangle(lb, id, lb->msg, &rlen);
	}
	if (rlen > cap) {
		return -ERR_CORRUPT;
	}
	memcpy(reply, lb->msg, rlen);
	st = proto_reply_check(reply, rlen, id, min_reply, cap);
	return st;
}

static inline void lb_wait(struct remotefs_transport *t)
{
	(void)t;
	abort();	/* one caller at a time here: a slot is always free */
}

static inline void lb_wake(struct remotefs_transport *t)
{
	(void)t;
}

/* The rfs superblock this transport serves, set after remotefs_mount,
 * and the loopback itself (one at a time). */
static struct vfs_sb *lb_client_sb;
static struct loopback *lb_current;

static inline void lb_kick(struct remotefs_transport *t)
{
	(void)t;
	/* Nothing here waits, so the FORGETs go at once (the server's
	 * flusher sends them from a fiber of its own). */
	if (lb_client_sb) {
		remotefs_flush(lb_client_sb);
	}
}

static inline void lb_close(struct remotefs_transport *t)
{
	struct loopback *lb = lb_of(t);

	fsserve_detach(&lb->srv);
	if (lb->nodes) {
		abort();	/* fsserve lost track of a reference */
	}
	vfs_sb_put(lb->sb);
	free(lb->area);
	free(lb);
	lb_client_sb = NULL;
	lb_current = NULL;
}

/* A loopback over tmpfs instance @sb (its reference passes to it). */
static inline struct loopback *lb_create(struct vfs_sb *sb)
{
	struct loopback *lb = calloc(1, sizeof(*lb));

	if (!lb || !(lb->area = calloc(1, LB_XFER))) {
		abort();
	}
	lb->sb = sb;
	vfs_inode_get(sb->root);
	lb_keep(lb, sb->root);
	/* tmpfs's largest file is Linux's: the largest offset. */
	fsserve_init(&lb->srv, &lbfs_ops, lb, sb->root->ino, false, 4096,
		     INT64_MAX);
	lb->t.call = lb_call;
	lb->t.wait = lb_wait;
	lb->t.wake = lb_wake;
	lb->t.kick = lb_kick;
	lb->t.close = lb_close;
	/* Both sides see the same memory, as with a shared object. */
	lb->t.xfer = lb->area;
	lb->t.xfer_size = LB_XFER;
	lb_current = lb;
	return lb;
}
