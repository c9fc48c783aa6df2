/*
 * The server side of the file-system protocol (fsserve.h). Requests are
 * read through memcpy into aligned structs: the message buffer is the
 * client's bytes, checked here before anything believes them.
 */
#include <fsserve/fsserve.h>

#ifdef HOST_TEST
#include <stdlib.h>
#else
#include <rt/malloc.h>
#endif

#include <base/string.h>

struct fsserve_ref {
	fs_ino ino;
	uint64_t count;
	struct fsserve_ref *next;
};

#define FIRST_BUCKETS 64u
/* A client holding more inodes than this is hostile or leaking. */
#define MAX_REFS (1u << 20)

err_t fsserve_init(struct fsserve *s, const struct fsserve_ops *ops, void *fs,
		   fs_ino root, bool read_only, uint32_t block_size,
		   uint64_t max_file_size)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->fs = fs;
	s->root = root;
	s->read_only = read_only;
	s->block_size = block_size;
	s->max_file_size = max_file_size;
	return ERR_OK;
}

/* ---- the client's references ---- */

static size_t bucket_of(const struct fsserve *s, fs_ino ino)
{
	return (size_t)((ino * 0x9e3779b97f4a7c15ull) >> 40) %
	       s->ref_buckets;
}

static struct fsserve_ref *ref_find(const struct fsserve *s, fs_ino ino)
{
	if (!s->ref_buckets) {
		return NULL;
	}
	for (struct fsserve_ref *r = s->refs[bucket_of(s, ino)]; r;
	     r = r->next) {
		if (r->ino == ino) {
			return r;
		}
	}
	return NULL;
}

uint64_t fsserve_refs(const struct fsserve *s, fs_ino ino)
{
	struct fsserve_ref *r = ref_find(s, ino);

	return r ? r->count : 0;
}

/* Doubles the table when it is as full as it is wide. */
static void refs_grow(struct fsserve *s)
{
	size_t n = s->ref_buckets ? s->ref_buckets * 2 : FIRST_BUCKETS;
	struct fsserve_ref **t = malloc(n * sizeof(*t));
	size_t old = s->ref_buckets;
	struct fsserve_ref **ot = s->refs;

	if (!t) {
		return;		/* longer chains: slower, still right */
	}
	memset(t, 0, n * sizeof(*t));
	s->refs = t;
	s->ref_buckets = n;
	for (size_t i = 0; i < old; i++) {
		while (ot[i]) {
			struct fsserve_ref *r = ot[i];
			size_t b = bucket_of(s, r->ino);

			ot[i] = r->next;
			r->next = t[b];
			t[b] = r;
		}
	}
	free(ot);
}

/* The client gets a reference to @ino. */
static err_t ref_give(struct fsserve *s, fs_ino ino)
{
	struct fsserve_ref *r = ref_find(s, ino);
	size_t b;

	if (r) {
		r->count++;
		return ERR_OK;
	}
	if (s->ref_count >= MAX_REFS) {
		return ERR_NO_SPACE;
	}
	if (s->ref_count >= s->ref_buckets) {
		refs_grow(s);
		if (!s->ref_buckets) {
			return ERR_NO_MEMORY;
		}
	}
	r = malloc(sizeof(*r));
	if (!r) {
		return ERR_NO_MEMORY;
	}
	r->ino = ino;
	r->count = 1;
	b = bucket_of(s, ino);
	r->next = s->refs[b];
	s->refs[b] = r;
	s->ref_count++;
	return ERR_OK;
}

static err_t ref_drop(struct fsserve *s, fs_ino ino, uint64_t count)
{
	struct fsserve_ref **pp, *r;

	if (!s->ref_buckets) {
		return ERR_INVALID;
	}
	pp = &s->refs[bucket_of(s, ino)];
	while (*pp && (*pp)->ino != ino) {
		pp = &(*pp)->next;
	}
	r = *pp;
	if (!r || count == 0 || r->count < count) {
		return ERR_INVALID;
	}
	r->count -= count;
	if (r->count == 0) {
		*pp = r->next;
		free(r);
		s->ref_count--;
		s->ops->release(s->fs, ino);
	}
	return ERR_OK;
}

