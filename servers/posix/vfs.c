/*
 * The vfs's objects (see vfs.h): hooks and the clock, reference counts of
 * inodes, superblocks, mounts and paths, permission checks, file system
 * types and the mount tree (mount, bind, remount, umount).
 *
 * The mount tree is a list in mount order; a mount is found under a
 * mountpoint by scanning it, which only happens when the inode walked
 * onto has @mounts > 0. Stacked mounts: a new mount at a path goes on top
 * of what the walk reached (the root of the mount already there), so the
 * search from (parent mount, inode) finds exactly one.
 */
#include "vfs.h"

#ifdef HOST_TEST
#include <stdlib.h>
#else
#include <rt/malloc.h>
#endif

#include <base/string.h>

#include <linux_abi/errno.h>
#include <linux_abi/mount.h>

#include "vfs_impl.h"

static struct vfs_hooks hooks;
static struct list_node mounts = LIST_INIT(mounts);
static struct vfs_fstype *fstypes;
static uint64_t next_mount_id = 1;
static uint32_t next_anon_minor = 1;

void vfs_set_hooks(const struct vfs_hooks *h)
{
	if (h) {
		hooks = *h;
	} else {
		memset(&hooks, 0, sizeof(hooks));
	}
}

const struct vfs_hooks *vfs_get_hooks(void)
{
	return &hooks;
}

struct vfs_timespec vfs_now(void)
{
	struct vfs_timespec ts = { 0, 0 };

	if (hooks.now) {
		hooks.now(&ts);
	}
	return ts;
}

/* ---- reference counts ---- */

void vfs_inode_init(struct inode *inode, struct vfs_sb *sb,
		    const struct inode_ops *ops, uint32_t mode)
{
	struct vfs_timespec now = vfs_now();

	memset(inode, 0, sizeof(*inode));
	inode->mode = mode;
	inode->nlink = LINUX_S_ISDIR(mode) ? 2 : 1;
	inode->refs = 1;
	inode->sb = sb;
	inode->ops = ops;
	inode->atime = now;
	inode->mtime = now;
	inode->ctime = now;
	inode->btime = now;
}

void vfs_inode_fini(struct inode *inode)
{
	if (inode->special && hooks.release_special) {
		hooks.release_special(inode);
	}
	inode->special = NULL;
}

void vfs_inode_get(struct inode *inode)
{
	inode->refs++;
}

void vfs_inode_put(struct inode *inode)
{
	if (!inode || --inode->refs > 0) {
		return;
	}
	if (inode->ops->drop) {
		inode->ops->drop(inode);
	}
}

void vfs_sb_init(struct vfs_sb *sb, const struct vfs_sb_ops *ops,
		 struct inode *root)
{
	sb->ops = ops;
	sb->root = root;
	/* Anonymous devices are (0, n), as Linux numbers its tmpfs and
	 * procfs instances. */
	sb->dev = LINUX_MAKEDEV(0, next_anon_minor);
	next_anon_minor++;
	sb->refs = 1;
}

void vfs_sb_get(struct vfs_sb *sb)
{
	sb->refs++;
}

void vfs_sb_put(struct vfs_sb *sb)
{
	if (!sb || --sb->refs > 0) {
		return;
	}
	sb->ops->destroy(sb);
}

void vfs_mount_get(struct vfs_mount *m)
{
	m->refs++;
}

static void mount_free(struct vfs_mount *m)
{
	vfs_inode_put(m->root);
	vfs_sb_put(m->sb);
	free(m->source);
	free(m);
}

void vfs_mount_put(struct vfs_mount *m)
{
	if (!m || --m->refs > 0) {
		return;
	}
	if (!m->attached) {
		mount_free(m);
	}
}

void vfs_path_get(const struct vfs_path *p)
{
	if (p->mnt) {
		vfs_mount_get(p->mnt);
	}
	if (p->inode) {
		vfs_inode_get(p->inode);
	}
}

