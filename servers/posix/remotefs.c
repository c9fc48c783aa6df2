/*
 * remotefs (see remotefs.h): the VFS's inode operations as requests of
 * the file-system protocol (abi/keel/proto/fs.h).
 */
#include "remotefs.h"

#ifdef HOST_TEST
#include <stdlib.h>
#else
#include <rt/malloc.h>
#endif

#include <base/string.h>
#include <keel/error.h>
#include <linux_abi/errno.h>

#define HASH_BUCKETS 256u
#define FORGET_BATCH 64u

struct rfs_inode {
	struct inode v;
	struct rfs_inode *hnext;	/* hash chain */
	uint64_t nlookup;		/* server references held */
	/* Where it was last seen: its directory (referenced; NULL for the
	 * root and until known) and name there (malloc'd). */
	struct rfs_inode *parent;
	char *name;
	size_t name_len;
	/* The access time as the server last said: the VFS sets atime
	 * here (relatime) without telling the file system, and it goes
	 * back to the server when the inode is dropped (lazytime). */
	struct vfs_timespec srv_atime;
};

struct rfs_forget {
	fs_ino ino;
	uint64_t count;
	bool atime_dirty;		/* a SETATTR of @atime goes first */
	struct vfs_timespec atime;
};

struct rfs_sb {
	struct vfs_sb vsb;
	struct remotefs_transport *t;
	struct rfs_inode *hash[HASH_BUCKETS];
	unsigned flags;			/* FS_MOUNT_* in force */
	uint32_t block_size;
	uint32_t slots_free;		/* bit per transfer slot */
	uint32_t slot_count;
	bool slot_waiters;
	struct rfs_forget *forgets;	/* queued FORGETs */
	size_t nforgets, forgets_cap;
	bool dying;			/* destroy under way */
};

static const struct inode_ops rfs_iops;
static const struct vfs_sb_ops rfs_sops;

static struct rfs_inode *ri(struct inode *inode)
{
	return container_of(inode, struct rfs_inode, v);
}

static struct rfs_sb *rsb(struct vfs_sb *sb)
{
	return container_of(sb, struct rfs_sb, vsb);
}

int remotefs_errno(int64_t status)
{
	switch (status >= 0 ? ERR_OK : (err_t)-status) {
	case ERR_OK: return 0;
	case ERR_INVALID: return -LINUX_EINVAL;
	case ERR_NO_MEMORY: return -LINUX_ENOMEM;
	case ERR_FAULT: return -LINUX_EFAULT;
	case ERR_ACCESS: return -LINUX_EACCES;
	case ERR_NOT_FOUND: return -LINUX_ENOENT;
	case ERR_EXISTS: return -LINUX_EEXIST;
	case ERR_NOT_SUPPORTED: return -LINUX_EOPNOTSUPP;
	case ERR_RANGE: return -LINUX_ERANGE;
	case ERR_TOO_BIG: return -LINUX_EFBIG;
	case ERR_BUSY: return -LINUX_EBUSY;
	case ERR_WOULD_BLOCK: return -LINUX_EAGAIN;
	case ERR_TIMED_OUT: return -LINUX_ETIMEDOUT;
	case ERR_NO_SPACE: return -LINUX_ENOSPC;
	case ERR_INTERRUPTED: return -LINUX_EINTR;
	case ERR_NOT_DIR: return -LINUX_ENOTDIR;
	case ERR_IS_DIR: return -LINUX_EISDIR;
	case ERR_NOT_EMPTY: return -LINUX_ENOTEMPTY;
	case ERR_READ_ONLY: return -LINUX_EROFS;
	case ERR_TOO_MANY: return -LINUX_EMLINK;
	/* The server went away, the reply made no sense, the disk is
	 * damaged or failing: the data cannot be had. */
	default: return -LINUX_EIO;
	}
}

/* ---- the inode table ---- */

static unsigned hash_of(fs_ino ino)
{
	return (unsigned)((ino * 0x9e3779b97f4a7c15ull) >> 56) %
	       HASH_BUCKETS;
}

static struct rfs_inode *hash_find(struct rfs_sb *s, fs_ino ino)
{
	for (struct rfs_inode *r = s->hash[hash_of(ino)]; r; r = r->hnext) {
		if (r->v.ino == ino) {
			return r;
		}
	}
	return NULL;
}

