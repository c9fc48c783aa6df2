/*
 * tmpfs (see tmpfs.h). Every inode is a struct tmpfs_inode on its
 * instance's list; a name is a struct tmpfs_dirent, indexed in its
 * directory and linked on its inode's alias list (which gives
 * parent_name a name for any linked inode). A directory holds a
 * reference to its parent, so ".." works from a removed directory that
 * is still someone's cwd. Inodes are freed when both their names and
 * their references are gone (drop), or all at once when the instance
 * goes (destroy).
 *
 * Sizes and times follow Linux's tmpfs: a directory's size is 20 bytes
 * per entry plus 40, blocks count data pages in 512-byte units, a new
 * root is mode 1777.
 */
#include "tmpfs.h"

#ifdef HOST_TEST
#include <stdlib.h>
#else
#include <rt/malloc.h>
#endif

#include <base/string.h>
#include <linux_abi/errno.h>

#include "dirindex.h"
#include "pagemap.h"

/* Linux's BOGO_DIRENT_SIZE: what each entry adds to a directory's size. */
#define DIRENT_SIZE 20
/* "." and ".." come before the entries' cookies. */
#define FIRST_COOKIE 2

struct tmpfs_sb {
	struct vfs_sb vsb;
	struct tmpfs_opts opts;
	uint64_t pages;			/* data pages held */
	uint64_t inodes;
	uint64_t next_ino;
	struct list_node all;		/* struct tmpfs_inode.all */
};

struct tmpfs_inode;

struct tmpfs_dirent {
	struct dirindex_entry ix;
	struct list_node alias;		/* in inode->aliases */
	struct tmpfs_inode *dir;
	struct tmpfs_inode *inode;
	char name[];
};

struct tmpfs_inode {
	struct inode v;
	struct list_node all;
	struct list_node aliases;	/* struct tmpfs_dirent.alias */
	/* Its last name once every name is gone, its directory
	 * referenced: parent_name still answers, so that an open file
	 * unlinked shows in /proc as "<path> (deleted)", as on Linux. */
	struct tmpfs_dirent *last;
	union {
		struct pagemap pages;	/* regular files */
		struct {
			struct dirindex index;
			struct tmpfs_inode *parent;	/* NULL: the root */
		} dir;
		char *target;		/* symlinks */
	} u;
};

static const struct inode_ops tmpfs_iops;
static const struct vfs_sb_ops tmpfs_sops;

static struct tmpfs_inode *ti(struct inode *inode)
{
	return container_of(inode, struct tmpfs_inode, v);
}

static struct tmpfs_sb *tsb(struct vfs_sb *sb)
{
	return container_of(sb, struct tmpfs_sb, vsb);
}

static void touch_mc(struct inode *inode)
{
	struct vfs_timespec now = vfs_now();

	inode->mtime = now;
	inode->ctime = now;
}

/* ---- inodes ---- */

static int inode_create(struct tmpfs_sb *s, uint32_t mode, uint32_t uid,
			uint32_t gid, struct tmpfs_inode **out)
{
	struct tmpfs_inode *t;

	if (s->opts.max_inodes && s->inodes >= s->opts.max_inodes) {
		return -LINUX_ENOSPC;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		return -LINUX_ENOMEM;
	}
	vfs_inode_init(&t->v, &s->vsb, &tmpfs_iops, mode);
	t->v.ino = s->next_ino++;
	t->v.uid = uid;
	t->v.gid = gid;
	list_init(&t->aliases);
	switch (mode & LINUX_S_IFMT) {
	case LINUX_S_IFREG:
		pagemap_init(&t->u.pages);
		break;
	case LINUX_S_IFDIR:
		dirindex_init(&t->u.dir.index, FIRST_COOKIE);
		t->v.size = 2 * DIRENT_SIZE;
		break;
	default:
		break;
	}
	list_add_tail(&s->all, &t->all);
	s->inodes++;
	*out = t;
	return 0;
}

static void free_page(void *page, void *ctx)
{
	struct tmpfs_sb *s = ctx;

	free(page);
	s->pages--;
}