void vfs_path_put(struct vfs_path *p)
{
	/* The inode first: the mount may hold the last reference to the sb
	 * that owns it. */
	vfs_inode_put(p->inode);
	vfs_mount_put(p->mnt);
	p->inode = NULL;
	p->mnt = NULL;
}

void vfs_path_copy(struct vfs_path *dst, const struct vfs_path *src)
{
	*dst = *src;
	vfs_path_get(dst);
}

/* ---- permissions ---- */

bool vfs_cred_in_group(const struct vfs_cred *cred, uint32_t gid)
{
	if (cred->gid == gid) {
		return true;
	}
	for (unsigned i = 0; i < cred->ngroups; i++) {
		if (cred->groups[i] == gid) {
			return true;
		}
	}
	return false;
}

int vfs_permission(const struct vfs_cred *cred, const struct inode *inode,
		   unsigned mask)
{
	uint32_t mode = inode->mode;
	unsigned bits;

	mask &= VFS_MAY_READ | VFS_MAY_WRITE | VFS_MAY_EXEC;
	if (cred->uid == inode->uid) {
		bits = (mode >> 6) & 7;
	} else if (vfs_cred_in_group(cred, inode->gid)) {
		bits = (mode >> 3) & 7;
	} else {
		bits = mode & 7;
	}
	if ((mask & ~bits) == 0) {
		return 0;
	}
	/* CAP_DAC_OVERRIDE: read and write anything, search any directory,
	 * execute what someone may execute. */
	if (cred->uid == 0) {
		if (!(mask & VFS_MAY_EXEC) || LINUX_S_ISDIR(mode) ||
		    (mode & LINUX_S_IXUGO)) {
			return 0;
		}
	}
	return -LINUX_EACCES;
}

/* ---- file system types ---- */

int vfs_fstype_register(struct vfs_fstype *t)
{
	struct vfs_fstype **pp = &fstypes;

	if (vfs_fstype_find(t->name)) {
		return -LINUX_EEXIST;
	}
	while (*pp) {
		pp = &(*pp)->next;
	}
	t->next = NULL;
	*pp = t;
	return 0;
}

struct vfs_fstype *vfs_fstype_find(const char *name)
{
	for (struct vfs_fstype *t = fstypes; t; t = t->next) {
		if (strcmp(t->name, name) == 0) {
			return t;
		}
	}
	return NULL;
}

struct vfs_fstype *vfs_fstype_first(void)
{
	return fstypes;
}

/* ---- mounts ---- */

struct vfs_mount *vfs_mount_next(struct vfs_mount *prev)
{
	struct list_node *n = prev ? prev->link.next : mounts.next;

	if (n == &mounts) {
		return NULL;
	}
	return container_of(n, struct vfs_mount, link);
}

struct vfs_mount *vfs_mount_child(const struct vfs_mount *parent,
				  const struct inode *mountpoint)
{
	struct list_node *n;

	if (mountpoint->mounts == 0) {
		return NULL;
	}
	list_for_each(n, &mounts) {
		struct vfs_mount *m = container_of(n, struct vfs_mount, link);

		if (m->parent == parent && m->mountpoint == mountpoint) {
			return m;
		}
	}
	return NULL;
}

bool vfs_mount_is_rdonly(const struct vfs_mount *m)
{
	return m && (m->flags & LINUX_MS_RDONLY);
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s ? s : "none") + 1;
	char *d = malloc(n);

	if (d) {
		memcpy(d, s ? s : "none", n);
	}
	return d;
}

/* A new attached mount of @sb (reference taken over) rooted at @root
 * (referenced here) on @at (NULL: the root of a new tree). */