static void hash_remove(struct rfs_sb *s, struct rfs_inode *r)
{
	struct rfs_inode **pp = &s->hash[hash_of(r->v.ino)];

	while (*pp && *pp != r) {
		pp = &(*pp)->hnext;
	}
	if (*pp) {
		*pp = r->hnext;
	}
	r->hnext = NULL;
}

static void vts(struct vfs_timespec *out, const struct fs_time *t)
{
	out->sec = t->sec;
	out->nsec = t->nsec < 1000000000u ? t->nsec : 0;
}

/* Copies what the server says about an inode into our copy. The type
 * of a number never changes while we hold it; a reply saying otherwise
 * is ignored as far as the type goes. */
static bool ts_equal(struct vfs_timespec a, struct vfs_timespec b)
{
	return a.sec == b.sec && a.nsec == b.nsec;
}

static void attr_apply(struct inode *inode, const struct fs_attr *a)
{
	struct rfs_inode *r = ri(inode);
	uint32_t type = inode->mode & LINUX_S_IFMT;
	struct vfs_timespec local = inode->atime, srv;

	inode->mode = type | (a->mode & ~LINUX_S_IFMT);
	inode->nlink = a->nlink;
	inode->uid = a->uid;
	inode->gid = a->gid;
	inode->size = a->size;
	inode->blocks = a->blocks;
	inode->rdev = a->rdev;
	vts(&srv, &a->atime);
	/* A local access time not yet written back stays, unless the
	 * server has set a newer one (utimensat goes through it). */
	if (ts_equal(local, r->srv_atime) || srv.sec > local.sec ||
	    (srv.sec == local.sec && srv.nsec >= local.nsec)) {
		inode->atime = srv;
	}
	r->srv_atime = srv;
	vts(&inode->mtime, &a->mtime);
	vts(&inode->ctime, &a->ctime);
	vts(&inode->btime, &a->btime);
}

/* Our inode for @a, with a new VFS reference, taking the server
 * reference the reply gave (@counted: it gave one). NULL when memory
 * is out (the reference is then queued back to the server). */
static struct rfs_inode *inode_from_attr(struct rfs_sb *s,
					 const struct fs_attr *a,
					 bool counted);

static void forget_queue(struct rfs_sb *s, fs_ino ino, uint64_t count,
			 const struct vfs_timespec *atime)
{
	if (!count || s->dying) {
		return;
	}
	for (size_t i = 0; i < s->nforgets; i++) {
		if (s->forgets[i].ino == ino) {
			s->forgets[i].count += count;
			if (atime) {
				s->forgets[i].atime_dirty = true;
				s->forgets[i].atime = *atime;
			}
			return;
		}
	}
	if (s->nforgets == s->forgets_cap) {
		size_t cap = s->forgets_cap ? s->forgets_cap * 2 : 16;
		struct rfs_forget *n = malloc(cap * sizeof(*n));

		if (!n) {
			/* The server keeps the reference until the mount
			 * goes: an unlinked file's space comes back late,
			 * nothing breaks. */
			return;
		}
		if (s->nforgets) {
			memcpy(n, s->forgets, s->nforgets * sizeof(*n));
		}
		free(s->forgets);
		s->forgets = n;
		s->forgets_cap = cap;
	}
	s->forgets[s->nforgets].ino = ino;
	s->forgets[s->nforgets].count = count;
	s->forgets[s->nforgets].atime_dirty = atime != NULL;
	if (atime) {
		s->forgets[s->nforgets].atime = *atime;
	}
	s->nforgets++;
	if (s->nforgets == 1 && s->t->kick) {
		s->t->kick(s->t);
	}
}

static struct rfs_inode *inode_from_attr(struct rfs_sb *s,
					 const struct fs_attr *a,
					 bool counted)
{
	struct rfs_inode *r = hash_find(s, a->ino);

	if (r) {
		vfs_inode_get(&r->v);
		r->nlookup += counted;
		attr_apply(&r->v, a);
		return r;
	}
	r = malloc(sizeof(*r));
	if (!r) {
		forget_queue(s, a->ino, counted, NULL);
		return NULL;
	}
	memset(r, 0, sizeof(*r));
	vfs_inode_init(&r->v, &s->vsb, &rfs_iops, a->mode);
	r->v.ino = a->ino;
	r->srv_atime = r->v.atime;	/* no local change yet */
	attr_apply(&r->v, a);
	r->nlookup = counted;
	r->hnext = s->hash[hash_of(a->ino)];
	s->hash[hash_of(a->ino)] = r;
	return r;
}