/* Frees @t's own memory (its names are gone or going with the sb). */
static void inode_free(struct tmpfs_inode *t, bool destroying)
{
	struct tmpfs_sb *s = tsb(t->v.sb);

	switch (t->v.mode & LINUX_S_IFMT) {
	case LINUX_S_IFREG:
		pagemap_fini(&t->u.pages, free_page, s);
		break;
	case LINUX_S_IFDIR: {
		struct dirindex_entry *e;

		/* Only the instance's destruction frees a non-empty one,
		 * and then the names' inodes may be gone already: their
		 * alias lists are not touched. */
		while ((e = dirindex_seek(&t->u.dir.index, 0))) {
			dirindex_remove(&t->u.dir.index, e);
			free(container_of(e, struct tmpfs_dirent, ix));
		}
		dirindex_fini(&t->u.dir.index);
		if (!destroying && t->u.dir.parent) {
			vfs_inode_put(&t->u.dir.parent->v);
		}
		break;
	}
	case LINUX_S_IFLNK:
		free(t->u.target);
		break;
	default:
		break;
	}
	if (t->last) {
		if (!destroying) {
			vfs_inode_put(&t->last->dir->v);
		}
		free(t->last);
	}
	vfs_inode_fini(&t->v);
	list_remove(&t->all);
	s->inodes--;
	free(t);
}

static void tmpfs_drop(struct inode *inode)
{
	if (inode->nlink == 0) {
		inode_free(ti(inode), false);
	}
}

/* @t lost a name: frees it if nothing else holds it. */
static void maybe_free(struct tmpfs_inode *t)
{
	if (t->v.nlink == 0 && t->v.refs == 0) {
		inode_free(t, false);
	}
}

/* ---- names ---- */

static struct tmpfs_dirent *dirent_create(const char *name, size_t len)
{
	struct tmpfs_dirent *d = malloc(sizeof(*d) + len + 1);

	if (!d) {
		return NULL;
	}
	memcpy(d->name, name, len);
	d->name[len] = '\0';
	d->ix.name = d->name;
	d->ix.len = (uint16_t)len;
	list_init(&d->alias);
	d->dir = NULL;
	d->inode = NULL;
	return d;
}

static struct tmpfs_dirent *dirent_find(struct tmpfs_inode *dir,
					const char *name, size_t len)
{
	struct dirindex_entry *e = dirindex_find(&dir->u.dir.index, name, len);

	return e ? container_of(e, struct tmpfs_dirent, ix) : NULL;
}

/* Names @t as @name in @dir; the dirent's memory on failure is freed. */
static int dirent_add(struct tmpfs_inode *dir, const char *name, size_t len,
		      struct tmpfs_inode *t)
{
	struct tmpfs_dirent *d = dirent_create(name, len);
	int err;

	if (!d) {
		return -LINUX_ENOMEM;
	}
	err = dirindex_insert(&dir->u.dir.index, &d->ix);
	if (err < 0) {
		free(d);
		return err;
	}
	d->dir = dir;
	d->inode = t;
	list_add_tail(&t->aliases, &d->alias);
	dir->v.size += DIRENT_SIZE;
	return 0;
}

/* Takes @d out of its directory and frees it (not its inode), or keeps
 * it as the inode's last name when it was its only one. */
static void dirent_del(struct tmpfs_dirent *d)
{
	struct tmpfs_inode *t = d->inode;

	dirindex_remove(&d->dir->u.dir.index, &d->ix);
	list_remove(&d->alias);
	d->dir->v.size -= DIRENT_SIZE;
	if (!list_is_empty(&t->aliases)) {
		free(d);
		return;
	}
	if (t->last) {
		vfs_inode_put(&t->last->dir->v);
		free(t->last);
	}
	vfs_inode_get(&d->dir->v);
	t->last = d;
}

/* ---- directory ops ---- */

static int tmpfs_lookup(struct inode *dir, const char *name, size_t len,
			struct inode **out)
{
	struct tmpfs_inode *t = ti(dir);
	struct tmpfs_dirent *d;

	if (len == 2 && name[0] == '.' && name[1] == '.') {
		*out = t->u.dir.parent ? &t->u.dir.parent->v : dir;
	} else if (len == 1 && name[0] == '.') {
		*out = dir;
	} else {
		d = dirent_find(t, name, len);
		if (!d) {
			return -LINUX_ENOENT;
		}
		*out = &d->inode->v;
	}
	vfs_inode_get(*out);
	return 0;
}