static struct vfs_mount *mount_attach(struct vfs_sb *sb, struct inode *root,
				      const struct vfs_path *at,
				      const char *source, const char *type,
				      unsigned long flags)
{
	struct vfs_mount *m = calloc(1, sizeof(*m));

	if (!m || !(m->source = dup_str(source))) {
		free(m);
		vfs_sb_put(sb);
		return NULL;
	}
	m->sb = sb;
	m->root = root;
	vfs_inode_get(root);
	m->type = type ? type : "none";
	m->flags = flags & VFS_MOUNT_FLAGS;
	m->id = next_mount_id++;
	m->attached = true;
	if (at) {
		m->parent = at->mnt;
		m->mountpoint = at->inode;
		vfs_inode_get(at->inode);
		at->inode->mounts++;
	}
	list_add_tail(&mounts, &m->link);
	return m;
}

int vfs_mount_root(struct vfs_sb *sb, const char *source, const char *type,
		   struct vfs_path *root)
{
	struct vfs_mount *m = mount_attach(sb, sb->root, NULL, source, type, 0);

	if (!m) {
		return -LINUX_ENOMEM;
	}
	root->mnt = m;
	root->inode = m->root;
	vfs_path_get(root);
	return 0;
}



/* Whether a new mount may go on @at: a live directory (or, for binds of
 * non-directories, a live non-directory). */
static int check_mountpoint(const struct vfs_path *at, bool want_dir)
{
	bool is_dir = LINUX_S_ISDIR(at->inode->mode);

	if (want_dir && !is_dir) {
		return -LINUX_ENOTDIR;
	}
	if (!want_dir && is_dir) {
		return -LINUX_ENOTDIR;
	}
	if (at->inode->nlink == 0) {
		return -LINUX_ENOENT;
	}
	return 0;
}

int vfs_mount_sb(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		 const char *target, struct vfs_sb *sb, const char *source,
		 const char *type, unsigned long flags)
{
	struct vfs_path at = { 0 };
	int err;

	if (ctx->cred.uid != 0) {
		err = -LINUX_EPERM;
		goto out_put_sb;
	}
	err = vfs_lookup(ctx, dir, target, VFS_LOOKUP_FOLLOW, &at);
	if (err < 0) {
		goto out_put_sb;
	}
	err = check_mountpoint(&at, true);
	if (err < 0) {
		goto out_put_at;
	}
	if (!mount_attach(sb, sb->root, &at, source, type, flags)) {
		err = -LINUX_ENOMEM;
	}
	vfs_path_put(&at);
	return err;

out_put_at:
	vfs_path_put(&at);
out_put_sb:
	vfs_sb_put(sb);
	return err;
}

static int mount_bind(const struct vfs_ctx *ctx, const struct vfs_path *dir,
		      const char *source, const char *target,
		      unsigned long flags)
{
	struct vfs_path from = { 0 }, at = { 0 };
	int err;

	err = vfs_lookup(ctx, dir, source, VFS_LOOKUP_FOLLOW, &from);
	if (err < 0) {
		return err;
	}
	err = vfs_lookup(ctx, dir, target, VFS_LOOKUP_FOLLOW, &at);
	if (err < 0) {
		goto out_put_from;
	}
	err = check_mountpoint(&at, LINUX_S_ISDIR(from.inode->mode));
	if (err < 0) {
		goto out_put_at;
	}
	vfs_sb_get(from.mnt->sb);
	if (!mount_attach(from.mnt->sb, from.inode, &at, from.mnt->source,
			  from.mnt->type, flags)) {
		err = -LINUX_ENOMEM;
	}
out_put_at:
	vfs_path_put(&at);
out_put_from:
	vfs_path_put(&from);
	return err;
}

static int mount_remount(const struct vfs_ctx *ctx,
			 const struct vfs_path *dir, const char *target,
			 unsigned long flags)
{
	struct vfs_path at = { 0 };
	int err;

	err = vfs_lookup(ctx, dir, target, VFS_LOOKUP_FOLLOW, &at);
	if (err < 0) {
		return err;
	}
	if (at.inode != at.mnt->root) {
		err = -LINUX_EINVAL;
	} else {
		at.mnt->flags = flags & VFS_MOUNT_FLAGS;
	}
	vfs_path_put(&at);
	return err;
}