/* Records that @r is named @name in @dir (both ours). */
static void set_name(struct rfs_inode *r, struct rfs_inode *dir,
		     const char *name, size_t len)
{
	char *copy = malloc(len ? len : 1);

	if (!copy) {
		return;		/* keeps the older name: a hint only */
	}
	memcpy(copy, name, len);
	free(r->name);
	r->name = copy;
	r->name_len = len;
	if (r->parent != dir) {
		if (dir) {
			vfs_inode_get(&dir->v);
		}
		if (r->parent) {
			vfs_inode_put(&r->parent->v);
		}
		r->parent = dir;
	}
}

/* Updates the attributes of the inode numbered as @a if we hold it. */
static void refresh(struct rfs_sb *s, const struct fs_attr *a)
{
	struct rfs_inode *r;

	if (a->ino && (r = hash_find(s, a->ino))) {
		attr_apply(&r->v, a);
	}
}

/* ---- requests ---- */

static int64_t call(struct rfs_sb *s, uint32_t id, void *req, size_t len,
		    void *reply, size_t min_reply, size_t cap)
{
	return s->t->call(s->t, id, req, len, 0, reply, min_reply, cap);
}

/* A request with a name after a fixed part: the message on the heap
 * (names are up to 255 bytes, targets 4095). */
static void *msg_alloc(size_t len)
{
	void *m = malloc(len);

	if (m) {
		memset(m, 0, len);
	}
	return m;
}

static bool read_only(struct inode *inode)
{
	return rsb(inode->sb)->flags & FS_MOUNT_RDONLY;
}

static int rfs_lookup(struct inode *dir, const char *name, size_t len,
		      struct inode **out)
{
	struct rfs_sb *s = rsb(dir->sb);
	struct rfs_inode *d = ri(dir), *r;
	struct fs_name_req *req;
	struct fs_attr_reply rep;
	int64_t st;

	if (len == 2 && name[0] == '.' && name[1] == '.' && dir == s->vsb.root) {
		vfs_inode_get(dir);
		*out = dir;
		return 0;
	}
	if (len > FS_NAME_MAX) {
		return -LINUX_ENAMETOOLONG;
	}
	req = msg_alloc(FS_NAME_REQ_SIZE(len));
	if (!req) {
		return -LINUX_ENOMEM;
	}
	req->dir = dir->ino;
	req->name_len = (uint32_t)len;
	memcpy(req->name, name, len);
	st = call(s, FS_LOOKUP, req, FS_NAME_REQ_SIZE(len), &rep, sizeof(rep),
		  sizeof(rep));
	free(req);
	if (st < 0) {
		return remotefs_errno(st);
	}
	r = inode_from_attr(s, &rep.attr, true);
	if (!r) {
		return -LINUX_ENOMEM;
	}
	if (!(len == 2 && name[0] == '.' && name[1] == '.') &&
	    !(len == 1 && name[0] == '.')) {
		set_name(r, d, name, len);
	}
	*out = &r->v;
	return 0;
}

/* CREATE, MKDIR, SYMLINK. */
static int create_common(struct inode *dir, uint32_t id, const char *name,
			 size_t len, uint32_t mode, uint64_t rdev,
			 const char *target, size_t target_len, uint32_t uid,
			 uint32_t gid, struct inode **out)
{
	struct rfs_sb *s = rsb(dir->sb);
	struct fs_create *req;
	struct fs_entry_reply rep;
	struct rfs_inode *r;
	int64_t st;

	if (read_only(dir)) {
		return -LINUX_EROFS;
	}
	if (len > FS_NAME_MAX || target_len > FS_SYMLINK_MAX) {
		return -LINUX_ENAMETOOLONG;
	}
	req = msg_alloc(FS_CREATE_SIZE(len, target_len));
	if (!req) {
		return -LINUX_ENOMEM;
	}
	req->dir = dir->ino;
	req->mode = mode;
	req->uid = uid;
	req->gid = gid;
	req->name_len = (uint32_t)len;
	req->rdev = rdev;
	req->target_len = (uint32_t)target_len;
	memcpy(req->tail, name, len);
	if (target_len) {
		memcpy(req->tail + len, target, target_len);
	}
	st = call(s, id, req, FS_CREATE_SIZE(len, target_len), &rep,
		  sizeof(rep), sizeof(rep));
	free(req);
	if (st < 0) {
		return remotefs_errno(st);
	}
	if ((rep.attr.mode & LINUX_S_IFMT) != (mode & LINUX_S_IFMT)) {
		/* Not what was asked for: a confused server. */
		forget_queue(s, rep.attr.ino, 1, NULL);
		return -LINUX_EIO;
	}
	attr_apply(dir, &rep.dir);
	r = inode_from_attr(s, &rep.attr, true);
	if (!r) {
		return -LINUX_ENOMEM;
	}
	set_name(r, ri(dir), name, len);
	*out = &r->v;
	return 0;
}

