/*
 * A file-system server of the protocol (abi/keel/proto/fs.h) inside the
 * test process, serving a tmpfs instance through its inode operations,
 * and the remotefs transport that calls it directly: the posix server's
 * remotefs then sits over tmpfs with the protocol in between. Every
 * message goes through lib/proto's frame checks both ways, the way the
 * real transport checks them.
 *
 * With it, the vfs tests (test_vfs.c built with FX_REMOTEFS) run over
 * remotefs: tmpfs behind the protocol must behave exactly as tmpfs.
 * It trusts its client (the tmpfs ops rely on the checks the client's
 * vfs made); the real servers check everything.
 */
#pragma once

#include <stdlib.h>
#include <string.h>

#include "../../lib/proto/proto.h"
#include "../../servers/posix/remotefs.h"
#include "../../servers/posix/tmpfs.h"
#include <keel/error.h>
#include <linux_abi/errno.h>

#define LB_XFER (256u * 1024)

struct lb_ref {
	struct inode *inode;		/* one vfs reference per lb_ref */
	uint64_t count;			/* the client's references */
	struct lb_ref *next;
};

struct loopback {
	struct remotefs_transport t;
	struct vfs_sb *sb;		/* the served tmpfs, referenced */
	struct lb_ref *refs;
	bool attached;
	uint64_t requests;		/* served, for the tests */
	uint64_t forgets;		/* FORGET requests served */
	/* Tests of a misbehaving server: may rewrite a reply (@len its
	 * length) before the client sees it. */
	void (*mangle)(struct loopback *lb, uint32_t id, uint8_t *msg,
		       size_t *len);
	bool dead;			/* every call: -ERR_PEER_CLOSED */
	uint8_t *area;
	uint8_t msg[PROTO_MSG_MAX];	/* the reply being built */
};

static inline struct loopback *lb_of(struct remotefs_transport *t)
{
	return (struct loopback *)t;
}

static inline err_t lb_err(int e)
{
	switch (-e) {
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
	default: return ERR_IO;
	}
}

static inline struct lb_ref *lb_find(struct loopback *lb, uint64_t ino)
{
	for (struct lb_ref *r = lb->refs; r; r = r->next) {
		if (r->inode->ino == ino) {
			return r;
		}
	}
	return NULL;
}

/* The client gets a reference to @inode (the caller's vfs reference
 * passes to the table or is dropped). */
static inline void lb_give(struct loopback *lb, struct inode *inode)
{
	struct lb_ref *r = lb_find(lb, inode->ino);

	if (r) {
		r->count++;
		vfs_inode_put(inode);
		return;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		abort();
	}
	r->inode = inode;
	r->count = 1;
	r->next = lb->refs;
	lb->refs = r;
}

