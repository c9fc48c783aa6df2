/*
 * Generated file systems (pseudofs.h): nodes made by lookups, files
 * generated at open into a snapshot each open file keeps, directories
 * of fixed and dynamic entries with stable positions.
 *
 * Every node holds a reference on its parent; the root belongs to the
 * instance and goes with it. Nothing is cached: two lookups of one name
 * give two inodes with the same number.
 */
#include "pseudofs.h"

#ifdef HOST_TEST
#include <stdlib.h>
#else
#include <rt/malloc.h>
#endif

#include <base/string.h>
#include <linux_abi/errno.h>
#include <linux_abi/fcntl.h>

#include "file.h"

/* "." and ".." come before the fixed entries. */
#define FIRST_ENTRY 2

struct pseudofs_sb {
	struct vfs_sb vsb;
	uint32_t magic;
	unsigned flags;
};

/* What an open regular file keeps. */
struct pseudofs_open {
	struct textbuf text;
	bool fresh;		/* made at open, not read yet */
};

static const struct inode_ops pseudofs_iops;
static const struct inode_ops pseudofs_magic_iops;
static const struct file_ops pseudofs_fops;

uint64_t pseudofs_ino(uint8_t type_id, const struct pseudofs_key *key)
{
	return (uint64_t)(key->pid & 0x3fffff) << 42 |
	       (uint64_t)(key->tid & 0x3fffff) << 20 |
	       (uint64_t)(key->idx & 0xfff) << 8 | type_id;
}

static struct pseudofs_sb *psb(struct vfs_sb *sb)
{
	return (struct pseudofs_sb *)sb;
}

static struct pseudofs_node *node_create(struct vfs_sb *sb,
					 struct pseudofs_node *parent,
					 const struct pseudofs_type *type,
					 const struct pseudofs_key *key,
					 const char *name, size_t len)
{
	struct pseudofs_node *n = calloc(1, sizeof(*n));

	if (!n) {
		return NULL;
	}
	vfs_inode_init(&n->inode, sb,
		       type->get_link ? &pseudofs_magic_iops : &pseudofs_iops,
		       type->mode);
	n->inode.ino = pseudofs_ino(type->id, key);
	if (LINUX_S_ISREG(type->mode)) {
		n->inode.fops = &pseudofs_fops;
	}
	n->type = type;
	n->key = *key;
	if (len >= sizeof(n->name)) {
		len = sizeof(n->name) - 1;
	}
	memcpy(n->name, name, len);
	n->parent = parent;
	if (parent) {
		vfs_inode_get(&parent->inode);
	}
	return n;
}

struct pseudofs_node *pseudofs_node_create(struct pseudofs_node *parent,
					   const struct pseudofs_type *type,
					   const struct pseudofs_key *key,
					   const char *name)
{
	return node_create(parent->inode.sb, parent, type, key, name,
			   strlen(name));
}

bool pseudofs_is_node(const struct inode *inode)
{
	return inode->ops == &pseudofs_iops ||
	       inode->ops == &pseudofs_magic_iops;
}

static int revalidate(struct pseudofs_node *n)
{
	return n->type->revalidate ? n->type->revalidate(n) : 0;
}

static unsigned count_entries(const struct pseudofs_type *t)
{
	unsigned n = 0;

	while (t->entries && t->entries[n].name) {
		n++;
	}
	return n;
}

static int pseudofs_lookup(struct inode *dir, const char *name, size_t len,
			   struct inode **out)
{
	struct pseudofs_node *d = pseudofs_node(dir), *n;
	const struct pseudofs_type *t = d->type;
	struct pseudofs_child c;
	int err;

	if (len == 2 && name[0] == '.' && name[1] == '.') {
		n = d->parent ? d->parent : d;
		vfs_inode_get(&n->inode);
		*out = &n->inode;
		return 0;
	}
	err = revalidate(d);
	if (err < 0) {
		return err;
	}
	c.type = NULL;
	for (unsigned i = 0; t->entries && t->entries[i].name; i++) {
		const char *en = t->entries[i].name;

		if (strlen(en) == len && memcmp(en, name, len) == 0) {
			c.type = t->entries[i].type;
			c.key = d->key;
			break;
		}
	}
	if (!c.type) {
		if (!t->dyn_lookup) {
			return -LINUX_ENOENT;
		}
		err = t->dyn_lookup(d, name, len, &c);
		if (err < 0) {
			return err;
		}
	}
	n = node_create(dir->sb, d, c.type, &c.key, name, len);
	if (!n) {
		return -LINUX_ENOMEM;
	}
	if (revalidate(n) < 0) {
		vfs_inode_put(&n->inode);
		return -LINUX_ENOENT;
	}
	*out = &n->inode;
	return 0;
}