static int rfs_create(struct inode *dir, const char *name, size_t len,
		      uint32_t mode, uint64_t rdev, uint32_t uid, uint32_t gid,
		      struct inode **out)
{
	return create_common(dir, FS_CREATE, name, len, mode, rdev, NULL, 0,
			     uid, gid, out);
}

static int rfs_mkdir(struct inode *dir, const char *name, size_t len,
		     uint32_t mode, uint32_t uid, uint32_t gid,
		     struct inode **out)
{
	return create_common(dir, FS_MKDIR, name, len,
			     LINUX_S_IFDIR | (mode & 07777), 0, NULL, 0, uid,
			     gid, out);
}

static int rfs_symlink(struct inode *dir, const char *name, size_t len,
		       const char *target, uint32_t uid, uint32_t gid,
		       struct inode **out)
{
	return create_common(dir, FS_SYMLINK, name, len, LINUX_S_IFLNK | 0777,
			     0, target, strlen(target), uid, gid, out);
}

static int rfs_link(struct inode *dir, const char *name, size_t len,
		    struct inode *inode)
{
	struct rfs_sb *s = rsb(dir->sb);
	struct fs_link *req;
	struct fs_entry_reply rep;
	int64_t st;

	if (read_only(dir)) {
		return -LINUX_EROFS;
	}
	if (len > FS_NAME_MAX) {
		return -LINUX_ENAMETOOLONG;
	}
	req = msg_alloc(FS_LINK_SIZE(len));
	if (!req) {
		return -LINUX_ENOMEM;
	}
	req->dir = dir->ino;
	req->ino = inode->ino;
	req->name_len = (uint32_t)len;
	memcpy(req->name, name, len);
	st = call(s, FS_LINK, req, FS_LINK_SIZE(len), &rep, sizeof(rep),
		  sizeof(rep));
	free(req);
	if (st < 0) {
		return remotefs_errno(st);
	}
	attr_apply(dir, &rep.dir);
	attr_apply(inode, &rep.attr);
	/* The reply gave a reference: ours already holds one. */
	ri(inode)->nlookup++;
	if (!ri(inode)->name || inode->nlink == 1) {
		set_name(ri(inode), ri(dir), name, len);
	}
	return 0;
}

static int remove_common(struct inode *dir, uint32_t id, const char *name,
			 size_t len)
{
	struct rfs_sb *s = rsb(dir->sb);
	struct fs_name_req *req;
	struct fs_entry_reply rep;
	int64_t st;

	if (read_only(dir)) {
		return -LINUX_EROFS;
	}
	if (len > FS_NAME_MAX) {
		return -LINUX_ENAMETOOLONG;
	}
	req = msg_alloc(FS_NAME_REQ_SIZE(len));
	if (!req) {
		return -LINUX_ENOMEM;
	}
	req->dir = dir->ino;
	req->name_len = (uint32_t)len;
	memcpy(req->name, name, len);
	st = call(s, id, req, FS_NAME_REQ_SIZE(len), &rep, sizeof(rep),
		  sizeof(rep));
	free(req);
	if (st < 0) {
		return remotefs_errno(st);
	}
	attr_apply(dir, &rep.dir);
	refresh(s, &rep.attr);
	return 0;
}

static int rfs_unlink(struct inode *dir, const char *name, size_t len)
{
	return remove_common(dir, FS_UNLINK, name, len);
}

static int rfs_rmdir(struct inode *dir, const char *name, size_t len)
{
	return remove_common(dir, FS_RMDIR, name, len);
}

/* After a rename: the inode now named @name in @dir (if we hold it). */
static void renamed(struct rfs_sb *s, fs_ino ino, struct inode *dir,
		    const char *name, size_t len)
{
	struct rfs_inode *r = hash_find(s, ino);

	if (r) {
		set_name(r, ri(dir), name, len);
	}
}