static inline void lb_forget(struct loopback *lb, uint64_t ino, uint64_t n)
{
	struct lb_ref **pp = &lb->refs;

	while (*pp && (*pp)->inode->ino != ino) {
		pp = &(*pp)->next;
	}
	if (!*pp || (*pp)->count < n) {
		abort();	/* the client returned what it did not hold */
	}
	if (((*pp)->count -= n) == 0) {
		struct lb_ref *r = *pp;

		*pp = r->next;
		vfs_inode_put(r->inode);
		free(r);
	}
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

struct lb_dirbuf {
	uint8_t *out;
	size_t used, max;
};

static inline int lb_fill(void *ctx, const char *name, size_t len,
			  uint64_t ino, unsigned type, uint64_t next)
{
	struct lb_dirbuf *b = ctx;
	size_t size = FS_DIRENT_SIZE(len);
	struct fs_dirent *e;

	if (b->used + size > b->max) {
		return 1;
	}
	e = (struct fs_dirent *)(b->out + b->used);
	memset(e, 0, size);
	e->ino = ino;
	e->next = next;
	e->name_len = (uint16_t)len;
	e->type = (uint8_t)type;
	memcpy(e->name, name, len);
	b->used += size;
	return 0;
}

/* Serves one request; the reply is built in lb->msg; returns its
 * length (the header's status set). */
static inline size_t lb_serve(struct loopback *lb, uint32_t id,
			      const void *msg, size_t len)
{
	struct proto_header *h = (struct proto_header *)lb->msg;
	size_t rlen = sizeof(*h);
	err_t err = ERR_OK;
	struct lb_ref *r = NULL;
	int e;

	(void)len;
	lb->requests++;
	memset(lb->msg, 0, sizeof(struct fs_rename_reply));
	if (!lb->attached && id != FS_ATTACH) {
		err = ERR_BAD_STATE;
		goto out;
	}
	switch (id) {
	case FS_ATTACH: {
		struct fs_attach_reply *rep = (void *)lb->msg;

		lb->attached = true;
		vfs_inode_get(lb->sb->root);
		lb_give(lb, lb->sb->root);
		lb_attr(&rep->root, lb->sb->root);
		rep->block_size = 4096;
		rep->max_file_size = 1ull << 40;
		rep->name_max = FS_NAME_MAX;
		rlen = sizeof(*rep);
		break;
	}
	case FS_LOOKUP:
	case FS_UNLINK:
	case FS_RMDIR: {
		const struct fs_name_req *q = msg;
		struct inode *child;

		if (!(r = lb_find(lb, q->dir))) {
			err = ERR_NOT_FOUND;
			break;
		}
		e = r->inode->ops->lookup(r->inode, q->name, q->name_len,
					  &child);
		if (e < 0) {
			err = lb_err(e);
			break;
		}
		if (id == FS_LOOKUP) {
			struct fs_attr_reply *rep = (void *)lb->msg;

			lb_attr(&rep->attr, child);
			lb_give(lb, child);
			rlen = sizeof(*rep);
			break;
		}
		e = id == FS_UNLINK
			    ? r->inode->ops->unlink(r->inode, q->name,
						    q->name_len)
			    : r->inode->ops->rmdir(r->inode, q->name,
						   q->name_len);
		if (e < 0) {
			err = lb_err(e);
		} else {
			struct fs_entry_reply *rep = (void *)lb->msg;

			lb_attr(&rep->attr, child);
			lb_attr(&rep->dir, r->inode);
			rlen = sizeof(*rep);
		}
		vfs_inode_put(child);
		break;
	}
	case FS_GETATTR:
	case FS_READLINK: {
		const struct fs_ino_req *q = msg;

		if (!(r = lb_find(lb, q->ino))) {
			err = ERR_NOT_FOUND;
		} else if (id == FS_GETATTR) {
			struct fs_attr_reply *rep = (void *)lb->msg;

			lb_attr(&rep->attr, r->inode);
			rlen = sizeof(*rep);
		} else {
			struct fs_data_reply *rep = (void *)lb->msg;
			int64_t n = r->inode->ops->readlink
					    ? r->inode->ops->readlink(
						      r->inode, (char *)rep->data,
						      FS_SYMLINK_MAX)
					    : -LINUX_EINVAL;

			if (n < 0) {
				err = lb_err((int)n);
			} else {
				rep->length = (uint32_t)n;
				rlen = FS_DATA_REPLY_SIZE(n);
			}
		}
		break;
	}
	case FS_SETATTR: {
		const struct fs_setattr *q = msg;
		struct vfs_attr a;

		if (!(r = lb_find(lb, q->ino))) {
			err = ERR_NOT_FOUND;
			break;
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
		e = r->inode->ops->setattr(r->inode, &a);
		if (e < 0) {
			err = lb_err(e);
		} else {
			struct fs_attr_reply *rep = (void *)lb->msg;

			lb_attr(&rep->attr, r->inode);
			rlen = sizeof(*rep);
		}
		break;
	}
	case FS_READ:
	case FS_WRITE: {
		const struct fs_io *q = msg;
		struct fs_io_reply *rep = (void *)lb->msg;
		int64_t n;

		if (!(r = lb_find(lb, q->ino))) {
			err = ERR_NOT_FOUND;
			break;
		}
		if (q->xfer_off > LB_XFER || q->length > LB_XFER - q->xfer_off) {
			err = ERR_INVALID;
			break;
		}
		n = id == FS_READ ? r->inode->ops->read(r->inode,
							lb->area + q->xfer_off,
							q->length, q->offset)
				  : r->inode->ops->write(r->inode,
							 lb->area + q->xfer_off,
							 q->length, q->offset);
		if (n < 0) {
			err = lb_err((int)n);
			break;
		}
		rep->done = (uint64_t)n;
		lb_attr(&rep->attr, r->inode);
		rlen = sizeof(*rep);
		break;
	}
	case FS_CREATE:
	case FS_MKDIR:
	case FS_SYMLINK: {
		const struct fs_create *q = msg;
		struct fs_entry_reply *rep = (void *)lb->msg;
		struct inode *child;

		if (!(r = lb_find(lb, q->dir))) {
			err = ERR_NOT_FOUND;
			break;
		}
		if (id == FS_CREATE) {
			e = r->inode->ops->create(r->inode, q->tail,
						  q->name_len, q->mode,
						  q->rdev, q->uid, q->gid,
						  &child);
		} else if (id == FS_MKDIR) {
			e = r->inode->ops->mkdir(r->inode, q->tail,
						 q->name_len, q->mode,
						 q->uid, q->gid, &child);
		} else {
			char *target = calloc(1, q->target_len + 1);

			memcpy(target, q->tail + q->name_len, q->target_len);
			e = r->inode->ops->symlink(r->inode, q->tail,
						   q->name_len, target,
						   q->uid, q->gid, &child);
			free(target);
		}
		if (e < 0) {
			err = lb_err(e);
			break;
		}
		lb_attr(&rep->attr, child);
		lb_attr(&rep->dir, r->inode);
		lb_give(lb, child);
		rlen = sizeof(*rep);
		break;
	}
	case FS_LINK: {
		const struct fs_link *q = msg;
		struct fs_entry_reply *rep = (void *)lb->msg;
		struct lb_ref *target = lb_find(lb, q->ino);

		if (!(r = lb_find(lb, q->dir)) || !target) {
			err = ERR_NOT_FOUND;
			break;
		}
		e = r->inode->ops->link(r->inode, q->name, q->name_len,
					target->inode);
		if (e < 0) {
			err = lb_err(e);
			break;
		}
		lb_attr(&rep->attr, target->inode);
		lb_attr(&rep->dir, r->inode);
		vfs_inode_get(target->inode);
		lb_give(lb, target->inode);
		rlen = sizeof(*rep);
		break;
	}
	case FS_RENAME: {
		const struct fs_rename *q = msg;
		struct fs_rename_reply *rep = (void *)lb->msg;
		struct lb_ref *nd = lb_find(lb, q->new_dir);
		struct inode *moved = NULL, *replaced = NULL;
		unsigned flags = 0;

		if (!(r = lb_find(lb, q->old_dir)) || !nd) {
			err = ERR_NOT_FOUND;
			break;
		}
		e = r->inode->ops->lookup(r->inode, q->names, q->old_len,
					  &moved);
		if (e < 0) {
			err = lb_err(e);
			break;
		}
		if (nd->inode->ops->lookup(nd->inode, q->names + q->old_len,
					   q->new_len, &replaced) < 0) {
			replaced = NULL;
		}
		flags |= q->flags & FS_RENAME_NOREPLACE
				 ? LINUX_RENAME_NOREPLACE
				 : 0;
		flags |= q->flags & FS_RENAME_EXCHANGE ? LINUX_RENAME_EXCHANGE
						       : 0;
		e = r->inode->ops->rename(r->inode, q->names, q->old_len,
					  nd->inode, q->names + q->old_len,
					  q->new_len, flags);
		if (e < 0) {
			err = lb_err(e);
		} else {
			lb_attr(&rep->old_dir, r->inode);
			if (nd != r) {
				lb_attr(&rep->new_dir, nd->inode);
			}
			lb_attr(&rep->moved, moved);
			if (replaced && replaced != moved) {
				lb_attr(&rep->replaced, replaced);
			}
			rlen = sizeof(*rep);
		}
		vfs_inode_put(moved);
		vfs_inode_put(replaced);
		break;
	}
	case FS_READDIR: {
		const struct fs_readdir *q = msg;
		struct fs_data_reply *rep = (void *)lb->msg;
		struct lb_dirbuf b = { rep->data, 0, q->max };
		uint64_t pos = q->pos;

		if (!(r = lb_find(lb, q->dir))) {
			err = ERR_NOT_FOUND;
			break;
		}
		e = r->inode->ops->readdir(r->inode, &pos, lb_fill, &b);
		if (e < 0) {
			err = lb_err(e);
			break;
		}
		rep->length = (uint32_t)b.used;
		rlen = FS_DATA_REPLY_SIZE(b.used);
		break;
	}
	case FS_STATFS: {
		struct fs_statfs_reply *rep = (void *)lb->msg;
		struct linux_statfs s;

		if (lb->sb->ops->statfs(lb->sb, &s) < 0) {
			err = ERR_IO;
			break;
		}
		rep->magic = (uint64_t)s.f_type;
		rep->block_size = (uint64_t)s.f_bsize;
		rep->blocks = s.f_blocks;
		rep->blocks_free = s.f_bfree;
		rep->blocks_avail = s.f_bavail;
		rep->files = s.f_files;
		rep->files_free = s.f_ffree;
		rep->name_max = (uint32_t)s.f_namelen;
		rlen = sizeof(*rep);
		break;
	}
	case FS_SEEK: {
		const struct fs_seek *q = msg;
		struct fs_seek_reply *rep = (void *)lb->msg;
		int64_t pos;

		if (!(r = lb_find(lb, q->ino))) {
			err = ERR_NOT_FOUND;
			break;
		}
		pos = r->inode->ops->seek_data
			      ? r->inode->ops->seek_data(r->inode, q->offset,
							 q->flags & FS_SEEK_HOLE)
			      : (int64_t)q->offset;
		if (pos == -LINUX_ENXIO) {
			err = ERR_RANGE;
		} else if (pos < 0) {
			err = lb_err((int)pos);
		} else {
			rep->offset = (uint64_t)pos;
			rlen = sizeof(*rep);
		}
		break;
	}
	case FS_SYNC:
		break;
	case FS_FORGET: {
		const struct fs_forget *q = msg;

		lb->forgets++;
		lb_forget(lb, q->ino, q->count);
		break;
	}
	default:
		err = ERR_NOT_SUPPORTED;
		break;
	}
out:
	if (err) {
		rlen = sizeof(*h);
	}
	proto_header_set(lb->msg, id | PROTO_REPLY, rlen);
	h->status = -(int32_t)err;
	return rlen;
}

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
	rlen = lb_serve(lb, id, req, len);
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

	while (lb->refs) {
		struct lb_ref *r = lb->refs;

		lb->refs = r->next;
		vfs_inode_put(r->inode);
		free(r);
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