static int pseudofs_readdir(struct inode *dir, uint64_t *pos,
			    vfs_filldir_fn fill, void *ctx)
{
	struct pseudofs_node *d = pseudofs_node(dir);
	const struct pseudofs_type *t = d->type;
	unsigned nfixed = count_entries(t);
	struct pseudofs_child c;
	uint64_t cursor;

	/* A directory whose process ended has no entries left to read. */
	if (revalidate(d) < 0) {
		return -LINUX_ENOENT;
	}
	if (*pos == 0) {
		if (fill(ctx, ".", 1, dir->ino, LINUX_DT_DIR, 1)) {
			return 0;
		}
		*pos = 1;
	}
	if (*pos == 1) {
		uint64_t ino = d->parent ? d->parent->inode.ino : dir->ino;

		if (fill(ctx, "..", 2, ino, LINUX_DT_DIR, FIRST_ENTRY)) {
			return 0;
		}
		*pos = FIRST_ENTRY;
	}
	while (*pos < FIRST_ENTRY + (uint64_t)nfixed) {
		const struct pseudofs_entry *e = &t->entries[*pos - FIRST_ENTRY];

		if (fill(ctx, e->name, strlen(e->name),
			 pseudofs_ino(e->type->id, &d->key),
			 LINUX_DT_FROM_MODE(e->type->mode), *pos + 1)) {
			return 0;
		}
		(*pos)++;
	}
	if (!t->dyn_next) {
		return 0;
	}
	cursor = *pos - FIRST_ENTRY - nfixed;
	while (t->dyn_next(d, &cursor, &c)) {
		uint64_t next = FIRST_ENTRY + nfixed + cursor + 1;

		if (fill(ctx, c.name, strnlen(c.name, sizeof(c.name)),
			 pseudofs_ino(c.type->id, &c.key),
			 LINUX_DT_FROM_MODE(c.type->mode), next)) {
			return 0;
		}
		*pos = next;
		cursor++;
	}
	return 0;
}

static int64_t pseudofs_readlink(struct inode *inode, char *buf, size_t cap)
{
	struct pseudofs_node *n = pseudofs_node(inode);
	struct textbuf text;
	int64_t len;
	int err;

	if (!n->type->link) {
		return -LINUX_EINVAL;
	}
	err = revalidate(n);
	if (err < 0) {
		return err;
	}
	textbuf_init(&text);
	err = n->type->link(n, &text);
	if (err == 0 && text.failed) {
		err = -LINUX_ENOMEM;
	}
	if (err < 0) {
		textbuf_fini(&text);
		return err;
	}
	len = (int64_t)(text.len < cap ? text.len : cap);
	if (len > 0) {
		memcpy(buf, text.data, (size_t)len);
	}
	textbuf_fini(&text);
	return len;
}

static int pseudofs_get_link(struct inode *inode, struct vfs_mount *mnt,
			     struct vfs_path *out)
{
	struct pseudofs_node *n = pseudofs_node(inode);
	int err = revalidate(n);

	return err < 0 ? err : n->type->get_link(n, mnt, out);
}

static int pseudofs_parent_name(struct inode *inode, struct inode **parent,
				char *name, size_t cap)
{
	struct pseudofs_node *n = pseudofs_node(inode);
	size_t len = strnlen(n->name, sizeof(n->name));

	if (!n->parent) {
		return -LINUX_ENOENT;
	}
	if (len > cap) {
		return -LINUX_ERANGE;
	}
	memcpy(name, n->name, len);
	vfs_inode_get(&n->parent->inode);
	*parent = &n->parent->inode;
	return (int)len;
}

/* Truncation (O_TRUNC, as `echo 1 > file` asks) and time changes are
 * accepted and mean nothing; owners and modes are fixed. */
static int pseudofs_setattr(struct inode *inode, const struct vfs_attr *attr)
{
	if (attr->valid & (VFS_ATTR_MODE | VFS_ATTR_UID | VFS_ATTR_GID)) {
		return -LINUX_EPERM;
	}
	if (attr->valid & VFS_ATTR_MTIME) {
		inode->mtime = attr->mtime;
	}
	if (attr->valid & VFS_ATTR_ATIME) {
		inode->atime = attr->atime;
	}
	return 0;
}

static bool can_read(const struct file *f)
{
	unsigned acc = f->flags & LINUX_O_ACCMODE;

	return acc == LINUX_O_RDONLY || acc == LINUX_O_RDWR;
}

static bool can_write(const struct file *f)
{
	unsigned acc = f->flags & LINUX_O_ACCMODE;

	return acc == LINUX_O_WRONLY || acc == LINUX_O_RDWR;
}

/* Makes the snapshot of @n's contents in @o. */
static int generate(struct pseudofs_node *n, struct pseudofs_open *o)
{
	int err = revalidate(n);

	if (err < 0) {
		return err;
	}
	textbuf_reset(&o->text);
	err = n->type->show(n, &o->text);
	if (err == 0 && o->text.failed) {
		err = -LINUX_ENOMEM;
	}
	return err;
}