static int rfs_rename(struct inode *odir, const char *oname, size_t olen,
		      struct inode *ndir, const char *nname, size_t nlen,
		      unsigned flags)
{
	struct rfs_sb *s = rsb(odir->sb);
	struct fs_rename *req;
	struct fs_rename_reply *rep;
	int64_t st;

	if (read_only(odir)) {
		return -LINUX_EROFS;
	}
	if (olen > FS_NAME_MAX || nlen > FS_NAME_MAX) {
		return -LINUX_ENAMETOOLONG;
	}
	if (flags & ~(unsigned)(LINUX_RENAME_NOREPLACE |
				LINUX_RENAME_EXCHANGE)) {
		return -LINUX_EINVAL;
	}
	req = msg_alloc(FS_RENAME_SIZE(olen, nlen));
	rep = malloc(sizeof(*rep));
	if (!req || !rep) {
		free(req);
		free(rep);
		return -LINUX_ENOMEM;
	}
	req->old_dir = odir->ino;
	req->new_dir = ndir->ino;
	req->old_len = (uint32_t)olen;
	req->new_len = (uint32_t)nlen;
	req->flags = (flags & LINUX_RENAME_NOREPLACE ? FS_RENAME_NOREPLACE
						     : 0) |
		     (flags & LINUX_RENAME_EXCHANGE ? FS_RENAME_EXCHANGE : 0);
	memcpy(req->names, oname, olen);
	memcpy(req->names + olen, nname, nlen);
	st = call(s, FS_RENAME, req, FS_RENAME_SIZE(olen, nlen), rep,
		  sizeof(*rep), sizeof(*rep));
	free(req);
	if (st < 0) {
		free(rep);
		return remotefs_errno(st);
	}
	attr_apply(odir, &rep->old_dir);
	if (rep->new_dir.ino) {
		refresh(s, &rep->new_dir);
	}
	refresh(s, &rep->moved);
	refresh(s, &rep->replaced);
	renamed(s, rep->moved.ino, ndir, nname, nlen);
	if (flags & LINUX_RENAME_EXCHANGE) {
		renamed(s, rep->replaced.ino, odir, oname, olen);
	}
	free(rep);
	return 0;
}

static int64_t rfs_readlink(struct inode *inode, char *buf, size_t cap)
{
	struct rfs_sb *s = rsb(inode->sb);
	struct fs_ino_req req = { .ino = inode->ino };
	size_t rcap = FS_DATA_REPLY_SIZE(FS_SYMLINK_MAX);
	struct fs_data_reply *rep = malloc(rcap);
	int64_t st;
	size_t n;

	if (!rep) {
		return -LINUX_ENOMEM;
	}
	st = call(s, FS_READLINK, &req, sizeof(req), rep,
		  FS_DATA_REPLY_SIZE(0), rcap);
	if (st < 0) {
		free(rep);
		return remotefs_errno(st);
	}
	if (rep->length > FS_SYMLINK_MAX) {
		free(rep);
		return -LINUX_EIO;
	}
	n = rep->length < cap ? rep->length : cap;
	memcpy(buf, rep->data, n);
	free(rep);
	return (int64_t)n;
}

static int rfs_setattr(struct inode *inode, const struct vfs_attr *attr)
{
	struct rfs_sb *s = rsb(inode->sb);
	struct fs_setattr req;
	struct fs_attr_reply rep;
	int64_t st;

	if (read_only(inode)) {
		return -LINUX_EROFS;
	}
	memset(&req, 0, sizeof(req));
	req.ino = inode->ino;
	if (attr->valid & VFS_ATTR_MODE) {
		req.valid |= FS_SET_MODE;
		req.mode = attr->mode & 07777;
	}
	if (attr->valid & VFS_ATTR_UID) {
		req.valid |= FS_SET_UID;
		req.uid = attr->uid;
	}
	if (attr->valid & VFS_ATTR_GID) {
		req.valid |= FS_SET_GID;
		req.gid = attr->gid;
	}
	if (attr->valid & VFS_ATTR_SIZE) {
		req.valid |= FS_SET_SIZE;
		req.size = attr->size;
	}
	if (attr->valid & VFS_ATTR_ATIME) {
		req.valid |= FS_SET_ATIME;
		req.atime.sec = attr->atime.sec;
		req.atime.nsec = (uint32_t)attr->atime.nsec;
	}
	if (attr->valid & VFS_ATTR_MTIME) {
		req.valid |= FS_SET_MTIME;
		req.mtime.sec = attr->mtime.sec;
		req.mtime.nsec = (uint32_t)attr->mtime.nsec;
	}
	if (attr->valid & VFS_ATTR_CTIME) {
		req.valid |= FS_SET_CTIME;
		req.ctime.sec = attr->ctime.sec;
		req.ctime.nsec = (uint32_t)attr->ctime.nsec;
	}
	st = call(s, FS_SETATTR, &req, sizeof(req), &rep, sizeof(rep),
		  sizeof(rep));
	if (st < 0) {
		return remotefs_errno(st);
	}
	attr_apply(inode, &rep.attr);
	return 0;
}