/* A new inode named @name in @dir. */
static int make_node(struct inode *dir, const char *name, size_t len,
		     uint32_t mode, uint32_t uid, uint32_t gid,
		     struct tmpfs_inode **out)
{
	struct tmpfs_inode *t;
	int err;

	err = inode_create(tsb(dir->sb), mode, uid, gid, &t);
	if (err < 0) {
		return err;
	}
	err = dirent_add(ti(dir), name, len, t);
	if (err < 0) {
		t->v.nlink = 0;
		t->v.refs = 0;
		inode_free(t, false);
		return err;
	}
	touch_mc(dir);
	*out = t;
	return 0;
}

static int tmpfs_create_op(struct inode *dir, const char *name, size_t len,
			   uint32_t mode, uint64_t rdev, uint32_t uid,
			   uint32_t gid, struct inode **out)
{
	struct tmpfs_inode *t;
	int err;

	err = make_node(dir, name, len, mode, uid, gid, &t);
	if (err < 0) {
		return err;
	}
	t->v.rdev = rdev;
	*out = &t->v;
	return 0;
}

static int tmpfs_mkdir(struct inode *dir, const char *name, size_t len,
		       uint32_t mode, uint32_t uid, uint32_t gid,
		       struct inode **out)
{
	struct tmpfs_inode *t;
	int err;

	err = make_node(dir, name, len, mode, uid, gid, &t);
	if (err < 0) {
		return err;
	}
	t->u.dir.parent = ti(dir);
	vfs_inode_get(dir);
	dir->nlink++;
	*out = &t->v;
	return 0;
}

static int tmpfs_symlink(struct inode *dir, const char *name, size_t len,
			 const char *target, uint32_t uid, uint32_t gid,
			 struct inode **out)
{
	size_t tlen = strlen(target);
	struct tmpfs_inode *t;
	char *copy;
	int err;

	if (tlen + 1 > TMPFS_PAGE) {
		return -LINUX_ENAMETOOLONG;
	}
	copy = malloc(tlen + 1);
	if (!copy) {
		return -LINUX_ENOMEM;
	}
	memcpy(copy, target, tlen + 1);
	err = make_node(dir, name, len, LINUX_S_IFLNK | 0777, uid, gid, &t);
	if (err < 0) {
		free(copy);
		return err;
	}
	t->u.target = copy;
	t->v.size = tlen;
	*out = &t->v;
	return 0;
}

static int tmpfs_link(struct inode *dir, const char *name, size_t len,
		      struct inode *inode)
{
	int err = dirent_add(ti(dir), name, len, ti(inode));

	if (err < 0) {
		return err;
	}
	inode->nlink++;
	inode->ctime = vfs_now();
	touch_mc(dir);
	return 0;
}

static int tmpfs_unlink(struct inode *dir, const char *name, size_t len)
{
	struct tmpfs_dirent *d = dirent_find(ti(dir), name, len);
	struct tmpfs_inode *t;

	if (!d) {
		return -LINUX_ENOENT;
	}
	t = d->inode;
	dirent_del(d);
	t->v.nlink--;
	t->v.ctime = vfs_now();
	touch_mc(dir);
	maybe_free(t);
	return 0;
}

static int tmpfs_rmdir(struct inode *dir, const char *name, size_t len)
{
	struct tmpfs_dirent *d = dirent_find(ti(dir), name, len);
	struct tmpfs_inode *t;

	if (!d) {
		return -LINUX_ENOENT;
	}
	t = d->inode;
	if (dirindex_count(&t->u.dir.index) > 0) {
		return -LINUX_ENOTEMPTY;
	}
	dirent_del(d);
	t->v.nlink = 0;
	t->v.ctime = vfs_now();
	dir->nlink--;
	touch_mc(dir);
	maybe_free(t);
	return 0;
}

/* Directory @t moves from parent @from to @to (".." and link counts). */
static void reparent(struct tmpfs_inode *t, struct tmpfs_inode *from,
		     struct tmpfs_inode *to)
{
	if (from == to || !LINUX_S_ISDIR(t->v.mode)) {
		return;
	}
	t->u.dir.parent = to;
	vfs_inode_get(&to->v);
	to->v.nlink++;
	from->v.nlink--;
	vfs_inode_put(&from->v);
}