static int pseudofs_open(struct inode *inode, struct file *f)
{
	struct pseudofs_node *n = pseudofs_node(inode);
	struct pseudofs_open *o;
	int err;

	if (!LINUX_S_ISREG(inode->mode)) {
		return revalidate(n);
	}
	if (can_write(f) && !n->type->store &&
	    !(psb(inode->sb)->flags & PSEUDOFS_WRITE_OPEN_OK)) {
		return -LINUX_EACCES;
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		return -LINUX_ENOMEM;
	}
	textbuf_init(&o->text);
	if (can_read(f) && n->type->show) {
		err = generate(n, o);
	} else {
		err = revalidate(n);
	}
	if (err < 0) {
		textbuf_fini(&o->text);
		free(o);
		return err;
	}
	o->fresh = true;
	f->priv = o;
	return 0;
}

static int64_t pseudofs_read(struct file *f, void *buf, size_t len,
			     uint64_t *pos)
{
	struct pseudofs_node *n = pseudofs_node(f->inode);
	struct pseudofs_open *o = f->priv;
	size_t left;

	if (!can_read(f)) {
		return -LINUX_EBADF;
	}
	if (!n->type->show) {
		return -LINUX_EINVAL;
	}
	if (*pos == 0 && !o->fresh) {
		int err = generate(n, o);

		if (err < 0) {
			return err;
		}
	}
	o->fresh = false;
	if (*pos >= o->text.len) {
		return 0;
	}
	left = o->text.len - (size_t)*pos;
	if (len > left) {
		len = left;
	}
	memcpy(buf, o->text.data + *pos, len);
	*pos += len;
	return (int64_t)len;
}

static int64_t pseudofs_write(struct file *f, const void *buf, size_t len,
			      uint64_t *pos)
{
	struct pseudofs_node *n = pseudofs_node(f->inode);
	int64_t r;
	int err;

	if (!can_write(f)) {
		return -LINUX_EBADF;
	}
	if (!n->type->store) {
		return -LINUX_EINVAL;
	}
	err = revalidate(n);
	if (err < 0) {
		return err;
	}
	r = n->type->store(n, buf, len);
	if (r > 0) {
		*pos += (uint64_t)r;
	}
	return r;
}

/* As seq_file: from the start or from here; there is no end to seek
 * from. */
static int64_t pseudofs_lseek(struct file *f, int64_t off, int whence)
{
	int64_t base;

	switch (whence) {
	case LINUX_SEEK_SET:
		base = 0;
		break;
	case LINUX_SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	default:
		return -LINUX_EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0) {
		return -LINUX_EINVAL;
	}
	f->pos = (uint64_t)(base + off);
	return (int64_t)f->pos;
}

static void pseudofs_release(struct file *f)
{
	struct pseudofs_open *o = f->priv;

	if (o) {
		textbuf_fini(&o->text);
		free(o);
	}
}

static void pseudofs_drop(struct inode *inode)
{
	struct pseudofs_node *n = pseudofs_node(inode);
	struct pseudofs_node *parent = n->parent;

	if (n->type->release) {
		n->type->release(n);
	}
	vfs_inode_fini(&n->inode);
	free(n);
	if (parent) {
		vfs_inode_put(&parent->inode);
	}
}

static const struct inode_ops pseudofs_iops = {
	.lookup = pseudofs_lookup,
	.readdir = pseudofs_readdir,
	.readlink = pseudofs_readlink,
	.parent_name = pseudofs_parent_name,
	.setattr = pseudofs_setattr,
	.open = pseudofs_open,
	.drop = pseudofs_drop,
};

/* The same for magic links. */
static const struct inode_ops pseudofs_magic_iops = {
	.lookup = pseudofs_lookup,
	.readdir = pseudofs_readdir,
	.readlink = pseudofs_readlink,
	.get_link = pseudofs_get_link,
	.parent_name = pseudofs_parent_name,
	.setattr = pseudofs_setattr,
	.open = pseudofs_open,
	.drop = pseudofs_drop,
};

static const struct file_ops pseudofs_fops = {
	.read = pseudofs_read,
	.write = pseudofs_write,
	.lseek = pseudofs_lseek,
	.release = pseudofs_release,
};

static int pseudofs_statfs(struct vfs_sb *sb, struct linux_statfs *out)
{
	out->f_type = psb(sb)->magic;
	return 0;
}

static void pseudofs_destroy(struct vfs_sb *sb)
{
	vfs_inode_put(sb->root);
	free(psb(sb));
}

static const struct vfs_sb_ops pseudofs_sb_ops = {
	.statfs = pseudofs_statfs,
	.destroy = pseudofs_destroy,
};

int pseudofs_create(const struct pseudofs_type *root, uint32_t magic,
		    unsigned flags, struct vfs_sb **out)
{
	static const struct pseudofs_key none;
	struct pseudofs_sb *s = calloc(1, sizeof(*s));
	struct pseudofs_node *r;

	if (!s) {
		return -LINUX_ENOMEM;
	}
	r = node_create(&s->vsb, NULL, root, &none, "", 0);
	if (!r) {
		free(s);
		return -LINUX_ENOMEM;
	}
	s->magic = magic;
	s->flags = flags;
	vfs_sb_init(&s->vsb, &pseudofs_sb_ops, &r->inode);
	*out = &s->vsb;
	return 0;
}