/* ---- data ---- */

/* A free transfer slot (waiting for one); its index. */
static unsigned slot_get(struct rfs_sb *s)
{
	while (!s->slots_free) {
		s->slot_waiters = true;
		s->t->wait(s->t);
	}
	unsigned i = (unsigned)__builtin_ctz(s->slots_free);

	s->slots_free &= ~(1u << i);
	return i;
}

static void slot_put(struct rfs_sb *s, unsigned i)
{
	s->slots_free |= 1u << i;
	if (s->slot_waiters) {
		s->slot_waiters = false;
		s->t->wake(s->t);
	}
}

static int64_t io(struct inode *inode, uint32_t id, void *buf, size_t len,
		  uint64_t off)
{
	struct rfs_sb *s = rsb(inode->sb);
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < REMOTEFS_SLOT ? len - done
						      : REMOTEFS_SLOT;
		unsigned slot = slot_get(s);
		uint8_t *area = s->t->xfer + (uint64_t)slot * REMOTEFS_SLOT;
		struct fs_io req;
		struct fs_io_reply rep;
		int64_t st;

		memset(&req, 0, sizeof(req));
		req.ino = inode->ino;
		req.offset = off + done;
		req.xfer_off = (uint64_t)slot * REMOTEFS_SLOT;
		req.length = (uint32_t)n;
		if (id == FS_WRITE) {
			memcpy(area, (uint8_t *)buf + done, n);
		}
		st = call(s, id, &req, sizeof(req), &rep, sizeof(rep),
			  sizeof(rep));
		if (st >= 0 && rep.done > n) {
			st = -ERR_CORRUPT;
		}
		if (st >= 0 && id == FS_READ) {
			memcpy((uint8_t *)buf + done, area, rep.done);
		}
		slot_put(s, slot);
		if (st < 0) {
			return done ? (int64_t)done : remotefs_errno(st);
		}
		attr_apply(inode, &rep.attr);
		done += rep.done;
		if (rep.done < n) {
			break;		/* end of file, or the disk is full */
		}
	}
	return (int64_t)done;
}

static int64_t rfs_read(struct inode *inode, void *buf, size_t len,
			uint64_t off)
{
	return io(inode, FS_READ, buf, len, off);
}

static int64_t rfs_write(struct inode *inode, const void *buf, size_t len,
			 uint64_t off)
{
	int64_t n;

	if (read_only(inode)) {
		return -LINUX_EROFS;
	}
	n = io(inode, FS_WRITE, (void *)buf, len, off);
	/* Part written, then the disk filled: Linux reports the part; a
	 * write of nothing at all is ENOSPC. */
	return n == 0 && len ? -LINUX_ENOSPC : n;
}

static int64_t rfs_seek_data(struct inode *inode, uint64_t off, bool hole)
{
	struct rfs_sb *s = rsb(inode->sb);
	struct fs_seek req;
	struct fs_seek_reply rep;
	int64_t st;

	memset(&req, 0, sizeof(req));
	req.ino = inode->ino;
	req.offset = off;
	req.flags = hole ? FS_SEEK_HOLE : 0;
	st = call(s, FS_SEEK, &req, sizeof(req), &rep, sizeof(rep),
		  sizeof(rep));
	if (st == -(int64_t)ERR_RANGE) {
		return -LINUX_ENXIO;
	}
	if (st < 0) {
		return remotefs_errno(st);
	}
	return (int64_t)rep.offset;
}

/* ---- directories ---- */