static int rename_exchange(struct tmpfs_inode *od, struct tmpfs_dirent *oe,
			   struct tmpfs_inode *nd, struct tmpfs_dirent *ne)
{
	struct tmpfs_inode *a = oe->inode, *b = ne->inode;
	struct vfs_timespec now = vfs_now();

	list_remove(&oe->alias);
	list_remove(&ne->alias);
	oe->inode = b;
	ne->inode = a;
	list_add_tail(&b->aliases, &oe->alias);
	list_add_tail(&a->aliases, &ne->alias);
	reparent(a, od, nd);
	reparent(b, nd, od);
	a->v.ctime = now;
	b->v.ctime = now;
	touch_mc(&od->v);
	touch_mc(&nd->v);
	return 0;
}

static int tmpfs_rename(struct inode *odir, const char *oname, size_t olen,
			struct inode *ndir, const char *nname, size_t nlen,
			unsigned flags)
{
	struct tmpfs_inode *od = ti(odir), *nd = ti(ndir), *t, *victim;
	struct tmpfs_dirent *oe, *ne;
	struct vfs_timespec now = vfs_now();
	int err;

	oe = dirent_find(od, oname, olen);
	ne = dirent_find(nd, nname, nlen);
	if (!oe) {
		return -LINUX_ENOENT;
	}
	if (flags & LINUX_RENAME_EXCHANGE) {
		if (!ne) {
			return -LINUX_ENOENT;
		}
		return rename_exchange(od, oe, nd, ne);
	}
	victim = ne ? ne->inode : NULL;
	if (victim && LINUX_S_ISDIR(victim->v.mode) &&
	    dirindex_count(&victim->u.dir.index) > 0) {
		return -LINUX_ENOTEMPTY;
	}
	t = oe->inode;
	/* The new name first: the only step that can fail. While both
	 * exist the index briefly holds @nname twice. */
	err = dirent_add(nd, nname, nlen, t);
	if (err < 0) {
		return err;
	}
	if (victim) {
		dirent_del(ne);
		if (LINUX_S_ISDIR(victim->v.mode)) {
			victim->v.nlink = 0;
			nd->v.nlink--;
		} else {
			victim->v.nlink--;
		}
		victim->v.ctime = now;
	}
	dirent_del(oe);
	reparent(t, od, nd);
	t->v.ctime = now;
	touch_mc(odir);
	touch_mc(ndir);
	if (victim) {
		maybe_free(victim);
	}
	return 0;
}

static int tmpfs_readdir(struct inode *dir, uint64_t *pos,
			 vfs_filldir_fn fill, void *ctx)
{
	struct tmpfs_inode *t = ti(dir);
	struct dirindex_entry *e;

	if (*pos == 0) {
		if (fill(ctx, ".", 1, dir->ino, LINUX_DT_DIR, 1)) {
			return 0;
		}
		*pos = 1;
	}
	if (*pos == 1) {
		struct tmpfs_inode *p = t->u.dir.parent ? t->u.dir.parent : t;

		if (fill(ctx, "..", 2, p->v.ino, LINUX_DT_DIR, 2)) {
			return 0;
		}
		*pos = 2;
	}
	while ((e = dirindex_seek(&t->u.dir.index, *pos))) {
		struct tmpfs_dirent *d = container_of(e, struct tmpfs_dirent,
						      ix);

		if (fill(ctx, d->name, e->len, d->inode->v.ino,
			 LINUX_DT_FROM_MODE(d->inode->v.mode),
			 e->cookie + 1)) {
			break;
		}
		*pos = e->cookie + 1;
	}
	return 0;
}

static int tmpfs_parent_name(struct inode *inode, struct inode **parent,
			     char *name, size_t cap)
{
	struct tmpfs_inode *t = ti(inode);
	struct tmpfs_dirent *d;
	size_t len;

	if (!list_is_empty(&t->aliases)) {
		d = container_of(t->aliases.next, struct tmpfs_dirent, alias);
	} else if (t->last) {
		d = t->last;
	} else {
		return -LINUX_ENOENT;
	}
	len = d->ix.len;
	if (len > cap) {
		return -LINUX_ENAMETOOLONG;
	}
	memcpy(name, d->name, len);
	*parent = &d->dir->v;
	vfs_inode_get(*parent);
	return (int)len;
}