void fsserve_detach(struct fsserve *s)
{
	for (size_t i = 0; i < s->ref_buckets; i++) {
		while (s->refs[i]) {
			struct fsserve_ref *r = s->refs[i];

			s->refs[i] = r->next;
			s->ops->release(s->fs, r->ino);
			free(r);
		}
	}
	free(s->refs);
	s->refs = NULL;
	s->ref_buckets = 0;
	s->ref_count = 0;
	s->attached = false;
	s->xfer = NULL;
	s->xfer_size = 0;
}

/* ---- checks ---- */

static bool held(const struct fsserve *s, fs_ino ino)
{
	return ref_find(s, ino) != NULL;
}

/* A name a directory can hold: 1..FS_NAME_MAX bytes, no '/' or NUL,
 * and (@dots false) not "." or "..". */
static bool name_ok(const char *name, size_t len, bool dots)
{
	if (len == 0 || len > FS_NAME_MAX) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '/' || name[i] == '\0') {
			return false;
		}
	}
	if (!dots && name[0] == '.' &&
	    (len == 1 || (len == 2 && name[1] == '.'))) {
		return false;
	}
	return true;
}

static bool writable(const struct fsserve *s)
{
	return !s->read_only && !s->client_ro;
}

/* ---- READDIR ---- */

struct dirbuf {
	uint8_t *out;
	size_t used, max;
};

static int fill(void *ctx, const char *name, size_t len, fs_ino ino,
		unsigned type, uint64_t next)
{
	struct dirbuf *b = ctx;
	size_t size = FS_DIRENT_SIZE(len);
	struct fs_dirent e;

	if (len == 0 || len > FS_NAME_MAX || b->used + size > b->max) {
		return 1;
	}
	memset(b->out + b->used, 0, size);
	memset(&e, 0, sizeof(e));
	e.ino = ino;
	e.next = next;
	e.name_len = (uint16_t)len;
	e.type = (uint8_t)type;
	memcpy(b->out + b->used, &e, sizeof(e));
	memcpy(b->out + b->used + offsetof(struct fs_dirent, name), name,
	       len);
	b->used += size;
	return 0;
}

/* ---- requests ---- */

/* Reads the fixed part of a request into @out (@size bytes); false when
 * the message is shorter. */
static bool fixed(const void *req, size_t len, void *out, size_t size)
{
	if (len < size) {
		return false;
	}
	memcpy(out, req, size);
	return true;
}