static int rfs_readdir(struct inode *dir, uint64_t *pos, vfs_filldir_fn fill,
		       void *ctx)
{
	struct rfs_sb *s = rsb(dir->sb);
	size_t cap = FS_DATA_REPLY_SIZE(FS_READDIR_MAX);
	struct fs_data_reply *rep = malloc(cap);
	int err = 0;

	if (!rep) {
		return -LINUX_ENOMEM;
	}
	for (;;) {
		struct fs_readdir req;
		size_t at = 0;
		int64_t st;

		memset(&req, 0, sizeof(req));
		req.dir = dir->ino;
		req.pos = *pos;
		req.max = FS_READDIR_MAX;
		st = call(s, FS_READDIR, &req, sizeof(req), rep,
			  FS_DATA_REPLY_SIZE(0), cap);
		if (st < 0) {
			err = remotefs_errno(st);
			break;
		}
		if (rep->length > FS_READDIR_MAX) {
			err = -LINUX_EIO;
			break;
		}
		if (rep->length == 0) {
			break;		/* the end */
		}
		while (at < rep->length) {
			const struct fs_dirent *e;
			size_t size;

			if (rep->length - at <
			    offsetof(struct fs_dirent, name)) {
				err = -LINUX_EIO;
				goto out;
			}
			e = (const struct fs_dirent *)(rep->data + at);
			size = FS_DIRENT_SIZE(e->name_len);
			if (e->name_len == 0 || e->name_len > FS_NAME_MAX ||
			    size > rep->length - at || e->next <= *pos) {
				/* Malformed, or a position that does not
				 * move on (a loop). */
				err = -LINUX_EIO;
				goto out;
			}
			if (fill(ctx, e->name, e->name_len, e->ino, e->type,
				 e->next)) {
				goto out;
			}
			*pos = e->next;
			at += size;
		}
	}
out:
	free(rep);
	return err;
}

static int rfs_parent_name(struct inode *inode, struct inode **parent,
			   char *name, size_t cap)
{
	struct rfs_inode *r = ri(inode);

	if (!r->parent || !r->name) {
		return -LINUX_ENOENT;
	}
	if (r->name_len > cap) {
		return -LINUX_ENAMETOOLONG;
	}
	memcpy(name, r->name, r->name_len);
	vfs_inode_get(&r->parent->v);
	*parent = &r->parent->v;
	return (int)r->name_len;
}

static void rfs_drop(struct inode *inode)
{
	struct rfs_inode *r = ri(inode);
	struct rfs_sb *s = rsb(inode->sb);
	struct rfs_inode *parent = r->parent;

	hash_remove(s, r);
	forget_queue(s, inode->ino, r->nlookup,
		     ts_equal(inode->atime, r->srv_atime) ? NULL
							   : &inode->atime);
	vfs_inode_fini(inode);
	free(r->name);
	free(r);
	if (parent) {
		vfs_inode_put(&parent->v);
	}
}

static const struct inode_ops rfs_iops = {
	.lookup = rfs_lookup,
	.create = rfs_create,
	.mkdir = rfs_mkdir,
	.symlink = rfs_symlink,
	.link = rfs_link,
	.unlink = rfs_unlink,
	.rmdir = rfs_rmdir,
	.rename = rfs_rename,
	.readlink = rfs_readlink,
	.setattr = rfs_setattr,
	.read = rfs_read,
	.write = rfs_write,
	.seek_data = rfs_seek_data,
	.readdir = rfs_readdir,
	.parent_name = rfs_parent_name,
	.drop = rfs_drop,
};

/* ---- the superblock ---- */

bool remotefs_flush_one(struct vfs_sb *sb)
{
	struct rfs_sb *s = rsb(sb);
	/* Nothing of @s is touched once a call has waited: the superblock
	 * may be destroyed meanwhile (the transport outlives it). */
	struct remotefs_transport *t = s->t;
	bool rdonly = s->flags & FS_MOUNT_RDONLY;
	struct rfs_forget f;
	struct fs_forget req;
	struct proto_header rep;

	if (!s->nforgets) {
		return false;
	}
	f = s->forgets[--s->nforgets];
	if (f.atime_dirty && !rdonly) {
		struct fs_setattr sa;
		struct fs_attr_reply sr;

		memset(&sa, 0, sizeof(sa));
		sa.ino = f.ino;
		sa.valid = FS_SET_ATIME;
		sa.atime.sec = f.atime.sec;
		sa.atime.nsec = (uint32_t)f.atime.nsec;
		(void)t->call(t, FS_SETATTR, &sa, sizeof(sa), 0, &sr,
			      sizeof(sr), sizeof(sr));
	}
	memset(&req, 0, sizeof(req));
	req.ino = f.ino;
	req.count = f.count;
	(void)t->call(t, FS_FORGET, &req, sizeof(req), 0, &rep, sizeof(rep),
		      sizeof(rep));
	return true;
}