/* ---- symlinks ---- */

static int64_t tmpfs_readlink(struct inode *inode, char *buf, size_t cap)
{
	size_t n = inode->size < cap ? inode->size : cap;

	memcpy(buf, ti(inode)->u.target, n);
	return (int64_t)n;
}

/* ---- data ---- */

/* Zeroes the bytes of the last page past @size (so that growing the file
 * later shows zeros there) and frees the pages beyond it. */
static void shrink(struct tmpfs_inode *t, uint64_t size)
{
	struct tmpfs_sb *s = tsb(t->v.sb);
	uint64_t first = (size + TMPFS_PAGE - 1) / TMPFS_PAGE;
	uint8_t *page;

	if (size % TMPFS_PAGE) {
		page = pagemap_get(&t->u.pages, size / TMPFS_PAGE);
		if (page) {
			memset(page + size % TMPFS_PAGE, 0,
			       TMPFS_PAGE - size % TMPFS_PAGE);
		}
	}
	pagemap_truncate(&t->u.pages, first, free_page, s);
	t->v.blocks = t->u.pages.count * (TMPFS_PAGE / 512);
}

static int tmpfs_setattr(struct inode *inode, const struct vfs_attr *attr)
{
	struct tmpfs_inode *t = ti(inode);
	struct vfs_timespec now = vfs_now();

	if (attr->valid & VFS_ATTR_SIZE) {
		if (!LINUX_S_ISREG(inode->mode)) {
			return -LINUX_EINVAL;
		}
		if (attr->size != inode->size) {
			if (attr->size < inode->size) {
				shrink(t, attr->size);
			}
			inode->size = attr->size;
			inode->mtime = now;
			inode->ctime = now;
		}
	}
	if (attr->valid & VFS_ATTR_MODE) {
		inode->mode = (inode->mode & LINUX_S_IFMT) |
			      (attr->mode & 07777);
	}
	if (attr->valid & VFS_ATTR_UID) {
		inode->uid = attr->uid;
	}
	if (attr->valid & VFS_ATTR_GID) {
		inode->gid = attr->gid;
	}
	if (attr->valid & VFS_ATTR_ATIME) {
		inode->atime = attr->atime;
	}
	if (attr->valid & VFS_ATTR_MTIME) {
		inode->mtime = attr->mtime;
	}
	if (attr->valid & VFS_ATTR_CTIME) {
		inode->ctime = attr->ctime;
	}
	return 0;
}

static int64_t tmpfs_read(struct inode *inode, void *buf, size_t len,
			  uint64_t off)
{
	struct tmpfs_inode *t = ti(inode);
	uint8_t *out = buf;
	size_t done = 0;

	if (off >= inode->size) {
		return 0;
	}
	if (len > inode->size - off) {
		len = (size_t)(inode->size - off);
	}
	while (done < len) {
		uint64_t at = off + done;
		size_t in_page = (size_t)(at % TMPFS_PAGE);
		size_t n = TMPFS_PAGE - in_page;
		uint8_t *page = pagemap_get(&t->u.pages, at / TMPFS_PAGE);

		if (n > len - done) {
			n = len - done;
		}
		if (page) {
			memcpy(out + done, page + in_page, n);
		} else {
			memset(out + done, 0, n);	/* a hole */
		}
		done += n;
	}
	return (int64_t)done;
}