size_t fsserve_handle(struct fsserve *s, const void *req, size_t len,
		      uint8_t *xfer, uint64_t xfer_size, void *reply,
		      size_t cap)
{
	union {
		struct proto_header hdr;
		struct fs_attach attach;
		struct fs_ino_req ino;
		struct fs_name_req name;
		struct fs_setattr setattr;
		struct fs_io io;
		struct fs_create create;
		struct fs_link link;
		struct fs_rename rename;
		struct fs_readdir readdir;
		struct fs_seek seek;
		struct fs_forget forget;
	} q;
	struct proto_header h;
	uint8_t *out = reply;
	size_t rlen = sizeof(h);
	const char *tail;
	err_t err = ERR_OK;
	uint32_t id;

	if (cap < FSSERVE_REPLY_MAX || len < sizeof(h)) {
		return 0;
	}
	memcpy(&h, req, sizeof(h));
	id = h.id;
	memset(out, 0, sizeof(struct fs_rename_reply));
	if (!s->attached && h.id != FS_ATTACH) {
		err = ERR_BAD_STATE;
		goto done;
	}
	switch (h.id) {
	case FS_ATTACH: {
		struct fs_attach_reply *rep = (void *)out;

		if (s->attached) {
			err = ERR_BAD_STATE;
		} else if (!fixed(req, len, &q.attach, sizeof(q.attach)) ||
			   len != sizeof(q.attach) || !xfer ||
			   q.attach.xfer_size < FS_XFER_MIN ||
			   q.attach.xfer_size > FS_XFER_MAX ||
			   q.attach.xfer_size > xfer_size ||
			   (q.attach.xfer_size & 4095) ||
			   (q.attach.flags & ~FS_MOUNT_RDONLY)) {
			err = ERR_INVALID;
		} else if ((err = s->ops->getattr(s->fs, s->root,
						  &rep->root)) == ERR_OK &&
			   (err = ref_give(s, s->root)) == ERR_OK) {
			s->attached = true;
			s->client_ro = q.attach.flags & FS_MOUNT_RDONLY;
			s->xfer = xfer;
			s->xfer_size = q.attach.xfer_size;
			s->client_realtime_ns = q.attach.realtime_ns;
			rep->block_size = s->block_size;
			rep->max_file_size = s->max_file_size;
			rep->flags = writable(s) ? 0 : FS_MOUNT_RDONLY;
			rep->name_max = FS_NAME_MAX;
			rlen = sizeof(*rep);
		}
		break;
	}
	case FS_LOOKUP:
	case FS_UNLINK:
	case FS_RMDIR: {
		bool lookup = h.id == FS_LOOKUP;

		if (!fixed(req, len, &q.name, sizeof(q.name)) ||
		    len != FS_NAME_REQ_SIZE(q.name.name_len)) {
			err = ERR_INVALID;
			break;
		}
		tail = (const char *)req + offsetof(struct fs_name_req, name);
		if (!name_ok(tail, q.name.name_len, lookup)) {
			err = ERR_INVALID;
		} else if (!held(s, q.name.dir)) {
			err = ERR_NOT_FOUND;
		} else if (lookup) {
			struct fs_attr_reply *rep = (void *)out;

			err = s->ops->lookup(s->fs, q.name.dir, tail,
					     q.name.name_len, &rep->attr);
			if (!err && !(err = ref_give(s, rep->attr.ino))) {
				rlen = sizeof(*rep);
			}
		} else if (!writable(s)) {
			err = ERR_READ_ONLY;
		} else {
			struct fs_entry_reply *rep = (void *)out;

			err = s->ops->unlink(s->fs, q.name.dir, tail,
					     q.name.name_len, h.id == FS_RMDIR,
					     &rep->attr, &rep->dir);
			rlen = sizeof(*rep);
		}
		break;
	}
	case FS_GETATTR:
	case FS_READLINK:
	case FS_SYNC:
		if (!fixed(req, len, &q.ino, sizeof(q.ino)) ||
		    len != sizeof(q.ino)) {
			err = ERR_INVALID;
		} else if (h.id == FS_SYNC) {
			err = q.ino.ino && !held(s, q.ino.ino)
				      ? ERR_NOT_FOUND
				      : s->ops->sync(s->fs, q.ino.ino);
		} else if (!held(s, q.ino.ino)) {
			err = ERR_NOT_FOUND;
		} else if (h.id == FS_GETATTR) {
			struct fs_attr_reply *rep = (void *)out;

			err = s->ops->getattr(s->fs, q.ino.ino, &rep->attr);
			rlen = sizeof(*rep);
		} else {
			struct fs_data_reply rep;
			size_t n = 0;

			err = s->ops->readlink(
				s->fs, q.ino.ino,
				(char *)out + offsetof(struct fs_data_reply,
						       data),
				FS_SYMLINK_MAX, &n);
			if (!err) {
				memset(&rep, 0, sizeof(rep));
				rep.length = (uint32_t)n;
				memcpy(out, &rep, sizeof(rep));
				rlen = FS_DATA_REPLY_SIZE(n);
			}
		}
		break;
	case FS_SETATTR: {
		struct fs_attr_reply *rep = (void *)out;

		if (!fixed(req, len, &q.setattr, sizeof(q.setattr)) ||
		    len != sizeof(q.setattr) ||
		    (q.setattr.valid & ~0x7fu) ||
		    (q.setattr.valid & FS_SET_MODE &&
		     (q.setattr.mode & ~07777u))) {
			err = ERR_INVALID;
		} else if (!held(s, q.setattr.ino)) {
			err = ERR_NOT_FOUND;
		} else if (!writable(s)) {
			err = ERR_READ_ONLY;
		} else if (q.setattr.valid & FS_SET_SIZE &&
			   q.setattr.size > s->max_file_size) {
			err = ERR_TOO_BIG;
		} else {
			err = s->ops->setattr(s->fs, &q.setattr, &rep->attr);
			rlen = sizeof(*rep);
		}
		break;
	}
	case FS_READ:
	case FS_WRITE: {
		struct fs_io_reply *rep = (void *)out;
		size_t done = 0;

		if (!fixed(req, len, &q.io, sizeof(q.io)) ||
		    len != sizeof(q.io) || q.io.length > FS_IO_MAX ||
		    q.io.xfer_off > s->xfer_size ||
		    q.io.length > s->xfer_size - q.io.xfer_off ||
		    (q.io.flags & ~FS_IO_APPEND) ||
		    (h.id == FS_READ && q.io.flags)) {
			err = ERR_INVALID;
		} else if (!held(s, q.io.ino)) {
			err = ERR_NOT_FOUND;
		} else if (h.id == FS_READ) {
			err = s->ops->read(s->fs, q.io.ino, q.io.offset,
					   s->xfer + q.io.xfer_off,
					   q.io.length, &done, &rep->attr);
		} else if (!writable(s)) {
			err = ERR_READ_ONLY;
		} else if (!(q.io.flags & FS_IO_APPEND) &&
			   (q.io.offset > s->max_file_size ||
			    q.io.length > s->max_file_size - q.io.offset)) {
			err = ERR_TOO_BIG;
		} else {
			err = s->ops->write(s->fs, q.io.ino, q.io.offset,
					    s->xfer + q.io.xfer_off,
					    q.io.length,
					    q.io.flags & FS_IO_APPEND, &done,
					    &rep->attr);
		}
		if (!err) {
			rep->done = done > q.io.length ? q.io.length : done;
			rlen = sizeof(*rep);
		}
		break;
	}
	case FS_CREATE:
	case FS_MKDIR:
	case FS_SYMLINK: {
		struct fs_entry_reply *rep = (void *)out;
		uint32_t type;

		if (!fixed(req, len, &q.create, sizeof(q.create)) ||
		    len != FS_CREATE_SIZE(q.create.name_len,
					  q.create.target_len) ||
		    q.create.name_len > FS_NAME_MAX ||
		    q.create.target_len > FS_SYMLINK_MAX) {
			err = ERR_INVALID;
			break;
		}
		tail = (const char *)req + offsetof(struct fs_create, tail);
		type = q.create.mode & 0170000u;
		if (!name_ok(tail, q.create.name_len, false) ||
		    (q.create.mode & ~(0170000u | 07777u)) ||
		    (h.id == FS_MKDIR) != (type == 0040000u) ||
		    (h.id == FS_SYMLINK) != (type == 0120000u) ||
		    (h.id == FS_SYMLINK) != (q.create.target_len > 0) ||
		    (h.id == FS_CREATE &&
		     type != 0100000u && type != 0020000u &&
		     type != 0060000u && type != 0010000u &&
		     type != 0140000u)) {
			err = ERR_INVALID;
		} else if (!held(s, q.create.dir)) {
			err = ERR_NOT_FOUND;
		} else if (!writable(s)) {
			err = ERR_READ_ONLY;
		} else {
			err = s->ops->create(
				s->fs, q.create.dir, tail, q.create.name_len,
				q.create.mode, q.create.rdev, q.create.uid,
				q.create.gid, tail + q.create.name_len,
				q.create.target_len, &rep->attr, &rep->dir);
			if (!err && !(err = ref_give(s, rep->attr.ino))) {
				rlen = sizeof(*rep);
			}
		}
		break;
	}
	case FS_LINK: {
		struct fs_entry_reply *rep = (void *)out;

		if (!fixed(req, len, &q.link, sizeof(q.link)) ||
		    len != FS_LINK_SIZE(q.link.name_len) ||
		    q.link.name_len > FS_NAME_MAX) {
			err = ERR_INVALID;
			break;
		}
		tail = (const char *)req + offsetof(struct fs_link, name);
		if (!name_ok(tail, q.link.name_len, false)) {
			err = ERR_INVALID;
		} else if (!held(s, q.link.dir) || !held(s, q.link.ino)) {
			err = ERR_NOT_FOUND;
		} else if (!writable(s)) {
			err = ERR_READ_ONLY;
		} else {
			err = s->ops->link(s->fs, q.link.dir, tail,
					   q.link.name_len, q.link.ino,
					   &rep->attr, &rep->dir);
			if (!err && !(err = ref_give(s, rep->attr.ino))) {
				rlen = sizeof(*rep);
			}
		}
		break;
	}
	case FS_RENAME: {
		struct fs_rename_reply *rep = (void *)out;

		if (!fixed(req, len, &q.rename, sizeof(q.rename)) ||
		    q.rename.old_len > FS_NAME_MAX ||
		    q.rename.new_len > FS_NAME_MAX ||
		    len != FS_RENAME_SIZE(q.rename.old_len,
					  q.rename.new_len) ||
		    (q.rename.flags &
		     ~(FS_RENAME_NOREPLACE | FS_RENAME_EXCHANGE)) ||
		    q.rename.flags ==
			    (FS_RENAME_NOREPLACE | FS_RENAME_EXCHANGE)) {
			err = ERR_INVALID;
			break;
		}
		tail = (const char *)req + offsetof(struct fs_rename, names);
		if (!name_ok(tail, q.rename.old_len, false) ||
		    !name_ok(tail + q.rename.old_len, q.rename.new_len,
			     false)) {
			err = ERR_INVALID;
		} else if (!held(s, q.rename.old_dir) ||
			   !held(s, q.rename.new_dir)) {
			err = ERR_NOT_FOUND;
		} else if (!writable(s)) {
			err = ERR_READ_ONLY;
		} else {
			err = s->ops->rename(s->fs, q.rename.old_dir, tail,
					     q.rename.old_len, q.rename.new_dir,
					     tail + q.rename.old_len,
					     q.rename.new_len, q.rename.flags,
					     rep);
			rlen = sizeof(*rep);
		}
		break;
	}
	case FS_READDIR: {
		struct fs_data_reply rep;
		struct dirbuf b;

		if (!fixed(req, len, &q.readdir, sizeof(q.readdir)) ||
		    len != sizeof(q.readdir) ||
		    q.readdir.max > FS_READDIR_MAX) {
			err = ERR_INVALID;
		} else if (!held(s, q.readdir.dir)) {
			err = ERR_NOT_FOUND;
		} else {
			b.out = out + offsetof(struct fs_data_reply, data);
			b.used = 0;
			b.max = q.readdir.max;
			err = s->ops->readdir(s->fs, q.readdir.dir,
					      q.readdir.pos, fill, &b);
			if (!err) {
				memset(&rep, 0, sizeof(rep));
				rep.length = (uint32_t)b.used;
				memcpy(out, &rep, sizeof(rep));
				rlen = FS_DATA_REPLY_SIZE(b.used);
			}
		}
		break;
	}
	case FS_STATFS:
		if (len != sizeof(h)) {
			err = ERR_INVALID;
		} else {
			struct fs_statfs_reply *rep = (void *)out;

			err = s->ops->statfs(s->fs, rep);
			rep->flags = writable(s) ? 0 : FS_MOUNT_RDONLY;
			rlen = sizeof(*rep);
		}
		break;
	case FS_SEEK: {
		struct fs_seek_reply *rep = (void *)out;

		if (!fixed(req, len, &q.seek, sizeof(q.seek)) ||
		    len != sizeof(q.seek) || (q.seek.flags & ~FS_SEEK_HOLE)) {
			err = ERR_INVALID;
		} else if (!held(s, q.seek.ino)) {
			err = ERR_NOT_FOUND;
		} else if (s->ops->seek) {
			err = s->ops->seek(s->fs, q.seek.ino, q.seek.offset,
					   q.seek.flags & FS_SEEK_HOLE,
					   &rep->offset);
			rlen = sizeof(*rep);
		} else {
			struct fs_attr a;

			err = s->ops->getattr(s->fs, q.seek.ino, &a);
			if (!err && q.seek.offset >= a.size) {
				err = ERR_RANGE;
			} else if (!err) {
				rep->offset = q.seek.flags & FS_SEEK_HOLE
						      ? a.size
						      : q.seek.offset;
				rlen = sizeof(*rep);
			}
		}
		break;
	}
	case FS_FORGET:
		if (!fixed(req, len, &q.forget, sizeof(q.forget)) ||
		    len != sizeof(q.forget)) {
			err = ERR_INVALID;
		} else {
			err = ref_drop(s, q.forget.ino, q.forget.count);
		}
		break;
	default:
		err = ERR_NOT_SUPPORTED;
		break;
	}
done:
	if (err) {
		rlen = sizeof(h);
	}
	memset(&h, 0, sizeof(h));
	h.id = id | PROTO_REPLY;
	h.length = (uint32_t)rlen;
	h.status = -(int32_t)err;
	memcpy(out, &h, sizeof(h));
	return rlen;
}