int vfs_mount(const struct vfs_ctx *ctx, const struct vfs_path *dir,
	      const char *source, const char *target, const char *type,
	      unsigned long flags, const char *data)
{
	struct vfs_fstype *t;
	struct vfs_sb *sb;
	int err;

	if (ctx->cred.uid != 0) {
		return -LINUX_EPERM;
	}
	if ((flags & LINUX_MS_MGC_MSK) == LINUX_MS_MGC_VAL) {
		flags &= ~LINUX_MS_MGC_MSK;
	}
	if (flags & LINUX_MS_REMOUNT) {
		return mount_remount(ctx, dir, target, flags);
	}
	if (flags & LINUX_MS_BIND) {
		return mount_bind(ctx, dir, source, target, flags);
	}
	if (flags & LINUX_MS_MOVE) {
		return -LINUX_EINVAL;
	}
	if (!type) {
		return -LINUX_EINVAL;
	}
	t = vfs_fstype_find(type);
	if (!t) {
		return -LINUX_ENODEV;
	}
	err = t->mount(source, flags, data, &sb);
	if (err < 0) {
		return err;
	}
	return vfs_mount_sb(ctx, dir, target, sb, source, t->name, flags);
}

static struct vfs_mount *mount_first_child(const struct vfs_mount *m)
{
	struct list_node *n;

	list_for_each(n, &mounts) {
		struct vfs_mount *c = container_of(n, struct vfs_mount, link);

		if (c->parent == m) {
			return c;
		}
	}
	return NULL;
}

static void mount_detach(struct vfs_mount *m)
{
	struct vfs_mount *c;

	/* Submounts first (lazy umount takes the whole subtree). */
	while ((c = mount_first_child(m))) {
		mount_detach(c);
	}
	list_remove(&m->link);
	m->attached = false;
	if (m->mountpoint) {
		m->mountpoint->mounts--;
		vfs_inode_put(m->mountpoint);
		m->mountpoint = NULL;
	}
	m->parent = NULL;
	if (m->refs == 0) {
		mount_free(m);
	}
}

void vfs_mount_tree_detach(struct vfs_mount *root)
{
	if (root->attached) {
		mount_detach(root);
	}
}

int vfs_umount(const struct vfs_ctx *ctx, const struct vfs_path *dir,
	       const char *target, int flags)
{
	unsigned lookup = VFS_LOOKUP_FOLLOW;
	struct vfs_path at = { 0 };
	struct vfs_mount *m;
	int err;

	if (flags & ~(LINUX_MNT_FORCE | LINUX_MNT_DETACH | LINUX_MNT_EXPIRE |
		      LINUX_UMOUNT_NOFOLLOW)) {
		return -LINUX_EINVAL;
	}
	if ((flags & LINUX_MNT_EXPIRE) &&
	    (flags & (LINUX_MNT_FORCE | LINUX_MNT_DETACH))) {
		return -LINUX_EINVAL;
	}
	if (flags & LINUX_UMOUNT_NOFOLLOW) {
		lookup = 0;
	}
	if (ctx->cred.uid != 0) {
		return -LINUX_EPERM;
	}
	err = vfs_lookup(ctx, dir, target, lookup, &at);
	if (err < 0) {
		return err;
	}
	m = at.mnt;
	if (at.inode != m->root || !m->attached) {
		err = -LINUX_EINVAL;
		goto out;
	}
	if (!m->parent) {
		err = -LINUX_EINVAL;	/* the tree's root */
		goto out;
	}
	if (m == ctx->root->mnt && !(flags & LINUX_MNT_DETACH)) {
		err = -LINUX_EBUSY;
		goto out;
	}
	if (flags & LINUX_MNT_EXPIRE) {
		err = -LINUX_EAGAIN;	/* never marked: no expiry here */
		goto out;
	}
	/* Our own walk holds one reference. */
	if (!(flags & LINUX_MNT_DETACH) &&
	    (m->refs > 1 || mount_first_child(m))) {
		err = -LINUX_EBUSY;
		goto out;
	}
	mount_detach(m);
out:
	vfs_path_put(&at);
	return err;
}