static int64_t tmpfs_write(struct inode *inode, const void *buf, size_t len,
			   uint64_t off)
{
	struct tmpfs_inode *t = ti(inode);
	struct tmpfs_sb *s = tsb(inode->sb);
	uint64_t max_pages = s->opts.max_bytes / TMPFS_PAGE;
	const uint8_t *in = buf;
	size_t done = 0;
	int err = 0;

	while (done < len) {
		uint64_t at = off + done;
		size_t in_page = (size_t)(at % TMPFS_PAGE);
		size_t n = TMPFS_PAGE - in_page;
		uint8_t *page = pagemap_get(&t->u.pages, at / TMPFS_PAGE);

		if (n > len - done) {
			n = len - done;
		}
		if (!page) {
			if (s->opts.max_bytes && s->pages >= max_pages) {
				err = -LINUX_ENOSPC;
				break;
			}
			page = calloc(1, TMPFS_PAGE);
			if (!page) {
				err = -LINUX_ENOMEM;
				break;
			}
			err = pagemap_set(&t->u.pages, at / TMPFS_PAGE, page);
			if (err < 0) {
				free(page);
				break;
			}
			s->pages++;
		}
		memcpy(page + in_page, in + done, n);
		done += n;
	}
	if (done > 0) {
		if (off + done > inode->size) {
			inode->size = off + done;
		}
		inode->blocks = t->u.pages.count * (TMPFS_PAGE / 512);
		touch_mc(inode);
		return (int64_t)done;
	}
	return err;
}

static int64_t tmpfs_seek_data(struct inode *inode, uint64_t off, bool hole)
{
	struct pagemap *pm = &ti(inode)->u.pages;
	uint64_t idx = off / TMPFS_PAGE, pos;

	if (hole) {
		while (pagemap_get(pm, idx)) {
			idx++;
		}
		pos = idx * TMPFS_PAGE;
		pos = pos < off ? off : pos;
		return (int64_t)(pos < inode->size ? pos : inode->size);
	}
	if (!pagemap_next(pm, idx, &idx)) {
		return -LINUX_ENXIO;
	}
	pos = idx * TMPFS_PAGE;
	pos = pos < off ? off : pos;
	if (pos >= inode->size) {
		return -LINUX_ENXIO;
	}
	return (int64_t)pos;
}

static const struct inode_ops tmpfs_iops = {
	.lookup = tmpfs_lookup,
	.create = tmpfs_create_op,
	.mkdir = tmpfs_mkdir,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.readlink = tmpfs_readlink,
	.setattr = tmpfs_setattr,
	.read = tmpfs_read,
	.write = tmpfs_write,
	.seek_data = tmpfs_seek_data,
	.readdir = tmpfs_readdir,
	.parent_name = tmpfs_parent_name,
	.drop = tmpfs_drop,
};

/* ---- the instance ---- */

static int tmpfs_statfs(struct vfs_sb *sb, struct linux_statfs *out)
{
	struct tmpfs_sb *s = tsb(sb);

	out->f_type = LINUX_TMPFS_MAGIC;
	if (s->opts.max_bytes) {
		uint64_t max = s->opts.max_bytes / TMPFS_PAGE;

		out->f_blocks = max;
		out->f_bfree = max > s->pages ? max - s->pages : 0;
		out->f_bavail = out->f_bfree;
	}
	if (s->opts.max_inodes) {
		out->f_files = s->opts.max_inodes;
		out->f_ffree = s->opts.max_inodes > s->inodes
				       ? s->opts.max_inodes - s->inodes
				       : 0;
	}
	return 0;
}

static void tmpfs_destroy(struct vfs_sb *sb)
{
	struct tmpfs_sb *s = tsb(sb);
	struct list_node *n;

	while ((n = list_first(&s->all))) {
		inode_free(container_of(n, struct tmpfs_inode, all), true);
	}
	free(s);
}

static const struct vfs_sb_ops tmpfs_sops = {
	.statfs = tmpfs_statfs,
	.destroy = tmpfs_destroy,
};

int tmpfs_create(const struct tmpfs_opts *opts, struct vfs_sb **out)
{
	struct tmpfs_sb *s = calloc(1, sizeof(*s));
	struct tmpfs_inode *root;
	int err;

	if (!s) {
		return -LINUX_ENOMEM;
	}
	s->opts = *opts;
	s->next_ino = 1;
	list_init(&s->all);
	err = inode_create(s, LINUX_S_IFDIR | (opts->mode & 07777), opts->uid,
			   opts->gid, &root);
	if (err < 0) {
		free(s);
		return err;
	}
	/* The root's one reference is the sb's. */
	vfs_sb_init(&s->vsb, &tmpfs_sops, &root->v);
	*out = &s->vsb;
	return 0;
}