static int rfs_statfs(struct vfs_sb *sb, struct linux_statfs *out)
{
	struct rfs_sb *s = rsb(sb);
	struct proto_header req;
	struct fs_statfs_reply rep;
	int64_t st;

	memset(&req, 0, sizeof(req));
	st = call(s, FS_STATFS, &req, sizeof(req), &rep, sizeof(rep),
		  sizeof(rep));
	if (st < 0) {
		return remotefs_errno(st);
	}
	memset(out, 0, sizeof(*out));
	out->f_type = (int64_t)rep.magic;
	out->f_bsize = (int64_t)rep.block_size;
	out->f_frsize = (int64_t)rep.block_size;
	out->f_blocks = rep.blocks;
	out->f_bfree = rep.blocks_free;
	out->f_bavail = rep.blocks_avail;
	out->f_files = rep.files;
	out->f_ffree = rep.files_free;
	out->f_fsid[0] = (int32_t)rep.fsid;
	out->f_fsid[1] = (int32_t)(rep.fsid >> 32);
	out->f_namelen = rep.name_max;
	out->f_flags = LINUX_ST_VALID |
		       (rep.flags & FS_MOUNT_RDONLY ? LINUX_ST_RDONLY : 0);
	return 0;
}

static void rfs_destroy(struct vfs_sb *sb)
{
	struct rfs_sb *s = rsb(sb);

	/* Every inode but the root went with its last reference; the
	 * root's is the superblock's. Closing the stream gives the server
	 * back every reference, queued or not. */
	s->dying = true;
	if (sb->root) {
		vfs_inode_put(sb->root);
	}
	for (unsigned i = 0; i < HASH_BUCKETS; i++) {
		/* Inodes still held elsewhere would be a VFS bug; leave
		 * them (leaked, not freed under a user). */
		s->hash[i] = NULL;
	}
	s->t->close(s->t);
	free(s->forgets);
	free(s);
}

static const struct vfs_sb_ops rfs_sops = {
	.statfs = rfs_statfs,
	.destroy = rfs_destroy,
};

int remotefs_mount(struct remotefs_transport *t, unsigned flags,
		   struct vfs_sb **out)
{
	struct rfs_sb *s;
	struct fs_attach req;
	struct fs_attach_reply rep;
	struct rfs_inode *root;
	uint64_t slots = t->xfer_size / REMOTEFS_SLOT;
	int64_t st;

	if (slots == 0) {
		t->close(t);
		return -LINUX_EINVAL;
	}
	s = malloc(sizeof(*s));
	if (!s) {
		t->close(t);
		return -LINUX_ENOMEM;
	}
	memset(s, 0, sizeof(*s));
	s->t = t;
	s->slot_count = slots > 32 ? 32 : (uint32_t)slots;
	s->slots_free = s->slot_count == 32 ? ~0u
					    : (1u << s->slot_count) - 1;
	memset(&req, 0, sizeof(req));
	req.xfer_size = t->xfer_size;
	req.flags = flags & FS_MOUNT_RDONLY;
	{
		struct vfs_timespec now = vfs_now();

		req.realtime_ns = now.sec * 1000000000ll + now.nsec;
	}
	st = t->call(t, FS_ATTACH, &req, sizeof(req), t->xfer_handle, &rep,
		     sizeof(rep), sizeof(rep));
	if (st >= 0 && !LINUX_S_ISDIR(rep.root.mode)) {
		st = -ERR_CORRUPT;
	}
	if (st < 0) {
		t->close(t);
		free(s);
		return remotefs_errno(st);
	}
	s->flags = rep.flags;
	s->block_size = rep.block_size;
	/* The superblock exists before its root: the root's inode names
	 * it. vfs_sb_init is given the root afterwards. */
	root = malloc(sizeof(*root));
	if (!root) {
		t->close(t);
		free(s);
		return -LINUX_ENOMEM;
	}
	memset(root, 0, sizeof(*root));
	vfs_inode_init(&root->v, &s->vsb, &rfs_iops, rep.root.mode);
	root->v.ino = rep.root.ino;
	root->srv_atime = root->v.atime;
	attr_apply(&root->v, &rep.root);
	root->nlookup = 1;
	s->hash[hash_of(root->v.ino)] = root;
	vfs_sb_init(&s->vsb, &rfs_sops, &root->v);
	root->v.sb = &s->vsb;
	*out = &s->vsb;
	return 0;
}