uint64_t tmpfs_used_bytes(const struct vfs_sb *sb)
{
	return container_of(sb, struct tmpfs_sb, vsb)->pages * TMPFS_PAGE;
}

uint64_t tmpfs_used_inodes(const struct vfs_sb *sb)
{
	return container_of(sb, struct tmpfs_sb, vsb)->inodes;
}

/* ---- mount(2) ---- */

/* Parses a number with an optional k/m/g/t suffix (or % of @ram). */
static int parse_size(const char *s, size_t len, uint64_t ram, bool pct_ok,
		      uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (len == 0) {
		return -LINUX_EINVAL;
	}
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 9) / 10) {
			return -LINUX_EINVAL;
		}
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0) {
		return -LINUX_EINVAL;
	}
	if (i + 1 == len) {
		unsigned shift = 0;

		switch (s[i]) {
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'm':
		case 'M':
			shift = 20;
			break;
		case 'g':
		case 'G':
			shift = 30;
			break;
		case 't':
		case 'T':
			shift = 40;
			break;
		case '%':
			if (!pct_ok || v > 100) {
				return -LINUX_EINVAL;
			}
			*out = ram / 100 * v;
			return 0;
		default:
			return -LINUX_EINVAL;
		}
		if (v > (UINT64_MAX >> shift)) {
			return -LINUX_EINVAL;
		}
		v <<= shift;
	} else if (i != len) {
		return -LINUX_EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_octal(const char *s, size_t len, uint32_t *out)
{
	uint32_t v = 0;

	if (len == 0 || len > 11) {
		return -LINUX_EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '7') {
			return -LINUX_EINVAL;
		}
		v = v * 8 + (uint32_t)(s[i] - '0');
	}
	*out = v & 07777;
	return 0;
}

static bool key_is(const char *s, size_t len, const char *key)
{
	return strlen(key) == len && memcmp(s, key, len) == 0;
}

int tmpfs_parse_opts(const char *data, uint64_t ram_bytes,
		     struct tmpfs_opts *opts)
{
	const char *p = data;

	memset(opts, 0, sizeof(*opts));
	opts->mode = 01777;
	while (p && *p) {
		const char *end = p, *eq = NULL;
		size_t klen, vlen;
		uint64_t v;
		int err;

		while (*end && *end != ',') {
			if (*end == '=' && !eq) {
				eq = end;
			}
			end++;
		}
		if (!eq) {
			return -LINUX_EINVAL;
		}
		klen = (size_t)(eq - p);
		vlen = (size_t)(end - eq - 1);
		if (key_is(p, klen, "size")) {
			err = parse_size(eq + 1, vlen, ram_bytes, true,
					 &opts->max_bytes);
		} else if (key_is(p, klen, "nr_inodes")) {
			err = parse_size(eq + 1, vlen, 0, false,
					 &opts->max_inodes);
		} else if (key_is(p, klen, "mode")) {
			err = parse_octal(eq + 1, vlen, &opts->mode);
		} else if (key_is(p, klen, "uid") || key_is(p, klen, "gid")) {
			err = parse_size(eq + 1, vlen, 0, false, &v);
			if (err == 0 && v > UINT32_MAX - 1) {
				err = -LINUX_EINVAL;
			}
			if (err == 0 && p[0] == 'u') {
				opts->uid = (uint32_t)v;
			} else if (err == 0) {
				opts->gid = (uint32_t)v;
			}
		} else {
			err = -LINUX_EINVAL;
		}
		if (err < 0) {
			return err;
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

static uint64_t tmpfs_ram;

static int tmpfs_fs_mount(const char *source, unsigned long flags,
			  const char *data, struct vfs_sb **out)
{
	struct tmpfs_opts opts;
	int err;

	err = tmpfs_parse_opts(data, tmpfs_ram, &opts);
	if (err < 0) {
		return err;
	}
	return tmpfs_create(&opts, out);
}

static struct vfs_fstype tmpfs_type = {
	.name = "tmpfs",
	.nodev = true,
	.mount = tmpfs_fs_mount,
};

int tmpfs_register(uint64_t ram_bytes)
{
	tmpfs_ram = ram_bytes;
	return vfs_fstype_register(&tmpfs_type);
}
